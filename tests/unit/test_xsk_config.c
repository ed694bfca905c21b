/* Configuration checks of user/xsk that need no socket: UMEM geometry,
 * device config, UMEM slices per queue. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka needs the headers above */
#include <cmocka.h>

#include "xsk/dev.h"
#include "xsk/umem.h"

static void umem_rejects_bad_geometry(void **state)
{
	struct xdptcp_umem u;
	const struct xdptcp_umem_config bad[] = {
	    {.nframes = 0},			/* empty */
	    {.nframes = 8, .frame_size = 3000}, /* not a power of two */
	    {.nframes = 8, .frame_size = 1024}, /* below 2048 */
	    {.nframes = 8, .frame_size = 2048, .frame_headroom = 2048 - 256}, /* no room */
	    {.nframes = 8, .fill_size = 100},				      /* ring not 2^k */
	    {.nframes = 8, .comp_size = 3},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(xdptcp_umem_create(&u, &bad[i]), -EINVAL);
		assert_null(u.area); /* nothing mapped */
	}
}

static void umem_rx_offset_is_headroom_past_xdp_headroom(void **state)
{
	struct xdptcp_umem u = {.frame_headroom = 64};

	(void)state;
	assert_int_equal(xdptcp_umem_rx_offset(&u), 256 + 64);
}

static void umem_slices_do_not_overlap(void **state)
{
	struct xdptcp_umem u = {.nframes = 10, .frame_size = 4096};
	uint64_t a, b;

	(void)state;
	assert_int_equal(xdptcp_umem_take(&u, 4, &a), 0);
	assert_int_equal(xdptcp_umem_take(&u, 6, &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 4 * 4096);
	assert_int_equal(xdptcp_umem_take(&u, 1, &b), -ENOSPC);
	assert_int_equal(xdptcp_umem_take(&u, 0, &b), -ENOSPC);
}

static void dev_rejects_bad_config(void **state)
{
	struct xdptcp_xsk_dev d;
	struct xdptcp_xsk_dev_config c = {.ifname = "lo", .nqueues = 0, .xsks_map_fd = -1};

	(void)state;
	assert_int_equal(xdptcp_xsk_dev_open(&d, &c), -EINVAL);
	assert_string_equal(d.failed, "configuration");
	assert_null(d.q);
	c.nqueues = 1;
	c.ifname = NULL;
	assert_int_equal(xdptcp_xsk_dev_open(&d, &c), -EINVAL);
	c.ifname = "lo";
	c.nqueues = 1u << 20; /* more queues than any device */
	assert_int_equal(xdptcp_xsk_dev_open(&d, &c), -EINVAL);
	/* a bad UMEM geometry fails before any socket exists */
	c.nqueues = 1;
	c.frame_size = 3000;
	assert_int_equal(xdptcp_xsk_dev_open(&d, &c), -EINVAL);
	assert_string_equal(d.failed, "umem");
	assert_null(d.q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(umem_rejects_bad_geometry),
	    cmocka_unit_test(umem_rx_offset_is_headroom_past_xdp_headroom),
	    cmocka_unit_test(umem_slices_do_not_overlap),
	    cmocka_unit_test(dev_rejects_bad_config),
	};

	return cmocka_run_group_tests_name("xsk_config", tests, NULL, NULL);
}
