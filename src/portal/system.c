/* system: language choice before every request, the error pages and /healthz. */
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "http/static.h"
#include "mail/outbox_worker.h"
#include "portal/web_session.h"
#include "portal/portal.h"
#include "store/catalog.h"
#include "store/db.h"
#include "web/i18n.h"
#include "web/page.h"

#define LANG_COOKIE_SECONDS (365LL * 24 * 3600)

const Route PORTAL_ROUTES[] = {
    {"GET", "/", portal_home},
    {"GET", "/healthz", portal_healthz},
    {"GET", "/static/{file}", static_handle},
    {"GET", "/register", portal_register_form},
    {"POST", "/register", portal_register_submit},
    {"GET", "/register/finish", portal_register_finish_form},
    {"POST", "/register/finish", portal_register_finish_submit, RUN_HASHING},
    {"GET", "/login", portal_login_form},
    {"POST", "/login", portal_login_submit, RUN_HASHING},
    {"GET", "/forgot", portal_forgot_form},
    {"POST", "/forgot", portal_forgot_submit},
    {"GET", "/reset", portal_reset_form},
    {"POST", "/reset", portal_reset_submit, RUN_HASHING},
    {"POST", "/logout", portal_logout},
    {"GET", "/profile", portal_profile},
    {"POST", "/profile", portal_profile_save},
    {"POST", "/profile/password", portal_profile_password, RUN_HASHING},
    {"POST", "/profile/sessions/{id}/end", portal_profile_end_session},
    {"GET", "/setup", portal_setup_form},
    {"POST", "/setup", portal_setup_submit, RUN_HASHING},
    {0},
};

#define FLASH_COOKIE "pf_flash"

static const struct {
    const char *code, *msgid;
} FLASH_MESSAGES[] = {
    {"password_saved", N_("Your new password has been saved.")},
    {"profile_saved", N_("Your profile has been saved.")},
    {"logged_out", N_("You have been logged out.")},
    {"session_ended", N_("The session has been ended.")},
    {"admin_saved", N_("Your changes have been saved.")},
    {"admin_created", N_("Created.")},
    {"admin_mail_queued", N_("The mail has been queued.")},
    {"admin_invited", N_("The invitation has been sent.")},
    {"admin_field_hidden", N_("The field holds values of existing requests, so it was "
                              "switched off instead of deleted: new forms leave it out, old "
                              "requests keep their values.")},
    {"admin_field_deleted", N_("The field has been deleted.")},
    {"admin_type_deleted", N_("The request type has been deleted.")},
};

void portal_flash(Request *req, Response *res, const char *code)
{
    response_cookie(res, req, FLASH_COOKIE, code, 60);
}

void portal_mail_sent(void)
{
    outbox_worker_wake();
}

static void take_flash(Request *req, Response *res)
{
    const char *code = request_cookie(req, FLASH_COOKIE);
    if (!code)
        return;
    for (size_t i = 0; i < sizeof FLASH_MESSAGES / sizeof FLASH_MESSAGES[0]; i++)
        if (str_eq(code, FLASH_MESSAGES[i].code))
            req->flash = FLASH_MESSAGES[i].msgid;
    response_cookie(res, req, FLASH_COOKIE, "", 0);
}

/* Assets and probes: no session, cookies, language or database reads of their own. */
static bool plain_path(const Request *req)
{
    return str_starts_with(req->path, "/static/") || str_eq(req->path, "/healthz");
}

static bool reads_only(const Request *req)
{
    return str_eq(req->method, "GET") || str_eq(req->method, "HEAD");
}

bool portal_before(Request *req, Response *res)
{
    if (plain_path(req)) {
        req->lang = "de";
        return true;
    }
    /* A page's reads (the session's too) from one snapshot, maybe the one the thread's last
     * page read from (db_read_scope_release). Not for the other methods: a login would hold
     * its snapshot through the password hash; they read the latest state. */
    if (reads_only(req))
        db_read_scope_begin(db_thread());
    else
        db_read_scope_end(db_thread());
    AccountResult loaded = web_session_load(req, res);
    const char *query_lang = request_query(req, "lang");
    if (!str_eq(query_lang, "de") && !str_eq(query_lang, "en"))
        query_lang = NULL;
    const char *cookie_lang = request_cookie(req, "lang");
    SignedIn *s = web_user(req);
    /* an explicit switch wins over the profile's language for this page */
    req->lang = i18n_pick_lang(query_lang, cookie_lang, query_lang || !s ? NULL : s->user.lang,
                               request_header(req, "Accept-Language"));
    if (query_lang && !str_eq(query_lang, cookie_lang))
        response_cookie(res, req, "lang", query_lang, LANG_COOKIE_SECONDS);
    if (loaded != ACCOUNT_OK) {
        portal_error_page(req, res, 503);
        return false;
    }
    if (str_eq(req->method, "GET"))
        take_flash(req, res);
    return true;
}

void portal_after(Request *req)
{
    /* assets never touch the database; /healthz takes the connection (db_thread) too */
    if (!str_starts_with(req->path, "/static/"))
        db_read_scope_release(db_thread());
}

typedef struct ErrorText {
    int status;
    const char *title;
    const char *message;
} ErrorText;

static const ErrorText ERROR_TEXTS[] = {
    {400, N_("Bad request"), N_("The request could not be understood. Please go back and try again.")},
    {403, N_("Form expired"), N_("This form has expired. Please go back, reload the page and send it "
                          "again. Nothing has been changed.")},
    {404, N_("Page not found"), N_("This page does not exist or you do not have access to it.")},
    {405, N_("Method not allowed"), N_("This address cannot be used this way.")},
    {413, N_("Too much data"), N_("What you sent is larger than this portal accepts. Please send less "
                           "data or smaller files.")},
    {414, N_("Address too long"), N_("The address of this page is too long.")},
    {429, N_("Too many attempts"), N_("Too many attempts. Please wait a few minutes and try again.")},
    {431, N_("Request too large"), N_("Your browser sent more header data than this portal accepts. "
                               "Deleting this site's cookies usually helps.")},
    {500, N_("Something went wrong"), N_("An unexpected error occurred. Please try again later.")},
    {503, N_("Briefly unavailable"), N_("The portal is briefly unavailable. Please try again in a few "
                                 "seconds.")},
};

void portal_error_page(Request *req, Response *res, int status)
{
    const ErrorText *text = &ERROR_TEXTS[8]; /* 500 */
    for (size_t i = 0; i < sizeof ERROR_TEXTS / sizeof ERROR_TEXTS[0]; i++)
        if (ERROR_TEXTS[i].status == status)
            text = &ERROR_TEXTS[i];
    if (!req->lang)
        req->lang = "de";
    const char *title = page_t(req, text->title);
    View *v = page_view(req, title);
    view_set_int(v, "status", status);
    view_set(v, "heading", title);
    view_set(v, "message", page_t(req, text->message));
    page_render(req, res, status, "error", v);
}

void portal_healthz(Request *req, Response *res)
{
    Db *db = db_thread();
    bool ok = db && store_ping(db) == DB_OK;
    response_header(res, req, "Cache-Control", "no-store");
    response_text(res, ok ? 200 : 503, "application/json",
                  ok ? "{\"status\":\"ok\"}\n" : "{\"status\":\"unavailable\"}\n");
}
