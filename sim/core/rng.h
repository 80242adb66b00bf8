/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inline draws from the engine's random streams (sim_rng()): the same
 * numbers, bit for bit, as gsl_rng_get(), gsl_rng_uniform(),
 * gsl_rng_uniform_pos() and gsl_rng_uniform_int(), without their two
 * calls (the library function, then the generator through the type's
 * function pointer) per draw.
 *
 * The default generator, GSL's mt19937, keeps 624 untempered words and an
 * index; a draw takes the word at the index and tempers it, and every 624
 * draws the whole block is regenerated.  For a stream of that type the
 * fast path here does both itself: the published MT19937 recurrence
 * (sim_rng_mt_refill(), rng.c; the twist matrix 0x9908b0df applied without
 * a branch, where a data-dependent branch per word mispredicts half the
 * time) and output transform (shifts by 11, 7, 15 and 18 with the masks
 * 0x9d2c5680 and 0xefc60000).  Another generator (rng = taus2) goes to
 * GSL.  The numbers are GSL's, bit for bit: the fast path depends on the
 * layout of the state (an array of 624 unsigned long and an int index,
 * GSL's rng/mt.c since 1998, which gsl_rng_set() fills), and
 * tests/test-dist /sim/dist/rng-inline checks it against GSL draw by
 * draw, across many regenerations.
 *
 * gsl_rng_uniform() of mt19937 is the 32-bit word over 2^32;
 * gsl_rng_uniform_pos() draws again while that is 0; gsl_rng_uniform_int()
 * divides by (max - min) / n and draws again while the quotient is >= n.
 */
#ifndef FAULTSIM_SIM_RNG_H
#define FAULTSIM_SIM_RNG_H

#include <stdbool.h>
#include <glib.h>
#include <gsl/gsl_rng.h>

#define SIM_MT_N 624

/* GSL's mt19937 state (rng/mt.c: mt_state_t). */
struct sim_mt_state {
	unsigned long mt[SIM_MT_N];
	int mti;
};

/* Regenerate the block of 624 words and restart the index (rng.c). */
void sim_rng_mt_refill(struct sim_mt_state *s);

/* The next word of @r if it is an mt19937 stream: returns true and sets
 * *@k; false otherwise (nothing drawn). */
static inline bool sim_rng_mt_next(const gsl_rng *r, unsigned long *k)
{
	struct sim_mt_state *s = r->state;
	unsigned long y;

	if (G_UNLIKELY(r->type != gsl_rng_mt19937))
		return false;
	if (G_UNLIKELY(s->mti >= SIM_MT_N))
		sim_rng_mt_refill(s);
	y = s->mt[s->mti++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680UL;
	y ^= (y << 15) & 0xefc60000UL;
	y ^= y >> 18;
	*k = y;
	return true;
}

/* gsl_rng_get(@r) */
static inline unsigned long sim_rng_get(const gsl_rng *r)
{
	unsigned long k;

	if (G_LIKELY(sim_rng_mt_next(r, &k)))
		return k;
	return gsl_rng_get(r);
}

/* gsl_rng_uniform(@r): [0, 1) */
static inline double sim_rng_uniform(const gsl_rng *r)
{
	unsigned long k;

	if (G_LIKELY(sim_rng_mt_next(r, &k)))
		return (double)(long)k / 4294967296.0;	/* k < 2^32: exact */
	return gsl_rng_uniform(r);
}

/* gsl_rng_uniform_pos(@r): (0, 1) */
static inline double sim_rng_uniform_pos(const gsl_rng *r)
{
	unsigned long k;

	for (;;) {
		if (G_UNLIKELY(!sim_rng_mt_next(r, &k)))
			return gsl_rng_uniform_pos(r);
		if (G_LIKELY(k))
			return (double)(long)k / 4294967296.0;	/* k < 2^32: exact */
	}
}

/* gsl_rng_uniform_int(@r, @n): [0, n) */
static inline unsigned long sim_rng_uniform_int(const gsl_rng *r, unsigned long n)
{
	unsigned long range = r->type->max - r->type->min;
	unsigned long scale, k;

	if (G_UNLIKELY(r->type != gsl_rng_mt19937 || n == 0 || n > range))
		return gsl_rng_uniform_int(r, n);
	scale = range / n;
	do {
		if (G_UNLIKELY(!sim_rng_mt_next(r, &k)))
			k = gsl_rng_get(r);
		k /= scale;
	} while (k >= n);
	return k;
}

#endif /* FAULTSIM_SIM_RNG_H */
