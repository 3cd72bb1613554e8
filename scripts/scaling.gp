# Plots of one scaling study (called by scripts/scaling.sh):
#   gnuplot -e "csv='DIR/strong.csv'; png='DIR/strong.png'; study='strong'" scripts/scaling.gp
# Left: wall time median with min-max bars, and the phases' medians (communication: rank
# 0's, inside the others), per configuration (ranks x threads, in order of cores).
# Right: efficiency (wall, and solve per CG iteration) per configuration, ideal = 1.
set datafile separator ','
set datafile missing 'n/a'
set terminal pngcairo size 1200,500 noenhanced
set output png
if (!exists('label')) label = csv
set multiplot layout 1,2 title sprintf('memfem %s scaling (%s)', study, label)
set key autotitle columnhead top right
set xlabel 'ranks x threads'
set ylabel 'seconds (median; wall with min-max)'
set logscale y 2
set offsets 0.3, 0.3, 0, 0
set grid
set format y '%g'
plot csv using 0:'wall_median':'wall_min':'wall_max':xticlabels(stringcolumn('config')) with yerrorlines lw 2 title 'wall', \
     '' using 0:'solve' with linespoints title 'solve', \
     '' using 0:'spmv' with linespoints title 'SpMV', \
     '' using 0:'assembly' with linespoints title 'assembly', \
     '' using 0:'vec' with linespoints title 'vector ops', \
     '' using 0:'pc' with linespoints title 'preconditioner', \
     '' using 0:'communication' with linespoints title 'communication'
unset logscale y
set ylabel 'efficiency'
set yrange [0:*]  # superlinear efficiencies (cache effects) must stay visible
plot csv using 0:'efficiency':xticlabels(stringcolumn('config')) with linespoints lw 2 title 'wall', \
     '' using 0:'efficiency_per_cg_iteration' with linespoints title 'solve per CG iteration', \
     1 with lines dt 2 title 'ideal'
unset multiplot
