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

#define HOLDS_MIN_SIZE	64

/* Holders are pointers into arrays (pages 40 bytes apart): mix every bit
 * into the ones the table indexes by. */
static unsigned int hold_index(const struct lock_holds *h, const void *a, const void *b)
{
	uint64_t x = (uint64_t)(uintptr_t)a ^ (uint64_t)(uintptr_t)b * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return (unsigned int)x & h->mask;
}

struct lock_holds *lock_holds_new(void)
{
	struct lock_holds *h = g_new0(struct lock_holds, 1);

	h->slot = g_new0(struct lock_hold, HOLDS_MIN_SIZE);
	h->mask = HOLDS_MIN_SIZE - 1;
	return h;
}

void lock_holds_free(struct lock_holds *h)
{
	if (!h)
		return;
	g_free(h->slot);
	g_free(h);
}

static void holds_put(struct lock_holds *h, const struct lock_hold *e)
{
	unsigned int i = hold_index(h, e->a, e->b);

	while (h->slot[i].a)
		i = (i + 1) & h->mask;
	h->slot[i] = *e;
}

/* Twice the size, every entry put again. */
static void holds_grow(struct lock_holds *h)
{
	struct lock_hold *old = h->slot;
	unsigned int size = h->mask + 1;

	h->slot = g_new0(struct lock_hold, 2 * (gsize)size);
	h->mask = 2 * size - 1;
	for (unsigned int i = 0; i < size; i++)
		if (old[i].a)
			holds_put(h, &old[i]);
	g_free(old);
}

/* Move the newest hold into the table. */
void lock_holds_push_last(struct lock_holds *h)
{
	const void *a = h->last.a, *b = h->last.b;
	unsigned int i;

	if (2 * (h->count + 1) > h->mask + 1)
		holds_grow(h);
	for (i = hold_index(h, a, b); h->slot[i].a; i = (i + 1) & h->mask)
		if (h->slot[i].a == a && h->slot[i].b == b)
			g_error("lock_holds_start(): %p/%p already holds the lock", a, b);
	h->slot[i] = h->last;
	h->count++;
	h->last.a = NULL;
}

sim_time_t lock_holds_end_table(struct lock_holds *h, const void *a, const void *b,
				sim_time_t now)
{
	unsigned int i, j;
	sim_time_t since;

	for (i = hold_index(h, a, b); h->slot[i].a; i = (i + 1) & h->mask)
		if (h->slot[i].a == a && h->slot[i].b == b)
			break;
	if (!h->slot[i].a)
		return -1;
	since = h->slot[i].since;
	h->count--;
	/* Backward shift: move up each later entry of the run whose home
	 * slot is not between the hole and it. */
	for (j = (i + 1) & h->mask; h->slot[j].a; j = (j + 1) & h->mask) {
		unsigned int home = hold_index(h, h->slot[j].a, h->slot[j].b);

		if (((j - home) & h->mask) >= ((j - i) & h->mask)) {
			h->slot[i] = h->slot[j];
			i = j;
		}
	}
	h->slot[i].a = NULL;
	return now - since;
}

unsigned int lock_holds_count(const struct lock_holds *h)
{
	return h->count + (h->last.a != NULL);
}
