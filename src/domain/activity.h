/* activity (domain): one request's page and everything done on it - loading what a viewer may
 * see (fields, activity, people, files), commenting with files, editing with an optimistic
 * version check, sharing with people and the organization, resolving and reopening. Each
 * action is one transaction that includes its activity events, its search-index update and
 * the mails it causes. No HTTP here.
 * SECURITY: every function first opens the request through request_open_for_viewer and
 * answers REQUEST_NOT_FOUND for anything the viewer may not see or do; customers never get
 * internal events or internal files. */
#ifndef PFORTE_DOMAIN_ACTIVITY_H
#define PFORTE_DOMAIN_ACTIVITY_H
#include "domain/accounts.h"
#include "domain/attachments.h"
#include "domain/requests.h"
#include "store/activity.h"
#include "store/attachments.h"
#include <stdbool.h>
#include <stdint.h>

#define ACTIVITY_MAX_SUMMARY 300     /* code points */
#define ACTIVITY_MAX_LINE 2000       /* one-line fields */
#define ACTIVITY_MAX_TEXT 50000      /* comments, descriptions, multi-line fields */
#define ACTIVITY_INVITES_PER_HOUR 30 /* new accounts per sharer, bucket "invite" */

typedef struct ActivityContext {
    Db *db;
    Arena *arena;
    const Viewer *viewer;
    const char *ip;
    int64_t now;
} ActivityContext;

/* One choice of a select or multiselect field. */
typedef struct ActivityOption {
    const char *value;
    const char *label; /* in the viewer's language */
    bool selected;
} ActivityOption;

/* One field of the request as the viewer sees it. */
typedef struct FieldShown {
    const RequestField *field;
    const char *key; /* request_fields.key */
    const char *kind;
    const char *label; /* in the viewer's language */
    const char *help;
    const char *value;   /* stored value ("" when none) */
    const char *display; /* for people: option labels, "Yes", a date ("" when none) */
    bool editable;       /* everything but attachment fields */
    bool required;
    ActivityOption *options;
    int option_count;
} FieldShown;

/* One entry of the activity as the viewer sees it. */
typedef struct TimelineEntry {
    const EventRow *event;
    const AttachmentRow **files; /* files that came with this event */
    int file_count;
    const char *field_label; /* field events: the field's label */
    const char *old_display; /* field events: values for people */
    const char *new_display;
    bool multiline; /* field events of long text fields */
} TimelineEntry;

/* Everything the request's page shows. */
typedef struct RequestPage {
    RequestView request;
    FieldShown *fields; /* the type's fields besides summary and description */
    int field_count;
    const char *summary_label, *description_label;
    TimelineEntry *entries;
    int entry_count;
    RequestPerson *people; /* reporter first */
    int people_count;
    AttachmentRow *files; /* every file the viewer may see, oldest first */
    int file_count;
    int64_t reporter_organization_id;
    const char *reporter_organization_name; /* "" when the reporter has none */
    bool viewer_is_reporter;
    bool viewer_is_agent;
    bool closed; /* no more comments or edits */
    bool can_resolve, can_reopen;
} RequestPage;

/* Loads the page of the request with key for c->viewer. */
RequestResult activity_page_load(ActivityContext *c, const char *key, RequestPage *out);

/* Adds a comment (Markdown) with files; a customer's comment on a request that waits for the
 * customer sets it to "waiting for support". Mails the other people. *event_id receives the
 * comment's id. REQUEST_INVALID with errors (fields "body", "files"). */
RequestResult activity_comment(ActivityContext *c, const char *key, const char *body,
                               const NewAttachment *files, int file_count, FieldErrors *errors,
                               int64_t *event_id);

/* One submitted value of an edit form: key is request_fields.key (repeated for multiselect). */
typedef struct EditInput {
    const char *key;
    const char *value;
} EditInput;

/* Saves summary, description and the type's fields when version is still the request's.
 * Each changed field becomes a field event (old -> new). REQUEST_CONFLICT when someone else
 * changed the request meanwhile (nothing saved); REQUEST_INVALID with errors (fields
 * "summary", "description", "f_<key>"). *changed is false when nothing differed. */
RequestResult activity_edit(ActivityContext *c, const char *key, int64_t version,
                            const char *summary, const char *description, const EditInput *inputs,
                            int input_count, FieldErrors *errors, bool *changed);

/* Shares with the person at email: a known user becomes a participant (and gets a mail); an
 * unknown address gets a customer account without password and an invitation whose link
 * ends on this request (rate-limited per sharer like invitations when creating).
 * REQUEST_INVALID with errors (field "email"). */
RequestResult activity_share(ActivityContext *c, const char *key, const char *email,
                             FieldErrors *errors);
/* Removes participant user_id: allowed for whoever added them, for themselves and agents.
 * *left is true when viewers removed themselves (they may no longer see the request). */
RequestResult activity_unshare(ActivityContext *c, const char *key, int64_t user_id, bool *left);
/* Shares the request with the reporter's organization, or stops (share false). Reporter and
 * agents only. */
RequestResult activity_share_organization(ActivityContext *c, const char *key, bool share);
/* "Als gelöst markieren" / reopen a resolved request; both mail the other people. Doing it
 * again is harmless (nothing changes). */
RequestResult activity_resolve(ActivityContext *c, const char *key);
RequestResult activity_reopen(ActivityContext *c, const char *key);

/* The label of option value of a select field in lang; value itself when unknown. */
const char *activity_option_label(Arena *a, const RequestField *f, const char *lang,
                                  const char *value);
/* A stored value for people: option labels for selects, "Yes" for checkboxes, else as is. */
const char *activity_value_display(Arena *a, const RequestField *f, const char *lang,
                                   const char *value);

#endif
