/* SVG figures written by libdtb's own code are well-formed XML (parsed with
 * libxml2 here) with the elements a reader expects: lines with a legend,
 * a labelled heat map with its colour levels, a raster; labels that need
 * escaping survive; numbers are written in the C locale. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot.h"
#include "test_util.h"

/* Parse an SVG file; count elements named `name` (NULL: all) and check
 * that text `needle` occurs in some <text>. */
static int count_elements(xmlNode *n, const char *name)
{
    int c = 0;
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && (!name || !strcmp((const char *)n->name, name)))
            c++;
        c += count_elements(n->children, name);
    }
    return c;
}

static int has_text(xmlNode *n, const char *needle)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && strstr((const char *)n->content, needle))
            return 1;
        if (has_text(n->children, needle))
            return 1;
    }
    return 0;
}

static xmlDoc *parse_svg(const char *path)
{
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "svg");
    assert_non_null(strstr((const char *)root->ns->href, "www.w3.org/2000/svg"));
    return doc;
}

static const char *tmp(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", test_tmpdir(), name);
    return buf;
}

static void test_lines(void **state)
{
    (void)state;
    double x[200], y1[200], y2[200];
    for (int i = 0; i < 200; i++) {
        x[i] = i * 0.01;
        y1[i] = sin(x[i] * 6);
        y2[i] = i == 50 ? NAN : 1e-3 * exp(x[i]);
    }
    dtb__series s[2] = {{"V.0 (A8m_L)", x, y1, 200}, {"<&> \"quoted\"", x, y2, 200}};
    dtb__line_plot p = {"Time series & more", "time (s)", "value", s, 2, 0};
    /* A decimal-comma locale must not leak into the numbers. */
    setlocale(LC_NUMERIC, "de_DE.UTF-8");
    assert_int_equal(dtb__plot_lines(tmp("lines.svg"), &p), DTB_OK);
    setlocale(LC_NUMERIC, "C");
    xmlDoc *doc = parse_svg(tmp("lines.svg"));
    xmlNode *root = xmlDocGetRootElement(doc);
    /* Series 2 is broken at its NaN: 1 + 2 polylines. */
    assert_int_equal(count_elements(root, "polyline"), 3);
    assert_true(has_text(root, "<&> \"quoted\""));
    assert_true(has_text(root, "Time series & more"));
    xmlFreeDoc(doc);
    /* Every point of the polylines is "x,y": one comma, decimal points. */
    char *text = read_text_file(tmp("lines.svg"), NULL);
    for (char *at = strstr(text, "points=\""); at; at = strstr(at + 1, "points=\"")) {
        char *q = at + 8, *end = strchr(q, '"');
        while (q < end) {
            size_t len = strcspn(q, " \"");
            int commas = 0;
            for (size_t i = 0; i < len; i++)
                commas += q[i] == ',';
            assert_int_equal(commas, 1);
            q += len + (q[len] == ' ');
        }
    }
    free(text);
    /* Logarithmic axis: non-positive values are left out, not fatal. */
    p.log_y = 1;
    assert_int_equal(dtb__plot_lines(tmp("log.svg"), &p), DTB_OK);
    xmlFreeDoc(parse_svg(tmp("log.svg")));
    assert_int_equal(dtb__plot_lines("/nonexistent/dir/x.svg", &p), DTB_EIO);
    assert_error_contains("/nonexistent/dir/x.svg");
}

static void test_heatmap(void **state)
{
    (void)state;
    enum { N = 30 };
    double m[N * N];
    char names[N][16];
    const char *labels[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "R%d<%d>", i, i % 3);
        labels[i] = names[i];
        for (int j = 0; j < N; j++)
            m[i * N + j] = i == j ? 1 : cos(0.3 * (i - j));
    }
    m[5] = NAN;
    dtb__heatmap h = {"FC", "region", "region", "r", m, N, N, labels, labels, -1, 1, 1};
    assert_int_equal(dtb__plot_heatmap(tmp("fc.svg"), &h), DTB_OK);
    xmlDoc *doc = parse_svg(tmp("fc.svg"));
    xmlNode *root = xmlDocGetRootElement(doc);
    int paths = count_elements(root, "path");
    assert_true(paths > 10 && paths <= 65);   /* one per colour level used, NaN grey included */
    assert_true(has_text(root, "R7<1>"));
    assert_true(count_elements(root, "text") >= 2 * N + 3);
    xmlFreeDoc(doc);
    /* No labels: indices; a sequential map with the range from the data. */
    h.row_labels = h.col_labels = NULL;
    h.vmin = h.vmax = 0;
    h.diverging = 0;
    assert_int_equal(dtb__plot_heatmap(tmp("fcd.svg"), &h), DTB_OK);
    doc = parse_svg(tmp("fcd.svg"));
    assert_true(has_text(xmlDocGetRootElement(doc), "29"));
    xmlFreeDoc(doc);
}

static void test_raster(void **state)
{
    (void)state;
    double t[] = {0.01, 0.02, 0.5, 0.7}, u[] = {0, 3, 1, 3};
    dtb__raster r = {"Spikes", t, u, 4, 4};
    assert_int_equal(dtb__plot_raster(tmp("spikes.svg"), &r), DTB_OK);
    xmlDoc *doc = parse_svg(tmp("spikes.svg"));
    assert_int_equal(count_elements(xmlDocGetRootElement(doc), "path"), 1);
    xmlFreeDoc(doc);
    r.n = 0;   /* an empty raster is still a figure */
    assert_int_equal(dtb__plot_raster(tmp("empty.svg"), &r), DTB_OK);
    xmlFreeDoc(parse_svg(tmp("empty.svg")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_heatmap),
        cmocka_unit_test(test_raster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
