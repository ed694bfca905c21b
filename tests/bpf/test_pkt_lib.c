/* The frame builder and checksum routine the BPF tests judge the program
 * with, against known answers (not against themselves). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the headers above first */
#include <cmocka.h>

#include "../lib/pkt.h"

/* RFC 1071 example header (Wikipedia "IPv4 header checksum"): b861 */
static void test_ip_csum_known_answer(void **state)
{
	static const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				       0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

	(void)state;
	assert_int_equal((uint16_t)~pkt_csum_fold(pkt_csum_add(0, ip, sizeof(ip))), 0xb861);
}

/* A data segment with timestamps and 5 bytes of payload (odd length),
 * checksums as computed by scapy: IP 0x66bd, TCP 0x663f. */
static void test_frame_known_answer(void **state)
{
	static const uint8_t pl[5] = {'h', 'e', 'l', 'l', 'o'};
	uint8_t f[128], opts[12];
	struct pkt_spec s;
	size_t n;

	(void)state;
	pkt_spec_default(&s);
	pkt_opts_ts(opts, 101, 55);
	s.opts = opts;
	s.optlen = sizeof(opts);
	s.payload = pl;
	s.paylen = sizeof(pl);
	s.flags = PKT_ACK | PKT_PSH;
	n = pkt_build(&s, f, sizeof(f));
	assert_int_equal(n, 14 + 20 + 32 + 5);
	assert_int_equal(pkt_get16(f + 14 + 10), 0x66bd);
	assert_int_equal(pkt_get16(f + 34 + 16), 0x663f);
	assert_true(pkt_ip_csum_ok(f, n));
	assert_true(pkt_tcp_csum_ok(f, n));
	f[n - 1] ^= 1;
	assert_false(pkt_tcp_csum_ok(f, n));
}

static void test_broken_checksums_are_broken(void **state)
{
	uint8_t f[128];
	struct pkt_spec s;
	size_t n;

	(void)state;
	pkt_spec_default(&s);
	s.bad_ip_csum = true;
	s.bad_tcp_csum = true;
	n = pkt_build(&s, f, sizeof(f));
	assert_false(pkt_ip_csum_ok(f, n));
	assert_false(pkt_tcp_csum_ok(f, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ip_csum_known_answer),
	    cmocka_unit_test(test_frame_known_answer),
	    cmocka_unit_test(test_broken_checksums_are_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
