/* TCB slots: the `tcbs` array mapped into this process (BPF_F_MMAPABLE).
 * A slot's generation is bumped each time it is handed out, so a `flows`
 * entry of its previous owner no longer matches (XDP checks it); a freed
 * slot waits RT_QUARANTINE_NS before reuse, so frames XDP was handling for
 * the old flow are gone first (DESIGN.md "Ownership of connection state"). */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "rt/xdp_rt.h"

int rt_slots_setup(struct rt_slots *sl, struct xdptcp_tcb *tcbs, uint32_t n)
{
	memset(sl, 0, sizeof(*sl));
	sl->tcbs = tcbs;
	sl->n = n;
	sl->free = calloc(n, sizeof(*sl->free));
	sl->q_slot = calloc(n, sizeof(*sl->q_slot));
	sl->q_until = calloc(n, sizeof(*sl->q_until));
	sl->owner = calloc(n, sizeof(*sl->owner));
	if (!sl->free || !sl->q_slot || !sl->q_until || !sl->owner) {
		free(sl->free);
		free(sl->q_slot);
		free(sl->q_until);
		free(sl->owner);
		memset(sl, 0, sizeof(*sl));
		return -ENOMEM;
	}
	/* highest slot at the bottom of the stack: low slots are used first */
	for (uint32_t i = 0; i < n; i++)
		sl->free[n - 1 - i] = i;
	sl->nfree = n;
	return 0;
}

int rt_slots_init(struct rt *rt)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = rt->pins.map_fd[XDPTCP_MAP_TCBS], rc;
	long pg = sysconf(_SC_PAGESIZE);
	void *p;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct xdptcp_tcb) || !(info.map_flags & BPF_F_MMAPABLE))
		return -EPROTO;
	rt->tcbs_map_bytes = ((size_t)info.max_entries * info.value_size + (size_t)pg - 1) /
			     (size_t)pg * (size_t)pg;
	p = mmap(NULL, rt->tcbs_map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	rc = rt_slots_setup(&rt->slots, p, info.max_entries);
	if (rc)
		munmap(p, rt->tcbs_map_bytes);
	return rc;
}

void rt_slots_teardown(struct rt_slots *sl)
{
	free(sl->free);
	free(sl->q_slot);
	free(sl->q_until);
	free(sl->owner);
	memset(sl, 0, sizeof(*sl));
}

void rt_slots_fini(struct rt *rt)
{
	if (rt->slots.tcbs)
		munmap(rt->slots.tcbs, rt->tcbs_map_bytes);
	rt_slots_teardown(&rt->slots);
}

int rt_slot_alloc(struct rt_slots *sl, uint32_t *slot, uint32_t *gen)
{
	struct xdptcp_tcb *t;

	if (!sl->nfree)
		return -ENOSPC;
	*slot = sl->free[--sl->nfree];
	t = &sl->tcbs[*slot];
	t->fast = 0;
	t->generation++;
	*gen = t->generation;
	return 0;
}

void rt_slot_free(struct rt_slots *sl, uint32_t slot, uint64_t now)
{
	struct xdptcp_tcb *t = &sl->tcbs[slot];
	uint32_t tail;

	__atomic_store_n(&t->fast, 0, __ATOMIC_SEQ_CST);
	t->state = XDPTCP_CLOSED;
	sl->owner[slot] = NULL;
	tail = (sl->q_head + sl->q_len) % sl->n;
	sl->q_slot[tail] = slot;
	sl->q_until[tail] = now + RT_QUARANTINE_NS;
	sl->q_len++;
}

void rt_slots_tick(struct rt_slots *sl, uint64_t now)
{
	while (sl->q_len && sl->q_until[sl->q_head] <= now) {
		sl->free[sl->nfree++] = sl->q_slot[sl->q_head];
		sl->q_head = (sl->q_head + 1) % sl->n;
		sl->q_len--;
	}
}
