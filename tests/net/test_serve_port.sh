#!/usr/bin/env bash
# The served port's holding socket: `serve` on XDP starts on a port where an
# earlier `--stack kernel` run left kernel TIME-WAIT sockets (the server
# closed first), and while it serves, no kernel program can bind the port.
. "$(dirname "$0")/lib.sh"
serve_lab_setup

port=7007
url="http://$XDPTCP_SRV_IP:$port/"

if serve_start --port $port --app http --size 100 --stack kernel; then
	ok "serve --stack kernel is ready"
else
	not_ok "serve --stack kernel is ready" "$SERVE_WHY"
	exit 1
fi
# Connection: close: the server closes first, so the kernel keeps TIME-WAIT
for i in 1 2 3; do
	cli curl -s -o /dev/null -H 'Connection: close' --max-time 5 "$url"
done
serve_stop "serve --stack kernel stops on SIGTERM"
tw=$(srv ss -Htan state time-wait "( sport = :$port )" | wc -l)
if [ "$tw" -ge 1 ]; then
	ok "the kernel holds $tw TIME-WAIT socket(s) of port $port"
else
	not_ok "the kernel holds TIME-WAIT sockets of port $port" "ss shows none"
fi

if serve_start --port $port --app http --size 100 --msl-ms 1000; then
	ok "serve on XDP starts on the port despite the kernel's TIME-WAIT sockets"
else
	not_ok "serve on XDP starts on the port despite the kernel's TIME-WAIT sockets" "$SERVE_WHY"
	exit 1
fi
size=$(cli curl -s --max-time 5 "$url" | wc -c)
check "curl through XDP gets the 100-byte body (got $size)" [ "$size" -eq 100 ]
# `xdptcp stats` shows the control plane's counters next to XDP's
st=$(stats_json)
if "$PY" -c 'import json, sys; s = json.loads(sys.argv[1]); sys.exit(0 if s["rt_conns_opened"] >= 1 and s["rt_tx_frames"] >= 1 and s["slow_listen"] >= 1 else 1)' "$st"; then
	ok "stats shows rt_conns_opened, rt_tx_frames and slow_listen"
else
	not_ok "stats shows rt_conns_opened, rt_tx_frames and slow_listen" "stats: $st"
fi
# A new connection from the port of a connection in TIME-WAIT here (the
# server closed first): its SYN reopens (RFC 6191), and the handshake's ACK
# and the request reach serve instead of the old final ACK answering them.
stat_of() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$(stats_json)" "$1"; }
cli curl -s -o /dev/null -H 'Connection: close' --local-port 40000 --max-time 5 "$url"
reack0=$(stat_of tw_reack) reopen0=$(stat_of rt_tw_reopened)
size=$(cli curl -s -H 'Connection: close' --local-port 40000 --max-time 5 "$url" | wc -c)
reack1=$(stat_of tw_reack) reopen1=$(stat_of rt_tw_reopened)
check "a reused client port in TIME-WAIT gets the 100-byte body (got $size)" [ "$size" -eq 100 ]
if [ "$reopen1" -eq $((reopen0 + 1)) ] && [ "$reack1" -eq "$reack0" ]; then
	ok "the SYN reopened the TIME-WAIT flow, no stale final ACK sent"
else
	not_ok "the SYN reopened the TIME-WAIT flow, no stale final ACK sent" \
		"rt_tw_reopened $reopen0 -> $reopen1, tw_reack $reack0 -> $reack1"
fi
# After 2*MSL (2 s) the reaper has removed every entry it inserted, except
# those a new SYN reopened (removed at once)
reaped_all() {
	local st
	st=$(stats_json)
	"$PY" -c 'import json, sys; s = json.loads(sys.argv[1]); sys.exit(0 if s["rt_tw_inserted"] >= 2 and s["rt_tw_reaped"] == s["rt_tw_inserted"] - s["rt_tw_reopened"] else 1)' "$st"
}
if wait_until 60 reaped_all; then
	ok "TIME-WAIT entries reaped after 2*MSL ($(stats_json | tr -d ' ' | grep -o '"rt_tw_[a-z]*":[0-9]*' | tr '\n' ' '))"
else
	not_ok "TIME-WAIT entries reaped after 2*MSL" "$(stats_json | tr -d ' ' | grep -o '"rt_tw_[a-z]*":[0-9]*' | tr '\n' ' ')"
fi
# SO_REUSEADDR does not let another program in while serve holds the port
if srv /usr/bin/python3 -c "
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('', $port))
except OSError:
    sys.exit(0)
sys.exit(1)"; then
	ok "a kernel socket with SO_REUSEADDR cannot bind the served port"
else
	not_ok "a kernel socket with SO_REUSEADDR cannot bind the served port" "bind succeeded"
fi
serve_stop "serve on XDP stops on SIGTERM"
