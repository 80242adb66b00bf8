/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsing and formatting values with units (see units.h for the grammar).
 *
 * A number is first scanned into an exact decimal form, m * 10^e, where m
 * holds the significant digits without trailing zeros (the zeros are folded
 * into e).  m is 64 bits wide, so up to 19 significant digits are kept
 * exactly; further digits are dropped (the first one is remembered for
 * rounding, and whether any was non-zero, as "inexact").  The
 * integer results (times, sizes, counts) are then computed from m and e
 * with checked integer arithmetic, never through a double, and the double
 * results are the correctly rounded value of the string "<m>e<e>" given to
 * g_ascii_strtod() (locale-independent).
 *
 * Rounding a time with dropped digits: if the first dropped digit is the
 * tenths digit, it decides the rounding on its own (halves go up).  If it
 * is further right, rounding m * 10^e with e < 0 divides by D = 10^-e,
 * which is even; the dropped digits add less than one unit to the remainder
 * r, and 2r < D implies 2r <= D - 2 (both sides even), so a remainder below
 * one half stays below one half.  If it is further left, the value is at
 * least 10^19 ns and out of range anyway.
 *
 * No state outside the stack: every function is thread-safe.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "sim/core/units.h"

/* The decimal exponent saturates here: far beyond any representable value,
 * and far from int overflow. */
#define EXP_LIMIT 100000

struct number {
	uint64_t m;		/* significant digits, no trailing zero */
	long e;			/* value = m * 10^e, give or take dropped digits */
	char sign;		/* '+', '-' or 0 if none was written */
	bool full;		/* m was full: later digits were dropped */
	bool inexact;		/* ... and some of them were not zero */
	int first_dropped;	/* the first dropped digit, if full */
	long kept_zeros;	/* zeros folded into e before the first drop */
};

/* A unit: the value in base units is number * 10^pow10 * 1024^pow1024. */
struct unit {
	const char *name;
	int pow10;
	int pow1024;
};

/* A kind of value, for error messages and unit lookup. */
struct quantity {
	const char *what;
	const char *accepted;
	const struct unit *units;
	size_t n_units;
};

static const struct unit time_units[] = {
	{ "ns", 0, 0 },
	{ "us", 3, 0 },
	{ "\xc2\xb5s", 3, 0 },		/* U+00B5 MICRO SIGN */
	{ "\xce\xbcs", 3, 0 },		/* U+03BC GREEK SMALL LETTER MU */
	{ "ms", 6, 0 },
	{ "s", 9, 0 },
};

static const struct unit size_units[] = {
	{ "B", 0, 0 },
	{ "KiB", 0, 1 },
	{ "MiB", 0, 2 },
	{ "GiB", 0, 3 },
	{ "TiB", 0, 4 },
	{ "kB", 3, 0 },
	{ "KB", 3, 0 },
	{ "MB", 6, 0 },
	{ "GB", 9, 0 },
	{ "TB", 12, 0 },
};

static const struct quantity time_quantity = {
	.what = "time",
	.accepted = "a number and a unit ns, us, ms or s (e.g. 80us, 1.5ms)",
	.units = time_units,
	.n_units = G_N_ELEMENTS(time_units),
};

static const struct quantity size_quantity = {
	.what = "size",
	.accepted = "a number and a unit B, KiB, MiB, GiB, TiB (powers of 1024) "
		    "or kB, MB, GB, TB (powers of 1000) (e.g. 4KiB, 1.5GiB, 100MB)",
	.units = size_units,
	.n_units = G_N_ELEMENTS(size_units),
};

static const struct quantity uint_quantity = {
	.what = "whole number",
	.accepted = "a non-negative whole number (e.g. 1000, 1e6)",
};

static const struct quantity double_quantity = {
	.what = "number",
	.accepted = "a finite number (e.g. 0.5, -3, 1e-6)",
};

static void G_GNUC_PRINTF(5, 6)
set_error(GError **error, int code, const struct quantity *q,
	  const char *text, const char *reason_fmt, ...)
{
	g_autofree char *reason = NULL;
	va_list ap;

	va_start(ap, reason_fmt);
	reason = g_strdup_vprintf(reason_fmt, ap);
	va_end(ap);
	g_set_error(error, SIM_ERROR, code, "bad %s '%s': %s; expected %s",
		    q->what, text, reason, q->accepted);
}

static bool is_space(char c)
{
	return g_ascii_isspace(c);
}

static const char *skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* Append decimal digit @d to the exact form, or drop it when m is full. */
static void push_digit(struct number *num, int d, long *pending_zeros)
{
	uint64_t v = num->m;
	long i;

	if (num->full) {
		if (d != 0)
			num->inexact = true;
		return;
	}
	if (d == 0) {
		if (num->m != 0)
			(*pending_zeros)++;
		return;
	}
	for (i = 0; i <= *pending_zeros; i++) {
		if (!g_uint64_checked_mul(&v, v, 10))
			goto overflow;
	}
	if (!g_uint64_checked_add(&v, v, (uint64_t)d))
		goto overflow;
	num->m = v;
	*pending_zeros = 0;
	return;
overflow:
	/* Keep m; this digit and all later ones are dropped. */
	num->full = true;
	num->inexact = true;
	num->first_dropped = d;
	num->kept_zeros = *pending_zeros;
}

/*
 * Scan a number at @p (no leading space).  Returns the first character after
 * it, or NULL if there is no number there.
 */
static const char *scan_number(const char *p, struct number *num)
{
	long pending_zeros = 0, dropped_int_digits = 0, exp_part = 0;
	bool digits = false;

	memset(num, 0, sizeof(*num));
	if (*p == '+' || *p == '-')
		num->sign = *p++;

	for (; g_ascii_isdigit(*p); p++) {
		digits = true;
		push_digit(num, *p - '0', &pending_zeros);
		/* A dropped integer digit still scales the value by 10. */
		if (num->full)
			dropped_int_digits++;
	}
	if (*p == '.') {
		p++;
		for (; g_ascii_isdigit(*p); p++) {
			digits = true;
			push_digit(num, *p - '0', &pending_zeros);
			/* A kept fractional digit scales m by 1/10. */
			if (!num->full)
				num->e--;
		}
	}
	if (!digits)
		return NULL;

	/* An exponent only if digits follow: "1es" is 1 with unit "es". */
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		bool neg = false;

		if (*q == '+' || *q == '-')
			neg = *q++ == '-';
		if (g_ascii_isdigit(*q)) {
			for (; g_ascii_isdigit(*q); q++) {
				if (exp_part < EXP_LIMIT)
					exp_part = exp_part * 10 + (*q - '0');
			}
			if (neg)
				exp_part = -exp_part;
			p = q;
		}
	}

	if (num->m == 0) {
		num->e = 0;
	} else {
		num->e += pending_zeros + dropped_int_digits + exp_part;
		num->e = CLAMP(num->e, -2 * EXP_LIMIT, 2 * EXP_LIMIT);
	}
	return p;
}

/* The double nearest to m * 10^(e + pow10) * 1024^pow1024. */
static double number_to_double(const struct number *num, int pow10,
			       int pow1024)
{
	char buf[64];
	double v;

	if (num->m == 0)
		return 0.0;
	g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT "e%ld", num->m,
		   num->e + pow10);
	v = g_ascii_strtod(buf, NULL);
	v = ldexp(v, 10 * pow1024);
	return num->sign == '-' ? -v : v;
}

static bool checked_pow10_mul(uint64_t *v, long e)
{
	for (; e > 0; e--) {
		if (!g_uint64_checked_mul(v, *v, 10))
			return false;
	}
	return true;
}

/*
 * round(m * 10^e), halves away from zero, where @e is num->e plus the
 * unit's power of ten.  False on overflow of 64 bits.
 */
static bool number_round(const struct number *num, long e, uint64_t *out)
{
	uint64_t v = num->m, d = 1, q, r;

	if (v == 0) {
		*out = 0;
		return true;
	}
	if (num->full) {
		/* The last kept digit is worth 10^last, and m * 10^kept_zeros
		 * is at least (2^64 - 10) / 10 (that is why the next digit
		 * did not fit).  So from last >= 1 on it overflows; at
		 * last == 0 the first dropped digit is the tenths digit;
		 * below, dropped digits do not matter (see the top). */
		long last = e - num->kept_zeros;

		if (last >= 1)
			return false;
		if (last == 0) {
			if (!checked_pow10_mul(&v, e))
				return false;
			if (num->first_dropped >= 5 &&
			    !g_uint64_checked_add(&v, v, 1))
				return false;
			*out = v;
			return true;
		}
	}
	if (e >= 0) {
		if (!checked_pow10_mul(&v, e))
			return false;
		*out = v;
		return true;
	}
	/* m < 2^64 < 0.5 * 10^20, so from 10^-20 down it rounds to 0. */
	if (-e >= 20) {
		*out = 0;
		return true;
	}
	checked_pow10_mul(&d, -e);
	q = v / d;
	r = v % d;
	if (r >= d - r)
		q++;
	*out = q;
	return true;
}

enum exact_result { EXACT_OK, EXACT_OVERFLOW, EXACT_FRACTION };

/* m * 10^e * 2^pow2 exactly, if it is a whole number below 2^64. */
static enum exact_result number_exact(const struct number *num, long e,
				      long pow2, uint64_t *out)
{
	uint64_t v = num->m;

	if (v == 0) {
		*out = 0;
		return EXACT_OK;
	}
	if (num->inexact)
		return EXACT_OVERFLOW;	/* the caller tells which */
	if (e >= 0) {
		if (!checked_pow10_mul(&v, e))
			return EXACT_OVERFLOW;
	} else {
		/* 10^-e = 5^-e * 2^-e: divide out the fives here, the twos
		 * join the power of two.  v < 5^28, so a fraction shows up
		 * within 28 rounds even for a huge -e. */
		for (long i = 0; i < -e; i++) {
			if (v % 5 != 0)
				return EXACT_FRACTION;
			v /= 5;
		}
		pow2 += e;
	}
	if (pow2 >= 0) {
		if (pow2 >= 64 || v > (UINT64_MAX >> pow2))
			return EXACT_OVERFLOW;
		v <<= pow2;
	} else {
		if (-pow2 >= 64 || (v & ((UINT64_C(1) << -pow2) - 1)) != 0)
			return EXACT_FRACTION;
		v >>= -pow2;
	}
	*out = v;
	return EXACT_OK;
}

/*
 * Scan "[space] NUMBER [space] [UNIT] [space]" for quantity @q (which has
 * units) and set *@num and *@unit (a unit with no scaling when the value is
 * zero and none was written).  Signs are rejected here.
 */
static gboolean scan_with_unit(const char *text, const struct quantity *q,
			       struct number *num, const struct unit **unit,
			       GError **error)
{
	static const struct unit no_unit = { "", 0, 0 };
	const char *p, *u, *end;
	size_t len, i;

	p = skip_space(text);
	if (*p == '\0') {
		set_error(error, SIM_ERROR_PARSE, q, text, "empty");
		return FALSE;
	}
	end = scan_number(p, num);
	if (end == NULL || num->sign == '+') {
		set_error(error, SIM_ERROR_PARSE, q, text,
			  "does not start with a number");
		return FALSE;
	}
	if (num->sign == '-') {
		set_error(error, SIM_ERROR_RANGE, q, text,
			  "negative values are not allowed");
		return FALSE;
	}

	u = skip_space(end);
	for (end = u; g_ascii_isalpha(*end) || (unsigned char)*end >= 0x80;
	     end++)
		;
	len = (size_t)(end - u);
	if (len == 0) {
		if (*u != '\0') {
			set_error(error, SIM_ERROR_PARSE, q, text,
				  "unexpected '%s' after the number", u);
			return FALSE;
		}
		if (num->m != 0) {
			set_error(error, SIM_ERROR_PARSE, q, text,
				  "missing unit");
			return FALSE;
		}
		*unit = &no_unit;
		return TRUE;
	}

	*unit = NULL;
	for (i = 0; i < q->n_units; i++) {
		if (strlen(q->units[i].name) == len &&
		    memcmp(q->units[i].name, u, len) == 0) {
			*unit = &q->units[i];
			break;
		}
	}
	if (*unit == NULL) {
		set_error(error, SIM_ERROR_PARSE, q, text,
			  "unknown unit '%.*s'", (int)len, u);
		return FALSE;
	}

	end = skip_space(end);
	if (*end != '\0') {
		set_error(error, SIM_ERROR_PARSE, q, text,
			  "unexpected '%s' after the unit", end);
		return FALSE;
	}
	return TRUE;
}

/* Scan "[space] NUMBER [space]" with no unit. */
static gboolean scan_plain(const char *text, const struct quantity *q,
			   struct number *num, GError **error)
{
	const char *p, *end;

	p = skip_space(text);
	if (*p == '\0') {
		set_error(error, SIM_ERROR_PARSE, q, text, "empty");
		return FALSE;
	}
	end = scan_number(p, num);
	if (end == NULL) {
		set_error(error, SIM_ERROR_PARSE, q, text, "not a number");
		return FALSE;
	}
	end = skip_space(end);
	if (*end != '\0') {
		set_error(error, SIM_ERROR_PARSE, q, text,
			  "unexpected '%s' after the number", end);
		return FALSE;
	}
	return TRUE;
}

gboolean sim_parse_time(const char *text, sim_time_t *ns, GError **error)
{
	const struct unit *unit;
	struct number num;
	uint64_t v;

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(ns != NULL, FALSE);

	if (!scan_with_unit(text, &time_quantity, &num, &unit, error))
		return FALSE;
	if (!number_round(&num, num.e + unit->pow10, &v) ||
	    v > (uint64_t)SIM_TIME_MAX) {
		set_error(error, SIM_ERROR_RANGE, &time_quantity, text,
			  "too large (at most %" G_GINT64_FORMAT "ns)",
			  (gint64)SIM_TIME_MAX);
		return FALSE;
	}
	*ns = (sim_time_t)v;
	return TRUE;
}

gboolean sim_parse_time_double(const char *text, double *ns, GError **error)
{
	const struct unit *unit;
	struct number num;
	double v;

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(ns != NULL, FALSE);

	if (!scan_with_unit(text, &time_quantity, &num, &unit, error))
		return FALSE;
	v = number_to_double(&num, unit->pow10, 0);
	if (!isfinite(v)) {
		set_error(error, SIM_ERROR_RANGE, &time_quantity, text,
			  "too large");
		return FALSE;
	}
	*ns = v;
	return TRUE;
}

gboolean sim_parse_size(const char *text, uint64_t *bytes, GError **error)
{
	const struct unit *unit;
	struct number num;
	uint64_t v;

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(bytes != NULL, FALSE);

	if (!scan_with_unit(text, &size_quantity, &num, &unit, error))
		return FALSE;
	switch (number_exact(&num, num.e + unit->pow10, 10L * unit->pow1024,
			     &v)) {
	case EXACT_OK:
		*bytes = v;
		return TRUE;
	case EXACT_FRACTION:
		set_error(error, SIM_ERROR_RANGE, &size_quantity, text,
			  "not a whole number of bytes");
		return FALSE;
	case EXACT_OVERFLOW:
	default:
		if (number_to_double(&num, unit->pow10, unit->pow1024) <
		    0x1p64) {
			set_error(error, SIM_ERROR_RANGE, &size_quantity, text,
				  "too many significant digits (at most 19)");
		} else {
			set_error(error, SIM_ERROR_RANGE, &size_quantity, text,
				  "too large (at most %" G_GUINT64_FORMAT "B)",
				  UINT64_MAX);
		}
		return FALSE;
	}
}

gboolean sim_parse_size_double(const char *text, double *bytes,
			       GError **error)
{
	const struct unit *unit;
	struct number num;
	double v;

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(bytes != NULL, FALSE);

	if (!scan_with_unit(text, &size_quantity, &num, &unit, error))
		return FALSE;
	v = number_to_double(&num, unit->pow10, unit->pow1024);
	if (!isfinite(v)) {
		set_error(error, SIM_ERROR_RANGE, &size_quantity, text,
			  "too large");
		return FALSE;
	}
	*bytes = v;
	return TRUE;
}

gboolean sim_parse_uint(const char *text, uint64_t *out, GError **error)
{
	struct number num;
	uint64_t v;

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);

	if (!scan_plain(text, &uint_quantity, &num, error))
		return FALSE;
	if (num.sign == '-') {
		set_error(error, SIM_ERROR_RANGE, &uint_quantity, text,
			  "negative values are not allowed");
		return FALSE;
	}
	if (num.sign == '+') {
		set_error(error, SIM_ERROR_PARSE, &uint_quantity, text,
			  "a sign is not allowed");
		return FALSE;
	}
	switch (number_exact(&num, num.e, 0, &v)) {
	case EXACT_OK:
		*out = v;
		return TRUE;
	case EXACT_FRACTION:
		set_error(error, SIM_ERROR_RANGE, &uint_quantity, text,
			  "not a whole number");
		return FALSE;
	case EXACT_OVERFLOW:
	default:
		if (number_to_double(&num, 0, 0) < 0x1p64) {
			set_error(error, SIM_ERROR_RANGE, &uint_quantity, text,
				  "too many significant digits (at most 19)");
		} else {
			set_error(error, SIM_ERROR_RANGE, &uint_quantity, text,
				  "too large (at most %" G_GUINT64_FORMAT ")",
				  UINT64_MAX);
		}
		return FALSE;
	}
}

gboolean sim_parse_double(const char *text, double *out, GError **error)
{
	struct number num;
	double v;

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);

	if (!scan_plain(text, &double_quantity, &num, error))
		return FALSE;
	v = number_to_double(&num, 0, 0);
	if (!isfinite(v)) {
		set_error(error, SIM_ERROR_RANGE, &double_quantity, text,
			  "too large");
		return FALSE;
	}
	*out = v;
	return TRUE;
}

char *sim_format_time(sim_time_t ns)
{
	static const struct { const char *name; uint64_t scale; } units[] = {
		{ "s", NSEC_PER_SEC },
		{ "ms", NSEC_PER_MSEC },
		{ "us", NSEC_PER_USEC },
	};
	/* The magnitude, computed so that INT64_MIN does not overflow. */
	uint64_t mag = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	const char *sign = ns < 0 ? "-" : "";
	size_t i;

	if (ns == 0)
		return g_strdup("0");
	for (i = 0; i < G_N_ELEMENTS(units); i++) {
		if (mag % units[i].scale == 0)
			return g_strdup_printf("%s%" G_GUINT64_FORMAT "%s", sign,
					       mag / units[i].scale,
					       units[i].name);
	}
	return g_strdup_printf("%s%" G_GUINT64_FORMAT "ns", sign, mag);
}

char *sim_format_size(uint64_t bytes)
{
	static const char *const names[] = { "TiB", "GiB", "MiB", "KiB" };
	size_t i;

	if (bytes == 0)
		return g_strdup("0");
	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		unsigned int shift = 10 * (unsigned int)(G_N_ELEMENTS(names) - i);

		if ((bytes & ((UINT64_C(1) << shift) - 1)) == 0)
			return g_strdup_printf("%" G_GUINT64_FORMAT "%s",
					       bytes >> shift, names[i]);
	}
	return g_strdup_printf("%" G_GUINT64_FORMAT "B", bytes);
}
