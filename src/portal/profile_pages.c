/* profile_pages: the signed-in customer's profile - name, language, notifications, password
 * and active sessions - and the one-time set-up page that creates the first admin.
 * SECURITY: every POST passes the CSRF check; a customer ends only their own sessions; the
 * password change needs the current password and ends every other session. */
#include "core/clock.h"
#include "core/str.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "web/csrf.h"
#include "web/page.h"
#include <sodium.h>
#include <string.h>

static void forget_field(Request *req, const char *field)
{
    for (Param *p = req->form; p; p = p->next)
        if (str_eq(p->name, field) && p->value)
            sodium_memzero((void *)p->value, strlen(p->value));
}

/* "Chrome on Linux" from a User-Agent, good enough to recognise one's own devices. */
static const char *device_name(Arena *a, const char *ua)
{
    static const char *const browsers[][2] = {{"Edg/", "Edge"}, {"Firefox/", "Firefox"},
                                              {"Chrome/", "Chrome"}, {"Safari/", "Safari"}};
    static const char *const systems[][2] = {{"Android", "Android"}, {"iPhone", "iPhone"},
                                             {"iPad", "iPad"},       {"Windows", "Windows"},
                                             {"Mac OS", "macOS"},    {"Linux", "Linux"}};
    const char *browser = NULL, *system = NULL;
    for (size_t i = 0; i < 4 && !browser; i++)
        if (ua && strstr(ua, browsers[i][0]))
            browser = browsers[i][1];
    for (size_t i = 0; i < 6 && !system; i++)
        if (ua && strstr(ua, systems[i][0]))
            system = systems[i][1];
    if (!browser && !system)
        return str_empty(ua) ? "?" : arena_strndup(a, ua, strlen(ua) > 60 ? 60 : strlen(ua));
    return arena_printf(a, "%s%s%s", browser ? browser : "", browser && system ? " · " : "",
                        system ? system : "");
}

static void profile_render(Request *req, Response *res, SignedIn *s, const FieldErrors *errors,
                           int status, const char *name, const char *lang, bool notify)
{
    AccountContext c;
    Session *sessions = NULL;
    int count = 0;
    if (web_account_context(req, &c))
        store_session_list(c.db, req->arena, s->user.id, &sessions, &count);
    View *v = page_view(req, page_t(req, "Your profile"));
    view_set(v, "email", s->user.email);
    view_set(v, "name", name);
    view_set_bool(v, "lang_de", str_eq(lang, "de"));
    view_set_bool(v, "lang_en", str_eq(lang, "en"));
    view_set_bool(v, "notify", notify);
    view_set(v, "meter_email", s->user.email);
    view_set(v, "password_label", page_t(req, "New password"));
    for (int i = 0; i < count; i++) {
        View *item = view_list_add(v, "sessions");
        char when[32];
        clock_format_iso(sessions[i].last_seen_at, when);
        view_setf(item, "id", "%lld", (long long)sessions[i].id);
        view_set(item, "device", device_name(req->arena, sessions[i].user_agent));
        view_set(item, "ip", sessions[i].ip);
        view_set(item, "last_seen", when);
        view_set_bool(item, "current", sessions[i].id == s->session.id);
    }
    if (errors)
        web_form_errors(req, v, errors);
    page_render(req, res, status, "profile", v);
}

void portal_profile(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (s)
        profile_render(req, res, s, NULL, 200, s->user.name, s->user.lang, s->user.notify);
}

void portal_profile_save(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (!s || !web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    const char *name = request_form(req, "name"), *lang = request_form(req, "lang");
    bool notify = str_eq(request_form(req, "notify"), "1");
    FieldErrors errors = {0};
    AccountResult r = account_update_profile(&c, &s->user, name, lang, notify, &errors);
    if (r == ACCOUNT_INVALID) {
        profile_render(req, res, s, &errors, 422, name ? name : "", lang ? lang : "de", notify);
    } else if (r != ACCOUNT_OK) {
        web_account_failure(req, res, r, 0);
    } else {
        response_cookie(res, req, "lang", lang, 365LL * 24 * 3600);
        portal_flash(req, res, "profile_saved");
        response_redirect(res, req, "/profile");
    }
}

void portal_profile_password(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (!s || !web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    FieldErrors errors = {0};
    AccountResult r = account_change_password(&c, s, request_form(req, "current_password"),
                                              request_form(req, "password"), &errors);
    forget_field(req, "current_password");
    forget_field(req, "password");
    if (r == ACCOUNT_INVALID) {
        profile_render(req, res, s, &errors, 422, s->user.name, s->user.lang, s->user.notify);
    } else if (r != ACCOUNT_OK) {
        web_account_failure(req, res, r, 0);
    } else {
        portal_flash(req, res, "password_saved");
        response_redirect(res, req, "/profile");
    }
}

void portal_profile_end_session(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (!s || !web_require_csrf(req, res))
        return;
    int64_t id;
    AccountContext c;
    if (!str_to_int64(request_param(req, "id"), &id)) {
        portal_error_page(req, res, 404);
        return;
    }
    if (!web_account_context_or_503(req, res, &c))
        return;
    AccountResult r = account_end_session(&c, s, id);
    if (r != ACCOUNT_OK) {
        web_account_failure(req, res, r, 0);
        return;
    }
    if (id == s->session.id) {
        web_clear_session_cookie(req, res);
        response_redirect(res, req, "/");
        return;
    }
    portal_flash(req, res, "session_ended");
    response_redirect(res, req, "/profile");
}

static void setup_render(Request *req, Response *res, const char *token, const char *email,
                         const char *name, const FieldErrors *errors, int status)
{
    csrf_prepare(req, res);
    View *v = page_view(req, page_t(req, "Set up the portal"));
    view_set(v, "token", token);
    view_set(v, "email", email ? email : "");
    view_set(v, "name", name ? name : "");
    view_set(v, "password_label", page_t(req, "Password"));
    if (errors)
        web_form_errors(req, v, errors);
    page_render(req, res, status, "setup", v);
}

void portal_setup_form(Request *req, Response *res)
{
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    const char *token = request_query(req, "token");
    AccountResult r = account_setup_check(&c, token);
    if (r == ACCOUNT_BAD_TOKEN) {
        View *v = page_view(req, page_t(req, "This link is no longer valid"));
        page_render(req, res, 410, "link_invalid", v);
    } else if (r != ACCOUNT_OK) {
        web_account_failure(req, res, r, 0);
    } else {
        setup_render(req, res, token, NULL, NULL, NULL, 200);
    }
}

void portal_setup_submit(Request *req, Response *res)
{
    if (!web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    const char *token = request_form(req, "token"), *email = request_form(req, "email");
    const char *name = request_form(req, "name");
    FieldErrors errors = {0};
    NewSession session = {0};
    AccountResult r = account_setup_finish(&c, token, email, name, request_form(req, "password"),
                                           &session, &errors);
    forget_field(req, "password");
    if (r == ACCOUNT_OK) {
        web_set_session_cookie(req, res, &session);
        response_redirect(res, req, "/");
    } else if (r == ACCOUNT_INVALID) {
        setup_render(req, res, token, email, name, &errors, 422);
    } else if (r == ACCOUNT_BAD_TOKEN) {
        View *v = page_view(req, page_t(req, "This link is no longer valid"));
        page_render(req, res, 410, "link_invalid", v);
    } else {
        web_account_failure(req, res, r, 0);
    }
}
