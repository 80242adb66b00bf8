/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Constraint expressions of parameter studies (expr.c: the grammar and
 * the values), for the study (scenario.c); not part of the library's
 * interface.
 */
#ifndef FAULTSIM_SIM_CONFIG_EXPR_H
#define FAULTSIM_SIM_CONFIG_EXPR_H

#include "sim/core/types.h"

struct sim_expr;

/* Parentheses and prefix operators ('-', '+', '!') nest at most this deep:
 * deeper is a parse error.  Chains of binary operators have no limit. */
#define SIM_EXPR_MAX_DEPTH 256

/* The value of variable @name, or NULL if there is none. */
typedef const char *sim_expr_lookup_fn(const char *name, void *data);

/* Parse @text; errors are "bad constraint 'TEXT': at column N: ..." (TEXT
 * cut to its first 57 bytes and "..." when longer than 60). */
struct sim_expr *sim_expr_parse(const char *text, GError **error);
void sim_expr_free(struct sim_expr *e);
/* The variables @e refers to, without duplicates, in order of first use;
 * NULL-terminated, owned by @e. */
const char *const *sim_expr_vars(const struct sim_expr *e);
/* Evaluate @e to a truth value; fails on text in arithmetic, comparisons
 * of text with numbers, division by zero, arithmetic that overflows (no
 * infinity or NaN is ever compared), a text result, and a variable that
 * @lookup does not know. */
gboolean sim_expr_eval(const struct sim_expr *e, sim_expr_lookup_fn *lookup,
		       void *data, gboolean *result, GError **error);
/* @text as messages quote it: whole up to 60 bytes, else its first 57
 * and "..." (cut between UTF-8 characters).  g_free() it. */
char *sim_expr_excerpt(const char *text);
/* Read @text as a number the way expressions do: a plain number, a time
 * (in ns) or a size (in bytes).  FALSE if it is text. */
gboolean sim_expr_number(const char *text, double *out);

#endif /* FAULTSIM_SIM_CONFIG_EXPR_H */
