/* attachments (store): SQL for files on a request - stored in the database with size and
 * SHA-256, linked to the event (comment) that brought them.
 * SECURITY: every lookup is by request id AND attachment id, and lists take include_internal,
 * so a caller cannot reach another request's file or an internal one by a guessed id. */
#ifndef PFORTE_STORE_ATTACHMENTS_H
#define PFORTE_STORE_ATTACHMENTS_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct AttachmentRow {
    int64_t id;
    int64_t request_id;
    int64_t event_id;    /* 0 = none */
    int64_t uploader_id; /* 0 = unknown */
    char *filename;      /* sanitised when stored */
    char *content_type;  /* decided from the bytes when stored */
    int64_t size;
    char *sha256; /* lowercase hex */
    bool internal;
    int64_t created_at;
    const unsigned char *data; /* only from store_attachment_get, in the arena */
} AttachmentRow;

/* Inserts one file in the caller's transaction; *id (may be NULL) receives its id. */
DbResult store_attachment_insert(Db *db, const AttachmentRow *row, const void *data, size_t size,
                                 int64_t *id);
/* Sum of the sizes of every file of the request (internal ones included: they count
 * against the same limit). */
DbResult store_attachment_total(Db *db, int64_t request_id, int64_t *total);
/* The request's files without their bytes, oldest first, into *out (arena array);
 * internal files only when include_internal. */
DbResult store_attachment_list(Db *db, Arena *a, int64_t request_id, bool include_internal,
                               AttachmentRow **out, int *count);
/* One file with its bytes (copied into a) when it belongs to request_id; out->id == 0 when
 * there is no such file on that request. */
DbResult store_attachment_get(Db *db, Arena *a, int64_t request_id, int64_t id, AttachmentRow *out);

#endif
