/* Hashed timer wheel (see timer_wheel.h).
 *
 * A timer lives in slot (tick & (nslots - 1)) where tick = deadline / tick_ns,
 * except that a deadline already behind the wheel's time goes to the current
 * tick's slot. Timers more than one revolution ahead share a slot with nearer
 * ones and simply stay there until their deadline passes. Invariant: every
 * armed timer's slot tick is >= the current tick (w->now / tick_ns), and only
 * timers armed late sit in a slot earlier than their deadline's tick. */
#include "tcp/timer_wheel.h"

#include <errno.h>
#include <stdlib.h>

static void list_unlink(struct twheel_timer *t)
{
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->next = t->prev = NULL;
}

int twheel_init(struct twheel *w, size_t nslots, uint64_t tick_ns, uint64_t now)
{
	w->slots = NULL;
	w->nslots = 0;
	w->count = 0;
	if (nslots == 0 || (nslots & (nslots - 1)) != 0 || tick_ns == 0)
		return -EINVAL;
	w->slots = calloc(nslots, sizeof(*w->slots));
	if (!w->slots)
		return -ENOMEM;
	for (size_t i = 0; i < nslots; i++)
		w->slots[i].next = w->slots[i].prev = &w->slots[i];
	w->nslots = nslots;
	w->tick_ns = tick_ns;
	w->now = now;
	return 0;
}

void twheel_free(struct twheel *w)
{
	/* leave the caller's timers idle rather than pointing into freed memory */
	for (size_t i = 0; i < w->nslots; i++)
		while (w->slots[i].next != &w->slots[i])
			list_unlink(w->slots[i].next);
	free(w->slots);
	w->slots = NULL;
	w->nslots = 0;
	w->count = 0;
}

void twheel_arm(struct twheel *w, struct twheel_timer *t, uint64_t deadline)
{
	uint64_t at = deadline > w->now ? deadline : w->now;
	struct twheel_timer *head = &w->slots[(at / w->tick_ns) & (w->nslots - 1)];

	if (twheel_armed(t))
		list_unlink(t);
	else
		w->count++;
	t->deadline = deadline;
	t->prev = head->prev;
	t->next = head;
	head->prev->next = t;
	head->prev = t;
}

void twheel_cancel(struct twheel *w, struct twheel_timer *t)
{
	if (!twheel_armed(t))
		return;
	list_unlink(t);
	w->count--;
}

size_t twheel_expire(struct twheel *w, uint64_t now, struct twheel_timer **out, size_t max)
{
	uint64_t tick = w->now / w->tick_ns;
	uint64_t last = now / w->tick_ns;
	size_t n = 0;

	if (now < w->now)
		last = tick; /* time never goes back: only due timers of this tick */
	/* a full revolution visits every slot */
	if (last - tick >= w->nslots)
		last = tick + w->nslots - 1;
	for (; tick <= last; tick++) {
		struct twheel_timer *head = &w->slots[tick & (w->nslots - 1)];
		struct twheel_timer *t = head->next;

		while (t != head) {
			struct twheel_timer *next = t->next;

			if (t->deadline <= now) {
				if (n == max) {
					/* resume in this slot on the next call */
					if (tick * w->tick_ns > w->now)
						w->now = tick * w->tick_ns;
					return n;
				}
				list_unlink(t);
				w->count--;
				out[n++] = t;
			}
			t = next;
		}
	}
	if (now > w->now)
		w->now = now;
	return n;
}

uint64_t twheel_next(const struct twheel *w)
{
	uint64_t tick = w->now / w->tick_ns;
	uint64_t best = UINT64_MAX;

	if (w->count == 0)
		return UINT64_MAX;
	/* Walk slots from the current tick. A timer found in slot i (i > 0) has
	 * its deadline in tick + i or later revolutions, so once the best
	 * deadline seen falls in a tick already walked, nothing later beats it. */
	for (size_t i = 0; i < w->nslots; i++) {
		const struct twheel_timer *head = &w->slots[(tick + i) & (w->nslots - 1)];

		for (const struct twheel_timer *t = head->next; t != head; t = t->next)
			if (t->deadline < best)
				best = t->deadline;
		if (best / w->tick_ns <= tick + i)
			return best;
	}
	return best;
}
