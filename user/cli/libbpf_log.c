/* Where libbpf's messages go: stderr with --verbose, else nowhere (the
 * loader's own messages already say what failed). */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "cli/cli.h"

static int libbpf_to_stderr(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

void cli_libbpf_log(bool verbose)
{
	libbpf_set_print(verbose ? libbpf_to_stderr : NULL);
}
