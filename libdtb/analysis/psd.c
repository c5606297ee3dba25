/* libdtb — power spectral density by Welch's method (GSL mixed-radix real
 * FFT), with SciPy's conventions: periodic Hann taper, each segment's mean
 * removed, one-sided density in signal^2 / Hz.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "base/base.h"

size_t dtb__welch_n_freqs(size_t segment) { return segment / 2 + 1; }

dtb_status dtb__welch_init(dtb__welch *w, size_t segment, size_t n_signals, double dt,
                           dtb_psd_window window, int detrend)
{
    memset(w, 0, sizeof *w);
    w->segment = segment;
    w->n_signals = n_signals;
    w->fs = 1 / dt;
    w->detrend = detrend;
    w->taper = dtb__malloc_array(segment, sizeof *w->taper);
    w->work = dtb__malloc_array(segment, sizeof *w->work);
    w->sum = dtb__calloc(dtb__welch_n_freqs(segment) * n_signals, sizeof *w->sum);
    w->wavetable = gsl_fft_real_wavetable_alloc(segment);
    w->workspace = gsl_fft_real_workspace_alloc(segment);
    if (!w->taper || !w->work || !w->sum || !w->wavetable || !w->workspace) {
        dtb__welch_free(w);
        return dtb__error(DTB_ENOMEM, "power spectrum: out of memory for segments of %zu samples",
                          segment);
    }
    w->taper_power = 0;
    for (size_t k = 0; k < segment; k++) {
        w->taper[k] = window == DTB_PSD_WINDOW_BOXCAR
                          ? 1.0 : 0.5 - 0.5 * cos(2 * DTB__PI * (double)k / (double)segment);
        w->taper_power += w->taper[k] * w->taper[k];
    }
    return DTB_OK;
}

void dtb__welch_free(dtb__welch *w)
{
    if (w->wavetable)
        gsl_fft_real_wavetable_free(w->wavetable);
    if (w->workspace)
        gsl_fft_real_workspace_free(w->workspace);
    free(w->taper);
    free(w->work);
    free(w->sum);
    memset(w, 0, sizeof *w);
}

void dtb__welch_add(dtb__welch *w, const double *x, size_t stride)
{
    const size_t L = w->segment, nf = dtb__welch_n_freqs(L);
    const double scale = 1 / (w->fs * w->taper_power);
    for (size_t i = 0; i < w->n_signals; i++) {
        double mean = 0;
        if (w->detrend) {
            for (size_t k = 0; k < L; k++)
                mean += x[k * stride + i];
            mean /= (double)L;
        }
        for (size_t k = 0; k < L; k++)
            w->work[k] = (x[k * stride + i] - mean) * w->taper[k];
        gsl_fft_real_transform(w->work, 1, L, w->wavetable, w->workspace);
        /* Half-complex layout: re(0), re(1), im(1), ..., and re(L/2) last
         * when L is even. */
        for (size_t f = 0; f < nf; f++) {
            double re, im = 0;
            if (f == 0) {
                re = w->work[0];
            } else if (L % 2 == 0 && f == L / 2) {
                re = w->work[L - 1];
            } else {
                re = w->work[2 * f - 1];
                im = w->work[2 * f];
            }
            double p = (re * re + im * im) * scale;
            if (f > 0 && !(L % 2 == 0 && f == L / 2))
                p *= 2;
            w->sum[f * w->n_signals + i] += p;
        }
    }
    w->n_segments++;
}

void dtb__welch_result(const dtb__welch *w, double *freqs, double *psd)
{
    const size_t nf = dtb__welch_n_freqs(w->segment);
    for (size_t f = 0; freqs && f < nf; f++)
        freqs[f] = (double)f * w->fs / (double)w->segment;
    if (!psd)
        return;
    double inv = w->n_segments ? 1.0 / (double)w->n_segments : NAN;
    for (size_t k = 0; k < nf * w->n_signals; k++)
        psd[k] = w->sum[k] * inv;
}

dtb_status dtb_psd_options_init(dtb_psd_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_PSD_OPTIONS_VERSION,
                             "dtb_psd_options");
}

/* Segment length and hop from the options, checked against n_samples. */
static dtb_status segments(const dtb_psd_options *o, size_t n_samples, size_t *segment, size_t *hop)
{
    static const char fn[] = "dtb_analysis_psd";
    int64_t seg = o && o->segment ? o->segment : 256;
    if (seg < 2)
        return dtb__error(DTB_EINVAL, "%s: a segment needs at least 2 samples (got %lld)", fn,
                          (long long)seg);
    if (!(o && o->segment) && (size_t)seg > n_samples)
        seg = (int64_t)n_samples;
    if ((size_t)seg > n_samples)
        return dtb__error(DTB_EINVAL, "%s: segment of %lld samples is longer than the recording "
                                      "(%zu samples)", fn, (long long)seg, n_samples);
    int64_t overlap = o && o->overlap ? o->overlap : seg / 2;
    if (overlap == -1)
        overlap = 0;
    if (overlap < 0 || overlap >= seg)
        return dtb__error(DTB_EINVAL, "%s: overlap %lld must be in 0..%lld (segment - 1), or -1", fn,
                          (long long)overlap, (long long)seg - 1);
    *segment = (size_t)seg;
    *hop = (size_t)(seg - overlap);
    return DTB_OK;
}

dtb_status dtb_analysis_psd(double *freqs, double *psd, size_t capacity, size_t *n_freqs_out,
                            const double *x, size_t n_samples, size_t n_signals, double dt,
                            const dtb_psd_options *opts)
{
    static const char fn[] = "dtb_analysis_psd";
    if (n_freqs_out)
        *n_freqs_out = 0;
    if (!x)
        return dtb__error(DTB_EINVAL, "%s: x is NULL", fn);
    if (n_signals == 0 || n_samples < 2)
        return dtb__error(DTB_EINVAL, "%s: needs at least 2 samples of 1 signal (got %zu x %zu)",
                          fn, n_samples, n_signals);
    if (!(dt > 0) || !isfinite(dt))
        return dtb__error(DTB_EINVAL, "%s: the sample period must be positive (got %g s)", fn, dt);
    if (opts) {
        dtb_status vst = dtb__check_version(opts->version, DTB_PSD_OPTIONS_VERSION, "dtb_psd_options");
        if (vst)
            return vst;
        if (opts->window < 0 || opts->window > DTB_PSD_WINDOW_BOXCAR)
            return dtb__error(DTB_EINVAL, "%s: unknown window %d", fn, (int)opts->window);
        if ((opts->flags & ~DTB_PSD_FLAG_NO_DETREND) || opts->reserved)
            return dtb__error(DTB_EINVAL, "%s: unknown flags 0x%x", fn, (unsigned)opts->flags);
    }
    size_t segment = 0, hop = 0;
    dtb_status st = segments(opts, n_samples, &segment, &hop);
    if (st)
        return st;
    size_t nf = dtb__welch_n_freqs(segment);
    if (n_freqs_out)
        *n_freqs_out = nf;
    if (!psd)
        return DTB_OK;
    if (capacity < nf)
        return dtb__error(DTB_EBUFSIZE, "%s: room for %zu frequencies, %zu needed", fn, capacity, nf);
    dtb__welch w;
    st = dtb__welch_init(&w, segment, n_signals, dt,
                         opts && opts->window ? (dtb_psd_window)opts->window : DTB_PSD_WINDOW_HANN,
                         !(opts && (opts->flags & DTB_PSD_FLAG_NO_DETREND)));
    if (st)
        return st;
    for (size_t start = 0; start + segment <= n_samples; start += hop)
        dtb__welch_add(&w, x + start * n_signals, n_signals);
    dtb__welch_result(&w, freqs, psd);
    dtb__welch_free(&w);
    return DTB_OK;
}
