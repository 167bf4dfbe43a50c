/* attachments: the rules for files on a request - how many and how large, what a file may be
 * called, what it is (decided from its bytes, never from the browser's word), its SHA-256,
 * and who may fetch it.
 * SECURITY: a stored name has no path, no control, quote, bidi or invisible characters and
 * no Windows device name; only PNG, JPEG, GIF and WebP recognised by their magic bytes may be
 * shown inline - everything else (SVG and HTML included) is a download. A file is found only
 * through the request the viewer may see, and internal files only by agents. */
#include "domain/admin.h"
#include "domain/attachments.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "store/activity.h"
#include "core/i18n.h"
#include <sodium.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_BYTES 200
#define EXTENSION_MAX_BYTES 16

const char *attachments_check(const NewAttachment *files, int count, int64_t existing_bytes)
{
    if (count > ATTACHMENTS_MAX_FILES)
        return N_("Please attach at most %{count_max} files at once.");
    int64_t total = existing_bytes;
    for (int i = 0; i < count; i++) {
        if (files[i].size == 0)
            return N_("One of the files is empty. Please choose it again.");
        if ((int64_t)files[i].size > settings_now()->max_attachment_bytes)
            return N_("Each file may be at most %{file_max}. Please choose a smaller file or "
                      "compress it.");
        total += (int64_t)files[i].size;
    }
    if (total > settings_now()->max_request_attachment_bytes)
        return N_("All files of one request together may be at most %{request_max}. Please "
                  "attach fewer or smaller files.");
    return NULL;
}

const char *attachment_format_size(Arena *a, const char *lang, int64_t bytes)
{
    const char *text;
    if (bytes < 1024)
        return arena_printf(a, "%lld B", (long long)bytes);
    if (bytes < 1024 * 1024)
        return arena_printf(a, "%lld KB", (long long)((bytes + 1023) / 1024));
    double mb = (double)bytes / (1024.0 * 1024.0);
    if (bytes % (1024 * 1024) == 0 || mb >= 100)
        text = arena_printf(a, "%.0f MB", mb);
    else
        text = arena_printf(a, "%.1f MB", mb);
    if (str_eq(lang, "de")) {
        char *comma = strchr(text, '.');
        if (comma)
            *comma = ',';
    }
    return text;
}

/* Replaces each %{name} of text by its value from names/values. */
static const char *fill_placeholders(Arena *a, const char *text, const char *const *names,
                                     const char *const *values, int n)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    while (*text) {
        const char *open = strstr(text, "%{");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            buf_puts(&b, text);
            break;
        }
        buf_append(&b, text, (size_t)(open - text));
        size_t len = (size_t)(close - open - 2);
        for (int i = 0; i < n; i++)
            if (strlen(names[i]) == len && strncmp(names[i], open + 2, len) == 0)
                buf_puts(&b, values[i]);
        text = close + 1;
    }
    return buf_cstr(&b);
}

const char *attachments_error_text(Arena *a, const char *lang, const char *msgid)
{
    const char *names[] = {"file_max", "request_max", "count_max"};
    const char *values[] = {attachment_format_size(a, lang, settings_now()->max_attachment_bytes),
                            attachment_format_size(a, lang, settings_now()->max_request_attachment_bytes),
                            arena_printf(a, "%d", ATTACHMENTS_MAX_FILES)};
    return fill_placeholders(a, i18n_get(lang, msgid), names, values, 3);
}

/* ---- names ---- */

/* Decodes one UTF-8 code point at s (n bytes left); returns its length, 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = (s[0] & 0xE0) == 0xC0   ? 2
                 : (s[0] & 0xF0) == 0xE0 ? 3
                 : (s[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (len == 0 || len > n || !str_utf8_valid((const char *)s, len))
        return 0;
    uint32_t v = len == 2 ? s[0] & 0x1F : len == 3 ? s[0] & 0x0F : s[0] & 0x07;
    for (size_t i = 1; i < len; i++)
        v = (v << 6) | (s[i] & 0x3F);
    *cp = v;
    return len;
}

/* Characters a file name must not carry: controls, path and quoting characters, characters
 * Windows refuses, and invisible or direction-changing ones that can disguise an extension
 * ("invoice\u202Efdp.exe"). */
static bool name_char_unsafe(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return true;
    if (cp < 0x80 && strchr("\"'/\\<>:*?|", (int)cp))
        return true;
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2069) || cp == 0x061C || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE000 && cp <= 0xF8FF);
}

static bool trim_char(char c)
{
    return c == ' ' || c == '.';
}

/* Length of the longest prefix of s[0..n) of at most max bytes not ending inside a UTF-8
 * sequence (s is valid UTF-8). */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static bool windows_device_name(const char *stem, size_t n)
{
    static const char *const NAMES[] = {"con", "prn", "aux", "nul"};
    for (size_t i = 0; i < 4; i++)
        if (n == 3 && strncasecmp(stem, NAMES[i], 3) == 0)
            return true;
    return n == 4 && (strncasecmp(stem, "com", 3) == 0 || strncasecmp(stem, "lpt", 3) == 0) &&
           stem[3] >= '1' && stem[3] <= '9';
}

const char *attachment_sanitize_name(Arena *a, const char *name)
{
    if (!name)
        return "attachment";
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    const unsigned char *s = (const unsigned char *)base;
    size_t n = strlen(base);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (len == 0 || name_char_unsafe(cp)) {
            buf_putc(&b, '_');
            i += len ? len : 1;
        } else {
            buf_append(&b, s + i, len);
            i += len;
        }
    }
    const char *start = buf_cstr(&b);
    size_t len = b.len;
    while (len && trim_char(*start)) {
        start++;
        len--;
    }
    while (len && trim_char(start[len - 1]))
        len--;
    if (len == 0)
        return "attachment";
    /* keep the extension when the name must be cut */
    const char *dot = memrchr(start, '.', len);
    size_t ext =
        dot && (size_t)(start + len - dot) <= EXTENSION_MAX_BYTES ? (size_t)(start + len - dot) : 0;
    size_t stem = len - ext;
    if (len > NAME_MAX_BYTES) {
        stem = utf8_prefix(start, stem, NAME_MAX_BYTES - ext);
        while (stem && trim_char(start[stem - 1]))
            stem--;
    }
    Buf out;
    buf_init(&out, a);
    if (windows_device_name(start, stem) || stem == 0)
        buf_putc(&out, '_');
    buf_append(&out, start, stem);
    buf_append(&out, start + len - ext, ext);
    return buf_cstr(&out);
}

/* ---- content ---- */

const char *attachment_sniff_type(const unsigned char *d, size_t n)
{
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return "image/jpeg";
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
        return "image/gif";
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return "image/webp";
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
        return "application/pdf";
    return "application/octet-stream";
}

bool attachment_is_inline_image(const char *t)
{
    return str_eq(t, "image/png") || str_eq(t, "image/jpeg") || str_eq(t, "image/gif") ||
           str_eq(t, "image/webp");
}

/* RFC 5987 attr-char: what may stand unencoded in filename*=. */
static bool attr_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$&+-.^_`|~", c));
}

const char *attachment_disposition(Arena *a, const char *filename, bool as_inline)
{
    const char *name = attachment_sanitize_name(a, filename);
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, as_inline ? "inline; filename=\"" : "attachment; filename=\"");
    /* the fallback: ASCII only, one '_' per other character; no '%' (some browsers decode
     * it), no quote or backslash (the sanitiser removed them) */
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; s[i];) {
        if (s[i] < 0x80) {
            buf_putc(&b, s[i] == '%' || s[i] < 0x20 ? '_' : (char)s[i]);
            i++;
        } else {
            buf_putc(&b, '_');
            i++;
            while ((s[i] & 0xC0) == 0x80)
                i++;
        }
    }
    buf_puts(&b, "\"; filename*=UTF-8''");
    for (size_t i = 0; s[i]; i++) {
        if (attr_char(s[i]))
            buf_putc(&b, (char)s[i]);
        else
            buf_printf(&b, "%%%02X", s[i]);
    }
    return buf_cstr(&b);
}

/* ---- storing and finding ---- */

DbResult attachments_store(Db *db, Arena *a, int64_t request_id, int64_t event_id,
                           int64_t uploader_id, const NewAttachment *files, int count,
                           bool internal, int64_t now)
{
    DbResult r = DB_OK;
    for (int i = 0; r == DB_OK && i < count; i++) {
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(digest, files[i].data, files[i].size);
        AttachmentRow row = {0};
        row.request_id = request_id;
        row.event_id = event_id;
        row.uploader_id = uploader_id;
        row.filename = (char *)attachment_sanitize_name(a, files[i].filename);
        row.content_type = (char *)attachment_sniff_type(files[i].data, files[i].size);
        row.sha256 = str_hex(a, digest, sizeof digest);
        row.internal = internal;
        row.created_at = now;
        if (!event_id)
            r = store_event_insert(db, request_id, uploader_id, "attachment", "", "", "",
                                   row.filename, internal, now, &row.event_id);
        if (r == DB_OK)
            r = store_attachment_insert(db, &row, files[i].data, files[i].size, NULL);
    }
    return r;
}

RequestResult attachment_open_for_viewer(Db *db, Arena *a, const Viewer *viewer, const char *key,
                                         int64_t id, AttachmentRow *out)
{
    memset(out, 0, sizeof *out);
    RequestView r;
    RequestResult rr = request_open_for_viewer(db, a, viewer, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    DbResult dr = store_attachment_get(db, a, r.id, id, out);
    if (dr != DB_OK)
        return dr == DB_BUSY ? REQUEST_UNAVAILABLE : REQUEST_ERROR;
    bool customer = !viewer->role || str_eq(viewer->role, "customer");
    if (!out->id || out->request_id != r.id || (out->internal && customer)) {
        memset(out, 0, sizeof *out);
        return REQUEST_NOT_FOUND;
    }
    return REQUEST_OK;
}
