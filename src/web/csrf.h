/* csrf: every state-changing form carries a token tied to the session (or, before login, to a
 * pre-session cookie), and a present Origin header must be the portal's own.
 * SECURITY: a POST without the right token or from another origin changes nothing (403). */
#ifndef PFORTE_WEB_CSRF_H
#define PFORTE_WEB_CSRF_H
#include "http/request.h"
#include <stdbool.h>

#define CSRF_FIELD "csrf"
#define CSRF_PRE_COOKIE "pf_pre"

/* Makes sure req->csrf_token is set: the session's secret when signed in (set by the caller
 * before), else the pre-session cookie's value, creating that cookie on res when missing. */
void csrf_prepare(Request *req, Response *res);
/* True when the form's token matches req->csrf_token (constant time) and the Origin header,
 * if present, equals the configured base URL's origin. Logs a warning otherwise. */
bool csrf_verify(Request *req);

#endif
