/* Fixed points and eigenvalues of the generic 2-D oscillator and the
 * Wilson-Cowan model for several parameter sets, against SciPy's fsolve on
 * TVB's documented equations with a difference Jacobian and numpy's
 * eigenvalues (tests/data/reference/models/gen_fixed_points.py): every
 * reference point in the states' ranges is found, to 1e-8, with its
 * eigenvalues to 1e-6, and every point libdtb finds is one of SciPy's. And
 * the folds and Hopf points of Jansen-Rit in mu (v0 = 6 mV), continued by
 * libdtb, against SciPy's computation on the closed-form equilibrium curve
 * (gen_jr_bifurcations.py): the same points, to 1e-8.
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

#include "dtb/dtb.h"
#include "test_util.h"

typedef struct ref_point {
    char model[64], set[128];
    double x[2], re[2], im[2];
} ref_point;

static size_t read_reference(ref_point *rows, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/models/fixed_points.csv", DTB_TEST_DATA);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f));   /* the header */
    while (n < cap && fgets(line, sizeof line, f)) {
        ref_point *r = &rows[n];
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        assert_non_null(c2);
        snprintf(r->model, sizeof r->model, "%.*s", (int)(c1 - line), line);
        snprintf(r->set, sizeof r->set, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
        assert_int_equal(sscanf(c2 + 1, "%lf,%lf,%lf,%lf,%lf,%lf", &r->x[0], &r->x[1], &r->re[0], &r->im[0],
                                &r->re[1], &r->im[1]), 6);
        n++;
    }
    fclose(f);
    return n;
}

/* The node of a row's model with its set applied ("NAME=VALUE;..."). */
static dtb_dynamics *node_for(const ref_point *r, dtb_model **model)
{
    assert_int_equal(dtb_model_create_builtin(model, r->model), DTB_OK);
    char set[128];
    snprintf(set, sizeof set, "%s", r->set);
    for (char *tok = strtok(set, ";"); tok; tok = strtok(NULL, ";")) {
        char *eq = strchr(tok, '=');
        assert_non_null(eq);
        *eq = 0;
        assert_int_equal(dtb_model_set_param(*model, tok, strtod(eq + 1, NULL)), DTB_OK);
    }
    dtb_dynamics *d = NULL;
    assert_int_equal(dtb_dynamics_create(&d, *model), DTB_OK);
    return d;
}

static int in_range(const dtb_model *m, const double *x)
{
    for (int v = 0; v < 2; v++) {
        double lo, hi;
        dtb_model_state_range(m, v, &lo, &hi);
        if (x[v] < lo - 1e-12 || x[v] > hi + 1e-12)   /* SciPy's origin is -1e-323 */
            return 0;
    }
    return 1;
}

static void test_against_scipy(void **state)
{
    (void)state;
    ref_point rows[64];
    size_t n = read_reference(rows, 64), checked = 0, groups = 0;
    assert_true(n >= 8);
    for (size_t first = 0; first < n;) {
        size_t last = first;
        while (last < n && !strcmp(rows[last].model, rows[first].model) && !strcmp(rows[last].set, rows[first].set))
            last++;
        dtb_model *m = NULL;
        dtb_dynamics *d = node_for(&rows[first], &m);
        dtb_fixed_point_options o;
        assert_int_equal(dtb_fixed_point_options_init(&o, DTB_FIXED_POINT_OPTIONS_VERSION), DTB_OK);
        o.n_starts = 256;
        int64_t found = 0;
        assert_int_equal(dtb_dynamics_find_fixed_points(d, &o, &found), DTB_OK);
        size_t want = 0;
        for (size_t k = first; k < last; k++) {
            if (!in_range(m, rows[k].x))
                continue;
            want++;
            int matched = 0;
            for (int64_t i = 0; i < found && !matched; i++) {
                double x[2], re[2], im[2];
                assert_int_equal(dtb_dynamics_fixed_point(d, i, x, 2, re, im, 2, NULL), DTB_OK);
                if (fabs(x[0] - rows[k].x[0]) > 1e-8 || fabs(x[1] - rows[k].x[1]) > 1e-8)
                    continue;
                matched = 1;
                /* pairs: sort each side by decreasing imaginary part within equal real parts */
                for (int e = 0; e < 2; e++) {
                    double scale = nan_max(hypot(rows[k].re[e], rows[k].im[e]), 1e-3);
                    int other = fabs(re[e] - rows[k].re[e]) > 1e-6 * scale ||
                                fabs(fabs(im[e]) - fabs(rows[k].im[e])) > 1e-6 * scale;
                    if (other)
                        fail_msg("%s [%s] at (%g, %g): eigenvalue %d %g%+gi, SciPy %g%+gi", rows[k].model,
                                 rows[k].set, x[0], x[1], e, re[e], im[e], rows[k].re[e], rows[k].im[e]);
                }
                checked++;
            }
            if (!matched)
                fail_msg("%s [%s]: SciPy's fixed point (%.12g, %.12g) not found (%lld found)",
                         rows[k].model, rows[k].set, rows[k].x[0], rows[k].x[1], (long long)found);
        }
        /* and nothing SciPy does not have (a root outside the ranges counts:
         * Newton may leave the box the starts are drawn in) */
        for (int64_t i = 0; i < found; i++) {
            double x[2];
            assert_int_equal(dtb_dynamics_fixed_point(d, i, x, 2, NULL, NULL, 0, NULL), DTB_OK);
            int known = 0;
            for (size_t k = first; k < last && !known; k++)
                known = fabs(x[0] - rows[k].x[0]) <= 1e-8 && fabs(x[1] - rows[k].x[1]) <= 1e-8;
            if (!known)
                fail_msg("%s [%s]: libdtb's fixed point (%.12g, %.12g) is not among SciPy's",
                         rows[first].model, rows[first].set, x[0], x[1]);
        }
        assert_true((size_t)found >= want);
        groups++;
        dtb_dynamics_free(d);
        dtb_model_free(m);
        first = last;
    }
    print_message("%zu fixed points in %zu parameter sets agree with SciPy\n", checked, groups);
    assert_true(checked >= 8 && groups >= 6);
}

static void test_jansen_rit_bifurcations(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/models/jr_bifurcations.csv", DTB_TEST_DATA);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256], kind[16][16];
    double mu[16];
    int n = 0;
    assert_non_null(fgets(line, sizeof line, f));
    while (n < 16 && fgets(line, sizeof line, f))
        if (sscanf(line, "%15[a-z],%lf", kind[n], &mu[n]) == 2)
            n++;
    fclose(f);
    assert_true(n >= 4);
    dtb_model *m = NULL;
    assert_int_equal(dtb_model_create_builtin(&m, "jansen_rit"), DTB_OK);
    assert_int_equal(dtb_model_set_param(m, "v0", 6.0), DTB_OK);
    dtb_dynamics *d = NULL;
    assert_int_equal(dtb_dynamics_create(&d, m), DTB_OK);
    int64_t nfp = 0;
    assert_int_equal(dtb_dynamics_find_fixed_points(d, NULL, &nfp), DTB_OK);
    assert_true(nfp >= 1);
    double x[6];
    assert_int_equal(dtb_dynamics_fixed_point(d, 0, x, 6, NULL, NULL, 0, NULL), DTB_OK);
    dtb_branch *b = NULL;
    assert_int_equal(dtb_dynamics_continue(d, "mu", -0.1, 0.4, x, 6, NULL, &b), DTB_OK);
    assert_int_equal(dtb_branch_special_count(b), n);
    for (int k = 0; k < n; k++) {
        int found = 0;
        for (int64_t i = 0; i < dtb_branch_special_count(b) && !found; i++) {
            dtb_bifurcation_kind bk;
            double at;
            assert_int_equal(dtb_branch_special(b, i, &bk, &at, NULL, 0), DTB_OK);
            found = !strcmp(dtb_bifurcation_kind_name(bk), kind[k]) && fabs(at - mu[k]) < 1e-8;
        }
        if (!found)
            fail_msg("SciPy's %s at mu = %.12g is not on libdtb's branch", kind[k], mu[k]);
    }
    print_message("%d special points of Jansen-Rit agree with SciPy to 1e-8\n", n);
    dtb_branch_free(b);
    dtb_dynamics_free(d);
    dtb_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_scipy),
        cmocka_unit_test(test_jansen_rit_bifurcations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
