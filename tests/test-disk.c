/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Disk model tests (sim/kernel/disk.h): the queueing results the model must
 * reproduce (M/M/1, M/M/c, Little's law), the scheduling rules (fifo
 * order, deadline's read preference and expiry), merging, the hdd seek
 * model, the shared data channel, synchronous I/O from a task, the
 * queue-length time series, parameter errors and determinism.
 *
 * Every run uses a fixed seed; tolerances on random results are justified
 * where they are asserted.  Deterministic cases use const() service times
 * and compare exact nanoseconds.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sim/kernel/disk.h"
#include "sim/core/engine.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"

#define SEED 20240611

static struct sim_dist *dist(const char *text, enum sim_unit unit)
{
	g_autoptr(GError) error = NULL;
	struct sim_dist *d = sim_dist_parse(text, unit, &error);

	g_assert_no_error(error);
	return d;
}

static double scalar(struct sim_engine *eng, const char *module, const char *name)
{
	return *sim_stats_scalar(sim_engine_stats(eng), module, name);
}

static uint64_t counter(struct sim_engine *eng, const char *module, const char *name)
{
	return *sim_stats_counter(sim_engine_stats(eng), module, name);
}

static struct sim_hist *hist(struct sim_engine *eng, const char *module, const char *name)
{
	return sim_stats_hist(sim_engine_stats(eng), module, name);
}

/* A disk that serves every request in exactly @setup (text) plus len /
 * @bandwidth: the base of the deterministic cases. */
static struct sim_disk *const_disk(struct sim_engine *eng, const char *setup,
				   unsigned int depth, enum sim_disk_sched sched,
				   bool merge, double bandwidth)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_dist) s = dist(setup, SIM_UNIT_TIME);
	struct sim_disk_params p;
	struct sim_disk *disk;

	g_assert_true(sim_disk_params_init(&p, "ssd", NULL));
	p.setup = s;
	p.depth = depth;
	p.sched = sched;
	p.merge = merge;
	p.bandwidth = bandwidth;
	disk = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);
	return disk;
}

/* ---- parameters ------------------------------------------------------- */

static void test_params(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(GError) error = NULL;
	struct sim_disk_params p;
	enum sim_disk_sched sched;
	struct sim_disk *disk;

	g_assert_true(sim_disk_params_init(&p, "ssd", &error));
	g_assert_cmpuint(p.depth, ==, 32);
	g_assert_false(p.rotational);
	g_assert_true(sim_disk_params_init(&p, "hdd", &error));
	g_assert_cmpuint(p.depth, ==, 1);
	g_assert_true(p.rotational);
	g_assert_cmpint(p.seek_max, >, p.seek_min);

	g_assert_false(sim_disk_params_init(&p, "floppy", &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN);
	g_assert_nonnull(strstr(error->message, "floppy"));
	g_assert_nonnull(strstr(error->message, "ssd, hdd"));
	g_clear_error(&error);

	g_assert_true(sim_disk_sched_from_name("deadline", &sched, &error));
	g_assert_cmpint(sched, ==, SIM_DISK_SCHED_DEADLINE);
	g_assert_cmpstr(sim_disk_sched_name(SIM_DISK_SCHED_FIFO), ==, "fifo");
	g_assert_false(sim_disk_sched_from_name("cfq", &sched, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN);
	g_assert_nonnull(strstr(error->message, "fifo, deadline"));
	g_clear_error(&error);

	/* Bad fields are GErrors naming the field. */
	sim_disk_params_init(&p, "ssd", NULL);
	p.depth = 0;
	g_assert_null(sim_disk_new(eng, &p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_assert_nonnull(strstr(error->message, "depth"));
	g_clear_error(&error);

	sim_disk_params_init(&p, "hdd", NULL);
	p.depth = 4;
	g_assert_null(sim_disk_new(eng, &p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);

	sim_disk_params_init(&p, "ssd", NULL);
	p.bandwidth = -1;
	g_assert_null(sim_disk_new(eng, &p, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_assert_nonnull(strstr(error->message, "bandwidth"));
	g_clear_error(&error);

	/* The distributions are copied: the caller's may go at once. */
	sim_disk_params_init(&p, "ssd", NULL);
	p.name = "nvme0";
	{
		g_autoptr(sim_dist) s = dist("const(7us)", SIM_UNIT_TIME);

		p.setup = s;
		disk = sim_disk_new(eng, &p, &error);
		g_assert_no_error(error);
	}
	g_assert_cmpstr(sim_disk_name(disk), ==, "nvme0");
	g_assert_cmpuint(sim_disk_depth(disk), ==, 32);

	struct sim_disk_load_params lp;

	sim_disk_load_params_init(&lp);
	g_assert_null(sim_disk_load_start(eng, disk, &lp, &error));
	g_assert_error(error, SIM_ERROR, SIM_ERROR_RANGE);
	g_clear_error(&error);
	sim_disk_free(disk);
}

/* ---- scripted submissions and a completion log ------------------------ */

struct script_io {
	sim_time_t at;
	enum sim_req_op op;
	uint64_t offset, size;
	const char *name;
	/* filled in */
	struct sim_disk_request rq;
	struct script *s;
};

struct script {
	struct sim_engine *eng;
	struct sim_disk *disk;
	GString *log;
};

static void script_done(struct sim_disk_request *rq, void *data)
{
	struct script_io *io = data;

	g_assert_true(rq == &io->rq);
	g_string_append_printf(io->s->log, "%s@%" G_GINT64_FORMAT " ", io->name,
			       rq->complete_time);
}

static void script_submit(struct sim_engine *eng, void *data)
{
	struct script_io *io = data;

	sim_disk_request_init(&io->rq, io->op, io->offset, io->size, script_done, io);
	sim_disk_submit(io->s->disk, &io->rq);
}

/* Submit @ios at their times, run to the end, return the completion log
 * ("name@time ..."). */
static char *run_script(struct sim_engine *eng, struct sim_disk *disk,
			struct script_io *ios, int n)
{
	struct script s = { eng, disk, g_string_new(NULL) };

	for (int i = 0; i < n; i++) {
		ios[i].s = &s;
		sim_schedule_at(eng, ios[i].at, script_submit, &ios[i]);
	}
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	if (s.log->len)
		g_string_truncate(s.log, s.log->len - 1);
	return g_string_free(s.log, FALSE);
}

#define IO(at_, op_, offset_, size_, name_) \
	{ .at = (at_), .op = (op_), .offset = (offset_), .size = (size_), .name = (name_) }
#define R SIM_REQ_OP_READ
#define W SIM_REQ_OP_WRITE
#define US NSEC_PER_USEC
#define MS NSEC_PER_MSEC
#define MB (UINT64_C(1) << 20)

/* fifo: arrival order, whatever the direction and the offsets. */
static void test_fifo_order(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(sim_disk) disk = const_disk(eng, "const(1ms)", 1, SIM_DISK_SCHED_FIFO,
					      false, 0);
	struct script_io ios[] = {
		IO(0, W, 100 * MB, 4096, "W0"),
		IO(100 * US, R, 90 * MB, 4096, "R1"),
		IO(200 * US, W, 10 * MB, 4096, "W1"),
		IO(300 * US, R, 5 * MB, 4096, "R2"),
		IO(400 * US, W, 50 * MB, 4096, "W2"),
	};
	g_autofree char *log = run_script(eng, disk, ios, G_N_ELEMENTS(ios));

	g_assert_cmpstr(log, ==, "W0@1000000 R1@2000000 W1@3000000 R2@4000000 W2@5000000");
}

/*
 * deadline: W0 is in service; W1 and W2 wait (below W0's end, so the write
 * batch cannot go on in sector order), then R1 arrives.  Reads are
 * preferred: R1 goes next, before the older writes, which then follow in
 * FIFO order, W2 as the next in sector order after W1.
 */
static void test_deadline_read_first(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(sim_disk) disk = const_disk(eng, "const(1ms)", 1, SIM_DISK_SCHED_DEADLINE,
					      false, 0);
	struct script_io ios[] = {
		IO(0, W, 100 * MB, 4096, "W0"),
		IO(100 * US, W, 10 * MB, 4096, "W1"),
		IO(200 * US, W, 20 * MB, 4096, "W2"),
		IO(300 * US, R, 50 * MB, 4096, "R1"),
	};
	g_autofree char *log = run_script(eng, disk, ios, G_N_ELEMENTS(ios));

	g_assert_cmpstr(log, ==, "W0@1000000 R1@2000000 W1@3000000 W2@4000000");
}

/* Reads every 0.5 ms on a disk that serves one per ms: the read queue
 * never empties while they arrive. */
static struct script_io *overload_script(int nr_reads, sim_time_t write_at, int *n)
{
	struct script_io *ios = g_new0(struct script_io, nr_reads + 1);

	for (int i = 0; i < nr_reads; i++) {
		ios[i].at = i * 500 * US;
		ios[i].op = R;
		/* decreasing offsets: no batch goes on in sector order */
		ios[i].offset = (uint64_t)(nr_reads - i) * 10 * MB;
		ios[i].size = 4096;
		ios[i].name = "R";
	}
	ios[nr_reads].at = write_at;
	ios[nr_reads].op = W;
	ios[nr_reads].offset = 1000 * MB;
	ios[nr_reads].size = 4096;
	ios[nr_reads].name = "W";
	*n = nr_reads + 1;
	return ios;
}

/*
 * deadline: a write past its expiry is served next.  writes_starved is set
 * so high that only the expiry can get the write through the stream of
 * reads.  Dispatches happen at whole ms (service const(1ms)); the write
 * arrives at 0.1 ms and expires at 10.1 ms, so it is dispatched at 11 ms,
 * the first dispatch after its expiry, with reads still waiting.  With a
 * long expiry the same write waits for the last read.
 */
static void test_deadline_expired_write(void)
{
	for (int long_expiry = 0; long_expiry <= 1; long_expiry++) {
		g_autoptr(sim_engine) eng = sim_engine_new(SEED);
		g_autoptr(sim_dist) s = dist("const(1ms)", SIM_UNIT_TIME);
		g_autoptr(GError) error = NULL;
		struct sim_disk_params p;
		int n;

		sim_disk_params_init(&p, "ssd", NULL);
		p.setup = s;
		p.depth = 1;
		p.bandwidth = 0;
		p.merge = false;
		p.write_expire = long_expiry ? 10 * NSEC_PER_SEC : 10 * MS;
		p.writes_starved = G_MAXUINT;
		g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
		g_assert_no_error(error);

		g_autofree struct script_io *ios = overload_script(60, 100 * US, &n);
		g_autofree char *log = run_script(eng, disk, ios, n);
		struct sim_disk_request *w = &ios[n - 1].rq;

		if (!long_expiry) {
			g_assert_cmpint(w->dispatch_time, ==, 11 * MS);
			/* reads submitted before 11 ms outnumber those served */
			g_assert_cmpint(w->submit_time, <, w->dispatch_time);
			g_assert_nonnull(strstr(log, "R@11000000 W@12000000 R@13000000"));
		} else {
			sim_time_t last_read = 0;

			for (int i = 0; i < n - 1; i++)
				last_read = MAX(last_read, ios[i].rq.dispatch_time);
			g_assert_cmpint(w->dispatch_time, >, last_read);
			g_assert_true(g_str_has_suffix(log, "W@61000000"));
		}
	}
}

/*
 * Merges: X keeps the disk busy; A and B (reads, B right after A) merge
 * into one service of 8 KiB; C (a gap after A+B) and D (a write right
 * after A+B: the other direction) do not merge.  Service = 1 ms + len ns
 * (bandwidth 1e9 B/s), so A+B take 1 ms + 8192 ns and complete together,
 * A's callback first.
 */
static void test_merge_adjacent(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(sim_disk) disk = const_disk(eng, "const(1ms)", 1, SIM_DISK_SCHED_FIFO,
					      true, 1e9);
	struct script_io ios[] = {
		IO(0, R, 1024 * MB, 4096, "X"),
		IO(1 * US, R, 0, 4096, "A"),
		IO(2 * US, R, 4096, 4096, "B"),
		IO(3 * US, R, 16384, 4096, "C"),
		IO(4 * US, W, 8192, 4096, "D"),
	};
	g_autofree char *log = run_script(eng, disk, ios, G_N_ELEMENTS(ios));
	sim_time_t t1 = 1004096, t2 = t1 + 1008192, t3 = t2 + 1004096, t4 = t3 + 1004096;
	g_autofree char *want = g_strdup_printf(
		"X@%" G_GINT64_FORMAT " A@%" G_GINT64_FORMAT " B@%" G_GINT64_FORMAT
		" C@%" G_GINT64_FORMAT " D@%" G_GINT64_FORMAT, t1, t2, t2, t3, t4);

	g_assert_cmpstr(log, ==, want);
	g_assert_cmpuint(counter(eng, "disk", "merges"), ==, 1);
	g_assert_cmpuint(counter(eng, "disk", "requests"), ==, 5);
	g_assert_cmpuint(counter(eng, "disk", "dispatches"), ==, 4);
	g_assert_cmpuint(sim_hist_count(hist(eng, "disk", "serviceTime")), ==, 4);
	g_assert_cmpuint(sim_hist_count(hist(eng, "disk", "responseTime")), ==, 5);
	g_assert_cmpuint(sim_hist_max(hist(eng, "disk", "serviceTime")), ==, 1008192);
	g_assert_cmpint(ios[1].rq.dispatch_time, ==, ios[2].rq.dispatch_time);
}

/*
 * Front merge and bridging: B ends where A starts (front merge), D fills
 * the gap between A and C, so A+B grows over D and then absorbs C: three
 * merges, one service of 16 KiB, four completions in the order the
 * requests joined (the head A, then B, D, C).  With max_merge_size 8 KiB,
 * B+A and D+C merge, and neither pair can grow into the other.
 */
static void test_merge_front_and_bridge(void)
{
	for (int limited = 0; limited <= 1; limited++) {
		g_autoptr(sim_engine) eng = sim_engine_new(SEED);
		g_autoptr(sim_dist) s = dist("const(1ms)", SIM_UNIT_TIME);
		g_autoptr(GError) error = NULL;
		struct sim_disk_params p;

		sim_disk_params_init(&p, "ssd", NULL);
		p.setup = s;
		p.depth = 1;
		p.bandwidth = 1e9;
		p.max_merge_size = limited ? 8192 : 0;
		g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
		g_assert_no_error(error);

		struct script_io ios[] = {
			IO(0, R, 1024 * MB, 4096, "X"),
			IO(1 * US, R, 8192, 4096, "A"),
			IO(2 * US, R, 4096, 4096, "B"),
			IO(3 * US, R, 16384, 4096, "C"),
			IO(4 * US, R, 12288, 4096, "D"),
		};
		g_autofree char *log = run_script(eng, disk, ios, G_N_ELEMENTS(ios));

		if (!limited) {
			sim_time_t t2 = 1004096 + 1000000 + 16384;
			g_autofree char *want = g_strdup_printf(
				"X@1004096 A@%1$" G_GINT64_FORMAT " B@%1$" G_GINT64_FORMAT
				" D@%1$" G_GINT64_FORMAT " C@%1$" G_GINT64_FORMAT, t2);

			g_assert_cmpstr(log, ==, want);
			g_assert_cmpuint(counter(eng, "disk", "merges"), ==, 3);
			g_assert_cmpuint(counter(eng, "disk", "dispatches"), ==, 2);
		} else {
			g_assert_cmpuint(counter(eng, "disk", "merges"), ==, 2);
			g_assert_cmpuint(counter(eng, "disk", "dispatches"), ==, 3);
			g_assert_cmpuint(sim_hist_max(hist(eng, "disk", "serviceTime")), ==,
					 1008192);
		}
	}
}

/* Every completion: submit <= dispatch <= complete. */
static void check_times(struct sim_disk_request *rq, void *data)
{
	uint64_t *n = data;

	g_assert_cmpint(rq->submit_time, <=, rq->dispatch_time);
	g_assert_cmpint(rq->dispatch_time, <=, rq->complete_time);
	(*n)++;
}

/*
 * Merging under stress: 4 KiB requests at random 4 KiB slots of a 256 KiB
 * region (many neighbours, many duplicates, which overlap and must not
 * merge) plus a sequential stream of 512 B - 8 KiB requests, both
 * directions, on an overloaded depth-1 disk of service 1 us + 1 ns/byte.
 * For each scheduler, with and without a merge limit: every request
 * completes once; merges = requests - dispatches; the service times add up
 * to one setup per dispatch plus every byte exactly once (a merged request
 * transfers its members' bytes, no more, no less); no service exceeds the
 * limit.
 */
static void test_merge_stress(void)
{
	for (int i = 0; i < 4; i++) {
		bool deadline = i & 1, limited = i & 2;
		g_autoptr(sim_engine) eng = sim_engine_new(SEED + i);
		g_autoptr(sim_dist) setup = dist("const(1us)", SIM_UNIT_TIME);
		g_autoptr(sim_dist) ia = dist("exp(3us)", SIM_UNIT_TIME);
		g_autoptr(sim_dist) size = dist("uniform(512B,8KiB)", SIM_UNIT_SIZE);
		g_autoptr(GError) error = NULL;
		struct sim_disk_params p;
		struct sim_disk_load_params lp;
		uint64_t done = 0;

		sim_disk_params_init(&p, "ssd", NULL);
		p.depth = 1;
		p.setup = setup;
		p.bandwidth = 1e9;
		p.sched = deadline ? SIM_DISK_SCHED_DEADLINE : SIM_DISK_SCHED_FIFO;
		p.max_merge_size = limited ? 16384 : 0;
		g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
		g_assert_no_error(error);

		sim_disk_load_params_init(&lp);
		lp.interarrival = ia;
		lp.span = 256 * 1024;
		lp.read_fraction = 0.5;
		lp.max_requests = 30000;
		lp.stream = "random";
		lp.done = check_times;
		lp.done_data = &done;
		struct sim_disk_load *l1 = sim_disk_load_start(eng, disk, &lp, &error);
		g_assert_no_error(error);
		lp.size = size;
		lp.pattern = SIM_DISK_PATTERN_SEQUENTIAL;
		lp.start = 1024 * MB;
		lp.span = 0;
		lp.stream = "sequential";
		struct sim_disk_load *l2 = sim_disk_load_start(eng, disk, &lp, &error);
		g_assert_no_error(error);

		g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);

		uint64_t requests = counter(eng, "disk", "requests");
		uint64_t merges = counter(eng, "disk", "merges");
		uint64_t dispatches = counter(eng, "disk", "dispatches");
		uint64_t bytes = counter(eng, "disk", "bytesRead") +
				 counter(eng, "disk", "bytesWritten");
		struct sim_hist *svc = hist(eng, "disk", "serviceTime");

		g_test_message("%s%s: %" G_GUINT64_FORMAT " merges of %" G_GUINT64_FORMAT,
			       deadline ? "deadline" : "fifo", limited ? " limited" : "",
			       merges, requests);
		g_assert_cmpuint(requests, ==, 60000);
		g_assert_cmpuint(done, ==, requests);
		g_assert_cmpuint(sim_disk_load_completed(l1) + sim_disk_load_completed(l2), ==,
				 requests);
		g_assert_cmpuint(sim_disk_nr_in_system(disk), ==, 0);
		g_assert_cmpuint(merges, >, requests / 10);
		g_assert_cmpuint(merges, ==, requests - dispatches);
		g_assert_cmpuint(sim_hist_count(svc), ==, dispatches);
		g_assert_cmpfloat(sim_hist_sum(svc), ==, (double)(dispatches * 1000 + bytes));
		if (limited)
			g_assert_cmpuint(sim_hist_max(svc), <=, 1000 + 16384);
		sim_disk_load_free(l1);
		sim_disk_load_free(l2);
	}
}

/*
 * Depth 4 without a transfer term: four requests are served in parallel.
 * With one: they share the data channel, one transfer at a time (1 MB at
 * 1e9 B/s = 1 ms each after a setup of 0).
 */
static void test_parallel_and_channel(void)
{
	for (int channel = 0; channel <= 1; channel++) {
		g_autoptr(sim_engine) eng = sim_engine_new(SEED);
		g_autoptr(sim_disk) disk = const_disk(eng, channel ? "const(0)" : "const(1ms)",
						      4, SIM_DISK_SCHED_FIFO, false,
						      channel ? 1e9 : 0);
		struct script_io ios[] = {
			IO(0, R, 0, 1000000, "a"),
			IO(0, R, 10 * MB, 1000000, "b"),
			IO(0, R, 20 * MB, 1000000, "c"),
			IO(0, R, 30 * MB, 1000000, "d"),
			IO(0, R, 40 * MB, 1000000, "e"),
		};
		g_autofree char *log = run_script(eng, disk, ios, G_N_ELEMENTS(ios));

		if (!channel)
			g_assert_cmpstr(log, ==, "a@1000000 b@1000000 c@1000000 "
					"d@1000000 e@2000000");
		else
			g_assert_cmpstr(log, ==, "a@1000000 b@2000000 c@3000000 "
					"d@4000000 e@5000000");
	}
}

static void noop_event(struct sim_engine *eng, void *data)
{
}

/*
 * Time series and time averages: three requests at 0 on a depth-1 disk of
 * const(1ms): 3 in the system during [0,1) ms, 2 in [1,2), 1 in [2,3).
 * Samples every 0.5 ms hold the value just before any change at their
 * instant.  Over [0, 4 ms]: mean in system 6/4, waiting 3/4, busy 3/4.
 */
static void test_samples(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(sim_dist) s = dist("const(1ms)", SIM_UNIT_TIME);
	g_autoptr(GError) error = NULL;
	struct sim_disk_params p;
	static const unsigned int want_sys[] = { 3, 3, 2, 2, 1, 1, 0, 0 };
	static const unsigned int want_wait[] = { 2, 2, 1, 1, 0, 0, 0, 0 };

	sim_disk_params_init(&p, "ssd", NULL);
	p.setup = s;
	p.depth = 1;
	p.bandwidth = 0;
	p.sample_interval = 500 * US;
	g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);

	struct script_io ios[] = {
		IO(0, R, 0, 4096, "a"),
		IO(0, R, 10 * MB, 4096, "b"),
		IO(0, W, 20 * MB, 4096, "c"),
	};
	g_autofree char *log = run_script(eng, disk, ios, G_N_ELEMENTS(ios));

	g_assert_cmpstr(log, ==, "a@1000000 b@2000000 c@3000000");
	sim_schedule_at(eng, 4 * MS, noop_event, NULL);
	sim_run(eng);
	g_assert_cmpint(sim_now(eng), ==, 4 * MS);
	sim_disk_finish(disk);

	const GArray *a = sim_disk_samples(disk);

	g_assert_cmpuint(a->len, ==, G_N_ELEMENTS(want_sys));
	for (guint i = 0; i < a->len; i++) {
		const struct sim_disk_sample *x = &g_array_index(a, struct sim_disk_sample, i);

		g_assert_cmpint(x->time, ==, (sim_time_t)(i + 1) * 500 * US);
		g_assert_cmpuint(x->in_system, ==, want_sys[i]);
		g_assert_cmpuint(x->waiting, ==, want_wait[i]);
	}
	g_assert_cmpfloat(scalar(eng, "disk", "queueLength:mean"), ==, 1.5);
	g_assert_cmpfloat(scalar(eng, "disk", "queueLength:max"), ==, 3);
	g_assert_cmpfloat(scalar(eng, "disk", "queueWaiting:mean"), ==, 0.75);
	g_assert_cmpfloat(scalar(eng, "disk", "queueWaiting:max"), ==, 2);
	g_assert_cmpfloat(scalar(eng, "disk", "utilization"), ==, 0.75);
	g_assert_cmpfloat(scalar(eng, "disk", "throughput"), ==, 750);
	g_assert_cmpfloat(sim_hist_mean(hist(eng, "disk", "queueWait")), ==, 1e6);
}

/* ---- synchronous I/O from a task -------------------------------------- */

struct sync_case {
	struct sim_disk *disk;
	uint64_t cap;
	sim_time_t took[3], blocked[3];
};

static void sync_task(struct sim_task *t, void *arg)
{
	struct sync_case *c = arg;
	struct sim_engine *eng = sim_task_engine(t);
	uint64_t off = c->cap / 4;
	sim_time_t t0;

	sim_sleep(t, 1 * MS);
	t0 = sim_now(eng);
	c->took[0] = sim_disk_read_sync(t, c->disk, off, 4096);
	c->blocked[0] = sim_now(eng) - t0;
	t0 = sim_now(eng);
	c->took[1] = sim_disk_read_sync(t, c->disk, off + 4096, 4096);
	c->blocked[1] = sim_now(eng) - t0;
	t0 = sim_now(eng);
	c->took[2] = sim_disk_write_sync(t, c->disk, 0, 8192);
	c->blocked[2] = sim_now(eng) - t0;
}

/*
 * An idle disk blocks the task for exactly the service time.  ssd: setup
 * const(100us) + 4096 B at 1e9 B/s.  hdd (head at 0, capacity C): a read at
 * C/4 seeks 1 ms + 14 ms * sqrt(1/4) = 8 ms, waits a rotation of const(2ms),
 * sets up in const(50us) and transfers 4096 B at 200e6 B/s (20480 ns); the
 * next read streams on (no seek, no rotation); the write at 0 seeks back.
 */
static void test_sync(void)
{
	for (int hdd = 0; hdd <= 1; hdd++) {
		g_autoptr(sim_engine) eng = sim_engine_new(SEED);
		g_autoptr(GError) error = NULL;
		g_autoptr(sim_dist) setup = dist(hdd ? "const(50us)" : "const(100us)",
						 SIM_UNIT_TIME);
		g_autoptr(sim_dist) rot = dist("const(2ms)", SIM_UNIT_TIME);
		struct sim_disk_params p;
		struct sync_case c = { 0 };

		sim_disk_params_init(&p, hdd ? "hdd" : "ssd", NULL);
		p.setup = setup;
		p.rotation = rot;
		if (!hdd)
			p.bandwidth = 1e9;
		c.disk = sim_disk_new(eng, &p, &error);
		g_assert_no_error(error);
		c.cap = p.capacity;
		sim_task_spawn(eng, "reader", sync_task, &c);
		g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);

		sim_time_t want[3];

		if (!hdd) {
			want[0] = want[1] = 100000 + 4096;
			want[2] = 100000 + 8192;
		} else {
			double seek_back = 1e6 + 14e6 * sqrt((double)(c.cap / 4 + 8192) / (double)c.cap);

			want[0] = 50000 + 8000000 + 2000000 + 20480;
			want[1] = 50000 + 20480;
			want[2] = llround(50000 + seek_back + 2e6 + 40960);
		}
		for (int i = 0; i < 3; i++) {
			g_assert_cmpint(c.took[i], ==, want[i]);
			g_assert_cmpint(c.blocked[i], ==, want[i]);
		}
		sim_disk_free(c.disk);
	}
}

/* ---- queueing theory --------------------------------------------------- */

/* Batch means of the response times, in completion order. */
#define NR_BATCHES 50

struct batches {
	uint64_t per_batch, n;
	double sum, means[NR_BATCHES];
	int filled;
};

static void batch_done(struct sim_disk_request *rq, void *data)
{
	struct batches *b = data;

	if (b->filled == NR_BATCHES)
		return;
	b->sum += (double)(rq->complete_time - rq->submit_time);
	if (++b->n == b->per_batch) {
		b->means[b->filled++] = b->sum / (double)b->n;
		b->sum = 0;
		b->n = 0;
	}
}

/* Relative standard error of the grand mean from the batch means. */
static double batch_rel_se(const struct batches *b)
{
	double m = 0, v = 0;

	for (int i = 0; i < NR_BATCHES; i++)
		m += b->means[i];
	m /= NR_BATCHES;
	for (int i = 0; i < NR_BATCHES; i++)
		v += (b->means[i] - m) * (b->means[i] - m);
	v /= NR_BATCHES - 1;
	return sqrt(v / NR_BATCHES) / m;
}

struct queue_run {
	double w, l, lambda, util, rel_se;
};

/*
 * Depth @c, fifo, no merging, no transfer term, setup exp(1/mu): an M/M/c
 * server fed by Poisson arrivals at rate lambda = rho * c * mu, for @n
 * requests, run until empty.
 */
static struct queue_run run_mmc(unsigned int c, double rho, uint64_t n)
{
	const double mean_service = 1e6;	/* 1 ms in ns */
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(sim_dist) setup = sim_dist_new_exp(mean_service);
	g_autoptr(sim_dist) ia = sim_dist_new_exp(mean_service / (rho * c));
	g_autoptr(GError) error = NULL;
	struct sim_disk_params p;
	struct sim_disk_load_params lp;
	struct batches b = { .per_batch = n / NR_BATCHES };
	struct queue_run out;

	sim_disk_params_init(&p, "ssd", NULL);
	p.depth = c;
	p.sched = SIM_DISK_SCHED_FIFO;
	p.setup = setup;
	p.bandwidth = 0;
	p.merge = false;
	g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);

	sim_disk_load_params_init(&lp);
	lp.interarrival = ia;
	lp.max_requests = n;
	lp.done = batch_done;
	lp.done_data = &b;
	struct sim_disk_load *load = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);

	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_EMPTY);
	g_assert_cmpuint(sim_disk_load_completed(load), ==, n);
	sim_disk_finish(disk);
	g_assert_cmpint(b.filled, ==, NR_BATCHES);

	out.w = sim_hist_mean(hist(eng, "disk", "responseTime")) / mean_service;
	out.l = scalar(eng, "disk", "queueLength:mean");
	out.lambda = scalar(eng, "disk", "arrivalRate") * mean_service / 1e9;
	out.util = scalar(eng, "disk", "utilization");
	out.rel_se = batch_rel_se(&b);
	g_assert_cmpuint(counter(eng, "disk", "merges"), ==, 0);
	sim_disk_load_free(load);
	return out;
}

/*
 * M/M/1 at rho = 0.5 and 0.8 (mu = 1 per ms): W = 1 / (mu - lambda) and
 * L = rho / (1 - rho), within 2%.
 *
 * Why 2% is a safe bound for the run lengths used.  The time average of the
 * number in an M/M/1 system over a time T (in units of 1/mu) has variance
 * about 2 rho (1 + rho) / ((1 - rho)^4 T) (Whitt, "Planning queueing
 * simulations", 1989).  Dividing by L^2 and taking T = n / rho for n
 * customers, the relative standard error of L (and, through Little's law,
 * of W) is about sqrt(2 (1 + rho) / n) / (1 - rho): 0.35% for rho = 0.5
 * with n = 1e6 and 0.38% for rho = 0.8 with n = 6e6.  2% is then more than
 * 5 standard errors.  The test also estimates the standard error of W
 * directly from 50 batch means (batches of 20 000+ customers, far longer
 * than the correlation time, about 1 / (mu (1 - sqrt rho)^2) = 90 service
 * times at rho = 0.8) and asserts that 2% is at least 4 of them, so that
 * the tolerance cannot silently become too tight for the run length.
 */
static void test_mm1(gconstpointer data)
{
	double rho = *(const double *)data;
	uint64_t n = rho < 0.6 ? 1000000 : 6000000;
	struct queue_run r = run_mmc(1, rho, n);
	double w = 1 / (1 - rho), l = rho / (1 - rho);

	g_test_message("rho %.2f: W %.4f (theory %.4f), L %.4f (theory %.4f), "
		       "batch-means relative SE of W %.4f%%", rho, r.w, w, r.l, l,
		       100 * r.rel_se);
	g_assert_cmpfloat(r.rel_se, <, 0.02 / 4);
	g_assert_cmpfloat(fabs(r.w - w) / w, <, 0.02);
	g_assert_cmpfloat(fabs(r.l - l) / l, <, 0.02);
	/* utilization is rho: same order of error, a far smaller variance */
	g_assert_cmpfloat(fabs(r.util - rho) / rho, <, 0.01);
}

/* Erlang C: probability that an arrival waits in M/M/c with offered load a. */
static double erlang_c(unsigned int c, double a)
{
	double term = 1, sum = 0;

	for (unsigned int k = 0; k < c; k++) {
		sum += term;
		term *= a / (k + 1);
	}
	/* term = a^c / c! */
	double top = term * c / (c - a);

	return top / (sum + top);
}

/*
 * M/M/4 at rho = 0.8 against Erlang C, within 3%:
 *	W = C(4, 3.2) / (4 mu - lambda) + 1 / mu = 0.5964 / 0.8 + 1 = 1.7455 ms
 * and L = lambda W.  The batch means bound the standard error of W the same
 * way (3% >= 4 standard errors).
 */
static void test_mmc(void)
{
	const unsigned int c = 4;
	const double rho = 0.8, a = rho * c;
	struct queue_run r = run_mmc(c, rho, 2000000);
	double w = erlang_c(c, a) / (c - a) + 1, l = a * w;

	g_test_message("M/M/4 rho 0.8: W %.4f (theory %.4f), L %.4f (theory %.4f), "
		       "batch-means relative SE of W %.4f%%", r.w, w, r.l, l, 100 * r.rel_se);
	g_assert_cmpfloat(fabs(w - 1.7455) / w, <, 1e-4);	/* the formula itself */
	g_assert_cmpfloat(r.rel_se, <, 0.03 / 4);
	g_assert_cmpfloat(fabs(r.w - w) / w, <, 0.03);
	g_assert_cmpfloat(fabs(r.l - l) / l, <, 0.03);
	g_assert_cmpfloat(fabs(r.util - rho) / rho, <, 0.01);
}

/*
 * Little's law on an ssd (depth 8, deadline, merging, a shared data
 * channel) under two loads at once, random 4-32 KiB requests and a
 * sequential stream that merges, stopped at a time limit with requests in
 * flight: measured arrival rate x mean response time = mean number in
 * system, within 1%.  The law holds exactly for the whole history; what is
 * left is the end effect of the requests still in flight at the limit
 * (tens, against 100 000 completed), far below 1%.
 */
static void test_little(void)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_dist) ia1 = dist("exp(25us)", SIM_UNIT_TIME);
	g_autoptr(sim_dist) ia2 = dist("exp(40us)", SIM_UNIT_TIME);
	g_autoptr(sim_dist) size = dist("uniform(4KiB,32KiB)", SIM_UNIT_SIZE);
	struct sim_disk_params p;
	struct sim_disk_load_params lp;

	sim_disk_params_init(&p, "ssd", NULL);
	p.depth = 8;			/* busy enough that requests queue and merge */
	g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);

	sim_disk_load_params_init(&lp);
	lp.interarrival = ia1;
	lp.size = size;
	lp.read_fraction = 0.7;
	lp.stream = "random";
	struct sim_disk_load *l1 = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);

	sim_disk_load_params_init(&lp);
	lp.interarrival = ia2;
	lp.fixed_size = 4096;
	lp.pattern = SIM_DISK_PATTERN_SEQUENTIAL;
	lp.read_fraction = 0;
	lp.stream = "sequential";
	struct sim_disk_load *l2 = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);

	sim_set_time_limit(eng, 3 * NSEC_PER_SEC);
	g_assert_cmpint(sim_run(eng), ==, SIM_STOP_TIME);
	sim_disk_finish(disk);

	double lambda = scalar(eng, "disk", "arrivalRate") / 1e9;	/* per ns */
	double w = sim_hist_mean(hist(eng, "disk", "responseTime"));
	double l = scalar(eng, "disk", "queueLength:mean");

	g_test_message("Little: lambda %.6f/ns, W %.1f ns, lambda W %.4f, L %.4f, "
		       "merges %" G_GUINT64_FORMAT ", in flight %u", lambda, w, lambda * w,
		       l, counter(eng, "disk", "merges"), sim_disk_nr_in_system(disk));
	g_assert_cmpuint(counter(eng, "disk", "merges"), >, 0);
	g_assert_cmpuint(sim_disk_nr_in_system(disk), >, 0);
	g_assert_cmpfloat(fabs(lambda * w - l) / l, <, 0.01);
	sim_disk_load_free(l1);
	sim_disk_load_free(l2);
}

/*
 * hdd: the mean service time grows with the mean seek distance.
 * Sequential 4 KiB reads never seek: exactly setup + transfer (50 us +
 * 20.48 us).  Random reads over a span s of the disk pay on average
 * seek_min + (seek_max - seek_min) * (8/15) sqrt(s / C) (E sqrt|U - V| =
 * 8/15 for independent uniforms U, V: the head sits at the end of the
 * previous random request) plus half a revolution (4.1667 ms).  At light
 * load (interarrival exp(100ms)) and without merging, 20 000 requests give
 * a relative standard error of about 0.2% (service sd about 4 ms); the
 * tolerance is 2%.
 */
static double hdd_mean_service(enum sim_disk_pattern pattern, double span_frac)
{
	g_autoptr(sim_engine) eng = sim_engine_new(SEED);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_dist) ia = dist("exp(100ms)", SIM_UNIT_TIME);
	struct sim_disk_params p;
	struct sim_disk_load_params lp;

	sim_disk_params_init(&p, "hdd", NULL);
	p.merge = false;
	g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);

	sim_disk_load_params_init(&lp);
	lp.interarrival = ia;
	lp.pattern = pattern;
	lp.span = (uint64_t)(span_frac * (double)p.capacity);
	lp.max_requests = 20000;
	struct sim_disk_load *load = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);
	sim_run(eng);
	sim_disk_load_free(load);
	return sim_hist_mean(hist(eng, "disk", "serviceTime"));
}

static void test_hdd_seek(void)
{
	double seq = hdd_mean_service(SIM_DISK_PATTERN_SEQUENTIAL, 1);
	double near = hdd_mean_service(SIM_DISK_PATTERN_RANDOM, 0.01);
	double far = hdd_mean_service(SIM_DISK_PATTERN_RANDOM, 1);
	double fixed = 50e3 + 20480, rot = 8.333333e6 / 2;
	double want_near = fixed + 1e6 + 14e6 * 8.0 / 15 * 0.1 + rot;
	double want_far = fixed + 1e6 + 14e6 * 8.0 / 15 + rot;

	g_test_message("hdd mean service: sequential %.0f ns, random 1%% %.0f ns "
		       "(theory %.0f), random 100%% %.0f ns (theory %.0f)",
		       seq, near, want_near, far, want_far);
	g_assert_cmpfloat(seq, ==, fixed);
	g_assert_cmpfloat(seq, <, near);
	g_assert_cmpfloat(near, <, far);
	g_assert_cmpfloat(fabs(near - want_near) / want_near, <, 0.02);
	g_assert_cmpfloat(fabs(far - want_far) / want_far, <, 0.02);
}

/* ---- determinism -------------------------------------------------------- */

struct run_summary {
	uint64_t fingerprint, events, merges, dispatches;
	double w, l;
};

/* A depth-4 ssd around 75% busy, random and sequential loads (merging). */
static struct run_summary mixed_run(uint64_t seed)
{
	g_autoptr(sim_engine) eng = sim_engine_new(seed);
	g_autoptr(GError) error = NULL;
	g_autoptr(sim_dist) ia = dist("exp(40us)", SIM_UNIT_TIME);
	g_autoptr(sim_dist) ia_seq = dist("exp(100us)", SIM_UNIT_TIME);
	g_autoptr(sim_dist) size = dist("lognormal(16KiB,0.5)", SIM_UNIT_SIZE);
	struct sim_disk_params p;
	struct sim_disk_load_params lp;
	struct run_summary s;

	sim_disk_params_init(&p, "ssd", NULL);
	p.depth = 4;
	g_autoptr(sim_disk) disk = sim_disk_new(eng, &p, &error);
	g_assert_no_error(error);
	sim_disk_load_params_init(&lp);
	lp.interarrival = ia;
	lp.size = size;
	lp.read_fraction = 0.6;
	lp.max_requests = 50000;
	struct sim_disk_load *load = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);
	sim_disk_load_params_init(&lp);
	lp.interarrival = ia_seq;
	lp.pattern = SIM_DISK_PATTERN_SEQUENTIAL;
	lp.max_requests = 20000;
	lp.stream = "seq";
	struct sim_disk_load *seq = sim_disk_load_start(eng, disk, &lp, &error);
	g_assert_no_error(error);
	sim_run(eng);
	sim_disk_finish(disk);

	s.fingerprint = sim_fingerprint(eng);
	s.events = sim_events_dispatched(eng);
	s.merges = counter(eng, "disk", "merges");
	s.dispatches = counter(eng, "disk", "dispatches");
	s.w = sim_hist_mean(hist(eng, "disk", "responseTime"));
	s.l = scalar(eng, "disk", "queueLength:mean");
	g_assert_cmpuint(s.merges, >, 0);
	sim_disk_load_free(load);
	sim_disk_load_free(seq);
	return s;
}

static void test_determinism(void)
{
	struct run_summary a = mixed_run(SEED), b = mixed_run(SEED), c = mixed_run(SEED + 1);

	g_assert_cmpuint(a.fingerprint, ==, b.fingerprint);
	g_assert_cmpuint(a.events, ==, b.events);
	g_assert_cmpuint(a.merges, ==, b.merges);
	g_assert_cmpuint(a.dispatches, ==, b.dispatches);
	g_assert_cmpfloat(a.w, ==, b.w);
	g_assert_cmpfloat(a.l, ==, b.l);
	g_assert_cmpuint(a.fingerprint, !=, c.fingerprint);
	g_assert_cmpfloat(a.w, !=, c.w);
}

int main(int argc, char **argv)
{
	static const double rho_05 = 0.5, rho_08 = 0.8;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sim/disk/params", test_params);
	g_test_add_func("/sim/disk/fifo/arrival-order", test_fifo_order);
	g_test_add_func("/sim/disk/deadline/read-before-older-writes",
			test_deadline_read_first);
	g_test_add_func("/sim/disk/deadline/expired-write-next",
			test_deadline_expired_write);
	g_test_add_func("/sim/disk/merge/adjacent", test_merge_adjacent);
	g_test_add_func("/sim/disk/merge/front-and-bridge", test_merge_front_and_bridge);
	g_test_add_func("/sim/disk/merge/stress", test_merge_stress);
	g_test_add_func("/sim/disk/depth/parallel-and-channel", test_parallel_and_channel);
	g_test_add_func("/sim/disk/samples", test_samples);
	g_test_add_func("/sim/disk/sync/idle-service-time", test_sync);
	g_test_add_data_func("/sim/disk/queueing/mm1-rho-0.5", &rho_05, test_mm1);
	g_test_add_data_func("/sim/disk/queueing/mm1-rho-0.8", &rho_08, test_mm1);
	g_test_add_func("/sim/disk/queueing/mmc-erlang-c", test_mmc);
	g_test_add_func("/sim/disk/queueing/little", test_little);
	g_test_add_func("/sim/disk/hdd/seek-distance", test_hdd_seek);
	g_test_add_func("/sim/disk/determinism", test_determinism);
	return g_test_run();
}
