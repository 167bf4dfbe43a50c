/* postgres: the PostgreSQL backend of db.h (libpq). One connection per thread; each SQL
 * literal is translated once (`?` -> `$n`) and prepared once per connection, on its first run,
 * with the parameter types of that first run's binds. A lost connection makes every further
 * call of the current request answer DB_BUSY (503); the connection is re-established by
 * db_thread() before the next request, never inside an open transaction. The only file that
 * includes libpq-fe.h; libpq itself is opened on the first connection (dlopen). SECURITY: SQL text
 * is never built from values; everything is bound; the connection URL (it may hold a password) is
 * never logged. */
#include "core/arena.h"
#include "core/clock.h"
#include "core/dynlib.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/backend.h"
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_SIZE 256     /* power of two */
#define INT8_OID 20
#define BYTEA_OID 17
#define RECONNECT_EVERY_MS 250  /* a thread tries a dead server at most this often */
#define MIGRATION_LOCK_KEY "7305"/* advisory lock: one instance migrates at a time */

/* ---- libpq, loaded when the first PostgreSQL connection is opened ----
 * libpq brings OpenSSL, Kerberos, LDAP and SASL (about 2 MB of resident memory) into every
 * process that links it; an installation on SQLite never needs it. So the library is opened
 * with dlopen by pg_open instead of being linked. The names below stand for the loaded
 * functions, so the code after them reads like plain libpq. */
#define PQ_LIBRARY "libpq.so.5"
#define PQ_FUNCTIONS(X)                                                                            \
    X(PQclear)                                                                                     \
    X(PQcmdStatus)                                                                                 \
    X(PQcmdTuples)                                                                                 \
    X(PQconnectdbParams)                                                                           \
    X(PQconsumeInput)                                                                              \
    X(PQerrorMessage)                                                                              \
    X(PQexec)                                                                                      \
    X(PQexecPrepared)                                                                              \
    X(PQfinish)                                                                                    \
    X(PQfreemem)                                                                                   \
    X(PQftype)                                                                                     \
    X(PQgetisnull)                                                                                 \
    X(PQgetlength)                                                                                 \
    X(PQgetvalue)                                                                                  \
    X(PQnfields)                                                                                   \
    X(PQntuples)                                                                                   \
    X(PQprepare)                                                                                   \
    X(PQreset)                                                                                     \
    X(PQresultErrorField)                                                                          \
    X(PQresultErrorMessage)                                                                        \
    X(PQresultStatus)                                                                              \
    X(PQsetNoticeProcessor)                                                                        \
    X(PQsocket)                                                                                    \
    X(PQstatus)                                                                                    \
    X(PQtransactionStatus)                                                                         \
    X(PQunescapeBytea)

static struct {
#define PQ_POINTER(f) __typeof__(f) *f;
    PQ_FUNCTIONS(PQ_POINTER)
#undef PQ_POINTER
} pq;
static bool pq_loaded;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;

static void pq_start(void)
{
#define PQ_SLOT(f) (void **)&pq.f,
    static const char *const names[] = {PQ_FUNCTIONS(DYNLIB_NAME)};
    void **const slots[] = {PQ_FUNCTIONS(PQ_SLOT)};
#undef PQ_SLOT
    pq_loaded = dynlib_open(PQ_LIBRARY, names, slots, sizeof names / sizeof *names);
    if (!pq_loaded)
        log_error("event=db_open_failed backend=postgres error=\"libpq is not available\"");
}

#define PQclear pq.PQclear
#define PQcmdStatus pq.PQcmdStatus
#define PQcmdTuples pq.PQcmdTuples
#define PQconnectdbParams pq.PQconnectdbParams
#define PQconsumeInput pq.PQconsumeInput
#define PQerrorMessage pq.PQerrorMessage
#define PQexec pq.PQexec
#define PQexecPrepared pq.PQexecPrepared
#define PQfinish pq.PQfinish
#define PQfreemem pq.PQfreemem
#define PQftype pq.PQftype
#define PQgetisnull pq.PQgetisnull
#define PQgetlength pq.PQgetlength
#define PQgetvalue pq.PQgetvalue
#define PQnfields pq.PQnfields
#define PQntuples pq.PQntuples
#define PQprepare pq.PQprepare
#define PQreset pq.PQreset
#define PQresultErrorField pq.PQresultErrorField
#define PQresultErrorMessage pq.PQresultErrorMessage
#define PQresultStatus pq.PQresultStatus
#define PQsetNoticeProcessor pq.PQsetNoticeProcessor
#define PQsocket pq.PQsocket
#define PQstatus pq.PQstatus
#define PQtransactionStatus pq.PQtransactionStatus
#define PQunescapeBytea pq.PQunescapeBytea

typedef struct PgParam {
    char *buf; /* text of an int or text value, or the bytes of a blob */
    size_t cap;
    int len;
    int format; /* 0 text, 1 binary */
    unsigned type;
    bool is_null;
} PgParam;

struct DbStmt {
    Db *db; /* first: see backend.h */
    const char *sql; /* cache key: the literal's address */
    char *translated;
    char name[16];
    int nparams;
    PgParam *params;
    const char **values;
    int *lengths;
    int *formats;
    unsigned prepared_generation; /* 0: not prepared on the current connection */
    PGresult *res;
    int row;    /* current row, -1 before the first step */
    int nrows;
    unsigned char *blob; /* unescaped bytea of the current row */
};

struct Db {
    DbKind kind; /* first: see backend.h */
    PGconn *conn;
    bool broken;        /* the connection was lost: everything answers DB_BUSY until reconnect */
    bool in_transaction;
    bool read_nested;    /* db_read_begin found a transaction open: its db_read_end leaves it */
    unsigned generation; /* bumped by each new connection: prepared statements are gone */
    int64_t changes;
    double last_reconnect_ms;
    DbStmt cache[STMT_CACHE_SIZE];
};

/* libpq's messages end in a newline (sometimes more lines): the first line, for a log value */
static const char *first_line(const char *message, char *out, size_t size)
{
    size_t n = 0;
    while (message[n] && message[n] != '\n' && n + 1 < size) {
        out[n] = message[n] == '"' ? '\'' : message[n];
        n++;
    }
    out[n] = '\0';
    return out;
}

static void notice_ignore(void *arg, const char *message)
{
    (void)arg;
    log_debug("event=pg_notice message=\"%.200s\"", message);
}

static PGconn *pg_connect(const char *url)
{
    /* the URL's own values win over these defaults (they come before dbname). Keepalives
     * notice a server that vanished without closing the connection (a dead machine, a cut
     * network) within about half a minute instead of the kernel's two hours; no statement of
     * a page should run for a minute. */
    const char *keys[] = {"connect_timeout", "application_name", "client_encoding",
                          "keepalives", "keepalives_idle", "keepalives_interval",
                          "keepalives_count", "options", "dbname", NULL};
    const char *values[] = {"5", "pforte", "UTF8", "1", "10", "5", "3",
                            "-c statement_timeout=60s", url, NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn)
        return NULL;
    if (PQstatus(conn) != CONNECTION_OK) {
        char line[300];
        log_error("event=db_open_failed backend=postgres error=\"%s\"",
                  first_line(PQerrorMessage(conn), line, sizeof line));
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, notice_ignore, NULL);
    return conn;
}

Db *pg_open(const char *url)
{
    pthread_once(&pq_once, pq_start);
    if (!pq_loaded)
        return NULL;
    PGconn *conn = pg_connect(url);
    if (!conn)
        return NULL;
    Db *db = xcalloc(1, sizeof *db);
    db->kind = DB_POSTGRES;
    db->conn = conn;
    db->generation = 1;
    return db;
}

static void stmt_clear_result(DbStmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->nrows = 0;
    PQfreemem(st->blob);
    st->blob = NULL;
}

void pg_close(Db *db)
{
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        DbStmt *st = &db->cache[i];
        if (!st->sql)
            continue;
        stmt_clear_result(st);
        for (int p = 0; p < st->nparams; p++)
            free(st->params[p].buf);
        free(st->params);
        free(st->values);
        free(st->lengths);
        free(st->formats);
        free(st->translated);
    }
    PQfinish(db->conn);
    free(db);
}

/* Marks the connection lost when libpq says so; true then. */
static bool connection_lost(Db *db)
{
    if (db->broken)
        return true;
    if (PQstatus(db->conn) != CONNECTION_OK) {
        if (!db->broken)
            log_warn("event=db_connection_lost backend=postgres");
        db->broken = true;
    }
    return db->broken;
}

void pg_check_connection(Db *db)
{
    if (db->in_transaction)
        return; /* never swap the connection under an open transaction */
    if (!db->broken && PQstatus(db->conn) == CONNECTION_OK) {
        /* an idle connection has nothing to read; something readable is the server's
         * goodbye (restart, admin shutdown) or a notice: let libpq look */
        struct pollfd p = {.fd = PQsocket(db->conn), .events = POLLIN};
        if (p.fd < 0 || poll(&p, 1, 0) == 0)
            return;
        if (PQconsumeInput(db->conn) && PQstatus(db->conn) == CONNECTION_OK)
            return;
        db->broken = true;
    }
    double now = clock_mono_ms();
    if (now - db->last_reconnect_ms < RECONNECT_EVERY_MS)
        return;
    db->last_reconnect_ms = now;
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        db->broken = true;
        return;
    }
    PQsetNoticeProcessor(db->conn, notice_ignore, NULL);
    db->broken = false;
    db->generation++;
    log_info("event=db_reconnected backend=postgres");
}

/* Maps a failed result to DbResult; logs what is not expected. res may be NULL. */
static DbResult map_error(Db *db, PGresult *res, const char *what, const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (connection_lost(db) || !state || str_starts_with(state, "08") ||
        str_starts_with(state, "57P")) {
        db->broken = db->broken || PQstatus(db->conn) != CONNECTION_OK;
        return DB_BUSY;
    }
    if (str_starts_with(state, "23")) {
        const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        log_debug("event=db_conflict backend=postgres state=%s constraint=%s", state,
                  constraint ? constraint : "-");
        return DB_CONFLICT;
    }
    if (str_eq(state, "40001") || str_eq(state, "40P01") || str_eq(state, "55P03") ||
        str_eq(state, "57014") || str_starts_with(state, "53"))
        return DB_BUSY;
    char line[300];
    log_error("event=db_error backend=postgres what=%s state=%s error=\"%s\" sql=\"%.100s\"",
              what, state, first_line(PQresultErrorMessage(res), line, sizeof line),
              sql ? sql : "");
    return DB_ERROR;
}

/* `?` -> `$n`, outside string literals, quoted names and comments. */
static char *translate_placeholders(const char *sql, int *count)
{
    size_t n = strlen(sql);
    char *out = xmalloc(n * 4 + 1);
    size_t o = 0;
    int params = 0;
    for (size_t i = 0; i < n; i++) {
        char c = sql[i];
        if (c == '\'' || c == '"') {
            out[o++] = c;
            for (i++; i < n; i++) {
                out[o++] = sql[i];
                if (sql[i] == c)
                    break;
            }
            continue;
        }
        if (c == '-' && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n')
                out[o++] = sql[i++];
            if (i < n)
                out[o++] = '\n';
            continue;
        }
        if (c == '?') {
            o += (size_t)snprintf(out + o, 8, "$%d", ++params);
            continue;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    *count = params;
    return out;
}

static void stmt_reset(DbStmt *st)
{
    stmt_clear_result(st);
    for (int p = 0; p < st->nparams; p++) {
        st->params[p].is_null = true;
        st->params[p].type = 0;
        st->params[p].format = 0;
        st->params[p].len = 0;
    }
}

DbStmt *pg_prepare(Db *db, const char *sql)
{
    size_t slot = ((uintptr_t)sql >> 3) & (STMT_CACHE_SIZE - 1);
    for (size_t probe = 0; probe < STMT_CACHE_SIZE; probe++) {
        size_t index = (slot + probe) & (STMT_CACHE_SIZE - 1);
        DbStmt *st = &db->cache[index];
        if (st->sql == sql) {
            stmt_reset(st);
            return st;
        }
        if (!st->sql) {
            st->db = db;
            st->sql = sql;
            st->translated = translate_placeholders(sql, &st->nparams);
            snprintf(st->name, sizeof st->name, "p%zu", index);
            int np = st->nparams ? st->nparams : 1;
            st->params = xcalloc((size_t)np, sizeof *st->params);
            st->values = xcalloc((size_t)np, sizeof *st->values);
            st->lengths = xcalloc((size_t)np, sizeof *st->lengths);
            st->formats = xcalloc((size_t)np, sizeof *st->formats);
            st->res = NULL;
            st->blob = NULL;
            stmt_reset(st);
            return st;
        }
    }
    log_error("event=db_stmt_cache_full");
    return NULL;
}

static PgParam *param_at(DbStmt *st, int index)
{
    if (index < 1 || index > st->nparams) {
        log_error("event=db_bind_out_of_range index=%d sql=\"%.80s\"", index, st->sql);
        return NULL;
    }
    return &st->params[index - 1];
}

static void param_set(PgParam *p, const void *data, size_t n, int format, unsigned type)
{
    if (n + 1 > p->cap) {
        p->cap = n + 1 < 32 ? 32 : n + 1;
        p->buf = xrealloc(p->buf, p->cap);
    }
    if (n)
        memcpy(p->buf, data, n);
    p->buf[n] = '\0';
    p->len = (int)n;
    p->format = format;
    p->type = type;
    p->is_null = false;
}

void pg_bind_int(DbStmt *st, int index, int64_t value)
{
    PgParam *p = param_at(st, index);
    if (!p)
        return;
    char text[24];
    int n = snprintf(text, sizeof text, "%lld", (long long)value);
    param_set(p, text, (size_t)n, 0, INT8_OID);
}

void pg_bind_text(DbStmt *st, int index, const char *value)
{
    PgParam *p = param_at(st, index);
    if (!p)
        return;
    if (!value) {
        p->is_null = true;
        return;
    }
    param_set(p, value, strlen(value), 0, 0);
}

void pg_bind_blob(DbStmt *st, int index, const void *data, size_t n)
{
    PgParam *p = param_at(st, index);
    if (p)
        param_set(p, data, data ? n : 0, 1, BYTEA_OID);
}

void pg_bind_null(DbStmt *st, int index)
{
    PgParam *p = param_at(st, index);
    if (p)
        p->is_null = true;
}

static bool is_change_command(const char *status)
{
    return str_starts_with(status, "INSERT") || str_starts_with(status, "UPDATE") ||
           str_starts_with(status, "DELETE");
}

/* Prepares (when this connection has not yet) and runs the statement; DB_OK or an error. */
static DbResult stmt_execute(DbStmt *st)
{
    Db *db = st->db;
    if (connection_lost(db))
        return DB_BUSY;
    if (st->prepared_generation != db->generation) {
        Oid *types = xcalloc((size_t)(st->nparams ? st->nparams : 1), sizeof *types);
        for (int i = 0; i < st->nparams; i++)
            types[i] = st->params[i].type;
        PGresult *res = PQprepare(db->conn, st->name, st->translated, st->nparams, types);
        free(types);
        DbResult r = DB_OK;
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
            r = map_error(db, res, "prepare", st->sql);
        PQclear(res);
        if (r != DB_OK)
            return r;
        st->prepared_generation = db->generation;
    }
    for (int i = 0; i < st->nparams; i++) {
        PgParam *p = &st->params[i];
        st->values[i] = p->is_null ? NULL : p->buf;
        st->lengths[i] = p->len;
        st->formats[i] = p->format;
    }
    PGresult *res = PQexecPrepared(db->conn, st->name, st->nparams, st->values, st->lengths,
                                   st->formats, 0);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        DbResult r = map_error(db, res, "step", st->sql);
        PQclear(res);
        return r;
    }
    if (is_change_command(PQcmdStatus(res)))
        db->changes = strtoll(PQcmdTuples(res), NULL, 10);
    st->res = res;
    st->nrows = PQntuples(res);
    st->row = -1;
    return DB_OK;
}

DbResult pg_step(DbStmt *st)
{
    if (!st->res) {
        DbResult r = stmt_execute(st);
        if (r != DB_OK)
            return r;
    }
    PQfreemem(st->blob);
    st->blob = NULL;
    if (st->row + 1 < st->nrows) {
        st->row++;
        return DB_ROW;
    }
    st->row = st->nrows;
    return DB_OK;
}

static bool on_row(DbStmt *st, int col)
{
    return st->res && st->row >= 0 && st->row < st->nrows && col >= 0 &&
           col < PQnfields(st->res);
}

int64_t pg_col_int(DbStmt *st, int col)
{
    if (!on_row(st, col) || PQgetisnull(st->res, st->row, col))
        return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (v[0] == 't' && v[1] == '\0')
        return 1; /* booleans: `x IS NOT NULL` and friends */
    if (v[0] == 'f' && v[1] == '\0')
        return 0;
    return strtoll(v, NULL, 10);
}

char *pg_col_text(DbStmt *st, int col, Arena *a)
{
    if (!on_row(st, col) || PQgetisnull(st->res, st->row, col))
        return NULL;
    return arena_strndup(a, PQgetvalue(st->res, st->row, col),
                         (size_t)PQgetlength(st->res, st->row, col));
}

const void *pg_col_blob(DbStmt *st, int col, size_t *n)
{
    *n = 0;
    if (!on_row(st, col) || PQgetisnull(st->res, st->row, col))
        return NULL;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (PQftype(st->res, col) != BYTEA_OID) {
        *n = (size_t)PQgetlength(st->res, st->row, col);
        return v;
    }
    PQfreemem(st->blob);
    st->blob = PQunescapeBytea((const unsigned char *)v, n);
    return st->blob;
}

bool pg_col_is_null(DbStmt *st, int col)
{
    return !on_row(st, col) || PQgetisnull(st->res, st->row, col);
}

int pg_col_count(DbStmt *st)
{
    return st->res ? PQnfields(st->res) : 0;
}

void pg_done(DbStmt *st)
{
    stmt_clear_result(st);
}

int64_t pg_changes(Db *db)
{
    return db->changes;
}

/* Runs sql without parameters; *status_out gets the command tag when asked. */
static DbResult exec_simple(Db *db, const char *sql, char *status_out, size_t status_size)
{
    if (connection_lost(db))
        return DB_BUSY;
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    DbResult r = DB_OK;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        r = map_error(db, res, "exec", sql);
    else if (status_out)
        snprintf(status_out, status_size, "%s", PQcmdStatus(res));
    PQclear(res);
    return r;
}

DbResult pg_exec(Db *db, const char *sql)
{
    return exec_simple(db, sql, NULL, 0);
}

DbResult pg_begin(Db *db)
{
    DbResult r = exec_simple(db, "BEGIN", NULL, 0);
    db->in_transaction = r == DB_OK;
    return r;
}

DbResult pg_read_begin(Db *db)
{
    /* Inside a transaction (a write that reads the settings catalog, say) its queries already
     * see one snapshot: a BEGIN there would fail and abort the writer's transaction. */
    PGTransactionStatusType ts = db->broken ? PQTRANS_UNKNOWN : PQtransactionStatus(db->conn);
    if (ts == PQTRANS_INERROR)
        return DB_ERROR; /* the writer's transaction failed already: it rolls back */
    if (ts == PQTRANS_INTRANS) {
        db->read_nested = true;
        return DB_OK;
    }
    /* one snapshot for all queries of a page, like SQLite's read transaction */
    DbResult r = exec_simple(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", NULL, 0);
    db->in_transaction = r == DB_OK;
    return r;
}

void pg_read_end(Db *db)
{
    if (db->read_nested) {
        db->read_nested = false;
        return;
    }
    if (db->in_transaction && !db->broken)
        exec_simple(db, "COMMIT", NULL, 0);
    db->in_transaction = false;
}

DbResult pg_commit(Db *db)
{
    char tag[32] = "";
    DbResult r = exec_simple(db, "COMMIT", tag, sizeof tag);
    /* COMMIT of a transaction that had failed answers ROLLBACK, without an error */
    if (r == DB_OK && str_eq(tag, "ROLLBACK"))
        r = DB_ERROR;
    if (r != DB_OK && !db->broken && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        exec_simple(db, "ROLLBACK", NULL, 0);
    db->in_transaction = false;
    return r;
}

void pg_rollback(Db *db)
{
    if (!db->broken && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        exec_simple(db, "ROLLBACK", NULL, 0);
    db->in_transaction = false;
}

int pg_schema_version(Db *db)
{
    PGresult *res = PQexec(db->conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    int version = 0;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return version;
}

static DbResult migrate_locked(Db *db)
{
    if (pg_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " applied_at BIGINT NOT NULL)") != DB_OK)
        return DB_ERROR;
    return migrate_files(db, "src/store/migrations/postgres/",
                         "INSERT INTO schema_migrations (version, applied_at) "
                         "VALUES (?, extract(epoch FROM now())::bigint)");
}

DbResult pg_migrate(Db *db)
{
    /* several instances may start at once: one migrates, the others wait and find it done */
    if (pg_exec(db, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")") != DB_OK)
        return DB_ERROR;
    DbResult r = migrate_locked(db);
    pg_exec(db, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")");
    return r;
}
