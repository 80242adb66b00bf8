/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The disk model (see disk.h for what is modelled and measured).
 *
 * Life of a request:
 *
 *	submit -> [merged into a queued head] -> queued -> dispatched -> completed
 *
 * A request that joins another (a merge) stops being a scheduling unit: it
 * hangs off the head it joined, on the head's ->bio_next chain, and the
 * head carries the merged range in ->pos/->len.  Only heads are on the
 * scheduler's lists, only heads are dispatched and occupy a slot.
 *
 * Scheduler state.  Every queued head is on one FIFO list (fifo_list[0]
 * for the fifo scheduler, fifo_list[op] for deadline), in order of its
 * oldest member; and, when merging or deadline needs it, on the sort list
 * of its direction: an array of (pos, request) sorted by (pos, seq), found
 * by binary search.  It grows by doubling and never shrinks, so the steady
 * state allocates nothing; an insert or erase moves the entries after it.
 *
 * Counts.  in_system counts requests (members, not heads) submitted and not
 * completed; waiting those not dispatched; busy the occupied slots.  Their
 * time integrals advance at each change (disk_account()), which is also
 * where the time series is filled in.
 *
 * Rules:
 *  - a slot is free only while no head is queued: whenever one of the two
 *    changes, disk_run_queue() dispatches until either is exhausted; so a
 *    merge candidate is never left waiting beside an idle slot;
 *  - completion callbacks run after the disk's state is updated, so they
 *    may resubmit; the disk never touches a request after its callback.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "sim/kernel/disk.h"
#include "sim/core/rng.h"
#include "sim/core/stats.h"
#include "sim/core/trace.h"

enum rq_state {
	RQ_IDLE,	/* not submitted, or completed */
	RQ_QUEUED,	/* a head on the scheduler's lists */
	RQ_MERGED,	/* a member of another head's chain */
	RQ_DISPATCHED,	/* a head holding a slot */
};

/* Where a request waits before it goes into the queue (rq->wait). */
enum rq_wait {
	RQ_WAIT_NONE,
	RQ_WAIT_THROTL,		/* io.max: on its cgroup's throttle list */
	RQ_WAIT_IOLAT,		/* io.latency: its cgroup is at its depth */
	RQ_WAIT_TAG,		/* no free tag */
};

/* throtl_slice (blk-throttle's defaults since 4.10). */
#define THROTL_SLICE_HD		(100 * NSEC_PER_MSEC)
#define THROTL_SLICE_SSD	(20 * NSEC_PER_MSEC)
/* blk-iolatency's window bounds. */
#define IOLAT_MIN_WIN		(100 * NSEC_PER_MSEC)
#define IOLAT_MAX_WIN		(1 * NSEC_PER_SEC)

/* One direction of a cgroup's io.max. */
struct throtl_dir {
	struct sim_blkcg *cg;
	double bytes, ios;		/* tokens now (bytes may go negative) */
	sim_time_t last;		/* when they were last filled */
	struct list_head queued;	/* throttled requests, FIFO */
	struct sim_timer timer;		/* issues the head when it fits */
};

struct sim_blkcg {
	struct sim_disk *q;
	char *name;
	struct list_head node;		/* on q->blkcgs */
	/* io.max */
	double bps, iops;		/* per direction; 0: no limit */
	struct throtl_dir dir[2];
	/* io.latency */
	sim_time_t lat_target;		/* 0: none */
	sim_time_t win_len, win_start;
	double lat_sum;
	uint64_t lat_nr;
	unsigned int inflight, max_depth;
	struct list_head lat_wait;	/* requests waiting for a slot, FIFO */
	/* Measurements. */
	uint64_t *requests, *throttled, *lat_waits, *windows, *missed;
	struct sim_hist *throttle_wait, *lat_wait_time, *latency;
	double *min_depth;
};

/* Counters, declared once: enum, registry names, units, descriptions. */
#define DISK_COUNTERS(X)								\
	X(REQUESTS, "requests", "requests", "requests submitted")			\
	X(READS, "reads", "requests", "read requests submitted")			\
	X(WRITES, "writes", "requests", "write requests submitted")			\
	X(MERGES, "merges", "requests", "requests merged into a queued one")		\
	X(DISPATCHES, "dispatches", "requests", "requests dispatched to a slot")	\
	X(BYTES_READ, "bytesRead", "B", "bytes of read requests submitted")		\
	X(BYTES_WRITTEN, "bytesWritten", "B", "bytes of write requests submitted")

enum disk_counter {
#define X(id, name, unit, what) DISK_##id,
	DISK_COUNTERS(X)
#undef X
	NR_DISK_COUNTERS
};

static const struct {
	const char *name, *unit, *what;
} disk_counters[NR_DISK_COUNTERS] = {
#define X(id, name, unit, what) [DISK_##id] = { name, unit, what },
	DISK_COUNTERS(X)
#undef X
};

/* A sort list's entry: the key's sector copied beside its request, so a
 * search reads only the array. */
struct disk_sort_entry {
	uint64_t pos;
	struct sim_disk_request *rq;
};

/*
 * How many of a sort list's heads start, and end, at sectors of each hash
 * (a counting filter): a count of 0 proves that no head starts (ends)
 * there, so a merge lookup that could only find such a head is skipped.
 * Most submissions of a random load merge with nothing; without the filter
 * each searched the list twice for nothing.
 */
#define SORT_FILTER_BITS 10

struct disk_sort_list {
	struct disk_sort_entry *e;
	size_t len, cap;
	uint32_t starts[1u << SORT_FILTER_BITS];
	uint32_t ends[1u << SORT_FILTER_BITS];
};

struct sim_disk {
	struct sim_engine *eng;
	char *name;
	gsl_rng *rng;

	/* Service. */
	unsigned int depth;
	enum sim_disk_sched sched;
	struct sim_dist *setup;
	double ns_per_byte;		/* 0: no transfer term */
	bool shared_channel;		/* depth > 1 with a transfer term */
	sim_time_t channel_free;	/* when the data channel is next idle */
	uint64_t capacity;
	bool rotational;
	double seek_min, seek_span;	/* ns */
	struct sim_dist *rotation;
	uint64_t head_pos;		/* hdd: end of the last request served */

	/* Block-layer queue and scheduler. */
	bool merge;
	bool use_sort;			/* keep the sort lists */
	uint64_t max_merge;		/* UINT64_MAX: no limit */
	sim_time_t fifo_expire[2];
	unsigned int writes_starved, fifo_batch;
	struct list_head fifo_list[2];
	struct disk_sort_list sort_list[2];	/* heads in sector order */
	unsigned int nr_queued;		/* heads */
	int last_dir;			/* -1 before the first dispatch */
	uint64_t last_end;
	unsigned int batching, starved;
	uint64_t next_seq;

	/* Tags and cgroups. */
	unsigned int nr_requests, tags_used;
	struct list_head tag_wait;	/* requests waiting for a tag, FIFO */
	uint64_t *tag_waits;		/* registered at the first wait */
	struct sim_hist *tag_wait_time;
	/*
	 * The tag set as a lock class (sim/kernel/lockstat.h), module
	 * "NAME.tags", registered at the first tag taken: a tag is
	 * acquired by blk_mq_get_tag(), contended when the request had to
	 * wait for it, held until the request completes.
	 */
	uint64_t *tag_acquisitions, *tag_contentions;
	struct sim_hist *tag_lock_wait, *tag_hold;
	/* Tracing (sim/core/trace.h): the sink or NULL, the disk's track. */
	struct sim_trace *trace;
	unsigned int trace_track;
	struct list_head blkcgs;

	/* Occupancy and its time integrals. */
	unsigned int in_system, waiting, busy;
	unsigned int max_in_system, max_waiting;
	double area_system, area_waiting, area_busy;
	sim_time_t last_change, stats_start;
	uint64_t arrivals, completed;	/* since stats_start */

	/* Time series. */
	sim_time_t sample_interval, next_sample;
	GArray *samples;

	/* Measurements. */
	uint64_t *counters[NR_DISK_COUNTERS];
	struct sim_hist *response_time, *service_time, *queue_wait;
};

/* ------------------------------------------------------------------ */
/* Parameters and profiles */

#define DEFAULT_SSD_SETUP	"lognormal(80us,0.3)"
#define DEFAULT_HDD_SETUP	"const(50us)"
#define DEFAULT_ROTATION	"uniform(0,8.333333ms)"

static const struct disk_profile {
	const char *name;
	struct sim_disk_params params;
} disk_profiles[] = {
	{ "ssd", {
		.depth = 32,
		.sched = SIM_DISK_SCHED_DEADLINE,
		.bandwidth = 2e9,
		.capacity = UINT64_C(1) << 40,
		.rotational = false,
		.merge = true,
		.max_merge_size = 512 * 1024,
		.read_expire = 500 * NSEC_PER_MSEC,
		.write_expire = 5 * NSEC_PER_SEC,
		.writes_starved = 2,
		.fifo_batch = 16,
	} },
	{ "hdd", {
		.depth = 1,
		.sched = SIM_DISK_SCHED_DEADLINE,
		.bandwidth = 200e6,
		.capacity = UINT64_C(1) << 40,
		.rotational = true,
		.seek_min = 1 * NSEC_PER_MSEC,
		.seek_max = 15 * NSEC_PER_MSEC,
		.merge = true,
		.max_merge_size = 512 * 1024,
		.read_expire = 500 * NSEC_PER_MSEC,
		.write_expire = 5 * NSEC_PER_SEC,
		.writes_starved = 2,
		.fifo_batch = 16,
	} },
};

static const char *const profile_names[] = { "ssd", "hdd", NULL };

const char *const *sim_disk_profile_names(void)
{
	return profile_names;
}

gboolean sim_disk_params_init(struct sim_disk_params *p, const char *profile,
			      GError **error)
{
	if (!profile)
		profile = "ssd";
	for (size_t i = 0; i < G_N_ELEMENTS(disk_profiles); i++) {
		if (strcmp(profile, disk_profiles[i].name) == 0) {
			*p = disk_profiles[i].params;
			return TRUE;
		}
	}
	g_autofree char *list = g_strjoinv(", ", (char **)profile_names);

	g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
		    "unknown disk profile '%s'; accepted: %s", profile, list);
	return FALSE;
}

static const char *const sched_names[] = {
	[SIM_DISK_SCHED_FIFO] = "fifo",
	[SIM_DISK_SCHED_DEADLINE] = "deadline",
};

gboolean sim_disk_sched_from_name(const char *name, enum sim_disk_sched *sched,
				  GError **error)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sched_names); i++) {
		if (name && strcmp(name, sched_names[i]) == 0) {
			*sched = (enum sim_disk_sched)i;
			return TRUE;
		}
	}
	g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
		    "unknown disk scheduler '%s'; accepted: fifo, deadline",
		    name ? name : "(null)");
	return FALSE;
}

const char *sim_disk_sched_name(enum sim_disk_sched sched)
{
	g_return_val_if_fail((size_t)sched < G_N_ELEMENTS(sched_names), NULL);
	return sched_names[sched];
}

static gboolean range_error(GError **error, const char *disk, const char *what)
{
	g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "disk '%s': %s", disk, what);
	return FALSE;
}

static gboolean check_params(const struct sim_disk_params *p, const char *name,
			     GError **error)
{
	if (!*name)
		return range_error(error, name, "name must not be empty");
	if (p->depth < 1)
		return range_error(error, name, "depth must be at least 1");
	if ((size_t)p->sched >= G_N_ELEMENTS(sched_names))
		return range_error(error, name, "sched must be fifo or deadline");
	if (!(p->bandwidth >= 0) || isinf(p->bandwidth))
		return range_error(error, name,
				   "bandwidth must be a finite number >= 0 (0: no transfer term)");
	if (p->capacity < 1)
		return range_error(error, name, "capacity must be at least 1 byte");
	if (p->rotational && p->depth != 1)
		return range_error(error, name,
				   "a rotational disk serves one request at a time: depth must be 1");
	if (p->rotational && (p->seek_min < 0 || p->seek_max < p->seek_min))
		return range_error(error, name,
				   "seek times must satisfy 0 <= seek_min <= seek_max");
	if (p->read_expire < 0 || p->write_expire < 0)
		return range_error(error, name, "expiry times must not be negative");
	if (p->fifo_batch < 1)
		return range_error(error, name, "fifo_batch must be at least 1");
	if (p->sample_interval < 0)
		return range_error(error, name, "sample_interval must not be negative");
	return TRUE;
}

static struct sim_dist *dist_or_default(const struct sim_dist *d, const char *text)
{
	if (d)
		return sim_dist_copy(d);

	struct sim_dist *def = sim_dist_parse(text, SIM_UNIT_TIME, NULL);

	g_assert(def);
	return def;
}

static void disk_transfer_event(struct sim_engine *eng, void *data);

struct sim_disk *sim_disk_new(struct sim_engine *eng,
			      const struct sim_disk_params *p, GError **error)
{
	const char *name = p->name ? p->name : "disk";
	struct sim_stats *st = sim_engine_stats(eng);
	struct sim_disk *d;

	if (!check_params(p, name, error))
		return NULL;

	d = g_new0(struct sim_disk, 1);
	d->eng = eng;
	d->name = g_strdup(name);
	d->rng = sim_rng(eng, name);
	d->trace = sim_engine_trace(eng);
	if (d->trace)
		d->trace_track = sim_trace_track(d->trace, SIM_TRACE_DEVICE, 0, name);

	d->depth = p->depth;
	d->sched = p->sched;
	d->setup = dist_or_default(p->setup, p->rotational ? DEFAULT_HDD_SETUP
							    : DEFAULT_SSD_SETUP);
	d->ns_per_byte = p->bandwidth > 0 ? 1e9 / p->bandwidth : 0;
	d->shared_channel = p->depth > 1 && d->ns_per_byte > 0;
	d->capacity = p->capacity;
	d->rotational = p->rotational;
	if (d->rotational) {
		d->seek_min = (double)p->seek_min;
		d->seek_span = (double)(p->seek_max - p->seek_min);
		d->rotation = dist_or_default(p->rotation, DEFAULT_ROTATION);
	}

	d->merge = p->merge;
	d->use_sort = p->merge || p->sched == SIM_DISK_SCHED_DEADLINE;
	d->max_merge = p->max_merge_size ? p->max_merge_size : UINT64_MAX;
	d->fifo_expire[SIM_REQ_OP_READ] = p->read_expire;
	d->fifo_expire[SIM_REQ_OP_WRITE] = p->write_expire;
	d->writes_starved = p->writes_starved;
	d->fifo_batch = p->fifo_batch;
	d->nr_requests = p->nr_requests ? p->nr_requests : MAX(2 * p->depth, 256u);
	INIT_LIST_HEAD(&d->tag_wait);
	INIT_LIST_HEAD(&d->blkcgs);
	INIT_LIST_HEAD(&d->fifo_list[0]);
	INIT_LIST_HEAD(&d->fifo_list[1]);
	d->last_dir = -1;

	d->last_change = d->stats_start = sim_now(eng);
	d->sample_interval = p->sample_interval;
	if (d->sample_interval > 0) {
		d->next_sample = d->last_change + d->sample_interval;
		d->samples = g_array_new(FALSE, FALSE, sizeof(struct sim_disk_sample));
	} else {
		d->next_sample = SIM_TIME_MAX;
	}

	for (int i = 0; i < NR_DISK_COUNTERS; i++)
		d->counters[i] = sim_stats_counter_unit(st, name, disk_counters[i].name,
							disk_counters[i].unit,
							disk_counters[i].what);
	d->response_time = sim_stats_hist_unit(st, name, "responseTime", "ns",
					       "request: submit to completion");
	d->service_time = sim_stats_hist_unit(st, name, "serviceTime", "ns",
					      "dispatch to completion, per dispatch");
	d->queue_wait = sim_stats_hist_unit(st, name, "queueWait", "ns",
					    "request: submit to dispatch");
	/* The end of a setup only queues for the data channel: a task that
	 * waits may run it itself (sim_task_direct_handler()). */
	sim_task_direct_handler(eng, disk_transfer_event);
	return d;
}

void sim_disk_free(struct sim_disk *d)
{
	struct sim_blkcg *cg, *next;

	if (!d)
		return;
	list_for_each_entry_safe(cg, next, &d->blkcgs, node) {
		for (int i = 0; i < 2; i++)
			sim_cancel(d->eng, &cg->dir[i].timer);
		g_free(cg->name);
		g_free(cg);
	}
	for (int i = 0; i < 2; i++)
		g_free(d->sort_list[i].e);
	sim_dist_free(d->setup);
	sim_dist_free(d->rotation);
	if (d->samples)
		g_array_free(d->samples, TRUE);
	g_free(d->name);
	g_free(d);
}

void sim_disk_request_init(struct sim_disk_request *rq, enum sim_req_op op,
			   uint64_t offset, uint64_t size,
			   sim_disk_done_fn *done, void *data)
{
	/* Field by field, not memset(): GCC clears a struct this size with
	 * rep stosq, whose start-up costs more than these stores on every
	 * request of an open-loop load.  A new field must be cleared here
	 * too (the assertion below trips when one is added at the end). */
	G_STATIC_ASSERT(offsetof(struct sim_disk_request, tag_time) + sizeof(sim_time_t) ==
			sizeof(struct sim_disk_request));
	rq->op = op;
	rq->offset = offset;
	rq->size = size;
	rq->done = done;
	rq->data = data;
	rq->blkcg = NULL;
	rq->submit_time = rq->dispatch_time = rq->complete_time = 0;
	rq->q = NULL;
	INIT_LIST_HEAD(&rq->queuelist);
	rq->bio_next = rq->bio_tail = NULL;
	rq->pos = rq->len = 0;
	rq->seq = rq->fifo_seq = 0;
	rq->fifo_time = 0;
	rq->nr_bios = 0;
	rq->state = RQ_IDLE;
	rq->wait = RQ_WAIT_NONE;
	rq->has_tag = rq->iolat = false;
	rq->submitter = NULL;
	INIT_LIST_HEAD(&rq->waitlist);
	rq->wait_start = rq->issue_time = rq->tag_time = 0;
}

/* ------------------------------------------------------------------ */
/* Occupancy accounting and the time series */

static void disk_fill_samples(struct sim_disk *d, sim_time_t now)
{
	struct sim_disk_sample s = { 0, d->in_system, d->waiting };

	while (d->next_sample <= now) {
		s.time = d->next_sample;
		g_array_append_val(d->samples, s);
		d->next_sample += d->sample_interval;
	}
}

/* Advance the time integrals to @now, before a change of the counts. */
static inline void disk_account(struct sim_disk *d, sim_time_t now)
{
	double dt = (double)(now - d->last_change);

	if (dt == 0)
		return;
	if (G_UNLIKELY(d->next_sample <= now))
		disk_fill_samples(d, now);
	d->area_system += dt * d->in_system;
	d->area_waiting += dt * d->waiting;
	d->area_busy += dt * d->busy;
	d->last_change = now;
}

/* ------------------------------------------------------------------ */
/* Sort lists: arrays sorted by (pos, seq) */

/*
 * A direction's queued heads in sector order, as the kernel's sort_list
 * rbtree holds them.  A sorted array, not a tree: a busy queue holds a
 * hundred heads or more, and a lookup is then a binary search over a few
 * cache lines instead of a walk of a dozen nodes scattered in memory; an
 * insert or erase moves at most a few kilobytes.  The array only grows.
 */
static inline bool rq_before(const struct sim_disk_request *a,
			     const struct sim_disk_request *b)
{
	return a->pos < b->pos || (a->pos == b->pos && a->seq < b->seq);
}

/*
 * Index of the first entry with pos >= @pos (its length if none).  The
 * answer lies in [lo, lo + n]; each step halves n with a select, not a
 * branch (which of two halves holds it is as random as the sectors).
 */
static size_t sort_lower_bound(const struct disk_sort_list *l, uint64_t pos)
{
	const struct disk_sort_entry *e = l->e;
	size_t lo = 0, n = l->len;

	if (!n)
		return 0;
	while (n > 1) {
		size_t half = n / 2;

		lo = e[lo + half - 1].pos < pos ? lo + half : lo;
		n -= half;
	}
	return lo + (e[lo].pos < pos);
}

/* Index of the first entry that does not sort before @rq. */
static size_t sort_index(const struct disk_sort_list *l, const struct sim_disk_request *rq)
{
	size_t i = sort_lower_bound(l, rq->pos);

	while (i < l->len && l->e[i].pos == rq->pos && rq_before(l->e[i].rq, rq))
		i++;
	return i;
}

static inline unsigned int sort_hash(uint64_t pos)
{
	return (unsigned int)((pos * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - SORT_FILTER_BITS));
}

/* Whether a queued head may start, or end, at @pos (false: none does). */
static inline bool sort_may_start(const struct disk_sort_list *l, uint64_t pos)
{
	return l->starts[sort_hash(pos)] != 0;
}

static inline bool sort_may_end(const struct disk_sort_list *l, uint64_t pos)
{
	return l->ends[sort_hash(pos)] != 0;
}

/* Head @rq of list @l now covers @len bytes from its start. */
static inline void sort_set_len(struct disk_sort_list *l, struct sim_disk_request *rq,
				uint64_t len)
{
	g_assert(l->ends[sort_hash(rq->pos + rq->len)]);
	l->ends[sort_hash(rq->pos + rq->len)]--;
	rq->len = len;
	l->ends[sort_hash(rq->pos + rq->len)]++;
}

static void sort_insert(struct disk_sort_list *l, struct sim_disk_request *rq)
{
	size_t i = sort_index(l, rq);

	if (G_UNLIKELY(l->len == l->cap)) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = g_renew(struct disk_sort_entry, l->e, l->cap);
	}
	memmove(&l->e[i + 1], &l->e[i], (l->len - i) * sizeof(l->e[0]));
	l->e[i] = (struct disk_sort_entry){ .pos = rq->pos, .rq = rq };
	l->len++;
	l->starts[sort_hash(rq->pos)]++;
	l->ends[sort_hash(rq->pos + rq->len)]++;
}

static void sort_erase(struct disk_sort_list *l, struct sim_disk_request *rq)
{
	size_t i = sort_index(l, rq);

	g_assert(i < l->len && l->e[i].rq == rq);	/* @rq is in the list */
	l->len--;
	/* Counted at its insertion, and at each change of its range. */
	g_assert(l->starts[sort_hash(rq->pos)] && l->ends[sort_hash(rq->pos + rq->len)]);
	l->starts[sort_hash(rq->pos)]--;
	l->ends[sort_hash(rq->pos + rq->len)]--;
	memmove(&l->e[i], &l->e[i + 1], (l->len - i) * sizeof(l->e[0]));
}

/* The first head with pos >= @pos (the oldest among equals), or NULL. */
static struct sim_disk_request *sort_ceil(const struct disk_sort_list *l, uint64_t pos)
{
	size_t i = sort_lower_bound(l, pos);

	return i < l->len ? l->e[i].rq : NULL;
}

/* The last head with pos < @pos, or NULL. */
static struct sim_disk_request *sort_lower(const struct disk_sort_list *l, uint64_t pos)
{
	size_t i = sort_lower_bound(l, pos);

	return i > 0 ? l->e[i - 1].rq : NULL;
}

/* ------------------------------------------------------------------ */
/* The scheduler's lists */

static inline struct list_head *fifo_of(struct sim_disk *d, enum sim_req_op op)
{
	return &d->fifo_list[d->sched == SIM_DISK_SCHED_FIFO ? 0 : op];
}

static inline __attribute__((always_inline))
void sched_insert(struct sim_disk *d, struct sim_disk_request *rq)
{
	list_add_tail(&rq->queuelist, fifo_of(d, rq->op));
	if (d->use_sort)
		sort_insert(&d->sort_list[rq->op], rq);
	rq->state = RQ_QUEUED;
	d->nr_queued++;
}

static void sched_remove(struct sim_disk *d, struct sim_disk_request *rq)
{
	g_assert(rq->state == RQ_QUEUED);
	list_del_init(&rq->queuelist);
	if (d->use_sort)
		sort_erase(&d->sort_list[rq->op], rq);
	d->nr_queued--;
}

/* Append @m (a head with its own chain) to the chain of @head. */
static inline void chain_append(struct sim_disk_request *head,
				struct sim_disk_request *m)
{
	head->bio_tail->bio_next = m;
	head->bio_tail = m->bio_tail;
	head->nr_bios += m->nr_bios;
	m->state = RQ_MERGED;
}

static inline bool merge_fits(const struct sim_disk *d, uint64_t a, uint64_t b)
{
	return a + b <= d->max_merge && a + b >= a;
}

/*
 * Queued head @front absorbs queued head @back, which starts where @front
 * ends (as the kernel's attempt_merge()).  @front takes the FIFO place and
 * the expiry of the older of the two.
 */
static void merge_heads(struct sim_disk *d, struct sim_disk_request *front,
			struct sim_disk_request *back)
{
	if (back->fifo_seq < front->fifo_seq) {
		list_del_init(&front->queuelist);
		list_add(&front->queuelist, &back->queuelist);
		front->fifo_seq = back->fifo_seq;
		front->fifo_time = back->fifo_time;
	}
	sched_remove(d, back);
	sort_set_len(&d->sort_list[front->op], front, front->len + back->len);
	chain_append(front, back);
	(*d->counters[DISK_MERGES])++;
}

/* Merge the new request @n into a contiguous queued head; true if done. */
static bool disk_try_merge(struct sim_disk *d, struct sim_disk_request *n)
{
	struct disk_sort_list *root = &d->sort_list[n->op];
	struct sim_disk_request *a, *b;

	if (!root->len)
		return false;

	/* Back merge: a head that ends where @n starts. */
	a = sort_may_end(root, n->pos) ? sort_lower(root, n->pos) : NULL;
	if (a && a->pos + a->len == n->pos && a->blkcg == n->blkcg &&
	    merge_fits(d, a->len, n->len)) {
		sort_set_len(root, a, a->len + n->len);
		chain_append(a, n);
		(*d->counters[DISK_MERGES])++;
		b = sort_may_start(root, a->pos + a->len) ? sort_ceil(root, a->pos + a->len)
							   : NULL;
		if (b && b->pos == a->pos + a->len && b->blkcg == a->blkcg &&
		    merge_fits(d, a->len, b->len))
			merge_heads(d, a, b);
		return true;
	}

	/* Front merge: a head that starts where @n ends. */
	b = sort_may_start(root, n->pos + n->len) ? sort_ceil(root, n->pos + n->len) : NULL;
	if (b && b->pos == n->pos + n->len && b->blkcg == n->blkcg &&
	    merge_fits(d, b->len, n->len)) {
		sort_erase(root, b);
		b->pos = n->pos;
		b->len += n->len;
		sort_insert(root, b);
		chain_append(b, n);
		(*d->counters[DISK_MERGES])++;
		a = sort_may_end(root, b->pos) ? sort_lower(root, b->pos) : NULL;
		if (a && a->pos + a->len == b->pos && a->blkcg == b->blkcg &&
		    merge_fits(d, a->len, b->len))
			merge_heads(d, a, b);
		return true;
	}
	return false;
}

/* The deadline choice (see disk.h); NULL if nothing is queued. */
static struct sim_disk_request *dd_dispatch_request(struct sim_disk *d, sim_time_t now)
{
	struct sim_disk_request *r, *w, *rq;
	int dir;

	r = list_first_entry_or_null(&d->fifo_list[SIM_REQ_OP_READ],
				     struct sim_disk_request, queuelist);
	w = list_first_entry_or_null(&d->fifo_list[SIM_REQ_OP_WRITE],
				     struct sim_disk_request, queuelist);

	/* 1. A request past its expiry, the earliest first. */
	rq = NULL;
	if (r && r->fifo_time <= now)
		rq = r;
	if (w && w->fifo_time <= now && (!rq || w->fifo_time < rq->fifo_time))
		rq = w;
	if (rq) {
		dir = rq->op;
		if (dir == SIM_REQ_OP_WRITE)
			d->starved = 0;
		d->batching = 0;
		goto dispatch;
	}

	/* 2. Go on with the batch, in sector order. */
	if (d->last_dir >= 0 && d->batching < d->fifo_batch) {
		rq = sort_ceil(&d->sort_list[d->last_dir], d->last_end);
		if (rq) {
			dir = d->last_dir;
			goto dispatch;
		}
	}

	/* 3. A new batch: reads first, unless writes were starved enough. */
	if (r) {
		if (w && d->starved++ >= d->writes_starved)
			goto dispatch_writes;
		dir = SIM_REQ_OP_READ;
	} else if (w) {
dispatch_writes:
		d->starved = 0;
		dir = SIM_REQ_OP_WRITE;
	} else {
		return NULL;
	}
	rq = dir == d->last_dir ? sort_ceil(&d->sort_list[dir], d->last_end) : NULL;
	if (!rq)
		rq = dir == SIM_REQ_OP_READ ? r : w;
	d->batching = 0;

dispatch:
	d->batching++;
	d->last_dir = dir;
	d->last_end = rq->pos + rq->len;
	return rq;
}

/* ------------------------------------------------------------------ */
/* Service */

static void disk_complete_event(struct sim_engine *eng, void *data);
static inline void disk_run_queue(struct sim_disk *d);

/* With a shared data channel: the setup is over, queue for the transfer. */
static void disk_transfer_event(struct sim_engine *eng, void *data)
{
	struct sim_disk_request *rq = data;
	struct sim_disk *d = rq->q;
	sim_time_t now = sim_now(eng);
	sim_time_t start = d->channel_free > now ? d->channel_free : now;

	d->channel_free = start + sim_llround(d->ns_per_byte * (double)rq->len);
	sim_schedule_at(eng, d->channel_free, disk_complete_event, rq);
}

static void disk_dispatch(struct sim_disk *d, struct sim_disk_request *rq,
			  sim_time_t now)
{
	double t = sim_dist_sample(d->setup, d->rng);
	sim_time_t ns;

	if (d->rotational) {
		uint64_t dist = rq->pos > d->head_pos ? rq->pos - d->head_pos
						      : d->head_pos - rq->pos;
		if (dist) {
			double frac = (double)dist / (double)d->capacity;

			t += d->seek_min + d->seek_span * sqrt(frac < 1 ? frac : 1);
			t += sim_dist_sample(d->rotation, d->rng);
		}
		d->head_pos = rq->pos + rq->len;
	}

	rq->state = RQ_DISPATCHED;
	d->busy++;
	d->waiting -= rq->nr_bios;
	(*d->counters[DISK_DISPATCHES])++;
	for (struct sim_disk_request *m = rq; m; m = m->bio_next) {
		m->dispatch_time = now;
		sim_hist_record(d->queue_wait, (uint64_t)(now - m->submit_time));
	}

	if (d->shared_channel) {
		ns = t > 0 ? sim_llround(t) : 0;
		sim_schedule(d->eng, ns, disk_transfer_event, rq);
	} else {
		t += d->ns_per_byte * (double)rq->len;
		ns = t > 0 ? sim_llround(t) : 0;
		sim_schedule(d->eng, ns, disk_complete_event, rq);
	}
}

/* Fill the free slots from the queue (disk_run_queue() found one free
 * and something queued). */
static void disk_fill_slots(struct sim_disk *d)
{
	sim_time_t now = sim_now(d->eng);
	struct sim_disk_request *rq;

	while (d->busy < d->depth && d->nr_queued) {
		if (d->sched == SIM_DISK_SCHED_FIFO)
			rq = list_first_entry(&d->fifo_list[0],
					      struct sim_disk_request, queuelist);
		else
			rq = dd_dispatch_request(d, now);
		sched_remove(d, rq);
		disk_dispatch(d, rq, now);
	}
}

/* Inline: a submit to a busy disk (most of them under load) costs a
 * compare, not a call that saves every register disk_dispatch() uses. */
static inline void disk_run_queue(struct sim_disk *d)
{
	if (d->busy < d->depth && d->nr_queued)
		disk_fill_slots(d);
}

/* ------------------------------------------------------------------ */
/* Getting in: io.max, merging, io.latency, tags */

static inline void blk_mq_get_request(struct sim_disk *d, struct sim_disk_request *rq);
static inline void iolat_admit(struct sim_disk *d, struct sim_disk_request *rq);

/* @rq stops waiting: record how long, wake its submitter. */
static void rq_wait_end(struct sim_disk_request *rq, struct sim_hist *h)
{
	sim_hist_record(h, (uint64_t)(sim_now(rq->q->eng) - rq->wait_start));
	rq->wait = RQ_WAIT_NONE;
	list_del_init(&rq->waitlist);
	if (rq->submitter)
		sim_wake(rq->submitter);
}

static void rq_wait_start(struct sim_disk_request *rq, enum rq_wait w,
			  struct list_head *list)
{
	rq->wait = w;
	rq->wait_start = sim_now(rq->q->eng);
	list_add_tail(&rq->waitlist, list);
}

/* lock_stat of the tag set: its measurements, at the first tag taken. */
static void tags_lockstat_init(struct sim_disk *d)
{
	struct sim_stats *st = sim_engine_stats(d->eng);
	g_autofree char *mod = g_strdup_printf("%s.tags", d->name);

	d->tag_acquisitions = sim_stats_counter_unit(st, mod, "acquisitions", "acquisitions",
						     "tags taken (blk_mq_get_tag())");
	d->tag_contentions = sim_stats_counter_unit(st, mod, "contentions", "acquisitions",
						    "tags a request had to wait for");
	d->tag_lock_wait = sim_stats_hist_unit(st, mod, "waitTime", "ns",
					       "contended tag: waiting for a free tag");
	d->tag_hold = sim_stats_hist_unit(st, mod, "holdTime", "ns",
					  "tag held: taken to the request's completion");
}

/* @rq takes a tag now. */
static inline void blk_mq_tag_taken(struct sim_disk *d, struct sim_disk_request *rq)
{
	if (G_UNLIKELY(!d->tag_acquisitions))
		tags_lockstat_init(d);
	d->tags_used++;
	rq->has_tag = true;
	rq->tag_time = sim_now(d->eng);
	(*d->tag_acquisitions)++;
}

/* Past merging and io.latency: a tag, or wait for one (blk_mq_get_tag()). */
static inline __attribute__((always_inline))
void blk_mq_get_request(struct sim_disk *d, struct sim_disk_request *rq)
{
	if (d->tags_used >= d->nr_requests || !list_empty(&d->tag_wait)) {
		if (!d->tag_waits) {
			struct sim_stats *st = sim_engine_stats(d->eng);

			d->tag_waits = sim_stats_counter_unit(st, d->name, "tagWaits", "requests",
							      "requests that waited for a tag");
			d->tag_wait_time = sim_stats_hist_unit(st, d->name, "tagWait", "ns",
							       "wait for a free tag");
		}
		(*d->tag_waits)++;
		rq_wait_start(rq, RQ_WAIT_TAG, &d->tag_wait);
		return;
	}
	blk_mq_tag_taken(d, rq);
	sched_insert(d, rq);
}

/* Tags freed: hand them out in FIFO order. */
static void blk_mq_tag_wakeup(struct sim_disk *d)
{
	while (d->tags_used < d->nr_requests && !list_empty(&d->tag_wait)) {
		struct sim_disk_request *rq =
			list_first_entry(&d->tag_wait, struct sim_disk_request, waitlist);

		rq_wait_end(rq, d->tag_wait_time);
		blk_mq_tag_taken(d, rq);
		(*d->tag_contentions)++;
		sim_hist_record(d->tag_lock_wait, (uint64_t)(rq->tag_time - rq->wait_start));
		sched_insert(d, rq);
	}
}

static inline bool iolat_full(const struct sim_blkcg *cg)
{
	return cg->max_depth != UINT_MAX &&
		(cg->inflight >= cg->max_depth || !list_empty(&cg->lat_wait));
}

/* rq_qos_throttle(): an io.latency slot of the cgroup, or wait for one. */
static inline __attribute__((always_inline))
void iolat_admit(struct sim_disk *d, struct sim_disk_request *rq)
{
	struct sim_blkcg *cg = rq->blkcg;

	if (cg) {
		if (iolat_full(cg)) {
			(*cg->lat_waits)++;
			rq_wait_start(rq, RQ_WAIT_IOLAT, &cg->lat_wait);
			return;
		}
		cg->inflight++;
		rq->iolat = true;
	}
	blk_mq_get_request(d, rq);
}

static void iolat_wakeup(struct sim_blkcg *cg)
{
	while (!list_empty(&cg->lat_wait) &&
	       (cg->max_depth == UINT_MAX || cg->inflight < cg->max_depth)) {
		struct sim_disk_request *rq =
			list_first_entry(&cg->lat_wait, struct sim_disk_request, waitlist);

		rq_wait_end(rq, cg->lat_wait_time);
		cg->inflight++;
		rq->iolat = true;
		blk_mq_get_request(cg->q, rq);
	}
}

/* Scale the depth of the cgroups below @cg (a larger target, or none). */
static void iolat_scale(struct sim_blkcg *cg, bool up)
{
	struct sim_disk *d = cg->q;
	struct sim_blkcg *o;

	list_for_each_entry(o, &d->blkcgs, node) {
		if (o == cg || (o->lat_target && o->lat_target <= cg->lat_target))
			continue;
		if (up) {
			if (o->max_depth == UINT_MAX)
				continue;
			o->max_depth += d->nr_requests / 16 + 1;
			if (o->max_depth > d->nr_requests)
				o->max_depth = UINT_MAX;
			iolat_wakeup(o);
		} else {
			unsigned int depth = o->max_depth == UINT_MAX ? d->nr_requests
								     : o->max_depth;

			o->max_depth = MAX(depth / 2, 1u);
			if ((double)o->max_depth < *o->min_depth)
				*o->min_depth = o->max_depth;
		}
	}
}

/* A request of @cg completed at @now: its latency, and the window. */
static void iolat_done(struct sim_blkcg *cg, struct sim_disk_request *rq, sim_time_t now)
{
	uint64_t lat = (uint64_t)(now - rq->issue_time);

	rq->iolat = false;
	cg->inflight--;
	sim_hist_record(cg->latency, lat);
	if (!cg->lat_target)
		return;
	cg->lat_sum += (double)lat;
	cg->lat_nr++;
	if (now - cg->win_start < cg->win_len)
		return;
	(*cg->windows)++;
	if (cg->lat_sum / (double)cg->lat_nr > (double)cg->lat_target) {
		(*cg->missed)++;
		iolat_scale(cg, false);
	} else {
		iolat_scale(cg, true);
	}
	cg->win_start = now;
	cg->lat_sum = 0;
	cg->lat_nr = 0;
}

/* Past io.max: merge, or take an io.latency slot and a tag. */
static inline __attribute__((always_inline))
void blk_mq_submit_bio(struct sim_disk *d, struct sim_disk_request *rq)
{
	rq->issue_time = sim_now(d->eng);
	/* Something is queued only while every slot is busy: merge then. */
	if (d->merge && d->nr_queued && disk_try_merge(d, rq))
		return;
	iolat_admit(d, rq);
}

/* io.max: fill direction @td's buckets up to now. */
static void throtl_fill(struct sim_blkcg *cg, struct throtl_dir *td, sim_time_t now)
{
	double slice = (double)(cg->q->rotational ? THROTL_SLICE_HD : THROTL_SLICE_SSD) / 1e9;
	double dt = (double)(now - td->last) / 1e9;

	td->last = now;
	if (cg->bps > 0)
		td->bytes = MIN(td->bytes + cg->bps * dt, cg->bps * slice);
	if (cg->iops > 0)
		td->ios = MIN(td->ios + cg->iops * dt, MAX(cg->iops * slice, 1.0));
}

/* Does @rq fit the buckets now?  If not, *@wait is how long until it does. */
static bool throtl_may_dispatch(struct sim_blkcg *cg, struct throtl_dir *td,
				const struct sim_disk_request *rq, sim_time_t *wait)
{
	double slice = (double)(cg->q->rotational ? THROTL_SLICE_HD : THROTL_SLICE_SSD) / 1e9;
	double need_b = 0, need_i = 0, w = 0;

	if (cg->bps > 0)
		need_b = MIN((double)rq->len, cg->bps * slice) - td->bytes;
	if (cg->iops > 0)
		need_i = 1.0 - td->ios;
	if (need_b <= 0 && need_i <= 0)
		return true;
	if (need_b > 0)
		w = need_b / cg->bps;
	if (need_i > 0)
		w = MAX(w, need_i / cg->iops);
	*wait = MAX((sim_time_t)ceil(w * 1e9), 1);
	return false;
}

static void throtl_charge(struct sim_blkcg *cg, struct throtl_dir *td,
			  const struct sim_disk_request *rq)
{
	if (cg->bps > 0)
		td->bytes -= (double)rq->len;
	if (cg->iops > 0)
		td->ios -= 1.0;
}

static void throtl_dispatch_event(struct sim_engine *eng, void *data);

/* Issue what fits from the head of @td's list, re-arm for the rest. */
static void throtl_dispatch(struct sim_blkcg *cg, struct throtl_dir *td)
{
	sim_time_t now = sim_now(cg->q->eng), wait = 0;

	throtl_fill(cg, td, now);
	while (!list_empty(&td->queued)) {
		struct sim_disk_request *rq =
			list_first_entry(&td->queued, struct sim_disk_request, waitlist);

		if (!throtl_may_dispatch(cg, td, rq, &wait)) {
			td->timer = sim_schedule(cg->q->eng, wait, throtl_dispatch_event, td);
			return;
		}
		throtl_charge(cg, td, rq);
		rq_wait_end(rq, cg->throttle_wait);
		blk_mq_submit_bio(cg->q, rq);
	}
}

static void throtl_dispatch_event(struct sim_engine *eng, void *data)
{
	struct throtl_dir *td = data;

	td->timer = (struct sim_timer){ 0 };
	throtl_dispatch(td->cg, td);
	disk_run_queue(td->cg->q);
}

/* blk_throtl_bio(): true if @rq was queued by io.max. */
static bool blk_throtl_bio(struct sim_blkcg *cg, struct sim_disk_request *rq)
{
	struct throtl_dir *td = &cg->dir[rq->op];
	sim_time_t wait = 0;

	if (cg->bps <= 0 && cg->iops <= 0)
		return false;
	throtl_fill(cg, td, sim_now(cg->q->eng));
	if (list_empty(&td->queued) && throtl_may_dispatch(cg, td, rq, &wait)) {
		throtl_charge(cg, td, rq);
		return false;
	}
	(*cg->throttled)++;
	rq_wait_start(rq, RQ_WAIT_THROTL, &td->queued);
	if (list_is_singular(&td->queued))
		td->timer = sim_schedule(cg->q->eng, wait, throtl_dispatch_event, td);
	return true;
}

/* ------------------------------------------------------------------ */
/* Completion and submission */

/* A request, submission to completion, as a slice of the disk's trace
 * (the response time the disk records). */
static void disk_trace_rq(struct sim_disk *d, const struct sim_disk_request *m, sim_time_t now)
{
	const struct sim_trace_arg args[] = {
		{ .key = "bytes", .value = (int64_t)m->size },
		{ .key = "offset", .value = (int64_t)m->offset },
		{ .key = "queued_ns", .value = m->dispatch_time - m->submit_time },
	};

	sim_trace_slice(d->trace, d->trace_track, "disk",
			m->op == SIM_REQ_OP_READ ? "read" : "write", m->submit_time, now,
			args, G_N_ELEMENTS(args));
}

static void disk_complete_event(struct sim_engine *eng, void *data)
{
	struct sim_disk_request *rq = data, *m, *next;
	struct sim_disk *d = rq->q;
	sim_time_t now = sim_now(eng);
	unsigned int tags_freed = 0;
	struct sim_blkcg *cgs[8];
	unsigned int nr_cgs = 0;

	disk_account(d, now);
	d->busy--;
	d->in_system -= rq->nr_bios;
	d->completed += rq->nr_bios;
	sim_hist_record(d->service_time, (uint64_t)(now - rq->dispatch_time));

	for (m = rq; m; m = m->bio_next) {
		m->complete_time = now;
		sim_hist_record(d->response_time, (uint64_t)(now - m->submit_time));
		if (G_UNLIKELY(d->trace))
			disk_trace_rq(d, m, now);
		if (m->has_tag) {
			sim_hist_record(d->tag_hold, (uint64_t)(now - m->tag_time));
			m->has_tag = false;
			d->tags_used--;
			tags_freed++;
		}
		if (m->iolat) {
			iolat_done(m->blkcg, m, now);
			if (nr_cgs < G_N_ELEMENTS(cgs) &&
			    (!nr_cgs || cgs[nr_cgs - 1] != m->blkcg))
				cgs[nr_cgs++] = m->blkcg;
		}
	}
	/* Who the completions wake was woken by the disk. */
	if (G_UNLIKELY(d->trace))
		sim_trace_set_waker(d->trace, (int)d->trace_track);
	for (m = rq; m; m = next) {
		next = m->bio_next;
		m->state = RQ_IDLE;
		if (m->done)
			m->done(m, m->data);
	}
	if (G_UNLIKELY(d->trace))
		sim_trace_set_waker(d->trace, -1);
	/* Slots of io.latency, then tags, both FIFO. */
	for (unsigned int i = 0; i < nr_cgs; i++)
		iolat_wakeup(cgs[i]);
	if (tags_freed)
		blk_mq_tag_wakeup(d);
	disk_run_queue(d);
}

void sim_disk_submit(struct sim_disk *d, struct sim_disk_request *rq)
{
	sim_time_t now = sim_now(d->eng);
	enum sim_req_op op = rq->op;

	g_assert(rq->state == RQ_IDLE);
	g_assert(op == SIM_REQ_OP_READ || op == SIM_REQ_OP_WRITE);
	g_assert(rq->size >= 1 && rq->offset + rq->size > rq->offset);

	disk_account(d, now);
	rq->q = d;
	rq->submit_time = now;
	rq->dispatch_time = rq->complete_time = 0;
	rq->bio_next = NULL;
	rq->bio_tail = rq;
	rq->nr_bios = 1;
	rq->pos = rq->offset;
	rq->len = rq->size;
	rq->seq = rq->fifo_seq = d->next_seq++;
	rq->fifo_time = now + (d->sched == SIM_DISK_SCHED_DEADLINE ? d->fifo_expire[op] : 0);
	rq->wait = RQ_WAIT_NONE;
	rq->has_tag = rq->iolat = false;
	rq->submitter = NULL;
	INIT_LIST_HEAD(&rq->waitlist);
	g_assert(!rq->blkcg || rq->blkcg->q == d);

	(*d->counters[DISK_REQUESTS])++;
	if (op == SIM_REQ_OP_READ) {
		(*d->counters[DISK_READS])++;
		*d->counters[DISK_BYTES_READ] += rq->size;
	} else {
		(*d->counters[DISK_WRITES])++;
		*d->counters[DISK_BYTES_WRITTEN] += rq->size;
	}
	d->arrivals++;
	if (++d->in_system > d->max_in_system)
		d->max_in_system = d->in_system;
	if (++d->waiting > d->max_waiting)
		d->max_waiting = d->waiting;

	if (rq->blkcg) {
		(*rq->blkcg->requests)++;
		if (blk_throtl_bio(rq->blkcg, rq))
			return;
	}
	blk_mq_submit_bio(d, rq);
	disk_run_queue(d);
}

bool sim_disk_submit_would_wait(const struct sim_disk *d, const struct sim_blkcg *cg)
{
	if (cg && iolat_full(cg))
		return true;
	return d->tags_used >= d->nr_requests || !list_empty(&d->tag_wait);
}

void sim_disk_submit_task(struct sim_task *t, struct sim_disk *d,
			  struct sim_disk_request *rq)
{
	uint64_t seq;

	sim_disk_submit(d, rq);
	/* Once in, @rq may complete and be reused before @t runs: the
	 * submission number tells it is still ours. */
	seq = rq->seq;
	while (rq->seq == seq && (rq->wait == RQ_WAIT_IOLAT || rq->wait == RQ_WAIT_TAG)) {
		rq->submitter = t;
		sim_task_set_blocked_on(t, rq->wait == RQ_WAIT_TAG ? "blk_mq_get_tag"
								   : "rq_qos_throttle", d);
		sim_block(t);
	}
	if (rq->seq == seq)
		rq->submitter = NULL;
}

/* ------------------------------------------------------------------ */
/* Synchronous I/O from a task */

static void sync_done(struct sim_disk_request *rq, void *data)
{
	sim_wake(data);
}

sim_time_t sim_disk_io_sync(struct sim_task *t, struct sim_disk *d,
			    enum sim_req_op op, uint64_t offset, uint64_t size)
{
	struct sim_disk_request rq;

	sim_disk_request_init(&rq, op, offset, size, sync_done, t);
	sim_disk_submit_task(t, d, &rq);
	while (rq.state != RQ_IDLE || rq.wait != RQ_WAIT_NONE) {
		sim_task_set_blocked_on(t, "disk I/O", d);
		sim_block(t);
	}
	return rq.complete_time - rq.submit_time;
}

/* ------------------------------------------------------------------ */
/* Block cgroups */

struct sim_blkcg *sim_disk_blkcg_new(struct sim_disk *d, const char *name,
				     double bps, double iops, sim_time_t latency_target)
{
	struct sim_blkcg *cg = g_new0(struct sim_blkcg, 1);
	struct sim_stats *st = sim_engine_stats(d->eng);
	g_autofree char *mod = g_strdup_printf("blkcg.%s", name);
	double slice = (double)(d->rotational ? THROTL_SLICE_HD : THROTL_SLICE_SSD) / 1e9;

	cg->q = d;
	cg->name = g_strdup(name);
	cg->bps = bps;
	cg->iops = iops;
	for (int i = 0; i < 2; i++) {
		cg->dir[i].cg = cg;
		INIT_LIST_HEAD(&cg->dir[i].queued);
		cg->dir[i].bytes = bps * slice;
		cg->dir[i].ios = MAX(iops * slice, 1.0);
		cg->dir[i].last = sim_now(d->eng);
	}
	cg->lat_target = latency_target;
	cg->win_len = CLAMP(16 * latency_target, IOLAT_MIN_WIN, IOLAT_MAX_WIN);
	cg->win_start = sim_now(d->eng);
	cg->max_depth = UINT_MAX;
	INIT_LIST_HEAD(&cg->lat_wait);
	list_add_tail(&cg->node, &d->blkcgs);

	cg->requests = sim_stats_counter_unit(st, mod, "requests", "requests",
					      "requests submitted by the cgroup");
	cg->throttled = sim_stats_counter_unit(st, mod, "throttled", "requests",
					       "requests queued by io.max");
	cg->lat_waits = sim_stats_counter_unit(st, mod, "latencyWaits", "requests",
					       "requests that waited at the io.latency depth");
	cg->windows = sim_stats_counter_unit(st, mod, "windows", "windows",
					     "io.latency windows of this cgroup's target");
	cg->missed = sim_stats_counter_unit(st, mod, "missed", "windows",
					    "windows whose mean latency exceeded the target");
	cg->throttle_wait = sim_stats_hist_unit(st, mod, "throttleWait", "ns",
						"time queued by io.max");
	cg->lat_wait_time = sim_stats_hist_unit(st, mod, "latencyWait", "ns",
						"wait for an io.latency slot (submitter asleep)");
	cg->latency = sim_stats_hist_unit(st, mod, "latency", "ns",
					  "past io.max to completion");
	cg->min_depth = sim_stats_scalar_unit(st, mod, "maxDepth:min", "requests",
					      "the lowest io.latency depth it was given");
	*cg->min_depth = d->nr_requests;
	return cg;
}

unsigned int sim_blkcg_max_depth(const struct sim_blkcg *cg)
{
	return cg->max_depth;
}

unsigned int sim_blkcg_inflight(const struct sim_blkcg *cg)
{
	return cg->inflight;
}

unsigned int sim_disk_nr_requests(const struct sim_disk *d)
{
	return d->nr_requests;
}

/* ------------------------------------------------------------------ */
/* Accessors and results */

unsigned int sim_disk_nr_in_system(const struct sim_disk *d)
{
	return d->in_system;
}

unsigned int sim_disk_nr_waiting(const struct sim_disk *d)
{
	return d->waiting;
}

unsigned int sim_disk_nr_busy(const struct sim_disk *d)
{
	return d->busy;
}

const char *sim_disk_name(const struct sim_disk *d)
{
	return d->name;
}

unsigned int sim_disk_depth(const struct sim_disk *d)
{
	return d->depth;
}

const GArray *sim_disk_samples(const struct sim_disk *d)
{
	return d->samples;
}

void sim_disk_finish(struct sim_disk *d)
{
	struct sim_stats *st = sim_engine_stats(d->eng);
	sim_time_t now = sim_now(d->eng);
	double span, secs;

	disk_account(d, now);
	if (G_UNLIKELY(d->next_sample <= now))
		disk_fill_samples(d, now);
	span = (double)(now - d->stats_start);
	secs = span / (double)NSEC_PER_SEC;

#define SET(what, unit, desc, v) (*sim_stats_scalar_unit(st, d->name, what, unit, desc) = (v))
	SET("queueLength:mean", "requests", "time average of the requests queued or in service",
	    span > 0 ? d->area_system / span : 0);
	SET("queueLength:max", "requests", "most requests queued or in service at once",
	    d->max_in_system);
	SET("queueWaiting:mean", "requests", "time average of the requests queued",
	    span > 0 ? d->area_waiting / span : 0);
	SET("queueWaiting:max", "requests", "most requests queued at once", d->max_waiting);
	SET("busySlots:mean", "slots", "time average of the busy service slots",
	    span > 0 ? d->area_busy / span : 0);
	SET("utilization", "ratio", "busySlots:mean / depth (0..1)",
	    span > 0 ? d->area_busy / span / d->depth : 0);
	SET("arrivalRate", "requests/s", "requests submitted per simulated second",
	    secs > 0 ? (double)d->arrivals / secs : 0);
	SET("throughput", "requests/s", "requests completed per simulated second",
	    secs > 0 ? (double)d->completed / secs : 0);
#undef SET
}

void sim_disk_reset_stats(struct sim_disk *d)
{
	sim_time_t now = sim_now(d->eng);

	disk_account(d, now);
	d->area_system = d->area_waiting = d->area_busy = 0;
	d->max_in_system = d->in_system;
	d->max_waiting = d->waiting;
	d->stats_start = now;
	d->arrivals = d->completed = 0;
	for (int i = 0; i < NR_DISK_COUNTERS; i++)
		*d->counters[i] = 0;
	sim_hist_reset(d->response_time);
	sim_hist_reset(d->service_time);
	sim_hist_reset(d->queue_wait);
}

/* ------------------------------------------------------------------ */
/* Open-loop load */

#define LOAD_SLAB	256		/* requests allocated at a time */

struct load_request {
	struct sim_disk_request rq;
	struct sim_disk_load *load;
	struct load_request *next_free;
};

struct sim_disk_load {
	struct sim_engine *eng;
	struct sim_disk *disk;
	gsl_rng *rng;
	struct sim_dist *interarrival, *size;
	uint64_t fixed_size;
	enum sim_disk_pattern pattern;
	uint64_t start, span, align;
	uint64_t fixed_slots;		/* random, no size distribution: the
					 * aligned offsets, computed once */
	uint64_t cursor;		/* sequential: next offset - start */
	double read_fraction;
	uint64_t max_requests;
	uint64_t max_backlog;
	char *error;			/* set when max_backlog stopped the run */
	sim_disk_done_fn *done;
	void *done_data;
	struct sim_blkcg *blkcg;

	struct sim_timer arrival;
	uint64_t issued, completed;
	struct load_request *free_list;
	GPtrArray *slabs;
};

void sim_disk_load_params_init(struct sim_disk_load_params *p)
{
	*p = (struct sim_disk_load_params){
		.fixed_size = 4096,
		.pattern = SIM_DISK_PATTERN_RANDOM,
		.align = 4096,
		.read_fraction = 1.0,
	};
}

/* A uniform integer in [0, n), n >= 1, from 64 random bits (the engine's
 * streams are mt19937: 32 bits a draw); bias below n / 2^64. */
static uint64_t load_uniform(gsl_rng *r, uint64_t n)
{
	uint64_t x = (uint64_t)sim_rng_get(r) << 32;

	x |= (uint64_t)sim_rng_get(r);
#ifdef __SIZEOF_INT128__
	return (uint64_t)(((unsigned __int128)x * n) >> 64);
#else
	return x % n;
#endif
}

static struct load_request *load_get(struct sim_disk_load *l)
{
	struct load_request *lr = l->free_list;

	if (G_UNLIKELY(!lr)) {
		struct load_request *slab = g_new(struct load_request, LOAD_SLAB);

		g_ptr_array_add(l->slabs, slab);
		for (int i = LOAD_SLAB - 1; i >= 0; i--) {
			slab[i].load = l;
			slab[i].next_free = lr;
			lr = &slab[i];
		}
	}
	l->free_list = lr->next_free;
	return lr;
}

static void load_done(struct sim_disk_request *rq, void *data)
{
	struct load_request *lr = data;
	struct sim_disk_load *l = lr->load;

	l->completed++;
	if (l->done)
		l->done(rq, l->done_data);
	lr->next_free = l->free_list;
	l->free_list = lr;
}

static void load_arrival(struct sim_engine *eng, void *data)
{
	struct sim_disk_load *l = data;
	struct load_request *lr;
	gsl_rng *r = l->rng;
	enum sim_req_op op = SIM_REQ_OP_READ;
	uint64_t size, offset;

	if (l->max_backlog && l->issued - l->completed >= l->max_backlog) {
		/* Before any draw: a run that never gets here is unchanged. */
		l->error = g_strdup_printf(
			"open-loop disk load on '%s': backlog exceeded %" G_GUINT64_FORMAT
			" requests at %.3f ms of simulated time (arrival rate above "
			"service rate?)", l->disk->name, l->max_backlog,
			(double)sim_now(eng) / 1e6);
		sim_stop(eng);
		return;
	}
	lr = load_get(l);
	if (l->read_fraction < 1 &&
	    (l->read_fraction <= 0 || sim_rng_uniform(r) >= l->read_fraction))
		op = SIM_REQ_OP_WRITE;
	if (l->size) {
		double s = sim_dist_sample(l->size, r);

		size = s >= 1 ? (uint64_t)sim_llround(s) : 1;
	} else {
		size = l->fixed_size;
	}
	if (size > l->span)
		size = l->span;

	if (l->pattern == SIM_DISK_PATTERN_RANDOM) {
		uint64_t slots = l->size ? (l->span - size) / l->align + 1 : l->fixed_slots;

		offset = l->start + l->align * load_uniform(r, slots);
	} else {
		if (l->cursor + size > l->span)
			l->cursor = 0;
		offset = l->start + l->cursor;
		l->cursor += size;
	}

	sim_disk_request_init(&lr->rq, op, offset, size, load_done, lr);
	lr->rq.blkcg = l->blkcg;
	l->issued++;
	if (l->max_requests == 0 || l->issued < l->max_requests)
		l->arrival = sim_schedule(eng, sim_dist_sample_ns(l->interarrival, r),
					  load_arrival, l);
	sim_disk_submit(l->disk, &lr->rq);
}

struct sim_disk_load *sim_disk_load_start(struct sim_engine *eng,
					  struct sim_disk *disk,
					  const struct sim_disk_load_params *p,
					  GError **error)
{
	uint64_t span = p->span;
	struct sim_disk_load *l;

	if (!p->interarrival) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "disk load on '%s': an inter-arrival distribution is required",
			    disk->name);
		return NULL;
	}
	if (p->start >= disk->capacity) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "disk load on '%s': start must lie below the capacity",
			    disk->name);
		return NULL;
	}
	if (span == 0 || span > disk->capacity - p->start)
		span = disk->capacity - p->start;
	if (p->align < 1 || (!p->size && p->fixed_size < 1) ||
	    !(p->read_fraction >= 0 && p->read_fraction <= 1)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
			    "disk load on '%s': align and size must be at least 1, "
			    "read_fraction in [0, 1]", disk->name);
		return NULL;
	}

	l = g_new0(struct sim_disk_load, 1);
	l->eng = eng;
	l->disk = disk;
	if (p->stream) {
		l->rng = sim_rng(eng, p->stream);
	} else {
		g_autofree char *stream = g_strconcat(disk->name, ".load", NULL);

		l->rng = sim_rng(eng, stream);
	}
	/* load_uniform() takes 32 random bits per gsl_rng_get(). */
	g_assert(gsl_rng_min(l->rng) == 0 && gsl_rng_max(l->rng) == 0xffffffffUL);
	l->interarrival = sim_dist_copy(p->interarrival);
	l->size = p->size ? sim_dist_copy(p->size) : NULL;
	l->fixed_size = p->fixed_size;
	l->pattern = p->pattern;
	l->start = p->start;
	l->span = span;
	l->align = p->align;
	/* The size load_arrival() takes without a distribution, and its
	 * slots: a division per request less. */
	l->fixed_slots = (span - MIN(p->fixed_size, span)) / p->align + 1;
	l->read_fraction = p->read_fraction;
	l->max_requests = p->max_requests;
	l->max_backlog = p->max_backlog;
	l->done = p->done;
	l->done_data = p->done_data;
	l->blkcg = p->blkcg;
	l->slabs = g_ptr_array_new_with_free_func(g_free);
	l->arrival = sim_schedule(eng, sim_dist_sample_ns(l->interarrival, l->rng),
				  load_arrival, l);
	return l;
}

void sim_disk_load_stop(struct sim_disk_load *l)
{
	sim_cancel(l->eng, &l->arrival);
}

uint64_t sim_disk_load_issued(const struct sim_disk_load *l)
{
	return l->issued;
}

uint64_t sim_disk_load_completed(const struct sim_disk_load *l)
{
	return l->completed;
}

const char *sim_disk_load_error(const struct sim_disk_load *l)
{
	return l->error;
}

void sim_disk_load_free(struct sim_disk_load *l)
{
	if (!l)
		return;
	sim_cancel(l->eng, &l->arrival);
	sim_dist_free(l->interarrival);
	sim_dist_free(l->size);
	g_ptr_array_free(l->slabs, TRUE);
	g_free(l->error);
	g_free(l);
}
