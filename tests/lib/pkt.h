/* Crafting Ethernet/IPv4/TCP frames for BPF tests and benchmarks, with
 * correct or deliberately broken lengths and checksums, and an independent
 * RFC 1071 checksum to check what the XDP program writes. */
#ifndef XDPTCP_TESTS_PKT_H
#define XDPTCP_TESTS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 9216 /* big enough for a jumbo frame */

#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10
#define PKT_URG 0x20

/* Offsets of the fixed layout (IHL 5) most tests use. */
#define PKT_ETH_LEN 14
#define PKT_IP_OFF 14
#define PKT_TCP_OFF 34

struct pkt_spec {
	uint8_t smac[6], dmac[6];
	uint16_t eth_proto;    /* host order; 0 -> IPv4 */
	uint32_t saddr, daddr; /* network order */
	uint8_t version;       /* 0 -> 4 */
	uint8_t ihl;	       /* 32-bit words; 0 -> 5 (extra words are NOP options) */
	uint8_t proto;	       /* 0 -> TCP */
	uint16_t frag;	       /* host order: flags (0x2000 MF) | offset */
	int tot_len_delta;     /* added to the correct IPv4 total length */
	uint16_t sport, dport; /* host order */
	uint32_t seq, ack;     /* host order */
	uint8_t flags;	       /* PKT_* */
	uint16_t window;       /* host order */
	uint8_t doff;	       /* 32-bit words; 0 -> from the options */
	const uint8_t *opts;   /* raw TCP options, padded with EOL to 4 bytes */
	size_t optlen;
	const uint8_t *payload;
	size_t paylen;
	size_t pad; /* Ethernet padding after the IP packet */
	bool bad_ip_csum, bad_tcp_csum;
	size_t truncate; /* if non-zero, the frame is cut to this length */
};

/* A spec for client 10.0.0.2:40000 -> server 10.0.0.1:80, ACK. */
void pkt_spec_default(struct pkt_spec *s);

/* Writes the frame into buf; returns its length (0 if cap is too small). */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

/* NOP, NOP, TS(tsval, tsecr): 12 bytes. */
void pkt_opts_ts(uint8_t out[12], uint32_t tsval, uint32_t tsecr);

/* RFC 1071 sum (not complemented) of len bytes, added to sum. */
uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t pkt_csum_fold(uint32_t sum);

/* True if the IPv4 header / TCP segment (pseudo-header included) of the
 * frame checks out; the frame must have the lengths its headers claim. */
bool pkt_ip_csum_ok(const uint8_t *frame, size_t len);
bool pkt_tcp_csum_ok(const uint8_t *frame, size_t len);

/* Big-endian readers for checking output frames. */
static inline uint16_t pkt_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline uint32_t pkt_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
