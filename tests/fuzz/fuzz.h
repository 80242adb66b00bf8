/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a fuzzing harness of tests/fuzz/ is: libFuzzer's entry point, and
 * a name, for the replay program (replay.c) that feeds the regression
 * corpus tests/fuzz/corpus/NAME/ through the same entry point under
 * `make check`, with any compiler.
 */
#ifndef FAULTSIM_TESTS_FUZZ_H
#define FAULTSIM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

/* Take one input; return 0.  Bad input must end in an error, never a
 * crash, an abort, a GLib critical or an exhausted memory. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "scenario" or "expr": the corpus folder and the test paths. */
extern const char fuzz_harness_name[];

/* Inputs too big to keep in the tree, made by the harness for the
 * replay: each call fills @name and @input (g_free() both) and returns
 * TRUE, until there are no more (@i counts from 0). */
int fuzz_generated_input(unsigned int i, char **name, char **input, size_t *size);

/* Make GLib warnings, criticals and errors fatal through abort(): g_error()
 * alone traps (SIGTRAP), which libFuzzer does not catch, so it would save
 * no crash input. */
static inline void fuzz_log_abort(const gchar *domain, GLogLevelFlags level,
				  const gchar *message, gpointer data)
{
	if (!(level & (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL |
		       G_LOG_LEVEL_WARNING))) {
		g_log_default_handler(domain, level, message, data);
		return;
	}
	fprintf(stderr, "%s: %s\n", domain ? domain : "glib", message);
	abort();
}

static inline void fuzz_fatal_logs(void)
{
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	g_log_set_default_handler(fuzz_log_abort, NULL);
}

#endif /* FAULTSIM_TESTS_FUZZ_H */
