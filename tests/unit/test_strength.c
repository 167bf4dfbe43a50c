/* test_strength: the password rules a user meets when registering - a table of good and bad
 * passwords with the reasons each must get, the length limits in code points, the word lists
 * and the msgids.
 * SECURITY: guards the server-side password rules of DESIGN.md (length, zxcvbn, no e-mail or
 * name in the password). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "auth/strength.h"
#include "auth/wordlist.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_USER "max.mustermann@example.com", "Max Mustermann", "Supportportal"
#define NO_USER NULL, NULL, NULL
#define GUESS STRENGTH_GUESSABLE

enum {
    SHORT = STRENGTH_TOO_SHORT,
    LONG = STRENGTH_TOO_LONG,
    UTF8 = STRENGTH_NOT_UTF8,
    COMMON = STRENGTH_COMMON,
    WORD = STRENGTH_DICTIONARY_WORD,
    EMAIL = STRENGTH_CONTAINS_EMAIL,
    NAME = STRENGTH_CONTAINS_NAME,
    PORTAL = STRENGTH_CONTAINS_PORTAL,
    REPEAT = STRENGTH_REPETITIVE,
};

typedef struct Case {
    const char *password;
    const char *email, *name, *portal;
    int expect;    /* exactly these reasons ... */
    int dont_care; /* ... ignoring these, which may or may not be set */
} Case;

static const Case CASES[] = {
    /* good: passphrases, German and English, and random strings */
    {"Kaffee Fahrrad Wolke Tisch", MAX_USER, 0, 0},
    {"kaffeefahrradwolketisch", MAX_USER, 0, 0},
    {"Hund Katze Maus Vogel", MAX_USER, 0, 0},
    {"Brot Butter Käse Wurst", MAX_USER, 0, 0},
    {"Tür Schlüssel Küche Ofen", MAX_USER, 0, 0},
    {"Mein Hund heißt Bello", MAX_USER, 0, 0},
    {"correct horse battery staple", MAX_USER, 0, 0},
    {"purple elephant dancing quietly", MAX_USER, 0, 0},
    {"xK9#mP2$vL7qR4wZ", MAX_USER, 0, 0},
    {"Grüße aus Kölle", MAX_USER, 0, 0}, /* 15 code points, 17 bytes */
    {"Wolkenkratzer-Fenster", MAX_USER, 0, 0},
    {"jojo-mag-kaffee-sehr", "jo@example.org", NULL, NULL, 0, 0},  /* "jo" is too short */
    {"it-ist-mein-ding-2024!", "a@b.de", "A B", "IT Hilfe", 0, 0}, /* "IT" too short */
    {"Sommerferien83920174628391", MAX_USER, 0, 0}, /* a word, but 14 random digits */
    {"passwort83649217", MAX_USER, 0, 0},           /* likewise: 8 random digits */

    /* one dictionary word (or a two-word compound) with a little around it */
    {"Donaudampfschifffahrt2024!", MAX_USER, WORD, 0},
    {"!!Sommerferien!!", MAX_USER, WORD, 0},
    {"Schlüsselbund2024!", MAX_USER, WORD, 0},
    {"Schluesselbund2024!", MAX_USER, WORD, 0},
    {"STRASSENBAHN12345!", MAX_USER, WORD, 0},
    {"Haustürschlüssel!!", MAX_USER, WORD, 0},
    {"Fußballweltmeister!", MAX_USER, WORD, 0},
    {"Arbeitszimmer1234", MAX_USER, WORD, 0},
    {"Eichhörnchen2023!!", MAX_USER, WORD, 0},
    {"EICHHÖRNCHEN2023!!", MAX_USER, WORD, 0},
    {"Weihnachtsbaum 2023", MAX_USER, WORD, 0},
    {"Kartoffelsalat!!!2024", MAX_USER, WORD, 0},
    {"Sternenhimmel42!?", MAX_USER, WORD, 0},
    {"Schmetterling#1", MAX_USER, WORD, 0},
    {"Extraordinarily1!", MAX_USER, WORD, GUESS},
    {"Sonnenschein", MAX_USER, SHORT | WORD | GUESS, 0},

    /* common passwords and keyboard walks */
    {"qwertzuiop123456", MAX_USER, COMMON | GUESS, 0},
    {"qwertz123456789!", MAX_USER, COMMON | GUESS, 0},
    {"asdfghjklöä12345", MAX_USER, COMMON, GUESS},
    {"1q2w3e4r5t6z7u8i", MAX_USER, COMMON, GUESS},
    {"Passwort2024!!!!", MAX_USER, COMMON | WORD | GUESS, 0},
    {"Password1234567!", MAX_USER, COMMON | WORD | GUESS, 0},
    {"iloveyou12345678", MAX_USER, COMMON | GUESS, 0},
    {"ichliebedich2024!!", MAX_USER, COMMON, GUESS},
    {"Schatzi2010!!!!!!", MAX_USER, COMMON | GUESS, WORD},
    {"123456!!!!!!!!!!!", MAX_USER, COMMON | GUESS, 0},
    {"123456789012345!", MAX_USER, GUESS, 0}, /* counting: zxcvbn's job */

    /* repetition */
    {"passwortpasswort", MAX_USER, WORD | REPEAT | GUESS, COMMON},
    {"aaaaaaaaaaaaaaaaaaaa", MAX_USER, REPEAT | GUESS, 0},
    {"abcabcabcabcabcabc", MAX_USER, REPEAT | GUESS, 0},
    {"1212121212121212", MAX_USER, REPEAT | GUESS, 0},
    {"hallo123hallo123", MAX_USER, REPEAT | GUESS, COMMON},
    {"derdiedasderdiedas", MAX_USER, REPEAT, GUESS},
    {"sommer2024sommer2024", MAX_USER, REPEAT, GUESS},
    {"Müllermüllermüller", MAX_USER, REPEAT | GUESS, 0},
    {"ababababababababab1", MAX_USER, REPEAT, GUESS}, /* three different characters */

    /* the user's own e-mail, name, portal */
    {"mustermann2024rocks!", MAX_USER, EMAIL | NAME | GUESS, 0},
    {"MaxIstDerBesteHier", MAX_USER, EMAIL | NAME, 0},
    {"JanaKommtHeuteSpät", "jana.k@firma.de", NULL, NULL, EMAIL, 0},
    {"ich bin jana.k und mag tee", "jana.k@firma.de", NULL, NULL, EMAIL, 0},
    {"juergen-ist-der-beste!", "jm@example.com", "Jürgen Müller", NULL, NAME, 0},
    {"MÜLLER und Kaffee am Morgen", "jm@example.com", "Jürgen Müller", NULL, NAME, 0},
    {"Mu\u0308ller trinkt Tee am Abend", "jm@example.com", "Jürgen Müller", NULL, NAME, 0},
    {"Mueller trinkt Tee am Abend", "jm@example.com", "Jürgen Müller", NULL, NAME, 0},
    {"Müller trinkt Tee am Abend", "jm@example.com", "Ju\u0308rgen Mu\u0308ller", NULL, NAME, 0},
    {"Supportportal2024!!", MAX_USER, WORD | PORTAL | GUESS, 0},
    {"kundenservice ist toll 42", "a@b.de", NULL, "Acme Kundenservice", PORTAL, 0},
    {"ACME macht das schon 42!", "a@b.de", NULL, "Acme Kundenservice", PORTAL, 0},

    /* length in code points (after NFC), and bytes that are not UTF-8 */
    {"", MAX_USER, SHORT | GUESS, 0},
    {"Kurz1!", MAX_USER, SHORT, GUESS | WORD},
    {"Grüße aus Köln", MAX_USER, SHORT, 0},                  /* 14 code points, 16 bytes */
    {"Gru\u0308\u00dfe aus Ko\u0308ln", MAX_USER, SHORT, 0}, /* the same in NFD: 16 */
    {"bad\xff\xfeutf8 but long enough", MAX_USER, UTF8, 0},
    {"overlong \xc0\xaf slash and more", MAX_USER, UTF8, 0},
    {"surrogate \xed\xa0\x80 and more text", MAX_USER, UTF8, 0},
    {"truncated at the end \xc3", MAX_USER, UTF8, 0},
};

static void describe(char *out, size_t size, int reasons)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < STRENGTH_REASON_COUNT && n < size; i++)
        if (reasons & (1 << i))
            n += (size_t)snprintf(out + n, size - n, "[%s]", strength_reason_msgid(1 << i));
}

static void test_table(void **state)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const Case *c = &CASES[i];
        StrengthResult r = strength_check(c->password, c->email, c->name, c->portal);
        int mask = ~c->dont_care;
        if ((r.reasons & mask) != (c->expect & mask) || r.ok != (r.reasons == 0)) {
            char got[512], want[512];
            describe(got, sizeof got, r.reasons);
            describe(want, sizeof want, c->expect);
            print_error("case %zu \"%s\": got %s (%.1f bits), want %s\n", i, c->password, got,
                        r.log2_guesses, want);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* n code points: a varied, non-repeating mix of letters with and without umlauts. */
static char *make_long(size_t n)
{
    static const char *const PIECES[] = {"ä", "k", "ö", "r", "ü", "t", "ß", "m", "e",
                                         " ", "z", "W", "1", "q", "É", "x", "-", "b"};
    char *s = malloc(n * 2 + 1);
    size_t len = 0;
    unsigned seed = 12345;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        const char *p = PIECES[(seed >> 16) % (sizeof PIECES / sizeof PIECES[0])];
        memcpy(s + len, p, strlen(p));
        len += strlen(p);
    }
    s[len] = '\0';
    return s;
}

static void test_length_limits(void **state)
{
    char *ok = make_long(256), *too_long = make_long(257), *huge = make_long(100000);
    StrengthResult r = strength_check(ok, MAX_USER);
    assert_int_equal(r.reasons, 0);
    assert_true(r.ok);
    assert_true(r.log2_guesses > 100);
    r = strength_check(too_long, MAX_USER);
    assert_int_equal(r.reasons, STRENGTH_TOO_LONG);
    assert_false(r.ok);
    r = strength_check(huge, MAX_USER);
    assert_int_equal(r.reasons, STRENGTH_TOO_LONG);
    free(ok);
    free(too_long);
    free(huge);
}

static void test_null_and_empty_context(void **state)
{
    StrengthResult r = strength_check("Kaffee Fahrrad Wolke Tisch", NO_USER);
    assert_true(r.ok);
    r = strength_check("Kaffee Fahrrad Wolke Tisch", "", "", "");
    assert_true(r.ok);
    r = strength_check("Kaffee Fahrrad Wolke Tisch", "no-at-sign", "   ", "--");
    assert_true(r.ok);
    r = strength_check(NULL, NO_USER);
    assert_true(r.reasons & STRENGTH_TOO_SHORT);
    /* the user's words also lower zxcvbn's estimate */
    StrengthResult with = strength_check("Zebrafink Quastenflosser", "a@b.de", "Zebrafink", NULL);
    StrengthResult without = strength_check("Zebrafink Quastenflosser", NO_USER);
    assert_true(with.reasons & STRENGTH_CONTAINS_NAME);
    assert_true(with.log2_guesses < without.log2_guesses);
}

static void test_msgids(void **state)
{
    for (int i = 0; i < STRENGTH_REASON_COUNT; i++) {
        const char *m = strength_reason_msgid(1 << i);
        assert_non_null(m);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(m, strength_reason_msgid(1 << k));
    }
    assert_string_equal(strength_reason_msgid(STRENGTH_TOO_SHORT),
                        "too short (at least 15 characters)");
    assert_null(strength_reason_msgid(0));
    assert_null(strength_reason_msgid(STRENGTH_TOO_SHORT | STRENGTH_COMMON));
    assert_null(strength_reason_msgid(1 << STRENGTH_REASON_COUNT));
}

static void test_wordlists(void **state)
{
    assert_true(wordlist_dictionary_bytes() > 4000000); /* the build generated the lists */
    assert_true(wordlist_common_bytes() > 2000);
    static const char *const WORDS[] = {
        "donau", "dampfschifffahrt", "straße", "über", "äbte", "müller",
        "zebra", "aardvark",         "zwölf",  "café"};
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
        if (!wordlist_is_word(WORDS[i], strlen(WORDS[i])))
            fail_msg("\"%s\" should be a word", WORDS[i]);
    static const char *const NOT_WORDS[] = {
        "donaudampfschifffahrt", "xqzt", "Donau", "a\nb", "", "zzzzzzzzzzzzzz", "aardvark's"};
    for (size_t i = 0; i < sizeof NOT_WORDS / sizeof NOT_WORDS[0]; i++)
        if (wordlist_is_word(NOT_WORDS[i], strlen(NOT_WORDS[i])))
            fail_msg("\"%s\" should not be a word", NOT_WORDS[i]);
    assert_true(wordlist_is_word("a", 1)); /* the first line */
    assert_true(wordlist_is_common("passwort", 8));
    assert_true(wordlist_is_common("qwertz", 6));
    assert_false(wordlist_is_common("passwor", 7));
}

static void test_lower(void **state)
{
    static const struct {
        const char *in, *out;
    } CASES_LOWER[] = {
        {"ÄÖÜ ẞ Straße", "äöü ß straße"},       /* German, capital sharp s */
        {"ÀÉÎÕÜÝ ŁŃŚŹŻ ĲŸ", "àéîõüý łńśźż ĳÿ"}, /* Latin-1, Latin Extended-A */
        {"İstanbul", "istanbul"},               /* as glibc's towlower */
        {"ΑΒΓ stays", "ΑΒΓ stays"},             /* Greek is not folded */
        {"bad \xff byte", "bad \xff byte"},     /* bytes that are not UTF-8 are copied */
    };
    for (size_t i = 0; i < sizeof CASES_LOWER / sizeof CASES_LOWER[0]; i++) {
        char out[64];
        size_t n = wordlist_lower(CASES_LOWER[i].in, strlen(CASES_LOWER[i].in), out);
        assert_string_equal(out, CASES_LOWER[i].out);
        assert_int_equal(n, strlen(CASES_LOWER[i].out));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_length_limits),
        cmocka_unit_test(test_null_and_empty_context),
        cmocka_unit_test(test_msgids),
        cmocka_unit_test(test_wordlists),
        cmocka_unit_test(test_lower),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
