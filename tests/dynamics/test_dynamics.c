/* The dynamics of one node (dtb_dynamics.h): rates and Jacobians, fixed
 * points and their kinds, continuation with folds and Hopf points located,
 * on models whose answers are known in closed form.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_eigen.h>

#include "dtb/dtb.h"
#include "test_util.h"

#define OK(call) assert_int_equal((call), DTB_OK)

/* A saddle-node normal form with a stable passenger: dx/dt = mu - x^2,
 * dy/dt = -y + x. Folds at mu = 0 (x = 0); x = +sqrt(mu) is stable, the
 * other root a saddle. */
static const char fold_xml[] =
    "<Lems xmlns:dtb=\"https://libdtb.org/schema/model/0.1\">"
    "<ComponentType name=\"Fold\">"
    "<Parameter name=\"mu\" dimension=\"none\"/>"
    "<Requirement name=\"c\" dimension=\"none\"/>"
    "<Dynamics>"
    "<StateVariable name=\"x\" dimension=\"none\"/>"
    "<StateVariable name=\"y\" dimension=\"none\"/>"
    "<TimeDerivative variable=\"x\" value=\"mu - x^2 + c\"/>"
    "<TimeDerivative variable=\"y\" value=\"-y + x\"/>"
    "</Dynamics></ComponentType>"
    "<Fold id=\"fold_defaults\" mu=\"1\"/>"
    "<dtb:RegionModel name=\"fold\" type=\"Fold\" defaults=\"fold_defaults\">"
    "<dtb:Coupling variable=\"x\" input=\"c\"/>"
    "<dtb:StateRange variable=\"x\" min=\"-2\" max=\"2\"/>"
    "<dtb:StateRange variable=\"y\" min=\"-2\" max=\"2\"/>"
    "</dtb:RegionModel></Lems>";

static dtb_dynamics *node_of(const char *builtin, const char *xml)
{
    dtb_model *m = NULL;
    if (builtin)
        OK(dtb_model_create_builtin(&m, builtin));
    else
        OK(dtb_model_load_string(&m, xml, strlen(xml), "fold.xml", NULL));
    dtb_dynamics *d = NULL;
    OK(dtb_dynamics_create(&d, m));
    dtb_model_free(m);
    return d;
}

static void test_rates_and_jacobian(void **state)
{
    (void)state;
    dtb_dynamics *d = node_of("sup_hopf", NULL);
    assert_int_equal(dtb_dynamics_state_count(d), 2);
    OK(dtb_dynamics_set_param(d, "a", 0.3));
    double x[2] = {0.5, -0.25}, f[2], J[4], dfa[2];
    OK(dtb_dynamics_rates(d, x, 2, f, 2));
    const double r2 = 0.25 + 0.0625;
    assert_true(fabs(f[0] - ((0.3 - r2) * 0.5 + 0.25)) < 1e-15);
    OK(dtb_dynamics_jacobian(d, x, 2, J, 4));
    assert_true(fabs(J[0] - (0.3 - 3 * 0.25 - 0.0625)) < 1e-15);      /* a - 3x^2 - y^2 */
    assert_true(fabs(J[1] - (-2 * 0.5 * -0.25 - 1.0)) < 1e-15);       /* -2xy - omega */
    OK(dtb_dynamics_param_derivative(d, "a", x, 2, dfa, 2));
    assert_true(dfa[0] == 0.5 && dfa[1] == -0.25);
    /* the coupling input shifts the rates */
    double c[2] = {0.1, -0.2};
    OK(dtb_dynamics_set_input(d, c, 2));
    double g[2];
    OK(dtb_dynamics_rates(d, x, 2, g, 2));
    assert_true(fabs(g[0] - f[0] - 0.1) < 1e-15 && fabs(g[1] - f[1] + 0.2) < 1e-15);
    /* bad input: named, and the node stays usable */
    assert_int_equal(dtb_dynamics_set_param(d, "nope", 1.0), DTB_ENOTFOUND);
    assert_non_null(strstr(dtb_last_error_message(), "nope"));
    assert_int_equal(dtb_dynamics_set_param(d, "a", NAN), DTB_EINVAL);
    double bad[2] = {NAN, 0};
    assert_int_equal(dtb_dynamics_rates(d, bad, 2, f, 2), DTB_EINVAL);
    assert_int_equal(dtb_dynamics_rates(d, x, 3, f, 2), DTB_EINVAL);
    assert_int_equal(dtb_dynamics_jacobian(d, x, 2, J, 3), DTB_EINVAL);
    assert_int_equal(dtb_dynamics_param_derivative(d, "x", x, 2, dfa, 2), DTB_EINVAL);
    assert_int_equal(dtb_dynamics_set_input(d, c, 1), DTB_EINVAL);
    OK(dtb_dynamics_rates(d, x, 2, f, 2));
    dtb_dynamics_free(d);
}

static void test_fixed_points_sup_hopf(void **state)
{
    (void)state;
    dtb_dynamics *d = node_of("sup_hopf", NULL);
    const double as[2] = {-0.5, 0.5};
    const dtb_fixed_point_kind want[2] = {DTB_FIXED_POINT_STABLE_FOCUS, DTB_FIXED_POINT_UNSTABLE_FOCUS};
    for (int k = 0; k < 2; k++) {
        OK(dtb_dynamics_set_param(d, "a", as[k]));
        int64_t n = 0;
        OK(dtb_dynamics_find_fixed_points(d, NULL, &n));
        assert_int_equal(n, 1);                      /* only the origin */
        double x[2], re[2], im[2];
        dtb_fixed_point_kind kind;
        OK(dtb_dynamics_fixed_point(d, 0, x, 2, re, im, 2, &kind));
        assert_true(fabs(x[0]) < 1e-10 && fabs(x[1]) < 1e-10);
        assert_true(fabs(re[0] - as[k]) < 1e-12 && fabs(re[1] - as[k]) < 1e-12);   /* a +- i omega */
        assert_true(fabs(fabs(im[0]) - 1.0) < 1e-12);
        assert_int_equal(kind, want[k]);
    }
    assert_int_equal(dtb_dynamics_fixed_point(d, 1, NULL, 0, NULL, NULL, 0, NULL), DTB_EINVAL);
    assert_string_equal(dtb_fixed_point_kind_name(DTB_FIXED_POINT_SADDLE), "saddle");
    assert_string_equal(dtb_bifurcation_kind_name(DTB_BIFURCATION_HOPF), "hopf");
    assert_string_equal(dtb_bifurcation_kind_name((dtb_bifurcation_kind)7), "?");
    dtb_dynamics_free(d);
}

static void test_fixed_points_fold(void **state)
{
    (void)state;
    dtb_dynamics *d = node_of(NULL, fold_xml);
    int64_t n = 0;
    OK(dtb_dynamics_find_fixed_points(d, NULL, &n));
    assert_int_equal(n, 2);                          /* x = -1 (saddle), x = 1 (stable) */
    double x[2];
    dtb_fixed_point_kind kind;
    OK(dtb_dynamics_fixed_point(d, 0, x, 2, NULL, NULL, 0, &kind));
    assert_true(fabs(x[0] + 1.0) < 1e-10 && fabs(x[1] + 1.0) < 1e-10);
    assert_int_equal(kind, DTB_FIXED_POINT_SADDLE);
    OK(dtb_dynamics_fixed_point(d, 1, x, 2, NULL, NULL, 0, &kind));
    assert_true(fabs(x[0] - 1.0) < 1e-10);
    assert_int_equal(kind, DTB_FIXED_POINT_STABLE_NODE);
    /* past the fold: none */
    OK(dtb_dynamics_set_param(d, "mu", -0.5));
    OK(dtb_dynamics_find_fixed_points(d, NULL, &n));
    assert_int_equal(n, 0);
    dtb_fixed_point_options o;
    OK(dtb_fixed_point_options_init(&o, DTB_FIXED_POINT_OPTIONS_VERSION));
    o.n_starts = -1;
    assert_int_equal(dtb_dynamics_find_fixed_points(d, &o, &n), DTB_EINVAL);
    dtb_dynamics_free(d);
}

static void test_continuation_hopf(void **state)
{
    (void)state;
    dtb_dynamics *d = node_of("sup_hopf", NULL);
    double x0[2] = {0.0, 0.0};
    OK(dtb_dynamics_set_param(d, "a", -0.7));
    dtb_branch *b = NULL;
    OK(dtb_dynamics_continue(d, "a", -1.0, 1.0, x0, 2, NULL, &b));
    assert_int_equal(dtb_branch_special_count(b), 1);
    dtb_bifurcation_kind kind;
    double a, x[2];
    OK(dtb_branch_special(b, 0, &kind, &a, x, 2));
    assert_int_equal(kind, DTB_BIFURCATION_HOPF);
    assert_true(fabs(a) < 1e-8);                     /* the Hopf point is at a = 0 */
    /* the branch spans the range, stable below the Hopf point, unstable above */
    int64_t np = dtb_branch_point_count(b);
    assert_true(np > 20);
    double a_first, a_last;
    int32_t s_first, s_last;
    OK(dtb_branch_point(b, 0, &a_first, NULL, 0, &s_first, NULL));
    OK(dtb_branch_point(b, np - 1, &a_last, NULL, 0, &s_last, NULL));
    assert_true(a_first < -0.95 && a_last > 0.95);
    assert_true(s_first == 1 && s_last == 0);
    assert_non_null(strstr(dtb_branch_end_reason(b, 0), "left"));
    double a_now;
    OK(dtb_dynamics_get_param(d, "a", &a_now));
    assert_true(a_now == -0.7);                      /* the node keeps its value */
    dtb_branch_free(b);
    dtb_dynamics_free(d);
}

static void test_continuation_fold(void **state)
{
    (void)state;
    dtb_dynamics *d = node_of(NULL, fold_xml);
    double x0[2] = {1.0, 1.0};
    dtb_branch *b = NULL;
    dtb_continuation_options co;
    OK(dtb_continuation_options_init(&co, DTB_CONTINUATION_OPTIONS_VERSION));
    co.max_step = 0.05;
    OK(dtb_dynamics_continue(d, "mu", -1.0, 2.0, x0, 2, &co, &b));
    assert_int_equal(dtb_branch_special_count(b), 1);
    dtb_bifurcation_kind kind;
    double mu, x[2];
    OK(dtb_branch_special(b, 0, &kind, &mu, x, 2));
    assert_int_equal(kind, DTB_BIFURCATION_FOLD);
    assert_true(fabs(mu) < 1e-8);
    assert_true(fabs(x[0]) < 1e-4);                  /* x = sqrt(mu) there: 1e-8 in mu */
    /* both ends at mu = 2: the stable upper branch and the saddle below */
    int64_t np = dtb_branch_point_count(b);
    double m0, m1, xa[2], xb[2];
    int32_t s0, s1;
    OK(dtb_branch_point(b, 0, &m0, xa, 2, &s0, NULL));
    OK(dtb_branch_point(b, np - 1, &m1, xb, 2, &s1, NULL));
    assert_true(m0 > 1.9 && m1 > 1.9);
    assert_true(s0 != s1 && xa[0] * xb[0] < 0);
    dtb_branch_free(b);
    /* in a coupling input (the same role as mu here) */
    OK(dtb_dynamics_set_param(d, "mu", 0.0));
    double c1 = 1.0;
    OK(dtb_dynamics_set_input(d, &c1, 1));
    OK(dtb_dynamics_continue(d, "c", -1.0, 2.0, x0, 2, NULL, &b));
    OK(dtb_branch_special(b, 0, &kind, &mu, NULL, 0));
    assert_int_equal(kind, DTB_BIFURCATION_FOLD);
    assert_true(fabs(mu) < 1e-8);
    dtb_branch_free(b);
    /* bad requests */
    double c0 = 0.0;
    OK(dtb_dynamics_set_input(d, &c0, 1));
    assert_int_equal(dtb_dynamics_continue(d, "x", -1, 2, x0, 2, NULL, &b), DTB_EINVAL);
    assert_int_equal(dtb_dynamics_continue(d, "nope", -1, 2, x0, 2, NULL, &b), DTB_ENOTFOUND);
    assert_int_equal(dtb_dynamics_continue(d, "mu", 1, 2, x0, 2, NULL, &b), DTB_EINVAL);  /* mu = 0 outside */
    OK(dtb_dynamics_set_param(d, "mu", -0.5));
    assert_int_equal(dtb_dynamics_continue(d, "mu", -1, 2, x0, 2, NULL, &b), DTB_ENUMERIC);  /* no root */
    assert_null(b);
    dtb_dynamics_free(d);
}

static void test_every_builtin_model_analyses(void **state)
{
    (void)state;
    for (int64_t k = 0; k < dtb_model_builtin_count(); k++) {
        const char *name = dtb_model_builtin_name(k);
        dtb_dynamics *d = node_of(name, NULL);
        int64_t n = -1;
        dtb_fixed_point_options o;
        OK(dtb_fixed_point_options_init(&o, DTB_FIXED_POINT_OPTIONS_VERSION));
        o.n_starts = 16;
        dtb_status st = dtb_dynamics_find_fixed_points(d, &o, &n);
        if (st)
            fail_msg("%s: %s", name, dtb_last_error_message());
        print_message("%-34s %lld fixed point(s)\n", name, (long long)n);
        dtb_dynamics_free(d);
    }
}

/* The linear model on a connectome: J = gamma I + a W, so the network
 * loses stability at a = -gamma / lambda_max(W) (W's eigenvalue of largest
 * real part, here from GSL in the test itself). */
static void test_network_critical_linear(void **state)
{
    (void)state;
    dtb_atlas *atlas = NULL;
    OK(dtb_atlas_create_builtin(&atlas, "bn246"));
    size_t n = (size_t)dtb_atlas_region_count(atlas), needed;
    double *w = malloc(n * n * sizeof *w);
    OK(dtb_atlas_copy_weights(atlas, w, n * n, &needed));
    gsl_matrix_view W = gsl_matrix_view_array(w, n, n);
    gsl_vector_complex *ev = gsl_vector_complex_alloc(n);
    gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(n);
    assert_int_equal(gsl_eigen_nonsymm(&W.matrix, ev, ws), 0);
    double lmax = -INFINITY;
    for (size_t k = 0; k < n; k++)
        lmax = nan_max(lmax, GSL_REAL(gsl_vector_complex_get(ev, k)));
    gsl_vector_complex_free(ev);
    gsl_eigen_nonsymm_free(ws);
    free(w);
    dtb_dynamics *d = node_of("linear", NULL);
    double gamma;
    OK(dtb_dynamics_get_param(d, "gamma", &gamma));
    const double want = -gamma / lmax;
    const char *names[1] = {"b"};
    const double values[1] = {0.0};
    double crit = NAN;
    OK(dtb_dynamics_network_critical(d, atlas, DTB_COUPLING_LINEAR, names, values, 1, "a", 0.0,
                                     3 * want, &crit));
    print_message("critical a %.12g, closed form %.12g\n", crit, want);
    assert_true(fabs(crit - want) < 1e-8 * want);
    /* the Hopf normal form: eigenvalues a_node +- i omega + a lambda(W), a
     * complex pair crosses at a = -a_node / lambda_max */
    dtb_dynamics *h = node_of("sup_hopf", NULL);
    OK(dtb_dynamics_network_critical(h, atlas, DTB_COUPLING_LINEAR, NULL, NULL, 0, "a", 0.0,
                                     3 * 0.5 / lmax, &crit));
    print_message("critical a %.12g (Hopf), closed form %.12g\n", crit, 0.5 / lmax);
    assert_true(fabs(crit - 0.5 / lmax) < 1e-8 * (0.5 / lmax));
    dtb_dynamics_free(h);
    /* with delays (3 m/s over the atlas' tract lengths) the real crossing
     * is the same: at a zero eigenvalue the delays' factors e^(-lambda tau)
     * are 1. A simulation 5 % below decays, 5 % above grows. */
    for (int side = 0; side < 2; side++) {
        dtb_model *lin = NULL;
        OK(dtb_model_create_builtin(&lin, "linear"));
        dtb_sim_options so;
        OK(dtb_sim_options_init(&so, DTB_SIM_OPTIONS_VERSION));
        so.speed = 3.0;
        so.seed = 3;
        dtb_sim *sim = NULL;
        OK(dtb_sim_create(&sim, atlas, lin, &so));
        OK(dtb_sim_set_coupling_param(sim, "a", (side ? 1.05 : 0.95) * want));
        OK(dtb_sim_set_initial_value(sim, 0, 1.0));
        /* the delays slow the slowest mode down (about -0.5 / (1 + 9.5 tau) per
         * ms): compare its size over two later windows */
        double norm[2] = {0.0, 0.0};
        for (int win = 0; win < 2; win++) {
            OK(dtb_sim_run(sim, 0.6, NULL, NULL));
            double x[246];
            size_t got = 0;
            OK(dtb_sim_get_state(sim, x, 246, &got));
            for (size_t k = 0; k < got; k++)
                norm[win] = nan_max(norm[win], fabs(x[k]));
        }
        print_message("delays, a = %.2f a*: |x| %g at 0.6 s, %g at 1.2 s\n", side ? 1.05 : 0.95, norm[0],
                      norm[1]);
        if (side)
            assert_true(norm[1] > 1.5 * norm[0]);
        else
            assert_true(norm[1] < norm[0] / 1.5);
        dtb_sim_free(sim);
        dtb_model_free(lin);
    }
    /* the leading eigenvalues at half the critical value: gamma / 2 first */
    double re[4], im[4];
    size_t got = 0;
    const double half[1] = {0.5 * want};
    const char *aname[1] = {"a"};
    OK(dtb_dynamics_network_eigenvalues(d, atlas, DTB_COUPLING_LINEAR, aname, half, 1, re, im, 4, &got));
    assert_int_equal(got, 4);
    assert_true(fabs(re[0] - gamma / 2) < 1e-8 * fabs(gamma));
    assert_true(re[1] <= re[0] && re[2] <= re[1]);
    assert_int_equal(dtb_dynamics_network_eigenvalues(d, atlas, DTB_COUPLING_SIGMOIDAL, NULL, NULL, 0, re,
                                                      im, 4, &got), DTB_EUNSUPPORTED);
    /* none below it */
    OK(dtb_dynamics_network_critical(d, atlas, DTB_COUPLING_LINEAR, NULL, NULL, 0, "a", 0.0,
                                     0.5 * want, &crit));
    assert_true(isnan(crit));
    /* bad requests, named */
    assert_int_equal(dtb_dynamics_network_critical(d, atlas, DTB_COUPLING_KURAMOTO, NULL, NULL, 0,
                                                   "a", 0, 1, &crit), DTB_EUNSUPPORTED);
    assert_int_equal(dtb_dynamics_network_critical(d, atlas, DTB_COUPLING_LINEAR, NULL, NULL, 0,
                                                   "zz", 0, 1, &crit), DTB_ENOTFOUND);
    assert_int_equal(dtb_dynamics_network_critical(d, atlas, DTB_COUPLING_LINEAR, NULL, NULL, 0,
                                                   "a", 2 * want, 3 * want, &crit), DTB_EINVAL);
    dtb_dynamics_free(d);
    dtb_atlas_free(atlas);
}

/* The phase plane: an SVG with the three Wilson-Cowan fixed points (one
 * circle each, the saddle hollow) that librsvg renders; bad requests. */
static void test_phase_plane(void **state)
{
    (void)state;
    dtb_dynamics *d = node_of("wilson_cowan", NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/wc.svg", test_tmpdir());
    double x[2] = {0.1, 0.1};
    OK(dtb_dynamics_phase_plane(d, "E", "I", 0.0, 0.6, 0.0, 0.4, x, 2, path));
    char *svg = read_text_file(path, NULL);
    assert_non_null(svg);
    int circles = 0, hollow = 0;
    for (const char *c = strstr(svg, "<circle"); c; c = strstr(c + 1, "<circle")) {
        circles++;
        hollow += strncmp(strstr(c, "fill=") + 6, "#fff", 4) == 0;
    }
    assert_int_equal(circles, 3);
    assert_int_equal(hollow, 1);
    assert_non_null(strstr(svg, "dE/dt = 0"));
    free(svg);
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "rsvg-convert -o '%s.png' '%s' 2>&1", path, path);
    if (system(cmd) != 0)
        fail_msg("rsvg-convert failed on %s (tools/install-deps.sh --test installs it)", path);
    assert_int_equal(dtb_dynamics_phase_plane(d, "E", "E", 0, 1, 0, 1, x, 2, path), DTB_EINVAL);
    assert_int_equal(dtb_dynamics_phase_plane(d, "E", "Q", 0, 1, 0, 1, x, 2, path), DTB_ENOTFOUND);
    assert_int_equal(dtb_dynamics_phase_plane(d, "E", "I", 1, 0, 0, 1, x, 2, path), DTB_EINVAL);
    assert_int_equal(dtb_dynamics_phase_plane(d, "E", "I", 0, 1, 0, 1, x, 1, path), DTB_EINVAL);
    dtb_dynamics_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates_and_jacobian),
        cmocka_unit_test(test_fixed_points_sup_hopf),
        cmocka_unit_test(test_fixed_points_fold),
        cmocka_unit_test(test_continuation_hopf),
        cmocka_unit_test(test_continuation_fold),
        cmocka_unit_test(test_every_builtin_model_analyses),
        cmocka_unit_test(test_network_critical_linear),
        cmocka_unit_test(test_phase_plane),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
