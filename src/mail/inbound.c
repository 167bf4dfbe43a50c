/* inbound: GMime does the MIME work (encodings, RFC 2047/2231 words, multipart, charsets);
 * this file walks the tree, picks the body (text/plain over HTML in an alternative, text parts
 * of a mixed message joined), collects files and reads the headers that decide filing.
 * SECURITY: nesting depth and part count are bounded; every string handed out is valid UTF-8
 * copied into the arena, so no GMime object outlives the call. */
#include "mail/inbound.h"
#include "core/buf.h"
#include "core/dynlib.h"
#include "core/log.h"
#include "core/str.h"
#include "mail/html_text.h"
#include "mail/message.h"
/* casts without checks: with them every GMIME_PART() would call into GObject directly */
#define G_DISABLE_CAST_CHECKS
#include <gmime/gmime.h>
#include <pthread.h>
#include <string.h>

/* ---- GMime, loaded when the first mail is parsed ----
 * GMime brings GLib, GObject, GIO, GPGME and their libraries (about 2.5 MB of resident
 * memory) into every process that links it. Only mail-in, mail-poll and a polling `serve`
 * parse mail, so the library is opened with dlopen on first use instead of being linked:
 * an ordinary `pforte serve` never maps it. The names below stand for the loaded functions,
 * so the code after them reads like plain GMime. */
#define GMIME_LIBRARY "libgmime-3.0.so.0"
#define GMIME_FUNCTIONS(X) \
    X(internet_address_get_name) \
    X(internet_address_group_get_members) \
    X(internet_address_group_get_type) \
    X(internet_address_list_get_address) \
    X(internet_address_list_length) \
    X(internet_address_list_parse) \
    X(internet_address_mailbox_get_addr) \
    X(internet_address_mailbox_get_type) \
    X(g_ascii_strcasecmp) \
    X(g_ascii_strncasecmp) \
    X(g_convert) \
    X(g_error_free) \
    X(g_free) \
    X(g_mime_charset_iconv_name) \
    X(g_mime_content_type_get_mime_type) \
    X(g_mime_content_type_is_type) \
    X(g_mime_data_wrapper_get_stream) \
    X(g_mime_data_wrapper_write_to_stream) \
    X(g_mime_header_get_name) \
    X(g_mime_header_get_value) \
    X(g_mime_header_list_get_count) \
    X(g_mime_header_list_get_header_at) \
    X(g_mime_init) \
    X(g_mime_message_get_addresses) \
    X(g_mime_message_get_from) \
    X(g_mime_message_get_message_id) \
    X(g_mime_message_get_mime_part) \
    X(g_mime_message_get_subject) \
    X(g_mime_message_part_get_message) \
    X(g_mime_message_part_get_type) \
    X(g_mime_multipart_encrypted_get_type) \
    X(g_mime_multipart_get_count) \
    X(g_mime_multipart_get_part) \
    X(g_mime_multipart_get_type) \
    X(g_mime_multipart_signed_get_type) \
    X(g_mime_object_get_content_type) \
    X(g_mime_object_get_content_type_parameter) \
    X(g_mime_object_get_header) \
    X(g_mime_object_get_header_list) \
    X(g_mime_object_get_type) \
    X(g_mime_object_write_to_stream) \
    X(g_mime_parser_construct_message) \
    X(g_mime_parser_new_with_stream) \
    X(g_mime_part_get_content) \
    X(g_mime_part_get_filename) \
    X(g_mime_part_get_type) \
    X(g_mime_part_is_attachment) \
    X(g_mime_references_free) \
    X(g_mime_references_get_message_id) \
    X(g_mime_references_length) \
    X(g_mime_references_parse) \
    X(g_mime_stream_length) \
    X(g_mime_stream_mem_get_byte_array) \
    X(g_mime_stream_mem_get_type) \
    X(g_mime_stream_mem_new) \
    X(g_mime_stream_mem_new_with_buffer) \
    X(g_object_unref) \
    X(g_type_check_instance_is_a)

static struct {
#define GMIME_POINTER(f) __typeof__(f) *f;
    GMIME_FUNCTIONS(GMIME_POINTER)
#undef GMIME_POINTER
} gm;
static bool gmime_loaded;
static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
#define GMIME_SLOT(f) (void **)&gm.f,
    static const char *const names[] = {GMIME_FUNCTIONS(DYNLIB_NAME)};
    void **const slots[] = {GMIME_FUNCTIONS(GMIME_SLOT)};
#undef GMIME_SLOT
    if (!dynlib_open(GMIME_LIBRARY, names, slots, sizeof names / sizeof *names))
        return;
    gm.g_mime_init();
    gmime_loaded = true;
}

bool inbound_available(void)
{
    pthread_once(&gmime_once, gmime_start);
    return gmime_loaded;
}

#define internet_address_get_name gm.internet_address_get_name
#define internet_address_group_get_members gm.internet_address_group_get_members
#define internet_address_group_get_type gm.internet_address_group_get_type
#define internet_address_list_get_address gm.internet_address_list_get_address
#define internet_address_list_length gm.internet_address_list_length
#define internet_address_list_parse gm.internet_address_list_parse
#define internet_address_mailbox_get_addr gm.internet_address_mailbox_get_addr
#define internet_address_mailbox_get_type gm.internet_address_mailbox_get_type
#define g_ascii_strcasecmp gm.g_ascii_strcasecmp
#define g_ascii_strncasecmp gm.g_ascii_strncasecmp
#define g_convert gm.g_convert
#define g_error_free gm.g_error_free
#define g_free gm.g_free
#define g_mime_charset_iconv_name gm.g_mime_charset_iconv_name
#define g_mime_content_type_get_mime_type gm.g_mime_content_type_get_mime_type
#define g_mime_content_type_is_type gm.g_mime_content_type_is_type
#define g_mime_data_wrapper_get_stream gm.g_mime_data_wrapper_get_stream
#define g_mime_data_wrapper_write_to_stream gm.g_mime_data_wrapper_write_to_stream
#define g_mime_header_get_name gm.g_mime_header_get_name
#define g_mime_header_get_value gm.g_mime_header_get_value
#define g_mime_header_list_get_count gm.g_mime_header_list_get_count
#define g_mime_header_list_get_header_at gm.g_mime_header_list_get_header_at
#define g_mime_init gm.g_mime_init
#define g_mime_message_get_addresses gm.g_mime_message_get_addresses
#define g_mime_message_get_from gm.g_mime_message_get_from
#define g_mime_message_get_message_id gm.g_mime_message_get_message_id
#define g_mime_message_get_mime_part gm.g_mime_message_get_mime_part
#define g_mime_message_get_subject gm.g_mime_message_get_subject
#define g_mime_message_part_get_message gm.g_mime_message_part_get_message
#define g_mime_message_part_get_type gm.g_mime_message_part_get_type
#define g_mime_multipart_encrypted_get_type gm.g_mime_multipart_encrypted_get_type
#define g_mime_multipart_get_count gm.g_mime_multipart_get_count
#define g_mime_multipart_get_part gm.g_mime_multipart_get_part
#define g_mime_multipart_get_type gm.g_mime_multipart_get_type
#define g_mime_multipart_signed_get_type gm.g_mime_multipart_signed_get_type
#define g_mime_object_get_content_type gm.g_mime_object_get_content_type
#define g_mime_object_get_content_type_parameter gm.g_mime_object_get_content_type_parameter
#define g_mime_object_get_header gm.g_mime_object_get_header
#define g_mime_object_get_header_list gm.g_mime_object_get_header_list
#define g_mime_object_get_type gm.g_mime_object_get_type
#define g_mime_object_write_to_stream gm.g_mime_object_write_to_stream
#define g_mime_parser_construct_message gm.g_mime_parser_construct_message
#define g_mime_parser_new_with_stream gm.g_mime_parser_new_with_stream
#define g_mime_part_get_content gm.g_mime_part_get_content
#define g_mime_part_get_filename gm.g_mime_part_get_filename
#define g_mime_part_get_type gm.g_mime_part_get_type
#define g_mime_part_is_attachment gm.g_mime_part_is_attachment
#define g_mime_references_free gm.g_mime_references_free
#define g_mime_references_get_message_id gm.g_mime_references_get_message_id
#define g_mime_references_length gm.g_mime_references_length
#define g_mime_references_parse gm.g_mime_references_parse
#define g_mime_stream_length gm.g_mime_stream_length
#define g_mime_stream_mem_get_byte_array gm.g_mime_stream_mem_get_byte_array
#define g_mime_stream_mem_get_type gm.g_mime_stream_mem_get_type
#define g_mime_stream_mem_new gm.g_mime_stream_mem_new
#define g_mime_stream_mem_new_with_buffer gm.g_mime_stream_mem_new_with_buffer
#define g_object_unref gm.g_object_unref
#define g_type_check_instance_is_a gm.g_type_check_instance_is_a

typedef struct Walk {
    Arena *a;
    InboundMail *m;
    Buf text;
    int parts;
    int files_cap;
    bool body_from_html;
    bool body_from_text;
} Walk;

/* ---- bytes and charsets ---- */

/* The decoded (transfer encoding undone) bytes of a leaf part, in a. */
static const unsigned char *part_bytes(Arena *a, GMimePart *part, size_t *size)
{
    *size = 0;
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (!content)
        return (const unsigned char *)"";
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(content, mem);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    unsigned char *copy = arena_alloc(a, bytes->len + 1);
    if (bytes->len)
        memcpy(copy, bytes->data, bytes->len); /* an empty array may have no data at all */
    *size = bytes->len;
    g_object_unref(mem);
    return copy;
}

/* Converts bytes in charset to UTF-8 (in a). Latin-1 is read as Windows-1252, its superset
 * in practice; unknown or failing charsets fall back to UTF-8 if valid, else Windows-1252,
 * else Latin-1; what remains invalid is repaired. */
static const char *to_utf8(Arena *a, const unsigned char *data, size_t size, const char *charset)
{
    const char *cs = charset ? g_mime_charset_iconv_name(charset) : NULL;
    const char *tries[4] = {NULL, NULL, NULL, NULL};
    int n = 0;
    bool latin1 =
        cs && (g_ascii_strcasecmp(cs, "iso-8859-1") == 0 ||
               g_ascii_strcasecmp(cs, "us-ascii") == 0 || g_ascii_strcasecmp(cs, "ascii") == 0);
    bool utf8 = cs && (g_ascii_strcasecmp(cs, "utf-8") == 0 || g_ascii_strcasecmp(cs, "utf8") == 0);
    if (!utf8 && str_utf8_valid((const char *)data, size) && (!cs || latin1))
        return arena_strndup(a, (const char *)data, size); /* mislabelled or plain ASCII */
    if (utf8)
        return str_utf8_repair(a, (const char *)data, size);
    if (cs && !latin1)
        tries[n++] = cs;
    tries[n++] = "WINDOWS-1252";
    tries[n++] = "ISO-8859-1";
    for (int i = 0; i < n; i++) {
        gsize written = 0;
        GError *err = NULL;
        gchar *out =
            g_convert((const gchar *)data, (gssize)size, "UTF-8", tries[i], NULL, &written, &err);
        if (err)
            g_error_free(err);
        if (out) {
            const char *copy = str_utf8_repair(a, out, written);
            g_free(out);
            return copy;
        }
    }
    return str_utf8_repair(a, (const char *)data, size);
}

/* ---- the MIME tree ---- */

static bool type_is(GMimeContentType *ct, const char *type, const char *subtype)
{
    return ct && g_mime_content_type_is_type(ct, type, subtype);
}

static void add_file(Walk *w, const char *filename, const char *content_type,
                     const unsigned char *data, size_t size)
{
    InboundMail *m = w->m;
    if (m->file_count >= INBOUND_MAX_FILES)
        return;
    m->files = arena_grow_array(w->a, m->files, m->file_count, &w->files_cap, sizeof *m->files);
    InboundFile *f = &m->files[m->file_count++];
    f->filename = filename ? str_utf8_repair(w->a, filename, strlen(filename)) : "";
    f->content_type = content_type ? content_type : "application/octet-stream";
    f->data = data;
    f->size = size;
}

/* Outlook's plain part names each inline image "[cid:image001.png@01DB...]": noise for people
 * (the image itself arrives as a file). */
static const char *strip_cid_refs(Arena *a, const char *text)
{
    if (!strstr(text, "[cid:"))
        return text;
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    const char *p = text;
    for (const char *hit; (hit = strstr(p, "[cid:"));) {
        const char *close = strchr(hit, ']');
        const char *nl = strchr(hit, '\n');
        if (!close || (nl && nl < close)) {
            buf_append(&b, p, (size_t)(hit + 5 - p));
            p = hit + 5;
            continue;
        }
        buf_append(&b, p, (size_t)(hit - p));
        p = close + 1;
    }
    buf_puts(&b, p);
    return buf_cstr(&b);
}

static void add_text(Walk *w, const char *text, bool from_html)
{
    text = strip_cid_refs(w->a, text);
    if (str_empty(text))
        return;
    if (w->text.len)
        buf_puts(&w->text, "\n\n");
    buf_puts(&w->text, text);
    if (from_html)
        w->body_from_html = true;
    else
        w->body_from_text = true;
}

/* Whether a leaf part is the body (text without a file name that is not an attachment). */
static bool part_is_body_text(GMimePart *part, GMimeContentType *ct)
{
    if (!type_is(ct, "text", "plain") && !type_is(ct, "text", "html"))
        return false;
    return !g_mime_part_is_attachment(part) && str_empty(g_mime_part_get_filename(part));
}

static void walk(Walk *w, GMimeObject *obj, int depth);

static void walk_leaf(Walk *w, GMimePart *part)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    size_t size = 0;
    const unsigned char *bytes = part_bytes(w->a, part, &size);
    if (part_is_body_text(part, ct)) {
        const char *text =
            to_utf8(w->a, bytes, size, g_mime_object_get_content_type_parameter(obj, "charset"));
        if (type_is(ct, "text", "html"))
            add_text(w, html_to_text(w->a, text, strlen(text)), true);
        else
            add_text(w, text, false);
        return;
    }
    char *mime = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    const char *type = mime ? arena_strdup(w->a, mime) : "application/octet-stream";
    g_free(mime);
    add_file(w, g_mime_part_get_filename(part), type, bytes, size);
}

/* A forwarded message attached whole (message/rfc822): kept as a .eml file. */
static void walk_message_part(Walk *w, GMimeMessagePart *mp)
{
    GMimeMessage *inner = g_mime_message_part_get_message(mp);
    if (!inner)
        return;
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    unsigned char *copy = arena_alloc(w->a, bytes->len + 1);
    memcpy(copy, bytes->data, bytes->len);
    const char *subject = g_mime_message_get_subject(inner);
    const char *name = g_mime_part_get_filename((GMimePart *)mp);
    if (str_empty(name) && GMIME_IS_PART(mp))
        name = NULL;
    if (str_empty(name))
        name = arena_printf(w->a, "%s.eml", str_empty(subject) ? "message" : subject);
    add_file(w, name, "message/rfc822", copy, bytes->len);
    g_object_unref(mem);
}

/* The child of a multipart/alternative to read: plain text first, then HTML, then the
 * first nested multipart (e.g. multipart/related around HTML). */
static GMimeObject *alternative_pick(GMimeMultipart *mp)
{
    int count = g_mime_multipart_get_count(mp);
    GMimeObject *html = NULL, *nested = NULL;
    for (int i = 0; i < count; i++) {
        GMimeObject *child = g_mime_multipart_get_part(mp, i);
        GMimeContentType *ct = g_mime_object_get_content_type(child);
        if (GMIME_IS_PART(child) && type_is(ct, "text", "plain")) {
            size_t size = 0;
            GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(child));
            GMimeStream *s = content ? g_mime_data_wrapper_get_stream(content) : NULL;
            gint64 len = s ? g_mime_stream_length(s) : 0;
            size = len > 0 ? (size_t)len : 0;
            if (size > 0)
                return child;
        } else if (GMIME_IS_PART(child) && type_is(ct, "text", "html") && !html) {
            html = child;
        } else if (GMIME_IS_MULTIPART(child) && !nested) {
            nested = child;
        }
    }
    if (html)
        return html;
    if (nested)
        return nested;
    return count ? g_mime_multipart_get_part(mp, count - 1) : NULL;
}

static void walk(Walk *w, GMimeObject *obj, int depth)
{
    if (!obj || depth > INBOUND_MAX_DEPTH || ++w->parts > INBOUND_MAX_PARTS)
        return;
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    if (GMIME_IS_MESSAGE_PART(obj)) {
        walk_message_part(w, GMIME_MESSAGE_PART(obj));
    } else if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        if (type_is(ct, "multipart", "alternative")) {
            walk(w, alternative_pick(mp), depth + 1);
            return;
        }
        if (GMIME_IS_MULTIPART_ENCRYPTED(obj))
            return; /* nothing readable without the key */
        int count = g_mime_multipart_get_count(mp);
        if (GMIME_IS_MULTIPART_SIGNED(obj) && count > 0)
            count = 1; /* the signature itself is no file for people */
        for (int i = 0; i < count; i++)
            walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
    } else if (GMIME_IS_PART(obj)) {
        if (type_is(ct, "application", "pgp-signature") ||
            type_is(ct, "application", "pkcs7-signature"))
            return;
        walk_leaf(w, GMIME_PART(obj));
    }
}

/* ---- headers ---- */

static const char *header(GMimeObject *obj, const char *name)
{
    const char *v = g_mime_object_get_header(obj, name);
    return v ? v : NULL;
}

static void add_addresses(Walk *w, InternetAddressList *list, int *cap)
{
    InboundMail *m = w->m;
    int n = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n && m->recipient_count < INBOUND_MAX_RECIPIENTS; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_addresses(w, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), cap);
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        if (str_empty(addr) || !str_utf8_valid(addr, strlen(addr)))
            continue;
        m->recipients =
            arena_grow_array(w->a, m->recipients, m->recipient_count, cap, sizeof *m->recipients);
        m->recipients[m->recipient_count++] = str_lower(w->a, addr);
    }
}

static void read_recipients(Walk *w, GMimeMessage *msg)
{
    int cap = 0;
    add_addresses(w, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), &cap);
    add_addresses(w, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC), &cap);
    GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
    int count = g_mime_header_list_get_count(headers);
    for (int i = 0; i < count; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
        const char *name = g_mime_header_get_name(h);
        if (g_ascii_strcasecmp(name, "Delivered-To") != 0 &&
            g_ascii_strcasecmp(name, "X-Original-To") != 0 &&
            g_ascii_strcasecmp(name, "Envelope-To") != 0)
            continue;
        const char *value = g_mime_header_get_value(h);
        InternetAddressList *list = value ? internet_address_list_parse(NULL, value) : NULL;
        if (list) {
            add_addresses(w, list, &cap);
            g_object_unref(list);
        }
    }
}

static void add_references(Walk *w, const char *value, int *cap)
{
    InboundMail *m = w->m;
    if (!value)
        return;
    GMimeReferences *refs = g_mime_references_parse(NULL, value);
    if (!refs)
        return;
    int n = g_mime_references_length(refs);
    for (int i = 0; i < n && m->reference_count < INBOUND_MAX_REFERENCES; i++) {
        const char *id = g_mime_references_get_message_id(refs, i);
        if (str_empty(id) || strlen(id) > 500 || !str_utf8_valid(id, strlen(id)))
            continue;
        m->references =
            arena_grow_array(w->a, m->references, m->reference_count, cap, sizeof *m->references);
        m->references[m->reference_count++] = arena_printf(w->a, "<%s>", id);
    }
    g_mime_references_free(refs);
}

static bool value_has_word(const char *value, const char *word)
{
    if (!value)
        return false;
    size_t n = strlen(word);
    for (const char *p = value; *p; p++)
        if (g_ascii_strncasecmp(p, word, n) == 0)
            return true;
    return false;
}

/* Auto-Submitted other than "no" (RFC 3834), and the headers other autoresponders use. */
static bool is_auto_submitted(GMimeObject *obj)
{
    const char *auto_submitted = header(obj, "Auto-Submitted");
    if (auto_submitted) {
        while (*auto_submitted == ' ' || *auto_submitted == '\t')
            auto_submitted++;
        size_t n = strcspn(auto_submitted, " \t;(");
        if (!(n == 2 && g_ascii_strncasecmp(auto_submitted, "no", 2) == 0))
            return true;
    }
    const char *suppress = header(obj, "X-Auto-Response-Suppress");
    if (value_has_word(suppress, "all") || value_has_word(suppress, "oof") ||
        value_has_word(suppress, "autoreply"))
        return true;
    return header(obj, "X-Autoreply") || header(obj, "X-Autorespond") ||
           header(obj, "X-Autoresponder");
}

static bool is_bounce(GMimeObject *obj, const char *from_addr)
{
    const char *return_path = header(obj, "Return-Path");
    if (return_path) {
        const char *p = return_path;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "<>", 2) == 0 || *p == '\0')
            return true;
    }
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    if (type_is(ct, "multipart", "report"))
        return true;
    return str_starts_with(from_addr, "mailer-daemon@") ||
           str_starts_with(from_addr, "postmaster@");
}

static bool is_bulk(GMimeObject *obj)
{
    const char *precedence = header(obj, "Precedence");
    return value_has_word(precedence, "bulk") || value_has_word(precedence, "junk") ||
           value_has_word(precedence, "list");
}

static void read_from(Walk *w, GMimeMessage *msg)
{
    InboundMail *m = w->m;
    m->from_addr = "";
    m->from_name = "";
    InternetAddressList *from = g_mime_message_get_from(msg);
    int n = from ? internet_address_list_length(from) : 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(from, i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        const char *lower = addr ? str_lower(w->a, addr) : "";
        if (!mail_address_valid(lower))
            continue;
        const char *name = internet_address_get_name(ia);
        m->from_addr = lower;
        m->from_name = name ? str_utf8_repair(w->a, name, strlen(name)) : "";
        return;
    }
}

bool inbound_parse(Arena *a, const char *data, size_t size, InboundMail *out, const char **problem)
{
    memset(out, 0, sizeof *out);
    *problem = NULL;
    if (!inbound_available()) {
        *problem = "the GMime library (" GMIME_LIBRARY ") cannot be loaded";
        return false;
    }
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, size);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);
    if (!msg) {
        *problem = "no message headers";
        return false;
    }
    GMimeObject *obj = GMIME_OBJECT(msg);
    Walk w = {.a = a, .m = out};
    buf_init(&w.text, a);
    read_from(&w, msg);
    read_recipients(&w, msg);
    const char *subject = g_mime_message_get_subject(msg);
    out->subject = subject ? str_utf8_repair(a, subject, strlen(subject)) : "";
    const char *id = g_mime_message_get_message_id(msg);
    out->message_id = (!str_empty(id) && strlen(id) <= 500)
                          ? str_utf8_repair(a, arena_printf(a, "<%s>", id), strlen(id) + 2)
                          : "";
    int ref_cap = 0;
    add_references(&w, header(obj, "In-Reply-To"), &ref_cap);
    add_references(&w, header(obj, "References"), &ref_cap);
    out->auto_submitted = is_auto_submitted(obj);
    out->bulk = is_bulk(obj);
    out->ours = header(obj, "X-Pforte") != NULL;
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    out->bounce = is_bounce(obj, out->from_addr) ||
                  (body && type_is(g_mime_object_get_content_type(body), "multipart", "report"));
    walk(&w, body, 0);
    out->text = w.text.len ? buf_cstr(&w.text) : "";
    out->text_from_html = w.body_from_html && !w.body_from_text;
    g_object_unref(msg);
    return true;
}
