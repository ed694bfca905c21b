/* All the xsks of one device: one UMEM, one xsk per RX queue 0..n-1, each
 * with its own slice of frames, registered in the program's XSKMAP. The
 * control plane opens this once per device and runs one thread per queue
 * on dev->q[i]. */
#ifndef XDPTCP_XSK_DEV_H
#define XDPTCP_XSK_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "xsk/umem.h"
#include "xsk/xsk.h"

struct xdptcp_xsk_dev_config {
	const char *ifname;
	uint32_t nqueues;	   /* RX queues to serve, >= 1 (config map's nqueues) */
	int xsks_map_fd;	   /* the program's `xsks` map; < 0: do not register */
	uint32_t frames_per_queue; /* 0 = 4096 */
	uint32_t frame_size;	   /* 0 = 4096 */
	uint32_t frame_headroom;   /* beyond XDP_PACKET_HEADROOM; 0 is enough for metadata */
	bool zerocopy;		   /* default copy mode */
	bool no_need_wakeup;	   /* kick on every refill/submit (for comparison) */
};

struct xdptcp_xsk_dev {
	struct xdptcp_umem umem;
	struct xdptcp_xsk *q; /* nqueues entries */
	uint32_t nqueues;
	const char *failed; /* after an open error: the step that failed */
	uint32_t failed_queue;
};

/* Returns 0 or a negative errno (d->failed, d->failed_queue say where);
 * on error nothing stays open. */
int xdptcp_xsk_dev_open(struct xdptcp_xsk_dev *d, const struct xdptcp_xsk_dev_config *cfg);

/* Closes every queue and the UMEM. Returns the frames the application
 * still held (leaks), summed over the queues. */
uint32_t xdptcp_xsk_dev_close(struct xdptcp_xsk_dev *d);

#endif
