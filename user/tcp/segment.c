/* IPv4+TCP parse and build (see segment.h). Multi-byte fields are read and
 * written byte by byte in network order: no alignment or endianness
 * assumptions about the frame. */
#include "tcp/segment.h"

#include <arpa/inet.h>
#include <string.h>

#define IPV4_HDR_LEN 20
#define TCP_HDR_LEN 20
#define IPPROTO_TCP_NUM 6
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define IP_DF 0x4000

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_OK 4
#define TCPOPT_TS 8

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = 0, w8;
	uint32_t w;

	/* RFC 1071 2(B): the sum is byte-order independent, so add native
	 * words and swap the folded result to network order once; 64-bit
	 * words with the end-around carry (2^64 = 1 mod 2^16 - 1) halve the
	 * loop, which every data segment sent and received goes through. */
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w8, p, sizeof(w8));
		s += w8;
		s += s < w8;
	}
	s = (s & 0xffffffff) + (s >> 32);
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, sizeof(w));
		s += w;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ntohs((uint16_t)s) + (uint64_t)sum;
	for (; len >= 2; p += 2, len -= 2)
		s += get16(p);
	if (len)
		s += (uint32_t)p[0] << 8; /* RFC 1071: pad the odd byte with zero */
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the TCP pseudo-header (RFC 9293 3.1). */
static uint32_t pseudo_sum(uint32_t saddr, uint32_t daddr, size_t tcp_len)
{
	uint8_t ph[12];

	put32(ph, saddr);
	put32(ph + 4, daddr);
	ph[8] = 0;
	ph[9] = IPPROTO_TCP_NUM;
	put16(ph + 10, (uint16_t)tcp_len);
	return inet_csum_add(0, ph, sizeof(ph));
}

/* RFC 9293 3.1 options. A known option with a wrong length is an error, as
 * is any option running past the header; unknown kinds are skipped. */
static int parse_options(const uint8_t *o, size_t len, struct tcp_seg *out)
{
	size_t i = 0;

	while (i < len) {
		uint8_t kind = o[i];
		uint8_t olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return TCP_SEG_EOPT;
		olen = o[i + 1];
		if (olen < 2 || olen > len - i)
			return TCP_SEG_EOPT;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen != 4)
				return TCP_SEG_EOPT;
			out->opts |= TCP_OPT_MSS;
			out->mss = get16(o + i + 2);
			break;
		case TCPOPT_WSCALE:
			if (olen != 3)
				return TCP_SEG_EOPT;
			/* raw value; RFC 7323 2.3 says the receiver clamps it to 14 */
			out->opts |= TCP_OPT_WSCALE;
			out->wscale = o[i + 2];
			break;
		case TCPOPT_SACK_OK:
			if (olen != 2)
				return TCP_SEG_EOPT;
			out->opts |= TCP_OPT_SACK_OK;
			break;
		case TCPOPT_TS:
			if (olen != 10)
				return TCP_SEG_EOPT;
			out->opts |= TCP_OPT_TS;
			out->tsval = get32(o + i + 2);
			out->tsecr = get32(o + i + 6);
			break;
		default:
			break;
		}
		i += olen;
	}
	return TCP_SEG_OK;
}

int tcp_seg_parse(const uint8_t *pkt, size_t len, struct tcp_seg *out, int verify)
{
	size_t ihl, tot_len, doff;
	const uint8_t *th;

	memset(out, 0, sizeof(*out));
	if (len < IPV4_HDR_LEN)
		return TCP_SEG_ETRUNC;
	if (pkt[0] >> 4 != 4 || (pkt[0] & 0x0f) < 5)
		return TCP_SEG_EIPHDR;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (len < ihl)
		return TCP_SEG_ETRUNC;
	if (pkt[9] != IPPROTO_TCP_NUM)
		return TCP_SEG_ENOTTCP;
	if (get16(pkt + 6) & (IP_MF | IP_OFFMASK))
		return TCP_SEG_EFRAG;
	if (len < ihl + TCP_HDR_LEN)
		return TCP_SEG_ETRUNC;
	/* Bytes past tot_len are link-layer padding (short Ethernet frames). */
	tot_len = get16(pkt + 2);
	if (tot_len > len || tot_len < ihl + TCP_HDR_LEN)
		return TCP_SEG_EIPLEN;
	if (verify && inet_csum_fold(inet_csum_add(0, pkt, ihl)) != 0)
		return TCP_SEG_EIPCSUM;

	th = pkt + ihl;
	out->saddr = get32(pkt + 12);
	out->daddr = get32(pkt + 16);
	if (verify) {
		uint32_t sum = pseudo_sum(out->saddr, out->daddr, tot_len - ihl);

		if (inet_csum_fold(inet_csum_add(sum, th, tot_len - ihl)) != 0)
			return TCP_SEG_ECSUM;
	}
	doff = (size_t)(th[12] >> 4) * 4;
	if (doff < TCP_HDR_LEN || doff > tot_len - ihl)
		return TCP_SEG_EDOFF;
	int err = parse_options(th + TCP_HDR_LEN, doff - TCP_HDR_LEN, out);
	if (err)
		return err;

	out->sport = get16(th);
	out->dport = get16(th + 2);
	out->seq = get32(th + 4);
	out->ack = get32(th + 8);
	out->flags = th[13];
	out->wnd = get16(th + 14);
	out->urp = get16(th + 18);
	out->payload = th + doff;
	out->len = (uint32_t)(tot_len - ihl - doff);
	return TCP_SEG_OK;
}

/* Every option is padded to a 4-byte block with NOPs, as Linux does. */
static size_t options_size(uint8_t opts)
{
	return (opts & TCP_OPT_MSS ? 4 : 0) + (opts & TCP_OPT_WSCALE ? 4 : 0) +
	       (opts & TCP_OPT_SACK_OK ? 4 : 0) + (opts & TCP_OPT_TS ? 12 : 0);
}

size_t tcp_seg_size(const struct tcp_seg *seg)
{
	return IPV4_HDR_LEN + TCP_HDR_LEN + options_size(seg->opts) + seg->len;
}

static void build_options(uint8_t *o, const struct tcp_seg *seg)
{
	if (seg->opts & TCP_OPT_MSS) {
		o[0] = TCPOPT_MSS;
		o[1] = 4;
		put16(o + 2, seg->mss);
		o += 4;
	}
	if (seg->opts & TCP_OPT_WSCALE) {
		o[0] = TCPOPT_NOP;
		o[1] = TCPOPT_WSCALE;
		o[2] = 3;
		o[3] = seg->wscale;
		o += 4;
	}
	if (seg->opts & TCP_OPT_SACK_OK) {
		o[0] = TCPOPT_NOP;
		o[1] = TCPOPT_NOP;
		o[2] = TCPOPT_SACK_OK;
		o[3] = 2;
		o += 4;
	}
	if (seg->opts & TCP_OPT_TS) {
		o[0] = TCPOPT_NOP;
		o[1] = TCPOPT_NOP;
		o[2] = TCPOPT_TS;
		o[3] = 10;
		put32(o + 4, seg->tsval);
		put32(o + 8, seg->tsecr);
	}
}

size_t tcp_seg_build(uint8_t *buf, size_t cap, const struct tcp_seg *seg)
{
	size_t size = tcp_seg_size(seg);
	size_t doff = TCP_HDR_LEN + options_size(seg->opts);
	uint8_t *th = buf + IPV4_HDR_LEN;
	uint32_t sum;

	if (size > cap || size > 0xffff)
		return 0;

	/* IPv4 (RFC 791), DF set so the ID may be zero (RFC 6864 4.1) */
	buf[0] = 0x45;
	buf[1] = 0;
	put16(buf + 2, (uint16_t)size);
	put16(buf + 4, 0);
	put16(buf + 6, IP_DF);
	buf[8] = 64;
	buf[9] = IPPROTO_TCP_NUM;
	put16(buf + 10, 0);
	put32(buf + 12, seg->saddr);
	put32(buf + 16, seg->daddr);
	put16(buf + 10, inet_csum_fold(inet_csum_add(0, buf, IPV4_HDR_LEN)));

	put16(th, seg->sport);
	put16(th + 2, seg->dport);
	put32(th + 4, seg->seq);
	put32(th + 8, seg->ack);
	th[12] = (uint8_t)(doff / 4 << 4);
	th[13] = seg->flags;
	put16(th + 14, seg->wnd);
	put16(th + 16, 0);
	put16(th + 18, seg->urp);
	build_options(th + TCP_HDR_LEN, seg);
	if (seg->len)
		memcpy(th + doff, seg->payload, seg->len);

	sum = pseudo_sum(seg->saddr, seg->daddr, size - IPV4_HDR_LEN);
	put16(th + 16, inet_csum_fold(inet_csum_add(sum, th, size - IPV4_HDR_LEN)));
	return size;
}

const char *tcp_seg_strerror(int err)
{
	switch (err) {
	case TCP_SEG_OK:
		return "ok";
	case TCP_SEG_ETRUNC:
		return "truncated header";
	case TCP_SEG_EIPHDR:
		return "bad IPv4 version or header length";
	case TCP_SEG_EIPLEN:
		return "bad IPv4 total length";
	case TCP_SEG_EFRAG:
		return "IPv4 fragment";
	case TCP_SEG_ENOTTCP:
		return "not TCP";
	case TCP_SEG_EDOFF:
		return "bad TCP data offset";
	case TCP_SEG_EOPT:
		return "bad TCP option";
	case TCP_SEG_EIPCSUM:
		return "bad IPv4 checksum";
	case TCP_SEG_ECSUM:
		return "bad TCP checksum";
	default:
		return "unknown error";
	}
}
