/* canned_pages: the admin page of canned responses ("Textbausteine", /desk/admin/canned) -
 * the list with a form for a new one, the edit form, delete. Each response has one language
 * (German or English): agents pick the one that fits the customer, and the list in the reply
 * box shows the language next to each title.
 * SECURITY: desk_require_admin first (customers and agents get 404), CSRF on every POST; the
 * texts are shown escaped (they are Markdown only once sent as a reply). */
#include "core/clock.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/desk_request.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "web/page.h"
#include <string.h>

static const PageNotice DONE_MESSAGES[] = {
    {"created", N_("The canned response has been created.")},
    {"saved", N_("The canned response has been saved.")},
    {"deleted", N_("The canned response has been deleted.")},
};

typedef struct CannedAction {
    Viewer viewer;
    ActivityContext c;
} CannedAction;

static bool canned_begin(Request *req, Response *res, CannedAction *a, bool post)
{
    memset(a, 0, sizeof *a);
    SignedIn *s = desk_require_admin(req, res);
    if (!s || (post && !web_require_csrf(req, res)))
        return false;
    request_viewer_from_user(&a->viewer, &s->user);
    a->viewer.lang = req->lang;
    a->c = (ActivityContext){db_thread(), req->arena, &a->viewer, req->client_ip, clock_now()};
    if (!a->c.db) {
        portal_error_page(req, res, 503);
        return false;
    }
    return true;
}

static void failure(Request *req, Response *res, RequestResult r)
{
    portal_error_page(req, res,
                      r == REQUEST_NOT_FOUND     ? 404
                      : r == REQUEST_UNAVAILABLE ? 503
                                                 : 500);
}

/* The form's values: from the submitted form when given, else from row (or empty). */
static void form_set(Request *req, View *v, const CannedRow *row, bool submitted,
                     const FieldErrors *errors)
{
    View *f = view_child(v, "form");
    const char *title = submitted ? request_form(req, "title") : row ? row->title : "";
    const char *body = submitted ? request_form(req, "body") : row ? row->body : "";
    const char *lang = submitted ? request_form(req, "lang") : row ? row->lang : req->lang;
    view_set(f, "placeholders", "{{customer_name}}, {{request_key}}, {{request_summary}}, "
                                "{{agent_name}}, {{portal_name}}");
    view_set(f, "title", title ? title : "");
    view_set(f, "body", body ? body : "");
    view_set_bool(f, "lang_de", !str_eq(lang, "en"));
    view_set_bool(f, "lang_en", str_eq(lang, "en"));
    if (row && row->id)
        view_setf(f, "id", "%lld", (long long)row->id);
    if (errors && errors->count) {
        web_form_errors(req, f, errors);
        view_set_bool(f, "has_errors", true);
    }
}

static void render_list(Request *req, Response *res, CannedAction *a, int status,
                        const FieldErrors *errors)
{
    CannedRow *rows;
    int count;
    RequestResult r = canned_list(&a->c, &rows, &count);
    if (r != REQUEST_OK) {
        failure(req, res, r);
        return;
    }
    View *v = desk_view(req, page_t(req, N_("Canned responses")), "admin");
    for (int i = 0; i < count; i++) {
        View *item = view_list_add(v, "responses");
        view_setf(item, "id", "%lld", (long long)rows[i].id);
        view_set(item, "title", rows[i].title);
        view_set(item, "body", rows[i].body);
        view_set(item, "lang", str_eq(rows[i].lang, "en") ? "English" : "Deutsch");
    }
    view_set_bool(v, "has_responses", count > 0);
    form_set(req, v, NULL, errors != NULL, errors);
    const char *notice =
        page_done_notice(req, DONE_MESSAGES, sizeof DONE_MESSAGES / sizeof DONE_MESSAGES[0]);
    if (notice)
        view_set(v, "notice", notice);
    if (status != 200)
        response_header(res, req, "Cache-Control", "no-store");
    page_render(req, res, status, "desk/canned", v);
}

void desk_canned_list(Request *req, Response *res)
{
    CannedAction a;
    if (canned_begin(req, res, &a, false))
        render_list(req, res, &a, 200, NULL);
}

void desk_canned_create(Request *req, Response *res)
{
    CannedAction a;
    if (!canned_begin(req, res, &a, true))
        return;
    FieldErrors errors = {0};
    int64_t id = 0;
    RequestResult r = canned_save(&a.c, 0, request_form(req, "title"), request_form(req, "body"),
                                  request_form(req, "lang"), &errors, &id);
    if (r == REQUEST_OK)
        response_redirect(res, req, "/desk/admin/canned?done=created");
    else if (r == REQUEST_INVALID)
        render_list(req, res, &a, 422, &errors);
    else
        failure(req, res, r);
}

static void render_edit(Request *req, Response *res, CannedAction *a, int status,
                        const FieldErrors *errors)
{
    int64_t id = 0;
    CannedRow row;
    RequestResult r = str_to_int64(request_param(req, "id"), &id) ? canned_get(&a->c, id, &row)
                                                                  : REQUEST_NOT_FOUND;
    if (r != REQUEST_OK) {
        failure(req, res, r);
        return;
    }
    View *v = desk_view(req, page_t(req, N_("Edit canned response")), "admin");
    form_set(req, v, &row, errors != NULL, errors);
    view_set(v, "title_now", row.title);
    if (status != 200)
        response_header(res, req, "Cache-Control", "no-store");
    page_render(req, res, status, "desk/canned_edit", v);
}

void desk_canned_edit(Request *req, Response *res)
{
    CannedAction a;
    if (canned_begin(req, res, &a, false))
        render_edit(req, res, &a, 200, NULL);
}

void desk_canned_update(Request *req, Response *res)
{
    CannedAction a;
    if (!canned_begin(req, res, &a, true))
        return;
    int64_t id = 0;
    if (!str_to_int64(request_param(req, "id"), &id) || id <= 0) {
        portal_error_page(req, res, 404);
        return;
    }
    FieldErrors errors = {0};
    int64_t saved = 0;
    RequestResult r = canned_save(&a.c, id, request_form(req, "title"), request_form(req, "body"),
                                  request_form(req, "lang"), &errors, &saved);
    if (r == REQUEST_OK)
        response_redirect(res, req, "/desk/admin/canned?done=saved");
    else if (r == REQUEST_INVALID)
        render_edit(req, res, &a, 422, &errors);
    else
        failure(req, res, r);
}

void desk_canned_delete(Request *req, Response *res)
{
    CannedAction a;
    if (!canned_begin(req, res, &a, true))
        return;
    int64_t id = 0;
    RequestResult r =
        str_to_int64(request_param(req, "id"), &id) ? canned_delete(&a.c, id) : REQUEST_NOT_FOUND;
    if (r == REQUEST_OK)
        response_redirect(res, req, "/desk/admin/canned?done=deleted");
    else
        failure(req, res, r);
}
