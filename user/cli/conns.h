/* The rows `xdptcp conns` prints: one per live `flows` entry whose slot in
 * `tcbs` carries the same generation, one per `timewait` entry. Pure code
 * (conns_fmt.c): the command reads the maps and hands the values in, so the
 * filtering, ordering and both output formats are unit-tested without root. */
#ifndef XDPTCP_CLI_CONNS_H
#define XDPTCP_CLI_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "xdptcp/tcb.h"

enum conns_kind {
	CONNS_FLOW = 0, /* from `flows` + `tcbs` */
	CONNS_TW,	/* from `timewait` */
};

struct conns_row {
	struct xdptcp_flow_key key; /* network byte order, as in the maps */
	uint8_t kind;		    /* enum conns_kind */
	uint8_t state;		    /* enum xdptcp_state (TIME-WAIT for CONNS_TW) */
	bool fast;    /* XDP runs it (tcb.fast == XDPTCP_FAST_ON) */
	bool arming;  /* handed to XDP, not taken yet (XDPTCP_FAST_ARMING) */
	bool stale;   /* flow: slot out of range or its generation differs */
	bool expired; /* timewait: deadline passed (XDP treats it as absent) */
	uint32_t slot, generation;
	uint32_t snd_una, snd_nxt, rcv_nxt;
	int64_t ms_left; /* timewait: deadline - now, in ms (<= 0 when expired) */
};

struct conns_table {
	struct conns_row *rows;
	size_t n, cap;
	size_t hidden; /* rows dropped by conns_finish's filter */
};

struct conns_filter {
	bool all;  /* keep stale flows and expired TIME-WAIT entries */
	int state; /* enum xdptcp_state to keep, or -1 for every state */
};

/* A `flows` entry. tcb is the slot it points to, or NULL when the slot is
 * outside `tcbs` (then the row is stale). Returns 0 or -ENOMEM. */
int conns_add_flow(struct conns_table *t, const struct xdptcp_flow_key *key,
		   const struct xdptcp_flow *flow, const struct xdptcp_tcb *tcb);

/* A `timewait` entry at CLOCK_MONOTONIC now_ns. Returns 0 or -ENOMEM. */
int conns_add_tw(struct conns_table *t, const struct xdptcp_flow_key *key,
		 const struct xdptcp_tw *tw, uint64_t now_ns);

/* Applies the filter, sorts by local port, local address, remote address,
 * remote port, kind, and drops duplicates (a hash walk can revisit keys
 * when entries are deleted under it). */
void conns_finish(struct conns_table *t, const struct conns_filter *f);

void conns_free(struct conns_table *t);

/* State name (RFC 9293 spelling) to enum xdptcp_state, case-insensitive,
 * '_' accepted for '-'. Returns -1 when unknown. */
int conns_parse_state(const char *s);

/* A table with a header line, one row per connection, then a count line. */
void conns_print_text(FILE *f, const struct conns_table *t);

/* One JSON object: {"dev": ..., "pin_dir": ..., "connections": [...]}. */
void conns_print_json(FILE *f, const char *dev, const char *pin_dir, const struct conns_table *t);

#endif
