/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultsim report: per distinct configuration -- one (configname,
 * iterationvars) pair -- the key scalars with their mean over the
 * repetitions and a confidence interval from Student's t distribution:
 *
 *   half-width = t(1 - (1 - confidence) / 2, n - 1) * s / sqrt(n)
 *
 * with s the sample standard deviation (divisor n - 1) of the n
 * repetitions that recorded the scalar (NULL values, e.g. the quantiles of
 * an empty histogram, do not count).  With n < 2 there is no interval
 * (NaN, printed "-").
 *
 * Key scalars are chosen by glob patterns (fnmatch(3)): a pattern with a
 * '.' is matched against "moduleName.scalarName", one without against
 * scalarName alone.  By default: FS_REPORT_DEFAULT_PATTERNS plus every
 * scalar recorded from a counter.
 *
 * Order: configurations in the order of their first run number (the order
 * of the study), scalars in the order the first run recorded them.
 */
#ifndef FAULTSIM_ANALYSIS_REPORT_H
#define FAULTSIM_ANALYSIS_REPORT_H

#include <glib.h>
#include "analysis/resultdb.h"

#define FS_REPORT_DEFAULT_PATTERNS "*:mean", "*:p99", "*utilization"

struct fs_report_options {
	/* NULL-terminated glob patterns; NULL: the defaults, with counters. */
	const char *const *patterns;
	gboolean counters;	/* also every counter (ignored if !patterns) */
	gboolean all_statuses;	/* also runs whose status is not "done" */
	double confidence;	/* in (0, 1); 0 means 0.95 */
};

/* One line of the report. */
struct fs_report_row {
	char *configname;
	char *iterationvars;
	char *module;
	char *name;
	guint n;		/* repetitions with a value */
	double mean;
	double stddev;		/* sample standard deviation; NaN if n < 2 */
	double ci_half;		/* confidence half-width; NaN if n < 2 */
};

/* Mean, sample standard deviation and t-based half-width of @v[0..@n). */
void fs_report_ci(const double *v, guint n, double confidence, double *mean,
		  double *stddev, double *ci_half);

/* The report of @db: a GPtrArray of struct fs_report_row (freed with it);
 * @opts may be NULL for the defaults. */
GPtrArray *fs_report_compute(struct fs_resultdb *db,
			     const struct fs_report_options *opts,
			     GError **error);
/* @rows as an aligned text table (a configuration's name is printed on its
 * first line only); @confidence labels the interval column (0: 0.95). */
char *fs_report_format_table(const GPtrArray *rows, double confidence);
/* @rows as CSV with a header line (RFC 4180 quoting). */
char *fs_report_format_csv(const GPtrArray *rows);

#endif /* FAULTSIM_ANALYSIS_REPORT_H */
