/* report_format: labels, numbers, tables, SVG and CSV of the reports dashboard, in the page's
 * language. Dates are UTC days (see domain/reports.h).
 * SECURITY: all text goes through the template engine's escaping, the chart module's
 * escaping (the SVG) or csv_cell (formula starters defused). */
#include "desk/report_format.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "web/csv.h"
#include "web/page.h"
#include <math.h>
#include <string.h>
#include <time.h>

static const char *const MONTHS_EN[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static struct tm utc(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return tm;
}

static bool english(Request *req)
{
    return str_eq(req->lang, "en");
}

/* "30.11.2026" / "Nov 30, 2026" */
static const char *date_long(Request *req, int64_t t)
{
    struct tm tm = utc(t);
    if (english(req))
        return arena_printf(req->arena, "%s %d, %d", MONTHS_EN[tm.tm_mon], tm.tm_mday,
                            tm.tm_year + 1900);
    return arena_printf(req->arena, "%02d.%02d.%d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

/* "30.11." / "Nov 30" */
static const char *date_short(Request *req, int64_t t)
{
    struct tm tm = utc(t);
    if (english(req))
        return arena_printf(req->arena, "%s %d", MONTHS_EN[tm.tm_mon], tm.tm_mday);
    return arena_printf(req->arena, "%02d.%02d.", tm.tm_mday, tm.tm_mon + 1);
}

static const char *date_iso(Request *req, int64_t t)
{
    struct tm tm = utc(t);
    return arena_printf(req->arena, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday);
}

/* Replaces %{name} in a translated text by value. */
static const char *fill(Request *req, const char *text, const char *name, const char *value)
{
    const char *tag = arena_printf(req->arena, "%%{%s}", name);
    const char *at = strstr(text, tag);
    if (!at)
        return text;
    return arena_printf(req->arena, "%.*s%s%s", (int)(at - text), text, value,
                        at + strlen(tag));
}

static const char *row_label(Request *req, const ReportData *d, int i)
{
    switch (d->row_kind) {
    case REPORT_ROWS_DAYS:
        return date_long(req, d->row_times[i]);
    case REPORT_ROWS_WEEKS:
        return fill(req, page_t(req, "Week of %{date}"), "date", date_long(req, d->row_times[i]));
    case REPORT_ROWS_TRANSLATED:
        return page_t(req, d->row_labels[i]);
    case REPORT_ROWS_NAMED:
        break;
    }
    return d->row_labels[i];
}

static const char *row_heading(Request *req, const ReportData *d)
{
    return page_t(req, d->row_name);
}

static int decimals_of(ReportUnit unit)
{
    return unit == REPORT_UNIT_COUNT ? 0 : 1;
}

/* What follows a value for people ("3,5 h", "87,5 %"), or NULL. */
static const char *unit_suffix(ReportUnit unit)
{
    return unit == REPORT_UNIT_HOURS ? "h" : unit == REPORT_UNIT_PERCENT ? "%" : NULL;
}

/* "1.234" / "3,5 h" for people; "–" when there is no value. */
static const char *value_text(Request *req, const ReportSeries *s, int i)
{
    double v = s->values[i];
    const char *n = chart_format_number(req->arena, v, decimals_of(s->unit), req->lang);
    if (unit_suffix(s->unit) && !isnan(v))
        return arena_printf(req->arena, "%s %s", n, unit_suffix(s->unit));
    return n;
}

/* For screen readers: what the chart shows, and the totals of counted series. */
static const char *summary(Request *req, const ReportChartDef *def, const ReportData *d)
{
    Buf b;
    buf_init(&b, req->arena);
    buf_puts(&b, page_t(req, def->about));
    for (int k = 0; k < d->series_count; k++) {
        const ReportSeries *s = &d->series[k];
        if (!s->plotted || s->unit != REPORT_UNIT_COUNT || d->row_kind == REPORT_ROWS_WEEKS)
            continue;
        double total = 0;
        for (int i = 0; i < d->rows; i++)
            total += s->values[i];
        const char *text = fill(req, page_t(req, "%{series}: %{total} in total."), "series",
                                page_t(req, s->name));
        buf_putc(&b, ' ');
        buf_puts(&b, fill(req, text, "total", chart_format_number(req->arena, total, 0, req->lang)));
    }
    buf_putc(&b, ' ');
    buf_puts(&b, page_t(req, "The table below the chart lists every value."));
    return buf_cstr(&b);
}

static void add_svg(Request *req, View *card, const ReportChartDef *def, const ReportData *d)
{
    const char **labels = arena_alloc(req->arena, sizeof *labels * (size_t)(d->rows + 1));
    const char **short_labels = arena_alloc(req->arena, sizeof *labels * (size_t)(d->rows + 1));
    for (int i = 0; i < d->rows; i++) {
        labels[i] = row_label(req, d, i);
        short_labels[i] = d->row_kind == REPORT_ROWS_DAYS || d->row_kind == REPORT_ROWS_WEEKS
                              ? date_short(req, d->row_times[i])
                              : labels[i];
    }
    ChartSeries series[REPORT_MAX_SERIES];
    int plotted = 0, decimals = 0;
    const char *unit = NULL;
    for (int k = 0; k < d->series_count; k++) {
        if (!d->series[k].plotted)
            continue;
        series[plotted].name = page_t(req, d->series[k].name);
        series[plotted].values = d->series[k].values;
        if (plotted++ == 0) {
            decimals = decimals_of(d->series[k].unit);
            unit = unit_suffix(d->series[k].unit);
        }
        View *legend = view_list_add(card, "legend");
        view_set(legend, "name", series[plotted - 1].name);
        view_set_int(legend, "n", plotted);
    }
    view_set_bool(card, "has_legend", plotted > 1); /* one series: the title names it */
    Chart chart = {
        .kind = def->kind,
        .id = arena_printf(req->arena, "chart-%s", def->key),
        .title = page_t(req, def->title),
        .desc = summary(req, def, d),
        .lang = req->lang,
        .category_count = d->rows,
        .labels = labels,
        .axis_labels = short_labels,
        .series_count = plotted,
        .series = series,
        .decimals = decimals,
        .unit = unit,
    };
    Buf svg;
    buf_init(&svg, req->arena);
    chart_render_svg(&svg, &chart);
    view_set_html(card, "svg", buf_cstr(&svg));
}

static void add_table(Request *req, View *card, const ReportData *d)
{
    View *table = view_child(card, "table");
    view_set(table, "row_heading", row_heading(req, d));
    for (int k = 0; k < d->series_count; k++)
        view_list_add_text(table, "columns", page_t(req, d->series[k].name));
    for (int i = 0; i < d->rows; i++) {
        View *row = view_list_add(table, "rows");
        view_set(row, "label", row_label(req, d, i));
        for (int k = 0; k < d->series_count; k++)
            view_list_add_text(row, "cells", value_text(req, &d->series[k], i));
    }
}

void report_format_card(Request *req, View *card, const ReportChartDef *def,
                        const ReportData *data, int days)
{
    view_set(card, "key", def->key);
    view_set(card, "title", page_t(req, def->title));
    view_set(card, "about", page_t(req, def->about));
    view_set_bool(card, "empty", data->empty);
    /* in the page's language: the profile's language would otherwise win over a switch */
    view_set(card, "csv_url", arena_printf(req->arena, "/desk/reports/%s.csv?days=%d&lang=%s",
                                           def->key, days, req->lang));
    add_svg(req, card, def, data);
    add_table(req, card, data);
}

/* A number for a spreadsheet: no thousands separator, the language's decimal mark. */
static const char *csv_number(Request *req, const ReportSeries *s, int i)
{
    double v = s->values[i];
    if (isnan(v))
        return "";
    const char *text = arena_printf(req->arena, "%.*f", decimals_of(s->unit), v);
    if (!english(req)) {
        char *comma = arena_strdup(req->arena, text);
        char *dot = strchr(comma, '.');
        if (dot)
            *dot = ',';
        return comma;
    }
    return text;
}

void report_format_csv(Request *req, Buf *out, const ReportData *d)
{
    char sep = english(req) ? ',' : ';';
    buf_puts(out, CSV_UTF8_BOM);
    csv_cell(out, row_heading(req, d), sep, true);
    for (int k = 0; k < d->series_count; k++)
        csv_cell(out, page_t(req, d->series[k].name), sep, false);
    csv_end_row(out);
    for (int i = 0; i < d->rows; i++) {
        const char *label = d->row_kind == REPORT_ROWS_DAYS || d->row_kind == REPORT_ROWS_WEEKS
                                ? date_iso(req, d->row_times[i])
                                : row_label(req, d, i);
        csv_cell(out, label, sep, true);
        for (int k = 0; k < d->series_count; k++)
            csv_cell(out, csv_number(req, &d->series[k], i), sep, false);
        csv_end_row(out);
    }
}
