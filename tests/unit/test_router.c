/* test_router: routing (parameters, percent-decoding, 404 against 405 with its Allow value,
 * GET routes answering HEAD) and the request pipeline around it without a socket - head
 * limits (400/413/414/431), bodies, before() and after(), error pages, status 0 becoming
 * 500, security headers, gzip - plus the static file handler (hashed URLs, ETag, 304). */
#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "http/compress.h"
#include "http/exchange.h"
#include "http/router.h"
#include "http/static.h"
#include "web/assets.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static void handler_text(Request *req, Response *res)
{
    Buf b;
    buf_init(&b, req->arena);
    buf_printf(&b, "%s %s", req->method, req->path);
    for (int i = 0; i < req->route_count; i++)
        buf_printf(&b, " %s=%s", req->route_names[i], req->route_values[i]);
    for (const Param *p = req->form; p; p = p->next)
        buf_printf(&b, " form:%s=%s", p->name, p->value);
    for (const UploadedFile *f = req->files; f; f = f->next)
        buf_printf(&b, " file:%s=%zu", f->filename, f->size);
    for (const Param *p = req->query; p; p = p->next)
        buf_printf(&b, " query:%s=%s", p->name, p->value);
    if (req->body)
        buf_printf(&b, " body:%s", req->body);
    response_text(res, 200, NULL, buf_cstr(&b));
}

static void handler_big(Request *req, Response *res)
{
    res->status = 200;
    for (int i = 0; i < 100; i++)
        buf_puts(&res->body, "<p>Hallo Welt, hallo Pforte.</p>\n");
    if (request_query(req, "type"))
        res->content_type = request_query(req, "type");
    res->no_compress = request_query(req, "raw") != NULL;
}

static void handler_forgets_status(Request *req, Response *res)
{
    buf_puts(&res->body, "half a page");
    response_header(res, req, "X-Half", "1");
}

static void handler_not_found(Request *req, Response *res)
{
    res->status = 404;
    response_header(res, req, "X-Kept", "yes");
}

static void handler_own_headers(Request *req, Response *res)
{
    response_header(res, req, "Cache-Control", "private, max-age=60");
    response_header(res, req, "Content-Security-Policy", "sandbox");
    response_text(res, 200, "text/plain", "mine");
}

static const Route ROUTES[] = {
    {"GET", "/", handler_text},
    {"GET", "/requests", handler_text},
    {"POST", "/requests", handler_text},
    {"GET", "/requests/{key}", handler_text},
    {"DELETE", "/requests/{key}", handler_text},
    {"POST", "/requests/{key}/comments", handler_text},
    {"GET", "/a/{x}/b/{y}", handler_text},
    {"GET", "/big", handler_big},
    {"GET", "/forgets", handler_forgets_status},
    {"GET", "/missing", handler_not_found},
    {"GET", "/own", handler_own_headers},
    {"POST", "/upload", handler_text},
    {"GET", "/static/{file}", static_handle},
    {0},
};

/* ---- router_match ---- */

typedef struct RouteCase {
    const char *method, *path;
    RouteMatch match;
    const char *expect; /* found: "pattern k=v..."; 405: the Allow value */
} RouteCase;

static const RouteCase ROUTE_CASES[] = {
    {"GET", "/", ROUTE_FOUND, "/"},
    {"GET", "/requests", ROUTE_FOUND, "/requests"},
    {"POST", "/requests", ROUTE_FOUND, "/requests"},
    {"HEAD", "/requests", ROUTE_FOUND, "/requests"},
    {"PUT", "/requests", ROUTE_METHOD_NOT_ALLOWED, "GET, HEAD, POST"},
    {"OPTIONS", "/", ROUTE_METHOD_NOT_ALLOWED, "GET, HEAD"},
    {"GET", "/requests/SUP-42", ROUTE_FOUND, "/requests/{key} key=SUP-42"},
    {"HEAD", "/requests/SUP-42", ROUTE_FOUND, "/requests/{key} key=SUP-42"},
    {"POST", "/requests/SUP-42", ROUTE_METHOD_NOT_ALLOWED, "GET, HEAD, DELETE"},
    {"GET", "/requests/SUP-42/comments", ROUTE_METHOD_NOT_ALLOWED, "POST"},
    {"HEAD", "/requests/SUP-42/comments", ROUTE_METHOD_NOT_ALLOWED, "POST"},
    {"POST", "/requests/SUP-42/comments", ROUTE_FOUND, "/requests/{key}/comments key=SUP-42"},
    {"GET", "/requests/a%20b", ROUTE_FOUND, "/requests/{key} key=a b"},
    {"GET", "/requests/a%2Fb", ROUTE_FOUND, "/requests/{key} key=a/b"},
    {"GET", "/requests/caf%C3%A9", ROUTE_FOUND, "/requests/{key} key=café"},
    {"GET", "/requests/a+b", ROUTE_FOUND, "/requests/{key} key=a+b"},
    {"GET", "/%72equests", ROUTE_FOUND, "/requests"},
    {"GET", "/a/1/b/2", ROUTE_FOUND, "/a/{x}/b/{y} x=1 y=2"},
    {"GET", "/requests/", ROUTE_NOT_FOUND, NULL},
    {"GET", "/requests/x/", ROUTE_NOT_FOUND, NULL},
    {"GET", "/requests//comments", ROUTE_NOT_FOUND, NULL},
    {"GET", "//requests", ROUTE_NOT_FOUND, NULL},
    {"GET", "/requests/%zz", ROUTE_NOT_FOUND, NULL},
    {"GET", "/requests/%00", ROUTE_NOT_FOUND, NULL},
    {"GET", "/requests/%FF", ROUTE_NOT_FOUND, NULL},
    {"GET", "/requests/%2", ROUTE_NOT_FOUND, NULL},
    {"GET", "/nope", ROUTE_NOT_FOUND, NULL},
    {"GET", "", ROUTE_NOT_FOUND, NULL},
    {"GET", "/a/1/b", ROUTE_NOT_FOUND, NULL},
    {"get", "/", ROUTE_METHOD_NOT_ALLOWED, "GET, HEAD"},
};

static void test_router_cases(void **state)
{
    for (size_t i = 0; i < sizeof ROUTE_CASES / sizeof ROUTE_CASES[0]; i++) {
        const RouteCase *c = &ROUTE_CASES[i];
        Arena a;
        arena_init(&a, 0);
        Request req;
        request_init(&req, &a);
        req.method = c->method;
        req.raw_path = c->path;
        const Route *found = NULL;
        const char *allow = NULL;
        RouteMatch m = router_match(ROUTES, &req, &found, &allow);
        if (m != c->match)
            fail_msg("%s %s: match %d, want %d", c->method, c->path, m, c->match);
        Buf got;
        buf_init(&got, &a);
        buf_puts(&got, "");
        if (m == ROUTE_FOUND) {
            buf_puts(&got, found->pattern);
            for (int k = 0; k < req.route_count; k++)
                buf_printf(&got, " %s=%s", req.route_names[k], req.route_values[k]);
        } else if (m == ROUTE_METHOD_NOT_ALLOWED) {
            buf_puts(&got, allow);
        }
        if (c->expect && strcmp(got.data, c->expect) != 0)
            fail_msg("%s %s: got \"%s\", want \"%s\"", c->method, c->path, got.data, c->expect);
        arena_free(&a);
    }
}

static void test_router_param_lookup(void **state)
{
    Arena a;
    arena_init(&a, 0);
    Request req;
    request_init(&req, &a);
    req.method = "GET";
    req.path = "/a/x%201/b/y"; /* no raw_path: the router falls back to path */
    const Route *found;
    assert_int_equal(router_match(ROUTES, &req, &found, NULL), ROUTE_FOUND);
    assert_string_equal(request_param(&req, "x"), "x 1");
    assert_string_equal(request_param(&req, "y"), "y");
    assert_null(request_param(&req, "z"));
    arena_free(&a);
}

/* ---- the pipeline without a socket ---- */

static const ServerOptions OPT = {
    .listen = "127.0.0.1:0",
    .threads = 1,
    .max_header_bytes = 2048,
    .max_url_bytes = 300,
    .max_form_bytes = 1024,
    .max_upload_bytes = 4096,
    .connection_timeout = 5,
};

static int error_pages;

static void error_page(Request *req, Response *res, int status)
{
    error_pages++;
    buf_printf(&res->body, "<h1>error %d</h1>", status);
}

static int befores, afters;

static bool before(Request *req, Response *res)
{
    befores++;
    if (strcmp(req->path, "/refused") == 0) {
        response_text(res, 429, NULL, "slow down");
        return false;
    }
    if (strcmp(req->path, "/broken-before") == 0)
        return false;
    req->lang = "de";
    return true;
}

static void after(Request *req)
{
    afters++;
}

static const ServerApp APP = {ROUTES, before, error_page, NULL, after};

typedef struct Run {
    Arena arena;
    Exchange *ex;
    Outgoing out;
} Run;

/* Drives one request through the MHD-free steps exactly as server.c does. */
static void run(Run *r, const char *method, const char *uri, const char *const *headers,
                const char *body, size_t body_len)
{
    arena_init(&r->arena, 0);
    Exchange *ex = r->ex = exchange_new(&r->arena, 1, uri);
    ex->req.method = method;
    for (int i = 0; headers && headers[i]; i += 2)
        exchange_add_header(ex, headers[i], headers[i + 1]);
    ex->status = exchange_read_head(ex, &OPT, "HTTP/1.1");
    for (size_t at = 0; body && at < body_len && (!ex->status || !ex->has_body); at += 3)
        exchange_body_feed(ex, body + at, body_len - at < 3 ? body_len - at : 3);
    if (!ex->status)
        exchange_body_end(ex);
    if (ex->status)
        exchange_error(ex, &APP, ex->status);
    else
        exchange_dispatch(ex, &APP);
    exchange_prepare(ex, false, &r->out);
}

static const char *out_header(const Run *r, const char *name)
{
    for (const Header *h = r->out.headers; h; h = h->next)
        if (strcmp(h->name, name) == 0)
            return h->value;
    return NULL;
}

static int out_header_count(const Run *r, const char *name)
{
    int n = 0;
    for (const Header *h = r->out.headers; h; h = h->next)
        n += strcmp(h->name, name) == 0;
    return n;
}

static const char *out_body(Run *r)
{
    return arena_strndup(&r->arena, (const char *)r->out.body, r->out.len);
}

typedef struct PipelineCase {
    const char *method, *uri;
    const char *headers[9];
    const char *body;
    int status;
    const char *body_has; /* substring of the body sent */
} PipelineCase;

#define FORM_TYPE "Content-Type", "application/x-www-form-urlencoded"

static const PipelineCase PIPELINE_CASES[] = {
    {"GET",
     "/requests/SUP-1?a=1&b=x+y",
     {0},
     NULL,
     200,
     "GET /requests/SUP-1 key=SUP-1 query:a=1 query:b=x y"},
    {"GET", "/caf%C3%A9", {0}, NULL, 404, "<h1>error 404</h1>"},
    {"PUT", "/requests", {0}, NULL, 405, "<h1>error 405</h1>"},
    {"GET", "/forgets", {0}, NULL, 500, "<h1>error 500</h1>"},
    {"GET", "/missing", {0}, NULL, 404, "<h1>error 404</h1>"},
    {"GET", "/refused", {0}, NULL, 429, "slow down"},
    {"GET", "/broken-before", {0}, NULL, 500, "<h1>error 500</h1>"},
    {"GET", "/requests?q=%zz", {0}, NULL, 400, "<h1>error 400</h1>"},
    {"GET", "/bad%zzpath", {0}, NULL, 400, "<h1>error 400</h1>"},
    {"GET", "/nul%00", {0}, NULL, 400, "<h1>error 400</h1>"},
    {"GET", "http://host/requests", {0}, NULL, 400, "<h1>error 400</h1>"},
    {"G(T", "/", {0}, NULL, 400, "<h1>error 400</h1>"},
    {"POST",
     "/requests",
     {FORM_TYPE, "Content-Length", "17"},
     "title=Hi&body=a+b",
     200,
     "POST /requests form:title=Hi form:body=a b"},
    {"POST", "/requests", {FORM_TYPE, "Content-Length", "6"}, "a=%zz1", 400, "error 400"},
    {"POST", "/requests", {FORM_TYPE, "Content-Length", "1025"}, NULL, 413, "error 413"},
    {"POST", "/requests", {FORM_TYPE, "Content-Length", "abc"}, NULL, 400, "error 400"},
    {"POST",
     "/requests",
     {"Content-Type", "application/json", "Content-Length", "11"},
     "{\"a\": \"b\"}\n",
     200,
     "body:{\"a\": \"b\"}"},
    {"POST", "/requests", {"Content-Length", "2"}, "hi", 200, "body:hi"},
    {"POST",
     "/upload",
     {"Content-Type", "multipart/form-data; boundary=zz", "Content-Length", "98"},
     "--zz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nhello\r\n"
     "--zz\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nv\r\n--zz--",
     200,
     "form:t=v file:a.txt=5"},
    {"POST",
     "/upload",
     {"Content-Type", "multipart/form-data; boundary=zz", "Content-Length", "8"},
     "--zz\r\nx\r",
     400,
     "error 400"},
    {"POST",
     "/upload",
     {"Content-Type", "multipart/form-data", "Content-Length", "8"},
     "--zz--\r\n",
     400,
     "error 400"},
    {"POST",
     "/upload",
     {"Content-Type", "multipart/form-data; boundary=zz", "Content-Length", "4097"},
     NULL,
     413,
     "error 413"},
};

static void test_pipeline_cases(void **state)
{
    for (size_t i = 0; i < sizeof PIPELINE_CASES / sizeof PIPELINE_CASES[0]; i++) {
        const PipelineCase *c = &PIPELINE_CASES[i];
        Run r;
        run(&r, c->method, c->uri, c->headers, c->body, c->body ? strlen(c->body) : 0);
        if (r.out.status != c->status)
            fail_msg("%s %s: status %d, want %d", c->method, c->uri, r.out.status, c->status);
        if (!strstr(out_body(&r), c->body_has))
            fail_msg("%s %s: body \"%s\"", c->method, c->uri, out_body(&r));
        arena_free(&r.arena);
    }
}

static void test_cookies_from_every_header(void **state)
{
    const char *headers[] = {"Cookie", "sid=1; lang=de", "X-Other", "a=b",
                             "cookie", "flash=x",        NULL};
    Run r;
    run(&r, "GET", "/", headers, NULL, 0);
    assert_string_equal(request_cookie(&r.ex->req, "sid"), "1");
    assert_string_equal(request_cookie(&r.ex->req, "lang"), "de");
    assert_string_equal(request_cookie(&r.ex->req, "flash"), "x");
    assert_null(request_cookie(&r.ex->req, "a"));
    assert_string_equal(request_header(&r.ex->req, "x-other"), "a=b");
    arena_free(&r.arena);
}

static void test_head_limits(void **state)
{
    char uri[400];
    memset(uri, 'u', sizeof uri);
    uri[0] = '/';
    uri[OPT.max_url_bytes] = '\0';
    Run r;
    run(&r, "GET", uri, NULL, NULL, 0);
    assert_int_equal(r.out.status, 404); /* at the limit: routed */
    arena_free(&r.arena);
    uri[OPT.max_url_bytes] = 'u';
    uri[OPT.max_url_bytes + 1] = '\0';
    run(&r, "GET", uri, NULL, NULL, 0);
    assert_int_equal(r.out.status, 414);
    arena_free(&r.arena);

    char big[2100];
    memset(big, 'h', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *headers[] = {"X-Big", big, NULL};
    run(&r, "GET", "/", headers, NULL, 0);
    assert_int_equal(r.out.status, 431);
    assert_non_null(strstr(out_body(&r), "error 431"));
    arena_free(&r.arena);
    big[1900] = '\0';
    run(&r, "GET", "/", headers, NULL, 0);
    assert_int_equal(r.out.status, 200);
    arena_free(&r.arena);

    /* an upload over the form limit but under the upload limit passes the head */
    arena_init(&r.arena, 0);
    Exchange *ex = exchange_new(&r.arena, 1, "/upload");
    ex->req.method = "POST";
    exchange_add_header(ex, "Content-Type", "multipart/form-data; boundary=zz");
    exchange_add_header(ex, "Content-Length", "2000");
    assert_int_equal(exchange_read_head(ex, &OPT, "HTTP/1.1"), 0);
    assert_true(ex->has_body);
    arena_free(&r.arena);
}

static void test_streamed_body_limit(void **state)
{
    /* chunked: no Content-Length, the counted bytes decide */
    char body[1100];
    memset(body, 'a', sizeof body);
    const char *headers[] = {"Content-Type", "application/x-www-form-urlencoded",
                             "Transfer-Encoding", "chunked", NULL};
    Run r;
    run(&r, "POST", "/requests", headers, body, sizeof body);
    assert_int_equal(r.out.status, 413);
    arena_free(&r.arena);
    run(&r, "POST", "/requests", headers, body, 1024);
    assert_int_equal(r.out.status, 200);
    /* far past the limit the connection is given up */
    r.ex->status = 413;
    r.ex->body_received = OPT.max_form_bytes;
    assert_true(exchange_body_feed(r.ex, body, 100));
    r.ex->body_received = (uint64_t)OPT.max_form_bytes + BODY_DRAIN_MAX;
    assert_false(exchange_body_feed(r.ex, body, 1));
    arena_free(&r.arena);
}

static void test_error_pages_keep_allow(void **state)
{
    error_pages = 0;
    Run r;
    run(&r, "DELETE", "/requests", NULL, NULL, 0);
    assert_int_equal(r.out.status, 405);
    assert_string_equal(out_header(&r, "Allow"), "GET, HEAD, POST");
    assert_int_equal(error_pages, 1);
    arena_free(&r.arena);
    run(&r, "GET", "/missing", NULL, NULL, 0);
    assert_string_equal(out_header(&r, "X-Kept"), "yes");
    arena_free(&r.arena);
    run(&r, "GET", "/forgets", NULL, NULL, 0);
    assert_null(out_header(&r, "X-Half")); /* a broken handler's headers are dropped */
    assert_null(strstr(out_body(&r), "half a page"));
    arena_free(&r.arena);
}

/* after() runs once for every request that before() saw - answered by the handler, a 404,
 * a 405, a broken handler or before() itself - and never for one refused before it. */
static void test_after_follows_every_before(void **state)
{
    static const char *const CASES[][2] = {
        {"GET", "/requests"}, {"GET", "/nowhere"}, {"DELETE", "/requests"},
        {"GET", "/forgets"},  {"GET", "/refused"}, {"GET", "/broken-before"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        befores = afters = 0;
        Run r;
        run(&r, CASES[i][0], CASES[i][1], NULL, NULL, 0);
        assert_int_equal(befores, 1);
        assert_int_equal(afters, 1);
        arena_free(&r.arena);
    }
    befores = afters = 0;
    Run r;
    char uri[400];
    memset(uri, 'a', sizeof uri - 1);
    uri[0] = '/';
    uri[sizeof uri - 1] = '\0';
    run(&r, "GET", uri, NULL, NULL, 0); /* longer than max_url_bytes */
    assert_int_equal(r.out.status, 414);
    assert_int_equal(befores, 0);
    assert_int_equal(afters, 0);
    arena_free(&r.arena);
}

static void test_security_headers(void **state)
{
    Run r;
    cfg.base_url = NULL;
    run(&r, "GET", "/", NULL, NULL, 0);
    assert_string_equal(out_header(&r, "Content-Type"), "text/plain; charset=utf-8");
    assert_non_null(strstr(out_header(&r, "Content-Security-Policy"), "frame-ancestors 'none'"));
    assert_non_null(strstr(out_header(&r, "Content-Security-Policy"), "script-src 'self';"));
    assert_string_equal(out_header(&r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(out_header(&r, "Referrer-Policy"), "same-origin");
    assert_string_equal(out_header(&r, "X-Frame-Options"), "DENY");
    assert_string_equal(out_header(&r, "Cache-Control"), "no-store");
    assert_null(out_header(&r, "Strict-Transport-Security"));
    arena_free(&r.arena);
    /* the handler's own Cache-Control and CSP win, and appear once */
    run(&r, "GET", "/own", NULL, NULL, 0);
    assert_string_equal(out_header(&r, "Cache-Control"), "private, max-age=60");
    assert_int_equal(out_header_count(&r, "Cache-Control"), 1);
    assert_string_equal(out_header(&r, "Content-Security-Policy"), "sandbox");
    assert_int_equal(out_header_count(&r, "Content-Security-Policy"), 1);
    assert_string_equal(out_header(&r, "X-Frame-Options"), "DENY");
    arena_free(&r.arena);
    cfg.base_url = "https://portal.example";
    run(&r, "GET", "/missing", NULL, NULL, 0);
    assert_non_null(out_header(&r, "Strict-Transport-Security"));
    assert_non_null(out_header(&r, "Content-Security-Policy"));
    assert_string_equal(out_header(&r, "Content-Type"), "text/html; charset=utf-8");
    arena_free(&r.arena);
    cfg.base_url = NULL;
}

static char *gunzip(Arena *a, const unsigned char *data, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    char *out = arena_alloc(a, 1 << 20);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = 1 << 20;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    inflateEnd(&zs);
    return out;
}

typedef struct GzipCase {
    const char *uri, *accept;
    bool gzipped, vary;
} GzipCase;

static const GzipCase GZIP_CASES[] = {
    {"/big", "gzip, deflate, br", true, true},
    {"/big", "GZIP", true, true},
    {"/big", "deflate", false, true},
    {"/big", NULL, false, true},
    {"/big", "gzip;q=0, deflate", false, true},
    {"/big", "*", true, true},
    {"/big?type=application/json", "gzip", true, true},
    {"/big?type=image/svg%2Bxml", "gzip", true, true},
    {"/big?type=text/javascript", "gzip", true, true},
    {"/big?type=image/png", "gzip", false, false},
    {"/big?raw=1", "gzip", false, false},
    {"/", "gzip", false, true}, /* under COMPRESS_MIN_BYTES */
};

static void test_gzip(void **state)
{
    for (size_t i = 0; i < sizeof GZIP_CASES / sizeof GZIP_CASES[0]; i++) {
        const GzipCase *c = &GZIP_CASES[i];
        const char *headers[] = {"Accept-Encoding", c->accept, NULL};
        Run r;
        run(&r, "GET", c->uri, c->accept ? headers : NULL, NULL, 0);
        bool gz = out_header(&r, "Content-Encoding") != NULL;
        if (gz != c->gzipped || (out_header(&r, "Vary") != NULL) != c->vary)
            fail_msg("%s with %s: gzip %d vary %d", c->uri, c->accept, gz,
                     out_header(&r, "Vary") != NULL);
        if (gz) {
            size_t n;
            char *plain = gunzip(&r.arena, r.out.body, r.out.len, &n);
            assert_int_equal(n, r.ex->res.body.len);
            assert_memory_equal(plain, r.ex->res.body.data, n);
            assert_true(r.out.len < n);
        }
        arena_free(&r.arena);
    }
}

static void test_head_request(void **state)
{
    const char *headers[] = {"Accept-Encoding", "gzip", NULL};
    Run get, head;
    run(&get, "GET", "/big", headers, NULL, 0);
    run(&head, "HEAD", "/big", headers, NULL, 0);
    assert_int_equal(head.out.status, 200);
    assert_int_equal(head.out.len, get.out.len); /* the same Content-Length; MHD drops the body */
    for (const Header *h = get.out.headers; h; h = h->next)
        assert_string_equal(out_header(&head, h->name), h->value);
    arena_free(&get.arena);
    arena_free(&head.arena);
}

/* ---- static files ---- */

static const EmbeddedFile *first_static(void)
{
    for (const EmbeddedFile *f = EMBEDDED_FILES; f->path; f++)
        if (strncmp(f->path, "static/", 7) == 0 && strchr(f->path + 7, '.') &&
            !strchr(f->path + 7, '/'))
            return f;
    return NULL;
}

static void test_static_files(void **state)
{
    const EmbeddedFile *file = first_static();
    if (!file)
        skip();
    const char *name = file->path + 7;
    const char *url = static_url(name);
    assert_ptr_equal(url, static_url(name)); /* computed once */
    /* "/static/app.1234abcd.css" */
    const char *dot = strrchr(name, '.');
    assert_true(strncmp(url, "/static/", 8) == 0);
    assert_int_equal(strlen(url), 8 + strlen(name) + 9);
    assert_string_equal(url + strlen(url) - strlen(dot), dot);
    char hash[9];
    memcpy(hash, url + 8 + (dot - name) + 1, 8);
    hash[8] = '\0';
    char etag[11];
    snprintf(etag, sizeof etag, "\"%s\"", hash);

    Run r;
    run(&r, "GET", url, NULL, NULL, 0);
    assert_int_equal(r.out.status, 200);
    assert_string_equal(out_header(&r, "Cache-Control"), "public, max-age=31536000, immutable");
    assert_string_equal(out_header(&r, "ETag"), etag);
    assert_int_equal(r.out.len, file->size);
    assert_memory_equal(r.out.body, file->data, file->size);
    arena_free(&r.arena);

    /* the gzip copy made at start-up, for compressible files worth it */
    const char *ae[] = {"Accept-Encoding", "gzip", NULL};
    run(&r, "GET", url, ae, NULL, 0);
    assert_int_equal(r.out.status, 200);
    if (compress_type_worth_it(out_header(&r, "Content-Type")) && file->size >= 1024) {
        assert_string_equal(out_header(&r, "Content-Encoding"), "gzip");
        assert_string_equal(out_header(&r, "Vary"), "Accept-Encoding");
        assert_int_equal(out_header_count(&r, "Vary"), 1);
        size_t n;
        char *plain = gunzip(&r.arena, r.out.body, r.out.len, &n);
        assert_int_equal(n, file->size);
        assert_memory_equal(plain, file->data, n);
    }
    arena_free(&r.arena);

    const char *inm[] = {"If-None-Match", NULL, NULL};
    const char *tags[] = {etag, "W/\"x\", \"nope\"", "*"};
    for (int i = 0; i < 3; i++) {
        char list[64];
        snprintf(list, sizeof list, "\"zz\", %s", tags[i]);
        inm[1] = list;
        run(&r, "GET", url, inm, NULL, 0);
        assert_int_equal(r.out.status, i == 1 ? 200 : 304);
        assert_string_equal(out_header(&r, "ETag"), etag);
        if (i != 1)
            assert_int_equal(r.out.len, 0);
        arena_free(&r.arena);
    }

    char plain[256];
    snprintf(plain, sizeof plain, "/static/%s", name);
    run(&r, "GET", plain, NULL, NULL, 0);
    assert_int_equal(r.out.status, 200);
    assert_string_equal(out_header(&r, "Cache-Control"), "no-cache");
    arena_free(&r.arena);

    snprintf(plain, sizeof plain, "/static/%.*s.00000000%s", (int)(dot - name), name, dot);
    run(&r, "GET", plain, NULL, NULL, 0);
    assert_int_equal(r.out.status, 200); /* a stale hash still gets the file, not cached long */
    assert_string_equal(out_header(&r, "Cache-Control"), "no-cache");
    arena_free(&r.arena);

    static const char *const BAD[] = {"/static/nope.css", "/static/..%2Fsrc%2Fmain.c",
                                      "/static/.hidden", "/static/a%2Fb.css", "/static/x.exe"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        run(&r, "GET", BAD[i], NULL, NULL, 0);
        if (r.out.status != 404)
            fail_msg("%s: %d", BAD[i], r.out.status);
        arena_free(&r.arena);
    }
    assert_string_equal(static_url("does-not-exist.css"), "/static/does-not-exist.css");
}

static void test_compress_negotiation(void **state)
{
    static const struct {
        const char *header;
        bool gzip;
    } CASES[] = {
        {"gzip", true},
        {"x-gzip", true},
        {"deflate, gzip;q=0.5", true},
        {"gzip;q=0", false},
        {"gzip; q=0.0", false},
        {"gzipx", false},
        {"br", false},
        {"", false},
        {NULL, false},
        {"identity, *;q=1", true},
        {"*;q=0", false},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (compress_accepts_gzip(CASES[i].header) != CASES[i].gzip)
            fail_msg("Accept-Encoding: %s", CASES[i].header);
    assert_true(compress_type_worth_it("text/css; charset=utf-8"));
    assert_true(compress_type_worth_it("Application/JSON"));
    assert_false(compress_type_worth_it("application/json-seq"));
    assert_false(compress_type_worth_it("text/"));
    assert_false(compress_type_worth_it("font/woff2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_cases),
        cmocka_unit_test(test_router_param_lookup),
        cmocka_unit_test(test_pipeline_cases),
        cmocka_unit_test(test_cookies_from_every_header),
        cmocka_unit_test(test_head_limits),
        cmocka_unit_test(test_streamed_body_limit),
        cmocka_unit_test(test_error_pages_keep_allow),
        cmocka_unit_test(test_after_follows_every_before),
        cmocka_unit_test(test_security_headers),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_head_request),
        cmocka_unit_test(test_static_files),
        cmocka_unit_test(test_compress_negotiation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
