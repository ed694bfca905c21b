/* Retransmission timeout per RFC 6298. */
#include "tcp/tcp_priv.h"

#define RTT_G 1000000ull /* clock granularity G: 1 ms (our TS tick) */

void tcp_rtt_init(struct tcp_conn *c)
{
	/* (2.1) "Until a RTT measurement has been made ... RTO <- 1 second" */
	c->rto = c->stack->cfg.rto_init_ns;
	c->srtt = c->rttvar = 0;
	c->rtt_samples = 0;
}

static void clamp(struct tcp_conn *c)
{
	const struct tcp_config *cfg = &c->stack->cfg;

	/* (2.4) "rounded up to 1 second" (configurable); (2.5) a maximum
	 * "provided it is at least 60 seconds" */
	if (c->rto < cfg->rto_min_ns)
		c->rto = cfg->rto_min_ns;
	if (c->rto > cfg->rto_max_ns)
		c->rto = cfg->rto_max_ns;
}

void tcp_rtt_sample(struct tcp_conn *c, uint64_t r)
{
	if (!c->rtt_samples++) {
		/* (2.2) SRTT <- R, RTTVAR <- R/2 */
		c->srtt = r;
		c->rttvar = r / 2;
	} else {
		/* (2.3) beta = 1/4, alpha = 1/8 */
		uint64_t d = c->srtt > r ? c->srtt - r : r - c->srtt;

		c->rttvar = (3 * c->rttvar + d) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
	}
	/* RTO <- SRTT + max (G, K*RTTVAR), K = 4 */
	c->rto = c->srtt + (4 * c->rttvar > RTT_G ? 4 * c->rttvar : RTT_G);
	clamp(c);
}

void tcp_rtt_backoff(struct tcp_conn *c)
{
	/* (5.5) RTO <- RTO * 2 */
	c->rto *= 2;
	clamp(c);
}
