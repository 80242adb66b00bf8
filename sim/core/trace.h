/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trace sink: what a run did, event by event, for a timeline viewer
 * (`faultsim trace`, which writes it as Chrome trace-event JSON for the
 * Perfetto UI; the model never sees the format).
 *
 * The model records what it already measures, at the places that feed its
 * statistics: a *slice* is something that took simulated time on a
 * *track* (a simulated thread, a CPU, a device), given when it ends, with
 * its start, its end and a few arguments; a *flow* links the thread that
 * woke another (sim_wake()) to the woken thread when it runs again.  A
 * slice's duration is the value the model records in its histogram at
 * the same place, so a trace adds up to the run's statistics.  The task
 * layer adds a slice per block (sim_block()), named for what the task
 * waits on (sim_task_set_blocked_on()), and the flows.
 *
 * Off by default and free when off: an engine has no sink unless one is
 * attached (sim_engine_set_trace(), before the model is built); a
 * component reads sim_engine_trace() once when it is set up and keeps the
 * pointer, and each hook is one test of it, predicted not taken.
 *
 * Bounds: only what overlaps the window [from, to] is kept (a slice that
 * ends at or after @from and starts at or before @to; a flow whose both
 * ends are inside), and at most @max_events of it; what the cap leaves
 * out is counted (sim_trace_dropped()).  Recording does nothing else: a
 * run follows the same trajectory traced or not.
 *
 * Strings: categories, argument keys and the names given to slices must
 * outlive the sink (string literals, or sim_trace_intern()).
 */
#ifndef FAULTSIM_SIM_TRACE_H
#define FAULTSIM_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include "sim/core/types.h"

struct sim_engine;
struct sim_task;
struct sim_trace;
typedef struct sim_trace sim_trace;	/* for g_autoptr() */

enum sim_trace_track_kind {
	SIM_TRACE_TASK,		/* a simulated thread */
	SIM_TRACE_CPU,		/* a core: which thread ran on it */
	SIM_TRACE_DEVICE,	/* a disk, a lock class with no owner task */
};

struct sim_trace_track {
	enum sim_trace_track_kind kind;
	unsigned int id;	/* the task's id; the CPU's number; 0 */
	const char *name;	/* "app/3", "cpu 0", "ssd" (the sink's copy) */
};

/* An argument of a slice: an integer, or a string if @str is set. */
struct sim_trace_arg {
	const char *key;
	const char *str;
	int64_t value;
};

#define SIM_TRACE_MAX_ARGS 4

enum sim_trace_event_kind {
	SIM_TRACE_SLICE,
	SIM_TRACE_FLOW,
};

struct sim_trace_event {
	sim_time_t start, end;		/* a flow: woken at start, runs at end */
	const char *cat, *name;
	unsigned int track;		/* a flow: the waker's track */
	unsigned int to_track;		/* a flow: the woken thread's track */
	unsigned char kind;		/* enum sim_trace_event_kind */
	unsigned char nr_args;
	struct sim_trace_arg args[SIM_TRACE_MAX_ARGS];
};

/* A sink keeping what overlaps [@from, @to], at most @max_events of it. */
struct sim_trace *sim_trace_new(sim_time_t from, sim_time_t to, size_t max_events);
void sim_trace_free(struct sim_trace *tr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_trace, sim_trace_free)

/* Attach @tr to @eng (NULL: none), before the model is built; the engine
 * does not own it and it must outlive the run. */
void sim_engine_set_trace(struct sim_engine *eng, struct sim_trace *tr);
/* The sink attached to @eng, or NULL (tracing off). */
struct sim_trace *sim_engine_trace(const struct sim_engine *eng);

/* A copy of @s owned by the sink, the same pointer for equal strings. */
const char *sim_trace_intern(struct sim_trace *tr, const char *s);

/* The track of task @t (made on first use, named as the task; in task.c,
 * which the sink does not depend on); the same by the task's id and
 * name. */
unsigned int sim_trace_task_track(struct sim_trace *tr, const struct sim_task *t);
unsigned int sim_trace_task_track_id(struct sim_trace *tr, unsigned int id, const char *name);
/* The track of kind @kind, number @id, named @name (made on first use). */
unsigned int sim_trace_track(struct sim_trace *tr, enum sim_trace_track_kind kind,
			     unsigned int id, const char *name);

/* A slice on @track from @start to @end (start <= end), @nr_args args. */
void sim_trace_slice(struct sim_trace *tr, unsigned int track, const char *cat,
		     const char *name, sim_time_t start, sim_time_t end,
		     const struct sim_trace_arg *args, unsigned int nr_args);
/* The same on task @t's track (in task.c). */
void sim_trace_task_slice(struct sim_trace *tr, const struct sim_task *t, const char *cat,
			  const char *name, sim_time_t start, sim_time_t end,
			  const struct sim_trace_arg *args, unsigned int nr_args);
/* A flow: @from_track woke the thread of @to_track at @at; it ran at @ran. */
void sim_trace_flow(struct sim_trace *tr, unsigned int from_track, sim_time_t at,
		    unsigned int to_track, sim_time_t ran);

/*
 * The waker of wake-ups made from an event handler (no task running),
 * e.g. a disk's completion: the track to draw their flows from, or -1
 * (the default): no flow for them.  The caller sets it around the
 * handler's wake-ups.
 */
void sim_trace_set_waker(struct sim_trace *tr, int track);
int sim_trace_waker(const struct sim_trace *tr);

/* Reading it back. */
sim_time_t sim_trace_from(const struct sim_trace *tr);
sim_time_t sim_trace_to(const struct sim_trace *tr);
size_t sim_trace_nr_events(const struct sim_trace *tr);
const struct sim_trace_event *sim_trace_event(const struct sim_trace *tr, size_t i);
size_t sim_trace_nr_tracks(const struct sim_trace *tr);
const struct sim_trace_track *sim_trace_get_track(const struct sim_trace *tr, unsigned int i);
/* Events inside the window that the cap left out. */
uint64_t sim_trace_dropped(const struct sim_trace *tr);
size_t sim_trace_max_events(const struct sim_trace *tr);

#endif /* FAULTSIM_SIM_TRACE_H */
