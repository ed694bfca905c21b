/* The fast path of an established flow (DESIGN.md steps 3 and 4): pure ACKs
 * are applied and consumed, in-order data is applied and redirected with a
 * FAST_DATA verdict. Anything else hands the flow to the control plane.
 * XDP writes only rcv_nxt, snd_una, snd_wnd, dupacks, ts_recent, tsecr_last,
 * last_rx_ns, up_end, and clears fast (or takes an arming flow, 2 -> 1);
 * snd_una, rcv_nxt and an arming `fast` move by CAS. */
#ifndef XDPTCP_FASTPATH_BPF_H
#define XDPTCP_FASTPATH_BPF_H

#include "slow.bpf.h"
#include "xdptcp/seq.h"

#define FAST_DUPACK_LIMIT 3 /* RFC 5681 section 3.2: the third one retransmits */

static __always_inline int fast_data(struct xdp_md *ctx, const struct pkt *p,
				     struct xdptcp_tcb *tcb, __u32 slot, __u64 now)
{
	struct xdptcp_meta m = {};
	__u32 rcv_nxt = p->seq + p->payload_len;

	if (__sync_val_compare_and_swap(&tcb->rcv_nxt, p->seq, rcv_nxt) != p->seq)
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_RACE, now);
	meta_init(&m, p, XDPTCP_V_FAST_DATA, 0);
	m.slot = slot;
	m.generation = tcb->generation;
	m.flags = XDPTCP_META_HAS_SLOT;
	m.rcv_nxt = rcv_nxt;
	tcb->last_rx_ns = now;
	tcb->up_end = rcv_nxt;
	stat_inc(XDPTCP_STAT_FAST_DATA);
	stat_add(XDPTCP_STAT_FAST_DATA_BYTES, p->payload_len);
	return redirect_meta(ctx, &m);
}

/* The 32-bit word holding state, fast, opts and snd_wscale: BPF has no
 * byte-wide compare-and-swap. Userspace writes none of them while arming. */
union tcb_word {
	__u32 w;
	struct {
		__u8 state, fast, opts, snd_wscale;
	} b;
};

#define ARM_GO (-1) /* arm(): the flow is ON now, go on as the fast path */

/* An arming flow (XDPTCP_FAST_ARMING): userspace published its rcv_nxt,
 * but data that went up while fast was 0 may still be on its way there,
 * not counted in it. A frame at rcv_nxt, or one continuing the last data
 * sent up (up_end, in the window), is in order behind that: take the flow
 * (CAS 2 -> 1; rcv_nxt -> up_end). A frame further ahead goes up without
 * a hand-off or a write, so the next one may still fit. Anything else goes
 * on, and the checks after hand it back as for ON. */
static __always_inline int arm(struct xdp_md *ctx, const struct pkt *p, struct xdptcp_tcb *tcb,
			       __u32 slot, __u32 gen, __u64 now)
{
	__u32 rcv = tcb->rcv_nxt, end = tcb->up_end, adv = tcb->rcv_adv;
	union tcb_word old, new;
	int catch_up = 0;

	if (p->seq != rcv) {
		catch_up = p->seq == end && xdptcp_seq_gt(end, rcv) && xdptcp_seq_le(end, adv);
		if (!catch_up) {
			if (xdptcp_seq_gt(p->seq, rcv) && xdptcp_seq_lt(p->seq, adv)) {
				note_up(tcb, p);
				return slow_owned(ctx, p, slot, gen, XDPTCP_STAT_SLOW_ARMING);
			}
			return ARM_GO;
		}
	}
	old.w = *(volatile __u32 *)&tcb->state;
	new.w = old.w;
	new.b.fast = XDPTCP_FAST_ON;
	if (old.b.fast != XDPTCP_FAST_ARMING ||
	    __sync_val_compare_and_swap((__u32 *)&tcb->state, old.w, new.w) != old.w) {
		/* userspace took it back meanwhile: it owns the slot */
		note_up(tcb, p);
		return slow_owned(ctx, p, slot, gen, XDPTCP_STAT_SLOW_RACE);
	}
	if (catch_up && __sync_val_compare_and_swap(&tcb->rcv_nxt, rcv, end) != rcv)
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_RACE, now);
	return ARM_GO;
}

static __always_inline int fast_path(struct xdp_md *ctx, struct pkt *p,
				     const struct xdptcp_flow *flow, __u64 now)
{
	__u32 slot = flow->slot;
	struct xdptcp_tcb *tcb = bpf_map_lookup_elem(&tcbs, &slot);
	__u32 una, nxt, wnd, notify;
	int ts, rc;
	__u8 fast;

	if (!tcb)
		return drop(XDPTCP_STAT_DROP_BAD_SLOT);
	/* A slot being reused: the frame belongs to its previous flow. */
	if (tcb->generation != flow->generation)
		return slow_noslot(ctx, p, XDPTCP_V_SLOW, XDPTCP_STAT_SLOW_STALE_GEN);
	fast = *(volatile __u8 *)&tcb->fast;
	if (fast == XDPTCP_FAST_OFF) {
		note_up(tcb, p);
		return slow_owned(ctx, p, slot, flow->generation, XDPTCP_STAT_SLOW_NOT_FAST);
	}
	/* One flow, one queue: two CPUs never race on a fast slot. */
	if (ctx->rx_queue_index != tcb->queue)
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_QUEUE, now);
	/* RFC 9293 section 3.10.7.4: a segment without ACK is not for us to judge. */
	if ((p->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST | TCPF_URG)) || !(p->flags & TCPF_ACK))
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_FLAGS, now);
	ts = tcb->opts & XDPTCP_OPT_TS;
	/* RFC 7323 section 3.2: with timestamps negotiated every segment
	 * carries one, without them none should. Either surprise is slow. */
	if (p->other_opts || p->has_ts != !!ts)
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_OPTIONS, now);
	/* RFC 7323 section 5.3 (PAWS) */
	if (ts && xdptcp_seq_lt(p->tsval, tcb->ts_recent))
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_PAWS, now);
	if (fast == XDPTCP_FAST_ARMING) {
		rc = arm(ctx, p, tcb, slot, flow->generation, now);
		if (rc != ARM_GO)
			return rc;
	}
	/* In order, and inside the window we advertised (RFC 9293 section 3.10.7.4). */
	if (p->seq != tcb->rcv_nxt ||
	    (p->payload_len && xdptcp_seq_gt(p->seq + p->payload_len, tcb->rcv_adv)))
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_SEQ, now);

	una = tcb->snd_una;
	nxt = tcb->snd_nxt;
	if (xdptcp_seq_lt(p->ack, una) || xdptcp_seq_gt(p->ack, nxt))
		return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_ACK, now);
	wnd = (__u32)p->window << tcb->snd_wscale;
	if (p->ack == una) {
		/* RFC 5681 section 2: no data, same window, data outstanding. */
		if (!p->payload_len && wnd == tcb->snd_wnd && una != nxt) {
			__u16 dup = tcb->dupacks + 1;

			tcb->dupacks = dup;
			if (dup >= FAST_DUPACK_LIMIT)
				return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_DUPACK3,
						    now);
			if (ts)
				tcb->ts_recent = p->tsval;
			tcb->last_rx_ns = now;
			return drop(XDPTCP_STAT_FAST_DUPACK);
		}
	} else {
		if (__sync_val_compare_and_swap(&tcb->snd_una, una, p->ack) != una)
			return slow_handoff(ctx, p, tcb, slot, XDPTCP_STAT_SLOW_RACE, now);
		tcb->dupacks = 0;
	}
	tcb->snd_wnd = wnd;
	/* RFC 7323 section 4.3: seq == rcv_nxt here, so TS.Recent follows. */
	if (ts) {
		tcb->ts_recent = p->tsval;
		tcb->tsecr_last = p->tsecr;
	}

	if (p->payload_len)
		return fast_data(ctx, p, tcb, slot, now);

	tcb->last_rx_ns = now;
	/* Wake the sender: the ACK that reaches notify_seq goes up. */
	notify = tcb->notify_seq;
	if (xdptcp_seq_lt(una, notify) && xdptcp_seq_le(notify, p->ack)) {
		struct xdptcp_meta m = {};

		meta_init(&m, p, XDPTCP_V_ACK_NOTIFY, 0);
		m.slot = slot;
		m.generation = tcb->generation;
		m.flags = XDPTCP_META_HAS_SLOT;
		m.rcv_nxt = tcb->rcv_nxt;
		stat_inc(XDPTCP_STAT_FAST_ACK_NOTIFY);
		return redirect_meta(ctx, &m);
	}
	return drop(XDPTCP_STAT_FAST_ACK);
}

#endif
