/* desk: SQL for the agents' work on one request, canned responses, presence and the
 * auto-close candidates. Callers hold the transaction where one is needed. */
#include "store/desk.h"
#include <string.h>

static DbResult run_changed(DbStmt *st, Db *db, bool *changed)
{
    DbResult r = db_run(st);
    if (r == DB_OK && changed)
        *changed = db_changes(db) > 0;
    return r;
}

DbResult store_request_bump_version(Db *db, int64_t request_id, int64_t version, int64_t touch_at,
                                    bool *saved)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET version = version + 1, "
                                "updated_at = CASE WHEN CAST(? AS BIGINT) <= 0 THEN updated_at "
                                "WHEN CAST(? AS BIGINT) > updated_at THEN CAST(? AS BIGINT) "
                                "ELSE updated_at + 1 END "
                                "WHERE id = ? AND version = ?");
    *saved = false;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, touch_at); /* moves on by a second at least: see UPDATED_AT_NEXT */
    db_bind_int(st, 2, touch_at);
    db_bind_int(st, 3, touch_at);
    db_bind_int(st, 4, request_id);
    db_bind_int(st, 5, version);
    return run_changed(st, db, saved);
}

DbResult store_request_last_event_id(Db *db, int64_t request_id, int64_t *id)
{
    DbStmt *st = db_prepare(db, "SELECT COALESCE(MAX(id), 0) FROM events WHERE request_id = ?");
    *id = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    return db_run_int(st, id);
}

DbResult store_request_set_assignee(Db *db, int64_t request_id, int64_t assignee_id)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET assignee_id = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    if (assignee_id)
        db_bind_int(st, 1, assignee_id);
    else
        db_bind_null(st, 1);
    db_bind_int(st, 2, request_id);
    return db_run(st);
}

DbResult store_request_set_priority(Db *db, int64_t request_id, const char *priority)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET priority = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, priority);
    db_bind_int(st, 2, request_id);
    return db_run(st);
}

DbResult store_staff_list(Db *db, Arena *a, StaffRow **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT id, name, email FROM users WHERE role IN ('agent', "
                                "'admin') AND disabled = 0 ORDER BY lower(name), email");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        StaffRow *s = &(*out)[(*count)++];
        s->id = db_col_int(st, 0);
        s->name = db_col_text(st, 1, a);
        s->email = db_col_text(st, 2, a);
    }
    db_done(st);
    return r;
}

DbResult store_other_requests(Db *db, Arena *a, int64_t reporter_id, int64_t organization_id,
                              int64_t exclude_id, int limit, OtherRequestRow **out, int *count)
{
    DbStmt *st = db_prepare(
        db, "SELECT r.number, r.summary, r.status, u.name, u.email, "
            "CASE WHEN r.reporter_id = ? THEN 1 ELSE 0 END, r.created_at "
            "FROM requests r JOIN users u ON u.id = r.reporter_id "
            "WHERE r.id <> ? AND (r.reporter_id = ? OR (CAST(? AS BIGINT) > 0 AND "
            "u.organization_id = ?)) "
            "ORDER BY r.created_at DESC, r.id DESC LIMIT ?");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, reporter_id);
    db_bind_int(st, 2, exclude_id);
    db_bind_int(st, 3, reporter_id);
    db_bind_int(st, 4, organization_id);
    db_bind_int(st, 5, organization_id);
    db_bind_int(st, 6, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        OtherRequestRow *o = &(*out)[(*count)++];
        o->number = db_col_int(st, 0);
        o->summary = db_col_text(st, 1, a);
        o->status = db_col_text(st, 2, a);
        o->reporter_name = db_col_text(st, 3, a);
        o->reporter_email = db_col_text(st, 4, a);
        o->same_reporter = db_col_int(st, 5) != 0;
        o->created_at = db_col_int(st, 6);
    }
    db_done(st);
    return r;
}

DbResult store_request_view_touch(Db *db, int64_t request_id, int64_t user_id, int64_t now)
{
    DbStmt *st = db_prepare(db, "INSERT INTO request_views (request_id, user_id, seen_at) "
                                "VALUES (?, ?, ?) ON CONFLICT (request_id, user_id) "
                                "DO UPDATE SET seen_at = excluded.seen_at");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, user_id);
    db_bind_int(st, 3, now);
    return db_run(st);
}

DbResult store_request_viewers(Db *db, Arena *a, int64_t request_id, int64_t except_user_id,
                               int64_t since, PresenceRow **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT u.id, u.name, u.email, v.seen_at FROM request_views v "
                                "JOIN users u ON u.id = v.user_id WHERE v.request_id = ? "
                                "AND v.user_id <> ? AND v.seen_at >= ? "
                                "AND u.role IN ('agent', 'admin') ORDER BY v.seen_at DESC");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, except_user_id);
    db_bind_int(st, 3, since);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        PresenceRow *p = &(*out)[(*count)++];
        p->user_id = db_col_int(st, 0);
        p->name = db_col_text(st, 1, a);
        p->email = db_col_text(st, 2, a);
        p->seen_at = db_col_int(st, 3);
    }
    db_done(st);
    return r;
}

DbResult store_request_last_staff_reply(Db *db, Arena *a, int64_t request_id,
                                        int64_t except_user_id, int64_t since, PresenceRow *row,
                                        bool *internal, bool *found)
{
    DbStmt *st = db_prepare(db, "SELECT u.id, u.name, u.email, e.created_at, e.internal "
                                "FROM events e JOIN users u ON u.id = e.actor_id "
                                "WHERE e.request_id = ? AND e.kind IN ('comment', 'note') "
                                "AND e.actor_id <> ? AND e.created_at >= ? "
                                "AND u.role IN ('agent', 'admin') ORDER BY e.id DESC LIMIT 1");
    memset(row, 0, sizeof *row);
    *found = false;
    *internal = false;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, except_user_id);
    db_bind_int(st, 3, since);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        row->user_id = db_col_int(st, 0);
        row->name = db_col_text(st, 1, a);
        row->email = db_col_text(st, 2, a);
        row->seen_at = db_col_int(st, 3);
        *internal = db_col_int(st, 4) != 0;
        *found = true;
        r = DB_OK;
    }
    db_done(st);
    return r;
}

/* ---- canned responses ---- */

static void canned_read(DbStmt *st, Arena *a, CannedRow *c)
{
    c->id = db_col_int(st, 0);
    c->title = db_col_text(st, 1, a);
    c->body = db_col_text(st, 2, a);
    c->lang = db_col_text(st, 3, a);
    c->updated_at = db_col_int(st, 4);
}

DbResult store_canned_list(Db *db, Arena *a, CannedRow **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT id, title, body, lang, updated_at FROM canned_responses "
                                "ORDER BY lang, lower(title), id");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        canned_read(st, a, &(*out)[(*count)++]);
    }
    db_done(st);
    return r;
}

DbResult store_canned_get(Db *db, Arena *a, int64_t id, CannedRow *row)
{
    DbStmt *st = db_prepare(db, "SELECT id, title, body, lang, updated_at FROM canned_responses "
                                "WHERE id = ?");
    memset(row, 0, sizeof *row);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        canned_read(st, a, row);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_canned_insert(Db *db, const char *title, const char *body, const char *lang,
                             int64_t created_by, int64_t now, int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO canned_responses (title, body, lang, created_by, "
                                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, title);
    db_bind_text(st, 2, body);
    db_bind_text(st, 3, lang);
    if (created_by)
        db_bind_int(st, 4, created_by);
    else
        db_bind_null(st, 4);
    db_bind_int(st, 5, now);
    db_bind_int(st, 6, now);
    return db_run_int(st, id);
}

DbResult store_canned_update(Db *db, int64_t id, const char *title, const char *body,
                             const char *lang, int64_t now, bool *found)
{
    DbStmt *st = db_prepare(db, "UPDATE canned_responses SET title = ?, body = ?, lang = ?, "
                                "updated_at = ? WHERE id = ?");
    *found = false;
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, title);
    db_bind_text(st, 2, body);
    db_bind_text(st, 3, lang);
    db_bind_int(st, 4, now);
    db_bind_int(st, 5, id);
    return run_changed(st, db, found);
}

DbResult store_canned_delete(Db *db, int64_t id, bool *found)
{
    DbStmt *st = db_prepare(db, "DELETE FROM canned_responses WHERE id = ?");
    *found = false;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    return run_changed(st, db, found);
}

/* ---- auto-close ---- */

DbResult store_requests_due_for_close(Db *db, Arena *a, int64_t cutoff, int limit, int64_t **out,
                                      int *count)
{
    DbStmt *st = db_prepare(db, "SELECT r.number FROM requests r WHERE r.status = 'resolved' "
                                "AND r.resolved_at <= ? AND NOT EXISTS (SELECT 1 FROM events e "
                                "JOIN users u ON u.id = e.actor_id WHERE e.request_id = r.id "
                                "AND e.kind = 'comment' AND u.role = 'customer' "
                                "AND e.created_at > ?) ORDER BY r.resolved_at, r.id LIMIT ?");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, cutoff);
    db_bind_int(st, 2, cutoff);
    db_bind_int(st, 3, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        (*out)[(*count)++] = db_col_int(st, 0);
    }
    db_done(st);
    return r;
}
