// SPDX-License-Identifier: GPL-2.0
/* Duplicates TCP frames of one port at a tc clsact hook: the impairment
 * netem would give (this kernel has no sch_netem). Built by the test that
 * uses it, not by the Makefile:
 *
 *   clang -O2 -g -target bpf -I/usr/include/$(gcc -dumpmachine) \
 *         -DPORT=7007 -DPER_MILLE=10 [-DINGRESS] -c dup.bpf.c -o dup.o
 *   tc filter add dev DEV {egress|ingress} bpf da obj dup.o sec tc
 *
 * A chosen frame is cloned back to the same hook's direction
 * (bpf_clone_redirect: egress -> out of DEV again, ingress -> into the stack
 * again), so the copy follows the original. The copy carries DUP_MARK so the
 * program lets it through untouched when it comes by again. Counters in
 * `dup_stats`: [0] frames of PORT seen, [1] duplicated, [2] clone failures.
 */
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
#ifndef PER_MILLE
#define PER_MILLE 10
#endif
#ifdef INGRESS
#define REDIRECT_FLAGS BPF_F_INGRESS
#else
#define REDIRECT_FLAGS 0
#endif
#define DUP_MARK 0x0d0b1e00

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} dup_stats SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&dup_stats, &i);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tc")
int dup(struct __sk_buff *skb)
{
	struct ethhdr eth;
	struct iphdr ip;
	__be16 ports[2];
	__u32 mark;
	int err;

	if (skb->mark == DUP_MARK) {
		skb->mark = 0; /* the copy, coming by again */
		return TC_ACT_OK;
	}
	/* tc offsets start at the MAC header on both hooks */
	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) ||
	    eth.h_proto != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, sizeof(eth), &ip, sizeof(ip)) ||
	    ip.protocol != IPPROTO_TCP || ip.ihl < 5 ||
	    (ip.frag_off & bpf_htons(0x1fff)) ||
	    bpf_skb_load_bytes(skb, sizeof(eth) + ip.ihl * 4, ports, sizeof(ports)))
		return TC_ACT_OK;
	if (ports[0] != bpf_htons(PORT) && ports[1] != bpf_htons(PORT))
		return TC_ACT_OK;
	count(0);
	if (bpf_get_prandom_u32() % 1000 >= PER_MILLE)
		return TC_ACT_OK;
	mark = skb->mark;
	skb->mark = DUP_MARK;
	err = bpf_clone_redirect(skb, skb->ifindex, REDIRECT_FLAGS);
	skb->mark = mark;
	count(err ? 2 : 1);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
