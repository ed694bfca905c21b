/* Sums the per-CPU `stats` array: one counter per id of xdptcp/stats.h. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdptcp/stats.h"
#include "loader/loader_int.h"

int xdptcp_stats_read(const struct xdptcp_pinned *p, uint64_t *out, unsigned int n, char *err,
		      size_t errlen)
{
	int fd = p->map_fd[XDPTCP_MAP_STATS];
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *percpu;
	int rc = 0;

	if (fd < 0)
		return loader_msg(err, errlen, -ENOENT, "no stats map pinned in %s", p->dir);
	if (ncpu <= 0)
		return loader_fail(err, errlen, ncpu ? ncpu : -EINVAL, "cannot count the CPUs");
	if (n > XDPTCP_STAT_MAX)
		n = XDPTCP_STAT_MAX;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return loader_fail(err, errlen, -ENOMEM, "stats");
	for (uint32_t id = 0; id < n; id++) {
		out[id] = 0;
		if (bpf_map_lookup_elem(fd, &id, percpu)) {
			rc = loader_fail(err, errlen, -errno, "cannot read counter %u in %s/stats",
					 id, p->dir);
			break;
		}
		for (int c = 0; c < ncpu; c++)
			out[id] += percpu[c];
	}
	free(percpu);
	return rc;
}
