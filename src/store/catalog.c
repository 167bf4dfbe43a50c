/* catalog: SQL for request types, their fields and the settings table. */
#include "store/catalog.h"

void store_request_type_read(DbStmt *st, Arena *a, RequestType *t)
{
    t->id = db_col_int(st, 0);
    t->key = db_col_text(st, 1, a);
    t->name_de = db_col_text(st, 2, a);
    t->name_en = db_col_text(st, 3, a);
    t->description_de = db_col_text(st, 4, a);
    t->description_en = db_col_text(st, 5, a);
    t->icon = db_col_text(st, 6, a);
    t->position = db_col_int(st, 7);
    t->active = db_col_int(st, 8) != 0;
}

DbResult store_request_type_by_key(Db *db, Arena *a, const char *key, bool active_only,
                                   RequestType *t)
{
    *t = (RequestType){0}; /* id 0: none, as the header promises */
    DbStmt *st = db_prepare(db, "SELECT " REQUEST_TYPE_COLUMNS "FROM request_types t WHERE t.key = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        RequestType found;
        store_request_type_read(st, a, &found);
        if (found.active || !active_only)
            *t = found;
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_request_types(Db *db, Arena *a, bool active_only, RequestType **out, int *count)
{
    *count = 0;
    *out = NULL;
    DbStmt *st = db_prepare(db, "SELECT " REQUEST_TYPE_COLUMNS "FROM request_types t "
                                "WHERE ? = 0 OR t.active = 1 ORDER BY position, id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, active_only);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        store_request_type_read(st, a, &(*out)[(*count)++]);
    }
    db_done(st);
    return r;
}

void store_request_type_bind_texts(DbStmt *st, const RequestType *t)
{
    db_bind_text(st, 1, t->key);
    db_bind_text(st, 2, t->name_de);
    db_bind_text(st, 3, t->name_en);
    db_bind_text(st, 4, t->description_de);
    db_bind_text(st, 5, t->description_en);
    db_bind_text(st, 6, t->icon);
}

DbResult store_request_type_insert(Db *db, const RequestType *t, int64_t now, int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO request_types (key, name_de, name_en, "
                                "description_de, description_en, icon, position, active, "
                                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    store_request_type_bind_texts(st, t);
    db_bind_int(st, 7, t->position);
    db_bind_int(st, 8, t->active);
    db_bind_int(st, 9, now);
    return db_run_int(st, id);
}

DbResult store_request_field_insert(Db *db, const RequestField *f, int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO request_fields (type_id, key, kind, label_de, "
                                "label_en, help_de, help_en, required, options, position) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, f->type_id);
    db_bind_text(st, 2, f->key);
    db_bind_text(st, 3, f->kind);
    db_bind_text(st, 4, f->label_de);
    db_bind_text(st, 5, f->label_en);
    db_bind_text(st, 6, f->help_de ? f->help_de : "");
    db_bind_text(st, 7, f->help_en ? f->help_en : "");
    db_bind_int(st, 8, f->required);
    db_bind_text(st, 9, f->options ? f->options : "");
    db_bind_int(st, 10, f->position);
    return db_run_int(st, id);
}

char *store_setting_get(Db *db, Arena *a, const char *name)
{
    DbStmt *st = db_prepare(db, "SELECT value FROM settings WHERE name = ?");
    if (!st)
        return NULL;
    db_bind_text(st, 1, name);
    char *value = NULL;
    if (db_step(st) == DB_ROW)
        value = db_col_text(st, 0, a);
    db_done(st);
    return value;
}

DbResult store_setting_set(Db *db, const char *name, const char *value)
{
    DbStmt *st = db_prepare(db, "INSERT INTO settings (name, value) VALUES (?, ?) "
                                "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, value);
    DbResult r = db_step(st);
    db_done(st);
    return r;
}

DbResult store_is_empty(Db *db, bool *empty)
{
    DbStmt *st = db_prepare(db, "SELECT (SELECT count(*) FROM users) + "
                                "(SELECT count(*) FROM request_types)");
    if (!st)
        return DB_ERROR;
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *empty = db_col_int(st, 0) == 0;
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_ping(Db *db)
{
    DbStmt *st = db_prepare(db, "SELECT 1");
    if (!st)
        return DB_ERROR;
    DbResult r = db_step(st);
    db_done(st);
    return r == DB_ROW ? DB_OK : r;
}
