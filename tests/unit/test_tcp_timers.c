/* Timers: RTO with backoff and give-up (RFC 6298, RFC 9293 3.8.3), SYN
 * retries, the persist timer (3.8.6.1), NewReno fast retransmit and
 * partial ACKs (RFC 6582), and TIME-WAIT reopening (RFC 6191). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/engine_harness.h"
#include "tcp/tcp_priv.h"

#define IRS 3000u

static uint8_t pat[65536];

/* Data never acknowledged: retransmitted at RTO, 2 RTO, 4 RTO ... then the
 * connection is reset after data_retries (RESET event, RST sent) */
static void test_rto_backoff_and_give_up(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c;
	uint64_t t0, rto = EH_S;

	(void)state;
	tcp_config_default(&cfg);
	cfg.data_retries = 4;
	cfg.rto_max_ns = 4 * EH_S;
	eh_init(&h, &cfg);
	c = eh_passive_open(&h, IRS, 8192);
	/* the handshake RTT sample was ~0: RTO is rto_min (1 s) */
	assert_true(c->rto == EH_S);
	tcp_send(c, pat, 100, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 1);
	t0 = h.now;
	for (int i = 0; i < 4; i++) {
		eh_run(&h, rto - 2 * EH_MS);
		assert_null(eh_pop(&h));
		eh_run(&h, 4 * EH_MS);
		EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 1);
		h.now -= 2 * EH_MS; /* keep the schedule exact */
		rto = rto * 2 > 4 * EH_S ? 4 * EH_S : rto * 2;
	}
	assert_true(h.now - t0 == (1 + 2 + 4 + 4) * EH_S);
	assert_int_equal(tcp_stack_stats(h.s)->retransmits, 4);
	eh_run(&h, rto + 2 * EH_MS);
	EH_EXPECT(eh_pop(&h), TCP_RST, h.iss + 101, 0);
	assert_int_equal(eh_events(&h, c, TCP_EV_RESET), 1);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSED);
	tcp_close(c, h.now);
	assert_int_equal(tcp_stack_conns(h.s), 1);
	eh_fini(&h);
}

/* An ACK of new data resets the retry count and the RTO follows samples */
static void test_rto_recovers(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg a;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_send(c, pat, 100, h.now);
	eh_drain(&h);
	eh_run(&h, 201 * EH_MS); /* rto_min 200 ms in the harness */
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 1);
	assert_int_equal(c->retries, 1);
	assert_true(c->rto == 400 * EH_MS);
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 101, 8192);
	eh_input(&h, &a);
	assert_int_equal(c->retries, 0);
	assert_int_equal(c->rto_at, 0);
	/* Karn: the retransmitted segment gave no sample */
	assert_int_equal(c->rtt_samples, 1);
	/* a timed segment acknowledged 300 ms later: SRTT moves towards it */
	tcp_send(c, pat, 100, h.now);
	eh_drain(&h);
	h.now += 300 * EH_MS;
	a.ack = h.iss + 201;
	eh_input(&h, &a);
	assert_int_equal(c->rtt_samples, 2);
	assert_true(c->srtt == 300 * EH_MS / 8);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* SYN retransmitted with backoff; give up after syn_retries */
static void test_syn_retries(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c;

	(void)state;
	tcp_config_default(&cfg);
	eh_init(&h, &cfg);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	tcp_set_retries(c, 15, 2); /* per connection (3.8.3) */
	EH_EXPECT(eh_pop(&h), TCP_SYN, h.iss, 0);
	eh_run(&h, EH_S);
	EH_EXPECT(eh_pop(&h), TCP_SYN, h.iss, 0);
	eh_run(&h, 2 * EH_S);
	EH_EXPECT(eh_pop(&h), TCP_SYN, h.iss, 0);
	assert_null(eh_pop(&h));
	eh_run(&h, 4 * EH_S);
	assert_null(eh_pop(&h)); /* no RST from SYN-SENT */
	assert_int_equal(eh_events(&h, c, TCP_EV_RESET), 1);
	tcp_close(c, h.now);
	assert_int_equal(tcp_stack_conns(h.s), 0);
	eh_fini(&h);
}

/* RFC 6298 (5.7): after a retransmitted SYN the RTO starts at 3 s */
static void test_rto_3s_after_syn_retransmit(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg sa;

	(void)state;
	eh_init(&h, NULL);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	eh_run(&h, EH_S);
	eh_drain(&h);
	sa = eh_seg(TCP_SYN | TCP_ACK, IRS, h.iss + 1, 8192);
	eh_input(&h, &sa);
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	assert_true(c->rto == 3 * EH_S);
	assert_int_equal(c->rtt_samples, 0);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Zero window: no data, then 1-byte probes at RTO with backoff, never
 * giving up while answered; the window opening releases the data */
static void test_zero_window_persist(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c;
	struct tcp_seg a;
	const struct tcp_seg *o;
	uint64_t gap = EH_S;

	(void)state;
	tcp_config_default(&cfg);
	cfg.data_retries = 2;
	eh_init(&h, &cfg);
	c = eh_passive_open(&h, IRS, 0);
	assert_int_equal(tcp_send(c, pat, 3000, h.now), 3000);
	assert_null(eh_pop(&h));
	for (int i = 0; i < 6; i++) {
		eh_run(&h, gap - 2 * EH_MS);
		assert_null(eh_pop(&h));
		eh_run(&h, 2 * EH_MS);
		o = eh_pop(&h);
		EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 1);
		assert_int_equal(o->len, 1);
		assert_int_equal(o->payload[0], pat[0]);
		/* the receiver answers with its zero window */
		a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 0);
		eh_input(&h, &a);
		gap = gap * 2 > 60 * EH_S ? 60 * EH_S : gap * 2;
	}
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	assert_int_equal(tcp_stack_stats(h.s)->persist_probes, 6);
	/* the window opens: data flows */
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 4000);
	eh_input(&h, &a);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 1);
	assert_int_equal(o->len, 1460);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 1461, IRS + 1);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK | TCP_PSH, h.iss + 2921, IRS + 1);
	assert_int_equal(o->len, 80);
	/* all acknowledged, the window closes again, more data waits */
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 3001, 0);
	eh_input(&h, &a);
	assert_int_equal(tcp_send(c, pat, 100, h.now), 100);
	assert_null(eh_pop(&h));
	/* a probe the receiver took: its ACK covers it */
	eh_run(&h, c->rto + EH_MS);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 3001, IRS + 1);
	assert_int_equal(o->len, 1);
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 3002, 0);
	eh_input(&h, &a);
	assert_int_equal(c->snd_una, h.iss + 3002);
	assert_int_equal(c->snd_nxt, h.iss + 3002);
	/* a window of 10 for 99 bytes: sender SWS avoidance waits, then the
	 * override (persist) timer sends the 10 */
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 3002, 10);
	eh_input(&h, &a);
	assert_null(eh_pop(&h));
	eh_run(&h, 5 * EH_S);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 3002, IRS + 1);
	assert_int_equal(o->len, 10);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* NewReno: 3 dup ACKs -> fast retransmit, a partial ACK retransmits the
 * next hole, the full ACK ends recovery with cwnd = min(ssthresh, ...) */
static void test_newreno_partial_acks(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg a;
	const struct tcp_seg *o;
	uint32_t iss, m = 1460, ssthresh;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 65535);
	iss = h.iss;
	c->cwnd = 10 * m; /* force a larger window (lwIP-style state forcing) */
	assert_int_equal(tcp_send(c, pat, 10 * m, h.now), 10 * m);
	for (int i = 0; i < 10; i++) {
		o = eh_pop(&h);
		EH_EXPECT(o, i == 9 ? TCP_ACK | TCP_PSH : TCP_ACK, iss + 1 + i * m, IRS + 1);
	}
	assert_null(eh_pop(&h));
	/* segments 1 and 4 lost: the peer ACKs segment 0 then dup ACKs */
	a = eh_seg(TCP_ACK, IRS + 1, iss + 1 + m, 65535);
	eh_input(&h, &a);
	for (int i = 0; i < 2; i++) {
		eh_input(&h, &a);
		assert_null(eh_pop(&h));
	}
	eh_input(&h, &a); /* third dup ACK */
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, iss + 1 + m, IRS + 1);
	assert_int_equal(o->len, m);
	assert_true(c->flags & CF_RECOVERY);
	ssthresh = c->ssthresh;
	assert_int_equal(ssthresh, 9 * m / 2);
	assert_int_equal(c->recover, iss + 1 + 10 * m);
	assert_int_equal(c->cwnd, ssthresh + 3 * m);
	assert_int_equal(tcp_stack_stats(h.s)->fast_retransmits, 1);
	/* more dup ACKs inflate cwnd and let new data go: none queued here */
	eh_input(&h, &a);
	assert_int_equal(c->cwnd, ssthresh + 4 * m);
	/* partial ACK up to the second hole: it is retransmitted at once */
	a.ack = iss + 1 + 4 * m;
	eh_input(&h, &a);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, iss + 1 + 4 * m, IRS + 1);
	assert_true(c->flags & CF_RECOVERY);
	assert_int_equal(c->cwnd, ssthresh + 4 * m - 3 * m + m);
	/* full ACK: recovery ends */
	a.ack = iss + 1 + 10 * m;
	eh_input(&h, &a);
	assert_false(c->flags & CF_RECOVERY);
	assert_int_equal(c->cwnd, 2 * m < ssthresh ? m + m : ssthresh);
	assert_null(eh_pop(&h));
	/* 3 more dup ACKs without outstanding data do nothing */
	for (int i = 0; i < 3; i++)
		eh_input(&h, &a);
	assert_null(eh_pop(&h));
	/* slow start then congestion avoidance grow cwnd per ACK */
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* RTO during recovery: loss window, go back to SND.UNA */
static void test_rto_resets_cwnd(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	const struct tcp_seg *o;
	uint32_t m = 1460;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 65535);
	tcp_send(c, pat, 3 * m, h.now);
	eh_drain(&h);
	eh_run(&h, 201 * EH_MS);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 1);
	assert_null(eh_pop(&h)); /* cwnd = 1 SMSS */
	assert_int_equal(c->cwnd, m);
	assert_int_equal(c->ssthresh, 2 * m);
	assert_int_equal(c->snd_nxt, h.iss + 1 + m);
	/* the ACK of it: slow start sends the next two */
	struct tcp_seg a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1 + m, 65535);
	eh_input(&h, &a);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1 + m, IRS + 1);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1 + 2 * m, IRS + 1);
	/* ... which lie under SND.MAX: retransmissions */
	assert_int_equal(tcp_stack_stats(h.s)->retransmits, 3);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

static struct tcp_conn *to_time_wait(struct eh *h, int ts)
{
	struct tcp_conn *c;
	struct tcp_seg a, f, syn = eh_seg(TCP_SYN, IRS, 0, 8192);
	const struct tcp_seg *o;

	tcp_listen(h->s, 0, EH_LPORT);
	if (ts) {
		syn.opts = TCP_OPT_TS;
		syn.tsval = 100;
	}
	eh_input(h, &syn);
	o = eh_pop(h);
	a = eh_seg(TCP_ACK, IRS + 1, h->iss + 1, 8192);
	a.opts = syn.opts;
	a.tsval = 101;
	a.tsecr = o->tsval;
	eh_input(h, &a);
	c = h->accepted;
	tcp_shutdown(c, h->now);
	a.ack = h->iss + 2;
	a.tsval = 102;
	eh_input(h, &a);
	f = a;
	f.flags |= TCP_FIN;
	f.tsval = 103;
	eh_input(h, &f);
	assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
	eh_drain(h);
	return c;
}

/* TIME-WAIT (full TCB): an old SYN is answered with the final ACK, a SYN
 * above RCV.NXT reopens (RFC 6191 / RFC 1122 4.2.2.13) */
static void test_time_wait_reopen_by_seq(void **state)
{
	struct eh h;
	struct tcp_conn *c, *n;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS - 5, 0, 8192);

	(void)state;
	eh_init(&h, NULL);
	c = to_time_wait(&h, 0);
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
	/* an acceptable plain ACK is dropped silently */
	struct tcp_seg a = eh_seg(TCP_ACK, IRS + 2, h.iss + 2, 8192);
	eh_input(&h, &a);
	assert_null(eh_pop(&h));
	h.iss = 50000;
	syn.seq = IRS + 1000;
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, 50000, IRS + 1001);
	/* the held old conn is CLOSED, a new child handshakes */
	assert_int_equal(tcp_state(c), XDPTCP_CLOSED);
	n = tcp_conn_lookup(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT);
	assert_non_null(n);
	assert_ptr_not_equal(n, c);
	assert_int_equal(tcp_state(n), XDPTCP_SYN_RECEIVED);
	assert_int_equal(tcp_stack_stats(h.s)->tw_reopened, 1);
	tcp_close(c, h.now);
	eh_fini(&h);
}

/* With timestamps a SYN with a newer TSval reopens even with an old seq;
 * the compact entry does the same */
static void test_time_wait_reopen_by_timestamp(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS - 5, 0, 8192);

	(void)state;
	eh_init(&h, NULL);
	c = to_time_wait(&h, 1);
	syn.opts = TCP_OPT_TS;
	syn.tsval = 50; /* older */
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	syn.tsval = 500;
	eh_input(&h, &syn);
	/* the new ISS lies above the old incarnation's (RFC 1122 4.2.2.13);
	 * the harness ISN would have repeated the old one */
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss + 2 + 65536, IRS - 4);
	tcp_close(c, h.now);
	eh_fini(&h);

	/* compact entry: released before the FIN came */
	eh_init(&h, NULL);
	c = to_time_wait(&h, 1);
	tcp_close(c, h.now);
	assert_int_equal(tcp_stack_timewait(h.s), 1);
	syn.tsval = 50;
	syn.seq = IRS - 5;
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	syn.tsval = 500;
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss + 2 + 65536, IRS - 4);
	assert_int_equal(tcp_stack_timewait(h.s), 0);
	eh_fini(&h);
}

/* RFC 6298 arithmetic on its own */
static void test_rtt_estimator(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_rtt_init(c);
	assert_true(c->rto == EH_S);
	tcp_rtt_sample(c, 400 * EH_MS);
	/* SRTT 400, RTTVAR 200, RTO = 400 + 800 */
	assert_true(c->srtt == 400 * EH_MS && c->rttvar == 200 * EH_MS);
	assert_true(c->rto == 1200 * EH_MS);
	tcp_rtt_sample(c, 400 * EH_MS);
	assert_true(c->rttvar == 150 * EH_MS);
	assert_true(c->rto == 1000 * EH_MS);
	for (int i = 0; i < 10; i++)
		tcp_rtt_backoff(c);
	assert_true(c->rto == 60 * EH_S);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* A released FIN-WAIT-2 whose peer never sends its FIN goes after 2*MSL */
static void test_orphan_fin_wait_2(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg a;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_close(c, h.now);
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &a);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_2);
	eh_run(&h, 60 * EH_S - EH_MS);
	assert_int_equal(tcp_stack_conns(h.s), 2);
	eh_run(&h, 2 * EH_MS);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 1);
	/* held by the app (shutdown only): it may wait as long as it likes */
	c = NULL;
	eh_fini(&h);
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_shutdown(c, h.now);
	eh_input(&h, &a);
	eh_run(&h, 3600 * EH_S);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_2);
	/* closing it later starts the same limit */
	tcp_close(c, h.now);
	eh_run(&h, 61 * EH_S);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	eh_fini(&h);
}

/* Default R2 for SYNs covers 3 minutes (MUST-23) */
static void test_syn_r2_three_minutes(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c;
	int n = 0;

	(void)state;
	tcp_config_default(&cfg);
	eh_init(&h, &cfg);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	eh_run(&h, 180 * EH_S);
	while (eh_pop(&h))
		n++;
	assert_int_equal(n, 8); /* the SYN and 7 retransmissions */
	assert_int_equal(tcp_state(c), XDPTCP_SYN_SENT);
	eh_run(&h, 4 * EH_S);
	assert_int_equal(eh_events(&h, c, TCP_EV_RESET), 1);
	tcp_close(c, h.now);
	eh_fini(&h);
}

static void nop_out(void *ctx, const struct tcp_seg *seg) { (void)ctx, (void)seg; }

static void nop_ev(void *ctx, struct tcp_conn *c, enum tcp_event ev,
		   const struct tcp_event_info *info)
{
	(void)ctx, (void)c, (void)ev, (void)info;
}

static void test_config_rejected(void **state)
{
	struct tcp_config cfg, bad;
	struct tcp_stack *s;
	struct tcp_ops ops = {0}, ok = {.output = nop_out, .event = nop_ev};

	(void)state;
	tcp_config_default(&cfg);
	assert_int_equal(tcp_stack_init(&s, &cfg, &ops, 0), -EINVAL);
	assert_int_equal(tcp_stack_init(&s, NULL, &ok, 0), -EINVAL);
	bad = cfg, bad.sndbuf = 1000;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.rcvbuf = 0;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.hash_buckets = 3;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.mss = 10;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.wscale = 15;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.delack_ns = EH_S / 2;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.rto_min_ns = 0;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.rto_init_ns = EH_MS;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.rto_max_ns = EH_MS;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	bad = cfg, bad.msl_ns = 0;
	assert_int_equal(tcp_stack_init(&s, &bad, &ok, 0), -EINVAL);
	assert_int_equal(tcp_stack_init(&s, &cfg, &ok, 0), 0);
	tcp_stack_free(s);
	tcp_stack_free(NULL);
	assert_string_equal(tcp_event_name(TCP_EV_TIMEWAIT), "TIMEWAIT");
	assert_string_equal(tcp_event_name((enum tcp_event)99), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rto_backoff_and_give_up),
	    cmocka_unit_test(test_rto_recovers),
	    cmocka_unit_test(test_syn_retries),
	    cmocka_unit_test(test_rto_3s_after_syn_retransmit),
	    cmocka_unit_test(test_zero_window_persist),
	    cmocka_unit_test(test_newreno_partial_acks),
	    cmocka_unit_test(test_rto_resets_cwnd),
	    cmocka_unit_test(test_time_wait_reopen_by_seq),
	    cmocka_unit_test(test_time_wait_reopen_by_timestamp),
	    cmocka_unit_test(test_rtt_estimator),
	    cmocka_unit_test(test_orphan_fin_wait_2),
	    cmocka_unit_test(test_syn_r2_three_minutes),
	    cmocka_unit_test(test_config_rejected),
	};
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 13);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
