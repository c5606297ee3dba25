/* libdtb — the coupling gathers of K simulations at once ("lanes").
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * K simulations of one network (a lockstep batch, sim/sim_batch.c) keep
 * their histories interleaved: the ring of a channel is [region][S][K]
 * with S = H + B slots (DTB__LANES_SLOTS): the value after step t is in
 * slot t mod H, and the B slots past H repeat the first B, so that a block
 * of B consecutive slots never wraps (a single ring plus a guard, half the
 * memory of the doubled ring of one simulation: K histories must stay in
 * the caches). Lane p of slot s of region j is at ring[(j * S + s) * K + p].
 * Every edge's
 * weight, delay and indices are then read once for all K lanes, and the
 * values it sums for the K lanes (times B steps for the far edges) are one
 * contiguous run of memory, which vector registers take K at a time.
 *
 * Each lane's sums are computed with exactly the arithmetic of gather.c
 * (the same partial sums, the same order, separate multiplies and adds),
 * so that a simulation in a batch gives the same bits as alone. The
 * functions below mirror gather.c one for one; the inner loops over lanes
 * are the only difference. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/clones.h"
#include "network.h"


static dtb_status lanes_edges(const dtb__network *net, size_t K, dtb__gather_lanes *g);
static dtb_status far_tiles(const dtb__network *net, size_t K, dtb__gather_lanes *g);

dtb_status dtb__gather_lanes_init(dtb__gather_lanes *g, const dtb__network *net, size_t n_channels,
                                  size_t K)
{
    const int64_t n = net->n;
    memset(g, 0, sizeof *g);
    g->start = -1;
    g->K = K;
    g->n_channels = n_channels;
    size_t nk = (size_t)n * K, ch = n_channels ? n_channels : 1;
    g->G = dtb__calloc(ch * nk * DTB__GATHER_BLOCK, sizeof *g->G);
    g->sums = dtb__calloc(ch * nk, sizeof *g->sums);
    g->current = dtb__calloc(nk, sizeof *g->current);
    g->scratch = dtb__calloc(16 * K, sizeof *g->scratch);
    dtb_status st = g->G && g->sums && g->current && g->scratch ? DTB_OK : DTB_ENOMEM;
    if (!st)
        st = lanes_edges(net, K, g);
    if (!st)
        st = far_tiles(net, K, g);
    if (st)
        dtb__gather_lanes_free(g);
    return st;
}

void dtb__gather_lanes_free(dtb__gather_lanes *g)
{
    free(g->G);
    free(g->sums);
    free(g->current);
    free(g->scratch);
    free(g->far_source);
    free(g->far_target);
    free(g->far_delay);
    free(g->far_weight);
    free(g->near_start);
    free(g->near_base);
    free(g->near_delay);
    free(g->near_weight);
    memset(g, 0, sizeof *g);
}

/* Near edges: gather_near's four interleaved partial sums, per lane. */
DTB__CLONES
static void near_lanes(const dtb__gather_lanes *g, int64_t n, const double *ring, int64_t horizon,
                       int64_t m, size_t K, double *restrict s, double *restrict G)
{
    const int64_t pos = m % horizon;
    const int64_t *restrict base = g->near_base;
    const int32_t *restrict del = g->near_delay;
    const double *restrict w = g->near_weight;
    double *restrict s0 = s, *restrict s1 = s + K, *restrict s2 = s + 2 * K, *restrict s3 = s + 3 * K;
#define SRC(e) (ring + base[e] + (size_t)(pos >= del[e] ? pos - del[e] : pos - del[e] + horizon) * K)
    for (int64_t k = 0; k < n; k++) {
        memset(s, 0, 4 * K * sizeof *s);
        int64_t e = g->near_start[k];
        const int64_t end = g->near_start[k + 1];
        for (; e + 4 <= end; e += 4) {
            const double *restrict a = SRC(e), *restrict b = SRC(e + 1);
            const double *restrict c = SRC(e + 2), *restrict d = SRC(e + 3);
            const double wa = w[e], wb = w[e + 1], wc = w[e + 2], wd = w[e + 3];
            for (size_t p = 0; p < K; p++) {
                s0[p] += wa * a[p];
                s1[p] += wb * b[p];
                s2[p] += wc * c[p];
                s3[p] += wd * d[p];
            }
        }
        for (int q = 0; e < end; e++, q++) {
            const double *restrict a = SRC(e);
            double *restrict t = q == 0 ? s0 : q == 1 ? s1 : s2;
            for (size_t p = 0; p < K; p++)
                t[p] += w[e] * a[p];
        }
        double *restrict out = G + (size_t)k * K;
        for (size_t p = 0; p < K; p++)
            out[p] = (s0[p] + s1[p]) + (s2[p] + s3[p]);
    }
#undef SRC
}

/* The channel's current values of every region and lane, [n][K]. */
static void current_lanes(const double *ring, int64_t n, int64_t horizon, int64_t m, size_t K,
                          double *x)
{
    const size_t slots = (size_t)DTB__LANES_SLOTS(horizon);
    const size_t pos = (size_t)(m % horizon);
    for (int64_t j = 0; j < n; j++)
        memcpy(x + (size_t)j * K, ring + ((size_t)j * slots + pos) * K, K * sizeof *x);
}

/* Dense delay-free: dense_row's eight partial sums per target, per lane. */
DTB__CLONES
static void dense_lanes(const double *restrict W, int64_t n, const double *restrict x, size_t K,
                        double *restrict s, double *restrict G)
{
    for (int64_t k = 0; k < n; k++) {
        const double *restrict w = W + (size_t)k * (size_t)n;
        memset(s, 0, 8 * K * sizeof *s);
        int64_t j = 0;
        for (; j + 8 <= n; j += 8)
            for (int q = 0; q < 8; q++) {
                const double wq = w[j + q];
                const double *restrict xq = x + (size_t)(j + q) * K;
                double *restrict sq = s + (size_t)q * K;
                for (size_t p = 0; p < K; p++)
                    sq[p] += wq * xq[p];
            }
        for (int q = 0; j < n; j++, q++) {
            const double *restrict xq = x + (size_t)j * K;
            double *restrict sq = s + (size_t)q * K;
            for (size_t p = 0; p < K; p++)
                sq[p] += w[j] * xq[p];
        }
        double *restrict g = G + (size_t)k * K;
        for (size_t p = 0; p < K; p++)
            g[p] = ((s[p] + s[4 * K + p]) + (s[K + p] + s[5 * K + p])) +
                   ((s[2 * K + p] + s[6 * K + p]) + (s[3 * K + p] + s[7 * K + p]));
    }
}

#if defined(__GNUC__)
/* Dense symmetric: gather_dense_symmetric's order (upper triangle, blocks
 * of four rows, the block's pairs first, then the columns beyond it in
 * groups of four, each row's lane-l partial sums over the groups), per
 * lane. a[r][l] is row r's partial sum of group lane l. */
DTB__CLONES
static void dense_symmetric_lanes(const double *restrict W, int64_t n, const double *restrict x,
                                  size_t K, double *restrict s, double *restrict G)
{
    memset(G, 0, (size_t)n * K * sizeof *G);
    double *restrict a = s;   /* [4 rows][4 lanes of the group][K] */
    int64_t k = 0;
    for (; k + 4 <= n; k += 4) {
        const double *restrict w0 = W + (size_t)k * (size_t)n;
        const double *restrict w1 = w0 + n, *restrict w2 = w1 + n, *restrict w3 = w2 + n;
        const double *restrict x0 = x + (size_t)k * K, *restrict x1 = x0 + K,
                               *restrict x2 = x1 + K, *restrict x3 = x2 + K;
        double *restrict g0 = G + (size_t)k * K, *restrict g1 = g0 + K, *restrict g2 = g1 + K,
                         *restrict g3 = g2 + K;
        memset(a, 0, 16 * K * sizeof *a);
        int64_t j = k + 4;
        for (; j + 4 <= n; j += 4) {
            for (int l = 0; l < 4; l++) {
                const double *restrict xj = x + (size_t)(j + l) * K;
                const double u0 = w0[j + l], u1 = w1[j + l], u2 = w2[j + l], u3 = w3[j + l];
                double *restrict a0 = a + (size_t)(0 * 4 + l) * K, *restrict a1 = a + (size_t)(1 * 4 + l) * K;
                double *restrict a2 = a + (size_t)(2 * 4 + l) * K, *restrict a3 = a + (size_t)(3 * 4 + l) * K;
                double *restrict gj = G + (size_t)(j + l) * K;
                for (size_t p = 0; p < K; p++) {
                    a0[p] += u0 * xj[p];
                    a1[p] += u1 * xj[p];
                    a2[p] += u2 * xj[p];
                    a3[p] += u3 * xj[p];
                    gj[p] += (u0 * x0[p] + u1 * x1[p]) + (u2 * x2[p] + u3 * x3[p]);
                }
            }
        }
        /* the block's diagonal and pairs, then the columns past the groups */
        for (size_t p = 0; p < K; p++) {
            double d0 = (w0[k] * x0[p] + w0[k + 1] * x1[p]) + (w0[k + 2] * x2[p] + w0[k + 3] * x3[p]);
            double d1 = (w0[k + 1] * x0[p] + w1[k + 1] * x1[p]) + (w1[k + 2] * x2[p] + w1[k + 3] * x3[p]);
            double d2 = (w0[k + 2] * x0[p] + w1[k + 2] * x1[p]) + (w2[k + 2] * x2[p] + w2[k + 3] * x3[p]);
            double d3 = (w0[k + 3] * x0[p] + w1[k + 3] * x1[p]) + (w2[k + 3] * x2[p] + w3[k + 3] * x3[p]);
            for (int64_t jj = j; jj < n; jj++) {
                const double xv = x[(size_t)jj * K + p];
                d0 += w0[jj] * xv;
                d1 += w1[jj] * xv;
                d2 += w2[jj] * xv;
                d3 += w3[jj] * xv;
                G[(size_t)jj * K + p] += (w0[jj] * x0[p] + w1[jj] * x1[p]) + (w2[jj] * x2[p] + w3[jj] * x3[p]);
            }
            /* hsum4: (lanes 0 + 2) + (lanes 1 + 3) */
#define HSUM(r) ((a[(size_t)((r) * 4 + 0) * K + p] + a[(size_t)((r) * 4 + 2) * K + p]) + \
                 (a[(size_t)((r) * 4 + 1) * K + p] + a[(size_t)((r) * 4 + 3) * K + p]))
            g0[p] += HSUM(0) + d0;
            g1[p] += HSUM(1) + d1;
            g2[p] += HSUM(2) + d2;
            g3[p] += HSUM(3) + d3;
#undef HSUM
        }
    }
    for (; k < n; k++) {   /* the last n mod 4 rows, one at a time */
        const double *restrict w = W + (size_t)k * (size_t)n;
        const double *restrict xk = x + (size_t)k * K;
        double *restrict gk = G + (size_t)k * K;
        for (size_t p = 0; p < K; p++) {
            double d = w[k] * xk[p];
            for (int64_t j = k + 1; j < n; j++) {
                d += w[j] * x[(size_t)j * K + p];
                G[(size_t)j * K + p] += w[j] * xk[p];
            }
            gk[p] += d;
        }
    }
}
#else
static void dense_symmetric_lanes(const double *restrict W, int64_t n, const double *restrict x,
                                  size_t K, double *restrict s, double *restrict G)
{
    dense_lanes(W, n, x, K, s, G);
}
#endif

/* The near edges in the lanes' layout, in the pull set's own order: per
 * edge the start of its source's ring and its delay. */
static dtb_status lanes_edges(const dtb__network *net, size_t K, dtb__gather_lanes *g)
{
    const int64_t n = net->n, H = net->horizon;
    const size_t slots = (size_t)DTB__LANES_SLOTS(H);
    const dtb__pull_set *ps = &net->near;
    const int64_t mn = ps->n_edges;
    g->near_start = dtb__calloc((size_t)n + 1, sizeof *g->near_start);
    g->near_base = dtb__malloc_array(mn ? (size_t)mn : 1, sizeof *g->near_base);
    g->near_delay = dtb__malloc_array(mn ? (size_t)mn : 1, sizeof *g->near_delay);
    g->near_weight = dtb__malloc_array(mn ? (size_t)mn : 1, sizeof *g->near_weight);
    if (!g->near_start || !g->near_base || !g->near_delay || !g->near_weight)
        return DTB_ENOMEM;
    /* near: offset = source * 2H - delay in the doubled ring, delay < 2H */
    const int64_t len = 2 * H;
    memcpy(g->near_start, ps->row_start ? ps->row_start : g->near_start,
           ((size_t)n + 1) * sizeof *g->near_start);
    for (int64_t e = 0; e < mn; e++) {
        int64_t off = ps->offset[e], d = ((-off) % len + len) % len, j = (off + d) / len;
        g->near_base[e] = j * (int64_t)slots * (int64_t)K;
        g->near_delay[e] = (int32_t)d;
        g->near_weight[e] = ps->weight[e];
    }
    return DTB_OK;
}

/* Far edges for the block of steps m .. m+B-1 at once: G[k][b][p], each
 * target's terms in gather_far's order (sources ascending), so the bits
 * are gather_far's. With K lanes neither the ring (n (H + B) K doubles)
 * nor the sums (n B K) fit in the inner caches, and an edge reads B K
 * values and adds them into B K sums: visiting targets first reads the
 * whole ring once per target, visiting sources first (gather_far's
 * order) moves every sum through L2 for every edge. So the edges go in
 * tiles: a few sources (whose lanes stay in L2) by a few targets (whose
 * sums stay in L1); tiles by ascending source tile, so each target still
 * sees its sources in ascending order. */
enum {
    TILE_L1_SUMS = 16 * 1024,   /* bytes of one target tile's sums */
    TILE_L2_RING = 256 * 1024,  /* bytes of one source tile's lanes */
};

static dtb_status far_tiles(const dtb__network *net, size_t K, dtb__gather_lanes *g)
{
    const dtb__edge_set *es = &net->far;
    const size_t n = (size_t)net->n, mf = (size_t)es->n_edges;
    const size_t run_bytes = (size_t)DTB__GATHER_BLOCK * K * sizeof(double);
    const size_t lane_bytes = (size_t)DTB__LANES_SLOTS(net->horizon) * K * sizeof(double);
    size_t tt = TILE_L1_SUMS / run_bytes, ts = TILE_L2_RING / lane_bytes;
    tt = tt < 1 ? 1 : tt > n ? n : tt;
    ts = ts < 1 ? 1 : ts > n ? n : ts;
    g->far_source = dtb__malloc_array(mf ? mf : 1, sizeof *g->far_source);
    g->far_target = dtb__malloc_array(mf ? mf : 1, sizeof *g->far_target);
    g->far_delay = dtb__malloc_array(mf ? mf : 1, sizeof *g->far_delay);
    g->far_weight = dtb__malloc_array(mf ? mf : 1, sizeof *g->far_weight);
    if (!g->far_source || !g->far_target || !g->far_delay || !g->far_weight)
        return DTB_ENOMEM;
    size_t at = 0;
    for (size_t s0 = 0; s0 < n; s0 += ts)
        for (size_t t0 = 0; t0 < n; t0 += tt)
            for (size_t j = s0; j < s0 + ts && j < n; j++)
                for (int64_t e = es->src_start[j]; e < es->src_start[j + 1]; e++) {
                    const size_t k = (size_t)es->target[e];
                    if (k < t0 || k >= t0 + tt)
                        continue;
                    g->far_source[at] = (int32_t)j;
                    g->far_target[at] = es->target[e];
                    g->far_delay[at] = es->delay[e];
                    g->far_weight[at] = es->weight[e];
                    at++;
                }
    g->n_far = (int64_t)at;
    return DTB_OK;
}

DTB__CLONES
static void far_lanes(const dtb__gather_lanes *g, int64_t n, const double *ring, int64_t horizon,
                      int64_t m, size_t K, double *restrict G)
{
    const int64_t pos = m % horizon;
    const size_t run = (size_t)DTB__GATHER_BLOCK * K;
    const size_t lane_ring = (size_t)DTB__LANES_SLOTS(horizon) * K;
    const int32_t *restrict src_of = g->far_source;
    const int32_t *restrict tgt = g->far_target;
    const int32_t *restrict del = g->far_delay;
    const double *restrict w = g->far_weight;
    const int64_t end = g->n_far;
    memset(G, 0, (size_t)n * run * sizeof *G);
    for (int64_t e = 0; e < end; e++) {
        const int64_t s0 = pos >= del[e] ? pos - del[e] : pos - del[e] + horizon;
        const double *restrict src = ring + (size_t)src_of[e] * lane_ring + (size_t)s0 * K;
        double *restrict out = G + (size_t)tgt[e] * run;
        const double we = w[e];
        for (size_t i = 0; i < run; i++)
            out[i] += we * src[i];
    }
}

void dtb__gather_lanes_run(const dtb__network *net, const double *const *channels, int64_t horizon,
                           dtb__gather_lanes *g, int64_t m)
{
    const int64_t n = net->n;
    const size_t K = g->K, nk = (size_t)n * K;
    int64_t b = m - g->start;
    if (g->start < 0 || b < 0 || b >= DTB__GATHER_BLOCK) {
        g->start = m;
        b = 0;
        if (net->far.n_edges)
            for (size_t ch = 0; ch < g->n_channels; ch++)
                far_lanes(g, n, channels[ch], horizon, m, K, g->G + ch * nk * DTB__GATHER_BLOCK);
    }
    for (size_t ch = 0; ch < g->n_channels; ch++) {
        double *S = g->sums + ch * nk;
        if (net->near.dense) {
            current_lanes(channels[ch], n, horizon, m, K, g->current);
            if (net->near.dense_symmetric)
                dense_symmetric_lanes(net->near.dense, n, g->current, K, g->scratch, S);
            else
                dense_lanes(net->near.dense, n, g->current, K, g->scratch, S);
        } else
            near_lanes(g, n, channels[ch], horizon, m, K, g->scratch, S);
        if (net->far.n_edges) {
            const double *F = g->G + ch * nk * DTB__GATHER_BLOCK + (size_t)b * K;
            for (int64_t k = 0; k < n; k++) {
                const double *f = F + (size_t)k * DTB__GATHER_BLOCK * K;
                double *s = S + (size_t)k * K;
                for (size_t p = 0; p < K; p++)
                    s[p] += f[p];
            }
        }
    }
}
