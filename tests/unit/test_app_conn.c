/* The built-in apps against a scripted backend (rt/backend.h): bytes in,
 * send space handed out a little at a time, the peer's FIN, and what the
 * app sent and whether it closed. Checks the app contract of xdptcp.h
 * without a device: short sends resume on on_writable, EOF closes, the
 * http app answers pipelined and partial requests in order and closes on
 * `Connection: close`, 400 and 431. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/apps.h"
#include "app/http_parse.h"
#include "rt/backend.h"

struct mock {
	struct xdptcp_sock pub; /* first, as backends do */
	char *in;
	size_t inlen, inoff;
	bool fin;
	char *out;
	size_t outlen, outcap;
	size_t space; /* bytes send may still take */
	bool closed, aborted;
	int closed_calls;
};

static struct mock *M(struct xdptcp_sock *s)
{
	return (struct mock *)s;
}

static ssize_t m_send(struct xdptcp_sock *s, const void *buf, size_t len)
{
	struct mock *m = M(s);
	size_t n = len < m->space ? len : m->space;

	if (m->closed || m->aborted)
		return -EPIPE;
	if (!n)
		return -EAGAIN;
	assert_true(m->outlen + n <= m->outcap);
	memcpy(m->out + m->outlen, buf, n);
	m->outlen += n;
	m->space -= n;
	return (ssize_t)n;
}

static ssize_t m_recv(struct xdptcp_sock *s, void *buf, size_t len)
{
	struct mock *m = M(s);
	size_t n = m->inlen - m->inoff;

	if (n > len)
		n = len;
	if (!n)
		return m->fin ? 0 : -EAGAIN;
	memcpy(buf, m->in + m->inoff, n);
	m->inoff += n;
	return (ssize_t)n;
}

static int m_close(struct xdptcp_sock *s)
{
	M(s)->closed = true;
	return 0;
}

static int m_abort(struct xdptcp_sock *s)
{
	M(s)->aborted = true;
	return 0;
}

static const struct xdptcp_backend mock_be = {
	.name = "mock", .send = m_send, .recv = m_recv, .close = m_close, .abort = m_abort,
};
static struct xdptcp_loop mock_loop = { .be = &mock_be };

static struct mock *accept_app(const struct xdptcp_app *app, const struct xdptcp_app_cfg *cfg,
			       size_t space)
{
	struct mock *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->pub.loop = &mock_loop;
	m->pub.ops = app->ops;
	m->pub.ctx = (void *)cfg;
	m->outcap = 8 << 20;
	m->out = malloc(m->outcap);
	m->in = malloc(1 << 20);
	assert_non_null(m->out);
	assert_non_null(m->in);
	m->space = space;
	if (app->ops->on_accept)
		app->ops->on_accept(&m->pub, m->pub.ctx);
	return m;
}

static void feed(struct mock *m, const void *p, size_t n)
{
	memcpy(m->in + m->inlen, p, n);
	m->inlen += n;
	if (m->pub.ops->on_readable && !m->closed && !m->aborted)
		m->pub.ops->on_readable(&m->pub, m->pub.ctx);
}

static void give_space(struct mock *m, size_t n)
{
	m->space += n;
	if (m->pub.ops->on_writable && !m->closed && !m->aborted)
		m->pub.ops->on_writable(&m->pub, m->pub.ctx);
}

static void peer_fin(struct mock *m)
{
	m->fin = true;
	if (m->pub.ops->on_peer_closed && !m->closed && !m->aborted)
		m->pub.ops->on_peer_closed(&m->pub, m->pub.ctx);
}

static void finish(struct mock *m)
{
	if (m->pub.ops->on_closed)
		m->pub.ops->on_closed(&m->pub, m->pub.ctx, 0);
	free(m->in);
	free(m->out);
	free(m);
}

static void test_echo_short_sends(void **state)
{
	struct mock *m = accept_app(&xdptcp_app_echo, NULL, 1000);
	static char data[200000];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 251);
	feed(m, data, sizeof(data));
	/* echo reads only what it can send: it waits for space */
	assert_int_equal(m->outlen, 1000);
	for (int i = 0; i < 10000 && m->outlen < sizeof(data); i++)
		give_space(m, 777);
	assert_int_equal(m->outlen, sizeof(data));
	assert_memory_equal(m->out, data, sizeof(data));
	assert_false(m->closed);
	peer_fin(m);
	assert_true(m->closed);
	assert_false(m->aborted);
	finish(m);
}

static void test_echo_fin_with_unsent_data(void **state)
{
	struct mock *m = accept_app(&xdptcp_app_echo, NULL, 3);

	(void)state;
	m->fin = true; /* data and FIN arrive together */
	feed(m, "hello", 5);
	assert_false(m->closed); /* two bytes still to echo */
	give_space(m, 10);
	assert_int_equal(m->outlen, 5);
	assert_memory_equal(m->out, "hello", 5);
	assert_true(m->closed);
	finish(m);
}

/* Responses in m->out: count them and check the last one's Connection. */
static int count_responses(const struct mock *m, const char *status)
{
	int n = 0;
	const char *p = m->out, *end = m->out + m->outlen;

	while (p < end) {
		const char *q = memmem(p, (size_t)(end - p), status, strlen(status));

		if (!q)
			break;
		n++;
		p = q + 1;
	}
	return n;
}

static void test_http_pipelined_then_close(void **state)
{
	static const struct xdptcp_app_cfg cfg = { .size = 10 };
	const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
			  "GET /x HTTP/1.1\r\nconnection: CLOSE\r\n\r\n"
			  "GET /never HTTP/1.1\r\n\r\n";
	struct mock *m = accept_app(&xdptcp_app_http, &cfg, 1 << 20);

	(void)state;
	feed(m, req, strlen(req));
	assert_int_equal(count_responses(m, "HTTP/1.1 200 OK\r\n"), 2);
	assert_int_equal(count_responses(m, "Content-Length: 10\r\n"), 2);
	assert_int_equal(count_responses(m, "Connection: close\r\n"), 1);
	assert_true(m->closed);
	/* 0123456789 is the body: the pattern's first 10 bytes, twice */
	assert_int_equal(count_responses(m, "\r\n\r\n0123456789"), 2);
	finish(m);
}

static void test_http_partial_request(void **state)
{
	static const struct xdptcp_app_cfg cfg = { .size = 3 };
	const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct mock *m = accept_app(&xdptcp_app_http, &cfg, 1 << 20);

	(void)state;
	for (size_t i = 0; i + 1 < strlen(req); i++) {
		feed(m, req + i, 1);
		assert_int_equal(m->outlen, 0);
	}
	feed(m, req + strlen(req) - 1, 1);
	assert_int_equal(count_responses(m, "HTTP/1.1 200 OK\r\n"), 1);
	assert_false(m->closed); /* keep-alive */
	peer_fin(m);
	assert_true(m->closed);
	finish(m);
}

static void test_http_big_body_short_sends(void **state)
{
	static const struct xdptcp_app_cfg cfg = { .size = 1000000 };
	const char *req = "GET / HTTP/1.0\r\n\r\n";
	struct mock *m = accept_app(&xdptcp_app_http, &cfg, 100);
	const char *body;

	(void)state;
	feed(m, req, strlen(req));
	for (int i = 0; i < 100000 && !m->closed; i++)
		give_space(m, 4093);
	assert_true(m->closed); /* HTTP/1.0 without keep-alive */
	body = memmem(m->out, m->outlen, "\r\n\r\n", 4);
	assert_non_null(body);
	body += 4;
	assert_int_equal((size_t)(m->out + m->outlen - body), 1000000);
	for (size_t i = 0; i < 1000000; i += 4099)
		assert_int_equal(body[i], app_pattern[i % APP_PATTERN_LEN]);
	finish(m);
}

static void test_http_bad_and_oversized(void **state)
{
	static const struct xdptcp_app_cfg cfg = { .size = 1 };
	struct mock *m = accept_app(&xdptcp_app_http, &cfg, 1 << 20);
	static char big[3 * HTTP_MAX_HEAD];

	(void)state;
	feed(m, "BLAH\r\n\r\n", 8);
	assert_int_equal(count_responses(m, "HTTP/1.1 400 Bad Request\r\n"), 1);
	assert_true(m->closed);
	finish(m);

	m = accept_app(&xdptcp_app_http, &cfg, 1 << 20);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	memset(big + 19, 'y', sizeof(big) - 19);
	feed(m, big, sizeof(big));
	assert_int_equal(count_responses(m, "HTTP/1.1 431 "), 1);
	assert_true(m->closed);
	finish(m);
}

static void test_source_until_peer_closes(void **state)
{
	struct mock *m = accept_app(&xdptcp_app_source, NULL, 5000);

	(void)state;
	assert_int_equal(m->outlen, 5000);
	for (int i = 0; i < 100; i++)
		give_space(m, 70001);
	assert_int_equal(m->outlen, 5000 + 100 * 70001);
	assert_memory_equal(m->out, app_pattern, 5000);
	assert_memory_equal(m->out + APP_PATTERN_LEN, app_pattern, 1000);
	assert_false(m->closed);
	feed(m, "ignored", 7);
	assert_false(m->closed);
	peer_fin(m);
	assert_true(m->closed);
	finish(m);
}

static void test_discard(void **state)
{
	struct mock *m = accept_app(&xdptcp_app_discard, NULL, 0);

	(void)state;
	feed(m, "abcdef", 6);
	assert_int_equal(m->inoff, 6);
	assert_int_equal(m->outlen, 0);
	assert_false(m->closed);
	peer_fin(m);
	assert_true(m->closed);
	finish(m);
}

static void test_app_find(void **state)
{
	(void)state;
	assert_ptr_equal(xdptcp_app_find("echo"), &xdptcp_app_echo);
	assert_ptr_equal(xdptcp_app_find("http"), &xdptcp_app_http);
	assert_ptr_equal(xdptcp_app_find("discard"), &xdptcp_app_discard);
	assert_ptr_equal(xdptcp_app_find("source"), &xdptcp_app_source);
	assert_null(xdptcp_app_find("gopher"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_short_sends),
		cmocka_unit_test(test_echo_fin_with_unsent_data),
		cmocka_unit_test(test_http_pipelined_then_close),
		cmocka_unit_test(test_http_partial_request),
		cmocka_unit_test(test_http_big_body_short_sends),
		cmocka_unit_test(test_http_bad_and_oversized),
		cmocka_unit_test(test_source_until_peer_closes),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_app_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
