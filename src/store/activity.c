/* activity: SQL for a request's timeline (events), its people (reporter and participants),
 * its field values and the changes made on its page. Callers hold the transaction. */
#include "store/activity.h"
#include "store/backend.h"
#include "store/requests.h"
#include <string.h>

/* A request's new updated_at from two binds of now: now, or a second past the old value when
 * that is not earlier. updated_at thus changes on every write, so the SLA pass (which
 * recomputes a request when updated_at differs from sla_updated_at) never misses a second
 * write in the same second. */
#define UPDATED_AT_NEXT                                                                        \
    "CASE WHEN CAST(? AS BIGINT) > updated_at THEN CAST(? AS BIGINT) ELSE updated_at + 1 END"

/* Makes room for one more element in an arena array. */
DbResult store_event_insert(Db *db, int64_t request_id, int64_t actor_id, const char *kind,
                            const char *body, const char *field, const char *old_value,
                            const char *new_value, bool internal, int64_t now, int64_t *event_id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO events (request_id, actor_id, kind, body, field, "
                                "old_value, new_value, internal, created_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    if (actor_id)
        db_bind_int(st, 2, actor_id);
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, body ? body : "");
    db_bind_text(st, 5, field ? field : "");
    db_bind_text(st, 6, old_value ? old_value : "");
    db_bind_text(st, 7, new_value ? new_value : "");
    db_bind_int(st, 8, internal ? 1 : 0);
    db_bind_int(st, 9, now);
    return db_run_int(st, event_id);
}

DbResult store_event_list(Db *db, Arena *a, int64_t request_id, bool include_internal,
                          EventRow **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT e.id, COALESCE(e.actor_id, 0), COALESCE(u.name, ''), "
                                "COALESCE(u.email, ''), COALESCE(u.role, ''), e.kind, e.body, "
                                "e.field, e.old_value, e.new_value, e.internal, e.created_at "
                                "FROM events e LEFT JOIN users u ON u.id = e.actor_id "
                                "WHERE e.request_id = ? AND (e.internal = 0 OR ? = 1) "
                                "ORDER BY e.id");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, include_internal ? 1 : 0);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        EventRow *e = &(*out)[(*count)++];
        e->id = db_col_int(st, 0);
        e->actor_id = db_col_int(st, 1);
        e->actor_name = db_col_text(st, 2, a);
        e->actor_email = db_col_text(st, 3, a);
        e->actor_role = db_col_text(st, 4, a);
        e->kind = db_col_text(st, 5, a);
        e->body = db_col_text(st, 6, a);
        e->field = db_col_text(st, 7, a);
        e->old_value = db_col_text(st, 8, a);
        e->new_value = db_col_text(st, 9, a);
        e->internal = db_col_int(st, 10) != 0;
        e->created_at = db_col_int(st, 11);
    }
    db_done(st);
    return r;
}

DbResult store_event_set_message_id(Db *db, int64_t event_id, const char *message_id)
{
    DbStmt *st = db_prepare(db, "UPDATE events SET message_id = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, message_id);
    db_bind_int(st, 2, event_id);
    return db_run(st);
}

DbResult store_request_people(Db *db, Arena *a, int64_t request_id, RequestPerson **out, int *count)
{
    DbStmt *st = db_prepare(
        db, "SELECT u.id, u.email, u.name, u.role, u.lang, u.notify, u.disabled, "
            "CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END, 1, 0, r.created_at "
            "FROM requests r JOIN users u ON u.id = r.reporter_id WHERE r.id = ? "
            "UNION ALL "
            "SELECT u.id, u.email, u.name, u.role, u.lang, u.notify, u.disabled, "
            "CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END, 0, COALESCE(p.added_by, 0), "
            "p.created_at FROM participants p JOIN users u ON u.id = p.user_id "
            "WHERE p.request_id = ? "
            "ORDER BY 9 DESC, 11, 1");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, request_id);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        RequestPerson *p = &(*out)[(*count)++];
        p->user_id = db_col_int(st, 0);
        p->email = db_col_text(st, 1, a);
        p->name = db_col_text(st, 2, a);
        p->role = db_col_text(st, 3, a);
        p->lang = db_col_text(st, 4, a);
        p->notify = db_col_int(st, 5) != 0;
        p->disabled = db_col_int(st, 6) != 0;
        p->has_password = db_col_int(st, 7) != 0;
        p->reporter = db_col_int(st, 8) != 0;
        p->added_by = db_col_int(st, 9);
        p->added_at = db_col_int(st, 10);
    }
    db_done(st);
    return r;
}

DbResult store_participant_add(Db *db, int64_t request_id, int64_t user_id, int64_t added_by,
                               int64_t now, bool *added)
{
    DbStmt *st = db_prepare(db, "INSERT INTO participants (request_id, user_id, added_by, "
                                "created_at) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT (request_id, user_id) DO NOTHING");
    *added = false;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, user_id);
    if (added_by)
        db_bind_int(st, 3, added_by);
    else
        db_bind_null(st, 3);
    db_bind_int(st, 4, now);
    DbResult r = db_run(st);
    if (r == DB_OK)
        *added = db_changes(db) > 0;
    return r;
}

DbResult store_participant_remove(Db *db, int64_t request_id, int64_t user_id, bool *removed)
{
    DbStmt *st = db_prepare(db, "DELETE FROM participants WHERE request_id = ? AND user_id = ?");
    *removed = false;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, user_id);
    DbResult r = db_run(st);
    if (r == DB_OK)
        *removed = db_changes(db) > 0;
    return r;
}

DbResult store_request_field_values(Db *db, Arena *a, int64_t request_id, int64_t type_id,
                                    FieldValue **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT " REQUEST_FIELD_COLUMNS ", v.value "
                                "FROM request_fields f LEFT JOIN request_values v "
                                "ON v.field_id = f.id AND v.request_id = ? "
                                "WHERE f.type_id = ? AND (f.active = 1 OR v.value IS NOT NULL) "
                                "ORDER BY f.position, f.id");
    *out = NULL;
    *count = 0;
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, type_id);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        FieldValue *fv = &(*out)[(*count)++];
        store_request_field_read(st, a, &fv->field);
        fv->value = db_col_is_null(st, 11) ? NULL : db_col_text(st, 11, a);
    }
    db_done(st);
    return r;
}

DbResult store_request_value_set(Db *db, int64_t request_id, int64_t field_id, const char *value)
{
    DbStmt *st;
    if (!value || !*value) {
        st = db_prepare(db, "DELETE FROM request_values WHERE request_id = ? AND field_id = ?");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, request_id);
        db_bind_int(st, 2, field_id);
        return db_run(st);
    }
    st = db_prepare(db, "INSERT INTO request_values (request_id, field_id, value) VALUES (?, ?, ?) "
                        "ON CONFLICT (request_id, field_id) DO UPDATE SET value = excluded.value");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, field_id);
    db_bind_text(st, 3, value);
    return db_run(st);
}

DbResult store_request_update_text(Db *db, int64_t request_id, int64_t version, const char *summary,
                                   const char *description, int64_t now, bool *saved)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET summary = ?, description = ?, "
                                "version = version + 1, updated_at = " UPDATED_AT_NEXT
                                " WHERE id = ? AND version = ?");
    *saved = false;
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, summary);
    db_bind_text(st, 2, description);
    db_bind_int(st, 3, now);
    db_bind_int(st, 4, now);
    db_bind_int(st, 5, request_id);
    db_bind_int(st, 6, version);
    DbResult r = db_run(st);
    if (r == DB_OK)
        *saved = db_changes(db) > 0;
    return r;
}

DbResult store_request_set_status(Db *db, int64_t request_id, const char *from_status,
                                  const char *to_status, int64_t now, bool *changed)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET status = ?, updated_at = " UPDATED_AT_NEXT
                                ", resolved_at = CASE WHEN CAST(? AS TEXT) IN ('resolved', "
                                "'closed') THEN CAST(? AS BIGINT) ELSE NULL END "
                                "WHERE id = ? AND status = ?");
    *changed = false;
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, to_status);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, now);
    db_bind_text(st, 4, to_status);
    db_bind_int(st, 5, now);
    db_bind_int(st, 6, request_id);
    db_bind_text(st, 7, from_status);
    DbResult r = db_run(st);
    if (r == DB_OK)
        *changed = db_changes(db) > 0;
    return r;
}

DbResult store_request_set_organization(Db *db, int64_t request_id, int64_t organization_id,
                                        int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET organization_id = ?, updated_at = "
                                UPDATED_AT_NEXT " WHERE id = ?");
    if (!st)
        return DB_ERROR;
    if (organization_id)
        db_bind_int(st, 1, organization_id);
    else
        db_bind_null(st, 1);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, now);
    db_bind_int(st, 4, request_id);
    return db_run(st);
}

DbResult store_request_touch(Db *db, int64_t request_id, int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET updated_at = " UPDATED_AT_NEXT
                                " WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, request_id);
    return db_run(st);
}

DbResult store_request_set_message_id(Db *db, int64_t request_id, const char *message_id)
{
    DbStmt *st = db_prepare(db, "UPDATE requests SET message_id = ? "
                                "WHERE id = ? AND message_id = ''");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, message_id);
    db_bind_int(st, 2, request_id);
    return db_run(st);
}

DbResult store_request_search_refresh(Db *db, int64_t request_id)
{
    DbStmt *st;
    if (db_kind(db) == DB_POSTGRES) {
        /* the tsvector column follows summary and body by itself (generated column) */
        st = db_prepare(db, "INSERT INTO request_search (request_id, summary, body) "
                            "SELECT r.id, r.summary, r.description || chr(10) || "
                            "COALESCE((SELECT string_agg(c.body, chr(10) ORDER BY c.id) "
                            "FROM events c WHERE c.request_id = r.id AND c.kind = 'comment' "
                            "AND c.internal = 0), '') FROM requests r WHERE r.id = ? "
                            "ON CONFLICT (request_id) DO UPDATE SET summary = excluded.summary, "
                            "body = excluded.body");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, request_id);
        return db_run(st);
    }
    st = db_prepare(db, "DELETE FROM request_search WHERE rowid = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    DbResult r = db_run(st);
    if (r != DB_OK)
        return r;
    st = db_prepare(db, "INSERT INTO request_search (rowid, summary, body) "
                        "SELECT r.id, r.summary, " SEARCH_BODY_SQLITE " FROM requests r "
                        "WHERE r.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    return db_run(st);
}

/* Runs st (NULL: not prepared) with the id range (from, to]. */
static DbResult run_range(DbStmt *st, int64_t from, int64_t to)
{
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, to);
    return db_run(st);
}

/* One batch of store_search_catch_up, inside its transaction. */
static DbResult search_catch_up_batch(Db *db, int limit)
{
    int64_t done = 0, top = 0;
    DbStmt *st = db_prepare(db, "SELECT value FROM counters WHERE name = 'search_indexed'");
    DbResult r = st ? db_run_int(st, &done) : DB_ERROR;
    if (r != DB_OK)
        return r;
    st = db_prepare(db, "SELECT COALESCE(MAX(id), 0) FROM requests");
    r = st ? db_run_int(st, &top) : DB_ERROR;
    if (r != DB_OK || top <= done)
        return r;
    int64_t upto = top - done > limit ? done + limit : top;
    /* rows a comment's refresh put there meanwhile are replaced, not doubled */
    r = run_range(db_prepare(db, "DELETE FROM request_search WHERE rowid > ? AND rowid <= ?"),
                  done, upto);
    if (r == DB_OK)
        r = run_range(db_prepare(db, "INSERT INTO request_search (rowid, summary, body) "
                                     "SELECT r.id, r.summary, " SEARCH_BODY_SQLITE
                                     " FROM requests r WHERE r.id > ? AND r.id <= ?"),
                      done, upto);
    if (r != DB_OK)
        return r;
    st = db_prepare(db, "UPDATE counters SET value = ? WHERE name = 'search_indexed'");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, upto);
    return db_run(st);
}

DbResult store_search_catch_up(Db *db, int limit)
{
    if (db_kind(db) == DB_POSTGRES)
        return DB_OK; /* indexed in the creating transaction */
    DbResult r = db_begin(db);
    if (r != DB_OK)
        return r;
    r = search_catch_up_batch(db, limit);
    if (r == DB_OK)
        r = db_commit(db);
    if (r != DB_OK)
        db_rollback(db);
    return r;
}

bool store_search_behind(Db *db)
{
    if (db_kind(db) == DB_POSTGRES)
        return false;
    int64_t behind = 1; /* when in doubt, catch up */
    DbStmt *st = db_prepare(db, "SELECT COALESCE(MAX(id), 0) > (SELECT value FROM counters "
                                "WHERE name = 'search_indexed') FROM requests");
    if (st)
        db_run_int(st, &behind);
    return behind != 0;
}

DbResult store_organization_name(Db *db, Arena *a, int64_t id, char **name)
{
    DbStmt *st = db_prepare(db, "SELECT name FROM organizations WHERE id = ?");
    *name = "";
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *name = db_col_text(st, 0, a);
        r = db_step(st);
    }
    db_done(st);
    return r;
}
