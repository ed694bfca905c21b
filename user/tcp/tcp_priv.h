/* Engine internals shared by the tcp_*.c files: the full TCB (RFC 9293
 * 3.3.1 variables), the stack, and the functions one concern offers another. */
#ifndef XDPTCP_TCP_TCP_PRIV_H
#define XDPTCP_TCP_TCP_PRIV_H

#include <stdbool.h>

#include "tcp/buf.h"
#include "tcp/tcp.h"
#include "tcp/timer_wheel.h"
#include "tcp/tw_table.h"
#include "xdptcp/seq.h"

#define TCP_DEFAULT_MSS 536 /* RFC 9293 3.7.1: when no MSS option arrived */
#define TCP_TS_OPT_LEN 12   /* NOP,NOP,TS: what timestamps take from the MSS */
#define TCP_MAX_WSCALE 14   /* RFC 7323 2.3 */
#define NSEC 1000000000ull

/* conn->flags */
#define CF_ACTIVE 0x0001     /* opened by tcp_connect */
#define CF_APP_GONE 0x0002   /* tcp_close called: nobody reads any more */
#define CF_FIN_QUEUED 0x0004 /* shutdown/close: FIN after the queued data */
#define CF_FIN_SENT 0x0008
#define CF_FIN_ACKED 0x0010
#define CF_PEER_FIN 0x0020   /* peer's FIN processed (RCV.NXT covers it) */
#define CF_OOO_FIN 0x0040    /* peer's FIN seen beyond RCV.NXT: rcv_fin_seq */
#define CF_TS 0x0080	     /* timestamps negotiated */
#define CF_WS 0x0100	     /* window scaling negotiated */
#define CF_RECOVERY 0x0200   /* NewReno fast recovery (RFC 6582) */
#define CF_RTT_TIMING 0x0400 /* timing rtt_seq (no timestamps) */
#define CF_FREEING 0x0800    /* CLOSED event sent, freed at reap */
#define CF_SYN_RETX 0x1000   /* SYN was retransmitted (RFC 6298 5.7) */
#define CF_HASHED 0x2000
#define CF_FIRST_PARTIAL 0x4000 /* first partial ACK of this recovery seen */
#define CF_ACK_NOW 0x8000	/* send an ACK at the end of this input */
#define CF_VISIBLE 0x10000	/* the application has seen it (events go out) */
#define CF_SND_URG 0x20000	/* snd_up is valid */
#define CF_RCV_URG 0x40000	/* rcv_up is valid */
#define CF_ACK_PENDING 0x80000	/* a pure ACK is owed at the end of the batch */
#define CF_ACK_LISTED 0x100000	/* on stack->ack_pending (until batch end) */
#define CF_OUT_PENDING 0x200000 /* tcp_output owed at the end of the batch */

struct tcp_conn {
	struct tcp_stack *stack;
	struct tcp_conn *hnext;		      /* hash chain / listener list */
	struct tcp_conn *free_next;	      /* reap list */
	struct tcp_conn *all_next, *all_prev; /* every conn of the stack */
	struct tcp_conn *ack_next;	      /* stack->ack_pending list */
	struct tcp_conn *listener;	      /* SYN-RECEIVED child: its listener */
	void *user;
	struct twheel_timer timer;

	enum xdptcp_state state;
	uint32_t flags;
	uint32_t laddr, raddr;
	uint16_t lport, rport;

	/* send sequence variables (RFC 9293 3.3.1) */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t max_snd_wnd;	 /* largest window the peer offered (RFC 5961 5.2) */
	uint32_t snd_edge;	 /* furthest right edge the peer offered */
	uint32_t sbuf_seq;	 /* sequence number of sbuf's first byte */
	uint32_t fin_seq;	 /* our FIN's sequence number once queued */
	uint32_t snd_up, rcv_up; /* urgent pointers (3.3.1 SND.UP, RCV.UP) */
	uint16_t snd_mss;	 /* peer's MSS capped by ours, before options */
	uint8_t snd_wscale, rcv_wscale;

	/* receive sequence variables */
	uint32_t irs, rcv_nxt, rcv_adv, rcv_fin_seq, last_ack_sent;
	uint16_t last_wnd; /* window field of the last segment sent */

	/* timestamps (RFC 7323) */
	uint32_t ts_recent, ts_offset;
	uint64_t ts_recent_at;

	/* RTT and retransmission (RFC 6298) */
	uint64_t srtt, rttvar, rto; /* ns */
	unsigned rtt_samples;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	unsigned retries;
	unsigned data_retries, syn_retries; /* R2 of this connection */

	/* congestion control (RFC 5681, RFC 6582) */
	uint32_t cwnd, ssthresh, recover;
	unsigned dupacks;

	/* delayed ACK (RFC 9293 3.8.6.3) */
	unsigned unacked_segs;

	/* deadlines, 0 = off; the wheel timer is armed at the earliest */
	uint64_t rto_at, delack_at, persist_at, tw_at;
	uint64_t persist_backoff;

	struct sbuf snd;
	struct rbuf rcv;
};

struct tcp_stack {
	struct tcp_config cfg;
	struct tcp_ops ops;
	struct tcp_stats stats;
	struct twheel wheel;
	struct tw_table tw;
	struct tcp_conn **buckets;
	struct tcp_conn *listeners;
	struct tcp_conn *reap; /* freed when the outermost call returns */
	struct tcp_conn *all;
	unsigned depth;		      /* nesting of public entry points */
	int batch;		      /* inside tcp_batch_begin/end */
	struct tcp_conn *ack_pending; /* conns owing a pure ACK at batch end */
	size_t nconns;
	uint64_t chal_window; /* start of the current 1 s window */
	uint32_t chal_count;
	uint32_t reopen_floor; /* SND.NXT of the TIME-WAIT being reopened */
	int reopen;
	uint8_t scratch[65536]; /* payload of the segment being sent */
};

/* tcp_conn.c */
void tcp_enter(struct tcp_stack *s);
void tcp_leave(struct tcp_stack *s);
struct tcp_conn *tcp_conn_alloc(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
				uint16_t rport, uint64_t now);
struct tcp_conn *tcp_conn_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
				 uint32_t raddr, uint16_t rport);
struct tcp_conn *tcp_listener_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport);
void tcp_event(struct tcp_conn *c, enum tcp_event ev, const struct tcp_event_info *info);
/* The connection is over: unhash, stop timers, and free it (CLOSED event)
 * unless the application still holds it. */
void tcp_conn_done(struct tcp_conn *c);
void tcp_set_state(struct tcp_conn *c, enum xdptcp_state st);
/* Connection reset or given up: RESET event, then done. */
void tcp_conn_reset(struct tcp_conn *c);
/* Emit CLOSED and free at the end of the outermost call. */
void tcp_conn_release(struct tcp_conn *c);

/* tcp_output.c */
void tcp_send_syn(struct tcp_conn *c, uint64_t now);
void tcp_send_ack(struct tcp_conn *c, uint64_t now);
/* Send the ACK a batch holds for c now, if any. */
void tcp_flush_ack(struct tcp_conn *c, uint64_t now);
void tcp_send_rst(struct tcp_conn *c, uint64_t now);
/* A reset answering seg when no connection owns it (RFC 9293 3.10.7.1). */
void tcp_reply_rst(struct tcp_stack *s, const struct tcp_seg *seg);
/* Send new data and the FIN as windows allow; arm RTO or persist. */
void tcp_output(struct tcp_conn *c, uint64_t now);
/* tcp_output now, or at the end of the batch when in one */
void tcp_output_soon(struct tcp_conn *c, uint64_t now);
/* Retransmit one segment from SND.UNA (RTO, fast retransmit, partial ACK). */
void tcp_retransmit(struct tcp_conn *c, uint64_t now);
void tcp_send_probe(struct tcp_conn *c, uint64_t now);
uint16_t tcp_eff_mss(const struct tcp_conn *c);
uint32_t tcp_rcv_wnd(const struct tcp_conn *c); /* RCV.WND for acceptability */
/* Free receive space that a window field can express. */
uint32_t tcp_rcv_room(const struct tcp_conn *c);
/* Queue a challenge ACK within the per-second limit (RFC 5961 7). */
void tcp_challenge_ack(struct tcp_conn *c, uint64_t now);

/* tcp_timer.c */
void tcp_timer_update(struct tcp_conn *c);
void tcp_rto_arm(struct tcp_conn *c, uint64_t now);
void tcp_enter_timewait(struct tcp_conn *c, uint64_t now);
/* A released FIN-WAIT-2 waits for the peer's FIN at most 2*MSL. */
void tcp_orphan_timeout(struct tcp_conn *c, uint64_t now);
/* Replace a released TIME-WAIT TCB by its compact entry; 1 if done. */
int tcp_tw_shrink(struct tcp_conn *c, uint64_t now);
/* A segment for a compact TIME-WAIT entry; 1 when it reopens the flow. */
int tcp_tw_input(struct tcp_stack *s, const struct tcp_seg *seg, uint64_t now);

/* tcp_rtt.c */
void tcp_rtt_init(struct tcp_conn *c);
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt_ns);
void tcp_rtt_backoff(struct tcp_conn *c);

/* tcp_cc.c */
void tcp_cc_init(struct tcp_conn *c);
/* A new ACK (SND.UNA already advanced) acknowledged acked bytes. */
void tcp_cc_ack(struct tcp_conn *c, uint32_t ack, uint32_t acked, uint64_t now);
void tcp_cc_dupack(struct tcp_conn *c, uint64_t now);
void tcp_cc_timeout(struct tcp_conn *c);

static inline uint32_t tcp_flight(const struct tcp_conn *c) { return c->snd_nxt - c->snd_una; }

static inline uint64_t tcp_min_dl(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

#endif
