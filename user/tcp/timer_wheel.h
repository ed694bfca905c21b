/* A hierarchical timer wheel (Varghese & Lauck) driven by the time passed in:
 * nothing here reads a clock. Timers are intrusive; one per connection is
 * enough (the engine re-arms it at its next deadline). */
#ifndef XDPTCP_TCP_TIMER_WHEEL_H
#define XDPTCP_TCP_TIMER_WHEEL_H

#include <stddef.h>
#include <stdint.h>

struct twheel_timer {
	struct twheel_timer *next, *prev; /* in a slot's list; NULL when idle */
	uint64_t deadline;                /* ns */
	void *owner;                      /* the caller's (e.g. the connection) */
};

/* Two levels of nslots lists (see timer_wheel.c): level 1 of tick_ns,
 * level 2 of one level-1 revolution (nslots * tick_ns) each. */
struct twheel {
	struct twheel_timer *slots; /* 2 * nslots list heads (sentinels) */
	size_t nslots;              /* power of two */
	uint64_t tick_ns;           /* resolution */
	uint64_t now;               /* last time expired up to */
	size_t count;               /* armed timers */
	size_t near;                /* of which in level 1 */
	uint64_t next;              /* earliest deadline, when next_ok */
	int next_ok;
	size_t visits;              /* heads and timers twheel_next walked */
};

/* nslots must be a power of two; tick_ns > 0. Returns 0, -EINVAL or -ENOMEM. */
int twheel_init(struct twheel *w, size_t nslots, uint64_t tick_ns, uint64_t now);
/* Timers still armed are left idle (unlinked), not dangling. */
void twheel_free(struct twheel *w);

/* A zeroed timer is idle too; this also sets the owner. */
static inline void twheel_timer_init(struct twheel_timer *t, void *owner)
{
	t->next = t->prev = NULL;
	t->deadline = 0;
	t->owner = owner;
}

/* Arm (or re-arm) t to fire at deadline; a deadline in the past fires at the
 * next twheel_expire. */
void twheel_arm(struct twheel *w, struct twheel_timer *t, uint64_t deadline);
void twheel_cancel(struct twheel *w, struct twheel_timer *t);
static inline int twheel_armed(const struct twheel_timer *t) { return t->next != NULL; }

/* Unlink up to max timers whose deadline <= now into out[] (in no particular
 * order); returns how many. Call again while it returns max. A timer never
 * fires before its deadline; called at least once per tick, it fires less
 * than one tick late. An earlier now than a previous call's only fires
 * timers due by then. */
size_t twheel_expire(struct twheel *w, uint64_t now, struct twheel_timer **out, size_t max);

/* Earliest armed deadline (possibly already past), or UINT64_MAX when none.
 * Cached (hence not const) until the earliest timer is cancelled, re-armed
 * or fired; finding it again walks at most nslots heads plus the timers of
 * one tick or of one level-2 slot, however many timers lie further ahead. */
uint64_t twheel_next(struct twheel *w);

#endif
