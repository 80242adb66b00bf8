/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Open holds of a lock class (see lockstat.h): a hash set of entries
 * keyed by their holder, each entry its own key; released entries go on a
 * free list and are reused.
 */
#include "config.h"

#include <glib.h>

#include "sim/kernel/lockstat.h"

struct hold {
	const void *a, *b;		/* the key: first in the entry */
	sim_time_t since;
	struct hold *next_free;
};

struct lock_holds {
	GHashTable *open;		/* struct hold (its own key) */
	struct hold *free;
};

static guint hold_hash(gconstpointer p)
{
	const struct hold *h = p;

	return g_direct_hash(h->a) * 31 + g_direct_hash(h->b);
}

static gboolean hold_equal(gconstpointer x, gconstpointer y)
{
	const struct hold *hx = x, *hy = y;

	return hx->a == hy->a && hx->b == hy->b;
}

struct lock_holds *lock_holds_new(void)
{
	struct lock_holds *h = g_new0(struct lock_holds, 1);

	h->open = g_hash_table_new_full(hold_hash, hold_equal, g_free, NULL);
	return h;
}

void lock_holds_free(struct lock_holds *h)
{
	if (!h)
		return;
	g_hash_table_destroy(h->open);
	while (h->free) {
		struct hold *next = h->free->next_free;

		g_free(h->free);
		h->free = next;
	}
	g_free(h);
}

void lock_holds_start(struct lock_holds *h, const void *a, const void *b, sim_time_t now)
{
	struct hold *e = h->free;

	if (e)
		h->free = e->next_free;
	else
		e = g_new(struct hold, 1);
	*e = (struct hold){ .a = a, .b = b, .since = now };
	if (!g_hash_table_add(h->open, e))
		g_error("lock_holds_start(): %p/%p already holds the lock", a, b);
}

sim_time_t lock_holds_end(struct lock_holds *h, const void *a, const void *b, sim_time_t now)
{
	const struct hold key = { .a = a, .b = b };
	struct hold *e;

	if (!g_hash_table_steal_extended(h->open, &key, (gpointer *)&e, NULL))
		return -1;
	e->next_free = h->free;
	h->free = e;
	return now - e->since;
}

unsigned int lock_holds_count(const struct lock_holds *h)
{
	return g_hash_table_size(h->open);
}
