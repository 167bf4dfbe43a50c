/* test_cookie: Cookie header parsing, the RFC 6265 checks on names and values, the
 * Set-Cookie line response_cookie builds (Secure behind https), and the other headers a
 * handler sets: response_header refusing CR/LF and response_redirect refusing other hosts. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "http/cookie.h"
#include "http/request.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static const char *dump(Arena *a, const Param *p)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (; p; p = p->next)
        buf_printf(&b, "%s[%s]=[%s]", b.len ? " " : "", p->name, p->value);
    return b.data;
}

static const struct {
    const char *header, *cookies;
} PARSE_CASES[] = {
    {"", ""},
    {"a=1", "[a]=[1]"},
    {"a=1; b=2", "[a]=[1] [b]=[2]"},
    {"a=1;b=2;", "[a]=[1] [b]=[2]"},
    {"  a = 1 ;  b=2  ", "[a]=[1] [b]=[2]"},
    {"sid=\"quoted\"", "[sid]=[quoted]"},
    {"sid=\"", "[sid]=[\"]"},
    {"a=1; a=2", "[a]=[1] [a]=[2]"},
    {"flag; a=1", "[a]=[1]"},
    {"=x; a=1", "[a]=[1]"},
    {"a=; b=2", "[a]=[] [b]=[2]"},
    {"a=x=y", "[a]=[x=y]"},
    {"pf%20x=%41", "[pf%20x]=[%41]"}, /* never decoded */
    {";;;", ""},
};

static void test_cookie_parse(void **state)
{
    Arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < sizeof PARSE_CASES / sizeof PARSE_CASES[0]; i++) {
        const char *got = dump(&a, cookie_parse(&a, PARSE_CASES[i].header));
        if (strcmp(got, PARSE_CASES[i].cookies) != 0)
            fail_msg("\"%s\": got %s, want %s", PARSE_CASES[i].header, got, PARSE_CASES[i].cookies);
    }
    assert_null(cookie_parse(&a, NULL));
    arena_free(&a);
}

static void test_cookie_count_limit(void **state)
{
    Arena a;
    arena_init(&a, 0);
    Buf b;
    buf_init(&b, &a);
    for (int i = 0; i < COOKIE_MAX_COUNT + 10; i++)
        buf_printf(&b, "c%d=%d; ", i, i);
    int n = 0;
    for (const Param *p = cookie_parse(&a, b.data); p; p = p->next)
        n++;
    assert_int_equal(n, COOKIE_MAX_COUNT);
    arena_free(&a);
}

static void test_cookie_lookup(void **state)
{
    Arena a;
    arena_init(&a, 0);
    Request req;
    request_init(&req, &a);
    req.cookies = cookie_parse(&a, "sid=first; lang=de; sid=second");
    assert_string_equal(request_cookie(&req, "sid"), "first");
    assert_string_equal(request_cookie(&req, "lang"), "de");
    assert_null(request_cookie(&req, "SID"));
    arena_free(&a);
}

static const struct {
    const char *text;
    bool name_ok, value_ok;
} VALID_CASES[] = {
    {"sid", true, true},           {"pf_flash", true, true},
    {"a-b.c~", true, true},        {"", false, true},
    {"a b", false, false},         {"a;b", false, false},
    {"a,b", false, false},         {"a=b", false, true},
    {"a\"b", false, false},        {"a\\b", false, false},
    {"a\tb", false, false},        {"a\r\nSet-Cookie: x", false, false},
    {"caf\xc3\xa9", false, false}, {"AbC0123+/=", false, true}, /* base64 */
};

static void test_cookie_validation(void **state)
{
    for (size_t i = 0; i < sizeof VALID_CASES / sizeof VALID_CASES[0]; i++) {
        if (cookie_name_valid(VALID_CASES[i].text) != VALID_CASES[i].name_ok)
            fail_msg("name \"%s\"", VALID_CASES[i].text);
        if (cookie_value_valid(VALID_CASES[i].text) != VALID_CASES[i].value_ok)
            fail_msg("value \"%s\"", VALID_CASES[i].text);
    }
    assert_false(cookie_name_valid(NULL));
    assert_false(cookie_value_valid(NULL));
}

static int count_headers(const Response *res, const char *name)
{
    int n = 0;
    for (const Header *h = res->headers; h; h = h->next)
        n += strcmp(h->name, name) == 0;
    return n;
}

static const char *header_value(const Response *res, const char *name)
{
    for (const Header *h = res->headers; h; h = h->next)
        if (strcmp(h->name, name) == 0)
            return h->value;
    return NULL;
}

static void test_response_cookie(void **state)
{
    static const struct {
        const char *base_url, *name, *value;
        int64_t max_age;
        const char *set_cookie; /* NULL: refused */
    } CASES[] = {
        {"", "sid", "abc", -1, "sid=abc; Path=/; HttpOnly; SameSite=Lax"},
        {"http://x", "sid", "abc", 3600, "sid=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"},
        {"https://x", "sid", "abc", 0,
         "sid=abc; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure"},
        {"HTTPS://x/", "sid", "", 0, "sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure"},
        {"", "sid", "a;b", 10, NULL},
        {"", "sid", "a\r\nX: y", 10, NULL},
        {"", "s id", "v", 10, NULL},
        {"", "", "v", 10, NULL},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        Arena a;
        arena_init(&a, 0);
        Request req;
        Response res;
        request_init(&req, &a);
        response_init(&res, &a);
        cfg.base_url = (char *)CASES[i].base_url;
        response_cookie(&res, &req, CASES[i].name, CASES[i].value, CASES[i].max_age);
        if (!CASES[i].set_cookie)
            assert_int_equal(count_headers(&res, "Set-Cookie"), 0);
        else
            assert_string_equal(header_value(&res, "Set-Cookie"), CASES[i].set_cookie);
        arena_free(&a);
    }
    cfg.base_url = NULL;
}

static void test_response_redirect(void **state)
{
    static const struct {
        const char *target, *location;
    } CASES[] = {
        {"/requests/SUP-1", "/requests/SUP-1"},
        {"/", "/"},
        {"/a?b=c#d", "/a?b=c#d"},
        {"//evil.example", "/"},
        {"/\\evil.example", "/"},
        {"https://evil.example/", "/"},
        {"javascript:alert(1)", "/"},
        {"relative", "/"},
        {"", "/"},
        {NULL, "/"},
        {"/\t/evil.example", "/"},
        {"/x\r\nSet-Cookie: a=b", "/"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        Arena a;
        arena_init(&a, 0);
        Request req;
        Response res;
        request_init(&req, &a);
        response_init(&res, &a);
        response_redirect(&res, &req, CASES[i].target);
        assert_int_equal(res.status, 303);
        assert_int_equal(count_headers(&res, "Location"), 1);
        if (strcmp(header_value(&res, "Location"), CASES[i].location) != 0)
            fail_msg("case %zu: got %s", i, header_value(&res, "Location"));
        arena_free(&a);
    }
}

static void test_response_header_injection(void **state)
{
    Arena a;
    arena_init(&a, 0);
    Request req;
    Response res;
    request_init(&req, &a);
    response_init(&res, &a);
    response_header(&res, &req, "X-Ok", "fine\tvalue");
    response_header(&res, &req, "X-Split", "a\r\nSet-Cookie: x=y");
    response_header(&res, &req, "X-Lf", "a\nb");
    response_header(&res, &req, "Bad Name", "v");
    response_header(&res, &req, "Bad:Name", "v");
    response_header(&res, &req, "X-Null", NULL);
    assert_string_equal(header_value(&res, "X-Ok"), "fine\tvalue");
    assert_non_null(res.headers);
    assert_null(res.headers->next);
    response_text(&res, 418, NULL, "teapot");
    assert_int_equal(res.status, 418);
    assert_string_equal(res.content_type, "text/plain; charset=utf-8");
    assert_string_equal(buf_cstr(&res.body), "teapot");
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_parse),
        cmocka_unit_test(test_cookie_count_limit),
        cmocka_unit_test(test_cookie_lookup),
        cmocka_unit_test(test_cookie_validation),
        cmocka_unit_test(test_response_cookie),
        cmocka_unit_test(test_response_redirect),
        cmocka_unit_test(test_response_header_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
