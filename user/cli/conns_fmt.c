/* Rows of `xdptcp conns`: building, filtering, ordering, text and JSON. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "cli/cli.h"
#include "cli/conns.h"

static struct conns_row *conns_push(struct conns_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct conns_row *r = realloc(t->rows, cap * sizeof(*r));

		if (!r)
			return NULL;
		t->rows = r;
		t->cap = cap;
	}
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	return &t->rows[t->n++];
}

int conns_add_flow(struct conns_table *t, const struct xdptcp_flow_key *key,
		   const struct xdptcp_flow *flow, const struct xdptcp_tcb *tcb)
{
	struct conns_row *r = conns_push(t);

	if (!r)
		return -ENOMEM;
	r->key = *key;
	r->kind = CONNS_FLOW;
	r->slot = flow->slot;
	r->generation = flow->generation;
	/* XDP ignores a slot whose generation differs (DESIGN.md): so do we */
	r->stale = !tcb || tcb->generation != flow->generation;
	if (r->stale) /* the slot belongs to another connection: show none of it */
		return 0;
	r->state = tcb->state;
	r->fast = tcb->fast == XDPTCP_FAST_ON;
	r->arming = tcb->fast == XDPTCP_FAST_ARMING;
	r->snd_una = tcb->snd_una;
	r->snd_nxt = tcb->snd_nxt;
	r->rcv_nxt = tcb->rcv_nxt;
	return 0;
}

int conns_add_tw(struct conns_table *t, const struct xdptcp_flow_key *key,
		 const struct xdptcp_tw *tw, uint64_t now_ns)
{
	struct conns_row *r = conns_push(t);

	if (!r)
		return -ENOMEM;
	r->key = *key;
	r->kind = CONNS_TW;
	r->state = XDPTCP_TIME_WAIT;
	r->snd_nxt = tw->snd_nxt;
	r->rcv_nxt = tw->rcv_nxt;
	/* the same test as the XDP program: deadline <= now is absent */
	r->expired = tw->deadline_ns <= now_ns;
	r->ms_left = r->expired ? -(int64_t)((now_ns - tw->deadline_ns) / 1000000)
				: (int64_t)((tw->deadline_ns - now_ns) / 1000000);
	return 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct conns_row *a = pa, *b = pb;
	int c;

	if ((c = cmp_u32(ntohs(a->key.lport), ntohs(b->key.lport))))
		return c;
	if ((c = cmp_u32(ntohl(a->key.laddr), ntohl(b->key.laddr))))
		return c;
	if ((c = cmp_u32(ntohl(a->key.raddr), ntohl(b->key.raddr))))
		return c;
	if ((c = cmp_u32(ntohs(a->key.rport), ntohs(b->key.rport))))
		return c;
	if ((c = cmp_u32(a->key.family, b->key.family)))
		return c;
	return cmp_u32(a->kind, b->kind);
}

static bool row_keep(const struct conns_row *r, const struct conns_filter *f)
{
	if (!f->all && (r->stale || r->expired))
		return false;
	return f->state < 0 || r->state == f->state;
}

void conns_finish(struct conns_table *t, const struct conns_filter *f)
{
	size_t w = 0;

	for (size_t i = 0; i < t->n; i++)
		if (row_keep(&t->rows[i], f))
			t->rows[w++] = t->rows[i];
	t->hidden += t->n - w;
	t->n = w;
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(t->rows[0]), row_cmp);
	w = 0;
	for (size_t i = 0; i < t->n; i++)
		if (!w || row_cmp(&t->rows[w - 1], &t->rows[i]))
			t->rows[w++] = t->rows[i];
	t->n = w;
}

void conns_free(struct conns_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

int conns_parse_state(const char *s)
{
	for (int st = 0; st < XDPTCP_NSTATES; st++) {
		const char *name = xdptcp_state_name((unsigned int)st);
		size_t i = 0;

		for (; s[i] && name[i]; i++) {
			char c = s[i] == '_' ? '-' : (char)toupper((unsigned char)s[i]);

			if (c != name[i])
				break;
		}
		if (!s[i] && !name[i])
			return st;
	}
	return -1;
}

static void addr_str(char *out, size_t len, uint8_t family, __be32 addr)
{
	if (family != AF_INET || !inet_ntop(AF_INET, &addr, out, (socklen_t)len))
		snprintf(out, len, "?");
}

static void endpoint_str(char *out, size_t len, uint8_t family, __be32 addr, __be16 port)
{
	char a[INET_ADDRSTRLEN];

	addr_str(a, sizeof(a), family, addr);
	snprintf(out, len, "%s:%u", a, ntohs(port));
}

#define TEXT_FMT "%-21s %-21s %-12s %-4s %5s %10s %10s %10s%s%s\n"

void conns_print_text(FILE *f, const struct conns_table *t)
{
	size_t tw = 0;

	fprintf(f, TEXT_FMT, "Local", "Peer", "State", "Fast", "Slot", "SndUna", "SndNxt", "RcvNxt",
		" ", "Timer");
	for (size_t i = 0; i < t->n; i++) {
		const struct conns_row *r = &t->rows[i];
		char local[32], peer[32], slot[12] = "-", una[12] = "-", nxt[12] = "-",
					  rcv[12] = "-", timer[32] = "";
		const char *fast = "-";

		endpoint_str(local, sizeof(local), r->key.family, r->key.laddr, r->key.lport);
		endpoint_str(peer, sizeof(peer), r->key.family, r->key.raddr, r->key.rport);
		if (!r->stale) {
			snprintf(nxt, sizeof(nxt), "%u", r->snd_nxt);
			snprintf(rcv, sizeof(rcv), "%u", r->rcv_nxt);
		}
		if (r->kind == CONNS_TW) {
			tw++;
			if (r->expired)
				snprintf(timer, sizeof(timer), "expired");
			else
				snprintf(timer, sizeof(timer), "%lld ms", (long long)r->ms_left);
		} else {
			snprintf(slot, sizeof(slot), "%u", r->slot);
			if (r->stale) {
				snprintf(timer, sizeof(timer), "stale (generation %u)",
					 r->generation);
			} else {
				snprintf(una, sizeof(una), "%u", r->snd_una);
				fast = r->fast ? "yes" : r->arming ? "arm" : "no";
			}
		}
		fprintf(f, TEXT_FMT, local, peer, xdptcp_state_name(r->state), fast, slot, una, nxt,
			rcv, *timer ? " " : "", timer);
	}
	fprintf(f, "%zu connection%s (%zu in TIME-WAIT)", t->n, t->n == 1 ? "" : "s", tw);
	if (t->hidden)
		fprintf(f, ", %zu not shown", t->hidden);
	fprintf(f, "\n");
}

static void json_row(FILE *f, const struct conns_row *r)
{
	char a[INET_ADDRSTRLEN];

	addr_str(a, sizeof(a), r->key.family, r->key.laddr);
	fprintf(f, "{\"local_addr\": ");
	cli_json_str(f, a);
	fprintf(f, ", \"local_port\": %u, \"remote_addr\": ", ntohs(r->key.lport));
	addr_str(a, sizeof(a), r->key.family, r->key.raddr);
	cli_json_str(f, a);
	fprintf(f, ", \"remote_port\": %u, \"state\": ", ntohs(r->key.rport));
	cli_json_str(f, xdptcp_state_name(r->state));
	if (r->kind == CONNS_TW)
		fprintf(f,
			", \"timewait\": true, \"ms_left\": %lld, \"expired\": %s"
			", \"snd_nxt\": %u, \"rcv_nxt\": %u}",
			(long long)r->ms_left, r->expired ? "true" : "false", r->snd_nxt,
			r->rcv_nxt);
	else
		fprintf(f,
			", \"timewait\": false, \"fast\": %s, \"arming\": %s, \"slot\": %u"
			", \"generation\": %u, \"stale\": %s, \"snd_una\": %u, \"snd_nxt\": %u"
			", \"rcv_nxt\": %u}",
			r->fast ? "true" : "false", r->arming ? "true" : "false", r->slot, r->generation,
			r->stale ? "true" : "false", r->snd_una, r->snd_nxt, r->rcv_nxt);
}

void conns_print_json(FILE *f, const char *dev, const char *pin_dir, const struct conns_table *t)
{
	fprintf(f, "{\"dev\": ");
	cli_json_str(f, dev);
	fprintf(f, ", \"pin_dir\": ");
	cli_json_str(f, pin_dir);
	fprintf(f, ", \"hidden\": %zu, \"connections\": [", t->hidden);
	for (size_t i = 0; i < t->n; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_row(f, &t->rows[i]);
	}
	fprintf(f, "]}\n");
}
