/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block regeneration of mt19937 for the inline draws of rng.h: the
 * recurrence of Matsumoto and Nishimura, "Mersenne Twister: a
 * 623-dimensionally equidistributed uniform pseudo-random number
 * generator", ACM TOMACS 8(1), 1998, with N = 624, M = 397, the upper bit
 * of one word joined to the lower 31 of the next, and the twist matrix
 * 0x9908b0df added when the joined word is odd.  The words stay below
 * 2^32 (the seeding makes them so and the recurrence keeps them).
 */
#include "config.h"

#include "sim/core/rng.h"

#define MT_M 397
#define MT_UPPER 0x80000000UL
#define MT_LOWER 0x7fffffffUL
#define MT_MATRIX 0x9908b0dfUL

/* The next word from words a (upper bit), b (lower bits) and c (M ahead). */
static inline unsigned long mt_twist(unsigned long a, unsigned long b, unsigned long c)
{
	unsigned long y = (a & MT_UPPER) | (b & MT_LOWER);

	/* -(y & 1) is all ones for odd y: the matrix without a branch. */
	return c ^ (y >> 1) ^ (-(y & 1UL) & MT_MATRIX);
}

void sim_rng_mt_refill(struct sim_mt_state *s)
{
	unsigned long *mt = s->mt;
	int k;

	for (k = 0; k < SIM_MT_N - MT_M; k++)
		mt[k] = mt_twist(mt[k], mt[k + 1], mt[k + MT_M]);
	for (; k < SIM_MT_N - 1; k++)
		mt[k] = mt_twist(mt[k], mt[k + 1], mt[k + MT_M - SIM_MT_N]);
	mt[SIM_MT_N - 1] = mt_twist(mt[SIM_MT_N - 1], mt[0], mt[MT_M - 1]);
	s->mti = 0;
}
