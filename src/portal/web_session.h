/* web_session: the signed-in user of a request and the page helpers every form handler
 * shares (CSRF check, field errors, session cookie, result pages). */
#ifndef PFORTE_PORTAL_WEB_SESSION_H
#define PFORTE_PORTAL_WEB_SESSION_H
#include "domain/accounts.h"
#include "http/request.h"
#include "web/template.h"

/* Reads the session cookie and sets req->user (SignedIn*) and req->csrf_token. */
AccountResult web_session_load(Request *req, Response *res);
/* The signed-in user, or NULL. */
SignedIn *web_user(Request *req);
/* An AccountContext for this request (database, arena, ip, user agent, language, now);
 * false when the database is unavailable. */
bool web_account_context(Request *req, AccountContext *c);
/* The same, answering the 503 page itself when the database is unavailable. */
bool web_account_context_or_503(Request *req, Response *res, AccountContext *c);
/* Checks the CSRF token and Origin; on failure renders the 403 page and returns false. */
bool web_require_csrf(Request *req, Response *res);
/* Sends the new session's cookie and wipes the raw token. */
void web_set_session_cookie(Request *req, Response *res, NewSession *s);
void web_clear_session_cookie(Request *req, Response *res);
/* Puts translated errors into v: "errors" (list of {field, message}), "error_<field>" texts,
 * "password_reasons" (list of texts). */
void web_form_errors(Request *req, View *v, const FieldErrors *e);
/* Answers the non-OK, non-INVALID results: 429 page with minutes, 503, 500. */
void web_account_failure(Request *req, Response *res, AccountResult r, int64_t retry_after);
/* Redirects to /login?next=<current path> when nobody is signed in; returns the user. */
SignedIn *web_require_login(Request *req, Response *res);

#endif
