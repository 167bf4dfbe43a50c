/* activity (store): the timeline of a request - events (comments, internal notes, status
 * changes, field edits, shares, attachments) - and participants. */
#ifndef PFORTE_STORE_ACTIVITY_H
#define PFORTE_STORE_ACTIVITY_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* Appends one event to a request's activity (in the caller's transaction); *event_id receives
 * its id (may be NULL). kind: created, comment, note, status, field, share, unshare,
 * attachment, assign, priority. internal events are for agents only. */
DbResult store_event_insert(Db *db, int64_t request_id, int64_t actor_id, const char *kind,
                            const char *body, const char *field, const char *old_value,
                            const char *new_value, bool internal, int64_t now,
                            int64_t *event_id);

#endif
