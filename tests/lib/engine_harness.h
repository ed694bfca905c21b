/* Single-engine test harness (lwIP test/unit/tcp style): one tcp_stack, a
 * scripted peer whose segments are crafted by the test, every output
 * segment and event captured in order. */
#ifndef XDPTCP_TESTS_ENGINE_HARNESS_H
#define XDPTCP_TESTS_ENGINE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "tcp/tcp.h"

/* Checks usable without cmocka (tests/lib is linked into tools and
 * benchmarks too): a failure reports through cmocka's _fail when the binary
 * has it, and aborts otherwise. */
void engine_fail(const char *what, const char *file, int line) __attribute__((noreturn));
#define ENGINE_CHECK(c)                                                                            \
	do {                                                                                       \
		if (!(c))                                                                          \
			engine_fail(#c, __FILE__, __LINE__);                                       \
	} while (0)

#define EH_LADDR 0x0a000001u /* 10.0.0.1: the engine */
#define EH_RADDR 0x0a000002u /* 10.0.0.2: the scripted peer */
#define EH_LPORT 80
#define EH_RPORT 40000
#define EH_MAX_OUT 256
#define EH_MAX_EV 256
#define EH_MS 1000000ull
#define EH_S 1000000000ull

struct eh_out {
	struct tcp_seg seg;
	uint8_t data[2048];
};

struct eh_ev {
	struct tcp_conn *c;
	enum tcp_event ev;
	struct tcp_event_info info;
};

struct eh {
	struct tcp_stack *s;
	struct tcp_config cfg;
	uint64_t now;
	uint32_t iss; /* ISS the engine will choose (ops.isn) */
	struct eh_out out[EH_MAX_OUT];
	size_t nout, rd; /* captured / consumed */
	struct eh_ev ev[EH_MAX_EV];
	size_t nev, evrd;
	struct tcp_conn *accepted; /* last ACCEPTED child */
	int auto_read;		   /* READABLE: read everything into rx */
	/* called after each event is recorded (the app's reaction) */
	void (*hook)(struct eh *h, struct tcp_conn *c, enum tcp_event ev);
	uint8_t rx[1 << 16];
	size_t rxlen;
};

/* cfg may be NULL (defaults with a fixed key, rto_min 200 ms). */
void eh_init(struct eh *h, const struct tcp_config *cfg);
/* Same, with the TIME-WAIT hooks of tw (tcp_ops.tw_*; their ctx is h). */
void eh_init_tw_host(struct eh *h, const struct tcp_config *cfg, const struct tcp_ops *tw);
void eh_fini(struct eh *h);

/* A peer segment: saddr/sport = peer, daddr/dport = engine. */
struct tcp_seg eh_seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd);
void eh_input(struct eh *h, const struct tcp_seg *seg);
/* Feed a peer segment with payload */
void eh_input_data(struct eh *h, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
		   const void *data, uint32_t len);
/* Advance time by dt and run the timers. */
void eh_advance(struct eh *h, uint64_t dt);
/* Run timers up to now + dt in steps of the engine's own deadlines. */
void eh_run(struct eh *h, uint64_t dt);

/* Next captured segment not yet consumed, or NULL. */
const struct tcp_seg *eh_pop(struct eh *h);
size_t eh_pending(const struct eh *h);
void eh_drain(struct eh *h);
/* Count of event ev (not consumed) for conn c (NULL: any). */
int eh_events(const struct eh *h, struct tcp_conn *c, enum tcp_event ev);
const struct eh_ev *eh_last_event(const struct eh *h, enum tcp_event ev);

/* Print the captured segments to stderr (debugging a failing test). */
void eh_dump(const struct eh *h);

/* Helpers that drive a connection into a state; peer ISN irs. */
struct tcp_conn *eh_passive_open(struct eh *h, uint32_t irs, uint16_t wnd);
struct tcp_conn *eh_active_open(struct eh *h, uint32_t irs, uint16_t wnd);

/* cmocka-friendly check of a segment: flags, seq, ack (ack checked only
 * when the ACK flag is expected). Prints both on mismatch. */
void eh_expect(const struct tcp_seg *seg, uint8_t flags, uint32_t seq, uint32_t ack,
	       const char *file, int line);
#define EH_EXPECT(seg, fl, sq, ak) eh_expect((seg), (fl), (sq), (ak), __FILE__, __LINE__)

#endif
