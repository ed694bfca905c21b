/* Data and closing on the kernel-socket backend: the API's send, recv,
 * shutdown, close and abort on a non-blocking kernel socket, with the
 * API's error values (include/xdptcp/xdptcp.h). */
#include <errno.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "kstack/ks_int.h"

#define KS_DRAIN_MAX (1u << 20) /* bytes close() reads away at most */

/* The API's value for a call on a connection that is over. */
static int over(const struct ks_sock *s)
{
	return s->close_err ? s->close_err : -EPIPE;
}

ssize_t ks_send(struct xdptcp_sock *pub, const void *buf, size_t len)
{
	struct ks_sock *s = ks_conn_of(pub);
	ssize_t n;

	if (s->done)
		return over(s);
	if (s->connecting)
		return -ENOTCONN;
	if (s->shut_wr)
		return -EPIPE;
	n = send(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			/* EPIPE here is the kernel's word for a reset connection */
			int err = errno == EPIPE ? -ECONNRESET : -errno;

			ks_finish(s, err);
			return err;
		}
		n = -EAGAIN;
	}
	if (n < 0 || (size_t)n < len) {
		/* refused, fully or partly: on_writable once space frees */
		s->want_write = true;
		ks_arm(s, EPOLLOUT | (s->eof ? 0 : EPOLLIN | EPOLLRDHUP));
	}
	return n;
}

size_t ks_send_pending(const struct xdptcp_sock *pub)
{
	const struct ks_sock *s = (const struct ks_sock *)pub;
	int v = 0;

	/* SIOCOUTQ: bytes not yet acknowledged, sent or not */
	if (s->done || ioctl(s->fd, SIOCOUTQ, &v) || v < 0)
		return 0;
	return (size_t)v;
}

ssize_t ks_recv(struct xdptcp_sock *pub, void *buf, size_t len)
{
	struct ks_sock *s = ks_conn_of(pub);
	ssize_t n;

	if (s->done)
		return s->close_err ? s->close_err : 0;
	if (s->connecting)
		return -EAGAIN;
	if (!len)
		return 0;
	n = recv(s->fd, buf, len, MSG_DONTWAIT);
	if (n > 0)
		return n;
	if (n == 0) {
		s->eof = true; /* on_peer_closed follows from the loop */
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return -EAGAIN;
	n = -errno;
	ks_finish(s, (int)n);
	return n;
}

int ks_shutdown(struct xdptcp_sock *pub)
{
	struct ks_sock *s = ks_conn_of(pub);

	if (s->done)
		return over(s);
	if (s->connecting)
		return -ENOTCONN;
	if (s->shut_wr)
		return 0;
	if (shutdown(s->fd, SHUT_WR))
		return -errno;
	s->shut_wr = true;
	/* the peer's FIN was read already: nothing more will happen */
	if (s->peer_closed_told)
		ks_finish(s, 0);
	return 0;
}

int ks_close(struct xdptcp_sock *pub)
{
	struct ks_sock *s = ks_conn_of(pub);
	char buf[4096];
	size_t drained = 0;
	ssize_t n;

	if (s->done)
		return 0; /* on_closed is owed already */
	/* unread bytes would make close(2) send an RST (RFC 2525 2.17) where
	 * the API promises a FIN after the queued data */
	while (!s->connecting && drained < KS_DRAIN_MAX &&
	       (n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		drained += (size_t)n;
	ks_finish(s, 0);
	return 0;
}

int ks_abort(struct xdptcp_sock *pub)
{
	struct ks_sock *s = ks_conn_of(pub);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (s->done)
		return 0;
	/* linger 0: close(2) sends an RST and drops the queues */
	setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	ks_finish(s, -ECONNRESET);
	return 0;
}
