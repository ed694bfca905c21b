#!/usr/bin/env bash
# `serve` killed with SIGKILL in the middle of a transfer: its XDP program
# stays (pinned link) and drops what no socket takes, so nothing at all goes
# back to the client for that flow while the client keeps retransmitting —
# no kernel RST (TcpOutRsts flat), no frame on the client-side capture. Then
# a new `serve` on the same device resets the stale connection (DESIGN.md:
# "resets established connections with an RST rather than leaving peers
# hanging") and exits cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"
serve_lab_setup

port=9009
tmp=$TEST_TMP

if serve_start --port $port --app discard; then
	ok "serve --app discard is ready: $(head -n 1 "$SERVE_OUT")"
else
	not_ok "serve --app discard is ready" "$SERVE_WHY"
	exit 1
fi

capture_start "$tmp/cap.pcap" "tcp and host $XDPTCP_SRV_IP and port $port" ||
	not_ok "tcpdump started on $XDPTCP_CLI_DEV" "$(cat "$tmp/cap.pcap.err")"

# an endless upload, bounded by timeout (the redirection inside: bash gives
# a background command /dev/null as stdin)
bg "$XDPTCP_CLI_NS" sh -c "exec timeout 30 nc $XDPTCP_SRV_IP $port </dev/zero"
nc_pid=${_bg_pids[-1]}
acked() { # bytes of the upload the server acknowledged (client's ss)
	cli ss -Hti "dst $XDPTCP_SRV_IP:$port" | grep -o 'bytes_acked:[0-9]*' | head -1 | cut -d: -f2
}
flowing() { [ "$(acked)" -gt 4000000 ] 2>/dev/null; }
if wait_until 100 flowing; then
	ok "upload flowing ($(acked) bytes acknowledged by serve)"
else
	not_ok "upload flowing" "serve acknowledged $(acked) bytes after 10 s, want > 4000000"
fi

rsts0=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)
t_kill=$(date +%s.%N)
{
	kill -KILL "$SERVE_PID"
	_serve_wait_gone 50
	wait "$SERVE_PID"
} 2>/dev/null # not bash's "Killed" notice
SERVE_PID=
sleep 3
rsts1=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)

if [ "$(xdp_mode "$XDPTCP_SRV_NS" "$XDPTCP_SRV_DEV" | cut -d' ' -f1)" = 1 ]; then
	ok "XDP program still attached after SIGKILL (pinned link)"
else
	not_ok "XDP program still attached after SIGKILL (pinned link)" "xdp mode: $(xdp_mode "$XDPTCP_SRV_NS" "$XDPTCP_SRV_DEV")"
fi
if [ "$rsts1" = "$rsts0" ]; then
	ok "no kernel RST in the 3 s after SIGKILL (TcpOutRsts $rsts0 -> $rsts1)"
else
	not_ok "no kernel RST in the 3 s after SIGKILL" "TcpOutRsts $rsts0 -> $rsts1"
fi

# frames of the flow after the kill (100 ms grace for what was in flight)
pcap_after() { # FILTER: lines of the capture after t_kill + 0.1 s
	tcpdump -n -tt -r "$tmp/cap.pcap" "$1" 2>/dev/null | awk -v t="$t_kill" '$1 > t + 0.1'
}
t_restart=$(date +%s.%N)
sleep 0.3
from_cli=$(pcap_after "src host $XDPTCP_CLI_IP" | awk -v t="$t_restart" '$1 < t' | wc -l)
from_srv=$(pcap_after "src host $XDPTCP_SRV_IP" | awk -v t="$t_restart" '$1 < t')
if [ "$from_cli" -lt 1 ]; then
	not_ok "nothing from the server for the flow after SIGKILL" \
		"the client sent nothing after the kill either ($from_cli frames): nothing to judge"
elif [ -n "$from_srv" ]; then
	not_ok "nothing from the server for the flow after SIGKILL" \
		"$(wc -l <<<"$from_srv") frames from the server after the kill, e.g.: $(head -3 <<<"$from_srv")"
else
	ok "nothing from the server for the flow after SIGKILL ($from_cli client retransmissions/frames went unanswered)"
fi

# a new serve takes over: the stale connection gets an RST
if serve_start --port $port --app discard; then
	ok "a new serve starts over the crashed one's pins: $(head -n 1 "$SERVE_OUT")"
	reset() {
		[ -n "$(tcpdump -n -tt -r "$tmp/cap.pcap" "src host $XDPTCP_SRV_IP and tcp[tcpflags] & tcp-rst != 0" 2>/dev/null |
			awk -v t="$t_restart" '$1 > t')" ]
	}
	if wait_until 50 reset; then
		ok "the new serve resets the stale connection (RST on the client side)"
	else
		not_ok "the new serve resets the stale connection" \
			"no RST from $XDPTCP_SRV_IP:$port within 5 s of the new serve's ready line; client still sending: $(kill -0 "$nc_pid" 2>/dev/null && echo yes || echo no)"
	fi
	if wait_until 50 eval '! kill -0 $nc_pid 2>/dev/null'; then
		ok "the client's nc ended"
	else
		not_ok "the client's nc ended" "nc still runs 5 s after the new serve came up"
	fi
	check "the new serve serves: 1 MB upload to discard" \
		eval "head -c 1048576 /dev/urandom | ip netns exec $XDPTCP_CLI_NS timeout 10 nc -N $XDPTCP_SRV_IP $port"
	serve_stop "the new serve exits 0 on SIGTERM, detaches and removes its pins"
else
	not_ok "a new serve starts over the crashed one's pins" "$SERVE_WHY"
fi
exit 0
