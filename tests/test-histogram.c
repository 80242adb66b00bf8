/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests of the log-linear histogram (sim/core/histogram.h).
 *
 * Quantiles are checked against the exact nearest-rank quantile of the
 * sorted samples, for sample sets drawn from a fixed-seed MT19937: the
 * relative error must stay within SIM_HIST_MAX_REL_ERROR (1/128), and
 * small integers must come back exactly.  Moments are checked against
 * two-pass long double sums, and against closed forms where the one-pass
 * formula would cancel.  Run with -m perf for the cost of a record.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "sim/core/histogram.h"

#define SEED 20240611UL

/* ---- helpers ---------------------------------------------------------- */

struct bin {
	uint64_t lower, upper, count;
};

static void collect_bin(uint64_t lower, uint64_t upper, uint64_t count,
			void *data)
{
	struct bin b = { lower, upper, count };

	g_array_append_val((GArray *)data, b);
}

/* The non-empty bins of @h, as an array of struct bin. */
static GArray *bins_of(const struct sim_hist *h)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct bin));

	sim_hist_foreach_bin(h, collect_bin, a);
	return a;
}

static void assert_same_hist(const struct sim_hist *a, const struct sim_hist *b)
{
	g_autoptr(GArray) ba = bins_of(a);
	g_autoptr(GArray) bb = bins_of(b);

	g_assert_cmpuint(sim_hist_count(a), ==, sim_hist_count(b));
	g_assert_cmpuint(sim_hist_min(a), ==, sim_hist_min(b));
	g_assert_cmpuint(sim_hist_max(a), ==, sim_hist_max(b));
	/* Bit-exact: the sums are integers. */
	g_assert_true(sim_hist_sum(a) == sim_hist_sum(b));
	g_assert_true(sim_hist_mean(a) == sim_hist_mean(b));
	g_assert_true(sim_hist_stddev(a) == sim_hist_stddev(b));
	g_assert_cmpuint(ba->len, ==, bb->len);
	g_assert_cmpmem(ba->data, ba->len * sizeof(struct bin),
			bb->data, bb->len * sizeof(struct bin));
	g_assert_cmpmem(a, sizeof(*a), b, sizeof(*b));
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* Exact nearest-rank quantile num/den of @sorted[0..n), in integers. */
static uint64_t exact_quantile(const uint64_t *sorted, size_t n,
			       uint64_t num, uint64_t den)
{
	uint64_t rank = (num * n + den - 1) / den;

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static double rel_error(uint64_t got, uint64_t want)
{
	if (got == want)
		return 0;
	return fabs((double)got - (double)want) / (double)want;
}

/* ---- sample sets ------------------------------------------------------ */

typedef uint64_t draw_fn(gsl_rng *r);

struct sample_set {
	const char *name;
	draw_fn *draw;
	size_t n;
	bool exact;		/* every quantile must be exact */
};

/* Uniform in log scale over [1, 1e12]: 1 ns .. 1000 s. */
static uint64_t draw_log_uniform(gsl_rng *r)
{
	double v = exp(gsl_rng_uniform(r) * log(1e12));

	return v < 1 ? 1 : (uint64_t)llround(v);
}

/* Lognormal with median 80 us, sigma 1: a page-cache miss. */
static uint64_t draw_lognormal(gsl_rng *r)
{
	return (uint64_t)llround(gsl_ran_lognormal(r, log(80e3), 1.0));
}

/* Exponential with mean 5 us: think times. */
static uint64_t draw_exponential(gsl_rng *r)
{
	return (uint64_t)llround(gsl_ran_exponential(r, 5e3));
}

static uint64_t draw_constant(gsl_rng *r)
{
	return 12345678;
}

static uint64_t draw_small(gsl_rng *r)
{
	return gsl_rng_uniform_int(r, 64);
}

/* Retries per fault: mostly 0, a geometric tail. */
static uint64_t draw_retries(gsl_rng *r)
{
	return gsl_ran_geometric(r, 0.4) - 1;
}

/* Pareto with shape 1.1 from 1 us: a heavy tail, kept below the limit. */
static uint64_t draw_pareto(gsl_rng *r)
{
	double v = gsl_ran_pareto(r, 1.1, 1e3);

	return v >= 1e12 ? UINT64_C(1000000000000) : (uint64_t)llround(v);
}

static const struct sample_set sample_sets[] = {
	{ "log-uniform", draw_log_uniform, 200000, false },
	{ "lognormal", draw_lognormal, 200000, false },
	{ "exponential", draw_exponential, 200000, false },
	{ "constant", draw_constant, 1000, true },
	{ "small-integers", draw_small, 100000, true },
	{ "retries", draw_retries, 100000, true },
	{ "pareto", draw_pareto, 200000, false },
};

static uint64_t *draw_samples(const struct sample_set *set)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	uint64_t *v = g_new(uint64_t, set->n);

	gsl_rng_set(r, SEED);
	for (size_t i = 0; i < set->n; i++)
		v[i] = set->draw(r);
	gsl_rng_free(r);
	return v;
}

/* The quantiles the reports use, as num/1000000. */
static const uint64_t report_q[] = {
	0, 10000, 100000, 500000, 900000, 990000, 999000, 999900, 1000000,
};

static void test_quantile_set(gconstpointer p)
{
	const struct sample_set *set = p;
	g_autofree uint64_t *v = draw_samples(set);
	g_autoptr(sim_hist) h = sim_hist_new();
	double worst = 0;

	for (size_t i = 0; i < set->n; i++)
		sim_hist_record(h, v[i]);
	qsort(v, set->n, sizeof(*v), cmp_u64);

	g_assert_cmpuint(sim_hist_count(h), ==, set->n);
	g_assert_cmpuint(sim_hist_min(h), ==, v[0]);
	g_assert_cmpuint(sim_hist_max(h), ==, v[set->n - 1]);

	/* The reported quantiles, then every permille. */
	for (unsigned int i = 0; i < G_N_ELEMENTS(report_q) + 1001; i++) {
		uint64_t num = i < G_N_ELEMENTS(report_q) ?
			report_q[i] : (i - G_N_ELEMENTS(report_q)) * 1000;
		uint64_t want = exact_quantile(v, set->n, num, 1000000);
		uint64_t got = sim_hist_quantile(h, num / 1e6);
		double err = rel_error(got, want);

		if (set->exact || num == 0 || num == 1000000)
			g_assert_cmpuint(got, ==, want);
		if (err > SIM_HIST_MAX_REL_ERROR || err > 0.01)
			g_error("%s: q=%g: got %" G_GUINT64_FORMAT
				" want %" G_GUINT64_FORMAT " (error %g)",
				set->name, num / 1e6, got, want, err);
		worst = MAX(worst, err);
	}
	g_test_message("%s: worst relative error %.5f%%", set->name,
		       100 * worst);
}

/* ---- quantile definition ---------------------------------------------- */

/* Values 0..n-1 are exact, so this checks the rank of every permille. */
static void test_quantile_rank(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();

	for (uint64_t n = 1; n <= 128; n++) {
		sim_hist_reset(h);
		for (uint64_t v = 0; v < n; v++)
			sim_hist_record(h, v);
		for (uint64_t num = 0; num <= 1000; num++) {
			uint64_t rank = MAX((num * n + 999) / 1000, 1);

			g_assert_cmpuint(sim_hist_quantile(h, num / 1000.0), ==,
					 rank - 1);
		}
	}
}

/* p99.9 of 1000 values is the 999th, although 0.999 * 1000 > 999 in
 * binary; the classic off-by-one that would report the max. */
static void test_quantile_p999(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();

	sim_hist_record_n(h, 5, 999);
	sim_hist_record(h, 100000);
	g_assert_cmpuint(sim_hist_quantile(h, 0.999), ==, 5);
	g_assert_cmpuint(sim_hist_quantile(h, 0.9991), ==, 100000);
	g_assert_cmpuint(sim_hist_quantile(h, 1.0), ==, 100000);
}

static void test_quantile_edges(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();
	uint64_t q;

	/* Neither value is a bin midpoint: q=0 and q=1 are still exact. */
	sim_hist_record(h, 1000003);
	sim_hist_record(h, 7777777);
	g_assert_cmpuint(sim_hist_quantile(h, 0.0), ==, 1000003);
	g_assert_cmpuint(sim_hist_quantile(h, 1e-9), ==, 1000003);
	g_assert_cmpuint(sim_hist_quantile(h, 0.5), ==, 1000003);
	g_assert_cmpuint(sim_hist_quantile(h, 0.5000001), ==, 7777777);
	g_assert_cmpuint(sim_hist_quantile(h, 1.0), ==, 7777777);

	/* All values in one wide bin: the midpoint is clamped to [min, max]. */
	sim_hist_reset(h);
	for (uint64_t v = 1000000; v < 1000006; v++)
		sim_hist_record(h, v);
	q = sim_hist_quantile(h, 0.5);
	g_assert_cmpuint(q, >=, 1000000);
	g_assert_cmpuint(q, <=, 1000005);
}

/* q outside [0, 1] is a programming error: a critical, and 0. */
static void test_quantile_bad_q(void)
{
	if (g_test_subprocess()) {
		g_autoptr(sim_hist) h = sim_hist_new();

		sim_hist_record(h, 1);
		g_assert_cmpuint(sim_hist_quantile(h, 1.5), ==, 0);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*CRITICAL*q >= 0.0*");
}

/* ---- layout ------------------------------------------------------------ */

/* Every bin in turn: contiguous from 0 to SIM_HIST_LIMIT, width 1 below
 * 128, otherwise at most 1/64 of the lower edge, and a power of two. */
static void test_layout(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();
	g_autoptr(GArray) bins = NULL;
	uint64_t expect_lower = 0;

	for (uint64_t v = 0; v < 128; v++)
		sim_hist_record(h, v);
	for (unsigned int e = 7; e < SIM_HIST_RANGE_BITS; e++)
		for (uint64_t k = 64; k < 128; k++)
			sim_hist_record(h, k << (e - 6));
	sim_hist_record(h, SIM_HIST_LIMIT);

	bins = bins_of(h);
	g_assert_cmpuint(bins->len, ==, SIM_HIST_NR_BINS + 1);
	for (unsigned int i = 0; i < SIM_HIST_NR_BINS; i++) {
		const struct bin *b = &g_array_index(bins, struct bin, i);
		uint64_t width = b->upper - b->lower;

		g_assert_cmpuint(b->lower, ==, expect_lower);
		g_assert_cmpuint(b->count, ==, 1);
		g_assert_cmpuint(width, >=, 1);
		g_assert_true((width & (width - 1)) == 0);
		if (b->lower < 128)
			g_assert_cmpuint(width, ==, 1);
		else
			g_assert_cmpuint(width * 64, <=, b->lower);
		expect_lower = b->upper;
	}
	g_assert_cmpuint(expect_lower, ==, SIM_HIST_LIMIT);
}

/* Single values around every power of two and at random: each lands in a
 * bin that contains it, and the bin midpoint is within the bound. */
static void test_layout_probe(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	GArray *probes = g_array_new(FALSE, FALSE, sizeof(uint64_t));

	gsl_rng_set(r, SEED);
	for (unsigned int e = 0; e < 64; e++) {
		uint64_t p = UINT64_C(1) << e;
		uint64_t around[] = { p - 1, p, p + 1, p + p / 2 };

		g_array_append_vals(probes, around, G_N_ELEMENTS(around));
	}
	for (unsigned int i = 0; i < 5000; i++) {
		uint64_t v = draw_log_uniform(r);

		g_array_append_val(probes, v);
	}
	g_array_append_vals(probes, (uint64_t[]){ 0, UINT64_MAX }, 2);

	for (unsigned int i = 0; i < probes->len; i++) {
		uint64_t v = g_array_index(probes, uint64_t, i);
		g_autoptr(GArray) bins = NULL;
		const struct bin *b;

		sim_hist_reset(h);
		sim_hist_record(h, v);
		bins = bins_of(h);
		g_assert_cmpuint(bins->len, ==, 1);
		b = &g_array_index(bins, struct bin, 0);
		g_assert_cmpuint(b->count, ==, 1);
		g_assert_cmpuint(b->lower, <=, v);
		if (v >= SIM_HIST_LIMIT) {
			g_assert_cmpuint(b->lower, ==, SIM_HIST_LIMIT);
			g_assert_cmpuint(sim_hist_bin_index(v), ==,
					 SIM_HIST_OVERFLOW);
			continue;
		}
		g_assert_cmpuint(v, <, b->upper);
		if (v > 0) {
			uint64_t mid = b->lower + (b->upper - b->lower) / 2;

			g_assert_cmpfloat(rel_error(mid, v), <=,
					  SIM_HIST_MAX_REL_ERROR);
		}
	}
	g_array_free(probes, TRUE);
	gsl_rng_free(r);
}

/* sim_hist_bin_index() against the layout spelled out: every value below
 * 2^20, and around every power of two. */
static unsigned int ref_bin_index(uint64_t v)
{
	unsigned int e, shift;

	if (v >= SIM_HIST_LIMIT)
		return SIM_HIST_OVERFLOW;
	if (v < (2u << SIM_HIST_SUB_BITS))
		return (unsigned int)v;
	for (e = 0; v >> (e + 1); e++)
		;
	shift = e - SIM_HIST_SUB_BITS;
	return (shift << SIM_HIST_SUB_BITS) + (unsigned int)(v >> shift);
}

static void test_layout_index(void)
{
	for (uint64_t v = 0; v < (UINT64_C(1) << 20); v++)
		if (sim_hist_bin_index(v) != ref_bin_index(v))
			g_error("bin of %" G_GUINT64_FORMAT ": %u, not %u", v,
				sim_hist_bin_index(v), ref_bin_index(v));
	for (unsigned int e = 0; e < 64; e++) {
		uint64_t p = UINT64_C(1) << e;
		uint64_t around[] = { p - 2, p - 1, p, p + 1, p + p / 2, p + (p - 1) };

		for (unsigned int i = 0; i < G_N_ELEMENTS(around); i++)
			g_assert_cmpuint(sim_hist_bin_index(around[i]), ==,
					 ref_bin_index(around[i]));
	}
	g_assert_cmpuint(sim_hist_bin_index(UINT64_MAX), ==, SIM_HIST_OVERFLOW);
}

/* ---- moments ----------------------------------------------------------- */

static void test_moments_set(gconstpointer p)
{
	const struct sample_set *set = p;
	g_autofree uint64_t *v = draw_samples(set);
	g_autoptr(sim_hist) h = sim_hist_new();
	long double sum = 0, mean, ss = 0, sd;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < set->n; i++) {
		sim_hist_record(h, v[i]);
		sum += v[i];
		lo = MIN(lo, v[i]);
		hi = MAX(hi, v[i]);
	}
	mean = sum / set->n;
	for (size_t i = 0; i < set->n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	sd = sqrtl(ss / (set->n - 1));

	g_assert_cmpuint(sim_hist_min(h), ==, lo);
	g_assert_cmpuint(sim_hist_max(h), ==, hi);
	g_assert_cmpfloat_with_epsilon(sim_hist_sum(h), sum, 1e-12 * sum);
	g_assert_cmpfloat_with_epsilon(sim_hist_mean(h), mean, 1e-12 * mean);
	g_assert_cmpfloat_with_epsilon(sim_hist_stddev(h), sd,
				       1e-9 * sd + 1e-12 * mean);
}

/* A spread of 1 around 1e12: the one-pass formula in doubles gives noise
 * here (1e24 +- 1); the exact sums give the closed form. */
static void test_moments_large_offset(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();
	const uint64_t base = 1000000000000ULL, m = 1000;

	for (uint64_t i = 0; i < m; i++)
		for (uint64_t k = 0; k < 3; k++)
			sim_hist_record(h, base + k);
	g_assert_true(sim_hist_mean(h) == (double)(base + 1));
	/* sum of squared deviations 2m over 3m - 1 degrees of freedom */
	g_assert_cmpfloat_with_epsilon(sim_hist_stddev(h),
				       sqrt(2.0 * m / (3.0 * m - 1)), 1e-15);
	g_assert_true(sim_hist_sum(h) == (double)(3 * m * (base + 1)));
}

/* The widest values: the sums need their 128 and 192 bits. */
static void test_moments_huge(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();

	sim_hist_record(h, UINT64_MAX);
	sim_hist_record(h, UINT64_MAX - 2);
	g_assert_true(sim_hist_mean(h) == (double)UINT64_MAX);
	g_assert_cmpfloat_with_epsilon(sim_hist_stddev(h), sqrt(2.0), 1e-15);

	/*
	 * n * S2 and S1^2 agree on their second limb and the first borrows:
	 * n * S2 - S1^2 = 2^128 - 2^64 + 0x4f385a089d68, through a borrow
	 * chain over two limbs.
	 */
	sim_hist_reset(h);
	sim_hist_record(h, 0);
	sim_hist_record(h, UINT64_C(15061703465432641378));
	sim_hist_record(h, UINT64_C(7530851786011593736));
	g_assert_cmpfloat_with_epsilon(sim_hist_stddev(h) / sqrt(ldexp(1, 128) / 6),
				       1.0, 1e-12);

	sim_hist_reset(h);
	sim_hist_record_n(h, UINT64_MAX, UINT64_MAX);
	g_assert_cmpuint(sim_hist_count(h), ==, UINT64_MAX);
	g_assert_true(sim_hist_stddev(h) == 0);
	g_assert_true(sim_hist_mean(h) == (double)UINT64_MAX);
	g_assert_true(sim_hist_sum(h) == ldexp(1.0, 128));
}

static void test_empty(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();
	g_autoptr(GArray) bins = bins_of(h);

	g_assert_cmpuint(bins->len, ==, 0);
	g_assert_cmpuint(sim_hist_count(h), ==, 0);
	g_assert_cmpuint(sim_hist_min(h), ==, 0);
	g_assert_cmpuint(sim_hist_max(h), ==, 0);
	g_assert_cmpfloat(sim_hist_mean(h), ==, 0);
	g_assert_cmpfloat(sim_hist_stddev(h), ==, 0);
	g_assert_cmpfloat(sim_hist_sum(h), ==, 0);
	g_assert_cmpuint(sim_hist_quantile(h, 0), ==, 0);
	g_assert_cmpuint(sim_hist_quantile(h, 0.5), ==, 0);
	g_assert_cmpuint(sim_hist_quantile(h, 1), ==, 0);

	/* One value: stddev 0, every quantile is that value. */
	sim_hist_record(h, 777777);
	g_assert_cmpfloat(sim_hist_stddev(h), ==, 0);
	g_assert_cmpuint(sim_hist_quantile(h, 0.3), ==, 777777);
}

/* ---- overflow, reset, record_n, merge, foreach ------------------------- */

static void test_overflow(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();
	g_autoptr(GArray) bins = NULL;
	const struct bin *b;
	uint64_t vals[] = {
		5, SIM_HIST_LIMIT - 1, SIM_HIST_LIMIT, UINT64_C(1) << 50,
		UINT64_MAX,
	};
	long double sum = 0;

	for (unsigned int i = 0; i < G_N_ELEMENTS(vals); i++) {
		sim_hist_record(h, vals[i]);
		sum += vals[i];
	}
	g_assert_cmpuint(sim_hist_count(h), ==, 5);
	g_assert_cmpuint(sim_hist_max(h), ==, UINT64_MAX);
	g_assert_true(sim_hist_sum(h) == (double)sum);

	bins = bins_of(h);
	g_assert_cmpuint(bins->len, ==, 3);
	b = &g_array_index(bins, struct bin, 2);
	g_assert_cmpuint(b->lower, ==, SIM_HIST_LIMIT);
	g_assert_cmpuint(b->upper, ==, UINT64_MAX);
	g_assert_cmpuint(b->count, ==, 3);

	g_assert_cmpuint(sim_hist_quantile(h, 0.2), ==, 5);
	g_assert_cmpfloat(rel_error(sim_hist_quantile(h, 0.4),
				    SIM_HIST_LIMIT - 1), <=,
			  SIM_HIST_MAX_REL_ERROR);
	/* Ranks in the overflow bin report the max. */
	g_assert_cmpuint(sim_hist_quantile(h, 0.6), ==, UINT64_MAX);
	g_assert_cmpuint(sim_hist_quantile(h, 1.0), ==, UINT64_MAX);

	/* A bounded overflow bin ends just after the max. */
	sim_hist_reset(h);
	sim_hist_record(h, SIM_HIST_LIMIT + 10);
	g_clear_pointer(&bins, g_array_unref);
	bins = bins_of(h);
	g_assert_cmpuint(bins->len, ==, 1);
	b = &g_array_index(bins, struct bin, 0);
	g_assert_cmpuint(b->upper, ==, SIM_HIST_LIMIT + 11);
	g_assert_cmpuint(sim_hist_quantile(h, 0.5), ==, SIM_HIST_LIMIT + 10);
}

static void test_reset(void)
{
	g_autoptr(sim_hist) h = sim_hist_new();
	g_autoptr(sim_hist) fresh = sim_hist_new();
	g_autoptr(GArray) bins = NULL;

	for (uint64_t v = 0; v < 100000; v += 7)
		sim_hist_record(h, v * v);
	sim_hist_record(h, UINT64_MAX);
	sim_hist_reset(h);

	bins = bins_of(h);
	g_assert_cmpuint(bins->len, ==, 0);
	g_assert_cmpuint(sim_hist_count(h), ==, 0);
	g_assert_cmpuint(sim_hist_min(h), ==, 0);
	g_assert_cmpuint(sim_hist_max(h), ==, 0);
	g_assert_cmpuint(sim_hist_quantile(h, 0.5), ==, 0);
	assert_same_hist(h, fresh);

	/* Usable again, min included. */
	sim_hist_record(h, 42);
	g_assert_cmpuint(sim_hist_min(h), ==, 42);
	g_assert_cmpuint(sim_hist_max(h), ==, 42);
}

static void test_record_n(void)
{
	g_autoptr(sim_hist) a = sim_hist_new();
	g_autoptr(sim_hist) b = sim_hist_new();
	const uint64_t vals[] = {
		0, 1, 127, 128, 12345, 99999999, SIM_HIST_LIMIT - 1,
		SIM_HIST_LIMIT, UINT64_C(0xfedcba9876543210), UINT64_MAX,
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(vals); i++) {
		uint64_t n = 1 + 37 * i;

		sim_hist_record_n(a, vals[i], n);
		for (uint64_t k = 0; k < n; k++)
			sim_hist_record(b, vals[i]);
	}
	sim_hist_record_n(a, 3, 0);	/* n = 0 records nothing */
	assert_same_hist(a, b);
}

/* sim_hist_record_zero() is sim_hist_record(h, 0): into an empty
 * histogram, and among other values before and after. */
static void test_record_zero(void)
{
	g_autoptr(sim_hist) a = sim_hist_new();
	g_autoptr(sim_hist) b = sim_hist_new();
	const uint64_t vals[] = { 5, 0, 127, 128, 99999999, SIM_HIST_LIMIT, UINT64_MAX };

	sim_hist_record_zero(a);
	sim_hist_record(b, 0);
	assert_same_hist(a, b);
	for (unsigned int i = 0; i < G_N_ELEMENTS(vals); i++) {
		sim_hist_record(a, vals[i]);
		sim_hist_record(b, vals[i]);
		for (unsigned int k = 0; k < i; k++) {
			sim_hist_record_zero(a);
			sim_hist_record(b, 0);
		}
		assert_same_hist(a, b);
	}
	g_assert_cmpmem(a, sizeof(*a), b, sizeof(*b));	/* every field */
}

static void test_merge(void)
{
	g_autoptr(sim_hist) a = sim_hist_new();
	g_autoptr(sim_hist) b = sim_hist_new();
	g_autoptr(sim_hist) both = sim_hist_new();
	g_autoptr(sim_hist) empty = sim_hist_new();
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, SEED);
	for (unsigned int i = 0; i < 50000; i++) {
		uint64_t v = draw_lognormal(r);

		sim_hist_record(a, v);
		sim_hist_record(both, v);
	}
	for (unsigned int i = 0; i < 30000; i++) {
		uint64_t v = draw_log_uniform(r);

		sim_hist_record(b, v);
		sim_hist_record(both, v);
	}
	sim_hist_record(b, UINT64_MAX);
	sim_hist_record(both, UINT64_MAX);
	gsl_rng_free(r);

	sim_hist_merge(a, b);
	assert_same_hist(a, both);

	/* Merging an empty histogram changes nothing; into one copies. */
	sim_hist_merge(a, empty);
	assert_same_hist(a, both);
	sim_hist_merge(empty, both);
	assert_same_hist(empty, both);
}

/* The carry through a full limb: the squares of the first set sum to
 * 2^128 - 1, and the 1 of the second carries through two limbs. */
static void test_merge_carry(void)
{
	static const uint64_t first[] = {
		UINT64_MAX, 6074000999, 107542, 901, 108,
	};
	g_autoptr(sim_hist) a = sim_hist_new();
	g_autoptr(sim_hist) b = sim_hist_new();
	g_autoptr(sim_hist) both = sim_hist_new();

	for (unsigned int i = 0; i < G_N_ELEMENTS(first); i++) {
		sim_hist_record(a, first[i]);
		sim_hist_record(both, first[i]);
	}
	g_assert_cmpuint(a->sumsq[0], ==, UINT64_MAX);
	g_assert_cmpuint(a->sumsq[1], ==, UINT64_MAX);
	sim_hist_record(b, 1);
	sim_hist_record(both, 1);
	g_assert_cmpuint(both->sumsq[2], ==, 1);

	sim_hist_merge(a, b);
	assert_same_hist(a, both);
}

struct bin_walk {
	uint64_t total;
	uint64_t last_upper;
	unsigned int calls;
};

static void check_bin(uint64_t lower, uint64_t upper, uint64_t count,
		      void *data)
{
	struct bin_walk *w = data;

	g_assert_cmpuint(count, >, 0);
	g_assert_cmpuint(lower, <, upper);
	if (w->calls)
		g_assert_cmpuint(lower, >=, w->last_upper);
	w->last_upper = upper;
	w->total += count;
	w->calls++;
}

static void test_foreach_bin(gconstpointer p)
{
	const struct sample_set *set = p;
	g_autofree uint64_t *v = draw_samples(set);
	g_autoptr(sim_hist) h = sim_hist_new();
	struct bin_walk w = { 0 };

	for (size_t i = 0; i < set->n; i++)
		sim_hist_record(h, v[i]);
	sim_hist_foreach_bin(h, check_bin, &w);
	g_assert_cmpuint(w.total, ==, sim_hist_count(h));
	g_assert_cmpuint(w.calls, >, 0);
}

/* ---- cost of a record (-m perf) ---------------------------------------- */

static void test_perf_record(void)
{
	const unsigned int nvals = 1u << 16, rounds = 1500;
	g_autoptr(sim_hist) h = sim_hist_new();
	g_autofree uint64_t *v = g_new(uint64_t, nvals);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double secs, ns;

	if (!g_test_perf()) {
		g_test_skip("run with -m perf");
		gsl_rng_free(r);
		return;
	}
	gsl_rng_set(r, SEED);
	for (unsigned int i = 0; i < nvals; i++)
		v[i] = draw_lognormal(r);
	gsl_rng_free(r);

	g_test_timer_start();
	for (unsigned int k = 0; k < rounds; k++)
		for (unsigned int i = 0; i < nvals; i++)
			sim_hist_record(h, v[i]);
	secs = g_test_timer_elapsed();
	ns = secs * 1e9 / ((double)rounds * nvals);
	g_assert_cmpuint(sim_hist_count(h), ==, (uint64_t)rounds * nvals);
	g_test_minimized_result(ns, "sim_hist_record: %.2f ns per value", ns);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	for (unsigned int i = 0; i < G_N_ELEMENTS(sample_sets); i++) {
		const struct sample_set *set = &sample_sets[i];
		g_autofree char *qpath = g_strdup_printf(
			"/sim/histogram/quantile/%s", set->name);
		g_autofree char *mpath = g_strdup_printf(
			"/sim/histogram/moments/%s", set->name);
		g_autofree char *fpath = g_strdup_printf(
			"/sim/histogram/foreach-bin/%s", set->name);

		g_test_add_data_func(qpath, set, test_quantile_set);
		g_test_add_data_func(mpath, set, test_moments_set);
		g_test_add_data_func(fpath, set, test_foreach_bin);
	}
	g_test_add_func("/sim/histogram/quantile/rank", test_quantile_rank);
	g_test_add_func("/sim/histogram/quantile/p999-of-1000",
			test_quantile_p999);
	g_test_add_func("/sim/histogram/quantile/edges", test_quantile_edges);
	g_test_add_func("/sim/histogram/quantile/bad-q", test_quantile_bad_q);
	g_test_add_func("/sim/histogram/layout/contiguous", test_layout);
	g_test_add_func("/sim/histogram/layout/probe", test_layout_probe);
	g_test_add_func("/sim/histogram/layout/index", test_layout_index);
	g_test_add_func("/sim/histogram/moments/large-offset",
			test_moments_large_offset);
	g_test_add_func("/sim/histogram/moments/huge", test_moments_huge);
	g_test_add_func("/sim/histogram/empty", test_empty);
	g_test_add_func("/sim/histogram/overflow", test_overflow);
	g_test_add_func("/sim/histogram/reset", test_reset);
	g_test_add_func("/sim/histogram/record-n", test_record_n);
	g_test_add_func("/sim/histogram/record-zero", test_record_zero);
	g_test_add_func("/sim/histogram/merge", test_merge);
	g_test_add_func("/sim/histogram/merge/carry", test_merge_carry);
	g_test_add_func("/sim/histogram/perf/record", test_perf_record);

	return g_test_run();
}
