/* libdtb — GSL's gsl_odeiv2 steppers as simulation integrators.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each simulation step [t, t + h] is integrated adaptively (no step longer
 * than h), the coupling input held fixed by the caller's dfun. A GSL driver
 * object wires step, control and evolve together (the multistep methods
 * need it), but we call gsl_odeiv2_evolve_apply ourselves with our own step
 * limit: inputs are validated here, so GSL's process-global error handler
 * (abort by default) is not reached by user input, and a non-finite
 * derivative stops the step through GSL_EBADFUNC. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "integrate.h"

/* Internal steps allowed per simulation step before giving up. */
#define MAX_INNER_STEPS 100000

struct dtb__gsl_integrator {
    gsl_odeiv2_driver *driver;
    gsl_odeiv2_system sys;
    double h_inner;        /* last successful inner step (reused as a guess) */
    double *y, *f0, *f1, *yp;   /* state copy and Jacobian scratch */
    /* the current dfun, for the GSL callbacks */
    dtb__dfun fn;
    void *ctx;
    size_t n_states, n_regions;
    int bad;               /* a derivative was not finite */
};

static const gsl_odeiv2_step_type *step_type(dtb_integrator kind)
{
    switch (kind) {
    case DTB_INTEGRATOR_GSL_RK2: return gsl_odeiv2_step_rk2;
    case DTB_INTEGRATOR_GSL_RK4: return gsl_odeiv2_step_rk4;
    case DTB_INTEGRATOR_GSL_RKF45: return gsl_odeiv2_step_rkf45;
    case DTB_INTEGRATOR_GSL_RKCK: return gsl_odeiv2_step_rkck;
    case DTB_INTEGRATOR_GSL_RK8PD: return gsl_odeiv2_step_rk8pd;
    case DTB_INTEGRATOR_GSL_MSADAMS: return gsl_odeiv2_step_msadams;
    case DTB_INTEGRATOR_GSL_MSBDF: return gsl_odeiv2_step_msbdf;
    case DTB_INTEGRATOR_GSL_BSIMP: return gsl_odeiv2_step_bsimp;
    case DTB_INTEGRATOR_GSL_RK1IMP: return gsl_odeiv2_step_rk1imp;
    case DTB_INTEGRATOR_GSL_RK2IMP: return gsl_odeiv2_step_rk2imp;
    case DTB_INTEGRATOR_GSL_RK4IMP: return gsl_odeiv2_step_rk4imp;
    default: return NULL;
    }
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

static int rhs(double t, const double y[], double dydt[], void *params)
{
    dtb__gsl_integrator *g = params;
    g->fn(g->ctx, t, y, dydt);
    if (!all_finite(dydt, g->sys.dimension)) {
        g->bad = 1;
        return GSL_EBADFUNC;
    }
    return GSL_SUCCESS;
}

/* Finite-difference Jacobian. Within a step regions are independent (the
 * coupling is frozen), so the Jacobian is block diagonal: perturbing state
 * variable u in every region at once gives column u of every block. */
static int jacobian(double t, const double y[], double *dfdy, double dfdt[], void *params)
{
    dtb__gsl_integrator *g = params;
    const size_t n = g->n_regions, dim = g->sys.dimension;
    g->fn(g->ctx, t, y, g->f0);
    memset(dfdy, 0, dim * dim * sizeof *dfdy);
    for (size_t u = 0; u < g->n_states; u++) {
        memcpy(g->yp, y, dim * sizeof *y);
        for (size_t k = 0; k < n; k++) {
            size_t i = u * n + k;
            double eps = sqrt(DBL_EPSILON) * fmax(fabs(y[i]), 1.0);
            g->yp[i] = y[i] + eps;
        }
        g->fn(g->ctx, t, g->yp, g->f1);
        for (size_t k = 0; k < n; k++) {
            size_t col = u * n + k;
            double eps = g->yp[col] - y[col];
            for (size_t v = 0; v < g->n_states; v++) {
                size_t row = v * n + k;
                dfdy[row * dim + col] = (g->f1[row] - g->f0[row]) / eps;
            }
        }
    }
    double dt = sqrt(DBL_EPSILON) * fmax(fabs(t), 1.0);
    g->fn(g->ctx, t + dt, y, g->f1);
    for (size_t i = 0; i < dim; i++)
        dfdt[i] = (g->f1[i] - g->f0[i]) / dt;
    if (!all_finite(dfdy, dim * dim) || !all_finite(dfdt, dim)) {
        g->bad = 1;
        return GSL_EBADFUNC;
    }
    return GSL_SUCCESS;
}

void dtb__gsl_integrator_free(dtb__gsl_integrator *g)
{
    if (!g)
        return;
    if (g->driver)
        gsl_odeiv2_driver_free(g->driver);
    free(g->y);
    free(g->f0);
    free(g->f1);
    free(g->yp);
    free(g);
}

dtb_status dtb__gsl_integrator_new(dtb__integrator *it, double rtol, double atol)
{
    const gsl_odeiv2_step_type *type = step_type(it->kind);
    if (!type)
        return dtb__error(DTB_EINVAL, "unknown integrator %d", (int)it->kind);
    if (!(rtol >= 0) || !(atol >= 0) || !isfinite(rtol) || !isfinite(atol) || (rtol == 0 && atol == 0))
        return dtb__error(DTB_EINVAL, "GSL integrator tolerances must be finite, >= 0 and not both 0 "
                                      "(rtol %g, atol %g)", rtol, atol);
    size_t dim = it->len ? it->len : 1;
    dtb__gsl_integrator *g = dtb__calloc(1, sizeof *g);
    if (!g)
        return DTB_ENOMEM;
    g->n_states = it->n_states;
    g->n_regions = it->n_regions;
    g->sys = (gsl_odeiv2_system){rhs, jacobian, dim, g};
    /* hstart only seeds the driver; each step starts from the last step size. */
    g->driver = gsl_odeiv2_driver_alloc_y_new(&g->sys, type, 1e-6, atol, rtol);
    g->y = dtb__calloc(dim, sizeof *g->y);
    g->f0 = dtb__calloc(dim, sizeof *g->f0);
    g->f1 = dtb__calloc(dim, sizeof *g->f1);
    g->yp = dtb__calloc(dim, sizeof *g->yp);
    if (!g->driver || !g->y || !g->f0 || !g->f1 || !g->yp) {
        dtb__gsl_integrator_free(g);
        return dtb__error(DTB_ENOMEM, "out of memory allocating the %s integrator", type->name);
    }
    it->gsl = g;
    return DTB_OK;
}

dtb_status dtb__gsl_integrator_step(dtb__integrator *it, dtb__dfun f, void *ctx, double t, double h,
                                    double *x)
{
    dtb__gsl_integrator *g = it->gsl;
    const size_t dim = g->sys.dimension;
    g->fn = f;
    g->ctx = ctx;
    g->bad = 0;
    memcpy(g->y, x, dim * sizeof *x);
    double tc = t, t1 = t + h;
    double hs = g->h_inner > 0 && g->h_inner <= h ? g->h_inner : h;
    /* The coupling (and so the right-hand side) changes between steps:
     * restart the multistep methods' history each step. */
    gsl_odeiv2_evolve_reset(g->driver->e);
    gsl_odeiv2_step_reset(g->driver->s);
    for (long n = 0; tc < t1; n++) {
        if (n >= MAX_INNER_STEPS)
            return dtb__error(DTB_ENUMERIC, "%s needed more than %d internal steps for one step of "
                                            "the simulation at model time %g: the problem may be "
                                            "stiff or the tolerances too tight",
                              gsl_odeiv2_step_name(g->driver->s), MAX_INNER_STEPS, t);
        int status = gsl_odeiv2_evolve_apply(g->driver->e, g->driver->c, g->driver->s, &g->sys, &tc,
                                             t1, &hs, g->y);
        if (status != GSL_SUCCESS || !(hs > 0) || g->bad)
            return dtb__error(DTB_ENUMERIC, "%s failed at model time %g (%s)",
                              gsl_odeiv2_step_name(g->driver->s), tc,
                              g->bad ? "non-finite derivative" : gsl_strerror(status));
    }
    g->h_inner = hs;
    memcpy(x, g->y, dim * sizeof *x);
    return DTB_OK;
}

double dtb__integrator_inner_step(const dtb__integrator *it) { return it->gsl ? it->gsl->h_inner : 0.0; }

void dtb__integrator_set_inner_step(dtb__integrator *it, double h)
{
    if (it->gsl)
        it->gsl->h_inner = h;
}
