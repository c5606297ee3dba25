/* libdtb — streaming Welch PSD and FCD: each keeps the last segment or
 * window of samples and folds every completed one into its result, with
 * the same arithmetic as the array API (analysis/), so that an observer and
 * dtb_analysis_psd() / dtb_analysis_fcd() on the recorded samples agree.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "streams.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static dtb_status ring_init(dtb__ring *r, size_t len, size_t n)
{
    memset(r, 0, sizeof *r);
    r->len = len;
    r->n = n;
    r->rows = dtb__malloc_array(len, n * sizeof *r->rows);
    r->times = dtb__malloc_array(len, sizeof *r->times);
    return r->rows && r->times ? DTB_OK : DTB_ENOMEM;
}

static void ring_free(dtb__ring *r)
{
    free(r->rows);
    free(r->times);
    memset(r, 0, sizeof *r);
}

static void ring_push(dtb__ring *r, double t, const double *row)
{
    size_t slot = (size_t)(r->pushed % (int64_t)r->len);
    memcpy(r->rows + slot * r->n, row, r->n * sizeof *row);
    r->times[slot] = t;
    r->pushed++;
}

/* A full segment is ready when `len` samples have arrived and then every
 * `hop` samples. */
static int ring_due(const dtb__ring *r, size_t hop)
{
    return r->pushed >= (int64_t)r->len && (r->pushed - (int64_t)r->len) % (int64_t)hop == 0;
}

/* The ring's samples, oldest first; and the centre time. */
static double ring_ordered(const dtb__ring *r, double *out)
{
    size_t first = (size_t)(r->pushed % (int64_t)r->len);
    for (size_t k = 0; k < r->len; k++) {
        size_t slot = (first + k) % r->len;
        memcpy(out + k * r->n, r->rows + slot * r->n, r->n * sizeof *out);
    }
    return 0.5 * (r->times[first] + r->times[(first + r->len - 1) % r->len]);
}

dtb_status dtb__psd_stream_init(dtb__psd_stream *p, size_t n, size_t segment, size_t hop, double dt)
{
    memset(p, 0, sizeof *p);
    p->hop = hop;
    dtb_status st = ring_init(&p->ring, segment, n);
    if (!st)
        st = dtb__welch_init(&p->welch, segment, n, dt, DTB_PSD_WINDOW_HANN, 1);
    if (!st) {
        const size_t nf = dtb__welch_n_freqs(segment);
        p->ordered = dtb__malloc_array(segment, n * sizeof *p->ordered);
        p->freqs = dtb__malloc_array(nf, sizeof *p->freqs);
        p->psd = dtb__malloc_array(nf, n * sizeof *p->psd);
        st = p->ordered && p->freqs && p->psd ? DTB_OK : DTB_ENOMEM;
    }
    if (st)
        dtb__psd_stream_free(p);
    return st;
}

void dtb__psd_stream_free(dtb__psd_stream *p)
{
    ring_free(&p->ring);
    dtb__welch_free(&p->welch);
    free(p->ordered);
    free(p->freqs);
    free(p->psd);
    memset(p, 0, sizeof *p);
}

void dtb__psd_stream_push(dtb__psd_stream *p, double t, const double *row)
{
    ring_push(&p->ring, t, row);
    if (!ring_due(&p->ring, p->hop))
        return;
    ring_ordered(&p->ring, p->ordered);
    dtb__welch_add(&p->welch, p->ordered, p->ring.n);
}

void dtb__psd_stream_result(const dtb__psd_stream *p, double *out)
{
    const size_t nf = dtb__welch_n_freqs(p->ring.len), n = p->ring.n;
    dtb__welch_result(&p->welch, p->freqs, p->psd);
    for (size_t f = 0; f < nf; f++) {
        out[f * (n + 1)] = p->freqs[f];
        memcpy(out + f * (n + 1) + 1, p->psd + f * n, n * sizeof *out);
    }
}

dtb_status dtb__fcd_stream_init(dtb__fcd_stream *f, size_t n, size_t window, size_t hop,
                                dtb_fcd_method method, dtb_fcd_compare compare)
{
    memset(f, 0, sizeof *f);
    f->hop = hop;
    f->method = method;
    f->compare = compare;
    f->vec_len = dtb__fcd_vector_length(compare, n);
    dtb_status st = ring_init(&f->ring, window, n);
    if (!st) {
        f->ordered = dtb__malloc_array(window, n * sizeof *f->ordered);
        f->fc = dtb__malloc_array(n, n * sizeof *f->fc);
        st = f->ordered && f->fc ? DTB_OK : DTB_ENOMEM;
    }
    if (st)
        dtb__fcd_stream_free(f);
    return st;
}

void dtb__fcd_stream_free(dtb__fcd_stream *f)
{
    ring_free(&f->ring);
    free(f->ordered);
    free(f->fc);
    free(f->vectors);
    free(f->lower);
    free(f->times);
    memset(f, 0, sizeof *f);
}

dtb_status dtb__fcd_stream_reserve(dtb__fcd_stream *f)
{
    size_t cap = f->cap_windows ? 2 * f->cap_windows : 16;
    double *v = dtb__realloc_array(f->vectors, cap, f->vec_len * sizeof *v);
    if (!v)
        return DTB_ENOMEM;
    f->vectors = v;
    double *l = dtb__realloc_array(f->lower, cap * (cap + 1) / 2, sizeof *l);
    if (!l)
        return DTB_ENOMEM;
    f->lower = l;
    double *t = dtb__realloc_array(f->times, cap, sizeof *t);
    if (!t)
        return DTB_ENOMEM;
    f->times = t;
    f->cap_windows = cap;
    return DTB_OK;
}

dtb_status dtb__fcd_stream_push(dtb__fcd_stream *f, double t, const double *row)
{
    ring_push(&f->ring, t, row);
    if (!ring_due(&f->ring, f->hop))
        return DTB_OK;
    if (f->n_windows == f->cap_windows) {
        dtb_status gst = dtb__fcd_stream_reserve(f);
        if (gst)
            return gst;
    }
    const size_t w = f->n_windows, n = f->ring.n;
    f->times[w] = ring_ordered(&f->ring, f->ordered);
    double *vec = f->vectors + w * f->vec_len;
    dtb_status st = dtb__fcd_window_fc(f->method, f->ordered, f->ring.len, n, f->fc);
    if (!st)
        st = dtb__fcd_vector(f->compare, f->fc, n, vec);
    if (st)
        return st;
    /* Row w of the lower triangle: similarity with every earlier window. */
    double *lrow = f->lower + w * (w + 1) / 2;
    for (size_t b = 0; b <= w; b++)
        lrow[b] = dtb__fcd_similarity(f->compare, vec, f->vectors + b * f->vec_len, f->vec_len);
    f->n_windows++;
    return DTB_OK;
}

void dtb__fcd_stream_result(const dtb__fcd_stream *f, double *out)
{
    const size_t W = f->n_windows;
    for (size_t a = 0; a < W; a++)
        for (size_t b = 0; b <= a; b++)
            out[a * W + b] = out[b * W + a] = f->lower[a * (a + 1) / 2 + b];
}
