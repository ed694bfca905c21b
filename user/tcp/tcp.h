/* The protocol engine: RFC 9293 connections driven by segments and time
 * passed in. No syscalls, no clock reads, no I/O: segments go out through
 * the host's output callback, state changes through its event callback.
 *
 * One struct tcp_stack per thread. Connections are found by 4-tuple inside
 * the engine, so the host only calls tcp_input() with each parsed segment
 * (checksums already verified) and tcp_timer() at the returned deadline.
 *
 * Lifetime: a connection handle returned by tcp_connect() or handed over by
 * TCP_EV_ACCEPTED belongs to the application until it calls tcp_close() or
 * tcp_abort(). A released connection that reaches TIME-WAIT shrinks to a
 * compact entry (tw_table.h, cfg.tw_compact) and its TCB is freed; the entry
 * answers for the rest of 2*MSL. A connection that ends (RST, give-up,
 * TIME-WAIT expiry) while the application still holds it stays in CLOSED,
 * its unread data readable, until tcp_close(). TCP_EV_CLOSED is the last
 * event of every connection: the TCB is freed when the outermost engine call
 * returns. Event callbacks may call any tcp_* function on any connection
 * (tcp_stack_free excepted). */
#ifndef XDPTCP_TCP_TCP_H
#define XDPTCP_TCP_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "tcp/isn.h"
#include "tcp/segment.h"
#include "xdptcp/tcb.h"

struct tcp_stack;
struct tcp_conn;

enum tcp_event {
	TCP_EV_CONNECTED,   /* active open reached ESTABLISHED */
	TCP_EV_ACCEPTED,    /* passive open reached ESTABLISHED; conn = child,
			       info->listener = its listener */
	TCP_EV_READABLE,    /* new in-order bytes for tcp_recv */
	TCP_EV_WRITABLE,    /* send buffer space freed by an ACK */
	TCP_EV_PEER_CLOSED, /* FIN received: every byte before it is readable */
	TCP_EV_RESET,	    /* RST received, refused, or retransmission give-up */
	TCP_EV_TIMEWAIT,    /* entered TIME-WAIT; info->tw, info->key */
	TCP_EV_CLOSED,	    /* last event: the TCB is about to be freed */
	TCP_EV_URGENT,	    /* the urgent pointer arrived or advanced (3.8.5) */
};

const char *tcp_event_name(enum tcp_event ev);

struct tcp_event_info {
	struct tcp_conn *listener;  /* ACCEPTED */
	struct xdptcp_tw tw;	    /* TIMEWAIT: the compact entry for XDP */
	struct xdptcp_flow_key key; /* TIMEWAIT: the flow as XDP sees it */
};

struct tcp_ops {
	/* A segment to send; seg->payload is valid during the call only. */
	void (*output)(void *ctx, const struct tcp_seg *seg);
	/* info is NULL except for ACCEPTED and TIMEWAIT. */
	void (*event)(void *ctx, struct tcp_conn *c, enum tcp_event ev,
		      const struct tcp_event_info *info);
	/* Optional: choose the ISS instead of RFC 6528 (tests, replay). */
	uint32_t (*isn)(void *ctx, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
			uint64_t now);
	/* Optional, all four or none: the host keeps the compact TIME-WAIT
	 * entries (the XDP backend: XDP's own table) and the engine keeps no
	 * copy. tw_store takes one in (0; anything else: the full TCB keeps
	 * TIME-WAIT); tw_find copies the live entry of key into *out (1) or
	 * returns 0; tw_update writes back an entry a FIN restarted; tw_drop
	 * removes one a new SYN reopened (RFC 6191). */
	int (*tw_store)(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw);
	int (*tw_find)(void *ctx, const struct xdptcp_flow_key *key, uint64_t now,
		       struct xdptcp_tw *out);
	void (*tw_update)(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw);
	void (*tw_drop)(void *ctx, const struct xdptcp_flow_key *key);
	void *ctx;
};

struct tcp_config {
	uint64_t msl_ns;	      /* maximum segment lifetime; TIME-WAIT is 2*MSL */
	uint64_t delack_ns;	      /* delayed-ACK delay (RFC 9293 3.8.6.3: < 0.5 s) */
	uint64_t rto_min_ns;	      /* RFC 6298 (2.4): 1 s */
	uint64_t rto_init_ns;	      /* RFC 6298 (2.1): 1 s */
	uint64_t rto_max_ns;	      /* RFC 6298 (2.5): at least 60 s */
	unsigned data_retries;	      /* RTO expiries before giving up (R2) */
	unsigned syn_retries;	      /* SYN / SYN-ACK retransmissions before giving up */
	uint16_t mss;		      /* MSS we announce (and cap our sending to) */
	uint32_t sndbuf;	      /* bytes, power of two */
	uint32_t rcvbuf;	      /* bytes, power of two */
	uint8_t wscale;		      /* window shift we offer (<= 14) */
	uint8_t wscale_on;	      /* offer window scaling (RFC 7323) */
	uint8_t timestamps;	      /* offer timestamps (RFC 7323) */
	uint32_t challenge_ack_limit; /* challenge ACKs per second (RFC 5961 7) */
	uint32_t hash_buckets;	      /* connection hash size, power of two */
	uint8_t tw_compact;	      /* shrink released TIME-WAIT TCBs to tw_table */
	uint32_t tw_max;	      /* compact TIME-WAIT entries at most */
	struct tcp_isn_key isn_key;   /* RFC 6528 secret */
};

/* Defaults: MSL 30 s, delayed ACK 40 ms, RTO 1 s / 1 s / 60 s, 15 data and
 * 7 SYN retries (3 min), MSS 1460, 256 KiB buffers, wscale 7, timestamps on,
 * 10 challenge ACKs/s, 1024 buckets, compact TIME-WAIT (16384 entries),
 * a zero ISN key (set a random one). */
void tcp_config_default(struct tcp_config *cfg);

/* Counters the engine keeps (never reset by it). */
struct tcp_stats {
	uint64_t conns_alloc, conns_freed;
	uint64_t segs_in, segs_out;
	uint64_t rst_in, rst_out;
	uint64_t challenge_acks, challenge_acks_limited;
	uint64_t dropped;      /* segments dropped without reply or effect */
	uint64_t unacceptable; /* failed the acceptability test (3.10.7.4) */
	uint64_t paws_rejected;
	uint64_t retransmits, rto_expired, fast_retransmits, persist_probes;
	uint64_t tw_reopened;  /* new SYN accepted in TIME-WAIT (RFC 6191) */
	uint64_t tw_compacted; /* TCBs shrunk to a compact TIME-WAIT entry */
	uint64_t tw_reacked;   /* final ACKs sent again from compact entries */
};

/* 0, or -EINVAL (bad config) / -ENOMEM. */
int tcp_stack_init(struct tcp_stack **out, const struct tcp_config *cfg, const struct tcp_ops *ops,
		   uint64_t now);
/* Frees every connection without sending anything or raising events. */
void tcp_stack_free(struct tcp_stack *s);
const struct tcp_stats *tcp_stack_stats(const struct tcp_stack *s);
/* Connections allocated and not yet freed (listeners included). */
size_t tcp_stack_conns(const struct tcp_stack *s);
/* Compact TIME-WAIT entries held (expired ones until reaped); 0 when the
 * host keeps them (tcp_ops.tw_store). */
size_t tcp_stack_timewait(const struct tcp_stack *s);

/* Passive open on addr:port (host order; addr 0 = any local address). */
struct tcp_conn *tcp_listen(struct tcp_stack *s, uint32_t addr, uint16_t port);
/* Active open: sends the SYN. NULL if the 4-tuple is in use or no memory. */
struct tcp_conn *tcp_connect(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
			     uint16_t rport, uint64_t now);

/* A parsed segment addressed to us (saddr = peer). */
void tcp_input(struct tcp_stack *s, const struct tcp_seg *seg, uint64_t now);
/* A batch of tcp_input/tcp_timer calls (one RX burst): pure ACKs are held
 * until tcp_batch_end and sent once per connection, or not at all when a
 * data segment carried the acknowledgment meanwhile. Batches nest. */
void tcp_batch_begin(struct tcp_stack *s);
void tcp_batch_end(struct tcp_stack *s, uint64_t now);
/* Runs expired timers; returns the next deadline (UINT64_MAX: none). */
uint64_t tcp_timer(struct tcp_stack *s, uint64_t now);

/* Queue bytes for sending; returns bytes taken (0 when the buffer is full),
 * or -ENOTCONN / -EPIPE (after shutdown or close). */
long tcp_send(struct tcp_conn *c, const void *data, size_t len, uint64_t now);
/* Read in-order bytes; returns bytes read (0: none now). The window update
 * this opens is sent at once when large enough (RFC 9293 3.8.6.2.2). */
size_t tcp_recv(struct tcp_conn *c, void *buf, size_t len, uint64_t now);
/* tcp_send, and the bytes are urgent data (RFC 9293 3.8.5): segments
 * carry URG with the pointer to the octet after the last of them. */
long tcp_send_urgent(struct tcp_conn *c, const void *data, size_t len, uint64_t now);
/* Urgent bytes not yet read (the application reads them in-line). */
size_t tcp_urgent(const struct tcp_conn *c);
/* Send a FIN after the queued data (half-close); 0 or -ENOTCONN. */
int tcp_shutdown(struct tcp_conn *c, uint64_t now);
/* Release the handle; sends a FIN if none was sent yet (RFC 9293 3.10.4). */
void tcp_close(struct tcp_conn *c, uint64_t now);
/* Send an RST if synchronized and free the TCB (RFC 9293 3.10.5). */
void tcp_abort(struct tcp_conn *c, uint64_t now);

/* R2 of this connection (RFC 9293 3.8.3: the application MUST be able to
 * set it): RTO expiries before giving up on data / on the SYN. */
void tcp_set_retries(struct tcp_conn *c, unsigned data_retries, unsigned syn_retries);

/* Introspection */
enum xdptcp_state tcp_state(const struct tcp_conn *c);
void *tcp_get_user(const struct tcp_conn *c);
void tcp_set_user(struct tcp_conn *c, void *user);
size_t tcp_readable(const struct tcp_conn *c); /* bytes tcp_recv would give */
size_t tcp_sendable(const struct tcp_conn *c); /* free send buffer bytes */
/* Mirror the engine's view into the compact shared TCB (DESIGN.md: the
 * userspace-owned fields plus the ones XDP updates while fast). */
void tcp_fill_tcb(const struct tcp_conn *c, struct xdptcp_tcb *tcb);
void tcp_flow_key(const struct tcp_conn *c, struct xdptcp_flow_key *key);

#endif
