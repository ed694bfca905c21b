#!/usr/bin/env bash
# The built-in http app on the kernel-socket backend (`xdptcp serve --stack
# kernel`, user/kstack) over 127.0.0.1, no lab and no root needed: ready
# line, curl (status, body size, keep-alive reuse), `Connection: close`
# honoured (the server closes, so it holds the TIME-WAIT), a short wrk run
# without errors, a busy port refused, SIGINT ends it with status 0.
. "$(dirname "$0")/lib.sh"
trap _lab_teardown EXIT
trap 'exit 1' INT TERM
TEST_TMP=$(mktemp -d /tmp/xdptcp-kstack.XXXXXX)

if [ ! -x "$XDPTCP_BIN" ]; then
	not_ok "xdptcp built" "$XDPTCP_BIN is missing: run make all"
	exit 1
fi

# a port nobody listens on (other tests may run at the same time)
for _ in $(seq 50); do
	port=$((20000 + RANDOM % 20000))
	[ -z "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ] && break
done
size=1000
url=http://127.0.0.1:$port/
log=$TEST_TMP/serve.log

"$XDPTCP_BIN" serve --stack kernel --port $port --app http --size $size >"$log" 2>&1 &
pid=$!
_bg_pids+=($pid)
for _ in $(seq 50); do
	grep -q ready "$log" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if grep -q "http on \* port $port, kernel stack, ready" "$log"; then
	ok "serve --stack kernel --app http prints its ready line"
else
	not_ok "serve --stack kernel --app http prints its ready line" "$(cat "$log")"
	exit 1
fi

out=$(curl -sS --max-time 5 -D "$TEST_TMP/hdr" -o "$TEST_TMP/body" -w '%{http_code} %{size_download}' "$url" 2>&1)
if [ "$out" = "200 $size" ] && grep -qi "^content-length: $size" "$TEST_TMP/hdr"; then
	ok "curl 127.0.0.1: HTTP 200 with a $size-byte body and its Content-Length"
else
	not_ok "curl 127.0.0.1: HTTP 200 with a $size-byte body" "curl: $out; headers: $(cat "$TEST_TMP/hdr" 2>/dev/null)"
fi

# two requests, one connection (HTTP/1.1 keep-alive): curl reports the
# connections it opened per transfer
out=$(curl -sS --max-time 5 -o /dev/null -o /dev/null -w '%{http_code}:%{num_connects} ' "$url" "$url" 2>&1)
if [ "$out" = "200:1 200:0 " ]; then
	ok "keep-alive: the second request reuses the connection"
else
	not_ok "keep-alive: the second request reuses the connection" "curl: $out"
fi

# Connection: close -> the server closes after the response: reading to EOF
# finishes at once, and the server side holds the TIME-WAIT
if out=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port
	printf 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&3
	cat <&3" 2>&1) && grep -q '^HTTP/1.1 200' <<<"$out"; then
	ok "Connection: close: response, then the server closes"
else
	not_ok "Connection: close: response, then the server closes" "exit $?: $out"
fi
tw=$(ss -Htan state time-wait "( sport = :$port )" | wc -l)
if [ "$tw" -ge 1 ]; then
	ok "the server side holds the TIME-WAIT ($tw sockets on port $port)"
else
	not_ok "the server side holds the TIME-WAIT" "ss shows $tw TIME-WAIT sockets with sport $port"
fi

out=$(wrk -t1 -c8 -d1s "$url" 2>&1)
reqs=$(awk '/requests in/ {print $1}' <<<"$out")
if [ -n "$reqs" ] && [ "$reqs" -gt 100 ] && ! grep -qE 'Socket errors|Non-2xx' <<<"$out"; then
	ok "wrk keep-alive, 8 connections, 1 s: $reqs requests, no errors"
else
	not_ok "wrk keep-alive, 8 connections, 1 s, no errors" "$out"
fi

out=$("$XDPTCP_BIN" serve --stack kernel --port $port --app http 2>&1)
rc=$?
if [ $rc -eq 4 ] && grep -q busy <<<"$out"; then
	ok "a second serve on the same port: exit 4, port busy"
else
	not_ok "a second serve on the same port: exit 4, port busy" "exit $rc: $out"
fi

kill -INT $pid
for _ in $(seq 50); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
wait $pid
rc=$?
if [ $rc -eq 0 ]; then
	ok "SIGINT: serve exits with status 0"
else
	not_ok "SIGINT: serve exits with status 0" "exit $rc; $(cat "$log")"
fi
