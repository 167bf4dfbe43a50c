/* page: the layout every HTML page shares; keeps per-page handlers small. */
#include "domain/admin.h"
#include "web/page.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "http/static.h"
#include "domain/catalog.h"
#include "web/i18n.h"
#include <string.h>

const char *page_t(Request *req, const char *msgid)
{
    return i18n_get(req->lang, msgid);
}

const char *page_tn(Request *req, const char *msgid, int64_t n)
{
    const char *s = page_t(req, msgid);
    const char *at = strstr(s, "%{n}");
    if (!at)
        return s;
    /* without printf: lists call this for every row */
    char digits[STR_INT_SIZE];
    size_t head = (size_t)(at - s), d_len = str_from_int(digits, n), tail = strlen(at + 4);
    char *out = arena_alloc(req->arena, head + d_len + tail + 1);
    memcpy(out, s, head);
    memcpy(out + head, digits, d_len);
    memcpy(out + head + d_len, at + 4, tail + 1);
    return out;
}

const char *page_done_notice(Request *req, const PageNotice *notices, size_t count)
{
    const char *code = request_query(req, "done");
    for (size_t i = 0; code && i < count; i++)
        if (str_eq(code, notices[i].code))
            return page_t(req, notices[i].msgid);
    return NULL;
}

const char *page_portal_name(Request *req)
{
    const Catalog *c = catalog_current(db_thread());
    return c && !str_empty(c->portal_name) ? c->portal_name : settings_now()->portal_name;
}

/* Room for a typical page, so the output buffer does not grow (and copy) several times. */
#define PAGE_INITIAL_BYTES (32 * 1024)

View *page_view(Request *req, const char *title)
{
    View *v = view_new(req->arena);
    bool de = str_eq(req->lang, "de");
    view_set(v, "lang", req->lang);
    view_set(v, "portal_name", page_portal_name(req));
    view_set(v, "title", title ? title : "");
    view_set(v, "css_url", static_url("app.css"));
    view_set(v, "js_url", static_url("app.js"));
    view_set(v, "icons_url", static_url("icons.svg"));
    view_set(v, "favicon_url", static_url("favicon.svg"));
    view_set(v, "other_lang", de ? "en" : "de");
    view_set(v, "other_lang_name", de ? "English" : "Deutsch");
    view_set(v, "lang_switch_url",
             arena_printf(req->arena, "%s?lang=%s", req->path, de ? "en" : "de"));
    view_set(v, "path", req->path);
    const Catalog *c = catalog_current(db_thread());
    if (c && !str_empty(c->accent))
        view_set(v, "theme_url", arena_printf(req->arena, "/portal/theme.css?v=%s", c->accent + 1));
    if (c && !str_empty(c->logo_version))
        view_set(v, "logo_url", arena_printf(req->arena, "/portal/logo?v=%.16s", c->logo_version));
    if (req->user_name) {
        View *user = view_child(v, "user");
        view_set(user, "name", req->user_name);
        view_set_bool(user, "agent", !str_eq(req->user_role, "customer"));
    }
    if (req->flash)
        view_set(v, "flash", page_t(req, req->flash));
    return v;
}

void page_render(Request *req, Response *res, int status, const char *name, View *v)
{
    if (req->csrf_token)
        view_set(v, "csrf", req->csrf_token);
    view_set_template(v, "content", name);
    Buf err;
    buf_init(&err, req->arena);
    buf_reserve(&res->body, PAGE_INITIAL_BYTES);
    if (!template_render("layout", v, req->lang, &res->body, &err)) {
        log_error("event=template_error template=%s error=\"%s\"", name, buf_cstr(&err));
        buf_clear(&res->body);
        response_text(res, 500, "text/plain; charset=utf-8",
                      "500 - internal error. Please try again later.\n");
        return;
    }
    res->status = status;
    res->content_type = "text/html; charset=utf-8";
}
