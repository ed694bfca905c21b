/* XDP's TIME-WAIT table from userspace (user/loader/twtab.h) on plain
 * memory: insert/lookup/delete, overwrite, keys differing only in the local
 * address, a full bucket pair, expired slots reused, the 32-bit tick
 * wrapping, deadline 0, walk/sweep/count, and 1,000,000 entries in the
 * default size without a refusal. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "loader/twtab.h"

#define SEC 1000000000ull
#define TICK (1ull << 20)
#define T0 (1000 * SEC)
#define SEED 0x0123456789abcdefull

struct fx {
	struct xdptcp_twtab t;
	void *mem;
};

static struct fx *fx_new(uint32_t nbuckets)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = calloc(nbuckets, sizeof(struct xdptcp_tw_bucket));
	assert_non_null(f->mem);
	assert_int_equal(xdptcp_twtab_init(&f->t, f->mem, nbuckets, SEED), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	free(f->mem);
	free(f);
}

static struct xdptcp_flow_key key_n(uint32_t i)
{
	struct xdptcp_flow_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.raddr = htonl(0x0a000000u | (i >> 16));
	k.rport = htons((uint16_t)i);
	k.laddr = htonl(0xc0a80001u);
	k.lport = htons(443);
	return k;
}

static struct xdptcp_tw tw_n(uint32_t i, uint64_t deadline_ns)
{
	return (struct xdptcp_tw){ .deadline_ns = deadline_ns,
				   .snd_nxt = 1000 + i,
				   .rcv_nxt = 2000 + i,
				   .ts_recent = 3000 + i,
				   .ts_offset = 4000 + i,
				   .window = (uint16_t)(500 + i),
				   .flags = XDPTCP_TW_TS };
}

static void test_init_args(void **state)
{
	struct xdptcp_twtab t;
	char mem[512];

	(void)state;
	assert_int_equal(xdptcp_twtab_init(&t, mem, 3, 0), -EINVAL);
	assert_int_equal(xdptcp_twtab_init(&t, mem, 1, 0), -EINVAL);
	assert_int_equal(xdptcp_twtab_init(&t, NULL, 2, 0), -EINVAL);
	assert_int_equal(xdptcp_twtab_init(&t, mem, 2, 0), 0);
}

static void test_insert_lookup_delete(void **state)
{
	struct fx *f = fx_new(64);
	struct xdptcp_flow_key k = key_n(7), got_k;
	struct xdptcp_tw tw = tw_n(7, T0 + 60 * SEC), got;
	struct xdptcp_tw_slot *s;

	(void)state;
	assert_null(xdptcp_twtab_lookup(&f->t, &k, T0));
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &tw, T0), 0);
	s = xdptcp_twtab_lookup(&f->t, &k, T0);
	assert_non_null(s);
	assert_int_equal(s->deadline, (T0 + 60 * SEC) >> 20);
	xdptcp_twtab_entry(&f->t, s, T0, &got_k, &got);
	assert_memory_equal(&got_k, &k, sizeof(k));
	tw.deadline_ns = ((T0 + 60 * SEC) >> 20) << 20; /* kept in ticks */
	assert_memory_equal(&got, &tw, sizeof(tw));
	assert_int_equal(xdptcp_twtab_count(&f->t, T0), 1);

	assert_int_equal(xdptcp_twtab_delete(&f->t, &k), 0);
	assert_null(xdptcp_twtab_lookup(&f->t, &k, T0));
	assert_null(xdptcp_twtab_find(&f->t, &k));
	assert_int_equal(xdptcp_twtab_delete(&f->t, &k), -ENOENT);
	assert_int_equal(xdptcp_twtab_count(&f->t, T0), 0);
	fx_free(f);
}

static void test_overwrite_same_key(void **state)
{
	struct fx *f = fx_new(64);
	struct xdptcp_flow_key k = key_n(1);
	struct xdptcp_tw a = tw_n(1, T0 + 60 * SEC), b = tw_n(2, T0 + 30 * SEC);
	struct xdptcp_tw_slot *s;

	(void)state;
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &a, T0), 0);
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &b, T0), 0);
	assert_int_equal(xdptcp_twtab_count(&f->t, T0), 1);
	s = xdptcp_twtab_lookup(&f->t, &k, T0);
	assert_non_null(s);
	assert_int_equal(s->snd_nxt, b.snd_nxt);
	assert_int_equal(s->deadline, (T0 + 30 * SEC) >> 20);
	/* an expired entry of the key is overwritten too, not duplicated */
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &a, T0 + 40 * SEC), 0);
	assert_int_equal(xdptcp_twtab_count(&f->t, T0 + 40 * SEC), 1);
	fx_free(f);
}

static void test_keys_differing_in_laddr(void **state)
{
	struct fx *f = fx_new(64);
	struct xdptcp_flow_key k1 = key_n(3), k2 = k1, k3 = k1;
	struct xdptcp_tw a = tw_n(1, T0 + 60 * SEC), b = tw_n(2, T0 + 60 * SEC);

	(void)state;
	k2.laddr = htonl(0xc0a80002u);
	k3.laddr = htonl(0xc0a80003u);
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k1, &a, T0), 0);
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k2, &b, T0), 0);
	assert_int_equal(xdptcp_twtab_lookup(&f->t, &k1, T0)->snd_nxt, a.snd_nxt);
	assert_int_equal(xdptcp_twtab_lookup(&f->t, &k2, T0)->snd_nxt, b.snd_nxt);
	assert_null(xdptcp_twtab_lookup(&f->t, &k3, T0)); /* address never seen */
	assert_int_equal(xdptcp_twtab_laddr(&f->t, k1.laddr, false), 0);
	assert_int_equal(xdptcp_twtab_laddr(&f->t, k2.laddr, false), 1);
	assert_int_equal(xdptcp_twtab_laddr(&f->t, k3.laddr, false), -ENOENT);
	assert_int_equal(xdptcp_twtab_delete(&f->t, &k1), 0);
	assert_null(xdptcp_twtab_lookup(&f->t, &k1, T0));
	assert_non_null(xdptcp_twtab_lookup(&f->t, &k2, T0));
	fx_free(f);
}

static void test_laddrs_full(void **state)
{
	struct fx *f = fx_new(64);
	struct xdptcp_tw tw = tw_n(0, T0 + 60 * SEC);

	(void)state;
	for (uint32_t i = 0; i < XDPTCP_MAX_LADDRS; i++) {
		struct xdptcp_flow_key k = key_n(i);

		k.laddr = htonl(0x0b000001u + i);
		assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &tw, T0), 0);
	}
	{
		struct xdptcp_flow_key k = key_n(999);

		k.laddr = htonl(0x0c000001u);
		assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &tw, T0), -ENOSPC);
	}
	fx_free(f);
}

/* Two buckets: every key has the same pair, 16 slots in all. */
static void test_full_pair_enospc_and_expired_reused(void **state)
{
	struct fx *f = fx_new(2);
	struct xdptcp_flow_key extra = key_n(100);

	(void)state;
	for (uint32_t i = 0; i < 2 * XDPTCP_TW_WAYS; i++) {
		struct xdptcp_flow_key k = key_n(i);
		struct xdptcp_tw tw = tw_n(i, T0 + (i < 4 ? 10 : 60) * SEC);

		assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &tw, T0), 0);
	}
	/* balanced: the less loaded bucket each time */
	for (int b = 0; b < 2; b++)
		for (int i = 0; i < XDPTCP_TW_WAYS; i++)
			assert_int_not_equal(f->t.b[b].slot[i].deadline, 0);
	{
		struct xdptcp_tw tw = tw_n(100, T0 + 60 * SEC);

		assert_int_equal(xdptcp_twtab_insert(&f->t, &extra, &tw, T0), -ENOSPC);
		/* 20 s on, four have expired: one of their slots is taken */
		assert_int_equal(xdptcp_twtab_count(&f->t, T0 + 20 * SEC), 12);
		assert_int_equal(xdptcp_twtab_insert(&f->t, &extra, &tw, T0 + 20 * SEC), 0);
	}
	assert_non_null(xdptcp_twtab_lookup(&f->t, &extra, T0 + 20 * SEC));
	assert_int_equal(xdptcp_twtab_count(&f->t, T0 + 20 * SEC), 13);
	/* the expired ones are absent; a sweep empties the three left */
	for (uint32_t i = 0; i < 4; i++) {
		struct xdptcp_flow_key k = key_n(i);

		assert_null(xdptcp_twtab_lookup(&f->t, &k, T0 + 20 * SEC));
	}
	assert_int_equal(xdptcp_twtab_sweep(&f->t, T0 + 20 * SEC), 3);
	assert_int_equal(xdptcp_twtab_sweep(&f->t, T0 + 20 * SEC), 0);
	fx_free(f);
}

static void test_tick_wraparound(void **state)
{
	struct fx *f = fx_new(64);
	/* 5 ticks before the 32-bit tick wraps; the deadline 10 ticks on */
	uint64_t now = ((1ull << 32) - 5) * TICK;
	struct xdptcp_flow_key k = key_n(9), gk;
	struct xdptcp_tw tw = tw_n(9, now + 10 * TICK), got;
	struct xdptcp_tw_slot *s;

	(void)state;
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &tw, now), 0);
	s = xdptcp_twtab_find(&f->t, &k);
	assert_non_null(s);
	assert_int_equal(s->deadline, 5); /* wrapped */
	assert_non_null(xdptcp_twtab_lookup(&f->t, &k, now));
	assert_non_null(xdptcp_twtab_lookup(&f->t, &k, now + 9 * TICK));
	assert_null(xdptcp_twtab_lookup(&f->t, &k, now + 10 * TICK));
	/* back to 64-bit ns on either side of the wrap */
	xdptcp_twtab_entry(&f->t, s, now, &gk, &got);
	assert_true(got.deadline_ns == now + 10 * TICK);
	xdptcp_twtab_entry(&f->t, s, now + 7 * TICK, &gk, &got);
	assert_true(got.deadline_ns == now + 10 * TICK);
	/* an expired slot is reaped across the wrap, a live one is not */
	assert_false(xdptcp_twtab_reap_slot(s, now + 9 * TICK));
	assert_true(xdptcp_twtab_reap_slot(s, now + 10 * TICK));
	assert_null(xdptcp_twtab_find(&f->t, &k));
	fx_free(f);
}

static void test_deadline_zero_becomes_one(void **state)
{
	struct fx *f = fx_new(64);
	uint64_t deadline = 1ull << 52; /* tick 2^32: 0 in 32 bits */
	struct xdptcp_flow_key k = key_n(5);
	struct xdptcp_tw tw = tw_n(5, deadline);
	struct xdptcp_tw_slot *s;

	(void)state;
	assert_int_equal(xdptcp_tw_deadline(deadline), 1);
	assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &tw, deadline - 3 * TICK), 0);
	s = xdptcp_twtab_find(&f->t, &k);
	assert_non_null(s);
	assert_int_equal(s->deadline, 1);
	assert_non_null(xdptcp_twtab_lookup(&f->t, &k, deadline - 3 * TICK));
	assert_non_null(xdptcp_twtab_lookup(&f->t, &k, deadline));
	assert_null(xdptcp_twtab_lookup(&f->t, &k, deadline + TICK));
	fx_free(f);
}

struct walk_ctx {
	int n;
	uint32_t snd_sum;
};

static int count_fn(const struct xdptcp_flow_key *k, const struct xdptcp_tw *tw, void *ctx)
{
	struct walk_ctx *c = ctx;

	assert_int_equal(k->lport, htons(443));
	c->n++;
	c->snd_sum += tw->snd_nxt;
	return 0;
}

static void test_walk_live_and_expired(void **state)
{
	struct fx *f = fx_new(64);
	struct walk_ctx c = { 0 };

	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		struct xdptcp_flow_key k = key_n(i);
		struct xdptcp_tw tw = tw_n(i, T0 + (i & 1 ? 10 : 60) * SEC);

		assert_int_equal(xdptcp_twtab_insert(&f->t, &k, &tw, T0), 0);
	}
	assert_int_equal(xdptcp_twtab_walk(&f->t, T0 + 20 * SEC, false, count_fn, &c), 0);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.snd_sum, 5 * 1000 + 0 + 2 + 4 + 6 + 8);
	c = (struct walk_ctx){ 0 };
	assert_int_equal(xdptcp_twtab_walk(&f->t, T0 + 20 * SEC, true, count_fn, &c), 0);
	assert_int_equal(c.n, 10);
	fx_free(f);
}

static void test_million_in_default_size(void **state)
{
	struct fx *f = fx_new(XDPTCP_TW_BUCKETS_DEFAULT);
	uint32_t refused = 0, maxload = 0;

	(void)state;
	for (uint32_t i = 0; i < 1000000; i++) {
		struct xdptcp_flow_key k = key_n(i);
		struct xdptcp_tw tw = tw_n(i, T0 + 60 * SEC);

		/* four local addresses, as a server with a few would have */
		k.laddr = htonl(0xc0a80001u + (i & 3));
		refused += xdptcp_twtab_insert(&f->t, &k, &tw, T0) != 0;
	}
	assert_int_equal(refused, 0);
	assert_int_equal(xdptcp_twtab_count(&f->t, T0), 1000000);
	for (uint32_t b = 0; b < XDPTCP_TW_BUCKETS_DEFAULT; b++) {
		uint32_t n = 0;

		for (int i = 0; i < XDPTCP_TW_WAYS; i++)
			n += f->t.b[b].slot[i].deadline != 0;
		if (n > maxload)
			maxload = n;
	}
	print_message("1,000,000 entries in %u buckets: max load %u of %d\n",
		      XDPTCP_TW_BUCKETS_DEFAULT, maxload, XDPTCP_TW_WAYS);
	for (uint32_t i = 0; i < 1000000; i += 997) {
		struct xdptcp_flow_key k = key_n(i);

		k.laddr = htonl(0xc0a80001u + (i & 3));
		assert_non_null(xdptcp_twtab_lookup(&f->t, &k, T0));
	}
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_args),
		cmocka_unit_test(test_insert_lookup_delete),
		cmocka_unit_test(test_overwrite_same_key),
		cmocka_unit_test(test_keys_differing_in_laddr),
		cmocka_unit_test(test_laddrs_full),
		cmocka_unit_test(test_full_pair_enospc_and_expired_reused),
		cmocka_unit_test(test_tick_wraparound),
		cmocka_unit_test(test_deadline_zero_becomes_one),
		cmocka_unit_test(test_walk_live_and_expired),
		cmocka_unit_test(test_million_in_default_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
