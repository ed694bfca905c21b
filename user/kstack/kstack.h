/* The kernel-socket backend of the app API (include/xdptcp/xdptcp.h):
 *
 *     extern const struct xdptcp_backend xdptcp_backend_kernel;
 *
 * is what user/rt/loop.c uses for XDPTCP_STACK_KERNEL (`xdptcp serve
 * --stack kernel`): the same app code on ordinary kernel TCP sockets, for
 * comparison with xdptcp (issue 6). One thread, one epoll set (level
 * triggered, like the API's on_readable), non-blocking sockets.
 *
 * Choices that keep the comparison fair and the API's contract:
 * - buffers: SO_SNDBUF/SO_RCVBUF = opts->sndbuf/rcvbuf, by default the
 *   engine's (tcp_config_default(), as the XDP backend), set on the
 *   listener before listen() so accepted sockets inherit them and the window
 *   scale fits them (RFC 7323 section 2.2: the shift is fixed at SYN time);
 * - TCP_NODELAY on every connection (the engine has no Nagle delay);
 * - SO_REUSEADDR on listeners (a restart while TIME-WAIT sockets of the
 *   port remain must not fail);
 * - xdptcp_close() drains unread bytes before close(2), so the kernel sends
 *   a FIN, not the RST that RFC 2525 section 2.17 prescribes for data left
 *   unread; xdptcp_abort() closes with SO_LINGER {1, 0}, i.e. an RST;
 * - on_closed is deferred to the next poll, and after a reset or an error
 *   (SO_ERROR) it carries -ECONNRESET / -ETIMEDOUT / -ECONNREFUSED;
 *   after the app's xdptcp_shutdown() and the peer's FIN (read to the end)
 *   the connection is over for the app: on_closed(0);
 * - xdptcp_loop_free() resets the connections still open and calls their
 *   on_closed(-ECONNRESET), so an app frees its per-connection state there
 *   as it would otherwise (on_closed is owed exactly once per socket).
 */
#ifndef XDPTCP_KSTACK_H
#define XDPTCP_KSTACK_H

#include "rt/backend.h"

extern const struct xdptcp_backend xdptcp_backend_kernel;

#endif
