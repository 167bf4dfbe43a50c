/* test_attachments: the rules for files that need no database - name sanitising (table of
 * hostile names plus properties every result keeps), content sniffing, the
 * Content-Disposition value, human-readable sizes and the limits of attachments_check. */
#include "core/arena.h"
#include "core/config.h"
#include "core/str.h"
#include "domain/attachments.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

/* What every sanitised name must be, whatever came in. */
static void assert_safe_name(const char *name, const char *input)
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || !str_utf8_valid(name, n))
        fail_msg("bad length or UTF-8 for %s: [%s]", input, name);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || strchr("\"'/\\<>:*?|", *p))
            fail_msg("character 0x%02x left in [%s] from %s", *p, name, input);
    if (strstr(name, "\xe2\x80\xae") || strstr(name, "\xe2\x80\x8b") ||
        strstr(name, "\xef\xbb\xbf"))
        fail_msg("invisible or bidi character left in [%s]", name);
    if (name[0] == '.' || name[0] == ' ' || name[n - 1] == '.' || name[n - 1] == ' ')
        fail_msg("not trimmed: [%s]", name);
}

static const struct {
    const char *in, *out;
} NAMES[] = {
    {"report.pdf", "report.pdf"},
    {"Prüfbericht März.xlsx", "Prüfbericht März.xlsx"},
    {"../../etc/passwd", "passwd"},
    {"C:\\Users\\anna\\Desktop\\scan 1.png", "scan 1.png"},
    {"dir/", "attachment"},
    {"", "attachment"},
    {"...", "attachment"},
    {" . ", "attachment"},
    {"  .htaccess  ", "htaccess"},
    {"name.", "name"},
    {"a\"b'c.txt", "a_b_c.txt"},
    {"line\r\nbreak.txt", "line__break.txt"},
    {"tab\there.txt", "tab_here.txt"},
    {"nul\x01"
     "byte.txt",
     "nul_byte.txt"},
    {"del\x7f.txt", "del_.txt"},
    {"a<b>c:d*e?f|g.txt", "a_b_c_d_e_f_g.txt"},
    {"invoice\xe2\x80\xae"
     "fdp.exe",
     "invoice_fdp.exe"},                             /* U+202E right-to-left override */
    {"zero\xe2\x80\x8bwidth.txt", "zero_width.txt"}, /* U+200B */
    {"\xef\xbb\xbf"
     "bom.txt",
     "_bom.txt"}, /* U+FEFF */
    {"c1\xc2\x85"
     "control.txt",
     "c1_control.txt"}, /* U+0085 */
    {"\xff\xfe"
     "bad.txt",
     "__bad.txt"}, /* invalid UTF-8 */
    {"\xc3"
     "cut.txt",
     "_cut.txt"}, /* truncated sequence */
    {"\xc0\xaf"
     "overlong.txt",
     "__overlong.txt"}, /* overlong '/' */
    {"CON", "_CON"},
    {"con.txt", "_con.txt"},
    {"LPT1.log", "_LPT1.log"},
    {"com9", "_com9"},
    {"console.txt", "console.txt"},
    {"100%.txt", "100%.txt"},
};

static void test_sanitize_table(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        const char *got = attachment_sanitize_name(&a, NAMES[i].in);
        if (strcmp(got, NAMES[i].out) != 0)
            fail_msg("case %zu: got [%s], want [%s]", i, got, NAMES[i].out);
        assert_safe_name(got, NAMES[i].in);
    }
    assert_string_equal(attachment_sanitize_name(&a, NULL), "attachment");
    arena_free(&a);
}

static void test_sanitize_long(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 0);
    char name[700];
    memset(name, 'x', 300);
    strcpy(name + 300, ".pdf");
    const char *got = attachment_sanitize_name(&a, name);
    assert_int_equal(strlen(got), 200);
    assert_true(str_ends_with(got, ".pdf"));
    /* multi-byte characters are never cut in half */
    for (int i = 0; i < 150; i++)
        memcpy(name + 2 * i, "\xc3\xa4", 2);
    strcpy(name + 300, ".txt");
    got = attachment_sanitize_name(&a, name);
    assert_true(strlen(got) <= 200);
    assert_true(str_ends_with(got, ".txt"));
    assert_safe_name(got, "(long umlauts)");
    /* a very long "extension" is cut like the rest */
    memset(name, 'y', 10);
    name[10] = '.';
    memset(name + 11, 'z', 400);
    name[411] = '\0';
    got = attachment_sanitize_name(&a, name);
    assert_int_equal(strlen(got), 200);
    assert_safe_name(got, "(long extension)");
    arena_free(&a);
}

/* Every byte sequence of a few lengths over a small hostile alphabet stays safe. */
static void test_sanitize_exhaustive(void **state)
{
    (void)state;
    static const char ALPHABET[] = {'a',    '.',    ' ',    '/',    '\\',   '"',    '\x01',
                                    '\xc3', '\xa4', '\xe2', '\x80', '\xae', '\xff', ':'};
    enum { K = sizeof ALPHABET };
    Arena a;
    arena_init(&a, 0);
    char name[5];
    for (int len = 1; len <= 4; len++) {
        int total = 1;
        for (int i = 0; i < len; i++)
            total *= K;
        for (int v = 0; v < total; v++) {
            int x = v;
            for (int i = 0; i < len; i++, x /= K)
                name[i] = ALPHABET[x % K];
            name[len] = '\0';
            assert_safe_name(attachment_sanitize_name(&a, name), name);
        }
        arena_reset(&a);
    }
    arena_free(&a);
}

static void test_sniff(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t n;
        const char *type;
        bool inline_ok;
    } SNIFF[] = {
        {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png", true},
        {"\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg", true},
        {"GIF89a\x01\0\x01\0", 10, "image/gif", true},
        {"GIF87a", 6, "image/gif", true},
        {"RIFF\x24\0\0\0WEBPVP8 ", 16, "image/webp", true},
        {"%PDF-1.7\n", 9, "application/pdf", false},
        {"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 41, "application/octet-stream", false},
        {"<html><script>alert(1)</script>", 31, "application/octet-stream", false},
        {"\x89PNG", 4, "application/octet-stream", false}, /* too short to be one */
        {"RIFF\x24\0\0\0WAVE", 12, "application/octet-stream", false},
        {"", 0, "application/octet-stream", false},
    };
    for (size_t i = 0; i < sizeof SNIFF / sizeof SNIFF[0]; i++) {
        const char *t = attachment_sniff_type((const unsigned char *)SNIFF[i].bytes, SNIFF[i].n);
        if (strcmp(t, SNIFF[i].type) != 0)
            fail_msg("case %zu: %s, want %s", i, t, SNIFF[i].type);
        assert_int_equal(attachment_is_inline_image(t), SNIFF[i].inline_ok);
    }
    assert_false(attachment_is_inline_image("image/svg+xml"));
    assert_false(attachment_is_inline_image(NULL));
}

static void test_disposition(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 0);
    assert_string_equal(attachment_disposition(&a, "report.pdf", false),
                        "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    assert_string_equal(attachment_disposition(&a, "Prüfbericht 100%.txt", false),
                        "attachment; filename=\"Pr_fbericht 100_.txt\"; "
                        "filename*=UTF-8''Pr%C3%BCfbericht%20100%25.txt");
    assert_string_equal(attachment_disposition(&a, "bild.png", true),
                        "inline; filename=\"bild.png\"; filename*=UTF-8''bild.png");
    /* whatever the stored name, the header cannot be broken out of */
    const char *h = attachment_disposition(&a, "x\"; filename=evil.html\r\nSet-Cookie: a=b", false);
    assert_null(strchr(h, '\r'));
    assert_null(strchr(h, '\n'));
    int quotes = 0;
    for (const char *p = h; *p; p++)
        quotes += *p == '"';
    assert_int_equal(quotes, 2); /* the one quoted filename, nothing breaks out of it */
    assert_string_equal(attachment_disposition(&a, "日本語.txt", false),
                        "attachment; filename=\"___.txt\"; "
                        "filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt");
    arena_free(&a);
}

static void test_format_size(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 0);
    assert_string_equal(attachment_format_size(&a, "de", 0), "0 B");
    assert_string_equal(attachment_format_size(&a, "en", 1023), "1023 B");
    assert_string_equal(attachment_format_size(&a, "en", 1024), "1 KB");
    assert_string_equal(attachment_format_size(&a, "en", 2049), "3 KB");
    assert_string_equal(attachment_format_size(&a, "en", 10485760), "10 MB");
    assert_string_equal(attachment_format_size(&a, "en", 1572864), "1.5 MB");
    assert_string_equal(attachment_format_size(&a, "de", 1572864), "1,5 MB");
    arena_free(&a);
}

static void test_check_limits(void **state)
{
    (void)state;
    cfg.max_attachment_bytes = 1000;
    cfg.max_request_attachment_bytes = 2500;
    unsigned char data[1200] = {0};
    NewAttachment ok = {"a.txt", "text/plain", data, 1000};
    NewAttachment big = {"b.txt", "text/plain", data, 1001};
    NewAttachment empty = {"c.txt", "text/plain", data, 0};
    assert_null(attachments_check(NULL, 0, 0));
    assert_null(attachments_check(&ok, 1, 0));
    assert_null(attachments_check(&ok, 1, 1500)); /* exactly the request limit */
    assert_non_null(attachments_check(&ok, 1, 1501));
    assert_non_null(attachments_check(&big, 1, 0));
    assert_non_null(attachments_check(&empty, 1, 0));
    NewAttachment three[3] = {ok, ok, ok};
    const char *msgid = attachments_check(three, 3, 0);
    assert_non_null(msgid);
    assert_non_null(strstr(msgid, "%{request_max}"));
    NewAttachment many[ATTACHMENTS_MAX_FILES + 1];
    for (int i = 0; i <= ATTACHMENTS_MAX_FILES; i++)
        many[i] = (NewAttachment){"x", NULL, data, 1};
    assert_null(attachments_check(many, ATTACHMENTS_MAX_FILES, 0));
    assert_non_null(attachments_check(many, ATTACHMENTS_MAX_FILES + 1, 0));
    Arena a;
    arena_init(&a, 0);
    const char *text = attachments_error_text(&a, "en", attachments_check(&big, 1, 0));
    assert_non_null(strstr(text, "1000 B"));
    assert_null(strstr(text, "%{"));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize_table),      cmocka_unit_test(test_sanitize_long),
        cmocka_unit_test(test_sanitize_exhaustive), cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_disposition),         cmocka_unit_test(test_format_size),
        cmocka_unit_test(test_check_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
