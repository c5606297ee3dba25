/* dtb_plot.h: the SVG figures, written through the public API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dtb/dtb.h>

#include "test_util.h"

static const char *svg_path(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    return path;
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static char *read_svg(const char *path)
{
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, "</svg>"));
    return text;
}

static void test_lines(void **state)
{
    (void)state;
    double x[5] = {0, 1, 2, 3, 4}, y[10] = {0, 1, 4, 9, 16, 0, 2, NAN, 18, 32};
    const char *names[2] = {"x^2", "a<b & c"};
    dtb_plot_options o;
    assert_int_equal(dtb_plot_options_init(&o, DTB_PLOT_OPTIONS_VERSION), DTB_OK);
    o.title = "Squares";
    o.x_label = "x (s)";
    const char *path = svg_path("lines.svg");
    assert_int_equal(dtb_plot_lines(path, x, y, 5, 2, names, &o), DTB_OK);
    char *svg = read_svg(path);
    assert_non_null(strstr(svg, "Squares"));
    assert_non_null(strstr(svg, "x (s)"));
    assert_non_null(strstr(svg, "a&lt;b &amp; c"));   /* escaped */
    /* the NaN breaks the second line in two: three polylines in all */
    assert_int_equal(count(svg, "<polyline"), 3);
    free(svg);
    /* log axis, no names, default options */
    o.flags = DTB_PLOT_FLAG_LOG_Y;
    assert_int_equal(dtb_plot_lines(path, x, y, 5, 2, NULL, &o), DTB_OK);
    assert_int_equal(dtb_plot_lines(path, x, y, 5, 1, NULL, NULL), DTB_OK);
}

static void test_heatmap(void **state)
{
    (void)state;
    double m[6] = {1, -0.5, 0.25, -0.5, 1, NAN};
    const char *rows[2] = {"A8m_L", "A8m_R"}, *cols[3] = {"c0", "c1", "c2"};
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.flags = DTB_PLOT_FLAG_DIVERGING;
    o.value_label = "r";
    o.vmin = -1;
    o.vmax = 1;
    const char *path = svg_path("heat.svg");
    assert_int_equal(dtb_plot_heatmap(path, m, 2, 3, rows, cols, &o), DTB_OK);
    char *svg = read_svg(path);
    assert_non_null(strstr(svg, "A8m_R"));
    assert_non_null(strstr(svg, "c2"));
    free(svg);
    /* without labels the indices are written */
    assert_int_equal(dtb_plot_heatmap(path, m, 2, 3, NULL, NULL, NULL), DTB_OK);
    svg = read_svg(path);
    assert_null(strstr(svg, "A8m_R"));
    free(svg);
}

static void test_raster(void **state)
{
    (void)state;
    double t[4] = {0.01, 0.02, 0.5, 0.7}, u[4] = {0, 3, 1, 99};
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.title = "Spikes";
    const char *path = svg_path("raster.svg");
    assert_int_equal(dtb_plot_raster(path, t, u, 4, 4, &o), DTB_OK);
    char *svg = read_svg(path);
    assert_non_null(strstr(svg, "Spikes"));
    assert_non_null(strstr(svg, "time (s)"));
    free(svg);
    assert_int_equal(dtb_plot_raster(path, NULL, NULL, 0, 0, NULL), DTB_OK);
}

static void test_errors(void **state)
{
    (void)state;
    double v[4] = {0, 1, 2, 3};
    const char *path = svg_path("bad.svg");
    assert_int_equal(dtb_plot_lines(NULL, v, v, 2, 1, NULL, NULL), DTB_EINVAL);
    assert_error_contains("path is NULL");
    assert_int_equal(dtb_plot_lines(path, NULL, v, 2, 1, NULL, NULL), DTB_EINVAL);
    assert_error_contains("x is NULL");
    assert_int_equal(dtb_plot_heatmap(path, NULL, 2, 2, NULL, NULL, NULL), DTB_EINVAL);
    assert_error_contains("values is NULL");
    assert_int_equal(dtb_plot_raster(path, v, NULL, 2, 2, NULL), DTB_EINVAL);
    assert_error_contains("units is NULL");
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.flags = 0x100;
    assert_int_equal(dtb_plot_raster(path, v, v, 2, 2, &o), DTB_EINVAL);
    assert_error_contains("0x100");
    o.flags = 0;
    o.version = 9;
    assert_int_equal(dtb_plot_heatmap(path, v, 2, 2, NULL, NULL, &o), DTB_EINVAL);
    assert_int_equal(dtb_plot_options_init(NULL, 1), DTB_EINVAL);
    assert_int_equal(dtb_plot_options_init(&o, 0), DTB_EINVAL);
    /* an unwritable file is named */
    assert_int_equal(dtb_plot_lines(svg_path("no/such/folder/x.svg"), v, v, 2, 1, NULL, NULL),
                     DTB_EIO);
    assert_error_contains("no/such/folder/x.svg");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_heatmap),
        cmocka_unit_test(test_raster),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
