/* sqlite: the SQLite backend of db.h - WAL, foreign keys, busy timeout, one connection per
 * thread, prepared statements cached by their SQL literal. The only file that includes
 * sqlite3.h. SECURITY: SQL text is never built from values; everything is bound. */
#include "core/arena.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/worker_loop.h"
#include "store/backend.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STMT_CACHE_SIZE 256 /* power of two */

/* SQLite runs a RETURNING clause by collecting the rows in a temporary b-tree, opened,
 * created and dropped at every execution: about 15,000 instructions, inside the writer's turn
 * for an INSERT. A one-row "INSERT ... VALUES (...) RETURNING id" is therefore prepared
 * without the clause; its step reads the new rowid (the table's `id INTEGER PRIMARY KEY`)
 * and gives it as the one row of one column, as the clause would. The SQL stays the same for
 * both backends. */
#define RETURNING_ID " RETURNING id"
typedef enum { RETURNS_ROWS, RETURNS_ID, RETURNS_ID_ROW, RETURNS_ID_DONE } Returns;

struct DbStmt {
    Db *db; /* first: see backend.h */
    sqlite3_stmt *stmt;
    const char *sql; /* cache key: the literal's address */
    Returns returns;
    int64_t new_id; /* RETURNS_ID_ROW: the inserted row's id */
};

/* ---- the writer connection and group commit ----
 * Every write transaction (db_begin .. db_commit) of this process on one database file runs on
 * one connection shared by all threads, its Writer, one thread at a time ("the turn").
 * - Warm cache: in WAL mode SQLite empties a connection's page cache whenever another
 *   connection has committed since its last transaction. With each thread writing on its own
 *   connection, every transaction of a busy server started cold and read its pages again
 *   (about 90 preads for a new request). The writer commits alone, so its cache stays warm.
 *   Reads outside transactions keep using the thread's own connection.
 * - Group commit: a transaction runs inside a savepoint of the writer's open transaction.
 *   When it ends and others wait for the turn, it releases its savepoint, hands the turn on
 *   and waits; the last one of the batch commits for all (at most BATCH_MAX). Pages that
 *   several of them change (the newest leaf of each index, the full-text index, the outbox)
 *   go to the WAL once per batch instead of once per transaction. db_commit returns only after
 *   the batch's COMMIT, with its result: nobody reports success before the data is committed.
 *   A transaction that rolls back undoes its own savepoint only.
 * - Queueing: the turn is handed over at once instead of writers sleeping in SQLite's busy
 *   handler; that handler stays for other processes and single statements and retries after
 *   50 microseconds at first.
 * Checkpoints (copying the WAL back into the database, with an fsync) run on a thread of
 * their own while `pforte serve` runs, instead of inside whichever commit crossed 1000 pages. */
#define BATCH_MAX 16 /* transactions one COMMIT carries at most */

typedef struct Writer {
    struct Writer *next;
    char *url;
    int refs;               /* open Dbs of this url; under writers_lock */
    pthread_mutex_t mu;     /* guards the members below */
    pthread_cond_t turn_cv; /* the turn became free */
    pthread_cond_t done_cv; /* a batch ended */
    bool busy;              /* a thread has the turn: its statements run on conn */
    int waiting;            /* threads waiting for the turn */
    bool open;              /* a batch transaction is open on conn */
    uint64_t batch;         /* the open batch, or the last one */
    uint64_t ended;         /* the last batch that ended */
    int members;            /* finished transactions of the open batch, waiting for its end */
    DbResult *results[BATCH_MAX];
    Db *conn; /* opened on the first turn; used only by the thread with the turn */
} Writer;

struct Db {
    DbKind kind; /* first: see backend.h */
    sqlite3 *handle;
    Writer *writer;   /* NULL for a Writer's own connection and for in-memory databases */
    Db *tx;           /* writer->conn while this Db's write transaction runs on it */
    bool read_nested; /* db_read_begin found a transaction open: its db_read_end leaves it */
    bool read_scope;  /* db_read_scope_begin's read transaction is open */
    /* a scope kept between requests (db_read_scope_release): */
    uint64_t scope_commits;  /* the process' commits when it began */
    double scope_started_ms; /* when it began (clock_mono_ms) */
    bool wal;                /* in WAL mode: only there may a snapshot outlive a request */
    bool listed;             /* on the list of released scopes (scopes) */
    bool released;           /* its thread is between requests: the checkpoint thread may end
                              * the scope. Changed under scope_mu; the owner reads it freely */
    pthread_mutex_t scope_mu;
    Db *scope_next; /* under scopes_lock */
    DbStmt cache[STMT_CACHE_SIZE];
};

static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static Writer *writers;
static _Thread_local Writer *turn_held; /* the writer whose turn this thread has */

/* The connection db's statements run on: the writer's during a write transaction. */
static Db *conn_of(Db *db)
{
    return db->tx ? db->tx : db;
}

#define BUSY_TIMEOUT_US 5000000L

static int busy_wait(void *arg, int tries)
{
    long step = tries < 20 ? 50 : tries < 100 ? 500 : 2000;
    long waited = tries < 20    ? tries * 50L
                  : tries < 100 ? 1000L + (tries - 20) * 500L
                                : 41000L + (tries - 100) * 2000L;
    if (waited >= BUSY_TIMEOUT_US)
        return 0;
    usleep((useconds_t)step);
    return 1;
}

static Writer *writer_attach(const char *url)
{
    if (str_eq(url, ":memory:") || strstr(url, "mode=memory"))
        return NULL; /* every connection is a database of its own */
    pthread_mutex_lock(&writers_lock);
    Writer *w = writers;
    while (w && !str_eq(w->url, url))
        w = w->next;
    if (!w) {
        w = xcalloc(1, sizeof *w);
        w->url = xstrdup(url);
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->turn_cv, NULL);
        pthread_cond_init(&w->done_cv, NULL);
        w->next = writers;
        writers = w;
    }
    w->refs++;
    pthread_mutex_unlock(&writers_lock);
    return w;
}

static void writer_detach(Writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&writers_lock);
    bool last = --w->refs == 0;
    if (last) {
        Writer **p = &writers;
        while (*p != w)
            p = &(*p)->next;
        *p = w->next;
    }
    pthread_mutex_unlock(&writers_lock);
    if (!last)
        return;
    sqlite_close(w->conn); /* an open batch has no members left: nobody waits for it */
    pthread_cond_destroy(&w->done_cv);
    pthread_cond_destroy(&w->turn_cv);
    pthread_mutex_destroy(&w->mu);
    free(w->url);
    free(w);
}

static Db *connection_open(const char *url);

/* The writer's page cache, 2 MB: the interior pages and the hot leaves of every index stay in
 * it. With 100,000 requests, 4 MB created no more requests per second than 2 MB (median of 4
 * alternating runs: 2,864 and 2,915/s), nor 8 MB than 4 (the leaves of the random keys -
 * submit, reply and message tokens - do not fit either way), and each MB stays in the process
 * while requests are created. The pages are allocated by whichever thread has the turn. */
#define WRITER_CACHE "PRAGMA cache_size=-2048"

/* With w->mu held: the turn is free for the next thread. */
static void turn_give_locked(Writer *w)
{
    w->busy = false;
    turn_held = NULL;
    pthread_cond_signal(&w->turn_cv);
}

/* Waits for w's turn and opens its connection on the first; false when that fails. */
static bool turn_take(Writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->waiting++;
    while (w->busy)
        pthread_cond_wait(&w->turn_cv, &w->mu);
    w->waiting--;
    w->busy = true;
    pthread_mutex_unlock(&w->mu);
    turn_held = w;
    if (!w->conn) {
        w->conn = connection_open(w->url);
        if (w->conn && sqlite_exec(w->conn, WRITER_CACHE) != DB_OK) {
            sqlite_close(w->conn);
            w->conn = NULL;
        }
        if (!w->conn) {
            pthread_mutex_lock(&w->mu);
            turn_give_locked(w);
            pthread_mutex_unlock(&w->mu);
            return false;
        }
    }
    return true;
}

/* Ends the open batch: every waiting member gets r, and the turn is free. */
static void batch_end(Writer *w, DbResult r)
{
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < w->members; i++)
        *w->results[i] = r;
    w->members = 0;
    w->open = false;
    w->ended = w->batch;
    pthread_cond_broadcast(&w->done_cv);
    turn_give_locked(w);
    pthread_mutex_unlock(&w->mu);
}

/* Transaction control runs with every write (SAVEPOINT, RELEASE) and batch (BEGIN, COMMIT):
 * prepared once per connection instead of parsed by sqlite3_exec each time, which cost about
 * 3,000 instructions and a dozen mallocs per statement. The cache knows a statement by the
 * address of its text, hence one array each. */
static const char SQL_BEGIN_IMMEDIATE[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_DEFERRED[] = "BEGIN DEFERRED";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_SAVEPOINT[] = "SAVEPOINT member";
static const char SQL_RELEASE[] = "RELEASE member";

static DbResult sqlite_control(Db *db, const char *sql);
static void wal_restart_if_huge(Writer *w);

/* Commits the open batch (the caller has the turn); its result goes to every member. */
static DbResult batch_commit(Writer *w)
{
    DbResult r = sqlite_control(w->conn, SQL_COMMIT);
    if (r != DB_OK && !sqlite3_get_autocommit(w->conn->handle))
        sqlite3_exec(w->conn->handle, "ROLLBACK", NULL, NULL, NULL);
    if (r == DB_OK)
        wal_restart_if_huge(w);
    batch_end(w, r);
    return r;
}

/* The caller's own work is done or undone and it does not wait for the batch: hands the turn
 * on while others wait (the batch stays open for them), or else ends the batch. */
static void turn_end(Writer *w)
{
    if (w->open && sqlite3_get_autocommit(w->conn->handle)) {
        batch_end(w, DB_ERROR); /* SQLite rolled the whole transaction back */
        return;
    }
    pthread_mutex_lock(&w->mu);
    if (!w->open || (w->waiting > 0 && w->members < BATCH_MAX)) {
        turn_give_locked(w);
        pthread_mutex_unlock(&w->mu);
        return;
    }
    bool empty = w->members == 0;
    pthread_mutex_unlock(&w->mu);
    if (empty) {
        sqlite3_exec(w->conn->handle, "ROLLBACK", NULL, NULL, NULL);
        batch_end(w, DB_OK);
    } else {
        batch_commit(w);
    }
}

/* Undoes the savepoint of the transaction that has the turn. */
static void member_undo(Writer *w)
{
    sqlite3 *h = w->conn->handle;
    if (sqlite3_get_autocommit(h))
        return; /* gone with the whole transaction: turn_end tells the batch */
    sqlite3_exec(h, "ROLLBACK TO member", NULL, NULL, NULL);
    sqlite3_exec(h, "RELEASE member", NULL, NULL, NULL);
}

static pthread_mutex_t checkpoint_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t checkpoint_cond = PTHREAD_COND_INITIALIZER;
static bool checkpoint_running, checkpoint_stopping, checkpoint_due;
static int checkpoint_mark; /* WAL frames at the last checkpoint; under checkpoint_lock */
static pthread_t checkpoint_thread;

/* Commits of this process' connections, counted when they are complete (the WAL hook runs
 * after the commit and its locks are given back): a read scope kept between requests that
 * began before the last one has to start over (sqlite_read_scope_begin). */
static atomic_uint_fast64_t process_commits;

#define CHECKPOINT_PAGES 1000  /* SQLite's own default threshold */
#define WAL_RESTART_PAGES 8000 /* 32 MB of 4 KB pages: then the WAL starts over */
static atomic_int wal_frames;  /* the WAL's length after the last commit */

/* After every commit: asks the checkpoint thread to run once the WAL holds enough pages that
 * the last checkpoint has not seen. Counting from the last checkpoint matters under steady
 * load: readers keep SQLite from starting the WAL over, so its length stays above the
 * threshold, and checkpointing on length alone ran one (with two fdatasyncs) after nearly
 * every commit, writing each changed page to the database again and again. */
static int wal_committed(void *arg, sqlite3 *h, const char *name, int pages)
{
    atomic_fetch_add(&process_commits, 1);
    atomic_store(&wal_frames, pages);
    if (pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&checkpoint_lock);
        if (pages < checkpoint_mark) /* the WAL started over */
            checkpoint_mark = 0;
        if (!checkpoint_due && pages - checkpoint_mark >= CHECKPOINT_PAGES) {
            checkpoint_due = true;
            pthread_cond_signal(&checkpoint_cond);
        }
        pthread_mutex_unlock(&checkpoint_lock);
    }
    return SQLITE_OK;
}

/* The WAL starts over only once a checkpoint has caught up with the last commit, which the
 * checkpoint thread's passive ones never do while commits keep coming (and readers never
 * pause). So once it is WAL_RESTART_PAGES long, the writer, right after its commit and still
 * with the turn, restarts it: no commit can come in between, and the passive checkpoints
 * copied most pages already, so this is short. */
static void wal_restart_if_huge(Writer *w)
{
    if (atomic_load(&wal_frames) < WAL_RESTART_PAGES)
        return;
    atomic_store(&wal_frames, 0);
    int rc =
        sqlite3_wal_checkpoint_v2(w->conn->handle, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
        log_warn("event=checkpoint_failed code=%d error=\"%s\"", rc,
                 sqlite3_errmsg(w->conn->handle));
}

/* Before SQLite's first use: no global allocation statistics. With them every sqlite3_malloc
 * and sqlite3_free of every connection takes one process-wide mutex, and the HTTP threads
 * queued on it (a third of the futex waits under load). Nothing here reads those statistics. */
static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Without the checkpoint thread: counts the commit and checkpoints as SQLite's own automatic
 * checkpoint would, which a hook of our own replaces. */
static int wal_committed_alone(void *arg, sqlite3 *h, const char *name, int pages)
{
    atomic_fetch_add(&process_commits, 1);
    if (pages >= CHECKPOINT_PAGES)
        sqlite3_wal_checkpoint(h, name);
    return SQLITE_OK;
}

/* While the checkpoint thread runs, commits leave checkpoints to it. */
static void background_hooks(sqlite3 *h)
{
    sqlite3_wal_autocheckpoint(h, 0);
    sqlite3_wal_hook(h, wal_committed, NULL);
}

/* Switches the connection to WAL; false on an error. db->wal says whether it took (not for an
 * in-memory database). */
static bool journal_wal(Db *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->handle, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
        return false;
    int rc = sqlite3_step(st);
    db->wal = rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
              strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* The page cache of every other connection, 1 MB instead of SQLite's 2: it holds what one
 * thread reads between two commits of the process (WAL mode empties a connection's cache when
 * another one has committed), a list or request page about 30 pages. Each HTTP, write and
 * background thread has a connection; together they kept 3 MB more under bench/requests.sh
 * at 2 MB, with no page served faster. */
#define READ_CACHE "PRAGMA cache_size=-1024"

/* One connection with the pragmas every one gets; no Writer. */
static Db *connection_open(const char *url)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, sqlite_configure);
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(
        url, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
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
    pthread_mutex_init(&db->scope_mu, NULL);
    if (!journal_wal(db) || sqlite_exec(db, "PRAGMA foreign_keys=ON") != DB_OK ||
        sqlite_exec(db, "PRAGMA synchronous=NORMAL") != DB_OK ||
        sqlite_exec(db, "PRAGMA temp_store=MEMORY") != DB_OK ||
        sqlite_exec(db, READ_CACHE) != DB_OK ||
        sqlite_exec(db, "PRAGMA journal_size_limit=67108864") != DB_OK) {
        sqlite_close(db);
        return NULL;
    }
    pthread_mutex_lock(&checkpoint_lock);
    bool background = checkpoint_running;
    pthread_mutex_unlock(&checkpoint_lock);
    if (background)
        background_hooks(h);
    else
        sqlite3_wal_hook(h, wal_committed_alone, NULL);
    return db;
}

Db *sqlite_open(const char *url)
{
    Db *db = connection_open(url);
    if (db)
        db->writer = writer_attach(url);
    return db;
}

static void scope_unlist(Db *db);

void sqlite_close(Db *db)
{
    if (!db)
        return;
    scope_unlist(db);    /* first: from now on the checkpoint thread cannot reach it */
    sqlite_rollback(db); /* also gives back the writer of an unfinished transaction */
    for (int i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(db->cache[i].stmt);
    sqlite3_close(db->handle);
    writer_detach(db->writer);
    pthread_mutex_destroy(&db->scope_mu);
    free(db);
}

static DbResult db_map_error(Db *db, int rc, const char *what)
{
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return DB_BUSY;
    if (primary == SQLITE_CONSTRAINT)
        return DB_CONFLICT;
    log_error("event=db_error what=%s code=%d error=\"%s\"", what, rc, sqlite3_errmsg(db->handle));
    return DB_ERROR;
}

/* A one-row INSERT whose RETURNING gives only the id (see RETURNING_ID): no SELECT, no
 * ON CONFLICT (which may insert nothing), no RETURNING of other columns. */
static bool returns_id(const char *sql, size_t len)
{
    size_t n = strlen(RETURNING_ID);
    return len > n && strcmp(sql + len - n, RETURNING_ID) == 0 &&
           strncmp(sql, "INSERT INTO ", 12) == 0 && strstr(sql, ") VALUES (") &&
           !strstr(sql, "SELECT") && !strstr(sql, "ON CONFLICT");
}

DbStmt *sqlite_prepare(Db *db, const char *sql)
{
    db = conn_of(db);
    size_t slot = ((uintptr_t)sql >> 3) & (STMT_CACHE_SIZE - 1);
    for (size_t probe = 0; probe < STMT_CACHE_SIZE; probe++) {
        DbStmt *st = &db->cache[(slot + probe) & (STMT_CACHE_SIZE - 1)];
        if (st->sql == sql) {
            sqlite3_reset(st->stmt);
            sqlite3_clear_bindings(st->stmt);
            if (st->returns != RETURNS_ROWS)
                st->returns = RETURNS_ID;
            return st;
        }
        if (!st->sql) {
            size_t len = strlen(sql);
            st->returns = returns_id(sql, len) ? RETURNS_ID : RETURNS_ROWS;
            if (st->returns == RETURNS_ID)
                len -= strlen(RETURNING_ID);
            int rc = sqlite3_prepare_v3(db->handle, sql, (int)len, SQLITE_PREPARE_PERSISTENT,
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
    if (st->returns == RETURNS_ID_ROW || st->returns == RETURNS_ID_DONE) {
        st->returns = RETURNS_ID_DONE;
        return DB_OK;
    }
    if (st->db->read_scope && !sqlite3_stmt_readonly(st->stmt))
        sqlite_read_scope_end(st->db);
    int rc = sqlite3_step(st->stmt);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE) {
        if (st->returns != RETURNS_ID || sqlite3_changes64(st->db->handle) == 0)
            return DB_OK;
        st->new_id = sqlite3_last_insert_rowid(st->db->handle);
        st->returns = RETURNS_ID_ROW;
        return DB_ROW;
    }
    DbResult r = db_map_error(st->db, rc, "step");
    sqlite3_reset(st->stmt);
    return r;
}

int64_t sqlite_col_int(DbStmt *st, int col)
{
    if (st->returns == RETURNS_ID_ROW)
        return col == 0 ? st->new_id : 0;
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
    if (st->returns == RETURNS_ID_ROW)
        return 1;
    return sqlite3_column_count(st->stmt);
}

bool sqlite_col_is_null(DbStmt *st, int col)
{
    if (st->returns == RETURNS_ID_ROW)
        return col != 0;
    return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
}

void sqlite_done(DbStmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st->stmt);
    if (st->returns != RETURNS_ROWS)
        st->returns = RETURNS_ID;
}

int64_t sqlite_changes(Db *db)
{
    return sqlite3_changes64(conn_of(db)->handle);
}

DbResult sqlite_exec(Db *db, const char *sql)
{
    sqlite_read_scope_end(db);
    db = conn_of(db);
    char *msg = NULL;
    int rc = sqlite3_exec(db->handle, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK)
        return db_map_error(db, rc, "exec");
    return DB_OK;
}

static DbResult sqlite_control(Db *db, const char *sql)
{
    DbStmt *st = sqlite_prepare(db, sql);
    if (!st)
        return sqlite_exec(db, sql);
    DbResult r = sqlite_step(st);
    sqlite_done(st);
    return r;
}

DbResult sqlite_begin(Db *db)
{
    sqlite_read_scope_end(db);
    Writer *w = db->writer;
    if (!w || db->tx) /* in memory, or nested: SQLite refuses the second BEGIN */
        return sqlite_control(db, SQL_BEGIN_IMMEDIATE);
    if (turn_held == w) { /* waiting for the turn this thread has would never end */
        log_error("event=db_nested_write error=\"a second connection of this thread began a "
                  "write transaction\"");
        return DB_BUSY;
    }
    if (!turn_take(w))
        return DB_ERROR;
    DbResult r = DB_OK;
    if (!w->open) {
        r = sqlite_control(w->conn, SQL_BEGIN_IMMEDIATE);
        if (r == DB_OK) {
            pthread_mutex_lock(&w->mu);
            w->open = true;
            w->batch++;
            pthread_mutex_unlock(&w->mu);
        }
    }
    if (r == DB_OK)
        r = sqlite_control(w->conn, SQL_SAVEPOINT);
    if (r != DB_OK) {
        turn_end(w);
        return r;
    }
    db->tx = w->conn;
    return DB_OK;
}

DbResult sqlite_read_begin(Db *db)
{
    if (!sqlite3_get_autocommit(conn_of(db)->handle)) { /* in a transaction: its snapshot */
        db->read_nested = true;
        return DB_OK;
    }
    return sqlite_control(db, SQL_BEGIN_DEFERRED);
}

void sqlite_read_end(Db *db)
{
    if (db->read_nested) {
        db->read_nested = false;
        return;
    }
    if (!sqlite3_get_autocommit(conn_of(db)->handle))
        sqlite_control(db, SQL_COMMIT);
}

/* ---- read scopes kept between requests ----
 * A thread's read transaction may outlive its request (db_read_scope_release): the thread's
 * next request continues it while nothing was committed in this process since it began and
 * it is younger than scope_fresh_ms, so under load a thread takes SQLite's read locks once
 * every 2 ms and not once per request. Between requests the checkpoint thread ends it
 * (sqlite_end_idle_scopes), so a thread with nothing to do does not hold checkpoints up.
 * Commits of other processes (pforte mail-in) are seen at most 2 ms late. Whoever ends a
 * released scope holds its Db's scope_mu; the owner takes the Db back (sqlite_scope_hold)
 * before it uses it again. */
static double scope_fresh_ms = 2.0; /* tests move it */

void sqlite_set_scope_fresh_ms(double ms)
{
    scope_fresh_ms = ms;
}

static pthread_mutex_t scopes_lock = PTHREAD_MUTEX_INITIALIZER;
static Db *scopes; /* Dbs that released a scope at least once; under scopes_lock */

static void scope_unlist(Db *db)
{
    if (!db->listed)
        return;
    pthread_mutex_lock(&scopes_lock);
    for (Db **at = &scopes; *at; at = &(*at)->scope_next) {
        if (*at == db) {
            *at = db->scope_next;
            break;
        }
    }
    pthread_mutex_unlock(&scopes_lock);
    db->listed = false;
}

void sqlite_scope_hold(Db *db)
{
    if (!db->released)
        return;
    pthread_mutex_lock(&db->scope_mu);
    db->released = false;
    pthread_mutex_unlock(&db->scope_mu);
}

void sqlite_read_scope_release(Db *db)
{
    if (!db->read_scope || db->released)
        return;
    if (!db->wal) { /* a reader there would hold writers up, and no commit would be counted */
        sqlite_read_scope_end(db);
        return;
    }
    if (!db->listed) {
        pthread_mutex_lock(&scopes_lock);
        db->scope_next = scopes;
        scopes = db;
        pthread_mutex_unlock(&scopes_lock);
        db->listed = true;
    }
    pthread_mutex_lock(&db->scope_mu);
    db->released = true;
    pthread_mutex_unlock(&db->scope_mu);
}

int sqlite_end_idle_scopes(void)
{
    int ended = 0;
    pthread_mutex_lock(&scopes_lock);
    for (Db *db = scopes; db; db = db->scope_next) {
        pthread_mutex_lock(&db->scope_mu);
        if (db->released && db->read_scope) {
            db->read_scope = false;
            /* not through the statement cache: that is the owner's */
            if (!sqlite3_get_autocommit(db->handle))
                sqlite3_exec(db->handle, SQL_COMMIT, NULL, NULL, NULL);
            ended++;
        }
        pthread_mutex_unlock(&db->scope_mu);
    }
    pthread_mutex_unlock(&scopes_lock);
    return ended;
}

void sqlite_read_scope_begin(Db *db)
{
    sqlite_scope_hold(db);
    if (db->read_scope) {
        if (atomic_load(&process_commits) == db->scope_commits &&
            clock_mono_ms() - db->scope_started_ms < scope_fresh_ms)
            return;
        sqlite_read_scope_end(db);
    }
    if (db->tx || !sqlite3_get_autocommit(db->handle))
        return;
    /* counted before the snapshot is taken (at the first read): a commit in between only
     * makes the next request start over */
    db->scope_commits = atomic_load(&process_commits);
    db->scope_started_ms = clock_mono_ms();
    db->read_scope = sqlite_control(db, SQL_BEGIN_DEFERRED) == DB_OK;
}

void sqlite_read_scope_end(Db *db)
{
    sqlite_scope_hold(db);
    if (!db->read_scope)
        return;
    /* cleared first: the COMMIT steps through sqlite_step; a ROLLBACK may have ended it */
    db->read_scope = false;
    if (!sqlite3_get_autocommit(db->handle))
        sqlite_control(db, SQL_COMMIT);
}

DbResult sqlite_commit(Db *db)
{
    Writer *w = db->writer;
    if (!db->tx) {
        DbResult r = sqlite_control(db, SQL_COMMIT);
        if (r != DB_OK)
            sqlite_rollback(db);
        return r;
    }
    db->tx = NULL;
    DbResult r = sqlite_control(w->conn, SQL_RELEASE);
    if (r != DB_OK) {
        member_undo(w);
        turn_end(w);
        return r;
    }
    if (sqlite3_get_autocommit(w->conn->handle)) { /* SQLite rolled it all back */
        turn_end(w);
        return DB_ERROR;
    }
    pthread_mutex_lock(&w->mu);
    if (w->waiting > 0 && w->members < BATCH_MAX - 1) { /* join the batch, let the next in */
        DbResult result = DB_ERROR;
        uint64_t mine = w->batch;
        w->results[w->members++] = &result;
        turn_give_locked(w);
        while (w->ended < mine)
            pthread_cond_wait(&w->done_cv, &w->mu);
        pthread_mutex_unlock(&w->mu);
        return result;
    }
    pthread_mutex_unlock(&w->mu);
    return batch_commit(w);
}

void sqlite_rollback(Db *db)
{
    if (!db->tx) {
        if (!sqlite3_get_autocommit(db->handle))
            sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
        return;
    }
    Writer *w = db->writer;
    db->tx = NULL;
    member_undo(w);
    turn_end(w);
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
        sqlite_end_idle_scopes(); /* their snapshots would stop the checkpoint short */
        int log_frames = -1;
        int rc = sqlite3_wal_checkpoint_v2(db->handle, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                           NULL);
        if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
            log_warn("event=checkpoint_failed code=%d error=\"%s\"", rc,
                     sqlite3_errmsg(db->handle));
        pthread_mutex_lock(&checkpoint_lock);
        if (rc == SQLITE_OK && log_frames >= 0)
            checkpoint_mark = log_frames;
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
    checkpoint_mark = 0;
    checkpoint_running = pthread_create(&checkpoint_thread, NULL, checkpoint_main, db) == 0;
    if (checkpoint_running)
        thread_name(checkpoint_thread, "checkpoint");
    bool running = checkpoint_running;
    pthread_mutex_unlock(&checkpoint_lock);
    if (!running) {
        log_error("event=checkpoint_thread_failed");
        sqlite_close(db);
        return;
    }
    pthread_mutex_lock(&writers_lock); /* writers opened before (by migrations) */
    for (Writer *w = writers; w; w = w->next) {
        if (turn_take(w)) {
            background_hooks(w->conn->handle);
            turn_end(w);
        }
    }
    pthread_mutex_unlock(&writers_lock);
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
