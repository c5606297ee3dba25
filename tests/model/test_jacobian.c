/* Symbolic Jacobians of every built-in region model (model_kernel.c over
 * expr/diff.c) against central differences of the model's own right-hand
 * side, at random states inside each state's range, with respect to every
 * state, every coupling input and every parameter.
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

#include "test_util.h"

#include "base/rng.h"
#include "dtb/dtb_error.h"
#include "model/model.h"

#define N_POINTS 6

typedef struct node {
    const dtb__model_core *c;
    dtb__ktable t;
    dtb__kprog rhs, jac;
    size_t n_wrt;
    const char **wrt;
    double *x, *cin, *p;       /* one element: states, coupling inputs, parameters */
    double *f, *J;
} node;

static void bind(node *nd, dtb__kprog *kp)
{
    const dtb__model_core *c = nd->c;
    for (size_t v = 0; v < c->n_states; v++)
        dtb__kprog_bind(kp, dtb__model_kin_state(c, v), &nd->x[v]);
    for (size_t i = 0; i < c->n_couplings; i++)
        dtb__kprog_bind(kp, dtb__model_kin_coupling(c, i), &nd->cin[i]);
    for (size_t p = 0; p < c->n_params; p++)
        dtb__kprog_bind(kp, dtb__model_kin_param(c, p), &nd->p[p]);
}

/* f at the node's point; into out[n_states] (constant states: 0). */
static void rates(node *nd, double *out)
{
    int64_t os[64];
    bind(nd, &nd->rhs);
    size_t k = 0;
    for (size_t v = 0; v < nd->c->n_states; v++) {
        out[v] = 0.0;
        if (nd->c->states[v].derivative)
            os[k++] = (int64_t)v;
    }
    for (size_t i = 0; i < k; i++)
        nd->rhs.outputs[i] = &out[os[i]];
    dtb__kprog_eval(&nd->rhs, 0.0, 1, NULL, NULL);
}

static void setup_node(node *nd, const dtb_model *m)
{
    memset(nd, 0, sizeof *nd);
    const dtb__model_core *c = m->core;
    nd->c = c;
    /* every parameter per element, so that each can be read from nd->p */
    unsigned char per[256];
    assert_true(c->n_params < 256);
    memset(per, 1, sizeof per);
    assert_int_equal(dtb__model_ktable(c, per, &nd->t), DTB_OK);
    assert_int_equal(dtb__model_compile_rates(c, &nd->t, &nd->rhs, NULL, NULL), DTB_OK);
    nd->n_wrt = c->n_states + c->n_couplings + c->n_params;
    nd->wrt = calloc(nd->n_wrt, sizeof *nd->wrt);
    size_t j = 0;
    for (size_t v = 0; v < c->n_states; v++)
        nd->wrt[j++] = c->states[v].name;
    for (size_t i = 0; i < c->n_couplings; i++)
        nd->wrt[j++] = c->coupling_input[i];
    for (size_t p = 0; p < c->n_params; p++)
        nd->wrt[j++] = c->params[p].name;
    dtb_status st = dtb__model_compile_jacobian(c, &nd->t, nd->wrt, nd->n_wrt, &nd->jac);
    if (st)
        fail_msg("%s: %s", c->name, dtb_last_error_message());
    nd->x = calloc(c->n_states, sizeof *nd->x);
    nd->cin = calloc(c->n_couplings + 1, sizeof *nd->cin);
    nd->p = calloc(c->n_params + 1, sizeof *nd->p);
    nd->f = calloc(2 * c->n_states, sizeof *nd->f);
    nd->J = calloc(c->n_states * nd->n_wrt, sizeof *nd->J);
    for (size_t p = 0; p < c->n_params; p++)
        nd->p[p] = m->values[p];
}

static void free_node(node *nd)
{
    dtb__kprog_free(&nd->rhs);
    dtb__kprog_free(&nd->jac);
    dtb__ktable_free(&nd->t);
    free(nd->wrt);
    free(nd->x);
    free(nd->cin);
    free(nd->p);
    free(nd->f);
    free(nd->J);
}

/* The value behind wrt[j]. */
static double *variable(node *nd, size_t j)
{
    const dtb__model_core *c = nd->c;
    if (j < c->n_states)
        return &nd->x[j];
    j -= c->n_states;
    if (j < c->n_couplings)
        return &nd->cin[j];
    return &nd->p[j - c->n_couplings];
}

static double draw(dtb__rng *r, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi) || hi <= lo)
        return lo == hi && isfinite(lo) ? lo : dtb__rng_uniform(r) - 0.5;
    return lo + (hi - lo) * (0.1 + 0.8 * dtb__rng_uniform(r));
}

/* d f_i / d var by Richardson-extrapolated central differences (error
 * O(h^4)), into d[n_states]; *fmax gets the largest |f| seen, which bounds
 * the rounding error of the differences. */
static void differences(node *nd, double *var, double h, double *d, double *fmax_out)
{
    const size_t ns = nd->c->n_states;
    double x0 = *var, *f = calloc(4 * ns, sizeof *f);
    const double steps[4] = {h, -h, h / 2, -h / 2};
    for (int s = 0; s < 4; s++) {
        *var = x0 + steps[s];
        rates(nd, f + s * ns);
    }
    *var = x0;
    *fmax_out = 0.0;
    for (size_t i = 0; i < ns; i++) {
        double d1 = (f[i] - f[ns + i]) / (2 * h), d2 = (f[2 * ns + i] - f[3 * ns + i]) / h;
        d[i] = (4 * d2 - d1) / 3;
        for (int s = 0; s < 4; s++)
            *fmax_out = nan_max(*fmax_out, fabs(f[s * ns + i]));
    }
    free(f);
}

/* 1 if f_i has a kink (abs, H, a select) near the point: its one-sided
 * slopes differ, and no difference quotient can be compared there. */
static int kink(node *nd, double *var, double h, size_t i)
{
    const size_t ns = nd->c->n_states;
    double x0 = *var, *f = calloc(3 * ns, sizeof *f);
    for (int s = 0; s < 3; s++) {
        *var = x0 + (s - 1) * h;
        rates(nd, f + s * ns);
    }
    *var = x0;
    double left = (f[ns + i] - f[i]) / h, right = (f[2 * ns + i] - f[ns + i]) / h;
    free(f);
    return fabs(right - left) > 1e-2 * nan_max(nan_max(fabs(right), fabs(left)), 1e-9);
}

static void check_model(const char *name, int *checked, double *worst)
{
    dtb_model *m = NULL;
    assert_int_equal(dtb_model_create_builtin(&m, name), DTB_OK);
    node nd;
    setup_node(&nd, m);
    const dtb__model_core *c = nd.c;
    dtb__rng rng;
    dtb__rng_seed(&rng, 20261207);
    double *d = calloc(c->n_states, sizeof *d);
    for (int pt = 0; pt < N_POINTS; pt++) {
        for (size_t v = 0; v < c->n_states; v++)
            nd.x[v] = draw(&rng, c->states[v].range_lo, c->states[v].range_hi);
        for (size_t i = 0; i < c->n_couplings; i++)
            nd.cin[i] = 0.1 * (dtb__rng_uniform(&rng) - 0.5);
        bind(&nd, &nd.jac);
        for (size_t k = 0; k < nd.jac.n_outputs; k++)
            nd.jac.outputs[k] = &nd.J[k];
        dtb__kprog_eval(&nd.jac, 0.0, 1, NULL, NULL);
        for (size_t j = 0; j < nd.n_wrt; j++) {
            double *var = variable(&nd, j);
            double h = 1e-3 * nan_max(fabs(*var), 1e-2), fmx;
            differences(&nd, var, h, d, &fmx);
            for (size_t i = 0; i < c->n_states; i++) {
                double sym = nd.J[i * nd.n_wrt + j];
                if (!isfinite(d[i]) || !isfinite(sym)) {
                    if (isfinite(d[i]) != isfinite(sym))
                        fail_msg("%s: d(d%s/dt)/d%s: symbolic %g, differences %g", name,
                                 c->states[i].name, nd.wrt[j], sym, d[i]);
                    continue;
                }
                /* what differences can resolve: rounding of f over the step */
                double resolvable = 1e3 * 2.2e-16 * fmx / h;
                double scale = nan_max(fabs(d[i]), fabs(sym));
                double err = fabs(d[i] - sym);
                if (err > 1e-6 * scale + resolvable) {
                    if (kink(&nd, var, h / 4, i))
                        continue;
                    fail_msg("%s: d(d%s/dt)/d%s at point %d: symbolic %.12g, differences %.12g",
                             name, c->states[i].name, nd.wrt[j], pt, sym, d[i]);
                }
                /* the worst over entries the differences resolve to 1e-8 */
                if (resolvable < 1e-8 * scale && err / scale > *worst)
                    *worst = err / scale;
                (*checked)++;
            }
        }
    }
    free(d);
    free_node(&nd);
    dtb_model_free(m);
}

static void test_every_builtin_model(void **state)
{
    (void)state;
    int64_t n = dtb_model_builtin_count();
    assert_true(n >= 20);
    for (int64_t k = 0; k < n; k++) {
        int checked = 0;
        double worst = 0.0;
        check_model(dtb_model_builtin_name(k), &checked, &worst);
        print_message("%-28s %5d entries, worst relative difference %.1e\n", dtb_model_builtin_name(k),
                      checked, worst);
        assert_true(checked > 0);
    }
}

/* The check can fail: a Jacobian of a perturbed equation is caught. */
static void test_a_wrong_jacobian_is_caught(void **state)
{
    (void)state;
    dtb_model *m = NULL;
    assert_int_equal(dtb_model_create_builtin(&m, "sup_hopf"), DTB_OK);
    node nd;
    setup_node(&nd, m);
    nd.x[0] = 0.3;
    nd.x[1] = -0.2;
    bind(&nd, &nd.jac);
    for (size_t k = 0; k < nd.jac.n_outputs; k++)
        nd.jac.outputs[k] = &nd.J[k];
    dtb__kprog_eval(&nd.jac, 0.0, 1, NULL, NULL);
    /* sup_hopf: dx/dt = (a - x^2 - y^2) x - w y: d/dx = a - 3x^2 - y^2 */
    long ia = -1;
    for (size_t p = 0; p < nd.c->n_params; p++)
        if (strcmp(nd.c->params[p].name, "a") == 0)
            ia = (long)p;
    assert_true(ia >= 0);
    double want = nd.p[ia] - 3 * 0.09 - 0.04;
    assert_true(fabs(nd.J[0] - want) < 1e-14);
    assert_false(fabs(nd.J[0] - (want + 1e-4)) < 1e-6);
    free_node(&nd);
    dtb_model_free(m);
}

static void test_unknown_variable_and_random(void **state)
{
    (void)state;
    dtb_model *m = NULL;
    assert_int_equal(dtb_model_create_builtin(&m, "sup_hopf"), DTB_OK);
    dtb__ktable t;
    assert_int_equal(dtb__model_ktable(m->core, NULL, &t), DTB_OK);
    dtb__kprog kp;
    const char *wrt[1] = {"nope"};
    assert_int_equal(dtb__model_compile_jacobian(m->core, &t, wrt, 1, &kp), DTB_ENOTFOUND);
    assert_non_null(strstr(dtb_last_error_message(), "nope"));
    const char *time[1] = {"t"};
    assert_int_equal(dtb__model_compile_jacobian(m->core, &t, time, 1, &kp), DTB_ENOTFOUND);
    dtb__ktable_free(&t);
    dtb_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_builtin_model),
        cmocka_unit_test(test_a_wrong_jacobian_is_caught),
        cmocka_unit_test(test_unknown_variable_and_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
