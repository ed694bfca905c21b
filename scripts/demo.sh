#!/usr/bin/env bash
# The xdptcp demo (`make demo` builds, then runs this as root):
#   1. a private lab (two namespaces, veth), removed by a trap whatever happens;
#   2. `xdptcp serve --app http` on XDP in the server namespace;
#   3. curl one request; wrk keep-alive; wrk with `Connection: close`;
#   4. `xdptcp conns` (TIME-WAIT entries) and `xdptcp stats`;
#   5. the same app on kernel sockets (`--stack kernel`), the same wrk runs;
#   6. a side-by-side table: requests/s and latency p50/p99, and the ratio.
# A step that fails stops the demo with a message naming it; no number is
# ever printed that was not measured.
#
#   scripts/demo.sh [--duration S] [--conns N] [--size BYTES] [--only xdp|kernel]
#
# Environment: BUILD (default build) locates the binaries.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/xdptcp
PORT=8080
DURATION=5
CONNS=16
SIZE=1024
MSL_MS=5000 # TIME-WAIT lasts 10 s: long enough to show, short enough to watch go
ONLY=

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--duration) DURATION=$2; shift 2 ;;
	--conns) CONNS=$2; shift 2 ;;
	--size) SIZE=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[[ $DURATION =~ ^[1-9][0-9]*$ && $CONNS =~ ^[1-9][0-9]*$ && $SIZE =~ ^[0-9]+$ ]] ||
	{ echo "demo: --duration, --conns and --size take positive integers" >&2; exit 2; }
case $ONLY in "" | xdp | kernel) ;; *) echo "demo: --only xdp|kernel" >&2; exit 2 ;; esac

T0=$(date +%s)
step() { printf '\n==> [%3ss] %s\n' $(($(date +%s) - T0)) "$*"; }
info() { printf '    %s\n' "$*"; }
STEP=start
die() {
	printf '\ndemo: FAILED at step "%s": %s\n' "$STEP" "$*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP): sudo make demo"
for t in curl wrk ip ss; do
	command -v "$t" >/dev/null || die "$t is missing: run scripts/deps.sh"
done
[ -x "$BIN" ] && [ -f "$BUILD/bpf/xdptcp.bpf.o" ] || die "$BIN missing: run make all first"

LAB=demo$$
TMP=$(mktemp -d /tmp/xdptcp-demo.XXXXXX)
SERVE_PID=

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$SERVE_PID" ]; then
		kill -INT "$SERVE_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$SERVE_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
	fi
	bash "$ROOT/scripts/lab.sh" down "$LAB" >/dev/null 2>&1 ||
		echo "demo: could not remove lab $LAB (scripts/lab.sh down $LAB)" >&2
	rm -rf -- "$TMP"
	[ $rc -eq 0 ] && printf '\ndemo: done in %ss, lab %s removed\n' $(($(date +%s) - T0)) "$LAB"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

srv() { ip netns exec "$XDPTCP_SRV_NS" "$@"; }
cli() { ip netns exec "$XDPTCP_CLI_NS" "$@"; }

# serve_start STACK: serve the http app and wait for its ready line
serve_start() {
	local stack=$1 log=$TMP/serve-$1.log i
	# not through srv(): a backgrounded function is a subshell, and $! would
	# be that shell, which ignores SIGINT; `ip netns exec` execs the command
	ip netns exec "$XDPTCP_SRV_NS" "$BIN" serve --dev "$XDPTCP_SRV_DEV" --port $PORT --app http \
		--size "$SIZE" --msl-ms $MSL_MS --stack "$stack" >"$log" 2>&1 &
	SERVE_PID=$!
	for i in $(seq 100); do
		grep -q 'ready' "$log" && break
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'ready' "$log"; then
		kill -0 "$SERVE_PID" 2>/dev/null && kill -INT "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
		local rc=$?
		SERVE_PID=
		die "xdptcp serve --stack $stack did not get ready (exit $rc); its output:
$(sed 's/^/    | /' "$log")"
	fi
	info "$(grep 'ready' "$log")"
}

serve_stop() {
	local rc i
	kill -INT "$SERVE_PID" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SERVE_PID" 2>/dev/null; then
		kill -KILL "$SERVE_PID"
		wait "$SERVE_PID" 2>/dev/null
		SERVE_PID=
		die "xdptcp serve did not exit within 10 s of SIGINT (killed)"
	fi
	wait "$SERVE_PID"
	rc=$?
	SERVE_PID=
	[ $rc -eq 0 ] || die "xdptcp serve exited with status $rc after SIGINT"
	info "serve stopped (SIGINT, exit 0)"
}

URL=
curl_once() {
	local out code size
	out=$(cli curl -sS --max-time 5 -o "$TMP/body" -w '%{http_code} %{size_download}' "$URL" 2>&1) ||
		die "curl $URL: $out"
	read -r code size <<<"$out"
	info "curl $URL -> HTTP $code, body $size bytes"
	[ "$code" = 200 ] || die "curl got HTTP $code, want 200"
	[ "$size" = "$SIZE" ] || die "curl got a $size-byte body, want $SIZE"
}

# to_us VALUE: wrk's "1.23ms" / "850.00us" / "1.02s" in microseconds
to_us() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000; else if (v ~ /s$/) m = 1000000; else exit 1
		sub(/[a-z]+$/, "", v); printf "%.0f", v * m }'
}

# wrk_run NAME [wrk args...]: prints its summary, stores RPS/P50/P99 in R_<NAME>_*
wrk_run() {
	local name=$1 out rps p50 p99 errs
	shift
	out=$(cli wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$URL" 2>&1) || die "wrk: $out"
	echo "$out" >"$TMP/wrk-$name.txt"
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	errs=$(grep -E 'Socket errors|Non-2xx' <<<"$out" | sed 's/^ *//' | paste -sd';' -)
	[ -n "$rps" ] && [ -n "$p50" ] && [ -n "$p99" ] || die "cannot read wrk's output:
$out"
	awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || die "wrk completed no request:
$out"
	info "$(grep -E 'requests in' <<<"$out" | sed 's/^ *//'): $rps req/s, p50 $p50, p99 $p99${errs:+ ($errs)}"
	printf -v "R_${name}_rps" '%s' "$rps"
	printf -v "R_${name}_p50" '%s' "$(to_us "$p50")"
	printf -v "R_${name}_p99" '%s' "$(to_us "$p99")"
	printf -v "R_${name}_errs" '%s' "${errs:-none}"
}

# drive STACK: the same client work against whichever stack serves
drive() {
	local s=$1
	STEP="curl ($s)"
	step "curl: one request to the $s stack"
	curl_once
	STEP="wrk keep-alive ($s)"
	step "wrk keep-alive: $CONNS connections, ${DURATION} s ($s)"
	wrk_run "${s}_ka"
	STEP="wrk Connection: close ($s)"
	step "wrk with 'Connection: close': $CONNS connections, ${DURATION} s ($s)"
	wrk_run "${s}_close" -H 'Connection: close'
}

STEP="lab up"
step "lab $LAB up (namespaces $LAB-srv / $LAB-cli, veth srv0 <-> cli0)"
out=$(bash "$ROOT/scripts/lab.sh" up "$LAB" 2>&1) || die "$out"
eval "$(bash "$ROOT/scripts/lab.sh" env "$LAB")" || die "scripts/lab.sh env $LAB failed"
info "server $XDPTCP_SRV_IP ($XDPTCP_SRV_NS/$XDPTCP_SRV_DEV), client $XDPTCP_CLI_IP ($XDPTCP_CLI_NS)"
URL=http://$XDPTCP_SRV_IP:$PORT/

if [ "$ONLY" != kernel ]; then
	STEP="xdptcp serve (xdp)"
	step "xdptcp serve --app http on XDP ($XDPTCP_SRV_DEV, port $PORT, ${SIZE}-byte body, MSL ${MSL_MS} ms)"
	serve_start xdp
	drive xdp

	STEP="xdptcp conns"
	step "xdptcp conns --dev $XDPTCP_SRV_DEV (right after the Connection: close run)"
	srv "$BIN" conns --dev "$XDPTCP_SRV_DEV" >"$TMP/conns.txt" 2>&1 || die "$(cat "$TMP/conns.txt")"
	head -n 11 "$TMP/conns.txt" | sed 's/^/    /'
	[ "$(wc -l <"$TMP/conns.txt")" -gt 12 ] && info "..." && tail -n 1 "$TMP/conns.txt" | sed 's/^/    /'
	TW_XDP=$(srv "$BIN" conns --dev "$XDPTCP_SRV_DEV" --state TIME-WAIT --json |
		grep -o '"state": "TIME-WAIT"' | wc -l)
	info "TIME-WAIT entries held by XDP: $TW_XDP"
	[ "$TW_XDP" -gt 0 ] || die "no TIME-WAIT entry after $R_xdp_close_rps req/s of Connection: close"

	STEP="xdptcp stats"
	step "xdptcp stats --dev $XDPTCP_SRV_DEV (non-zero counters)"
	srv "$BIN" stats --dev "$XDPTCP_SRV_DEV" >"$TMP/stats.txt" 2>&1 || die "$(cat "$TMP/stats.txt")"
	awk '$2 != 0' "$TMP/stats.txt" | sed 's/^/    /'

	STEP="stop serve (xdp)"
	step "stop xdptcp serve (SIGINT: detach, remove pins)"
	serve_stop
fi

if [ "$ONLY" != xdp ]; then
	STEP="xdptcp serve --stack kernel"
	step "the same http app on kernel sockets: xdptcp serve --stack kernel"
	serve_start kernel
	drive kernel
	TW_KERNEL=$(srv ss -Htan state time-wait "( sport = :$PORT )" | wc -l)
	info "kernel TIME-WAIT sockets on port $PORT: $TW_KERNEL"
	STEP="stop serve (kernel)"
	serve_stop
fi

STEP="summary"
step "side by side: http app, ${SIZE}-byte body, wrk -t1 -c$CONNS -d${DURATION}s, same client, same lab"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2fx", a / b }'; }
val() { local v="R_$1"; echo "${!v:-}"; }
row() { # LABEL KEY UNIT
	local x k
	x=$(val "xdp_$2") k=$(val "kernel_$2")
	printf '    %-22s %12s %12s %10s\n' "$1" "${x:--}${x:+$3}" "${k:--}${k:+$3}" "$(ratio "$x" "$k")"
}
printf '    %-22s %12s %12s %10s\n' "" "xdptcp" "kernel" "xdp/kernel"
row "keep-alive req/s" ka_rps ""
row "keep-alive p50" ka_p50 " us"
row "keep-alive p99" ka_p99 " us"
row "conn: close req/s" close_rps ""
row "conn: close p50" close_p50 " us"
row "conn: close p99" close_p99 " us"
info "(req/s: higher is better; latency: lower is better. Both stacks share the"
info " machine's cores with wrk, and veth is not a NIC: see make bench for more)"
for s in xdp kernel; do
	for w in ka close; do
		e=$(val "${s}_${w}_errs")
		[ -n "$e" ] && [ "$e" != none ] && info "wrk errors ($s, $w): $e"
	done
done
exit 0
