/* libdtb — functional connectivity dynamics: the FC of sliding windows and
 * how similar the windows are to each other.
 *
 * OpenDTB's fcd_matrix() offers the same choices with a few slips this
 * code does not repeat: its phase method takes the Hilbert transform
 * across regions instead of time and averages |phase differences| before
 * the cosine; its MTD divides by the standard deviation of the signal, not
 * of its derivative; its "upper triangle" keeps the diagonal and the zeroed
 * lower half. Here the phase is per signal over the window's samples, MTD
 * is Shine et al. (2015)'s, and UT is the strict upper triangle.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "base/base.h"

static void phase_coherence(const double *phase, size_t T, size_t n, double *fc, double *cs)
{
    /* cos(a - b) = cos a cos b + sin a sin b: sums of products of the
     * cosines and sines, no trigonometry in the inner loop. */
    memset(fc, 0, n * n * sizeof *fc);
    for (size_t t = 0; t < T; t++) {
        for (size_t i = 0; i < n; i++) {
            cs[2 * i] = cos(phase[t * n + i]);
            cs[2 * i + 1] = sin(phase[t * n + i]);
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++)
                fc[i * n + j] += cs[2 * i] * cs[2 * j] + cs[2 * i + 1] * cs[2 * j + 1];
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            fc[j * n + i] = fc[i * n + j] /= (double)T;
}

static void temporal_derivatives(double *x, size_t T, size_t n, double *fc, double *sd)
{
    /* First differences, in place: row t becomes x[t+1] - x[t]. */
    for (size_t t = 0; t + 1 < T; t++)
        for (size_t i = 0; i < n; i++)
            x[t * n + i] = x[(t + 1) * n + i] - x[t * n + i];
    const size_t D = T - 1;
    for (size_t i = 0; i < n; i++) {
        double m = 0, v = 0;
        for (size_t t = 0; t < D; t++)
            m += x[t * n + i];
        m /= (double)D;
        for (size_t t = 0; t < D; t++)
            v += (x[t * n + i] - m) * (x[t * n + i] - m);
        sd[i] = sqrt(v / (double)D);
    }
    memset(fc, 0, n * n * sizeof *fc);
    for (size_t t = 0; t < D; t++)
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++)
                fc[i * n + j] += x[t * n + i] * x[t * n + j];
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double v = sd[i] > 0 && sd[j] > 0 ? fc[i * n + j] / ((double)D * sd[i] * sd[j]) : NAN;
            fc[i * n + j] = fc[j * n + i] = v;
        }
}

dtb_status dtb__fcd_window_fc(dtb_fcd_method method, double *x, size_t window, size_t n, double *fc)
{
    if (method == DTB_FCD_METHOD_DEFAULT || method == DTB_FCD_METHOD_PEARSON)
        return dtb_analysis_fc(fc, x, window, n);
    double *scratch = dtb__malloc_array(2 * n, sizeof *scratch);
    if (!scratch)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    if (method == DTB_FCD_METHOD_PHASE) {
        st = dtb__hilbert_phase(x, window, n);
        if (!st)
            phase_coherence(x, window, n, fc, scratch);
    } else {
        temporal_derivatives(x, window, n, fc, scratch);
    }
    free(scratch);
    return st;
}

static int is_leading(dtb_fcd_compare c)
{
    return c == DTB_FCD_COMPARE_PEARSON_LEADING || c == DTB_FCD_COMPARE_COSINE_LEADING;
}

size_t dtb__fcd_vector_length(dtb_fcd_compare compare, size_t n)
{
    return is_leading(compare) ? n : n * (n - 1) / 2;
}

static dtb_status leading_eigenvector(double *fc, size_t n, double *vec)
{
    gsl_matrix_view a = gsl_matrix_view_array(fc, n, n);
    gsl_vector *eval = gsl_vector_alloc(n);
    gsl_matrix *evec = gsl_matrix_alloc(n, n);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
    dtb_status st = eval && evec && ws ? DTB_OK : dtb__error(DTB_ENOMEM, "FCD: out of memory");
    if (!st && gsl_eigen_symmv(&a.matrix, eval, evec, ws) != 0)
        st = dtb__error(DTB_ENUMERIC, "FCD: the eigenvalues of a window's FC did not converge");
    if (!st) {
        size_t best = gsl_vector_max_index(eval);
        for (size_t i = 0; i < n; i++)
            vec[i] = fabs(gsl_matrix_get(evec, i, best));
    }
    if (ws)
        gsl_eigen_symmv_free(ws);
    if (evec)
        gsl_matrix_free(evec);
    if (eval)
        gsl_vector_free(eval);
    return st;
}

dtb_status dtb__fcd_vector(dtb_fcd_compare compare, double *fc, size_t n, double *vec)
{
    if (!is_leading(compare)) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                vec[k++] = fc[i * n + j];
        return DTB_OK;
    }
    for (size_t k = 0; k < n * n; k++) {
        if (isnan(fc[k])) {
            /* No FC (a constant signal in the window): no eigenvector. */
            for (size_t i = 0; i < n; i++)
                vec[i] = NAN;
            return DTB_OK;
        }
    }
    return leading_eigenvector(fc, n, vec);
}

double dtb__fcd_similarity(dtb_fcd_compare compare, const double *a, const double *b, size_t len)
{
    if (compare == DTB_FCD_COMPARE_COSINE_UT || compare == DTB_FCD_COMPARE_COSINE_LEADING) {
        double ab = 0, aa = 0, bb = 0;
        for (size_t k = 0; k < len; k++) {
            ab += a[k] * b[k];
            aa += a[k] * a[k];
            bb += b[k] * b[k];
        }
        return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : NAN;
    }
    return dtb__pearson(a, b, len);
}

dtb_status dtb_fcd_options_init(dtb_fcd_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_FCD_OPTIONS_VERSION,
                             "dtb_fcd_options");
}

/* Window and hop in samples from seconds. */
static dtb_status window_samples(const dtb_fcd_options *o, double dt, size_t *window, size_t *hop)
{
    static const char fn[] = "dtb_analysis_fcd";
    double w = o->window > 0 ? rint(o->window / dt) : 30;
    if (!(w >= 3) || w > 1e9)
        return dtb__error(DTB_EINVAL, "%s: a window of %g s is %g samples of %g s; at least 3 are "
                                      "needed", fn, o->window, w, dt);
    double h = o->step > 0 ? rint(o->step / dt) : floor(w / 2);
    if (!(h >= 1) || h > 1e9)
        return dtb__error(DTB_EINVAL, "%s: a step of %g s is less than one sample of %g s", fn,
                          o->step, dt);
    *window = (size_t)w;
    *hop = (size_t)h;
    return DTB_OK;
}

static dtb_status check_fcd_options(const dtb_fcd_options *o)
{
    static const char fn[] = "dtb_analysis_fcd";
    dtb_status st = dtb__check_version(o->version, DTB_FCD_OPTIONS_VERSION, "dtb_fcd_options");
    if (st)
        return st;
    if (o->method < 0 || o->method > DTB_FCD_METHOD_MTD)
        return dtb__error(DTB_EINVAL, "%s: unknown method %d", fn, (int)o->method);
    if (o->compare < 0 || o->compare > DTB_FCD_COMPARE_COSINE_LEADING)
        return dtb__error(DTB_EINVAL, "%s: unknown comparison %d", fn, (int)o->compare);
    if (o->window < 0 || o->step < 0 || !isfinite(o->window) || !isfinite(o->step))
        return dtb__error(DTB_EINVAL, "%s: window and step must be >= 0 (got %g and %g s)", fn,
                          o->window, o->step);
    return DTB_OK;
}

/* The vectors of all windows, then their similarities. */
static dtb_status fcd_of(double *fcd, const double *x, size_t n, size_t window, size_t hop,
                         size_t n_windows, dtb_fcd_method method, dtb_fcd_compare compare)
{
    const size_t len = dtb__fcd_vector_length(compare, n);
    double *vec = dtb__malloc_array(n_windows, len * sizeof *vec);
    double *copy = dtb__malloc_array(window, n * sizeof *copy);
    double *fc = dtb__malloc_array(n, n * sizeof *fc);
    dtb_status st = vec && copy && fc ? DTB_OK : DTB_ENOMEM;
    for (size_t w = 0; !st && w < n_windows; w++) {
        memcpy(copy, x + w * hop * n, window * n * sizeof *copy);
        st = dtb__fcd_window_fc(method, copy, window, n, fc);
        if (!st)
            st = dtb__fcd_vector(compare, fc, n, vec + w * len);
    }
    for (size_t a = 0; !st && a < n_windows; a++)
        for (size_t b = a; b < n_windows; b++)
            fcd[a * n_windows + b] = fcd[b * n_windows + a] =
                dtb__fcd_similarity(compare, vec + a * len, vec + b * len, len);
    free(vec);
    free(copy);
    free(fc);
    return st;
}

dtb_status dtb_analysis_fcd(double *fcd, size_t capacity, size_t *n_windows_out, const double *x,
                            size_t n_samples, size_t n_signals, double dt,
                            const dtb_fcd_options *opts)
{
    static const char fn[] = "dtb_analysis_fcd";
    if (n_windows_out)
        *n_windows_out = 0;
    dtb_fcd_options o = DTB_FCD_OPTIONS_INIT;
    if (opts)
        o = *opts;
    dtb_status st = check_fcd_options(&o);
    if (st)
        return st;
    if (!x)
        return dtb__error(DTB_EINVAL, "%s: x is NULL", fn);
    if (n_signals < 2)
        return dtb__error(DTB_EINVAL, "%s: needs at least 2 signals (got %zu)", fn, n_signals);
    if (!(dt > 0) || !isfinite(dt))
        return dtb__error(DTB_EINVAL, "%s: the sample period must be positive (got %g s)", fn, dt);
    size_t window = 0, hop = 0;
    st = window_samples(&o, dt, &window, &hop);
    if (st)
        return st;
    if (window > n_samples)
        return dtb__error(DTB_EINVAL, "%s: the window (%zu samples) is longer than the recording "
                                      "(%zu samples)", fn, window, n_samples);
    size_t n_windows = (n_samples - window) / hop + 1;
    if (n_windows_out)
        *n_windows_out = n_windows;
    if (!fcd)
        return DTB_OK;
    if (capacity < n_windows * n_windows)
        return dtb__error(DTB_EBUFSIZE, "%s: room for %zu values, %zu needed (%zu windows squared)",
                          fn, capacity, n_windows * n_windows, n_windows);
    const double *signal = x;
    double *filtered = NULL;
    if (o.f_hi > 0) {
        filtered = dtb__malloc_array(n_samples, n_signals * sizeof *filtered);
        if (!filtered)
            return DTB_ENOMEM;
        st = dtb_analysis_bandpass(filtered, x, n_samples, n_signals, dt, o.f_lo, o.f_hi, o.order);
        if (st) {
            free(filtered);
            return dtb__error_context(st, "%s: band-pass", fn);
        }
        signal = filtered;
    }
    st = fcd_of(fcd, signal, n_signals, window, hop, n_windows, (dtb_fcd_method)o.method,
                (dtb_fcd_compare)o.compare);
    free(filtered);
    return st;
}
