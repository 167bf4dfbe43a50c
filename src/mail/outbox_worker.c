/* outbox_worker: the mail delivery thread and the one-message step it repeats (claim,
 * deliver, record outcome with backoff). One global worker per process (core/worker_loop);
 * outbox_worker_wake() cuts its poll short.
 * SECURITY: logs ids, attempt counts and transport errors only - never a body, a recipient
 * or anything from the message (which may carry tokens and links). */
#include "domain/admin.h"
#include "domain/request_create.h"
#include "mail/outbox_worker.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "core/worker_loop.h"
#include "mail/message.h"
#include "mail/transport.h"
#include "store/outbox.h"
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    RETRY_FIRST_SECONDS = 30,
    RETRY_MAX_SECONDS = 3600,
    ERROR_TEXT_MAX = 300, /* bytes of transport error kept in the row and the log */
    MARK_TRIES = 5,       /* recording an outcome is retried while the database is busy */
    NO_DATABASE_WAIT_MS = 5000,
};
/* A batch's memory: blocks of 64 KB; the worker's arena keeps up to 1 MB between batches
 * (32 confirmation mails took 900 KB under load) */
#define OUTBOX_ARENA_BLOCK (64 * 1024)
#define OUTBOX_ARENA_KEEP (1024 * 1024)

static void *worker_main(void *arg);
static WorkerLoop worker = WORKER_LOOP_INIT("outbox_worker", worker_main);

int64_t outbox_retry_delay(int64_t attempts)
{
    int64_t delay = RETRY_FIRST_SECONDS;
    for (int64_t i = 1; i < attempts && delay < RETRY_MAX_SECONDS; i++)
        delay *= 2;
    return delay < RETRY_MAX_SECONDS ? delay : RETRY_MAX_SECONDS;
}

/* The error as it goes into the row and the log: one line, no quotes, bounded, whole UTF-8. */
static const char *error_clean(Arena *a, const char *error)
{
    size_t n = strlen(error);
    if (n > ERROR_TEXT_MAX) {
        n = ERROR_TEXT_MAX;
        while (n > 0 && ((unsigned char)error[n] & 0xc0) == 0x80)
            n--;
    }
    char *s = arena_strndup(a, error, n);
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\' || *p == 0x7f)
            *p = ' ';
    return *s ? s : "unknown error";
}

typedef enum { MARK_SENT, MARK_RETRY, MARK_FAILED } OutboxMark;

static DbResult outbox_mark(Db *db, OutboxMark mark, int64_t id, const char *error, int64_t when)
{
    DbResult r = DB_BUSY;
    for (int i = 0; i < MARK_TRIES && r == DB_BUSY; i++) {
        if (i > 0)
            usleep(200 * 1000);
        if (mark == MARK_SENT)
            r = outbox_mark_sent(db, id, when);
        else if (mark == MARK_RETRY)
            r = outbox_mark_retry(db, id, error, when);
        else
            r = outbox_mark_failed(db, id, error);
    }
    return r;
}

static void outbox_record(Db *db, Arena *a, const OutboxItem *it, MailDeliveryResult result,
                          const char *raw_error, int64_t now)
{
    long long id = (long long)it->id, attempts = (long long)it->attempts;
    int64_t deadline = it->created_at + cfg.mail_retry_hours * 3600;
    const char *error = error_clean(a, raw_error);
    DbResult r;
    if (result == MAIL_DELIVERED) {
        r = outbox_mark(db, MARK_SENT, it->id, NULL, now);
        log_info("event=mail_sent id=%lld attempts=%lld", id, attempts);
    } else if (result == MAIL_PERMANENT_FAILURE || now >= deadline) {
        r = outbox_mark(db, MARK_FAILED, it->id, error, 0);
        log_warn("event=mail_failed id=%lld attempts=%lld permanent=%d error=\"%s\"", id, attempts,
                 result == MAIL_PERMANENT_FAILURE, error);
    } else {
        int64_t next = now + outbox_retry_delay(it->attempts);
        if (next > deadline)
            next = deadline; /* one last try when the window closes */
        r = outbox_mark(db, MARK_RETRY, it->id, error, next);
        log_info("event=mail_retry id=%lld attempts=%lld next_in=%llds error=\"%s\"", id, attempts,
                 (long long)(next - now), error);
    }
    if (r != DB_OK)
        log_warn("event=outbox_record_failed id=%lld result=%d", id, (int)r);
}

/* The bytes of a mail queued without them (outbox_enqueue_composed), built now from the
 * database as it is. False (error filled) when they cannot be: the row is tried again later
 * like a mail the server did not take. */
static bool outbox_compose(Db *db, Arena *a, OutboxItem *it, int64_t now, Buf *error)
{
    if (!*it->compose)
        return true;
    Buf message;
    buf_init(&message, a);
    if (str_eq(it->compose, OUTBOX_REQUEST_CREATED) &&
        request_confirmation_build(db, a, it->request_number, now, &message)) {
        it->message = message.data;
        it->message_len = message.len;
        return true;
    }
    buf_printf(error, "the mail could not be composed (%s of request %lld)", it->compose,
               (long long)it->request_number);
    return false;
}

bool outbox_deliver_one(Db *db, int64_t now)
{
    Arena a;
    arena_init(&a, 16384);
    OutboxItem it;
    DbResult r = outbox_claim_due(db, now, OUTBOX_LEASE_SECONDS, &it, &a);
    if (r != DB_ROW) {
        if (r != DB_OK)
            log_warn("event=outbox_claim_failed result=%d", (int)r);
        arena_free(&a);
        return false;
    }
    const char *name = NULL, *from = NULL;
    if (!mail_mailbox_parse(&a, settings_now()->mail_from, &name, &from))
        from = NULL; /* the transport reports the bad setting */
    Buf error;
    buf_init(&error, &a);
    MailDeliveryResult result =
        outbox_compose(db, &a, &it, now, &error)
            ? mail_transport_deliver(settings_now()->mail, cfg.data, from, it.recipient,
                                     it.message, it.message_len, &error)
            : MAIL_TEMPORARY_FAILURE;
    outbox_record(db, &a, &it, result, buf_cstr(&error), now);
    arena_free(&a);
    return true;
}

/* outbox_deliver_batch with its memory from a (left for the caller to reset or free). */
static int deliver_batch(Db *db, int64_t now, Arena *a)
{
    OutboxItem *items = arena_alloc(a, sizeof *items * OUTBOX_BATCH);
    int n = 0;
    /* the claims in one transaction: one commit for the batch instead of one per mail */
    bool claiming = db_begin(db) == DB_OK;
    while (n < OUTBOX_BATCH) {
        DbResult r = outbox_claim_due(db, now, OUTBOX_LEASE_SECONDS, &items[n], a);
        if (r != DB_ROW) {
            if (r != DB_OK)
                log_warn("event=outbox_claim_failed result=%d", (int)r);
            break;
        }
        n++;
    }
    if (claiming && db_commit(db) != DB_OK) {
        log_warn("event=outbox_claim_commit_failed count=%d", n);
        n = 0; /* nothing was claimed: the rows stay queued */
    }
    if (n == 0)
        return 0;
    const char *name = NULL, *from = NULL;
    const Config *now_cfg = settings_now(); /* admins may change the transport at runtime */
    if (!mail_mailbox_parse(a, now_cfg->mail_from, &name, &from))
        from = NULL; /* the transport reports the bad setting */
    MailBatchItem *batch = arena_alloc(a, sizeof *batch * (size_t)n);
    MailDeliveryResult *results = arena_alloc(a, sizeof *results * (size_t)n);
    Buf *errors = arena_alloc(a, sizeof *errors * (size_t)n);
    int *of_batch = arena_alloc(a, sizeof *of_batch * (size_t)n); /* batch slot -> item */
    int ready = 0;
    for (int i = 0; i < n; i++) {
        buf_init(&errors[i], a);
        results[i] = MAIL_TEMPORARY_FAILURE;
        if (!outbox_compose(db, a, &items[i], now, &errors[i]))
            continue;
        batch[ready] = (MailBatchItem){items[i].recipient, items[i].message, items[i].message_len};
        of_batch[ready++] = i;
    }
    MailDeliveryResult *sent = arena_alloc(a, sizeof *sent * (size_t)n);
    Buf *sent_errors = arena_alloc(a, sizeof *sent_errors * (size_t)n);
    for (int k = 0; k < ready; k++)
        buf_init(&sent_errors[k], a);
    if (ready > 0)
        mail_transport_deliver_batch(now_cfg->mail, cfg.data, from, batch, ready, sent,
                                     sent_errors);
    for (int k = 0; k < ready; k++) {
        results[of_batch[k]] = sent[k];
        errors[of_batch[k]] = sent_errors[k];
    }
    /* the outcomes in one transaction (one commit instead of n); one by one if that fails */
    bool together = db_begin(db) == DB_OK;
    for (int i = 0; i < n; i++)
        outbox_record(db, a, &items[i], results[i], buf_cstr(&errors[i]), now);
    if (together && db_commit(db) != DB_OK) {
        log_warn("event=outbox_record_batch_failed count=%d", n);
        for (int i = 0; i < n; i++)
            outbox_record(db, a, &items[i], results[i], buf_cstr(&errors[i]), now);
    }
    return n;
}

int outbox_deliver_batch(Db *db, int64_t now)
{
    Arena a;
    arena_init(&a, OUTBOX_ARENA_BLOCK);
    int n = deliver_batch(db, now, &a);
    arena_free(&a);
    return n;
}

/* ---- the thread ---- */

static void *worker_main(void *arg)
{
    /* libcurl with CURLOPT_NOSIGNAL leaves SIGPIPE alone: a server closing a TLS connection
     * must give EPIPE, not end the process */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    log_info("event=outbox_worker_started transport=%s",
             str_eq(cfg.mail, "maildir") ? "maildir" : "smtp");
    /* one arena for every batch, which keeps a block of a batch's size (arena_keep): freeing
     * it after each batch made glibc give its pages back and fault them in again */
    Arena a;
    arena_init(&a, OUTBOX_ARENA_BLOCK);
    arena_keep(&a, OUTBOX_ARENA_KEEP);
    while (!worker_loop_should_stop(&worker)) {
        Db *db = db_thread();
        int sent = 1;
        while (db && !worker_loop_should_stop(&worker) && sent > 0) {
            sent = deliver_batch(db, clock_now(), &a);
            arena_reset(&a);
        }
        worker_loop_wait(&worker, db ? cfg.outbox_poll_ms : NO_DATABASE_WAIT_MS);
    }
    arena_free(&a);
    db_thread_close();
    log_info("event=outbox_worker_stopped");
    return NULL;
}

void outbox_worker_start(void)
{
    /* libcurl is opened and initialised on the first SMTP delivery (curl_lib_load):
     * a Maildir-only server never maps it or the TLS libraries behind it */
    worker_loop_start(&worker);
}

void outbox_worker_stop(void)
{
    worker_loop_stop(&worker);
}

void outbox_worker_wake(void)
{
    worker_loop_wake(&worker);
}
