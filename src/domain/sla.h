/* sla (domain): service-level targets counted in business time - the working-hours calendar
 * (time zone, hours per weekday, holidays), business time between two instants, due times,
 * and the state of a request's two clocks (first response, resolution) from its history.
 * Everything here is pure: no database, no clock, no globals; sla_service.h loads the inputs.
 *
 * Rules (what the desk shows and the tests pin down):
 * - Both clocks start when the request is created and count only business time (inside the
 *   working hours of a working day that is not a holiday, in the calendar's time zone).
 * - They stand still while the request waits for the customer ("waiting_customer") and while
 *   it is resolved or closed; a reopened request counts on.
 * - First response: the first public comment by an agent or admin. Resolution: the request
 *   became resolved or closed (and stayed so).
 * - The target is the one of the request's current priority.
 * - A clock is breached once its business time reaches the target without the event; an
 *   event exactly at the due time is met. It is "at risk" while running with no more than
 *   SLA_RISK_PERCENT of its target and at most SLA_RISK_MAX_MINUTES business minutes left. */
#ifndef PFORTE_DOMAIN_SLA_H
#define PFORTE_DOMAIN_SLA_H
#include "core/tz.h"
#include <stdbool.h>
#include <stdint.h>

enum {
    SLA_PRIORITY_LOW = 0,
    SLA_PRIORITY_MEDIUM,
    SLA_PRIORITY_HIGH,
    SLA_PRIORITY_CRITICAL,
    SLA_PRIORITY_COUNT,
};

#define SLA_RISK_PERCENT 20
#define SLA_RISK_MAX_MINUTES 60
/* Limits of the settings (checked by the settings page, relied on by the computation). */
#define SLA_TARGET_MAX_MINUTES (2000 * 60) /* 2000 business hours */
#define SLA_HOLIDAYS_MAX 400
/* How far a due time is searched: beyond this a target counts as never reached. */
#define SLA_SEARCH_MAX_DAYS (366 * 10)

/* The working-hours calendar. Weekdays are ISO: index 1 = Monday ... 7 = Sunday (index 0
 * unused). A day is a working day when open_minute < close_minute (minutes after local
 * midnight, close_minute up to 1440 = 24:00). Holidays are local dates as days since
 * 1970-01-01, sorted ascending, no duplicates. */
typedef struct SlaCalendar {
    const TimeZone *tz;
    int open_minute[8];
    int close_minute[8];
    const int64_t *holidays;
    int holiday_count;
} SlaCalendar;

/* Targets in business minutes per priority (SLA_PRIORITY_*). */
typedef struct SlaTargets {
    int64_t first_response_minutes[SLA_PRIORITY_COUNT];
    int64_t resolution_minutes[SLA_PRIORITY_COUNT];
} SlaTargets;

/* One status change of a request: from `at` on, it has status `status`. */
typedef struct SlaStatusChange {
    int64_t at;
    const char *status;
} SlaStatusChange;

/* What the computation needs to know about one request. */
typedef struct SlaHistory {
    int64_t created_at;
    const char *initial_status;       /* the status it was created with ("open") */
    const SlaStatusChange *changes;   /* ascending by time */
    int change_count;
    int64_t first_response_at;        /* first public agent comment, 0 = none yet */
} SlaHistory;

typedef enum {
    SLA_NONE = 0, /* no target applies (resolved/closed before its event, unknown priority) */
    SLA_RUNNING,  /* counting, within target */
    SLA_PAUSED,   /* waiting for the customer, within target */
    SLA_MET,      /* the event came within target */
    SLA_BREACHED, /* the target passed (with or without the event) */
} SlaState;

typedef struct SlaClock {
    SlaState state;
    bool at_risk;           /* running and within the risk window */
    int64_t target_seconds; /* business seconds */
    int64_t elapsed_seconds; /* business seconds counted until the event, or until now */
    int64_t left_seconds;   /* target - elapsed: > 0 left (or margin when met), < 0 overdue */
    int64_t due_at;         /* when the target is (was) reached if the clock keeps running;
                               0 when unknown (paused before reaching it, or never) */
    int64_t warn_at;        /* when it enters the risk window (same caveats); 0 = unknown */
    int64_t done_at;        /* the event, 0 = not yet */
} SlaClock;

typedef struct SlaResult {
    SlaClock first_response;
    SlaClock resolution;
    /* The earliest warn_at of a clock that is running or breached without its event: from
     * then on the request belongs in the "SLA at risk or breached" queue. 0 = not now and not
     * by time alone (paused, done, no target). */
    int64_t attention_at;
} SlaResult;

/* The default calendar hours (Mo-Fr 08:00-17:00) and targets of the migration. */
void sla_calendar_default_hours(SlaCalendar *cal);
void sla_targets_default(SlaTargets *t);

/* The priority key ("low" ... "critical") as SLA_PRIORITY_*, -1 for anything else. */
int sla_priority_index(const char *priority);
/* The priority key of an index, NULL when out of range. */
const char *sla_priority_key(int index);

/* True when local date `day` (days since 1970-01-01) is a holiday of cal. */
bool sla_is_holiday(const SlaCalendar *cal, int64_t day);
/* Business seconds in [from, to); 0 when to <= from. */
int64_t sla_business_seconds(const SlaCalendar *cal, int64_t from, int64_t to);
/* The instant at which `seconds` business seconds have passed since start: start itself for
 * seconds <= 0, otherwise inside (or at the close of) a working window. 0 when it lies more
 * than SLA_SEARCH_MAX_DAYS ahead (a calendar without working days). */
int64_t sla_add_business_seconds(const SlaCalendar *cal, int64_t start, int64_t seconds);
/* Business seconds of the risk window of a target. */
int64_t sla_risk_seconds(int64_t target_seconds);

/* Both clocks of a request at `now` for priority (its current one). */
void sla_compute(const SlaCalendar *cal, const SlaTargets *targets, const char *priority,
                 const SlaHistory *history, int64_t now, SlaResult *out);

/* The state as a stable key for pages, CSS classes and JSON: "none", "running", "paused",
 * "met", "breached". */
const char *sla_state_key(SlaState state);

#endif
