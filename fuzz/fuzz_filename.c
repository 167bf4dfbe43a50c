/* fuzz_filename: libFuzzer target for the attachment name sanitiser and the
 * Content-Disposition value built from it - the path a browser-sent file name takes into the
 * database and into response headers. Unsafe output aborts: a result that is empty, over 200
 * bytes, invalid UTF-8, untrimmed or holding control, quote, slash or Windows-reserved
 * characters; or a header value with CR/LF, more than one quoted string or non-ASCII bytes. */
#include "core/arena.h"
#include "core/str.h"
#include "domain/attachments.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || !str_utf8_valid(name, n))
        abort();
    if (name[0] == ' ' || name[0] == '.' || name[n - 1] == ' ' || name[n - 1] == '.')
        abort();
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || strchr("\"'/\\<>:*?|", *p))
            abort();
    if (strstr(name, "\xe2\x80\xae") || strstr(name, "\xe2\x80\x8b") ||
        strstr(name, "\xef\xbb\xbf"))
        abort();
}

static void check_header(const char *value)
{
    int quotes = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            abort(); /* header values stay printable ASCII */
        quotes += *p == '"';
    }
    if (quotes != 2)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a, 0);
    char *name = arena_strndup(&a, (const char *)data, size); /* a C string, like the parser's */
    const char *clean = attachment_sanitize_name(&a, name);
    check_name(clean);
    if (strcmp(attachment_sanitize_name(&a, clean), clean) != 0)
        abort(); /* sanitising twice changes nothing */
    check_header(attachment_disposition(&a, name, false));
    check_header(attachment_disposition(&a, name, true));
    arena_free(&a);
    return 0;
}
