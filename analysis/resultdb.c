/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The results database (see resultdb.h): schema, run writer, resume check
 * and merge.
 *
 * Rules:
 * - Every write is one BEGIN IMMEDIATE ... COMMIT: the write lock is taken
 *   up front (waiting up to the busy timeout for another writer), so a
 *   transaction never has to upgrade a read lock and cannot deadlock with
 *   another process.  Any failure inside ends in ROLLBACK.
 * - Statements are prepared once per connection and reset after each use;
 *   text is bound SQLITE_STATIC because every statement is stepped before
 *   the bound strings can go away.
 * - The wall clock is read by SQLite (datetime, finishedAt), never by
 *   simulation code.
 * - Schema creation is itself a transaction, so that two processes opening
 *   a new file at once create it once.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include "analysis/resultdb.h"
#include "sim/core/types.h"

#define BUSY_TIMEOUT_MS 10000

/* ---- schema --------------------------------------------------------------
 * The OMNeT++ 6 tables (same names, columns, types and order), then ours,
 * then indexes and views.  Written for this project, after OMNeT++'s
 * published schema.
 */
static const char schema_sql[] =
	"CREATE TABLE run (\n"
	"  runId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
	"  runName TEXT NOT NULL,\n"
	"  simtimeExp INTEGER NOT NULL);\n"
	"CREATE TABLE runAttr (\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  attrName TEXT NOT NULL,\n"
	"  attrValue TEXT NOT NULL);\n"
	"CREATE TABLE runItervar (\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  itervarName TEXT NOT NULL,\n"
	"  itervarValue TEXT NOT NULL);\n"
	"CREATE TABLE runConfig (\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  configKey TEXT NOT NULL,\n"
	"  configValue TEXT NOT NULL,\n"
	"  configOrder INTEGER NOT NULL);\n"
	"CREATE TABLE scalar (\n"
	"  scalarId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  moduleName TEXT NOT NULL,\n"
	"  scalarName TEXT NOT NULL,\n"
	"  scalarValue REAL);\n"			/* NaN is stored as NULL */
	"CREATE TABLE scalarAttr (\n"
	"  scalarId INTEGER NOT NULL REFERENCES scalar(scalarId) ON DELETE CASCADE,\n"
	"  attrName TEXT NOT NULL,\n"
	"  attrValue TEXT NOT NULL);\n"
	"CREATE TABLE parameter (\n"
	"  paramId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  moduleName TEXT NOT NULL,\n"
	"  paramName TEXT NOT NULL,\n"
	"  paramValue TEXT NOT NULL);\n"
	"CREATE TABLE paramAttr (\n"
	"  paramId INTEGER NOT NULL REFERENCES parameter(paramId) ON DELETE CASCADE,\n"
	"  attrName TEXT NOT NULL,\n"
	"  attrValue TEXT NOT NULL);\n"
	"CREATE TABLE statistic (\n"
	"  statId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  moduleName TEXT NOT NULL,\n"
	"  statName TEXT NOT NULL,\n"
	"  isHistogram INTEGER NOT NULL,\n"
	"  isWeighted INTEGER NOT NULL,\n"
	"  statCount INTEGER NOT NULL,\n"
	"  statMean REAL,\n"
	"  statStddev REAL,\n"
	"  statSum REAL,\n"
	"  statSqrsum REAL,\n"
	"  statMin REAL,\n"
	"  statMax REAL,\n"
	"  statWeights REAL,\n"
	"  statWeightedSum REAL,\n"
	"  statSqrSumWeights REAL,\n"
	"  statWeightedSqrSum REAL);\n"
	"CREATE TABLE statisticAttr (\n"
	"  statId INTEGER NOT NULL REFERENCES statistic(statId) ON DELETE CASCADE,\n"
	"  attrName TEXT NOT NULL,\n"
	"  attrValue TEXT NOT NULL);\n"
	"CREATE TABLE histogramBin (\n"
	"  statId INTEGER NOT NULL REFERENCES statistic(statId) ON DELETE CASCADE,\n"
	"  lowerEdge REAL NOT NULL,\n"
	"  binValue REAL NOT NULL);\n"
	"CREATE TABLE vector (\n"
	"  vectorId INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  moduleName TEXT NOT NULL,\n"
	"  vectorName TEXT NOT NULL,\n"
	"  vectorCount INTEGER,\n"
	"  vectorMin REAL,\n"
	"  vectorMax REAL,\n"
	"  vectorSum REAL,\n"
	"  vectorSumSqr REAL,\n"
	"  startEventNum INTEGER,\n"
	"  endEventNum INTEGER,\n"
	"  startSimtimeRaw INTEGER,\n"
	"  endSimtimeRaw INTEGER);\n"
	"CREATE TABLE vectorAttr (\n"
	"  vectorId INTEGER NOT NULL REFERENCES vector(vectorId) ON DELETE CASCADE,\n"
	"  attrName TEXT NOT NULL,\n"
	"  attrValue TEXT NOT NULL);\n"
	"CREATE TABLE vectorData (\n"
	"  vectorId INTEGER NOT NULL REFERENCES vector(vectorId) ON DELETE CASCADE,\n"
	"  eventNumber INTEGER NOT NULL,\n"
	"  simtimeRaw INTEGER NOT NULL,\n"
	"  value REAL);\n"
	"\n"
	"CREATE TABLE faultsimMeta (\n"
	"  key TEXT PRIMARY KEY NOT NULL,\n"
	"  value TEXT NOT NULL);\n"
	"CREATE TABLE runStatus (\n"
	"  runId INTEGER PRIMARY KEY NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  configHash TEXT NOT NULL,\n"
	"  runnumber INTEGER NOT NULL,\n"
	"  status TEXT NOT NULL CHECK (status <> ''),\n"
	"  wallTime REAL,\n"				/* seconds */
	"  events INTEGER,\n"
	"  simTimeNs INTEGER,\n"
	"  finishedAt TEXT NOT NULL);\n"		/* ISO 8601, UTC */
	"CREATE TABLE lockStat (\n"
	"  runId INTEGER NOT NULL REFERENCES run(runId) ON DELETE CASCADE,\n"
	"  lockName TEXT NOT NULL,\n"
	"  mode TEXT NOT NULL,\n"
	"  contentions INTEGER NOT NULL,\n"
	"  acquisitions INTEGER NOT NULL,\n"
	"  waitTimeMin INTEGER,\n"			/* ns */
	"  waitTimeMax INTEGER,\n"
	"  waitTimeTotal INTEGER,\n"
	"  holdTimeMin INTEGER,\n"
	"  holdTimeMax INTEGER,\n"
	"  holdTimeTotal INTEGER);\n"
	"\n"
	"CREATE UNIQUE INDEX run_name ON run(runName);\n"
	"CREATE UNIQUE INDEX runAttr_run ON runAttr(runId, attrName);\n"
	"CREATE UNIQUE INDEX runItervar_run ON runItervar(runId, itervarName);\n"
	"CREATE INDEX runConfig_run ON runConfig(runId, configOrder);\n"
	"CREATE UNIQUE INDEX scalar_run ON scalar(runId, moduleName, scalarName);\n"
	"CREATE INDEX scalar_name ON scalar(moduleName, scalarName);\n"
	"CREATE INDEX scalarAttr_scalar ON scalarAttr(scalarId);\n"
	"CREATE INDEX parameter_run ON parameter(runId);\n"
	"CREATE INDEX paramAttr_param ON paramAttr(paramId);\n"
	"CREATE UNIQUE INDEX statistic_run ON statistic(runId, moduleName, statName);\n"
	"CREATE INDEX statisticAttr_stat ON statisticAttr(statId);\n"
	"CREATE INDEX histogramBin_stat ON histogramBin(statId);\n"
	"CREATE INDEX vector_run ON vector(runId);\n"
	"CREATE INDEX vectorAttr_vector ON vectorAttr(vectorId);\n"
	"CREATE INDEX vectorData_vector ON vectorData(vectorId);\n"
	"CREATE INDEX runStatus_hash ON runStatus(configHash, runnumber);\n"
	"CREATE UNIQUE INDEX lockStat_run ON lockStat(runId, lockName, mode);\n"
	"\n"
	"CREATE VIEW runSummary AS SELECT\n"
	"  r.runId AS runId, r.runName AS runName,\n"
	"  (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND a.attrName = 'configname') AS configname,\n"
	"  CAST((SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND a.attrName = 'runnumber') AS INTEGER) AS runnumber,\n"
	"  CAST((SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND a.attrName = 'repetition') AS INTEGER) AS repetition,\n"
	"  (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND a.attrName = 'iterationvars') AS iterationvars,\n"
	"  (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND a.attrName = 'seedset') AS seedset,\n"
	"  (SELECT attrValue FROM runAttr a WHERE a.runId = r.runId AND a.attrName = 'seed') AS seed,\n"
	"  s.configHash AS configHash, s.status AS status, s.wallTime AS wallTime,\n"
	"  s.events AS events, s.simTimeNs AS simTimeNs, s.finishedAt AS finishedAt\n"
	"  FROM run r LEFT JOIN runStatus s ON s.runId = r.runId;\n"
	"CREATE VIEW runScalars AS SELECT\n"
	"  u.runId AS runId, u.runName AS runName, u.configname AS configname,\n"
	"  u.runnumber AS runnumber, u.repetition AS repetition,\n"
	"  u.iterationvars AS iterationvars, u.status AS status,\n"
	"  s.scalarId AS scalarId, s.moduleName AS moduleName,\n"
	"  s.scalarName AS scalarName, s.scalarValue AS scalarValue\n"
	"  FROM runSummary u JOIN scalar s ON s.runId = u.runId;\n"
	"CREATE VIEW runStatistics AS SELECT\n"
	"  u.runId AS runId, u.runName AS runName, u.configname AS configname,\n"
	"  u.runnumber AS runnumber, u.repetition AS repetition,\n"
	"  u.iterationvars AS iterationvars, u.status AS status,\n"
	"  t.statId AS statId, t.moduleName AS moduleName, t.statName AS statName,\n"
	"  t.statCount AS statCount, t.statMean AS statMean,\n"
	"  t.statStddev AS statStddev, t.statMin AS statMin, t.statMax AS statMax\n"
	"  FROM runSummary u JOIN statistic t ON t.runId = u.runId;\n"
	"CREATE VIEW runLockStat AS SELECT\n"
	"  u.runId AS runId, u.runName AS runName, u.configname AS configname,\n"
	"  u.runnumber AS runnumber, u.repetition AS repetition,\n"
	"  u.iterationvars AS iterationvars, u.status AS status,\n"
	"  l.lockName AS lockName, l.mode AS mode, l.contentions AS contentions,\n"
	"  l.acquisitions AS acquisitions, l.waitTimeMin AS waitTimeMin,\n"
	"  l.waitTimeMax AS waitTimeMax, l.waitTimeTotal AS waitTimeTotal,\n"
	"  CASE WHEN l.contentions > 0 THEN 1.0 * l.waitTimeTotal / l.contentions END AS waitTimeAvg,\n"
	"  l.holdTimeMin AS holdTimeMin, l.holdTimeMax AS holdTimeMax,\n"
	"  l.holdTimeTotal AS holdTimeTotal,\n"
	"  CASE WHEN l.acquisitions > 0 THEN 1.0 * l.holdTimeTotal / l.acquisitions END AS holdTimeAvg\n"
	"  FROM runSummary u JOIN lockStat l ON l.runId = u.runId;\n";

/* ---- prepared statements -------------------------------------------------- */

enum stmt_id {
	ST_RUN,
	ST_RUN_ATTR,
	ST_RUN_DATETIME,
	ST_ITERVAR,
	ST_CONFIG,
	ST_STATUS,
	ST_SCALAR,
	ST_SCALAR_ATTR,
	ST_STATISTIC,
	ST_HIST_BIN,
	ST_LOCKSTAT,
	ST_RUN_DONE,
	NR_STMTS
};

static const char *const stmt_sql[NR_STMTS] = {
	[ST_RUN] = "INSERT INTO run (runName, simtimeExp) VALUES (?, ?)",
	[ST_RUN_ATTR] = "INSERT INTO runAttr (runId, attrName, attrValue) VALUES (?, ?, ?)",
	[ST_RUN_DATETIME] = "INSERT INTO runAttr (runId, attrName, attrValue) VALUES (?, 'datetime', "
		"COALESCE(?, strftime('%Y%m%d-%H:%M:%S', 'now', 'localtime')))",
	[ST_ITERVAR] = "INSERT INTO runItervar (runId, itervarName, itervarValue) VALUES (?, ?, ?)",
	[ST_CONFIG] = "INSERT INTO runConfig (runId, configKey, configValue, configOrder) VALUES (?, ?, ?, ?)",
	[ST_STATUS] = "INSERT INTO runStatus (runId, configHash, runnumber, status, wallTime, events, "
		"simTimeNs, finishedAt) VALUES (?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	[ST_SCALAR] = "INSERT INTO scalar (runId, moduleName, scalarName, scalarValue) VALUES (?, ?, ?, ?)",
	[ST_SCALAR_ATTR] = "INSERT INTO scalarAttr (scalarId, attrName, attrValue) VALUES (?, ?, ?)",
	[ST_STATISTIC] = "INSERT INTO statistic (runId, moduleName, statName, isHistogram, isWeighted, "
		"statCount, statMean, statStddev, statSum, statSqrsum, statMin, statMax) "
		"VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?)",
	[ST_HIST_BIN] = "INSERT INTO histogramBin (statId, lowerEdge, binValue) VALUES (?, ?, ?)",
	[ST_LOCKSTAT] = "INSERT INTO lockStat (runId, lockName, mode, contentions, acquisitions, "
		"waitTimeMin, waitTimeMax, waitTimeTotal, holdTimeMin, holdTimeMax, holdTimeTotal) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_RUN_DONE] = "SELECT EXISTS (SELECT 1 FROM runStatus WHERE configHash = ?)",
};

struct fs_resultdb {
	sqlite3 *sql;
	char *path;
	gboolean readonly;
	sqlite3_stmt *stmts[NR_STMTS];	/* prepared on first use */

	/* test-only fault injection */
	fs_resultdb_row_hook *row_hook;
	void *row_hook_data;
	guint64 rows;			/* inserted by the current write */
};

/* ---- errors and small helpers -------------------------------------------- */

static void set_db_error(struct fs_resultdb *db, GError **error,
			 const char *what)
{
	g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: %s: %s", db->path,
		    what, sqlite3_errmsg(db->sql));
}

/* Run @sql (one or more statements, no results wanted). */
static gboolean exec_sql(struct fs_resultdb *db, const char *sql,
			 const char *what, GError **error)
{
	char *msg = NULL;

	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) == SQLITE_OK)
		return TRUE;
	g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: %s: %s", db->path,
		    what, msg ? msg : sqlite3_errmsg(db->sql));
	sqlite3_free(msg);
	return FALSE;
}

/* Roll back the open transaction, if any; the first error wins. */
static void rollback(struct fs_resultdb *db)
{
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *get_stmt(struct fs_resultdb *db, enum stmt_id id,
			      GError **error)
{
	if (!db->stmts[id] &&
	    sqlite3_prepare_v3(db->sql, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &db->stmts[id],
			       NULL) != SQLITE_OK) {
		set_db_error(db, error, "cannot prepare a statement");
		return NULL;
	}
	return db->stmts[id];
}

/* The one-value result of @sql with text parameter @arg (may be NULL), as
 * a newly allocated string (NULL if no row or a NULL value). */
static gboolean query_text(struct fs_resultdb *db, const char *sql,
			   const char *arg, char **out, GError **error)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
		set_db_error(db, error, "cannot query");
		return FALSE;
	}
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_db_error(db, error, "cannot query");
		return FALSE;
	}
	return TRUE;
}

static gboolean query_int(struct fs_resultdb *db, const char *sql,
			  gint64 *out, GError **error)
{
	g_autofree char *s = NULL;

	if (!query_text(db, sql, NULL, &s, error))
		return FALSE;
	*out = s ? g_ascii_strtoll(s, NULL, 10) : 0;
	return TRUE;
}

/* ---- open and close ------------------------------------------------------ */

/*
 * Put the file in WAL mode (persistent: the mode is kept in the file).
 * Switching needs an exclusive lock, and SQLite reports SQLITE_BUSY there
 * without calling the busy handler, which happens when several processes
 * open a new file at once: retry, for as long as the busy timeout.
 */
static gboolean set_wal(struct fs_resultdb *db, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + BUSY_TIMEOUT_MS * 1000LL;
	g_autofree char *mode = NULL;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode = WAL", -1, &st,
			       NULL) != SQLITE_OK) {
		set_db_error(db, error, "cannot set up");
		return FALSE;
	}
	while ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		if ((rc & 0xff) != SQLITE_BUSY ||
		    g_get_monotonic_time() > deadline)
			break;
		g_usleep(2000);
	}
	if (rc == SQLITE_ROW)
		mode = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		set_db_error(db, error, "cannot switch to WAL mode");
		return FALSE;
	}
	/* An in-memory database stays "memory", and that is fine. */
	if (g_strcmp0(mode, "wal") != 0 && g_strcmp0(mode, "memory") != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "%s: cannot switch to WAL mode (journal mode stays %s)",
			    db->path, mode ? mode : "unknown");
		return FALSE;
	}
	return TRUE;
}

/* Create the schema in an empty file, or check the version of an existing
 * one.  In one IMMEDIATE transaction so that concurrent openers agree. */
static gboolean setup_schema(struct fs_resultdb *db, GError **error)
{
	g_autofree char *version = NULL;
	g_autofree char *ours = NULL;
	gint64 nr_objects;

	if (!db->readonly &&
	    !exec_sql(db, "BEGIN IMMEDIATE", "cannot lock the database", error))
		return FALSE;

	if (!query_int(db, "SELECT COUNT(*) FROM sqlite_master", &nr_objects,
		       error))
		goto fail;
	if (nr_objects == 0 && !db->readonly) {
		g_autofree char *meta = g_strdup_printf(
			"INSERT INTO faultsimMeta VALUES ('schemaVersion', '%d');"
			"INSERT INTO faultsimMeta VALUES ('simtimeExp', '%d');",
			FS_RESULTDB_SCHEMA_VERSION, FS_RESULTDB_SIMTIME_EXP);

		if (!exec_sql(db, schema_sql, "cannot create the schema", error) ||
		    !exec_sql(db, meta, "cannot create the schema", error))
			goto fail;
	}

	if (!query_int(db, "SELECT COUNT(*) FROM sqlite_master "
		       "WHERE type = 'table' AND name = 'faultsimMeta'",
		       &nr_objects, error))
		goto fail;
	if (nr_objects == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s: not a faultsim results database (no faultsimMeta table)",
			    db->path);
		goto fail;
	}
	if (!query_text(db, "SELECT value FROM faultsimMeta WHERE key = 'schemaVersion'",
			NULL, &version, error))
		goto fail;
	ours = g_strdup_printf("%d", FS_RESULTDB_SCHEMA_VERSION);
	if (g_strcmp0(version, ours) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s: results schema version %s, this faultsim reads version %s",
			    db->path, version ? version : "(none)", ours);
		goto fail;
	}

	if (!db->readonly &&
	    !exec_sql(db, "COMMIT", "cannot create the schema", error))
		goto fail;
	return TRUE;

fail:
	rollback(db);
	return FALSE;
}

static struct fs_resultdb *open_db(const char *path, gboolean readonly,
				   GError **error)
{
	struct fs_resultdb *db;
	int flags = readonly ? SQLITE_OPEN_READONLY
			     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	g_return_val_if_fail(path != NULL, NULL);

	db = g_new0(struct fs_resultdb, 1);
	db->path = g_strdup(path);
	db->readonly = readonly;

	/* SQLITE_OPEN_URI so that merge can attach its source read-only. */
	if (sqlite3_open_v2(path, &db->sql, flags | SQLITE_OPEN_URI,
			    NULL) != SQLITE_OK) {
		if (db->sql)
			set_db_error(db, error, "cannot open");
		else
			g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
				    "%s: cannot open: out of memory", path);
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, BUSY_TIMEOUT_MS);

	if (!exec_sql(db, "PRAGMA foreign_keys = ON", "cannot set up", error))
		goto fail;
	if (!readonly) {
		/* WAL: readers never block the writer, and writers queue on
		 * the busy timeout.  synchronous = NORMAL keeps every commit
		 * atomic; a crash of the process loses nothing committed,
		 * a power loss at most the last commits, never half of one. */
		if (!set_wal(db, error) ||
		    !exec_sql(db, "PRAGMA synchronous = NORMAL", "cannot set up",
			      error))
			goto fail;
	}
	if (!setup_schema(db, error))
		goto fail;
	return db;

fail:
	fs_resultdb_close(db);
	return NULL;
}

struct fs_resultdb *fs_resultdb_open(const char *path, GError **error)
{
	return open_db(path, FALSE, error);
}

struct fs_resultdb *fs_resultdb_open_readonly(const char *path, GError **error)
{
	return open_db(path, TRUE, error);
}

void fs_resultdb_close(struct fs_resultdb *db)
{
	if (!db)
		return;
	for (int i = 0; i < NR_STMTS; i++)
		sqlite3_finalize(db->stmts[i]);
	sqlite3_close_v2(db->sql);
	g_free(db->path);
	g_free(db);
}

const char *fs_resultdb_path(const struct fs_resultdb *db)
{
	return db->path;
}

sqlite3 *fs_resultdb_handle(struct fs_resultdb *db)
{
	return db->sql;
}

void fs_resultdb_set_row_hook(struct fs_resultdb *db, fs_resultdb_row_hook *fn,
			      void *data)
{
	db->row_hook = fn;
	db->row_hook_data = data;
}

/* ---- writing a run ------------------------------------------------------- */

/* Step the INSERT @st (bound by the caller) and reset it; @what names the
 * row in an error message. */
static gboolean insert_row(struct fs_resultdb *db, sqlite3_stmt *st,
			   const char *what, GError **error)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		g_autofree char *msg = g_strdup_printf("cannot record %s", what);

		set_db_error(db, error, msg);
		return FALSE;
	}
	db->rows++;
	if (db->row_hook && !db->row_hook(db->row_hook_data, db->rows)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "%s: cannot record %s: injected failure after %"
			    G_GUINT64_FORMAT " rows", db->path, what, db->rows);
		return FALSE;
	}
	return TRUE;
}

/* NaN (an undefined mean, say) is stored as NULL, as OMNeT++ does. */
static void bind_real(sqlite3_stmt *st, int col, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_double(st, col, v);
}

/* The state shared by the measurement visitors: they cannot stop the
 * iteration, so after the first error they do nothing. */
struct write_ctx {
	struct fs_resultdb *db;
	gint64 run_id;
	GError *error;
};

static gboolean add_run_attr(struct write_ctx *w, const char *name,
			     const char *value)
{
	sqlite3_stmt *st = get_stmt(w->db, ST_RUN_ATTR, &w->error);
	g_autofree char *what = NULL;

	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	what = g_strdup_printf("run attribute %s", name);
	return insert_row(w->db, st, what, &w->error);
}

static gboolean add_scalar(struct write_ctx *w, const char *module,
			   const char *name, double value, const char *kind)
{
	sqlite3_stmt *st;
	g_autofree char *what = NULL;

	if (w->error)
		return FALSE;
	st = get_stmt(w->db, ST_SCALAR, &w->error);
	if (!st)
		return FALSE;
	what = g_strdup_printf("scalar %s.%s", module, name);
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_text(st, 2, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	bind_real(st, 4, value);
	if (!insert_row(w->db, st, what, &w->error))
		return FALSE;
	if (!kind)
		return TRUE;

	st = get_stmt(w->db, ST_SCALAR_ATTR, &w->error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(w->db->sql));
	sqlite3_bind_text(st, 2, "kind", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	return insert_row(w->db, st, what, &w->error);
}

static void write_counter(const char *module, const char *name,
			  uint64_t value, void *data)
{
	add_scalar(data, module, name, (double)value, "counter");
}

static void write_scalar(const char *module, const char *name, double value,
			 void *data)
{
	add_scalar(data, module, name, value, NULL);
}

/* Histogram bins in OMNeT++'s layout: see resultdb.h. */
struct bin_ctx {
	struct write_ctx *w;
	sqlite3_stmt *st;
	gint64 stat_id;
	const char *what;
	double next_edge;	/* upper edge of the last bin written */
};

static gboolean add_bin(struct bin_ctx *b, double lower, double value)
{
	if (b->w->error)
		return FALSE;
	sqlite3_bind_int64(b->st, 1, b->stat_id);
	sqlite3_bind_double(b->st, 2, lower);
	sqlite3_bind_double(b->st, 3, value);
	return insert_row(b->w->db, b->st, b->what, &b->w->error);
}

static void write_bin(uint64_t lower, uint64_t upper, uint64_t count,
		      void *data)
{
	struct bin_ctx *b = data;

	if (isinf(b->next_edge))		/* first bin: the underflows */
		add_bin(b, -INFINITY, 0);
	else if ((double)lower > b->next_edge)	/* a gap of empty bins */
		add_bin(b, b->next_edge, 0);
	add_bin(b, (double)lower, (double)count);
	b->next_edge = (double)upper;
}

static void write_hist(const char *module, const char *name,
		       const struct sim_hist *h, void *data)
{
	struct write_ctx *w = data;
	uint64_t n = sim_hist_count(h);
	double mean = n ? sim_hist_mean(h) : NAN;
	double sd = n ? sim_hist_stddev(h) : NAN;
	double min = n ? (double)sim_hist_min(h) : NAN;
	double max = n ? (double)sim_hist_max(h) : NAN;
	double sum = sim_hist_sum(h), sqrsum;
	/* The scalars a histogram also becomes; quantiles are NaN (NULL)
	 * when it is empty. */
	const struct {
		const char *suffix;
		double value;
	} derived[] = {
		{ "count", (double)n },
		{ "mean", mean },
		{ "stddev", sd },
		{ "min", min },
		{ "p50", n ? (double)sim_hist_quantile(h, 0.5) : NAN },
		{ "p90", n ? (double)sim_hist_quantile(h, 0.9) : NAN },
		{ "p99", n ? (double)sim_hist_quantile(h, 0.99) : NAN },
		{ "p999", n ? (double)sim_hist_quantile(h, 0.999) : NAN },
		{ "max", max },
	};
	g_autofree char *what = NULL;
	struct bin_ctx b;
	sqlite3_stmt *st;

	if (w->error)
		return;
	st = get_stmt(w->db, ST_STATISTIC, &w->error);
	if (!st)
		return;

	/* The sum of squares is not exported by sim_hist; rebuild it from the
	 * exact moments: S2 = (n - 1) s^2 + S1^2 / n. */
	sqrsum = n ? (double)((long double)(n - 1) * sd * sd +
			      (long double)sum * sum / n) : 0;

	what = g_strdup_printf("statistic %s.%s", module, name);
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_text(st, 2, module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)n);
	bind_real(st, 5, mean);
	bind_real(st, 6, sd);
	bind_real(st, 7, sum);
	bind_real(st, 8, sqrsum);
	bind_real(st, 9, min);
	bind_real(st, 10, max);
	if (!insert_row(w->db, st, what, &w->error))
		return;

	b = (struct bin_ctx) {
		.w = w,
		.st = get_stmt(w->db, ST_HIST_BIN, &w->error),
		.stat_id = sqlite3_last_insert_rowid(w->db->sql),
		.what = what,
		.next_edge = INFINITY,
	};
	if (!b.st)
		return;
	sim_hist_foreach_bin(h, write_bin, &b);
	if (n)					/* last bin: the overflows */
		add_bin(&b, b.next_edge, 0);

	for (size_t i = 0; i < G_N_ELEMENTS(derived); i++) {
		g_autofree char *sname = g_strconcat(name, ":",
						     derived[i].suffix, NULL);

		if (!add_scalar(w, module, sname, derived[i].value, NULL))
			return;
	}
}

static gboolean write_lockstat(struct write_ctx *w,
			       const struct fs_lockstat_row *l)
{
	sqlite3_stmt *st = get_stmt(w->db, ST_LOCKSTAT, &w->error);
	g_autofree char *what = NULL;

	if (!st)
		return FALSE;
	g_return_val_if_fail(l->lock_name != NULL, FALSE);
	what = g_strdup_printf("lock_stat row %s/%s", l->lock_name,
			       l->mode ? l->mode : "");
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_text(st, 2, l->lock_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, l->mode ? l->mode : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)l->contentions);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)l->acquisitions);
	sqlite3_bind_int64(st, 6, l->wait_time_min_ns);
	sqlite3_bind_int64(st, 7, l->wait_time_max_ns);
	sqlite3_bind_int64(st, 8, l->wait_time_total_ns);
	sqlite3_bind_int64(st, 9, l->hold_time_min_ns);
	sqlite3_bind_int64(st, 10, l->hold_time_max_ns);
	sqlite3_bind_int64(st, 11, l->hold_time_total_ns);
	return insert_row(w->db, st, what, &w->error);
}

/* Everything of the run but the transaction around it. */
static gboolean write_run_rows(struct write_ctx *w,
			       const struct fs_run_record *rec)
{
	struct fs_resultdb *db = w->db;
	char runnumber[24], repetition[24], seed[24], processid[24];
	g_autofree char *replication = NULL;
	const char *itervars = rec->iterationvars ? rec->iterationvars : "";
	sqlite3_stmt *st;

	g_snprintf(runnumber, sizeof(runnumber), "%u", rec->runnumber);
	g_snprintf(repetition, sizeof(repetition), "%u", rec->repetition);
	g_snprintf(seed, sizeof(seed), "%" G_GUINT64_FORMAT, rec->seed);
	g_snprintf(processid, sizeof(processid), "%ld", (long)getpid());
	replication = g_strdup_printf("#%u", rec->repetition);

	st = get_stmt(db, ST_RUN, &w->error);
	if (!st)
		return FALSE;
	sqlite3_bind_text(st, 1, rec->run_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, FS_RESULTDB_SIMTIME_EXP);
	if (!insert_row(db, st, "the run", &w->error))
		return FALSE;
	w->run_id = sqlite3_last_insert_rowid(db->sql);

	/* OMNeT++'s run attributes, then ours, then the caller's. */
	if (!add_run_attr(w, "configname", rec->config_name) ||
	    !add_run_attr(w, "runnumber", runnumber) ||
	    !add_run_attr(w, "repetition", repetition) ||
	    !add_run_attr(w, "seedset", rec->seedset ? rec->seedset : seed) ||
	    !add_run_attr(w, "iterationvars", itervars) ||
	    (rec->ini_file && !add_run_attr(w, "inifile", rec->ini_file)) ||
	    !add_run_attr(w, "processid", processid) ||
	    !add_run_attr(w, "experiment", rec->config_name) ||
	    !add_run_attr(w, "measurement", itervars) ||
	    !add_run_attr(w, "replication", replication) ||
	    !add_run_attr(w, "seed", seed) ||
	    !add_run_attr(w, "configHash", rec->config_hash))
		return FALSE;
	st = get_stmt(db, ST_RUN_DATETIME, &w->error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, w->run_id);
	if (rec->datetime)
		sqlite3_bind_text(st, 2, rec->datetime, -1, SQLITE_STATIC);
	if (!insert_row(db, st, "run attribute datetime", &w->error))
		return FALSE;
	for (guint i = 0; i < rec->n_attrs; i++)
		if (!add_run_attr(w, rec->attr_names[i], rec->attr_values[i]))
			return FALSE;

	for (guint i = 0; i < rec->n_itervars; i++) {
		g_autofree char *what = g_strdup_printf("iteration variable %s",
							rec->itervar_names[i]);

		st = get_stmt(db, ST_ITERVAR, &w->error);
		if (!st)
			return FALSE;
		sqlite3_bind_int64(st, 1, w->run_id);
		sqlite3_bind_text(st, 2, rec->itervar_names[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, rec->itervar_values[i], -1, SQLITE_STATIC);
		if (!insert_row(db, st, what, &w->error))
			return FALSE;
	}

	for (guint i = 0; i < rec->n_config; i++) {
		g_autofree char *what = g_strdup_printf("configuration key %s",
							rec->config_keys[i]);

		st = get_stmt(db, ST_CONFIG, &w->error);
		if (!st)
			return FALSE;
		sqlite3_bind_int64(st, 1, w->run_id);
		sqlite3_bind_text(st, 2, rec->config_keys[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, rec->config_values[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, (int)i);
		if (!insert_row(db, st, what, &w->error))
			return FALSE;
	}

	if (rec->stats) {
		sim_stats_foreach_counter(rec->stats, write_counter, w);
		sim_stats_foreach_scalar(rec->stats, write_scalar, w);
		sim_stats_foreach_hist(rec->stats, write_hist, w);
		if (w->error)
			return FALSE;
	}

	for (guint i = 0; i < rec->n_lockstat; i++)
		if (!write_lockstat(w, &rec->lockstat[i]))
			return FALSE;

	/* The status row last: a run with a status is a complete run. */
	st = get_stmt(db, ST_STATUS, &w->error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_text(st, 2, rec->config_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rec->runnumber);
	sqlite3_bind_text(st, 4, rec->status, -1, SQLITE_STATIC);
	bind_real(st, 5, rec->wall_time_s);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)rec->events);
	sqlite3_bind_int64(st, 7, rec->sim_time_ns);
	return insert_row(db, st, "the run status", &w->error);
}

gboolean fs_resultdb_write_run(struct fs_resultdb *db,
			       const struct fs_run_record *rec,
			       gint64 *run_id, GError **error)
{
	struct write_ctx w = { .db = db };

	g_return_val_if_fail(db != NULL && rec != NULL, FALSE);
	g_return_val_if_fail(rec->run_name && rec->config_name &&
			     rec->config_hash && rec->status, FALSE);
	g_return_val_if_fail(!rec->n_itervars ||
			     (rec->itervar_names && rec->itervar_values), FALSE);
	g_return_val_if_fail(!rec->n_config ||
			     (rec->config_keys && rec->config_values), FALSE);
	g_return_val_if_fail(!rec->n_attrs ||
			     (rec->attr_names && rec->attr_values), FALSE);
	g_return_val_if_fail(!rec->n_lockstat || rec->lockstat, FALSE);

	if (!exec_sql(db, "BEGIN IMMEDIATE", "cannot lock the database", error))
		return FALSE;
	db->rows = 0;
	if (!write_run_rows(&w, rec) ||
	    sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		if (!w.error)
			set_db_error(db, &w.error, "cannot commit the run");
		rollback(db);
		g_prefix_error(&w.error, "run %s: ", rec->run_name);
		g_propagate_error(error, w.error);
		return FALSE;
	}
	if (run_id)
		*run_id = w.run_id;
	return TRUE;
}

gboolean fs_resultdb_run_done(struct fs_resultdb *db, const char *config_hash,
			      gboolean *done, GError **error)
{
	sqlite3_stmt *st;
	int rc;

	g_return_val_if_fail(db != NULL && config_hash != NULL && done, FALSE);

	st = get_stmt(db, ST_RUN_DONE, error);
	if (!st)
		return FALSE;
	sqlite3_bind_text(st, 1, config_hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*done = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW) {
		set_db_error(db, error, "cannot look up finished runs");
		return FALSE;
	}
	return TRUE;
}

/* ---- merge --------------------------------------------------------------- */

/*
 * Ids: the source's runs to copy are listed in temp.mergeRun with their new
 * runId.  Every other id (scalarId, statId, vectorId, paramId) is shifted by
 * one offset per table, past every id the destination has ever used (its
 * sqlite_sequence), so that child rows (attributes, bins, vector data)
 * follow their parents by the same arithmetic, with no per-row lookups.
 */
static const char *const merge_sql[] = {
	"INSERT INTO main.run (runId, runName, simtimeExp) "
	"SELECT m.newId, r.runName, r.simtimeExp FROM src.run r "
	"JOIN temp.mergeRun m ON m.oldId = r.runId ORDER BY r.runId",

	"INSERT INTO main.runAttr (runId, attrName, attrValue) "
	"SELECT m.newId, a.attrName, a.attrValue FROM src.runAttr a "
	"JOIN temp.mergeRun m ON m.oldId = a.runId",

	"INSERT INTO main.runItervar (runId, itervarName, itervarValue) "
	"SELECT m.newId, a.itervarName, a.itervarValue FROM src.runItervar a "
	"JOIN temp.mergeRun m ON m.oldId = a.runId",

	"INSERT INTO main.runConfig (runId, configKey, configValue, configOrder) "
	"SELECT m.newId, a.configKey, a.configValue, a.configOrder FROM src.runConfig a "
	"JOIN temp.mergeRun m ON m.oldId = a.runId",

	"INSERT INTO main.runStatus (runId, configHash, runnumber, status, wallTime, "
	"events, simTimeNs, finishedAt) "
	"SELECT m.newId, a.configHash, a.runnumber, a.status, a.wallTime, a.events, "
	"a.simTimeNs, a.finishedAt FROM src.runStatus a "
	"JOIN temp.mergeRun m ON m.oldId = a.runId",

	"INSERT INTO main.lockStat (runId, lockName, mode, contentions, acquisitions, "
	"waitTimeMin, waitTimeMax, waitTimeTotal, holdTimeMin, holdTimeMax, holdTimeTotal) "
	"SELECT m.newId, a.lockName, a.mode, a.contentions, a.acquisitions, a.waitTimeMin, "
	"a.waitTimeMax, a.waitTimeTotal, a.holdTimeMin, a.holdTimeMax, a.holdTimeTotal "
	"FROM src.lockStat a JOIN temp.mergeRun m ON m.oldId = a.runId",

	"INSERT INTO main.scalar (scalarId, runId, moduleName, scalarName, scalarValue) "
	"SELECT s.scalarId + :scalar, m.newId, s.moduleName, s.scalarName, s.scalarValue "
	"FROM src.scalar s JOIN temp.mergeRun m ON m.oldId = s.runId ORDER BY s.scalarId",

	"INSERT INTO main.scalarAttr (scalarId, attrName, attrValue) "
	"SELECT a.scalarId + :scalar, a.attrName, a.attrValue FROM src.scalarAttr a "
	"JOIN src.scalar s ON s.scalarId = a.scalarId "
	"JOIN temp.mergeRun m ON m.oldId = s.runId",

	"INSERT INTO main.parameter (paramId, runId, moduleName, paramName, paramValue) "
	"SELECT p.paramId + :param, m.newId, p.moduleName, p.paramName, p.paramValue "
	"FROM src.parameter p JOIN temp.mergeRun m ON m.oldId = p.runId ORDER BY p.paramId",

	"INSERT INTO main.paramAttr (paramId, attrName, attrValue) "
	"SELECT a.paramId + :param, a.attrName, a.attrValue FROM src.paramAttr a "
	"JOIN src.parameter p ON p.paramId = a.paramId "
	"JOIN temp.mergeRun m ON m.oldId = p.runId",

	"INSERT INTO main.statistic (statId, runId, moduleName, statName, isHistogram, "
	"isWeighted, statCount, statMean, statStddev, statSum, statSqrsum, statMin, statMax, "
	"statWeights, statWeightedSum, statSqrSumWeights, statWeightedSqrSum) "
	"SELECT t.statId + :stat, m.newId, t.moduleName, t.statName, t.isHistogram, "
	"t.isWeighted, t.statCount, t.statMean, t.statStddev, t.statSum, t.statSqrsum, "
	"t.statMin, t.statMax, t.statWeights, t.statWeightedSum, t.statSqrSumWeights, "
	"t.statWeightedSqrSum FROM src.statistic t "
	"JOIN temp.mergeRun m ON m.oldId = t.runId ORDER BY t.statId",

	"INSERT INTO main.statisticAttr (statId, attrName, attrValue) "
	"SELECT a.statId + :stat, a.attrName, a.attrValue FROM src.statisticAttr a "
	"JOIN src.statistic t ON t.statId = a.statId "
	"JOIN temp.mergeRun m ON m.oldId = t.runId",

	"INSERT INTO main.histogramBin (statId, lowerEdge, binValue) "
	"SELECT b.statId + :stat, b.lowerEdge, b.binValue FROM src.histogramBin b "
	"JOIN src.statistic t ON t.statId = b.statId "
	"JOIN temp.mergeRun m ON m.oldId = t.runId ORDER BY b.rowid",

	"INSERT INTO main.vector (vectorId, runId, moduleName, vectorName, vectorCount, "
	"vectorMin, vectorMax, vectorSum, vectorSumSqr, startEventNum, endEventNum, "
	"startSimtimeRaw, endSimtimeRaw) "
	"SELECT v.vectorId + :vector, m.newId, v.moduleName, v.vectorName, v.vectorCount, "
	"v.vectorMin, v.vectorMax, v.vectorSum, v.vectorSumSqr, v.startEventNum, "
	"v.endEventNum, v.startSimtimeRaw, v.endSimtimeRaw FROM src.vector v "
	"JOIN temp.mergeRun m ON m.oldId = v.runId ORDER BY v.vectorId",

	"INSERT INTO main.vectorAttr (vectorId, attrName, attrValue) "
	"SELECT a.vectorId + :vector, a.attrName, a.attrValue FROM src.vectorAttr a "
	"JOIN src.vector v ON v.vectorId = a.vectorId "
	"JOIN temp.mergeRun m ON m.oldId = v.runId",

	"INSERT INTO main.vectorData (vectorId, eventNumber, simtimeRaw, value) "
	"SELECT d.vectorId + :vector, d.eventNumber, d.simtimeRaw, d.value "
	"FROM src.vectorData d JOIN src.vector v ON v.vectorId = d.vectorId "
	"JOIN temp.mergeRun m ON m.oldId = v.runId ORDER BY d.rowid",
};

/* The id offset for @table of main: past every id it has held. */
static gboolean id_offset(struct fs_resultdb *db, const char *table,
			  const char *id, gint64 *off, GError **error)
{
	g_autofree char *sql = g_strdup_printf(
		"SELECT MAX(COALESCE((SELECT seq FROM main.sqlite_sequence WHERE name = '%s'), 0), "
		"COALESCE((SELECT MAX(%s) FROM main.%s), 0))", table, id, table);

	return query_int(db, sql, off, error);
}

/* Run one statement of merge_sql with the offsets bound by name. */
static gboolean merge_step(struct fs_resultdb *db, const char *sql,
			   const gint64 off[4], GError **error)
{
	static const char *const names[4] = {
		":scalar", ":param", ":stat", ":vector",
	};
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
		set_db_error(db, error, "cannot merge");
		return FALSE;
	}
	for (int i = 0; i < 4; i++) {
		int idx = sqlite3_bind_parameter_index(st, names[i]);

		if (idx)
			sqlite3_bind_int64(st, idx, off[i]);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		set_db_error(db, error, "cannot merge");
		return FALSE;
	}
	return TRUE;
}

/* Check the attached source: a faultsim results database of our version. */
static gboolean check_merge_source(struct fs_resultdb *db, const char *src_path,
				   GError **error)
{
	g_autofree char *version = NULL;
	g_autofree char *ours = g_strdup_printf("%d", FS_RESULTDB_SCHEMA_VERSION);
	gint64 n;

	if (!query_int(db, "SELECT COUNT(*) FROM src.sqlite_master "
		       "WHERE type = 'table' AND name = 'faultsimMeta'", &n, error))
		return FALSE;
	if (n == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s: not a faultsim results database (no faultsimMeta table)",
			    src_path);
		return FALSE;
	}
	if (!query_text(db, "SELECT value FROM src.faultsimMeta WHERE key = 'schemaVersion'",
			NULL, &version, error))
		return FALSE;
	if (g_strcmp0(version, ours) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s: results schema version %s, this faultsim merges version %s",
			    src_path, version ? version : "(none)", ours);
		return FALSE;
	}
	return TRUE;
}

static gboolean merge_attached(struct fs_resultdb *db, const char *src_path,
			       guint *runs_added, GError **error)
{
	static const char *const tables[4][2] = {
		{ "scalar", "scalarId" }, { "parameter", "paramId" },
		{ "statistic", "statId" }, { "vector", "vectorId" },
	};
	gint64 off[4], run_off, added;
	g_autofree char *pick = NULL;

	if (!check_merge_source(db, src_path, error))
		return FALSE;
	if (!exec_sql(db, "BEGIN IMMEDIATE", "cannot lock the database", error))
		return FALSE;

	if (!id_offset(db, "run", "runId", &run_off, error))
		goto fail;
	for (int i = 0; i < 4; i++)
		if (!id_offset(db, tables[i][0], tables[i][1], &off[i], error))
			goto fail;

	/* The runs to copy: those whose name, and whose (configHash,
	 * runnumber), the destination does not have yet. */
	pick = g_strdup_printf(
		"CREATE TEMP TABLE mergeRun (oldId INTEGER PRIMARY KEY, newId INTEGER NOT NULL);"
		"INSERT INTO temp.mergeRun (oldId, newId) "
		"SELECT r.runId, r.runId + %" G_GINT64_FORMAT " FROM src.run r "
		"LEFT JOIN src.runStatus s ON s.runId = r.runId "
		"WHERE NOT EXISTS (SELECT 1 FROM main.run d WHERE d.runName = r.runName) "
		"AND NOT EXISTS (SELECT 1 FROM main.runStatus d "
		"WHERE d.configHash = s.configHash AND d.runnumber = s.runnumber);",
		run_off);
	if (!exec_sql(db, pick, "cannot merge", error))
		goto fail;
	if (!query_int(db, "SELECT COUNT(*) FROM temp.mergeRun", &added, error))
		goto fail;

	for (size_t i = 0; i < G_N_ELEMENTS(merge_sql); i++)
		if (!merge_step(db, merge_sql[i], off, error))
			goto fail;

	if (!exec_sql(db, "DROP TABLE temp.mergeRun; COMMIT", "cannot merge",
		      error))
		goto fail;
	if (runs_added)
		*runs_added = (guint)added;
	return TRUE;

fail:
	rollback(db);
	/* The temp table was created inside the rolled-back transaction. */
	return FALSE;
}

gboolean fs_resultdb_merge(struct fs_resultdb *dst, const char *src_path,
			   guint *runs_added, GError **error)
{
	g_autofree char *escaped = NULL;
	g_autofree char *uri = NULL;
	sqlite3_stmt *st;
	gboolean ok;
	int rc;

	g_return_val_if_fail(dst != NULL && src_path != NULL, FALSE);

	if (!g_file_test(src_path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "%s: no such results database", src_path);
		return FALSE;
	}

	/* Read-only, so that a mistyped name never creates a file. */
	escaped = g_uri_escape_string(src_path, "/", FALSE);
	uri = g_strconcat("file:", escaped, "?mode=ro", NULL);
	if (sqlite3_prepare_v2(dst->sql, "ATTACH DATABASE ? AS src", -1, &st,
			       NULL) != SQLITE_OK) {
		set_db_error(dst, error, "cannot attach");
		return FALSE;
	}
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot attach: %s",
			    src_path, sqlite3_errmsg(dst->sql));
		return FALSE;
	}

	ok = merge_attached(dst, src_path, runs_added, error);
	sqlite3_exec(dst->sql, "DETACH DATABASE src", NULL, NULL, NULL);
	return ok;
}
