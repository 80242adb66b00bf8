/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzing harness: a constraint expression (sim/config/expr.c), parsed,
 * evaluated and freed.
 *
 * The input's first line is the expression; each further line is a
 * variable, NAME=VALUE (a value reads as a number, a time, a size or
 * text, as an iteration variable's does).  A variable not given is
 * unknown to the evaluation.  The result must be an error or a truth
 * value; a crash, an abort, a GLib warning or critical or a leak is a
 * finding.
 */
#include "config.h"

#include <string.h>

#include "sim/config/expr.h"
#include "tests/fuzz/fuzz.h"

const char fuzz_harness_name[] = "expr";

static const char *lookup(const char *name, void *data)
{
	return g_hash_table_lookup(data, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) error = NULL;
	char *nl = strchr(text, '\n');
	struct sim_expr *e;
	gboolean result;

	fuzz_fatal_logs();
	if (nl) {
		*nl = '\0';
		for (char *l = nl + 1; *l;) {
			char *end = l + strcspn(l, "\n"), *eq;

			if (*end)
				*end++ = '\0';
			eq = strchr(l, '=');
			if (eq) {
				*eq = '\0';
				g_hash_table_insert(vars, l, eq + 1);
			}
			l = end;
		}
	}
	e = sim_expr_parse(text, &error);
	if (!e) {
		g_assert(error && error->domain == SIM_ERROR);
		return 0;
	}
	for (const char *const *v = sim_expr_vars(e); *v; v++)
		g_assert(**v != '\0');
	if (sim_expr_eval(e, lookup, vars, &result, &error))
		g_assert(error == NULL && (result == TRUE || result == FALSE));
	else
		g_assert(error && error->domain == SIM_ERROR);
	sim_expr_free(e);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Inputs too big for the tree (the replay makes them) */

static char *times(const char *head, const char *piece, guint n, const char *tail)
{
	GString *s = g_string_new(head);

	for (guint i = 0; i < n; i++)
		g_string_append(s, piece);
	g_string_append(s, tail);
	return g_string_free(s, FALSE);
}

int fuzz_generated_input(unsigned int i, char **name, char **input, size_t *size)
{
	static const struct {
		const char *name, *head, *piece, *tail;
		guint n;
	} gen[] = {
		/* eval() and node_free() recursed once per term: SIGSEGV. */
		{ "sum-100k", "$n", " + $n", " == 100001\nn=1", 100000 },
		{ "product-100k", "$n", " * $n", " == 1\nn=1", 100000 },
		{ "or-100k", "$n == 0", " || $n == 0", "\nn=1", 100000 },
		{ "and-100k", "$n == 1", " && $n == 1", "\nn=1", 100000 },
		/* The parser recursed once per parenthesis or prefix. */
		{ "parentheses-200k", "", "(", "1", 200000 },
		{ "not-200k", "", "!", "1", 200000 },
		{ "minus-200k", "", "- ", "1", 200000 },
	};

	if (i == G_N_ELEMENTS(gen)) {
		/* 100000 distinct variables in one expression. */
		GString *s = g_string_new("$v0");

		for (guint k = 1; k < 100000; k++)
			g_string_append_printf(s, " + $v%u", k);
		g_string_append(s, " > 0");
		for (guint k = 0; k < 100000; k++)
			g_string_append_printf(s, "\nv%u=%u", k, k);
		*name = g_strdup("variables-100k");
		*size = s->len;
		*input = g_string_free(s, FALSE);
		return TRUE;
	}
	if (i > G_N_ELEMENTS(gen))
		return FALSE;
	*name = g_strdup(gen[i].name);
	*input = times(gen[i].head, gen[i].piece, gen[i].n, gen[i].tail);
	*size = strlen(*input);
	return TRUE;
}
