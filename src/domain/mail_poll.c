/* mail_poll (domain): the IMAP pass and the serve thread. A message is marked \Seen only once
 * its outcome is final (filed, ignored on purpose, refused); a temporary failure (database
 * busy, sender over the rate limit) leaves it unseen for the next pass. */
#include "domain/mail_poll.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/worker_loop.h"
#include "domain/mail_in.h"
#include "mail/imap.h"
#include "mail/outbox_worker.h"
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

bool mail_poll_once(Db *db, FILE *report, const volatile int *stop, MailPollCounts *counts)
{
    ImapSession *s = imap_open(cfg.imap_url, cfg.imap_user, cfg.imap_password);
    if (!s) {
        log_warn("event=mail_poll_failed reason=not_an_imap_url");
        return false;
    }
    int64_t *uids = NULL;
    int count = 0;
    bool ok = imap_search_unseen(s, &uids, &count);
    if (count > cfg.imap_max_messages)
        count = (int)cfg.imap_max_messages;
    for (int i = 0; ok && i < count && !(stop && *stop); i++) {
        Buf msg;
        buf_init(&msg, NULL);
        bool too_large = false;
        ok = imap_fetch(s, uids[i], cfg.mail_in_max_bytes, &msg, &too_large);
        if (ok) {
            Arena a;
            arena_init(&a, 64 * 1024);
            MailInResult r = mail_in_file(db, &a, msg.data ? msg.data : "", msg.len, clock_now());
            bool final = r.status != MAIL_IN_TEMPORARY;
            counts->filed += r.status == MAIL_IN_FILED;
            counts->ignored += r.status == MAIL_IN_IGNORED;
            counts->rejected += r.status == MAIL_IN_REJECTED;
            counts->retry += !final;
            if (report) {
                fprintf(report, "uid %lld: %s%s%s%s%s\n", (long long)uids[i], r.outcome,
                        *r.key ? " " : "", r.key,
                        r.status != MAIL_IN_FILED && *r.detail ? ": " : "",
                        r.status != MAIL_IN_FILED ? r.detail : "");
                fflush(report);
            }
            /* fetching set \Seen on most servers: a retry needs it cleared again */
            ok = imap_set_seen(s, uids[i], final);
            arena_free(&a);
        }
        buf_free(&msg);
    }
    free(uids);
    imap_close(s);
    return ok;
}

/* ---- the thread in serve ---- */

static pthread_mutex_t poller_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t poller_cond = PTHREAD_COND_INITIALIZER;
static pthread_t poller_thread;
static bool poller_running;
static volatile int poller_stopping;

static void *poller_main(void *arg)
{
    (void)arg;
    for (;;) {
        Db *db = db_thread();
        MailPollCounts counts = {0};
        if (db && !mail_poll_once(db, NULL, &poller_stopping, &counts))
            log_warn("event=mail_poll_failed");
        if (counts.filed)
            outbox_worker_wake(); /* confirmations and notifications go out now */
        if (counts.filed + counts.ignored + counts.rejected + counts.retry)
            log_info("event=mail_polled filed=%d ignored=%d rejected=%d retry=%d", counts.filed,
                     counts.ignored, counts.rejected, counts.retry);
        pthread_mutex_lock(&poller_lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += cfg.mail_poll_seconds;
        while (!poller_stopping && pthread_cond_timedwait(&poller_cond, &poller_lock, &until) == 0)
            ;
        bool stop = poller_stopping;
        pthread_mutex_unlock(&poller_lock);
        if (stop)
            break;
    }
    db_thread_close();
    return NULL;
}

void mail_poller_start(void)
{
    if (poller_running || !cfg.imap_url || !*cfg.imap_url || cfg.mail_poll_seconds <= 0)
        return;
    poller_stopping = 0;
    if (pthread_create(&poller_thread, NULL, poller_main, NULL) != 0) {
        log_error("event=mail_poller_start_failed");
        return;
    }
    poller_running = true;
    thread_name(poller_thread, "mail_poll");
    log_info("event=mail_poller_started seconds=%lld", (long long)cfg.mail_poll_seconds);
}

void mail_poller_stop(void)
{
    if (!poller_running)
        return;
    pthread_mutex_lock(&poller_lock);
    poller_stopping = 1;
    pthread_cond_broadcast(&poller_cond);
    pthread_mutex_unlock(&poller_lock);
    pthread_join(poller_thread, NULL);
    poller_running = false;
}
