/* attachments (domain): files on a request - limits, sanitised names, content sniffing for
 * inline images, SHA-256 - stored in the database.
 * SECURITY: names are sanitised (no paths, control characters or quotes), sizes limited per
 * file and per request, images recognised by their bytes (PNG, JPEG, GIF, WebP; never SVG). */
#ifndef PFORTE_DOMAIN_ATTACHMENTS_H
#define PFORTE_DOMAIN_ATTACHMENTS_H
#include "core/arena.h"
#include "domain/requests.h"
#include "store/attachments.h"
#include "store/db.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most files accepted in one form (one comment, one new request). */
#define ATTACHMENTS_MAX_FILES 20

typedef struct NewAttachment {
    const char *filename;     /* as sent by the browser */
    const char *content_type; /* as sent; re-decided from the bytes */
    const unsigned char *data;
    size_t size;
} NewAttachment;

/* Checks the limits for adding files to a request that already holds existing_bytes:
 * returns NULL when fine, else an English msgid for the user (per-file or per-request).
 * The msgid may hold %{file_max}, %{request_max} and %{count_max}: show it with
 * attachments_error_text. */
const char *attachments_check(const NewAttachment *files, int count, int64_t existing_bytes);
/* The message for a msgid of attachments_check, translated into lang with the configured
 * limits filled in ("Each file may be at most 10 MB."); allocated in a. */
const char *attachments_error_text(Arena *a, const char *lang, const char *msgid);
/* Stores the files in the caller's transaction, linked to event_id (may be 0), and appends
 * an "attachment" event per file when event_id is 0. */
DbResult attachments_store(Db *db, Arena *a, int64_t request_id, int64_t event_id,
                           int64_t uploader_id, const NewAttachment *files, int count,
                           bool internal, int64_t now);
/* Returns a safe file name: basename only, control characters, quotes, slashes and
 * backslashes replaced, trimmed of dots and spaces, at most 200 bytes of valid UTF-8,
 * "attachment" when nothing is left. */
const char *attachment_sanitize_name(Arena *a, const char *name);

/* The MIME type decided from the first bytes: image/png, image/jpeg, image/gif, image/webp,
 * application/pdf, else application/octet-stream. Never an SVG or HTML type. */
const char *attachment_sniff_type(const unsigned char *data, size_t size);
/* True for the raster image types a page may show inline (the four above). */
bool attachment_is_inline_image(const char *content_type);
/* The Content-Disposition value for a download (RFC 6266): `attachment` (or `inline` when
 * as_inline), an ASCII fallback filename="..." and filename*=UTF-8''percent-encoded. */
const char *attachment_disposition(Arena *a, const char *filename, bool as_inline);
/* "842 KB", "1.5 MB" ("1,5 MB" in German): a size for people. */
const char *attachment_format_size(Arena *a, const char *lang, int64_t bytes);

/* Finds file id of the request with key for viewer: REQUEST_NOT_FOUND when the viewer may
 * not see the request, the file belongs to another request, or it is internal and the viewer
 * is a customer. *out receives the file with its bytes (in a). */
RequestResult attachment_open_for_viewer(Db *db, Arena *a, const Viewer *viewer, const char *key,
                                         int64_t id, AttachmentRow *out);

#endif
