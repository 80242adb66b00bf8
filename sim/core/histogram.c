/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-linear histograms: everything but the inline record path.
 *
 * The bin layout and the error bound are described in histogram.h.  This
 * file maps bins back to value ranges, answers quantiles by walking the
 * bins (O(number of bins)), and does the wide-integer arithmetic behind the
 * mean and the standard deviation (O(1)):
 *
 *	mean     = S1 / n
 *	variance = (n * S2 - S1^2) / (n * (n - 1))
 *
 * with S1 = sum of values (128 bits) and S2 = sum of squares (192 bits).
 * The numerator is computed exactly in 256 bits and rounded once, so the
 * usual cancellation of the one-pass formula cannot happen: the values
 * 1e12 + {0, 1, 2} give a standard deviation of exactly 1.
 */
#include <math.h>
#include <string.h>
#include "sim/core/histogram.h"

/* Bins below 2^(SIM_HIST_SUB_BITS + 1) hold one value each. */
#define EXACT_BINS	(2u << SIM_HIST_SUB_BITS)
#define SUB_MASK	((1u << SIM_HIST_SUB_BITS) - 1)

/* Width of the bin at @idx (idx < SIM_HIST_NR_BINS): a power of two. */
static unsigned int bin_shift(unsigned int idx)
{
	return idx < EXACT_BINS ? 0 : (idx >> SIM_HIST_SUB_BITS) - 1;
}

/* Lower edge of the bin at @idx (idx < SIM_HIST_NR_BINS). */
static uint64_t bin_lower(unsigned int idx)
{
	uint64_t mantissa;

	if (idx < EXACT_BINS)
		return idx;
	mantissa = (idx & SUB_MASK) | (1u << SIM_HIST_SUB_BITS);
	return mantissa << bin_shift(idx);
}

/* a[0..n) += b[0..n), modulo 2^(64 n).  Limbs are low first. */
static void limbs_add(uint64_t *a, const uint64_t *b, unsigned int n)
{
	uint64_t carry = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t s = a[i] + b[i];
		uint64_t c = s < b[i];

		a[i] = s + carry;
		carry = c | (a[i] < carry);
	}
}

/* a[0..n) -= b[0..n), modulo 2^(64 n). */
static void limbs_sub(uint64_t *a, const uint64_t *b, unsigned int n)
{
	uint64_t borrow = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t d = a[i] - b[i];
		uint64_t br = a[i] < b[i];

		a[i] = d - borrow;
		borrow = br | (d < borrow);
	}
}

/* r[0..na+nb) = a[0..na) * b[0..nb).  @r must not overlap the inputs. */
static void limbs_mul(uint64_t *r, const uint64_t *a, unsigned int na,
		      const uint64_t *b, unsigned int nb)
{
	memset(r, 0, (na + nb) * sizeof(*r));
	for (unsigned int i = 0; i < na; i++) {
		uint64_t carry = 0;

		for (unsigned int j = 0; j < nb; j++) {
			uint64_t hi, lo;

			sim_hist_umul128(a[i], b[j], &hi, &lo);
			lo += carry;
			hi += lo < carry;
			r[i + j] += lo;
			hi += r[i + j] < lo;
			carry = hi;	/* a product plus two limbs fits */
		}
		r[i + nb] = carry;
	}
}

static long double limbs_to_ld(const uint64_t *a, unsigned int n)
{
	long double x = 0;

	for (unsigned int i = n; i-- > 0;)
		x = ldexpl(x, 64) + (long double)a[i];
	return x;
}

struct sim_hist *sim_hist_new(void)
{
	struct sim_hist *h = g_new(struct sim_hist, 1);

	sim_hist_reset(h);
	return h;
}

void sim_hist_free(struct sim_hist *h)
{
	g_free(h);
}

void sim_hist_reset(struct sim_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void sim_hist_record_n(struct sim_hist *h, uint64_t v, uint64_t n)
{
	uint64_t prod[2], sq[2], sqn[3];

	if (n == 0)
		return;

	h->count += n;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;

	sim_hist_umul128(v, n, &prod[1], &prod[0]);
	limbs_add(h->sum, prod, 2);

	sim_hist_umul128(v, v, &sq[1], &sq[0]);
	limbs_mul(sqn, sq, 2, &n, 1);
	limbs_add(h->sumsq, sqn, 3);

	h->bins[sim_hist_bin_index(v)] += n;
}

uint64_t sim_hist_count(const struct sim_hist *h)
{
	return h->count;
}

uint64_t sim_hist_min(const struct sim_hist *h)
{
	return h->count ? h->min : 0;
}

uint64_t sim_hist_max(const struct sim_hist *h)
{
	return h->max;
}

double sim_hist_sum(const struct sim_hist *h)
{
	return (double)limbs_to_ld(h->sum, 2);
}

double sim_hist_mean(const struct sim_hist *h)
{
	if (!h->count)
		return 0;
	return (double)(limbs_to_ld(h->sum, 2) / h->count);
}

double sim_hist_stddev(const struct sim_hist *h)
{
	uint64_t num[4], s1sq[4];
	long double var;

	if (h->count < 2)
		return 0;

	/* n * S2 - S1^2 >= 0 (Cauchy-Schwarz), exact in 256 bits. */
	limbs_mul(num, h->sumsq, 3, &h->count, 1);
	limbs_mul(s1sq, h->sum, 2, h->sum, 2);
	limbs_sub(num, s1sq, 4);

	var = limbs_to_ld(num, 4) / h->count / (h->count - 1);
	return (double)sqrtl(var);
}

uint64_t sim_hist_quantile(const struct sim_hist *h, double q)
{
	long double x;
	uint64_t rank, seen = 0;

	g_return_val_if_fail(q >= 0.0 && q <= 1.0, 0);

	if (!h->count)
		return 0;

	/* Nearest rank; see histogram.h for the tolerance. */
	x = (long double)q * h->count;
	x = ceill(x - x * 1e-12L);
	rank = x < 1 ? 1 : (uint64_t)x;
	if (q == 0.0 || rank == 1)
		return h->min;
	if (rank >= h->count)
		return h->max;

	/* No value lies outside the bins of min and max. */
	for (unsigned int i = sim_hist_bin_index(h->min); i <= SIM_HIST_OVERFLOW; i++) {
		uint64_t mid;

		seen += h->bins[i];
		if (seen < rank)
			continue;
		if (i == SIM_HIST_OVERFLOW)
			return h->max;
		mid = bin_lower(i) + ((UINT64_C(1) << bin_shift(i)) >> 1);
		if (mid < h->min)
			return h->min;
		if (mid > h->max)
			return h->max;
		return mid;
	}
	g_assert_not_reached();
}

void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src)
{
	if (!src->count)
		return;

	dst->count += src->count;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	limbs_add(dst->sum, src->sum, 2);
	limbs_add(dst->sumsq, src->sumsq, 3);
	for (unsigned int i = sim_hist_bin_index(src->min); i <= sim_hist_bin_index(src->max); i++)
		dst->bins[i] += src->bins[i];
}

void sim_hist_foreach_bin(const struct sim_hist *h, sim_hist_bin_fn *fn,
			  void *data)
{
	/* Only the bins from min's to max's can hold values (none while
	 * empty): a histogram has 2240 bins. */
	unsigned int last = h->count ? MIN(sim_hist_bin_index(h->max), SIM_HIST_NR_BINS - 1) : 0;

	for (unsigned int i = h->count ? sim_hist_bin_index(h->min) : 1; i <= last; i++) {
		uint64_t lower;

		if (!h->bins[i])
			continue;
		lower = bin_lower(i);
		fn(lower, lower + (UINT64_C(1) << bin_shift(i)), h->bins[i],
		   data);
	}

	if (h->bins[SIM_HIST_OVERFLOW]) {
		uint64_t upper = h->max == UINT64_MAX ? UINT64_MAX : h->max + 1;

		fn(SIM_HIST_LIMIT, upper, h->bins[SIM_HIST_OVERFLOW], data);
	}
}
