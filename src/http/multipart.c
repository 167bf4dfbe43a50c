/* multipart: streaming multipart/form-data parser. The body is read as a byte-at-a-time
 * state machine (with memchr runs through part data), so chunk borders may fall anywhere,
 * even inside the boundary or a CRLF.
 * SECURITY: never reads outside the bytes fed to it, never accepts a body it cannot parse
 * unambiguously, and bounds part headers and the number of parts. */
#include "http/multipart.h"
#include "core/str.h"
#include "http/form.h"
#include <string.h>
#include <strings.h>

/* Once a part's buffer would pass this size it grows straight to the largest size the rest
 * of the body allows, so a big upload is not copied over and over while it arrives. */
#define MULTIPART_GROW_JUMP (256 * 1024)

typedef enum {
    MP_PREAMBLE,    /* before the first boundary: ignored */
    MP_AFTER_DELIM, /* just read CRLF--boundary: "--", padding or CRLF follows */
    MP_CLOSE_DASH,  /* read "--boundary-": the second '-' must follow */
    MP_PADDING,     /* transport padding (spaces, tabs) before the CRLF */
    MP_DELIM_LF,    /* read the CR after the boundary */
    MP_HEADERS,     /* a part's header block, up to the empty line */
    MP_DATA,        /* a part's content, up to the next CRLF--boundary */
    MP_EPILOGUE,    /* after the closing boundary: ignored */
    MP_ERROR,
} MultipartState;

typedef struct MultipartPart {
    const char *name;
    const char *filename; /* NULL: a text field */
    const char *content_type;
} MultipartPart;

struct MultipartParser {
    Arena *arena;
    MultipartState state;
    const char *error;
    char delim[4 + MULTIPART_MAX_BOUNDARY + 1]; /* "\r\n--" boundary */
    size_t delim_len;
    size_t match; /* bytes of delim matched so far */
    char *header; /* MULTIPART_MAX_HEADER_BYTES */
    size_t header_len;
    MultipartPart part;
    char *data; /* current part's content */
    size_t data_len, data_cap;
    size_t size_hint, fed;
    int parts;
    ParamList fields;
    UploadedFile *files;
    UploadedFile **files_tail;
};

static bool boundary_char(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c && strchr("'()+_,-./:=? ", c) != NULL;
}

static bool boundary_valid(const char *b, size_t n)
{
    if (n < 1 || n > MULTIPART_MAX_BOUNDARY || b[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!boundary_char((unsigned char)b[i]))
            return false;
    return true;
}

const char *multipart_boundary(Arena *a, const char *content_type)
{
    static const char TYPE[] = "multipart/form-data";
    if (!content_type || strncasecmp(content_type, TYPE, sizeof TYPE - 1) != 0)
        return NULL;
    const char *p = content_type + sizeof TYPE - 1;
    if (*p && *p != ';' && *p != ' ' && *p != '\t')
        return NULL;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        size_t name_len = strcspn(p, "=;");
        if (p[name_len] != '=') {
            p += name_len;
            continue;
        }
        const char *v = p + name_len + 1;
        size_t v_len;
        bool quoted = *v == '"';
        if (quoted) {
            v++;
            const char *end = strchr(v, '"');
            if (!end)
                return NULL;
            v_len = (size_t)(end - v);
        } else {
            v_len = strcspn(v, "; \t");
        }
        if (name_len == 8 && strncasecmp(p, "boundary", 8) == 0)
            return boundary_valid(v, v_len) ? arena_strndup(a, v, v_len) : NULL;
        p = v + v_len + (quoted ? 1 : 0);
    }
    return NULL;
}

MultipartParser *multipart_new(Arena *a, const char *boundary, size_t size_hint)
{
    size_t n = boundary ? strlen(boundary) : 0;
    if (!boundary_valid(boundary, n))
        return NULL;
    MultipartParser *p = arena_alloc(a, sizeof *p);
    p->arena = a;
    p->state = MP_PREAMBLE;
    memcpy(p->delim, "\r\n--", 4);
    memcpy(p->delim + 4, boundary, n);
    p->delim_len = 4 + n;
    p->match = 2; /* the body may start with the boundary: pretend a CRLF came before it */
    p->header = arena_alloc(a, MULTIPART_MAX_HEADER_BYTES);
    p->size_hint = size_hint;
    param_list_init(&p->fields);
    p->files_tail = &p->files;
    return p;
}

static bool mp_fail(MultipartParser *p, const char *why)
{
    p->state = MP_ERROR;
    p->error = why;
    return false;
}

/* ---- part content ---- */

static void mp_data_reserve(MultipartParser *p, size_t extra)
{
    size_t need = p->data_len + extra + 1;
    if (need <= p->data_cap)
        return;
    size_t cap = p->data_cap ? p->data_cap * 2 : 1024;
    if (cap < need)
        cap = need;
    if (cap > MULTIPART_GROW_JUMP && p->size_hint > p->fed) {
        /* the rest of the body bounds this part: grow once to that bound */
        size_t bound = p->data_len + (p->size_hint - p->fed) + 1;
        if (bound > cap)
            cap = bound;
    }
    p->data = arena_realloc(p->arena, p->data, p->data_cap, cap);
    p->data_cap = cap;
}

static void mp_data_append(MultipartParser *p, const char *s, size_t n)
{
    if (!n)
        return;
    mp_data_reserve(p, n);
    memcpy(p->data + p->data_len, s, n);
    p->data_len += n;
}

/* Scans for the delimiter from *pos. Part content (when keep) goes to the part buffer.
 * Returns true when the whole delimiter has been read; *pos is then just after it. The
 * delimiter's only CR is its first byte, so after a mismatch the bytes held back are plain
 * content and matching restarts at the current byte. */
static bool mp_scan(MultipartParser *p, const char *data, size_t n, size_t *pos, bool keep)
{
    size_t i = *pos;
    while (i < n) {
        if (p->match == 0) {
            const char *cr = memchr(data + i, '\r', n - i);
            size_t run_end = cr ? (size_t)(cr - data) : n;
            if (keep)
                mp_data_append(p, data + i, run_end - i);
            i = run_end;
            if (!cr)
                break;
            p->match = 1;
            i++;
        } else if (data[i] == p->delim[p->match]) {
            i++;
            if (++p->match == p->delim_len) {
                p->match = 0;
                *pos = i;
                return true;
            }
        } else {
            if (keep)
                mp_data_append(p, p->delim, p->match);
            p->match = 0;
        }
    }
    *pos = i;
    return false;
}

static bool mp_part_end(MultipartParser *p)
{
    char *data = p->data ? arena_realloc(p->arena, p->data, p->data_cap, p->data_len + 1)
                         : arena_alloc(p->arena, 1);
    data[p->data_len] = '\0';
    size_t size = p->data_len;
    p->data = NULL;
    p->data_len = p->data_cap = 0;
    if (!p->part.filename) {
        if (memchr(data, '\0', size))
            return mp_fail(p, "field holds a NUL byte");
        /* invalid UTF-8 is marked with U+FFFD, as in urlencoded forms: the form comes back */
        param_list_add(&p->fields, p->arena, p->part.name,
                       str_utf8_valid(data, size) ? data : str_utf8_repair(p->arena, data, size));
        return true;
    }
    if (!*p->part.filename && size == 0)
        return true; /* a file input left empty */
    UploadedFile *f = arena_alloc(p->arena, sizeof *f);
    f->field = p->part.name;
    f->filename = p->part.filename;
    f->content_type = p->part.content_type;
    f->data = (const unsigned char *)data;
    f->size = size;
    *p->files_tail = f;
    p->files_tail = &f->next;
    return true;
}

/* ---- part headers ---- */

/* Text from a header parameter: valid UTF-8 without control characters. */
/* Browsers (HTML's form encoding) send '"' in names as %22; that one escape is decoded. CR and
 * LF arrive as %0D/%0A and stay as they are: no control character enters a name. */
static const char *mp_param_text(Arena *a, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return NULL;
    if (!str_utf8_valid(s, n))
        return NULL;
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && s[i + 1] == '2' && s[i + 2] == '2') {
            out[j++] = '"';
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

/* RFC 5987 ext-value: charset'language'percent-encoded (UTF-8 or ISO-8859-1). */
static const char *mp_ext_value(Arena *a, const char *s, size_t n)
{
    const char *q1 = memchr(s, '\'', n);
    const char *q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s)) : NULL;
    if (!q2)
        return NULL;
    size_t charset_len = (size_t)(q1 - s);
    const char *v = q2 + 1;
    size_t v_len = n - (size_t)(v - s);
    if (memchr(v, '+', v_len))
        return NULL; /* '+' is not an attr-char; it means nothing here */
    char *raw = str_url_decode(a, v, v_len, false);
    if (!raw)
        return NULL;
    size_t escapes = 0;
    for (size_t i = 0; i < v_len; i++)
        escapes += v[i] == '%';
    size_t raw_len = v_len - 2 * escapes;
    if (charset_len == 5 && strncasecmp(s, "UTF-8", 5) == 0)
        return mp_param_text(a, raw, raw_len);
    if (charset_len != 10 || strncasecmp(s, "ISO-8859-1", 10) != 0)
        return NULL;
    char *utf8 = arena_alloc(a, raw_len * 2 + 1);
    size_t j = 0;
    for (size_t i = 0; i < raw_len; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c < 0x80) {
            utf8[j++] = (char)c;
        } else {
            utf8[j++] = (char)(0xC0 | (c >> 6));
            utf8[j++] = (char)(0x80 | (c & 0x3F));
        }
    }
    return mp_param_text(a, utf8, j);
}

typedef struct DispositionParam {
    const char *name, *value;
    size_t name_len, value_len;
} DispositionParam;

/* Reads one "; name=value" or "; name="value"" at *s. No backslash escapes: browsers send
 * names and filenames with '"' as %22 and keep backslashes of Windows paths literally. */
static bool mp_next_param(const char **s, DispositionParam *out)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != ';')
        return false;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    out->name = p;
    out->name_len = strcspn(p, "=; \t\"");
    p += out->name_len;
    if (!out->name_len || *p != '=')
        return false;
    p++;
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        if (!end)
            return false;
        out->value = p + 1;
        out->value_len = (size_t)(end - p - 1);
        p = end + 1;
    } else {
        out->value = p;
        out->value_len = strcspn(p, "; \t");
        p += out->value_len;
    }
    *s = p;
    return true;
}

static bool param_is(const DispositionParam *dp, const char *name)
{
    return dp->name_len == strlen(name) && strncasecmp(dp->name, name, dp->name_len) == 0;
}

static bool mp_disposition(MultipartParser *p, const char *value)
{
    if (strncasecmp(value, "form-data", 9) != 0)
        return mp_fail(p, "part is not form-data");
    const char *s = value + 9, *name = NULL, *filename = NULL, *filename_ext = NULL;
    DispositionParam dp;
    while (*s) {
        if (!mp_next_param(&s, &dp))
            return mp_fail(p, "bad Content-Disposition");
        const char **slot = param_is(&dp, "name")        ? &name
                            : param_is(&dp, "filename")  ? &filename
                            : param_is(&dp, "filename*") ? &filename_ext
                                                         : NULL;
        if (!slot)
            continue;
        if (*slot)
            return mp_fail(p, "repeated Content-Disposition parameter");
        *slot = slot == &filename_ext ? mp_ext_value(p->arena, dp.value, dp.value_len)
                                      : mp_param_text(p->arena, dp.value, dp.value_len);
        if (!*slot)
            return mp_fail(p, "bad Content-Disposition parameter");
    }
    if (str_empty(name))
        return mp_fail(p, "part without a name");
    p->part.name = name;
    p->part.filename = filename_ext ? filename_ext : filename;
    return true;
}

static bool mp_header_line(MultipartParser *p, const char *line, size_t n, bool *have_cd)
{
    if (n == 0 || memchr(line, '\r', n) || memchr(line, '\n', n) || memchr(line, '\0', n))
        return mp_fail(p, "bare CR, LF or NUL in part headers");
    if (line[0] == ' ' || line[0] == '\t')
        return mp_fail(p, "folded part header");
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line || colon[-1] == ' ' || colon[-1] == '\t')
        return mp_fail(p, "bad part header");
    size_t name_len = (size_t)(colon - line);
    const char *v = colon + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char *value = arena_strndup(p->arena, v, (size_t)(end - v));
    if (name_len == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
        if (*have_cd)
            return mp_fail(p, "repeated Content-Disposition");
        *have_cd = true;
        return mp_disposition(p, value);
    }
    if (name_len == 12 && strncasecmp(line, "Content-Type", 12) == 0)
        p->part.content_type = mp_param_text(p->arena, value, strlen(value));
    return true; /* other part headers (Content-Transfer-Encoding, ...) are ignored */
}

/* Parses the complete header block (ending in the empty line) of the current part. */
static bool mp_headers_done(MultipartParser *p)
{
    memset(&p->part, 0, sizeof p->part);
    bool have_cd = false;
    size_t start = 0, end = p->header_len - 2; /* drop the empty line's CRLF */
    while (start < end) {
        const char *crlf = memmem(p->header + start, end - start, "\r\n", 2);
        size_t line_end = crlf ? (size_t)(crlf - p->header) : end;
        if (!mp_header_line(p, p->header + start, line_end - start, &have_cd))
            return false;
        start = line_end + 2;
    }
    if (!have_cd)
        return mp_fail(p, "part without Content-Disposition");
    return true;
}

/* Collects header bytes up to the empty line; returns false on error. */
static bool mp_read_headers(MultipartParser *p, const char *data, size_t n, size_t *pos)
{
    while (*pos < n) {
        if (p->header_len == MULTIPART_MAX_HEADER_BYTES)
            return mp_fail(p, "part headers too large");
        p->header[p->header_len++] = data[(*pos)++];
        size_t len = p->header_len;
        bool empty_block = len == 2 && memcmp(p->header, "\r\n", 2) == 0;
        if (empty_block || (len >= 4 && memcmp(p->header + len - 4, "\r\n\r\n", 4) == 0)) {
            if (empty_block)
                return mp_fail(p, "part without headers");
            if (!mp_headers_done(p))
                return false;
            p->state = MP_DATA;
            return true;
        }
    }
    return true;
}

/* ---- the boundary line ---- */

static bool mp_boundary_byte(MultipartParser *p, char c)
{
    switch (p->state) {
    case MP_AFTER_DELIM:
        p->state = c == '-' ? MP_CLOSE_DASH : c == '\r' ? MP_DELIM_LF : MP_PADDING;
        if (p->state == MP_PADDING && c != ' ' && c != '\t')
            return mp_fail(p, "boundary followed by junk");
        return true;
    case MP_CLOSE_DASH:
        if (c != '-')
            return mp_fail(p, "boundary followed by junk");
        p->state = MP_EPILOGUE;
        return true;
    case MP_PADDING:
        if (c == '\r')
            p->state = MP_DELIM_LF;
        else if (c != ' ' && c != '\t')
            return mp_fail(p, "boundary followed by junk");
        return true;
    default: /* MP_DELIM_LF */
        if (c != '\n')
            return mp_fail(p, "boundary line without CRLF");
        if (++p->parts > FORM_MAX_FIELDS)
            return mp_fail(p, "too many parts");
        p->header_len = 0;
        p->state = MP_HEADERS;
        return true;
    }
}

static bool mp_step(MultipartParser *p, const char *data, size_t n, size_t *pos)
{
    switch (p->state) {
    case MP_PREAMBLE:
        if (mp_scan(p, data, n, pos, false))
            p->state = MP_AFTER_DELIM;
        return true;
    case MP_DATA:
        if (!mp_scan(p, data, n, pos, true))
            return true;
        p->state = MP_AFTER_DELIM;
        return mp_part_end(p);
    case MP_HEADERS:
        return mp_read_headers(p, data, n, pos);
    case MP_EPILOGUE:
        *pos = n;
        return true;
    case MP_ERROR:
        return false;
    default:
        return mp_boundary_byte(p, data[(*pos)++]);
    }
}

bool multipart_feed(MultipartParser *p, const char *data, size_t n)
{
    size_t pos = 0;
    while (pos < n)
        if (!mp_step(p, data, n, &pos))
            return false;
    p->fed += n;
    return p->state != MP_ERROR;
}

bool multipart_finish(MultipartParser *p)
{
    if (p->state == MP_ERROR)
        return false;
    if (p->state != MP_EPILOGUE)
        return mp_fail(p, "body ends before the closing boundary");
    return true;
}

const char *multipart_error(const MultipartParser *p)
{
    return p->error;
}

Param *multipart_fields(const MultipartParser *p)
{
    return p->fields.head;
}

UploadedFile *multipart_files(const MultipartParser *p)
{
    return p->files;
}
