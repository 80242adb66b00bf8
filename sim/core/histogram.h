/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A log-linear histogram of non-negative integers: latencies in ns, or
 * counts such as retries per fault.
 *
 * Bin layout.  Values below 128 have a bin each and are exact.  Above that,
 * every power of two [2^e, 2^(e+1)), e = 7 .. 39, is cut into 64 bins of
 * equal width 2^(e-6).  A bin is therefore never wider than 1/64 of its
 * lower edge, and the midpoint of the bin holding a value is within 1/128
 * (0.78125%) of it: quantiles are reported as bin midpoints, so their
 * relative error is at most SIM_HIST_MAX_REL_ERROR.  The binned range ends
 * at SIM_HIST_LIMIT = 2^40 (about 1.1e12, i.e. 1100 s in ns); larger values
 * all go to one overflow bin.  They still count in every moment and in the
 * exact min and max, but a quantile that falls among them is reported as
 * the max.  The table has 2241 bins of 8 bytes (about 18 KiB).
 *
 * Besides the bins, a histogram keeps the exact count, min, max, sum and
 * sum of squares.  The sums are wide integers (128 and 192 bits) that
 * cannot overflow while the count fits in 64 bits, whatever the values.  So
 * the mean is exact up to one final rounding, the standard deviation is
 * free of cancellation however large the values are next to their spread,
 * and merging two histograms gives bit for bit what recording both sets of
 * values into one would have given.
 *
 * Costs: sim_hist_record() is O(1) with no allocation, no division and no
 * loop: a count-leading-zeros, a shift, a few adds.  Quantiles, the
 * iteration over bins, merge and reset are O(number of bins).  The moments
 * are O(1).
 *
 * A histogram is an ordinary object with no shared state: different
 * histograms may be used on different threads at once; one histogram must
 * not be written from two threads at the same time.
 *
 * The structure is public only so that sim_hist_record() can be inlined;
 * its fields are private to histogram.c and this header.
 */
#ifndef FAULTSIM_SIM_HISTOGRAM_H
#define FAULTSIM_SIM_HISTOGRAM_H

#include <stdint.h>
#include <glib.h>

#define SIM_HIST_SUB_BITS	6		/* 64 bins per power of two */
#define SIM_HIST_RANGE_BITS	40		/* binned values are < 2^40 */
#define SIM_HIST_LIMIT		(UINT64_C(1) << SIM_HIST_RANGE_BITS)
/* Bins below SIM_HIST_LIMIT; the overflow bin comes after them. */
#define SIM_HIST_NR_BINS \
	((SIM_HIST_RANGE_BITS - SIM_HIST_SUB_BITS + 1) << SIM_HIST_SUB_BITS)
#define SIM_HIST_OVERFLOW	SIM_HIST_NR_BINS
/* Bound on |reported - exact| / exact for a quantile below SIM_HIST_LIMIT. */
#define SIM_HIST_MAX_REL_ERROR	(1.0 / (2 << SIM_HIST_SUB_BITS))

typedef struct sim_hist sim_hist;	/* for g_autoptr() */

struct sim_hist {
	uint64_t count;
	uint64_t min;			/* UINT64_MAX while empty */
	uint64_t max;
	uint64_t sum[2];		/* sum of values, 128 bits, low first */
	uint64_t sumsq[3];		/* sum of squares, 192 bits */
	uint64_t bins[SIM_HIST_NR_BINS + 1];
};

/* Internal: the 128-bit product of @a and @b, as (*hi, *lo). */
static inline void sim_hist_umul128(uint64_t a, uint64_t b,
				    uint64_t *hi, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 p = (unsigned __int128)a * b;

	*lo = (uint64_t)p;
	*hi = (uint64_t)(p >> 64);
#else
	uint64_t al = (uint32_t)a, ah = a >> 32;
	uint64_t bl = (uint32_t)b, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;

	*lo = (mid << 32) | (uint32_t)ll;
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* The bin that holds @v: @v itself below 128, SIM_HIST_OVERFLOW from
 * SIM_HIST_LIMIT on. */
static inline unsigned int sim_hist_bin_index(uint64_t v)
{
	/* floor(log2(v)), but SIM_HIST_SUB_BITS for any smaller v: so the
	 * shift is 0 below 128 without a compare. */
	unsigned int e = 63 - __builtin_clzll(v | (UINT64_C(1) << SIM_HIST_SUB_BITS));
	unsigned int shift = e - SIM_HIST_SUB_BITS;
	unsigned int idx = (shift << SIM_HIST_SUB_BITS) +
			   (unsigned int)(v >> shift);

	return v < SIM_HIST_LIMIT ? idx : SIM_HIST_OVERFLOW;
}

/* Create an empty histogram.  Never fails. */
struct sim_hist *sim_hist_new(void);
/* Free @h (NULL is allowed). */
void sim_hist_free(struct sim_hist *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_hist, sim_hist_free)

/* Record one value.  O(1), no allocation: meant for the hot path. */
static inline void sim_hist_record(struct sim_hist *h, uint64_t v)
{
	uint64_t hi, lo, carry;

	h->count++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;

	h->sum[0] += v;
	h->sum[1] += h->sum[0] < v;

	/* hi <= 2^64 - 2 for a square, so hi + carry cannot wrap. */
	sim_hist_umul128(v, v, &hi, &lo);
	h->sumsq[0] += lo;
	carry = h->sumsq[0] < lo;
	hi += carry;
	h->sumsq[1] += hi;
	h->sumsq[2] += h->sumsq[1] < hi;

	h->bins[sim_hist_bin_index(v)]++;
}

/* Record the value 0: the same result as sim_hist_record(@h, 0), without
 * the sums, the squares and the max, which a 0 leaves as they are.  For a
 * hot path whose values are mostly 0 (a lock held for no simulated time). */
static inline void sim_hist_record_zero(struct sim_hist *h)
{
	h->count++;
	h->min = 0;
	h->bins[0]++;
}

/* Record @v @n times (same result as @n calls of sim_hist_record()). */
void sim_hist_record_n(struct sim_hist *h, uint64_t v, uint64_t n);

/* Number of values recorded. */
uint64_t sim_hist_count(const struct sim_hist *h);
/* Smallest value recorded, exact; 0 when empty. */
uint64_t sim_hist_min(const struct sim_hist *h);
/* Largest value recorded, exact (also in the overflow bin); 0 when empty. */
uint64_t sim_hist_max(const struct sim_hist *h);
/* Arithmetic mean, exact up to rounding to double; 0 when empty. */
double sim_hist_mean(const struct sim_hist *h);
/* Sample standard deviation (divisor n - 1); 0 for fewer than 2 values. */
double sim_hist_stddev(const struct sim_hist *h);
/* Sum of the values, exact up to rounding to double. */
double sim_hist_sum(const struct sim_hist *h);

/*
 * The nearest-rank @q-quantile, q in [0, 1]: the k-th smallest value, with
 * k = ceil(q * count) and k >= 1.  A product q * count that exceeds an
 * integer by less than a relative 1e-12 counts as that integer, so that
 * q = 0.999 of 1000 values is the 999th although 0.999 is not exact in
 * binary.  q = 0 and k = 1 give the min and k = count the max, exactly;
 * otherwise the result is the midpoint of the bin holding the k-th value,
 * clamped to [min, max] (the max if that bin is the overflow bin).  0 when
 * empty.  O(number of bins).
 */
uint64_t sim_hist_quantile(const struct sim_hist *h, double q);

/* Add @src into @dst: the result is the same, bit for bit, as if @dst had
 * also recorded every value of @src.  @src is unchanged. */
void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src);
/* Forget every value: @h is as if just created. */
void sim_hist_reset(struct sim_hist *h);

/* Called with a bin's range [lower, upper) and its count. */
typedef void sim_hist_bin_fn(uint64_t lower, uint64_t upper, uint64_t count,
			     void *data);
/* Call @fn on each non-empty bin in ascending order.  The overflow bin is
 * [SIM_HIST_LIMIT, max + 1), with upper saturated at UINT64_MAX. */
void sim_hist_foreach_bin(const struct sim_hist *h, sim_hist_bin_fn *fn,
			  void *data);

#endif /* FAULTSIM_SIM_HISTOGRAM_H */
