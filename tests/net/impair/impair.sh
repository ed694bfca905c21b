# shellcheck shell=bash
# Loss, duplication and reordering of one TCP port's traffic, both ways, all
# applied in the client namespace of a lab (this kernel has no sch_netem):
#
#   client -> server: iptables OUTPUT (reordering: statistic NFQUEUE to
#                     reorder.py), then tc egress: dup.bpf.c, loss.bpf.c
#   server -> client: tc ingress: dup.bpf.c, then iptables INPUT (loss:
#                     statistic DROP; reordering: statistic NFQUEUE)
#
# Loss on the way out is not an iptables DROP in OUTPUT: that is reported
# back to the sending socket, and kernel TCP sends the segment again at once
# (a delay, not a loss: 17 such drops, 0 client retransmissions, once).
# The server's side cannot carry them: AF_XDP and XDP_TX frames bypass its
# qdisc, tc and netfilter. Source it after tests/net/lib.sh; everything it
# installs lives in the lab's client namespace and goes with it. GSO and GRO
# are turned off on the client's device so that each impairment hits one
# segment, not a 64 KB aggregate (and TCP's GSO limited to one segment).
#
#   impair_init PORT       chains, clsact qdisc, the BPF objects (clang), with
#                          IMPAIR_DUP_PER_MILLE and IMPAIR_LOSS_PER_MILLE
#                          (default 10) compiled in
#   impair_loss on|off     egress: loss.bpf.c; ingress: iptables statistic
#                          DROP with probability IMPAIR_LOSS_PER_MILLE/1000
#   impair_dup on|off
#   impair_reorder on|off PROB HOLD_MS
#   impair_counters        JSON: loss_out/in (dropped), dup_out/in (copies),
#                          reorder_out/in (held), dup_fail
IMPAIR_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMPAIR_PORT=
IMPAIR_REORDER_PID=
IMPAIR_Q_OUT=11
IMPAIR_Q_IN=12
IMPAIR_DUP_PER_MILLE=${IMPAIR_DUP_PER_MILLE:-10}
IMPAIR_LOSS_PER_MILLE=${IMPAIR_LOSS_PER_MILLE:-10}

_ipt() { ip netns exec "$XDPTCP_CLI_NS" iptables -w 5 "$@"; }
_tc() { ip netns exec "$XDPTCP_CLI_NS" tc "$@"; }

impair_init() { # PORT
	IMPAIR_PORT=$1
	local dir=$TEST_TMP/impair d
	mkdir -p "$dir" || return 1
	local cc=(clang -O2 -g -Wall -target bpf -I"/usr/include/$(gcc -dumpmachine)" -DPORT="$IMPAIR_PORT")
	"${cc[@]}" -DPER_MILLE="$IMPAIR_DUP_PER_MILLE" -c "$IMPAIR_DIR/dup.bpf.c" -o "$dir/dup-egress.o" &&
		"${cc[@]}" -DPER_MILLE="$IMPAIR_DUP_PER_MILLE" -DINGRESS -c "$IMPAIR_DIR/dup.bpf.c" -o "$dir/dup-ingress.o" &&
		"${cc[@]}" -DPER_MILLE="$IMPAIR_LOSS_PER_MILLE" -c "$IMPAIR_DIR/loss.bpf.c" -o "$dir/loss-egress.o" || return 1
	# TCP always builds GSO super-packets (software-segmented after tc and
	# netfilter): gso_max_segs 1 makes it build single segments
	ip netns exec "$XDPTCP_CLI_NS" ethtool -K "$XDPTCP_CLI_DEV" gso off gro off >/dev/null &&
		ip -n "$XDPTCP_CLI_NS" link set dev "$XDPTCP_CLI_DEV" gso_max_segs 1 || return 1
	_ipt -N IMPAIR_OUT && _ipt -N IMPAIR_IN &&
		_ipt -A OUTPUT -p tcp --dport "$IMPAIR_PORT" -j IMPAIR_OUT &&
		_ipt -A INPUT -p tcp --sport "$IMPAIR_PORT" -j IMPAIR_IN &&
		_tc qdisc add dev "$XDPTCP_CLI_DEV" clsact
}

impair_loss() { # on|off
	local prob
	prob=$(printf '0.%03d' "$IMPAIR_LOSS_PER_MILLE")
	if [ "$1" = on ]; then
		_tc filter add dev "$XDPTCP_CLI_DEV" egress pref 20 bpf da obj "$TEST_TMP/impair/loss-egress.o" sec tc &&
			_ipt -A IMPAIR_IN -m statistic --mode random --probability "$prob" -j DROP
	else
		_tc filter del dev "$XDPTCP_CLI_DEV" egress pref 20 &&
			_ipt -D IMPAIR_IN -m statistic --mode random --probability "$prob" -j DROP
	fi
}

impair_dup() { # on|off
	local d
	for d in egress ingress; do
		if [ "$1" = on ]; then
			_tc filter add dev "$XDPTCP_CLI_DEV" $d pref 10 bpf da obj "$TEST_TMP/impair/dup-$d.o" sec tc || return 1
		else
			_tc filter del dev "$XDPTCP_CLI_DEV" $d pref 10 || return 1
		fi
	done
}

impair_reorder() { # on|off PROB HOLD_MS
	local op=-A i
	if [ "$1" = on ] && [ -z "$IMPAIR_REORDER_PID" ]; then
		rm -f "$TEST_TMP/impair/reorder.json"
		ip netns exec "$XDPTCP_CLI_NS" "$PY" "$IMPAIR_DIR/reorder.py" --queue $IMPAIR_Q_OUT --queue $IMPAIR_Q_IN \
			--hold-ms "$3" --stats "$TEST_TMP/impair/reorder.json" >/dev/null 2>"$TEST_TMP/impair/reorder.err" &
		IMPAIR_REORDER_PID=$!
		_bg_pids+=($!)
		for ((i = 0; i < 50; i++)); do
			[ -s "$TEST_TMP/impair/reorder.json" ] && break
			kill -0 $IMPAIR_REORDER_PID 2>/dev/null || break
			sleep 0.1
		done
		if [ ! -s "$TEST_TMP/impair/reorder.json" ]; then
			echo "reorder.py did not bind its queues: $(cat "$TEST_TMP/impair/reorder.err")" >&2
			return 1
		fi
	fi
	[ "$1" = off ] && op=-D
	_ipt $op IMPAIR_OUT -m statistic --mode random --probability "$2" -j NFQUEUE --queue-num $IMPAIR_Q_OUT &&
		_ipt $op IMPAIR_IN -m statistic --mode random --probability "$2" -j NFQUEUE --queue-num $IMPAIR_Q_IN
}

# _rule_pkts CHAIN TARGET: packet counter of CHAIN's rule jumping to TARGET (0 if none)
_rule_pkts() {
	_ipt -L "$1" -v -x -n | awk -v t="$2" '$3 == t {n += $1} END {print n + 0}'
}

# _prog_stat HOOK PREF INDEX: an impair_stats counter of the BPF filter at
# HOOK/PREF (0 when there is none)
_prog_stat() {
	local id map
	id=$(_tc -j filter show dev "$XDPTCP_CLI_DEV" "$1" | "$PY" -c '
import json, sys
for f in json.load(sys.stdin):
    p = f.get("options", {}).get("prog", {})
    if f.get("pref") == int(sys.argv[1]) and "id" in p:
        print(p["id"]); break' "$2")
	[ -n "$id" ] || {
		echo 0
		return
	}
	map=$(bpftool -j prog show id "$id" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["map_ids"][0])')
	bpftool -j map lookup id "$map" key "$3" 0 0 0 | "$PY" -c '
import json, sys
v = json.load(sys.stdin)
v = v.get("formatted", v)["value"]
print(v if isinstance(v, int) else int.from_bytes(bytes(int(b, 16) for b in v), "little"))'
}

impair_counters() {
	local held_out=0 held_in=0
	if [ -s "$TEST_TMP/impair/reorder.json" ]; then
		read -r held_out held_in < <("$PY" -c '
import json, sys
h = json.load(open(sys.argv[1]))["held"]
print(h.get(sys.argv[2], 0), h.get(sys.argv[3], 0))' "$TEST_TMP/impair/reorder.json" $IMPAIR_Q_OUT $IMPAIR_Q_IN)
	fi
	printf '{"loss_out": %d, "loss_in": %d, "dup_out": %d, "dup_in": %d, "dup_fail": %d, "reorder_out": %d, "reorder_in": %d}\n' \
		"$(_prog_stat egress 20 1)" "$(_rule_pkts IMPAIR_IN DROP)" \
		"$(_prog_stat egress 10 1)" "$(_prog_stat ingress 10 1)" \
		$(($(_prog_stat egress 10 2) + $(_prog_stat ingress 10 2))) "$held_out" "$held_in"
}
