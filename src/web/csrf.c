/* csrf: synchroniser tokens for signed-in users, double-submit cookie before login, plus an
 * Origin check. SECURITY: no state change without a matching token; tokens compared in
 * constant time; a failed check is logged without the token. */
#include "domain/admin.h"
#include "web/csrf.h"
#include "auth/token.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include <sodium.h>
#include <string.h>
#include <strings.h>

#define PRE_COOKIE_SECONDS (7LL * 24 * 3600)

void csrf_prepare(Request *req, Response *res)
{
    if (req->csrf_token)
        return;
    const char *pre = request_cookie(req, CSRF_PRE_COOKIE);
    if (pre && token_well_formed(pre)) {
        req->csrf_token = pre;
        return;
    }
    char *fresh = arena_alloc(req->arena, 44);
    token_new(fresh);
    req->csrf_token = fresh;
    response_cookie(res, req, CSRF_PRE_COOKIE, fresh, PRE_COOKIE_SECONDS);
}

/* "scheme://host[:port]" of the base URL. */
static size_t base_origin_length(const char *base)
{
    const char *p = strstr(base, "://");
    if (!p)
        return strlen(base);
    const char *slash = strchr(p + 3, '/');
    return slash ? (size_t)(slash - base) : strlen(base);
}

bool csrf_verify(Request *req)
{
    const char *origin = request_header(req, "Origin");
    if (origin) {
        /* the start-up base URL or the one an admin set at runtime (a new address must not
         * lock the admin out of the form that set it) */
        const char *base = arena_strdup(req->arena, config_base_url(&cfg));
        const char *now = config_base_url(settings_now());
        size_t n = base_origin_length(base), m = base_origin_length(now);
        if ((strlen(origin) != n || strncasecmp(origin, base, n) != 0) &&
            (strlen(origin) != m || strncasecmp(origin, now, m) != 0)) {
            log_warn("event=csrf_rejected reason=origin path=%s", req->path);
            return false;
        }
    }
    const char *sent = request_form(req, CSRF_FIELD);
    const char *want = req->csrf_token ? req->csrf_token : request_cookie(req, CSRF_PRE_COOKIE);
    if (!sent || !want || strlen(sent) != strlen(want) ||
        sodium_memcmp(sent, want, strlen(want)) != 0) {
        log_warn("event=csrf_rejected reason=token path=%s", req->path);
        return false;
    }
    return true;
}
