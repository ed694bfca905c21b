#!/usr/bin/env bash
# xdptcp attach/status/stats/detach on the lab's server veth: native and skb
# mode, the pins, and the refusals (attached twice, ABI mismatch, another
# XDP program, missing device, a --bpffs that is not a bpffs, no root).
. "$(dirname "$0")/lib.sh"
lab_setup

dev=$XDPTCP_SRV_DEV
dir=$(pin_dir)

out=$(xdptcp attach --dev "$dev" 2>&1)
if [ $? -eq 0 ]; then ok "attach --dev $dev (native)"; else not_ok "attach --dev $dev (native)" "$out"; fi

read -r mode id <<<"$(xdp_mode "$XDPTCP_SRV_NS" "$dev")"
st=$(xdptcp status --dev "$dev" 2>&1)
st_rc=$?
st_id=$(awk '/^prog id:/ {print $3}' <<<"$st")
if [ "$mode" = 1 ] && [ -n "$id" ] && [ "$id" = "$st_id" ]; then
	ok "ip link shows native XDP with the prog id xdptcp status reports"
else
	not_ok "ip link shows native XDP with the prog id xdptcp status reports" \
		"ip link: mode=$mode id=${id:-}; status: $st"
fi
if [ $st_rc -eq 0 ] && grep -q '^attached:  yes' <<<"$st" && grep -q '^mode:      native' <<<"$st" &&
	grep -qF "pin dir:   $dir" <<<"$st" && grep -q '^config:    TIME-WAIT 60000 ms (2\*MSL), 1 queue$' <<<"$st"; then
	ok "status: attached, native, pin dir, default 2*MSL and one queue"
else
	not_ok "status: attached, native, pin dir, default 2*MSL and one queue" "exit $st_rc: $st"
fi

missing=
for f in link tcbs flows timewait laddrs owned ports xsks config abi stats; do
	[ -e "$dir/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "link and maps pinned in $dir"; else not_ok "link and maps pinned" "missing:$missing in $dir"; fi

js=$(xdptcp stats --dev "$dev" --json 2>&1)
if "$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
s = d["stats"]
assert d["dev"] == sys.argv[2] and d["pin_dir"] == sys.argv[3], d
assert "tw_reack" in s and "pass_not_ip" in s and "drop_bad_slot" in s, s
assert all(isinstance(v, int) and v >= 0 for v in s.values()), s
' "$js" "$dev" "$dir" 2>&1; then
	ok "stats --json is valid JSON with every counter"
else
	not_ok "stats --json is valid JSON with every counter" "$js"
fi

expect_fail "attach twice is refused" "already attached to $dev" xdptcp attach --dev "$dev"
[ "$(xdp_mode "$XDPTCP_SRV_NS" "$dev")" = "1 $id" ] && ok "refused attach left XDP as it was" ||
	not_ok "refused attach left XDP as it was" "$(xdp_mode "$XDPTCP_SRV_NS" "$dev")"

out=$(xdptcp detach --dev "$dev" 2>&1)
if [ $? -eq 0 ] && [ ! -e "$dir" ] && [ "$(xdp_mode "$XDPTCP_SRV_NS" "$dev")" = 0 ]; then
	ok "detach leaves no pins and no XDP"
else
	not_ok "detach leaves no pins and no XDP" "$out; dir: $(ls -A "$dir" 2>&1); xdp: $(xdp_mode "$XDPTCP_SRV_NS" "$dev")"
fi
expect_fail "status after detach says not attached" "not attached" xdptcp status --dev "$dev"
expect_fail "detach twice says not attached" "not attached to $dev" xdptcp detach --dev "$dev"

# ABI mismatch: maps of another layout, left without their link (as after
# an upgrade); attach must refuse them and name --reset.
xdptcp attach --dev "$dev" >/dev/null 2>&1
bpftool map update pinned "$dir/abi" key 0 0 0 0 value 1 2 3 4 5 6 7 8
expect_fail "status refuses maps of another ABI" "ABI hash 0x0807060504030201" xdptcp status --dev "$dev"
rm -f "$dir/link"
expect_fail "attach refuses maps of another ABI, names dir and --reset" "$dir.*--reset" \
	xdptcp attach --dev "$dev"
out=$(xdptcp attach --dev "$dev" --reset 2>&1)
if [ $? -eq 0 ] && grep -q "new maps" <<<"$out" && xdptcp status --dev "$dev" >/dev/null 2>&1; then
	ok "attach --reset replaces them"
else
	not_ok "attach --reset replaces them" "$out"
fi

# Maps of the same ABI survive a lost link and are reused.
xdptcp detach --dev "$dev" >/dev/null 2>&1
xdptcp attach --dev "$dev" --msl-ms 1000 >/dev/null 2>&1
rm -f "$dir/link"
out=$(xdptcp attach --dev "$dev" 2>&1)
if [ $? -eq 0 ] && grep -q "reused pinned maps" <<<"$out"; then
	ok "attach reuses pinned maps of the same ABI"
else
	not_ok "attach reuses pinned maps of the same ABI" "$out"
fi
# config holds 2*MSL = 2 s from the first attach, and the lab's one queue
if bpftool map dump pinned "$dir/config" 2>&1 | tr -d ' \n' |
	grep -q '"tw_timeout_ns":2000000000,"nqueues":1,'; then
	ok "reused maps keep their config (tw_timeout_ns = 2*MSL)"
else
	not_ok "reused maps keep their config (tw_timeout_ns = 2*MSL)" "$(bpftool map dump pinned "$dir/config" 2>&1)"
fi
xdptcp detach --dev "$dev" >/dev/null 2>&1

out=$(xdptcp attach --dev "$dev" --mode skb 2>&1)
read -r mode id <<<"$(xdp_mode "$XDPTCP_SRV_NS" "$dev")"
if [ "$mode" = 2 ] && xdptcp status --dev "$dev" | grep -q '^mode:      skb'; then
	ok "attach --mode skb gives generic XDP"
else
	not_ok "attach --mode skb gives generic XDP" "$out; ip link mode=$mode"
fi
xdptcp detach --dev "$dev" >/dev/null 2>&1

# Another program on the device: refused, and nothing left pinned.
ip -n "$XDPTCP_SRV_NS" link set dev "$dev" xdpdrv obj "$BUILD/bpf/xdp_pass.bpf.o" sec xdp
expect_fail "attach refuses a device running another XDP program" "another XDP program.*busy" \
	xdptcp attach --dev "$dev"
[ ! -e "$dir" ] && ok "failed attach leaves no pins" || not_ok "failed attach leaves no pins" "$(ls -A "$dir")"
ip -n "$XDPTCP_SRV_NS" link set dev "$dev" xdp off

expect_fail "attach to a missing device" "no network device nosuch0.*No such device" \
	xdptcp attach --dev nosuch0
expect_fail "--bpffs that is not a bpffs is an error" "--bpffs '/tmp' is not a bpffs" \
	xdptcp attach --dev "$dev" --bpffs /tmp
XDPTCP_BPFFS=/tmp expect_fail "XDPTCP_BPFFS that is not a bpffs is an error" \
	"XDPTCP_BPFFS '/tmp' is not a bpffs" xdptcp attach --dev "$dev"

if command -v setpriv >/dev/null; then
	expect_fail "attach without root fails clearly" "(Operation not permitted|Permission denied)" \
		srv setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$XDPTCP_BIN" attach --dev "$dev"
	[ ! -e "$dir" ] && ok "unprivileged attach left nothing" || not_ok "unprivileged attach left nothing" "$(ls -A "$dir")"
else
	skip "attach without root fails clearly" "setpriv missing"
fi

out=$(xdptcp attach --dev "$dev" --bogus 2>&1)
[ $? -eq 2 ] && ok "unknown flag is a usage error (exit 2)" || not_ok "unknown flag is a usage error (exit 2)" "$out"
# Without --bpffs and XDPTCP_BPFFS: /sys/fs/bpf, mounted by xdptcp when
# nothing is (each `ip netns exec` has a fresh /sys, so this one has none).
out=$(srv env -u XDPTCP_BPFFS sh -c '
	[ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ] || { echo "a bpffs is already there"; exit 1; }
	"$1" attach --dev "$2" && [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] &&
		"$1" status --dev "$2" && "$1" detach --dev "$2"' sh "$XDPTCP_BIN" "$dev" 2>&1)
if [ $? -eq 0 ] && grep -q "pin dir:   /sys/fs/bpf/xdptcp/" <<<"$out"; then
	ok "default bpffs: /sys/fs/bpf, mounted when nothing is there"
else
	not_ok "default bpffs: /sys/fs/bpf, mounted when nothing is there" "$out"
fi

# A process holding the link (a control plane) does not keep XDP alive
# past detach: detach uses bpf_link_detach, not just unpinning.
xdptcp attach --dev "$dev" >/dev/null 2>&1
mkfifo "$TEST_TMP/hold"
bg "$XDPTCP_SRV_NS" sh -c "exec '$TOOLS/pin_holder' --dev '$dev' <'$TEST_TMP/hold' >'$TEST_TMP/holder.out'"
exec 8>"$TEST_TMP/hold" # keeps the holder's stdin open
for _ in $(seq 50); do
	grep -q holding "$TEST_TMP/holder.out" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q holding "$TEST_TMP/holder.out"; then
	not_ok "detach while another process holds the link" "pin_holder did not start: $(cat "$TEST_TMP/holder.out")"
elif out=$(xdptcp detach --dev "$dev" 2>&1) && [ "$(xdp_mode "$XDPTCP_SRV_NS" "$dev")" = 0 ] && [ ! -e "$dir" ]; then
	ok "detach while another process holds the link stops XDP"
else
	not_ok "detach while another process holds the link stops XDP" "$out; xdp: $(xdp_mode "$XDPTCP_SRV_NS" "$dev")"
fi
exec 8>&-

# The device goes away under an attachment: the link turns defunct, status
# says so, and detach still cleans up (it needs the pins, not the device).
xdptcp attach --dev "$dev" >/dev/null 2>&1
ip -n "$XDPTCP_SRV_NS" link del "$dev"
st=$(xdptcp status --dev "$dev" 2>&1)
if [ $? -eq 1 ] && grep -q "not in this network namespace" <<<"$st" && grep -q "defunct" <<<"$st"; then
	ok "status of a vanished device: not attached, link defunct"
else
	not_ok "status of a vanished device: not attached, link defunct" "$st"
fi
out=$(xdptcp detach --dev "$dev" 2>&1)
[ $? -eq 0 ] && [ ! -e "$dir" ] && ok "detach after the device is gone removes the pins" ||
	not_ok "detach after the device is gone removes the pins" "$out; $(ls -A "$dir" 2>&1)"
exit 0
