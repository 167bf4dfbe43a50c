/* test_form: the urlencoded parser shared by request bodies and query strings - '+', %XX,
 * bad escapes, encoded NULs, invalid UTF-8, empty names, repeated keys, missing '=', the
 * field limit - and request_form/request_query lookups on the parsed lists. */
#include "core/arena.h"
#include "core/buf.h"
#include "http/form.h"
#include "http/request.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

/* "[a]=[1] [b]=[x y]" */
static const char *dump(Arena *a, const Param *p)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (; p; p = p->next)
        buf_printf(&b, "%s[%s]=[%s]", b.len ? " " : "", p->name, p->value);
    return b.data;
}

typedef struct FormCase {
    const char *input;
    bool ok;
    const char *fields; /* dump() of the result when ok */
} FormCase;

static const FormCase FORM_CASES[] = {
    {"", true, ""},
    {"a=1&b=2", true, "[a]=[1] [b]=[2]"},
    {"q=hello+world", true, "[q]=[hello world]"},
    {"q=%41%2b%2B%20", true, "[q]=[A++ ]"},
    {"a+b=c", true, "[a b]=[c]"},
    {"e=caf%C3%A9", true, "[e]=[café]"},
    {"e=café", true, "[e]=[café]"},
    {"a=1&a=2", true, "[a]=[1] [a]=[2]"},
    {"a", true, "[a]=[]"},
    {"a&b=", true, "[a]=[] [b]=[]"},
    {"=x&b=1", true, "[b]=[1]"},
    {"=", true, ""},
    {"&&a=1&&", true, "[a]=[1]"},
    {"a=b=c", true, "[a]=[b=c]"},
    {"a=%3D%26", true, "[a]=[=&]"},
    {"a=;b", true, "[a]=[;b]"},
    {"a=%", false, NULL},
    {"a=%4", false, NULL},
    {"a=%zz", false, NULL},
    {"%g1=x", false, NULL},
    {"ok=1&bad=%", false, NULL},
    {"a=%00", false, NULL},
    {"a%00=1", false, NULL},
    /* invalid UTF-8 in a value is marked with U+FFFD, not refused: the form comes back */
    {"a=%FF", true, "[a]=[\xEF\xBF\xBD]"},
    {"a=%C3", true, "[a]=[\xEF\xBF\xBD]"},
    {"a=%ED%A0%80", true, "[a]=[\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD]"}, /* a surrogate */
    {"a=\xff", true, "[a]=[\xEF\xBF\xBD]"},
    {"%FF=1", false, NULL}, /* names stay strict */
};

static void test_form_cases(void **state)
{
    for (size_t i = 0; i < sizeof FORM_CASES / sizeof FORM_CASES[0]; i++) {
        const FormCase *c = &FORM_CASES[i];
        Arena a;
        arena_init(&a, 0);
        ParamList list;
        param_list_init(&list);
        bool ok = form_parse_urlencoded(&a, c->input, strlen(c->input), &list);
        if (ok != c->ok)
            fail_msg("case %zu \"%s\": ok=%d, want %d", i, c->input, ok, c->ok);
        if (c->ok)
            assert_string_equal(dump(&a, list.head), c->fields);
        arena_free(&a);
    }
}

static void test_form_respects_length(void **state)
{
    Arena a;
    arena_init(&a, 0);
    ParamList list;
    param_list_init(&list);
    /* not NUL-terminated where it ends: bytes past len must not be read */
    const char data[] = {'a', '=', '1', '&', 'b', '=', '%'};
    assert_true(form_parse_urlencoded(&a, data, 3, &list));
    assert_string_equal(dump(&a, list.head), "[a]=[1]");
    param_list_init(&list);
    assert_false(form_parse_urlencoded(&a, data, sizeof data, &list));
    /* a raw NUL byte inside a value is not text */
    param_list_init(&list);
    assert_false(form_parse_urlencoded(&a, "a=x\0y", 5, &list));
    arena_free(&a);
}

static void test_form_field_limit(void **state)
{
    Arena a;
    arena_init(&a, 0);
    Buf b;
    buf_init(&b, &a);
    for (int i = 0; i < FORM_MAX_FIELDS; i++)
        buf_printf(&b, "%sf%d=%d", i ? "&" : "", i, i);
    ParamList list;
    param_list_init(&list);
    assert_true(form_parse_urlencoded(&a, b.data, b.len, &list));
    assert_int_equal(list.count, FORM_MAX_FIELDS);
    buf_puts(&b, "&one=more");
    param_list_init(&list);
    assert_false(form_parse_urlencoded(&a, b.data, b.len, &list));
    arena_free(&a);
}

static void test_form_lookups(void **state)
{
    Arena a;
    arena_init(&a, 0);
    Request req;
    request_init(&req, &a);
    ParamList form, query;
    param_list_init(&form);
    param_list_init(&query);
    assert_true(form_parse_urlencoded(&a, "title=First&title=Second&empty=", 31, &form));
    assert_true(form_parse_urlencoded(&a, "page=2", 6, &query));
    req.form = form.head;
    req.query = query.head;
    assert_string_equal(request_form(&req, "title"), "First");
    assert_string_equal(request_form(&req, "empty"), "");
    assert_null(request_form(&req, "Title")); /* names are case-sensitive */
    assert_null(request_form(&req, "page"));
    assert_string_equal(request_query(&req, "page"), "2");
    assert_null(request_query(&req, "title"));
    arena_free(&a);
}

static void test_decode_component(void **state)
{
    Arena a;
    arena_init(&a, 0);
    assert_string_equal(form_decode_component(&a, "a+b%21", 6), "a b!");
    assert_string_equal(form_decode_component(&a, "", 0), "");
    assert_null(form_decode_component(&a, "%0", 2));
    assert_null(form_decode_component(&a, "x%00", 4));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_cases),       cmocka_unit_test(test_form_respects_length),
        cmocka_unit_test(test_form_field_limit), cmocka_unit_test(test_form_lookups),
        cmocka_unit_test(test_decode_component),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
