/* Malformed-frame corpus and foreign traffic: each frame gets its verdict and
 * its one counter and leaves every other map unchanged. Frames we do not own
 * pass whatever is wrong with them once the owner can be known (after the
 * TCP ports); before that, broken headers are dropped. */
#include "xdp_fixture.h"

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

static uint8_t payload[9000];

/* Runs c (built, or raw if raw), expects action and one counter, the frame
 * untouched and no other map change. */
static void expect_only(struct pkt_case *c, int raw, uint32_t action, enum xdptcp_stat stat)
{
	assert_int_equal(pkt_case_begin(c, &W), 0);
	assert_int_equal(raw ? pkt_case_run_raw(c) : pkt_case_run(c), 0);
	assert_int_equal(c->r.retval, action);
	fx_no_meta_frame_untouched(c);
	c->want.stats[stat]++;
	fx_check_maps(c, -1);
}

/* Builds c->s into c->frame so a test can break it by hand. */
static void build(struct pkt_case *c)
{
	c->len = pkt_build(&c->s, c->frame, sizeof(c->frame));
	assert_true(c->len > 0);
}

/* The IPv4 header checksum after a hand edit, so only the edit is wrong. */
static void fix_ip_csum(struct pkt_case *c)
{
	uint8_t *ip = c->frame + 14;
	size_t ihl = (ip[0] & 0xf) * 4u;
	uint16_t s;

	ip[10] = ip[11] = 0;
	s = (uint16_t)~pkt_csum_fold(pkt_csum_add(0, ip, ihl < 20 ? 20 : ihl));
	ip[10] = s >> 8;
	ip[11] = s & 0xff;
}

/* An owned-flow check, and the same frame for a flow we do not own. */
static void owned_and_foreign(struct pkt_case *c, enum xdptcp_stat stat, int raw)
{
	fx_fast_flow(c);
	expect_only(c, raw, XDP_DROP, stat);
}

static void foreign(struct pkt_case *c)
{
	fx_fast_flow(c);
	c->s.dport = 8080; /* no flow, no port */
}

/* --- refused by BPF_PROG_TEST_RUN ------------------------------------------ */

static void test_shorter_than_ethernet_refused(void **state)
{
	struct pkt_case *c = *state;
	static const size_t lens[] = {0, 1, 13};

	/* test_run refuses frames under ETH_HLEN, so drop_eth_trunc cannot be
	 * reached here; the refusal must not run the program either. */
	fx_fast_flow(c);
	build(c);
	assert_int_equal(pkt_case_begin(c, &W), 0);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		c->len = lens[i];
		assert_int_equal(pkt_case_run_raw(c), -EINVAL);
	}
	fx_check_maps(c, -1);
}

/* --- before the owner is known: dropped ------------------------------------ */

static void test_ethernet_only(void **state)
{
	struct pkt_case *c = *state;

	build(c);
	c->len = 14;
	expect_only(c, 1, XDP_DROP, XDPTCP_STAT_DROP_IP_TRUNC);
}

static void test_ip_header_truncated(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.truncate = 14 + 19;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_IP_TRUNC);
}

static void test_ip_options_truncated(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.ihl = 15;
	c->s.truncate = 14 + 40;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_IP_TRUNC);
}

static void test_ihl_below_5(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	build(c);
	c->frame[14] = 0x44;
	fix_ip_csum(c);
	expect_only(c, 1, XDP_DROP, XDPTCP_STAT_DROP_IP_HDR);
}

static void test_version_not_4(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.version = 6;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_IP_HDR);
}

static void test_tot_len_beyond_frame(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.tot_len_delta = 1;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_IP_LEN);
}

static void test_tot_len_below_ihl(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	build(c);
	c->frame[14 + 2] = 0;
	c->frame[14 + 3] = 19;
	fix_ip_csum(c);
	expect_only(c, 1, XDP_DROP, XDPTCP_STAT_DROP_IP_LEN);
}

static void test_tcp_header_truncated(void **state)
{
	struct pkt_case *c = *state;

	/* tot_len and frame agree on 10 bytes of TCP header */
	fx_fast_flow(c);
	build(c);
	c->frame[14 + 2] = 0;
	c->frame[14 + 3] = 30;
	fix_ip_csum(c);
	c->len = 14 + 30;
	expect_only(c, 1, XDP_DROP, XDPTCP_STAT_DROP_TCP_TRUNC);
}

static void test_tcp_header_cut_by_frame(void **state)
{
	struct pkt_case *c = *state;

	/* tot_len claims the full header the frame does not have */
	fx_fast_flow(c);
	c->s.truncate = 14 + 20 + 10;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_IP_LEN);
}

/* --- owned flow: dropped; foreign flow: passed ----------------------------- */

static void test_first_fragment(void **state)
{
	struct pkt_case *c = *state;

	c->s.frag = 0x2000; /* MF, offset 0 */
	owned_and_foreign(c, XDPTCP_STAT_DROP_FRAGMENT, 0);
}

static void test_first_fragment_foreign(void **state)
{
	struct pkt_case *c = *state;

	foreign(c);
	c->s.frag = 0x2000;
	expect_only(c, 0, XDP_PASS, XDPTCP_STAT_PASS_NOT_OURS);
}

static void test_later_fragment_passed(void **state)
{
	struct pkt_case *c = *state;

	/* no ports in a later fragment: nobody can tell whose it is */
	fx_fast_flow(c);
	c->s.frag = 0x2000 | 185;
	expect_only(c, 0, XDP_PASS, XDPTCP_STAT_PASS_FRAGMENT);
}

static void test_later_tiny_fragment_passed(void **state)
{
	struct pkt_case *c = *state;

	/* 8 bytes of fragment data: legal, and shorter than a TCP header */
	fx_fast_flow(c);
	c->s.frag = 185;
	build(c);
	c->frame[14 + 3] = 28;
	c->frame[14 + 2] = 0;
	fix_ip_csum(c);
	c->len = 14 + 28;
	expect_only(c, 1, XDP_PASS, XDPTCP_STAT_PASS_FRAGMENT);
}

static void test_bad_ip_csum(void **state)
{
	struct pkt_case *c = *state;

	c->s.bad_ip_csum = true;
	owned_and_foreign(c, XDPTCP_STAT_DROP_IP_CSUM, 0);
}

static void test_bad_ip_csum_foreign(void **state)
{
	struct pkt_case *c = *state;

	foreign(c);
	c->s.bad_ip_csum = true;
	expect_only(c, 0, XDP_PASS, XDPTCP_STAT_PASS_NOT_OURS);
}

static void test_bad_ip_csum_with_ip_options(void **state)
{
	struct pkt_case *c = *state;

	c->s.ihl = 6;
	c->s.bad_ip_csum = true;
	owned_and_foreign(c, XDPTCP_STAT_DROP_IP_CSUM, 0);
}

static void test_doff_below_5(void **state)
{
	struct pkt_case *c = *state;

	c->s.doff = 4;
	owned_and_foreign(c, XDPTCP_STAT_DROP_TCP_DOFF, 0);
}

static void test_doff_past_end(void **state)
{
	struct pkt_case *c = *state;

	c->s.doff = 15; /* 60 bytes claimed, 32 there */
	owned_and_foreign(c, XDPTCP_STAT_DROP_TCP_DOFF, 0);
}

static void test_doff_past_end_foreign(void **state)
{
	struct pkt_case *c = *state;

	foreign(c);
	c->s.doff = 15;
	expect_only(c, 0, XDP_PASS, XDPTCP_STAT_PASS_NOT_OURS);
}

static void check_bad_opts(struct pkt_case *c, const uint8_t *opts, size_t n)
{
	fx_fast_flow(c);
	c->s.opts = opts;
	c->s.optlen = n;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_TCP_OPT);
}

static void test_option_runs_past_header(void **state)
{
	static const uint8_t opts[4] = {2, 8, 5, 0xb4}; /* MSS claiming 8 bytes */

	check_bad_opts(*state, opts, sizeof(opts));
}

static void test_option_length_byte_missing(void **state)
{
	static const uint8_t opts[4] = {1, 1, 1, 2};

	check_bad_opts(*state, opts, sizeof(opts));
}

static void test_option_length_1(void **state)
{
	static const uint8_t opts[4] = {3, 1, 1, 1};

	check_bad_opts(*state, opts, sizeof(opts));
}

static void test_option_length_0(void **state)
{
	static const uint8_t opts[8] = {1, 1, 8, 0, 0, 0, 0, 0};

	check_bad_opts(*state, opts, sizeof(opts));
}

static void test_option_after_ts_runs_past(void **state)
{
	static const uint8_t opts[16] = {1, 1, 8, 10, 0, 0, 0, 101, 0, 0, 0, 55, 1, 1, 4, 3};

	check_bad_opts(*state, opts, sizeof(opts));
}

static void want_dupack(struct pkt_case *c)
{
	c->want.tcbs[FX_SLOT].dupacks = 1;
	c->want.tcbs[FX_SLOT].ts_recent = FX_TSVAL;
	c->want.stats[XDPTCP_STAT_FAST_DUPACK]++;
	fx_check_maps(c, FX_SLOT);
}

static void test_options_40_bytes_of_nop(void **state)
{
	struct pkt_case *c = *state;
	static uint8_t opts[40];

	/* 40 bytes of options with the timestamp last: walked to the end */
	memset(opts, 1, sizeof(opts));
	pkt_opts_ts(opts + 28, FX_TSVAL, FX_TSECR);
	fx_fast_flow(c);
	c->s.opts = opts;
	c->s.optlen = sizeof(opts);
	fx_run(c, XDP_DROP);
	want_dupack(c);
}

static void test_bad_option_foreign(void **state)
{
	struct pkt_case *c = *state;
	static const uint8_t opts[4] = {2, 8, 5, 0xb4};

	foreign(c);
	c->s.opts = opts;
	c->s.optlen = sizeof(opts);
	expect_only(c, 0, XDP_PASS, XDPTCP_STAT_PASS_NOT_OURS);
}

static void test_syn_fin(void **state)
{
	struct pkt_case *c = *state;

	c->s.flags = PKT_SYN | PKT_FIN;
	owned_and_foreign(c, XDPTCP_STAT_DROP_TCP_FLAGS, 0);
}

static void test_syn_rst(void **state)
{
	struct pkt_case *c = *state;

	c->s.flags = PKT_SYN | PKT_RST | PKT_ACK;
	owned_and_foreign(c, XDPTCP_STAT_DROP_TCP_FLAGS, 0);
}

static void test_syn_fin_foreign(void **state)
{
	struct pkt_case *c = *state;

	foreign(c);
	c->s.flags = PKT_SYN | PKT_FIN;
	expect_only(c, 0, XDP_PASS, XDPTCP_STAT_PASS_NOT_OURS);
}

static void test_bad_tcp_csum_header_only(void **state)
{
	struct pkt_case *c = *state;

	c->s.bad_tcp_csum = true;
	owned_and_foreign(c, XDPTCP_STAT_DROP_TCP_CSUM, 0);
}

static void test_bad_tcp_csum_listen_port(void **state)
{
	struct pkt_case *c = *state;

	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	c->s.flags = PKT_SYN;
	c->s.bad_tcp_csum = true;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_TCP_CSUM);
}

static void test_bad_tcp_csum_with_payload_goes_up(void **state)
{
	struct pkt_case *c = *state;

	/* payload is verified by userspace, not here */
	fx_fast_flow(c);
	c->s.payload = payload;
	c->s.paylen = 10;
	c->s.bad_tcp_csum = true;
	fx_run(c, XDP_DROP); /* FAST_DATA, and no socket */
	assert_int_equal(fx_meta(c).verdict, XDPTCP_V_FAST_DATA);
}

/* --- legal oddities -------------------------------------------------------- */

static void test_ethernet_padding_ignored(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.pad = 12;
	fx_run(c, XDP_DROP);
	want_dupack(c);
}

static void test_ip_options_legal(void **state)
{
	struct pkt_case *c = *state;

	fx_fast_flow(c);
	c->s.ihl = 15;
	fx_run(c, XDP_DROP);
	want_dupack(c);
}

static void test_max_frame_1514(void **state)
{
	struct pkt_case *c = *state;

	assert_int_equal(pkt_world_xsk_add(&W, 0), 0);
	fx_fast_flow(c);
	c->s.payload = payload;
	c->s.paylen = 1514 - 14 - 20 - 32;
	fx_run(c, XDP_REDIRECT);
	assert_int_equal(c->len, 1514);
	assert_int_equal(fx_meta(c).payload_len, c->s.paylen);
	c->want.tcbs[FX_SLOT].rcv_nxt = 1000 + (uint32_t)c->s.paylen;
	c->want.tcbs[FX_SLOT].up_end = 1000 + (uint32_t)c->s.paylen;
	c->want.tcbs[FX_SLOT].ts_recent = FX_TSVAL;
	c->want.tcbs[FX_SLOT].tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += c->s.paylen;
	fx_check_maps(c, FX_SLOT);
}

static void test_max_linear_frame(void **state)
{
	struct pkt_case *c = *state;

	/* The largest frame test_run hands over in one piece: a 4 KiB page
	 * less 256 bytes of headroom and 320 of skb_shared_info. */
	assert_int_equal(pkt_world_xsk_add(&W, 0), 0);
	fx_fast_flow(c)->rcv_adv = 1000 + 9000;
	c->s.payload = payload;
	c->s.paylen = 3520 - 14 - 20 - 32;
	fx_run(c, XDP_REDIRECT);
	assert_int_equal(fx_meta(c).payload_len, c->s.paylen);
	c->want.tcbs[FX_SLOT].rcv_nxt = 1000 + (uint32_t)c->s.paylen;
	c->want.tcbs[FX_SLOT].up_end = 1000 + (uint32_t)c->s.paylen;
	c->want.tcbs[FX_SLOT].ts_recent = FX_TSVAL;
	c->want.tcbs[FX_SLOT].tsecr_last = FX_TSECR;
	c->want.stats[XDPTCP_STAT_FAST_DATA]++;
	c->want.stats[XDPTCP_STAT_FAST_DATA_BYTES] += c->s.paylen;
	fx_check_maps(c, FX_SLOT);
}

static void test_jumbo_frame_dropped(void **state)
{
	struct pkt_case *c = *state;

	/* Beyond one page test_run puts the rest in fragments, which this
	 * program (not "xdp.frags") does not see: tot_len runs past data_end.
	 * A driver never gives such frames to a program without frags. */
	fx_fast_flow(c)->rcv_adv = 1000 + 9000;
	c->s.payload = payload;
	c->s.paylen = 9014 - 14 - 20 - 32;
	expect_only(c, 0, XDP_DROP, XDPTCP_STAT_DROP_IP_LEN);
}

/* --- everything else is the kernel's --------------------------------------- */

static void check_foreign(struct pkt_case *c, uint16_t eth_proto, uint8_t proto,
			  enum xdptcp_stat stat)
{
	fx_fast_flow(c); /* the same addresses and ports are ours for TCP */
	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	c->s.eth_proto = eth_proto;
	c->s.proto = proto;
	expect_only(c, 0, XDP_PASS, stat);
}

static void test_arp_passed(void **state)
{
	check_foreign(*state, 0x0806, 0, XDPTCP_STAT_PASS_NOT_IP);
}

static void test_ipv6_passed(void **state)
{
	check_foreign(*state, 0x86dd, 0, XDPTCP_STAT_PASS_NOT_IP);
}

static void test_vlan_passed(void **state)
{
	check_foreign(*state, 0x8100, 0, XDPTCP_STAT_PASS_NOT_IP);
}

static void test_icmp_passed(void **state)
{
	check_foreign(*state, 0, 1, XDPTCP_STAT_PASS_NOT_TCP);
}

static void test_udp_passed(void **state)
{
	check_foreign(*state, 0, 17, XDPTCP_STAT_PASS_NOT_TCP);
}

static void test_other_port_tcp_passed(void **state)
{
	struct pkt_case *c = *state;

	foreign(c);
	assert_int_equal(pkt_world_add_port(&W, 80), 0);
	c->s.flags = PKT_SYN;
	expect_only(c, 0, XDP_PASS, XDPTCP_STAT_PASS_NOT_OURS);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_shorter_than_ethernet_refused),
	    T(test_ethernet_only),
	    T(test_ip_header_truncated),
	    T(test_ip_options_truncated),
	    T(test_ihl_below_5),
	    T(test_version_not_4),
	    T(test_tot_len_beyond_frame),
	    T(test_tot_len_below_ihl),
	    T(test_tcp_header_truncated),
	    T(test_tcp_header_cut_by_frame),
	    T(test_first_fragment),
	    T(test_first_fragment_foreign),
	    T(test_later_fragment_passed),
	    T(test_later_tiny_fragment_passed),
	    T(test_bad_ip_csum),
	    T(test_bad_ip_csum_foreign),
	    T(test_bad_ip_csum_with_ip_options),
	    T(test_doff_below_5),
	    T(test_doff_past_end),
	    T(test_doff_past_end_foreign),
	    T(test_option_runs_past_header),
	    T(test_option_length_byte_missing),
	    T(test_option_length_1),
	    T(test_option_length_0),
	    T(test_option_after_ts_runs_past),
	    T(test_options_40_bytes_of_nop),
	    T(test_bad_option_foreign),
	    T(test_syn_fin),
	    T(test_syn_rst),
	    T(test_syn_fin_foreign),
	    T(test_bad_tcp_csum_header_only),
	    T(test_bad_tcp_csum_listen_port),
	    T(test_bad_tcp_csum_with_payload_goes_up),
	    T(test_ethernet_padding_ignored),
	    T(test_ip_options_legal),
	    T(test_max_frame_1514),
	    T(test_max_linear_frame),
	    T(test_jumbo_frame_dropped),
	    T(test_arp_passed),
	    T(test_ipv6_passed),
	    T(test_vlan_passed),
	    T(test_icmp_passed),
	    T(test_udp_passed),
	    T(test_other_port_tcp_passed),
	};

	fx_obj_path = pkt_world_obj_arg(argc, argv);
	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
