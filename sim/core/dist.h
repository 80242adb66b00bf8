/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Random distributions given as text in scenarios: service times, think
 * times, sizes, and which page (rank) an access goes to.
 *
 * Forms (whitespace is allowed around names, parentheses and commas):
 *
 *	const(V)		always V
 *	V			a plain value: the same as const(V)
 *	exp(MEAN)		exponential with mean MEAN >= 0
 *	lognormal(MEAN,SIGMA)	log-normal whose own mean is MEAN >= 0; SIGMA >= 0
 *				is the dimensionless shape (standard deviation
 *				of the underlying normal): mu = ln MEAN - SIGMA^2/2
 *	uniform(A,B)		uniform on [A, B), A <= B
 *	normal(MEAN,SD)		normal truncated at 0 (negative draws are drawn
 *				again), MEAN >= 0, SD >= 0
 *	zipf(S)			Zipf ranks over a range set by sim_dist_set_range()
 *	zipf(S,N)		Zipf ranks k in [0, N): P(k) ~ 1/(k+1)^S, S > 0, N >= 1
 *
 * V, MEAN, SD, A and B are in the unit the caller asks for (enum sim_unit):
 * times like "80us" (parsed by sim_parse_time_double, kept in ns), sizes
 * like "4KiB" (kept in bytes), or plain numbers.  SIGMA, S and N are plain
 * numbers whatever the unit; N is a whole number ("1e6" is fine).
 *
 * Errors are GErrors in SIM_ERROR whose message quotes the text and says
 * what is accepted: SIM_ERROR_UNKNOWN for an unknown name, SIM_ERROR_PARSE
 * for malformed text (parentheses, argument count, a bad value), and
 * SIM_ERROR_RANGE for a value out of its range.
 *
 * Costs: every draw is O(1) and allocation-free, zipf included (rejection-
 * inversion, no table, whatever N).  Mean and variance of a zipf are
 * computed by summation, O(N).
 *
 * A struct sim_dist is immutable once its range is set: several threads
 * may sample from one at the same time, each with its own gsl_rng.
 */
#ifndef FAULTSIM_SIM_DIST_H
#define FAULTSIM_SIM_DIST_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "sim/core/types.h"

/* The unit of a distribution's value arguments. */
enum sim_unit {
	SIM_UNIT_NONE,		/* plain numbers */
	SIM_UNIT_TIME,		/* times, kept in ns */
	SIM_UNIT_SIZE,		/* sizes, kept in bytes */
};

enum sim_dist_kind {
	SIM_DIST_CONST,
	SIM_DIST_EXP,
	SIM_DIST_LOGNORMAL,
	SIM_DIST_UNIFORM,
	SIM_DIST_NORMAL,
	SIM_DIST_ZIPF,
};

struct sim_dist;
typedef struct sim_dist sim_dist;	/* for g_autoptr() */

/* Parse @text (see the forms above) with value arguments in @unit. */
struct sim_dist *sim_dist_parse(const char *text, enum sim_unit unit,
				GError **error);
/* const(@v) and exp(@mean), in base units, for defaults set by code.  Their
 * unit is SIM_UNIT_NONE until sim_dist_set_unit() says otherwise. */
struct sim_dist *sim_dist_new_const(double v);
struct sim_dist *sim_dist_new_exp(double mean);
/* Set the unit that sim_dist_to_string() writes values in. */
void sim_dist_set_unit(struct sim_dist *d, enum sim_unit unit);
struct sim_dist *sim_dist_copy(const struct sim_dist *d);
void sim_dist_free(struct sim_dist *d);

enum sim_dist_kind sim_dist_kind(const struct sim_dist *d);

/* A draw, in base units (ns, bytes); a zipf gives its rank as a double. */
double sim_dist_sample(const struct sim_dist *d, gsl_rng *r);
/* A draw rounded to ns: never negative, at most SIM_TIME_MAX. */
sim_time_t sim_dist_sample_ns(const struct sim_dist *d, gsl_rng *r);

/*
 * Make @d pick among @n items (indices 0 .. n-1), for a zipf or a uniform
 * used as an index distribution.  A zipf(S) takes N = @n; a zipf(S,N) keeps
 * its N, which must not exceed @n.  Any other kind, n = 0, or N > n is a
 * SIM_ERROR_RANGE error (the distribution came from user input).
 */
gboolean sim_dist_set_range(struct sim_dist *d, uint64_t n, GError **error);
/* The range set by sim_dist_set_range() or zipf's N; 0 if none. */
uint64_t sim_dist_range(const struct sim_dist *d);
/* A zipf rank in [0, N); for a uniform, floor of a draw clamped to
 * [0, n).  Needs a range; a programming error on other kinds. */
uint64_t sim_dist_sample_index(const struct sim_dist *d, gsl_rng *r);

/*
 * llround(@v), inline: half-way cases away from zero.  For 0 <= v < 2^63
 * it truncates and adds one if the fraction is at least 1/2; v - trunc(v)
 * is exact there (below 2^52 it is v's own fraction bits, above it v is an
 * integer), so the result is llround's, bit for bit, without its call.
 * Anything else (negative, huge, NaN) goes to llround().
 */
static inline long long sim_llround(double v)
{
	if (G_LIKELY(v >= 0 && v < 0x1p63)) {
		long long i = (long long)v;

		return i + (v - (double)i >= 0.5);
	}
	return llround(v);
}

/* A cost in ns: a draw of @d from @r, or @ns when @d is NULL (a constant
 * cost: nothing drawn, so it leaves every random stream as it was). */
static inline sim_time_t sim_dist_cost(const struct sim_dist *d, gsl_rng *r, sim_time_t ns)
{
	return d ? sim_dist_sample_ns(d, r) : ns;
}

/* Theoretical mean and variance of sim_dist_sample() (truncation included
 * for normal; zipf in rank units, 0-based, over its range). */
double sim_dist_mean(const struct sim_dist *d);
double sim_dist_variance(const struct sim_dist *d);

/* Text that sim_dist_parse() (with the same unit) turns back into the same
 * distribution, e.g. "exp(80us)", "zipf(1.1,1000)".  g_free() it. */
char *sim_dist_to_string(const struct sim_dist *d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_dist, sim_dist_free)

#endif /* FAULTSIM_SIM_DIST_H */
