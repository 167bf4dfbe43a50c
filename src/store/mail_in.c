/* mail_in (store): the tables of migration 007 and the lookups mail-in routing needs. */
#include "store/mail_in.h"
#include <string.h>

DbResult store_mail_sent_id_insert(Db *db, const char *message_id, int64_t request_id, int64_t now)
{
    DbStmt *st = db_prepare(db, "INSERT INTO mail_sent_ids (message_id, request_id, created_at) "
                                "VALUES (?, ?, ?) ON CONFLICT (message_id) DO NOTHING");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, message_id);
    db_bind_int(st, 2, request_id);
    db_bind_int(st, 3, now);
    return db_run(st);
}

DbResult store_mail_request_by_sent_id(Db *db, const char *message_id, int64_t *request_id)
{
    *request_id = 0;
    DbStmt *st = db_prepare(db, "SELECT request_id FROM mail_sent_ids WHERE message_id = ? "
                                "UNION ALL SELECT id FROM requests WHERE message_id = ? "
                                "AND message_id <> '' LIMIT 1");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, message_id);
    db_bind_text(st, 2, message_id);
    return db_run_int(st, request_id);
}

DbResult store_mail_request_by_reply_token(Db *db, const char *token, int64_t *request_id,
                                           int64_t *number)
{
    *request_id = 0;
    *number = 0;
    DbStmt *st = db_prepare(db, "SELECT id, number FROM requests WHERE lower(reply_token) = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, token);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *request_id = db_col_int(st, 0);
        *number = db_col_int(st, 1);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_mail_request_number(Db *db, int64_t request_id, int64_t *number)
{
    *number = 0;
    DbStmt *st = db_prepare(db, "SELECT number FROM requests WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    return db_run_int(st, number);
}

DbResult store_mail_in_seen(Db *db, const char *message_id, bool *seen)
{
    int64_t count = 0;
    DbStmt *st = db_prepare(db, "SELECT count(*) FROM mail_in_seen WHERE message_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, message_id);
    DbResult r = db_run_int(st, &count);
    *seen = count > 0;
    return r;
}

DbResult store_mail_in_seen_insert(Db *db, const char *message_id, int64_t request_id,
                                   int64_t event_id, int64_t now, bool *inserted)
{
    DbStmt *st = db_prepare(db, "INSERT INTO mail_in_seen (message_id, request_id, event_id, "
                                "created_at) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT (message_id) DO NOTHING");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, message_id);
    if (request_id)
        db_bind_int(st, 2, request_id);
    else
        db_bind_null(st, 2);
    if (event_id)
        db_bind_int(st, 3, event_id);
    else
        db_bind_null(st, 3);
    db_bind_int(st, 4, now);
    DbResult r = db_run(st);
    *inserted = r == DB_OK && db_changes(db) > 0;
    return r;
}

DbResult store_mail_in_log_insert(Db *db, const MailInLogRow *row)
{
    DbStmt *st = db_prepare(db, "INSERT INTO mail_in_log (received_at, message_id, sender, "
                                "subject, outcome, request_id, event_id, detail) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, row->received_at);
    db_bind_text(st, 2, row->message_id ? row->message_id : "");
    db_bind_text(st, 3, row->sender ? row->sender : "");
    db_bind_text(st, 4, row->subject ? row->subject : "");
    db_bind_text(st, 5, row->outcome);
    if (row->request_id)
        db_bind_int(st, 6, row->request_id);
    else
        db_bind_null(st, 6);
    if (row->event_id)
        db_bind_int(st, 7, row->event_id);
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, row->detail ? row->detail : "");
    return db_run(st);
}
