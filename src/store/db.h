/* db: the database interface every store module uses - one connection per thread, prepared
 * statements cached per connection, `?` placeholders in the SQL dialect SQLite and PostgreSQL
 * share. SQL text appears only in src/store/; domain code uses this header for connections
 * and transactions. SECURITY: values are always bound, never
 * formatted into SQL text. */
#ifndef PFORTE_STORE_DB_H
#define PFORTE_STORE_DB_H
#include "core/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Db Db;
typedef struct DbStmt DbStmt;

typedef enum {
    DB_OK = 0,    /* statement finished / call succeeded */
    DB_ROW = 1,   /* db_step produced a row */
    DB_BUSY = 2,  /* locked or unavailable: caller answers 503 */
    DB_CONFLICT = 3, /* unique or foreign-key constraint */
    DB_ERROR = 4, /* a bug or a broken database; logged already */
} DbResult;

typedef enum { DB_SQLITE, DB_POSTGRES } DbKind;

/* True for postgres:// and postgresql:// URLs (libpq fills missing parts from PG* variables). */
bool db_url_is_postgres(const char *url);
/* Opens url (a file path or postgres://...). NULL on failure (logged). */
Db *db_open(const char *url);
void db_close(Db *db);
DbKind db_kind(Db *db);
/* Applies pending migrations (numbered files under src/store/migrations/<kind>/). */
DbResult db_migrate(Db *db);
int db_schema_version(Db *db);

/* The calling thread's connection to cfg's database, opened on first use; NULL if it
 * cannot be opened. Closed by db_thread_close (worker thread exit). */
Db *db_thread(void);
void db_thread_close(void);

/* Returns the cached prepared statement for this SQL literal (must be a string literal:
 * the pointer is the cache key). The statement is reset and unbound. NULL on error. */
DbStmt *db_prepare(Db *db, const char *sql);
void db_bind_int(DbStmt *st, int index, int64_t value);     /* 1-based */
void db_bind_text(DbStmt *st, int index, const char *value); /* NULL binds NULL */
void db_bind_blob(DbStmt *st, int index, const void *data, size_t n);
void db_bind_null(DbStmt *st, int index);
/* Runs/advances the statement: DB_ROW while rows come, then DB_OK, or an error code. */
DbResult db_step(DbStmt *st);
int64_t db_col_int(DbStmt *st, int col);                      /* 0-based */
/* Text copied into the arena ("" stays "", NULL column gives NULL). */
char *db_col_text(DbStmt *st, int col, Arena *a);
const void *db_col_blob(DbStmt *st, int col, size_t *n);    /* valid until the next step */
bool db_col_is_null(DbStmt *st, int col);
/* Columns of the statement's result (after a step). */
int db_col_count(DbStmt *st);
/* Ends use of the statement (resets it); call after the last step. */
void db_done(DbStmt *st);
/* Runs a statement to its end and resets it: DB_OK (also when it returned a row), or the
 * error. A NULL statement (failed prepare) gives DB_ERROR. */
DbResult db_run(DbStmt *st);
/* Runs a statement whose row starts with an integer - INSERT ... RETURNING id, a count -
 * and stores it in *value (when not NULL); DB_OK also when there was no row. */
DbResult db_run_int(DbStmt *st, int64_t *value);
/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t db_changes(Db *db);

/* Runs one statement that returns no rows; binds nothing. For schema and pragmas. */
DbResult db_exec(Db *db, const char *sql);
DbResult db_begin(Db *db);   /* BEGIN IMMEDIATE on SQLite, BEGIN (READ COMMITTED) on PostgreSQL */
DbResult db_commit(Db *db);
/* A read-only snapshot for several queries of one page: one lock instead of one per query.
 * End it with db_read_end (never fails visibly). Inside a transaction both leave it alone:
 * its queries run in that transaction. */
DbResult db_read_begin(Db *db);
void db_read_end(Db *db);
/* All reads of one HTTP request from one snapshot: SQLite begins a read transaction for every
 * statement outside one, and taking and releasing its locks (a mutex shared by the process'
 * connections and, when no other connection of the process holds the same lock, an fcntl
 * each) cost about a tenth of the server's time for a page of the request list. SQLite only;
 * on PostgreSQL all three do nothing (a transaction there costs two round trips).
 * The scope ends before the first statement that writes on this connection, before
 * db_begin and before db_exec: writes never run inside it, and whatever the request reads
 * after a write sees the database as it is then. db_read_begin/db_read_end inside it leave
 * it alone. db_read_scope_end ends it now (a no-op when none is open). Not around slow work
 * (a password hash): checkpoints cannot copy past an open snapshot.
 * db_read_scope_release instead leaves it to the thread's next request: for a thread's own
 * connection (db_thread) at the end of a request. db_read_scope_begin continues it while
 * nothing has been committed in this process since it began and it is younger than 2 ms
 * (other processes' commits are seen that much later at most); db_thread and the scope
 * functions take the connection back; until then the checkpoint thread may end the scope, so
 * an idle thread holds no snapshot for long. Under load a thread then takes the read locks
 * once every 2 ms instead of once per request. */
void db_read_scope_begin(Db *db);
void db_read_scope_end(Db *db);
void db_read_scope_release(Db *db);
/* Ends the scopes released by threads that are between requests; how many. The checkpoint
 * thread does it every second (before each checkpoint). */
int db_end_idle_read_scopes(void);
void db_rollback(Db *db);
/* SQLite: checkpoints the WAL on a thread of its own from now on (connections opened
 * afterwards leave it to that thread); no-op for PostgreSQL. Stop before exit. */
void db_background_start(void);
void db_background_stop(void);
/* Online backup of a SQLite database into path. */
DbResult db_backup(Db *db, const char *path);

#endif
