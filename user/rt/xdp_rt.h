/* The XDP backend of the app API (the control plane): one thread runs the
 * engine (user/tcp) over the xsks of every served RX queue (user/xsk) and
 * keeps the shared maps (flows, tcbs, timewait, ports) in step with it.
 * Files: xdp_backend.c (init, API calls), xdp_poll.c (one iteration),
 * xdp_frame.c (RX parse, TX build, peer MACs), xdp_slots.c (tcbs slots),
 * xdp_fast.c (fast-path hand-over and sync), xdp_kport.c (kernel sockets
 * holding the served ports). */
#ifndef XDPTCP_RT_XDP_RT_H
#define XDPTCP_RT_XDP_RT_H

#include <stdbool.h>
#include <net/if.h>
#include <stdint.h>
#include "loader/loader.h"
#include "loader/twtab.h"
#include "rt/backend.h"
#include "rt/rt_stats.h"
#include "tcp/tcp.h"
#include "xdptcp/tcb.h"
#include "xsk/dev.h"

#define RT_BATCH 64
#define RT_MAX_LISTEN 64
#define RT_MAC_BUCKETS 1024
#define RT_QUARANTINE_NS 20000000ull /* 20 ms: frames in flight for a freed slot are gone */
#define RT_REAP_NS 100000000ull	     /* TIME-WAIT reaper period */
#define RT_TW_SWEEP_NS 10000000000ull /* full walks of `timewait`: at most this often */
/* Keys the reaper's FIFO holds (24 bytes each, calloc'ed: resident as
 * they come): as many as XDP's table (include/xdptcp/twtab.h). */
#define XDPTCP_RT_TWQ_CAP (1u << 20)
#define RT_STALE_RST_MAX 4096 /* RSTs sent to a crashed control plane's peers */

struct rt_sock {
	struct xdptcp_sock pub; /* first: the app's handle */
	struct tcp_conn *c;	/* NULL once the engine freed it */
	struct rt_sock *next, *prev;	/* rt.socks */
	struct rt_sock *snext, *sprev;	/* rt.slotted, while has_slot */
	struct rt_sock *dnext;		/* rt.deferred */
	uint32_t slot;			/* valid when has_slot */
	uint32_t gen;
	uint16_t queue;
	bool has_slot;
	bool flow_in;	    /* `flows` has key */
	struct xdptcp_flow_key key;
	bool fast;	    /* we set tcb.fast to ARMING (XDP may have taken or cleared it) */
	bool app_gone;	    /* app called close/abort: no callbacks but on_closed */
	bool closed_sent;   /* on_closed delivered */
	bool deferred;	    /* on rt.deferred */
	bool want_writable; /* send refused or short: on_writable owed */
	bool engine_dead;   /* RESET/give-up: tcp_close owed */
	int close_err;
};

struct rt_listener {
	uint16_t port; /* host order, 0 = free entry */
	struct tcp_conn *c;
	const struct xdptcp_app_ops *ops;
	void *ctx;
	int kfd; /* bound kernel socket holding the port */
};

struct rt_mac {
	uint32_t ip; /* host order; 0 = empty */
	uint8_t mac[6];
};

struct rt_slots {
	struct xdptcp_tcb *tcbs; /* mmapped `tcbs` */
	uint32_t n;
	uint32_t *free; /* stack of free slot numbers */
	uint32_t nfree;
	/* quarantined: freed, reusable once their time has come (FIFO) */
	uint32_t *q_slot;
	uint64_t *q_until;
	uint32_t q_head, q_len;
	struct rt_sock **owner; /* socket holding each slot, or NULL */
};

/* xdp_tw.c: keys of XDP's TIME-WAIT entries in deadline order */
struct rt_twq_entry {
	struct xdptcp_flow_key key;
	uint64_t deadline;
};

struct rt_twq {
	struct rt_twq_entry *e;
	uint32_t cap, head, len;
	bool sweep_due;	     /* entries the FIFO does not know of may exist */
	uint64_t next_sweep; /* a full walk not before this */
};

struct rt {
	struct xdptcp_loop *loop;
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[6];
	char bpffs[4096];
	struct xdptcp_target target;
	struct xdptcp_pinned pins;
	struct xdptcp_xsk_dev dev;
	bool dev_open;
	struct tcp_stack *st;
	struct rt_slots slots;
	size_t tcbs_map_bytes;
	struct rt_listener lis[RT_MAX_LISTEN];
	struct rt_mac macs[RT_MAC_BUCKETS];
	struct rt_sock *socks;	  /* every socket the app may see */
	/* The sockets holding a slot: the only ones each iteration syncs
	 * with XDP. Those in TIME-WAIT or closing without a slot can be tens
	 * of thousands under churn; walking them all every iteration made
	 * the control plane's cost grow with them (churn_client 10k -> 1.7k
	 * conn/s once ~12,000 lingered). */
	struct rt_sock *slotted;
	struct rt_sock *walk_next; /* rt_slotted_walk's cursor */
	struct rt_sock *deferred; /* owe on_closed or tcp_close */
	/* TX frames being filled this iteration */
	struct xdptcp_frame tx[RT_BATCH];
	uint32_t ntx;
	uint16_t ephemeral_next;
	uint16_t cur_queue; /* RX queue of the frame being input */
	uint64_t now;
	uint64_t next_timer;
	uint64_t next_reap;
	struct rt_twq twq;
	struct xdptcp_twtab tw; /* XDP's `timewait` table, mapped */
	uint64_t *ctr; /* rt_stats counters */
	int ctr_fd;
	uint64_t retrans_base; /* RETRANSMITS counted before this process */
	int lock_fd;
	bool attached; /* ours to detach at the end */
	uint32_t msl_ms;
};

static inline struct rt *rt_of(struct xdptcp_loop *loop)
{
	return loop->priv;
}

/* fd of one of the pinned maps (user/loader's XDPTCP_MAP_*) */
static inline int rt_map_fd(const struct rt *rt, enum xdptcp_map_id id)
{
	return rt->pins.map_fd[id];
}

static inline void rt_count(struct rt *rt, enum xdptcp_rt_stat id, uint64_t n)
{
	rt->ctr[id] += n;
}

uint64_t rt_now(void);

/* xdp_frame.c */
void rt_rx_frame(struct rt *rt, uint32_t queue, const struct xdptcp_frame *f);
void rt_output(void *ctx, const struct tcp_seg *seg);
void rt_tx_flush(struct rt *rt);
void rt_mac_learn(struct rt *rt, uint32_t ip, const uint8_t *mac);
const uint8_t *rt_mac_find(struct rt *rt, uint32_t ip);

/* xdp_slots.c */
int rt_slots_init(struct rt *rt); /* maps `tcbs`, then rt_slots_setup */
void rt_slots_fini(struct rt *rt);
/* The allocator over any TCB array (tests use a plain one). */
int rt_slots_setup(struct rt_slots *sl, struct xdptcp_tcb *tcbs, uint32_t n);
void rt_slots_teardown(struct rt_slots *sl);
/* A free slot with its generation bumped; -ENOSPC when none. */
int rt_slot_alloc(struct rt_slots *sl, uint32_t *slot, uint32_t *gen);
/* fast off, CLOSED, reusable RT_QUARANTINE_NS after now. */
void rt_slot_free(struct rt_slots *sl, uint32_t slot, uint64_t now);
void rt_slots_tick(struct rt_slots *sl, uint64_t now);

/* xdp_fast.c: flows, the fast flag, and syncing with what XDP did */
int rt_flow_insert(struct rt *rt, struct rt_sock *s);
void rt_flow_remove(struct rt *rt, struct rt_sock *s);
void rt_fast_take_back(struct rt *rt, struct rt_sock *s);
/* An arming slot XDP has not taken back to OFF (CAS): true when done,
 * else *f is what XDP left (ON: taken, OFF: handed back). */
bool rt_fast_disarm(struct xdptcp_tcb *t, uint8_t *f);
void rt_sync_in(struct rt *rt, struct rt_sock *s);
/* fn on every slotted socket; fn may drop any socket's slot meanwhile */
void rt_slotted_walk(struct rt *rt, void (*fn)(struct rt *, struct rt_sock *));
void rt_sync_out(struct rt *rt, struct rt_sock *s);
void rt_publish_sent(struct rt *rt);

/* xdp_tw.c: XDP's TIME-WAIT entries. sweep_now: a full walk first (the
 * maps of a crashed control plane were taken over). rt_tw_init maps the
 * table; on failure it writes why into err. */
int rt_tw_init(struct rt *rt, bool sweep_now, char *err, size_t errlen);
void rt_tw_fini(struct rt *rt);
void rt_tw_insert(struct rt *rt, const struct tcp_event_info *info);
/* The engine's compact TIME-WAIT entries live in XDP's table
 * (tcp_ops.tw_*; ctx is the rt): one table, no copy in the engine. */
int rt_tw_store(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw);
int rt_tw_find(void *ctx, const struct xdptcp_flow_key *key, uint64_t now, struct xdptcp_tw *out);
void rt_tw_update(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw);
/* A new SYN reopened the flow (RFC 6191): its entry goes, so the new
 * incarnation's handshake ACK and data reach us instead of being answered
 * with the old connection's final ACK. */
void rt_tw_drop(void *ctx, const struct xdptcp_flow_key *key);
/* Removes entries past 2*MSL (call every RT_REAP_NS). */
void rt_tw_reap(struct rt *rt);
unsigned int rt_flows_clear_stale(struct rt *rt, struct tcp_seg *out, unsigned int max);

/* xdp_kport.c */
int rt_kport_hold(uint16_t port, char *err, size_t errlen);
int rt_arp_lookup(struct rt *rt, uint32_t ip);

/* xdp_backend.c: engine events */
void rt_event(void *ctx, struct tcp_conn *c, enum tcp_event ev, const struct tcp_event_info *info);
void rt_defer(struct rt *rt, struct rt_sock *s);
void rt_run_deferred(struct rt *rt);

#endif
