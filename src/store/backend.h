/* backend: what db.c needs from each database backend (sqlite.c, postgres.c). Private to
 * src/store/: every Db and DbStmt of a backend starts with the members below, so db.c can
 * tell which backend a handle belongs to and dispatch to it. */
#ifndef PFORTE_STORE_BACKEND_H
#define PFORTE_STORE_BACKEND_H
#include "store/db.h"

/* The first member of every backend's struct Db. */
typedef struct DbHead {
    DbKind kind;
} DbHead;
/* The first member of every backend's struct DbStmt. */
typedef struct DbStmtHead {
    Db *db;
} DbStmtHead;

/* SQLite: what the full-text index holds for request r (request_search's body column): the
 * description and the public comments, one a line. */
#define SEARCH_BODY_SQLITE                                                                     \
    "r.description || char(10) || COALESCE((SELECT group_concat(c.body, char(10)) FROM "     \
    "(SELECT body FROM events WHERE request_id = r.id AND kind = 'comment' "                   \
    "AND internal = 0 ORDER BY id) c), '')"

#define DB_KIND_OF(db) (((const DbHead *)(const void *)(db))->kind)
#define STMT_KIND_OF(st) DB_KIND_OF(((const DbStmtHead *)(const void *)(st))->db)

#define BACKEND_FUNCTIONS(p)                                                                   \
    Db *p##_open(const char *url);                                                             \
    void p##_close(Db *db);                                                                    \
    DbResult p##_migrate(Db *db);                                                              \
    int p##_schema_version(Db *db);                                                            \
    DbStmt *p##_prepare(Db *db, const char *sql);                                              \
    void p##_bind_int(DbStmt *st, int index, int64_t value);                                   \
    void p##_bind_text(DbStmt *st, int index, const char *value);                              \
    void p##_bind_blob(DbStmt *st, int index, const void *data, size_t n);                     \
    void p##_bind_null(DbStmt *st, int index);                                                 \
    DbResult p##_step(DbStmt *st);                                                             \
    int64_t p##_col_int(DbStmt *st, int col);                                                  \
    char *p##_col_text(DbStmt *st, int col, Arena *a);                                         \
    const void *p##_col_blob(DbStmt *st, int col, size_t *n);                                  \
    bool p##_col_is_null(DbStmt *st, int col);                                                 \
    int p##_col_count(DbStmt *st);                                                             \
    void p##_done(DbStmt *st);                                                                 \
    int64_t p##_changes(Db *db);                                                               \
    DbResult p##_exec(Db *db, const char *sql);                                                \
    DbResult p##_begin(Db *db);                                                                \
    DbResult p##_commit(Db *db);                                                               \
    DbResult p##_read_begin(Db *db);                                                           \
    void p##_read_end(Db *db);                                                                 \
    void p##_rollback(Db *db);

BACKEND_FUNCTIONS(sqlite)
BACKEND_FUNCTIONS(pg)

/* The runner both backends' migrate calls (store/migrate.c): applies every embedded file
 * under dir whose number schema_migrations does not hold yet, in number order, each in a
 * transaction together with record_sql (a literal INSERT with one ? for the version). */
DbResult migrate_files(Db *db, const char *dir, const char *record_sql);

/* SQLite only: the online backup behind db_backup; the request's read scope (db.h). */
DbResult sqlite_backup(Db *db, const char *path);
void sqlite_read_scope_begin(Db *db);
void sqlite_read_scope_end(Db *db);
void sqlite_read_scope_release(Db *db);
/* The owner takes its connection back from the checkpoint thread after a release (db_thread
 * and the scope functions do). */
void sqlite_scope_hold(Db *db);
int sqlite_end_idle_scopes(void);
/* How old a released scope may be to be continued (2 ms); for tests. */
void sqlite_set_scope_fresh_ms(double ms);
/* PostgreSQL only: called by db_thread before handing out the thread's connection; when the
 * connection was lost (and no transaction is open on it) it reconnects in place, so every
 * pointer to the Db stays valid. */
void pg_check_connection(Db *db);

#endif
