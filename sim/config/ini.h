/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scenario file reader (ini.c): a line-numbered INI parser and the
 * checks that need the whole file (sections, duplicates, extends chains).
 * For the study (scenario.c), which reads a file with it and then fills in
 * each entry's key definition and value template; not part of the
 * library's interface.
 */
#ifndef FAULTSIM_SIM_CONFIG_INI_H
#define FAULTSIM_SIM_CONFIG_INI_H

#include "sim/core/types.h"

struct sim_key_def;
struct sim_tmpl;

/* One "key = value" line of a file, or one --set override. */
struct sim_entry {
	const char *origin;		/* file path or "--set" (not owned); one
					 * pointer per read of a file, so that two
					 * entries come from the same read of the
					 * same file exactly when they are equal */
	guint line;			/* from 1 */
	char *key;
	char *value;			/* trimmed, comments removed */
	/* Filled in by the study, which owns them: the key's definition and
	 * the value's template (NULL for literal keys). */
	const struct sim_key_def *def;
	struct sim_tmpl *tmpl;
};

struct ini_section {
	char *name;			/* "General" or the config's NAME */
	guint line;			/* header line; 0: implicit General */
	const char *origin;		/* file of the header line (not owned) */
	guint index;			/* in ini_file.sections */
	GPtrArray *entries;		/* struct sim_entry *, file order */
	GHashTable *by_key;		/* key -> struct sim_entry * */
	struct ini_section *base;	/* extended section; NULL for General */
	struct sim_entry *extends;	/* its extends line, or NULL */
	struct sim_entry *description;	/* its description line, or NULL */
};

struct ini_file {
	char *path;
	GPtrArray *origins;		/* char *: the path of each included
					 * file read, one string per read */
	GPtrArray *sections;		/* struct ini_section *; General first */
	GHashTable *by_name;		/* name -> struct ini_section * */
};

/* Read and check @path: syntax, includes, duplicate sections and keys,
 * extends targets and cycles.  Errors are "PATH:LINE: ...", PATH the file
 * (included or not) that has the line.  Time and memory are linear in the
 * size of the text read (the file and what it includes). */
struct ini_file *ini_file_read(const char *path, GError **error);
/* An empty file holding only an implicit [General], for studies without
 * a scenario file. */
struct ini_file *ini_file_new_empty(void);
void ini_file_free(struct ini_file *ini);
/* The section called @name ("General" or a config name), or NULL. */
struct ini_section *ini_file_find(const struct ini_file *ini,
				  const char *name);
/* "General, A, B": the config names, for messages (the first 20, then
 * "and N more").  g_free() it. */
char *ini_file_config_names(const struct ini_file *ini);

struct sim_entry *sim_entry_new(const char *origin, guint line,
				const char *key, const char *value);
/* Free @e (NULL allowed); not its template, which is the study's. */
void sim_entry_free(struct sim_entry *e);

#endif /* FAULTSIM_SIM_CONFIG_INI_H */
