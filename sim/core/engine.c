/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The discrete-event engine.  See engine.h for the ordering rule and the
 * costs.  The hot path is sim_run() -> heap pop -> handler -> sim_schedule();
 * keep it free of allocation and of anything but integer compares.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "sim/core/engine-private.h"
#include "sim/core/stats.h"

#define EVENT_SLAB 1024
#define HEAP_ARITY 4	/* heap_sift_down()'s tournament takes four */
/* Defaults of the tuning knobs (engine.h). */
#define SIM_ENGINE_HEAP_LIMIT 4096
#define SIM_ENGINE_LADDER_BUCKET 256

/* ------------------------------------------------------------------ */
/* Event pool */

static struct sim_event *event_alloc(struct sim_engine *eng)
{
	struct sim_event *ev = eng->free_events;

	if (G_UNLIKELY(!ev)) {
		struct sim_event *slab = g_new0(struct sim_event, EVENT_SLAB);

		g_ptr_array_add(eng->event_slabs, slab);
		for (size_t i = 1; i < EVENT_SLAB - 1; i++)
			slab[i].next_free = &slab[i + 1];
		slab[EVENT_SLAB - 1].next_free = NULL;
		ev = slab;
		eng->free_events = &slab[1];
		return ev;
	}
	eng->free_events = ev->next_free;
	return ev;
}

static inline void event_free(struct sim_engine *eng, struct sim_event *ev)
{
	sim_engine_event_free(eng, ev);
}

/* ------------------------------------------------------------------ */
/* The 4-ary heap */

/* Ties of time are rare: the common case is a compare the callers can
 * turn into a select, not a branch (event times are random, so a branch
 * on which of two comes first mispredicts half the time). */
static inline bool entry_before(const struct sim_heap_entry *a,
				const struct sim_heap_entry *b)
{
	if (G_UNLIKELY(a->time == b->time))
		return a->ev->seq < b->ev->seq;
	return a->time < b->time;
}

static void heap_sift_up(struct sim_heap_entry *heap, size_t i,
			 struct sim_heap_entry x)
{
	while (i > 0) {
		size_t parent = (i - 1) / HEAP_ARITY;

		if (!entry_before(&x, &heap[parent]))
			break;
		heap[i] = heap[parent];
		i = parent;
	}
	heap[i] = x;
}

/*
 * Put @x into the hole at @i, moving the hole down while a child comes
 * before @x.  With HEAP_ARITY 4 and the layout of heap_grow(), the
 * children compared at each level share one cache line.  A node with all
 * four children finds the least by a tournament (two pairs, then their
 * winners): three compares without a loop.  Keys (time, seq) are unique,
 * so the least child, and with it the heap's layout, is the same however
 * it is found.
 */
static void heap_sift_down(struct sim_heap_entry *heap, size_t len, size_t i,
			   struct sim_heap_entry x)
{
	for (;;) {
		size_t first = i * HEAP_ARITY + 1;
		size_t min;

		if (G_LIKELY(first + HEAP_ARITY <= len)) {
			const struct sim_heap_entry *c = &heap[first];
			size_t a = (size_t)entry_before(&c[1], &c[0]);
			size_t b = 2 + (size_t)entry_before(&c[3], &c[2]);
			size_t w = (size_t)entry_before(&c[b], &c[a]);

			/* Branch-free: b if w, else a. */
			min = first + a + ((b - a) & -w);
		} else {
			if (first >= len)
				break;
			min = first;
			for (size_t c = first + 1; c < len; c++)
				if (entry_before(&heap[c], &heap[min]))
					min = c;
		}
		if (!entry_before(&heap[min], &x))
			break;
		heap[i] = heap[min];
		i = min;
	}
	heap[i] = x;
}

static void heap_remove_root(struct sim_engine *eng)
{
	size_t len = --eng->heap_len;

	if (len > 0)
		heap_sift_down(eng->heap, len, 0, eng->heap[len]);
}

void sim_engine_heap_remove_root(struct sim_engine *eng)
{
	heap_remove_root(eng);
}

void sim_engine_drop_cancelled(struct sim_engine *eng)
{
	struct sim_event *ev = eng->heap[0].ev;

	heap_remove_root(eng);
	eng->nr_cancelled--;
	sim_engine_event_free(eng, ev);
}

/*
 * The heap array is allocated 64-byte aligned and used from its fourth
 * slot on: with 16-byte entries and the root at slot 3, the four children
 * of every node (indices 4i+1..4i+4, slots 4i+4..4i+7) share one cache
 * line, so each level of a sift costs one line.
 */
#define HEAP_SLOT_OFFSET 3

static void heap_grow(struct sim_engine *eng)
{
	size_t cap = eng->heap_cap ? eng->heap_cap * 2 : 1024;
	size_t bytes = (cap + HEAP_SLOT_OFFSET) * sizeof(struct sim_heap_entry);
	struct sim_heap_entry *mem = aligned_alloc(64, (bytes + 63) & ~(size_t)63);

	if (!mem)
		g_error("out of memory growing the event heap to %zu entries", cap);
	if (eng->heap_len)
		memcpy(mem + HEAP_SLOT_OFFSET, eng->heap,
		       eng->heap_len * sizeof(struct sim_heap_entry));
	free(eng->heap_mem);
	eng->heap_mem = mem;
	eng->heap = mem + HEAP_SLOT_OFFSET;
	eng->heap_cap = cap;
}

/* Make a heap of heap[0..len) (bottom-up, O(len)). */
static void heap_make(struct sim_heap_entry *heap, size_t len)
{
	if (len < 2)
		return;
	for (size_t i = (len - 2) / HEAP_ARITY + 1; i-- > 0;)
		heap_sift_down(heap, len, i, heap[i]);
}

static inline void entry_swap(struct sim_heap_entry *a, struct sim_heap_entry *b)
{
	struct sim_heap_entry t = *a;

	*a = *b;
	*b = t;
}

/*
 * Reorder a[0..n) so that a[k] is the entry that sorts k-th and everything
 * before it sorts before it (quickselect with a median-of-three pivot;
 * deterministic).  O(n) on average.
 */
static void select_nth(struct sim_heap_entry *a, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (hi > lo) {
		ptrdiff_t mid = lo + (hi - lo) / 2;

		/* Median of three: a[lo] <= a[mid] <= a[hi], which are then
		 * sentinels for the two scans. */
		if (entry_before(&a[mid], &a[lo]))
			entry_swap(&a[mid], &a[lo]);
		if (entry_before(&a[hi], &a[lo]))
			entry_swap(&a[hi], &a[lo]);
		if (entry_before(&a[hi], &a[mid]))
			entry_swap(&a[hi], &a[mid]);

		struct sim_heap_entry pivot = a[mid];
		ptrdiff_t i = lo, j = hi;

		/* Hoare partition: a[lo..j] <= pivot <= a[i..hi]. */
		while (i <= j) {
			while (entry_before(&a[i], &pivot))
				i++;
			while (entry_before(&pivot, &a[j]))
				j--;
			if (i <= j) {
				entry_swap(&a[i], &a[j]);
				i++;
				j--;
			}
		}
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			return;		/* j < k < i: a[k] is the pivot, in place */
	}
}

/* After a change of bottom_limit, time_limit, no_in_place or
 * stop_requested (engine-private.h). */
static void advance_limit_update(struct sim_engine *eng)
{
	sim_time_t t = eng->time_limit == SIM_TIME_MAX ? SIM_TIME_MAX : eng->time_limit + 1;

	if (eng->no_in_place || eng->stop_requested)
		eng->advance_limit = INT64_MIN;
	else
		eng->advance_limit = MIN(t, eng->bottom_limit);
}

/* ------------------------------------------------------------------ */
/* The ladder */

#define CHUNK_SLAB 64

static struct ladder_chunk *chunk_alloc(struct sim_engine *eng)
{
	struct ladder_chunk *c = eng->free_chunks;

	if (G_UNLIKELY(!c)) {
		struct ladder_chunk *slab = g_new(struct ladder_chunk, CHUNK_SLAB);

		g_ptr_array_add(eng->chunk_slabs, slab);
		for (size_t i = 0; i < CHUNK_SLAB - 1; i++)
			slab[i].next = &slab[i + 1];
		slab[CHUNK_SLAB - 1].next = NULL;
		c = slab;
	}
	eng->free_chunks = c->next;
	return c;
}

static inline void chunk_free(struct sim_engine *eng, struct ladder_chunk *c)
{
	c->next = eng->free_chunks;
	eng->free_chunks = c;
}

static inline void bucket_add(struct sim_engine *eng, struct ladder_bucket *b,
			      struct sim_heap_entry x)
{
	struct ladder_chunk *c = b->head;

	if (G_UNLIKELY(!c || c->len == LADDER_CHUNK_ENTRIES)) {
		c = chunk_alloc(eng);
		c->next = b->head;
		c->len = 0;
		b->head = c;
	}
	c->e[c->len++] = x;
	b->len++;
}

/* Where @t goes in the ladder: the deepest rung whose range holds it,
 * else the top.  @t >= bottom_limit. */
static void ladder_push(struct sim_engine *eng, struct sim_heap_entry x)
{
	eng->ladder_len++;
	for (unsigned int i = eng->nr_rungs; i-- > 0;) {
		struct ladder_rung *r = &eng->rungs[i];

		if (x.time < r->end) {
			bucket_add(eng, &r->buckets[(uint64_t)(x.time - r->start) >> r->shift], x);
			return;
		}
	}
	if (!eng->top.len || x.time < eng->top_min)
		eng->top_min = x.time;
	if (!eng->top.len || x.time > eng->top_max)
		eng->top_max = x.time;
	bucket_add(eng, &eng->top, x);
}

/* The smallest shift for which @nr buckets of 2^shift ns cover @span ns
 * (span >= 1, nr >= 1). */
static unsigned int width_shift(uint64_t span, size_t nr)
{
	unsigned int shift = 0;

	while (shift < 62 && ((span - 1) >> shift) >= nr)
		shift++;
	return shift;
}

/*
 * Make rung @eng->nr_rungs over [start, end) for @n entries, and spread
 * the chunks @chunks over it (freeing them).
 */
static void rung_make(struct sim_engine *eng, sim_time_t start, sim_time_t end,
		      size_t n, struct ladder_chunk *chunks)
{
	struct ladder_rung *r = &eng->rungs[eng->nr_rungs++];
	uint64_t span = (uint64_t)end - (uint64_t)start;
	size_t want = MAX(n / eng->ladder_bucket, (size_t)2);

	r->start = start;
	r->end = end;
	r->shift = width_shift(span, MIN(want, (size_t)1 << 20));
	r->nr_buckets = (size_t)((span - 1) >> r->shift) + 1;
	r->cur = 0;
	if (r->cap < r->nr_buckets) {
		g_free(r->buckets);
		r->cap = MAX(r->nr_buckets, r->cap * 2);
		r->buckets = g_new(struct ladder_bucket, r->cap);
	}
	memset(r->buckets, 0, r->nr_buckets * sizeof(*r->buckets));
	while (chunks) {
		struct ladder_chunk *next = chunks->next;

		for (size_t i = 0; i < chunks->len; i++) {
			struct sim_heap_entry x = chunks->e[i];

			bucket_add(eng, &r->buckets[(uint64_t)(x.time - start) >> r->shift], x);
		}
		chunk_free(eng, chunks);
		chunks = next;
	}
}

/* Move bucket @b's entries into the (empty) heap. */
static void bucket_to_heap(struct sim_engine *eng, struct ladder_bucket *b)
{
	struct ladder_chunk *c = b->head;
	size_t n = 0;

	while (eng->heap_cap < b->len)
		heap_grow(eng);
	while (c) {
		struct ladder_chunk *next = c->next;

		/* The records are cold (scheduled long ago) and each will be
		 * read when it runs: start loading them all now. */
		for (size_t i = 0; i < c->len; i++)
			__builtin_prefetch(c->e[i].ev);
		memcpy(eng->heap + n, c->e, c->len * sizeof(struct sim_heap_entry));
		n += c->len;
		chunk_free(eng, c);
		c = next;
	}
	eng->ladder_len -= b->len;
	eng->heap_len = n;
	b->head = NULL;
	b->len = 0;
	heap_make(eng->heap, n);
}

/*
 * The heap ran dry: bring the next bucket in, making rungs as needed.
 * Returns false when the ladder is empty too (it is then off).
 */
static bool ladder_refill(struct sim_engine *eng)
{
	for (;;) {
		if (!eng->nr_rungs) {
			struct ladder_bucket top = eng->top;
			sim_time_t end;

			if (!top.len) {
				g_assert(!eng->ladder_len);
				eng->ladder_on = false;
				eng->bottom_limit = SIM_TIME_MAX;
				advance_limit_update(eng);
				return false;
			}
			/* Rung 0 from the top: past it, the top starts again. */
			end = eng->top_max == SIM_TIME_MAX ? SIM_TIME_MAX : eng->top_max + 1;
			eng->top = (struct ladder_bucket){ 0 };
			rung_make(eng, eng->top_min, end, top.len, top.head);
			continue;
		}

		struct ladder_rung *r = &eng->rungs[eng->nr_rungs - 1];

		while (r->cur < r->nr_buckets && !r->buckets[r->cur].len)
			r->cur++;
		if (r->cur == r->nr_buckets) {
			eng->nr_rungs--;
			continue;
		}

		struct ladder_bucket *b = &r->buckets[r->cur];
		sim_time_t bs = r->start + (sim_time_t)((uint64_t)r->cur << r->shift);
		sim_time_t be = r->end - bs > ((sim_time_t)1 << r->shift) ?
				bs + ((sim_time_t)1 << r->shift) : r->end;

		r->cur++;
		if (b->len > eng->ladder_spawn && be - bs > 1 &&
		    eng->nr_rungs < LADDER_MAX_RUNGS) {
			struct ladder_chunk *chunks = b->head;
			size_t n = b->len;

			b->head = NULL;
			b->len = 0;
			rung_make(eng, bs, be, n, chunks);
			continue;
		}
		eng->bottom_limit = be;
		advance_limit_update(eng);
		bucket_to_heap(eng, b);
		return true;
	}
}

/*
 * The heap outgrew its limit: keep its heap_limit earliest entries and
 * move the rest to the ladder, from the time of the first one moved.
 */
static void heap_spill(struct sim_engine *eng)
{
	size_t keep = eng->heap_limit;
	sim_time_t pivot;

	if (eng->nr_rungs == LADDER_MAX_RUNGS) {
		/* No room for the rung they would need: let the heap grow. */
		eng->spill_at = eng->heap_len * 2;
		return;
	}
	select_nth(eng->heap, eng->heap_len, keep);
	pivot = eng->heap[keep].time;
	/*
	 * Entries at the pivot time that sort before the pivot may stay in
	 * the heap: those moved, and new ones at that time, sort after them.
	 * The moved ones lie in [pivot, bottom_limit): below rung 0 they are
	 * the top's, else they make a new deepest rung over that range.
	 */
	if (!eng->nr_rungs) {
		for (size_t i = keep; i < eng->heap_len; i++)
			ladder_push(eng, eng->heap[i]);
	} else {
		struct ladder_bucket moved = { 0 };

		for (size_t i = keep; i < eng->heap_len; i++)
			bucket_add(eng, &moved, eng->heap[i]);
		eng->ladder_len += moved.len;
		rung_make(eng, pivot, eng->bottom_limit, moved.len, moved.head);
	}
	eng->ladder_on = true;
	eng->bottom_limit = pivot;
	advance_limit_update(eng);
	eng->heap_len = keep;
	eng->spill_at = 4 * eng->heap_limit;
	heap_make(eng->heap, eng->heap_len);
}

static inline void heap_push(struct sim_engine *eng, struct sim_heap_entry x)
{
	if (G_UNLIKELY(x.time >= eng->bottom_limit) && eng->ladder_on) {
		ladder_push(eng, x);
		return;
	}
	if (eng->root_taken) {
		eng->root_taken = false;
		heap_sift_down(eng->heap, eng->heap_len, 0, x);
		return;
	}
	if (G_UNLIKELY(eng->heap_len == eng->heap_cap))
		heap_grow(eng);
	heap_sift_up(eng->heap, eng->heap_len++, x);
}

void sim_engine_set_heap_limit(struct sim_engine *eng, size_t entries)
{
	g_assert(entries >= 1);
	eng->heap_limit = entries;
	eng->spill_at = entries > SIZE_MAX / 4 ? SIZE_MAX : 4 * entries;
}

void sim_engine_set_ladder_bucket(struct sim_engine *eng, size_t entries)
{
	g_assert(entries >= 1);
	eng->ladder_bucket = entries;
	eng->ladder_spawn = 4 * entries;
}

/* ------------------------------------------------------------------ */
/* Scheduling */

struct sim_timer sim_schedule_at(struct sim_engine *eng, sim_time_t when,
				 sim_event_fn *fn, void *data)
{
	g_assert(when >= eng->now);
	g_assert(fn);

	struct sim_event *ev = event_alloc(eng);

	ev->fn = fn;
	ev->data = data;
	ev->seq = ++eng->next_seq;
	heap_push(eng, (struct sim_heap_entry){ .time = when, .ev = ev });
	return (struct sim_timer){ .ev = ev, .seq = ev->seq };
}


bool sim_timer_pending(const struct sim_timer *timer)
{
	return timer->ev && timer->ev->seq == timer->seq && timer->ev->fn;
}

bool sim_cancel(struct sim_engine *eng, struct sim_timer *timer)
{
	bool pending = sim_timer_pending(timer);

	if (pending) {
		/* Leave the entry where it is; the record is recycled when the
		 * entry reaches the top of the heap. */
		timer->ev->fn = NULL;
		eng->nr_cancelled++;
	}
	timer->ev = NULL;
	timer->seq = 0;
	return pending;
}

/* ------------------------------------------------------------------ */
/* Dispatch */

enum sim_stop_reason sim_run(struct sim_engine *eng)
{
	eng->stop_requested = false;
	advance_limit_update(eng);
	for (;;) {
		if (G_UNLIKELY(!eng->heap_len)) {
			if (!eng->ladder_on || !ladder_refill(eng))
				break;
		} else if (G_UNLIKELY(eng->heap_len > eng->spill_at)) {
			heap_spill(eng);
		}

		struct sim_heap_entry top = eng->heap[0];
		struct sim_event *ev = top.ev;

		if (G_UNLIKELY(!ev->fn)) {
			/* A cancelled event reached the top: drop it. */
			sim_engine_drop_cancelled(eng);
			continue;
		}
		if (top.time > eng->time_limit) {
			eng->now = eng->time_limit;
			return SIM_STOP_TIME;
		}
		if (eng->dispatched + eng->in_place >= eng->event_limit)
			return SIM_STOP_EVENTS;

		sim_event_fn *fn = ev->fn;
		void *data = ev->data;

		if (G_UNLIKELY(top.time >= eng->sample_next))
			sim_engine_sample_to(eng, top.time);
		eng->now = top.time;
		sim_fingerprint_step(eng, top.time, ev->seq);
		eng->dispatched++;
		event_free(eng, ev);
		eng->root_taken = true;
		fn(eng, data);
		if (eng->root_taken) {
			eng->root_taken = false;
			heap_remove_root(eng);
		}
		/* The next event's record was last touched when it was
		 * scheduled, long ago in a big heap: start loading it now. */
		if (eng->heap_len)
			__builtin_prefetch(eng->heap[0].ev);
		if (eng->stop_requested)
			return SIM_STOP_REQUESTED;
	}
	return SIM_STOP_EMPTY;
}

/* ------------------------------------------------------------------ */
/* Sampling */

void sim_engine_sample_to(struct sim_engine *eng, sim_time_t when)
{
	while (when >= eng->sample_next) {
		sim_time_t next = eng->sampler(eng, eng->sample_next, eng->sampler_data);

		g_assert(next > eng->sample_next);
		eng->sample_next = next;
	}
}

void sim_engine_set_sampler(struct sim_engine *eng, sim_time_t first, sim_sample_fn *fn,
			    void *data)
{
	eng->sampler = fn;
	eng->sampler_data = data;
	eng->sample_next = fn ? first : SIM_TIME_MAX;
}

void sim_engine_sample_until(struct sim_engine *eng, sim_time_t until)
{
	if (until >= eng->sample_next)
		sim_engine_sample_to(eng, until);
}

const char *sim_stop_reason_name(enum sim_stop_reason reason)
{
	switch (reason) {
	case SIM_STOP_EMPTY:
		return "empty";
	case SIM_STOP_TIME:
		return "time-limit";
	case SIM_STOP_EVENTS:
		return "event-limit";
	case SIM_STOP_REQUESTED:
		return "requested";
	}
	return "?";
}

void sim_stop(struct sim_engine *eng)
{
	eng->stop_requested = true;
	advance_limit_update(eng);
}

void sim_set_time_limit(struct sim_engine *eng, sim_time_t limit)
{
	g_assert(limit >= eng->now);
	eng->time_limit = limit;
	advance_limit_update(eng);
}

void sim_set_event_limit(struct sim_engine *eng, uint64_t max_events)
{
	eng->event_limit = max_events;
}

enum sim_stop_reason sim_run_for(struct sim_engine *eng, uint64_t steps)
{
	uint64_t limit = eng->event_limit;
	uint64_t done = eng->dispatched + eng->in_place;
	enum sim_stop_reason why;

	/* The step count, not the dispatched one: a limit on events alone
	 * would be met, once more steps were advanced in place than the
	 * slice holds, before the first step of every later slice. */
	if (steps < limit - MIN(limit, done))
		eng->event_limit = done + steps;
	why = sim_run(eng);
	eng->event_limit = limit;
	return why;
}

/* sim_now() (engine.h) reads the clock as the struct's first member. */
G_STATIC_ASSERT(offsetof(struct sim_engine, now) == 0);

uint64_t sim_engine_seed(const struct sim_engine *eng)
{
	return eng->seed;
}

uint64_t sim_events_dispatched(const struct sim_engine *eng)
{
	return eng->dispatched;
}

uint64_t sim_events_in_place(const struct sim_engine *eng)
{
	return eng->in_place;
}

void sim_engine_set_in_place(struct sim_engine *eng, bool on)
{
	eng->no_in_place = !on;
	advance_limit_update(eng);
}

size_t sim_events_pending(const struct sim_engine *eng)
{
	return eng->heap_len + eng->ladder_len - eng->nr_cancelled - (eng->root_taken ? 1 : 0);
}

uint64_t sim_fingerprint(const struct sim_engine *eng)
{
	return eng->fingerprint;
}

/* ------------------------------------------------------------------ */
/* Random streams */

static uint64_t hash_name(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a, 64 bit */

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

gsl_rng *sim_rng(struct sim_engine *eng, const char *name)
{
	gsl_rng *r = g_hash_table_lookup(eng->rngs, name);

	if (!r) {
		uint64_t s = sim_mix64(eng->seed * 0x9e3779b97f4a7c15ULL ^ hash_name(name));

		r = gsl_rng_alloc(eng->rng_type);
		/* A seed of 32 bits (all mt19937 takes): fold the 64. */
		gsl_rng_set(r, (unsigned long)((s ^ (s >> 32)) & 0xffffffffUL));
		g_hash_table_insert(eng->rngs, g_strdup(name), r);
	}
	return r;
}

static const struct {
	const char *name;
	const gsl_rng_type *const *type;
} rng_types[] = {
	{ "mt19937", &gsl_rng_mt19937 },
	{ "taus2", &gsl_rng_taus2 },
};

const char *const sim_rng_names[] = { "mt19937", "taus2", NULL };

void sim_engine_set_rng(struct sim_engine *eng, const char *name)
{
	g_assert(!g_hash_table_size(eng->rngs));
	for (size_t i = 0; i < G_N_ELEMENTS(rng_types); i++) {
		if (!strcmp(name, rng_types[i].name)) {
			eng->rng_type = *rng_types[i].type;
			return;
		}
	}
	g_error("sim_engine_set_rng: no generator '%s'", name);
}

/* ------------------------------------------------------------------ */

struct sim_stats *sim_engine_stats(struct sim_engine *eng)
{
	return eng->stats;
}

struct sim_engine *sim_engine_new(uint64_t seed)
{
	struct sim_engine *eng = g_new0(struct sim_engine, 1);

	eng->seed = seed;
	eng->rng_type = gsl_rng_mt19937;
	eng->time_limit = SIM_TIME_MAX;
	eng->event_limit = UINT64_MAX;
	eng->bottom_limit = SIM_TIME_MAX;
	eng->sample_next = SIM_TIME_MAX;
	advance_limit_update(eng);
	sim_engine_set_heap_limit(eng, SIM_ENGINE_HEAP_LIMIT);
	sim_engine_set_ladder_bucket(eng, SIM_ENGINE_LADDER_BUCKET);
	eng->event_slabs = g_ptr_array_new_with_free_func(g_free);
	eng->chunk_slabs = g_ptr_array_new_with_free_func(g_free);
	eng->rngs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)gsl_rng_free);
	eng->stats = sim_stats_new();
	eng->checks = g_getenv("FAULTSIM_CHECKS") != NULL;
	return eng;
}

void sim_engine_set_checks(struct sim_engine *eng, bool on)
{
	eng->checks = on;
}

bool sim_engine_checks(const struct sim_engine *eng)
{
	return eng->checks;
}

void sim_engine_free(struct sim_engine *eng)
{
	if (!eng)
		return;
	g_assert(!eng->current);
	if (eng->tasks_free)
		eng->tasks_free(eng);
	free(eng->heap_mem);
	for (unsigned int i = 0; i < LADDER_MAX_RUNGS; i++)
		g_free(eng->rungs[i].buckets);
	g_ptr_array_unref(eng->chunk_slabs);
	g_ptr_array_unref(eng->event_slabs);
	g_hash_table_unref(eng->rngs);
	sim_stats_free(eng->stats);
	g_free(eng);
}
