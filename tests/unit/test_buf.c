/* Send and receive rings: wrap-around, window trimming, out-of-order ranges
 * (overlaps, duplicates, gap fills) and a randomized check against a model. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/buf.h"

/* byte i of the test stream */
static uint8_t stream_byte(size_t i) { return (uint8_t)(i * 131 + (i >> 8) * 7 + 3); }

static void fill_stream(uint8_t *dst, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = stream_byte(from + i);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
	/* xorshift64*: a fixed seed makes failures reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void test_init_rejects_bad_cap(void **state)
{
	(void)state;
	struct sbuf s;
	struct rbuf r;

	assert_int_equal(sbuf_init(&s, 0), -EINVAL);
	assert_int_equal(sbuf_init(&s, 100), -EINVAL);
	assert_int_equal(sbuf_init(&s, (size_t)1 << 32), -EINVAL);
	assert_int_equal(rbuf_init(&r, 0), -EINVAL);
	assert_int_equal(rbuf_init(&r, 3), -EINVAL);
	assert_int_equal(sbuf_init(&s, 64), 0);
	assert_int_equal(s.cap, 64);
	assert_int_equal(sbuf_space(&s), 64);
	sbuf_free(&s);
	assert_null(s.data);
	assert_int_equal(rbuf_init(&r, 64), 0);
	assert_int_equal(rbuf_window(&r), 64);
	assert_false(rbuf_has_ooo(&r));
	rbuf_free(&r);
	assert_null(r.data);
}

static void test_sbuf_append_peek_drop(void **state)
{
	(void)state;
	struct sbuf b;
	uint8_t in[64], out[64];

	fill_stream(in, 0, sizeof(in));
	assert_int_equal(sbuf_init(&b, 32), 0);
	assert_int_equal(sbuf_append(&b, in, 20), 20);
	assert_int_equal(sbuf_space(&b), 12);
	/* only the free space is taken */
	assert_int_equal(sbuf_append(&b, in + 20, 20), 12);
	assert_int_equal(sbuf_space(&b), 0);
	assert_int_equal(sbuf_append(&b, in, 1), 0);

	memset(out, 0, sizeof(out));
	assert_int_equal(sbuf_peek(&b, 0, out, 64), 32);
	assert_memory_equal(out, in, 32);
	assert_int_equal(sbuf_peek(&b, 10, out, 5), 5);
	assert_memory_equal(out, in + 10, 5);
	assert_int_equal(sbuf_peek(&b, 10, out, 0), 0);
	assert_int_equal(sbuf_peek(&b, 30, out, 5), 2);
	assert_memory_equal(out, in + 30, 2);
	assert_int_equal(sbuf_peek(&b, 32, out, 5), 0);
	assert_int_equal(sbuf_peek(&b, 1000, out, 5), 0);

	sbuf_drop(&b, 8);
	assert_int_equal(b.len, 24);
	assert_int_equal(sbuf_peek(&b, 0, out, 1), 1);
	assert_int_equal(out[0], in[8]);
	/* dropping more than held empties the buffer */
	sbuf_drop(&b, 1000);
	assert_int_equal(b.len, 0);
	assert_int_equal(sbuf_space(&b), 32);
	sbuf_free(&b);
}

static void test_sbuf_wraps(void **state)
{
	(void)state;
	struct sbuf b;
	uint8_t in[32], out[32];
	size_t sent = 0, acked = 0;

	assert_int_equal(sbuf_init(&b, 16), 0);
	/* many cycles of append/drop move head around the ring repeatedly */
	for (int round = 0; round < 50; round++) {
		size_t n = (size_t)(round % 7) + 5;
		fill_stream(in, sent, n);
		size_t took = sbuf_append(&b, in, n);
		assert_true(took <= n);
		sent += took;
		assert_int_equal(b.len, sent - acked);
		assert_int_equal(sbuf_peek(&b, 0, out, sizeof(out)), b.len);
		fill_stream(in, acked, b.len);
		assert_memory_equal(out, in, b.len);
		size_t d = (size_t)(round % 5) + 3;
		if (d > b.len)
			d = b.len;
		sbuf_drop(&b, d);
		acked += d;
		assert_true(b.head < b.cap);
	}
	assert_true(sent > 3 * b.cap); /* the ring did wrap */
	sbuf_free(&b);
}

static void test_rbuf_in_order_wraps(void **state)
{
	(void)state;
	struct rbuf b;
	uint8_t in[16], out[16];
	size_t wr = 0, rd = 0;

	assert_int_equal(rbuf_init(&b, 16), 0);
	for (int round = 0; round < 40; round++) {
		size_t n = (size_t)(round % 5) + 6;
		size_t win = rbuf_window(&b);
		fill_stream(in, wr, n);
		size_t adv = rbuf_write(&b, 0, in, n);
		assert_int_equal(adv, n < win ? n : win);
		wr += adv;
		assert_int_equal(b.ready, wr - rd);
		size_t got = rbuf_read(&b, out, (size_t)(round % 3) + 5);
		fill_stream(in, rd, got);
		assert_memory_equal(out, in, got);
		rd += got;
	}
	assert_true(wr > 5 * b.cap);
	/* reading more than ready returns what is there */
	size_t left = b.ready;
	assert_int_equal(rbuf_read(&b, out, sizeof(out)), left);
	assert_int_equal(rbuf_read(&b, out, sizeof(out)), 0);
	rbuf_free(&b);
}

static void test_rbuf_window_trim(void **state)
{
	(void)state;
	struct rbuf b;
	uint8_t in[64], out[64];

	fill_stream(in, 0, sizeof(in));
	assert_int_equal(rbuf_init(&b, 32), 0);
	assert_int_equal(rbuf_write(&b, 0, in, 0), 0);
	/* beyond the window: nothing stored */
	assert_int_equal(rbuf_write(&b, 32, in + 32, 4), 0);
	assert_false(rbuf_has_ooo(&b));
	/* partly beyond: cut at the right edge */
	assert_int_equal(rbuf_write(&b, 28, in + 28, 10), 0);
	assert_int_equal(b.nooo, 1);
	assert_int_equal(b.ooo[0].start, 28);
	assert_int_equal(b.ooo[0].end, 32);
	/* in-order bigger than the window fills it exactly */
	assert_int_equal(rbuf_write(&b, 0, in, 64), 32);
	assert_int_equal(rbuf_window(&b), 0);
	assert_false(rbuf_has_ooo(&b));
	assert_int_equal(rbuf_write(&b, 0, in, 1), 0);
	assert_int_equal(rbuf_read(&b, out, 64), 32);
	assert_memory_equal(out, in, 32);
	rbuf_free(&b);
}

static void test_rbuf_gap_fill(void **state)
{
	(void)state;
	struct rbuf b;
	uint8_t in[64], out[64];

	fill_stream(in, 0, sizeof(in));
	assert_int_equal(rbuf_init(&b, 64), 0);
	assert_int_equal(rbuf_write(&b, 10, in + 10, 10), 0);
	assert_true(rbuf_has_ooo(&b));
	assert_int_equal(b.ready, 0);
	/* the gap fills: RCV.NXT advances past both segments */
	assert_int_equal(rbuf_write(&b, 0, in, 10), 20);
	assert_false(rbuf_has_ooo(&b));
	assert_int_equal(rbuf_read(&b, out, 64), 20);
	assert_memory_equal(out, in, 20);
	rbuf_free(&b);
}

static void test_rbuf_overlap_duplicate(void **state)
{
	(void)state;
	struct rbuf b;
	uint8_t in[64], out[64];

	fill_stream(in, 0, sizeof(in));
	assert_int_equal(rbuf_init(&b, 64), 0);
	assert_int_equal(rbuf_write(&b, 5, in + 5, 10), 0);   /* [5,15) */
	assert_int_equal(rbuf_write(&b, 10, in + 10, 10), 0); /* overlaps -> [5,20) */
	assert_int_equal(b.nooo, 1);
	assert_int_equal(b.ooo[0].start, 5);
	assert_int_equal(b.ooo[0].end, 20);
	assert_int_equal(rbuf_write(&b, 5, in + 5, 10), 0); /* duplicate */
	assert_int_equal(rbuf_write(&b, 7, in + 7, 3), 0);  /* inside */
	assert_int_equal(b.nooo, 1);
	assert_int_equal(b.ooo[0].end, 20);
	assert_int_equal(rbuf_write(&b, 30, in + 30, 5), 0); /* [30,35) */
	assert_int_equal(rbuf_write(&b, 25, in + 25, 5), 0); /* touches: [25,35) */
	assert_int_equal(b.nooo, 2);
	assert_int_equal(b.ooo[1].start, 25);
	assert_int_equal(b.ooo[1].end, 35);
	assert_int_equal(rbuf_write(&b, 2, in + 2, 1), 0); /* [2,3) before all */
	assert_int_equal(b.nooo, 3);
	assert_int_equal(b.ooo[0].start, 2);
	/* in-order write overlapping the first ranges: ready up to 20 */
	assert_int_equal(rbuf_write(&b, 0, in, 8), 20);
	assert_int_equal(b.nooo, 1);
	/* the remaining range is renumbered from the new RCV.NXT */
	assert_int_equal(b.ooo[0].start, 5);
	assert_int_equal(b.ooo[0].end, 15);
	/* a write spanning everything joins the rest */
	assert_int_equal(rbuf_write(&b, 0, in + 20, 15), 15);
	assert_false(rbuf_has_ooo(&b));
	assert_int_equal(rbuf_read(&b, out, 64), 35);
	assert_memory_equal(out, in, 35);
	rbuf_free(&b);
}

static void test_rbuf_bridge_many(void **state)
{
	(void)state;
	struct rbuf b;
	uint8_t in[64], out[64];

	fill_stream(in, 0, sizeof(in));
	assert_int_equal(rbuf_init(&b, 64), 0);
	for (size_t s = 2; s < 40; s += 6)
		assert_int_equal(rbuf_write(&b, s, in + s, 2), 0);
	assert_int_equal(b.nooo, 7); /* [2,4) [8,10) ... [38,40) */
	/* one range covering the middle five absorbs them */
	assert_int_equal(rbuf_write(&b, 9, in + 9, 24), 0);
	assert_int_equal(b.nooo, 3);
	assert_int_equal(b.ooo[1].start, 8);
	assert_int_equal(b.ooo[1].end, 34);
	assert_int_equal(b.ooo[2].start, 38);
	assert_int_equal(rbuf_write(&b, 0, in, 2), 4);
	assert_int_equal(b.ooo[0].start, 4);
	assert_int_equal(rbuf_write(&b, 0, in + 4, 4), 30);
	assert_int_equal(rbuf_write(&b, 0, in + 34, 4), 6);
	assert_false(rbuf_has_ooo(&b));
	assert_int_equal(rbuf_read(&b, out, 64), 40);
	assert_memory_equal(out, in, 40);
	rbuf_free(&b);
}

static void test_rbuf_range_table_full(void **state)
{
	(void)state;
	struct rbuf b;
	uint8_t in[128], out[128];

	fill_stream(in, 0, sizeof(in));
	assert_int_equal(rbuf_init(&b, 128), 0);
	for (size_t i = 0; i < RBUF_MAX_RANGES; i++)
		assert_int_equal(rbuf_write(&b, 4 + 4 * i, in + 4 + 4 * i, 2), 0);
	assert_int_equal(b.nooo, RBUF_MAX_RANGES);
	/* a new disjoint range is dropped */
	assert_int_equal(rbuf_write(&b, 100, in + 100, 2), 0);
	assert_int_equal(b.nooo, RBUF_MAX_RANGES);
	assert_int_equal(b.ooo[RBUF_MAX_RANGES - 1].end, 4 + 4 * (RBUF_MAX_RANGES - 1) + 2);
	/* extending an existing range still works */
	assert_int_equal(rbuf_write(&b, 6, in + 6, 1), 0);
	assert_int_equal(b.ooo[0].end, 7);
	/* in-order data not reaching a range lands although the table is full */
	assert_int_equal(rbuf_write(&b, 0, in, 2), 2);
	assert_int_equal(b.nooo, RBUF_MAX_RANGES);
	assert_int_equal(b.ooo[0].start, 2);
	/* fill everything in order */
	assert_int_equal(rbuf_write(&b, 0, in + 2, 70), 70);
	assert_false(rbuf_has_ooo(&b));
	assert_int_equal(rbuf_read(&b, out, 128), 72);
	assert_memory_equal(out, in, 72);
	rbuf_free(&b);
}

/* Random segments (out of order, overlapping, duplicated, partly beyond the
 * window) and random reads against a model of which stream bytes arrived. */
static void test_rbuf_random_model(void **state)
{
	(void)state;
	enum { CAP = 256, TOTAL = 20000 };
	static uint8_t have[TOTAL + CAP * 2];
	uint8_t seg[CAP], out[CAP];
	struct rbuf b;
	size_t rcv_nxt = 0, rd = 0, drops = 0, fills = 0;

	rng_state = 0x9E3779B97F4A7C15ULL;
	memset(have, 0, sizeof(have));
	assert_int_equal(rbuf_init(&b, CAP), 0);
	while (rd < TOTAL) {
		size_t win = rbuf_window(&b);
		size_t off = (size_t)(rng() % (win + 8));
		/* short segments often, so the range table fills up */
		size_t n = (size_t)(rng() % (rng() % 4 ? 3 : 40)) + 1;
		if (rng() % 8 == 0)
			off = 0;
		fill_stream(seg, rcv_nxt + off, n);
		/* predict whether the buffer must drop this range: it would
		 * need a new table entry and the table is full */
		size_t end = off + n < win ? off + n : win;
		int touches = 0;
		for (size_t r = 0; r < b.nooo; r++)
			if (b.ooo[r].start <= end && b.ooo[r].end >= off)
				touches = 1;
		int dropped = off != 0 && !touches && b.nooo == RBUF_MAX_RANGES;
		size_t adv = rbuf_write(&b, off, seg, n);
		if (off < win && !dropped)
			for (size_t i = off; i < end; i++)
				have[rcv_nxt + i] = 1;
		size_t expect = 0;
		while (have[rcv_nxt + expect])
			expect++;
		assert_int_equal(adv, expect);
		drops += dropped && off < win;
		fills += adv > n;
		rcv_nxt += adv;
		/* ranges mirror the model exactly */
		for (size_t r = 0; r < b.nooo; r++) {
			assert_true(b.ooo[r].start < b.ooo[r].end);
			if (r)
				assert_true(b.ooo[r - 1].end < b.ooo[r].start);
			assert_int_equal(have[rcv_nxt + b.ooo[r].start - 1], 0);
			assert_int_equal(have[rcv_nxt + b.ooo[r].end], 0);
		}
		if (rng() % 3 == 0) {
			size_t got = rbuf_read(&b, out, (size_t)(rng() % CAP));
			fill_stream(seg, rd, got);
			assert_memory_equal(out, seg, got);
			rd += got;
		}
		assert_int_equal(b.ready, rcv_nxt - rd);
		assert_true(rcv_nxt <= TOTAL + CAP);
	}
	/* the run exercised both the full table and gap fills */
	assert_true(drops > 0);
	assert_true(fills > 0);
	rbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_rejects_bad_cap),
	    cmocka_unit_test(test_sbuf_append_peek_drop),
	    cmocka_unit_test(test_sbuf_wraps),
	    cmocka_unit_test(test_rbuf_in_order_wraps),
	    cmocka_unit_test(test_rbuf_window_trim),
	    cmocka_unit_test(test_rbuf_gap_fill),
	    cmocka_unit_test(test_rbuf_overlap_duplicate),
	    cmocka_unit_test(test_rbuf_bridge_many),
	    cmocka_unit_test(test_rbuf_range_table_full),
	    cmocka_unit_test(test_rbuf_random_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
