/* The TIME-WAIT table shared by XDP and userspace: 32-byte slots (key
 * included) in 256-byte buckets of a BPF_F_MMAPABLE array (`timewait`),
 * each key in one of two buckets chosen by a seeded hash. About 67 bytes
 * per entry for 1,000,000 entries, against ~112 for a BPF hash map.
 * The local address is an index into the `laddrs` array (a server has few).
 * Fixed-size types only: this header is compiled by clang -target bpf too. */
#ifndef XDPTCP_TWTAB_H
#define XDPTCP_TWTAB_H

#include <linux/types.h>

#define XDPTCP_TW_WAYS 8 /* slots per bucket */
/* 2,097,152 slots, 64 MiB: 1,000,000 entries at load 0.48 */
#define XDPTCP_TW_BUCKETS_DEFAULT (1u << 18)
#define XDPTCP_MAX_LADDRS 256

/* A slot is live iff deadline != 0 and now's tick is before it, so an
 * expired slot is absent without anyone removing it. Writers fill every
 * other field while deadline is 0 and store deadline last (release). */
struct xdptcp_tw_slot {
	__be32 raddr; /* the first 8 bytes (raddr, rport, lport) compare as one __u64 */
	__be16 rport;
	__be16 lport;
	__u32 deadline;	 /* xdptcp_ts_clock() tick from which the entry is absent; 0: empty */
	__u8 laddr_idx;	 /* the local address is laddrs[laddr_idx] */
	__u8 flags;	 /* XDPTCP_TW_TS */
	__u16 window;	 /* window field as sent on the wire (unscaled) */
	__u32 snd_nxt;	 /* SEQ of our final ACK */
	__u32 rcv_nxt;	 /* ACK of our final ACK */
	__u32 ts_recent; /* TSecr to echo when XDPTCP_TW_TS */
	__u32 ts_offset; /* TSval = xdptcp_ts_clock(now) + ts_offset */
};

struct xdptcp_tw_bucket {
	struct xdptcp_tw_slot slot[XDPTCP_TW_WAYS];
};

_Static_assert(sizeof(struct xdptcp_tw_slot) == 32, "TIME-WAIT slot is 32 bytes");
_Static_assert(sizeof(struct xdptcp_tw_bucket) == 256, "TIME-WAIT bucket is 256 bytes");

/* The (raddr, rport, lport) word of a slot or a frame, as stored. */
static inline __u64 xdptcp_tw_word(__be32 raddr, __be16 rport, __be16 lport)
{
	union {
		struct {
			__be32 raddr;
			__be16 rport, lport;
		} f;
		__u64 w;
	} u = { .f = { raddr, rport, lport } };

	return u.w;
}

/* The (raddr, rport, lport) word of a slot: one 8-byte load. */
static inline __u64 xdptcp_tw_slot_word(const struct xdptcp_tw_slot *s)
{
	__u64 w;

	__builtin_memcpy(&w, s, sizeof(w));
	return w;
}

/* A tick deadline as stored: 0 means empty, so a real 0 becomes 1. */
static inline __u32 xdptcp_tw_deadline(__u64 deadline_ns)
{
	__u32 t = (__u32)(deadline_ns >> 20); /* xdptcp_ts_clock() */

	return t ? t : 1;
}

/* Live at tick now: serial-number comparison survives the 32-bit tick
 * wrapping (every ~52 days of uptime). */
static inline int xdptcp_tw_live(__u32 deadline, __u32 now_tick)
{
	return deadline != 0 && (__s32)(deadline - now_tick) > 0;
}

static inline __u64 xdptcp_tw_fmix64(__u64 h)
{
	/* murmur3's finaliser */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* The two candidate buckets of a flow; nbuckets is a power of two >= 2.
 * The seed is random per attach, so peers cannot aim at one bucket. */
static inline void xdptcp_tw_buckets(__be32 raddr, __be32 laddr, __be16 rport, __be16 lport,
				     __u64 seed, __u32 nbuckets, __u32 *b1, __u32 *b2)
{
	__u64 h = xdptcp_tw_fmix64(seed ^ ((__u64)raddr << 32 | laddr));

	h = xdptcp_tw_fmix64(h ^ ((__u64)rport << 16 | lport));
	*b1 = (__u32)h & (nbuckets - 1);
	*b2 = (__u32)(h >> 32) & (nbuckets - 1);
	if (*b2 == *b1)
		*b2 = *b1 ^ 1;
}

#endif
