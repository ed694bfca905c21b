/* Batched TX and completion reaping (see xsk.h). */
#include "xsk/xsk.h"

#define COMPLETE_BATCH 256

uint32_t xdptcp_xsk_tx_alloc(struct xdptcp_xsk *x, struct xdptcp_frame *out, uint32_t n)
{
	uint64_t addrs[64];
	uint32_t got = 0;

	/* Short of free frames: take back what the kernel has sent first. */
	if (x->pool.count[XDPTCP_FRAME_FREE] < n)
		xdptcp_xsk_complete(x);
	while (got < n) {
		uint32_t want = n - got < 64 ? n - got : 64;
		uint32_t k = xdptcp_pool_alloc(&x->pool, addrs, want, XDPTCP_FRAME_APP);

		for (uint32_t i = 0; i < k; i++) {
			struct xdptcp_frame *f = &out[got + i];

			/* Same layout as a received frame, so both kinds of
			 * frame look alike to the code that builds replies. */
			f->addr = addrs[i] + x->frame_off;
			f->data = xdptcp_umem_ptr(x->umem, f->addr);
			f->len = 0;
			f->cap = x->pool.frame_size - x->frame_off;
			f->meta = NULL;
		}
		got += k;
		if (k < want)
			break;
	}
	return got;
}

/* A frame the caller may submit: held by the app, length inside its frame. */
static int frame_ok(const struct xdptcp_xsk *x, const struct xdptcp_frame *f)
{
	uint64_t off = f->addr & (x->pool.frame_size - 1);

	return xdptcp_pool_where(&x->pool, f->addr) == XDPTCP_FRAME_APP && f->len > 0 &&
	       f->len <= x->pool.frame_size - off;
}

uint32_t xdptcp_xsk_tx_submit(struct xdptcp_xsk *x, const struct xdptcp_frame *f, uint32_t n)
{
	uint32_t ok = 0, idx;

	while (ok < n && frame_ok(x, &f[ok]))
		ok++;
	if (ok < n)
		x->st.tx_bad_frame++;
	if (ok > xsk_prod_nb_free(&x->tx, ok)) {
		ok = xsk_prod_nb_free(&x->tx, ok);
		x->st.tx_ring_full++;
	}
	if (ok && xsk_ring_prod__reserve(&x->tx, ok, &idx) == ok) {
		for (uint32_t i = 0; i < ok; i++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&x->tx, idx + i);

			d->addr = f[i].addr;
			d->len = f[i].len;
			d->options = 0;
			xdptcp_pool_move(&x->pool, f[i].addr, XDPTCP_FRAME_APP, XDPTCP_FRAME_TX);
		}
		xsk_ring_prod__submit(&x->tx, ok);
		x->st.tx_frames += ok;
	} else {
		ok = 0;
	}
	/* need_wakeup: sendto only when the kernel asked (in copy mode it
	 * always asks: TX happens inside the syscall). */
	if (x->pool.count[XDPTCP_FRAME_TX] &&
	    (!x->need_wakeup || xsk_ring_prod__needs_wakeup(&x->tx)))
		xdptcp_xsk_kick_tx(x);
	return ok;
}

uint32_t xdptcp_xsk_complete(struct xdptcp_xsk *x)
{
	uint32_t idx, n = xsk_ring_cons__peek(&x->cq, COMPLETE_BATCH, &idx);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = *xsk_ring_cons__comp_addr(&x->cq, idx + i);

		xdptcp_pool_move(&x->pool, addr, XDPTCP_FRAME_TX, XDPTCP_FRAME_FREE);
	}
	if (n)
		xsk_ring_cons__release(&x->cq, n);
	x->st.completions += n;
	return n;
}
