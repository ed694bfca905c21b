/* Layout hash stored in the pinned `abi` map: a control plane or CLI that
 * finds pinned maps with another hash refuses them (DESIGN.md). Bump
 * XDPTCP_ABI_VERSION when a field changes meaning without changing size. */
#ifndef XDPTCP_ABI_H
#define XDPTCP_ABI_H

#include <stddef.h>
#include <stdint.h>
#include "xdptcp/tcb.h"
#include "xdptcp/meta.h"
#include "xdptcp/stats.h"
#include "xdptcp/twtab.h"

#define XDPTCP_ABI_VERSION 2 /* 2: tcb.acks_fast became up_end, fast 2 = arming */

static inline uint64_t xdptcp_abi_mix(uint64_t h, uint64_t v)
{
	/* FNV-1a over the 8 bytes of v */
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (i * 8)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

static inline uint64_t xdptcp_abi_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const uint64_t parts[] = {
		XDPTCP_ABI_VERSION,
		sizeof(struct xdptcp_flow_key),
		sizeof(struct xdptcp_flow),
		sizeof(struct xdptcp_tcb),
		offsetof(struct xdptcp_tcb, snd_una),
		offsetof(struct xdptcp_tcb, rcv_nxt),
		offsetof(struct xdptcp_tcb, notify_seq),
		offsetof(struct xdptcp_tcb, last_rx_ns),
		sizeof(struct xdptcp_tw),
		offsetof(struct xdptcp_tw, ts_offset),
		sizeof(struct xdptcp_port),
		sizeof(struct xdptcp_config),
		offsetof(struct xdptcp_config, tw_buckets),
		sizeof(struct xdptcp_tw_slot),
		offsetof(struct xdptcp_tw_slot, deadline),
		offsetof(struct xdptcp_tw_slot, ts_offset),
		sizeof(struct xdptcp_tw_bucket),
		XDPTCP_TW_WAYS,
		XDPTCP_MAX_LADDRS,
		sizeof(struct xdptcp_meta),
		XDPTCP_STAT_MAX,
		XDPTCP_NSTATES,
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		h = xdptcp_abi_mix(h, parts[i]);
	return h;
}

#endif
