/* sla (store): SQL for the SLA settings (time zone in `settings`, tables sla_hours,
 * sla_holidays, sla_targets), the inputs of a request's SLA clocks (its row and its status and
 * public agent comment events), the computed columns on `requests` and the reminder log.
 * Decides nothing: domain/sla_service.c does. */
#ifndef PFORTE_STORE_SLA_H
#define PFORTE_STORE_SLA_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct SlaHolidayRow {
    char *day;  /* YYYY-MM-DD */
    char *name;
} SlaHolidayRow;

typedef struct SlaTargetRow {
    char *priority; /* low | medium | high | critical */
    int64_t first_response_minutes;
    int64_t resolution_minutes;
} SlaTargetRow;

/* Everything the settings page edits. Weekdays are ISO (index 1 = Monday .. 7; 0 unused);
 * a weekday without row has open == close == 0 (day off). */
typedef struct SlaSettingsRow {
    char *time_zone;
    int open_minute[8], close_minute[8];
    SlaHolidayRow *holidays; /* ascending by day */
    int holiday_count;
    SlaTargetRow *targets;
    int target_count;
} SlaSettingsRow;

/* Loads the settings into out (strings and arrays in a). A missing time zone gives "". */
DbResult store_sla_settings_load(Db *db, Arena *a, SlaSettingsRow *out);
/* Replaces every SLA setting with s and marks every request's computed SLA columns stale.
 * Call inside the caller's transaction. */
DbResult store_sla_settings_save(Db *db, const SlaSettingsRow *s);

/* One request as the SLA computation needs it. */
typedef struct SlaRequestRow {
    int64_t id;
    int64_t number;
    char *summary;
    char *status;
    char *priority;
    int64_t assignee_id; /* 0 = nobody */
    int64_t created_at;
    int64_t updated_at;
} SlaRequestRow;

/* An event that moves an SLA clock: kind "status" (old_value -> new_value) or "comment"
 * (a public comment by an agent or admin; the values are ""). */
typedef struct SlaEventRow {
    char *kind;
    char *old_value;
    char *new_value;
    int64_t at;
} SlaEventRow;

/* The request with that id; out->id == 0 when there is none. */
DbResult store_sla_request(Db *db, Arena *a, int64_t id, SlaRequestRow *out);
/* The status events and public agent/admin comments of the request, oldest first. */
DbResult store_sla_events(Db *db, Arena *a, int64_t request_id, SlaEventRow **rows, int *count);

/* Ids of up to limit requests whose computed columns are stale (sla_updated_at differs from
 * updated_at), lowest id first. */
DbResult store_sla_stale_ids(Db *db, Arena *a, int limit, int64_t **ids, int *count);

/* The computed columns (0 stores NULL). A clock's warn time is kept only while its reminder is
 * still to come: open and not in sla_reminders (migration 019), so the reminder pass reads
 * the requests that need one through the warn-time indexes and not every overdue one. */
typedef struct SlaComputedRow {
    int64_t first_response_due_at, resolution_due_at;
    int64_t first_response_warn_at, resolution_warn_at;
    int64_t attention_at;
    int first_response_met, resolution_met; /* 1 met, 0 missed, -1 open or not applicable */
} SlaComputedRow;

/* Stores c on the request if its updated_at still is `updated_at` (the value the computation
 * read), and records that value as sla_updated_at; *saved tells whether it matched. */
DbResult store_sla_save_computed(Db *db, int64_t request_id, int64_t updated_at,
                                 const SlaComputedRow *c, bool *saved);

/* The targets of sla_reminders rows: [0] first response, [1] resolution. */
extern const char *const SLA_REMINDER_TARGETS[2];

/* reminded[i]: whether the request has the reminder row of SLA_REMINDER_TARGETS[i]. */
DbResult store_sla_reminded(Db *db, int64_t request_id, bool reminded[2]);

/* Ids of up to limit unfinished requests with a clock whose warn time is <= now and that has
 * no reminder row for that clock yet, most urgent first. */
DbResult store_sla_reminder_candidates(Db *db, Arena *a, int64_t now, int limit, int64_t **ids,
                                       int *count);
/* Records the reminder for (request, target); *claimed is false when a row existed (another
 * instance or an earlier pass sent it). Call in the transaction that queues the mail. */
DbResult store_sla_reminder_claim(Db *db, int64_t request_id, const char *target, int64_t due_at,
                                  int64_t now, bool *claimed);

/* A staff member to remind. */
typedef struct SlaStaffRow {
    int64_t id;
    char *email;
    char *name;
    char *lang;
} SlaStaffRow;

/* The enabled agent or admin with that id (count 0 or 1) - or, for id 0, every enabled agent
 * and admin (at most limit, by id). */
DbResult store_sla_staff(Db *db, Arena *a, int64_t id, int limit, SlaStaffRow **rows, int *count);

#endif
