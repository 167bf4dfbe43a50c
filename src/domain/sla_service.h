/* sla_service (domain): the SLA engine on top of the database - loads the calendar and targets,
 * computes the clocks of requests from their events (one request or a page of them), keeps the
 * precomputed columns on `requests` current, and sends the reminder mails.
 *
 * For desk pages (API in short):
 *   SlaConfig sla; sla_config_load(db, arena, &sla);              once per page
 *   SlaResult r[n]; sla_states_for_requests(db, arena, &sla, ids, n, now, r);
 *   sla_clock_text(arena, lang, &r[i].first_response)          -> "noch 2 Std. 15 Min." ...
 *   sla_time_text(arena, lang, &sla, r[i].resolution.due_at)   -> "30.11.2026, 17:00"
 * After changing a request's status, priority or adding a public agent comment, call
 * sla_request_refresh in the same transaction so queues see it at once (the background pass
 * catches up within sla_poll_ms otherwise).
 * Queue "SLA at risk or breached" in SQL: `requests.sla_attention_at <= :now` (NULL = not by
 * time; index requests_sla_attention); sort by `sla_first_response_due_at` /
 * `sla_resolution_due_at` (NULL while paused or unknown). */
#ifndef PFORTE_DOMAIN_SLA_SERVICE_H
#define PFORTE_DOMAIN_SLA_SERVICE_H
#include "core/arena.h"
#include "domain/sla.h"
#include "store/db.h"
#include "store/sla.h"
#include <stdbool.h>
#include <stdint.h>

/* How many requests one pass refreshes and reminds at most (the next pass does the rest). */
#define SLA_PASS_REFRESH_MAX 2000
#define SLA_PASS_REMINDERS_MAX 100
/* A breach found later than this after its due time is recorded but not mailed (an upgrade or
 * a long outage must not flood the agents with mail about old requests). */
#define SLA_REMINDER_LATE_SECONDS (24 * 3600)
/* Most staff members one reminder goes to when the request has no assignee. */
#define SLA_REMINDER_RECIPIENTS_MAX 200

typedef struct SlaConfig {
    SlaSettingsRow settings;  /* as stored (the settings page shows these) */
    const char *time_zone;    /* the zone in effect: the stored one, or "UTC" when it cannot
                                 be loaded (logged) */
    SlaCalendar calendar;
    SlaTargets targets;
} SlaConfig;

/* Loads settings, time zone, holidays and targets into out (memory in a). */
DbResult sla_config_load(Db *db, Arena *a, SlaConfig *out);

/* The clocks of one request at now; *found false when there is no such request. row (may be
 * NULL) receives the request's row. */
DbResult sla_request_state(Db *db, Arena *a, const SlaConfig *config, int64_t request_id,
                           int64_t now, SlaResult *out, bool *found, SlaRequestRow *row);

/* The clocks of count requests (a desk page: about two indexed queries per request, no
 * writes); out[i] belongs to ids[i] and is all SLA_NONE for an unknown id. */
DbResult sla_states_for_requests(Db *db, Arena *a, const SlaConfig *config, const int64_t *ids,
                                 int count, int64_t now, SlaResult *out);

/* Recomputes and stores the request's SLA columns (due, warn, attention). Call inside the
 * transaction that changed the request, after the change (which must bump updated_at). config
 * may be NULL: it is loaded then. */
DbResult sla_request_refresh(Db *db, Arena *a, const SlaConfig *config, int64_t request_id,
                             int64_t now);

/* Recomputes the stored columns of requests changed since their last computation (up to
 * SLA_PASS_REFRESH_MAX, in transactions of a few hundred); *done receives how many. */
DbResult sla_refresh_stale(Db *db, Arena *a, const SlaConfig *config, int64_t now, int *done);

typedef struct SlaPassStats {
    int refreshed; /* requests whose columns were recomputed */
    int reminders; /* reminders recorded (mailed or too late) */
    int mails;     /* mails queued */
} SlaPassStats;

/* One pass of the background worker: refreshes stale columns, then records and mails the due
 * reminders (each in its own transaction with its outbox rows; the reminder row's primary key
 * keeps several instances from sending it twice). Wakes the outbox worker when it queued
 * mail. */
DbResult sla_pass_run(Db *db, int64_t now, SlaPassStats *stats);

/* Business time as people read it: "2 h 15 min", "45 min" (de: "2 Std. 15 Min."); the sign is
 * ignored. */
const char *sla_duration_text(Arena *a, const char *lang, int64_t seconds);
/* A clock for a desk cell: "2 h 15 min left", "45 min overdue", "met", "paused", "-". */
const char *sla_clock_text(Arena *a, const char *lang, const SlaClock *clock);
/* t in the calendar's time zone: de "30.11.2026, 17:00", en "2026-11-30 17:00"; "" for 0. */
const char *sla_time_text(Arena *a, const char *lang, const SlaConfig *config, int64_t t);

#endif
