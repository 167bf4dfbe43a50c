/* desk_request: the agents' page of one request (GET /desk/requests/{key}) and its forms -
 * reply or internal note (with canned responses and files), status, assignment, priority.
 * Shared by desk/request_page.c (rendering) and desk/request_actions.c (the POST handlers).
 * SECURITY: every handler starts with desk_require_agent (customers 404, even on POST);
 * access to the request itself is decided by the domain (desk_page_load and friends). */
#ifndef PFORTE_DESK_DESK_REQUEST_H
#define PFORTE_DESK_DESK_REQUEST_H
#include "desk/desk.h"
#include "domain/desk.h"

/* What a failed or interrupted action leaves for the page: kept input and messages. */
typedef struct DeskFormState {
    const char *body;       /* reply text to show again ("" = none) */
    bool internal;          /* the reply box's mode */
    const char *set_status; /* the reply box's status choice */
    const char *body_error, *files_error, *status_error, *assign_error, *priority_error;
    const char *wanted_status; /* for the status error: what the agent asked for */
    const char *notice;        /* e.g. "Inserted ..." */
    const DeskConflict *conflict;
    const char *focus; /* "reply" | "status" | ... : where #form-errors goes */
} DeskFormState;

/* Renders the page with status (200, 409, 422) and state (NULL = a fresh page). */
void desk_request_render(Request *req, Response *res, int status, const DeskFormState *state);

void desk_request_page(Request *req, Response *res);
void desk_request_reply(Request *req, Response *res);
void desk_request_status(Request *req, Response *res);
void desk_request_assign(Request *req, Response *res);
void desk_request_priority(Request *req, Response *res);

/* desk/canned_pages.c: /desk/admin/canned */
void desk_canned_list(Request *req, Response *res);
void desk_canned_create(Request *req, Response *res);
void desk_canned_edit(Request *req, Response *res);
void desk_canned_update(Request *req, Response *res);
void desk_canned_delete(Request *req, Response *res);

#endif
