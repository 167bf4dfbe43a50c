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

#endif
