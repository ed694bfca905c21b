/* TCP/IPv4 segments: parse (with bounds and checksum checks) and build (with
 * checksums). Plain functions on byte buffers starting at the IPv4 header;
 * the Ethernet header belongs to user/xsk. */
#ifndef XDPTCP_TCP_SEGMENT_H
#define XDPTCP_TCP_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

/* tcp_seg.opts: which options are present */
#define TCP_OPT_MSS 0x01
#define TCP_OPT_WSCALE 0x02
#define TCP_OPT_SACK_OK 0x04
#define TCP_OPT_TS 0x08

/* A segment in host byte order (addresses too). For parsing, payload points
 * into the parsed buffer; for building, it is copied. */
struct tcp_seg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;   /* TCP_* */
	uint16_t wnd;    /* window field as on the wire (unscaled) */
	uint16_t urp;
	uint8_t opts;    /* TCP_OPT_* present */
	uint16_t mss;
	uint8_t wscale;
	uint32_t tsval, tsecr;
	const uint8_t *payload;
	uint32_t len;    /* payload length */
};

/* Parse errors, each mapped to a counter by the caller. */
enum tcp_seg_err {
	TCP_SEG_OK = 0,
	TCP_SEG_ETRUNC = -1,   /* buffer shorter than the headers */
	TCP_SEG_EIPHDR = -2,   /* version != 4, IHL < 5 */
	TCP_SEG_EIPLEN = -3,   /* total length beyond buffer or below headers */
	TCP_SEG_EFRAG = -4,    /* fragment */
	TCP_SEG_ENOTTCP = -5,
	TCP_SEG_EDOFF = -6,    /* data offset < 5 or past the end */
	TCP_SEG_EOPT = -7,     /* option running past the header, bad length */
	TCP_SEG_EIPCSUM = -8,
	TCP_SEG_ECSUM = -9,    /* TCP checksum */
};

/* Parse an IPv4+TCP packet of len bytes (Ethernet padding after the IP
 * total length is ignored). Verifies both checksums when verify != 0; the
 * TCP checksum is checked before the data offset and options, so a
 * corrupted header reports ECSUM. Returns TCP_SEG_OK or a TCP_SEG_E* value;
 * *out is zeroed first and complete only on TCP_SEG_OK. Option rules: a
 * known option (MSS, WSCALE, SACK_OK, TS) with a wrong length, or any option
 * running past the header, is EOPT; EOL ends the list; unknown kinds are
 * skipped; a repeated option overwrites the earlier one; wscale is raw
 * (the caller clamps it to 14, RFC 7323 2.3). */
int tcp_seg_parse(const uint8_t *pkt, size_t len, struct tcp_seg *out, int verify);

/* Bytes tcp_seg_build will write for seg (20 IP + TCP header + options + payload). */
size_t tcp_seg_size(const struct tcp_seg *seg);

/* Build seg into buf (IPv4 header with DF, ID 0, TTL 64; TCP options in the
 * order MSS, NOP+WSCALE, NOP+NOP+SACK-permitted, NOP+NOP+TS as present in
 * seg->opts, each a 4-byte block). Returns the bytes written, or 0 if cap is
 * too small or the packet would exceed 65535 bytes. */
size_t tcp_seg_build(uint8_t *buf, size_t cap, const struct tcp_seg *seg);

/* RFC 1071 one's-complement sum helpers: inet_csum_add accumulates 16-bit
 * big-endian words (only the last chunk of a chained sum may have an odd
 * length: its last byte is padded with zero); inet_csum_fold folds and
 * complements, giving the checksum field value in host order, or 0 when
 * summing data that already holds a correct checksum. */
uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t inet_csum_fold(uint32_t sum);

const char *tcp_seg_strerror(int err);

#endif
