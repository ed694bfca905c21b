/* Timer wheel: thousands of random timers fire exactly once, never early
 * and less than a tick late; cancel, re-arm, deadlines many revolutions
 * ahead and far in the past, batching, twheel_next; both levels, cascades
 * and jumps, and twheel_next's cost with many far timers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/timer_wheel.h"

/* Under ASan, let impossible allocations return NULL (instead of aborting)
 * so the -ENOMEM paths can be tested. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

#define TICK 1000000ULL /* 1 ms */
#define NSLOTS 256

static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Expire everything due at now in batches of max; returns the total. */
static size_t expire_all(struct twheel *w, uint64_t now, struct twheel_timer **out, size_t max,
			 void (*each)(struct twheel_timer *, uint64_t, void *), void *ctx)
{
	size_t total = 0, n;

	do {
		n = twheel_expire(w, now, out, max);
		for (size_t i = 0; i < n; i++) {
			assert_false(twheel_armed(out[i]));
			if (each)
				each(out[i], now, ctx);
		}
		total += n;
	} while (n == max);
	return total;
}

static void test_init_args(void **state)
{
	(void)state;
	struct twheel w;

	assert_int_equal(twheel_init(&w, 0, TICK, 0), -EINVAL);
	assert_int_equal(twheel_init(&w, 100, TICK, 0), -EINVAL);
	assert_int_equal(twheel_init(&w, 64, 0, 0), -EINVAL);
	/* 2^42 slots of 32 bytes: no machine has that */
	assert_int_equal(twheel_init(&w, (size_t)1 << 42, TICK, 0), -ENOMEM);
	assert_null(w.slots);
	assert_int_equal(twheel_init(&w, 64, TICK, 5), 0);
	assert_int_equal(w.now, 5);
	assert_int_equal(w.count, 0);
	assert_int_equal(twheel_next(&w), UINT64_MAX);
	twheel_free(&w);
	assert_null(w.slots);
}

static void test_free_leaves_timers_idle(void **state)
{
	(void)state;
	struct twheel w;
	struct twheel_timer a, b;

	twheel_timer_init(&a, &a);
	twheel_timer_init(&b, NULL);
	assert_ptr_equal(a.owner, &a);
	assert_int_equal(twheel_init(&w, 8, TICK, 0), 0);
	twheel_arm(&w, &a, 5 * TICK);
	twheel_arm(&w, &b, 5 * TICK + 1);
	assert_true(twheel_armed(&a));
	twheel_free(&w);
	assert_false(twheel_armed(&a));
	assert_false(twheel_armed(&b));
	assert_null(a.prev);
}

static void test_basic_fire(void **state)
{
	(void)state;
	struct twheel w;
	struct twheel_timer t, *out[4];
	int owner;

	assert_int_equal(twheel_init(&w, 16, TICK, 0), 0);
	twheel_timer_init(&t, &owner);
	twheel_arm(&w, &t, 3 * TICK + 500);
	assert_int_equal(w.count, 1);
	assert_int_equal(twheel_next(&w), 3 * TICK + 500);
	assert_int_equal(twheel_expire(&w, 3 * TICK, out, 4), 0);
	assert_int_equal(twheel_expire(&w, 3 * TICK + 499, out, 4), 0);
	assert_int_equal(twheel_expire(&w, 3 * TICK + 500, out, 4), 1);
	assert_ptr_equal(out[0], &t);
	assert_ptr_equal(out[0]->owner, &owner);
	assert_false(twheel_armed(&t));
	assert_int_equal(w.count, 0);
	assert_int_equal(twheel_expire(&w, 100 * TICK, out, 4), 0);
	assert_int_equal(twheel_next(&w), UINT64_MAX);
	twheel_free(&w);
}

static void test_cancel_and_rearm(void **state)
{
	(void)state;
	struct twheel w;
	struct twheel_timer a, b, *out[4];

	assert_int_equal(twheel_init(&w, 16, TICK, 0), 0);
	twheel_timer_init(&a, NULL);
	twheel_timer_init(&b, NULL);
	twheel_cancel(&w, &a); /* idle: no-op */
	assert_int_equal(w.count, 0);
	twheel_arm(&w, &a, 2 * TICK);
	twheel_arm(&w, &b, 2 * TICK);
	twheel_cancel(&w, &a);
	assert_int_equal(w.count, 1);
	assert_false(twheel_armed(&a));
	assert_int_equal(twheel_expire(&w, 2 * TICK, out, 4), 1);
	assert_ptr_equal(out[0], &b);

	/* re-arm later: fires once, at the later deadline */
	twheel_arm(&w, &a, 4 * TICK);
	twheel_arm(&w, &a, 40 * TICK); /* beyond one revolution */
	assert_int_equal(w.count, 1);
	assert_int_equal(twheel_next(&w), 40 * TICK);
	for (uint64_t now = 3 * TICK; now < 40 * TICK; now += TICK / 2)
		assert_int_equal(twheel_expire(&w, now, out, 4), 0);
	assert_int_equal(twheel_expire(&w, 40 * TICK, out, 4), 1);
	/* re-arm earlier */
	twheel_arm(&w, &a, 50 * TICK);
	twheel_arm(&w, &a, 41 * TICK);
	assert_int_equal(twheel_next(&w), 41 * TICK);
	assert_int_equal(twheel_expire(&w, 41 * TICK, out, 4), 1);
	assert_int_equal(twheel_expire(&w, 60 * TICK, out, 4), 0);
	assert_int_equal(w.count, 0);
	twheel_free(&w);
}

static void test_far_past(void **state)
{
	(void)state;
	struct twheel w;
	struct twheel_timer a, b, *out[4];
	uint64_t now = 1000000 * TICK;

	assert_int_equal(twheel_init(&w, 16, TICK, now), 0);
	twheel_timer_init(&a, NULL);
	twheel_timer_init(&b, NULL);
	twheel_arm(&w, &a, 0);
	twheel_arm(&w, &b, now - 17 * TICK); /* a past slot, one revolution back */
	assert_int_equal(twheel_next(&w), 0);
	/* fires at the next expire, even at the same time */
	assert_int_equal(twheel_expire(&w, now, out, 4), 2);
	assert_int_equal(w.count, 0);
	/* past deadline after the wheel moved on */
	assert_int_equal(twheel_expire(&w, now + 5 * TICK + 3, out, 4), 0);
	twheel_arm(&w, &a, now + TICK);
	assert_int_equal(twheel_expire(&w, now + 5 * TICK + 4, out, 4), 1);
	twheel_free(&w);
}

static void test_many_revolutions_ahead(void **state)
{
	(void)state;
	struct twheel w;
	struct twheel_timer t[3], *out[4];
	uint64_t d0 = 1000 * 16 * TICK + 7 * TICK + 3; /* 1000 revolutions */

	assert_int_equal(twheel_init(&w, 16, TICK, 0), 0);
	for (int i = 0; i < 3; i++)
		twheel_timer_init(&t[i], NULL);
	twheel_arm(&w, &t[0], d0);
	twheel_arm(&w, &t[1], 7 * TICK + 3);   /* same slot, this revolution */
	twheel_arm(&w, &t[2], d0 + 16 * TICK); /* same slot, one more */
	assert_int_equal(twheel_next(&w), 7 * TICK + 3);
	assert_int_equal(twheel_expire(&w, 8 * TICK, out, 4), 1);
	assert_ptr_equal(out[0], &t[1]);
	assert_int_equal(twheel_next(&w), d0);
	/* walk through every slot many times: nothing early */
	for (uint64_t now = 8 * TICK; now < d0; now += 3 * TICK + 1)
		assert_int_equal(twheel_expire(&w, now, out, 4), 0);
	/* a big jump lands exactly at the deadline */
	assert_int_equal(twheel_expire(&w, d0, out, 4), 1);
	assert_ptr_equal(out[0], &t[0]);
	assert_int_equal(twheel_next(&w), d0 + 16 * TICK);
	/* a jump of many revolutions at once fires it (no per-tick walk) */
	assert_int_equal(twheel_expire(&w, d0 + 1000 * 16 * TICK, out, 4), 1);
	assert_ptr_equal(out[0], &t[2]);
	twheel_free(&w);
}

static void test_batches(void **state)
{
	(void)state;
	enum { N = 100 };
	struct twheel w;
	struct twheel_timer t[N], *out[7];
	int seen[N] = {0};

	assert_int_equal(twheel_init(&w, 8, TICK, 0), 0);
	for (int i = 0; i < N; i++) {
		twheel_timer_init(&t[i], &seen[i]);
		twheel_arm(&w, &t[i], (uint64_t)(i % 20) * TICK / 2);
	}
	/* 3 of them are not due yet */
	twheel_arm(&w, &t[0], 20 * TICK);
	twheel_arm(&w, &t[1], 20 * TICK);
	twheel_arm(&w, &t[2], 12 * TICK);
	size_t total = 0, n;
	do {
		n = twheel_expire(&w, 10 * TICK, out, 7);
		assert_true(n <= 7);
		for (size_t i = 0; i < n; i++) {
			int *s = out[i]->owner;
			assert_true(out[i]->deadline <= 10 * TICK);
			(*s)++;
		}
		total += n;
	} while (n == 7);
	assert_int_equal(total, N - 3);
	for (int i = 3; i < N; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(w.count, 3);
	assert_int_equal(twheel_next(&w), 12 * TICK);
	/* a batch of exactly the due count returns max, then 0 */
	assert_int_equal(twheel_expire(&w, 20 * TICK, out, 3), 3);
	assert_int_equal(twheel_expire(&w, 20 * TICK, out, 3), 0);
	twheel_free(&w);
}

static void test_time_going_back(void **state)
{
	(void)state;
	struct twheel w;
	struct twheel_timer a, b, *out[4];

	assert_int_equal(twheel_init(&w, 16, TICK, 10 * TICK), 0);
	twheel_timer_init(&a, NULL);
	twheel_timer_init(&b, NULL);
	twheel_arm(&w, &a, 5 * TICK);
	twheel_arm(&w, &b, 11 * TICK);
	/* an earlier now only fires what is due by then */
	assert_int_equal(twheel_expire(&w, 4 * TICK, out, 4), 0);
	assert_int_equal(twheel_expire(&w, 5 * TICK, out, 4), 1);
	assert_ptr_equal(out[0], &a);
	assert_int_equal(w.now, 10 * TICK);
	assert_int_equal(twheel_expire(&w, 11 * TICK, out, 4), 1);
	twheel_free(&w);
}

/* --- randomized: thousands of timers against a model --- */

struct model {
	uint64_t deadline;
	int armed;
	int fired;
};

struct sim {
	struct model *m;
	struct twheel_timer *t;
	size_t late_max;
};

static void on_fire(struct twheel_timer *t, uint64_t now, void *ctx)
{
	struct sim *s = ctx;
	struct model *m = &s->m[t - s->t];

	assert_true(m->armed); /* never after cancel, never twice */
	assert_int_equal(t->deadline, m->deadline);
	assert_true(m->deadline <= now);       /* never early */
	assert_true(now - m->deadline < TICK); /* less than one tick late */
	if (now - m->deadline > s->late_max)
		s->late_max = now - m->deadline;
	m->armed = 0;
	m->fired++;
}

static uint64_t model_next(const struct model *m, size_t n)
{
	uint64_t best = UINT64_MAX;

	for (size_t i = 0; i < n; i++)
		if (m[i].armed && m[i].deadline < best)
			best = m[i].deadline;
	return best;
}

static void test_random_thousands(void **state)
{
	(void)state;
	enum { N = 5000 };
	const uint64_t horizon = 5 * NSLOTS * TICK; /* five revolutions */
	struct twheel w;
	struct twheel_timer *out[16];
	struct sim s = {.late_max = 0};
	uint64_t now = 123456789;
	size_t armed = 0, fired = 0, cancels = 0, rearms = 0;

	rng_state = 0x0123456789abcdefULL;
	s.m = calloc(N, sizeof(*s.m));
	s.t = calloc(N, sizeof(*s.t));
	assert_non_null(s.m);
	assert_non_null(s.t);
	assert_int_equal(twheel_init(&w, NSLOTS, TICK, now), 0);
	for (size_t i = 0; i < N; i++) {
		twheel_timer_init(&s.t[i], NULL);
		s.m[i].deadline = now + rng() % horizon;
		s.m[i].armed = 1;
		twheel_arm(&w, &s.t[i], s.m[i].deadline);
		armed++;
	}
	assert_int_equal(w.count, N);

	const uint64_t end = now + 2 * horizon;
	int steps = 0;
	/* after end, no more changes: run until every timer has fired */
	while (now < end || w.count > 0) {
		/* steps of at most one tick, so lateness is bounded by the step */
		now += 1 + rng() % TICK;
		fired += expire_all(&w, now, out, 16, on_fire, &s);
		/* now and then: cancel, re-arm (ahead, or already past) */
		for (int k = 0; k < 3 && now < end; k++) {
			size_t i = rng() % N;
			switch (rng() % 4) {
			case 0:
				if (s.m[i].armed)
					cancels++;
				twheel_cancel(&w, &s.t[i]);
				s.m[i].armed = 0;
				break;
			case 1:
				rearms += s.m[i].armed;
				s.m[i].deadline = now + rng() % horizon;
				if (!s.m[i].armed)
					armed++;
				s.m[i].armed = 1;
				twheel_arm(&w, &s.t[i], s.m[i].deadline);
				break;
			case 2:
				/* already due: fires at the next expire */
				rearms += s.m[i].armed;
				s.m[i].deadline = now - rng() % (3 * TICK);
				if (!s.m[i].armed)
					armed++;
				s.m[i].armed = 1;
				twheel_arm(&w, &s.t[i], s.m[i].deadline);
				/* its lateness is measured from now, not its
				 * deadline: fire it here and check it came */
				{
					struct twheel_timer *o[1];
					size_t got = 0, n;
					do {
						n = twheel_expire(&w, now, o, 1);
						for (size_t j = 0; j < n; j++) {
							struct model *mm = &s.m[o[j] - s.t];
							assert_true(mm->armed);
							assert_true(mm->deadline <= now);
							got += o[j] == &s.t[i];
							mm->armed = 0;
							mm->fired++;
							fired++;
						}
					} while (n == 1);
					assert_int_equal(got, 1);
				}
				break;
			default:
				break;
			}
		}
		if (++steps % 64 == 0)
			assert_int_equal(twheel_next(&w), model_next(s.m, N));
	}
	/* everything armed has fired, exactly once per arming */
	for (size_t i = 0; i < N; i++)
		assert_false(s.m[i].armed);
	assert_int_equal(w.count, 0);
	assert_int_equal(fired + cancels, armed);
	assert_true(cancels > 100);
	assert_true(rearms > 100);
	assert_true(s.late_max > 0);
	twheel_free(&w);
	free(s.m);
	free(s.t);
}

/* Large time jumps: everything due fires, nothing early. */
static void test_random_jumps(void **state)
{
	(void)state;
	enum { N = 3000 };
	struct twheel w;
	struct twheel_timer *t = calloc(N, sizeof(*t)), *out[32];
	uint64_t *dl = calloc(N, sizeof(*dl));
	uint64_t now = 0;
	size_t fired = 0;

	assert_non_null(t);
	assert_non_null(dl);
	rng_state = 42;
	assert_int_equal(twheel_init(&w, 64, TICK, now), 0);
	for (size_t i = 0; i < N; i++) {
		dl[i] = rng() % (1000 * 64 * TICK);
		twheel_timer_init(&t[i], &dl[i]);
		twheel_arm(&w, &t[i], dl[i]);
	}
	while (w.count) {
		now += rng() % (200 * TICK);
		size_t n;
		do {
			n = twheel_expire(&w, now, out, 32);
			for (size_t i = 0; i < n; i++) {
				uint64_t *d = out[i]->owner;
				assert_true(*d <= now);
				assert_true(*d != UINT64_MAX);
				*d = UINT64_MAX; /* fired */
				fired++;
			}
		} while (n == 32);
		/* nothing due remains armed */
		uint64_t next = twheel_next(&w);
		assert_true(next > now);
		for (size_t i = 0; i < N; i++)
			if (dl[i] != UINT64_MAX)
				assert_true(dl[i] > now && dl[i] >= next);
	}
	assert_int_equal(fired, N);
	twheel_free(&w);
	free(t);
	free(dl);
}

/* --- two levels: timers beyond the current round (nslots ticks) --- */

static void test_init_two_levels(void **state)
{
	(void)state;
	struct twheel w;

	/* 2 * nslots heads would overflow size_t */
	assert_int_equal(twheel_init(&w, (size_t)1 << (sizeof(size_t) * 8 - 1), TICK, 0), -ENOMEM);
	assert_null(w.slots);
	assert_int_equal(twheel_init(&w, 4, TICK, 7), 0);
	assert_int_equal(w.near, 0);
	assert_int_equal(twheel_next(&w), UINT64_MAX);
	assert_int_equal(w.visits, 0);
	twheel_free(&w);
}

/* The regression test for twheel_next walking every far timer on each call:
 * 20,000 TIME-WAIT-like timers 60 s ahead and one near timer re-armed every
 * tick, as the engine does. */
static void test_far_timers_next_cheap(void **state)
{
	(void)state;
	enum { N = 20000, SLOTS = 1024 };
	struct twheel w;
	struct twheel_timer *t = calloc(N, sizeof(*t)), near, *out[64];
	uint64_t now = 987654321, far_min = UINT64_MAX;

	assert_non_null(t);
	assert_int_equal(twheel_init(&w, SLOTS, TICK, now), 0);
	for (size_t i = 0; i < N; i++) {
		/* 60 s ahead, spread over a second as closes come */
		uint64_t d = now + 60000 * TICK + i * 50000;
		twheel_timer_init(&t[i], NULL);
		twheel_arm(&w, &t[i], d);
		far_min = d < far_min ? d : far_min;
	}
	twheel_timer_init(&near, NULL);
	for (int k = 0; k < 3000; k++) {
		now += TICK;
		size_t n = twheel_expire(&w, now, out, 64);
		assert_true(n <= 1);
		assert_true(n == 0 || out[0] == &near);
		twheel_arm(&w, &near, now + 200000 + (uint64_t)k % 5 * TICK);
		/* cancelling the earliest forces a walk: cached, it costs none */
		twheel_cancel(&w, &near);
		twheel_arm(&w, &near, now + 200000 + (uint64_t)k % 5 * TICK);
		w.visits = 0;
		assert_int_equal(twheel_next(&w), near.deadline);
		assert_true(w.visits <= SLOTS + 1);
		w.visits = 0;
		assert_int_equal(twheel_next(&w), near.deadline);
		assert_int_equal(w.visits, 0);
	}
	/* with no near timer: the earliest far one, found once */
	twheel_cancel(&w, &near);
	assert_int_equal(twheel_next(&w), far_min);
	w.visits = 0;
	assert_int_equal(twheel_next(&w), far_min);
	assert_int_equal(w.visits, 0);
	assert_int_equal(w.count, N);
	twheel_free(&w);
	for (size_t i = 0; i < N; i++)
		assert_false(twheel_armed(&t[i]));
	free(t);
}

/* Far timers fire within a tick whether expiry runs every tick or rarely. */
static void far_timers_fire(uint64_t max_step)
{
	enum { N = 2000, SLOTS = 8 };
	const uint64_t rev2 = SLOTS * SLOTS * TICK; /* level-2 revolution */
	struct twheel w;
	struct twheel_timer *t = calloc(N, sizeof(*t)), *out[16];
	uint64_t *dl = calloc(N, sizeof(*dl));
	uint64_t now = 5 * TICK + 17;
	size_t fired = 0;

	assert_non_null(t);
	assert_non_null(dl);
	assert_int_equal(twheel_init(&w, SLOTS, TICK, now), 0);
	for (size_t i = 0; i < N; i++) {
		dl[i] = now + rng() % (6 * rev2);
		twheel_timer_init(&t[i], &dl[i]);
		twheel_arm(&w, &t[i], dl[i]);
	}
	while (w.count) {
		size_t n;

		now += 1 + rng() % max_step;
		do {
			n = twheel_expire(&w, now, out, 16);
			for (size_t i = 0; i < n; i++) {
				uint64_t *d = out[i]->owner;
				assert_true(*d <= now);
				/* a step of at most a tick: less than a tick late */
				assert_true(max_step >= TICK || now - *d < TICK);
				*d = UINT64_MAX;
				fired++;
			}
		} while (n == 16);
		uint64_t best = UINT64_MAX;
		for (size_t i = 0; i < N; i++) {
			assert_true(dl[i] > now);
			best = dl[i] < best ? dl[i] : best;
		}
		assert_int_equal(twheel_next(&w), best);
	}
	assert_int_equal(fired, N);
	assert_int_equal(w.near, 0);
	twheel_free(&w);
	free(t);
	free(dl);
}

static void test_far_timers_fire_every_tick(void **state)
{
	(void)state;
	rng_state = 7;
	far_timers_fire(TICK - 1);
}

static void test_far_timers_fire_after_jumps(void **state)
{
	(void)state;
	rng_state = 8;
	/* jumps of up to 20 rounds, some beyond a level-2 revolution */
	far_timers_fire(20 * 8 * TICK);
}

/* Cancel and re-arm in either level, and across levels. */
static void test_levels_cancel_rearm(void **state)
{
	(void)state;
	struct twheel w;
	struct twheel_timer a, b, *out[4];

	assert_int_equal(twheel_init(&w, 8, TICK, 0), 0);
	twheel_timer_init(&a, NULL);
	twheel_timer_init(&b, NULL);
	twheel_arm(&w, &a, 100 * TICK); /* level 2 */
	twheel_arm(&w, &b, 3 * TICK);   /* level 1 */
	assert_int_equal(w.near, 1);
	assert_int_equal(twheel_next(&w), 3 * TICK);
	twheel_arm(&w, &b, 200 * TICK); /* level 1 -> 2 */
	assert_int_equal(w.near, 0);
	assert_int_equal(twheel_next(&w), 100 * TICK);
	twheel_arm(&w, &a, 2 * TICK); /* level 2 -> 1 */
	assert_int_equal(w.near, 1);
	assert_int_equal(twheel_next(&w), 2 * TICK);
	twheel_cancel(&w, &a);
	assert_int_equal(w.near, 0);
	assert_int_equal(twheel_next(&w), 200 * TICK);
	twheel_cancel(&w, &b);
	assert_int_equal(twheel_next(&w), UINT64_MAX);
	assert_int_equal(w.count, 0);
	/* cancelled far timers do not come back at their round */
	twheel_arm(&w, &a, 30 * TICK);
	twheel_arm(&w, &b, 31 * TICK);
	twheel_cancel(&w, &a);
	assert_int_equal(twheel_expire(&w, 30 * TICK, out, 4), 0);
	assert_int_equal(w.near, 1); /* b came down to level 1 */
	assert_int_equal(twheel_next(&w), 31 * TICK);
	assert_int_equal(twheel_expire(&w, 31 * TICK, out, 4), 1);
	assert_ptr_equal(out[0], &b);
	/* batching across a cascade: the rest come at the next call */
	twheel_arm(&w, &a, 50 * TICK);
	twheel_arm(&w, &b, 70 * TICK + 1);
	assert_int_equal(twheel_expire(&w, 80 * TICK, out, 1), 1);
	assert_ptr_equal(out[0], &a);
	assert_true(w.now <= 80 * TICK);
	assert_int_equal(twheel_expire(&w, 80 * TICK, out, 1), 1);
	assert_ptr_equal(out[0], &b);
	assert_int_equal(twheel_expire(&w, 80 * TICK, out, 1), 0);
	assert_int_equal(w.now, 80 * TICK);
	twheel_free(&w);
}

/* The model test again, on a small wheel with deadlines spread over several
 * level-2 revolutions, twheel_next checked at every step; then jumps. */
struct levels_sim {
	struct model *m;
	struct twheel_timer *t;
	uint64_t *armed_at;
	int bounded; /* expiry at least once per tick since the last arm */
};

static size_t levels_expire(struct twheel *w, struct levels_sim *s, uint64_t now, size_t max)
{
	struct twheel_timer *out[16];
	size_t total = 0, n;

	do {
		n = twheel_expire(w, now, out, max);
		for (size_t j = 0; j < n; j++) {
			size_t i = out[j] - s->t;
			uint64_t due = s->m[i].deadline;
			/* a late-armed timer is due from when it was armed */
			uint64_t from = due > s->armed_at[i] ? due : s->armed_at[i];

			assert_true(s->m[i].armed);
			assert_true(due <= now);
			if (s->bounded && now >= from)
				assert_true(now - from < TICK);
			s->m[i].armed = 0;
		}
		total += n;
	} while (n == max);
	return total;
}

static void test_random_levels(void **state)
{
	(void)state;
	enum { N = 1500, SLOTS = 8 };
	const uint64_t horizon = 5 * SLOTS * SLOTS * TICK;
	struct twheel w;
	struct levels_sim s = {
	    .m = calloc(N, sizeof(*s.m)),
	    .t = calloc(N, sizeof(*s.t)),
	    .armed_at = calloc(N, sizeof(*s.armed_at)),
	};
	uint64_t now = 3 * TICK + 5;
	size_t cancels = 0, rearms = 0, jumps = 0;

	assert_non_null(s.m);
	assert_non_null(s.t);
	assert_non_null(s.armed_at);
	rng_state = 0xfeedULL;
	assert_int_equal(twheel_init(&w, SLOTS, TICK, now), 0);
	for (size_t i = 0; i < N; i++)
		twheel_timer_init(&s.t[i], NULL);
	for (int step = 0; step < 40000 || w.count; step++) {
		/* the second half jumps up to three level-2 revolutions */
		s.bounded = step < 20000;
		now += s.bounded ? 1 + rng() % (TICK - 1) : rng() % (3 * SLOTS * SLOTS * TICK);
		jumps += !s.bounded;
		/* sometimes an earlier now first: only what is due by then */
		if (rng() % 8 == 0)
			levels_expire(&w, &s, now - rng() % (2 * TICK), 1 + rng() % 16);
		levels_expire(&w, &s, now, 1 + rng() % 16);
		for (int k = 0; k < 4 && step < 30000; k++) {
			size_t i = rng() % N;

			switch (rng() % 4) {
			case 0:
				cancels += s.m[i].armed;
				s.m[i].armed = 0;
				twheel_cancel(&w, &s.t[i]);
				continue;
			case 1:
				s.m[i].deadline = now - rng() % (3 * TICK); /* due */
				break;
			default:
				s.m[i].deadline = now + rng() % horizon;
				break;
			}
			rearms += s.m[i].armed;
			s.m[i].armed = 1;
			s.armed_at[i] = now;
			twheel_arm(&w, &s.t[i], s.m[i].deadline);
		}
		assert_int_equal(twheel_next(&w), model_next(s.m, N));
	}
	for (size_t i = 0; i < N; i++)
		assert_false(s.m[i].armed);
	assert_int_equal(w.count, 0);
	assert_int_equal(w.near, 0);
	assert_true(cancels > 1000);
	assert_true(rearms > 1000);
	assert_true(jumps > 1000);
	twheel_free(&w);
	free(s.m);
	free(s.t);
	free(s.armed_at);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_args),	     cmocka_unit_test(test_free_leaves_timers_idle),
	    cmocka_unit_test(test_basic_fire),	     cmocka_unit_test(test_cancel_and_rearm),
	    cmocka_unit_test(test_far_past),	     cmocka_unit_test(test_many_revolutions_ahead),
	    cmocka_unit_test(test_batches),	     cmocka_unit_test(test_time_going_back),
	    cmocka_unit_test(test_random_thousands), cmocka_unit_test(test_random_jumps),
	    cmocka_unit_test(test_init_two_levels),
	    cmocka_unit_test(test_far_timers_next_cheap),
	    cmocka_unit_test(test_far_timers_fire_every_tick),
	    cmocka_unit_test(test_far_timers_fire_after_jumps),
	    cmocka_unit_test(test_levels_cancel_rearm),
	    cmocka_unit_test(test_random_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
