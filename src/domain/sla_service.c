/* sla_service: loads the SLA configuration, turns a request's events into an SlaHistory,
 * computes and stores its clocks, and words them for people. The reminder pass is in
 * sla_pass.c. */
#include "domain/sla_service.h"
#include "core/i18n.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include <string.h>

/* "2026-12-24" -> days since 1970-01-01; false when it is no real date. */
static bool parse_day(const char *s, int64_t *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int v[3] = {0, 0, 0};
    const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < len[k]; i++) {
            char c = s[start[k] + i];
            if (c < '0' || c > '9')
                return false;
            v[k] = v[k] * 10 + (c - '0');
        }
    if (!tz_date_is_valid(v[0], v[1], v[2]))
        return false;
    *day = tz_days_from_civil(v[0], v[1], v[2]);
    return true;
}

DbResult sla_config_load(Db *db, Arena *a, SlaConfig *out)
{
    memset(out, 0, sizeof *out);
    DbResult r = store_sla_settings_load(db, a, &out->settings);
    if (r != DB_OK)
        return r;
    const SlaSettingsRow *s = &out->settings;
    const TimeZone *tz = tz_load(a, s->time_zone);
    out->time_zone = s->time_zone;
    if (!tz) {
        log_warn("event=sla_time_zone_unavailable zone=\"%.64s\" using=UTC",
                 str_empty(s->time_zone) ? "" : s->time_zone);
        tz = tz_from_rule(a, "UTC0");
        out->time_zone = "UTC";
    }
    out->calendar.tz = tz;
    for (int d = 1; d <= 7; d++) {
        out->calendar.open_minute[d] = s->open_minute[d];
        out->calendar.close_minute[d] = s->close_minute[d];
    }
    int64_t *days = arena_alloc(a, sizeof *days * (size_t)(s->holiday_count + 1));
    int n = 0;
    for (int i = 0; i < s->holiday_count; i++) { /* stored sorted by their text = by date */
        int64_t day;
        if (parse_day(s->holidays[i].day, &day) && (n == 0 || day > days[n - 1]))
            days[n++] = day;
    }
    out->calendar.holidays = days;
    out->calendar.holiday_count = n;
    sla_targets_default(&out->targets);
    for (int i = 0; i < s->target_count; i++) {
        int p = sla_priority_index(s->targets[i].priority);
        if (p >= 0) {
            out->targets.first_response_minutes[p] = s->targets[i].first_response_minutes;
            out->targets.resolution_minutes[p] = s->targets[i].resolution_minutes;
        }
    }
    return DB_OK;
}

/* The history of row from its events. A status set without an event (imports, SQL) counts
 * from the request's last update. */
static void history_from_events(Arena *a, const SlaRequestRow *row, const SlaEventRow *ev, int n,
                                SlaHistory *h)
{
    SlaStatusChange *changes = arena_alloc(a, sizeof *changes * (size_t)(n + 1));
    int count = 0;
    memset(h, 0, sizeof *h);
    h->created_at = row->created_at;
    h->initial_status = NULL;
    for (int i = 0; i < n; i++) {
        if (str_eq(ev[i].kind, "comment")) {
            if (!h->first_response_at)
                h->first_response_at = ev[i].at;
            continue;
        }
        if (!h->initial_status)
            h->initial_status = ev[i].old_value;
        changes[count++] = (SlaStatusChange){ev[i].at, ev[i].new_value};
    }
    const char *last = count ? changes[count - 1].status : NULL;
    if (!h->initial_status)
        h->initial_status = row->status;
    else if (!str_eq(last, row->status))
        changes[count++] = (SlaStatusChange){row->updated_at, row->status};
    h->changes = changes;
    h->change_count = count;
}

DbResult sla_request_state(Db *db, Arena *a, const SlaConfig *config, int64_t request_id,
                           int64_t now, SlaResult *out, bool *found, SlaRequestRow *row_out)
{
    memset(out, 0, sizeof *out);
    *found = false;
    SlaRequestRow row;
    DbResult r = store_sla_request(db, a, request_id, &row);
    if (row_out)
        *row_out = row;
    if (r != DB_OK || row.id == 0)
        return r;
    SlaEventRow *events;
    int n;
    r = store_sla_events(db, a, request_id, &events, &n);
    if (r != DB_OK)
        return r;
    SlaHistory h;
    history_from_events(a, &row, events, n, &h);
    sla_compute(&config->calendar, &config->targets, row.priority, &h, now, out);
    *found = true;
    return DB_OK;
}

DbResult sla_states_for_requests(Db *db, Arena *a, const SlaConfig *config, const int64_t *ids,
                                 int count, int64_t now, SlaResult *out)
{
    DbResult r = DB_OK;
    for (int i = 0; i < count && r == DB_OK; i++) {
        bool found;
        r = sla_request_state(db, a, config, ids[i], now, &out[i], &found, NULL);
    }
    return r;
}

/* 1 when the target was met, 0 when it was missed (also while still open: it cannot be met
 * any more), -1 while it is open or does not apply. */
static int clock_outcome(const SlaClock *c)
{
    return c->state == SLA_MET ? 1 : c->state == SLA_BREACHED ? 0 : -1;
}

/* The stored columns of a result: a clock's warn time only while it is open (running or
 * breached without its event) and not reminded yet. */
static void computed_row(const SlaResult *s, const bool reminded[2], SlaComputedRow *c)
{
    memset(c, 0, sizeof *c);
    c->first_response_due_at = s->first_response.due_at;
    c->resolution_due_at = s->resolution.due_at;
    if (s->attention_at) {
        const SlaClock *fr = &s->first_response, *res = &s->resolution;
        if (!fr->done_at && (fr->state == SLA_RUNNING || fr->state == SLA_BREACHED) && !reminded[0])
            c->first_response_warn_at = fr->warn_at;
        if (!res->done_at && (res->state == SLA_RUNNING || res->state == SLA_BREACHED) &&
            !reminded[1])
            c->resolution_warn_at = res->warn_at;
    }
    c->attention_at = s->attention_at;
    c->first_response_met = clock_outcome(&s->first_response);
    c->resolution_met = clock_outcome(&s->resolution);
}

/* One request's computed columns and the updated_at they were computed from (*found false
 * when it is gone). */
static DbResult compute_one(Db *db, Arena *a, const SlaConfig *config, int64_t request_id,
                            int64_t now, SlaComputedRow *c, int64_t *stamp, bool *found)
{
    SlaResult s;
    SlaRequestRow row;
    DbResult r = sla_request_state(db, a, config, request_id, now, &s, found, &row);
    bool reminded[2] = {false, false};
    if (r == DB_OK && *found)
        r = store_sla_reminded(db, request_id, reminded);
    if (r == DB_OK && *found) {
        computed_row(&s, reminded, c);
        *stamp = row.updated_at;
    }
    return r;
}

/* Computes and stores one request; *saved false when it changed meanwhile or is gone. */
static DbResult refresh_one(Db *db, Arena *a, const SlaConfig *config, int64_t request_id,
                            int64_t now, bool *saved)
{
    SlaComputedRow c;
    int64_t stamp = 0;
    bool found;
    *saved = false;
    DbResult r = compute_one(db, a, config, request_id, now, &c, &stamp, &found);
    if (r != DB_OK || !found)
        return r;
    return store_sla_save_computed(db, request_id, stamp, &c, saved);
}

DbResult sla_request_refresh(Db *db, Arena *a, const SlaConfig *config, int64_t request_id,
                             int64_t now)
{
    bool saved;
    SlaConfig loaded;
    if (!config) {
        DbResult r = sla_config_load(db, a, &loaded);
        if (r != DB_OK)
            return r;
        config = &loaded;
    }
    return refresh_one(db, a, config, request_id, now, &saved);
}

DbResult sla_refresh_stale(Db *db, Arena *a, const SlaConfig *config, int64_t now, int *done)
{
    enum { BATCH = 200 };
    *done = 0;
    while (*done < SLA_PASS_REFRESH_MAX) {
        int64_t *ids;
        int n;
        DbResult r = store_sla_stale_ids(db, a, BATCH, &ids, &n);
        if (r != DB_OK || n == 0)
            return r;
        /* computed before the write turn, from one read snapshot: other writers (creating
         * requests) do not wait for the business-hours arithmetic; a save skips a request
         * that changed meanwhile (its updated_at), as it did inside the transaction */
        SlaComputedRow *rows = arena_alloc(a, sizeof *rows * (size_t)n);
        int64_t *stamps = arena_alloc(a, sizeof *stamps * (size_t)n);
        bool *found = arena_alloc(a, sizeof *found * (size_t)n);
        r = db_read_begin(db);
        for (int i = 0; i < n && r == DB_OK; i++)
            r = compute_one(db, a, config, ids[i], now, &rows[i], &stamps[i], &found[i]);
        db_read_end(db);
        if (r != DB_OK)
            return r;
        int saved_count = 0;
        r = db_begin(db);
        for (int i = 0; i < n && r == DB_OK; i++) {
            bool saved = false;
            if (found[i])
                r = store_sla_save_computed(db, ids[i], stamps[i], &rows[i], &saved);
            saved_count += saved;
        }
        if (r == DB_OK)
            r = db_commit(db);
        else
            db_rollback(db);
        if (r != DB_OK)
            return r;
        *done += saved_count;
        if (saved_count == 0)
            return DB_OK; /* all of them changed meanwhile: the next pass */
    }
    return DB_OK;
}

/* ---- words ---- */

const char *sla_duration_text(Arena *a, const char *lang, int64_t seconds)
{
    if (seconds < 0)
        seconds = -seconds;
    int64_t minutes = (seconds + 59) / 60; /* "1 min" until it is really over */
    int64_t hours = minutes / 60;
    minutes %= 60;
    const char *h = i18n_get_ctx(lang, "business time", "h");
    const char *min = i18n_get_ctx(lang, "business time", "min");
    if (hours && minutes)
        return arena_printf(a, "%lld %s %lld %s", (long long)hours, h, (long long)minutes, min);
    if (hours)
        return arena_printf(a, "%lld %s", (long long)hours, h);
    return arena_printf(a, "%lld %s", (long long)minutes, min);
}

static const char *fill(Arena *a, const char *lang, const char *msgid, const char *value)
{
    const char *text = i18n_get(lang, msgid);
    const char *at = strstr(text, "%{time}");
    if (!at)
        return text;
    return arena_printf(a, "%.*s%s%s", (int)(at - text), text, value, at + 7);
}

const char *sla_clock_text(Arena *a, const char *lang, const SlaClock *c)
{
    const char *d = sla_duration_text(a, lang, c->left_seconds);
    switch (c->state) {
    case SLA_RUNNING:
        return fill(a, lang, N_("%{time} left"), d);
    case SLA_PAUSED:
        return fill(a, lang, N_("paused, %{time} left"), d);
    case SLA_MET:
        return i18n_get(lang, N_("met"));
    case SLA_BREACHED:
        return c->done_at ? fill(a, lang, N_("missed by %{time}"), d)
                          : fill(a, lang, N_("%{time} overdue"), d);
    case SLA_NONE:
        break;
    }
    return "–";
}

const char *sla_time_text(Arena *a, const char *lang, const SlaConfig *config, int64_t t)
{
    if (!t)
        return "";
    int64_t local = t + tz_offset_at(config->calendar.tz, t);
    int64_t day = tz_floor_div(local, 86400), y;
    int m, d;
    tz_civil_from_days(day, &y, &m, &d);
    int64_t minute = (local - day * 86400) / 60;
    if (str_eq(lang, "en"))
        return arena_printf(a, "%04lld-%02d-%02d %02lld:%02lld", (long long)y, m, d,
                            (long long)(minute / 60), (long long)(minute % 60));
    return arena_printf(a, "%02d.%02d.%04lld, %02lld:%02lld", d, m, (long long)y,
                        (long long)(minute / 60), (long long)(minute % 60));
}
