/* account_pages: the tutorial's account pages - "Registrieren" with "Link senden", the
 * confirmation link, "Registrierung abschließen", the two-step login with "Passwort
 * vergessen?", the reset link, logout and the first-admin set-up link.
 * SECURITY: every POST passes the CSRF check first; pages never reveal whether an address
 * has an account; passwords are wiped from the form once used. */
#include "core/config.h"
#include "core/str.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "web/csrf.h"
#include "web/page.h"
#include <sodium.h>
#include <string.h>

/* Wipes a password field's value in the parsed form. */
static void forget_password(Request *req, const char *field)
{
    for (Param *p = req->form; p; p = p->next)
        if (str_eq(p->name, field) && p->value)
            sodium_memzero((void *)p->value, strlen(p->value));
}

static View *form_view(Request *req, Response *res, const char *title)
{
    csrf_prepare(req, res);
    View *v = page_view(req, page_t(req, title));
    const char *next = request_query(req, "next");
    if (!next)
        next = request_form(req, "next");
    view_set(v, "next", next ? next : "");
    return v;
}

static void render_invalid_link(Request *req, Response *res, bool register_link)
{
    View *v = page_view(req, page_t(req, "This link is no longer valid"));
    view_set_bool(v, "register", register_link);
    page_render(req, res, 410, "link_invalid", v);
}

void portal_register_form(Request *req, Response *res)
{
    View *v = form_view(req, res, "Register");
    page_render(req, res, 200, "register", v);
}

void portal_register_submit(Request *req, Response *res)
{
    if (!web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    FieldErrors errors = {0};
    const char *email = request_form(req, "email");
    AccountResult r = account_register_start(&c, email, request_form(req, "next"), &errors);
    View *v = form_view(req, res, "Register");
    view_set(v, "email", email ? email : "");
    if (r == ACCOUNT_INVALID) {
        web_form_errors(req, v, &errors);
        page_render(req, res, 422, "register", v);
    } else if (r != ACCOUNT_OK) {
        web_account_failure(req, res, r, c.retry_after);
    } else {
        portal_mail_sent();
        view_setf(v, "hours", "%lld", (long long)cfg.verify_token_hours);
        page_render(req, res, 200, "register_sent", v);
    }
}

void portal_register_finish_form(Request *req, Response *res)
{
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    const char *token = request_query(req, "token"), *email = NULL;
    AccountResult r = account_register_check(&c, token, &email);
    if (r == ACCOUNT_BAD_TOKEN) {
        render_invalid_link(req, res, true);
        return;
    }
    if (r != ACCOUNT_OK) {
        web_account_failure(req, res, r, 0);
        return;
    }
    View *v = form_view(req, res, "Finish registration");
    view_set(v, "token", token);
    view_set(v, "email", email);
    view_set(v, "meter_email", email);
    view_set(v, "action", "/register/finish");
    view_set(v, "password_label", page_t(req, "Password"));
    page_render(req, res, 200, "register_finish", v);
}

void portal_register_finish_submit(Request *req, Response *res)
{
    if (!web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    const char *token = request_form(req, "token"), *name = request_form(req, "name");
    FieldErrors errors = {0};
    NewSession session = {0};
    const char *next = "/", *email = NULL;
    AccountResult r = account_register_finish(&c, token, name, request_form(req, "password"),
                                              &session, &next, &errors);
    forget_password(req, "password");
    if (r == ACCOUNT_OK) {
        web_set_session_cookie(req, res, &session);
        response_redirect(res, req, next);
    } else if (r == ACCOUNT_BAD_TOKEN) {
        render_invalid_link(req, res, true);
    } else if (r == ACCOUNT_INVALID && account_register_check(&c, token, &email) == ACCOUNT_OK) {
        View *v = form_view(req, res, "Finish registration");
        view_set(v, "token", token);
        view_set(v, "email", email);
        view_set(v, "meter_email", email);
        view_set(v, "name", name ? name : "");
        view_set(v, "action", "/register/finish");
        view_set(v, "password_label", page_t(req, "Password"));
        web_form_errors(req, v, &errors);
        page_render(req, res, 422, "register_finish", v);
    } else {
        web_account_failure(req, res, r, c.retry_after);
    }
}

void portal_login_form(Request *req, Response *res)
{
    if (web_user(req)) {
        response_redirect(res, req, account_safe_next(request_query(req, "next")));
        return;
    }
    View *v = form_view(req, res, "Log in");
    const char *email = request_query(req, "email");
    view_set(v, "email", email ? email : "");
    page_render(req, res, 200, "login", v);
}

static void render_login_step2(Request *req, Response *res, const char *email,
                               const FieldErrors *errors, int status)
{
    View *v = form_view(req, res, "Log in");
    view_set_bool(v, "step2", true);
    view_set(v, "email", email);
    view_set(v, "email_q", str_url_encode(req->arena, email));
    if (errors)
        web_form_errors(req, v, errors);
    page_render(req, res, status, "login", v);
}

void portal_login_submit(Request *req, Response *res)
{
    if (!web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    FieldErrors errors = {0};
    const char *email_input = request_form(req, "email"), *email, *msgid;
    if (!account_email_normalize(req->arena, email_input, &email, &msgid)) {
        account_error(&errors, "email", msgid);
        View *v = form_view(req, res, "Log in");
        view_set(v, "email", email_input ? email_input : "");
        web_form_errors(req, v, &errors);
        page_render(req, res, 422, "login", v);
        return;
    }
    if (!str_eq(request_form(req, "step"), "2")) {
        render_login_step2(req, res, email, NULL, 200); /* the same for every address */
        return;
    }
    NewSession session = {0};
    AccountResult r = account_login(&c, email, request_form(req, "password"), &session, &errors);
    forget_password(req, "password");
    if (r == ACCOUNT_OK) {
        web_set_session_cookie(req, res, &session);
        response_redirect(res, req, account_safe_next(request_form(req, "next")));
    } else if (r == ACCOUNT_BAD_LOGIN || r == ACCOUNT_INVALID) {
        render_login_step2(req, res, email, &errors, 422);
    } else {
        web_account_failure(req, res, r, c.retry_after);
    }
}

void portal_forgot_form(Request *req, Response *res)
{
    View *v = form_view(req, res, "Forgot password?");
    page_render(req, res, 200, "forgot", v);
}

void portal_forgot_submit(Request *req, Response *res)
{
    if (!web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    FieldErrors errors = {0};
    const char *email = request_form(req, "email");
    AccountResult r = account_reset_start(&c, email, &errors);
    View *v = form_view(req, res, "Forgot password?");
    view_set(v, "email", email ? email : "");
    if (r == ACCOUNT_INVALID) {
        web_form_errors(req, v, &errors);
        page_render(req, res, 422, "forgot", v);
    } else if (r != ACCOUNT_OK) {
        web_account_failure(req, res, r, c.retry_after);
    } else {
        portal_mail_sent();
        view_setf(v, "minutes", "%lld", (long long)cfg.reset_token_minutes);
        page_render(req, res, 200, "forgot_sent", v);
    }
}

static void render_reset_form(Request *req, Response *res, const char *token, const char *email,
                              const FieldErrors *errors, int status)
{
    View *v = form_view(req, res, "Choose a new password");
    view_set(v, "token", token);
    view_set(v, "email", email);
    view_set(v, "meter_email", email);
    view_set(v, "password_label", page_t(req, "New password"));
    if (errors)
        web_form_errors(req, v, errors);
    page_render(req, res, status, "reset", v);
}

void portal_reset_form(Request *req, Response *res)
{
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    const char *token = request_query(req, "token"), *email = NULL;
    AccountResult r = account_reset_check(&c, token, &email);
    if (r == ACCOUNT_BAD_TOKEN)
        render_invalid_link(req, res, false);
    else if (r != ACCOUNT_OK)
        web_account_failure(req, res, r, 0);
    else
        render_reset_form(req, res, token, email, NULL, 200);
}

void portal_reset_submit(Request *req, Response *res)
{
    if (!web_require_csrf(req, res))
        return;
    AccountContext c;
    if (!web_account_context_or_503(req, res, &c))
        return;
    const char *token = request_form(req, "token"), *email = NULL;
    FieldErrors errors = {0};
    NewSession session = {0};
    AccountResult r = account_reset_finish(&c, token, request_form(req, "password"), &session,
                                           &errors);
    forget_password(req, "password");
    if (r == ACCOUNT_OK) {
        web_set_session_cookie(req, res, &session);
        portal_flash(req, res, "password_saved");
        response_redirect(res, req, "/");
    } else if (r == ACCOUNT_BAD_TOKEN) {
        render_invalid_link(req, res, false);
    } else if (r == ACCOUNT_INVALID && account_reset_check(&c, token, &email) == ACCOUNT_OK) {
        render_reset_form(req, res, token, email, &errors, 422);
    } else {
        web_account_failure(req, res, r, c.retry_after);
    }
}

void portal_logout(Request *req, Response *res)
{
    if (!web_require_csrf(req, res))
        return;
    SignedIn *s = web_user(req);
    AccountContext c;
    if (s && web_account_context(req, &c))
        account_logout(&c, s->session.id);
    web_clear_session_cookie(req, res);
    portal_flash(req, res, "logged_out");
    response_redirect(res, req, "/");
}
