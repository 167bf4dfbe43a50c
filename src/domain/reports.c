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
    out->days = days;
    out->now = now;
    out->to = report_day_start(now) + REPORT_DAY;
    out->day_from = out->to - (int64_t)days * REPORT_DAY;
    out->weeks = (days + 6) / 7 > REPORT_MIN_WEEKS ? (days + 6) / 7 : REPORT_MIN_WEEKS;
    out->week_from = report_week_start(now) - (int64_t)(out->weeks - 1) * 7 * REPORT_DAY;
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

static void time_rows(Arena *a, ReportData *out, ReportRowKind kind, int rows, int64_t from,
                      int64_t step)
{
    memset(out, 0, sizeof *out);
    out->row_kind = kind;
    out->row_name = kind == REPORT_ROWS_DAYS ? N_("Day") : N_("Week");
    out->rows = rows;
    out->row_times = arena_alloc(a, sizeof *out->row_times * (size_t)rows);
    for (int i = 0; i < rows; i++)
        out->row_times[i] = from + i * step;
}

RequestResult report_created_resolved(Db *db, Arena *a, const ReportRange *range,
                                      const char *lang, ReportData *out)
{
    time_rows(a, out, REPORT_ROWS_DAYS, range->days, range->day_from, REPORT_DAY);
    add_series(a, out, N_("Created"), REPORT_UNIT_COUNT, true);
    add_series(a, out, N_("Resolved"), REPORT_UNIT_COUNT, true);
    int64_t *created = arena_alloc(a, sizeof *created * (size_t)range->days);
    int64_t *resolved = arena_alloc(a, sizeof *resolved * (size_t)range->days);
    memset(created, 0, sizeof *created * (size_t)range->days);
    memset(resolved, 0, sizeof *resolved * (size_t)range->days);
    DbResult r = store_report_created_per_day(db, range->day_from, range->days, created);
    if (r == DB_OK)
        r = store_report_resolved_per_day(db, range->day_from, range->days, resolved);
    if (r != DB_OK)
        return request_db_failure(r);
    out->empty = true;
    for (int i = 0; i < range->days; i++) {
        out->series[0].values[i] = (double)created[i];
        out->series[1].values[i] = (double)resolved[i];
        if (created[i] || resolved[i])
            out->empty = false;
    }
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

/* Median hours and count per week of the durations' times. */
static void weekly_medians(Arena *a, const ReportRange *range, const ReportDuration *durations,
                           int count, ReportData *out)
{
    time_rows(a, out, REPORT_ROWS_WEEKS, range->weeks, range->week_from, 7 * REPORT_DAY);
    add_series(a, out, N_("Median (hours)"), REPORT_UNIT_HOURS, true);
    add_series(a, out, N_("Requests"), REPORT_UNIT_COUNT, false);
    int64_t *seconds = arena_alloc(a, sizeof *seconds * (size_t)(count ? count : 1));
    out->empty = count == 0;
    for (int w = 0; w < range->weeks; w++) {
        int64_t from = out->row_times[w], to = from + 7 * REPORT_DAY;
        int n = 0;
        for (int i = 0; i < count; i++)
            if (durations[i].at >= from && durations[i].at < to)
                seconds[n++] = durations[i].seconds;
        double median = report_median(seconds, n);
        out->series[0].values[w] = isnan(median) ? NAN : median / 3600.0;
        out->series[1].values[w] = n;
    }
}

RequestResult report_first_response(Db *db, Arena *a, const ReportRange *range,
                                     const char *lang, ReportData *out)
{
    ReportDuration *durations;
    int count;
    DbResult r = store_report_first_responses(db, a, range->week_from, range->to, &durations,
                                              &count);
    if (r != DB_OK)
        return request_db_failure(r);
    weekly_medians(a, range, durations, count, out);
    return REQUEST_OK;
}

RequestResult report_resolution_time(Db *db, Arena *a, const ReportRange *range,
                                      const char *lang, ReportData *out)
{
    ReportDuration *durations;
    int count;
    DbResult r = store_report_first_resolutions(db, a, range->week_from, range->to, &durations,
                                                &count);
    if (r != DB_OK)
        return request_db_failure(r);
    weekly_medians(a, range, durations, count, out);
    return REQUEST_OK;
}

RequestResult report_busiest_types(Db *db, Arena *a, const ReportRange *range,
                                   const char *lang, ReportData *out)
{
    ReportTypeCount *types;
    int count;
    DbResult r = store_report_busiest_types(db, a, range->day_from, range->to, REPORT_TOP_TYPES,
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
