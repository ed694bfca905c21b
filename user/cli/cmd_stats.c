/* xdptcp stats: the XDP program's counters, summed over CPUs, then those of
 * the control plane (`serve`'s pinned rt_stats) when it pinned them. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "xdptcp/stats.h"
#include "cli/cli.h"
#include "rt/rt_stats.h"

enum { T_DEV, T_BPFFS, T_JSON, T_HELP };

static const struct cli_optspec stats_opts[] = {
	[T_DEV] = { "dev", 0, "IF", "network device (required)" },
	[T_BPFFS] = { "bpffs", 0, "DIR",
		      "bpffs the pins are in (default: $XDPTCP_BPFFS, else "
		      "/sys/fs/bpf)" },
	[T_JSON] = { "json", 0, NULL, "print one JSON object instead of a table" },
	[T_HELP] = { "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct cli_spec stats_spec = {
	.cmd = "stats",
	.synopsis = "--dev IF [--bpffs DIR] [--json]",
	.about = "Prints every counter of the XDP program on IF (the per-CPU `stats` map,\n"
		 "summed), then the control plane's (rt_*: frames, retransmits, connections\n"
		 "opened and closed, TIME-WAIT entries, why flows stay off the fast path;\n"
		 "present while or after `serve` ran), one 'name value' line each, or\n"
		 "with --json one object\n"
		 "{\"dev\": ..., \"pin_dir\": ..., \"stats\": {name: value, ...}}.",
	.opts = stats_opts,
};

static int on_stats_opt(int idx, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct cli_dev_args *a = ctx;

	switch (idx) {
	case T_DEV:
		return cli_opt_dev(arg, &a->target, err, errlen);
	case T_BPFFS:
		return cli_opt_bpffs(arg, &a->target, err, errlen);
	case T_JSON:
		a->json = true;
		return 0;
	case T_HELP:
		a->help = true;
		return 0;
	}
	return CLI_EXIT_USAGE;
}

int cli_parse_stats(int argc, char **argv, struct cli_dev_args *a, char *err, size_t errlen)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = cli_getopt(&stats_spec, argc, argv, on_stats_opt, a, err, errlen);
	if (rc || a->help)
		return rc;
	return cli_need_dev(&stats_spec, &a->target, err, errlen);
}

static void print_json(const struct cli_dev_args *a, const char *dir, const uint64_t *v,
		       const uint64_t *rv, unsigned int nrt)
{
	printf("{\"dev\": ");
	cli_json_str(stdout, a->target.ifname);
	printf(", \"pin_dir\": ");
	cli_json_str(stdout, dir);
	printf(", \"stats\": {");
	for (unsigned int i = 0; i < XDPTCP_STAT_MAX; i++) {
		printf("%s", i ? ", " : "");
		cli_json_str(stdout, xdptcp_stat_name(i));
		printf(": %llu", (unsigned long long)v[i]);
	}
	for (unsigned int i = 0; i < nrt; i++) {
		printf(", ");
		cli_json_str(stdout, xdptcp_rt_stat_name(i));
		printf(": %llu", (unsigned long long)rv[i]);
	}
	printf("}}\n");
}

static int run_stats(int argc, char **argv)
{
	struct cli_dev_args a;
	struct xdptcp_pinned p;
	uint64_t v[XDPTCP_STAT_MAX], rv[XDPTCP_RT_STAT_MAX];
	unsigned int nrt;
	char err[XDPTCP_ERR_LEN] = "";
	int rc;

	if (cli_parse_stats(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "xdptcp stats: %s\nTry 'xdptcp stats --help'.\n", err);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout, &stats_spec);
		return CLI_EXIT_OK;
	}
	cli_libbpf_log(false);
	rc = xdptcp_pinned_open(&a.target, &p, err, sizeof(err));
	if (!rc)
		rc = xdptcp_stats_read(&p, v, XDPTCP_STAT_MAX, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "xdptcp stats: %s\n", err);
		xdptcp_pinned_close(&p);
		return CLI_EXIT_FAIL;
	}
	/* the control plane's counters: absent (0) when no serve pinned them */
	rc = xdptcp_rt_stats_read(p.dir, rv, XDPTCP_RT_STAT_MAX);
	if (rc < 0) {
		fprintf(stderr, "xdptcp stats: cannot read %s/%s: %s\n", p.dir,
			XDPTCP_RT_STATS_PIN, strerror(-rc));
		xdptcp_pinned_close(&p);
		return CLI_EXIT_FAIL;
	}
	nrt = (unsigned int)rc;
	if (a.json) {
		print_json(&a, p.dir, v, rv, nrt);
	} else {
		for (unsigned int i = 0; i < XDPTCP_STAT_MAX; i++)
			printf("%-20s %llu\n", xdptcp_stat_name(i), (unsigned long long)v[i]);
		for (unsigned int i = 0; i < nrt; i++)
			printf("%-20s %llu\n", xdptcp_rt_stat_name(i), (unsigned long long)rv[i]);
	}
	xdptcp_pinned_close(&p);
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_stats = { &stats_spec, run_stats };
