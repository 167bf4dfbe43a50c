/* report_routes: the reports dashboard for agents (GET /desk/reports?days=7|30|90) and one
 * CSV download per chart (GET /desk/reports/<chart>.csv?days=...). Every chart is one line of
 * REPORT_CHARTS; the page, its tables and the downloads follow that table.
 * SECURITY: agents and admins only (desk_require_agent: customers get 404 for the page and
 * every download, visitors go to the login). */
#include "core/clock.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "desk/desk.h"
#include "desk/report_format.h"
#include "portal/portal.h"
#include "web/page.h"
#include <string.h>

static const ReportChartDef REPORT_CHARTS[] = {
    {"created-resolved", N_("Created and resolved per day"),
     N_("New requests per day, and requests resolved or closed for the first time per day."),
     CHART_LINES,
     report_created_resolved},
    {"backlog", N_("Open requests by status"),
     N_("Every request not yet resolved or closed, as of now."), CHART_HBARS,
     report_open_backlog},
    {"first-response", N_("Median first response time per week"),
     N_("Hours from a request's creation to the first public reply of an agent, in the week "
        "of that reply."),
     CHART_BARS, report_first_response},
    {"resolution", N_("Median resolution time per week"),
     N_("Hours from a request's creation to its first resolution, in the week it was "
        "resolved."),
     CHART_BARS, report_resolution_time},
    {"sla", N_("SLA compliance per priority"),
     N_("Share of first responses and first resolutions in the period that met their SLA "
        "target (in business hours, paused while waiting for the customer)."),
     CHART_BARS, report_sla_compliance},
    {"types", N_("Busiest request types"),
     N_("The request types with the most new requests in the period (top 10)."), CHART_HBARS,
     report_busiest_types},
};
#define REPORT_CHART_COUNT (sizeof REPORT_CHARTS / sizeof REPORT_CHARTS[0])

static int status_of(RequestResult r)
{
    return r == REQUEST_UNAVAILABLE ? 503 : 500;
}

static void add_presets(Request *req, View *v, int days)
{
    for (size_t i = 0; i < sizeof REPORT_DAY_PRESETS / sizeof REPORT_DAY_PRESETS[0]; i++) {
        View *p = view_list_add(v, "presets");
        int n = REPORT_DAY_PRESETS[i];
        view_set(p, "url", arena_printf(req->arena, "/desk/reports?days=%d", n));
        view_set(p, "label", page_tn(req, "%{n} days", n));
        view_set_bool(p, "current", n == days);
    }
}

static void reports_home(Request *req, Response *res)
{
    if (!desk_require_agent(req, res))
        return;
    Db *db = db_thread();
    if (!db) {
        portal_error_page(req, res, 503);
        return;
    }
    int days = report_days_from_text(request_query(req, "days"));
    ReportRange range;
    report_range_for(clock_now(), days, &range);
    double started = clock_mono_ms();
    View *v = desk_view(req, page_t(req, "Reports"), "reports");
    add_presets(req, v, days);
    view_set_int(v, "days", days);
    view_set_int(v, "weeks", range.weeks);
    view_set(v, "zone", range.zone);
    RequestResult r = db_read_begin(db) == DB_OK ? REQUEST_OK : REQUEST_UNAVAILABLE;
    for (size_t i = 0; r == REQUEST_OK && i < REPORT_CHART_COUNT; i++) {
        ReportData data;
        r = REPORT_CHARTS[i].build(db, req->arena, &range, req->lang, &data);
        if (r == REQUEST_OK)
            report_format_card(req, view_list_add(v, "charts"), &REPORT_CHARTS[i], &data, days);
    }
    db_read_end(db);
    if (r != REQUEST_OK) {
        portal_error_page(req, res, status_of(r));
        return;
    }
    log_debug("req=%llu event=reports days=%d ms=%.1f", (unsigned long long)req->id, days,
              clock_mono_ms() - started);
    page_render(req, res, 200, "desk/reports", v);
}

/* GET /desk/reports/<key>.csv */
static void reports_csv(Request *req, Response *res)
{
    if (!desk_require_agent(req, res))
        return;
    const char *file = request_param(req, "chart");
    const ReportChartDef *def = NULL;
    for (size_t i = 0; i < REPORT_CHART_COUNT && file; i++) {
        size_t n = strlen(REPORT_CHARTS[i].key);
        if (strncmp(file, REPORT_CHARTS[i].key, n) == 0 && str_eq(file + n, ".csv"))
            def = &REPORT_CHARTS[i];
    }
    if (!def) {
        portal_error_page(req, res, 404);
        return;
    }
    Db *db = db_thread();
    if (!db) {
        portal_error_page(req, res, 503);
        return;
    }
    int days = report_days_from_text(request_query(req, "days"));
    ReportRange range;
    report_range_for(clock_now(), days, &range);
    ReportData data;
    RequestResult r = def->build(db, req->arena, &range, req->lang, &data);
    if (r != REQUEST_OK) {
        portal_error_page(req, res, status_of(r));
        return;
    }
    Buf csv;
    buf_init(&csv, req->arena);
    report_format_csv(req, &csv, &data);
    char today[32];
    clock_format_iso(range.now, today);
    today[10] = '\0';
    response_header(res, req, "Content-Disposition",
                    arena_printf(req->arena, "attachment; filename=\"pforte-%s-%dd-%s.csv\"",
                                 def->key, days, today));
    response_header(res, req, "Cache-Control", "private, no-store");
    response_header(res, req, "X-Content-Type-Options", "nosniff");
    response_text(res, 200, "text/csv; charset=utf-8", buf_cstr(&csv));
}

const Route REPORT_ROUTES[] = {
    {"GET", "/desk/reports", reports_home},
    {"GET", "/desk/reports/{chart}", reports_csv},
    {0},
};
