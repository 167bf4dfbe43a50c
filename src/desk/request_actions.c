/* request_actions (desk): the forms on the agents' request page - reply or internal note
 * (and the no-JavaScript "insert canned response" button), status, assignment, priority.
 * Success answers 303 back to the page; input errors render it again with everything typed
 * kept (422); a stale page renders it with what changed and the typed text kept (409).
 * SECURITY: desk_require_agent before anything else (customers get 404 for every POST), then
 * the CSRF token; the domain decides the rest. */
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/desk_request.h"
#include "portal/portal.h"
#include "portal/request_form.h"
#include "portal/web_session.h"
#include "web/page.h"
#include <string.h>

typedef struct DeskAction {
    Viewer viewer;
    ActivityContext c;
    const char *key;
    DeskStamp stamp;
} DeskAction;

static bool action_begin(Request *req, Response *res, DeskAction *a)
{
    memset(a, 0, sizeof *a);
    SignedIn *s = desk_require_agent(req, res);
    if (!s || !web_require_csrf(req, res))
        return false;
    a->key = request_param(req, "key");
    str_to_int64(request_form(req, "version"), &a->stamp.version);
    str_to_int64(request_form(req, "seen"), &a->stamp.last_event_id);
    return request_form_context(req, res, &s->user, &a->viewer, &a->c);
}

static void back_to_page(Request *req, Response *res, const DeskAction *a, const char *done,
                         const char *anchor)
{
    response_redirect(res, req,
                      arena_printf(req->arena, "/desk/requests/%s?done=%s%s%s", a->key, done,
                                   anchor ? "#" : "", anchor ? anchor : ""));
}

/* The reply box as it was sent, for showing it again. */
static void reply_state(Request *req, DeskFormState *st)
{
    const char *body = request_form(req, "body");
    st->body = body ? body : "";
    st->internal = str_eq(request_form(req, "mode"), "internal");
    const char *set_status = request_form(req, "set_status");
    st->set_status = set_status ? set_status : "";
}

/* "Einfügen" without JavaScript: the canned response's text goes after what was typed. */
static void reply_insert(Request *req, Response *res, DeskAction *a, int file_count)
{
    DeskFormState st = {0};
    reply_state(req, &st);
    int64_t id = 0;
    const char *text = NULL;
    RequestResult r = str_to_int64(request_form(req, "canned"), &id)
                          ? canned_expand(&a->c, a->key, id, &text)
                          : REQUEST_NOT_FOUND;
    if (r == REQUEST_OK) {
        const char *typed = str_trim(req->arena, st.body);
        st.body = *typed ? arena_printf(req->arena, "%s\n\n%s", typed, text) : text;
        st.notice = page_t(req, N_("The text has been inserted. Check it, then send it."));
    } else if (r == REQUEST_NOT_FOUND) {
        st.body_error = page_t(req, N_("Please choose a canned response to insert."));
    } else {
        request_form_failure(req, res, r);
        return;
    }
    if (file_count > 0) /* browsers cannot be given files back */
        st.files_error = page_t(req, N_("Please choose your files again."));
    st.focus = "reply";
    desk_request_render(req, res, r == REQUEST_OK ? 200 : 422, &st);
}

void desk_request_reply(Request *req, Response *res)
{
    DeskAction a;
    if (!action_begin(req, res, &a))
        return;
    int count = 0;
    NewAttachment *files = request_form_files(req, &count);
    if (!str_empty(request_form(req, "insert"))) {
        reply_insert(req, res, &a, count);
        return;
    }
    DeskFormState st = {0};
    reply_state(req, &st);
    FieldErrors errors = {0};
    DeskConflict conflict;
    int64_t event_id = 0;
    RequestResult r = desk_reply(&a.c, a.key, &a.stamp, st.body, st.internal, st.set_status, files,
                                 count, &errors, &event_id, &conflict);
    if (r == REQUEST_OK) {
        if (!st.internal || !str_empty(st.set_status))
            portal_mail_sent();
        back_to_page(req, res, &a, st.internal ? "note" : "reply",
                     arena_printf(req->arena, "event-%lld", (long long)event_id));
        return;
    }
    if (r != REQUEST_INVALID && r != REQUEST_CONFLICT) {
        request_form_failure(req, res, r);
        return;
    }
    st.body_error = request_form_error(req, &errors, "body");
    st.files_error = request_form_error(req, &errors, "files");
    if (request_form_error(req, &errors, "status")) {
        st.status_error = request_form_error(req, &errors, "status");
        st.wanted_status = st.set_status;
    }
    if (count > 0) {
        const char *again = page_t(req, N_("Please choose your files again."));
        st.files_error = st.files_error ? arena_printf(req->arena, "%s %s", st.files_error, again)
                                        : again;
    }
    if (r == REQUEST_CONFLICT)
        st.conflict = &conflict;
    st.focus = r == REQUEST_CONFLICT ? "conflict" : "reply";
    desk_request_render(req, res, r == REQUEST_CONFLICT ? 409 : 422, &st);
}

/* The result of a one-field form: back to the page, or the page with the error/conflict. */
static void field_result(Request *req, Response *res, DeskAction *a, RequestResult r,
                         const FieldErrors *errors, const DeskConflict *conflict, const char *done,
                         const char *field, DeskFormState *st)
{
    if (r == REQUEST_OK) {
        back_to_page(req, res, a, done, "controls");
        return;
    }
    if (r != REQUEST_INVALID && r != REQUEST_CONFLICT) {
        request_form_failure(req, res, r);
        return;
    }
    const char *error = request_form_error(req, errors, field);
    if (str_eq(field, "status"))
        st->status_error = error;
    else if (str_eq(field, "assignee"))
        st->assign_error = error;
    else
        st->priority_error = error;
    if (r == REQUEST_CONFLICT)
        st->conflict = conflict;
    st->focus = r == REQUEST_CONFLICT ? "conflict" : field;
    desk_request_render(req, res, r == REQUEST_CONFLICT ? 409 : 422, st);
}

void desk_request_status(Request *req, Response *res)
{
    DeskAction a;
    if (!action_begin(req, res, &a))
        return;
    const char *status = request_form(req, "status");
    FieldErrors errors = {0};
    DeskConflict conflict;
    RequestResult r = desk_set_status(&a.c, a.key, &a.stamp, status, &errors, &conflict);
    if (r == REQUEST_OK)
        portal_mail_sent();
    DeskFormState st = {0};
    st.wanted_status = status ? status : "";
    field_result(req, res, &a, r, &errors, &conflict, "status", "status", &st);
}

void desk_request_assign(Request *req, Response *res)
{
    DeskAction a;
    if (!action_begin(req, res, &a))
        return;
    int64_t assignee = 0;
    const char *value = request_form(req, "assignee");
    if (str_eq(value, "me"))
        assignee = a.viewer.user_id;
    else if (!str_empty(value) && !str_to_int64(value, &assignee))
        assignee = -1; /* not an agent: the domain says so */
    FieldErrors errors = {0};
    DeskConflict conflict;
    RequestResult r = desk_assign(&a.c, a.key, &a.stamp, assignee, &errors, &conflict);
    DeskFormState st = {0};
    field_result(req, res, &a, r, &errors, &conflict, "assigned", "assignee", &st);
}

void desk_request_priority(Request *req, Response *res)
{
    DeskAction a;
    if (!action_begin(req, res, &a))
        return;
    const char *priority = request_form(req, "priority");
    FieldErrors errors = {0};
    DeskConflict conflict;
    RequestResult r =
        desk_set_priority(&a.c, a.key, &a.stamp, priority ? priority : "", &errors, &conflict);
    DeskFormState st = {0};
    field_result(req, res, &a, r, &errors, &conflict, "priority", "priority", &st);
}
