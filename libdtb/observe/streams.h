/* libdtb internal — analyses fed one sample at a time: Welch PSD and FCD
 * over a ring of the last segment / window of samples (streaming FC uses
 * dtb__fc_acc from analysis/analysis.h directly).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_STREAMS_H
#define DTB_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"

/* The last `len` samples of n columns, oldest first on demand. */
typedef struct dtb__ring {
    size_t len, n;
    double *rows;       /* [len][n] circular */
    double *times;      /* [len] */
    int64_t pushed;     /* samples ever pushed */
} dtb__ring;

typedef struct dtb__psd_stream {
    dtb__ring ring;
    size_t hop;
    dtb__welch welch;
    double *ordered;    /* [len][n] scratch */
    double *freqs, *psd;   /* result scratch: [n_freqs], [n_freqs][n] */
} dtb__psd_stream;

dtb_status dtb__psd_stream_init(dtb__psd_stream *p, size_t n, size_t segment, size_t hop, double dt);
void dtb__psd_stream_free(dtb__psd_stream *p);
void dtb__psd_stream_push(dtb__psd_stream *p, double t, const double *row);
/* rows = n_freqs, cols = 1 + n: frequency, then the densities (NaN before
 * the first full segment). */
void dtb__psd_stream_result(const dtb__psd_stream *p, double *out);

typedef struct dtb__fcd_stream {
    dtb__ring ring;
    size_t hop;
    dtb_fcd_method method;
    dtb_fcd_compare compare;
    size_t vec_len;
    double *ordered, *fc;       /* scratch: [len][n], [n][n] */
    double *vectors;            /* [windows][vec_len], grows */
    double *lower;              /* packed lower triangle of the FCD, grows */
    double *times;              /* [windows] window centres */
    size_t n_windows, cap_windows;
} dtb__fcd_stream;

dtb_status dtb__fcd_stream_init(dtb__fcd_stream *f, size_t n, size_t window, size_t hop,
                                dtb_fcd_method method, dtb_fcd_compare compare);
void dtb__fcd_stream_free(dtb__fcd_stream *f);
dtb_status dtb__fcd_stream_push(dtb__fcd_stream *f, double t, const double *row);
/* Double the room for windows (checkpoints restore into it). */
dtb_status dtb__fcd_stream_reserve(dtb__fcd_stream *f);
/* The n_windows x n_windows matrix. */
void dtb__fcd_stream_result(const dtb__fcd_stream *f, double *out);

#endif
