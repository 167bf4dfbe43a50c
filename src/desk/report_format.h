/* report_format: how the reports dashboard shows a chart's numbers to people - row labels
 * (dates, weeks, statuses) and numbers in the page's language, the accessible table beside
 * each chart, the SVG, and the CSV download. Shared by the page and the CSV route. */
#ifndef PFORTE_DESK_REPORT_FORMAT_H
#define PFORTE_DESK_REPORT_FORMAT_H
#include "domain/reports.h"
#include "http/request.h"
#include "web/chart.h"
#include "web/template.h"

/* One chart of the dashboard: adding a chart is one builder in domain/reports.c and one line
 * in REPORT_CHARTS (desk/report_routes.c). */
typedef struct ReportChartDef {
    const char *key;   /* URL part: /desk/reports/<key>.csv; also the element id */
    const char *title; /* English msgid */
    const char *about; /* English msgid: what is measured, how */
    ChartKind kind;
    ReportBuilder build;
} ReportChartDef;

/* Fills card (a list item of the page's View) with the chart's title, SVG, legend, table and
 * the CSV link for days. */
void report_format_card(Request *req, View *card, const ReportChartDef *def,
                        const ReportData *data, int days);
/* Writes the CSV file of data into out: UTF-8 with BOM, a header row, CRLF rows. German:
 * ';' between cells and ',' as the decimal mark (what Excel expects in a German locale);
 * English: ',' and '.'. Dates ISO 8601 (2026-11-30), weeks by their Monday. */
void report_format_csv(Request *req, Buf *out, const ReportData *data);

#endif
