#!/usr/bin/env bash
# Traffic xdptcp does not own goes through untouched while it is attached:
# ping both ways, and a TCP transfer on an unrelated port with its data
# checked by sha256; XDP must have seen (and passed) those frames.
. "$(dirname "$0")/lib.sh"
lab_setup

dev=$XDPTCP_SRV_DEV
tmp=$TEST_TMP

if out=$(xdptcp attach --dev "$dev" 2>&1); then ok "attach (native)"; else not_ok "attach (native)" "$out"; fi

passed_frames() {
	xdptcp stats --dev "$dev" --json | "$PY" -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print(sum(v for k, v in s.items() if k.startswith("pass_")))'
}
before=$(passed_frames)

check "ping client -> server while attached" cli ping -c 3 -i 0.2 -W 2 "$XDPTCP_SRV_IP"
check "ping server -> client while attached" srv ping -c 3 -i 0.2 -W 2 "$XDPTCP_CLI_IP"

# 4 MiB of random data, client -> server, on a port xdptcp does not serve
port=5201
head -c 4194304 /dev/urandom >"$tmp/sent"
bg "$XDPTCP_SRV_NS" sh -c "exec timeout 20 nc -l -N $XDPTCP_SRV_IP $port >'$tmp/received'"
for _ in $(seq 50); do
	srv ss -Hltn "sport = :$port" | grep -q LISTEN && break
	sleep 0.1
done
if out=$(cli timeout 20 nc -N "$XDPTCP_SRV_IP" "$port" <"$tmp/sent" 2>&1); then
	wait "${_bg_pids[-1]}"
	sent=$(sha256sum <"$tmp/sent" | cut -d' ' -f1)
	got=$(sha256sum <"$tmp/received" | cut -d' ' -f1)
	if [ "$sent" = "$got" ]; then
		ok "TCP transfer on port $port intact (sha256 $sent)"
	else
		not_ok "TCP transfer on port $port intact" "sent $sent, received $got ($(stat -c %s "$tmp/received") bytes)"
	fi
else
	not_ok "TCP transfer on port $port intact" "nc client failed: $out"
fi

after=$(passed_frames)
if [ "$after" -gt "$before" ]; then
	ok "XDP saw and passed the frames (pass_* $before -> $after)"
else
	not_ok "XDP saw and passed the frames" "pass_* counters $before -> $after"
fi
if xdptcp status --dev "$dev" | grep -q '^attached:  yes'; then ok "still attached"; else not_ok "still attached" "$(xdptcp status --dev "$dev" 2>&1)"; fi
exit 0
