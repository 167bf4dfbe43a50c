/* desk (store): SQL for what agents do on one request - version-checked stamps, assignee and
 * priority, the staff list, the customer's other requests, who has a request open
 * (request_views), canned responses and the resolved requests due for closing. Decides
 * nothing about who may do what: the domain (domain/desk.c, domain/workflow.c) does. */
#ifndef PFORTE_STORE_DESK_H
#define PFORTE_STORE_DESK_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* Moves the request to version + 1 when it still has version (touch_at > 0 also moves
 * updated_at); *saved is false when someone else changed it meanwhile. */
DbResult store_request_bump_version(Db *db, int64_t request_id, int64_t version, int64_t touch_at,
                                    bool *saved);
/* The id of the request's newest event (0 when none), internal ones included. */
DbResult store_request_last_event_id(Db *db, int64_t request_id, int64_t *id);
/* Sets the assignee (0 = nobody); updated_at stays (customers do not see assignments). */
DbResult store_request_set_assignee(Db *db, int64_t request_id, int64_t assignee_id);
/* Sets the priority key; updated_at stays (customers do not see priorities). */
DbResult store_request_set_priority(Db *db, int64_t request_id, const char *priority);

/* An agent or admin. */
typedef struct StaffRow {
    int64_t id;
    char *name;
    char *email;
} StaffRow;

/* Every agent and admin that is not disabled, by name, into *out (arena array). */
DbResult store_staff_list(Db *db, Arena *a, StaffRow **out, int *count);

/* Another request of the same customer or their organization. */
typedef struct OtherRequestRow {
    int64_t number;
    char *summary;
    char *status;
    char *reporter_name;
    char *reporter_email;
    bool same_reporter;
    int64_t created_at;
} OtherRequestRow;

/* Up to limit requests, newest first, reported by reporter_id or (organization_id > 0) by a
 * member of that organization, except request exclude_id. */
DbResult store_other_requests(Db *db, Arena *a, int64_t reporter_id, int64_t organization_id,
                              int64_t exclude_id, int limit, OtherRequestRow **out, int *count);

/* ---- presence ---- */

/* Records that user_id has the request open now. */
DbResult store_request_view_touch(Db *db, int64_t request_id, int64_t user_id, int64_t now);

typedef struct PresenceRow {
    int64_t user_id;
    char *name;
    char *email;
    int64_t seen_at;
} PresenceRow;

/* Staff other than user_id who opened the request at or after since, most recent first. */
DbResult store_request_viewers(Db *db, Arena *a, int64_t request_id, int64_t except_user_id,
                               int64_t since, PresenceRow **out, int *count);
/* The newest comment or note by staff other than except_user_id at or after since: *found
 * false when none; row->seen_at holds its time. *internal tells a note from a reply. */
DbResult store_request_last_staff_reply(Db *db, Arena *a, int64_t request_id,
                                        int64_t except_user_id, int64_t since, PresenceRow *row,
                                        bool *internal, bool *found);

/* ---- canned responses ---- */

typedef struct CannedRow {
    int64_t id;
    char *title;
    char *body;
    char *lang; /* de | en */
    int64_t updated_at;
} CannedRow;

/* Every canned response by language and title into *out (arena array). */
DbResult store_canned_list(Db *db, Arena *a, CannedRow **out, int *count);
/* The response with id; row->id == 0 when there is none. */
DbResult store_canned_get(Db *db, Arena *a, int64_t id, CannedRow *row);
DbResult store_canned_insert(Db *db, const char *title, const char *body, const char *lang,
                             int64_t created_by, int64_t now, int64_t *id);
/* *found false when there is no response id. */
DbResult store_canned_update(Db *db, int64_t id, const char *title, const char *body,
                             const char *lang, int64_t now, bool *found);
DbResult store_canned_delete(Db *db, int64_t id, bool *found);

/* ---- auto-close ---- */

/* Up to limit numbers of resolved requests, oldest resolution first, that were resolved at or
 * before cutoff and have no customer comment after cutoff, into *out (arena array). */
DbResult store_requests_due_for_close(Db *db, Arena *a, int64_t cutoff, int limit, int64_t **out,
                                      int *count);

#endif
