/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the scenario layer shared by its three files:
 *
 *	ini.c		the line-numbered INI reader and the extends chains
 *	expr.c		constraint expressions
 *	scenario.c	value templates, study expansion, run configurations
 *
 * Nothing here is part of the library's interface.
 */
#ifndef FAULTSIM_SIM_SCENARIO_PRIVATE_H
#define FAULTSIM_SIM_SCENARIO_PRIVATE_H

#include "sim/config/scenario.h"

/* ---------------------------------------------------------------------- */
/* ini.c */

struct sim_tmpl;

/* One "key = value" line of a file, or one --set override. */
struct sim_entry {
	const char *origin;		/* file path or "--set" (not owned) */
	guint line;			/* from 1 */
	char *key;
	char *value;			/* trimmed, comments removed */
	const struct sim_key_def *def;	/* filled in by the study */
	struct sim_tmpl *tmpl;		/* likewise; NULL for literal keys */
};

struct ini_section {
	char *name;			/* "General" or the config's NAME */
	guint line;			/* header line; 0: implicit General */
	GPtrArray *entries;		/* struct sim_entry *, file order */
	struct ini_section *base;	/* extended section; NULL for General */
	struct sim_entry *extends;	/* its extends line, or NULL */
	struct sim_entry *description;	/* its description line, or NULL */
};

struct ini_file {
	char *path;
	GPtrArray *sections;		/* struct ini_section *; General first */
};

/* Read and check @path: syntax, duplicate sections and keys, extends
 * targets and cycles.  Errors are "PATH:LINE: ...". */
struct ini_file *ini_file_read(const char *path, GError **error);
/* An empty file holding only an implicit [General], for studies without
 * a scenario file. */
struct ini_file *ini_file_new_empty(void);
void ini_file_free(struct ini_file *ini);
/* The section called @name ("General" or a config name), or NULL. */
struct ini_section *ini_file_find(const struct ini_file *ini,
				  const char *name);
/* "General, A, B": the config names, for messages.  g_free() it. */
char *ini_file_config_names(const struct ini_file *ini);

struct sim_entry *sim_entry_new(const char *origin, guint line,
				const char *key, const char *value);
void sim_entry_free(struct sim_entry *e);

/* ---------------------------------------------------------------------- */
/* scenario.c */

void sim_tmpl_free(struct sim_tmpl *t);

/* ---------------------------------------------------------------------- */
/* expr.c */

struct sim_expr;

/* The value of variable @name, or NULL if there is none. */
typedef const char *sim_expr_lookup_fn(const char *name, void *data);

/* Parse @text; errors are "bad constraint 'TEXT': at column N: ...". */
struct sim_expr *sim_expr_parse(const char *text, GError **error);
void sim_expr_free(struct sim_expr *e);
/* The variables @e refers to, without duplicates, in order of first use;
 * NULL-terminated, owned by @e. */
const char *const *sim_expr_vars(const struct sim_expr *e);
/* Evaluate @e to a truth value; fails on text in arithmetic, comparisons
 * of text with numbers, division by zero, a text result, and a variable
 * that @lookup does not know. */
gboolean sim_expr_eval(const struct sim_expr *e, sim_expr_lookup_fn *lookup,
		       void *data, gboolean *result, GError **error);
/* Read @text as a number the way expressions do: a plain number, a time
 * (in ns) or a size (in bytes).  FALSE if it is text. */
gboolean sim_expr_number(const char *text, double *out);

#endif /* FAULTSIM_SIM_SCENARIO_PRIVATE_H */
