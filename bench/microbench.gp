# Assembly rate per build and thread count from bench/microbench.sh's micro.csv.
# usage: gnuplot -e "csv='DIR/micro.csv'; png='DIR/assembly.png'" bench/microbench.gp
set terminal pngcairo size 1100,520 font ",10"
set output png
set datafile separator ","
set title "memfem-bench assembly: elements per second (median, bars: min-max)"
set ylabel "million elements per second"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set xtics rotate by -30 noenhanced
set key top left
set yrange [0:*]
set grid ytics
# one histogram column per thread count present (up to four)
tlist = system(sprintf("awk -F, '$1==\"assembly\" && $6==\"assembly_rate\" {print $4}' %s | sort -n | uniq | tr '\\n' ' '", csv))
rows(t) = sprintf("< awk -F, '$1==\"assembly\" && $6==\"assembly_rate\" && $4==%s' %s", t, csv)
plot for [t in tlist] rows(t) using 8:9:10:xtic(2) title sprintf("%s threads", t)
