/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim report: per configuration, chosen scalars with their mean over
 * the repetitions and a confidence interval from Student's t distribution:
 *
 *   half-width = t(1 - (1 - confidence) / 2, n - 1) * s / sqrt(n)
 *
 * with s the sample standard deviation (divisor n - 1) of the n
 * repetitions that recorded the scalar (NULL values, e.g. the quantiles of
 * an empty histogram, do not count).  With n < 2 there is no interval
 * (NaN, printed "-").
 *
 * Configurations.  A configuration is a configname with its iteration
 * variables -- and its version: the runs of one configuration pool only
 * if they ran the same resolved configuration (their runConfig rows, the
 * seed aside: fs_report_config_version()).  A configuration run again
 * after its scenario changed has two versions; the report shows them
 * apart (struct fs_report_config.split) and never pools them.
 * Configurations come in the order of their first run number (the order
 * of the study).
 *
 * Scalars are chosen by glob patterns (fnmatch(3)): a pattern with a '.'
 * is matched against "moduleName.scalarName", one without against
 * scalarName alone.  Rows follow the order of the patterns, and within a
 * pattern the order in which the runs recorded the scalars; a scalar that
 * several patterns match comes once, at the first.  Without patterns: the
 * summary, FS_REPORT_SUMMARY_PATTERNS (those that match).
 *
 * Comparison.  With base runs (--compare's), each configuration is
 * compared with the baseline configuration that agrees with it on every
 * iteration variable the base runs do not fix (a variable the base runs
 * all give one value, where the others differ): --compare
 * '$kernel=linux-4.19' compares each kernel's configuration with 4.19's of
 * the same thread count.  Per row: the difference of the means and the
 * ratio, each with a Welch interval (fs_report_welch()).
 *
 * Units: each scalar's scalarAttr "unit" and "description" (for a
 * histogram's NAME:mean, :p99, ..., the statistic's unit when the scalar
 * has none; NAME:count counts samples).
 */
#ifndef FAULTSIM_ANALYSIS_REPORT_H
#define FAULTSIM_ANALYSIS_REPORT_H

#include <glib.h>
#include "analysis/resultdb.h"

/* The summary without -p: what a configuration did, in a few lines. */
#define FS_REPORT_SUMMARY_PATTERNS					\
	"fault.latency:p50", "fault.latency:p99", "fault.faultsPerSec",	\
	"fault.majfaultPerSec", "*.throughput", "*.latency:p99",	\
	"*.writerWait:p99", "*.procWait:p99", "cpu.utilization",	\
	"disk.utilization"

struct fs_report_options {
	/* NULL-terminated glob patterns; NULL: the summary. */
	const char *const *patterns;
	gboolean all_statuses;	/* also runs whose status is not "done" */
	double confidence;	/* in (0, 1); 0 means 0.95 */
	/* runId (gint64 *) -> anything: the runs to report; NULL: every run
	 * with a status ("done" unless @all_statuses). */
	GHashTable *runs;
	/* The same, for the baseline of --compare; NULL: no comparison. */
	GHashTable *base_runs;
	/* Instead of scalars, the lockStat rows (struct fs_report.locks). */
	gboolean lock_stat;
};

/* One configuration (a configname, its iteration variables, a version). */
struct fs_report_config {
	char *configname;
	char *iterationvars;		/* "$threads=4, $io=drop" */
	GPtrArray *var_names;		/* char *, recorded order */
	GHashTable *vars;		/* name -> value */
	char *version;			/* hex SHA-256 of its runConfig */
	gboolean split;			/* its configname and variables have
					 * several versions */
	gboolean shown;			/* has runs to report (else only a base) */
	gboolean is_base;		/* holds base runs */
	guint nr_runs;			/* runs reported (status filter applied) */
	char *statuses;			/* "3 done", "2 done, 1 deadlock" */
	const struct fs_report_config *base;	/* its baseline, NULL */
	guint index;
};

/* Welch's comparison of sample 1 with sample 0 (the baseline). */
struct fs_report_welch {
	double diff, diff_half;		/* mean1 - mean0, its half-width */
	double ratio, ratio_half;	/* mean1 / mean0, its half-width */
	double df, ratio_df;		/* Welch-Satterthwaite degrees of freedom */
};

/* One line of the report. */
struct fs_report_row {
	const struct fs_report_config *config;
	char *module;
	char *name;
	const char *unit;		/* NULL: none recorded */
	const char *description;	/* NULL: none recorded */
	guint n;			/* repetitions with a value */
	double mean;
	double stddev;			/* sample standard deviation; NaN if n < 2 */
	double ci_half;			/* confidence half-width; NaN if n < 2 */
	/* Against the baseline's same scalar; base_n 0: none. */
	guint base_n;
	double base_mean;
	struct fs_report_welch cmp;
};

struct fs_report {
	GPtrArray *configs;		/* struct fs_report_config, study order */
	GPtrArray *rows;		/* struct fs_report_row: by configuration
					 * (shown ones), then by pattern */
	GPtrArray *var_names;		/* char *: the configurations'
					 * iteration variables, first-seen order */
	GPtrArray *unmatched;		/* char *: patterns that matched nothing */
	GPtrArray *metric_names;	/* char *: every "module.name" of the
					 * runs, for naming the closest */
	GPtrArray *locks;		/* struct fs_lockstat_mean, with lock_stat */
	GPtrArray *strings;		/* what the rows' units point to */
	double confidence;
	gboolean compared;		/* base runs were given */
};

void fs_report_free(struct fs_report *report);
typedef struct fs_report fs_report;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(fs_report, fs_report_free)

/* Mean, sample standard deviation and t-based half-width of @v[0..@n). */
void fs_report_ci(const double *v, guint n, double confidence, double *mean,
		  double *stddev, double *ci_half);

/*
 * Welch's interval for the difference of the means of two independent
 * samples (mean @m1, standard deviation @s1, size @n1; and the baseline's
 * @m0, @s0, @n0):
 *
 *   se^2 = s1^2/n1 + s0^2/n0,  df = se^4 / ((s1^2/n1)^2/(n1-1) + (s0^2/n0)^2/(n0-1))
 *   diff = m1 - m0 +- t(1 - (1 - confidence)/2, df) * se
 *
 * and for the ratio m1/m0 by the delta method, with the same construction
 * over the components (s1^2/n1)/m0^2 and m1^2 (s0^2/n0)/m0^4.  Halves are
 * NaN when either sample has fewer than two values, 0 when both have no
 * spread; the ratio is NaN when m0 is 0.
 */
void fs_report_welch(double m1, double s1, guint n1, double m0, double s0, guint n0,
		     double confidence, struct fs_report_welch *out);

/* The version of a configuration: the hex SHA-256 of its resolved keys,
 * "KEY=VALUE\n" each in order (what runConfig holds for a run). */
char *fs_report_config_version(const char *const *keys, const char *const *values,
			       guint n);

/* The report of @db (@opts may be NULL for the summary of every done
 * run).  A pattern that matches nothing is listed in ->unmatched, not an
 * error. */
struct fs_report *fs_report_compute(struct fs_resultdb *db,
				    const struct fs_report_options *opts,
				    GError **error);

/*
 * Runs of configuration (@configname, @iterationvars) in @db that ran
 * another version of it than the resolved keys @keys = @values (@n of
 * them, in order): *@n_runs gets their number and *@differs (may be NULL;
 * g_free() it; NULL if none) what differs in the first of them, as
 * "KEY: VALUE here, THAT there" for up to three keys.
 */
gboolean fs_report_other_versions(struct fs_resultdb *db, const char *configname,
				  const char *iterationvars, const char *const *keys,
				  const char *const *values, guint n, guint *n_runs,
				  char **differs, GError **error);

/* ---- lock_stat -------------------------------------------------------- */

/* One class and mode of lockStat, per configuration (options.lock_stat):
 * means over its runs; a run without the row counts as zeros. */
struct fs_lockstat_mean {
	const struct fs_report_config *config;
	char *lock_name;
	char *mode;			/* "read", "write" or "" */
	guint n;			/* runs that recorded it */
	double con_bounces, contentions, acq_bounces, acquisitions;
	double wait_min, wait_max, wait_total;	/* ns */
	double hold_min, hold_max, hold_total;
	double wait_avg, hold_avg;	/* total / contentions, / acquisitions */
	gboolean bounces_known;		/* the model has the lock's cache line */
};

#endif /* FAULTSIM_ANALYSIS_REPORT_H */
