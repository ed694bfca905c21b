#!/usr/bin/env bash
# The xdptcp lab: two network namespaces joined by a veth pair.
#
#   scripts/lab.sh up   [NAME]   (re)create the lab (root)
#   scripts/lab.sh down [NAME]   remove it: processes, pins, namespaces (idempotent)
#   scripts/lab.sh env  [NAME]   print shell exports for it: eval "$(scripts/lab.sh env)"
#
# NAME (default xdptcp) names the namespaces <NAME>-srv and <NAME>-cli, so
# concurrent tests with different names never collide. The server end
# (srv0, in <NAME>-srv) is where xdptcp attaches; the client end (cli0, in
# <NAME>-cli) is a plain Linux peer. Addresses are 10.77.X.1 (server) and
# 10.77.X.2 (client) with X from NAME's hash; they exist only inside the
# two namespaces, so two labs with the same X do not interfere.
#
# Environment facts this encodes (DESIGN.md):
#  - one RX/TX queue per end: veth has no RSS, one flow = one queue;
#  - cli0 runs `ethtool -K tx off` (no CHECKSUM_PARTIAL frames for AF_XDP)
#    and an XDP_PASS program, without which XDP_TX from srv0 is dropped;
#  - one bpffs at $XDPTCP_LAB_BPFFS (default /run/xdptcp/bpffs) in the root
#    mount namespace, outside /sys, so pins are seen from every
#    `ip netns exec`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$here/$BUILD ;; esac
BPFFS=${XDPTCP_LAB_BPFFS:-/run/xdptcp/bpffs}
PASS_OBJ=$BUILD/bpf/xdp_pass.bpf.o
SRV_DEV=srv0
CLI_DEV=cli0

usage() {
	cat <<EOF
Usage: scripts/lab.sh up|down|env [NAME]

  up    create namespaces NAME-srv and NAME-cli joined by a veth pair
        ($SRV_DEV in NAME-srv, $CLI_DEV in NAME-cli), mount the shared bpffs
        at $BPFFS and attach an XDP_PASS program to $CLI_DEV; an existing
        lab of that name is removed first
  down  kill processes in the namespaces, remove the lab's pins under
        $BPFFS/xdptcp/<netns-inode>/, then the namespaces (idempotent)
  env   print exports: XDPTCP_BPFFS, namespace, device, address and MAC names

NAME defaults to xdptcp (letters, digits, '-', '_'; at most 24 bytes).
Needs root. BUILD (default build) locates $PASS_OBJ.
EOF
}

die() {
	echo "lab.sh: $*" >&2
	exit 1
}

cmd=${1:-}
NAME=${2:-xdptcp}
[[ $NAME =~ ^[A-Za-z0-9_-]{1,24}$ ]] || die "bad lab name '$NAME'"
SRV_NS=$NAME-srv
CLI_NS=$NAME-cli
# 10.77.X.0/24, X in 1..250 from the name (cksum is POSIX, stable)
X=$(($(printf '%s' "$NAME" | cksum | cut -d' ' -f1) % 250 + 1))
SRV_IP=10.77.$X.1
CLI_IP=10.77.$X.2

ns_exists() { [ -e "/run/netns/$1" ]; }

ns_inode() { stat -L -c %i "/run/netns/$1"; }

is_bpffs() { [ "$(stat -f -c %T "$1" 2>/dev/null)" = bpf_fs ]; }

mount_bpffs() {
	mkdir -p "$BPFFS"
	# one mount shared by all labs: serialise concurrent `up`s
	exec 9>"$(dirname "$BPFFS")/.mount.lock"
	flock 9
	is_bpffs "$BPFFS" || mount -t bpf bpf "$BPFFS" || die "cannot mount a bpffs at $BPFFS"
	flock -u 9
	exec 9>&-
}

lab_down() {
	local ns pid ino
	for ns in "$SRV_NS" "$CLI_NS"; do
		ns_exists "$ns" || continue
		# processes a test left behind in the lab's namespaces
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null || true
		done
	done
	# pins first: they are keyed by the namespace's inode
	if ns_exists "$SRV_NS" && is_bpffs "$BPFFS"; then
		ino=$(ns_inode "$SRV_NS")
		if [ -d "$BPFFS/xdptcp/$ino" ]; then
			rm -rf -- "${BPFFS:?}/xdptcp/$ino"
		fi
		rmdir "$BPFFS/xdptcp" 2>/dev/null || true
	fi
	for ns in "$SRV_NS" "$CLI_NS"; do
		if ns_exists "$ns"; then
			ip netns del "$ns" || die "cannot delete namespace $ns"
		fi
	done
}

lab_up() {
	[ -f "$PASS_OBJ" ] || die "$PASS_OBJ missing: run make first"
	lab_down
	mount_bpffs
	ip netns add "$SRV_NS"
	ip netns add "$CLI_NS"
	ip link add "$SRV_DEV" netns "$SRV_NS" numtxqueues 1 numrxqueues 1 type veth \
		peer name "$CLI_DEV" netns "$CLI_NS" numtxqueues 1 numrxqueues 1
	ip -n "$SRV_NS" addr add "$SRV_IP/24" dev "$SRV_DEV"
	ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "$CLI_DEV"
	ip -n "$SRV_NS" link set lo up
	ip -n "$CLI_NS" link set lo up
	ip netns exec "$CLI_NS" ethtool -K "$CLI_DEV" tx off >/dev/null
	ip -n "$CLI_NS" link set dev "$CLI_DEV" xdpdrv obj "$PASS_OBJ" sec xdp
	ip -n "$SRV_NS" link set "$SRV_DEV" up
	ip -n "$CLI_NS" link set "$CLI_DEV" up
}

mac_of() { ip -n "$1" -br link show dev "$2" | awk '{print $3}'; }

lab_env() {
	ns_exists "$SRV_NS" || die "lab $NAME is not up (scripts/lab.sh up $NAME)"
	cat <<EOF
export XDPTCP_BPFFS=$BPFFS
export XDPTCP_LAB=$NAME
export XDPTCP_SRV_NS=$SRV_NS XDPTCP_CLI_NS=$CLI_NS
export XDPTCP_SRV_DEV=$SRV_DEV XDPTCP_CLI_DEV=$CLI_DEV
export XDPTCP_SRV_IP=$SRV_IP XDPTCP_CLI_IP=$CLI_IP
export XDPTCP_SRV_MAC=$(mac_of "$SRV_NS" "$SRV_DEV") XDPTCP_CLI_MAC=$(mac_of "$CLI_NS" "$CLI_DEV")
EOF
}

case $cmd in
up)
	[ "$(id -u)" -eq 0 ] || die "needs root"
	lab_up
	echo "lab $NAME up: $SRV_NS/$SRV_DEV $SRV_IP <-> $CLI_NS/$CLI_DEV $CLI_IP; bpffs $BPFFS" >&2
	;;
down)
	[ "$(id -u)" -eq 0 ] || die "needs root"
	lab_down
	;;
env) lab_env ;;
-h | --help | help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
