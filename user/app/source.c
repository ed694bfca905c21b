/* source: sends a repeating pattern from the moment the connection opens
 * until the peer closes (chargen-like, RFC 864 without the lines); what
 * the peer sends is read and dropped. */
#include <errno.h>
#include <stdint.h>
#include "app/apps.h"

static void source_fill(struct xdptcp_sock *s, void *ctx)
{
	uintptr_t off = (uintptr_t)ctx;
	ssize_t n;

	do {
		n = xdptcp_send(s, app_pattern + off, APP_PATTERN_LEN - off);
		if (n > 0)
			off = (off + (size_t)n) % APP_PATTERN_LEN;
	} while (n > 0);
	xdptcp_sock_set_ctx(s, (void *)off);
	if (n != -EAGAIN)
		xdptcp_abort(s);
}

static void source_accept(struct xdptcp_sock *s, void *ctx)
{
	(void)ctx;
	xdptcp_sock_set_ctx(s, (void *)(uintptr_t)0);
	source_fill(s, NULL);
}

static void source_read(struct xdptcp_sock *s, void *ctx)
{
	char buf[4096];
	ssize_t n;

	(void)ctx;
	while ((n = xdptcp_recv(s, buf, sizeof(buf))) > 0)
		;
	if (n == 0)
		xdptcp_close(s); /* the peer is done: so are we */
	else if (n != -EAGAIN)
		xdptcp_abort(s);
}

static const struct xdptcp_app_ops source_ops = {
	.on_accept = source_accept,
	.on_readable = source_read,
	.on_writable = source_fill,
	.on_peer_closed = source_read,
};

const struct xdptcp_app xdptcp_app_source = { "source", "sends until the peer closes",
					      &source_ops };
