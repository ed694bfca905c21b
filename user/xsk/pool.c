/* Frame pool: free list plus a place per frame (see pool.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsk/pool.h"

int xdptcp_pool_init(struct xdptcp_pool *p, uint64_t base, uint32_t frame_size, uint32_t nframes)
{
	memset(p, 0, sizeof(*p));
	if (frame_size < 2048 || (frame_size & (frame_size - 1)) || base % frame_size ||
	    nframes == 0)
		return -EINVAL;
	p->free = calloc(nframes, sizeof(*p->free));
	p->where = calloc(nframes, sizeof(*p->where));
	if (!p->free || !p->where) {
		xdptcp_pool_fini(p);
		return -ENOMEM;
	}
	p->base = base;
	p->frame_size = frame_size;
	p->frame_shift = (uint32_t)__builtin_ctz(frame_size);
	p->nframes = nframes;
	/* Stack order: the lowest frame is handed out first. */
	for (uint32_t i = 0; i < nframes; i++)
		p->free[i] = base + (uint64_t)(nframes - 1 - i) * frame_size;
	p->nfree = nframes;
	p->count[XDPTCP_FRAME_FREE] = nframes;
#ifndef NDEBUG
	p->abort_on_misuse = true;
#endif
	return 0;
}

void xdptcp_pool_fini(struct xdptcp_pool *p)
{
	free(p->free);
	free(p->where);
	memset(p, 0, sizeof(*p));
}

static int misuse(struct xdptcp_pool *p, int err)
{
	p->misuse++;
	if (p->abort_on_misuse)
		abort(); /* debug builds: a frame released twice or leaked is a bug */
	return err;
}

/* Index of the frame holding addr, or -1 when addr is outside the pool. */
static int64_t frame_index(const struct xdptcp_pool *p, uint64_t addr)
{
	if (addr < p->base)
		return -1;
	uint64_t i = (addr - p->base) >> p->frame_shift;

	return i < p->nframes ? (int64_t)i : -1;
}

uint32_t xdptcp_pool_alloc(struct xdptcp_pool *p, uint64_t *addrs, uint32_t n,
			   enum xdptcp_frame_place to)
{
	if (to == XDPTCP_FRAME_FREE || to >= XDPTCP_FRAME_NPLACES)
		return 0;
	if (n > p->nfree)
		n = p->nfree;
	for (uint32_t k = 0; k < n; k++) {
		uint64_t a = p->free[--p->nfree];

		p->where[(a - p->base) >> p->frame_shift] = (uint8_t)to;
		addrs[k] = a;
	}
	p->count[XDPTCP_FRAME_FREE] -= n;
	p->count[to] += n;
	return n;
}

int xdptcp_pool_move(struct xdptcp_pool *p, uint64_t addr, enum xdptcp_frame_place from,
		     enum xdptcp_frame_place to)
{
	int64_t i = frame_index(p, addr);

	if (i < 0 || from >= XDPTCP_FRAME_NPLACES || to >= XDPTCP_FRAME_NPLACES ||
	    from == XDPTCP_FRAME_FREE)
		return misuse(p, -EINVAL);
	if (p->where[i] != from)
		return misuse(p, -EALREADY);
	p->where[i] = (uint8_t)to;
	p->count[from]--;
	p->count[to]++;
	if (to == XDPTCP_FRAME_FREE)
		p->free[p->nfree++] = p->base + ((uint64_t)i << p->frame_shift);
	return 0;
}

int xdptcp_pool_where(const struct xdptcp_pool *p, uint64_t addr)
{
	int64_t i = frame_index(p, addr);

	return i < 0 ? -EINVAL : p->where[i];
}

uint32_t xdptcp_pool_reclaim(struct xdptcp_pool *p)
{
	uint32_t leaked = p->count[XDPTCP_FRAME_APP];

	for (uint32_t i = 0; i < p->nframes; i++) {
		p->where[i] = XDPTCP_FRAME_FREE;
		p->free[i] = p->base + (uint64_t)(p->nframes - 1 - i) * p->frame_size;
	}
	p->nfree = p->nframes;
	memset(p->count, 0, sizeof(p->count));
	p->count[XDPTCP_FRAME_FREE] = p->nframes;
	return leaked;
}

int xdptcp_pool_check(const struct xdptcp_pool *p)
{
	uint32_t seen[XDPTCP_FRAME_NPLACES] = {0};
	uint32_t sum = 0;

	for (uint32_t i = 0; i < p->nframes; i++) {
		if (p->where[i] >= XDPTCP_FRAME_NPLACES)
			return -EFAULT;
		seen[p->where[i]]++;
	}
	for (int k = 0; k < XDPTCP_FRAME_NPLACES; k++) {
		if (seen[k] != p->count[k])
			return -EFAULT;
		sum += p->count[k];
	}
	if (sum != p->nframes || p->nfree != p->count[XDPTCP_FRAME_FREE])
		return -EFAULT;
	for (uint32_t k = 0; k < p->nfree; k++) {
		int64_t i = frame_index(p, p->free[k]);

		if (i < 0 || p->where[i] != XDPTCP_FRAME_FREE)
			return -EFAULT;
	}
	return 0;
}

const char *xdptcp_frame_place_name(enum xdptcp_frame_place place)
{
	static const char *const names[XDPTCP_FRAME_NPLACES] = {"free", "fill", "app", "tx"};

	return place < XDPTCP_FRAME_NPLACES ? names[place] : "?";
}
