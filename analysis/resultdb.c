/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The results database (see resultdb.h): schema, run writer, claims,
 * resume check and merge.
 *
 * Rules:
 * - Every write is one BEGIN IMMEDIATE ... COMMIT: the write lock is taken
 *   up front (waiting up to the busy timeout for another writer), so a
 *   transaction never has to upgrade a read lock and cannot deadlock with
 *   another process.  Any failure inside ends in ROLLBACK.  A batch
 *   (fs_resultdb_begin() .. fs_resultdb_commit()) is one such transaction
 *   holding several runs: a failure inside rolls all of it back.
 * - Statements are prepared once per connection and reset after each use;
 *   text is bound SQLITE_STATIC because every statement is stepped before
 *   the bound strings can go away.
 * - The wall clock is read by SQLite (datetime, finishedAt, claimedAt),
 *   never by simulation code.
 * - Schema creation is itself a transaction, so that two processes opening
 *   a new file at once create it once.
 * - A file is known to be ours before anything writes to it: the path is
 *   checked (a regular file or a new one in an existing directory, never a
 *   URI or a device), then the header and the schema are read through a
 *   connection that cannot write and leaves no file behind (open_reading()),
 *   and only then is the file opened for writing and put in WAL mode.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "analysis/resultdb.h"
#include "sim/core/types.h"

#define BUSY_TIMEOUT_MS 10000
/* Page cache of a writing connection, in KiB (SQLite's default is 2 MiB):
 * the indexes of a big study stay in memory. */
#define WRITER_CACHE_KIB 16384

/* runLockStat, also made again when lockStat gains columns (below). */
#define LOCKSTAT_VIEW_SQL \
	"CREATE VIEW runLockStat AS SELECT\n" \
	"  u.runId AS runId, u.runName AS runName, u.configname AS configname,\n" \
	"  u.runnumber AS runnumber, u.repetition AS repetition,\n" \
	"  u.iterationvars AS iterationvars, u.status AS status,\n" \
	"  l.lockName AS lockName, l.mode AS mode, l.contentions AS contentions,\n" \
	"  l.acquisitions AS acquisitions, l.waitTimeMin AS waitTimeMin,\n" \
	"  l.waitTimeMax AS waitTimeMax, l.waitTimeTotal AS waitTimeTotal,\n" \
	"  CASE WHEN l.contentions > 0 THEN 1.0 * l.waitTimeTotal / l.contentions END AS waitTimeAvg,\n" \
	"  l.holdTimeMin AS holdTimeMin, l.holdTimeMax AS holdTimeMax,\n" \
	"  l.holdTimeTotal AS holdTimeTotal,\n" \
	"  CASE WHEN l.acquisitions > 0 THEN 1.0 * l.holdTimeTotal / l.acquisitions END AS holdTimeAvg,\n" \
	"  l.conBounces AS conBounces, l.acqBounces AS acqBounces\n" \
	"  FROM runSummary u JOIN lockStat l ON l.runId = u.runId;\n"

/* ---- schema --------------------------------------------------------------
 * The OMNeT++ 6 tables (same names, columns, types and order), then ours,
 * then indexes and views.  Written for this project, after OMNeT++'s
 * published schema.
 */
/*
 * No index on scalar(moduleName, scalarName) (older files have one, and
 * keep it): each run would add its few hundred scalars in as
 * many places of it, and that index alone took half of the writer's time
 * (0.87 ms of a tiny run's write, 0.43 without).  A query by name reads the
 * table instead (0.43 s instead of 0.20 s for 3.4 M scalars of 20000 runs).
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
	"  holdTimeTotal INTEGER,\n"
	"  conBounces INTEGER NOT NULL DEFAULT 0,\n"
	"  acqBounces INTEGER NOT NULL DEFAULT 0);\n"
	"\n"
	"CREATE UNIQUE INDEX run_name ON run(runName);\n"
	"CREATE UNIQUE INDEX runAttr_run ON runAttr(runId, attrName);\n"
	"CREATE UNIQUE INDEX runItervar_run ON runItervar(runId, itervarName);\n"
	"CREATE INDEX runConfig_run ON runConfig(runId, configOrder);\n"
	"CREATE UNIQUE INDEX scalar_run ON scalar(runId, moduleName, scalarName);\n"
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
	LOCKSTAT_VIEW_SQL;

/* Claims (see resultdb.h): made in any database opened for writing,
 * older files of this schema version included. */
static const char claim_sql[] =
	"CREATE TABLE IF NOT EXISTS runClaim (\n"
	"  configHash TEXT NOT NULL,\n"
	"  runnumber INTEGER NOT NULL,\n"
	"  host TEXT NOT NULL,\n"
	"  pid INTEGER NOT NULL,\n"
	"  processStart TEXT NOT NULL,\n"
	"  claimedAt TEXT NOT NULL,\n"		/* ISO 8601, UTC */
	"  UNIQUE (configHash, runnumber));\n";

/* lockStat's bounce columns, added to files of this schema version made
 * before they were (their rows get 0: not recorded). */
static const char lockstat_bounces_sql[] =
	"ALTER TABLE lockStat ADD COLUMN conBounces INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE lockStat ADD COLUMN acqBounces INTEGER NOT NULL DEFAULT 0;\n"
	"DROP VIEW IF EXISTS runLockStat;\n"
	LOCKSTAT_VIEW_SQL;

/* ---- prepared statements -------------------------------------------------- */

enum stmt_id {
	ST_RUN,
	ST_RUN_DATETIME,
	ST_STATUS,
	ST_RUN_DONE,
	ST_RUN_WRITTEN,
	ST_CLAIM_GET,
	ST_CLAIM_PUT,
	ST_CLAIM_DROP,
	ST_CLAIM_DROP_OURS,
	NR_STMTS
};

/*
 * The tables of a run's rows, written by statements of several rows each
 * (insert_rows()): a statement's cost is a good part of that of a row.
 * OR FAIL: a row that breaks a rule of the schema stops the statement and
 * keeps the rows before it, so that the error names that row; and the
 * statement needs no journal of its own (with ABORT, SQLite copies every
 * page a statement of several rows changes, to undo it alone).  The write
 * of the run then fails and its transaction is rolled back, all of it.
 */
enum rows_id {
	ROWS_RUN_ATTR,
	ROWS_ITERVAR,
	ROWS_CONFIG,
	ROWS_STATISTIC,
	ROWS_STAT_ATTR,
	ROWS_BIN,
	ROWS_SCALAR,
	ROWS_SCALAR_ATTR,
	ROWS_LOCKSTAT,
	ROWS_VECTOR,
	ROWS_VECTOR_ATTR,
	ROWS_VECTOR_DATA,
	NR_ROWS
};

static const struct {
	const char *head, *row;
	int params;			/* per row */
} rows_sql[NR_ROWS] = {
	[ROWS_RUN_ATTR] = { "INSERT OR FAIL INTO runAttr (runId, attrName, attrValue) VALUES ",
			    "(?, ?, ?)", 3 },
	[ROWS_ITERVAR] = { "INSERT OR FAIL INTO runItervar (runId, itervarName, itervarValue) "
			   "VALUES ", "(?, ?, ?)", 3 },
	[ROWS_CONFIG] = { "INSERT OR FAIL INTO runConfig (runId, configKey, configValue, "
			  "configOrder) VALUES ", "(?, ?, ?, ?)", 4 },
	[ROWS_STATISTIC] = { "INSERT OR FAIL INTO statistic (runId, moduleName, statName, "
			     "isHistogram, isWeighted, statCount, statMean, statStddev, statSum, "
			     "statSqrsum, statMin, statMax) VALUES ",
			     "(?, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?)", 10 },
	[ROWS_STAT_ATTR] = { "INSERT OR FAIL INTO statisticAttr (statId, attrName, attrValue) "
			     "VALUES ", "(?, ?, ?)", 3 },
	[ROWS_BIN] = { "INSERT OR FAIL INTO histogramBin (statId, lowerEdge, binValue) VALUES ",
		       "(?, ?, ?)", 3 },
	[ROWS_SCALAR] = { "INSERT OR FAIL INTO scalar (runId, moduleName, scalarName, "
			  "scalarValue) VALUES ", "(?, ?, ?, ?)", 4 },
	[ROWS_SCALAR_ATTR] = { "INSERT OR FAIL INTO scalarAttr (scalarId, attrName, attrValue) "
			       "VALUES ", "(?, ?, ?)", 3 },
	[ROWS_LOCKSTAT] = { "INSERT OR FAIL INTO lockStat (runId, lockName, mode, contentions, "
			    "acquisitions, waitTimeMin, waitTimeMax, waitTimeTotal, holdTimeMin, "
			    "holdTimeMax, holdTimeTotal, conBounces, acqBounces) VALUES ",
			    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 13 },
	[ROWS_VECTOR] = { "INSERT OR FAIL INTO vector (runId, moduleName, vectorName, vectorCount, "
			  "vectorMin, vectorMax, vectorSum, vectorSumSqr, startEventNum, "
			  "endEventNum, startSimtimeRaw, endSimtimeRaw) VALUES ",
			  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 12 },
	[ROWS_VECTOR_ATTR] = { "INSERT OR FAIL INTO vectorAttr (vectorId, attrName, attrValue) "
			       "VALUES ", "(?, ?, ?)", 3 },
	[ROWS_VECTOR_DATA] = { "INSERT OR FAIL INTO vectorData (vectorId, eventNumber, simtimeRaw, "
			       "value) VALUES ", "(?, ?, ?, ?)", 4 },
};

/* Rows to a statement: the most of these that the rows left fill. */
static const guint chunk_rows[] = { 64, 16, 4, 1 };
#define NR_CHUNK_SIZES G_N_ELEMENTS(chunk_rows)

static const char *const stmt_sql[NR_STMTS] = {
	[ST_RUN] = "INSERT INTO run (runName, simtimeExp) VALUES (?, ?)",
	[ST_RUN_DATETIME] = "INSERT INTO runAttr (runId, attrName, attrValue) VALUES (?, 'datetime', "
		"COALESCE(?, strftime('%Y%m%d-%H:%M:%S', 'now', 'localtime')))",
	[ST_STATUS] = "INSERT INTO runStatus (runId, configHash, runnumber, status, wallTime, events, "
		"simTimeNs, finishedAt) VALUES (?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	[ST_RUN_DONE] = "SELECT EXISTS (SELECT 1 FROM runStatus WHERE configHash = ?)",
	[ST_RUN_WRITTEN] = "SELECT EXISTS (SELECT 1 FROM runStatus WHERE configHash = ? "
		"AND runnumber = ?)",
	[ST_CLAIM_GET] = "SELECT host, pid, processStart, "
		"(julianday('now') - julianday(claimedAt)) * 86400.0 "
		"FROM runClaim WHERE configHash = ? AND runnumber = ?",
	[ST_CLAIM_PUT] = "INSERT OR REPLACE INTO runClaim (configHash, runnumber, host, pid, "
		"processStart, claimedAt) VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	[ST_CLAIM_DROP] = "DELETE FROM runClaim WHERE configHash = ? AND runnumber = ? "
		"AND host = ? AND pid = ? AND processStart = ?",
	[ST_CLAIM_DROP_OURS] = "DELETE FROM runClaim WHERE host = ? AND pid = ? AND processStart = ?",
};

struct fs_resultdb {
	sqlite3 *sql;
	char *path;
	gboolean readonly;
	sqlite3_stmt *stmts[NR_STMTS];	/* prepared on first use */
	sqlite3_stmt *chunks[NR_ROWS][NR_CHUNK_SIZES];	/* likewise */

	/* Who claims runs: this process (see proc_start()). */
	char *host;
	gint64 pid;
	char *proc_start;
	double claim_limit_s;

	/* A batch is open: its transaction. */
	gboolean batch;
	/* The foreign keys are off, since a batch (fk_checks()). */
	gboolean fk_off;

	/* Checkpoints on a thread of their own (fs_resultdb_checkpoint_thread()). */
	struct checkpointer *ckpt;

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

/* ---- checkpoints on a thread ------------------------------------------------
 * In WAL mode every commit appends the pages it changed to the -wal file,
 * and a checkpoint copies them back into the database (SQLite's default:
 * by the committing connection, when the -wal holds 1000 pages or more).
 * For a study of tiny runs that copy was a seventh of the writer's time.
 * With a checkpointer the writer only appends: after a commit that leaves
 * CHECKPOINT_BYTES or more in the -wal, its hook wakes a thread that
 * copies them with a connection of its own (a PASSIVE checkpoint: it never
 * waits for, nor blocks, the writer).  A crash at any point is as safe as
 * with SQLite's own checkpoints: the -wal keeps every committed page until
 * the database has it.
 *
 * The -wal starts over from its beginning only at a commit whose
 * transaction began after a checkpoint had copied all of it; a writer that
 * begins its next transaction at once would always find the copy still
 * running, and the -wal would grow without end.  So a transaction that
 * begins with CHECKPOINT_WAIT_BYTES or more in the -wal first waits for the
 * running checkpoint to end (once every few batches, for the rest of one
 * copy).
 */
#define CHECKPOINT_BYTES (4 << 20)
#define CHECKPOINT_WAIT_BYTES (32 << 20)

struct checkpointer {
	sqlite3 *sql;			/* the thread's connection */
	GThread *thread;
	GMutex lock;
	GCond wake, idle;
	int page_size;
	/* under @lock: */
	gboolean due, busy, stop;
	gint64 wal_bytes;		/* in the -wal after the last commit */
};

static gpointer checkpointer_main(gpointer data)
{
	struct checkpointer *c = data;

	g_mutex_lock(&c->lock);
	for (;;) {
		while (!c->due && !c->stop)
			g_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		c->due = FALSE;
		c->busy = TRUE;
		g_mutex_unlock(&c->lock);
		/* A failure (SQLITE_BUSY: another process's checkpoint is
		 * running) is made good by the next one, or by the close. */
		sqlite3_wal_checkpoint_v2(c->sql, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		g_mutex_lock(&c->lock);
		c->busy = FALSE;
		g_cond_broadcast(&c->idle);
	}
	g_mutex_unlock(&c->lock);
	return NULL;
}

/* The writer's hook, after each commit: @pages are in the -wal. */
static int checkpointer_hook(void *data, sqlite3 *sql, const char *name, int pages)
{
	struct checkpointer *c = data;

	(void)sql;
	(void)name;
	g_mutex_lock(&c->lock);
	c->wal_bytes = (gint64)pages * c->page_size;
	if (c->wal_bytes >= CHECKPOINT_BYTES) {
		c->due = TRUE;
		g_cond_signal(&c->wake);
	}
	g_mutex_unlock(&c->lock);
	return SQLITE_OK;
}

/* Before the writer begins a transaction: see above. */
static void checkpointer_before_begin(struct fs_resultdb *db)
{
	struct checkpointer *c = db->ckpt;

	if (!c)
		return;
	g_mutex_lock(&c->lock);
	if (c->wal_bytes >= CHECKPOINT_WAIT_BYTES)
		while (c->due || c->busy)
			g_cond_wait(&c->idle, &c->lock);
	g_mutex_unlock(&c->lock);
}

gboolean fs_resultdb_checkpoint_thread(struct fs_resultdb *db, GError **error)
{
	struct checkpointer *c;

	g_return_val_if_fail(db != NULL && !db->readonly, FALSE);

	if (db->ckpt)
		return TRUE;
	c = g_new0(struct checkpointer, 1);
	if (sqlite3_open_v2(db->path, &c->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot open for checkpoints: %s",
			    db->path, c->sql ? sqlite3_errmsg(c->sql) : "out of memory");
		sqlite3_close_v2(c->sql);
		g_free(c);
		return FALSE;
	}
	sqlite3_busy_timeout(c->sql, BUSY_TIMEOUT_MS);
	/* A read opens the -wal (a connection that read nothing does not
	 * know yet that the file is in WAL mode, and checkpoints nothing). */
	if (sqlite3_exec(c->sql, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot open for checkpoints: %s",
			    db->path, sqlite3_errmsg(c->sql));
		sqlite3_close_v2(c->sql);
		g_free(c);
		return FALSE;
	}
	{
		gint64 page_size = 0;

		if (!query_int(db, "PRAGMA page_size", &page_size, error)) {
			sqlite3_close_v2(c->sql);
			g_free(c);
			return FALSE;
		}
		c->page_size = (int)MAX(page_size, 512);
	}
	g_mutex_init(&c->lock);
	g_cond_init(&c->wake);
	g_cond_init(&c->idle);
	c->thread = g_thread_new("checkpoints", checkpointer_main, c);
	db->ckpt = c;
	/* Replaces the automatic checkpoints of the writer's connection. */
	sqlite3_wal_hook(db->sql, checkpointer_hook, c);
	return TRUE;
}

/* Stop the checkpointer, if any, and give the writer's connection back
 * its automatic checkpoints. */
static void checkpointer_stop(struct fs_resultdb *db)
{
	struct checkpointer *c = db->ckpt;

	if (!c)
		return;
	sqlite3_wal_autocheckpoint(db->sql, (int)(CHECKPOINT_BYTES / c->page_size));
	g_mutex_lock(&c->lock);
	c->stop = TRUE;
	g_cond_signal(&c->wake);
	g_mutex_unlock(&c->lock);
	g_thread_join(c->thread);
	sqlite3_close_v2(c->sql);
	g_mutex_clear(&c->lock);
	g_cond_clear(&c->wake);
	g_cond_clear(&c->idle);
	g_free(c);
	db->ckpt = NULL;
}

/* ---- paths ----------------------------------------------------------------
 * What a results database may be: a regular file, or a new file in an
 * existing directory.  Never a SQLite URI ("file:..."), ":memory:", a
 * directory, a device, a FIFO or a socket: SQLite would open some of them
 * and write to them.
 */

static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory" : S_ISCHR(mode) ? "a character device" :
	       S_ISBLK(mode) ? "a block device" : S_ISFIFO(mode) ? "a FIFO" :
	       S_ISSOCK(mode) ? "a socket" : "not a regular file";
}

gboolean fs_resultdb_check_path(const char *path, gboolean must_exist,
				gboolean *exists, GError **error)
{
	struct stat sb;

	if (exists)
		*exists = FALSE;
	if (!path || !*path) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "an empty name is not a results database");
		return FALSE;
	}
	if (g_ascii_strncasecmp(path, "file:", 5) == 0 || strcmp(path, ":memory:") == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s: a SQLite URI or special name, not a file name (for a file "
			    "of that name, write ./%s)", path, path);
		return FALSE;
	}
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s: %s, not a results database", path, file_kind(sb.st_mode));
			return FALSE;
		}
		if (exists)
			*exists = TRUE;
		return TRUE;
	}
	if (errno != ENOENT) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: %s", path, g_strerror(errno));
		return FALSE;
	}
	if (must_exist) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: no such results database", path);
		return FALSE;
	}
	{
		g_autofree char *dir = g_path_get_dirname(path);

		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s: no such directory '%s'", path, dir);
			return FALSE;
		}
	}
	return TRUE;
}

/* The header of an existing file: *@empty if it has no byte (SQLite makes
 * a new database of it), else it must be a SQLite database; *@wal if that
 * is in WAL mode (file format versions 2). */
static gboolean read_header(const char *path, gboolean *empty, gboolean *wal,
			    GError **error)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char hdr[100];
	FILE *f = fopen(path, "rb");
	size_t n;

	*empty = *wal = FALSE;
	if (!f) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot open: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	n = fread(hdr, 1, sizeof(hdr), f);
	fclose(f);
	if (n == 0) {
		*empty = TRUE;
		return TRUE;
	}
	if (n < sizeof(hdr) || memcmp(hdr, magic, sizeof(magic)) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s: not a SQLite database (left alone)", path);
		return FALSE;
	}
	*wal = hdr[18] == 2 || hdr[19] == 2;
	return TRUE;
}

/*
 * A connection that reads @path and can neither write to it nor leave a
 * file next to it.  SQLite's read-only mode is not enough: reading a file
 * in WAL mode needs its -wal and -shm files, and a read-only connection
 * that has to make them cannot remove them.  So:
 *   - not in WAL mode: read-only (it makes nothing);
 *   - in WAL mode with its -wal there (a writer has it open, or crashed):
 *     read-only, on the files that are there;
 *   - in WAL mode without -wal, file and directory writable: read-write,
 *     made read-only with PRAGMA query_only; the last connection to close
 *     removes the -wal and -shm it made, as any writer's does;
 *   - else, nobody here can write to it: read as immutable.
 */
static sqlite3 *open_reading(const char *path, GError **error)
{
	g_autofree char *wal_path = g_strconcat(path, "-wal", NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *uri = NULL;
	gboolean empty, wal;
	const char *name = path;
	int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	gboolean query_only = FALSE;
	sqlite3 *sql = NULL;

	if (!read_header(path, &empty, &wal, error))
		return NULL;
	if (wal && !g_file_test(wal_path, G_FILE_TEST_EXISTS)) {
		if (access(path, W_OK) == 0 && access(dir, W_OK) == 0) {
			flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
			query_only = TRUE;
		} else {
			g_autofree char *escaped = g_uri_escape_string(path, "/", FALSE);

			uri = g_strconcat("file:", escaped, "?immutable=1", NULL);
			name = uri;
			flags |= SQLITE_OPEN_URI;
		}
	}
	if (sqlite3_open_v2(name, &sql, flags, NULL) != SQLITE_OK) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot open: %s", path,
			    sql ? sqlite3_errmsg(sql) : "out of memory");
		sqlite3_close_v2(sql);
		return NULL;
	}
	sqlite3_extended_result_codes(sql, 1);
	sqlite3_busy_timeout(sql, BUSY_TIMEOUT_MS);
	if (query_only &&
	    sqlite3_exec(sql, "PRAGMA query_only = ON", NULL, NULL, NULL) != SQLITE_OK) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: cannot set up: %s", path,
			    sqlite3_errmsg(sql));
		sqlite3_close_v2(sql);
		return NULL;
	}
	return sql;
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

/* Whether the schema of the open database is ours, of our version; an
 * empty database (no object at all) passes when @empty_ok. */
static gboolean check_schema(struct fs_resultdb *db, gboolean empty_ok, GError **error)
{
	g_autofree char *version = NULL;
	g_autofree char *ours = NULL;
	gint64 n;

	if (!query_int(db, "SELECT COUNT(*) FROM sqlite_master", &n, error))
		return FALSE;
	if (n == 0 && empty_ok)
		return TRUE;
	if (!query_int(db, "SELECT COUNT(*) FROM sqlite_master "
		       "WHERE type = 'table' AND name = 'faultsimMeta'", &n, error))
		return FALSE;
	if (n == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s: not a faultsim results database (no faultsimMeta table; "
			    "left alone)", db->path);
		return FALSE;
	}
	if (!query_text(db, "SELECT value FROM faultsimMeta WHERE key = 'schemaVersion'",
			NULL, &version, error))
		return FALSE;
	ours = g_strdup_printf("%d", FS_RESULTDB_SCHEMA_VERSION);
	if (g_strcmp0(version, ours) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
			    "%s: results schema version %s, this faultsim reads version %s",
			    db->path, version ? version : "(none)", ours);
		return FALSE;
	}
	return TRUE;
}

/* Whether @schema's lockStat has the bounce columns. */
static gboolean has_lockstat_bounces(struct fs_resultdb *db, const char *schema,
				     gboolean *has, GError **error)
{
	g_autofree char *sql = g_strdup_printf("SELECT COUNT(*) FROM pragma_table_info('lockStat', "
					       "'%s') WHERE name = 'conBounces'", schema);
	gint64 n;

	if (!query_int(db, sql, &n, error))
		return FALSE;
	*has = n > 0;
	return TRUE;
}

/* Give lockStat its bounce columns if the file predates them. */
static gboolean upgrade_lockstat(struct fs_resultdb *db, GError **error)
{
	gboolean has;

	if (!has_lockstat_bounces(db, "main", &has, error))
		return FALSE;
	return has || exec_sql(db, lockstat_bounces_sql, "cannot upgrade lockStat", error);
}

/* Create the schema in an empty file, or check the version of an existing
 * one, and make the claims table.  In one IMMEDIATE transaction so that
 * concurrent openers agree. */
static gboolean setup_schema(struct fs_resultdb *db, GError **error)
{
	gint64 nr_objects;

	if (!exec_sql(db, "BEGIN IMMEDIATE", "cannot lock the database", error))
		return FALSE;
	if (!query_int(db, "SELECT COUNT(*) FROM sqlite_master", &nr_objects,
		       error))
		goto fail;
	if (nr_objects == 0) {
		g_autofree char *meta = g_strdup_printf(
			"INSERT INTO faultsimMeta VALUES ('schemaVersion', '%d');"
			"INSERT INTO faultsimMeta VALUES ('simtimeExp', '%d');",
			FS_RESULTDB_SCHEMA_VERSION, FS_RESULTDB_SIMTIME_EXP);

		if (!exec_sql(db, schema_sql, "cannot create the schema", error) ||
		    !exec_sql(db, meta, "cannot create the schema", error))
			goto fail;
	}
	if (!check_schema(db, FALSE, error) ||
	    !upgrade_lockstat(db, error) ||
	    !exec_sql(db, claim_sql, "cannot create the schema", error) ||
	    !exec_sql(db, "COMMIT", "cannot create the schema", error))
		goto fail;
	return TRUE;

fail:
	rollback(db);
	return FALSE;
}

/* The start of process @pid, as "BOOT-ID/TICKS" (the boot's id and the
 * process's start time in clock ticks since boot, /proc/PID/stat field
 * 22): a pid that was reused, or one from before a reboot, has another.
 * "" where /proc does not tell. */
static char *proc_start(gint64 pid)
{
	g_autofree char *stat_path = g_strdup_printf("/proc/%" G_GINT64_FORMAT "/stat", pid);
	g_autofree char *stat = NULL, *boot = NULL;
	const char *p;
	int field;

	if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL) ||
	    !g_file_get_contents(stat_path, &stat, NULL, NULL))
		return g_strdup("");
	/* Fields after the command name, which may hold spaces and ')'. */
	p = strrchr(stat, ')');
	if (!p)
		return g_strdup("");
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || !g_ascii_isdigit(*p))
		return g_strdup("");
	return g_strdup_printf("%s/%" G_GUINT64_FORMAT, g_strstrip(boot),
			       g_ascii_strtoull(p, NULL, 10));
}

/*
 * Before SQLite's first use in the process: no counts of its memory
 * (sqlite3_status() is never asked), which spares a global mutex at each of
 * its allocations -- some twenty per row written.  Once SQLite is in use
 * this changes nothing (sqlite3_config() then refuses, harmlessly).
 */
static gpointer sqlite_setup(gpointer unused)
{
	(void)unused;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	return NULL;
}

static struct fs_resultdb *db_new(const char *path, gboolean readonly)
{
	static GOnce setup = G_ONCE_INIT;
	struct fs_resultdb *db;

	g_once(&setup, sqlite_setup, NULL);
	db = g_new0(struct fs_resultdb, 1);

	db->path = g_strdup(path);
	db->readonly = readonly;
	db->host = g_strdup(g_get_host_name());
	db->pid = (gint64)getpid();
	db->proc_start = proc_start(db->pid);
	db->claim_limit_s = FS_RESULTDB_CLAIM_LIMIT_S;
	return db;
}

struct fs_resultdb *fs_resultdb_open(const char *path, GError **error)
{
	struct fs_resultdb *db;
	gboolean exists;

	g_return_val_if_fail(path != NULL, NULL);

	if (!fs_resultdb_check_path(path, FALSE, &exists, error))
		return NULL;
	db = db_new(path, FALSE);

	/* An existing file is read first, through a connection that writes
	 * nothing: unless it is empty or ours, it is left as it is. */
	if (exists) {
		gboolean empty, wal;

		if (!read_header(path, &empty, &wal, error))
			goto fail;
		if (!empty) {
			db->sql = open_reading(path, error);
			if (!db->sql || !check_schema(db, TRUE, error))
				goto fail;
			sqlite3_close_v2(db->sql);
			db->sql = NULL;
		}
		if (access(path, W_OK) != 0) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
				    "%s: read-only (%s): cannot write results to it", path,
				    g_strerror(errno));
			goto fail;
		}
	}
	/* A new file, and the -wal of a file nobody has open, are made in
	 * its directory. */
	{
		g_autofree char *dir = g_path_get_dirname(path);
		g_autofree char *wal_path = g_strconcat(path, "-wal", NULL);

		if (!g_file_test(wal_path, G_FILE_TEST_EXISTS) && access(dir, W_OK) != 0) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
				    "%s: directory '%s' is read-only (%s): cannot make %s",
				    path, dir, g_strerror(errno),
				    exists ? "the database's -wal file" : "the database");
			goto fail;
		}
	}

	/* SQLITE_OPEN_URI so that merge can attach its source by URI; the
	 * path itself is no URI (fs_resultdb_check_path()). */
	if (sqlite3_open_v2(path, &db->sql,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
			    SQLITE_OPEN_NOMUTEX,
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
	if (sqlite3_db_readonly(db->sql, "main") != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "%s: read-only: cannot write results to it", path);
		goto fail;
	}
	/* WAL: readers never block the writer, and writers queue on the busy
	 * timeout.  synchronous = NORMAL keeps every commit atomic; a crash
	 * of the process loses nothing committed, a power loss at most the
	 * last commits, never half of one. */
	/* A new file gets pages of 16 KiB (SQLite's default is 4 KiB; an
	 * existing file keeps its own): a run's rows fill fewer pages, which
	 * split less and cost fewer frames in the -wal (7% of the writer of a
	 * study of tiny runs, 40% of the checkpoints). */
	if (!exec_sql(db, "PRAGMA foreign_keys = ON", "cannot set up", error) ||
	    !exec_sql(db, "PRAGMA page_size = 16384", "cannot set up", error) ||
	    !set_wal(db, error) ||
	    !exec_sql(db, "PRAGMA synchronous = NORMAL", "cannot set up", error))
		goto fail;
	{
		/* A statement's journal (a chunk of rows is one statement)
		 * in memory, not in a temporary file. */
		g_autofree char *cache = g_strdup_printf("PRAGMA cache_size = -%d; "
							 "PRAGMA temp_store = MEMORY",
							 WRITER_CACHE_KIB);

		if (!exec_sql(db, cache, "cannot set up", error))
			goto fail;
	}
	if (!setup_schema(db, error))
		goto fail;
	return db;

fail:
	fs_resultdb_close(db);
	return NULL;
}

struct fs_resultdb *fs_resultdb_open_readonly(const char *path, GError **error)
{
	struct fs_resultdb *db;

	g_return_val_if_fail(path != NULL, NULL);

	if (!fs_resultdb_check_path(path, TRUE, NULL, error))
		return NULL;
	db = db_new(path, TRUE);
	db->sql = open_reading(path, error);
	if (!db->sql || !check_schema(db, FALSE, error)) {
		fs_resultdb_close(db);
		return NULL;
	}
	return db;
}

void fs_resultdb_close(struct fs_resultdb *db)
{
	if (!db)
		return;
	checkpointer_stop(db);
	for (int i = 0; i < NR_STMTS; i++)
		sqlite3_finalize(db->stmts[i]);
	for (int i = 0; i < NR_ROWS; i++)
		for (guint k = 0; k < NR_CHUNK_SIZES; k++)
			sqlite3_finalize(db->chunks[i][k]);
	sqlite3_close_v2(db->sql);
	g_free(db->path);
	g_free(db->host);
	g_free(db->proc_start);
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

/* ---- batches --------------------------------------------------------------- */

/*
 * Inside a batch the foreign keys are not checked: every row the writer
 * adds points to one it has just added, and the checks (a lookup per row,
 * and a statement journal for every INSERT that might have to be undone)
 * cost a tenth of the write.  Setting the pragma makes SQLite prepare every
 * statement of the connection again (a twentieth of a tiny run's write when
 * it was set at each batch's begin and end): so it is turned off once, for
 * the batches that follow, and on again before the next write outside a
 * batch (fk_checks()).
 */
static gboolean fk_checks(struct fs_resultdb *db, GError **error)
{
	if (!db->fk_off)
		return TRUE;
	if (!exec_sql(db, "PRAGMA foreign_keys = ON", "cannot set up", error))
		return FALSE;
	db->fk_off = FALSE;
	return TRUE;
}

gboolean fs_resultdb_begin(struct fs_resultdb *db, GError **error)
{
	g_return_val_if_fail(db != NULL && !db->batch && !db->readonly, FALSE);

	if (!db->fk_off) {
		if (!exec_sql(db, "PRAGMA foreign_keys = OFF", "cannot set up", error))
			return FALSE;
		db->fk_off = TRUE;
	}
	checkpointer_before_begin(db);
	if (!exec_sql(db, "BEGIN IMMEDIATE", "cannot lock the database", error))
		return FALSE;
	db->batch = TRUE;
	return TRUE;
}

static void batch_end(struct fs_resultdb *db)
{
	db->batch = FALSE;
}

gboolean fs_resultdb_commit(struct fs_resultdb *db, GError **error)
{
	g_return_val_if_fail(db != NULL, FALSE);

	if (!db->batch)
		return TRUE;
	if (!exec_sql(db, "COMMIT", "cannot commit", error)) {
		rollback(db);
		batch_end(db);
		return FALSE;
	}
	batch_end(db);
	return TRUE;
}

void fs_resultdb_rollback(struct fs_resultdb *db)
{
	rollback(db);
	if (db->batch)
		batch_end(db);
}

gboolean fs_resultdb_in_batch(const struct fs_resultdb *db)
{
	return db->batch;
}

/* What one write or claim needs: its own transaction, or the open batch's.
 * (A savepoint per run would keep a batch when one run fails, but costs a
 * quarter of the write; a failure is rare, and the caller writes the
 * batch's other runs again.) */
static gboolean unit_begin(struct fs_resultdb *db, GError **error)
{
	if (db->batch)
		return TRUE;
	if (!fk_checks(db, error))
		return FALSE;
	checkpointer_before_begin(db);
	return exec_sql(db, "BEGIN IMMEDIATE", "cannot lock the database", error);
}

static gboolean unit_commit(struct fs_resultdb *db, GError **error)
{
	if (db->batch)
		return TRUE;
	return exec_sql(db, "COMMIT", "cannot commit", error);
}

/* Undo the unit: its transaction, or the whole batch, which ends. */
static void unit_rollback(struct fs_resultdb *db)
{
	fs_resultdb_rollback(db);
}

/* ---- claims ---------------------------------------------------------------- */

void fs_resultdb_set_claim_limit(struct fs_resultdb *db, double seconds)
{
	db->claim_limit_s = seconds;
}

/* Whether a claim of @host, @pid, @start, @age_s seconds old, is dead; if
 * so, *@why says why. */
static gboolean claim_stale(const struct fs_resultdb *db, const char *host, gint64 pid,
			    const char *start, double age_s, const char **why)
{
	if (age_s > db->claim_limit_s) {
		*why = "older than the claim time limit";
		return TRUE;
	}
	if (g_strcmp0(host, db->host) != 0)
		return FALSE;		/* another machine's: only the age tells */
	if (pid <= 0 || pid > G_MAXINT || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
		*why = "process gone";
		return TRUE;
	}
	if (start && *start && *db->proc_start) {
		g_autofree char *now = proc_start(pid);
		const char *slash = strchr(start, '/');
		size_t boot_len = slash ? (size_t)(slash - start) : strlen(start);

		if (strncmp(start, db->proc_start, boot_len) != 0 ||
		    db->proc_start[boot_len] != '/') {
			*why = "claimed before a reboot";
			return TRUE;
		}
		if (*now && strcmp(now, start) != 0) {
			*why = "process gone, its pid reused";
			return TRUE;
		}
	}
	return FALSE;
}

static void bind_owner(struct fs_resultdb *db, sqlite3_stmt *st, int first)
{
	sqlite3_bind_text(st, first, db->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, first + 1, db->pid);
	sqlite3_bind_text(st, first + 2, db->proc_start, -1, SQLITE_STATIC);
}

/* Put or drop (@which) this process's claim on run @runnumber of
 * @config_hash; @what names the failure. */
static gboolean claim_exec(struct fs_resultdb *db, enum stmt_id which, const char *config_hash,
			   guint runnumber, const char *what, GError **error)
{
	sqlite3_stmt *st = get_stmt(db, which, error);
	int rc;

	if (!st)
		return FALSE;
	sqlite3_bind_text(st, 1, config_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, runnumber);
	bind_owner(db, st, 3);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		set_db_error(db, error, what);
		return FALSE;
	}
	return TRUE;
}

/* The claim step, inside a transaction. */
static gboolean claim_locked(struct fs_resultdb *db, const char *config_hash,
			     guint runnumber, enum fs_claim *out, char **holder,
			     GError **error)
{
	g_autofree char *host = NULL, *start = NULL;
	gboolean done, found;
	gint64 pid = 0;
	double age = 0;
	const char *why = NULL;
	sqlite3_stmt *st;
	int rc;

	if (!fs_resultdb_run_written(db, config_hash, runnumber, &done, error))
		return FALSE;
	if (done) {
		*out = FS_CLAIM_DONE;
		return TRUE;
	}
	st = get_stmt(db, ST_CLAIM_GET, error);
	if (!st)
		return FALSE;
	sqlite3_bind_text(st, 1, config_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, runnumber);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW;
	if (found) {
		host = g_strdup((const char *)sqlite3_column_text(st, 0));
		pid = sqlite3_column_int64(st, 1);
		start = g_strdup((const char *)sqlite3_column_text(st, 2));
		age = sqlite3_column_double(st, 3);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_db_error(db, error, "cannot read the run claims");
		return FALSE;
	}
	if (found && g_strcmp0(host, db->host) == 0 && pid == db->pid &&
	    g_strcmp0(start, db->proc_start) == 0) {
		*out = FS_CLAIM_NEW;	/* ours already */
		return TRUE;
	}
	if (found && !claim_stale(db, host, pid, start, age, &why)) {
		*out = FS_CLAIM_HELD;
		if (holder)
			*holder = g_strdup_printf("%s pid %" G_GINT64_FORMAT ", %.0f s ago",
						  host, pid, age);
		return TRUE;
	}
	if (!claim_exec(db, ST_CLAIM_PUT, config_hash, runnumber, "cannot claim a run", error))
		return FALSE;
	*out = found ? FS_CLAIM_TAKEN_OVER : FS_CLAIM_NEW;
	if (found && holder)
		*holder = g_strdup_printf("%s pid %" G_GINT64_FORMAT ", %.0f s ago: %s",
					  host, pid, age, why);
	return TRUE;
}

gboolean fs_resultdb_claim(struct fs_resultdb *db, const char *config_hash,
			   guint runnumber, enum fs_claim *out, char **holder,
			   GError **error)
{
	g_return_val_if_fail(db != NULL && config_hash != NULL && out != NULL, FALSE);

	if (holder)
		*holder = NULL;
	if (!unit_begin(db, error))
		return FALSE;
	if (!claim_locked(db, config_hash, runnumber, out, holder, error) ||
	    !unit_commit(db, error)) {
		unit_rollback(db);
		if (holder)
			g_clear_pointer(holder, g_free);
		return FALSE;
	}
	return TRUE;
}

static gboolean drop_claim(struct fs_resultdb *db, const char *config_hash,
			   guint runnumber, GError **error)
{
	return claim_exec(db, ST_CLAIM_DROP, config_hash, runnumber, "cannot drop a run claim",
			  error);
}

gboolean fs_resultdb_unclaim(struct fs_resultdb *db, const char *config_hash,
			     guint runnumber, GError **error)
{
	g_return_val_if_fail(db != NULL && config_hash != NULL, FALSE);

	if (!unit_begin(db, error))
		return FALSE;
	if (!drop_claim(db, config_hash, runnumber, error) || !unit_commit(db, error)) {
		unit_rollback(db);
		return FALSE;
	}
	return TRUE;
}

gboolean fs_resultdb_unclaim_all(struct fs_resultdb *db, GError **error)
{
	sqlite3_stmt *st;
	int rc;

	g_return_val_if_fail(db != NULL, FALSE);

	if (!unit_begin(db, error))
		return FALSE;
	st = get_stmt(db, ST_CLAIM_DROP_OURS, error);
	if (!st)
		goto fail;
	bind_owner(db, st, 1);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		set_db_error(db, error, "cannot drop the run claims");
		goto fail;
	}
	if (unit_commit(db, error))
		return TRUE;
fail:
	unit_rollback(db);
	return FALSE;
}

/* ---- measurements ----------------------------------------------------------
 * A run's rows flattened, in the order they are written: counters (a
 * scalar with scalarAttr kind = counter each), scalars, then per histogram
 * a statistic row, its bins and its derived scalars; then lock_stat rows.
 * Strings are offsets into one pool that starts with "" (offset 0).  The
 * packed form is the same arrays behind a header, for a pipe between two
 * processes of the same program.
 */

enum meas_kind {
	MEAS_SCALAR,
	MEAS_COUNTER,
	MEAS_STAT,
};

struct meas_item {
	guint32 kind;			/* enum meas_kind */
	guint32 module, name;		/* pool offsets */
	guint32 first_bin, n_bins;	/* MEAS_STAT */
	guint32 unit, description;	/* pool offsets; 0: none declared */
	guint32 pad;
	guint64 count;			/* MEAS_STAT */
	/* MEAS_SCALAR, MEAS_COUNTER: value[0]; MEAS_STAT: mean, stddev,
	 * sum, sum of squares, min, max (NaN: NULL). */
	double value[6];
};

struct meas_bin {
	double lower, value;
};

struct meas_lock {
	guint32 lock_name, mode;	/* pool offsets */
	guint64 contentions, acquisitions;
	guint64 con_bounces, acq_bounces;
	gint64 times[6];		/* wait min, max, total; hold min, max, total */
};

/* A vector: its samples are samples[first .. first + n). */
struct meas_vector {
	guint32 module, name, unit, description, interpolation;	/* pool offsets */
	guint32 pad;
	guint64 first, n;
};

struct fs_measurements {
	/* The registry read, while fs_measurements_new() reads it: the units
	 * and descriptions of its measurements. */
	const struct sim_stats *src;
	GArray *items;			/* struct meas_item */
	GArray *bins;			/* struct meas_bin */
	GArray *locks;			/* struct meas_lock */
	GArray *vectors;		/* struct meas_vector */
	GArray *samples;		/* struct sim_vector_sample */
	GString *pool;
};

struct meas_header {
	guint32 magic;
	guint32 n_items, n_bins, n_locks, pool_len;
	guint32 n_vectors;
	guint64 n_samples;
};

#define MEAS_MAGIC 0x6673726dU		/* "fsrm" */

static struct fs_measurements *meas_alloc(void)
{
	struct fs_measurements *m = g_new0(struct fs_measurements, 1);

	m->items = g_array_new(FALSE, TRUE, sizeof(struct meas_item));
	m->bins = g_array_new(FALSE, TRUE, sizeof(struct meas_bin));
	m->locks = g_array_new(FALSE, TRUE, sizeof(struct meas_lock));
	m->vectors = g_array_new(FALSE, TRUE, sizeof(struct meas_vector));
	m->samples = g_array_new(FALSE, FALSE, sizeof(struct sim_vector_sample));
	m->pool = g_string_sized_new(256);
	g_string_append_c(m->pool, '\0');
	return m;
}

static guint32 meas_string(struct fs_measurements *m, const char *s)
{
	guint32 off = (guint32)m->pool->len;

	if (!s || !*s)
		return 0;
	g_string_append_len(m->pool, s, (gssize)strlen(s) + 1);
	return off;
}

static const char *meas_str(const struct fs_measurements *m, guint32 off)
{
	return m->pool->str + off;
}

static void meas_scalar(struct fs_measurements *m, enum meas_kind kind, guint32 module,
			const char *name, double value)
{
	struct meas_item it = { .kind = kind, .module = module };

	it.name = meas_string(m, name);
	it.value[0] = value;
	g_array_append_val(m->items, it);
}

/* The unit and description the registry declares for item @i (what
 * (@kind, @module, @name) is). */
static void meas_describe(struct fs_measurements *m, guint i, enum sim_stat_kind kind,
			  const char *module, const char *name)
{
	const char *desc = NULL;
	const char *unit = m->src ? sim_stats_unit(m->src, kind, module, name, &desc) : NULL;
	guint32 u = meas_string(m, unit), d = meas_string(m, desc);

	g_array_index(m->items, struct meas_item, i).unit = u;
	g_array_index(m->items, struct meas_item, i).description = d;
}

static void meas_counter(const char *module, const char *name, uint64_t value, void *data)
{
	struct fs_measurements *m = data;

	meas_scalar(m, MEAS_COUNTER, meas_string(m, module), name, (double)value);
	meas_describe(m, m->items->len - 1, SIM_STAT_COUNTER, module, name);
}

static void meas_plain_scalar(const char *module, const char *name, double value, void *data)
{
	struct fs_measurements *m = data;

	meas_scalar(m, MEAS_SCALAR, meas_string(m, module), name, value);
	meas_describe(m, m->items->len - 1, SIM_STAT_SCALAR, module, name);
}

/* Histogram bins in OMNeT++'s layout: see resultdb.h. */
struct bin_ctx {
	struct fs_measurements *m;
	double next_edge;	/* upper edge of the last bin added */
};

static void meas_add_bin(struct fs_measurements *m, double lower, double value)
{
	struct meas_bin b = { lower, value };

	g_array_append_val(m->bins, b);
}

static void meas_bin(uint64_t lower, uint64_t upper, uint64_t count, void *data)
{
	struct bin_ctx *b = data;

	if (isinf(b->next_edge))		/* first bin: the underflows */
		meas_add_bin(b->m, -INFINITY, 0);
	else if ((double)lower > b->next_edge)	/* a gap of empty bins */
		meas_add_bin(b->m, b->next_edge, 0);
	meas_add_bin(b->m, (double)lower, (double)count);
	b->next_edge = (double)upper;
}

static void meas_hist(const char *module, const char *name, const struct sim_hist *h,
		      void *data)
{
	struct fs_measurements *m = data;
	uint64_t n = sim_hist_count(h);
	double mean = n ? sim_hist_mean(h) : NAN;
	double sd = n ? sim_hist_stddev(h) : NAN;
	double min = n ? (double)sim_hist_min(h) : NAN;
	double max = n ? (double)sim_hist_max(h) : NAN;
	double sum = sim_hist_sum(h);
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
	struct meas_item it = { .kind = MEAS_STAT, .count = n };
	struct bin_ctx b = { m, INFINITY };
	guint32 mod = meas_string(m, module);
	guint item;
	char sname[256];

	it.module = mod;
	it.name = meas_string(m, name);
	it.first_bin = m->bins->len;
	it.value[0] = mean;
	it.value[1] = sd;
	it.value[2] = sum;
	/* The sum of squares is not exported by sim_hist; rebuild it from the
	 * exact moments: S2 = (n - 1) s^2 + S1^2 / n. */
	it.value[3] = n ? (double)((long double)(n - 1) * sd * sd +
				   (long double)sum * sum / n) : 0;
	it.value[4] = min;
	it.value[5] = max;
	item = m->items->len;
	g_array_append_val(m->items, it);
	meas_describe(m, item, SIM_STAT_HIST, module, name);

	sim_hist_foreach_bin(h, meas_bin, &b);
	if (n)					/* last bin: the overflows */
		meas_add_bin(m, b.next_edge, 0);
	g_array_index(m->items, struct meas_item, item).n_bins =
		m->bins->len - g_array_index(m->items, struct meas_item, item).first_bin;

	for (size_t i = 0; i < G_N_ELEMENTS(derived); i++) {
		g_snprintf(sname, sizeof(sname), "%s:%s", name, derived[i].suffix);
		meas_scalar(m, MEAS_SCALAR, mod, sname, derived[i].value);
	}
}

static void meas_vector(const char *module, const char *name, const struct sim_vector *v,
			void *data)
{
	struct fs_measurements *m = data;
	const char *desc = NULL;
	const char *unit = sim_stats_unit(m->src, SIM_STAT_VECTOR, module, name, &desc);
	size_t n;
	const struct sim_vector_sample *smp = sim_vector_samples(v, &n);
	struct meas_vector mv = { .first = m->samples->len, .n = n };

	mv.module = meas_string(m, module);
	mv.name = meas_string(m, name);
	mv.unit = meas_string(m, unit);
	mv.description = meas_string(m, desc);
	mv.interpolation = meas_string(m, sim_vector_interpolation(v));
	g_array_append_vals(m->samples, smp, (guint)n);
	g_array_append_val(m->vectors, mv);
}

struct fs_measurements *fs_measurements_new(const struct sim_stats *stats,
					    const struct fs_lockstat_row *lockstat,
					    guint n_lockstat)
{
	struct fs_measurements *m = meas_alloc();

	g_return_val_if_fail(!n_lockstat || lockstat, m);

	if (stats) {
		m->src = stats;
		sim_stats_foreach_counter(stats, meas_counter, m);
		sim_stats_foreach_scalar(stats, meas_plain_scalar, m);
		sim_stats_foreach_hist(stats, meas_hist, m);
		sim_stats_foreach_vector(stats, meas_vector, m);
		m->src = NULL;
	}
	for (guint i = 0; i < n_lockstat; i++) {
		const struct fs_lockstat_row *l = &lockstat[i];
		struct meas_lock ml = {
			.contentions = l->contentions, .acquisitions = l->acquisitions,
			.con_bounces = l->con_bounces, .acq_bounces = l->acq_bounces,
			.times = { l->wait_time_min_ns, l->wait_time_max_ns, l->wait_time_total_ns,
				   l->hold_time_min_ns, l->hold_time_max_ns, l->hold_time_total_ns },
		};

		g_return_val_if_fail(l->lock_name != NULL, m);
		ml.lock_name = meas_string(m, l->lock_name);
		ml.mode = meas_string(m, l->mode);
		g_array_append_val(m->locks, ml);
	}
	return m;
}

void fs_measurements_free(struct fs_measurements *m)
{
	if (!m)
		return;
	g_array_unref(m->items);
	g_array_unref(m->bins);
	g_array_unref(m->locks);
	g_array_unref(m->vectors);
	g_array_unref(m->samples);
	g_string_free(m->pool, TRUE);
	g_free(m);
}

gsize fs_measurements_size(const struct fs_measurements *m)
{
	return sizeof(*m) + m->items->len * sizeof(struct meas_item) +
	       m->bins->len * sizeof(struct meas_bin) +
	       m->locks->len * sizeof(struct meas_lock) +
	       m->vectors->len * sizeof(struct meas_vector) +
	       (gsize)m->samples->len * sizeof(struct sim_vector_sample) + m->pool->allocated_len;
}

GBytes *fs_measurements_pack(const struct fs_measurements *m)
{
	struct meas_header h = {
		.magic = MEAS_MAGIC,
		.n_items = m->items->len, .n_bins = m->bins->len,
		.n_locks = m->locks->len, .pool_len = (guint32)m->pool->len,
		.n_vectors = m->vectors->len, .n_samples = m->samples->len,
	};
	GByteArray *out = g_byte_array_sized_new((guint)(sizeof(h) + fs_measurements_size(m)));

	g_byte_array_append(out, (const guint8 *)&h, sizeof(h));
	g_byte_array_append(out, (const guint8 *)m->items->data,
			    m->items->len * sizeof(struct meas_item));
	g_byte_array_append(out, (const guint8 *)m->bins->data,
			    m->bins->len * sizeof(struct meas_bin));
	g_byte_array_append(out, (const guint8 *)m->locks->data,
			    m->locks->len * sizeof(struct meas_lock));
	g_byte_array_append(out, (const guint8 *)m->vectors->data,
			    m->vectors->len * sizeof(struct meas_vector));
	g_byte_array_append(out, (const guint8 *)m->samples->data,
			    m->samples->len * sizeof(struct sim_vector_sample));
	g_byte_array_append(out, (const guint8 *)m->pool->str, m->pool->len);
	return g_byte_array_free_to_bytes(out);
}

static gboolean meas_offset_ok(guint32 off, guint32 pool_len)
{
	return off < pool_len;
}

struct fs_measurements *fs_measurements_unpack(const void *data, gsize len, GError **error)
{
	const guint8 *p = data;
	struct meas_header h;
	struct fs_measurements *m;
	guint64 need;

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, p, sizeof(h));
	need = sizeof(h) + (guint64)h.n_items * sizeof(struct meas_item) +
	       (guint64)h.n_bins * sizeof(struct meas_bin) +
	       (guint64)h.n_locks * sizeof(struct meas_lock) +
	       (guint64)h.n_vectors * sizeof(struct meas_vector) +
	       (h.n_samples > G_MAXUINT32 ? G_MAXUINT64 / 2 :
		h.n_samples * sizeof(struct sim_vector_sample)) + h.pool_len;
	if (h.magic != MEAS_MAGIC || need != len || h.pool_len == 0)
		goto bad;
	p += sizeof(h);
	m = meas_alloc();
	g_array_append_vals(m->items, p, h.n_items);
	p += h.n_items * sizeof(struct meas_item);
	g_array_append_vals(m->bins, p, h.n_bins);
	p += h.n_bins * sizeof(struct meas_bin);
	g_array_append_vals(m->locks, p, h.n_locks);
	p += h.n_locks * sizeof(struct meas_lock);
	g_array_append_vals(m->vectors, p, h.n_vectors);
	p += h.n_vectors * sizeof(struct meas_vector);
	g_array_append_vals(m->samples, p, (guint)h.n_samples);
	p += h.n_samples * sizeof(struct sim_vector_sample);
	g_string_truncate(m->pool, 0);
	g_string_append_len(m->pool, (const char *)p, h.pool_len);

	/* Every string ends inside the pool, every bin range inside the bins. */
	if (m->pool->str[h.pool_len - 1] != '\0')
		goto bad_free;
	for (guint i = 0; i < h.n_items; i++) {
		const struct meas_item *it = &g_array_index(m->items, struct meas_item, i);

		if (it->kind > MEAS_STAT || !meas_offset_ok(it->module, h.pool_len) ||
		    !meas_offset_ok(it->name, h.pool_len) ||
		    !meas_offset_ok(it->unit, h.pool_len) ||
		    !meas_offset_ok(it->description, h.pool_len) ||
		    (it->kind == MEAS_STAT && ((guint64)it->first_bin + it->n_bins > h.n_bins)))
			goto bad_free;
	}
	for (guint i = 0; i < h.n_locks; i++) {
		const struct meas_lock *l = &g_array_index(m->locks, struct meas_lock, i);

		if (!meas_offset_ok(l->lock_name, h.pool_len) || !meas_offset_ok(l->mode, h.pool_len))
			goto bad_free;
	}
	for (guint i = 0; i < h.n_vectors; i++) {
		const struct meas_vector *v = &g_array_index(m->vectors, struct meas_vector, i);

		if (!meas_offset_ok(v->module, h.pool_len) || !meas_offset_ok(v->name, h.pool_len) ||
		    !meas_offset_ok(v->unit, h.pool_len) ||
		    !meas_offset_ok(v->description, h.pool_len) ||
		    !meas_offset_ok(v->interpolation, h.pool_len) ||
		    v->first > h.n_samples || v->n > h.n_samples - v->first)
			goto bad_free;
	}
	return m;

bad_free:
	fs_measurements_free(m);
bad:
	g_set_error(error, SIM_ERROR, SIM_ERROR_FAILED,
		    "malformed measurements (%" G_GSIZE_FORMAT " bytes)", len);
	return NULL;
}

/* ---- writing a run ------------------------------------------------------- */

/* Step the INSERT @st (bound by the caller) and reset it; on an error, the
 * message names the row: "cannot record " @fmt. */
static gboolean insert_row(struct fs_resultdb *db, sqlite3_stmt *st, GError **error,
			   const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static gboolean insert_row(struct fs_resultdb *db, sqlite3_stmt *st, GError **error,
			   const char *fmt, ...)
{
	int rc = sqlite3_step(st);
	g_autofree char *what = NULL;
	va_list ap;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE) {
		db->rows++;
		if (!db->row_hook || db->row_hook(db->row_hook_data, db->rows))
			return TRUE;
	}
	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (rc != SQLITE_DONE) {
		g_autofree char *msg = g_strdup_printf("cannot record %s", what);

		set_db_error(db, error, msg);
	} else {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "%s: cannot record %s: injected failure after %"
			    G_GUINT64_FORMAT " rows", db->path, what, db->rows);
	}
	return FALSE;
}

/* NaN (an undefined mean, say) is stored as NULL, as OMNeT++ does. */
static void bind_real(sqlite3_stmt *st, int col, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_double(st, col, v);
}

struct write_ctx {
	struct fs_resultdb *db;
	gint64 run_id;
	GError *error;
	const struct vector_row *vector;	/* whose samples are written */
};

/* A row of a table of enum rows_id, for insert_rows(): binds it from
 * parameter @p on; names it in an error (newly allocated). */
typedef void bind_row_fn(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row);
typedef char *name_row_fn(const struct write_ctx *w, gconstpointer row);

static sqlite3_stmt *get_chunk_stmt(struct fs_resultdb *db, enum rows_id id, guint size,
				    GError **error)
{
	if (!db->chunks[id][size]) {
		g_autoptr(GString) sql = g_string_new(rows_sql[id].head);

		for (guint i = 0; i < chunk_rows[size]; i++)
			g_string_append_printf(sql, "%s%s", i ? ", " : "", rows_sql[id].row);
		if (sqlite3_prepare_v3(db->sql, sql->str, -1, SQLITE_PREPARE_PERSISTENT,
				       &db->chunks[id][size], NULL) != SQLITE_OK) {
			set_db_error(db, error, "cannot prepare a statement");
			return NULL;
		}
	}
	return db->chunks[id][size];
}

/*
 * Insert the @n rows of @rows (each @size bytes) into table @id, as many
 * to a statement as chunk_rows[] allows.  @ids (NULL: not wanted) gets the
 * rowid of each (one statement's rows get consecutive ones: the tables
 * that are asked for them grow by AUTOINCREMENT).  An error names the
 * first row not written (@name).
 */
static gboolean insert_rows(struct write_ctx *w, enum rows_id id, gconstpointer rows, gsize size,
			    guint n, bind_row_fn *bind, name_row_fn *name, gint64 *ids)
{
	struct fs_resultdb *db = w->db;
	const char *base = rows;
	guint i = 0;

	while (i < n) {
		g_autofree char *what = NULL;
		guint s = 0, k, done;
		sqlite3_stmt *st;
		int rc;

		while (chunk_rows[s] > n - i)
			s++;
		k = chunk_rows[s];
		st = get_chunk_stmt(db, id, s, &w->error);
		if (!st)
			return FALSE;
		for (guint r = 0; r < k; r++)
			bind(w, st, (int)r * rows_sql[id].params + 1, base + (i + r) * size);
		rc = sqlite3_step(st);
		done = rc == SQLITE_DONE ? k : MIN((guint)sqlite3_changes(db->sql), k - 1);
		if (rc == SQLITE_DONE && ids) {
			gint64 last = sqlite3_last_insert_rowid(db->sql);

			for (guint r = 0; r < k; r++)
				ids[i + r] = last - (gint64)(k - 1 - r);
		}
		sqlite3_reset(st);
		i += done;
		db->rows += done;
		if (rc == SQLITE_DONE &&
		    (!db->row_hook || db->row_hook(db->row_hook_data, db->rows)))
			continue;
		what = name(w, base + (i - (rc == SQLITE_DONE)) * size);
		if (rc == SQLITE_DONE) {
			g_set_error(&w->error, SIM_ERROR, SIM_ERROR_IO,
				    "%s: cannot record %s: injected failure after %"
				    G_GUINT64_FORMAT " rows", db->path, what, db->rows);
		} else {
			g_autofree char *msg = g_strdup_printf("cannot record %s", what);

			set_db_error(db, &w->error, msg);
		}
		return FALSE;
	}
	return TRUE;
}

#define INSERT_ROWS(w, id, arr, bind, name, ids) \
	insert_rows((w), (id), (arr)->data, g_array_get_element_size(arr), (arr)->len, \
		    (bind), (name), (ids))

/* The run's own rows: attributes, iteration variables, configuration. */
struct text_row {
	const char *kind;		/* "run attribute", ...: in an error */
	const char *name, *value;
	int order;			/* configOrder */
};

static void bind_text_row(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row)
{
	const struct text_row *r = row;

	sqlite3_bind_int64(st, p, w->run_id);
	sqlite3_bind_text(st, p + 1, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, r->value, -1, SQLITE_STATIC);
}

static void bind_config_row(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row)
{
	bind_text_row(w, st, p, row);
	sqlite3_bind_int(st, p + 3, ((const struct text_row *)row)->order);
}

static char *name_text_row(const struct write_ctx *w, gconstpointer row)
{
	const struct text_row *r = row;

	(void)w;
	return g_strdup_printf("%s %s", r->kind, r->name);
}

/* A scalar, a statistic (@values: mean, stddev, sum, sum of squares, min,
 * max), or an attribute or a histogram bin of one (@id). */
struct meas_row {
	const char *module, *name;
	gint64 id;
	const char *attr, *value;	/* attributes */
	guint64 count;			/* statistics */
	const double *values;		/* statistics; a scalar's value; a bin's lower edge, value */
};

static void bind_scalar_row(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row)
{
	const struct meas_row *r = row;

	sqlite3_bind_int64(st, p, w->run_id);
	sqlite3_bind_text(st, p + 1, r->module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, r->name, -1, SQLITE_STATIC);
	bind_real(st, p + 3, r->values[0]);
}

static void bind_stat_row(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row)
{
	const struct meas_row *r = row;

	sqlite3_bind_int64(st, p, w->run_id);
	sqlite3_bind_text(st, p + 1, r->module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, p + 3, (sqlite3_int64)r->count);
	for (int k = 0; k < 6; k++)
		bind_real(st, p + 4 + k, r->values[k]);
}

static void bind_attr_row(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row)
{
	const struct meas_row *r = row;

	(void)w;
	sqlite3_bind_int64(st, p, r->id);
	sqlite3_bind_text(st, p + 1, r->attr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, r->value, -1, SQLITE_STATIC);
}

static void bind_bin_row(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row)
{
	const struct meas_row *r = row;

	(void)w;
	sqlite3_bind_int64(st, p, r->id);
	sqlite3_bind_double(st, p + 1, r->values[0]);
	sqlite3_bind_double(st, p + 2, r->values[1]);
}

static char *name_scalar_row(const struct write_ctx *w, gconstpointer row)
{
	const struct meas_row *r = row;

	(void)w;
	return g_strdup_printf("scalar %s.%s", r->module, r->name);
}

static char *name_stat_row(const struct write_ctx *w, gconstpointer row)
{
	const struct meas_row *r = row;

	(void)w;
	return g_strdup_printf("statistic %s.%s", r->module, r->name);
}

static char *name_vector_attr_row(const struct write_ctx *w, gconstpointer row)
{
	const struct meas_row *r = row;

	(void)w;
	return g_strdup_printf("vector %s.%s", r->module, r->name);
}

static char *name_bin_row(const struct write_ctx *w, gconstpointer row)
{
	const struct meas_row *r = row;

	(void)w;
	return g_strdup_printf("statistic %s.%s: histogram bins", r->module, r->name);
}

struct lock_row {
	const char *lock, *mode;
	const struct meas_lock *l;
};

static void bind_lock_row(const struct write_ctx *w, sqlite3_stmt *st, int p, gconstpointer row)
{
	const struct lock_row *r = row;

	sqlite3_bind_int64(st, p, w->run_id);
	sqlite3_bind_text(st, p + 1, r->lock, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, r->mode, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, p + 3, (sqlite3_int64)r->l->contentions);
	sqlite3_bind_int64(st, p + 4, (sqlite3_int64)r->l->acquisitions);
	for (int i = 0; i < 6; i++)
		sqlite3_bind_int64(st, p + 5 + i, r->l->times[i]);
	sqlite3_bind_int64(st, p + 11, (sqlite3_int64)r->l->con_bounces);
	sqlite3_bind_int64(st, p + 12, (sqlite3_int64)r->l->acq_bounces);
}

static char *name_lock_row(const struct write_ctx *w, gconstpointer row)
{
	const struct lock_row *r = row;

	(void)w;
	return g_strdup_printf("lock_stat row %s/%s", r->lock, r->mode);
}

/* A vector with its count, extremes, sums and ends; a sample of one. */
struct vector_row {
	const char *module, *name;
	guint64 n;
	double min, max, sum, sumsq;
	const struct sim_vector_sample *first, *last;	/* NULL: no sample */
	gint64 id;
};

static void bind_vector_row(const struct write_ctx *w, sqlite3_stmt *st, int p,
			    gconstpointer row)
{
	const struct vector_row *r = row;

	sqlite3_bind_int64(st, p, w->run_id);
	sqlite3_bind_text(st, p + 1, r->module, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, p + 3, (sqlite3_int64)r->n);
	bind_real(st, p + 4, r->min);
	bind_real(st, p + 5, r->max);
	bind_real(st, p + 6, r->sum);
	bind_real(st, p + 7, r->sumsq);
	if (r->first) {
		sqlite3_bind_int64(st, p + 8, (sqlite3_int64)r->first->event);
		sqlite3_bind_int64(st, p + 9, (sqlite3_int64)r->last->event);
		sqlite3_bind_int64(st, p + 10, r->first->time);
		sqlite3_bind_int64(st, p + 11, r->last->time);
	} else {
		for (int k = 8; k < 12; k++)
			sqlite3_bind_null(st, p + k);
	}
}

/* A sample of the vector w->vector. */
static void bind_sample_row(const struct write_ctx *w, sqlite3_stmt *st, int p,
			    gconstpointer row)
{
	const struct sim_vector_sample *r = row;

	sqlite3_bind_int64(st, p, w->vector->id);
	sqlite3_bind_int64(st, p + 1, (sqlite3_int64)r->event);
	sqlite3_bind_int64(st, p + 2, r->time);
	bind_real(st, p + 3, r->value);
}

static char *name_sample_row(const struct write_ctx *w, gconstpointer row)
{
	(void)row;
	return g_strdup_printf("vector %s.%s: vector data", w->vector->module, w->vector->name);
}

static char *name_vector_row(const struct write_ctx *w, gconstpointer row)
{
	const struct vector_row *r = row;

	(void)w;
	return g_strdup_printf("vector %s.%s", r->module, r->name);
}

/* The vectors (one row each, with its count, extremes, sums and ends), their
 * attributes (unit, description, interpolationmode: OMNeT++'s names) and
 * their data.  The samples go a vector at a time (a vector may have 100000
 * of them). */
static gboolean write_vectors(struct write_ctx *w, const struct fs_measurements *m)
{
	g_autoptr(GArray) vectors = g_array_sized_new(FALSE, FALSE, sizeof(struct vector_row),
						      m->vectors->len);
	g_autoptr(GArray) attrs = g_array_new(FALSE, FALSE, sizeof(struct meas_row));
	g_autofree gint64 *ids = g_new(gint64, m->vectors->len + 1);

	for (guint i = 0; i < m->vectors->len; i++) {
		const struct meas_vector *v = &g_array_index(m->vectors, struct meas_vector, i);
		const struct sim_vector_sample *smp =
			&g_array_index(m->samples, struct sim_vector_sample, 0) + v->first;
		struct vector_row r = { .module = meas_str(m, v->module), .name = meas_str(m, v->name),
					.n = v->n, .min = NAN, .max = NAN,
					.sum = v->n ? 0 : NAN, .sumsq = v->n ? 0 : NAN };

		for (guint64 k = 0; k < v->n; k++) {
			double x = smp[k].value;

			r.min = k == 0 || x < r.min ? x : r.min;
			r.max = k == 0 || x > r.max ? x : r.max;
			r.sum += x;
			r.sumsq += x * x;
		}
		if (v->n) {
			r.first = &smp[0];
			r.last = &smp[v->n - 1];
		}
		g_array_append_val(vectors, r);
	}
	if (!INSERT_ROWS(w, ROWS_VECTOR, vectors, bind_vector_row, name_vector_row, ids))
		return FALSE;
	for (guint i = 0; i < m->vectors->len; i++) {
		const struct meas_vector *v = &g_array_index(m->vectors, struct meas_vector, i);
		static const char *const attr[] = { "unit", "description", "interpolationmode" };

		for (int a = 0; a < 3; a++) {
			guint32 off = a == 0 ? v->unit : a == 1 ? v->description : v->interpolation;
			struct meas_row r = { .module = meas_str(m, v->module),
					      .name = meas_str(m, v->name), .id = ids[i],
					      .attr = attr[a], .value = meas_str(m, off) };

			if (off)
				g_array_append_val(attrs, r);
		}
	}
	if (!INSERT_ROWS(w, ROWS_VECTOR_ATTR, attrs, bind_attr_row, name_vector_attr_row, NULL))
		return FALSE;
	for (guint i = 0; i < m->vectors->len; i++) {
		const struct meas_vector *v = &g_array_index(m->vectors, struct meas_vector, i);
		struct vector_row *r = &g_array_index(vectors, struct vector_row, i);

		r->id = ids[i];
		w->vector = r;
		if (!insert_rows(w, ROWS_VECTOR_DATA,
				 &g_array_index(m->samples, struct sim_vector_sample, v->first),
				 sizeof(struct sim_vector_sample), (guint)v->n, bind_sample_row,
				 name_sample_row, NULL))
			return FALSE;
	}
	w->vector = NULL;
	return TRUE;
}

/*
 * The measurements: the statistics, their attributes and bins; the
 * scalars (counters and plain ones, in the order of the items) and their
 * attributes; the lock_stat rows; the vectors (write_vectors()).
 */
static gboolean write_measurements(struct write_ctx *w, const struct fs_measurements *m)
{
	g_autoptr(GArray) stats = g_array_new(FALSE, FALSE, sizeof(struct meas_row));
	g_autoptr(GArray) scalars = g_array_new(FALSE, FALSE, sizeof(struct meas_row));
	g_autoptr(GArray) attrs = g_array_new(FALSE, FALSE, sizeof(struct meas_row));
	g_autoptr(GArray) bins = g_array_new(FALSE, FALSE, sizeof(struct meas_row));
	g_autoptr(GArray) locks = g_array_new(FALSE, FALSE, sizeof(struct lock_row));
	g_autofree gint64 *ids = NULL;

	for (guint i = 0; i < m->items->len; i++) {
		const struct meas_item *it = &g_array_index(m->items, struct meas_item, i);
		struct meas_row r = { .module = meas_str(m, it->module), .name = meas_str(m, it->name),
				      .count = it->count, .values = it->value };

		g_array_append_val(it->kind == MEAS_STAT ? stats : scalars, r);
	}
	ids = g_new(gint64, MAX(stats->len, scalars->len) + 1);

	if (!INSERT_ROWS(w, ROWS_STATISTIC, stats, bind_stat_row, name_stat_row, ids))
		return FALSE;
	for (guint i = 0, s = 0; i < m->items->len; i++) {
		const struct meas_item *it = &g_array_index(m->items, struct meas_item, i);
		const struct meas_bin *b = &g_array_index(m->bins, struct meas_bin, it->first_bin);
		struct meas_row r = { .module = meas_str(m, it->module), .name = meas_str(m, it->name) };

		if (it->kind != MEAS_STAT)
			continue;
		r.id = ids[s++];
		/* The declared unit (of the values) and description. */
		if (it->unit) {
			r.attr = "unit";
			r.value = meas_str(m, it->unit);
			g_array_append_val(attrs, r);
		}
		if (it->description) {
			r.attr = "description";
			r.value = meas_str(m, it->description);
			g_array_append_val(attrs, r);
		}
		for (guint k = 0; k < it->n_bins; k++) {
			r.values = &b[k].lower;
			g_array_append_val(bins, r);
		}
	}
	if (!INSERT_ROWS(w, ROWS_STAT_ATTR, attrs, bind_attr_row, name_stat_row, NULL) ||
	    !INSERT_ROWS(w, ROWS_BIN, bins, bind_bin_row, name_bin_row, NULL))
		return FALSE;

	if (!INSERT_ROWS(w, ROWS_SCALAR, scalars, bind_scalar_row, name_scalar_row, ids))
		return FALSE;
	g_array_set_size(attrs, 0);
	for (guint i = 0, s = 0; i < m->items->len; i++) {
		const struct meas_item *it = &g_array_index(m->items, struct meas_item, i);
		struct meas_row r = { .module = meas_str(m, it->module), .name = meas_str(m, it->name) };

		if (it->kind == MEAS_STAT)
			continue;
		r.id = ids[s++];
		/* kind = counter, and the declared unit and description
		 * (OMNeT++'s attribute names). */
		if (it->kind == MEAS_COUNTER) {
			r.attr = "kind";
			r.value = "counter";
			g_array_append_val(attrs, r);
		}
		if (it->unit) {
			r.attr = "unit";
			r.value = meas_str(m, it->unit);
			g_array_append_val(attrs, r);
		}
		if (it->description) {
			r.attr = "description";
			r.value = meas_str(m, it->description);
			g_array_append_val(attrs, r);
		}
	}
	if (!INSERT_ROWS(w, ROWS_SCALAR_ATTR, attrs, bind_attr_row, name_scalar_row, NULL))
		return FALSE;

	for (guint i = 0; i < m->locks->len; i++) {
		const struct meas_lock *l = &g_array_index(m->locks, struct meas_lock, i);
		struct lock_row r = { meas_str(m, l->lock_name), meas_str(m, l->mode), l };

		g_array_append_val(locks, r);
	}
	return INSERT_ROWS(w, ROWS_LOCKSTAT, locks, bind_lock_row, name_lock_row, NULL) &&
	       write_vectors(w, m);
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
	if (!insert_row(db, st, &w->error, "the run"))
		return FALSE;
	w->run_id = sqlite3_last_insert_rowid(db->sql);

	/* OMNeT++'s run attributes, then ours, then the caller's; the
	 * datetime (SQLite's clock, unless given) after them. */
	{
		const struct text_row std[] = {
			{ "run attribute", "configname", rec->config_name, 0 },
			{ "run attribute", "runnumber", runnumber, 0 },
			{ "run attribute", "repetition", repetition, 0 },
			{ "run attribute", "seedset", rec->seedset ? rec->seedset : seed, 0 },
			{ "run attribute", "iterationvars", itervars, 0 },
			{ "run attribute", "inifile", rec->ini_file, 0 },
			{ "run attribute", "processid", processid, 0 },
			{ "run attribute", "experiment", rec->config_name, 0 },
			{ "run attribute", "measurement", itervars, 0 },
			{ "run attribute", "replication", replication, 0 },
			{ "run attribute", "seed", seed, 0 },
			{ "run attribute", "configHash", rec->config_hash, 0 },
		};
		g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(struct text_row));

		for (guint i = 0; i < G_N_ELEMENTS(std); i++)
			if (std[i].value)
				g_array_append_val(rows, std[i]);
		for (guint i = 0; i < rec->n_attrs; i++) {
			struct text_row r = { "run attribute", rec->attr_names[i],
					      rec->attr_values[i], 0 };

			g_array_append_val(rows, r);
		}
		if (!INSERT_ROWS(w, ROWS_RUN_ATTR, rows, bind_text_row, name_text_row, NULL))
			return FALSE;
		st = get_stmt(db, ST_RUN_DATETIME, &w->error);
		if (!st)
			return FALSE;
		sqlite3_bind_int64(st, 1, w->run_id);
		if (rec->datetime)
			sqlite3_bind_text(st, 2, rec->datetime, -1, SQLITE_STATIC);
		if (!insert_row(db, st, &w->error, "run attribute datetime"))
			return FALSE;

		g_array_set_size(rows, 0);
		for (guint i = 0; i < rec->n_itervars; i++) {
			struct text_row r = { "iteration variable", rec->itervar_names[i],
					      rec->itervar_values[i], 0 };

			g_array_append_val(rows, r);
		}
		if (!INSERT_ROWS(w, ROWS_ITERVAR, rows, bind_text_row, name_text_row, NULL))
			return FALSE;
		g_array_set_size(rows, 0);
		for (guint i = 0; i < rec->n_config; i++) {
			struct text_row r = { "configuration key", rec->config_keys[i],
					      rec->config_values[i], (int)i };

			g_array_append_val(rows, r);
		}
		if (!INSERT_ROWS(w, ROWS_CONFIG, rows, bind_config_row, name_text_row, NULL))
			return FALSE;
	}

	if (rec->measurements) {
		if (!write_measurements(w, rec->measurements))
			return FALSE;
	} else if (rec->stats || rec->n_lockstat) {
		struct fs_measurements *m = fs_measurements_new(rec->stats, rec->lockstat,
								rec->n_lockstat);
		gboolean ok = write_measurements(w, m);

		fs_measurements_free(m);
		if (!ok)
			return FALSE;
	}

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
	if (!insert_row(db, st, &w->error, "the run status"))
		return FALSE;
	/* This process's claim on the run, if any, goes with it. */
	return drop_claim(db, rec->config_hash, rec->runnumber, &w->error);
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
	g_return_val_if_fail(!rec->measurements || (!rec->stats && !rec->n_lockstat), FALSE);

	if (!unit_begin(db, error))
		return FALSE;
	db->rows = 0;
	if (!write_run_rows(&w, rec) || !unit_commit(db, &w.error)) {
		if (!w.error)
			set_db_error(db, &w.error, "cannot commit the run");
		unit_rollback(db);
		g_prefix_error(&w.error, "run %s: ", rec->run_name);
		g_propagate_error(error, w.error);
		return FALSE;
	}
	if (run_id)
		*run_id = w.run_id;
	return TRUE;
}

static gboolean run_exists(struct fs_resultdb *db, enum stmt_id id, const char *config_hash,
			   guint runnumber, gboolean *done, GError **error)
{
	sqlite3_stmt *st;
	int rc;

	g_return_val_if_fail(db != NULL && config_hash != NULL && done, FALSE);

	st = get_stmt(db, id, error);
	if (!st)
		return FALSE;
	sqlite3_bind_text(st, 1, config_hash, -1, SQLITE_STATIC);
	if (id == ST_RUN_WRITTEN)
		sqlite3_bind_int64(st, 2, runnumber);
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

gboolean fs_resultdb_run_done(struct fs_resultdb *db, const char *config_hash,
			      gboolean *done, GError **error)
{
	return run_exists(db, ST_RUN_DONE, config_hash, 0, done, error);
}

gboolean fs_resultdb_any_run(struct fs_resultdb *db, gboolean *any, GError **error)
{
	gint64 n = 0;

	g_return_val_if_fail(db != NULL && any != NULL, FALSE);

	if (!query_int(db, "SELECT EXISTS (SELECT 1 FROM runStatus)", &n, error))
		return FALSE;
	*any = n != 0;
	return TRUE;
}

gboolean fs_resultdb_run_written(struct fs_resultdb *db, const char *config_hash,
				 guint runnumber, gboolean *done, GError **error)
{
	return run_exists(db, ST_RUN_WRITTEN, config_hash, runnumber, done, error);
}

/* ---- merge --------------------------------------------------------------- */

/*
 * Ids: the source's runs to copy are listed in temp.mergeRun with their new
 * runId.  Every other id (scalarId, statId, vectorId, paramId) is shifted by
 * one offset per table, past every id the destination has ever used (its
 * sqlite_sequence), so that child rows (attributes, bins, vector data)
 * follow their parents by the same arithmetic, with no per-row lookups.
 */
#define MERGE_LOCKSTAT_SQL(bounces)						\
	"INSERT INTO main.lockStat (runId, lockName, mode, contentions, acquisitions, "	\
	"waitTimeMin, waitTimeMax, waitTimeTotal, holdTimeMin, holdTimeMax, holdTimeTotal, " \
	"conBounces, acqBounces) "						\
	"SELECT m.newId, a.lockName, a.mode, a.contentions, a.acquisitions, a.waitTimeMin, " \
	"a.waitTimeMax, a.waitTimeTotal, a.holdTimeMin, a.holdTimeMax, a.holdTimeTotal, " \
	bounces " FROM src.lockStat a JOIN temp.mergeRun m ON m.oldId = a.runId"
/* A source made before lockStat had its bounce columns: 0, not recorded. */
static const char merge_lockstat_no_bounces[] = MERGE_LOCKSTAT_SQL("0, 0");

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

	MERGE_LOCKSTAT_SQL("a.conBounces, a.acqBounces"),

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
	gboolean src_bounces;
	g_autofree char *pick = NULL;

	if (!check_merge_source(db, src_path, error) || !fk_checks(db, error))
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

	if (!has_lockstat_bounces(db, "src", &src_bounces, error))
		goto fail;
	for (size_t i = 0; i < G_N_ELEMENTS(merge_sql); i++)
		if (!merge_step(db, !src_bounces && strstr(merge_sql[i], "main.lockStat") ?
				merge_lockstat_no_bounces : merge_sql[i], off, error))
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
	g_autofree char *wal_path = NULL;
	gboolean empty, wal;
	sqlite3_stmt *st;
	gboolean ok;
	int rc;

	g_return_val_if_fail(dst != NULL && src_path != NULL, FALSE);

	/* Read-only, so that a mistyped name never creates a file; a source
	 * in WAL mode that nobody has open (no -wal) is read as immutable,
	 * else reading it would leave -wal and -shm files next to it. */
	if (!fs_resultdb_check_path(src_path, TRUE, NULL, error) ||
	    !read_header(src_path, &empty, &wal, error))
		return FALSE;
	wal_path = g_strconcat(src_path, "-wal", NULL);
	escaped = g_uri_escape_string(src_path, "/", FALSE);
	uri = g_strconcat("file:", escaped, "?mode=ro",
			  wal && !g_file_test(wal_path, G_FILE_TEST_EXISTS) ? "&immutable=1" : "",
			  NULL);
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
