/* Inside the kernel-socket backend (kstack.h): the loop's state, listeners
 * and connections, shared by ks_loop.c (epoll and callbacks), ks_open.c
 * (listen, accept, connect) and ks_io.c (send, recv, close). */
#ifndef XDPTCP_KS_INT_H
#define XDPTCP_KS_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include "kstack/kstack.h"

/* What an epoll event's data.ptr points to: the first field of both. */
enum ks_kind { KS_LISTENER = 1, KS_CONN };

struct ks_listener {
	enum ks_kind kind; /* KS_LISTENER */
	int fd;
	uint16_t port; /* host byte order */
	const struct xdptcp_app_ops *ops;
	void *ctx;
	struct ks_listener *next;
};

struct ks_sock {
	struct xdptcp_sock pub; /* first: the API's handle (backend.h) */
	enum ks_kind kind;	/* KS_CONN */
	int fd;			/* -1 once done */
	bool registered;	/* fd is in the epoll set */
	uint32_t armed;		/* its events there */
	bool connecting;	/* active open not yet ESTABLISHED */
	bool want_write;	/* a send was refused: on_writable on EPOLLOUT */
	bool eof;		/* recv returned 0: the peer's FIN was read */
	bool peer_closed_told;
	bool shut_wr;		     /* xdptcp_shutdown() */
	bool done;		     /* fd closed; on_closed(close_err) owed */
	int close_err;		     /* 0 or -errno for on_closed */
	struct ks_sock *prev, *next; /* the loop's connections */
	struct ks_sock *done_next;   /* the loop's list of on_closed owed */
};

struct ks_loop {
	int epfd;
	char dev[IF_NAMESIZE]; /* SO_BINDTODEVICE, "" for none */
	int sndbuf, rcvbuf;
	struct ks_listener *listeners;
	struct ks_listener *dead; /* unlistened, freed at the end of poll */
	struct ks_sock *conns;
	struct ks_sock *done; /* on_closed owed, delivered at the end of poll */
};

static inline struct ks_loop *ks_of(struct xdptcp_loop *loop)
{
	return loop->priv;
}

static inline struct ks_sock *ks_conn_of(struct xdptcp_sock *s)
{
	return (struct ks_sock *)s;
}

/* Sets loop->err and returns errnum (negative). Own copy of
 * xdptcp_loop_fail, so the backend links without user/rt/loop.c. */
int ks_fail(struct xdptcp_loop *loop, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Registers (first call) or changes the epoll events of a connection. */
int ks_arm(struct ks_sock *s, uint32_t events);
/* Closes the connection's fd now and owes on_closed(err) (next poll's end). */
void ks_finish(struct ks_sock *s, int err);
/* Closes and frees a connection the app has not seen: no callback. */
void ks_sock_drop(struct ks_sock *s);
/* Socket options every socket of this loop gets (buffers, device). */
int ks_sockopts(struct xdptcp_loop *loop, int fd, const char *what);

/* ks_open.c */
int ks_listen(struct xdptcp_loop *loop, uint16_t port, const struct xdptcp_app_ops *ops, void *ctx);
int ks_unlisten(struct xdptcp_loop *loop, uint16_t port);
int ks_connect(struct xdptcp_loop *loop, const struct sockaddr_in *dst,
	       const struct xdptcp_app_ops *ops, void *ctx, struct xdptcp_sock **out);
void ks_accept(struct xdptcp_loop *loop, struct ks_listener *l);
struct ks_sock *ks_sock_new(struct xdptcp_loop *loop, int fd, const struct xdptcp_app_ops *ops,
			    void *ctx);

/* ks_io.c */
ssize_t ks_send(struct xdptcp_sock *s, const void *buf, size_t len);
size_t ks_send_pending(const struct xdptcp_sock *s);
ssize_t ks_recv(struct xdptcp_sock *s, void *buf, size_t len);
int ks_shutdown(struct xdptcp_sock *s);
int ks_close(struct xdptcp_sock *s);
int ks_abort(struct xdptcp_sock *s);

#endif
