/* report_routes: the reports dashboard for agents. */
#include "desk/desk.h"
#include "web/page.h"

static void reports_home(Request *req, Response *res)
{
    if (!desk_require_agent(req, res))
        return;
    View *v = desk_view(req, page_t(req, "Reports"), "reports");
    page_render(req, res, 200, "desk/reports", v);
}

const Route REPORT_ROUTES[] = {
    {"GET", "/desk/reports", reports_home},
    {0},
};
