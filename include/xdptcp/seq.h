/* Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4), shared by
 * the XDP program and the userspace engine so both compare the same way. */
#ifndef XDPTCP_SEQ_H
#define XDPTCP_SEQ_H

#include <linux/types.h>

static inline int xdptcp_seq_lt(__u32 a, __u32 b) { return (__s32)(a - b) < 0; }
static inline int xdptcp_seq_le(__u32 a, __u32 b) { return (__s32)(a - b) <= 0; }
static inline int xdptcp_seq_gt(__u32 a, __u32 b) { return (__s32)(a - b) > 0; }
static inline int xdptcp_seq_ge(__u32 a, __u32 b) { return (__s32)(a - b) >= 0; }

/* a <= x < b, all modulo 2^32 */
static inline int xdptcp_seq_in(__u32 x, __u32 a, __u32 b)
{
	return xdptcp_seq_le(a, x) && xdptcp_seq_lt(x, b);
}

#endif
