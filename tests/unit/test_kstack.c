/* The kernel-socket backend (user/kstack) over loopback, no root: both ends
 * of every connection are sockets of one loop, driven through the backend
 * table exactly as user/rt/loop.c drives it. Covers the callback contract
 * of rt/backend.h: on_accept/on_connected, on_readable level triggered,
 * on_peer_closed after the last byte, on_writable once per refusal,
 * on_closed exactly once and never from inside close/abort, error values
 * (-ECONNREFUSED, -ECONNRESET, -EPIPE, -ENOTCONN, -EADDRINUSE), close
 * sending a FIN even with unread data, and loop teardown. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "kstack/kstack.h"

#define POLL_LIMIT_S 10

/* What happened to one socket, as the app saw it. */
struct rec {
	struct xdptcp_sock *s;
	int accepted, connected, readable, writable, peer_closed, closed;
	int closed_err;
	int closed_inside_call; /* on_closed while close/abort was running */
	size_t got;		/* bytes received */
	unsigned char *buf;	/* received bytes (echo test) */
	size_t cap;
	bool read_enabled;
	bool echo;	   /* send back what arrives */
	bool close_on_eof; /* xdptcp_close in on_peer_closed */
	size_t to_send;	   /* bytes still to send (from pattern) */
	size_t sent;
};

static struct xdptcp_loop loop;
static struct rec *last_accepted;
static int in_call;

static const struct xdptcp_backend *be = &xdptcp_backend_kernel;

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 11));
}

static struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->read_enabled = true;
	return r;
}

static void pump(struct xdptcp_sock *s, struct rec *r)
{
	while (r->to_send) {
		unsigned char b[8192];
		size_t n = r->to_send < sizeof(b) ? r->to_send : sizeof(b);
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			b[i] = pattern(r->sent + i);
		w = be->send(s, b, n);
		if (w <= 0)
			return;
		r->sent += (size_t)w;
		r->to_send -= (size_t)w;
	}
}

/* Echo what arrived and was not sent back yet (flow controlled: the rest
 * goes from on_writable). */
static void echo_pump(struct xdptcp_sock *s, struct rec *r)
{
	while (r->sent < r->got) {
		ssize_t w = be->send(s, r->buf + r->sent, r->got - r->sent);

		if (w <= 0)
			return;
		r->sent += (size_t)w;
	}
}

static void on_accept(struct xdptcp_sock *s, void *ctx)
{
	struct rec *tmpl = ctx, *r = rec_new();

	r->echo = tmpl->echo;
	r->close_on_eof = tmpl->close_on_eof;
	r->read_enabled = tmpl->read_enabled;
	if (tmpl->cap) {
		r->buf = malloc(tmpl->cap);
		assert_non_null(r->buf);
		r->cap = tmpl->cap;
	}
	r->s = s;
	r->accepted++;
	s->ctx = r; /* xdptcp_sock_set_ctx without loop.c */
	last_accepted = r;
}

static void on_connected(struct xdptcp_sock *s, void *ctx)
{
	struct rec *r = ctx;

	r->connected++;
	pump(s, r);
}

static void on_readable(struct xdptcp_sock *s, void *ctx)
{
	struct rec *r = ctx;
	unsigned char b[16384];
	ssize_t n;

	r->readable++;
	if (!r->read_enabled)
		return;
	while ((n = be->recv(s, b, sizeof(b))) > 0) {
		if (r->buf) {
			assert_true(r->got + (size_t)n <= r->cap);
			memcpy(r->buf + r->got, b, (size_t)n);
		}
		r->got += (size_t)n;
	}
	if (r->echo)
		echo_pump(s, r);
}

static void on_writable(struct xdptcp_sock *s, void *ctx)
{
	struct rec *r = ctx;

	r->writable++;
	if (r->echo)
		echo_pump(s, r);
	else
		pump(s, r);
}

static void on_peer_closed(struct xdptcp_sock *s, void *ctx)
{
	struct rec *r = ctx;

	r->peer_closed++;
	assert_int_equal(be->recv(s, (char[1]){ 0 }, 1), 0);
	if (r->close_on_eof) {
		in_call++;
		assert_int_equal(be->close(s), 0);
		in_call--;
	}
}

static void on_closed(struct xdptcp_sock *s, void *ctx, int err)
{
	struct rec *r = ctx;

	(void)s;
	r->closed++;
	r->closed_err = err;
	r->closed_inside_call += in_call;
}

static const struct xdptcp_app_ops ops = {
	.on_accept = on_accept,
	.on_connected = on_connected,
	.on_readable = on_readable,
	.on_writable = on_writable,
	.on_peer_closed = on_peer_closed,
	.on_closed = on_closed,
};

static int setup(void **state)
{
	struct xdptcp_loop_opts o = { .stack = XDPTCP_STACK_KERNEL };

	(void)state;
	memset(&loop, 0, sizeof(loop));
	loop.be = be;
	last_accepted = NULL;
	return be->init(&loop, &o);
}

static int teardown(void **state)
{
	(void)state;
	if (loop.priv)
		be->fini(&loop);
	return 0;
}

/* A port nobody listens on now (the kernel picks it). */
static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static struct sockaddr_in lo(uint16_t port)
{
	return (struct sockaddr_in){ .sin_family = AF_INET,
				     .sin_port = htons(port),
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls until cond holds; fails the test after POLL_LIMIT_S seconds. */
#define POLL_UNTIL(cond)                                                                           \
	do {                                                                                       \
		double end_ = now_s() + POLL_LIMIT_S;                                              \
		while (!(cond)) {                                                                  \
			assert_true(be->poll(&loop, 10) >= 0);                                     \
			if (now_s() > end_)                                                        \
				fail_msg("still not true after %d s: %s", POLL_LIMIT_S, #cond);    \
		}                                                                                  \
	} while (0)

/* 1 MiB through an echo server and back, byte for byte; then an orderly
 * close: client shutdown -> server on_peer_closed closes -> client
 * on_peer_closed -> both on_closed(0) exactly once. */
static void test_echo_and_orderly_close(void **state)
{
	const size_t total = 1 << 20;
	struct rec srv_tmpl = {
		.echo = true, .close_on_eof = true, .read_enabled = true, .cap = total
	};
	struct rec *c = rec_new();
	struct sockaddr_in dst;
	struct xdptcp_sock *cs;
	uint16_t port = free_port();

	(void)state;
	assert_int_equal(be->listen(&loop, port, &ops, &srv_tmpl), 0);
	c->buf = malloc(total);
	c->cap = total;
	c->to_send = total;
	dst = lo(port);
	assert_int_equal(be->connect(&loop, &dst, &ops, c, &cs), 0);
	c->s = cs;
	assert_int_equal(c->connected, 0); /* only from poll */
	assert_int_equal(be->send(cs, "x", 1), -ENOTCONN);
	POLL_UNTIL(c->got == total);
	assert_int_equal(c->connected, 1);
	assert_non_null(last_accepted);
	assert_int_equal(last_accepted->accepted, 1);
	assert_int_equal(last_accepted->got, total);
	for (size_t i = 0; i < total; i++)
		if (c->buf[i] != pattern(i))
			fail_msg("byte %zu differs", i);
	assert_true(last_accepted->writable + c->writable > 0); /* flow control happened */
	/* addresses of both ends */
	assert_int_equal(ntohs(cs->peer.sin_port), port);
	assert_int_equal(cs->local.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(last_accepted->s->local.sin_port, htons(port));
	assert_int_equal(last_accepted->s->peer.sin_port, cs->local.sin_port);

	POLL_UNTIL(be->send_pending(cs) == 0);
	assert_int_equal(be->shutdown(cs), 0);
	assert_int_equal(be->send(cs, "x", 1), -EPIPE);
	POLL_UNTIL(c->closed && last_accepted->closed);
	assert_int_equal(last_accepted->peer_closed, 1);
	assert_int_equal(last_accepted->closed_err, 0);
	assert_int_equal(last_accepted->closed_inside_call, 0);
	assert_int_equal(c->peer_closed, 1);
	assert_int_equal(c->closed, 1);
	assert_int_equal(c->closed_err, 0);
	for (int i = 0; i < 5; i++)
		assert_true(be->poll(&loop, 1) >= 0);
	assert_int_equal(c->closed, 1);
	assert_int_equal(last_accepted->closed, 1);
	free(c->buf);
	free(last_accepted->buf);
	free(last_accepted);
	free(c);
}

static void test_connect_refused(void **state)
{
	struct rec *c = rec_new();
	struct sockaddr_in dst = lo(free_port());
	struct xdptcp_sock *cs;

	(void)state;
	assert_int_equal(be->connect(&loop, &dst, &ops, c, &cs), 0);
	POLL_UNTIL(c->closed);
	assert_int_equal(c->connected, 0);
	assert_int_equal(c->closed_err, -ECONNREFUSED);
	free(c);
}

/* abort: RST to the peer (on_closed(-ECONNRESET) there), and our own
 * on_closed(-ECONNRESET) from the next poll, not from inside abort. */
static void test_abort(void **state)
{
	struct rec srv_tmpl = { .read_enabled = true };
	struct rec *c = rec_new();
	struct sockaddr_in dst;
	struct xdptcp_sock *cs;
	uint16_t port = free_port();

	(void)state;
	assert_int_equal(be->listen(&loop, port, &ops, &srv_tmpl), 0);
	dst = lo(port);
	assert_int_equal(be->connect(&loop, &dst, &ops, c, &cs), 0);
	POLL_UNTIL(c->connected && last_accepted);
	assert_int_equal(be->abort(cs), 0);
	assert_int_equal(c->closed, 0);
	POLL_UNTIL(c->closed && last_accepted->closed);
	assert_int_equal(c->closed_err, -ECONNRESET);
	assert_int_equal(last_accepted->closed_err, -ECONNRESET);
	assert_int_equal(last_accepted->peer_closed, 0);
	free(last_accepted);
	free(c);
}

/* Send until refused, then let the peer read: on_writable exactly once. */
static void test_writable_once_per_refusal(void **state)
{
	struct rec srv_tmpl = { .read_enabled = false };
	struct rec *c = rec_new();
	struct sockaddr_in dst;
	struct xdptcp_sock *cs;
	uint16_t port = free_port();
	size_t sent = 0;
	ssize_t n;
	char b[65536] = { 0 };

	(void)state;
	assert_int_equal(be->listen(&loop, port, &ops, &srv_tmpl), 0);
	dst = lo(port);
	assert_int_equal(be->connect(&loop, &dst, &ops, c, &cs), 0);
	POLL_UNTIL(c->connected && last_accepted);
	while ((n = be->send(cs, b, sizeof(b))) > 0) {
		sent += (size_t)n;
		assert_true(sent < (64u << 20)); /* the buffers are the engine's 256 KiB */
	}
	assert_int_equal(n, -EAGAIN);
	assert_true(sent >= 64 * 1024);
	assert_true(be->send_pending(cs) > 0);
	for (int i = 0; i < 20; i++)
		assert_true(be->poll(&loop, 1) >= 0);
	assert_int_equal(c->writable, 0);
	assert_true(last_accepted->readable > 1); /* level triggered: unread data */
	last_accepted->read_enabled = true;
	POLL_UNTIL(c->writable);
	for (int i = 0; i < 20; i++)
		assert_true(be->poll(&loop, 1) >= 0);
	assert_int_equal(c->writable, 1);
	POLL_UNTIL(last_accepted->got == sent);
	assert_int_equal(be->close(cs), 0);
	POLL_UNTIL(c->closed && last_accepted->peer_closed);
	be->close(last_accepted->s);
	POLL_UNTIL(last_accepted->closed);
	assert_int_equal(last_accepted->closed_err, 0);
	free(last_accepted);
	free(c);
}

/* Closing with unread bytes still ends with a FIN (the peer reads the end
 * of the stream, not a reset): the API's close is orderly. */
static void test_close_with_unread_data_sends_fin(void **state)
{
	struct rec srv_tmpl = { .read_enabled = false };
	struct rec *c = rec_new();
	struct sockaddr_in dst;
	struct xdptcp_sock *cs;
	uint16_t port = free_port();

	(void)state;
	assert_int_equal(be->listen(&loop, port, &ops, &srv_tmpl), 0);
	dst = lo(port);
	c->to_send = 1000;
	assert_int_equal(be->connect(&loop, &dst, &ops, c, &cs), 0);
	POLL_UNTIL(last_accepted && last_accepted->readable);
	in_call++;
	assert_int_equal(be->close(last_accepted->s), 0);
	in_call--;
	POLL_UNTIL(c->peer_closed && last_accepted->closed);
	assert_int_equal(last_accepted->closed_err, 0);
	assert_int_equal(last_accepted->closed_inside_call, 0);
	assert_int_equal(c->closed, 0); /* we have not shut down yet */
	assert_int_equal(be->shutdown(cs), 0);
	POLL_UNTIL(c->closed);
	assert_int_equal(c->closed_err, 0);
	free(last_accepted);
	free(c);
}

static void test_listen_errors(void **state)
{
	struct rec tmpl = { 0 };
	uint16_t port = free_port();
	struct sockaddr_in a = lo(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(be->listen(&loop, port, &ops, &tmpl), 0);
	assert_int_equal(be->listen(&loop, port, &ops, &tmpl), -EADDRINUSE);
	assert_non_null(strstr(loop.err, "already served"));
	assert_int_equal(be->unlisten(&loop, port), 0);
	assert_int_equal(be->unlisten(&loop, port), -ENOENT);

	/* a kernel socket that holds the port (the `serve` situation) */
	port = free_port();
	a = lo(port);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(be->listen(&loop, port, &ops, &tmpl), -EADDRINUSE);
	assert_non_null(strstr(loop.err, "bind to port"));
	close(fd);
}

/* A callback that stops serving the other port while that listener's
 * event waits in the same epoll batch: the listener must not be used after
 * unlisten freed it (ASan watches). */
static uint16_t two_ports[2];
static int unlisten_accepts;

static void on_accept_unlisten_other(struct xdptcp_sock *s, void *ctx)
{
	uint16_t mine = ntohs(s->local.sin_port);

	(void)ctx;
	unlisten_accepts++;
	assert_int_equal(be->unlisten(&loop, mine == two_ports[0] ? two_ports[1] : two_ports[0]),
			 0);
}

static void test_unlisten_from_callback(void **state)
{
	static const struct xdptcp_app_ops uops = { .on_accept = on_accept_unlisten_other };
	int fd[2];

	(void)state;
	unlisten_accepts = 0;
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in a;

		two_ports[i] = free_port();
		assert_int_equal(be->listen(&loop, two_ports[i], &uops, NULL), 0);
		a = lo(two_ports[i]);
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd[i] >= 0);
		/* blocking connect: both are in their accept queues before the poll */
		assert_int_equal(connect(fd[i], (struct sockaddr *)&a, sizeof(a)), 0);
	}
	assert_true(be->poll(&loop, 100) >= 1);
	assert_int_equal(unlisten_accepts, 1);
	for (int i = 0; i < 5; i++)
		assert_true(be->poll(&loop, 1) >= 0);
	assert_int_equal(unlisten_accepts, 1);
	/* one listener is left, the other is gone */
	assert_int_equal(be->unlisten(&loop, two_ports[0]) + be->unlisten(&loop, two_ports[1]),
			 -ENOENT);
	close(fd[0]);
	close(fd[1]);
}

/* Freeing the loop resets what is open and owes on_closed exactly once. */
static void test_fini_closes_everything(void **state)
{
	struct rec srv_tmpl = { .read_enabled = true };
	struct rec *c = rec_new();
	struct sockaddr_in dst;
	struct xdptcp_sock *cs;
	struct rec *srv;
	uint16_t port = free_port();

	(void)state;
	assert_int_equal(be->listen(&loop, port, &ops, &srv_tmpl), 0);
	dst = lo(port);
	assert_int_equal(be->connect(&loop, &dst, &ops, c, &cs), 0);
	POLL_UNTIL(c->connected && last_accepted);
	srv = last_accepted;
	be->fini(&loop);
	assert_null(loop.priv);
	assert_int_equal(c->closed, 1);
	assert_int_equal(c->closed_err, -ECONNRESET);
	assert_int_equal(srv->closed, 1);
	free(srv);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo_and_orderly_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_once_per_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_with_unread_data_sends_fin, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listen_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlisten_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fini_closes_everything, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
