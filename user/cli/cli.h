/* The `xdptcp` command: one file per command (cmd_<name>.c), dispatched by
 * main.c. Option tables drive both getopt_long and --help, so the help
 * text lists exactly what the parser accepts. */
#ifndef XDPTCP_CLI_H
#define XDPTCP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "loader/loader.h"
#include "cli/conns.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

struct cli_optspec {
	const char *name; /* long name */
	int short_name;	  /* 0 when there is none */
	const char *arg;  /* argument's name, NULL for a flag */
	const char *help;
};

struct cli_spec {
	const char *cmd;
	const char *synopsis; /* after "xdptcp <cmd> " */
	const char *about;
	const struct cli_optspec *opts; /* ends with {0} */
};

/* Called for every option: index into spec->opts and its argument. Returns
 * 0 or CLI_EXIT_USAGE with a message in err. */
typedef int (*cli_opt_fn)(int idx, const char *arg, void *ctx, char *err, size_t errlen);

/* getopt_long over argv[1..] (argv[0] is the command name); positional
 * arguments and unknown options are usage errors. Prints nothing. */
int cli_getopt(const struct cli_spec *spec, int argc, char **argv, cli_opt_fn fn, void *ctx,
	       char *err, size_t errlen);
void cli_usage(FILE *f, const struct cli_spec *spec);

/* Common option values: usage errors with a message. */
int cli_opt_dev(const char *arg, struct xdptcp_target *t, char *err, size_t errlen);
int cli_opt_bpffs(const char *arg, struct xdptcp_target *t, char *err, size_t errlen);
int cli_need_dev(const struct cli_spec *spec, const struct xdptcp_target *t, char *err,
		 size_t errlen);

/* JSON string literal with escapes (RFC 8259 section 7). */
void cli_json_str(FILE *f, const char *s);

struct cli_command {
	const struct cli_spec *spec;
	int (*run)(int argc, char **argv); /* returns a CLI_EXIT_* status */
};

/* Parsed arguments, one struct per command; parse functions are separate
 * from run functions so tests/unit/test_cli.c can call them. */
struct cli_attach_args {
	struct xdptcp_attach_opts opts;
	bool verbose;
	bool help;
};
int cli_parse_attach(int argc, char **argv, struct cli_attach_args *a, char *err, size_t errlen);

struct cli_dev_args {
	struct xdptcp_target target;
	bool json;
	bool help;
};
int cli_parse_detach(int argc, char **argv, struct cli_dev_args *a, char *err, size_t errlen);
int cli_parse_status(int argc, char **argv, struct cli_dev_args *a, char *err, size_t errlen);
int cli_parse_stats(int argc, char **argv, struct cli_dev_args *a, char *err, size_t errlen);

struct cli_conns_args {
	struct xdptcp_target target;
	struct conns_filter filter;
	bool json;
	bool help;
};
int cli_parse_conns(int argc, char **argv, struct cli_conns_args *a, char *err, size_t errlen);

extern const struct cli_command cli_cmd_attach;
extern const struct cli_command cli_cmd_detach;
extern const struct cli_command cli_cmd_status;
extern const struct cli_command cli_cmd_stats;
extern const struct cli_command cli_cmd_serve;
extern const struct cli_command cli_cmd_conns;

/* libbpf's log to stderr (--verbose) or nowhere. */
void cli_libbpf_log(bool verbose);

#endif
