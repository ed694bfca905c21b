/* xdptcp conns: every connection in the pinned maps of a device, read from
 * another process while `serve` runs: `flows` -> slot of `tcbs` (read
 * through a read-only mapping: the array is BPF_F_MMAPABLE), and `timewait`. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/bpf.h>
#include "cli/cli.h"
#include "cli/conns.h"
#include "loader/twtab.h"

enum { C_DEV, C_BPFFS, C_JSON, C_ALL, C_STATE, C_HELP };

static const struct cli_optspec conns_opts[] = {
	[C_DEV] = { "dev", 0, "IF", "network device (required)" },
	[C_BPFFS] = { "bpffs", 0, "DIR",
		      "bpffs the pins are in (default: $XDPTCP_BPFFS, else "
		      "/sys/fs/bpf)" },
	[C_JSON] = { "json", 0, NULL, "print one JSON object instead of a table" },
	[C_ALL] = { "all", 'a', NULL,
		    "also show expired TIME-WAIT entries not yet reaped and flows whose "
		    "slot generation does not match (stale)" },
	[C_STATE] = { "state", 0, "NAME",
		      "only connections in this RFC 9293 state (e.g. ESTABLISHED, "
		      "TIME-WAIT)" },
	[C_HELP] = { "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct cli_spec conns_spec = {
	.cmd = "conns",
	.synopsis = "--dev IF [--bpffs DIR] [--json] [--all] [--state NAME]",
	.about = "Lists the connections xdptcp holds on IF, from the pinned maps (so it works\n"
		 "from another shell while `xdptcp serve` runs): every `flows` entry with its\n"
		 "`tcbs` slot (4-tuple, RFC 9293 state, fast-path flag, snd_una, snd_nxt,\n"
		 "rcv_nxt) and every `timewait` entry as TIME-WAIT with the milliseconds\n"
		 "left. With --json: {\"dev\": ..., \"pin_dir\": ..., \"hidden\": N,\n"
		 "\"connections\": [{\"local_addr\", \"local_port\", \"remote_addr\",\n"
		 "\"remote_port\", \"state\", \"timewait\", ...}, ...]}.",
	.opts = conns_opts,
};

static int on_conns_opt(int idx, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct cli_conns_args *a = ctx;

	switch (idx) {
	case C_DEV:
		return cli_opt_dev(arg, &a->target, err, errlen);
	case C_BPFFS:
		return cli_opt_bpffs(arg, &a->target, err, errlen);
	case C_JSON:
		a->json = true;
		return 0;
	case C_ALL:
		a->filter.all = true;
		return 0;
	case C_STATE:
		a->filter.state = conns_parse_state(arg);
		if (a->filter.state >= 0)
			return 0;
		snprintf(err, errlen, "--state: unknown state '%s' (try ESTABLISHED, TIME-WAIT)",
			 arg);
		return CLI_EXIT_USAGE;
	case C_HELP:
		a->help = true;
		return 0;
	}
	return CLI_EXIT_USAGE;
}

int cli_parse_conns(int argc, char **argv, struct cli_conns_args *a, char *err, size_t errlen)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->filter.state = -1;
	rc = cli_getopt(&conns_spec, argc, argv, on_conns_opt, a, err, errlen);
	if (rc || a->help)
		return rc;
	return cli_need_dev(&conns_spec, &a->target, err, errlen);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int map_check(int fd, const char *name, uint32_t key_size, uint32_t value_size,
		     uint32_t *max_entries, char *err, size_t errlen)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (fd < 0) {
		snprintf(err, errlen, "the %s map is not pinned", name);
		return -ENOENT;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		snprintf(err, errlen, "cannot query the %s map: %s", name, strerror(errno));
		return -errno;
	}
	if (info.key_size != key_size || info.value_size != value_size) {
		snprintf(err, errlen, "the %s map has key/value sizes %u/%u, expected %u/%u", name,
			 info.key_size, info.value_size, key_size, value_size);
		return -EPROTO;
	}
	if (max_entries)
		*max_entries = info.max_entries;
	return 0;
}

/* Called for each entry of a walk; returns 0 or a negative errno (stop). */
typedef int (*walk_fn)(const void *key, const void *value, uint64_t now_ns, void *ctx);

/* Key by key: the fallback where batched lookups are refused. A key
 * deleted under the walk restarts it (get_next_key), conns_finish drops
 * the repeats. */
static int walk_keys(int fd, size_t ksz, size_t vsz, walk_fn fn, void *ctx)
{
	unsigned char key[64], next[64], val[64];
	void *prev = NULL;
	int rc = 0;

	if (ksz > sizeof(key) || vsz > sizeof(val))
		return -E2BIG;
	while (!rc && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue; /* deleted since get_next_key */
		/* the clock after the lookup: a deadline is never judged early */
		rc = fn(key, val, monotonic_ns(), ctx);
	}
	if (!rc && errno != ENOENT)
		rc = -errno;
	return rc;
}

/* Every entry of a hash map: batched lookups, bucket by bucket, so a
 * reaper deleting entries meanwhile neither restarts nor stalls the walk. */
static int walk_hash(int fd, size_t ksz, size_t vsz, walk_fn fn, void *ctx)
{
	enum { BATCH = 4096 };
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	unsigned char *keys = malloc(BATCH * ksz), *vals = malloc(BATCH * vsz);
	uint64_t in_tok = 0, out_tok = 0; /* opaque: a bucket index for hashes */
	bool first = true;
	int rc = 0;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	while (!rc) {
		__u32 n = BATCH;
		int e = 0;

		if (bpf_map_lookup_batch(fd, first ? NULL : &in_tok, &out_tok, keys, vals, &n,
					 &opts))
			e = errno;
		if (e && e != ENOENT) {
			/* EINVAL/ENOTSUPP: no batch ops here: key by key */
			if (first)
				rc = walk_keys(fd, ksz, vsz, fn, ctx);
			else
				rc = -e;
			break;
		}
		uint64_t now = monotonic_ns();

		for (__u32 i = 0; !rc && i < n; i++)
			rc = fn(keys + i * ksz, vals + i * vsz, now, ctx);
		if (e == ENOENT)
			break; /* that was the last batch */
		in_tok = out_tok;
		first = false;
	}
	free(keys);
	free(vals);
	return rc;
}

struct flows_ctx {
	struct conns_table *t;
	const struct xdptcp_tcb *tcbs;
	uint32_t nslots;
};

static int add_flow(const void *key, const void *value, uint64_t now_ns, void *ctx)
{
	const struct xdptcp_flow *flow = value;
	struct flows_ctx *c = ctx;

	(void)now_ns;
	return conns_add_flow(c->t, key, flow,
			      flow->slot < c->nslots ? &c->tcbs[flow->slot] : NULL);
}

struct tw_ctx {
	struct conns_table *t;
	uint64_t now_ns;
};

static int add_tw(const struct xdptcp_flow_key *k, const struct xdptcp_tw *tw, void *ctx)
{
	struct tw_ctx *c = ctx;

	return conns_add_tw(c->t, k, tw, c->now_ns);
}

static int read_flows(const struct xdptcp_pinned *p, struct conns_table *t, char *err,
		      size_t errlen)
{
	int ffd = p->map_fd[XDPTCP_MAP_FLOWS], tfd = p->map_fd[XDPTCP_MAP_TCBS];
	struct flows_ctx c = { .t = t };
	size_t size;
	int rc;

	rc = map_check(ffd, "flows", sizeof(struct xdptcp_flow_key), sizeof(struct xdptcp_flow),
		       NULL, err, errlen);
	if (!rc)
		rc = map_check(tfd, "tcbs", sizeof(uint32_t), sizeof(struct xdptcp_tcb), &c.nslots,
			       err, errlen);
	if (rc)
		return rc;
	/* tcbs is BPF_F_MMAPABLE: one mapping instead of a lookup per flow */
	size = (size_t)c.nslots * sizeof(struct xdptcp_tcb);
	c.tcbs = mmap(NULL, size, PROT_READ, MAP_SHARED, tfd, 0);
	if (c.tcbs == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "cannot map the tcbs array: %s", strerror(errno));
		return rc;
	}
	rc = walk_hash(ffd, sizeof(struct xdptcp_flow_key), sizeof(struct xdptcp_flow), add_flow,
		       &c);
	if (rc)
		snprintf(err, errlen, "cannot read the flows map: %s", strerror(-rc));
	munmap((void *)c.tcbs, size);
	return rc;
}

/* The table is BPF_F_MMAPABLE: read through a read-only mapping; expired
 * slots too (--all shows them, as the reaper has not emptied them yet). */
static int read_timewait(const struct xdptcp_pinned *p, struct conns_table *t, char *err,
			 size_t errlen)
{
	struct tw_ctx c = { .t = t };
	struct xdptcp_twtab tab;
	int rc;

	rc = xdptcp_twtab_open(&tab, p, false, err, errlen);
	if (rc)
		return rc;
	c.now_ns = monotonic_ns();
	rc = xdptcp_twtab_walk(&tab, c.now_ns, true, add_tw, &c);
	if (rc)
		snprintf(err, errlen, "cannot read the timewait table: %s", strerror(-rc));
	xdptcp_twtab_close(&tab);
	return rc;
}

static int run_conns(int argc, char **argv)
{
	struct cli_conns_args a;
	struct conns_table t = { 0 };
	struct xdptcp_pinned p;
	char err[XDPTCP_ERR_LEN] = "";
	int rc;

	if (cli_parse_conns(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "xdptcp conns: %s\nTry 'xdptcp conns --help'.\n", err);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout, &conns_spec);
		return CLI_EXIT_OK;
	}
	cli_libbpf_log(false);
	rc = xdptcp_pinned_open(&a.target, &p, err, sizeof(err));
	if (!rc)
		rc = read_flows(&p, &t, err, sizeof(err));
	if (!rc)
		rc = read_timewait(&p, &t, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "xdptcp conns: %s\n", err);
		xdptcp_pinned_close(&p);
		conns_free(&t);
		return CLI_EXIT_FAIL;
	}
	conns_finish(&t, &a.filter);
	if (a.json)
		conns_print_json(stdout, a.target.ifname, p.dir, &t);
	else
		conns_print_text(stdout, &t);
	xdptcp_pinned_close(&p);
	conns_free(&t);
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_conns = { &conns_spec, run_conns };
