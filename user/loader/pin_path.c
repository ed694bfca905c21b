/* Where the pins live: <bpffs>/xdptcp/<netns-inode>/<ifname> (DESIGN.md).
 * The netns inode keeps equal interface names in different namespaces
 * apart. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "loader/loader_int.h"

const char *xdptcp_bpffs_choose(const char *flag, const char *env, bool *explicit)
{
	*explicit = true;
	if (flag)
		return flag;
	if (env && *env)
		return env;
	*explicit = false;
	return XDPTCP_DEFAULT_BPFFS;
}

int xdptcp_pin_dir_build(char *out, size_t outlen, const char *bpffs, uint64_t netns_ino,
			 const char *ifname, char *err, size_t errlen)
{
	size_t blen;
	int rc, n;

	rc = xdptcp_check_ifname(ifname, err, errlen);
	if (rc)
		return rc;
	if (!bpffs || bpffs[0] != '/')
		return loader_msg(err, errlen, -EINVAL, "bpffs path '%s' is not absolute",
				  bpffs ? bpffs : "");
	blen = strlen(bpffs);
	while (blen > 1 && bpffs[blen - 1] == '/')
		blen--;
	if (blen == 1) /* "/" itself: avoid "//xdptcp" */
		blen = 0;
	n = snprintf(out, outlen, "%.*s/xdptcp/%" PRIu64 "/%s", (int)blen, bpffs, netns_ino,
		     ifname);
	if (n < 0 || (size_t)n >= outlen)
		return loader_msg(err, errlen, -ENAMETOOLONG, "pin dir under '%s' is too long",
				  bpffs);
	return 0;
}

int xdptcp_netns_inode(uint64_t *ino, char *err, size_t errlen)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return loader_fail(err, errlen, -errno,
				   "cannot find this process's network namespace "
				   "(stat /proc/self/ns/net)");
	*ino = st.st_ino;
	return 0;
}

int loader_pin_path(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int loader_target_dir(const struct xdptcp_target *t, char *dir, size_t dirlen, char *err,
		      size_t errlen)
{
	char bpffs[4096];
	uint64_t ino = 0;
	int rc;

	rc = xdptcp_check_ifname(t->ifname, err, errlen);
	if (rc)
		return rc;
	rc = xdptcp_bpffs_resolve(t->bpffs, getenv(XDPTCP_BPFFS_ENV), bpffs, sizeof(bpffs), err,
				  errlen);
	if (rc)
		return rc;
	rc = xdptcp_netns_inode(&ino, err, errlen);
	if (rc)
		return rc;
	return xdptcp_pin_dir_build(dir, dirlen, bpffs, ino, t->ifname, err, errlen);
}
