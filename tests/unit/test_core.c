/* test_core: the core layer - Buf (growth, HTML escaping), Arena (alignment, growth, reset),
 * string helpers (UTF-8 validation, URL decoding, url_is_safe) and configuration (defaults <
 * file < environment < flags, unknown keys named, range checks, the README table). */
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/str.h"
#include "core/worker_loop.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void buf_grows_and_terminates(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 64);
    Buf b;
    buf_init(&b, &a);
    assert_string_equal(buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 2000);
    assert_int_equal(strlen(buf_cstr(&b)), 2000);
    assert_memory_equal(b.data, "0,1,2,", 6);
    buf_clear(&b);
    assert_string_equal(buf_cstr(&b), "");
    arena_free(&a);

    /* reserved but not yet written: still an empty string (arena memory is not cleared), in
     * a block that held other bytes before */
    arena_init(&a, 4096);
    memset(arena_alloc(&a, 1000), 'x', 1000);
    arena_reset(&a);
    Buf r;
    buf_init(&r, &a);
    buf_reserve(&r, 100);
    assert_string_equal(buf_cstr(&r), "");
    assert_string_equal(str_utf8_repair(&a, "", 0), "");
    assert_string_equal(str_utf8_repair(&a, "a\xFF" "b", 3), "a\xEF\xBF\xBD" "b");
    arena_free(&a);

    Buf h;
    buf_init(&h, NULL);
    buf_append(&h, "ab\0c", 4);
    assert_int_equal(h.len, 4);
    assert_int_equal(h.data[4], '\0');
    buf_free(&h);
}

static void buf_escapes_every_special_character(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"<script>", "&lt;script&gt;"},
        {"a & b", "a &amp; b"},
        {"\"quoted\"", "&quot;quoted&quot;"},
        {"it's", "it&#39;s"},
        {"<a href='x' onclick=\"y\">&amp;</a>",
         "&lt;a href=&#39;x&#39; onclick=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;"},
        {"Grüße", "Grüße"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Buf b;
        buf_init(&b, NULL);
        buf_append_html(&b, cases[i].in, strlen(cases[i].in));
        assert_string_equal(buf_cstr(&b), cases[i].out);
        buf_free(&b);
    }
}

static void arena_aligns_zeroes_and_resets(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 128);
    for (int i = 1; i < 200; i++) {
        unsigned char *p = arena_alloc(&a, (size_t)i);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (int k = 0; k < i; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xAB, (size_t)i);
    }
    char *big = arena_alloc(&a, 100000); /* larger than a block */
    big[99999] = 'x';
    assert_true(a.total >= 100000);
    arena_reset(&a);
    assert_int_equal(a.total, 0);
    char *s = arena_printf(&a, "%s-%d", "key", 42);
    assert_string_equal(s, "key-42");
    char *grown = arena_realloc(&a, NULL, 0, 8);
    memcpy(grown, "1234567", 8);
    grown = arena_realloc(&a, grown, 8, 64);
    assert_string_equal(grown, "1234567");
    assert_int_equal(grown[63], 0);
    arena_free(&a);
}

/* Allocations of one request's shape: a few of them, 40,000 bytes in all. */
static void use_like_a_request(Arena *a)
{
    for (int i = 0; i < 10; i++)
        memset(arena_alloc(a, 4000), 'r', 4000);
}

/* arena_keep: after a use that needed several blocks the reset keeps one block that holds
 * the same use again (no new block: the head stays); without it, or when the use needs more
 * than the limit, the next use needs new blocks again. */
static void arena_keep_grows_the_kept_block_up_to_its_limit(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 8192);
    arena_keep(&a, 64 * 1024);
    use_like_a_request(&a);
    arena_reset(&a);
    ArenaBlock *kept = a.head;
    for (int round = 0; round < 3; round++) {
        use_like_a_request(&a);
        assert_ptr_equal(a.head, kept);
        arena_reset(&a);
        assert_ptr_equal(a.head, kept);
        assert_int_equal(a.total, 0);
    }
    arena_free(&a);

    arena_init(&a, 8192); /* without arena_keep: the first block only */
    use_like_a_request(&a);
    arena_reset(&a);
    kept = a.head;
    use_like_a_request(&a);
    assert_ptr_not_equal(a.head, kept);
    arena_free(&a);

    arena_init(&a, 8192); /* the limit: 16 KB cannot hold 40,000 bytes */
    arena_keep(&a, 16 * 1024);
    use_like_a_request(&a);
    arena_reset(&a);
    kept = a.head;
    use_like_a_request(&a);
    assert_ptr_not_equal(a.head, kept);
    arena_reset(&a);
    use_like_a_request(&a);
    arena_free(&a);
}

/* str_hash is FNV-1a 64: the published values, and pieces chained give the hash of the whole. */
static void str_hash_is_fnv1a_and_chains(void **state)
{
    (void)state;
    assert_true(str_hash(STR_HASH_SEED, "", 0) == 0xcbf29ce484222325ull);
    assert_true(str_hash(STR_HASH_SEED, "a", 1) == 0xaf63dc4c8601ec8cull);
    assert_true(str_hash(str_hash(STR_HASH_SEED, "foo", 3), "bar", 3) ==
                str_hash(STR_HASH_SEED, "foobar", 6));
}

/* arena_printf and buf_printf format into the room they have and only format again when
 * the text does not fit: every boundary around that room gives the whole text. */
static void printf_fits_or_formats_again(void **state)
{
    (void)state;
    char want[200];
    /* block sizes that are not a multiple of 16 too */
    for (size_t block = 32; block <= 96; block += 13) {
        for (int len = 0; len < 150; len++) {
            Arena a;
            arena_init(&a, block);
            for (int used = 0; used < (int)block; used += 7) {
                arena_reset(&a);
                if (used)
                    memset(arena_alloc(&a, (size_t)used), 'x', (size_t)used);
                memset(want, 'a' + len % 26, (size_t)len);
                want[len] = '\0';
                char *s = arena_printf(&a, "%s", want);
                assert_string_equal(s, want);
                char *t = arena_printf(&a, "%d|%s", len, want); /* right behind the first */
                assert_int_equal(atoi(t), len);
                assert_string_equal(strchr(t, '|') + 1, want);
                assert_string_equal(s, want); /* the second did not write over the first */
            }
            arena_free(&a);
        }
    }
    Arena a;
    arena_init(&a, 64);
    Buf b;
    buf_init(&b, &a);
    buf_printf(&b, "%s", "");
    assert_string_equal(buf_cstr(&b), "");
    for (int len = 0; len < 150; len++) {
        size_t before = b.len;
        memset(want, 'A' + len % 26, (size_t)len);
        want[len] = '\0';
        buf_printf(&b, "%s", want);
        assert_int_equal(b.len, before + (size_t)len);
        assert_memory_equal(buf_cstr(&b) + before, want, (size_t)len);
        assert_int_equal(buf_cstr(&b)[b.len], '\0');
    }
    arena_free(&a);
}

static void str_utf8_validation(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool valid;
    } cases[] = {
        {"ascii", true}, {"Grüße", true},     {"日本", true},          {"\xF0\x9F\x98\x80", true},
        {"\xC3", false}, {"\xC0\xAF", false}, {"\xED\xA0\x80", false}, {"\xF4\x90\x80\x80", false},
        {"\xFF", false}, {"\xE2\x82", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(str_utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid);
    assert_int_equal(str_utf8_len("Grüße"), 5);

    static const struct {
        int64_t v;
        const char *text;
    } ints[] = {{0, "0"},
                {7, "7"},
                {-42, "-42"},
                {1234567890, "1234567890"},
                {INT64_MAX, "9223372036854775807"},
                {INT64_MIN, "-9223372036854775808"}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        char out[STR_INT_SIZE];
        assert_int_equal(str_from_int(out, ints[i].v), strlen(ints[i].text));
        assert_string_equal(out, ints[i].text);
    }
}

static void str_url_helpers(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 1024);
    assert_string_equal(str_url_decode(&a, "a%20b+c", 7, true), "a b c");
    assert_string_equal(str_url_decode(&a, "a+b", 3, false), "a+b");
    assert_null(str_url_decode(&a, "bad%2", 5, true));
    assert_null(str_url_decode(&a, "bad%zz", 6, true));
    assert_string_equal(str_url_encode(&a, "/new/a b&c"), "%2Fnew%2Fa%20b%26c");
    static const struct {
        const char *url;
        bool safe;
    } urls[] = {
        {"https://example.com/x", true}, {"http://a", true},        {"mailto:a@b.de", true},
        {"/relative/path", true},        {"page?x=1", true},        {"javascript:alert(1)", false},
        {"JaVaScRiPt:alert(1)", false},  {"java\tscript:x", false}, {"data:text/html,x", false},
        {"vbscript:x", false},           {"\\\\evil.com", false},
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        assert_int_equal(url_is_safe(urls[i].url), urls[i].safe);
    char *t = str_trim(&a, "  x y \n");
    assert_string_equal(t, "x y");
    int64_t n;
    assert_true(str_to_int64("-42", &n));
    assert_int_equal(n, -42);
    assert_false(str_to_int64("42x", &n));
    assert_false(str_to_int64("", &n));
    assert_false(str_to_int64("99999999999999999999", &n));
    arena_free(&a);
}

static bool load(Config *c, int argc, char **argv, Buf *err)
{
    char *pos[4];
    int npos;
    buf_clear(err);
    return config_load(c, argc, argv, 0, pos, 4, &npos, err);
}

static void config_sources_in_order(void **state)
{
    (void)state;
    char path[] = "/tmp/pforte-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# comment\nlisten = 127.0.0.1:9000\nthreads = 3\nkey_prefix = CFG\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    Buf err;
    buf_init(&err, NULL);
    Config c = {0};
    unsetenv("PFORTE_THREADS");
    char *none[] = {NULL};
    assert_true(load(&c, 0, none, &err));
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_int_equal(c.threads, 0);

    char *with_file[] = {"--config", path};
    assert_true(load(&c, 2, with_file, &err));
    assert_string_equal(c.listen, "127.0.0.1:9000");
    assert_int_equal(c.threads, 3);

    setenv("PFORTE_THREADS", "5", 1);
    assert_true(load(&c, 2, with_file, &err));
    assert_int_equal(c.threads, 5);
    assert_string_equal(c.key_prefix, "CFG");

    char *flags[] = {"--config", path, "--threads", "7", "--key-prefix=FLAG", "--dev"};
    assert_true(load(&c, 6, flags, &err));
    assert_int_equal(c.threads, 7);
    assert_string_equal(c.key_prefix, "FLAG");
    assert_true(c.dev);
    unsetenv("PFORTE_THREADS");
    unlink(path);
    config_free(&c);
    buf_free(&err);
}

static void config_rejects_bad_input_naming_the_key(void **state)
{
    (void)state;
    Buf err;
    buf_init(&err, NULL);
    Config c = {0};
    char *unknown[] = {"--no-such-option", "1"};
    assert_false(load(&c, 2, unknown, &err));
    assert_non_null(strstr(buf_cstr(&err), "--no-such-option"));
    char *range[] = {"--threads", "100000"};
    assert_false(load(&c, 2, range, &err));
    assert_non_null(strstr(buf_cstr(&err), "threads"));
    char *notnum[] = {"--threads", "many"};
    assert_false(load(&c, 2, notnum, &err));
    char *level[] = {"--log-level", "loud"};
    assert_false(load(&c, 2, level, &err));
    char *missing[] = {"--listen"};
    assert_false(load(&c, 1, missing, &err));

    char path[] = "/tmp/pforte-test-config-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "listen = 127.0.0.1:1\nbogus_key = 1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *with_file[] = {"--config", path};
    assert_false(load(&c, 2, with_file, &err));
    assert_non_null(strstr(buf_cstr(&err), "bogus_key"));
    assert_non_null(strstr(buf_cstr(&err), ":2"));
    unlink(path);
    config_free(&c);
    buf_free(&err);
}

static void config_markdown_lists_every_setting(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b, NULL);
    config_write_markdown(&b);
    for (int i = 0; i < SETTINGS_COUNT; i++) {
        if (str_eq(SETTINGS[i].name, "config_file"))
            continue;
        char env[128];
        snprintf(env, sizeof env, "`PFORTE_");
        size_t n = strlen(env);
        for (const char *p = SETTINGS[i].name; *p && n + 2 < sizeof env; p++)
            env[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        env[n++] = '`';
        env[n] = '\0';
        assert_non_null(strstr(buf_cstr(&b), env));
    }
    buf_free(&b);
}

/* The hand-written calendar arithmetic agrees with libc's gmtime_r: every day from 1970 to
 * 2200 at a varying time of day, leap days and the ends of centuries included. */
static void clock_civil_matches_gmtime(void **state)
{
    for (int64_t day = -400; day < 84000; day++) {
        int64_t t = day * 86400 + (day * 7919) % 86400;
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        ClockCivil c;
        clock_civil(t, &c);
        if (c.year != tm.tm_year + 1900 || c.month != tm.tm_mon + 1 || c.day != tm.tm_mday ||
            c.hour != tm.tm_hour || c.minute != tm.tm_min || c.second != tm.tm_sec)
            fail_msg("t=%lld: %04d-%02d-%02d %02d:%02d:%02d", (long long)t, c.year, c.month, c.day,
                     c.hour, c.minute, c.second);
    }
    char iso[32];
    clock_format_iso(951782400, iso); /* 2000-02-29 */
    assert_string_equal(iso, "2000-02-29T00:00:00Z");
    clock_format_iso(1767225599, iso);
    assert_string_equal(iso, "2025-12-31T23:59:59Z");
}

/* ---- worker_loop ---- */

static int loop_nice = -100;
static char loop_name[16];

static void *loop_main(void *arg)
{
    WorkerLoop *w = arg;
    loop_nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    pthread_getname_np(pthread_self(), loop_name, sizeof loop_name);
    while (!worker_loop_should_stop(w))
        worker_loop_wait(w, 1000);
    return NULL;
}

/* A worker loop's thread is named (cut to the kernel's 15 characters) and runs below the
 * request threads' priority; the caller's own priority stays as it was. */
static void worker_loop_thread_is_named_and_nice(void **state)
{
    static WorkerLoop w = WORKER_LOOP_INIT("a_long_worker_name", loop_main);
    int before = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    worker_loop_start(&w);
    worker_loop_stop(&w);
    assert_int_equal(loop_nice, before + WORKER_LOOP_NICE > 19 ? 19 : before + WORKER_LOOP_NICE);
    assert_string_equal(loop_name, "pf-a_long_worke");
    assert_int_equal(getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_grows_and_terminates),
        cmocka_unit_test(buf_escapes_every_special_character),
        cmocka_unit_test(arena_aligns_zeroes_and_resets),
        cmocka_unit_test(arena_keep_grows_the_kept_block_up_to_its_limit),
        cmocka_unit_test(str_hash_is_fnv1a_and_chains),
        cmocka_unit_test(printf_fits_or_formats_again),
        cmocka_unit_test(str_utf8_validation),
        cmocka_unit_test(str_url_helpers),
        cmocka_unit_test(config_sources_in_order),
        cmocka_unit_test(config_rejects_bad_input_naming_the_key),
        cmocka_unit_test(config_markdown_lists_every_setting),
        cmocka_unit_test(clock_civil_matches_gmtime),
        cmocka_unit_test(worker_loop_thread_is_named_and_nice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
