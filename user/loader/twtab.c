/* XDP's TIME-WAIT table from userspace (twtab.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "loader/loader_int.h"
#include "loader/twtab.h"

static bool pow2(uint32_t n)
{
	return n >= 2 && !(n & (n - 1));
}

int xdptcp_twtab_init(struct xdptcp_twtab *t, void *mem, uint32_t nbuckets, uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	t->laddrs_fd = -1;
	if (!mem || !pow2(nbuckets))
		return -EINVAL;
	t->b = mem;
	t->nbuckets = nbuckets;
	t->seed = seed;
	t->writable = true;
	return 0;
}

/* Entries past nladdrs that another process appended: they fill in
 * order, so reading stops at the first zero. */
static int laddrs_refresh(struct xdptcp_twtab *t)
{
	while (t->laddrs_fd >= 0 && t->nladdrs < XDPTCP_MAX_LADDRS) {
		uint32_t i = t->nladdrs;
		__be32 a = 0;

		if (bpf_map_lookup_elem(t->laddrs_fd, &i, &a))
			return -errno;
		if (!a)
			break;
		t->laddrs[t->nladdrs++] = a;
	}
	return 0;
}

int xdptcp_twtab_map(struct xdptcp_twtab *t, int tw_fd, int laddrs_fd, uint32_t nbuckets,
		     uint64_t seed, bool writable)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	void *p;
	int rc;

	memset(t, 0, sizeof(*t));
	t->laddrs_fd = -1;
	if (bpf_obj_get_info_by_fd(tw_fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct xdptcp_tw_bucket) || !pow2(nbuckets) ||
	    nbuckets > info.max_entries)
		return -EPROTO;
	t->map_bytes = (size_t)info.max_entries * sizeof(struct xdptcp_tw_bucket);
	p = mmap(NULL, t->map_bytes, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
		 tw_fd, 0);
	if (p == MAP_FAILED) {
		t->map_bytes = 0;
		return -errno;
	}
	t->b = p;
	t->nbuckets = nbuckets;
	t->seed = seed;
	t->writable = writable;
	t->laddrs_fd = laddrs_fd;
	rc = laddrs_refresh(t);
	if (rc)
		xdptcp_twtab_close(t);
	return rc;
}

int xdptcp_twtab_open(struct xdptcp_twtab *t, const struct xdptcp_pinned *p, bool writable,
		      char *err, size_t errlen)
{
	int cfd = p->map_fd[XDPTCP_MAP_CONFIG], tfd = p->map_fd[XDPTCP_MAP_TIMEWAIT];
	int lfd = p->map_fd[XDPTCP_MAP_LADDRS];
	struct xdptcp_config cfg = { 0 };
	uint32_t key = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	t->laddrs_fd = -1;
	if (cfd < 0 || tfd < 0 || lfd < 0)
		return loader_msg(err, errlen, -ENOENT,
				  "the config, timewait or laddrs map is not pinned in %s", p->dir);
	if (bpf_map_lookup_elem(cfd, &key, &cfg))
		return loader_fail(err, errlen, -errno, "cannot read the config map in %s", p->dir);
	rc = xdptcp_twtab_map(t, tfd, lfd, cfg.tw_buckets, cfg.tw_seed, writable);
	if (rc == -EPROTO)
		return loader_msg(err, errlen, rc,
				  "the timewait map in %s does not match config.tw_buckets %u",
				  p->dir, cfg.tw_buckets);
	if (rc)
		return loader_fail(err, errlen, rc, "cannot map the timewait table in %s", p->dir);
	return 0;
}

void xdptcp_twtab_close(struct xdptcp_twtab *t)
{
	if (t->map_bytes && t->b)
		munmap(t->b, t->map_bytes);
	t->b = NULL;
	t->map_bytes = 0;
	t->nbuckets = 0;
}

int xdptcp_twtab_laddr(struct xdptcp_twtab *t, __be32 laddr, bool add)
{
	int rc;

	if (!laddr)
		return -EINVAL; /* 0 marks an unused entry */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < t->nladdrs; i++)
			if (t->laddrs[i] == laddr)
				return (int)i;
		if (pass == 0 && (rc = laddrs_refresh(t)))
			return rc;
	}
	if (!add)
		return -ENOENT;
	if (t->nladdrs == XDPTCP_MAX_LADDRS)
		return -ENOSPC;
	if (!t->writable)
		return -EPERM;
	/* the map first: a slot naming this index is written after it */
	if (t->laddrs_fd >= 0) {
		uint32_t i = t->nladdrs;

		if (bpf_map_update_elem(t->laddrs_fd, &i, &laddr, BPF_ANY))
			return -errno;
	}
	t->laddrs[t->nladdrs] = laddr;
	return (int)t->nladdrs++;
}

static void buckets_of(const struct xdptcp_twtab *t, const struct xdptcp_flow_key *k,
		       struct xdptcp_tw_bucket **b1, struct xdptcp_tw_bucket **b2)
{
	uint32_t i1, i2;

	xdptcp_tw_buckets(k->raddr, k->laddr, k->rport, k->lport, t->seed, t->nbuckets, &i1, &i2);
	*b1 = &t->b[i1];
	*b2 = &t->b[i2];
}

static uint32_t deadline_of(const struct xdptcp_tw_slot *s)
{
	return __atomic_load_n(&s->deadline, __ATOMIC_ACQUIRE);
}

static struct xdptcp_tw_slot *find_idx(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k,
				       int idx)
{
	uint64_t word = xdptcp_tw_word(k->raddr, k->rport, k->lport);
	struct xdptcp_tw_bucket *bk[2];

	buckets_of(t, k, &bk[0], &bk[1]);
	for (int b = 0; b < 2; b++)
		for (int i = 0; i < XDPTCP_TW_WAYS; i++) {
			struct xdptcp_tw_slot *s = &bk[b]->slot[i];

			if (deadline_of(s) && xdptcp_tw_slot_word(s) == word && s->laddr_idx == idx)
				return s;
		}
	return NULL;
}

struct xdptcp_tw_slot *xdptcp_twtab_find(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k)
{
	int idx = xdptcp_twtab_laddr(t, k->laddr, false);

	return idx < 0 ? NULL : find_idx(t, k, idx);
}

struct xdptcp_tw_slot *xdptcp_twtab_lookup(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k,
					   uint64_t now_ns)
{
	struct xdptcp_tw_slot *s = xdptcp_twtab_find(t, k);

	return s && xdptcp_tw_live(deadline_of(s), xdptcp_ts_clock(now_ns)) ? s : NULL;
}

static unsigned int live_in(const struct xdptcp_tw_bucket *b, uint32_t now_tick)
{
	unsigned int n = 0;

	for (int i = 0; i < XDPTCP_TW_WAYS; i++)
		n += xdptcp_tw_live(deadline_of(&b->slot[i]), now_tick);
	return n;
}

/* Takes a slot that is empty or expired at now_tick: deadline to 0 by
 * compare-and-swap, so a slot XDP just restarted is left alone. */
static struct xdptcp_tw_slot *claim(struct xdptcp_tw_bucket *b, uint32_t now_tick)
{
	for (int i = 0; i < XDPTCP_TW_WAYS; i++) {
		struct xdptcp_tw_slot *s = &b->slot[i];
		uint32_t d = deadline_of(s);

		if (xdptcp_tw_live(d, now_tick))
			continue;
		if (!d || __atomic_compare_exchange_n(&s->deadline, &d, 0, false, __ATOMIC_ACQ_REL,
						      __ATOMIC_ACQUIRE))
			return s;
	}
	return NULL;
}

static void fill(struct xdptcp_tw_slot *s, const struct xdptcp_flow_key *k, int idx,
		 const struct xdptcp_tw *tw)
{
	s->raddr = k->raddr;
	s->rport = k->rport;
	s->lport = k->lport;
	s->laddr_idx = (uint8_t)idx;
	s->flags = tw->flags;
	s->window = tw->window;
	s->snd_nxt = tw->snd_nxt;
	s->rcv_nxt = tw->rcv_nxt;
	s->ts_recent = tw->ts_recent;
	s->ts_offset = tw->ts_offset;
	/* last: the slot comes alive with every field in place */
	__atomic_store_n(&s->deadline, xdptcp_tw_deadline(tw->deadline_ns), __ATOMIC_RELEASE);
}

int xdptcp_twtab_insert(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k,
			const struct xdptcp_tw *tw, uint64_t now_ns)
{
	uint32_t now_tick = xdptcp_ts_clock(now_ns);
	struct xdptcp_tw_bucket *b1, *b2;
	struct xdptcp_tw_slot *s;
	int idx;

	if (!t->writable)
		return -EPERM;
	idx = xdptcp_twtab_laddr(t, k->laddr, true);
	if (idx < 0)
		return idx;
	s = find_idx(t, k, idx);
	if (s) {
		/* absent while it is rewritten, never half old, half new (an
		 * exchange: no field store moves above it) */
		__atomic_exchange_n(&s->deadline, 0, __ATOMIC_ACQ_REL);
		fill(s, k, idx, tw);
		return 0;
	}
	buckets_of(t, k, &b1, &b2);
	/* two choices: the emptier bucket (no kicks; 1,000,000 entries in
	 * 262,144 buckets of 8 reach a maximum load of 7) */
	if (live_in(b2, now_tick) < live_in(b1, now_tick))
		s = claim(b2, now_tick);
	else
		s = claim(b1, now_tick);
	if (!s)
		s = claim(b1, now_tick) ?: claim(b2, now_tick);
	if (!s)
		return -ENOSPC;
	fill(s, k, idx, tw);
	return 0;
}

int xdptcp_twtab_delete(struct xdptcp_twtab *t, const struct xdptcp_flow_key *k)
{
	struct xdptcp_tw_slot *s;

	if (!t->writable)
		return -EPERM;
	s = xdptcp_twtab_find(t, k);
	if (!s)
		return -ENOENT;
	__atomic_store_n(&s->deadline, 0, __ATOMIC_RELEASE);
	return 0;
}

bool xdptcp_twtab_reap_slot(struct xdptcp_tw_slot *s, uint64_t now_ns)
{
	uint32_t d = deadline_of(s);

	if (!d || xdptcp_tw_live(d, xdptcp_ts_clock(now_ns)))
		return false;
	/* lost to XDP restarting it (a FIN at the last moment): kept */
	return __atomic_compare_exchange_n(&s->deadline, &d, 0, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

uint64_t xdptcp_twtab_sweep(struct xdptcp_twtab *t, uint64_t now_ns)
{
	uint64_t n = 0;

	if (!t->writable)
		return 0;
	for (uint32_t b = 0; b < t->nbuckets; b++)
		for (int i = 0; i < XDPTCP_TW_WAYS; i++)
			n += xdptcp_twtab_reap_slot(&t->b[b].slot[i], now_ns);
	return n;
}

void xdptcp_twtab_entry(const struct xdptcp_twtab *t, const struct xdptcp_tw_slot *s,
			uint64_t now_ns, struct xdptcp_flow_key *k, struct xdptcp_tw *tw)
{
	uint32_t d = deadline_of(s);
	/* the tick is 32 bits: take the nearest one to now's */
	int64_t ticks = (int64_t)(now_ns >> 20) + (int32_t)(d - xdptcp_ts_clock(now_ns));

	memset(k, 0, sizeof(*k));
	k->raddr = s->raddr;
	k->laddr = s->laddr_idx < t->nladdrs ? t->laddrs[s->laddr_idx] : 0;
	k->rport = s->rport;
	k->lport = s->lport;
	k->family = AF_INET;
	memset(tw, 0, sizeof(*tw));
	tw->deadline_ns = ticks > 0 ? (uint64_t)ticks << 20 : 0;
	tw->snd_nxt = s->snd_nxt;
	tw->rcv_nxt = s->rcv_nxt;
	tw->ts_recent = s->ts_recent;
	tw->ts_offset = s->ts_offset;
	tw->window = s->window;
	tw->flags = s->flags;
}

int xdptcp_twtab_walk(struct xdptcp_twtab *t, uint64_t now_ns, bool expired, xdptcp_twtab_fn fn,
		      void *ctx)
{
	uint32_t now_tick = xdptcp_ts_clock(now_ns);
	int rc = laddrs_refresh(t);

	if (rc)
		return rc;
	for (uint32_t b = 0; b < t->nbuckets; b++)
		for (int i = 0; i < XDPTCP_TW_WAYS; i++) {
			const struct xdptcp_tw_slot *s = &t->b[b].slot[i];
			uint32_t d = deadline_of(s);
			struct xdptcp_flow_key k;
			struct xdptcp_tw tw;

			if (!d || (!expired && !xdptcp_tw_live(d, now_tick)))
				continue;
			xdptcp_twtab_entry(t, s, now_ns, &k, &tw);
			rc = fn(&k, &tw, ctx);
			if (rc)
				return rc;
		}
	return 0;
}

uint64_t xdptcp_twtab_count(const struct xdptcp_twtab *t, uint64_t now_ns)
{
	uint32_t now_tick = xdptcp_ts_clock(now_ns);
	uint64_t n = 0;

	for (uint32_t b = 0; b < t->nbuckets; b++)
		n += live_in(&t->b[b], now_tick);
	return n;
}
