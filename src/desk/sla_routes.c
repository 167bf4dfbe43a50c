/* sla_routes: the admin page for SLA targets and the working-hours calendar (/desk/admin/sla):
 * time zone, hours per weekday, holidays, first-response and resolution targets per priority,
 * and a preview of the due times a request coming in now would get.
 * SECURITY: admins only (everyone else 404 or the login); the POST passes the CSRF check; a
 * rejected form is shown again with everything typed and stores nothing. */
#include "core/clock.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/desk.h"
#include "domain/sla_service.h"
#include "domain/sla_settings.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "web/csrf.h"
#include "web/page.h"
#include <string.h>

static const char *field_name(Request *req, const char *prefix, int index)
{
    return arena_printf(req->arena, "%s_%d", prefix, index);
}

/* What a request arriving now would be due at, per priority (with the stored settings). */
static void render_preview(Request *req, View *v, Db *db)
{
    SlaConfig config;
    if (sla_config_load(db, req->arena, &config) != DB_OK)
        return;
    int64_t now = clock_now();
    view_set(v, "preview_now", sla_time_text(req->arena, req->lang, &config, now));
    view_set(v, "preview_zone", config.time_zone);
    for (int p = SLA_PRIORITY_COUNT - 1; p >= 0; p--) {
        View *row = view_list_add(v, "preview");
        view_set(row, "priority", page_t(req, sla_priority_msgid(p)));
        int64_t fr = sla_add_business_seconds(&config.calendar, now,
                                              config.targets.first_response_minutes[p] * 60);
        int64_t res = sla_add_business_seconds(&config.calendar, now,
                                               config.targets.resolution_minutes[p] * 60);
        view_set(row, "first_response", fr ? sla_time_text(req->arena, req->lang, &config, fr)
                                            : page_t(req, "never"));
        view_set(row, "resolution", res ? sla_time_text(req->arena, req->lang, &config, res)
                                        : page_t(req, "never"));
    }
}

static void sla_page_render(Request *req, Response *res, int status, const SlaSettingsForm *f,
                            const SlaFormErrors *errors)
{
    View *v = desk_view(req, page_t(req, "SLAs and working hours"), "admin");
    view_set(v, "time_zone", f->time_zone);
    view_set(v, "holidays", f->holidays);
    for (int d = 1; d <= 7; d++) {
        View *row = view_list_add(v, "days");
        view_set(row, "day", sla_weekday_name(req->lang, d));
        view_set(row, "open_name", field_name(req, "open", d));
        view_set(row, "close_name", field_name(req, "close", d));
        view_set(row, "open", f->open[d]);
        view_set(row, "close", f->close[d]);
        for (int i = 0; errors && i < errors->count; i++) {
            const SlaFormError *e = &errors->items[i];
            if (str_eq(e->field, field_name(req, "open", d)) ||
                str_eq(e->field, field_name(req, "close", d))) {
                view_set(row, "error", sla_form_error_text(req->arena, req->lang, e));
                view_set(row, "error_id", field_name(req, "hours-error", d));
            }
        }
    }
    for (int p = SLA_PRIORITY_COUNT - 1; p >= 0; p--) {
        View *row = view_list_add(v, "targets");
        const char *key = sla_priority_key(p);
        view_set(row, "priority", page_t(req, sla_priority_msgid(p)));
        view_set(row, "key", key);
        view_set(row, "first_response", f->first_response[p]);
        view_set(row, "resolution", f->resolution[p]);
        for (int i = 0; errors && i < errors->count; i++) {
            const SlaFormError *e = &errors->items[i];
            bool fr = str_eq(e->field, arena_printf(req->arena, "first_response_%s", key));
            bool rs = str_eq(e->field, arena_printf(req->arena, "resolution_%s", key));
            if (fr || rs)
                view_set(row, fr ? "error_first_response" : "error_resolution",
                         sla_form_error_text(req->arena, req->lang, e));
        }
    }
    for (int i = 0; errors && i < errors->count; i++) {
        const SlaFormError *e = &errors->items[i];
        const char *msg = sla_form_error_text(req->arena, req->lang, e);
        View *item = view_list_add(v, "errors");
        view_set(item, "field", e->field);
        view_set(item, "message", msg);
        if (str_eq(e->field, "time_zone") || str_eq(e->field, "holidays")) {
            const char *key = arena_printf(req->arena, "error_%s", e->field);
            const char *before = view_get_text(v, key);
            view_set(v, key, before ? arena_printf(req->arena, "%s %s", before, msg) : msg);
        }
    }
    view_set_bool(v, "has_errors", errors && errors->count > 0);
    Db *db = db_thread();
    if (db)
        render_preview(req, v, db);
    page_render(req, res, status, "desk/sla", v);
}

static void sla_settings_page(Request *req, Response *res)
{
    if (!desk_require_admin(req, res))
        return;
    Db *db = db_thread();
    SlaSettingsRow row;
    if (!db || store_sla_settings_load(db, req->arena, &row) != DB_OK) {
        portal_error_page(req, res, 503);
        return;
    }
    if (str_eq(request_query(req, "saved"), "1"))
        req->flash = N_("The SLA settings have been saved.");
    SlaSettingsForm form;
    sla_settings_form_from(req->arena, &row, &form);
    sla_page_render(req, res, 200, &form, NULL);
}

static void sla_settings_save_page(Request *req, Response *res)
{
    SignedIn *s = desk_require_admin(req, res);
    if (!s || !web_require_csrf(req, res))
        return;
    Db *db = db_thread();
    if (!db) {
        portal_error_page(req, res, 503);
        return;
    }
    SlaSettingsForm form = {0};
    form.time_zone = request_form(req, "time_zone");
    form.holidays = request_form(req, "holidays");
    for (int d = 1; d <= 7; d++) {
        form.open[d] = request_form(req, field_name(req, "open", d));
        form.close[d] = request_form(req, field_name(req, "close", d));
    }
    for (int p = 0; p < SLA_PRIORITY_COUNT; p++) {
        form.first_response[p] = request_form(
            req, arena_printf(req->arena, "first_response_%s", sla_priority_key(p)));
        form.resolution[p] =
            request_form(req, arena_printf(req->arena, "resolution_%s", sla_priority_key(p)));
    }
    SlaFormErrors errors = {0};
    SlaSaveResult r = sla_settings_save(db, req->arena, &form, s->user.id, req->client_ip,
                                        clock_now(), &errors);
    if (r == SLA_SAVE_INVALID) {
        /* show everything as typed (NULL fields as empty) */
        if (!form.time_zone)
            form.time_zone = "";
        if (!form.holidays)
            form.holidays = "";
        sla_page_render(req, res, 422, &form, &errors);
    } else if (r != SLA_SAVE_OK) {
        portal_error_page(req, res, r == SLA_SAVE_UNAVAILABLE ? 503 : 500);
    } else {
        response_redirect(res, req, "/desk/admin/sla?saved=1");
    }
}

const Route SLA_ROUTES[] = {
    {"GET", "/desk/admin/sla", sla_settings_page},
    {"POST", "/desk/admin/sla", sla_settings_save_page},
    {0},
};
