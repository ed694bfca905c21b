/* Loader pieces that need no root: option values, pin paths, the bpffs
 * resolution order and its refusals, and the skeleton's map names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include "loader/loader.h"
#include "xdptcp.skel.h"

static char err[XDPTCP_ERR_LEN];

static void test_pin_dir_layout(void **state)
{
	char dir[256];

	(void)state;
	assert_int_equal(xdptcp_pin_dir_build(dir, sizeof(dir), "/run/xdptcp/bpffs", 4026531840ull,
					      "srv0", err, sizeof(err)),
			 0);
	assert_string_equal(dir, "/run/xdptcp/bpffs/xdptcp/4026531840/srv0");
}

static void test_pin_dir_trailing_slashes(void **state)
{
	char dir[256];

	(void)state;
	assert_int_equal(xdptcp_pin_dir_build(dir, sizeof(dir), "/sys/fs/bpf//", 7, "eth0", err,
					      sizeof(err)),
			 0);
	assert_string_equal(dir, "/sys/fs/bpf/xdptcp/7/eth0");
	assert_int_equal(xdptcp_pin_dir_build(dir, sizeof(dir), "/", 7, "eth0", err, sizeof(err)),
			 0);
	assert_string_equal(dir, "/xdptcp/7/eth0");
}

static void test_pin_dir_refusals(void **state)
{
	char dir[32];

	(void)state;
	assert_int_equal(xdptcp_pin_dir_build(dir, sizeof(dir), "/a/very/long/bpffs/mount", 1234567,
					      "eth0", err, sizeof(err)),
			 -ENAMETOOLONG);
	assert_int_equal(
		xdptcp_pin_dir_build(dir, sizeof(dir), "relative", 1, "eth0", err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "not absolute"));
	assert_int_equal(xdptcp_pin_dir_build(dir, sizeof(dir), "/b", 1, "../x", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(xdptcp_pin_dir_build(dir, sizeof(dir), "/b", 1, "..", err, sizeof(err)),
			 -EINVAL);
}

static void test_ifname_rules(void **state)
{
	(void)state;
	assert_int_equal(xdptcp_check_ifname("veth-srv.10", err, sizeof(err)), 0);
	assert_int_equal(xdptcp_check_ifname("123456789012345", err, sizeof(err)), 0);
	assert_int_equal(xdptcp_check_ifname("1234567890123456", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 15"));
	assert_int_equal(xdptcp_check_ifname("", err, sizeof(err)), -EINVAL);
	assert_int_equal(xdptcp_check_ifname(NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(xdptcp_check_ifname("a/b", err, sizeof(err)), -EINVAL);
	assert_int_equal(xdptcp_check_ifname("a b", err, sizeof(err)), -EINVAL);
	assert_int_equal(xdptcp_check_ifname("a:b", err, sizeof(err)), -EINVAL);
	assert_int_equal(xdptcp_check_ifname(".", err, sizeof(err)), -EINVAL);
	assert_int_equal(xdptcp_check_ifname("a\tb", err, sizeof(err)), -EINVAL);
}

static void test_bpffs_order(void **state)
{
	bool explicit;

	(void)state;
	assert_string_equal(xdptcp_bpffs_choose("/flag", "/env", &explicit), "/flag");
	assert_true(explicit);
	assert_string_equal(xdptcp_bpffs_choose(NULL, "/env", &explicit), "/env");
	assert_true(explicit);
	assert_string_equal(xdptcp_bpffs_choose(NULL, "", &explicit), "/sys/fs/bpf");
	assert_false(explicit);
	assert_string_equal(xdptcp_bpffs_choose(NULL, NULL, &explicit), "/sys/fs/bpf");
	assert_false(explicit);
}

/* A named directory that is not a bpffs is an error, never a fallback. */
static void test_bpffs_named_not_bpffs(void **state)
{
	char out[256] = "";

	(void)state;
	assert_int_equal(
		xdptcp_bpffs_resolve("/tmp", "/also-ignored", out, sizeof(out), err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "--bpffs '/tmp' is not a bpffs"));
	assert_string_equal(out, "");
	assert_int_equal(xdptcp_bpffs_resolve(NULL, "/tmp", out, sizeof(out), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "XDPTCP_BPFFS '/tmp' is not a bpffs"));
	assert_string_equal(out, "");
}

static void test_bpffs_named_missing(void **state)
{
	char out[256] = "";

	(void)state;
	assert_int_equal(xdptcp_bpffs_resolve(NULL, "/nonexistent/xdptcp-bpffs", out, sizeof(out),
					      err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/xdptcp-bpffs"));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(
		xdptcp_bpffs_resolve(NULL, "relative/dir", out, sizeof(out), err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "not an absolute path"));
}

/* The lab's shared bpffs, when this machine has one: a named bpffs is taken. */
static void test_bpffs_named_ok(void **state)
{
	const char *lab = "/run/xdptcp/bpffs";
	char out[256] = "";
	bool is_bpffs = false;
	int rc;

	(void)state;
	rc = xdptcp_bpffs_resolve(lab, NULL, out, sizeof(out), err, sizeof(err));
	is_bpffs = rc == 0;
	if (!is_bpffs)
		skip(); /* no lab bpffs mounted here (scripts/lab.sh up mounts it) */
	assert_string_equal(out, lab);
}

static void test_mode_values(void **state)
{
	enum xdptcp_mode m = XDPTCP_MODE_SKB;

	(void)state;
	assert_int_equal(xdptcp_parse_mode("native", &m), 0);
	assert_int_equal(m, XDPTCP_MODE_NATIVE);
	assert_int_equal(xdptcp_parse_mode("skb", &m), 0);
	assert_int_equal(m, XDPTCP_MODE_SKB);
	assert_int_equal(xdptcp_parse_mode("Native", &m), -EINVAL);
	assert_int_equal(xdptcp_parse_mode("drv", &m), -EINVAL); /* only what --help names */
	assert_int_equal(xdptcp_parse_mode("", &m), -EINVAL);
	assert_int_equal(xdptcp_parse_mode(NULL, &m), -EINVAL);
	assert_string_equal(xdptcp_mode_name(XDPTCP_MODE_NATIVE), "native");
	assert_string_equal(xdptcp_mode_name(XDPTCP_MODE_SKB), "skb");
}

static void test_msl_values(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_int_equal(xdptcp_parse_msl_ms("1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(xdptcp_parse_msl_ms("30000", &v), 0);
	assert_int_equal(v, 30000);
	assert_int_equal(xdptcp_parse_msl_ms("3600000", &v), 0);
	assert_int_equal(xdptcp_parse_msl_ms("3600001", &v), -ERANGE);
	assert_int_equal(xdptcp_parse_msl_ms("0", &v), -ERANGE);
	assert_int_equal(xdptcp_parse_msl_ms("99999999999999999999999", &v), -ERANGE);
	assert_int_equal(xdptcp_parse_msl_ms("-5", &v), -EINVAL);
	assert_int_equal(xdptcp_parse_msl_ms(" 5", &v), -EINVAL);
	assert_int_equal(xdptcp_parse_msl_ms("5ms", &v), -EINVAL);
	assert_int_equal(xdptcp_parse_msl_ms("", &v), -EINVAL);
	assert_int_equal(v, 3600000); /* untouched by the failures */
}

static void test_netns_inode(void **state)
{
	struct stat st;
	uint64_t ino = 0;

	(void)state;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(xdptcp_netns_inode(&ino, err, sizeof(err)), 0);
	assert_int_equal(ino, st.st_ino);
}

/* The loader pins the skeleton's maps by these names; a rename in
 * bpf/maps.bpf.h must fail here, not at attach time. */
static void test_map_names_match_skeleton(void **state)
{
	struct xdptcp *skel;

	(void)state;
	libbpf_set_print(NULL);
	skel = xdptcp__open();
	assert_non_null(skel);
	for (int i = 0; i < XDPTCP_NMAPS; i++) {
		const char *name = xdptcp_map_name(i);

		if (!bpf_object__find_map_by_name(skel->obj, name))
			fail_msg("the skeleton has no map named '%s'", name);
	}
	assert_string_equal(xdptcp_map_name(XDPTCP_NMAPS), "unknown");
	xdptcp__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_dir_layout),
		cmocka_unit_test(test_pin_dir_trailing_slashes),
		cmocka_unit_test(test_pin_dir_refusals),
		cmocka_unit_test(test_ifname_rules),
		cmocka_unit_test(test_bpffs_order),
		cmocka_unit_test(test_bpffs_named_not_bpffs),
		cmocka_unit_test(test_bpffs_named_missing),
		cmocka_unit_test(test_bpffs_named_ok),
		cmocka_unit_test(test_mode_values),
		cmocka_unit_test(test_msl_values),
		cmocka_unit_test(test_netns_inode),
		cmocka_unit_test(test_map_names_match_skeleton),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
