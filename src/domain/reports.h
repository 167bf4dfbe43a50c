/* reports (domain): the numbers behind the agents' reports dashboard, one builder per chart,
 * all returning the same shape (ReportData: rows x series) so the page, its tables and the
 * CSV downloads treat every chart alike. Days and weeks are counted in UTC (the portal has no
 * time-zone setting yet); weeks start on Monday. Durations are wall-clock hours (the SLA
 * engine counts business hours). No HTTP here.
 * SECURITY: agents and admins only - the caller (desk) checks the role first. */
#ifndef PFORTE_DOMAIN_REPORTS_H
#define PFORTE_DOMAIN_REPORTS_H
#include "core/arena.h"
#include "domain/requests.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

#define REPORT_DAY 86400
#define REPORT_MIN_WEEKS 8     /* the weekly charts show at least this many weeks */
#define REPORT_MAX_SERIES 4
#define REPORT_TOP_TYPES 10

#define REPORT_MAX_DAYS 90
#define REPORT_MAX_WEEKS ((REPORT_MAX_DAYS + 6) / 7 > REPORT_MIN_WEEKS ? (REPORT_MAX_DAYS + 6) / 7 \
                                                                   : REPORT_MIN_WEEKS)

/* The period a dashboard shows: the last `days` days including today, and the weeks that
 * cover it (at least REPORT_MIN_WEEKS) including the current one - as the instants the days
 * and weeks start (day_starts[days] / week_starts[weeks] = the end, exclusive) and as
 * calendar dates (for labels). report_range_for is the one place that knows the time zone. */
typedef struct ReportRange {
    int days;          /* 7, 30 or 90 */
    int weeks;
    int64_t now;
    const char *zone;  /* the time zone days are counted in: "UTC" */
    int64_t bucket;    /* seconds: SQL counts per bucket, summed into days here; every day
                          boundary is a whole number of buckets from day_starts[0] (a day in
                          UTC; 900 fits every time zone in use, DST days of 23/25 hours too) */
    int64_t day_starts[REPORT_MAX_DAYS + 1];
    int64_t day_dates[REPORT_MAX_DAYS];     /* each day's date as 00:00 UTC of that date */
    int64_t week_starts[REPORT_MAX_WEEKS + 1];
    int64_t week_dates[REPORT_MAX_WEEKS];   /* each week's Monday, like day_dates */
} ReportRange;

/* The range presets offered (7, 30, 90) and the default (30). */
extern const int REPORT_DAY_PRESETS[3];
#define REPORT_DEFAULT_DAYS 30

/* days as one of the presets: "7", "30" or "90"; anything else gives REPORT_DEFAULT_DAYS (a
 * bookmarked or mistyped link still shows the dashboard). */
int report_days_from_text(const char *text);
/* The range of days (1..REPORT_MAX_DAYS) ending today, counted in UTC. */
void report_range_for(int64_t now, int days, ReportRange *out);
/* 00:00 UTC of t's day / Monday 00:00 UTC of t's week. */
int64_t report_day_start(int64_t t);
int64_t report_week_start(int64_t t);

/* The median of values[0..n) (sorted in place): the middle one, or the mean of the two
 * middle ones for even n; NAN for n == 0. */
double report_median(int64_t *values, int n);

typedef enum {
    REPORT_ROWS_DAYS,    /* row_times are day starts */
    REPORT_ROWS_WEEKS,   /* row_times are week starts (Mondays) */
    REPORT_ROWS_TRANSLATED, /* row_keys are codes (statuses, priorities), row_labels msgids */
    REPORT_ROWS_NAMED,   /* row_labels are names in the viewer's language */
} ReportRowKind;

typedef enum {
    REPORT_UNIT_COUNT,   /* 1.234 */
    REPORT_UNIT_HOURS,   /* 3,5 h */
    REPORT_UNIT_PERCENT, /* 87,5 % (for shares such as SLA compliance) */
} ReportUnit;

typedef struct ReportSeries {
    const char *name; /* English msgid */
    ReportUnit unit;
    bool plotted;     /* drawn in the chart (the others are table and CSV columns only) */
    double *values;   /* one per row; NAN = no value (a week without data) */
} ReportSeries;

typedef struct ReportData {
    ReportRowKind row_kind;
    const char *row_name;    /* English msgid heading the row labels ("Day", "Status") */
    int rows;
    int64_t *row_times;      /* DAYS, WEEKS: the date (of the Monday) as 00:00 UTC of it */
    const char **row_keys;   /* TRANSLATED, NAMED: a stable key (status, type key) */
    const char **row_labels; /* TRANSLATED: msgid; NAMED: name in the language asked for */
    int series_count;
    ReportSeries series[REPORT_MAX_SERIES];
    bool empty;              /* nothing happened in the range (the page says so) */
} ReportData;

/* One builder per chart; each fills out (in a) from range, names in lang.
 * REQUEST_UNAVAILABLE (busy) or REQUEST_ERROR on database trouble. */
typedef RequestResult (*ReportBuilder)(Db *db, Arena *a, const ReportRange *range,
                                       const char *lang, ReportData *out);
/* Requests created, and requests resolved (moved into resolved or closed) for the first
 * time, per day. */
RequestResult report_created_resolved(Db *db, Arena *a, const ReportRange *range,
                                      const char *lang, ReportData *out);
/* Requests not yet resolved, per status (now, whatever the range). */
RequestResult report_open_backlog(Db *db, Arena *a, const ReportRange *range, const char *lang,
                                  ReportData *out);
/* Median hours from creation to the first public reply of an agent, per week of that reply. */
RequestResult report_first_response(Db *db, Arena *a, const ReportRange *range,
                                     const char *lang, ReportData *out);
/* Median hours from creation to the first resolution, per week of that resolution. */
RequestResult report_resolution_time(Db *db, Arena *a, const ReportRange *range,
                                      const char *lang, ReportData *out);
/* Per priority: the share of SLA targets met among first responses given and first
 * resolutions reached in the range (decided by the SLA engine, in business time). */
RequestResult report_sla_compliance(Db *db, Arena *a, const ReportRange *range,
                                    const char *lang, ReportData *out);
/* The REPORT_TOP_TYPES request types with the most requests created in the range's days. */
RequestResult report_busiest_types(Db *db, Arena *a, const ReportRange *range,
                                   const char *lang, ReportData *out);

#endif
