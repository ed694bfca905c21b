/* The maps of the XDP program. Names are the skeleton's and the pin names
 * under <bpffs>/xdptcp/<netns-inode>/<ifname>/ (see user/loader). */
#ifndef XDPTCP_MAPS_BPF_H
#define XDPTCP_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "xdptcp/tcb.h"
#include "xdptcp/stats.h"
#include "xdptcp/twtab.h"

#ifndef XDPTCP_MAX_CONNS
#define XDPTCP_MAX_CONNS 65536
#endif
#ifndef XDPTCP_MAX_QUEUES
#define XDPTCP_MAX_QUEUES 64
#endif

/* Compact TCBs, mmapped by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XDPTCP_MAX_CONNS);
	__type(key, __u32);
	__type(value, struct xdptcp_tcb);
} tcbs SEC(".maps");

/* 4-tuple -> {slot, generation} */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPTCP_MAX_CONNS);
	__type(key, struct xdptcp_flow_key);
	__type(value, struct xdptcp_flow);
} flows SEC(".maps");

/* TIME-WAIT entries (xdptcp/twtab.h): buckets of slots, written by
 * userspace through a mapping; a slot past its deadline counts as absent.
 * The loader may shrink it (config.tw_buckets says how many there are). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XDPTCP_TW_BUCKETS_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdptcp_tw_bucket);
} timewait SEC(".maps");

/* Local addresses of TIME-WAIT slots (slot.laddr_idx); 0 = unused.
 * Userspace only appends. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPTCP_MAX_LADDRS);
	__type(key, __u32);
	__type(value, __be32);
} laddrs SEC(".maps");

/* Local ports xdptcp serves (key: port in network byte order). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be16);
	__type(value, struct xdptcp_port);
} ports SEC(".maps");

/* Local ports that may be ours, one bit each (xdptcp_owned_bit): served
 * ports and the reserved active-open range. Every other frame costs this
 * one array lookup before XDP_PASS. Userspace sets bits and never clears
 * them while attached: a stale bit costs the longer path, never a frame. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPTCP_OWNED_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} owned SEC(".maps");

/* One AF_XDP socket per RX queue. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDPTCP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdptcp_config);
} config SEC(".maps");

/* Layout hash of include/xdptcp (xdptcp_abi_hash()), written by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} abi SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPTCP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline int port_owned(__be16 lport)
{
	__u32 port = bpf_ntohs(lport), word = port / 64;
	__u64 *w = bpf_map_lookup_elem(&owned, &word);

	return w && (*w & xdptcp_owned_bit(port));
}

static __always_inline void stat_add(__u32 id, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &id);

	if (v)
		*v += n;
}

static __always_inline void stat_inc(__u32 id)
{
	stat_add(id, 1);
}

#endif
