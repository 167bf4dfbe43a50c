/* test_token: tokens for links and cookies - format, randomness, SHA-256 hashing against a
 * known vector, constant-time equality and the well-formedness check.
 * SECURITY: guards "32 random bytes, only their SHA-256 stored". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "auth/token.h"
#include <string.h>

static void test_new_is_well_formed_and_random(void **state)
{
    char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
    token_new(a);
    token_new(b);
    assert_int_equal(strlen(a), 43);
    assert_true(token_well_formed(a));
    assert_true(token_well_formed(b));
    assert_string_not_equal(a, b);
    for (int i = 0; i < 1000; i++) {
        token_new(a);
        assert_true(token_well_formed(a));
        assert_null(strpbrk(a, "+/="));
    }
}

static void test_hash_known_vectors(void **state)
{
    char hex[TOKEN_HASH_HEX + 1];
    token_hash("abc", hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    token_hash("", hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char token[TOKEN_LEN + 1], again[TOKEN_HASH_HEX + 1];
    token_new(token);
    token_hash(token, hex);
    token_hash(token, again);
    assert_string_equal(hex, again);
    assert_int_equal(strlen(hex), 64);
}

static void test_equal(void **state)
{
    char a[TOKEN_HASH_HEX + 1], b[TOKEN_HASH_HEX + 1], c[TOKEN_HASH_HEX + 1];
    token_hash("one", a);
    token_hash("one", b);
    token_hash("two", c);
    assert_true(token_equal(a, b));
    assert_false(token_equal(a, c));
    assert_false(token_equal(a, NULL));
    assert_false(token_equal(NULL, NULL));
    assert_false(token_equal("abc", "abc")); /* not a hash at all */
    char longer[TOKEN_HASH_HEX + 2];
    memcpy(longer, a, TOKEN_HASH_HEX);
    longer[TOKEN_HASH_HEX] = '0';
    longer[TOKEN_HASH_HEX + 1] = '\0';
    assert_false(token_equal(a, longer));
    b[63] = b[63] == '0' ? '1' : '0';
    assert_false(token_equal(a, b));
}

static void test_well_formed_table(void **state)
{
    static const struct {
        const char *token;
        bool ok;
    } CASES[] = {
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true},
        {"abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE", true},
        {"abcdefghijklmnopqrstuvwxyz0123456789-_ABCDF", false},  /* stray low bits in last char */
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},   /* 42 */
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false}, /* 44 */
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false},
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", false},
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", false},
        {"AAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAA", false},
        {"AAAAAAAAAAAAAAAAAAAA\u00e4AAAAAAAAAAAAAAAAAAAAA", false}, /* 43 bytes, not base64 */
        {"", false},
        {NULL, false},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        if (token_well_formed(CASES[i].token) != CASES[i].ok)
            fail_msg("case %zu: \"%s\" expected %d", i, CASES[i].token ? CASES[i].token : "NULL",
                     CASES[i].ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_is_well_formed_and_random),
        cmocka_unit_test(test_hash_known_vectors),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_well_formed_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
