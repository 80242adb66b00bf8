/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Values with units, as they appear in scenario files and on the command
 * line: times ("80us", "1.5ms"), sizes ("4KiB", "2GiB") and plain numbers.
 *
 * Grammar shared by every parser here:
 *
 *	[space] NUMBER [space] UNIT [space]
 *	NUMBER := DIGITS [ "." [DIGITS] ] [EXP] | "." DIGITS [EXP]
 *	EXP    := ("e" | "E") ["+" | "-"] DIGITS
 *
 * No sign is accepted (times and sizes are never negative; only
 * sim_parse_double() takes a "+" or "-").  Units are case-sensitive.  A
 * value of zero may omit its unit ("0").  Hexadecimal, "inf" and "nan" are
 * not numbers here.
 *
 * Exactness: the integer parsers work on the decimal digits themselves, not
 * on a double, so "9223372036854775807ns" and "1.5GiB" come out exact.
 * Times round to the nearest nanosecond, halves away from zero ("2.5ns" is
 * 3ns).  Sizes must come out a whole number of bytes ("1.5GiB" is accepted,
 * "1.3B" is not).  The _double variants give the correctly rounded double of
 * the decimal value, scaled to the base unit.
 *
 * Every failure is a GError in SIM_ERROR: SIM_ERROR_PARSE for malformed text
 * (missing or unknown unit, trailing junk), SIM_ERROR_RANGE for well-formed
 * but unacceptable values (negative, too large, not a whole number).  The
 * message quotes the text and says what is accepted.
 *
 * All functions are pure and thread-safe.
 */
#ifndef FAULTSIM_SIM_UNITS_H
#define FAULTSIM_SIM_UNITS_H

#include <stdint.h>
#include "sim/core/types.h"

/* Time: units ns, us (also µs), ms, s.  Rounded to the nearest ns; must fit
 * in sim_time_t. */
gboolean sim_parse_time(const char *text, sim_time_t *ns, GError **error);
/* Time in ns as a double, unrounded (for distribution arguments). */
gboolean sim_parse_time_double(const char *text, double *ns, GError **error);

/* Size: B, KiB, MiB, GiB, TiB (powers of 1024) or kB/KB, MB, GB, TB (powers
 * of 1000); must be a whole number of bytes that fits in 64 bits. */
gboolean sim_parse_size(const char *text, uint64_t *bytes, GError **error);
/* Size in bytes as a double, fractions allowed (for distribution arguments). */
gboolean sim_parse_size_double(const char *text, double *bytes, GError **error);

/* A count: the number grammar without a unit, and the value must be a whole
 * number that fits in 64 bits ("1000", "1e6"; not "1.5", "-1", "0x10"). */
gboolean sim_parse_uint(const char *text, uint64_t *out, GError **error);
/* A finite real number, optionally signed ("-0.5", "1e-3"). */
gboolean sim_parse_double(const char *text, double *out, GError **error);

/*
 * Format @ns in the largest of s, ms, us, ns that represents it exactly,
 * with an integer count: 80000 -> "80us", 1500000 -> "1500us",
 * 2000000000 -> "2s", 0 -> "0".  The result parses back to @ns.  A negative
 * value gets a leading "-" (and then does not parse back).  g_free() it.
 */
char *sim_format_time(sim_time_t ns);
/*
 * Format @bytes in the largest of TiB, GiB, MiB, KiB, B that represents it
 * exactly, with an integer count: 4096 -> "4KiB", 1000 -> "1000B",
 * 0 -> "0".  Decimal units are never chosen.  Parses back to @bytes.
 */
char *sim_format_size(uint64_t bytes);

#endif /* FAULTSIM_SIM_UNITS_H */
