/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine's insides, for engine.c and for task.c, the one layer built
 * directly on them.  The dependency runs one way: task.c reads the engine's
 * clock and sets the running task, and hangs its own state (struct
 * sim_tasks, defined in task.c) off the engine; engine.c knows nothing of
 * tasks but the pointer and the function that frees them.  Nothing outside
 * sim/core includes this file.
 */
#ifndef FAULTSIM_SIM_ENGINE_PRIVATE_H
#define FAULTSIM_SIM_ENGINE_PRIVATE_H

#include "sim/core/engine.h"

/*
 * An event record.  It lives in the engine's pool.  While its heap entry
 * is pending, @seq is the entry's sequence number; @fn is NULL once the
 * event has been cancelled (the entry stays in the heap until it reaches
 * the top, and only then is the record recycled).
 */
struct sim_event {
	sim_event_fn *fn;
	union {
		void *data;
		struct sim_event *next_free;
	};
	uint64_t seq;
};

/* One heap slot: the key's time is kept next to the pointer so that sift
 * operations touch the record only to break ties. */
struct sim_heap_entry {
	sim_time_t time;
	struct sim_event *ev;
};

struct sim_engine {
	sim_time_t now;
	uint64_t next_seq;

	/* Pending-event set: a 4-ary min-heap on (time, ev->seq). */
	struct sim_heap_entry *heap;	/* heap_mem + HEAP_SLOT_OFFSET */
	struct sim_heap_entry *heap_mem;
	size_t heap_len, heap_cap;
	size_t nr_cancelled;	/* dead entries still in the heap */
	/*
	 * The root entry belongs to the event being dispatched.  It is left in
	 * place while the handler runs: the first event the handler schedules
	 * takes over the root slot and sifts down (one sift instead of a
	 * removal plus an insertion, the common case in a simulation).
	 */
	bool root_taken;

	/*
	 * The far set, for big pending sets: once the heap outgrows
	 * 4 * heap_limit entries, it keeps only the heap_limit earliest
	 * events and the rest go to an unsorted array; from then on an event
	 * goes to the heap if it sorts before the pivot (the earliest far key
	 * at the split: since a new event's sequence is the largest yet, that
	 * is time < pivot_time), else to the far array.  When the heap runs
	 * dry, the heap_limit earliest far events are selected (O(far), a
	 * sequential pass) into it.  The heap then stays cache-sized.
	 */
	struct sim_heap_entry *far;
	size_t far_len, far_cap;
	bool split;			/* the far set is in use */
	sim_time_t pivot_time;
	size_t heap_limit;

	struct sim_event *free_events;
	GPtrArray *event_slabs;

	sim_time_t time_limit;
	uint64_t event_limit;
	bool stop_requested;
	uint64_t dispatched;
	uint64_t fingerprint;
	bool checks;			/* run the invariant checkers */

	uint64_t seed;
	GHashTable *rngs;	/* name -> gsl_rng */
	struct sim_stats *stats;

	/*
	 * Tasks: task.c sets @current while a task's code runs and creates
	 * @tasks (its stacks, its list of live tasks) with the first task
	 * call that needs them, setting @tasks_free, which sim_engine_free()
	 * calls first.
	 */
	struct sim_task *current;	/* running task, NULL in the engine */
	struct sim_tasks *tasks;
	void (*tasks_free)(struct sim_engine *eng);
};

#endif /* FAULTSIM_SIM_ENGINE_PRIVATE_H */
