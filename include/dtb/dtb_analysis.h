/* libdtb — analyses of recorded signals: functional connectivity and its
 * dynamics, spectra, synchrony, and fit scores against empirical data.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These functions work on any arrays, from an observer or from elsewhere.
 * A recording of n_signals signals over n_samples samples is sample-major,
 * exactly as observers deliver it: x[t * n_signals + i]. Results go into
 * caller buffers; where their size depends on the options, the two-call
 * idiom applies (a NULL buffer only reports the size, a buffer that is too
 * small gives DTB_EBUFSIZE and is not written). dt is the sample period in
 * seconds; frequencies are in Hz. Nothing here keeps state between calls,
 * so any function may run on any thread.
 */
#ifndef DTB_ANALYSIS_H
#define DTB_ANALYSIS_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

/* Functional connectivity: Pearson correlation of every pair of signals,
 * fc[n_signals * n_signals]. A constant signal has no correlation: its row
 * and column are NaN. Needs n_samples >= 2. */
DTB_API dtb_status dtb_analysis_fc(double *fc, const double *x, size_t n_samples, size_t n_signals);

/* Covariance of every pair of signals (divided by n_samples - 1),
 * cov[n_signals * n_signals]. Needs n_samples >= 2. */
DTB_API dtb_status dtb_analysis_covariance(double *cov, const double *x, size_t n_samples,
                                           size_t n_signals);

/* Fit of a simulated FC to an empirical one (both n x n): Pearson
 * correlation of their strict upper triangles (i < j), the usual score. */
DTB_API dtb_status dtb_analysis_fc_fit(double *r_out, const double *fc_a, const double *fc_b,
                                       size_t n);

/* dtb_analysis_kl_divergence flags */
/* Divide each input by its sum first, so that both are distributions. */
#define DTB_ANALYSIS_KL_NORMALIZE 0x1u

/* Symmetric Kullback-Leibler divergence of two positive arrays of n values
 * (matrices flattened): (sum p log(p/q) + sum q log(q/p)) / 2. Without
 * flags this is OpenDTB's kld() on the values as given. Every value must be
 * positive and finite. */
DTB_API dtb_status dtb_analysis_kl_divergence(double *kl_out, const double *p, const double *q,
                                              size_t n, uint32_t flags);

/* Kolmogorov-Smirnov distance (largest gap between the empirical
 * cumulative distributions) of two samples of values. */
DTB_API dtb_status dtb_analysis_ks_distance(double *ks_out, const double *a, size_t n_a,
                                            const double *b, size_t n_b);

/* Band-pass filter: Butterworth of the given order (default 2 when order
 * is 0; the band-pass filter then has 2 * order poles), run forwards and
 * backwards so that the phase is not shifted (as SciPy's filtfilt, with
 * odd extension of 3 * (2 * order + 1) samples at both ends). Needs
 * 0 < f_lo < f_hi < 1 / (2 dt) and more samples than the extension.
 * y may equal x (in place). */
DTB_API dtb_status dtb_analysis_bandpass(double *y, const double *x, size_t n_samples,
                                         size_t n_signals, double dt, double f_lo, double f_hi,
                                         int32_t order);

/* Instantaneous phase (radians, in (-pi, pi]) of every signal from its
 * analytic signal (Hilbert transform by FFT over the whole recording).
 * phase may equal x. */
DTB_API dtb_status dtb_analysis_hilbert_phase(double *phase, const double *x, size_t n_samples,
                                              size_t n_signals);

/* Kuramoto order parameter of a set of phases at every sample:
 * order[t] = |sum_i exp(i phase[t][i])| / n_signals, in [0, 1]. */
DTB_API dtb_status dtb_analysis_kuramoto_order(double *order, const double *phase,
                                               size_t n_samples, size_t n_signals);

/* Metastability: the standard deviation over time of the Kuramoto order
 * parameter (population form, divided by n_samples); and synchrony: its
 * mean. Either output may be NULL. */
DTB_API dtb_status dtb_analysis_metastability(double *metastability_out, double *synchrony_out,
                                              const double *phase, size_t n_samples,
                                              size_t n_signals);

/* --- power spectral density (Welch) --- */

typedef enum dtb_psd_window {
    DTB_PSD_WINDOW_DEFAULT = 0,   /* Hann */
    DTB_PSD_WINDOW_HANN = 1,      /* periodic Hann, 0.5 - 0.5 cos(2 pi k / segment) */
    DTB_PSD_WINDOW_BOXCAR = 2,    /* no taper */
    DTB_PSD_WINDOW_FORCE32_ = 0x7FFFFFFF
} dtb_psd_window;

#define DTB_PSD_OPTIONS_VERSION 1

/* Zero in any member means its default (SciPy's welch defaults). */
typedef struct dtb_psd_options {
    uint32_t version;    /* DTB_PSD_OPTIONS_VERSION */
    int32_t window;      /* dtb_psd_window */
    int64_t segment;     /* samples per segment; default 256 (or n_samples if fewer) */
    int64_t overlap;     /* samples shared by consecutive segments; default segment / 2;
                            -1: none */
    uint32_t flags;      /* DTB_PSD_FLAG_* */
    uint32_t reserved;   /* must be 0 */
} dtb_psd_options;

/* dtb_psd_options.flags */
/* Do not subtract each segment's mean before the transform. */
#define DTB_PSD_FLAG_NO_DETREND 0x1u

#define DTB_PSD_OPTIONS_INIT { DTB_PSD_OPTIONS_VERSION, 0, 0, 0, 0u, 0u }

DTB_API dtb_status dtb_psd_options_init(dtb_psd_options *opts, uint32_t version);

/* One-sided power spectral density by Welch's method: segments of
 * `segment` samples, tapered, transformed (GSL FFT), |X|^2 / (fs sum w^2),
 * doubled except at 0 and the Nyquist frequency, averaged over segments.
 * Units: signal^2 / Hz, so that the sum of psd * df is the variance.
 * freqs[n_freqs] (Hz) and psd[n_freqs * n_signals] (frequency-major).
 * Two-call idiom on n_freqs = segment / 2 + 1: with psd == NULL only
 * *n_freqs_out is set; capacity counts frequencies. freqs may be NULL. */
DTB_API dtb_status dtb_analysis_psd(double *freqs, double *psd, size_t capacity,
                                    size_t *n_freqs_out, const double *x, size_t n_samples,
                                    size_t n_signals, double dt, const dtb_psd_options *opts);

/* --- functional connectivity dynamics --- */

/* How the FC of one window is measured. */
typedef enum dtb_fcd_method {
    DTB_FCD_METHOD_DEFAULT = 0,   /* PEARSON */
    DTB_FCD_METHOD_PEARSON = 1,   /* Pearson correlation within the window */
    DTB_FCD_METHOD_PHASE = 2,     /* mean over the window of cos(phase_i - phase_j), phases
                                     from the Hilbert transform of the window */
    DTB_FCD_METHOD_MTD = 3,       /* multiplication of temporal derivatives (Shine 2015): mean
                                     over the window of the product of the first differences,
                                     each divided by its standard deviation in the window */
    DTB_FCD_METHOD_FORCE32_ = 0x7FFFFFFF
} dtb_fcd_method;

/* How the FCs of two windows are compared (OpenDTB's PCC-UT, CS-UT,
 * PCC-LEi, CS-LEi). UT: the strict upper triangle of each window's FC;
 * LEADING: the absolute values of its leading eigenvector. */
typedef enum dtb_fcd_compare {
    DTB_FCD_COMPARE_DEFAULT = 0,          /* PEARSON_UT */
    DTB_FCD_COMPARE_PEARSON_UT = 1,
    DTB_FCD_COMPARE_COSINE_UT = 2,
    DTB_FCD_COMPARE_PEARSON_LEADING = 3,
    DTB_FCD_COMPARE_COSINE_LEADING = 4,
    DTB_FCD_COMPARE_FORCE32_ = 0x7FFFFFFF
} dtb_fcd_compare;

#define DTB_FCD_OPTIONS_VERSION 1

/* Zero in any member means its default. */
typedef struct dtb_fcd_options {
    uint32_t version;   /* DTB_FCD_OPTIONS_VERSION */
    int32_t method;     /* dtb_fcd_method */
    int32_t compare;    /* dtb_fcd_compare */
    int32_t order;      /* band-pass order (see dtb_analysis_bandpass); default 2 */
    double window;      /* window length in seconds; default 30 samples */
    double step;        /* seconds between window starts; default window / 2 */
    double f_lo;        /* Hz: band-pass the signals first when f_hi > 0 (OpenDTB does, */
    double f_hi;        /* with 0.01-0.25 Hz for BOLD) */
} dtb_fcd_options;

#define DTB_FCD_OPTIONS_INIT { DTB_FCD_OPTIONS_VERSION, 0, 0, 0, 0.0, 0.0, 0.0, 0.0 }

DTB_API dtb_status dtb_fcd_options_init(dtb_fcd_options *opts, uint32_t version);

/* Functional connectivity dynamics: the FC of every sliding window
 * (window = round(window / dt) samples, starting every round(step / dt)
 * samples while the window fits), then the similarity of every pair of
 * windows: fcd[n_windows * n_windows], symmetric. Two-call idiom on
 * n_windows^2 doubles (capacity counts doubles). */
DTB_API dtb_status dtb_analysis_fcd(double *fcd, size_t capacity, size_t *n_windows_out,
                                    const double *x, size_t n_samples, size_t n_signals, double dt,
                                    const dtb_fcd_options *opts);

/* Distance between two FCD matrices (n_a x n_a and n_b x n_b): the
 * Kolmogorov-Smirnov distance of the values of their strict upper
 * triangles, the usual FCD fit score (0 = same distribution). */
DTB_API dtb_status dtb_analysis_fcd_fit(double *ks_out, const double *fcd_a, size_t n_a,
                                        const double *fcd_b, size_t n_b);

DTB_END_DECLS

#endif /* DTB_ANALYSIS_H */
