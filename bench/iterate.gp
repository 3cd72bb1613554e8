# Flat versus pointer-per-item iteration from bench/microbench.sh's micro.csv: time per
# record over flat, for each variant and thread count, of one build.
# usage: gnuplot -e "csv='DIR/micro.csv'; png='DIR/iterate.png'; build='pool-soa-system'" bench/iterate.gp
set terminal pngcairo size 900,480 font ",10"
set output png
set datafile separator ","
set title sprintf("memfem-bench iterate (%s): time per record / flat (median, bars: min-max)", build) noenhanced
set ylabel "x flat"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set key top left
set yrange [0:*]
set grid ytics
tlist = system(sprintf("awk -F, '$1==\"iterate\" && $2==\"%s\" {print $4}' %s | sort -n | uniq | tr '\\n' ' '", build, csv))
rows(t) = sprintf("< awk -F, '$1==\"iterate\" && $2==\"%s\" && $6==\"time_over_flat\" && $4==%s {split($3, c, \":\"); print c[1] \",\" $8 \",\" $9 \",\" $10}' %s", build, t, csv)
plot for [t in tlist] rows(t) using 2:3:4:xtic(1) title sprintf("%s threads", t)
