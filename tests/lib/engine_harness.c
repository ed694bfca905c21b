/* Single-engine test harness: see engine_harness.h. */
#include "engine_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka's failure entry point, present only in cmocka test binaries */
extern void _fail(const char *const file, const int line) __attribute__((weak));

void engine_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	if (_fail)
		_fail(file, line);
	abort();
}

static void eh_output(void *ctx, const struct tcp_seg *seg)
{
	struct eh *h = ctx;
	struct eh_out *o;

	ENGINE_CHECK(h->nout < EH_MAX_OUT);
	o = &h->out[h->nout++];
	o->seg = *seg;
	ENGINE_CHECK(seg->len <= sizeof(o->data));
	if (seg->len)
		memcpy(o->data, seg->payload, seg->len);
	o->seg.payload = o->data;
}

static void eh_event(void *ctx, struct tcp_conn *c, enum tcp_event ev,
		     const struct tcp_event_info *info)
{
	struct eh *h = ctx;
	struct eh_ev *e;

	ENGINE_CHECK(h->nev < EH_MAX_EV);
	e = &h->ev[h->nev++];
	e->c = c;
	e->ev = ev;
	if (info)
		e->info = *info;
	if (ev == TCP_EV_ACCEPTED)
		h->accepted = c;
	if (ev == TCP_EV_READABLE && h->auto_read) {
		size_t n;

		while ((n = tcp_recv(c, h->rx + h->rxlen, sizeof(h->rx) - h->rxlen, h->now)))
			h->rxlen += n;
	}
	if (h->hook)
		h->hook(h, c, ev);
}

static uint32_t eh_isn(void *ctx, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp, uint64_t now)
{
	struct eh *h = ctx;

	(void)la, (void)lp, (void)ra, (void)rp, (void)now;
	return h->iss;
}

void eh_init(struct eh *h, const struct tcp_config *cfg) { eh_init_tw_host(h, cfg, NULL); }

void eh_init_tw_host(struct eh *h, const struct tcp_config *cfg, const struct tcp_ops *tw)
{
	struct tcp_ops ops = {
	    .output = eh_output,
	    .event = eh_event,
	    .isn = eh_isn,
	    .tw_store = tw ? tw->tw_store : NULL,
	    .tw_find = tw ? tw->tw_find : NULL,
	    .tw_update = tw ? tw->tw_update : NULL,
	    .tw_drop = tw ? tw->tw_drop : NULL,
	    .ctx = h,
	};

	memset(h, 0, sizeof(*h));
	if (cfg) {
		h->cfg = *cfg;
	} else {
		tcp_config_default(&h->cfg);
		h->cfg.rto_min_ns = 200 * EH_MS;
		h->cfg.rto_init_ns = EH_S;
		memset(h->cfg.isn_key.k, 0x5a, sizeof(h->cfg.isn_key.k));
	}
	h->now = 1000 * EH_S;
	h->iss = 1000;
	ENGINE_CHECK(tcp_stack_init(&h->s, &h->cfg, &ops, h->now) == 0);
}

void eh_fini(struct eh *h)
{
	tcp_stack_free(h->s);
	h->s = NULL;
}

struct tcp_seg eh_seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd)
{
	struct tcp_seg seg;

	memset(&seg, 0, sizeof(seg));
	seg.saddr = EH_RADDR;
	seg.daddr = EH_LADDR;
	seg.sport = EH_RPORT;
	seg.dport = EH_LPORT;
	seg.flags = flags;
	seg.seq = seq;
	seg.ack = ack;
	seg.wnd = wnd;
	return seg;
}

void eh_input(struct eh *h, const struct tcp_seg *seg) { tcp_input(h->s, seg, h->now); }

void eh_input_data(struct eh *h, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
		   const void *data, uint32_t len)
{
	struct tcp_seg seg = eh_seg(flags, seq, ack, wnd);

	seg.payload = data;
	seg.len = len;
	eh_input(h, &seg);
}

void eh_advance(struct eh *h, uint64_t dt)
{
	h->now += dt;
	tcp_timer(h->s, h->now);
}

void eh_run(struct eh *h, uint64_t dt)
{
	uint64_t end = h->now + dt;

	for (;;) {
		uint64_t next = tcp_timer(h->s, h->now);

		if (next > end)
			break;
		if (next > h->now)
			h->now = next;
		tcp_timer(h->s, h->now);
	}
	h->now = end;
	tcp_timer(h->s, h->now);
}

const struct tcp_seg *eh_pop(struct eh *h)
{
	if (h->rd >= h->nout)
		return NULL;
	return &h->out[h->rd++].seg;
}

size_t eh_pending(const struct eh *h) { return h->nout - h->rd; }

void eh_drain(struct eh *h) { h->rd = h->nout; }

int eh_events(const struct eh *h, struct tcp_conn *c, enum tcp_event ev)
{
	int n = 0;

	for (size_t i = 0; i < h->nev; i++)
		if (h->ev[i].ev == ev && (!c || h->ev[i].c == c))
			n++;
	return n;
}

const struct eh_ev *eh_last_event(const struct eh *h, enum tcp_event ev)
{
	for (size_t i = h->nev; i-- > 0;)
		if (h->ev[i].ev == ev)
			return &h->ev[i];
	return NULL;
}

static const char *flagstr(uint8_t f, char *buf)
{
	static const char n[] = "FSRPAUEC";

	for (int i = 0, j = 0; i < 8; i++)
		if (f & (1 << i))
			buf[j++] = n[i], buf[j] = 0;
	if (!f)
		strcpy(buf, "-");
	return buf;
}

void eh_expect(const struct tcp_seg *seg, uint8_t flags, uint32_t seq, uint32_t ack,
	       const char *file, int line)
{
	char a[10] = "", b[10] = "";

	if (!seg) {
		fprintf(stderr, "%s:%d: expected a segment [%s] seq %u ack %u, none sent\n", file,
			line, flagstr(flags, a), seq, ack);
		engine_fail("segment mismatch", file, line);
	}
	if (seg->flags != flags || seg->seq != seq || ((flags & TCP_ACK) && seg->ack != ack)) {
		fprintf(stderr, "%s:%d: expected [%s] seq %u ack %u, got [%s] seq %u ack %u\n",
			file, line, flagstr(flags, a), seq, ack, flagstr(seg->flags, b), seg->seq,
			seg->ack);
		engine_fail("segment mismatch", file, line);
	}
}

struct tcp_conn *eh_passive_open(struct eh *h, uint32_t irs, uint16_t wnd)
{
	struct tcp_conn *l = tcp_listen(h->s, 0, EH_LPORT);
	struct tcp_seg syn = eh_seg(TCP_SYN, irs, 0, wnd);
	const struct tcp_seg *o;

	ENGINE_CHECK(l);
	syn.opts = TCP_OPT_MSS;
	syn.mss = 1460;
	eh_input(h, &syn);
	o = eh_pop(h);
	EH_EXPECT(o, TCP_SYN | TCP_ACK, h->iss, irs + 1);
	struct tcp_seg ack = eh_seg(TCP_ACK, irs + 1, h->iss + 1, wnd);
	eh_input(h, &ack);
	ENGINE_CHECK(h->accepted);
	ENGINE_CHECK((tcp_state(h->accepted)) == (XDPTCP_ESTABLISHED));
	return h->accepted;
}

struct tcp_conn *eh_active_open(struct eh *h, uint32_t irs, uint16_t wnd)
{
	struct tcp_conn *c = tcp_connect(h->s, EH_LADDR, EH_LPORT, EH_RADDR, EH_RPORT, h->now);
	const struct tcp_seg *o;
	struct tcp_seg sa;

	ENGINE_CHECK(c);
	o = eh_pop(h);
	EH_EXPECT(o, TCP_SYN, h->iss, 0);
	sa = eh_seg(TCP_SYN | TCP_ACK, irs, h->iss + 1, wnd);
	sa.opts = TCP_OPT_MSS;
	sa.mss = 1460;
	eh_input(h, &sa);
	o = eh_pop(h);
	EH_EXPECT(o, TCP_ACK, h->iss + 1, irs + 1);
	ENGINE_CHECK((tcp_state(c)) == (XDPTCP_ESTABLISHED));
	ENGINE_CHECK((eh_events(h, c, TCP_EV_CONNECTED)) == (1));
	return c;
}

void eh_dump(const struct eh *h)
{
	char f[10];

	for (size_t i = 0; i < h->nout; i++) {
		const struct tcp_seg *s = &h->out[i].seg;

		fprintf(stderr, "%s%3zu [%s] seq %u ack %u wnd %u len %u\n", i == h->rd ? ">" : " ",
			i, flagstr(s->flags, f), s->seq, s->ack, s->wnd, s->len);
	}
}
