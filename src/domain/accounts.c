/* accounts: registration by mailed link, login and password reset.
 * SECURITY: "Link senden" and "Passwort vergessen?" answer the same for known and unknown
 * addresses; a wrong password and an unknown address fail alike and take as long; links
 * work once, expire, and a new link supersedes older ones; every attempt is rate-limited. */
#include "domain/admin.h"
#include "auth/password.h"
#include "auth/strength.h"
#include "auth/token.h"
#include "core/i18n_mark.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/account_common.h"
#include "domain/ratelimit.h"
#include "mail/message.h"
#include <ctype.h>
#include <sodium.h>
#include <string.h>

void account_error(FieldErrors *e, const char *field, const char *msgid)
{
    if (e && e->count < ACCOUNT_MAX_ERRORS)
        e->items[e->count++] = (FieldError){field, msgid};
}

AccountResult account_db_failure(DbResult r)
{
    return r == DB_BUSY ? ACCOUNT_UNAVAILABLE : ACCOUNT_ERROR;
}

bool account_email_normalize(Arena *a, const char *input, const char **out, const char **msgid)
{
    char *email = str_lower(a, str_trim(a, input));
    if (!*email) {
        *msgid = N_("Please enter your e-mail address.");
        return false;
    }
    if (strlen(email) > ACCOUNT_MAX_EMAIL || !mail_address_valid(email)) {
        *msgid = N_("Please enter a valid e-mail address, like name@example.com.");
        return false;
    }
    *out = email;
    return true;
}

const char *account_safe_next(const char *next)
{
    if (str_empty(next) || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
        strlen(next) > 512)
        return "/";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x21 || *p == '\\')
            return "/";
    return next;
}

bool account_name_valid(Arena *a, const char *input, const char **out, FieldErrors *errors)
{
    const char *name = str_trim(a, input);
    size_t n = strlen(name);
    if (!n) {
        account_error(errors, "name", N_("Please enter your name."));
        return false;
    }
    if (!str_utf8_valid(name, n) || str_has_replacement_char(name)) {
        account_error(errors, "name", N_("The name contains characters that could not be read. "
                                         "Please type it again."));
        return false;
    }
    if (str_utf8_len(name) > ACCOUNT_MAX_NAME) {
        account_error(errors, "name", N_("Please enter a name of at most 200 characters."));
        return false;
    }
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            account_error(errors, "name", N_("The name must not contain control characters."));
            return false;
        }
    }
    *out = name;
    return true;
}

bool account_password_acceptable(AccountContext *c, const char *password, const char *email,
                                 const char *name, FieldErrors *errors)
{
    StrengthResult s = strength_check(password ? password : "", email, name,
                                      account_portal_name(c));
    if (s.ok)
        return true;
    account_error(errors, "password", N_("This password is not strong enough."));
    for (int bit = 0; bit < 31 && errors->reason_count < 12; bit++)
        if (s.reasons & (1 << bit))
            errors->password_reasons[errors->reason_count++] = strength_reason_msgid(1 << bit);
    return false;
}

DbResult account_session_create(AccountContext *c, int64_t user_id, NewSession *out)
{
    char hash[65], csrf[ACCOUNT_TOKEN_LEN + 1];
    token_new(out->token);
    token_new(csrf);
    token_hash(out->token, hash);
    DbResult r = store_session_insert(c->db, hash, user_id, csrf, c->user_agent, c->ip, c->now);
    out->user_id = user_id;
    sodium_memzero(csrf, sizeof csrf);
    return r;
}

/* Both limits of the mail-sending forms: per IP and per address. */
static AccountResult mail_rate_check(AccountContext *c, const char *email)
{
    bool allowed = true;
    DbResult r = ratelimit_hit(c->db, "mail-ip", c->ip, settings_now()->rate_mail_ip, settings_now()->rate_mail_window,
                               c->now, &allowed, &c->retry_after);
    if (r == DB_OK && allowed)
        r = ratelimit_hit(c->db, "mail-address", email, settings_now()->rate_mail_address,
                          settings_now()->rate_mail_window, c->now, &allowed, &c->retry_after);
    if (r != DB_OK)
        return account_db_failure(r);
    if (!allowed) {
        log_warn("event=rate_limited kind=mail ip=%s", c->ip);
        return ACCOUNT_RATE_LIMITED;
    }
    return ACCOUNT_OK;
}

AccountResult account_commit(AccountContext *c, DbResult r)
{
    if (r == DB_OK)
        r = db_commit(c->db);
    if (r != DB_OK) {
        db_rollback(c->db);
        return account_db_failure(r);
    }
    return ACCOUNT_OK;
}

/* The common start of "Link senden" and "Passwort vergessen?": a valid address within the
 * limits, a transaction, and the account (u->id == 0 when none); *r is the lookup's result. */
static AccountResult mail_form_begin(AccountContext *c, const char *email_input,
                                     FieldErrors *errors, const char **email, User *u,
                                     DbResult *r)
{
    const char *msgid;
    if (!account_email_normalize(c->arena, email_input, email, &msgid)) {
        account_error(errors, "email", msgid);
        return ACCOUNT_INVALID;
    }
    AccountResult ar = mail_rate_check(c, *email);
    if (ar != ACCOUNT_OK)
        return ar;
    *r = db_begin(c->db);
    if (*r != DB_OK)
        return account_db_failure(*r);
    *r = store_user_by_email(c->db, c->arena, *email, u);
    return ACCOUNT_OK;
}

AccountResult account_register_start(AccountContext *c, const char *email_input,
                                     const char *next, FieldErrors *errors)
{
    const char *email;
    User u;
    DbResult r;
    AccountResult ar = mail_form_begin(c, email_input, errors, &email, &u, &r);
    if (ar != ACCOUNT_OK)
        return ar;
    int64_t verify = cfg.verify_token_hours * 3600, reset = cfg.reset_token_minutes * 60;
    if (r == DB_OK && u.id && u.password_hash)
        r = account_mail_token(c, "already", "reset", email, u.id, u.name, u.lang, "", reset);
    else if (r == DB_OK)
        r = account_mail_token(c, "register", "register", email, u.id, u.name,
                               u.id ? u.lang : c->lang, account_safe_next(next), verify);
    return account_commit(c, r);
}

/* Finds a live token of purpose; ACCOUNT_BAD_TOKEN for anything else. */
static AccountResult token_lookup(AccountContext *c, const char *token, const char *purpose,
                                  EmailToken *t)
{
    if (!token_well_formed(token))
        return ACCOUNT_BAD_TOKEN;
    char hash[65];
    token_hash(token, hash);
    DbResult r = store_token_find(c->db, c->arena, hash, t);
    if (r != DB_OK)
        return account_db_failure(r);
    bool purpose_ok = str_eq(t->purpose, purpose) ||
                      (str_eq(purpose, "register") && str_eq(t->purpose, "invite"));
    if (!t->id || !purpose_ok || t->used || t->expires_at <= c->now) {
        log_warn("event=bad_token purpose=%s reason=%s", purpose,
                 !t->id ? "unknown" : !purpose_ok ? "purpose" : t->used ? "used" : "expired");
        return ACCOUNT_BAD_TOKEN;
    }
    return ACCOUNT_OK;
}

AccountResult account_register_check(AccountContext *c, const char *token, const char **email)
{
    EmailToken t;
    AccountResult ar = token_lookup(c, token, "register", &t);
    if (ar == ACCOUNT_OK)
        *email = t.email;
    return ar;
}

/* Inside the transaction: the user row for a finished registration. */
static DbResult register_upsert_user(AccountContext *c, const EmailToken *t, const char *name,
                                     const char *hash, int64_t *user_id, bool *taken)
{
    User u;
    DbResult r = store_user_by_email(c->db, c->arena, t->email, &u);
    *taken = false;
    if (r != DB_OK)
        return r;
    if (u.id && u.password_hash) {
        *taken = true;
        return DB_OK;
    }
    if (u.id) {
        *user_id = u.id;
        r = store_user_set_password(c->db, u.id, hash, c->now);
        if (r == DB_OK)
            r = store_user_update_profile(c->db, u.id, name, u.lang, u.notify, c->now);
        return r;
    }
    /* new customers of a known company domain join its organization */
    int64_t org_id = 0;
    const char *at = strrchr(t->email, '@');
    if (at && (r = store_organization_by_domain(c->db, at + 1, &org_id)) != DB_OK)
        return r;
    User nu = {0};
    nu.organization_id = org_id;
    nu.email = t->email;
    nu.name = (char *)name;
    nu.password_hash = (char *)hash;
    nu.role = "customer";
    nu.lang = (char *)c->lang;
    nu.notify = true;
    return store_user_insert(c->db, &nu, c->now, user_id);
}

AccountResult account_register_finish(AccountContext *c, const char *token, const char *name,
                                      const char *password, NewSession *out, const char **next,
                                      FieldErrors *errors)
{
    EmailToken t;
    AccountResult ar = token_lookup(c, token, "register", &t);
    if (ar != ACCOUNT_OK)
        return ar;
    const char *clean_name = NULL;
    bool ok = account_name_valid(c->arena, name, &clean_name, errors);
    ok = account_password_acceptable(c, password, t.email, clean_name ? clean_name : name,
                                     errors) && ok;
    if (!ok)
        return ACCOUNT_INVALID;
    char hash[256];
    if (!password_hash(password, hash))
        return ACCOUNT_ERROR;
    DbResult r = db_begin(c->db);
    if (r != DB_OK)
        return account_db_failure(r);
    bool claimed = false, taken = false;
    int64_t user_id = 0;
    r = store_token_use(c->db, t.id, c->now, &claimed);
    if (r == DB_OK && claimed)
        r = register_upsert_user(c, &t, clean_name, hash, &user_id, &taken);
    if (r == DB_OK && claimed && !taken)
        r = account_session_create(c, user_id, out);
    if (r == DB_OK && claimed && !taken)
        r = store_audit(c->db, user_id, "register", t.email, "", c->ip, c->now);
    if (r == DB_OK && (!claimed || taken)) {
        db_rollback(c->db);
        return ACCOUNT_BAD_TOKEN;
    }
    *next = account_safe_next(t.data);
    return account_commit(c, r);
}

AccountResult account_login(AccountContext *c, const char *email_input, const char *password,
                            NewSession *out, FieldErrors *errors)
{
    const char *email, *msgid;
    if (!account_email_normalize(c->arena, email_input, &email, &msgid)) {
        account_error(errors, "email", msgid);
        return ACCOUNT_INVALID;
    }
    bool allowed = true, full = false;
    DbResult r = ratelimit_hit(c->db, "login-ip", c->ip, settings_now()->rate_login_ip,
                               settings_now()->rate_login_window, c->now, &allowed, &c->retry_after);
    if (r == DB_OK && allowed)
        r = ratelimit_full(c->db, "login-account", email, settings_now()->rate_login_account,
                           settings_now()->rate_login_window, c->now, &full, &c->retry_after);
    if (r != DB_OK)
        return account_db_failure(r);
    if (!allowed || full) {
        log_warn("event=rate_limited kind=login ip=%s", c->ip);
        return ACCOUNT_RATE_LIMITED;
    }
    User u;
    r = store_user_by_email(c->db, c->arena, email, &u);
    if (r != DB_OK)
        return account_db_failure(r);
    bool good;
    if (u.id && u.password_hash && !u.disabled) {
        good = password_verify(u.password_hash, password ? password : "");
    } else {
        password_dummy_verify(password ? password : "");
        good = false;
    }
    if (!good) {
        ratelimit_hit(c->db, "login-account", email, settings_now()->rate_login_account,
                      settings_now()->rate_login_window, c->now, &allowed, &c->retry_after);
        log_warn("event=login_failed ip=%s", c->ip);
        store_audit(c->db, u.id, "login_failed", email, "", c->ip, c->now);
        account_error(errors, "password", N_("The e-mail address or the password is not right."));
        return ACCOUNT_BAD_LOGIN;
    }
    char rehash[256];
    bool upgrade = password_needs_rehash(u.password_hash) && password_hash(password, rehash);
    r = db_begin(c->db);
    if (r != DB_OK)
        return account_db_failure(r);
    if (upgrade)
        r = store_user_set_password(c->db, u.id, rehash, c->now);
    if (r == DB_OK)
        r = account_session_create(c, u.id, out);
    if (r == DB_OK)
        r = store_audit(c->db, u.id, "login", email, "", c->ip, c->now);
    if (r == DB_OK)
        r = ratelimit_clear(c->db, "login-account", email, settings_now()->rate_login_window, c->now);
    return account_commit(c, r);
}

AccountResult account_reset_start(AccountContext *c, const char *email_input,
                                  FieldErrors *errors)
{
    const char *email;
    User u;
    DbResult r;
    AccountResult ar = mail_form_begin(c, email_input, errors, &email, &u, &r);
    if (ar != ACCOUNT_OK)
        return ar;
    if (r == DB_OK && u.id && !u.disabled)
        r = account_mail_token(c, "reset", "reset", email, u.id, u.name, u.lang, "",
                               cfg.reset_token_minutes * 60);
    else if (r == DB_OK)
        log_info("event=reset_unknown_address");
    return account_commit(c, r);
}

AccountResult account_reset_check(AccountContext *c, const char *token, const char **email)
{
    EmailToken t;
    AccountResult ar = token_lookup(c, token, "reset", &t);
    if (ar == ACCOUNT_OK)
        *email = t.email;
    return ar;
}

AccountResult account_reset_finish(AccountContext *c, const char *token, const char *password,
                                   NewSession *out, FieldErrors *errors)
{
    EmailToken t;
    AccountResult ar = token_lookup(c, token, "reset", &t);
    if (ar != ACCOUNT_OK)
        return ar;
    User u;
    DbResult r = store_user_by_email(c->db, c->arena, t.email, &u);
    if (r != DB_OK)
        return account_db_failure(r);
    if (!u.id || u.disabled)
        return ACCOUNT_BAD_TOKEN;
    if (!account_password_acceptable(c, password, u.email, u.name, errors))
        return ACCOUNT_INVALID;
    char hash[256];
    if (!password_hash(password, hash))
        return ACCOUNT_ERROR;
    r = db_begin(c->db);
    if (r != DB_OK)
        return account_db_failure(r);
    bool claimed = false;
    r = store_token_use(c->db, t.id, c->now, &claimed);
    if (r == DB_OK && !claimed) {
        db_rollback(c->db);
        return ACCOUNT_BAD_TOKEN;
    }
    if (r == DB_OK)
        r = store_user_set_password(c->db, u.id, hash, c->now);
    if (r == DB_OK)
        r = store_session_delete_all_for_user(c->db, u.id, 0);
    if (r == DB_OK)
        r = account_session_create(c, u.id, out);
    if (r == DB_OK)
        r = store_audit(c->db, u.id, "password_reset", u.email, "", c->ip, c->now);
    return account_commit(c, r);
}
