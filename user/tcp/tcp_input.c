/* SEGMENT ARRIVES (RFC 9293 3.10.7): routing to a connection, a listener or
 * the CLOSED-state reply, then processing per state, in the RFC's order. */
#include "tcp/tcp_priv.h"

/* The application needs to hear about it only while it holds the conn. */
static int app_sees(const struct tcp_conn *c)
{
	return (c->flags & CF_VISIBLE) && !(c->flags & CF_APP_GONE);
}

static int gone(const struct tcp_conn *c)
{
	return c->state == XDPTCP_CLOSED || (c->flags & CF_FREEING);
}

static uint32_t seg_len(const struct tcp_seg *seg)
{
	return seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
}

static void syn_options(struct tcp_conn *c, const struct tcp_seg *seg)
{
	const struct tcp_config *cfg = &c->stack->cfg;
	uint16_t mss = (seg->opts & TCP_OPT_MSS) ? seg->mss : TCP_DEFAULT_MSS;

	/* RFC 9293 3.7.1: without an MSS option assume 536 (MUST-15); never
	 * send more than we announce ourselves */
	if (mss > cfg->mss)
		mss = cfg->mss;
	if (mss < 64)
		mss = 64;
	c->snd_mss = mss;
	/* RFC 7323 2.2: scaling only when both SYNs carry WS */
	if (cfg->wscale_on && (seg->opts & TCP_OPT_WSCALE)) {
		c->flags |= CF_WS;
		/* 2.3: "use the value 14 instead of the specified value" */
		c->snd_wscale = seg->wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : seg->wscale;
		c->rcv_wscale = cfg->wscale;
	} else {
		c->flags &= ~CF_WS;
		c->snd_wscale = c->rcv_wscale = 0;
	}
	/* RFC 7323 3.2: timestamps only when both SYNs carry TSopt */
	if (cfg->timestamps && (seg->opts & TCP_OPT_TS)) {
		c->flags |= CF_TS;
		c->ts_recent = seg->tsval;
	} else {
		c->flags &= ~CF_TS;
	}
}

/* RFC 9293 3.10.7.4 first check, the four cases of the acceptability test */
static int acceptable(const struct tcp_conn *c, uint32_t seq, uint32_t len)
{
	uint32_t wnd = tcp_rcv_wnd(c);

	/* A segment without text at the right edge (RCV.NXT+RCV.WND) is
	 * accepted too: it is what a sender that filled our window sends,
	 * and its ACK must get through ("special allowance should be made to
	 * accept valid ACKs"; Linux and BSD do the same) */
	if (!len)
		return wnd ? xdptcp_seq_in(seq, c->rcv_nxt, c->rcv_nxt + wnd + 1)
			   : seq == c->rcv_nxt;
	if (!wnd)
		return 0;
	return xdptcp_seq_in(seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
	       xdptcp_seq_in(seq + len - 1, c->rcv_nxt, c->rcv_nxt + wnd);
}

static void established(struct tcp_conn *c)
{
	const struct tcp_config *cfg = &c->stack->cfg;

	tcp_set_state(c, XDPTCP_ESTABLISHED);
	c->retries = 0;
	/* RFC 6298 (5.7): after a retransmitted SYN and an RTO under 3 s,
	 * "the RTO MUST be re-initialized to 3 seconds when data
	 * transmission begins" */
	if ((c->flags & CF_SYN_RETX) && !c->rtt_samples && c->rto < 3 * NSEC)
		c->rto = 3 * NSEC > cfg->rto_max_ns ? cfg->rto_max_ns : 3 * NSEC;
	tcp_cc_init(c);
}

/* Tell the application, if it was waiting for the handshake. */
static void announce_established(struct tcp_conn *c)
{
	struct tcp_event_info info = {0};

	if (c->flags & CF_ACTIVE) {
		if (app_sees(c))
			tcp_event(c, TCP_EV_CONNECTED, NULL);
		return;
	}
	info.listener = c->listener;
	c->listener = NULL;
	c->flags |= CF_VISIBLE;
	tcp_event(c, TCP_EV_ACCEPTED, &info);
}

static void update_ts_recent(struct tcp_conn *c, const struct tcp_seg *seg, uint64_t now)
{
	/* RFC 7323 4.3 (2): "If SEG.TSval >= TS.Recent and SEG.SEQ <=
	 * Last.ACK.sent then SEG.TSval is copied to TS.Recent" */
	if ((c->flags & CF_TS) && (seg->opts & TCP_OPT_TS) &&
	    xdptcp_seq_ge(seg->tsval, c->ts_recent) && xdptcp_seq_le(seg->seq, c->last_ack_sent)) {
		c->ts_recent = seg->tsval;
		c->ts_recent_at = now;
	}
}

/* LISTEN (3.10.7.2) */
static void listen_input(struct tcp_conn *l, const struct tcp_seg *seg, uint64_t now)
{
	struct tcp_stack *s = l->stack;
	struct tcp_conn *c;

	/* "First, check for a RST: An incoming RST segment could not be valid
	 * ... Ignore it." */
	if (seg->flags & TCP_RST) {
		s->stats.dropped++;
		return;
	}
	/* "Second, check for an ACK: ... <SEQ=SEG.ACK><CTL=RST>" */
	if (seg->flags & TCP_ACK) {
		tcp_reply_rst(s, seg);
		return;
	}
	if (!(seg->flags & TCP_SYN)) {
		s->stats.dropped++;
		return;
	}
	c = tcp_conn_alloc(s, seg->daddr, seg->dport, seg->saddr, seg->sport, now);
	if (!c) {
		s->stats.dropped++;
		return;
	}
	/* "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ... ISS should be
	 * selected and a SYN segment sent of the form
	 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>". Text in the SYN is not
	 * acknowledged, so the peer sends it again. */
	c->listener = l;
	tcp_set_state(c, XDPTCP_SYN_RECEIVED);
	c->irs = seg->seq;
	c->rcv_nxt = c->rcv_adv = c->last_ack_sent = seg->seq + 1;
	syn_options(c, seg);
	c->ts_recent_at = now;
	c->snd_wnd = c->max_snd_wnd = seg->wnd; /* never scaled in a SYN */
	c->snd_edge = c->iss + seg->wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = c->iss;
	tcp_send_syn(c, now);
	tcp_rto_arm(c, now);
	tcp_timer_update(c);
}

static void process_segment(struct tcp_conn *c, const struct tcp_seg *seg, uint32_t seq,
			    int established_now, uint64_t now);

/* SYN-SENT (3.10.7.3) */
static void syn_sent_input(struct tcp_conn *c, const struct tcp_seg *seg, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	int ack_ok = 0;

	if (seg->flags & TCP_ACK) {
		/* "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless
		 * the RST bit is set, if so drop the segment and return)" */
		if (xdptcp_seq_le(seg->ack, c->iss) || xdptcp_seq_gt(seg->ack, c->snd_nxt)) {
			tcp_reply_rst(s, seg);
			return;
		}
		ack_ok = 1;
	}
	if (seg->flags & TCP_RST) {
		s->stats.rst_in++;
		/* "If the ACK was acceptable, then signal to the user 'error:
		 * connection reset', drop the segment, enter CLOSED state,
		 * delete TCB, and return. Otherwise (no ACK), drop" */
		if (ack_ok)
			tcp_conn_reset(c);
		else
			s->stats.dropped++;
		return;
	}
	if (!(seg->flags & TCP_SYN)) {
		s->stats.dropped++;
		return;
	}
	c->irs = seg->seq;
	c->rcv_nxt = c->last_ack_sent = seg->seq + 1;
	/* the window our SYN announced is what the peer may fill */
	c->rcv_adv = c->rcv_nxt + c->last_wnd;
	syn_options(c, seg);
	c->ts_recent_at = now;
	c->snd_wnd = c->max_snd_wnd = seg->wnd;
	c->snd_edge = (ack_ok ? seg->ack : c->iss) + seg->wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	if (ack_ok) {
		/* "If SND.UNA > ISS (our SYN has been ACKed), change the
		 * connection state to ESTABLISHED, form an ACK segment" */
		c->snd_una = seg->ack;
		if ((c->flags & CF_TS) && seg->tsecr)
			tcp_rtt_sample(
			    c, (uint64_t)(xdptcp_ts_clock(now) + c->ts_offset - seg->tsecr) << 20);
		else if (c->flags & CF_RTT_TIMING)
			tcp_rtt_sample(c, now - c->rtt_start);
		c->flags &= ~CF_RTT_TIMING;
		c->rto_at = 0;
		established(c);
		/* data and FIN in the SYN-ACK: "Continue processing at the
		 * sixth step below where the URG bit is checked" */
		c->flags |= CF_ACK_NOW;
		process_segment(c, seg, seg->seq + 1, 1, now);
		return;
	}
	/* Simultaneous open: "enter SYN-RECEIVED, form a SYN,ACK segment
	 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it". Text is not
	 * acknowledged and comes again. */
	tcp_set_state(c, XDPTCP_SYN_RECEIVED);
	tcp_send_syn(c, now);
	tcp_rto_arm(c, now);
	tcp_timer_update(c);
}

/* TIME-WAIT; returns 1 when a new SYN reopens the connection (RFC 6191) */
static int timewait_input(struct tcp_conn *c, const struct tcp_seg *seg, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	/* RFC 1337: ignore RST in TIME-WAIT (TIME-WAIT assassination) */
	if (seg->flags & TCP_RST) {
		s->stats.rst_in++;
		s->stats.dropped++;
		return 0;
	}
	if ((seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		/* RFC 6191 2: with timestamps, a SYN whose TSval is larger
		 * than TS.Recent is acceptable; without, one whose sequence
		 * number is above RCV.NXT (RFC 1122 4.2.2.13) */
		int ts = (c->flags & CF_TS) && (seg->opts & TCP_OPT_TS);

		if (ts ? xdptcp_seq_gt(seg->tsval, c->ts_recent)
		       : xdptcp_seq_gt(seg->seq, c->rcv_nxt)) {
			s->stats.tw_reopened++;
			s->reopen = 1;
			s->reopen_floor = c->snd_nxt;
			tcp_conn_done(c);
			return 1;
		}
	}
	/* "The only thing that can arrive in this state is a retransmission
	 * of the remote FIN. Acknowledge it, and restart the 2 MSL timeout."
	 * Any unacceptable segment is answered with the same ACK (3.10.7.4). */
	if (seg->flags & (TCP_FIN | TCP_SYN) || !acceptable(c, seg->seq, seg_len(seg))) {
		if (seg->flags & TCP_FIN)
			c->tw_at = now + 2 * s->cfg.msl_ns;
		tcp_send_ack(c, now);
		tcp_timer_update(c);
		return 0;
	}
	s->stats.dropped++;
	return 0;
}

static void ack_now_or_later(struct tcp_conn *c, uint64_t now)
{
	/* RFC 9293 3.8.6.3: delay an ACK by less than 0.5 s (MUST-40), and
	 * ACK at least every second full-sized segment (SHOULD-20) */
	if (++c->unacked_segs >= 2)
		c->flags |= CF_ACK_NOW;
	else if (!c->delack_at)
		c->delack_at = now + c->stack->cfg.delack_ns;
}

/* Sequence number check, RST, SYN and the rest for the states from
 * SYN-RECEIVED to LAST-ACK (3.10.7.4). */
static void sync_input(struct tcp_conn *c, const struct tcp_seg *seg, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	uint32_t len = seg_len(seg);
	int rst = seg->flags & TCP_RST;

	/* A retransmitted SYN: our SYN-ACK was lost, send it again now */
	if (c->state == XDPTCP_SYN_RECEIVED && (seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
	    seg->seq == c->irs) {
		tcp_send_syn(c, now);
		return;
	}
	/* Simultaneous open (RFC 9293 figure 7, line 6): the peer's SYN,ACK
	 * reaches us in SYN-RECEIVED. Its SYN is old by the acceptability
	 * test, but it acknowledges ours: take it as that ACK (as RFC 5961 4.2
	 * implementations do), not as a challenge. */
	if (c->state == XDPTCP_SYN_RECEIVED &&
	    (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
	    seg->seq + 1 == c->rcv_nxt && seg->ack == c->snd_nxt) {
		update_ts_recent(c, seg, now);
		process_segment(c, seg, seg->seq + 1, 0, now);
		return;
	}
	if (c->flags & CF_TS && !rst) {
		/* RFC 7323 3.2: "If a non-<RST> segment is received without a
		 * TSopt, a TCP SHOULD silently drop the segment" */
		if (!(seg->opts & TCP_OPT_TS)) {
			s->stats.dropped++;
			return;
		}
		/* RFC 7323 5.3 R1 (PAWS): "If ... SEG.TSval < TS.Recent and
		 * if TS.Recent is valid (24 days), then treat the arriving
		 * segment as not acceptable: Send an acknowledgment in reply
		 * as specified in Section 3.10.7.4 of RFC 9293 and drop" */
		if (xdptcp_seq_lt(seg->tsval, c->ts_recent) &&
		    now - c->ts_recent_at < 24ull * 86400 * NSEC) {
			s->stats.paws_rejected++;
			tcp_send_ack(c, now);
			return;
		}
	}
	if (!acceptable(c, seg->seq, len)) {
		/* "special allowance should be made to accept valid ACKs, URGs,
		 * and RSTs" with a zero window: the text is dropped below */
		if (!(tcp_rcv_wnd(c) == 0 && seg->seq == c->rcv_nxt && !rst &&
		      !(seg->flags & TCP_SYN))) {
			s->stats.unacceptable++;
			/* "If an incoming segment is not acceptable, an
			 * acknowledgment should be sent in reply (unless the RST
			 * bit is set, if so drop the segment and return)" */
			if (rst)
				s->stats.dropped++;
			else if (seg->flags & TCP_SYN)
				/* RFC 5961 4.2: a SYN gets a (rate-limited)
				 * challenge ACK "irrespective of the sequence
				 * number" */
				tcp_challenge_ack(c, now);
			else
				tcp_send_ack(c, now);
			return;
		}
	}
	if (rst) {
		s->stats.rst_in++;
		/* RFC 5961 3.2: "If the RST bit is set and the sequence number
		 * exactly matches the next expected sequence value (RCV.NXT),
		 * then TCP MUST reset the connection" ... "Otherwise, send a
		 * challenge ACK" */
		if (seg->seq != c->rcv_nxt) {
			tcp_challenge_ack(c, now);
			return;
		}
		/* SYN-RECEIVED from a passive OPEN: "return this connection to
		 * LISTEN" — the listener stays, the child goes quietly;
		 * otherwise "connection refused"/"connection reset" */
		tcp_conn_reset(c);
		return;
	}
	if (seg->flags & TCP_SYN) {
		/* 3.10.7.4 fourth: SYN-RECEIVED from a passive OPEN returns to
		 * LISTEN; otherwise "If the SYN bit is set, irrespective of the
		 * sequence number, TCP endpoints MUST send a 'challenge ACK'"
		 * (RFC 5961 4.2) */
		if (c->state == XDPTCP_SYN_RECEIVED && !(c->flags & CF_ACTIVE)) {
			tcp_conn_done(c);
			return;
		}
		tcp_challenge_ack(c, now);
		return;
	}
	update_ts_recent(c, seg, now);
	process_segment(c, seg, seg->seq, 0, now);
}

/* ACK processing (3.10.7.4 fifth); returns 0 when the segment is done. */
static int process_ack(struct tcp_conn *c, const struct tcp_seg *seg, uint32_t seq,
		       int *established_now, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	uint32_t ack = seg->ack;
	uint32_t wnd = (uint32_t)seg->wnd << c->snd_wscale;
	int writable = 0;

	/* "if the ACK bit is off, drop the segment and return" */
	if (!(seg->flags & TCP_ACK)) {
		s->stats.dropped++;
		return 0;
	}
	if (c->state == XDPTCP_SYN_RECEIVED) {
		/* "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state
		 * ... Otherwise <SEQ=SEG.ACK><CTL=RST>" */
		if (!(xdptcp_seq_lt(c->snd_una, ack) && xdptcp_seq_le(ack, c->snd_max))) {
			tcp_reply_rst(s, seg);
			return 0;
		}
		established(c);
		c->snd_wnd = wnd;
		c->snd_wl1 = seq;
		c->snd_wl2 = ack;
		*established_now = 1;
		if (c->flags & CF_FIN_QUEUED)
			tcp_set_state(c, XDPTCP_FIN_WAIT_1);
	}
	/* RFC 5961 5.2: acceptable if "(SND.UNA - MAX.SND.WND) =< SEG.ACK =<
	 * SND.NXT"; otherwise "send an ACK ... and drop" (a challenge ACK).
	 * SND.MAX stands for SND.NXT: after a timeout we resend from SND.UNA. */
	if (xdptcp_seq_gt(ack, c->snd_max) || xdptcp_seq_lt(ack, c->snd_una - c->max_snd_wnd)) {
		tcp_challenge_ack(c, now);
		return 0;
	}
	if (xdptcp_seq_gt(ack, c->snd_una)) {
		uint32_t acked = ack - c->snd_una;
		uint32_t data_end = c->sbuf_seq + (uint32_t)c->snd.len;
		uint32_t drop = 0;

		if (xdptcp_seq_gt(ack, c->sbuf_seq))
			drop = (xdptcp_seq_lt(ack, data_end) ? ack : data_end) - c->sbuf_seq;
		if (drop) {
			sbuf_drop(&c->snd, drop);
			c->sbuf_seq += drop;
		}
		if ((c->flags & CF_FIN_SENT) && xdptcp_seq_gt(ack, c->fin_seq))
			c->flags |= CF_FIN_ACKED;
		c->snd_una = ack;
		if (xdptcp_seq_lt(c->snd_nxt, ack))
			c->snd_nxt = ack;
		c->retries = 0;
		/* RTT: RFC 7323 4.1 from TSecr, else the timed segment (Karn) */
		if ((c->flags & CF_TS) && seg->tsecr) {
			uint32_t t = xdptcp_ts_clock(now) + c->ts_offset - seg->tsecr;

			if (t < 0x80000000u)
				tcp_rtt_sample(c, (uint64_t)t << 20);
		} else if ((c->flags & CF_RTT_TIMING) && xdptcp_seq_ge(ack, c->rtt_seq)) {
			c->flags &= ~CF_RTT_TIMING;
			tcp_rtt_sample(c, now - c->rtt_start);
		}
		/* RFC 6298 (5.2) all acknowledged: stop; (5.3) else restart */
		if (c->snd_una == c->snd_max)
			c->rto_at = 0;
		else
			tcp_rto_arm(c, now);
		if (!*established_now)
			tcp_cc_ack(c, ack, acked, now);
		writable = drop && app_sees(c) && !(c->flags & CF_FIN_QUEUED);
	} else if (ack == c->snd_una && !seg->len && !(seg->flags & (TCP_SYN | TCP_FIN)) &&
		   wnd == c->snd_wnd && wnd && c->snd_max != c->snd_una) {
		/* RFC 5681 2: a duplicate ACK (answers to zero-window probes
		 * are not: nothing is in flight then) */
		tcp_cc_dupack(c, now);
	}
	/* "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be
	 * updated. If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =<
	 * SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set
	 * SND.WL2 <- SEG.ACK" */
	if (xdptcp_seq_ge(ack, c->snd_una) &&
	    (xdptcp_seq_lt(c->snd_wl1, seq) ||
	     (c->snd_wl1 == seq && xdptcp_seq_le(c->snd_wl2, ack)))) {
		c->snd_wnd = wnd;
		c->snd_wl1 = seq;
		c->snd_wl2 = ack;
		/* the receiver never moves its edge left (3.8.6): what it
		 * once offered stays acceptable to it */
		if (xdptcp_seq_gt(ack + wnd, c->snd_edge))
			c->snd_edge = ack + wnd;
		if (wnd > c->max_snd_wnd)
			c->max_snd_wnd = wnd;
		if (wnd)
			c->persist_backoff = 0;
	}
	/* only now, with SND.WND matching the new SND.UNA: the application
	 * may send from inside the callback */
	if (writable) {
		tcp_event(c, TCP_EV_WRITABLE, NULL);
		if (gone(c))
			return 0;
	}
	switch (c->state) {
	case XDPTCP_FIN_WAIT_1:
		/* "if the FIN segment is now acknowledged, then enter
		 * FIN-WAIT-2 and continue processing in that state" */
		if (c->flags & CF_FIN_ACKED) {
			tcp_set_state(c, XDPTCP_FIN_WAIT_2);
			tcp_orphan_timeout(c, now);
		}
		break;
	case XDPTCP_CLOSING:
		/* "if the ACK acknowledges our FIN, then enter the TIME-WAIT
		 * state; otherwise, ignore the segment" */
		if (c->flags & CF_FIN_ACKED) {
			tcp_enter_timewait(c, now);
			tcp_timer_update(c);
		}
		return 0;
	case XDPTCP_LAST_ACK:
		/* "If our FIN is now acknowledged, delete the TCB, enter the
		 * CLOSED state, and return" */
		if (c->flags & CF_FIN_ACKED) {
			tcp_conn_done(c);
			return 0;
		}
		break;
	default:
		break;
	}
	return 1;
}

/* Peer's FIN reached RCV.NXT (3.10.7.4 eighth); 1: enter TIME-WAIT. */
static int process_fin(struct tcp_conn *c)
{
	c->flags |= CF_PEER_FIN | CF_ACK_NOW;
	c->flags &= ~CF_OOO_FIN;
	c->rcv_nxt++;
	switch (c->state) {
	case XDPTCP_SYN_RECEIVED:
	case XDPTCP_ESTABLISHED:
		tcp_set_state(c, XDPTCP_CLOSE_WAIT);
		break;
	case XDPTCP_FIN_WAIT_1:
		/* our FIN not yet acknowledged (else we would be in
		 * FIN-WAIT-2 by now): simultaneous close */
		tcp_set_state(c, XDPTCP_CLOSING);
		break;
	case XDPTCP_FIN_WAIT_2:
		/* "Enter the TIME-WAIT state": the caller does, once the
		 * application has heard of the data and the FIN */
		return 1;
	default:
		break;
	}
	return 0;
}

/* Text and FIN of an acceptable segment; seq is where its data starts. */
static void process_segment(struct tcp_conn *c, const struct tcp_seg *seg, uint32_t seq,
			    int established_now, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	const uint8_t *p = seg->payload;
	uint32_t len = seg->len;
	int fin = !!(seg->flags & TCP_FIN);
	int32_t off;
	uint32_t wnd, adv = 0;
	int readable = 0, peer_closed = 0, to_tw = 0, urgent = 0;

	if (!established_now && !process_ack(c, seg, seq, &established_now, now))
		goto out;
	if (established_now)
		announce_established(c);
	if (gone(c))
		return;
	/* trim to what is new and inside the window (3.10.7.4) */
	off = (int32_t)(seq - c->rcv_nxt);
	if (off < 0) {
		uint32_t d = (uint32_t)-off;

		if (d > len) {
			len = 0;
			fin = 0; /* an old FIN: already processed */
		} else {
			p += d;
			len -= d;
		}
		off = 0;
	}
	wnd = tcp_rcv_wnd(c);
	if ((uint32_t)off + len > wnd) {
		/* beyond the window: cut, and tell the sender at once */
		len = (uint32_t)off < wnd ? wnd - (uint32_t)off : 0;
		fin = 0;
		c->flags |= CF_ACK_NOW;
	}
	/* sixth, check the URG bit: "RCV.UP <- max(RCV.UP,SEG.UP), and signal
	 * the user that the remote side has urgent data if the urgent pointer
	 * (RCV.UP) is in advance of the data consumed" */
	if ((seg->flags & TCP_URG) && !(c->flags & CF_PEER_FIN) &&
	    (c->state == XDPTCP_ESTABLISHED || c->state == XDPTCP_FIN_WAIT_1 ||
	     c->state == XDPTCP_FIN_WAIT_2)) {
		uint32_t up = seg->seq + seg->urp;

		if (!(c->flags & CF_RCV_URG) || xdptcp_seq_gt(up, c->rcv_up)) {
			c->rcv_up = up;
			c->flags |= CF_RCV_URG;
			urgent = 1;
		}
	}
	/* seventh, "process the segment text" — only in ESTABLISHED and the
	 * FIN-WAIT states; after a FIN from the peer "Ignore the text" */
	if (len &&
	    (c->state == XDPTCP_ESTABLISHED || c->state == XDPTCP_FIN_WAIT_1 ||
	     c->state == XDPTCP_FIN_WAIT_2) &&
	    !(c->flags & CF_PEER_FIN)) {
		int had_gap = rbuf_has_ooo(&c->rcv);

		adv = (uint32_t)rbuf_write(&c->rcv, (size_t)off, p, len);
		c->rcv_nxt += adv;
		if (adv)
			readable = 1;
		/* RFC 5681 4.2: out-of-order data and filling a gap are
		 * acknowledged at once */
		if (off > 0 || had_gap)
			c->flags |= CF_ACK_NOW;
		else
			ack_now_or_later(c, now);
		if (c->flags & CF_APP_GONE) {
			/* nobody will read: consume so the window stays open */
			while (rbuf_read(&c->rcv, s->scratch, sizeof(s->scratch)))
				;
			readable = 0;
		}
	} else if (len) {
		s->stats.dropped++;
	}
	/* eighth, check the FIN bit; a FIN beyond RCV.NXT waits for the gap
	 * before it to fill ("implied push": all data first) */
	if (fin && !(c->flags & CF_PEER_FIN)) {
		c->flags |= CF_OOO_FIN;
		c->rcv_fin_seq = c->rcv_nxt - adv + (uint32_t)off + len;
	}
	if ((c->flags & (CF_OOO_FIN | CF_PEER_FIN)) == CF_OOO_FIN) {
		if (c->rcv_fin_seq == c->rcv_nxt) {
			to_tw = process_fin(c);
			peer_closed = 1;
		} else {
			c->flags |= CF_ACK_NOW;
		}
	}
	/* MUST-32: tell the application when urgent data appears or the
	 * pointer advances; it reads the data in-line (tcp_urgent says how
	 * much is urgent) */
	if (urgent && tcp_urgent(c) && app_sees(c)) {
		tcp_event(c, TCP_EV_URGENT, NULL);
		if (gone(c))
			return;
	}
	if (readable && app_sees(c)) {
		tcp_event(c, TCP_EV_READABLE, NULL);
		if (gone(c))
			return;
	}
	if (peer_closed && app_sees(c)) {
		tcp_event(c, TCP_EV_PEER_CLOSED, NULL);
		if (gone(c))
			return;
	}
	if (to_tw && c->state == XDPTCP_FIN_WAIT_2) {
		tcp_send_ack(c, now);
		tcp_enter_timewait(c, now);
	}
out:
	if (gone(c))
		return;
	tcp_output_soon(c, now);
	if (c->flags & CF_ACK_NOW)
		tcp_send_ack(c, now);
	tcp_timer_update(c);
}

void tcp_input(struct tcp_stack *s, const struct tcp_seg *seg, uint64_t now)
{
	struct tcp_conn *c, *l;

	tcp_enter(s);
	s->stats.segs_in++;
	c = tcp_conn_lookup(s, seg->daddr, seg->dport, seg->saddr, seg->sport);
	if (c) {
		switch (c->state) {
		case XDPTCP_SYN_SENT:
			syn_sent_input(c, seg, now);
			goto out;
		case XDPTCP_TIME_WAIT:
			if (timewait_input(c, seg, now))
				break; /* reopened: on to the listener */
			goto out;
		default:
			sync_input(c, seg, now);
			goto out;
		}
	}
	/* compact TIME-WAIT: -1 answered, 1 reopened (on to the listener) */
	if (!c && tcp_tw_input(s, seg, now) < 0)
		goto out;
	l = tcp_listener_lookup(s, seg->daddr, seg->dport);
	if (l)
		listen_input(l, seg, now);
	else
		/* 3.10.7.1 "If the state is CLOSED (i.e., TCB does not exist)" */
		tcp_reply_rst(s, seg);
out:
	s->reopen = 0;
	tcp_leave(s);
}
