/* test_reports: the pieces of the reports dashboard that are pure functions, table-driven -
 * the median, UTC day and Monday-week starts, the range presets, the chart module's value
 * axis ("nice" steps), axis label thinning, German and English number formats, the SVG's
 * accessible frame and escaping, and CSV cells (quoting, formula starters defused). */
#include "core/arena.h"
#include "core/buf.h"
#include "domain/reports.h"
#include "web/chart.h"
#include "web/csv.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

static void median_of_odd_even_and_empty(void **state)
{
    (void)state;
    static const struct {
        int n;
        int64_t values[6];
        double median;
    } CASES[] = {
        {1, {7}, 7},
        {2, {10, 4}, 7},
        {3, {9, 1, 5}, 5},
        {4, {5400, 14400, 25200, 518400}, 19800}, /* 1.5 h, 4 h, 7 h, 144 h -> 5.5 h */
        {5, {3, 3, 3, 100, 1}, 3},
        {6, {6, 5, 4, 3, 2, 1}, 3.5},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        int64_t copy[6];
        memcpy(copy, CASES[i].values, sizeof copy);
        assert_true(report_median(copy, CASES[i].n) == CASES[i].median);
    }
    assert_true(isnan(report_median(NULL, 0)));
}

static void days_and_weeks_in_utc(void **state)
{
    (void)state;
    /* 2026-03-18 (Wednesday) 12:00 UTC = 1773835200 */
    assert_int_equal(report_day_start(1773835200), 1773792000);
    assert_int_equal(report_day_start(1773792000), 1773792000);
    assert_int_equal(report_day_start(1773791999), 1773705600);
    assert_int_equal(report_week_start(1773835200), 1773619200); /* Monday 03-16 */
    assert_int_equal(report_week_start(1773619200), 1773619200);
    assert_int_equal(report_week_start(1773619199), 1773014400); /* Sunday -> 03-09 */
    assert_int_equal(report_week_start(0), -3 * 86400);           /* 1970-01-01 was a Thursday */
    ReportRange r;
    report_range_for(1773835200, 30, &r);
    assert_int_equal(r.days, 30);
    assert_string_equal(r.zone, "UTC");
    assert_int_equal(r.day_starts[30], 1773792000 + 86400); /* the end: tomorrow 00:00 */
    assert_int_equal(r.day_starts[29], 1773792000);
    assert_int_equal(r.day_starts[0], 1773792000 - 29 * 86400);
    assert_int_equal(r.day_dates[0], r.day_starts[0]);
    assert_int_equal(r.weeks, 8);
    assert_int_equal(r.week_starts[0], 1773619200 - 7 * 7 * 86400);
    assert_int_equal(r.week_starts[8], 1773619200 + 7 * 86400);
    assert_int_equal(r.week_dates[7], 1773619200);
    report_range_for(1773835200, 90, &r);
    assert_int_equal(r.weeks, 13);
    assert_int_equal(r.day_starts[90] - r.day_starts[0], 90 * 86400);
    report_range_for(1773835200, 7, &r);
    assert_int_equal(r.weeks, 8);
    report_range_for(1773835200, 1000, &r); /* clamped: the arrays hold REPORT_MAX_DAYS */
    assert_int_equal(r.days, REPORT_MAX_DAYS);
    static const struct {
        const char *text;
        int days;
    } PRESETS[] = {{"7", 7},   {"30", 30}, {"90", 90}, {NULL, 30}, {"", 30},
                   {"14", 30}, {"-7", 30}, {"7x", 30}, {"0090", 90}};
    for (size_t i = 0; i < sizeof PRESETS / sizeof PRESETS[0]; i++)
        assert_int_equal(report_days_from_text(PRESETS[i].text), PRESETS[i].days);
}

static void nice_axis_steps(void **state)
{
    (void)state;
    static const struct {
        double max;
        bool integer_only;
        double step, top;
        int ticks;
    } CASES[] = {
        {0, true, 1, 1, 1},        {NAN, true, 1, 1, 1},      {-5, false, 1, 1, 1},
        {1, true, 1, 1, 1},        {3, true, 1, 3, 3},        {7, true, 2, 8, 4},
        {12, true, 5, 15, 3},      {13, false, 5, 15, 3},     {10, false, 2.5, 10, 4},
        {10, true, 5, 10, 2}, /* counts skip the 2.5 step */
        {1234, true, 500, 1500, 3}, {1000, true, 250, 1000, 4}, {3.2, false, 1, 4, 4},
        {0.3, false, 0.1, 0.3, 3}, {0.3, true, 1, 1, 1},      {1234.5, false, 500, 1500, 3},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        ChartScale s = chart_nice_scale(CASES[i].max, 4, CASES[i].integer_only);
        assert_true(fabs(s.step - CASES[i].step) < 1e-9);
        assert_true(fabs(s.top - CASES[i].top) < 1e-9);
        assert_int_equal(s.ticks, CASES[i].ticks);
        assert_true(isnan(CASES[i].max) || s.top >= CASES[i].max);
    }
}

static void axis_labels_thin_out(void **state)
{
    (void)state;
    assert_int_equal(chart_label_step(7, 10), 1);
    assert_int_equal(chart_label_step(10, 10), 1);
    assert_int_equal(chart_label_step(30, 10), 3);
    assert_int_equal(chart_label_step(30, 5), 6);
    assert_int_equal(chart_label_step(90, 10), 9);
    assert_int_equal(chart_label_step(5, 0), 1);
}

static void numbers_in_both_languages(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 1024);
    static const struct {
        double value;
        int decimals;
        const char *de, *en;
    } CASES[] = {
        {0, 0, "0", "0"},
        {999, 0, "999", "999"},
        {1234, 0, "1.234", "1,234"},
        {1234567, 0, "1.234.567", "1,234,567"},
        {3.5, 1, "3,5", "3.5"},
        {3.44, 1, "3,4", "3.4"},
        {3.46, 1, "3,5", "3.5"},
        {1234.5, 1, "1.234,5", "1,234.5"},
        {24, 1, "24,0", "24.0"},
        {0.25, 2, "0,25", "0.25"},
        {-1234, 0, "-1.234", "-1,234"},
        {-0.01, 1, "0,0", "0.0"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        assert_string_equal(chart_format_number(&a, CASES[i].value, CASES[i].decimals, "de"),
                            CASES[i].de);
        assert_string_equal(chart_format_number(&a, CASES[i].value, CASES[i].decimals, "en"),
                            CASES[i].en);
    }
    assert_string_equal(chart_format_number(&a, NAN, 1, "de"), "\xe2\x80\x93");
    arena_free(&a);
}

static void svg_is_labelled_and_escaped(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 4096);
    const char *labels[] = {"<script>", "Tom & Jerry"};
    double values[] = {1234, NAN};
    ChartSeries series = {"Anzahl", values};
    Chart c = {CHART_BARS, "chart-x", "Titel \"1\"", "Beschreibung <b>", "de", 2, labels, NULL,
               1, &series, 0, NULL};
    Buf b;
    buf_init(&b, &a);
    chart_render_svg(&b, &c);
    const char *svg = buf_cstr(&b);
    assert_non_null(strstr(svg, "role=\"img\" aria-labelledby=\"chart-x-title chart-x-desc\""));
    assert_non_null(strstr(svg, "<title id=\"chart-x-title\">Titel &quot;1&quot;</title>"));
    assert_non_null(strstr(svg, "<desc id=\"chart-x-desc\">Beschreibung &lt;b&gt;</desc>"));
    assert_non_null(strstr(svg, "<title>&lt;script&gt;: 1.234</title>"));
    assert_non_null(strstr(svg, ">Tom &amp; Jerry</text>"));
    assert_non_null(strstr(svg, ">1.500</text>"));
    assert_null(strstr(svg, "<script"));
    assert_int_equal(strstr(svg, "<rect") != NULL, 1);
    assert_null(strstr(strstr(svg, "<rect") + 5, "<rect")); /* NAN draws no bar */
    /* horizontal bars: label, value with unit, a track and the bar */
    double hours[] = {3.5};
    const char *rows[] = {"Offen"};
    ChartSeries h = {"Median", hours};
    Chart hb = {CHART_HBARS, "chart-h", "T", "D", "de", 1, rows, NULL, 1, &h, 1, "h"};
    buf_clear(&b);
    chart_render_svg(&b, &hb);
    assert_non_null(strstr(buf_cstr(&b), ">Offen</text>"));
    assert_non_null(strstr(buf_cstr(&b), ">3,5 h</text>"));
    assert_non_null(strstr(buf_cstr(&b), "class=\"chart-track\""));
    arena_free(&a);
}

static void csv_cells_quoted_and_defused(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a, 1024);
    static const struct {
        const char *text, *semicolon, *comma;
    } CASES[] = {
        {"plain", "plain", "plain"},
        {"", "", ""},
        {"a;b", "\"a;b\"", "a;b"},
        {"a,b", "a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\"", "\"two\nlines\""},
        {"=1+2", "\"'=1+2\"", "\"'=1+2\""},
        {"+49 30", "\"'+49 30\"", "\"'+49 30\""},
        {"-5", "\"'-5\"", "\"'-5\""},
        {"@SUM(A1)", "\"'@SUM(A1)\"", "\"'@SUM(A1)\""},
        {"\tx", "\"'\tx\"", "\"'\tx\""},
        {"a=b", "a=b", "a=b"},
        {"Größe", "Größe", "Größe"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        Buf b;
        buf_init(&b, &a);
        csv_cell(&b, CASES[i].text, ';', true);
        assert_string_equal(buf_cstr(&b), CASES[i].semicolon);
        buf_clear(&b);
        csv_cell(&b, CASES[i].text, ',', true);
        assert_string_equal(buf_cstr(&b), CASES[i].comma);
    }
    Buf row;
    buf_init(&row, &a);
    csv_cell(&row, "Tag", ';', true);
    csv_cell(&row, "1,5", ';', false);
    csv_cell(&row, NULL, ';', false);
    csv_end_row(&row);
    assert_string_equal(buf_cstr(&row), "Tag;1,5;\r\n");
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(median_of_odd_even_and_empty),
        cmocka_unit_test(days_and_weeks_in_utc),
        cmocka_unit_test(nice_axis_steps),
        cmocka_unit_test(axis_labels_thin_out),
        cmocka_unit_test(numbers_in_both_languages),
        cmocka_unit_test(svg_is_labelled_and_escaped),
        cmocka_unit_test(csv_cells_quoted_and_defused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
