/* test_password: Argon2id hashing as a user meets it - a password typed as "Mu\u0308ller" opens
 * an account made with "Müller", wrong passwords fail, old parameters ask for a rehash, unknown
 * accounts cost as much time as known ones, and at most N hashes run at once.
 * SECURITY: guards Argon2id storage, no account enumeration by timing, the hashing limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "auth/password.h"
#include "core/config.h"
#include <pthread.h>
#include <string.h>
#include <time.h>

static int setup(void **state)
{
    cfg.argon2_ops = 2;
    cfg.argon2_mem_kib = 65536;
    cfg.hash_concurrency = 0;
    return 0;
}

static void test_nfc_table(void **state)
{
    static const struct {
        const char *in, *out;
    } CASES[] = {
        {"Mu\u0308ller", "M\u00fcller"},               /* u + diaeresis -> ü */
        {"M\u00fcller", "M\u00fcller"},                /* already NFC */
        {"A\u030angstr\u00f6m", "\u00c5ngstr\u00f6m"}, /* A + ring -> Å */
        {"Dvor\u030ca\u0301k", "Dvo\u0159\u00e1k"},    /* r + caron, a + acute */
        {"Franc\u0327ois", "Fran\u00e7ois"},           /* c + cedilla */
        {"Erdog\u0306an", "Erdo\u011fan"},             /* g + breve */
        {"Gro\u0308\u00dfe", "Gr\u00f6\u00dfe"},       /* ß stays */
        {"E\u0301\u0328", "\u0118\u0301"},             /* E acute ogonek: ordered, then E+ogonek */
        {"E\u0328\u0301", "\u0118\u0301"},             /* the same in canonical order */
        {"\u00c9\u0328", "\u0118\u0301"},              /* the same from a precomposed É */
        {"a\u0327\u0301", "\u00e1\u0327"},             /* no "a with cedilla": á + cedilla */
        {"e\u0301\u0301", "\u00e9\u0301"},             /* the second acute is blocked */
        {"e\u0323\u0301", "e\u0323\u0301"},            /* dot below is outside the subset */
        {"\u0308abc", "\u0308abc"},                    /* a mark without a letter */
        {"1\u0308", "1\u0308"},                        /* a digit does not compose */
        {"x\xff\xcc\x88y", "x\xff\xcc\x88y"},          /* bad bytes are copied */
        {"ok \u20ac", "ok \u20ac"},                    /* € is untouched */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char out[64];
        size_t n = password_nfc(CASES[i].in, strlen(CASES[i].in), out);
        if (strcmp(out, CASES[i].out) != 0)
            fail_msg("case %zu: wrong composition", i);
        assert_int_equal(n, strlen(out));
        assert_true(n <= strlen(CASES[i].in));
    }
}

static void test_hash_and_verify(void **state)
{
    char hash[crypto_pwhash_STRBYTES];
    assert_true(password_hash("Müller-Lüdenscheidt am Morgen", hash));
    assert_true(strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
    assert_true(password_verify(hash, "Müller-Lüdenscheidt am Morgen"));
    assert_true(password_verify(hash, "Mu\u0308ller-Lu\u0308denscheidt am Morgen"));
    assert_false(password_verify(hash, "Muller-Ludenscheidt am Morgen"));
    assert_false(password_verify(hash, "müller-lüdenscheidt am morgen"));
    assert_false(password_verify(hash, ""));
    assert_false(password_verify(NULL, "Müller-Lüdenscheidt am Morgen"));
    assert_false(password_verify("$argon2id$garbage", "x"));
    assert_false(password_verify("", "x"));

    char other[crypto_pwhash_STRBYTES];
    assert_true(password_hash("Müller-Lüdenscheidt am Morgen", other));
    assert_string_not_equal(hash, other); /* a fresh salt every time */

    /* decomposed at registration, precomposed at login */
    assert_true(password_hash("Mu\u0308ller", hash));
    assert_true(password_verify(hash, "M\u00fcller"));
}

static void test_needs_rehash(void **state)
{
    char hash[crypto_pwhash_STRBYTES];
    assert_true(password_hash("Kaffee Fahrrad Wolke Tisch", hash));
    assert_false(password_needs_rehash(hash));
    cfg.argon2_ops = 3;
    assert_true(password_needs_rehash(hash));
    assert_true(password_verify(hash, "Kaffee Fahrrad Wolke Tisch")); /* old hashes still work */
    cfg.argon2_ops = 2;
    cfg.argon2_mem_kib = 32768;
    assert_true(password_needs_rehash(hash));
    cfg.argon2_mem_kib = 65536;
    assert_false(password_needs_rehash(hash));
    assert_true(password_needs_rehash("not a hash"));
    assert_true(password_needs_rehash(NULL));
    char argon2i[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_argon2i_str(argon2i, "pw", 2, 3, 65536 * 1024), 0);
    assert_true(password_verify(argon2i, "pw"));
    assert_true(password_needs_rehash(argon2i)); /* Argon2i: move to Argon2id */
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_dummy_verify_takes_as_long(void **state)
{
    char hash[crypto_pwhash_STRBYTES];
    assert_true(password_hash("Kaffee Fahrrad Wolke Tisch", hash));
    password_init();
    double real = 0, dummy = 0;
    for (int i = 0; i < 3; i++) {
        double t0 = seconds_now();
        password_verify(hash, "wrong password here");
        double t1 = seconds_now();
        password_dummy_verify("wrong password here");
        double t2 = seconds_now();
        real += t1 - t0;
        dummy += t2 - t1;
    }
    if (dummy < real * 0.5 || dummy > real * 2.0)
        fail_msg("dummy verify %.1f ms, real %.1f ms", dummy * 1000 / 3, real * 1000 / 3);
}

static void test_default_concurrency(void **state)
{
    cfg.hash_concurrency = 0;
    assert_int_equal(password_default_concurrency(8), 4);
    assert_int_equal(password_default_concurrency(3), 1);
    assert_int_equal(password_default_concurrency(1), 1);
    assert_int_equal(password_default_concurrency(0), 1);
    cfg.hash_concurrency = 3;
    assert_int_equal(password_default_concurrency(8), 3);
    cfg.hash_concurrency = 0;
}

static pthread_barrier_t burst_start;

static void *hash_once(void *arg)
{
    char hash[crypto_pwhash_STRBYTES];
    pthread_barrier_wait(&burst_start); /* all eight ask at the same moment */
    *(bool *)arg = password_hash("Kaffee Fahrrad Wolke Tisch", hash);
    return NULL;
}

/* Starts 8 threads hashing at once; returns the most that ran at the same time. */
static int run_burst(int limit)
{
    enum { THREADS = 8 };
    pthread_t threads[THREADS];
    bool ok[THREADS];
    password_set_concurrency(limit);
    password_stats_reset();
    pthread_barrier_init(&burst_start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, hash_once, &ok[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_true(ok[i]);
    }
    pthread_barrier_destroy(&burst_start);
    PasswordStats s = password_stats();
    assert_int_equal(s.limit, limit < 1 ? 1 : limit);
    assert_int_equal(s.running, 0);
    assert_int_equal(s.waiting, 0);
    assert_int_equal(s.completed, THREADS);
    return s.max_running;
}

static void test_concurrency_limit(void **state)
{
    /* 8 MiB per hash keeps this quick; the limiter does not care about the parameters */
    cfg.argon2_mem_kib = 8192;
    assert_int_equal(run_burst(2), 2);
    assert_int_equal(run_burst(1), 1);
    assert_int_equal(run_burst(0), 1);
    assert_true(run_burst(8) > 2); /* the burst really is concurrent */
    cfg.argon2_mem_kib = 65536;
    password_set_concurrency(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfc_table),
        cmocka_unit_test_setup(test_hash_and_verify, setup),
        cmocka_unit_test_setup(test_needs_rehash, setup),
        cmocka_unit_test_setup(test_dummy_verify_takes_as_long, setup),
        cmocka_unit_test_setup(test_default_concurrency, setup),
        cmocka_unit_test_setup(test_concurrency_limit, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
