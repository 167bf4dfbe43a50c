/* desk (domain): what agents see and do on one request beyond the customer's page - who else
 * has it open or just replied, the customer's other requests, the staff to assign to - and
 * the agents' actions: public reply or internal note (with files and an optional status),
 * status, assignment and priority. Every action carries the stamp of the page it was made on
 * and is refused when the request changed since (nothing is overwritten silently). No HTTP.
 * SECURITY: every function is for staff only (REQUEST_NOT_FOUND for anyone else, like a
 * request they may not see); internal notes and their files are stored internal, never mailed,
 * never indexed for search and never touch what customers see (updated_at stays). */
#ifndef PFORTE_DOMAIN_DESK_H
#define PFORTE_DOMAIN_DESK_H
#include "domain/activity.h"
#include "store/desk.h"

#define DESK_PRESENCE_SECONDS 120    /* "is also viewing": opened within the last two minutes */
#define DESK_RECENT_REPLY_SECONDS 1800 /* "replied 2 minutes ago": within the last half hour */
#define DESK_OTHER_REQUESTS 10       /* the customer's other requests shown */

/* The state of the request a form was made from. */
typedef struct DeskStamp {
    int64_t version;       /* requests.version */
    int64_t last_event_id; /* the newest event the agent saw */
} DeskStamp;

/* What changed since a stamp: the newer events (internal ones included). */
typedef struct DeskConflict {
    EventRow *events;
    int count;
} DeskConflict;

/* The desk's additions to the request page. */
typedef struct DeskExtras {
    DeskStamp stamp;
    RequestPerson reporter; /* user_id 0 when unknown */
    OtherRequestRow *others;
    int other_count;
    StaffRow *staff;
    int staff_count;
    PresenceRow *viewers; /* other agents with the page open */
    int viewer_count;
    PresenceRow recent_reply; /* user_id 0 when none */
    bool recent_reply_internal;
    const char *assignee_name; /* "" when nobody */
} DeskExtras;

/* Loads the page as activity_page_load does (staff see internal events and files) plus the
 * extras, and records that c->viewer has the request open now. */
RequestResult desk_page_load(ActivityContext *c, const char *key, RequestPage *page,
                             DeskExtras *extras);

/* Adds a public reply (mailed to the customers who take part, indexed for search) or an
 * internal note (internal) with files. set_status ("" or NULL = keep, else a status key) is
 * applied with the workflow's rules; without it a reply on an open request moves it to in
 * progress. A public reply on a closed request needs a set_status that reopens it.
 * REQUEST_CONFLICT with *conflict filled when stamp is stale (nothing saved);
 * REQUEST_INVALID with errors (fields "body", "files", "status"). */
RequestResult desk_reply(ActivityContext *c, const char *key, const DeskStamp *stamp,
                         const char *body, bool internal, const char *set_status,
                         const NewAttachment *files, int file_count, FieldErrors *errors,
                         int64_t *event_id, DeskConflict *conflict);
/* Moves the status (workflow_status_allowed); mails the customers. REQUEST_INVALID with the
 * error field "status" for an unknown or not allowed status. */
RequestResult desk_set_status(ActivityContext *c, const char *key, const DeskStamp *stamp,
                              const char *status, FieldErrors *errors, DeskConflict *conflict);
/* Assigns to assignee_id (an active agent or admin; 0 = nobody). Error field "assignee". */
RequestResult desk_assign(ActivityContext *c, const char *key, const DeskStamp *stamp,
                          int64_t assignee_id, FieldErrors *errors, DeskConflict *conflict);
/* Sets the priority (low, medium, high, critical). Error field "priority". */
RequestResult desk_set_priority(ActivityContext *c, const char *key, const DeskStamp *stamp,
                                const char *priority, FieldErrors *errors, DeskConflict *conflict);

/* ---- canned responses ("Textbausteine") ---- */

#define CANNED_MAX_TITLE 120 /* code points */
#define CANNED_MAX_BODY 10000

/* Every canned response (staff only: REQUEST_NOT_FOUND otherwise). */
RequestResult canned_list(ActivityContext *c, CannedRow **out, int *count);
/* The response id with its placeholders filled in for the request with key:
 * {{customer_name}}, {{request_key}}, {{request_summary}}, {{agent_name}}, {{portal_name}}.
 * REQUEST_NOT_FOUND for an unknown response or request. *text in c->arena. */
RequestResult canned_expand(ActivityContext *c, const char *key, int64_t id, const char **text);
/* Fills the placeholders of body (unknown ones stay as written). */
const char *canned_fill(Arena *a, const char *body, const char *customer_name,
                        const char *request_key, const char *request_summary,
                        const char *agent_name, const char *portal_name);
/* Admins only. Saves a new (id 0) or existing response; REQUEST_INVALID with errors (fields
 * "title", "body", "lang"), REQUEST_NOT_FOUND for an unknown id. *saved_id receives its id. */
RequestResult canned_save(ActivityContext *c, int64_t id, const char *title, const char *body,
                          const char *lang, FieldErrors *errors, int64_t *saved_id);
RequestResult canned_delete(ActivityContext *c, int64_t id);
RequestResult canned_get(ActivityContext *c, int64_t id, CannedRow *out);

#endif
