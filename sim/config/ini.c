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
	s->by_key = g_hash_table_new(g_str_hash, g_str_equal);
	return s;
}

static void section_free(struct ini_section *s)
{
	g_hash_table_unref(s->by_key);
	g_free(s->name);
	g_ptr_array_unref(s->entries);
	g_free(s);
}

static void section_add(struct ini_file *ini, struct ini_section *s)
{
	s->index = ini->sections->len;
	g_ptr_array_add(ini->sections, s);
	g_hash_table_insert(ini->by_name, s->name, s);
}

static struct ini_file *ini_file_alloc(const char *path)
{
	struct ini_file *ini = g_new0(struct ini_file, 1);

	ini->path = g_strdup(path);
	ini->sections = g_ptr_array_new_with_free_func(
		(GDestroyNotify)section_free);
	ini->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	return ini;
}

struct ini_file *ini_file_new_empty(void)
{
	struct ini_file *ini = ini_file_alloc(NULL);

	section_add(ini, section_new("General", 0));
	return ini;
}

void ini_file_free(struct ini_file *ini)
{
	if (ini == NULL)
		return;
	g_hash_table_unref(ini->by_name);
	g_ptr_array_unref(ini->sections);
	g_free(ini->path);
	g_free(ini);
}

struct ini_section *ini_file_find(const struct ini_file *ini,
				  const char *name)
{
	return g_hash_table_lookup(ini->by_name, name);
}

/* Names listed in messages before "and N more". */
#define NAMES_SHOWN	20

char *ini_file_config_names(const struct ini_file *ini)
{
	GString *s = g_string_new(NULL);
	guint n = ini->sections->len;

	for (guint i = 0; i < n && i < NAMES_SHOWN; i++) {
		const struct ini_section *sec = ini->sections->pdata[i];

		g_string_append_printf(s, "%s%s", i ? ", " : "", sec->name);
	}
	if (n > NAMES_SHOWN)
		g_string_append_printf(s, " and %u more", n - NAMES_SHOWN);
	return g_string_free(s, FALSE);
}

static struct sim_entry *section_entry(const struct ini_section *s,
				       const char *key)
{
	return g_hash_table_lookup(s->by_key, key);
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
	section_add(ini, sec);
	return sec;
}

/* "key = value" in @s (trimmed, no comment). */
static gboolean parse_entry(struct ini_file *ini, struct ini_section *sec,
			    char *s, guint line, GError **error)
{
	const char *path = ini->path;
	char *eq = strchr(s, '='), *key, *value;
	struct sim_entry *old, *e;

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
	e = sim_entry_new(ini->path, line, key, value);
	g_ptr_array_add(sec->entries, e);
	g_hash_table_insert(sec->by_key, e->key, e);
	return TRUE;
}

/*
 * Split @text (@size bytes, no NUL) into lines, joining continuations;
 * calls the parsers.  Each physical line is checked for UTF-8 once, as it
 * is appended (a joined line is valid if its pieces are: they were split
 * at '\n' and lose only ASCII bytes), so that a long run of continued
 * lines costs linear time.  The lines are cut in place with memchr(): not
 * g_strsplit(), whose strstr() from each line to the end of the text is
 * quadratic under AddressSanitizer.
 */
static gboolean parse_text(struct ini_file *ini, char *text, gsize size,
			   GError **error)
{
	g_autoptr(GPtrArray) cut = g_ptr_array_new();
	char **lines;
	struct ini_section *sec = NULL;
	guint n;

	for (char *p = text, *end = text + size;;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		g_ptr_array_add(cut, p);
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	lines = (char **)cut->pdata;
	n = cut->len;

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
			if (!g_utf8_validate(lines[i], -1, NULL)) {
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
	guint n = ini->sections->len, first;
	g_autofree guint *walk = NULL;

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
	 * Cycles, in linear time: walk from each section not yet seen,
	 * marking what this walk passes; reaching a section of the same walk
	 * closes a cycle, reaching one of an earlier walk does not.  The
	 * cycle reported is the one with the first section in file order,
	 * named from that section.
	 */
	walk = g_new0(guint, n);
	first = n;
	for (guint i = 0; i < n; i++) {
		struct ini_section *p = ini->sections->pdata[i];

		while (p != NULL && walk[p->index] == 0) {
			walk[p->index] = i + 1;
			p = p->base;
		}
		if (p == NULL || walk[p->index] != i + 1)
			continue;
		/* p is on a new cycle: its first member in file order. */
		for (struct ini_section *q = p->base; q != p; q = q->base)
			first = MIN(first, q->index);
		first = MIN(first, p->index);
	}
	if (first < n) {
		struct ini_section *s = ini->sections->pdata[first], *p = s;
		GString *path = g_string_new(s->name);
		guint hops = 0;

		do {
			p = p->base;
			if (++hops <= NAMES_SHOWN || p == s)
				g_string_append_printf(path, " -> %s", p->name);
			else if (hops == NAMES_SHOWN + 1)
				g_string_append(path, " -> ...");
		} while (p != s);
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: key 'extends': cycle: %s",
			    s->extends->origin, s->extends->line, path->str);
		g_string_free(path, TRUE);
		return FALSE;
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
	section_add(ini, section_new("General", 0));
	if (!parse_text(ini, text, len, error) || !resolve_extends(ini, error)) {
		ini_file_free(ini);
		return NULL;
	}
	return ini;
}
