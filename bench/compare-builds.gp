# Plots of scripts/compare-builds.sh: gnuplot -e "dir='DIR'" bench/compare-builds.gp
# Median with min-max bars per preset, from DIR/summary.csv.
set datafile separator ","
set terminal pngcairo size 900,500 noenhanced
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -30
set grid ytics
set key off
set yrange [0:*]
set output dir."/wall.png"
set title "wall time per variant (median, min-max)"
set ylabel "seconds"
plot dir."/summary.csv" using 0:(column("wall_s_median")):xtic(1) with boxes, \
     "" using 0:(column("wall_s_median")):(column("wall_s_min")):(column("wall_s_max")) with yerrorbars lc rgb "black" pt 0
set output dir."/rss.png"
set title "peak RSS per variant (median, min-max)"
set ylabel "MiB"
plot dir."/summary.csv" using 0:(column("peak_rss_mib_median")):xtic(1) with boxes, \
     "" using 0:(column("peak_rss_mib_median")):(column("peak_rss_mib_min")):(column("peak_rss_mib_max")) with yerrorbars lc rgb "black" pt 0
