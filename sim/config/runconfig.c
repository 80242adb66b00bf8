/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The typed getters on one run's resolved configuration (scenario.h): the
 * run's text for a key, else its default, read by the key's type
 * (sim_key_parse_value()).  The study checked every value before the run
 * was made, so a failure here is a programming error: a key that is not
 * registered, or read as the wrong type.
 *
 * The run config is above the key registry: keys.c never calls up here.
 */
#include <string.h>
#include "sim/config/keys.h"
#include "sim/config/scenario.h"

/* The definition of @key, which must exist and have type @type. */
static const struct sim_key_def *getter_def(const struct sim_run_config *cfg,
					    const char *key,
					    enum sim_key_type type)
{
	const struct sim_key_def *def;

	g_assert(cfg != NULL && key != NULL);
	def = sim_keys_lookup(cfg->keys, key);
	if (def == NULL)
		g_error("sim_config_get: key '%s' is not registered", key);
	if (def->type != type)
		g_error("sim_config_get: key '%s' is a %s", key,
			sim_key_type_name(def));
	return def;
}

/* The run's text for @key, else the default. */
static const char *value_of(const struct sim_run_config *cfg,
			    const struct sim_key_def *def, const char *key)
{
	const char *v = sim_run_config_lookup(cfg, key);

	return v != NULL ? v : def->defval;
}

/* Read a value that the study already validated. */
static struct sim_key_value get(const struct sim_run_config *cfg, const char *key,
				enum sim_key_type type)
{
	const struct sim_key_def *def = getter_def(cfg, key, type);
	struct sim_key_value v = { 0 };
	g_autoptr(GError) error = NULL;

	if (!sim_key_parse_value(def, value_of(cfg, def, key), &v, &error))
		g_error("sim_config_get: key '%s': %s", key, error->message);
	return v;
}

int64_t sim_config_get_int(const struct sim_run_config *cfg, const char *key)
{
	return get(cfg, key, SIM_KEY_INT).s;
}

uint64_t sim_config_get_uint(const struct sim_run_config *cfg,
			     const char *key)
{
	return get(cfg, key, SIM_KEY_UINT).u;
}

double sim_config_get_double(const struct sim_run_config *cfg,
			     const char *key)
{
	return get(cfg, key, SIM_KEY_DOUBLE).d;
}

sim_time_t sim_config_get_time(const struct sim_run_config *cfg,
			       const char *key)
{
	return get(cfg, key, SIM_KEY_TIME).s;
}

uint64_t sim_config_get_size(const struct sim_run_config *cfg,
			     const char *key)
{
	return get(cfg, key, SIM_KEY_SIZE).u;
}

gboolean sim_config_get_bool(const struct sim_run_config *cfg,
			     const char *key)
{
	return get(cfg, key, SIM_KEY_BOOL).b;
}

struct sim_dist *sim_config_get_dist(const struct sim_run_config *cfg,
				     const char *key)
{
	const struct sim_key_def *def = getter_def(cfg, key, SIM_KEY_DIST);
	const char *text = value_of(cfg, def, key);
	g_autoptr(GError) error = NULL;
	struct sim_dist *d;

	if (text == NULL)
		return NULL;
	d = sim_dist_parse(text, def->unit, &error);
	if (d == NULL)
		g_error("sim_config_get: key '%s': %s", key, error->message);
	return d;
}

const char *sim_config_get_string(const struct sim_run_config *cfg,
				  const char *key)
{
	const struct sim_key_def *def;

	g_assert(cfg != NULL && key != NULL);
	def = sim_keys_lookup(cfg->keys, key);
	if (def == NULL)
		g_error("sim_config_get: key '%s' is not registered", key);
	return value_of(cfg, def, key);
}

guint sim_config_get_enum(const struct sim_run_config *cfg, const char *key)
{
	return get(cfg, key, SIM_KEY_ENUM).choice;
}

gboolean sim_config_is_set(const struct sim_run_config *cfg, const char *key)
{
	return sim_run_config_lookup(cfg, key) != NULL;
}

char **sim_config_names(const struct sim_run_config *cfg, const char *prefix)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autofree char *dotted = g_strconcat(prefix, ".", NULL);
	guint depth = 1;

	for (const char *p = prefix; *p != '\0'; p++)
		depth += *p == '.';

	for (guint i = 0; i < cfg->n_entries; i++) {
		const char *key = cfg->entries[i].name, *seg, *end;
		const struct sim_key_def *def;
		g_auto(GStrv) segs = NULL;
		char *name;

		if (!g_str_has_prefix(key, dotted))
			continue;
		def = sim_keys_lookup(cfg->keys, key);
		if (def == NULL)
			continue;
		segs = g_strsplit(def->name, ".", -1);
		if (g_strv_length(segs) <= depth ||
		    strcmp(segs[depth], "*") != 0)
			continue;
		seg = key + strlen(dotted);
		end = strchr(seg, '.');
		name = end ? g_strndup(seg, (gsize)(end - seg)) : g_strdup(seg);
		if (g_ptr_array_find_with_equal_func(names, name, g_str_equal,
						     NULL))
			g_free(name);
		else
			g_ptr_array_add(names, name);
	}
	g_ptr_array_add(names, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}
