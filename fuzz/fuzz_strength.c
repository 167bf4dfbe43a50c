/* fuzz_strength: libFuzzer target for the password checks. The input is up to four fields
 * separated by NUL bytes - password, e-mail, name, portal name - in any bytes at all. Rejecting
 * is fine; crashes, reads past a field, leaks, hangs and sanitizer reports are not, nor results
 * that break the promises of strength.h, password.h (NFC) and wordlist.h (lowercasing).
 * SECURITY: the password check sees untrusted bytes from every registration form. */
#include "auth/password.h"
#include "auth/strength.h"
#include "auth/wordlist.h"
#include "core/str.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS 4

static void check_result(StrengthResult r)
{
    int known = (1 << STRENGTH_REASON_COUNT) - 1;
    if (r.ok != (r.reasons == 0) || (r.reasons & ~known))
        abort();
    if ((r.reasons & STRENGTH_NOT_UTF8) && r.reasons != STRENGTH_NOT_UTF8)
        abort();
    for (int i = 0; i < STRENGTH_REASON_COUNT; i++)
        if ((r.reasons & (1 << i)) && !strength_reason_msgid(1 << i))
            abort();
}

/* NFC and lowercasing never grow the text, keep it UTF-8, and NFC twice is NFC once. */
static void check_text_helpers(const char *s, size_t n)
{
    char *once = malloc(n + 1), *twice = malloc(n + 1), *lower = malloc(n + 1);
    size_t a = password_nfc(s, n, once);
    size_t b = password_nfc(once, a, twice);
    size_t c = wordlist_lower(s, n, lower);
    if (a > n || c > n || a != b || memcmp(once, twice, a) != 0)
        abort();
    if (str_utf8_valid(s, n) && (!str_utf8_valid(once, a) || !str_utf8_valid(lower, c)))
        abort();
    free(once);
    free(twice);
    free(lower);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* each field in its own exact-size heap copy, so ASan sees any read past its NUL */
    char *field[FIELDS] = {0};
    size_t start = 0;
    for (int i = 0; i < FIELDS; i++) {
        size_t end = start;
        while (end < size && data[end] != 0)
            end++;
        size_t n = start < size ? end - start : 0;
        field[i] = malloc(n + 1);
        memcpy(field[i], data + (start < size ? start : 0), n);
        field[i][n] = '\0';
        start = end + 1;
    }
    check_result(strength_check(field[0], field[1], field[2], field[3]));
    check_result(strength_check(field[0], NULL, NULL, NULL));
    check_text_helpers(field[0], strlen(field[0]));
    for (int i = 0; i < FIELDS; i++)
        free(field[i]);
    return 0;
}
