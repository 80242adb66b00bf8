/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scenario file reader: a small INI parser that keeps the line of
 * every entry, so that every later error can say FILE:LINE (GKeyFile
 * forgets lines), and the structure checks that need the whole file: one
 * [General], unique configs, unique keys per section, extends targets that
 * exist, and no extends cycle.
 *
 * Line rules (see scenario.h): comment lines start with '#' or ';'; a '#'
 * or ';' after a blank, outside quotes, starts a trailing comment; a line
 * ending in '\' is joined with the next one (the entry keeps the first
 * line's number); '\r' before '\n' is dropped.
 *
 * Errors are SIM_ERROR_PARSE for malformed text and SIM_ERROR_UNKNOWN for
 * an extends target that does not exist; the first error ends the read.
 */
#include <string.h>
#include "sim/config/ini.h"
#include "sim/config/keys.h"

struct sim_entry *sim_entry_new(const char *origin, guint line,
				const char *key, const char *value)
{
	struct sim_entry *e = g_new0(struct sim_entry, 1);

	e->origin = origin;
	e->line = line;
	e->key = g_strdup(key);
	e->value = g_strdup(value);
	return e;
}

void sim_entry_free(struct sim_entry *e)
{
	if (e == NULL)
		return;
	g_free(e->key);
	g_free(e->value);
	g_free(e);
}

static struct ini_section *section_new(const char *name, guint line)
{
	struct ini_section *s = g_new0(struct ini_section, 1);

	s->name = g_strdup(name);
	s->line = line;
	s->entries = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_entry_free);
	return s;
}

static void section_free(struct ini_section *s)
{
	g_free(s->name);
	g_ptr_array_unref(s->entries);
	g_free(s);
}

static struct ini_file *ini_file_alloc(const char *path)
{
	struct ini_file *ini = g_new0(struct ini_file, 1);

	ini->path = g_strdup(path);
	ini->sections = g_ptr_array_new_with_free_func(
		(GDestroyNotify)section_free);
	return ini;
}

struct ini_file *ini_file_new_empty(void)
{
	struct ini_file *ini = ini_file_alloc(NULL);

	g_ptr_array_add(ini->sections, section_new("General", 0));
	return ini;
}

void ini_file_free(struct ini_file *ini)
{
	if (ini == NULL)
		return;
	g_ptr_array_unref(ini->sections);
	g_free(ini->path);
	g_free(ini);
}

struct ini_section *ini_file_find(const struct ini_file *ini,
				  const char *name)
{
	for (guint i = 0; i < ini->sections->len; i++) {
		struct ini_section *s = ini->sections->pdata[i];

		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

char *ini_file_config_names(const struct ini_file *ini)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < ini->sections->len; i++) {
		const struct ini_section *sec = ini->sections->pdata[i];

		g_string_append_printf(s, "%s%s", i ? ", " : "", sec->name);
	}
	return g_string_free(s, FALSE);
}

static struct sim_entry *section_entry(const struct ini_section *s,
				       const char *key)
{
	for (guint i = 0; i < s->entries->len; i++) {
		struct sim_entry *e = s->entries->pdata[i];

		if (strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Lines */

/* Cut a trailing comment: '#' or ';' after a blank, outside quotes. */
static void cut_comment(char *s)
{
	char quote = 0;

	for (char *p = s; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if ((*p == '#' || *p == ';') && p > s &&
			   g_ascii_isspace(p[-1])) {
			*p = '\0';
			return;
		}
	}
}

static gboolean config_name_valid(const char *name)
{
	if (*name == '\0')
		return FALSE;
	for (const char *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			return FALSE;
	}
	return TRUE;
}

/* "[General]" or "[Config NAME]" in @s (trimmed, starts with '['). */
static struct ini_section *parse_header(struct ini_file *ini, const char *s,
					guint line, GError **error)
{
	const char *path = ini->path;
	size_t len = strlen(s);
	g_autofree char *inner = NULL;
	struct ini_section *old, *sec;
	const char *name;

	if (len < 2 || s[len - 1] != ']') {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: malformed section header '%s': expected "
			    "[General] or [Config NAME]", path, line, s);
		return NULL;
	}
	inner = g_strstrip(g_strndup(s + 1, len - 2));
	if (strcmp(inner, "General") == 0) {
		name = "General";
	} else if (g_str_has_prefix(inner, "Config") &&
		   g_ascii_isspace(inner[6])) {
		name = g_strchug(inner + 6);
		if (!config_name_valid(name)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s:%u: bad config name '%s': expected "
				    "letters, digits, '_' and '-'", path, line,
				    name);
			return NULL;
		}
		if (strcmp(name, "General") == 0) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s:%u: 'General' is reserved: write "
				    "[General]", path, line);
			return NULL;
		}
	} else {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: unknown section '%s': expected [General] "
			    "or [Config NAME]", path, line, s);
		return NULL;
	}

	old = ini_file_find(ini, name);
	if (old != NULL && (old->line != 0 || strcmp(name, "General") != 0)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: duplicate section '%s'; first at line %u",
			    path, line, s, old->line);
		return NULL;
	}
	if (strcmp(name, "General") == 0) {
		/* The implicit General made at the start takes its line. */
		old->line = line;
		return old;
	}
	sec = section_new(name, line);
	g_ptr_array_add(ini->sections, sec);
	return sec;
}

/* "key = value" in @s (trimmed, no comment). */
static gboolean parse_entry(struct ini_file *ini, struct ini_section *sec,
			    char *s, guint line, GError **error)
{
	const char *path = ini->path;
	char *eq = strchr(s, '='), *key, *value;
	struct sim_entry *old;

	if (eq == NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: malformed line '%s': expected 'key = "
			    "value', [General] or [Config NAME]", path, line,
			    s);
		return FALSE;
	}
	*eq = '\0';
	key = g_strstrip(s);
	value = g_strstrip(eq + 1);
	if (*key == '\0') {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: malformed line: no key before '='", path,
			    line);
		return FALSE;
	}
	if (!sim_key_name_valid(key)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: malformed key '%s': expected a dotted "
			    "name such as machine.cpus", path, line, key);
		return FALSE;
	}
	if (sec == NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: key '%s': outside any section; put it "
			    "under [General] or [Config NAME]", path, line,
			    key);
		return FALSE;
	}
	old = section_entry(sec, key);
	if (old != NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: key '%s': duplicate key; first set at "
			    "line %u", path, line, key, old->line);
		return FALSE;
	}
	g_ptr_array_add(sec->entries,
			sim_entry_new(ini->path, line, key, value));
	return TRUE;
}

/* Split @text into lines, joining continuations; calls the parsers. */
static gboolean parse_text(struct ini_file *ini, const char *text,
			   GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	struct ini_section *sec = NULL;
	guint n = g_strv_length(lines);

	for (guint i = 0; i < n; i++) {
		g_autoptr(GString) buf = g_string_new(NULL);
		guint line = i + 1;
		char *s;

		/* A file that ends in '\n' has an empty last piece. */
		if (i == n - 1 && lines[i][0] == '\0')
			break;
		for (;;) {
			size_t len;

			g_string_append(buf, lines[i]);
			if (buf->len > 0 && buf->str[buf->len - 1] == '\r')
				g_string_truncate(buf, buf->len - 1);
			if (!g_utf8_validate(buf->str, -1, NULL)) {
				g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
					    "%s:%u: not valid UTF-8 text",
					    ini->path, i + 1);
				return FALSE;
			}
			len = buf->len;
			while (len > 0 && g_ascii_isspace(buf->str[len - 1]))
				len--;
			if (len == 0 || buf->str[len - 1] != '\\' ||
			    i + 1 >= n)
				break;
			/* Continued: drop the '\' and join the next line. */
			g_string_truncate(buf, len - 1);
			i++;
		}

		s = g_strstrip(buf->str);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		cut_comment(s);
		g_strchomp(s);
		if (*s == '[') {
			sec = parse_header(ini, s, line, error);
			if (sec == NULL)
				return FALSE;
		} else if (!parse_entry(ini, sec, s, line, error)) {
			return FALSE;
		}
	}
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* extends */

static gboolean resolve_extends(struct ini_file *ini, GError **error)
{
	struct ini_section *general = ini->sections->pdata[0];
	guint n = ini->sections->len;

	for (guint i = 0; i < n; i++) {
		struct ini_section *s = ini->sections->pdata[i];
		struct sim_entry *e = section_entry(s, "extends");
		struct ini_section *target;
		g_autofree char *names = NULL;

		s->description = section_entry(s, "description");
		s->extends = e;
		s->base = s == general ? NULL : general;
		if (e == NULL)
			continue;
		if (s == general) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s:%u: key 'extends': [General] cannot "
				    "extend another config", e->origin,
				    e->line);
			return FALSE;
		}
		if (e->value[0] == '\0') {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s:%u: key 'extends': missing config name",
				    e->origin, e->line);
			return FALSE;
		}
		if (strchr(e->value, ',') != NULL) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s:%u: key 'extends': only one config may "
				    "be extended, not '%s'", e->origin,
				    e->line, e->value);
			return FALSE;
		}
		target = ini_file_find(ini, e->value);
		if (target == NULL) {
			names = ini_file_config_names(ini);
			g_set_error(error, SIM_ERROR, SIM_ERROR_UNKNOWN,
				    "%s:%u: key 'extends': no config '%s'; "
				    "configs in this file are %s", e->origin,
				    e->line, e->value, names);
			return FALSE;
		}
		s->base = target;
	}

	/*
	 * Cycles: walk each chain at most n steps.  The first section in
	 * file order that lies on a cycle comes back to itself and reports
	 * it; one that only leads into a cycle never does, and is left for
	 * the cycle's own members.
	 */
	for (guint i = 0; i < n; i++) {
		struct ini_section *s = ini->sections->pdata[i], *p = s->base;
		guint steps = 0;

		while (p != NULL && p != s && steps++ < n)
			p = p->base;
		if (p == s) {
			GString *path = g_string_new(s->name);

			do {
				p = p->base;
				g_string_append_printf(path, " -> %s", p->name);
			} while (p != s);
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s:%u: key 'extends': cycle: %s",
				    s->extends->origin, s->extends->line,
				    path->str);
			g_string_free(path, TRUE);
			return FALSE;
		}
	}
	return TRUE;
}

struct ini_file *ini_file_read(const char *path, GError **error)
{
	g_autoptr(GError) io_error = NULL;
	g_autofree char *text = NULL;
	struct ini_file *ini;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, &io_error)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: %s", path,
			    io_error->message);
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: not a text file", path);
		return NULL;
	}
	ini = ini_file_alloc(path);
	g_ptr_array_add(ini->sections, section_new("General", 0));
	if (!parse_text(ini, text, error) || !resolve_extends(ini, error)) {
		ini_file_free(ini);
		return NULL;
	}
	return ini;
}
