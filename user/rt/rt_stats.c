/* The control plane's counters in a pinned, mmapped BPF array (rt_stats.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "rt/rt_stats.h"

const char *xdptcp_rt_stat_name(unsigned int id)
{
	static const char *const names[] = {
#define N(id, name, help) name,
		XDPTCP_RT_STATS(N)
#undef N
	};
	return id < XDPTCP_RT_STAT_MAX ? names[id] : "unknown";
}

const char *xdptcp_rt_stat_help(unsigned int id)
{
	static const char *const help[] = {
#define H(id, name, h) h,
		XDPTCP_RT_STATS(H)
#undef H
	};
	return id < XDPTCP_RT_STAT_MAX ? help[id] : "";
}

static size_t map_bytes(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t n = XDPTCP_RT_STAT_MAX * sizeof(uint64_t);

	return (n + (size_t)pg - 1) / (size_t)pg * (size_t)pg;
}

int xdptcp_rt_stats_create(const char *pin_dir, uint64_t **out)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	char path[4200];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, XDPTCP_RT_STATS_PIN);
	/* a crashed serve's counters are kept: they count since attach */
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdptcp_rt_stats", sizeof(uint32_t),
				    sizeof(uint64_t), XDPTCP_RT_STAT_MAX, &o);
		if (fd < 0)
			return -errno;
		if (bpf_obj_pin(fd, path)) {
			int rc = -errno;

			close(fd);
			return rc;
		}
	}
	p = mmap(NULL, map_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*out = p;
	return fd;
}

void xdptcp_rt_stats_destroy(int fd, uint64_t *counters)
{
	if (counters)
		munmap(counters, map_bytes());
	if (fd >= 0)
		close(fd);
}

int xdptcp_rt_stats_read(const char *pin_dir, uint64_t *out, unsigned int n)
{
	char path[4200];
	unsigned int i;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, XDPTCP_RT_STATS_PIN);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n && i < XDPTCP_RT_STAT_MAX; i++) {
		uint32_t k = i;

		if (bpf_map_lookup_elem(fd, &k, &out[i])) {
			int rc = -errno;

			if (rc == -ENOENT)
				break; /* pinned by an older serve with fewer counters */
			close(fd);
			return rc;
		}
	}
	close(fd);
	return (int)i;
}
