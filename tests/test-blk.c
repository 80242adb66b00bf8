/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Block-layer tests (sim/kernel/disk.h, "tags" and "cgroups"): a submitter
 * that finds no free tag sleeps until a completion, in FIFO order; io.max
 * queues over-budget requests without putting their submitter to sleep and
 * holds a cgroup to its rate; io.latency halves the in-flight depth of a
 * cgroup below one that misses its target, down to 1, and its submitters
 * sleep at that depth; a cgroup whose target is met is not throttled.
 * Deterministic cases use const() service times and exact nanoseconds.
 */
#include "config.h"

#include <limits.h>
#include <math.h>

#include "sim/kernel/disk.h"
#include "sim/core/engine.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"

#define SEED 20261202

static struct sim_dist *dist(const char *text)
{
	g_autoptr(GError) error = NULL;
	struct sim_dist *d = sim_dist_parse(text, SIM_UNIT_TIME, &error);

	g_assert_no_error(error);
	return d;
}

/* Depth @depth, const(@setup) service, no transfer term, fifo, no merging. */
static struct sim_disk *make_disk(struct sim_engine *eng, const char *setup,
				  unsigned int depth, unsigned int nr_requests)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_dist) s = dist(setup);
	struct sim_disk_params p;
	struct sim_disk *disk;

	g_assert_true(sim_disk_params_init(&p, "ssd", NULL));
	p.setup = s;
	p.depth = depth;
	p.sched = SIM_DISK_SCHED_FIFO;
	p.merge = false;
	p.bandwidth = 0;
	p.nr_requests = nr_requests;
	disk = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);
	return disk;
}

/* ---- tags ------------------------------------------------------------- */

struct tag_case {
	struct sim_disk *disk;
	unsigned int next;		/* submission order */
	sim_time_t in[4];		/* when each submitter got in */
	sim_time_t took[4];		/* its response time */
};

static void tag_task(struct sim_task *t, void *arg)
{
	struct tag_case *c = arg;
	unsigned int me = c->next++;
	/* Submitters 0..3 at 0, 1, 2, 3 ns. */
	sim_sleep(t, me);
	c->took[me] = sim_disk_io_sync(t, c->disk, SIM_REQ_OP_READ,
				       (uint64_t)me << 20, 4096);
}

/*
 * Two tags, one slot of 100 us: submitters 0 and 1 get tags at once, 2
 * and 3 sleep; when 0 completes (100 us) 2 gets its tag, when 1 completes
 * (200 us) 3 does.  Response times: 100, 200, 300, 400 us less the
 * submission offsets; two tag waits of 100 us - 2 ns and 200 us - 3 ns.
 */
static void test_tags_fifo(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	struct tag_case c = { 0 };
	struct sim_stats *st = sim_engine_stats(eng);

	c.disk = make_disk(eng, "const(100us)", 1, 2);
	g_assert_cmpuint(sim_disk_nr_requests(c.disk), ==, 2);
	for (int i = 0; i < 4; i++)
		sim_task_spawn(eng, "submitter", tag_task, &c);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpint(c.took[0], ==, 100000);
	g_assert_cmpint(c.took[1], ==, 200000 - 1);
	g_assert_cmpint(c.took[2], ==, 300000 - 2);
	g_assert_cmpint(c.took[3], ==, 400000 - 3);
	g_assert_cmpuint(*sim_stats_counter(st, "disk", "tagWaits"), ==, 2);
	g_assert_cmpuint(sim_hist_count(sim_stats_hist(st, "disk", "tagWait")), ==, 2);
	g_assert_cmpuint(sim_hist_max(sim_stats_hist(st, "disk", "tagWait")), ==, 200000 - 3);
	/* The tags as a lock class: 4 taken, 2 after a wait; each held from
	 * its grant to its completion: 100 us, 200 us - 1 ns, 200 us, 200 us. */
	g_assert_cmpuint(*sim_stats_counter(st, "disk.tags", "acquisitions"), ==, 4);
	g_assert_cmpuint(*sim_stats_counter(st, "disk.tags", "contentions"), ==, 2);
	g_assert_cmpfloat(sim_hist_sum(sim_stats_hist(st, "disk.tags", "waitTime")), ==,
			  (100000 - 2) + (200000 - 3));
	g_assert_cmpuint(sim_hist_count(sim_stats_hist(st, "disk.tags", "holdTime")), ==, 4);
	g_assert_cmpfloat(sim_hist_sum(sim_stats_hist(st, "disk.tags", "holdTime")), ==,
			  100000 + (200000 - 1) + 200000 + 200000);
	g_assert_cmpuint(sim_hist_min(sim_stats_hist(st, "disk.tags", "holdTime")), ==, 100000);
	sim_disk_free(c.disk);
}

/* The default tag set: max(2 x depth, 256); no tag wait is registered
 * while nothing waits. */
static void test_tags_default(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	struct sim_disk *a = make_disk(eng, "const(1us)", 32, 0);
	struct sim_disk_params p;
	g_autoptr(GError) error = NULL;
	struct sim_disk *b;

	g_assert_cmpuint(sim_disk_nr_requests(a), ==, 256);
	g_assert_true(sim_disk_params_init(&p, "ssd", NULL));
	p.name = "deep";
	p.depth = 1024;
	b = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(sim_disk_nr_requests(b), ==, 2048);
	g_assert_false(sim_disk_submit_would_wait(a, NULL));
	sim_disk_free(a);
	sim_disk_free(b);
}

/* ---- io.max --------------------------------------------------------- */

/*
 * An open-loop load of 4 KiB reads at 10000/s (40 MB/s) in a cgroup
 * with io.max 4 MB/s, for 1 s, on a fast disk: what gets through is the
 * rate times the time plus the bucket's first slice (20 ms on an ssd:
 * 80 KB), within two requests (one may be in service at the end).  A second cgroup with no limit beside it
 * is not throttled.
 */
static void test_io_max_rate(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	struct sim_disk *disk = make_disk(eng, "const(10us)", 32, 0);
	struct sim_blkcg *low = sim_disk_blkcg_new(disk, "low", 4e6, 0, 0);
	struct sim_blkcg *free_cg = sim_disk_blkcg_new(disk, "free", 0, 0, 0);
	g_autoptr(sim_dist) ia = dist("const(100us)");
	struct sim_disk_load_params lp;
	struct sim_disk_load *l1, *l2;
	struct sim_stats *st = sim_engine_stats(eng);
	g_autoptr(GError) error = NULL;
	double done;

	sim_disk_load_params_init(&lp);
	lp.interarrival = ia;
	lp.blkcg = low;
	lp.stream = "l1";
	l1 = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);
	lp.blkcg = free_cg;
	lp.stream = "l2";
	l2 = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);
	sim_set_time_limit(eng, 1 * NSEC_PER_SEC);
	sim_run(eng);
	done = (double)sim_disk_load_completed(l1) * 4096;
	g_assert_cmpfloat(fabs(done - (4e6 + 4e6 * 0.020)), <=, 2 * 4096);
	g_assert_cmpuint(sim_disk_load_completed(l2), >=, 9999);
	g_assert_cmpuint(*sim_stats_counter(st, "blkcg.free", "throttled"), ==, 0);
	g_assert_cmpuint(*sim_stats_counter(st, "blkcg.low", "throttled"), >, 9000);
	/* The submitter of an io.max-queued request does not sleep. */
	g_assert_false(sim_disk_submit_would_wait(disk, low));
	sim_disk_load_free(l1);
	sim_disk_load_free(l2);
	sim_disk_free(disk);
}

/* ---- io.latency ------------------------------------------------------ */

struct lat_case {
	struct sim_disk *disk;
	struct sim_blkcg *cg;
	unsigned int max_inflight;
	uint64_t ios;
};

struct lat_io {
	struct sim_disk_request rq;
	struct sim_task *t;
	bool done;
};

static void lat_done(struct sim_disk_request *rq, void *data)
{
	struct lat_io *io = data;

	io->done = true;
	sim_wake(io->t);
}

/* A closed-loop reader of cgroup cg: submit, wait for the completion,
 * again. */
static void lat_task(struct sim_task *t, void *arg)
{
	struct lat_case *c = arg;

	for (;;) {
		struct lat_io io = { .t = t };

		sim_disk_request_init(&io.rq, SIM_REQ_OP_READ, (c->ios++ % 1024) << 20, 4096,
				      lat_done, &io);
		io.rq.blkcg = c->cg;
		sim_disk_submit_task(t, c->disk, &io.rq);
		if (sim_blkcg_inflight(c->cg) > c->max_inflight)
			c->max_inflight = sim_blkcg_inflight(c->cg);
		while (!io.done)
			sim_block(t);
	}
}

/*
 * "main" has a 1 us target that a 100 us disk always misses; "low" (no
 * target) runs 16 submitters.  Every 100 ms window of main halves low's
 * depth: 256 -> 128 -> ... -> 1 after 8 windows; from then on low has at
 * most 1 request in flight and its submitters sleep (latencyWaits).  With
 * a 1 s target, met, low is never throttled.
 */
static void test_io_latency(void)
{
	for (int met = 0; met <= 1; met++) {
		g_autoptr(sim_engine) eng = sim_engine_new(SEED);
		struct sim_disk *disk = make_disk(eng, "const(100us)", 32, 0);
		struct sim_blkcg *main_cg = sim_disk_blkcg_new(disk, "main", 0, 0,
							      met ? NSEC_PER_SEC : 1000);
		struct lat_case c = { .disk = disk };
		g_autoptr(sim_dist) ia = dist("const(1ms)");
		struct sim_disk_load_params lp;
		struct sim_disk_load *l;
		struct sim_stats *st = sim_engine_stats(eng);
		g_autoptr(GError) error = NULL;

		c.cg = sim_disk_blkcg_new(disk, "low", 0, 0, 0);
		sim_disk_load_params_init(&lp);
		lp.interarrival = ia;
		lp.blkcg = main_cg;
		l = sim_disk_load_start(eng, disk, &lp, &error);
		g_assert_no_error(error);
		for (int i = 0; i < 16; i++)
			sim_task_set_daemon(sim_task_spawn(eng, "low", lat_task, &c), true);
		sim_set_time_limit(eng, 1 * NSEC_PER_SEC);
		sim_run(eng);
		if (met) {
			g_assert_cmpuint(sim_blkcg_max_depth(c.cg), ==, UINT_MAX);
			g_assert_cmpuint(*sim_stats_counter(st, "blkcg.low", "latencyWaits"), ==, 0);
			g_assert_cmpuint(*sim_stats_counter(st, "blkcg.main", "missed"), ==, 0);
		} else {
			g_assert_cmpuint(sim_blkcg_max_depth(c.cg), ==, 1);
			g_assert_cmpfloat(*sim_stats_scalar(st, "blkcg.low", "maxDepth:min"), ==, 1);
			g_assert_cmpuint(*sim_stats_counter(st, "blkcg.main", "missed"), >=, 8);
			g_assert_cmpuint(*sim_stats_counter(st, "blkcg.low", "latencyWaits"), >, 100);
			g_assert_cmpuint(sim_blkcg_inflight(c.cg), <=, 1);
		}
		g_assert_cmpuint(c.max_inflight, <=, 16);
		sim_disk_load_free(l);
		sim_disk_free(disk);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/blk/tags/fifo", test_tags_fifo);
	g_test_add_func("/blk/tags/default", test_tags_default);
	g_test_add_func("/blk/io-max/rate", test_io_max_rate);
	g_test_add_func("/blk/io-latency/halve-to-1", test_io_latency);
	return g_test_run();
}
