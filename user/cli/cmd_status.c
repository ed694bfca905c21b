/* xdptcp status: is XDP attached, with which program, and what is pinned. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>
#include "cli/cli.h"

enum { S_DEV, S_BPFFS, S_HELP };

static const struct cli_optspec status_opts[] = {
	[S_DEV] = { "dev", 0, "IF", "network device (required)" },
	[S_BPFFS] = { "bpffs", 0, "DIR",
		      "bpffs the pins are in (default: $XDPTCP_BPFFS, else "
		      "/sys/fs/bpf)" },
	[S_HELP] = { "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct cli_spec status_spec = {
	.cmd = "status",
	.synopsis = "--dev IF [--bpffs DIR]",
	.about = "Shows whether xdptcp is attached to IF in this network namespace: program\n"
		 "and link ids, XDP mode, pin dir, configuration and how full the maps are.\n"
		 "Exits 0 when attached, 1 when not (or on error).",
	.opts = status_opts,
};

static int on_status_opt(int idx, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct cli_dev_args *a = ctx;

	switch (idx) {
	case S_DEV:
		return cli_opt_dev(arg, &a->target, err, errlen);
	case S_BPFFS:
		return cli_opt_bpffs(arg, &a->target, err, errlen);
	case S_HELP:
		a->help = true;
		return 0;
	}
	return CLI_EXIT_USAGE;
}

int cli_parse_status(int argc, char **argv, struct cli_dev_args *a, char *err, size_t errlen)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = cli_getopt(&status_spec, argc, argv, on_status_opt, a, err, errlen);
	if (rc || a->help)
		return rc;
	return cli_need_dev(&status_spec, &a->target, err, errlen);
}

static const char *attach_mode_name(unsigned int m)
{
	switch (m) {
	case XDP_ATTACHED_NONE:
		return "none";
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "skb";
	case XDP_ATTACHED_HW:
		return "hw";
	case XDP_ATTACHED_MULTI:
		return "multi";
	}
	return "unknown";
}

static void print_status(const char *ifname, const struct xdptcp_pinned *p,
			 const struct xdptcp_status *st)
{
	if (st->ifindex)
		printf("device:    %s (ifindex %d)\n", ifname, st->ifindex);
	else
		printf("device:    %s (not in this network namespace)\n", ifname);
	printf("attached:  %s\n", st->attached ? "yes" : "no");
	if (st->link_pinned) {
		printf("prog id:   %u\nlink id:   %u\n", st->prog_id, st->link_id);
		if (!st->attached)
			printf("note:      the pinned link is defunct (its device went away)\n");
	} else {
		printf("note:      no link pinned (maps only)\n");
	}
	printf("mode:      %s\n", attach_mode_name(st->attach_mode));
	if (st->dev_prog_id && st->dev_prog_id != st->prog_id)
		printf("note:      %s runs XDP prog id %u, not xdptcp's\n", ifname,
		       st->dev_prog_id);
	printf("pin dir:   %s\n", p->dir);
	printf("config:    TIME-WAIT %llu ms (2*MSL), %u queue%s\n",
	       (unsigned long long)(st->tw_timeout_ns / 1000000), st->nqueues,
	       st->nqueues == 1 ? "" : "s");
	printf("tcbs:      %llu in use of %llu\n", (unsigned long long)st->tcbs_in_use,
	       (unsigned long long)st->tcbs_max);
	printf("flows:     %llu\ntimewait:  %llu (of %llu slots)\nports:     %llu\n",
	       (unsigned long long)st->flows, (unsigned long long)st->timewait,
	       (unsigned long long)st->tw_slots, (unsigned long long)st->ports);
}

static int run_status(int argc, char **argv)
{
	struct cli_dev_args a;
	struct xdptcp_pinned p;
	struct xdptcp_status st;
	char err[XDPTCP_ERR_LEN] = "";
	int rc;

	if (cli_parse_status(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "xdptcp status: %s\nTry 'xdptcp status --help'.\n", err);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout, &status_spec);
		return CLI_EXIT_OK;
	}
	cli_libbpf_log(false);
	rc = xdptcp_pinned_open(&a.target, &p, err, sizeof(err));
	if (rc == -ENOENT) {
		printf("attached:  no\nnote:      %s\n", err);
		return CLI_EXIT_FAIL;
	}
	if (rc) {
		fprintf(stderr, "xdptcp status: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	rc = xdptcp_status_read(a.target.ifname, &p, &st, err, sizeof(err));
	if (rc)
		fprintf(stderr, "xdptcp status: %s\n", err);
	else
		print_status(a.target.ifname, &p, &st);
	xdptcp_pinned_close(&p);
	return rc || !st.attached ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

const struct cli_command cli_cmd_status = { &status_spec, run_status };
