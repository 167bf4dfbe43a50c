/* token: the secrets in mailed links and session cookies - 32 random bytes as URL-safe base64,
 * of which only the SHA-256 is stored. Never logs a token.
 * SECURITY: tokens come from the CSPRNG, the database holds only their hashes, and hashes are
 * compared in constant time. */
#ifndef PFORTE_AUTH_TOKEN_H
#define PFORTE_AUTH_TOKEN_H
#include <stdbool.h>

#define TOKEN_BYTES 32    /* random bytes in a token */
#define TOKEN_LEN 43      /* URL-safe base64 characters, no padding */
#define TOKEN_HASH_HEX 64 /* hex characters of its SHA-256 */

/* Writes a new token (43 characters of A-Z a-z 0-9 - _) and a NUL into out. The caller wipes
 * out with sodium_memzero when done. */
void token_new(char out[TOKEN_LEN + 1]);
/* Writes the lowercase hex SHA-256 of the NUL-terminated token and a NUL into out_hex. This is
 * what the database stores and looks up. */
void token_hash(const char *token, char out_hex[TOKEN_HASH_HEX + 1]);
/* True when both are 64-character hex hashes with the same content. Compares in constant time
 * (the lengths are not secret). NULL is never equal to anything. */
bool token_equal(const char *a_hex, const char *b_hex);
/* True when token could have come from token_new: exactly 43 URL-safe base64 characters whose
 * last one carries no stray bits. Check this before hashing input from a link or cookie. */
bool token_well_formed(const char *token);

#endif
