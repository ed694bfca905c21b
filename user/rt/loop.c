/* The app API's front: every public call goes through the loop's backend
 * table (backend.h). Backend-neutral bookkeeping lives here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt/backend.h"

#if defined(__has_include)
#if __has_include("kstack/kstack.h")
#include "kstack/kstack.h"
#define RT_HAVE_KERNEL_BACKEND 1
#endif
#endif

int xdptcp_loop_fail(struct xdptcp_loop *loop, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(loop->err, sizeof(loop->err), fmt, ap);
	va_end(ap);
	return errnum;
}

static const struct xdptcp_backend *backend_of(enum xdptcp_stack stack)
{
	switch (stack) {
	case XDPTCP_STACK_XDP:
		return &xdptcp_backend_xdp;
	case XDPTCP_STACK_KERNEL:
#ifdef RT_HAVE_KERNEL_BACKEND
		return &xdptcp_backend_kernel;
#else
		return NULL;
#endif
	}
	return NULL;
}

struct xdptcp_loop *xdptcp_loop_new(const struct xdptcp_loop_opts *opts, char *err, size_t errlen)
{
	struct xdptcp_loop *loop;
	int rc;

	loop = calloc(1, sizeof(*loop));
	if (!loop) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	loop->be = backend_of(opts->stack);
	if (!loop->be) {
		snprintf(err, errlen, "the %s stack is not built into this xdptcp yet",
			 opts->stack == XDPTCP_STACK_KERNEL ? "kernel" : "requested");
		free(loop);
		errno = ENOSYS;
		return NULL;
	}
	rc = loop->be->init(loop, opts);
	if (rc) {
		snprintf(err, errlen, "%s", loop->err[0] ? loop->err : strerror(-rc));
		free(loop);
		errno = -rc;
		return NULL;
	}
	return loop;
}

void xdptcp_loop_free(struct xdptcp_loop *loop)
{
	if (!loop)
		return;
	loop->be->fini(loop);
	free(loop);
}

int xdptcp_loop_poll(struct xdptcp_loop *loop, int timeout_ms)
{
	return loop->be->poll(loop, timeout_ms);
}

int xdptcp_loop_run(struct xdptcp_loop *loop, volatile sig_atomic_t *stop)
{
	while (!*stop) {
		/* bounded waits, so a signal that lands between the check and
		 * the wait costs at most this long */
		int rc = loop->be->poll(loop, 100);

		if (rc < 0 && rc != -EINTR)
			return rc;
	}
	return 0;
}

const char *xdptcp_loop_errmsg(const struct xdptcp_loop *loop)
{
	return loop->err;
}

const char *xdptcp_loop_stack_name(const struct xdptcp_loop *loop)
{
	return loop->be->name;
}

int xdptcp_listen(struct xdptcp_loop *loop, uint16_t port, const struct xdptcp_app_ops *ops,
		  void *ctx)
{
	if (!port || !ops)
		return xdptcp_loop_fail(loop, -EINVAL, "listen: port and ops are required");
	return loop->be->listen(loop, port, ops, ctx);
}

int xdptcp_unlisten(struct xdptcp_loop *loop, uint16_t port)
{
	return loop->be->unlisten(loop, port);
}

int xdptcp_connect(struct xdptcp_loop *loop, const struct sockaddr_in *dst,
		   const struct xdptcp_app_ops *ops, void *ctx, struct xdptcp_sock **out)
{
	if (!dst || !ops || !out || dst->sin_family != AF_INET)
		return xdptcp_loop_fail(loop, -EINVAL, "connect: an IPv4 address and ops are required");
	return loop->be->connect(loop, dst, ops, ctx, out);
}

ssize_t xdptcp_send(struct xdptcp_sock *s, const void *buf, size_t len)
{
	return s->loop->be->send(s, buf, len);
}

size_t xdptcp_send_pending(const struct xdptcp_sock *s)
{
	return s->loop->be->send_pending(s);
}

ssize_t xdptcp_recv(struct xdptcp_sock *s, void *buf, size_t len)
{
	return s->loop->be->recv(s, buf, len);
}

int xdptcp_shutdown(struct xdptcp_sock *s)
{
	return s->loop->be->shutdown(s);
}

int xdptcp_close(struct xdptcp_sock *s)
{
	return s->loop->be->close(s);
}

int xdptcp_abort(struct xdptcp_sock *s)
{
	return s->loop->be->abort(s);
}

void *xdptcp_sock_ctx(const struct xdptcp_sock *s)
{
	return s->ctx;
}

void xdptcp_sock_set_ctx(struct xdptcp_sock *s, void *ctx)
{
	s->ctx = ctx;
}

struct xdptcp_loop *xdptcp_sock_loop(const struct xdptcp_sock *s)
{
	return s->loop;
}

void xdptcp_sock_local(const struct xdptcp_sock *s, struct sockaddr_in *out)
{
	*out = s->local;
}

void xdptcp_sock_peer(const struct xdptcp_sock *s, struct sockaddr_in *out)
{
	*out = s->peer;
}
