/* strength: decides whether a new password is good enough - length, zxcvbn's guess estimate
 * and our own checks for what zxcvbn misses (German words, our common-password list, the
 * user's own e-mail and name, the portal's name, repetition). No composition rules: any
 * characters, spaces included, and long passphrases are welcome.
 * zxcvbn knows English words only and rates a German word as random letters, so it over-rates
 * German passphrases ("Kaffee Fahrrad Wolke Tisch": 2^103 guesses; four common words are
 * nearer 2^50). Four-word phrases pass either way. Our dictionary check catches the cases
 * zxcvbn misses - one German word or a two-word compound with "2024!" around it - but two
 * separate German words ("Donau Dampfschifffahrt", 2^88 by zxcvbn) still pass.
 * SECURITY: the server checks every new password here, whatever the browser said; the password
 * is not kept or logged, and the copies made are wiped. */
#ifndef PFORTE_AUTH_STRENGTH_H
#define PFORTE_AUTH_STRENGTH_H
#include <stdbool.h>

#define STRENGTH_MIN_CHARS 15 /* code points, after NFC */
#define STRENGTH_MAX_CHARS 256
#define STRENGTH_MIN_LOG2_GUESSES 33.2 /* log2(10^10): at least ten billion guesses */

/* Reasons, as bits of StrengthResult.reasons. In the order a page should list them. */
enum {
    STRENGTH_TOO_SHORT = 1 << 0,       /* fewer than 15 code points */
    STRENGTH_TOO_LONG = 1 << 1,        /* more than 256 code points */
    STRENGTH_NOT_UTF8 = 1 << 2,        /* not valid UTF-8 */
    STRENGTH_COMMON = 1 << 3,          /* on the common-password list, also with digits or
                                          symbols at its end removed */
    STRENGTH_DICTIONARY_WORD = 1 << 4, /* one German or English word (or a compound of two),
                                          with only digits/symbols/spaces around it that
                                          add fewer than 2^24 guesses ("2024!", "!!") */
    STRENGTH_CONTAINS_EMAIL = 1 << 5,  /* holds the e-mail's local part or a piece of it */
    STRENGTH_CONTAINS_NAME = 1 << 6,   /* holds a part of the user's name (3+ characters) */
    STRENGTH_CONTAINS_PORTAL = 1 << 7, /* holds the portal's name or a word of it (4+) */
    STRENGTH_REPETITIVE = 1 << 8,      /* one character or a short pattern repeated */
    STRENGTH_GUESSABLE = 1 << 9,       /* zxcvbn estimates fewer than 10^10 guesses */
};
#define STRENGTH_REASON_COUNT 10

typedef struct StrengthResult {
    bool ok;             /* reasons == 0 */
    int reasons;         /* STRENGTH_* bits */
    double log2_guesses; /* zxcvbn's estimate (0 when it was not asked: bad UTF-8, too long) */
} StrengthResult;

/* Checks password (NUL-terminated UTF-8, NFC-normalised here) for a user with this e-mail and
 * name on a portal called portal_name; email, name and portal_name may be NULL or empty.
 * Comparisons ignore case (ASCII, Latin-1 and Latin Extended-A letters). Every reason that
 * applies is reported, so the page can list them all at once. Takes about 0.1-1 ms; safe to
 * call from many threads at once. */
StrengthResult strength_check(const char *password, const char *email, const char *name,
                              const char *portal_name);

/* The English msgid describing one reason bit (translate it with i18n_get); NULL for a value
 * that is not exactly one known bit. */
const char *strength_reason_msgid(int reason_bit);

#endif
