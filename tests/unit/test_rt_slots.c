/* The TCB slot allocator of the XDP backend over a plain array: every
 * hand-out bumps the generation (a stale `flows` entry stops matching), a
 * freed slot is handed out again only after the quarantine, in the order
 * freed, and freeing clears `fast` and the state. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rt/xdp_rt.h"

#define N 8

static void test_alloc_bumps_generation(void **state)
{
	struct xdptcp_tcb tcbs[N];
	struct rt_slots sl;
	uint32_t slot, gen;

	(void)state;
	memset(tcbs, 0, sizeof(tcbs));
	tcbs[0].generation = 41; /* left by a previous control plane */
	assert_int_equal(rt_slots_setup(&sl, tcbs, N), 0);
	assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), 0);
	assert_int_equal(slot, 0); /* low slots first */
	assert_int_equal(gen, 42);
	assert_int_equal(tcbs[0].generation, 42);
	assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), 0);
	assert_int_equal(slot, 1);
	assert_int_equal(gen, 1);
	rt_slots_teardown(&sl);
}

static void test_quarantine(void **state)
{
	struct xdptcp_tcb tcbs[N];
	struct rt_slots sl;
	uint32_t slot, gen, seen[N];
	uint64_t t0 = 1000000000ull;

	(void)state;
	memset(tcbs, 0, sizeof(tcbs));
	assert_int_equal(rt_slots_setup(&sl, tcbs, N), 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(rt_slot_alloc(&sl, &seen[i], &gen), 0);
		tcbs[seen[i]].fast = 1;
		tcbs[seen[i]].state = XDPTCP_ESTABLISHED;
	}
	assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), -ENOSPC);

	rt_slot_free(&sl, 5, t0);
	rt_slot_free(&sl, 2, t0 + 1000);
	assert_int_equal(tcbs[5].fast, 0);
	assert_int_equal(tcbs[5].state, XDPTCP_CLOSED);
	/* in flight frames may still name slot 5: not yet */
	rt_slots_tick(&sl, t0 + RT_QUARANTINE_NS - 1);
	assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), -ENOSPC);
	rt_slots_tick(&sl, t0 + RT_QUARANTINE_NS);
	assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), 0);
	assert_int_equal(slot, 5);
	assert_int_equal(gen, 2);
	assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), -ENOSPC);
	rt_slots_tick(&sl, t0 + 1000 + RT_QUARANTINE_NS);
	assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), 0);
	assert_int_equal(slot, 2);
	rt_slots_teardown(&sl);
}

static void test_many_cycles_keep_count(void **state)
{
	struct xdptcp_tcb tcbs[N];
	struct rt_slots sl;
	uint32_t slot, gen;
	uint64_t now = 0;

	(void)state;
	memset(tcbs, 0, sizeof(tcbs));
	assert_int_equal(rt_slots_setup(&sl, tcbs, N), 0);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(rt_slot_alloc(&sl, &slot, &gen), 0);
		rt_slot_free(&sl, slot, now);
		now += RT_QUARANTINE_NS / 3;
		rt_slots_tick(&sl, now);
		assert_true(sl.nfree + sl.q_len == N);
	}
	/* every hand-out bumped a generation: 1000 in all */
	uint64_t sum = 0;

	for (int i = 0; i < N; i++)
		sum += tcbs[i].generation;
	assert_int_equal(sum, 1000);
	rt_slots_teardown(&sl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_bumps_generation),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_many_cycles_keep_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
