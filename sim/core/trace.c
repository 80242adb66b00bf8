/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trace sink (see trace.h): an array of events and one of tracks,
 * strings interned in a chunk.  Costs: a slice or a flow is an append,
 * amortised O(1); a task's track is found by its id in an array, O(1);
 * other tracks by a hash of their kind, number and name, once per
 * component.  Nothing here runs while no sink is attached.
 */
#include "config.h"

#include <string.h>

#include "sim/core/engine-private.h"
#include "sim/core/trace.h"

struct sim_trace {
	sim_time_t from, to;
	size_t max_events;
	uint64_t dropped;
	GArray *events;			/* struct sim_trace_event */
	GArray *tracks;			/* struct sim_trace_track */
	GArray *task_tracks;		/* task id -> track + 1, 0: none yet */
	GHashTable *named;		/* "kind/id/name" -> track + 1 */
	GStringChunk *strings;
	int waker;			/* sim_trace_set_waker() */
};

struct sim_trace *sim_trace_new(sim_time_t from, sim_time_t to, size_t max_events)
{
	struct sim_trace *tr = g_new0(struct sim_trace, 1);

	g_assert(from <= to);
	tr->from = from;
	tr->to = to;
	tr->max_events = max_events;
	tr->events = g_array_new(FALSE, FALSE, sizeof(struct sim_trace_event));
	tr->tracks = g_array_new(FALSE, FALSE, sizeof(struct sim_trace_track));
	tr->task_tracks = g_array_new(FALSE, TRUE, sizeof(unsigned int));
	tr->named = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	tr->strings = g_string_chunk_new(4096);
	tr->waker = -1;
	return tr;
}

void sim_trace_free(struct sim_trace *tr)
{
	if (!tr)
		return;
	g_array_unref(tr->events);
	g_array_unref(tr->tracks);
	g_array_unref(tr->task_tracks);
	g_hash_table_unref(tr->named);
	g_string_chunk_free(tr->strings);
	g_free(tr);
}

void sim_engine_set_trace(struct sim_engine *eng, struct sim_trace *tr)
{
	eng->trace = tr;
}

struct sim_trace *sim_engine_trace(const struct sim_engine *eng)
{
	return eng->trace;
}

const char *sim_trace_intern(struct sim_trace *tr, const char *s)
{
	return g_string_chunk_insert_const(tr->strings, s);
}

static unsigned int track_add(struct sim_trace *tr, enum sim_trace_track_kind kind,
			      unsigned int id, const char *name)
{
	struct sim_trace_track k = { .kind = kind, .id = id,
				     .name = sim_trace_intern(tr, name) };

	g_array_append_val(tr->tracks, k);
	return tr->tracks->len - 1;
}

unsigned int sim_trace_task_track_id(struct sim_trace *tr, unsigned int id, const char *name)
{
	if (id >= tr->task_tracks->len)
		g_array_set_size(tr->task_tracks, id + 1);
	unsigned int *slot = &g_array_index(tr->task_tracks, unsigned int, id);

	if (!*slot)
		*slot = track_add(tr, SIM_TRACE_TASK, id, name) + 1;
	return *slot - 1;
}

unsigned int sim_trace_track(struct sim_trace *tr, enum sim_trace_track_kind kind,
			     unsigned int id, const char *name)
{
	char *key = g_strdup_printf("%d/%u/%s", (int)kind, id, name);
	gpointer v = g_hash_table_lookup(tr->named, key);

	if (v) {
		g_free(key);
		return GPOINTER_TO_UINT(v) - 1;
	}
	unsigned int track = track_add(tr, kind, id, name);

	g_hash_table_insert(tr->named, key, GUINT_TO_POINTER(track + 1));
	return track;
}

/* Room for one more event, or count it as dropped. */
static struct sim_trace_event *event_add(struct sim_trace *tr)
{
	if (tr->events->len >= tr->max_events) {
		tr->dropped++;
		return NULL;
	}
	g_array_set_size(tr->events, tr->events->len + 1);
	return &g_array_index(tr->events, struct sim_trace_event, tr->events->len - 1);
}

void sim_trace_slice(struct sim_trace *tr, unsigned int track, const char *cat,
		     const char *name, sim_time_t start, sim_time_t end,
		     const struct sim_trace_arg *args, unsigned int nr_args)
{
	struct sim_trace_event *e;

	g_assert(start <= end && nr_args <= SIM_TRACE_MAX_ARGS);
	if (end < tr->from || start > tr->to || !(e = event_add(tr)))
		return;
	*e = (struct sim_trace_event){
		.start = start, .end = end, .cat = cat, .name = name, .track = track,
		.to_track = track, .kind = SIM_TRACE_SLICE, .nr_args = (unsigned char)nr_args,
	};
	if (nr_args)
		memcpy(e->args, args, nr_args * sizeof(*args));
}

void sim_trace_flow(struct sim_trace *tr, unsigned int from_track, sim_time_t at,
		    unsigned int to_track, sim_time_t ran)
{
	struct sim_trace_event *e;

	g_assert(at <= ran);
	if (at < tr->from || ran > tr->to || !(e = event_add(tr)))
		return;
	*e = (struct sim_trace_event){
		.start = at, .end = ran, .cat = "sched", .name = "wakeup", .track = from_track,
		.to_track = to_track, .kind = SIM_TRACE_FLOW,
	};
}

void sim_trace_set_waker(struct sim_trace *tr, int track)
{
	tr->waker = track;
}

int sim_trace_waker(const struct sim_trace *tr)
{
	return tr->waker;
}

sim_time_t sim_trace_from(const struct sim_trace *tr)
{
	return tr->from;
}

sim_time_t sim_trace_to(const struct sim_trace *tr)
{
	return tr->to;
}

size_t sim_trace_nr_events(const struct sim_trace *tr)
{
	return tr->events->len;
}

const struct sim_trace_event *sim_trace_event(const struct sim_trace *tr, size_t i)
{
	g_assert(i < tr->events->len);
	return &g_array_index(tr->events, struct sim_trace_event, i);
}

size_t sim_trace_nr_tracks(const struct sim_trace *tr)
{
	return tr->tracks->len;
}

const struct sim_trace_track *sim_trace_get_track(const struct sim_trace *tr, unsigned int i)
{
	g_assert(i < tr->tracks->len);
	return &g_array_index(tr->tracks, struct sim_trace_track, i);
}

uint64_t sim_trace_dropped(const struct sim_trace *tr)
{
	return tr->dropped;
}

size_t sim_trace_max_events(const struct sim_trace *tr)
{
	return tr->max_events;
}
