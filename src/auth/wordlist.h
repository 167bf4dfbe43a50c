/* wordlist: is this a German or English dictionary word, or a common password? Both lists are
 * built at compile time (see wordlist.c for the Makefile rule), embedded in the binary and
 * binary-searched in place, so they cost no memory until looked at and no start-up time.
 * Never stores or logs what it is asked about.
 * SECURITY: new passwords are refused when they are a dictionary word or a common password;
 * these lookups must answer the same however the build or the host is set up. */
#ifndef PFORTE_AUTH_WORDLIST_H
#define PFORTE_AUTH_WORDLIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when word[0..n) is in the dictionary (the words of /usr/share/dict/ngerman and
 * american-english at build time, lowercased, without "'s" forms). word must be lowercased
 * with wordlist_lower. */
bool wordlist_is_word(const char *word, size_t n);
/* True when s[0..n) is on the common-password list data/common-passwords.txt (lowercased). */
bool wordlist_is_common(const char *s, size_t n);

/* Lowercases UTF-8 in[0..n) the same way the build lowercased the lists: ASCII, Latin-1
 * Supplement, Latin Extended-A and U+1E9E (capital sharp s). Other code points and bytes that
 * are not valid UTF-8 are copied unchanged. Writes at most n bytes plus a NUL to out (no
 * mapping makes text longer) and returns the length written. */
size_t wordlist_lower(const char *in, size_t n, char *out);

/* Decodes the code point at s[0..n) into *cp and returns its length (1-4), or returns 0 when
 * s does not start with well-formed UTF-8 (overlong forms, surrogates, values past U+10FFFF,
 * n == 0). Shared by the auth text helpers (strength.c, password.c). */
size_t wordlist_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Writes cp (at most U+10FFFF) as 1-4 bytes of UTF-8 to out and returns the count. */
size_t wordlist_utf8_put(uint32_t cp, char *out);

/* Gives the pages of the lists that lookups brought into memory back to the kernel (they are
 * read from the executable again on the next lookup), so the resident size returns to what it
 * was before. strength_check calls it when done. Thread-safe: a lookup running at the same
 * time just faults its pages in again. */
void wordlist_release(void);

/* Bytes of the embedded lists (0 means the build did not generate them: the dictionary checks
 * then find nothing, and the unit tests fail loudly). */
size_t wordlist_dictionary_bytes(void);
size_t wordlist_common_bytes(void);

#endif
