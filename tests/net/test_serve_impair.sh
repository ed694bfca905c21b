#!/usr/bin/env bash
# 20 MB through `xdptcp serve --app echo` with 1% loss, 1% duplication and
# some reordering (1% of segments held 2 ms) each way (tests/net/impair/:
# tc-BPF loss and duplication, iptables loss and NFQUEUE reordering).
# First, with a kernel TCP peer on the same port and each impairment alone,
# the receiving kernel must see it (loss: the sender retransmits; dup: the
# receiver counts old data, TcpExtDelayedACKLost; reorder: TcpExtTCPOFOQueue),
# so the xdptcp run below cannot pass for want of impairment.
. "$(dirname "$0")/lib.sh"
. "$NET_DIR/impair/impair.sh"
serve_lab_setup

port=7007 mb=20 tmp=$TEST_TMP
loss=0.01 dup_pm=10 reorder=0.01 hold_ms=2

if impair_init $port 2>"$tmp/init.err"; then
	ok "impairment tooling set up on $XDPTCP_CLI_DEV (port $port)"
else
	not_ok "impairment tooling set up" "$(cat "$tmp/init.err")"
	exit 1
fi

# kernel_xfer: 2 MB client -> server, then 2 MB server -> client, between
# kernel sockets on $port (impair/kpeer.py on the server side: it never
# closes first); prints "OK" or why not
kernel_xfer() {
	local p
	head -c 2097152 /dev/urandom >"$tmp/k_sent"
	ip netns exec "$XDPTCP_SRV_NS" timeout 20 "$PY" "$NET_DIR/impair/kpeer.py" recv "$XDPTCP_SRV_IP" $port "$tmp/k_got" &
	p=$!
	wait_listen "$XDPTCP_SRV_NS" $port || {
		echo "kpeer.py did not listen"
		return
	}
	cli timeout 20 nc -N "$XDPTCP_SRV_IP" $port <"$tmp/k_sent" >/dev/null
	wait $p
	cmp -s "$tmp/k_sent" "$tmp/k_got" || {
		echo "client -> server data differs"
		return
	}
	ip netns exec "$XDPTCP_SRV_NS" timeout 20 "$PY" "$NET_DIR/impair/kpeer.py" send "$XDPTCP_SRV_IP" $port "$tmp/k_sent" &
	p=$!
	wait_listen "$XDPTCP_SRV_NS" $port || {
		echo "kpeer.py did not listen"
		return
	}
	cli timeout 20 "$PY" "$NET_DIR/impair/kpeer.py" fetch "$XDPTCP_SRV_IP" $port 2097152 >"$tmp/k_got"
	wait $p
	cmp -s "$tmp/k_sent" "$tmp/k_got" || {
		echo "server -> client data differs"
		return
	}
	echo OK
}

# precheck NAME SRV_COUNTER CLI_COUNTER ON-CMD OFF-CMD: with only this
# impairment on, both kernels' counters must move (SRV_COUNTER in the server
# namespace: what client -> server traffic suffered, CLI_COUNTER in the client's)
precheck() {
	local name=$1 sc=$2 cc=$3 s0 c0 s1 c1 res
	s0=$(nstat_value "$XDPTCP_SRV_NS" "$sc") c0=$(nstat_value "$XDPTCP_CLI_NS" "$cc")
	# not in $(...): impair_reorder starts a background process
	if ! eval "$4" >"$tmp/on.err" 2>&1; then
		not_ok "$name with a kernel peer" "cannot turn it on: $(cat "$tmp/on.err")"
		return
	fi
	res=$(kernel_xfer)
	s1=$(nstat_value "$XDPTCP_SRV_NS" "$sc") c1=$(nstat_value "$XDPTCP_CLI_NS" "$cc")
	local cnt
	cnt=$(impair_counters)
	eval "$5" || not_ok "$name: turn it off" "failed"
	if [ "$res" = OK ] && [ "$s1" -gt "$s0" ] && [ "$c1" -gt "$c0" ]; then
		ok "$name seen by a kernel peer both ways: server $sc +$((s1 - s0)), client $cc +$((c1 - c0))"
		echo "# tooling counters so far: $cnt"
	else
		not_ok "$name seen by a kernel peer both ways" \
			"transfer: $res; server $sc $s0 -> $s1, client $cc $c0 -> $c1; tooling counters $cnt"
	fi
}

# The sender retransmits what was dropped: server's TcpRetransSegs counts
# its own retransmissions (server -> client losses) and vice versa.
precheck "loss $loss" TcpRetransSegs TcpRetransSegs "impair_loss on" "impair_loss off"
precheck "duplication ${dup_pm}/1000" TcpExtDelayedACKLost TcpExtDelayedACKLost "impair_dup on" "impair_dup off"
precheck "reordering $reorder held ${hold_ms} ms" TcpExtTCPOFOQueue TcpExtTCPOFOQueue \
	"impair_reorder on $reorder $hold_ms" "impair_reorder off $reorder"

tw=$(srv ss -Htan state time-wait "sport = :$port" | wc -l)
[ "$tw" -eq 0 ] || not_ok "no kernel TIME-WAIT on port $port before serve" "$tw sockets: $(srv ss -Htan state time-wait "sport = :$port")"
if serve_start --port $port --app echo; then
	ok "serve --app echo is ready: $(head -n 1 "$SERVE_OUT")"
else
	not_ok "serve --app echo is ready" "$SERVE_WHY"
	exit 1
fi

if ! { impair_loss on && impair_dup on && impair_reorder on $reorder $hold_ms; } >"$tmp/on.err" 2>&1; then
	not_ok "all impairments on" "$(cat "$tmp/on.err")"
	exit 1
fi
before=$(impair_counters)
s0=$(stats_json)
head -c $((mb * 1048576)) /dev/urandom >"$tmp/sent"
t0=$(date +%s%N)
out=$(cli timeout 150 nc -N "$XDPTCP_SRV_IP" $port <"$tmp/sent" 2>&1 >"$tmp/received")
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
after=$(impair_counters)
s1=$(stats_json)
n=$(stat -c %s "$tmp/received")
if [ $rc -eq 0 ] && cmp -s "$tmp/sent" "$tmp/received"; then
	ok "$mb MB through echo with loss, duplication and reordering each way: same sha256 back ($ms ms)"
else
	why="nc exit $rc after $ms ms${out:+ ($out)}; got $n of $((mb * 1048576)) bytes back"
	[ $rc -eq 124 ] && why="$why; timed out after 150 s"
	[ "$n" -gt 0 ] && why="$why; first difference: $(cmp "$tmp/sent" "$tmp/received" 2>&1 | head -1)"
	not_ok "$mb MB through echo with loss, duplication and reordering each way" "$why"
fi

# the impairments really hit this run, in both directions
delta=$("$PY" -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
d = {k: b[k] - a[k] for k in b}
bad = [k for k in ("loss_out", "loss_in", "dup_out", "dup_in", "reorder_out", "reorder_in") if d[k] <= 0]
print(("bad " if bad or d["dup_fail"] else "ok ") + json.dumps(d) + (" (nothing for %s)" % ", ".join(bad) if bad else ""))' \
	"$before" "$after")
if [ "${delta%% *}" = ok ]; then
	ok "the run was impaired both ways: ${delta#ok }"
else
	not_ok "the run was impaired both ways" "${delta#bad }"
fi
echo "# xdptcp stats over the run: $("$PY" -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(", ".join("%s %d" % (k, b[k] - a.get(k, 0)) for k in sorted(b) if b[k] != a.get(k, 0)))' "$s0" "$s1" 2>&1)"

impair_reorder off $reorder >/dev/null 2>&1
if serve_alive; then ok "serve still running"; else not_ok "serve still running" "serve exited; stderr: $(tail -c 600 "$SERVE_ERR")"; fi
serve_stop "serve exits 0 on SIGTERM, detaches and removes its pins"
exit 0
