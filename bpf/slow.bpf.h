/* Hand-offs to the control plane: a redirect with a SLOW (or TW_SYN)
 * verdict. Every one counts `slow` plus its reason. */
#ifndef XDPTCP_SLOW_BPF_H
#define XDPTCP_SLOW_BPF_H

#include "parse.bpf.h"

static __always_inline void meta_init(struct xdptcp_meta *m, const struct pkt *p, __u8 verdict,
				      __u16 reason)
{
	m->magic = XDPTCP_META_MAGIC;
	m->payload_off = sizeof(struct ethhdr) + p->ihl_len + p->doff_len;
	m->payload_len = p->payload_len;
	m->verdict = verdict;
	m->reason = reason;
}

/* Where the data XDP sent up for a slot ends (any `fast`): an arming flow
 * may continue from there (fastpath.bpf.h arm()). Last frame, not the
 * highest: one far-off frame must not pin it. */
static __always_inline void note_up(struct xdptcp_tcb *tcb, const struct pkt *p)
{
	if (p->payload_len)
		tcb->up_end = p->seq + p->payload_len;
}

/* No slot: served port without a flow, TIME-WAIT, stale generation. */
static __always_inline int slow_noslot(struct xdp_md *ctx, const struct pkt *p, __u8 verdict,
				       __u16 reason)
{
	struct xdptcp_meta m = {};

	meta_init(&m, p, verdict, reason);
	stat_inc(reason);
	stat_inc(XDPTCP_STAT_SLOW);
	return redirect_meta(ctx, &m);
}

/* A slot the control plane already owns (fast == 0): nothing to hand off. */
static __always_inline int slow_owned(struct xdp_md *ctx, const struct pkt *p, __u32 slot,
				      __u32 gen, __u16 reason)
{
	struct xdptcp_meta m = {};

	meta_init(&m, p, XDPTCP_V_SLOW, reason);
	m.slot = slot;
	m.generation = gen;
	m.flags = XDPTCP_META_HAS_SLOT;
	stat_inc(reason);
	stat_inc(XDPTCP_STAT_SLOW);
	return redirect_meta(ctx, &m);
}

/* Hand-off (DESIGN.md "Who writes what"): clearing `fast` is XDP's only
 * write to it; from here userspace owns every field of the slot. */
static __always_inline int slow_handoff(struct xdp_md *ctx, const struct pkt *p,
					struct xdptcp_tcb *tcb, __u32 slot, __u16 reason, __u64 now)
{
	struct xdptcp_meta m = {};

	meta_init(&m, p, XDPTCP_V_SLOW, reason);
	m.slot = slot;
	m.generation = tcb->generation;
	m.flags = XDPTCP_META_HANDOFF | XDPTCP_META_HAS_SLOT;
	m.rcv_nxt = tcb->rcv_nxt;
	tcb->last_rx_ns = now;
	note_up(tcb, p);
	tcb->fast = XDPTCP_FAST_OFF;
	stat_inc(reason);
	stat_inc(XDPTCP_STAT_SLOW);
	return redirect_meta(ctx, &m);
}

#endif
