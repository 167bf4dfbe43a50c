/* page: renders a page template inside the common layout (navigation, language switch,
 * flash message, static asset URLs) into a Response. Every HTML page goes through here. */
#ifndef PFORTE_WEB_PAGE_H
#define PFORTE_WEB_PAGE_H
#include "http/request.h"
#include "web/template.h"

/* Returns a View pre-filled with what every page needs (lang, portal name, asset URLs);
 * handlers add their own values and pass it to page_render. */
View *page_view(Request *req, const char *title);
/* Renders templates/<name>.html with v inside templates/layout.html; a template error is
 * logged and answered with a plain 500 page. Sets {{csrf}} when req->csrf_token is set (form
 * pages of anonymous visitors call csrf_prepare first). */
void page_render(Request *req, Response *res, int status, const char *name, View *v);
/* Translates msgid for the request's language. */
const char *page_t(Request *req, const char *msgid);
/* Translates msgid and puts n in place of its "%{n}" ("%{n} days" -> "12 Tage"). */
const char *page_tn(Request *req, const char *msgid, int64_t n);
/* A fixed message for ?done=CODE after an action (never text from the address). */
typedef struct PageNotice {
    const char *code, *msgid;
} PageNotice;
/* The translated msgid of the notice whose code is the request's ?done=, or NULL. */
const char *page_done_notice(Request *req, const PageNotice *notices, size_t count);
/* The portal's name: the setting from the database, else cfg.portal_name. */
const char *page_portal_name(Request *req);

#endif
