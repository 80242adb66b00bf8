/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests of the per-run measurement registry (sim/core/stats.h): get-or-create
 * returns one stable pointer per (module, name), kinds and keys do not
 * collide, iteration follows registration order, and merge adds.
 */
#include <string.h>
#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "sim/core/stats.h"

#define SEED 20240611UL

/* ---- visitors that print "module/name=value" lines ---------------------- */

static void list_counter(const char *module, const char *name, uint64_t value,
			 void *data)
{
	g_ptr_array_add(data, g_strdup_printf("%s/%s=%" G_GUINT64_FORMAT,
					      module, name, value));
}

static void list_hist(const char *module, const char *name,
		      const struct sim_hist *h, void *data)
{
	g_ptr_array_add(data, g_strdup_printf("%s/%s=%" G_GUINT64_FORMAT,
					      module, name, sim_hist_count(h)));
}

static void list_scalar(const char *module, const char *name, double value,
			void *data)
{
	g_ptr_array_add(data, g_strdup_printf("%s/%s=%g", module, name, value));
}

/* Every measurement of @st, one kind after the other, joined by spaces. */
static char *listing(const struct sim_stats *st)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(a, g_strdup("counters:"));
	sim_stats_foreach_counter(st, list_counter, a);
	g_ptr_array_add(a, g_strdup("hists:"));
	sim_stats_foreach_hist(st, list_hist, a);
	g_ptr_array_add(a, g_strdup("scalars:"));
	sim_stats_foreach_scalar(st, list_scalar, a);
	g_ptr_array_add(a, NULL);
	return g_strjoinv(" ", (char **)a->pdata);
}

/* ---- get-or-create ------------------------------------------------------ */

static void test_counter(void)
{
	g_autoptr(sim_stats) st = sim_stats_new();
	uint64_t *c = sim_stats_counter(st, "mmap_sem", "rwsem_sleep_reader");
	g_autofree char *l = NULL;

	g_assert_nonnull(c);
	g_assert_cmpuint(*c, ==, 0);
	(*c)++;
	(*c)++;
	g_assert_true(sim_stats_counter(st, "mmap_sem", "rwsem_sleep_reader") == c);
	g_assert_true(sim_stats_counter(st, "mmap_sem", "rwsem_sleep_writer") != c);
	g_assert_cmpuint(*c, ==, 2);

	l = listing(st);
	g_assert_cmpstr(l, ==, "counters: mmap_sem/rwsem_sleep_reader=2 "
			"mmap_sem/rwsem_sleep_writer=0 hists: scalars:");
}

static void test_hist(void)
{
	g_autoptr(sim_stats) st = sim_stats_new();
	struct sim_hist *h = sim_stats_hist(st, "disk", "responseTime");
	g_autofree char *l = NULL;

	g_assert_nonnull(h);
	g_assert_cmpuint(sim_hist_count(h), ==, 0);
	sim_hist_record(h, 80000);
	sim_hist_record(h, 120000);
	g_assert_true(sim_stats_hist(st, "disk", "responseTime") == h);
	g_assert_true(sim_stats_hist(st, "disk", "queueLength") != h);
	g_assert_cmpuint(sim_hist_count(h), ==, 2);

	l = listing(st);
	g_assert_cmpstr(l, ==, "counters: hists: disk/responseTime=2 "
			"disk/queueLength=0 scalars:");
}

static void test_scalar(void)
{
	g_autoptr(sim_stats) st = sim_stats_new();
	double *s = sim_stats_scalar(st, "disk", "utilization");
	g_autofree char *l = NULL;

	g_assert_nonnull(s);
	g_assert_cmpfloat(*s, ==, 0);
	*s = 0.75;
	g_assert_true(sim_stats_scalar(st, "disk", "utilization") == s);
	g_assert_cmpfloat(*sim_stats_scalar(st, "disk", "utilization"), ==, 0.75);

	l = listing(st);
	g_assert_cmpstr(l, ==, "counters: hists: scalars: disk/utilization=0.75");
}

/* Kinds are separate namespaces; the key is the pair, not a joined string;
 * empty names are names. */
static void test_keys(void)
{
	g_autoptr(sim_stats) st = sim_stats_new();
	g_autofree char *l = NULL;

	*sim_stats_counter(st, "a", "x") = 1;
	sim_hist_record(sim_stats_hist(st, "a", "x"), 5);
	*sim_stats_scalar(st, "a", "x") = 2.5;
	*sim_stats_counter(st, "a", "bc") = 2;
	*sim_stats_counter(st, "ab", "c") = 3;
	*sim_stats_counter(st, "", "") = 4;
	*sim_stats_counter(st, "", "a") = 5;
	*sim_stats_counter(st, "a", "") = 6;

	g_assert_cmpuint(*sim_stats_counter(st, "a", "x"), ==, 1);
	g_assert_cmpuint(*sim_stats_counter(st, "a", "bc"), ==, 2);
	g_assert_cmpuint(*sim_stats_counter(st, "ab", "c"), ==, 3);
	g_assert_cmpuint(*sim_stats_counter(st, "", ""), ==, 4);
	g_assert_cmpuint(*sim_stats_counter(st, "", "a"), ==, 5);
	g_assert_cmpuint(*sim_stats_counter(st, "a", ""), ==, 6);

	l = listing(st);
	g_assert_cmpstr(l, ==, "counters: a/x=1 a/bc=2 ab/c=3 /=4 /a=5 a/=6 "
			"hists: a/x=1 scalars: a/x=2.5");
}

/* The registry keeps its own copy of the names. */
static void test_names_copied(void)
{
	g_autoptr(sim_stats) st = sim_stats_new();
	char module[] = "kswapd", name[] = "pages_scanned";
	uint64_t *c = sim_stats_counter(st, module, name);
	g_autofree char *l = NULL;

	*c = 9;
	memset(module, 'X', sizeof(module) - 1);
	memset(name, 'Y', sizeof(name) - 1);
	g_assert_true(sim_stats_counter(st, "kswapd", "pages_scanned") == c);

	l = listing(st);
	g_assert_cmpstr(l, ==, "counters: kswapd/pages_scanned=9 hists: scalars:");
}

struct order_walk {
	unsigned int next;
	const unsigned int *order;
};

/* Counter "m/c<k>" must come in the order of @order, with value k. */
static void check_order(const char *module, const char *name, uint64_t value,
			void *data)
{
	struct order_walk *w = data;
	unsigned int want = w->order[w->next++];
	g_autofree char *n = g_strdup_printf("c%u", want);

	g_assert_cmpstr(module, ==, "m");
	g_assert_cmpstr(name, ==, n);
	g_assert_cmpuint(value, ==, want);
}

/* Many measurements: the first pointers handed out still work after the
 * index and the arrays have grown many times, and the order is the
 * order of first use, whatever the hash does. */
static void test_stable_order(void)
{
	enum { N = 5000 };
	g_autoptr(sim_stats) st = sim_stats_new();
	g_autofree uint64_t **ptrs = g_new(uint64_t *, N);
	g_autofree struct sim_hist **hists = g_new(struct sim_hist *, N / 10);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned int *order = g_new(unsigned int, N);
	struct order_walk walk = { 0, order };

	/* A fixed shuffle, so that names are not created in sorted order. */
	for (unsigned int i = 0; i < N; i++)
		order[i] = i;
	gsl_rng_set(r, SEED);
	gsl_ran_shuffle(r, order, N, sizeof(*order));
	gsl_rng_free(r);

	for (unsigned int i = 0; i < N; i++) {
		g_autofree char *name = g_strdup_printf("c%u", order[i]);

		ptrs[i] = sim_stats_counter(st, "m", name);
		*ptrs[i] = order[i];
		if (i % 10 == 0) {
			hists[i / 10] = sim_stats_hist(st, "m", name);
			sim_hist_record(hists[i / 10], order[i]);
		}
	}
	for (unsigned int i = 0; i < N; i++) {
		g_autofree char *name = g_strdup_printf("c%u", order[i]);

		g_assert_true(sim_stats_counter(st, "m", name) == ptrs[i]);
		g_assert_cmpuint(*ptrs[i], ==, order[i]);
		if (i % 10 == 0)
			g_assert_true(sim_stats_hist(st, "m", name) ==
				      hists[i / 10]);
	}

	sim_stats_foreach_counter(st, check_order, &walk);
	g_assert_cmpuint(walk.next, ==, N);
	g_free(order);
}

/* ---- merge -------------------------------------------------------------- */

static void fill(struct sim_stats *st, const char *const *names, size_t n,
		 gsl_rng *r, struct sim_hist *shadow)
{
	for (size_t i = 0; i < n; i++) {
		struct sim_hist *h = sim_stats_hist(st, "fault", names[i]);

		*sim_stats_counter(st, "fault", names[i]) += i + 1;
		*sim_stats_scalar(st, "fault", names[i]) += 0.5 * (i + 1);
		for (unsigned int k = 0; k < 1000; k++) {
			uint64_t v = (uint64_t)gsl_ran_lognormal(r, 11, 1);

			sim_hist_record(h, v);
			if (shadow && strcmp(names[i], "major") == 0)
				sim_hist_record(shadow, v);
		}
	}
}

static void test_merge(void)
{
	static const char *const dst_names[] = { "minor", "major" };
	static const char *const src_names[] = { "retry", "major", "oom" };
	g_autoptr(sim_stats) dst = sim_stats_new();
	g_autoptr(sim_stats) src = sim_stats_new();
	g_autoptr(sim_hist) both = sim_hist_new();
	g_autofree char *src_before = NULL, *src_after = NULL, *l = NULL;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, SEED);
	fill(dst, dst_names, G_N_ELEMENTS(dst_names), r, both);
	fill(src, src_names, G_N_ELEMENTS(src_names), r, both);
	gsl_rng_free(r);

	src_before = listing(src);
	sim_stats_merge(dst, src);
	src_after = listing(src);
	g_assert_cmpstr(src_before, ==, src_after);

	/* dst's own first, then src's new ones in src's order. */
	l = listing(dst);
	g_assert_cmpstr(l, ==,
		"counters: fault/minor=1 fault/major=4 fault/retry=1 fault/oom=3 "
		"hists: fault/minor=1000 fault/major=2000 fault/retry=1000 "
		"fault/oom=1000 "
		"scalars: fault/minor=0.5 fault/major=2 fault/retry=0.5 "
		"fault/oom=1.5");

	/* The merged histogram is the one that saw both sets of values. */
	g_assert_cmpmem(sim_stats_hist(dst, "fault", "major"),
			sizeof(struct sim_hist), both, sizeof(struct sim_hist));
	/* Copied, not shared. */
	g_assert_true(sim_stats_hist(dst, "fault", "oom") !=
		      sim_stats_hist(src, "fault", "oom"));
	g_assert_cmpmem(sim_stats_hist(dst, "fault", "oom"),
			sizeof(struct sim_hist),
			sim_stats_hist(src, "fault", "oom"),
			sizeof(struct sim_hist));
}

/* Merging into an empty registry copies; merging an empty one is a no-op. */
static void test_merge_empty(void)
{
	static const char *const names[] = { "a", "b", "c" };
	g_autoptr(sim_stats) full = sim_stats_new();
	g_autoptr(sim_stats) empty = sim_stats_new();
	g_autoptr(sim_stats) copy = sim_stats_new();
	g_autofree char *before = NULL, *after = NULL, *copied = NULL;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, SEED);
	fill(full, names, G_N_ELEMENTS(names), r, NULL);
	gsl_rng_free(r);

	before = listing(full);
	sim_stats_merge(full, empty);
	after = listing(full);
	g_assert_cmpstr(before, ==, after);

	sim_stats_merge(copy, full);
	copied = listing(copy);
	g_assert_cmpstr(copied, ==, before);
}

/* ---- units and descriptions --------------------------------------------- */

static void test_units(void)
{
	g_autoptr(sim_stats) st = sim_stats_new();
	g_autoptr(sim_stats) dst = sim_stats_new();
	g_autofree char *unit = g_strdup("faults");
	uint64_t *c = sim_stats_counter(st, "fault", "faults");
	const char *desc = "x";
	struct sim_hist *h;

	/* Undeclared: no unit, no description. */
	g_assert_null(sim_stats_unit(st, SIM_STAT_COUNTER, "fault", "faults", &desc));
	g_assert_null(desc);
	g_assert_null(sim_stats_unit(st, SIM_STAT_COUNTER, "fault", "nothing", NULL));

	/* Declaring looks up the same counter; the strings are copied. */
	g_assert_true(sim_stats_counter_unit(st, "fault", "faults", unit,
					     "page faults") == c);
	unit[0] = 'X';
	g_assert_cmpstr(sim_stats_unit(st, SIM_STAT_COUNTER, "fault", "faults", &desc),
			==, "faults");
	g_assert_cmpstr(desc, ==, "page faults");

	/* NULL keeps what was declared; kinds are separate namespaces. */
	sim_stats_counter_unit(st, "fault", "faults", NULL, "all page faults");
	g_assert_cmpstr(sim_stats_unit(st, SIM_STAT_COUNTER, "fault", "faults", &desc),
			==, "faults");
	g_assert_cmpstr(desc, ==, "all page faults");
	h = sim_stats_hist_unit(st, "fault", "faults", "ns", "fault latency");
	g_assert_true(sim_stats_hist(st, "fault", "faults") == h);
	*sim_stats_scalar_unit(st, "fault", "rate", "faults/s", NULL) = 2;
	g_assert_cmpstr(sim_stats_unit(st, SIM_STAT_HIST, "fault", "faults", NULL), ==, "ns");
	g_assert_cmpstr(sim_stats_unit(st, SIM_STAT_SCALAR, "fault", "rate", &desc), ==,
			"faults/s");
	g_assert_null(desc);
	g_assert_null(sim_stats_unit(st, SIM_STAT_SCALAR, "fault", "faults", NULL));

	/* Merge copies what the destination lacks, and keeps its own. */
	sim_stats_counter_unit(dst, "fault", "faults", "pages", NULL);
	sim_stats_merge(dst, st);
	g_assert_cmpstr(sim_stats_unit(dst, SIM_STAT_COUNTER, "fault", "faults", &desc),
			==, "pages");
	g_assert_cmpstr(desc, ==, "all page faults");
	g_assert_cmpstr(sim_stats_unit(dst, SIM_STAT_SCALAR, "fault", "rate", NULL), ==,
			"faults/s");
	g_assert_cmpfloat(*sim_stats_scalar(dst, "fault", "rate"), ==, 2);
	sim_stats_merge(st, st);
	g_assert_cmpstr(sim_stats_unit(st, SIM_STAT_HIST, "fault", "faults", &desc), ==, "ns");
	g_assert_cmpstr(desc, ==, "fault latency");
}

/* Vectors: samples in order, declared attributes, emptied by a reset,
 * appended by a merge; lookups of counters that do not create them. */
static void test_vector(void)
{
	g_autoptr(sim_stats) st = sim_stats_new();
	g_autoptr(sim_stats) dst = sim_stats_new();
	struct sim_vector *v = sim_stats_vector_unit(st, "cpu", "runQueue", "tasks", "waiting",
						     "sample-hold");
	const struct sim_vector_sample *smp;
	const char *desc = NULL;
	size_t n;

	g_assert_true(sim_stats_vector_unit(st, "cpu", "runQueue", NULL, NULL, NULL) == v);
	sim_vector_record(v, 3, 1000, 2);
	sim_vector_record(v, 7, 2000, 5);
	smp = sim_vector_samples(v, &n);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpuint(smp[1].event, ==, 7);
	g_assert_cmpint(smp[1].time, ==, 2000);
	g_assert_cmpfloat(smp[1].value, ==, 5);
	g_assert_cmpstr(sim_vector_interpolation(v), ==, "sample-hold");
	g_assert_cmpstr(sim_stats_unit(st, SIM_STAT_VECTOR, "cpu", "runQueue", &desc), ==, "tasks");
	g_assert_cmpstr(desc, ==, "waiting");
	/* A vector is not a counter, and finding one creates nothing. */
	g_assert_null(sim_stats_counter_find(st, "cpu", "runQueue"));
	*sim_stats_counter(st, "fault", "faults") = 4;
	g_assert_cmpuint(*sim_stats_counter_find(st, "fault", "faults"), ==, 4);

	sim_stats_merge(dst, st);
	sim_stats_merge(dst, st);
	v = sim_stats_vector_unit(dst, "cpu", "runQueue", NULL, NULL, NULL);
	smp = sim_vector_samples(v, &n);
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpint(smp[2].time, ==, 1000);
	g_assert_cmpstr(sim_vector_interpolation(v), ==, "sample-hold");
	g_assert_cmpstr(sim_stats_unit(dst, SIM_STAT_VECTOR, "cpu", "runQueue", NULL), ==, "tasks");

	sim_stats_reset(dst);
	sim_vector_samples(v, &n);
	g_assert_cmpuint(n, ==, 0);
	g_assert_true(sim_stats_vector_unit(dst, "cpu", "runQueue", NULL, NULL, NULL) == v);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/sim/stats/counter/get-or-create", test_counter);
	g_test_add_func("/sim/stats/hist/get-or-create", test_hist);
	g_test_add_func("/sim/stats/scalar/get-or-create", test_scalar);
	g_test_add_func("/sim/stats/vector", test_vector);
	g_test_add_func("/sim/stats/keys", test_keys);
	g_test_add_func("/sim/stats/names-copied", test_names_copied);
	g_test_add_func("/sim/stats/stable-pointers-and-order",
			test_stable_order);
	g_test_add_func("/sim/stats/merge", test_merge);
	g_test_add_func("/sim/stats/merge-empty", test_merge_empty);
	g_test_add_func("/sim/stats/units", test_units);

	return g_test_run();
}
