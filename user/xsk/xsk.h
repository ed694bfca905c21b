/* One AF_XDP socket per RX queue, on a shared UMEM (umem.h) and a private
 * frame pool (pool.h): batched RX with fill-ring refill, batched TX with
 * completion reaping. libxdp never loads a program here
 * (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD): the socket is put in OUR XSKMAP.
 *
 * Frame ownership: a frame returned by xdptcp_xsk_rx() or
 * xdptcp_xsk_tx_alloc() belongs to the caller until it is given back
 * exactly once, by xdptcp_xsk_release() or by a successful
 * xdptcp_xsk_tx_submit(), on the same xsk (each queue has its own slice of
 * the UMEM; another queue's pool refuses the frame). One thread per queue;
 * no locks.
 *
 * Modes: the first xsk of a UMEM chooses copy or zero-copy; the others
 * share its UMEM (XDP_SHARED_UMEM) and its mode. veth refuses zero-copy
 * (EOPNOTSUPP at bind). In copy mode the kernel never sets need_wakeup on
 * the fill ring and always sets it on the TX ring: every TX batch costs one
 * sendto(), RX costs none. */
#ifndef XDPTCP_XSK_XSK_H
#define XDPTCP_XSK_XSK_H

#include <linux/if_xdp.h>
#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>

#include "xdptcp/meta.h"
#include "xsk/pool.h"
#include "xsk/umem.h"

struct xdptcp_xsk_config {
	const char *ifname;
	uint32_t queue;
	int xsks_map_fd;  /* XSKMAP to register in (key = queue); < 0: none */
	uint32_t nframes; /* this queue's UMEM slice; 0 = fill_size + tx_size */
	uint32_t rx_size; /* ring entries, power of two; 0 = 2048 */
	uint32_t tx_size;
	/* frames kept in the fill ring; 0 = as many as fit while tx_size
	 * frames stay free for TX */
	uint32_t fill_target;
	bool zerocopy;	     /* XDP_ZEROCOPY; default XDP_COPY */
	bool no_need_wakeup; /* do not bind with XDP_USE_NEED_WAKEUP (kick always) */
};

/* A frame between the rings and the application. */
struct xdptcp_frame {
	uint64_t addr; /* UMEM offset of data[0] */
	uint8_t *data; /* Ethernet header */
	uint32_t len;  /* bytes at data */
	uint32_t cap;  /* bytes that fit at data (to the end of the UMEM frame) */
	/* XDP metadata in front of data, NULL when its magic is absent; it
	 * lives in the UMEM frame: valid until the frame is given back */
	const struct xdptcp_meta *meta;
};

struct xdptcp_xsk_stats {
	uint64_t rx_frames;
	uint64_t rx_meta;     /* received frames carrying xdptcp metadata */
	uint64_t rx_bad_desc; /* RX descriptors refused (not a fill frame, bad len) */
	/* frames whose data did not start at frame_off: their metadata slot was
	 * not cleared on refill, so a stale magic could show (0 in copy mode) */
	uint64_t rx_off_other;
	uint64_t tx_frames;
	uint64_t tx_ring_full; /* submit calls cut short by a full TX ring */
	uint64_t tx_bad_frame; /* submit refused: frame not held by the app, bad len */
	uint64_t tx_kicks;     /* sendto() wakeups */
	uint64_t fill_kicks;   /* recvfrom() wakeups for the fill ring */
	uint64_t completions;
};

struct xdptcp_xsk {
	struct xsk_socket *xsk;
	struct xdptcp_umem *umem;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xdptcp_pool pool;
	int fd;
	int map_fd; /* registered in, or -1 */
	uint32_t queue;
	uint32_t frame_off; /* RX data offset inside a frame (copy mode) */
	uint32_t fill_target;
	bool need_wakeup;   /* bound with XDP_USE_NEED_WAKEUP */
	bool zerocopy;	    /* bound in zero-copy mode */
	const char *failed; /* after an open error: the step that failed */
	struct xdptcp_xsk_stats st;
};

/* Create the socket on cfg->ifname/queue, bind it (copy mode unless
 * cfg->zerocopy), register it in cfg->xsks_map_fd and fill the fill ring.
 * Returns 0 or a negative errno, with x->failed naming the step; a driver
 * that refuses zero-copy gives -EOPNOTSUPP from "bind". Open the sockets of
 * one UMEM from one thread. A failed open keeps its UMEM slice (UMEM slices
 * are never returned): after a failure, destroy the UMEM (dev.h does). */
int xdptcp_xsk_open(struct xdptcp_xsk *x, struct xdptcp_umem *u,
		    const struct xdptcp_xsk_config *cfg);

/* Unregister and close. Returns the number of frames the application
 * still held (leaked); every frame is free afterwards. */
uint32_t xdptcp_xsk_close(struct xdptcp_xsk *x);

/* Wait up to timeout_ms for received frames (poll POLLIN). Returns >0 when
 * frames are ready, 0 on timeout, negative errno. */
int xdptcp_xsk_wait(struct xdptcp_xsk *x, int timeout_ms);

/* Frames wait in the RX ring: no need to poll() before xdptcp_xsk_rx(). */
bool xdptcp_xsk_rx_ready(struct xdptcp_xsk *x);

/* Take up to max received frames; refills the fill ring. */
uint32_t xdptcp_xsk_rx(struct xdptcp_xsk *x, struct xdptcp_frame *out, uint32_t max);

/* Put frames back in the fill ring (as many as fit, up to the target),
 * kicking the kernel only when it asked (need_wakeup). Returns frames added. */
uint32_t xdptcp_xsk_refill(struct xdptcp_xsk *x);

/* Give frames back to the pool. Returns how many were refused (double
 * release, foreign address): 0 for a correct caller. */
uint32_t xdptcp_xsk_release(struct xdptcp_xsk *x, const struct xdptcp_frame *f, uint32_t n);

/* Take up to n empty frames for transmission (len 0, cap set), reaping
 * the completion ring first when the pool is short. */
uint32_t xdptcp_xsk_tx_alloc(struct xdptcp_xsk *x, struct xdptcp_frame *out, uint32_t n);

/* Queue f[0..n) for transmission (received frames may be sent back as they
 * are) and kick the kernel when it asked. Returns how many were queued, in
 * order; the caller still owns f[ret..n) (TX ring full, or a bad frame). */
uint32_t xdptcp_xsk_tx_submit(struct xdptcp_xsk *x, const struct xdptcp_frame *f, uint32_t n);

/* Reap the completion ring back into the pool. Returns frames reaped. */
uint32_t xdptcp_xsk_complete(struct xdptcp_xsk *x);

/* Kick TX (sendto) regardless of need_wakeup: the copy-mode TX path sends
 * only inside this call. Returns 0 or negative errno (EAGAIN/EBUSY are 0). */
int xdptcp_xsk_kick_tx(struct xdptcp_xsk *x);

/* Where this queue's frames are, from the pool and the ring indexes: the
 * pool's FILL place split into fill ring / RX ring / in the kernel, its TX
 * place into TX ring (or being sent) / completion ring. The parts add up
 * to nframes (a snapshot: the kernel moves frames meanwhile). */
struct xdptcp_xsk_places {
	uint32_t free;
	uint32_t fill_ring; /* posted to the fill ring, not yet taken by the kernel */
	uint32_t kernel;    /* taken from the fill ring, not yet in the RX ring */
	uint32_t rx_ring;   /* received, not yet taken by xdptcp_xsk_rx() */
	uint32_t app;
	uint32_t tx_ring;   /* submitted, not yet completed */
	uint32_t comp_ring; /* completed, not yet reaped */
};
void xdptcp_xsk_places(const struct xdptcp_xsk *x, struct xdptcp_xsk_places *p);

/* The kernel's counters for this socket (XDP_STATISTICS). */
int xdptcp_xsk_kernel_stats(const struct xdptcp_xsk *x, struct xdp_statistics *st);

#endif
