/* Argument parsing of the xdptcp command. The Makefile links user/cli only
 * into the binary, so the parsing files are compiled into this test
 * directly; main.c (the dispatcher) stays out. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli/args.c"
#include "cli/cmd_attach.c"
#include "cli/cmd_detach.c"
#include "cli/cmd_status.c"
#include "cli/cmd_stats.c"
#include "cli/libbpf_log.c"

static char err[256];

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(fn, args, ...) fn(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (args), err, sizeof(err))

static void test_attach_defaults(void **state)
{
	struct cli_attach_args a;

	(void)state;
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "srv0"), 0);
	assert_string_equal(a.opts.target.ifname, "srv0");
	assert_null(a.opts.target.bpffs);
	assert_int_equal(a.opts.mode, XDPTCP_MODE_NATIVE);
	assert_int_equal(a.opts.msl_ms, 0); /* default applied by the loader */
	assert_false(a.opts.reset);
	assert_false(a.verbose);
	assert_false(a.help);
}

static void test_attach_every_option(void **state)
{
	struct cli_attach_args a;

	(void)state;
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--mode", "skb", "--msl-ms", "1500",
			       "--bpffs", "/run/xdptcp/bpffs", "--reset", "-v", "--dev=eth1"),
			 0);
	assert_string_equal(a.opts.target.ifname, "eth1");
	assert_string_equal(a.opts.target.bpffs, "/run/xdptcp/bpffs");
	assert_int_equal(a.opts.mode, XDPTCP_MODE_SKB);
	assert_int_equal(a.opts.msl_ms, 1500);
	assert_true(a.opts.reset);
	assert_true(a.verbose);
}

static void test_attach_bad_values(void **state)
{
	struct cli_attach_args a;

	(void)state;
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "x", "--mode", "fast"),
			 CLI_EXIT_USAGE);
	assert_string_equal(err, "--mode: 'fast' is not native or skb");
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "x", "--msl-ms", "0"),
			 CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "--msl-ms: '0'"));
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "x", "--msl-ms", "1e3"),
			 CLI_EXIT_USAGE);
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "x", "--bpffs", "rel"),
			 CLI_EXIT_USAGE);
	assert_string_equal(err, "--bpffs: 'rel' is not an absolute path");
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "a/b"), CLI_EXIT_USAGE);
	assert_non_null(strstr(err, "--dev: "));
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "abcdefghijklmnop"),
			 CLI_EXIT_USAGE);
}

static void test_usage_errors(void **state)
{
	struct cli_attach_args a;
	struct cli_dev_args d;

	(void)state;
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach"), CLI_EXIT_USAGE);
	assert_string_equal(err, "attach needs --dev IF");
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "x", "--bogus"),
			 CLI_EXIT_USAGE);
	assert_string_equal(err, "unknown option '--bogus'");
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "x", "-q"), CLI_EXIT_USAGE);
	assert_string_equal(err, "unknown option '-q'");
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev"), CLI_EXIT_USAGE);
	assert_string_equal(err, "option '--dev' needs an argument");
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--dev", "x", "extra"),
			 CLI_EXIT_USAGE);
	assert_string_equal(err, "unexpected argument 'extra'");
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--reset=yes", "--dev", "x"),
			 CLI_EXIT_USAGE);
	/* --json belongs to stats only */
	assert_int_equal(PARSE(cli_parse_status, &d, "status", "--dev", "x", "--json"),
			 CLI_EXIT_USAGE);
	assert_string_equal(err, "unknown option '--json'");
	assert_int_equal(PARSE(cli_parse_detach, &d, "detach"), CLI_EXIT_USAGE);
	assert_string_equal(err, "detach needs --dev IF");
}

static void test_help_needs_no_dev(void **state)
{
	struct cli_attach_args a;
	struct cli_dev_args d;

	(void)state;
	assert_int_equal(PARSE(cli_parse_attach, &a, "attach", "--help"), 0);
	assert_true(a.help);
	assert_int_equal(PARSE(cli_parse_stats, &d, "stats", "-h"), 0);
	assert_true(d.help);
	assert_int_equal(PARSE(cli_parse_detach, &d, "detach", "--help"), 0);
	assert_true(d.help);
	assert_int_equal(PARSE(cli_parse_status, &d, "status", "--help"), 0);
	assert_true(d.help);
}

static void test_dev_commands(void **state)
{
	struct cli_dev_args d;

	(void)state;
	assert_int_equal(
		PARSE(cli_parse_stats, &d, "stats", "--dev", "srv0", "--json", "--bpffs", "/b"), 0);
	assert_string_equal(d.target.ifname, "srv0");
	assert_string_equal(d.target.bpffs, "/b");
	assert_true(d.json);
	assert_int_equal(PARSE(cli_parse_stats, &d, "stats", "--dev", "srv0"), 0);
	assert_false(d.json); /* not left over from the previous parse */
	assert_null(d.target.bpffs);
	assert_int_equal(PARSE(cli_parse_detach, &d, "detach", "--dev", "cli0"), 0);
	assert_string_equal(d.target.ifname, "cli0");
	assert_int_equal(PARSE(cli_parse_status, &d, "status", "--dev", "lo"), 0);
	assert_string_equal(d.target.ifname, "lo");
}

/* The help text with each run of blanks and newlines made one space, so
 * wrapped lines compare equal to the option's text. */
static char *squeeze_blanks(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (; *s; s++) {
		if (*s == ' ' || *s == '\n') {
			if (o > out && o[-1] == ' ')
				continue;
			*o++ = ' ';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

/* --help tells the truth: every option the parser takes is in the text. */
static void check_usage_lists(const struct cli_spec *spec)
{
	char *text = NULL, *flat;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	cli_usage(f, spec);
	fclose(f);
	flat = squeeze_blanks(text);
	for (const struct cli_optspec *o = spec->opts; o->name; o++) {
		char want[64];

		snprintf(want, sizeof(want), "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		if (!strstr(text, want))
			fail_msg("help of %s lacks '%s':\n%s", spec->cmd, want, text);
		if (!strstr(flat, o->help))
			fail_msg("help of %s lacks the text of --%s", spec->cmd, o->name);
		if (!strstr(spec->synopsis, o->name) && strcmp(o->name, "help") &&
		    strcmp(o->name, "verbose"))
			fail_msg("synopsis of %s lacks --%s", spec->cmd, o->name);
	}
	assert_non_null(strstr(text, "Usage: xdptcp "));
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1)
		if (nl - line > 79 && strncmp(line, "Usage:", 6)) /* synopsis: one line */
			fail_msg("help of %s has a line over 79 columns: %.*s", spec->cmd,
				 (int)(nl - line), line);
	free(flat);
	free(text);
}

static void test_help_lists_every_option(void **state)
{
	(void)state;
	check_usage_lists(&attach_spec);
	check_usage_lists(&detach_spec);
	check_usage_lists(&status_spec);
	check_usage_lists(&stats_spec);
}

static void test_json_escapes(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	cli_json_str(f, "a\"b\\c\n\x01/d");
	fclose(f);
	assert_string_equal(text, "\"a\\\"b\\\\c\\u000a\\u0001/d\"");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_defaults),
		cmocka_unit_test(test_attach_every_option),
		cmocka_unit_test(test_attach_bad_values),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help_needs_no_dev),
		cmocka_unit_test(test_dev_commands),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_json_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
