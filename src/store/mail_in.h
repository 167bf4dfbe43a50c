/* mail_in (store): SQL for replies by e-mail - the Message-IDs the portal sent per request,
 * the inbound Message-IDs filed once, the log of inbound mail outcomes, and finding a request
 * by its reply token or by a Message-ID of its thread. Decides nothing. */
#ifndef PFORTE_STORE_MAIL_IN_H
#define PFORTE_STORE_MAIL_IN_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* Remembers that a mail with message_id was sent about request_id (in the caller's
 * transaction); a Message-ID recorded already is left alone. */
DbResult store_mail_sent_id_insert(Db *db, const char *message_id, int64_t request_id, int64_t now);
/* The request a Message-ID the portal sent belongs to (mail_sent_ids or the request's first
 * mail); *request_id 0 when the portal never sent it. */
DbResult store_mail_request_by_sent_id(Db *db, const char *message_id, int64_t *request_id);
/* The request whose reply token is token, compared case-insensitively (addresses get
 * lowercased on the way); *request_id and *number 0 when none. */
DbResult store_mail_request_by_reply_token(Db *db, const char *token, int64_t *request_id,
                                           int64_t *number);
/* The number of request id (0 when there is none). */
DbResult store_mail_request_number(Db *db, int64_t request_id, int64_t *number);

/* Whether an inbound mail with this Message-ID (or content hash) was filed already. */
DbResult store_mail_in_seen(Db *db, const char *message_id, bool *seen);
/* Records an inbound mail as filed; *inserted false when it was recorded already. */
DbResult store_mail_in_seen_insert(Db *db, const char *message_id, int64_t request_id,
                                   int64_t event_id, int64_t now, bool *inserted);

typedef struct MailInLogRow {
    int64_t received_at;
    const char *message_id;
    const char *sender;
    const char *subject;
    const char *outcome;
    int64_t request_id; /* 0 = none */
    int64_t event_id;   /* 0 = none */
    const char *detail;
} MailInLogRow;

/* Appends one line to the inbound mail log. */
DbResult store_mail_in_log_insert(Db *db, const MailInLogRow *row);

#endif
