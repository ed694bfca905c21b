/* SipHash-2-4 against the reference vectors, and RFC 6528 ISNs: per-tuple,
 * per-key, and advancing one per 4 microseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/isn.h"

/* SipHash-2-4 outputs (little-endian bytes) for key 00 01 .. 0f and message
 * 00 01 .. (n-1), n = 0..63: vectors_sip64 of the reference implementation
 * (github.com/veorq/SipHash, vectors.h); n = 15 is the paper's appendix. */
static const char *const vectors[64] = {
    "310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
    "b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
    "6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
    "fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
    "db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
    "98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8",
    "94af49f6c650adb8", "eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f",
    "a5c91da7acaa4dde", "716595876650a2a6", "28ef495c53a387ad", "42c341d8fa92d832",
    "ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012", "ae97a10fd434e015",
    "b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
    "d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4",
    "f21df2e41d4535f9", "87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0",
    "51a9cb9ecba312e6", "96afadfc2ce666c7", "72fe52975a4364ee", "5a1645b276d592a1",
    "b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f", "9924a43cc1315724",
    "bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
    "e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
};

static uint64_t vector_value(const char *hex)
{
	uint64_t v = 0;

	/* bytes are little-endian: byte i is bits 8i..8i+7 */
	for (int i = 0; i < 8; i++) {
		unsigned b = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			b = b * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static struct tcp_isn_key ref_key(void)
{
	struct tcp_isn_key k;

	for (int i = 0; i < 16; i++)
		k.k[i] = (uint8_t)i;
	return k;
}

static void test_siphash_vectors(void **state)
{
	(void)state;
	struct tcp_isn_key k = ref_key();
	uint8_t msg[64];

	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t n = 0; n < 64; n++)
		assert_int_equal(siphash24(&k, msg, n), vector_value(vectors[n]));
	/* the paper's appendix value, written the paper's way */
	assert_int_equal(siphash24(&k, msg, 15), 0xa129ca6149be45e5ULL);
	/* the input need not be aligned */
	uint8_t shifted[65];
	memcpy(shifted + 1, msg, 64);
	assert_int_equal(siphash24(&k, shifted + 1, 63), vector_value(vectors[63]));
	assert_int_equal(siphash24(&k, NULL, 0), vector_value(vectors[0]));
}

static const uint32_t LADDR = 0x0a000001, RADDR = 0x0a000002;
static const uint16_t LPORT = 80, RPORT = 43210;

static void test_isn_is_m_plus_f(void **state)
{
	(void)state;
	struct tcp_isn_key k = ref_key();
	/* F hashes laddr, lport, raddr, rport in network byte order */
	const uint8_t tuple[12] = {10, 0, 0, 1, 0, 80, 10, 0, 0, 2, 0xa8, 0xca};
	uint32_t f = (uint32_t)siphash24(&k, tuple, sizeof(tuple));

	assert_int_equal(tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, 0), f);
	assert_int_equal(tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, 3999), f);
	assert_int_equal(tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, 4000), f + 1);
	assert_int_equal(tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, 1000000000ULL), f + 250000);
}

static void test_isn_advances_with_time(void **state)
{
	(void)state;
	struct tcp_isn_key k = ref_key();
	uint64_t t0 = 123456789012345ULL;
	uint32_t i0 = tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, t0);

	/* ~1 per 4 us: exactly (dt / 4000) apart, up to rounding of t0 */
	for (uint64_t dt = 1; dt < 100000000000ULL; dt = dt * 3 + 7) {
		uint32_t d = tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, t0 + dt) - i0;
		uint32_t want = (uint32_t)((t0 + dt) / 4000 - t0 / 4000);
		assert_int_equal(d, want);
		assert_true(d <= dt / 4000 + 1);
		assert_true(d + 1 >= dt / 4000);
	}
	/* M wraps modulo 2^32 (after about 4.8 hours) without a jump */
	uint64_t wrap = 4000ULL << 32;
	assert_int_equal(tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, wrap + 8000) -
			     tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, wrap - 8000),
			 4);
}

static void test_isn_per_tuple_and_key(void **state)
{
	(void)state;
	struct tcp_isn_key k = ref_key(), k2 = ref_key();
	uint64_t now = 5000000000ULL;
	uint32_t base = tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, now);

	assert_int_equal(tcp_isn(&k, LADDR, LPORT, RADDR, RPORT, now), base);
	assert_int_not_equal(tcp_isn(&k, LADDR + 1, LPORT, RADDR, RPORT, now), base);
	assert_int_not_equal(tcp_isn(&k, LADDR, LPORT + 1, RADDR, RPORT, now), base);
	assert_int_not_equal(tcp_isn(&k, LADDR, LPORT, RADDR + 1, RPORT, now), base);
	assert_int_not_equal(tcp_isn(&k, LADDR, LPORT, RADDR, RPORT + 1, now), base);
	/* swapping the ends is another connection */
	assert_int_not_equal(tcp_isn(&k, RADDR, RPORT, LADDR, LPORT, now), base);
	/* another secret gives another sequence space */
	k2.k[15] ^= 0x80;
	assert_int_not_equal(tcp_isn(&k2, LADDR, LPORT, RADDR, RPORT, now), base);

	/* consecutive remote ports must not give nearby ISNs (a weak F
	 * would): all distinct, and pairs within 2^16 of each other only as
	 * often as chance predicts */
	uint32_t isn[1000];
	for (int i = 0; i < 1000; i++)
		isn[i] = tcp_isn(&k, LADDR, LPORT, RADDR, (uint16_t)(1024 + i), now);
	int close = 0;
	for (int i = 0; i < 1000; i++)
		for (int j = 0; j < i; j++) {
			assert_int_not_equal(isn[i], isn[j]);
			uint32_t d = isn[i] - isn[j];
			close += d < 65536 || d > 0xffffffffu - 65536;
		}
	/* expected about 1000*999/2 * 2^17/2^32 = 15 */
	assert_true(close < 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_siphash_vectors),
	    cmocka_unit_test(test_isn_is_m_plus_f),
	    cmocka_unit_test(test_isn_advances_with_time),
	    cmocka_unit_test(test_isn_per_tuple_and_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
