/* outbox: SQL for the mail outbox table (enqueue, claim with a lease, outcome, admin lists).
 * A claim updates the row with its condition re-checked, so two workers never hold the same
 * row; on PostgreSQL it adds FOR UPDATE SKIP LOCKED. */
#include "store/outbox.h"
#include <string.h>

/* The queued row; *id receives its id. compose "" for a mail whose bytes follow. */
static DbResult outbox_insert(Db *db, const char *recipient, const char *subject,
                              const char *compose, int64_t request_number, int64_t now,
                              int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO outbox (recipient, subject, state, attempts, "
                                "next_attempt_at, lease_until, last_error, created_at, compose, "
                                "request_number) VALUES (?, ?, 'queued', 0, ?, 0, '', ?, ?, ?) "
                                "RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, recipient);
    db_bind_text(st, 2, subject ? subject : "");
    db_bind_int(st, 3, now);
    db_bind_int(st, 4, now);
    db_bind_text(st, 5, compose);
    db_bind_int(st, 6, request_number);
    return db_run_int(st, id);
}

DbResult outbox_enqueue(Db *db, const char *recipient, const char *subject, const char *message,
                        size_t len, int64_t now)
{
    int64_t id = 0;
    DbResult r = outbox_insert(db, recipient, subject, "", 0, now, &id);
    if (r != DB_OK)
        return r;
    DbStmt *st = db_prepare(db, "INSERT INTO outbox_bodies (outbox_id, message) VALUES (?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    db_bind_blob(st, 2, message, len);
    return db_run(st);
}

DbResult outbox_enqueue_composed(Db *db, const char *recipient, const char *subject,
                                 const char *compose, int64_t request_number, int64_t now)
{
    int64_t id = 0;
    return outbox_insert(db, recipient, subject, compose, request_number, now, &id);
}

static const char *copy_blob(DbStmt *st, int col, Arena *a, size_t *len)
{
    const void *p = db_col_blob(st, col, len);
    char *copy = arena_alloc(a, *len + 1);
    if (*len)
        memcpy(copy, p, *len);
    return copy;
}

/* The columns of a claimed row, as both claims read them. */
#define CLAIM_COLUMNS                                                                              \
    "id, recipient, subject, attempts, next_attempt_at, lease_until, last_error, created_at, "     \
    "compose, request_number"
/* A due row: queued and due, or sending with its lease run out (a worker died). */
#define CLAIMABLE                                                                                  \
    "((state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until <= ?))"

static void claim_read(DbStmt *st, Arena *a, OutboxItem *out)
{
    out->id = db_col_int(st, 0);
    out->recipient = db_col_text(st, 1, a);
    out->subject = db_col_text(st, 2, a);
    out->state = "sending";
    out->attempts = db_col_int(st, 3);
    out->next_attempt_at = db_col_int(st, 4);
    out->lease_until = db_col_int(st, 5);
    out->last_error = db_col_text(st, 6, a);
    out->created_at = db_col_int(st, 7);
    out->compose = db_col_text(st, 8, a);
    out->request_number = db_col_int(st, 9);
}

/* PostgreSQL: one UPDATE ... RETURNING whose WHERE repeats the condition, so a row another
 * worker claimed after the sub-select is left alone; it also skips rows other transactions
 * hold (under READ COMMITTED all workers would otherwise queue up behind the same row and
 * then find it taken). */
static DbResult claim_returning(Db *db, int64_t now, int64_t lease_seconds, OutboxItem *out,
                                Arena *a)
{
    DbStmt *st =
        db_prepare(db, "UPDATE outbox SET state = 'sending', lease_until = ?, "
                       "attempts = attempts + 1 WHERE id = (SELECT id FROM outbox "
                       "  WHERE " CLAIMABLE " ORDER BY next_attempt_at, id LIMIT 1 "
                       "  FOR UPDATE SKIP LOCKED) AND " CLAIMABLE " RETURNING " CLAIM_COLUMNS);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now + lease_seconds);
    for (int i = 2; i <= 5; i++)
        db_bind_int(st, i, now);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        claim_read(st, a, out);
        DbResult end = db_step(st);
        r = end == DB_OK ? DB_ROW : end;
    }
    db_done(st);
    return r;
}

/* SQLite: the due row is read, then claimed by its id with the condition repeated; a row
 * another connection claimed in between matches nothing and the next one is read. (RETURNING
 * would collect the row in a temporary b-tree at every claim.) The two kinds of due rows are
 * read as two ordered index scans cut at one row each: a single OR made SQLite collect and
 * sort every queued row, 18 ms per claim with 14,000 queued mails, so a backlog slowed its
 * own delivery. Expired leases come first, so a busy queue cannot starve them. */
static DbResult claim_sqlite(Db *db, int64_t now, int64_t lease_seconds, OutboxItem *out, Arena *a)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        DbStmt *st = db_prepare(
            db, "SELECT " CLAIM_COLUMNS " FROM outbox WHERE id = (SELECT id FROM ("
                "  SELECT id FROM outbox WHERE state = 'sending' AND lease_until <= ? "
                "  ORDER BY lease_until, id LIMIT 1) AS expired UNION ALL SELECT id FROM ("
                "  SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? "
                "  ORDER BY next_attempt_at, id LIMIT 1) AS due LIMIT 1)");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, now);
        db_bind_int(st, 2, now);
        DbResult r = db_step(st);
        if (r == DB_ROW)
            claim_read(st, a, out);
        db_done(st);
        if (r != DB_ROW)
            return r; /* DB_OK: nothing is due */
        st = db_prepare(db, "UPDATE outbox SET state = 'sending', lease_until = ?, "
                            "attempts = attempts + 1 WHERE id = ? AND " CLAIMABLE);
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, now + lease_seconds);
        db_bind_int(st, 2, out->id);
        db_bind_int(st, 3, now);
        db_bind_int(st, 4, now);
        r = db_run(st);
        if (r != DB_OK)
            return r;
        if (db_changes(db) == 1) {
            out->attempts++;
            out->lease_until = now + lease_seconds;
            return DB_ROW;
        }
        memset(out, 0, sizeof *out);
    }
    return DB_OK; /* taken away three times in a row: nothing for now, the next round */
}

DbResult outbox_claim_due(Db *db, int64_t now, int64_t lease_seconds, OutboxItem *out, Arena *a)
{
    memset(out, 0, sizeof *out);
    DbResult r = db_kind(db) == DB_SQLITE ? claim_sqlite(db, now, lease_seconds, out, a)
                                          : claim_returning(db, now, lease_seconds, out, a);
    if (r != DB_ROW || *out->compose)
        return r; /* a mail composed on delivery has no bytes yet */
    /* the bytes, from the row that is never updated (the claim above rewrote a small row) */
    DbStmt *st = db_prepare(db, "SELECT message FROM outbox_bodies WHERE outbox_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, out->id);
    r = db_step(st);
    if (r == DB_ROW)
        out->message = copy_blob(st, 0, a, &out->message_len);
    db_done(st);
    if (r == DB_OK)
        return DB_ERROR; /* a queued mail without its bytes: the schema was bypassed */
    return r;
}

/* Runs a prepared UPDATE of one claimed row; DB_CONFLICT when no row matched. */
static DbResult outbox_update_claimed(Db *db, DbStmt *st)
{
    DbResult r = db_step(st);
    db_done(st);
    if (r == DB_OK && db_changes(db) == 0)
        return DB_CONFLICT;
    return r;
}

DbResult outbox_mark_sent(Db *db, int64_t id, int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE outbox SET state = 'sent', sent_at = ?, lease_until = 0, "
                                "last_error = '' WHERE id = ? AND state = 'sending'");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    db_bind_int(st, 2, id);
    return outbox_update_claimed(db, st);
}

DbResult outbox_mark_retry(Db *db, int64_t id, const char *error, int64_t next_attempt_at)
{
    DbStmt *st = db_prepare(db, "UPDATE outbox SET state = 'queued', next_attempt_at = ?, "
                                "lease_until = 0, last_error = ? "
                                "WHERE id = ? AND state = 'sending'");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, next_attempt_at);
    db_bind_text(st, 2, error ? error : "");
    db_bind_int(st, 3, id);
    return outbox_update_claimed(db, st);
}

DbResult outbox_mark_failed(Db *db, int64_t id, const char *error)
{
    DbStmt *st = db_prepare(db, "UPDATE outbox SET state = 'failed', lease_until = 0, "
                                "last_error = ? WHERE id = ? AND state = 'sending'");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, error ? error : "");
    db_bind_int(st, 2, id);
    return outbox_update_claimed(db, st);
}

DbResult outbox_count_by_state(Db *db, const char *state, int64_t *count)
{
    DbStmt *st = db_prepare(db, "SELECT count(*) FROM outbox WHERE state = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, state);
    *count = 0;
    return db_run_int(st, count);
}

DbResult outbox_list_recent(Db *db, Arena *a, int limit, OutboxItem **items, size_t *n)
{
    DbStmt *st = db_prepare(db, "SELECT id, recipient, subject, state, attempts, next_attempt_at, "
                                "lease_until, last_error, created_at, sent_at "
                                "FROM outbox ORDER BY id DESC LIMIT ?");
    *items = NULL;
    *n = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, limit > 0 ? limit : 0);
    OutboxItem *list = arena_alloc(a, sizeof *list * (size_t)(limit > 0 ? limit : 1));
    DbResult r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit) {
        OutboxItem *it = &list[(*n)++];
        it->id = db_col_int(st, 0);
        it->recipient = db_col_text(st, 1, a);
        it->subject = db_col_text(st, 2, a);
        it->state = db_col_text(st, 3, a);
        it->attempts = db_col_int(st, 4);
        it->next_attempt_at = db_col_int(st, 5);
        it->lease_until = db_col_int(st, 6);
        it->last_error = db_col_text(st, 7, a);
        it->created_at = db_col_int(st, 8);
        it->sent_at = db_col_is_null(st, 9) ? 0 : db_col_int(st, 9);
    }
    db_done(st);
    *items = list;
    return r == DB_ROW ? DB_OK : r;
}
