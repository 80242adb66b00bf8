/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The results database: one SQLite file (by default results.db) that holds
 * every run of every study, in OMNeT++'s SQLite result schema.
 *
 * Tables.  The OMNeT++ 6 tables keep their names, columns and types, so
 * that a query written for OMNeT++ results reads ours unchanged:
 *
 *   run(runId, runName, simtimeExp)              simtimeExp = -9: ns
 *   runAttr(runId, attrName, attrValue)
 *   runItervar(runId, itervarName, itervarValue)
 *   runConfig(runId, configKey, configValue, configOrder)
 *   scalar(scalarId, runId, moduleName, scalarName, scalarValue)
 *   scalarAttr(scalarId, attrName, attrValue)
 *   parameter(paramId, runId, moduleName, paramName, paramValue)
 *   paramAttr(paramId, attrName, attrValue)
 *   statistic(statId, runId, moduleName, statName, isHistogram, isWeighted,
 *             statCount, statMean, statStddev, statSum, statSqrsum,
 *             statMin, statMax, statWeights, statWeightedSum,
 *             statSqrSumWeights, statWeightedSqrSum)
 *   statisticAttr(statId, attrName, attrValue)
 *   histogramBin(statId, lowerEdge, binValue)
 *   vector(vectorId, runId, moduleName, vectorName, vectorCount, vectorMin,
 *          vectorMax, vectorSum, vectorSumSqr, startEventNum, endEventNum,
 *          startSimtimeRaw, endSimtimeRaw)
 *   vectorAttr(vectorId, attrName, attrValue)
 *   vectorData(vectorId, eventNumber, simtimeRaw, value)
 *
 * and ours, for what has no place there:
 *
 *   faultsimMeta(key, value)                     schemaVersion, ...
 *   runStatus(runId, configHash, runnumber, status, wallTime, events,
 *             simTimeNs, finishedAt)             one row per run
 *   lockStat(runId, lockName, mode, contentions, acquisitions,
 *            waitTimeMin, waitTimeMax, waitTimeTotal,
 *            holdTimeMin, holdTimeMax, holdTimeTotal,
 *            conBounces, acqBounces)             times in ns
 *   runClaim(configHash, runnumber, host, pid, processStart, claimedAt)
 *                                                a run being simulated
 *
 * Beyond OMNeT++, names are unique where a reader expects them to be: one
 * runName per database, one attribute / iteration variable per name per
 * run, one scalar per (run, module, name), one statistic per (run, module,
 * name), one lockStat row per (run, lock, mode).  A run whose measurements
 * break this is refused whole, with an error naming the culprit.
 *
 * What a run records.  runAttr holds OMNeT++'s attributes: configname,
 * runnumber, repetition, seedset, iterationvars, inifile, datetime,
 * processid, experiment (= configname), measurement (= iterationvars),
 * replication ("#" repetition); and ours: seed, configHash, and whatever
 * the caller adds (faultsimVersion, policySet, ...).  Measurements are named
 * per module as OMNeT++ does: moduleName is the component ("disk", "cpu",
 * "mmap_sem", "page_lock", "fault", a workload's name), the name says what
 * ("responseTime", "waitTime", "utilization").  A counter becomes a scalar
 * (with scalarAttr kind = counter), a scalar a scalar, and a histogram a
 * statistic row (isHistogram = 1) with its bins plus the scalars NAME:count,
 * :mean, :stddev, :min, :p50, :p90, :p99, :p999, :max (NULL but :count
 * when the histogram is empty).  The unit and description the registry
 * declares (sim_stats_unit()) are scalarAttr / statisticAttr "unit" and
 * "description" (a histogram's NAME:field scalars have its statistic's).
 * A vector (sim_stats_vector_unit(): record.interval) becomes a vector
 * row with its count, min, max, sums and ends, vectorAttr "unit",
 * "description" and "interpolationmode", and its vectorData rows.
 * Bins follow OMNeT++'s layout: a first
 * underflow bin at -inf, contiguous bins (an empty gap between two
 * non-empty bins is one zero bin), a last overflow bin; their values sum
 * to statCount.
 *
 * Views, for the queries users run:
 *
 *   runSummary   one row per run: runId, runName, configname, runnumber,
 *                repetition, iterationvars, seedset, seed, configHash,
 *                status, wallTime, events, simTimeNs, finishedAt
 *   runScalars   one row per (run, module, scalar): the run columns above
 *                (runId .. iterationvars, status) plus scalarId,
 *                moduleName, scalarName, scalarValue
 *   runStatistics one row per (run, module, statistic), likewise
 *   runLockStat  lockStat with the run columns and the averages
 *                waitTimeAvg (per contention), holdTimeAvg (per acquisition)
 *
 * Example queries:
 *
 *   -- p99 fault latency, mean over repetitions, per configuration
 *   SELECT configname, iterationvars, AVG(scalarValue), COUNT(*)
 *     FROM runScalars
 *    WHERE moduleName = 'fault' AND scalarName = 'latency:p99'
 *      AND status = 'done'
 *    GROUP BY configname, iterationvars;
 *
 *   -- a swept variable as a column, for a plot
 *   SELECT CAST(v.itervarValue AS INTEGER) AS threads, s.scalarValue
 *     FROM runScalars s JOIN runItervar v USING (runId)
 *    WHERE v.itervarName = 'threads' AND s.moduleName = 'mmap_sem'
 *      AND s.scalarName = 'waitTime:mean'
 *    ORDER BY threads;
 *
 *   -- runs that did not finish normally
 *   SELECT runnumber, configname, iterationvars, status FROM runSummary
 *    WHERE status <> 'done';
 *
 *   -- the latency distribution of one run
 *   SELECT lowerEdge, binValue FROM histogramBin JOIN runStatistics
 *    USING (statId) WHERE runId = 1 AND moduleName = 'fault'
 *      AND statName = 'latency';
 *
 * Atomicity and concurrency.  Each run is written with its status row in
 * one transaction, or in a batch transaction that holds several whole runs
 * (fs_resultdb_begin()): a crash or a kill leaves either the whole run or
 * nothing.  The file is in WAL mode with a busy timeout of
 * 10 s, so several processes on one host can write to it at once (each
 * transaction holds the write lock for as long as it takes).  Not for
 * network file systems: WAL needs shared memory between the writers.
 *
 * Claims.  Processes that share a study share its runs through runClaim:
 * a process claims a run (fs_resultdb_claim()) before simulating it, and
 * the claim goes away with the run's rows (fs_resultdb_write_run()) or when
 * given back (fs_resultdb_unclaim(), fs_resultdb_unclaim_all()).  A run
 * that is done, or claimed by a live process, is not claimed again.  A
 * claim is dead, and taken over, when it is older than the claim limit
 * (FS_RESULTDB_CLAIM_LIMIT_S by default), or when it was made on this host
 * by a process that is gone: its pid is not alive, or belongs to a process
 * started at another time (processStart: the boot's id and the start time
 * of the process in clock ticks, from /proc), or it was made before the
 * last boot.
 *
 * Files.  A path that cannot be a results database -- a SQLite URI
 * ("file:...") or ":memory:", a directory, a device, a FIFO, a socket, a
 * file in a missing directory -- is refused with SIM_ERROR_PARSE (the
 * command line is wrong).  An existing file is read through a connection
 * that cannot write before anything writes to it: a file that is not a
 * faultsim results database of our version (an empty one aside) is
 * refused (SIM_ERROR_FAILED) and left byte for byte as it was, with no
 * -journal, -wal or -shm file made next to it.  A database that cannot be
 * written (read-only file or directory) is refused by fs_resultdb_open()
 * (SIM_ERROR_IO), before anything runs.  Reading a database
 * (fs_resultdb_open_readonly(), merge sources) never leaves -wal or -shm
 * files behind either.
 *
 * Threads: a struct fs_resultdb is one connection (opened without SQLite's
 * mutexes); use it from one thread at a time.  Several connections (one per thread) may share a file.
 */
#ifndef FAULTSIM_ANALYSIS_RESULTDB_H
#define FAULTSIM_ANALYSIS_RESULTDB_H

#include <sqlite3.h>
#include <glib.h>
#include "sim/core/stats.h"

/* Bumped whenever the schema changes; a file of another version is refused.
 * (runClaim is made in version 1 files that lack it.) */
#define FS_RESULTDB_SCHEMA_VERSION 1
/* A claim older than this is dead whoever holds it: one day. */
#define FS_RESULTDB_CLAIM_LIMIT_S (24 * 3600.0)
/* OMNeT++'s simtimeExp for our nanosecond clock. */
#define FS_RESULTDB_SIMTIME_EXP (-9)

struct fs_resultdb;
typedef struct fs_resultdb fs_resultdb;	/* for g_autoptr() */

/* One lock_stat-style row: a lock (or lock class) in one mode. */
struct fs_lockstat_row {
	const char *lock_name;		/* "mmap_sem", "page_lock", ... */
	const char *mode;		/* "read", "write", "" if one mode */
	guint64 contentions;		/* acquisitions that had to wait */
	guint64 acquisitions;
	gint64 wait_time_min_ns, wait_time_max_ns, wait_time_total_ns;
	gint64 hold_time_min_ns, hold_time_max_ns, hold_time_total_ns;
	/* Contentions and acquisitions whose lock word's cache line came
	 * from another CPU (0 where the model has no cache line). */
	guint64 con_bounces, acq_bounces;
};

/*
 * What the run command knows about one finished run.  Every string and
 * array belongs to the caller and only needs to live during
 * fs_resultdb_write_run().  NULL is allowed where noted.
 */
struct fs_run_record {
	/* Unique in the database, e.g. "<config>-<runnumber>-<YYYYmmdd-HH:MM:SS>-<pid>". */
	const char *run_name;
	const char *config_name;
	const char *ini_file;		/* NULL: no inifile attribute */
	const char *iterationvars;	/* "$threads=4, $io=drop"; NULL: "" */
	/* Identifies the resolved configuration, seed and repetition
	 * included: two runs with one hash are the same run (resume). */
	const char *config_hash;
	const char *datetime;		/* NULL: now, as OMNeT++ writes it */
	guint runnumber, repetition;
	guint64 seed;
	const char *seedset;		/* NULL: the seed in decimal */

	const char *const *itervar_names, *const *itervar_values;
	guint n_itervars;
	const char *const *config_keys, *const *config_values;	/* in order */
	guint n_config;
	/* Extra run attributes: faultsimVersion, policySet, preset, ... They
	 * must not repeat a standard one. */
	const char *const *attr_names, *const *attr_values;
	guint n_attrs;

	const char *status;		/* "done", "deadlock", "failed", ... */
	double wall_time_s;
	guint64 events;			/* events dispatched */
	gint64 sim_time_ns;		/* simulated time at the end */

	const struct sim_stats *stats;	/* NULL: no measurements */
	const struct fs_lockstat_row *lockstat;
	guint n_lockstat;
	/* Or, instead of stats and lockstat, both flattened by
	 * fs_measurements_new() (where the run ran, maybe another process). */
	const struct fs_measurements *measurements;
};

/*
 * A run's measurements flattened into the rows they become, so that the
 * thread or process that ran it can free its engine and hand over only
 * this.  fs_measurements_new() reads @stats (may be NULL) and copies the
 * lock_stat rows; fs_measurements_pack() makes bytes of it for a pipe to a
 * process of the same program, fs_measurements_unpack() checks them and
 * makes it again.
 */
struct fs_measurements;
struct fs_measurements *fs_measurements_new(const struct sim_stats *stats,
					    const struct fs_lockstat_row *lockstat,
					    guint n_lockstat);
void fs_measurements_free(struct fs_measurements *m);
/* Bytes held. */
gsize fs_measurements_size(const struct fs_measurements *m);
GBytes *fs_measurements_pack(const struct fs_measurements *m);
struct fs_measurements *fs_measurements_unpack(const void *data, gsize len,
					      GError **error);

/* Whether @path may name a results database (see "Files" above): an
 * existing regular file (*@exists, may be NULL), or, unless @must_exist, a
 * new file in an existing directory. */
gboolean fs_resultdb_check_path(const char *path, gboolean must_exist,
				gboolean *exists, GError **error);
/* Open (creating it and its schema if new) the database at @path, in WAL
 * mode with a busy timeout and foreign keys on; refuses, leaving it alone,
 * a file that is not a faultsim results database of this schema version,
 * and a database this process cannot write to. */
struct fs_resultdb *fs_resultdb_open(const char *path, GError **error);
/* Open an existing database read-only (for report, plot, export). */
struct fs_resultdb *fs_resultdb_open_readonly(const char *path, GError **error);
/* Close @db (NULL is allowed). */
void fs_resultdb_close(struct fs_resultdb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(fs_resultdb, fs_resultdb_close)

/* Checkpoints of @db's -wal file on a thread of their own, with a
 * connection of their own, until fs_resultdb_close(), instead of by the
 * connection that commits (a study's writer). */
gboolean fs_resultdb_checkpoint_thread(struct fs_resultdb *db, GError **error);

/* The path @db was opened with. */
const char *fs_resultdb_path(const struct fs_resultdb *db);
/* The SQLite connection, for read queries (report, plot); do not close it. */
sqlite3 *fs_resultdb_handle(struct fs_resultdb *db);

/* Write one run, its status and its measurements in one transaction (or
 * in the open batch), and drop this process's claim on it;
 * on any error nothing of the run is left and FALSE is returned.  *@run_id
 * (may be NULL) gets the new runId. */
gboolean fs_resultdb_write_run(struct fs_resultdb *db,
			       const struct fs_run_record *rec,
			       gint64 *run_id, GError **error);
/* *@done = whether a finished run (any status) of @config_hash is stored. */
gboolean fs_resultdb_run_done(struct fs_resultdb *db, const char *config_hash,
			      gboolean *done, GError **error);
/* *@any = whether any finished run is stored (a study in a new file has
 * nothing to look up). */
gboolean fs_resultdb_any_run(struct fs_resultdb *db, gboolean *any, GError **error);
/* The same, of @config_hash as run @runnumber (a study may run one
 * configuration under several numbers). */
gboolean fs_resultdb_run_written(struct fs_resultdb *db, const char *config_hash,
				 guint runnumber, gboolean *done, GError **error);
/*
 * Batches: fs_resultdb_begin() opens a transaction (taking the write lock)
 * that the following writes and claims join; fs_resultdb_commit() ends it,
 * fs_resultdb_rollback() undoes it.  A write or claim that fails inside a
 * batch rolls the whole batch back (fs_resultdb_in_batch() is FALSE after
 * it): begin again and write the batch's other runs again.  Without a
 * batch each call is its own transaction.
 */
gboolean fs_resultdb_begin(struct fs_resultdb *db, GError **error);
gboolean fs_resultdb_commit(struct fs_resultdb *db, GError **error);
void fs_resultdb_rollback(struct fs_resultdb *db);
gboolean fs_resultdb_in_batch(const struct fs_resultdb *db);

/* Claims (see "Claims" above).  What fs_resultdb_claim() found: */
enum fs_claim {
	FS_CLAIM_NEW,		/* claimed by this process now (or already) */
	FS_CLAIM_TAKEN_OVER,	/* claimed, the dead claim of *holder replaced */
	FS_CLAIM_DONE,		/* the run is in the database: not claimed */
	FS_CLAIM_HELD,		/* a live claim of *holder: not claimed */
};
/* Claim the run (@config_hash, @runnumber) for this process; *@holder (may
 * be NULL) gets, for FS_CLAIM_TAKEN_OVER and FS_CLAIM_HELD, who held it. */
gboolean fs_resultdb_claim(struct fs_resultdb *db, const char *config_hash,
			   guint runnumber, enum fs_claim *out, char **holder,
			   GError **error);
/* Give back this process's claim on one run, or on every run. */
gboolean fs_resultdb_unclaim(struct fs_resultdb *db, const char *config_hash,
			     guint runnumber, GError **error);
gboolean fs_resultdb_unclaim_all(struct fs_resultdb *db, GError **error);
/* The age, in seconds, past which a claim is dead whoever holds it. */
void fs_resultdb_set_claim_limit(struct fs_resultdb *db, double seconds);

/* Copy into @dst, in one transaction, the runs of the database at @src_path
 * that @dst lacks (same runName, or same configHash and runnumber, counts as
 * present), with new ids; *@runs_added (may be NULL) gets their number. */
gboolean fs_resultdb_merge(struct fs_resultdb *dst, const char *src_path,
			   guint *runs_added, GError **error);

/*
 * For tests only (fault injection, as SQLite's own tests do it): @fn is
 * called after each row that fs_resultdb_write_run() inserts, with the
 * number of rows inserted so far in that write; returning FALSE makes the
 * write fail there as if the database had.  NULL removes the hook.
 */
typedef gboolean fs_resultdb_row_hook(void *data, guint64 rows);
void fs_resultdb_set_row_hook(struct fs_resultdb *db, fs_resultdb_row_hook *fn,
			      void *data);

#endif /* FAULTSIM_ANALYSIS_RESULTDB_H */
