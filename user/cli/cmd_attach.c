/* xdptcp attach: load and attach the XDP program, pin maps and link. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

enum { A_DEV, A_MODE, A_MSL, A_BPFFS, A_RESET, A_VERBOSE, A_HELP };

static const struct cli_optspec attach_opts[] = {
	[A_DEV] = { "dev", 0, "IF", "network device to attach to (required)" },
	[A_MODE] = { "mode", 0, "MODE", "native (driver XDP, default) or skb (generic XDP)" },
	[A_MSL] = { "msl-ms", 0, "N",
		    "maximum segment lifetime in ms; TIME-WAIT lasts 2*MSL (default 30000; "
		    "on reused maps the old value is kept unless given)" },
	[A_BPFFS] = { "bpffs", 0, "DIR",
		      "bpffs to pin under (default: $XDPTCP_BPFFS, else /sys/fs/bpf)" },
	[A_RESET] = { "reset", 0, NULL,
		      "detach and remove existing pins first (drops their connections and "
		      "TIME-WAIT entries)" },
	[A_VERBOSE] = { "verbose", 'v', NULL, "print libbpf's log (verifier output)" },
	[A_HELP] = { "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct cli_spec attach_spec = {
	.cmd = "attach",
	.synopsis = "--dev IF [--mode native|skb] [--msl-ms N] [--bpffs DIR] [--reset]",
	.about = "Loads the xdptcp XDP program, attaches it to IF with a bpf_link and pins\n"
		 "the link and the maps under <bpffs>/xdptcp/<netns-inode>/IF/, so XDP keeps\n"
		 "running after this command exits. Pinned maps of the same ABI are reused;\n"
		 "others are refused unless --reset is given.",
	.opts = attach_opts,
};

static int on_attach_opt(int idx, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct cli_attach_args *a = ctx;

	switch (idx) {
	case A_DEV:
		return cli_opt_dev(arg, &a->opts.target, err, errlen);
	case A_MODE:
		if (xdptcp_parse_mode(arg, &a->opts.mode)) {
			snprintf(err, errlen, "--mode: '%s' is not native or skb", arg);
			return CLI_EXIT_USAGE;
		}
		return 0;
	case A_MSL:
		if (xdptcp_parse_msl_ms(arg, &a->opts.msl_ms)) {
			snprintf(err, errlen, "--msl-ms: '%s' is not a number of ms in 1..%u", arg,
				 XDPTCP_MAX_MSL_MS);
			return CLI_EXIT_USAGE;
		}
		return 0;
	case A_BPFFS:
		return cli_opt_bpffs(arg, &a->opts.target, err, errlen);
	case A_RESET:
		a->opts.reset = true;
		return 0;
	case A_VERBOSE:
		a->verbose = true;
		return 0;
	case A_HELP:
		a->help = true;
		return 0;
	}
	return CLI_EXIT_USAGE;
}

int cli_parse_attach(int argc, char **argv, struct cli_attach_args *a, char *err, size_t errlen)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->opts.mode = XDPTCP_MODE_NATIVE;
	rc = cli_getopt(&attach_spec, argc, argv, on_attach_opt, a, err, errlen);
	if (rc || a->help)
		return rc;
	return cli_need_dev(&attach_spec, &a->opts.target, err, errlen);
}

static int run_attach(int argc, char **argv)
{
	struct cli_attach_args a;
	struct xdptcp_attach_info info;
	char err[XDPTCP_ERR_LEN] = "";

	if (cli_parse_attach(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "xdptcp attach: %s\nTry 'xdptcp attach --help'.\n", err);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout, &attach_spec);
		return CLI_EXIT_OK;
	}
	cli_libbpf_log(a.verbose);
	if (xdptcp_attach(&a.opts, &info, err, sizeof(err))) {
		fprintf(stderr, "xdptcp attach: %s\n", err);
		return CLI_EXIT_FAIL;
	}
	printf("attached xdptcp to %s (%s mode, prog id %u, link id %u)\npin dir %s (%s)\n",
	       a.opts.target.ifname, xdptcp_mode_name(a.opts.mode), info.prog_id, info.link_id,
	       info.pin_dir, info.reused_maps ? "reused pinned maps" : "new maps");
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_attach = { &attach_spec, run_attach };
