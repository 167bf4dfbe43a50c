/* chart: server-side SVG charts without a viewBox - percentages across, pixels down - so one
 * rendering fits every width with text at its real size. Lines are drawn in a nested SVG
 * stretched to the plot (preserveAspectRatio none) with non-scaling strokes; their dots sit
 * in the outer SVG (percent x), so they stay round.
 * SECURITY: all text is escaped with buf_append_html; ids come from the caller's literals. */
#include "web/chart.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#define VERTICAL_HEIGHT 224 /* px: the whole SVG of a bar or line chart */
#define PLOT_TOP 20         /* room for the top gridline's label */
#define PLOT_BOTTOM 194     /* the zero line */
#define AXIS_LABEL_Y 214
#define HBAR_ROW 46         /* px per row of a horizontal bar chart */
#define LABELS_WIDE 10      /* most axis labels on a wide chart */
#define LABELS_NARROW 4     /* ... and on a phone (the others have class chart-minor) */

ChartScale chart_nice_scale(double max, int max_ticks, bool integer_only)
{
    ChartScale s = {1, 1, 1};
    if (!(max > 0) || max_ticks < 1)
        return s;
    static const double STEPS[] = {1, 2, 2.5, 5, 10};
    double raw = max / max_ticks;
    double magnitude = pow(10, floor(log10(raw)));
    double step = 10 * magnitude;
    for (size_t i = 0; i < sizeof STEPS / sizeof STEPS[0]; i++) {
        double candidate = STEPS[i] * magnitude;
        if (integer_only && candidate != floor(candidate))
            continue;
        if (candidate >= raw * (1 - 1e-9)) {
            step = candidate;
            break;
        }
    }
    if (integer_only && step < 1)
        step = 1;
    s.step = step;
    s.ticks = (int)ceil(max / step - 1e-9);
    if (s.ticks < 1)
        s.ticks = 1;
    s.top = s.ticks * step;
    return s;
}

int chart_label_step(int category_count, int max_labels)
{
    if (max_labels < 1 || category_count <= max_labels)
        return 1;
    return (category_count + max_labels - 1) / max_labels;
}

const char *chart_format_number(Arena *a, double value, int decimals, const char *lang)
{
    if (isnan(value))
        return "\xe2\x80\x93"; /* en dash: no value */
    bool german = !lang || strcmp(lang, "en") != 0;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 3)
        decimals = 3;
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    bool negative = value < 0;
    double rounded = floor(fabs(value) * (double)scale + 0.5);
    if (rounded > 9e15)
        rounded = 9e15;
    int64_t whole = (int64_t)rounded / scale, fraction = (int64_t)rounded % scale;
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole > 0);
    Buf b;
    buf_init(&b, a);
    if (negative && rounded > 0)
        buf_putc(&b, '-');
    for (int i = n - 1; i >= 0; i--) {
        buf_putc(&b, digits[i]);
        if (i > 0 && i % 3 == 0)
            buf_putc(&b, german ? '.' : ',');
    }
    if (decimals > 0) {
        buf_putc(&b, german ? ',' : '.');
        buf_printf(&b, "%0*lld", decimals, (long long)fraction);
    }
    return buf_cstr(&b);
}

static void put_text(Buf *out, const char *s)
{
    buf_append_html(out, s ? s : "", s ? strlen(s) : 0);
}

static const char *axis_label(const Chart *c, int i)
{
    return c->axis_labels ? c->axis_labels[i] : c->labels[i];
}

/* "label: value unit" (with the series name when there are several) for a <title>. */
static void put_tooltip(Buf *out, const Chart *c, int series, int i)
{
    Arena *a = out->arena;
    buf_puts(out, "<title>");
    put_text(out, c->labels[i]);
    buf_puts(out, ": ");
    if (c->series_count > 1) {
        put_text(out, c->series[series].name);
        buf_putc(out, ' ');
    }
    put_text(out, chart_format_number(a, c->series[series].values[i], c->decimals, c->lang));
    if (c->unit) {
        buf_putc(out, ' ');
        put_text(out, c->unit);
    }
    buf_puts(out, "</title>");
}

static double max_value(const Chart *c, int series_count, int count)
{
    double max = 0;
    for (int s = 0; s < series_count; s++)
        for (int i = 0; i < count; i++) {
            double v = c->series[s].values[i];
            if (!isnan(v) && v > max)
                max = v;
        }
    return max;
}

static int tick_decimals(double step)
{
    if (step == floor(step))
        return 0;
    return step * 10 == floor(step * 10) ? 1 : 2;
}

static double plot_y(double value, const ChartScale *s)
{
    return PLOT_BOTTOM - value / s->top * (PLOT_BOTTOM - PLOT_TOP);
}

/* Gridlines across the plot, their numbers right-aligned left of it: app.css gives vertical
 * charts a padding-left (44 px), so the SVG's viewport - 0 to 100% - is the plot and the
 * numbers sit at negative x, in the padding. */
static void put_grid(Buf *out, const Chart *c, const ChartScale *s)
{
    int decimals = tick_decimals(s->step);
    for (int t = 0; t <= s->ticks; t++) {
        double y = plot_y(t * s->step, s);
        buf_printf(out,
                   "<line class=\"%s\" x1=\"%d\" x2=\"100%%\" y1=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"chart-label chart-tick\" x=\"%d\" y=\"%.1f\" "
                   "text-anchor=\"end\">",
                   t ? "chart-grid" : "chart-axis", 0, y, y, -8, y + 4);
        put_text(out, chart_format_number(out->arena, t * s->step, decimals, c->lang));
        buf_puts(out, "</text>");
    }
}

static void put_axis_labels(Buf *out, const Chart *c, int count)
{
    int wide = chart_label_step(count, LABELS_WIDE);
    int narrow = chart_label_step(count, LABELS_NARROW);
    narrow = (narrow + wide - 1) / wide * wide; /* the phone's labels are some of the wide ones */
    for (int i = 0; i < count; i++) {
        int from_end = count - 1 - i; /* the newest category always has its label */
        if (from_end % wide)
            continue;
        double x = (i + 0.5) * 100.0 / count;
        const char *anchor = x < 6 ? "start" : x > 94 ? "end" : "middle";
        if (x < 6)
            x = 0;
        else if (x > 94)
            x = 100;
        buf_printf(out, "<text class=\"chart-label%s\" x=\"%.2f%%\" y=\"%d\" text-anchor=\"%s\">",
                   from_end % narrow ? " chart-minor" : "", x, AXIS_LABEL_Y, anchor);
        put_text(out, axis_label(c, i));
        buf_puts(out, "</text>");
    }
}

static void put_bars(Buf *out, const Chart *c, int series_count, int count, const ChartScale *s)
{
    double slot = 100.0 / count;
    double group = slot * (count > 40 ? 0.8 : 0.7);
    double bar = group / series_count;
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < series_count; k++) {
            double v = c->series[k].values[i];
            if (isnan(v) || v <= 0)
                continue;
            double y = plot_y(v, s);
            double height = PLOT_BOTTOM - y < 1 ? 1 : PLOT_BOTTOM - y;
            buf_printf(out,
                       "<rect class=\"chart-s%d\" x=\"%.3f%%\" y=\"%.1f\" width=\"%.3f%%\" "
                       "height=\"%.1f\" rx=\"2\">",
                       k + 1, i * slot + (slot - group) / 2 + k * bar, PLOT_BOTTOM - height, bar,
                       height);
            put_tooltip(out, c, k, i);
            buf_puts(out, "</rect>");
        }
    }
}

static void put_lines(Buf *out, const Chart *c, int series_count, int count, const ChartScale *s)
{
    /* the stretched plot: x 0..1000 across, y in pixels like the outer SVG */
    buf_printf(out,
               "<svg x=\"0\" y=\"0\" width=\"100%%\" height=\"%d\" viewBox=\"0 0 1000 %d\" "
               "preserveAspectRatio=\"none\" aria-hidden=\"true\">",
               VERTICAL_HEIGHT, VERTICAL_HEIGHT);
    for (int k = 0; k < series_count; k++) {
        bool open = false;
        for (int i = 0; i < count; i++) {
            double v = c->series[k].values[i];
            if (isnan(v)) { /* a gap: the line stops and starts again */
                if (open)
                    buf_puts(out, "\"/>");
                open = false;
                continue;
            }
            if (!open)
                buf_printf(out,
                           "<polyline class=\"chart-line chart-s%d\" "
                           "vector-effect=\"non-scaling-stroke\" points=\"",
                           k + 1);
            buf_printf(out, "%s%.2f,%.1f", open ? " " : "", (i + 0.5) * 1000.0 / count,
                       plot_y(v, s));
            open = true;
        }
        if (open)
            buf_puts(out, "\"/>");
    }
    buf_puts(out, "</svg>");
    double radius = count > 45 ? 2 : 3.5;
    for (int k = 0; k < series_count; k++)
        for (int i = 0; i < count; i++) {
            double v = c->series[k].values[i];
            if (isnan(v))
                continue;
            buf_printf(out,
                       "<circle class=\"chart-dot chart-s%d\" cx=\"%.3f%%\" cy=\"%.1f\" "
                       "r=\"%.1f\">",
                       k + 1, (i + 0.5) * 100.0 / count, plot_y(v, s), radius);
            put_tooltip(out, c, k, i);
            buf_puts(out, "</circle>");
        }
}

static void put_hbars(Buf *out, const Chart *c, int count)
{
    ChartScale s = chart_nice_scale(max_value(c, 1, count), 4, c->decimals == 0);
    for (int i = 0; i < count; i++) {
        double v = c->series[0].values[i];
        int top = i * HBAR_ROW;
        buf_printf(out, "<text class=\"chart-row-label\" x=\"0\" y=\"%d\">", top + 17);
        put_text(out, c->labels[i]);
        buf_printf(out, "</text><text class=\"chart-row-value\" x=\"100%%\" y=\"%d\" "
                        "text-anchor=\"end\">",
                   top + 17);
        put_text(out, chart_format_number(out->arena, v, c->decimals, c->lang));
        if (c->unit && !isnan(v)) {
            buf_putc(out, ' ');
            put_text(out, c->unit);
        }
        buf_printf(out, "</text><rect class=\"chart-track\" x=\"0\" y=\"%d\" width=\"100%%\" "
                        "height=\"12\" rx=\"6\"/>",
                   top + 26);
        if (!isnan(v) && v > 0) {
            double width = v / s.top * 100;
            buf_printf(out,
                       "<rect class=\"chart-s1\" x=\"0\" y=\"%d\" width=\"%.3f%%\" height=\"12\" "
                       "rx=\"6\">",
                       top + 26, width < 1 ? 1 : width);
            put_tooltip(out, c, 0, i);
            buf_puts(out, "</rect>");
        }
    }
}

void chart_render_svg(Buf *out, const Chart *c)
{
    int count = c->category_count < CHART_MAX_CATEGORIES ? c->category_count
                                                         : CHART_MAX_CATEGORIES;
    int series_count = c->series_count < CHART_MAX_SERIES ? c->series_count : CHART_MAX_SERIES;
    if (count < 0)
        count = 0;
    int height = c->kind == CHART_HBARS ? (count ? count * HBAR_ROW : HBAR_ROW) : VERTICAL_HEIGHT;
    buf_printf(out,
               "<svg class=\"chart chart-%s\" width=\"100%%\" height=\"%d\" role=\"img\" "
               "aria-labelledby=\"%s-title %s-desc\" xmlns=\"http://www.w3.org/2000/svg\">",
               c->kind == CHART_HBARS ? "hbars" : c->kind == CHART_LINES ? "lines" : "bars", height,
               c->id, c->id);
    buf_printf(out, "<title id=\"%s-title\">", c->id);
    put_text(out, c->title);
    buf_printf(out, "</title><desc id=\"%s-desc\">", c->id);
    put_text(out, c->desc);
    buf_puts(out, "</desc>");
    if (c->kind == CHART_HBARS) {
        put_hbars(out, c, count);
    } else if (count > 0 && series_count > 0) {
        ChartScale s = chart_nice_scale(max_value(c, series_count, count), 4, c->decimals == 0);
        put_grid(out, c, &s);
        if (c->kind == CHART_LINES)
            put_lines(out, c, series_count, count, &s);
        else
            put_bars(out, c, series_count, count, &s);
        put_axis_labels(out, c, count);
    }
    buf_puts(out, "</svg>");
}
