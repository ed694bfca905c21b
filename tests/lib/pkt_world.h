/* The XDP program under test and its maps, for BPF_PROG_TEST_RUN tests and
 * the micro-benchmark: load the skeleton, reset and snapshot every map, run
 * one frame, and put an AF_XDP socket in `xsks` (on loopback of a throwaway
 * network namespace) so that redirects return XDP_REDIRECT. */
#ifndef XDPTCP_TESTS_PKT_WORLD_H
#define XDPTCP_TESTS_PKT_WORLD_H

#include "loader/loader.h"
#include "loader/twtab.h"
#include "pkt.h"
#include "xdptcp/meta.h"
#include "xdptcp/stats.h"
#include "xdptcp/tcb.h"
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_WORLD_SLOTS 65536 /* XDPTCP_MAX_CONNS of bpf/maps.bpf.h */
#define PKT_WORLD_TW_BUCKETS 64 /* the `timewait` table, shrunk before load */
#define PKT_WORLD_TW_SEED 0x5eed0123456789abull

struct bpf_object;
struct pkt_xsk;

struct pkt_world {
	struct bpf_object *obj;
	int prog_fd;
	int fd_tcbs, fd_flows, fd_timewait, fd_ports, fd_xsks, fd_config, fd_stats, fd_laddrs,
	    fd_owned;
	struct xdptcp_tcb *tcbs; /* the mmapped `tcbs` array */
	struct xdptcp_twtab tw;	 /* the mapped `timewait` table */
	int ncpus;
	struct pkt_xsk *xsk; /* NULL unless pkt_world_xsk_add() */
};

/* All functions return 0 or a negative errno. */
/* Loads obj_path (build/bpf/xdptcp.bpf.o), or the object embedded in the
 * skeleton build/xdptcp.skel.h if obj_path is NULL. */
int pkt_world_open(struct pkt_world *w, const char *obj_path);
/* "--obj PATH" from a test's or benchmark's argv, or NULL. */
const char *pkt_world_obj_arg(int argc, char **argv);
void pkt_world_close(struct pkt_world *w);
/* Empties flows, timewait, laddrs, ports, xsks; zeroes tcbs, stats and
 * config but its TIME-WAIT table (tw_buckets, tw_seed). */
int pkt_world_reset(struct pkt_world *w);

/* Moves the process into a new network namespace, brings its loopback up,
 * binds an AF_XDP socket to lo queue 0 (copy mode, libxdp with its program
 * load inhibited) and stores it in xsks[queue]. Once the socket exists, only
 * stores it again (pkt_world_reset() empties xsks). */
int pkt_world_xsk_add(struct pkt_world *w, uint32_t queue);
/* Closes the socket and returns to the original namespace, which frees
 * the throwaway one. */
void pkt_world_xsk_del(struct pkt_world *w);

/* Runs frame in BPF_F_TEST_XDP_LIVE_FRAMES mode on lo queue 0 of the
 * namespace pkt_world_xsk_add() made, so a redirect really reaches the
 * socket. retval is not reported in this mode. */
int pkt_world_run_live(struct pkt_world *w, const uint8_t *frame, size_t len);
/* Takes one frame from the socket's RX ring: copies it to out (up to cap)
 * and the before_len bytes in front of it in the UMEM (where metadata
 * lands) to before. Returns the frame length, 0 if the ring is empty. */
int pkt_world_xsk_recv(struct pkt_world *w, uint8_t *out, size_t cap, uint8_t *before,
		       size_t before_len);

int pkt_world_add_flow(struct pkt_world *w, const struct xdptcp_flow_key *k, uint32_t slot,
		       uint32_t gen);
int pkt_world_add_tw(struct pkt_world *w, const struct xdptcp_flow_key *k,
		     const struct xdptcp_tw *tw);
int pkt_world_add_port(struct pkt_world *w, uint16_t port_host);
/* tw_buckets 0 in c: the world's table (PKT_WORLD_TW_BUCKETS, its seed). */
int pkt_world_set_config(struct pkt_world *w, const struct xdptcp_config *c);

/* The key XDP builds for a frame made from spec s. */
void pkt_world_key(const struct pkt_spec *s, struct xdptcp_flow_key *k);

struct pkt_run {
	int err;		   /* of bpf_prog_test_run_opts */
	uint32_t retval;	   /* the XDP action */
	uint32_t meta_len;	   /* bytes of metadata in front of the frame */
	uint8_t buf[PKT_MAX + 64]; /* data_out: metadata, then the frame */
	uint32_t buf_len;
	const uint8_t *frame; /* into buf, after the metadata */
	uint32_t frame_len;
	uint64_t t0, t1; /* CLOCK_MONOTONIC around the run */
	uint64_t c0, c1; /* CLOCK_MONOTONIC_COARSE around the run */
};

int pkt_world_run(struct pkt_world *w, const uint8_t *frame, size_t len, struct pkt_run *r);
/* Same, with the first meta_len bytes of buf handed in as metadata already
 * in front of the frame (test_run takes it from the headroom). */
int pkt_world_run_meta(struct pkt_world *w, const uint8_t *buf, size_t len, uint32_t meta_len,
		       struct pkt_run *r);
/* Copies the metadata the run returned; -1 if there was none of that size. */
int pkt_run_meta(const struct pkt_run *r, struct xdptcp_meta *m);

/* Every map, for "nothing else changed" checks. */
struct pkt_dump {
	size_t n, ksz, vsz;
	uint8_t *kv; /* n records of key then value, sorted by key */
};

struct pkt_snap {
	struct xdptcp_tcb *tcbs; /* PKT_WORLD_SLOTS entries */
	struct pkt_dump flows, ports, xsks_keys;
	/* every non-empty slot, expired ones too, as (struct xdptcp_flow_key,
	 * struct xdptcp_tw) records with deadline_ns = tick << 20 */
	struct pkt_dump timewait;
	__be32 laddrs[XDPTCP_MAX_LADDRS];
	struct xdptcp_config config;
	uint64_t stats[XDPTCP_STAT_MAX]; /* summed over CPUs */
};

int pkt_snap_take(struct pkt_world *w, struct pkt_snap *s);
int pkt_snap_copy(struct pkt_snap *dst, const struct pkt_snap *src);
void pkt_snap_free(struct pkt_snap *s);
/* The value stored under key k in a dump, or NULL. */
void *pkt_dump_find(struct pkt_dump *d, const void *k);
/* Returns the number of differences, each printed to stderr. */
int pkt_snap_diff(const struct pkt_snap *want, const struct pkt_snap *got);

uint64_t pkt_now_ns(void);
uint64_t pkt_now_coarse_ns(void);

#endif
