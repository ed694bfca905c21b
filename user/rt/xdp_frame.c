/* Frames in and out of the control plane: a received frame is checked
 * (every checksum, DESIGN.md step 2: userspace verifies what it receives)
 * and fed to the engine; a segment the engine outputs is built into a TX
 * frame behind an Ethernet header addressed to the MAC its peer last sent
 * from. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <string.h>
#include <time.h>
#include "rt/xdp_rt.h"
#include "xdptcp/stats.h"

uint64_t rt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t mac_hash(uint32_t ip)
{
	return (ip * 2654435761u) >> 22; /* 10 bits: RT_MAC_BUCKETS */
}

void rt_mac_learn(struct rt *rt, uint32_t ip, const uint8_t *mac)
{
	uint32_t h = mac_hash(ip);

	for (uint32_t i = 0; i < RT_MAC_BUCKETS; i++) {
		struct rt_mac *m = &rt->macs[(h + i) % RT_MAC_BUCKETS];

		if (m->ip == ip || !m->ip) {
			m->ip = ip;
			memcpy(m->mac, mac, 6);
			return;
		}
	}
	/* full: the home bucket takes it */
	rt->macs[h].ip = ip;
	memcpy(rt->macs[h].mac, mac, 6);
}

const uint8_t *rt_mac_find(struct rt *rt, uint32_t ip)
{
	uint32_t h = mac_hash(ip);

	for (uint32_t i = 0; i < RT_MAC_BUCKETS; i++) {
		struct rt_mac *m = &rt->macs[(h + i) % RT_MAC_BUCKETS];

		if (m->ip == ip)
			return m->mac;
		if (!m->ip)
			return NULL;
	}
	return NULL;
}

/* Returns how many times the segment goes to the engine: a third
 * duplicate ACK stands for the two XDP consumed before it (RFC 5681 3.2:
 * the engine retransmits on the third it sees). */
static int note_meta(struct rt *rt, const struct xdptcp_meta *m)
{
	struct rt_sock *s;

	switch (m->verdict) {
	case XDPTCP_V_FAST_DATA:
		rt_count(rt, XDPTCP_RT_RX_FAST_DATA, 1);
		break;
	case XDPTCP_V_ACK_NOTIFY:
		rt_count(rt, XDPTCP_RT_RX_ACK_NOTIFY, 1);
		break;
	default:
		rt_count(rt, XDPTCP_RT_RX_SLOW, 1);
		break;
	}
	if (!(m->flags & XDPTCP_META_HANDOFF) || !(m->flags & XDPTCP_META_HAS_SLOT) ||
	    m->slot >= rt->slots.n)
		return 1;
	rt_count(rt, XDPTCP_RT_RX_HANDOFF, 1);
	s = rt->slots.owner[m->slot];
	if (!s || s->gen != m->generation)
		return 1;
	/* XDP cleared `fast`: the slot is ours until we set it again, and
	 * the ACKs it consumed before this frame come first */
	if (s->fast) {
		s->fast = false;
		rt_count(rt, XDPTCP_RT_FAST_OFF, 1);
	}
	rt_sync_in(rt, s);
	return m->reason == XDPTCP_STAT_SLOW_DUPACK3 ? 3 : 1;
}

void rt_rx_frame(struct rt *rt, uint32_t queue, const struct xdptcp_frame *f)
{
	const struct ethhdr *eth = (const struct ethhdr *)f->data;
	struct tcp_seg seg;
	int rc;

	rt_count(rt, XDPTCP_RT_RX_FRAMES, 1);
	if (!f->meta) {
		rt_count(rt, XDPTCP_RT_RX_NO_META, 1);
		return;
	}
	if (f->len < sizeof(*eth) || eth->h_proto != htons(ETH_P_IP)) {
		rt_count(rt, XDPTCP_RT_RX_BAD, 1);
		return;
	}
	rc = tcp_seg_parse(f->data + sizeof(*eth), f->len - sizeof(*eth), &seg, 1);
	if (rc == TCP_SEG_ECSUM || rc == TCP_SEG_EIPCSUM) {
		rt_count(rt, XDPTCP_RT_RX_CSUM_DROP, 1);
		return;
	}
	if (rc != TCP_SEG_OK) {
		rt_count(rt, XDPTCP_RT_RX_BAD, 1);
		return;
	}
	rt_mac_learn(rt, seg.saddr, eth->h_source);
	rt->cur_queue = (uint16_t)queue;
	for (int n = note_meta(rt, f->meta); n > 0; n--)
		tcp_input(rt->st, &seg, rt->now);
}

void rt_tx_flush(struct rt *rt)
{
	struct xdptcp_xsk *x = &rt->dev.q[0];
	uint32_t done = 0;

	/* XDP must know how far we sent before the ACKs for it come back,
	 * or it hands the flow back for an ACK "beyond SND.NXT" */
	rt_publish_sent(rt);

	for (int tries = 0; done < rt->ntx && tries < 64; tries++) {
		done += xdptcp_xsk_tx_submit(x, rt->tx + done, rt->ntx - done);
		if (done < rt->ntx) {
			/* TX ring full: let the kernel send, then reap */
			xdptcp_xsk_kick_tx(x);
			xdptcp_xsk_complete(x);
		}
	}
	if (done < rt->ntx) {
		rt_count(rt, XDPTCP_RT_TX_DROP_NO_FRAME, rt->ntx - done);
		xdptcp_xsk_release(x, rt->tx + done, rt->ntx - done);
	}
	rt->ntx = 0;
	xdptcp_xsk_complete(x);
}

void rt_output(void *ctx, const struct tcp_seg *seg)
{
	struct rt *rt = ctx;
	struct xdptcp_xsk *x = &rt->dev.q[0];
	const uint8_t *dmac = rt_mac_find(rt, seg->daddr);
	struct xdptcp_frame *f;
	struct ethhdr *eth;
	size_t n;

	if (!dmac) {
		rt_count(rt, XDPTCP_RT_TX_DROP_NO_MAC, 1);
		return;
	}
	if (rt->ntx == RT_BATCH)
		rt_tx_flush(rt);
	f = &rt->tx[rt->ntx];
	if (!xdptcp_xsk_tx_alloc(x, f, 1)) {
		rt_tx_flush(rt);
		f = &rt->tx[0];
		if (!xdptcp_xsk_tx_alloc(x, f, 1)) {
			rt_count(rt, XDPTCP_RT_TX_DROP_NO_FRAME, 1);
			return;
		}
	}
	eth = (struct ethhdr *)f->data;
	memcpy(eth->h_dest, dmac, ETH_ALEN);
	memcpy(eth->h_source, rt->mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	n = f->cap > sizeof(*eth) ? tcp_seg_build(f->data + sizeof(*eth), f->cap - sizeof(*eth), seg)
				  : 0;
	if (!n) {
		/* larger than a frame: the engine's MSS keeps this from happening */
		xdptcp_xsk_release(x, f, 1);
		rt_count(rt, XDPTCP_RT_TX_DROP_NO_FRAME, 1);
		return;
	}
	f->len = (uint32_t)(sizeof(*eth) + n);
	rt->ntx++;
	rt_count(rt, XDPTCP_RT_TX_FRAMES, 1);
}
