/* test_sla: the time-zone reader (TZif files and POSIX rules, checked against known offsets of
 * Europe/Berlin, America/New_York and Australia/Sydney) and the SLA arithmetic - business time
 * across weekends, holidays, DST changes and starts outside the working hours, due times, and
 * the two clocks of a request with the waiting-for-customer pause. Table-driven; instants are
 * written as Berlin wall-clock times so the tables read like a calendar. */
#include "core/arena.h"
#include "core/tz.h"
#include "domain/sla.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static Arena arena;
static const TimeZone *berlin;

/* Unix time of a wall-clock time in tz. */
static int64_t wall(const TimeZone *tz, int y, int mo, int d, int h, int mi)
{
    return tz_local_to_utc(tz, tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60);
}

static int64_t B(int y, int mo, int d, int h, int mi)
{
    return wall(berlin, y, mo, d, h, mi);
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/* Christmas 2026 and New Year 2027 as holidays; Mo-Fr 08:00-17:00 in Berlin. */
static int64_t holidays[4];
static SlaCalendar calendar(void)
{
    SlaCalendar cal = {0};
    sla_calendar_default_hours(&cal);
    cal.tz = berlin;
    holidays[0] = tz_days_from_civil(2026, 12, 24);
    holidays[1] = tz_days_from_civil(2026, 12, 25);
    holidays[2] = tz_days_from_civil(2026, 12, 26);
    holidays[3] = tz_days_from_civil(2027, 1, 1);
    cal.holidays = holidays;
    cal.holiday_count = 4;
    return cal;
}

/* ---- tz ---- */

static void test_civil_dates(void **state)
{
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
    int64_t y;
    int m, d;
    tz_civil_from_days(tz_days_from_civil(2028, 2, 29), &y, &m, &d);
    assert_true(y == 2028 && m == 2 && d == 29);
    tz_civil_from_days(-1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    assert_int_equal(tz_iso_weekday(tz_days_from_civil(2026, 11, 30)), 1); /* Monday */
    assert_int_equal(tz_iso_weekday(tz_days_from_civil(2026, 11, 29)), 7); /* Sunday */
    assert_int_equal(tz_iso_weekday(tz_days_from_civil(1969, 12, 31)), 3); /* Wednesday */
    assert_true(tz_date_is_valid(2028, 2, 29));
    assert_false(tz_date_is_valid(2026, 2, 29));
    assert_false(tz_date_is_valid(2100, 2, 29));
    assert_true(tz_date_is_valid(2000, 2, 29));
    assert_false(tz_date_is_valid(2026, 4, 31));
    assert_false(tz_date_is_valid(2026, 13, 1));
    assert_false(tz_date_is_valid(0, 1, 1));
    assert_int_equal(tz_floor_div(-1, 86400), -1);
    assert_int_equal(tz_floor_div(86399, 86400), 0);
}

static void test_zone_names(void **state)
{
    static const struct {
        const char *name;
        bool valid;
    } cases[] = {
        {"Europe/Berlin", true},   {"UTC", true},           {"America/Argentina/Salta", true},
        {"Etc/GMT+1", true},       {"", false},             {"/etc/passwd", false},
        {"../etc/passwd", false},  {"Europe/../UTC", false}, {"Europe//Berlin", false},
        {"Europe/Berlin/", false}, {".hidden", false},      {"Europe/Ber lin", false},
        {"Europe\\Berlin", false}, {"Europe/Berlin\n", false},
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false}, /* 65 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(tz_name_is_valid(cases[i].name), cases[i].valid);
    assert_null(tz_name_is_valid(NULL) ? "valid" : NULL);
    assert_null(tz_load(&arena, "Europe/Nowhere"));
    assert_null(tz_load(&arena, "Europe"));     /* a directory */
    assert_null(tz_load(&arena, "../../etc/passwd"));
    assert_null(tz_load(&arena, "zone.tab")); /* exists, but is no TZif file */
    assert_string_equal(tz_name(berlin), "Europe/Berlin");
}

static void test_offsets(void **state)
{
    const TimeZone *ny = tz_load(&arena, "America/New_York");
    const TimeZone *sydney = tz_load(&arena, "Australia/Sydney");
    const TimeZone *utc_zone = tz_load(&arena, "UTC");
    assert_non_null(ny);
    assert_non_null(sydney);
    assert_non_null(utc_zone);
    static const struct {
        int zone; /* 0 Berlin, 1 New York, 2 Sydney, 3 UTC */
        int64_t y, m, d, h, mi; /* UTC */
        int32_t offset;
    } cases[] = {
        {0, 2026, 1, 15, 12, 0, 3600},
        {0, 2026, 7, 1, 12, 0, 7200},
        {0, 2026, 3, 29, 0, 59, 3600}, /* spring forward at 01:00 UTC */
        {0, 2026, 3, 29, 1, 0, 7200},
        {0, 2026, 10, 25, 0, 59, 7200}, /* fall back at 01:00 UTC */
        {0, 2026, 10, 25, 1, 0, 3600},
        {0, 2090, 7, 1, 0, 0, 7200}, /* far beyond the listed transitions: the footer rule */
        {0, 2090, 12, 1, 0, 0, 3600},
        {0, 1979, 7, 1, 0, 0, 3600}, /* no DST in West Germany before 1980 */
        {0, 1980, 7, 1, 0, 0, 7200},
        {0, 1945, 6, 1, 0, 0, 10800}, /* Berlin's double summer time */
        {0, 1800, 1, 1, 0, 0, 3208}, /* local mean time before 1893 */
        {1, 2026, 3, 8, 6, 59, -18000},
        {1, 2026, 3, 8, 7, 0, -14400},
        {1, 2026, 11, 1, 5, 59, -14400},
        {1, 2026, 11, 1, 6, 0, -18000},
        {2, 2026, 1, 15, 0, 0, 39600}, /* southern summer */
        {2, 2026, 7, 15, 0, 0, 36000},
        {2, 2095, 1, 15, 0, 0, 39600},
        {3, 2026, 7, 1, 0, 0, 0},
    };
    const TimeZone *zones[] = {berlin, ny, sydney, utc_zone};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = utc((int)cases[i].y, (int)cases[i].m, (int)cases[i].d, (int)cases[i].h,
                        (int)cases[i].mi);
        int32_t got = tz_offset_at(zones[cases[i].zone], t);
        if (got != cases[i].offset)
            fail_msg("case %zu: offset %d, expected %d", i, got, cases[i].offset);
    }
}

static void test_rules_agree_with_files(void **state)
{
    static const struct {
        const char *zone, *rule;
    } cases[] = {
        {"Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"},
        {"America/New_York", "EST5EDT,M3.2.0,M11.1.0"},
        {"Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3"},
        {"Asia/Kathmandu", "<+0545>-5:45"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const TimeZone *file = tz_load(&arena, cases[i].zone);
        const TimeZone *rule = tz_from_rule(&arena, cases[i].rule);
        assert_non_null(file);
        assert_non_null(rule);
        /* every 7 hours for 2020-2030, transitions included */
        for (int64_t t = utc(2020, 1, 1, 0, 0); t < utc(2030, 1, 1, 0, 0); t += 7 * 3600)
            if (tz_offset_at(file, t) != tz_offset_at(rule, t))
                fail_msg("%s differs at %lld", cases[i].zone, (long long)t);
    }
    static const char *const bad[] = {
        "", "C", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0", "CET-99", "CET-1CEST,J0,J100", "CET-1CEST,M3.5.0,M10.5.0/x",
        "CET-1CEST,M3.5.0,M10.5.0,extra", "<+05>", "<ab>-5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tz_from_rule(&arena, bad[i]))
            fail_msg("rule \"%s\" was accepted", bad[i]);
    const TimeZone *julian = tz_from_rule(&arena, "XXX0YYY,J60/0,J300/0"); /* Mar 1 .. Oct 27 */
    assert_int_equal(tz_offset_at(julian, utc(2028, 2, 29, 12, 0)), 0);
    assert_int_equal(tz_offset_at(julian, utc(2028, 3, 1, 0, 30)), 3600);
}

static void test_malformed_files(void **state)
{
    FILE *f = fopen(TZ_ZONEINFO_DIR "/Europe/Berlin", "rb");
    assert_non_null(f);
    static unsigned char data[8192];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    assert_non_null(tz_parse(&arena, "x", data, n));
    /* every truncation is refused, never read past */
    for (size_t cut = 0; cut < n; cut += 7)
        if (tz_parse(&arena, "x", data, cut))
            fail_msg("a file cut at %zu bytes was accepted", cut);
    static unsigned char copy[8192];
    memcpy(copy, data, n);
    copy[0] = 'X';
    assert_null(tz_parse(&arena, "x", copy, n));
    memcpy(copy, data, n);
    copy[36] = 0x7f; /* typecnt in the first header: far more types than bytes */
    assert_null(tz_parse(&arena, "x", copy, n));
}

static void test_local_to_utc(void **state)
{
    static const struct {
        int y, m, d, h, mi;     /* Berlin wall clock */
        int uy, um, ud, uh, umi; /* expected UTC */
    } cases[] = {
        {2026, 11, 30, 8, 0, 2026, 11, 30, 7, 0},
        {2026, 7, 1, 8, 0, 2026, 7, 1, 6, 0},
        {2026, 3, 29, 1, 59, 2026, 3, 29, 0, 59},
        {2026, 3, 29, 2, 30, 2026, 3, 29, 1, 30}, /* in the gap: 03:30 summer time */
        {2026, 3, 29, 3, 0, 2026, 3, 29, 1, 0},
        {2026, 10, 25, 2, 30, 2026, 10, 25, 1, 30}, /* twice: the later (winter) one */
        {2026, 10, 25, 3, 0, 2026, 10, 25, 2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = B(cases[i].y, cases[i].m, cases[i].d, cases[i].h, cases[i].mi);
        int64_t want = utc(cases[i].uy, cases[i].um, cases[i].ud, cases[i].uh, cases[i].umi);
        if (got != want)
            fail_msg("case %zu: %lld, expected %lld", i, (long long)got, (long long)want);
    }
}

/* ---- business time ---- */

typedef struct Span {
    int64_t from[5], to[5]; /* Berlin wall clock: y, m, d, h, mi */
    int64_t minutes;
    const char *what;
} Span;

#define W(y, m, d, h, mi) {y, m, d, h, mi}

static int64_t at(const int64_t w[5])
{
    return B((int)w[0], (int)w[1], (int)w[2], (int)w[3], (int)w[4]);
}

static void test_business_seconds(void **state)
{
    static const Span cases[] = {
        {W(2026, 11, 30, 9, 0), W(2026, 11, 30, 10, 30), 90, "within one day"},
        {W(2026, 11, 27, 16, 0), W(2026, 11, 30, 9, 0), 120, "over a weekend"},
        {W(2026, 11, 30, 7, 0), W(2026, 11, 30, 8, 30), 30, "starting before opening"},
        {W(2026, 11, 30, 18, 0), W(2026, 12, 1, 8, 15), 15, "starting after closing"},
        {W(2026, 11, 28, 10, 0), W(2026, 11, 29, 20, 0), 0, "only a weekend"},
        {W(2026, 11, 30, 0, 0), W(2026, 12, 7, 0, 0), 45 * 60, "a whole week"},
        {W(2026, 12, 23, 16, 0), W(2026, 12, 28, 9, 0), 120, "over Christmas"},
        {W(2026, 12, 31, 16, 0), W(2027, 1, 4, 8, 30), 90, "over New Year"},
        {W(2026, 3, 27, 16, 0), W(2026, 3, 30, 10, 0), 180, "over the spring DST change"},
        {W(2026, 10, 23, 16, 0), W(2026, 10, 26, 10, 0), 180, "over the autumn DST change"},
        {W(2026, 3, 30, 9, 30), W(2026, 3, 30, 17, 30), 450, "first summer-time Monday"},
        {W(2026, 11, 30, 10, 0), W(2026, 11, 30, 9, 0), 0, "end before start"},
        {W(2026, 11, 30, 17, 0), W(2026, 12, 1, 8, 0), 0, "closed hours only"},
    };
    SlaCalendar cal = calendar();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = sla_business_seconds(&cal, at(cases[i].from), at(cases[i].to));
        if (got != cases[i].minutes * 60)
            fail_msg("%s: %lld s, expected %lld min", cases[i].what, (long long)got,
                     (long long)cases[i].minutes);
    }
    /* the summer Monday in UTC: 07:30 UTC is 09:30 local (a fixed +1 h would say 08:30) */
    assert_int_equal(sla_business_seconds(&cal, utc(2026, 3, 30, 7, 30), utc(2026, 3, 30, 15, 30)),
                     450 * 60);
}

static void test_add_business(void **state)
{
    static const struct {
        int64_t start[5];
        int64_t minutes;
        int64_t due[5];
        const char *what;
    } cases[] = {
        {W(2026, 11, 30, 9, 0), 60, W(2026, 11, 30, 10, 0), "same day"},
        {W(2026, 11, 30, 16, 30), 60, W(2026, 12, 1, 8, 30), "into the next morning"},
        {W(2026, 11, 27, 16, 0), 120, W(2026, 11, 30, 9, 0), "over a weekend"},
        {W(2026, 11, 28, 12, 0), 30, W(2026, 11, 30, 8, 30), "started on a Saturday"},
        {W(2026, 11, 30, 7, 0), 540, W(2026, 11, 30, 17, 0), "exactly to closing"},
        {W(2026, 11, 30, 20, 0), 1, W(2026, 12, 1, 8, 1), "started in the evening"},
        {W(2026, 12, 23, 16, 0), 120, W(2026, 12, 28, 9, 0), "over Christmas"},
        {W(2026, 3, 27, 16, 30), 60, W(2026, 3, 30, 8, 30), "over the spring DST change"},
        {W(2026, 10, 23, 16, 30), 60, W(2026, 10, 26, 8, 30), "over the autumn DST change"},
        {W(2026, 11, 30, 9, 0), 45 * 60, W(2026, 12, 7, 9, 0), "five business days"},
        {W(2026, 11, 30, 11, 11), 0, W(2026, 11, 30, 11, 11), "nothing to add"},
    };
    SlaCalendar cal = calendar();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t start = at(cases[i].start);
        int64_t got = sla_add_business_seconds(&cal, start, cases[i].minutes * 60);
        if (got != at(cases[i].due))
            fail_msg("%s: %lld, expected %lld", cases[i].what, (long long)got,
                     (long long)at(cases[i].due));
        /* the two functions agree */
        assert_int_equal(sla_business_seconds(&cal, start, got), cases[i].minutes * 60);
    }
    assert_int_equal(sla_add_business_seconds(&cal, B(2026, 3, 27, 16, 30), 3600),
                     utc(2026, 3, 30, 6, 30));
    /* a calendar without working days never reaches a target */
    SlaCalendar closed = cal;
    for (int d = 0; d < 8; d++)
        closed.open_minute[d] = closed.close_minute[d] = 0;
    assert_int_equal(sla_add_business_seconds(&closed, B(2026, 11, 30, 9, 0), 60), 0);
    assert_int_equal(sla_business_seconds(&closed, B(2026, 11, 30, 9, 0), B(2026, 12, 30, 9, 0)),
                     0);
    /* round the clock, seven days a week */
    SlaCalendar always = cal;
    always.holiday_count = 0;
    for (int d = 1; d <= 7; d++) {
        always.open_minute[d] = 0;
        always.close_minute[d] = 1440;
    }
    assert_int_equal(sla_business_seconds(&always, B(2026, 10, 24, 12, 0), B(2026, 10, 25, 12, 0)),
                     25 * 3600); /* the autumn Sunday has 25 hours */
    assert_int_equal(sla_add_business_seconds(&always, utc(2026, 11, 30, 23, 0), 7200),
                     utc(2026, 12, 1, 1, 0));
}

static void test_risk_window(void **state)
{
    assert_int_equal(sla_risk_seconds(60 * 60), 12 * 60);   /* 20 % of 1 h */
    assert_int_equal(sla_risk_seconds(4 * 3600), 48 * 60);  /* 20 % of 4 h */
    assert_int_equal(sla_risk_seconds(90 * 3600), 60 * 60); /* at most one hour */
}

/* ---- the clocks ---- */

typedef struct ClockCase {
    const char *what;
    const char *priority;
    int64_t created[5];
    struct {
        int64_t at[5];
        const char *status;
    } changes[4];
    int change_count;
    int64_t response[5]; /* year 0 = none */
    int64_t now[5];
    /* expected: first response, then resolution */
    SlaState fr_state, res_state;
    int64_t fr_left_minutes, res_left_minutes;
    int64_t fr_due[5]; /* year 0 = unknown (0) */
    bool fr_risk;
    bool attention_now; /* attention_at set and <= now */
} ClockCase;

static void test_clocks(void **state)
{
    static const ClockCase cases[] = {
        {"fresh request", "critical", W(2026, 11, 30, 9, 0), {}, 0, {0}, W(2026, 11, 30, 9, 30),
         SLA_RUNNING, SLA_RUNNING, 30, 450, W(2026, 11, 30, 10, 0), false, false},
        {"close to the first-response target", "critical", W(2026, 11, 30, 9, 0), {}, 0, {0},
         W(2026, 11, 30, 9, 50), SLA_RUNNING, SLA_RUNNING, 10, 430, W(2026, 11, 30, 10, 0), true,
         true},
        {"first response overdue", "critical", W(2026, 11, 30, 9, 0), {}, 0, {0},
         W(2026, 11, 30, 10, 30), SLA_BREACHED, SLA_RUNNING, -30, 390, W(2026, 11, 30, 10, 0),
         false, true},
        {"answered in time", "critical", W(2026, 11, 30, 9, 0), {}, 0, W(2026, 11, 30, 9, 45),
         W(2026, 11, 30, 11, 0), SLA_MET, SLA_RUNNING, 15, 360, W(2026, 11, 30, 10, 0), false,
         false},
        {"answered exactly at the due time", "critical", W(2026, 11, 30, 9, 0), {}, 0,
         W(2026, 11, 30, 10, 0), W(2026, 11, 30, 11, 0), SLA_MET, SLA_RUNNING, 0, 360,
         W(2026, 11, 30, 10, 0), false, false},
        {"answered late", "critical", W(2026, 11, 30, 9, 0), {}, 0, W(2026, 11, 30, 10, 5),
         W(2026, 11, 30, 11, 0), SLA_BREACHED, SLA_RUNNING, -5, 360, W(2026, 11, 30, 10, 0),
         false, false},
        {"created on Friday afternoon", "critical", W(2026, 11, 27, 16, 30), {}, 0, {0},
         W(2026, 11, 30, 8, 20), SLA_RUNNING, SLA_RUNNING, 10, 430, W(2026, 11, 30, 8, 30), true,
         true},
        {"created on Saturday", "high", W(2026, 11, 28, 11, 0), {}, 0, {0}, W(2026, 11, 30, 9, 0),
         SLA_RUNNING, SLA_RUNNING, 180, 1020, W(2026, 11, 30, 12, 0), false, false},
        {"waiting for the customer pauses", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 11, 30, 9, 20), "waiting_customer"}, {W(2026, 12, 1, 9, 0), "waiting_support"}},
         2, {0}, W(2026, 12, 1, 9, 30), SLA_RUNNING, SLA_RUNNING, 10, 430, W(2026, 12, 1, 9, 40),
         true, true},
        {"paused now", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 11, 30, 9, 20), "waiting_customer"}}, 1, {0}, W(2026, 12, 2, 12, 0), SLA_PAUSED,
         SLA_PAUSED, 40, 460, {0}, false, false},
        {"breached before the pause", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 11, 30, 10, 30), "waiting_customer"}}, 1, {0}, W(2026, 12, 2, 12, 0),
         SLA_BREACHED, SLA_PAUSED, -30, 390, W(2026, 11, 30, 10, 0), false, true},
        {"resolved in time", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 11, 30, 9, 10), "in_progress"}, {W(2026, 11, 30, 15, 0), "resolved"}}, 2,
         W(2026, 11, 30, 9, 10), W(2026, 12, 3, 9, 0), SLA_MET, SLA_MET, 50, 120,
         W(2026, 11, 30, 10, 0), false, false},
        {"resolved, then closed", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 11, 30, 15, 0), "resolved"}, {W(2026, 12, 3, 9, 0), "closed"}}, 2,
         W(2026, 11, 30, 9, 10), W(2026, 12, 4, 9, 0), SLA_MET, SLA_MET, 50, 120,
         W(2026, 11, 30, 10, 0), false, false},
        {"reopened counts on", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 11, 30, 15, 0), "resolved"}, {W(2026, 12, 1, 9, 0), "open"}}, 2,
         W(2026, 11, 30, 9, 10), W(2026, 12, 1, 10, 30), SLA_MET, SLA_RUNNING, 50, 30,
         W(2026, 11, 30, 10, 0), false, true},
        {"resolution late", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 12, 1, 9, 0), "resolved"}}, 1, W(2026, 11, 30, 9, 10), W(2026, 12, 2, 9, 0),
         SLA_MET, SLA_BREACHED, 50, -60, W(2026, 11, 30, 10, 0), false, false},
        {"closed without an answer", "critical", W(2026, 11, 30, 9, 0),
         {{W(2026, 11, 30, 9, 30), "closed"}}, 1, {0}, W(2026, 12, 2, 9, 0), SLA_NONE, SLA_MET,
         30, 450, {0}, false, false},
        {"over Christmas", "critical", W(2026, 12, 23, 16, 30), {}, 0, {0}, W(2026, 12, 28, 8, 0),
         SLA_RUNNING, SLA_RUNNING, 30, 450, W(2026, 12, 28, 8, 30), false, false},
        {"unknown priority", "urgent", W(2026, 11, 30, 9, 0), {}, 0, {0}, W(2026, 12, 30, 9, 0),
         SLA_NONE, SLA_NONE, 0, 0, {0}, false, false},
    };
    SlaCalendar cal = calendar();
    SlaTargets targets;
    sla_targets_default(&targets);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ClockCase *c = &cases[i];
        SlaStatusChange changes[4];
        for (int k = 0; k < c->change_count; k++)
            changes[k] = (SlaStatusChange){at(c->changes[k].at), c->changes[k].status};
        SlaHistory h = {at(c->created), "open", changes, c->change_count,
                        c->response[0] ? at(c->response) : 0};
        int64_t now = at(c->now);
        SlaResult r;
        sla_compute(&cal, &targets, c->priority, &h, now, &r);
        if (r.first_response.state != c->fr_state || r.resolution.state != c->res_state)
            fail_msg("%s: states %s/%s, expected %s/%s", c->what,
                     sla_state_key(r.first_response.state), sla_state_key(r.resolution.state),
                     sla_state_key(c->fr_state), sla_state_key(c->res_state));
        if (r.first_response.left_seconds != c->fr_left_minutes * 60 ||
            r.resolution.left_seconds != c->res_left_minutes * 60)
            fail_msg("%s: left %lld/%lld s, expected %lld/%lld min", c->what,
                     (long long)r.first_response.left_seconds, (long long)r.resolution.left_seconds,
                     (long long)c->fr_left_minutes, (long long)c->res_left_minutes);
        int64_t due = c->fr_due[0] ? at(c->fr_due) : 0;
        if (r.first_response.due_at != due)
            fail_msg("%s: due %lld, expected %lld", c->what, (long long)r.first_response.due_at,
                     (long long)due);
        if (r.first_response.at_risk != c->fr_risk)
            fail_msg("%s: at risk %d", c->what, r.first_response.at_risk);
        bool attention = r.attention_at && r.attention_at <= now;
        if (attention != c->attention_now)
            fail_msg("%s: attention %d (at %lld)", c->what, attention, (long long)r.attention_at);
    }
}

static void test_attention_instant(void **state)
{
    /* a fresh critical request: at risk from 09:48 (12 minutes before 10:00) */
    SlaCalendar cal = calendar();
    SlaTargets targets;
    sla_targets_default(&targets);
    SlaHistory h = {B(2026, 11, 30, 9, 0), "open", NULL, 0, 0};
    SlaResult r;
    sla_compute(&cal, &targets, "critical", &h, B(2026, 11, 30, 9, 1), &r);
    assert_int_equal(r.attention_at, B(2026, 11, 30, 9, 48));
    assert_int_equal(r.first_response.warn_at, B(2026, 11, 30, 9, 48));
    assert_int_equal(r.resolution.due_at, B(2026, 11, 30, 17, 0));
    assert_int_equal(r.resolution.warn_at, B(2026, 11, 30, 16, 0));
    /* answered: only the resolution clock is left */
    h.first_response_at = B(2026, 11, 30, 9, 5);
    sla_compute(&cal, &targets, "critical", &h, B(2026, 11, 30, 9, 6), &r);
    assert_int_equal(r.attention_at, B(2026, 11, 30, 16, 0));
    /* waiting for the customer: nothing happens by time alone */
    SlaStatusChange wait = {B(2026, 11, 30, 9, 5), "waiting_customer"};
    h.changes = &wait;
    h.change_count = 1;
    sla_compute(&cal, &targets, "critical", &h, B(2026, 11, 30, 9, 6), &r);
    assert_int_equal(r.attention_at, 0);
    assert_int_equal(r.resolution.due_at, 0);
    assert_int_equal(r.resolution.state, SLA_PAUSED);
    assert_int_equal(sla_priority_index("critical"), SLA_PRIORITY_CRITICAL);
    assert_int_equal(sla_priority_index("CRITICAL"), -1);
    assert_string_equal(sla_priority_key(SLA_PRIORITY_LOW), "low");
    assert_null(sla_priority_key(4));
}

static int group_setup(void **state)
{
    arena_init(&arena, 1 << 16);
    berlin = tz_load(&arena, "Europe/Berlin");
    return berlin ? 0 : -1;
}

static int group_teardown(void **state)
{
    arena_free(&arena);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_dates),
        cmocka_unit_test(test_zone_names),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_rules_agree_with_files),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_business_seconds),
        cmocka_unit_test(test_add_business),
        cmocka_unit_test(test_risk_window),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_attention_instant),
    };
    return cmocka_run_group_tests_name("sla", tests, group_setup, group_teardown);
}
