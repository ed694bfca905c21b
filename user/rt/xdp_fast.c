/* The shared maps kept in step with the engine (ISSUE5.md "integration
 * idea"): the engine's TCB is the truth; the slot mirrors it. XDP may
 * advance snd_una/snd_wnd of a `fast` slot (ACKs it consumed): before the
 * engine decides anything, rt_sync_in() feeds it a synthesized pure ACK
 * carrying what XDP applied. rt_sync_out() writes the engine's view back
 * and hands the flow to XDP only in ESTABLISHED with nothing unusual
 * pending (DESIGN.md "Who writes what"), as XDPTCP_FAST_ARMING: XDP
 * takes it (2 -> 1) at the first frame that fits behind what is still on
 * its way to us. Until then we refresh the slot each iteration: CAS 2 -> 0
 * (the slot is ours, as after a hand-back), mirror, arm again; a lost CAS
 * means XDP took the flow or handed it back, and that wins.
 *
 * This file reads engine internals (tcp/tcp_priv.h) to judge "nothing
 * unusual pending"; it writes none of them. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>
#include "rt/xdp_rt.h"
#include "tcp/tcp_priv.h"
#include "xdptcp/seq.h"

/* The whole slot from the engine, fast off (the caller owns the slot). */
static void mirror_all(struct rt *rt, struct rt_sock *s)
{
	struct xdptcp_tcb *t = &rt->slots.tcbs[s->slot];
	struct xdptcp_tcb v;
	const struct tcp_conn *c = s->c;

	memset(&v, 0, sizeof(v));
	tcp_fill_tcb(c, &v);
	t->state = v.state;
	t->opts = v.opts;
	t->snd_wscale = v.snd_wscale;
	t->rcv_wscale = v.rcv_wscale;
	t->snd_una = v.snd_una;
	t->snd_nxt = c->snd_max; /* ACKs up to the highest byte sent are fine */
	t->snd_wnd = v.snd_wnd;
	t->rcv_nxt = v.rcv_nxt;
	t->rcv_adv = v.rcv_adv;
	t->ts_recent = v.ts_recent;
	t->ts_offset = v.ts_offset;
	t->mss = v.mss;
	t->dupacks = 0;
	t->queue = s->queue;
	t->notify_seq = v.snd_una;
	t->tsecr_last = 0;
}

int rt_flow_insert(struct rt *rt, struct rt_sock *s)
{
	struct xdptcp_flow val;

	if (!s->has_slot)
		return 0;
	mirror_all(rt, s);
	/* XDP's from here on; an arming flow may continue from it */
	rt->slots.tcbs[s->slot].up_end = rt->slots.tcbs[s->slot].rcv_nxt;
	tcp_flow_key(s->c, &s->key);
	val.slot = s->slot;
	val.generation = s->gen;
	if (bpf_map_update_elem(rt_map_fd(rt, XDPTCP_MAP_FLOWS), &s->key, &val, BPF_ANY))
		return -errno;
	s->flow_in = true;
	return 0;
}

void rt_flow_remove(struct rt *rt, struct rt_sock *s)
{
	if (s->has_slot) {
		__atomic_store_n(&rt->slots.tcbs[s->slot].fast, 0, __ATOMIC_SEQ_CST);
		s->fast = false;
	}
	if (!s->flow_in)
		return;
	bpf_map_delete_elem(rt_map_fd(rt, XDPTCP_MAP_FLOWS), &s->key);
	s->flow_in = false;
}

void rt_sync_in(struct rt *rt, struct rt_sock *s)
{
	struct xdptcp_tcb *t;
	struct xdptcp_tcb v;
	struct tcp_seg seg;
	struct tcp_conn *c = s->c;
	uint32_t una;

	if (!c || !s->has_slot)
		return;
	t = &rt->slots.tcbs[s->slot];
	una = __atomic_load_n(&t->snd_una, __ATOMIC_ACQUIRE);
	/* every slotted socket, every iteration: the cheap test first */
	if (!xdptcp_seq_gt(una, c->snd_una) || xdptcp_seq_gt(una, c->snd_max))
		return;
	tcp_fill_tcb(c, &v);
	/* A pure ACK as the peer sent it, in the engine's terms: SEQ = RCV.NXT
	 * so it is acceptable; TSval = TS.Recent so PAWS passes and frames
	 * still queued behind it are not judged old; TSecr gives the RTT. */
	memset(&seg, 0, sizeof(seg));
	seg.saddr = c->raddr;
	seg.daddr = c->laddr;
	seg.sport = c->rport;
	seg.dport = c->lport;
	seg.seq = v.rcv_nxt;
	seg.ack = una;
	seg.flags = TCP_ACK;
	seg.wnd = (uint16_t)(__atomic_load_n(&t->snd_wnd, __ATOMIC_RELAXED) >> v.snd_wscale);
	if (v.opts & XDPTCP_OPT_TS) {
		seg.opts = TCP_OPT_TS;
		seg.tsval = v.ts_recent;
		seg.tsecr = t->tsecr_last ? t->tsecr_last : v.ts_recent;
	}
	rt_count(rt, XDPTCP_RT_SYNC_ACKS, 1);
	tcp_input(rt->st, &seg, rt->now);
}

/* RFC 9293 states aside, what the fast path cannot judge: our FIN, the
 * peer's FIN, data out of order, loss recovery, a retransmission under
 * way, a closed window either way (persist / window probes). Returns 0
 * when eligible, else the rt_slow_* counter saying why not. */
static int why_slow(const struct tcp_conn *c)
{
	if (c->state != XDPTCP_ESTABLISHED)
		return XDPTCP_RT_SLOW_STATE;
	if (c->flags & (CF_FIN_QUEUED | CF_FIN_SENT | CF_PEER_FIN | CF_OOO_FIN))
		return XDPTCP_RT_SLOW_FIN;
	if ((c->flags & CF_RECOVERY) || c->dupacks)
		return XDPTCP_RT_SLOW_RECOVERY;
	if (rbuf_has_ooo(&c->rcv))
		return XDPTCP_RT_SLOW_OOO;
	if (c->snd_nxt != c->snd_max)
		return XDPTCP_RT_SLOW_RETRANSMIT;
	if (!c->snd_wnd || c->persist_at)
		return XDPTCP_RT_SLOW_SND_WND;
	if (!xdptcp_seq_gt(c->rcv_adv, c->rcv_nxt))
		return XDPTCP_RT_SLOW_RCV_WND;
	return 0;
}

static bool eligible(const struct tcp_conn *c) { return why_slow(c) == 0; }

/* An ACK XDP consumes is invisible to us: ask for the one that reaches
 * half of what is in flight whenever more is waiting to go out (unsent
 * bytes, or an app waiting for space), so the ACK clock keeps running. */
static uint32_t notify_seq(const struct rt_sock *s)
{
	const struct tcp_conn *c = s->c;
	uint32_t inflight = c->snd_max - c->snd_una;
	uint32_t end = c->sbuf_seq + (uint32_t)c->snd.len;
	bool waiting = s->want_writable || xdptcp_seq_gt(end, c->snd_max);

	if (!waiting || !inflight)
		return c->snd_una;
	return c->snd_una + (inflight / 2 ? inflight / 2 : 1);
}

void rt_fast_take_back(struct rt *rt, struct rt_sock *s)
{
	if (!s->has_slot)
		return;
	__atomic_store_n(&rt->slots.tcbs[s->slot].fast, 0, __ATOMIC_SEQ_CST);
	if (s->fast)
		rt_count(rt, XDPTCP_RT_FAST_OFF, 1);
	s->fast = false;
	/* what XDP applied before it saw fast == 0 is input now */
	rt_sync_in(rt, s);
}

bool rt_fast_disarm(struct xdptcp_tcb *t, uint8_t *f)
{
	uint8_t want = XDPTCP_FAST_ARMING;

	if (__atomic_compare_exchange_n(&t->fast, &want, XDPTCP_FAST_OFF, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return true;
	*f = want;
	return false;
}

void rt_sync_out(struct rt *rt, struct rt_sock *s)
{
	struct tcp_conn *c = s->c;
	struct xdptcp_tcb *t;
	bool rearm = false;
	uint8_t f;
	int why;

	if (!c || !s->has_slot || !s->flow_in)
		return;
	t = &rt->slots.tcbs[s->slot];
	f = s->fast ? __atomic_load_n(&t->fast, __ATOMIC_ACQUIRE) : XDPTCP_FAST_OFF;
	if (f == XDPTCP_FAST_ARMING && eligible(c) && t->rcv_nxt == c->rcv_nxt &&
	    t->snd_una == c->snd_una) {
		/* nothing new for XDP to compare against (an idle flow) */
		t->snd_nxt = c->snd_max;
		t->rcv_adv = c->rcv_adv;
		__atomic_store_n(&t->notify_seq, notify_seq(s), __ATOMIC_RELEASE);
		return;
	}
	/* Not taken yet: XDP wrote nothing but up_end; refresh what it will
	 * compare against (the engine read frames ahead meanwhile). */
	if (f == XDPTCP_FAST_ARMING && rt_fast_disarm(t, &f)) {
		rearm = true;
		s->fast = false;
	}
	if (rearm) {
		/* straight on to mirror and arm again */
	} else if (s->fast && f == XDPTCP_FAST_ON) {
		if (eligible(c)) {
			/* userspace's fields only (DESIGN.md) */
			t->snd_nxt = c->snd_max;
			t->rcv_adv = c->rcv_adv;
			__atomic_store_n(&t->notify_seq, notify_seq(s), __ATOMIC_RELEASE);
			return;
		}
		rt_fast_take_back(rt, s);
		c = s->c; /* the synthesized ACK may have ended it */
		if (!c)
			return;
	} else if (s->fast) {
		/* XDP handed it back (the hand-off frame may still be queued) */
		s->fast = false;
		rt_count(rt, XDPTCP_RT_FAST_OFF, 1);
		rt_sync_in(rt, s);
		c = s->c;
		if (!c)
			return;
	}
	mirror_all(rt, s);
	why = why_slow(c);
	if (why) {
		if (rearm)
			rt_count(rt, XDPTCP_RT_FAST_OFF, 1);
		rt_count(rt, (enum xdptcp_rt_stat)why, 1);
		return;
	}
	t->notify_seq = notify_seq(s);
	__atomic_store_n(&t->fast, XDPTCP_FAST_ARMING, __ATOMIC_RELEASE);
	s->fast = true;
	rt_count(rt, rearm ? XDPTCP_RT_FAST_REARM : XDPTCP_RT_FAST_ON, 1);
}

void rt_slotted_walk(struct rt *rt, void (*fn)(struct rt *, struct rt_sock *))
{
	for (struct rt_sock *s = rt->slotted; s; s = rt->walk_next) {
		rt->walk_next = s->snext;
		fn(rt, s);
	}
	rt->walk_next = NULL;
}

/* Before segments go out: the window they advertise, too, or the peer's
 * data that fills it looks "beyond the window" to XDP (slow_seq) when the
 * TX batch is flushed mid-iteration. rcv_adv only moves right (RFC 9293
 * 3.8.6.2.2: the window is not shrunk). No list changes in here: safe
 * inside a walk. */
void rt_publish_sent(struct rt *rt)
{
	for (struct rt_sock *s = rt->slotted; s; s = s->snext) {
		struct xdptcp_tcb *t = &rt->slots.tcbs[s->slot];

		if (!s->fast || !s->c)
			continue;
		__atomic_store_n(&t->snd_nxt, s->c->snd_max, __ATOMIC_RELEASE);
		if (xdptcp_seq_gt(s->c->rcv_adv, t->rcv_adv))
			__atomic_store_n(&t->rcv_adv, s->c->rcv_adv, __ATOMIC_RELEASE);
	}
}

/* After a crash: the old control plane's connections are gone with it
 * (their buffers died with the process). Their flows go, and each peer is
 * told with an RST built from the slot's last mirror (RFC 9293 3.10.5:
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>); a peer whose RCV.NXT is
 * behind answers with a challenge ACK (RFC 5961 3.2), which reaches the
 * served port as a stranger and gets the engine's exact RST. Returns the
 * RSTs to send later (once the xsk exists) in out[0..max). */
unsigned int rt_flows_clear_stale(struct rt *rt, struct tcp_seg *out, unsigned int max)
{
	int fd = rt_map_fd(rt, XDPTCP_MAP_FLOWS);
	struct xdptcp_flow_key k;
	struct xdptcp_flow f;
	unsigned int n = 0;

	while (!bpf_map_get_next_key(fd, NULL, &k)) {
		if (!bpf_map_lookup_elem(fd, &k, &f) && f.slot < rt->slots.n && n < max) {
			const struct xdptcp_tcb *t = &rt->slots.tcbs[f.slot];

			if (t->generation == f.generation && (t->state == XDPTCP_ESTABLISHED ||
							       t->state == XDPTCP_CLOSE_WAIT ||
							       t->state == XDPTCP_FIN_WAIT_1 ||
							       t->state == XDPTCP_FIN_WAIT_2)) {
				struct tcp_seg *r = &out[n++];

				memset(r, 0, sizeof(*r));
				r->saddr = ntohl(k.laddr);
				r->daddr = ntohl(k.raddr);
				r->sport = ntohs(k.lport);
				r->dport = ntohs(k.rport);
				r->seq = t->snd_nxt;
				r->ack = __atomic_load_n(&t->rcv_nxt, __ATOMIC_RELAXED);
				r->flags = TCP_RST | TCP_ACK;
			}
		}
		if (bpf_map_delete_elem(fd, &k))
			break;
		rt_count(rt, XDPTCP_RT_STALE_FLOWS, 1);
	}
	return n;
}
