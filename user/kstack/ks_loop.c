/* The kernel-socket backend's loop: one epoll set, level triggered, and the
 * dispatch of its events to the app's callbacks (contract in rt/backend.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "kstack/ks_int.h"
#include "tcp/tcp.h"

#define KS_EVENTS 256 /* epoll events per poll */

int ks_fail(struct xdptcp_loop *loop, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(loop->err, sizeof(loop->err), fmt, ap);
	va_end(ap);
	return errnum;
}

int ks_arm(struct ks_sock *s, uint32_t events)
{
	struct ks_loop *ks = ks_of(s->pub.loop);
	struct epoll_event ev = { .events = events, .data.ptr = &s->kind };

	if (s->fd < 0 || (s->registered && s->armed == events))
		return 0;
	/* events may be 0: errors and hang-ups are always reported */
	if (epoll_ctl(ks->epfd, s->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->fd, &ev))
		return -errno;
	s->registered = true;
	s->armed = events;
	return 0;
}

void ks_finish(struct ks_sock *s, int err)
{
	struct ks_loop *ks = ks_of(s->pub.loop);

	if (s->done)
		return;
	s->done = true;
	s->close_err = err;
	if (s->fd >= 0) {
		close(s->fd); /* also leaves the epoll set */
		s->fd = -1;
	}
	s->done_next = ks->done;
	ks->done = s;
}

static void unlink_conn(struct ks_loop *ks, struct ks_sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		ks->conns = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

void ks_sock_drop(struct ks_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	unlink_conn(ks_of(s->pub.loop), s);
	free(s);
}

/* on_closed for every connection that owes it, then free. A callback may
 * close other connections: they join the list and are handled here too. */
static int deliver_closed(struct ks_loop *ks)
{
	int n = 0;

	while (ks->done) {
		struct ks_sock *s = ks->done;

		ks->done = s->done_next;
		unlink_conn(ks, s);
		if (s->pub.ops->on_closed)
			s->pub.ops->on_closed(&s->pub, s->pub.ctx, s->close_err);
		free(s);
		n++;
	}
	return n;
}

static int sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

/* Reads and drops what an app without on_readable is sent, so level
 * triggering does not spin; notes the end of the stream. */
static void drain(struct ks_sock *s)
{
	char buf[4096];
	ssize_t n;

	while ((n = ks_recv(&s->pub, buf, sizeof(buf))) > 0)
		;
}

static void on_connected(struct ks_sock *s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int err = sock_error(s->fd);

	if (err) {
		ks_finish(s, -err); /* -ECONNREFUSED, -ETIMEDOUT, ... */
		return;
	}
	s->connecting = false;
	if (!getsockname(s->fd, (struct sockaddr *)&a, &len))
		s->pub.local = a;
	if (ks_arm(s, EPOLLIN | EPOLLRDHUP | (s->want_write ? EPOLLOUT : 0))) {
		ks_finish(s, -ECONNRESET);
		return;
	}
	if (s->pub.ops->on_connected)
		s->pub.ops->on_connected(&s->pub, s->pub.ctx);
}

static void on_readable(struct ks_sock *s)
{
	if (s->pub.ops->on_readable)
		s->pub.ops->on_readable(&s->pub, s->pub.ctx);
	else
		drain(s);
	if (s->done || !s->eof || s->peer_closed_told)
		return;
	/* every byte before the FIN was read: stop polling for input */
	s->peer_closed_told = true;
	ks_arm(s, s->want_write ? EPOLLOUT : 0);
	if (s->pub.ops->on_peer_closed)
		s->pub.ops->on_peer_closed(&s->pub, s->pub.ctx);
	/* both directions finished: the connection is over for the app */
	if (!s->done && s->shut_wr)
		ks_finish(s, 0);
}

static void dispatch(struct ks_sock *s, uint32_t ev)
{
	if (s->done)
		return; /* closed by a callback earlier in this batch */
	if (s->connecting) {
		if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			on_connected(s);
		return;
	}
	if (ev & EPOLLERR) {
		int err = sock_error(s->fd);

		if (err) {
			ks_finish(s, -err);
			return;
		}
	}
	if ((ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) && !s->eof)
		on_readable(s);
	if (!s->done && (ev & EPOLLHUP) && s->eof) {
		/* TCP_CLOSE after the FIN was read: our FIN too, or a reset
		 * whose error was taken already; level triggered, so end it */
		ks_finish(s, s->shut_wr ? 0 : -ECONNRESET);
		return;
	}
	if (!s->done && (ev & EPOLLOUT) && s->want_write) {
		s->want_write = false;
		ks_arm(s, s->eof ? 0 : EPOLLIN | EPOLLRDHUP);
		if (s->pub.ops->on_writable)
			s->pub.ops->on_writable(&s->pub, s->pub.ctx);
	}
}

static void free_dead(struct ks_loop *ks)
{
	while (ks->dead) {
		struct ks_listener *l = ks->dead;

		ks->dead = l->next;
		free(l);
	}
}

static int ks_poll(struct xdptcp_loop *loop, int timeout_ms)
{
	struct ks_loop *ks = ks_of(loop);
	struct epoll_event ev[KS_EVENTS];
	int n;

	if (ks->done)
		timeout_ms = 0; /* on_closed owed since the last poll */
	n = epoll_wait(ks->epfd, ev, KS_EVENTS, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			return ks_fail(loop, -errno, "epoll_wait: %s", strerror(errno));
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		enum ks_kind *kind = ev[i].data.ptr;

		if (*kind == KS_LISTENER) {
			struct ks_listener *l = (struct ks_listener *)kind;

			if (l->fd >= 0) /* not unlistened by a callback of this batch */
				ks_accept(loop, l);
		} else {
			dispatch((struct ks_sock *)((char *)kind - offsetof(struct ks_sock, kind)),
				 ev[i].events);
		}
	}
	free_dead(ks);
	return n + deliver_closed(ks);
}

static int ks_init(struct xdptcp_loop *loop, const struct xdptcp_loop_opts *opts)
{
	struct ks_loop *ks = calloc(1, sizeof(*ks));
	struct tcp_config engine;
	uint32_t snd, rcv;

	/* the defaults of the XDP backend are the engine's */
	tcp_config_default(&engine);
	snd = opts->sndbuf ? opts->sndbuf : engine.sndbuf;
	rcv = opts->rcvbuf ? opts->rcvbuf : engine.rcvbuf;

	if (!ks)
		return ks_fail(loop, -ENOMEM, "out of memory");
	if (snd > INT32_MAX / 2 || rcv > INT32_MAX / 2) {
		free(ks);
		return ks_fail(loop, -EINVAL, "buffer sizes must be below 1 GiB");
	}
	ks->sndbuf = (int)snd;
	ks->rcvbuf = (int)rcv;
	if (opts->dev) {
		if (strlen(opts->dev) >= sizeof(ks->dev)) {
			free(ks);
			return ks_fail(loop, -EINVAL, "device name '%s' is too long", opts->dev);
		}
		strcpy(ks->dev, opts->dev);
	}
	ks->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ks->epfd < 0) {
		int rc = -errno;

		free(ks);
		return ks_fail(loop, rc, "epoll_create1: %s", strerror(-rc));
	}
	loop->priv = ks;
	return 0;
}

static void ks_fini(struct xdptcp_loop *loop)
{
	struct ks_loop *ks = ks_of(loop);

	if (!ks)
		return;
	/* reset what is still open; on_closed is owed exactly once */
	for (struct ks_sock *s = ks->conns; s; s = s->next)
		if (!s->done)
			ks_abort(&s->pub);
	deliver_closed(ks);
	free_dead(ks);
	while (ks->listeners) {
		struct ks_listener *l = ks->listeners;

		ks->listeners = l->next;
		close(l->fd);
		free(l);
	}
	close(ks->epfd);
	free(ks);
	loop->priv = NULL;
}

int ks_sockopts(struct xdptcp_loop *loop, int fd, const char *what)
{
	struct ks_loop *ks = ks_of(loop);

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &ks->sndbuf, sizeof(ks->sndbuf)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &ks->rcvbuf, sizeof(ks->rcvbuf)))
		return ks_fail(loop, -errno, "%s: buffer sizes: %s", what, strerror(errno));
	if (ks->dev[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ks->dev, (socklen_t)strlen(ks->dev)))
		return ks_fail(loop, -errno, "%s: bind to device %s: %s", what, ks->dev,
			       strerror(errno));
	return 0;
}

const struct xdptcp_backend xdptcp_backend_kernel = {
	.name = "kernel",
	.init = ks_init,
	.fini = ks_fini,
	.poll = ks_poll,
	.listen = ks_listen,
	.unlisten = ks_unlisten,
	.connect = ks_connect,
	.send = ks_send,
	.send_pending = ks_send_pending,
	.recv = ks_recv,
	.shutdown = ks_shutdown,
	.close = ks_close,
	.abort = ks_abort,
};
