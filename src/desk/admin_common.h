/* admin_common: what every admin page handler shares - the admin gate with a ready
 * AdminContext, translated errors in a View, result pages, the admin section navigation.
 * SECURITY: admin_begin answers 404 to everyone who is not an admin (login redirect for
 * visitors) and checks the CSRF token of every POST before any change. */
#ifndef PFORTE_DESK_ADMIN_COMMON_H
#define PFORTE_DESK_ADMIN_COMMON_H
#include "desk/desk.h"
#include "domain/admin.h"
#include "http/request.h"
#include "web/template.h"

/* The signed-in admin's context for this request; for POST also the CSRF check. Answers
 * itself (login redirect, 404, 403, 503) and returns false otherwise. */
bool admin_begin(Request *req, Response *res, AdminContext *c);
/* A desk page View for admin section tab ("types", "users", "orgs", "settings", "outbox",
 * "audit", "" for the overview). */
View *admin_view(Request *req, const char *title, const char *tab);
/* Puts translated errors into v like web_form_errors: "errors", "error_<field>",
 * "has_errors". */
void admin_errors_view(Request *req, View *v, const AdminErrors *e);
/* Answers a result that is not OK/INVALID/REFUSED: 404, 503, 500. */
void admin_fail(Request *req, Response *res, AdminResult r);
/* The route parameter name as a positive id, else 0. */
int64_t admin_param_id(Request *req, const char *name);
/* Date and time for tables, "2026-11-30 14:05" in UTC. */
const char *admin_time(Request *req, int64_t t);
/* Sends the browser to location with a one-time message (a flash code). */
void admin_done(Request *req, Response *res, const char *location, const char *flash);
/* The end of an admin form POST: true when r is `again` (ADMIN_INVALID or ADMIN_REFUSED: the
 * caller renders the form again with the errors); else answers itself - admin_done(location,
 * flash) on ADMIN_OK, admin_fail otherwise - and returns false. */
bool admin_finish(Request *req, Response *res, AdminResult r, AdminResult again,
                  const char *location, const char *flash);
/* Renders templates/<name>.html with v, with the errors e (may be NULL) put in first. */
void admin_render(Request *req, Response *res, int status, const char *name, View *v,
                  const AdminErrors *e);

#endif
