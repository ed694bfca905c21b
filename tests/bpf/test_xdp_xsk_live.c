/* Redirects that really reach the AF_XDP socket: BPF_PROG_TEST_RUN in live
 * mode (BPF_F_TEST_XDP_LIVE_FRAMES) on loopback of a throwaway namespace,
 * the socket bound to lo queue 0 in copy mode. Checks what the control
 * plane will find in its UMEM: the frame, and struct xdptcp_meta in front. */
#include "xdp_fixture.h"

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

static uint8_t payload[300];

static void test_fast_data_reaches_socket_with_meta(void **state)
{
	struct pkt_case *c = *state;
	uint8_t out[PKT_MAX], before[sizeof(struct xdptcp_meta)];
	struct xdptcp_meta m;
	int n;

	assert_int_equal(pkt_world_xsk_add(&W, 0), 0);
	while (pkt_world_xsk_recv(&W, out, sizeof(out), before, sizeof(before)) > 0)
		; /* leftovers of earlier tests */
	fx_fast_flow(c);
	memset(payload, 'd', sizeof(payload));
	c->s.payload = payload;
	c->s.paylen = sizeof(payload);
	c->len = pkt_build(&c->s, c->frame, sizeof(c->frame));
	assert_int_equal(pkt_case_begin(c, &W), 0);
	c->r.c0 = pkt_now_coarse_ns();
	assert_int_equal(pkt_world_run_live(&W, c->frame, c->len), 0);
	c->r.c1 = pkt_now_coarse_ns();
	n = pkt_world_xsk_recv(&W, out, sizeof(out), before, sizeof(before));
	assert_int_equal(n, c->len);
	assert_memory_equal(out, c->frame, c->len);
	memcpy(&m, before, sizeof(m));
	assert_int_equal(m.magic, XDPTCP_META_MAGIC);
	assert_int_equal(m.verdict, XDPTCP_V_FAST_DATA);
	assert_int_equal(m.slot, FX_SLOT);
	assert_int_equal(m.generation, FX_GEN);
	assert_int_equal(m.payload_off, 14 + 20 + 32);
	assert_int_equal(m.payload_len, sizeof(payload));
	assert_int_equal(m.rcv_nxt, 1000 + sizeof(payload));
	assert_int_equal(pkt_world_xsk_recv(&W, out, sizeof(out), before, sizeof(before)), 0);
	c->want.tcbs[FX_SLOT].rcv_nxt = 1000 + sizeof(payload);
	c->want.tcbs[FX_SLOT].up_end = 1000 + sizeof(payload);
	c->want.tcbs[FX_SLOT].ts_recent = FX_TSVAL;
	c->want.tcbs[FX_SLOT].tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += sizeof(payload);
	assert_int_equal(pkt_case_diff(c, FX_SLOT), 0);
}

static void test_listen_syn_reaches_socket_with_meta(void **state)
{
	struct pkt_case *c = *state;
	uint8_t out[PKT_MAX], before[sizeof(struct xdptcp_meta)];
	uint8_t mss[4] = {2, 4, 0x05, 0xb4};
	struct xdptcp_meta m;

	assert_int_equal(pkt_world_xsk_add(&W, 0), 0);
	while (pkt_world_xsk_recv(&W, out, sizeof(out), before, sizeof(before)) > 0)
		;
	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	c->s.flags = PKT_SYN;
	c->s.ack = 0;
	c->s.opts = mss;
	c->s.optlen = sizeof(mss);
	c->len = pkt_build(&c->s, c->frame, sizeof(c->frame));
	assert_int_equal(pkt_case_begin(c, &W), 0);
	assert_int_equal(pkt_world_run_live(&W, c->frame, c->len), 0);
	assert_int_equal(pkt_world_xsk_recv(&W, out, sizeof(out), before, sizeof(before)), c->len);
	assert_memory_equal(out, c->frame, c->len);
	memcpy(&m, before, sizeof(m));
	assert_int_equal(m.magic, XDPTCP_META_MAGIC);
	assert_int_equal(m.verdict, XDPTCP_V_SLOW);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.reason, XDPTCP_STAT_SLOW_LISTEN);
	assert_int_equal(m.payload_off, 14 + 20 + 24);
	assert_int_equal(m.payload_len, 0);
	c->want.stats[XDPTCP_STAT_SLOW_LISTEN]++;
	c->want.stats[XDPTCP_STAT_SLOW]++;
	assert_int_equal(pkt_case_diff(c, -1), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_fast_data_reaches_socket_with_meta),
	    T(test_listen_syn_reaches_socket_with_meta),
	};

	fx_obj_path = pkt_world_obj_arg(argc, argv);
	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
