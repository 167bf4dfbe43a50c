/* transport: hands one finished message to the world - a Maildir (the default, for tests and
 * single machines) or an SMTP server via libcurl (smtp:// with STARTTLS when offered, smtps://).
 * SECURITY: the error text it returns is stored and logged, so it never holds message
 * content or the credentials of the transport URL. */
#ifndef PFORTE_MAIL_TRANSPORT_H
#define PFORTE_MAIL_TRANSPORT_H
#include "core/buf.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    MAIL_DELIVERED = 0,
    MAIL_TEMPORARY_FAILURE, /* try again later: no connection, timeout, 4xx, local I/O */
    MAIL_PERMANENT_FAILURE, /* the server refused for good (5xx) */
} MailDeliveryResult;

/* Delivers message[0..len) for recipient. transport is cfg.mail: "maildir" writes it into
 * <data_dir>/mail/new/ (creating the Maildir); smtp://[user:pass@]host[:port] or smtps://...
 * sends it with envelope_from as MAIL FROM. On failure a short reason is appended to error. */
MailDeliveryResult mail_transport_deliver(const char *transport, const char *data_dir,
                                          const char *envelope_from, const char *recipient,
                                          const char *message, size_t len, Buf *error);

/* One message of a batch. */
typedef struct MailBatchItem {
    const char *recipient;
    const char *message;
    size_t len;
} MailBatchItem;

/* Delivers n messages like mail_transport_deliver, outcome i in results[i] and reason in
 * errors[i] (n initialised Bufs). Maildir writes every file, then flushes the file system
 * once (syncfs) and the new/ directory once - instead of two fsyncs a message; SMTP sends
 * one after another. */
void mail_transport_deliver_batch(const char *transport, const char *data_dir,
                                  const char *envelope_from, const MailBatchItem *items, int n,
                                  MailDeliveryResult *results, Buf *errors);
/* The Maildir part of it; errors[0] gets a reason that concerns all of them. */
void mail_maildir_deliver_batch(const char *maildir, const MailBatchItem *items, int n,
                                MailDeliveryResult *results, Buf *errors);

/* Maildir delivery alone: tmp/<unique>, fsync, rename into new/. The file name
 * (without directory) is appended to name_out when it is not NULL. */
MailDeliveryResult mail_maildir_deliver(const char *maildir, const char *message, size_t len,
                                        Buf *name_out, Buf *error);

#endif
