/* attachments: SQL for the attachments table (blobs in the database). */
#include "store/attachments.h"
#include <string.h>

DbResult store_attachment_insert(Db *db, const AttachmentRow *row, const void *data, size_t size,
                                 int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO attachments (request_id, event_id, uploader_id, "
                                "filename, content_type, size, sha256, data, internal, "
                                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, row->request_id);
    if (row->event_id)
        db_bind_int(st, 2, row->event_id);
    else
        db_bind_null(st, 2);
    if (row->uploader_id)
        db_bind_int(st, 3, row->uploader_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, row->filename);
    db_bind_text(st, 5, row->content_type);
    db_bind_int(st, 6, (int64_t)size);
    db_bind_text(st, 7, row->sha256);
    db_bind_blob(st, 8, size ? data : "", size);
    db_bind_int(st, 9, row->internal);
    db_bind_int(st, 10, row->created_at);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        if (id)
            *id = db_col_int(st, 0);
        r = db_step(st);
    }
    db_done(st);
    return r;
}

DbResult store_attachment_total(Db *db, int64_t request_id, int64_t *total)
{
    DbStmt *st = db_prepare(db, "SELECT COALESCE(SUM(size), 0) FROM attachments "
                                "WHERE request_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    *total = 0;
    return db_run_int(st, total);
}

static void read_meta(DbStmt *st, Arena *a, AttachmentRow *row)
{
    memset(row, 0, sizeof *row);
    row->id = db_col_int(st, 0);
    row->request_id = db_col_int(st, 1);
    row->event_id = db_col_int(st, 2);
    row->uploader_id = db_col_int(st, 3);
    row->filename = db_col_text(st, 4, a);
    row->content_type = db_col_text(st, 5, a);
    row->size = db_col_int(st, 6);
    row->sha256 = db_col_text(st, 7, a);
    row->internal = db_col_int(st, 8) != 0;
    row->created_at = db_col_int(st, 9);
}

DbResult store_attachment_list(Db *db, Arena *a, int64_t request_id, bool include_internal,
                               AttachmentRow **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT id, request_id, COALESCE(event_id, 0), "
                                "COALESCE(uploader_id, 0), filename, content_type, size, sha256, "
                                "internal, created_at FROM attachments "
                                "WHERE request_id = ? AND (internal = 0 OR ? = 1) ORDER BY id");
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
        read_meta(st, a, &(*out)[(*count)++]);
    }
    db_done(st);
    return r;
}

DbResult store_attachment_get(Db *db, Arena *a, int64_t request_id, int64_t id, AttachmentRow *out)
{
    DbStmt *st = db_prepare(db, "SELECT id, request_id, COALESCE(event_id, 0), "
                                "COALESCE(uploader_id, 0), filename, content_type, size, sha256, "
                                "internal, created_at, data FROM attachments "
                                "WHERE request_id = ? AND id = ?");
    memset(out, 0, sizeof *out);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        read_meta(st, a, out);
        size_t n = 0;
        const void *blob = db_col_blob(st, 10, &n);
        unsigned char *copy = arena_alloc(a, n + 1);
        if (n)
            memcpy(copy, blob, n);
        out->data = copy;
        out->size = (int64_t)n;
        r = db_step(st);
    }
    db_done(st);
    return r;
}
