/* A flow handed to XDP as XDPTCP_FAST_ARMING (tcb.h): the first frame that
 * fits (at rcv_nxt, or continuing the last data sent up, up_end) makes XDP
 * take it (fast 2 -> 1) and is handled as on a fast flow; a frame further
 * ahead in the window goes up with no hand-off and no write but up_end;
 * anything else hands the flow back as before. And up_end follows the data
 * sent up whatever `fast` is. */
#include "xdp_fixture.h"
#include <bpf/bpf.h>

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
#define W_TCB(c) (&(c)->want.tcbs[FX_SLOT])

static uint8_t payload[100];

static void need_xsk(void) { assert_int_equal(pkt_world_xsk_add(&W, 0), 0); }

/* fx_fast_flow, handed over as ARMING, with data sent up to 1000 so far */
static struct xdptcp_tcb *arming_flow(struct pkt_case *c)
{
	struct xdptcp_tcb *t = fx_fast_flow(c);

	t->fast = XDPTCP_FAST_ARMING;
	t->up_end = 1000;
	return t;
}

static void with_data(struct pkt_case *c, uint32_t seq)
{
	c->s.seq = seq;
	c->s.payload = payload;
	c->s.paylen = sizeof(payload);
}

/* XDP took the flow and ran the frame as in-order data up to rcv_nxt */
static void want_fast_data(struct pkt_case *c, uint32_t rcv_nxt)
{
	struct xdptcp_meta m = fx_meta(c);

	assert_int_equal(m.verdict, XDPTCP_V_FAST_DATA);
	assert_int_equal(m.flags, XDPTCP_META_HAS_SLOT);
	assert_int_equal(m.rcv_nxt, rcv_nxt);
	W_TCB(c)->fast = XDPTCP_FAST_ON;
	W_TCB(c)->rcv_nxt = rcv_nxt;
	W_TCB(c)->up_end = rcv_nxt;
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += sizeof(payload);
	fx_check_maps(c, FX_SLOT);
}

static void want_handoff(struct pkt_case *c, enum xdptcp_stat reason)
{
	struct xdptcp_meta m = fx_meta(c);

	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.flags, XDPTCP_META_HANDOFF | XDPTCP_META_HAS_SLOT);
	assert_int_equal(m.reason, reason);
	W_TCB(c)->fast = XDPTCP_FAST_OFF;
	if (c->s.paylen)
		W_TCB(c)->up_end = c->s.seq + (uint32_t)c->s.paylen;
	c->want.stats[reason]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_arming_data_at_rcv_nxt_takes_flow(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	arming_flow(c);
	with_data(c, 1000);
	fx_run(c, XDP_REDIRECT);
	want_fast_data(c, 1100);
}

static void test_arming_data_after_up_end_takes_flow(void **state)
{
	struct pkt_case *c = *state;

	/* 1000..1300 went up while fast was 0 and is not counted yet */
	need_xsk();
	arming_flow(c)->up_end = 1300;
	with_data(c, 1300);
	fx_run(c, XDP_REDIRECT);
	want_fast_data(c, 1400);
}

static void test_arming_data_ahead_goes_up_flow_kept(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_meta m;

	need_xsk();
	arming_flow(c)->up_end = 1300;
	with_data(c, 1500); /* neither rcv_nxt nor up_end: a gap, or still queued */
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.flags, XDPTCP_META_HAS_SLOT); /* no hand-off */
	assert_int_equal(m.reason, XDPTCP_STAT_SLOW_ARMING);
	assert_int_equal(m.slot, FX_SLOT);
	assert_int_equal(m.generation, FX_GEN);
	/* still arming, rcv_nxt and the rest untouched */
	W_TCB(c)->up_end = 1600;
	c->want.stats[XDPTCP_STAT_SLOW_ARMING]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1);
}

static void test_arming_pure_ack_takes_flow(void **state)
{
	struct pkt_case *c = *state;

	arming_flow(c);
	c->s.ack = 6000;
	fx_run(c, XDP_DROP);
	fx_no_meta_frame_untouched(c);
	W_TCB(c)->fast = XDPTCP_FAST_ON;
	W_TCB(c)->snd_una = 6000;
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_arming_pure_ack_at_up_end_takes_flow(void **state)
{
	struct pkt_case *c = *state;

	/* the peer's next segment after data still queued for us */
	arming_flow(c)->up_end = 1300;
	c->s.seq = 1300;
	c->s.ack = 6000;
	fx_run(c, XDP_DROP);
	fx_no_meta_frame_untouched(c);
	W_TCB(c)->fast = XDPTCP_FAST_ON;
	W_TCB(c)->rcv_nxt = 1300;
	W_TCB(c)->snd_una = 6000;
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_arming_fin_hands_back(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	arming_flow(c);
	c->s.flags |= PKT_FIN;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_FLAGS);
}

static void test_arming_beyond_window_hands_back(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	arming_flow(c)->rcv_adv = 1050;
	with_data(c, 1060); /* starts past the window we advertised */
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_SEQ);
}

static void test_arming_up_end_beyond_window_not_followed(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	arming_flow(c)->rcv_adv = 1200;
	W.tcbs[FX_SLOT].up_end = 1300;
	with_data(c, 1300);
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_SEQ);
}

static void test_arming_old_segment_hands_back(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	arming_flow(c);
	c->s.seq = 999; /* RFC 9293 section 3.8.4: a keep-alive */
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_SEQ);
}

static void test_arming_bad_ack_hands_back(void **state)
{
	struct pkt_case *c = *state;

	/* taken at rcv_nxt, then the ACK check hands it back as for ON */
	need_xsk();
	arming_flow(c);
	c->s.ack = 8001;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_ACK);
}

static void test_not_fast_data_sets_up_end(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_meta m;

	need_xsk();
	fx_fast_flow(c)->fast = XDPTCP_FAST_OFF;
	with_data(c, 1000);
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.reason, XDPTCP_STAT_SLOW_NOT_FAST);
	assert_int_equal(m.flags, XDPTCP_META_HAS_SLOT);
	W_TCB(c)->up_end = 1100; /* XDP's only write to a slot it does not run */
	c->want.stats[XDPTCP_STAT_SLOW_NOT_FAST]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_arming_data_at_rcv_nxt_takes_flow),
	    T(test_arming_data_after_up_end_takes_flow),
	    T(test_arming_data_ahead_goes_up_flow_kept),
	    T(test_arming_pure_ack_takes_flow),
	    T(test_arming_pure_ack_at_up_end_takes_flow),
	    T(test_arming_fin_hands_back),
	    T(test_arming_beyond_window_hands_back),
	    T(test_arming_up_end_beyond_window_not_followed),
	    T(test_arming_old_segment_hands_back),
	    T(test_arming_bad_ack_hands_back),
	    T(test_not_fast_data_sets_up_end),
	};

	fx_obj_path = pkt_world_obj_arg(argc, argv);
	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
