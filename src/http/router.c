/* router: matches method + path against the route table, segment by segment. Literal
 * segments are compared with the percent-decoded path segment; {name} takes one non-empty
 * segment, decoded. It never allocates unless a route matched (or 405 needs Allow). */
#include "http/router.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include <string.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* True when the raw (percent-encoded) segment decodes to exactly the literal. */
static bool segment_equals(const char *raw, size_t raw_len, const char *lit, size_t lit_len)
{
    size_t i = 0, j = 0;
    while (i < raw_len && j < lit_len) {
        char c = raw[i];
        if (c == '%') {
            if (i + 2 >= raw_len)
                return false;
            int hi = hex_digit(raw[i + 1]), lo = hex_digit(raw[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            i += 3;
        } else {
            i++;
        }
        if (c != lit[j++])
            return false;
    }
    return i == raw_len && j == lit_len;
}

typedef struct Segments {
    const char *start[ROUTE_MAX_PARAMS];
    size_t len[ROUTE_MAX_PARAMS];
    const char *name[ROUTE_MAX_PARAMS];
    size_t name_len[ROUTE_MAX_PARAMS];
    int count;
} Segments;

/* Walks pattern and path together; on a match, out holds the raw parameter segments. */
static bool pattern_matches(const char *pattern, const char *path, Segments *out)
{
    out->count = 0;
    if (pattern[0] != '/' || path[0] != '/')
        return false;
    const char *p = pattern + 1, *s = path + 1;
    for (;;) {
        if (*p != '{' && *s != '%' && *p != *s)
            return false; /* a literal segment that differs in its first character */
        size_t p_len = strcspn(p, "/"), s_len = strcspn(s, "/");
        if (p_len >= 2 && p[0] == '{' && p[p_len - 1] == '}') {
            if (s_len == 0 || out->count == ROUTE_MAX_PARAMS)
                return false;
            out->start[out->count] = s;
            out->len[out->count] = s_len;
            out->name[out->count] = p + 1;
            out->name_len[out->count++] = p_len - 2;
        } else if (!segment_equals(s, s_len, p, p_len)) {
            return false;
        }
        p += p_len;
        s += s_len;
        if (!*p || !*s)
            return !*p && !*s;
        p++; /* both at '/' */
        s++;
    }
}

/* Decodes the raw segment; NULL when the escapes are bad, it holds a NUL or it is not
 * UTF-8. */
static char *param_decode(Arena *a, const char *raw, size_t n)
{
    char *v = str_url_decode(a, raw, n, false);
    if (!v)
        return NULL;
    size_t escapes = 0;
    for (size_t k = 0; k < n; k++)
        escapes += raw[k] == '%';
    size_t len = strlen(v);
    if (len == 0 || len != n - 2 * escapes || !str_utf8_valid(v, len))
        return NULL;
    return v;
}

/* Decodes every parameter; false (the route does not match) when one is not clean text. */
static bool params_decode(Arena *a, const Segments *seg, const char **values)
{
    for (int i = 0; i < seg->count; i++)
        if (!(values[i] = param_decode(a, seg->start[i], seg->len[i])))
            return false;
    return true;
}

static bool method_allows(const char *route_method, const char *method)
{
    return str_eq(route_method, method) || (str_eq(method, "HEAD") && str_eq(route_method, "GET"));
}

typedef struct MethodSet {
    const char *names[16];
    int count;
} MethodSet;

static void method_set_add(MethodSet *set, const char *name)
{
    for (int i = 0; i < set->count; i++)
        if (str_eq(set->names[i], name))
            return;
    if (set->count < 16)
        set->names[set->count++] = name;
}

/* "GET, HEAD, POST": the methods of the routes whose pattern matched, in table order. */
static const char *allow_list(const MethodSet *set, Arena *a)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int i = 0; i < set->count; i++) {
        if (i)
            buf_puts(&b, ", ");
        buf_puts(&b, set->names[i]);
    }
    return b.data;
}

RouteMatch router_match(const Route *routes, Request *req, const Route **found, const char **allow)
{
    const char *path = req->raw_path ? req->raw_path : req->path;
    MethodSet methods = {.count = 0};
    const char *values[ROUTE_MAX_PARAMS];
    Segments seg;
    *found = NULL;
    for (const Route *r = routes; path && r->method; r++) {
        if (!r->pattern || !pattern_matches(r->pattern, path, &seg) ||
            !params_decode(req->arena, &seg, values))
            continue;
        if (method_allows(r->method, req->method)) {
            for (int i = 0; i < seg.count; i++) {
                req->route_names[i] = arena_strndup(req->arena, seg.name[i], seg.name_len[i]);
                req->route_values[i] = values[i];
            }
            req->route_count = seg.count;
            *found = r;
            return ROUTE_FOUND;
        }
        method_set_add(&methods, r->method);
        if (str_eq(r->method, "GET"))
            method_set_add(&methods, "HEAD");
    }
    if (methods.count == 0)
        return ROUTE_NOT_FOUND;
    if (allow)
        *allow = allow_list(&methods, req->arena);
    return ROUTE_METHOD_NOT_ALLOWED;
}
