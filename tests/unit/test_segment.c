/* IPv4+TCP parse/build: round trips of every option combination and odd
 * payload lengths, every parse error, padding, IP options, and checksums
 * checked against an independent implementation written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/segment.h"

/* --- independent reference checksum (RFC 1071, plain and slow) --- */

static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	uint64_t acc = 0;

	for (size_t i = 0; i < n; i += 2) {
		uint16_t w = (uint16_t)(p[i] << 8);
		if (i + 1 < n)
			w |= p[i + 1];
		acc += w;
	}
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)(~acc & 0xffff);
}

static size_t ihl_of(const uint8_t *pkt) { return (size_t)(pkt[0] & 0x0f) * 4; }

static size_t totlen_of(const uint8_t *pkt) { return (size_t)pkt[2] << 8 | pkt[3]; }

/* TCP checksum over pseudo-header + segment, computed in a fresh buffer */
static uint16_t ref_tcp_csum(const uint8_t *pkt)
{
	size_t ihl = ihl_of(pkt), tl = totlen_of(pkt) - ihl;
	uint8_t *tmp = calloc(1, 12 + tl);

	assert_non_null(tmp);
	memcpy(tmp, pkt + 12, 8); /* saddr, daddr */
	tmp[9] = 6;
	tmp[10] = (uint8_t)(tl >> 8);
	tmp[11] = (uint8_t)tl;
	memcpy(tmp + 12, pkt + ihl, tl);
	tmp[12 + 16] = tmp[12 + 17] = 0; /* the checksum field itself */
	uint16_t c = ref_csum(tmp, 12 + tl);
	free(tmp);
	return c;
}

static uint16_t ref_ip_csum(const uint8_t *pkt)
{
	uint8_t h[60];
	size_t ihl = ihl_of(pkt);

	memcpy(h, pkt, ihl);
	h[10] = h[11] = 0;
	return ref_csum(h, ihl);
}

static uint16_t field16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Recompute both checksums after a test edited the packet. */
static void fix_csums(uint8_t *pkt)
{
	uint16_t c = ref_ip_csum(pkt);
	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
	c = ref_tcp_csum(pkt);
	pkt[ihl_of(pkt) + 16] = (uint8_t)(c >> 8);
	pkt[ihl_of(pkt) + 17] = (uint8_t)c;
}

static uint8_t payload_byte(size_t i) { return (uint8_t)(i * 7 + 1); }

static struct tcp_seg base_seg(void)
{
	struct tcp_seg s = {
	    .saddr = 0x0a000001,
	    .daddr = 0xc0a80102,
	    .sport = 40000,
	    .dport = 80,
	    .seq = 0xfffffff0,
	    .ack = 0x12345678,
	    .flags = TCP_ACK | TCP_PSH,
	    .wnd = 65535,
	    .urp = 0,
	};
	return s;
}

/* A packet with no options and payload_len bytes, checksums correct. */
static size_t make_pkt(uint8_t *buf, size_t cap, size_t payload_len)
{
	static uint8_t pl[2048];
	struct tcp_seg s = base_seg();

	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = payload_byte(i);
	s.payload = pl;
	s.len = (uint32_t)payload_len;
	size_t n = tcp_seg_build(buf, cap, &s);
	assert_int_equal(n, 40 + payload_len);
	return n;
}

/* A packet whose TCP options area is exactly opts[0..olen) (olen a multiple
 * of 4), followed by 3 payload bytes; checksums fixed. */
static size_t make_with_options(uint8_t *buf, const uint8_t *opts, size_t olen)
{
	size_t n = make_pkt(buf, 256, 0); /* callers' buffers are 256 bytes */
	uint8_t *th = buf + 20;

	assert_int_equal(olen % 4, 0);
	memcpy(th + 20, opts, olen);
	th[12] = (uint8_t)((20 + olen) / 4 << 4);
	memcpy(th + 20 + olen, "abc", 3);
	n += olen + 3;
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	fix_csums(buf);
	return n;
}

/* --- tests --- */

static void test_csum_rfc1071_example(void **state)
{
	(void)state;
	/* RFC 1071 section 3: these bytes sum to 0xddf2 */
	const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	assert_int_equal(inet_csum_fold(inet_csum_add(0, d, sizeof(d))), (uint16_t)~0xddf2);
	assert_int_equal(ref_csum(d, sizeof(d)), (uint16_t)~0xddf2);
	/* chaining even chunks equals one pass (once folded) */
	assert_int_equal(inet_csum_fold(inet_csum_add(inet_csum_add(0, d, 4), d + 4, 4)),
			 inet_csum_fold(inet_csum_add(0, d, 8)));
	/* a running sum near 2^32 carries around (0xffffffff is a zero) */
	assert_int_equal(inet_csum_fold(inet_csum_add(0xffffffff, d, sizeof(d))),
			 (uint16_t)~0xddf2);
	/* an odd last byte is the high byte of a zero-padded word */
	assert_int_equal(inet_csum_add(0, d + 2, 3), 0xf203 + 0xf400);
	assert_int_equal(inet_csum_add(0, d, 0), 0);
	assert_int_equal(inet_csum_fold(0), 0xffff);
	assert_int_equal(inet_csum_fold(0x1fffe), 0);
}

static void test_csum_large_buffer(void **state)
{
	(void)state;
	/* enough 0xffff words to carry beyond 32 bits */
	size_t n = 300000;
	uint8_t *d = malloc(n + 1);

	assert_non_null(d);
	memset(d, 0xff, n + 1);
	assert_int_equal(inet_csum_fold(inet_csum_add(0, d, n)), ref_csum(d, n));
	for (size_t i = 0; i < n + 1; i++)
		d[i] = (uint8_t)(i * 31 + 5);
	assert_int_equal(inet_csum_fold(inet_csum_add(0, d, n)), ref_csum(d, n));
	assert_int_equal(inet_csum_fold(inet_csum_add(0, d, n + 1)), ref_csum(d, n + 1));
	free(d);
}

static void test_csum_chaining(void **state)
{
	(void)state;
	uint8_t d[77];

	/* every even split point, every total length, unaligned starts */
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(0xff - i * 13);
	for (size_t start = 0; start < 3; start++)
		for (size_t n = 0; n + start <= sizeof(d); n++)
			for (size_t cut = 0; cut <= n; cut += 2) {
				const uint8_t *p = d + start;
				uint32_t a = inet_csum_add(0, p, cut);
				uint32_t b = inet_csum_add(a, p + cut, n - cut);
				assert_int_equal(inet_csum_fold(b), ref_csum(p, n));
			}
}

static void test_round_trip_all_options(void **state)
{
	(void)state;
	static const size_t lens[] = {0, 1, 2, 3, 7, 64, 513, 1460, 1461};
	static uint8_t pl[1500], buf[2048];

	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = payload_byte(i);
	for (unsigned opts = 0; opts < 16; opts++) {
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
			struct tcp_seg s = base_seg(), p;
			s.opts = (uint8_t)opts;
			s.mss = 1460;
			s.wscale = 7;
			s.tsval = 0xdeadbeef;
			s.tsecr = 0x01020304;
			s.flags = (uint8_t)(opts * 17 + li); /* various flag bytes */
			s.urp = (uint16_t)li;
			s.seq += (uint32_t)li;
			s.payload = pl;
			s.len = (uint32_t)lens[li];

			size_t n = tcp_seg_build(buf, sizeof(buf), &s);
			assert_int_equal(n, tcp_seg_size(&s));
			size_t optlen = (opts & 1 ? 4 : 0) + (opts & 2 ? 4 : 0) +
					(opts & 4 ? 4 : 0) + (opts & 8 ? 12 : 0);
			assert_int_equal(n, 40 + optlen + lens[li]);
			/* checksums agree with the independent computation */
			assert_int_equal(field16(buf + 10), ref_ip_csum(buf));
			assert_int_equal(field16(buf + 36), ref_tcp_csum(buf));
			assert_int_equal(buf[0], 0x45);
			assert_int_equal(field16(buf + 6), 0x4000); /* DF */
			assert_int_equal(buf[8], 64);

			assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
			assert_int_equal(p.saddr, s.saddr);
			assert_int_equal(p.daddr, s.daddr);
			assert_int_equal(p.sport, s.sport);
			assert_int_equal(p.dport, s.dport);
			assert_int_equal(p.seq, s.seq);
			assert_int_equal(p.ack, s.ack);
			assert_int_equal(p.flags, s.flags);
			assert_int_equal(p.wnd, s.wnd);
			assert_int_equal(p.urp, s.urp);
			assert_int_equal(p.opts, opts);
			assert_int_equal(p.mss, opts & TCP_OPT_MSS ? 1460 : 0);
			assert_int_equal(p.wscale, opts & TCP_OPT_WSCALE ? 7 : 0);
			assert_int_equal(p.tsval, opts & TCP_OPT_TS ? 0xdeadbeef : 0);
			assert_int_equal(p.tsecr, opts & TCP_OPT_TS ? 0x01020304 : 0);
			assert_int_equal(p.len, lens[li]);
			assert_ptr_equal(p.payload, buf + 40 + optlen);
			if (lens[li])
				assert_memory_equal(p.payload, pl, lens[li]);
		}
	}
}

static void test_build_cap(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg s = base_seg();
	uint8_t pl[10] = {0};

	s.opts = TCP_OPT_TS;
	s.payload = pl;
	s.len = sizeof(pl);
	size_t need = tcp_seg_size(&s);
	assert_int_equal(need, 40 + 12 + 10);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(tcp_seg_build(buf, need - 1, &s), 0);
	assert_int_equal(buf[0], 0xaa); /* nothing written */
	assert_int_equal(tcp_seg_build(buf, 0, &s), 0);
	assert_int_equal(tcp_seg_build(buf, need, &s), need);
	/* too big for the IPv4 total length field */
	s.len = 65535 - 40;
	assert_int_equal(tcp_seg_build(buf, (size_t)1 << 20, &s), 0);
}

static void test_padding_ignored(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 5);

	/* Ethernet pads short frames to 60 bytes: bytes past tot_len */
	memset(buf + n, 0x5a, 20);
	assert_int_equal(tcp_seg_parse(buf, n + 20, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.len, 5);
}

static void test_ip_options(void **state)
{
	(void)state;
	uint8_t buf[128], pkt[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 4);

	/* insert 4 bytes of IP options (NOPs + EOL): IHL 6 */
	memcpy(pkt, buf, 20);
	memcpy(pkt + 20, "\x01\x01\x01\x00", 4);
	memcpy(pkt + 24, buf + 20, n - 20);
	pkt[0] = 0x46;
	pkt[3] = (uint8_t)(n + 4);
	fix_csums(pkt);
	assert_int_equal(tcp_seg_parse(pkt, n + 4, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.len, 4);
	assert_ptr_equal(p.payload, pkt + 44);
	assert_int_equal(p.payload[0], payload_byte(0));
	/* IHL larger than the buffer */
	pkt[0] = 0x4f;
	assert_int_equal(tcp_seg_parse(pkt, 59, &p, 0), TCP_SEG_ETRUNC);
}

static void test_err_truncated(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 0);

	assert_int_equal(n, 40);
	assert_int_equal(tcp_seg_parse(buf, 0, &p, 0), TCP_SEG_ETRUNC);
	assert_int_equal(tcp_seg_parse(buf, 19, &p, 0), TCP_SEG_ETRUNC);
	/* IP header complete, TCP header cut */
	for (size_t l = 20; l < 40; l++)
		assert_int_equal(tcp_seg_parse(buf, l, &p, 0), TCP_SEG_ETRUNC);
	assert_int_equal(tcp_seg_parse(buf, 40, &p, 0), TCP_SEG_OK);
	/* IHL 6 but only 20 bytes */
	buf[0] = 0x46;
	assert_int_equal(tcp_seg_parse(buf, 23, &p, 0), TCP_SEG_ETRUNC);
}

static void test_err_ip_header(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 0);

	buf[0] = 0x65; /* IPv6 version nibble */
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EIPHDR);
	buf[0] = 0x44; /* IHL 4 */
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EIPHDR);
	buf[0] = 0x40;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EIPHDR);
}

static void test_err_ip_len(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 10);

	/* total length beyond the buffer */
	assert_int_equal(tcp_seg_parse(buf, n - 1, &p, 0), TCP_SEG_EIPLEN);
	/* total length below IP + TCP headers */
	buf[2] = 0;
	buf[3] = 39;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EIPLEN);
	buf[3] = 20;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EIPLEN);
	buf[3] = 0;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EIPLEN);
	/* exactly the headers: no payload */
	buf[3] = 40;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_OK);
	assert_int_equal(p.len, 0);
}

static void test_err_fragment(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 0);

	buf[6] = 0x20; /* MF */
	buf[7] = 0;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EFRAG);
	buf[6] = 0x00; /* offset 8 */
	buf[7] = 0x01;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EFRAG);
	buf[6] = 0x5f; /* DF + highest offset bits */
	buf[7] = 0x00;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EFRAG);
	buf[6] = 0x40; /* DF alone is fine */
	buf[7] = 0;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	buf[6] = 0x00; /* no flags is fine */
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_OK);
}

static void test_err_not_tcp(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 0);

	buf[9] = 17;
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_ENOTTCP);
	/* a short UDP datagram is still "not TCP", not "truncated" */
	assert_int_equal(tcp_seg_parse(buf, 28, &p, 0), TCP_SEG_ENOTTCP);
}

static void test_err_data_offset(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	size_t n = make_pkt(buf, sizeof(buf), 8);

	buf[32] = 4 << 4;
	fix_csums(buf);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_EDOFF);
	buf[32] = 0;
	fix_csums(buf);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_EDOFF);
	/* 28 TCP bytes: doff 8 (32) runs past the end */
	buf[32] = 8 << 4;
	fix_csums(buf);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_EDOFF);
	buf[32] = 15 << 4;
	fix_csums(buf);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_EDOFF);
}

static void test_data_offset_whole_segment(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;
	/* 28 TCP bytes, the last 8 NOPs: doff 7 makes them options, no payload */
	size_t n = make_pkt(buf, sizeof(buf), 8);

	memset(buf + 40, 0x01 /* NOP */, 8);
	buf[32] = 7 << 4;
	fix_csums(buf);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.len, 0);
	assert_int_equal(p.opts, 0);
}

static void expect_opts_err(const uint8_t *opts, size_t olen, int err)
{
	uint8_t buf[256];
	struct tcp_seg p;
	size_t n = make_with_options(buf, opts, olen);

	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), err);
}

static void test_err_options(void **state)
{
	(void)state;
	/* MSS with length 3 */
	expect_opts_err((const uint8_t *)"\x02\x03\x05\x00", 4, TCP_SEG_EOPT);
	/* WSCALE with length 4 */
	expect_opts_err((const uint8_t *)"\x03\x04\x07\x00", 4, TCP_SEG_EOPT);
	/* SACK_OK with length 3 */
	expect_opts_err((const uint8_t *)"\x04\x03\x00\x00", 4, TCP_SEG_EOPT);
	/* TS with length 8 */
	expect_opts_err((const uint8_t *)"\x08\x08\x00\x00\x00\x00\x00\x00", 8, TCP_SEG_EOPT);
	/* length 0 and 1 */
	expect_opts_err((const uint8_t *)"\x1e\x00\x00\x00", 4, TCP_SEG_EOPT);
	expect_opts_err((const uint8_t *)"\x1e\x01\x00\x00", 4, TCP_SEG_EOPT);
	/* option running past the header */
	expect_opts_err((const uint8_t *)"\x01\x1e\x04\x00", 4, TCP_SEG_EOPT);
	expect_opts_err((const uint8_t *)"\x08\x0a\x00\x00\x00\x00\x00\x00", 8, TCP_SEG_EOPT);
	/* kind in the last byte, no room for its length */
	expect_opts_err((const uint8_t *)"\x01\x01\x01\x02", 4, TCP_SEG_EOPT);
	/* with verify off the option check still runs */
	uint8_t buf[256];
	struct tcp_seg p;
	size_t n = make_with_options(buf, (const uint8_t *)"\x02\x05\x05\x00", 4);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_EOPT);
}

static void test_options_eol_nop_unknown(void **state)
{
	(void)state;
	uint8_t buf[256];
	struct tcp_seg p;
	size_t n;

	/* EOL ends the list: the garbage after it is not parsed */
	n = make_with_options(buf, (const uint8_t *)"\x02\x04\x05\xb4\x00\x02\x09\xff", 8);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.opts, TCP_OPT_MSS);
	assert_int_equal(p.mss, 1460);
	assert_int_equal(p.len, 3);
	assert_memory_equal(p.payload, "abc", 3);
	/* unknown kinds (30 with 6 bytes, 254 with 2) are skipped */
	n = make_with_options(buf,
			      (const uint8_t *)"\x1e\x06\x01\x02\x03\x04\xfe\x02"
					       "\x03\x03\x0e\x01",
			      12);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.opts, TCP_OPT_WSCALE);
	assert_int_equal(p.wscale, 14);
	/* unaligned TS (no NOPs) and SACK_OK, then NOP padding */
	n = make_with_options(buf,
			      (const uint8_t *)"\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x02"
					       "\x01\x01\x01\x01",
			      16);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.opts, TCP_OPT_SACK_OK | TCP_OPT_TS);
	assert_int_equal(p.tsval, 1);
	assert_int_equal(p.tsecr, 2);
	/* a repeated option: the last one wins; wscale 15 is kept raw */
	n = make_with_options(buf, (const uint8_t *)"\x03\x03\x02\x03\x03\x0f\x01\x01", 8);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.wscale, 15);
	/* all NOPs */
	n = make_with_options(buf, (const uint8_t *)"\x01\x01\x01\x01", 4);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.opts, 0);
}

static void test_err_checksums(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct tcp_seg p;

	for (size_t len = 0; len < 6; len++) {
		size_t n = make_pkt(buf, sizeof(buf), len);

		assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
		/* IP header corruption (TTL) */
		buf[8] ^= 0x01;
		assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_EIPCSUM);
		assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_OK);
		buf[8] ^= 0x01;
		/* corruption of the last byte (payload, odd or even, or header) */
		buf[n - 1] ^= 0x80;
		assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_ECSUM);
		assert_int_equal(tcp_seg_parse(buf, n, &p, 0), TCP_SEG_OK);
		buf[n - 1] ^= 0x80;
		/* addresses are covered by the pseudo-header: change saddr and
		 * fix only the IP checksum */
		buf[12] ^= 0x01;
		uint16_t c = ref_ip_csum(buf);
		buf[10] = (uint8_t)(c >> 8);
		buf[11] = (uint8_t)c;
		assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_ECSUM);
		/* a zero checksum field is not "no checksum" for TCP */
		fix_csums(buf);
		assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
		buf[36] = buf[37] = 0;
		if (ref_tcp_csum(buf) != 0)
			assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_ECSUM);
	}
}

static void test_strerror(void **state)
{
	(void)state;
	const int codes[] = {TCP_SEG_OK,
			     TCP_SEG_ETRUNC,
			     TCP_SEG_EIPHDR,
			     TCP_SEG_EIPLEN,
			     TCP_SEG_EFRAG,
			     TCP_SEG_ENOTTCP,
			     TCP_SEG_EDOFF,
			     TCP_SEG_EOPT,
			     TCP_SEG_EIPCSUM,
			     TCP_SEG_ECSUM,
			     -100};
	const size_t nc = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < nc; i++) {
		assert_non_null(tcp_seg_strerror(codes[i]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(tcp_seg_strerror(codes[i]),
						tcp_seg_strerror(codes[j]));
	}
	assert_string_equal(tcp_seg_strerror(TCP_SEG_ECSUM), "bad TCP checksum");
	assert_string_equal(tcp_seg_strerror(7), "unknown error");
}

/* inet_csum_add against the plain reference: every length 0..300 (odd
 * ones, the 8-, 4- and 2-byte tails), at an odd address too, random bytes
 * and all-ones bytes (every add carries), with a running sum carried in. */
static void test_csum_matches_reference(void **state)
{
	static uint8_t buf[320];
	uint32_t x = 12345;

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = pass ? 0xff : (uint8_t)(x >> 16);
		}
		for (size_t off = 0; off < 2; off++)
			for (size_t n = 0; n <= 300; n++) {
				uint32_t sum = inet_csum_add(0, buf + off, n);

				assert_int_equal(inet_csum_fold(sum), ref_csum(buf + off, n));
				/* a carried-in sum of an even-length prefix */
				if (n >= 10 && n % 2 == 0) {
					sum = inet_csum_add(inet_csum_add(0, buf + off, 10), buf + off + 10,
							    n - 10);
					assert_int_equal(inet_csum_fold(sum), ref_csum(buf + off, n));
				}
			}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csum_rfc1071_example),
	    cmocka_unit_test(test_csum_large_buffer),
	    cmocka_unit_test(test_csum_chaining),
	    cmocka_unit_test(test_round_trip_all_options),
	    cmocka_unit_test(test_build_cap),
	    cmocka_unit_test(test_padding_ignored),
	    cmocka_unit_test(test_ip_options),
	    cmocka_unit_test(test_err_truncated),
	    cmocka_unit_test(test_err_ip_header),
	    cmocka_unit_test(test_err_ip_len),
	    cmocka_unit_test(test_err_fragment),
	    cmocka_unit_test(test_err_not_tcp),
	    cmocka_unit_test(test_err_data_offset),
	    cmocka_unit_test(test_data_offset_whole_segment),
	    cmocka_unit_test(test_err_options),
	    cmocka_unit_test(test_options_eol_nop_unknown),
	    cmocka_unit_test(test_err_checksums),
	    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_csum_matches_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
