/* head: turns the request head into Request fields and applies the head limits - 414 for a
 * long target, 431 for a large head, 413 for a Content-Length over the limit, 400 for a
 * target or query that does not decode.
 * SECURITY: every limit is checked before anything big is read or allocated. */
#include "core/clock.h"
#include "core/str.h"
#include "http/cookie.h"
#include "http/exchange.h"
#include "http/form.h"
#include <string.h>
#include <strings.h>

#define LOG_PATH_MAX 200

/* The raw path with anything that could break a key=value log line replaced by '?'. */
static const char *log_safe_path(Arena *a, const char *uri)
{
    size_t n = strcspn(uri, "?");
    bool cut = n > LOG_PATH_MAX;
    if (cut)
        n = LOG_PATH_MAX;
    char *out = arena_alloc(a, n + 4);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)uri[i];
        out[i] = (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
    }
    if (cut)
        memcpy(out + n, "...", 3);
    return n ? out : "-";
}

Exchange *exchange_new(Arena *a, uint64_t id, const char *raw_uri)
{
    Exchange *ex = arena_alloc(a, sizeof *ex);
    ex->arena = a;
    ex->started_ms = clock_mono_ms();
    request_init(&ex->req, a);
    response_init(&ex->res, a);
    buf_init(&ex->body, a);
    ex->req.id = id;
    ex->req.method = "-";
    ex->req.path = ex->req.raw_path = "/"; /* until the target is known to be sound */
    ex->raw_uri = arena_strdup(a, raw_uri ? raw_uri : "");
    ex->log_path = log_safe_path(a, ex->raw_uri);
    ex->content_length = -1;
    return ex;
}

void exchange_add_header(Exchange *ex, const char *name, const char *value)
{
    if (!name)
        return;
    Header *h = arena_alloc(ex->arena, sizeof *h);
    h->name = name;
    h->value = value ? value : "";
    Header **tail = &ex->req.headers;
    while (*tail)
        tail = &(*tail)->next;
    *tail = h;
}

/* Bytes of the head as sent: request line, header lines, final CRLF. */
static size_t head_size(const Exchange *ex, const char *version)
{
    size_t n = strlen(ex->req.method) + strlen(ex->raw_uri) + strlen(version ? version : "") + 4;
    for (const Header *h = ex->req.headers; h; h = h->next)
        n += strlen(h->name) + strlen(h->value) + 4;
    return n + 2;
}

/* A percent-decoded copy, or NULL for bad escapes and encoded NULs. */
static char *decode_clean(Arena *a, const char *s, size_t n)
{
    char *out = str_url_decode(a, s, n, false);
    size_t escapes = 0;
    for (size_t i = 0; i < n; i++)
        escapes += s[i] == '%';
    return out && strlen(out) == n - 2 * escapes ? out : NULL;
}

static int head_parse_target(Exchange *ex)
{
    Request *req = &ex->req;
    const char *uri = ex->raw_uri;
    if (uri[0] != '/')
        return 400;
    size_t path_len = strcspn(uri, "?#");
    char *path = decode_clean(req->arena, uri, path_len);
    if (!path)
        return 400;
    req->path = path;
    req->raw_path = arena_strndup(req->arena, uri, path_len);
    if (uri[path_len] == '?') {
        const char *query = uri + path_len + 1;
        ParamList list;
        param_list_init(&list);
        if (!form_parse_urlencoded(req->arena, query, strcspn(query, "#"), &list))
            return 400;
        req->query = list.head;
    }
    return 0;
}

/* True when content_type's media type (before any ';') is type. */
static bool media_type_is(const char *content_type, const char *type)
{
    size_t n = strlen(type);
    if (!content_type || strncasecmp(content_type, type, n) != 0)
        return false;
    char next = content_type[n];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

/* Content-Length and Transfer-Encoding: whether a body follows (known before any limit is
 * checked, so an early refusal knows to skip it). */
static int head_body_presence(Exchange *ex)
{
    const char *length = request_header(&ex->req, "Content-Length");
    if (length && (!str_to_int64(length, &ex->content_length) || ex->content_length < 0))
        return 400;
    ex->has_body = ex->content_length > 0 || request_header(&ex->req, "Transfer-Encoding");
    return 0;
}

static int head_body_setup(Exchange *ex, const ServerOptions *opt)
{
    Request *req = &ex->req;
    const char *type = request_header(req, "Content-Type");
    ex->body_kind = media_type_is(type, "application/x-www-form-urlencoded") ? BODY_FORM
                    : media_type_is(type, "multipart/form-data")             ? BODY_MULTIPART
                    : ex->has_body                                           ? BODY_OTHER
                                                                             : BODY_NONE;
    ex->body_limit = ex->body_kind == BODY_MULTIPART ? opt->max_upload_bytes : opt->max_form_bytes;
    if (ex->content_length > ex->body_limit)
        return 413;
    if (ex->body_kind == BODY_MULTIPART) {
        const char *boundary = multipart_boundary(req->arena, type);
        size_t hint = ex->content_length > 0 ? (size_t)ex->content_length : 0;
        ex->multipart = boundary ? multipart_new(req->arena, boundary, hint) : NULL;
        return ex->multipart ? 0 : 400;
    }
    if (ex->content_length > 0)
        buf_reserve(&ex->body, (size_t)ex->content_length);
    return 0;
}

/* Every Cookie header (a proxy may split them), parsed as one. */
static Param *head_cookies(Request *req)
{
    Buf all;
    buf_init(&all, req->arena);
    for (const Header *h = req->headers; h; h = h->next) {
        if (strcasecmp(h->name, "Cookie") != 0)
            continue;
        if (all.len)
            buf_puts(&all, "; ");
        buf_puts(&all, h->value);
    }
    return all.len ? cookie_parse(req->arena, all.data) : NULL;
}

int exchange_read_head(Exchange *ex, const ServerOptions *opt, const char *version)
{
    ex->body_limit = opt->max_form_bytes; /* what an early refusal drains at most */
    int status = head_body_presence(ex);
    if (status)
        return status;
    if (!cookie_name_valid(ex->req.method)) /* a method is a token, like a cookie name */
        return 400;
    if ((int64_t)strlen(ex->raw_uri) > opt->max_url_bytes)
        return 414;
    if ((int64_t)head_size(ex, version) > opt->max_header_bytes)
        return 431;
    status = head_parse_target(ex);
    if (status)
        return status;
    ex->req.cookies = head_cookies(&ex->req);
    return head_body_setup(ex, opt);
}
