/* chart: small server-side SVG charts (vertical bars, lines, horizontal bars) for the reports
 * dashboard - no JavaScript. The SVG has no viewBox: x positions are percentages and text is
 * in CSS pixels, so a chart fills any width (390 px phones, 1280 px desks) with readable
 * labels. Colours and fonts come from CSS classes (chart-s1.., chart-grid, chart-label), so
 * the page's custom properties (and dark mode) apply. Also the number format both languages
 * share with tables and CSV files.
 * SECURITY: every text that reaches the SVG (titles, labels, series names) is HTML-escaped
 * here; the result is trusted markup for view_set_html. */
#ifndef PFORTE_WEB_CHART_H
#define PFORTE_WEB_CHART_H
#include "core/arena.h"
#include "core/buf.h"
#include <stdbool.h>

#define CHART_MAX_SERIES 4
#define CHART_MAX_CATEGORIES 400

typedef enum {
    CHART_BARS,  /* vertical bars per category, series side by side */
    CHART_LINES, /* one line per series, a dot per category */
    CHART_HBARS, /* one row per category: label and value above a horizontal bar (series 0) */
} ChartKind;

typedef struct ChartSeries {
    const char *name;     /* shown in tooltips */
    const double *values; /* one per category; NAN = no value (gap, no bar) */
} ChartSeries;

typedef struct Chart {
    ChartKind kind;
    const char *id;    /* unique on the page: letters, digits, '-' (element ids derive from it) */
    const char *title; /* <title> */
    const char *desc;  /* <desc>: a sentence that sums the chart up for screen readers */
    const char *lang;  /* "de" or "en": number format */
    int category_count;
    const char *const *labels;       /* full label per category (tooltips, HBARS rows) */
    const char *const *axis_labels;  /* short label per category under the axis (NULL: labels) */
    int series_count;
    const ChartSeries *series;
    int decimals;      /* of the values in labels and tooltips */
    const char *unit;  /* appended to values in tooltips and HBARS rows ("h"), or NULL */
} Chart;

/* The value axis: gridlines at 0, step, 2*step .. top. */
typedef struct ChartScale {
    double step;
    double top;
    int ticks; /* gridlines above 0 */
} ChartScale;

/* A "nice" axis for values up to max: step 1, 2, 2.5 or 5 times a power of ten, at most
 * max_ticks steps, top >= max. max <= 0 (or NAN) gives step 1, top 1 - an empty chart still
 * has an axis. With integer_only the step is at least 1 (counts have no halves). */
ChartScale chart_nice_scale(double max, int max_ticks, bool integer_only);

/* Every how many categories an axis label fits when at most max_labels may show (>= 1). */
int chart_label_step(int category_count, int max_labels);

/* value formatted for lang with a fixed number of decimals: "1.234,5" (de), "1,234.5" (en);
 * NAN gives "–". In a. */
const char *chart_format_number(Arena *a, double value, int decimals, const char *lang);

/* Appends the chart's <svg> to out (which must be arena-backed). Categories beyond
 * CHART_MAX_CATEGORIES and series beyond CHART_MAX_SERIES are not drawn. */
void chart_render_svg(Buf *out, const Chart *chart);

#endif
