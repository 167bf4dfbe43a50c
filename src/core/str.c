/* str: string helpers shared by every layer; no I/O, no global state. */
#include "core/str.h"
#include "core/buf.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool str_eq_nocase(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcasecmp(a, b) == 0;
}

bool str_starts_with(const char *s, const char *prefix)
{
    return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
    if (!s || !suffix)
        return false;
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool str_empty(const char *s)
{
    return !s || !*s;
}

char *str_trim(Arena *a, const char *s)
{
    if (!s)
        return arena_strdup(a, "");
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

char *str_lower(Arena *a, const char *s)
{
    char *p = arena_strdup(a, s ? s : "");
    for (char *q = p; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return p;
}

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

char *str_utf8_repair(Arena *a, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    Buf b;
    buf_init(&b, a);
    buf_reserve(&b, n);
    size_t i = 0;
    while (i < n) {
        size_t len = utf8_sequence(s + i, n - i);
        if (len) {
            buf_append(&b, s + i, len);
            i += len;
        } else {
            buf_append(&b, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    return b.data;
}

bool str_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence(s + i, n - i);
        if (!len)
            return false;
        i += len;
    }
    return true;
}

size_t str_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

size_t str_from_int(char out[STR_INT_SIZE], int64_t v)
{
    char digits[STR_INT_SIZE];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = digits[--n];
    out[len] = '\0';
    return len;
}

bool str_to_int64(const char *s, int64_t *out)
{
    if (str_empty(s))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s)
        return false;
    *out = v;
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *str_url_decode(Arena *a, const char *s, size_t n, bool plus_is_space)
{
    char *out = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[j++] = ' ';
        } else {
            out[j++] = c;
        }
    }
    out[j] = '\0';
    return out;
}

char *str_url_encode(Arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            buf_putc(&b, (char)*p);
        } else {
            buf_putc(&b, '%');
            buf_putc(&b, hex[*p >> 4]);
            buf_putc(&b, hex[*p & 15]);
        }
    }
    return b.data;
}

bool url_is_safe(const char *url)
{
    if (!url)
        return false;
    /* a scheme is letters/digits/+-. before the first ':' that precedes any / ? # */
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f || *q == '\\')
            return false; /* browsers drop tabs/newlines and read backslashes as slashes */
    const char *p = url;
    while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#')
        p++;
    if (*p != ':')
        return true; /* relative: no scheme can hide in it */
    size_t n = (size_t)(p - url);
    return (n == 4 && strncasecmp(url, "http", 4) == 0) ||
           (n == 5 && strncasecmp(url, "https", 5) == 0) ||
           (n == 6 && strncasecmp(url, "mailto", 6) == 0);
}

char *str_hex(Arena *a, const unsigned char *bytes, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *out = arena_alloc(a, n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 15];
    }
    return out;
}

bool str_has_replacement_char(const char *s)
{
    return s && strstr(s, "\xEF\xBF\xBD") != NULL;
}

uint64_t str_hash(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}
