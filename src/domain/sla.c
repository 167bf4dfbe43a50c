/* sla: business-time arithmetic over a working-hours calendar and the two SLA clocks of a
 * request. Works day by day in the calendar's local time: each working day contributes one
 * window [open, close) converted to UTC with the zone's offset of that moment, so DST days
 * keep their local hours. Pure functions of their arguments. */
#include "domain/sla.h"
#include "core/str.h"
#include <string.h>

static const char *const PRIORITY_KEYS[SLA_PRIORITY_COUNT] = {"low", "medium", "high",
                                                              "critical"};

void sla_calendar_default_hours(SlaCalendar *cal)
{
    for (int d = 0; d < 8; d++)
        cal->open_minute[d] = cal->close_minute[d] = 0;
    for (int d = 1; d <= 5; d++) {
        cal->open_minute[d] = 8 * 60;
        cal->close_minute[d] = 17 * 60;
    }
}

void sla_targets_default(SlaTargets *t)
{
    /* a business day is 9 hours with the default calendar */
    static const int64_t first[SLA_PRIORITY_COUNT] = {18 * 60, 8 * 60, 4 * 60, 1 * 60};
    static const int64_t resolve[SLA_PRIORITY_COUNT] = {90 * 60, 45 * 60, 18 * 60, 8 * 60};
    memcpy(t->first_response_minutes, first, sizeof first);
    memcpy(t->resolution_minutes, resolve, sizeof resolve);
}

int sla_priority_index(const char *priority)
{
    for (int i = 0; priority && i < SLA_PRIORITY_COUNT; i++)
        if (str_eq(priority, PRIORITY_KEYS[i]))
            return i;
    return -1;
}

const char *sla_priority_key(int index)
{
    return index >= 0 && index < SLA_PRIORITY_COUNT ? PRIORITY_KEYS[index] : NULL;
}

const char *sla_state_key(SlaState state)
{
    switch (state) {
    case SLA_RUNNING:
        return "running";
    case SLA_PAUSED:
        return "paused";
    case SLA_MET:
        return "met";
    case SLA_BREACHED:
        return "breached";
    case SLA_NONE:
        break;
    }
    return "none";
}

bool sla_is_holiday(const SlaCalendar *cal, int64_t day)
{
    int lo = 0, hi = cal->holiday_count - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (cal->holidays[mid] == day)
            return true;
        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

static int64_t local_day_of(const SlaCalendar *cal, int64_t t)
{
    return tz_floor_div(t + tz_offset_at(cal->tz, t), 86400);
}

/* The working window of local day `day` in UTC; false on a day off. */
static bool day_window(const SlaCalendar *cal, int64_t day, int64_t *from, int64_t *to)
{
    int wd = tz_iso_weekday(day);
    int open = cal->open_minute[wd], close = cal->close_minute[wd];
    if (open >= close || sla_is_holiday(cal, day))
        return false;
    *from = tz_local_to_utc(cal->tz, day * 86400 + (int64_t)open * 60);
    *to = tz_local_to_utc(cal->tz, day * 86400 + (int64_t)close * 60);
    return *from < *to;
}

int64_t sla_business_seconds(const SlaCalendar *cal, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    int64_t sum = 0;
    /* a day earlier: a window can start before the local day `from` falls in only around
     * offset changes, but it costs one step */
    int64_t last = local_day_of(cal, to);
    for (int64_t day = local_day_of(cal, from) - 1; day <= last; day++) {
        int64_t wf, wt;
        if (!day_window(cal, day, &wf, &wt))
            continue;
        int64_t a = wf > from ? wf : from, b = wt < to ? wt : to;
        if (b > a)
            sum += b - a;
    }
    return sum;
}

int64_t sla_add_business_seconds(const SlaCalendar *cal, int64_t start, int64_t seconds)
{
    if (seconds <= 0)
        return start;
    int64_t first = local_day_of(cal, start) - 1;
    for (int64_t day = first; day <= first + SLA_SEARCH_MAX_DAYS; day++) {
        int64_t wf, wt;
        if (!day_window(cal, day, &wf, &wt))
            continue;
        int64_t a = wf > start ? wf : start;
        if (a >= wt)
            continue;
        if (wt - a >= seconds)
            return a + seconds;
        seconds -= wt - a;
    }
    return 0;
}

int64_t sla_risk_seconds(int64_t target_seconds)
{
    int64_t risk = target_seconds * SLA_RISK_PERCENT / 100;
    return risk < SLA_RISK_MAX_MINUTES * 60 ? risk : SLA_RISK_MAX_MINUTES * 60;
}

/* ---- the clocks ---- */

/* A stretch of the request's life in one status; `to` is INT64_MAX for the current one. */
typedef struct Segment {
    int64_t from, to;
    bool counting; /* the clocks run (not waiting for the customer, not resolved/closed) */
    bool finished; /* resolved or closed */
} Segment;

enum { SEGMENTS_MAX = 512 }; /* more status changes than this: the oldest are merged */

static bool status_finished(const char *s)
{
    return str_eq(s, "resolved") || str_eq(s, "closed");
}

static bool status_counting(const char *s)
{
    return !status_finished(s) && !str_eq(s, "waiting_customer");
}

/* Splits the history into segments; returns how many (at least one). */
static int history_segments(const SlaHistory *h, Segment *seg)
{
    int n = 0;
    const char *status = h->initial_status ? h->initial_status : "open";
    int64_t from = h->created_at;
    for (int i = 0; i <= h->change_count; i++) {
        int64_t to = i < h->change_count ? h->changes[i].at : INT64_MAX;
        if (to < from)
            to = from; /* a change stamped before creation: counts as at creation */
        if (to > from || i == h->change_count) {
            bool counting = status_counting(status), finished = status_finished(status);
            if (n > 0 && (n == SEGMENTS_MAX ||
                          (seg[n - 1].counting == counting && seg[n - 1].finished == finished)))
                seg[n - 1].to = to; /* same kind, or no room: extend */
            else
                seg[n++] = (Segment){from, to, counting, finished};
        }
        if (i < h->change_count) {
            status = h->changes[i].status ? h->changes[i].status : "";
            from = to;
        }
    }
    return n;
}

static int64_t elapsed_until(const SlaCalendar *cal, const Segment *seg, int n, int64_t until)
{
    int64_t sum = 0;
    for (int i = 0; i < n && seg[i].from < until; i++)
        if (seg[i].counting)
            sum += sla_business_seconds(cal, seg[i].from, seg[i].to < until ? seg[i].to : until);
    return sum;
}

/* The instant the counting segments reach `amount` business seconds; 0 when they do not (the
 * request is paused now and had not reached it, or the calendar never reaches it). */
static int64_t reach_instant(const SlaCalendar *cal, const Segment *seg, int n, int64_t amount)
{
    if (amount <= 0)
        return seg[0].from;
    for (int i = 0; i < n; i++) {
        if (!seg[i].counting)
            continue;
        if (seg[i].to == INT64_MAX)
            return sla_add_business_seconds(cal, seg[i].from, amount);
        int64_t here = sla_business_seconds(cal, seg[i].from, seg[i].to);
        if (here >= amount)
            return sla_add_business_seconds(cal, seg[i].from, amount);
        amount -= here;
    }
    return 0;
}

static void clock_compute(const SlaCalendar *cal, const Segment *seg, int n, int64_t target,
                          int64_t done_at, int64_t now, SlaClock *c)
{
    memset(c, 0, sizeof *c);
    c->target_seconds = target;
    c->done_at = done_at;
    c->due_at = reach_instant(cal, seg, n, target);
    c->warn_at = reach_instant(cal, seg, n, target - sla_risk_seconds(target));
    int64_t end = done_at ? done_at : now;
    c->elapsed_seconds = elapsed_until(cal, seg, n, end);
    c->left_seconds = target - c->elapsed_seconds;
    const Segment *current = &seg[n - 1];
    for (int i = 0; i < n; i++)
        if (seg[i].from <= end && end < seg[i].to)
            current = &seg[i];
    if (done_at)
        c->state = c->elapsed_seconds <= target ? SLA_MET : SLA_BREACHED;
    else if (c->elapsed_seconds >= target)
        c->state = SLA_BREACHED;
    else if (current->counting)
        c->state = SLA_RUNNING;
    else
        c->state = current->finished ? SLA_NONE : SLA_PAUSED;
    c->at_risk = c->state == SLA_RUNNING && c->left_seconds <= sla_risk_seconds(target);
}

/* When the resolution happened: the start of the trailing resolved/closed stretch. */
static int64_t resolved_at(const Segment *seg, int n)
{
    if (!seg[n - 1].finished)
        return 0;
    int i = n - 1;
    while (i > 0 && seg[i - 1].finished)
        i--;
    return seg[i].from;
}

void sla_compute(const SlaCalendar *cal, const SlaTargets *targets, const char *priority,
                 const SlaHistory *history, int64_t now, SlaResult *out)
{
    memset(out, 0, sizeof *out);
    int p = sla_priority_index(priority);
    if (p < 0)
        return;
    Segment seg[SEGMENTS_MAX];
    int n = history_segments(history, seg);
    int64_t response = history->first_response_at;
    if (response && response < history->created_at)
        response = history->created_at;
    clock_compute(cal, seg, n, targets->first_response_minutes[p] * 60, response, now,
                  &out->first_response);
    clock_compute(cal, seg, n, targets->resolution_minutes[p] * 60, resolved_at(seg, n), now,
                  &out->resolution);
    if (seg[n - 1].finished)
        return; /* resolved or closed: nothing left to do, whatever the clocks say */
    const SlaClock *clocks[2] = {&out->first_response, &out->resolution};
    for (int i = 0; i < 2; i++) {
        const SlaClock *c = clocks[i];
        bool open = !c->done_at && (c->state == SLA_RUNNING || c->state == SLA_BREACHED);
        if (open && c->warn_at && (!out->attention_at || c->warn_at < out->attention_at))
            out->attention_at = c->warn_at;
    }
}
