/* One BPF_PROG_TEST_RUN case: snapshot every map, run a crafted frame,
 * then compare every map with the snapshot plus the changes the test
 * expects. Shared by tests/bpf/test_*.c (cmocka). */
#ifndef XDPTCP_TESTS_PKT_CASE_H
#define XDPTCP_TESTS_PKT_CASE_H

#include "pkt_world.h"

struct pkt_case {
	struct pkt_world *w;
	struct pkt_spec s;
	uint8_t frame[PKT_MAX];
	size_t len;
	struct pkt_snap before, want, after;
	struct pkt_run r;
};

/* Snapshots the maps into before and want. */
int pkt_case_begin(struct pkt_case *c, struct pkt_world *w);
/* Builds c->s into c->frame and runs it; returns the run's error. */
int pkt_case_run(struct pkt_case *c);
/* Runs c->frame/c->len as they are. */
int pkt_case_run_raw(struct pkt_case *c);
/* Takes the after snapshot; if rx_slot >= 0 accepts a last_rx_ns in that
 * slot written during the run (CLOCK_MONOTONIC_COARSE: the fast path reads
 * bpf_ktime_get_coarse_ns). Returns the number of differences from want. */
int pkt_case_diff(struct pkt_case *c, int rx_slot);
void pkt_case_end(struct pkt_case *c);

#endif
