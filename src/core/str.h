/* str: small string helpers on NUL-terminated UTF-8 text. Pure functions, no allocation
 * unless an Arena is passed. */
#ifndef PFORTE_CORE_STR_H
#define PFORTE_CORE_STR_H
#include "core/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool str_eq(const char *a, const char *b);           /* NULL-safe */
bool str_eq_nocase(const char *a, const char *b);    /* ASCII case-insensitive, NULL-safe */
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
bool str_empty(const char *s);                       /* NULL or "" */
/* Returns a copy without leading/trailing ASCII whitespace. */
char *str_trim(Arena *a, const char *s);
/* Returns an ASCII-lowercased copy. */
char *str_lower(Arena *a, const char *s);
/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, max U+10FFFF). */
bool str_utf8_valid(const char *s, size_t n);
/* A copy of s[0..n) with every byte that does not start a well-formed sequence replaced by
 * U+FFFD, so text from a misbehaving client can be shown and re-edited instead of refused. */
char *str_utf8_repair(Arena *a, const char *s, size_t n);
/* True when s contains U+FFFD (the mark str_utf8_repair leaves). */
bool str_has_replacement_char(const char *s);
/* Number of code points in valid UTF-8. */
size_t str_utf8_len(const char *s);
/* Writes v in decimal (with '-' when negative) and a NUL to out; returns the length. Without
 * printf: it runs for every row of long lists. */
#define STR_INT_SIZE 21
size_t str_from_int(char out[STR_INT_SIZE], int64_t v);
/* Parses a decimal int64; false on junk, overflow or empty input. */
bool str_to_int64(const char *s, int64_t *out);
/* Decodes %XX and (when plus_is_space) '+' in place-free copy; returns NULL on bad escapes. */
char *str_url_decode(Arena *a, const char *s, size_t n, bool plus_is_space);
/* Appends s percent-encoded for a URL query component. */
char *str_url_encode(Arena *a, const char *s);
/* True for http(s)://, mailto: and relative URLs that cannot become javascript: etc. */
bool url_is_safe(const char *url);
/* Hex-encodes n bytes (lowercase). */
char *str_hex(Arena *a, const unsigned char *bytes, size_t n);
/* FNV-1a (64 bits) of s[0..n) continued from h: start with STR_HASH_SEED; chain calls to hash
 * several pieces as one. For hash tables, not for anything an attacker must not collide. */
#define STR_HASH_SEED 14695981039346656037ull
uint64_t str_hash(uint64_t h, const char *s, size_t n);

#endif
