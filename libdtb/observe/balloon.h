/* libdtb internal — the Balloon-Windkessel haemodynamic model: BOLD from
 * neural activity, one 4-variable system per observed signal.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_BALLOON_H
#define DTB_BALLOON_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_observer.h"

/* ds/dt = efficacy z - kappa s - gamma (f - 1)      vasodilatory signal
 * df/dt = s                                        blood inflow
 * dv/dt = (f - v^(1/alpha)) / tau                  venous volume
 * dq/dt = (f (1 - (1 - E0)^(1/f)) / E0 - v^(1/alpha) q / v) / tau
 *                                                  deoxyhaemoglobin
 * BOLD  = V0 (k1 (1 - q) + k2 (1 - q/v) + k3 (1 - v)), time in seconds,
 * starting at rest: s = 0, f = v = q = 1. */
typedef struct dtb__balloon_params {
    double efficacy, kappa, gamma, tau, alpha, E0, V0, k1, k2, k3;
    int euler_every_step;    /* OpenDTB: explicit Euler at the simulation step */
} dtb__balloon_params;

/* The parameters of a named set; 0 if m is not a Balloon-Windkessel set. */
int dtb__balloon_params_of(dtb_bold_model m, dtb__balloon_params *p);

typedef struct dtb__balloon {
    dtb__balloon_params p;
    size_t n;
    double dt;          /* simulation step, seconds */
    int64_t block;      /* steps per integration step */
    int64_t count;      /* steps in the current block */
    double *x;          /* [4][n]: s, f, v, q */
    double *z;          /* [n] input summed over the block */
} dtb__balloon;

dtb_status dtb__balloon_init(dtb__balloon *b, const dtb__balloon_params *p, size_t n, double dt,
                             int64_t block);
void dtb__balloon_free(dtb__balloon *b);
/* One simulation step's neural input; integrates when a block is full.
 * DTB_ENUMERIC (naming the signal) if inflow or volume leave (0, inf). */
dtb_status dtb__balloon_push(dtb__balloon *b, const double *in);
/* The BOLD signal of every unit now. */
void dtb__balloon_bold(const dtb__balloon *b, double *y);
/* The right-hand side for one unit (also used by the tests' reference). */
void dtb__balloon_rhs(const dtb__balloon_params *p, double z, const double x[4], double dx[4]);

#endif
