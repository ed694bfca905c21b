/* Taking an arming slot back (rt_fast_disarm): only ARMING turns into
 * OFF; a slot XDP already took (ON) or handed back (OFF) is left alone and
 * reported, so the control plane never undoes XDP's move. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rt/xdp_rt.h"

static void test_arming_taken_back(void **state)
{
	struct xdptcp_tcb t;
	uint8_t f = 0xff;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.fast = XDPTCP_FAST_ARMING;
	t.rcv_nxt = 1000;
	assert_true(rt_fast_disarm(&t, &f));
	assert_int_equal(t.fast, XDPTCP_FAST_OFF);
	assert_int_equal(f, 0xff); /* untouched when the CAS won */
	assert_int_equal(t.rcv_nxt, 1000);
}

static void test_taken_by_xdp_stays_on(void **state)
{
	struct xdptcp_tcb t;
	uint8_t f = 0xff;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.fast = XDPTCP_FAST_ON;
	assert_false(rt_fast_disarm(&t, &f));
	assert_int_equal(f, XDPTCP_FAST_ON);
	assert_int_equal(t.fast, XDPTCP_FAST_ON);
}

static void test_handed_back_stays_off(void **state)
{
	struct xdptcp_tcb t;
	uint8_t f = 0xff;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.fast = XDPTCP_FAST_OFF;
	assert_false(rt_fast_disarm(&t, &f));
	assert_int_equal(f, XDPTCP_FAST_OFF);
	assert_int_equal(t.fast, XDPTCP_FAST_OFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arming_taken_back),
	    cmocka_unit_test(test_taken_by_xdp_stays_on),
	    cmocka_unit_test(test_handed_back_stays_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
