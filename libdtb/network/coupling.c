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
#include <string.h>

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

/* G[k] = sum_j w_kj * ring_j[m - d_kj]: sources outer, so each source's
 * history window is read contiguously and every G[k] is summed over j in
 * ascending order. */
static void gather(const dtb__network *net, const double *ring, int64_t horizon, int64_t m,
                   double *restrict G)
{
    const int64_t n = net->n;
    const size_t len = 2 * (size_t)horizon;
    const size_t now = (size_t)(m % horizon) + (size_t)horizon;
    memset(G, 0, (size_t)n * sizeof *G);
    const int32_t *restrict tgt = net->edge_target;
    const int32_t *restrict del = net->edge_delay;
    const double *restrict w = net->edge_weight;
    for (int64_t j = 0; j < n; j++) {
        const double *restrict rj = ring + (size_t)j * len + now;
        for (int64_t e = net->src_start[j]; e < net->src_start[j + 1]; e++)
            G[tgt[e]] += w[e] * rj[-del[e]];
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
                           const dtb__history *h, int64_t m, int float32_mode, double *out,
                           double *scratch)
{
    const int64_t n = net->n, H = h->horizon;
    const size_t len = 2 * (size_t)H;
    const size_t now = (size_t)(m % H) + (size_t)H;
    if (float32_mode) {
        coupling_tvb_float32(c, net, h, m, out, (float *)scratch);
        return;
    }
    for (size_t cv = 0; cv < h->n_cvar; cv++) {
        double *o = out + cv * (size_t)n;
        const size_t ch = cv * (size_t)n * len;
        switch (c->kind) {
        case DTB_COUPLING_KURAMOTO: {
            double *Gs = scratch, *Gc = scratch + n;
            gather(net, h->sin_ring + ch, H, m, Gs);
            gather(net, h->cos_ring + ch, H, m, Gc);
            for (int64_t k = 0; k < n; k++) {
                double sk = h->sin_ring[ch + (size_t)k * len + now];
                double ck = h->cos_ring[ch + (size_t)k * len + now];
                o[k] = c->a * (ck * Gs[k] - sk * Gc[k]);
            }
            break;
        }
        case DTB_COUPLING_DIFFERENCE:
            gather(net, h->ring + ch, H, m, o);
            for (int64_t k = 0; k < n; k++)
                o[k] = c->a * (o[k] - h->ring[ch + (size_t)k * len + now] * net->row_sum[k]);
            break;
        case DTB_COUPLING_SCALING:
            gather(net, h->ring + ch, H, m, o);
            for (int64_t k = 0; k < n; k++)
                o[k] = c->a * o[k];
            break;
        default:
            gather(net, h->ring + ch, H, m, o);
            for (int64_t k = 0; k < n; k++)
                o[k] = c->a * o[k] + c->b;
            break;
        }
    }
}
