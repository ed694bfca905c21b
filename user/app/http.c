/* http: answers GET (and HEAD) with a fixed body of cfg.size bytes;
 * HTTP/1.1 keep-alive with pipelining (one response at a time, in order),
 * `Connection: close` closes after the response, a malformed request gets
 * 400 and an oversized head 431 (RFC 6585 section 5), both then close. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/apps.h"
#include "app/http_parse.h"

struct http_conn {
	const struct xdptcp_app_cfg *cfg;
	char in[2 * HTTP_MAX_HEAD + 1]; /* head + a body of at most HTTP_MAX_HEAD */
	size_t inlen;
	char hdr[256];
	size_t hdr_off, hdr_len;
	size_t body_len, body_left;
	bool close_after; /* after the response being sent */
	bool eof;
	bool done;
};

static void respond(struct http_conn *h, int code, const char *reason, size_t body, bool send_body,
		    bool close_after, bool keep_alive_10)
{
	int n = snprintf(h->hdr, sizeof(h->hdr),
			 "HTTP/1.1 %d %s\r\nServer: xdptcp\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\n%s\r\n",
			 code, reason, body,
			 close_after ? "Connection: close\r\n"
				     : (keep_alive_10 ? "Connection: keep-alive\r\n" : ""));

	h->hdr_off = 0;
	h->hdr_len = n > 0 && (size_t)n < sizeof(h->hdr) ? (size_t)n : 0;
	h->body_len = h->body_left = send_body ? body : 0;
	h->close_after = close_after;
}

/* The next request at the front of h->in, if complete: queue its response. */
static bool next_request(struct http_conn *h)
{
	struct http_req r;
	int rc = http_parse_request(h->in, h->inlen, HTTP_MAX_HEAD, &r);

	switch (rc) {
	case HTTP_PARSE_OK:
		memmove(h->in, h->in + r.consumed, h->inlen - r.consumed);
		h->inlen -= r.consumed;
		if (r.get || r.head)
			respond(h, 200, "OK", h->cfg->size, r.get, !r.keep_alive,
				r.keep_alive && r.minor == 0);
		else
			respond(h, 405, "Method Not Allowed", 0, false, !r.keep_alive,
				r.keep_alive && r.minor == 0);
		return true;
	case HTTP_PARSE_BAD:
		respond(h, 400, "Bad Request", 0, false, true, false);
		h->inlen = 0;
		return true;
	case HTTP_PARSE_TOO_LARGE:
		respond(h, 431, "Request Header Fields Too Large", 0, false, true, false);
		h->inlen = 0;
		return true;
	default:
		return false;
	}
}

static void http_pump(struct xdptcp_sock *s, void *ctx)
{
	struct http_conn *h = ctx;
	ssize_t n;

	while (!h->done) {
		while (h->hdr_off < h->hdr_len) {
			n = xdptcp_send(s, h->hdr + h->hdr_off, h->hdr_len - h->hdr_off);
			if (n <= 0)
				goto blocked;
			h->hdr_off += (size_t)n;
		}
		while (h->body_left) {
			/* the body is the pattern repeated, whatever the send sizes */
			size_t off = (h->body_len - h->body_left) % APP_PATTERN_LEN;
			size_t k = APP_PATTERN_LEN - off;

			if (k > h->body_left)
				k = h->body_left;
			n = xdptcp_send(s, app_pattern + off, k);
			if (n <= 0)
				goto blocked;
			h->body_left -= (size_t)n;
		}
		h->hdr_len = h->hdr_off = 0;
		if (h->close_after) {
			h->done = true;
			xdptcp_close(s); /* FIN after the response */
			return;
		}
		if (next_request(h))
			continue;
		if (h->eof) {
			/* the peer is done and nothing complete is left */
			h->done = true;
			xdptcp_close(s);
			return;
		}
		n = xdptcp_recv(s, h->in + h->inlen, sizeof(h->in) - h->inlen);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			h->done = true;
			xdptcp_abort(s);
			return;
		}
		if (n == 0)
			h->eof = true;
		h->inlen += (size_t)n;
	}
	return;
blocked:
	if (n != -EAGAIN) {
		h->done = true;
		xdptcp_abort(s);
	}
}

static void http_accept(struct xdptcp_sock *s, void *ctx)
{
	struct http_conn *h = calloc(1, sizeof(*h));

	if (!h) {
		xdptcp_abort(s);
		return;
	}
	h->cfg = ctx;
	xdptcp_sock_set_ctx(s, h);
}

static void http_closed(struct xdptcp_sock *s, void *ctx, int err)
{
	(void)s;
	(void)err;
	free(ctx);
}

static const struct xdptcp_app_ops http_ops = {
	.on_accept = http_accept,
	.on_readable = http_pump,
	.on_writable = http_pump,
	.on_peer_closed = http_pump,
	.on_closed = http_closed,
};

const struct xdptcp_app xdptcp_app_http = { "http", "GET -> a body of --size bytes", &http_ops };
