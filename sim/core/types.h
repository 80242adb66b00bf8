/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Basic types shared by every part of the simulator.
 *
 * Simulated time is an integer count of nanoseconds since the start of a
 * run.  It is never derived from the wall clock: model code has no way to
 * read the host's time, so a run is a pure function of its scenario and
 * seed.
 */
#ifndef FAULTSIM_SIM_TYPES_H
#define FAULTSIM_SIM_TYPES_H

#include <stdint.h>
#include <glib.h>
/* sim_time_t, NSEC_PER_*, FS_API: shared with the plugin interface. */
#include "faultsim/types.h"

#define SIM_TIME_MAX INT64_MAX

/*
 * FS_INLINE: a function of the plugin interface (declared FS_API in
 * include/faultsim/) whose body lives in an internal header: inline for
 * the simulator, emitted once out of line for plugins by
 * sim/kernel/plugin-api.c, which defines FS_INLINE_EMIT.
 */
#ifdef FS_INLINE_EMIT
#define FS_INLINE
#else
#define FS_INLINE extern inline __attribute__((gnu_inline))
#endif

/* Error domain for every runtime failure the library reports (bad input,
 * I/O).  Programming errors are assertions, not GErrors. */
#define SIM_ERROR (sim_error_quark())
GQuark sim_error_quark(void);

enum sim_error_code {
	SIM_ERROR_PARSE,	/* malformed text: a unit, a number, a spec */
	SIM_ERROR_RANGE,	/* well-formed but out of the accepted range */
	SIM_ERROR_UNKNOWN,	/* a name that is not one of the accepted ones */
	SIM_ERROR_IO,		/* files, the database */
	SIM_ERROR_FAILED,	/* anything else */
};

/*
 * SIM_CHECK(cond): a rule of an invariant checker.  Checkers run only when
 * sim_engine_checks() says so; a broken rule aborts with the file, line,
 * function and the rule's text.  Not a test assertion: it is compiled in
 * every build.
 */
#define SIM_CHECK(cond)							\
	do {								\
		if (G_UNLIKELY(!(cond)))				\
			sim_check_failed(__FILE__, __LINE__, G_STRFUNC, #cond); \
	} while (0)
G_NORETURN void sim_check_failed(const char *file, int line, const char *func,
				 const char *rule);

#endif /* FAULTSIM_SIM_TYPES_H */
