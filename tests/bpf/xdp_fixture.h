/* Fixture shared by the BPF tests: one loaded program, maps reset before
 * every test, and a fast-path flow / TIME-WAIT entry with known values.
 * Header-only (static functions), included by each tests/bpf/test_*.c. */
#ifndef XDPTCP_TESTS_XDP_FIXTURE_H
#define XDPTCP_TESTS_XDP_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the headers above first */
#include <cmocka.h>

#include "../lib/pkt_case.h"

#define FX_SLOT 7
#define FX_GEN 3
#define FX_TSVAL 101
#define FX_TSECR 55

static struct pkt_world W;
static const char *fx_obj_path; /* --obj from tests/run.sh */

static int fx_group_setup(void **state)
{
	(void)state;
	if (pkt_world_open(&W, fx_obj_path)) {
		fprintf(stderr, "cannot load the XDP program (root? built?)\n");
		return -1;
	}
	return 0;
}

static int fx_group_teardown(void **state)
{
	(void)state;
	pkt_world_close(&W);
	return 0;
}

static int fx_setup(void **state)
{
	struct pkt_case *c = calloc(1, sizeof(*c));

	if (!c || pkt_world_reset(&W)) {
		free(c);
		return -1;
	}
	pkt_spec_default(&c->s);
	*state = c;
	return 0;
}

static int fx_teardown(void **state)
{
	struct pkt_case *c = *state;

	pkt_case_end(c);
	free(c);
	return 0;
}

/* An ESTABLISHED flow in the fast path with timestamps; the spec becomes an
 * in-order pure ACK of nothing new carrying NOP,NOP,TS. */
static uint8_t fx_ts_opts[12];

static inline struct xdptcp_tcb *fx_fast_flow(struct pkt_case *c)
{
	struct xdptcp_flow_key k;
	struct xdptcp_tcb *t = &W.tcbs[FX_SLOT];

	pkt_world_key(&c->s, &k);
	assert_int_equal(pkt_world_add_flow(&W, &k, FX_SLOT, FX_GEN), 0);
	memset(t, 0, sizeof(*t));
	t->generation = FX_GEN;
	t->state = XDPTCP_ESTABLISHED;
	t->fast = XDPTCP_FAST_ON;
	t->opts = XDPTCP_OPT_TS;
	t->snd_wscale = 2;
	t->snd_una = 5000;
	t->snd_nxt = 8000;
	t->snd_wnd = 1024 << 2;
	t->rcv_nxt = 1000;
	t->rcv_adv = 1000 + 65535;
	t->ts_recent = 100;
	t->notify_seq = 5000; /* never crossed */
	t->mss = 1460;
	c->s.seq = 1000;
	c->s.ack = 5000;
	c->s.window = 1024;
	pkt_opts_ts(fx_ts_opts, FX_TSVAL, FX_TSECR);
	c->s.opts = fx_ts_opts;
	c->s.optlen = sizeof(fx_ts_opts);
	return t;
}

/* A live TIME-WAIT entry for the spec's flow. */
static inline struct xdptcp_tw fx_tw(struct pkt_case *c, int with_ts)
{
	struct xdptcp_flow_key k;
	struct xdptcp_tw tw = {
	    .deadline_ns = pkt_now_ns() + 60ull * 1000000000ull,
	    .snd_nxt = 7001,
	    .rcv_nxt = 3001,
	    .ts_recent = 200,
	    .ts_offset = 12345,
	    .window = 502,
	    .flags = with_ts ? XDPTCP_TW_TS : 0,
	};

	pkt_world_key(&c->s, &k);
	assert_int_equal(pkt_world_add_tw(&W, &k, &tw), 0);
	c->s.seq = 3001;
	c->s.ack = 7001;
	return tw;
}

/* Snapshots the maps, runs the case, checks the XDP action. */
static inline void fx_run(struct pkt_case *c, uint32_t action)
{
	assert_int_equal(pkt_case_begin(c, &W), 0);
	assert_int_equal(pkt_case_run(c), 0);
	assert_int_equal(c->r.retval, action);
}

/* Every map equals the snapshot plus the changes put in c->want. */
static inline void fx_check_maps(struct pkt_case *c, int rx_slot)
{
	assert_int_equal(pkt_case_diff(c, rx_slot), 0);
}

/* The metadata of a redirected frame. */
static inline struct xdptcp_meta fx_meta(struct pkt_case *c)
{
	struct xdptcp_meta m;

	assert_int_equal(c->r.meta_len, sizeof(m));
	assert_int_equal(pkt_run_meta(&c->r, &m), 0);
	assert_int_equal(m.magic, XDPTCP_META_MAGIC);
	/* the frame itself is untouched behind the metadata */
	assert_int_equal(c->r.frame_len, c->len);
	assert_memory_equal(c->r.frame, c->frame, c->len);
	return m;
}

static inline void fx_no_meta_frame_untouched(struct pkt_case *c)
{
	assert_int_equal(c->r.meta_len, 0);
	assert_int_equal(c->r.frame_len, c->len);
	assert_memory_equal(c->r.frame, c->frame, c->len);
}

#endif
