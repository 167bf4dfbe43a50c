/* admin (store): SQL of the admin pages. Searches bind NULL to switch a filter off and use
 * LIKE patterns the domain escaped (ESCAPE '\'); nothing here updates or deletes audit_log. */
#include "store/admin.h"
#include "store/catalog.h"
#include "store/requests.h"
#include <string.h>

static DbResult run_id(DbStmt *st, int64_t id, int index)
{
    if (!st)
        return DB_ERROR;
    db_bind_int(st, index, id);
    return db_run(st);
}

DbResult store_admin_types(Db *db, Arena *a, RequestType **out, int64_t **uses, int *count)
{
    *out = NULL;
    *uses = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT " REQUEST_TYPE_COLUMNS ", (SELECT count(*) FROM requests r "
                                "WHERE r.type_id = t.id) FROM request_types t "
                                "ORDER BY t.position, t.id");
    if (!st)
        return DB_ERROR;
    int cap = 0, cap2 = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        *uses = arena_grow_array(a, *uses, *count, &cap2, sizeof **uses);
        store_request_type_read(st, a, &(*out)[*count]);
        (*uses)[*count] = db_col_int(st, 9);
        (*count)++;
    }
    db_done(st);
    return r;
}

DbResult store_admin_type_by_id(Db *db, Arena *a, int64_t id, RequestType *t)
{
    memset(t, 0, sizeof *t);
    DbStmt *st = db_prepare(db, "SELECT " REQUEST_TYPE_COLUMNS "FROM request_types t WHERE t.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        store_request_type_read(st, a, t);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_admin_type_update(Db *db, const RequestType *t)
{
    DbStmt *st = db_prepare(db, "UPDATE request_types SET key = ?, name_de = ?, name_en = ?, "
                                "description_de = ?, description_en = ?, icon = ?, active = ? "
                                "WHERE id = ?");
    if (!st)
        return DB_ERROR;
    store_request_type_bind_texts(st, t);
    db_bind_int(st, 7, t->active);
    db_bind_int(st, 8, t->id);
    return db_run(st);
}

DbResult store_admin_type_set_active(Db *db, int64_t id, bool active)
{
    DbStmt *st = db_prepare(db, "UPDATE request_types SET active = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, active);
    return run_id(st, id, 2);
}

DbResult store_admin_type_set_position(Db *db, int64_t id, int64_t position)
{
    DbStmt *st = db_prepare(db, "UPDATE request_types SET position = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, position);
    return run_id(st, id, 2);
}

DbResult store_admin_type_next_position(Db *db, int64_t *position)
{
    return db_run_int(db_prepare(db, "SELECT coalesce(max(position), 0) + 1 FROM request_types"),
                      position);
}

DbResult store_admin_type_uses(Db *db, int64_t id, int64_t *count)
{
    DbStmt *st = db_prepare(db, "SELECT count(*) FROM requests WHERE type_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    return db_run_int(st, count);
}

DbResult store_admin_type_delete(Db *db, int64_t id)
{
    DbResult r = run_id(db_prepare(db, "DELETE FROM request_fields WHERE type_id = ?"), id, 1);
    if (r == DB_OK)
        r = run_id(db_prepare(db, "DELETE FROM request_types WHERE id = ?"), id, 1);
    return r;
}

#define FIELD_COLUMNS                                                                          \
    REQUEST_FIELD_COLUMNS ", f.active, "                                                       \
    "(SELECT count(*) FROM request_values v WHERE v.field_id = f.id) "

static void field_read(DbStmt *st, Arena *a, AdminField *f)
{
    store_request_field_read(st, a, &f->def);
    f->active = db_col_int(st, 11) != 0;
    f->value_count = db_col_int(st, 12);
}

DbResult store_admin_fields(Db *db, Arena *a, int64_t type_id, AdminField **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT " FIELD_COLUMNS "FROM request_fields f "
                                "WHERE f.type_id = ? ORDER BY f.position, f.id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, type_id);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        field_read(st, a, &(*out)[(*count)++]);
    }
    db_done(st);
    return r;
}

DbResult store_admin_field_by_id(Db *db, Arena *a, int64_t id, AdminField *f)
{
    memset(f, 0, sizeof *f);
    DbStmt *st = db_prepare(db, "SELECT " FIELD_COLUMNS "FROM request_fields f WHERE f.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        field_read(st, a, f);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_admin_field_update(Db *db, const RequestField *f)
{
    DbStmt *st = db_prepare(db, "UPDATE request_fields SET key = ?, kind = ?, label_de = ?, "
                                "label_en = ?, help_de = ?, help_en = ?, required = ?, "
                                "options = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, f->key);
    db_bind_text(st, 2, f->kind);
    db_bind_text(st, 3, f->label_de);
    db_bind_text(st, 4, f->label_en);
    db_bind_text(st, 5, f->help_de ? f->help_de : "");
    db_bind_text(st, 6, f->help_en ? f->help_en : "");
    db_bind_int(st, 7, f->required);
    db_bind_text(st, 8, f->options ? f->options : "");
    return run_id(st, f->id, 9);
}

DbResult store_admin_field_set_active(Db *db, int64_t id, bool active)
{
    DbStmt *st = db_prepare(db, "UPDATE request_fields SET active = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, active);
    return run_id(st, id, 2);
}

DbResult store_admin_field_set_position(Db *db, int64_t id, int64_t position)
{
    DbStmt *st = db_prepare(db, "UPDATE request_fields SET position = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, position);
    return run_id(st, id, 2);
}

DbResult store_admin_field_next_position(Db *db, int64_t type_id, int64_t *position)
{
    DbStmt *st = db_prepare(db, "SELECT coalesce(max(position), 0) + 1 FROM request_fields "
                                "WHERE type_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, type_id);
    return db_run_int(st, position);
}

DbResult store_admin_field_delete(Db *db, int64_t id)
{
    return run_id(db_prepare(db, "DELETE FROM request_fields WHERE id = ?"), id, 1);
}

/* ---- users ---- */

DbResult store_admin_users(Db *db, Arena *a, const char *text, const char *role,
                           const char *after_email, int limit, UserRow **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(
        db, "SELECT u.id, u.email, u.name, CASE WHEN u.password_hash IS NULL THEN 1 ELSE 0 END, "
            "u.role, u.lang, coalesce(u.organization_id, 0), u.disabled, u.created_at, "
            "coalesce(o.name, ''), "
            "(SELECT count(*) FROM requests r WHERE r.reporter_id = u.id) "
            "FROM users u LEFT JOIN organizations o ON o.id = u.organization_id "
            "WHERE (CAST(? AS TEXT) IS NULL OR lower(u.email) LIKE ? ESCAPE '\\' "
            "OR lower(u.name) LIKE ? ESCAPE '\\') AND (CAST(? AS TEXT) IS NULL OR u.role = ?) "
            "AND u.email > ? ORDER BY u.email LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, text);
    db_bind_text(st, 2, text);
    db_bind_text(st, 3, text);
    db_bind_text(st, 4, role);
    db_bind_text(st, 5, role);
    db_bind_text(st, 6, after_email ? after_email : "");
    db_bind_int(st, 7, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        UserRow *row = &(*out)[(*count)++];
        row->user.id = db_col_int(st, 0);
        row->user.email = db_col_text(st, 1, a);
        row->user.name = db_col_text(st, 2, a);
        row->pending = db_col_int(st, 3) != 0;
        row->user.role = db_col_text(st, 4, a);
        row->user.lang = db_col_text(st, 5, a);
        row->user.organization_id = db_col_int(st, 6);
        row->user.disabled = db_col_int(st, 7) != 0;
        row->user.created_at = db_col_int(st, 8);
        row->organization = db_col_text(st, 9, a);
        row->request_count = db_col_int(st, 10);
    }
    db_done(st);
    return r;
}

DbResult store_admin_count_active_admins(Db *db, int64_t *count)
{
    return db_run_int(
        db_prepare(db, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"),
        count);
}

DbResult store_admin_user_requests(Db *db, Arena *a, int64_t user_id, int limit,
                                   UserRequestRow **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT number, summary, status, created_at, updated_at "
                                "FROM requests WHERE reporter_id = ? "
                                "ORDER BY created_at DESC, id DESC LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        UserRequestRow *row = &(*out)[(*count)++];
        row->number = db_col_int(st, 0);
        row->summary = db_col_text(st, 1, a);
        row->status = db_col_text(st, 2, a);
        row->created_at = db_col_int(st, 3);
        row->updated_at = db_col_int(st, 4);
    }
    db_done(st);
    return r;
}

DbResult store_admin_user_set_organization(Db *db, int64_t user_id, int64_t organization_id,
                                           int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE users SET organization_id = ?, updated_at = ? "
                                "WHERE id = ?");
    if (!st)
        return DB_ERROR;
    if (organization_id)
        db_bind_int(st, 1, organization_id);
    else
        db_bind_null(st, 1);
    db_bind_int(st, 2, now);
    return run_id(st, user_id, 3);
}

DbResult store_admin_pending_registrations(Db *db, Arena *a, int64_t since, int limit,
                                           PendingRegistration **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT t.email, max(t.created_at) FROM email_tokens t "
                                "WHERE t.purpose = 'register' AND t.created_at >= ? "
                                "AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = t.email) "
                                "GROUP BY t.email ORDER BY max(t.created_at) DESC, t.email LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, since);
    db_bind_int(st, 2, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        (*out)[*count].email = db_col_text(st, 0, a);
        (*out)[*count].requested_at = db_col_int(st, 1);
        (*count)++;
    }
    db_done(st);
    return r;
}

/* ---- organizations ---- */

static void organization_read(DbStmt *st, Arena *a, Organization *o)
{
    o->id = db_col_int(st, 0);
    o->name = db_col_text(st, 1, a);
    o->email_domain = db_col_text(st, 2, a);
    o->member_count = db_col_int(st, 3);
    o->created_at = db_col_int(st, 4);
}

DbResult store_admin_organizations(Db *db, Arena *a, Organization **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT o.id, o.name, coalesce(o.email_domain, ''), "
                                "(SELECT count(*) FROM users u WHERE u.organization_id = o.id), "
                                "o.created_at FROM organizations o ORDER BY lower(o.name), o.id");
    if (!st)
        return DB_ERROR;
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        organization_read(st, a, &(*out)[(*count)++]);
    }
    db_done(st);
    return r;
}

DbResult store_admin_organization(Db *db, Arena *a, int64_t id, Organization *o)
{
    memset(o, 0, sizeof *o);
    DbStmt *st = db_prepare(db, "SELECT o.id, o.name, coalesce(o.email_domain, ''), "
                                "(SELECT count(*) FROM users u WHERE u.organization_id = o.id), "
                                "o.created_at FROM organizations o WHERE o.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        organization_read(st, a, o);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_admin_organization_update(Db *db, int64_t id, const char *name,
                                         const char *email_domain)
{
    DbStmt *st = db_prepare(db, "UPDATE organizations SET name = ?, email_domain = ? "
                                "WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, email_domain && *email_domain ? email_domain : NULL);
    return run_id(st, id, 3);
}

DbResult store_admin_organization_members(Db *db, Arena *a, int64_t id, User **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT id, email, name, role, disabled FROM users "
                                "WHERE organization_id = ? ORDER BY email");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        User *u = &(*out)[(*count)++];
        memset(u, 0, sizeof *u);
        u->id = db_col_int(st, 0);
        u->email = db_col_text(st, 1, a);
        u->name = db_col_text(st, 2, a);
        u->role = db_col_text(st, 3, a);
        u->disabled = db_col_int(st, 4) != 0;
        u->organization_id = id;
    }
    db_done(st);
    return r;
}

/* ---- outbox ---- */

static void outbox_read(DbStmt *st, Arena *a, OutboxItem *it)
{
    memset(it, 0, sizeof *it);
    it->id = db_col_int(st, 0);
    it->recipient = db_col_text(st, 1, a);
    it->subject = db_col_text(st, 2, a);
    it->state = db_col_text(st, 3, a);
    it->attempts = db_col_int(st, 4);
    it->next_attempt_at = db_col_int(st, 5);
    it->last_error = db_col_text(st, 6, a);
    it->created_at = db_col_int(st, 7);
    it->sent_at = db_col_is_null(st, 8) ? 0 : db_col_int(st, 8);
}

DbResult store_admin_outbox(Db *db, Arena *a, const char *state, int64_t before_id, int limit,
                            OutboxItem **out, int *count)
{
    *out = NULL;
    *count = 0;
    /* "retrying" is a queued row that failed at least once; "queued" then means not yet tried */
    DbStmt *st = db_prepare(
        db, "SELECT id, recipient, subject, state, attempts, next_attempt_at, last_error, "
            "created_at, sent_at FROM outbox WHERE (CAST(? AS TEXT) IS NULL "
            "OR (? = 'retrying' AND state = 'queued' AND attempts > 0) "
            "OR (? = 'queued' AND state = 'queued' AND attempts = 0) "
            "OR (? NOT IN ('retrying', 'queued') AND state = ?)) "
            "AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?");
    if (!st)
        return DB_ERROR;
    for (int i = 1; i <= 5; i++)
        db_bind_text(st, i, state);
    db_bind_int(st, 6, before_id);
    db_bind_int(st, 7, before_id);
    db_bind_int(st, 8, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        outbox_read(st, a, &(*out)[(*count)++]);
    }
    db_done(st);
    return r;
}

DbResult store_admin_outbox_by_id(Db *db, Arena *a, int64_t id, OutboxItem *out)
{
    memset(out, 0, sizeof *out);
    DbStmt *st = db_prepare(db, "SELECT id, recipient, subject, state, attempts, "
                                "next_attempt_at, last_error, created_at, sent_at FROM outbox "
                                "WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        outbox_read(st, a, out);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_admin_outbox_last_id(Db *db, const char *recipient, int64_t *id)
{
    *id = 0;
    DbStmt *st = db_prepare(db, "SELECT coalesce(max(id), 0) FROM outbox WHERE recipient = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, recipient);
    return db_run_int(st, id);
}

DbResult store_admin_outbox_retry(Db *db, int64_t id, int64_t now, bool *changed)
{
    *changed = false;
    DbStmt *st = db_prepare(db, "UPDATE outbox SET state = 'queued', next_attempt_at = ? "
                                "WHERE id = ? AND (state = 'failed' "
                                "OR (state = 'queued' AND attempts > 0))");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    DbResult r = run_id(st, id, 2);
    if (r == DB_OK)
        *changed = db_changes(db) > 0;
    return r;
}

/* ---- audit log ---- */

DbResult store_admin_audit(Db *db, Arena *a, const char *actor, const char *action,
                           const char *text, int64_t before_id, int limit, AuditEntry **out,
                           int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(
        db, "SELECT l.id, l.at, coalesce(l.actor_id, 0), coalesce(u.email, ''), l.action, "
            "l.subject, l.detail, l.ip FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id "
            "WHERE (CAST(? AS TEXT) IS NULL OR lower(u.email) LIKE ? ESCAPE '\\') "
            "AND (CAST(? AS TEXT) IS NULL OR l.action = ?) "
            "AND (CAST(? AS TEXT) IS NULL OR lower(l.subject) LIKE ? ESCAPE '\\' "
            "OR lower(l.detail) LIKE ? ESCAPE '\\') "
            "AND (? = 0 OR l.id < ?) ORDER BY l.id DESC LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, actor);
    db_bind_text(st, 2, actor);
    db_bind_text(st, 3, action);
    db_bind_text(st, 4, action);
    db_bind_text(st, 5, text);
    db_bind_text(st, 6, text);
    db_bind_text(st, 7, text);
    db_bind_int(st, 8, before_id);
    db_bind_int(st, 9, before_id);
    db_bind_int(st, 10, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        AuditEntry *e = &(*out)[(*count)++];
        e->id = db_col_int(st, 0);
        e->at = db_col_int(st, 1);
        e->actor_id = db_col_int(st, 2);
        e->actor = db_col_text(st, 3, a);
        e->action = db_col_text(st, 4, a);
        e->subject = db_col_text(st, 5, a);
        e->detail = db_col_text(st, 6, a);
        e->ip = db_col_text(st, 7, a);
    }
    db_done(st);
    return r;
}

/* ---- settings and files ---- */

DbResult store_settings_all(Db *db, Arena *a, SettingRow **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT name, value FROM settings ORDER BY name");
    if (!st)
        return DB_ERROR;
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        (*out)[*count].name = db_col_text(st, 0, a);
        (*out)[*count].value = db_col_text(st, 1, a);
        (*count)++;
    }
    db_done(st);
    return r;
}

DbResult store_setting_delete(Db *db, const char *name)
{
    DbStmt *st = db_prepare(db, "DELETE FROM settings WHERE name = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    return db_run(st);
}

DbResult store_portal_file_get(Db *db, Arena *a, const char *name, PortalFile *f)
{
    memset(f, 0, sizeof *f);
    DbStmt *st = db_prepare(db, "SELECT content_type, data, sha256 FROM portal_files "
                                "WHERE name = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        f->content_type = db_col_text(st, 0, a);
        size_t n = 0;
        const void *data = db_col_blob(st, 1, &n);
        unsigned char *copy = arena_alloc(a, n ? n : 1);
        if (n)
            memcpy(copy, data, n);
        f->data = copy;
        f->size = n;
        f->sha256 = db_col_text(st, 2, a);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_portal_file_put(Db *db, const char *name, const PortalFile *f, int64_t now)
{
    DbStmt *st = db_prepare(db, "INSERT INTO portal_files (name, content_type, data, sha256, "
                                "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
                                "SET content_type = excluded.content_type, data = excluded.data, "
                                "sha256 = excluded.sha256, updated_at = excluded.updated_at");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, f->content_type);
    db_bind_blob(st, 3, f->data, f->size);
    db_bind_text(st, 4, f->sha256);
    db_bind_int(st, 5, now);
    return db_run(st);
}

DbResult store_portal_file_delete(Db *db, const char *name)
{
    DbStmt *st = db_prepare(db, "DELETE FROM portal_files WHERE name = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    return db_run(st);
}
