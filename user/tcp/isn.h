/* Initial sequence numbers per RFC 6528: ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey), with M a 4-microsecond clock and F
 * SipHash-2-4 keyed by a 128-bit secret (injectable for tests). */
#ifndef XDPTCP_TCP_ISN_H
#define XDPTCP_TCP_ISN_H

#include <stddef.h>
#include <stdint.h>

struct tcp_isn_key {
	uint8_t k[16];
};

/* SipHash-2-4 of data; the key bytes are k0 || k1 little-endian, as in the
 * reference implementation, so its test vectors apply. */
uint64_t siphash24(const struct tcp_isn_key *key, const void *data, size_t len);

/* Addresses and ports in host byte order; now_ns is CLOCK_MONOTONIC. */
uint32_t tcp_isn(const struct tcp_isn_key *key, uint32_t laddr, uint16_t lport,
		 uint32_t raddr, uint16_t rport, uint64_t now_ns);

#endif
