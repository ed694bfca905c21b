/* TIME-WAIT handled in XDP (RFC 9293 section 3.10.7.4, RFC 1337, RFC 6191):
 * the final ACK rebuilt into one fixed layout and sent with XDP_TX, checked
 * byte by byte with an independent checksum; RST ignored; acceptable SYNs
 * and data to the control plane; expired entries count as absent. */
#include "xdp_fixture.h"

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

static uint8_t payload[64];

/* The frame must be the final ACK for c's original frame and entry tw. */
static void check_final_ack(struct pkt_case *c, const struct xdptcp_tw *tw)
{
	int with_ts = tw->flags & XDPTCP_TW_TS;
	size_t len = with_ts ? 66 : 54;
	const uint8_t *f = c->r.frame, *ip = f + 14, *tcp = f + 34;
	uint32_t tsval;

	assert_int_equal(c->r.retval, XDP_TX);
	assert_int_equal(c->r.meta_len, 0);
	assert_int_equal(c->r.frame_len, len);
	assert_memory_equal(f, c->s.smac, 6); /* back to the sender */
	assert_memory_equal(f + 6, c->s.dmac, 6);
	assert_int_equal(pkt_get16(f + 12), 0x0800);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[1], 0);
	assert_int_equal(pkt_get16(ip + 2), len - 14);
	assert_int_equal(pkt_get16(ip + 4), 0);
	assert_int_equal(pkt_get16(ip + 6), 0x4000); /* DF */
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[9], 6);
	assert_memory_equal(ip + 12, &c->s.daddr, 4);
	assert_memory_equal(ip + 16, &c->s.saddr, 4);
	assert_true(pkt_ip_csum_ok(f, len));
	assert_int_equal(pkt_get16(tcp), c->s.dport);
	assert_int_equal(pkt_get16(tcp + 2), c->s.sport);
	assert_int_equal(pkt_get32(tcp + 4), tw->snd_nxt);
	assert_int_equal(pkt_get32(tcp + 8), tw->rcv_nxt);
	assert_int_equal(tcp[12], with_ts ? 0x80 : 0x50);
	assert_int_equal(tcp[13], PKT_ACK);
	assert_int_equal(pkt_get16(tcp + 14), tw->window);
	assert_int_equal(pkt_get16(tcp + 18), 0);
	assert_true(pkt_tcp_csum_ok(f, len));
	if (!with_ts)
		return;
	assert_int_equal(pkt_get32(tcp + 20), 0x0101080a);
	tsval = pkt_get32(tcp + 24);
	assert_in_range(tsval - tw->ts_offset, xdptcp_ts_clock(c->r.t0), xdptcp_ts_clock(c->r.t1));
	assert_int_equal(pkt_get32(tcp + 28), tw->ts_recent);
}

static void want_reack(struct pkt_case *c)
{
	c->want.stats[XDPTCP_STAT_TW_REACK]++;
	c->want.stats[XDPTCP_STAT_TX]++;
}

static void test_tw_fin_reacked_deadline_restarted(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_config cfg = {.tw_timeout_ns = 5000000000ull};
	struct xdptcp_tw tw = fx_tw(c, 1);
	struct xdptcp_flow_key k;
	struct xdptcp_tw *got;
	uint8_t opts[12];

	assert_int_equal(pkt_world_set_config(&W, &cfg), 0);
	pkt_opts_ts(opts, 300, 77);
	c->s.opts = opts;
	c->s.optlen = 12;
	c->s.seq = 3000; /* the retransmitted FIN */
	c->s.flags = PKT_FIN | PKT_ACK;
	fx_run(c, XDP_TX);
	check_final_ack(c, &tw);
	want_reack(c);
	c->want.stats[XDPTCP_STAT_TW_FIN]++;
	/* deadline = now + tw_timeout_ns */
	pkt_world_key(&c->s, &k);
	assert_int_equal(pkt_snap_take(&W, &c->after), 0);
	got = pkt_dump_find(&c->after.timewait, &k);
	assert_non_null(got);
	/* the slot keeps ticks (ns >> 20) */
	assert_in_range(got->deadline_ns >> 20, (c->r.t0 + cfg.tw_timeout_ns) >> 20,
			(c->r.t1 + cfg.tw_timeout_ns) >> 20);
	((struct xdptcp_tw *)pkt_dump_find(&c->want.timewait, &k))->deadline_ns = got->deadline_ns;
	pkt_snap_free(&c->after);
	fx_check_maps(c, -1);
}

static void test_tw_fin_default_timeout(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw = fx_tw(c, 0);
	struct xdptcp_flow_key k;
	struct xdptcp_tw *got;

	/* config.tw_timeout_ns == 0: 60 s (2 * MSL of 30 s) */
	c->s.seq = 3000;
	c->s.flags = PKT_FIN | PKT_ACK;
	fx_run(c, XDP_TX);
	check_final_ack(c, &tw);
	pkt_world_key(&c->s, &k);
	assert_int_equal(pkt_snap_take(&W, &c->after), 0);
	got = pkt_dump_find(&c->after.timewait, &k);
	assert_non_null(got);
	assert_in_range(got->deadline_ns >> 20, (c->r.t0 + 60000000000ull) >> 20,
			(c->r.t1 + 60000000000ull) >> 20);
	pkt_snap_free(&c->after);
}

static void test_tw_reack_grows_short_frame(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw = fx_tw(c, 1);

	/* a 54-byte unacceptable ACK; the answer with timestamps is 66 */
	c->s.ack = 7000;
	fx_run(c, XDP_TX);
	assert_int_equal(c->len, 54);
	check_final_ack(c, &tw);
	want_reack(c);
	fx_check_maps(c, -1);
}

static void test_tw_reack_shrinks_ip_options_and_padding(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw = fx_tw(c, 0);
	uint8_t opts[12];

	/* IP options, TCP options and Ethernet padding all go */
	c->s.ihl = 8;
	pkt_opts_ts(opts, 300, 77);
	c->s.opts = opts;
	c->s.optlen = 12;
	c->s.pad = 20;
	c->s.seq = 2000;
	fx_run(c, XDP_TX);
	check_final_ack(c, &tw);
	want_reack(c);
	fx_check_maps(c, -1);
}

static void test_tw_unacceptable_syn_reacked(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw = fx_tw(c, 0);

	c->s.flags = PKT_SYN;
	c->s.seq = 3000; /* not above rcv_nxt, no timestamps */
	c->s.ack = 0;
	fx_run(c, XDP_TX);
	check_final_ack(c, &tw);
	want_reack(c);
	fx_check_maps(c, -1);
}

static void test_tw_rst_ignored(void **state)
{
	struct pkt_case *c = *state;

	fx_tw(c, 1);
	c->s.flags = PKT_RST | PKT_ACK;
	fx_run(c, XDP_DROP);
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_TW_RST_IGNORED]++;
	fx_check_maps(c, -1);
}

static void test_tw_ack_ignored(void **state)
{
	struct pkt_case *c = *state;

	fx_tw(c, 1);
	fx_run(c, XDP_DROP); /* seq == rcv_nxt, ack == snd_nxt */
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_TW_ACK_IGNORED]++;
	fx_check_maps(c, -1);
}

static void check_tw_syn(struct pkt_case *c)
{
	struct xdptcp_meta m;

	assert_int_equal(pkt_world_xsk_add(&W, 0), 0);
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_TW_SYN);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.reason, XDPTCP_STAT_TW_SYN);
	c->want.stats[XDPTCP_STAT_TW_SYN]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1);
}

static void test_tw_syn_higher_seq(void **state)
{
	struct pkt_case *c = *state;

	fx_tw(c, 0);
	c->s.flags = PKT_SYN;
	c->s.seq = 3002;
	c->s.ack = 0;
	check_tw_syn(c);
}

static void test_tw_syn_newer_timestamp(void **state)
{
	struct pkt_case *c = *state;
	uint8_t opts[12];

	fx_tw(c, 1);
	pkt_opts_ts(opts, 201, 0); /* ts_recent is 200 */
	c->s.opts = opts;
	c->s.optlen = 12;
	c->s.flags = PKT_SYN;
	c->s.seq = 100; /* lower sequence number: the timestamp decides */
	c->s.ack = 0;
	check_tw_syn(c);
}

static void test_tw_syn_higher_seq_older_timestamp_reacked(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw = fx_tw(c, 1);
	uint8_t opts[12];

	/* with timestamps on both sides only the timestamp counts (RFC 6191) */
	pkt_opts_ts(opts, 200, 0); /* not above ts_recent 200 */
	c->s.opts = opts;
	c->s.optlen = 12;
	c->s.flags = PKT_SYN;
	c->s.seq = 9000;
	c->s.ack = 0;
	fx_run(c, XDP_TX);
	check_final_ack(c, &tw);
	want_reack(c);
	fx_check_maps(c, -1);
}

static void test_tw_syn_higher_seq_no_timestamp_on_syn(void **state)
{
	struct pkt_case *c = *state;

	/* the old incarnation used timestamps, the SYN has none: sequence */
	fx_tw(c, 1);
	c->s.flags = PKT_SYN;
	c->s.seq = 3002;
	c->s.ack = 0;
	check_tw_syn(c);
}

static void test_tw_payload_slow(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_meta m;

	assert_int_equal(pkt_world_xsk_add(&W, 0), 0);
	fx_tw(c, 1);
	c->s.payload = payload;
	c->s.paylen = sizeof(payload);
	fx_run(c, XDP_REDIRECT);
	m = fx_meta(c);
	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.reason, XDPTCP_STAT_SLOW_TW);
	assert_int_equal(m.payload_len, sizeof(payload));
	c->want.stats[XDPTCP_STAT_SLOW_TW]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1);
}

static void expire(struct pkt_case *c)
{
	struct xdptcp_tw tw = fx_tw(c, 1);
	struct xdptcp_flow_key k;

	tw.deadline_ns = pkt_now_ns() - 1;
	pkt_world_key(&c->s, &k);
	assert_int_equal(pkt_world_add_tw(&W, &k, &tw), 0);
	c->s.flags = PKT_FIN | PKT_ACK;
}

static void test_tw_expired_not_ours(void **state)
{
	struct pkt_case *c = *state;

	expire(c);
	fx_run(c, XDP_PASS);
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_TW_EXPIRED]++;
	c->want.stats[XDPTCP_STAT_PASS_NOT_OURS]++;
	fx_check_maps(c, -1);
}

static void test_tw_expired_served_port(void **state)
{
	struct pkt_case *c = *state;

	assert_int_equal(pkt_world_xsk_add(&W, 0), 0);
	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	expire(c);
	fx_run(c, XDP_REDIRECT);
	assert_int_equal(fx_meta(c).reason, XDPTCP_STAT_SLOW_LISTEN);
	c->want.stats[XDPTCP_STAT_TW_EXPIRED]++;
	c->want.stats[XDPTCP_STAT_SLOW_LISTEN]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	fx_check_maps(c, -1);
}

static void test_tw_bad_tcp_csum_dropped(void **state)
{
	struct pkt_case *c = *state;

	/* never answer a frame whose checksum fails */
	fx_tw(c, 1);
	c->s.flags = PKT_FIN | PKT_ACK;
	c->s.bad_tcp_csum = true;
	fx_run(c, XDP_DROP);
	c->want.stats[XDPTCP_STAT_DROP_TCP_CSUM]++;
	fx_check_maps(c, -1);
}

/* The spec's entry written by hand into slot 5 of the first (which 0) or
 * second (which 1) bucket of its pair, as fx_tw() would fill it. */
static struct xdptcp_tw_slot *put_slot(struct pkt_case *c, int which, uint32_t deadline,
				       struct xdptcp_tw *tw)
{
	struct xdptcp_flow_key k;
	struct xdptcp_tw_slot *sl;
	uint32_t b[2];
	int idx;

	pkt_world_key(&c->s, &k);
	xdptcp_tw_buckets(k.raddr, k.laddr, k.rport, k.lport, PKT_WORLD_TW_SEED,
			  PKT_WORLD_TW_BUCKETS, &b[0], &b[1]);
	assert_int_not_equal(b[0], b[1]);
	idx = xdptcp_twtab_laddr(&W.tw, k.laddr, true);
	assert_true(idx >= 0);
	assert_int_equal(xdptcp_owned_set(W.fd_owned, ntohs(k.lport)), 0);
	*tw = (struct xdptcp_tw){ .snd_nxt = 7001, .rcv_nxt = 3001, .ts_recent = 200,
				  .ts_offset = 12345, .window = 502 };
	sl = &W.tw.b[b[which]].slot[5];
	*sl = (struct xdptcp_tw_slot){
		.raddr = k.raddr,
		.rport = k.rport,
		.lport = k.lport,
		.deadline = deadline,
		.laddr_idx = (uint8_t)idx,
		.window = tw->window,
		.snd_nxt = tw->snd_nxt,
		.rcv_nxt = tw->rcv_nxt,
		.ts_recent = tw->ts_recent,
		.ts_offset = tw->ts_offset,
	};
	c->s.seq = 3001;
	c->s.ack = 7001;
	return sl;
}

static void test_tw_found_in_second_bucket(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw;

	put_slot(c, 1, xdptcp_tw_deadline(pkt_now_ns() + 60000000000ull), &tw);
	c->s.ack = 7000; /* unacceptable: answered */
	fx_run(c, XDP_TX);
	check_final_ack(c, &tw);
	want_reack(c);
	fx_check_maps(c, -1);
}

static void test_tw_other_laddr_not_matched(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw = {.deadline_ns = pkt_now_ns() + 60000000000ull,
			       .snd_nxt = 7001,
			       .rcv_nxt = 3001,
			       .window = 502};
	struct xdptcp_flow_key k;

	/* same remote address and ports, another local address */
	pkt_world_key(&c->s, &k);
	k.laddr = htonl(0x0a000063);
	assert_int_equal(pkt_world_add_tw(&W, &k, &tw), 0);
	c->s.flags = PKT_FIN | PKT_ACK;
	c->s.seq = 3000;
	c->s.ack = 7001;
	fx_run(c, XDP_PASS);
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_PASS_NOT_OURS]++;
	fx_check_maps(c, -1);
}

static void test_tw_expired_across_tick_wrap(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_tw tw;

	/* more than half the tick space ahead is behind (serial arithmetic,
	 * as when the 32-bit tick has wrapped since): expired,
	 * found in the second bucket, passed on as absent */
	put_slot(c, 1, xdptcp_ts_clock(pkt_now_ns()) + 0x80000000u + 1000, &tw);
	c->s.flags = PKT_FIN | PKT_ACK;
	fx_run(c, XDP_PASS);
	fx_no_meta_frame_untouched(c);
	c->want.stats[XDPTCP_STAT_TW_EXPIRED]++;
	c->want.stats[XDPTCP_STAT_PASS_NOT_OURS]++;
	fx_check_maps(c, -1);
}

static void test_tw_fin_restart_writes_slot(void **state)
{
	struct pkt_case *c = *state;
	struct xdptcp_config cfg = {.tw_timeout_ns = 7000000000ull};
	struct xdptcp_flow_key k;
	struct xdptcp_tw tw, *want;
	struct xdptcp_tw_slot *sl;

	assert_int_equal(pkt_world_set_config(&W, &cfg), 0);
	sl = put_slot(c, 0, xdptcp_tw_deadline(pkt_now_ns() + 1000000000ull), &tw);
	c->s.flags = PKT_FIN | PKT_ACK;
	c->s.seq = 3000;
	fx_run(c, XDP_TX);
	check_final_ack(c, &tw);
	want_reack(c);
	c->want.stats[XDPTCP_STAT_TW_FIN]++;
	/* the slot itself: now + 7 s in ticks, nothing else moved */
	assert_in_range(sl->deadline, xdptcp_ts_clock(c->r.t0 + cfg.tw_timeout_ns),
			xdptcp_ts_clock(c->r.t1 + cfg.tw_timeout_ns));
	pkt_world_key(&c->s, &k);
	want = pkt_dump_find(&c->want.timewait, &k);
	assert_non_null(want);
	want->deadline_ns = (uint64_t)sl->deadline << 20;
	fx_check_maps(c, -1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_tw_fin_reacked_deadline_restarted),
	    T(test_tw_fin_default_timeout),
	    T(test_tw_reack_grows_short_frame),
	    T(test_tw_reack_shrinks_ip_options_and_padding),
	    T(test_tw_unacceptable_syn_reacked),
	    T(test_tw_rst_ignored),
	    T(test_tw_ack_ignored),
	    T(test_tw_syn_higher_seq),
	    T(test_tw_syn_newer_timestamp),
	    T(test_tw_syn_higher_seq_older_timestamp_reacked),
	    T(test_tw_syn_higher_seq_no_timestamp_on_syn),
	    T(test_tw_payload_slow),
	    T(test_tw_expired_not_ours),
	    T(test_tw_expired_served_port),
	    T(test_tw_bad_tcp_csum_dropped),
	    T(test_tw_found_in_second_bucket),
	    T(test_tw_other_laddr_not_matched),
	    T(test_tw_expired_across_tick_wrap),
	    T(test_tw_fin_restart_writes_slot),
	};

	fx_obj_path = pkt_world_obj_arg(argc, argv);
	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
