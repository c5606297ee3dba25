/* libdtb — the LEMS engine's higher-order methods: classical RK4 and GSL's
 * adaptive steppers (gsl_odeiv2: rkf45, rkck, rk8pd).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * They integrate the simultaneous system — every instance's derivatives
 * from one state, the derived variables computed in dependency order at
 * each stage — over one output step [t_k, t_k + dt] at a time (RK4: one
 * stage set; adaptive: as many internal steps as the tolerances need).
 * Events live at the step boundaries only: OnCondition tests, resets,
 * EventOuts, event delivery and regime changes happen at t_k, before the
 * step (lems_run.h, phase 1); within the step the regime is fixed and
 * nothing is tested, so a threshold crossed inside a step is seen at its
 * end, as with forward Euler. After a handler changed a state, the
 * adaptive stepper restarts (its derivative memory would be stale) but
 * keeps its step size. random() in a derived variable is drawn at every
 * stage evaluation. A KineticScheme's occupancies are integrated with the
 * rest: dp/dt = A p, A from its edges' rates as derived at each stage (with
 * forward Euler they advance by exp(A dt) instead, lr_kinetic.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "lr_private.h"

struct lr_ode {
    size_t n;                  /* integrated values, all groups */
    double *y0, *acc, *y;      /* RK4: start, weighted sum, stage state */
    gsl_odeiv2_driver *driver;
    gsl_odeiv2_system sys;
};

/* Copy the integrated states out of (dir 0) or into (dir 1) the arrays:
 * the groups' integrated states, then the KineticSchemes' occupancies. */
static void move_state(dtb__lr_sim *sim, double *y, int into)
{
    size_t at = 0;
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        lr_group *g = &sim->groups[gi];
        if (!g->has_rate)
            continue;
        for (size_t k = 0; k < g->n_rate_state; k++, at += g->n) {
            double *x = g->arr[LR_STATE] + g->rate_state[k] * g->n;
            if (into)
                memcpy(x, y + at, g->n * sizeof *x);
            else
                memcpy(y + at, x, g->n * sizeof *x);
        }
    }
    for (size_t i = 0; i < sim->n_kschemes; i++)
        for (size_t n = 0; n < sim->kschemes[i].n; n++, at++) {
            double *x = sim->kschemes[i].occ[n];
            if (into)
                *x = y[at];
            else
                y[at] = *x;
        }
}

/* dp/dt = A p of each KineticScheme (lr_kinetic.c), rates as derived now. */
static void scheme_rates(const dtb__lr_sim *sim, double *dydt)
{
    for (size_t i = 0; i < sim->n_kschemes; i++) {
        const lr_kscheme *k = &sim->kschemes[i];
        memset(dydt, 0, k->n * sizeof *dydt);
        for (size_t e = 0; e < k->n_edges; e++) {
            double flux = *k->rf[e] * *k->occ[k->from[e]] - *k->rr[e] * *k->occ[k->to[e]];
            dydt[k->from[e]] -= flux;
            dydt[k->to[e]] += flux;
        }
        dydt += k->n;
    }
}

/* dy/dt at state y and time t (y already in the arrays when y is NULL). */
static void derivatives(dtb__lr_sim *sim, double t, const double *y, double *dydt)
{
    if (y)
        move_state(sim, (double *)y, 1);
    sim->t = t;
    dtb__lr_derived(sim);
    size_t at = 0;
    for (size_t gi = 0; gi < sim->n_groups; gi++) {
        lr_group *g = &sim->groups[gi];
        if (!g->has_rate)
            continue;
        dtb__lr_eval(sim, g, &g->deriv, NULL, 0, NULL);
        memcpy(dydt + at, g->dstate, g->n_rate_state * g->n * sizeof *dydt);
        at += g->n_rate_state * g->n;
    }
    scheme_rates(sim, dydt + at);
}

static int gsl_rhs(double t, const double y[], double dydt[], void *params)
{
    derivatives(params, t, y, dydt);
    for (size_t i = 0; i < ((dtb__lr_sim *)params)->ode->n; i++)
        if (!isfinite(dydt[i]))
            return GSL_EBADFUNC;
    return GSL_SUCCESS;
}

static const gsl_odeiv2_step_type *stepper(dtb__lr_method m)
{
    switch (m) {
    case DTB__LR_RKF45: return gsl_odeiv2_step_rkf45;
    case DTB__LR_RKCK: return gsl_odeiv2_step_rkck;
    case DTB__LR_RK8PD: return gsl_odeiv2_step_rk8pd;
    default: return NULL;
    }
}

static dtb_status setup(dtb__lr_sim *sim)
{
    struct lr_ode *o = dtb__calloc(1, sizeof *o);
    if (!o)
        return DTB_ENOMEM;
    sim->ode = o;
    for (size_t gi = 0; gi < sim->n_groups; gi++)
        if (sim->groups[gi].has_rate)
            o->n += sim->groups[gi].n_rate_state * sim->groups[gi].n;
    for (size_t i = 0; i < sim->n_kschemes; i++)
        o->n += sim->kschemes[i].n;
    o->y0 = dtb__calloc(o->n + 1, sizeof *o->y0);
    o->acc = dtb__calloc(o->n + 1, sizeof *o->acc);
    o->y = dtb__calloc(o->n + 1, sizeof *o->y);
    if (!o->y0 || !o->acc || !o->y)
        return DTB_ENOMEM;
    const gsl_odeiv2_step_type *type = stepper(sim->method);
    if (type && o->n) {
        o->sys = (gsl_odeiv2_system){gsl_rhs, NULL, o->n, sim};
        o->driver = gsl_odeiv2_driver_alloc_y_new(&o->sys, type, sim->dt, sim->atol, sim->rtol);
        if (!o->driver)
            return DTB_ENOMEM;
    }
    return DTB_OK;
}

static void rk4(dtb__lr_sim *sim, struct lr_ode *o, double t0)
{
    const double dt = sim->dt, w[4] = {1, 2, 2, 1}, c[4] = {0, 0.5, 0.5, 1};
    double *k = o->y;   /* each stage's derivative, then the next stage's state */
    move_state(sim, o->y0, 0);
    memset(o->acc, 0, o->n * sizeof *o->acc);
    for (int s = 0; s < 4; s++) {
        derivatives(sim, t0 + c[s] * dt, s ? k : NULL, k);
        for (size_t i = 0; i < o->n; i++)
            o->acc[i] += w[s] * k[i];
        if (s < 3)
            for (size_t i = 0; i < o->n; i++)
                k[i] = o->y0[i] + c[s + 1] * dt * k[i];
    }
    for (size_t i = 0; i < o->n; i++)
        o->y0[i] += dt / 6.0 * o->acc[i];
    move_state(sim, o->y0, 1);
}

dtb_status dtb__lr_ode_step(dtb__lr_sim *sim)
{
    if (!sim->ode) {
        dtb_status st = setup(sim);
        if (st)
            return st;
    }
    struct lr_ode *o = sim->ode;
    const double t0 = sim->t;
    dtb_status st = DTB_OK;
    if (!o->n) {
        /* nothing integrates */
    } else if (sim->method == DTB__LR_RK4) {
        rk4(sim, o, t0);
    } else {
        if (sim->state_changed)
            gsl_odeiv2_driver_reset(o->driver);
        move_state(sim, o->y, 0);
        double t = t0;
        /* errors come back as codes, never through GSL's abort() */
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int rc = gsl_odeiv2_driver_apply(o->driver, &t, t0 + sim->dt, o->y);
        gsl_set_error_handler(old);
        move_state(sim, o->y, 1);
        if (rc != GSL_SUCCESS)
            st = dtb__error(DTB_ERROR, "LEMS run: the adaptive integrator failed at t = %g s (%s; rtol %g, "
                                       "atol %g)", t, gsl_strerror(rc), sim->rtol, sim->atol);
    }
    sim->t = t0;
    return st;
}

void dtb__lr_ode_free(dtb__lr_sim *sim)
{
    struct lr_ode *o = sim->ode;
    if (!o)
        return;
    if (o->driver)
        gsl_odeiv2_driver_free(o->driver);
    free(o->y0);
    free(o->acc);
    free(o->y);
    free(o);
    sim->ode = NULL;
}
