/* attachments (domain): files on a request - limits, sanitised names, content sniffing for
 * inline images, SHA-256 - stored in the database.
 * SECURITY: names are sanitised (no paths, control characters or quotes), sizes limited per
 * file and per request, images recognised by their bytes (PNG, JPEG, GIF, WebP; never SVG). */
#ifndef PFORTE_DOMAIN_ATTACHMENTS_H
#define PFORTE_DOMAIN_ATTACHMENTS_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct NewAttachment {
    const char *filename;      /* as sent by the browser */
    const char *content_type;  /* as sent; re-decided from the bytes */
    const unsigned char *data;
    size_t size;
} NewAttachment;

/* Checks the limits for adding files to a request that already holds existing_bytes:
 * returns NULL when fine, else an English msgid for the user (per-file or per-request). */
const char *attachments_check(const NewAttachment *files, int count, int64_t existing_bytes);
/* Stores the files in the caller's transaction, linked to event_id (may be 0), and appends
 * an "attachment" event per file when event_id is 0. */
DbResult attachments_store(Db *db, Arena *a, int64_t request_id, int64_t event_id,
                           int64_t uploader_id, const NewAttachment *files, int count,
                           bool internal, int64_t now);
/* Returns a safe file name: basename only, control characters, quotes, slashes and
 * backslashes replaced, trimmed of dots and spaces, at most 200 bytes of valid UTF-8,
 * "attachment" when nothing is left. */
const char *attachment_sanitize_name(Arena *a, const char *name);

#endif
