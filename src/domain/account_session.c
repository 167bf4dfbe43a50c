/* account_session: signed-in state - session lookup, logout, profile, password change,
 * ending sessions - and the admin/set-up operations on accounts.
 * SECURITY: sessions expire by idle time and absolute lifetime; a password change ends every
 * other session; a customer can end only their own sessions. */
#include "domain/admin.h"
#include "auth/password.h"
#include "auth/token.h"
#include "core/i18n_mark.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/account_common.h"
#include "mail/message.h"
#include <string.h>

#define SESSION_TOUCH_SECONDS 60

AccountResult account_session_lookup(AccountContext *c, const char *token, SignedIn *s)
{
    memset(s, 0, sizeof *s);
    if (!token_well_formed(token))
        return ACCOUNT_OK;
    char hash[65];
    token_hash(token, hash);
    int64_t min_created = c->now - cfg.session_max_days * 86400;
    int64_t min_seen = c->now - cfg.session_idle_days * 86400;
    DbResult r = store_session_find(c->db, c->arena, hash, min_created, min_seen, &s->session,
                                    &s->user);
    if (r != DB_OK)
        return account_db_failure(r);
    if (s->session.id && c->now - s->session.last_seen_at >= SESSION_TOUCH_SECONDS)
        store_session_touch(c->db, s->session.id, c->now);
    return ACCOUNT_OK;
}

AccountResult account_logout(AccountContext *c, int64_t session_id)
{
    DbResult r = store_session_delete(c->db, session_id);
    return r == DB_OK ? ACCOUNT_OK : account_db_failure(r);
}

AccountResult account_update_profile(AccountContext *c, const User *u, const char *name,
                                     const char *lang, bool notify, FieldErrors *errors)
{
    const char *clean;
    bool ok = account_name_valid(c->arena, name, &clean, errors);
    if (!str_eq(lang, "de") && !str_eq(lang, "en")) {
        account_error(errors, "lang", N_("Please choose German or English."));
        ok = false;
    }
    if (!ok)
        return ACCOUNT_INVALID;
    DbResult r = store_user_update_profile(c->db, u->id, clean, lang, notify, c->now);
    return r == DB_OK ? ACCOUNT_OK : account_db_failure(r);
}

AccountResult account_change_password(AccountContext *c, const SignedIn *s,
                                      const char *current, const char *password,
                                      FieldErrors *errors)
{
    if (!s->user.password_hash ||
        !password_verify(s->user.password_hash, current ? current : "")) {
        account_error(errors, "current_password", N_("The current password is not right."));
        return ACCOUNT_INVALID;
    }
    if (!account_password_acceptable(c, password, s->user.email, s->user.name, errors))
        return ACCOUNT_INVALID;
    char hash[256];
    if (!password_hash(password, hash))
        return ACCOUNT_ERROR;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_user_set_password(c->db, s->user.id, hash, c->now);
    if (r == DB_OK)
        r = store_session_delete_all_for_user(c->db, s->user.id, s->session.id);
    if (r == DB_OK)
        r = store_audit(c->db, s->user.id, "password_change", s->user.email, "", c->ip, c->now);
    return account_commit(c, r);
}

AccountResult account_end_session(AccountContext *c, const SignedIn *s, int64_t session_id)
{
    DbResult r = store_session_delete_for_user(c->db, s->user.id, session_id, 0);
    return r == DB_OK ? ACCOUNT_OK : account_db_failure(r);
}

/* The end of a transaction that inserted a new user: commit it, or roll it back - an address
 * taken in the meantime is an input error on "email", anything else a store failure. */
static AccountResult new_account_commit(AccountContext *c, DbResult r, FieldErrors *errors)
{
    if (r == DB_OK)
        r = db_commit(c->db);
    if (r == DB_OK)
        return ACCOUNT_OK;
    db_rollback(c->db);
    if (r == DB_CONFLICT) {
        account_error(errors, "email", N_("There already is an account with this address."));
        return ACCOUNT_INVALID;
    }
    return account_db_failure(r);
}

static bool role_valid(const char *role)
{
    return str_eq(role, "customer") || str_eq(role, "agent") || str_eq(role, "admin");
}

AccountResult account_create(AccountContext *c, const char *email_input, const char *name,
                             const char *role, const char *password, int64_t *user_id,
                             FieldErrors *errors)
{
    const char *email, *msgid, *clean = NULL;
    bool ok = account_email_normalize(c->arena, email_input, &email, &msgid);
    if (!ok)
        account_error(errors, "email", msgid);
    ok = account_name_valid(c->arena, name, &clean, errors) && ok;
    if (!role_valid(role)) {
        account_error(errors, "role", N_("The role must be customer, agent or admin."));
        ok = false;
    }
    if (ok && password && !account_password_acceptable(c, password, email, clean, errors))
        ok = false;
    if (!ok)
        return ACCOUNT_INVALID;
    char hash[256];
    if (password && !password_hash(password, hash))
        return ACCOUNT_ERROR;
    User u = {0};
    u.email = (char *)email;
    u.name = (char *)clean;
    u.password_hash = password ? hash : NULL;
    u.role = (char *)role;
    u.lang = (char *)c->lang;
    u.notify = true;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_user_insert(c->db, &u, c->now, user_id);
    if (r == DB_OK && !password)
        r = account_mail_token(c, "invite", "invite", email, *user_id, clean, c->lang, "/",
                               cfg.verify_token_hours * 3600);
    if (r == DB_OK)
        r = store_audit(c->db, 0, "user_create", email, role, c->ip, c->now);
    return new_account_commit(c, r, errors);
}

AccountResult account_invite(AccountContext *c, int64_t user_id)
{
    User u;
    DbResult r = store_user_by_id(c->db, c->arena, user_id, &u);
    if (r != DB_OK)
        return account_db_failure(r);
    if (!u.id)
        return ACCOUNT_INVALID;
    r = db_begin(c->db);
    if (r == DB_OK)
        r = account_mail_token(c, "invite", "invite", u.email, u.id, u.name, u.lang, "/",
                               cfg.verify_token_hours * 3600);
    return account_commit(c, r);
}

AccountResult account_setup_link(AccountContext *c, const char **url)
{
    int64_t admins = 0;
    DbResult r = store_user_count_admins(c->db, &admins);
    if (r != DB_OK)
        return account_db_failure(r);
    if (admins > 0)
        return ACCOUNT_INVALID;
    char token[ACCOUNT_TOKEN_LEN + 1], hash[65];
    token_new(token);
    token_hash(token, hash);
    r = db_begin(c->db);
    if (r == DB_OK)
        r = store_token_insert(c->db, hash, "setup", "", 0, "", c->now, c->now + 7 * 86400);
    AccountResult done = account_commit(c, r);
    if (done != ACCOUNT_OK)
        return done;
    *url = arena_printf(c->arena, "%s/setup?token=%s", config_base_url(settings_now()), token);
    return ACCOUNT_OK;
}

AccountResult account_setup_check(AccountContext *c, const char *token)
{
    if (!token_well_formed(token))
        return ACCOUNT_BAD_TOKEN;
    char hash[65];
    token_hash(token, hash);
    EmailToken t;
    int64_t admins = 0;
    DbResult r = store_token_find(c->db, c->arena, hash, &t);
    if (r == DB_OK)
        r = store_user_count_admins(c->db, &admins);
    if (r != DB_OK)
        return account_db_failure(r);
    if (!t.id || !str_eq(t.purpose, "setup") || t.used || t.expires_at <= c->now || admins > 0)
        return ACCOUNT_BAD_TOKEN;
    return ACCOUNT_OK;
}

AccountResult account_setup_finish(AccountContext *c, const char *token, const char *email_input,
                                   const char *name, const char *password, NewSession *out,
                                   FieldErrors *errors)
{
    if (!token_well_formed(token))
        return ACCOUNT_BAD_TOKEN;
    char hash[65];
    token_hash(token, hash);
    EmailToken t;
    DbResult r = store_token_find(c->db, c->arena, hash, &t);
    if (r != DB_OK)
        return account_db_failure(r);
    if (!t.id || !str_eq(t.purpose, "setup") || t.used || t.expires_at <= c->now)
        return ACCOUNT_BAD_TOKEN;
    const char *email, *msgid, *clean = NULL;
    bool ok = account_email_normalize(c->arena, email_input, &email, &msgid);
    if (!ok)
        account_error(errors, "email", msgid);
    ok = account_name_valid(c->arena, name, &clean, errors) && ok;
    if (ok && !account_password_acceptable(c, password, email, clean, errors))
        ok = false;
    if (!ok)
        return ACCOUNT_INVALID;
    char pw_hash[256];
    if (!password_hash(password, pw_hash))
        return ACCOUNT_ERROR;
    User u = {0};
    u.email = (char *)email;
    u.name = (char *)clean;
    u.password_hash = pw_hash;
    u.role = "admin";
    u.lang = (char *)c->lang;
    u.notify = true;
    bool claimed = false;
    int64_t admins = 0;
    r = db_begin(c->db);
    if (r == DB_OK)
        r = store_user_count_admins(c->db, &admins);
    if (r == DB_OK)
        r = store_token_use(c->db, t.id, c->now, &claimed);
    if (r == DB_OK && (!claimed || admins > 0)) {
        db_rollback(c->db);
        return ACCOUNT_BAD_TOKEN;
    }
    if (r == DB_OK)
        r = store_user_insert(c->db, &u, c->now, &out->user_id);
    if (r == DB_OK)
        r = account_session_create(c, out->user_id, out);
    if (r == DB_OK)
        r = store_audit(c->db, out->user_id, "setup_admin", email, "", c->ip, c->now);
    return new_account_commit(c, r, errors);
}

AccountResult account_set_disabled(AccountContext *c, const char *email_input, bool disabled)
{
    const char *email, *msgid;
    if (!account_email_normalize(c->arena, email_input, &email, &msgid))
        return ACCOUNT_INVALID;
    User u;
    DbResult r = store_user_by_email(c->db, c->arena, email, &u);
    if (r != DB_OK)
        return account_db_failure(r);
    if (!u.id)
        return ACCOUNT_INVALID;
    r = db_begin(c->db);
    if (r == DB_OK)
        r = store_user_set_disabled(c->db, u.id, disabled, c->now);
    if (r == DB_OK && disabled)
        r = store_session_delete_all_for_user(c->db, u.id, 0);
    if (r == DB_OK)
        r = store_audit(c->db, 0, disabled ? "user_disable" : "user_enable", email, "", c->ip,
                        c->now);
    return account_commit(c, r);
}
