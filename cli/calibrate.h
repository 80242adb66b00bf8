/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim calibrate: the host's kernel measured (calibrate-host.c), a
 * machine profile fitted to it and written (calibrate.c), and the same
 * microbenchmarks simulated with a profile (calibrate-check.c).
 *
 * A measurement is a set of named figures ("minor.p50", "writer.same.p50",
 * ...), each a value in the row's unit or skipped with the reason.  The
 * profile keeps them as "# measured: NAME VALUE" and "# skipped: NAME
 * REASON" comment lines, which `faultsim run` ignores and --check reads
 * back.
 */
#ifndef FAULTSIM_CLI_CALIBRATE_H
#define FAULTSIM_CLI_CALIBRATE_H

#include <stdbool.h>
#include <glib.h>

/* How a row of the --check table is judged. */
enum cal_kind {
	CAL_PREDICTED,	/* the model predicts it from the profile */
	CAL_FITTED,	/* the profile was fitted to it: the check shows the
			 * model's path reproduces the fit */
	CAL_INPUT,	/* a parameter the profile copies: no prediction */
};

struct cal_figure {
	const char *name;
	const char *unit;	/* "ns", "pages", "faults/s" */
	const char *what;	/* for the table */
	enum cal_kind kind;
};

/* The figures, in table order (calibrate.c). */
extern const struct cal_figure cal_figures[];
extern const unsigned int cal_nr_figures;

/* Measured values by figure name: a double, or a reason it was skipped. */
struct cal_values {
	GHashTable *value;	/* name -> double * */
	GHashTable *skipped;	/* name -> char * reason */
	char *kernel;		/* uname -r of the host measured */
	unsigned int cpus;	/* online CPUs */
};

typedef struct cal_values cal_values;
struct cal_values *cal_values_new(void);
void cal_values_free(struct cal_values *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cal_values, cal_values_free)
void cal_set(struct cal_values *v, const char *name, double value);
void cal_skip(struct cal_values *v, const char *name, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
/* The value of @name; FALSE if it was skipped or never measured. */
bool cal_get(const struct cal_values *v, const char *name, double *value);
const char *cal_skip_reason(const struct cal_values *v, const char *name);

struct cal_options {
	bool quick;
	double scale;		/* FAULTSIM_CALIBRATE_SCALE: sample counts x */
	const char *dir;	/* where the file benchmarks make their files */
	bool progress;		/* a progress line on stderr */
};

/* Run every microbenchmark on this host into @v. */
void cal_measure_host(const struct cal_options *o, struct cal_values *v);

/* Simulate the microbenchmarks with the profile @profile (a path) and
 * the measured workload figures of @measured (writer intervals and
 * holds), into @pred.  FALSE with @error if the profile or a simulation
 * fails. */
gboolean cal_simulate(const char *profile, const struct cal_values *measured,
		      struct cal_values *pred, bool progress, GError **error);

/* The policy preset of the kernel release @kernel ("6.8.0-31-generic"):
 * the newest preset not newer than it. */
const char *cal_preset_for(const char *kernel);

/* The progress line: "calibrate: WHAT" on stderr, overwritten. */
void cal_progress(bool on, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif /* FAULTSIM_CLI_CALIBRATE_H */
