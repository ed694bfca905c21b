/* Option parsing shared by the commands: getopt_long driven by the same
 * table that prints --help. */
#include <getopt.h>
#include <string.h>
#include "cli/cli.h"

#define CLI_MAX_OPTS 24

int cli_getopt(const struct cli_spec *spec, int argc, char **argv, cli_opt_fn fn, void *ctx,
	       char *err, size_t errlen)
{
	struct option lopts[CLI_MAX_OPTS + 1] = { 0 };
	char shorts[2 * CLI_MAX_OPTS + 2] = ":"; /* ':' = report missing args */
	size_t n = 0, s = 1;
	int c, li, rc;

	for (; spec->opts[n].name; n++) {
		if (n == CLI_MAX_OPTS) {
			snprintf(err, errlen, "too many options");
			return CLI_EXIT_USAGE;
		}
		lopts[n] = (struct option){ spec->opts[n].name,
					    spec->opts[n].arg ? required_argument : no_argument,
					    NULL, (int)(256 + n) };
		if (spec->opts[n].short_name) {
			shorts[s++] = (char)spec->opts[n].short_name;
			if (spec->opts[n].arg)
				shorts[s++] = ':';
		}
	}
	shorts[s] = '\0';

	optind = 0; /* glibc: full re-initialisation, so tests can parse twice */
	opterr = 0; /* messages are ours */
	while ((c = getopt_long(argc, argv, shorts, lopts, &li)) != -1) {
		size_t idx = n;

		if (c >= 256)
			idx = (size_t)c - 256;
		else if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			if (c == ':')
				snprintf(err, errlen, "option '%s' needs an argument", bad);
			else if (optopt && strncmp(bad, "--", 2))
				snprintf(err, errlen, "unknown option '-%c'", optopt);
			else
				snprintf(err, errlen, "unknown option '%s'", bad);
			return CLI_EXIT_USAGE;
		} else {
			for (size_t i = 0; i < n; i++)
				if (spec->opts[i].short_name == c)
					idx = i;
		}
		if (idx >= n) {
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
		rc = fn((int)idx, optarg, ctx, err, errlen);
		if (rc)
			return rc;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Help text of one option, wrapped at 79 columns under its own column. */
static void print_help_text(FILE *f, const char *text, int col)
{
	const int width = 79 - col;

	while (*text) {
		int n = (int)strlen(text);

		if (n > width) {
			n = width;
			while (n > 0 && text[n] != ' ')
				n--;
			if (n == 0)
				n = width;
		}
		fprintf(f, "%.*s\n", n, text);
		text += n;
		while (*text == ' ')
			text++;
		if (*text)
			fprintf(f, "%*s", col, "");
	}
}

void cli_usage(FILE *f, const struct cli_spec *spec)
{
	fprintf(f, "Usage: xdptcp %s %s\n\n%s\n\nOptions:\n", spec->cmd, spec->synopsis,
		spec->about);
	for (const struct cli_optspec *o = spec->opts; o->name; o++) {
		char left[64];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(f, "  %-22s ", left);
		print_help_text(f, o->help, 25);
	}
}

int cli_opt_dev(const char *arg, struct xdptcp_target *t, char *err, size_t errlen)
{
	char why[XDPTCP_ERR_LEN];

	if (xdptcp_check_ifname(arg, why, sizeof(why))) {
		snprintf(err, errlen, "--dev: %s", why);
		return CLI_EXIT_USAGE;
	}
	t->ifname = arg;
	return 0;
}

int cli_opt_bpffs(const char *arg, struct xdptcp_target *t, char *err, size_t errlen)
{
	if (arg[0] != '/') {
		snprintf(err, errlen, "--bpffs: '%s' is not an absolute path", arg);
		return CLI_EXIT_USAGE;
	}
	t->bpffs = arg;
	return 0;
}

int cli_need_dev(const struct cli_spec *spec, const struct xdptcp_target *t, char *err,
		 size_t errlen)
{
	if (t->ifname)
		return 0;
	snprintf(err, errlen, "%s needs --dev IF", spec->cmd);
	return CLI_EXIT_USAGE;
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
