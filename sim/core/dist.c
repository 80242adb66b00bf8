/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Random distributions parsed from text (the forms are listed in dist.h).
 *
 * Zipf ranks by rejection-inversion
 * ---------------------------------
 * Method: W. Hörmann and G. Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", ACM TOMACS 6(3), 1996.
 *
 * Write x = k + 1 for the 1-based rank, so the weight is h(x) = x^-s on the
 * integers 1..N.  h is decreasing and convex, and has the closed-form
 * integral
 *
 *	H(x) = (x^(1-s) - 1) / (1-s)		(ln x when s = 1)
 *
 * Give integer x >= 2 the slice [H(x - 1/2), H(x + 1/2)] of the real line.
 * Its length is the integral of h over [x - 1/2, x + 1/2], which is at
 * least h(x) because h is convex (the integral of a convex function over an
 * interval is at least the length times its value in the middle).  Give
 * x = 1 the slice [H(3/2) - h(1), H(3/2)], of length exactly h(1).  The
 * slices tile [H(3/2) - 1, H(N + 1/2)] without gaps.  Draw u uniformly on
 * that interval, find its slice by inversion (x = round(H^-1(u))), and keep
 * x if u falls in the top h(x) of the slice, u >= H(x + 1/2) - h(x); draw
 * again otherwise.  Each x is then kept with probability proportional to
 * h(x), which is the Zipf law.  No table: each try costs a handful of
 * log/exp calls whatever N is, and the expected number of tries is the
 * total slice length over the sum of the weights, close to 1 (x = 1, the
 * heaviest rank, is never rejected).
 *
 * The squeeze: with the real x = H^-1(u) (before rounding), u passes that
 * test exactly when x >= t(x0) := H^-1(H(x0 + 1/2) - h(x0)), x0 the rank.
 * Theorem 2 of the paper (its conditions, h' < 0 and (-1/(H^-1)')'' >= 0,
 * hold for h(x) = x^-s with any s > 0) makes x0 - t(x0) non-decreasing in
 * x0, so x0 - x <= s0 := 2 - t(2) already implies acceptance, and that
 * costs nothing: H^-1(u) was computed to find x0.  x0 - x is in
 * [-1/2, 1/2] and s0 is 0.43-0.49 for s in [0.5, 3], so the squeeze takes
 * nearly all tries and only the rest evaluate H(x + 1/2) and h(x).
 *
 * In floating point the squeeze must never keep a try that the full test
 * as computed would reject, or the draws would change.  It accepts when
 * x0 - x <= s0 - m, with a margin m = 2^-12 (it loses a fraction ~m of
 * its tries), and only for ranks up to a bound set up front, below which
 * the rounding errors are provably smaller than the margin.  Write e for
 * the error of the computed H^-1(u), e0 for that of s0 and B for that of
 * the computed threshold H(x0 + 1/2) - h(x0).  If e + e0 <= m/2, a squeezed
 * try has exact x >= t(x0) + m/2, so exact u exceeds the exact threshold
 * by at least (m/2) h(x0 + 1) (H' = h is decreasing, and t(x0) + m/2 <=
 * x0 + 1); if also B < (m/2) h(x0 + 1), the computed test accepts too.
 * zipf_squeeze_error() bounds these errors (to first order, libm calls
 * within 2 ulps, a factor 4 to spare) and is increasing in the rank.
 *
 * Numerics near s = 1: written as H(x) = ln(x) * f((1-s) ln x) and
 * H^-1(y) = exp(y * g((1-s) y)) with f(t) = expm1(t)/t and
 * g(t) = log1p(t)/t, both continuous through t = 0 (value 1), H and its
 * inverse lose no precision as s crosses 1.
 *
 * Ownership: a struct sim_dist owns nothing but itself (no pointers), so a
 * copy is a memdup.  After parsing and sim_dist_set_range() it is read-only.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "sim/core/dist.h"
#include "sim/core/rng.h"
#include "sim/core/units.h"

struct sim_dist {
	enum sim_dist_kind kind;
	enum sim_unit unit;	/* for sim_dist_to_string() only */
	/*
	 * The parameters as written, in base units:
	 *   const: p0 = V           exp: p0 = MEAN
	 *   lognormal: p0 = MEAN, p1 = SIGMA
	 *   uniform: p0 = A, p1 = B normal: p0 = MEAN, p1 = SD
	 *   zipf: p0 = S
	 */
	double p0, p1;
	double mu;		/* lognormal: ln MEAN - SIGMA^2 / 2 */
	uint64_t n;		/* zipf N or index range; 0 = not set */
	bool n_given;		/* zipf N was written in the text */
	/* zipf, once n is set: */
	double one_minus_s;	/* 1 - S */
	double zipf_lo;		/* H(3/2) - 1: bottom of the slices */
	double zipf_hi;		/* H(N + 1/2): top of the slices */
	double n_d;		/* N as a double */
	double zipf_squeeze;	/* s0 - m: keep x0 when x0 - H^-1(u) <= this */
	uint64_t zipf_squeeze_n;	/* for ranks 2..this (0: never) */
};

/* ---------------------------------------------------------------------- */
/* Zipf */

/* expm1(t) / t, continuous at 0. */
static double expm1_over(double t)
{
	if (fabs(t) < 1e-8)
		return 1.0 + t / 2.0 * (1.0 + t / 3.0);
	return expm1(t) / t;
}

/* log1p(t) / t, continuous at 0. */
static double log1p_over(double t)
{
	if (fabs(t) < 1e-8)
		return 1.0 - t / 2.0 * (1.0 - 2.0 * t / 3.0);
	return log1p(t) / t;
}

/* The integral of x^-s from 1 to x. */
static double zipf_H(const struct sim_dist *d, double x)
{
	double lx = log(x);

	return lx * expm1_over(d->one_minus_s * lx);
}

static double zipf_H_inv(const struct sim_dist *d, double y)
{
	return exp(y * log1p_over(d->one_minus_s * y));
}

/* h(x) = x^-s, computed as the acceptance test has always computed it. */
static double zipf_h(const struct sim_dist *d, double x)
{
	return exp(-d->p0 * log(x));
}

/* The margin of the squeeze, in units of x (see the top of the file). */
#define ZIPF_SQUEEZE_MARGIN 0x1p-12

/*
 * For ranks up to @k, four times a bound on both e + e0 and B / h(k + 1),
 * which must each be at most m/2 (see the top of the file); increasing in
 * @k, as every term is.  With u_r = 2^-53 the unit roundoff, each libm
 * call taken within 4 u_r (2 ulps) and each operation within u_r, to first
 * order:
 *
 * e: H^-1(u) = exp(z), z = u g(t), g(t) = log1p(t)/t, t = (1-s) u, where
 * z = ln x.  t is rounded once; g then moves by at most max(1, K) times
 * that, with K = |t| / ((1+t) |log1p(t)|), which is at most 1 for s <= 1
 * but grows without bound as t nears -1 for s > 1: there 1 + t = x^(1-s)
 * and K ln x = H(x) x^(s-1).  log1p, the division and the product add 6
 * u_r to z, exp multiplies z's relative error by z and adds its own, so
 * e <= u_r (x^s H(x) + x (8 ln x + 4)), with x <= k + 1.
 *
 * e0: s0 = 2 - H^-1(H(5/2) - h(2)) is off by the error of H^-1 near 2
 * plus that of its argument over h(2), at most e and B / h(k + 1) for any
 * k >= 2, plus two roundings: e + e0 <= 2 (e + B / h(k + 1) + 2 u_r).
 *
 * B: H(x) = lx f(c lx), with lx = log(x), c = 1 - s and f(v) =
 * expm1(v)/v, whose condition number is at most max(1, |v|): relatively
 * 15 u_r + 5 u_r c ln x.  h(x) = exp(-s log x): its exponent is off by 5
 * u_r s ln x, and by |1 - s| u_r ln x more because H's exponent is the
 * rounded 1 - s, the one the theorem is applied to; exp adds 4 u_r.  The
 * subtraction adds u_r H.  Over h(k + 1), h(k) counts as h(2) / h(3) =
 * 1.5^s, its largest value, which keeps the bound increasing.
 */
static double zipf_squeeze_error(const struct sim_dist *d, double k)
{
	const double ur = 0x1p-53;
	double s = d->p0, c = fabs(d->one_minus_s);
	double x = k + 1.0, lx = log(x);
	double Hx = zipf_H(d, x);	/* H(k + 1) >= H(k + 1/2) */
	double xs = exp(s * lx);	/* 1 / h(k + 1) */
	double h_ratio = exp(s * log(1.5));	/* >= h(k) / h(k + 1) */
	double e, b;

	e = ur * (xs * Hx + x * (8.0 * lx + 4.0));
	/* B / h(k + 1) */
	b = ur * (Hx * (16.0 + 5.0 * c * lx) * xs +
		  h_ratio * ((5.0 * s + c) * lx + 4.0));
	return 4.0 * 2.0 * (e + b + 2.0 * ur);
}

/* Set the squeeze up: s0 - m, and the largest rank it is safe for. */
static void zipf_squeeze_setup(struct sim_dist *d)
{
	const double lim = ZIPF_SQUEEZE_MARGIN / 2.0;
	uint64_t lo = 2, hi = d->n;

	d->zipf_squeeze = 2.0 - zipf_H_inv(d, zipf_H(d, 2.5) - zipf_h(d, 2.0));
	d->zipf_squeeze -= ZIPF_SQUEEZE_MARGIN;
	d->zipf_squeeze_n = 0;
	/* NaN (a huge or tiny S) fails these tests: no squeeze. */
	if (d->n < 2 || !(d->zipf_squeeze > 0) ||
	    !(zipf_squeeze_error(d, 2.0) <= lim))
		return;
	/* The largest k in [lo, hi] within the limit; lo always is. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (zipf_squeeze_error(d, (double)mid) <= lim)
			lo = mid;
		else
			hi = mid - 1;
	}
	d->zipf_squeeze_n = lo;
}

static void zipf_setup(struct sim_dist *d, uint64_t n)
{
	d->n = n;
	d->n_d = (double)n;
	d->one_minus_s = 1.0 - d->p0;
	d->zipf_lo = zipf_H(d, 1.5) - 1.0;
	d->zipf_hi = zipf_H(d, d->n_d + 0.5);
	zipf_squeeze_setup(d);
}

/* A 1-based rank in [1, N].  O(1) expected; see the top of the file. */
static uint64_t zipf_sample(const struct sim_dist *d, gsl_rng *r)
{
	for (;;) {
		double u = d->zipf_hi +
			   sim_rng_uniform(r) * (d->zipf_lo - d->zipf_hi);
		double y = zipf_H_inv(d, u);
		double xr = floor(y + 0.5);
		uint64_t x;

		/* Rounding can push xr just outside [1, N]; NaN goes to 1. */
		if (!(xr > 1.0))
			return 1;	/* x = 1 is never rejected */
		x = xr >= d->n_d ? d->n : (uint64_t)xr;
		/* The squeeze; x - y is exact (y is within [x/2, 2x]). */
		if (x <= d->zipf_squeeze_n && (double)x - y <= d->zipf_squeeze)
			return x;
		if (u >= zipf_H(d, (double)x + 0.5) - zipf_h(d, (double)x))
			return x;
	}
}

/* Compensated (Kahan-Babuska) sum: the zipf moments add millions of terms
 * of very different sizes. */
struct ksum {
	double sum, c;
};

static void ksum_add(struct ksum *k, double v)
{
	double t = k->sum + v;

	if (fabs(k->sum) >= fabs(v))
		k->c += (k->sum - t) + v;
	else
		k->c += (v - t) + k->sum;
	k->sum = t;
}

static double ksum_value(const struct ksum *k)
{
	return k->sum + k->c;
}

/* Mean and variance of the 0-based rank, by summation over the range:
 * O(N), two passes (mean first, then squared deviations, which avoids the
 * cancellation of E[k^2] - E[k]^2). */
static void zipf_moments(const struct sim_dist *d, double *mean, double *var)
{
	struct ksum w = { 0 }, kw = { 0 }, dev = { 0 };
	double m, total;
	uint64_t k;

	/* Smallest terms first. */
	for (k = d->n; k-- > 0;) {
		double p = exp(-d->p0 * log((double)k + 1.0));

		ksum_add(&w, p);
		ksum_add(&kw, (double)k * p);
	}
	total = ksum_value(&w);
	m = ksum_value(&kw) / total;
	if (var != NULL) {
		for (k = d->n; k-- > 0;) {
			double p = exp(-d->p0 * log((double)k + 1.0));
			double dk = (double)k - m;

			ksum_add(&dev, dk * dk * p);
		}
		*var = ksum_value(&dev) / total;
	}
	if (mean != NULL)
		*mean = m;
}

/* ---------------------------------------------------------------------- */
/* Parsing */

enum arg_type {
	ARG_VALUE,	/* in the caller's unit */
	ARG_PLAIN,	/* a plain number */
	ARG_COUNT,	/* a whole number */
};

struct form {
	const char *name;
	enum sim_dist_kind kind;
	int min_args, max_args;
	const char *arg_names[2];
	enum arg_type arg_types[2];
	const char *expected;	/* the form and its ranges, for errors */
};

static const struct form forms[] = {
	[SIM_DIST_CONST] = {
		"const", SIM_DIST_CONST, 1, 1, { "V" }, { ARG_VALUE },
		"const(V)",
	},
	[SIM_DIST_EXP] = {
		"exp", SIM_DIST_EXP, 1, 1, { "MEAN" }, { ARG_VALUE },
		"exp(MEAN) with MEAN >= 0",
	},
	[SIM_DIST_LOGNORMAL] = {
		"lognormal", SIM_DIST_LOGNORMAL, 2, 2, { "MEAN", "SIGMA" },
		{ ARG_VALUE, ARG_PLAIN },
		"lognormal(MEAN,SIGMA) with MEAN >= 0 and SIGMA >= 0",
	},
	[SIM_DIST_UNIFORM] = {
		"uniform", SIM_DIST_UNIFORM, 2, 2, { "A", "B" },
		{ ARG_VALUE, ARG_VALUE },
		"uniform(A,B) with A <= B",
	},
	[SIM_DIST_NORMAL] = {
		"normal", SIM_DIST_NORMAL, 2, 2, { "MEAN", "SD" },
		{ ARG_VALUE, ARG_VALUE },
		"normal(MEAN,SD) with MEAN >= 0 and SD >= 0",
	},
	[SIM_DIST_ZIPF] = {
		"zipf", SIM_DIST_ZIPF, 1, 2, { "S", "N" },
		{ ARG_PLAIN, ARG_COUNT },
		"zipf(S) or zipf(S,N) with S > 0 and a whole N >= 1",
	},
};

#define ACCEPTED "const(V), exp(MEAN), lognormal(MEAN,SIGMA), " \
		 "uniform(A,B), normal(MEAN,SD), zipf(S[,N]), or a plain value"

static const char *unit_example(enum sim_unit unit)
{
	switch (unit) {
	case SIM_UNIT_TIME:
		return "80us";
	case SIM_UNIT_SIZE:
		return "4KiB";
	case SIM_UNIT_NONE:
	default:
		return "3";
	}
}

/* "bad distribution '<text>': <reason>". */
static void G_GNUC_PRINTF(4, 5)
dist_error(GError **error, int code, const char *text, const char *fmt, ...)
{
	g_autofree char *reason = NULL;
	va_list ap;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, SIM_ERROR, code, "bad distribution '%s': %s",
		    text, reason);
}

static const struct form *find_form(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		if (strcmp(forms[i].name, name) == 0)
			return &forms[i];
	}
	return NULL;
}

/* Parse one argument into *@out; a count also goes, exactly, to *@count. */
static gboolean parse_arg(const char *arg, enum arg_type type,
			  enum sim_unit unit, double *out, uint64_t *count,
			  GError **error)
{
	switch (type) {
	case ARG_PLAIN:
		return sim_parse_double(arg, out, error);
	case ARG_COUNT:
		if (!sim_parse_uint(arg, count, error))
			return FALSE;
		*out = (double)*count;
		return TRUE;
	case ARG_VALUE:
	default:
		break;
	}
	switch (unit) {
	case SIM_UNIT_TIME:
		return sim_parse_time_double(arg, out, error);
	case SIM_UNIT_SIZE:
		return sim_parse_size_double(arg, out, error);
	case SIM_UNIT_NONE:
	default:
		return sim_parse_double(arg, out, error);
	}
}

static struct sim_dist *dist_new(enum sim_dist_kind kind, enum sim_unit unit,
				 double p0, double p1)
{
	struct sim_dist *d = g_new0(struct sim_dist, 1);

	d->kind = kind;
	d->unit = unit;
	d->p0 = p0;
	d->p1 = p1;
	if (kind == SIM_DIST_LOGNORMAL)
		d->mu = log(p0) - p1 * p1 / 2.0;
	return d;
}

/* Check the parameters of a parsed form; the message names the rule. */
static gboolean check_params(const struct form *f, const char *text,
			     const double *v, int n_args, uint64_t n,
			     GError **error)
{
	const char *why = NULL;

	switch (f->kind) {
	case SIM_DIST_CONST:
		break;
	case SIM_DIST_EXP:
		if (v[0] < 0)
			why = "MEAN must not be negative";
		break;
	case SIM_DIST_LOGNORMAL:
		if (v[0] < 0)
			why = "MEAN must not be negative";
		else if (v[1] < 0)
			why = "SIGMA must not be negative";
		break;
	case SIM_DIST_UNIFORM:
		if (v[0] > v[1])
			why = "A must not be greater than B";
		break;
	case SIM_DIST_NORMAL:
		if (v[0] < 0)
			why = "MEAN must not be negative";
		else if (v[1] < 0)
			why = "SD must not be negative";
		break;
	case SIM_DIST_ZIPF:
		if (!(v[0] > 0))
			why = "S must be greater than 0";
		else if (n_args == 2 && n == 0)
			why = "N must be at least 1";
		break;
	}
	if (why != NULL) {
		dist_error(error, SIM_ERROR_RANGE, text, "%s; expected %s", why,
			   f->expected);
		return FALSE;
	}
	return TRUE;
}

/* "name(args)" in @s (stripped, non-empty, with parentheses); @text is the
 * original, for messages. */
static struct sim_dist *parse_call(const char *text, char *s,
				   enum sim_unit unit, GError **error)
{
	g_auto(GStrv) args = NULL;
	char *open = strchr(s, '('), *close = strrchr(s, ')');
	const struct form *f;
	struct sim_dist *d;
	double v[2] = { 0, 0 };
	uint64_t n = 0;
	int n_args, i;

	if (open == NULL || close == NULL || close < open ||
	    strchr(open + 1, '(') != NULL || strchr(s, ')') != close) {
		dist_error(error, SIM_ERROR_PARSE, text,
			   "unbalanced or nested parentheses; accepted are "
			   ACCEPTED " such as %s", unit_example(unit));
		return NULL;
	}
	if (close[1] != '\0') {
		dist_error(error, SIM_ERROR_PARSE, text,
			   "unexpected '%s' after ')'; accepted are " ACCEPTED
			   " such as %s", close + 1, unit_example(unit));
		return NULL;
	}

	*open = '\0';
	*close = '\0';
	g_strstrip(s);
	f = find_form(s);
	if (f == NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
			    "unknown distribution '%s': accepted are " ACCEPTED
			    " such as %s", text, unit_example(unit));
		return NULL;
	}

	/* "f()" has no argument, not one empty one. */
	if (g_strstrip(open + 1)[0] == '\0')
		args = g_new0(char *, 1);
	else
		args = g_strsplit(open + 1, ",", -1);
	n_args = (int)g_strv_length(args);
	if (n_args < f->min_args || n_args > f->max_args) {
		g_autofree char *takes = f->min_args == f->max_args ?
			g_strdup_printf("%d", f->max_args) :
			g_strdup_printf("%d or %d", f->min_args, f->max_args);

		dist_error(error, SIM_ERROR_PARSE, text,
			   "%s takes %s argument%s, not %d; expected %s",
			   f->name, takes, f->max_args == 1 ? "" : "s", n_args,
			   f->expected);
		return NULL;
	}

	for (i = 0; i < n_args; i++) {
		const char *arg = g_strstrip(args[i]);
		GError *arg_error = NULL;

		if (!parse_arg(arg, f->arg_types[i], unit, &v[i], &n,
			       &arg_error)) {
			g_propagate_prefixed_error(error, arg_error,
						   "bad distribution '%s': %s: ",
						   text, f->arg_names[i]);
			return NULL;
		}
	}
	if (!check_params(f, text, v, n_args, n, error))
		return NULL;

	d = dist_new(f->kind, unit, v[0], v[1]);
	if (f->kind == SIM_DIST_ZIPF && n_args == 2) {
		d->n_given = true;
		zipf_setup(d, n);
	}
	return d;
}

struct sim_dist *sim_dist_parse(const char *text, enum sim_unit unit,
				GError **error)
{
	g_autofree char *s = NULL;
	GError *value_error = NULL;
	uint64_t unused;
	double v;

	g_return_val_if_fail(text != NULL, NULL);

	s = g_strstrip(g_strdup(text));
	if (s[0] == '\0') {
		dist_error(error, SIM_ERROR_PARSE, text,
			   "empty; accepted are " ACCEPTED " such as %s",
			   unit_example(unit));
		return NULL;
	}
	if (strchr(s, '(') != NULL || strchr(s, ')') != NULL)
		return parse_call(text, s, unit, error);

	/* A plain value, or a name without its arguments. */
	if (g_ascii_isalpha(s[0])) {
		const struct form *f = find_form(s);

		if (f != NULL) {
			dist_error(error, SIM_ERROR_PARSE, text,
				   "missing arguments; expected %s",
				   f->expected);
		} else {
			g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
				    "unknown distribution '%s': accepted are "
				    ACCEPTED " such as %s", text,
				    unit_example(unit));
		}
		return NULL;
	}
	if (!parse_arg(s, ARG_VALUE, unit, &v, &unused, &value_error)) {
		g_propagate_prefixed_error(error, value_error,
					   "bad distribution '%s': ", text);
		return NULL;
	}
	return dist_new(SIM_DIST_CONST, unit, v, 0);
}

/* ---------------------------------------------------------------------- */
/* Objects */

struct sim_dist *sim_dist_new_const(double v)
{
	g_return_val_if_fail(isfinite(v), NULL);
	return dist_new(SIM_DIST_CONST, SIM_UNIT_NONE, v, 0);
}

struct sim_dist *sim_dist_new_exp(double mean)
{
	g_return_val_if_fail(isfinite(mean) && mean >= 0, NULL);
	return dist_new(SIM_DIST_EXP, SIM_UNIT_NONE, mean, 0);
}

void sim_dist_set_unit(struct sim_dist *d, enum sim_unit unit)
{
	g_return_if_fail(d != NULL);
	d->unit = unit;
}

struct sim_dist *sim_dist_copy(const struct sim_dist *d)
{
	g_return_val_if_fail(d != NULL, NULL);
	return g_memdup2(d, sizeof(*d));
}

void sim_dist_free(struct sim_dist *d)
{
	g_free(d);
}

enum sim_dist_kind sim_dist_kind(const struct sim_dist *d)
{
	return d->kind;
}

gboolean sim_dist_set_range(struct sim_dist *d, uint64_t n, GError **error)
{
	g_autofree char *desc = NULL;

	g_return_val_if_fail(d != NULL, FALSE);

	if (d->kind != SIM_DIST_ZIPF && d->kind != SIM_DIST_UNIFORM) {
		desc = sim_dist_to_string(d);
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "distribution '%s' cannot pick among items; "
			    "expected zipf(S[,N]) or uniform(A,B)", desc);
		return FALSE;
	}
	if (n == 0) {
		desc = sim_dist_to_string(d);
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "distribution '%s' cannot pick among 0 items", desc);
		return FALSE;
	}
	if (d->kind == SIM_DIST_UNIFORM) {
		d->n = n;
		return TRUE;
	}
	if (d->n_given) {
		if (d->n > n) {
			desc = sim_dist_to_string(d);
			g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
				    "distribution '%s': N must not exceed the "
				    "%" G_GUINT64_FORMAT " items available",
				    desc, n);
			return FALSE;
		}
		return TRUE;
	}
	zipf_setup(d, n);
	return TRUE;
}

uint64_t sim_dist_range(const struct sim_dist *d)
{
	return d->n;
}

/* ---------------------------------------------------------------------- */
/* Sampling */

static inline double dist_sample(const struct sim_dist *d, gsl_rng *r)
{
	double x;

	/* Exponential draws are on every hot path: no jump table for them. */
	if (G_LIKELY(d->kind == SIM_DIST_EXP))
		return -d->p0 * log(sim_rng_uniform_pos(r));
	switch (d->kind) {
	case SIM_DIST_CONST:
		return d->p0;
	case SIM_DIST_EXP:
		/* -MEAN ln U with U in (0,1): the same law as GSL's
		 * -MEAN log1p(-U), and log() is several times cheaper than
		 * log1p() in glibc; exponential draws are on every hot path. */
		return -d->p0 * log(sim_rng_uniform_pos(r));
	case SIM_DIST_LOGNORMAL:
		/* Degenerate cases exactly (exp(ln MEAN) may be off by an
		 * ulp; ln 0 is -inf). */
		if (d->p0 == 0 || d->p1 == 0)
			return d->p0;
		return exp(d->mu + d->p1 * gsl_ran_gaussian_ziggurat(r, 1.0));
	case SIM_DIST_UNIFORM:
		return gsl_ran_flat(r, d->p0, d->p1);
	case SIM_DIST_NORMAL:
		/* MEAN >= 0, so each try is kept with probability >= 1/2. */
		do {
			x = d->p0 + gsl_ran_gaussian_ziggurat(r, d->p1);
		} while (x < 0);
		return x;
	case SIM_DIST_ZIPF:
		g_return_val_if_fail(d->n > 0, 0);
		return (double)(zipf_sample(d, r) - 1);
	}
	g_return_val_if_reached(0);
}

double sim_dist_sample(const struct sim_dist *d, gsl_rng *r)
{
	return dist_sample(d, r);
}

sim_time_t sim_dist_sample_ns(const struct sim_dist *d, gsl_rng *r)
{
	double v = dist_sample(d, r);

	if (!(v > 0))
		return 0;
	if (v >= 0x1p63)
		return SIM_TIME_MAX;
	return (sim_time_t)sim_llround(v);
}

uint64_t sim_dist_sample_index(const struct sim_dist *d, gsl_rng *r)
{
	double f;

	g_return_val_if_fail(d->n > 0, 0);

	switch (d->kind) {
	case SIM_DIST_ZIPF:
		return zipf_sample(d, r) - 1;
	case SIM_DIST_UNIFORM:
		f = floor(gsl_ran_flat(r, d->p0, d->p1));
		if (!(f > 0))
			return 0;
		if (f >= (double)(d->n - 1))
			return d->n - 1;
		return (uint64_t)f;
	default:
		g_return_val_if_reached(0);
	}
}

/* ---------------------------------------------------------------------- */
/* Theory */

/* X ~ N(mu, sd) conditioned on X >= 0: with a = -mu/sd and
 * l = phi(a) / (1 - Phi(a)), E X = mu + sd l, Var X = sd^2 (1 + a l - l^2). */
static void truncated_normal_moments(double mu, double sd, double *mean,
				     double *var)
{
	double a, l;

	if (sd == 0) {
		*mean = mu;
		*var = 0;
		return;
	}
	a = -mu / sd;
	l = gsl_ran_ugaussian_pdf(a) / gsl_cdf_ugaussian_Q(a);
	*mean = mu + sd * l;
	*var = sd * sd * (1.0 + a * l - l * l);
}

double sim_dist_mean(const struct sim_dist *d)
{
	double mean, var;

	switch (d->kind) {
	case SIM_DIST_CONST:
	case SIM_DIST_EXP:
	case SIM_DIST_LOGNORMAL:
		return d->p0;
	case SIM_DIST_UNIFORM:
		return (d->p0 + d->p1) / 2.0;
	case SIM_DIST_NORMAL:
		truncated_normal_moments(d->p0, d->p1, &mean, &var);
		return mean;
	case SIM_DIST_ZIPF:
		g_return_val_if_fail(d->n > 0, NAN);
		zipf_moments(d, &mean, NULL);
		return mean;
	}
	g_return_val_if_reached(NAN);
}

double sim_dist_variance(const struct sim_dist *d)
{
	double mean, var;

	switch (d->kind) {
	case SIM_DIST_CONST:
		return 0;
	case SIM_DIST_EXP:
		return d->p0 * d->p0;
	case SIM_DIST_LOGNORMAL:
		return expm1(d->p1 * d->p1) * d->p0 * d->p0;
	case SIM_DIST_UNIFORM:
		return (d->p1 - d->p0) * (d->p1 - d->p0) / 12.0;
	case SIM_DIST_NORMAL:
		truncated_normal_moments(d->p0, d->p1, &mean, &var);
		return var;
	case SIM_DIST_ZIPF:
		g_return_val_if_fail(d->n > 0, NAN);
		zipf_moments(d, &mean, &var);
		return var;
	}
	g_return_val_if_reached(NAN);
}

/* ---------------------------------------------------------------------- */
/* Printing */

/* Whole numbers below 2^53 in full ("1000", not "1e+03"), anything else in
 * the shortest %g form that reads back as exactly @v. */
static char *format_plain(double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	char fmt[8];

	if (v == floor(v) && fabs(v) < 0x1p53)
		return g_strdup_printf("%.0f", v);
	for (int prec = 1; prec <= 17; prec++) {
		g_snprintf(fmt, sizeof(fmt), "%%.%dg", prec);
		g_ascii_formatd(buf, sizeof(buf), fmt, v);
		if (g_ascii_strtod(buf, NULL) == v)
			break;
	}
	return g_strdup(buf);
}

/* @v in @unit, readable back by the unit's parser to exactly @v. */
static char *format_value(double v, enum sim_unit unit)
{
	g_autofree char *plain = NULL;

	switch (unit) {
	case SIM_UNIT_TIME:
		if (v >= 0 && v < 0x1p63 && v == floor(v))
			return sim_format_time((sim_time_t)v);
		plain = format_plain(v);
		return g_strconcat(plain, "ns", NULL);
	case SIM_UNIT_SIZE:
		if (v >= 0 && v < 0x1p64 && v == floor(v))
			return sim_format_size((uint64_t)v);
		plain = format_plain(v);
		return g_strconcat(plain, "B", NULL);
	case SIM_UNIT_NONE:
	default:
		return format_plain(v);
	}
}

char *sim_dist_to_string(const struct sim_dist *d)
{
	g_autofree char *a = NULL, *b = NULL;

	g_return_val_if_fail(d != NULL, NULL);

	switch (d->kind) {
	case SIM_DIST_CONST:
		return format_value(d->p0, d->unit);
	case SIM_DIST_EXP:
		a = format_value(d->p0, d->unit);
		return g_strdup_printf("exp(%s)", a);
	case SIM_DIST_LOGNORMAL:
		a = format_value(d->p0, d->unit);
		b = format_plain(d->p1);
		return g_strdup_printf("lognormal(%s,%s)", a, b);
	case SIM_DIST_UNIFORM:
		a = format_value(d->p0, d->unit);
		b = format_value(d->p1, d->unit);
		return g_strdup_printf("uniform(%s,%s)", a, b);
	case SIM_DIST_NORMAL:
		a = format_value(d->p0, d->unit);
		b = format_value(d->p1, d->unit);
		return g_strdup_printf("normal(%s,%s)", a, b);
	case SIM_DIST_ZIPF:
		a = format_plain(d->p0);
		if (d->n == 0)
			return g_strdup_printf("zipf(%s)", a);
		return g_strdup_printf("zipf(%s,%" G_GUINT64_FORMAT ")", a,
				       d->n);
	}
	g_return_val_if_reached(NULL);
}
