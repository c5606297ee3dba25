/* libdtb — the delayed weighted sums ("gathers") of history channels.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See network.h for the layout. Near edges: per target, four interleaved
 * partial sums over ascending sources. Far edges: once per block of
 * DTB__GATHER_BLOCK steps, per source, contiguous runs of the ring. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/clones.h"
#include "network.h"

dtb_status dtb__gather_cache_init(dtb__gather_cache *g, int64_t n, size_t n_cvar)
{
    /* Up to two channels per coupling variable (Kuramoto: sine, cosine). */
    g->start = -1;
    g->n_channels = 2 * (n_cvar ? n_cvar : 1);
    g->G = dtb__calloc(g->n_channels * (size_t)n * DTB__GATHER_BLOCK, sizeof *g->G);
    g->sums = dtb__calloc(g->n_channels * (size_t)n, sizeof *g->sums);
    g->current = dtb__calloc((size_t)n, sizeof *g->current);
    return g->G && g->sums && g->current ? DTB_OK : DTB_ENOMEM;
}

void dtb__gather_cache_free(dtb__gather_cache *g)
{
    free(g->G);
    free(g->sums);
    free(g->current);
    g->G = g->sums = g->current = NULL;
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

/* Dense delay-free near part. x: the channel's current values, copied to
 * a contiguous array. Eight interleaved partial sums per target (term j
 * goes to sum j mod 8, combined in a fixed tree): two independent vector
 * accumulators hide the addition latency; the order is the same on every
 * run and CPU (a separate multiply and add, never a fused one). */
static void current_values(const double *ring, int64_t n, int64_t horizon, int64_t m, double *x)
{
    const size_t len = 2 * (size_t)horizon;
    const size_t now = (size_t)(m % horizon) + (size_t)horizon;
    for (int64_t j = 0; j < n; j++)
        x[j] = ring[(size_t)j * len + now];
}

/* One target row: eight partial sums, combined in a fixed tree. */
static inline double dense_row(const double *restrict w, int64_t n, const double *restrict x)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int q = 0; q < 8; q++)
            s[q] += w[j + q] * x[j + q];
    for (int q = 0; j < n; j++, q++)
        s[q] += w[j] * x[j];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

/* Four target rows at a time share each load of x and keep 8 independent
 * vector accumulators in registers (GCC/Clang vector types: lanes 0-3 and
 * 4-7 of each row's eight partial sums); every row's arithmetic is exactly
 * dense_row's, so the blocking changes the speed, not a bit of the result. */
#if defined(__GNUC__)
typedef double dtb__v4d __attribute__((vector_size(32), aligned(8)));

/* Vectors go through memory and pointers, never by value across a
 * function boundary: their calling convention differs between the AVX2
 * clone and the baseline one (gcc's -Wpsabi), and inlined they cost
 * nothing. */
static inline void load4(dtb__v4d *v, const double *p) { memcpy(v, p, sizeof *v); }

static inline void finish_row(const dtb__v4d *lo, const dtb__v4d *hi, const double *restrict w,
                              int64_t j, int64_t n, const double *restrict x, double *out)
{
    double s[8];
    memcpy(s, lo, sizeof *lo);
    memcpy(s + 4, hi, sizeof *hi);
    for (int q = 0; j < n; j++, q++)
        s[q] += w[j] * x[j];
    *out = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

DTB__CLONES_AVX512
static void gather_dense(const double *restrict W, int64_t n, const double *restrict x,
                         double *restrict G)
{
    enum { R = 4 };
    int64_t k = 0;
    for (; k + R <= n; k += R) {
        const double *restrict w0 = W + (size_t)k * (size_t)n;
        const double *restrict w1 = w0 + n, *restrict w2 = w1 + n, *restrict w3 = w2 + n;
        dtb__v4d a0 = {0}, b0 = {0}, a1 = {0}, b1 = {0}, a2 = {0}, b2 = {0}, a3 = {0}, b3 = {0};
        int64_t j = 0;
        for (; j + 8 <= n; j += 8) {
            dtb__v4d xa, xb, u;
            load4(&xa, x + j);
            load4(&xb, x + j + 4);
            load4(&u, w0 + j);
            a0 += u * xa;
            load4(&u, w0 + j + 4);
            b0 += u * xb;
            load4(&u, w1 + j);
            a1 += u * xa;
            load4(&u, w1 + j + 4);
            b1 += u * xb;
            load4(&u, w2 + j);
            a2 += u * xa;
            load4(&u, w2 + j + 4);
            b2 += u * xb;
            load4(&u, w3 + j);
            a3 += u * xa;
            load4(&u, w3 + j + 4);
            b3 += u * xb;
        }
        finish_row(&a0, &b0, w0, j, n, x, &G[k]);
        finish_row(&a1, &b1, w1, j, n, x, &G[k + 1]);
        finish_row(&a2, &b2, w2, j, n, x, &G[k + 2]);
        finish_row(&a3, &b3, w3, j, n, x, &G[k + 3]);
    }
    for (; k < n; k++)
        G[k] = dense_row(W + (size_t)k * (size_t)n, n, x);
}

/* Symmetric W (w_kj = w_jk): only the upper triangle is read, half the
 * bytes of the full product, which is bound by the cache's bandwidth.
 * Each weight w_kj (j > k) serves both ends: G_k += w_kj x_j (row k's dot
 * product) and G_j += w_kj x_k (scattered forward into G). Rows go in
 * blocks of four: the pairs inside a block first, in a fixed order, then
 * the columns beyond it four at a time, each column group receiving the
 * four rows' terms in one addition tree. The order differs from the full
 * product's (last-bit differences), but is fixed: the same bits on every
 * run and CPU. */
static inline double hsum4(const dtb__v4d *v)
{
    double s[4];
    memcpy(s, v, sizeof s);
    return (s[0] + s[2]) + (s[1] + s[3]);
}

DTB__CLONES
static void gather_dense_symmetric(const double *restrict W, int64_t n, const double *restrict x,
                                   double *restrict G)
{
    memset(G, 0, (size_t)n * sizeof *G);
    int64_t k = 0;
    for (; k + 4 <= n; k += 4) {
        const double *restrict w0 = W + (size_t)k * (size_t)n;
        const double *restrict w1 = w0 + n, *restrict w2 = w1 + n, *restrict w3 = w2 + n;
        const double x0 = x[k], x1 = x[k + 1], x2 = x[k + 2], x3 = x[k + 3];
        /* the block's diagonal (self-connections) and its six pairs */
        double d0 = (w0[k] * x0 + w0[k + 1] * x1) + (w0[k + 2] * x2 + w0[k + 3] * x3);
        double d1 = (w0[k + 1] * x0 + w1[k + 1] * x1) + (w1[k + 2] * x2 + w1[k + 3] * x3);
        double d2 = (w0[k + 2] * x0 + w1[k + 2] * x1) + (w2[k + 2] * x2 + w2[k + 3] * x3);
        double d3 = (w0[k + 3] * x0 + w1[k + 3] * x1) + (w2[k + 3] * x2 + w3[k + 3] * x3);
        /* the columns beyond the block */
        const dtb__v4d v0 = {x0, x0, x0, x0}, v1 = {x1, x1, x1, x1}, v2 = {x2, x2, x2, x2},
                       v3 = {x3, x3, x3, x3};
        dtb__v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        int64_t j = k + 4;
        for (; j + 4 <= n; j += 4) {
            dtb__v4d u0, u1, u2, u3, xj, g;
            load4(&u0, w0 + j);
            load4(&u1, w1 + j);
            load4(&u2, w2 + j);
            load4(&u3, w3 + j);
            load4(&xj, x + j);
            a0 += u0 * xj;
            a1 += u1 * xj;
            a2 += u2 * xj;
            a3 += u3 * xj;
            load4(&g, G + j);
            g += (u0 * v0 + u1 * v1) + (u2 * v2 + u3 * v3);
            memcpy(G + j, &g, sizeof g);
        }
        for (; j < n; j++) {
            d0 += w0[j] * x[j];
            d1 += w1[j] * x[j];
            d2 += w2[j] * x[j];
            d3 += w3[j] * x[j];
            G[j] += (w0[j] * x0 + w1[j] * x1) + (w2[j] * x2 + w3[j] * x3);
        }
        G[k] += hsum4(&a0) + d0;
        G[k + 1] += hsum4(&a1) + d1;
        G[k + 2] += hsum4(&a2) + d2;
        G[k + 3] += hsum4(&a3) + d3;
    }
    for (; k < n; k++) {   /* the last n mod 4 rows, one at a time */
        const double *restrict w = W + (size_t)k * (size_t)n;
        double d = w[k] * x[k];
        for (int64_t j = k + 1; j < n; j++) {
            d += w[j] * x[j];
            G[j] += w[j] * x[k];
        }
        G[k] += d;
    }
}
#else
static void gather_dense(const double *restrict W, int64_t n, const double *restrict x,
                         double *restrict G)
{
    for (int64_t k = 0; k < n; k++)
        G[k] = dense_row(W + (size_t)k * (size_t)n, n, x);
}

static void gather_dense_symmetric(const double *restrict W, int64_t n, const double *restrict x,
                                   double *restrict G)
{
    gather_dense(W, n, x, G);
}
#endif

void dtb__dense_product(const double *W, int64_t n, const double *x, double *y, int symmetric)
{
    if (symmetric)
        gather_dense_symmetric(W, n, x, y);
    else
        gather_dense(W, n, x, y);
}

/* Far edges for the block of steps m+1 .. m+B at once:
 * G[k][b] = sum_j w_kj * ring_j[m + b - d_kj], b < B. d_kj >= B - 1 >= b,
 * so only known states are read; for each edge the B values are one
 * contiguous run of the source's ring. */
/* AVX2 when the CPU has it (picked once at load time), plain SSE2
 * otherwise; the same arithmetic either way (no FMA contraction). */
DTB__CLONES
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

void dtb__gather(const dtb__network *net, const dtb__history *h, dtb__gather_cache *cache, int64_t m)
{
    const int64_t n = net->n, H = h->horizon;
    const size_t n_channels = h->n_channels;
    int64_t b = m - cache->start;
    if (cache->start < 0 || b < 0 || b >= DTB__GATHER_BLOCK) {
        cache->start = m;
        b = 0;
        if (net->far.n_edges)
            for (size_t ch = 0; ch < n_channels; ch++)
                gather_far(&net->far, n, dtb__history_channel(h, ch), H, m,
                           cache->G + ch * (size_t)n * DTB__GATHER_BLOCK);
    }
    for (size_t ch = 0; ch < n_channels; ch++) {
        double *G = cache->sums + ch * (size_t)n;
        if (net->near.dense) {
            current_values(dtb__history_channel(h, ch), n, H, m, cache->current);
            if (net->near.dense_symmetric)
                gather_dense_symmetric(net->near.dense, n, cache->current, G);
            else
                gather_dense(net->near.dense, n, cache->current, G);
        } else
            gather_near(&net->near, n, dtb__history_channel(h, ch), H, m, G);
        if (net->far.n_edges) {
            const double *F = cache->G + ch * (size_t)n * DTB__GATHER_BLOCK + b;
            for (int64_t k = 0; k < n; k++)
                G[k] += F[k * DTB__GATHER_BLOCK];
        }
    }
}
