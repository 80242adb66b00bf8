/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests for sim/core/units.c: every unit, rounding, exactness at the edges of
 * 64 bits, format/parse round trips, and an error (with the right code and
 * a message naming what is accepted) for every kind of bad input.
 */
#include <math.h>
#include <gsl/gsl_rng.h>
#include "sim/core/units.h"

/* ---------------------------------------------------------------------- */
/* Times */

struct time_case {
	const char *text;
	sim_time_t ns;
};

static const struct time_case good_times[] = {
	{ "0", 0 },
	{ "0ns", 0 },
	{ "0.0", 0 },
	{ "  0  ", 0 },
	{ "1ns", 1 },
	{ "80us", 80000 },
	{ "80 us", 80000 },
	{ "\t80us\n", 80000 },
	{ "80\xc2\xb5s", 80000 },		/* micro sign */
	{ "80\xce\xbcs", 80000 },		/* Greek mu */
	{ "1.5ms", 1500000 },
	{ "2ms", 2000000 },
	{ "1s", 1000000000 },
	{ "0.25s", 250000000 },
	{ ".5us", 500 },
	{ "5.us", 5000 },
	{ "1e3ns", 1000 },
	{ "1E3ns", 1000 },
	{ "1e+3us", 1000000 },
	{ "2.5e-3s", 2500000 },
	{ "1000000e-6ms", 1000000 },
	{ "007us", 7000 },
	{ "9223372036854775807ns", INT64_MAX },
	{ "9223372036.854775807s", INT64_MAX },
	{ "9223372036854775807000e-3ns", INT64_MAX },
	{ "0.000000000000000000000000001s", 0 },
	{ "0e99999999999s", 0 },
	/* More than 19 significant digits: the tail is dropped exactly. */
	{ "1.000000000000000000000000001ms", 1000000 },
	{ "1000000000000000000000e-20us", 10000 },
};

static void test_time_parse(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(good_times); i++) {
		g_autoptr(GError) error = NULL;
		sim_time_t ns = -1;
		double d = -1;

		g_test_message("'%s'", good_times[i].text + 0);
		g_assert_true(sim_parse_time(good_times[i].text, &ns, &error));
		g_assert_no_error(error);
		g_assert_cmpint(ns, ==, good_times[i].ns);

		/* The double variant agrees to within the rounding. */
		g_assert_true(sim_parse_time_double(good_times[i].text, &d,
						    &error));
		g_assert_no_error(error);
		g_assert_cmpfloat(fabs(d - (double)good_times[i].ns), <=,
				  0.5 + 1e-15 * (double)good_times[i].ns);
	}
}

/* Rounding to the nearest ns, halves away from zero. */
static const struct time_case rounding_times[] = {
	{ "0.4ns", 0 },
	{ "0.5ns", 1 },
	{ "0.49999999999999999999ns", 0 },
	{ "1.4ns", 1 },
	{ "1.5ns", 2 },
	{ "2.5ns", 3 },
	{ "2.5000000000000000000001ns", 3 },
	{ "1.0004us", 1000 },
	{ "1.0005us", 1001 },
	{ "0.0000015ms", 2 },
	{ "1.23456789e-9s", 1 },
	{ "1.23456789e-6s", 1235 },
	{ "3.3333333333333333333333us", 3333 },
	{ "6.6666666666666666666666us", 6667 },
	/* Rounds up to exactly the largest time. */
	{ "9223372036854775806.5ns", INT64_MAX },
};

static void test_time_rounding(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(rounding_times); i++) {
		g_autoptr(GError) error = NULL;
		sim_time_t ns = -1;

		g_test_message("'%s'", rounding_times[i].text);
		g_assert_true(sim_parse_time(rounding_times[i].text, &ns,
					     &error));
		g_assert_no_error(error);
		g_assert_cmpint(ns, ==, rounding_times[i].ns);
	}
}

/* The double variant does not round. */
static void test_time_double(void)
{
	static const struct { const char *text; double ns; } cases[] = {
		{ "0.5ns", 0.5 },
		{ "1.5us", 1500.0 },
		{ "0.1us", 100.0 },
		{ "1e-3ns", 1e-3 },
		{ "2.5e-10s", 0.25 },
		{ "1e299s", 1e308 },
		{ "0.30000000000000000000000000001ns", 0.3 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		double ns = -1;

		g_assert_true(sim_parse_time_double(cases[i].text, &ns, &error));
		g_assert_no_error(error);
		g_assert_cmpfloat(ns, ==, cases[i].ns);
	}
}

/* ---------------------------------------------------------------------- */
/* Sizes */

struct size_case {
	const char *text;
	uint64_t bytes;
};

static const struct size_case good_sizes[] = {
	{ "0", 0 },
	{ "0B", 0 },
	{ "1B", 1 },
	{ "4096B", 4096 },
	{ "4KiB", 4096 },
	{ " 4 KiB ", 4096 },
	{ "2MiB", 2 << 20 },
	{ "2GiB", UINT64_C(2) << 30 },
	{ "3TiB", UINT64_C(3) << 40 },
	{ "1kB", 1000 },
	{ "1KB", 1000 },
	{ "100MB", 100000000 },
	{ "2GB", 2000000000 },
	{ "5TB", UINT64_C(5000000000000) },
	{ "1.5GiB", UINT64_C(3) << 29 },
	{ "0.5KiB", 512 },
	{ "0.0009765625KiB", 1 },		/* 1/1024 */
	{ "1.5kB", 1500 },
	{ "0.001kB", 1 },
	{ "1e3B", 1000 },
	{ "18446744073709551615B", UINT64_MAX },
	{ "16777215.9990234375TiB", UINT64_MAX - (UINT64_C(1) << 30) + 1 },
	{ "1.00000000000000000000KiB", 1024 },	/* zeros are not digits */
};

static void test_size_parse(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(good_sizes); i++) {
		g_autoptr(GError) error = NULL;
		const char *text = good_sizes[i].text;
		uint64_t bytes = 1;
		gboolean ok;

		g_test_message("'%s'", text);
		ok = sim_parse_size(text, &bytes, &error);
		g_assert_no_error(error);
		g_assert_true(ok);
		g_assert_cmpuint(bytes, ==, good_sizes[i].bytes);
	}
}

static void test_size_double(void)
{
	static const struct { const char *text; double bytes; } cases[] = {
		{ "0.5B", 0.5 },
		{ "1.3B", 1.3 },
		{ "1.5KiB", 1536.0 },
		{ "0.1KiB", 102.4 },
		{ "2.5MB", 2.5e6 },
		{ "16777216TiB", 0x1p64 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		double bytes = -1;

		g_assert_true(sim_parse_size_double(cases[i].text, &bytes,
						    &error));
		g_assert_no_error(error);
		g_assert_cmpfloat(bytes, ==, cases[i].bytes);
	}
}

/* ---------------------------------------------------------------------- */
/* Plain numbers */

static void test_uint_parse(void)
{
	static const struct { const char *text; uint64_t v; } cases[] = {
		{ "0", 0 },
		{ "7", 7 },
		{ " 1000 ", 1000 },
		{ "1e6", 1000000 },
		{ "1.5e3", 1500 },
		{ "10.000", 10 },
		{ "18446744073709551615", UINT64_MAX },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		uint64_t v = 1;

		g_assert_true(sim_parse_uint(cases[i].text, &v, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(v, ==, cases[i].v);
	}
}

static void test_double_parse(void)
{
	static const struct { const char *text; double v; } cases[] = {
		{ "0", 0.0 },
		{ "-0.5", -0.5 },
		{ "+2", 2.0 },
		{ "1e-3", 1e-3 },
		{ " 3.25 ", 3.25 },
		{ "0.1", 0.1 },
		{ "1.7976931348623157e308", 1.7976931348623157e308 },
		{ "123456789012345678901234567890", 1.2345678901234568e29 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		double v = 42;

		g_assert_true(sim_parse_double(cases[i].text, &v, &error));
		g_assert_no_error(error);
		g_assert_cmpfloat(v, ==, cases[i].v);
	}
}

/* ---------------------------------------------------------------------- */
/* Bad input: each gives the right code, quotes the text and says what is
 * accepted. */

enum parser { P_TIME, P_TIME_DOUBLE, P_SIZE, P_SIZE_DOUBLE, P_UINT, P_DOUBLE };

struct bad_case {
	enum parser parser;
	const char *text;
	int code;
	const char *reason;	/* a substring of the message */
};

static const struct bad_case bad_cases[] = {
	{ P_TIME, "", SIM_ERROR_PARSE, "empty" },
	{ P_TIME, "   ", SIM_ERROR_PARSE, "empty" },
	{ P_TIME, "80", SIM_ERROR_PARSE, "missing unit" },
	{ P_TIME, "80 parsecs", SIM_ERROR_PARSE, "unknown unit 'parsecs'" },
	{ P_TIME, "80US", SIM_ERROR_PARSE, "unknown unit 'US'" },
	{ P_TIME, "80usx", SIM_ERROR_PARSE, "unknown unit 'usx'" },
	{ P_TIME, "80us 5", SIM_ERROR_PARSE, "unexpected '5' after the unit" },
	{ P_TIME, "80,5us", SIM_ERROR_PARSE, "unexpected ',5us'" },
	{ P_TIME, "us", SIM_ERROR_PARSE, "does not start with a number" },
	{ P_TIME, ".us", SIM_ERROR_PARSE, "does not start with a number" },
	{ P_TIME, "+5us", SIM_ERROR_PARSE, "does not start with a number" },
	{ P_TIME, "0x10ns", SIM_ERROR_PARSE, "unknown unit 'x'" },
	{ P_TIME, "inf s", SIM_ERROR_PARSE, "does not start with a number" },
	{ P_TIME, "nan", SIM_ERROR_PARSE, "does not start with a number" },
	{ P_TIME, "1e3", SIM_ERROR_PARSE, "missing unit" },
	{ P_TIME, "1es", SIM_ERROR_PARSE, "unknown unit 'es'" },
	{ P_TIME, "-5us", SIM_ERROR_RANGE, "negative" },
	{ P_TIME, "-0", SIM_ERROR_RANGE, "negative" },
	{ P_TIME, "9223372036854775808ns", SIM_ERROR_RANGE, "too large" },
	{ P_TIME, "9223372036854775807.5ns", SIM_ERROR_RANGE, "too large" },
	{ P_TIME, "10000000000s", SIM_ERROR_RANGE, "too large" },
	{ P_TIME, "1e999999999999999999999s", SIM_ERROR_RANGE, "too large" },
	{ P_TIME, "99999999999999999999999999ns", SIM_ERROR_RANGE, "too large" },
	{ P_TIME_DOUBLE, "1e400s", SIM_ERROR_RANGE, "too large" },
	{ P_TIME_DOUBLE, "5", SIM_ERROR_PARSE, "missing unit" },
	{ P_TIME_DOUBLE, "-1.5us", SIM_ERROR_RANGE, "negative" },
	{ P_SIZE, "4096", SIM_ERROR_PARSE, "missing unit" },
	{ P_SIZE, "4kiB", SIM_ERROR_PARSE, "unknown unit 'kiB'" },
	{ P_SIZE, "4 K", SIM_ERROR_PARSE, "unknown unit 'K'" },
	{ P_SIZE, "4b", SIM_ERROR_PARSE, "unknown unit 'b'" },
	{ P_SIZE, "1.3B", SIM_ERROR_RANGE, "not a whole number of bytes" },
	{ P_SIZE, "0.1KiB", SIM_ERROR_RANGE, "not a whole number of bytes" },
	{ P_SIZE, "0.0001kB", SIM_ERROR_RANGE, "not a whole number of bytes" },
	{ P_SIZE, "1e-400B", SIM_ERROR_RANGE, "not a whole number of bytes" },
	{ P_SIZE, "-4KiB", SIM_ERROR_RANGE, "negative" },
	{ P_SIZE, "18446744073709551616B", SIM_ERROR_RANGE, "too large" },
	{ P_SIZE, "16777216TiB", SIM_ERROR_RANGE, "too large" },
	{ P_SIZE, "1.00000000000000000001KiB", SIM_ERROR_RANGE,
	  "too many significant digits" },
	{ P_SIZE, "20000000TB", SIM_ERROR_RANGE, "too large" },
	{ P_SIZE, "4KiB!", SIM_ERROR_PARSE, "unexpected '!' after the unit" },
	{ P_SIZE_DOUBLE, "1e400TB", SIM_ERROR_RANGE, "too large" },
	{ P_SIZE_DOUBLE, "4 pages", SIM_ERROR_PARSE, "unknown unit 'pages'" },
	{ P_UINT, "", SIM_ERROR_PARSE, "empty" },
	{ P_UINT, "abc", SIM_ERROR_PARSE, "not a number" },
	{ P_UINT, "12abc", SIM_ERROR_PARSE, "unexpected 'abc'" },
	{ P_UINT, "1.5", SIM_ERROR_RANGE, "not a whole number" },
	{ P_UINT, "-3", SIM_ERROR_RANGE, "negative" },
	{ P_UINT, "+3", SIM_ERROR_PARSE, "sign" },
	{ P_UINT, "0x10", SIM_ERROR_PARSE, "unexpected 'x10'" },
	{ P_UINT, "18446744073709551616", SIM_ERROR_RANGE, "too large" },
	{ P_UINT, "1e20", SIM_ERROR_RANGE, "too large" },
	{ P_UINT, "5us", SIM_ERROR_PARSE, "unexpected 'us'" },
	{ P_DOUBLE, "", SIM_ERROR_PARSE, "empty" },
	{ P_DOUBLE, "inf", SIM_ERROR_PARSE, "not a number" },
	{ P_DOUBLE, "nan", SIM_ERROR_PARSE, "not a number" },
	{ P_DOUBLE, "1e400", SIM_ERROR_RANGE, "too large" },
	{ P_DOUBLE, "-1e400", SIM_ERROR_RANGE, "too large" },
	{ P_DOUBLE, "1.5.2", SIM_ERROR_PARSE, "unexpected '.2'" },
	{ P_DOUBLE, "--1", SIM_ERROR_PARSE, "not a number" },
	{ P_DOUBLE, "1,5", SIM_ERROR_PARSE, "unexpected ',5'" },
};

/* What each parser's message must say is accepted. */
static const char *const accepted[] = {
	[P_TIME] = "expected a number and a unit ns, us, ms or s",
	[P_TIME_DOUBLE] = "expected a number and a unit ns, us, ms or s",
	[P_SIZE] = "B, KiB, MiB, GiB, TiB (powers of 1024) or kB, MB, GB, TB",
	[P_SIZE_DOUBLE] = "B, KiB, MiB, GiB, TiB (powers of 1024) or kB",
	[P_UINT] = "expected a non-negative whole number",
	[P_DOUBLE] = "expected a finite number",
};

static void test_bad(gconstpointer data)
{
	const struct bad_case *c = data;
	g_autoptr(GError) error = NULL;
	g_autofree char *quoted = g_strdup_printf("'%s'", c->text);
	sim_time_t ns = 17;
	uint64_t u = 17;
	double d = 17;
	gboolean ok = TRUE;

	switch (c->parser) {
	case P_TIME:
		ok = sim_parse_time(c->text, &ns, &error);
		break;
	case P_TIME_DOUBLE:
		ok = sim_parse_time_double(c->text, &d, &error);
		break;
	case P_SIZE:
		ok = sim_parse_size(c->text, &u, &error);
		break;
	case P_SIZE_DOUBLE:
		ok = sim_parse_size_double(c->text, &d, &error);
		break;
	case P_UINT:
		ok = sim_parse_uint(c->text, &u, &error);
		break;
	case P_DOUBLE:
		ok = sim_parse_double(c->text, &d, &error);
		break;
	}
	g_assert_false(ok);
	g_assert_error(error, SIM_ERROR, c->code);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, quoted));
	g_assert_nonnull(strstr(error->message, c->reason));
	g_assert_nonnull(strstr(error->message, accepted[c->parser]));
	/* Outputs are untouched on failure. */
	g_assert_cmpint(ns, ==, 17);
	g_assert_cmpuint(u, ==, 17);
	g_assert_cmpfloat(d, ==, 17);
}

/* ---------------------------------------------------------------------- */
/* Formatting */

static void test_time_format(void)
{
	static const struct { sim_time_t ns; const char *text; } cases[] = {
		{ 0, "0" },
		{ 1, "1ns" },
		{ 999, "999ns" },
		{ 1000, "1us" },
		{ 80000, "80us" },
		{ 1500000, "1500us" },
		{ 2000000, "2ms" },
		{ 1000000000, "1s" },
		{ 1000000001, "1000000001ns" },
		{ 3600 * NSEC_PER_SEC, "3600s" },
		{ INT64_MAX, "9223372036854775807ns" },
		{ -80000, "-80us" },
		{ INT64_MIN, "-9223372036854775808ns" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *s = sim_format_time(cases[i].ns);

		g_assert_cmpstr(s, ==, cases[i].text);
	}
}

static void check_time_round_trip(sim_time_t ns)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *s = sim_format_time(ns);
	sim_time_t back = -1;

	g_assert_true(sim_parse_time(s, &back, &error));
	g_assert_no_error(error);
	g_assert_cmpint(back, ==, ns);
}

static void test_time_round_trip(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	sim_time_t p = 1;

	gsl_rng_set(r, 12345);
	check_time_round_trip(0);
	check_time_round_trip(INT64_MAX);
	for (int i = 0; i < 19; i++) {
		check_time_round_trip(p);
		check_time_round_trip(p - 1);
		check_time_round_trip(3 * p);
		if (i < 18)
			p *= 10;
	}
	for (int i = 0; i < 10000; i++) {
		/* Random magnitudes, random trailing zeros. */
		uint64_t v = ((uint64_t)gsl_rng_get(r) << 32) | gsl_rng_get(r);
		int digits = (int)gsl_rng_uniform_int(r, 19);

		v &= INT64_MAX;
		while (digits-- > 0)
			v /= 10;
		for (int z = (int)gsl_rng_uniform_int(r, 10); z > 0; z--) {
			if (v > (uint64_t)INT64_MAX / 10)
				break;
			v *= 10;
		}
		check_time_round_trip((sim_time_t)v);
	}
	gsl_rng_free(r);
}

static void test_size_format(void)
{
	static const struct { uint64_t bytes; const char *text; } cases[] = {
		{ 0, "0" },
		{ 1, "1B" },
		{ 1000, "1000B" },
		{ 1024, "1KiB" },
		{ 4096, "4KiB" },
		{ 1536, "1536B" },
		{ 3 << 19, "1536KiB" },
		{ 1 << 20, "1MiB" },
		{ UINT64_C(3) << 29, "1536MiB" },
		{ UINT64_C(2) << 30, "2GiB" },
		{ UINT64_C(1) << 40, "1TiB" },
		{ UINT64_C(1) << 63, "8388608TiB" },
		{ UINT64_MAX, "18446744073709551615B" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *s = sim_format_size(cases[i].bytes);

		g_assert_cmpstr(s, ==, cases[i].text);
	}
}

static void check_size_round_trip(uint64_t bytes)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *s = sim_format_size(bytes);
	uint64_t back = 1;

	g_assert_true(sim_parse_size(s, &back, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(back, ==, bytes);
}

static void test_size_round_trip(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, 54321);
	check_size_round_trip(0);
	check_size_round_trip(UINT64_MAX);
	for (int i = 0; i < 64; i++) {
		check_size_round_trip(UINT64_C(1) << i);
		check_size_round_trip((UINT64_C(1) << i) - 1);
		check_size_round_trip(UINT64_C(5) << (i < 61 ? i : 61));
	}
	for (int i = 0; i < 10000; i++) {
		uint64_t v = ((uint64_t)gsl_rng_get(r) << 32) | gsl_rng_get(r);

		/* Random magnitudes, random numbers of trailing zero bits. */
		v >>= gsl_rng_uniform_int(r, 64);
		v <<= gsl_rng_uniform_int(r, 41);
		check_size_round_trip(v);
	}
	gsl_rng_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/sim/units/time/parse", test_time_parse);
	g_test_add_func("/sim/units/time/rounding", test_time_rounding);
	g_test_add_func("/sim/units/time/double", test_time_double);
	g_test_add_func("/sim/units/time/format", test_time_format);
	g_test_add_func("/sim/units/time/round-trip", test_time_round_trip);
	g_test_add_func("/sim/units/size/parse", test_size_parse);
	g_test_add_func("/sim/units/size/double", test_size_double);
	g_test_add_func("/sim/units/size/format", test_size_format);
	g_test_add_func("/sim/units/size/round-trip", test_size_round_trip);
	g_test_add_func("/sim/units/uint/parse", test_uint_parse);
	g_test_add_func("/sim/units/double/parse", test_double_parse);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		static const char *const names[] = {
			[P_TIME] = "time", [P_TIME_DOUBLE] = "time-double",
			[P_SIZE] = "size", [P_SIZE_DOUBLE] = "size-double",
			[P_UINT] = "uint", [P_DOUBLE] = "double",
		};
		g_autofree char *path = g_strdup_printf(
			"/sim/units/%s/bad/%zu", names[bad_cases[i].parser], i);

		g_test_add_data_func(path, &bad_cases[i], test_bad);
	}

	return g_test_run();
}
