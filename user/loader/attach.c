/* xdptcp attach: load the skeleton, reuse or create the pinned maps, attach
 * with a pinned bpf_link so XDP (TIME-WAIT answers, owned flows never
 * passed to the kernel) outlives a crashed control plane (DESIGN.md). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "xdptcp/abi.h"
#include "xdptcp/tcb.h"
#include "xdptcp.skel.h"
#include "loader/loader_int.h"
#include "loader/queues.h"

static int mkdir_p(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);

	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A pinned link whose device went away is defunct (ifindex 0): drop it.
 * A live one means this device is already attached. */
static int check_old_link(const char *dir, const char *ifname, char *err, size_t errlen)
{
	char path[4096 + 64];
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	int fd, rc = 0;

	if (loader_pin_path(path, sizeof(path), dir, XDPTCP_LINK_PIN))
		return loader_msg(err, errlen, -ENAMETOOLONG, "pin path too long");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0
				       : loader_fail(err, errlen, -errno, "cannot open %s", path);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		rc = loader_fail(err, errlen, -errno, "cannot query the link pinned at %s", path);
	else if (info.xdp.ifindex)
		rc = loader_msg(err, errlen, -EEXIST,
				"xdptcp is already attached to %s (prog id %u, link pinned at %s); "
				"`xdptcp detach --dev %s` first, or attach with --reset",
				ifname, info.prog_id, path, ifname);
	else if (unlink(path))
		rc = loader_fail(err, errlen, -errno, "cannot remove the defunct link %s", path);
	close(fd);
	return rc;
}

/* Opens the pinned abi map and checks it. Returns 1 when maps are pinned
 * and match, 0 when nothing is pinned, or a negative errno. */
static int check_old_maps(const char *dir, const char *ifname, char *err, size_t errlen)
{
	char path[4096 + 64];
	int fd, rc, pinned = 0;

	for (int i = 0; i < XDPTCP_NMAPS; i++) {
		if (loader_pin_path(path, sizeof(path), dir, xdptcp_map_name(i)))
			return loader_msg(err, errlen, -ENAMETOOLONG, "pin path too long");
		if (access(path, F_OK) == 0)
			pinned++;
	}
	if (!pinned)
		return 0;
	loader_pin_path(path, sizeof(path), dir, xdptcp_map_name(XDPTCP_MAP_ABI));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return loader_fail(err, errlen, errno == ENOENT ? -EPROTO : -errno,
				   "pinned maps in %s have no readable abi map; `xdptcp attach "
				   "--dev %s --reset` removes them",
				   dir, ifname);
	rc = loader_abi_check(fd, dir, ifname, err, errlen);
	close(fd);
	return rc ? rc : 1;
}

static struct bpf_program *xdp_program(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj)
		if (bpf_program__type(prog) == BPF_PROG_TYPE_XDP)
			return prog;
	return NULL;
}

static int write_config(struct xdptcp *skel, const struct xdptcp_attach_opts *o, bool fresh,
			char *err, size_t errlen)
{
	uint32_t key = 0, nq = 0, msl = o->msl_ms ? o->msl_ms : XDPTCP_DEFAULT_MSL_MS;
	uint64_t abi = xdptcp_abi_hash();
	struct xdptcp_config cfg = { 0 };
	uint64_t seed;
	uint32_t buckets;
	int rc;

	/* reused maps keep their configuration, unless told otherwise or
	 * it was never written (nqueues is at least 1 once it was) */
	if (!fresh && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.config), &key, &cfg) &&
	    cfg.nqueues) {
		if (!o->msl_ms)
			return 0;
		/* the table's entries are where this seed put them */
		seed = cfg.tw_seed;
		buckets = cfg.tw_buckets;
	} else {
		if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
			return loader_msg(err, errlen, -EIO,
					  "no random bytes for the TIME-WAIT table's seed");
		buckets = bpf_map__max_entries(skel->maps.timewait);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.tw_seed = seed;
	cfg.tw_buckets = buckets;
	rc = loader_rx_queues(o->target.ifname, &nq);
	if (rc)
		return loader_fail(err, errlen, rc, "cannot count the RX queues of %s",
				   o->target.ifname);
	if (nq > bpf_map__max_entries(skel->maps.xsks))
		return loader_msg(err, errlen, -E2BIG,
				  "%s has %u RX queues, the xsks map holds %u; reduce them with "
				  "`ethtool -L %s`",
				  o->target.ifname, nq, bpf_map__max_entries(skel->maps.xsks),
				  o->target.ifname);
	cfg.tw_timeout_ns = 2ull * msl * 1000000ull; /* 2*MSL, RFC 9293 3.4.2 */
	cfg.nqueues = nq;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.config), &key, &cfg, BPF_ANY))
		return loader_fail(err, errlen, -errno, "cannot write the config map");
	/* abi last: a reader that sees the hash sees a configured program */
	if (fresh && bpf_map_update_elem(bpf_map__fd(skel->maps.abi), &key, &abi, BPF_ANY))
		return loader_fail(err, errlen, -errno, "cannot write the abi map");
	return 0;
}

static int link_error(int rc, const struct xdptcp_attach_opts *o, int ifindex, char *err,
		      size_t errlen)
{
	const char *ifname = o->target.ifname;
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (rc == -EBUSY || rc == -EEXIST) {
		struct bpf_prog_info pi = { 0 };
		__u32 len = sizeof(pi);
		int fd;

		if (!bpf_xdp_query(ifindex, 0, &q) && q.prog_id &&
		    (fd = bpf_prog_get_fd_by_id(q.prog_id)) >= 0) {
			bpf_obj_get_info_by_fd(fd, &pi, &len);
			close(fd);
		}
		return loader_fail(err, errlen, rc,
				   "another XDP program (id %u, name '%s') is attached to %s; "
				   "remove it first (`ip link set dev %s xdp off`)",
				   q.prog_id, pi.name, ifname, ifname);
	}
	if (rc == -EOPNOTSUPP && o->mode == XDPTCP_MODE_NATIVE)
		return loader_fail(err, errlen, rc,
				   "%s does not support native XDP; try --mode skb", ifname);
	if (rc == -EPERM)
		return loader_fail(err, errlen, rc,
				   "attaching XDP to %s needs root (CAP_NET_ADMIN)", ifname);
	return loader_fail(err, errlen, rc, "attaching XDP to %s in %s mode failed", ifname,
			   xdptcp_mode_name(o->mode));
}

static int load_and_link(const struct xdptcp_attach_opts *o, int ifindex, const char *dir,
			 bool reuse, struct xdptcp_attach_info *info, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts);
	char path[4096 + 64];
	struct bpf_prog_info pinfo = { 0 };
	struct bpf_link_info linfo = { 0 };
	__u32 plen = sizeof(pinfo), llen = sizeof(linfo);
	struct bpf_program *prog;
	struct xdptcp *skel;
	int rc, link_fd = -1;

	skel = xdptcp__open();
	if (!skel)
		return loader_fail(err, errlen, -errno, "cannot open the xdptcp BPF skeleton");
	for (int i = 0; i < XDPTCP_NMAPS; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(skel->obj, xdptcp_map_name(i));

		if (!map) {
			rc = loader_msg(err, errlen, -ENOENT, "the BPF object has no map '%s'",
					xdptcp_map_name(i));
			goto out;
		}
		/* libbpf reuses an existing pin (after checking type, sizes
		 * and flags) or creates the map and pins it after load */
		loader_pin_path(path, sizeof(path), dir, xdptcp_map_name(i));
		rc = bpf_map__set_pin_path(map, path);
		if (rc) {
			loader_fail(err, errlen, rc, "cannot set pin path %s", path);
			goto out;
		}
	}
	prog = xdp_program(skel->obj);
	if (!prog) {
		rc = loader_msg(err, errlen, -ENOENT, "the BPF object has no XDP program");
		goto out;
	}
	rc = xdptcp__load(skel);
	if (rc) {
		if (rc == -EPERM)
			loader_fail(err, errlen, rc,
				    "loading the XDP program needs root (CAP_BPF, CAP_NET_ADMIN)");
		else
			loader_fail(err, errlen, rc,
				    "loading the XDP program failed%s (--verbose shows libbpf's "
				    "log)",
				    reuse ? " with the pinned maps" : "");
		goto out;
	}
	rc = write_config(skel, o, !reuse, err, errlen);
	if (rc)
		goto out;

	lopts.flags = o->mode == XDPTCP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lopts);
	if (link_fd < 0) {
		rc = link_error(-errno, o, ifindex, err, errlen);
		goto out;
	}
	loader_pin_path(path, sizeof(path), dir, XDPTCP_LINK_PIN);
	if (bpf_obj_pin(link_fd, path)) {
		rc = loader_fail(err, errlen, -errno, "cannot pin the link at %s", path);
		goto out; /* closing the unpinned link detaches it */
	}
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pinfo, &plen))
		info->prog_id = pinfo.id;
	if (!bpf_obj_get_info_by_fd(link_fd, &linfo, &llen))
		info->link_id = linfo.id;
	info->reused_maps = reuse;
	rc = 0;
out:
	if (link_fd >= 0)
		close(link_fd);
	xdptcp__destroy(skel); /* the pins keep maps, program and link alive */
	return rc;
}

int xdptcp_attach(const struct xdptcp_attach_opts *o, struct xdptcp_attach_info *info, char *err,
		  size_t errlen)
{
	const char *ifname = o->target.ifname;
	char *dir = info->pin_dir;
	int rc, found, ifindex, reuse;

	memset(info, 0, sizeof(*info));
	rc = xdptcp_check_ifname(ifname, err, errlen);
	if (rc)
		return rc;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return loader_fail(err, errlen, -errno,
				   "no network device %s in this network namespace", ifname);
	rc = loader_target_dir(&o->target, dir, sizeof(info->pin_dir), err, errlen);
	if (rc)
		return rc;
	if (o->reset) {
		rc = loader_remove_pins(dir, &found, err, errlen);
		if (rc)
			return rc;
	}
	rc = check_old_link(dir, ifname, err, errlen);
	if (rc)
		return rc;
	reuse = check_old_maps(dir, ifname, err, errlen);
	if (reuse < 0)
		return reuse;
	rc = mkdir_p(dir);
	if (rc)
		return loader_fail(err, errlen, rc, "cannot create the pin dir %s", dir);

	rc = load_and_link(o, ifindex, dir, reuse, info, err, errlen);
	if (rc && !reuse) {
		/* leave nothing behind from a fresh attach that failed */
		char keep[XDPTCP_ERR_LEN];

		loader_remove_pins(dir, &found, keep, sizeof(keep));
	}
	return rc;
}
