/* request_routes: the routes of creating requests and the "Anfragen" list. */
#include "portal/portal.h"

/* portal/request_new.c */
void portal_request_new_form(Request *req, Response *res);
void portal_request_new_submit(Request *req, Response *res);
/* portal/request_list.c */
void portal_request_list(Request *req, Response *res);

const Route REQUEST_ROUTES[] = {
    {"GET", "/new/{key}", portal_request_new_form},
    {"POST", "/new/{key}", portal_request_new_submit, RUN_WRITING},
    {"GET", "/requests", portal_request_list},
    {0},
};
