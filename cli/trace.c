/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim trace: one run of a study, with a trace sink attached
 * (sim/core/trace.h), written as Chrome trace-event JSON -- the format the
 * Perfetto UI (ui.perfetto.dev) and chrome://tracing open.
 *
 * Layout of the file:
 *  - a process per workload group ("app" for the threads app/0, app/1,
 *    ...; a kernel thread such as kswapd or khugepaged is a group of its
 *    own), a thread per simulated thread;
 *  - a process "CPUs" with a thread per core: which thread ran there;
 *  - a process per device track (the disk by its name; "page_lock", the
 *    page-lock holds, which I/O completions end with no thread running);
 *  - slices as complete events (ph "X"), ts and dur in microseconds with
 *    the nanoseconds as three decimals;
 *  - wake-ups as flows (ph "s" on the waker, "f" with bp "e" on the woken
 *    thread when it runs again);
 *  - "M" events naming the processes and threads.
 *
 * A viewer draws the slices of one thread as a stack and needs them
 * nested.  The model's slices of one track may overlap without nesting
 * (two disk requests in flight; a page-lock hold ended by a completion):
 * such a slice goes to another lane of the track, a thread named "NAME
 * (2)", the first lane where it nests (sorted by start, longer first, a
 * stack per lane; O(n lanes) a slice).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/core/stats.h"
#include "sim/core/task.h"
#include "sim/core/trace.h"
#include "sim/core/units.h"
#include "sim/model/model.h"
#include "sim/model/policy.h"

#define TRACE_MAX_EVENTS_DEFAULT 2000000

/* ---- JSON ---------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* ns as microseconds with three decimals, exactly. */
static void json_us(FILE *f, sim_time_t ns)
{
	if (ns < 0) {
		fputc('-', f);
		ns = -ns;
	}
	fprintf(f, "%" G_GINT64_FORMAT ".%03d", (gint64)(ns / 1000), (int)(ns % 1000));
}

/* ---- Processes, threads and lanes ---------------------------------------- */

struct lane {
	GArray *stack;			/* end times of the open slices */
	int tid;
};

struct track_out {
	int pid;
	GPtrArray *lanes;		/* struct lane * */
	const char *name;
};

struct layout {
	const struct sim_trace *tr;
	struct track_out *tracks;
	GPtrArray *processes;		/* names, pid = index + 1 */
	int next_tid;
};

static void lane_free(gpointer p)
{
	struct lane *l = p;

	g_array_unref(l->stack);
	g_free(l);
}

static int process_of(struct layout *lo, const char *name)
{
	for (guint i = 0; i < lo->processes->len; i++)
		if (g_str_equal(lo->processes->pdata[i], name))
			return (int)i + 1;
	g_ptr_array_add(lo->processes, g_strdup(name));
	return (int)lo->processes->len;
}

static struct lane *lane_new(struct layout *lo, struct track_out *to)
{
	struct lane *l = g_new0(struct lane, 1);

	l->stack = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
	l->tid = ++lo->next_tid;
	g_ptr_array_add(to->lanes, l);
	return l;
}

/* The processes: CPUs first, then the groups, then the devices, each in
 * the order its track was made. */
static void layout_init(struct layout *lo, const struct sim_trace *tr)
{
	size_t n = sim_trace_nr_tracks(tr);

	lo->tr = tr;
	lo->tracks = g_new0(struct track_out, n);
	lo->processes = g_ptr_array_new_with_free_func(g_free);
	for (int pass = 0; pass < 3; pass++) {
		for (unsigned int i = 0; i < n; i++) {
			const struct sim_trace_track *t = sim_trace_get_track(tr, i);
			struct track_out *to = &lo->tracks[i];

			if ((pass == 0) != (t->kind == SIM_TRACE_CPU) ||
			    (pass == 1) != (t->kind == SIM_TRACE_TASK))
				continue;
			to->name = t->name;
			to->lanes = g_ptr_array_new_with_free_func(lane_free);
			if (t->kind == SIM_TRACE_CPU) {
				to->pid = process_of(lo, "CPUs");
			} else if (t->kind == SIM_TRACE_TASK) {
				/* "app/3" is a thread of group "app". */
				const char *slash = strchr(t->name, '/');
				g_autofree char *group = slash ? g_strndup(t->name,
									 (gsize)(slash - t->name))
							       : g_strdup(t->name);

				to->pid = process_of(lo, group);
			} else {
				to->pid = process_of(lo, t->name);
			}
			lane_new(lo, to);
		}
	}
}

static void layout_clear(struct layout *lo)
{
	for (size_t i = 0; i < sim_trace_nr_tracks(lo->tr); i++)
		if (lo->tracks[i].lanes)
			g_ptr_array_unref(lo->tracks[i].lanes);
	g_free(lo->tracks);
	g_ptr_array_unref(lo->processes);
}

/* The first lane of @to where [@start, @end] nests (slices come sorted by
 * start, the longer first). */
static struct lane *lane_for(struct layout *lo, struct track_out *to, sim_time_t start,
			     sim_time_t end)
{
	for (guint i = 0;; i++) {
		struct lane *l = i < to->lanes->len ? to->lanes->pdata[i] : lane_new(lo, to);
		GArray *st = l->stack;

		while (st->len && g_array_index(st, sim_time_t, st->len - 1) <= start)
			g_array_set_size(st, st->len - 1);
		if (!st->len || g_array_index(st, sim_time_t, st->len - 1) >= end) {
			g_array_append_val(st, end);
			return l;
		}
	}
}

/* Slices by track, then start, the longer first, then as recorded. */
static int cmp_slice(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct sim_trace *tr = data;
	guint ia = *(const guint *)a, ib = *(const guint *)b;
	const struct sim_trace_event *x = sim_trace_event(tr, ia), *y = sim_trace_event(tr, ib);

	if (x->track != y->track)
		return x->track < y->track ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

static void write_args(FILE *f, const struct sim_trace_event *e)
{
	fputs(",\"args\":{", f);
	for (unsigned int a = 0; a < e->nr_args; a++) {
		if (a)
			fputc(',', f);
		json_str(f, e->args[a].key);
		fputc(':', f);
		if (e->args[a].str)
			json_str(f, e->args[a].str);
		else
			fprintf(f, "%" G_GINT64_FORMAT, (gint64)e->args[a].value);
	}
	fputc('}', f);
}

struct trace_info {
	const char *scenario, *config;
	guint run;
	uint64_t fingerprint;
	sim_time_t sim_time;
	const char *status;
};

/* Write @tr as trace-event JSON to @f; the counts of what it wrote. */
static void write_json(FILE *f, const struct sim_trace *tr, const struct trace_info *info,
		       size_t *nr_slices, size_t *nr_flows)
{
	struct layout lo = { 0 };
	size_t n = sim_trace_nr_events(tr);
	g_autoptr(GArray) order = g_array_sized_new(FALSE, FALSE, sizeof(guint), (guint)n);
	int *lane_tid = g_new0(int, n);
	uint64_t flow_id = 0;

	layout_init(&lo, tr);
	for (guint i = 0; i < n; i++)
		if (sim_trace_event(tr, i)->kind == SIM_TRACE_SLICE)
			g_array_append_val(order, i);
	g_array_sort_with_data(order, cmp_slice, (gpointer)tr);
	for (guint k = 0; k < order->len; k++) {
		guint i = g_array_index(order, guint, k);
		const struct sim_trace_event *e = sim_trace_event(tr, i);

		lane_tid[i] = lane_for(&lo, &lo.tracks[e->track], e->start, e->end)->tid;
	}

	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"scenario\":", f);
	json_str(f, info->scenario);
	fputs(",\"config\":", f);
	json_str(f, info->config);
	fprintf(f, ",\"run\":%u,\"fingerprint\":\"%016" G_GINT64_MODIFIER "x\",\"status\":",
		info->run, info->fingerprint);
	json_str(f, info->status);
	fputs(",\"from_ns\":", f);
	fprintf(f, "%" G_GINT64_FORMAT ",\"to_ns\":%" G_GINT64_FORMAT
		",\"sim_time_ns\":%" G_GINT64_FORMAT ",\"max_events\":%zu,\"dropped\":%"
		G_GUINT64_FORMAT "},\n\"traceEvents\":[\n", (gint64)sim_trace_from(tr),
		(gint64)sim_trace_to(tr), (gint64)info->sim_time, sim_trace_max_events(tr),
		sim_trace_dropped(tr));

	/* Names and order of processes and threads. */
	for (guint p = 0; p < lo.processes->len; p++) {
		fprintf(f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"args\":{\"name\":",
			p + 1);
		json_str(f, lo.processes->pdata[p]);
		fprintf(f, "}},\n{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%u,"
			"\"args\":{\"sort_index\":%u}},\n", p + 1, p + 1);
	}
	for (size_t t = 0; t < sim_trace_nr_tracks(tr); t++) {
		struct track_out *to = &lo.tracks[t];

		for (guint l = 0; l < to->lanes->len; l++) {
			const struct lane *ln = to->lanes->pdata[l];
			g_autofree char *name = l ? g_strdup_printf("%s (%u)", to->name, l + 1)
						  : g_strdup(to->name);

			fprintf(f, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,"
				"\"args\":{\"name\":", to->pid, ln->tid);
			json_str(f, name);
			fprintf(f, "}},\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,"
				"\"tid\":%d,\"args\":{\"sort_index\":%d}},\n", to->pid, ln->tid,
				ln->tid);
		}
	}

	*nr_slices = *nr_flows = 0;
	for (guint k = 0; k < order->len; k++) {
		guint i = g_array_index(order, guint, k);
		const struct sim_trace_event *e = sim_trace_event(tr, i);

		fprintf(f, "{\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":", lo.tracks[e->track].pid,
			lane_tid[i]);
		json_us(f, e->start);
		fputs(",\"dur\":", f);
		json_us(f, e->end - e->start);
		fputs(",\"cat\":", f);
		json_str(f, e->cat);
		fputs(",\"name\":", f);
		json_str(f, e->name);
		write_args(f, e);
		fputs("},\n", f);
		(*nr_slices)++;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sim_trace_event *e = sim_trace_event(tr, i);
		const struct track_out *from, *to;

		if (e->kind != SIM_TRACE_FLOW)
			continue;
		from = &lo.tracks[e->track];
		to = &lo.tracks[e->to_track];
		flow_id++;
		fprintf(f, "{\"ph\":\"s\",\"id\":%" G_GUINT64_FORMAT ",\"pid\":%d,\"tid\":%d,"
			"\"cat\":\"sched\",\"name\":\"wakeup\",\"ts\":", flow_id, from->pid,
			((const struct lane *)from->lanes->pdata[0])->tid);
		json_us(f, e->start);
		fprintf(f, "},\n{\"ph\":\"f\",\"bp\":\"e\",\"id\":%" G_GUINT64_FORMAT
			",\"pid\":%d,\"tid\":%d,\"cat\":\"sched\",\"name\":\"wakeup\",\"ts\":",
			flow_id, to->pid, ((const struct lane *)to->lanes->pdata[0])->tid);
		json_us(f, e->end);
		fputs("},\n", f);
		(*nr_flows)++;
	}
	/* No trailing comma: an empty metadata event closes the array. */
	fputs("{\"ph\":\"M\",\"name\":\"trace_end\",\"pid\":0,\"args\":{}}\n]}\n", f);
	g_free(lane_tid);
	layout_clear(&lo);
}

/* ---- The command --------------------------------------------------------- */

static gboolean parse_opt_time(const char *opt, const char *text, sim_time_t *ns)
{
	g_autoptr(GError) error = NULL;

	if (!sim_parse_time(text, ns, &error) || *ns < 0) {
		fprintf(stderr, "faultsim trace: %s %s: %s\n", opt, text,
			error ? error->message : "must not be negative");
		return FALSE;
	}
	return TRUE;
}

int cmd_trace(int argc, char **argv)
{
	const char *config = "General";
	int run = -1;
	g_autofree char *from_s = NULL, *to_s = NULL, *out = NULL;
	g_auto(GStrv) sets = NULL, plugins = NULL;
	gint64 max_events = TRACE_MAX_EVENTS_DEFAULT;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_STRING, &config,
		  "the config section (default General)", "NAME" },
		{ "run", 'r', 0, G_OPTION_ARG_INT, &run, "the run number (required)", "N" },
		{ "from", 0, 0, G_OPTION_ARG_STRING, &from_s,
		  "keep what ends at or after this simulated time (default 0)", "TIME" },
		{ "to", 0, 0, G_OPTION_ARG_STRING, &to_s,
		  "run until this simulated time and keep what starts before "
		  "(default sim-time-limit)", "TIME" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		  "the JSON file to write ('-': standard output)", "FILE" },
		{ "max-events", 0, 0, G_OPTION_ARG_INT64, &max_events,
		  "keep at most this many slices and flows (default 2000000)", "N" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "override a key (repeatable)", "KEY=VALUE" },
		{ "plugin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugins,
		  "load a policy plugin (repeatable)", "PATH" },
		{ NULL }
	};
	g_autoptr(GError) error = NULL;
	sim_time_t from = 0, to = SIM_TIME_MAX;

	if (!cli_parse("trace", "SCENARIO.ini",
		       "Run one run and write what it did as a Chrome trace-event JSON file "
		       "(open it in ui.perfetto.dev or chrome://tracing).",
		       entries, &argc, &argv))
		return EXIT_USAGE;
	if (argc != 2) {
		fprintf(stderr, "faultsim trace: give one scenario file (try 'faultsim trace --help')\n");
		return EXIT_USAGE;
	}
	if (run < 0 || !out) {
		fprintf(stderr, "faultsim trace: %s is required (try 'faultsim trace --help')\n",
			run < 0 ? "-r N" : "-o FILE");
		return EXIT_USAGE;
	}
	if (max_events < 1) {
		fprintf(stderr, "faultsim trace: --max-events %" G_GINT64_FORMAT
			": must be at least 1\n", max_events);
		return EXIT_USAGE;
	}
	if ((from_s && !parse_opt_time("--from", from_s, &from)) ||
	    (to_s && !parse_opt_time("--to", to_s, &to)))
		return EXIT_USAGE;
	if (from > to) {
		fprintf(stderr, "faultsim trace: --from %s is after --to %s\n", from_s, to_s);
		return EXIT_USAGE;
	}

	g_autoptr(sim_keys) keys = NULL;
	g_autoptr(sim_study) study = cli_study_open("trace", plugins, argv[1], config, sets, TRUE,
						    &keys);

	if (!study)
		return EXIT_USAGE;
	if ((guint)run >= sim_study_nr_runs(study)) {
		fprintf(stderr, "faultsim trace: -r %d: config %s has runs 0 to %u\n", run, config,
			sim_study_nr_runs(study) - 1);
		return EXIT_USAGE;
	}

	const struct sim_run_config *cfg = sim_study_run(study, (guint)run);
	sim_time_t limit = sim_config_get_time(cfg, "sim-time-limit");
	sim_time_t warmup = sim_config_get_time(cfg, "warmup-period");
	g_autoptr(sim_trace) tr = sim_trace_new(from, to, (size_t)max_events);
	g_autoptr(sim_engine) eng = sim_engine_new(cfg->seed);
	struct sim_model *m;
	const char *status = "done";

	/* As faultsim run does it (cli/run.c simulate()), with the sink on
	 * and the end at --to. */
	sim_engine_set_trace(eng, tr);
	m = sim_model_build(eng, cfg, &error);
	if (!m) {
		fprintf(stderr, "faultsim trace: run %d: %s\n", run, error->message);
		return 1;
	}
	if (to < limit)
		limit = to;
	if (warmup > 0 && warmup < limit) {
		sim_set_time_limit(eng, warmup);
		sim_run(eng);
		sim_model_reset_stats(m);
	}
	if (!sim_model_error(m)) {
		sim_set_time_limit(eng, limit);
		if (sim_run(eng) == SIM_STOP_EMPTY && sim_engine_nr_stuck(eng))
			status = "deadlock";
	}
	sim_model_finish(m);
	if (sim_model_error(m)) {
		fprintf(stderr, "faultsim trace: run %d: %s\n", run, sim_model_error(m));
		status = "failed";
	}

	FILE *f = g_str_equal(out, "-") ? stdout : fopen(out, "w");
	size_t nr_slices, nr_flows;
	struct trace_info info = {
		.scenario = argv[1], .config = config, .run = (guint)run,
		.fingerprint = sim_fingerprint(eng), .sim_time = sim_now(eng), .status = status,
	};

	if (!f) {
		fprintf(stderr, "faultsim trace: -o %s: %s\n", out, g_strerror(errno));
		sim_model_free(m);
		return EXIT_USAGE;
	}
	write_json(f, tr, &info, &nr_slices, &nr_flows);
	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0) {
		fprintf(stderr, "faultsim trace: writing %s: %s\n", out, g_strerror(errno));
		sim_model_free(m);
		return 1;
	}
	fprintf(stderr, "faultsim trace: run %d of %s (%s) to %.6g ms: %zu slices, %zu flows "
		"on %zu tracks -> %s\n", run, config, status, (double)sim_now(eng) / 1e6,
		nr_slices, nr_flows, sim_trace_nr_tracks(tr), out);
	if (sim_trace_dropped(tr))
		fprintf(stderr, "faultsim trace: the cap of %" G_GINT64_FORMAT " events was "
			"reached: %" G_GUINT64_FORMAT " more inside the window were left out "
			"(narrow --from/--to, or raise --max-events)\n", max_events,
			sim_trace_dropped(tr));
	sim_model_free(m);
	return g_str_equal(status, "failed") ? 1 : 0;
}
