/* discard: reads and drops everything (RFC 863 over TCP); closes after
 * the peer does. */
#include <errno.h>
#include <stddef.h>
#include "app/apps.h"

static void discard_read(struct xdptcp_sock *s, void *ctx)
{
	char buf[16384];
	ssize_t n;

	(void)ctx;
	while ((n = xdptcp_recv(s, buf, sizeof(buf))) > 0)
		;
	if (n == 0)
		xdptcp_close(s);
	else if (n != -EAGAIN)
		xdptcp_abort(s);
}

static void discard_accept(struct xdptcp_sock *s, void *ctx)
{
	(void)ctx;
	xdptcp_sock_set_ctx(s, NULL);
}

static const struct xdptcp_app_ops discard_ops = {
	.on_accept = discard_accept,
	.on_readable = discard_read,
	.on_peer_closed = discard_read,
};

const struct xdptcp_app xdptcp_app_discard = { "discard", "reads and drops everything",
					       &discard_ops };
