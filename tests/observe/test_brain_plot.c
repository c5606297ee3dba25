/* Brain figures (issue 14 item 7): region values and the strongest edges on
 * glass-brain projections of the MNI centres. The projections put each
 * region where its centre says (checked on a hand-made atlas), the
 * strongest edges and regions are the ones drawn and labelled, memory does
 * not grow with the square of the regions, and librsvg renders the file. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot/plot.h"
#include "test_util.h"

static const char *tmp(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", test_tmpdir(), name);
    return buf;
}

/* Every element `name` in document order. */
static void collect(xmlNode *n, const char *name, xmlNode **out, size_t *count, size_t cap)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) && *count < cap)
            out[(*count)++] = n;
        collect(n->children, name, out, count, cap);
    }
}

static double attr(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    assert_non_null(v);
    double d = strtod((const char *)v, NULL);
    xmlFree(v);
    return d;
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

/* Four regions on the axes: each view shows the extent of the two axes it
 * projects onto, at one scale, and nothing of the third. */
static void test_projections_put_regions_where_their_centres_are(void **state)
{
    (void)state;
    static const double c[] = {-50, 0, 0, 50, 0, 0, 0, -60, 0, 0, 60, 20};
    static const char *const labels[] = {"L", "R", "P", "A"};
    double values[4] = {1, 2, 3, 4};
    dtb__brain_plot b = {.title = "axes", .centres = c, .labels = labels, .n = 4, .values = values,
                         .max_labels = 1};
    assert_int_equal(dtb__plot_brain(tmp("axes.svg"), &b), DTB_OK);
    xmlDoc *doc = xmlReadFile(tmp("axes.svg"), NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlNode *circles[16];
    size_t n = 0;
    collect(xmlDocGetRootElement(doc), "circle", circles, &n, 16);
    assert_int_equal(n, 12);   /* four regions in three views */
    /* the extents of cx and cy in each view, in mm of the centres */
    double expect[3][2] = {{120, 20}, {100, 20}, {100, 120}};   /* sagittal y,z; coronal x,z; axial x,y */
    double scale = -1;
    for (int v = 0; v < 3; v++) {
        double xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY;
        for (int k = 0; k < 4; k++) {
            double x = attr(circles[4 * v + k], "cx"), y = attr(circles[4 * v + k], "cy");
            xl = nan_min(xl, x), xh = nan_max(xh, x), yl = nan_min(yl, y), yh = nan_max(yh, y);
        }
        if (scale < 0)
            scale = (xh - xl) / expect[v][0];
        assert_true(fabs((xh - xl) - scale * expect[v][0]) < 0.02);
        assert_true(fabs((yh - yl) - scale * expect[v][1]) < 0.02);
    }
    assert_true(scale > 1);
    /* the largest |value| is labelled, the others are not */
    xmlNode *root = xmlDocGetRootElement(doc);
    assert_true(has_text(root, "A"));
    assert_true(has_text(root, "sagittal") && has_text(root, "coronal") && has_text(root, "axial"));
    xmlFreeDoc(doc);
}

/* bn246: the strongest edges are the ones drawn, widest first in the
 * legend; the strongest regions are labelled. */
static void test_bn246_strongest_edges_and_labels(void **state)
{
    (void)state;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    const size_t n = (size_t)dtb_atlas_region_count(a);
    double *c = malloc(3 * n * sizeof *c), *w = malloc(n * n * sizeof *w), *v = malloc(n * sizeof *v);
    const char **labels = malloc(n * sizeof *labels);
    assert_int_equal(dtb_atlas_copy_weights(a, w, n * n, NULL), DTB_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(dtb_atlas_region_centre(a, (int64_t)i, &c[3 * i]),
                         DTB_OK);
        labels[i] = dtb_atlas_region_label(a, (int64_t)i);
        v[i] = c[3 * i];   /* left to right */
    }
    v[7] = 500;            /* the one region to label first */
    double wmax = 0;
    for (size_t k = 0; k < n * n; k++)
        if (k / n != k % n)
            wmax = nan_max(wmax, fabs(w[k]));
    dtb__brain_plot b = {.title = "bn246", .value_label = "x (mm)", .centres = c, .labels = labels,
                         .n = n, .values = v, .edges = w, .max_edges = 30, .max_labels = 5,
                         .diverging = 1};
    assert_int_equal(dtb__plot_brain(tmp("bn246.svg"), &b), DTB_OK);
    xmlDoc *doc = xmlReadFile(tmp("bn246.svg"), NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    static xmlNode *nodes[4096];
    size_t n_lines = 0, n_circles = 0;
    collect(root, "line", nodes, &n_lines, 4096);
    collect(root, "circle", nodes, &n_circles, 4096);
    assert_int_equal(n_lines, 3 * 30);
    assert_int_equal(n_circles, 3 * n);
    char legend[64];
    snprintf(legend, sizeof legend, "widest |w| = %.3g", wmax);
    assert_true(has_text(root, legend));
    assert_true(has_text(root, labels[7]));
    assert_true(has_text(root, "30 strongest connections"));
    xmlFreeDoc(doc);

    /* librsvg renders it (the figure is SVG a viewer draws, not only XML) */
    char cmd[8400];
    char svg[4096];
    snprintf(svg, sizeof svg, "%s", tmp("bn246.svg"));   /* tmp() reuses its buffer */
    snprintf(cmd, sizeof cmd, "rsvg-convert -o '%s' '%s' 2>&1", tmp("bn246.png"), svg);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("rsvg-convert failed (%d) on %s (tools/install-deps.sh --test installs it)", rc,
                 tmp("bn246.svg"));
    struct stat st;
    assert_int_equal(stat(tmp("bn246.png"), &st), 0);
    assert_true(st.st_size > 10000);
    /* keep a copy to look at when asked */
    const char *keep = getenv("DTB_KEEP_FIGURES");
    if (keep) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s' '%s'", svg, tmp("bn246.png"), keep);
        assert_int_equal(system(cmd), 0);
    }
    free(c);
    free(w);
    free(v);
    free(labels);
    dtb_atlas_free(a);
}

/* Two regions, no values (grey nodes, no colour bar); a NaN edge is left
 * out and the other of the pair drawn. */
static void test_few_regions_no_values(void **state)
{
    (void)state;
    static const double c[] = {0, 0, 0, 10, 10, 10};
    dtb__brain_plot b = {.centres = c, .n = 2};
    assert_int_equal(dtb__plot_brain(tmp("two.svg"), &b), DTB_OK);
    double w[4] = {0, NAN, 0.5, 0};   /* a NaN edge is skipped, the other drawn */
    b.edges = w;
    b.max_edges = 10;
    assert_int_equal(dtb__plot_brain(tmp("two.svg"), &b), DTB_OK);
    xmlDoc *doc = xmlReadFile(tmp("two.svg"), NULL, XML_PARSE_NONET);
    static xmlNode *nodes[64];
    size_t n_lines = 0;
    collect(xmlDocGetRootElement(doc), "line", nodes, &n_lines, 64);
    assert_int_equal(n_lines, 3);
    xmlFreeDoc(doc);
}

/* The public dtb_plot_brain(): the atlas' centres and labels, defaults of
 * 40 edges and 5 labels, negative counts for none, and errors that name
 * what does not fit. */
static void test_public_api(void **state)
{
    (void)state;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    const size_t n = (size_t)dtb_atlas_region_count(a);
    double *w = malloc(n * n * sizeof *w), *v = malloc(n * sizeof *v);
    assert_int_equal(dtb_atlas_copy_weights(a, w, n * n, NULL), DTB_OK);
    for (size_t i = 0; i < n; i++)
        v[i] = (double)i;
    assert_int_equal(dtb_plot_brain(tmp("api.svg"), a, v, n, w, n * n, NULL), DTB_OK);
    xmlDoc *doc = xmlReadFile(tmp("api.svg"), NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    static xmlNode *nodes[4096];
    size_t n_lines = 0;
    collect(xmlDocGetRootElement(doc), "line", nodes, &n_lines, 4096);
    assert_int_equal(n_lines, 3 * 40);
    assert_true(has_text(xmlDocGetRootElement(doc), dtb_atlas_region_label(a, (int64_t)n - 1)));
    xmlFreeDoc(doc);
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.max_edges = -1;
    o.max_labels = -1;
    o.title = "no edges, no labels";
    assert_int_equal(dtb_plot_brain(tmp("api.svg"), a, v, n, w, n * n, &o), DTB_OK);
    doc = xmlReadFile(tmp("api.svg"), NULL, XML_PARSE_NONET);
    n_lines = 0;
    collect(xmlDocGetRootElement(doc), "line", nodes, &n_lines, 4096);
    assert_int_equal(n_lines, 0);
    assert_false(has_text(xmlDocGetRootElement(doc), dtb_atlas_region_label(a, (int64_t)n - 1)));
    xmlFreeDoc(doc);
    /* errors */
    assert_int_equal(dtb_plot_brain(tmp("x.svg"), a, v, n - 1, NULL, 0, NULL), DTB_EINVAL);
    assert_error_contains("245 values");
    assert_int_equal(dtb_plot_brain(tmp("x.svg"), a, NULL, 0, w, n, NULL), DTB_EINVAL);
    assert_error_contains("246 x 246");
    assert_int_equal(dtb_plot_brain(tmp("x.svg"), a, NULL, 3, NULL, 0, NULL), DTB_EINVAL);
    assert_int_equal(dtb_plot_brain(NULL, a, v, n, NULL, 0, NULL), DTB_EINVAL);
    assert_int_equal(dtb_plot_brain(tmp("x.svg"), NULL, v, n, NULL, 0, NULL), DTB_EINVAL);
    dtb_atlas *flat = test_isolated_atlas(3);   /* no centres */
    double three[3] = {1, 2, 3};
    assert_int_equal(dtb_plot_brain(tmp("x.svg"), flat, three, 3, NULL, 0, NULL), DTB_EINVAL);
    assert_error_contains("no region centres");
    struct stat st;
    assert_int_not_equal(stat(tmp("x.svg"), &st), 0);   /* nothing written on an error */
    dtb_atlas_free(flat);
    free(w);
    free(v);
    dtb_atlas_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_projections_put_regions_where_their_centres_are),
        cmocka_unit_test(test_bn246_strongest_edges_and_labels),
        cmocka_unit_test(test_few_regions_no_values),
        cmocka_unit_test(test_public_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
