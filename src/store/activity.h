/* activity (store): the timeline of a request - events (comments, internal notes, status
 * changes, field edits, shares, attachments) - and participants, plus the changes made on a
 * request's page (fields with a version check, status, organization share, search row). */
#ifndef PFORTE_STORE_ACTIVITY_H
#define PFORTE_STORE_ACTIVITY_H
#include "core/arena.h"
#include "store/catalog.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* Appends one event to a request's activity (in the caller's transaction); *event_id receives
 * its id (may be NULL). kind: created, comment, note, status, field, share, unshare,
 * attachment, assign, priority. internal events are for agents only. */
DbResult store_event_insert(Db *db, int64_t request_id, int64_t actor_id, const char *kind,
                            const char *body, const char *field, const char *old_value,
                            const char *new_value, bool internal, int64_t now, int64_t *event_id);

typedef struct EventRow {
    int64_t id;
    int64_t actor_id; /* 0 = the system */
    char *actor_name; /* "" when unknown */
    char *actor_email;
    char *actor_role;
    char *kind;
    char *body;
    char *field;
    char *old_value;
    char *new_value;
    bool internal;
    int64_t created_at;
} EventRow;

/* The request's events, oldest first, into *out (arena array); internal ones only when
 * include_internal. */
DbResult store_event_list(Db *db, Arena *a, int64_t request_id, bool include_internal,
                          EventRow **out, int *count);
/* Records the Message-ID of the first notification about an event. */
DbResult store_event_set_message_id(Db *db, int64_t event_id, const char *message_id);

/* A person on a request: its reporter or a participant. */
typedef struct RequestPerson {
    int64_t user_id;
    char *email;
    char *name;
    char *role;
    char *lang;
    bool notify;
    bool disabled;
    bool has_password;
    bool reporter;
    int64_t added_by; /* participants: who added them (0 = unknown) */
    int64_t added_at;
} RequestPerson;

/* The reporter first, then the participants by when they were added, into *out. */
DbResult store_request_people(Db *db, Arena *a, int64_t request_id, RequestPerson **out,
                              int *count);
/* Adds user_id as participant; *added is false when they already were one. */
DbResult store_participant_add(Db *db, int64_t request_id, int64_t user_id, int64_t added_by,
                               int64_t now, bool *added);
/* Removes a participant; *removed is false when they were none. */
DbResult store_participant_remove(Db *db, int64_t request_id, int64_t user_id, bool *removed);

/* A field of the request's type with the request's value (NULL when none is stored). */
typedef struct FieldValue {
    RequestField field;
    char *value;
} FieldValue;

/* The fields of type_id by position with request_id's values, into *out. */
DbResult store_request_field_values(Db *db, Arena *a, int64_t request_id, int64_t type_id,
                                    FieldValue **out, int *count);
/* Sets (value non-empty) or deletes (NULL or "") one field value. */
DbResult store_request_value_set(Db *db, int64_t request_id, int64_t field_id, const char *value);

/* Saves summary and description when the request still has version; bumps version and
 * updated_at. *saved is false when someone else changed it meanwhile. */
DbResult store_request_update_text(Db *db, int64_t request_id, int64_t version, const char *summary,
                                   const char *description, int64_t now, bool *saved);
/* Sets the status when the current one is from_status; resolved_at is set when the new one
 * is resolved or closed and cleared otherwise. *changed false when it was not from_status. */
DbResult store_request_set_status(Db *db, int64_t request_id, const char *from_status,
                                  const char *to_status, int64_t now, bool *changed);
/* Shares with organization_id (0 = no longer shared). */
DbResult store_request_set_organization(Db *db, int64_t request_id, int64_t organization_id,
                                        int64_t now);
/* Moves updated_at (a comment or share counts as activity). */
DbResult store_request_touch(Db *db, int64_t request_id, int64_t now);
/* Sets the Message-ID mails about the request thread under, when it has none yet. */
DbResult store_request_set_message_id(Db *db, int64_t request_id, const char *message_id);
/* Rebuilds the request's full-text row: summary, and as body the description and every
 * public comment (never internal notes). */
DbResult store_request_search_refresh(Db *db, int64_t request_id);
/* SQLite: adds up to `limit` requests created since the last call to the full-text index, in
 * one transaction of its own; new requests are not indexed when they are created (migration
 * 016). PostgreSQL indexes in the creating transaction: DB_OK at once. */
DbResult store_search_catch_up(Db *db, int limit);
/* True when requests wait for store_search_catch_up (or it cannot tell); false on PostgreSQL. */
bool store_search_behind(Db *db);
/* The name of organization id ("" when none). */
DbResult store_organization_name(Db *db, Arena *a, int64_t id, char **name);

#endif
