/* Forming segments: SYN, ACK, RST, data and FIN (RFC 9293 3.8.6, 3.10),
 * the window we announce, and the options of RFC 7323. */
#include <string.h>

#include "tcp/tcp_priv.h"

uint16_t tcp_eff_mss(const struct tcp_conn *c)
{
	/* RFC 9293 3.7.1: Eff.snd.MSS = min(SendMSS+20, MMS_S) - TCPhdrsize
	 * - IPoptionsize; our header grows by the timestamp option */
	return (uint16_t)(c->snd_mss - ((c->flags & CF_TS) ? TCP_TS_OPT_LEN : 0));
}

uint32_t tcp_rcv_room(const struct tcp_conn *c)
{
	uint32_t room = (uint32_t)rbuf_window(&c->rcv);
	uint32_t max = 0xffffu << c->rcv_wscale;

	return room < max ? room : max;
}

uint32_t tcp_rcv_wnd(const struct tcp_conn *c)
{
	return xdptcp_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
}

/* The window field for the next segment. RFC 9293 3.8.6.2.2 (receiver SWS
 * avoidance): move the right edge only when it can move by at least
 * min(buffer/2, MSS), and never move it left (3.8.6: "shrinking" is
 * strongly discouraged). */
static uint16_t announce_window(struct tcp_conn *c, int syn)
{
	struct tcp_stack *s = c->stack;
	uint32_t room = syn ? (uint32_t)rbuf_window(&c->rcv) : tcp_rcv_room(c);
	uint32_t edge = c->rcv_nxt + room;
	uint32_t thresh = s->cfg.rcvbuf / 2 < s->cfg.mss ? s->cfg.rcvbuf / 2 : s->cfg.mss;
	uint8_t shift = syn ? 0 : c->rcv_wscale;
	uint32_t wnd;

	if (xdptcp_seq_lt(c->rcv_adv, c->rcv_nxt))
		c->rcv_adv = c->rcv_nxt;
	if (xdptcp_seq_gt(edge, c->rcv_adv) && edge - c->rcv_adv >= thresh)
		wnd = room;
	else
		wnd = c->rcv_adv - c->rcv_nxt;
	/* RFC 7323 2.2: the window in a SYN is never scaled */
	wnd >>= shift;
	if (wnd > 0xffff)
		wnd = 0xffff;
	if (xdptcp_seq_gt(c->rcv_nxt + (wnd << shift), c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + (wnd << shift);
	return (uint16_t)wnd;
}

static void fill_seg(struct tcp_conn *c, struct tcp_seg *seg, uint8_t flags, uint32_t seq,
		     uint64_t now)
{
	memset(seg, 0, sizeof(*seg));
	seg->saddr = c->laddr;
	seg->daddr = c->raddr;
	seg->sport = c->lport;
	seg->dport = c->rport;
	seg->seq = seq;
	seg->flags = flags;
	if (flags & TCP_ACK) {
		seg->ack = c->rcv_nxt;
		c->last_ack_sent = c->rcv_nxt;
		/* an ACK goes out: no delayed ACK is owed any more */
		c->delack_at = 0;
		c->unacked_segs = 0;
		c->flags &= ~(CF_ACK_NOW | CF_ACK_PENDING);
	}
	if (!(flags & TCP_RST))
		seg->wnd = c->last_wnd = announce_window(c, flags & TCP_SYN);
	/* RFC 7323 3.2: once negotiated, TSopt goes on every non-RST segment */
	if ((c->flags & CF_TS) && !(flags & TCP_RST)) {
		seg->opts |= TCP_OPT_TS;
		seg->tsval = xdptcp_ts_clock(now) + c->ts_offset;
		seg->tsecr = c->ts_recent;
	}
}

static void emit(struct tcp_conn *c, const struct tcp_seg *seg)
{
	struct tcp_stack *s = c->stack;

	s->stats.segs_out++;
	if (seg->flags & TCP_RST)
		s->stats.rst_out++;
	s->ops.output(s->ops.ctx, seg);
}

void tcp_send_syn(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	int synack = c->state == XDPTCP_SYN_RECEIVED;
	struct tcp_seg seg;

	fill_seg(c, &seg, synack ? TCP_SYN | TCP_ACK : TCP_SYN, c->iss, now);
	seg.opts |= TCP_OPT_MSS;
	seg.mss = s->cfg.mss;
	/* RFC 7323 1.3: a SYN may offer WS and TS; a SYN-ACK carries them only
	 * when the SYN did */
	if (synack ? (c->flags & CF_WS) : s->cfg.wscale_on) {
		seg.opts |= TCP_OPT_WSCALE;
		seg.wscale = s->cfg.wscale;
	}
	if (!synack && s->cfg.timestamps) {
		seg.opts |= TCP_OPT_TS;
		seg.tsval = xdptcp_ts_clock(now) + c->ts_offset;
		seg.tsecr = 0;
	}
	c->snd_nxt = c->iss + 1;
	if (xdptcp_seq_lt(c->snd_max, c->snd_nxt))
		c->snd_max = c->snd_nxt;
	if (!(c->flags & (CF_TS | CF_SYN_RETX | CF_RTT_TIMING))) {
		c->flags |= CF_RTT_TIMING;
		c->rtt_seq = c->iss + 1;
		c->rtt_start = now;
	}
	emit(c, &seg);
}

/* The sequence number of a pure ACK or RST: SND.MAX, not SND.NXT (as
 * BSD does): after a timeout SND.NXT went back to SND.UNA, and a number the
 * peer has already passed makes the segment unacceptable to it — two such
 * peers would answer each other's ACKs forever (3.10.7.4 first check). Not
 * beyond the furthest edge the peer offered, though (a zero-window probe or
 * a FIN may lie beyond it); a receiver never moves that edge left, so the
 * result stays acceptable even when the window seems to shrink (rounding
 * by the window scale). */
static uint32_t ack_seq(const struct tcp_conn *c)
{
	return xdptcp_seq_le(c->snd_max, c->snd_edge) ? c->snd_max : c->snd_edge;
}

/* on stack->ack_pending, once, until the end of the batch */
static void batch_list(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	if (!(c->flags & CF_ACK_LISTED)) {
		c->flags |= CF_ACK_LISTED;
		c->ack_next = s->ack_pending;
		s->ack_pending = c;
	}
}

void tcp_send_ack(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	struct tcp_seg seg;

	/* in a batch, pure ACKs wait for its end: one per connection, and
	 * none when data carried it meanwhile (DESIGN: ACKs coalesced per
	 * batch). The delayed-ACK timer is satisfied by it. */
	if (s->batch) {
		c->delack_at = 0;
		c->unacked_segs = 0;
		c->flags &= ~CF_ACK_NOW;
		c->flags |= CF_ACK_PENDING;
		batch_list(c);
		return;
	}
	fill_seg(c, &seg, TCP_ACK, ack_seq(c), now);
	emit(c, &seg);
}

void tcp_flush_ack(struct tcp_conn *c, uint64_t now)
{
	struct tcp_seg seg;

	if (!(c->flags & CF_ACK_PENDING))
		return;
	fill_seg(c, &seg, TCP_ACK, ack_seq(c), now);
	emit(c, &seg);
}

void tcp_batch_begin(struct tcp_stack *s)
{
	/* frees wait for the end too, so the pending list never dangles */
	tcp_enter(s);
	s->batch++;
}

void tcp_batch_end(struct tcp_stack *s, uint64_t now)
{
	struct tcp_conn *c;

	if (--s->batch == 0) {
		while ((c = s->ack_pending)) {
			s->ack_pending = c->ack_next;
			c->flags &= ~CF_ACK_LISTED;
			if (!(c->flags & CF_FREEING) && c->state != XDPTCP_CLOSED) {
				/* data (and a FIN) carry the owed ACK */
				if (c->flags & CF_OUT_PENDING) {
					c->flags &= ~CF_OUT_PENDING;
					tcp_output(c, now);
				}
				tcp_flush_ack(c, now);
				tcp_timer_update(c);
			}
			c->flags &= ~(CF_ACK_PENDING | CF_OUT_PENDING);
		}
	}
	tcp_leave(s);
}

void tcp_send_rst(struct tcp_conn *c, uint64_t now)
{
	struct tcp_seg seg;

	fill_seg(c, &seg, TCP_RST, ack_seq(c), now);
	emit(c, &seg);
}

void tcp_reply_rst(struct tcp_stack *s, const struct tcp_seg *in)
{
	struct tcp_seg seg;

	/* RFC 9293 3.10.7.1: "An incoming segment containing a RST is
	 * discarded." */
	if (in->flags & TCP_RST) {
		s->stats.dropped++;
		return;
	}
	memset(&seg, 0, sizeof(seg));
	seg.saddr = in->daddr;
	seg.daddr = in->saddr;
	seg.sport = in->dport;
	seg.dport = in->sport;
	if (in->flags & TCP_ACK) {
		/* "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>" */
		seg.seq = in->ack;
		seg.flags = TCP_RST;
	} else {
		/* "If the ACK bit is off, sequence number zero is used,
		 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>" */
		seg.ack = in->seq + in->len + !!(in->flags & TCP_SYN) + !!(in->flags & TCP_FIN);
		seg.flags = TCP_RST | TCP_ACK;
	}
	s->stats.segs_out++;
	s->stats.rst_out++;
	s->ops.output(s->ops.ctx, &seg);
}

void tcp_challenge_ack(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	/* RFC 5961 7: "limit the number of challenge ACKs ... per second" */
	if (now - s->chal_window >= NSEC) {
		s->chal_window = now;
		s->chal_count = 0;
	}
	if (s->chal_count >= s->cfg.challenge_ack_limit) {
		s->stats.challenge_acks_limited++;
		return;
	}
	s->chal_count++;
	s->stats.challenge_acks++;
	/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	tcp_send_ack(c, now);
}

/* Send [seq, seq+len) from the send buffer, with FIN when fin. */
static void send_data(struct tcp_conn *c, uint32_t seq, uint32_t len, int fin, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	uint8_t flags = TCP_ACK;
	struct tcp_seg seg;
	uint32_t end = seq + len + !!fin, up = 0;

	if (len && seq + len == c->sbuf_seq + (uint32_t)c->snd.len)
		flags |= TCP_PSH; /* the last queued byte: push it */
	if (fin)
		flags |= TCP_FIN;
	/* 3.8.5: URG while the segment starts before the urgent pointer */
	if ((c->flags & CF_SND_URG) && xdptcp_seq_lt(seq, c->snd_up)) {
		up = c->snd_up - seq;
		flags |= TCP_URG;
	}
	fill_seg(c, &seg, flags, seq, now);
	seg.urp = (uint16_t)(up > 0xffff ? 0xffff : up);
	if (len) {
		sbuf_peek(&c->snd, seq - c->sbuf_seq, s->scratch, len);
		seg.payload = s->scratch;
		seg.len = len;
	}
	if (xdptcp_seq_lt(seq, c->snd_max)) {
		s->stats.retransmits++;
		/* Karn: no RTT sample from a retransmitted range */
		if ((c->flags & CF_RTT_TIMING) && xdptcp_seq_lt(seq, c->rtt_seq))
			c->flags &= ~CF_RTT_TIMING;
	} else if (!(c->flags & (CF_TS | CF_RTT_TIMING))) {
		c->flags |= CF_RTT_TIMING;
		c->rtt_seq = end;
		c->rtt_start = now;
	}
	if (fin)
		c->flags |= CF_FIN_SENT;
	if (xdptcp_seq_gt(end, c->snd_max))
		c->snd_max = end;
	emit(c, &seg);
}

static int can_output(const struct tcp_conn *c)
{
	switch (c->state) {
	case XDPTCP_ESTABLISHED:
	case XDPTCP_CLOSE_WAIT:
	case XDPTCP_FIN_WAIT_1:
	case XDPTCP_CLOSING:
	case XDPTCP_LAST_ACK:
		return 1;
	default:
		return 0;
	}
}

static int fin_unsent(const struct tcp_conn *c)
{
	return (c->flags & CF_FIN_QUEUED) && xdptcp_seq_le(c->snd_nxt, c->fin_seq);
}

void tcp_output(struct tcp_conn *c, uint64_t now)
{
	uint32_t data_end = c->sbuf_seq + (uint32_t)c->snd.len;
	uint16_t mss = tcp_eff_mss(c);

	if (!can_output(c))
		return;
	for (;;) {
		uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
		uint32_t flight = tcp_flight(c);
		uint32_t usable = wnd > flight ? wnd - flight : 0;
		uint32_t avail = xdptcp_seq_lt(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
		uint32_t len = avail;
		int fin;

		if (len > mss)
			len = mss;
		if (len > usable)
			len = usable;
		/* RFC 9293 3.8.6.2.1 (sender SWS avoidance): send a full
		 * segment, all that is queued, or at least half the largest
		 * window the receiver offered */
		if (len < mss && len < avail && len < c->max_snd_wnd / 2)
			len = 0;
		fin = fin_unsent(c) && c->snd_nxt + len == c->fin_seq;
		if (!len && !fin)
			break;
		send_data(c, c->snd_nxt, len, fin, now);
		c->snd_nxt += len + !!fin;
	}
	if (tcp_flight(c)) {
		c->persist_at = 0;
		if (!c->rto_at)
			tcp_rto_arm(c, now);
	} else {
		c->rto_at = 0;
		/* RFC 9293 3.8.6.1: data waits behind a zero (or too small)
		 * window: probe it with the persist timer */
		if (xdptcp_seq_lt(c->snd_nxt, data_end)) {
			if (!c->persist_at) {
				if (!c->persist_backoff)
					c->persist_backoff = c->rto;
				c->persist_at = now + c->persist_backoff;
			}
		} else {
			c->persist_at = 0;
			c->persist_backoff = 0;
		}
	}
}

/* In a batch, what the application queues while its callbacks run (a
 * response's header, its body, then close) goes out together at the end:
 * one segment carrying data, FIN and the ACK of the request, instead of a
 * pure ACK, a segment per send and a FIN of its own. */
void tcp_output_soon(struct tcp_conn *c, uint64_t now)
{
	if (c->stack->batch) {
		c->flags |= CF_OUT_PENDING;
		batch_list(c);
		return;
	}
	tcp_output(c, now);
}

void tcp_retransmit(struct tcp_conn *c, uint64_t now)
{
	uint32_t data_end = c->sbuf_seq + (uint32_t)c->snd.len;
	uint32_t len = 0;
	int fin;

	if (xdptcp_seq_lt(c->snd_una, data_end)) {
		len = data_end - c->snd_una;
		if (len > tcp_eff_mss(c))
			len = tcp_eff_mss(c);
	}
	fin = (c->flags & CF_FIN_SENT) && c->snd_una + len == c->fin_seq;
	if (len || fin)
		send_data(c, c->snd_una, len, fin, now);
}

void tcp_send_probe(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	uint32_t data_end = c->sbuf_seq + (uint32_t)c->snd.len;
	uint32_t len;

	if (!xdptcp_seq_lt(c->snd_nxt, data_end))
		return;
	s->stats.persist_probes++;
	c->persist_backoff *= 2;
	if (c->persist_backoff > s->cfg.rto_max_ns)
		c->persist_backoff = s->cfg.rto_max_ns;
	c->persist_at = now + c->persist_backoff;
	if (c->snd_wnd) {
		/* 3.8.6.2.1: the override timeout; send what the window takes */
		len = data_end - c->snd_nxt;
		if (len > c->snd_wnd)
			len = c->snd_wnd;
		if (len > tcp_eff_mss(c))
			len = tcp_eff_mss(c);
		send_data(c, c->snd_nxt, len, 0, now);
		c->snd_nxt += len;
		c->persist_at = 0;
		tcp_rto_arm(c, now);
		return;
	}
	/* RFC 9293 3.8.6.1: "the sending TCP peer must regularly transmit at
	 * least one octet of new data (if available)"; the receiver answers
	 * with its current window. The octet is not counted in flight, so the
	 * RTO never gives up on a peer that keeps answering (3.8.6.1): the
	 * persist timer repeats it, and an ACK covering it is still valid
	 * (SND.MAX moved). */
	send_data(c, c->snd_nxt, 1, 0, now);
}
