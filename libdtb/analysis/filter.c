/* libdtb — zero-phase Butterworth band-pass filter.
 *
 * Design (the textbook route SciPy's butter(order, [lo, hi], 'band') also
 * takes): the analog Butterworth low-pass prototype's poles, the low-pass
 * to band-pass transform s -> (s^2 + w0^2) / (s B) around pre-warped band
 * edges, and the bilinear transform. The 2 * order poles are grouped into
 * second-order sections, each with one zero at z = 1 and one at z = -1,
 * and the gain is made 1 at the centre frequency, where an analog
 * Butterworth band-pass has gain 1. Filtering runs the cascade forwards
 * and backwards (SciPy's filtfilt: odd extension, sections started in the
 * steady state of the first value).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "analysis.h"
#include "base/base.h"

#define MAX_ORDER 16

typedef struct biquad {
    double b0, b1, b2, a1, a2;   /* y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2 */
} biquad;

/* The sections of the band-pass filter; returns their number (= order). */
static size_t design(biquad *sec, int order, double fs, double f_lo, double f_hi)
{
    const double w_lo = 2 * fs * tan(DTB__PI * f_lo / fs), w_hi = 2 * fs * tan(DTB__PI * f_hi / fs);
    const double w0 = sqrt(w_lo * w_hi), bw = w_hi - w_lo;
    double complex pole[2 * MAX_ORDER];
    size_t np = 0;
    for (int k = 1; k <= order; k++) {
        double complex p = cexp(I * DTB__PI * (2.0 * k + order - 1) / (2.0 * order));
        double complex a = p * bw / 2, r = csqrt(a * a - w0 * w0);
        double complex s[2] = {a + r, a - r};
        for (int m = 0; m < 2; m++)
            pole[np++] = (1 + s[m] / (2 * fs)) / (1 - s[m] / (2 * fs));
    }
    /* Conjugate pairs (upper half plane) and pairs of real poles. */
    size_t n_sec = 0;
    double real[2 * MAX_ORDER];
    size_t n_real = 0;
    for (size_t i = 0; i < np; i++) {
        if (fabs(cimag(pole[i])) < 1e-12 * cabs(pole[i])) {
            real[n_real++] = creal(pole[i]);
        } else if (cimag(pole[i]) > 0) {
            sec[n_sec++] = (biquad){1, 0, -1, -2 * creal(pole[i]), creal(pole[i] * conj(pole[i]))};
        }
    }
    for (size_t i = 0; i + 1 < n_real; i += 2)
        sec[n_sec++] = (biquad){1, 0, -1, -(real[i] + real[i + 1]), real[i] * real[i + 1]};
    /* Unit gain at the digital image of w0. */
    double complex z = cexp(I * 2 * atan(w0 / (2 * fs)));
    double complex h = 1;
    for (size_t i = 0; i < n_sec; i++) {
        double complex zi = 1 / z;
        h *= (sec[i].b0 + sec[i].b1 * zi + sec[i].b2 * zi * zi) /
             (1 + sec[i].a1 * zi + sec[i].a2 * zi * zi);
    }
    double g = 1 / cabs(h);
    sec[0].b0 *= g;
    sec[0].b1 *= g;
    sec[0].b2 *= g;
    return n_sec;
}

/* Run the cascade over v[0..len) in place (direct form II transposed),
 * every section starting in its steady state for a constant input v[0]. */
static void run_cascade(const biquad *sec, size_t n_sec, double *v, size_t len)
{
    double in0 = v[0];
    for (size_t s = 0; s < n_sec; s++) {
        const biquad *q = &sec[s];
        double gain = (q->b0 + q->b1 + q->b2) / (1 + q->a1 + q->a2);
        double y0 = gain * in0;
        double z2 = q->b2 * in0 - q->a2 * y0;
        double z1 = q->b1 * in0 - q->a1 * y0 + z2;
        for (size_t t = 0; t < len; t++) {
            double x = v[t], y = q->b0 * x + z1;
            z1 = q->b1 * x - q->a1 * y + z2;
            z2 = q->b2 * x - q->a2 * y;
            v[t] = y;
        }
        in0 = y0;
    }
}

static void reverse(double *v, size_t len)
{
    for (size_t i = 0, j = len - 1; i < j; i++, j--) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

dtb_status dtb_analysis_bandpass(double *y, const double *x, size_t n_samples, size_t n_signals,
                                 double dt, double f_lo, double f_hi, int32_t order)
{
    static const char fn[] = "dtb_analysis_bandpass";
    if (!y || !x)
        return dtb__error(DTB_EINVAL, "%s: NULL argument", fn);
    if (order == 0)
        order = 2;
    if (order < 1 || order > MAX_ORDER)
        return dtb__error(DTB_EINVAL, "%s: order %d is outside 1..%d", fn, (int)order, MAX_ORDER);
    if (!(dt > 0) || !isfinite(dt))
        return dtb__error(DTB_EINVAL, "%s: the sample period must be positive (got %g s)", fn, dt);
    const double nyquist = 0.5 / dt;
    if (!(f_lo > 0) || !(f_hi > f_lo) || !(f_hi < nyquist))
        return dtb__error(DTB_EINVAL, "%s: need 0 < f_lo < f_hi < %g Hz (the Nyquist frequency of "
                                      "dt = %g s); got %g and %g Hz", fn, nyquist, dt, f_lo, f_hi);
    const size_t pad = 3 * (2 * (size_t)order + 1);
    if (n_signals == 0 || n_samples <= pad)
        return dtb__error(DTB_EINVAL, "%s: an order-%d filter needs more than %zu samples (got %zu "
                                      "samples of %zu signals)", fn, (int)order, pad, n_samples,
                          n_signals);
    biquad sec[MAX_ORDER];
    size_t n_sec = design(sec, order, 1 / dt, f_lo, f_hi);
    const size_t len = n_samples + 2 * pad;
    double *v = dtb__malloc_array(len, sizeof *v);
    if (!v)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n_signals; i++) {
        /* Odd extension: 2 x[0] - x[pad - k] before, 2 x[T-1] - x[T-1-k] after. */
        const double first = x[i], last = x[(n_samples - 1) * n_signals + i];
        for (size_t k = 0; k < pad; k++) {
            v[k] = 2 * first - x[(pad - k) * n_signals + i];
            v[pad + n_samples + k] = 2 * last - x[(n_samples - 2 - k) * n_signals + i];
        }
        for (size_t t = 0; t < n_samples; t++)
            v[pad + t] = x[t * n_signals + i];
        run_cascade(sec, n_sec, v, len);
        reverse(v, len);
        run_cascade(sec, n_sec, v, len);
        reverse(v, len);
        for (size_t t = 0; t < n_samples; t++)
            y[t * n_signals + i] = v[pad + t];
    }
    free(v);
    return DTB_OK;
}
