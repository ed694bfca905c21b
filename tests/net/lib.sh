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
