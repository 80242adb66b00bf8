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
 * Includes ("include = FILE", as OMNeT++ has them): the lines of FILE are
 * read as if written in place of the include line.  FILE is relative to
 * the directory of the file that names it.  Its lines before its first
 * section header belong to the section the include line is in; a header
 * in it opens that section, or continues it if another file (or another
 * read of the same file) opened it; after the include the including file
 * goes on in its own section.  A key set twice by one read of one file is
 * a duplicate, as ever; a key set again by another read (a later include,
 * or a line of the including file after the include) replaces the earlier
 * entry, at the later line's place: later lines win.  Only regular files
 * are read (not a FIFO, a device or a directory, which could block or
 * never end), at most INCLUDE_MAX_BYTES each; includes nest at most
 * INCLUDE_MAX_DEPTH deep, a file that includes itself through any chain
 * is a cycle (files compared by device and inode), and one scenario reads
 * at most INCLUDE_MAX_FILES included files (two includes of two includes
 * of ... would otherwise grow exponentially).
 *
 * Errors are SIM_ERROR_PARSE for malformed text, includes included,
 * SIM_ERROR_IO for an included file that cannot be read, and
 * SIM_ERROR_UNKNOWN for an extends target that does not exist; the first
 * error ends the read.  An error in an included file names that file and
 * its line, followed by "(included from FILE:LINE)".
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

#define INCLUDE_MAX_DEPTH	16
#define INCLUDE_MAX_FILES	256
#define INCLUDE_MAX_BYTES	(16u << 20)

/* A file being read, for cycle checks and messages. */
struct ini_read {
	const char *origin;		/* path as messages give it */
	dev_t dev;
	ino_t ino;
	gboolean have_id;		/* dev and ino known */
	guint include_line;		/* line of the include that read it */
};

/* The state of one ini_file_read(): the chain of files being read. */
struct ini_reader {
	struct ini_file *ini;
	GArray *stack;			/* struct ini_read, outermost first */
	guint nr_included;		/* included files read so far */
};

static struct ini_section *section_new(const char *name, guint line,
				       const char *origin)
{
	struct ini_section *s = g_new0(struct ini_section, 1);

	s->name = g_strdup(name);
	s->line = line;
	s->origin = origin;
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
	ini->origins = g_ptr_array_new_with_free_func(g_free);
	ini->sections = g_ptr_array_new_with_free_func(
		(GDestroyNotify)section_free);
	ini->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	return ini;
}

struct ini_file *ini_file_new_empty(void)
{
	struct ini_file *ini = ini_file_alloc(NULL);

	section_add(ini, section_new("General", 0, NULL));
	return ini;
}

void ini_file_free(struct ini_file *ini)
{
	if (ini == NULL)
		return;
	g_hash_table_unref(ini->by_name);
	g_ptr_array_unref(ini->sections);
	g_ptr_array_unref(ini->origins);
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

/* "[General]" or "[Config NAME]" in @s (trimmed, starts with '['), line
 * @line of the read @path. */
static struct ini_section *parse_header(struct ini_file *ini, const char *path,
					const char *s, guint line,
					GError **error)
{
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
	if (old != NULL && old->line != 0 && old->origin == path) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: duplicate section '%s'; first at line %u",
			    path, line, s, old->line);
		return NULL;
	}
	if (old != NULL) {
		/* The implicit General made at the start takes its line;
		 * a section another read opened goes on. */
		if (old->line == 0) {
			old->line = line;
			old->origin = path;
		}
		return old;
	}
	sec = section_new(name, line, path);
	section_add(ini, sec);
	return sec;
}

static gboolean read_include(struct ini_reader *rd, const char *path,
			     guint line, const char *name,
			     struct ini_section *sec, GError **error);

/* "key = value" in @s (trimmed, no comment), line @line of the read
 * @path; "include = FILE" reads FILE into @sec. */
static gboolean parse_entry(struct ini_reader *rd, const char *path,
			    struct ini_section *sec, char *s, guint line,
			    GError **error)
{
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
	if (strcmp(key, "include") == 0)
		return read_include(rd, path, line, value, sec, error);
	if (sec == NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: key '%s': outside any section; put it "
			    "under [General] or [Config NAME]", path, line,
			    key);
		return FALSE;
	}
	old = section_entry(sec, key);
	if (old != NULL && old->origin == path) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s:%u: key '%s': duplicate key; first set at "
			    "line %u", path, line, key, old->line);
		return FALSE;
	}
	if (old != NULL) {
		/* Set by another read: the later line wins, in its place. */
		g_hash_table_remove(sec->by_key, key);
		g_ptr_array_remove(sec->entries, old);
	}
	e = sim_entry_new(path, line, key, value);
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
static gboolean parse_text(struct ini_reader *rd, const char *path,
			   struct ini_section *sec, char *text, gsize size,
			   GError **error)
{
	g_autoptr(GPtrArray) cut = g_ptr_array_new();
	char **lines;
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
					    path, i + 1);
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
			sec = parse_header(rd->ini, path, s, line, error);
			if (sec == NULL)
				return FALSE;
		} else if (!parse_entry(rd, path, sec, s, line, error)) {
			return FALSE;
		}
	}
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* include */

/* "a.ini -> b.ini -> a.ini": the chain of reads from @from, then @path. */
static char *include_chain(const struct ini_reader *rd, guint from,
			   const char *path)
{
	GString *chain = g_string_new(NULL);

	for (guint i = from; i < rd->stack->len; i++)
		g_string_append_printf(chain, "%s -> ",
				       g_array_index(rd->stack, struct ini_read,
						     i).origin);
	g_string_append(chain, path);
	return g_string_free(chain, FALSE);
}

/*
 * Read the regular file @file (opened without blocking: a FIFO's open
 * would wait for a writer) into @text, at most INCLUDE_MAX_BYTES; its
 * identity into @id.  Messages say "@where: include 'NAME': ...".
 */
static gboolean include_load(const char *where, const char *name,
			     const char *file, struct ini_read *id,
			     char **text, gsize *len, GError **error)
{
	int fd = open(file, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	GString *buf;
	struct stat st;
	int err;

	if (fd < 0) {
		err = errno;
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "%s: include '%s': %s: %s", where, name, file,
			    g_strerror(err));
		return FALSE;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "%s: include '%s': %s: not a regular file", where,
			    name, file);
		close(fd);
		return FALSE;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->have_id = TRUE;
	buf = g_string_sized_new(MIN((gsize)st.st_size, INCLUDE_MAX_BYTES) + 1);
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
				    "%s: include '%s': %s: %s", where, name,
				    file, g_strerror(err));
			goto fail;
		}
		if (n == 0)
			break;
		if (buf->len + (gsize)n > INCLUDE_MAX_BYTES) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
				    "%s: include '%s': %s: larger than %u "
				    "bytes", where, name, file,
				    INCLUDE_MAX_BYTES);
			goto fail;
		}
		g_string_append_len(buf, chunk, n);
	}
	close(fd);
	*len = buf->len;
	*text = g_string_free(buf, FALSE);
	return TRUE;
fail:
	close(fd);
	g_string_free(buf, TRUE);
	return FALSE;
}

/* "include = @name" at line @line of the read @path, in section @sec. */
static gboolean read_include(struct ini_reader *rd, const char *path,
			     guint line, const char *name,
			     struct ini_section *sec, GError **error)
{
	struct ini_file *ini = rd->ini;
	g_autofree char *where = g_strdup_printf("%s:%u", path, line);
	g_autofree char *dir = NULL, *file = NULL, *text = NULL;
	struct ini_read id = { .include_line = line };
	const char *origin;
	gboolean ok;
	gsize len;

	if (*name == '\0') {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: key 'include': missing file name", where);
		return FALSE;
	}
	/* The stack holds the scenario itself and its includes. */
	if (rd->stack->len > INCLUDE_MAX_DEPTH) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: include '%s': includes nested deeper than %u",
			    where, name, INCLUDE_MAX_DEPTH);
		return FALSE;
	}
	if (rd->nr_included >= INCLUDE_MAX_FILES) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: include '%s': more than %u included files "
			    "in one scenario", where, name, INCLUDE_MAX_FILES);
		return FALSE;
	}
	if (g_path_is_absolute(name)) {
		file = g_strdup(name);
	} else {
		dir = g_path_get_dirname(path);
		file = strcmp(dir, ".") == 0 ? g_strdup(name) :
		       g_build_filename(dir, name, NULL);
	}
	if (!include_load(where, name, file, &id, &text, &len, error))
		return FALSE;
	for (guint i = 0; i < rd->stack->len; i++) {
		const struct ini_read *r = &g_array_index(rd->stack,
							  struct ini_read, i);
		g_autofree char *chain = NULL;

		if (!r->have_id || r->dev != id.dev || r->ino != id.ino)
			continue;
		chain = include_chain(rd, i, file);
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: include '%s': include cycle: %s", where, name,
			    chain);
		return FALSE;
	}
	if (memchr(text, '\0', len) != NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: include '%s': %s: not a text file", where, name,
			    file);
		return FALSE;
	}
	/* One origin string per read: see struct sim_entry. */
	origin = g_strdup(file);
	g_ptr_array_add(ini->origins, (char *)origin);
	rd->nr_included++;
	id.origin = origin;
	g_array_append_val(rd->stack, id);
	ok = parse_text(rd, origin, sec, text, len, error);
	g_array_set_size(rd->stack, rd->stack->len - 1);
	if (!ok && error != NULL && *error != NULL) {
		/* The chain of includes, innermost first. */
		GError *e = *error;
		char *msg;

		if (g_str_has_suffix(e->message, ")") &&
		    strstr(e->message, " (included from ") != NULL)
			msg = g_strdup_printf("%.*s, from %s)",
					      (int)strlen(e->message) - 1,
					      e->message, where);
		else
			msg = g_strdup_printf("%s (included from %s)",
					      e->message, where);
		g_free(e->message);
		e->message = msg;
	}
	return ok;
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
	struct ini_reader rd = { 0 };
	struct ini_read top = { 0 };
	struct ini_file *ini;
	struct stat st;
	gboolean ok;
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
	section_add(ini, section_new("General", 0, NULL));
	rd.ini = ini;
	rd.stack = g_array_new(FALSE, TRUE, sizeof(struct ini_read));
	top.origin = ini->path;
	if (stat(path, &st) == 0) {
		top.dev = st.st_dev;
		top.ino = st.st_ino;
		top.have_id = TRUE;
	}
	g_array_append_val(rd.stack, top);
	ok = parse_text(&rd, ini->path, NULL, text, len, error) &&
	     resolve_extends(ini, error);
	g_array_unref(rd.stack);
	if (!ok) {
		ini_file_free(ini);
		return NULL;
	}
	return ini;
}
