#!/usr/bin/env bash
# `xdptcp serve --app echo` with nc (kernel TCP) as the client: 20 MB of
# random data comes back with the same sha256, and the transfer ran through
# the fast path: `xdptcp stats` fast_ack + fast_data well above slow; the
# same for a 20 MB upload to `discard`.
. "$(dirname "$0")/lib.sh"
serve_lab_setup

port=7007 mb=20
# fast frames per slow one. A relay through userspace gives 0. Discard:
# 81..3658 measured. Echo: 1.7..3315 before flows were handed over as
# arming and rcv_adv published before every TX flush (slow_seq hand-backs);
# 2.4..1142 since, slow_seq 0: the low runs are nc's receive window closing
# (rt_slow_snd_wnd in the hundreds: the flow stays slow while the engine
# waits for the window). Echo asks only that fast frames outnumber slow ones.
echo_min=1 discard_min=5
tmp=$TEST_TMP

if serve_start --port $port --app echo; then
	ok "serve --app echo is ready: $(head -n 1 "$SERVE_OUT")"
else
	not_ok "serve --app echo is ready" "$SERVE_WHY"
	exit 1
fi

head -c $((mb * 1048576)) /dev/urandom >"$tmp/sent"
sent=$(sha256sum <"$tmp/sent" | cut -d' ' -f1)
s0=$(stats_json)
t0=$(date +%s%N)
# -N: shut down our sending side at EOF; nc exits when echo closes
out=$(cli timeout 60 nc -N "$XDPTCP_SRV_IP" $port <"$tmp/sent" 2>&1 >"$tmp/received")
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
s1=$(stats_json)
got=$(sha256sum <"$tmp/received" | cut -d' ' -f1)
n=$(stat -c %s "$tmp/received")
if [ $rc -eq 0 ] && [ "$got" = "$sent" ]; then
	ok "$mb MB through echo, same sha256 back ($ms ms, $((mb * 2 * 8000 / (ms + 1))) Mbit/s both ways)"
else
	why="nc exit $rc after $ms ms${out:+ ($out)}; got $n of $((mb * 1048576)) bytes back"
	[ $rc -eq 124 ] && why="$why; timed out after 60 s"
	[ "$n" -eq $((mb * 1048576)) ] && why="$why; same length but sha256 differs ($got vs $sent): data corrupted or reordered"
	not_ok "$mb MB through echo, same sha256 back" "$why"
fi

# fast_ratio NAME S0 S1 MIN: (fast_ack + fast_data) / slow between two
# stats snapshots must reach MIN; printed as a TAP comment either way
fast_ratio() {
	local r min_ratio=$4
	r=$("$PY" - "$2" "$3" "$min_ratio" <<'PY'
import json, sys
a, b, want = json.loads(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3])
d = {k: b[k] - a.get(k, 0) for k in b}
fast = d["fast_ack"] + d["fast_data"]
slow = d["slow"]
r = fast / slow if slow else float("inf")
reasons = ", ".join("%s %d" % (k, v) for k, v in sorted(d.items())
                    if k.startswith("slow_") and v)
print("%s fast/slow = %.1f (fast_ack %d + fast_data %d = %d vs slow %d; %s; tx %d)"
      % ("ok" if fast > 0 and r >= want else "bad", r, d["fast_ack"],
         d["fast_data"], fast, slow, reasons or "no slow reasons", d["tx"]))
PY
)
	echo "# $1: ${r#* }"
	if [ "${r%% *}" = ok ]; then
		ok "$1: fast path carried the transfer, ${r#ok }"
	else
		not_ok "$1: fast path carried the transfer (fast_ack + fast_data >= $min_ratio x slow)" "${r#bad }"
	fi
}
fast_ratio "echo $mb MB" "$s0" "$s1" "$echo_min"

# a one-way bulk upload: the case the fast path is for
serve_stop "serve (echo) exits 0 on SIGTERM, detaches and removes its pins"
if serve_start --port $port --app discard; then
	ok "serve --app discard is ready: $(head -n 1 "$SERVE_OUT")"
	s0=$(stats_json)
	t0=$(date +%s%N)
	out=$(cli timeout 60 nc -N "$XDPTCP_SRV_IP" $port <"$tmp/sent" 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	s1=$(stats_json)
	got=$("$PY" -c 'import json, sys; a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2]); print(b["fast_data_bytes"] - a["fast_data_bytes"])' "$s0" "$s1")
	if [ $rc -eq 0 ]; then
		ok "$mb MB upload to discard ($ms ms, $((mb * 8000 / (ms + 1))) Mbit/s; fast_data_bytes +$got)"
	else
		not_ok "$mb MB upload to discard" "nc exit $rc after $ms ms: $out"
	fi
	fast_ratio "discard $mb MB" "$s0" "$s1" "$discard_min"
else
	not_ok "serve --app discard is ready" "$SERVE_WHY"
	exit 1
fi

if serve_alive; then ok "serve still running"; else not_ok "serve still running" "serve exited; stderr: $(tail -c 600 "$SERVE_ERR")"; fi
serve_stop "serve (discard) exits 0 on SIGTERM, detaches and removes its pins"
exit 0
