/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The disk: a block device with a block-layer queue, an I/O scheduler and
 * a number of service slots.
 *
 * What is modelled.  A request (read or write, a byte offset and a size)
 * is submitted with sim_disk_submit() and completes later, in an event
 * handler that calls its ->done callback.  Between the two:
 *
 *   queue     Submitted requests wait in the block-layer queue until the
 *             scheduler dispatches them.
 *   tags      A request that does not merge needs a tag, as blk-mq's
 *             blk_mq_get_tag(): there are @nr_requests of them (the
 *             scheduler's tag set, q->nr_requests), each held from
 *             submission to completion.  A submitter that finds none sleeps
 *             until a completion frees one; waiters get tags in FIFO order,
 *             and a new submitter queues behind them.  A queued request
 *             absorbed by a neighbour keeps its tag until the merged request
 *             completes (the kernel frees it at the merge).  Measured, only
 *             once it has happened: counter "tagWaits", histogram
 *             "tagWait".
 *   cgroups   A request may belong to a block cgroup (struct sim_blkcg,
 *             sim_disk_blkcg_new(); NULL: the root, unlimited).  On its
 *             way in it passes, in the kernel's order:
 *               io.max      blk-throttle (block/blk-throttle.c), before
 *                           anything else: a budget of bytes and of requests
 *                           per second, per direction.  Modelled as a token
 *                           bucket per direction filled at the limit and
 *                           holding one throttle slice of it (throtl_slice:
 *                           100 ms rotational, 20 ms otherwise, the
 *                           kernel's defaults), full at the start.  A
 *                           request that does not fit, or that finds
 *                           others of its direction throttled, is queued
 *                           FIFO and issued by a timer when the bucket
 *                           allows, as the kernel's throtl dispatch.  The
 *                           submitter does NOT sleep here (the kernel
 *                           queues the bio and returns).  A request larger
 *                           than the bucket goes when the bucket is full.
 *               merge       as below, only with requests of the same cgroup;
 *               io.latency  blk-iolatency (block/blk-iolatency.c, 4.19's
 *                           rule): a cgroup with a latency target measures
 *                           the mean completion latency of its requests
 *                           over a window of 16 x target, clamped to
 *                           [100 ms, 1 s], checked at its completions.  A
 *                           window whose mean exceeds the target halves the
 *                           allowed in-flight depth of every cgroup with a
 *                           larger target or none (from unlimited to
 *                           nr_requests / 2 the first time, never below 1);
 *                           a window that meets it raises theirs by
 *                           nr_requests / 16 + 1, back to unlimited past
 *                           nr_requests.  A request of a cgroup at its depth
 *                           waits (FIFO) until one of the cgroup's requests
 *                           completes: the submitter sleeps there, in
 *                           rq_qos_throttle().  Not modelled: the p90 rule
 *                           of 5.0+ for ssds, use_delay and
 *                           blkcg_maybe_throttle_current() (the delay
 *                           charged at return to user space once the depth
 *                           is 1), hierarchy (every cgroup is a child of
 *                           the root).
 *               tags        as above.
 *             Measured per cgroup (module "blkcg.NAME", registered when
 *             the cgroup is made): counters "requests", "throttled" (io.max
 *             queued), "latencyWaits" (io.latency waits), "windows",
 *             "missed", histograms "throttleWait", "latencyWait",
 *             "latency" (completion latency); scalar "maxDepth:min".
 *   merging   A new request that is contiguous with a queued (not yet
 *             dispatched) request of the same direction joins it, at its
 *             end (back merge) or its front (front merge), as long as the
 *             merged request stays within max_merge_size; a request that
 *             grows until it touches its neighbour in sector order absorbs
 *             that neighbour too.  A merged request is served once and
 *             completes all its members at the same instant, the head
 *             first, then the others in the order they joined.  Only the
 *             nearest neighbours in sector order are looked at.  Plugging
 *             is not modelled: a request that finds a free slot is
 *             dispatched at once and never merges.
 *   depth     The device's queue depth is a number of service slots: at
 *             most @depth requests are dispatched at once, and each one
 *             occupies a slot from dispatch to completion, in parallel with
 *             the others.  With depth 1, an exponential setup and no
 *             bandwidth term the disk is exactly an M/M/1 server under
 *             Poisson arrivals (FIFO); with depth c it is an M/M/c one.
 *   service   The time a request holds its slot:
 *
 *                 setup + [seek + rotation] + len / bandwidth
 *
 *             setup is drawn from a distribution (the disk's random stream,
 *             named after the disk: "disk" by default); bandwidth 0 means no
 *             transfer term.  With depth > 1 the transfers share the one
 *             data channel of the device: they go through it one at a time,
 *             first come first served in order of setup completion, at
 *             @bandwidth, so that 32 slots do not make 32 times the
 *             bandwidth.  With depth 1 this makes no difference.
 *   hdd       A rotational disk serves one request at a time (depth 1) and
 *             keeps a head position: the end of the last request served.  A
 *             request that starts exactly there streams on (no seek, no
 *             rotational latency); any other pays
 *
 *                 seek = seek_min + (seek_max - seek_min) * sqrt(d / capacity)
 *
 *             for a distance of d bytes (d / capacity clamped to 1: the
 *             square-root law of short seeks dominated by the arm's
 *             acceleration), plus a rotational latency drawn from a
 *             distribution (uniform over one revolution by default).
 *   fifo      Dispatch in arrival order, reads and writes alike.
 *   deadline  In the spirit of mq-deadline (block/mq-deadline.c): reads
 *             and writes have separate FIFO lists, each request an expiry
 *             time (submit + read_expire or write_expire), and sector-
 *             sorted lists.  The next request is, in this order:
 *               1. a request past its expiry: the one that expired first
 *                  (the kernel checks expiry only when it starts a batch,
 *                  and lets reads starve an expired write writes_starved
 *                  more times: here an expired request always goes next);
 *               2. the next request in sector order (offset >= end of the
 *                  last dispatch) in the direction of the last dispatch,
 *                  while the batch has had fewer than fifo_batch requests;
 *               3. a new batch: reads, unless writes are waiting and reads
 *                  have been preferred writes_starved times in a row; it
 *                  starts at the next request in sector order if the
 *                  direction did not change, else at the head of the FIFO.
 *             The elevator looks up the next request in sector order when
 *             it dispatches (the kernel keeps a pointer set at the last
 *             dispatch).  Priorities, zones and the dispatch list for
 *             requeues are not modelled.
 *
 * Measurements (module: the disk's name, "disk" by default): histograms
 * "responseTime" (submit to completion, one value per request submitted),
 * "queueWait" (submit to dispatch, per request) and "serviceTime" (dispatch
 * to completion, one value per dispatch: merged requests are served once);
 * counters "requests", "reads", "writes", "merges" (requests that joined
 * another instead of being served on their own), "dispatches",
 * "bytesRead", "bytesWritten", all counted at submission.  sim_disk_finish()
 * writes the time averages as scalars.  All times are in ns.
 *
 * Costs: no allocation per request (requests are the caller's, linked
 * intrusively; events come from the engine's pool).  A submission and a
 * completion are O(1) with the fifo scheduler and merging off, otherwise
 * a binary search (O(log q), q: heads queued) and a move of up to q
 * entries of 16 bytes in a sorted array per direction.
 */
#ifndef FAULTSIM_SIM_DISK_H
#define FAULTSIM_SIM_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/core/dist.h"
#include "sim/core/engine.h"
#include "sim/core/list.h"
#include "sim/core/task.h"

struct sim_disk;
typedef struct sim_disk sim_disk;	/* for g_autoptr() */
struct sim_disk_request;

/* Directions, usable as indices (as the kernel's DD_READ, DD_WRITE). */
enum sim_req_op {
	SIM_REQ_OP_READ = 0,
	SIM_REQ_OP_WRITE = 1,
};

enum sim_disk_sched {
	SIM_DISK_SCHED_FIFO,
	SIM_DISK_SCHED_DEADLINE,
};

/*
 * A completion callback, run from the event handler that completes @rq.
 * It may resubmit @rq (to this disk or another), reuse or free it, and
 * submit other requests.  @data is rq->data.
 */
typedef void sim_disk_done_fn(struct sim_disk_request *rq, void *data);

/*
 * A request.  The caller owns it (on a task's stack, in its own
 * structure, in a pool) and keeps it alive from submission until its
 * completion callback has run.  The disk links it intrusively and never
 * allocates or frees it.
 */
struct sim_disk_request {
	/* Set by the submitter (sim_disk_request_init()). */
	enum sim_req_op op;
	uint64_t offset;		/* bytes from the start of the device */
	uint64_t size;			/* bytes, >= 1 */
	sim_disk_done_fn *done;		/* may be NULL */
	void *data;			/* for @done */
	struct sim_blkcg *blkcg;	/* NULL: the root cgroup; set after init */

	/* Set by the disk; valid in @done. */
	sim_time_t submit_time;
	sim_time_t dispatch_time;
	sim_time_t complete_time;

	/* Private to disk.c. */
	struct sim_disk *q;
	struct list_head queuelist;	/* a FIFO list, while queued */
	struct sim_disk_request *bio_next;	/* members merged into a head */
	struct sim_disk_request *bio_tail;
	uint64_t pos, len;		/* the range a head covers */
	uint64_t seq;			/* submission number, on this disk */
	uint64_t fifo_seq;		/* a head's oldest member */
	sim_time_t fifo_time;		/* a head's expiry (deadline) */
	unsigned int nr_bios;		/* members of a head, itself included */
	unsigned int state;
	unsigned int wait;		/* enum rq_wait: where it waits to go in */
	bool has_tag;			/* holds one of the tags */
	bool iolat;			/* counted in its cgroup's in-flight */
	struct sim_task *submitter;	/* sleeping until it goes in, or NULL */
	struct list_head waitlist;	/* on a tag, io.latency or io.max list */
	sim_time_t wait_start;
	sim_time_t issue_time;		/* past io.max: io.latency's start */
	sim_time_t tag_time;		/* when it got its tag (lock_stat) */
};

/* Fill in the submitter's fields of @rq and clear the disk's. */
void sim_disk_request_init(struct sim_disk_request *rq, enum sim_req_op op,
			   uint64_t offset, uint64_t size,
			   sim_disk_done_fn *done, void *data);

/*
 * The parameters of a disk.  Start from sim_disk_params_init(), which sets
 * every field for a profile, then change what you need.  The distributions
 * are copied by sim_disk_new(); NULL means the default of the profile given
 * by @rotational: setup lognormal(80us,0.3) for an ssd, const(50us) for an
 * hdd; rotation uniform(0,8.333333ms) (7200 rpm).
 */
struct sim_disk_params {
	const char *name;		/* module and random stream, one per disk;
					 * NULL: "disk" */
	unsigned int depth;		/* service slots, >= 1 */
	enum sim_disk_sched sched;
	const struct sim_dist *setup;	/* setup latency, ns */
	double bandwidth;		/* bytes per second; 0: no transfer term */
	uint64_t capacity;		/* bytes, >= 1: seek scale, load offsets */
	bool rotational;		/* hdd: head position, seeks, rotation */
	sim_time_t seek_min;		/* the shortest seek */
	sim_time_t seek_max;		/* a full stroke (distance = capacity) */
	const struct sim_dist *rotation;	/* rotational latency, ns */
	bool merge;			/* merge contiguous queued requests */
	uint64_t max_merge_size;	/* bytes; 0: no limit */
	sim_time_t read_expire;		/* deadline */
	sim_time_t write_expire;	/* deadline */
	unsigned int writes_starved;	/* deadline: read batches before a write one */
	unsigned int fifo_batch;	/* deadline: requests per batch, >= 1 */
	unsigned int nr_requests;	/* tags; 0: the default, 2 x depth, at
					 * least 256 (see sim_disk_params_init) */
	sim_time_t sample_interval;	/* queue-length time series; 0: none */
};

/*
 * Defaults for @profile, "ssd" or "hdd" (NULL: "ssd"); an unknown name is
 * SIM_ERROR_UNKNOWN, listing the accepted ones.
 *   ssd: depth 32, deadline, 2e9 B/s, 1 TiB, no seek, merging up to 512 KiB
 *   hdd: depth 1, deadline, 200e6 B/s, 1 TiB, seek 1 ms .. 15 ms, 7200 rpm
 * Both: read_expire 500 ms, write_expire 5 s, writes_starved 2,
 * fifo_batch 16 (mq-deadline's), no time series, nr_requests 0.
 * nr_requests 0 means max(2 x depth, 256): the kernel gives a queue with
 * an I/O scheduler 2 x min(hardware queue depth, 128) requests, so 256 for
 * deep NVMe queues; the model's depth is its service slots (1 for an hdd,
 * whose real NCQ depth is 31 or 32), so the floor of 256 stands for a
 * deep tag set and no shipped scenario waits for a tag unless it sets
 * disk.nr_requests.
 */
gboolean sim_disk_params_init(struct sim_disk_params *p, const char *profile,
			      GError **error);
/* The accepted profile names, NULL-terminated. */
const char *const *sim_disk_profile_names(void);

/* "fifo" or "deadline" to the enum; SIM_ERROR_UNKNOWN otherwise. */
gboolean sim_disk_sched_from_name(const char *name, enum sim_disk_sched *sched,
				  GError **error);
const char *sim_disk_sched_name(enum sim_disk_sched sched);

/* Create a disk; SIM_ERROR_RANGE (naming the field) for bad parameters. */
struct sim_disk *sim_disk_new(struct sim_engine *eng,
			      const struct sim_disk_params *p, GError **error);
/* Free @disk (NULL allowed).  Requests still queued or in service are
 * abandoned, not touched: free the disk when the engine will not run them. */
void sim_disk_free(struct sim_disk *disk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_disk, sim_disk_free)

/* Submit @rq (initialised, not in flight).  Never completes it before
 * returning: the completion is always a later event. */
void sim_disk_submit(struct sim_disk *disk, struct sim_disk_request *rq);

/*
 * Submit @rq from task @t, which sleeps while the request waits for a tag
 * or an io.latency slot (not while it is queued by io.max: see "cgroups"
 * above).  Returns when the request has gone in (it may have completed).
 */
void sim_disk_submit_task(struct sim_task *t, struct sim_disk *disk,
			  struct sim_disk_request *rq);
/* Whether a request of @blkcg submitted now would have to wait for a tag
 * or an io.latency slot (so that its submitter would sleep). */
bool sim_disk_submit_would_wait(const struct sim_disk *disk,
				const struct sim_blkcg *blkcg);

/*
 * Block cgroups of a disk.  sim_disk_blkcg_new() makes cgroup @name on
 * @disk (freed with it) with io.max limits @bps (bytes per second) and
 * @iops (requests per second) for each direction, 0 for none, and an
 * io.latency target (ns, 0 for none).
 */
struct sim_blkcg;
struct sim_blkcg *sim_disk_blkcg_new(struct sim_disk *disk, const char *name,
				     double bps, double iops, sim_time_t latency_target);
/* Its io.latency depth now (UINT_MAX: unlimited) and requests in flight. */
unsigned int sim_blkcg_max_depth(const struct sim_blkcg *blkcg);
unsigned int sim_blkcg_inflight(const struct sim_blkcg *blkcg);
unsigned int sim_disk_nr_requests(const struct sim_disk *disk);

/* Submit a request from task @t and block @t until it completes; returns
 * the response time in ns (sim_disk_submit_task(), then the wait). */
sim_time_t sim_disk_io_sync(struct sim_task *t, struct sim_disk *disk,
			    enum sim_req_op op, uint64_t offset, uint64_t size);
static inline sim_time_t sim_disk_read_sync(struct sim_task *t, struct sim_disk *disk,
					    uint64_t offset, uint64_t size)
{
	return sim_disk_io_sync(t, disk, SIM_REQ_OP_READ, offset, size);
}
static inline sim_time_t sim_disk_write_sync(struct sim_task *t, struct sim_disk *disk,
					     uint64_t offset, uint64_t size)
{
	return sim_disk_io_sync(t, disk, SIM_REQ_OP_WRITE, offset, size);
}

/* Occupancy now: requests submitted and not completed, submitted and not
 * dispatched (merged ones included), and busy slots. */
unsigned int sim_disk_nr_in_system(const struct sim_disk *disk);
unsigned int sim_disk_nr_waiting(const struct sim_disk *disk);
unsigned int sim_disk_nr_busy(const struct sim_disk *disk);
const char *sim_disk_name(const struct sim_disk *disk);
unsigned int sim_disk_depth(const struct sim_disk *disk);

/*
 * Write the scalars of the interval since creation (or the last
 * sim_disk_reset_stats()) up to now: "queueLength:mean" and
 * "queueLength:max" (requests in the system, time-average and maximum),
 * "queueWaiting:mean" and "queueWaiting:max" (requests waiting for a slot),
 * "busySlots:mean", "utilization" (busySlots:mean / depth), "arrivalRate"
 * and "throughput" (requests submitted and completed per simulated
 * second).  May be called any number of times; each call overwrites.
 */
void sim_disk_finish(struct sim_disk *disk);
/* Start a new measurement interval now (after a warm-up): the disk's
 * histograms and counters are emptied and its time averages restart.  The
 * time series is kept. */
void sim_disk_reset_stats(struct sim_disk *disk);

/* One point of the queue-length time series. */
struct sim_disk_sample {
	sim_time_t time;
	unsigned int in_system;		/* just before any change at @time */
	unsigned int waiting;
};
/*
 * The time series: samples at creation + k * sample_interval (k >= 1) up
 * to the last change or sim_disk_finish(), as an array of struct
 * sim_disk_sample owned by the disk; NULL if sample_interval is 0.  Taken
 * without events: a change of the queue fills in the samples it passed.
 */
const GArray *sim_disk_samples(const struct sim_disk *disk);

/*
 * Open-loop load: requests arrive one by one, without a task per request,
 * with inter-arrival times from @interarrival (exp() makes Poisson
 * arrivals).  Requests come from a free list owned by the load and are
 * recycled at completion.  Offsets lie in [start, start + span) (span 0:
 * up to the disk's capacity): random ones are uniform and aligned to
 * @align, sequential ones follow each other, wrapping around.  Random
 * draws use the stream @stream, "<disk name>.load" by default.
 */
enum sim_disk_pattern {
	SIM_DISK_PATTERN_RANDOM,
	SIM_DISK_PATTERN_SEQUENTIAL,
};

struct sim_disk_load_params {
	const struct sim_dist *interarrival;	/* ns; required; copied */
	const struct sim_dist *size;		/* bytes; NULL: @fixed_size; copied */
	uint64_t fixed_size;			/* bytes, >= 1 */
	enum sim_disk_pattern pattern;
	uint64_t start, span;			/* bytes */
	uint64_t align;				/* bytes, >= 1 */
	double read_fraction;			/* in [0, 1] */
	uint64_t max_requests;			/* arrivals; 0: no limit */
	uint64_t max_backlog;			/* requests in the disk; 0: no limit */
	const char *stream;			/* random stream; NULL: "<disk>.load" */
	struct sim_blkcg *blkcg;		/* the requests' cgroup; NULL: root */
	sim_disk_done_fn *done;			/* optional, at each completion */
	void *done_data;
};

/* Defaults: no interarrival (must be set), 4 KiB requests, random offsets
 * over the whole disk aligned to 4 KiB, reads only, no limit, no hook. */
void sim_disk_load_params_init(struct sim_disk_load_params *p);

struct sim_disk_load;
/* Start the load: the first arrival comes one inter-arrival time from now.
 * SIM_ERROR_RANGE for bad parameters. */
struct sim_disk_load *sim_disk_load_start(struct sim_engine *eng,
					  struct sim_disk *disk,
					  const struct sim_disk_load_params *p,
					  GError **error);
/* No more arrivals from now on (requests in flight still complete). */
void sim_disk_load_stop(struct sim_disk_load *load);
/* Requests submitted and completed so far. */
uint64_t sim_disk_load_issued(const struct sim_disk_load *load);
/* Why the load stopped the run, or NULL: an arrival that found
 * max_backlog requests still in the disk (queued or in service) ends the
 * arrivals and stops the engine (sim_stop()) with this message, so that a
 * load the disk cannot keep up with fails instead of taking all memory. */
const char *sim_disk_load_error(const struct sim_disk_load *load);
uint64_t sim_disk_load_completed(const struct sim_disk_load *load);
/* Free @load (NULL allowed), before its engine.  Its requests in flight
 * live in it: free it once they have completed, or when the engine will
 * not run again. */
void sim_disk_load_free(struct sim_disk_load *load);

#endif /* FAULTSIM_SIM_DISK_H */
