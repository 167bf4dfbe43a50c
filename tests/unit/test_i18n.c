/* test_i18n: .po parsing (continuations, escapes, comments, fuzzy, context, plurals, errors
 * with line numbers), lookups with fallback, dev-mode reloading and the language choice. */
#include "core/buf.h"
#include "web/assets.h"
#include "web/i18n.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char SAMPLE_PO[] = "# translator comment\n"
                                "msgid \"\"\n"
                                "msgstr \"\"\n"
                                "\"Language: de\\n\"\n"
                                "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
                                "\n"
                                "#: templates/home.html:3\n"
                                "msgid \"Requests\"\n"
                                "msgstr \"Anfragen\"\n"
                                "\n"
                                "msgid \"\"\n"
                                "\"A long text \"\n"
                                "\"over two lines\"\n"
                                "msgstr \"\"\n"
                                "\"Ein langer Text \"\n"
                                "\"über zwei Zeilen\"\n"
                                "\n"
                                "msgid \"Line\\nbreak \\\"quoted\\\" back\\\\slash\\ttab\"\n"
                                "msgstr \"Zeilen\\numbruch \\\"zitiert\\\" Rück\\\\strich\\tTab\"\n"
                                "\n"
                                "#, fuzzy\n"
                                "msgid \"Fuzzy\"\n"
                                "msgstr \"Unscharf\"\n"
                                "\n"
                                "#, c-format, fuzzy\n"
                                "msgid \"Fuzzy too\"\n"
                                "msgstr \"Auch unscharf\"\n"
                                "msgid \"Untranslated\"\n"
                                "msgstr \"\"\n"
                                "\n"
                                "msgctxt \"verb\"\n"
                                "msgid \"Open\"\n"
                                "msgstr \"Öffnen\"\n"
                                "\n"
                                "msgctxt \"status\"\n"
                                "msgid \"Open\"\n"
                                "msgstr \"Offen\"\n"
                                "\n"
                                "msgid \"%{n} request\"\n"
                                "msgid_plural \"%{n} requests\"\n"
                                "msgstr[0] \"%{n} Anfrage\"\n"
                                "msgstr[1] \"%{n} Anfragen\"\n"
                                "\n"
                                "  msgid   \"Indented\"   \r\n"
                                "  msgstr  \"Eingerückt\"\t\r\n"
                                "#~ msgid \"Obsolete\"\n"
                                "#~ msgstr \"Veraltet\"\n"
                                "msgid \"Last\"\n"
                                "msgstr \"Letzte\"";

typedef struct LookupCase {
    const char *ctx;
    const char *msgid;
    const char *want; /* NULL = no usable entry */
} LookupCase;

static const LookupCase LOOKUP_CASES[] = {
    {NULL, "Requests", "Anfragen"},
    {NULL, "A long text over two lines", "Ein langer Text über zwei Zeilen"},
    {NULL, "Line\nbreak \"quoted\" back\\slash\ttab",
     "Zeilen\numbruch \"zitiert\" Rück\\strich\tTab"},
    {NULL, "Fuzzy", NULL},
    {NULL, "Fuzzy too", NULL},
    {NULL, "Untranslated", NULL},
    {NULL, "Open", NULL},
    {"verb", "Open", "Öffnen"},
    {"status", "Open", "Offen"},
    {NULL, "%{n} request", "%{n} Anfrage"},
    {NULL, "Indented", "Eingerückt"},
    {NULL, "Obsolete", NULL},
    {NULL, "Last", "Letzte"},
    {NULL, "", NULL},
    {NULL, "Not there", NULL},
};

static void test_parse_po(void **state)
{
    Buf err;
    buf_init(&err, NULL);
    bool ok = false;
    Catalog *c = i18n_catalog_parse("sample.po", SAMPLE_PO, sizeof SAMPLE_PO - 1, &err, &ok);
    if (!ok)
        print_error("%s\n", buf_cstr(&err));
    assert_true(ok);
    assert_int_equal(err.len, 0);
    for (size_t i = 0; i < sizeof LOOKUP_CASES / sizeof LOOKUP_CASES[0]; i++) {
        const LookupCase *lc = &LOOKUP_CASES[i];
        const char *got = i18n_catalog_lookup(c, lc->ctx, lc->msgid);
        if (lc->want)
            assert_string_equal(got, lc->want);
        else
            assert_null(got);
    }
    assert_int_equal(i18n_catalog_count(c), 8);
    i18n_catalog_free(c);
    buf_free(&err);
}

typedef struct PoErrorCase {
    const char *src;
    const char *want;
} PoErrorCase;

static const PoErrorCase PO_ERROR_CASES[] = {
    {"msgid \"a\"\nmsgstr \"b\n", "x.po:2: unterminated string"},
    {"msgid \"a\"\nmsgstr \"b\"\n\nmsgfoo \"c\"\n", "x.po:4: unknown keyword"},
    {"msgid \"a\"\n", "x.po:1: msgid without msgstr"},
    {"msgid \"a\"\n\n\nmsgid \"b\"\nmsgstr \"\"\n", "x.po:4: msgid out of place"},
    {"msgid \"a\\q\"\nmsgstr \"\"\n", "x.po:1: unknown escape"},
    {"\"orphan\"\n", "x.po:1: string without keyword"},
    {"msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n", "x.po:4: duplicate msgid"},
    {"msgid \"a\" junk\nmsgstr \"\"\n", "x.po:1: unexpected text after string"},
    {"msgid a\nmsgstr \"\"\n", "x.po:1: expected a \"quoted string\""},
    {"msgstr \"b\"\n", "x.po:1: msgstr out of place"},
    {"msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"\n", "x.po:3: msgstr out of place"},
    {"msgctxt \"c\"\n", "x.po:1: msgctxt without msgid"},
};

static void test_parse_errors(void **state)
{
    for (size_t i = 0; i < sizeof PO_ERROR_CASES / sizeof PO_ERROR_CASES[0]; i++) {
        const PoErrorCase *pc = &PO_ERROR_CASES[i];
        Buf err;
        buf_init(&err, NULL);
        bool ok = true;
        Catalog *c = i18n_catalog_parse("x.po", pc->src, strlen(pc->src), &err, &ok);
        if (ok || !strstr(buf_cstr(&err), pc->want))
            print_error("case %zu: want %s, got %s\n", i, pc->want, buf_cstr(&err));
        assert_false(ok);
        assert_non_null(strstr(buf_cstr(&err), pc->want));
        i18n_catalog_free(c);
        buf_free(&err);
    }
    /* entries before an error stay usable; NULL err and ok are allowed */
    const char *src = "msgid \"a\"\nmsgstr \"b\"\n\nbroken\n";
    Catalog *c = i18n_catalog_parse(NULL, src, strlen(src), NULL, NULL);
    assert_string_equal(i18n_catalog_lookup(c, NULL, "a"), "b");
    i18n_catalog_free(c);
}

static void test_embedded_catalogs(void **state)
{
    Buf err;
    buf_init(&err, NULL);
    bool ok = i18n_init(&err);
    if (!ok)
        print_error("%s\n", buf_cstr(&err));
    assert_true(ok);
    buf_free(&err);
    const char *msgid = "Surely no catalog translates this";
    assert_ptr_equal(i18n_get("de", msgid), msgid);
    assert_ptr_equal(i18n_get("en", msgid), msgid);
    assert_ptr_equal(i18n_get("xx", msgid), msgid);
    assert_ptr_equal(i18n_get(NULL, msgid), msgid);
    assert_string_equal(i18n_get("de", NULL), "");
}

typedef struct PickCase {
    const char *query, *cookie, *user, *accept;
    const char *want;
} PickCase;

static const PickCase PICK_CASES[] = {
    {NULL, NULL, NULL, NULL, "de"},
    {"", "", "", "", "de"},
    /* order: user setting, ?lang=, cookie, Accept-Language, "de" */
    {"de", "de", "en", "de", "en"},
    {"en", "de", "de", "en", "de"},
    {"en", "de", NULL, "de", "en"},
    {"de", "en", NULL, "en", "de"},
    {NULL, "en", NULL, "de", "en"},
    {NULL, NULL, NULL, "en", "en"},
    /* unsupported values fall through */
    {"fr", NULL, "xx", "en", "en"},
    {"fr", "it", NULL, NULL, "de"},
    {"english", NULL, NULL, NULL, "de"},
    {"EN", NULL, NULL, NULL, "en"},
    {"en-GB", NULL, NULL, NULL, "en"},
    {NULL, "de_AT", NULL, "en", "de"},
    /* Accept-Language: q-values, regions, ties, q=0, junk */
    {NULL, NULL, NULL, "en-US,en;q=0.9,de;q=0.8", "en"},
    {NULL, NULL, NULL, "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de"},
    {NULL, NULL, NULL, "fr-FR, fr;q=0.9, en;q=0.8, de;q=0.7", "en"},
    {NULL, NULL, NULL, "en;q=0.5, de;q=0.9", "de"},
    {NULL, NULL, NULL, "en;q=0.5, de;q=0.5", "en"},
    {NULL, NULL, NULL, "en;q=0, fr", "de"},
    {NULL, NULL, NULL, "en;q=0.000", "de"},
    {NULL, NULL, NULL, "*", "de"},
    {NULL, NULL, NULL, "*;q=1, en;q=0.1", "en"},
    {NULL, NULL, NULL, "EN-us", "en"},
    {NULL, NULL, NULL, "en;q=2, de;q=0.1", "de"},
    {NULL, NULL, NULL, "en;q=abc, de;q=0.1", "de"},
    {NULL, NULL, NULL, "en ; q=0.7 , de ; q=0.3", "en"},
    {NULL, NULL, NULL, ",,;;,en", "en"},
    {NULL, NULL, NULL, "fr;q=1.0", "de"},
};

static void test_pick_lang(void **state)
{
    for (size_t i = 0; i < sizeof PICK_CASES / sizeof PICK_CASES[0]; i++) {
        const PickCase *pc = &PICK_CASES[i];
        const char *got = i18n_pick_lang(pc->query, pc->cookie, pc->user, pc->accept);
        if (strcmp(got, pc->want) != 0)
            print_error("case %zu: want %s got %s\n", i, pc->want, got);
        assert_string_equal(got, pc->want);
    }
    assert_true(i18n_lang_supported("de"));
    assert_true(i18n_lang_supported("en-US"));
    assert_false(i18n_lang_supported("fr"));
    assert_false(i18n_lang_supported(NULL));
}

static char tmpdir[64];

static void write_po(const char *lang, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/locale", tmpdir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/locale/%s.po", tmpdir, lang);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_dev_reload(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pforte-test-i18n-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    write_po("de", "msgid \"Pforte test: save\"\nmsgstr \"Speichern\"\n");
    write_po("en", "msgid \"Pforte test: save\"\nmsgstr \"Save now\"\n");
    assets_set_dev(true, tmpdir);
    const char *first = i18n_get("de", "Pforte test: save");
    assert_string_equal(first, "Speichern");
    assert_string_equal(i18n_get("en", "Pforte test: save"), "Save now");
    assert_string_equal(i18n_get("fr", "Pforte test: save"), "Speichern");
    write_po("de", "msgid \"Pforte test: save\"\nmsgstr \"Sichern\"\n");
    assert_string_equal(i18n_get("de", "Pforte test: save"), "Sichern");
    assert_string_equal(first, "Speichern");                 /* earlier results stay valid */
    write_po("de", "msgid \"Pforte test: save\"\nbroken\n"); /* logged; lookups fall back */
    assert_string_equal(i18n_get("de", "Pforte test: save"), "Pforte test: save");
    assets_set_dev(false, NULL);
    /* embedded catalog again */
    assert_string_equal(i18n_get("de", "Pforte test: save"), "Pforte test: save");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_po),          cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_embedded_catalogs), cmocka_unit_test(test_pick_lang),
        cmocka_unit_test(test_dev_reload),
    };
    return cmocka_run_group_tests_name("i18n", tests, NULL, NULL);
}
