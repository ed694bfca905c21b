/* Congestion control: RFC 5681 slow start and congestion avoidance with
 * the NewReno fast recovery of RFC 6582. */
#include "tcp/tcp_priv.h"

#define CWND_MAX (1u << 30)

static uint32_t mss(const struct tcp_conn *c) { return tcp_eff_mss(c); }

void tcp_cc_init(struct tcp_conn *c)
{
	uint32_t m = mss(c);

	/* RFC 5681 (3): IW = min(4*SMSS, max(2*SMSS, 4380)) */
	c->cwnd = 4380 > 2 * m ? 4380 : 2 * m;
	if (c->cwnd > 4 * m)
		c->cwnd = 4 * m;
	c->ssthresh = 0xffffffffu; /* "arbitrarily high" */
	/* RFC 6582 3.2 (1): "recover is initialized to the initial send
	 * sequence number" */
	c->recover = c->iss;
	c->dupacks = 0;
}

static uint32_t half_flight(const struct tcp_conn *c)
{
	uint32_t f = (c->snd_max - c->snd_una) / 2;

	/* RFC 5681 (4): ssthresh = max (FlightSize / 2, 2*SMSS) */
	return f > 2 * mss(c) ? f : 2 * mss(c);
}

void tcp_cc_ack(struct tcp_conn *c, uint32_t ack, uint32_t acked, uint64_t now)
{
	uint32_t m = mss(c);

	if (c->flags & CF_RECOVERY) {
		if (xdptcp_seq_ge(ack, c->recover)) {
			/* 3.2 (3) full acknowledgment: "Set cwnd to either (1)
			 * min (ssthresh, max(FlightSize, SMSS) + SMSS)" */
			uint32_t f = c->snd_max - c->snd_una;

			f = (f > m ? f : m) + m;
			c->cwnd = f < c->ssthresh ? f : c->ssthresh;
			c->flags &= ~CF_RECOVERY;
			c->dupacks = 0;
			return;
		}
		/* 3.2 (4) partial acknowledgment: "retransmit the first
		 * unacknowledged segment ... deflate the congestion window by
		 * the amount of new data acknowledged ... add back SMSS bytes
		 * if the partial ACK acknowledges at least SMSS bytes" */
		tcp_retransmit(c, now);
		c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
		if (acked >= m)
			c->cwnd += m;
		if (c->cwnd < m)
			c->cwnd = m;
		/* "for the first partial ACK ... also reset the retransmit timer" */
		if (!(c->flags & CF_FIRST_PARTIAL)) {
			c->flags |= CF_FIRST_PARTIAL;
			tcp_rto_arm(c, now);
		}
		return;
	}
	c->dupacks = 0;
	if (c->cwnd < c->ssthresh)
		/* slow start (RFC 5681 (2)): cwnd += min (N, SMSS) */
		c->cwnd += acked < m ? acked : m;
	else
		/* congestion avoidance (RFC 5681 (3)): SMSS*SMSS/cwnd */
		c->cwnd += (uint32_t)((uint64_t)m * m / c->cwnd) ?: 1;
	if (c->cwnd > CWND_MAX)
		c->cwnd = CWND_MAX;
}

void tcp_cc_dupack(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	uint32_t m = mss(c);

	c->dupacks++;
	if (c->flags & CF_RECOVERY) {
		/* RFC 5681 3.2 (4): inflate by SMSS per further dup ACK */
		c->cwnd += m;
		tcp_output(c, now);
		return;
	}
	if (c->dupacks != 3)
		return;
	/* RFC 6582 3.2 (2): enter only when "the Cumulative Acknowledgment
	 * field covers more than recover" */
	if (!xdptcp_seq_gt(c->snd_una, c->recover))
		return;
	c->ssthresh = half_flight(c);
	c->recover = c->snd_max;
	c->flags |= CF_RECOVERY;
	c->flags &= ~(CF_FIRST_PARTIAL | CF_RTT_TIMING);
	s->stats.fast_retransmits++;
	tcp_retransmit(c, now);
	/* cwnd = ssthresh + 3*SMSS */
	c->cwnd = c->ssthresh + 3 * m;
	tcp_output(c, now);
}

void tcp_cc_timeout(struct tcp_conn *c)
{
	/* RFC 5681 (4) and 3.1: ssthresh from FlightSize, cwnd = 1 SMSS;
	 * RFC 6582 3.2: "After a retransmit timeout, record the highest
	 * sequence number transmitted in the variable recover" */
	c->ssthresh = half_flight(c);
	c->cwnd = mss(c);
	c->recover = c->snd_max;
	c->flags &= ~CF_RECOVERY;
	c->dupacks = 0;
}
