/* libdtb internal — TVB's Bold monitor: the first-order Volterra kernel of
 * the Balloon-Windkessel model convolved with 4 ms means of the signal.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_VOLTERRA_H
#define DTB_VOLTERRA_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"

/* TVB's defaults (FirstOrderVolterra, Bold monitor). */
#define DTB__VOLTERRA_TAU_S 0.8        /* s */
#define DTB__VOLTERRA_TAU_F 0.4        /* s */
#define DTB__VOLTERRA_K1 5.6
#define DTB__VOLTERRA_V0 0.02
#define DTB__VOLTERRA_INTERIM 4e-3     /* s between means in the stock */
#define DTB__VOLTERRA_SLOTS 5000       /* 20 s of 4 ms means */

typedef struct dtb__volterra {
    size_t n;
    int64_t interim_istep;   /* steps per 4 ms mean: round(4 ms / dt) */
    double *interim;         /* [interim_istep][n], TVB's interim stock */
    double *stock;           /* [SLOTS][n] 4 ms means, circular, zero at start */
    int64_t newest;          /* slot written last */
    double *kernel;          /* [SLOTS] G(i * 4 ms) */
} dtb__volterra;

/* The kernel G(t) = exp(-t / (2 tau_s)) sin(w t) / (3 w),
 * w = sqrt(1/tau_f - 1/(4 tau_s^2)), t in seconds. */
double dtb__volterra_kernel(double t);

dtb_status dtb__volterra_init(dtb__volterra *v, size_t n, double dt);
void dtb__volterra_free(dtb__volterra *v);
/* The signal after simulation step `step` (>= 1). */
void dtb__volterra_push(dtb__volterra *v, int64_t step, const double *in);
/* BOLD now: k1 V0 (sum over slots of kernel weight x mean - 1). */
void dtb__volterra_bold(const dtb__volterra *v, double *y);

#endif
