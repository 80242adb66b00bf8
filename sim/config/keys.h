/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The registry of configuration keys: every model component declares the
 * keys it reads ("machine.cpus", "disk.latency", "workload.*.threads") in a
 * static table of struct sim_key_def, and the scenario layer (scenario.h)
 * validates every key and every value of a scenario against the union of
 * those tables before anything runs.
 *
 * Key names are dotted paths: segments of letters, digits, '_' and '-',
 * separated by '.'.  In a definition, one whole segment may be "*": it
 * stands for a name the user chooses ("workload.*.threads" accepts
 * "workload.app.threads" and "workload.writer.threads").  A key written
 * without a wildcard wins over a pattern that also matches it; two patterns
 * that could match the same key are a programming error.
 *
 * Values are text, checked per type:
 *
 *	SIM_KEY_INT	a whole number, optionally signed ("-3", "1e3")
 *	SIM_KEY_UINT	a non-negative whole number (sim_parse_uint)
 *	SIM_KEY_DOUBLE	a finite number (sim_parse_double)
 *	SIM_KEY_BOOL	true/false, yes/no, on/off, 1/0 (any case)
 *	SIM_KEY_TIME	a time with its unit, kept in ns (sim_parse_time)
 *	SIM_KEY_SIZE	a size with its unit, in bytes (sim_parse_size)
 *	SIM_KEY_DIST	a distribution whose values are in @unit (sim_dist_parse)
 *	SIM_KEY_STRING	any text
 *	SIM_KEY_ENUM	one of the NULL-terminated @choices (case-sensitive)
 *
 * Numbers (int, uint, double, time, size) may have bounds, written as text
 * in the key's own unit (.min = "1", .max = "1024"; .min = "1us"); NULL
 * means unbounded on that side.  Bounds are inclusive.
 *
 * Defaults are text too and are checked when the table is added (a bad
 * default is a programming error).  Every number, bool and enum key has a
 * default; a string or distribution key may have none (its getter,
 * scenario.h, then returns NULL: "not set").
 *
 * The registry holds pointers into the tables given to sim_keys_add(): they
 * must outlive it (static const tables do).  A registry is filled once, then
 * only read: reading it from several threads at once is safe.
 *
 * sim_keys_new() registers the "general" keys that scenarios use for
 * themselves: description, extends, repeat, seed-set, constraint, seed,
 * sim-time-limit, warmup-period, plugin (see keys.c for their meaning).
 */
#ifndef FAULTSIM_SIM_KEYS_H
#define FAULTSIM_SIM_KEYS_H

#include <stdint.h>
#include "sim/core/types.h"
#include "sim/core/dist.h"

enum sim_key_type {
	SIM_KEY_INT,
	SIM_KEY_UINT,
	SIM_KEY_DOUBLE,
	SIM_KEY_BOOL,
	SIM_KEY_TIME,
	SIM_KEY_SIZE,
	SIM_KEY_DIST,
	SIM_KEY_STRING,
	SIM_KEY_ENUM,
};

struct sim_run_config;			/* scenario.h */

struct sim_key_def {
	const char *name;		/* "machine.cpus", "workload.*.threads" */
	enum sim_key_type type;
	const char *defval;		/* default as text; NULL: none */
	const char *min;		/* numbers: inclusive bounds as text, */
	const char *max;		/* NULL: unbounded */
	enum sim_unit unit;		/* SIM_KEY_DIST: unit of its values */
	const char *const *choices;	/* SIM_KEY_ENUM: NULL-terminated */
	const char *help;		/* one line */
	/* Optional: whether the key may be set in run @cfg, given the run's
	 * other values (a workload key and the group's kind); FALSE with a
	 * message, which the study prefixes with where the key was set. */
	gboolean (*check_run)(const struct sim_key_def *def, const struct sim_run_config *cfg,
			      const char *key, GError **error);
};

struct sim_keys;
typedef struct sim_keys sim_keys;	/* for g_autoptr() */

/* A new registry holding the general keys. */
struct sim_keys *sim_keys_new(void);
void sim_keys_free(struct sim_keys *keys);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_keys, sim_keys_free)

/* Register the @n definitions of @defs (kept by pointer); a malformed name,
 * a duplicate, an overlapping pattern or a bad default is an assertion. */
void sim_keys_add(struct sim_keys *keys, const struct sim_key_def *defs,
		  size_t n);
/* Free @data with @destroy when @keys is freed (after its definitions):
 * the owner of tables built at run time, which must outlive @keys. */
void sim_keys_adopt(struct sim_keys *keys, gpointer data, GDestroyNotify destroy);

/* The definition that governs key @name (exact names first), or NULL. */
const struct sim_key_def *sim_keys_lookup(const struct sim_keys *keys,
					  const char *name);

/* A registered key close to the unknown @bad (edit distance, or the same
 * last segments), with the user's own name put in a wildcard segment; NULL
 * if nothing is close.  g_free() it. */
char *sim_keys_suggest(const struct sim_keys *keys, const char *bad);

/* Check @value against @def: "bad value 'fast': accepted are once, ...",
 * "out of range '0': accepted are 1 .. 1024", or the units/dist message. */
gboolean sim_keys_check_value(const struct sim_key_def *def,
			      const char *value, GError **error);

/* Look @name up and check @value; an unknown key is a SIM_ERROR_UNKNOWN
 * "unknown key; did you mean 'machine.cpus'?" (or "...; see 'faultsim
 * list keys'").  The caller prefixes where and which key.  Sets *@def_out
 * (may be NULL) to the definition found. */
gboolean sim_keys_check(const struct sim_keys *keys, const char *name,
			const char *value, const struct sim_key_def **def_out,
			GError **error);

/* Whether @name is a well-formed key name (no wildcard). */
gboolean sim_key_name_valid(const char *name);

typedef void sim_keys_foreach_fn(const struct sim_key_def *def, void *data);
/* Call @fn on every definition, in registration order. */
void sim_keys_foreach(const struct sim_keys *keys, sim_keys_foreach_fn *fn,
		      void *data);

/* "uint", "time", "distribution of times", "one of", ... for listings. */
const char *sim_key_type_name(const struct sim_key_def *def);
/* What @def accepts, in words: "a whole number from 1 to 1024",
 * "once, first-drop or unlimited", "a distribution of times such as
 * exp(5us)".  g_free() it. */
char *sim_key_describe(const struct sim_key_def *def);

/* A value of a key, read by the key's type (sim_key_parse_value()). */
struct sim_key_value {
	int64_t s;		/* SIM_KEY_INT, SIM_KEY_TIME (ns) */
	uint64_t u;		/* SIM_KEY_UINT, SIM_KEY_SIZE (bytes) */
	double d;		/* SIM_KEY_DOUBLE */
	gboolean b;		/* SIM_KEY_BOOL */
	guint choice;		/* SIM_KEY_ENUM: index in @choices */
};

/* Read @text as a value of @def into the field of *@out its type uses
 * (distribution and string keys have none: their text is the value).
 * Bounds are not checked (sim_keys_check_value() does that); FALSE with
 * an error if @text is not of the type. */
gboolean sim_key_parse_value(const struct sim_key_def *def, const char *text,
			     struct sim_key_value *out, GError **error);

#endif /* FAULTSIM_SIM_KEYS_H */
