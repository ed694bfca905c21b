/* Simulated link between two engines: see engine_link.h. */
#include "engine_link.h"
#include "engine_harness.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CADDR 0xc0a80001u
#define SADDR 0xc0a80002u
#define CPORT 51000
#define SPORT 8080

struct link_pkt {
	uint64_t at, seq;
	int to;
	size_t len;
	uint8_t buf[];
};

static uint64_t rnd(struct link *L)
{
	/* splitmix64: deterministic per seed */
	uint64_t z = (L->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int before(const struct link_pkt *a, const struct link_pkt *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void heap_push(struct link *L, struct link_pkt *p)
{
	size_t i;

	if (L->nheap == L->capheap) {
		L->capheap = L->capheap ? 2 * L->capheap : 256;
		L->heap = realloc(L->heap, L->capheap * sizeof(*L->heap));
		ENGINE_CHECK(L->heap);
	}
	i = L->nheap++;
	while (i && before(p, L->heap[(i - 1) / 2])) {
		L->heap[i] = L->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	L->heap[i] = p;
}

static struct link_pkt *heap_pop(struct link *L)
{
	struct link_pkt *top = L->heap[0], *last = L->heap[--L->nheap];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < L->nheap && before(L->heap[l], last))
			m = l;
		if (l + 1 < L->nheap && before(L->heap[l + 1], m == i ? last : L->heap[l]))
			m = l + 1;
		if (m == i)
			break;
		L->heap[i] = L->heap[m];
		i = m;
	}
	if (L->nheap)
		L->heap[i] = last;
	return top;
}

uint8_t link_pattern(int side, size_t off)
{
	return (uint8_t)((off * 31 + (off >> 10) * 7 + (size_t)side * 101) ^ (off >> 16));
}

static void send_pkt(struct link *L, int from, const struct tcp_seg *seg)
{
	size_t n = tcp_seg_size(seg);
	int copies = 1;

	L->sent++;
	if (rnd(L) % 1000 < L->cfg.loss_pm) {
		L->lost++;
		return;
	}
	if (rnd(L) % 1000 < L->cfg.dup_pm) {
		L->duped++;
		copies = 2;
	}
	for (int i = 0; i < copies; i++) {
		struct link_pkt *p = malloc(sizeof(*p) + n);

		ENGINE_CHECK(p);
		p->len = tcp_seg_build(p->buf, n, seg);
		ENGINE_CHECK((p->len) == (n));
		p->to = !from;
		p->seq = L->pktseq++;
		p->at = L->now + L->cfg.delay_ns;
		if (L->cfg.jitter_ns)
			p->at += rnd(L) % L->cfg.jitter_ns;
		if (rnd(L) % 1000 < L->cfg.reorder_pm)
			p->at += L->cfg.reorder_ns;
		heap_push(L, p);
	}
}

static void out_client(void *ctx, const struct tcp_seg *seg) { send_pkt(ctx, 0, seg); }

static void out_server(void *ctx, const struct tcp_seg *seg) { send_pkt(ctx, 1, seg); }

static uint32_t isn_client(void *ctx, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp,
			   uint64_t now)
{
	struct link *L = ctx;

	(void)la, (void)lp, (void)ra, (void)rp, (void)now;
	return 0u - L->cfg.isn_near_wrap;
}

static uint32_t isn_server(void *ctx, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp,
			   uint64_t now)
{
	struct link *L = ctx;

	(void)la, (void)lp, (void)ra, (void)rp, (void)now;
	return 0u - L->cfg.isn_near_wrap / 2;
}

static void drain(struct link *L, struct link_app *a, size_t max)
{
	size_t n;

	while (a->c && max &&
	       (n = tcp_recv(a->c, a->rx + a->rx_len,
			     a->rx_cap - a->rx_len < max ? a->rx_cap - a->rx_len : max, L->now))) {
		a->rx_len += n;
		max -= n;
	}
	/* more than expected would be a bug: tcp_recv with 0 room reads 0 */
	if (a->c && a->rx_len == a->rx_cap)
		ENGINE_CHECK(tcp_readable(a->c) == 0);
}

static void progress(struct link *L, struct link_app *a)
{
	if (!a->connected)
		return;
	while (a->c && a->tx_off < a->tx_len && !a->shut) {
		long n = tcp_send(a->c, a->tx + a->tx_off, a->tx_len - a->tx_off, L->now);

		if (n <= 0)
			break;
		a->tx_off += (size_t)n;
	}
	if (a->c && !a->shut && a->tx_off == a->tx_len && (a->shut_when_sent || a->peer_closed)) {
		a->shut = 1;
		ENGINE_CHECK((tcp_shutdown(a->c, L->now)) == (0));
	}
	/* everything sent and everything received: let go of the handle */
	if (a->c && a->shut && a->peer_closed && !a->released && !tcp_readable(a->c)) {
		a->released = 1;
		tcp_close(a->c, L->now);
	}
}

static void on_event(struct link *L, int side, struct tcp_conn *c, enum tcp_event ev)
{
	struct link_app *a = &L->app[side];

	if (c == L->listener) {
		ENGINE_CHECK(ev == TCP_EV_CLOSED);
		L->listener = NULL;
		return;
	}
	switch (ev) {
	case TCP_EV_ACCEPTED:
		ENGINE_CHECK(!a->c);
		a->c = c;
		a->connected = 1;
		break;
	case TCP_EV_CONNECTED:
		a->connected = 1;
		break;
	case TCP_EV_READABLE:
		if (!L->cfg.read_chunk)
			drain(L, a, SIZE_MAX);
		break;
	case TCP_EV_PEER_CLOSED:
		if (!L->cfg.read_chunk)
			drain(L, a, SIZE_MAX);
		a->peer_closed = 1;
		break;
	case TCP_EV_RESET:
		a->reset = 1;
		break;
	case TCP_EV_TIMEWAIT:
		a->timewait++;
		return;
	case TCP_EV_CLOSED:
		ENGINE_CHECK((c) == (a->c));
		a->closed = 1;
		a->c = NULL;
		return;
	default:
		break;
	}
	if (a->reset && a->c && !a->released) {
		a->released = 1;
		tcp_close(a->c, L->now);
		return;
	}
	progress(L, a);
}

static void ev_client(void *ctx, struct tcp_conn *c, enum tcp_event ev,
		      const struct tcp_event_info *info)
{
	(void)info;
	on_event(ctx, 0, c, ev);
}

static void ev_server(void *ctx, struct tcp_conn *c, enum tcp_event ev,
		      const struct tcp_event_info *info)
{
	(void)info;
	on_event(ctx, 1, c, ev);
}

void link_init(struct link *L, const struct link_cfg *cfg, const struct tcp_config *tcfg,
	       size_t c2s, size_t s2c, enum link_close order)
{
	struct tcp_ops oc = {.output = out_client, .event = ev_client, .ctx = L};
	struct tcp_ops os = {.output = out_server, .event = ev_server, .ctx = L};
	size_t len[2] = {c2s, s2c};

	if (cfg->isn_near_wrap) {
		oc.isn = isn_client;
		os.isn = isn_server;
	}

	memset(L, 0, sizeof(*L));
	L->cfg = *cfg;
	L->rng = cfg->seed;
	L->now = 5000 * 1000000000ull;
	if (tcfg) {
		L->tcfg = *tcfg;
	} else {
		tcp_config_default(&L->tcfg);
		L->tcfg.rto_min_ns = 200000000ull;
	}
	for (int i = 0; i < 2; i++) {
		uint8_t *tx = malloc(len[i] + 1);

		ENGINE_CHECK(tx);
		for (size_t k = 0; k < len[i]; k++)
			tx[k] = link_pattern(i, k);
		L->app[i].tx = tx;
		L->app[i].tx_len = len[i];
		L->app[!i].rx = malloc(len[i] + 1);
		L->app[!i].rx_cap = len[i];
		struct tcp_config c = L->tcfg;

		c.isn_key.k[0] = (uint8_t)(cfg->seed + (uint64_t)i);
		if (i && cfg->server_plain)
			c.wscale_on = c.timestamps = 0;
		ENGINE_CHECK((tcp_stack_init(&L->st[i], &c, i ? &os : &oc, L->now)) == (0));
	}
	L->app[0].shut_when_sent = order != LINK_SERVER_FIRST;
	L->app[1].shut_when_sent = order != LINK_CLIENT_FIRST;
	L->listener = tcp_listen(L->st[1], SADDR, SPORT);
	ENGINE_CHECK(L->listener);
	L->app[0].c = tcp_connect(L->st[0], CADDR, CPORT, SADDR, SPORT, L->now);
	ENGINE_CHECK(L->app[0].c);
}

static int finished(struct link *L)
{
	for (int i = 0; i < 2; i++)
		if (!L->app[i].closed || tcp_stack_conns(L->st[i]) != (i ? !!L->listener : 0))
			return 0;
	return 1;
}

int link_run(struct link *L, uint64_t limit_ns)
{
	uint64_t end = L->now + limit_ns, next[2];

	next[0] = tcp_timer(L->st[0], L->now);
	next[1] = tcp_timer(L->st[1], L->now);
	while (L->now < end) {
		uint64_t t = next[0] < next[1] ? next[0] : next[1];

		if (L->nheap && L->heap[0]->at < t)
			t = L->heap[0]->at;
		if (L->cfg.read_chunk && L->next_read < t)
			t = L->next_read;
		if (t == UINT64_MAX)
			break;
		if (t > L->now)
			L->now = t;
		/* one RX burst per instant: a batch on each side */
		tcp_batch_begin(L->st[0]);
		tcp_batch_begin(L->st[1]);
		while (L->nheap && L->heap[0]->at <= L->now) {
			struct link_pkt *p = heap_pop(L);
			struct tcp_seg seg;

			ENGINE_CHECK((tcp_seg_parse(p->buf, p->len, &seg, 1)) == (TCP_SEG_OK));
			L->delivered++;
			tcp_input(L->st[p->to], &seg, L->now);
			free(p);
			for (int i = 0; i < 2; i++)
				if (L->app[i].c)
					L->app[i].states_seen |= 1u << tcp_state(L->app[i].c);
		}
		tcp_batch_end(L->st[0], L->now);
		tcp_batch_end(L->st[1], L->now);
		if (L->cfg.read_chunk && L->now >= L->next_read) {
			L->next_read = L->now + L->cfg.read_every_ns;
			for (int i = 0; i < 2; i++) {
				drain(L, &L->app[i], L->cfg.read_chunk);
				progress(L, &L->app[i]);
			}
		}
		for (int i = 0; i < 2; i++) {
			next[i] = tcp_timer(L->st[i], L->now);
			if (L->app[i].c)
				L->app[i].states_seen |= 1u << tcp_state(L->app[i].c);
		}
		if (finished(L)) {
			/* the listener goes last; then every TCB is freed */
			if (L->listener)
				tcp_close(L->listener, L->now);
			return tcp_stack_conns(L->st[0]) || tcp_stack_conns(L->st[1]) ? -1 : 0;
		}
	}
	return -1;
}

void link_fini(struct link *L)
{
	while (L->nheap)
		free(heap_pop(L));
	free(L->heap);
	for (int i = 0; i < 2; i++) {
		tcp_stack_free(L->st[i]);
		free((void *)L->app[i].tx);
		free(L->app[i].rx);
	}
}
