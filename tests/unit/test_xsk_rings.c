/* user/xsk's RX/TX batching against simulated rings (no socket, no root):
 * a fake kernel consumes the fill and TX rings and produces the RX and
 * completion rings, so refill, metadata detection, need_wakeup kicks, TX
 * ring exhaustion and completion reaping are checked frame by frame. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka needs the headers above */
#include <cmocka.h>

#include "xsk/xsk.h"

#define NFRAMES 16u
#define FS 4096u
#define RING 8u
#define OFF 256u /* XDP_PACKET_HEADROOM: where copy mode puts the data */

struct fake {
	struct xdptcp_umem u;
	struct xdptcp_xsk x;
	uint32_t fq_prod, fq_cons, fq_flags;
	uint32_t tx_prod, tx_cons, tx_flags;
	uint32_t rx_prod, rx_cons, rx_flags;
	uint32_t cq_prod, cq_cons, cq_flags;
	uint64_t fq_ring[RING], cq_ring[RING];
	struct xdp_desc rx_ring[RING], tx_ring[4];
};

static void prod_init(struct xsk_ring_prod *r, uint32_t size, uint32_t *p, uint32_t *c,
		      uint32_t *flags, void *ring)
{
	memset(r, 0, sizeof(*r));
	r->mask = size - 1;
	r->size = size;
	r->producer = p;
	r->consumer = c;
	r->flags = flags;
	r->ring = ring;
	r->cached_cons = size; /* libxdp: consumer + size */
}

static void cons_init(struct xsk_ring_cons *r, uint32_t size, uint32_t *p, uint32_t *c,
		      uint32_t *flags, void *ring)
{
	memset(r, 0, sizeof(*r));
	r->mask = size - 1;
	r->size = size;
	r->producer = p;
	r->consumer = c;
	r->flags = flags;
	r->ring = ring;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->u.area = aligned_alloc(FS, NFRAMES * FS);
	if (!f->u.area)
		return -1;
	memset(f->u.area, 0, NFRAMES * FS);
	f->u.size = NFRAMES * FS;
	f->u.nframes = NFRAMES;
	f->u.frame_size = FS;
	f->u.fill_size = RING;
	f->u.comp_size = RING;

	struct xdptcp_xsk *x = &f->x;

	x->umem = &f->u;
	x->fd = -1; /* a kick would fail with EBADF: counted, harmless */
	x->map_fd = -1;
	x->frame_off = OFF;
	x->fill_target = 6;
	x->need_wakeup = true;
	if (xdptcp_pool_init(&x->pool, 0, FS, NFRAMES))
		return -1;
	x->pool.abort_on_misuse = false;
	prod_init(&x->fq, RING, &f->fq_prod, &f->fq_cons, &f->fq_flags, f->fq_ring);
	prod_init(&x->tx, 4, &f->tx_prod, &f->tx_cons, &f->tx_flags, f->tx_ring);
	cons_init(&x->rx, RING, &f->rx_prod, &f->rx_cons, &f->rx_flags, f->rx_ring);
	cons_init(&x->cq, RING, &f->cq_prod, &f->cq_cons, &f->cq_flags, f->cq_ring);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	xdptcp_pool_fini(&f->x.pool);
	free(f->u.area);
	free(f);
	return 0;
}

/* The kernel receives one frame: takes a fill address, copies metadata (if
 * any) and 60 bytes of data at +OFF, posts an RX descriptor. */
static uint64_t kernel_rx(struct fake *f, int with_meta, uint8_t fill_byte)
{
	assert_true(f->fq_cons != f->fq_prod);
	uint64_t base = f->fq_ring[f->fq_cons++ & (RING - 1)];
	uint8_t *d = (uint8_t *)f->u.area + base + OFF;

	if (with_meta) {
		struct xdptcp_meta m = {
		    .magic = XDPTCP_META_MAGIC, .verdict = XDPTCP_V_SLOW, .reason = 11};

		memcpy(d - sizeof(m), &m, sizeof(m));
	}
	memset(d, fill_byte, 60);
	f->rx_ring[f->rx_prod & (RING - 1)] = (struct xdp_desc){.addr = base + OFF, .len = 60};
	f->rx_prod++;
	return base;
}

/* The kernel sends everything in the TX ring and completes it. */
static uint32_t kernel_tx(struct fake *f)
{
	uint32_t n = 0;

	while (f->tx_cons != f->tx_prod) {
		f->cq_ring[f->cq_prod++ & (RING - 1)] = f->tx_ring[f->tx_cons++ & 3].addr;
		n++;
	}
	return n;
}

static void assert_places(const struct xdptcp_xsk *x, uint32_t fr, uint32_t fill, uint32_t app,
			  uint32_t tx)
{
	assert_int_equal(x->pool.count[XDPTCP_FRAME_FREE], fr);
	assert_int_equal(x->pool.count[XDPTCP_FRAME_FILL], fill);
	assert_int_equal(x->pool.count[XDPTCP_FRAME_APP], app);
	assert_int_equal(x->pool.count[XDPTCP_FRAME_TX], tx);
	assert_int_equal(xdptcp_pool_check(&x->pool), 0);
}

static void refill_fills_to_target_and_kicks_only_when_asked(void **state)
{
	struct fake *f = *state;

	assert_int_equal(xdptcp_xsk_refill(&f->x), 6);
	assert_int_equal(f->fq_prod, 6);
	assert_places(&f->x, NFRAMES - 6, 6, 0, 0);
	assert_int_equal(f->x.st.fill_kicks, 0);
	assert_int_equal(xdptcp_xsk_refill(&f->x), 0); /* already at target */
	f->fq_flags = XDP_RING_NEED_WAKEUP;
	xdptcp_xsk_refill(&f->x);
	assert_int_equal(f->x.st.fill_kicks, 1);
	/* without need_wakeup every refill kicks */
	f->fq_flags = 0;
	f->x.need_wakeup = false;
	xdptcp_xsk_refill(&f->x);
	assert_int_equal(f->x.st.fill_kicks, 2);
}

static void rx_hands_out_frames_with_and_without_meta(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[4];

	xdptcp_xsk_refill(&f->x);
	uint64_t b0 = kernel_rx(f, 1, 0xaa);
	uint64_t b1 = kernel_rx(f, 0, 0xbb);

	assert_int_equal(xdptcp_xsk_rx(&f->x, fr, 4), 2);
	assert_int_equal(fr[0].addr, b0 + OFF);
	assert_ptr_equal(fr[0].data, (uint8_t *)f->u.area + b0 + OFF);
	assert_int_equal(fr[0].len, 60);
	assert_int_equal(fr[0].cap, FS - OFF);
	assert_int_equal(fr[0].data[59], 0xaa);
	assert_non_null(fr[0].meta);
	assert_int_equal(fr[0].meta->verdict, XDPTCP_V_SLOW);
	assert_int_equal(fr[0].meta->reason, 11);
	assert_int_equal(fr[1].addr, b1 + OFF);
	assert_null(fr[1].meta);
	assert_int_equal(f->x.st.rx_frames, 2);
	assert_int_equal(f->x.st.rx_meta, 1);
	assert_int_equal(f->rx_cons, 2); /* RX ring released */
	/* rx refilled the two frames it took */
	assert_places(&f->x, NFRAMES - 8, 6, 2, 0);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr, 2), 0);
	assert_places(&f->x, NFRAMES - 6, 6, 0, 0);
	/* released twice: refused, counted, nothing moved */
	assert_int_equal(xdptcp_xsk_release(&f->x, fr, 1), 1);
	assert_int_equal(f->x.pool.misuse, 1);
	assert_places(&f->x, NFRAMES - 6, 6, 0, 0);
}

/* A frame redirected without metadata must not show the magic a previous
 * use of the same UMEM frame left there: refill clears it. */
static void stale_magic_is_cleared_on_refill(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[1];

	f->x.fill_target = 1;
	xdptcp_xsk_refill(&f->x);
	kernel_rx(f, 1, 1);

	assert_int_equal(xdptcp_xsk_rx(&f->x, fr, 1), 1);
	assert_non_null(fr[0].meta);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr, 1), 0);
	/* the one fill slot was refilled by rx() with another frame; cycle it
	 * so the first frame (top of the free stack) goes back to the kernel */
	kernel_rx(f, 0, 2);
	assert_int_equal(xdptcp_xsk_rx(&f->x, fr, 1), 1);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr, 1), 0);
	xdptcp_xsk_refill(&f->x);
	kernel_rx(f, 0, 3);

	assert_int_equal(xdptcp_xsk_rx(&f->x, fr, 1), 1);
	assert_null(fr[0].meta);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr, 1), 0);
	assert_int_equal(f->x.pool.misuse, 0);
}

static void tx_submit_kick_and_complete(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[2];

	assert_int_equal(xdptcp_xsk_tx_alloc(&f->x, fr, 2), 2);
	assert_places(&f->x, NFRAMES - 2, 0, 2, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fr[i].len, 0);
		assert_int_equal(fr[i].addr % FS, OFF);
		memset(fr[i].data, i, 64);
		fr[i].len = 64;
	}
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr, 2), 2);
	assert_int_equal(f->tx_prod, 2);
	assert_int_equal(f->tx_ring[0].addr, fr[0].addr);
	assert_int_equal(f->tx_ring[1].len, 64);
	assert_int_equal(f->x.st.tx_kicks, 0); /* flag clear: no syscall */
	assert_places(&f->x, NFRAMES - 2, 0, 0, 2);
	/* nothing completed yet */
	assert_int_equal(xdptcp_xsk_complete(&f->x), 0);
	assert_int_equal(kernel_tx(f), 2);
	assert_int_equal(xdptcp_xsk_complete(&f->x), 2);
	assert_int_equal(f->cq_cons, 2);
	assert_places(&f->x, NFRAMES, 0, 0, 0);
	/* the kernel asks for a wakeup: the next submit kicks */
	f->tx_flags = XDP_RING_NEED_WAKEUP;
	assert_int_equal(xdptcp_xsk_tx_alloc(&f->x, fr, 1), 1);
	fr[0].len = 60;
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr, 1), 1);
	assert_int_equal(f->x.st.tx_kicks, 1);
}

static void tx_ring_full_leaves_the_rest_to_the_caller(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[6];

	assert_int_equal(xdptcp_xsk_tx_alloc(&f->x, fr, 6), 6);
	for (int i = 0; i < 6; i++)
		fr[i].len = 60;
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr, 6), 4); /* ring of 4 */
	assert_int_equal(f->x.st.tx_ring_full, 1);
	assert_places(&f->x, NFRAMES - 6, 0, 2, 4);
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr + 4, 2), 0);
	kernel_tx(f);
	assert_int_equal(xdptcp_xsk_complete(&f->x), 4);
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr + 4, 2), 2);
	kernel_tx(f);
	assert_int_equal(xdptcp_xsk_complete(&f->x), 2);
	assert_places(&f->x, NFRAMES, 0, 0, 0);
}

static void tx_refuses_frames_not_held(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[2];

	assert_int_equal(xdptcp_xsk_tx_alloc(&f->x, fr, 2), 2);
	fr[0].len = 60;
	fr[1].len = 0; /* empty frame: refused */
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr, 2), 1);
	assert_int_equal(f->x.st.tx_bad_frame, 1);
	/* fr[0] was submitted: submitting it again is refused */
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr, 1), 0);
	assert_int_equal(f->x.st.tx_bad_frame, 2);
	fr[1].len = FS; /* runs past the end of its frame */
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr + 1, 1), 0);
	assert_places(&f->x, NFRAMES - 2, 0, 1, 1);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr + 1, 1), 0);
}

static void rx_skips_descriptors_it_did_not_fill(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[2];

	f->x.fill_target = 1;
	xdptcp_xsk_refill(&f->x);
	/* a descriptor for a frame still free in our pool, and one too long */
	f->rx_ring[0] = (struct xdp_desc){.addr = 9 * FS + OFF, .len = 60};
	f->rx_ring[1] = (struct xdp_desc){.addr = f->fq_ring[0] + OFF, .len = FS};
	f->rx_prod = 2;
	assert_int_equal(xdptcp_xsk_rx(&f->x, fr, 2), 0);
	assert_int_equal(f->x.st.rx_bad_desc, 2);
	assert_int_equal(f->rx_cons, 2);
	assert_places(&f->x, NFRAMES - 1, 1, 0, 0);
}

/* A frame whose data does not start where refill cleared the metadata
 * slot is counted (never the case in copy mode: see test_xsk.sh). */
static void rx_counts_frames_at_another_offset(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[2];

	f->x.fill_target = 2;
	xdptcp_xsk_refill(&f->x);
	kernel_rx(f, 0, 1);
	f->rx_ring[1] = (struct xdp_desc){.addr = f->fq_ring[1] + OFF + 64, .len = 60};
	f->fq_cons++;
	f->rx_prod++;
	assert_int_equal(xdptcp_xsk_rx(&f->x, fr, 2), 2);
	assert_int_equal(f->x.st.rx_off_other, 1);
	assert_int_equal(fr[1].cap, FS - OFF - 64);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr, 2), 0);
}

static void tx_alloc_reaps_completions_when_short(void **state)
{
	struct fake *f = *state;
	struct xdptcp_frame fr[NFRAMES];

	assert_int_equal(xdptcp_xsk_tx_alloc(&f->x, fr, NFRAMES), NFRAMES);
	for (uint32_t i = 0; i < 4; i++)
		fr[i].len = 60;
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr, 4), 4);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr + 4, NFRAMES - 4), 0);
	assert_places(&f->x, NFRAMES - 4, 0, 0, 4);
	kernel_tx(f);
	/* all free frames plus the 4 completed ones, without calling complete */
	assert_int_equal(xdptcp_xsk_tx_alloc(&f->x, fr, NFRAMES), NFRAMES);
	assert_int_equal(f->x.st.completions, 4);
	assert_places(&f->x, 0, 0, NFRAMES, 0);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr, NFRAMES), 0);
}

/* Every frame is in one of the seven places, as the rings move them. */
static void places_follow_the_rings(void **state)
{
	struct fake *f = *state;
	struct xdptcp_xsk_places p;
	struct xdptcp_frame fr[4];

	xdptcp_xsk_refill(&f->x); /* 6 in the fill ring */
	kernel_rx(f, 0, 1);	  /* 1 of them received */
	f->fq_cons++;		  /* 1 taken by the kernel, not yet received */
	xdptcp_xsk_places(&f->x, &p);
	assert_int_equal(p.fill_ring, 4);
	assert_int_equal(p.kernel, 1);
	assert_int_equal(p.rx_ring, 1);
	assert_int_equal(p.free, NFRAMES - 6);
	assert_int_equal(xdptcp_xsk_tx_alloc(&f->x, fr, 3), 3);
	fr[0].len = fr[1].len = 60;
	assert_int_equal(xdptcp_xsk_tx_submit(&f->x, fr, 2), 2);
	f->tx_cons++; /* the kernel sends one and completes it */
	f->cq_ring[f->cq_prod++ & (RING - 1)] = f->tx_ring[0].addr;
	xdptcp_xsk_places(&f->x, &p);
	assert_int_equal(p.app, 1);
	assert_int_equal(p.tx_ring, 1);
	assert_int_equal(p.comp_ring, 1);
	assert_int_equal(
	    p.free + p.fill_ring + p.kernel + p.rx_ring + p.app + p.tx_ring + p.comp_ring, NFRAMES);
	assert_int_equal(xdptcp_xsk_release(&f->x, fr + 2, 1), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(refill_fills_to_target_and_kicks_only_when_asked),
	    T(rx_hands_out_frames_with_and_without_meta),
	    T(stale_magic_is_cleared_on_refill),
	    T(tx_submit_kick_and_complete),
	    T(tx_ring_full_leaves_the_rest_to_the_caller),
	    T(tx_refuses_frames_not_held),
	    T(rx_skips_descriptors_it_did_not_fill),
	    T(rx_counts_frames_at_another_offset),
	    T(tx_alloc_reaps_completions_when_short),
	    T(places_follow_the_rings),
	};

	return cmocka_run_group_tests_name("xsk_rings", tests, NULL, NULL);
}
