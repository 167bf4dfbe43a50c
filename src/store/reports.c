/* reports (store): SQL of the reports dashboard. Counts are grouped in SQL by time bucket
 * ((time - from) / bucket, integer division in both dialects; the domain sums buckets into
 * days of its time zone); durations come back one row
 * per request for the domain's medians, read from the first_response_at / first_resolved_at
 * columns that triggers on events keep (migration 010) through covering indexes, so the cost
 * follows the range, not the tables.
 * SECURITY: values are always bound; no text is built from input. */
#include "store/reports.h"

/* Reads (bucket number, count) rows of st (bound already) as buckets from `from`. */
static DbResult read_buckets(DbStmt *st, Arena *a, int64_t from, int64_t bucket_seconds,
                             ReportBucket **out, int *count)
{
    *out = NULL;
    *count = 0;
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        ReportBucket *b = &(*out)[(*count)++];
        b->start = from + db_col_int(st, 0) * bucket_seconds;
        b->count = db_col_int(st, 1);
    }
    db_done(st);
    return r;
}

DbResult store_report_created_buckets(Db *db, Arena *a, int64_t from, int64_t to,
                                      int64_t bucket_seconds, ReportBucket **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT (created_at - ?) / ? AS bucket, COUNT(*) FROM requests "
                                "WHERE created_at >= ? AND created_at < ? GROUP BY bucket");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, bucket_seconds);
    db_bind_int(st, 3, from);
    db_bind_int(st, 4, to);
    return read_buckets(st, a, from, bucket_seconds, out, count);
}

DbResult store_report_resolved_buckets(Db *db, Arena *a, int64_t from, int64_t to,
                                       int64_t bucket_seconds, ReportBucket **out, int *count)
{
    DbStmt *st = db_prepare(db, "SELECT (first_resolved_at - ?) / ? AS bucket, COUNT(*) "
                                "FROM requests WHERE first_resolved_at >= ? "
                                "AND first_resolved_at < ? GROUP BY bucket");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, bucket_seconds);
    db_bind_int(st, 3, from);
    db_bind_int(st, 4, to);
    return read_buckets(st, a, from, bucket_seconds, out, count);
}

DbResult store_report_open_by_status(Db *db, Arena *a, ReportStatusCount **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT status, COUNT(*) FROM requests WHERE status IN ('open', "
                                "'in_progress', 'waiting_customer', 'waiting_support') "
                                "GROUP BY status");
    if (!st)
        return DB_ERROR;
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        ReportStatusCount *row = &(*out)[(*count)++];
        row->status = db_col_text(st, 0, a);
        row->count = db_col_int(st, 1);
    }
    db_done(st);
    return r;
}

DbResult store_report_sla_outcomes(Db *db, Arena *a, int64_t from, int64_t to,
                                   ReportSlaOutcome **out, int *count)
{
    *out = NULL;
    *count = 0;
    /* binds: from, to four times - the two windows in the sums, then in the WHERE */
    DbStmt *st = db_prepare(
        db, "SELECT priority, "
            "SUM(CASE WHEN first_response_at >= ? AND first_response_at < ? "
            "AND sla_first_response_met = 1 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN first_response_at >= ? AND first_response_at < ? "
            "AND sla_first_response_met IS NOT NULL THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN first_resolved_at >= ? AND first_resolved_at < ? "
            "AND sla_resolution_met = 1 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN first_resolved_at >= ? AND first_resolved_at < ? "
            "AND sla_resolution_met IS NOT NULL THEN 1 ELSE 0 END) "
            "FROM requests WHERE (first_response_at >= ? AND first_response_at < ?) "
            "OR (first_resolved_at >= ? AND first_resolved_at < ?) GROUP BY priority");
    if (!st)
        return DB_ERROR;
    for (int i = 0; i < 6; i++) {
        db_bind_int(st, 2 * i + 1, from);
        db_bind_int(st, 2 * i + 2, to);
    }
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        ReportSlaOutcome *row = &(*out)[(*count)++];
        row->priority = db_col_text(st, 0, a);
        row->response_met = db_col_int(st, 1);
        row->response_decided = db_col_int(st, 2);
        row->resolution_met = db_col_int(st, 3);
        row->resolution_decided = db_col_int(st, 4);
    }
    db_done(st);
    return r;
}

static DbResult read_durations(DbStmt *st, Arena *a, ReportDuration **out, int *count)
{
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        ReportDuration *d = &(*out)[(*count)++];
        d->at = db_col_int(st, 0);
        d->seconds = d->at - db_col_int(st, 1);
        if (d->seconds < 0)
            d->seconds = 0;
    }
    db_done(st);
    return r;
}

/* The durations whose end (the first column of sql) lies in [from, to). */
static DbResult durations_ending_between(Db *db, Arena *a, const char *sql, int64_t from,
                                         int64_t to, ReportDuration **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, sql);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, to);
    return read_durations(st, a, out, count);
}

DbResult store_report_first_responses(Db *db, Arena *a, int64_t from, int64_t to,
                                      ReportDuration **out, int *count)
{
    return durations_ending_between(db, a,
                                    "SELECT first_response_at, created_at FROM requests "
                                    "WHERE first_response_at >= ? AND first_response_at < ?",
                                    from, to, out, count);
}

DbResult store_report_first_resolutions(Db *db, Arena *a, int64_t from, int64_t to,
                                        ReportDuration **out, int *count)
{
    return durations_ending_between(db, a,
                                    "SELECT first_resolved_at, created_at FROM requests "
                                    "WHERE first_resolved_at >= ? AND first_resolved_at < ?",
                                    from, to, out, count);
}

DbResult store_report_busiest_types(Db *db, Arena *a, int64_t from, int64_t to, int limit,
                                    ReportTypeCount **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(
        db, "SELECT t.id, t.key, t.name_de, t.name_en, c.n FROM "
            "(SELECT type_id, COUNT(*) AS n FROM requests WHERE created_at >= ? AND created_at < ? "
            "GROUP BY type_id) c JOIN request_types t ON t.id = c.type_id "
            "ORDER BY c.n DESC, t.position, t.id LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, to);
    db_bind_int(st, 3, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        ReportTypeCount *row = &(*out)[(*count)++];
        row->type_id = db_col_int(st, 0);
        row->key = db_col_text(st, 1, a);
        row->name_de = db_col_text(st, 2, a);
        row->name_en = db_col_text(st, 3, a);
        row->count = db_col_int(st, 4);
    }
    db_done(st);
    return r;
}
