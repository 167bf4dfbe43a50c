/* test_ratelimit: the fixed-window counters behind every login and mail limit, against a
 * temporary SQLite database - up to max allowed then refused, Retry-After to the end of the
 * window, a fresh count in the next window, buckets kept apart by kind and key, "full" without
 * counting, clearing after a successful login, and old windows pruned without touching the
 * current one. Times are explicit.
 * SECURITY: guards DESIGN.md's "rate limits in the database" - limits slow an attacker down
 * for one window and never lock an account for good. */
#include "core/arena.h"
#include "core/config.h"
#include "domain/ratelimit.h"
#include "store/accounts.h"
#include "store/db.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WINDOW 900
#define T0 (1764460800LL - 1764460800LL % WINDOW) /* the start of a window */

static char temp_root[256];
static int db_counter;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static Db *fresh_db(Arena *a)
{
    const char *dir = arena_printf(a, "%s/data%d", temp_root, ++db_counter);
    assert_int_equal(mkdir(dir, 0700), 0);
    cfg.data = (char *)dir;
    cfg.db = NULL;
    Db *db = db_open(arena_printf(a, "%s/pforte.db", dir));
    assert_non_null(db);
    assert_int_equal(db_migrate(db), DB_OK);
    return db;
}

/* One hit; returns whether it was allowed and checks Retry-After. */
static bool hit(Db *db, const char *kind, const char *key, int64_t max, int64_t now)
{
    bool allowed = false;
    int64_t retry = -1;
    assert_int_equal(ratelimit_hit(db, kind, key, max, WINDOW, now, &allowed, &retry), DB_OK);
    int64_t end = now - now % WINDOW + WINDOW;
    assert_int_equal(retry, end - now);
    assert_true(retry >= 1 && retry <= WINDOW);
    return allowed;
}

static bool full(Db *db, const char *kind, const char *key, int64_t max, int64_t now)
{
    bool is_full = false;
    int64_t retry = -1;
    assert_int_equal(ratelimit_full(db, kind, key, max, WINDOW, now, &is_full, &retry), DB_OK);
    assert_int_equal(retry, now - now % WINDOW + WINDOW - now);
    return is_full;
}

typedef struct Case {
    const char *what;
    int64_t max;
    int hits;       /* hits in one window, a second apart, from T0 + offset */
    int64_t offset; /* seconds into the window of the first hit */
    int allowed;    /* how many of them must be allowed */
} Case;

static const Case CASES[] = {
    {"max 3, 3 hits", 3, 3, 0, 3},
    {"max 3, 4 hits", 3, 4, 0, 3},
    {"max 3, 10 hits", 3, 10, 5, 3},
    {"max 1, 2 hits", 1, 2, 100, 1},
    {"max 5, 5 hits at the window's end", 5, 5, WINDOW - 5, 5},
    {"max 10, 25 hits", 10, 25, 0, 10},
};

static void test_up_to_max_then_refused(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    Db *db = fresh_db(&a);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const Case *c = &CASES[i];
        int allowed = 0;
        bool refused_seen = false;
        for (int h = 0; h < c->hits; h++) {
            bool ok = hit(db, "login-account", c->what, c->max, T0 + c->offset + h);
            if (ok) {
                allowed++;
                if (refused_seen)
                    fail_msg("%s: allowed again after a refusal in the same window", c->what);
            } else {
                refused_seen = true;
            }
        }
        if (allowed != c->allowed)
            fail_msg("%s: %d allowed, want %d", c->what, allowed, c->allowed);
    }
    db_close(db);
    arena_free(&a);
}

static void test_next_window_starts_fresh(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    Db *db = fresh_db(&a);
    for (int h = 0; h < 3; h++)
        assert_true(hit(db, "mail-address", "a@example.com", 3, T0 + h));
    assert_false(hit(db, "mail-address", "a@example.com", 3, T0 + 10));
    assert_false(hit(db, "mail-address", "a@example.com", 3, T0 + WINDOW - 1));
    /* the last second of the window and the first of the next are different windows */
    assert_true(hit(db, "mail-address", "a@example.com", 3, T0 + WINDOW));
    assert_true(hit(db, "mail-address", "a@example.com", 3, T0 + WINDOW + 1));
    assert_true(hit(db, "mail-address", "a@example.com", 3, T0 + WINDOW + 2));
    assert_false(hit(db, "mail-address", "a@example.com", 3, T0 + WINDOW + 3));
    /* long after: allowed again, never a lasting lock */
    assert_true(hit(db, "mail-address", "a@example.com", 3, T0 + 30 * WINDOW + 7));
    db_close(db);
    arena_free(&a);
}

static void test_buckets_apart_by_kind_and_key(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    Db *db = fresh_db(&a);
    assert_true(hit(db, "login-account", "a@example.com", 1, T0));
    assert_false(hit(db, "login-account", "a@example.com", 1, T0 + 1));
    assert_true(hit(db, "login-account", "b@example.com", 1, T0 + 2));
    assert_true(hit(db, "login-ip", "a@example.com", 1, T0 + 3));
    assert_true(hit(db, "mail-address", "a@example.com", 1, T0 + 4));
    db_close(db);
    arena_free(&a);
}

static void test_full_does_not_count(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    Db *db = fresh_db(&a);
    for (int i = 0; i < 50; i++)
        assert_false(full(db, "login-account", "x@example.com", 3, T0 + i));
    assert_true(hit(db, "login-account", "x@example.com", 3, T0 + 60));
    assert_true(hit(db, "login-account", "x@example.com", 3, T0 + 61));
    assert_false(full(db, "login-account", "x@example.com", 3, T0 + 62));
    assert_true(hit(db, "login-account", "x@example.com", 3, T0 + 63));
    assert_true(full(db, "login-account", "x@example.com", 3, T0 + 64));
    assert_false(full(db, "login-account", "x@example.com", 3, T0 + WINDOW)); /* next window */
    db_close(db);
    arena_free(&a);
}

static void test_clear_forgets_the_current_window(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    Db *db = fresh_db(&a);
    for (int i = 0; i < 3; i++)
        hit(db, "login-account", "y@example.com", 3, T0 + i);
    assert_true(full(db, "login-account", "y@example.com", 3, T0 + 10));
    assert_int_equal(ratelimit_clear(db, "login-account", "y@example.com", WINDOW, T0 + 11), DB_OK);
    assert_false(full(db, "login-account", "y@example.com", 3, T0 + 12));
    assert_true(hit(db, "login-account", "y@example.com", 3, T0 + 13));
    /* other buckets are untouched */
    for (int i = 0; i < 2; i++)
        hit(db, "login-account", "z@example.com", 2, T0 + 20 + i);
    assert_int_equal(ratelimit_clear(db, "login-account", "y@example.com", WINDOW, T0 + 30), DB_OK);
    assert_true(full(db, "login-account", "z@example.com", 2, T0 + 31));
    db_close(db);
    arena_free(&a);
}

static void test_pruning_keeps_the_current_window(void **state)
{
    Arena a;
    arena_init(&a, 4096);
    Db *db = fresh_db(&a);
    int64_t now = T0 + 10 * 86400;
    now += 97 - now % 97; /* a second at which a bucket's first hit prunes old windows */
    int64_t count = 0;
    assert_int_equal(store_rate_hit(db, "login-ip:old", T0, &count), DB_OK); /* 10 days ago */
    assert_int_equal(store_rate_hit(db, "login-ip:recent", now - 86400, &count), DB_OK);
    for (int i = 0; i < 3; i++)
        assert_true(hit(db, "login-ip", "10.0.0.1", 3, now));
    assert_int_equal(store_rate_count(db, "login-ip:old", T0, &count), DB_OK);
    assert_int_equal(count, 0);
    assert_int_equal(store_rate_count(db, "login-ip:recent", now - 86400, &count), DB_OK);
    assert_int_equal(count, 1);
    assert_true(full(db, "login-ip", "10.0.0.1", 3, now));
    assert_false(hit(db, "login-ip", "10.0.0.1", 3, now));
    db_close(db);
    arena_free(&a);
}

static int group_setup(void **state)
{
    snprintf(temp_root, sizeof temp_root, "/tmp/pforte-test-ratelimit-XXXXXX");
    return mkdtemp(temp_root) ? 0 : -1;
}

static int group_teardown(void **state)
{
    nftw(temp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_up_to_max_then_refused),
        cmocka_unit_test(test_next_window_starts_fresh),
        cmocka_unit_test(test_buckets_apart_by_kind_and_key),
        cmocka_unit_test(test_full_does_not_count),
        cmocka_unit_test(test_clear_forgets_the_current_window),
        cmocka_unit_test(test_pruning_keeps_the_current_window),
    };
    return cmocka_run_group_tests_name("ratelimit", tests, group_setup, group_teardown);
}
