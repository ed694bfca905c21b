#!/usr/bin/env bash
# user/xsk on two RX queues sharing one UMEM (root): xsk_echo reflects UDP
# on queues 0 and 1 of a two-queue veth; both queues must see frames (the
# client's TX queue, hence our RX queue, is chosen per socket at random, so
# 20 client sockets all landing on one queue has odds 2^-19), every frame
# must come back, and no frame may leak from either queue's pool.
# scripts/lab.sh makes one-queue veths (DESIGN.md), so this test builds its
# own pair of namespaces, always removed on exit. TAP output.
set -u
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
ECHO=$BUILD/tests/tools/xsk_echo
PING=$BUILD/tests/tools/xsk_udp_ping
S=xskmq-s$$ C=xskmq-c$$ SDEV=xmqs$$ CDEV=xmqc$$
SADDR=10.215.0.1 CADDR=10.215.0.2 UPORT=9000 FLOWS=20
TMP=$(mktemp -d /tmp/test_xsk_mq.XXXXXX)
tool_pid=

cleanup() {
	[ -n "$tool_pid" ] && kill "$tool_pid" 2>/dev/null && wait "$tool_pid" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	ip netns del "$C" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n=0 failed=0
tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
check() { local d=$1; shift; "$@"; tap $? "$d"; }

OBJ=$TMP/xsk_fallback.bpf.o
clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -Iinclude -Ibpf -I/usr/include/"$(gcc -dumpmachine)" \
	-c tests/net/test_xsk_fallback.bpf.c -o "$OBJ"
tap $? "stand-in redirect program built (tests/net/test_xsk_fallback.bpf.c)"

ip netns add "$S" && ip netns add "$C" &&
	ip link add "$SDEV" netns "$S" numtxqueues 2 numrxqueues 2 type veth \
		peer name "$CDEV" netns "$C" numtxqueues 2 numrxqueues 2 &&
	ip -n "$S" addr add $SADDR/24 dev "$SDEV" && ip -n "$C" addr add $CADDR/24 dev "$CDEV" &&
	ip -n "$S" link set "$SDEV" up && ip -n "$C" link set "$CDEV" up &&
	ip netns exec "$C" ethtool -K "$CDEV" tx off >/dev/null
tap $? "two namespaces joined by a two-queue veth pair"

ip netns exec "$S" "$ECHO" --ifname "$SDEV" --obj "$OBJ" --port $UPORT --mode reflect --quiet \
	--queues 2 --timeout-ms 3000 >"$TMP/refl" 2>&1 &
tool_pid=$!
for _ in $(seq 50); do grep -q '^ready' "$TMP/refl" && break; sleep 0.1; done
check "xsk_echo opened xsks on queues 0 and 1 of one UMEM" grep -q '^ready .*queues=2 ' "$TMP/refl"
if ! grep -q '^ready' "$TMP/refl"; then
	sed 's/^/# /' "$TMP/refl"
	echo "1..$n"
	exit 1
fi

lost=0
for _ in $(seq $FLOWS); do
	ip netns exec "$C" "$PING" --dst $SADDR --port $UPORT --count 10 >>"$TMP/ping" 2>&1 || lost=1
done
wait "$tool_pid"
tool_rc=$?
tool_pid=
sed 's/^/# /' "$TMP/refl"
check "all $FLOWS x 10 datagrams reflected" eval '[ $lost -eq 0 ] && [ $(grep -c "got=10 lost=0" "$TMP/ping") -eq $FLOWS ]'
check "xsk_echo exited cleanly" test $tool_rc -eq 0
check "queue 0 received and sent frames" grep -qE '^queue q=0 rx=[1-9][0-9]* meta=[1-9][0-9]* tx=[1-9]' "$TMP/refl"
check "queue 1 received and sent frames" grep -qE '^queue q=1 rx=[1-9][0-9]* meta=[1-9][0-9]* tx=[1-9]' "$TMP/refl"
total=$((FLOWS * 10))
check "$total frames in, $total out, $total completions" \
	grep -qE "^exit frames=$total .* rx=$total meta=$total tx=$total completions=$total " "$TMP/refl"
check "both pools clean at exit" \
	eval 'grep -qE "^pool .* app=0 tx=0 .* misuse=0 check=0$" "$TMP/refl" && grep -qx "closed leaked=0" "$TMP/refl"'

echo "1..$n"
exit $failed
