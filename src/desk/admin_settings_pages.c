/* admin_settings_pages: /desk/admin/settings - portal name, logo, accent colour, welcome texts,
 * key prefix, base URL, sender, mail transport with a test mail, attachment and rate limits;
 * and the two public files the settings produce: the logo and the theme stylesheet.
 * SECURITY: the theme stylesheet is built only from a colour the domain validated as
 * #rrggbb; the logo is served with its checked image type, nosniff and a sandbox CSP. */
#include "core/str.h"
#include "desk/admin_common.h"
#include "desk/admin_pages.h"
#include "domain/catalog.h"
#include "portal/portal.h"
#include "store/admin.h"
#include "web/page.h"
#include <stdio.h>
#include <string.h>

#define FIELD(name) {#name, offsetof(SettingsForm, name)}
static const struct {
    const char *name;
    size_t offset;
} FORM_FIELDS[] = {
    FIELD(portal_name),       FIELD(welcome_de),         FIELD(welcome_en),
    FIELD(accent_color),      FIELD(key_prefix),         FIELD(base_url),
    FIELD(mail_from),         FIELD(mail),               FIELD(max_attachment_mb),
    FIELD(max_request_attachment_mb), FIELD(rate_login_account), FIELD(rate_login_ip),
    FIELD(rate_login_window), FIELD(rate_mail_address),  FIELD(rate_mail_ip),
    FIELD(rate_mail_window),
};
#undef FIELD
#define FORM_FIELD_COUNT (sizeof FORM_FIELDS / sizeof FORM_FIELDS[0])

static const char **form_slot(SettingsForm *f, size_t i)
{
    return (const char **)((char *)f + FORM_FIELDS[i].offset);
}

/* The state of the test mail ?testmail=ID as a sentence and a tone. */
static void test_mail_state(Request *req, View *v, AdminContext *c)
{
    int64_t id;
    if (!str_to_int64(request_query(req, "testmail"), &id) || id <= 0)
        return;
    OutboxItem it;
    if (store_admin_outbox_by_id(c->db, req->arena, id, &it) != DB_OK || !it.id ||
        !str_eq(it.recipient, c->actor_email))
        return;
    View *t = view_child(v, "testmail");
    view_setf(t, "id", "%lld", (long long)id);
    if (str_eq(it.state, "sent")) {
        view_set_bool(t, "sent", true);
    } else if (str_eq(it.state, "failed") || (str_eq(it.state, "queued") && it.attempts > 0)) {
        view_set_bool(t, "failed", true);
        view_set(t, "error", it.last_error);
    } else {
        view_set_bool(t, "waiting", true);
    }
}

static void settings_render(Request *req, Response *res, AdminContext *c, const SettingsForm *f,
                            const AdminErrors *e, int status)
{
    View *v = admin_view(req, page_t(req, "Portal settings"), "settings");
    View *form = view_child(v, "form");
    for (size_t i = 0; i < FORM_FIELD_COUNT; i++)
        view_set(form, FORM_FIELDS[i].name, *form_slot((SettingsForm *)f, i));
    const Catalog *cat = catalog_current(c->db);
    if (cat && !str_empty(cat->logo_version))
        view_set(v, "current_logo", arena_printf(req->arena, "/portal/logo?v=%s",
                                                 cat->logo_version));
    view_set(v, "accent_preview", str_empty(f->accent_color) ? "#1d5fc4" : f->accent_color);
    view_setf(v, "upload_limit_mb", "%lld", (long long)(cfg.max_upload_bytes / (1024 * 1024)));
    test_mail_state(req, v, c);
    admin_render(req, res, status, "desk/admin_settings", v, e);
}

void admin_settings_form(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    catalog_invalidate(); /* show what is stored now, not this thread's snapshot */
    SettingsForm f;
    admin_settings_load(req->arena, &f);
    settings_render(req, res, &c, &f, NULL, 200);
}

void admin_settings_submit(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    SettingsForm f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i < FORM_FIELD_COUNT; i++) {
        const char *value = request_form(req, FORM_FIELDS[i].name);
        *form_slot(&f, i) = value ? value : "";
    }
    AdminErrors e = {0};
    AdminResult r = admin_settings_save(&c, &f, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID, "/desk/admin/settings", "admin_saved"))
        settings_render(req, res, &c, &f, &e, 422);
}

void admin_logo_submit(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    AdminErrors e = {0};
    AdminResult r;
    if (str_eq(request_form(req, "remove"), "1")) {
        r = admin_logo_remove(&c);
    } else {
        const UploadedFile *file = request_file(req, "logo");
        r = admin_logo_set(&c, file ? file->data : NULL, file ? file->size : 0, &e);
    }
    if (r == ADMIN_INVALID) {
        SettingsForm f;
        admin_settings_load(req->arena, &f);
        settings_render(req, res, &c, &f, &e, 422);
    } else if (r != ADMIN_OK) {
        admin_fail(req, res, r);
    } else {
        admin_done(req, res, "/desk/admin/settings", "admin_saved");
    }
}

void admin_test_mail_submit(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = 0;
    AdminResult r = admin_test_mail(&c, &id);
    if (r != ADMIN_OK) {
        admin_fail(req, res, r);
        return;
    }
    admin_done(req, res,
               arena_printf(req->arena, "/desk/admin/settings?testmail=%lld#mail", (long long)id),
               "admin_mail_queued");
}

/* ---- public: the logo and the theme ---- */

void portal_logo(Request *req, Response *res)
{
    Db *db = db_thread();
    PortalFile f;
    if (!db || store_portal_file_get(db, req->arena, "logo", &f) != DB_OK) {
        portal_error_page(req, res, 503);
        return;
    }
    if (!f.data) {
        portal_error_page(req, res, 404);
        return;
    }
    res->status = 200;
    res->content_type = f.content_type;
    res->raw = f.data;
    res->raw_len = f.size;
    res->no_compress = true;
    response_header(res, req, "Cache-Control", "public, max-age=31536000, immutable");
    response_header(res, req, "Content-Security-Policy", "sandbox; default-src 'none'");
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

/* :root custom properties from the admin's accent colour (validated "#rrggbb"). */
void portal_theme(Request *req, Response *res)
{
    const Catalog *cat = catalog_current(db_thread());
    const char *accent = cat ? cat->accent : "";
    Buf *b = &res->body;
    if (strlen(accent) == 7 && accent[0] == '#') {
        int rgb[3];
        for (int i = 0; i < 3; i++)
            rgb[i] = hex_value(accent[1 + 2 * i]) * 16 + hex_value(accent[2 + 2 * i]);
        /* light text on dark accents, dark text on light ones (relative luminance) */
        double lum = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255.0;
        buf_printf(b,
                   ":root{--accent:%s;--focus:%s;--accent-hover:color-mix(in srgb,%s 82%%,#000);"
                   "--accent-soft:color-mix(in srgb,%s 12%%,#fff);--accent-text:%s}\n",
                   accent, accent, accent, accent, lum > 0.6 ? "#111827" : "#ffffff");
        buf_printf(b,
                   "@media (prefers-color-scheme: dark){:root{--accent:color-mix(in srgb,%s "
                   "70%%,#fff);--focus:color-mix(in srgb,%s 70%%,#fff);--accent-hover:"
                   "color-mix(in srgb,%s 55%%,#fff);--accent-soft:color-mix(in srgb,%s 22%%,"
                   "#11151c);--accent-text:#0b1220}}\n",
                   accent, accent, accent, accent);
    }
    res->status = 200;
    res->content_type = "text/css; charset=utf-8";
    response_header(res, req, "Cache-Control", "public, max-age=31536000, immutable");
}
