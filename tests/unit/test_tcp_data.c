/* Data transfer: delayed ACKs (RFC 9293 3.8.6.3), out-of-order reassembly,
 * windows and SWS avoidance (3.8.6.2), sequence wrap (3.4), options (MSS,
 * RFC 7323 window scale and timestamps, PAWS). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/engine_harness.h"
#include "tcp/tcp_priv.h"

#define IRS 9000u

static uint8_t pat[200000];

static void fill_pat(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + (i >> 8));
}

/* One segment: ACK delayed by the configured 40 ms; two: ACK at once */
static void test_delayed_ack(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	h.auto_read = 1;
	c = eh_passive_open(&h, IRS, 8192);
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 1, 8192, pat, 100);
	assert_null(eh_pop(&h));
	assert_int_equal(eh_events(&h, c, TCP_EV_READABLE), 1);
	assert_int_equal(h.rxlen, 100);
	eh_advance(&h, 39 * EH_MS);
	assert_null(eh_pop(&h));
	eh_advance(&h, 2 * EH_MS);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 101);
	/* every second segment is acknowledged at once */
	eh_input_data(&h, TCP_ACK, IRS + 101, h.iss + 1, 8192, pat + 100, 1460);
	assert_null(eh_pop(&h));
	eh_input_data(&h, TCP_ACK, IRS + 1561, h.iss + 1, 8192, pat + 1560, 1460);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 3021);
	assert_int_equal(h.rxlen, 3020);
	assert_memory_equal(h.rx, pat, 3020);
	/* and a reply carries the ACK instead of a pure ACK */
	eh_input_data(&h, TCP_ACK, IRS + 3021, h.iss + 1, 8192, pat, 10);
	tcp_send(c, "ok", 2, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 3031);
	/* no pure ACK was owed; the RTO (200 ms: a near-zero RTT sample and
	 * rto_min) is not due yet either */
	eh_run(&h, 150 * EH_MS);
	assert_null(eh_pop(&h));
	eh_run(&h, 60 * EH_MS);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 3031);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Out of order: immediate duplicate ACK, kept, delivered when the gap fills;
 * a FIN beyond a gap waits for it (data before PEER_CLOSED) */
static void test_out_of_order_and_fin(void **state)
{
	struct eh h;
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	h.auto_read = 1;
	c = eh_passive_open(&h, IRS, 8192);
	eh_input_data(&h, TCP_ACK | TCP_FIN, IRS + 201, h.iss + 1, 8192, pat + 200, 100);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	eh_input_data(&h, TCP_ACK, IRS + 101, h.iss + 1, 8192, pat + 100, 100);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	assert_int_equal(h.rxlen, 0);
	/* a duplicate of stored data changes nothing */
	eh_input_data(&h, TCP_ACK, IRS + 101, h.iss + 1, 8192, pat + 100, 100);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 1);
	/* the gap fills: all 300 bytes, then the FIN */
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 1, 8192, pat, 100);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 302);
	assert_int_equal(tcp_state(c), XDPTCP_CLOSE_WAIT);
	assert_int_equal(h.rxlen, 300);
	assert_memory_equal(h.rx, pat, 300);
	assert_int_equal(h.ev[h.nev - 2].ev, TCP_EV_READABLE);
	assert_int_equal(h.ev[h.nev - 1].ev, TCP_EV_PEER_CLOSED);
	/* text after the FIN is ignored; an old retransmission is re-ACKed */
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 1, 8192, pat, 100);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 302);
	/* partly old, partly new: only the new part counts */
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* A segment straddling RCV.NXT and one straddling the right edge */
static void test_trim_both_ends(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c;
	const struct tcp_seg *o;
	char buf[4096];

	(void)state;
	tcp_config_default(&cfg);
	cfg.rcvbuf = 4096;
	cfg.mss = 1000;
	eh_init(&h, &cfg);
	c = eh_passive_open(&h, IRS, 8192);
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 1, 8192, pat, 1000);
	eh_input_data(&h, TCP_ACK, IRS + 501, h.iss + 1, 8192, pat + 500, 1000);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 1501);
	assert_int_equal(o->wnd, 4096 - 1500);
	/* 3000 bytes at RCV.NXT: only the 2596 in the window are taken, the
	 * FIN with them is cut too */
	eh_input_data(&h, TCP_ACK | TCP_FIN, IRS + 1501, h.iss + 1, 8192, pat + 1500, 3000);
	o = eh_pop(&h);
	assert_non_null(o);
	assert_int_equal(tcp_readable(c), 4096);
	assert_int_equal(tcp_state(c), XDPTCP_ESTABLISHED);
	/* zero window: an exact-seq segment still gets its ACK processed
	 * (3.10.7.4 "special allowance") but its text is not taken */
	assert_int_equal(o->wnd, 0);
	tcp_send(c, "abc", 3, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_PSH, h.iss + 1, IRS + 4097);
	eh_input_data(&h, TCP_ACK, IRS + 4097, h.iss + 4, 8192, pat, 10);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 4, IRS + 4097);
	assert_int_equal(c->snd_una, h.iss + 4);
	assert_int_equal(tcp_readable(c), 4096);
	/* reading reopens the window with an update (receiver SWS: only
	 * once it can move by min(buffer/2, MSS)) */
	assert_int_equal(tcp_recv(c, buf, 500, h.now), 500);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_recv(c, buf, 2000, h.now), 2000);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 4, IRS + 4097);
	assert_int_equal(o->wnd, 2500);
	assert_memory_equal(buf, pat + 500, 2000);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Sending: segmentation by MSS, the peer's window, and window updates */
static void test_send_window(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	const struct tcp_seg *o;
	struct tcp_seg a;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 3000);
	assert_int_equal(tcp_send(c, pat, 5000, h.now), 5000);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 1);
	assert_int_equal(o->len, 1460);
	assert_memory_equal(o->payload, pat, 1460);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 1461, IRS + 1);
	assert_int_equal(o->len, 1460);
	/* 80 bytes of window left: sender SWS avoidance waits */
	assert_null(eh_pop(&h));
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 2921, 6000);
	eh_input(&h, &a);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 2921, IRS + 1);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK | TCP_PSH, h.iss + 4381, IRS + 1);
	assert_int_equal(o->len, 620);
	assert_int_equal(eh_events(&h, c, TCP_EV_WRITABLE), 1);
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 5001, 6000);
	eh_input(&h, &a);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_sendable(c), 256 * 1024);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Both ISNs near 2^32: data and FINs across the wrap */
static void test_sequence_wrap(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg a;
	const struct tcp_seg *o;
	uint32_t irs = 0xfffffc00u, iss = 0xfffffe00u, seq = irs + 1;

	(void)state;
	eh_init(&h, NULL);
	h.auto_read = 1;
	h.iss = iss;
	c = eh_passive_open(&h, irs, 60000);
	for (int i = 0; i < 4; i++) {
		eh_input_data(&h, TCP_ACK, seq, iss + 1, 60000, pat + i * 500, 500);
		seq += 500;
	}
	assert_int_equal(h.rxlen, 2000);
	assert_memory_equal(h.rx, pat, 2000);
	eh_drain(&h);
	assert_int_equal(tcp_send(c, pat, 3000, h.now), 3000);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, iss + 1, seq);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, iss + 1461, seq);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK | TCP_PSH, iss + 2921, seq);
	assert_true(iss + 2921 < 0x1000); /* wrapped */
	a = eh_seg(TCP_ACK, seq, iss + 1461, 60000);
	eh_input(&h, &a);
	assert_int_equal(c->snd_una, iss + 1461);
	a.ack = iss + 3001;
	eh_input(&h, &a);
	assert_int_equal(c->snd_una, iss + 3001);
	tcp_close(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, iss + 3001, seq);
	a = eh_seg(TCP_ACK | TCP_FIN, seq, iss + 3002, 60000);
	eh_input(&h, &a);
	EH_EXPECT(eh_pop(&h), TCP_ACK, iss + 3002, seq + 1);
	assert_int_equal(eh_events(&h, c, TCP_EV_CLOSED), 1);
	eh_fini(&h);
}

/* RFC 7323: the peer offers WS and TS -> both used; windows scaled */
static void test_wscale_ts_negotiated(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 65535), a;
	const struct tcp_seg *o;

	(void)state;
	eh_init(&h, NULL);
	tcp_listen(h.s, 0, EH_LPORT);
	syn.opts = TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS;
	syn.mss = 1460;
	syn.wscale = 3;
	syn.tsval = 777;
	eh_input(&h, &syn);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_SYN | TCP_ACK, h.iss, IRS + 1);
	assert_int_equal(o->opts, TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS);
	assert_int_equal(o->wscale, 7);
	assert_int_equal(o->tsecr, 777);
	assert_int_equal(o->wnd, 65535);	       /* never scaled in a SYN */
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 1, 1000); /* 1000 << 3 */
	a.opts = TCP_OPT_TS;
	a.tsval = 778;
	a.tsecr = o->tsval;
	eh_input(&h, &a);
	c = h.accepted;
	assert_non_null(c);
	assert_int_equal(c->snd_wnd, 8000);
	assert_int_equal(tcp_eff_mss(c), 1460 - 12);
	/* our window is scaled by 7: 256 KiB >> 7 */
	tcp_send(c, "x", 1, h.now);
	o = eh_pop(&h);
	assert_int_equal(o->wnd, 256 * 1024 >> 7);
	assert_true(o->opts & TCP_OPT_TS);
	assert_int_equal(o->tsecr, 778);
	/* without TSopt a non-RST segment is dropped (RFC 7323 3.2) */
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 2, 1000, "ab", 2);
	assert_int_equal(tcp_readable(c), 0);
	/* PAWS: an older TSval is not acceptable, answered with an ACK */
	a = eh_seg(TCP_ACK, IRS + 1, h.iss + 2, 1000);
	a.opts = TCP_OPT_TS;
	a.tsval = 700;
	a.payload = (const uint8_t *)"ab";
	a.len = 2;
	eh_input(&h, &a);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 2, IRS + 1);
	assert_int_equal(tcp_readable(c), 0);
	assert_int_equal(tcp_stack_stats(h.s)->paws_rejected, 1);
	/* a newer one is taken and TS.Recent follows */
	a.tsval = 800;
	eh_input(&h, &a);
	assert_int_equal(tcp_readable(c), 2);
	assert_int_equal(c->ts_recent, 800);
	/* TS RTT samples (RFC 7323 4): the handshake gave ~0 (the last ACK
	 * echoed nothing); new data acknowledged 10 ticks later: R = 10 */
	assert_int_equal(c->rtt_samples, 1);
	tcp_send(c, "y", 1, h.now);
	o = eh_pop(&h);
	h.now += 10 << 20;
	a.seq = IRS + 3;
	a.ack = h.iss + 3;
	a.len = 0;
	a.tsval = 801;
	a.tsecr = o->tsval;
	eh_input(&h, &a);
	assert_int_equal(c->rtt_samples, 2);
	assert_true(c->srtt == (10ull << 20) / 8);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Active open: we offer WS/TS; a SYN-ACK without them turns both off */
static void test_wscale_ts_not_offered_by_peer(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	const struct tcp_seg *o;

	(void)state;
	eh_init(&h, NULL);
	c = eh_active_open(&h, IRS, 65535);
	assert_int_equal(c->snd_wscale, 0);
	assert_int_equal(c->rcv_wscale, 0);
	assert_false(c->flags & (CF_TS | CF_WS));
	tcp_send(c, "x", 1, h.now);
	o = eh_pop(&h);
	assert_int_equal(o->opts, 0);
	assert_int_equal(o->wnd, 65535);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Our side configured without WS/TS ignores the peer's offer */
static void test_wscale_ts_disabled(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 65535);
	const struct tcp_seg *o;

	(void)state;
	tcp_config_default(&cfg);
	cfg.wscale_on = 0;
	cfg.timestamps = 0;
	eh_init(&h, &cfg);
	tcp_listen(h.s, 0, EH_LPORT);
	syn.opts = TCP_OPT_WSCALE | TCP_OPT_TS;
	syn.wscale = 20; /* > 14 */
	syn.tsval = 5;
	eh_input(&h, &syn);
	o = eh_pop(&h);
	assert_int_equal(o->opts, TCP_OPT_MSS);
	eh_fini(&h);
}

/* A wscale above 14 is taken as 14 (RFC 7323 2.3) */
static void test_wscale_clamped(void **state)
{
	struct eh h;
	struct tcp_seg syn = eh_seg(TCP_SYN, IRS, 0, 65535);
	struct tcp_conn *c;

	(void)state;
	eh_init(&h, NULL);
	tcp_listen(h.s, 0, EH_LPORT);
	syn.opts = TCP_OPT_WSCALE;
	syn.wscale = 20;
	eh_input(&h, &syn);
	c = tcp_conn_lookup(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT);
	assert_int_equal(c->snd_wscale, 14);
	eh_fini(&h);
}

/* Data in the SYN-ACK and FIN with it (3.10.7.3: continue at step six) */
static void test_data_in_syn_ack(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg sa;

	(void)state;
	eh_init(&h, NULL);
	h.auto_read = 1;
	c = tcp_connect(h.s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h.now);
	eh_drain(&h);
	sa = eh_seg(TCP_SYN | TCP_ACK | TCP_FIN, IRS, h.iss + 1, 1000);
	sa.payload = pat;
	sa.len = 10;
	eh_input(&h, &sa);
	EH_EXPECT(eh_pop(&h), TCP_ACK, h.iss + 1, IRS + 12);
	assert_null(eh_pop(&h));
	assert_int_equal(tcp_state(c), XDPTCP_CLOSE_WAIT);
	assert_int_equal(h.rxlen, 10);
	assert_int_equal(eh_events(&h, c, TCP_EV_CONNECTED), 1);
	assert_int_equal(eh_events(&h, c, TCP_EV_PEER_CLOSED), 1);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* Data left unread when the app closes is consumed; tcp_fill_tcb mirrors */
static void test_close_with_data_and_fill_tcb(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct xdptcp_tcb t;
	struct xdptcp_flow_key k;

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	memset(&t, 0, sizeof(t));
	tcp_fill_tcb(c, &t);
	assert_int_equal(t.state, XDPTCP_ESTABLISHED);
	assert_int_equal(t.snd_nxt, h.iss + 1);
	assert_int_equal(t.rcv_nxt, IRS + 1);
	assert_int_equal(t.mss, 1460);
	tcp_flow_key(c, &k);
	assert_int_equal(k.lport, __builtin_bswap16(EH_LPORT));
	tcp_set_user(c, &h);
	assert_ptr_equal(tcp_get_user(c), &h);
	tcp_close(c, h.now);
	EH_EXPECT(eh_pop(&h), TCP_ACK | TCP_FIN, h.iss + 1, IRS + 1);
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 1, 8192, pat, 1000);
	assert_int_equal(tcp_readable(c), 0);
	assert_int_equal(eh_events(&h, c, TCP_EV_READABLE), 0);
	assert_int_equal(tcp_sendable(c), 0);
	assert_int_equal(tcp_send(c, "x", 1, h.now), -EPIPE);
	eh_fini(&h);
}

/* Urgent data (RFC 9293 3.8.5): signalled when it appears and when the
 * pointer advances, counted until read; sent with URG and the pointer to
 * the octet after it */
static void test_urgent(void **state)
{
	struct eh h;
	struct tcp_conn *c;
	struct tcp_seg s;
	const struct tcp_seg *o;
	char buf[16];

	(void)state;
	eh_init(&h, NULL);
	c = eh_passive_open(&h, IRS, 8192);
	s = eh_seg(TCP_ACK | TCP_URG, IRS + 1, h.iss + 1, 8192);
	s.payload = (const uint8_t *)"abcdefgh";
	s.len = 8;
	s.urp = 5;
	eh_input(&h, &s);
	assert_int_equal(h.ev[h.nev - 2].ev, TCP_EV_URGENT);
	assert_int_equal(h.ev[h.nev - 1].ev, TCP_EV_READABLE);
	assert_int_equal(tcp_urgent(c), 5);
	assert_int_equal(tcp_recv(c, buf, 3, h.now), 3);
	assert_int_equal(tcp_urgent(c), 2);
	/* the same pointer again: no new signal */
	s.seq = IRS + 9;
	s.urp = 5 - 8 + 0x10000; /* points back into old data: not an advance */
	s.len = 0;
	s.flags = TCP_ACK;
	eh_input(&h, &s);
	assert_int_equal(eh_events(&h, c, TCP_EV_URGENT), 1);
	/* the pointer advances: signalled again */
	s.flags = TCP_ACK | TCP_URG;
	s.urp = 4;
	s.payload = (const uint8_t *)"ijkl";
	s.len = 4;
	eh_input(&h, &s);
	assert_int_equal(eh_events(&h, c, TCP_EV_URGENT), 2);
	assert_int_equal(tcp_urgent(c), 13 - 4); /* RCV.UP - first unread */
	assert_int_equal(tcp_recv(c, buf, sizeof(buf), h.now), 9);
	assert_int_equal(tcp_urgent(c), 0);
	eh_drain(&h);
	/* sending: URG with the pointer after the urgent bytes, until they
	 * are acknowledged */
	assert_int_equal(tcp_send(c, "n", 1, h.now), 1);
	o = eh_pop(&h);
	assert_false(o->flags & TCP_URG);
	assert_int_equal(tcp_send_urgent(c, "!!", 2, h.now), 2);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK | TCP_PSH | TCP_URG, h.iss + 2, IRS + 13);
	assert_int_equal(o->urp, 2);
	s = eh_seg(TCP_ACK, IRS + 13, h.iss + 4, 8192);
	eh_input(&h, &s);
	assert_int_equal(tcp_send(c, "m", 1, h.now), 1);
	o = eh_pop(&h);
	assert_false(o->flags & TCP_URG);
	assert_string_equal(tcp_event_name(TCP_EV_URGENT), "URGENT");
	tcp_abort(c, h.now);
	eh_fini(&h);
}

/* A pure ACK at the right edge of our window is accepted (the sender
 * filled it); our own pure ACKs never go past the edge the peer offered */
static void test_ack_at_right_edge(void **state)
{
	struct eh h;
	struct tcp_config cfg;
	struct tcp_conn *c;
	struct tcp_seg a;
	const struct tcp_seg *o;

	(void)state;
	tcp_config_default(&cfg);
	cfg.rcvbuf = 4096;
	eh_init(&h, &cfg);
	c = eh_passive_open(&h, IRS, 0); /* the peer's window is closed */
	tcp_send(c, pat, 100, h.now);
	/* the peer filled our 4096 bytes; its ACK sits at the right edge */
	eh_input_data(&h, TCP_ACK, IRS + 1, h.iss + 1, 0, pat, 4096);
	eh_drain(&h);
	assert_int_equal(tcp_rcv_wnd(c), 0);
	a = eh_seg(TCP_ACK, IRS + 4097, h.iss + 1, 0);
	eh_input(&h, &a);
	assert_null(eh_pop(&h)); /* acceptable: no reply */
	assert_int_equal(tcp_stack_stats(h.s)->unacceptable, 0);
	/* a zero-window probe goes out; our ACKs stay at the offered edge */
	eh_run(&h, 1100 * EH_MS);
	o = eh_pop(&h); /* first the delayed ACK of the 4096 bytes */
	EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 4097);
	assert_int_equal(o->len, 0);
	o = eh_pop(&h);
	EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 4097);
	assert_int_equal(o->len, 1);
	assert_int_equal(c->snd_max, h.iss + 2);
	assert_int_equal(tcp_recv(c, h.rx, 4096, h.now), 4096);
	o = eh_pop(&h); /* the window update */
	EH_EXPECT(o, TCP_ACK, h.iss + 1, IRS + 4097);
	assert_true(o->wnd > 0);
	tcp_abort(c, h.now);
	eh_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delayed_ack),
	    cmocka_unit_test(test_out_of_order_and_fin),
	    cmocka_unit_test(test_trim_both_ends),
	    cmocka_unit_test(test_send_window),
	    cmocka_unit_test(test_sequence_wrap),
	    cmocka_unit_test(test_wscale_ts_negotiated),
	    cmocka_unit_test(test_wscale_ts_not_offered_by_peer),
	    cmocka_unit_test(test_wscale_ts_disabled),
	    cmocka_unit_test(test_wscale_clamped),
	    cmocka_unit_test(test_data_in_syn_ack),
	    cmocka_unit_test(test_close_with_data_and_fill_tcb),
	    cmocka_unit_test(test_urgent),
	    cmocka_unit_test(test_ack_at_right_edge),
	};
	fill_pat();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
