/* respond: the last step before bytes leave - default Content-Type, the security headers
 * every response carries, Cache-Control, gzip. Handlers may override a security header by
 * setting it themselves (attachments send a sandboxing CSP); they can never remove one.
 * SECURITY: CSP without inline script, frame-ancestors 'none', nosniff, Referrer-Policy,
 * X-Frame-Options on every response; HSTS when the public URL is https. */
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "http/compress.h"
#include "http/exchange.h"
#include <string.h>
#include <strings.h>

#define DEFAULT_CONTENT_TYPE "text/html; charset=utf-8"

static const char *const SECURITY_HEADERS[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
    {NULL, NULL},
};

typedef struct HeaderList {
    Header *head;
    Header **tail;
    Arena *arena;
} HeaderList;

static void list_add(HeaderList *list, const char *name, const char *value)
{
    Header *h = arena_alloc(list->arena, sizeof *h);
    h->name = name;
    h->value = value;
    *list->tail = h;
    list->tail = &h->next;
}

static bool list_has(const HeaderList *list, const char *name)
{
    for (const Header *h = list->head; h; h = h->next)
        if (strcasecmp(h->name, name) == 0)
            return true;
    return false;
}

/* Copies the handler's headers, dropping any that could split the response. */
static void copy_handler_headers(HeaderList *list, const Header *h)
{
    for (; h; h = h->next) {
        if (!h->name || !h->value || strpbrk(h->name, "\r\n: \t") || strpbrk(h->value, "\r\n") ||
            strcasecmp(h->name, "Content-Length") == 0) {
            log_error("event=bug reason=bad_response_header");
            continue;
        }
        list_add(list, h->name, h->value);
    }
}

static void add_default_headers(HeaderList *list)
{
    for (int i = 0; SECURITY_HEADERS[i][0]; i++)
        if (!list_has(list, SECURITY_HEADERS[i][0]))
            list_add(list, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
    if (cfg.base_url && strncasecmp(cfg.base_url, "https://", 8) == 0 &&
        !list_has(list, "Strict-Transport-Security"))
        list_add(list, "Strict-Transport-Security", "max-age=31536000");
    if (!list_has(list, "Cache-Control"))
        list_add(list, "Cache-Control", "no-store");
}

/* gzip when the type is worth it, the client takes it and nobody encoded the body yet. */
static void maybe_compress(Exchange *ex, HeaderList *list, const char *type, Outgoing *out)
{
    Response *res = &ex->res;
    if (res->no_compress || !compress_type_worth_it(type) || list_has(list, "Content-Encoding"))
        return;
    list_add(list, "Vary", "Accept-Encoding");
    if (out->len < COMPRESS_MIN_BYTES ||
        !compress_accepts_gzip(request_header(&ex->req, "Accept-Encoding")))
        return;
    size_t gz_len;
    unsigned char *gz = compress_gzip(ex->arena, out->body, out->len, &gz_len);
    if (!gz)
        return;
    out->body = gz;
    out->len = gz_len;
    list_add(list, "Content-Encoding", "gzip");
}

void exchange_prepare(Exchange *ex, bool closing, Outgoing *out)
{
    Response *res = &ex->res;
    HeaderList list = {NULL, &list.head, ex->arena};
    out->status = res->status;
    out->body = res->raw ? res->raw : (const unsigned char *)buf_cstr(&res->body);
    out->len = res->raw ? res->raw_len : res->body.len;
    bool bodyless = out->status == 204 || out->status == 304 || out->status < 200;
    const char *type = res->content_type ? res->content_type : DEFAULT_CONTENT_TYPE;
    copy_handler_headers(&list, res->headers);
    if (bodyless)
        out->len = 0;
    else if (!list_has(&list, "Content-Type"))
        list_add(&list, "Content-Type", type);
    add_default_headers(&list);
    if (!bodyless)
        maybe_compress(ex, &list, type, out);
    if (closing)
        list_add(&list, "Connection", "close");
    out->headers = list.head;
}
