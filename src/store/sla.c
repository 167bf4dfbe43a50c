/* sla (store): SQL for SLA settings, the inputs and computed columns of a request's SLA
 * clocks, and the reminder log whose primary key makes a reminder happen once across
 * instances. */
#include "store/sla.h"
#include "store/catalog.h"
#include <string.h>

DbResult store_sla_settings_load(Db *db, Arena *a, SlaSettingsRow *out)
{
    memset(out, 0, sizeof *out);
    char *zone = store_setting_get(db, a, "sla_time_zone");
    out->time_zone = zone ? zone : "";
    DbStmt *st = db_prepare(db, "SELECT weekday, open_minute, close_minute FROM sla_hours");
    if (!st)
        return DB_ERROR;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        int64_t wd = db_col_int(st, 0);
        if (wd >= 1 && wd <= 7) {
            out->open_minute[wd] = (int)db_col_int(st, 1);
            out->close_minute[wd] = (int)db_col_int(st, 2);
        }
    }
    db_done(st);
    if (r != DB_OK)
        return r;
    st = db_prepare(db, "SELECT day, name FROM sla_holidays ORDER BY day");
    if (!st)
        return DB_ERROR;
    int cap = 0;
    while ((r = db_step(st)) == DB_ROW) {
        out->holidays = arena_grow_array(a, out->holidays, out->holiday_count, &cap,
                                         sizeof *out->holidays);
        SlaHolidayRow *h = &out->holidays[out->holiday_count++];
        h->day = db_col_text(st, 0, a);
        h->name = db_col_text(st, 1, a);
    }
    db_done(st);
    if (r != DB_OK)
        return r;
    st = db_prepare(db, "SELECT priority, first_response_minutes, resolution_minutes "
                        "FROM sla_targets");
    if (!st)
        return DB_ERROR;
    cap = 0;
    while ((r = db_step(st)) == DB_ROW) {
        out->targets = arena_grow_array(a, out->targets, out->target_count, &cap,
                                        sizeof *out->targets);
        SlaTargetRow *t = &out->targets[out->target_count++];
        t->priority = db_col_text(st, 0, a);
        t->first_response_minutes = db_col_int(st, 1);
        t->resolution_minutes = db_col_int(st, 2);
    }
    db_done(st);
    return r;
}

DbResult store_sla_settings_save(Db *db, const SlaSettingsRow *s)
{
    DbResult r = store_setting_set(db, "sla_time_zone", s->time_zone);
    if (r == DB_OK)
        r = db_run(db_prepare(db, "DELETE FROM sla_hours"));
    for (int wd = 1; wd <= 7 && r == DB_OK; wd++) {
        DbStmt *st = db_prepare(db, "INSERT INTO sla_hours (weekday, open_minute, close_minute) "
                                    "VALUES (?, ?, ?)");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, wd);
        db_bind_int(st, 2, s->open_minute[wd]);
        db_bind_int(st, 3, s->close_minute[wd]);
        r = db_run(st);
    }
    if (r == DB_OK)
        r = db_run(db_prepare(db, "DELETE FROM sla_holidays"));
    for (int i = 0; i < s->holiday_count && r == DB_OK; i++) {
        DbStmt *st = db_prepare(db, "INSERT INTO sla_holidays (day, name) VALUES (?, ?)");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, s->holidays[i].day);
        db_bind_text(st, 2, s->holidays[i].name ? s->holidays[i].name : "");
        r = db_run(st);
    }
    for (int i = 0; i < s->target_count && r == DB_OK; i++) {
        DbStmt *st = db_prepare(db, "INSERT INTO sla_targets (priority, first_response_minutes, "
                                    "resolution_minutes) VALUES (?, ?, ?) "
                                    "ON CONFLICT (priority) DO UPDATE SET "
                                    "first_response_minutes = excluded.first_response_minutes, "
                                    "resolution_minutes = excluded.resolution_minutes");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, s->targets[i].priority);
        db_bind_int(st, 2, s->targets[i].first_response_minutes);
        db_bind_int(st, 3, s->targets[i].resolution_minutes);
        r = db_run(st);
    }
    if (r == DB_OK)
        r = db_run(db_prepare(db, "UPDATE requests SET sla_updated_at = -1"));
    return r;
}

DbResult store_sla_request(Db *db, Arena *a, int64_t id, SlaRequestRow *out)
{
    memset(out, 0, sizeof *out);
    DbStmt *st = db_prepare(db, "SELECT id, number, summary, status, priority, "
                                "COALESCE(assignee_id, 0), created_at, updated_at "
                                "FROM requests WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        out->id = db_col_int(st, 0);
        out->number = db_col_int(st, 1);
        out->summary = db_col_text(st, 2, a);
        out->status = db_col_text(st, 3, a);
        out->priority = db_col_text(st, 4, a);
        out->assignee_id = db_col_int(st, 5);
        out->created_at = db_col_int(st, 6);
        out->updated_at = db_col_int(st, 7);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_sla_events(Db *db, Arena *a, int64_t request_id, SlaEventRow **rows, int *count)
{
    *rows = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT e.kind, e.old_value, e.new_value, e.created_at "
                                "FROM events e LEFT JOIN users u ON u.id = e.actor_id "
                                "WHERE e.request_id = ? AND (e.kind = 'status' OR "
                                "(e.kind = 'comment' AND e.internal = 0 "
                                "AND u.role IN ('agent', 'admin'))) ORDER BY e.id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *rows = arena_grow_array(a, *rows, *count, &cap, sizeof **rows);
        SlaEventRow *e = &(*rows)[(*count)++];
        e->kind = db_col_text(st, 0, a);
        e->old_value = db_col_text(st, 1, a);
        e->new_value = db_col_text(st, 2, a);
        e->at = db_col_int(st, 3);
    }
    db_done(st);
    return r;
}

/* Collects the first column of every row as an id. */
static DbResult collect_ids(DbStmt *st, Arena *a, int64_t **ids, int *count)
{
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *ids = arena_grow_array(a, *ids, *count, &cap, sizeof **ids);
        (*ids)[(*count)++] = db_col_int(st, 0);
    }
    db_done(st);
    return r;
}

DbResult store_sla_stale_ids(Db *db, Arena *a, int limit, int64_t **ids, int *count)
{
    *ids = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT id FROM requests WHERE sla_updated_at <> updated_at "
                                "ORDER BY id LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, limit);
    return collect_ids(st, a, ids, count);
}

static void bind_time(DbStmt *st, int index, int64_t t)
{
    if (t)
        db_bind_int(st, index, t);
    else
        db_bind_null(st, index);
}

DbResult store_sla_save_computed(Db *db, int64_t request_id, int64_t updated_at,
                                 const SlaComputedRow *c, bool *saved)
{
    *saved = false;
    DbStmt *st = db_prepare(db, "UPDATE requests SET sla_first_response_due_at = ?, "
                                "sla_resolution_due_at = ?, sla_first_response_warn_at = ?, "
                                "sla_resolution_warn_at = ?, sla_attention_at = ?, "
                                "sla_first_response_met = ?, sla_resolution_met = ?, "
                                "sla_updated_at = updated_at WHERE id = ? AND updated_at = ?");
    if (!st)
        return DB_ERROR;
    bind_time(st, 1, c->first_response_due_at);
    bind_time(st, 2, c->resolution_due_at);
    bind_time(st, 3, c->first_response_warn_at);
    bind_time(st, 4, c->resolution_warn_at);
    bind_time(st, 5, c->attention_at);
    if (c->first_response_met >= 0)
        db_bind_int(st, 6, c->first_response_met);
    else
        db_bind_null(st, 6);
    if (c->resolution_met >= 0)
        db_bind_int(st, 7, c->resolution_met);
    else
        db_bind_null(st, 7);
    db_bind_int(st, 8, request_id);
    db_bind_int(st, 9, updated_at);
    DbResult r = db_run(st);
    if (r == DB_OK)
        *saved = db_changes(db) > 0;
    return r;
}

const char *const SLA_REMINDER_TARGETS[2] = {"first_response", "resolution"};

DbResult store_sla_reminded(Db *db, int64_t request_id, bool reminded[2])
{
    reminded[0] = reminded[1] = false;
    DbStmt *st = db_prepare(db, "SELECT target FROM sla_reminders WHERE request_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        size_t n;
        const char *t = db_col_blob(st, 0, &n);
        for (int i = 0; i < 2 && t; i++)
            if (n == strlen(SLA_REMINDER_TARGETS[i]) && memcmp(t, SLA_REMINDER_TARGETS[i], n) == 0)
                reminded[i] = true;
    }
    db_done(st);
    return r;
}

/* The warn times are NULL once a clock is reminded (SlaComputedRow), so the two range scans
 * of their partial indexes (migration 019) visit only requests with a reminder to come; the
 * reminder rows are checked again all the same (a save that lost a race to another instance
 * may have left a warn time). */
DbResult store_sla_reminder_candidates(Db *db, Arena *a, int64_t now, int limit, int64_t **ids,
                                       int *count)
{
    *ids = NULL;
    *count = 0;
    DbStmt *st = db_prepare(
        db, "SELECT r.id FROM requests r WHERE r.id IN ("
            "  SELECT id FROM requests WHERE sla_first_response_warn_at <= ? "
            "  UNION ALL SELECT id FROM requests WHERE sla_resolution_warn_at <= ?) "
            "AND r.status NOT IN ('resolved', 'closed') AND ("
            "(r.sla_first_response_warn_at <= ? AND NOT EXISTS (SELECT 1 FROM sla_reminders m "
            "  WHERE m.request_id = r.id AND m.target = 'first_response')) OR "
            "(r.sla_resolution_warn_at <= ? AND NOT EXISTS (SELECT 1 FROM sla_reminders m "
            "  WHERE m.request_id = r.id AND m.target = 'resolution'))) "
            "ORDER BY r.sla_attention_at, r.id LIMIT ?");
    if (!st)
        return DB_ERROR;
    for (int i = 1; i <= 4; i++)
        db_bind_int(st, i, now);
    db_bind_int(st, 5, limit);
    return collect_ids(st, a, ids, count);
}

DbResult store_sla_reminder_claim(Db *db, int64_t request_id, const char *target, int64_t due_at,
                                  int64_t now, bool *claimed)
{
    *claimed = false;
    DbStmt *st = db_prepare(db, "INSERT INTO sla_reminders (request_id, target, due_at, sent_at) "
                                "VALUES (?, ?, ?, ?) ON CONFLICT (request_id, target) DO NOTHING");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_text(st, 2, target);
    db_bind_int(st, 3, due_at);
    db_bind_int(st, 4, now);
    DbResult r = db_run(st);
    if (r == DB_OK)
        *claimed = db_changes(db) > 0;
    return r;
}

DbResult store_sla_staff(Db *db, Arena *a, int64_t id, int limit, SlaStaffRow **rows, int *count)
{
    *rows = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT id, email, name, lang FROM users "
                                "WHERE role IN ('agent', 'admin') AND disabled = 0 "
                                "AND (? = 0 OR id = ?) ORDER BY id LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, id);
    db_bind_int(st, 3, limit);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *rows = arena_grow_array(a, *rows, *count, &cap, sizeof **rows);
        SlaStaffRow *s = &(*rows)[(*count)++];
        s->id = db_col_int(st, 0);
        s->email = db_col_text(st, 1, a);
        s->name = db_col_text(st, 2, a);
        s->lang = db_col_text(st, 3, a);
    }
    db_done(st);
    return r;
}
