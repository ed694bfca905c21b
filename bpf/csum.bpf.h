/* Internet checksum (RFC 1071) over headers of at most 60 bytes. Words are
 * summed as loaded (host order): the one's complement sum commutes with the
 * byte swap, so the folded result is already in network order. A bounded
 * loop of 32-bit loads is cheaper than a bpf_csum_diff call per header and
 * needs no constant size for the verifier. */
#ifndef XDPTCP_CSUM_BPF_H
#define XDPTCP_CSUM_BPF_H

#include <linux/types.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>

#define CSUM_MAX_WORDS 15 /* 60-byte IPv4 or TCP header */

static __always_inline __u16 csum_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* Adds nwords (<= 15) 32-bit words at p. Returns -1 if they run past end.
 * Unrolled by hand: clang turns a loop's bound checks into arithmetic on
 * data_end, which the verifier refuses, and will not unroll a loop with a
 * variable exit itself. */
#define CSUM_WORD(i)                                                                               \
	do {                                                                                       \
		if ((i) >= nwords)                                                                 \
			goto out;                                                                  \
		if ((const void *)(w + (i) + 1) > end)                                             \
			return -1;                                                                 \
		s += w[i];                                                                         \
	} while (0)

static __always_inline int csum_add_words(__u64 *sum, const void *p, __u32 nwords, const void *end)
{
	const __u32 *w = p;
	__u64 s = *sum;

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
	*sum = s;
	return 0;
}

/* Pseudo-header of RFC 9293 section 3.1 (addresses in network order). */
static __always_inline __u64 csum_tcp_pseudo(__be32 saddr, __be32 daddr, __u32 tcp_len)
{
	return (__u64)saddr + daddr + bpf_htons(IPPROTO_TCP) + bpf_htons((__u16)tcp_len);
}

/* A header whose checksum field is filled verifies when its sum folds to
 * 0xffff. Returns 1 if good. */
static __always_inline int csum_ok(__u64 sum)
{
	return csum_fold(sum) == 0xffff;
}

#endif
