/* Frame pool: the free list of one queue's slice of a UMEM, and where every
 * frame of that slice is. A UMEM frame is always in exactly one place; each
 * move checks the frame is where the caller says it is, so a double release
 * or a stray address is caught (counted, and fatal when abort_on_misuse) and
 * a leak shows as frames left in XDPTCP_FRAME_APP. No syscalls, no locks:
 * one pool belongs to one queue's thread. */
#ifndef XDPTCP_XSK_POOL_H
#define XDPTCP_XSK_POOL_H

#include <stdbool.h>
#include <stdint.h>

enum xdptcp_frame_place {
	XDPTCP_FRAME_FREE = 0, /* on the free list */
	XDPTCP_FRAME_FILL,     /* given to the kernel: fill ring, or RX ring unread */
	XDPTCP_FRAME_APP,      /* held by the application (received or allocated) */
	XDPTCP_FRAME_TX,       /* submitted: TX ring, or completion ring unreaped */
	XDPTCP_FRAME_NPLACES
};

struct xdptcp_pool {
	uint64_t base;	      /* UMEM offset of the first frame */
	uint32_t frame_size;  /* power of two */
	uint32_t frame_shift; /* log2(frame_size) */
	uint32_t nframes;
	uint32_t nfree; /* entries of free[] in use (top of the stack) */
	uint64_t *free; /* stack of frame base offsets */
	uint8_t *where; /* enum xdptcp_frame_place of each frame */
	uint32_t count[XDPTCP_FRAME_NPLACES];
	uint64_t misuse;      /* moves refused: wrong place or address */
	bool abort_on_misuse; /* default: true unless NDEBUG */
};

/* frame_size must be a power of two >= 2048 and base a multiple of it.
 * Returns 0, -EINVAL or -ENOMEM; all frames start free. */
int xdptcp_pool_init(struct xdptcp_pool *p, uint64_t base, uint32_t frame_size, uint32_t nframes);
void xdptcp_pool_fini(struct xdptcp_pool *p);

/* Take up to n free frames into place `to`; their base offsets go to
 * addrs[]. Returns how many were taken (fewer when the pool runs dry). */
uint32_t xdptcp_pool_alloc(struct xdptcp_pool *p, uint64_t *addrs, uint32_t n,
			   enum xdptcp_frame_place to);

/* Move the frame holding UMEM offset addr (any offset inside the frame)
 * from place `from` to place `to`; to FREE puts it back on the free list.
 * Returns 0, or -EINVAL (address outside the pool) / -EALREADY (frame is
 * not in `from`, e.g. released twice); both count as misuse. */
int xdptcp_pool_move(struct xdptcp_pool *p, uint64_t addr, enum xdptcp_frame_place from,
		     enum xdptcp_frame_place to);

/* Where the frame holding addr is, or -EINVAL. */
int xdptcp_pool_where(const struct xdptcp_pool *p, uint64_t addr);

/* Force every frame back to FREE (after the socket that held the kernel's
 * frames is closed). Frames still in APP are counted in the return value:
 * those are leaks of the application. */
uint32_t xdptcp_pool_reclaim(struct xdptcp_pool *p);

/* 0 when the counts add up to nframes and match the per-frame places and
 * the free list; -EFAULT otherwise (a bug in this module). */
int xdptcp_pool_check(const struct xdptcp_pool *p);

const char *xdptcp_frame_place_name(enum xdptcp_frame_place place);

#endif
