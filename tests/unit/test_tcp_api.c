/* The application interface: calls made from inside event callbacks
 * (frees are deferred), listeners by address, hash chains, the TIME-WAIT
 * table filling up, and congestion avoidance after recovery. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/engine_harness.h"
#include "tcp/tcp_priv.h"

#define IRS 777u

static enum tcp_event abort_on = TCP_EV_CLOSED;

static void abort_hook(struct eh *h, struct tcp_conn *c, enum tcp_event ev)
{
	if (ev == abort_on)
		tcp_abort(c, h->now);
}

/* tcp_abort from inside READABLE, PEER_CLOSED, WRITABLE, ACCEPTED: the
 * engine stops touching the connection, frees it once, sends one RST */
static void test_abort_inside_callbacks(void **state)
{
	static const enum tcp_event evs[] = {
	    TCP_EV_READABLE,
	    TCP_EV_PEER_CLOSED,
	    TCP_EV_WRITABLE,
	    TCP_EV_ACCEPTED,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		struct eh h;
		struct tcp_conn *c;
		struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 8192), a;

		eh_init(&h, NULL);
		h.hook = abort_hook;
		abort_on = evs[i];
		tcp_listen(h.s, 0, EH_LPORT);
		eh_input(&h, &syn);
		eh_drain(&h);
		a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 8192);
		eh_input(&h, &a);
		c = h.accepted;
		if (abort_on != TCP_EV_ACCEPTED) {
			tcp_send(c, "x", 1, h.now);
			eh_drain(&h);
			/* data, the ACK of ours and a FIN in one segment */
			eh_input_data(&h, TCP_ACK | TCP_FIN, IRS + 1, h.iss + 2, 8192, "hey", 3);
		}
		EH_EXPECT(eh_pop(&h), TCP_RST, abort_on == TCP_EV_ACCEPTED ? h.iss + 1 : h.iss + 2,
			  0);
		assert_null(eh_pop(&h));
		assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
		assert_int_equal(h.ev[h.nev - 1].ev, TCP_EV_CLOSED);
		assert_int_equal(tcp_stack_conns(h.s), 1);
		eh_fini(&h);
	}
}

static void reply_hook(struct eh *h, struct tcp_conn *c, enum tcp_event ev)
{
	char buf[16];

	if (ev == TCP_EV_CONNECTED)
		tcp_send(c, "hello", 5, h->now);
	if (ev == TCP_EV_READABLE)
		tcp_recv(c, buf, sizeof(buf), h->now);
	if (ev == TCP_EV_PEER_CLOSED)
		tcp_close(c, h->now);
}

/* send from CONNECTED, close from PEER_CLOSED: LAST-ACK, then CLOSED */
static void test_calls_inside_callbacks(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg sa, a;

	(void)state;
	eh_init(&h, NULL);
	h.hook = reply_hook;
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	eh_drain(&h);
	sa = eh_seg(TCP_SYN | TCP_ACK, IRS, h.iss + 1, 8192);
	eh_input(&h, &sa);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 1);
	assert_null(eh_pop(&h));
	eh_input_data(&h, TCP_ACK | TCP_FIN, IRS + 1, h.iss + 6, 8192, "bye", 3);
	/* one segment: the ACK of the FIN rides on our FIN */
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 6, IRS + 5);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_state(c), XDPTCP_LAST_ACK);
	a = eh_seg(TCP_ACK, IRS + 5, h.iss + 7, 8192);
	eh_input(&h, &a);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 0);
	eh_fini(&h);
}

/* A listener on a specific address wins over the wildcard one; the other
 * addresses go to the wildcard; a connection from another port of the
 * same peer is a different flow */
static void test_listener_lookup_and_hash_chains(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *any, *one;
	struct tcp_seg syn;

	(void)state;
	tcp_config_default(&cfg);
	cfg.hash_buckets = 1; /* every flow in one chain */
	eh_init(&h, &cfg);
	any = tcp_listen(h.s, 0, EH_LPORT);
	one = tcp_listen(h.s, EH_LADDR, EH_LPORT);
	assert_non_null(tcp_listen(h.s, EH_LADDR, EH_LPORT + 1));
	assert_null(tcp_listen(h.s, EH_LADDR, EH_LPORT));
	assert_int_equal(tcp_send(any, "x", 1, h.now), -ENOTCONN);
	assert_int_equal(tcp_shutdown(any, h.now), -ENOTCONN);
	for (uint16_t p = 0; p < 8; p++) {
		syn = eh_seg(TCP_SYN, IRS, 0, 8192);
		syn.sport = (uint16_t)(EH_RPORT + p);
		syn.daddr = p & 1 ? EH_LADDR : EH_LADDR + 1;
		eh_input(&h, &syn);
		struct tcp_seg a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 8192);

		a.sport = syn.sport;
		a.daddr = syn.daddr;
		eh_input(&h, &a);
		assert_ptr_equal(eh_last_event(&h, TCP_EV_ACCEPTED)->info.listener,
				 p & 1 ? one : any);
	}
	assert_int_equal(tcp_stack_conns(h.s), 3 + 8);
	/* remove from the middle of the chain, then the rest */
	for (uint16_t p = 0; p < 8; p++) {
		struct tcp_conn *c = tcp_conn_lookup(h.s, p & 1 ? EH_LADDR : EH_LADDR + 1, EH_LPORT,
						     EH_RADDR, (uint16_t)(EH_RPORT + (p * 3) % 8));

		assert_non_null(c);
		tcp_abort(c, h.now);
	}
	assert_int_equal(tcp_stack_conns(h.s), 3);
	tcp_close(one, h.now);
	assert_int_equal(tcp_stack_conns(h.s), 2);
	eh_fini(&h); /* frees the rest */
}

/* A full TIME-WAIT table: the TCB itself keeps doing TIME-WAIT */
static void test_tw_table_full(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c[2];

	(void)state;
	tcp_config_default(&cfg);
	cfg.tw_max = 1;
	eh_init(&h, &cfg);
	tcp_listen(h.s, 0, EH_LPORT);
	for (int i = 0; i < 2; i++) {
		struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 8192), a, f;

		syn.sport = (uint16_t)(EH_RPORT + i);
		eh_input(&h, &syn);
		a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 8192);
		a.sport = syn.sport;
		eh_input(&h, &a);
		c[i] = h.accepted;
		tcp_close(c[i], h.now);
		a.ack = h.iss + 2;
		f = a;
		f.flags |= TCP_FIN;
		eh_input(&h, &f);
	}
	assert_int_equal(tcp_stack_timewait(h.s), 1);
	assert_int_equal(tcp_stack_stats(h.s)->tw_compacted, 1);
	/* by count, not pointer: c[1] may reuse c[0]'s freed memory */
	assert_int_equal(eh_events(&h, NULL, TCP_EV_CLOSED), 1);
	assert_ptr_equal(eh_last_event(&h, TCP_EV_CLOSED)->c, c[0]);
	assert_int_equal(tcp_state(c[1]), XDPTCP_TIME_WAIT);
	eh_run(&h, 61 * EH_S);
	assert_int_equal(eh_events(&h, NULL, TCP_EV_CLOSED), 2);
	assert_int_equal(tcp_stack_conns(h.s), 1);
	eh_fini(&h);
}

/* After recovery, cwnd grows by about SMSS per RTT (RFC 5681 3.1) */
static void test_congestion_avoidance(void **state)
{
	static uint8_t data[60000];
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg a;
	uint32_t m = 1460, cw;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 65535);
	c->ssthresh = 3 * m; /* forced, as after a loss */
	c->cwnd = 3 * m;
	tcp_send(c, data, sizeof(data), h.now);
	eh_drain(&h);
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1 + m, 65535);
	cw = c->cwnd;
	eh_input(&h, &a);
	assert_int_equal(c->cwnd, cw + m * m / cw);
	/* slow start below ssthresh: + min(acked, SMSS) */
	c->ssthresh = 100 * m;
	cw = c->cwnd;
	a.ack += 100;
	eh_input(&h, &a);
	assert_int_equal(c->cwnd, cw + 100);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* A batch holds pure ACKs until its end: one per connection, none when
 * data carried it; the final ACK before a compact TIME-WAIT goes at once */
static void test_batch_coalesces_acks(void **state)
{
	static uint8_t d[1460];
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg f;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_batch_begin(h.s);
	for (uint32_t i = 0; i < 4; i++)
		eh_input_data(&h, TCP_ACK, IRS + 1 + i * 1460, h.iss + 1, 8192, d, 1460);
	assert_null(eh_pop(&h));
	tcp_batch_end(h.s, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1 + 4 * 1460);
	assert_null(eh_pop(&h));
	/* no delayed ACK left behind */
	eh_run(&h, EH_S / 10);
	assert_null(eh_pop(&h));
	/* a reply inside the batch carries the ACK: nothing more at the end */
	tcp_batch_begin(h.s);
	eh_input_data(&h, TCP_ACK, IRS + 1 + 4 * 1460, h.iss + 1, 8192, d, 1460);
	eh_input_data(&h, TCP_ACK, IRS + 1 + 5 * 1460, h.iss + 1, 8192, d, 1460);
	tcp_send(c, "r", 1, h.now);
	tcp_batch_end(h.s, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 1 + 6 * 1460);
	assert_null(eh_pop(&h));
	/* close; the FIN that ends FIN-WAIT-2 comes in a batch: the final
	 * ACK goes before the TCB shrinks to the compact entry */
	tcp_close(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 2, IRS + 1 + 6 * 1460);
	tcp_batch_begin(h.s);
	f = eh_seg(TCP_ACK, IRS + 1 + 6 * 1460, h.iss + 3, 8192);
	eh_input(&h, &f);
	f.flags |= TCP_FIN;
	eh_input(&h, &f);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 3, IRS + 2 + 6 * 1460);
	tcp_batch_end(h.s, h.now);
	assert_null(eh_pop(&h));
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_timewait(h.s), 1);
	eh_fini(&h);
}

/* What an app queues in a batch goes out at its end: a request read, a
 * response sent as header and body, then close -> one segment with both
 * pieces, the FIN and the ACK of the request; no pure ACK before it. */
static void test_batch_joins_response_and_fin(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	const struct tcp_seg *r;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_batch_begin(h.s);
	eh_input_data(&h, TCP_ACK | TCP_PSH, IRS + 1, h.iss + 1, 8192, "GET /", 5);
	assert_int_equal(tcp_send(c, "head:", 5, h.now), 5);
	assert_int_equal(tcp_send(c, "body", 4, h.now), 4);
	tcp_close(c, h.now);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_1);
	assert_null(eh_pop(&h)); /* nothing before the end of the batch */
	tcp_batch_end(h.s, h.now);
	r = eh_pop(&h);
	EH_EXPECT(r, TCP_ACK | TCP_PSH | TCP_FIN, h.iss + 1, IRS + 6);
	assert_int_equal(r->len, 9);
	assert_memory_equal(r->payload, "head:body", 9);
	assert_null(eh_pop(&h));
	/* outside a batch, a send goes at once */
	eh_fini(&h);
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_send(c, "a", 1, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 1);
	tcp_send(c, "b", 1, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 2, IRS + 1);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_abort_inside_callbacks),
	    cmocka_unit_test(test_calls_inside_callbacks),
	    cmocka_unit_test(test_listener_lookup_and_hash_chains),
	    cmocka_unit_test(test_tw_table_full),
	    cmocka_unit_test(test_congestion_avoidance),
	    cmocka_unit_test(test_batch_coalesces_acks),
	    cmocka_unit_test(test_batch_joins_response_and_fin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
