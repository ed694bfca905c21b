/* Opening connections on the kernel-socket backend: listeners, accept,
 * active opens. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "kstack/ks_int.h"

#define KS_ACCEPTS_PER_POLL 64 /* then other sockets get their turn */

struct ks_sock *ks_sock_new(struct xdptcp_loop *loop, int fd, const struct xdptcp_app_ops *ops,
			    void *ctx)
{
	struct ks_loop *ks = ks_of(loop);
	struct ks_sock *s = calloc(1, sizeof(*s));
	int one = 1;

	if (!s)
		return NULL;
	s->pub.loop = loop;
	s->pub.ops = ops;
	s->pub.ctx = ctx;
	s->kind = KS_CONN;
	s->fd = fd;
	/* the engine sends what it has at once; so must the kernel here */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->next = ks->conns;
	if (ks->conns)
		ks->conns->prev = s;
	ks->conns = s;
	return s;
}

static struct ks_listener *find_listener(struct ks_loop *ks, uint16_t port)
{
	for (struct ks_listener *l = ks->listeners; l; l = l->next)
		if (l->port == port)
			return l;
	return NULL;
}

int ks_listen(struct xdptcp_loop *loop, uint16_t port, const struct xdptcp_app_ops *ops, void *ctx)
{
	struct ks_loop *ks = ks_of(loop);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct ks_listener *l;
	struct epoll_event ev = { .events = EPOLLIN };
	int one = 1, fd, rc;

	if (find_listener(ks, port))
		return ks_fail(loop, -EADDRINUSE, "port %u is already served by this loop", port);
	l = calloc(1, sizeof(*l));
	if (!l)
		return ks_fail(loop, -ENOMEM, "out of memory");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = ks_fail(loop, -errno, "socket: %s", strerror(errno));
		free(l);
		return rc;
	}
	rc = ks_sockopts(loop, fd, "listen");
	if (!rc && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		rc = ks_fail(loop, -errno, "SO_REUSEADDR: %s", strerror(errno));
	if (!rc && bind(fd, (struct sockaddr *)&a, sizeof(a)))
		rc = ks_fail(loop, -errno, "bind to port %u: %s", port, strerror(errno));
	if (!rc && listen(fd, SOMAXCONN))
		rc = ks_fail(loop, -errno, "listen on port %u: %s", port, strerror(errno));
	l->kind = KS_LISTENER;
	l->fd = fd;
	l->port = port;
	l->ops = ops;
	l->ctx = ctx;
	ev.data.ptr = &l->kind;
	if (!rc && epoll_ctl(ks->epfd, EPOLL_CTL_ADD, fd, &ev))
		rc = ks_fail(loop, -errno, "epoll_ctl: %s", strerror(errno));
	if (rc) {
		close(fd);
		free(l);
		return rc;
	}
	l->next = ks->listeners;
	ks->listeners = l;
	return 0;
}

int ks_unlisten(struct xdptcp_loop *loop, uint16_t port)
{
	struct ks_loop *ks = ks_of(loop);

	for (struct ks_listener **pl = &ks->listeners; *pl; pl = &(*pl)->next) {
		struct ks_listener *l = *pl;

		if (l->port != port)
			continue;
		*pl = l->next;
		close(l->fd);
		l->fd = -1;
		/* freed after the poll: an event of this batch may still point here */
		l->next = ks->dead;
		ks->dead = l;
		return 0;
	}
	return ks_fail(loop, -ENOENT, "port %u is not served", port);
}

void ks_accept(struct xdptcp_loop *loop, struct ks_listener *l)
{
	for (int i = 0; i < KS_ACCEPTS_PER_POLL; i++) {
		struct sockaddr_in peer, local;
		socklen_t plen = sizeof(peer), llen = sizeof(local);
		struct ks_sock *s;
		int fd;

		fd = accept4(l->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			return; /* EAGAIN: all taken; EMFILE...: retried next poll */
		}
		s = ks_sock_new(loop, fd, l->ops, l->ctx);
		if (!s) {
			close(fd);
			return;
		}
		s->pub.peer = peer;
		if (!getsockname(fd, (struct sockaddr *)&local, &llen))
			s->pub.local = local;
		if (ks_arm(s, EPOLLIN | EPOLLRDHUP)) {
			ks_sock_drop(s); /* the app never saw it */
			continue;
		}
		if (l->ops->on_accept)
			l->ops->on_accept(&s->pub, s->pub.ctx);
	}
}

int ks_connect(struct xdptcp_loop *loop, const struct sockaddr_in *dst,
	       const struct xdptcp_app_ops *ops, void *ctx, struct xdptcp_sock **out)
{
	struct ks_sock *s;
	int fd, rc;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ks_fail(loop, -errno, "socket: %s", strerror(errno));
	rc = ks_sockopts(loop, fd, "connect");
	if (!rc && connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) && errno != EINPROGRESS)
		rc = ks_fail(loop, -errno, "connect: %s", strerror(errno));
	if (rc) {
		close(fd);
		return rc;
	}
	s = ks_sock_new(loop, fd, ops, ctx);
	if (!s) {
		close(fd);
		return ks_fail(loop, -ENOMEM, "out of memory");
	}
	s->pub.peer = *dst;
	/* even a connect that completed at once is reported from poll */
	s->connecting = true;
	rc = ks_arm(s, EPOLLOUT);
	if (rc) {
		ks_sock_drop(s);
		return ks_fail(loop, rc, "epoll_ctl: %s", strerror(-rc));
	}
	*out = &s->pub;
	return 0;
}
