/* outbox_worker: the thread in `pforte serve` that delivers queued mail - claims due outbox
 * rows, hands them to the transport, retries temporary failures with exponential backoff
 * within cfg.mail_retry_hours and marks the rest failed. Several processes may run it at
 * once; the claim lease keeps a mail from going out twice. Never logs bodies or addresses. */
#ifndef PFORTE_MAIL_OUTBOX_WORKER_H
#define PFORTE_MAIL_OUTBOX_WORKER_H
#include <stdbool.h>
#include <stdint.h>

typedef struct Db Db;

/* A claim lasts this long; deliveries time out well before (SMTP: 120 s). */
enum { OUTBOX_LEASE_SECONDS = 300 };

/* Starts the delivery thread (no-op when it runs already). It opens its own connection with
 * db_thread() and looks every cfg.outbox_poll_ms, or at once after outbox_worker_wake().
 * Call from the main thread before serving (it also initialises libcurl). */
void outbox_worker_start(void);
/* Asks the thread to end after the delivery in progress and waits for it. No-op when not
 * running. */
void outbox_worker_stop(void);
/* Makes the worker look now instead of at its next poll. Cheap, callable from any thread
 * at any time; call it after committing a transaction that queued mail. */
void outbox_worker_wake(void);

/* Claims one message due at `now` and delivers it with cfg.mail / cfg.data / cfg.mail_from,
 * then records the outcome (sent, retry at now + backoff, or failed). Returns true when a
 * message was handled, false when none was due or the database failed. The worker thread
 * calls it in a loop; tests call it directly with their own `now`. */
bool outbox_deliver_one(Db *db, int64_t now);
/* The same for up to OUTBOX_BATCH due messages at once (the worker's step): Maildir flushes
 * the whole batch with one sync, and the outcomes commit together. Returns how many were
 * handled. */
enum { OUTBOX_BATCH = 32 };
int outbox_deliver_batch(Db *db, int64_t now);

/* Seconds to wait after the attempts-th failed attempt: 30 s, 1, 2, 4 ... minutes, at most
 * one hour. */
int64_t outbox_retry_delay(int64_t attempts);

#endif
