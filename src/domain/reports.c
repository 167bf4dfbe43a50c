/* reports (domain): ranges in whole UTC days and Monday weeks, medians, and one builder per
 * chart that turns the store's aggregates into rows x series. Adding a chart is one builder
 * here and one line in the desk's chart table (desk/report_routes.c). */
#include "domain/reports.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "store/reports.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

const int REPORT_DAY_PRESETS[3] = {7, 30, 90};

int report_days_from_text(const char *text)
{
    int64_t days;
    if (str_to_int64(text, &days))
        for (size_t i = 0; i < sizeof REPORT_DAY_PRESETS / sizeof REPORT_DAY_PRESETS[0]; i++)
            if (days == REPORT_DAY_PRESETS[i])
                return REPORT_DAY_PRESETS[i];
    return REPORT_DEFAULT_DAYS;
}

int64_t report_day_start(int64_t t)
{
    int64_t day = t / REPORT_DAY;
    if (t % REPORT_DAY < 0)
        day--; /* before 1970: floor, not truncation */
    return day * REPORT_DAY;
}

int64_t report_week_start(int64_t t)
{
    int64_t day = report_day_start(t) / REPORT_DAY;
    int64_t since_monday = ((day + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
    return (day - since_monday) * REPORT_DAY;
}

void report_range_for(int64_t now, int days, ReportRange *out)
{
    /* Days and weeks in UTC: the portal has no time-zone setting yet. With one, this is the
     * only function to change - day_starts become the zone's local midnights (23/25 hours
     * apart at DST changes), day_dates stay the calendar dates, bucket becomes 900 (every
     * offset in use is a multiple of 15 minutes); everything downstream follows these. */
    if (days < 1)
        days = 1;
    if (days > REPORT_MAX_DAYS)
        days = REPORT_MAX_DAYS;
    out->days = days;
    out->now = now;
    out->zone = "UTC";
    out->bucket = REPORT_DAY; /* one bucket a day: the fewest groups for SQL to build */
    int64_t today = report_day_start(now);
    for (int i = 0; i <= days; i++)
        out->day_starts[i] = today - (int64_t)(days - 1 - i) * REPORT_DAY;
    for (int i = 0; i < days; i++)
        out->day_dates[i] = out->day_starts[i];
    out->weeks = (days + 6) / 7 > REPORT_MIN_WEEKS ? (days + 6) / 7 : REPORT_MIN_WEEKS;
    int64_t this_week = report_week_start(now);
    for (int i = 0; i <= out->weeks; i++)
        out->week_starts[i] = this_week - (int64_t)(out->weeks - 1 - i) * 7 * REPORT_DAY;
    for (int i = 0; i < out->weeks; i++)
        out->week_dates[i] = out->week_starts[i];
}

/* The index of the period (day or week) t falls in, or -1 before the first / after the end. */
static int period_of(const int64_t *starts, int count, int64_t t)
{
    if (t < starts[0] || t >= starts[count])
        return -1;
    int lo = 0, hi = count - 1; /* starts[lo] <= t < starts[hi + 1] */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (starts[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

double report_median(int64_t *values, int n)
{
    if (n <= 0)
        return NAN;
    qsort(values, (size_t)n, sizeof *values, compare_int64);
    if (n % 2)
        return (double)values[n / 2];
    return ((double)values[n / 2 - 1] + (double)values[n / 2]) / 2;
}

static double *new_values(Arena *a, int rows)
{
    double *v = arena_alloc(a, sizeof *v * (size_t)(rows ? rows : 1));
    for (int i = 0; i < rows; i++)
        v[i] = 0;
    return v;
}

static void add_series(Arena *a, ReportData *out, const char *name, ReportUnit unit, bool plotted)
{
    ReportSeries *s = &out->series[out->series_count++];
    s->name = name;
    s->unit = unit;
    s->plotted = plotted;
    s->values = new_values(a, out->rows);
}

static void time_rows(Arena *a, ReportData *out, ReportRowKind kind, int rows,
                      const int64_t *dates)
{
    memset(out, 0, sizeof *out);
    out->row_kind = kind;
    out->row_name = kind == REPORT_ROWS_DAYS ? N_("Day") : N_("Week");
    out->rows = rows;
    out->row_times = arena_alloc(a, sizeof *out->row_times * (size_t)rows);
    memcpy(out->row_times, dates, sizeof *out->row_times * (size_t)rows);
}

/* Adds the store's per-bucket counts into the range's days. */
static void add_to_days(const ReportRange *range, const ReportBucket *buckets, int count,
                        double *days)
{
    for (int i = 0; i < count; i++) {
        int d = period_of(range->day_starts, range->days, buckets[i].start);
        if (d >= 0)
            days[d] += (double)buckets[i].count;
    }
}

RequestResult report_created_resolved(Db *db, Arena *a, const ReportRange *range,
                                      const char *lang, ReportData *out)
{
    time_rows(a, out, REPORT_ROWS_DAYS, range->days, range->day_dates);
    add_series(a, out, N_("Created"), REPORT_UNIT_COUNT, true);
    add_series(a, out, N_("Resolved"), REPORT_UNIT_COUNT, true);
    int64_t from = range->day_starts[0], to = range->day_starts[range->days];
    ReportBucket *created, *resolved;
    int created_count, resolved_count;
    DbResult r = store_report_created_buckets(db, a, from, to, range->bucket, &created,
                                              &created_count);
    if (r == DB_OK)
        r = store_report_resolved_buckets(db, a, from, to, range->bucket, &resolved,
                                          &resolved_count);
    if (r != DB_OK)
        return request_db_failure(r);
    add_to_days(range, created, created_count, out->series[0].values);
    add_to_days(range, resolved, resolved_count, out->series[1].values);
    out->empty = created_count == 0 && resolved_count == 0;
    return REQUEST_OK;
}

RequestResult report_open_backlog(Db *db, Arena *a, const ReportRange *range, const char *lang,
                                  ReportData *out)
{
    static const char *const OPEN[] = {REQUEST_STATUS_OPEN, REQUEST_STATUS_IN_PROGRESS,
                                       REQUEST_STATUS_WAITING_SUPPORT,
                                       REQUEST_STATUS_WAITING_CUSTOMER};
    int rows = (int)(sizeof OPEN / sizeof OPEN[0]);
    memset(out, 0, sizeof *out);
    out->row_kind = REPORT_ROWS_TRANSLATED;
    out->row_name = N_("Status");
    out->rows = rows;
    out->row_keys = arena_alloc(a, sizeof *out->row_keys * (size_t)rows);
    out->row_labels = arena_alloc(a, sizeof *out->row_labels * (size_t)rows);
    add_series(a, out, N_("Requests"), REPORT_UNIT_COUNT, true);
    ReportStatusCount *counts;
    int count;
    DbResult r = store_report_open_by_status(db, a, &counts, &count);
    if (r != DB_OK)
        return request_db_failure(r);
    out->empty = true;
    for (int i = 0; i < rows; i++) {
        out->row_keys[i] = OPEN[i];
        out->row_labels[i] = request_status_msgid(OPEN[i]);
        for (int k = 0; k < count; k++)
            if (str_eq(counts[k].status, OPEN[i]) && counts[k].count > 0) {
                out->series[0].values[i] = (double)counts[k].count;
                out->empty = false;
            }
    }
    return REQUEST_OK;
}

RequestResult report_sla_compliance(Db *db, Arena *a, const ReportRange *range,
                                    const char *lang, ReportData *out)
{
    static const char *const PRIORITIES[] = {"critical", "high", "medium", "low"};
    static const char *const NAMES[] = {N_("Critical"), N_("High"), N_("Medium"), N_("Low")};
    int rows = 4;
    memset(out, 0, sizeof *out);
    out->row_kind = REPORT_ROWS_TRANSLATED;
    out->row_name = N_("Priority");
    out->rows = rows;
    out->row_keys = arena_alloc(a, sizeof *out->row_keys * (size_t)rows);
    out->row_labels = arena_alloc(a, sizeof *out->row_labels * (size_t)rows);
    add_series(a, out, N_("First response in time"), REPORT_UNIT_PERCENT, true);
    add_series(a, out, N_("Resolution in time"), REPORT_UNIT_PERCENT, true);
    add_series(a, out, N_("First responses"), REPORT_UNIT_COUNT, false);
    add_series(a, out, N_("Resolutions"), REPORT_UNIT_COUNT, false);
    ReportSlaOutcome *outcomes;
    int count;
    DbResult r = store_report_sla_outcomes(db, a, range->day_starts[0],
                                           range->day_starts[range->days], &outcomes, &count);
    if (r != DB_OK)
        return request_db_failure(r);
    out->empty = true;
    for (int i = 0; i < rows; i++) {
        out->row_keys[i] = PRIORITIES[i];
        out->row_labels[i] = NAMES[i];
        out->series[0].values[i] = NAN; /* no target decided: no bar, "-" in the table */
        out->series[1].values[i] = NAN;
        for (int k = 0; k < count; k++) {
            const ReportSlaOutcome *o = &outcomes[k];
            if (!str_eq(o->priority, PRIORITIES[i]))
                continue;
            if (o->response_decided > 0)
                out->series[0].values[i] = 100.0 * (double)o->response_met /
                                           (double)o->response_decided;
            if (o->resolution_decided > 0)
                out->series[1].values[i] = 100.0 * (double)o->resolution_met /
                                           (double)o->resolution_decided;
            out->series[2].values[i] = (double)o->response_decided;
            out->series[3].values[i] = (double)o->resolution_decided;
            if (o->response_decided > 0 || o->resolution_decided > 0)
                out->empty = false;
        }
    }
    return REQUEST_OK;
}

/* Median hours and count per week of the durations' times. */
static void weekly_medians(Arena *a, const ReportRange *range, const ReportDuration *durations,
                           int count, ReportData *out)
{
    time_rows(a, out, REPORT_ROWS_WEEKS, range->weeks, range->week_dates);
    add_series(a, out, N_("Median (hours)"), REPORT_UNIT_HOURS, true);
    add_series(a, out, N_("Requests"), REPORT_UNIT_COUNT, false);
    /* the durations grouped by week (a counting sort), then each week's median */
    int *week_of = arena_alloc(a, sizeof *week_of * (size_t)(count ? count : 1));
    int first[REPORT_MAX_WEEKS + 1] = {0};
    for (int i = 0; i < count; i++) {
        week_of[i] = period_of(range->week_starts, range->weeks, durations[i].at);
        if (week_of[i] >= 0)
            first[week_of[i] + 1]++;
    }
    for (int w = 0; w < range->weeks; w++)
        first[w + 1] += first[w];
    int64_t *seconds = arena_alloc(a, sizeof *seconds * (size_t)(count ? count : 1));
    int fill[REPORT_MAX_WEEKS];
    memcpy(fill, first, sizeof fill);
    for (int i = 0; i < count; i++)
        if (week_of[i] >= 0)
            seconds[fill[week_of[i]]++] = durations[i].seconds;
    out->empty = count == 0;
    for (int w = 0; w < range->weeks; w++) {
        int n = first[w + 1] - first[w];
        double median = report_median(seconds + first[w], n);
        out->series[0].values[w] = isnan(median) ? NAN : median / 3600.0;
        out->series[1].values[w] = n;
    }
}

/* Reads the durations of the range's weeks with read and fills out with their weekly
 * medians. */
static RequestResult weekly_report(Db *db, Arena *a, const ReportRange *range,
                                   DbResult (*read)(Db *, Arena *, int64_t, int64_t,
                                                    ReportDuration **, int *),
                                   ReportData *out)
{
    ReportDuration *durations;
    int count;
    DbResult r = read(db, a, range->week_starts[0], range->week_starts[range->weeks], &durations,
                      &count);
    if (r != DB_OK)
        return request_db_failure(r);
    weekly_medians(a, range, durations, count, out);
    return REQUEST_OK;
}

RequestResult report_first_response(Db *db, Arena *a, const ReportRange *range,
                                     const char *lang, ReportData *out)
{
    return weekly_report(db, a, range, store_report_first_responses, out);
}

RequestResult report_resolution_time(Db *db, Arena *a, const ReportRange *range,
                                      const char *lang, ReportData *out)
{
    return weekly_report(db, a, range, store_report_first_resolutions, out);
}

RequestResult report_busiest_types(Db *db, Arena *a, const ReportRange *range,
                                   const char *lang, ReportData *out)
{
    ReportTypeCount *types;
    int count;
    DbResult r = store_report_busiest_types(db, a, range->day_starts[0],
                                            range->day_starts[range->days], REPORT_TOP_TYPES,
                                            &types, &count);
    if (r != DB_OK)
        return request_db_failure(r);
    memset(out, 0, sizeof *out);
    out->row_kind = REPORT_ROWS_NAMED;
    out->row_name = N_("Request type");
    out->rows = count;
    out->row_keys = arena_alloc(a, sizeof *out->row_keys * (size_t)(count ? count : 1));
    out->row_labels = arena_alloc(a, sizeof *out->row_labels * (size_t)(count ? count : 1));
    add_series(a, out, N_("Requests"), REPORT_UNIT_COUNT, true);
    out->empty = count == 0;
    for (int i = 0; i < count; i++) {
        out->row_keys[i] = types[i].key;
        out->row_labels[i] = str_eq(lang, "en") ? types[i].name_en : types[i].name_de;
        out->series[0].values[i] = (double)types[i].count;
    }
    return REQUEST_OK;
}
