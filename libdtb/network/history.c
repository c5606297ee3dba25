/* libdtb — the delay history ring of the coupling variables and of their
 * pre-transformed channels.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "network.h"

dtb_status dtb__history_init(dtb__history *h, int64_t n, int64_t horizon, size_t n_cvar,
                             const int64_t *cvar_state)
{
    memset(h, 0, sizeof *h);
    h->n = n;
    h->horizon = horizon;
    h->n_cvar = n_cvar;
    h->cvar_state = cvar_state;
    size_t count = (n_cvar ? n_cvar : 1) * (size_t)n * 2 * (size_t)horizon;
    h->ring = dtb__calloc(count, sizeof *h->ring);
    /* raw values of one slot + up to two channels per coupling variable */
    h->tmp = dtb__calloc(3 * (n_cvar ? n_cvar : 1) * (size_t)n, sizeof *h->tmp);
    return h->ring && h->tmp ? DTB_OK : DTB_ENOMEM;
}

void dtb__history_free(dtb__history *h)
{
    free(h->ring);
    free(h->pre_ring);
    free(h->ring32);
    free(h->tmp);
    memset(h, 0, sizeof *h);
}

static size_t ring_len(const dtb__history *h) { return 2 * (size_t)h->horizon; }

const double *dtb__history_channel(const dtb__history *h, size_t ch)
{
    const size_t per = (size_t)h->n * ring_len(h);
    return (h->pre_ring ? h->pre_ring : h->ring) + ch * per;
}

/* Write the raw values of slot `pos` (raw: [n_cvar][n]) and their channels. */
static void write_slot(dtb__history *h, const dtb__coupling *c, size_t pos, const double *raw)
{
    const size_t n = (size_t)h->n, len = ring_len(h), H = (size_t)h->horizon;
    for (size_t cv = 0; cv < h->n_cvar; cv++) {
        double *r = h->ring + cv * n * len;
        for (size_t k = 0; k < n; k++)
            r[k * len + pos] = r[k * len + pos + H] = raw[cv * n + k];
        if (h->ring32) {
            float *r32 = h->ring32 + cv * n * H;
            for (size_t k = 0; k < n; k++)
                r32[k * H + pos] = (float)raw[cv * n + k];
        }
    }
    if (h->pre_ring) {
        double *pre = h->tmp + h->n_cvar * n;
        dtb__coupling_pre(c, h->n_cvar, n, raw, pre);
        for (size_t ch = 0; ch < h->n_channels; ch++) {
            double *r = h->pre_ring + ch * n * len;
            for (size_t k = 0; k < n; k++)
                r[k * len + pos] = r[k * len + pos + H] = pre[ch * n + k];
        }
    }
}

static void gather_raw(const dtb__history *h, const double *x, double *raw)
{
    const size_t n = (size_t)h->n;
    for (size_t cv = 0; cv < h->n_cvar; cv++)
        memcpy(raw + cv * n, x + (size_t)h->cvar_state[cv] * n, n * sizeof *raw);
}

void dtb__history_fill(dtb__history *h, const dtb__coupling *c, const double *x)
{
    gather_raw(h, x, h->tmp);
    for (size_t pos = 0; pos < (size_t)h->horizon; pos++)
        write_slot(h, c, pos, h->tmp);
}

void dtb__history_push(dtb__history *h, const dtb__coupling *c, int64_t m, const double *x)
{
    gather_raw(h, x, h->tmp);
    write_slot(h, c, (size_t)(m % h->horizon), h->tmp);
}

dtb_status dtb__history_prepare(dtb__history *h, const dtb__coupling *c, int float32_mode)
{
    const size_t n = (size_t)h->n, len = ring_len(h), H = (size_t)h->horizon;
    size_t channels = dtb__coupling_n_channels(c, h->n_cvar);
    if (channels != h->n_channels || (channels && !h->pre_ring)) {
        free(h->pre_ring);
        h->pre_ring = NULL;
        h->n_channels = channels;
        if (channels) {
            h->pre_ring = dtb__malloc_array(channels * n * len, sizeof *h->pre_ring);
            if (!h->pre_ring) {
                h->n_channels = 0;
                return DTB_ENOMEM;
            }
        }
    }
    if (!channels)
        h->n_channels = h->n_cvar;
    if (float32_mode && !h->ring32) {
        h->ring32 = dtb__malloc_array((h->n_cvar ? h->n_cvar : 1) * n * H, sizeof *h->ring32);
        if (!h->ring32)
            return DTB_ENOMEM;
    }
    /* Recompute every slot's channels (and float32 copy) from the raw ring. */
    for (size_t pos = 0; pos < H; pos++) {
        for (size_t cv = 0; cv < h->n_cvar; cv++)
            for (size_t k = 0; k < n; k++)
                h->tmp[cv * n + k] = h->ring[(cv * n + k) * len + pos];
        write_slot(h, c, pos, h->tmp);
    }
    return DTB_OK;
}
