/* workflow: which status may follow which, the priorities, the automatic transitions and the
 * auto-close pass with its thread.
 * SECURITY: the pass acts as the system (actor 0, shown as "Support team"); its status mails go
 * through notify (customers who take part only). */
#include "domain/workflow.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "core/worker_loop.h"
#include "domain/notify.h"
#include "mail/outbox_worker.h"
#include "store/activity.h"
#include "store/catalog.h"
#include "store/desk.h"
#include "store/requests.h"
#include <pthread.h>
#include <string.h>
#include <time.h>

const char *const WORKFLOW_STATUSES[WORKFLOW_STATUS_COUNT] = {
    REQUEST_STATUS_OPEN,     REQUEST_STATUS_IN_PROGRESS, REQUEST_STATUS_WAITING_CUSTOMER,
    REQUEST_STATUS_WAITING_SUPPORT, REQUEST_STATUS_RESOLVED, REQUEST_STATUS_CLOSED,
};

const char *const WORKFLOW_PRIORITIES[WORKFLOW_PRIORITY_COUNT] = {"low", "medium", "high",
                                                                  "critical"};

static const char *const PRIORITY_MSGIDS[WORKFLOW_PRIORITY_COUNT] = {
    N_("Low"), N_("Medium"), N_("High"), N_("Critical")};

/* Rows: from (in WORKFLOW_STATUSES order); columns: to. */
static const bool ALLOWED[WORKFLOW_STATUS_COUNT][WORKFLOW_STATUS_COUNT] = {
    /*                open   in_pr  w_cus  w_sup  resol  closed */
    /* open */      {false, true,  true,  false, true,  false},
    /* in_progr */  {false, false, true,  true,  true,  false},
    /* w_customer */{false, true,  false, true,  true,  false},
    /* w_support */ {false, true,  true,  false, true,  false},
    /* resolved */  {true,  true,  false, false, false, true},
    /* closed */    {true,  true,  false, false, false, false},
};

static int status_index(const char *status)
{
    for (int i = 0; i < WORKFLOW_STATUS_COUNT; i++)
        if (str_eq(status, WORKFLOW_STATUSES[i]))
            return i;
    return -1;
}

bool workflow_status_known(const char *status)
{
    return status_index(status) >= 0;
}

bool workflow_status_allowed(const char *from, const char *to)
{
    int f = status_index(from), t = status_index(to);
    return f >= 0 && t >= 0 && ALLOWED[f][t];
}

int workflow_next_statuses(const char *from, const char *out[WORKFLOW_STATUS_COUNT])
{
    int n = 0, f = status_index(from);
    for (int t = 0; f >= 0 && t < WORKFLOW_STATUS_COUNT; t++)
        if (ALLOWED[f][t])
            out[n++] = WORKFLOW_STATUSES[t];
    return n;
}

bool workflow_priority_known(const char *priority)
{
    for (int i = 0; i < WORKFLOW_PRIORITY_COUNT; i++)
        if (str_eq(priority, WORKFLOW_PRIORITIES[i]))
            return true;
    return false;
}

const char *workflow_priority_msgid(const char *priority)
{
    for (int i = 0; i < WORKFLOW_PRIORITY_COUNT; i++)
        if (str_eq(priority, WORKFLOW_PRIORITIES[i]))
            return PRIORITY_MSGIDS[i];
    return priority ? priority : "";
}

DbResult workflow_after_comment(Db *db, const RequestView *r, int64_t actor_id, bool actor_is_staff,
                                int64_t now, const char **new_status)
{
    *new_status = r->status;
    const char *to = NULL;
    if (!actor_is_staff && str_eq(r->status, REQUEST_STATUS_WAITING_CUSTOMER))
        to = REQUEST_STATUS_WAITING_SUPPORT;
    else if (actor_is_staff && str_eq(r->status, REQUEST_STATUS_OPEN))
        to = REQUEST_STATUS_IN_PROGRESS;
    if (!to)
        return DB_OK;
    bool changed = false;
    DbResult res = store_request_set_status(db, r->id, r->status, to, now, &changed);
    if (res == DB_OK && changed) {
        res = store_event_insert(db, r->id, actor_id, "status", "", "status", r->status, to, false,
                                 now, NULL);
        *new_status = to;
    }
    return res;
}

/* ---- auto-close ---- */

static DbResult close_one(Db *db, Arena *a, int64_t number, int64_t now, bool *closed)
{
    *closed = false;
    const char *name = store_setting_get(db, a, "portal_name");
    Viewer system = {.user_id = 0, .role = "admin", .lang = "de",
                     .name = str_empty(name) ? cfg.portal_name : name, .email = ""};
    /* the system is nobody's viewer (request_open_for_viewer wants a user): read the row */
    RequestRow row;
    DbResult found = store_request_by_number(db, a, number, &row);
    if (found != DB_OK || !row.id)
        return found;
    RequestView r = {.id = row.id, .number = row.number, .key = request_format_key(a, number),
                     .reporter_id = row.reporter_id, .summary = row.summary,
                     .status = row.status, .message_id = row.message_id,
                     .reply_token = row.reply_token, .version = row.version};
    int64_t event_id = 0;
    DbResult res = db_begin(db);
    if (res == DB_OK)
        res = store_request_set_status(db, r.id, REQUEST_STATUS_RESOLVED, REQUEST_STATUS_CLOSED,
                                       now, closed);
    if (res == DB_OK && *closed)
        res = store_event_insert(db, r.id, 0, "status", "", "status", REQUEST_STATUS_RESOLVED,
                                 REQUEST_STATUS_CLOSED, false, now, &event_id);
    if (res == DB_OK && *closed) {
        NotifyChange change = {NOTIFY_STATUS, event_id, NULL, NULL, 0, REQUEST_STATUS_RESOLVED,
                               REQUEST_STATUS_CLOSED, 0};
        res = notify_request_change(db, a, &r, &system, &change, now);
    }
    if (res == DB_OK)
        res = db_commit(db);
    if (res != DB_OK) {
        db_rollback(db);
        *closed = false;
    }
    return res;
}

DbResult workflow_close_quiet(Db *db, Arena *a, int64_t now, int64_t days, int *closed)
{
    *closed = 0;
    int64_t *numbers = NULL;
    int count = 0;
    DbResult res =
        store_requests_due_for_close(db, a, now - days * 86400, WORKFLOW_CLOSE_BATCH, &numbers,
                                     &count);
    for (int i = 0; res == DB_OK && i < count; i++) {
        bool done = false;
        res = close_one(db, a, numbers[i], now, &done);
        if (done) {
            (*closed)++;
            log_info("event=request_auto_closed number=%lld", (long long)numbers[i]);
        }
    }
    return res;
}

/* ---- the thread ---- */

static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t worker_cond = PTHREAD_COND_INITIALIZER;
static pthread_t worker_thread;
static bool worker_running, worker_stopping;

/* Sleeps seconds unless stopped; false when stopping. */
static bool worker_wait(int64_t seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&worker_lock);
    while (!worker_stopping)
        if (pthread_cond_clockwait(&worker_cond, &worker_lock, CLOCK_MONOTONIC, &until) != 0)
            break;
    bool go_on = !worker_stopping;
    pthread_mutex_unlock(&worker_lock);
    return go_on;
}

static void *worker_main(void *arg)
{
    (void)arg;
    log_info("event=workflow_worker_started auto_close_days=%lld check_seconds=%lld",
             (long long)cfg.auto_close_days, (long long)cfg.auto_close_check_seconds);
    do {
        Db *db = db_thread();
        if (!db)
            continue;
        Arena a;
        arena_init(&a, 16384);
        int closed = 0;
        log_debug("event=auto_close_pass");
        DbResult res = workflow_close_quiet(db, &a, clock_now(), cfg.auto_close_days, &closed);
        if (res != DB_OK)
            log_warn("event=auto_close_failed result=%d", (int)res);
        if (closed)
            outbox_worker_wake();
        arena_free(&a);
    } while (worker_wait(cfg.auto_close_check_seconds));
    db_thread_close();
    return NULL;
}

void workflow_worker_start(void)
{
    pthread_mutex_lock(&worker_lock);
    if (!worker_running) {
        worker_stopping = false;
        worker_running = pthread_create(&worker_thread, NULL, worker_main, NULL) == 0;
        if (worker_running)
            thread_name(worker_thread, "workflow");
        if (!worker_running)
            log_error("event=workflow_worker_start_failed");
    }
    pthread_mutex_unlock(&worker_lock);
}

void workflow_worker_stop(void)
{
    pthread_mutex_lock(&worker_lock);
    bool running = worker_running;
    worker_stopping = true;
    pthread_cond_broadcast(&worker_cond);
    pthread_mutex_unlock(&worker_lock);
    if (running)
        pthread_join(worker_thread, NULL);
    pthread_mutex_lock(&worker_lock);
    worker_running = false;
    worker_stopping = false;
    pthread_mutex_unlock(&worker_lock);
}
