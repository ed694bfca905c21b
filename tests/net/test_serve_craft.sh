#!/usr/bin/env bash
# Crafted segments (tests/net/craft.py, scapy) against `xdptcp serve --app
# http`: simultaneous close (FIN-WAIT-1 -> CLOSING -> TIME-WAIT -> gone after
# 2*MSL), TIME-WAIT answering a retransmitted FIN and ignoring an RST, RFC
# 5961 RST/SYN handling with challenge ACKs, a SYN to a port nobody serves
# (the kernel's RST), a malformed-frame burst that leaves the service intact.
# The client kernel knows nothing of these connections: its RSTs are dropped.
# The server kernel must send no RST except for the unserved port.
. "$(dirname "$0")/lib.sh"
serve_lab_setup

port=8080 size=64 msl=2000 closed_port=9

if ! out=$(cli iptables -w 5 -A OUTPUT -p tcp --tcp-flags RST RST -j DROP 2>&1); then
	not_ok "client kernel's RSTs filtered" "$out"
	exit 1
fi
if serve_start --port $port --app http --size $size --msl-ms $msl; then
	ok "serve --app http --msl-ms $msl is ready: $(head -n 1 "$SERVE_OUT")"
else
	not_ok "serve --app http is ready" "$SERVE_WHY"
	exit 1
fi

# scenario NAME RST-DELTA: runs craft.py NAME, one TAP line per check, then
# checks the server kernel's TcpOutRsts moved by exactly RST-DELTA
scenario() {
	local name=$1 want=$2 r0 r1 line out
	r0=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)
	out=$(cli timeout 60 "$PY" "$NET_DIR/craft.py" "$name" --iface "$XDPTCP_CLI_DEV" \
		--src-mac "$XDPTCP_CLI_MAC" --dst-mac "$XDPTCP_SRV_MAC" --src-ip "$XDPTCP_CLI_IP" \
		--dst-ip "$XDPTCP_SRV_IP" --port $port --closed-port $closed_port --size $size \
		--msl-ms $msl --srv-ns "$XDPTCP_SRV_NS" --xdptcp "$XDPTCP_BIN" --dev "$XDPTCP_SRV_DEV" 2>&1)
	local rc=$? n=0
	while IFS= read -r line; do
		case $line in
		'{"name"'*) ;;
		'{"comment"'*)
			echo "# $("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["comment"])' "$line")"
			continue
			;;
		*)
			[ -n "$line" ] && echo "# craft.py: $line"
			continue
			;;
		esac
		n=$((n + 1))
		local verdict='' cname='' why=''
		{
			IFS= read -r verdict
			IFS= read -r cname
			IFS= read -r why
		} < <("$PY" -c '
import json, sys
r = json.loads(sys.argv[1])
for v in (r["ok"] is True, r["name"], r["why"]):
    print(str(v).replace("\n", " | "))' "$line" 2>&1)
		if [ "$verdict" = True ]; then
			ok "$cname"
		else
			not_ok "${cname:-$name: unreadable result}" "${why:-$line}"
		fi
	done <<<"$out"
	[ $n -gt 0 ] || not_ok "$name: craft.py ran" "exit $rc, no checks reported: $out"
	r1=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)
	if [ $((r1 - r0)) -eq "$want" ]; then
		ok "$name: server kernel sent $want RST (TcpOutRsts $r0 -> $r1)"
	else
		not_ok "$name: server kernel sent $want RST" "TcpOutRsts $r0 -> $r1"
	fi
}

scenario simclose 0
scenario timewait 0
scenario rst 0
scenario closed 1
scenario malformed 0

if serve_alive; then ok "serve still running"; else not_ok "serve still running" "serve exited; stderr: $(tail -c 600 "$SERVE_ERR")"; fi
out=$(cli curl -sS -m 5 -o /dev/null -w '%{http_code} %{size_download}' "http://$XDPTCP_SRV_IP:$port/" 2>&1)
if [ "$out" = "200 $size" ]; then ok "curl GET still works"; else not_ok "curl GET still works" "curl said '$out'"; fi
serve_stop "serve exits 0 on SIGTERM, detaches and removes its pins"
exit 0
