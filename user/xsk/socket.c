/* Open, register and close one queue's AF_XDP socket (see xsk.h). */
#include <bpf/bpf.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsk/xsk.h"

#define DEFAULT_RING 2048

static int fail(struct xdptcp_xsk *x, const char *step, int err)
{
	x->failed = step;
	return err < 0 ? err : -EINVAL;
}

int xdptcp_xsk_open(struct xdptcp_xsk *x, struct xdptcp_umem *u,
		    const struct xdptcp_xsk_config *cfg)
{
	struct xsk_socket_config scfg = {
	    .rx_size = cfg->rx_size ? cfg->rx_size : DEFAULT_RING,
	    .tx_size = cfg->tx_size ? cfg->tx_size : DEFAULT_RING,
	    .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	    .xdp_flags = 0,
	    .bind_flags = cfg->zerocopy ? XDP_ZEROCOPY : XDP_COPY,
	};
	uint32_t nframes = cfg->nframes ? cfg->nframes : u->fill_size + scfg.tx_size;
	uint64_t base;
	int err;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->map_fd = -1;
	x->umem = u;
	x->queue = cfg->queue;
	x->frame_off = xdptcp_umem_rx_offset(u);
	if (!cfg->no_need_wakeup)
		scfg.bind_flags |= XDP_USE_NEED_WAKEUP;
	x->need_wakeup = !cfg->no_need_wakeup;
	x->zerocopy = cfg->zerocopy;

	err = xdptcp_umem_take(u, nframes, &base);
	if (err)
		return fail(x, "umem slice", err);
	err = xdptcp_pool_init(&x->pool, base, u->frame_size, nframes);
	if (err)
		return fail(x, "frame pool", err);
	/* Frames left free for TX; the rest may wait in the fill ring. */
	x->fill_target = nframes > scfg.tx_size ? nframes - scfg.tx_size : nframes / 2;
	if (cfg->fill_target && cfg->fill_target < x->fill_target)
		x->fill_target = cfg->fill_target;
	if (x->fill_target > u->fill_size)
		x->fill_target = u->fill_size;

	/* The first socket of a UMEM takes libxdp's first fill/completion rings
	 * (copied into fq/cq), later ones get their own: one pair per queue. */
	err = xsk_socket__create_shared(&x->xsk, cfg->ifname, cfg->queue, u->umem, &x->rx, &x->tx,
					&x->fq, &x->cq, &scfg);
	if (err) {
		xdptcp_pool_fini(&x->pool);
		return fail(x,
			    cfg->zerocopy && err == -EOPNOTSUPP
				? "bind zero-copy (driver does not support it)"
				: "create/bind socket",
			    err);
	}
	u->nsockets++;
	x->fd = xsk_socket__fd(x->xsk);

	if (cfg->xsks_map_fd >= 0) {
		err = xsk_socket__update_xskmap(x->xsk, cfg->xsks_map_fd);
		if (err) {
			xdptcp_xsk_close(x);
			return fail(x, "register in XSKMAP", err);
		}
		x->map_fd = cfg->xsks_map_fd;
	}
	xdptcp_xsk_refill(x);
	return 0;
}

uint32_t xdptcp_xsk_close(struct xdptcp_xsk *x)
{
	uint32_t leaked;

	if (!x->xsk)
		return 0;
	/* The first socket shares its fd with the UMEM, which stays open until
	 * the UMEM goes: remove it from the map explicitly so XDP stops
	 * redirecting to frames we are about to reclaim. */
	if (x->map_fd >= 0)
		bpf_map_delete_elem(x->map_fd, &x->queue);
	xsk_socket__delete(x->xsk);
	x->xsk = NULL;
	x->umem->nsockets--;
	x->fd = -1;
	leaked = xdptcp_pool_reclaim(&x->pool);
	xdptcp_pool_fini(&x->pool);
	return leaked;
}

int xdptcp_xsk_wait(struct xdptcp_xsk *x, int timeout_ms)
{
	struct pollfd pfd = {.fd = x->fd, .events = POLLIN};
	int n;

	if (xsk_cons_nb_avail(&x->rx, 1))
		return 1;
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	return n;
}

int xdptcp_xsk_kick_tx(struct xdptcp_xsk *x)
{
	x->st.tx_kicks++;
	if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 0;
	/* Busy or out of buffers: the frames stay in the ring for the next kick. */
	if (errno == EAGAIN || errno == EBUSY || errno == ENOBUFS)
		return 0;
	return -errno;
}

int xdptcp_xsk_kernel_stats(const struct xdptcp_xsk *x, struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, st, &len))
		return -errno;
	return 0;
}

/* Entries between a ring's consumer and producer, read as the other side
 * publishes them. */
static uint32_t ring_used(const uint32_t *producer, const uint32_t *consumer)
{
	return __atomic_load_n(producer, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(consumer, __ATOMIC_ACQUIRE);
}

static uint32_t sub_floor0(uint32_t a, uint32_t b) { return a > b ? a - b : 0; }

void xdptcp_xsk_places(const struct xdptcp_xsk *x, struct xdptcp_xsk_places *p)
{
	uint32_t fill = x->pool.count[XDPTCP_FRAME_FILL];
	uint32_t tx = x->pool.count[XDPTCP_FRAME_TX];

	p->free = x->pool.count[XDPTCP_FRAME_FREE];
	p->app = x->pool.count[XDPTCP_FRAME_APP];
	p->fill_ring = ring_used(x->fq.producer, x->fq.consumer);
	p->rx_ring = ring_used(x->rx.producer, x->rx.consumer);
	p->kernel = sub_floor0(fill, p->fill_ring + p->rx_ring);
	p->comp_ring = ring_used(x->cq.producer, x->cq.consumer);
	p->tx_ring = sub_floor0(tx, p->comp_ring);
}
