/* test_store: the SQLite backend's write path against temporary databases - transactions of
 * several threads share one writer connection and are committed in batches: every committed
 * row is there (and visible to other connections as soon as db_commit returns), every rolled
 * back one is not, also when both were in the same batch; a second write transaction of the
 * same thread on another connection fails at once instead of waiting for itself; reads inside
 * a transaction see its own rows; the WAL stays bounded while readers never pause; a one-row
 * INSERT ... RETURNING id gives the new id; the CHECKs of migration 018 hold; and a request's
 * read scope is one snapshot until its first write. */
#include "core/arena.h"
#include "core/config.h"
#include "store/backend.h"
#include "store/db.h"
#include <sqlite3.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char temp_root[256];
static int db_counter;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* A fresh database with the test table t (k unique, v); its path in *path. */
static Db *fresh_db(Arena *a, const char **path)
{
    const char *dir = arena_printf(a, "%s/data%d", temp_root, ++db_counter);
    assert_int_equal(mkdir(dir, 0700), 0);
    cfg.data = (char *)dir;
    cfg.db = NULL;
    *path = arena_printf(a, "%s/pforte.db", dir);
    Db *db = db_open(*path);
    assert_non_null(db);
    assert_int_equal(db_migrate(db), DB_OK);
    assert_int_equal(db_exec(db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)"), DB_OK);
    return db;
}

static int64_t count_rows(Db *db)
{
    int64_t n = -1;
    assert_int_equal(db_run_int(db_prepare(db, "SELECT count(*) FROM t"), &n), DB_OK);
    return n;
}

/* Rows with key k: 0 or 1, -1 on an error. No cmocka assertions: threads call it too. */
static int64_t rows_with(Db *db, int64_t k)
{
    int64_t n = -1;
    DbStmt *st = db_prepare(db, "SELECT count(*) FROM t WHERE k = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, k);
    return db_run_int(st, &n) == DB_OK ? n : -1;
}

static bool row_exists(Db *db, int64_t k)
{
    int64_t n = rows_with(db, k);
    assert_true(n == 0 || n == 1);
    return n == 1;
}

static DbResult insert_row(Db *db, int64_t k)
{
    DbStmt *st = db_prepare(db, "INSERT INTO t (k, v) VALUES (?, ?)");
    db_bind_int(st, 1, k);
    db_bind_blob(st, 2, "x", 1);
    return db_run(st);
}

/* ---- transactions of several threads ---- */

#define WRITERS 6
#define ROUNDS 150

typedef struct {
    const char *path;
    int index;
    int committed, rolled_back, failures;
} Racer;

/* Each round inserts two rows; every third round rolls back, the others commit and check
 * at once, on the thread's own connection outside any transaction, that both rows are
 * there (db_commit returned: the batch is committed). */
static void *race(void *arg)
{
    Racer *r = arg;
    Db *db = db_open(r->path);
    for (int i = 0; i < ROUNDS && db; i++) {
        int64_t k = (int64_t)(r->index * ROUNDS + i) * 2 + 1;
        if (db_begin(db) != DB_OK) {
            r->failures++;
            continue;
        }
        bool ok = insert_row(db, k) == DB_OK && insert_row(db, k + 1) == DB_OK;
        if (!ok || i % 3 == 2) {
            db_rollback(db);
            r->rolled_back++;
            if (ok && (rows_with(db, k) != 0 || rows_with(db, k + 1) != 0))
                r->failures++;
            continue;
        }
        if (db_commit(db) != DB_OK || rows_with(db, k) != 1 || rows_with(db, k + 1) != 1)
            r->failures++;
        else
            r->committed++;
    }
    db_close(db);
    return NULL;
}

static void test_concurrent_transactions_commit_exactly_their_rows(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *db = fresh_db(&a, &path);
    static Racer racers[WRITERS];
    pthread_t threads[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        racers[i] = (Racer){.path = path, .index = i};
        assert_int_equal(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
    }
    int committed = 0;
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(racers[i].failures, 0);
        assert_int_equal(racers[i].committed + racers[i].rolled_back, ROUNDS);
        committed += racers[i].committed;
    }
    assert_int_equal(committed, WRITERS * (ROUNDS - ROUNDS / 3));
    assert_int_equal(count_rows(db), 2 * committed);
    for (int i = 0; i < WRITERS; i++) /* the rolled back rounds left nothing */
        for (int round = 2; round < ROUNDS; round += 3)
            assert_false(row_exists(db, (int64_t)(i * ROUNDS + round) * 2 + 1));
    db_close(db);
    arena_free(&a);
}

/* A failed statement inside a transaction keeps the rows before it; rolling back removes
 * them; a transaction's own reads see its rows, other connections only after the commit. */
static void test_transaction_sees_its_rows_others_after_commit(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *db = fresh_db(&a, &path);
    Db *other = db_open(path);
    assert_non_null(other);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_row(db, 1), DB_OK);
    assert_int_equal(insert_row(db, 1), DB_CONFLICT); /* the duplicate alone fails */
    assert_true(row_exists(db, 1));
    assert_int_equal(db_read_begin(db), DB_OK); /* a snapshot inside joins the transaction */
    assert_int_equal(count_rows(db), 1);
    db_read_end(db);
    assert_false(row_exists(other, 1));
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(row_exists(other, 1));

    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_row(db, 2), DB_OK);
    db_rollback(db);
    assert_false(row_exists(db, 2));
    assert_false(row_exists(other, 2));
    assert_int_equal(count_rows(other), 1);
    db_close(other);
    db_close(db);
    arena_free(&a);
}

static int64_t cache_size(Db *db)
{
    int64_t kib = 0;
    assert_int_equal(db_run_int(db_prepare(db, "PRAGMA cache_size"), &kib), DB_OK);
    return kib;
}

/* Page caches are bounded: a thread's own connection keeps 1 MB (negative: KiB), the writer
 * that runs every write transaction 2 MB. */
static void test_page_caches_are_bounded(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *db = fresh_db(&a, &path);
    assert_int_equal(cache_size(db), -1024);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(cache_size(db), -2048);
    db_rollback(db);
    assert_int_equal(cache_size(db), -1024);
    db_close(db);
    arena_free(&a);
}

/* A request's read scope: its reads see one snapshot while another connection commits; a
 * statement that writes on the connection, db_begin and db_exec end the scope before they
 * run, so the write runs outside it and what follows sees the database as it is then; a
 * db_read_begin inside leaves the scope open; ending it twice or inside a write transaction
 * does nothing. */
static void test_read_scope_is_one_snapshot_until_the_first_write(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *db = fresh_db(&a, &path);
    Db *other = db_open(path);
    assert_non_null(other);

    db_read_scope_begin(db);
    assert_int_equal(count_rows(db), 0);
    assert_int_equal(insert_row(other, 1), DB_OK);
    assert_int_equal(count_rows(db), 0);        /* the scope's snapshot */
    assert_int_equal(db_read_begin(db), DB_OK); /* joins it */
    assert_int_equal(count_rows(db), 0);
    db_read_end(db);
    assert_int_equal(count_rows(db), 0);        /* still in the scope */
    assert_int_equal(insert_row(db, 2), DB_OK); /* a write ends it first */
    assert_int_equal(count_rows(db), 2);
    assert_true(row_exists(other, 2));
    db_read_scope_end(db); /* nothing left to end */
    db_read_scope_end(db);

    db_read_scope_begin(db);
    assert_int_equal(count_rows(db), 2);
    assert_int_equal(insert_row(other, 3), DB_OK);
    assert_int_equal(count_rows(db), 2);
    assert_int_equal(db_begin(db), DB_OK); /* ends it: the transaction sees row 3 */
    assert_int_equal(count_rows(db), 3);
    assert_int_equal(insert_row(db, 4), DB_OK);
    db_read_scope_begin(db); /* inside a write transaction: nothing */
    assert_int_equal(count_rows(db), 4);
    db_read_scope_end(db);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(count_rows(db), 4);
    assert_int_equal(count_rows(other), 4);

    db_read_scope_begin(db);
    assert_int_equal(count_rows(db), 4);
    assert_int_equal(insert_row(other, 5), DB_OK);
    assert_int_equal(count_rows(db), 4);
    assert_int_equal(db_exec(db, "CREATE TABLE u (x INTEGER)"), DB_OK); /* ends it */
    assert_int_equal(count_rows(db), 5);
    db_read_scope_end(db);

    db_read_scope_begin(db); /* ended at the end of a request: the next one reads anew */
    assert_int_equal(count_rows(db), 5);
    assert_int_equal(insert_row(other, 6), DB_OK);
    db_read_scope_end(db);
    assert_int_equal(count_rows(db), 6);
    db_close(other);
    db_close(db);
    arena_free(&a);
}

/* A scope released at the end of a request is continued by the thread's next request while
 * it is fresh and nothing was committed in this process; a commit of this process, its age
 * or the checkpoint thread (which ends released scopes only) make the next request read
 * anew. */
static void test_released_read_scope_is_continued_until_a_commit(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *db = fresh_db(&a, &path);
    Db *other = db_open(path);
    assert_non_null(other);
    sqlite3 *outside = NULL; /* another process' connection: its commits are not counted */
    assert_int_equal(sqlite3_open(path, &outside), SQLITE_OK);
    sqlite3_busy_timeout(outside, 5000);
    sqlite_set_scope_fresh_ms(3600e3);

    db_read_scope_begin(db);
    assert_int_equal(count_rows(db), 0);
    db_read_scope_release(db);
    assert_int_equal(sqlite3_exec(outside, "INSERT INTO t (k) VALUES (1)", 0, 0, 0), SQLITE_OK);
    db_read_scope_begin(db); /* continued: the same snapshot */
    assert_int_equal(count_rows(db), 0);
    db_read_scope_release(db);
    assert_int_equal(insert_row(other, 2), DB_OK); /* a commit of this process */
    db_read_scope_begin(db);
    assert_int_equal(count_rows(db), 2);
    db_read_scope_release(db);

    assert_int_equal(sqlite3_exec(outside, "INSERT INTO t (k) VALUES (3)", 0, 0, 0), SQLITE_OK);
    sqlite_set_scope_fresh_ms(0); /* every scope is too old to be continued */
    db_read_scope_begin(db);
    assert_int_equal(count_rows(db), 3);
    sqlite_set_scope_fresh_ms(3600e3);
    assert_int_equal(sqlite3_exec(outside, "INSERT INTO t (k) VALUES (4)", 0, 0, 0), SQLITE_OK);
    assert_int_equal(db_end_idle_read_scopes(), 0); /* in use: left alone */
    assert_int_equal(count_rows(db), 3);
    db_read_scope_release(db);
    assert_int_equal(db_end_idle_read_scopes(), 1);
    assert_int_equal(db_end_idle_read_scopes(), 0);
    db_read_scope_begin(db);
    assert_int_equal(count_rows(db), 4);

    /* a request that writes: the write ends the scope, nothing is left to release */
    assert_int_equal(insert_row(db, 5), DB_OK);
    db_read_scope_release(db);
    assert_int_equal(db_end_idle_read_scopes(), 0);

    db_read_scope_begin(db); /* released, then the connection closes: no dangling entry */
    assert_int_equal(count_rows(db), 5);
    db_read_scope_release(db);
    db_close(db);
    assert_int_equal(db_end_idle_read_scopes(), 0);
    sqlite_set_scope_fresh_ms(2.0);
    sqlite3_close(outside);
    db_close(other);
    arena_free(&a);
}

/* The checkpoint thread ending released scopes while their owner takes its connection back
 * and reads: every read sees a row count that was committed, none fails. */
typedef struct {
    const char *path;
    atomic_int done; /* owners finished */
    atomic_int failures;
} ScopeRace;

static void *scope_owner(void *arg)
{
    ScopeRace *r = arg;
    Db *db = db_open(r->path);
    int64_t last = 0;
    for (int i = 0; db && i < 4000; i++) {
        db_read_scope_begin(db);
        int64_t n = -1;
        if (db_run_int(db_prepare(db, "SELECT count(*) FROM t"), &n) != DB_OK || n < last)
            atomic_fetch_add(&r->failures, 1);
        last = n;
        if (i % 100 == 0) { /* now and then a write of its own */
            DbStmt *st = db_prepare(db, "INSERT INTO t (v) VALUES ('w')");
            if (!st || db_run(st) != DB_OK)
                atomic_fetch_add(&r->failures, 1);
        }
        db_read_scope_release(db);
    }
    if (!db)
        atomic_fetch_add(&r->failures, 1);
    db_close(db);
    atomic_fetch_add(&r->done, 1);
    return NULL;
}

static void test_idle_scopes_end_safely_while_their_threads_run(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *db = fresh_db(&a, &path);
    sqlite_set_scope_fresh_ms(0.05);
    ScopeRace race = {.path = path};
    pthread_t owners[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&owners[i], NULL, scope_owner, &race), 0);
    int ended = 0;
    while (atomic_load(&race.done) < 2)
        ended += db_end_idle_read_scopes();
    for (int i = 0; i < 2; i++)
        pthread_join(owners[i], NULL);
    sqlite_set_scope_fresh_ms(2.0);
    assert_int_equal(atomic_load(&race.failures), 0);
    assert_true(ended > 0);
    assert_int_equal(count_rows(db), 80);
    db_close(db);
    arena_free(&a);
}

/* A thread that holds a write transaction and begins another on a second connection gets
 * DB_BUSY at once (it would wait for itself); its first transaction is unharmed. */
static void test_second_write_transaction_of_a_thread_fails_fast(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *db = fresh_db(&a, &path);
    Db *second = db_open(path);
    assert_non_null(second);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_row(db, 7), DB_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(db_begin(second), DB_BUSY);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec < 2);
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(row_exists(second, 7));
    assert_int_equal(db_begin(second), DB_OK); /* free again */
    assert_int_equal(insert_row(second, 8), DB_OK);
    assert_int_equal(db_commit(second), DB_OK);
    assert_int_equal(count_rows(db), 2);
    db_close(second);
    db_close(db);
    arena_free(&a);
}

/* ---- the WAL under steady load ---- */

#define WAL_LIMIT_BYTES (96LL * 1024 * 1024)
#define WAL_WRITE_ROUNDS 6000 /* 10 pages each: 60,000 frames, 240 MB unbounded */

typedef struct {
    const char *path;
    atomic_bool stop;
    long reads;
} Reader;

/* Short read snapshots one after another, as HTTP threads take them. */
static void *read_constantly(void *arg)
{
    Reader *r = arg;
    Db *db = db_open(r->path);
    while (db && !atomic_load(&r->stop)) {
        if (db_read_begin(db) == DB_OK) {
            count_rows(db);
            db_read_end(db);
            r->reads++;
        }
    }
    db_close(db);
    return NULL;
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* Readers never pause, so SQLite never finds a moment to start the WAL over by itself; the
 * writer restarts it once it is long (after the checkpoint thread copied it back), and the
 * file stays far below what the writes add up to. */
static void test_wal_stays_bounded_under_steady_load(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *path;
    Db *setup = fresh_db(&a, &path);
    db_close(setup);
    db_background_start(); /* reads cfg: the database fresh_db set up */
    Db *db = db_open(path);
    assert_non_null(db);
    static Reader reader;
    reader.path = path;
    atomic_store(&reader.stop, false);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, read_constantly, &reader), 0);
    static char page[3500];
    memset(page, 'p', sizeof page);
    static char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_equal(db_begin(db), DB_OK);
    for (int k = 1; k <= 10; k++)
        assert_int_equal(insert_row(db, k), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    long long largest = 0;
    for (int i = 0; i < WAL_WRITE_ROUNDS; i++) { /* ten rows of a page each, rewritten */
        assert_int_equal(db_begin(db), DB_OK);
        for (int k = 1; k <= 10; k++) {
            page[0] = (char)('a' + i % 26);
            DbStmt *st = db_prepare(db, "UPDATE t SET v = ? WHERE k = ?");
            db_bind_blob(st, 1, page, sizeof page);
            db_bind_int(st, 2, k);
            assert_int_equal(db_run(st), DB_OK);
        }
        assert_int_equal(db_commit(db), DB_OK);
        long long size = file_size(wal);
        largest = size > largest ? size : largest;
    }
    atomic_store(&reader.stop, true);
    pthread_join(thread, NULL);
    db_background_stop();
    assert_true(reader.reads > 0);
    assert_int_equal(count_rows(db), 10);
    assert_true(largest > 0);
    assert_true(largest < WAL_LIMIT_BYTES);
    db_close(db);
    arena_free(&a);
}

/* ---- INSERT ... RETURNING id without the clause ---- */

/* The SQLite backend runs a one-row INSERT ... RETURNING id without the clause and gives the
 * new rowid as its row: the right id also when a trigger inserts elsewhere, no row when a
 * constraint refuses the insert, and ON CONFLICT DO NOTHING keeps the real clause. */
static void test_insert_returning_id_gives_the_new_row(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    const char *path;
    Db *db = fresh_db(&a, &path);
    assert_int_equal(db_exec(db, "CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"),
                     DB_OK);
    assert_int_equal(db_exec(db, "CREATE TRIGGER u_logged AFTER INSERT ON u BEGIN "
                                 "INSERT INTO t (k, v) VALUES (NEW.id * 1000, 'log'); END"),
                     DB_OK);
    const char *names[] = {"eins", "zwei", "drei"};
    for (int i = 0; i < 3; i++) {
        int64_t id = -1;
        DbStmt *st = db_prepare(db, "INSERT INTO u (name) VALUES (?) RETURNING id");
        db_bind_text(st, 1, names[i]);
        assert_int_equal(db_run_int(st, &id), DB_OK);
        assert_int_equal(id, i + 1);
        assert_true(row_exists(db, (i + 1) * 1000)); /* the trigger's row, not its rowid */
    }
    /* stepped by hand: one row of one column, then the end */
    DbStmt *st = db_prepare(db, "INSERT INTO u (name) VALUES (?) RETURNING id");
    db_bind_text(st, 1, "vier");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_col_count(st), 1);
    assert_false(db_col_is_null(st, 0));
    assert_int_equal(db_col_int(st, 0), 4);
    assert_int_equal(db_step(st), DB_OK);
    db_done(st);
    /* refused: an error and no id */
    int64_t id = -1;
    st = db_prepare(db, "INSERT INTO u (name) VALUES (?) RETURNING id");
    db_bind_text(st, 1, "zwei");
    assert_int_equal(db_run_int(st, &id), DB_CONFLICT);
    assert_int_equal(id, -1);
    /* nothing inserted: no row, not the rowid of an earlier insert */
    st = db_prepare(db, "INSERT INTO u (name) VALUES (?) ON CONFLICT (name) DO NOTHING "
                        "RETURNING id");
    db_bind_text(st, 1, "drei");
    assert_int_equal(db_run_int(st, &id), DB_OK);
    assert_int_equal(id, -1);
    db_bind_text(st, 1, "fünf");
    assert_int_equal(db_run_int(st, &id), DB_OK);
    assert_int_equal(id, 5);
    db_close(db);
    arena_free(&a);
}

/* Opcodes of EXPLAIN sql named op. */
static int opcodes_named(Db *db, const char *sql, const char *op, Arena *a)
{
    DbStmt *st = db_prepare(db, sql);
    assert_non_null(st);
    int n = 0;
    while (db_step(st) == DB_ROW)
        n += strcmp(db_col_text(st, 1, a), op) == 0;
    db_done(st);
    return n;
}

/* Migration 018: the status, priority and outbox state CHECKs accept exactly the values
 * they did, and writing a row builds no temporary index for them (an IN list of more than
 * two constants did, at every INSERT and UPDATE of the column). */
static void test_checks_accept_the_same_values_without_temporary_index(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    const char *path;
    Db *db = fresh_db(&a, &path);
    assert_int_equal(opcodes_named(db,
                                   "EXPLAIN INSERT INTO requests (number, type_id, "
                                   "reporter_id, summary, status, priority, reply_token, "
                                   "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   "OpenEphemeral", &a),
                     0);
    assert_int_equal(
        opcodes_named(db, "EXPLAIN UPDATE outbox SET state = ? WHERE id = ?", "OpenEphemeral", &a),
        0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO users (id, email, name, password_hash, "
                             "created_at, updated_at) VALUES (1, 'a@example.org', 'A', 'x', 0, 0)"),
                     DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO request_types (id, key, name_de, name_en, "
                                 "created_at) VALUES (1, 'q', 'Frage', 'Question', 0)"),
                     DB_OK);
    const char *statuses[] = {"open",
                              "in_progress",
                              "waiting_customer",
                              "waiting_support",
                              "resolved",
                              "closed",
                              "Open",
                              "done",
                              ""};
    const char *priorities[] = {"low", "medium", "high", "critical", "urgent", "LOW"};
    int number = 0;
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        for (size_t j = 0; j < sizeof priorities / sizeof *priorities; j++) {
            DbStmt *st = db_prepare(db, "INSERT INTO requests (number, type_id, reporter_id, "
                                        "summary, status, priority, reply_token, created_at, "
                                        "updated_at) VALUES (?, 1, 1, 's', ?, ?, 'r', 0, 0)");
            db_bind_int(st, 1, ++number);
            db_bind_text(st, 2, statuses[i]);
            db_bind_text(st, 3, priorities[j]);
            bool valid = i < 6 && j < 4;
            assert_int_equal(db_run(st), valid ? DB_OK : DB_CONFLICT);
        }
    }
    assert_int_equal(db_exec(db, "INSERT INTO outbox (id, recipient, subject, next_attempt_at, "
                                 "created_at) VALUES (1, 'a@example.org', 's', 0, 0)"),
                     DB_OK);
    const char *states[] = {"queued", "sending", "sent", "failed", "Sent", "lost"};
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        DbStmt *st = db_prepare(db, "UPDATE outbox SET state = ? WHERE id = 1");
        db_bind_text(st, 1, states[i]);
        assert_int_equal(db_run(st), i < 4 ? DB_OK : DB_CONFLICT);
    }
    db_close(db);
    arena_free(&a);
}

static int setup_all(void **state)
{
    snprintf(temp_root, sizeof temp_root, "/tmp/pforte-test-store.XXXXXX");
    assert_non_null(mkdtemp(temp_root));
    return 0;
}

static int teardown_all(void **state)
{
    nftw(temp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_transactions_commit_exactly_their_rows),
        cmocka_unit_test(test_transaction_sees_its_rows_others_after_commit),
        cmocka_unit_test(test_page_caches_are_bounded),
        cmocka_unit_test(test_read_scope_is_one_snapshot_until_the_first_write),
        cmocka_unit_test(test_released_read_scope_is_continued_until_a_commit),
        cmocka_unit_test(test_idle_scopes_end_safely_while_their_threads_run),
        cmocka_unit_test(test_second_write_transaction_of_a_thread_fails_fast),
        cmocka_unit_test(test_wal_stays_bounded_under_steady_load),
        cmocka_unit_test(test_insert_returning_id_gives_the_new_row),
        cmocka_unit_test(test_checks_accept_the_same_values_without_temporary_index),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
