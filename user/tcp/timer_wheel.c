/* Two-level hierarchical timer wheel (see timer_wheel.h; Varghese & Lauck
 * scheme 6). A tick is tick_ns; a round is nslots ticks (one level-1
 * revolution). With cur the current tick (now / tick_ns):
 *
 * - level 1 holds the timers due in cur's round, each in the slot of its
 *   deadline's tick, except that one already behind now sits in cur's slot.
 *   From cur to the round's end a slot thus holds one tick's timers only.
 * - level 2 holds the timers due in later rounds, in the slot of their
 *   deadline's round; those a level-2 revolution or more ahead share a slot
 *   with nearer ones and stay there until their round comes.
 *
 * So a timer is in level 2 exactly when its deadline's round is after cur's,
 * which tells cancel where it is. Entering a new round moves the level-2
 * slots of the rounds passed to level 1: the timers of the new round to
 * their tick, those of skipped rounds (a jump) to cur's slot, as overdue.
 *
 * Polling calls twheel_next far more often than timers change, so the
 * earliest deadline is cached; it stays exact when timers are armed or when
 * timers other than the earliest leave. Finding it again scans level 1 from
 * cur (stopping at the first timer) or, when level 1 is empty, level 2 with
 * the stop rule: at most nslots heads plus one tick's timers, or the timers
 * of the earliest round's level-2 slot. An expire call visits at most
 * 3 * nslots slots (the rest of a round, level 2 once, the new round) besides
 * the timers it fires or moves, however far the jump. */
#include "tcp/timer_wheel.h"

#include <errno.h>
#include <stdlib.h>

static uint64_t round_of(const struct twheel *w, uint64_t t)
{
	return t / w->tick_ns / w->nslots;
}

static struct twheel_timer *l1_slot(struct twheel *w, uint64_t tick)
{
	return &w->slots[tick & (w->nslots - 1)];
}

static struct twheel_timer *l2_slot(struct twheel *w, uint64_t round)
{
	return &w->slots[w->nslots + (round & (w->nslots - 1))];
}

static void list_unlink(struct twheel_timer *t)
{
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->next = t->prev = NULL;
}

static void list_add(struct twheel_timer *head, struct twheel_timer *t)
{
	t->prev = head->prev;
	t->next = head;
	head->prev->next = t;
	head->prev = t;
}

/* Link an unlinked t where the invariants above want it. */
static void place(struct twheel *w, struct twheel_timer *t)
{
	uint64_t cur = w->now / w->tick_ns;
	uint64_t tick = t->deadline / w->tick_ns;

	if (tick / w->nslots > cur / w->nslots) {
		list_add(l2_slot(w, tick / w->nslots), t);
		return;
	}
	w->near++;
	list_add(l1_slot(w, tick > cur ? tick : cur), t);
}

/* Unlink an armed t and account for it. */
static void take(struct twheel *w, struct twheel_timer *t)
{
	if (round_of(w, t->deadline) <= round_of(w, w->now))
		w->near--;
	list_unlink(t);
	w->count--;
	if (t->deadline == w->next)
		w->next_ok = 0;
}

int twheel_init(struct twheel *w, size_t nslots, uint64_t tick_ns, uint64_t now)
{
	*w = (struct twheel){.now = now, .next = UINT64_MAX, .next_ok = 1};
	if (nslots == 0 || (nslots & (nslots - 1)) != 0 || tick_ns == 0)
		return -EINVAL;
	if (nslots > SIZE_MAX / 2)
		return -ENOMEM;
	w->slots = calloc(2 * nslots, sizeof(*w->slots));
	if (!w->slots)
		return -ENOMEM;
	for (size_t i = 0; i < 2 * nslots; i++)
		w->slots[i].next = w->slots[i].prev = &w->slots[i];
	w->nslots = nslots;
	w->tick_ns = tick_ns;
	return 0;
}

void twheel_free(struct twheel *w)
{
	/* leave the caller's timers idle rather than pointing into freed memory */
	for (size_t i = 0; i < 2 * w->nslots; i++)
		while (w->slots[i].next != &w->slots[i])
			list_unlink(w->slots[i].next);
	free(w->slots);
	w->slots = NULL;
	w->nslots = 0;
	w->count = w->near = 0;
	w->next = UINT64_MAX;
	w->next_ok = 1;
}

void twheel_arm(struct twheel *w, struct twheel_timer *t, uint64_t deadline)
{
	if (twheel_armed(t))
		take(w, t);
	t->deadline = deadline;
	place(w, t);
	w->count++;
	if (w->next_ok && deadline < w->next)
		w->next = deadline;
}

void twheel_cancel(struct twheel *w, struct twheel_timer *t)
{
	if (twheel_armed(t))
		take(w, t);
}

/* Move time to the start of round `to` (after cur's) and bring the level-2
 * timers due by its end to level 1. Each level-2 slot is visited at most
 * once, however long the jump. */
static void cascade(struct twheel *w, uint64_t to)
{
	uint64_t from = round_of(w, w->now) + 1;
	uint64_t stop = to - from < w->nslots ? to : from + w->nslots - 1;

	w->now = to * w->nslots * w->tick_ns;
	for (uint64_t r = from; r <= stop; r++) {
		struct twheel_timer *head = l2_slot(w, r), *t = head->next;

		while (t != head) {
			struct twheel_timer *next = t->next;

			if (round_of(w, t->deadline) <= to) {
				list_unlink(t);
				place(w, t);
			}
			t = next;
		}
	}
}

size_t twheel_expire(struct twheel *w, uint64_t now, struct twheel_timer **out, size_t max)
{
	uint64_t last = now / w->tick_ns;
	size_t n = 0;

	for (;;) {
		uint64_t cur = w->now / w->tick_ns;
		struct twheel_timer *head = l1_slot(w, cur), *t = head->next;

		while (t != head) {
			struct twheel_timer *next = t->next;

			if (t->deadline <= now) {
				if (n == max)
					return n; /* resume in this slot next call */
				take(w, t);
				out[n++] = t;
			}
			t = next;
		}
		/* an earlier now than w->now only fires due timers of this tick */
		if (last <= cur)
			break;
		/* this slot is empty now; step a tick while level 1 holds timers,
		 * else straight to last or to the round's end */
		uint64_t end = (cur / w->nslots + 1) * w->nslots;
		uint64_t to = w->near ? cur + 1 : last < end ? last : end;

		if (to == end)
			cascade(w, last / w->nslots);
		else
			w->now = to * w->tick_ns;
	}
	if (now > w->now)
		w->now = now;
	return n;
}

/* Lowest deadline among head's timers and best. */
static uint64_t slot_min(struct twheel *w, struct twheel_timer *head, uint64_t best)
{
	w->visits++;
	for (const struct twheel_timer *t = head->next; t != head; t = t->next) {
		w->visits++;
		if (t->deadline < best)
			best = t->deadline;
	}
	return best;
}

uint64_t twheel_next(struct twheel *w)
{
	uint64_t cur = w->now / w->tick_ns;
	uint64_t round = cur / w->nslots;
	uint64_t end = (round + 1) * w->nslots;
	uint64_t best = UINT64_MAX;

	if (w->next_ok)
		return w->next;
	if (w->near) {
		/* level 1's first non-empty slot holds only the earliest tick */
		for (uint64_t k = cur; k < end && best == UINT64_MAX; k++)
			best = slot_min(w, l1_slot(w, k), best);
	} else if (w->count) {
		/* a level-2 slot holds its round's timers and later ones', so
		 * once the best seen falls in a round walked, nothing beats it */
		for (uint64_t r = round + 1; r <= round + w->nslots; r++) {
			best = slot_min(w, l2_slot(w, r), best);
			if (best != UINT64_MAX && round_of(w, best) <= r)
				break;
		}
	}
	w->next = best;
	w->next_ok = 1;
	return best;
}
