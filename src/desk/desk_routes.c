/* desk_routes: the agents' queues, their view of a request and the canned responses. */
#include "desk/desk.h"
#include "desk/desk_request.h"
#include "web/page.h"

const Route DESK_ROUTES[] = {
    /* one request (desk/request_page.c, desk/request_actions.c) */
    {"GET", "/desk/requests/{key}", desk_request_page},
    {"POST", "/desk/requests/{key}/reply", desk_request_reply, RUN_WRITING},
    {"POST", "/desk/requests/{key}/status", desk_request_status, RUN_WRITING},
    {"POST", "/desk/requests/{key}/assign", desk_request_assign, RUN_WRITING},
    {"POST", "/desk/requests/{key}/priority", desk_request_priority, RUN_WRITING},
    /* canned responses (desk/canned_pages.c; admins only) */
    {"GET", "/desk/admin/canned", desk_canned_list},
    {"POST", "/desk/admin/canned", desk_canned_create},
    {"GET", "/desk/admin/canned/{id}", desk_canned_edit},
    {"POST", "/desk/admin/canned/{id}", desk_canned_update},
    {"POST", "/desk/admin/canned/{id}/delete", desk_canned_delete},
    {0},
};
