/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The discrete-event engine: simulated time, the pending-event set, and the
 * per-run state every component hangs off (random streams, measurements,
 * tasks).
 *
 * Ordering rule: events run in order of (time, sequence), where the
 * sequence is a per-engine counter taken when the event is scheduled.  Two
 * events for the same nanosecond therefore run in the order they were
 * scheduled, on every platform and every run.
 *
 * There is no global state: an engine is an ordinary object, several can
 * live in one process and run on different threads at once.  One engine is
 * used from one thread at a time.
 *
 * Costs: scheduling is O(log n) in the number of pending events while
 * they are few (a 4-ary heap of 16-byte entries).  Beyond 16k pending
 * events the heap keeps the earliest 4k and the rest wait in a ladder
 * queue (buckets of time ranges, unsorted, finer rungs made where a bucket
 * is crowded): O(1) to add, and each bucket is sorted by the heap only
 * when its turn comes, so the heap stays a few hundred entries deep.  The
 * order is the same (time, sequence) order either way.  Cancellation is
 * O(1) (the entry stays, marked dead, and is dropped when it reaches the
 * top).  Event records come from a pool owned by the engine and are
 * reused; the memory is returned only by sim_engine_free().
 */
#ifndef FAULTSIM_SIM_ENGINE_H
#define FAULTSIM_SIM_ENGINE_H

#include <stdbool.h>
#include <glib.h>
#include <gsl/gsl_rng.h>
#include "sim/core/types.h"

struct sim_engine;
typedef struct sim_engine sim_engine;	/* for g_autoptr() */
struct sim_event;
struct sim_stats;

/* An event handler.  @data is whatever was given to sim_schedule(); the
 * engine never owns or frees it: its owner is the component that scheduled
 * the event, and must keep it alive until the event runs or is cancelled. */
typedef void sim_event_fn(struct sim_engine *eng, void *data);

/*
 * A handle on a scheduled event, for cancelling it.  Handles stay safe after
 * the event has run: the record behind them is recycled, but the sequence
 * number tells a stale handle from a live one.  A zeroed handle is "no
 * event".
 */
struct sim_timer {
	struct sim_event *ev;
	uint64_t seq;
};

enum sim_stop_reason {
	SIM_STOP_EMPTY,		/* no pending event left */
	SIM_STOP_TIME,		/* next event is past the time limit */
	SIM_STOP_EVENTS,	/* the event-count limit was reached */
	SIM_STOP_REQUESTED,	/* a handler called sim_stop() */
};

/* Create an engine for one run, seeded with @seed (see sim_rng()). */
struct sim_engine *sim_engine_new(uint64_t seed);
/* Free the engine, its event pool, its random streams, its statistics and
 * every task still alive (blocked tasks are discarded without running). */
void sim_engine_free(struct sim_engine *eng);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_engine, sim_engine_free)

/* Current simulated time in ns.  Inline, as the hot paths read it at
 * every step: the clock is the first member of struct sim_engine
 * (engine-private.h; engine.c asserts it), and C lets a pointer to a
 * struct be read as a pointer to its first member. */
static inline sim_time_t sim_now(const struct sim_engine *eng)
{
	return *(const sim_time_t *)(const void *)eng;
}
/* The run seed given to sim_engine_new(). */
uint64_t sim_engine_seed(const struct sim_engine *eng);

/* Schedule @fn at absolute time @when (when >= now). */
struct sim_timer sim_schedule_at(struct sim_engine *eng, sim_time_t when,
				 sim_event_fn *fn, void *data);
/* Schedule @fn(@eng, @data) @delay ns from now (delay >= 0).  Inline: one
 * call per event scheduled, not two. */
static inline struct sim_timer sim_schedule(struct sim_engine *eng, sim_time_t delay,
					    sim_event_fn *fn, void *data)
{
	g_assert(delay >= 0);
	return sim_schedule_at(eng, sim_now(eng) + delay, fn, data);
}
/* Cancel the event behind @timer if it has not run yet; returns whether it
 * was pending.  Clears the handle either way.  O(1). */
bool sim_cancel(struct sim_engine *eng, struct sim_timer *timer);
/* Whether the event behind @timer is still waiting to run. */
bool sim_timer_pending(const struct sim_timer *timer);

/* Stop conditions.  Events at exactly the time limit still run; when the
 * run stops on the limit, the clock is advanced to it.  The event limit
 * counts steps: events dispatched and steps advanced in place (see
 * sim_events_in_place()), so that it cuts a run at the same point of its
 * trajectory either way.  Limits may be changed between calls to
 * sim_run(), which continues where it stopped. */
void sim_set_time_limit(struct sim_engine *eng, sim_time_t limit);
void sim_set_event_limit(struct sim_engine *eng, uint64_t max_events);
/* Ask sim_run() to return after the current event. */
void sim_stop(struct sim_engine *eng);

/* Dispatch events in (time, sequence) order until a stop condition. */
enum sim_stop_reason sim_run(struct sim_engine *eng);
/*
 * sim_run() for at most @steps more steps (dispatched or advanced in
 * place), then SIM_STOP_EVENTS: a caller that looks at something between
 * slices of a run.  The event limit, if lower, still applies, and is left
 * as it was.  Slicing changes nothing of the run.
 */
enum sim_stop_reason sim_run_for(struct sim_engine *eng, uint64_t steps);
const char *sim_stop_reason_name(enum sim_stop_reason reason);

/* Tuning: the heap keeps at most about this many events once more than
 * four times as many are pending (default 4096), the rest go to the
 * ladder; a rung of the ladder is made for about @entries events per
 * bucket (default 256), and a bucket of more than four times that gets a
 * rung of its own (see engine-private.h).  Behaviour is identical whatever
 * the values; tests make them small, and a heap limit of SIZE_MAX keeps
 * every event in the heap. */
void sim_engine_set_heap_limit(struct sim_engine *eng, size_t entries);
void sim_engine_set_ladder_bucket(struct sim_engine *eng, size_t entries);

/* Events dispatched so far (cancelled ones are not counted). */
uint64_t sim_events_dispatched(const struct sim_engine *eng);
/*
 * Steps advanced in place so far: a task that computes or sleeps until a
 * time before every pending event goes on at once, the clock moved, with
 * no event (task.c).  Each is counted as the event it replaces would have
 * been (its sequence number, the fingerprint, the event limit): a run
 * follows the same trajectory, with the same statistics and fingerprint,
 * whether steps are advanced in place or dispatched, which
 * sim_engine_set_in_place(eng, false) makes them all be (the default is
 * on).
 */
uint64_t sim_events_in_place(const struct sim_engine *eng);
void sim_engine_set_in_place(struct sim_engine *eng, bool on);
/* Number of live pending events. */
size_t sim_events_pending(const struct sim_engine *eng);
/* A hash over (time, sequence) of every step, dispatched or advanced in
 * place: two runs with the same fingerprint followed the same
 * trajectory. */
uint64_t sim_fingerprint(const struct sim_engine *eng);

/*
 * The random stream named @name, created on first use and seeded from
 * (run seed, name) only: adding a component with a stream of its own never
 * shifts the draws of another.  The engine owns the generator.
 */
gsl_rng *sim_rng(struct sim_engine *eng, const char *name);
/*
 * The generator of the streams, chosen before the first one is made: one
 * of sim_rng_names (the scenario key "rng").  "mt19937" (the default) is
 * what every result so far was drawn with.  "taus2" is L'Ecuyer's
 * maximally equidistributed combined Tausworthe generator (period 2^88,
 * three words of state, GSL's taus2 with its corrected seeding): of GSL's
 * generators the fastest of simulation quality, 2.2x faster a draw than
 * mt19937 (3.7 ns against 8.1 ns here) with 24 bytes of state a stream
 * instead of 2.5 KiB, which makes an M/M/1 run 20% and the rwlock model
 * 10% faster.  Both are linear over GF(2) and fail only TestU01's tests of
 * that (linear complexity; matrix rank for taus2), which no model here is
 * sensitive to; gfsr4 is about as fast with 16 KiB of state a stream,
 * ranlxs0 is better still and 6.6 times slower.
 */
void sim_engine_set_rng(struct sim_engine *eng, const char *name);
extern const char *const sim_rng_names[];

/*
 * Invariant checkers (the rwsem's, the page cache's, the address
 * spaces'): the models run them after every change of their state when
 * this is on, and abort with a message naming the broken rule.  Off by
 * default (they cost a sixth of a lock-heavy run); on when the
 * environment has FAULTSIM_CHECKS (the test suite sets it) or the run
 * config says debug.checks = true.  Checkers only read: a run follows the
 * same trajectory either way.
 */
void sim_engine_set_checks(struct sim_engine *eng, bool on);
bool sim_engine_checks(const struct sim_engine *eng);

/*
 * Sampling at fixed times without events: a higher layer (the model's
 * vector recorder) registers @fn with the first boundary @first.  Before
 * the clock moves to a time at or past the next boundary B -- an event
 * dispatched, or a step advanced in place (sim_engine_advance()) -- the
 * engine calls @fn(@eng, B, @data) with the state as it is just before B
 * (every step before B taken, none at or after it; sim_now() is still the
 * time of the last step); @fn returns the next boundary (> B), or
 * SIM_TIME_MAX for none.  Nothing is scheduled, so the trajectory, the
 * sequence numbers and the fingerprint are those of a run without a
 * sampler, provided @fn only reads.  The cost when off (first =
 * SIM_TIME_MAX, the default) is one compare per step.
 */
typedef sim_time_t sim_sample_fn(struct sim_engine *eng, sim_time_t at, void *data);
void sim_engine_set_sampler(struct sim_engine *eng, sim_time_t first, sim_sample_fn *fn,
			    void *data);
/* Call the sampler for every boundary up to and including @until (the end
 * of the run: sim_now(), after the last sim_run()). */
void sim_engine_sample_until(struct sim_engine *eng, sim_time_t until);

/* The run's measurements (counters, histograms, scalars). */
struct sim_stats *sim_engine_stats(struct sim_engine *eng);

#endif /* FAULTSIM_SIM_ENGINE_H */
