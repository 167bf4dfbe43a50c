/* workflow (domain): the status workflow of a request (which status may follow which), the
 * priorities, the automatic transitions (a customer's comment on a request waiting for the
 * customer, an agent's first public reply, closing resolved requests after some quiet days)
 * and the background pass that closes them. No HTTP here.
 * SECURITY: automatic changes are written as events by the system (actor 0) or by the person
 * whose comment caused them; nothing here decides who may see a request. */
#ifndef PFORTE_DOMAIN_WORKFLOW_H
#define PFORTE_DOMAIN_WORKFLOW_H
#include "core/arena.h"
#include "domain/requests.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

#define WORKFLOW_STATUS_COUNT 6
#define WORKFLOW_PRIORITY_COUNT 4
#define WORKFLOW_CLOSE_BATCH 100 /* requests closed per transaction of the auto-close pass */

/* The status keys in workflow order; the priority keys from low to critical. */
extern const char *const WORKFLOW_STATUSES[WORKFLOW_STATUS_COUNT];
extern const char *const WORKFLOW_PRIORITIES[WORKFLOW_PRIORITY_COUNT];

/* True when an agent may move a request from status from to status to (never to itself):
 *   open -> in progress, waiting for customer, resolved
 *   in progress / waiting for customer / waiting for support -> each other, resolved
 *   resolved -> closed, or reopened (open, in progress)
 *   closed -> reopened (open, in progress) */
bool workflow_status_allowed(const char *from, const char *to);
/* The statuses that may follow from, in workflow order, into out; returns how many. */
int workflow_next_statuses(const char *from, const char *out[WORKFLOW_STATUS_COUNT]);
bool workflow_status_known(const char *status);
bool workflow_priority_known(const char *priority);
/* The English msgid naming a priority ("High"); the key itself when unknown. */
const char *workflow_priority_msgid(const char *priority);

/* The automatic transition a new public comment causes, in the caller's transaction: a
 * customer's comment on a request waiting for the customer moves it to waiting for support;
 * an agent's reply on an open request moves it to in progress. Writes the status event
 * (actor: the commenter). *new_status receives the status after it (r->status when nothing
 * changed). Used by the portal, the desk and replies by mail alike. */
DbResult workflow_after_comment(Db *db, const RequestView *r, int64_t actor_id, bool actor_is_staff,
                                int64_t now, const char **new_status);

/* Closes every resolved request without a customer comment for days days (status event by
 * the system, status mail to the customers). Each request is closed by a conditional update,
 * so several servers running the pass at once close it once. *closed receives how many. */
DbResult workflow_close_quiet(Db *db, Arena *a, int64_t now, int64_t days, int *closed);

/* The background thread that runs workflow_close_quiet every auto_close_check_seconds with
 * cfg.auto_close_days; start once in serve, stop before exit. */
void workflow_worker_start(void);
void workflow_worker_stop(void);

#endif
