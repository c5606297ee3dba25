/* libdtb — instantaneous phase from the analytic signal (Hilbert transform
 * by FFT: keep the zero and Nyquist frequencies, double the positive ones,
 * drop the negative ones), as SciPy's signal.hilbert.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gsl/gsl_fft_complex.h>
#include <math.h>
#include <stdlib.h>

#include "analysis.h"
#include "base/base.h"

/* Weight of frequency bin k in the analytic signal of length len. */
static double analytic_weight(size_t k, size_t len)
{
    if (k == 0 || (len % 2 == 0 && k == len / 2))
        return 1;
    return k < (len + 1) / 2 ? 2 : 0;
}

dtb_status dtb__hilbert_phase(double *x, size_t len, size_t n)
{
    if (len == 0 || n == 0)
        return DTB_OK;
    double *z = dtb__malloc_array(2 * len, sizeof *z);
    gsl_fft_complex_wavetable *wt = gsl_fft_complex_wavetable_alloc(len);
    gsl_fft_complex_workspace *ws = gsl_fft_complex_workspace_alloc(len);
    dtb_status st = z && wt && ws ? DTB_OK : dtb__error(DTB_ENOMEM, "Hilbert transform: out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        for (size_t t = 0; t < len; t++) {
            z[2 * t] = x[t * n + i];
            z[2 * t + 1] = 0;
        }
        gsl_fft_complex_forward(z, 1, len, wt, ws);
        for (size_t k = 0; k < len; k++) {
            double w = analytic_weight(k, len);
            z[2 * k] *= w;
            z[2 * k + 1] *= w;
        }
        gsl_fft_complex_inverse(z, 1, len, wt, ws);
        for (size_t t = 0; t < len; t++)
            x[t * n + i] = atan2(z[2 * t + 1], z[2 * t]);
    }
    if (ws)
        gsl_fft_complex_workspace_free(ws);
    if (wt)
        gsl_fft_complex_wavetable_free(wt);
    free(z);
    return st;
}

dtb_status dtb_analysis_hilbert_phase(double *phase, const double *x, size_t n_samples,
                                      size_t n_signals)
{
    if (!phase || !x)
        return dtb__error(DTB_EINVAL, "dtb_analysis_hilbert_phase: NULL argument");
    if (n_samples == 0 || n_signals == 0)
        return dtb__error(DTB_EINVAL, "dtb_analysis_hilbert_phase: empty recording (%zu samples x "
                                      "%zu signals)", n_samples, n_signals);
    if (phase != x)
        for (size_t k = 0; k < n_samples * n_signals; k++)
            phase[k] = x[k];
    return dtb__hilbert_phase(phase, n_samples, n_signals);
}
