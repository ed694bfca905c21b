/* One BPF_PROG_TEST_RUN case: see pkt_case.h. */
#include "pkt_case.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int pkt_case_begin(struct pkt_case *c, struct pkt_world *w)
{
	int err;

	c->w = w;
	err = pkt_snap_take(w, &c->before);
	if (!err)
		err = pkt_snap_copy(&c->want, &c->before);
	return err;
}

int pkt_case_run(struct pkt_case *c)
{
	c->len = pkt_build(&c->s, c->frame, sizeof(c->frame));
	if (!c->len)
		return -EMSGSIZE;
	return pkt_case_run_raw(c);
}

int pkt_case_run_raw(struct pkt_case *c) { return pkt_world_run(c->w, c->frame, c->len, &c->r); }

int pkt_case_diff(struct pkt_case *c, int rx_slot)
{
	if (pkt_snap_take(c->w, &c->after))
		return -1;
	if (rx_slot >= 0) {
		uint64_t got = c->after.tcbs[rx_slot].last_rx_ns;

		if (got < c->r.c0 || got > c->r.c1)
			fprintf(stderr, "tcbs[%d].last_rx_ns %llu not in [%llu, %llu]\n", rx_slot,
				(unsigned long long)got, (unsigned long long)c->r.c0,
				(unsigned long long)c->r.c1);
		else
			c->want.tcbs[rx_slot].last_rx_ns = got;
	}
	return pkt_snap_diff(&c->want, &c->after);
}

void pkt_case_end(struct pkt_case *c)
{
	pkt_snap_free(&c->before);
	pkt_snap_free(&c->want);
	pkt_snap_free(&c->after);
}
