/* Batched RX, fill-ring refill and release (see xsk.h). */
#include <errno.h>
#include <sys/socket.h>

#include "xsk/xsk.h"

#define REFILL_BATCH 64

/* The metadata XDP wrote sits right before data; a frame without it may
 * still hold an old magic there, which refill clears (see below). */
static const struct xdptcp_meta *frame_meta(const struct xdptcp_xsk *x, uint64_t addr,
					    const uint8_t *data)
{
	uint64_t off = addr & (x->pool.frame_size - 1);
	const struct xdptcp_meta *m;

	if (off < sizeof(*m))
		return NULL;
	m = (const struct xdptcp_meta *)(data - sizeof(*m));
	return m->magic == XDPTCP_META_MAGIC ? m : NULL;
}

bool xdptcp_xsk_rx_ready(struct xdptcp_xsk *x)
{
	return xsk_cons_nb_avail(&x->rx, 1) > 0;
}

uint32_t xdptcp_xsk_rx(struct xdptcp_xsk *x, struct xdptcp_frame *out, uint32_t max)
{
	uint32_t idx = 0, got = 0;
	uint32_t n = xsk_ring_cons__peek(&x->rx, max, &idx);
	uint32_t fs = x->pool.frame_size;

	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		uint64_t addr = d->addr;
		uint64_t off = addr & (fs - 1);
		struct xdptcp_frame *f = &out[got];

		/* The kernel only writes frames we filled; anything else is a
		 * bug we count rather than follow into foreign memory. */
		if (xdptcp_pool_where(&x->pool, addr) != XDPTCP_FRAME_FILL || d->len > fs - off) {
			x->st.rx_bad_desc++;
			continue;
		}
		xdptcp_pool_move(&x->pool, addr, XDPTCP_FRAME_FILL, XDPTCP_FRAME_APP);
		f->addr = addr;
		f->data = xdptcp_umem_ptr(x->umem, addr);
		f->len = d->len;
		f->cap = (uint32_t)(fs - off);
		f->meta = frame_meta(x, addr, f->data);
		x->st.rx_off_other += off != x->frame_off;
		x->st.rx_meta += f->meta != NULL;
		got++;
	}
	if (n)
		xsk_ring_cons__release(&x->rx, n);
	x->st.rx_frames += got;
	xdptcp_xsk_refill(x);
	return got;
}

uint32_t xdptcp_xsk_refill(struct xdptcp_xsk *x)
{
	uint32_t added = 0;

	while (x->pool.count[XDPTCP_FRAME_FILL] < x->fill_target) {
		uint64_t addrs[REFILL_BATCH];
		uint32_t want = x->fill_target - x->pool.count[XDPTCP_FRAME_FILL];
		uint32_t idx, n;

		if (want > REFILL_BATCH)
			want = REFILL_BATCH;
		uint32_t room = xsk_prod_nb_free(&x->fq, want);

		if (room < want)
			want = room;
		if (want > x->pool.count[XDPTCP_FRAME_FREE])
			want = x->pool.count[XDPTCP_FRAME_FREE];
		if (!want || xsk_ring_prod__reserve(&x->fq, want, &idx) != want)
			break;
		n = xdptcp_pool_alloc(&x->pool, addrs, want, XDPTCP_FRAME_FILL);
		for (uint32_t i = 0; i < n; i++) {
			/* Clear the magic where metadata would land, so a frame
			 * redirected without metadata never shows a stale one. */
			uint64_t m = addrs[i] + x->frame_off - sizeof(struct xdptcp_meta);

			((struct xdptcp_meta *)xdptcp_umem_ptr(x->umem, m))->magic = 0;
			*xsk_ring_prod__fill_addr(&x->fq, idx + i) = addrs[i];
		}
		xsk_ring_prod__submit(&x->fq, n);
		added += n;
	}
	/* need_wakeup: the kernel asks for a syscall only when it ran dry. */
	if (!x->need_wakeup || xsk_ring_prod__needs_wakeup(&x->fq)) {
		if (x->pool.count[XDPTCP_FRAME_FILL]) {
			x->st.fill_kicks++;
			recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		}
	}
	return added;
}

uint32_t xdptcp_xsk_release(struct xdptcp_xsk *x, const struct xdptcp_frame *f, uint32_t n)
{
	uint32_t bad = 0;

	for (uint32_t i = 0; i < n; i++)
		bad +=
		    xdptcp_pool_move(&x->pool, f[i].addr, XDPTCP_FRAME_APP, XDPTCP_FRAME_FREE) != 0;
	return bad;
}
