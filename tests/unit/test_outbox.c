/* test_outbox: the outbox store against a temporary SQLite database (enqueue, claim with
 * lease, outcomes, concurrent claims) and the delivery worker on top of it (Maildir delivery,
 * retry with backoff until the retry window closes, permanent failure, crash recovery, and
 * the thread delivering within milliseconds of outbox_worker_wake). Times are explicit. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/str.h"
#include "mail/mail.h"
#include "mail/transport.h"
#include "store/db.h"
#include "store/outbox.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define T0 1764460740
#define LEASE 300

static char temp_root[256];
static int db_counter;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* A fresh, migrated database in its own data directory; cfg points there. */
static Db *fresh_db(Arena *a, const char **data_dir)
{
    *data_dir = arena_printf(a, "%s/data%d", temp_root, ++db_counter);
    assert_int_equal(mkdir(*data_dir, 0700), 0);
    cfg.data = (char *)*data_dir;
    cfg.db = NULL;
    Db *db = db_open(arena_printf(a, "%s/pforte.db", *data_dir));
    assert_non_null(db);
    assert_int_equal(db_migrate(db), DB_OK);
    return db;
}

static int count_state(Db *db, const char *state)
{
    int64_t n = -1;
    assert_int_equal(outbox_count_by_state(db, state, &n), DB_OK);
    return (int)n;
}

static OutboxItem newest(Db *db, Arena *a)
{
    OutboxItem *items;
    size_t n;
    assert_int_equal(outbox_list_recent(db, a, 1, &items, &n), DB_OK);
    assert_int_equal(n, 1);
    return items[0];
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* ---- store ---- */

static const char MESSAGE[] = "Subject: x\r\n\r\nbinary \0 safe\r\n";

static void test_enqueue_and_claim_with_lease(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    assert_int_equal(
        outbox_enqueue(db, "kunde@example.org", "Betreff", MESSAGE, sizeof MESSAGE - 1, T0), DB_OK);
    assert_int_equal(count_state(db, "queued"), 1);
    OutboxItem it;
    assert_int_equal(outbox_claim_due(db, T0 - 1, LEASE, &it, &a), DB_OK); /* not due yet */
    assert_int_equal(outbox_claim_due(db, T0, LEASE, &it, &a), DB_ROW);
    assert_string_equal(it.recipient, "kunde@example.org");
    assert_string_equal(it.subject, "Betreff");
    assert_int_equal(it.message_len, sizeof MESSAGE - 1);
    assert_memory_equal(it.message, MESSAGE, sizeof MESSAGE - 1);
    assert_int_equal(it.attempts, 1);
    assert_int_equal(it.created_at, T0);
    assert_int_equal(it.lease_until, T0 + LEASE);
    assert_int_equal(count_state(db, "sending"), 1);
    assert_int_equal(count_state(db, "queued"), 0);

    /* leased: nobody else gets it until the lease runs out (a crashed delivery) */
    OutboxItem again;
    assert_int_equal(outbox_claim_due(db, T0, LEASE, &again, &a), DB_OK);
    assert_int_equal(outbox_claim_due(db, T0 + LEASE - 1, LEASE, &again, &a), DB_OK);
    assert_int_equal(outbox_claim_due(db, T0 + LEASE, LEASE, &again, &a), DB_ROW);
    assert_int_equal(again.id, it.id);
    assert_int_equal(again.attempts, 2);
    assert_int_equal(again.lease_until, T0 + 2 * LEASE);
    db_close(db);
    arena_free(&a);
}

/* A read snapshot opened inside a transaction (the settings catalog refreshed by a writer)
 * joins that transaction: it neither fails nor commits the writer's work early. */
static void test_read_snapshot_inside_a_transaction(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(
        outbox_enqueue(db, "kunde@example.org", "Betreff", MESSAGE, sizeof MESSAGE - 1, T0), DB_OK);
    assert_int_equal(db_read_begin(db), DB_OK);
    assert_int_equal(count_state(db, "queued"), 1); /* sees the writer's own row */
    db_read_end(db);
    db_rollback(db);
    assert_int_equal(count_state(db, "queued"), 0); /* still the writer's to roll back */

    assert_int_equal(db_read_begin(db), DB_OK); /* outside a transaction: a snapshot of its own */
    assert_int_equal(count_state(db, "queued"), 0);
    db_read_end(db);
    assert_int_equal(db_begin(db), DB_OK); /* and closed again: a write transaction can start */
    db_rollback(db);
    db_close(db);
    arena_free(&a);
}

static void test_outcomes(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    for (int i = 0; i < 3; i++)
        assert_int_equal(
            outbox_enqueue(db, "k@example.org", arena_printf(&a, "m%d", i), "x", 1, T0 + i), DB_OK);
    OutboxItem first, second, third, retried;
    /* due order: oldest first */
    assert_int_equal(outbox_claim_due(db, T0 + 10, LEASE, &first, &a), DB_ROW);
    assert_int_equal(outbox_claim_due(db, T0 + 10, LEASE, &second, &a), DB_ROW);
    assert_int_equal(outbox_claim_due(db, T0 + 10, LEASE, &third, &a), DB_ROW);
    assert_string_equal(first.subject, "m0");
    assert_string_equal(second.subject, "m1");
    assert_string_equal(third.subject, "m2");

    assert_int_equal(outbox_mark_sent(db, first.id, T0 + 11), DB_OK);
    assert_int_equal(outbox_mark_sent(db, first.id, T0 + 12), DB_CONFLICT); /* not sending */
    assert_int_equal(outbox_mark_retry(db, first.id, "late", T0 + 99), DB_CONFLICT);

    assert_int_equal(outbox_mark_retry(db, second.id, "smtp: refused", T0 + 40), DB_OK);
    assert_int_equal(outbox_claim_due(db, T0 + 39, LEASE, &retried, &a), DB_OK);
    assert_int_equal(outbox_claim_due(db, T0 + 40, LEASE, &retried, &a), DB_ROW);
    assert_int_equal(retried.id, second.id);
    assert_int_equal(retried.attempts, 2);
    assert_string_equal(retried.last_error, "smtp: refused");

    assert_int_equal(outbox_mark_failed(db, third.id, "smtp: 550 no such user"), DB_OK);
    assert_int_equal(outbox_mark_failed(db, third.id, "again"), DB_CONFLICT);

    assert_int_equal(count_state(db, "sent"), 1);
    assert_int_equal(count_state(db, "sending"), 1);
    assert_int_equal(count_state(db, "failed"), 1);
    assert_int_equal(count_state(db, "queued"), 0);

    OutboxItem *items;
    size_t n;
    assert_int_equal(outbox_list_recent(db, &a, 10, &items, &n), DB_OK);
    assert_int_equal(n, 3);
    assert_int_equal(items[0].id, third.id); /* newest first */
    assert_string_equal(items[0].state, "failed");
    assert_string_equal(items[0].last_error, "smtp: 550 no such user");
    assert_null(items[0].message);
    assert_string_equal(items[1].state, "sending");
    assert_string_equal(items[2].state, "sent");
    assert_int_equal(items[2].sent_at, T0 + 11);
    assert_string_equal(items[2].last_error, "");
    assert_int_equal(items[0].sent_at, 0);
    assert_int_equal(outbox_list_recent(db, &a, 2, &items, &n), DB_OK);
    assert_int_equal(n, 2);
    db_close(db);
    arena_free(&a);
}

/* ---- several workers at once ---- */

enum { CONCURRENT_ROWS = 120, CONCURRENT_WORKERS = 4 };

typedef struct ClaimRun {
    const char *path;
    int claimed[CONCURRENT_ROWS + 1];
    int count;
} ClaimRun;

static void *claim_all(void *arg)
{
    ClaimRun *run = arg;
    Db *db = db_open(run->path);
    Arena a;
    arena_init(&a, 4096);
    for (;;) {
        OutboxItem it;
        DbResult r = outbox_claim_due(db, T0, LEASE, &it, &a);
        if (r == DB_BUSY)
            continue;
        if (r != DB_ROW)
            break;
        run->claimed[run->count++] = (int)it.id;
        arena_reset(&a);
    }
    arena_free(&a);
    db_close(db);
    return NULL;
}

static void test_concurrent_claims_take_each_row_once(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    assert_int_equal(db_begin(db), DB_OK);
    for (int i = 0; i < CONCURRENT_ROWS; i++)
        assert_int_equal(outbox_enqueue(db, "k@example.org", "s", "x", 1, T0), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    static ClaimRun runs[CONCURRENT_WORKERS];
    pthread_t threads[CONCURRENT_WORKERS];
    for (int i = 0; i < CONCURRENT_WORKERS; i++) {
        memset(&runs[i], 0, sizeof runs[i]);
        runs[i].path = arena_printf(&a, "%s/pforte.db", data);
        assert_int_equal(pthread_create(&threads[i], NULL, claim_all, &runs[i]), 0);
    }
    int seen[CONCURRENT_ROWS + 1] = {0}, total = 0;
    for (int i = 0; i < CONCURRENT_WORKERS; i++) {
        pthread_join(threads[i], NULL);
        for (int k = 0; k < runs[i].count; k++) {
            assert_in_range(runs[i].claimed[k], 1, CONCURRENT_ROWS);
            assert_int_equal(seen[runs[i].claimed[k]]++, 0); /* never twice */
            total++;
        }
    }
    assert_int_equal(total, CONCURRENT_ROWS);
    db_close(db);
    arena_free(&a);
}

/* ---- the delivery worker ---- */

static MailMessage sample(const char *to)
{
    MailMessage m = {0};
    m.from = cfg.mail_from;
    m.to = to;
    m.subject = "Ihre Anfrage SUP-9";
    m.text = "Hallo,\nes gibt Neuigkeiten.\n";
    return m;
}

static void queue_committed(Db *db, Arena *a, const char *to, int64_t now)
{
    MailMessage m = sample(to);
    assert_int_equal(db_begin(db), DB_OK);
    assert_true(mail_queue(db, a, &m, now));
    assert_int_equal(db_commit(db), DB_OK);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static void test_retry_delay(void **state)
{
    const int64_t expected[][2] = {{1, 30},  {2, 60},   {3, 120},  {4, 240},  {5, 480},
                                   {6, 960}, {7, 1920}, {8, 3600}, {9, 3600}, {1000, 3600}};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        assert_int_equal(outbox_retry_delay(expected[i][0]), expected[i][1]);
}

static void test_deliver_one_to_maildir(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    cfg.mail = (char *)"maildir";
    queue_committed(db, &a, "kunde@example.org", T0);
    assert_false(outbox_deliver_one(db, T0 - 1));
    assert_true(outbox_deliver_one(db, T0));
    assert_false(outbox_deliver_one(db, T0)); /* nothing left */
    const char *new_dir = arena_printf(&a, "%s/mail/new", data);
    assert_int_equal(count_files(new_dir), 1);
    OutboxItem it = newest(db, &a);
    assert_string_equal(it.state, "sent");
    assert_int_equal(it.attempts, 1);
    assert_int_equal(it.sent_at, T0);
    db_close(db);
    arena_free(&a);
}

/* The worker's step: a batch of due mails reaches new/ with one flush; each outcome is its
 * own (an invalid address fails for good, the others are sent); the rest waits its turn. */
static void test_deliver_batch_to_maildir(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    cfg.mail = (char *)"maildir";
    for (int i = 0; i < OUTBOX_BATCH + 3; i++)
        if (i == 1) /* an address mail_queue would refuse, as a row from an older version */
            assert_int_equal(outbox_enqueue(db, "kein-empfaenger", "Betreff", "x", 1, T0), DB_OK);
        else
            queue_committed(db, &a, "kunde@example.org", T0);
    assert_int_equal(outbox_deliver_batch(db, T0 - 1), 0);
    assert_int_equal(outbox_deliver_batch(db, T0), OUTBOX_BATCH);
    const char *new_dir = arena_printf(&a, "%s/mail/new", data);
    assert_int_equal(count_files(new_dir), OUTBOX_BATCH - 1);
    assert_int_equal(count_files(arena_printf(&a, "%s/mail/tmp", data)), 0);
    assert_int_equal(outbox_deliver_batch(db, T0), 3);
    assert_int_equal(outbox_deliver_batch(db, T0), 0);
    assert_int_equal(count_files(new_dir), OUTBOX_BATCH + 2);
    OutboxItem *rows;
    size_t count = 0;
    assert_int_equal(outbox_list_recent(db, &a, 100, &rows, &count), DB_OK);
    int sent = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        sent += strcmp(rows[i].state, "sent") == 0;
        failed += strcmp(rows[i].state, "failed") == 0;
    }
    assert_int_equal(sent, OUTBOX_BATCH + 2);
    assert_int_equal(failed, 1);
    db_close(db);
    arena_free(&a);
}

/* A mail queued without its bytes is built when delivered; when that is impossible (here: no
 * request 999) it goes back to the queue with the reason, and the batch's other mails are
 * delivered all the same. */
static void test_composed_mail_that_cannot_be_built_waits(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    cfg.mail = (char *)"maildir";
    queue_committed(db, &a, "kunde@example.org", T0);
    queue_committed(db, &a, "kunde@example.org", T0);
    assert_int_equal(outbox_enqueue_composed(db, "kundin@example.org", "Ihre Anfrage SUP-999",
                                             OUTBOX_REQUEST_CREATED, 999, T0),
                     DB_OK);
    assert_int_equal(outbox_deliver_batch(db, T0), 3);
    assert_int_equal(count_files(arena_printf(&a, "%s/mail/new", data)), 2);
    OutboxItem *rows;
    size_t count = 0;
    assert_int_equal(outbox_list_recent(db, &a, 10, &rows, &count), DB_OK);
    assert_int_equal(count, 3);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(rows[i].recipient, "kundin@example.org") != 0) {
            assert_string_equal(rows[i].state, "sent");
            continue;
        }
        assert_string_equal(rows[i].state, "queued");
        assert_int_equal(rows[i].attempts, 1);
        assert_int_equal(rows[i].next_attempt_at, T0 + 30);
        assert_non_null(strstr(rows[i].last_error, "could not be composed"));
        assert_string_equal(rows[i].subject, "Ihre Anfrage SUP-999");
    }
    assert_true(outbox_deliver_one(db, T0 + 30)); /* the lone retry (the newest row) too */
    assert_string_equal(newest(db, &a).state, "queued");
    assert_int_equal(newest(db, &a).attempts, 2);
    db_close(db);
    arena_free(&a);
}

/* A refused connection is retried after 30 s, 1, 2, 4 ... minutes; when the retry window
 * (1 h here) closes, one last try at its end, then the row is failed with the last error. */
static void test_retry_until_window_closes(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    cfg.mail = arena_printf(&a, "smtp://127.0.0.1:%d", free_port());
    cfg.mail_retry_hours = 1;
    queue_committed(db, &a, "kunde@example.org", T0);
    const int64_t tries[] = {T0,       T0 + 30,  T0 + 90,   T0 + 210,
                             T0 + 450, T0 + 930, T0 + 1890, T0 + 3600};
    size_t ntries = sizeof tries / sizeof tries[0];
    for (size_t i = 0; i < ntries; i++) {
        if (i > 0)
            assert_false(outbox_deliver_one(db, tries[i] - 1)); /* not before it is due */
        assert_true(outbox_deliver_one(db, tries[i]));
        OutboxItem it = newest(db, &a);
        assert_int_equal(it.attempts, (int64_t)i + 1);
        assert_true(str_starts_with(it.last_error, "smtp: "));
        if (i + 1 < ntries) {
            assert_string_equal(it.state, "queued");
            assert_int_equal(it.next_attempt_at, tries[i + 1]);
        } else {
            assert_string_equal(it.state, "failed");
        }
    }
    assert_false(outbox_deliver_one(db, T0 + 100000));
    cfg.mail_retry_hours = 48;
    db_close(db);
    arena_free(&a);
}

static void test_permanent_failure_and_crash_recovery(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    cfg.mail = (char *)"maildir";
    /* a row whose recipient can never work fails at once */
    assert_int_equal(outbox_enqueue(db, "not an address", "s", "x", 1, T0), DB_OK);
    assert_true(outbox_deliver_one(db, T0));
    OutboxItem it = newest(db, &a);
    assert_string_equal(it.state, "failed");
    assert_int_equal(it.attempts, 1);
    assert_string_equal(it.last_error, "invalid recipient address");

    /* a worker that died after claiming: the row goes out once its lease has expired */
    queue_committed(db, &a, "kunde@example.org", T0);
    OutboxItem claimed;
    assert_int_equal(outbox_claim_due(db, T0, OUTBOX_LEASE_SECONDS, &claimed, &a), DB_ROW);
    assert_false(outbox_deliver_one(db, T0 + OUTBOX_LEASE_SECONDS - 1));
    assert_true(outbox_deliver_one(db, T0 + OUTBOX_LEASE_SECONDS));
    it = newest(db, &a);
    assert_int_equal(it.id, claimed.id);
    assert_string_equal(it.state, "sent");
    assert_int_equal(it.attempts, 2);
    assert_int_equal(count_files(arena_printf(&a, "%s/mail/new", data)), 1);
    db_close(db);
    arena_free(&a);
}

/* The thread polls only every minute here, so a mail arriving within a second proves the
 * wake-up works; stopping does not wait for the poll either. */
static void test_worker_thread_wakes_and_stops(void **state)
{
    Arena a;
    arena_init(&a, 8192);
    const char *data;
    Db *db = fresh_db(&a, &data);
    cfg.mail = (char *)"maildir";
    cfg.outbox_poll_ms = 60000;
    outbox_worker_stop(); /* not running: no-op */
    outbox_worker_start();
    outbox_worker_start(); /* already running: no-op */
    usleep(100 * 1000);    /* let it pass its first look and go to sleep */
    const char *new_dir = arena_printf(&a, "%s/mail/new", data);
    for (int round = 0; round < 3; round++) {
        queue_committed(db, &a, "kunde@example.org", clock_now());
        double start = clock_mono_ms();
        outbox_worker_wake();
        while (count_files(new_dir) < round + 1 && clock_mono_ms() - start < 3000)
            usleep(2000);
        double waited = clock_mono_ms() - start;
        print_message("mail %d delivered %.1f ms after the wake-up\n", round + 1, waited);
        assert_int_equal(count_files(new_dir), round + 1);
        assert_true(waited < 1000);
    }
    double start = clock_mono_ms();
    outbox_worker_stop();
    assert_true(clock_mono_ms() - start < 1000);
    assert_int_equal(count_state(db, "sent"), 3);
    outbox_worker_wake(); /* stopped: harmless */
    db_close(db);
    arena_free(&a);
}

static int group_setup(void **state)
{
    snprintf(temp_root, sizeof temp_root, "/tmp/pforte-test-outbox-XXXXXX");
    if (!mkdtemp(temp_root))
        return -1;
    cfg.mail_from = (char *)"Supportportal <support@example.com>";
    cfg.mail_retry_hours = 48;
    cfg.outbox_poll_ms = 500;
    return 0;
}

static int group_teardown(void **state)
{
    nftw(temp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enqueue_and_claim_with_lease),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_read_snapshot_inside_a_transaction),
        cmocka_unit_test(test_concurrent_claims_take_each_row_once),
        cmocka_unit_test(test_retry_delay),
        cmocka_unit_test(test_deliver_one_to_maildir),
        cmocka_unit_test(test_deliver_batch_to_maildir),
        cmocka_unit_test(test_composed_mail_that_cannot_be_built_waits),
        cmocka_unit_test(test_retry_until_window_closes),
        cmocka_unit_test(test_permanent_failure_and_crash_recovery),
        cmocka_unit_test(test_worker_thread_wakes_and_stops),
    };
    return cmocka_run_group_tests_name("outbox", tests, group_setup, group_teardown);
}
