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

/*
 * The ladder (see engine.c): events at or after bottom_limit wait in
 * buckets of time ranges, unsorted, until the heap runs dry.  A bucket is
 * a list of chunks of heap entries; chunks come from a free list.
 */
#define LADDER_CHUNK_ENTRIES 31

struct ladder_chunk {
	struct ladder_chunk *next;
	size_t len;
	struct sim_heap_entry e[LADDER_CHUNK_ENTRIES];
};

struct ladder_bucket {
	struct ladder_chunk *head;	/* the chunk being filled first */
	size_t len;
};

/*
 * A rung: buckets of 2^shift ns from @start; it holds what lies in
 * [start + cur << shift, end).  Rung i + 1 covers exactly what rung i's
 * last taken bucket left: its end is that bucket's end.
 */
struct ladder_rung {
	sim_time_t start, end;
	unsigned int shift;
	size_t nr_buckets, cur;
	struct ladder_bucket *buckets;
	size_t cap;			/* buckets allocated */
};

#define LADDER_MAX_RUNGS 8

struct sim_engine {
	sim_time_t now;
	uint64_t next_seq;

	/* Pending-event set: a 4-ary min-heap on (time, ev->seq) of the
	 * events before bottom_limit, and the ladder for the rest. */
	struct sim_heap_entry *heap;	/* heap_mem + HEAP_SLOT_OFFSET */
	struct sim_heap_entry *heap_mem;
	size_t heap_len, heap_cap;
	size_t nr_cancelled;	/* dead entries still in the heap or ladder */
	/*
	 * The root entry belongs to the event being dispatched.  It is left in
	 * place while the handler runs: the first event the handler schedules
	 * takes over the root slot and sifts down (one sift instead of a
	 * removal plus an insertion, the common case in a simulation).
	 */
	bool root_taken;

	/*
	 * The ladder, for big pending sets.  Off (bottom_limit
	 * SIM_TIME_MAX, nothing in it) until the heap outgrows
	 * 4 * heap_limit entries: then the heap keeps its heap_limit
	 * earliest events and the rest go to the ladder, from the time of
	 * the first one moved (bottom_limit) on.  An event goes to the heap
	 * if its time is before bottom_limit (since a new event's sequence is
	 * the largest yet, it sorts after every waiting event of the same
	 * time), else to the ladder: the deepest rung whose range holds it,
	 * or the top, an unsorted bucket beyond rung 0.  When the heap runs
	 * dry, the next non-empty bucket of the deepest rung is moved into
	 * it, or, if it holds more than ladder_spawn events, spread over a
	 * new, finer rung; when the rungs are spent, rung 0 is made from the
	 * top.  Each event is moved a few times in O(1) and the heap stays
	 * at a bucket's size.
	 */
	bool ladder_on;
	sim_time_t bottom_limit;
	/*
	 * sim_engine_advance()'s bound, kept up to date by every change of
	 * what it depends on (advance_limit_update()): a step at or after it
	 * is not taken in place.  The ladder's bottom, the time limit + 1,
	 * or INT64_MIN while in-place steps are off or a stop is asked
	 * for: one compare instead of four at each of the 1 M steps a second
	 * of a contended run advances in place.
	 */
	sim_time_t advance_limit;
	unsigned int nr_rungs;
	struct ladder_rung rungs[LADDER_MAX_RUNGS];
	struct ladder_bucket top;
	sim_time_t top_min, top_max;
	size_t ladder_len;		/* entries in rungs and top */
	size_t heap_limit;
	size_t spill_at;		/* heap length that spills */
	size_t ladder_bucket;		/* events per bucket wanted in a new rung */
	size_t ladder_spawn;		/* a bigger bucket gets a rung of its own */
	struct ladder_chunk *free_chunks;
	GPtrArray *chunk_slabs;

	struct sim_event *free_events;
	GPtrArray *event_slabs;

	sim_time_t time_limit;
	uint64_t event_limit;	/* on steps: dispatched + in_place */
	bool stop_requested;
	uint64_t dispatched;
	uint64_t in_place;	/* steps advanced in place (sim_engine_advance) */
	bool no_in_place;	/* sim_engine_set_in_place(false) */
	uint64_t fingerprint;
	bool checks;			/* run the invariant checkers */
	struct sim_trace *trace;	/* trace.h: NULL when not tracing */

	uint64_t seed;
	const gsl_rng_type *rng_type;	/* of the streams made from now on */
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

	/* The sampler (sim_engine_set_sampler()): its next boundary,
	 * SIM_TIME_MAX when off.  Last, so that it moves none of the
	 * fields above. */
	sim_time_t sample_next;
	sim_sample_fn *sampler;
	void *sampler_data;
};

/* Call the sampler for the boundaries up to @when (>= sample_next). */
void sim_engine_sample_to(struct sim_engine *eng, sim_time_t when);

/* engine.c: drop the root of the heap; drop it when it is a cancelled
 * entry (the loop's step for one at the top); recycle an event record. */
void sim_engine_heap_remove_root(struct sim_engine *eng);
void sim_engine_drop_cancelled(struct sim_engine *eng);

static inline void sim_engine_event_free(struct sim_engine *eng, struct sim_event *ev)
{
	ev->fn = NULL;
	ev->seq = 0;
	ev->next_free = eng->free_events;
	eng->free_events = ev;
}

static inline uint64_t sim_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The run fingerprint takes in each step (an event run at @time with
 * sequence @seq). */
static inline void sim_fingerprint_step(struct sim_engine *eng, sim_time_t time,
					uint64_t seq)
{
	eng->fingerprint = sim_mix64(eng->fingerprint ^
				     sim_mix64((uint64_t)time + seq * 0x9e3779b97f4a7c15ULL));
}

/*
 * Advance the clock in place: the code running now (a task, from its
 * resume event) wants to go on at @when, which it would otherwise do by
 * scheduling an event and switching back to the engine.  If that event
 * would be the very next one to run -- @when strictly before every pending
 * event (so also before any tie, which was scheduled earlier and would
 * run first) and before the ladder, within the time limit, below the
 * event limit, with no stop asked for -- the engine instead takes the
 * step here: it takes the sequence number the event would have had, moves
 * the clock to @when and counts the step in the fingerprint, exactly as
 * dispatching it would.  Returns whether it did; the caller then goes on
 * at once, or schedules as usual.  Nothing else runs in between either
 * way, so the model's state, its statistics and the fingerprint follow
 * the same trajectory; only fewer events are dispatched.
 */
static inline bool sim_engine_advance(struct sim_engine *eng, sim_time_t when)
{
	size_t len = eng->heap_len;

	if (when >= eng->advance_limit ||
	    eng->dispatched + eng->in_place >= eng->event_limit)
		return false;
	if (eng->root_taken) {
		/* heap[0] is the event being run: the earliest pending one
		 * is the least of its children.  With all four there (the
		 * common case), their least time is found by selects, so
		 * the one branch is the answer's. */
		const struct sim_heap_entry *h = eng->heap;

		if (G_LIKELY(len >= 5)) {
			sim_time_t a = h[1].time < h[2].time ? h[1].time : h[2].time;
			sim_time_t b = h[3].time < h[4].time ? h[3].time : h[4].time;

			if ((a < b ? a : b) <= when)
				return false;
		} else {
			for (size_t c = 1; c < len; c++)
				if (h[c].time <= when)
					return false;
		}
	} else if (len && eng->heap[0].time <= when) {
		return false;
	}
	if (G_UNLIKELY(when >= eng->sample_next))
		sim_engine_sample_to(eng, when);
	eng->now = when;
	sim_fingerprint_step(eng, when, ++eng->next_seq);
	eng->in_place++;
	return true;
}

/*
 * Direct dispatch, for task.c: a task about to switch back to the engine
 * may run the next event itself when that event only resumes a task (one
 * context switch instead of two, and no pass through the engine's loop).
 * The steps are sim_run()'s own, in its order, so nothing but the stack
 * they run on changes: the same trajectory, statistics, event counts and
 * fingerprint.
 *
 * sim_engine_handler_done(): what the loop does when a handler returns,
 * before its stop check: free the root slot unless the handler took it
 * over.  Doing it before the switch is the same: nothing runs in between,
 * and the loop does it only while root_taken is still set.
 *
 * sim_engine_peek(): the event the loop would dispatch next, or NULL if
 * the loop would first do anything else (an empty heap or a ladder refill,
 * a spill, the time or event limit, a stop asked for) or if in-place steps
 * are off (sim_engine_set_in_place(false) turns both off, so
 * test-fingerprint compares with the plain loop).  Cancelled entries at
 * the top it drops itself, as the loop does before anything else: a task
 * woken before its timeout cancels it, and that timeout is then most often
 * the earliest pending event (97% of the cancels in the contended bench),
 * which sent the next waiting task back through the engine.
 *
 * sim_engine_take(): dispatch @ev, the peeked event, as the loop does up
 * to calling its handler (the sampler's boundaries, the clock, the
 * fingerprint, the count, the record recycled, the root slot held by the
 * running event).
 */
static inline void sim_engine_handler_done(struct sim_engine *eng)
{
	if (eng->root_taken) {
		eng->root_taken = false;
		sim_engine_heap_remove_root(eng);
	}
}

static inline struct sim_event *sim_engine_peek(struct sim_engine *eng)
{
	struct sim_event *ev;

	if (eng->advance_limit == INT64_MIN)	/* in-place steps off, or a stop */
		return NULL;
	for (;;) {
		if (!eng->heap_len || eng->heap_len > eng->spill_at)
			return NULL;
		ev = eng->heap[0].ev;
		if (G_LIKELY(ev->fn))
			break;
		sim_engine_drop_cancelled(eng);
	}
	if (eng->heap[0].time > eng->time_limit ||
	    eng->dispatched + eng->in_place >= eng->event_limit)
		return NULL;
	return ev;
}

static inline void sim_engine_take(struct sim_engine *eng, struct sim_event *ev)
{
	sim_time_t time = eng->heap[0].time;

	if (G_UNLIKELY(time >= eng->sample_next))
		sim_engine_sample_to(eng, time);
	eng->now = time;
	sim_fingerprint_step(eng, time, ev->seq);
	eng->dispatched++;
	sim_engine_event_free(eng, ev);
	eng->root_taken = true;
}

#endif /* FAULTSIM_SIM_ENGINE_PRIVATE_H */
