// SPDX-License-Identifier: GPL-2.0
/* Drops TCP frames of one port on the way out, as the wire would: with
 * TC_ACT_STOLEN the sender's dev_queue_xmit() reports success. A DROP in
 * iptables OUTPUT (or TC_ACT_SHOT here) is reported back to the sending
 * socket, and kernel TCP simply sends the segment again at once: a delay,
 * not a loss. (Incoming frames are dropped by iptables INPUT: the remote
 * sender learns nothing.) Built like dup.bpf.c:
 *
 *   clang ... -DPORT=7007 -DPER_MILLE=10 -c loss.bpf.c -o loss.o
 *   tc filter add dev DEV egress pref 20 bpf da obj loss.o sec tc
 *
 * impair_stats: [0] frames of PORT seen, [1] dropped.
 */
#include "match.bpf.h"

#ifndef PER_MILLE
#define PER_MILLE 10
#endif

SEC("tc")
int loss(struct __sk_buff *skb)
{
	if (!impair_match(skb))
		return TC_ACT_UNSPEC;
	impair_count(0);
	if (bpf_get_prandom_u32() % 1000 >= PER_MILLE)
		return TC_ACT_UNSPEC;
	impair_count(1);
	return TC_ACT_STOLEN;
}

char LICENSE[] SEC("license") = "GPL";
