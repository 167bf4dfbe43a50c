/* token: random tokens for links and cookies, their SHA-256 and constant-time comparison.
 * Must never log a token or keep a copy of one.
 * SECURITY: tokens are 256 bits from libsodium's CSPRNG; only SHA-256 hashes are stored and
 * they are compared with sodium_memcmp. */
#include "auth/token.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void sodium_ready(void)
{
    /* Thread-safe and cheap after the first call; -1 means no usable entropy source. */
    if (sodium_init() < 0)
        abort();
}

void token_new(char out[TOKEN_LEN + 1])
{
    unsigned char bytes[TOKEN_BYTES];
    sodium_ready();
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2base64(out, TOKEN_LEN + 1, bytes, sizeof bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bytes, sizeof bytes);
}

void token_hash(const char *token, char out_hex[TOKEN_HASH_HEX + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    sodium_ready();
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out_hex, TOKEN_HASH_HEX + 1, digest, sizeof digest);
}

bool token_equal(const char *a_hex, const char *b_hex)
{
    if (!a_hex || !b_hex)
        return false;
    if (strnlen(a_hex, TOKEN_HASH_HEX + 1) != TOKEN_HASH_HEX ||
        strnlen(b_hex, TOKEN_HASH_HEX + 1) != TOKEN_HASH_HEX)
        return false;
    return sodium_memcmp(a_hex, b_hex, TOKEN_HASH_HEX) == 0;
}

/* Index of c in the URL-safe base64 alphabet, or -1. */
static int base64_url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

bool token_well_formed(const char *token)
{
    if (!token || strnlen(token, TOKEN_LEN + 1) != TOKEN_LEN)
        return false;
    for (int i = 0; i < TOKEN_LEN; i++)
        if (base64_url_value((unsigned char)token[i]) < 0)
            return false;
    /* 43 characters carry 258 bits for 256: the last one's low two bits are always 0. */
    return (base64_url_value((unsigned char)token[TOKEN_LEN - 1]) & 3) == 0;
}
