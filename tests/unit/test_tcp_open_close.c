/* RFC 9293 3.5 and 3.6: opening and closing, one transition per test of
 * the state diagram (figure 5), with the segments and events each emits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/engine_harness.h"
#include "tcp/tcp_priv.h"

#define IRS 5000u

static struct tcp_conn *child_of(struct eh *h)
{
	return tcp_conn_lookup(h->s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT);
}

/* LISTEN --rcv SYN / snd SYN,ACK--> SYN-RECEIVED --rcv ACK--> ESTABLISHED */
static void test_passive_open(void **state)
{
	struct eh h;
	struct tcp_conn *l, *c;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 8192), ack;
	const struct tcp_seg *o;

	(void)state;
	eh_init(&h, NULL);
	l = tcp_listen(h.s, 0, EH_LPORT);
	assert_int_equal(tcp_state(l), XDPTCP_LISTEN);
	assert_null(tcp_listen(h.s, 0, EH_LPORT)); /* port in use */
	syn.opts = TCP_OPT_MSS;
	syn.mss = 1000;
	eh_input(&h, &syn);
	c = child_of(&h);
	assert_non_null(c);
	assert_int_equal(tcp_state(c), XDPTCP_SYN_RECEIVED);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_SYN | TCP_ACK, h.iss, IRS + 1);
	assert_true(o->opts & TCP_OPT_MSS);
	assert_int_equal(o->mss, 1460);
	/* no WS/TS offered by the peer: none in the SYN-ACK (RFC 7323 1.3) */
	assert_false(o->opts & (TCP_OPT_WSCALE | TCP_OPT_TS));
	assert_int_equal(o->wnd, 65535);
	assert_int_equal(h.nev, 0); /* not visible before the handshake ends */
	ack = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 8192);
	eh_input(&h, &ack);
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	assert_ptr_equal(h.accepted, c);
	assert_ptr_equal(eh_last_event(&h, TCP_EV_ACCEPTED)->info.listener, l);
	assert_null(eh_pop(&h));
	/* the peer's MSS caps ours */
	assert_int_equal(tcp_eff_mss(c), 1000);
	tcp_abort(c, h.now);
	tcp_close(l, h.now);
	assert_int_equal(tcp_stack_conns(h.s), 0);
	eh_fini(&h);
}

/* CLOSED --connect / snd SYN--> SYN-SENT --rcv SYN,ACK / snd ACK--> ESTABLISHED */
static void test_active_open(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	const struct tcp_seg *o;
	struct tcp_seg sa;

	(void)state;
	eh_init(&h, NULL);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	assert_int_equal(tcp_state(c), XDPTCP_SYN_SENT);
	assert_null(tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now));
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_SYN, h.iss, 0);
	/* we offer MSS, WS and TS */
	assert_int_equal(o->opts, TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS);
	assert_int_equal(o->wscale, 7);
	/* data queued in SYN-SENT waits for ESTABLISHED (3.10.2) */
	assert_int_equal(tcp_send(c, "hi", 2, h.now), 2);
	assert_null(eh_pop(&h));
	sa = eh_seg(TCP_SYN | TCP_ACK, IRS, h.iss + 1, 4000);
	eh_input(&h, &sa);
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	assert_int_equal(eh_events(&h, c, TCP_EV_CONNECTED), 1);
	/* the queued data goes with the ACK */
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK | TCP_PSH, h.iss + 1, IRS + 1);
	assert_int_equal(o->len, 2);
	assert_memory_equal(o->payload, "hi", 2);
	assert_null(eh_pop(&h));
	/* without an MSS option the peer gets 536 (RFC 9293 3.7.1) */
	assert_int_equal(tcp_eff_mss(c), 536);
	tcp_abort(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_RST, h.iss + 3, 0);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	eh_fini(&h);
}

/* SYN-SENT --rcv SYN / snd SYN,ACK--> SYN-RECEIVED --rcv SYN,ACK--> ESTABLISHED
 * (RFC 9293 figure 7, simultaneous open) */
static void test_simultaneous_open(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 4000);
	struct tcp_seg sa = eh_seg(TCP_SYN | TCP_ACK, IRS, 0, 4000);

	(void)state;
	eh_init(&h, NULL);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	EH_EXPECT(eh_pop(&h), TCP_SYN, h.iss, 0);
	eh_input(&h, &syn);
	assert_int_equal(tcp_state(c), XDPTCP_SYN_RECEIVED);
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss, IRS + 1);
	sa.ack = h.iss + 1;
	eh_input(&h, &sa);
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	assert_int_equal(eh_events(&h, c, TCP_EV_CONNECTED), 1);
	assert_null(eh_pop(&h));
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Simultaneous open where the peer's plain ACK completes it */
static void test_simultaneous_open_ack(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 4000), ack;

	(void)state;
	eh_init(&h, NULL);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	eh_input(&h, &syn);
	eh_drain(&h);
	/* a shutdown in SYN-RECEIVED waits for ESTABLISHED (3.10.4) */
	assert_int_equal(tcp_shutdown(c, h.now), 0);
	assert_null(eh_pop(&h));
	ack = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 4000);
	eh_input(&h, &ack);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_1);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 1, IRS + 1);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* The SYN-ACK is lost: the retransmitted SYN gets it again at once */
static void test_syn_received_retransmitted_syn(void **state)
{
	struct eh h;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 4000);

	(void)state;
	eh_init(&h, NULL);
	tcp_listen(h.s, 0, EH_LPORT);
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss, IRS + 1);
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss, IRS + 1);
	/* and the RTO sends it too, with backoff, until it gives up quietly */
	eh_advance(&h, EH_S);
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss, IRS + 1);
	eh_advance(&h, 2 * EH_S);
	EH_EXPECT(eh_pop(&h), TCP_SYN | TCP_ACK, h.iss, IRS + 1);
	eh_run(&h, 600 * EH_S);
	assert_null(child_of(&h));
	assert_int_equal(tcp_stack_conns(h.s), 1); /* the listener */
	assert_int_equal(h.nev, 0);
	eh_fini(&h);
}

/* SYN-RECEIVED: an unacceptable ACK is answered <SEQ=SEG.ACK><CTL=RST> */
static void test_syn_received_bad_ack(void **state)
{
	struct eh h;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 4000);
	struct tcp_seg ack = eh_seg(TCP_ACK, IRS + 1, 77, 4000);

	(void)state;
	eh_init(&h, NULL);
	tcp_listen(h.s, 0, EH_LPORT);
	eh_input(&h, &syn);
	eh_drain(&h);
	eh_input(&h, &ack);
	EH_EXPECT(eh_pop(&h), TCP_RST, 77, 0);
	assert_int_equal(tcp_state(child_of(&h)), XDPTCP_SYN_RECEIVED);
	/* an in-window SYN with another ISN: back to LISTEN (3.10.7.4) */
	syn.seq = IRS + 10;
	eh_input(&h, &syn);
	assert_null(child_of(&h));
	eh_fini(&h);
}

/* ESTABLISHED --close / snd FIN--> FIN-WAIT-1 --rcv ACK of FIN--> FIN-WAIT-2
 * --rcv FIN / snd ACK--> TIME-WAIT --2 MSL--> CLOSED, with the full TCB in
 * TIME-WAIT (compact 0) or the compact entry (compact 1) */
static void active_close(int compact)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c;
	struct tcp_seg s, fin;
	const struct eh_ev *tw;

	tcp_config_default(&cfg);
	cfg.tw_compact = (uint8_t)compact;
	eh_init(&h, &cfg);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_close(c, h.now);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_1);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 1, IRS + 1);
	s = eh_seg(TCP_ACK, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &s);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_2);
	assert_null(eh_pop(&h));
	fin = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &fin);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	tw = eh_last_event(&h, TCP_EV_TIMEWAIT);
	assert_non_null(tw);
	assert_ptr_equal(tw->c, c);
	assert_int_equal(tw->info.tw.snd_nxt, h.iss + 2);
	assert_int_equal(tw->info.tw.rcv_nxt, IRS + 2);
	assert_true(tw->info.tw.deadline_ns == h.now + 60 * EH_S);
	assert_int_equal(tw->info.key.lport, __builtin_bswap16(EH_LPORT));
	assert_int_equal(tw->info.key.raddr, __builtin_bswap32(EH_RADDR));
	assert_int_equal(tw->info.key.family, 2);
	/* the app already closed: no PEER_CLOSED for nobody */
	assert_int_equal(eh_events(&h, c, TCP_EV_PEER_CLOSED), 0);
	if (compact) {
		/* the TCB is gone, the entry answers */
		assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
		assert_int_equal(tcp_stack_conns(h.s), 1);
		assert_int_equal(tcp_stack_timewait(h.s), 1);
	} else {
		assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
		assert_int_equal(tcp_stack_conns(h.s), 2);
	}
	/* a retransmitted FIN 30 s later: re-ACKed, 2*MSL restarts */
	eh_advance(&h, 30 * EH_S);
	eh_input(&h, &fin);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	eh_advance(&h, 60 * EH_S - EH_MS);
	/* still TIME-WAIT: an old duplicate is answered with the final ACK */
	s = eh_seg(TCP_ACK, IRS - 100, h.iss + 2, 8192);
	eh_input(&h, &s);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	if (!compact)
		assert_int_equal(tcp_stack_conns(h.s), 2);
	eh_advance(&h, 2 * EH_MS);
	assert_int_equal(eh_events(&h, NULL, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 1); /* the listener */
	/* after 2*MSL the flow is unknown: an ACK meets the listener's RST */
	eh_input(&h, &s);
	EH_EXPECT(eh_pop(&h), TCP_RST, h.iss + 2, 0);
	assert_null(eh_pop(&h));
	eh_fini(&h);
}

static void test_active_close(void **state)
{
	(void)state;
	active_close(0);
}

static void test_active_close_compact_tw(void **state)
{
	(void)state;
	active_close(1);
}

/* ESTABLISHED --rcv FIN / snd ACK--> CLOSE-WAIT --close / snd FIN-->
 * LAST-ACK --rcv ACK of FIN--> CLOSED */
static void test_passive_close(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg s;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	s = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 1, 8192);
	eh_input(&h, &s);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSE_WAIT);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 2);
	assert_int_equal(eh_events(&h, c, TCP_EV_PEER_CLOSED), 1);
	/* half-closed: we still send (3.10.2 CLOSE-WAIT) */
	assert_int_equal(tcp_send(c, "abc", 3, h.now), 3);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 2);
	tcp_close(c, h.now);
	assert_int_equal(tcp_state(c), XDPTCP_LAST_ACK);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 4, IRS + 2);
	assert_int_equal(tcp_send(c, "x", 1, h.now), -EPIPE);
	/* an ACK of the data only: still LAST-ACK */
	s = eh_seg(TCP_ACK, IRS + 2, h.iss + 4, 8192);
	eh_input(&h, &s);
	assert_int_equal(tcp_state(c), XDPTCP_LAST_ACK);
	s = eh_seg(TCP_ACK, IRS + 2, h.iss + 5, 8192);
	eh_input(&h, &s);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 1);
	assert_null(eh_pop(&h));
	eh_fini(&h);
}

/* Simultaneous close (TCP Guide table 155): FIN-WAIT-1 --rcv FIN / snd ACK-->
 * CLOSING --rcv ACK of FIN--> TIME-WAIT --2 MSL--> CLOSED */
static void test_simultaneous_close(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg s;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_close(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 1, IRS + 1);
	/* the peer's FIN was sent before ours arrived: it does not ACK ours */
	s = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 1, 8192);
	eh_input(&h, &s);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSING);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	/* the FIN is retransmitted in CLOSING until acknowledged */
	eh_advance(&h, EH_S);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 1, IRS + 2);
	s = eh_seg(TCP_ACK, IRS + 2, h.iss + 2, 8192);
	eh_input(&h, &s);
	assert_null(eh_pop(&h));
	/* TIME-WAIT: the released TCB shrank to the compact entry */
	assert_int_equal(eh_events(&h, c, TCP_EV_TIMEWAIT), 1);
	assert_int_equal(eh_last_event(&h, TCP_EV_TIMEWAIT)->info.tw.snd_nxt, h.iss + 2);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 1);
	assert_int_equal(tcp_stack_timewait(h.s), 1);
	/* within 2*MSL the entry re-ACKs, after it the flow is unknown */
	eh_run(&h, 60 * EH_S - 10 * EH_MS);
	eh_input(&h, &s); /* the exact final ACK again: nothing to answer */
	assert_null(eh_pop(&h));
	s.seq = IRS - 100; /* an old duplicate: the final ACK again */
	eh_input(&h, &s);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	eh_run(&h, 20 * EH_MS);
	eh_input(&h, &s);
	EH_EXPECT(eh_pop(&h), TCP_RST, h.iss + 2, 0);
	eh_fini(&h);
}

/* FIN-WAIT-1 --rcv FIN,ACK of our FIN / snd ACK--> TIME-WAIT directly */
static void test_fin_wait_1_to_time_wait(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_shutdown(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 1, IRS + 1);
	/* the peer sends its last data and FIN with the ACK of ours */
	eh_input_data(&h, TCP_ACK | TCP_FIN | TCP_PSH, IRS + 1, h.iss + 2, 8192, "bye", 3);
	assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 5);
	assert_null(eh_pop(&h));
	/* data first, then PEER_CLOSED, then TIMEWAIT */
	assert_int_equal(h.ev[h.nev - 3].ev, TCP_EV_READABLE);
	assert_int_equal(h.ev[h.nev - 2].ev, TCP_EV_PEER_CLOSED);
	assert_int_equal(h.ev[h.nev - 1].ev, TCP_EV_TIMEWAIT);
	char buf[8];
	assert_int_equal(tcp_recv(c, buf, sizeof(buf), h.now), 3);
	assert_memory_equal(buf, "bye", 3);
	/* the app still holds it: after 2 MSL it waits in CLOSED for close */
	eh_run(&h, 61 * EH_S);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSED);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 0);
	tcp_close(c, h.now);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_conns(h.s), 1);
	eh_fini(&h);
}

/* Half-close from our side: FIN-WAIT-2 keeps receiving (3.10.7.4 seventh) */
static void test_half_close_receive_in_fin_wait_2(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg s;
	char buf[16];

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	assert_int_equal(tcp_shutdown(c, h.now), 0);
	assert_int_equal(tcp_shutdown(c, h.now), 0); /* idempotent */
	assert_int_equal(tcp_send(c, "x", 1, h.now), -EPIPE);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 1, IRS + 1);
	s = eh_seg(TCP_ACK, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &s);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_2);
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 2, 8192, "hello", 5);
	eh_input_data(&h, TCP_ACK, IRS + 6, h.iss + 2, 8192, "world", 5);
	/* second segment: ACK now */
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 11);
	assert_int_equal(tcp_recv(c, buf, sizeof(buf), h.now), 10);
	assert_memory_equal(buf, "helloworld", 10);
	s = eh_seg(TCP_ACK | TCP_FIN, IRS + 11, h.iss + 2, 8192);
	eh_input(&h, &s);
	assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 12);
	assert_int_equal(eh_events(&h, c, TCP_EV_PEER_CLOSED), 1);
	tcp_close(c, h.now);
	eh_run(&h, 61 * EH_S);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	eh_fini(&h);
}

/* CLOSE in LISTEN and SYN-SENT deletes the TCB (3.10.4) */
static void test_close_listen_and_syn_sent(void **state)
{
	struct eh h;
	struct tcp_conn *l, *c;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 4000);

	(void)state;
	eh_init(&h, NULL);
	l = tcp_listen(h.s, 0, EH_LPORT);
	eh_input(&h, &syn); /* a child in SYN-RECEIVED goes with it */
	assert_int_equal(tcp_stack_conns(h.s), 2);
	tcp_close(l, h.now);
	assert_int_equal(tcp_stack_conns(h.s), 0);
	eh_drain(&h);
	c = tcp_connect(h.s, EH_LADDR, 1234, EH_RADDR, EH_RPORT, h.now);
	assert_int_equal(tcp_shutdown(c, h.now), -ENOTCONN);
	tcp_close(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_SYN, h.iss, 0);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_stack_conns(h.s), 0);
	eh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_passive_open),
	    cmocka_unit_test(test_active_open),
	    cmocka_unit_test(test_simultaneous_open),
	    cmocka_unit_test(test_simultaneous_open_ack),
	    cmocka_unit_test(test_syn_received_retransmitted_syn),
	    cmocka_unit_test(test_syn_received_bad_ack),
	    cmocka_unit_test(test_active_close),
	    cmocka_unit_test(test_active_close_compact_tw),
	    cmocka_unit_test(test_passive_close),
	    cmocka_unit_test(test_simultaneous_close),
	    cmocka_unit_test(test_fin_wait_1_to_time_wait),
	    cmocka_unit_test(test_half_close_receive_in_fin_wait_2),
	    cmocka_unit_test(test_close_listen_and_syn_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
