/* libdtb — global synchrony: the Kuramoto order parameter and
 * metastability (its variability over time).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "analysis.h"
#include "base/base.h"

static dtb_status check(const char *fn, const double *phase, size_t n_samples, size_t n_signals)
{
    if (!phase)
        return dtb__error(DTB_EINVAL, "%s: phase is NULL", fn);
    if (n_samples == 0 || n_signals == 0)
        return dtb__error(DTB_EINVAL, "%s: empty recording (%zu samples x %zu signals)", fn,
                          n_samples, n_signals);
    return DTB_OK;
}

static double order_at(const double *row, size_t n)
{
    double c = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        c += cos(row[i]);
        s += sin(row[i]);
    }
    return hypot(c, s) / (double)n;
}

dtb_status dtb_analysis_kuramoto_order(double *order, const double *phase, size_t n_samples,
                                       size_t n_signals)
{
    dtb_status st = check("dtb_analysis_kuramoto_order", phase, n_samples, n_signals);
    if (st)
        return st;
    if (!order)
        return dtb__error(DTB_EINVAL, "dtb_analysis_kuramoto_order: order is NULL");
    for (size_t t = 0; t < n_samples; t++)
        order[t] = order_at(phase + t * n_signals, n_signals);
    return DTB_OK;
}

dtb_status dtb_analysis_metastability(double *metastability_out, double *synchrony_out,
                                      const double *phase, size_t n_samples, size_t n_signals)
{
    dtb_status st = check("dtb_analysis_metastability", phase, n_samples, n_signals);
    if (st)
        return st;
    /* Welford's running mean and variance: one pass, no buffer. */
    double mean = 0, m2 = 0;
    for (size_t t = 0; t < n_samples; t++) {
        double r = order_at(phase + t * n_signals, n_signals);
        double d = r - mean;
        mean += d / (double)(t + 1);
        m2 += d * (r - mean);
    }
    if (metastability_out)
        *metastability_out = sqrt(m2 / (double)n_samples);
    if (synchrony_out)
        *synchrony_out = mean;
    return DTB_OK;
}
