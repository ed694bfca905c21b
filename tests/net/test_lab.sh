#!/usr/bin/env bash
# scripts/lab.sh itself: what `up` builds (one queue per end, tx checksum
# offload off and XDP_PASS on the client end, shared bpffs outside /sys,
# addresses only inside the namespaces), what `env` prints, and that
# `down` removes namespaces and pins and can run twice.
. "$(dirname "$0")/lib.sh"
lab_setup

for v in XDPTCP_BPFFS XDPTCP_SRV_NS XDPTCP_CLI_NS XDPTCP_SRV_DEV XDPTCP_CLI_DEV XDPTCP_SRV_IP \
	XDPTCP_CLI_IP XDPTCP_SRV_MAC XDPTCP_CLI_MAC; do
	[ -n "${!v:-}" ] || missing="${missing:-} $v"
done
[ -z "${missing:-}" ] && ok "env prints every variable" || not_ok "env prints every variable" "missing:$missing"

[ "$(stat -f -c %T "$XDPTCP_BPFFS")" = bpf_fs ] && [[ $XDPTCP_BPFFS != /sys/* ]] &&
	ok "XDPTCP_BPFFS is a bpffs outside /sys" || not_ok "XDPTCP_BPFFS is a bpffs outside /sys" "$XDPTCP_BPFFS"

read -r mode _ <<<"$(xdp_mode "$XDPTCP_CLI_NS" "$XDPTCP_CLI_DEV")"
[ "$mode" = 1 ] && ok "client end runs native XDP (XDP_PASS)" || not_ok "client end runs native XDP (XDP_PASS)" "mode=$mode"
off=$(cli ethtool -k "$XDPTCP_CLI_DEV" | awk '/^tx-checksumming:/ {print $2}')
[ "$off" = off ] && ok "client end: tx checksumming off" || not_ok "client end: tx checksumming off" "tx-checksumming: $off"

q=$(srv ip -d -j link show dev "$XDPTCP_SRV_DEV" | "$PY" -c '
import json, sys; l = json.load(sys.stdin)[0]; print(l["num_rx_queues"], l["num_tx_queues"])')
[ "$q" = "1 1" ] && ok "server end has one RX and one TX queue" || not_ok "server end has one RX and one TX queue" "$q"

[[ $XDPTCP_SRV_IP == 10.77.* ]] && ! ip -4 addr | grep -qF "$XDPTCP_SRV_IP" &&
	ok "lab addresses exist only inside the namespaces" ||
	not_ok "lab addresses exist only inside the namespaces" "$XDPTCP_SRV_IP"
check "ping across the veth" cli ping -c 1 -W 2 "$XDPTCP_SRV_IP"

# A pinned attachment must go with the lab.
xdptcp attach --dev "$XDPTCP_SRV_DEV" >/dev/null 2>&1
ino_dir=$(dirname "$(pin_dir)")
[ -e "$ino_dir" ] || not_ok "attach before down" "no $ino_dir"
if out=$(bash "$ROOT/scripts/lab.sh" down "$LAB" 2>&1) && [ ! -e "$ino_dir" ] &&
	[ ! -e "/run/netns/$XDPTCP_SRV_NS" ] && [ ! -e "/run/netns/$XDPTCP_CLI_NS" ]; then
	ok "down removes namespaces and pins"
else
	not_ok "down removes namespaces and pins" "$out; $(ls -d "$ino_dir" /run/netns/"$LAB"-* 2>&1)"
fi
check "down twice is fine" bash "$ROOT/scripts/lab.sh" down "$LAB"
out=$(bash "$ROOT/scripts/lab.sh" env "$LAB" 2>&1)
[ $? -eq 1 ] && grep -q "not up" <<<"$out" && ok "env of a lab that is down fails" ||
	not_ok "env of a lab that is down fails" "$out"
exit 0
