/* notify (domain): the mails about a request's activity - new comments, status changes and
 * shares - to its reporter and participants, in each recipient's language, threaded under the
 * request's first Message-ID. Queued in the caller's transaction (outbox), never sent here.
 * SECURITY: only customers who take part get mail, never the person who acted, never about
 * internal events; bodies hold the public comment text and a link, never a token. */
#ifndef PFORTE_DOMAIN_NOTIFY_H
#define PFORTE_DOMAIN_NOTIFY_H
#include "core/arena.h"
#include "domain/requests.h"
#include "store/db.h"
#include "store/users.h"
#include <stdint.h>

typedef enum {
    NOTIFY_COMMENT, /* comment and/or files */
    NOTIFY_STATUS,  /* old_status -> new_status */
    NOTIFY_SHARED,  /* recipient_id was given access */
} NotifyKind;

typedef struct NotifyChange {
    NotifyKind kind;
    int64_t event_id;
    const char *comment;           /* NOTIFY_COMMENT: Markdown source, may be "" */
    const char *const *file_names; /* NOTIFY_COMMENT: names of attached files */
    int file_count;
    const char *old_status, *new_status; /* NOTIFY_STATUS: status keys */
    int64_t recipient_id;                /* NOTIFY_SHARED: the one person to tell */
} NotifyChange;

/* The portal's name as mails show it: the admin's setting, else the configured one. */
const char *notify_portal_name(Db *db, Arena *a);

/* Queues one mail per person to tell (reporter and participants who are customers with a
 * password, have notifications on, are not disabled and are not the actor), each with [KEY] in the
 * subject, In-Reply-To/References set to the request's Message-ID (created and stored with the
 * first mail when the request has none) and a link to the request. Call inside the transaction of
 * the change. */
DbResult notify_request_change(Db *db, Arena *a, const RequestView *r, const Viewer *actor,
                               const NotifyChange *change, int64_t now);

/* Invites u (an account without password, just made a participant of r by actor): a
 * one-time link (purpose "invite", valid verify_token_hours) that finishes the registration
 * and then opens the request, in u's language. In the caller's transaction.
 * SECURITY: only the token's hash is stored; the raw token exists only in the queued mail. */
DbResult notify_invitation(Db *db, Arena *a, const RequestView *r, const Viewer *actor,
                           const User *u, int64_t now);

#endif
