/* Compact TIME-WAIT table and TIME-WAIT segment rules (see tw_table.h). */
#include "tcp/tw_table.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xdptcp/seq.h"

/* Largest table: keeps nslots * sizeof(entry) far from overflowing. */
#define TW_MAX_ENTRIES ((size_t)1 << 30)

static int slot_used(const struct tw_entry *e) { return e->key.family != 0; }

static int key_eq(const struct xdptcp_flow_key *a, const struct xdptcp_flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static size_t home_of(const struct tw_table *t, const struct xdptcp_flow_key *key)
{
	return (size_t)siphash24(&t->hkey, key, sizeof(*key)) & (t->nslots - 1);
}

/* Index of key, or of the empty slot ending its probe chain. */
static size_t probe(const struct tw_table *t, const struct xdptcp_flow_key *key)
{
	size_t i = home_of(t, key);

	while (slot_used(&t->slots[i]) && !key_eq(&t->slots[i].key, key))
		i = (i + 1) & (t->nslots - 1);
	return i;
}

int tw_table_init(struct tw_table *t, size_t max, const struct tcp_isn_key *hkey)
{
	size_t n = 4;

	memset(t, 0, sizeof(*t));
	if (max == 0 || max > TW_MAX_ENTRIES)
		return -EINVAL;
	/* load factor at most 3/4 keeps probe chains short */
	while (n / 4 * 3 < max)
		n *= 2;
	t->slots = calloc(n, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->nslots = n;
	t->max = max;
	if (hkey)
		t->hkey = *hkey;
	return 0;
}

void tw_table_free(struct tw_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

int tw_insert(struct tw_table *t, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw)
{
	size_t i;

	if (key->family == 0)
		return -EINVAL;
	i = probe(t, key);
	if (!slot_used(&t->slots[i])) {
		if (t->count == t->max)
			return -ENOSPC;
		t->slots[i].key = *key;
		t->count++;
	}
	t->slots[i].tw = *tw;
	return 0;
}

struct xdptcp_tw *tw_lookup(struct tw_table *t, const struct xdptcp_flow_key *key, uint64_t now)
{
	size_t i;

	if (key->family == 0)
		return NULL;
	i = probe(t, key);
	if (!slot_used(&t->slots[i]) || t->slots[i].tw.deadline_ns <= now)
		return NULL;
	return &t->slots[i].tw;
}

/* Empty slot i and close the gap: later entries of the cluster whose home
 * is not between the hole and themselves move back (Knuth 6.4, algorithm R),
 * so probe chains never cross an empty slot. */
static void delete_at(struct tw_table *t, size_t i)
{
	size_t mask = t->nslots - 1, j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (!slot_used(&t->slots[j]))
			break;
		size_t home = home_of(t, &t->slots[j].key);
		/* move j into the hole if the hole lies on its probe path */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->count--;
}

int tw_remove(struct tw_table *t, const struct xdptcp_flow_key *key)
{
	size_t i;

	if (key->family == 0)
		return -ENOENT;
	i = probe(t, key);
	if (!slot_used(&t->slots[i]))
		return -ENOENT;
	delete_at(t, i);
	return 0;
}

size_t tw_reap(struct tw_table *t, uint64_t now, size_t max)
{
	size_t removed = 0;

	for (size_t k = 0; k < max && t->count > 0; k++) {
		struct tw_entry *e = &t->slots[t->cursor];

		if (slot_used(e) && e->tw.deadline_ns <= now) {
			/* another entry may shift into this slot: look again */
			delete_at(t, t->cursor);
			removed++;
			continue;
		}
		t->cursor = (t->cursor + 1) & (t->nslots - 1);
	}
	return removed;
}

size_t tw_count(const struct tw_table *t) { return t->count; }

void tw_key_from_seg(struct xdptcp_flow_key *key, const struct tcp_seg *seg)
{
	memset(key, 0, sizeof(*key));
	key->raddr = htonl(seg->saddr);
	key->laddr = htonl(seg->daddr);
	key->rport = htons(seg->sport);
	key->lport = htons(seg->dport);
	key->family = AF_INET;
}

static int syn_acceptable(const struct xdptcp_tw *tw, const struct tcp_seg *seg)
{
	/* RFC 6191 section 2: when both incarnations use timestamps, only a
	 * TSval above TS.Recent starts a new one; otherwise only a sequence
	 * number above RCV.NXT (RFC 1122 4.2.2.13). Same rule as XDP's
	 * tw_syn_acceptable() and the engine's full-TCB TIME-WAIT. */
	if ((tw->flags & XDPTCP_TW_TS) && (seg->opts & TCP_OPT_TS))
		return xdptcp_seq_gt(seg->tsval, tw->ts_recent);
	return xdptcp_seq_gt(seg->seq, tw->rcv_nxt);
}

enum tw_action tw_input(struct xdptcp_tw *tw, const struct tcp_seg *seg, uint64_t now,
			uint64_t tw_timeout_ns, struct tcp_seg *reply)
{
	/* RFC 1337: an RST must not end TIME-WAIT early */
	if (seg->flags & TCP_RST)
		return TW_IGNORE;
	if ((seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && syn_acceptable(tw, seg))
		return TW_REOPEN;
	if (seg->flags & TCP_FIN) {
		/* RFC 9293 3.10.7.4: acknowledge it, restart the 2 MSL timeout */
		tw->deadline_ns = now + tw_timeout_ns;
	} else if ((seg->flags & (TCP_SYN | TCP_ACK)) == TCP_ACK && seg->len == 0 &&
		   seg->seq == tw->rcv_nxt && seg->ack == tw->snd_nxt) {
		return TW_IGNORE; /* the peer's ACK of our FIN, again */
	}

	memset(reply, 0, sizeof(*reply));
	reply->saddr = seg->daddr;
	reply->daddr = seg->saddr;
	reply->sport = seg->dport;
	reply->dport = seg->sport;
	reply->seq = tw->snd_nxt;
	reply->ack = tw->rcv_nxt;
	reply->flags = TCP_ACK;
	reply->wnd = tw->window;
	if (tw->flags & XDPTCP_TW_TS) {
		/* RFC 7323 3.2: our clock, echo TS.Recent */
		reply->opts = TCP_OPT_TS;
		reply->tsval = xdptcp_ts_clock(now) + tw->ts_offset;
		reply->tsecr = tw->ts_recent;
	}
	return TW_REACK;
}
