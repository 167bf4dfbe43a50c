/* test_multipart: the streaming multipart/form-data parser. Every case runs with the body fed
 * whole, one byte at a time and in several odd chunk sizes, and must give the same fields,
 * files and verdict: preamble/epilogue, missing closing boundary, boundary-like bytes inside
 * data, folded or oversize part headers, filename* (RFC 5987), binary files, limits. */
#include "core/arena.h"
#include "core/buf.h"
#include "http/form.h"
#include "http/multipart.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#define B "XyZ"
#define CD "Content-Disposition: form-data; "

/* F[name]=[value] f[field|filename|type|size]=[data] */
static const char *dump(Arena *a, const MultipartParser *p)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (const Param *f = multipart_fields(p); f; f = f->next)
        buf_printf(&b, "%sF[%s]=[%s]", b.len ? " " : "", f->name, f->value);
    for (const UploadedFile *f = multipart_files(p); f; f = f->next)
        buf_printf(&b, "%sf[%s|%s|%s|%zu]=[%.*s]", b.len ? " " : "", f->field, f->filename,
                   f->content_type ? f->content_type : "-", f->size, (int)f->size,
                   (const char *)f->data);
    return b.data;
}

/* Parses body in chunks of size chunk (0 = whole); returns the dump, or NULL on error. */
static const char *parse(Arena *a, const char *body, size_t len, size_t chunk, size_t hint)
{
    MultipartParser *p = multipart_new(a, B, hint);
    assert_non_null(p);
    if (chunk == 0)
        chunk = len ? len : 1;
    bool ok = true;
    for (size_t at = 0; at < len && ok; at += chunk)
        ok = multipart_feed(p, body + at, len - at < chunk ? len - at : chunk);
    if (!ok || !multipart_finish(p)) {
        assert_non_null(multipart_error(p));
        return NULL;
    }
    return dump(a, p);
}

typedef struct MultipartCase {
    const char *title;
    const char *body;
    const char *result; /* dump(), or NULL when the body must be refused */
} MultipartCase;

static const MultipartCase CASES[] = {
    {"field and file",
     "--" B "\r\n" CD "name=\"title\"\r\n\r\nHello\r\n"
     "--" B "\r\n" CD "name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n"
     "file body\r\n--" B "--\r\n",
     "F[title]=[Hello] f[doc|a.txt|text/plain|9]=[file body]"},
    {"preamble and epilogue",
     "This is the preamble.\r\nIgnore it.\r\n--" B "\r\n" CD "name=\"a\"\r\n\r\n1\r\n--" B
     "--\r\nepilogue --" B "\r\n junk",
     "F[a]=[1]"},
    {"close delimiter without CRLF at the end", "--" B "\r\n" CD "name=\"a\"\r\n\r\n1\r\n--" B "--",
     "F[a]=[1]"},
    {"transport padding after the boundary",
     "--" B " \t\r\n" CD "name=\"a\"\r\n\r\n1\r\n--" B "  \r\n" CD "name=\"b\"\r\n\r\n2\r\n--" B
     "--",
     "F[a]=[1] F[b]=[2]"},
    {"empty values and repeated names",
     "--" B "\r\n" CD "name=\"a\"\r\n\r\n\r\n--" B "\r\n" CD "name=\"a\"\r\n\r\nx\r\n--" B "--",
     "F[a]=[] F[a]=[x]"},
    {"boundary-like bytes inside data",
     "--" B "\r\n" CD "name=\"a\"\r\n\r\nx--" B " \r\n--Xy!\r\n-- \r\n\r\r\n--X\r\n--" B "--",
     "F[a]=[x--" B " \r\n--Xy!\r\n-- \r\n\r\r\n--X]"},
    {"CRLF runs before the boundary", "--" B "\r\n" CD "name=\"a\"\r\n\r\n\r\n\r\n\r\n--" B "--",
     "F[a]=[\r\n\r\n]"},
    {"empty file input is skipped",
     "--" B "\r\n" CD
     "name=\"doc\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n"
     "\r\n--" B "\r\n" CD "name=\"t\"\r\n\r\nv\r\n--" B "--",
     "F[t]=[v]"},
    {"empty file with a name is kept",
     "--" B "\r\n" CD "name=\"doc\"; filename=\"empty.txt\"\r\n\r\n\r\n--" B "--",
     "f[doc|empty.txt|-|0]=[]"},
    {"filename* UTF-8 wins over filename",
     "--" B "\r\n" CD
     "name=\"f\"; filename=\"na_ve.txt\"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt"
     "\r\n\r\nx\r\n--" B "--",
     "f[f|naïve €.txt|-|1]=[x]"},
    {"filename* ISO-8859-1 with a language",
     "--" B "\r\n" CD "name=\"f\"; filename*=iso-8859-1'de'%E4rger.txt\r\n\r\nx\r\n--" B "--",
     "f[f|ärger.txt|-|1]=[x]"},
    {"filename* with a bad escape",
     "--" B "\r\n" CD "name=\"f\"; filename*=UTF-8''a%zz\r\n\r\nx\r\n--" B "--", NULL},
    {"filename* with an unknown charset",
     "--" B "\r\n" CD "name=\"f\"; filename*=KOI8-R''abc\r\n\r\nx\r\n--" B "--", NULL},
    {"filename* that is not UTF-8",
     "--" B "\r\n" CD "name=\"f\"; filename*=UTF-8''%FF\r\n\r\nx\r\n--" B "--", NULL},
    {"quoted name with ; and Windows path",
     "--" B "\r\n" CD "name=\"a;b\"; filename=\"C:\\dir\\x.txt\"\r\n\r\nx\r\n--" B "--",
     "f[a;b|C:\\dir\\x.txt|-|1]=[x]"},
    {"unquoted name and case-insensitive header names",
     "--" B "\r\ncontent-disposition: FORM-DATA; NAME=plain\r\nCONTENT-TYPE: text/x\r\n"
     "X-Other: ignored\r\n\r\nv\r\n--" B "--",
     "F[plain]=[v]"},
    {"missing closing boundary", "--" B "\r\n" CD "name=\"a\"\r\n\r\n1\r\n", NULL},
    {"missing closing boundary after a delimiter", "--" B "\r\n" CD "name=\"a\"\r\n\r\n1\r\n--" B,
     NULL},
    {"closing boundary with one dash", "--" B "\r\n" CD "name=\"a\"\r\n\r\n1\r\n--" B "-\r\n",
     NULL},
    {"no boundary at all", "just some text", NULL},
    {"empty body", "", NULL},
    {"junk after the boundary", "--" B "\r\n" CD "name=\"a\"\r\n\r\n1\r\n--" B "x\r\n", NULL},
    {"bare LF line endings", "--" B "\n" CD "name=\"a\"\n\n1\n--" B "--\n", NULL},
    {"bare LF inside part headers", "--" B "\r\n" CD "name=\"a\"\nX: y\r\n\r\n1\r\n--" B "--",
     NULL},
    {"folded part header",
     "--" B "\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\n1\r\n--" B "--", NULL},
    {"part without headers", "--" B "\r\n\r\n1\r\n--" B "--", NULL},
    {"part without Content-Disposition",
     "--" B "\r\nContent-Type: text/plain\r\n\r\n1\r\n--" B "--", NULL},
    {"part without a name", "--" B "\r\n" CD "filename=\"a\"\r\n\r\n1\r\n--" B "--", NULL},
    {"empty name", "--" B "\r\n" CD "name=\"\"\r\n\r\n1\r\n--" B "--", NULL},
    {"not form-data",
     "--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--" B "--", NULL},
    {"two Content-Disposition headers",
     "--" B "\r\n" CD "name=\"a\"\r\n" CD "name=\"b\"\r\n\r\n1\r\n--" B "--", NULL},
    {"repeated name parameter", "--" B "\r\n" CD "name=\"a\"; name=\"b\"\r\n\r\n1\r\n--" B "--",
     NULL},
    {"unterminated quote", "--" B "\r\n" CD "name=\"a\r\n\r\n1\r\n--" B "--", NULL},
    {"header line without colon", "--" B "\r\n" CD "name=\"a\"\r\nnonsense\r\n\r\n1\r\n--" B "--",
     NULL},
    {"space before the colon",
     "--" B "\r\nContent-Disposition : form-data; name=a\r\n\r\n1\r\n--" B "--", NULL},
    {"control character in a name", "--" B "\r\n" CD "name=\"a\tb\"\r\n\r\n1\r\n--" B "--", NULL},
    {"field that is not UTF-8 is marked, not refused",
     "--" B "\r\n" CD "name=\"a\"\r\n\r\n\xff\xfe\r\n--" B "--", "F[a]=[\xEF\xBF\xBD\xEF\xBF\xBD]"},
};

static void test_multipart_cases(void **state)
{
    static const size_t CHUNKS[] = {0, 1, 2, 3, 5, 7, 64};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const MultipartCase *c = &CASES[i];
        for (size_t k = 0; k < sizeof CHUNKS / sizeof CHUNKS[0]; k++) {
            Arena a;
            arena_init(&a, 0);
            const char *got = parse(&a, c->body, strlen(c->body), CHUNKS[k], 0);
            if (!c->result && got)
                fail_msg("%s (chunk %zu): accepted as %s", c->title, CHUNKS[k], got);
            if (c->result && !got)
                fail_msg("%s (chunk %zu): refused", c->title, CHUNKS[k]);
            if (c->result && strcmp(got, c->result) != 0)
                fail_msg("%s (chunk %zu): got %s", c->title, CHUNKS[k], got);
            arena_free(&a);
        }
    }
}

static void test_multipart_binary_file(void **state)
{
    /* every byte value, CR LF pairs and a partial delimiter inside the file */
    Arena a;
    arena_init(&a, 0);
    Buf body, file;
    buf_init(&body, &a);
    buf_init(&file, &a);
    for (int i = 0; i < 256; i++)
        buf_putc(&file, (char)i);
    buf_puts(&file, "\r\n--"
                    "Xy"
                    "\r\n\r\n--");
    buf_putc(&file, '\0');
    buf_puts(&body, "--" B "\r\n" CD "name=\"bin\"; filename=\"b.bin\"\r\n\r\n");
    buf_append(&body, file.data, file.len);
    buf_puts(&body, "\r\n--" B "--\r\n");
    for (size_t chunk = 1; chunk < 40; chunk += 13) {
        MultipartParser *p = multipart_new(&a, B, body.len);
        for (size_t at = 0; at < body.len; at += chunk)
            assert_true(
                multipart_feed(p, body.data + at, body.len - at < chunk ? body.len - at : chunk));
        assert_true(multipart_finish(p));
        const UploadedFile *f = multipart_files(p);
        assert_non_null(f);
        assert_int_equal(f->size, file.len);
        assert_memory_equal(f->data, file.data, file.len);
        assert_int_equal(f->data[f->size], 0);
    }
    arena_free(&a);
}

static void test_multipart_large_file(void **state)
{
    /* 3 MB in random chunks, with and without the size hint: exact bytes either way */
    Arena a;
    arena_init(&a, 0);
    size_t file_len = 3 * 1024 * 1024 + 17;
    char *file = malloc(file_len);
    for (size_t i = 0; i < file_len; i++)
        file[i] = (char)("ab\r\n-XyZ"[(i * 7919) % 8]);
    Buf body;
    buf_init(&body, NULL);
    buf_puts(&body, "--" B "\r\n" CD "name=\"t\"\r\n\r\ntext\r\n--" B "\r\n" CD
                    "name=\"big\"; filename=\"big.bin\"\r\n\r\n");
    buf_append(&body, file, file_len);
    buf_puts(&body, "\r\n--" B "--\r\n");
    for (int with_hint = 0; with_hint < 2; with_hint++) {
        MultipartParser *p = multipart_new(&a, B, with_hint ? body.len : 0);
        srand(7);
        for (size_t at = 0; at < body.len;) {
            size_t n = 1 + (size_t)rand() % 70000;
            if (n > body.len - at)
                n = body.len - at;
            assert_true(multipart_feed(p, body.data + at, n));
            at += n;
        }
        assert_true(multipart_finish(p));
        assert_string_equal(multipart_fields(p)->value, "text");
        const UploadedFile *f = multipart_files(p);
        assert_int_equal(f->size, file_len);
        assert_memory_equal(f->data, file, file_len);
    }
    buf_free(&body);
    free(file);
    arena_free(&a);
}

static void test_multipart_header_limit(void **state)
{
    for (int over = 0; over < 2; over++) {
        Arena a;
        arena_init(&a, 0);
        Buf body;
        buf_init(&body, &a);
        buf_puts(&body, "--" B "\r\n" CD "name=\"a\"\r\nX-Pad: ");
        /* the header block is the CD line, X-Pad line and the empty line */
        size_t block = strlen(CD "name=\"a\"\r\nX-Pad: ") + 4;
        for (size_t i = block; i < MULTIPART_MAX_HEADER_BYTES + (size_t)over; i++)
            buf_putc(&body, 'p');
        buf_puts(&body, "\r\n\r\n1\r\n--" B "--");
        const char *got = parse(&a, body.data, body.len, 1000, 0);
        if (over)
            assert_null(got);
        else
            assert_string_equal(got, "F[a]=[1]");
        arena_free(&a);
    }
}

static void test_multipart_part_limit(void **state)
{
    for (int over = 0; over < 2; over++) {
        Arena a;
        arena_init(&a, 0);
        Buf body;
        buf_init(&body, &a);
        for (int i = 0; i < FORM_MAX_FIELDS + over; i++)
            buf_printf(&body, "--" B "\r\n" CD "name=\"f%d\"\r\n\r\n%d\r\n", i, i);
        buf_puts(&body, "--" B "--");
        const char *got = parse(&a, body.data, body.len, 0, 0);
        if (over)
            assert_null(got);
        else
            assert_non_null(got);
        arena_free(&a);
    }
}

static void test_multipart_error_sticks(void **state)
{
    Arena a;
    arena_init(&a, 0);
    MultipartParser *p = multipart_new(&a, B, 0);
    const char *bad = "--" B "\r\n\r\n";
    assert_false(multipart_feed(p, bad, strlen(bad)));
    const char *good = "--" B "\r\n" CD "name=\"a\"\r\n\r\n1\r\n--" B "--";
    assert_false(multipart_feed(p, good, strlen(good)));
    assert_false(multipart_finish(p));
    assert_string_equal(multipart_error(p), "part without headers");
    arena_free(&a);
}

static void test_multipart_boundary(void **state)
{
    static const struct {
        const char *content_type, *boundary;
    } BOUNDARY_CASES[] = {
        {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
         "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
        {"multipart/form-data;boundary=abc", "abc"},
        {"Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\"", "a b:c"},
        {"multipart/form-data; boundary=\"abc\"; charset=x", "abc"},
        {"multipart/form-data; boundary=abc ; charset=x", "abc"},
        {"multipart/form-data", NULL},
        {"multipart/form-data; boundary=", NULL},
        {"multipart/form-data; boundary=\"\"", NULL},
        {"multipart/form-data; boundary=\"abc", NULL},
        {"multipart/form-data; boundary=\"ends with space \"", NULL},
        {"multipart/form-data; boundary=a\rb", NULL},
        {"multipart/form-data; boundary=a\"b", NULL},
        {"multipart/mixed; boundary=abc", NULL},
        {"multipart/form-dataX; boundary=abc", NULL},
        {"application/x-www-form-urlencoded", NULL},
        {NULL, NULL},
        {"multipart/form-data; boundary=12345678901234567890123456789012345678901234567890"
         "12345678901234567890",
         "12345678901234567890123456789012345678901234567890"
         "12345678901234567890"},
        {"multipart/form-data; boundary=12345678901234567890123456789012345678901234567890"
         "123456789012345678901",
         NULL},
    };
    Arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < sizeof BOUNDARY_CASES / sizeof BOUNDARY_CASES[0]; i++) {
        const char *got = multipart_boundary(&a, BOUNDARY_CASES[i].content_type);
        if (!BOUNDARY_CASES[i].boundary != !got ||
            (got && strcmp(got, BOUNDARY_CASES[i].boundary) != 0))
            fail_msg("case %zu: got %s", i, got ? got : "NULL");
    }
    assert_null(multipart_new(&a, "", 0));
    assert_null(multipart_new(&a, "bad\r\n", 0));
    assert_null(multipart_new(&a, NULL, 0));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multipart_cases),      cmocka_unit_test(test_multipart_binary_file),
        cmocka_unit_test(test_multipart_large_file), cmocka_unit_test(test_multipart_header_limit),
        cmocka_unit_test(test_multipart_part_limit), cmocka_unit_test(test_multipart_error_sticks),
        cmocka_unit_test(test_multipart_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
