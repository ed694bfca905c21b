/* xdptcp detach: stop XDP on a device and remove its pins. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

enum { D_DEV, D_BPFFS, D_HELP };

static const struct cli_optspec detach_opts[] = {
	[D_DEV] = { "dev", 0, "IF", "network device to detach from (required)" },
	[D_BPFFS] = { "bpffs", 0, "DIR",
		      "bpffs the pins are in (default: $XDPTCP_BPFFS, else "
		      "/sys/fs/bpf)" },
	[D_HELP] = { "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct cli_spec detach_spec = {
	.cmd = "detach",
	.synopsis = "--dev IF [--bpffs DIR]",
	.about = "Detaches the xdptcp XDP program from IF (even while a control plane still\n"
		 "holds its link) and removes every pin and the pin dir. Connection and\n"
		 "TIME-WAIT state in the maps is lost. Works after IF is gone too. Exits 1\n"
		 "when nothing was attached.",
	.opts = detach_opts,
};

static int on_detach_opt(int idx, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct cli_dev_args *a = ctx;

	switch (idx) {
	case D_DEV:
		return cli_opt_dev(arg, &a->target, err, errlen);
	case D_BPFFS:
		return cli_opt_bpffs(arg, &a->target, err, errlen);
	case D_HELP:
		a->help = true;
		return 0;
	}
	return CLI_EXIT_USAGE;
}

int cli_parse_detach(int argc, char **argv, struct cli_dev_args *a, char *err, size_t errlen)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = cli_getopt(&detach_spec, argc, argv, on_detach_opt, a, err, errlen);
	if (rc || a->help)
		return rc;
	return cli_need_dev(&detach_spec, &a->target, err, errlen);
}

static int run_detach(int argc, char **argv)
{
	struct cli_dev_args a;
	char err[XDPTCP_ERR_LEN] = "", dir[4096] = "";

	if (cli_parse_detach(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "xdptcp detach: %s\nTry 'xdptcp detach --help'.\n", err);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout, &detach_spec);
		return CLI_EXIT_OK;
	}
	cli_libbpf_log(false);
	if (xdptcp_detach(&a.target, dir, sizeof(dir), err, sizeof(err))) {
		fprintf(stderr, "xdptcp detach: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	printf("detached xdptcp from %s, removed %s\n", a.target.ifname, dir);
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_detach = { &detach_spec, run_detach };
