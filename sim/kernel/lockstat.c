/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Open holds of a lock class (see lockstat.h): an open-addressing hash
 * table of (holder, since) entries, linear probing, a power-of-two size
 * kept at most half full; a removal shifts the entries after it back
 * (no tombstones), so that probes stay short however many holds come and
 * go.  In front of it the newest hold, outside the table: page locks are
 * taken and dropped many times per fault, mostly one at a time
 * (fault-around trylocks and unlocks every page of its window in turn),
 * so most holds end before the next one starts and never enter the table.
 */
#include "config.h"

#include <stdint.h>
#include <glib.h>

#include "sim/kernel/lockstat.h"

#define HOLDS_MIN_BITS	6

/* A holder's home slot: its two pointers multiplied into the top bits of a
 * word (pages are 32 bytes apart, and every bit of a pointer moves the top
 * ones), the table's log2(size) of them. */
static inline unsigned int hold_home(const struct lock_holds *h, const void *a, const void *b)
{
	uint64_t x = (uint64_t)(uintptr_t)a ^ (uint64_t)(uintptr_t)b * 0xbf58476d1ce4e5b9ULL;

	return (unsigned int)((x * 0x9e3779b97f4a7c15ULL) >> h->shift);
}

static void holds_alloc(struct lock_holds *h, unsigned int bits)
{
	h->slot = g_new0(struct lock_hold, (gsize)1 << bits);
	h->mask = (1u << bits) - 1;
	h->shift = 64 - bits;
}

struct lock_holds *lock_holds_new(void)
{
	struct lock_holds *h = g_new0(struct lock_holds, 1);

	holds_alloc(h, HOLDS_MIN_BITS);
	return h;
}

void lock_holds_free(struct lock_holds *h)
{
	if (!h)
		return;
	g_free(h->slot);
	g_free(h);
}

static G_GNUC_NO_INLINE G_GNUC_NORETURN void holds_twice(const void *a, const void *b)
{
	g_error("lock_holds_start(): %p/%p already holds the lock", a, b);
}

/* Put the newest hold into the table, which has room for it. */
static inline void holds_put_last(struct lock_holds *h)
{
	const void *a = h->last.a, *b = h->last.b;
	unsigned int i;

	for (i = hold_home(h, a, b); h->slot[i].a; i = (i + 1) & h->mask)
		if (h->slot[i].a == a && h->slot[i].b == b)
			holds_twice(a, b);
	h->slot[i] = h->last;
	h->count++;
	h->last.a = NULL;
}

/* Twice the size, every entry put again, then the newest hold, and
 * (@a, @b) is the newest now.  Out of line, as the error above and the
 * backward shift below, so that the common paths that may call them are
 * leaves that save no registers. */
static G_GNUC_NO_INLINE void holds_grow_start(struct lock_holds *h, const void *a,
					      const void *b, sim_time_t now)
{
	struct lock_hold *old = h->slot;
	unsigned int size = h->mask + 1;

	holds_alloc(h, 64 - h->shift + 1);
	for (unsigned int i = 0; i < size; i++) {
		unsigned int j;

		if (!old[i].a)
			continue;
		j = hold_home(h, old[i].a, old[i].b);
		while (h->slot[j].a)
			j = (j + 1) & h->mask;
		h->slot[j] = old[i];
	}
	g_free(old);
	holds_put_last(h);
	h->last = (struct lock_hold){ .a = a, .b = b, .since = now };
}

/* Move the newest hold into the table; (@a, @b) is the newest now.  (The
 * caller's call is its last: it saves nothing across it.) */
void lock_holds_start_table(struct lock_holds *h, const void *a, const void *b,
			    sim_time_t now)
{
	if (G_UNLIKELY(2 * (h->count + 1) > h->mask + 1)) {
		holds_grow_start(h, a, b, now);
		return;
	}
	holds_put_last(h);
	h->last = (struct lock_hold){ .a = a, .b = b, .since = now };
}

/* Empty slot @i, whose next slot is taken: move up each later entry of
 * the run whose home slot is not between the hole and it (backward
 * shift: no tombstones).  Returns @held, so that the caller's call is its
 * last. */
static G_GNUC_NO_INLINE sim_time_t holds_close_gap(struct lock_holds *h, unsigned int i,
						   sim_time_t held)
{
	unsigned int j;

	for (j = (i + 1) & h->mask; h->slot[j].a; j = (j + 1) & h->mask) {
		unsigned int home = hold_home(h, h->slot[j].a, h->slot[j].b);

		if (((j - home) & h->mask) >= ((j - i) & h->mask)) {
			h->slot[i] = h->slot[j];
			i = j;
		}
	}
	h->slot[i].a = NULL;
	return held;
}

sim_time_t lock_holds_end_table(struct lock_holds *h, const void *a, const void *b,
				sim_time_t now)
{
	unsigned int i;
	sim_time_t held;

	for (i = hold_home(h, a, b); h->slot[i].a != a || h->slot[i].b != b; i = (i + 1) & h->mask)
		if (G_UNLIKELY(!h->slot[i].a))
			return -1;
	held = now - h->slot[i].since;
	h->count--;
	if (h->slot[(i + 1) & h->mask].a)
		return holds_close_gap(h, i, held);
	h->slot[i].a = NULL;
	return held;
}

unsigned int lock_holds_count(const struct lock_holds *h)
{
	return h->count + (h->last.a != NULL);
}
