# Plots of one scaling study (called by scripts/scaling.sh):
#   gnuplot -e "csv='DIR/strong.csv'; png='DIR/strong.png'; study='strong'" scripts/scaling.gp
# Left: wall time median with min-max bars, and the phases' medians, against threads.
# Right: efficiency (wall, and solve per CG iteration) against threads, ideal = 1.
set datafile separator ','
set datafile missing 'n/a'
set terminal pngcairo size 1200,500 noenhanced
set output png
if (!exists('label')) label = csv
set multiplot layout 1,2 title sprintf('memfem %s scaling (%s)', study, label)
set key autotitle columnhead top right
set xlabel 'threads'
set ylabel 'seconds (median; wall with min-max)'
set logscale xy 2
set grid
set format y '%g'
plot csv using 'threads':'wall_median':'wall_min':'wall_max' with yerrorlines lw 2 title 'wall', \
     '' using 'threads':'solve' with linespoints title 'solve', \
     '' using 'threads':'spmv' with linespoints title 'SpMV', \
     '' using 'threads':'assembly' with linespoints title 'assembly', \
     '' using 'threads':'vec' with linespoints title 'vector ops', \
     '' using 'threads':'pc' with linespoints title 'preconditioner'
unset logscale y
set ylabel 'efficiency'
set yrange [0:*]  # superlinear efficiencies (cache effects) must stay visible
plot csv using 'threads':'efficiency' with linespoints lw 2 title 'wall', \
     '' using 'threads':'efficiency_per_cg_iteration' with linespoints title 'solve per CG iteration', \
     1 with lines dt 2 title 'ideal'
unset multiplot
