/* The engine's compact TIME-WAIT table: connections in TIME-WAIT reduced to
 * struct xdptcp_tw (include/xdptcp/tcb.h), keyed by flow, in an open-addressing
 * hash table (linear probing, power-of-two slots, backward-shift deletion,
 * keyed SipHash so peers cannot aim collisions at one probe chain). An entry
 * whose deadline has passed counts as absent, exactly as in the XDP program,
 * so lookups never depend on the reaper having run.
 *
 * tw_input applies the TIME-WAIT rules to one segment for such an entry; it
 * mirrors bpf/timewait.bpf.h so that XDP and the engine agree. */
#ifndef XDPTCP_TCP_TW_TABLE_H
#define XDPTCP_TCP_TW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "tcp/isn.h"
#include "tcp/segment.h"
#include "xdptcp/tcb.h"

struct tw_entry {
	struct xdptcp_flow_key key; /* key.family == 0 marks an empty slot */
	struct xdptcp_tw tw;
};

struct tw_table {
	struct tw_entry *slots;
	size_t nslots; /* power of two, > max: probing always ends */
	size_t max;    /* entries allowed (the capacity asked for) */
	size_t count;  /* entries held, expired ones included until removed */
	size_t cursor; /* where the reaper resumes */
	struct tcp_isn_key hkey;
};

/* Room for max entries (at most 3/4 of the slots are ever used). hkey is the
 * hash secret (NULL: all zeros, for tests). Returns 0, -EINVAL (max 0 or too
 * large) or -ENOMEM. */
int tw_table_init(struct tw_table *t, size_t max, const struct tcp_isn_key *hkey);
void tw_table_free(struct tw_table *t);

/* Insert or replace. key->family must be non-zero and key->pad zero.
 * Returns 0, -EINVAL, or -ENOSPC when max entries are held (reap first:
 * expired entries still take room until removed). */
int tw_insert(struct tw_table *t, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw);

/* The live entry for key, or NULL if absent or expired (deadline_ns <= now).
 * The pointer is valid until the next insert, remove or reap. */
struct xdptcp_tw *tw_lookup(struct tw_table *t, const struct xdptcp_flow_key *key, uint64_t now);

/* Remove key whether expired or not. Returns 0 or -ENOENT. */
int tw_remove(struct tw_table *t, const struct xdptcp_flow_key *key);

/* Examine at most max slots from where the last call stopped (cyclically)
 * and remove expired entries among them; returns how many were removed. A
 * full sweep takes nslots / max calls. */
size_t tw_reap(struct tw_table *t, uint64_t now, size_t max);

size_t tw_count(const struct tw_table *t);

/* The flow key of a segment arriving at us (remote = its source), in network
 * byte order as the XDP program builds it. */
void tw_key_from_seg(struct xdptcp_flow_key *key, const struct tcp_seg *seg);

enum tw_action {
	TW_IGNORE = 0, /* drop the segment silently */
	TW_REACK,      /* send *reply (our final ACK again) */
	TW_REOPEN,     /* acceptable new SYN: hand it to the listener */
};

/* The TIME-WAIT rules (RFC 9293 3.10.7.4, RFC 1337, RFC 6191) for a segment
 * seg that arrived for entry tw at now:
 *  - RST: IGNORE (RFC 1337: no TIME-WAIT assassination).
 *  - SYN without ACK with seq > rcv_nxt, or, when both sides use timestamps,
 *    tsval > ts_recent: REOPEN (either test suffices, as in XDP).
 *  - FIN: REACK, and the 2*MSL deadline restarts at now + tw_timeout_ns.
 *  - ACK without SYN/FIN/RST/payload, seq == rcv_nxt, ack == snd_nxt: IGNORE.
 *  - anything else: REACK.
 * On REACK, *reply is an ACK with seq snd_nxt, ack rcv_nxt, window, and,
 * when XDPTCP_TW_TS, timestamps (tsval = xdptcp_ts_clock(now) + ts_offset,
 * tsecr = ts_recent); addresses and ports are seg's swapped. *reply is
 * untouched otherwise. */
enum tw_action tw_input(struct xdptcp_tw *tw, const struct tcp_seg *seg, uint64_t now,
			uint64_t tw_timeout_ns, struct tcp_seg *reply);

#endif
