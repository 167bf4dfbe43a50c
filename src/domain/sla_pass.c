/* sla_pass: the background SLA pass - refresh stale computed columns, then one reminder mail
 * per request and clock when it is about to be breached (or found breached), to the assignee
 * or, without one, to every agent and admin, in each recipient's language - and the thread
 * in `pforte serve` that runs it every cfg.sla_poll_ms.
 * SECURITY: reminders go to staff only (role agent/admin, not disabled); the mail holds the
 * request's key, summary and a link, never a token. */
#include "domain/sla_service.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "core/worker_loop.h"
#include "domain/requests.h"
#include "domain/sla_settings.h"
#include "domain/sla_worker.h"
#include "mail/compose.h"
#include "mail/mail.h"
#include "store/catalog.h"
#include <string.h>

typedef enum { TARGET_FIRST_RESPONSE, TARGET_RESOLUTION } Target;

/* [target][overdue] */
static const char *const SUBJECTS[2][2] = {
    {N_("[%{key}] First response due in %{left}"),
     N_("[%{key}] First response overdue by %{left}")},
    {N_("[%{key}] Resolution due in %{left}"), N_("[%{key}] Resolution overdue by %{left}")},
};
static const char *const SITUATIONS[2][2] = {
    {N_("The request %{key} “%{summary}” (priority %{priority}) needs its first response by "
        "%{due}: %{left} of business time left."),
     N_("The first response to the request %{key} “%{summary}” (priority %{priority}) was due "
        "at %{due} and is %{left} of business time overdue.")},
    {N_("The request %{key} “%{summary}” (priority %{priority}) should be resolved by %{due}: "
        "%{left} of business time left."),
     N_("The request %{key} “%{summary}” (priority %{priority}) was due to be resolved at "
        "%{due} and is %{left} of business time overdue.")},
};

static const char *mail_lang(const char *lang)
{
    return str_eq(lang, "en") ? "en" : "de";
}

static const char *portal_name(Db *db, Arena *a)
{
    char *name = store_setting_get(db, a, "portal_name");
    return str_empty(name) ? cfg.portal_name : name;
}

/* Queues the reminder about clock c of row to one staff member. */
static bool reminder_mail(Db *db, Arena *a, const SlaConfig *config, const SlaRequestRow *row,
                          Target target, const SlaClock *c, const SlaStaffRow *to, bool assigned,
                          int64_t now)
{
    const char *lang = mail_lang(to->lang);
    bool overdue = c->state == SLA_BREACHED;
    int p = sla_priority_index(row->priority);
    MailContent content = {0};
    content.subject = SUBJECTS[target][overdue];
    content.before[0] = str_empty(to->name) ? N_("Hello,") : N_("Hello %{name},");
    content.before[1] = SITUATIONS[target][overdue];
    content.before[2] = N_("Times are given in the time zone %{zone}.");
    content.button_label = N_("Open the request");
    const char *key = request_format_key(a, row->number);
    content.button_url = arena_printf(a, "%s/desk/requests/%s", config_base_url(&cfg), key);
    content.after[0] = assigned
                           ? N_("You receive this mail because the request is assigned to you.")
                           : N_("You receive this mail because the request is not assigned to "
                                "anyone yet.");
    content.after[1] = N_("This reminder is sent once per request and target.");
    MailVar vars[] = {
        {"portal_name", portal_name(db, a)},
        {"key", key},
        {"summary", row->summary},
        {"name", to->name},
        {"priority", p >= 0 ? i18n_get(lang, sla_priority_msgid(p)) : row->priority},
        {"due", sla_time_text(a, lang, config, c->due_at)},
        {"left", sla_duration_text(a, lang, c->left_seconds)},
        {"zone", config->time_zone},
    };
    MailMessage msg = {0};
    if (!mail_compose(a, &content, vars, (int)(sizeof vars / sizeof vars[0]), lang, &msg))
        return false;
    msg.to = to->email;
    msg.to_name = str_empty(to->name) ? NULL : to->name;
    return mail_queue(db, a, &msg, now);
}

/* Whether clock c calls for its reminder now: open (no event yet), counting or breached,
 * within the risk window or past due. */
static bool reminder_due(const SlaClock *c)
{
    return !c->done_at && (c->at_risk || c->state == SLA_BREACHED);
}

/* One candidate in its own transaction: recompute, claim and mail each clock that needs it,
 * then store the columns (a claimed clock's warn time goes). */
static DbResult remind_one(Db *db, Arena *a, const SlaConfig *config, int64_t request_id,
                           int64_t now, SlaPassStats *stats)
{
    DbResult r = db_begin(db);
    if (r != DB_OK)
        return r;
    SlaResult s;
    SlaRequestRow row;
    bool found;
    int mails = 0, reminders = 0;
    r = sla_request_state(db, a, config, request_id, now, &s, &found, &row);
    bool open = found && !str_eq(row.status, "resolved") && !str_eq(row.status, "closed") &&
                !str_eq(row.status, "waiting_customer");
    const SlaClock *clocks[2] = {&s.first_response, &s.resolution};
    for (int t = 0; t < 2 && r == DB_OK && open; t++) {
        const SlaClock *c = clocks[t];
        if (!reminder_due(c))
            continue;
        bool claimed;
        r = store_sla_reminder_claim(db, request_id, SLA_REMINDER_TARGETS[t], c->due_at, now,
                                     &claimed);
        if (r != DB_OK || !claimed)
            continue;
        reminders++;
        if (c->state == SLA_BREACHED && now - c->due_at > SLA_REMINDER_LATE_SECONDS) {
            log_info("event=sla_reminder_too_late request=%lld target=%s", (long long)request_id,
                     SLA_REMINDER_TARGETS[t]);
            continue;
        }
        SlaStaffRow *staff = NULL;
        int n = 0;
        if (row.assignee_id)
            r = store_sla_staff(db, a, row.assignee_id, 1, &staff, &n);
        bool assigned = n > 0;
        if (r == DB_OK && n == 0)
            r = store_sla_staff(db, a, 0, SLA_REMINDER_RECIPIENTS_MAX, &staff, &n);
        for (int i = 0; i < n && r == DB_OK; i++) {
            if (!reminder_mail(db, a, config, &row, (Target)t, c, &staff[i], assigned, now))
                r = DB_ERROR;
            else
                mails++;
        }
        log_info("event=sla_reminder request=%lld target=%s state=%s recipients=%d",
                 (long long)request_id, SLA_REMINDER_TARGETS[t], sla_state_key(c->state), n);
    }
    if (r == DB_OK && found)
        r = sla_request_refresh(db, a, config, request_id, now);
    if (r == DB_OK)
        r = db_commit(db);
    else
        db_rollback(db);
    if (r == DB_OK) {
        stats->reminders += reminders;
        stats->mails += mails;
    }
    return r;
}

DbResult sla_pass_run(Db *db, int64_t now, SlaPassStats *stats)
{
    memset(stats, 0, sizeof *stats);
    Arena a;
    arena_init(&a, 65536);
    SlaConfig config;
    DbResult r = sla_config_load(db, &a, &config);
    if (r == DB_OK)
        r = sla_refresh_stale(db, &a, &config, now, &stats->refreshed);
    int64_t *ids = NULL;
    int n = 0;
    if (r == DB_OK)
        r = store_sla_reminder_candidates(db, &a, now, SLA_PASS_REMINDERS_MAX, &ids, &n);
    for (int i = 0; i < n && r == DB_OK; i++)
        r = remind_one(db, &a, &config, ids[i], now, stats);
    if (stats->mails)
        outbox_worker_wake();
    if (r != DB_OK && r != DB_BUSY)
        log_warn("event=sla_pass_failed result=%d", (int)r);
    arena_free(&a);
    return r;
}

/* ---- the thread ---- */

static void *worker_main(void *arg);
static WorkerLoop worker = WORKER_LOOP_INIT("sla_worker", worker_main);

static void *worker_main(void *arg)
{
    log_info("event=sla_worker_started poll_ms=%lld", (long long)cfg.sla_poll_ms);
    while (!worker_loop_should_stop(&worker)) {
        Db *db = db_thread();
        if (db) {
            SlaPassStats stats;
            if (sla_pass_run(db, clock_now(), &stats) == DB_OK &&
                (stats.refreshed || stats.reminders))
                log_info("event=sla_pass refreshed=%d reminders=%d mails=%d", stats.refreshed,
                         stats.reminders, stats.mails);
        }
        worker_loop_wait(&worker, db ? cfg.sla_poll_ms : 5000);
    }
    db_thread_close();
    log_info("event=sla_worker_stopped");
    return NULL;
}

void sla_worker_start(void)
{
    worker_loop_start(&worker);
}

void sla_worker_stop(void)
{
    worker_loop_stop(&worker);
}
