/* web_session: ties the account domain to HTTP - the session cookie, CSRF, error display.
 * SECURITY: the session cookie is HttpOnly, SameSite=Lax, and Secure with the __Host- prefix
 * behind https; its raw value is wiped after use and never logged. */
#include "portal/web_session.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "portal/portal.h"
#include "web/csrf.h"
#include "web/page.h"
#include <sodium.h>
#include <string.h>

static const char *session_cookie_name(void)
{
    return str_starts_with(config_base_url(&cfg), "https://") ? "__Host-pf_session"
                                                              : "pf_session";
}

bool web_account_context(Request *req, AccountContext *c)
{
    memset(c, 0, sizeof *c);
    c->db = db_thread();
    c->arena = req->arena;
    c->ip = req->client_ip ? req->client_ip : "";
    const char *ua = request_header(req, "User-Agent");
    c->user_agent = ua ? arena_strndup(req->arena, ua, strlen(ua) > 300 ? 300 : strlen(ua)) : "";
    c->lang = req->lang ? req->lang : "de";
    c->now = clock_now();
    return c->db != NULL;
}

bool web_account_context_or_503(Request *req, Response *res, AccountContext *c)
{
    if (web_account_context(req, c))
        return true;
    portal_error_page(req, res, 503);
    return false;
}

AccountResult web_session_load(Request *req, Response *res)
{
    const char *token = request_cookie(req, session_cookie_name());
    if (!token)
        return ACCOUNT_OK;
    AccountContext c;
    if (!web_account_context(req, &c))
        return ACCOUNT_UNAVAILABLE;
    SignedIn *s = arena_alloc(req->arena, sizeof *s);
    AccountResult r = account_session_lookup(&c, token, s);
    if (r != ACCOUNT_OK)
        return r;
    if (s->session.id) {
        req->user = s;
        req->csrf_token = s->session.csrf_secret;
        req->user_name = str_empty(s->user.name) ? s->user.email : s->user.name;
        req->user_role = s->user.role;
    } else {
        web_clear_session_cookie(req, res); /* expired or ended elsewhere */
    }
    return ACCOUNT_OK;
}

SignedIn *web_user(Request *req)
{
    return (SignedIn *)req->user;
}

bool web_require_csrf(Request *req, Response *res)
{
    if (csrf_verify(req))
        return true;
    portal_error_page(req, res, 403);
    return false;
}

void web_set_session_cookie(Request *req, Response *res, NewSession *s)
{
    /* a new sign-in in this browser replaces its old session rather than leaving it valid
     * behind the new cookie (logging in as someone else, a reset link, a finished setup) */
    SignedIn *old = web_user(req);
    AccountContext c;
    if (old && old->session.id != s->session_id && web_account_context(req, &c))
        account_logout(&c, old->session.id);
    response_cookie(res, req, session_cookie_name(), s->token, -1);
    response_cookie(res, req, CSRF_PRE_COOKIE, "", 0);
    sodium_memzero(s->token, sizeof s->token);
}

void web_clear_session_cookie(Request *req, Response *res)
{
    response_cookie(res, req, session_cookie_name(), "", 0);
}

void web_form_errors(Request *req, View *v, const FieldErrors *e)
{
    for (int i = 0; i < e->count; i++) {
        const char *msg = page_t(req, e->items[i].msgid);
        View *item = view_list_add(v, "errors");
        view_set(item, "field", e->items[i].field);
        view_set(item, "message", msg);
        if (*e->items[i].field)
            view_set(v, arena_printf(req->arena, "error_%s", e->items[i].field), msg);
    }
    for (int i = 0; i < e->reason_count; i++)
        view_list_add_text(v, "password_reasons", page_t(req, e->password_reasons[i]));
    view_set_bool(v, "has_reasons", e->reason_count > 0);
    view_set_bool(v, "has_errors", e->count > 0);
}

void web_account_failure(Request *req, Response *res, AccountResult r, int64_t retry_after)
{
    if (r == ACCOUNT_RATE_LIMITED) {
        int64_t minutes = (retry_after + 59) / 60;
        if (minutes < 1)
            minutes = 1;
        response_header(res, req, "Retry-After",
                        arena_printf(req->arena, "%lld", (long long)retry_after));
        View *v = page_view(req, page_t(req, "Too many attempts"));
        view_set_int(v, "status", 429);
        view_set(v, "heading", page_t(req, "Too many attempts"));
        view_setf(v, "minutes", "%lld", (long long)minutes);
        view_set_bool(v, "rate_limited", true);
        page_render(req, res, 429, "error", v);
        return;
    }
    portal_error_page(req, res, r == ACCOUNT_UNAVAILABLE ? 503 : 500);
}

/* The path with its query string (GET only: a form's POST cannot be repeated by a link). */
static const char *current_location(Request *req)
{
    if (!str_eq(req->method, "GET") || !req->query)
        return req->path;
    Buf b;
    buf_init(&b, req->arena);
    buf_puts(&b, req->path);
    char sep = '?';
    for (const Param *p = req->query; p; p = p->next) {
        if (str_eq(p->name, "lang"))
            continue; /* the language switch is not part of where to return */
        buf_putc(&b, sep);
        buf_puts(&b, str_url_encode(req->arena, p->name));
        buf_putc(&b, '=');
        buf_puts(&b, str_url_encode(req->arena, p->value));
        sep = '&';
    }
    return buf_cstr(&b);
}

SignedIn *web_require_login(Request *req, Response *res)
{
    SignedIn *s = web_user(req);
    if (!s)
        response_redirect(res, req,
                          arena_printf(req->arena, "/login?next=%s",
                                       str_url_encode(req->arena, current_location(req))));
    return s;
}
