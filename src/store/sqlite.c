/* sqlite: the SQLite backend of db.h - WAL, foreign keys, busy timeout, one connection per
 * thread, prepared statements cached by their SQL literal. The only file that includes
 * sqlite3.h. SECURITY: SQL text is never built from values; everything is bound. */
#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/backend.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STMT_CACHE_SIZE 256 /* power of two */

struct DbStmt {
    Db *db; /* first: see backend.h */
    sqlite3_stmt *stmt;
    const char *sql; /* cache key: the literal's address */
};

struct Db {
    DbKind kind; /* first: see backend.h */
    sqlite3 *handle;
    bool holds_write_lock; /* this connection's transaction holds write_lock */
    bool read_nested;      /* db_read_begin found a transaction open: its db_read_end leaves it */
    DbStmt cache[STMT_CACHE_SIZE];
};

/* ---- writers and checkpoints ----
 * SQLite lets one writer in at a time; the others used to wait in SQLite's busy handler, which
 * sleeps 1, 2, 5, 10 ... 100 ms between tries - the lock sat idle while writers slept, and
 * creating requests under load spent more time asleep than writing. Now the transactions of
 * this process queue on one mutex (handed over at once), and the busy handler (still needed
 * for other processes and single statements) retries after 50 microseconds at first.
 * Checkpoints (copying the WAL back into the database, with an fsync) run on a thread of
 * their own while `pforte serve` runs, instead of inside whichever commit crossed 1000 pages. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int write_lock_depth; /* transactions of this thread holding it */

#define BUSY_TIMEOUT_US 5000000L

static int busy_wait(void *arg, int tries)
{
    long step = tries < 20 ? 50 : tries < 100 ? 500 : 2000;
    long waited = tries < 20 ? tries * 50L : tries < 100 ? 1000L + (tries - 20) * 500L
                                                         : 41000L + (tries - 100) * 2000L;
    if (waited >= BUSY_TIMEOUT_US)
        return 0;
    usleep((useconds_t)step);
    return 1;
}

static void write_lock_take(Db *db)
{
    if (write_lock_depth++ == 0)
        pthread_mutex_lock(&write_lock);
    db->holds_write_lock = true;
}

static void write_lock_release(Db *db)
{
    if (!db->holds_write_lock)
        return;
    db->holds_write_lock = false;
    if (--write_lock_depth == 0)
        pthread_mutex_unlock(&write_lock);
}

static pthread_mutex_t checkpoint_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t checkpoint_cond = PTHREAD_COND_INITIALIZER;
static bool checkpoint_running, checkpoint_stopping, checkpoint_due;
static pthread_t checkpoint_thread;

#define CHECKPOINT_PAGES 1000 /* SQLite's own default threshold */

/* After every commit: asks the checkpoint thread to run once the WAL holds enough pages. */
static int wal_committed(void *arg, sqlite3 *h, const char *name, int pages)
{
    if (pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&checkpoint_lock);
        if (!checkpoint_due) {
            checkpoint_due = true;
            pthread_cond_signal(&checkpoint_cond);
        }
        pthread_mutex_unlock(&checkpoint_lock);
    }
    return SQLITE_OK;
}


/* Before SQLite's first use: no global allocation statistics. With them every sqlite3_malloc
 * and sqlite3_free of every connection takes one process-wide mutex, and the HTTP threads
 * queued on it (a third of the futex waits under load). Nothing here reads those statistics. */
static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

Db *sqlite_open(const char *url)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, sqlite_configure);
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(url, &h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        log_error("event=db_open_failed path=%s error=\"%s\"", url,
                  h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_handler(h, busy_wait, NULL);
    sqlite3_extended_result_codes(h, 1);
    Db *db = xcalloc(1, sizeof *db);
    db->kind = DB_SQLITE;
    db->handle = h;
    if (sqlite_exec(db, "PRAGMA journal_mode=WAL") != DB_OK ||
        sqlite_exec(db, "PRAGMA foreign_keys=ON") != DB_OK ||
        sqlite_exec(db, "PRAGMA synchronous=NORMAL") != DB_OK ||
        sqlite_exec(db, "PRAGMA temp_store=MEMORY") != DB_OK ||
        sqlite_exec(db, "PRAGMA journal_size_limit=67108864") != DB_OK) {
        sqlite_close(db);
        return NULL;
    }
    pthread_mutex_lock(&checkpoint_lock);
    bool background = checkpoint_running;
    pthread_mutex_unlock(&checkpoint_lock);
    if (background) {
        sqlite3_wal_autocheckpoint(h, 0);
        sqlite3_wal_hook(h, wal_committed, NULL);
    }
    return db;
}

void sqlite_close(Db *db)
{
    if (!db)
        return;
    sqlite_rollback(db); /* also gives back the write lock of an unfinished transaction */
    for (int i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(db->cache[i].stmt);
    sqlite3_close(db->handle);
    free(db);
}




static DbResult db_map_error(Db *db, int rc, const char *what)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return DB_BUSY;
    if (primary == SQLITE_CONSTRAINT)
        return DB_CONFLICT;
    log_error("event=db_error what=%s code=%d error=\"%s\"", what, rc,
              sqlite3_errmsg(db->handle));
    return DB_ERROR;
}

DbStmt *sqlite_prepare(Db *db, const char *sql)
{
    size_t slot = ((uintptr_t)sql >> 3) & (STMT_CACHE_SIZE - 1);
    for (size_t probe = 0; probe < STMT_CACHE_SIZE; probe++) {
        DbStmt *st = &db->cache[(slot + probe) & (STMT_CACHE_SIZE - 1)];
        if (st->sql == sql) {
            sqlite3_reset(st->stmt);
            sqlite3_clear_bindings(st->stmt);
            return st;
        }
        if (!st->sql) {
            int rc = sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                        &st->stmt, NULL);
            if (rc != SQLITE_OK) {
                db_map_error(db, rc, "prepare");
                log_error("event=db_prepare_failed sql=\"%.80s\"", sql);
                return NULL;
            }
            st->db = db;
            st->sql = sql;
            return st;
        }
    }
    log_error("event=db_stmt_cache_full");
    return NULL;
}

void sqlite_bind_int(DbStmt *st, int index, int64_t value)
{
    sqlite3_bind_int64(st->stmt, index, value);
}

void sqlite_bind_text(DbStmt *st, int index, const char *value)
{
    if (value)
        sqlite3_bind_text(st->stmt, index, value, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st->stmt, index);
}

void sqlite_bind_blob(DbStmt *st, int index, const void *data, size_t n)
{
    sqlite3_bind_blob64(st->stmt, index, data ? data : "", n, SQLITE_TRANSIENT);
}

void sqlite_bind_null(DbStmt *st, int index)
{
    sqlite3_bind_null(st->stmt, index);
}

DbResult sqlite_step(DbStmt *st)
{
    int rc = sqlite3_step(st->stmt);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_OK;
    DbResult r = db_map_error(st->db, rc, "step");
    sqlite3_reset(st->stmt);
    return r;
}

int64_t sqlite_col_int(DbStmt *st, int col)
{
    return sqlite3_column_int64(st->stmt, col);
}

char *sqlite_col_text(DbStmt *st, int col, Arena *a)
{
    const unsigned char *t = sqlite3_column_text(st->stmt, col);
    if (!t)
        return NULL;
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st->stmt, col));
}

const void *sqlite_col_blob(DbStmt *st, int col, size_t *n)
{
    const void *p = sqlite3_column_blob(st->stmt, col);
    *n = (size_t)sqlite3_column_bytes(st->stmt, col);
    return p;
}

int sqlite_col_count(DbStmt *st)
{
    return sqlite3_column_count(st->stmt);
}

bool sqlite_col_is_null(DbStmt *st, int col)
{
    return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
}

void sqlite_done(DbStmt *st)
{
    if (st)
        sqlite3_reset(st->stmt);
}



int64_t sqlite_changes(Db *db)
{
    return sqlite3_changes64(db->handle);
}

DbResult sqlite_exec(Db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->handle, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK)
        return db_map_error(db, rc, "exec");
    return DB_OK;
}

DbResult sqlite_begin(Db *db)
{
    write_lock_take(db);
    DbResult r = sqlite_exec(db, "BEGIN IMMEDIATE");
    if (r != DB_OK)
        write_lock_release(db);
    return r;
}

DbResult sqlite_read_begin(Db *db)
{
    if (!sqlite3_get_autocommit(db->handle)) { /* inside a transaction: it is the snapshot */
        db->read_nested = true;
        return DB_OK;
    }
    return sqlite_exec(db, "BEGIN DEFERRED");
}

void sqlite_read_end(Db *db)
{
    if (db->read_nested) {
        db->read_nested = false;
        return;
    }
    if (!sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "COMMIT", NULL, NULL, NULL);
}

DbResult sqlite_commit(Db *db)
{
    DbResult r = sqlite_exec(db, "COMMIT");
    if (r != DB_OK)
        sqlite_rollback(db);
    write_lock_release(db);
    return r;
}

void sqlite_rollback(Db *db)
{
    if (!sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
    write_lock_release(db);
}

static void *checkpoint_main(void *arg)
{
    Db *db = arg;
    pthread_mutex_lock(&checkpoint_lock);
    while (!checkpoint_stopping) {
        if (!checkpoint_due) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1; /* also now and then, for WAL pages of other processes */
            pthread_cond_timedwait(&checkpoint_cond, &checkpoint_lock, &until);
        }
        checkpoint_due = false;
        pthread_mutex_unlock(&checkpoint_lock);
        int rc = sqlite3_wal_checkpoint_v2(db->handle, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                           NULL);
        if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
            log_warn("event=checkpoint_failed code=%d error=\"%s\"", rc,
                     sqlite3_errmsg(db->handle));
        pthread_mutex_lock(&checkpoint_lock);
    }
    pthread_mutex_unlock(&checkpoint_lock);
    sqlite3_wal_checkpoint_v2(db->handle, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    sqlite_close(db);
    return NULL;
}

void db_background_start(void)
{
    const char *url = config_db_url(&cfg);
    if (str_starts_with(url, "postgres://") || str_starts_with(url, "postgresql://"))
        return;
    Db *db = sqlite_open(url);
    if (!db)
        return; /* commits keep checkpointing themselves */
    pthread_mutex_lock(&checkpoint_lock);
    checkpoint_stopping = false;
    checkpoint_due = false;
    checkpoint_running = pthread_create(&checkpoint_thread, NULL, checkpoint_main, db) == 0;
    pthread_mutex_unlock(&checkpoint_lock);
    if (!checkpoint_running) {
        log_error("event=checkpoint_thread_failed");
        sqlite_close(db);
    }
}

void db_background_stop(void)
{
    pthread_mutex_lock(&checkpoint_lock);
    bool running = checkpoint_running;
    checkpoint_stopping = true;
    pthread_cond_signal(&checkpoint_cond);
    pthread_mutex_unlock(&checkpoint_lock);
    if (running)
        pthread_join(checkpoint_thread, NULL);
    pthread_mutex_lock(&checkpoint_lock);
    checkpoint_running = false;
    pthread_mutex_unlock(&checkpoint_lock);
}

int sqlite_schema_version(Db *db)
{
    int version = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->handle, "SELECT max(version) FROM schema_migrations", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

DbResult sqlite_migrate(Db *db)
{
    if (sqlite_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " applied_at INTEGER NOT NULL)") != DB_OK)
        return DB_ERROR;
    return migrate_files(db, "src/store/migrations/sqlite/",
                         "INSERT INTO schema_migrations (version, applied_at) "
                         "VALUES (?, strftime('%s','now'))");
}

DbResult sqlite_backup(Db *db, const char *path)
{
    sqlite3 *dest = NULL;
    if (sqlite3_open(path, &dest) != SQLITE_OK) {
        log_error("event=backup_failed path=%s error=\"%s\"", path, sqlite3_errmsg(dest));
        sqlite3_close(dest);
        return DB_ERROR;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", db->handle, "main");
    int rc = SQLITE_ERROR;
    if (b) {
        do {
            rc = sqlite3_backup_step(b, 256);
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep(50);
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        sqlite3_backup_finish(b);
    }
    rc = rc == SQLITE_DONE ? sqlite3_errcode(dest) : rc;
    sqlite3_close(dest);
    if (rc != SQLITE_OK) {
        log_error("event=backup_failed path=%s code=%d", path, rc);
        return DB_ERROR;
    }
    return DB_OK;
}
