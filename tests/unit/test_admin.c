/* test_admin: the pure rules of the admin domain - how settings rows from the database lay
 * over the config file's values (only the overridable keys, only values in the setting's
 * range) and how search text becomes a LIKE pattern that treats % and _ as plain characters.
 * SECURITY: a settings row can never switch a setting that is not meant for runtime change
 * (the database URL, the data directory, password hashing cost). */
#include "core/arena.h"
#include "core/config.h"
#include "core/str.h"
#include "domain/admin.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void load_defaults(Config *c)
{
    Buf err;
    Arena a;
    arena_init(&a, 1024);
    buf_init(&err, &a);
    char *argv[] = {"pforte", NULL};
    char *positional[1];
    int n = 0;
    memset(c, 0, sizeof *c);
    assert_true(config_load(c, 1, argv, 1, positional, 0, &n, &err));
    arena_free(&a);
}

static void test_rows_override_only_runtime_settings(void **state)
{
    (void)state;
    Config c;
    load_defaults(&c);
    Config base = c;
    Arena a;
    arena_init(&a, 4096);
    const SettingRow rows[] = {
        {"portal_name", "Acme Hilfe"},
        {"key_prefix", "ACME"},
        {"mail", "smtp://u:p@mail.example.com:587"},
        {"rate_login_ip", "77"},
        {"max_attachment_bytes", "2097152"},
        {"db", "/tmp/evil.db"},          /* never from the database */
        {"data", "/tmp/evil"},
        {"argon2_ops", "1"},
        {"welcome_de", "Hallo"},         /* not a config key: ignored here */
        {"rate_mail_ip", "0"},           /* below the setting's minimum: ignored */
        {"rate_login_window", "zehn"},   /* not a number: ignored */
        {"mail_from", ""},               /* empty: the config value stays */
    };
    settings_apply_rows(&c, &a, rows, (int)(sizeof rows / sizeof rows[0]));
    assert_string_equal(c.portal_name, "Acme Hilfe");
    assert_string_equal(c.key_prefix, "ACME");
    assert_string_equal(c.mail, "smtp://u:p@mail.example.com:587");
    assert_int_equal(c.rate_login_ip, 77);
    assert_int_equal(c.max_attachment_bytes, 2097152);
    assert_ptr_equal(c.db, base.db);
    assert_ptr_equal(c.data, base.data);
    assert_int_equal(c.argon2_ops, base.argon2_ops);
    assert_int_equal(c.rate_mail_ip, base.rate_mail_ip);
    assert_int_equal(c.rate_login_window, base.rate_login_window);
    assert_ptr_equal(c.mail_from, base.mail_from);
    arena_free(&a);
    config_free(&base);
}

static void test_like_pattern_escapes_wildcards(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 1024);
    static const struct {
        const char *in, *out;
    } CASES[] = {
        {"Anna", "%anna%"},
        {"  Zimmer ", "%zimmer%"},
        {"50%", "%50\\%%"},
        {"a_b", "%a\\_b%"},
        {"back\\slash", "%back\\\\slash%"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        assert_string_equal(admin_like_pattern(&a, CASES[i].in), CASES[i].out);
    assert_null(admin_like_pattern(&a, ""));
    assert_null(admin_like_pattern(&a, "   "));
    assert_null(admin_like_pattern(&a, NULL));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_override_only_runtime_settings),
        cmocka_unit_test(test_like_pattern_escapes_wildcards),
    };
    return cmocka_run_group_tests_name("admin", tests, NULL, NULL);
}
