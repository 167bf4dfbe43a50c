/* strength: the checks a new password must pass - length in code points, zxcvbn's estimate,
 * and what zxcvbn does not know: German words and compounds, our common-password list, the
 * user's e-mail and name, the portal's name, repetition. Must never log or keep the password.
 * SECURITY: every new password is checked here on the server; all copies of the password made
 * here are wiped with sodium_memzero before returning. */
#include "auth/strength.h"
#include "core/i18n_mark.h"
#include "auth/password.h"
#include "auth/wordlist.h"
#include "core/arena.h"
#include "core/mem.h"
#include "core/str.h"
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zxcvbn.h>

#define MIN_TERM_CHARS 3          /* e-mail and name parts shorter than this are not checked */
#define MIN_PORTAL_CHARS 4        /* nor portal names and their words shorter than this */
#define MIN_WORD_CHARS 4          /* a shorter core of letters is not "a dictionary word" */
#define MIN_COMPOUND_PART_CHARS 3 /* Haus+tür, Donau+dampfschifffahrt */
#define MAX_DECORATION_LOG2 24.0  /* what surrounds a word adds fewer than 2^24 guesses */
#define MAX_UNIQUE_REPETITIVE 3   /* this few different characters make a password repetitive */
#define MAX_TERMS 48

static const char *const REASON_MSGIDS[STRENGTH_REASON_COUNT] = {
    N_("too short (at least 15 characters)"),
    N_("too long (at most 256 characters)"),
    N_("contains characters that are not valid UTF-8"),
    N_("a commonly used password"),
    N_("a single dictionary word"),
    N_("contains your e-mail address"),
    N_("contains your name"),
    N_("contains the name of the portal"),
    N_("repeats itself"),
    N_("easy to guess"),
};

const char *strength_reason_msgid(int reason_bit)
{
    for (int i = 0; i < STRENGTH_REASON_COUNT; i++)
        if (reason_bit == 1 << i)
            return REASON_MSGIDS[i];
    return NULL;
}

/* ---- text forms ------------------------------------------------------------------------ */

typedef struct Text {
    char *s;
    size_t n;
} Text;

/* The password in the forms the checks need, in one heap block wiped by forms_free. */
typedef struct Forms {
    char *block;
    size_t block_size;
    Text nfc;      /* NFC, otherwise as typed */
    Text lower;    /* nfc lowercased */
    Text folded;   /* lower with ä ö ü ß as ae oe ue ss */
    Text zxcvbn;   /* nfc with ä ö ü ß as ae oe ue ss, case kept: what zxcvbn is given */
    char *scratch; /* room for any of these */
    size_t chars;  /* code points of nfc */
} Forms;

/* Writes in[0..n) with ä ö ü ß (either case, and U+1E9E) as ae oe ue ss: never longer. zxcvbn
 * knows English only and rates each non-ASCII byte as a random symbol, which makes "Müller"
 * look far stronger than "Mueller"; the spelled-out form is what it can judge. */
static size_t fold_german(const char *in, size_t n, char *out)
{
    static const struct {
        uint32_t letter;
        char with[3];
    } FOLDS[] = {{0xE4, "ae"}, {0xF6, "oe"}, {0xFC, "ue"}, {0xC4, "Ae"},
                 {0xD6, "Oe"}, {0xDC, "Ue"}, {0xDF, "ss"}, {0x1E9E, "SS"}};
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t len = wordlist_utf8_next(in + i, n - i, &cp), k = 0;
        while (k < sizeof FOLDS / sizeof FOLDS[0] && FOLDS[k].letter != cp)
            k++;
        if (len && k < sizeof FOLDS / sizeof FOLDS[0]) {
            memcpy(out + o, FOLDS[k].with, 2);
            o += 2;
        } else {
            len = len ? len : 1;
            memmove(out + o, in + i, len);
            o += len;
        }
        i += len;
    }
    out[o] = '\0';
    return o;
}

static Text forms_slot(Forms *f, int index, size_t n)
{
    return (Text){f->block + (size_t)index * (n + 1), 0};
}

static void forms_make(Forms *f, const char *password)
{
    size_t n = strlen(password);
    f->block_size = 5 * (n + 1);
    f->block = xmalloc(f->block_size);
    f->nfc = forms_slot(f, 0, n);
    f->lower = forms_slot(f, 1, n);
    f->folded = forms_slot(f, 2, n);
    f->zxcvbn = forms_slot(f, 3, n);
    f->scratch = forms_slot(f, 4, n).s;
    f->nfc.n = password_nfc(password, n, f->nfc.s);
    f->lower.n = wordlist_lower(f->nfc.s, f->nfc.n, f->lower.s);
    f->folded.n = fold_german(f->lower.s, f->lower.n, f->folded.s);
    f->zxcvbn.n = fold_german(f->nfc.s, f->nfc.n, f->zxcvbn.s);
    f->chars = str_utf8_len(f->nfc.s);
}

static void forms_free(Forms *f)
{
    sodium_memzero(f->block, f->block_size);
    free(f->block);
}

/* ---- the user's own words: e-mail, name, portal name ------------------------------------ */

typedef struct Term {
    Text lower, folded;
    int reason; /* STRENGTH_CONTAINS_* bit, or 0 for a word only zxcvbn is told about */
} Term;

typedef struct Terms {
    Term items[MAX_TERMS];
    int count;
    Arena arena;
} Terms;

static void terms_add(Terms *t, const char *s, size_t n, size_t min_chars, int reason)
{
    if (t->count == MAX_TERMS || n == 0)
        return;
    Term *term = &t->items[t->count];
    char *nfc = arena_alloc(&t->arena, n + 1);
    size_t nfc_len = password_nfc(s, n, nfc);
    term->lower.s = arena_alloc(&t->arena, nfc_len + 1);
    term->lower.n = wordlist_lower(nfc, nfc_len, term->lower.s);
    if (!str_utf8_valid(term->lower.s, term->lower.n) || str_utf8_len(term->lower.s) < min_chars)
        return;
    term->folded.s = arena_alloc(&t->arena, term->lower.n + 1);
    term->folded.n = fold_german(term->lower.s, term->lower.n, term->folded.s);
    term->reason = reason;
    t->count++;
}

/* Adds each run of s[0..n) between ASCII characters that are not letters or digits. */
static void terms_add_words(Terms *t, const char *s, size_t n, size_t min_chars, int reason)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : ' ';
        bool word_char =
            c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
        if (!word_char) {
            terms_add(t, s + start, i - start, min_chars, reason);
            start = i + 1;
        }
    }
}

static void terms_collect(Terms *t, const char *email, const char *name, const char *portal)
{
    if (!str_empty(email)) {
        const char *at = strrchr(email, '@');
        size_t local = at ? (size_t)(at - email) : strlen(email);
        terms_add(t, email, local, MIN_TERM_CHARS, STRENGTH_CONTAINS_EMAIL);
        terms_add_words(t, email, local, MIN_TERM_CHARS, STRENGTH_CONTAINS_EMAIL);
        if (at)
            terms_add(t, at + 1, strcspn(at + 1, "."), MIN_TERM_CHARS, 0);
    }
    if (!str_empty(name))
        terms_add_words(t, name, strlen(name), MIN_TERM_CHARS, STRENGTH_CONTAINS_NAME);
    if (!str_empty(portal)) {
        terms_add(t, portal, strlen(portal), MIN_PORTAL_CHARS, STRENGTH_CONTAINS_PORTAL);
        terms_add_words(t, portal, strlen(portal), MIN_PORTAL_CHARS, STRENGTH_CONTAINS_PORTAL);
    }
}

static bool text_contains(Text hay, Text needle)
{
    return needle.n && memmem(hay.s, hay.n, needle.s, needle.n) != NULL;
}

static int check_contains(const Forms *f, const Terms *t)
{
    int reasons = 0;
    for (int i = 0; i < t->count; i++) {
        const Term *term = &t->items[i];
        if (text_contains(f->lower, term->lower) || text_contains(f->folded, term->folded))
            reasons |= term->reason;
    }
    return reasons;
}

/* zxcvbn's log2 of the guesses, told about the user's words (lowercased, in both spellings). */
static double zxcvbn_log2(const char *password, const Terms *t)
{
    const char *words[2 * MAX_TERMS + 1];
    int n = 0;
    for (int i = 0; t && i < t->count; i++) {
        words[n++] = t->items[i].lower.s;
        if (!str_eq(t->items[i].lower.s, t->items[i].folded.s))
            words[n++] = t->items[i].folded.s;
    }
    words[n] = NULL;
    return ZxcvbnMatch(password, words, NULL);
}

/* ---- the password alone: letters, words, list, repetition ------------------------------ */

/* Letters, for telling a word from what surrounds it: Latin letters of every accent, and every
 * script beyond; not digits, spaces, ASCII or Latin-1 symbols, punctuation, currency, arrows,
 * box drawing, CJK punctuation, private use, variation selectors or emoji. */
static bool is_letter(uint32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    if (c < 0xC0 || c == 0xD7 || c == 0xF7)
        return c == 0xAA || c == 0xB5 || c == 0xBA;
    return !((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
             (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE0F) || c >= 0x1F000);
}

/* The part of s from its first to its last letter; empty when s has no letter. */
static Text letter_core(Text s)
{
    size_t i = 0, first = s.n, end = 0;
    while (i < s.n) {
        uint32_t cp = 0;
        size_t len = wordlist_utf8_next(s.s + i, s.n - i, &cp);
        len = len ? len : 1;
        if (is_letter(cp)) {
            first = first < i ? first : i;
            end = i + len;
        }
        i += len;
    }
    return first < end ? (Text){s.s + first, end - first} : (Text){s.s, 0};
}

static bool only_letters(Text s, size_t *chars)
{
    *chars = 0;
    for (size_t i = 0, len; i < s.n; i += len) {
        uint32_t cp = 0;
        len = wordlist_utf8_next(s.s + i, s.n - i, &cp);
        if (!len || !is_letter(cp))
            return false;
        ++*chars;
    }
    return true;
}

/* The end of s after its last code point for which keep() is true. */
static Text trim_end(Text s, bool (*keep)(uint32_t))
{
    size_t end = 0;
    for (size_t i = 0, len; i < s.n; i += len) {
        uint32_t cp = 0;
        len = wordlist_utf8_next(s.s + i, s.n - i, &cp);
        len = len ? len : 1;
        if (keep(cp))
            end = i + len;
    }
    return (Text){s.s, end};
}

static bool is_letter_or_digit(uint32_t c)
{
    return is_letter(c) || (c >= '0' && c <= '9');
}

static size_t count_chars(Text s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++)
        n += ((unsigned char)s.s[i] & 0xC0) != 0x80;
    return n;
}

/* A dictionary word, or a compound of two (Donau+dampfschifffahrt), the second maybe after a
 * linking "s" (Arbeit+s+zimmer). w is lowercase letters only. */
static bool is_word_or_compound(Text w)
{
    if (wordlist_is_word(w.s, w.n))
        return true;
    size_t total = count_chars(w), head_chars = 0;
    for (size_t i = 0, len; i < w.n; i += len, head_chars++) {
        uint32_t cp = 0;
        len = wordlist_utf8_next(w.s + i, w.n - i, &cp);
        len = len ? len : 1;
        if (head_chars < MIN_COMPOUND_PART_CHARS || total - head_chars < MIN_COMPOUND_PART_CHARS)
            continue;
        if (!wordlist_is_word(w.s, i))
            continue;
        if (wordlist_is_word(w.s + i, w.n - i))
            return true;
        if (w.s[i] == 's' && total - head_chars > MIN_COMPOUND_PART_CHARS &&
            wordlist_is_word(w.s + i + 1, w.n - i - 1))
            return true;
    }
    return false;
}

/* Writes w with ae oe ue (and, when sharp_s, ss) as ä ö ü ß - the spelling of the dictionary
 * for a word typed without umlauts. Never longer than w. */
static Text unfold_german(Text w, bool sharp_s, char *out)
{
    static const char *const PAIRS[][2] = {
        {"ae", "\xC3\xA4"}, {"oe", "\xC3\xB6"}, {"ue", "\xC3\xBC"}, {"ss", "\xC3\x9F"}};
    size_t o = 0;
    for (size_t i = 0; i < w.n;) {
        int pair = -1;
        for (int k = 0; k < (sharp_s ? 4 : 3) && i + 1 < w.n; k++)
            if (w.s[i] == PAIRS[k][0][0] && w.s[i + 1] == PAIRS[k][0][1])
                pair = k;
        if (pair >= 0) {
            memcpy(out + o, PAIRS[pair][1], 2);
            i += 2;
            o += 2;
        } else {
            out[o++] = w.s[i++];
        }
    }
    return (Text){out, o};
}

static bool is_word_any_spelling(Text core, char *scratch)
{
    if (is_word_or_compound(core))
        return true;
    for (int sharp_s = 0; sharp_s < 2; sharp_s++) {
        Text unfolded = unfold_german(core, sharp_s, scratch);
        if ((unfolded.n != core.n || memcmp(unfolded.s, core.s, core.n)) &&
            is_word_or_compound(unfolded))
            return true;
    }
    return false;
}

/* zxcvbn's guesses for what stands before and after core in all ("!!", "2024!"). */
static double decoration_log2(Text all, Text core, char *scratch)
{
    double bits = 0;
    size_t before = (size_t)(core.s - all.s), after_at = before + core.n;
    if (before) {
        memcpy(scratch, all.s, before);
        scratch[before] = '\0';
        bits += zxcvbn_log2(scratch, NULL);
    }
    if (after_at < all.n) {
        memcpy(scratch, all.s + after_at, all.n - after_at);
        scratch[all.n - after_at] = '\0';
        bits += zxcvbn_log2(scratch, NULL);
    }
    sodium_memzero(scratch, all.n);
    return bits;
}

/* One word (or two-word compound) of at least 4 letters, and around it only digits, symbols
 * or spaces that add fewer than 2^24 guesses. */
static bool check_dictionary(const Forms *f)
{
    Text core = letter_core(f->lower);
    size_t chars;
    if (!only_letters(core, &chars) || chars < MIN_WORD_CHARS)
        return false;
    if (!is_word_any_spelling(core, f->scratch))
        return false;
    return decoration_log2(f->lower, core, f->scratch) < MAX_DECORATION_LOG2;
}

/* On the list as it is or without symbols at its end ("123456!"); or, when what is cut off
 * adds fewer than 2^24 guesses, without digits and symbols at its end ("Passwort2024!") or at
 * both ends ("!!schatz!!") - "schatz" with ten random digits is no longer a common password.
 * Spelled with umlauts or without. */
static bool check_common(const Forms *f)
{
    const Text spellings[2] = {f->lower, f->folded};
    for (int i = 0; i < 2; i++) {
        Text s = spellings[i], plain = trim_end(s, is_letter_or_digit);
        if (wordlist_is_common(s.s, s.n) || wordlist_is_common(plain.s, plain.n))
            return true;
        Text words[2] = {trim_end(s, is_letter), letter_core(s)};
        for (int k = 0; k < 2; k++)
            if (wordlist_is_common(words[k].s, words[k].n) &&
                decoration_log2(s, words[k], f->scratch) < MAX_DECORATION_LOG2)
                return true;
    }
    return false;
}

static size_t decode_all(Text s, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0, len; i < s.n && n < max; i += len) {
        uint32_t cp = 0xFFFD;
        len = wordlist_utf8_next(s.s + i, s.n - i, &cp);
        len = len ? len : 1;
        out[n++] = cp;
    }
    return n;
}

/* Made of one piece repeated at least twice (the last time maybe cut short). */
static bool is_periodic(const uint32_t *cp, size_t n)
{
    for (size_t period = 1; period <= n / 2; period++) {
        size_t i = period;
        while (i < n && cp[i] == cp[i - period])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static size_t count_unique(const uint32_t *cp, size_t n)
{
    size_t unique = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < i && cp[k] != cp[i])
            k++;
        unique += k == i;
    }
    return unique;
}

/* "aaaa...", "abcabc...", "passwortpasswort", also with digits or symbols around the letters,
 * or at most three different characters. Case is ignored. */
static bool check_repetitive(const Forms *f)
{
    uint32_t cps[STRENGTH_MAX_CHARS];
    size_t n = decode_all(f->lower, cps, STRENGTH_MAX_CHARS);
    bool repetitive =
        n >= 2 && (count_unique(cps, n) <= MAX_UNIQUE_REPETITIVE || is_periodic(cps, n));
    if (!repetitive) {
        n = decode_all(letter_core(f->lower), cps, STRENGTH_MAX_CHARS);
        repetitive = n >= MIN_WORD_CHARS && is_periodic(cps, n);
    }
    sodium_memzero(cps, sizeof cps);
    return repetitive;
}

/* ---- all together ----------------------------------------------------------------------- */

static int check_all(const Forms *f, const char *email, const char *name, const char *portal,
                     double *log2_guesses)
{
    Terms terms = {.count = 0};
    arena_init(&terms.arena, 4096);
    terms_collect(&terms, email, name, portal);
    int reasons = check_contains(f, &terms);
    if (check_common(f))
        reasons |= STRENGTH_COMMON;
    if (check_dictionary(f))
        reasons |= STRENGTH_DICTIONARY_WORD;
    if (check_repetitive(f))
        reasons |= STRENGTH_REPETITIVE;
    *log2_guesses = zxcvbn_log2(f->zxcvbn.s, &terms);
    if (*log2_guesses < STRENGTH_MIN_LOG2_GUESSES)
        reasons |= STRENGTH_GUESSABLE;
    arena_free(&terms.arena);
    return reasons;
}

StrengthResult strength_check(const char *password, const char *email, const char *name,
                              const char *portal_name)
{
    StrengthResult r = {.ok = false, .reasons = 0, .log2_guesses = 0};
    if (!password)
        password = "";
    if (!str_utf8_valid(password, strlen(password))) {
        r.reasons = STRENGTH_NOT_UTF8;
        return r;
    }
    Forms f;
    forms_make(&f, password);
    if (f.chars < STRENGTH_MIN_CHARS)
        r.reasons |= STRENGTH_TOO_SHORT;
    /* Past the limit nothing else is worth saying, and the checks below grow quadratically. */
    if (f.chars > STRENGTH_MAX_CHARS)
        r.reasons |= STRENGTH_TOO_LONG;
    else
        r.reasons |= check_all(&f, email, name, portal_name, &r.log2_guesses);
    forms_free(&f);
    wordlist_release();
    r.ok = r.reasons == 0;
    return r;
}
