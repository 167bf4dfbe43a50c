/* request: the accessors handlers use to read a Request and fill a Response. Everything is
 * allocated in the request arena; nothing here talks to the network.
 * SECURITY: header values, cookie values and redirect targets are validated here so a
 * handler cannot split a response or redirect off-site by passing user input along. */
#include "http/request.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "http/cookie.h"
#include <string.h>
#include <strings.h>

void request_init(Request *req, Arena *a)
{
    memset(req, 0, sizeof *req);
    req->arena = a;
}

void response_init(Response *res, Arena *a)
{
    memset(res, 0, sizeof *res);
    buf_init(&res->body, a);
}

const char *request_header(Request *req, const char *name)
{
    for (const Header *h = req->headers; h; h = h->next)
        if (strcasecmp(h->name, name) == 0)
            return h->value;
    return NULL;
}

static const char *param_find(const Param *p, const char *name)
{
    for (; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p->value;
    return NULL;
}

const char *request_query(Request *req, const char *name)
{
    return param_find(req->query, name);
}

const char *request_form(Request *req, const char *name)
{
    return param_find(req->form, name);
}

const char *request_cookie(Request *req, const char *name)
{
    return param_find(req->cookies, name);
}

const char *request_param(Request *req, const char *name)
{
    for (int i = 0; i < req->route_count; i++)
        if (strcmp(req->route_names[i], name) == 0)
            return req->route_values[i];
    return NULL;
}

const UploadedFile *request_file(Request *req, const char *name)
{
    for (const UploadedFile *f = req->files; f; f = f->next)
        if (strcmp(f->field, name) == 0)
            return f;
    return NULL;
}

static bool header_value_valid(const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return false;
    return true;
}

void response_header(Response *res, Request *req, const char *name, const char *value)
{
    if (!cookie_name_valid(name) || !value || !header_value_valid(value)) {
        log_error("event=bad_response_header name_ok=%d", cookie_name_valid(name));
        return;
    }
    Header *h = arena_alloc(req->arena, sizeof *h);
    h->name = arena_strdup(req->arena, name);
    h->value = arena_strdup(req->arena, value);
    Header **tail = &res->headers;
    while (*tail)
        tail = &(*tail)->next;
    *tail = h;
}

void response_cookie(Response *res, Request *req, const char *name, const char *value,
                     int64_t max_age)
{
    if (!cookie_name_valid(name) || !cookie_value_valid(value)) {
        log_error("event=bad_cookie name_ok=%d", cookie_name_valid(name));
        return;
    }
    Buf b;
    buf_init(&b, req->arena);
    buf_printf(&b, "%s=%s; Path=/", name, value);
    if (max_age >= 0)
        buf_printf(&b, "; Max-Age=%lld", (long long)max_age);
    buf_puts(&b, "; HttpOnly; SameSite=Lax");
    if (cfg.base_url && strncasecmp(cfg.base_url, "https://", 8) == 0)
        buf_puts(&b, "; Secure");
    response_header(res, req, "Set-Cookie", buf_cstr(&b));
}

/* A path on this site: "/x" but not "//host" or "/\host" (browsers read both as another
 * host) and no control characters (browsers drop tabs and newlines, which would turn
 * "/\t/host" into "//host"). */
static bool redirect_target_local(const char *location)
{
    if (!location || location[0] != '/' || location[1] == '/' || location[1] == '\\')
        return false;
    for (const unsigned char *p = (const unsigned char *)location; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

void response_redirect(Response *res, Request *req, const char *location)
{
    if (!redirect_target_local(location)) {
        log_warn("event=redirect_refused");
        location = "/";
    }
    res->status = 303;
    buf_clear(&res->body);
    res->raw = NULL;
    response_header(res, req, "Location", location);
}

void response_text(Response *res, int status, const char *content_type, const char *text)
{
    res->status = status;
    res->content_type = content_type ? content_type : "text/plain; charset=utf-8";
    res->raw = NULL;
    buf_clear(&res->body);
    buf_puts(&res->body, text);
}
