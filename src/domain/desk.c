/* desk: the agents' view of one request and their actions on it, and canned responses.
 * SECURITY: each entry point checks that the viewer is staff before anything else (others get
 * REQUEST_NOT_FOUND, as for a request they may not see); internal notes and their files are
 * stored with internal = 1, never mailed, never in the search index, and leave updated_at
 * alone; canned responses are managed by admins only. */
#include "domain/desk.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "domain/notify.h"
#include "domain/workflow.h"
#include "store/accounts.h"
#include "store/catalog.h"
#include <string.h>

static RequestResult from_db(DbResult r)
{
    return r == DB_OK ? REQUEST_OK : r == DB_BUSY ? REQUEST_UNAVAILABLE : REQUEST_ERROR;
}

static bool viewer_is_admin(const Viewer *v)
{
    return str_eq(v->role, "admin");
}

/* Trims, turns CRLF into LF and checks UTF-8 and length; NULL when too long or invalid. */
static const char *text_clean(Arena *a, const char *input, bool multiline, size_t max_points)
{
    char *t = str_trim(a, input ? input : "");
    char *w = t;
    for (const char *r = t; *r; r++) {
        if (*r == '\r' && r[1] == '\n')
            continue;
        char ch = *r == '\r' ? '\n' : *r;
        *w++ = (!multiline && (ch == '\n' || ch == '\t')) ? ' ' : ch;
    }
    *w = '\0';
    if (!str_utf8_valid(t, strlen(t)) || str_utf8_len(t) > max_points)
        return NULL;
    return t;
}

static const char *person_name(const char *name, const char *email)
{
    return str_empty(name) ? (email ? email : "") : name;
}

/* Opens the request for staff only. */
static RequestResult open_for_staff(ActivityContext *c, const char *key, RequestView *r)
{
    if (!request_viewer_is_staff(c->viewer))
        return REQUEST_NOT_FOUND;
    return request_open_for_viewer(c->db, c->arena, c->viewer, key, r);
}

/* ---- the page ---- */

static DbResult extras_load(ActivityContext *c, const RequestPage *p, DeskExtras *x)
{
    const RequestView *r = &p->request;
    x->stamp.version = r->version;
    x->assignee_name = "";
    DbResult res = store_request_last_event_id(c->db, r->id, &x->stamp.last_event_id);
    for (int i = 0; i < p->people_count; i++)
        if (p->people[i].reporter)
            x->reporter = p->people[i];
    if (res == DB_OK)
        res = store_other_requests(c->db, c->arena, r->reporter_id, p->reporter_organization_id,
                                   r->id, DESK_OTHER_REQUESTS, &x->others, &x->other_count);
    if (res == DB_OK)
        res = store_staff_list(c->db, c->arena, &x->staff, &x->staff_count);
    for (int i = 0; res == DB_OK && i < x->staff_count; i++)
        if (x->staff[i].id == r->assignee_id)
            x->assignee_name = person_name(x->staff[i].name, x->staff[i].email);
    if (res == DB_OK && r->assignee_id && !*x->assignee_name) { /* a disabled account */
        User u;
        res = store_user_by_id(c->db, c->arena, r->assignee_id, &u);
        if (res == DB_OK && u.id)
            x->assignee_name = person_name(u.name, u.email);
    }
    if (res == DB_OK)
        res = store_request_viewers(c->db, c->arena, r->id, c->viewer->user_id,
                                    c->now - DESK_PRESENCE_SECONDS, &x->viewers, &x->viewer_count);
    if (res == DB_OK)
        res = store_request_last_staff_reply(c->db, c->arena, r->id, c->viewer->user_id,
                                             c->now - DESK_RECENT_REPLY_SECONDS, &x->recent_reply,
                                             &x->recent_reply_internal, &(bool){false});
    return res;
}

RequestResult desk_page_load(ActivityContext *c, const char *key, RequestPage *page,
                             DeskExtras *extras)
{
    memset(extras, 0, sizeof *extras);
    if (!request_viewer_is_staff(c->viewer))
        return REQUEST_NOT_FOUND;
    RequestResult rr = activity_page_load(c, key, page);
    if (rr != REQUEST_OK)
        return rr;
    DbResult res = extras_load(c, page, extras);
    if (res != DB_OK)
        return from_db(res);
    /* presence is a hint: a busy database must not cost the agent the page */
    store_request_view_touch(c->db, page->request.id, c->viewer->user_id, c->now);
    return REQUEST_OK;
}

/* ---- the stamp ---- */

/* Fills *conflict with the events after stamp (outside any transaction). */
static RequestResult conflict_fill(ActivityContext *c, const RequestView *r, const DeskStamp *stamp,
                                   DeskConflict *conflict)
{
    EventRow *events = NULL;
    int count = 0;
    DbResult res = store_event_list(c->db, c->arena, r->id, true, &events, &count);
    if (res != DB_OK)
        return from_db(res);
    conflict->events = events;
    conflict->count = 0;
    for (int i = 0; i < count; i++)
        if (events[i].id > stamp->last_event_id)
            conflict->events[conflict->count++] = events[i];
    return REQUEST_CONFLICT;
}

/* Opens the request for a change by staff on a page showing stamp: REQUEST_OK when the page
 * still shows the current version; else what to answer (not found, or the conflict with
 * *conflict filled). */
static RequestResult open_current(ActivityContext *c, const char *key, const DeskStamp *stamp,
                                  RequestView *r, DeskConflict *conflict)
{
    RequestResult rr = open_for_staff(c, key, r);
    if (rr != REQUEST_OK)
        return rr;
    memset(conflict, 0, sizeof *conflict);
    if (stamp->version != r->version)
        return conflict_fill(c, r, stamp, conflict);
    return REQUEST_OK;
}

/* Inside the transaction: moves the version on when stamp is current. *stale when not. */
static DbResult stamp_take(ActivityContext *c, const RequestView *r, const DeskStamp *stamp,
                           bool touch, bool *stale)
{
    bool saved = false;
    int64_t last = 0;
    DbResult res = store_request_bump_version(c->db, r->id, stamp->version, touch ? c->now : 0,
                                              &saved);
    if (res == DB_OK)
        res = store_request_last_event_id(c->db, r->id, &last);
    *stale = !saved || last > stamp->last_event_id;
    return res;
}

/* Commits, or rolls back on failure or staleness (then fills *conflict). */
static RequestResult finish(ActivityContext *c, const RequestView *r, const DeskStamp *stamp,
                            DbResult res, bool stale, DeskConflict *conflict)
{
    if (res == DB_OK && stale) {
        db_rollback(c->db);
        return conflict_fill(c, r, stamp, conflict);
    }
    if (res == DB_OK)
        res = db_commit(c->db);
    if (res != DB_OK)
        db_rollback(c->db);
    return from_db(res);
}

/* Tells the customers about a status change (in the transaction). */
static DbResult status_notify(ActivityContext *c, const RequestView *r, int64_t event_id,
                              const char *from, const char *to)
{
    NotifyChange change = {NOTIFY_STATUS, event_id, NULL, NULL, 0, from, to, 0};
    return notify_request_change(c->db, c->arena, r, c->viewer, &change, c->now);
}

/* Sets the status (in the transaction) and writes its event; *event_id may be NULL. */
static DbResult status_write(ActivityContext *c, const RequestView *r, const char *to,
                             int64_t *event_id)
{
    bool changed = false;
    DbResult res = store_request_set_status(c->db, r->id, r->status, to, c->now, &changed);
    if (res == DB_OK && !changed)
        return DB_CONFLICT; /* someone else moved it meanwhile */
    if (res == DB_OK)
        res = store_event_insert(c->db, r->id, c->viewer->user_id, "status", "", "status",
                                 r->status, to, false, c->now, event_id);
    return res;
}

/* Checks a wanted status against the workflow; false with an error on "status". */
static bool status_check(const RequestView *r, const char *to, FieldErrors *errors)
{
    if (!workflow_status_known(to)) {
        account_error(errors, "status", N_("Please choose a status from the list."));
        return false;
    }
    if (!workflow_status_allowed(r->status, to)) {
        account_error(errors, "status", N_("This status change is not possible."));
        return false;
    }
    return true;
}

/* ---- reply and note ---- */

static bool reply_check(ActivityContext *c, const RequestView *r, const char *body, bool internal,
                        const char *set_status, const NewAttachment *files, int file_count,
                        FieldErrors *errors, const char **text)
{
    *text = text_clean(c->arena, body, true, ACTIVITY_MAX_TEXT);
    if (str_eq(r->status, REQUEST_STATUS_CLOSED) && !internal && str_empty(set_status))
        account_error(errors, "body",
                      N_("This request is closed. Reopen it before you reply to the customer."));
    else if (!*text)
        account_error(errors, "body", N_("Please write at most 50,000 characters."));
    else if (!**text && file_count == 0)
        account_error(errors, "body", N_("Please write a reply or attach a file."));
    if (!str_empty(set_status))
        status_check(r, set_status, errors);
    int64_t existing = 0;
    if (store_attachment_total(c->db, r->id, &existing) != DB_OK)
        return false;
    const char *file_problem = attachments_check(files, file_count, existing);
    if (file_problem)
        account_error(errors, "files", file_problem);
    return errors->count == 0;
}

RequestResult desk_reply(ActivityContext *c, const char *key, const DeskStamp *stamp,
                         const char *body, bool internal, const char *set_status,
                         const NewAttachment *files, int file_count, FieldErrors *errors,
                         int64_t *event_id, DeskConflict *conflict)
{
    RequestView r;
    RequestResult rr = open_for_staff(c, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    *event_id = 0;
    memset(conflict, 0, sizeof *conflict);
    const char *text = NULL;
    if (!reply_check(c, &r, body, internal, set_status, files, file_count, errors, &text))
        return errors->count ? REQUEST_INVALID : REQUEST_UNAVAILABLE;
    if (stamp->version != r.version)
        return conflict_fill(c, &r, stamp, conflict);

    bool stale = false;
    int64_t status_event = 0;
    const char *status_after = r.status;
    DbResult res = db_begin(c->db);
    if (res == DB_OK) /* a note leaves "last activity" alone: customers must not notice it */
        res = stamp_take(c, &r, stamp, !internal, &stale);
    if (res == DB_OK && !stale)
        res = store_event_insert(c->db, r.id, c->viewer->user_id, internal ? "note" : "comment",
                                 text, "", "", "", internal, c->now, event_id);
    if (res == DB_OK && !stale)
        res = attachments_store(c->db, c->arena, r.id, *event_id, c->viewer->user_id, files,
                                file_count, internal, c->now);
    if (res == DB_OK && !stale && !str_empty(set_status)) {
        res = status_write(c, &r, set_status, &status_event);
        status_after = set_status;
    } else if (res == DB_OK && !stale && !internal) {
        res = workflow_after_comment(c->db, &r, c->viewer->user_id, true, c->now, &status_after);
    }
    if (res == DB_OK && !stale && !internal)
        res = store_request_search_refresh(c->db, r.id);
    if (res == DB_OK && !stale && !internal) {
        const char **names = arena_alloc(c->arena, sizeof *names * (size_t)(file_count + 1));
        for (int i = 0; i < file_count; i++)
            names[i] = attachment_sanitize_name(c->arena, files[i].filename);
        NotifyChange change = {NOTIFY_COMMENT, *event_id, text, names, file_count, NULL, NULL, 0};
        res = notify_request_change(c->db, c->arena, &r, c->viewer, &change, c->now);
    } else if (res == DB_OK && !stale && status_event) { /* a note that also moved the status */
        res = status_notify(c, &r, status_event, r.status, status_after);
    }
    if (res == DB_CONFLICT) {
        res = DB_OK;
        stale = true;
    }
    return finish(c, &r, stamp, res, stale, conflict);
}

/* ---- status, assignment, priority ---- */

RequestResult desk_set_status(ActivityContext *c, const char *key, const DeskStamp *stamp,
                              const char *status, FieldErrors *errors, DeskConflict *conflict)
{
    RequestView r;
    RequestResult rr = open_current(c, key, stamp, &r, conflict);
    if (rr != REQUEST_OK)
        return rr;
    if (!status_check(&r, status ? status : "", errors))
        return REQUEST_INVALID;
    bool stale = false;
    int64_t event_id = 0;
    DbResult res = db_begin(c->db);
    if (res == DB_OK)
        res = stamp_take(c, &r, stamp, true, &stale);
    if (res == DB_OK && !stale)
        res = status_write(c, &r, status, &event_id);
    if (res == DB_OK && !stale)
        res = status_notify(c, &r, event_id, r.status, status);
    if (res == DB_CONFLICT) {
        res = DB_OK;
        stale = true;
    }
    return finish(c, &r, stamp, res, stale, conflict);
}

RequestResult desk_assign(ActivityContext *c, const char *key, const DeskStamp *stamp,
                          int64_t assignee_id, FieldErrors *errors, DeskConflict *conflict)
{
    RequestView r;
    RequestResult rr = open_current(c, key, stamp, &r, conflict);
    if (rr != REQUEST_OK)
        return rr;
    StaffRow *staff;
    int count;
    DbResult res = store_staff_list(c->db, c->arena, &staff, &count);
    if (res != DB_OK)
        return from_db(res);
    const char *old_name = "", *new_name = NULL;
    for (int i = 0; i < count; i++) {
        if (staff[i].id == r.assignee_id)
            old_name = person_name(staff[i].name, staff[i].email);
        if (staff[i].id == assignee_id)
            new_name = person_name(staff[i].name, staff[i].email);
    }
    if (assignee_id == 0)
        new_name = "";
    if (!new_name) {
        account_error(errors, "assignee", N_("Please choose an agent from the list."));
        return REQUEST_INVALID;
    }
    if (assignee_id == r.assignee_id)
        return REQUEST_OK;
    bool stale = false;
    res = db_begin(c->db);
    if (res == DB_OK)
        res = stamp_take(c, &r, stamp, false, &stale);
    if (res == DB_OK && !stale)
        res = store_request_set_assignee(c->db, r.id, assignee_id);
    if (res == DB_OK && !stale)
        res = store_event_insert(c->db, r.id, c->viewer->user_id, "assign", "", "assignee",
                                 old_name, new_name, true, c->now, NULL);
    return finish(c, &r, stamp, res, stale, conflict);
}

RequestResult desk_set_priority(ActivityContext *c, const char *key, const DeskStamp *stamp,
                                const char *priority, FieldErrors *errors, DeskConflict *conflict)
{
    RequestView r;
    RequestResult rr = open_current(c, key, stamp, &r, conflict);
    if (rr != REQUEST_OK)
        return rr;
    if (!workflow_priority_known(priority)) {
        account_error(errors, "priority", N_("Please choose a priority from the list."));
        return REQUEST_INVALID;
    }
    if (str_eq(priority, r.priority))
        return REQUEST_OK;
    bool stale = false;
    DbResult res = db_begin(c->db);
    if (res == DB_OK)
        res = stamp_take(c, &r, stamp, false, &stale);
    if (res == DB_OK && !stale)
        res = store_request_set_priority(c->db, r.id, priority);
    if (res == DB_OK && !stale)
        res = store_event_insert(c->db, r.id, c->viewer->user_id, "priority", "", "priority",
                                 r.priority, priority, true, c->now, NULL);
    return finish(c, &r, stamp, res, stale, conflict);
}

/* ---- canned responses ---- */

/* Ends an admin's change with its audit entry: committed when found and all went well. */
static RequestResult commit_or_rollback(ActivityContext *c, DbResult res, bool found)
{
    if (res == DB_OK && found)
        res = db_commit(c->db);
    if (res != DB_OK || !found)
        db_rollback(c->db);
    if (res == DB_OK && !found)
        return REQUEST_NOT_FOUND;
    return from_db(res);
}

RequestResult canned_list(ActivityContext *c, CannedRow **out, int *count)
{
    *out = NULL;
    *count = 0;
    if (!request_viewer_is_staff(c->viewer))
        return REQUEST_NOT_FOUND;
    return from_db(store_canned_list(c->db, c->arena, out, count));
}

RequestResult canned_get(ActivityContext *c, int64_t id, CannedRow *out)
{
    memset(out, 0, sizeof *out);
    if (!request_viewer_is_staff(c->viewer))
        return REQUEST_NOT_FOUND;
    DbResult res = store_canned_get(c->db, c->arena, id, out);
    if (res != DB_OK)
        return from_db(res);
    return out->id ? REQUEST_OK : REQUEST_NOT_FOUND;
}

static const struct {
    const char *name;
    int index;
} PLACEHOLDERS[] = {
    {"customer_name", 0}, {"request_key", 1}, {"request_summary", 2},
    {"agent_name", 3},    {"portal_name", 4},
};

const char *canned_fill(Arena *a, const char *body, const char *customer_name,
                        const char *request_key, const char *request_summary,
                        const char *agent_name, const char *portal_name)
{
    const char *values[] = {customer_name, request_key, request_summary, agent_name, portal_name};
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (const char *p = body ? body : ""; *p;) {
        const char *open = strstr(p, "{{");
        if (!open) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        const char *name = open + 2;
        while (*name == ' ')
            name++;
        bool matched = false;
        for (size_t i = 0; i < sizeof PLACEHOLDERS / sizeof PLACEHOLDERS[0] && !matched; i++) {
            size_t n = strlen(PLACEHOLDERS[i].name);
            const char *end = name + n;
            if (strncmp(name, PLACEHOLDERS[i].name, n) != 0)
                continue;
            while (*end == ' ')
                end++;
            if (end[0] != '}' || end[1] != '}')
                continue;
            const char *v = values[PLACEHOLDERS[i].index];
            buf_puts(&b, v ? v : "");
            p = end + 2;
            matched = true;
        }
        if (!matched) {
            buf_puts(&b, "{{");
            p = open + 2;
        }
    }
    return buf_cstr(&b);
}

RequestResult canned_expand(ActivityContext *c, const char *key, int64_t id, const char **text)
{
    *text = "";
    CannedRow row;
    RequestResult rr = canned_get(c, id, &row);
    RequestView r;
    if (rr == REQUEST_OK)
        rr = open_for_staff(c, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    const char *portal = store_setting_get(c->db, c->arena, "portal_name");
    *text = canned_fill(c->arena, row.body, person_name(r.reporter_name, r.reporter_email), r.key,
                        r.summary, person_name(c->viewer->name, c->viewer->email),
                        str_empty(portal) ? cfg.portal_name : portal);
    return REQUEST_OK;
}

RequestResult canned_save(ActivityContext *c, int64_t id, const char *title, const char *body,
                          const char *lang, FieldErrors *errors, int64_t *saved_id)
{
    *saved_id = 0;
    if (!viewer_is_admin(c->viewer))
        return REQUEST_NOT_FOUND;
    const char *t = text_clean(c->arena, title, false, CANNED_MAX_TITLE);
    const char *b = text_clean(c->arena, body, true, CANNED_MAX_BODY);
    if (!t)
        account_error(errors, "title", N_("Please write at most 120 characters."));
    else if (!*t)
        account_error(errors, "title", N_("Please enter a title."));
    if (!b)
        account_error(errors, "body", N_("Please write at most 10,000 characters."));
    else if (!*b)
        account_error(errors, "body", N_("Please enter the text of the response."));
    if (!str_eq(lang, "de") && !str_eq(lang, "en"))
        account_error(errors, "lang", N_("Please choose a language."));
    if (errors->count)
        return REQUEST_INVALID;
    bool found = true;
    DbResult res = db_begin(c->db);
    if (res == DB_OK && id) {
        res = store_canned_update(c->db, id, t, b, lang, c->now, &found);
        *saved_id = id;
    } else if (res == DB_OK) {
        res = store_canned_insert(c->db, t, b, lang, c->viewer->user_id, c->now, saved_id);
    }
    if (res == DB_OK && found)
        res = store_audit(c->db, c->viewer->user_id, id ? "canned_update" : "canned_create", t,
                          "", c->ip ? c->ip : "", c->now);
    return commit_or_rollback(c, res, found);
}

RequestResult canned_delete(ActivityContext *c, int64_t id)
{
    if (!viewer_is_admin(c->viewer))
        return REQUEST_NOT_FOUND;
    CannedRow row;
    RequestResult rr = canned_get(c, id, &row);
    if (rr != REQUEST_OK)
        return rr;
    bool found = false;
    DbResult res = db_begin(c->db);
    if (res == DB_OK)
        res = store_canned_delete(c->db, id, &found);
    if (res == DB_OK && found)
        res = store_audit(c->db, c->viewer->user_id, "canned_delete", row.title, "",
                          c->ip ? c->ip : "", c->now);
    return commit_or_rollback(c, res, found);
}
