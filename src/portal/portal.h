/* portal: the customer-facing pages and the hooks every request passes (language choice,
 * session, flash message, error pages, health check). */
#ifndef PFORTE_PORTAL_PORTAL_H
#define PFORTE_PORTAL_PORTAL_H
#include "http/router.h"
#include <stdbool.h>
#include <stdint.h>

extern const Route PORTAL_ROUTES[];
extern const Route REQUEST_ROUTES[];  /* portal/request_routes.c: create and list */
extern const Route ACTIVITY_ROUTES[]; /* portal/activity_routes.c: one request's page */

/* Loads the session, picks the language (?lang= also sets the lang cookie) and takes the
 * flash message. Answers 503 itself when the database is unavailable. */
bool portal_before(Request *req, Response *res);
/* After every request: leaves the thread's read scope to its next request
 * (db_read_scope_release). */
void portal_after(Request *req);
/* Friendly error page in the request's language for 4xx/5xx statuses. */
void portal_error_page(Request *req, Response *res, int status);
/* Queues a one-time message for the next page (a code from the flash table). */
void portal_flash(Request *req, Response *res, const char *code);
/* "5 minutes ago" in the page's language (in req's arena), or NULL when t is more than 30
 * days before now (the absolute date says more then). */
const char *portal_relative_time(Request *req, int64_t t, int64_t now);
/* The absolute time before app.js shows it in the browser's time zone:
 * "2026-03-31 14:05 UTC" (in req's arena). */
const char *portal_absolute_time(Request *req, int64_t t);
/* Tells the mail worker that a transaction with mail has committed. */
void portal_mail_sent(void);

struct RequestForm;
struct View;
/* The fields of a request form as the customer's page lists them (for the admin's preview:
 * the same partials, nothing typed yet). portal/request_new.c. */
void portal_request_form_fields(Request *req, struct View *v, const struct RequestForm *form);
void portal_home(Request *req, Response *res);
void portal_healthz(Request *req, Response *res);
void portal_register_form(Request *req, Response *res);
void portal_register_submit(Request *req, Response *res);
void portal_register_finish_form(Request *req, Response *res);
void portal_register_finish_submit(Request *req, Response *res);
void portal_login_form(Request *req, Response *res);
void portal_login_submit(Request *req, Response *res);
void portal_forgot_form(Request *req, Response *res);
void portal_forgot_submit(Request *req, Response *res);
void portal_reset_form(Request *req, Response *res);
void portal_reset_submit(Request *req, Response *res);
void portal_logout(Request *req, Response *res);
void portal_profile(Request *req, Response *res);
void portal_profile_save(Request *req, Response *res);
void portal_profile_password(Request *req, Response *res);
void portal_profile_end_session(Request *req, Response *res);
void portal_setup_form(Request *req, Response *res);
void portal_setup_submit(Request *req, Response *res);

#endif
