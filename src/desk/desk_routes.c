/* desk_routes: the agents' queues and their view of a request. */
#include "desk/desk.h"
#include "web/page.h"

static void desk_home(Request *req, Response *res)
{
    if (!desk_require_agent(req, res))
        return;
    View *v = desk_view(req, page_t(req, "Desk"), "queues");
    page_render(req, res, 200, "desk/queues", v);
}

const Route DESK_ROUTES[] = {
    {"GET", "/desk", desk_home},
    {0},
};
