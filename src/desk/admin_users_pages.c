/* admin_users_pages: /desk/admin/users (search, role filter, invitations, one user's page with
 * role, disabling, new set-up link and their requests) and /desk/admin/orgs (create, rename,
 * e-mail domain, members). */
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/admin_common.h"
#include "desk/admin_pages.h"
#include "domain/requests.h"
#include "store/accounts.h"
#include "web/page.h"
#include <string.h>

static const char *role_label(Request *req, const char *role)
{
    return page_t(req, str_eq(role, "admin")   ? N_("Admin")
                       : str_eq(role, "agent") ? N_("Agent")
                                               : N_("Customer"));
}

static void users_render(Request *req, Response *res, AdminContext *c, const AdminErrors *e,
                         const char *invite_email, const char *invite_name, int status)
{
    const char *q = request_query(req, "q"), *role = request_query(req, "role");
    const char *after = request_query(req, "after");
    if (!str_eq(role, "customer") && !str_eq(role, "agent") && !str_eq(role, "admin"))
        role = NULL;
    UserRow *rows;
    int count;
    DbResult r = store_admin_users(c->db, req->arena, admin_like_pattern(req->arena, q), role,
                                   after, ADMIN_PAGE_SIZE + 1, &rows, &count);
    if (r != DB_OK) {
        admin_fail(req, res, r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR);
        return;
    }
    View *v = admin_view(req, page_t(req, "Users"), "users");
    view_set(v, "q", q ? q : "");
    view_set_bool(v, "role_all", !role);
    view_set_bool(v, "role_customer", str_eq(role, "customer"));
    view_set_bool(v, "role_agent", str_eq(role, "agent"));
    view_set_bool(v, "role_admin", str_eq(role, "admin"));
    int shown = count > ADMIN_PAGE_SIZE ? ADMIN_PAGE_SIZE : count;
    for (int i = 0; i < shown; i++) {
        View *item = view_list_add(v, "users");
        view_setf(item, "id", "%lld", (long long)rows[i].user.id);
        view_set(item, "email", rows[i].user.email);
        view_set(item, "name", rows[i].user.name);
        view_set(item, "role", role_label(req, rows[i].user.role));
        view_set(item, "organization", rows[i].organization);
        view_set_int(item, "requests", rows[i].request_count);
        view_set_bool(item, "disabled", rows[i].user.disabled);
        view_set_bool(item, "pending", rows[i].pending);
    }
    view_set_bool(v, "has_users", shown > 0);
    if (count > ADMIN_PAGE_SIZE)
        view_set(v, "next_url",
                 arena_printf(req->arena, "/desk/admin/users?q=%s&role=%s&after=%s",
                              str_url_encode(req->arena, q ? q : ""),
                              role ? role : "", str_url_encode(req->arena, rows[shown - 1].user.email)));
    if (!str_empty(after))
        view_set(v, "first_url",
                 arena_printf(req->arena, "/desk/admin/users?q=%s&role=%s",
                              str_url_encode(req->arena, q ? q : ""), role ? role : ""));
    PendingRegistration *pending;
    int pending_count = 0;
    if (str_empty(after) &&
        store_admin_pending_registrations(c->db, req->arena,
                                          c->now - ADMIN_PENDING_DAYS * 86400LL, 20, &pending,
                                          &pending_count) == DB_OK) {
        for (int i = 0; i < pending_count; i++) {
            View *item = view_list_add(v, "pending");
            view_set(item, "email", pending[i].email);
            view_set(item, "requested", admin_time(req, pending[i].requested_at));
        }
    }
    view_set_bool(v, "has_pending", pending_count > 0);
    view_set(v, "invite_email", invite_email ? invite_email : "");
    view_set(v, "invite_name", invite_name ? invite_name : "");
    admin_render(req, res, status, "desk/admin_users", v, e);
}

void admin_users_list(Request *req, Response *res)
{
    AdminContext c;
    if (admin_begin(req, res, &c))
        users_render(req, res, &c, NULL, NULL, NULL, 200);
}

void admin_users_invite(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    const char *email = request_form(req, "email"), *name = request_form(req, "name");
    const char *role = request_form(req, "role");
    AdminErrors e = {0};
    AdminResult r = admin_user_invite(&c, email, name, role, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID, "/desk/admin/users", "admin_invited"))
        users_render(req, res, &c, &e, email, name, 422);
}

void admin_registration_resend_submit(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    AdminErrors e = {0};
    AdminResult r = admin_registration_resend(&c, request_form(req, "email"), &e);
    if (admin_finish(req, res, r, ADMIN_REFUSED, "/desk/admin/users", "admin_mail_queued"))
        users_render(req, res, &c, &e, NULL, NULL, 429);
}

static void user_render(Request *req, Response *res, AdminContext *c, int64_t id,
                        const AdminErrors *e, int status)
{
    User u;
    DbResult r = store_user_by_id(c->db, req->arena, id, &u);
    if (r != DB_OK || !u.id) {
        admin_fail(req, res, r == DB_OK ? ADMIN_NOT_FOUND : ADMIN_UNAVAILABLE);
        return;
    }
    UserRequestRow *rows;
    int count;
    store_admin_user_requests(c->db, req->arena, u.id, 100, &rows, &count);
    char *org = "";
    if (u.organization_id) {
        Organization o;
        if (store_admin_organization(c->db, req->arena, u.organization_id, &o) == DB_OK && o.id)
            org = (char *)o.name;
    }
    View *v = admin_view(req, str_empty(u.name) ? u.email : u.name, "users");
    view_setf(v, "id", "%lld", (long long)u.id);
    view_set(v, "email", u.email);
    view_set(v, "name", u.name);
    view_set(v, "role", role_label(req, u.role));
    view_set_bool(v, "is_customer", str_eq(u.role, "customer"));
    view_set_bool(v, "is_agent", str_eq(u.role, "agent"));
    view_set_bool(v, "is_admin", str_eq(u.role, "admin"));
    view_set_bool(v, "disabled", u.disabled);
    view_set_bool(v, "pending", !u.password_hash);
    view_set_bool(v, "self", u.id == c->actor_id);
    view_set(v, "organization", org);
    view_setf(v, "organization_id", "%lld", (long long)u.organization_id);
    view_set(v, "created", admin_time(req, u.created_at));
    for (int i = 0; i < count; i++) {
        View *item = view_list_add(v, "requests");
        view_set(item, "key", request_format_key(req->arena, rows[i].number));
        view_set(item, "summary", rows[i].summary);
        view_set(item, "status", rows[i].status);
        view_set(item, "status_name", page_t(req, request_status_msgid(rows[i].status)));
        view_set(item, "created", admin_time(req, rows[i].created_at));
    }
    view_set_bool(v, "has_requests", count > 0);
    admin_render(req, res, status, "desk/admin_user", v, e);
}

void admin_user_page(Request *req, Response *res)
{
    AdminContext c;
    if (admin_begin(req, res, &c))
        user_render(req, res, &c, admin_param_id(req, "id"), NULL, 200);
}

/* Answers a user action: back to the user's page, or the page with the refusal. */
static void user_answer(Request *req, Response *res, AdminContext *c, int64_t id, AdminResult r,
                        const AdminErrors *e, const char *flash)
{
    if (r == ADMIN_OK)
        admin_done(req, res, arena_printf(req->arena, "/desk/admin/users/%lld", (long long)id),
                   flash);
    else if (r == ADMIN_REFUSED || r == ADMIN_INVALID)
        user_render(req, res, c, id, e, r == ADMIN_REFUSED ? 409 : 422);
    else
        admin_fail(req, res, r);
}

void admin_user_role(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    AdminErrors e = {0};
    AdminResult r = admin_user_set_role(&c, id, request_form(req, "role"), &e);
    user_answer(req, res, &c, id, r, &e, "admin_saved");
}

void admin_user_disable(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    AdminErrors e = {0};
    bool disable = !str_eq(request_form(req, "enable"), "1");
    AdminResult r = admin_user_set_disabled(&c, id, disable, &e);
    user_answer(req, res, &c, id, r, &e, "admin_saved");
}

void admin_user_resend_link(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    AdminErrors e = {0};
    AdminResult r = admin_user_resend(&c, id, &e);
    user_answer(req, res, &c, id, r, &e, "admin_invited");
}

/* ---- organizations ---- */

static void orgs_render(Request *req, Response *res, AdminContext *c, const AdminErrors *e,
                        const char *name, const char *domain, int status)
{
    Organization *orgs;
    int count;
    if (store_admin_organizations(c->db, req->arena, &orgs, &count) != DB_OK) {
        admin_fail(req, res, ADMIN_UNAVAILABLE);
        return;
    }
    View *v = admin_view(req, page_t(req, "Organizations"), "orgs");
    for (int i = 0; i < count; i++) {
        View *item = view_list_add(v, "orgs");
        view_setf(item, "id", "%lld", (long long)orgs[i].id);
        view_set(item, "name", orgs[i].name);
        view_set(item, "email_domain", orgs[i].email_domain);
        view_set_int(item, "members", orgs[i].member_count);
    }
    view_set_bool(v, "has_orgs", count > 0);
    view_set(v, "new_name", name ? name : "");
    view_set(v, "new_domain", domain ? domain : "");
    admin_render(req, res, status, "desk/admin_orgs", v, e);
}

void admin_orgs_list(Request *req, Response *res)
{
    AdminContext c;
    if (admin_begin(req, res, &c))
        orgs_render(req, res, &c, NULL, NULL, NULL, 200);
}

void admin_orgs_create(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    const char *name = request_form(req, "name"), *domain = request_form(req, "email_domain");
    AdminErrors e = {0};
    int64_t id = 0;
    AdminResult r = admin_org_save(&c, 0, name, domain, &id, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID,
                     arena_printf(req->arena, "/desk/admin/orgs/%lld", (long long)id),
                     "admin_created"))
        orgs_render(req, res, &c, &e, name, domain, 422);
}

static void org_render(Request *req, Response *res, AdminContext *c, int64_t id,
                       const AdminErrors *e, const char *name, const char *domain,
                       const char *member, int status)
{
    Organization o;
    User *members;
    int count;
    DbResult r = store_admin_organization(c->db, req->arena, id, &o);
    if (r == DB_OK && !o.id) {
        admin_fail(req, res, ADMIN_NOT_FOUND);
        return;
    }
    if (r == DB_OK)
        r = store_admin_organization_members(c->db, req->arena, id, &members, &count);
    if (r != DB_OK) {
        admin_fail(req, res, ADMIN_UNAVAILABLE);
        return;
    }
    View *v = admin_view(req, o.name, "orgs");
    view_setf(v, "id", "%lld", (long long)o.id);
    view_setf(v, "org_id", "%lld", (long long)o.id);
    view_set(v, "org_name", o.name);
    view_set(v, "name", name ? name : o.name);
    view_set(v, "email_domain", domain ? domain : o.email_domain);
    view_set(v, "member_email", member ? member : "");
    for (int i = 0; i < count; i++) {
        View *item = view_list_add(v, "members");
        view_setf(item, "id", "%lld", (long long)members[i].id);
        view_set(item, "email", members[i].email);
        view_set(item, "name", members[i].name);
        view_set_bool(item, "disabled", members[i].disabled);
    }
    view_set_bool(v, "has_members", count > 0);
    admin_render(req, res, status, "desk/admin_org", v, e);
}

void admin_org_page(Request *req, Response *res)
{
    AdminContext c;
    if (admin_begin(req, res, &c))
        org_render(req, res, &c, admin_param_id(req, "id"), NULL, NULL, NULL, NULL, 200);
}

void admin_org_update(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    const char *name = request_form(req, "name"), *domain = request_form(req, "email_domain");
    AdminErrors e = {0};
    AdminResult r = admin_org_save(&c, id, name, domain, NULL, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID,
                     arena_printf(req->arena, "/desk/admin/orgs/%lld", (long long)id),
                     "admin_saved"))
        org_render(req, res, &c, id, &e, name, domain, NULL, 422);
}

void admin_org_member_add(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    const char *email = request_form(req, "email");
    AdminErrors e = {0};
    AdminResult r = admin_org_add_member(&c, id, email, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID,
                     arena_printf(req->arena, "/desk/admin/orgs/%lld", (long long)id),
                     "admin_saved"))
        org_render(req, res, &c, id, &e, NULL, NULL, email, 422);
}

void admin_org_member_remove(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    AdminResult r = admin_org_remove_member(&c, id, admin_param_id(req, "user"));
    if (r != ADMIN_OK)
        admin_fail(req, res, r);
    else
        admin_done(req, res, arena_printf(req->arena, "/desk/admin/orgs/%lld", (long long)id),
                   "admin_saved");
}
