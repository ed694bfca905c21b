/* TIME-WAIT entries in XDP's `timewait` map: inserted when the engine
 * reports TIME-WAIT (before the flow goes), dropped when a new SYN reopens
 * the flow, and reaped after 2*MSL.
 * Reaping walks a FIFO of inserted keys in deadline order (every entry
 * lasts the same 2*MSL), so its cost follows the entries that expire, not
 * the size of the map: a full walk of tens of thousands of entries every
 * period cost half the control plane's CPU under a Connection: close load.
 * A FIN may restart an entry (XDP does it): such a key goes to the back.
 * Entries no FIFO knows of (a crashed control plane's, or those pushed
 * while the FIFO was full) are found by a full walk, run at start and
 * after an overflow, at most every RT_TW_SWEEP_NS. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include "rt/xdp_rt.h"
#include "tcp/tw_table.h"

int rt_tw_init(struct rt *rt, bool sweep_now)
{
	rt->twq.cap = XDPTCP_RT_TWQ_CAP;
	rt->twq.e = calloc(rt->twq.cap, sizeof(*rt->twq.e));
	if (!rt->twq.e)
		return -ENOMEM;
	rt->twq.sweep_due = sweep_now;
	rt->twq.next_sweep = rt->now;
	return 0;
}

void rt_tw_fini(struct rt *rt)
{
	free(rt->twq.e);
	rt->twq.e = NULL;
}

static void twq_push(struct rt *rt, const struct xdptcp_flow_key *key, uint64_t deadline)
{
	struct rt_twq *q = &rt->twq;

	if (q->len == q->cap) {
		/* the map keeps the entry; a later full walk reaps it */
		q->sweep_due = true;
		return;
	}
	q->e[(q->head + q->len) % q->cap] = (struct rt_twq_entry){ *key, deadline };
	q->len++;
}

void rt_tw_insert(struct rt *rt, const struct tcp_event_info *info)
{
	if (bpf_map_update_elem(rt_map_fd(rt, XDPTCP_MAP_TIMEWAIT), &info->key, &info->tw, BPF_ANY))
		return;
	rt_count(rt, XDPTCP_RT_TW_INSERTED, 1);
	twq_push(rt, &info->key, info->tw.deadline_ns);
}

void rt_tw_forget(struct rt *rt, const struct tcp_seg *seg)
{
	struct xdptcp_flow_key key;

	tw_key_from_seg(&key, seg);
	if (!bpf_map_delete_elem(rt_map_fd(rt, XDPTCP_MAP_TIMEWAIT), &key))
		rt_count(rt, XDPTCP_RT_TW_REOPENED, 1);
}

/* Entries past their deadline already count as absent for XDP; removing
 * them only frees the map. Batched lookups: a few syscalls per thousand. */
static void tw_sweep(struct rt *rt)
{
	enum { CHUNK = 1024 };
	static struct xdptcp_flow_key keys[CHUNK], dead[CHUNK];
	static struct xdptcp_tw vals[CHUNK];
	int fd = rt_map_fd(rt, XDPTCP_MAP_TIMEWAIT);
	__u64 in = 0, out = 0;
	bool first = true, done = false;

	while (!done) {
		__u32 n = CHUNK, ndead = 0;
		int rc = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &n, NULL);

		if (rc && errno != ENOENT)
			return;
		done = rc != 0; /* ENOENT: this was the last chunk */
		first = false;
		in = out;
		for (__u32 i = 0; i < n; i++)
			if (vals[i].deadline_ns <= rt->now)
				dead[ndead++] = keys[i];
		for (__u32 i = 0; i < ndead; i++)
			if (!bpf_map_delete_elem(fd, &dead[i]))
				rt_count(rt, XDPTCP_RT_TW_REAPED, 1);
	}
}

void rt_tw_reap(struct rt *rt)
{
	struct rt_twq *q = &rt->twq;
	int fd = rt_map_fd(rt, XDPTCP_MAP_TIMEWAIT);

	while (q->len && q->e[q->head].deadline <= rt->now) {
		struct rt_twq_entry e = q->e[q->head];
		struct xdptcp_tw tw;

		q->head = (q->head + 1) % q->cap;
		q->len--;
		if (bpf_map_lookup_elem(fd, &e.key, &tw))
			continue; /* reopened by a new SYN, or reaped by a sweep */
		if (tw.deadline_ns > rt->now) {
			twq_push(rt, &e.key, tw.deadline_ns); /* a FIN restarted it */
			continue;
		}
		if (!bpf_map_delete_elem(fd, &e.key))
			rt_count(rt, XDPTCP_RT_TW_REAPED, 1);
	}
	if (q->sweep_due && rt->now >= q->next_sweep) {
		q->sweep_due = false;
		q->next_sweep = rt->now + RT_TW_SWEEP_NS;
		tw_sweep(rt);
	}
}
