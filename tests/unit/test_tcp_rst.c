/* RST in every state (RFC 9293 3.10.7, RFC 5961 3.2), challenge ACKs for
 * SYNs and bad ACKs (RFC 5961 4.2, 5.2) and their rate limit (7), and the
 * replies of LISTEN and CLOSED (3.10.7.1-2). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/engine_harness.h"
#include "tcp/tcp_priv.h"

#define IRS 0x7ffffff0u

static void rst_in(struct eh *h, uint32_t seq)
{
	struct tcp_seg r = eh_seg(TCP_RST, seq, 0, 0);

	eh_input(h, &r);
}

/* The three RST cases of RFC 5961 3.2 for a synchronized connection whose
 * RCV.NXT is rcv_nxt: outside the window dropped, inside but not exact a
 * challenge ACK, exact a reset. */
static void check_rst_rules(struct eh *h, struct tcp_conn *c, uint32_t rcv_nxt)
{
	enum xdptcp_state st = tcp_state(c);
	uint32_t snd_nxt = c->snd_nxt;

	rst_in(h, rcv_nxt + 100000);
	assert_null(eh_pop(h));
	assert_int_equal(tcp_state(c), st);
	rst_in(h, rcv_nxt - 1);
	assert_null(eh_pop(h));
	rst_in(h, rcv_nxt + 1);
	EH_EXPECT(eh_pop(h), TCP_ACK, snd_nxt, rcv_nxt);
	assert_int_equal(tcp_state(c), st);
	assert_int_equal(eh_events(h, c, TCP_EV_RESET), 0);
	rst_in(h, rcv_nxt);
	assert_null(eh_pop(h));
	assert_int_equal(eh_events(h, c, TCP_EV_RESET), 1);
	/* the app still holds it: CLOSED until it lets go */
	assert_int_equal(tcp_state(c), XDPTCP_CLOSED);
	assert_null(tcp_conn_lookup(h->s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT));
	assert_int_equal(eh_events(h, c, TCP_EV_CLOSED), 0);
	tcp_close(c, h->now);
	assert_int_equal(eh_events(h, c, TCP_EV_CLOSED), 1);
}

static void test_rst_established(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	check_rst_rules(&h, c, IRS + 1);
	eh_fini(&h);
}

static void test_rst_fin_wait_1(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_shutdown(c, h.now);
	eh_drain(&h);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_1);
	check_rst_rules(&h, c, IRS + 1);
	eh_fini(&h);
}

static void test_rst_fin_wait_2(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg a;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_shutdown(c, h.now);
	eh_drain(&h);
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &a);
	assert_int_equal(tcp_state(c), XDPTCP_FIN_WAIT_2);
	check_rst_rules(&h, c, IRS + 1);
	eh_fini(&h);
}

static void test_rst_close_wait(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg f;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	f = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 1, 8192);
	eh_input(&h, &f);
	eh_drain(&h);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSE_WAIT);
	check_rst_rules(&h, c, IRS + 2);
	eh_fini(&h);
}

static void test_rst_closing(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg f;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_shutdown(c, h.now);
	f = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 1, 8192);
	eh_input(&h, &f);
	eh_drain(&h);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSING);
	check_rst_rules(&h, c, IRS + 2);
	eh_fini(&h);
}

static void test_rst_last_ack(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg f;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	f = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 1, 8192);
	eh_input(&h, &f);
	tcp_shutdown(c, h.now);
	eh_drain(&h);
	assert_int_equal(tcp_state(c), XDPTCP_LAST_ACK);
	check_rst_rules(&h, c, IRS + 2);
	eh_fini(&h);
}

/* RFC 1337: TIME-WAIT ignores RST, whether full TCB or compact entry */
static void test_rst_time_wait(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg a, f, old;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	tcp_shutdown(c, h.now);
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 2, 8192);
	f = eh_seg(TCP_ACK | TCP_FIN, IRS + 1, h.iss + 2, 8192);
	eh_input(&h, &a);
	eh_input(&h, &f);
	eh_drain(&h);
	assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
	rst_in(&h, IRS + 2);
	assert_int_equal(tcp_state(c), XDPTCP_TIME_WAIT);
	assert_null(eh_pop(&h));
	/* released: compact entry, still ignoring RSTs */
	tcp_close(c, h.now);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	assert_int_equal(tcp_stack_timewait(h.s), 1);
	rst_in(&h, IRS + 2);
	assert_null(eh_pop(&h));
	old = eh_seg(TCP_ACK, IRS, h.iss + 2, 8192);
	eh_input(&h, &old);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 2);
	assert_int_equal(tcp_stack_stats(h.s)->tw_reacked, 1);
	eh_fini(&h);
}

static void test_rst_syn_sent(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg r;

	(void)state;
	eh_init(&h, NULL);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	eh_drain(&h);
	/* no ACK: "drop the segment and return" */
	r = eh_seg(TCP_RST, 0, 0, 0);
	eh_input(&h, &r);
	assert_int_equal(tcp_state(c), XDPTCP_SYN_SENT);
	/* unacceptable ACK with RST: dropped, no RST back */
	r = eh_seg(TCP_RST | TCP_ACK, 0, h.iss + 7, 0);
	eh_input(&h, &r);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_state(c), XDPTCP_SYN_SENT);
	/* unacceptable ACK without RST: <SEQ=SEG.ACK><CTL=RST> */
	r = eh_seg(TCP_ACK, 0, h.iss, 0);
	eh_input(&h, &r);
	EH_EXPECT(eh_pop(&h), TCP_RST, h.iss, 0);
	/* an ACK without SYN: dropped */
	r = eh_seg(TCP_ACK, 0, h.iss + 1, 0);
	eh_input(&h, &r);
	assert_null(eh_pop(&h));
	/* acceptable: "connection reset" (refused) */
	r = eh_seg(TCP_RST | TCP_ACK, 0, h.iss + 1, 0);
	eh_input(&h, &r);
	assert_int_equal(eh_events(&h, c, TCP_EV_RESET), 1);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSED);
	tcp_close(c, h.now);
	assert_int_equal(tcp_stack_conns(h.s), 0);
	eh_fini(&h);
}

static void test_rst_syn_received_passive(void **state)
{
	struct eh h;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 4000);

	(void)state;
	eh_init(&h, NULL);
	tcp_listen(h.s, 0, EH_LPORT);
	eh_input(&h, &syn);
	eh_drain(&h);
	rst_in(&h, IRS + 2); /* in window, not exact: challenge */
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	rst_in(&h, IRS + 1);
	/* back to LISTEN: the child is gone without a word */
	assert_null(tcp_conn_lookup(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT));
	assert_int_equal(tcp_stack_conns(h.s), 1);
	assert_int_equal(h.nev, 0);
	assert_null(eh_pop(&h));
	eh_fini(&h);
}

static void test_rst_syn_received_active(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 4000);

	(void)state;
	eh_init(&h, NULL);
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	eh_input(&h, &syn);
	eh_drain(&h);
	assert_int_equal(tcp_state(c), XDPTCP_SYN_RECEIVED);
	rst_in(&h, IRS + 1);
	/* "connection refused" */
	assert_int_equal(eh_events(&h, c, TCP_EV_RESET), 1);
	tcp_close(c, h.now);
	eh_fini(&h);
}

static void test_rst_listen_and_closed(void **state)
{
	struct eh h;
	struct tcp_conn *l;
	struct tcp_seg s;

	(void)state;
	eh_init(&h, NULL);
	/* CLOSED: RST dropped; ACK -> <SEQ=SEG.ACK><CTL=RST>; otherwise
	 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
	rst_in(&h, 5);
	assert_null(eh_pop(&h));
	s = eh_seg(TCP_ACK, 10, 99, 100);
	eh_input(&h, &s);
	EH_EXPECT(eh_pop(&h), TCP_RST, 99, 0);
	eh_input_data(&h, TCP_SYN | TCP_FIN, 10, 0, 100, "abc", 3);
	EH_EXPECT(eh_pop(&h), TCP_RST | TCP_ACK, 0, 15);
	/* LISTEN: RST ignored, ACK reset, other segments dropped */
	l = tcp_listen(h.s, EH_LADDR, EH_LPORT);
	rst_in(&h, 5);
	assert_null(eh_pop(&h));
	s = eh_seg(TCP_ACK, 10, 99, 100);
	eh_input(&h, &s);
	EH_EXPECT(eh_pop(&h), TCP_RST, 99, 0);
	s = eh_seg(TCP_FIN, 10, 0, 100);
	eh_input(&h, &s);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_stack_conns(h.s), 1);
	tcp_abort(l, h.now);
	assert_int_equal(tcp_stack_conns(h.s), 0);
	eh_fini(&h);
}

/* RFC 5961 4.2: SYN in a synchronized state, any sequence number */
static void test_syn_challenge_ack_and_limit(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg syn;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	for (int i = 0; i < 15; i++) {
		syn = eh_seg(TCP_SYN, IRS + 1 + (uint32_t)i * 1000000, 0, 4000);
		eh_input(&h, &syn);
	}
	/* 10 per second (RFC 5961 7) */
	for (int i = 0; i < 10; i++)
		EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_stack_stats(h.s)->challenge_acks, 10);
	assert_int_equal(tcp_stack_stats(h.s)->challenge_acks_limited, 5);
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	eh_advance(&h, EH_S);
	eh_input(&h, &syn);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* RFC 5961 5.2: ACK beyond SND.NXT or before SND.UNA - MAX.SND.WND */
static void test_bad_ack_challenge(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 50, 8192, "zz", 2);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	assert_int_equal(tcp_readable(c), 0);
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss - 9000, 8192, "zz", 2);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	assert_int_equal(tcp_readable(c), 0);
	/* an old but plausible ACK is fine: the data is taken */
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss - 100, 8192, "zz", 2);
	assert_int_equal(tcp_readable(c), 2);
	/* ... but an ACK below SND.UNA does not update the window, even
	 * with a newer SEG.SEQ (3.10.7.4) */
	eh_input_data(&h, TCP_ACK, IRS + 3, h.iss - 100, 0, "zz", 2);
	assert_int_equal(tcp_readable(c), 4);
	assert_int_equal(c->snd_wnd, 8192);
	/* a segment without ACK is dropped */
	eh_input_data(&h, 0, IRS + 5, 0, 8192, "zz", 2);
	assert_int_equal(tcp_readable(c), 4);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 5); /* 2nd segment */
	assert_null(eh_pop(&h));
	tcp_abort(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_RST, h.iss + 1, 0);
	eh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rst_established),
	    cmocka_unit_test(test_rst_fin_wait_1),
	    cmocka_unit_test(test_rst_fin_wait_2),
	    cmocka_unit_test(test_rst_close_wait),
	    cmocka_unit_test(test_rst_closing),
	    cmocka_unit_test(test_rst_last_ack),
	    cmocka_unit_test(test_rst_time_wait),
	    cmocka_unit_test(test_rst_syn_sent),
	    cmocka_unit_test(test_rst_syn_received_passive),
	    cmocka_unit_test(test_rst_syn_received_active),
	    cmocka_unit_test(test_rst_listen_and_closed),
	    cmocka_unit_test(test_syn_challenge_ack_and_limit),
	    cmocka_unit_test(test_bad_ack_challenge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
