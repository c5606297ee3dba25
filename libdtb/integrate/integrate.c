/* libdtb — Euler, Heun and RK4 fixed-step schemes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "integrate.h"

int dtb__integrator_is_gsl(dtb_integrator kind)
{
    return kind >= DTB_INTEGRATOR_GSL_RK2 && kind <= DTB_INTEGRATOR_GSL_RK4IMP;
}

dtb_status dtb__integrator_init(dtb__integrator *it, dtb_integrator kind, size_t n_states,
                                size_t n_regions, double rtol, double atol)
{
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->len = n_states * n_regions;
    it->n_states = n_states;
    it->n_regions = n_regions;
    if (dtb__integrator_is_gsl(kind))
        return dtb__gsl_integrator_new(it, rtol, atol);
    size_t stages = kind == DTB_INTEGRATOR_RK4 ? 5 : 3;
    double *block = dtb__calloc(stages * (it->len ? it->len : 1), sizeof *block);
    if (!block)
        return DTB_ENOMEM;
    it->k1 = block;
    it->k2 = block + it->len;
    it->xt = block + 2 * it->len;
    if (kind == DTB_INTEGRATOR_RK4) {
        it->k3 = block + 3 * it->len;
        it->k4 = block + 4 * it->len;
    }
    return DTB_OK;
}

void dtb__integrator_free(dtb__integrator *it)
{
    dtb__gsl_integrator_free(it->gsl);
    free(it->k1);
    memset(it, 0, sizeof *it);
}

const char *dtb__integrator_name(dtb_integrator kind)
{
    switch (kind) {
    case DTB_INTEGRATOR_EULER: return "euler";
    case DTB_INTEGRATOR_HEUN: return "heun";
    case DTB_INTEGRATOR_RK4: return "rk4";
    case DTB_INTEGRATOR_GSL_RK2: return "gsl-rk2";
    case DTB_INTEGRATOR_GSL_RK4: return "gsl-rk4";
    case DTB_INTEGRATOR_GSL_RKF45: return "gsl-rkf45";
    case DTB_INTEGRATOR_GSL_RKCK: return "gsl-rkck";
    case DTB_INTEGRATOR_GSL_RK8PD: return "gsl-rk8pd";
    case DTB_INTEGRATOR_GSL_MSADAMS: return "gsl-msadams";
    case DTB_INTEGRATOR_GSL_MSBDF: return "gsl-msbdf";
    case DTB_INTEGRATOR_GSL_BSIMP: return "gsl-bsimp";
    case DTB_INTEGRATOR_GSL_RK1IMP: return "gsl-rk1imp";
    case DTB_INTEGRATOR_GSL_RK2IMP: return "gsl-rk2imp";
    case DTB_INTEGRATOR_GSL_RK4IMP: return "gsl-rk4imp";
    default: return NULL;
    }
}

const char *dtb_integrator_name(dtb_integrator integrator) { return dtb__integrator_name(integrator); }

void dtb__bounds_apply(const dtb__bounds *b, size_t n_regions, double *x)
{
    for (size_t i = 0; b && i < b->n; i++) {
        double lo = b->lo[i], hi = b->hi[i];
        double *v = x + (size_t)b->var[i] * n_regions;
        for (size_t k = 0; k < n_regions; k++)
            v[k] = v[k] < lo ? lo : (v[k] > hi ? hi : v[k]);
    }
}

static void euler(dtb__integrator *it, dtb__dfun f, void *ctx, double t, double h, double *x,
                  const double *eta)
{
    size_t len = it->len;
    double *restrict k1 = it->k1;
    f(ctx, t, x, k1);
    if (eta)
        for (size_t i = 0; i < len; i++)
            x[i] = x[i] + h * k1[i] + eta[i];
    else
        for (size_t i = 0; i < len; i++)
            x[i] = x[i] + h * k1[i];
}

static void heun(dtb__integrator *it, dtb__dfun f, void *ctx, double t, double h, double *x,
                 const double *eta, const dtb__bounds *bounds)
{
    size_t len = it->len;
    double *restrict k1 = it->k1, *restrict k2 = it->k2, *restrict xt = it->xt;
    f(ctx, t, x, k1);
    if (eta)
        for (size_t i = 0; i < len; i++)
            xt[i] = x[i] + h * k1[i] + eta[i];
    else
        for (size_t i = 0; i < len; i++)
            xt[i] = x[i] + h * k1[i];
    dtb__bounds_apply(bounds, it->n_regions, xt);
    f(ctx, t + h, xt, k2);
    if (eta)
        for (size_t i = 0; i < len; i++)
            x[i] = x[i] + (k1[i] + k2[i]) * h / 2.0 + eta[i];
    else
        for (size_t i = 0; i < len; i++)
            x[i] = x[i] + (k1[i] + k2[i]) * h / 2.0;
}

static void rk4(dtb__integrator *it, dtb__dfun f, void *ctx, double t, double h, double *x,
                const double *eta, const dtb__bounds *bounds)
{
    size_t len = it->len;
    double *restrict k1 = it->k1, *restrict k2 = it->k2, *restrict k3 = it->k3,
                     *restrict k4 = it->k4, *restrict xt = it->xt;
    double h2 = h / 2.0;
    f(ctx, t, x, k1);
    for (size_t i = 0; i < len; i++)
        xt[i] = x[i] + h2 * k1[i];
    dtb__bounds_apply(bounds, it->n_regions, xt);
    f(ctx, t + h2, xt, k2);
    for (size_t i = 0; i < len; i++)
        xt[i] = x[i] + h2 * k2[i];
    dtb__bounds_apply(bounds, it->n_regions, xt);
    f(ctx, t + h2, xt, k3);
    for (size_t i = 0; i < len; i++)
        xt[i] = x[i] + h * k3[i];
    dtb__bounds_apply(bounds, it->n_regions, xt);
    f(ctx, t + h, xt, k4);
    double h6 = h / 6.0;
    for (size_t i = 0; i < len; i++)
        x[i] = x[i] + h6 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) + (eta ? eta[i] : 0.0);
}

dtb_status dtb__integrator_step(dtb__integrator *it, dtb__dfun f, void *ctx, double t, double h,
                                double *x, const double *eta, const dtb__bounds *bounds)
{
    switch (it->kind) {
    case DTB_INTEGRATOR_EULER: euler(it, f, ctx, t, h, x, eta); break;
    case DTB_INTEGRATOR_RK4: rk4(it, f, ctx, t, h, x, eta, bounds); break;
    case DTB_INTEGRATOR_HEUN:
    case DTB_INTEGRATOR_DEFAULT: heun(it, f, ctx, t, h, x, eta, bounds); break;
    default: {
        dtb_status st = dtb__gsl_integrator_step(it, f, ctx, t, h, x);
        if (st)
            return st;
        for (size_t i = 0; eta && i < it->len; i++)
            x[i] += eta[i];
        break;
    }
    }
    dtb__bounds_apply(bounds, it->n_regions, x);
    return DTB_OK;
}
