/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-run registry of measurements (see stats.h).
 *
 * Each kind of measurement has a table: a hash index from (module, name) to
 * an entry, for get-or-create, and an array of the same entries in the
 * order they were created, for iteration.  An entry is allocated once with
 * its two names stored behind it and never moves, which is what keeps the
 * pointers handed out stable.  A histogram is a separate allocation owned
 * by its entry.  Units and descriptions are interned in one string chunk
 * per registry: a measurement points into it, and a thousand counters
 * declared "pages" share one copy.
 */
#include <stdbool.h>
#include <string.h>
#include "sim/core/stats.h"

/* The lookup key; first in every entry so that an entry is its own key. */
struct stat_key {
	const char *module;
	const char *name;
};

struct stat_entry {
	struct stat_key key;		/* points into names[] */
	const char *unit;		/* interned; NULL: not declared */
	const char *description;
	union {
		uint64_t counter;
		double scalar;
		struct sim_hist *hist;
		struct sim_vector *vec;
	};
	char names[];			/* "module\0name\0" */
};

struct stat_table {
	GHashTable *index;		/* struct stat_key * -> entry */
	GPtrArray *entries;		/* creation order; owns the entries */
};

struct sim_stats {
	struct stat_table counters;
	struct stat_table hists;
	struct stat_table scalars;
	struct stat_table vectors;
	GStringChunk *strings;		/* units and descriptions */
};

static guint stat_key_hash(gconstpointer p)
{
	const struct stat_key *k = p;

	return g_str_hash(k->module) * 31 + g_str_hash(k->name);
}

static gboolean stat_key_equal(gconstpointer a, gconstpointer b)
{
	const struct stat_key *ka = a, *kb = b;

	return strcmp(ka->module, kb->module) == 0 &&
	       strcmp(ka->name, kb->name) == 0;
}

static void stat_table_init(struct stat_table *t, GDestroyNotify free_entry)
{
	t->index = g_hash_table_new(stat_key_hash, stat_key_equal);
	t->entries = g_ptr_array_new_with_free_func(free_entry);
}

static void stat_table_destroy(struct stat_table *t)
{
	g_hash_table_destroy(t->index);
	g_ptr_array_free(t->entries, TRUE);
}

/* The entry for (@module, @name), created zeroed if missing; *@created
 * tells which.  O(length of the names) on average. */
static struct stat_entry *stat_table_get(struct stat_table *t,
					 const char *module, const char *name,
					 bool *created)
{
	struct stat_key key = { module, name };
	struct stat_entry *e;
	size_t mlen, nlen;

	e = g_hash_table_lookup(t->index, &key);
	*created = e == NULL;
	if (e)
		return e;

	mlen = strlen(module) + 1;
	nlen = strlen(name) + 1;
	e = g_malloc0(sizeof(*e) + mlen + nlen);
	memcpy(e->names, module, mlen);
	memcpy(e->names + mlen, name, nlen);
	e->key.module = e->names;
	e->key.name = e->names + mlen;

	g_hash_table_add(t->index, e);
	g_ptr_array_add(t->entries, e);
	return e;
}

static void free_hist_entry(gpointer p)
{
	struct stat_entry *e = p;

	sim_hist_free(e->hist);
	g_free(e);
}

struct sim_vector {
	GArray *samples;		/* struct sim_vector_sample */
	const char *interpolation;	/* interned */
};

static void free_vector_entry(gpointer p)
{
	struct stat_entry *e = p;

	g_array_unref(e->vec->samples);
	g_free(e->vec);
	g_free(e);
}

struct sim_stats *sim_stats_new(void)
{
	struct sim_stats *st = g_new0(struct sim_stats, 1);

	stat_table_init(&st->counters, g_free);
	stat_table_init(&st->hists, free_hist_entry);
	stat_table_init(&st->scalars, g_free);
	stat_table_init(&st->vectors, free_vector_entry);
	st->strings = g_string_chunk_new(256);
	return st;
}

void sim_stats_free(struct sim_stats *st)
{
	if (!st)
		return;
	stat_table_destroy(&st->counters);
	stat_table_destroy(&st->hists);
	stat_table_destroy(&st->scalars);
	stat_table_destroy(&st->vectors);
	g_string_chunk_free(st->strings);
	g_free(st);
}

uint64_t *sim_stats_counter(struct sim_stats *st, const char *module,
			    const char *name)
{
	bool created;

	g_return_val_if_fail(module != NULL && name != NULL, NULL);

	return &stat_table_get(&st->counters, module, name, &created)->counter;
}

struct sim_hist *sim_stats_hist(struct sim_stats *st, const char *module,
				const char *name)
{
	struct stat_entry *e;
	bool created;

	g_return_val_if_fail(module != NULL && name != NULL, NULL);

	e = stat_table_get(&st->hists, module, name, &created);
	if (created)
		e->hist = sim_hist_new();
	return e->hist;
}

double *sim_stats_scalar(struct sim_stats *st, const char *module,
			 const char *name)
{
	bool created;

	g_return_val_if_fail(module != NULL && name != NULL, NULL);

	return &stat_table_get(&st->scalars, module, name, &created)->scalar;
}

/* Declare what @e is; NULL keeps what was there. */
static void stat_describe(struct sim_stats *st, struct stat_entry *e,
			  const char *unit, const char *description)
{
	if (unit)
		e->unit = g_string_chunk_insert_const(st->strings, unit);
	if (description)
		e->description = g_string_chunk_insert_const(st->strings,
							     description);
}

uint64_t *sim_stats_counter_unit(struct sim_stats *st, const char *module,
				 const char *name, const char *unit,
				 const char *description)
{
	struct stat_entry *e;
	bool created;

	g_return_val_if_fail(module != NULL && name != NULL, NULL);

	e = stat_table_get(&st->counters, module, name, &created);
	stat_describe(st, e, unit, description);
	return &e->counter;
}

struct sim_hist *sim_stats_hist_unit(struct sim_stats *st, const char *module,
				     const char *name, const char *unit,
				     const char *description)
{
	struct stat_entry *e;
	bool created;

	g_return_val_if_fail(module != NULL && name != NULL, NULL);

	e = stat_table_get(&st->hists, module, name, &created);
	if (created)
		e->hist = sim_hist_new();
	stat_describe(st, e, unit, description);
	return e->hist;
}

double *sim_stats_scalar_unit(struct sim_stats *st, const char *module,
			      const char *name, const char *unit,
			      const char *description)
{
	struct stat_entry *e;
	bool created;

	g_return_val_if_fail(module != NULL && name != NULL, NULL);

	e = stat_table_get(&st->scalars, module, name, &created);
	stat_describe(st, e, unit, description);
	return &e->scalar;
}

struct sim_vector *sim_stats_vector_unit(struct sim_stats *st, const char *module,
					 const char *name, const char *unit,
					 const char *description, const char *interpolation)
{
	struct stat_entry *e;
	bool created;

	g_return_val_if_fail(module != NULL && name != NULL, NULL);

	e = stat_table_get(&st->vectors, module, name, &created);
	if (created) {
		e->vec = g_new0(struct sim_vector, 1);
		e->vec->samples = g_array_new(FALSE, FALSE, sizeof(struct sim_vector_sample));
	}
	stat_describe(st, e, unit, description);
	if (interpolation)
		e->vec->interpolation = g_string_chunk_insert_const(st->strings, interpolation);
	return e->vec;
}

void sim_vector_record(struct sim_vector *v, uint64_t event, int64_t time, double value)
{
	struct sim_vector_sample s = { event, time, value };

	g_array_append_val(v->samples, s);
}

const struct sim_vector_sample *sim_vector_samples(const struct sim_vector *v, size_t *n)
{
	*n = v->samples->len;
	return (const struct sim_vector_sample *)v->samples->data;
}

const char *sim_vector_interpolation(const struct sim_vector *v)
{
	return v->interpolation;
}

uint64_t *sim_stats_counter_find(struct sim_stats *st, const char *module, const char *name)
{
	struct stat_key key = { module, name };
	struct stat_entry *e = g_hash_table_lookup(st->counters.index, &key);

	return e ? &e->counter : NULL;
}

const struct sim_hist *sim_stats_hist_find(const struct sim_stats *st, const char *module,
					   const char *name)
{
	struct stat_key key = { module, name };
	const struct stat_entry *e = g_hash_table_lookup(st->hists.index, &key);

	return e ? e->hist : NULL;
}

static const struct stat_table *stat_table_of(const struct sim_stats *st,
					      enum sim_stat_kind kind)
{
	switch (kind) {
	case SIM_STAT_COUNTER:
		return &st->counters;
	case SIM_STAT_HIST:
		return &st->hists;
	case SIM_STAT_SCALAR:
		return &st->scalars;
	case SIM_STAT_VECTOR:
		return &st->vectors;
	}
	g_return_val_if_reached(NULL);
}

const char *sim_stats_unit(const struct sim_stats *st, enum sim_stat_kind kind,
			   const char *module, const char *name,
			   const char **description)
{
	const struct stat_table *t = stat_table_of(st, kind);
	struct stat_key key = { module, name };
	const struct stat_entry *e = t ? g_hash_table_lookup(t->index, &key) : NULL;

	if (description)
		*description = e ? e->description : NULL;
	return e ? e->unit : NULL;
}

void sim_stats_foreach_counter(const struct sim_stats *st,
			       sim_stats_counter_fn *fn, void *data)
{
	const GPtrArray *a = st->counters.entries;

	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];

		fn(e->key.module, e->key.name, e->counter, data);
	}
}

void sim_stats_foreach_hist(const struct sim_stats *st,
			    sim_stats_hist_fn *fn, void *data)
{
	const GPtrArray *a = st->hists.entries;

	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];

		fn(e->key.module, e->key.name, e->hist, data);
	}
}

void sim_stats_foreach_scalar(const struct sim_stats *st,
			      sim_stats_scalar_fn *fn, void *data)
{
	const GPtrArray *a = st->scalars.entries;

	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];

		fn(e->key.module, e->key.name, e->scalar, data);
	}
}

void sim_stats_foreach_vector(const struct sim_stats *st,
			      sim_stats_vector_fn *fn, void *data)
{
	const GPtrArray *a = st->vectors.entries;

	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];

		fn(e->key.module, e->key.name, e->vec, data);
	}
}

/* Give @dst's entry for @e what @e declares and it lacks (it exists). */
static void merge_describe(struct sim_stats *dst, enum sim_stat_kind kind,
			   const struct stat_entry *e)
{
	const struct stat_table *t = stat_table_of(dst, kind);
	struct stat_entry *d = g_hash_table_lookup(t->index, &e->key);

	if (d != e)
		stat_describe(dst, d, d->unit ? NULL : e->unit,
			      d->description ? NULL : e->description);
}

void sim_stats_merge(struct sim_stats *dst, const struct sim_stats *src)
{
	const GPtrArray *a;

	/*
	 * Index loops that read len each time: when dst == src nothing is
	 * created, so every value is simply doubled.
	 */
	a = src->counters.entries;
	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];

		*sim_stats_counter(dst, e->key.module, e->key.name) += e->counter;
		merge_describe(dst, SIM_STAT_COUNTER, e);
	}

	a = src->hists.entries;
	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];

		sim_hist_merge(sim_stats_hist(dst, e->key.module, e->key.name),
			       e->hist);
		merge_describe(dst, SIM_STAT_HIST, e);
	}

	a = src->scalars.entries;
	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];

		*sim_stats_scalar(dst, e->key.module, e->key.name) += e->scalar;
		merge_describe(dst, SIM_STAT_SCALAR, e);
	}

	a = src->vectors.entries;
	for (guint i = 0; i < a->len; i++) {
		const struct stat_entry *e = a->pdata[i];
		/* Read the length first: dst may be src. */
		guint n = e->vec->samples->len;
		struct sim_vector *d = sim_stats_vector_unit(dst, e->key.module, e->key.name,
							     NULL, NULL, NULL);

		if (!d->interpolation && e->vec->interpolation)
			d->interpolation = g_string_chunk_insert_const(dst->strings,
								       e->vec->interpolation);
		for (guint k = 0; k < n; k++) {
			struct sim_vector_sample s = g_array_index(e->vec->samples,
								   struct sim_vector_sample, k);

			g_array_append_val(d->samples, s);
		}
		merge_describe(dst, SIM_STAT_VECTOR, e);
	}
}

void sim_stats_reset(struct sim_stats *st)
{
	for (guint i = 0; i < st->counters.entries->len; i++)
		((struct stat_entry *)st->counters.entries->pdata[i])->counter = 0;
	for (guint i = 0; i < st->scalars.entries->len; i++)
		((struct stat_entry *)st->scalars.entries->pdata[i])->scalar = 0;
	for (guint i = 0; i < st->hists.entries->len; i++)
		sim_hist_reset(((struct stat_entry *)st->hists.entries->pdata[i])->hist);
	for (guint i = 0; i < st->vectors.entries->len; i++)
		g_array_set_size(((struct stat_entry *)st->vectors.entries->pdata[i])->vec->samples, 0);
}
