/* request_actions: the forms on a request's page - comment (with files), edit, share with a
 * person or the organization, stop sharing, resolve and reopen. Each answers with a redirect
 * back to the page (303) or renders the page again with the input kept and the errors (422),
 * or a conflict message (409).
 * SECURITY: every handler checks login and the CSRF token, then leaves the access decision to
 * the domain (request_open_for_viewer inside each activity_* call): 404 for a request the
 * viewer may not see or an action they may not take. */
#include "core/i18n_mark.h"
#include "core/str.h"
#include "domain/activity.h"
#include "portal/portal.h"
#include "portal/request_form.h"
#include "portal/web_session.h"
#include "web/page.h"
#include <string.h>

/* request_detail.c */
void request_page_render(Request *req, Response *res, int status, View *state);
/* activity_routes.c lists these */
void portal_request_comment(Request *req, Response *res);
void portal_request_edit(Request *req, Response *res);
void portal_request_share(Request *req, Response *res);
void portal_request_unshare(Request *req, Response *res);
void portal_request_organization(Request *req, Response *res);
void portal_request_resolve(Request *req, Response *res);
void portal_request_reopen(Request *req, Response *res);

typedef struct Action {
    SignedIn *signed_in;
    Viewer viewer;
    ActivityContext c;
    const char *key;
} Action;

/* Login, CSRF and a database: false when the response is already decided. */
static bool action_begin(Request *req, Response *res, Action *a)
{
    memset(a, 0, sizeof *a);
    a->signed_in = web_require_login(req, res);
    if (!a->signed_in || !web_require_csrf(req, res))
        return false;
    a->key = request_param(req, "key");
    return request_form_context(req, res, &a->signed_in->user, &a->viewer, &a->c);
}

static void back_to_page(Request *req, Response *res, const Action *a, const char *done,
                         const char *anchor)
{
    response_redirect(res, req,
                      arena_printf(req->arena, "/requests/%s?done=%s%s%s", a->key, done,
                                   anchor ? "#" : "", anchor ? anchor : ""));
}

/* ---- comment ---- */

void portal_request_comment(Request *req, Response *res)
{
    Action a;
    if (!action_begin(req, res, &a))
        return;
    int count = 0;
    NewAttachment *files = request_form_files(req, &count);
    const char *body = request_form(req, "body");
    FieldErrors errors = {0};
    int64_t event_id = 0;
    RequestResult r = activity_comment(&a.c, a.key, body, files, count, &errors, &event_id);
    if (r == REQUEST_OK) {
        portal_mail_sent();
        back_to_page(req, res, &a, "comment",
                     arena_printf(req->arena, "event-%lld", (long long)event_id));
        return;
    }
    if (r != REQUEST_INVALID) {
        request_form_failure(req, res, r);
        return;
    }
    View *state = view_new(req->arena);
    view_set(state, "comment", body ? body : "");
    const char *body_error = request_form_error(req, &errors, "body");
    const char *files_error = request_form_error(req, &errors, "files");
    if (count > 0) /* browsers cannot be given files back */
        files_error = arena_printf(req->arena, "%s%s%s", files_error ? files_error : "",
                                   files_error ? " " : "",
                                   page_t(req, N_("Please choose your files again.")));
    view_set(state, "comment_error", body_error ? body_error : "");
    view_set(state, "files_error", files_error ? files_error : "");
    request_page_render(req, res, 422, state);
}

/* ---- edit ---- */

static EditInput *edit_inputs(Request *req, int *count)
{
    int n = 0;
    for (const Param *p = req->form; p; p = p->next)
        n++;
    EditInput *inputs = arena_alloc(req->arena, sizeof *inputs * (size_t)(n ? n : 1));
    *count = 0;
    for (const Param *p = req->form; p; p = p->next)
        if (str_starts_with(p->name, "f_") && p->name[2])
            inputs[(*count)++] = (EditInput){p->name + 2, p->value};
    return inputs;
}

void portal_request_edit(Request *req, Response *res)
{
    Action a;
    if (!action_begin(req, res, &a))
        return;
    int64_t version = 0;
    str_to_int64(request_form(req, "version"), &version);
    int count = 0;
    EditInput *inputs = edit_inputs(req, &count);
    FieldErrors errors = {0};
    bool changed = false;
    RequestResult r =
        activity_edit(&a.c, a.key, version, request_form(req, "summary"),
                      request_form(req, "description"), inputs, count, &errors, &changed);
    if (r == REQUEST_OK) {
        back_to_page(req, res, &a, changed ? "saved" : "unchanged", "details");
        return;
    }
    if (r != REQUEST_INVALID && r != REQUEST_CONFLICT) {
        request_form_failure(req, res, r);
        return;
    }
    View *state = view_new(req->arena);
    view_set_bool(state, "edit_open", true);
    view_set_bool(state, "edit_submitted", true);
    view_set_bool(state, "conflict", r == REQUEST_CONFLICT);
    view_set_bool(state, "has_edit_errors", errors.count > 0);
    for (int i = 0; i < errors.count; i++) {
        const char *field = errors.items[i].field;
        const char *key = *field ? arena_printf(req->arena, "error_%s", field) : "edit_error";
        if (!view_get_text(state, key))
            view_set(state, key, request_form_message(req, errors.items[i].msgid));
    }
    request_page_render(req, res, r == REQUEST_CONFLICT ? 409 : 422, state);
}

/* ---- sharing ---- */

void portal_request_share(Request *req, Response *res)
{
    Action a;
    if (!action_begin(req, res, &a))
        return;
    const char *email = request_form(req, "email");
    FieldErrors errors = {0};
    RequestResult r = activity_share(&a.c, a.key, email, &errors);
    if (r == REQUEST_OK) {
        portal_mail_sent();
        back_to_page(req, res, &a, "shared", "people");
        return;
    }
    if (r != REQUEST_INVALID) {
        request_form_failure(req, res, r);
        return;
    }
    View *state = view_new(req->arena);
    const char *error = request_form_error(req, &errors, "email");
    view_set(state, "share_email", email ? email : "");
    view_set(state, "share_error", error ? error : "");
    request_page_render(req, res, 422, state);
}

void portal_request_unshare(Request *req, Response *res)
{
    Action a;
    if (!action_begin(req, res, &a))
        return;
    int64_t user_id;
    if (!str_to_int64(request_param(req, "id"), &user_id)) {
        portal_error_page(req, res, 404);
        return;
    }
    bool left = false;
    RequestResult r = activity_unshare(&a.c, a.key, user_id, &left);
    if (r != REQUEST_OK)
        request_form_failure(req, res, r);
    else if (left)
        response_redirect(res, req, "/requests");
    else
        back_to_page(req, res, &a, "unshared", "people");
}

void portal_request_organization(Request *req, Response *res)
{
    Action a;
    if (!action_begin(req, res, &a))
        return;
    bool share = str_eq(request_form(req, "share"), "1");
    RequestResult r = activity_share_organization(&a.c, a.key, share);
    if (r != REQUEST_OK)
        request_form_failure(req, res, r);
    else
        back_to_page(req, res, &a, share ? "org_shared" : "org_unshared", "people");
}

/* ---- status ---- */

void portal_request_resolve(Request *req, Response *res)
{
    Action a;
    if (!action_begin(req, res, &a))
        return;
    RequestResult r = activity_resolve(&a.c, a.key);
    if (r != REQUEST_OK) {
        request_form_failure(req, res, r);
        return;
    }
    portal_mail_sent();
    back_to_page(req, res, &a, "resolved", NULL);
}

void portal_request_reopen(Request *req, Response *res)
{
    Action a;
    if (!action_begin(req, res, &a))
        return;
    RequestResult r = activity_reopen(&a.c, a.key);
    if (r != REQUEST_OK) {
        request_form_failure(req, res, r);
        return;
    }
    portal_mail_sent();
    back_to_page(req, res, &a, "reopened", NULL);
}
