# CPU cost per stack: whole-machine and server-process CPU per request
# (keep-alive, 16 connections) and whole-machine CPU per connection (churn).
# gnuplot -e "datafile='cpu.dat'; outfile='out.png'" cpu.gp
# datafile columns: stack, machine us/req, server us/req, machine us/conn
set terminal pngcairo size 640,440 font ",10"
set output outfile
set title "CPU per unit of work (median; lower is better)"
set ylabel "CPU microseconds"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set key below
set grid ytics
plot datafile using 2:xtic(1) title "per request, keep-alive c16 (machine)", \
     '' using 3 title "per request, keep-alive c16 (server process)", \
     '' using 4 title "per connection, churn wrk c16 (machine)"
