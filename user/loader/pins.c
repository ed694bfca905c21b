/* Opening, checking and removing the pins of one device. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "xdptcp/abi.h"
#include "loader/loader_int.h"

int loader_abi_check(int abi_fd, const char *dir, const char *ifname, char *err, size_t errlen)
{
	uint64_t have = 0, want = xdptcp_abi_hash();
	uint32_t key = 0;

	if (bpf_map_lookup_elem(abi_fd, &key, &have))
		return loader_fail(err, errlen, -errno, "cannot read the pinned abi map in %s",
				   dir);
	if (have != want)
		return loader_msg(err, errlen, -EPROTO,
				  "pinned maps in %s have ABI hash 0x%016" PRIx64
				  ", this xdptcp expects 0x%016" PRIx64
				  " (another version made them); `xdptcp attach --dev %s --reset` "
				  "removes them, dropping their connections and TIME-WAIT entries",
				  dir, have, want, ifname);
	return 0;
}

static int obj_get(const char *dir, const char *name)
{
	char path[4096 + 64];
	int fd;

	if (loader_pin_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

void xdptcp_pinned_close(struct xdptcp_pinned *p)
{
	for (int i = 0; i < XDPTCP_NMAPS; i++) {
		if (p->map_fd[i] >= 0)
			close(p->map_fd[i]);
		p->map_fd[i] = -1;
	}
	if (p->link_fd >= 0)
		close(p->link_fd);
	p->link_fd = -1;
}

int xdptcp_pinned_open(const struct xdptcp_target *target, struct xdptcp_pinned *p, char *err,
		       size_t errlen)
{
	int rc, found = 0;

	for (int i = 0; i < XDPTCP_NMAPS; i++)
		p->map_fd[i] = -1;
	p->link_fd = -1;
	rc = loader_target_dir(target, p->dir, sizeof(p->dir), err, errlen);
	if (rc)
		return rc;

	for (int i = 0; i < XDPTCP_NMAPS; i++) {
		int fd = obj_get(p->dir, xdptcp_map_name(i));

		if (fd >= 0) {
			p->map_fd[i] = fd;
			found++;
		} else if (fd != -ENOENT) {
			rc = loader_fail(err, errlen, fd, "cannot open pinned map %s/%s", p->dir,
					 xdptcp_map_name(i));
			goto fail;
		}
	}
	rc = obj_get(p->dir, XDPTCP_LINK_PIN);
	if (rc >= 0) {
		p->link_fd = rc;
		found++;
	} else if (rc != -ENOENT) {
		loader_fail(err, errlen, rc, "cannot open pinned link %s/%s", p->dir,
			    XDPTCP_LINK_PIN);
		goto fail;
	}
	if (!found) {
		rc = loader_msg(err, errlen, -ENOENT,
				"xdptcp is not attached to %s in this network namespace "
				"(nothing pinned in %s)",
				target->ifname, p->dir);
		goto fail;
	}
	if (p->map_fd[XDPTCP_MAP_ABI] < 0) {
		rc = loader_msg(err, errlen, -EPROTO,
				"pins in %s have no abi map (an older or broken xdptcp made "
				"them); `xdptcp attach --dev %s --reset` removes them",
				p->dir, target->ifname);
		goto fail;
	}
	rc = loader_abi_check(p->map_fd[XDPTCP_MAP_ABI], p->dir, target->ifname, err, errlen);
	if (rc)
		goto fail;
	return 0;
fail:
	xdptcp_pinned_close(p);
	return rc;
}

/* Removes dir, then its parents while they are empty, stopping at the
 * "xdptcp" directory's parent (the bpffs itself). */
static void remove_dirs(const char *dir)
{
	char path[4096];
	char *slash;

	if (strlen(dir) >= sizeof(path))
		return;
	strcpy(path, dir);
	for (int level = 0; level < 3; level++) { /* ifname, netns, xdptcp */
		if (rmdir(path))
			return;
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			return;
		*slash = '\0';
	}
}

int loader_remove_pins(const char *dir, int *found, char *err, size_t errlen)
{
	char path[4096 + 256];
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	*found = 0;
	/* Detach first: unpinning alone leaves XDP running while any other
	 * process (a control plane) still holds the link. */
	fd = obj_get(dir, XDPTCP_LINK_PIN);
	if (fd >= 0) {
		if (bpf_link_detach(fd))
			rc = loader_fail(err, errlen, -errno,
					 "cannot detach the link pinned at %s/%s", dir,
					 XDPTCP_LINK_PIN);
		close(fd);
		if (rc)
			return rc;
	}
	/* Every entry of the dir is ours: the link, the maps and whatever a
	 * later version pinned next to them. */
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0
				       : loader_fail(err, errlen, -errno, "cannot open %s", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (loader_pin_path(path, sizeof(path), dir, de->d_name)) {
			rc = loader_msg(err, errlen, -ENAMETOOLONG, "pin path too long in %s", dir);
			break;
		}
		if (unlink(path) && errno != ENOENT) {
			rc = loader_fail(err, errlen, -errno, "cannot remove pin %s", path);
			break;
		}
		(*found)++;
	}
	closedir(d);
	if (!rc)
		remove_dirs(dir);
	return rc;
}
