/* admin_users (domain): users and organizations as an admin manages them - inviting agents,
 * roles, disabling, new links for unfinished accounts, organizations and their members.
 * SECURITY: there is always at least one active admin (checked inside the transaction that
 * would remove the last one); disabling deletes every session of the account in the same
 * transaction, so its cookie stops working on the next request. */
#include "core/i18n_mark.h"
#include "core/str.h"
#include "domain/account_common.h"
#include "domain/accounts.h"
#include "domain/admin.h"
#include "mail/outbox_worker.h"
#include "store/accounts.h"
#include "store/admin.h"
#include "store/users.h"
#include <string.h>

static AdminResult db_failure(Db *db, DbResult r)
{
    db_rollback(db);
    return r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
}

/* Begins a transaction and reads the user into *u: ADMIN_OK with the transaction open, else
 * rolled back (ADMIN_NOT_FOUND, or the store failure). */
static AdminResult begin_with_user(AdminContext *c, int64_t user_id, User *u)
{
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_user_by_id(c->db, c->arena, user_id, u);
    if (r != DB_OK)
        return db_failure(c->db, r);
    if (!u->id) {
        db_rollback(c->db);
        return ADMIN_NOT_FOUND;
    }
    return ADMIN_OK;
}

static bool role_valid(const char *role)
{
    return str_eq(role, "customer") || str_eq(role, "agent") || str_eq(role, "admin");
}

static void account_context(AdminContext *c, AccountContext *ac)
{
    memset(ac, 0, sizeof *ac);
    ac->db = c->db;
    ac->arena = c->arena;
    ac->ip = c->ip;
    ac->user_agent = "";
    ac->lang = c->lang;
    ac->now = c->now;
}

AdminResult admin_user_invite(AdminContext *c, const char *email, const char *name,
                              const char *role, AdminErrors *e)
{
    if (!str_eq(role, "agent") && !str_eq(role, "admin")) {
        admin_error(e, "role", N_("Please choose agent or admin."), NULL);
        return ADMIN_INVALID;
    }
    AccountContext ac;
    account_context(c, &ac);
    FieldErrors fe = {0};
    int64_t id = 0;
    AccountResult r = account_create(&ac, email, name, role, NULL, &id, &fe);
    for (int i = 0; i < fe.count; i++)
        admin_error(e, fe.items[i].field, fe.items[i].msgid, NULL);
    if (r == ACCOUNT_INVALID)
        return ADMIN_INVALID;
    if (r != ACCOUNT_OK)
        return r == ACCOUNT_UNAVAILABLE ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    store_audit(c->db, c->actor_id, "user_invite", email, role, c->ip, c->now);
    outbox_worker_wake();
    return ADMIN_OK;
}

AdminResult admin_user_set_role(AdminContext *c, int64_t user_id, const char *role,
                                AdminErrors *e)
{
    if (!role_valid(role)) {
        admin_error(e, "role", N_("The role must be customer, agent or admin."), NULL);
        return ADMIN_INVALID;
    }
    User u;
    int64_t admins = 0;
    AdminResult begun = begin_with_user(c, user_id, &u);
    if (begun != ADMIN_OK)
        return begun;
    if (str_eq(u.role, role)) {
        db_rollback(c->db);
        return ADMIN_OK;
    }
    DbResult r = store_user_set_role(c->db, u.id, role, c->now);
    if (r == DB_OK)
        r = store_admin_count_active_admins(c->db, &admins);
    if (r == DB_OK && admins == 0) {
        db_rollback(c->db);
        admin_error(e, "role",
                    N_("This is the last active admin. Make someone else an admin first."),
                    NULL);
        return ADMIN_REFUSED;
    }
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "role_change", u.email,
                        arena_printf(c->arena, "%s -> %s", u.role, role), c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    return r == DB_OK ? ADMIN_OK : db_failure(c->db, r);
}

AdminResult admin_user_set_disabled(AdminContext *c, int64_t user_id, bool disabled,
                                    AdminErrors *e)
{
    User u;
    int64_t admins = 0;
    AdminResult begun = begin_with_user(c, user_id, &u);
    if (begun != ADMIN_OK)
        return begun;
    DbResult r = store_user_set_disabled(c->db, u.id, disabled, c->now);
    if (r == DB_OK && disabled)
        r = store_session_delete_all_for_user(c->db, u.id, 0);
    if (r == DB_OK)
        r = store_admin_count_active_admins(c->db, &admins);
    if (r == DB_OK && admins == 0) {
        db_rollback(c->db);
        admin_error(e, "", N_("This is the last active admin. Make someone else an admin first."),
                    NULL);
        return ADMIN_REFUSED;
    }
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, disabled ? "user_disable" : "user_enable", u.email,
                        "", c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    return r == DB_OK ? ADMIN_OK : db_failure(c->db, r);
}

AdminResult admin_user_resend(AdminContext *c, int64_t user_id, AdminErrors *e)
{
    User u;
    DbResult r = store_user_by_id(c->db, c->arena, user_id, &u);
    if (r != DB_OK)
        return r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    if (!u.id)
        return ADMIN_NOT_FOUND;
    if (u.password_hash) {
        admin_error(e, "", N_("This account is already set up."), NULL);
        return ADMIN_REFUSED;
    }
    AccountContext ac;
    account_context(c, &ac);
    AccountResult ar = account_invite(&ac, u.id);
    if (ar != ACCOUNT_OK)
        return ar == ACCOUNT_UNAVAILABLE ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    store_audit(c->db, c->actor_id, "user_resend", u.email, "", c->ip, c->now);
    outbox_worker_wake();
    return ADMIN_OK;
}

AdminResult admin_registration_resend(AdminContext *c, const char *email_input, AdminErrors *e)
{
    const char *email, *msgid;
    if (!account_email_normalize(c->arena, email_input, &email, &msgid))
        return ADMIN_NOT_FOUND;
    PendingRegistration *pending;
    int count;
    DbResult r = store_admin_pending_registrations(c->db, c->arena,
                                                   c->now - ADMIN_PENDING_DAYS * 86400LL, 1000,
                                                   &pending, &count);
    if (r != DB_OK)
        return r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    bool found = false;
    for (int i = 0; i < count && !found; i++)
        found = str_eq(pending[i].email, email);
    if (!found)
        return ADMIN_NOT_FOUND;
    AccountContext ac;
    account_context(c, &ac);
    FieldErrors fe = {0};
    AccountResult ar = account_register_start(&ac, email, NULL, &fe);
    if (ar == ACCOUNT_RATE_LIMITED) {
        admin_error(e, "", N_("Too many mails to this address. Please try again later."), NULL);
        return ADMIN_REFUSED;
    }
    if (ar != ACCOUNT_OK)
        return ar == ACCOUNT_UNAVAILABLE ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    store_audit(c->db, c->actor_id, "registration_resend", email, "", c->ip, c->now);
    outbox_worker_wake();
    return ADMIN_OK;
}

/* ---- organizations ---- */

static bool domain_valid(const char *d)
{
    size_t n = strlen(d);
    if (n < 3 || n > 253 || !strchr(d, '.') || d[0] == '.' || d[0] == '-' || d[n - 1] == '.')
        return false;
    for (const char *p = d; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
            return false;
    return !strstr(d, "..");
}

AdminResult admin_org_save(AdminContext *c, int64_t id, const char *name_input,
                           const char *domain_input, int64_t *new_id, AdminErrors *e)
{
    const char *name = str_trim(c->arena, name_input ? name_input : "");
    const char *domain = str_lower(c->arena, str_trim(c->arena, domain_input ? domain_input : ""));
    if (*domain == '@')
        domain++;
    if (!*name)
        admin_error(e, "name", N_("Please fill in this field."), NULL);
    else if (!str_utf8_valid(name, strlen(name)) || str_utf8_len(name) > ADMIN_MAX_NAME)
        admin_error(e, "name", N_("At most %{value} characters, please."), "120");
    if (*domain && !domain_valid(domain))
        admin_error(e, "email_domain",
                    N_("Please enter a domain like example.com, without @ and without spaces."),
                    NULL);
    if (e->count)
        return ADMIN_INVALID;
    DbResult r = db_begin(c->db);
    if (r == DB_OK && id) {
        Organization o;
        r = store_admin_organization(c->db, c->arena, id, &o);
        if (r == DB_OK && !o.id) {
            db_rollback(c->db);
            return ADMIN_NOT_FOUND;
        }
        if (r == DB_OK)
            r = store_admin_organization_update(c->db, id, name, domain);
    } else if (r == DB_OK) {
        r = store_organization_insert(c->db, name, *domain ? domain : NULL, c->now, new_id);
    }
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, id ? "org_update" : "org_create", name, domain,
                        c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    if (r == DB_CONFLICT) {
        db_rollback(c->db);
        admin_error(e, "name", N_("There already is an organization with this name."), NULL);
        return ADMIN_INVALID;
    }
    return r == DB_OK ? ADMIN_OK : db_failure(c->db, r);
}

AdminResult admin_org_add_member(AdminContext *c, int64_t org_id, const char *email_input,
                                 AdminErrors *e)
{
    const char *email, *msgid;
    if (!account_email_normalize(c->arena, email_input, &email, &msgid)) {
        admin_error(e, "email", msgid, NULL);
        return ADMIN_INVALID;
    }
    Organization o;
    User u;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_organization(c->db, c->arena, org_id, &o);
    if (r == DB_OK && !o.id) {
        db_rollback(c->db);
        return ADMIN_NOT_FOUND;
    }
    if (r == DB_OK)
        r = store_user_by_email(c->db, c->arena, email, &u);
    if (r == DB_OK && !u.id) {
        db_rollback(c->db);
        admin_error(e, "email", N_("There is no account with this address."), NULL);
        return ADMIN_INVALID;
    }
    if (r == DB_OK && u.organization_id == org_id) {
        db_rollback(c->db);
        admin_error(e, "email", N_("This person is already a member."), NULL);
        return ADMIN_INVALID;
    }
    if (r == DB_OK)
        r = store_admin_user_set_organization(c->db, u.id, org_id, c->now);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "org_member_add", o.name, email, c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    return r == DB_OK ? ADMIN_OK : db_failure(c->db, r);
}

AdminResult admin_org_remove_member(AdminContext *c, int64_t org_id, int64_t user_id)
{
    Organization o;
    User u;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_organization(c->db, c->arena, org_id, &o);
    if (r == DB_OK)
        r = store_user_by_id(c->db, c->arena, user_id, &u);
    if (r == DB_OK && (!o.id || !u.id || u.organization_id != org_id)) {
        db_rollback(c->db);
        return ADMIN_NOT_FOUND;
    }
    if (r == DB_OK)
        r = store_admin_user_set_organization(c->db, u.id, 0, c->now);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "org_member_remove", o.name, u.email, c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    return r == DB_OK ? ADMIN_OK : db_failure(c->db, r);
}
