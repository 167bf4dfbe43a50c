/* test_markdown: the Markdown renderer of comments and descriptions. Table-driven cases of
 * what must come out (formatting, kept links), and a safety check run on every case and on a
 * list of attacks: the HTML may only hold a short list of tags and attributes, every href is
 * absolute http(s) or mailto, and nothing the user typed becomes markup of its own. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "domain/markdown.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const ALLOWED_TAGS[] = {
    "p",  "br", "strong", "em", "del",   "code",  "pre",   "a",  "ul", "ol", "li", "blockquote",
    "h4", "h5", "h6",     "hr", "table", "thead", "tbody", "tr", "th", "td", NULL};
static const char *const ALLOWED_ATTRS[] = {"href",  "rel",   "title", "align",
                                            "start", "class", NULL};

static bool in_list(const char *const *list, const char *s, size_t n)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0)
            return true;
    return false;
}

/* Fails unless html holds only allowed tags and attributes with harmless values. */
static void assert_safe_html(const char *html, const char *input)
{
    assert_true(str_utf8_valid(html, strlen(html)));
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        const char *q = p + 1 + (p[1] == '/');
        size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789");
        if (!in_list(ALLOWED_TAGS, q, n))
            fail_msg("tag <%.*s> in output for %s:\n%s", (int)n, q, input, html);
        const char *end = strchr(q, '>');
        assert_non_null(end);
        for (const char *a = q + n; a < end;) {
            while (a < end && (*a == ' ' || *a == '/'))
                a++;
            if (a >= end)
                break;
            size_t an = strcspn(a, "= >");
            if (!in_list(ALLOWED_ATTRS, a, an))
                fail_msg("attribute %.*s in output for %s:\n%s", (int)an, a, input, html);
            assert_true(a[an] == '=' && a[an + 1] == '"');
            const char *v = a + an + 2, *close = strchr(v, '"');
            assert_true(close && close < end);
            if (an == 4 && strncmp(a, "href", 4) == 0 &&
                !(strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0 ||
                  strncasecmp(v, "mailto:", 7) == 0))
                fail_msg("href %.*s for %s", (int)(close - v), v, input);
            if (an == 3 && strncmp(a, "rel", 3) == 0)
                assert_true(strncmp(v, "nofollow noopener noreferrer\"", 29) == 0);
            a = close + 1;
        }
    }
}

typedef struct Case {
    const char *in;
    const char *want;  /* expected to be contained in the output (NULL: only safety) */
    const char *never; /* must not be contained (NULL: nothing extra) */
} Case;

static const Case CASES[] = {
    {"Hello **world**", "<p>Hello <strong>world</strong></p>", NULL},
    {"one\ntwo", "one<br />\ntwo", NULL},
    {"*em* and ~~gone~~ but ~kept~", "<em>em</em> and <del>gone</del> but ~kept~", NULL},
    {"`<b>`", "<code>&lt;b&gt;</code>", "<b>"},
    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script"},
    {"text <b onclick=\"x()\">bold</b>", "text &lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt;",
     "<b"},
    {"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;", "<img"},
    {"<!-- comment -->", "&lt;!-- comment --&gt;", "<!--"},
    {"[x](javascript:alert(1))", "<p>x</p>", "javascript"},
    {"[x](JaVaScRiPt:alert(1))", "<p>x</p>", "href"},
    {"[x](vbscript:msgbox(1))", "<p>x</p>", "href"},
    {"[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>", "href"},
    {"[x](file:///etc/passwd)", "<p>x</p>", "href"},
    {"[x](/logout)", "<p>x</p>", "href"},
    {"[x](//evil.example/)", "<p>x</p>", "href"},
    {"[x](mailto:)", "<p>x</p>", "href"},
    {"[docs](https://example.com/a?b=1&c=2 \"Title\")",
     "<a rel=\"nofollow noopener noreferrer\" href=\"https://example.com/a?b=1&amp;c=2\" "
     "title=\"Title\">docs</a>",
     NULL},
    {"[t](https://e.example \"a\\\" onmouseover=\\\"x\")", "title=\"a&quot; onmouseover=&quot;x\"",
     NULL},
    {"<https://example.com/x>", "href=\"https://example.com/x\"", NULL},
    {"write to support@example.com", "href=\"mailto:support@example.com\"", NULL},
    {"see www.example.org", "href=\"http://www.example.org\"", NULL},
    {"[up](HTTPS://Example.com)", "href=\"HTTPS://Example.com\"", NULL},
    {"[mail](mailto:a@b.example)", "href=\"mailto:a@b.example\"", NULL},
    {"![alt text](https://img.example/a.png)",
     "<a rel=\"nofollow noopener noreferrer\" href=\"https://img.example/a.png\">alt text</a>",
     "<img"},
    {"![](https://img.example/a.png)", ">https://img.example/a.png</a>", "<img"},
    {"![x](javascript:alert(1))", "<p>x</p>", "javascript"},
    {"![x](data:image/png;base64,iVBORw0KGgo=)", "<p>x</p>", "data:"},
    {"[![inner](https://a.example/i.png)](https://b.example)",
     "<a rel=\"nofollow noopener noreferrer\" href=\"https://b.example\">inner</a>", "a.example"},
    {"# Title\n## Sub\n###### Six", "<h4>Title</h4>\n<h5>Sub</h5>\n<h6>Six</h6>", "<h1"},
    {"| a | b |\n|---|---|\n| 1 | 2 |", "<td>1</td>", NULL},
    {"| a |\n|---|\n| [x](https://a.example) ![i](https://b.example/i.png) |",
     "<td><a rel=\"nofollow noopener noreferrer\" href=\"https://a.example\">x</a> "
     "<a rel=\"nofollow noopener noreferrer\" href=\"https://b.example/i.png\">i</a></td>",
     NULL},
    {"| a |\n|---|\n| [x](javascript:y) <b>raw</b> |", "<td>x &lt;b&gt;raw&lt;/b&gt;</td>", "href"},
    {"> quoted", "<blockquote>", NULL},
    {"```c\nint x = 1 < 2;\n```", "<pre><code class=\"language-c\">int x = 1 &lt; 2;", NULL},
    {"```\"><script>\nx\n```", NULL, "<script"},
    {"1. one\n2. two", "<ol>", NULL},
    {"bad \xff\xfe utf8", "bad \xef\xbf\xbd\xef\xbf\xbd utf8", NULL},
    {"<style>body{display:none}</style>", "&lt;style&gt;", "<style"},
    {"<iframe src=\"https://evil.example\"></iframe>", "&lt;iframe", "<iframe"},
    {"<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;", "<svg"},
    {"[x](java&#09;script:alert(1))", NULL, "href=\"java"},
    {"[x](&#106;avascript:alert(1))", NULL, "href=\"j"},
    {"[x](https://a.example/\"onmouseover=\"alert(1))", NULL, "\"onmouseover"},
    {"<a href=\"https://ok.example\">raw link</a>",
     "&lt;a href=", "<a href=\"https://ok.example\">"},
};

static void test_markdown_cases(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const char *out = markdown_render(&a, CASES[i].in, strlen(CASES[i].in));
        assert_safe_html(out, CASES[i].in);
        if (CASES[i].want && !strstr(out, CASES[i].want))
            fail_msg("case %zu %s:\nwant %s\ngot  %s", i, CASES[i].in, CASES[i].want, out);
        if (CASES[i].never && strstr(out, CASES[i].never))
            fail_msg("case %zu %s:\nmust not contain %s\ngot %s", i, CASES[i].in, CASES[i].never,
                     out);
    }
    arena_free(&a);
}

static void test_markdown_empty(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 0);
    assert_string_equal(markdown_render(&a, NULL, 0), "");
    assert_string_equal(markdown_render(&a, "", 0), "");
    /* n counts, not the NUL: a prefix is rendered */
    assert_string_equal(markdown_render(&a, "ab**cd**", 2), "<p>ab</p>\n");
    arena_free(&a);
}

static void test_markdown_long_input(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 0);
    size_t n = MARKDOWN_MAX_INPUT + 1000;
    char *big = arena_alloc(&a, n + 1);
    for (size_t i = 0; i < n; i += 2)
        memcpy(big + i, "\xc3\xa4", 2); /* "ä" over and over: the cut must not split one */
    const char *out = markdown_render(&a, big, n);
    assert_safe_html(out, "(long input)");
    assert_true(strlen(out) < MARKDOWN_MAX_INPUT + 64);
    /* deep nesting and many brackets stay fast and safe */
    Buf b;
    buf_init(&b, &a);
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "> [");
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "](javascript:x)");
    out = markdown_render(&a, b.data, b.len);
    assert_safe_html(out, "(nesting)");
    arena_free(&a);
}

/* Each thread keeps the HTML of recent sources: many more texts than its cache holds, in
 * two rounds, and prefixes of one text, each come out as rendered the first time. */
static void *render_many(void *arg)
{
    int *failures = arg;
    Arena a;
    arena_init(&a, 0);
    char src[96], want[128];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3000; i++) {
            int k = round ? 2999 - i : i;
            int n = snprintf(src, sizeof src, "Kommentar %d: **fett** und `%d`", k, k * 7);
            snprintf(want, sizeof want,
                     "<p>Kommentar %d: <strong>fett</strong> und <code>%d</code></p>\n", k, k * 7);
            if (strcmp(markdown_render(&a, src, (size_t)n), want) != 0)
                (*failures)++;
        }
        arena_reset(&a);
    }
    static const char text[] = "eins **zwei** drei";
    for (int round = 0; round < 2; round++) {
        if (strcmp(markdown_render(&a, text, 4), "<p>eins</p>\n") != 0 ||
            strcmp(markdown_render(&a, text, sizeof text - 1),
                   "<p>eins <strong>zwei</strong> drei</p>\n") != 0)
            (*failures)++;
    }
    arena_free(&a);
    return NULL;
}

static void test_markdown_cache_gives_what_was_rendered(void **state)
{
    (void)state;
    int failures = 0;
    render_many(&failures);
    assert_int_equal(failures, 0);
    /* on a thread of its own, whose cache is freed when it ends (ASan would report it) */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, render_many, &failures), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown_cases),
        cmocka_unit_test(test_markdown_empty),
        cmocka_unit_test(test_markdown_long_input),
        cmocka_unit_test(test_markdown_cache_gives_what_was_rendered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
