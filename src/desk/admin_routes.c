/* admin_routes: the admin pages (request types, users, organizations, settings, outbox,
 * audit log). */
#include "desk/desk.h"
#include "web/page.h"

static void admin_home(Request *req, Response *res)
{
    if (!desk_require_admin(req, res))
        return;
    View *v = desk_view(req, page_t(req, "Administration"), "admin");
    page_render(req, res, 200, "desk/admin", v);
}

const Route ADMIN_ROUTES[] = {
    {"GET", "/desk/admin", admin_home},
    {0},
};
