/* admin_pages: the handlers of the admin pages, joined into ADMIN_ROUTES by admin_routes.c. */
#ifndef PFORTE_DESK_ADMIN_PAGES_H
#define PFORTE_DESK_ADMIN_PAGES_H
#include "http/request.h"

/* admin_settings_pages.c */
void admin_settings_form(Request *req, Response *res);
void admin_settings_submit(Request *req, Response *res);
void admin_logo_submit(Request *req, Response *res);
void admin_test_mail_submit(Request *req, Response *res);
void portal_logo(Request *req, Response *res);  /* public: the uploaded logo */
void portal_theme(Request *req, Response *res); /* public: the accent colour as CSS */

/* admin_users_pages.c */
void admin_users_list(Request *req, Response *res);
void admin_users_invite(Request *req, Response *res);
void admin_user_page(Request *req, Response *res);
void admin_user_role(Request *req, Response *res);
void admin_user_disable(Request *req, Response *res);
void admin_user_resend_link(Request *req, Response *res);
void admin_registration_resend_submit(Request *req, Response *res);
void admin_orgs_list(Request *req, Response *res);
void admin_orgs_create(Request *req, Response *res);
void admin_org_page(Request *req, Response *res);
void admin_org_update(Request *req, Response *res);
void admin_org_member_add(Request *req, Response *res);
void admin_org_member_remove(Request *req, Response *res);

/* admin_log_pages.c */
void admin_outbox_list(Request *req, Response *res);
void admin_outbox_retry_now(Request *req, Response *res);
void admin_audit_list(Request *req, Response *res);

/* admin_types_pages.c */
void admin_types_list(Request *req, Response *res);
void admin_type_move_submit(Request *req, Response *res);
void admin_type_new(Request *req, Response *res);
void admin_type_create(Request *req, Response *res);
void admin_type_page(Request *req, Response *res);
void admin_type_update(Request *req, Response *res);
void admin_type_active_submit(Request *req, Response *res);
void admin_type_delete_submit(Request *req, Response *res);
void admin_type_preview(Request *req, Response *res);
void admin_field_create(Request *req, Response *res);
void admin_field_page(Request *req, Response *res);
void admin_field_update(Request *req, Response *res);
void admin_field_action(Request *req, Response *res); /* move, active, remove */

#endif
