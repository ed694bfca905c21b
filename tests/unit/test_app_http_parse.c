/* The http app's request parser (RFC 9112): complete, partial and
 * pipelined requests, the Connection header in any case, body framing,
 * malformed requests (400) and oversized heads (431). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/http_parse.h"

static int parse(const char *s, struct http_req *r)
{
	return http_parse_request(s, strlen(s), HTTP_MAX_HEAD, r);
}

static void test_simple_get(void **state)
{
	const char *s = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct http_req r;

	(void)state;
	assert_int_equal(parse(s, &r), HTTP_PARSE_OK);
	assert_true(r.get);
	assert_false(r.head);
	assert_true(r.keep_alive);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.consumed, strlen(s));
}

/* Every prefix of a request asks for more; the whole parses. */
static void test_partial_across_reads(void **state)
{
	const char *s = "GET /index.html HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n";
	struct http_req r;

	(void)state;
	for (size_t n = 0; n < strlen(s); n++)
		assert_int_equal(http_parse_request(s, n, HTTP_MAX_HEAD, &r), HTTP_PARSE_MORE);
	assert_int_equal(http_parse_request(s, strlen(s), HTTP_MAX_HEAD, &r), HTTP_PARSE_OK);
	assert_int_equal(r.consumed, strlen(s));
}

static void test_pipelined(void **state)
{
	const char *a = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
	const char *b = "GET /2 HTTP/1.1\r\nConnection: close\r\n\r\n";
	char buf[256];
	struct http_req r;
	size_t off = 0, len;

	(void)state;
	len = (size_t)snprintf(buf, sizeof(buf), "%s%sGET /3 HT", a, b);
	assert_int_equal(http_parse_request(buf, len, HTTP_MAX_HEAD, &r), HTTP_PARSE_OK);
	assert_int_equal(r.consumed, strlen(a));
	assert_true(r.keep_alive);
	off += r.consumed;
	assert_int_equal(http_parse_request(buf + off, len - off, HTTP_MAX_HEAD, &r), HTTP_PARSE_OK);
	assert_int_equal(r.consumed, strlen(b));
	assert_false(r.keep_alive);
	off += r.consumed;
	assert_int_equal(http_parse_request(buf + off, len - off, HTTP_MAX_HEAD, &r),
			 HTTP_PARSE_MORE);
}

static void test_connection_case_insensitive(void **state)
{
	static const char *const closes[] = {
		"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
		"GET / HTTP/1.1\r\nconnection: Close\r\n\r\n",
		"GET / HTTP/1.1\r\nCONNECTION:CLOSE\r\n\r\n",
		"GET / HTTP/1.1\r\nConnection: keep-alive, CLOSE \r\n\r\n",
		"GET / HTTP/1.1\r\nConnection: Upgrade\r\nConnection: close\r\n\r\n",
	};
	struct http_req r;

	(void)state;
	for (size_t i = 0; i < sizeof(closes) / sizeof(closes[0]); i++) {
		assert_int_equal(parse(closes[i], &r), HTTP_PARSE_OK);
		assert_false(r.keep_alive);
	}
	/* a token containing "close" is not "close" */
	assert_int_equal(parse("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", &r), HTTP_PARSE_OK);
	assert_true(r.keep_alive);
}

static void test_http10_keep_alive(void **state)
{
	struct http_req r;

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &r), HTTP_PARSE_OK);
	assert_false(r.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r),
			 HTTP_PARSE_OK);
	assert_true(r.keep_alive);
	assert_int_equal(r.minor, 0);
}

static void test_bare_lf_and_leading_empty_lines(void **state)
{
	const char *s = "\r\nGET / HTTP/1.1\nHost: x\n\n";
	struct http_req r;

	(void)state;
	assert_int_equal(parse(s, &r), HTTP_PARSE_OK);
	assert_int_equal(r.consumed, strlen(s));
}

static void test_body_framing(void **state)
{
	const char *s = "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET";
	struct http_req r;

	(void)state;
	assert_int_equal(http_parse_request(s, strlen(s) - 5, HTTP_MAX_HEAD, &r), HTTP_PARSE_MORE);
	assert_int_equal(parse(s, &r), HTTP_PARSE_OK);
	assert_false(r.get);
	assert_int_equal(r.consumed, strlen(s) - 3);
	assert_int_equal(parse("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
			       &r),
			 HTTP_PARSE_BAD);
	assert_int_equal(parse("GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", &r), HTTP_PARSE_BAD);
	assert_int_equal(
		parse("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", &r),
		HTTP_PARSE_BAD);
	assert_int_equal(parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &r),
			 HTTP_PARSE_BAD);
}

static void test_bad_requests(void **state)
{
	static const char *const bad[] = {
		"GET\r\n\r\n",
		"GET / \r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1 x\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
		"GET / HTTP/1.1\r\n: empty name\r\n\r\n",
		"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
	};
	struct http_req r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &r), HTTP_PARSE_BAD);
}

static void test_oversized_head(void **state)
{
	size_t n = HTTP_MAX_HEAD + 100;
	char *b = malloc(n + 1);
	struct http_req r;

	(void)state;
	assert_non_null(b);
	memcpy(b, "GET / HTTP/1.1\r\nX-Big: ", 23);
	memset(b + 23, 'a', n - 23);
	b[n] = 0;
	/* no end of head yet, and already too long */
	assert_int_equal(http_parse_request(b, n, HTTP_MAX_HEAD, &r), HTTP_PARSE_TOO_LARGE);
	/* with the end of head beyond the limit: still too large */
	memcpy(b + n - 4, "\r\n\r\n", 4);
	assert_int_equal(http_parse_request(b, n, HTTP_MAX_HEAD, &r), HTTP_PARSE_TOO_LARGE);
	/* exactly at the limit is fine */
	memcpy(b + HTTP_MAX_HEAD - 4, "\r\n\r\n", 4);
	assert_int_equal(http_parse_request(b, HTTP_MAX_HEAD, HTTP_MAX_HEAD, &r), HTTP_PARSE_OK);
	assert_int_equal(r.consumed, HTTP_MAX_HEAD);
	/* a partial head under the limit waits */
	assert_int_equal(http_parse_request(b, 100, HTTP_MAX_HEAD, &r), HTTP_PARSE_MORE);
	free(b);
}

static void test_head_method(void **state)
{
	struct http_req r;

	(void)state;
	assert_int_equal(parse("HEAD / HTTP/1.1\r\n\r\n", &r), HTTP_PARSE_OK);
	assert_true(r.head);
	assert_false(r.get);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_partial_across_reads),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_connection_case_insensitive),
		cmocka_unit_test(test_http10_keep_alive),
		cmocka_unit_test(test_bare_lf_and_leading_empty_lines),
		cmocka_unit_test(test_body_framing),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_oversized_head),
		cmocka_unit_test(test_head_method),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
