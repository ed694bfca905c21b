#!/usr/bin/env bash
# TIME-WAIT answered from XDP (DESIGN.md step 5, RFC 9293 section 3.10.7.4):
# with an entry in the pinned `timewait` map, a retransmitted FIN from the
# peer gets the final ACK again, on the wire, from XDP_TX: flags ACK only,
# SEQ = our snd_nxt, ACK = our rcv_nxt, the entry's window, good checksums;
# the deadline restarts and tw_reack counts it. Then the same with
# timestamps (RFC 7323: TSecr echoes TS.Recent).
. "$(dirname "$0")/lib.sh"
lab_setup

dev=$XDPTCP_SRV_DEV
if out=$(xdptcp attach --dev "$dev" --msl-ms 5000 2>&1); then ok "attach (native, MSL 5 s)"; else not_ok "attach" "$out"; fi

cport=40001 sport=8080
snd_nxt=1000001 rcv_nxt=2000001 # after our FIN and after the peer's FIN
tw_args=(--dev "$dev" --raddr "$XDPTCP_CLI_IP" --rport $cport --laddr "$XDPTCP_SRV_IP" --lport $sport)
if out=$(srv "$TOOLS/tw_insert" "${tw_args[@]}" --snd-nxt $snd_nxt --rcv-nxt $rcv_nxt --window 512 --ttl-ms 3000 2>&1) &&
	[ "$(xdptcp status --dev "$dev" | awk '/^timewait:/ {print $2}')" = 1 ]; then
	ok "TIME-WAIT entry in the pinned timewait map"
else
	not_ok "TIME-WAIT entry in the pinned timewait map" "$out"
fi

before=$(stat_value tw_reack)
# the peer's FIN again: SEQ = rcv_nxt - 1 (its FIN's sequence number), ACK = our FIN + 1
reply=$(cli "$PY" "$NET_DIR/tw_probe.py" "$XDPTCP_CLI_DEV" "$XDPTCP_CLI_MAC" "$XDPTCP_SRV_MAC" \
	"$XDPTCP_CLI_IP" "$XDPTCP_SRV_IP" $cport $sport $((rcv_nxt - 1)) $snd_nxt FA 2>&1)
after=$(stat_value tw_reack)

expect() { # NAME PYTHON-EXPR (over the reply dict r)
	if "$PY" -c 'import json, sys; r = json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$reply" "$2" 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1" "want $2; reply: $reply"
	fi
}

why_not_ack() { # explains a reply that is not XDP's ACK
	if "$PY" -c 'import json, sys; r = json.loads(sys.argv[1]); sys.exit(0 if r.get("reply") and r["flags"] == "A" else 1)' "$reply" 2>/dev/null; then
		return 1
	fi
	case $reply in
	*'"flags": "R'*) echo "the kernel answered with an RST, so XDP passed the FIN instead of answering it" ;;
	*'"reply": null'*) echo "no reply within 3 s" ;;
	*) echo "unexpected reply" ;;
	esac
	echo "reply: $reply; tw_reack $before -> $after"
	echo "build/bpf/xdptcp.bpf.o must have the TIME-WAIT path (branch bpf); the stub passes everything"
}

if why=$(why_not_ack); then
	not_ok "retransmitted FIN in TIME-WAIT is answered with an ACK on the wire" "$why"
else
	ok "retransmitted FIN in TIME-WAIT is answered with an ACK on the wire"
	expect "reply is a pure ACK without payload" 'r["flags"] == "A" and r["payload_len"] == 0'
	expect "reply SEQ = snd_nxt, ACK = rcv_nxt" "r['seq'] == $snd_nxt and r['ack'] == $rcv_nxt"
	expect "reply window is the entry's, no options" 'r["window"] == 512 and r["dataofs"] == 5 and r["tsval"] is None'
	expect "reply IP and TCP checksums are right" 'r["ip_csum_ok"] and r["tcp_csum_ok"] and r["ihl"] == 5'
	expect "reply goes back to the sender's MAC" "r['dst_mac'] == '$XDPTCP_CLI_MAC' and r['src_mac'] == '$XDPTCP_SRV_MAC'"
fi
if [ "$after" -eq $((before + 1)) ]; then
	ok "tw_reack counted it ($before -> $after)"
else
	not_ok "tw_reack counted it" "tw_reack $before -> $after"
fi
# The FIN restarts 2*MSL (10 s here); the entry was inserted with 3 s, so
# more than 3 s left means restarted (scapy's start-up on a loaded machine
# can take seconds, so no tighter lower bound).
left=$(srv "$TOOLS/tw_insert" "${tw_args[@]}" --show 2>&1 | awk '{print $6}')
if [ -n "$left" ] && [ "$left" -gt 3000 ] 2>/dev/null && [ "$left" -le 10000 ]; then
	ok "FIN restarted the TIME-WAIT deadline to 2*MSL (${left} ms left)"
else
	not_ok "FIN restarted the TIME-WAIT deadline to 2*MSL" "deadline in ${left:-?} ms, want 3000 < left <= 10000"
fi

# With timestamps: the reply carries NOP,NOP,TS and echoes TS.Recent.
cport=40002 ts_recent=777777
tw_args=(--dev "$dev" --raddr "$XDPTCP_CLI_IP" --rport $cport --laddr "$XDPTCP_SRV_IP" --lport $sport)
srv "$TOOLS/tw_insert" "${tw_args[@]}" --snd-nxt $snd_nxt --rcv-nxt $rcv_nxt --window 512 \
	--ts-recent $ts_recent --ts-offset 0 >/dev/null 2>&1
before=$(stat_value tw_reack)
reply=$(cli "$PY" "$NET_DIR/tw_probe.py" "$XDPTCP_CLI_DEV" "$XDPTCP_CLI_MAC" "$XDPTCP_SRV_MAC" \
	"$XDPTCP_CLI_IP" "$XDPTCP_SRV_IP" $cport $sport $((rcv_nxt - 1)) $snd_nxt FA \
	--tsval $((ts_recent + 10)) --tsecr 5 2>&1)
after=$(stat_value tw_reack)
if why=$(why_not_ack); then
	not_ok "with timestamps: the FIN is answered with an ACK" "$why"
else
	expect "with timestamps: ACK with SEQ/ACK of the entry, NOP,NOP,TS, TSecr = TS.Recent" \
		"r['flags'] == 'A' and r['seq'] == $snd_nxt and r['ack'] == $rcv_nxt and r['dataofs'] == 8 and r['tsecr'] == $ts_recent and r['tcp_csum_ok']"
fi
exit 0
