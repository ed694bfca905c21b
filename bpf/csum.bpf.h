/* Internet checksum (RFC 1071) over headers of at most 60 bytes. Words are
 * summed as loaded (host order): the one's complement sum commutes with the
 * byte swap, so the folded result is already in network order. A bounded
 * loop of 32-bit loads is cheaper than a bpf_csum_diff call per header and
 * needs no constant size for the verifier. */
#ifndef XDPTCP_CSUM_BPF_H
#define XDPTCP_CSUM_BPF_H

#include <bpf/bpf_endian.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/types.h>


static __always_inline __u16 csum_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* Sum of n words at p, n a constant: the caller has checked p + 4n <= end. */
static __always_inline __u64 csum_words_fixed(const void *p, int n)
{
	const __u32 *w = p;
	__u64 s = 0;

#pragma unroll
	for (int i = 0; i < n; i++)
		s += w[i];
	return s;
}

/* Folds seed plus nwords (<= 15, a 60-byte header) words at ctx->data + off. Returns the
 * folded sum, or 0 (never a valid sum here) if they run past the frame.
 * Unrolled by hand: clang turns a loop's bound checks into arithmetic on
 * data_end, which the verifier refuses. A global function, so the verifier
 * checks it once rather than at every call site and on every path there;
 * callers use csum_words_fixed() for the common header sizes. */
#define CSUM_WORD(i)                                                                               \
	do {                                                                                       \
		if ((i) >= nwords)                                                                 \
			goto out;                                                                  \
		if ((void *)(w + (i) + 1) > end)                                                   \
			return 0;                                                                  \
		s += w[i];                                                                         \
	} while (0)

__noinline __u32 csum_words_var(struct xdp_md *ctx, __u32 off, __u32 nwords, __u64 seed)
{
	void *end = (void *)(long)ctx->data_end;
	const __u32 *w;
	__u64 s = seed;

	if (off > 14 + 60)
		return 0;
	w = (void *)(long)ctx->data + off;
	CSUM_WORD(0);
	CSUM_WORD(1);
	CSUM_WORD(2);
	CSUM_WORD(3);
	CSUM_WORD(4);
	CSUM_WORD(5);
	CSUM_WORD(6);
	CSUM_WORD(7);
	CSUM_WORD(8);
	CSUM_WORD(9);
	CSUM_WORD(10);
	CSUM_WORD(11);
	CSUM_WORD(12);
	CSUM_WORD(13);
	CSUM_WORD(14);
out:
	return csum_fold(s);
}

/* Pseudo-header of RFC 9293 section 3.1 (addresses in network order). */
static __always_inline __u64 csum_tcp_pseudo(__be32 saddr, __be32 daddr, __u32 tcp_len)
{
	return (__u64)saddr + daddr + bpf_htons(IPPROTO_TCP) + bpf_htons((__u16)tcp_len);
}

/* A header whose checksum field is filled verifies when its sum folds to
 * 0xffff. */
#define CSUM_GOOD 0xffff

#endif
