/* libdtb — the delay history ring of the coupling variables.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "network.h"

dtb_status dtb__history_init(dtb__history *h, int64_t n, int64_t horizon, size_t n_cvar)
{
    memset(h, 0, sizeof *h);
    h->n = n;
    h->horizon = horizon;
    h->n_cvar = n_cvar;
    size_t count = (n_cvar ? n_cvar : 1) * (size_t)n * 2 * (size_t)horizon;
    h->ring = dtb__calloc(count, sizeof *h->ring);
    return h->ring ? DTB_OK : DTB_ENOMEM;
}

void dtb__history_free(dtb__history *h)
{
    free(h->ring);
    free(h->sin_ring);
    free(h->cos_ring);
    free(h->ring32);
    memset(h, 0, sizeof *h);
}

static size_t ring_len(const dtb__history *h) { return 2 * (size_t)h->horizon; }

void dtb__history_fill(dtb__history *h, const double *x, const int64_t *cvar_state)
{
    size_t len = ring_len(h);
    for (size_t cv = 0; cv < h->n_cvar; cv++)
        for (int64_t k = 0; k < h->n; k++) {
            double v = x[(size_t)cvar_state[cv] * (size_t)h->n + (size_t)k];
            size_t base = (cv * (size_t)h->n + (size_t)k) * len;
            for (size_t i = 0; i < len; i++)
                h->ring[base + i] = v;
            if (h->sin_ring) {
                double s = sin(v), c = cos(v);
                for (size_t i = 0; i < len; i++) {
                    h->sin_ring[base + i] = s;
                    h->cos_ring[base + i] = c;
                }
            }
            if (h->ring32) {
                size_t base32 = (cv * (size_t)h->n + (size_t)k) * (size_t)h->horizon;
                for (int64_t i = 0; i < h->horizon; i++)
                    h->ring32[base32 + (size_t)i] = (float)v;
            }
        }
}

void dtb__history_push(dtb__history *h, int64_t m, const double *x_all, const int64_t *cvar_state)
{
    size_t len = ring_len(h), H = (size_t)h->horizon;
    size_t pos = (size_t)(m % h->horizon);
    size_t n = (size_t)h->n;
    for (size_t cv = 0; cv < h->n_cvar; cv++) {
        const double *x = x_all + (size_t)cvar_state[cv] * n;
        double *r = h->ring + cv * n * len;
        for (size_t k = 0; k < n; k++) {
            r[k * len + pos] = x[k];
            r[k * len + pos + H] = x[k];
        }
        if (h->sin_ring) {
            double *rs = h->sin_ring + cv * n * len, *rc = h->cos_ring + cv * n * len;
            for (size_t k = 0; k < n; k++) {
                double s = sin(x[k]), c = cos(x[k]);
                rs[k * len + pos] = rs[k * len + pos + H] = s;
                rc[k * len + pos] = rc[k * len + pos + H] = c;
            }
        }
        if (h->ring32) {
            float *r32 = h->ring32 + cv * n * H;
            for (size_t k = 0; k < n; k++)
                r32[k * H + pos] = (float)x[k];
        }
    }
}

dtb_status dtb__history_prepare(dtb__history *h, dtb_coupling_kind kind, int float32_mode)
{
    size_t count = (h->n_cvar ? h->n_cvar : 1) * (size_t)h->n * ring_len(h);
    if (kind == DTB_COUPLING_KURAMOTO && !float32_mode && !h->sin_ring) {
        h->sin_ring = dtb__malloc_array(count, sizeof *h->sin_ring);
        h->cos_ring = dtb__malloc_array(count, sizeof *h->cos_ring);
        if (!h->sin_ring || !h->cos_ring) {
            free(h->sin_ring);
            free(h->cos_ring);
            h->sin_ring = h->cos_ring = NULL;
            return DTB_ENOMEM;
        }
        for (size_t i = 0; i < count; i++) {
            h->sin_ring[i] = sin(h->ring[i]);
            h->cos_ring[i] = cos(h->ring[i]);
        }
    }
    if (float32_mode && !h->ring32) {
        size_t H = (size_t)h->horizon, len = ring_len(h);
        size_t rows = (h->n_cvar ? h->n_cvar : 1) * (size_t)h->n;
        h->ring32 = dtb__malloc_array(rows * H, sizeof *h->ring32);
        if (!h->ring32)
            return DTB_ENOMEM;
        for (size_t r = 0; r < rows; r++)
            for (size_t i = 0; i < H; i++)
                h->ring32[r * H + i] = (float)h->ring[r * len + i];
    }
    return DTB_OK;
}
