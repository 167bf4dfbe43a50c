/* desk_routes: the agents' queues and their view of a request. */
#include "desk/desk.h"
#include "web/page.h"

const Route DESK_ROUTES[] = {
    {0},
};
