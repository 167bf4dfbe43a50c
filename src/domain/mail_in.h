/* mail_in (domain): files one inbound mail - a reply becomes a comment on its request, a new
 * mail from a known customer a new request, everything else is logged and left alone. Used by
 * `pforte mail-in` (one message from an MTA) and `pforte mail-poll` (IMAP). No HTTP here.
 * SECURITY: a mail is filed only for a registered, enabled sender who may take part in the
 * request (reporter, participant or agent); the request is found by its unguessable reply token
 * or by its key together with a Message-ID the portal sent; auto-replies, bounces, bulk mail and
 * the portal's own mail are never filed (no mail loops); a Message-ID is filed once; filing is
 * rate-limited per sender; comments and requests go through activity_comment and
 * request_create, so their checks, limits and notifications apply unchanged. */
#ifndef PFORTE_DOMAIN_MAIL_IN_H
#define PFORTE_DOMAIN_MAIL_IN_H
#include "core/arena.h"
#include "store/db.h"
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MAIL_IN_FILED,     /* a comment or a new request */
    MAIL_IN_IGNORED,   /* on purpose: automatic mail, duplicate, unknown sender, no match */
    MAIL_IN_REJECTED,  /* not a message, too large, or refused by the request's limits */
    MAIL_IN_TEMPORARY, /* database busy or sender over the rate limit: try again later */
} MailInStatus;

typedef struct MailInResult {
    MailInStatus status;
    const char *outcome; /* the log word: comment, created, duplicate, auto_reply, bounce, loop,
                          * bulk, unknown_sender, not_allowed, no_match, empty, too_large,
                          * unparsable, invalid, rejected, rate_limited, unavailable */
    const char *key;     /* the request filed on ("" when none) */
    int64_t event_id;    /* the comment's event (0 when none) */
    const char *detail;  /* for people reading the log or an MTA's bounce, English */
} MailInResult;

/* Files the message data[0..size) received at now. Every outcome but MAIL_IN_TEMPORARY is
 * written to the inbound mail log. Queues the mails filing causes (wake nothing: the caller is
 * not the server; the server's worker finds them). */
MailInResult mail_in_file(Db *db, Arena *a, const char *data, size_t size, int64_t now);

/* The exit code for an MTA: 0 filed or ignored on purpose, 65 (EX_DATAERR) rejected, 75
 * (EX_TEMPFAIL) try again later. */
int mail_in_exit_code(MailInStatus status);

#endif
