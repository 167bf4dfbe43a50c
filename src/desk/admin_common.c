/* admin_common: the shared steps of the admin page handlers. */
#include "desk/admin_common.h"
#include "core/clock.h"
#include "core/str.h"
#include "http/static.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "web/page.h"
#include <string.h>
#include <time.h>

bool admin_begin(Request *req, Response *res, AdminContext *c)
{
    SignedIn *s = desk_require_admin(req, res);
    if (!s)
        return false;
    if (str_eq(req->method, "POST") && !web_require_csrf(req, res))
        return false;
    memset(c, 0, sizeof *c);
    c->db = db_thread();
    if (!c->db) {
        portal_error_page(req, res, 503);
        return false;
    }
    c->arena = req->arena;
    c->actor_id = s->user.id;
    c->actor_email = s->user.email;
    c->ip = req->client_ip ? req->client_ip : "";
    c->lang = req->lang ? req->lang : "de";
    c->now = clock_now();
    return true;
}

View *admin_view(Request *req, const char *title, const char *tab)
{
    View *v = desk_view(req, title, "admin");
    view_set(v, "extra_css_url", static_url("admin.css"));
    View *t = view_child(v, "tab");
    static const char *const TABS[] = {"types", "users", "orgs", "settings", "outbox", "audit"};
    for (size_t i = 0; i < sizeof TABS / sizeof TABS[0]; i++)
        view_set_bool(t, TABS[i], str_eq(tab, TABS[i]));
    view_set_bool(t, "overview", str_empty(tab));
    return v;
}

void admin_errors_view(Request *req, View *v, const AdminErrors *e)
{
    for (int i = 0; i < e->count; i++) {
        const AdminError *x = &e->items[i];
        const char *msg = page_t(req, x->msgid);
        const char *at = x->detail ? strstr(msg, "%{value}") : NULL;
        if (at)
            msg = arena_printf(req->arena, "%.*s%s%s", (int)(at - msg), msg, x->detail, at + 8);
        View *item = view_list_add(v, "errors");
        view_set(item, "field", x->field);
        view_set(item, "message", msg);
        if (*x->field)
            view_set(v, arena_printf(req->arena, "error_%s", x->field), msg);
    }
    view_set_bool(v, "has_errors", e->count > 0);
}

void admin_fail(Request *req, Response *res, AdminResult r)
{
    portal_error_page(req, res, r == ADMIN_NOT_FOUND     ? 404
                                : r == ADMIN_UNAVAILABLE ? 503
                                                         : 500);
}

int64_t admin_param_id(Request *req, const char *name)
{
    int64_t id;
    if (!str_to_int64(request_param(req, name), &id) || id <= 0)
        return 0;
    return id;
}

const char *admin_time(Request *req, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return arena_printf(req->arena, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min);
}

void admin_done(Request *req, Response *res, const char *location, const char *flash)
{
    if (flash)
        portal_flash(req, res, flash);
    response_redirect(res, req, location);
}

bool admin_finish(Request *req, Response *res, AdminResult r, AdminResult again,
                  const char *location, const char *flash)
{
    if (r == again)
        return true;
    if (r != ADMIN_OK)
        admin_fail(req, res, r);
    else
        admin_done(req, res, location, flash);
    return false;
}

void admin_render(Request *req, Response *res, int status, const char *name, View *v,
                  const AdminErrors *e)
{
    if (e)
        admin_errors_view(req, v, e);
    page_render(req, res, status, name, v);
}
