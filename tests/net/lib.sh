# TAP helpers and a private lab for tests/net/test_*.sh. Source it, call
# lab_setup, then report with ok / not_ok / skip. The EXIT trap stops the
# test's background processes and removes the lab (namespaces and pins),
# whether the test passes, fails or dies; the plan line "1..N" comes last.
set -u

NET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$NET_DIR/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
XDPTCP_BIN=$BUILD/xdptcp
TOOLS=$BUILD/tests/tools
# scapy lives in Debian's python, not in whatever python3 is on PATH
PY=/usr/bin/python3

_tap_n=0
_tap_failed=0
_bg_pids=()
LAB=
TEST_TMP= # a private directory, removed at exit

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

not_ok() { # NAME WHY
	_tap_n=$((_tap_n + 1))
	_tap_failed=1
	echo "not ok $_tap_n - $1"
	printf '%s\n' "${2:-}" | sed 's/^/# /'
}

skip() { # NAME WHY
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# check NAME CMD...: ok when CMD exits 0, else not_ok with its output
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "command failed ($*): $out"
	fi
}

# expect_fail NAME PATTERN CMD...: CMD must exit 1 and print PATTERN (grep -E)
expect_fail() {
	local name=$1 pat=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qE -- "$pat" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "expected exit 1 and /$pat/, got exit $rc: $out"
	fi
}

srv() { ip netns exec "$XDPTCP_SRV_NS" "$@"; }
cli() { ip netns exec "$XDPTCP_CLI_NS" "$@"; }
xdptcp() { srv "$XDPTCP_BIN" "$@"; }

# bg NS CMD...: runs CMD in namespace NS in the background; killed at exit
bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	_bg_pids+=($!)
}

_lab_teardown() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${_bg_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "$LAB" ]; then
		bash "$ROOT/scripts/lab.sh" down "$LAB" >/dev/null 2>&1 ||
			not_ok "lab teardown" "scripts/lab.sh down $LAB failed"
		if [ -e "/run/netns/$LAB-srv" ] || [ -e "/run/netns/$LAB-cli" ]; then
			not_ok "lab teardown" "namespaces of $LAB still exist"
		fi
	fi
	[ -n "$TEST_TMP" ] && rm -rf -- "$TEST_TMP"
	echo "1..$_tap_n"
	[ "$rc" -eq 0 ] && [ "$_tap_failed" -eq 0 ] && exit 0
	exit 1
}

# lab_setup: a lab with a name of its own, so tests can run concurrently
lab_setup() {
	LAB=xt$$
	trap _lab_teardown EXIT
	trap 'exit 1' INT TERM
	TEST_TMP=$(mktemp -d /tmp/xdptcp-net.XXXXXX)
	if [ "$(id -u)" -ne 0 ]; then
		skip "lab setup" "needs root"
		exit 0
	fi
	if [ ! -x "$XDPTCP_BIN" ] || [ ! -f "$BUILD/bpf/xdptcp.bpf.o" ]; then
		not_ok "lab setup" "$XDPTCP_BIN or the BPF objects are missing: run make all"
		exit 1
	fi
	local out
	if ! out=$(bash "$ROOT/scripts/lab.sh" up "$LAB" 2>&1); then
		not_ok "lab setup" "scripts/lab.sh up $LAB: $out"
		exit 1
	fi
	eval "$(bash "$ROOT/scripts/lab.sh" env "$LAB")"
}

# pin_dir: where this lab's server pins live
pin_dir() {
	echo "$XDPTCP_BPFFS/xdptcp/$(stat -L -c %i "/run/netns/$XDPTCP_SRV_NS")/$XDPTCP_SRV_DEV"
}

# xdp_mode NS DEV: "1 <id>" native, "2 <id>" skb, "0" none (iproute2 JSON)
xdp_mode() {
	ip -n "$1" -j link show dev "$2" | "$PY" -c '
import json, sys
x = json.load(sys.stdin)[0].get("xdp")
print("%d %d" % (x["mode"], x["prog"]["id"]) if x else "0")'
}

# stat_value NAME: one counter from `xdptcp stats --json`
stat_value() {
	xdptcp stats --dev "$XDPTCP_SRV_DEV" --json |
		"$PY" -c 'import json, sys; print(json.load(sys.stdin)["stats"][sys.argv[1]])' "$1"
}

# ---- `xdptcp serve` tests (tests/net/test_serve_*.sh) ----
# serve_lab_setup instead of lab_setup: the same lab, and a teardown that
# first stops `serve` (SIGTERM, SIGKILL after 5 s: a serve that hangs must
# not hang the test), then does everything _lab_teardown does. iptables rules,
# tc filters and qdiscs live in the lab's namespaces and go with them.

SERVE_PID=
SERVE_OUT=
SERVE_ERR=
SERVE_WHY=
_serve_n=0

serve_lab_setup() {
	lab_setup
	trap _serve_teardown EXIT
}

_serve_teardown() {
	local rc=$?
	if [ -n "$SERVE_PID" ] && ! _serve_gone; then
		kill -TERM "$SERVE_PID" 2>/dev/null
		_serve_wait_gone 50 || kill -KILL "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
	fi
	(exit "$rc")
	_lab_teardown
}

# _serve_gone: true once SERVE_PID has exited (a zombie still answers kill -0)
_serve_gone() {
	local st
	st=$(awk '{print $3}' "/proc/$SERVE_PID/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

_serve_wait_gone() { # TENTHS
	local i
	for ((i = 0; i < $1; i++)); do
		_serve_gone && return 0
		sleep 0.1
	done
	_serve_gone
}

# serve_start ARGS...: `xdptcp serve --dev <srv dev> ARGS...` in the server
# namespace, in the background; returns once it printed its ready line (one
# full line on stdout) within 10 s, else 1 with the reason in SERVE_WHY.
serve_start() {
	_serve_n=$((_serve_n + 1))
	SERVE_OUT=$TEST_TMP/serve.$_serve_n.out
	SERVE_ERR=$TEST_TMP/serve.$_serve_n.err
	# `ip netns exec` execs the command: $! is serve itself
	ip netns exec "$XDPTCP_SRV_NS" "$XDPTCP_BIN" serve --dev "$XDPTCP_SRV_DEV" "$@" \
		>"$SERVE_OUT" 2>"$SERVE_ERR" &
	SERVE_PID=$!
	local i rc
	for ((i = 0; i < 100; i++)); do
		if _serve_gone; then
			wait "$SERVE_PID"
			rc=$?
			SERVE_WHY="xdptcp serve $* exited with status $rc before its ready line; stderr: $(head -c 600 "$SERVE_ERR")"
			SERVE_PID=
			return 1
		fi
		# a complete line (newline-terminated) on stdout
		[ "$(head -n 1 "$SERVE_OUT" | wc -l)" -ge 1 ] && return 0
		sleep 0.1
	done
	SERVE_WHY="xdptcp serve $* printed no complete line on stdout within 10 s (stdout not flushed?); stdout: $(head -c 200 "$SERVE_OUT"); stderr: $(head -c 600 "$SERVE_ERR")"
	return 1
}

# serve_stop NAME: SIGTERM; serve must exit 0 within 5 s, detach XDP from the
# device and remove its pins; one TAP line
serve_stop() {
	local name=$1 rc why=
	if [ -z "$SERVE_PID" ]; then
		not_ok "$name" "serve is not running"
		return
	fi
	kill -TERM "$SERVE_PID" 2>/dev/null
	if ! _serve_wait_gone 50; then
		kill -KILL "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
		SERVE_PID=
		not_ok "$name" "serve did not exit within 5 s of SIGTERM (killed); stderr: $(tail -c 400 "$SERVE_ERR")"
		return
	fi
	wait "$SERVE_PID"
	rc=$?
	SERVE_PID=
	[ "$rc" -eq 0 ] || why="exit status $rc after SIGTERM; stderr: $(tail -c 400 "$SERVE_ERR")"
	[ "$(xdp_mode "$XDPTCP_SRV_NS" "$XDPTCP_SRV_DEV")" = 0 ] ||
		why="$why${why:+; }XDP still attached to $XDPTCP_SRV_DEV after SIGTERM"
	[ ! -e "$(pin_dir)" ] || why="$why${why:+; }pins left in $(pin_dir): $(ls "$(pin_dir)" | tr '\n' ' ')"
	if [ -z "$why" ]; then ok "$name"; else not_ok "$name" "$why"; fi
}

# serve_alive: true while serve runs
serve_alive() { [ -n "$SERVE_PID" ] && ! _serve_gone; }

# conns_norm: `xdptcp conns --json` as normalised JSON (tests/net/conns.py)
conns_norm() {
	xdptcp conns --dev "$XDPTCP_SRV_DEV" --json | "$PY" "$NET_DIR/conns.py"
}

# wait_until TENTHS CMD...: polls CMD every 0.1 s, true once it succeeds
wait_until() {
	local i n=$1
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# nstat_value NS COUNTER: absolute value of a kernel SNMP counter in namespace NS
nstat_value() {
	ip netns exec "$1" nstat -asz "$2" | awk -v c="$2" '$1 == c {print $2; f = 1} END {if (!f) print "?"}'
}

# stats_json: `xdptcp stats --json` counters as one flat JSON object
stats_json() {
	xdptcp stats --dev "$XDPTCP_SRV_DEV" --json |
		"$PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["stats"]))'
}

# wait_listen NS PORT: a kernel socket listens on PORT in NS within 5 s
wait_listen() {
	wait_until 50 eval "ip netns exec $1 ss -Hltn 'sport = :$2' | grep -q LISTEN"
}

# capture_start FILE FILTER: tcpdump on the client's device into FILE (-U:
# every packet written at once), started within 5 s; the pid is in
# CAPTURE_PID. Not through `cli`: a backgrounded function is a subshell, and
# its children ignore SIGINT.
CAPTURE_PID=
capture_start() {
	ip netns exec "$XDPTCP_CLI_NS" tcpdump -i "$XDPTCP_CLI_DEV" -n -U -s 128 -w "$1" "$2" 2>"$1.err" &
	CAPTURE_PID=$!
	_bg_pids+=($CAPTURE_PID)
	wait_until 50 grep -q 'listening on' "$1.err"
}

# capture_stop: ends the capture (SIGTERM; tcpdump flushes), at most 5 s
capture_stop() {
	[ -n "$CAPTURE_PID" ] || return 0
	kill -TERM "$CAPTURE_PID" 2>/dev/null
	wait_until 50 eval '! kill -0 $CAPTURE_PID 2>/dev/null || [ "$(awk "{print \$3}" /proc/$CAPTURE_PID/stat 2>/dev/null)" = Z ]'
	wait "$CAPTURE_PID" 2>/dev/null
	CAPTURE_PID=
}
