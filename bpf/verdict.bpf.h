/* How a frame leaves the program: XDP_PASS/XDP_DROP with their counter, or a
 * redirect to the queue's AF_XDP socket with struct xdptcp_meta in front. */
#ifndef XDPTCP_VERDICT_BPF_H
#define XDPTCP_VERDICT_BPF_H

#include "maps.bpf.h"
#include "xdptcp/meta.h"
#include <bpf/bpf_helpers.h>
#include <linux/bpf.h>

/* Returned by a stage when the frame goes on down the decision tree. */
#define PKT_CONTINUE (-1)

static __always_inline int drop(__u32 stat)
{
	stat_inc(stat);
	return XDP_DROP;
}

static __always_inline int pass(__u32 stat)
{
	stat_inc(stat);
	return XDP_PASS;
}

/* Metadata in front of the frame, then the xsk of this RX queue. A missing
 * socket (control plane down) drops: the kernel must never see a frame of
 * a flow we own, it would answer with an RST. */
static __always_inline int redirect_meta(struct xdp_md *ctx, const struct xdptcp_meta *m)
{
	struct xdptcp_meta *meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return drop(XDPTCP_STAT_DROP_NO_ROOM);
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return drop(XDPTCP_STAT_DROP_NO_ROOM);
	*meta = *m;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_DROP);
}

#endif
