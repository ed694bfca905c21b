/* Two engines back to back through a simulated link with seeded,
 * deterministic loss, duplication, reordering and delay. Segments cross
 * the link as bytes (tcp_seg_build, then tcp_seg_parse with checksums). */
#ifndef XDPTCP_TESTS_ENGINE_LINK_H
#define XDPTCP_TESTS_ENGINE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "tcp/tcp.h"

struct link_cfg {
	uint64_t seed;
	unsigned loss_pm, dup_pm, reorder_pm; /* per mille, each direction */
	uint64_t delay_ns, jitter_ns, reorder_ns;
	uint32_t isn_near_wrap; /* non-zero: ISNs this far below 2^32 */
	int server_plain;	/* server offers neither WS nor TS */
	/* slow readers: non-zero = each side reads at most read_chunk bytes
	 * every read_every_ns (windows close, persist probes run) */
	uint32_t read_chunk;
	uint64_t read_every_ns;
};

enum link_close {
	LINK_CLIENT_FIRST, /* client half-closes when all its data is queued */
	LINK_SERVER_FIRST,
	LINK_SIMULTANEOUS, /* both do, as soon as they can */
};

struct link_app {
	struct tcp_conn *c;
	const uint8_t *tx;
	size_t tx_len, tx_off;
	uint8_t *rx;
	size_t rx_len, rx_cap;
	int shut_when_sent; /* shutdown once everything is queued */
	int connected, peer_closed, shut, released, closed, reset, timewait;
	uint32_t states_seen; /* bit per enum xdptcp_state */
};

struct link_pkt;

struct link {
	struct link_cfg cfg;
	struct tcp_stack *st[2]; /* 0 = client, 1 = server */
	struct link_app app[2];
	struct tcp_conn *listener;
	uint64_t now, rng;
	struct link_pkt **heap;
	size_t nheap, capheap;
	uint64_t pktseq;
	uint64_t sent, lost, duped, delivered;
	uint64_t next_read;
	struct tcp_config tcfg;
};

/* Set up both stacks (tcfg NULL: defaults), a listener on the server and
 * the client's connect, with tx_len bytes to send each way. */
void link_init(struct link *L, const struct link_cfg *cfg, const struct tcp_config *tcfg,
	       size_t c2s, size_t s2c, enum link_close order);
/* Run until both applications saw CLOSED (or a RESET) and every TCB and
 * TIME-WAIT is gone, or until limit_ns of simulated time. 0 on success. */
int link_run(struct link *L, uint64_t limit_ns);
void link_fini(struct link *L);
/* The bytes the pattern generator gives for side's direction. */
uint8_t link_pattern(int side, size_t off);

#endif
