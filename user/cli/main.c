/* xdptcp: dispatches to one command per file (cmd_<name>.c). A new
 * command is one file and one line in `commands` below. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "xdptcp/abi.h"
#include "cli/cli.h"

static const struct cli_command *const commands[] = {
	&cli_cmd_attach,
	&cli_cmd_detach,
	&cli_cmd_status,
	&cli_cmd_stats,
	&cli_cmd_serve,
	&cli_cmd_conns,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: xdptcp COMMAND [OPTIONS]\n"
		   "       xdptcp --version | --help | help COMMAND\n\n"
		   "A TCP stack with its fast path in XDP. Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->spec->cmd, commands[i]->spec->synopsis);
	fprintf(f, "\n'xdptcp COMMAND --help' explains a command. Pins live under\n"
		   "<bpffs>/xdptcp/<netns-inode>/<IF>/; <bpffs> is --bpffs DIR, else "
		   "$" XDPTCP_BPFFS_ENV ", else /sys/fs/bpf.\n");
}

static const struct cli_command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->spec->cmd, name))
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("xdptcp %s (abi 0x%016llx, libbpf %s)\n", XDPTCP_VERSION,
		       (unsigned long long)xdptcp_abi_hash(), libbpf_version_string());
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "help") && argc == 3 && (cmd = find(argv[2]))) {
		cli_usage(stdout, cmd->spec);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "help") && argc == 2) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	cmd = find(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"xdptcp: unknown command or option '%s'\n"
			"Try 'xdptcp --help'.\n",
			argv[1]);
		return CLI_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
