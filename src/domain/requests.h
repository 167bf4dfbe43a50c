/* requests (domain): a customer's concern ("Anfrage") - creating it from its type's form,
 * finding it, and deciding who may see or change it. No HTTP here.
 * SECURITY: access is decided only here: a customer sees a request as its reporter, as a
 * participant, or as a member of the organization it is shared with; agents see all. A
 * request someone may not see does not exist for them (REQUEST_NOT_FOUND, a 404 page). */
#ifndef PFORTE_DOMAIN_REQUESTS_H
#define PFORTE_DOMAIN_REQUESTS_H
#include "core/arena.h"
#include "store/db.h"
#include "store/users.h"
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    REQUEST_OK = 0,
    REQUEST_INVALID,     /* input errors, see the FieldErrors of accounts.h */
    REQUEST_NOT_FOUND,   /* unknown, or not visible to this viewer */
    REQUEST_CONFLICT,    /* changed by someone else meanwhile */
    REQUEST_UNAVAILABLE, /* database busy: 503 */
    REQUEST_ERROR,       /* bug: 500 */
} RequestResult;

/* The statuses of DESIGN.md, stored as these keys. */
#define REQUEST_STATUS_OPEN "open"
#define REQUEST_STATUS_IN_PROGRESS "in_progress"
#define REQUEST_STATUS_WAITING_CUSTOMER "waiting_customer"
#define REQUEST_STATUS_WAITING_SUPPORT "waiting_support"
#define REQUEST_STATUS_RESOLVED "resolved"
#define REQUEST_STATUS_CLOSED "closed"

/* One request as a viewer may see it. */
typedef struct RequestView {
    int64_t id;
    int64_t number;
    char *key;            /* "SUP-42" */
    int64_t type_id;
    char *type_name;      /* in the viewer's language */
    int64_t reporter_id;
    char *reporter_name;
    char *reporter_email;
    int64_t organization_id; /* shared with this organization, 0 = not shared */
    char *organization_name;
    char *summary;
    char *description;
    char *status;
    char *priority;
    int64_t assignee_id;
    int64_t created_at;
    int64_t updated_at;
    int64_t version;
    char *reply_token;
    char *message_id;
} RequestView;

/* Who is asking: the signed-in user. */
typedef struct Viewer {
    int64_t user_id;
    int64_t organization_id;
    const char *role;     /* customer | agent | admin */
    const char *lang;
    const char *name;
    const char *email;
} Viewer;

/* "SUP-42" -> 42 when the prefix is the configured one (case-insensitive); false otherwise.
 * Only the canonical form counts: digits without sign or leading zeros, at most 18. */
bool request_parse_key(const char *key, int64_t *number);
/* The key of request number 42 with the configured prefix: "SUP-42", in a. */
char *request_format_key(Arena *a, int64_t number);
/* The same with a prefix the caller looked up once (settings_now()->key_prefix), for lists. */
char *request_format_key_prefixed(Arena *a, const char *prefix, int64_t number);
/* Fills v from the signed-in user (pointers into u, which must outlive v). */
void request_viewer_from_user(Viewer *v, const User *u);
/* True for agents and admins (who see every request). */
bool request_viewer_is_staff(const Viewer *v);
/* The English msgid naming a status for people ("Waiting for customer"); translate it with
 * page_t / i18n_get. Unknown statuses give the key itself. */
const char *request_status_msgid(const char *status);
/* True for the statuses the list's "closed" filter means: resolved and closed. */
bool request_status_is_closed(const char *status);
/* Maps a store result to a request result (DB_BUSY -> UNAVAILABLE, else ERROR). */
RequestResult request_db_failure(DbResult r);
/* Loads the request with that key if viewer may see it; REQUEST_NOT_FOUND otherwise. */
RequestResult request_open_for_viewer(Db *db, Arena *a, const Viewer *viewer, const char *key,
                                      RequestView *out);
/* True when viewer may see the request (reporter, participant, organization, agent). */
bool request_visible_to(Db *db, const Viewer *viewer, const RequestView *r);

#endif
