# Keep-alive requests/s per wrk connection count, one line per stack.
# gnuplot -e "datafile='rps.dat'; outfile='out.png'" keepalive_rps.gp
# datafile columns: connections, xdp, kernel, nginx (medians; NaN = missing)
set terminal pngcairo size 640,400 font ",10"
set output outfile
set title "http keep-alive (wrk -t1): requests/s, median"
set xlabel "wrk connections"
set ylabel "requests/s"
set logscale x 2
set xrange [0.8:90]
set xtics ("1" 1, "16" 16, "64" 64)
set yrange [0:*]
set key top left
set grid ytics
plot datafile using 1:2 with linespoints lw 2 title "xdptcp (xdp)", \
     datafile using 1:3 with linespoints lw 2 title "kernel (same app)", \
     datafile using 1:4 with linespoints lw 2 dt 2 title "nginx"
