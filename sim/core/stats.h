/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The measurements of one run: named counters, histograms and scalars.
 *
 * A measurement is named by (module, name), the pair OMNeT++ writes in its
 * result rows (moduleName, name): ("mmap_sem", "rwsem_sleep_reader"),
 * ("disk", "responseTime").  Counters, histograms and scalars are three
 * separate namespaces: a counter and a histogram may share a name.
 *
 * A component looks its measurements up once, when it is set up, and keeps
 * the pointer: the pointer stays valid, at the same address, until the
 * registry is freed, so the hot path is a plain (*counter)++ or
 * sim_hist_record().  Iteration is in registration order, which depends
 * only on the order of the calls, never on hashing or addresses: two runs of
 * the same scenario list their results in the same order.
 *
 * What a measurement is.  Whoever creates one declares, once, its unit
 * and a one-line description (the *_unit() variants): the results
 * database records them (scalarAttr / statisticAttr "unit" and
 * "description", OMNeT++'s attribute names), `faultsim list metrics` and
 * `faultsim report` show them.  Units are short and literal: "ns", "B",
 * "1/s" or "WHAT/s" for rates, "pages", "faults", "requests" -- a
 * counter's unit names what it counts; a histogram's unit is that of its
 * samples.  The strings are copied (interned in the registry), so they
 * may be built at run time.
 *
 * Costs: a get-or-create is O(length of the names) on average (a hash
 * lookup, plus one allocation the first time); iteration is O(number of
 * measurements); merge is O(measurements of the source), plus
 * O(number of bins) per histogram.  A histogram takes about 18 KiB.
 *
 * Vectors are time series (OMNeT++'s output vectors): samples of
 * (step number, simulated time, value) appended in time order, with the
 * unit, description and the interpolation mode that says what a value
 * means between two samples ("sample-hold": it held from its sample to
 * the next; "backward-sample-hold": it held over the interval that ends
 * at its sample, a count per interval; "linear"; "none").  A vector
 * takes 24 bytes a sample; whoever records one bounds its length.
 *
 * No shared state: different registries may be used on different threads
 * at once; one registry must not be used from two threads at the same time.
 */
#ifndef FAULTSIM_SIM_STATS_H
#define FAULTSIM_SIM_STATS_H

#include <stdint.h>
#include <glib.h>
#include "sim/core/histogram.h"

struct sim_stats;
typedef struct sim_stats sim_stats;	/* for g_autoptr() */

/* Create an empty registry.  Never fails. */
struct sim_stats *sim_stats_new(void);
/* Free @st and every measurement in it (NULL is allowed). */
void sim_stats_free(struct sim_stats *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_stats, sim_stats_free)

/* The counter (@module, @name), created at 0 on first use; the pointer is
 * valid until sim_stats_free(). */
uint64_t *sim_stats_counter(struct sim_stats *st, const char *module,
			    const char *name);
/* The histogram (@module, @name), created empty on first use; the pointer
 * is valid until sim_stats_free() and must not be freed by the caller. */
struct sim_hist *sim_stats_hist(struct sim_stats *st, const char *module,
				const char *name);
/* The scalar (@module, @name), created at 0 on first use; the pointer is
 * valid until sim_stats_free(). */
double *sim_stats_scalar(struct sim_stats *st, const char *module,
			 const char *name);

/*
 * The same, declaring what the measurement is: @unit and @description
 * (either may be NULL: not declared) replace what was declared before.
 * Each also creates the measurement, so that declaring is looking up.
 */
uint64_t *sim_stats_counter_unit(struct sim_stats *st, const char *module,
				 const char *name, const char *unit,
				 const char *description);
struct sim_hist *sim_stats_hist_unit(struct sim_stats *st, const char *module,
				     const char *name, const char *unit,
				     const char *description);
double *sim_stats_scalar_unit(struct sim_stats *st, const char *module,
			      const char *name, const char *unit,
			      const char *description);

/* One sample of a vector. */
struct sim_vector_sample {
	uint64_t event;			/* steps taken before it */
	int64_t time;			/* simulated time, ns */
	double value;
};

struct sim_vector;

/* The vector (@module, @name), created empty on first use, declaring its
 * @unit, @description and @interpolation (each may be NULL: kept as it
 * was); the pointer is valid until sim_stats_free(). */
struct sim_vector *sim_stats_vector_unit(struct sim_stats *st, const char *module,
					 const char *name, const char *unit,
					 const char *description, const char *interpolation);
/* Append a sample (times must not go back).  Amortised O(1). */
void sim_vector_record(struct sim_vector *v, uint64_t event, int64_t time, double value);
/* Its samples, in the order recorded, and their number. */
const struct sim_vector_sample *sim_vector_samples(const struct sim_vector *v, size_t *n);
/* Its interpolation mode, NULL if not declared. */
const char *sim_vector_interpolation(const struct sim_vector *v);

/* The counter (@module, @name) if it exists (without creating it), else
 * NULL. */
uint64_t *sim_stats_counter_find(struct sim_stats *st, const char *module, const char *name);
/* The histogram (@module, @name) if it exists, else NULL. */
const struct sim_hist *sim_stats_hist_find(const struct sim_stats *st, const char *module,
					   const char *name);

enum sim_stat_kind {
	SIM_STAT_COUNTER,
	SIM_STAT_HIST,
	SIM_STAT_SCALAR,
	SIM_STAT_VECTOR,
};

/* The unit declared for the measurement (@kind, @module, @name), NULL if
 * none (or no such measurement); *@description (may be NULL) gets its
 * description or NULL.  The strings belong to the registry. */
const char *sim_stats_unit(const struct sim_stats *st, enum sim_stat_kind kind,
			   const char *module, const char *name,
			   const char **description);

/* Visitors.  The strings and the histogram belong to the registry. */
typedef void sim_stats_counter_fn(const char *module, const char *name,
				  uint64_t value, void *data);
typedef void sim_stats_hist_fn(const char *module, const char *name,
			       const struct sim_hist *h, void *data);
typedef void sim_stats_scalar_fn(const char *module, const char *name,
				 double value, void *data);

typedef void sim_stats_vector_fn(const char *module, const char *name,
				 const struct sim_vector *v, void *data);

/* Call @fn on every counter, in registration order.  @fn must not create
 * measurements in @st. */
void sim_stats_foreach_counter(const struct sim_stats *st,
			       sim_stats_counter_fn *fn, void *data);
/* Call @fn on every histogram, in registration order (empty ones too). */
void sim_stats_foreach_hist(const struct sim_stats *st,
			    sim_stats_hist_fn *fn, void *data);
/* Call @fn on every scalar, in registration order. */
void sim_stats_foreach_scalar(const struct sim_stats *st,
			      sim_stats_scalar_fn *fn, void *data);

/* Call @fn on every vector, in registration order (empty ones too). */
void sim_stats_foreach_vector(const struct sim_stats *st,
			      sim_stats_vector_fn *fn, void *data);

/*
 * Add @src into @dst: counters add, histograms merge (sim_hist_merge()),
 * scalars add, vectors get @src's samples appended.  A measurement of @src missing from @dst is created there,
 * after the existing ones, in @src's registration order; a unit or
 * description @src declares and @dst does not is copied.  @src is
 * unchanged.
 */
void sim_stats_merge(struct sim_stats *dst, const struct sim_stats *src);

/* Zero every counter and scalar and empty every histogram and vector, keeping the
 * entries and their pointers (the end of a warm-up period). */
void sim_stats_reset(struct sim_stats *st);

#endif /* FAULTSIM_SIM_STATS_H */
