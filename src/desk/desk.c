/* desk: the role gates and the navigation every desk page shares. */
#include "desk/desk.h"
#include "core/str.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "web/page.h"

static bool role_is_staff(const char *role)
{
    return str_eq(role, "agent") || str_eq(role, "admin");
}

SignedIn *desk_require_agent(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (!s)
        return NULL;
    if (!role_is_staff(s->user.role)) {
        portal_error_page(req, res, 404);
        return NULL;
    }
    return s;
}

SignedIn *desk_require_admin(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (!s)
        return NULL;
    if (!str_eq(s->user.role, "admin")) {
        portal_error_page(req, res, 404);
        return NULL;
    }
    return s;
}

View *desk_view(Request *req, const char *title, const char *section)
{
    View *v = page_view(req, title);
    View *nav = view_child(v, "desk");
    view_set_bool(nav, "admin", str_eq(req->user_role, "admin"));
    view_set_bool(nav, "queues", str_eq(section, "queues"));
    view_set_bool(nav, "reports", str_eq(section, "reports"));
    view_set_bool(nav, "in_admin", str_eq(section, "admin"));
    return v;
}
