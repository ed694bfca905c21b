/* Checks for frames of flows we own, after the owner is known: a frame we
 * do not own is passed whatever is wrong with it. Header-only segments get
 * their TCP checksum verified here because XDP consumes or answers them;
 * userspace verifies every segment with payload. */
#ifndef XDPTCP_VALIDATE_BPF_H
#define XDPTCP_VALIDATE_BPF_H

#include "csum.bpf.h"
#include "parse.bpf.h"

static __always_inline int check_ip_csum(struct xdp_md *ctx, const struct pkt *p)
{
	void *ip = pkt_data(ctx) + sizeof(struct ethhdr);
	__u32 folded;

	if (p->ihl_len == 20 && ip + 20 <= pkt_end(ctx))
		folded = csum_fold(csum_words_fixed(ip, 5));
	else
		folded = csum_words_var(ctx, sizeof(struct ethhdr), p->ihl_len / 4, 0);
	if (folded != CSUM_GOOD)
		return drop(XDPTCP_STAT_DROP_IP_CSUM);
	return PKT_CONTINUE;
}

/* Header-only segments: doff_len is the whole segment. */
static __always_inline int check_tcp_csum(struct xdp_md *ctx, const struct pkt *p)
{
	__u32 off = sizeof(struct ethhdr) + p->ihl_len;
	void *tcp = pkt_data(ctx) + off;
	__u64 sum = csum_tcp_pseudo(p->key.raddr, p->key.laddr, p->doff_len);
	__u32 folded;

	if (p->doff_len == 32 && tcp + 32 <= pkt_end(ctx)) /* with timestamps */
		folded = csum_fold(sum + csum_words_fixed(tcp, 8));
	else if (p->doff_len == 20 && tcp + 20 <= pkt_end(ctx))
		folded = csum_fold(sum + csum_words_fixed(tcp, 5));
	else
		folded = csum_words_var(ctx, off, p->doff_len / 4, sum);
	if (folded != CSUM_GOOD)
		return drop(XDPTCP_STAT_DROP_TCP_CSUM);
	return PKT_CONTINUE;
}

static __always_inline int check_owned(struct xdp_md *ctx, struct pkt *p)
{
	int act;

	/* Reassembly is the kernel's job, and the kernel must not see our
	 * flows: a first fragment (MF set, offset 0) of an owned flow dies. */
	if (p->frag & IP_MF)
		return drop(XDPTCP_STAT_DROP_FRAGMENT);
	act = check_ip_csum(ctx, p);
	if (act != PKT_CONTINUE)
		return act;
	act = check_tcp_doff(p);
	if (act != PKT_CONTINUE)
		return act;
	act = parse_tcp_opts(ctx, p);
	if (act != PKT_CONTINUE)
		return act;
	act = check_tcp_flags(p);
	if (act != PKT_CONTINUE)
		return act;
	if (p->payload_len == 0)
		return check_tcp_csum(ctx, p);
	return PKT_CONTINUE;
}

#endif
