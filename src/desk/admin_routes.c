/* admin_routes: the admin overview page and the route table of every admin page (request
 * types, users, organizations, settings, outbox, audit log). The audit log has only GET
 * routes: entries are never changed or deleted through the web. */
#include "desk/admin_common.h"
#include "desk/admin_pages.h"
#include "web/page.h"

static void admin_home(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    View *v = admin_view(req, page_t(req, "Administration"), "");
    page_render(req, res, 200, "desk/admin", v);
}

const Route ADMIN_ROUTES[] = {
    {"GET", "/desk/admin", admin_home},
    {"GET", "/desk/admin/types", admin_types_list},
    {"GET", "/desk/admin/types/new", admin_type_new},
    {"POST", "/desk/admin/types", admin_type_create},
    {"GET", "/desk/admin/types/{id}", admin_type_page},
    {"POST", "/desk/admin/types/{id}", admin_type_update},
    {"POST", "/desk/admin/types/{id}/move", admin_type_move_submit},
    {"POST", "/desk/admin/types/{id}/active", admin_type_active_submit},
    {"POST", "/desk/admin/types/{id}/delete", admin_type_delete_submit},
    {"GET", "/desk/admin/types/{id}/preview", admin_type_preview},
    {"POST", "/desk/admin/types/{id}/fields", admin_field_create},
    {"GET", "/desk/admin/fields/{fid}", admin_field_page},
    {"POST", "/desk/admin/fields/{fid}", admin_field_update},
    {"POST", "/desk/admin/fields/{fid}/{action}", admin_field_action},
    {"GET", "/desk/admin/settings", admin_settings_form},
    {"POST", "/desk/admin/settings", admin_settings_submit},
    {"POST", "/desk/admin/settings/logo", admin_logo_submit},
    {"POST", "/desk/admin/settings/testmail", admin_test_mail_submit},
    {"GET", "/desk/admin/users", admin_users_list},
    {"POST", "/desk/admin/users/invite", admin_users_invite},
    {"GET", "/desk/admin/users/{id}", admin_user_page},
    {"POST", "/desk/admin/users/{id}/role", admin_user_role},
    {"POST", "/desk/admin/users/{id}/disable", admin_user_disable},
    {"POST", "/desk/admin/users/{id}/resend", admin_user_resend_link},
    {"POST", "/desk/admin/registrations/resend", admin_registration_resend_submit},
    {"GET", "/desk/admin/orgs", admin_orgs_list},
    {"POST", "/desk/admin/orgs", admin_orgs_create},
    {"GET", "/desk/admin/orgs/{id}", admin_org_page},
    {"POST", "/desk/admin/orgs/{id}", admin_org_update},
    {"POST", "/desk/admin/orgs/{id}/members", admin_org_member_add},
    {"POST", "/desk/admin/orgs/{id}/members/{user}/remove", admin_org_member_remove},
    {"GET", "/desk/admin/outbox", admin_outbox_list},
    {"POST", "/desk/admin/outbox/{id}/retry", admin_outbox_retry_now},
    {"GET", "/desk/admin/audit", admin_audit_list},
    {"GET", "/portal/logo", portal_logo},
    {"GET", "/portal/theme.css", portal_theme},
    {0},
};
