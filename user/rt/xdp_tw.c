/* TIME-WAIT entries in XDP's `timewait` table (mapped, user/loader/twtab.h:
 * plain loads and stores, no syscalls): inserted when the engine
 * reports TIME-WAIT (before the flow goes), dropped when a new SYN reopens
 * the flow, and reaped after 2*MSL.
 * Reaping walks a FIFO of inserted keys in deadline order (every entry
 * lasts the same 2*MSL), so its cost follows the entries that expire, not
 * the size of the map: a full walk of tens of thousands of entries every
 * period cost half the control plane's CPU under a Connection: close load.
 * A FIN may restart an entry (XDP does it): such a key goes to the back.
 * Entries no FIFO knows of (a crashed control plane's, or those pushed
 * while the FIFO was full) are found by a full walk, run at start and
 * after an overflow, at most every RT_TW_SWEEP_NS. An expired slot is
 * absent for XDP and reusable by an insert: reaping only keeps the count
 * of live slots honest and the buckets' loads low. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "rt/xdp_rt.h"

int rt_tw_init(struct rt *rt, bool sweep_now, char *err, size_t errlen)
{
	int rc = xdptcp_twtab_open(&rt->tw, &rt->pins, true, err, errlen);

	if (rc)
		return rc;
	rt->twq.cap = XDPTCP_RT_TWQ_CAP;
	rt->twq.e = calloc(rt->twq.cap, sizeof(*rt->twq.e));
	if (!rt->twq.e) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rt->twq.sweep_due = sweep_now;
	rt->twq.next_sweep = rt->now;
	return 0;
}

void rt_tw_fini(struct rt *rt)
{
	xdptcp_twtab_close(&rt->tw);
	free(rt->twq.e);
	rt->twq.e = NULL;
}

static void twq_push(struct rt *rt, const struct xdptcp_flow_key *key, uint64_t deadline)
{
	struct rt_twq *q = &rt->twq;

	if (q->len == q->cap) {
		/* the table keeps the entry; a later full walk reaps it */
		q->sweep_due = true;
		return;
	}
	q->e[(q->head + q->len) % q->cap] = (struct rt_twq_entry){ *key, deadline };
	q->len++;
}

void rt_tw_insert(struct rt *rt, const struct tcp_event_info *info)
{
	if (xdptcp_twtab_insert(&rt->tw, &info->key, &info->tw, rt->now)) {
		/* both buckets full of live entries (or no room for another
		 * local address): the flow goes without one, as before */
		rt_count(rt, XDPTCP_RT_TW_FULL, 1);
		return;
	}
	rt_count(rt, XDPTCP_RT_TW_INSERTED, 1);
	twq_push(rt, &info->key, info->tw.deadline_ns);
}

/* The engine shrinks a released TIME-WAIT TCB: TCP_EV_TIMEWAIT put its
 * entry in already, unless the table had no room (then the TCB stays). */
int rt_tw_store(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw)
{
	struct rt *rt = ctx;

	if (xdptcp_twtab_lookup(&rt->tw, key, rt->now))
		return 0;
	if (xdptcp_twtab_insert(&rt->tw, key, tw, rt->now))
		return -ENOSPC;
	rt_count(rt, XDPTCP_RT_TW_INSERTED, 1);
	twq_push(rt, key, tw->deadline_ns);
	return 0;
}

int rt_tw_find(void *ctx, const struct xdptcp_flow_key *key, uint64_t now, struct xdptcp_tw *out)
{
	struct rt *rt = ctx;
	struct xdptcp_tw_slot *s = xdptcp_twtab_lookup(&rt->tw, key, now);
	struct xdptcp_flow_key k;

	if (!s)
		return 0;
	xdptcp_twtab_entry(&rt->tw, s, now, &k, out);
	return 1;
}

/* A FIN restarted 2*MSL; the reaper finds the later deadline and keeps it */
void rt_tw_update(void *ctx, const struct xdptcp_flow_key *key, const struct xdptcp_tw *tw)
{
	struct rt *rt = ctx;

	if (xdptcp_twtab_insert(&rt->tw, key, tw, rt->now))
		rt_count(rt, XDPTCP_RT_TW_FULL, 1);
}

void rt_tw_drop(void *ctx, const struct xdptcp_flow_key *key)
{
	struct rt *rt = ctx;

	if (!xdptcp_twtab_delete(&rt->tw, key))
		rt_count(rt, XDPTCP_RT_TW_REOPENED, 1);
}

void rt_tw_reap(struct rt *rt)
{
	struct rt_twq *q = &rt->twq;

	while (q->len && q->e[q->head].deadline <= rt->now) {
		struct rt_twq_entry e = q->e[q->head];
		struct xdptcp_tw_slot *s;

		q->head = (q->head + 1) % q->cap;
		q->len--;
		s = xdptcp_twtab_find(&rt->tw, &e.key);
		if (!s)
			continue; /* reopened by a new SYN, or reaped by a sweep */
		if (xdptcp_twtab_reap_slot(s, rt->now)) {
			rt_count(rt, XDPTCP_RT_TW_REAPED, 1);
			continue;
		}
		if (xdptcp_twtab_lookup(&rt->tw, &e.key, rt->now)) {
			struct xdptcp_flow_key k;
			struct xdptcp_tw tw;

			/* a FIN restarted it: back in the queue */
			xdptcp_twtab_entry(&rt->tw, s, rt->now, &k, &tw);
			twq_push(rt, &e.key, tw.deadline_ns);
		}
	}
	if (q->sweep_due && rt->now >= q->next_sweep) {
		q->sweep_due = false;
		q->next_sweep = rt->now + RT_TW_SWEEP_NS;
		rt_count(rt, XDPTCP_RT_TW_REAPED, xdptcp_twtab_sweep(&rt->tw, rt->now));
	}
}
