/* outbox: SQL for the mail outbox - the queue between a change and the mail reporting it.
 * Rows are written in the caller's transaction and claimed by delivery workers with a lease,
 * so a mail is neither lost (crash: the lease expires, the row is claimed again) nor taken
 * by two workers at once. Never logs message bytes or recipients. */
#ifndef PFORTE_STORE_OUTBOX_H
#define PFORTE_STORE_OUTBOX_H
#include "core/arena.h"
#include "store/db.h"
#include <stddef.h>
#include <stdint.h>

typedef struct OutboxItem {
    int64_t id;
    const char *recipient;
    const char *subject;
    const char *message; /* RFC 5322 bytes (NUL-terminated too); NULL in list results */
    size_t message_len;
    const char *state; /* queued | sending | sent | failed */
    int64_t attempts;  /* claims so far, including the current one */
    int64_t next_attempt_at;
    int64_t lease_until;
    const char *last_error;
    int64_t created_at;
    int64_t sent_at; /* 0 until sent */
    const char *compose;    /* "" or what the worker builds on delivery (outbox_enqueue_composed) */
    int64_t request_number; /* the request that mail is about */
} OutboxItem;

/* Inserts a queued message due at `now`. Call inside the transaction of the change the mail
 * reports; wake the worker (outbox_worker_wake) after the commit. DB_OK or an error. */
DbResult outbox_enqueue(Db *db, const char *recipient, const char *subject, const char *message,
                        size_t len, int64_t now);

/* outbox.compose of a new request's confirmation to its reporter */
#define OUTBOX_REQUEST_CREATED "request_created"

/* Inserts a queued mail without its bytes: the delivering worker builds them (`compose`
 * names what, e.g. "request_created", about request `request_number`), so the queuing
 * transaction stays short. subject is for the admin list. DB_OK or an error. */
DbResult outbox_enqueue_composed(Db *db, const char *recipient, const char *subject,
                                 const char *compose, int64_t request_number, int64_t now);

/* Atomically claims one due row - queued with next_attempt_at <= now, or sending with an
 * expired lease (a delivery interrupted by a crash) - setting state 'sending', lease_until
 * now + lease_seconds and attempts + 1. Safe with several processes: the update re-checks
 * that the row is still due.
 * Returns DB_ROW with *out filled (strings and message in a; message NULL when out->compose
 * is set), DB_OK when nothing is due, or an error. */
DbResult outbox_claim_due(Db *db, int64_t now, int64_t lease_seconds, OutboxItem *out, Arena *a);

/* The following only change a row that is still 'sending' (claimed); DB_CONFLICT when it is
 * not (the lease was lost), DB_OK when changed. */
/* Marks the row sent at `now` and clears the error. */
DbResult outbox_mark_sent(Db *db, int64_t id, int64_t now);
/* Puts the row back in the queue, due at next_attempt_at, keeping error as last_error. */
DbResult outbox_mark_retry(Db *db, int64_t id, const char *error, int64_t next_attempt_at);
/* Gives up on the row for good, keeping error as last_error. */
DbResult outbox_mark_failed(Db *db, int64_t id, const char *error);

/* Counts rows in `state` (queued|sending|sent|failed) into *count. */
DbResult outbox_count_by_state(Db *db, const char *state, int64_t *count);

/* The newest `limit` rows (newest first) without message bytes, for the admin page and tests:
 * *items is an array in a, *n its length. */
DbResult outbox_list_recent(Db *db, Arena *a, int limit, OutboxItem **items, size_t *n);

#endif
