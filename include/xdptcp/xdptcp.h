/* The xdptcp application API: a small, single-threaded event loop with
 * callbacks. The same application code runs on two backends:
 *   XDPTCP_STACK_XDP    xdptcp itself: XDP fast path + AF_XDP control plane
 *                       (user/rt), attached to one device;
 *   XDPTCP_STACK_KERNEL ordinary kernel TCP sockets (epoll), for comparison.
 * Applications include only this header.
 *
 * Model
 *   A loop owns listeners and connections (struct xdptcp_sock). Nothing
 *   happens outside xdptcp_loop_poll()/xdptcp_loop_run(): every callback is
 *   called from there, on the loop's thread. All calls below return at once
 *   (no call blocks); errors are negative errno values.
 *
 * Callbacks (struct xdptcp_app_ops; any may be NULL)
 *   on_accept      a passive open reached ESTABLISHED. The new socket has the
 *                  listener's ops and ctx; the app may xdptcp_sock_set_ctx().
 *   on_connected   an active open (xdptcp_connect) reached ESTABLISHED.
 *   on_readable    bytes (or end of stream) wait for xdptcp_recv(). Level
 *                  triggered per poll: read until -EAGAIN or 0, or it is
 *                  called again on the next poll.
 *   on_writable    send buffer space freed after xdptcp_send() returned a
 *                  short count or -EAGAIN (called once per such refusal).
 *   on_peer_closed the peer's FIN arrived: every byte before it is readable
 *                  (xdptcp_recv returns them, then 0). Sending still works.
 *   on_closed      last callback of every socket, exactly once: err is 0
 *                  after an orderly end or xdptcp_close(), -ECONNRESET
 *                  (reset by the peer, or xdptcp_abort()), -ETIMEDOUT
 *                  (retransmissions gave up), -ECONNREFUSED (connect
 *                  refused). The handle is invalid once it returns: free the
 *                  app's per-connection ctx here.
 *   After xdptcp_close() or xdptcp_abort() only on_closed follows (from the
 *   loop, never from inside the xdptcp_close call); the stack finishes the
 *   close (FIN handshake, TIME-WAIT) on its own.
 *   Callbacks may call any function of this API, on any socket.
 *
 * Ports: xdptcp_listen() serves a port on every address of the device (XDP)
 * or INADDR_ANY (kernel). Active opens take local ports from a range the
 * kernel will not use itself (see XDPTCP_EPHEMERAL_* and README).
 *
 * Example (echo):
 *   static void rd(struct xdptcp_sock *s, void *ctx)
 *   {
 *           char b[4096];
 *           ssize_t n;
 *           while ((n = xdptcp_recv(s, b, sizeof(b))) > 0)
 *                   xdptcp_send(s, b, n);   // short sends: see app/echo.c
 *   }
 *   static void pc(struct xdptcp_sock *s, void *ctx) { xdptcp_close(s); }
 *   static const struct xdptcp_app_ops ops = { .on_readable = rd,
 *                                               .on_peer_closed = pc };
 *   struct xdptcp_loop_opts o = { .stack = XDPTCP_STACK_XDP, .dev = "eth0" };
 *   struct xdptcp_loop *l = xdptcp_loop_new(&o, err, sizeof(err));
 *   xdptcp_listen(l, 7, &ops, NULL);
 *   xdptcp_loop_run(l, &stop);
 *   xdptcp_loop_free(l);
 */
#ifndef XDPTCP_XDPTCP_H
#define XDPTCP_XDPTCP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xdptcp_loop;
struct xdptcp_sock;

enum xdptcp_stack {
	XDPTCP_STACK_XDP = 0, /* default */
	XDPTCP_STACK_KERNEL,
};

enum xdptcp_xdp_mode {
	XDPTCP_XDP_NATIVE = 0, /* default */
	XDPTCP_XDP_SKB,
};

/* Local ports of active opens on the XDP backend (xdptcp_connect): reserve
 * them from the kernel first, e.g.
 *   sysctl -w net.ipv4.ip_local_reserved_ports=61000-61999
 * so no kernel socket is handed one of them (the kernel would then answer
 * our flows' frames... which XDP never passes to it, but a kernel socket on
 * the same port would never get its own). */
#define XDPTCP_EPHEMERAL_FIRST 61000
#define XDPTCP_EPHEMERAL_LAST 61999

/* Options of a loop; zero means the default for every field. */
struct xdptcp_loop_opts {
	enum xdptcp_stack stack;
	const char *dev;           /* XDP: required; kernel: optional (SO_BINDTODEVICE) */
	const char *bpffs;         /* XDP: bpffs mount; NULL: $XDPTCP_BPFFS, else /sys/fs/bpf */
	enum xdptcp_xdp_mode mode; /* XDP attach mode */
	bool zerocopy;             /* XDP: AF_XDP zero-copy, an error where refused */
	unsigned int queues;       /* XDP: RX queues served (0 = 1) */
	unsigned int msl_ms;       /* MSL; TIME-WAIT lasts 2*MSL (0 = 30000) */
	uint32_t sndbuf;           /* per-connection send buffer, bytes (0 = default) */
	uint32_t rcvbuf;           /* per-connection receive buffer, bytes (0 = default) */
};

struct xdptcp_app_ops {
	void (*on_accept)(struct xdptcp_sock *s, void *ctx);
	void (*on_connected)(struct xdptcp_sock *s, void *ctx);
	void (*on_readable)(struct xdptcp_sock *s, void *ctx);
	void (*on_writable)(struct xdptcp_sock *s, void *ctx);
	void (*on_peer_closed)(struct xdptcp_sock *s, void *ctx);
	void (*on_closed)(struct xdptcp_sock *s, void *ctx, int err);
};

/* Creates a loop (XDP: attaches to opts->dev, or takes over the pins a
 * crashed loop left). NULL on failure with errno set (ENODEV no such device,
 * EPERM/EACCES no privileges, EADDRINUSE, EOPNOTSUPP zero-copy refused, ...)
 * and a one-line message in err. */
struct xdptcp_loop *xdptcp_loop_new(const struct xdptcp_loop_opts *opts, char *err,
				    size_t errlen);
/* Resets the connections still open, detaches (XDP: removes the pins), frees. */
void xdptcp_loop_free(struct xdptcp_loop *loop);

/* One iteration: waits up to timeout_ms (0: no wait, -1: until something
 * happens) and runs the callbacks due. Returns >= 0 or a negative errno. */
int xdptcp_loop_poll(struct xdptcp_loop *loop, int timeout_ms);
/* Polls until *stop becomes non-zero (a signal handler sets it) or an error;
 * returns 0 or a negative errno. */
int xdptcp_loop_run(struct xdptcp_loop *loop, volatile sig_atomic_t *stop);
/* The message of the last failed call on this loop ("" if none). */
const char *xdptcp_loop_errmsg(const struct xdptcp_loop *loop);
/* The backend's name: "xdp" or "kernel". */
const char *xdptcp_loop_stack_name(const struct xdptcp_loop *loop);

/* Serves port (host byte order). 0, -EADDRINUSE (a kernel socket or another
 * loop holds it), -EINVAL, ... */
int xdptcp_listen(struct xdptcp_loop *loop, uint16_t port, const struct xdptcp_app_ops *ops,
		  void *ctx);
/* Stops serving port; established connections are not affected. */
int xdptcp_unlisten(struct xdptcp_loop *loop, uint16_t port);

/* Active open to dst (IPv4, network byte order inside). The socket is
 * returned at once; on_connected or on_closed(-ECONNREFUSED/-ETIMEDOUT)
 * follows. */
int xdptcp_connect(struct xdptcp_loop *loop, const struct sockaddr_in *dst,
		   const struct xdptcp_app_ops *ops, void *ctx, struct xdptcp_sock **out);

/* Queues up to len bytes; returns how many were queued (maybe fewer than
 * len), -EAGAIN when none fit (on_writable follows), -EPIPE after shutdown
 * or close, -ENOTCONN before ESTABLISHED, -ECONNRESET after a reset. */
ssize_t xdptcp_send(struct xdptcp_sock *s, const void *buf, size_t len);
/* Bytes queued but not yet acknowledged by the peer, plus those not sent. */
size_t xdptcp_send_pending(const struct xdptcp_sock *s);
/* Copies up to len received bytes; 0 at end of stream (peer closed and all
 * read), -EAGAIN when nothing is there, -ECONNRESET after a reset. */
ssize_t xdptcp_recv(struct xdptcp_sock *s, void *buf, size_t len);
/* Half close: FIN after the queued bytes (SHUT_WR). */
int xdptcp_shutdown(struct xdptcp_sock *s);
/* Orderly close: FIN after the queued bytes; the app gives the handle up
 * (on_closed(s, ctx, 0) follows from the loop). Unread received data is
 * discarded. */
int xdptcp_close(struct xdptcp_sock *s);
/* Abortive close: RST now, queued data dropped; on_closed(-ECONNRESET) follows. */
int xdptcp_abort(struct xdptcp_sock *s);

void *xdptcp_sock_ctx(const struct xdptcp_sock *s);
void xdptcp_sock_set_ctx(struct xdptcp_sock *s, void *ctx);
struct xdptcp_loop *xdptcp_sock_loop(const struct xdptcp_sock *s);
/* Addresses of a connection (network byte order inside). */
void xdptcp_sock_local(const struct xdptcp_sock *s, struct sockaddr_in *out);
void xdptcp_sock_peer(const struct xdptcp_sock *s, struct sockaddr_in *out);

#ifdef __cplusplus
}
#endif

#endif
