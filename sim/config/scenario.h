/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scenario files and parameter studies, in the shape OMNeT++ users know.
 *
 * A scenario is an INI file:
 *
 *	# comment             ; comment too
 *	[General]
 *	machine.cpus = 8
 *	disk.latency = lognormal(80us,0.3)   # trailing comment
 *
 *	[Config Retry]
 *	description = retry policies under writers
 *	extends = Base
 *	policy.retry = ${p=once,first-drop,unlimited}
 *	workload.app.threads = ${n=1..64 x2}
 *	repeat = 5
 *
 * Lines: "[General]", "[Config NAME]" (NAME of letters, digits, '_', '-'),
 * "key = value", blank lines, and comment lines starting with '#' or ';'.
 * A '#' or ';' after whitespace and outside quotes starts a comment at the
 * end of a line.  A line ending in '\' continues on the next; '\r\n' line
 * ends are fine.  Each section appears at most
 * once; each key at most once per section; no key before the first
 * section.  [General] may be absent (it is then empty).
 *
 * Includes: "include = FILE" reads FILE's lines in place of the include
 * line (OMNeT++'s directive), FILE relative to the directory of the file
 * that names it, so that a machine profile written by `faultsim calibrate`
 * serves every scenario: "[General]" then "include = host.ini".  Lines of
 * FILE before its first header belong to the section of the include line;
 * after the include the including file goes on in its own section.  A key
 * may be set once per file; a later line (of the including file, or of a
 * later include) replaces a key an include set.  Only regular files are
 * read; includes nest at most 16 deep, a cycle is an error, and an error
 * in an included file names it and its line, then "(included from
 * FILE:LINE)".
 *
 * Inheritance: a config extends at most one other config (extends = NAME;
 * "extends = General" is the same as leaving it out), and every chain ends
 * in [General].  The most specific section that sets a key wins; --set
 * overrides win over all.  A missing target or a cycle is an error.
 * "description" belongs to its own config and is not inherited.
 *
 * Every section of the file is checked, whichever config is run: keys must
 * be registered (sim/config/keys.h) and values without variables must be valid.
 * The chosen config is then expanded and every run's values checked, so a
 * value bad in only the 40th run is reported before anything runs.
 *
 * Parameter studies, inside values:
 *
 *	${x=1,2,4}		named iteration variable x
 *	${1,2,4}		anonymous (shown as $0, $1, ... in order)
 *	${n=1..64 step 2}	1, 3, 5, ..., 63: adds the step (default 1)
 *	${n=1..64 x2}		1, 2, 4, ..., 64: multiplies by the factor
 *	${lat=10us,100us,1ms}	values may have units, or be text:
 *	${p=once,first-drop}
 *	${lat=10us..1ms x10}	ranges too, if both ends have the same unit
 *	${y=a,b,c ! x}		lock-step: y advances together with x (same
 *				number of values)
 *	$x, ${x}		the value of x in this run
 *	$$			a dollar sign
 *
 * List items are split at commas outside parentheses, so distributions can
 * be swept: ${d=exp(5us),lognormal(80us,0.3)}.  A single item containing
 * ".." is a range.  Items cannot contain variables.  A range ends at its
 * last value not beyond the upper end and has at most 100000 values.
 * Predefined variables: $repetition, $runnumber, $configname (the
 * constraint may use only $configname of these).
 *
 * Study keys (registered by sim_keys_new()):
 *
 *	repeat = N		repetitions of every combination (default 1)
 *	constraint = EXPR	runs for which EXPR is false are left out
 *	seed-set = TEXT		default ${repetition}; ${runnumber} gives
 *				every run its own seed
 *	seed = N		base seed (default 0)
 *
 * The constraint language (sim/config/expr.c): numbers with units (times in ns,
 * sizes in bytes), text in quotes, $x and ${x} for iteration variables,
 * + - * /, comparisons, && || !, parentheses.
 *
 * Numbering: the loop variables (iteration variables not locked to
 * another) in the order they first appear in the resolved configuration —
 * --set overrides first, then the chosen config's lines in file order,
 * then those of the config it extends, ..., then [General] — nested with
 * the last one innermost, and the repetition innermost of all.  Runs that
 * fail the constraint are left out and the rest numbered densely from 0,
 * so that run 17 of a study is always the same run.
 *
 * Seeds: a run's seed is a hash of (base seed, the seed-set text after
 * substitution): with the default ${repetition}, repetition k of every
 * variant gets the same seed (common random numbers).
 *
 * Errors are GErrors in SIM_ERROR: "FILE:LINE: key 'KEY': MESSAGE", or
 * "FILE:LINE: MESSAGE" for lines that are not entries, "FILE: MESSAGE" for
 * the file as a whole (unknown config, too many runs), "--set:N: ..." for
 * the N-th override (from 1).  A value that depends on variables ends with
 * the values of the first run that failed: "(with $n=128)".  Codes:
 * SIM_ERROR_PARSE (malformed), SIM_ERROR_UNKNOWN (unknown key, config,
 * variable or choice), SIM_ERROR_RANGE (out of range), SIM_ERROR_IO.
 *
 * A study does not hold its runs: each is built when asked for, so that a
 * study of a million runs costs little more memory than one of ten
 * (sim_study_run_new() for walking many runs; sim_study_run() keeps what
 * it built for the study's life).  A study is immutable once made:
 * sim_study_run() and sim_study_run_new() may be called from several
 * threads at once.
 */
#ifndef FAULTSIM_SIM_SCENARIO_H
#define FAULTSIM_SIM_SCENARIO_H

#include <stdint.h>
#include "sim/core/types.h"
#include "sim/config/keys.h"

struct sim_study;
typedef struct sim_study sim_study;	/* for g_autoptr() */
struct sim_run_config;
typedef struct sim_run_config sim_run_config;

struct sim_run_pair {
	const char *name;
	const char *value;
};

/*
 * One run of a study, fully resolved.  Read-only; from sim_study_run()
 * owned by the study, from sim_study_run_new() by the caller; valid no
 * longer than the study either way.
 */
struct sim_run_config {
	const char *config_name;	/* "General" or the [Config NAME] */
	const char *ini_path;		/* NULL if the study had no file */
	const char *description;	/* the config's own, or NULL */
	guint runnumber;		/* dense, from 0 */
	guint repetition;		/* 0 .. repeat-1 */
	uint64_t seed;			/* hash of (base seed, seedset) */
	const char *seedset;		/* seed-set after substitution */
	/* Iteration variables in order of appearance ("x", "0" for the
	 * first anonymous one), locked ones included. */
	const struct sim_run_pair *itervars;
	guint n_itervars;
	const char *iterationvars;	/* "$x=1, $n=4" */
	/* Resolved key = value pairs in a stable order (that of the resolved
	 * configuration), values after substitution: every key set by the
	 * config chain or --set, except the study's own (description,
	 * extends, repeat, seed-set, constraint). */
	const struct sim_run_pair *entries;
	guint n_entries;
	const char *hash;		/* see sim_run_config_hash() */
	const struct sim_keys *keys;	/* the registry it was checked with */
	const struct sim_study *study;
};

/*
 * Parse the scenario at @ini_path (NULL: none, only @set_overrides), check
 * it against @keys, expand config @config_name (NULL: "General") with the
 * NULL-terminated "key=value" @set_overrides (may be NULL), apply the
 * constraint and check every run.  @keys must outlive the study.
 */
struct sim_study *sim_study_new(const char *ini_path, const char *config_name,
				char **set_overrides,
				const struct sim_keys *keys, GError **error);
void sim_study_free(struct sim_study *study);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_study, sim_study_free)

/* Number of runs (after the constraint); at least 1. */
guint sim_study_nr_runs(const struct sim_study *study);
/* Run @runnumber (< nr_runs), built now: the caller frees it with
 * sim_run_config_free(), before the study. */
struct sim_run_config *sim_study_run_new(const struct sim_study *study,
					 guint runnumber);
void sim_run_config_free(struct sim_run_config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_run_config, sim_run_config_free)
/* Run @runnumber (< nr_runs), built on the first call and kept by the
 * study (for a few runs: a walk over many uses sim_study_run_new()). */
const struct sim_run_config *sim_study_run(const struct sim_study *study,
					   guint runnumber);
/* Runs with the same number here have the same values (the same resolved
 * keys): the repetitions of a combination, unless a value uses $repetition
 * or $runnumber.  Runs with different numbers may have the same values
 * too. */
guint sim_study_values_of(const struct sim_study *study, guint runnumber);
const char *sim_study_config_name(const struct sim_study *study);

/* The value of @key in @cfg's resolved configuration, NULL if unset. */
const char *sim_run_config_lookup(const struct sim_run_config *cfg,
				  const char *key);
/* A stable hex SHA-256 of the resolved entries (sorted by key) and the
 * seed: equal for two runs that simulate the same thing, whatever their
 * config name, run number or description; different if a value changes. */
const char *sim_run_config_hash(const struct sim_run_config *cfg);

/*
 * Typed getters on one run's resolved configuration (runconfig.c).  @key is a concrete
 * name ("workload.app.threads"); its definition must be registered with
 * the right type (else a programming error).  The run's value is used if
 * the scenario set the key, else the definition's default.  Values were
 * validated when the study was made, so these cannot fail.
 */
int64_t sim_config_get_int(const struct sim_run_config *cfg, const char *key);
uint64_t sim_config_get_uint(const struct sim_run_config *cfg,
			     const char *key);
double sim_config_get_double(const struct sim_run_config *cfg,
			     const char *key);
gboolean sim_config_get_bool(const struct sim_run_config *cfg,
			     const char *key);
sim_time_t sim_config_get_time(const struct sim_run_config *cfg,
			       const char *key);
uint64_t sim_config_get_size(const struct sim_run_config *cfg,
			     const char *key);
/* A new distribution (sim_dist_free() it) in the key's unit; NULL if the
 * key is unset and has no default. */
struct sim_dist *sim_config_get_dist(const struct sim_run_config *cfg,
				     const char *key);
/* The text as written (any type); NULL if unset without a default. */
const char *sim_config_get_string(const struct sim_run_config *cfg,
				  const char *key);
/* The index of the value in the definition's choices. */
guint sim_config_get_enum(const struct sim_run_config *cfg, const char *key);
/* Whether the scenario set @key (defaults do not count). */
gboolean sim_config_is_set(const struct sim_run_config *cfg, const char *key);
/* The user-chosen names under @prefix, for keys whose next segment is a
 * wildcard: "workload" -> { "app", "writer" }, in order of first
 * appearance in the run's configuration.  g_strfreev() it. */
char **sim_config_names(const struct sim_run_config *cfg, const char *prefix);

/*
 * Parse a run filter against a study of @nr_runs runs: NULL, "" or "all"
 * for every run; otherwise a comma list of N, A..B, A.. (to the last run)
 * and ..B (from 0).  Returns the run numbers sorted, without duplicates,
 * as a GArray of guint; an out-of-range run is a SIM_ERROR_RANGE error.
 */
GArray *sim_study_parse_runs(const char *spec, guint nr_runs, GError **error);

/* One config of a scenario file, for listings. */
struct sim_scenario_config {
	char *name;		/* "General" or the config's NAME */
	char *description;	/* its own description, or NULL */
	char *extends;		/* its extends value as written, or NULL */
	guint line;		/* its header line, 0 if [General] is implicit */
};

/* The configs of the file at @path, [General] first then in file order,
 * after the file's structural checks (syntax, duplicates, extends).  An
 * array of struct sim_scenario_config * that frees them. */
GPtrArray *sim_scenario_list_configs(const char *path, GError **error);

/* The policy plugins a study of @ini_path (may be NULL) with the "key=value"
 * @set_overrides (may be NULL) names: the comma-separated paths of every
 * `plugin = ...` line in every section of the file (each section is
 * checked whichever config runs, so all are needed), relative to the
 * file's directory, then those of --set plugin=... as written; without
 * duplicates, NULL-terminated (g_strfreev() it).  To be loaded before the
 * study is made.  Plugin paths cannot use iteration variables. */
char **sim_scenario_plugins(const char *ini_path, char **set_overrides,
			    GError **error);

#endif /* FAULTSIM_SIM_SCENARIO_H */
