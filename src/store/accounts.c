/* accounts (store): SQL for users, sessions, e-mail tokens, rate limits and the audit log.
 * SECURITY: only hashes of tokens and session ids are stored or compared here. */
#include "store/accounts.h"

#define USER_COLUMNS                                                                           \
    "u.id, u.email, u.name, u.password_hash, u.role, u.lang, "                                 \
    "coalesce(u.organization_id, 0), u.notify, u.disabled, u.created_at"

static void user_read(DbStmt *st, int col, Arena *a, User *u)
{
    u->id = db_col_int(st, col);
    u->email = db_col_text(st, col + 1, a);
    u->name = db_col_text(st, col + 2, a);
    u->password_hash = db_col_text(st, col + 3, a);
    u->role = db_col_text(st, col + 4, a);
    u->lang = db_col_text(st, col + 5, a);
    u->organization_id = db_col_int(st, col + 6);
    u->notify = db_col_int(st, col + 7) != 0;
    u->disabled = db_col_int(st, col + 8) != 0;
    u->created_at = db_col_int(st, col + 9);
}

/* Steps a one-row query: fills through read() when found; DB_OK either way. */
static DbResult step_one(DbStmt *st, Arena *a, User *u)
{
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        user_read(st, 0, a, u);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_user_by_email(Db *db, Arena *a, const char *email, User *u)
{
    *u = (User){0};
    DbStmt *st = db_prepare(db, "SELECT " USER_COLUMNS " FROM users u WHERE u.email = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, email);
    return step_one(st, a, u);
}

DbResult store_user_by_id(Db *db, Arena *a, int64_t id, User *u)
{
    *u = (User){0};
    DbStmt *st = db_prepare(db, "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    return step_one(st, a, u);
}

DbResult store_user_set_password(Db *db, int64_t id, const char *hash, int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, hash);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, id);
    return db_run(st);
}

DbResult store_user_update_profile(Db *db, int64_t id, const char *name, const char *lang,
                                   bool notify, int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE users SET name = ?, lang = ?, notify = ?, updated_at = ? "
                                "WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, lang);
    db_bind_int(st, 3, notify);
    db_bind_int(st, 4, now);
    db_bind_int(st, 5, id);
    return db_run(st);
}

DbResult store_user_set_disabled(Db *db, int64_t id, bool disabled, int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, disabled);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, id);
    return db_run(st);
}

DbResult store_user_set_role(Db *db, int64_t id, const char *role, int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE users SET role = ?, updated_at = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, role);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, id);
    return db_run(st);
}

DbResult store_user_each(Db *db, Arena *a, void (*fn)(const User *u, void *ctx), void *ctx)
{
    DbStmt *st = db_prepare(db, "SELECT " USER_COLUMNS " FROM users u ORDER BY u.email");
    if (!st)
        return DB_ERROR;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        User u;
        user_read(st, 0, a, &u);
        fn(&u, ctx);
    }
    db_done(st);
    return r;
}

DbResult store_user_count_admins(Db *db, int64_t *count)
{
    DbStmt *st = db_prepare(db, "SELECT count(*) FROM users WHERE role = 'admin'");
    if (!st)
        return DB_ERROR;
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *count = db_col_int(st, 0);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_session_insert(Db *db, const char *token_hash, int64_t user_id,
                              const char *csrf_secret, const char *user_agent, const char *ip,
                              int64_t now)
{
    DbStmt *st = db_prepare(db, "INSERT INTO sessions (token_hash, user_id, csrf_secret, "
                                "user_agent, ip, created_at, last_seen_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, token_hash);
    db_bind_int(st, 2, user_id);
    db_bind_text(st, 3, csrf_secret);
    db_bind_text(st, 4, user_agent ? user_agent : "");
    db_bind_text(st, 5, ip ? ip : "");
    db_bind_int(st, 6, now);
    db_bind_int(st, 7, now);
    return db_run(st);
}

DbResult store_session_find(Db *db, Arena *a, const char *token_hash, int64_t min_created,
                            int64_t min_seen, Session *s, User *u)
{
    *s = (Session){0};
    *u = (User){0};
    DbStmt *st = db_prepare(db, "SELECT s.id, s.csrf_secret, s.created_at, s.last_seen_at, "
                                USER_COLUMNS " FROM sessions s JOIN users u ON u.id = s.user_id "
                                "WHERE s.token_hash = ? AND s.created_at > ? "
                                "AND s.last_seen_at > ? AND u.disabled = 0");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, token_hash);
    db_bind_int(st, 2, min_created);
    db_bind_int(st, 3, min_seen);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        s->id = db_col_int(st, 0);
        s->csrf_secret = db_col_text(st, 1, a);
        s->created_at = db_col_int(st, 2);
        s->last_seen_at = db_col_int(st, 3);
        user_read(st, 4, a, u);
        s->user_id = u->id;
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_session_touch(Db *db, int64_t id, int64_t now)
{
    DbStmt *st = db_prepare(db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    db_bind_int(st, 2, id);
    return db_run(st);
}

DbResult store_session_delete(Db *db, int64_t id)
{
    DbStmt *st = db_prepare(db, "DELETE FROM sessions WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    return db_run(st);
}

DbResult store_session_delete_for_user(Db *db, int64_t user_id, int64_t id, int64_t except_id)
{
    DbStmt *st = db_prepare(db, "DELETE FROM sessions WHERE user_id = ? AND id = ? AND id <> ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, id);
    db_bind_int(st, 3, except_id);
    return db_run(st);
}

DbResult store_session_delete_all_for_user(Db *db, int64_t user_id, int64_t except_id)
{
    DbStmt *st = db_prepare(db, "DELETE FROM sessions WHERE user_id = ? AND id <> ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, except_id);
    return db_run(st);
}

DbResult store_session_list(Db *db, Arena *a, int64_t user_id, Session **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT id, user_agent, ip, created_at, last_seen_at "
                                "FROM sessions WHERE user_id = ? "
                                "ORDER BY last_seen_at DESC, id DESC LIMIT 100");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, user_id);
    *out = arena_alloc(a, sizeof(Session) * 100);
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        Session *s = &(*out)[(*count)++];
        s->id = db_col_int(st, 0);
        s->user_id = user_id;
        s->user_agent = db_col_text(st, 1, a);
        s->ip = db_col_text(st, 2, a);
        s->created_at = db_col_int(st, 3);
        s->last_seen_at = db_col_int(st, 4);
    }
    db_done(st);
    return r;
}

DbResult store_token_insert(Db *db, const char *token_hash, const char *purpose,
                            const char *email, int64_t user_id, const char *data, int64_t now,
                            int64_t expires_at)
{
    DbStmt *st = db_prepare(db, "UPDATE email_tokens SET used_at = ? "
                                "WHERE email = ? AND purpose = ? AND used_at IS NULL");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    db_bind_text(st, 2, email);
    db_bind_text(st, 3, purpose);
    DbResult r = db_run(st);
    if (r != DB_OK)
        return r;
    st = db_prepare(db, "INSERT INTO email_tokens (token_hash, purpose, email, user_id, data, "
                        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, token_hash);
    db_bind_text(st, 2, purpose);
    db_bind_text(st, 3, email);
    if (user_id)
        db_bind_int(st, 4, user_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, data ? data : "");
    db_bind_int(st, 6, now);
    db_bind_int(st, 7, expires_at);
    return db_run(st);
}

DbResult store_token_find(Db *db, Arena *a, const char *token_hash, EmailToken *t)
{
    *t = (EmailToken){0};
    DbStmt *st = db_prepare(db, "SELECT id, purpose, email, coalesce(user_id, 0), data, "
                                "created_at, expires_at, used_at IS NOT NULL "
                                "FROM email_tokens WHERE token_hash = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, token_hash);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        t->id = db_col_int(st, 0);
        t->purpose = db_col_text(st, 1, a);
        t->email = db_col_text(st, 2, a);
        t->user_id = db_col_int(st, 3);
        t->data = db_col_text(st, 4, a);
        t->created_at = db_col_int(st, 5);
        t->expires_at = db_col_int(st, 6);
        t->used = db_col_int(st, 7) != 0;
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_token_use(Db *db, int64_t id, int64_t now, bool *claimed)
{
    DbStmt *st = db_prepare(db, "UPDATE email_tokens SET used_at = ? "
                                "WHERE id = ? AND used_at IS NULL");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    db_bind_int(st, 2, id);
    DbResult r = db_run(st);
    *claimed = r == DB_OK && db_changes(db) == 1;
    return r;
}

DbResult store_rate_hit(Db *db, const char *bucket, int64_t window_start, int64_t *count)
{
    DbStmt *st = db_prepare(db, "INSERT INTO rate_limits (bucket, window_start, count) "
                                "VALUES (?, ?, 1) ON CONFLICT (bucket, window_start) "
                                "DO UPDATE SET count = rate_limits.count + 1 RETURNING count");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, bucket);
    db_bind_int(st, 2, window_start);
    return db_run_int(st, count);
}

DbResult store_rate_count(Db *db, const char *bucket, int64_t window_start, int64_t *count)
{
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT count FROM rate_limits WHERE bucket = ? "
                                "AND window_start = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, bucket);
    db_bind_int(st, 2, window_start);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *count = db_col_int(st, 0);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_rate_clear(Db *db, const char *bucket, int64_t window_start)
{
    DbStmt *st = db_prepare(db, "DELETE FROM rate_limits WHERE bucket = ? AND window_start = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, bucket);
    db_bind_int(st, 2, window_start);
    return db_run(st);
}

DbResult store_rate_prune(Db *db, int64_t before)
{
    DbStmt *st = db_prepare(db, "DELETE FROM rate_limits WHERE window_start < ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, before);
    return db_run(st);
}

DbResult store_audit(Db *db, int64_t actor_id, const char *action, const char *subject,
                     const char *detail, const char *ip, int64_t now)
{
    DbStmt *st = db_prepare(db, "INSERT INTO audit_log (at, actor_id, action, subject, detail, "
                                "ip) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    if (actor_id)
        db_bind_int(st, 2, actor_id);
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, action);
    db_bind_text(st, 4, subject ? subject : "");
    db_bind_text(st, 5, detail ? detail : "");
    db_bind_text(st, 6, ip ? ip : "");
    return db_run(st);
}
