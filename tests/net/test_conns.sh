#!/usr/bin/env bash
# `xdptcp conns` against maps filled by hand (no control plane): flows with
# their tcbs slots (conn_insert) and TIME-WAIT entries (tw_insert), read by a
# separate process from the pins, in text and JSON: 4-tuples, RFC 9293 state
# names, the fast flag and sequence numbers, milliseconds left in TIME-WAIT,
# a generation mismatch hidden (shown as stale with --all), an expired entry
# hidden (shown as expired with --all), --state, and a clear error when
# nothing is pinned.
. "$(dirname "$0")/lib.sh"
lab_setup

dev=$XDPTCP_SRV_DEV
S=$XDPTCP_SRV_IP C=$XDPTCP_CLI_IP
if out=$(xdptcp attach --dev "$dev" --msl-ms 5000 2>&1); then ok "attach"; else not_ok "attach" "$out"; fi

if out=$(xdptcp conns --dev "$dev" 2>&1) && [ "$(tail -n 1 <<<"$out")" = "0 connections (0 in TIME-WAIT)" ]; then
	ok "no connections on fresh maps"
else
	not_ok "no connections on fresh maps" "$out"
fi

flow() { srv "$TOOLS/conn_insert" --dev "$dev" --laddr "$S" --lport 8080 --raddr "$C" "$@"; }
tw() { srv "$TOOLS/tw_insert" --dev "$dev" --laddr "$S" --lport 8080 --raddr "$C" "$@"; }
if out=$({ flow --rport 40001 --slot 3 --generation 1 --state ESTABLISHED --fast \
	--snd-una 1000 --snd-nxt 1500 --rcv-nxt 4294967000 &&
	flow --rport 40002 --slot 4 --generation 7 --state FIN-WAIT-1 --snd-una 10 --snd-nxt 11 --rcv-nxt 12 &&
	flow --rport 40003 --slot 5 --generation 2 --tcb-generation 1 --state ESTABLISHED &&
	tw --rport 40004 --snd-nxt 1000001 --rcv-nxt 2000001 --ttl-ms 60000 &&
	tw --rport 40005 --snd-nxt 5 --rcv-nxt 6 --ttl-ms 300; } 2>&1); then
	ok "three flows and two TIME-WAIT entries inserted"
else
	not_ok "three flows and two TIME-WAIT entries inserted" "$out"
fi
sleep 0.5 # the 300 ms entry expires; the reaper is not running

text=$(xdptcp conns --dev "$dev" 2>&1)
echo "$text" | sed 's/^/# /'
line() { grep -E "^$S:8080 +$C:$1 " <<<"$text"; }
# columns: Local Peer State Fast Slot SndUna SndNxt RcvNxt [Timer...]
if [ "$(line 40001 | awk '{print $3, $4, $5, $6, $7, $8}')" = "ESTABLISHED yes 3 1000 1500 4294967000" ]; then
	ok "text: ESTABLISHED flow with fast flag, slot, snd_una/snd_nxt/rcv_nxt"
else
	not_ok "text: ESTABLISHED flow" "$text"
fi
if [ "$(line 40002 | awk '{print $3, $4, $5, $6, $7, $8}')" = "FIN-WAIT-1 no 4 10 11 12" ]; then
	ok "text: FIN-WAIT-1 flow, not fast"
else
	not_ok "text: FIN-WAIT-1 flow" "$text"
fi
left=$(line 40004 | awk '$3 == "TIME-WAIT" && $10 == "ms" {print $9}')
if [ -n "$left" ] && [ "$left" -gt 58000 ] && [ "$left" -le 60000 ]; then
	ok "text: TIME-WAIT entry with $left ms left"
else
	not_ok "text: TIME-WAIT entry with ms left" "$text"
fi
if [ -z "$(line 40003)" ] && [ -z "$(line 40005)" ] &&
	[ "$(tail -n 1 <<<"$text")" = "3 connections (1 in TIME-WAIT), 2 not shown" ]; then
	ok "text: stale flow and expired TIME-WAIT entry not shown"
else
	not_ok "text: stale flow and expired TIME-WAIT entry not shown" "$text"
fi

text=$(xdptcp conns --dev "$dev" --all 2>&1)
if line 40003 | grep -q 'stale (generation 2)$' && line 40005 | grep -q 'TIME-WAIT .* expired$' &&
	[ "$(tail -n 1 <<<"$text")" = "5 connections (2 in TIME-WAIT)" ]; then
	ok "text --all: stale flow and expired entry shown as such"
else
	not_ok "text --all: stale flow and expired entry shown as such" "$text"
fi

text=$(xdptcp conns --dev "$dev" --state time-wait 2>&1)
if [ "$(grep -c "^$S:8080" <<<"$text")" = 1 ] && line 40004 >/dev/null; then
	ok "--state time-wait lists only the live TIME-WAIT entry"
else
	not_ok "--state time-wait lists only the live TIME-WAIT entry" "$text"
fi

json=$(xdptcp conns --dev "$dev" --json 2>&1)
jcheck() { # NAME PYTHON-EXPR over j (the object) and c (connections by remote port)
	if "$PY" -c '
import json, sys
j = json.loads(sys.argv[1])
c = {x["remote_port"]: x for x in j["connections"]}
sys.exit(0 if eval(sys.argv[2]) else 1)' "$json" "$2" 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1" "want $2; got: $json"
	fi
}
jcheck "json: parses, names dev and pin dir, three connections, two hidden" \
	"j['dev'] == '$dev' and j['pin_dir'] == '$(pin_dir)' and sorted(c) == [40001, 40002, 40004] and j['hidden'] == 2"
jcheck "json: 4-tuple of each connection" \
	"all(x['local_addr'] == '$S' and x['local_port'] == 8080 and x['remote_addr'] == '$C' for x in c.values())"
jcheck "json: ESTABLISHED flow fields" \
	"c[40001] == dict(c[40001], state='ESTABLISHED', timewait=False, fast=True, slot=3, generation=1, stale=False, snd_una=1000, snd_nxt=1500, rcv_nxt=4294967000)"
jcheck "json: FIN-WAIT-1 flow fields" "c[40002]['state'] == 'FIN-WAIT-1' and c[40002]['fast'] is False and c[40002]['generation'] == 7"
jcheck "json: TIME-WAIT entry with ms_left, snd_nxt, rcv_nxt" \
	"c[40004]['state'] == 'TIME-WAIT' and c[40004]['timewait'] and not c[40004]['expired'] and 58000 < c[40004]['ms_left'] <= 60000 and c[40004]['snd_nxt'] == 1000001 and c[40004]['rcv_nxt'] == 2000001"
json=$(xdptcp conns --dev "$dev" --json --all 2>&1)
jcheck "json --all: stale flow and expired entry" \
	"c[40003]['stale'] and c[40005]['expired'] and c[40005]['ms_left'] <= 0 and j['hidden'] == 0"

expect_fail "no pins: clear error, exit 1" "nothing|not pinned|No such file" \
	srv "$XDPTCP_BIN" conns --dev lo
if out=$(xdptcp conns --dev "$dev" --state BOGUS 2>&1); then
	not_ok "unknown --state is a usage error" "$out"
elif grep -q "unknown state 'BOGUS'" <<<"$out"; then
	ok "unknown --state is a usage error"
else
	not_ok "unknown --state is a usage error" "$out"
fi

check "detach" xdptcp detach --dev "$dev"
