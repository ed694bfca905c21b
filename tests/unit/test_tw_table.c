/* Compact TIME-WAIT table (insert/lookup/remove/reap, expiry, a full table,
 * backward-shift deletion under probe collisions, 100k entries) and the
 * TIME-WAIT segment rules of tw_input, one test per rule. */
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

#include "tcp/tw_table.h"

/* Under ASan, let impossible allocations return NULL (instead of aborting)
 * so the -ENOMEM paths can be tested. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

#define SEC 1000000000ULL

static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Key number i: distinct remote address/port per i. */
static struct xdptcp_flow_key key_n(uint32_t i)
{
	struct xdptcp_flow_key k;

	memset(&k, 0, sizeof(k));
	k.raddr = htonl(0x0a000000 | (i >> 8));
	k.laddr = htonl(0xc0a80001);
	k.rport = htons((uint16_t)(1024 + (i & 0xff)));
	k.lport = htons(80);
	k.family = AF_INET;
	return k;
}

static struct xdptcp_tw tw_n(uint32_t i, uint64_t deadline)
{
	struct xdptcp_tw tw = {
	    .deadline_ns = deadline,
	    .snd_nxt = i * 3,
	    .rcv_nxt = i * 5,
	    .window = (uint16_t)i,
	};
	return tw;
}

/* Structural check: count matches, and every entry is reachable from its
 * home slot without crossing an empty slot (what lookups rely on). */
static void check_table(const struct tw_table *t)
{
	size_t used = 0, mask = t->nslots - 1;

	for (size_t j = 0; j < t->nslots; j++) {
		const struct tw_entry *e = &t->slots[j];
		if (e->key.family == 0)
			continue;
		used++;
		size_t i = (size_t)siphash24(&t->hkey, &e->key, sizeof(e->key)) & mask;
		for (; i != j; i = (i + 1) & mask)
			assert_int_not_equal(t->slots[i].key.family, 0);
	}
	assert_int_equal(used, t->count);
}

static void test_init_args(void **state)
{
	(void)state;
	struct tw_table t;
	struct tcp_isn_key hk = {{1, 2, 3}};

	assert_int_equal(tw_table_init(&t, 0, NULL), -EINVAL);
	assert_int_equal(tw_table_init(&t, ((size_t)1 << 30) + 1, NULL), -EINVAL);
	/* the largest table, 2^31 slots of 48 bytes, is more than this
	 * machine has (and overcommit refuses it) */
	if (tw_table_init(&t, (size_t)1 << 30, NULL) == 0)
		tw_table_free(&t); /* a machine with 100 GB: nothing to test */
	else
		assert_null(t.slots);
	assert_int_equal(tw_table_init(&t, 1, NULL), 0);
	assert_int_equal(t.nslots, 4);
	tw_table_free(&t);
	assert_null(t.slots);
	assert_int_equal(tw_table_init(&t, 1000, &hk), 0);
	assert_true(t.nslots >= 1000 * 4 / 3);
	assert_int_equal(t.nslots & (t.nslots - 1), 0);
	assert_int_equal(t.hkey.k[2], 3);
	assert_int_equal(tw_count(&t), 0);
	tw_table_free(&t);
}

static void test_insert_lookup_remove(void **state)
{
	(void)state;
	struct tw_table t;
	struct xdptcp_flow_key k1 = key_n(1), k2 = key_n(2), bad;
	struct xdptcp_tw tw = tw_n(1, 100 * SEC), *p;

	assert_int_equal(tw_table_init(&t, 16, NULL), 0);
	assert_null(tw_lookup(&t, &k1, 0));
	assert_int_equal(tw_insert(&t, &k1, &tw), 0);
	assert_int_equal(tw_count(&t), 1);
	p = tw_lookup(&t, &k1, 5 * SEC);
	assert_non_null(p);
	assert_int_equal(p->snd_nxt, 3);
	assert_null(tw_lookup(&t, &k2, 5 * SEC));
	/* the entry is mutable in place (tw_input restarts its deadline) */
	p->deadline_ns = 200 * SEC;
	assert_non_null(tw_lookup(&t, &k1, 150 * SEC));
	/* replace */
	tw = tw_n(7, 300 * SEC);
	assert_int_equal(tw_insert(&t, &k1, &tw), 0);
	assert_int_equal(tw_count(&t), 1);
	assert_int_equal(tw_lookup(&t, &k1, 0)->snd_nxt, 21);
	/* an entry past its deadline is absent, but still held */
	assert_null(tw_lookup(&t, &k1, 300 * SEC));
	assert_non_null(tw_lookup(&t, &k1, 300 * SEC - 1));
	assert_int_equal(tw_count(&t), 1);
	/* family 0 is never a key */
	bad = k2;
	bad.family = 0;
	assert_int_equal(tw_insert(&t, &bad, &tw), -EINVAL);
	assert_null(tw_lookup(&t, &bad, 0));
	assert_int_equal(tw_remove(&t, &bad), -ENOENT);
	/* remove */
	assert_int_equal(tw_remove(&t, &k2), -ENOENT);
	assert_int_equal(tw_remove(&t, &k1), 0);
	assert_int_equal(tw_remove(&t, &k1), -ENOENT);
	assert_null(tw_lookup(&t, &k1, 0));
	assert_int_equal(tw_count(&t), 0);
	tw_table_free(&t);
}

static void test_full_table(void **state)
{
	(void)state;
	enum { MAX = 10 };
	struct tw_table t;

	assert_int_equal(tw_table_init(&t, MAX, NULL), 0);
	for (uint32_t i = 0; i < MAX; i++) {
		struct xdptcp_flow_key k = key_n(i);
		struct xdptcp_tw tw = tw_n(i, (i < 4 ? 10 : 100) * SEC);
		assert_int_equal(tw_insert(&t, &k, &tw), 0);
	}
	struct xdptcp_flow_key extra = key_n(MAX), k0 = key_n(0);
	struct xdptcp_tw tw = tw_n(MAX, 100 * SEC);
	assert_int_equal(tw_insert(&t, &extra, &tw), -ENOSPC);
	assert_null(tw_lookup(&t, &extra, 0));
	/* replacing an entry needs no room */
	assert_int_equal(tw_insert(&t, &k0, &tw), 0);
	assert_int_equal(tw_count(&t), MAX);
	/* expired entries keep their room until reaped */
	assert_int_equal(tw_insert(&t, &extra, &tw), -ENOSPC);
	/* each removal costs one examination too: 2 * nslots covers a sweep */
	assert_int_equal(tw_reap(&t, 50 * SEC, 2 * t.nslots), 3); /* keys 1..3 */
	assert_int_equal(tw_count(&t), MAX - 3);
	assert_int_equal(tw_insert(&t, &extra, &tw), 0);
	assert_non_null(tw_lookup(&t, &extra, 50 * SEC));
	for (uint32_t i = 4; i < MAX; i++) {
		struct xdptcp_flow_key k = key_n(i);
		assert_non_null(tw_lookup(&t, &k, 50 * SEC));
	}
	check_table(&t);
	tw_table_free(&t);
}

/* Keys whose home slot is the same: collisions, found by search. */
static void test_remove_under_collisions(void **state)
{
	(void)state;
	struct tw_table t;
	struct xdptcp_flow_key same[6], next[2];
	size_t ns = 0, nn = 0, target;

	assert_int_equal(tw_table_init(&t, 48, NULL), 0); /* 64 slots */
	/* the last slot, so the cluster wraps around the end of the array */
	target = t.nslots - 1;
	for (uint32_t i = 0; ns < 6 || nn < 2; i++) {
		struct xdptcp_flow_key k = key_n(i);
		size_t h = (size_t)siphash24(&t.hkey, &k, sizeof(k)) & (t.nslots - 1);
		if (h == target && ns < 6)
			same[ns++] = k;
		else if (h == 0 && nn < 2)
			next[nn++] = k;
	}
	struct xdptcp_tw tw = tw_n(1, 100 * SEC);
	/* cluster: same[0] same[1] at 63, 0 (wrapped); then next[0] homes at 0
	 * but lands further; more of same[] interleaved */
	assert_int_equal(tw_insert(&t, &same[0], &tw), 0);
	assert_int_equal(tw_insert(&t, &same[1], &tw), 0);
	assert_int_equal(tw_insert(&t, &next[0], &tw), 0);
	assert_int_equal(tw_insert(&t, &same[2], &tw), 0);
	assert_int_equal(tw_insert(&t, &next[1], &tw), 0);
	assert_int_equal(tw_insert(&t, &same[3], &tw), 0);
	assert_int_equal(t.slots[target].key.family, AF_INET);
	assert_int_equal(t.slots[4].key.family, AF_INET);
	assert_int_equal(t.slots[5].key.family, 0);
	check_table(&t);
	/* remove from the head, the middle, the tail; everything else stays
	 * reachable after each removal */
	const struct xdptcp_flow_key *order[] = {&same[0], &next[0], &same[3],
						 &same[1], &next[1], &same[2]};
	for (size_t r = 0; r < 6; r++) {
		assert_int_equal(tw_remove(&t, order[r]), 0);
		check_table(&t);
		assert_null(tw_lookup(&t, order[r], 0));
		for (size_t s = r + 1; s < 6; s++)
			assert_non_null(tw_lookup(&t, order[s], 0));
	}
	assert_int_equal(tw_count(&t), 0);
	/* removing a key absent from a collision chain fails */
	assert_int_equal(tw_remove(&t, &same[4]), -ENOENT);
	tw_table_free(&t);
}

/* Random inserts/removes/reaps at high load against a model. */
static void test_random_model(void **state)
{
	(void)state;
	enum { KEYS = 200, MAX = 96 };
	struct tw_table t;
	uint64_t model[KEYS]; /* deadline, 0 = absent */
	uint64_t now = SEC;
	size_t held = 0, nfull = 0, nreaped = 0;

	rng_state = 7;
	memset(model, 0, sizeof(model));
	assert_int_equal(tw_table_init(&t, MAX, NULL), 0); /* 128 slots, 75% */
	for (int step = 0; step < 20000; step++) {
		uint32_t i = (uint32_t)(rng() % KEYS);
		struct xdptcp_flow_key k = key_n(i);
		switch (rng() % 8) {
		case 0:
		case 1:
		case 2:
		case 3: {
			struct xdptcp_tw tw = tw_n(i, now + 1 + rng() % (10 * SEC));
			int rc = tw_insert(&t, &k, &tw);
			if (model[i]) {
				assert_int_equal(rc, 0);
			} else if (held == MAX) {
				assert_int_equal(rc, -ENOSPC);
				nfull++;
				break;
			} else {
				assert_int_equal(rc, 0);
				held++;
			}
			model[i] = tw.deadline_ns;
			break;
		}
		case 4:
			assert_int_equal(tw_remove(&t, &k), model[i] ? 0 : -ENOENT);
			held -= model[i] != 0;
			model[i] = 0;
			break;
		case 5: {
			size_t max = 1 + rng() % 40, expired_before = 0;
			for (size_t j = 0; j < KEYS; j++)
				expired_before += model[j] && model[j] <= now;
			size_t r = tw_reap(&t, now, max);
			nreaped += r;
			assert_true(r <= max);
			assert_true(r <= expired_before);
			/* find which expired keys the reap removed (tw_remove
			 * fails for them) and put back those it did not reach */
			for (size_t j = 0; j < KEYS; j++) {
				struct xdptcp_flow_key kj = key_n((uint32_t)j);
				if (model[j] && model[j] <= now && tw_remove(&t, &kj) == -ENOENT) {
					model[j] = 0;
					held--;
					r--;
				} else if (model[j] && model[j] <= now) {
					/* not reached by this reap: put it back */
					struct xdptcp_tw tw = tw_n((uint32_t)j, model[j]);
					assert_int_equal(tw_insert(&t, &kj, &tw), 0);
				}
			}
			assert_int_equal(r, 0);
			break;
		}
		default:
			now += rng() % (SEC / 4);
			break;
		}
		struct xdptcp_tw *p = tw_lookup(&t, &k, now);
		if (model[i] > now) {
			assert_non_null(p);
			assert_int_equal(p->deadline_ns, model[i]);
			assert_int_equal(p->snd_nxt, i * 3);
		} else {
			assert_null(p);
		}
		assert_int_equal(tw_count(&t), held);
		if (step % 97 == 0)
			check_table(&t);
	}
	/* the run did fill the table and did reap */
	assert_true(nfull > 0);
	assert_true(nreaped > 0);
	tw_table_free(&t);
}

static void test_reaper_bounded(void **state)
{
	(void)state;
	enum { N = 1000 };
	struct tw_table t;
	size_t total = 0, calls = 0;

	assert_int_equal(tw_table_init(&t, N, NULL), 0);
	for (uint32_t i = 0; i < N; i++) {
		struct xdptcp_flow_key k = key_n(i);
		/* even keys expire at 10 s, odd ones at 100 s */
		struct xdptcp_tw tw = tw_n(i, (i % 2 ? 100 : 10) * SEC);
		assert_int_equal(tw_insert(&t, &k, &tw), 0);
	}
	assert_int_equal(tw_reap(&t, 10 * SEC, 0), 0);
	/* nothing expired yet: a full sweep removes nothing */
	assert_int_equal(tw_reap(&t, 10 * SEC - 1, t.nslots), 0);
	/* small steps: each call removes at most max, a sweep gets them all */
	while (calls < 2 * t.nslots / 16 + 2) {
		size_t r = tw_reap(&t, 10 * SEC, 16);
		assert_true(r <= 16);
		total += r;
		calls++;
	}
	assert_int_equal(total, N / 2);
	assert_int_equal(tw_count(&t), N / 2);
	for (uint32_t i = 0; i < N; i++) {
		struct xdptcp_flow_key k = key_n(i);
		if (i % 2)
			assert_non_null(tw_lookup(&t, &k, 10 * SEC));
		else
			assert_int_equal(tw_remove(&t, &k), -ENOENT);
	}
	check_table(&t);
	/* everything expires: one large call empties the table */
	assert_int_equal(tw_reap(&t, 1000 * SEC, 2 * t.nslots), N / 2);
	assert_int_equal(tw_count(&t), 0);
	assert_int_equal(tw_reap(&t, 1000 * SEC, 10), 0);
	tw_table_free(&t);
}

static void test_100k_entries(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct tw_table t;
	struct tcp_isn_key hk = {{0x42, 0x13}};

	assert_int_equal(tw_table_init(&t, N, &hk), 0);
	for (uint32_t i = 0; i < N; i++) {
		struct xdptcp_flow_key k = key_n(i);
		struct xdptcp_tw tw = tw_n(i, (uint64_t)(i + 1) * 1000);
		assert_int_equal(tw_insert(&t, &k, &tw), 0);
	}
	assert_int_equal(tw_count(&t), N);
	struct xdptcp_flow_key over = key_n(N);
	struct xdptcp_tw tw = tw_n(0, 1);
	assert_int_equal(tw_insert(&t, &over, &tw), -ENOSPC);
	for (uint32_t i = 0; i < N; i++) {
		struct xdptcp_flow_key k = key_n(i);
		struct xdptcp_tw *p = tw_lookup(&t, &k, 0);
		assert_non_null(p);
		assert_int_equal(p->rcv_nxt, i * 5);
	}
	for (uint32_t i = 0; i < N; i += 3) {
		struct xdptcp_flow_key k = key_n(i);
		assert_int_equal(tw_remove(&t, &k), 0);
	}
	check_table(&t);
	for (uint32_t i = 0; i < N; i++) {
		struct xdptcp_flow_key k = key_n(i);
		if (i % 3)
			assert_non_null(tw_lookup(&t, &k, 0));
		else
			assert_null(tw_lookup(&t, &k, 0));
	}
	/* half the remaining entries have expired by now */
	uint64_t now = (uint64_t)N / 2 * 1000;
	size_t live = 0;
	for (uint32_t i = 0; i < N; i++)
		live += i % 3 && (uint64_t)(i + 1) * 1000 > now;
	size_t removed = 0;
	for (size_t c = 0; c < 2 * (t.nslots / 1024 + 1); c++)
		removed += tw_reap(&t, now, 1024);
	assert_int_equal(tw_count(&t), live);
	assert_int_equal(removed, N - N / 3 - 1 - live);
	check_table(&t);
	tw_table_free(&t);
}

static void test_key_from_seg(void **state)
{
	(void)state;
	struct tcp_seg s = {.saddr = 0x0a000002, .daddr = 0x0a000001, .sport = 43210, .dport = 80};
	struct xdptcp_flow_key k;

	memset(&k, 0xff, sizeof(k));
	tw_key_from_seg(&k, &s);
	const uint8_t want[16] = {10, 0, 0, 2, 10, 0, 0, 1, 0xa8, 0xca, 0, 80, AF_INET, 0, 0, 0};
	assert_memory_equal(&k, want, sizeof(want));
}

/* --- tw_input: one test per rule --- */

static const uint64_t NOW = 1000 * SEC, TIMEOUT = 60 * SEC;

static struct xdptcp_tw tw_entry(int ts)
{
	struct xdptcp_tw tw = {
	    .deadline_ns = NOW + 30 * SEC,
	    .snd_nxt = 5001,
	    .rcv_nxt = 9001,
	    .ts_recent = 777,
	    .ts_offset = 100000,
	    .window = 502,
	    .flags = ts ? XDPTCP_TW_TS : 0,
	};
	return tw;
}

static struct tcp_seg from_peer(uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct tcp_seg s = {
	    .saddr = 0x0a000002,
	    .daddr = 0x0a000001,
	    .sport = 43210,
	    .dport = 80,
	    .seq = seq,
	    .ack = ack,
	    .flags = flags,
	    .wnd = 1000,
	};
	return s;
}

/* reply starts filled with a marker, to see whether tw_input wrote it */
static struct tcp_seg marker(void)
{
	struct tcp_seg r;

	memset(&r, 0, sizeof(r));
	r.seq = 0xabcdef;
	return r;
}

static void test_rst_ignored(void **state)
{
	(void)state;
	struct xdptcp_tw tw = tw_entry(1);
	uint8_t flags[] = {TCP_RST, TCP_RST | TCP_ACK, TCP_RST | TCP_SYN, TCP_RST | TCP_FIN};

	for (size_t i = 0; i < sizeof(flags); i++) {
		/* in window or not, RFC 1337 says ignore */
		struct tcp_seg s = from_peer(flags[i], 9001 + (uint32_t)i * 1000, 5001),
			       r = marker();
		assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_IGNORE);
		assert_int_equal(r.seq, 0xabcdef);
		assert_int_equal(tw.deadline_ns, NOW + 30 * SEC);
	}
}

static void test_syn_reopen_by_seq(void **state)
{
	(void)state;
	struct xdptcp_tw tw = tw_entry(0);
	struct tcp_seg s = from_peer(TCP_SYN, 9002, 0), r = marker();

	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REOPEN);
	assert_int_equal(r.seq, 0xabcdef);
	/* modulo 2^32: above rcv_nxt across the wrap */
	tw.rcv_nxt = 0xfffffff0;
	s.seq = 5;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REOPEN);
	/* equal or below: not a new incarnation, answered with our ACK */
	s.seq = 0xfffffff0;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	s.seq = 0xffff0000;
	r = marker();
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	assert_int_equal(r.seq, tw.snd_nxt);
	assert_int_equal(tw.deadline_ns, NOW + 30 * SEC);
	/* SYN+ACK is never a new connection request */
	s = from_peer(TCP_SYN | TCP_ACK, 100, 5001);
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
}

static void test_syn_reopen_by_timestamp(void **state)
{
	(void)state;
	struct xdptcp_tw tw = tw_entry(1);
	struct tcp_seg s = from_peer(TCP_SYN, 9000, 0), r = marker();

	/* lower sequence number but newer timestamp (RFC 6191) */
	s.opts = TCP_OPT_TS;
	s.tsval = 778;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REOPEN);
	/* same or older timestamp and lower sequence number */
	s.tsval = 777;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	s.tsval = 10;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	/* a newer timestamp counts only if the old connection used them */
	s.tsval = 778;
	tw.flags = 0;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	/* ... and only if the SYN carries the option */
	tw.flags = XDPTCP_TW_TS;
	s.opts = 0;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	/* both use timestamps: an old TSval refuses even a higher sequence
	 * number (RFC 6191 section 2) */
	s = from_peer(TCP_SYN, tw.rcv_nxt + 100000, 0);
	s.opts = TCP_OPT_TS;
	s.tsval = 700;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	s.opts = 0; /* without the option the sequence number decides */
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REOPEN);
}

static void test_fin_reacks_and_restarts(void **state)
{
	(void)state;
	struct xdptcp_tw tw = tw_entry(0);
	struct tcp_seg s = from_peer(TCP_FIN | TCP_ACK, 9000, 5001), r = marker();

	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	assert_int_equal(tw.deadline_ns, NOW + TIMEOUT);
	assert_int_equal(r.seq, 5001);
	assert_int_equal(r.ack, 9001);
	assert_int_equal(r.flags, TCP_ACK);
	/* a later retransmission restarts it again */
	assert_int_equal(tw_input(&tw, &s, NOW + 5 * SEC, TIMEOUT, &r), TW_REACK);
	assert_int_equal(tw.deadline_ns, NOW + 5 * SEC + TIMEOUT);
	/* FIN with payload too */
	s.len = 10;
	s.payload = (const uint8_t *)"0123456789";
	assert_int_equal(tw_input(&tw, &s, NOW + 6 * SEC, TIMEOUT, &r), TW_REACK);
	assert_int_equal(tw.deadline_ns, NOW + 6 * SEC + TIMEOUT);
}

static void test_acceptable_ack_ignored(void **state)
{
	(void)state;
	struct xdptcp_tw tw = tw_entry(1);
	struct tcp_seg s = from_peer(TCP_ACK, 9001, 5001), r = marker();

	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_IGNORE);
	s.flags = TCP_ACK | TCP_PSH;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_IGNORE);
	assert_int_equal(r.seq, 0xabcdef);
	assert_int_equal(tw.deadline_ns, NOW + 30 * SEC);
}

static void test_other_segments_reack(void **state)
{
	(void)state;
	struct xdptcp_tw tw = tw_entry(0);
	struct tcp_seg r;
	struct tcp_seg cases[] = {
	    from_peer(TCP_ACK, 9001, 5000), /* old ACK */
	    from_peer(TCP_ACK, 9001, 5002), /* ACK of nothing sent */
	    from_peer(TCP_ACK, 9000, 5001), /* old sequence number */
	    from_peer(TCP_ACK, 9500, 5001), /* beyond */
	    from_peer(0, 9001, 5001),	    /* no ACK flag */
	    from_peer(TCP_ACK, 9001, 5001), /* data (below) */
	};
	cases[5].len = 1;
	cases[5].payload = (const uint8_t *)"x";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = marker();
		assert_int_equal(tw_input(&tw, &cases[i], NOW, TIMEOUT, &r), TW_REACK);
		assert_int_equal(r.seq, 5001);
		assert_int_equal(r.ack, 9001);
		assert_int_equal(tw.deadline_ns, NOW + 30 * SEC);
	}
}

static void test_reply_fields_and_wire(void **state)
{
	(void)state;
	struct xdptcp_tw tw = tw_entry(1);
	struct tcp_seg s = from_peer(TCP_FIN | TCP_ACK, 9000, 5001), r, p;
	uint8_t buf[128];

	s.opts = TCP_OPT_TS;
	s.tsval = 700;
	s.tsecr = 1;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	assert_int_equal(r.saddr, s.daddr);
	assert_int_equal(r.daddr, s.saddr);
	assert_int_equal(r.sport, 80);
	assert_int_equal(r.dport, 43210);
	assert_int_equal(r.seq, 5001);
	assert_int_equal(r.ack, 9001);
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.wnd, 502);
	assert_int_equal(r.urp, 0);
	assert_int_equal(r.opts, TCP_OPT_TS);
	assert_int_equal(r.tsval, xdptcp_ts_clock(NOW) + 100000);
	assert_int_equal(r.tsecr, 777);
	assert_int_equal(r.len, 0);
	/* on the wire: the XDP layout, 20 + 20 + NOP,NOP,TS */
	size_t n = tcp_seg_build(buf, sizeof(buf), &r);
	assert_int_equal(n, 52);
	assert_memory_equal(buf + 40, "\x01\x01\x08\x0a", 4);
	assert_int_equal(tcp_seg_parse(buf, n, &p, 1), TCP_SEG_OK);
	assert_int_equal(p.tsecr, 777);

	/* without timestamps: no options at all */
	tw = tw_entry(0);
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	assert_int_equal(r.opts, 0);
	assert_int_equal(r.tsval, 0);
	assert_int_equal(tcp_seg_build(buf, sizeof(buf), &r), 40);
	/* the TS clock wraps with the 32-bit addition */
	tw = tw_entry(1);
	tw.ts_offset = 0xffffffff;
	assert_int_equal(tw_input(&tw, &s, NOW, TIMEOUT, &r), TW_REACK);
	assert_int_equal(r.tsval, xdptcp_ts_clock(NOW) - 1);
}

/* A whole lifecycle through the table, as the engine would drive it. */
static void test_table_and_rules_together(void **state)
{
	(void)state;
	struct tw_table t;
	struct xdptcp_tw tw = tw_entry(0), *p;
	struct tcp_seg fin = from_peer(TCP_FIN | TCP_ACK, 9000, 5001), r;
	struct xdptcp_flow_key k;

	assert_int_equal(tw_table_init(&t, 8, NULL), 0);
	tw_key_from_seg(&k, &fin);
	tw.deadline_ns = NOW + TIMEOUT;
	assert_int_equal(tw_insert(&t, &k, &tw), 0);
	/* a retransmitted FIN just before expiry keeps the entry alive */
	p = tw_lookup(&t, &k, NOW + TIMEOUT - 1);
	assert_non_null(p);
	assert_int_equal(tw_input(p, &fin, NOW + TIMEOUT - 1, TIMEOUT, &r), TW_REACK);
	assert_int_equal(tw_reap(&t, NOW + TIMEOUT, t.nslots), 0);
	assert_non_null(tw_lookup(&t, &k, NOW + TIMEOUT));
	/* then it expires and is reaped */
	assert_null(tw_lookup(&t, &k, NOW + 2 * TIMEOUT - 1));
	assert_int_equal(tw_reap(&t, NOW + 2 * TIMEOUT - 1, 2 * t.nslots), 1);
	assert_int_equal(tw_count(&t), 0);
	tw_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_args),
	    cmocka_unit_test(test_insert_lookup_remove),
	    cmocka_unit_test(test_full_table),
	    cmocka_unit_test(test_remove_under_collisions),
	    cmocka_unit_test(test_random_model),
	    cmocka_unit_test(test_reaper_bounded),
	    cmocka_unit_test(test_100k_entries),
	    cmocka_unit_test(test_key_from_seg),
	    cmocka_unit_test(test_rst_ignored),
	    cmocka_unit_test(test_syn_reopen_by_seq),
	    cmocka_unit_test(test_syn_reopen_by_timestamp),
	    cmocka_unit_test(test_fin_reacks_and_restarts),
	    cmocka_unit_test(test_acceptable_ack_ignored),
	    cmocka_unit_test(test_other_segments_reack),
	    cmocka_unit_test(test_reply_fields_and_wire),
	    cmocka_unit_test(test_table_and_rules_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
