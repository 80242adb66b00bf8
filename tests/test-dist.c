/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests for sim/core/dist.c: parsing every form and printing it back, an error
 * with the right code and a helpful message for every kind of bad spec,
 * sample moments against theory for every distribution, Zipf rank
 * frequencies against the exact law, Zipf over ten million items, the Zipf
 * sampler draw for draw against the one before its squeeze (random draws
 * and uniforms aimed at every edge of its tests), index ranges, and
 * reproducibility from a seed.
 *
 * On the statistical tolerances: every check of a sample statistic allows
 * five standard errors.  The sample mean of n draws has standard error
 * sqrt(var / n); the sample variance has standard error close to
 * sqrt((m4 - var^2) / n), with m4 the fourth central moment, estimated from
 * the same draws.  By the central limit theorem a correct sampler misses a
 * five-SE band with probability about 6e-7.  The generator is MT19937 with
 * a fixed seed, so each test is deterministic: it cannot flake, and if a
 * change to the code makes one fail, the odds are overwhelmingly that the
 * sampler (or the theory) is wrong rather than that the draws were unlucky.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include "sim/core/dist.h"
#include "sim/core/rng.h"

#define N_DRAWS 200000
#define SEED 20240601UL

static gsl_rng *rng_new(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, seed);
	return r;
}

static struct sim_dist *parse_ok(const char *text, enum sim_unit unit)
{
	g_autoptr(GError) error = NULL;
	struct sim_dist *d = sim_dist_parse(text, unit, &error);

	g_assert_no_error(error);
	g_assert_nonnull(d);
	return d;
}

/* ---------------------------------------------------------------------- */
/* Parsing and printing */

struct parse_case {
	const char *text;
	enum sim_unit unit;
	enum sim_dist_kind kind;
	const char *printed;	/* sim_dist_to_string() */
	double mean;		/* NAN: not checked */
};

static const struct parse_case parse_cases[] = {
	{ "80us", SIM_UNIT_TIME, SIM_DIST_CONST, "80us", 80000 },
	{ "  80 us  ", SIM_UNIT_TIME, SIM_DIST_CONST, "80us", 80000 },
	{ "0", SIM_UNIT_TIME, SIM_DIST_CONST, "0", 0 },
	{ "const(1.5ms)", SIM_UNIT_TIME, SIM_DIST_CONST, "1500us", 1.5e6 },
	{ " const ( 1.5ms ) ", SIM_UNIT_TIME, SIM_DIST_CONST, "1500us", 1.5e6 },
	{ "const(-3)", SIM_UNIT_NONE, SIM_DIST_CONST, "-3", -3 },
	{ "exp(5us)", SIM_UNIT_TIME, SIM_DIST_EXP, "exp(5us)", 5000 },
	{ "exp( 5 us )", SIM_UNIT_TIME, SIM_DIST_EXP, "exp(5us)", 5000 },
	{ "exp(0.5ns)", SIM_UNIT_TIME, SIM_DIST_EXP, "exp(0.5ns)", 0.5 },
	{ "exp(0)", SIM_UNIT_TIME, SIM_DIST_EXP, "exp(0)", 0 },
	{ "exp(4KiB)", SIM_UNIT_SIZE, SIM_DIST_EXP, "exp(4KiB)", 4096 },
	{ "exp(1.5B)", SIM_UNIT_SIZE, SIM_DIST_EXP, "exp(1.5B)", 1.5 },
	{ "exp(2.5)", SIM_UNIT_NONE, SIM_DIST_EXP, "exp(2.5)", 2.5 },
	{ "lognormal(80us,0.3)", SIM_UNIT_TIME, SIM_DIST_LOGNORMAL,
	  "lognormal(80us,0.3)", 80000 },
	{ "lognormal(1e3, 0)", SIM_UNIT_NONE, SIM_DIST_LOGNORMAL,
	  "lognormal(1000,0)", 1000 },
	{ "uniform(1us, 3us)", SIM_UNIT_TIME, SIM_DIST_UNIFORM,
	  "uniform(1us,3us)", 2000 },
	{ "uniform(-0.5,2.5)", SIM_UNIT_NONE, SIM_DIST_UNIFORM,
	  "uniform(-0.5,2.5)", 1 },
	{ "uniform(2us,2us)", SIM_UNIT_TIME, SIM_DIST_UNIFORM,
	  "uniform(2us,2us)", 2000 },
	{ "normal(10us,2us)", SIM_UNIT_TIME, SIM_DIST_NORMAL,
	  "normal(10us,2us)", NAN },
	{ "normal(1.5GiB,1MB)", SIM_UNIT_SIZE, SIM_DIST_NORMAL,
	  "normal(1536MiB,1000000B)", NAN },
	{ "zipf(1.1)", SIM_UNIT_NONE, SIM_DIST_ZIPF, "zipf(1.1)", NAN },
	{ "zipf(1.1)", SIM_UNIT_TIME, SIM_DIST_ZIPF, "zipf(1.1)", NAN },
	{ "zipf(0.8, 1000)", SIM_UNIT_SIZE, SIM_DIST_ZIPF, "zipf(0.8,1000)",
	  NAN },
	{ "zipf(1,1e6)", SIM_UNIT_NONE, SIM_DIST_ZIPF, "zipf(1,1000000)", NAN },
	{ "zipf(2,1)", SIM_UNIT_NONE, SIM_DIST_ZIPF, "zipf(2,1)", 0 },
};

static void test_parse(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		g_autoptr(sim_dist) d = NULL;
		g_autofree char *s = NULL;

		g_test_message("'%s'", c->text);
		d = parse_ok(c->text, c->unit);
		g_assert_cmpint(sim_dist_kind(d), ==, c->kind);
		s = sim_dist_to_string(d);
		g_assert_cmpstr(s, ==, c->printed);
		if (!isnan(c->mean))
			g_assert_cmpfloat(sim_dist_mean(d), ==, c->mean);
	}
}

/* to_string, parse again: the same distribution, exactly. */
static void check_round_trip(const struct sim_dist *d, enum sim_unit unit)
{
	g_autofree char *s1 = sim_dist_to_string(d);
	g_autoptr(sim_dist) back = parse_ok(s1, unit);
	g_autofree char *s2 = sim_dist_to_string(back);

	g_assert_cmpstr(s1, ==, s2);
	g_assert_cmpint(sim_dist_kind(back), ==, sim_dist_kind(d));
	g_assert_cmpuint(sim_dist_range(back), ==, sim_dist_range(d));
	if (sim_dist_kind(d) != SIM_DIST_ZIPF || sim_dist_range(d) != 0) {
		g_assert_cmpfloat(sim_dist_mean(back), ==, sim_dist_mean(d));
		g_assert_cmpfloat(sim_dist_variance(back), ==,
				  sim_dist_variance(d));
	}
}

static void test_round_trip(void)
{
	static const char *const forms[] = {
		"const(%s)", "exp(%s)", "lognormal(%s,0.25)", "uniform(%s,%s)",
		"normal(%s,%s)",
	};
	static const char *const units[] = {
		[SIM_UNIT_NONE] = "", [SIM_UNIT_TIME] = "ns",
		[SIM_UNIT_SIZE] = "B",
	};
	gsl_rng *r = rng_new(SEED);

	for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		g_autoptr(sim_dist) d = parse_ok(parse_cases[i].text,
						 parse_cases[i].unit);

		check_round_trip(d, parse_cases[i].unit);
	}

	/* Arbitrary doubles, in every unit: printing must lose nothing. */
	for (int i = 0; i < 3000; i++) {
		enum sim_unit unit = (enum sim_unit)(i % 3);
		double a = ldexp(gsl_rng_uniform_pos(r),
				 (int)gsl_rng_uniform_int(r, 80) - 20);
		double b = a * (1.0 + gsl_rng_uniform(r));
		char sa[64], sb[64];
		g_autofree char *text = NULL;
		g_autoptr(sim_dist) d = NULL;
		const char *form = forms[i % G_N_ELEMENTS(forms)];

		if (gsl_rng_uniform(r) < 0.3) {
			/* Whole values take the unit-formatting path. */
			a = floor(a);
			b = floor(b);
		}
		g_snprintf(sa, sizeof(sa), "%.17g%s", a, units[unit]);
		g_snprintf(sb, sizeof(sb), "%.17g%s", b, units[unit]);
		text = g_strdup_printf(form, sa, sb);
		d = parse_ok(text, unit);
		check_round_trip(d, unit);
	}

	/* Zipf, with and without N, with S near 1. */
	for (int i = 0; i < 200; i++) {
		double s = i % 2 ? 1.0 + ldexp(gsl_rng_uniform_pos(r), -30)
				 : 4.0 * gsl_rng_uniform_pos(r);
		g_autofree char *text = NULL;
		g_autoptr(sim_dist) d = NULL;

		if (i % 3 == 0)
			text = g_strdup_printf("zipf(%.17g)", s);
		else
			text = g_strdup_printf("zipf(%.17g,%d)", s, 1 + i);
		d = parse_ok(text, SIM_UNIT_NONE);
		check_round_trip(d, SIM_UNIT_NONE);
	}
	gsl_rng_free(r);
}

/* ---------------------------------------------------------------------- */
/* Bad specs */

struct bad_case {
	const char *text;
	enum sim_unit unit;
	int code;
	const char *says;	/* a substring of the message */
};

static const struct bad_case bad_cases[] = {
	{ "", SIM_UNIT_TIME, SIM_ERROR_PARSE, "empty" },
	{ "   ", SIM_UNIT_TIME, SIM_ERROR_PARSE, "empty" },
	{ "gamma(1us)", SIM_UNIT_TIME, SIM_ERROR_UNKNOWN,
	  "unknown distribution 'gamma(1us)': accepted are const(V), "
	  "exp(MEAN), lognormal(MEAN,SIGMA), uniform(A,B), normal(MEAN,SD), "
	  "zipf(S[,N]), or a plain value such as 80us" },
	{ "gamma", SIM_UNIT_SIZE, SIM_ERROR_UNKNOWN, "such as 4KiB" },
	{ "Exp(1us)", SIM_UNIT_TIME, SIM_ERROR_UNKNOWN, "unknown distribution" },
	{ "(1us)", SIM_UNIT_TIME, SIM_ERROR_UNKNOWN, "unknown distribution" },
	{ "exp", SIM_UNIT_TIME, SIM_ERROR_PARSE, "missing arguments" },
	{ "exp()", SIM_UNIT_TIME, SIM_ERROR_PARSE,
	  "exp takes 1 argument, not 0" },
	{ "exp(1us,2us)", SIM_UNIT_TIME, SIM_ERROR_PARSE,
	  "exp takes 1 argument, not 2" },
	{ "exp(1us,)", SIM_UNIT_TIME, SIM_ERROR_PARSE, "not 2" },
	{ "uniform(1us)", SIM_UNIT_TIME, SIM_ERROR_PARSE,
	  "uniform takes 2 arguments, not 1" },
	{ "uniform(1us,,2us)", SIM_UNIT_TIME, SIM_ERROR_PARSE, "not 3" },
	{ "zipf(1,2,3)", SIM_UNIT_NONE, SIM_ERROR_PARSE,
	  "zipf takes 1 or 2 arguments, not 3" },
	{ "zipf()", SIM_UNIT_NONE, SIM_ERROR_PARSE,
	  "zipf takes 1 or 2 arguments, not 0" },
	{ "exp(80 parsecs)", SIM_UNIT_TIME, SIM_ERROR_PARSE,
	  "MEAN: bad time '80 parsecs': unknown unit 'parsecs'" },
	{ "exp(80)", SIM_UNIT_TIME, SIM_ERROR_PARSE, "missing unit" },
	{ "exp(4KiB)", SIM_UNIT_TIME, SIM_ERROR_PARSE, "unknown unit 'KiB'" },
	{ "exp(4us)", SIM_UNIT_SIZE, SIM_ERROR_PARSE, "unknown unit 'us'" },
	{ "exp(4us)", SIM_UNIT_NONE, SIM_ERROR_PARSE, "unexpected 'us'" },
	{ "exp(-1us)", SIM_UNIT_TIME, SIM_ERROR_RANGE, "negative" },
	{ "exp(-1)", SIM_UNIT_NONE, SIM_ERROR_RANGE,
	  "MEAN must not be negative" },
	{ "lognormal(-1,0.5)", SIM_UNIT_NONE, SIM_ERROR_RANGE,
	  "MEAN must not be negative" },
	{ "lognormal(80us,-0.3)", SIM_UNIT_TIME, SIM_ERROR_RANGE,
	  "SIGMA must not be negative" },
	{ "lognormal(80us,0.3us)", SIM_UNIT_TIME, SIM_ERROR_PARSE,
	  "SIGMA: bad number '0.3us'" },
	{ "uniform(3us,1us)", SIM_UNIT_TIME, SIM_ERROR_RANGE,
	  "A must not be greater than B" },
	{ "normal(-1,1)", SIM_UNIT_NONE, SIM_ERROR_RANGE,
	  "MEAN must not be negative" },
	{ "normal(1,-1)", SIM_UNIT_NONE, SIM_ERROR_RANGE,
	  "SD must not be negative" },
	{ "normal(1us,-1us)", SIM_UNIT_TIME, SIM_ERROR_RANGE, "SD: bad time" },
	{ "zipf(0)", SIM_UNIT_NONE, SIM_ERROR_RANGE,
	  "S must be greater than 0" },
	{ "zipf(-1.1)", SIM_UNIT_NONE, SIM_ERROR_RANGE,
	  "S must be greater than 0" },
	{ "zipf(1.1,0)", SIM_UNIT_NONE, SIM_ERROR_RANGE, "N must be at least 1" },
	{ "zipf(1.1,1.5)", SIM_UNIT_NONE, SIM_ERROR_RANGE, "not a whole number" },
	{ "zipf(1.1,-5)", SIM_UNIT_NONE, SIM_ERROR_RANGE, "negative" },
	{ "zipf(1.1us)", SIM_UNIT_TIME, SIM_ERROR_PARSE, "S: bad number" },
	{ "exp(1us", SIM_UNIT_TIME, SIM_ERROR_PARSE, "unbalanced" },
	{ "exp 1us)", SIM_UNIT_TIME, SIM_ERROR_PARSE, "unbalanced" },
	{ "exp)1us(", SIM_UNIT_TIME, SIM_ERROR_PARSE, "unbalanced" },
	{ "exp((1us))", SIM_UNIT_TIME, SIM_ERROR_PARSE, "nested" },
	{ "exp(1us))", SIM_UNIT_TIME, SIM_ERROR_PARSE, "unbalanced" },
	{ "exp(1us) x", SIM_UNIT_TIME, SIM_ERROR_PARSE,
	  "unexpected ' x' after ')'" },
	{ "80 parsecs", SIM_UNIT_TIME, SIM_ERROR_PARSE,
	  "bad time '80 parsecs': unknown unit 'parsecs'" },
	{ "-80us", SIM_UNIT_TIME, SIM_ERROR_RANGE, "negative" },
	{ "const(1e999)", SIM_UNIT_NONE, SIM_ERROR_RANGE, "too large" },
	{ "const(nan)", SIM_UNIT_NONE, SIM_ERROR_PARSE, "not a number" },
};

static void test_bad(gconstpointer data)
{
	const struct bad_case *c = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_dist) d = sim_dist_parse(c->text, c->unit, &error);
	g_autofree char *quoted = g_strdup_printf("'%s'", c->text);

	g_assert_null(d);
	g_assert_error(error, SIM_ERROR, c->code);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, quoted));
	g_assert_nonnull(strstr(error->message, c->says));
	/* Every message says what would have been accepted. */
	g_assert_true(strstr(error->message, "accepted are") != NULL ||
		      strstr(error->message, "expected") != NULL);
}

/* ---------------------------------------------------------------------- */
/* Moments */

struct moments_case {
	const char *path;
	const char *text;
	enum sim_unit unit;
};

static const struct moments_case moments_cases[] = {
	{ "/sim/dist/const/moments", "const(80us)", SIM_UNIT_TIME },
	{ "/sim/dist/exp/moments", "exp(80us)", SIM_UNIT_TIME },
	{ "/sim/dist/exp/moments-size", "exp(4KiB)", SIM_UNIT_SIZE },
	{ "/sim/dist/lognormal/moments", "lognormal(80us,0.5)", SIM_UNIT_TIME },
	{ "/sim/dist/lognormal/moments-narrow", "lognormal(2KiB,0.1)",
	  SIM_UNIT_SIZE },
	{ "/sim/dist/lognormal/moments-sigma0", "lognormal(3,0)",
	  SIM_UNIT_NONE },
	{ "/sim/dist/uniform/moments", "uniform(1us,3us)", SIM_UNIT_TIME },
	{ "/sim/dist/uniform/moments-signed", "uniform(-2,5)", SIM_UNIT_NONE },
	{ "/sim/dist/normal/moments", "normal(10us,2us)", SIM_UNIT_TIME },
	{ "/sim/dist/normal/moments-truncated", "normal(1us,2us)",
	  SIM_UNIT_TIME },
	{ "/sim/dist/normal/moments-half", "normal(0,1)", SIM_UNIT_NONE },
	{ "/sim/dist/zipf/moments-0.8", "zipf(0.8,100)", SIM_UNIT_NONE },
	{ "/sim/dist/zipf/moments-1.0", "zipf(1,10000)", SIM_UNIT_NONE },
	{ "/sim/dist/zipf/moments-1.1", "zipf(1.1,1000)", SIM_UNIT_NONE },
	{ "/sim/dist/zipf/moments-2.0", "zipf(2,50)", SIM_UNIT_NONE },
};

static void test_moments(gconstpointer data)
{
	const struct moments_case *c = data;
	g_autoptr(sim_dist) d = parse_ok(c->text, c->unit);
	gsl_rng *r = rng_new(SEED);
	double *x = g_new(double, N_DRAWS);
	double mean = 0, m2 = 0, m4 = 0, mu, var, se_mean, se_var;

	for (int i = 0; i < N_DRAWS; i++) {
		x[i] = sim_dist_sample(d, r);
		mean += x[i];
	}
	mean /= N_DRAWS;
	for (int i = 0; i < N_DRAWS; i++) {
		double dx = x[i] - mean;

		m2 += dx * dx;
		m4 += dx * dx * dx * dx;
	}
	m2 /= N_DRAWS - 1;
	m4 /= N_DRAWS;

	mu = sim_dist_mean(d);
	var = sim_dist_variance(d);
	se_mean = sqrt(var / N_DRAWS);
	se_var = sqrt(fmax(m4 - m2 * m2, 0) / N_DRAWS);
	g_test_message("%s: mean %g (theory %g, se %g), variance %g "
		       "(theory %g, se %g)", c->text, mean, mu, se_mean, m2,
		       var, se_var);

	if (var == 0) {
		for (int i = 0; i < N_DRAWS; i++)
			g_assert_cmpfloat(x[i], ==, mu);
	} else {
		g_assert_cmpfloat(fabs(mean - mu), <=, 5 * se_mean);
		g_assert_cmpfloat(fabs(m2 - var), <=, 5 * se_var);
	}
	g_free(x);
	gsl_rng_free(r);
}

/* The theory itself, against closed forms and plain summation. */
static void test_theory(void)
{
	g_autoptr(sim_dist) half = parse_ok("normal(0,1)", SIM_UNIT_NONE);
	g_autoptr(sim_dist) wide = parse_ok("normal(50,1)", SIM_UNIT_NONE);
	g_autoptr(sim_dist) logn = parse_ok("lognormal(10,0.5)",
					     SIM_UNIT_NONE);
	static const double s_values[] = { 0.3, 0.8, 1.0, 1.0 + 1e-12, 1.1,
					   2.0, 5.0 };

	g_assert_cmpfloat_with_epsilon(sim_dist_mean(half), sqrt(2 / M_PI),
				       1e-12);
	g_assert_cmpfloat_with_epsilon(sim_dist_variance(half),
				       1 - 2 / M_PI, 1e-12);
	/* Truncation 50 SD away changes nothing. */
	g_assert_cmpfloat_with_epsilon(sim_dist_mean(wide), 50, 1e-12);
	g_assert_cmpfloat_with_epsilon(sim_dist_variance(wide), 1, 1e-12);
	g_assert_cmpfloat_with_epsilon(sim_dist_variance(logn),
				       (exp(0.25) - 1) * 100, 1e-9);

	for (size_t i = 0; i < G_N_ELEMENTS(s_values); i++) {
		for (uint64_t n = 1; n <= 300; n += 37) {
			g_autofree char *text = g_strdup_printf(
				"zipf(%.17g,%" G_GUINT64_FORMAT ")",
				s_values[i], n);
			g_autoptr(sim_dist) z = parse_ok(text, SIM_UNIT_NONE);
			double w = 0, m1 = 0, m2 = 0, mean, var;

			for (uint64_t k = 0; k < n; k++) {
				double p = pow((double)k + 1, -s_values[i]);

				w += p;
				m1 += (double)k * p;
				m2 += (double)k * (double)k * p;
			}
			mean = m1 / w;
			var = m2 / w - mean * mean;
			g_assert_cmpfloat(fabs(sim_dist_mean(z) - mean), <=,
					  1e-12 * (1 + mean));
			g_assert_cmpfloat(fabs(sim_dist_variance(z) - var), <=,
					  1e-9 * (1 + var));
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Zipf */

struct pmf_case {
	const char *path;
	double s;
	uint64_t n;
	bool via_range;		/* zipf(S) + sim_dist_set_range() */
};

static const struct pmf_case pmf_cases[] = {
	{ "/sim/dist/zipf/pmf/0.8", 0.8, 50, false },
	{ "/sim/dist/zipf/pmf/1.0", 1.0, 50, false },
	{ "/sim/dist/zipf/pmf/1.1", 1.1, 50, true },
	{ "/sim/dist/zipf/pmf/2.0", 2.0, 50, false },
	/* Around s = 1, where H and its inverse switch formulas. */
	{ "/sim/dist/zipf/pmf/1-1e-9", 1.0 - 1e-9, 30, false },
	{ "/sim/dist/zipf/pmf/1+1e-9", 1.0 + 1e-9, 30, false },
	{ "/sim/dist/zipf/pmf/1+1e-6", 1.0 + 1e-6, 30, true },
	/* Nearly flat and very steep. */
	{ "/sim/dist/zipf/pmf/0.01", 0.01, 40, false },
	{ "/sim/dist/zipf/pmf/10", 10.0, 40, false },
	{ "/sim/dist/zipf/pmf/n1", 1.5, 1, false },
	{ "/sim/dist/zipf/pmf/n2", 0.5, 2, false },
};

/*
 * Rank frequencies of N_DRAWS draws against the exact law
 * P(k) = (k+1)^-s / sum_j (j+1)^-s: each of the top ranks within five
 * standard errors of a binomial count, and Pearson's chi-square over all
 * ranks (ranks expected fewer than 5 times are pooled) below its 1 - 1e-6
 * quantile.
 */
static void test_zipf_pmf(gconstpointer data)
{
	const struct pmf_case *c = data;
	g_autofree char *text = c->via_range ?
		g_strdup_printf("zipf(%.17g)", c->s) :
		g_strdup_printf("zipf(%.17g,%" G_GUINT64_FORMAT ")", c->s, c->n);
	g_autoptr(sim_dist) d = parse_ok(text, SIM_UNIT_NONE);
	g_autoptr(GError) error = NULL;
	gsl_rng *r = rng_new(SEED);
	uint64_t *count = g_new0(uint64_t, c->n);
	double *p = g_new(double, c->n);
	double w = 0, chi2 = 0, pooled_obs = 0, pooled_exp = 0, limit;
	int bins = 0;

	if (c->via_range) {
		g_assert_cmpuint(sim_dist_range(d), ==, 0);
		g_assert_true(sim_dist_set_range(d, c->n, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpuint(sim_dist_range(d), ==, c->n);

	for (uint64_t k = 0; k < c->n; k++) {
		p[k] = pow((double)k + 1, -c->s);
		w += p[k];
	}
	for (uint64_t k = 0; k < c->n; k++)
		p[k] /= w;

	for (int i = 0; i < N_DRAWS; i++) {
		uint64_t k = sim_dist_sample_index(d, r);

		g_assert_cmpuint(k, <, c->n);
		count[k]++;
	}

	for (uint64_t k = 0; k < c->n; k++) {
		double e = N_DRAWS * p[k];

		if (k < 5) {
			double se = sqrt(N_DRAWS * p[k] * (1 - p[k]));

			g_assert_cmpfloat(fabs((double)count[k] - e), <=,
					  5 * se + 1e-9);
		}
		if (e < 5) {
			pooled_obs += (double)count[k];
			pooled_exp += e;
			continue;
		}
		chi2 += ((double)count[k] - e) * ((double)count[k] - e) / e;
		bins++;
	}
	if (pooled_exp > 0) {
		chi2 += (pooled_obs - pooled_exp) * (pooled_obs - pooled_exp) /
			pooled_exp;
		bins++;
	}
	if (bins > 1) {
		limit = gsl_cdf_chisq_Qinv(1e-6, bins - 1);
		g_test_message("%s: chi-square %.2f over %d bins, limit %.2f",
			       text, chi2, bins, limit);
		g_assert_cmpfloat(chi2, <=, limit);
	} else {
		g_assert_cmpuint(count[0], ==, N_DRAWS);
	}

	g_free(count);
	g_free(p);
	gsl_rng_free(r);
}

/*
 * Ten million items: no table, so setup and draws are cheap, ranks stay in
 * range, the far tail is reached, and the heads have the right frequency.
 */
static void test_zipf_large(void)
{
	static const double s_values[] = { 0.8, 1.0, 1.1, 2.0 };
	const uint64_t n = 10000000;
	gsl_rng *r = rng_new(SEED);

	for (size_t i = 0; i < G_N_ELEMENTS(s_values); i++) {
		double s = s_values[i];
		g_autofree char *text = g_strdup_printf(
			"zipf(%g,%" G_GUINT64_FORMAT ")", s, n);
		g_autoptr(sim_dist) d = parse_ok(text, SIM_UNIT_NONE);
		uint64_t head[3] = { 0 }, max = 0, above_half = 0;
		double w = 0;

		/* The normaliser sum_{k=1}^{n} k^-s: the first m terms
		 * directly, the rest by Euler-Maclaurin (error about
		 * s (s+1) (s+2) m^(-s-3) / 720, below 1e-11 here). */
		const double m = 1000;

		for (int k = 1; k <= (int)m; k++)
			w += pow(k, -s);
		w += s == 1.0 ? log(n / m) :
			(pow(n, 1 - s) - pow(m, 1 - s)) / (1 - s);
		w += (pow(n, -s) - pow(m, -s)) / 2;
		w += (-s * pow(n, -s - 1) + s * pow(m, -s - 1)) / 12;

		for (int j = 0; j < N_DRAWS; j++) {
			uint64_t k = sim_dist_sample_index(d, r);

			g_assert_cmpuint(k, <, n);
			if (k < 3)
				head[k]++;
			if (k > max)
				max = k;
			if (k >= n / 2)
				above_half++;
		}
		for (int k = 0; k < 3; k++) {
			double pk = pow(k + 1, -s) / w;
			double se = sqrt(N_DRAWS * pk * (1 - pk));

			g_assert_cmpfloat(fabs((double)head[k] - N_DRAWS * pk),
					  <=, 5 * se);
		}
		g_test_message("%s: largest rank %" G_GUINT64_FORMAT
			       ", %" G_GUINT64_FORMAT " draws in the top half",
			       text, max, above_half);
		/* For s <= 1.1 a sizeable share falls in the top half of the
		 * range (at least 1.5% of draws for s = 1.1). */
		if (s <= 1.1)
			g_assert_cmpuint(above_half, >, N_DRAWS / 100);
	}
	gsl_rng_free(r);
}

static void test_zipf_set_range(void)
{
	g_autoptr(sim_dist) z = parse_ok("zipf(1.1)", SIM_UNIT_NONE);
	g_autoptr(sim_dist) zn = parse_ok("zipf(1.1,50)", SIM_UNIT_NONE);
	g_autoptr(sim_dist) e = parse_ok("exp(1us)", SIM_UNIT_TIME);
	g_autoptr(sim_dist) copy = NULL;
	g_autofree char *s = NULL;
	GError *error = NULL;
	gsl_rng *r = rng_new(SEED);

	g_assert_cmpuint(sim_dist_range(z), ==, 0);
	g_assert_false(sim_dist_set_range(z, 0, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);

	g_assert_true(sim_dist_set_range(z, 100, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(sim_dist_range(z), ==, 100);
	s = sim_dist_to_string(z);
	g_assert_cmpstr(s, ==, "zipf(1.1,100)");
	for (int i = 0; i < 10000; i++)
		g_assert_cmpuint(sim_dist_sample_index(z, r), <, 100);

	/* A range set again replaces the old one. */
	g_assert_true(sim_dist_set_range(z, 7, &error));
	for (int i = 0; i < 10000; i++)
		g_assert_cmpuint(sim_dist_sample_index(z, r), <, 7);

	/* An explicit N stays, and must fit. */
	g_assert_true(sim_dist_set_range(zn, 100, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(sim_dist_range(zn), ==, 50);
	g_assert_true(sim_dist_set_range(zn, 50, &error));
	g_assert_false(sim_dist_set_range(zn, 49, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_assert_nonnull(strstr(error->message, "'zipf(1.1,50)'"));
	g_assert_nonnull(strstr(error->message, "49 items"));
	g_clear_error(&error);

	/* Only zipf and uniform pick items. */
	g_assert_false(sim_dist_set_range(e, 10, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_assert_nonnull(strstr(error->message, "'exp(1us)'"));
	g_assert_nonnull(strstr(error->message,
				"expected zipf(S[,N]) or uniform(A,B)"));
	g_clear_error(&error);

	/* A copy keeps the range. */
	copy = sim_dist_copy(zn);
	g_assert_cmpuint(sim_dist_range(copy), ==, 50);
	gsl_rng_free(r);
}

/* ---------------------------------------------------------------------- */
/* Zipf: the squeeze keeps every draw */

/*
 * The Zipf sampler as it was before the squeeze (sim/core/dist.c at
 * 1a8b902), kept here with the very same arithmetic: every draw of the
 * current sampler must give the same rank from the same uniforms and leave
 * the stream at the same place.
 */
struct ref_zipf {
	double s, one_minus_s, lo, hi, n_d;
	uint64_t n;
};

static double ref_expm1_over(double t)
{
	if (fabs(t) < 1e-8)
		return 1.0 + t / 2.0 * (1.0 + t / 3.0);
	return expm1(t) / t;
}

static double ref_log1p_over(double t)
{
	if (fabs(t) < 1e-8)
		return 1.0 - t / 2.0 * (1.0 - 2.0 * t / 3.0);
	return log1p(t) / t;
}

static double ref_H(const struct ref_zipf *z, double x)
{
	double lx = log(x);

	return lx * ref_expm1_over(z->one_minus_s * lx);
}

static double ref_H_inv(const struct ref_zipf *z, double y)
{
	return exp(y * ref_log1p_over(z->one_minus_s * y));
}

static void ref_setup(struct ref_zipf *z, double s, uint64_t n)
{
	z->s = s;
	z->n = n;
	z->n_d = (double)n;
	z->one_minus_s = 1.0 - s;
	z->lo = ref_H(z, 1.5) - 1.0;
	z->hi = ref_H(z, z->n_d + 0.5);
}

/* 1-based. */
static uint64_t ref_sample(const struct ref_zipf *z, gsl_rng *r)
{
	for (;;) {
		double u = z->hi + sim_rng_uniform(r) * (z->lo - z->hi);
		double xr = floor(ref_H_inv(z, u) + 0.5);
		uint64_t x;

		if (!(xr > 1.0))
			return 1;
		x = xr >= z->n_d ? z->n : (uint64_t)xr;
		if (u >= ref_H(z, (double)x + 0.5) -
			 exp(-z->s * log((double)x)))
			return x;
	}
}

static const double ref_s_values[] = {
	0.5, 0.9, 0.99, 1.0, 1.01, 1.5, 2.0, 3.0,
};
static const uint64_t ref_n_values[] = {
	1, 2, 10, 1000, 32768, 1u << 22,
};

static struct sim_dist *zipf_new(double s, uint64_t n, struct ref_zipf *ref)
{
	g_autofree char *text = g_strdup_printf(
		"zipf(%.17g,%" G_GUINT64_FORMAT ")", s, n);

	ref_setup(ref, s, n);
	return parse_ok(text, SIM_UNIT_NONE);
}

/* @draws mt19937 draws from zipf(@s,@n), as the simulator makes them. */
static void check_reference(double s, uint64_t n, unsigned long seed,
			    int draws)
{
	struct ref_zipf ref;
	g_autoptr(sim_dist) d = zipf_new(s, n, &ref);
	gsl_rng *r1 = rng_new(seed), *r2 = rng_new(seed);
	uint64_t sum = 0;

	for (int i = 0; i < draws; i++) {
		uint64_t a = sim_dist_sample_index(d, r1);
		uint64_t b = ref_sample(&ref, r2) - 1;

		if (G_UNLIKELY(a != b)) {
			g_test_message("zipf(%g,%" G_GUINT64_FORMAT ") draw "
				       "%d: %" G_GUINT64_FORMAT ", was %"
				       G_GUINT64_FORMAT, s, n, i, a, b);
			g_assert_cmpuint(a, ==, b);
		}
		sum += a;
	}
	/* The same number of uniforms consumed. */
	g_assert_cmpuint(sim_rng_get(r1), ==, sim_rng_get(r2));
	g_test_message("zipf(%g,%" G_GUINT64_FORMAT "): %d draws, mean rank "
		       "%.3f", s, n, draws, (double)sum / draws);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
}

static void test_zipf_reference(void)
{
	const int draws = g_test_slow() ? 4000000 : 1000000;
	unsigned long seed = SEED;

	for (size_t i = 0; i < G_N_ELEMENTS(ref_s_values); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(ref_n_values); j++)
			check_reference(ref_s_values[i], ref_n_values[j],
					seed++, draws);
	}
}

/*
 * A generator that replays a list of uniforms (then 0, which the sampler
 * always keeps, as rank N): it aims tries at the very edges of the
 * squeeze and of the acceptance test, which random draws rarely come
 * within an ulp of.
 */
struct replay {
	const double *v;
	size_t n, next;
};

static void replay_set(void *state, unsigned long seed)
{
	(void)state;
	(void)seed;
}

static unsigned long replay_get(void *state)
{
	(void)state;
	g_assert_not_reached();
}

static double replay_get_double(void *state)
{
	struct replay *p = state;
	double v = p->next < p->n ? p->v[p->next] : 0.0;

	p->next++;
	return v;
}

static const gsl_rng_type replay_type = {
	"replay", 0xffffffffUL, 0, sizeof(struct replay),
	replay_set, replay_get, replay_get_double,
};

/* One try from uniform @v (then 0): the same rank, the same uniforms used. */
static void check_replay(const struct sim_dist *d, const struct ref_zipf *ref,
			 gsl_rng *r, double v)
{
	struct replay *p = r->state;
	uint64_t a, b;
	size_t used;

	if (!(v >= 0.0 && v < 1.0))
		return;
	p->v = &v;
	p->n = 1;
	p->next = 0;
	a = sim_dist_sample_index(d, r);
	used = p->next;
	p->next = 0;
	b = ref_sample(ref, r) - 1;
	if (a != b || used != p->next) {
		g_test_message("zipf(%g,%" G_GUINT64_FORMAT ") U = %a: rank "
			       "%" G_GUINT64_FORMAT " (%zu uniforms), was %"
			       G_GUINT64_FORMAT " (%zu)", ref->s, ref->n, v, a,
			       used, b, p->next);
		g_assert_cmpuint(a, ==, b);
		g_assert_cmpuint(used, ==, p->next);
	}
}

/* The uniform that maps to real x, and the uniforms around it: @steps
 * either side, both ulp by ulp and on mt19937's grid of 2^-32. */
static void check_around(const struct sim_dist *d, const struct ref_zipf *ref,
			 gsl_rng *r, double x, int steps)
{
	double v = (ref_H(ref, x) - ref->hi) / (ref->lo - ref->hi);
	double up = v, down = v, grid = ldexp(floor(ldexp(v, 32)), -32);

	check_replay(d, ref, r, v);
	for (int i = 0; i < steps; i++) {
		up = nextafter(up, 2.0);
		down = nextafter(down, -1.0);
		check_replay(d, ref, r, up);
		check_replay(d, ref, r, down);
		check_replay(d, ref, r, grid + ldexp(i, -32));
		check_replay(d, ref, r, grid - ldexp(i + 1, -32));
	}
}

/* Aim at the edges of ranks 1..200, of every @every-th rank above, and
 * of the last four: the acceptance threshold, the squeeze's edge (s0 -
 * 2^-12, as dist.c sets it), s0 itself, and the ends of the slice. */
static void check_edges(double s, uint64_t n, int steps, uint64_t every)
{
	struct ref_zipf ref;
	g_autoptr(sim_dist) d = zipf_new(s, n, &ref);
	gsl_rng *r = gsl_rng_alloc(&replay_type);
	double s0 = 2.0 - ref_H_inv(&ref, ref_H(&ref, 2.5) -
				     exp(-s * log(2.0)));

	for (uint64_t k = 1; k <= n; k++) {
		double kd = (double)k, t;

		if (k > 200 && k % every != 0 && k + 3 < n)
			continue;
		t = ref_H_inv(&ref, ref_H(&ref, kd + 0.5) - exp(-s * log(kd)));
		check_around(d, &ref, r, t, steps);
		check_around(d, &ref, r, kd - (s0 - 0x1p-12), steps);
		check_around(d, &ref, r, kd - s0, steps);
		check_around(d, &ref, r, kd - 0.5, steps);
		check_around(d, &ref, r, kd + 0.5, steps);
	}
	gsl_rng_free(r);
}

static void test_zipf_edges(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(ref_s_values); i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(ref_n_values); j++)
			check_edges(ref_s_values[i], ref_n_values[j], 16, 4099);
	}
	/* The contended benchmark's law: every rank. */
	check_edges(0.9, 32768, 16, 1);
}

/*
 * The squeeze rests on Theorem 2 of Hörmann and Derflinger: f(k) = k -
 * H^-1(H(k + 1/2) - h(k)) is non-decreasing, so f(k) >= f(2).  Check it
 * in long double for the laws above and a few extreme ones, over ranks
 * where long double still resolves f (H^-1 amplifies an error in its
 * argument by k^s).
 */
static long double ld_H(long double s, long double x)
{
	return s == 1 ? logl(x) : expm1l((1 - s) * logl(x)) / (1 - s);
}

static long double ld_H_inv(long double s, long double y)
{
	return s == 1 ? expl(y) : expl(log1pl((1 - s) * y) / (1 - s));
}

static long double ld_f(long double s, long double k)
{
	return k - ld_H_inv(s, ld_H(s, k + 0.5L) - powl(k, -s));
}

static void test_zipf_theorem(void)
{
	static const double extra[] = { 0.01, 0.1, 5.0, 10.0 };

	for (size_t i = 0; i < G_N_ELEMENTS(ref_s_values) + 4; i++) {
		long double s = i < G_N_ELEMENTS(ref_s_values) ?
			ref_s_values[i] : extra[i - G_N_ELEMENTS(ref_s_values)];
		long double f2 = ld_f(s, 2), prev = f2;
		/* Where k^s ulps of H stay below 1e-6 of x. */
		long double kmax = fminl(powl(1e12L, 1 / s), 1e7L);

		for (long double k = 3; k <= kmax; k = k < 1000 ? k + 1 :
		     floorl(k * 1.01L)) {
			long double f = ld_f(s, k);

			g_assert_cmpfloat((double)(f - f2), >, 0);
			if (k <= 100)
				g_assert_cmpfloat((double)(f - prev), >=, 0);
			g_assert_cmpfloat((double)f, <=, 0.5 + 1e-6);
			prev = f;
		}
	}
}

static void test_uniform_index(void)
{
	g_autoptr(sim_dist) u = parse_ok("uniform(0,10)", SIM_UNIT_NONE);
	g_autoptr(sim_dist) wide = parse_ok("uniform(0,100)", SIM_UNIT_NONE);
	g_autoptr(sim_dist) neg = parse_ok("uniform(-5,-1)", SIM_UNIT_NONE);
	g_autoptr(GError) error = NULL;
	gsl_rng *r = rng_new(SEED);
	uint64_t count[10] = { 0 };
	double chi2 = 0, e = N_DRAWS / 10.0;

	g_assert_true(sim_dist_set_range(u, 10, &error));
	g_assert_true(sim_dist_set_range(wide, 10, &error));
	g_assert_true(sim_dist_set_range(neg, 10, &error));
	g_assert_no_error(error);

	for (int i = 0; i < N_DRAWS; i++) {
		uint64_t k = sim_dist_sample_index(u, r);

		g_assert_cmpuint(k, <, 10);
		count[k]++;
	}
	for (int k = 0; k < 10; k++)
		chi2 += ((double)count[k] - e) * ((double)count[k] - e) / e;
	g_assert_cmpfloat(chi2, <=, gsl_cdf_chisq_Qinv(1e-6, 9));

	/* Clamped: everything from 9 up lands on 9; below 0 on 0. */
	memset(count, 0, sizeof(count));
	for (int i = 0; i < N_DRAWS; i++)
		count[sim_dist_sample_index(wide, r)]++;
	g_assert_cmpfloat(fabs((double)count[9] - 0.91 * N_DRAWS), <=,
			  5 * sqrt(N_DRAWS * 0.91 * 0.09));
	for (int i = 0; i < 1000; i++)
		g_assert_cmpuint(sim_dist_sample_index(neg, r), ==, 0);
	gsl_rng_free(r);
}

/* ---------------------------------------------------------------------- */
/* Reproducibility, conversions, constructors */

static void test_determinism(void)
{
	static const char *const texts[] = {
		"exp(80us)", "lognormal(80us,0.5)", "uniform(1us,3us)",
		"normal(1us,2us)", "zipf(1.1,1000000)", "zipf(0.7,10)",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autoptr(sim_dist) d = parse_ok(texts[i], SIM_UNIT_TIME);
		g_autoptr(sim_dist) copy = sim_dist_copy(d);
		gsl_rng *r1 = rng_new(7), *r2 = rng_new(7), *r3 = rng_new(8);
		int same_as_other_seed = 0;

		for (int j = 0; j < 1000; j++) {
			double a = sim_dist_sample(d, r1);
			double b = sim_dist_sample(copy, r2);

			g_assert_cmpfloat(a, ==, b);
			if (a == sim_dist_sample(d, r3))
				same_as_other_seed++;
		}
		/* Another seed gives another sequence (ties happen only
		 * among the few ranks of a small zipf). */
		g_assert_cmpint(same_as_other_seed, <, 700);
		gsl_rng_free(r1);
		gsl_rng_free(r2);
		gsl_rng_free(r3);
	}
}

static void test_sample_ns(void)
{
	static const struct { const char *text; sim_time_t ns; } cases[] = {
		{ "const(1.4)", 1 },
		{ "const(1.5)", 2 },
		{ "const(2.5)", 3 },
		{ "const(0)", 0 },
		{ "const(-3)", 0 },
		{ "const(1e30)", SIM_TIME_MAX },
		{ "const(9223372036854775807)", SIM_TIME_MAX },
	};
	g_autoptr(sim_dist) e = parse_ok("exp(3ns)", SIM_UNIT_TIME);
	gsl_rng *r = rng_new(SEED);
	double sum = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(sim_dist) d = parse_ok(cases[i].text, SIM_UNIT_NONE);

		g_assert_cmpint(sim_dist_sample_ns(d, r), ==, cases[i].ns);
	}
	/* Rounded draws of an exponential: never negative, and their mean
	 * is that of round(X), not of X. */
	for (int i = 0; i < N_DRAWS; i++) {
		sim_time_t ns = sim_dist_sample_ns(e, r);

		g_assert_cmpint(ns, >=, 0);
		sum += (double)ns;
	}
	{
		/* E round(X) = sum_{k>=1} P(X >= k - 1/2)
		 *            = e^(-1/6) / (1 - e^(-1/3)) for X ~ exp(3);
		 * its variance is about 9 + 1/12. */
		double mean = exp(-1.0 / 6) / (1 - exp(-1.0 / 3));
		double se = sqrt(9.1 / N_DRAWS);

		g_assert_cmpfloat(fabs(sum / N_DRAWS - mean), <=, 5 * se);
	}
	gsl_rng_free(r);
}

static void test_constructors(void)
{
	g_autoptr(sim_dist) c = sim_dist_new_const(5000);
	g_autoptr(sim_dist) e = sim_dist_new_exp(80000);
	g_autoptr(sim_dist) copy = NULL;
	g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL;
	gsl_rng *r = rng_new(SEED);

	g_assert_cmpint(sim_dist_kind(c), ==, SIM_DIST_CONST);
	g_assert_cmpint(sim_dist_kind(e), ==, SIM_DIST_EXP);
	g_assert_cmpfloat(sim_dist_sample(c, r), ==, 5000);
	g_assert_cmpfloat(sim_dist_mean(e), ==, 80000);
	g_assert_cmpfloat(sim_dist_variance(e), ==, 80000.0 * 80000.0);

	s1 = sim_dist_to_string(c);
	g_assert_cmpstr(s1, ==, "5000");
	sim_dist_set_unit(c, SIM_UNIT_TIME);
	s2 = sim_dist_to_string(c);
	g_assert_cmpstr(s2, ==, "5us");
	sim_dist_set_unit(e, SIM_UNIT_TIME);
	s3 = sim_dist_to_string(e);
	g_assert_cmpstr(s3, ==, "exp(80us)");
	check_round_trip(e, SIM_UNIT_TIME);
	sim_dist_set_unit(e, SIM_UNIT_SIZE);
	s4 = sim_dist_to_string(e);
	g_assert_cmpstr(s4, ==, "exp(80000B)");

	copy = sim_dist_copy(e);
	g_assert_cmpint(sim_dist_kind(copy), ==, SIM_DIST_EXP);
	g_assert_cmpfloat(sim_dist_mean(copy), ==, 80000);
	gsl_rng_free(r);
}

/*
 * sim/core/rng.h's inline draws against GSL's own, draw by draw: two
 * streams of each generator seeded alike, one drawn through rng.h and one
 * through GSL, many times across mt19937's block regenerations (every 624
 * words), mixing the four kinds of draw.  And sim_llround() against
 * llround() at and around the half-way points.
 */
static void test_rng_inline(void)
{
	const gsl_rng_type *types[] = { gsl_rng_mt19937, gsl_rng_taus2 };
	static const unsigned long ns[] = { 1, 2, 3, 7, 1000, 4096, 123456789, 0xffffffffUL };

	for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
		for (unsigned long seed = 0; seed < 4; seed++) {
			gsl_rng *a = gsl_rng_alloc(types[t]), *b = gsl_rng_alloc(types[t]);

			gsl_rng_set(a, seed * 2654435761UL);
			gsl_rng_set(b, seed * 2654435761UL);
			for (unsigned int i = 0; i < 20000; i++) {
				switch (i % 4) {
				case 0:
					g_assert_cmpuint(sim_rng_get(a), ==, gsl_rng_get(b));
					break;
				case 1:
					g_assert_true(sim_rng_uniform(a) == gsl_rng_uniform(b));
					break;
				case 2:
					g_assert_true(sim_rng_uniform_pos(a) == gsl_rng_uniform_pos(b));
					break;
				default:
					g_assert_cmpuint(sim_rng_uniform_int(a, ns[i / 4 % G_N_ELEMENTS(ns)]), ==,
							 gsl_rng_uniform_int(b, ns[i / 4 % G_N_ELEMENTS(ns)]));
				}
			}
			gsl_rng_free(a);
			gsl_rng_free(b);
		}
	}

	static const double vs[] = {
		0, 0x1p-1074, 0.25, 0.49999999999999994, 0.5, 0.5000000000000001,
		1, 1.5, 2.5, 3.4999999999999996, 1e6 + 0.5, 0x1p52 - 0.5, 0x1p52,
		0x1p52 + 1, 0x1p53 + 2, 0x1p62, 0x1p63 - 1024, -0.5, -1.5, -2.4,
	};
	for (size_t i = 0; i < G_N_ELEMENTS(vs); i++) {
		g_assert_cmpint(sim_llround(vs[i]), ==, llround(vs[i]));
		g_assert_cmpint(sim_llround(nextafter(vs[i], 0)), ==, llround(nextafter(vs[i], 0)));
		g_assert_cmpint(sim_llround(nextafter(vs[i], 1e300)), ==,
				llround(nextafter(vs[i], 1e300)));
	}
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	for (unsigned int i = 0; i < 100000; i++) {
		double v = ldexp(gsl_rng_uniform(r), (int)gsl_rng_uniform_int(r, 62));

		g_assert_cmpint(sim_llround(v), ==, llround(v));
	}
	gsl_rng_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/sim/dist/parse", test_parse);
	g_test_add_func("/sim/dist/round-trip", test_round_trip);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		g_autofree char *path = g_strdup_printf("/sim/dist/bad/%zu", i);

		g_test_add_data_func(path, &bad_cases[i], test_bad);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(moments_cases); i++)
		g_test_add_data_func(moments_cases[i].path, &moments_cases[i],
				     test_moments);
	g_test_add_func("/sim/dist/theory", test_theory);
	for (size_t i = 0; i < G_N_ELEMENTS(pmf_cases); i++)
		g_test_add_data_func(pmf_cases[i].path, &pmf_cases[i],
				     test_zipf_pmf);
	g_test_add_func("/sim/dist/zipf/large-range", test_zipf_large);
	g_test_add_func("/sim/dist/zipf/set-range", test_zipf_set_range);
	g_test_add_func("/sim/dist/zipf/reference", test_zipf_reference);
	g_test_add_func("/sim/dist/zipf/edges", test_zipf_edges);
	g_test_add_func("/sim/dist/zipf/theorem", test_zipf_theorem);
	g_test_add_func("/sim/dist/uniform/index", test_uniform_index);
	g_test_add_func("/sim/dist/determinism", test_determinism);
	g_test_add_func("/sim/dist/sample-ns", test_sample_ns);
	g_test_add_func("/sim/dist/constructors", test_constructors);
	g_test_add_func("/sim/dist/rng-inline", test_rng_inline);

	return g_test_run();
}
