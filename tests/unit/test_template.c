/* test_template: the template engine - escaping, sections, lists, lookup rules, partials,
 * translations and error messages with line numbers - and the embedded/dev-mode assets. */
#include "core/arena.h"
#include "core/buf.h"
#include "web/assets.h"
#include "web/template.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static View *fixture(Arena *a)
{
    View *v = view_new(a);
    view_set(v, "name", "Ada");
    view_set(v, "special", "& < > \" '");
    view_set(v, "amp", "&");
    view_set(v, "lt", "<");
    view_set(v, "gt", ">");
    view_set(v, "quot", "\"");
    view_set(v, "apos", "'");
    view_set(v, "attack", "\"><script>alert('x')</script>");
    view_set_html(v, "html", "<b class=\"x\">bold &amp; safe</b>");
    view_set_bool(v, "yes", true);
    view_set_bool(v, "no", false);
    view_set_int(v, "count", 42);
    view_set_int(v, "zero", 0);
    view_set_int(v, "neg", INT64_MIN);
    view_set(v, "empty", "");
    View *user = view_child(v, "user");
    view_set(user, "name", "Bob");
    view_set(user, "email", "bob@example.org");
    view_set(view_child(user, "org"), "name", "ACME & Co");
    View *item = view_list_add(v, "items");
    view_set(item, "title", "one");
    view_set_int(item, "n", 1);
    item = view_list_add(v, "items");
    view_set(item, "title", "two");
    view_set_int(item, "n", 2);
    view_set(item, "name", "Inner");
    view_list_add_text(v, "tags", "a");
    view_list_add_text(v, "tags", "<b>");
    return v;
}

typedef struct RenderCase {
    const char *src;
    const char *want;
} RenderCase;

static const RenderCase RENDER_CASES[] = {
    {"plain text", "plain text"},
    {"", ""},
    {"{{name}}", "Ada"},
    {"{{ name }}", "Ada"},
    {"{{\tname\n}}", "Ada"},
    /* escaping, each character alone and all together, in text and attribute context */
    {"{{amp}}", "&amp;"},
    {"{{lt}}", "&lt;"},
    {"{{gt}}", "&gt;"},
    {"{{quot}}", "&quot;"},
    {"{{apos}}", "&#39;"},
    {"<p>{{special}}</p>", "<p>&amp; &lt; &gt; &quot; &#39;</p>"},
    {"<a title=\"{{special}}\">", "<a title=\"&amp; &lt; &gt; &quot; &#39;\">"},
    {"<a title='{{special}}'>", "<a title='&amp; &lt; &gt; &quot; &#39;'>"},
    {"<input value=\"{{attack}}\">",
     "<input value=\"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\">"},
    {"{{user.org.name}}", "ACME &amp; Co"},
    /* SafeHtml is the only raw output */
    {"{{html}}", "<b class=\"x\">bold &amp; safe</b>"},
    /* ints, booleans, objects, lists, missing */
    {"{{count}}/{{zero}}/{{neg}}", "42/0/-9223372036854775808"},
    {"[{{yes}}{{no}}{{user}}{{items}}{{missing}}{{missing.deeper}}]", "[]"},
    /* dotted names */
    {"{{user.name}} <{{user.email}}>", "Bob <bob@example.org>"},
    {"[{{user.missing}}{{name.x}}{{user.org.name.x}}]", "[]"},
    /* sections */
    {"{{#yes}}Y{{/yes}}{{#no}}N{{/no}}", "Y"},
    {"{{#count}}{{count}}{{/count}}{{#zero}}Z{{/zero}}", "42"},
    {"{{#name}}<{{name}}>{{/name}}{{#empty}}E{{/empty}}", "<Ada>"},
    {"{{#html}}h{{/html}}", "h"},
    {"{{#missing}}M{{/missing}}", ""},
    {"{{#user}}{{name}} {{email}}{{/user}}", "Bob bob@example.org"},
    {"{{# user }}{{ name }}{{/ user }}", "Bob"},
    /* inverted */
    {"{{^no}}N{{/no}}{{^yes}}Y{{/yes}}", "N"},
    {"{{^missing}}M{{/missing}}{{^empty}}E{{/empty}}{{^zero}}Z{{/zero}}", "MEZ"},
    {"{{^user}}U{{/user}}{{^items}}I{{/items}}{{^name}}A{{/name}}", ""},
    /* context stack: inner first, then outward; dotted names do not walk back out */
    {"{{#user}}{{#org}}{{name}}/{{email}}/{{count}}{{/org}}{{/user}}",
     "ACME &amp; Co/bob@example.org/42"},
    {"{{#user}}{{#org}}[{{org.email}}]{{/org}}{{/user}}", "[]"},
    {"{{#user}}{{user.name}}{{/user}}", "Bob"},
    {"{{#user.org}}{{name}}{{/user.org}}", "ACME &amp; Co"},
    /* lists */
    {"{{#items}}[{{title}}:{{n}}:{{name}}]{{/items}}", "[one:1:Ada][two:2:Inner]"},
    {"{{#items}}{{#user}}{{title}}-{{name}};{{/user}}{{/items}}", "one-Bob;two-Bob;"},
    {"{{#items}}{{#items}}{{n}}{{/items}}|{{/items}}", "12|12|"},
    {"{{#tags}}({{.}}){{/tags}}", "(a)(&lt;b&gt;)"},
    {"{{#tags}}{{#.}}x{{/.}}{{/tags}}", "xx"},
    {"[{{.}}]", "[]"},
    /* comments */
    {"a{{! a comment }}b", "ab"},
    {"a{{! spans\nlines {{ and has braces }}b", "ab"},
    /* not tags */
    {"{ {name} } }} {", "{ {name} } }} {"},
};

static void test_render_cases(void **state)
{
    Arena a;
    arena_init(&a, 0);
    View *v = fixture(&a);
    for (size_t i = 0; i < sizeof RENDER_CASES / sizeof RENDER_CASES[0]; i++) {
        Buf out, err;
        buf_init(&out, &a);
        buf_init(&err, &a);
        const RenderCase *c = &RENDER_CASES[i];
        bool ok = template_render_string(c->src, strlen(c->src), v, "de", &out, &err);
        if (!ok || strcmp(buf_cstr(&out), c->want) != 0)
            print_error("case %zu: %s\n  want: %s\n  got:  %s\n  err:  %s\n", i, c->src, c->want,
                        buf_cstr(&out), buf_cstr(&err));
        assert_true(ok);
        assert_string_equal(buf_cstr(&out), c->want);
    }
    arena_free(&a);
}

typedef struct ErrorCase {
    const char *src;
    const char *want; /* must appear in the message */
} ErrorCase;

static const ErrorCase ERROR_CASES[] = {
    {"a\nb\nc {{name", "<string>:3: unclosed tag"},
    {"a\nb\nc {{name}", "<string>:3: unclosed tag"},
    {"1\n2\n3\n4\n{{/x}}", "<string>:5: section end without a start"},
    {"{{#a}}\n\n\n\n{{/b}}", "<string>:5: mismatched section end {{/b}}: expected {{/a}} "
                             "(opened on line 1)"},
    {"x\n{{#a}}\n{{#b}}{{/b}}\n", "<string>:2: unclosed section {{#a}}"},
    {"x\n\n{{^a}}", "<string>:3: unclosed section {{^a}}"},
    {"{{&name}}", "<string>:1: unknown tag {{&name}}"},
    {"\n{{{name}}}", "<string>:2: unknown tag {{{name}}"},
    {"{{=<% %>=}}", "<string>:1: unknown tag"},
    {"{{name}}}", "<string>:1: unknown tag {{name}}}"},
    {"\n\n\n{{ }}", "<string>:4: empty tag"},
    {"{{a..b}}", "<string>:1: unknown tag"},
    {"{{.a}}", "<string>:1: unknown tag"},
    {"{{a.}}", "<string>:1: unknown tag"},
    {"{{a b}}", "<string>:1: unknown tag"},
    {"{{#}}{{/}}", "<string>:1: bad section name"},
    {"{{#a b}}", "<string>:1: bad section name"},
    {"{{!\n\n}}\n{{bad tag}}", "<string>:4: unknown tag {{bad tag}}"},
    {"{{> ../etc/passwd}}", "<string>:1: bad partial name"},
    {"{{> /abs}}", "<string>:1: bad partial name"},
    {"{{> a//b}}", "<string>:1: bad partial name"},
    {"{{>}}", "<string>:1: bad partial name"},
    {"\n\n{{> surely_missing_partial}}",
     "<string>:3: unknown partial {{> surely_missing_partial}}"},
    {"{{#items}}\n{{> surely/missing}}\n{{/items}}", "<string>:2: unknown partial"},
};

/* Escaping finds a special character wherever it stands: the clean-prefix scan reads 16 and
 * 8 bytes at a time, so every length up to 40 and every position (and a clean text, which is
 * copied as it is) both through view_set and view_set_ref. */
static void test_escape_every_position(void **state)
{
    static const char SPECIAL[] = "&<>\"'";
    static const char *const ENTITY[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    Arena a;
    arena_init(&a, 4096);
    for (size_t len = 0; len <= 40; len++) {
        for (size_t at = 0; at <= len; at++) { /* at == len: no special character */
            for (int k = 0; k < 5; k++) {
                char text[48], want[64];
                memset(text, 'x', len);
                text[len] = '\0';
                if (at < len)
                    text[at] = SPECIAL[k];
                snprintf(want, sizeof want, "%.*s%s%s", (int)(at < len ? at : len), text,
                         at < len ? ENTITY[k] : "", at < len ? text + at + 1 : "");
                View *v = view_new(&a);
                view_set(v, "t", text);
                view_set_ref(v, "r", text);
                Buf out;
                buf_init(&out, &a);
                assert_true(template_render_string("{{t}}|{{r}}", 11, v, "de", &out, NULL));
                char both[160];
                snprintf(both, sizeof both, "%s|%s", want, want);
                assert_string_equal(buf_cstr(&out), both);
                if (at == len)
                    break;
            }
        }
        arena_reset(&a);
    }
    arena_free(&a);
}

/* view_list_add_refs: the same output as view_list_add with view_set_ref per field. */
static void test_list_add_refs(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    View *v = view_new(&a);
    view_set(v, "outer", "O");
    const ViewField one[] = {{"k", "SUP-1"}, {"s", "a < b"}, {"e", NULL}};
    const ViewField two[] = {{"k", "SUP-2"}, {"s", "plain"}, {"e", "x"}};
    view_list_add_refs(v, "items", one, 3);
    view_list_add_refs(v, "items", two, 3);
    view_list_add_refs(v, "items", NULL, 0);
    assert_int_equal(view_list_count(v, "items"), 3);
    Buf out;
    buf_init(&out, &a);
    const char *src = "{{#items}}[{{k}}|{{s}}|{{^e}}-{{/e}}{{e}}|{{outer}}]{{/items}}";
    assert_true(template_render_string(src, strlen(src), v, "de", &out, NULL));
    assert_string_equal(buf_cstr(&out), "[SUP-1|a &lt; b|-|O][SUP-2|plain|x|O][||-|O]");
    arena_free(&a);
}

static void test_errors_have_line_numbers(void **state)
{
    Arena a;
    arena_init(&a, 0);
    View *v = fixture(&a);
    for (size_t i = 0; i < sizeof ERROR_CASES / sizeof ERROR_CASES[0]; i++) {
        Buf out, err;
        buf_init(&out, &a);
        buf_init(&err, &a);
        buf_puts(&out, "kept");
        const ErrorCase *c = &ERROR_CASES[i];
        bool ok = template_render_string(c->src, strlen(c->src), v, "de", &out, &err);
        if (ok || !strstr(buf_cstr(&err), c->want))
            print_error("case %zu: %s\n  want error: %s\n  got: %s\n", i, c->src, c->want,
                        buf_cstr(&err));
        assert_false(ok);
        assert_non_null(strstr(buf_cstr(&err), c->want));
        assert_string_equal(buf_cstr(&out), "kept"); /* nothing half-rendered */
    }
    arena_free(&a);
}

/* Returns "{{#a}}" depth times, then "x", then "{{/a}}" depth times. */
static void nested(Buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        buf_puts(b, "{{#a}}");
    buf_putc(b, 'x');
    for (int i = 0; i < depth; i++)
        buf_puts(b, "{{/a}}");
}

static void test_section_depth_limit(void **state)
{
    Arena a;
    arena_init(&a, 0);
    View *v = view_new(&a);
    view_child(v, "a");
    Buf src, out, err;
    buf_init(&src, &a);
    buf_init(&out, &a);
    buf_init(&err, &a);
    nested(&src, 32);
    assert_true(template_render_string(src.data, src.len, v, "de", &out, &err));
    assert_string_equal(buf_cstr(&out), "x");
    buf_clear(&src);
    buf_puts(&src, "\n");
    nested(&src, 33);
    assert_false(template_render_string(src.data, src.len, v, "de", &out, &err));
    assert_non_null(strstr(buf_cstr(&err), "<string>:2: sections nested deeper than 32"));
    arena_free(&a);
}

static void test_render_limits(void **state)
{
    Arena a;
    arena_init(&a, 0);
    View *v = fixture(&a);
    Buf out, err;
    buf_init(&out, &a);
    buf_init(&err, &a);
    const char *src = "{{#items}}{{#items}}{{#items}}{{title}}{{/items}}{{/items}}{{/items}}";
    template_set_limits(10, 1000);
    assert_false(template_render_string(src, strlen(src), v, "de", &out, &err));
    assert_non_null(strstr(buf_cstr(&err), "render limit exceeded"));
    assert_int_equal(out.len, 0);
    template_set_limits(50000000, 256u * 1024 * 1024);
    assert_true(template_render_string(src, strlen(src), v, "de", &out, &err));
    assert_string_equal(buf_cstr(&out), "onetwoonetwoonetwoonetwo");
    arena_free(&a);
}

static void test_view_api(void **state)
{
    Arena a;
    arena_init(&a, 0);
    View *v = fixture(&a);
    char temp[8] = "temp";
    view_set(v, "copied", temp);
    temp[0] = 'X';
    assert_string_equal(view_get_text(v, "copied"), "temp");
    view_set(v, "name", "Grace"); /* replaces */
    assert_string_equal(view_get_text(v, "name"), "Grace");
    assert_string_equal(view_get_text(v, "user.org.name"), "ACME & Co");
    assert_null(view_get_text(v, "count"));
    assert_int_equal(view_get_int(v, "count"), 42);
    assert_true(view_get_bool(v, "yes"));
    assert_false(view_get_bool(v, "no"));
    assert_true(view_has(v, "no"));
    assert_false(view_has(v, "nothing"));
    assert_ptr_equal(view_get_child(v, "user"), view_child(v, "user"));
    assert_int_equal(view_list_count(v, "items"), 2);
    assert_int_equal(view_list_count(v, "tags"), 2);
    view_setf(v, "f", "%d-%s", 7, "x");
    view_set_n(v, "n", "abcdef", 3);
    view_set(v, "null", NULL);
    Buf out, err;
    buf_init(&out, &a);
    buf_init(&err, &a);
    const char *src = "{{f}} {{n}} [{{null}}]{{#null}}N{{/null}}";
    assert_true(template_render_string(src, strlen(src), v, "de", &out, &err));
    assert_string_equal(buf_cstr(&out), "7-x abc []");
    arena_free(&a);
}

static void test_null_view(void **state)
{
    Buf out, err;
    buf_init(&out, NULL);
    buf_init(&err, NULL);
    const char *src = "a{{b}}{{#c}}x{{/c}}{{^c}}y{{/c}}";
    assert_true(template_render_string(src, strlen(src), NULL, NULL, &out, &err));
    assert_string_equal(buf_cstr(&out), "ay");
    buf_free(&out);
    buf_free(&err);
}

/* ---- dev mode: files on disk (partials, translations) ---- */

static char tmpdir[64];

static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    for (char *p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int dev_setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pforte-test-template-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    write_file("templates/page.html", "{{#items}}{{> card}}{{/items}}|{{> sub/deep-one}}");
    write_file("templates/partials/card.html", "[{{title}}]");
    write_file("templates/partials/sub/deep-one.html", "deep:{{name}}");
    write_file("templates/loop.html", "{{> loop}}");
    write_file("templates/partials/loop.html", "x{{> loop}}");
    write_file("templates/uses_broken.html", "\n{{> broken}}");
    write_file("templates/partials/broken.html", "line 1\n{{#open}}\n");
    write_file("templates/tr.html", "{{_ Hello %{name}, you have %{count} new requests.}}");
    write_file("locale/de.po",
               "msgid \"\"\nmsgstr \"Language: de\\n\"\n\n"
               "msgid \"Hello %{name}, you have %{count} new requests.\"\n"
               "msgstr \"Hallo %{name}, Sie haben %{count} neue Anfragen.\"\n\n"
               "msgid \"Fish & <chips>\"\nmsgstr \"Fisch & <Pommes> %{user.org.name}\"\n\n"
               "msgid \"Odd %{ %{nope!} %{html} %{\"\nmsgstr \"\"\n");
    write_file("locale/en.po", "msgid \"Hello %{name}, you have %{count} new requests.\"\n"
                               "msgstr \"Hi %{name}: %{count} new requests.\"\n");
    assets_set_dev(true, tmpdir);
    return 0;
}

static int dev_teardown(void **state)
{
    assets_set_dev(false, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void expect_render(View *v, const char *name, const char *lang, const char *want)
{
    Buf out, err;
    buf_init(&out, NULL);
    buf_init(&err, NULL);
    bool ok = template_render(name, v, lang, &out, &err);
    if (!ok)
        print_error("%s: %s\n", name, buf_cstr(&err));
    assert_true(ok);
    assert_string_equal(buf_cstr(&out), want);
    buf_free(&out);
    buf_free(&err);
}

static void expect_render_error(View *v, const char *name, const char *want)
{
    Buf out, err;
    buf_init(&out, NULL);
    buf_init(&err, NULL);
    assert_false(template_render(name, v, "de", &out, &err));
    if (!strstr(buf_cstr(&err), want))
        print_error("%s: want %s, got %s\n", name, want, buf_cstr(&err));
    assert_non_null(strstr(buf_cstr(&err), want));
    assert_int_equal(out.len, 0);
    buf_free(&out);
    buf_free(&err);
}

static void test_partials(void **state)
{
    Arena a;
    arena_init(&a, 0);
    View *v = fixture(&a);
    expect_render(v, "page", "de", "[one][two]|deep:Ada");
    expect_render_error(v, "loop", "partials nested deeper than 16");
    expect_render_error(v, "uses_broken",
                        "templates/uses_broken.html:2: "
                        "templates/partials/broken.html:2: unclosed section");
    expect_render_error(v, "nope", "templates/nope.html: no such template");
    expect_render_error(v, "../etc/passwd", "not valid");
    expect_render_error(v, "/etc/passwd", "not valid");
    /* dev mode re-reads on each render */
    write_file("templates/partials/card.html", "<{{title}}>");
    expect_render(v, "page", "de", "<one><two>|deep:Ada");
    arena_free(&a);
}

typedef struct TranslateCase {
    const char *src;
    const char *lang;
    const char *want;
} TranslateCase;

static const TranslateCase TRANSLATE_CASES[] = {
    {"{{_ Hello %{name}, you have %{count} new requests.}}", "de",
     "Hallo &lt;Ada&gt;, Sie haben 42 neue Anfragen."},
    {"{{_ Hello %{name}, you have %{count} new requests.}}", "en",
     "Hi &lt;Ada&gt;: 42 new requests."},
    {"{{_ Hello %{name}, you have %{count} new requests.}}", "fr",
     "Hallo &lt;Ada&gt;, Sie haben 42 neue Anfragen."},
    {"{{_ Hello %{name}, you have %{count} new requests.}}", NULL,
     "Hallo &lt;Ada&gt;, Sie haben 42 neue Anfragen."},
    {"{{_   Hello %{name},\n   you have\t%{count} new requests.  }}", "de",
     "Hallo &lt;Ada&gt;, Sie haben 42 neue Anfragen."},
    {"{{_ Fish & <chips>}}", "de", "Fisch &amp; &lt;Pommes&gt; ACME &amp; Co"},
    {"{{_ Fish & <chips>}}", "en", "Fish &amp; &lt;chips&gt;"},
    {"{{_ Hello %{name}, you have %{count}}}", "de", "Hello &lt;Ada&gt;, you have 42"},
    {"{{_ Not translated %{name} \"x\"}}", "de", "Not translated &lt;Ada&gt; &quot;x&quot;"},
    {"{{_ Odd %{ %{nope!} %{html} %{}}", "de", "Odd %{ %{nope!} <i>raw</i> %{"},
    {"{{#items}}{{_ Hello %{name}, you have %{count} new requests.}};{{/items}}", "en",
     "Hi &lt;Ada&gt;: 42 new requests.;Hi Inner: 42 new requests.;"},
};

static void test_translations(void **state)
{
    Arena a;
    arena_init(&a, 0);
    View *v = fixture(&a);
    view_set(v, "name", "<Ada>");
    view_set_html(v, "html", "<i>raw</i>");
    for (size_t i = 0; i < sizeof TRANSLATE_CASES / sizeof TRANSLATE_CASES[0]; i++) {
        const TranslateCase *c = &TRANSLATE_CASES[i];
        Buf out, err;
        buf_init(&out, &a);
        buf_init(&err, &a);
        bool ok = template_render_string(c->src, strlen(c->src), v, c->lang, &out, &err);
        if (!ok || strcmp(buf_cstr(&out), c->want) != 0)
            print_error("case %zu: %s\n  want: %s\n  got:  %s %s\n", i, c->src, c->want,
                        buf_cstr(&out), buf_cstr(&err));
        assert_true(ok);
        assert_string_equal(buf_cstr(&out), c->want);
    }
    expect_render(v, "tr", "de", "Hallo &lt;Ada&gt;, Sie haben 42 neue Anfragen.");
    arena_free(&a);
}

static void test_assets_dev(void **state)
{
    size_t size = 0;
    const unsigned char *data = assets_find("templates/partials/sub/deep-one.html", &size);
    assert_non_null(data);
    assert_int_equal(size, strlen("deep:{{name}}"));
    assert_string_equal((const char *)data, "deep:{{name}}");
    static const char *const BAD[] = {"../x", "/etc/passwd", "templates/../../x", "a/./b", "a//b",
                                      "",     "a\\b",        "templates/..",      NULL};
    for (int i = 0; BAD[i]; i++)
        assert_null(assets_find(BAD[i], &size));
    assert_null(assets_find(NULL, &size));
    assert_null(assets_find("templates/none.html", &size));
}

/* ---- embedded mode ---- */

static void test_embedded_templates_compile(void **state)
{
    Buf err;
    buf_init(&err, NULL);
    bool ok = template_init(&err);
    if (!ok)
        print_error("%s\n", buf_cstr(&err));
    assert_true(ok);
    buf_free(&err);
    Buf out;
    buf_init(&out, NULL);
    buf_init(&err, NULL);
    assert_false(template_render("surely/not/there", NULL, "de", &out, &err));
    assert_non_null(strstr(buf_cstr(&err), "no such template"));
    buf_free(&out);
    buf_free(&err);
}

static void test_assets_embedded(void **state)
{
    size_t count = 0;
    for (const EmbeddedFile *f = EMBEDDED_FILES; f->path; f++) {
        size_t size = 0;
        assert_ptr_equal(assets_find(f->path, &size), f->data);
        assert_int_equal(size, f->size);
        count++;
    }
    assert_true(count > 0);
    assert_null(assets_find("no/such/file", NULL));
    assert_null(assets_find("../templates/home.html", NULL));
}

/* Rows of a list (partials/field_select, its options through select_option): the places
 * remembered from one row must not serve a row that holds its keys elsewhere, other keys, or
 * no array at all. */
static void test_list_rows_found_in_any_order(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    View *v = view_new(&a);
    view_set(v, "id", "f");
    view_set(v, "label", "Field");
    const ViewField first[] = {{"value", "a"}, {"label", "A"}, {"selected", ""}};
    const ViewField again[] = {{"value", "b"}, {"label", "B"}, {"selected", "1"}};
    const ViewField swapped[] = {{"label", "C"}, {"selected", ""}, {"value", "c"}};
    const ViewField fewer[] = {{"label", "D"}};
    view_list_add_refs(v, "options", first, 3);
    view_list_add_refs(v, "options", again, 3);
    view_list_add_refs(v, "options", swapped, 3);
    view_list_add_refs(v, "options", fewer, 1); /* value from nowhere, label from the row */
    View *plain = view_list_add(v, "options");
    view_set(plain, "value", "e");
    view_set(plain, "label", "E");
    const char *want = "<option value=\"a\">A</option><option value=\"b\" selected>B</option>"
                       "<option value=\"c\">C</option><option value=\"\">D</option>"
                       "<option value=\"e\">E</option>";
    for (int round = 0; round < 2; round++) { /* and again: nothing is left from the first */
        Buf out;
        buf_init(&out, &a);
        assert_true(template_render("partials/field_select", v, "en", &out, NULL));
        const char *start = strstr(buf_cstr(&out), "<option value=\"a\"");
        assert_non_null(start);
        char got[512];
        size_t n = 0;
        for (const char *p = start; *p && n + 1 < sizeof got; p++)
            if (*p != '\n') /* the template puts each option on a line of its own */
                got[n++] = *p;
        got[n] = '\0';
        assert_non_null(strstr(got, want));
    }
    arena_free(&a);
}

/* A row whose value is the very string of the row before takes its length and escaping from
 * there; a different string at the same place is measured and escaped on its own. */
static void test_list_rows_share_values(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    View *v = view_new(&a);
    const char *shared = "R&D";
    char changed[] = "a<b";
    const ViewField r1[] = {{"k", "1"}, {"label", shared}};
    const ViewField r2[] = {{"k", "2"}, {"label", shared}};
    const ViewField r3[] = {{"k", "3"}, {"label", "plain text"}}; /* longer, nothing to escape */
    const ViewField r4[] = {{"k", "4"}, {"label", changed}};        /* shorter, to escape */
    const ViewField r5[] = {{"k", "5"}, {"label", ""}};
    const ViewField r6[] = {{"label", shared}, {"k", "6"}}; /* other order: measured again */
    view_list_add_refs(v, "rows", r1, 2);
    view_list_add_refs(v, "rows", r2, 2);
    view_list_add_refs(v, "rows", r3, 2);
    view_list_add_refs(v, "rows", r4, 2);
    view_list_add_refs(v, "rows", r5, 2);
    view_list_add_refs(v, "rows", r6, 2);
    const char *src = "{{#rows}}[{{k}}:{{label}}]{{/rows}}";
    Buf out;
    buf_init(&out, &a);
    assert_true(template_render_string(src, strlen(src), v, "de", &out, NULL));
    assert_string_equal(buf_cstr(&out),
                        "[1:R&amp;D][2:R&amp;D][3:plain text][4:a&lt;b][5:][6:R&amp;D]");
    arena_free(&a);
}

static void *render_many(void *unused)
{
    Arena a;
    arena_init(&a, 0);
    View *v = fixture(&a);
    const char *src = "{{#items}}<{{title}}>{{/items}}{{_ Hello}}";
    bool ok = true;
    for (int i = 0; i < 2000 && ok; i++) {
        Buf out;
        buf_init(&out, &a);
        ok = template_render_string(src, strlen(src), v, "en", &out, NULL) &&
             strcmp(buf_cstr(&out), "<one><two>Hello") == 0;
    }
    arena_free(&a);
    return ok ? "ok" : NULL;
}

static void test_threads(void **state)
{
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, render_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *result;
        pthread_join(threads[i], &result);
        assert_non_null(result);
    }
}

int main(void)
{
    const struct CMUnitTest embedded[] = {
        cmocka_unit_test(test_render_cases),
        cmocka_unit_test(test_escape_every_position),
        cmocka_unit_test(test_list_add_refs),
        cmocka_unit_test(test_errors_have_line_numbers),
        cmocka_unit_test(test_section_depth_limit),
        cmocka_unit_test(test_render_limits),
        cmocka_unit_test(test_view_api),
        cmocka_unit_test(test_null_view),
        cmocka_unit_test(test_embedded_templates_compile),
        cmocka_unit_test(test_assets_embedded),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_list_rows_found_in_any_order),
        cmocka_unit_test(test_list_rows_share_values),
    };
    const struct CMUnitTest dev[] = {
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_translations),
        cmocka_unit_test(test_assets_dev),
    };
    int failed = cmocka_run_group_tests_name("template", embedded, NULL, NULL);
    failed += cmocka_run_group_tests_name("template_dev", dev, dev_setup, dev_teardown);
    return failed ? 1 : 0;
}
