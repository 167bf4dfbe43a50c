/* users: SQL for user accounts and organizations. */
#include "store/users.h"

DbResult store_user_insert(Db *db, const User *u, int64_t now, int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO users (email, name, password_hash, role, lang, "
                                "organization_id, notify, disabled, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, u->email);
    db_bind_text(st, 2, u->name ? u->name : "");
    db_bind_text(st, 3, u->password_hash);
    db_bind_text(st, 4, u->role ? u->role : "customer");
    db_bind_text(st, 5, u->lang ? u->lang : "de");
    if (u->organization_id)
        db_bind_int(st, 6, u->organization_id);
    else
        db_bind_null(st, 6);
    db_bind_int(st, 7, u->notify);
    db_bind_int(st, 8, u->disabled);
    db_bind_int(st, 9, now);
    db_bind_int(st, 10, now);
    return db_run_int(st, id);
}

DbResult store_organization_insert(Db *db, const char *name, const char *email_domain,
                                   int64_t now, int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO organizations (name, email_domain, created_at) "
                                "VALUES (?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, email_domain);
    db_bind_int(st, 3, now);
    return db_run_int(st, id);
}

DbResult store_organization_by_domain(Db *db, const char *domain, int64_t *id)
{
    *id = 0;
    DbStmt *st = db_prepare(db, "SELECT id FROM organizations WHERE email_domain = ? "
                                "ORDER BY id LIMIT 1");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, domain);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *id = db_col_int(st, 0);
        r = DB_OK;
    }
    db_done(st);
    return r;
}
