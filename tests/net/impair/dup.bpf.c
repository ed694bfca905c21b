// SPDX-License-Identifier: GPL-2.0
/* Duplicates TCP frames of one port at a tc clsact hook: the impairment
 * netem would give (this kernel has no sch_netem). Built by the test that
 * uses it, not by the Makefile (impair.sh):
 *
 *   clang -O2 -g -target bpf -I/usr/include/$(gcc -dumpmachine) \
 *         -DPORT=7007 -DPER_MILLE=10 [-DINGRESS] -c dup.bpf.c -o dup.o
 *   tc filter add dev DEV {egress|ingress} pref 10 bpf da obj dup.o sec tc
 *
 * A chosen frame is cloned back to the same hook's direction
 * (bpf_clone_redirect: egress -> out of DEV again, ingress -> into the stack
 * again), so the copy follows the original. The copy carries DUP_MARK so the
 * program lets it through untouched when it comes by again. Returns
 * TC_ACT_UNSPEC so the next filter (loss.bpf.c) still sees the frame.
 * impair_stats: [0] frames of PORT seen, [1] duplicated, [2] clone failures.
 */
#include "match.bpf.h"

#ifndef PER_MILLE
#define PER_MILLE 10
#endif
#ifdef INGRESS
#define REDIRECT_FLAGS BPF_F_INGRESS
#else
#define REDIRECT_FLAGS 0
#endif
#define DUP_MARK 0x0d0b1e00

SEC("tc")
int dup(struct __sk_buff *skb)
{
	__u32 mark;
	int err;

	if (skb->mark == DUP_MARK) {
		skb->mark = 0; /* the copy, coming by again */
		return TC_ACT_UNSPEC;
	}
	if (!impair_match(skb))
		return TC_ACT_UNSPEC;
	impair_count(0);
	if (bpf_get_prandom_u32() % 1000 >= PER_MILLE)
		return TC_ACT_UNSPEC;
	mark = skb->mark;
	skb->mark = DUP_MARK;
	err = bpf_clone_redirect(skb, skb->ifindex, REDIRECT_FLAGS);
	skb->mark = mark;
	impair_count(err ? 2 : 1);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
