/* The frame pool of user/xsk: every frame in exactly one place, exhaustion,
 * and detection of double releases and foreign addresses. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* cmocka needs the headers above */
#include <cmocka.h>

#include "xsk/pool.h"

#define FS 4096u
#define N 8u
#define BASE (16u * FS)

static int setup(void **state)
{
	static struct xdptcp_pool p;

	if (xdptcp_pool_init(&p, BASE, FS, N))
		return -1;
	p.abort_on_misuse = false; /* the misuse tests check return values */
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	xdptcp_pool_fini(*state);
	return 0;
}

static void assert_counts(const struct xdptcp_pool *p, uint32_t free_, uint32_t fill, uint32_t app,
			  uint32_t tx)
{
	assert_int_equal(p->count[XDPTCP_FRAME_FREE], free_);
	assert_int_equal(p->count[XDPTCP_FRAME_FILL], fill);
	assert_int_equal(p->count[XDPTCP_FRAME_APP], app);
	assert_int_equal(p->count[XDPTCP_FRAME_TX], tx);
	assert_int_equal(xdptcp_pool_check(p), 0);
}

static void init_rejects_bad_geometry(void **state)
{
	struct xdptcp_pool q;

	(void)state;
	assert_int_equal(xdptcp_pool_init(&q, 0, 3000, N), -EINVAL); /* not 2^k */
	assert_int_equal(xdptcp_pool_init(&q, 0, 1024, N), -EINVAL); /* too small */
	assert_int_equal(xdptcp_pool_init(&q, 100, FS, N), -EINVAL); /* base unaligned */
	assert_int_equal(xdptcp_pool_init(&q, 0, FS, 0), -EINVAL);   /* empty */
}

static void starts_all_free(void **state)
{
	struct xdptcp_pool *p = *state;

	assert_counts(p, N, 0, 0, 0);
	assert_int_equal(p->misuse, 0);
#ifndef NDEBUG
	struct xdptcp_pool q;

	assert_int_equal(xdptcp_pool_init(&q, 0, FS, 1), 0);
	assert_true(q.abort_on_misuse); /* debug builds abort on misuse by default */
	xdptcp_pool_fini(&q);
#endif
}

static void alloc_gives_distinct_frames_of_the_slice(void **state)
{
	struct xdptcp_pool *p = *state;
	uint64_t a[N];

	assert_int_equal(xdptcp_pool_alloc(p, a, N, XDPTCP_FRAME_FILL), N);
	for (uint32_t i = 0; i < N; i++) {
		assert_true(a[i] >= BASE && a[i] < BASE + N * FS);
		assert_int_equal(a[i] % FS, 0);
		for (uint32_t j = 0; j < i; j++)
			assert_true(a[i] != a[j]);
		assert_int_equal(xdptcp_pool_where(p, a[i]), XDPTCP_FRAME_FILL);
	}
	assert_counts(p, 0, N, 0, 0);
}

static void exhaustion_returns_what_is_left(void **state)
{
	struct xdptcp_pool *p = *state;
	uint64_t a[N + 4];

	assert_int_equal(xdptcp_pool_alloc(p, a, 3, XDPTCP_FRAME_APP), 3);
	assert_int_equal(xdptcp_pool_alloc(p, a + 3, N, XDPTCP_FRAME_APP), N - 3);
	assert_int_equal(xdptcp_pool_alloc(p, a + N, 4, XDPTCP_FRAME_APP), 0);
	assert_counts(p, 0, 0, N, 0);
	/* One frame back makes exactly one available again. */
	assert_int_equal(xdptcp_pool_move(p, a[5], XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE), 0);
	assert_int_equal(xdptcp_pool_alloc(p, a + N, 4, XDPTCP_FRAME_APP), 1);
	assert_true(a[N] == a[5]);
	assert_counts(p, 0, 0, N, 0);
}

static void alloc_into_free_is_refused(void **state)
{
	struct xdptcp_pool *p = *state;
	uint64_t a[1];

	assert_int_equal(xdptcp_pool_alloc(p, a, 1, XDPTCP_FRAME_FREE), 0);
	assert_int_equal(xdptcp_pool_alloc(p, a, 1, XDPTCP_FRAME_NPLACES), 0);
	assert_counts(p, N, 0, 0, 0);
}

/* FREE -> FILL -> APP (received) -> TX (sent back) -> FREE (completed),
 * with interior addresses as the rings carry them (data at +256). */
static void full_cycle_with_interior_addresses(void **state)
{
	struct xdptcp_pool *p = *state;
	uint64_t a[2];

	assert_int_equal(xdptcp_pool_alloc(p, a, 2, XDPTCP_FRAME_FILL), 2);
	assert_counts(p, N - 2, 2, 0, 0);
	assert_int_equal(xdptcp_pool_move(p, a[0] + 256, XDPTCP_FRAME_FILL, XDPTCP_FRAME_APP), 0);
	assert_int_equal(xdptcp_pool_move(p, a[1] + 256, XDPTCP_FRAME_FILL, XDPTCP_FRAME_APP), 0);
	assert_counts(p, N - 2, 0, 2, 0);
	assert_int_equal(xdptcp_pool_move(p, a[0] + 256, XDPTCP_FRAME_APP, XDPTCP_FRAME_TX), 0);
	assert_counts(p, N - 2, 0, 1, 1);
	assert_int_equal(xdptcp_pool_move(p, a[0], XDPTCP_FRAME_TX, XDPTCP_FRAME_FREE), 0);
	assert_int_equal(xdptcp_pool_move(p, a[1] + FS - 1, XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE),
			 0);
	assert_counts(p, N, 0, 0, 0);
	assert_int_equal(p->misuse, 0);
}

static void double_release_is_detected(void **state)
{
	struct xdptcp_pool *p = *state;
	uint64_t a[1];

	assert_int_equal(xdptcp_pool_alloc(p, a, 1, XDPTCP_FRAME_APP), 1);
	assert_int_equal(xdptcp_pool_move(p, a[0], XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE), 0);
	assert_int_equal(xdptcp_pool_move(p, a[0], XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE), -EALREADY);
	assert_int_equal(p->misuse, 1);
	/* The refused move changed nothing: the frame is on the list once. */
	assert_counts(p, N, 0, 0, 0);
	uint64_t b[N];

	assert_int_equal(xdptcp_pool_alloc(p, b, N, XDPTCP_FRAME_APP), N);
	assert_int_equal(xdptcp_pool_alloc(p, b, 1, XDPTCP_FRAME_APP), 0);
}

static void completion_of_unsent_frame_is_detected(void **state)
{
	struct xdptcp_pool *p = *state;
	uint64_t a[1];

	assert_int_equal(xdptcp_pool_alloc(p, a, 1, XDPTCP_FRAME_FILL), 1);
	assert_int_equal(xdptcp_pool_move(p, a[0], XDPTCP_FRAME_TX, XDPTCP_FRAME_FREE), -EALREADY);
	assert_int_equal(p->misuse, 1);
	assert_counts(p, N - 1, 1, 0, 0);
}

static void foreign_address_is_refused(void **state)
{
	struct xdptcp_pool *p = *state;

	assert_int_equal(xdptcp_pool_move(p, BASE - 1, XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE),
			 -EINVAL);
	assert_int_equal(xdptcp_pool_move(p, BASE + N * FS, XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE),
			 -EINVAL);
	assert_int_equal(xdptcp_pool_move(p, BASE, XDPTCP_FRAME_FREE, XDPTCP_FRAME_APP),
			 -EINVAL); /* leaving FREE goes through alloc only */
	assert_int_equal(xdptcp_pool_where(p, BASE + N * FS), -EINVAL);
	assert_int_equal(p->misuse, 3);
	assert_counts(p, N, 0, 0, 0);
}

static void reclaim_reports_app_leaks(void **state)
{
	struct xdptcp_pool *p = *state;
	uint64_t a[N];

	assert_int_equal(xdptcp_pool_alloc(p, a, 2, XDPTCP_FRAME_FILL), 2);
	assert_int_equal(xdptcp_pool_alloc(p, a + 2, 3, XDPTCP_FRAME_APP), 3);
	assert_int_equal(xdptcp_pool_move(p, a[2], XDPTCP_FRAME_APP, XDPTCP_FRAME_TX), 0);
	/* kernel-held frames (fill, tx) come back; the 2 still in APP leaked */
	assert_int_equal(xdptcp_pool_reclaim(p), 2);
	assert_counts(p, N, 0, 0, 0);
}

static void debug_build_aborts_on_double_release(void **state)
{
	(void)state;
#ifdef NDEBUG
	skip();
#else
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct xdptcp_pool q;
		uint64_t a[1];

		signal(SIGABRT, SIG_DFL);
		if (xdptcp_pool_init(&q, 0, FS, 2) ||
		    xdptcp_pool_alloc(&q, a, 1, XDPTCP_FRAME_APP) != 1)
			_exit(2);
		xdptcp_pool_move(&q, a[0], XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE);
		xdptcp_pool_move(&q, a[0], XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE);
		_exit(0); /* not reached when the pool aborts */
	}
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_rejects_bad_geometry),
	    cmocka_unit_test_setup_teardown(starts_all_free, setup, teardown),
	    cmocka_unit_test_setup_teardown(alloc_gives_distinct_frames_of_the_slice, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(exhaustion_returns_what_is_left, setup, teardown),
	    cmocka_unit_test_setup_teardown(alloc_into_free_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(full_cycle_with_interior_addresses, setup, teardown),
	    cmocka_unit_test_setup_teardown(double_release_is_detected, setup, teardown),
	    cmocka_unit_test_setup_teardown(completion_of_unsent_frame_is_detected, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(foreign_address_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(reclaim_reports_app_leaks, setup, teardown),
	    cmocka_unit_test(debug_build_aborts_on_double_release),
	};

	return cmocka_run_group_tests_name("xsk_pool", tests, NULL, NULL);
}
