/* activity_routes: the routes of one request's page and everything done on it. Every one of
 * them answers 404 for a request the signed-in user may not see (the domain decides). */
#include "portal/portal.h"

/* request_detail.c, request_actions.c, attachment_download.c */
void portal_request_detail(Request *req, Response *res);
void portal_request_comment(Request *req, Response *res);
void portal_request_edit(Request *req, Response *res);
void portal_request_share(Request *req, Response *res);
void portal_request_unshare(Request *req, Response *res);
void portal_request_organization(Request *req, Response *res);
void portal_request_resolve(Request *req, Response *res);
void portal_request_reopen(Request *req, Response *res);
void portal_attachment_download(Request *req, Response *res);

const Route ACTIVITY_ROUTES[] = {
    {"GET", "/requests/{key}", portal_request_detail},
    {"POST", "/requests/{key}/comments", portal_request_comment, RUN_WRITING},
    {"POST", "/requests/{key}/edit", portal_request_edit, RUN_WRITING},
    {"POST", "/requests/{key}/participants", portal_request_share, RUN_WRITING},
    {"POST", "/requests/{key}/participants/{id}/remove", portal_request_unshare, RUN_WRITING},
    {"POST", "/requests/{key}/organization", portal_request_organization, RUN_WRITING},
    {"POST", "/requests/{key}/resolve", portal_request_resolve, RUN_WRITING},
    {"POST", "/requests/{key}/reopen", portal_request_reopen, RUN_WRITING},
    {"GET", "/requests/{key}/attachments/{id}/{name}", portal_attachment_download},
    {0},
};
