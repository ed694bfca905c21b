#!/usr/bin/env bash
# While `xdptcp serve` runs: ping works both ways, a kernel TCP service on
# another port of the same namespace works, and the kernel never answers an
# xdptcp flow: TcpOutRsts of the server namespace stays flat and a capture on
# the client side sees no RST from the served port during real traffic.
. "$(dirname "$0")/lib.sh"
serve_lab_setup

port=7007 kport=5201
tmp=$TEST_TMP

if serve_start --port $port --app echo; then
	ok "serve --app echo is ready: $(head -n 1 "$SERVE_OUT")"
else
	not_ok "serve --app echo is ready" "$SERVE_WHY"
	exit 1
fi
rsts0=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)

# capture everything from the served port, on the client's end of the veth
capture_start "$tmp/cap.pcap" "tcp and src host $XDPTCP_SRV_IP and src port $port" ||
	not_ok "tcpdump started on $XDPTCP_CLI_DEV" "$(cat "$tmp/cap.pcap.err")"

check "ping client -> server while serving" cli ping -c 3 -i 0.2 -W 2 "$XDPTCP_SRV_IP"
check "ping server -> client while serving" srv ping -c 3 -i 0.2 -W 2 "$XDPTCP_CLI_IP"

# a kernel TCP service next to serve: 4 MB each way through kernel nc (one
# direction per connection: nc quits once its input ends and its peer's did)
head -c 4194304 /dev/urandom >"$tmp/k_sent"
want=$(sha256sum <"$tmp/k_sent" | cut -d' ' -f1)
kernel_xfer() { # DIRECTION: up | down; prints bytes received, or why not
	local p rc
	if [ "$1" = up ]; then
		ip netns exec "$XDPTCP_SRV_NS" timeout 20 nc -l "$XDPTCP_SRV_IP" $kport </dev/null >"$tmp/k_got" &
	else
		ip netns exec "$XDPTCP_SRV_NS" timeout 20 nc -l -N "$XDPTCP_SRV_IP" $kport <"$tmp/k_sent" >/dev/null &
	fi
	p=$!
	if ! wait_listen "$XDPTCP_SRV_NS" $kport; then
		kill $p 2>/dev/null
		echo "nc -l did not listen on $kport within 5 s"
		return
	fi
	if [ "$1" = up ]; then
		cli timeout 20 nc -N "$XDPTCP_SRV_IP" $kport <"$tmp/k_sent" >/dev/null
	else
		cli timeout 20 nc "$XDPTCP_SRV_IP" $kport </dev/null >"$tmp/k_got"
	fi
	rc=$?
	wait $p
	if [ $rc -ne 0 ]; then
		echo "client nc exit $rc"
	elif [ "$(sha256sum <"$tmp/k_got" | cut -d' ' -f1)" != "$want" ]; then
		echo "received $(stat -c %s "$tmp/k_got") of 4194304 bytes, sha256 differs"
	else
		echo OK
	fi
}
for dir in up down; do
	res=$(kernel_xfer $dir)
	if [ "$res" = OK ]; then
		ok "kernel TCP service on port $kport while serving: 4 MB $dir intact"
	else
		not_ok "kernel TCP service on port $kport while serving: 4 MB $dir intact" "$res"
	fi
done

# real-client traffic to serve: 8 MB through echo, and 50 short connections
head -c 8388608 /dev/urandom >"$tmp/sent"
out=$(cli timeout 60 nc -N "$XDPTCP_SRV_IP" $port <"$tmp/sent" 2>&1 >"$tmp/received")
rc=$?
if [ $rc -eq 0 ] && cmp -s "$tmp/sent" "$tmp/received"; then
	ok "8 MB through echo intact"
else
	not_ok "8 MB through echo intact" "nc exit $rc ($out); got $(stat -c %s "$tmp/received") of 8388608 bytes"
fi
fails=0
for i in $(seq 50); do
	[ "$(echo "ping $i" | cli timeout 5 nc -N "$XDPTCP_SRV_IP" $port 2>/dev/null)" = "ping $i" ] || fails=$((fails + 1))
done
if [ $fails -eq 0 ]; then ok "50 short echo connections answered"; else not_ok "50 short echo connections answered" "$fails of 50 failed"; fi

# a ping still works after all that
check "ping client -> server after the traffic" cli ping -c 2 -i 0.2 -W 2 "$XDPTCP_SRV_IP"

rsts1=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)
if [ "$rsts1" = "$rsts0" ]; then
	ok "the server namespace's kernel sent no RST (TcpOutRsts $rsts0 -> $rsts1)"
else
	not_ok "the server namespace's kernel sent no RST" "TcpOutRsts $rsts0 -> $rsts1 during traffic to xdptcp's port $port"
fi

sleep 0.3 # -U writes each packet at once; let the last ones land
capture_stop
total=$(tcpdump -n -r "$tmp/cap.pcap" 2>/dev/null | wc -l)
rsts=$(tcpdump -n -r "$tmp/cap.pcap" 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null)
if [ "$total" -lt 1000 ]; then
	not_ok "client-side capture: no RST from $XDPTCP_SRV_IP:$port" "the capture holds only $total packets from the served port (want >= 1000): it saw nothing to judge"
elif [ -n "$rsts" ]; then
	not_ok "client-side capture: no RST from $XDPTCP_SRV_IP:$port" "$(wc -l <<<"$rsts") RSTs among $total packets, e.g.: $(head -3 <<<"$rsts")"
else
	ok "client-side capture: no RST from $XDPTCP_SRV_IP:$port among $total packets"
fi

if serve_alive; then ok "serve still running"; else not_ok "serve still running" "serve exited; stderr: $(tail -c 600 "$SERVE_ERR")"; fi
serve_stop "serve exits 0 on SIGTERM, detaches and removes its pins"
exit 0
