/* libdtb — TVB's Bold monitor, number for number (TVB-CONVENTIONS.md §6).
 *
 * After every step the signal goes into the "interim stock", slot
 * (step mod istep) - 1 of istep slots (istep = round(4 ms / dt)); at steps
 * that are multiples of istep, the mean of the interim stock becomes the
 * newest of 5000 slots (20 s) of the circular "stock", slot
 * (step / istep mod 5000) - 1. Both stocks start at zero, so the first
 * 20 s of BOLD convolve zeros, and a monitor attached mid-run averages
 * zeros into its first 4 ms mean, as TVB's does.
 *
 * TVB reverses the kernel and rolls it by the newest slot's index, which
 * leaves it one slot out of line: the newest mean u_0 gets the kernel's
 * last value G(t_4999) and the m-th newest u_m gets G(t_(m-1)), so G(0) = 0
 * lands on u_1. BOLD = k1 V0 (sum - 1). This reproduces that, deliberately.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "volterra.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

double dtb__volterra_kernel(double t)
{
    const double ts = DTB__VOLTERRA_TAU_S, tf = DTB__VOLTERRA_TAU_F;
    const double w = sqrt(1 / tf - 1 / (4 * ts * ts));
    return exp(-0.5 * t / ts) * sin(w * t) / (3 * w);
}

dtb_status dtb__volterra_init(dtb__volterra *v, size_t n, double dt)
{
    memset(v, 0, sizeof *v);
    double istep = rint(DTB__VOLTERRA_INTERIM / dt);
    if (istep < 1)
        return dtb__error(DTB_EINVAL, "BOLD (tvb-volterra): the step dt = %g s is longer than TVB's "
                                      "4 ms averaging period; use dt <= 4 ms", dt);
    v->n = n;
    v->interim_istep = (int64_t)istep;
    v->interim = dtb__calloc((size_t)v->interim_istep * n, sizeof *v->interim);
    v->stock = dtb__calloc((size_t)DTB__VOLTERRA_SLOTS * n, sizeof *v->stock);
    v->kernel = dtb__malloc_array(DTB__VOLTERRA_SLOTS, sizeof *v->kernel);
    if (!v->interim || !v->stock || !v->kernel) {
        dtb__volterra_free(v);
        return DTB_ENOMEM;
    }
    for (int i = 0; i < DTB__VOLTERRA_SLOTS; i++)
        v->kernel[i] = dtb__volterra_kernel(i * DTB__VOLTERRA_INTERIM);
    v->newest = DTB__VOLTERRA_SLOTS - 1;
    return DTB_OK;
}

void dtb__volterra_free(dtb__volterra *v)
{
    free(v->interim);
    free(v->stock);
    free(v->kernel);
    memset(v, 0, sizeof *v);
}

/* Python's a % b for b > 0: never negative. */
static int64_t py_mod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

void dtb__volterra_push(dtb__volterra *v, int64_t step, const double *in)
{
    const size_t n = v->n;
    const int64_t is = v->interim_istep;
    memcpy(v->interim + (size_t)py_mod(step % is - 1, is) * n, in, n * sizeof *in);
    if (step % is != 0)
        return;
    v->newest = py_mod(step / is % DTB__VOLTERRA_SLOTS - 1, DTB__VOLTERRA_SLOTS);
    double *slot = v->stock + (size_t)v->newest * n;
    memset(slot, 0, n * sizeof *slot);
    for (int64_t r = 0; r < is; r++)
        for (size_t k = 0; k < n; k++)
            slot[k] += v->interim[(size_t)r * n + k];
    for (size_t k = 0; k < n; k++)
        slot[k] /= (double)is;
}

void dtb__volterra_bold(const dtb__volterra *v, double *y)
{
    const size_t n = v->n;
    const int64_t L = DTB__VOLTERRA_SLOTS;
    for (size_t k = 0; k < n; k++)
        y[k] = 0;
    /* Slot newest - m holds u_m: weight G(t_4999) for m = 0, G(t_(m-1)) after. */
    for (int64_t m = 0; m < L; m++) {
        const double w = m == 0 ? v->kernel[L - 1] : v->kernel[m - 1];
        const double *u = v->stock + (size_t)py_mod(v->newest - m, L) * n;
        for (size_t k = 0; k < n; k++)
            y[k] += w * u[k];
    }
    for (size_t k = 0; k < n; k++)
        y[k] = DTB__VOLTERRA_K1 * DTB__VOLTERRA_V0 * (y[k] - 1);
}
