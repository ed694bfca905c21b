/* The fast path of an established flow, one test per verdict: maps before
 * and after, metadata of redirected frames (BPF_PROG_TEST_RUN returns it in
 * front of the frame), and the XDP_DROP fallback without a socket. */
#include "xdp_fixture.h"
#include <bpf/bpf.h>

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
#define W_TCB(c) (&(c)->want.tcbs[FX_SLOT])

static void need_xsk(void) { assert_int_equal(pkt_world_xsk_add(&W, 0), 0); }

/* The changes a consumed ACK makes, ack advancing snd_una. */
static void want_ack_applied(struct pkt_case *c, uint32_t ack)
{
	W_TCB(c)->snd_una = ack;
	W_TCB(c)->snd_wnd = (uint32_t)c->s.window << 2;
	W_TCB(c)->dupacks = 0;
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
}

static void want_handoff(struct pkt_case *c, enum xdptcp_stat reason)
{
	struct xdptcp_meta m = fx_meta(c);

	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.flags, XDPTCP_META_HANDOFF | XDPTCP_META_HAS_SLOT);
	assert_int_equal(m.reason, reason);
	assert_int_equal(m.slot, FX_SLOT);
	assert_int_equal(m.generation, FX_GEN);
	assert_int_equal(m.rcv_nxt, W_TCB(c)->rcv_nxt);
	assert_int_equal(m.payload_off, 14 + 20 + 20 + ((c->s.optlen + 3) & ~3u));
	assert_int_equal(m.payload_len, c->s.paylen);
	W_TCB(c)->fast = 0;
	if (c->s.paylen) /* where the data sent up ends */
		W_TCB(c)->up_end = c->s.seq + (uint32_t)c->s.paylen;
	c->want.stats[reason]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_ack_consumed(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.ack = 6000;
	c->s.window = 2000;
	fx_run(c, XDP_DROP);
	fx_no_meta_frame_untouched(c);
	want_ack_applied(c, 6000);
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_ack_window_update(void **state)
{
	struct pkt_case *c = *state;

	/* ack == snd_una with a new window: not a duplicate (RFC 5681 section 2) */
	fx_fast_flow(c);
	c->s.window = 3000;
	fx_run(c, XDP_DROP);
	W_TCB(c)->snd_wnd = 3000 << 2;
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_ack_no_timestamps(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tcb *t = fx_fast_flow(c);

	t->opts = 0;
	c->s.opts = NULL;
	c->s.optlen = 0;
	c->s.ack = 8000;
	fx_run(c, XDP_DROP);
	W_TCB(c)->snd_una = 8000;
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_ack_resets_dupacks(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c)->dupacks = 2;
	c->s.ack = 5001;
	fx_run(c, XDP_DROP);
	want_ack_applied(c, 5001);
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_ack_nothing_outstanding(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tcb *t = fx_fast_flow(c);

	/* ack == snd_una == snd_nxt, same window: not a duplicate ACK */
	t->snd_nxt = t->snd_una;
	fx_run(c, XDP_DROP);
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_ack_short_of_notify(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c)->notify_seq = 6001;
	c->s.ack = 6000;
	fx_run(c, XDP_DROP);
	want_ack_applied(c, 6000);
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_ack_notify(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tcb *t = fx_fast_flow(c);
	struct xdptcp_meta m;

	need_xsk();
	t->notify_seq = 6000;
	c->s.ack = 6000; /* old snd_una 5000 < 6000 <= ack */
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_ACK_NOTIFY);
	assert_int_equal(m.flags, XDPTCP_META_HAS_SLOT);
	assert_int_equal(m.slot, FX_SLOT);
	assert_int_equal(m.generation, FX_GEN);
	assert_int_equal(m.payload_off, 14 + 20 + 32);
	assert_int_equal(m.payload_len, 0);
	want_ack_applied(c, 6000);
	c->want.stats[XDPTCP_STAT_FAST_ACK_NOTIFY]++;
	fx_check_maps(c, FX_SLOT); /* fast stays set */
}

static void test_fast_dupack(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	fx_run(c, XDP_DROP);
	W_TCB(c)->dupacks = 1;
	W_TCB(c)->ts_recent = FX_TSVAL;
	c->want.stats[XDPTCP_STAT_FAST_DUPACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_slow_dupack3(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c)->dupacks = 2;
	fx_run(c, XDP_REDIRECT);
	W_TCB(c)->dupacks = 3;
	want_handoff(c, XDPTCP_STAT_SLOW_DUPACK3);
}

static uint8_t payload[1400];

static void test_fast_data_redirect(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_meta m;

	need_xsk();
	fx_fast_flow(c);
	memset(payload, 'x', sizeof(payload));
	c->s.payload = payload;
	c->s.paylen = 100;
	c->s.ack = 5500;
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_FAST_DATA);
	assert_int_equal(m.flags, XDPTCP_META_HAS_SLOT);
	assert_int_equal(m.slot, FX_SLOT);
	assert_int_equal(m.generation, FX_GEN);
	assert_int_equal(m.payload_off, 14 + 20 + 32);
	assert_int_equal(m.payload_len, 100);
	assert_int_equal(m.rcv_nxt, 1100);
	assert_int_equal(m.reason, 0);
	want_ack_applied(c, 5500);
	W_TCB(c)->rcv_nxt = 1100;
	W_TCB(c)->up_end = 1100;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += 100;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_data_fills_window(void **state)
{
	struct pkt_case *c = *state;

	/* seq + len == rcv_adv is still inside the advertised window */
	need_xsk();
	fx_fast_flow(c)->rcv_adv = 1000 + 1400;
	c->s.payload = payload;
	c->s.paylen = 1400;
	fx_run(c, XDP_REDIRECT);
	assert_int_equal(fx_meta(c).verdict, XDPTCP_V_FAST_DATA);
	W_TCB(c)->rcv_nxt = 2400;
	W_TCB(c)->up_end = 2400;
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += 1400;
	fx_check_maps(c, FX_SLOT);
}

static void test_fast_data_no_socket_drops(void **state)
{
	struct pkt_case *c = *state;

	/* no socket in xsks: bpf_redirect_map falls back to XDP_DROP */
	fx_fast_flow(c);
	c->s.payload = payload;
	c->s.paylen = 10;
	fx_run(c, XDP_DROP);
	assert_int_equal(fx_meta(c).verdict, XDPTCP_V_FAST_DATA);
	W_TCB(c)->rcv_nxt = 1010;
	W_TCB(c)->up_end = 1010;
	W_TCB(c)->ts_recent = FX_TSVAL;
	W_TCB(c)->tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += 10;
	fx_check_maps(c, FX_SLOT);
}

static void test_slow_no_socket_drops(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.flags |= PKT_FIN;
	fx_run(c, XDP_DROP);
	want_handoff(c, XDPTCP_STAT_SLOW_FLAGS);
}

static void test_slow_stale_gen(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_meta m;

	need_xsk();
	fx_fast_flow(c)->generation = FX_GEN + 1;
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.reason, XDPTCP_STAT_SLOW_STALE_GEN);
	c->want.stats[XDPTCP_STAT_SLOW_STALE_GEN]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1); /* no slot write at all */
}

static void test_slow_not_fast(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_meta m;

	need_xsk();
	fx_fast_flow(c)->fast = 0;
	c->s.ack = 6000;
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.flags, XDPTCP_META_HAS_SLOT);
	assert_int_equal(m.reason, XDPTCP_STAT_SLOW_NOT_FAST);
	assert_int_equal(m.slot, FX_SLOT);
	assert_int_equal(m.generation, FX_GEN);
	c->want.stats[XDPTCP_STAT_SLOW_NOT_FAST]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1); /* userspace owns the slot: untouched */
}

static void test_slow_queue(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c)->queue = 1; /* the frame arrives on queue 0 */
	c->s.ack = 6000;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_QUEUE);
}

static void check_flag_handoff(struct pkt_case *c, uint8_t flags)
{
	need_xsk();
	fx_fast_flow(c);
	c->s.flags = flags;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_FLAGS);
}

static void test_slow_flags_fin(void **state) { check_flag_handoff(*state, PKT_ACK | PKT_FIN); }

static void test_slow_flags_syn(void **state) { check_flag_handoff(*state, PKT_ACK | PKT_SYN); }

static void test_slow_flags_rst(void **state) { check_flag_handoff(*state, PKT_RST); }

static void test_slow_flags_urg(void **state) { check_flag_handoff(*state, PKT_ACK | PKT_URG); }

static void test_slow_flags_no_ack(void **state) { check_flag_handoff(*state, PKT_PSH); }

static void test_slow_options_sack(void **state)
{
	struct pkt_case *c = *state;
	/* NOP, NOP, TS, NOP, NOP, SACK(1 block) */
	uint8_t opts[24] = {0};

	need_xsk();
	fx_fast_flow(c);
	pkt_opts_ts(opts, FX_TSVAL, FX_TSECR);
	opts[12] = 1;
	opts[13] = 1;
	opts[14] = 5;
	opts[15] = 10;
	c->s.opts = opts;
	c->s.optlen = 22;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_OPTIONS);
}

static void test_slow_options_ts_missing(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c);
	c->s.opts = NULL;
	c->s.optlen = 0;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_OPTIONS);
}

static void test_ts_other_layout_fast(void **state)
{
	struct pkt_case *c = *state;
	/* TS first, then NOP, NOP: walked by the general option parser */
	uint8_t opts[12];

	fx_fast_flow(c);
	pkt_opts_ts(opts, 0, 0);
	memmove(opts, opts + 2, 10);
	opts[10] = 1;
	opts[11] = 1;
	opts[2] = 0, opts[3] = 0, opts[4] = 0, opts[5] = FX_TSVAL;
	opts[6] = 0, opts[7] = 0, opts[8] = 0, opts[9] = FX_TSECR;
	c->s.opts = opts;
	c->s.optlen = 12;
	c->s.ack = 6000;
	fx_run(c, XDP_DROP);
	want_ack_applied(c, 6000);
	c->want.stats[XDPTCP_STAT_FAST_ACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_slow_paws(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c)->ts_recent = FX_TSVAL + 1; /* segment's TSval is older */
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_PAWS);
}

static void test_slow_seq_out_of_order(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c);
	c->s.seq = 1100;
	c->s.payload = payload;
	c->s.paylen = 100;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_SEQ);
}

static void test_slow_seq_beyond_window(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c)->rcv_adv = 1050;
	c->s.payload = payload;
	c->s.paylen = 51;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_SEQ);
}

static void test_slow_seq_keepalive(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c);
	c->s.seq = 999; /* RFC 9293 section 3.8.4: SEG.SEQ = RCV.NXT - 1 */
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_SEQ);
}

static void test_slow_ack_beyond_snd_nxt(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c);
	c->s.ack = 8001;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_ACK);
}

static void test_slow_ack_below_snd_una(void **state)
{
	struct pkt_case *c = *state;

	need_xsk();
	fx_fast_flow(c);
	c->s.ack = 4999;
	fx_run(c, XDP_REDIRECT);
	want_handoff(c, XDPTCP_STAT_SLOW_ACK);
}

static void test_seq_wraps(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tcb *t = fx_fast_flow(c);

	/* all comparisons are modulo 2^32 (RFC 9293 section 3.4) */
	need_xsk();
	t->snd_una = 0xfffffff0u;
	t->snd_nxt = 0x10;
	t->notify_seq = 0xfffffff0u;
	t->rcv_nxt = 0xffffffceu;
	t->rcv_adv = 0x1000;
	c->s.seq = 0xffffffceu;
	c->s.ack = 0x8;
	c->s.payload = payload;
	c->s.paylen = 100;
	fx_run(c, XDP_REDIRECT);
	assert_int_equal(fx_meta(c).rcv_nxt, 0x32);
	want_ack_applied(c, 0x8);
	W_TCB(c)->rcv_nxt = 0x32;
	W_TCB(c)->up_end = 0x32;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += 100;
	fx_check_maps(c, FX_SLOT);
}

static void test_drop_bad_slot(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_flow_key k;

	fx_fast_flow(c);
	pkt_world_key(&c->s, &k);
	assert_int_equal(pkt_world_add_flow(&W, &k, PKT_WORLD_SLOTS, FX_GEN), 0);
	fx_run(c, XDP_DROP);
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_DROP_BAD_SLOT]++;
	fx_check_maps(c, -1);
}

static void test_slow_listen(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_meta m;

	need_xsk();
	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	c->s.flags = PKT_SYN;
	c->s.ack = 0;
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.reason, XDPTCP_STAT_SLOW_LISTEN);
	assert_int_equal(m.slot, 0);
	assert_int_equal(m.payload_off, 14 + 20 + 20);
	c->want.stats[XDPTCP_STAT_SLOW_LISTEN]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1);
}

static void test_no_room_for_metadata(void **state)
{
	struct pkt_case *c = *state;
	enum { PRE = 216 };
	static uint8_t buf[PRE + PKT_MAX];

	/* Metadata already fills the headroom test_run offers (256 bytes less
	 * a struct xdp_frame: 216): bpf_xdp_adjust_meta has no room for ours. */
	need_xsk();
	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	c->s.flags = PKT_SYN;
	c->len = pkt_build(&c->s, c->frame, sizeof(c->frame));
	memset(buf, 0xee, PRE);
	memcpy(buf + PRE, c->frame, c->len);
	assert_int_equal(pkt_case_begin(c, &W), 0);
	assert_int_equal(pkt_world_run_meta(&W, buf, PRE + c->len, PRE, &c->r), 0);
	assert_int_equal(c->r.retval, XDP_DROP);
	assert_int_equal(c->r.meta_len, PRE);
	assert_memory_equal(c->r.buf, buf, PRE + c->len);
	c->want.stats[XDPTCP_STAT_SLOW_LISTEN]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	c->want.stats[XDPTCP_STAT_DROP_NO_ROOM]++;
	fx_check_maps(c, -1);
}

static void test_pass_other_port(void **state)
{
	struct pkt_case *c = *state;

	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	c->s.dport = 22;
	fx_run(c, XDP_PASS);
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_PASS_NOT_OURS]++;
	fx_check_maps(c, -1);
}

/* `owned` is the first gate: a flow or a served port whose port bit is not
 * set is passed after that one lookup (userspace sets the bit first). */
static void test_pass_port_not_owned(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_flow_key k;
	__u32 word = 80 / 64;

	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	pkt_world_key(&c->s, &k);
	assert_int_equal(pkt_world_add_flow(&W, &k, 1, 1), 0);
	/* both set the bit; take it away again */
	assert_int_equal(bpf_map_update_elem(W.fd_owned, &word, &(__u64){ 0 }, BPF_ANY), 0);
	c->s.dport = 80;
	fx_run(c, XDP_PASS);
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_PASS_NOT_OURS]++;
	fx_check_maps(c, -1);
	/* with the bit, the same frame is the flow's */
	assert_int_equal(xdptcp_owned_set(W.fd_owned, 80), 0);
	pkt_case_end(c);
	assert_int_equal(pkt_case_begin(c, &W), 0);
	assert_int_equal(pkt_case_run(c), 0);
	assert_int_not_equal(c->r.retval, XDP_PASS);
	assert_true(pkt_case_diff(c, -1) > 0); /* the after snapshot; the flow's counters moved */
	assert_int_equal(c->after.stats[XDPTCP_STAT_PASS_NOT_OURS],
			 c->before.stats[XDPTCP_STAT_PASS_NOT_OURS]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_fast_ack_consumed),
	    T(test_fast_ack_window_update),
	    T(test_fast_ack_no_timestamps),
	    T(test_fast_ack_resets_dupacks),
	    T(test_fast_ack_nothing_outstanding),
	    T(test_fast_ack_short_of_notify),
	    T(test_fast_ack_notify),
	    T(test_fast_dupack),
	    T(test_slow_dupack3),
	    T(test_fast_data_redirect),
	    T(test_fast_data_fills_window),
	    T(test_fast_data_no_socket_drops),
	    T(test_slow_no_socket_drops),
	    T(test_slow_stale_gen),
	    T(test_slow_not_fast),
	    T(test_slow_queue),
	    T(test_slow_flags_fin),
	    T(test_slow_flags_syn),
	    T(test_slow_flags_rst),
	    T(test_slow_flags_urg),
	    T(test_slow_flags_no_ack),
	    T(test_slow_options_sack),
	    T(test_slow_options_ts_missing),
	    T(test_ts_other_layout_fast),
	    T(test_slow_paws),
	    T(test_slow_seq_out_of_order),
	    T(test_slow_seq_beyond_window),
	    T(test_slow_seq_keepalive),
	    T(test_slow_ack_beyond_snd_nxt),
	    T(test_slow_ack_below_snd_una),
	    T(test_seq_wraps),
	    T(test_drop_bad_slot),
	    T(test_slow_listen),
	    T(test_no_room_for_metadata),
	    T(test_pass_other_port),
	    T(test_pass_port_not_owned),
	};

	fx_obj_path = pkt_world_obj_arg(argc, argv);
	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
