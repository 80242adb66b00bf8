/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the commands that read a results database (export, plot) share:
 *
 *   - the runs they work on: every run whose status is "done" (or every
 *     run, with --all), kept by --where, in the order of the study --
 *     configurations in the order of their first run, then runnumber --
 *     with their iteration variables and run attributes;
 *   - naming measurements: report's globs (a pattern with a '.' against
 *     "module.name", one without against the name alone), and the closest
 *     names for a pattern that matches nothing;
 *   - units: the scale a value in ns or bytes reads best in;
 *   - numbers written so that they read back as the same double.
 *
 * --where EXPR keeps the runs for which every term of EXPR holds:
 *
 *	EXPR  := TERM { ("&&" | ",") TERM }
 *	TERM  := ["$"]NAME OP VALUE { "|" VALUE }	(alternatives: = and != only)
 *	OP    := "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
 *	VALUE := 'text' | "text" | text up to a blank, '|', ',' or '&'
 *
 * NAME is an iteration variable, else a run attribute (configname,
 * runnumber, repetition, configHash, preset, ...), or "status".  A run that
 * lacks NAME has the value "".  Values compare as numbers when both read
 * as numbers the way scenario constraints read them ("4", "80us" in ns,
 * "4KiB" in bytes), else as text; < <= > >= need numbers (a run without
 * the name fails them).  "$kernel=linux-6.6|linux-6.15" keeps runs of
 * either kernel.  Several --where options must all hold.
 */
#ifndef FAULTSIM_CLI_RUNS_H
#define FAULTSIM_CLI_RUNS_H

#include <stdio.h>
#include <glib.h>
#include "analysis/resultdb.h"

/* One run of a results database. */
struct cli_run {
	gint64 id;			/* runId */
	guint runnumber, repetition;
	const char *configname;		/* these point into @attrs */
	const char *iterationvars;
	const char *config_hash;
	const char *status;
	GHashTable *vars;		/* iteration variable -> value */
	GPtrArray *var_order;		/* its names, in recorded order */
	GHashTable *attrs;		/* runAttr name -> value, and "status" */
	guint config_index;		/* first-seen order of its configuration */
};

struct cli_runs {
	GPtrArray *runs;		/* struct cli_run, selected, study order */
	GPtrArray *var_names;		/* iteration variables of the selected
					 * runs, first-seen order */
	GHashTable *by_id;		/* runId (gint64 *) -> struct cli_run */
	guint nr_candidates;		/* runs before --where */
};

/*
 * The runs of @db (status "done", or any with @all_statuses) for which
 * every expression of @where (NULL-terminated, may be NULL) holds.
 * Errors: SIM_ERROR_PARSE for a malformed expression, SIM_ERROR_UNKNOWN
 * for a name no run has, SIM_ERROR_RANGE for an order comparison with
 * text, SIM_ERROR_IO for the database.  No run kept is not an error.
 */
struct cli_runs *cli_runs_load(struct fs_resultdb *db, const char *const *where,
			       gboolean all_statuses, GError **error);
void cli_runs_free(struct cli_runs *runs);
typedef struct cli_runs cli_runs;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cli_runs, cli_runs_free)

/* The value of @name ("$" allowed) for @run: an iteration variable, else a
 * run attribute or "status"; NULL if the run has none. */
const char *cli_run_value(const struct cli_run *run, const char *name);
/* Whether some run of @runs has @name (as cli_run_value()). */
gboolean cli_runs_have(const struct cli_runs *runs, const char *name);
/* "iteration variables: a, b; run attributes: configname, ..." for an
 * error message about an unknown name. */
char *cli_runs_describe_names(const struct cli_runs *runs);
/* A short text naming @run's configuration: its iteration variables
 * ("rho=0.5, cpu=0.3"), prefixed with the configname when @with_config. */
char *cli_run_label(const struct cli_run *run, gboolean with_config);

/* Exit status for @error: 1 for a failure of the database or a file
 * (SIM_ERROR_IO), else 2 (bad input). */
int cli_exit_status(const GError *error);

/* Whether "module.name" or "name" matches one of @patterns (report's
 * rule: with a '.', the whole name). */
gboolean cli_glob_match(const char *const *patterns, const char *module,
			const char *name);
gboolean cli_glob_match1(const char *pattern, const char *module,
			 const char *name);
/* Up to @max names of @candidates (char *) closest to @pattern (edit
 * distance, a name holding the pattern's literal text first), ", "
 * separated; "" when there are none. */
char *cli_closest_names(const char *pattern, const GPtrArray *candidates,
			guint max);

/* @v as the shortest decimal text that reads back as @v; "nan", "inf",
 * "-inf" when not finite. */
void cli_format_double(char buf[static 32], double v);

/* How a quantity with @unit is best shown, given the largest magnitude
 * @max it takes: *@scale to divide by and the unit to print ("ns" ->
 * "us", "ms", "s"; "B" -> "KiB", "MiB", "GiB"; others as they are).
 * Returns the unit shown (static or @unit itself). */
const char *cli_unit_scale(const char *unit, double max, double *scale);

/* Read @text as a number as scenario constraints do: plain, a time (ns)
 * or a size (bytes); *@kind gets 'n', 't' or 's'. */
gboolean cli_parse_number(const char *text, double *out, char *kind);

/* Append @s to @out as one CSV field (RFC 4180): quoted, with its quotes
 * doubled, if it holds a comma, a quote or a line break. */
void cli_csv_field(GString *out, const char *s);

#endif /* FAULTSIM_CLI_RUNS_H */
