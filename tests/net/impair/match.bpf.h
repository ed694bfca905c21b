/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the impairment programs: does this frame belong to TCP port
 * PORT (either side)? tc offsets start at the MAC header on both hooks. */
#ifndef IMPAIR_MATCH_BPF_H
#define IMPAIR_MATCH_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef PORT
#error "build with -DPORT=<tcp port>"
#endif

static __always_inline int impair_match(struct __sk_buff *skb)
{
	struct ethhdr eth;
	struct iphdr ip;
	__be16 ports[2];

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) ||
	    eth.h_proto != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, sizeof(eth), &ip, sizeof(ip)) ||
	    ip.protocol != IPPROTO_TCP || ip.ihl < 5 ||
	    (ip.frag_off & bpf_htons(0x1fff)) ||
	    bpf_skb_load_bytes(skb, sizeof(eth) + ip.ihl * 4, ports, sizeof(ports)))
		return 0;
	return ports[0] == bpf_htons(PORT) || ports[1] == bpf_htons(PORT);
}

/* counters of one program: [0] frames of PORT seen, [1] impaired, [2] failed */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} impair_stats SEC(".maps");

static __always_inline void impair_count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&impair_stats, &i);

	if (v)
		__sync_fetch_and_add(v, 1);
}

#endif
