/* The UMEM of one device: a page-aligned area of fixed-size frames shared by
 * the xsks of all its RX queues, registered with libxdp. Each queue takes
 * its own slice of frames (xdptcp_umem_take), so queues never share a free
 * list and need no lock. */
#ifndef XDPTCP_XSK_UMEM_H
#define XDPTCP_XSK_UMEM_H

#include <stddef.h>
#include <stdint.h>
#include <xdp/xsk.h>

struct xdptcp_umem_config {
	uint32_t nframes;    /* total frames (all queues) */
	uint32_t frame_size; /* power of two, 2048 or 4096; 0 = 4096 */
	/* Extra bytes the kernel leaves before each received frame, on top of
	 * XDP_PACKET_HEADROOM (256); XDP metadata (<= 32 bytes) already fits in
	 * those 256 bytes, so 0 is enough for it. */
	uint32_t frame_headroom;
	uint32_t fill_size; /* fill ring entries per queue, power of two; 0 = default */
	uint32_t comp_size; /* completion ring entries per queue; 0 = default */
};

struct xdptcp_umem {
	void *area;
	size_t size;
	struct xsk_umem *umem;
	/* libxdp's first fill/completion rings; the first xsk copies them */
	struct xsk_ring_prod fq0;
	struct xsk_ring_cons cq0;
	uint32_t nframes;
	uint32_t frame_size;
	uint32_t frame_headroom;
	uint32_t fill_size;
	uint32_t comp_size;
	uint32_t next_frame; /* first frame not yet given to a queue */
	unsigned int nsockets;
};

/* Map the area and register it. Returns 0 or a negative errno. */
int xdptcp_umem_create(struct xdptcp_umem *u, const struct xdptcp_umem_config *cfg);
/* Unregister and unmap; -EBUSY while a socket still uses it. */
int xdptcp_umem_destroy(struct xdptcp_umem *u);

/* Reserve n frames for one queue; *base gets the UMEM offset of the first.
 * Returns 0 or -ENOSPC. */
int xdptcp_umem_take(struct xdptcp_umem *u, uint32_t n, uint64_t *base);

/* Pointer to UMEM offset addr (no bounds check: addresses come from rings
 * the kernel validated or from our own pool). */
static inline uint8_t *xdptcp_umem_ptr(const struct xdptcp_umem *u, uint64_t addr)
{
	return (uint8_t *)u->area + addr;
}

/* Offset from a fill address (frame base) to where the kernel puts a
 * received frame in copy mode: XDP_PACKET_HEADROOM + frame_headroom. */
uint32_t xdptcp_umem_rx_offset(const struct xdptcp_umem *u);

#endif
