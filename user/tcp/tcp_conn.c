/* The stack, the connection table, and the user calls of RFC 9293 3.10
 * (OPEN, SEND, RECEIVE, CLOSE, ABORT). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_priv.h"

void tcp_config_default(struct tcp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->msl_ns = 30 * NSEC;
	cfg->delack_ns = 40 * 1000000ull;
	cfg->rto_min_ns = NSEC;
	cfg->rto_init_ns = NSEC;
	cfg->rto_max_ns = 60 * NSEC;
	cfg->data_retries = 15;
	/* RFC 9293 3.8.3 (MUST-23): R2 for a SYN "at least 3 minutes":
	 * 1+2+4+8+16+32+60+60 s */
	cfg->syn_retries = 7;
	cfg->mss = 1460;
	cfg->sndbuf = 256 * 1024;
	cfg->rcvbuf = 256 * 1024;
	cfg->wscale = 7;
	cfg->wscale_on = 1;
	cfg->timestamps = 1;
	cfg->challenge_ack_limit = 10;
	cfg->hash_buckets = 1024;
	cfg->tw_compact = 1;
	cfg->tw_max = 16384;
}

const char *tcp_event_name(enum tcp_event ev)
{
	static const char *const n[] = {
	    "CONNECTED", "ACCEPTED", "READABLE", "WRITABLE", "PEER_CLOSED",
	    "RESET",	 "TIMEWAIT", "CLOSED",	 "URGENT",
	};
	return (unsigned)ev < sizeof(n) / sizeof(n[0]) ? n[ev] : "UNKNOWN";
}

static int pow2(uint64_t v) { return v && !(v & (v - 1)); }

/* The host's TIME-WAIT hooks come as a set */
static int tw_hooks_ok(const struct tcp_ops *ops)
{
	int n = !!ops->tw_store + !!ops->tw_find + !!ops->tw_update + !!ops->tw_drop;

	return n == 0 || n == 4;
}

int tcp_stack_init(struct tcp_stack **out, const struct tcp_config *cfg, const struct tcp_ops *ops,
		   uint64_t now)
{
	struct tcp_stack *s;

	if (!cfg || !ops || !ops->output || !ops->event || !pow2(cfg->sndbuf) ||
	    !pow2(cfg->rcvbuf) || !pow2(cfg->hash_buckets) || cfg->mss < 64 ||
	    cfg->wscale > TCP_MAX_WSCALE || !cfg->rto_min_ns ||
	    cfg->delack_ns >= NSEC / 2 || /* 3.8.6.3 MUST-40: < 0.5 s */
	    cfg->rto_init_ns < cfg->rto_min_ns || cfg->rto_max_ns < cfg->rto_init_ns ||
	    !cfg->msl_ns || !tw_hooks_ok(ops))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->ops = *ops;
	s->buckets = calloc(cfg->hash_buckets, sizeof(*s->buckets));
	/* 1 ms ticks: delayed ACKs are the shortest timers */
	if (!s->buckets || twheel_init(&s->wheel, 1024, 1000000, now)) {
		free(s->buckets);
		free(s);
		return -ENOMEM;
	}
	/* entries the host keeps need no table here */
	if (cfg->tw_compact && !ops->tw_find && tw_table_init(&s->tw, cfg->tw_max, &cfg->isn_key)) {
		twheel_free(&s->wheel);
		free(s->buckets);
		free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static void conn_free(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	if (twheel_armed(&c->timer))
		twheel_cancel(&s->wheel, &c->timer);
	sbuf_free(&c->snd);
	rbuf_free(&c->rcv);
	if (c->all_prev)
		c->all_prev->all_next = c->all_next;
	else
		s->all = c->all_next;
	if (c->all_next)
		c->all_next->all_prev = c->all_prev;
	s->nconns--;
	s->stats.conns_freed++;
	free(c);
}

void tcp_stack_free(struct tcp_stack *s)
{
	struct tcp_conn *c;

	if (!s)
		return;
	while ((c = s->all))
		conn_free(c);
	free(s->buckets);
	twheel_free(&s->wheel);
	if (s->cfg.tw_compact)
		tw_table_free(&s->tw);
	free(s);
}

const struct tcp_stats *tcp_stack_stats(const struct tcp_stack *s) { return &s->stats; }

size_t tcp_stack_conns(const struct tcp_stack *s) { return s->nconns; }

size_t tcp_stack_timewait(const struct tcp_stack *s)
{
	return s->cfg.tw_compact && !s->ops.tw_find ? tw_count(&s->tw) : 0;
}

void tcp_enter(struct tcp_stack *s) { s->depth++; }

void tcp_leave(struct tcp_stack *s)
{
	struct tcp_conn *c;

	if (--s->depth)
		return;
	while ((c = s->reap)) {
		s->reap = c->free_next;
		conn_free(c);
	}
}

static uint32_t hash4(const struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
		      uint16_t rport)
{
	uint64_t h = ((uint64_t)raddr << 32 | laddr) * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)rport << 16 | lport) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	return (uint32_t)h & (s->cfg.hash_buckets - 1);
}

struct tcp_conn *tcp_conn_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
				 uint32_t raddr, uint16_t rport)
{
	struct tcp_conn *c = s->buckets[hash4(s, laddr, lport, raddr, rport)];

	for (; c; c = c->hnext)
		if (c->laddr == laddr && c->lport == lport && c->raddr == raddr &&
		    c->rport == rport)
			return c;
	return NULL;
}

struct tcp_conn *tcp_listener_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport)
{
	struct tcp_conn *c, *any = NULL;

	for (c = s->listeners; c; c = c->hnext) {
		if (c->lport != lport)
			continue;
		if (c->laddr == laddr)
			return c;
		if (!c->laddr)
			any = c;
	}
	return any;
}

static void unhash(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;
	struct tcp_conn **pp;

	if (!(c->flags & CF_HASHED))
		return;
	pp = c->state == XDPTCP_LISTEN
		 ? &s->listeners
		 : &s->buckets[hash4(s, c->laddr, c->lport, c->raddr, c->rport)];
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	c->flags &= ~CF_HASHED;
}

static struct tcp_conn *conn_new(struct tcp_stack *s)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->stack = s;
	c->timer.owner = c;
	c->data_retries = s->cfg.data_retries;
	c->syn_retries = s->cfg.syn_retries;
	c->all_next = s->all;
	if (s->all)
		s->all->all_prev = c;
	s->all = c;
	s->nconns++;
	s->stats.conns_alloc++;
	return c;
}

struct tcp_conn *tcp_conn_alloc(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
				uint16_t rport, uint64_t now)
{
	struct tcp_conn *c;
	struct tcp_conn **b;

	if (tcp_conn_lookup(s, laddr, lport, raddr, rport))
		return NULL;
	c = conn_new(s);
	if (!c)
		return NULL;
	if (sbuf_init(&c->snd, s->cfg.sndbuf) || rbuf_init(&c->rcv, s->cfg.rcvbuf)) {
		conn_free(c);
		return NULL;
	}
	c->laddr = laddr;
	c->lport = lport;
	c->raddr = raddr;
	c->rport = rport;
	/* RFC 9293 3.4.1: ISN per RFC 6528 */
	c->iss = s->ops.isn ? s->ops.isn(s->ops.ctx, laddr, lport, raddr, rport, now)
			    : tcp_isn(&s->cfg.isn_key, laddr, lport, raddr, rport, now);
	/* RFC 1122 4.2.2.13: a connection reopened from TIME-WAIT starts
	 * above the sequence numbers of the previous incarnation */
	if (s->reopen && xdptcp_seq_le(c->iss, s->reopen_floor))
		c->iss = s->reopen_floor + 65536;
	s->reopen = 0;
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sbuf_seq = c->iss + 1;
	c->snd_mss = TCP_DEFAULT_MSS;
	/* RFC 7323 7.1: a per-connection random offset for TSval */
	c->ts_offset = c->iss * 2654435761u;
	tcp_rtt_init(c);
	b = &s->buckets[hash4(s, laddr, lport, raddr, rport)];
	c->hnext = *b;
	*b = c;
	c->flags |= CF_HASHED;
	return c;
}

void tcp_event(struct tcp_conn *c, enum tcp_event ev, const struct tcp_event_info *info)
{
	struct tcp_stack *s = c->stack;

	s->ops.event(s->ops.ctx, c, ev, info);
}

void tcp_set_state(struct tcp_conn *c, enum xdptcp_state st) { c->state = st; }

void tcp_conn_release(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	if (c->flags & CF_FREEING)
		return;
	c->flags |= CF_FREEING;
	unhash(c);
	if (twheel_armed(&c->timer))
		twheel_cancel(&s->wheel, &c->timer);
	if (c->flags & CF_VISIBLE)
		tcp_event(c, TCP_EV_CLOSED, NULL);
	c->free_next = s->reap;
	s->reap = c;
}

void tcp_conn_done(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	unhash(c);
	c->state = XDPTCP_CLOSED;
	c->rto_at = c->delack_at = c->persist_at = c->tw_at = 0;
	if (twheel_armed(&c->timer))
		twheel_cancel(&s->wheel, &c->timer);
	/* a child nobody accepted yet, or a handle already released */
	if ((c->flags & CF_APP_GONE) || !(c->flags & CF_VISIBLE))
		tcp_conn_release(c);
}

void tcp_conn_reset(struct tcp_conn *c)
{
	/* a child not yet accepted was never seen by the application */
	if (!(c->flags & CF_APP_GONE) && (c->flags & CF_VISIBLE))
		tcp_event(c, TCP_EV_RESET, NULL);
	tcp_conn_done(c);
}

struct tcp_conn *tcp_listen(struct tcp_stack *s, uint32_t addr, uint16_t port)
{
	struct tcp_conn *c;

	for (c = s->listeners; c; c = c->hnext)
		if (c->lport == port && c->laddr == addr)
			return NULL;
	c = conn_new(s);
	if (!c)
		return NULL;
	c->laddr = addr;
	c->lport = port;
	c->state = XDPTCP_LISTEN;
	c->flags |= CF_VISIBLE;
	c->hnext = s->listeners;
	s->listeners = c;
	c->flags |= CF_HASHED;
	return c;
}

struct tcp_conn *tcp_connect(struct tcp_stack *s, uint32_t laddr, uint16_t lport, uint32_t raddr,
			     uint16_t rport, uint64_t now)
{
	struct tcp_conn *c;

	tcp_enter(s);
	c = tcp_conn_alloc(s, laddr, lport, raddr, rport, now);
	if (c) {
		c->flags |= CF_ACTIVE | CF_VISIBLE;
		c->state = XDPTCP_SYN_SENT;
		tcp_send_syn(c, now);
		tcp_rto_arm(c, now);
		tcp_timer_update(c);
	}
	tcp_leave(s);
	return c;
}

static int can_send_state(enum xdptcp_state st)
{
	return st == XDPTCP_SYN_SENT || st == XDPTCP_SYN_RECEIVED || st == XDPTCP_ESTABLISHED ||
	       st == XDPTCP_CLOSE_WAIT;
}

long tcp_send(struct tcp_conn *c, const void *data, size_t len, uint64_t now)
{
	size_t n;

	if (c->flags & (CF_FIN_QUEUED | CF_APP_GONE))
		return -EPIPE;
	if (!can_send_state(c->state))
		return -ENOTCONN;
	n = sbuf_append(&c->snd, data, len);
	/* RFC 9293 3.10.2: in SYN-SENT/SYN-RECEIVED the data waits for ESTABLISHED */
	if (n && (c->state == XDPTCP_ESTABLISHED || c->state == XDPTCP_CLOSE_WAIT)) {
		tcp_enter(c->stack);
		tcp_output_soon(c, now);
		tcp_timer_update(c);
		tcp_leave(c->stack);
	}
	return (long)n;
}

long tcp_send_urgent(struct tcp_conn *c, const void *data, size_t len, uint64_t now)
{
	long n;

	/* "the urgent pointer ... points to the sequence number of the octet
	 * following the urgent data" (3.8.5); set before tcp_send segments */
	if (len && !(c->flags & (CF_FIN_QUEUED | CF_APP_GONE)) && can_send_state(c->state) &&
	    sbuf_space(&c->snd)) {
		size_t take = len < sbuf_space(&c->snd) ? len : sbuf_space(&c->snd);

		c->snd_up = c->sbuf_seq + (uint32_t)(c->snd.len + take);
		c->flags |= CF_SND_URG;
	}
	n = tcp_send(c, data, len, now);
	return n;
}

size_t tcp_urgent(const struct tcp_conn *c)
{
	uint32_t read_pos = c->rcv_nxt - (uint32_t)c->rcv.ready;

	if (!(c->flags & CF_RCV_URG) || !xdptcp_seq_gt(c->rcv_up, read_pos))
		return 0;
	return c->rcv_up - read_pos;
}

size_t tcp_recv(struct tcp_conn *c, void *buf, size_t len, uint64_t now)
{
	size_t n = rbuf_read(&c->rcv, buf, len);
	uint32_t edge, thresh;

	if (!n || c->state == XDPTCP_CLOSED || (c->flags & CF_PEER_FIN))
		return n;
	/* RFC 9293 3.8.6.2.2: announce the larger window once the right edge
	 * can move by min(buffer/2, MSS) — we wait for 2*MSS like BSD so a
	 * reading application does not trigger an ACK per read */
	edge = c->rcv_nxt + tcp_rcv_room(c);
	thresh = 2u * c->stack->cfg.mss;
	if (thresh > c->stack->cfg.rcvbuf / 2)
		thresh = c->stack->cfg.rcvbuf / 2;
	if (edge - c->rcv_adv >= thresh && c->state >= XDPTCP_ESTABLISHED) {
		tcp_enter(c->stack);
		tcp_send_ack(c, now);
		tcp_timer_update(c);
		tcp_leave(c->stack);
	}
	return n;
}

int tcp_shutdown(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	if (c->flags & CF_FIN_QUEUED)
		return 0;
	switch (c->state) {
	case XDPTCP_SYN_RECEIVED:
		/* "queue for processing after entering ESTABLISHED state" */
		c->flags |= CF_FIN_QUEUED;
		c->fin_seq = c->sbuf_seq + (uint32_t)c->snd.len;
		return 0;
	case XDPTCP_ESTABLISHED:
		/* "Queue this until all preceding SENDs have been segmentized,
		 * then form a FIN segment and send it. ... enter FIN-WAIT-1" */
		tcp_set_state(c, XDPTCP_FIN_WAIT_1);
		break;
	case XDPTCP_CLOSE_WAIT:
		/* "Queue this request until all preceding SENDs have been
		 * segmentized; then send a FIN segment, enter LAST-ACK" */
		tcp_set_state(c, XDPTCP_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	c->flags |= CF_FIN_QUEUED;
	c->fin_seq = c->sbuf_seq + (uint32_t)c->snd.len;
	tcp_enter(s);
	tcp_output_soon(c, now);
	tcp_timer_update(c);
	tcp_leave(s);
	return 0;
}

void tcp_close(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	if (c->flags & CF_APP_GONE)
		return;
	tcp_enter(s);
	c->flags |= CF_APP_GONE;
	switch (c->state) {
	case XDPTCP_LISTEN:
		/* "Any outstanding RECEIVEs are returned ... delete TCB, enter
		 * CLOSED". Children still handshaking are dropped with it. */
		for (uint32_t i = 0; i < s->cfg.hash_buckets; i++) {
			struct tcp_conn *k = s->buckets[i], *n;

			for (; k; k = n) {
				n = k->hnext;
				if (k->listener == c && !(k->flags & CF_VISIBLE))
					tcp_conn_done(k);
			}
		}
		tcp_conn_release(c);
		break;
	case XDPTCP_SYN_SENT:
	case XDPTCP_CLOSED:
		tcp_conn_release(c);
		break;
	case XDPTCP_TIME_WAIT:
		tcp_tw_shrink(c, now);
		break;
	case XDPTCP_FIN_WAIT_2:
		tcp_orphan_timeout(c, now);
		break;
	case XDPTCP_SYN_RECEIVED:
	case XDPTCP_ESTABLISHED:
	case XDPTCP_CLOSE_WAIT:
		tcp_shutdown(c, now);
		break;
	default:
		/* FIN already sent: "Strictly speaking, this is an error", we
		 * just let the close complete */
		break;
	}
	tcp_leave(s);
}

void tcp_abort(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;

	tcp_enter(s);
	/* RFC 9293 3.10.5: in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-*, CLOSE-WAIT
	 * "Send a reset segment: <SEQ=SND.NXT><CTL=RST>" */
	switch (c->state) {
	case XDPTCP_SYN_RECEIVED:
	case XDPTCP_ESTABLISHED:
	case XDPTCP_FIN_WAIT_1:
	case XDPTCP_FIN_WAIT_2:
	case XDPTCP_CLOSE_WAIT:
		tcp_send_rst(c, now);
		break;
	default:
		break;
	}
	if (c->state == XDPTCP_LISTEN) {
		tcp_close(c, now);
	} else {
		c->flags |= CF_APP_GONE;
		tcp_conn_done(c);
	}
	tcp_leave(s);
}

void tcp_set_retries(struct tcp_conn *c, unsigned data_retries, unsigned syn_retries)
{
	c->data_retries = data_retries;
	c->syn_retries = syn_retries;
}

enum xdptcp_state tcp_state(const struct tcp_conn *c) { return c->state; }

void *tcp_get_user(const struct tcp_conn *c) { return c->user; }

void tcp_set_user(struct tcp_conn *c, void *user) { c->user = user; }

size_t tcp_readable(const struct tcp_conn *c) { return c->rcv.ready; }

size_t tcp_sendable(const struct tcp_conn *c)
{
	if (c->flags & (CF_FIN_QUEUED | CF_APP_GONE) || !can_send_state(c->state))
		return 0;
	return sbuf_space(&c->snd);
}

void tcp_flow_key(const struct tcp_conn *c, struct xdptcp_flow_key *key)
{
	memset(key, 0, sizeof(*key));
	key->raddr = htonl(c->raddr);
	key->laddr = htonl(c->laddr);
	key->rport = htons(c->rport);
	key->lport = htons(c->lport);
	key->family = 2; /* AF_INET */
}

void tcp_fill_tcb(const struct tcp_conn *c, struct xdptcp_tcb *t)
{
	t->state = (uint8_t)c->state;
	t->opts = (c->flags & CF_TS) ? XDPTCP_OPT_TS : 0;
	t->snd_wscale = c->snd_wscale;
	t->rcv_wscale = c->rcv_wscale;
	t->snd_una = c->snd_una;
	t->snd_nxt = c->snd_nxt;
	t->snd_wnd = c->snd_wnd;
	t->rcv_nxt = c->rcv_nxt;
	t->rcv_adv = c->rcv_adv;
	t->ts_recent = c->ts_recent;
	t->ts_offset = c->ts_offset;
	t->mss = tcp_eff_mss(c);
	t->dupacks = (uint16_t)c->dupacks;
}
