/* Inside the app API (include/xdptcp/xdptcp.h): a loop is a backend table
 * plus that backend's state. user/rt/loop.c dispatches every public call
 * through the table; user/rt/xdp_*.c is the XDP backend, and the kernel
 * socket backend (branch kstack) provides
 *     const struct xdptcp_backend xdptcp_backend_kernel;
 * declared in user/kstack/kstack.h: loop.c uses it when that header exists
 * (__has_include), so the two branches merge without a stub to delete.
 *
 * Contract for a backend:
 * - init() fills loop->priv (and loop->err on failure, returning -errno);
 *   fini() resets open connections and frees everything.
 * - Its socket type embeds struct xdptcp_sock as its FIRST member and fills
 *   loop/ops/ctx/local/peer; accepted sockets copy the listener's ops/ctx.
 * - Callbacks run only from poll(); on_closed exactly once per socket and
 *   never from inside close()/abort() (defer it to the next poll).
 * - Calls return -errno; they never print. */
#ifndef XDPTCP_RT_BACKEND_H
#define XDPTCP_RT_BACKEND_H

#include <stdarg.h>
#include "xdptcp/xdptcp.h"

struct xdptcp_sock {
	struct xdptcp_loop *loop;
	const struct xdptcp_app_ops *ops;
	void *ctx;
	struct sockaddr_in local;
	struct sockaddr_in peer;
};

struct xdptcp_backend {
	const char *name;
	int (*init)(struct xdptcp_loop *loop, const struct xdptcp_loop_opts *opts);
	void (*fini)(struct xdptcp_loop *loop);
	int (*poll)(struct xdptcp_loop *loop, int timeout_ms);
	int (*listen)(struct xdptcp_loop *loop, uint16_t port, const struct xdptcp_app_ops *ops,
		      void *ctx);
	int (*unlisten)(struct xdptcp_loop *loop, uint16_t port);
	int (*connect)(struct xdptcp_loop *loop, const struct sockaddr_in *dst,
		       const struct xdptcp_app_ops *ops, void *ctx, struct xdptcp_sock **out);
	ssize_t (*send)(struct xdptcp_sock *s, const void *buf, size_t len);
	size_t (*send_pending)(const struct xdptcp_sock *s);
	ssize_t (*recv)(struct xdptcp_sock *s, void *buf, size_t len);
	int (*shutdown)(struct xdptcp_sock *s);
	int (*close)(struct xdptcp_sock *s);
	int (*abort)(struct xdptcp_sock *s);
};

struct xdptcp_loop {
	const struct xdptcp_backend *be;
	void *priv;
	char err[256];
};

/* Sets loop->err (printf format) and returns -errnum, for `return
 * xdptcp_loop_fail(loop, -EINVAL, "...")`. */
int xdptcp_loop_fail(struct xdptcp_loop *loop, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

extern const struct xdptcp_backend xdptcp_backend_xdp;

#endif
