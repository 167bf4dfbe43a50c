/* test_sla_service: the SLA engine on a temporary SQLite database - clocks rebuilt from a
 * request's events (status changes, public agent comments; customer comments and internal
 * notes do not count), a page of requests at once (timed), settings parsing limits, the
 * stored columns going stale on a settings change, and the reminder pass run by two
 * instances at the same moment queuing each mail exactly once, a reminded clock leaving the
 * reminder candidates. Times are explicit. */
#include "core/arena.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/tz.h"
#include "domain/sla_service.h"
#include "domain/sla_settings.h"
#include "store/db.h"
#include "store/sla.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char temp_root[256];
static int db_counter;
static char db_path[300];
static Arena arena;
static const TimeZone *berlin;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int64_t B(int y, int mo, int d, int h, int mi)
{
    return tz_local_to_utc(berlin, tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60);
}

static void exec(Db *db, const char *sql)
{
    if (db_exec(db, sql) != DB_OK)
        fail_msg("SQL failed: %s", sql);
}

/* A migrated database with one type, a customer (1), agents (2 de, 3 en) and a disabled
 * agent (4). */
static Db *fresh_db(void)
{
    snprintf(db_path, sizeof db_path, "%s/sla%d.db", temp_root, ++db_counter);
    Db *db = db_open(db_path);
    assert_non_null(db);
    assert_int_equal(db_migrate(db), DB_OK);
    exec(db, "INSERT INTO request_types (id, key, name_de, name_en, created_at) "
             "VALUES (1, 'problem', 'Problem', 'Problem', 0);"
             "INSERT INTO users (id, email, name, role, lang, created_at, updated_at) VALUES "
             "(1, 'carla@example.com', 'Carla', 'customer', 'de', 0, 0),"
             "(2, 'ada@example.com', 'Ada', 'agent', 'de', 0, 0),"
             "(3, 'ben@example.com', 'Ben', 'admin', 'en', 0, 0),"
             "(4, 'otto@example.com', 'Otto', 'agent', 'de', 0, 0);"
             "UPDATE users SET disabled = 1 WHERE id = 4;");
    return db;
}

/* Inserts request `number` created at t with priority p. */
static void add_request(Db *db, int number, int64_t t, const char *priority)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO requests (id, number, type_id, reporter_id, summary, priority, "
             "reply_token, created_at, updated_at) VALUES (%d, %d, 1, 1, 'Export kaputt', '%s', "
             "'t%d', %lld, %lld)",
             number, number, priority, number, (long long)t, (long long)t);
    exec(db, sql);
}

static void add_event(Db *db, int request, int actor, const char *kind, const char *old_value,
                      const char *new_value, int internal, int64_t t)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO events (request_id, actor_id, kind, old_value, new_value, internal, "
             "created_at) VALUES (%d, %d, '%s', '%s', '%s', %d, %lld);"
             "UPDATE requests SET updated_at = %lld WHERE id = %d",
             request, actor, kind, old_value, new_value, internal, (long long)t, (long long)t,
             request);
    exec(db, sql);
}

static int64_t count(Db *db, const char *sql)
{
    DbStmt *st = db_prepare(db, sql);
    int64_t n = -1;
    assert_int_equal(db_run_int(st, &n), DB_OK);
    return n;
}

static void test_clocks_from_events(void **state)
{
    Db *db = fresh_db();
    int64_t t0 = B(2026, 11, 30, 9, 0);
    add_request(db, 1, t0, "critical");
    /* a customer comment and an internal note do not answer; the agent's public reply does */
    add_event(db, 1, 1, "comment", "", "", 0, t0 + 5 * 60);
    add_event(db, 1, 2, "comment", "", "", 1, t0 + 10 * 60);
    add_event(db, 1, 2, "status", "open", "waiting_customer", 0, t0 + 20 * 60);
    add_event(db, 1, 1, "status", "waiting_customer", "waiting_support", 0, B(2026, 12, 1, 9, 0));
    add_event(db, 1, 2, "comment", "", "", 0, B(2026, 12, 1, 9, 15));
    exec(db, "UPDATE requests SET status = 'waiting_support' WHERE id = 1");
    SlaConfig config;
    assert_int_equal(sla_config_load(db, &arena, &config), DB_OK);
    assert_string_equal(config.time_zone, "Europe/Berlin");
    SlaResult r;
    bool found;
    assert_int_equal(sla_request_state(db, &arena, &config, 1, B(2026, 12, 1, 10, 0), &r, &found,
                                       NULL),
                     DB_OK);
    assert_true(found);
    /* 20 minutes on Monday, paused overnight, 15 minutes on Tuesday */
    assert_int_equal(r.first_response.state, SLA_MET);
    assert_int_equal(r.first_response.done_at, B(2026, 12, 1, 9, 15));
    assert_int_equal(r.first_response.left_seconds, 25 * 60);
    assert_int_equal(r.resolution.state, SLA_RUNNING);
    assert_int_equal(r.resolution.elapsed_seconds, 80 * 60);
    assert_int_equal(r.resolution.due_at, B(2026, 12, 1, 16, 40)); /* 460 min from 09:00 */
    /* a status set without an event (import, SQL) counts from the last update */
    exec(db, "UPDATE requests SET status = 'resolved', updated_at = 1796205600 WHERE id = 1");
    assert_int_equal(sla_request_state(db, &arena, &config, 1, B(2026, 12, 4, 9, 0), &r, &found,
                                       NULL),
                     DB_OK);
    assert_int_equal(r.resolution.done_at, 1796205600);
    /* the stored columns, as the desk refreshes them in its transaction */
    assert_int_equal(sla_request_refresh(db, &arena, NULL, 1, B(2026, 12, 4, 9, 0)), DB_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM requests WHERE id = 1 AND sla_attention_at "
                               "IS NULL AND sla_updated_at = updated_at "
                               "AND sla_resolution_due_at = 1796139600"),
                     1);
    /* unknown request */
    assert_int_equal(sla_request_state(db, &arena, &config, 99, t0, &r, &found, NULL), DB_OK);
    assert_false(found);
    assert_int_equal(r.first_response.state, SLA_NONE);
    /* words for the desk */
    SlaClock c = {.state = SLA_RUNNING, .left_seconds = 2 * 3600 + 15 * 60};
    assert_string_equal(sla_clock_text(&arena, "de", &c), "noch 2 Std. 15 Min.");
    assert_string_equal(sla_clock_text(&arena, "en", &c), "2 h 15 min left");
    c = (SlaClock){.state = SLA_BREACHED, .left_seconds = -45 * 60};
    assert_string_equal(sla_clock_text(&arena, "de", &c), "seit 45 Min. überfällig");
    assert_string_equal(sla_clock_text(&arena, "en", &c), "45 min overdue");
    c.done_at = 1;
    assert_string_equal(sla_clock_text(&arena, "en", &c), "missed by 45 min");
    c = (SlaClock){.state = SLA_PAUSED, .left_seconds = 3600};
    assert_string_equal(sla_clock_text(&arena, "de", &c), "pausiert, noch 1 Std.");
    assert_string_equal(sla_time_text(&arena, "de", &config, B(2026, 7, 1, 14, 5)),
                        "01.07.2026, 14:05");
    assert_string_equal(sla_time_text(&arena, "en", &config, B(2026, 7, 1, 14, 5)),
                        "2026-07-01 14:05");
    db_close(db);
}

static void test_many_requests_at_once(void **state)
{
    Db *db = fresh_db();
    enum { N = 50 };
    int64_t t0 = B(2026, 11, 2, 9, 0);
    exec(db, "BEGIN");
    for (int i = 1; i <= N; i++) {
        add_request(db, i, t0 + i * 3600, i % 2 ? "high" : "low");
        for (int k = 0; k < 10; k++) /* a busy history: 10 status changes each */
            add_event(db, i, 2, "status", k % 2 ? "waiting_customer" : "in_progress",
                      k % 2 ? "in_progress" : "waiting_customer", 0, t0 + i * 3600 + k * 7200);
    }
    exec(db, "COMMIT");
    int64_t ids[N + 1];
    for (int i = 0; i < N; i++)
        ids[i] = i + 1;
    ids[N] = 4242; /* unknown */
    SlaResult out[N + 1];
    double start = clock_mono_ms();
    SlaConfig config;
    assert_int_equal(sla_config_load(db, &arena, &config), DB_OK);
    assert_int_equal(sla_states_for_requests(db, &arena, &config, ids, N + 1,
                                             B(2027, 3, 1, 12, 0), out),
                     DB_OK);
    double ms = clock_mono_ms() - start;
    print_message("sla: config + 50 requests with 10 status changes each, 4 months open: "
                  "%.2f ms\n",
                  ms);
    assert_true(ms < 500);
    for (int i = 0; i < N; i++) {
        SlaResult one;
        bool found;
        assert_int_equal(sla_request_state(db, &arena, &config, ids[i], B(2027, 3, 1, 12, 0),
                                           &one, &found, NULL),
                         DB_OK);
        assert_memory_equal(&one, &out[i], sizeof one);
    }
    assert_int_equal(out[N].resolution.state, SLA_NONE);
    db_close(db);
}

static void test_settings_limits(void **state)
{
    SlaSettingsForm f = {0};
    SlaSettingsRow row;
    SlaFormErrors e;
    f.time_zone = "Europe/Berlin";
    for (int d = 1; d <= 7; d++)
        f.open[d] = f.close[d] = "";
    f.open[1] = "00:00";
    f.close[1] = "24:00";
    for (int p = 0; p < SLA_PRIORITY_COUNT; p++) {
        f.first_response[p] = "0:01";
        f.resolution[p] = "2000";
    }
    f.holidays = "2026-12-24\n  24.12.2027   Heiligabend  \n\n";
    assert_true(sla_settings_parse(&arena, &f, &row, &e));
    assert_int_equal(row.open_minute[1], 0);
    assert_int_equal(row.close_minute[1], 1440);
    assert_int_equal(row.targets[SLA_PRIORITY_LOW].first_response_minutes, 1);
    assert_int_equal(row.targets[SLA_PRIORITY_LOW].resolution_minutes, 120000);
    assert_int_equal(row.holiday_count, 2);
    assert_string_equal(row.holidays[1].day, "2027-12-24");
    assert_string_equal(row.holidays[1].name, "Heiligabend");
    static const struct {
        const char *open, *close, *target, *holidays, *field;
    } bad[] = {
        {"24:01", "24:00", "1", "", "open_1"},     {"8", "17:00", "1", "", "open_1"},
        {"08:00", "08:00", "1", "", "close_1"},    {"08:00", "17:60", "1", "", "close_1"},
        {"08:00", "17:00", "0", "", "first_response_low"},
        {"08:00", "17:00", "2000:01", "", "first_response_low"},
        {"08:00", "17:00", "1:5", "", "first_response_low"},
        {"08:00", "17:00", "-1", "", "first_response_low"},
        {"08:00", "17:00", "1", "2026-13-01", "holidays"},
        {"08:00", "17:00", "1", "1969-12-31 before 1970", "holidays"},
        {"08:00", "17:00", "1", "31.04.2026", "holidays"},
        {"08:00", "17:00", "1",
         "2026-12-24 Ein Name der deutlich länger ist als einhundert Zeichen, weil er immer "
         "weiter und weiter und weiter geht und nicht aufhört",
         "holidays"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SlaSettingsForm g = f;
        g.open[1] = bad[i].open;
        g.close[1] = bad[i].close;
        g.first_response[SLA_PRIORITY_LOW] = bad[i].target;
        g.holidays = bad[i].holidays;
        if (sla_settings_parse(&arena, &g, &row, &e))
            fail_msg("case %zu was accepted", i);
        assert_int_equal(e.count, 1);
        assert_string_equal(e.items[0].field, bad[i].field);
    }
    /* more problems than the list holds: counted up to the limit, never beyond */
    SlaSettingsForm g = f;
    Buf lines;
    buf_init(&lines, &arena);
    for (int i = 0; i < 40; i++)
        buf_puts(&lines, "nonsense\n");
    g.holidays = buf_cstr(&lines);
    assert_false(sla_settings_parse(&arena, &g, &row, &e));
    assert_int_equal(e.count, SLA_FORM_MAX_ERRORS);
}

/* ---- two instances remind at the same moment ---- */

typedef struct PassRun {
    int64_t now;
    DbResult result;
    SlaPassStats stats;
} PassRun;

static void *run_pass(void *arg)
{
    PassRun *run = arg;
    Db *db = db_open(db_path);
    run->result = sla_pass_run(db, run->now, &run->stats);
    db_close(db);
    return NULL;
}

static void test_two_instances_remind_once(void **state)
{
    Db *db = fresh_db();
    int64_t t0 = B(2026, 11, 30, 9, 0);
    for (int i = 1; i <= 20; i++)
        add_request(db, i, t0, "critical");
    exec(db, "UPDATE requests SET assignee_id = 3 WHERE id = 20");
    /* 09:50: every first response is at risk */
    for (int round = 0; round < 3; round++) {
        PassRun runs[2] = {{t0 + 50 * 60}, {t0 + 50 * 60}};
        pthread_t threads[2];
        for (int i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&threads[i], NULL, run_pass, &runs[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(threads[i], NULL);
        for (int i = 0; i < 2; i++)
            assert_true(runs[i].result == DB_OK || runs[i].result == DB_BUSY);
    }
    /* 19 unassigned requests x 2 enabled staff + 1 assigned x 1 */
    assert_int_equal(count(db, "SELECT count(*) FROM outbox"), 19 * 2 + 1);
    assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE recipient = 'otto@example.com'"),
                     0);
    assert_int_equal(count(db, "SELECT count(*) FROM sla_reminders"), 20);
    assert_int_equal(count(db, "SELECT count(*) FROM outbox WHERE subject LIKE '%First response "
                               "due in 10 min'"),
                     19 + 1);
    /* the queue condition */
    assert_int_equal(count(db, "SELECT count(*) FROM requests WHERE sla_attention_at <= "
                               "1796028600"),
                     20); /* 09:50 Berlin */
    /* a settings change marks every request for recomputation */
    SlaSettingsRow s;
    assert_int_equal(store_sla_settings_load(db, &arena, &s), DB_OK);
    exec(db, "BEGIN");
    assert_int_equal(store_sla_settings_save(db, &s), DB_OK);
    exec(db, "COMMIT");
    assert_int_equal(count(db, "SELECT count(*) FROM requests WHERE sla_updated_at = -1"), 20);
    SlaPassStats stats;
    assert_int_equal(sla_pass_run(db, t0 + 51 * 60, &stats), DB_OK);
    assert_int_equal(stats.refreshed, 20);
    assert_int_equal(stats.mails, 0);
    db_close(db);
}

/* Migration 019: a clock's warn time goes once its reminder is claimed - also when the
 * columns are computed again - so the pass reads only requests with a reminder to come; the
 * other clock keeps its warn time and is reminded when it comes. */
static void test_reminded_clock_leaves_the_candidates(void **state)
{
    Db *db = fresh_db();
    int64_t t0 = B(2026, 11, 30, 9, 0);
    add_request(db, 1, t0, "critical");
    SlaPassStats stats;
    assert_int_equal(sla_pass_run(db, t0 + 50 * 60, &stats), DB_OK); /* first response at risk */
    assert_int_equal(stats.reminders, 1);
    const char *first_gone = "SELECT count(*) FROM requests WHERE sla_first_response_warn_at "
                             "IS NULL AND sla_resolution_warn_at IS NOT NULL";
    assert_int_equal(count(db, first_gone), 1);
    int64_t *ids;
    int n;
    assert_int_equal(store_sla_reminder_candidates(db, &arena, t0 + 55 * 60, 100, &ids, &n), DB_OK);
    assert_int_equal(n, 0);
    exec(db, "UPDATE requests SET sla_updated_at = -1");             /* stale: computed again */
    assert_int_equal(sla_pass_run(db, t0 + 70 * 60, &stats), DB_OK); /* and overdue by now */
    assert_int_equal(stats.refreshed, 1);
    assert_int_equal(stats.mails, 0);
    assert_int_equal(count(db, first_gone), 1);
    int64_t warn = count(db, "SELECT sla_resolution_warn_at FROM requests");
    assert_true(warn > t0 + 70 * 60);
    assert_int_equal(store_sla_reminder_candidates(db, &arena, warn - 1, 100, &ids, &n), DB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_sla_reminder_candidates(db, &arena, warn, 100, &ids, &n), DB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sla_pass_run(db, warn, &stats), DB_OK);
    assert_int_equal(stats.reminders, 1);
    assert_int_equal(stats.mails, 2); /* unassigned: both enabled staff */
    assert_int_equal(count(db, "SELECT count(*) FROM requests WHERE sla_first_response_warn_at "
                               "IS NULL AND sla_resolution_warn_at IS NULL"),
                     1);
    assert_int_equal(store_sla_reminder_candidates(db, &arena, warn + 86400, 100, &ids, &n), DB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(count(db, "SELECT count(*) FROM sla_reminders"), 2);
    db_close(db);
}

static int group_setup(void **state)
{
    snprintf(temp_root, sizeof temp_root, "/tmp/pforte-test-sla-XXXXXX");
    if (!mkdtemp(temp_root))
        return -1;
    cfg.mail_from = (char *)"Supportportal <support@example.com>";
    cfg.portal_name = (char *)"Supportportal";
    cfg.key_prefix = (char *)"SUP";
    cfg.listen = (char *)"127.0.0.1:8080";
    log_set_level("warn");
    arena_init(&arena, 1 << 16);
    berlin = tz_load(&arena, "Europe/Berlin");
    return berlin ? 0 : -1;
}

static int group_teardown(void **state)
{
    arena_free(&arena);
    nftw(temp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clocks_from_events),
        cmocka_unit_test(test_many_requests_at_once),
        cmocka_unit_test(test_settings_limits),
        cmocka_unit_test(test_two_instances_remind_once),
        cmocka_unit_test(test_reminded_clock_leaves_the_candidates),
    };
    return cmocka_run_group_tests_name("sla_service", tests, group_setup, group_teardown);
}
