/* TIME-WAIT without a TCB (DESIGN.md step 5): the compact entry answers
 * retransmitted FINs and unacceptable segments with the final ACK, built by
 * rewriting the frame into one fixed layout and sent with XDP_TX (after the
 * kernel selftest xdp_synproxy_kern.c). */
#ifndef XDPTCP_TIMEWAIT_BPF_H
#define XDPTCP_TIMEWAIT_BPF_H

#include "csum.bpf.h"
#include "slow.bpf.h"
#include "xdptcp/seq.h"

#define TW_DEFAULT_TIMEOUT_NS (60ull * 1000000000ull) /* 2*MSL, MSL 30 s */
#define TW_TTL 64
#define IP_DF 0x4000

/* The reply: Ethernet, IPv4 without options, TCP with NOP,NOP,TS or none. */
#define TW_IP_OFF 14
#define TW_TCP_OFF (TW_IP_OFF + 20)
#define TW_OPT_OFF (TW_TCP_OFF + 20)
#define TW_REPLY_LEN TW_OPT_OFF
#define TW_REPLY_LEN_TS (TW_OPT_OFF + 12)

/* The slot of key in bucket b, live or expired, or NULL. Slots of other
 * local addresses with the same (raddr, rport, lport) are skipped. */
static __always_inline struct xdptcp_tw_slot *tw_bucket_find(__u32 b, __u64 word, __be32 laddr)
{
	struct xdptcp_tw_bucket *bk = bpf_map_lookup_elem(&timewait, &b);

	if (!bk)
		return NULL;
	for (int i = 0; i < XDPTCP_TW_WAYS; i++) {
		struct xdptcp_tw_slot *s = &bk->slot[i];
		__u32 idx;
		__be32 *la;

		if (xdptcp_tw_slot_word(s) != word)
			continue;
		/* deadline before the key (userspace stores them in the other
		 * order): a slot rewritten meanwhile fails one of the two */
		if (!*(volatile __u32 *)&s->deadline)
			continue;
		asm volatile("" ::: "memory");
		if (xdptcp_tw_slot_word(s) != word)
			continue;
		idx = s->laddr_idx;
		la = bpf_map_lookup_elem(&laddrs, &idx);
		if (la && *la == laddr)
			return s;
	}
	return NULL;
}

/* An entry past its deadline is absent, so the reaper never races us.
 * Reads the clock only when there is an entry: most frames have none.
 * *deadline: the slot's deadline as judged live (for tw_path's restart). */
static __always_inline struct xdptcp_tw_slot *tw_lookup_live(const struct xdptcp_flow_key *key,
							     __u64 *now, __u32 *deadline)
{
	struct xdptcp_config *cfg = bpf_map_lookup_elem(&config, &(__u32){0});
	struct xdptcp_tw_slot *s;
	__u32 b1, b2;
	__u64 word;

	if (!cfg || !cfg->tw_buckets)
		return NULL; /* no table */
	word = xdptcp_tw_word(key->raddr, key->rport, key->lport);
	xdptcp_tw_buckets(key->raddr, key->laddr, key->rport, key->lport, cfg->tw_seed,
			  cfg->tw_buckets, &b1, &b2);
	s = tw_bucket_find(b1, word, key->laddr);
	if (!s)
		s = tw_bucket_find(b2, word, key->laddr);
	if (!s)
		return NULL;
	*now = bpf_ktime_get_ns();
	*deadline = *(volatile __u32 *)&s->deadline;
	if (!xdptcp_tw_live(*deadline, xdptcp_ts_clock(*now))) {
		stat_inc(XDPTCP_STAT_TW_EXPIRED);
		return NULL;
	}
	return s;
}

static __always_inline int tw_answer(struct xdp_md *ctx, const struct pkt *p,
				     const struct xdptcp_tw_slot *tw, __u64 now)
{
	int with_ts = tw->flags & XDPTCP_TW_TS;
	__u32 len = with_ts ? TW_REPLY_LEN_TS : TW_REPLY_LEN;
	__u32 tcp_len = len - sizeof(struct ethhdr) - sizeof(struct iphdr);
	unsigned char mac_r[ETH_ALEN], mac_l[ETH_ALEN];
	struct ethhdr *eth = pkt_data(ctx);
	struct iphdr *ip;
	struct tcphdr *tcp;
	__u32 *opts;
	void *end;
	__u64 sum;

	if ((void *)(eth + 1) > pkt_end(ctx))
		return drop(XDPTCP_STAT_DROP_ETH_TRUNC);
	__builtin_memcpy(mac_r, eth->h_source, ETH_ALEN);
	__builtin_memcpy(mac_l, eth->h_dest, ETH_ALEN);
	/* Options, payload and padding go; a short frame grows. */
	if (bpf_xdp_adjust_tail(ctx, (int)len - (int)bpf_xdp_get_buff_len(ctx)))
		return drop(XDPTCP_STAT_DROP_NO_ROOM);
	eth = pkt_data(ctx);
	end = pkt_end(ctx);
	ip = (void *)eth + TW_IP_OFF;
	tcp = (void *)eth + TW_TCP_OFF;
	opts = (void *)eth + TW_OPT_OFF;
	if ((void *)opts > end || (with_ts && (void *)(opts + 3) > end))
		return drop(XDPTCP_STAT_DROP_NO_ROOM);

	__builtin_memcpy(eth->h_dest, mac_r, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac_l, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0;
	ip->tot_len = bpf_htons(len - sizeof(struct ethhdr));
	ip->id = 0;
	ip->frag_off = bpf_htons(IP_DF);
	ip->ttl = TW_TTL;
	ip->protocol = IPPROTO_TCP;
	ip->check = 0;
	ip->saddr = p->key.laddr;
	ip->daddr = p->key.raddr;
	ip->check = ~csum_fold(csum_words_fixed(ip, 5));

	tcp->source = p->key.lport;
	tcp->dest = p->key.rport;
	tcp->seq = bpf_htonl(tw->snd_nxt);
	tcp->ack_seq = bpf_htonl(tw->rcv_nxt);
	/* data offset and flags share one 16-bit word */
	((__u16 *)tcp)[6] = bpf_htons(((tcp_len / 4) << 12) | TCPF_ACK);
	tcp->window = bpf_htons(tw->window);
	tcp->check = 0;
	tcp->urg_ptr = 0;
	if (with_ts) {
		/* RFC 7323 section 3.2: our clock, echo TS.Recent. */
		opts[0] = bpf_htonl(0x0101080a);
		opts[1] = bpf_htonl(xdptcp_ts_clock(now) + tw->ts_offset);
		opts[2] = bpf_htonl(tw->ts_recent);
	}
	sum = csum_tcp_pseudo(p->key.laddr, p->key.raddr, tcp_len);
	if (with_ts)
		sum += csum_words_fixed(tcp, 8);
	else
		sum += csum_words_fixed(tcp, 5);
	tcp->check = ~csum_fold(sum);

	stat_inc(XDPTCP_STAT_TW_REACK);
	stat_inc(XDPTCP_STAT_TX);
	return XDP_TX;
}

/* RFC 6191 section 2: when both incarnations use timestamps, a SYN may
 * start a new one only with a TSval above TS.Recent; otherwise only with a
 * sequence number above RCV.NXT (RFC 1122 section 4.2.2.13). */
static __always_inline int tw_syn_acceptable(const struct pkt *p, const struct xdptcp_tw_slot *tw)
{
	if ((tw->flags & XDPTCP_TW_TS) && p->has_ts)
		return xdptcp_seq_gt(p->tsval, tw->ts_recent);
	return xdptcp_seq_gt(p->seq, tw->rcv_nxt);
}

/* RFC 9293 section 3.10.7.4 (TIME-WAIT), RFC 1337, RFC 6191. */
static __always_inline int tw_path(struct xdp_md *ctx, const struct pkt *p,
				   struct xdptcp_tw_slot *tw, __u32 deadline, __u64 now)
{
	if (p->flags & TCPF_RST)
		return drop(XDPTCP_STAT_TW_RST_IGNORED);
	if ((p->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN && tw_syn_acceptable(p, tw))
		return slow_noslot(ctx, p, XDPTCP_V_TW_SYN, XDPTCP_STAT_TW_SYN);
	if (p->payload_len)
		return slow_noslot(ctx, p, XDPTCP_V_SLOW, XDPTCP_STAT_SLOW_TW);
	if (p->flags & TCPF_FIN) {
		struct xdptcp_config *cfg = bpf_map_lookup_elem(&config, &(__u32){0});
		__u64 timeout =
		    cfg && cfg->tw_timeout_ns ? cfg->tw_timeout_ns : TW_DEFAULT_TIMEOUT_NS;

		/* RFC 9293: acknowledge it and restart the 2 MSL timeout.
		 * A compare-and-swap from the deadline found live, so a slot
		 * userspace emptied or reused since is left alone (the
		 * restart is lost, harmlessly). */
		__sync_val_compare_and_swap(&tw->deadline, deadline,
					    xdptcp_tw_deadline(now + timeout));
		stat_inc(XDPTCP_STAT_TW_FIN);
		return tw_answer(ctx, p, tw, now);
	}
	if ((p->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_ACK && p->seq == tw->rcv_nxt &&
	    p->ack == tw->snd_nxt)
		return drop(XDPTCP_STAT_TW_ACK_IGNORED);
	return tw_answer(ctx, p, tw, now);
}

#endif
