/* XDP's TIME-WAIT table (include/xdptcp/twtab.h) from userspace: the
 * pinned `timewait` array mapped into memory, so inserts, lookups and
 * reaping are plain loads and stores, no syscalls; local addresses through
 * the `laddrs` map, cached here (it is append-only).
 * Also works on plain memory without any map (unit tests).
 *
 * Writers: every field is written while the slot's deadline is 0, then the
 * deadline with a release store, so XDP never sees a half-written live
 * slot; a slot is claimed or reaped by compare-and-swap on its deadline,
 * as XDP restarts one (a FIN in TIME-WAIT). Single writer process. */
#ifndef XDPTCP_LOADER_TWTAB_H
#define XDPTCP_LOADER_TWTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdptcp/tcb.h"
#include "xdptcp/twtab.h"

struct xdptcp_pinned;

struct xdptcp_twtab {
	struct xdptcp_tw_bucket *b;
	uint32_t nbuckets; /* a power of two >= 2 */
	uint64_t seed;
	uint32_t nladdrs; /* laddrs[0..nladdrs) are known and nonzero */
	int laddrs_fd;	  /* the `laddrs` map, or -1 (plain memory) */
	size_t map_bytes; /* of the mapping of `timewait`; 0: plain memory */
	bool writable;
	__be32 laddrs[XDPTCP_MAX_LADDRS];
};

/* The table over mem (nbuckets * 256 bytes, zeroed by the caller), local
 * addresses kept here only. Returns 0 or -EINVAL (nbuckets). */
int xdptcp_twtab_init(struct xdptcp_twtab *t, void *mem, uint32_t nbuckets, uint64_t seed);

/* Maps the `timewait` array behind tw_fd (all its max_entries buckets;
 * read-only unless writable) and reads `laddrs` from laddrs_fd. nbuckets
 * and seed are config.tw_buckets and config.tw_seed. Returns 0, -EPROTO
 * (sizes do not fit) or the errno of the failed call. */
int xdptcp_twtab_map(struct xdptcp_twtab *t, int tw_fd, int laddrs_fd, uint32_t nbuckets,
		     uint64_t seed, bool writable);

/* Same for a device's pins, with nbuckets and seed from its `config`.
 * Writes a one-line message into err on failure. */
int xdptcp_twtab_open(struct xdptcp_twtab *t, const struct xdptcp_pinned *p, bool writable,
		      char *err, size_t errlen);

/* Unmaps (the fds stay the caller's). Safe on a zeroed or closed table. */
void xdptcp_twtab_close(struct xdptcp_twtab *t);

/* Index of laddr in `laddrs`, appending it when add (written to the map
 * first, then cached). Returns the index, -ENOENT (absent, !add),
 * -ENOSPC (XDPTCP_MAX_LADDRS in use) or the errno of the map update. */
int xdptcp_twtab_laddr(struct xdptcp_twtab *t, __be32 laddr, bool add);

/* The slot of k, live or expired (not empty), or NULL. */
struct xdptcp_tw_slot *xdptcp_twtab_find(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k);

/* The slot of k if it is live at now_ns (CLOCK_MONOTONIC), else NULL. */
struct xdptcp_tw_slot *xdptcp_twtab_lookup(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k,
					   uint64_t now_ns);

/* Puts k's entry in: over k's own slot if it has one, else into the less
 * loaded of its two buckets (live slots at now_ns), in an empty or expired
 * slot. Returns 0, -ENOSPC (both buckets full of live entries, or no room
 * for another local address), -EPERM (read-only) or a laddrs map error. */
int xdptcp_twtab_insert(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k,
			const struct xdptcp_tw *tw, uint64_t now_ns);

/* Empties k's slot. Returns 0 or -ENOENT. */
int xdptcp_twtab_delete(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k);

/* Empties s if it has expired at now_ns; true if it did. */
bool xdptcp_twtab_reap_slot(struct xdptcp_tw_slot *s, uint64_t now_ns);

/* Empties every slot expired at now_ns; returns how many. */
uint64_t xdptcp_twtab_sweep(struct xdptcp_twtab *t, uint64_t now_ns);

/* Slot s as the engine's entry and its key (deadline_ns from the tick,
 * placed on now_ns's side of the 32-bit tick wrap). */
void xdptcp_twtab_entry(const struct xdptcp_twtab *t, const struct xdptcp_tw_slot *s,
			uint64_t now_ns, struct xdptcp_flow_key *k, struct xdptcp_tw *tw);

/* Calls fn for each live slot (and each expired one too when expired),
 * stopping at the first nonzero return, which it returns. */
typedef int (*xdptcp_twtab_fn)(const struct xdptcp_flow_key *k, const struct xdptcp_tw *tw,
			       void *ctx);
int xdptcp_twtab_walk(struct xdptcp_twtab *t, uint64_t now_ns, bool expired, xdptcp_twtab_fn fn,
		      void *ctx);

/* Live slots at now_ns. */
uint64_t xdptcp_twtab_count(const struct xdptcp_twtab *t, uint64_t now_ns);

#endif
