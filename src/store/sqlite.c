/* sqlite: the SQLite backend of db.h - WAL, foreign keys, busy timeout, one connection per
 * thread, prepared statements cached by their SQL literal. The only file that includes
 * sqlite3.h. SECURITY: SQL text is never built from values; everything is bound. */
#include "core/arena.h"
#include "core/assets.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/db.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_SIZE 256 /* power of two */

struct DbStmt {
    Db *db;
    sqlite3_stmt *stmt;
    const char *sql; /* cache key: the literal's address */
};

struct Db {
    DbKind kind;
    sqlite3 *handle;
    DbStmt cache[STMT_CACHE_SIZE];
};

static _Thread_local Db *thread_db;

static bool db_is_postgres_url(const char *url)
{
    return str_starts_with(url, "postgres://") || str_starts_with(url, "postgresql://");
}

Db *db_open(const char *url)
{
    if (db_is_postgres_url(url)) {
        log_error("event=db_open_failed reason=\"the PostgreSQL backend is not available in "
                  "this build\"");
        return NULL;
    }
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
    sqlite3_busy_timeout(h, 5000);
    sqlite3_extended_result_codes(h, 1);
    Db *db = xcalloc(1, sizeof *db);
    db->kind = DB_SQLITE;
    db->handle = h;
    if (db_exec(db, "PRAGMA journal_mode=WAL") != DB_OK ||
        db_exec(db, "PRAGMA foreign_keys=ON") != DB_OK ||
        db_exec(db, "PRAGMA synchronous=NORMAL") != DB_OK ||
        db_exec(db, "PRAGMA temp_store=MEMORY") != DB_OK) {
        db_close(db);
        return NULL;
    }
    return db;
}

void db_close(Db *db)
{
    if (!db)
        return;
    for (int i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(db->cache[i].stmt);
    sqlite3_close(db->handle);
    free(db);
}

DbKind db_kind(Db *db)
{
    return db->kind;
}

Db *db_thread(void)
{
    if (!thread_db)
        thread_db = db_open(config_db_url(&cfg));
    return thread_db;
}

void db_thread_close(void)
{
    db_close(thread_db);
    thread_db = NULL;
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

DbStmt *db_prepare(Db *db, const char *sql)
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

void db_bind_int(DbStmt *st, int index, int64_t value)
{
    sqlite3_bind_int64(st->stmt, index, value);
}

void db_bind_text(DbStmt *st, int index, const char *value)
{
    if (value)
        sqlite3_bind_text(st->stmt, index, value, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st->stmt, index);
}

void db_bind_blob(DbStmt *st, int index, const void *data, size_t n)
{
    sqlite3_bind_blob64(st->stmt, index, data ? data : "", n, SQLITE_TRANSIENT);
}

void db_bind_null(DbStmt *st, int index)
{
    sqlite3_bind_null(st->stmt, index);
}

DbResult db_step(DbStmt *st)
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

int64_t db_col_int(DbStmt *st, int col)
{
    return sqlite3_column_int64(st->stmt, col);
}

char *db_col_text(DbStmt *st, int col, Arena *a)
{
    const unsigned char *t = sqlite3_column_text(st->stmt, col);
    if (!t)
        return NULL;
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st->stmt, col));
}

const void *db_col_blob(DbStmt *st, int col, size_t *n)
{
    const void *p = sqlite3_column_blob(st->stmt, col);
    *n = (size_t)sqlite3_column_bytes(st->stmt, col);
    return p;
}

bool db_col_is_null(DbStmt *st, int col)
{
    return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
}

void db_done(DbStmt *st)
{
    if (st)
        sqlite3_reset(st->stmt);
}

DbResult db_run(DbStmt *st)
{
    if (!st)
        return DB_ERROR;
    DbResult r = db_step(st);
    while (r == DB_ROW)
        r = db_step(st);
    db_done(st);
    return r;
}

DbResult db_run_int(DbStmt *st, int64_t *value)
{
    if (!st)
        return DB_ERROR;
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        if (value)
            *value = db_col_int(st, 0);
        r = db_step(st);
    }
    db_done(st);
    return r;
}

int64_t db_changes(Db *db)
{
    return sqlite3_changes64(db->handle);
}

DbResult db_exec(Db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->handle, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK)
        return db_map_error(db, rc, "exec");
    return DB_OK;
}

DbResult db_begin(Db *db)
{
    return db_exec(db, "BEGIN IMMEDIATE");
}

DbResult db_read_begin(Db *db)
{
    return db_exec(db, "BEGIN DEFERRED");
}

void db_read_end(Db *db)
{
    if (!sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "COMMIT", NULL, NULL, NULL);
}

DbResult db_commit(Db *db)
{
    DbResult r = db_exec(db, "COMMIT");
    if (r != DB_OK)
        db_rollback(db);
    return r;
}

void db_rollback(Db *db)
{
    if (!sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

int db_schema_version(Db *db)
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

/* Migration files are "src/store/migrations/sqlite/NNN_name.sql", applied in number order. */
#define MIGRATION_MAX_NUMBER 999
static int migration_number(const char *path, const char *dir)
{
    if (!str_starts_with(path, dir))
        return -1;
    int n = atoi(path + strlen(dir));
    return n > 0 ? n : -1;
}

DbResult db_migrate(Db *db)
{
    const char *dir = "src/store/migrations/sqlite/";
    if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " applied_at INTEGER NOT NULL)") != DB_OK)
        return DB_ERROR;
    /* Every migration whose number is not recorded yet, in number order - also one with a
     * lower number than the newest applied (branches that added migrations in parallel). */
    for (int want = 1; want <= MIGRATION_MAX_NUMBER; want++) {
        const EmbeddedFile *file = NULL;
        for (const EmbeddedFile *f = EMBEDDED_FILES; f->path; f++)
            if (migration_number(f->path, dir) == want)
                file = f;
        if (!file)
            continue;
        DbStmt *seen = db_prepare(db, "SELECT 1 FROM schema_migrations WHERE version = ?");
        if (!seen)
            return DB_ERROR;
        db_bind_int(seen, 1, want);
        DbResult applied = db_step(seen);
        db_done(seen);
        if (applied == DB_ROW)
            continue;
        if (applied != DB_OK)
            return applied;
        DbResult r = db_begin(db);
        if (r == DB_OK)
            r = db_exec(db, (const char *)file->data);
        if (r == DB_OK) {
            DbStmt *st = db_prepare(db, "INSERT INTO schema_migrations (version, applied_at) "
                                        "VALUES (?, strftime('%s','now'))");
            db_bind_int(st, 1, want);
            r = db_step(st);
            db_done(st);
        }
        if (r == DB_OK)
            r = db_commit(db);
        if (r != DB_OK) {
            db_rollback(db);
            log_error("event=migration_failed version=%d file=%s", want, file->path);
            return r;
        }
        log_info("event=migrated version=%d file=%s", want, file->path);
    }
    return DB_OK;
}

DbResult db_backup(Db *db, const char *path)
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
