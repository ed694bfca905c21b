/* Hashed timer wheel: thousands of random timers fire exactly once, never
 * early and less than a tick late; cancel, re-arm, deadlines many
 * revolutions ahead and far in the past, batching, twheel_next. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_args),	     cmocka_unit_test(test_free_leaves_timers_idle),
	    cmocka_unit_test(test_basic_fire),	     cmocka_unit_test(test_cancel_and_rearm),
	    cmocka_unit_test(test_far_past),	     cmocka_unit_test(test_many_revolutions_ahead),
	    cmocka_unit_test(test_batches),	     cmocka_unit_test(test_time_going_back),
	    cmocka_unit_test(test_random_thousands), cmocka_unit_test(test_random_jumps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
