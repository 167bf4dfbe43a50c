/* reports (store): the aggregate queries of the reports dashboard - counts per day, the open
 * backlog, first responses and first resolutions, the busiest request types. Each query
 * aggregates in SQL over an index range (migration 010); only the per-request durations,
 * whose medians SQL cannot take portably, come back as rows.
 * SECURITY: agents' data only - callers are the desk's report pages behind the role gate;
 * values are bound. */
#ifndef PFORTE_STORE_REPORTS_H
#define PFORTE_STORE_REPORTS_H
#include "store/db.h"
#include <stdint.h>

/* A count per time bucket: requests in [start, start + bucket_seconds). */
typedef struct ReportBucket {
    int64_t start;
    int64_t count;
} ReportBucket;
/* Requests created in [from, to), counted per bucket of bucket_seconds from `from` (only
 * buckets that hold some). */
DbResult store_report_created_buckets(Db *db, Arena *a, int64_t from, int64_t to,
                                      int64_t bucket_seconds, ReportBucket **out, int *count);
/* Requests that moved into resolved or closed (from a not-done status) for the first time in
 * [from, to) (requests.first_resolved_at: a reopened request resolved again is not counted
 * again), per bucket. */
DbResult store_report_resolved_buckets(Db *db, Arena *a, int64_t from, int64_t to,
                                       int64_t bucket_seconds, ReportBucket **out, int *count);

typedef struct ReportStatusCount {
    const char *status;
    int64_t count;
} ReportStatusCount;
/* Requests not resolved or closed, per status (only statuses that occur). */
DbResult store_report_open_by_status(Db *db, Arena *a, ReportStatusCount **out, int *count);

/* SLA outcomes of one priority: targets met and targets decided (met or missed), for first
 * responses given and first resolutions reached in [from, to). */
typedef struct ReportSlaOutcome {
    const char *priority;
    int64_t response_met, response_decided;
    int64_t resolution_met, resolution_decided;
} ReportSlaOutcome;
DbResult store_report_sla_outcomes(Db *db, Arena *a, int64_t from, int64_t to,
                                   ReportSlaOutcome **out, int *count);

/* One request's first time something happened, and how long after its creation. */
typedef struct ReportDuration {
    int64_t at;      /* when it happened */
    int64_t seconds; /* at - the request's created_at (never negative) */
} ReportDuration;
/* Requests whose first public comment by an agent or admin falls in [from, to)
 * (requests.first_response_at, kept by a trigger). */
DbResult store_report_first_responses(Db *db, Arena *a, int64_t from, int64_t to,
                                      ReportDuration **out, int *count);
/* Requests whose first move into resolved or closed falls in [from, to)
 * (requests.first_resolved_at, kept by a trigger). */
DbResult store_report_first_resolutions(Db *db, Arena *a, int64_t from, int64_t to,
                                        ReportDuration **out, int *count);

typedef struct ReportTypeCount {
    int64_t type_id;
    const char *key;
    const char *name_de;
    const char *name_en;
    int64_t count;
} ReportTypeCount;
/* The request types with the most requests created in [from, to), most first (ties by
 * position), at most limit. */
DbResult store_report_busiest_types(Db *db, Arena *a, int64_t from, int64_t to, int limit,
                                    ReportTypeCount **out, int *count);

#endif
