/* db: the public face of db.h - dispatches every call to the backend the handle belongs to
 * (sqlite.c or postgres.c) and keeps each thread's connection. Holds no SQL of its own. */
#include "core/config.h"
#include "core/str.h"
#include "store/backend.h"

static _Thread_local Db *thread_db;

bool db_url_is_postgres(const char *url)
{
    return url && (str_starts_with(url, "postgres://") || str_starts_with(url, "postgresql://"));
}

Db *db_open(const char *url)
{
    return db_url_is_postgres(url) ? pg_open(url) : sqlite_open(url);
}

#define DISPATCH_DB(db, call) (DB_KIND_OF(db) == DB_POSTGRES ? pg_##call : sqlite_##call)
#define DISPATCH_ST(st, call) (STMT_KIND_OF(st) == DB_POSTGRES ? pg_##call : sqlite_##call)

void db_close(Db *db)
{
    if (db)
        DISPATCH_DB(db, close(db));
}

DbKind db_kind(Db *db)
{
    return DB_KIND_OF(db);
}

Db *db_thread(void)
{
    if (!thread_db)
        thread_db = db_open(config_db_url(&cfg));
    else if (DB_KIND_OF(thread_db) == DB_POSTGRES)
        pg_check_connection(thread_db);
    else
        sqlite_scope_hold(thread_db);
    return thread_db;
}

void db_thread_close(void)
{
    db_close(thread_db);
    thread_db = NULL;
}

DbResult db_migrate(Db *db)
{
    return DISPATCH_DB(db, migrate(db));
}

int db_schema_version(Db *db)
{
    return DISPATCH_DB(db, schema_version(db));
}

DbStmt *db_prepare(Db *db, const char *sql)
{
    return DISPATCH_DB(db, prepare(db, sql));
}

void db_bind_int(DbStmt *st, int index, int64_t value)
{
    DISPATCH_ST(st, bind_int(st, index, value));
}

void db_bind_text(DbStmt *st, int index, const char *value)
{
    DISPATCH_ST(st, bind_text(st, index, value));
}

void db_bind_blob(DbStmt *st, int index, const void *data, size_t n)
{
    DISPATCH_ST(st, bind_blob(st, index, data, n));
}

void db_bind_null(DbStmt *st, int index)
{
    DISPATCH_ST(st, bind_null(st, index));
}

DbResult db_step(DbStmt *st)
{
    return DISPATCH_ST(st, step(st));
}

int64_t db_col_int(DbStmt *st, int col)
{
    return DISPATCH_ST(st, col_int(st, col));
}

char *db_col_text(DbStmt *st, int col, Arena *a)
{
    return DISPATCH_ST(st, col_text(st, col, a));
}

const void *db_col_blob(DbStmt *st, int col, size_t *n)
{
    return DISPATCH_ST(st, col_blob(st, col, n));
}

bool db_col_is_null(DbStmt *st, int col)
{
    return DISPATCH_ST(st, col_is_null(st, col));
}

int db_col_count(DbStmt *st)
{
    return DISPATCH_ST(st, col_count(st));
}

void db_done(DbStmt *st)
{
    if (st)
        DISPATCH_ST(st, done(st));
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
    return DISPATCH_DB(db, changes(db));
}

DbResult db_exec(Db *db, const char *sql)
{
    return DISPATCH_DB(db, exec(db, sql));
}

DbResult db_begin(Db *db)
{
    return DISPATCH_DB(db, begin(db));
}

DbResult db_commit(Db *db)
{
    return DISPATCH_DB(db, commit(db));
}

DbResult db_read_begin(Db *db)
{
    return DISPATCH_DB(db, read_begin(db));
}

void db_read_end(Db *db)
{
    DISPATCH_DB(db, read_end(db));
}

void db_read_scope_begin(Db *db)
{
    if (DB_KIND_OF(db) == DB_SQLITE)
        sqlite_read_scope_begin(db);
}

void db_read_scope_end(Db *db)
{
    if (DB_KIND_OF(db) == DB_SQLITE)
        sqlite_read_scope_end(db);
}

void db_read_scope_release(Db *db)
{
    if (DB_KIND_OF(db) == DB_SQLITE)
        sqlite_read_scope_release(db);
}

int db_end_idle_read_scopes(void)
{
    return sqlite_end_idle_scopes();
}

void db_rollback(Db *db)
{
    DISPATCH_DB(db, rollback(db));
}

DbResult db_backup(Db *db, const char *path)
{
    if (DB_KIND_OF(db) != DB_SQLITE)
        return DB_ERROR;
    return sqlite_backup(db, path);
}
