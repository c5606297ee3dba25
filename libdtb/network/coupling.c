/* libdtb — coupling functions and the delayed gather.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For target k and coupling variable cv, with x_j the source's value d_kj
 * steps ago and x_k the target's current value (TVB's definitions):
 *   linear      a * sum_j w_kj x_j + b
 *   scaling     a * sum_j w_kj x_j
 *   difference  a * sum_j w_kj (x_j - x_k) = a * (sum_j w_kj x_j - x_k sum_j w_kj)
 *   kuramoto    a * sum_j w_kj sin(x_j - x_k)
 *               = a * (cos x_k sum_j w_kj sin x_j - sin x_k sum_j w_kj cos x_j)
 * The rewritten forms need one gather of a per-region history channel, so
 * no per-edge transcendental functions are evaluated. The float32 mode
 * instead follows TVB's arithmetic exactly (float32 history, weights,
 * products and numpy's pairwise summation per target row) to reproduce TVB
 * runs to round-off. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#include "network.h"

void dtb__coupling_defaults(dtb__coupling *c, dtb_coupling_kind kind)
{
    c->kind = kind;
    c->b = 0.0;
    switch (kind) {
    case DTB_COUPLING_DIFFERENCE: c->a = 0.1; break;
    case DTB_COUPLING_KURAMOTO: c->a = 1.0; break;
    default: c->a = 0.00390625; break;   /* TVB's Linear and Scaling default, 1/256 */
    }
}

double *dtb__coupling_param(dtb__coupling *c, const char *name)
{
    if (strcmp(name, "a") == 0)
        return &c->a;
    if (strcmp(name, "b") == 0 && c->kind == DTB_COUPLING_LINEAR)
        return &c->b;
    return NULL;
}

const char *dtb__coupling_kind_name(dtb_coupling_kind kind)
{
    switch (kind) {
    case DTB_COUPLING_LINEAR: return "linear";
    case DTB_COUPLING_SCALING: return "scaling";
    case DTB_COUPLING_DIFFERENCE: return "difference";
    case DTB_COUPLING_KURAMOTO: return "kuramoto";
    default: return NULL;
    }
}

dtb_status dtb__gather_cache_init(dtb__gather_cache *g, int64_t n, size_t n_cvar)
{
    /* Two channels per coupling variable cover the Kuramoto coupling. */
    g->start = -1;
    g->n_channels = 2 * (n_cvar ? n_cvar : 1);
    g->G = dtb__calloc(g->n_channels * (size_t)n * DTB__GATHER_BLOCK, sizeof *g->G);
    g->near = dtb__calloc(g->n_channels * (size_t)n, sizeof *g->near);
    return g->G && g->near ? DTB_OK : DTB_ENOMEM;
}

void dtb__gather_cache_free(dtb__gather_cache *g)
{
    free(g->G);
    free(g->near);
    g->G = g->near = NULL;
}

/* Near edges: G[k] = sum_j w_kj * ring_j[m - d_kj] per target. Four
 * interleaved partial sums (edge e goes to sum e mod 4, combined as
 * (s0 + s1) + (s2 + s3)) break the dependency chain of one running sum,
 * which would otherwise cost an addition's latency per edge; the order is
 * fixed by the edge list, so results stay deterministic. */
static void gather_near(const dtb__pull_set *ps, int64_t n, const double *ring, int64_t horizon,
                        int64_t m, double *restrict G)
{
    const double *restrict now = ring + (size_t)(m % horizon) + (size_t)horizon;
    const int32_t *restrict off = ps->offset;
    const double *restrict w = ps->weight;
    for (int64_t k = 0; k < n; k++) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        int64_t e = ps->row_start[k];
        const int64_t end = ps->row_start[k + 1];
        for (; e + 4 <= end; e += 4) {
            s0 += w[e] * now[off[e]];
            s1 += w[e + 1] * now[off[e + 1]];
            s2 += w[e + 2] * now[off[e + 2]];
            s3 += w[e + 3] * now[off[e + 3]];
        }
        for (int q = 0; e < end; e++, q++) {
            double v = w[e] * now[off[e]];
            if (q == 0)
                s0 += v;
            else if (q == 1)
                s1 += v;
            else
                s2 += v;
        }
        G[k] = (s0 + s1) + (s2 + s3);
    }
}

/* Far edges for the block of steps m+1 .. m+B at once:
 * G[k][b] = sum_j w_kj * ring_j[m + b - d_kj], b < B. d_kj >= B - 1 >= b,
 * so only known states are read; for each edge the B values are one
 * contiguous run of the source's ring. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
/* AVX2 when the CPU has it (picked once at load time), plain SSE2
 * otherwise; the same arithmetic either way (no FMA contraction). */
__attribute__((target_clones("avx2", "default")))
#endif
static void gather_far(const dtb__edge_set *es, int64_t n, const double *ring, int64_t horizon,
                       int64_t m, double *restrict G)
{
    enum { B = DTB__GATHER_BLOCK };
    const size_t len = 2 * (size_t)horizon;
    const size_t now = (size_t)(m % horizon) + (size_t)horizon;
    memset(G, 0, (size_t)n * B * sizeof *G);
    const int32_t *restrict tgt = es->target;
    const int32_t *restrict del = es->delay;
    const double *restrict w = es->weight;
    for (int64_t j = 0; j < n; j++) {
        const double *restrict rj = ring + (size_t)j * len + now;
        for (int64_t e = es->src_start[j]; e < es->src_start[j + 1]; e++) {
            const double *restrict src = rj - del[e];
            double *restrict g = G + (size_t)tgt[e] * B;
            const double we = w[e];
            for (int b = 0; b < B; b++)
                g[b] += we * src[b];
        }
    }
}

/* Ring of each channel: raw values, or their sine / cosine. */
static const double *channel_ring(const dtb__history *h, size_t channel, int kuramoto)
{
    const size_t per = (size_t)h->n * 2 * (size_t)h->horizon;
    if (!kuramoto)
        return h->ring + channel * per;
    return (channel % 2 ? h->cos_ring : h->sin_ring) + (channel / 2) * per;
}

/* Total (far + near) sums of every channel for step m+1, in cache->near. */
static void gather_all(const dtb__network *net, const dtb__history *h, dtb__gather_cache *cache,
                       int64_t m, int kuramoto)
{
    const int64_t n = net->n, H = h->horizon;
    const size_t n_channels = h->n_cvar * (kuramoto ? 2 : 1);
    int64_t b = m - cache->start;
    if (cache->start < 0 || b < 0 || b >= DTB__GATHER_BLOCK) {
        cache->start = m;
        b = 0;
        if (net->far.n_edges)
            for (size_t ch = 0; ch < n_channels; ch++)
                gather_far(&net->far, n, channel_ring(h, ch, kuramoto), H, m,
                           cache->G + ch * (size_t)n * DTB__GATHER_BLOCK);
    }
    for (size_t ch = 0; ch < n_channels; ch++) {
        double *G = cache->near + ch * (size_t)n;
        gather_near(&net->near, n, channel_ring(h, ch, kuramoto), H, m, G);
        if (net->far.n_edges) {
            const double *F = cache->G + ch * (size_t)n * DTB__GATHER_BLOCK + b;
            for (int64_t k = 0; k < n; k++)
                G[k] += F[k * DTB__GATHER_BLOCK];
        }
    }
}

/* numpy's pairwise summation of float32 (npy_pairwise_sum, block 128). */
static float pairwise_f32(const float *a, int64_t n)
{
    if (n < 8) {
        float res = 0.f;
        for (int64_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        float r[8];
        for (int i = 0; i < 8; i++)
            r[i] = a[i];
        int64_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int q = 0; q < 8; q++)
                r[q] += a[i + q];
        float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_f32(a, n2) + pairwise_f32(a + n2, n - n2);
}

/* numpy's add.reduceat over one row: the first element, then += the
 * pairwise sum of the rest. */
static float reduce_row_f32(const float *p, int64_t count)
{
    if (count <= 0)
        return 0.f;
    float first = p[0];
    return first + pairwise_f32(p + 1, count - 1);
}

static void coupling_tvb_float32(const dtb__coupling *c, const dtb__network *net,
                                 const dtb__history *h, int64_t m, double *out, float *products)
{
    const int64_t n = net->n, H = h->horizon;
    const int64_t pos = m % H;
    for (size_t cv = 0; cv < h->n_cvar; cv++) {
        const float *r32 = h->ring32 + cv * (size_t)n * (size_t)H;
        for (int64_t k = 0; k < n; k++) {
            int64_t start = net->row_start[k], count = net->row_start[k + 1] - start;
            float xk = r32[k * H + pos];
            for (int64_t e = 0; e < count; e++) {
                int64_t j = net->row_source[start + e];
                int64_t slot = pos - net->row_delay[start + e];
                if (slot < 0)
                    slot += H;
                float xj = r32[j * H + slot];
                float pre;
                switch (c->kind) {
                case DTB_COUPLING_DIFFERENCE: pre = xj - xk; break;
                case DTB_COUPLING_KURAMOTO: pre = sinf(xj - xk); break;
                default: pre = xj; break;
                }
                products[e] = net->row_weight32[start + e] * pre;
            }
            double sum = (double)reduce_row_f32(products, count);
            out[cv * (size_t)n + (size_t)k] = c->a * sum + (c->kind == DTB_COUPLING_LINEAR ? c->b : 0.0);
        }
    }
}

void dtb__coupling_compute(const dtb__coupling *c, const dtb__network *net,
                           const dtb__history *h, dtb__gather_cache *cache, int64_t m,
                           int float32_mode, double *out, double *scratch)
{
    const int64_t n = net->n, H = h->horizon;
    const size_t len = 2 * (size_t)H;
    const size_t now = (size_t)(m % H) + (size_t)H;
    if (float32_mode) {
        coupling_tvb_float32(c, net, h, m, out, (float *)scratch);
        return;
    }
    const int kuramoto = c->kind == DTB_COUPLING_KURAMOTO;
    gather_all(net, h, cache, m, kuramoto);
    for (size_t cv = 0; cv < h->n_cvar; cv++) {
        double *o = out + cv * (size_t)n;
        const size_t ch = cv * (size_t)n * len;
        switch (c->kind) {
        case DTB_COUPLING_KURAMOTO: {
            const double *Gs = cache->near + 2 * cv * (size_t)n, *Gc = Gs + n;
            for (int64_t k = 0; k < n; k++) {
                double sk = h->sin_ring[ch + (size_t)k * len + now];
                double ck = h->cos_ring[ch + (size_t)k * len + now];
                o[k] = c->a * (ck * Gs[k] - sk * Gc[k]);
            }
            break;
        }
        case DTB_COUPLING_DIFFERENCE: {
            const double *G = cache->near + cv * (size_t)n;
            for (int64_t k = 0; k < n; k++)
                o[k] = c->a * (G[k] - h->ring[ch + (size_t)k * len + now] * net->row_sum[k]);
            break;
        }
        case DTB_COUPLING_SCALING: {
            const double *G = cache->near + cv * (size_t)n;
            for (int64_t k = 0; k < n; k++)
                o[k] = c->a * G[k];
            break;
        }
        default: {
            const double *G = cache->near + cv * (size_t)n;
            for (int64_t k = 0; k < n; k++)
                o[k] = c->a * G[k] + c->b;
            break;
        }
        }
    }
    (void)scratch;
}
