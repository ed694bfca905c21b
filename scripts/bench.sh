#!/usr/bin/env bash
# xdptcp against the kernel's TCP (`make bench`; root). In a private lab
# (two namespaces, veth; removed by a trap whatever happens), the same
# built-in apps on `xdptcp serve --stack xdp` and `--stack kernel`, plus
# nginx serving the same body as an external HTTP reference, interleaved
# (the stack order rotates each repetition) and repeated:
#   keep-alive  wrk -t1 -c 1/16/64 --latency on `http`: req/s, p50, p99
#   churn       wrk -H 'Connection: close' -c16, and churn_client (4
#               processes, one request per connection): conns/s, and the
#               server's TIME-WAIT count after
#   pingpong    pingpong_client on `echo` (64 B): p50/p99/p99.9 round trip
#   bulk        bulk_client into `discard` and out of `source`: Gbit/s;
#               kernel twice: XDP_PASS on both veth ends (the GSO-less path
#               xdptcp's peer gets) and offloads on without XDP
#   CPU         /proc/stat deltas (user+system+softirq, whole machine) and
#               the server processes' own CPU, per request/conn/GB; the XDP
#               program's run time from kernel.bpf_stats_enabled
#   TIME-WAIT   xdptcp's `timewait` table filled with tw_fill (entries held
#               and refused of 1,000,000, bytes per entry held incl. the
#               maps, fast path with the table full vs empty);
#               kernel bytes per TIME-WAIT socket from /proc/slabinfo
#   micro       build/bench/xdp_microbench (BPF_PROG_TEST_RUN)
# Writes OUT/<date>-<host>.md (tables: median, min, max, ratio to kernel),
# OUT/<date>-<host>.tsv (every sample) and OUT/<date>-<host>-*.png.
#
#   scripts/bench.sh [--quick] [--reps N] [--out DIR] [--duration S] [--help]
#
#   --quick       about one minute: 1 repetition of 1 s runs, small scale tests
#   --reps N      repetitions (default 3; medians need at least 3)
#   --out DIR     where results go (default bench/results)
#   --duration S  seconds per measured run (default 5)
# Environment: BUILD (default build) locates the binaries.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/xdptcp
BB=$BUILD/bench
PASS_OBJ=$BUILD/bpf/xdp_pass.bpf.o
PORT_BASE=8080
PORT=$PORT_BASE
SESSION=0
SIZE=128          # "small body" of the http app and of nginx
PP_SIZE=64        # ping-pong message
REPS=3
DUR=5
QUICK=0
OUT=$ROOT/bench/results
TW_XDP_TARGET=1000000 # what issue 6 asks the xdptcp table to hold
TW_KERNEL_TARGET=50000
MB_ARGS="--repeat 1000000 --runs 7"

usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1; shift ;;
	--reps) REPS=${2:-}; shift 2 ;;
	--out) OUT=${2:-}; shift 2 ;;
	--duration) DUR=${2:-}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if [ $QUICK = 1 ]; then
	REPS=1 DUR=1 TW_KERNEL_TARGET=5000 MB_ARGS="--repeat 100000 --runs 3"
fi
[[ $REPS =~ ^[1-9][0-9]*$ && $DUR =~ ^[1-9][0-9]*$ ]] ||
	{ echo "bench: --reps and --duration take positive integers" >&2; exit 2; }
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || { echo "bench: cannot create $OUT" >&2; exit 2; }

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, XDP, bpf stats): sudo make bench"
for t in wrk nginx gnuplot bpftool ip ss ethtool sysctl; do
	command -v "$t" >/dev/null || die "$t is missing: run scripts/deps.sh"
done
for f in "$BIN" "$BUILD/bpf/xdptcp.bpf.o" "$PASS_OBJ" "$BB/churn_client" "$BB/pingpong_client" \
	"$BB/bulk_client" "$BB/tw_fill" "$BB/xdp_microbench"; do
	[ -e "$f" ] || die "$f missing: run make all first"
done

STAMP=$(date -u +%Y-%m-%d)-$(hostname -s)
MD=$OUT/$STAMP.md
RAW=$OUT/$STAMP.tsv
LAB=bench$$
TMP=$(mktemp -d /tmp/xdptcp-bench.XXXXXX)
NOTES=$TMP/notes
: >"$NOTES"
SERVE_PID=
BPF_STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
T0=$(date +%s)

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	serve_stop >/dev/null 2>&1
	sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_OLD" >/dev/null 2>&1
	bash "$ROOT/scripts/lab.sh" down "$LAB" >/dev/null 2>&1 ||
		echo "bench: could not remove lab $LAB (scripts/lab.sh down $LAB)" >&2
	rm -rf -- "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

srv() { ip netns exec "$XDPTCP_SRV_NS" "$@"; }
cli() { ip netns exec "$XDPTCP_CLI_NS" "$@"; }
note() { echo "- $*" >>"$NOTES"; echo "    note: $*" >&2; }
# emit WORKLOAD STACK METRIC VALUE: one sample of the current repetition
emit() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$REP" "$4" >>"$RAW"; }
calc() { awk "BEGIN { printf \"%.6g\", $* }"; }

# --- progress -------------------------------------------------------------------
STEPS_TOTAL=0 STEPS_DONE=0 STEP_START=0
LOADS=
step() {
	local now el left
	now=$(date +%s)
	el=$((now - T0))
	if [ $STEPS_DONE -gt 0 ]; then
		left=$((el * (STEPS_TOTAL - STEPS_DONE) / STEPS_DONE))
	else
		left=$(((STEPS_TOTAL - STEPS_DONE) * (DUR + 2)))
	fi
	LOADS="$LOADS $(cut -d' ' -f1 /proc/loadavg)"
	printf '[%4ss, ~%ss left] %d/%d %s\n' "$el" "$left" $((STEPS_DONE + 1)) "$STEPS_TOTAL" "$*"
}
step_done() { STEPS_DONE=$((STEPS_DONE + 1)); }

# --- CPU and XDP run time around a measured run ---------------------------------
# /proc/stat cpu line: user nice system idle iowait irq softirq (USER_HZ ticks)
stat_cpu() { awk '$1 == "cpu" { print $2 + $3, $4, $8 }' /proc/stat; }
# utime+stime (ticks) of every process in the server namespace
srv_cpu() {
	local pid t=0 v
	for pid in $(ip netns pids "$XDPTCP_SRV_NS" 2>/dev/null); do
		v=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) && t=$((t + v))
	done
	echo $t
}
# (text output parsed with awk: no JSON tool needed)
xdp_prog_id() { ip -n "$1" link show dev "$2" | grep -o 'prog/xdp id [0-9]*' | awk '{ print $3; exit }'; }
bpf_run() { # ID -> "run_time_ns run_cnt"
	[ -n "$1" ] || { echo "0 0"; return; }
	bpftool prog show id "$1" | awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
		END { print t + 0, c + 0 }'
}
HZ=$(getconf CLK_TCK)
M_STAT= M_SRV= M_BPF= M_PROG=
meas_begin() {
	M_PROG=$(xdp_prog_id "$XDPTCP_SRV_NS" "$XDPTCP_SRV_DEV")
	M_BPF=$(bpf_run "$M_PROG")
	M_SRV=$(srv_cpu)
	M_STAT=$(stat_cpu)
}
# meas_end WORKLOAD STACK UNITS PER: CPU per unit (UNITS units of work done;
# PER names the unit: req, conn, rt, GB). Microseconds per req/conn/rt,
# milliseconds per GB.
meas_end() {
	local wl=$1 st=$2 units=$3 per=$4 s1 srv1 b1 scale u0 s0 q0 u1 sy1 q1 r0 c0 r1 c1
	s1=$(stat_cpu) srv1=$(srv_cpu) b1=$(bpf_run "$M_PROG")
	awk -v u="$units" 'BEGIN { exit !(u > 0) }' || return 0
	scale=1e6
	[ "$per" = GB ] && scale=1e3
	read -r u0 s0 q0 <<<"$M_STAT"
	read -r u1 sy1 q1 <<<"$s1"
	local unit_name=us
	[ "$per" = GB ] && unit_name=ms
	emit "$wl" "$st" "cpu machine $unit_name/$per (user+sys+softirq)" \
		"$(calc "(($u1 - $u0) + ($sy1 - $s0) + ($q1 - $q0)) / $HZ * $scale / $units")"
	emit "$wl" "$st" "cpu softirq $unit_name/$per" "$(calc "($q1 - $q0) / $HZ * $scale / $units")"
	emit "$wl" "$st" "cpu server process $unit_name/$per" "$(calc "($srv1 - $M_SRV) / $HZ * $scale / $units")"
	if [ -n "$M_PROG" ]; then
		read -r r0 c0 <<<"$M_BPF"
		read -r r1 c1 <<<"$b1"
		# on the kernel's bulk runs, srv0 runs the XDP_PASS program
		local pn="xdp prog"
		[ "$st" = xdp ] || pn="xdp_pass prog (srv0)"
		if [ "$c1" -gt "$c0" ]; then
			emit "$wl" "$st" "$pn ns/frame" "$(calc "($r1 - $r0) / ($c1 - $c0)")"
			emit "$wl" "$st" "$pn frames/$per" "$(calc "($c1 - $c0) / $units")"
		fi
	fi
}

# --- servers --------------------------------------------------------------------
# serve_start STACK APP: xdptcp serve (stack xdp|kernel) or nginx (stack nginx)
serve_start() {
	local stack=$1 app=$2 log=$TMP/serve.log i
	: >"$log"
	# A fresh port per server: `xdptcp serve` refuses a port on which kernel
	# TIME-WAIT sockets of an earlier session remain ("port is busy"), and
	# per-port TIME-WAIT counts stay per session.
	SESSION=$((SESSION + 1))
	PORT=$((PORT_BASE + SESSION))
	URL=http://$XDPTCP_SRV_IP:$PORT/
	nginx_conf
	# `ip netns exec` directly (not through a shell function), so that $! is
	# the server itself (ip execs it) and SIGTERM reaches it: an asynchronous
	# subshell would ignore the signal and leave the server running.
	if [ "$stack" = nginx ]; then
		ip netns exec "$XDPTCP_SRV_NS" nginx -c "$TMP/nginx.conf" >"$log" 2>&1 &
	else
		ip netns exec "$XDPTCP_SRV_NS" "$BIN" serve --dev "$XDPTCP_SRV_DEV" --port $PORT --app "$app" --size "$SIZE" \
			--stack "$stack" >"$log" 2>&1 &
	fi
	SERVE_PID=$!
	for i in $(seq 100); do
		if [ "$stack" = nginx ]; then
			srv ss -Hltn "( sport = :$PORT )" | grep -q . && return 0
		else
			grep -q ready "$log" && return 0
		fi
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	note "$stack $app server did not get ready: $(tr '\n' ' ' <"$log")"
	serve_stop
	return 1
}
serve_stop() {
	[ -n "$SERVE_PID" ] || return 0
	# SIGTERM: xdptcp serve detaches and removes its pins; nginx shuts down fast
	kill -TERM "$SERVE_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$SERVE_PID" 2>/dev/null && { note "server $SERVE_PID ignored SIGTERM for 5 s"; kill -KILL "$SERVE_PID"; }
	wait "$SERVE_PID" 2>/dev/null
	SERVE_PID=
}

tw_count() { # STACK -> server-side TIME-WAIT connections on PORT
	if [ "$1" = xdp ]; then
		srv "$BIN" conns --dev "$XDPTCP_SRV_DEV" --state TIME-WAIT --json 2>/dev/null |
			grep -o '"state": "TIME-WAIT"' | wc -l
	else
		srv ss -Htan state time-wait "( sport = :$PORT )" | wc -l
	fi
}

# --- workloads ------------------------------------------------------------------
to_us() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000; else if (v ~ /s$/) m = 1000000; else exit 1
		sub(/[a-z]+$/, "", v); printf "%.1f", v * m }'
}
URL=
# wrk_run WORKLOAD STACK CONNS PER [wrk args]: req/s, p50, p99, errors, CPU
wrk_run() {
	local wl=$1 st=$2 c=$3 per=$4 out rps p50 p99 n errs
	shift 4
	meas_begin
	out=$(cli wrk -t1 -c"$c" -d"${DUR}s" --latency "$@" "$URL" 2>&1)
	echo "$out" >>"$TMP/wrk.log"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	n=$(awk '/requests in/ { print $1 }' <<<"$out")
	p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	meas_end "$wl" "$st" "${n:-0}" "$per"
	if [ -z "$rps" ] || [ -z "$p50" ]; then
		note "$wl $st: wrk gave no result: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
		return 1
	fi
	# "Socket errors: connect 0, read 0, write 0, timeout 0" and "Non-2xx or 3xx responses: N"
	errs=$(awk '/Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
		/Non-2xx/ { e += $NF } END { print e + 0 }' <<<"$out")
	emit "$wl" "$st" "$per/s" "$rps"
	emit "$wl" "$st" "p50 us" "$(to_us "$p50")"
	emit "$wl" "$st" "p99 us" "$(to_us "$p99")"
	emit "$wl" "$st" "errors" "$errs"
	printf '        %s req/s, p50 %s, p99 %s, errors %s\n' "$rps" "$p50" "$p99" "$errs"
}

http_session() { # STACK
	local st=$1 c tw0
	for c in 1 16 64; do
		step "keep-alive wrk -c$c ($st)"
		wrk_run "keep-alive c$c" "$st" "$c" req
		step_done
	done
	tw0=$(tw_count "$st")
	step "churn: wrk -c16 'Connection: close' ($st)"
	wrk_run "churn wrk -c16" "$st" 16 conn -H 'Connection: close' &&
		emit "churn wrk -c16" "$st" "TIME-WAIT added" $(($(tw_count "$st") - tw0))
	step_done
	tw0=$(tw_count "$st")
	step "churn: churn_client --conns 4 ($st)"
	meas_begin
	local out n
	out=$(cli "$BB/churn_client" --host "$XDPTCP_SRV_IP" --port $PORT --conns 4 --duration "$DUR" 2>&1)
	n=$(awk '{ print $2 }' <<<"$out")
	meas_end "churn C" "$st" "${n:-0}" conn
	if [[ $out =~ conns_per_s\ ([0-9.]+) ]]; then
		emit "churn C" "$st" "conn/s" "${BASH_REMATCH[1]}"
		emit "churn C" "$st" "errors" "$(awk '{ print $4 }' <<<"$out")"
		emit "churn C" "$st" "TIME-WAIT added" $(($(tw_count "$st") - tw0))
		echo "        $out"
	else
		note "churn C $st: $out"
	fi
	step_done
}

echo_session() { # STACK
	local st=$1 out
	step "ping-pong ${PP_SIZE} B ($st)"
	meas_begin
	out=$(cli "$BB/pingpong_client" --host "$XDPTCP_SRV_IP" --port $PORT --size $PP_SIZE --duration "$DUR" 2>&1)
	meas_end pingpong "$st" "$(awk '{ print $2 }' <<<"$out")" rt
	if [[ $out =~ ^samples\ ([0-9]+)\ p50\ ([0-9.]+)\ p99\ ([0-9.]+)\ p999\ ([0-9.]+) ]]; then
		emit pingpong "$st" "round trips/s" "$(calc "${BASH_REMATCH[1]} / $DUR")"
		emit pingpong "$st" "p50 us" "${BASH_REMATCH[2]}"
		emit pingpong "$st" "p99 us" "${BASH_REMATCH[3]}"
		emit pingpong "$st" "p99.9 us" "${BASH_REMATCH[4]}"
		echo "        $out"
	else
		note "pingpong $st: $out"
	fi
	step_done
}

# bulk WORKLOAD STACK MODE: one bulk_client run
bulk() {
	local wl=$1 st=$2 mode=$3 out
	step "$wl ($st)"
	meas_begin
	out=$(cli "$BB/bulk_client" --host "$XDPTCP_SRV_IP" --port $PORT --mode "$mode" --duration "$DUR" 2>&1)
	meas_end "$wl" "$st" "$(awk '/^bytes/ { print $2 / 1e9 }' <<<"$out")" GB
	if [[ $out =~ gbit_s\ ([0-9.]+) ]]; then
		emit "$wl" "$st" "Gbit/s" "${BASH_REMATCH[1]}"
		echo "        $out"
	else
		note "$wl $st: $(tr '\n' ' ' <<<"$out")"
	fi
	step_done
}

# veth configurations for the kernel's bulk runs (the lab's default: XDP_PASS
# on cli0 with tx checksum offload off, nothing on srv0)
veth_xdp_pass_both() {
	ip -n "$XDPTCP_SRV_NS" link set dev "$XDPTCP_SRV_DEV" xdpdrv obj "$PASS_OBJ" sec xdp
}
veth_offload() {
	ip -n "$XDPTCP_SRV_NS" link set dev "$XDPTCP_SRV_DEV" xdpdrv off
	ip -n "$XDPTCP_CLI_NS" link set dev "$XDPTCP_CLI_DEV" xdpdrv off
	cli ethtool -K "$XDPTCP_CLI_DEV" tx on >/dev/null
}
veth_lab_default() {
	ip -n "$XDPTCP_SRV_NS" link set dev "$XDPTCP_SRV_DEV" xdpdrv off
	cli ethtool -K "$XDPTCP_CLI_DEV" tx off >/dev/null
	ip -n "$XDPTCP_CLI_NS" link set dev "$XDPTCP_CLI_DEV" xdpdrv obj "$PASS_OBJ" sec xdp
}

# bulk_session STACK APP MODE WORKLOAD
bulk_session() {
	local st=$1 app=$2 mode=$3 wl=$4
	if [ "$st" = xdp ]; then
		serve_start xdp "$app" && { bulk "$wl" xdp "$mode"; serve_stop; }
		return
	fi
	serve_start kernel "$app" || return
	veth_xdp_pass_both
	bulk "$wl" kernel "$mode"
	veth_offload
	bulk "$wl" kernel-offload "$mode"
	veth_lab_default
	serve_stop
}

# --- TIME-WAIT scale --------------------------------------------------------------
tw_scale_xdp() {
	local out ins ref memlock memlock_la maxe mid lid r
	serve_start xdp http || return
	# the running program's maps, by their pins (DESIGN.md: <bpffs>/xdptcp/<netns-inode>/<ifname>/)
	local dir pin
	dir=$XDPTCP_BPFFS/xdptcp/$(stat -L -c %i "/run/netns/$XDPTCP_SRV_NS")/$XDPTCP_SRV_DEV
	pin=$(find "$dir" -name timewait 2>/dev/null | head -1)
	[ -n "$pin" ] && mid=$(bpftool map show pinned "$pin" | awk -F: 'NR == 1 { print $1 }')
	pin=$(find "$dir" -name laddrs 2>/dev/null | head -1)
	[ -n "$pin" ] && lid=$(bpftool map show pinned "$pin" | awk -F: 'NR == 1 { print $1 }')
	for r in $(seq "$REPS"); do
		REP=$r
		step "TIME-WAIT table empty: keep-alive wrk -c16 (xdp, rep $r)"
		wrk_run "tw table empty: keep-alive c16" xdp 16 req
		step_done
		step "TIME-WAIT table: tw_fill --count $TW_XDP_TARGET, then wrk -c16 (xdp, rep $r)"
		# "inserted N refused R error E": every key is tried
		out=$(srv "$BB/tw_fill" --dev "$XDPTCP_SRV_DEV" --laddr "$XDPTCP_SRV_IP" --lport 9 \
			--count $TW_XDP_TARGET --ttl-ms 600000 2>&1)
		echo "        $out"
		ins=$(awk '$1 == "inserted" { print $2 }' <<<"$out")
		ref=$(awk '$1 == "inserted" { print $4 }' <<<"$out")
		emit "tw table" xdp "entries held (of $TW_XDP_TARGET asked)" "${ins:-0}"
		emit "tw table" xdp "entries refused (bucket pair full)" "${ref:-0}"
		wrk_run "tw table full: keep-alive c16" xdp 16 req
		srv "$BB/tw_fill" --dev "$XDPTCP_SRV_DEV" --laddr "$XDPTCP_SRV_IP" --lport 9 \
			--count $TW_XDP_TARGET --clear >/dev/null
		step_done
	done
	if [ -n "$mid" ]; then
		# "key 4B  value 256B  max_entries 262144  memlock 67...B"
		mlk() { bpftool map show id "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == "memlock") { v = $(i + 1); sub(/B$/, "", v); print v } }'; }
		memlock=$(mlk "$mid")
		memlock_la=0
		[ -n "$lid" ] && memlock_la=$(mlk "$lid")
		maxe=$(bpftool map show id "$mid" | awk '{ for (i = 1; i < NF; i++) if ($i == "max_entries") print $(i + 1) }')
		emit "tw table" xdp "map memlock bytes (timewait + laddrs)" "$((memlock + memlock_la))"
		emit "tw table" xdp "slots (buckets x 8)" "$((maxe * 8))"
		[ "${ins:-0}" -gt 0 ] &&
			emit "tw table" xdp "bytes/entry (memlock/entries held)" "$(calc "($memlock + $memlock_la) / $ins")"
		emit "tw table" xdp "bytes/entry (slot, key included)" 32
	else
		note "could not find the timewait map of the running program"
	fi
	serve_stop
}

slab_tw() { awk '$1 == "tw_sock_TCP" { print $2, $3, $4, $5, $6 }' /proc/slabinfo; }
tw_scale_kernel() {
	local a0 n0 sz per pages a1 n1 tw0 tw1 end
	REP=1
	step "kernel TIME-WAIT: churn until $TW_KERNEL_TARGET server sockets (slab tw_sock_TCP)"
	serve_start kernel http || return
	tw0=$(tw_count kernel)
	read -r a0 n0 sz per pages <<<"$(slab_tw)"
	# connect() uses every other port of the range: one client address
	# reaches ~32,000 server TIME-WAIT sockets, so use three
	local base=${XDPTCP_CLI_IP%.*} srcs
	srcs=$XDPTCP_CLI_IP,$base.3,$base.4
	ip -n "$XDPTCP_CLI_NS" addr add "$base.3/24" dev "$XDPTCP_CLI_DEV" 2>/dev/null
	ip -n "$XDPTCP_CLI_NS" addr add "$base.4/24" dev "$XDPTCP_CLI_DEV" 2>/dev/null
	end=$(($(date +%s) + 50))
	while [ "$(tw_count kernel)" -lt $((tw0 + TW_KERNEL_TARGET)) ] && [ "$(date +%s)" -lt $end ]; do
		cli "$BB/churn_client" --host "$XDPTCP_SRV_IP" --port $PORT --conns 4 --duration 2 \
			--src "$srcs" >/dev/null
	done
	[ "$(tw_count kernel)" -lt $((tw0 + TW_KERNEL_TARGET)) ] &&
		note "kernel TIME-WAIT: $(tw_count kernel) sockets after 50 s, short of $TW_KERNEL_TARGET"
	tw1=$(tw_count kernel)
	read -r a1 n1 _ <<<"$(slab_tw)"
	emit "tw kernel" kernel "TIME-WAIT sockets added" $((tw1 - tw0))
	emit "tw kernel" kernel "tw_sock_TCP object bytes" "$sz"
	emit "tw kernel" kernel "tw_sock_TCP bytes/socket incl. slab (4096*pages/objperslab)" \
		"$(calc "4096 * $pages / $per")"
	[ $((tw1 - tw0)) -gt 0 ] &&
		emit "tw kernel" kernel "slab delta bytes/socket (active_objs*objsize)" \
			"$(calc "($a1 - $a0) * $sz / ($tw1 - $tw0)")"
	echo "        $((tw1 - tw0)) TIME-WAIT sockets; tw_sock_TCP active $a0 -> $a1, object $sz B"
	serve_stop
	step_done
}

# --- results ----------------------------------------------------------------------
# aggregate: one line per (workload, stack, metric): n median min max
aggregate() {
	sort -t$'\t' -k1,1 -k2,2 -k3,3 -k5,5g "$RAW" | awk -F'\t' '
	function flush() {
		if (n == 0) return
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%s\t%s\t%s\t%d\t%.6g\t%.6g\t%.6g\n", k1, k2, k3, n, med, v[1], v[n]
		n = 0
	}
	{ if ($1 != k1 || $2 != k2 || $3 != k3) { flush(); k1 = $1; k2 = $2; k3 = $3 }
	  v[++n] = $5 }
	END { flush() }'
}

fmt() { awk -v x="$1" 'BEGIN { if (x >= 100) printf "%.0f", x; else if (x >= 1) printf "%.2f", x; else printf "%.3g", x }'; }

# md_tables AGG: one table per workload, stacks in a fixed order
md_tables() {
	local agg=$1 wl
	cut -f1 "$agg" | awk '!seen[$0]++' | while IFS= read -r wl; do
		printf '\n### %s\n\n' "$wl"
		echo "| stack | metric | median | min | max | n | vs kernel | vs kernel-offload |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|"
		awk -F'\t' -v wl="$wl" '
		$1 == wl { key[$2 "\t" $3] = $5; rows[++n] = $0 }
		function f(x) { if (x >= 100 || x <= -100) return sprintf("%.0f", x); if (x >= 1 || x <= -1) return sprintf("%.2f", x); return sprintf("%.3g", x) }
		function ratio(a, b) { return (b == "" || b == 0) ? "" : sprintf("%.2fx", a / b) }
		function rank(s) { return s == "xdp" ? 0 : s == "kernel" ? 1 : s == "kernel-offload" ? 2 : 3 }
		END {
			for (o = 0; o < 4; o++) for (i = 1; i <= n; i++) {
				split(rows[i], r, "\t")
				if (rank(r[2]) != o) continue
				rk = (r[2] == "kernel") ? "" : ratio(r[5], key["kernel\t" r[3]])
				ro = (r[2] == "kernel-offload") ? "" : ratio(r[5], key["kernel-offload\t" r[3]])
				printf "| %s | %s | %s | %s | %s | %d | %s | %s |\n", r[2], r[3], f(r[5]), f(r[6]), f(r[7]), r[4], rk, ro
			}
		}' "$agg"
	done
}

# plot data: conns xdp kernel nginx (medians) for a metric of keep-alive
plot_data() { # AGG METRIC
	local c st
	for c in 1 16 64; do
		printf '%s' "$c"
		for st in xdp kernel nginx; do
			printf ' %s' "$(awk -F'\t' -v w="keep-alive c$c" -v s="$st" -v m="$2" \
				'$1 == w && $2 == s && $3 == m { print $5; f = 1 } END { if (!f) print "NaN" }' "$1")"
		done
		echo
	done
}
cpu_data() { # AGG: stack, cpu us/req (keep-alive c16), us/conn (churn wrk)
	local st
	for st in xdp kernel nginx; do
		printf '%s' "$st"
		for w in "keep-alive c16|cpu machine us/req (user+sys+softirq)" \
			"keep-alive c16|cpu server process us/req" \
			"churn wrk -c16|cpu machine us/conn (user+sys+softirq)"; do
			printf ' %s' "$(awk -F'\t' -v w="${w%%|*}" -v s="$st" -v m="${w#*|}" \
				'$1 == w && $2 == s && $3 == m { print $5; f = 1 } END { if (!f) print "NaN" }' "$1")"
		done
		echo
	done
}

make_plots() {
	local agg=$1 p=$ROOT/bench/plot
	plot_data "$agg" "req/s" >"$TMP/rps.dat"
	plot_data "$agg" "p99 us" >"$TMP/p99.dat"
	cpu_data "$agg" >"$TMP/cpu.dat"
	gnuplot -e "datafile='$TMP/rps.dat'; outfile='$OUT/$STAMP-keepalive-rps.png'" "$p/keepalive_rps.gp" &&
		gnuplot -e "datafile='$TMP/p99.dat'; outfile='$OUT/$STAMP-keepalive-p99.png'" "$p/keepalive_p99.gp" &&
		gnuplot -e "datafile='$TMP/cpu.dat'; outfile='$OUT/$STAMP-cpu.png'" "$p/cpu.gp" ||
		note "gnuplot failed"
}

write_md() {
	local agg=$TMP/agg.tsv
	aggregate >"$agg"
	make_plots "$agg"
	{
		echo "# xdptcp vs the kernel's TCP: $STAMP"
		echo
		echo "Run: \`scripts/bench.sh$ARGS\` from $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) ($(git -C "$ROOT" rev-parse --abbrev-ref HEAD 2>/dev/null)),"
		echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(($(date +%s) - T0)) s; kernel $(uname -r), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo))."
		echo "$REPS repetition(s) of ${DUR}-second runs, stacks interleaved (order rotates each repetition)."
		echo
		echo "**Noisy machine.** Client and server share the same $(nproc) CPUs, and the machine is shared with"
		echo "other jobs (its load average, 1 min, at each step says how busy it was):"
		echo "min $(tr ' ' '\n' <<<"$LOADS" | grep . | sort -g | head -1), max $(tr ' ' '\n' <<<"$LOADS" | grep . | sort -g | tail -1), at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)."
		echo "Whole-machine CPU (\`/proc/stat\`) therefore includes other jobs' time; the server processes' own"
		echo "CPU (utime+stime of every process in the server namespace) does not, but misses softirq work"
		echo "(on veth the XDP program and the kernel's receive path run in the sender's softirq)."
		echo
		echo "Stacks: \`xdp\` = \`xdptcp serve --stack xdp\`; \`kernel\` = \`xdptcp serve --stack kernel\` (same app"
		echo "code on epoll sockets); \`nginx\` = nginx-light $(nginx -v 2>&1 | sed 's/.*nginx\///'), 1 worker, same ${SIZE}-byte body;"
		echo "\`kernel-offload\` (bulk only) = kernel with no XDP on either veth end and cli0 tx offloads on,"
		echo "while \`kernel\` bulk rows have XDP_PASS on both ends (GSO-less, as xdptcp's peer)."
		echo "Ratios are medians over the kernel's median (higher is better for /s and Gbit/s, lower for us/ms)."
		if [ -s "$NOTES" ]; then
			echo
			echo "## Notes from this run"
			echo
			cat "$NOTES"
		fi
		echo
		echo "## Results"
		md_tables "$agg"
		echo
		echo "## Plots"
		echo
		echo "![keep-alive req/s]($STAMP-keepalive-rps.png) ![keep-alive p99]($STAMP-keepalive-p99.png) ![CPU]($STAMP-cpu.png)"
		echo
		echo "## XDP micro-benchmark (\`$BB/xdp_microbench --obj build/bpf/xdptcp.bpf.o $MB_ARGS\`)"
		echo
		echo '```'
		cat "$TMP/microbench.txt" 2>/dev/null
		echo '```'
		echo
		echo "## Commands"
		echo
		echo '```'
		cat <<EOF
scripts/lab.sh up $LAB    # namespaces $LAB-srv (srv0 $XDPTCP_SRV_IP) / $LAB-cli (cli0 $XDPTCP_CLI_IP)
ip netns exec $LAB-cli sysctl -w net.ipv4.ip_local_port_range="1024 65535"
ip netns exec $LAB-srv sysctl -w net.ipv4.tcp_max_tw_buckets=1000000
sysctl -w kernel.bpf_stats_enabled=1   # restored to $BPF_STATS_OLD after
# servers (one at a time, in the server namespace):
xdptcp serve --dev srv0 --port <port> --app http|echo|discard|source --size $SIZE --stack xdp|kernel
nginx -c nginx.conf   # worker_processes 1; access_log off; a ${SIZE}-byte index.html
# clients (client namespace), each with /proc/stat, server-process and bpf run-time deltas around it:
wrk -t1 -c1|16|64 -d${DUR}s --latency http://$XDPTCP_SRV_IP:<port>/
wrk -t1 -c16 -d${DUR}s --latency -H 'Connection: close' http://$XDPTCP_SRV_IP:<port>/
churn_client --host $XDPTCP_SRV_IP --port <port> --conns 4 --duration $DUR
pingpong_client --host $XDPTCP_SRV_IP --port <port> --size $PP_SIZE --duration $DUR
bulk_client --host $XDPTCP_SRV_IP --port <port> --mode send|recv --duration $DUR
# kernel bulk: XDP_PASS on both ends, then offloads:
ip -n $LAB-srv link set dev srv0 xdpdrv obj build/bpf/xdp_pass.bpf.o sec xdp
ip -n $LAB-srv link set dev srv0 xdpdrv off; ip -n $LAB-cli link set dev cli0 xdpdrv off; ethtool -K cli0 tx on
# TIME-WAIT: server-side counts
xdptcp conns --dev srv0 --state TIME-WAIT --json        # xdp
ss -Htan state time-wait '( sport = :<port> )' | wc -l  # kernel, nginx
tw_fill --dev srv0 --laddr $XDPTCP_SRV_IP --lport 9 --count $TW_XDP_TARGET   # then --clear
bpftool map show id <timewait>     # bytes_memlock (+ laddrs') / entries tw_fill inserted
grep tw_sock_TCP /proc/slabinfo    # before/after ~$TW_KERNEL_TARGET kernel TIME-WAIT sockets
EOF
		echo '```'
		echo
		echo "Raw samples: [$STAMP.tsv]($STAMP.tsv) (workload, stack, metric, repetition, value)."
	} >"$MD"
}

# --- main -------------------------------------------------------------------------
ARGS=
[ $QUICK = 1 ] && ARGS=" --quick" || ARGS=" --reps $REPS --duration $DUR"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# steps: per repetition 3 http sessions x 5, 2 ping-pong, 2 + 4 bulk;
# then TIME-WAIT (2 per repetition + 1 kernel) and the micro-benchmark
STEPS_TOTAL=$((REPS * 23 + REPS * 2 + 2))
printf 'bench: %s repetition(s), %s s runs, lab %s; results to %s\n' "$REPS" "$DUR" "$LAB" "$MD"
: >"$RAW"

out=$(bash "$ROOT/scripts/lab.sh" up "$LAB" 2>&1) || die "lab up: $out"
eval "$(bash "$ROOT/scripts/lab.sh" env "$LAB")" || die "scripts/lab.sh env $LAB failed"
cli sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
# far above anything a run creates: a full bucket table silently stops
# creating TIME-WAIT sockets for 2*MSL and every later count reads 0
srv sysctl -qw net.ipv4.tcp_max_tw_buckets=1000000
sysctl -qw kernel.bpf_stats_enabled=1
URL=http://$XDPTCP_SRV_IP:$PORT/
mkdir -p "$TMP/www"
head -c $SIZE /dev/zero | tr '\0' x >"$TMP/www/index.html"
nginx_conf() {
	cat >"$TMP/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 1000000;
	server { listen $PORT reuseport; root $TMP/www; }
}
EOF
}

# Kernel TIME-WAIT memory first, before the churn runs of this benchmark
# leave their own TIME-WAIT sockets to expire during the measurement.
tw_scale_kernel

STACKS=(xdp kernel nginx)
for REP in $(seq "$REPS"); do
	# rotate the order so that no stack always runs first (or last)
	order=("${STACKS[@]:$(((REP - 1) % 3))}" "${STACKS[@]:0:$(((REP - 1) % 3))}")
	for st in "${order[@]}"; do
		if serve_start "$st" http; then
			http_session "$st"
			serve_stop
		else
			STEPS_DONE=$((STEPS_DONE + 5))
		fi
	done
	for st in "${order[@]}"; do
		[ "$st" = nginx ] && continue
		if serve_start "$st" echo; then echo_session "$st"; serve_stop; else step_done; fi
	done
	for st in "${order[@]}"; do
		[ "$st" = nginx ] && continue
		bulk_session "$st" discard send "bulk into discard"
		bulk_session "$st" source recv "bulk out of source"
	done
done

tw_scale_xdp
step "XDP micro-benchmark (bpf stats off: they add two clock reads per run)"
sysctl -qw kernel.bpf_stats_enabled=0
"$BB/xdp_microbench" --obj "$BUILD/bpf/xdptcp.bpf.o" $MB_ARGS >"$TMP/microbench.txt" 2>&1 ||
	note "xdp_microbench failed: $(tail -3 "$TMP/microbench.txt" | tr '\n' ' ')"
sed 's/^/        /' "$TMP/microbench.txt"
sysctl -qw kernel.bpf_stats_enabled=1
step_done

write_md
printf 'bench: done in %ss: %s\n' $(($(date +%s) - T0)) "$MD"
