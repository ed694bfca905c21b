/* Per-connection timers (RFC 9293 3.8): retransmission (RFC 6298),
 * delayed ACK, persist, TIME-WAIT. One wheel timer per connection, armed
 * at the earliest of its deadlines. */
#include "tcp/tcp_priv.h"

void tcp_timer_update(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;
	uint64_t dl;

	if (c->flags & CF_FREEING)
		return;
	dl = tcp_min_dl(tcp_min_dl(c->rto_at, c->delack_at), tcp_min_dl(c->persist_at, c->tw_at));
	if (!dl) {
		if (twheel_armed(&c->timer))
			twheel_cancel(&s->wheel, &c->timer);
		return;
	}
	if (!twheel_armed(&c->timer) || c->timer.deadline != dl)
		twheel_arm(&s->wheel, &c->timer, dl);
}

void tcp_rto_arm(struct tcp_conn *c, uint64_t now) { c->rto_at = now + c->rto; }

static void fill_tw(struct tcp_conn *c, struct tcp_event_info *info)
{
	struct xdptcp_tw *tw = &info->tw;

	tw->deadline_ns = c->tw_at;
	tw->snd_nxt = c->snd_nxt;
	tw->rcv_nxt = c->rcv_nxt;
	tw->ts_recent = c->ts_recent;
	tw->ts_offset = c->ts_offset;
	tw->window = c->last_wnd;
	tw->flags = (c->flags & CF_TS) ? XDPTCP_TW_TS : 0;
	tcp_flow_key(c, &info->key);
}

void tcp_enter_timewait(struct tcp_conn *c, uint64_t now)
{
	struct tcp_event_info info = {0};

	tcp_set_state(c, XDPTCP_TIME_WAIT);
	/* RFC 9293 3.10.7.4: "Enter the TIME-WAIT state. Start the time-wait
	 * timer, turn off the other timers." */
	c->rto_at = c->delack_at = c->persist_at = 0;
	c->tw_at = now + 2 * c->stack->cfg.msl_ns;
	fill_tw(c, &info);
	/* the host hands the entry to XDP whether or not the app holds c */
	tcp_event(c, TCP_EV_TIMEWAIT, &info);
	if ((c->flags & CF_APP_GONE) && !(c->flags & CF_FREEING))
		tcp_tw_shrink(c, now);
}

void tcp_orphan_timeout(struct tcp_conn *c, uint64_t now)
{
	/* Not in RFC 9293: nobody can read or close any more, and a peer
	 * that never sends its FIN would hold the TCB forever (Linux's
	 * tcp_fin_timeout does the same) */
	if ((c->flags & CF_APP_GONE) && c->state == XDPTCP_FIN_WAIT_2) {
		c->tw_at = now + 2 * c->stack->cfg.msl_ns;
		tcp_timer_update(c);
	}
}

int tcp_tw_shrink(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	struct tcp_event_info info = {0};

	if (!s->cfg.tw_compact || c->state != XDPTCP_TIME_WAIT)
		return 0;
	fill_tw(c, &info);
	/* table full: the full TCB keeps doing TIME-WAIT */
	if (s->ops.tw_store ? s->ops.tw_store(s->ops.ctx, &info.key, &info.tw)
			    : tw_insert(&s->tw, &info.key, &info.tw))
		return 0;
	s->stats.tw_compacted++;
	/* the final ACK held by a batch goes now, while the TCB exists */
	tcp_flush_ack(c, now);
	tcp_conn_release(c);
	return 1;
}

int tcp_tw_input(struct tcp_stack *s, const struct tcp_seg *seg, uint64_t now)
{
	struct xdptcp_flow_key key;
	struct xdptcp_tw *tw, copy;
	struct tcp_seg reply;
	uint64_t deadline;
	int host = s->ops.tw_find != NULL;

	if (!s->cfg.tw_compact)
		return 0;
	tw_key_from_seg(&key, seg);
	/* the host's entry is worked on as a copy, written back if changed */
	tw = host ? (s->ops.tw_find(s->ops.ctx, &key, now, &copy) ? &copy : NULL)
		  : tw_lookup(&s->tw, &key, now);
	if (!tw)
		return 0;
	deadline = tw->deadline_ns;
	switch (tw_input(tw, seg, now, 2 * s->cfg.msl_ns, &reply)) {
	case TW_REACK:
		if (host && tw->deadline_ns != deadline)
			s->ops.tw_update(s->ops.ctx, &key, tw);
		s->stats.tw_reacked++;
		s->stats.segs_out++;
		s->ops.output(s->ops.ctx, &reply);
		return -1;
	case TW_REOPEN:
		s->stats.tw_reopened++;
		s->reopen = 1;
		s->reopen_floor = tw->snd_nxt;
		if (host)
			s->ops.tw_drop(s->ops.ctx, &key);
		else
			tw_remove(&s->tw, &key);
		return 1;
	default:
		if (seg->flags & TCP_RST)
			s->stats.rst_in++;
		s->stats.dropped++;
		return -1;
	}
}

static void on_rto(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	int syn = c->state == XDPTCP_SYN_SENT || c->state == XDPTCP_SYN_RECEIVED;
	unsigned limit = syn ? c->syn_retries : c->data_retries;

	s->stats.rto_expired++;
	/* RFC 9293 3.8.3: past R2 retransmissions, close the connection */
	if (++c->retries > limit) {
		if (c->state != XDPTCP_SYN_SENT)
			tcp_send_rst(c, now);
		tcp_conn_reset(c);
		return;
	}
	/* RFC 6298 (5.5): "back off the timer" */
	tcp_rtt_backoff(c);
	c->flags &= ~CF_RTT_TIMING;
	if (syn) {
		c->flags |= CF_SYN_RETX;
		s->stats.retransmits++;
		tcp_send_syn(c, now);
		tcp_rto_arm(c, now);
		return;
	}
	/* RFC 6582 / RFC 5681 3.1 (4): loss window, go back to SND.UNA */
	tcp_cc_timeout(c);
	c->snd_nxt = c->snd_una;
	c->rto_at = 0;
	tcp_output(c, now);
}

static void conn_timeout(struct tcp_conn *c, uint64_t now)
{
	if (c->tw_at && now >= c->tw_at) {
		/* "When the time-wait timeout expires, delete the TCB" */
		c->tw_at = 0;
		tcp_conn_done(c);
		return;
	}
	if (c->delack_at && now >= c->delack_at)
		tcp_send_ack(c, now);
	if (c->rto_at && now >= c->rto_at) {
		c->rto_at = 0;
		on_rto(c, now);
		if (c->state == XDPTCP_CLOSED)
			return;
	}
	if (c->persist_at && now >= c->persist_at) {
		c->persist_at = 0;
		tcp_send_probe(c, now);
	}
	tcp_timer_update(c);
}

uint64_t tcp_timer(struct tcp_stack *s, uint64_t now)
{
	struct twheel_timer *fired[64];
	size_t n;

	tcp_enter(s);
	do {
		n = twheel_expire(&s->wheel, now, fired, 64);
		for (size_t i = 0; i < n; i++) {
			struct tcp_conn *c = fired[i]->owner;

			if (!(c->flags & CF_FREEING))
				conn_timeout(c, now);
		}
	} while (n == 64);
	/* expired compact entries already count as absent: this only frees
	 * their slots, a bounded amount per call */
	if (s->cfg.tw_compact && !s->ops.tw_find)
		tw_reap(&s->tw, now, 256);
	tcp_leave(s);
	return twheel_next(&s->wheel);
}
