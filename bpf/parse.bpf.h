/* Bounds-checked parsing of Ethernet/IPv4/TCP into struct pkt. Every read is
 * preceded by a check against data_end; lengths come from the headers only
 * after they have been checked against the frame. */
#ifndef XDPTCP_PARSE_BPF_H
#define XDPTCP_PARSE_BPF_H

#include "verdict.bpf.h"
#include <bpf/bpf_endian.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_TS 8
#define TCPOLEN_TS 10
#define TCP_MAX_OPTLEN 40

/* What the decision tree needs from one frame, host byte order unless the
 * field belongs to the flow key. */
struct pkt {
	struct xdptcp_flow_key key;
	__u32 seq;
	__u32 ack;
	__u32 tsval;
	__u32 tsecr;
	__u16 ihl_len;	/* IPv4 header bytes (20..60) */
	__u16 tot_len;	/* IPv4 total length; Ethernet padding beyond is ignored */
	__u16 frag;	/* IPv4 flags + fragment offset */
	__u16 tcp_len;	/* tot_len - ihl_len */
	__u16 doff_len; /* TCP header bytes (20..60) once check_tcp_doff passed */
	__u16 payload_len;
	__u16 window;
	__u8 flags;	 /* TCP flag byte (offset 13) */
	__u8 has_ts;	 /* a well-formed timestamps option was seen */
	__u8 other_opts; /* an option other than EOL/NOP/TS was seen */
};

static __always_inline void *pkt_data(struct xdp_md *ctx) { return (void *)(long)ctx->data; }

static __always_inline void *pkt_end(struct xdp_md *ctx) { return (void *)(long)ctx->data_end; }

/* Ethernet, IPv4 and the fixed TCP header: enough to find the owner.
 * Returns PKT_CONTINUE or the XDP action for frames that end here. */
static __always_inline int parse_headers(struct xdp_md *ctx, struct pkt *p)
{
	void *data = pkt_data(ctx), *end = pkt_end(ctx);
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct tcphdr *tcp;
	__u32 ihl_len, tot_len;

	if ((void *)(eth + 1) > end)
		return drop(XDPTCP_STAT_DROP_ETH_TRUNC);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return pass(XDPTCP_STAT_PASS_NOT_IP);
	if ((void *)(ip + 1) > end)
		return drop(XDPTCP_STAT_DROP_IP_TRUNC);
	if (ip->version != 4 || ip->ihl < 5)
		return drop(XDPTCP_STAT_DROP_IP_HDR);
	if (ip->protocol != IPPROTO_TCP)
		return pass(XDPTCP_STAT_PASS_NOT_TCP);
	ihl_len = ip->ihl * 4;
	if ((void *)ip + ihl_len > end)
		return drop(XDPTCP_STAT_DROP_IP_TRUNC);
	/* A frame longer than tot_len carries Ethernet padding: legal, ignored. */
	tot_len = bpf_ntohs(ip->tot_len);
	if ((void *)ip + tot_len > end || tot_len < ihl_len)
		return drop(XDPTCP_STAT_DROP_IP_LEN);
	p->frag = bpf_ntohs(ip->frag_off);
	/* Later fragments carry no ports: we cannot tell whose they are. */
	if (p->frag & IP_OFFMASK)
		return pass(XDPTCP_STAT_PASS_FRAGMENT);
	if (tot_len < ihl_len + sizeof(*tcp))
		return drop(XDPTCP_STAT_DROP_TCP_TRUNC);
	tcp = (void *)ip + ihl_len;
	if ((void *)(tcp + 1) > end) /* implied by tot_len; the verifier needs it */
		return drop(XDPTCP_STAT_DROP_TCP_TRUNC);

	p->key.raddr = ip->saddr;
	p->key.laddr = ip->daddr;
	p->key.rport = tcp->source;
	p->key.lport = tcp->dest;
	p->key.family = 2; /* AF_INET */
	p->ihl_len = ihl_len;
	p->tot_len = tot_len;
	p->tcp_len = tot_len - ihl_len;
	p->seq = bpf_ntohl(tcp->seq);
	p->ack = bpf_ntohl(tcp->ack_seq);
	p->window = bpf_ntohs(tcp->window);
	p->flags = ((__u8 *)tcp)[13];
	p->doff_len = tcp->doff * 4;
	return PKT_CONTINUE;
}

/* Data offset within the segment (RFC 9293 section 3.1). */
static __always_inline int check_tcp_doff(struct pkt *p)
{
	if (p->doff_len < sizeof(struct tcphdr) || p->doff_len > p->tcp_len)
		return drop(XDPTCP_STAT_DROP_TCP_DOFF);
	p->payload_len = p->tcp_len - p->doff_len;
	return PKT_CONTINUE;
}

/* What tcp_opts_walk found. */
struct tcp_opts {
	__u32 tsval;
	__u32 tsecr;
	__u32 has_ts;
	__u32 other;
};

/* Options (RFC 9293 section 3.1): EOL and NOP are one byte, every other kind
 * has a length byte >= 2 and must end inside the header. Records timestamps
 * (RFC 7323 section 3) and whether any other option is present. Returns 0,
 * or -1 for a malformed option.
 * A global function: the verifier checks it once, on its own, instead of
 * walking the rest of the program once per way through this loop. */
__noinline int tcp_opts_walk(struct xdp_md *ctx, __u32 off, __u32 optlen, struct tcp_opts *o)
{
	void *end = pkt_end(ctx);
	__u8 *opt;
	__u32 i = 0;

	if (!o || off > sizeof(struct ethhdr) + 60 + sizeof(struct tcphdr) ||
	    optlen > TCP_MAX_OPTLEN)
		return -1;
	opt = pkt_data(ctx) + off;
	/* Every pass moves i forward, so the verifier sees the loop end;
	 * a separate iteration counter would multiply its states. */
	while (i < optlen && i < TCP_MAX_OPTLEN) {
		__u8 *b = opt + i;
		__u8 kind, len;

		if ((void *)(b + 1) > end)
			return -1;
		kind = b[0];
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > optlen || (void *)(b + 2) > end)
			return -1;
		len = b[1];
		if (len < 2 || i + len > optlen)
			return -1;
		if (kind == TCPOPT_TS && len == TCPOLEN_TS) {
			if ((void *)(b + TCPOLEN_TS) > end)
				return -1;
			o->tsval = bpf_ntohl(*(__u32 *)(b + 2));
			o->tsecr = bpf_ntohl(*(__u32 *)(b + 6));
			o->has_ts = 1;
		} else {
			o->other = 1;
		}
		i += len;
	}
	return 0;
}

static __always_inline int parse_tcp_opts(struct xdp_md *ctx, struct pkt *p)
{
	__u32 off = sizeof(struct ethhdr) + p->ihl_len + sizeof(struct tcphdr);
	__u32 optlen = p->doff_len - sizeof(struct tcphdr);
	__u8 *opt = pkt_data(ctx) + off;
	struct tcp_opts o = {};

	if (optlen == 0)
		return PKT_CONTINUE;
	/* The common layout (Linux, BSD): NOP, NOP, TS. */
	if (optlen == 12 && (void *)(opt + 12) <= pkt_end(ctx) &&
	    *(__u32 *)opt == bpf_htonl(0x0101080a)) {
		p->tsval = bpf_ntohl(*(__u32 *)(opt + 4));
		p->tsecr = bpf_ntohl(*(__u32 *)(opt + 8));
		p->has_ts = 1;
		return PKT_CONTINUE;
	}
	if (tcp_opts_walk(ctx, off, optlen, &o))
		return drop(XDPTCP_STAT_DROP_TCP_OPT);
	p->tsval = o.tsval;
	p->tsecr = o.tsecr;
	p->has_ts = o.has_ts;
	p->other_opts = o.other;
	return PKT_CONTINUE;
}

/* RFC 9293 gives no meaning to SYN with FIN or RST: scanners and attacks. */
static __always_inline int check_tcp_flags(const struct pkt *p)
{
	if ((p->flags & TCPF_SYN) && (p->flags & (TCPF_FIN | TCPF_RST)))
		return drop(XDPTCP_STAT_DROP_TCP_FLAGS);
	return PKT_CONTINUE;
}

#endif
