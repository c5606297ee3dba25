/* libdtb internal — the pieces of the analyses that observers reuse while
 * streaming, so that an observer and the array API give the same numbers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_ANALYSIS_INTERNAL_H
#define DTB_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_analysis.h"

/* M_PI is not in strict C11. */
#define DTB__PI 3.14159265358979323846

/* ------------------------------------------------ streaming Pearson FC */

/* Running sums of a growing recording: memory n + n(n+1)/2, whatever the
 * length. Every sample is taken relative to the first one (the shifted-data
 * algorithm), so that signals with a large mean and a small variance do not
 * lose their digits to cancellation. */
typedef struct dtb__fc_acc {
    size_t n;
    int64_t count;
    double *shift;      /* the first sample */
    double *sum;        /* sum of (x - shift) */
    double *prod;       /* packed upper triangle (row-major, i <= j) of sum of products */
} dtb__fc_acc;

dtb_status dtb__fc_acc_init(dtb__fc_acc *a, size_t n);
void dtb__fc_acc_free(dtb__fc_acc *a);
void dtb__fc_acc_push(dtb__fc_acc *a, const double *row);
/* Pearson FC (n x n, NaN rows/columns for constant signals) or, when
 * covariance is 1, the covariance (divided by count - 1). */
void dtb__fc_acc_result(const dtb__fc_acc *a, double *out, int covariance);

/* ------------------------------------------------ Welch segments */

typedef struct dtb__welch {
    size_t segment;     /* samples per segment */
    size_t n_signals;
    double fs;          /* samples per second */
    int detrend;
    double *taper;      /* segment */
    double taper_power; /* sum of taper^2 */
    double *work;       /* segment */
    void *wavetable, *workspace;   /* GSL real FFT */
    double *sum;        /* [n_freqs][n_signals] summed periodograms */
    int64_t n_segments;
} dtb__welch;

size_t dtb__welch_n_freqs(size_t segment);
dtb_status dtb__welch_init(dtb__welch *w, size_t segment, size_t n_signals, double dt,
                           dtb_psd_window window, int detrend);
void dtb__welch_free(dtb__welch *w);
/* Add the periodogram of one segment; sample s of signal i is
 * x[s * stride + i]. */
void dtb__welch_add(dtb__welch *w, const double *x, size_t stride);
/* Frequencies and the mean periodogram so far ([n_freqs][n_signals]). */
void dtb__welch_result(const dtb__welch *w, double *freqs, double *psd);

/* ------------------------------------------------ FCD windows */

/* One window's FC by the given method: x is window x n (sample-major, a
 * contiguous copy that may be overwritten), fc is n x n. */
dtb_status dtb__fcd_window_fc(dtb_fcd_method method, double *x, size_t window, size_t n,
                              double *fc);
/* Length of the vector that represents one window's FC. */
size_t dtb__fcd_vector_length(dtb_fcd_compare compare, size_t n);
/* That vector: the strict upper triangle or |leading eigenvector|. fc may be
 * overwritten. */
dtb_status dtb__fcd_vector(dtb_fcd_compare compare, double *fc, size_t n, double *vec);
/* Similarity of two window vectors. */
double dtb__fcd_similarity(dtb_fcd_compare compare, const double *a, const double *b, size_t len);

/* ------------------------------------------------ small helpers */

/* Pearson correlation of two sequences (NaN when either is constant). */
double dtb__pearson(const double *a, const double *b, size_t n);
/* Phase of the analytic signal of each of the n signals of x (len x n,
 * sample-major), in place. */
dtb_status dtb__hilbert_phase(double *x, size_t len, size_t n);

#endif
