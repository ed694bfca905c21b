#!/usr/bin/env bash
# `xdptcp conns` from another process while `xdptcp serve` runs, with a real
# client: a keep-alive HTTP connection is listed as ESTABLISHED with its
# 4-tuple; after a `Connection: close` request on it the server closes
# first, so the flow becomes a TIME-WAIT entry with at most 2*MSL left; once
# 2*MSL has passed it is no longer listed.
. "$(dirname "$0")/lib.sh"
lab_setup

dev=$XDPTCP_SRV_DEV port=8080 msl=2000
log=$TEST_TMP/serve.log
bg "$XDPTCP_SRV_NS" "$XDPTCP_BIN" serve --dev "$dev" --port $port --app http --size 16 \
	--msl-ms $msl >"$log" 2>&1
for _ in $(seq 100); do
	grep -q ready "$log" && break
	sleep 0.1
done
if grep -q ready "$log"; then
	ok "serve --app http is ready"
else
	not_ok "serve --app http is ready" "$(cat "$log")"
	exit 1
fi

# The client: one keep-alive request, print the local port, wait for a line
# on stdin, then a Connection: close request and read to the end.
client='
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
def exchange(req):
    s.sendall(req)
    data = b""
    while True:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                 if l.lower().startswith(b"content-length:")][0]
            if len(body) >= n:
                return data
        chunk = s.recv(4096)
        if not chunk:
            return data
        data += chunk
r = exchange(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
print(s.getsockname()[1], r.split(b"\r\n")[0].decode(), flush=True)
sys.stdin.readline()
exchange(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
print("eof" if s.recv(4096) == b"" else "no-eof", flush=True)
'
fifo=$TEST_TMP/go
mkfifo "$fifo"
exec 7<>"$fifo" # a writer first, so the client's read end never blocks the open
# not bg(): a background command without its own redirection reads /dev/null
ip netns exec "$XDPTCP_CLI_NS" "$PY" -c "$client" "$XDPTCP_SRV_IP" $port <"$fifo" >"$TEST_TMP/client.out" 2>&1 &
_bg_pids+=($!)
for _ in $(seq 50); do
	[ -s "$TEST_TMP/client.out" ] && break
	sleep 0.1
done
read -r cport status _ <"$TEST_TMP/client.out"
if [ -n "$cport" ] && [ "$status" = "HTTP/1.1" ]; then
	ok "keep-alive client got its response (client port $cport)"
else
	not_ok "keep-alive client got its response" "$(cat "$TEST_TMP/client.out")"
	exit 1
fi

conn() { # PYTHON-EXPR over c (the connection with the client's port, or None)
	local json=$1
	shift
	"$PY" -c '
import json, sys
j = json.loads(sys.argv[1])
m = [x for x in j["connections"] if x["remote_port"] == int(sys.argv[2])]
c = m[0] if len(m) == 1 else None
print(eval(sys.argv[3]))' "$json" "$cport" "$1"
}

json=$(xdptcp conns --dev "$dev" --json 2>&1)
if [ "$(conn "$json" "c is not None and c['state'] == 'ESTABLISHED' and not c['timewait'] and c['local_addr'] == '$XDPTCP_SRV_IP' and c['local_port'] == $port and c['remote_addr'] == '$XDPTCP_CLI_IP'")" = True ]; then
	ok "conns: the open connection is ESTABLISHED with its 4-tuple (fast: $(conn "$json" "c['fast']"))"
else
	not_ok "conns: the open connection is ESTABLISHED with its 4-tuple" "$json"
fi
text=$(xdptcp conns --dev "$dev" 2>&1)
if grep -qE "^$XDPTCP_SRV_IP:$port +$XDPTCP_CLI_IP:$cport +ESTABLISHED " <<<"$text"; then
	ok "conns (text): the same connection"
else
	not_ok "conns (text): the same connection" "$text"
fi

echo go >&7
for _ in $(seq 50); do
	[ "$(wc -l <"$TEST_TMP/client.out")" -ge 2 ] && break
	sleep 0.1
done
if [ "$(sed -n 2p "$TEST_TMP/client.out")" = eof ]; then
	ok "Connection: close: the server closed after its response"
else
	not_ok "Connection: close: the server closed after its response" "$(cat "$TEST_TMP/client.out")"
fi
sleep 0.2 # the final ACK of the server's FIN
json=$(xdptcp conns --dev "$dev" --json 2>&1)
left=$(conn "$json" "c['ms_left'] if c and c['timewait'] and c['state'] == 'TIME-WAIT' else ''")
if [ -n "$left" ] && [ "$left" -gt 0 ] && [ "$left" -le $((2 * msl)) ]; then
	ok "conns: the connection is now TIME-WAIT with $left ms left (2*MSL = $((2 * msl)) ms)"
else
	not_ok "conns: the connection is now TIME-WAIT with 0 < ms left <= 2*MSL" "$json"
fi

sleep "$(awk -v l="${left:-0}" 'BEGIN { printf "%.1f", l / 1000 + 0.5 }')"
json=$(xdptcp conns --dev "$dev" --json 2>&1)
if [ "$(conn "$json" "c is None")" = True ]; then
	ok "conns: not listed once 2*MSL has passed"
else
	not_ok "conns: not listed once 2*MSL has passed" "$json"
fi
exec 7>&-
