#!/usr/bin/env bash
# `xdptcp serve --app http` against kernel TCP clients: curl fetches, wrk
# keep-alive without errors, 2,000 sequential `Connection: close` requests.
# The server closes first on Connection: close, so each of those connections
# must end in TIME-WAIT on the server (`xdptcp conns`) and vanish after 2*MSL
# (RFC 9293 section 3.6); keep-alive connections that wrk closes first must
# end without TIME-WAIT on the server. The kernel in the server namespace
# never answers (TcpOutRsts flat).
. "$(dirname "$0")/lib.sh"
serve_lab_setup

port=8080 size=1000 msl=5000 n_close=2000
url=http://$XDPTCP_SRV_IP:$port/
tmp=$TEST_TMP
rsts0=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)

if serve_start --port $port --app http --size $size --msl-ms $msl; then
	ok "serve --app http --size $size --msl-ms $msl is ready: $(head -n 1 "$SERVE_OUT")"
else
	not_ok "serve --app http is ready" "$SERVE_WHY"
	exit 1
fi

# --- curl ---
out=$(cli curl -sS -m 5 -o "$tmp/body" -w '%{http_code} %{size_download} %{http_version}' "$url" 2>&1)
if [ "$out" = "200 $size 1.1" ] && [ "$(stat -c %s "$tmp/body" 2>/dev/null)" = $size ]; then
	ok "curl GET: 200, $size-byte body, HTTP/1.1"
else
	not_ok "curl GET: 200, $size-byte body, HTTP/1.1" "curl said '$out' (want '200 $size 1.1')"
fi
# two requests on one connection: the second must not connect again
out=$(cli curl -sS -m 5 -o /dev/null -o /dev/null -w '%{http_code}:%{num_connects} ' "$url" "$url" 2>&1)
if [ "$out" = "200:1 200:0 " ]; then
	ok "curl: two GETs on one keep-alive connection"
else
	not_ok "curl: two GETs on one keep-alive connection" "curl said '$out' (want '200:1 200:0 ': code:connects per request)"
fi
out=$(cli curl -sS -m 5 -D - -o /dev/null -H 'Connection: close' "$url" 2>&1)
if grep -q '^HTTP/1.1 200' <<<"$out"; then
	ok "curl GET with Connection: close: 200"
else
	not_ok "curl GET with Connection: close: 200" "curl said: $out"
fi

# conns_on_port: normalised connections of our port, from conns
conns_on_port() {
	conns_norm | "$PY" -c '
import json, sys
print(json.dumps([c for c in json.load(sys.stdin) if c["lport"] == int(sys.argv[1])]))' $port
}
no_conns_left() { [ "$(conns_on_port 2>/dev/null)" = "[]" ]; }

# --- wrk keep-alive ---
ip netns exec "$XDPTCP_CLI_NS" timeout 30 wrk -t1 -c8 -d3s --timeout 2s "$url" >"$tmp/wrk.out" 2>&1 &
wrk_pid=$!
sleep 1.5
est=$(conns_on_port 2>&1 | "$PY" -c 'import json, sys; print(sum(c["state"] == "ESTABLISHED" for c in json.load(sys.stdin)))' 2>&1)
wait $wrk_pid
out=$(cat "$tmp/wrk.out")
if [ "$est" = 8 ]; then
	ok "conns lists wrk's 8 connections as ESTABLISHED during the run"
else
	not_ok "conns lists wrk's 8 connections as ESTABLISHED during the run" "counted: $est"
fi
reqs=$(awk '/requests in/ {print $1}' <<<"$out")
if [ -n "$reqs" ] && [ "$reqs" -ge 100 ] && ! grep -qE 'Socket errors|Non-2xx' <<<"$out"; then
	ok "wrk keep-alive, 8 connections, 3 s: $reqs requests, no errors"
else
	not_ok "wrk keep-alive, 8 connections, 3 s: no errors" "wrk output: $out"
fi
echo "# wrk: $(grep -E 'Requests/sec|Latency' <<<"$out" | tr -s ' ' | tr '\n' ';')"
# wrk closed first (or reset): no server-side TIME-WAIT, nothing left
if wait_until 50 no_conns_left; then
	ok "wrk's connections are gone from conns, none in TIME-WAIT"
else
	not_ok "wrk's connections are gone from conns, none in TIME-WAIT" \
		"5 s after wrk exited, conns still lists on port $port: $(conns_on_port 2>&1 | head -c 800)"
fi
cli_tw=$(cli ss -Htan state time-wait "dst $XDPTCP_SRV_IP:$port" | wc -l)
if [ "$cli_tw" -ge 1 ]; then
	ok "the clients closed first: $cli_tw TIME-WAIT sockets on the client side"
else
	not_ok "the clients closed first" "no TIME-WAIT socket to $XDPTCP_SRV_IP:$port in the client namespace"
fi

# --- 2,000 sequential Connection: close requests ---
res=$(cli timeout 120 "$PY" "$NET_DIR/http_close.py" "$XDPTCP_SRV_IP" $port $n_close $size --deadline 90 2>&1)
echo "$res" >"$tmp/close.json"
conns_on_port >"$tmp/snap.json" 2>&1
t_snap=$(date +%s%N)
secs=$("$PY" -c 'import json, sys; print(json.load(sys.stdin)["seconds"])' <"$tmp/close.json" 2>/dev/null)
if "$PY" -c 'import json, sys; r = json.load(sys.stdin); sys.exit(0 if r["ok"] == int(sys.argv[1]) and not r["errors"] else 1)' \
	$n_close <"$tmp/close.json" 2>/dev/null; then
	ok "$n_close sequential Connection: close requests, no errors (${secs} s)"
else
	not_ok "$n_close sequential Connection: close requests, no errors" "$(head -c 1500 "$tmp/close.json")"
fi

# Every server-side connection of that run is in TIME-WAIT now, with at most
# 2*MSL left, and the newest with nearly all of it (serve honours --msl-ms).
why=$("$PY" - "$tmp/close.json" "$tmp/snap.json" $((2 * msl)) "$secs" 2>&1 <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
try:
    conns = json.load(open(sys.argv[2]))
except ValueError:
    print("conns failed: " + open(sys.argv[2]).read()[:600]); sys.exit(0)
tw, secs = int(sys.argv[3]), sys.argv[4]
by_port = {c["rport"]: c for c in conns}
missing = [p for p in run["ports"] if p not in by_port]
wrong = [(p, by_port[p]["state"]) for p in run["ports"]
         if p in by_port and by_port[p]["state"] != "TIME-WAIT"]
left = [by_port[p]["ms_left"] for p in run["ports"]
        if p in by_port and by_port[p]["state"] == "TIME-WAIT"]
bad_left = [m for m in left if m is None or not 0 < m <= tw]
out = []
if not run["ports"]:
    out.append("the run had no successful request")
if missing:
    out.append("%d of %d client ports not in conns (e.g. %s); the run took %s s, TIME-WAIT is %d ms"
               % (len(missing), len(run["ports"]), missing[:5], secs, tw))
if wrong:
    out.append("%d not in TIME-WAIT, e.g. %s" % (len(wrong), wrong[:5]))
if bad_left:
    out.append("%d TIME-WAIT entries with ms left outside (0, %d], e.g. %s"
               % (len(bad_left), tw, bad_left[:5]))
elif left and max(left) < tw - 2000:
    out.append("newest entry has %d ms left, want >= %d (2*MSL = %d ms)"
               % (max(left), tw - 2000, tw))
print("; ".join(out) or "OK")
PY
)
if [ "$why" = OK ]; then
	ok "every connection of the run is in TIME-WAIT on the server, at most 2*MSL = $((2 * msl)) ms left"
else
	not_ok "every connection of the run is in TIME-WAIT on the server" "$why"
fi

# ... and gone once 2*MSL has passed (plus 2 s for the reaper)
if wait_until $((2 * msl / 100 + 20)) no_conns_left; then
	gone=$((($(date +%s%N) - t_snap) / 1000000))
	# the newest entry closed just before the snapshot: not gone much before 2*MSL
	if [ $gone -ge $((2 * msl - 1500)) ]; then
		ok "TIME-WAIT entries gone $gone ms after the run (2*MSL = $((2 * msl)) ms)"
	else
		not_ok "TIME-WAIT entries gone after 2*MSL" "all gone only $gone ms after the run, 2*MSL = $((2 * msl)) ms"
	fi
else
	not_ok "TIME-WAIT entries gone after 2*MSL" \
		"$((2 * msl + 2000)) ms after the run conns still lists $(conns_on_port | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))') connections on port $port: $(conns_on_port | head -c 400)"
fi
echo "# stats: $(stats_json 2>&1 | "$PY" -c 'import json, sys; print(", ".join("%s %d" % kv for kv in json.load(sys.stdin).items() if kv[1]))' 2>&1)"

rsts1=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)
if [ "$rsts1" = "$rsts0" ]; then
	ok "the server namespace's kernel sent no RST (TcpOutRsts $rsts0 -> $rsts1)"
else
	not_ok "the server namespace's kernel sent no RST" "TcpOutRsts $rsts0 -> $rsts1"
fi
if serve_alive; then ok "serve still running"; else not_ok "serve still running" "serve exited; stderr: $(tail -c 600 "$SERVE_ERR")"; fi
serve_stop "serve exits 0 on SIGTERM, detaches and removes its pins"
exit 0
