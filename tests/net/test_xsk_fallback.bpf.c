/* Stand-in for bpf/xdptcp.bpf.c while its slow path is not written: redirect
 * every TCP or UDP frame to a port in `ports` to the xsk of its RX queue,
 * with xdptcp metadata {verdict SLOW, reason slow_listen}. Same maps as the
 * real program (bpf/maps.bpf.h). Compiled by tests/net/test_xsk.sh only. */
#include "maps.bpf.h"
#include "xdptcp/meta.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>

SEC("xdp")
int xsk_fallback(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__be16 port;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl != 5)
		return XDP_PASS;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(ip + 1);

		if ((void *)(th + 1) > end)
			return XDP_PASS;
		port = th->dest;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(ip + 1);

		if ((void *)(uh + 1) > end)
			return XDP_PASS;
		port = uh->dest;
	} else {
		return XDP_PASS;
	}
	if (!bpf_map_lookup_elem(&ports, &port))
		return XDP_PASS;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct xdptcp_meta)))
		return XDP_DROP;
	struct xdptcp_meta *m = (void *)(long)ctx->data_meta;

	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return XDP_DROP;
	__builtin_memset(m, 0, sizeof(*m));
	m->magic = XDPTCP_META_MAGIC;
	m->verdict = XDPTCP_V_SLOW;
	m->reason = XDPTCP_STAT_SLOW_LISTEN;
	stat_inc(XDPTCP_STAT_SLOW);
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_DROP);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
