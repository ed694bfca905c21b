/* Connection state shared by the XDP program and the control plane: flow key,
 * the compact TCB that lives in one slot of the mmapable `tcbs` array, the
 * TIME-WAIT entry, listening ports and run-time configuration.
 * Fixed-size types only: this header is compiled by clang -target bpf too.
 * Ownership of each TCB field is fixed by DESIGN.md ("Who writes what"). */
#ifndef XDPTCP_TCB_H
#define XDPTCP_TCB_H

#include <linux/types.h>

/* The eleven states of RFC 9293 section 3.3.2. */
enum xdptcp_state {
	XDPTCP_CLOSED = 0,
	XDPTCP_LISTEN,
	XDPTCP_SYN_SENT,
	XDPTCP_SYN_RECEIVED,
	XDPTCP_ESTABLISHED,
	XDPTCP_FIN_WAIT_1,
	XDPTCP_FIN_WAIT_2,
	XDPTCP_CLOSE_WAIT,
	XDPTCP_CLOSING,
	XDPTCP_LAST_ACK,
	XDPTCP_TIME_WAIT,
	XDPTCP_NSTATES
};

/* A flow as seen by a frame arriving at the server: remote = IP source.
 * All fields in network byte order; pad must be zero (it is hashed). */
struct xdptcp_flow_key {
	__be32 raddr;
	__be32 laddr;
	__be16 rport;
	__be16 lport;
	__u8 family; /* AF_INET (2); IPv6 gets its own key type later */
	__u8 pad[3];
};

/* Value of the `flows` hash: where the flow's TCB lives. XDP ignores the
 * slot unless tcbs[slot].generation == generation. */
struct xdptcp_flow {
	__u32 slot;
	__u32 generation;
};

/* tcb.opts bits (written by userspace before it sets fast) */
#define XDPTCP_OPT_TS 0x01 /* timestamps negotiated (RFC 7323) */

/* tcb.fast. While ARMING, XDP writes nothing but `fast` (2 -> 1 by CAS, or
 * 0 on a hand-off) and up_end; on a frame that fits it takes the flow
 * (CAS 2 -> 1) and then owns the fields as for ON. Userspace takes an
 * arming flow back by CAS 2 -> 0 (bpf/README.md "Choices worth knowing"). */
#define XDPTCP_FAST_OFF 0    /* the control plane owns the slot */
#define XDPTCP_FAST_ON 1     /* XDP runs the flow (DESIGN.md "Who writes what") */
#define XDPTCP_FAST_ARMING 2 /* handed over; XDP takes it at the first frame that fits */

/* The compact TCB: one cache line. XDP touches it only while fast != 0,
 * except up_end, which is XDP's alone. */
struct xdptcp_tcb {
	__u32 generation; /* bumped by userspace each time the slot is reused */
	__u8 state;       /* enum xdptcp_state; userspace */
	__u8 fast;        /* XDPTCP_FAST_*: userspace sets (ESTABLISHED only), XDP clears */
	__u8 opts;        /* XDPTCP_OPT_*; userspace */
	__u8 snd_wscale;  /* shift for the peer's window field */
	__u32 snd_una;    /* XDP advances by CAS (fast); userspace otherwise */
	__u32 snd_nxt;    /* userspace */
	__u32 snd_wnd;    /* bytes, already scaled; XDP updates (fast) */
	__u32 rcv_nxt;    /* XDP advances for in-order data (fast) */
	__u32 rcv_adv;    /* right edge of the window we advertised; userspace */
	__u32 ts_recent;  /* RFC 7323 TS.Recent; XDP updates (fast) */
	__u32 ts_offset;  /* our TSval = xdptcp_ts_clock(now) + ts_offset */
	__u32 notify_seq; /* XDP redirects the ACK that reaches it; userspace */
	__u32 tsecr_last; /* TSecr of the last ACK XDP consumed (RTT sample) */
	__u16 queue;      /* RX queue the flow belongs to */
	__u16 dupacks;    /* XDP counts, userspace resets */
	__u16 mss;        /* send MSS; userspace */
	__u8 rcv_wscale;  /* shift we announced; userspace */
	__u8 pad0;
	__u32 up_end;     /* XDP, whatever fast is: end of the last data it sent up */
	__u64 last_rx_ns; /* CLOCK_MONOTONIC of the last frame XDP handled */
};

_Static_assert(sizeof(struct xdptcp_tcb) == 64, "TCB must be one cache line");
_Static_assert(sizeof(struct xdptcp_flow_key) == 16, "flow key is 16 bytes");

/* xdptcp_tw.flags */
#define XDPTCP_TW_TS 0x01 /* the connection used timestamps */

/* A TIME-WAIT connection, reduced to what the final ACK needs, as the
 * engine reports it (keyed by struct xdptcp_flow_key); XDP's `timewait`
 * table holds it as a struct xdptcp_tw_slot (xdptcp/twtab.h). An entry
 * whose deadline has passed counts as absent, so the reaper never races a
 * lookup. */
struct xdptcp_tw {
	__u64 deadline_ns; /* CLOCK_MONOTONIC: end of 2*MSL */
	__u32 snd_nxt;     /* SEQ of our final ACK (after our FIN) */
	__u32 rcv_nxt;     /* ACK of our final ACK (after the peer's FIN) */
	__u32 ts_recent;   /* TSecr to echo when XDPTCP_TW_TS */
	__u32 ts_offset;   /* TSval = xdptcp_ts_clock(now) + ts_offset */
	__u16 window;      /* window field as sent on the wire (unscaled) */
	__u8 flags;        /* XDPTCP_TW_* */
	__u8 pad;
	__u32 reserved;    /* zero */
};

_Static_assert(sizeof(struct xdptcp_tw) == 32, "TIME-WAIT entry is 32 bytes");

/* Value of the `ports` hash (key: __be16 local port): ports xdptcp serves. */
#define XDPTCP_PORT_LISTEN 0x01
struct xdptcp_port {
	__u32 flags;
};

/* The `owned` array: a bit per local port (host order) that may be ours. */
#define XDPTCP_OWNED_WORDS (65536 / 64)
static inline __u64 xdptcp_owned_bit(__u32 port)
{
	return 1ull << (port % 64);
}

/* The single entry of the `config` array, written by userspace. */
struct xdptcp_config {
	__u64 tw_timeout_ns; /* 2*MSL: a FIN in TIME-WAIT restarts this much */
	__u32 nqueues;
	__u32 flags;
	__u64 tw_seed;	  /* hash seed of the `timewait` table (xdptcp/twtab.h) */
	__u32 tw_buckets; /* its buckets (a power of two); 0: no table */
	__u32 pad;
};

/* Our timestamp clock (RFC 7323 section 5.4): CLOCK_MONOTONIC ns >> 20,
 * about 1.05 ms per tick, no division in XDP. */
static inline __u32 xdptcp_ts_clock(__u64 now_ns)
{
	return (__u32)(now_ns >> 20);
}

#if !defined(__bpf__)
static inline const char *xdptcp_state_name(unsigned int s)
{
	static const char *const names[XDPTCP_NSTATES] = {
		"CLOSED",     "LISTEN",     "SYN-SENT",   "SYN-RECEIVED",
		"ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
		"CLOSING",    "LAST-ACK",   "TIME-WAIT",
	};
	return s < XDPTCP_NSTATES ? names[s] : "UNKNOWN";
}
#endif

#endif
