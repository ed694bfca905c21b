/* UMEM area and its registration (see umem.h). */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/mman.h>

#include "xsk/umem.h"

static int pow2(uint32_t v) { return v && !(v & (v - 1)); }

int xdptcp_umem_create(struct xdptcp_umem *u, const struct xdptcp_umem_config *cfg)
{
	struct xsk_umem_config ucfg = {
	    .fill_size = cfg->fill_size ? cfg->fill_size : XSK_RING_PROD__DEFAULT_NUM_DESCS,
	    .comp_size = cfg->comp_size ? cfg->comp_size : XSK_RING_CONS__DEFAULT_NUM_DESCS,
	    .frame_size = cfg->frame_size ? cfg->frame_size : XSK_UMEM__DEFAULT_FRAME_SIZE,
	    .frame_headroom = cfg->frame_headroom,
	    .flags = 0,
	};
	int err;

	memset(u, 0, sizeof(*u));
	if (!cfg->nframes || !pow2(ucfg.frame_size) || ucfg.frame_size < 2048 ||
	    !pow2(ucfg.fill_size) || !pow2(ucfg.comp_size) ||
	    XDP_PACKET_HEADROOM + cfg->frame_headroom + 64 > ucfg.frame_size)
		return -EINVAL;
	u->size = (size_t)cfg->nframes * ucfg.frame_size;
	/* mmap gives page alignment, which the kernel requires of a UMEM. */
	u->area = mmap(NULL, u->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (u->area == MAP_FAILED) {
		u->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&u->umem, u->area, u->size, &u->fq0, &u->cq0, &ucfg);
	if (err) {
		munmap(u->area, u->size);
		u->area = NULL;
		return err;
	}
	u->nframes = cfg->nframes;
	u->frame_size = ucfg.frame_size;
	u->frame_headroom = ucfg.frame_headroom;
	u->fill_size = ucfg.fill_size;
	u->comp_size = ucfg.comp_size;
	return 0;
}

int xdptcp_umem_destroy(struct xdptcp_umem *u)
{
	int err;

	if (!u->area)
		return 0;
	err = xsk_umem__delete(u->umem);
	if (err)
		return err;
	munmap(u->area, u->size);
	memset(u, 0, sizeof(*u));
	return 0;
}

int xdptcp_umem_take(struct xdptcp_umem *u, uint32_t n, uint64_t *base)
{
	if (!n || n > u->nframes - u->next_frame)
		return -ENOSPC;
	*base = (uint64_t)u->next_frame * u->frame_size;
	u->next_frame += n;
	return 0;
}

uint32_t xdptcp_umem_rx_offset(const struct xdptcp_umem *u)
{
	return XDP_PACKET_HEADROOM + u->frame_headroom;
}
