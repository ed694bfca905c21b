/* Open and close all the xsks of a device on one UMEM (see dev.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsk/dev.h"

#define DEFAULT_FRAMES 4096
#define MAX_QUEUES 1024

int xdptcp_xsk_dev_open(struct xdptcp_xsk_dev *d, const struct xdptcp_xsk_dev_config *cfg)
{
	uint32_t per_q = cfg->frames_per_queue ? cfg->frames_per_queue : DEFAULT_FRAMES;
	struct xdptcp_umem_config ucfg = {
	    .frame_size = cfg->frame_size,
	    .frame_headroom = cfg->frame_headroom,
	};
	int err;

	memset(d, 0, sizeof(*d));
	if (!cfg->ifname || cfg->nqueues == 0 || cfg->nqueues > MAX_QUEUES ||
	    (uint64_t)per_q * cfg->nqueues > UINT32_MAX) {
		d->failed = "configuration";
		return -EINVAL;
	}
	ucfg.nframes = per_q * cfg->nqueues;
	d->q = calloc(cfg->nqueues, sizeof(*d->q));
	if (!d->q) {
		d->failed = "allocation";
		return -ENOMEM;
	}
	err = xdptcp_umem_create(&d->umem, &ucfg);
	if (err) {
		free(d->q);
		d->q = NULL;
		d->failed = "umem";
		return err;
	}
	for (uint32_t i = 0; i < cfg->nqueues; i++) {
		struct xdptcp_xsk_config xcfg = {
		    .ifname = cfg->ifname,
		    .queue = i,
		    .xsks_map_fd = cfg->xsks_map_fd,
		    .nframes = per_q,
		    .zerocopy = cfg->zerocopy,
		    .no_need_wakeup = cfg->no_need_wakeup,
		};

		err = xdptcp_xsk_open(&d->q[i], &d->umem, &xcfg);
		if (err) {
			const char *step = d->q[i].failed;

			xdptcp_xsk_dev_close(d);
			d->failed = step;
			d->failed_queue = i;
			return err;
		}
		d->nqueues = i + 1;
	}
	return 0;
}

uint32_t xdptcp_xsk_dev_close(struct xdptcp_xsk_dev *d)
{
	uint32_t leaked = 0;

	for (uint32_t i = 0; i < d->nqueues; i++)
		leaked += xdptcp_xsk_close(&d->q[i]);
	d->nqueues = 0;
	/* -EBUSY only if a socket is still open, which cannot be the case */
	xdptcp_umem_destroy(&d->umem);
	free(d->q);
	d->q = NULL;
	return leaked;
}
