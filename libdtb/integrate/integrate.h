/* libdtb internal — fixed-step integrators (Euler, Heun, RK4) with additive
 * noise and state bounds, over state-major arrays x[v * n + k].
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schemes follow TVB's arithmetic (same operation order), so that
 * deterministic runs agree with TVB to round-off:
 *   Euler  x' = B(x + h f(x) + eta)
 *   Heun   k1 = f(x); xt = B(x + h k1 + eta); k2 = f(xt)
 *          x' = B(x + ((k1 + k2) h) / 2 + eta)
 *   RK4    classical stages (each stage input clipped by B), then
 *          x' = B(x + h/6 (k1 + 2 k2 + 2 k3 + k4) + eta)
 * with eta the noise increment of the step (NULL: none), B clipping to the
 * model's bounds, and the coupling input held fixed over the step (the
 * caller's dfun reads it). */
#ifndef DTB_INTEGRATE_H
#define DTB_INTEGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"
#include "dtb/dtb_sim.h"

/* dx = f(t, x); t in model time units. */
typedef void (*dtb__dfun)(void *ctx, double t, const double *x, double *dx);

typedef struct dtb__bounds {
    size_t n;              /* bounded state variables */
    int64_t *var;
    double *lo, *hi;
} dtb__bounds;

typedef struct dtb__gsl_integrator dtb__gsl_integrator;

typedef struct dtb__integrator {
    dtb_integrator kind;
    size_t len;            /* n_states * n_regions */
    size_t n_states, n_regions;
    double *k1, *k2, *k3, *k4, *xt;
    dtb__gsl_integrator *gsl;   /* GSL steppers only */
} dtb__integrator;

/* rtol, atol: tolerances of the GSL steppers (ignored by the others). */
dtb_status dtb__integrator_init(dtb__integrator *it, dtb_integrator kind, size_t n_states,
                                size_t n_regions, double rtol, double atol);
void dtb__integrator_free(dtb__integrator *it);
int dtb__integrator_is_gsl(dtb_integrator kind);

/* One step from time t with step h (model units), in place on x.
 * DTB_ENUMERIC if a GSL stepper fails (x is then unchanged). */
dtb_status dtb__integrator_step(dtb__integrator *it, dtb__dfun f, void *ctx, double t, double h,
                                double *x, const double *eta, const dtb__bounds *bounds);

/* The GSL steppers' last internal step size (0 for the others): part of a
 * checkpoint, since it is where the next step's adaptation starts. */
double dtb__integrator_inner_step(const dtb__integrator *it);
void dtb__integrator_set_inner_step(dtb__integrator *it, double h);

/* GSL steppers (gsl_integrator.c). */
dtb_status dtb__gsl_integrator_new(dtb__integrator *it, double rtol, double atol);
void dtb__gsl_integrator_free(dtb__gsl_integrator *g);
dtb_status dtb__gsl_integrator_step(dtb__integrator *it, dtb__dfun f, void *ctx, double t,
                                    double h, double *x);

/* Clip x to the bounds. */
void dtb__bounds_apply(const dtb__bounds *b, size_t n_regions, double *x);

const char *dtb__integrator_name(dtb_integrator kind);

#endif
