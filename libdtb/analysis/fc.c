/* libdtb — functional connectivity: Pearson correlation and covariance of
 * every pair of signals, streaming (running sums) and on whole arrays, and
 * the FC fit score.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "base/base.h"

/* Start of row i of a packed upper triangle (entries j = i..n-1). */
static size_t packed_row(size_t i, size_t n) { return i * n - i * (i - 1) / 2; }

dtb_status dtb__fc_acc_init(dtb__fc_acc *a, size_t n)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->shift = dtb__calloc(n, sizeof *a->shift);
    a->sum = dtb__calloc(n, sizeof *a->sum);
    a->prod = dtb__calloc(n * (n + 1) / 2, sizeof *a->prod);
    if (!a->shift || !a->sum || !a->prod) {
        dtb__fc_acc_free(a);
        return DTB_ENOMEM;
    }
    return DTB_OK;
}

void dtb__fc_acc_free(dtb__fc_acc *a)
{
    free(a->shift);
    free(a->sum);
    free(a->prod);
    memset(a, 0, sizeof *a);
}

void dtb__fc_acc_push(dtb__fc_acc *a, const double *row)
{
    const size_t n = a->n;
    if (a->count == 0)
        memcpy(a->shift, row, n * sizeof *row);
    a->count++;
    double *p = a->prod;
    for (size_t i = 0; i < n; i++) {
        double di = row[i] - a->shift[i];
        a->sum[i] += di;
        for (size_t j = i; j < n; j++)
            *p++ += di * (row[j] - a->shift[j]);
    }
}

void dtb__fc_acc_result(const dtb__fc_acc *a, double *out, int covariance)
{
    const size_t n = a->n;
    const double c = (double)a->count;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i; j < n; j++) {
            double cross = a->prod[packed_row(i, n) + (j - i)] - a->sum[i] * a->sum[j] / c;
            double v;
            if (a->count < 2) {
                v = NAN;
            } else if (covariance) {
                v = cross / (c - 1);
            } else {
                double vi = a->prod[packed_row(i, n)] - a->sum[i] * a->sum[i] / c;
                double vj = a->prod[packed_row(j, n)] - a->sum[j] * a->sum[j] / c;
                v = vi > 0 && vj > 0 ? cross / sqrt(vi * vj) : NAN;
                if (v > 1)
                    v = 1;
                else if (v < -1)
                    v = -1;
            }
            out[i * n + j] = out[j * n + i] = v;
        }
    }
}

static dtb_status check_recording(const char *fn, const void *out, const double *x, size_t n_samples,
                                  size_t n_signals, size_t min_samples)
{
    if (!out || !x)
        return dtb__error(DTB_EINVAL, "%s: NULL %s", fn, out ? "x" : "output");
    if (n_signals == 0)
        return dtb__error(DTB_EINVAL, "%s: no signals (n_signals is 0)", fn);
    if (n_samples < min_samples)
        return dtb__error(DTB_EINVAL, "%s: needs at least %zu samples (got %zu)", fn, min_samples,
                          n_samples);
    return DTB_OK;
}

/* Two passes (means, then centred products): exact means are cheap when
 * the whole recording is at hand. */
static dtb_status centred_products(double *out, const double *x, size_t T, size_t n)
{
    double *mean = dtb__calloc(n, sizeof *mean);
    if (!mean)
        return DTB_ENOMEM;
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < n; i++)
            mean[i] += x[t * n + i];
    for (size_t i = 0; i < n; i++)
        mean[i] /= (double)T;
    memset(out, 0, n * n * sizeof *out);
    for (size_t t = 0; t < T; t++) {
        const double *row = x + t * n;
        for (size_t i = 0; i < n; i++) {
            double di = row[i] - mean[i];
            double *o = out + i * n;
            for (size_t j = i; j < n; j++)
                o[j] += di * (row[j] - mean[j]);
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            out[i * n + j] = out[j * n + i];
    free(mean);
    return DTB_OK;
}

dtb_status dtb_analysis_covariance(double *cov, const double *x, size_t n_samples, size_t n_signals)
{
    dtb_status st = check_recording("dtb_analysis_covariance", cov, x, n_samples, n_signals, 2);
    if (!st)
        st = centred_products(cov, x, n_samples, n_signals);
    if (st)
        return st;
    for (size_t k = 0; k < n_signals * n_signals; k++)
        cov[k] /= (double)(n_samples - 1);
    return DTB_OK;
}

dtb_status dtb_analysis_fc(double *fc, const double *x, size_t n_samples, size_t n_signals)
{
    dtb_status st = check_recording("dtb_analysis_fc", fc, x, n_samples, n_signals, 2);
    if (!st)
        st = centred_products(fc, x, n_samples, n_signals);
    if (st)
        return st;
    const size_t n = n_signals;
    double *sd = dtb__malloc_array(n, sizeof *sd);
    if (!sd)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        sd[i] = sqrt(fc[i * n + i]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = sd[i] > 0 && sd[j] > 0 ? fc[i * n + j] / (sd[i] * sd[j]) : NAN;
            fc[i * n + j] = v > 1 ? 1 : v < -1 ? -1 : v;
        }
    free(sd);
    return DTB_OK;
}

double dtb__pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0;
    for (size_t k = 0; k < n; k++) {
        ma += a[k];
        mb += b[k];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t k = 0; k < n; k++) {
        double da = a[k] - ma, db = b[k] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

dtb_status dtb_analysis_fc_fit(double *r_out, const double *fc_a, const double *fc_b, size_t n)
{
    if (!r_out || !fc_a || !fc_b)
        return dtb__error(DTB_EINVAL, "dtb_analysis_fc_fit: NULL argument");
    if (n < 3)
        return dtb__error(DTB_EINVAL, "dtb_analysis_fc_fit: needs at least 3 regions (got %zu): "
                                      "fewer have fewer than 3 pairs to correlate", n);
    size_t m = n * (n - 1) / 2, k = 0;
    double *a = dtb__malloc_array(m, sizeof *a), *b = dtb__malloc_array(m, sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return DTB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++, k++) {
            a[k] = fc_a[i * n + j];
            b[k] = fc_b[i * n + j];
        }
    *r_out = dtb__pearson(a, b, m);
    free(a);
    free(b);
    return DTB_OK;
}
