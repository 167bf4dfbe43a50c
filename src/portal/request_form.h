/* request_form: the steps that the customer's request actions (portal/request_actions.c) and
 * the agents' (desk/request_actions.c) take alike - the viewer and activity context of a
 * POST, the uploaded files, the first error of a field and the page for a failed action.
 * Login and CSRF stay with each caller (web_require_login vs desk_require_agent). */
#ifndef PFORTE_PORTAL_REQUEST_FORM_H
#define PFORTE_PORTAL_REQUEST_FORM_H
#include "domain/activity.h"
#include "domain/attachments.h"
#include "http/request.h"

/* Fills viewer (user, in the request's language) and c (this thread's database, the client's
 * address, now). False, with the 503 page sent, when there is no database. */
bool request_form_context(Request *req, Response *res, const User *user, Viewer *viewer,
                          ActivityContext *c);
/* The page for results other than OK and INVALID: 404, 503 or 500. */
void request_form_failure(Request *req, Response *res, RequestResult r);
/* Translated message for a domain msgid, with attachment limits filled in. */
const char *request_form_message(Request *req, const char *msgid);
/* The first error of field, translated (or NULL). */
const char *request_form_error(Request *req, const FieldErrors *e, const char *field);
/* The files of the "files" field; the empty part a browser sends without a choice is
 * skipped. */
NewAttachment *request_form_files(Request *req, int *count);

#endif
