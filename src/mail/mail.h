/* mail: what domain code needs to send a mail - build it and queue it in the outbox within
 * the caller's transaction. Delivery happens later in the outbox worker, never in a handler.
 * SECURITY: mail_build rejects header injection; nothing here logs bodies or addresses. */
#ifndef PFORTE_MAIL_MAIL_H
#define PFORTE_MAIL_MAIL_H
#include "core/arena.h"
#include "mail/message.h"
#include "mail/outbox_worker.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct Db Db;

/* Builds m (mail_build, Date = now) and inserts it into the outbox, due at once. Call inside
 * the transaction of the change the mail reports, so both commit or neither does; after
 * db_commit call outbox_worker_wake() so it goes out within milliseconds instead of at the
 * next poll. Returns false when the message is invalid (a bug: logged) or the insert failed
 * (roll back). Memory comes from a. */
bool mail_queue(Db *db, Arena *a, const MailMessage *m, int64_t now);

#endif
