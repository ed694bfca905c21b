/* SipHash-2-4 (Aumasson & Bernstein, 2012) and RFC 6528 initial sequence
 * numbers. */
#include "tcp/isn.h"

#include <endian.h>
#include <string.h>

static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v)); /* unaligned-safe; one load */
	return le64toh(v);
}

#define SIPROUND(v0, v1, v2, v3)                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = rotl(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = rotl(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = rotl(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = rotl(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = rotl(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = rotl(v2, 32);                                                                 \
	} while (0)

uint64_t siphash24(const struct tcp_isn_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = le64(key->k), k1 = le64(key->k + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t m, b = (uint64_t)len << 56;
	size_t left = len & 7;

	size_t off = 0;

	for (; off < len - left; off += 8) {
		m = le64(p + off);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* last block: the remaining bytes, then the length in the top byte */
	for (size_t i = 0; i < left; i++)
		b |= (uint64_t)p[off + i] << (8 * i);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t tcp_isn(const struct tcp_isn_key *key, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport, uint64_t now_ns)
{
	/* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
	 * remoteport, secretkey); M is a timer ticking every 4 microseconds.
	 * The tuple is hashed in network byte order, in that order. */
	uint8_t msg[12] = {
	    (uint8_t)(laddr >> 24), (uint8_t)(laddr >> 16), (uint8_t)(laddr >> 8),
	    (uint8_t)laddr,	    (uint8_t)(lport >> 8),  (uint8_t)lport,
	    (uint8_t)(raddr >> 24), (uint8_t)(raddr >> 16), (uint8_t)(raddr >> 8),
	    (uint8_t)raddr,	    (uint8_t)(rport >> 8),  (uint8_t)rport,
	};
	uint32_t m = (uint32_t)(now_ns / 4000);

	return m + (uint32_t)siphash24(key, msg, sizeof(msg));
}
