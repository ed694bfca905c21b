/* What `xdptcp status` shows: link and device state, map occupancy. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdptcp/tcb.h"
#include "loader/loader_int.h"
#include "loader/twtab.h"

static int count_keys(int fd, uint64_t *n)
{
	/* the largest key is the flow key; ports use 2 bytes */
	unsigned char key[64], next[64];
	void *prev = NULL;
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.key_size > sizeof(key))
		return -E2BIG;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		(*n)++;
		memcpy(key, next, info.key_size);
		prev = key;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* tcbs is BPF_F_MMAPABLE: read it in one mapping instead of 64k lookups */
static int count_tcbs(int fd, uint64_t *in_use, uint64_t *max)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	const struct xdptcp_tcb *t;
	size_t size;

	*in_use = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*max = info.max_entries;
	if (info.value_size != sizeof(*t))
		return -EPROTO;
	size = (size_t)info.max_entries * sizeof(*t);
	t = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (t == MAP_FAILED)
		return -errno;
	for (uint32_t i = 0; i < info.max_entries; i++)
		if (t[i].state != XDPTCP_CLOSED)
			(*in_use)++;
	munmap((void *)t, size);
	return 0;
}

int xdptcp_status_read(const char *ifname, const struct xdptcp_pinned *p, struct xdptcp_status *st,
		       char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int rc;

	memset(st, 0, sizeof(*st));
	st->ifindex = if_nametoindex(ifname);
	if (st->ifindex && !bpf_xdp_query(st->ifindex, 0, &q)) {
		st->dev_prog_id = q.prog_id;
		st->attach_mode = q.attach_mode;
	}
	if (p->link_fd >= 0) {
		struct bpf_link_info li = { 0 };
		__u32 len = sizeof(li);

		st->link_pinned = true;
		if (bpf_obj_get_info_by_fd(p->link_fd, &li, &len))
			return loader_fail(err, errlen, -errno,
					   "cannot query the pinned link in %s", p->dir);
		st->link_id = li.id;
		st->prog_id = li.prog_id;
		st->attached = li.xdp.ifindex != 0 && (int)li.xdp.ifindex == st->ifindex;
	}
	if (p->map_fd[XDPTCP_MAP_CONFIG] >= 0) {
		struct xdptcp_config cfg = { 0 };
		uint32_t key = 0;

		if (bpf_map_lookup_elem(p->map_fd[XDPTCP_MAP_CONFIG], &key, &cfg))
			return loader_fail(err, errlen, -errno, "cannot read the config map in %s",
					   p->dir);
		st->tw_timeout_ns = cfg.tw_timeout_ns;
		st->nqueues = cfg.nqueues;
	}
	if (p->map_fd[XDPTCP_MAP_TCBS] >= 0) {
		rc = count_tcbs(p->map_fd[XDPTCP_MAP_TCBS], &st->tcbs_in_use, &st->tcbs_max);
		if (rc)
			return loader_fail(err, errlen, rc, "cannot read the tcbs map in %s",
					   p->dir);
	}
	const struct {
		enum xdptcp_map_id id;
		uint64_t *n;
	} hashes[] = {
		{ XDPTCP_MAP_FLOWS, &st->flows },
		{ XDPTCP_MAP_PORTS, &st->ports },
	};
	if (p->map_fd[XDPTCP_MAP_TIMEWAIT] >= 0) {
		struct xdptcp_twtab t;
		struct timespec ts;

		/* live slots: an expired one is absent for XDP too */
		rc = xdptcp_twtab_open(&t, p, false, err, errlen);
		if (rc)
			return rc;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		st->timewait = xdptcp_twtab_count(&t, (uint64_t)ts.tv_sec * 1000000000ull +
							      (uint64_t)ts.tv_nsec);
		st->tw_slots = (uint64_t)t.nbuckets * XDPTCP_TW_WAYS;
		xdptcp_twtab_close(&t);
	}
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		if (p->map_fd[hashes[i].id] < 0)
			continue;
		rc = count_keys(p->map_fd[hashes[i].id], hashes[i].n);
		if (rc)
			return loader_fail(err, errlen, rc, "cannot count the %s map in %s",
					   xdptcp_map_name(hashes[i].id), p->dir);
	}
	return 0;
}
