/* echo: every byte received is sent back (RFC 862 over TCP). Reading stops
 * while an echo waits for send-buffer space, so a fast sender is slowed
 * by the receive window rather than by memory here. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "app/apps.h"

#define ECHO_CHUNK 16384

struct echo {
	char buf[ECHO_CHUNK];
	size_t off, len; /* unsent bytes of buf */
	bool eof;
};

static void echo_pump(struct xdptcp_sock *s, void *ctx)
{
	struct echo *e = ctx;
	ssize_t n;

	for (;;) {
		while (e->off < e->len) {
			n = xdptcp_send(s, e->buf + e->off, e->len - e->off);
			if (n <= 0) {
				if (n != -EAGAIN)
					xdptcp_abort(s);
				return; /* on_writable comes back here */
			}
			e->off += (size_t)n;
		}
		e->off = e->len = 0;
		if (e->eof)
			break;
		n = xdptcp_recv(s, e->buf, sizeof(e->buf));
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			xdptcp_abort(s);
			return;
		}
		if (n == 0) {
			e->eof = true;
			continue;
		}
		e->len = (size_t)n;
	}
	xdptcp_close(s); /* FIN after the last echoed byte */
}

static void echo_accept(struct xdptcp_sock *s, void *ctx)
{
	struct echo *e = calloc(1, sizeof(*e));

	(void)ctx;
	if (!e) {
		xdptcp_abort(s);
		return;
	}
	xdptcp_sock_set_ctx(s, e);
}

static void echo_closed(struct xdptcp_sock *s, void *ctx, int err)
{
	(void)s;
	(void)err;
	free(ctx);
}

static const struct xdptcp_app_ops echo_ops = {
	.on_accept = echo_accept,
	.on_readable = echo_pump,
	.on_writable = echo_pump,
	.on_peer_closed = echo_pump,
	.on_closed = echo_closed,
};

const struct xdptcp_app xdptcp_app_echo = { "echo", "sends back what it receives", &echo_ops };
