/* xdp_connect: an active open through xdptcp's XDP backend, for
 * tests/net/test_connect.sh. Connects to ADDR:PORT from DEV, sends BYTES of
 * a seeded pattern, reads back what the peer echoes, closes, and exits 0
 * only if every byte came back in order and the close completed.
 *   xdp_connect DEV ADDR PORT BYTES */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdptcp/xdptcp.h>

static volatile sig_atomic_t stop;
static size_t total, sent, got;
static int bad, closed_err = 1;

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

static void pump(struct xdptcp_sock *s)
{
	unsigned char buf[8192];

	while (sent < total) {
		size_t n = total - sent < sizeof(buf) ? total - sent : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		ssize_t w = xdptcp_send(s, buf, n);
		if (w <= 0)
			return; /* -EAGAIN: on_writable comes */
		sent += (size_t)w;
	}
}

static void on_connected(struct xdptcp_sock *s, void *ctx) { (void)ctx; pump(s); }
static void on_writable(struct xdptcp_sock *s, void *ctx) { (void)ctx; pump(s); }

static void on_readable(struct xdptcp_sock *s, void *ctx)
{
	unsigned char buf[8192];
	ssize_t n;

	(void)ctx;
	while ((n = xdptcp_recv(s, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++, got++)
			bad += buf[i] != pattern(got);
	if (got == total)
		xdptcp_close(s); /* we close first: TIME-WAIT is ours */
}

static void on_closed(struct xdptcp_sock *s, void *ctx, int err)
{
	(void)s, (void)ctx;
	closed_err = err;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct xdptcp_app_ops ops = { .on_connected = on_connected,
						   .on_writable = on_writable,
						   .on_readable = on_readable,
						   .on_closed = on_closed };
	struct xdptcp_loop_opts o = { .stack = XDPTCP_STACK_XDP, .msl_ms = 2000 };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct xdptcp_sock *s;
	struct xdptcp_loop *loop;
	char err[256];

	if (argc != 5 || !inet_aton(argv[2], &dst.sin_addr)) {
		fprintf(stderr, "usage: xdp_connect DEV ADDR PORT BYTES\n");
		return 2;
	}
	o.dev = argv[1];
	dst.sin_port = htons((uint16_t)atoi(argv[3]));
	total = strtoul(argv[4], NULL, 10);
	loop = xdptcp_loop_new(&o, err, sizeof(err));
	if (!loop) {
		fprintf(stderr, "xdp_connect: %s\n", err);
		return 1;
	}
	if (xdptcp_connect(loop, &dst, &ops, NULL, &s) < 0) {
		fprintf(stderr, "xdp_connect: %s\n", xdptcp_loop_errmsg(loop));
		xdptcp_loop_free(loop);
		return 1;
	}
	int rc = xdptcp_loop_run(loop, &stop);
	printf("sent=%zu got=%zu mismatched=%d closed=%d run=%d\n", sent, got, bad, closed_err, rc);
	xdptcp_loop_free(loop);
	return !(rc == 0 && got == total && sent == total && !bad && closed_err == 0);
}
