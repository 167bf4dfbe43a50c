/* admin_routes: the admin overview page and the route table of every admin page (request
 * types, users, organizations, settings, outbox, audit log). The audit log has only GET
 * routes: entries are never changed or deleted through the web. */
#include "desk/admin_common.h"
#include "desk/admin_pages.h"
#include "web/page.h"

static void admin_home(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    View *v = admin_view(req, page_t(req, "Administration"), "");
    page_render(req, res, 200, "desk/admin", v);
}

const Route ADMIN_ROUTES[] = {
    {"GET", "/desk/admin", admin_home},
    {"GET", "/desk/admin/settings", admin_settings_form},
    {"POST", "/desk/admin/settings", admin_settings_submit},
    {"POST", "/desk/admin/settings/logo", admin_logo_submit},
    {"POST", "/desk/admin/settings/testmail", admin_test_mail_submit},
    {"GET", "/portal/logo", portal_logo},
    {"GET", "/portal/theme.css", portal_theme},
    {0},
};
