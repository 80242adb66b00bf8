/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim calibrate [-o host.ini] [--quick] [--dir DIR]
 * faultsim calibrate --check host.ini
 *
 * Measure this host's kernel (calibrate-host.c), fit a machine profile to
 * it and write it: machine.*, fault.* and disk.* keys that a scenario
 * takes with "include = host.ini", each with a comment giving the figures
 * it came from, and every figure as a "# measured: NAME VALUE" line (or
 * "# skipped: NAME REASON").  --check reads a profile back, simulates the
 * same microbenchmarks with it (calibrate-check.c) and prints measured
 * against predicted; exit 0 when every row it can judge is within 30%.
 *
 * The fit (what each key is set from):
 *	machine.cpus			online CPUs
 *	machine.wakeup_latency		lognormal through the wake-up's p50 and
 *					p90 less machine.context_switch (which
 *					the model charges after the latency)
 *	machine.cacheline_transfer	the ping-pong's time per transfer
 *	machine.ipi_cost		the time a spinning sibling thread loses
 *					per mprotect() of a present page, less
 *					one page's flush (machine.tlb_flush_page)
 *	machine.ipi_latency		what the sibling adds to the mprotect(),
 *					less that loss (0 at least)
 *	fault.entry, .vma_lookup, .alloc, .zero, .pte_install, .copy,
 *	.filemap, .swapin		the defaults scaled so that the model's
 *					minor fault has the measured p50;
 *					fault.zero a log-normal with that
 *					median, its p90 the fault's p90 - p50
 *					above it (the fault's p99 is predicted)
 *	fault.map_page			the cost of an extra fault-around page
 *	fault.fault_around		what makes the model's one-page file
 *					fault the measured one
 * The last two fits are first made from the defaults' sums, then refined
 * once by simulating the profile (write_profile()).
 *	disk.latency			lognormal through the 4 KiB O_DIRECT
 *					reads' p50 and p90, less the transfer
 *	disk.bandwidth			(128 KiB - 4 KiB) over the difference of
 *					the two reads' p50
 * The rest (file faults, major faults, the writer's effect, the minor
 * fault's p99, the smaps reader) is what the model predicts from these.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli/calibrate.h"
#include "cli/cli.h"
#include "sim/config/keys.h"
#include "sim/core/units.h"

/* A row within this factor of the measurement passes --check. */
#define CHECK_TOLERANCE	0.30

const struct cal_figure cal_figures[] = {
	{ "minor.p50", "ns", "anonymous minor fault, p50", CAL_FITTED },
	{ "minor.p90", "ns", "anonymous minor fault, p90", CAL_FITTED },
	{ "minor.p99", "ns", "anonymous minor fault, p99", CAL_PREDICTED },
	{ "file.fault1", "ns", "file read fault, one page mapped, p50", CAL_FITTED },
	{ "file.around", "ns", "file read fault through fault-around, p50", CAL_FITTED },
	{ "file.pages", "pages", "pages mapped per file read fault", CAL_PREDICTED },
	{ "file.per_page", "ns", "fault-around: cost of an extra page", CAL_INPUT },
	{ "file.max_folio", "pages", "largest page-cache folio of DIR's filesystem", CAL_INPUT },
	{ "disk.read4k.p50", "ns", "O_DIRECT 4 KiB read at QD1, p50", CAL_INPUT },
	{ "disk.read4k.p90", "ns", "O_DIRECT 4 KiB read at QD1, p90", CAL_INPUT },
	{ "disk.read128k.p50", "ns", "O_DIRECT 128 KiB read at QD1, p50", CAL_INPUT },
	{ "major.p50", "ns", "major fault (MADV_RANDOM: one page read), p50", CAL_PREDICTED },
	{ "wakeup.p50", "ns", "wake-up of a sleeping thread to running, p50", CAL_FITTED },
	{ "wakeup.p90", "ns", "wake-up of a sleeping thread to running, p90", CAL_FITTED },
	{ "cacheline", "ns", "cache-line transfer between two CPUs", CAL_INPUT },
	{ "ipi.wait", "ns", "mprotect() of a present page: a sibling on another CPU adds", CAL_INPUT },
	{ "ipi.target", "ns", "mprotect() of a present page: the sibling loses", CAL_INPUT },
	{ "writer.hold", "ns", "writer: one mprotect() of 16 pages, alone", CAL_INPUT },
	{ "writer.interval", "ns", "writer: sleep between calls, achieved", CAL_INPUT },
	{ "writer.cpu", "ns", "writer on another VMA: its own CPU time per call", CAL_INPUT },
	{ "writer.pinned", "CPUs", "writer: CPUs the faulting threads were spread over", CAL_INPUT },
	{ "writer.none.rate", "faults/CPU-s", "4 faulting threads, no writer: faults/CPU-s", CAL_PREDICTED },
	{ "writer.none.p50", "ns", "4 faulting threads, no writer: fault p50", CAL_PREDICTED },
	{ "writer.none.cpus", "CPUs", "4 faulting threads, no writer: CPUs they got", CAL_INPUT },
	{ "writer.other.rate", "faults/CPU-s", "writer on another VMA: faults/CPU-s", CAL_PREDICTED },
	{ "writer.other.p50", "ns", "writer on another VMA: fault p50", CAL_PREDICTED },
	{ "writer.other.ratio", "x", "writer on another VMA: rate over none", CAL_PREDICTED },
	{ "writer.other.cpus", "CPUs", "writer on another VMA: CPUs they got", CAL_INPUT },
	{ "writer.same.rate", "faults/CPU-s", "writer inside the faulting VMA: faults/CPU-s", CAL_PREDICTED },
	{ "writer.same.p50", "ns", "writer inside the faulting VMA: fault p50", CAL_PREDICTED },
	{ "writer.same.ratio", "x", "writer inside the faulting VMA: rate over none",
	  CAL_PREDICTED },
	{ "writer.same.cpus", "CPUs", "writer inside the faulting VMA: CPUs they got", CAL_INPUT },
	{ "smaps.vmas", "VMAs", "VMAs that smaps read walked", CAL_INPUT },
	{ "smaps.read", "ns", "one /proc/self/smaps read, to its end", CAL_PREDICTED },
	{ "smaps.fills", "fills", "smaps: read() calls, one seq_file fill each", CAL_PREDICTED },
	{ "smaps.fill.p50", "ns", "smaps: one fill (one mmap_lock hold), p50", CAL_PREDICTED },
};
const unsigned int cal_nr_figures = G_N_ELEMENTS(cal_figures);

/* ------------------------------------------------------------------ */
/* Values */

struct cal_values *cal_values_new(void)
{
	struct cal_values *v = g_new0(struct cal_values, 1);

	v->value = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	v->skipped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return v;
}

void cal_values_free(struct cal_values *v)
{
	if (!v)
		return;
	g_hash_table_unref(v->value);
	g_hash_table_unref(v->skipped);
	g_free(v->kernel);
	g_free(v);
}

void cal_set(struct cal_values *v, const char *name, double value)
{
	if (!isfinite(value)) {
		cal_skip(v, name, "not a finite number");
		return;
	}
	g_hash_table_replace(v->value, g_strdup(name), g_memdup2(&value, sizeof(value)));
	g_hash_table_remove(v->skipped, name);
}

void cal_skip(struct cal_values *v, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* One line in the profile. */
	g_strdelimit(why, "\n\r", ' ');
	g_hash_table_replace(v->skipped, g_strdup(name), why);
	g_hash_table_remove(v->value, name);
}

bool cal_get(const struct cal_values *v, const char *name, double *value)
{
	const double *d = g_hash_table_lookup(v->value, name);

	if (!d)
		return false;
	*value = *d;
	return true;
}

/* Why @name has no value: its own reason, or its benchmark's ("minor"
 * for "minor.p50", "writer" for "writer.same.p50"). */
const char *cal_skip_reason(const struct cal_values *v, const char *name)
{
	g_autofree char *prefix = g_strdup(name);
	const char *why = g_hash_table_lookup(v->skipped, name);
	char *dot;

	while (!why && (dot = strrchr(prefix, '.'))) {
		*dot = '\0';
		why = g_hash_table_lookup(v->skipped, prefix);
	}
	return why;
}

void cal_progress(bool on, const char *fmt, ...)
{
	static int last;
	g_autofree char *msg = NULL;
	va_list ap;

	if (!on)
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (isatty(STDERR_FILENO)) {
		int n = fprintf(stderr, "\rcalibrate: %s", msg);

		fprintf(stderr, "%*s", last > n ? last - n : 0, "");
		last = n;
	} else {
		fprintf(stderr, "calibrate: %s\n", msg);
	}
	fflush(stderr);
}

static void progress_done(bool on)
{
	if (on && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%*s\r", 79, "");
}

/* ------------------------------------------------------------------ */
/* The profile */

/* A key's registered default, in ns. */
static double default_ns(const struct sim_keys *keys, const char *name)
{
	const struct sim_key_def *def = sim_keys_lookup(keys, name);
	sim_time_t t = 0;

	g_assert(def && def->defval);
	if (!sim_parse_time(def->defval, &t, NULL))
		g_assert_not_reached();
	return (double)t;
}

/* "lognormal(MEANns,SIGMA)" through a median @p50 and a 90th percentile
 * @p90 (z(0.9) = 1.2816). */
static char *lognormal_through(double p50, double p90)
{
	double sigma = p90 > p50 ? log(p90 / p50) / 1.2815516 : 0.05;
	double mean = p50 * exp(sigma * sigma / 2);

	return g_strdup_printf("lognormal(%.0fns,%.2f)", mean, MAX(sigma, 0.05));
}

static const char *const fault_scaled[] = {
	"fault.entry", "fault.vma_lookup", "fault.alloc", "fault.zero", "fault.pte_install",
	"fault.copy", "fault.filemap", "fault.swapin",
};

/*
 * The profile of @v into @f.  @pass1, if not NULL, is what the model
 * predicted with the profile written without it: the fault.* fit is then
 * refined once, so that the model's other costs of a fault (its cache
 * lines, which the fit leaves alone) are taken out of the keys fitted.
 * The model is linear in these keys: minor = K + s x D (D the default
 * anonymous path, s the scale), one-page file fault = K' + s x (entry +
 * vma_lookup) + map_page + fault_around.
 */
static void write_profile(FILE *f, const struct cal_values *v, bool quick,
			  const struct cal_values *pass1)
{
	g_autoptr(sim_keys) keys = cli_keys_new();
	char stamp[64];
	time_t now = time(NULL);
	double a, b, c, p, bw = 0, path = 0, scale = 1, scale1 = 1;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f,
		"# faultsim machine profile, measured by `faultsim calibrate%s` on\n"
		"# Linux %s, %u CPUs, %s.\n"
		"# A scenario takes it under the section it applies to:\n"
		"#   [General]\n"
		"#   include = THIS-FILE\n"
		"# The \"measured:\" lines are the host's figures (\"skipped:\" ones could\n"
		"# not be measured, with the reason); `faultsim run` reads them as comments,\n"
		"# `faultsim calibrate --check THIS-FILE` compares the model with them.\n"
		"#\n"
		"# kernel: %s\n# cpus: %u\n",
		quick ? " --quick" : "", v->kernel, v->cpus, stamp, v->kernel, v->cpus);
	for (unsigned int i = 0; i < cal_nr_figures; i++) {
		const struct cal_figure *fig = &cal_figures[i];
		const char *why = cal_skip_reason(v, fig->name);

		if (cal_get(v, fig->name, &a))
			fprintf(f, "# measured: %s %.6g\n", fig->name, a);
		else
			fprintf(f, "# skipped: %s %s\n", fig->name, why ? why : "not measured");
	}

	fprintf(f, "\nmachine.cpus = %u\n", v->cpus);
	if (cal_get(v, "wakeup.p50", &a) && cal_get(v, "wakeup.p90", &b)) {
		double cs = default_ns(keys, "machine.context_switch");
		g_autofree char *d = lognormal_through(MAX(a - cs, 50), MAX(b - cs, MAX(a - cs, 50) * 1.05));

		fprintf(f, "machine.wakeup_latency = %s"
			"  # wake-to-run p50 %.0f ns, p90 %.0f ns, less machine.context_switch %.0f ns\n",
			d, a, b, cs);
	}
	if (cal_get(v, "ipi.target", &a) && cal_get(v, "ipi.wait", &b)) {
		double page = default_ns(keys, "machine.tlb_flush_page");

		/* The sibling's loss is the handler (one page flushed); the
		 * initiator's wait beyond it, the delivery. */
		fprintf(f, "machine.ipi_cost = %.0fns  # the sibling loses %.0f ns per mprotect(), "
			"less machine.tlb_flush_page %.0f ns\n", MAX(a - page, 1), a, page);
		fprintf(f, "machine.ipi_latency = %.0fns  # the initiator waits %.0f ns more with "
			"the sibling running, less the handler\n", MAX(b - a, 0), b);
	}
	if (cal_get(v, "cacheline", &a))
		fprintf(f, "machine.cacheline_transfer = %.0fns  # atomic ping-pong: %.0f ns a transfer\n",
			MAX(a, 1), a);

	if (cal_get(v, "minor.p50", &a)) {
		for (size_t i = 0; i < 5; i++)
			path += default_ns(keys, fault_scaled[i]);
		scale1 = scale = a / path;
		if (pass1 && cal_get(pass1, "minor.p50", &p) && scale + (a - p) / path > 0.05)
			scale += (a - p) / path;
		fprintf(f, "# fault.*: the minor fault's p50, %.0f ns, over the default anonymous "
			"path, %.0f ns, refined by one simulation: x%.3f\n", a, path, scale);
		for (size_t i = 0; i < G_N_ELEMENTS(fault_scaled); i++) {
			double ns = MAX(1.0, default_ns(keys, fault_scaled[i]) * scale);

			/* The spread of the fault: fault.zero (the largest
			 * part, clear_page()) a log-normal whose median is
			 * the scaled default and whose p90 lies p90 - p50
			 * above it, so that the fault's p50 and p90 are the
			 * measured ones; its p99 is the model's. */
			if (g_str_equal(fault_scaled[i], "fault.zero") &&
			    cal_get(v, "minor.p90", &b) && b > a) {
				g_autofree char *d = lognormal_through(ns, ns + (b - a));

				fprintf(f, "%s = %s  # median %.0f ns, p90 %.0f ns: the fault's "
					"p90 - p50 = %.0f ns above\n", fault_scaled[i], d, ns,
					ns + (b - a), b - a);
				continue;
			}
			fprintf(f, "%s = %.0fns\n", fault_scaled[i], ns);
		}
	}
	if (cal_get(v, "file.per_page", &a) && cal_get(v, "file.fault1", &b) &&
	    cal_get(v, "file.around", &c)) {
		double el = default_ns(keys, "fault.entry") + default_ns(keys, "fault.vma_lookup");
		double fixed1 = b - MAX(a, 1) - scale1 * el, fixed = fixed1;

		if (pass1 && cal_get(pass1, "file.fault1", &p))
			fixed = b - p + scale1 * el + fixed1 - scale * el;
		fprintf(f, "fault.map_page = %.0fns  # fault-around: %.0f ns a fault of a window, "
			"%.0f ns of one page\n", MAX(a, 1), c, b);
		fprintf(f, "fault.fault_around = %.0fns  # the one-page fault less what the model "
			"charges it besides\n", MAX(fixed, 0));
	}
	if (v->kernel) {
		int major = 0, minor = 0;

		sscanf(v->kernel, "%d.%d", &major, &minor);
		fprintf(f, "fault.around_folio = %s  # fault-around maps large folios whole: "
			"Linux 6.18+ (357b92761d94)\n",
			major > 6 || (major == 6 && minor >= 18) ? "true" : "false");
	}
	if (cal_get(v, "disk.read4k.p50", &a) && cal_get(v, "disk.read128k.p50", &c) && c > a) {
		bw = (128.0 - 4.0) * 1024 / ((c - a) / 1e9);
		fprintf(f, "disk.bandwidth = %.0fMB  # O_DIRECT QD1 p50: 4 KiB %.0f ns, 128 KiB %.0f ns\n",
			bw / 1e6, a, c);
	}
	if (cal_get(v, "disk.read4k.p50", &a) && cal_get(v, "disk.read4k.p90", &b)) {
		double xfer = bw > 0 ? 4096.0 / bw * 1e9 : 0;
		g_autofree char *d = lognormal_through(MAX(a - xfer, 1000),
						       MAX(b - xfer, MAX(a - xfer, 1000) * 1.05));

		fprintf(f, "disk.depth = 1\n");
		fprintf(f, "disk.latency = %s  # O_DIRECT 4 KiB QD1: p50 %.0f ns, p90 %.0f ns, "
			"less the transfer\n", d, a, b);
	}
}

/* The figures of a profile's "# measured:" and "# skipped:" lines. */
static gboolean read_profile(const char *path, struct cal_values *v, GError **error)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &text, NULL, error))
		return FALSE;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		const char *l = lines[i];
		g_auto(GStrv) w = NULL;

		if (g_str_has_prefix(l, "# kernel: ")) {
			g_free(v->kernel);
			v->kernel = g_strstrip(g_strdup(l + strlen("# kernel: ")));
		} else if (g_str_has_prefix(l, "# cpus: ")) {
			v->cpus = (unsigned int)strtoul(l + strlen("# cpus: "), NULL, 10);
		} else if (g_str_has_prefix(l, "# measured: ")) {
			char *end;
			double d;

			w = g_strsplit(l + strlen("# measured: "), " ", 2);
			if (!w[0] || !w[1] || (d = g_ascii_strtod(w[1], &end), end == w[1])) {
				g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
					    "%s:%u: malformed '# measured:' line: expected "
					    "'# measured: NAME VALUE'", path, i + 1);
				return FALSE;
			}
			cal_set(v, w[0], d);
		} else if (g_str_has_prefix(l, "# skipped: ")) {
			w = g_strsplit(l + strlen("# skipped: "), " ", 2);
			if (w[0] && w[1])
				cal_skip(v, w[0], "%s", w[1]);
		}
	}
	if (g_hash_table_size(v->value) == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: no '# measured:' lines: not a profile `faultsim calibrate` wrote",
			    path);
		return FALSE;
	}
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Tables */

static const char *kind_mark(enum cal_kind k)
{
	return k == CAL_FITTED ? "fit" : k == CAL_INPUT ? "input" : "";
}

static void print_measured(const struct cal_values *v)
{
	printf("%-18s %-54s %12s  %s\n", "figure", "what", "measured", "unit");
	for (unsigned int i = 0; i < cal_nr_figures; i++) {
		const struct cal_figure *f = &cal_figures[i];
		double a;

		if (cal_get(v, f->name, &a))
			printf("%-18s %-54s %12.6g  %s\n", f->name, f->what, a, f->unit);
		else
			printf("%-18s %-54s %12s  skipped: %s\n", f->name, f->what, "-",
			       cal_skip_reason(v, f->name) ? cal_skip_reason(v, f->name) :
							     "not measured");
	}
}

/* The --check table; the number of judged rows that miss. */
static unsigned int print_check(const struct cal_values *m, const struct cal_values *p,
				unsigned int *judged)
{
	unsigned int misses = 0;

	*judged = 0;
	printf("%-18s %-54s %12s %12s %6s  %s\n", "figure", "what", "measured", "predicted",
	       "ratio", "");
	for (unsigned int i = 0; i < cal_nr_figures; i++) {
		const struct cal_figure *f = &cal_figures[i];
		double a, b;
		const char *why;

		if (!cal_get(m, f->name, &a)) {
			why = cal_skip_reason(m, f->name);
			printf("%-18s %-54s %12s %12s %6s  skipped: %s\n", f->name, f->what, "-",
			       "-", "", why ? why : "not measured");
			continue;
		}
		if (f->kind == CAL_INPUT) {
			printf("%-18s %-54s %12.4g %12s %6s  %s\n", f->name, f->what, a, "-", "",
			       "input: the profile uses it as measured");
			continue;
		}
		if (!cal_get(p, f->name, &b)) {
			why = cal_skip_reason(p, f->name);
			printf("%-18s %-54s %12.4g %12s %6s  not simulated: %s\n", f->name, f->what,
			       a, "-", "", why ? why : "no simulation");
			continue;
		}
		bool ok = a > 0 && fabs(b / a - 1) <= CHECK_TOLERANCE;

		(*judged)++;
		misses += !ok;
		printf("%-18s %-54s %12.4g %12.4g %6.2f  %s%s%s\n", f->name, f->what, a, b,
		       a > 0 ? b / a : NAN, ok ? "ok" : "MISS", *kind_mark(f->kind) ? " " : "",
		       kind_mark(f->kind));
	}
	return misses;
}

/* ------------------------------------------------------------------ */

int cmd_calibrate(int argc, char **argv)
{
	g_autofree char *out = NULL, *dir = NULL, *check = NULL;
	gboolean quick = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		  "write the profile to FILE (default host.ini)", "FILE" },
		{ "quick", 0, 0, G_OPTION_ARG_NONE, &quick,
		  "fewer samples: under 30 s (the full run takes under 3 min)", NULL },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
		  "where the file and disk benchmarks make their files (default: the "
		  "current directory)", "DIR" },
		{ "check", 0, 0, G_OPTION_ARG_FILENAME, &check,
		  "simulate the benchmarks with the profile FILE and compare with its "
		  "measurements (exit 0: every row within 30%)", "FILE" },
		{ "quiet", 0, 0, G_OPTION_ARG_NONE, &quiet, "no progress line", NULL },
		{ NULL },
	};
	struct cal_options o = { .scale = 1.0 };
	const char *scale = g_getenv("FAULTSIM_CALIBRATE_SCALE");
	g_autoptr(cal_values) v = cal_values_new();
	g_autoptr(GError) error = NULL;
	struct utsname u;
	FILE *f;

	if (!cli_parse("calibrate", "",
		       "Measure this host's kernel (page faults, fault-around, O_DIRECT reads and "
		       "major faults, wake-ups, cache-line transfers, an mprotect writer, a "
		       "/proc/self/smaps read), write a machine profile for `include =`, and "
		       "print the figures; with --check, simulate the same benchmarks with a "
		       "profile and print measured against predicted.\n\n"
		       "FAULTSIM_CALIBRATE_SCALE=X multiplies the sample counts (the test "
		       "suite uses 0.1).",
		       entries, &argc, &argv))
		return EXIT_USAGE;
	if (argc != 1) {
		fprintf(stderr, "faultsim calibrate: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	if (scale) {
		char *end;

		o.scale = g_ascii_strtod(scale, &end);
		if (end == scale || *end || !(o.scale > 0) || o.scale > 100) {
			fprintf(stderr, "faultsim calibrate: FAULTSIM_CALIBRATE_SCALE='%s': "
				"expected a number in (0, 100]\n", scale);
			return EXIT_USAGE;
		}
	}
	o.quick = quick;
	o.dir = dir ? dir : ".";
	o.progress = !quiet;

	if (check) {
		g_autoptr(cal_values) pred = cal_values_new();
		unsigned int judged, misses;

		if (out || dir || quick) {
			fprintf(stderr, "faultsim calibrate: --check takes no -o, --dir or --quick\n");
			return EXIT_USAGE;
		}
		if (!read_profile(check, v, &error)) {
			fprintf(stderr, "faultsim calibrate: %s\n", error->message);
			return EXIT_USAGE;
		}
		if (!cal_simulate(check, v, pred, o.progress, &error)) {
			progress_done(o.progress);
			fprintf(stderr, "faultsim calibrate: %s: %s\n", check, error->message);
			return error->domain == SIM_ERROR && error->code != SIM_ERROR_IO ?
			       EXIT_USAGE : 1;
		}
		progress_done(o.progress);
		printf("Linux %s, %u CPUs (profile %s), simulated with policy.preset = %s\n",
		       v->kernel ? v->kernel : "?", v->cpus, check, cal_preset_for(v->kernel));
		misses = print_check(v, pred, &judged);
		printf("%u of %u rows within %.0f%%; \"fit\": the profile was fitted to the "
		       "row, \"input\": a parameter taken as measured\n", judged - misses, judged,
		       CHECK_TOLERANCE * 100);
		return misses ? 1 : 0;
	}

	if (!g_file_test(o.dir, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "faultsim calibrate: --dir %s: not a directory\n", o.dir);
		return EXIT_USAGE;
	}
	uname(&u);
	v->kernel = g_strdup(u.release);
	cal_measure_host(&o, v);
	progress_done(o.progress);
	if (!out)
		out = g_strdup("host.ini");
	/* Written, simulated once, written again with the fit refined. */
	for (int pass = 0; pass < 2; pass++) {
		g_autoptr(cal_values) pred = cal_values_new();

		if (pass == 1 && !cal_simulate(out, v, pred, false, &error)) {
			fprintf(stderr, "faultsim calibrate: simulating %s: %s\n", out,
				error->message);
			return 1;
		}
		f = fopen(out, "w");
		if (!f) {
			fprintf(stderr, "faultsim calibrate: %s: %s\n", out, g_strerror(errno));
			return 1;
		}
		write_profile(f, v, quick, pass == 1 ? pred : NULL);
		if (fclose(f) != 0) {
			fprintf(stderr, "faultsim calibrate: %s: %s\n", out, g_strerror(errno));
			return 1;
		}
	}
	printf("Linux %s, %u CPUs: profile written to %s\n", v->kernel, v->cpus, out);
	print_measured(v);
	return 0;
}
