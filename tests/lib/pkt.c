/* Frame crafting for tests: see pkt.h. */
#include "pkt.h"

#include <arpa/inet.h>
#include <string.h>

void pkt_spec_default(struct pkt_spec *s)
{
	static const uint8_t client_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t server_mac[6] = {0x02, 0, 0, 0, 0, 0x01};

	memset(s, 0, sizeof(*s));
	memcpy(s->smac, client_mac, 6);
	memcpy(s->dmac, server_mac, 6);
	s->saddr = htonl(0x0a000002);
	s->daddr = htonl(0x0a000001);
	s->sport = 40000;
	s->dport = 80;
	s->seq = 1000;
	s->ack = 5000;
	s->flags = PKT_ACK;
	s->window = 1024;
}

void pkt_opts_ts(uint8_t out[12], uint32_t tsval, uint32_t tsecr)
{
	uint32_t v = htonl(tsval), e = htonl(tsecr);

	out[0] = 1;
	out[1] = 1;
	out[2] = 8;
	out[3] = 10;
	memcpy(out + 4, &v, 4);
	memcpy(out + 8, &e, 4);
}

uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t tcp_pseudo(const uint8_t *ip, size_t tcp_len)
{
	uint32_t sum = pkt_csum_add(0, ip + 12, 8); /* saddr, daddr */

	return sum + ip[9] + (uint32_t)tcp_len;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	size_t ihl = (s->ihl ? s->ihl : 5) * 4;
	size_t optlen = (s->optlen + 3) & ~(size_t)3;
	size_t doff = s->doff ? s->doff * 4u : 20 + optlen;
	size_t hdr_bytes = 20 + optlen; /* TCP header bytes actually written */
	size_t ip_len = ihl + hdr_bytes + s->paylen;
	size_t len = PKT_ETH_LEN + ip_len + s->pad;
	uint8_t *ip = buf + PKT_ETH_LEN, *tcp = ip + ihl;
	uint16_t c;

	if (len > cap)
		return 0;
	memset(buf, 0, len);
	memcpy(buf, s->dmac, 6);
	memcpy(buf + 6, s->smac, 6);
	put16(buf + 12, s->eth_proto ? s->eth_proto : 0x0800);

	ip[0] = (uint8_t)((s->version ? s->version : 4) << 4 | ((ihl / 4) & 0xf));
	put16(ip + 2, (uint16_t)((int)ip_len + s->tot_len_delta));
	put16(ip + 6, s->frag);
	ip[8] = 64;
	ip[9] = s->proto ? s->proto : 6;
	memcpy(ip + 12, &s->saddr, 4);
	memcpy(ip + 16, &s->daddr, 4);
	memset(ip + 20, 1, ihl - 20); /* IP options: NOPs */
	c = (uint16_t)~pkt_csum_fold(pkt_csum_add(0, ip, ihl));
	put16(ip + 10, s->bad_ip_csum ? (uint16_t)(c ^ 0x5555) : c);

	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)(((doff / 4) & 0xf) << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, s->window);
	if (s->optlen)
		memcpy(tcp + 20, s->opts, s->optlen);
	if (s->paylen)
		memcpy(tcp + hdr_bytes, s->payload, s->paylen);
	c = (uint16_t)~pkt_csum_fold(
	    pkt_csum_add(tcp_pseudo(ip, hdr_bytes + s->paylen), tcp, hdr_bytes + s->paylen));
	put16(tcp + 16, s->bad_tcp_csum ? (uint16_t)(c ^ 0x5555) : c);

	if (s->truncate && s->truncate < len)
		len = s->truncate;
	return len;
}

bool pkt_ip_csum_ok(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + PKT_ETH_LEN;
	size_t ihl;

	if (len < PKT_ETH_LEN + 20)
		return false;
	ihl = (ip[0] & 0xf) * 4u;
	if (ihl < 20 || len < PKT_ETH_LEN + ihl)
		return false;
	return pkt_csum_fold(pkt_csum_add(0, ip, ihl)) == 0xffff;
}

bool pkt_tcp_csum_ok(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + PKT_ETH_LEN;
	size_t ihl, tot;

	if (len < PKT_ETH_LEN + 20)
		return false;
	ihl = (ip[0] & 0xf) * 4u;
	tot = pkt_get16(ip + 2);
	if (tot < ihl + 20 || len < PKT_ETH_LEN + tot)
		return false;
	return pkt_csum_fold(pkt_csum_add(tcp_pseudo(ip, tot - ihl), ip + ihl, tot - ihl)) ==
	       0xffff;
}
