#!/usr/bin/env bash
# Active open through the XDP backend (xdptcp_connect): from the server
# namespace to a kernel echo server in the client namespace, with a local
# port from the range reserved from the kernel (XDPTCP_EPHEMERAL_*); 1 MB
# comes back byte for byte, and the kernel never answers the flow.
. "$(dirname "$0")/lib.sh"
lab_setup

port=7100
bytes=1000000
srv sysctl -qw net.ipv4.ip_local_reserved_ports=61000-61999
check "61000-61999 reserved from the kernel in the server namespace" \
	grep -q 61000-61999 <(srv sysctl -n net.ipv4.ip_local_reserved_ports)

# kernel echo server: one connection, echo until EOF, then close
bg "$XDPTCP_CLI_NS" /usr/bin/python3 -c "
import socket
l = socket.create_server(('$XDPTCP_CLI_IP', $port))
l.settimeout(30)
c, _ = l.accept()
c.settimeout(30)
while True:
    b = c.recv(65536)
    if not b:
        break
    c.sendall(b)
c.close()
"
wait_listen "$XDPTCP_CLI_NS" $port || not_ok "kernel echo server listens" "nothing on :$port"
# the XDP backend needs the peer's MAC in the neighbour table
srv ping -c 1 -W 2 "$XDPTCP_CLI_IP" >/dev/null

rsts0=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)
if out=$(srv timeout 60 "$TOOLS/xdp_connect" "$XDPTCP_SRV_DEV" "$XDPTCP_CLI_IP" $port $bytes 2>&1); then
	ok "xdp_connect: $bytes bytes echoed back in order, orderly close ($out)"
else
	not_ok "xdp_connect: $bytes bytes echoed back in order, orderly close" "$out"
fi
rsts1=$(nstat_value "$XDPTCP_SRV_NS" TcpOutRsts)
if [ "$rsts1" = "$rsts0" ]; then
	ok "the server namespace's kernel sent no RST ($rsts0 -> $rsts1)"
else
	not_ok "the server namespace's kernel sent no RST" "TcpOutRsts $rsts0 -> $rsts1"
fi
