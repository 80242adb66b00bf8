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

typedef int64_t sim_time_t;

#define SIM_TIME_MAX INT64_MAX

#define NSEC_PER_USEC 1000LL
#define NSEC_PER_MSEC 1000000LL
#define NSEC_PER_SEC 1000000000LL

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

#endif /* FAULTSIM_SIM_TYPES_H */
