/* Finding the bpffs: the --bpffs flag, else XDPTCP_BPFFS, else /sys/fs/bpf
 * (mounted here when nothing is). A named directory must already be a
 * bpffs: falling back silently would pin where other processes never look
 * (every `ip netns exec` has its own /sys, DESIGN.md). */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include "loader/loader_int.h"

static int is_bpffs(const char *path, bool *yes)
{
	struct statfs sf;

	if (statfs(path, &sf))
		return -errno;
	*yes = (unsigned long)sf.f_type == (unsigned long)BPF_FS_MAGIC;
	return 0;
}

int xdptcp_bpffs_resolve(const char *flag, const char *env, char *out, size_t outlen, char *err,
			 size_t errlen)
{
	bool explicit, yes = false;
	const char *dir = xdptcp_bpffs_choose(flag, env, &explicit);
	const char *from = flag ? "--bpffs" : explicit ? XDPTCP_BPFFS_ENV : "default bpffs";
	int rc;

	if (dir[0] != '/')
		return loader_msg(err, errlen, -EINVAL, "%s '%s' is not an absolute path", from,
				  dir);
	rc = is_bpffs(dir, &yes);
	if (rc)
		return loader_fail(err, errlen, rc, "%s '%s'", from, dir);
	if (!yes && explicit)
		return loader_msg(err, errlen, -EINVAL,
				  "%s '%s' is not a bpffs mount (mount one with "
				  "`mount -t bpf bpf %s`)",
				  from, dir, dir);
	if (!yes) {
		if (mount("bpf", dir, "bpf", 0, "mode=0700"))
			return loader_fail(err, errlen, -errno,
					   "no bpffs at %s and mounting one there failed%s", dir,
					   errno == EPERM ? " (needs root)" : "");
		rc = is_bpffs(dir, &yes);
		if (rc || !yes)
			return loader_fail(err, errlen, rc ? rc : -ENOTSUP,
					   "mounted a bpffs at %s but cannot see it", dir);
	}
	if (strlen(dir) >= outlen)
		return loader_msg(err, errlen, -ENAMETOOLONG, "bpffs path '%s' is too long", dir);
	strcpy(out, dir);
	return 0;
}
