/* xdptcp serve: attach, run a built-in app on a port in the foreground,
 * detach and remove the pins on SIGINT/SIGTERM. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "app/apps.h"
#include "cli/cli.h"
#include "xdptcp/xdptcp.h"

/* Exit statuses a script can tell apart (also in --help). */
#define SERVE_EXIT_NODEV 3  /* no such device */
#define SERVE_EXIT_BUSY 4   /* port (or device) already in use */
#define SERVE_EXIT_PERM 5   /* not root */
#define SERVE_EXIT_ATTACH 6 /* XDP attach or AF_XDP set-up failed */

enum { S_DEV, S_PORT, S_APP, S_SIZE, S_MSL, S_MODE, S_ZC, S_QUEUES, S_BPFFS, S_STACK, S_VERBOSE,
       S_HELP };

static const struct cli_optspec serve_opts[] = {
	[S_DEV] = { "dev", 0, "IF", "network device to serve on (required for --stack xdp)" },
	[S_PORT] = { "port", 'p', "P", "TCP port to serve (required)" },
	[S_APP] = { "app", 'a', "APP", "echo, http, discard or source (required)" },
	[S_SIZE] = { "size", 0, "N", "http: body bytes of every response (default 1024)" },
	[S_MSL] = { "msl-ms", 0, "N", "maximum segment lifetime in ms; TIME-WAIT lasts 2*MSL "
				     "(default 30000)" },
	[S_MODE] = { "mode", 0, "MODE", "native (driver XDP, default) or skb (generic XDP)" },
	[S_ZC] = { "zerocopy", 0, NULL, "AF_XDP zero-copy (an error where the driver refuses)" },
	[S_QUEUES] = { "queues", 0, "N", "RX queues to serve, 0..N-1 (default 1)" },
	[S_BPFFS] = { "bpffs", 0, "DIR",
		      "bpffs to pin under (default: $XDPTCP_BPFFS, else /sys/fs/bpf)" },
	[S_STACK] = { "stack", 0, "STACK", "xdp (default) or kernel (the same app on kernel "
					   "sockets, for comparison)" },
	[S_VERBOSE] = { "verbose", 'v', NULL, "print libbpf's log" },
	[S_HELP] = { "help", 'h', NULL, "show this help" },
	{ 0 },
};

static const struct cli_spec serve_spec = {
	.cmd = "serve",
	.synopsis = "--dev IF --port P --app echo|http|discard|source [OPTIONS]",
	.about = "Attaches xdptcp to IF and serves APP on port P in the foreground; prints one\n"
		 "line when ready. SIGINT/SIGTERM detach and remove the pins. After a crash the\n"
		 "next serve takes the pins over: TIME-WAIT entries and ports stay, the old\n"
		 "connections are reset when their peers next send. Exit status: 0 after a\n"
		 "signal, 2 usage, 3 no such device, 4 port busy (or serve already running on\n"
		 "IF), 5 not root, 6 XDP attach / AF_XDP failure, 1 anything else.",
	.opts = serve_opts,
};

struct serve_args {
	struct xdptcp_loop_opts lo;
	const struct xdptcp_app *app;
	struct xdptcp_app_cfg cfg;
	unsigned long port;
	bool verbose, help;
};

static int parse_ulong(const char *arg, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	return (errno || end == arg || *end || *out > max || arg[0] == '-') ? -1 : 0;
}

static int on_serve_opt(int idx, const char *arg, void *ctx, char *err, size_t errlen)
{
	struct serve_args *a = ctx;
	enum xdptcp_mode mode;
	unsigned long v;
	uint32_t msl;

	switch (idx) {
	case S_DEV:
		a->lo.dev = arg;
		return 0;
	case S_PORT:
		if (parse_ulong(arg, 65535, &a->port) || !a->port)
			break;
		return 0;
	case S_APP:
		a->app = xdptcp_app_find(arg);
		if (a->app)
			return 0;
		snprintf(err, errlen, "--app: no app '%s' (echo, http, discard, source)", arg);
		return CLI_EXIT_USAGE;
	case S_SIZE:
		if (parse_ulong(arg, 1ul << 30, &v))
			break;
		a->cfg.size = v;
		return 0;
	case S_MSL:
		if (xdptcp_parse_msl_ms(arg, &msl))
			break;
		a->lo.msl_ms = msl;
		return 0;
	case S_MODE:
		if (xdptcp_parse_mode(arg, &mode))
			break;
		a->lo.mode = mode == XDPTCP_MODE_SKB ? XDPTCP_XDP_SKB : XDPTCP_XDP_NATIVE;
		return 0;
	case S_ZC:
		a->lo.zerocopy = true;
		return 0;
	case S_QUEUES:
		if (parse_ulong(arg, 64, &v) || !v)
			break;
		a->lo.queues = (unsigned int)v;
		return 0;
	case S_BPFFS:
		a->lo.bpffs = arg;
		return 0;
	case S_STACK:
		if (!strcmp(arg, "xdp"))
			a->lo.stack = XDPTCP_STACK_XDP;
		else if (!strcmp(arg, "kernel"))
			a->lo.stack = XDPTCP_STACK_KERNEL;
		else
			break;
		return 0;
	case S_VERBOSE:
		a->verbose = true;
		return 0;
	case S_HELP:
		a->help = true;
		return 0;
	}
	snprintf(err, errlen, "--%s: bad value '%s'", serve_opts[idx].name, arg);
	return CLI_EXIT_USAGE;
}

static int parse_serve(int argc, char **argv, struct serve_args *a, char *err, size_t errlen)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->cfg.size = 1024;
	rc = cli_getopt(&serve_spec, argc, argv, on_serve_opt, a, err, errlen);
	if (rc || a->help)
		return rc;
	if (!a->port || !a->app) {
		snprintf(err, errlen, "--port and --app are required");
		return CLI_EXIT_USAGE;
	}
	if (a->lo.stack == XDPTCP_STACK_XDP && !a->lo.dev) {
		snprintf(err, errlen, "--dev is required");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Is the port free for us? Checked before attaching, so a busy port
 * never costs the XDP program of whoever else runs on the device. */
static int port_free(unsigned long port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0, one = 1;

	if (fd < 0)
		return -errno;
	/* as both backends bind: the kernel's TIME-WAIT sockets of the port
	 * don't make it busy, a listener or a plain bound socket does */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)))
		rc = -errno;
	close(fd);
	return rc;
}

static int exit_for(int err)
{
	switch (err) {
	case ENODEV:
		return SERVE_EXIT_NODEV;
	case EADDRINUSE:
	case EBUSY:
	case EEXIST:
		return SERVE_EXIT_BUSY;
	case EPERM:
	case EACCES:
		return SERVE_EXIT_PERM;
	default:
		return SERVE_EXIT_ATTACH;
	}
}

static int run_serve(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct serve_args a;
	struct xdptcp_loop *loop;
	char err[512] = "";
	int rc;

	if (parse_serve(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "xdptcp serve: %s\nTry 'xdptcp serve --help'.\n", err);
		return CLI_EXIT_USAGE;
	}
	if (a.help) {
		cli_usage(stdout, &serve_spec);
		return CLI_EXIT_OK;
	}
	cli_libbpf_log(a.verbose);
	if (a.lo.dev && !if_nametoindex(a.lo.dev)) {
		fprintf(stderr, "xdptcp serve: no network device %s in this network namespace\n",
			a.lo.dev);
		return SERVE_EXIT_NODEV;
	}
	if (a.lo.stack == XDPTCP_STACK_XDP && geteuid() != 0) {
		fprintf(stderr, "xdptcp serve: attaching XDP needs root (CAP_BPF, CAP_NET_ADMIN, "
				"CAP_NET_RAW)\n");
		return SERVE_EXIT_PERM;
	}
	rc = port_free(a.port);
	if (rc == -EADDRINUSE) {
		fprintf(stderr, "xdptcp serve: port %lu is busy (another program holds it)\n",
			a.port);
		return SERVE_EXIT_BUSY;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	loop = xdptcp_loop_new(&a.lo, err, sizeof(err));
	if (!loop) {
		rc = errno;
		fprintf(stderr, "xdptcp serve: %s\n", err);
		return rc == ENOSYS ? CLI_EXIT_FAIL : exit_for(rc);
	}
	rc = xdptcp_app_listen(loop, a.app, (uint16_t)a.port, &a.cfg);
	if (rc) {
		fprintf(stderr, "xdptcp serve: %s\n", xdptcp_loop_errmsg(loop));
		xdptcp_loop_free(loop);
		return exit_for(-rc);
	}
	printf("xdptcp serve: %s on %s port %lu, %s stack, ready\n", a.app->name,
	       a.lo.dev ? a.lo.dev : "*", a.port, xdptcp_loop_stack_name(loop));
	fflush(stdout);
	rc = xdptcp_loop_run(loop, &stop);
	if (rc)
		fprintf(stderr, "xdptcp serve: %s\n",
			xdptcp_loop_errmsg(loop)[0] ? xdptcp_loop_errmsg(loop) : strerror(-rc));
	xdptcp_loop_free(loop);
	return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

const struct cli_command cli_cmd_serve = { &serve_spec, run_serve };
