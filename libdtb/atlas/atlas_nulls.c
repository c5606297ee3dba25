/* libdtb — null connectomes: randomised atlases that keep chosen
 * properties of the original (dtb_atlas_rewire).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The diagonal (self-connections) is kept as it is and never rewired. A
 * symmetric weight matrix is rewired as an undirected graph (every swap
 * keeps it symmetric), any other as a directed one (rows are targets:
 * w[k][j] is the edge j -> k).
 *
 *   DEGREE    Maslov & Sneppen (2002): double-edge swaps a-b, c-d -> a-d,
 *             c-b that create neither a self-connection nor a duplicate;
 *             every region keeps its degree (in- and out-degree when
 *             directed) exactly, weights travel with their edges.
 *   STRENGTH  after Rubinov & Sporns (2011): the DEGREE topology, then the
 *             original weights reassigned — by rank of the expected weight
 *             of each new edge (the original out-strength of its source
 *             times the in-strength of its target), then refined by swaps
 *             of two edges' weights that bring the in- and out-strengths
 *             closer to the original ones — and last scaled by
 *             iterative proportional fitting (Sinkhorn-Knopp; symmetric
 *             for an undirected graph) until every region's strength (in-
 *             and out-strength when directed) is the original one to a
 *             relative 1e-12. Degrees and strengths exactly, the weight
 *             distribution approximately. Non-negative weights only.
 *   RANDOM    the same number of edges placed uniformly at random, the
 *             original weights shuffled over them (Erdos-Renyi with the
 *             same density and weight distribution).
 *   SPATIAL   after Betzel & Bassett (2018): DEGREE swaps accepted only
 *             when each new edge's length falls in the length bin of the
 *             edge it replaces (10 bins of equal counts), then the weights
 *             shuffled within each length bin: degrees exactly, the edge
 *             length distribution and the wiring cost (sum of weight x
 *             length) approximately.
 * Every null is a function of the atlas, the model and the seed alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atlas_impl.h"
#include "base/base.h"
#include "base/rng.h"

#define LENGTH_BINS 10

typedef struct graph {
    int64_t n;
    int undirected;
    double *w;          /* n*n, the matrix being rewired */
    const double *len;  /* n*n lengths (SPATIAL), or NULL */
    int64_t *src, *dst; /* the edges: undirected src < dst; directed src -> dst (w[dst][src]) */
    int64_t m;
} graph;

/* Uniform in 0 .. n-1 (n < 2^53): a scaled uniform, no division (the
 * swap loops draw millions). */
static uint64_t below(dtb__rng *r, uint64_t n)
{
    const uint64_t k = (uint64_t)(dtb__rng_uniform(r) * (double)n);
    return k < n ? k : n - 1;
}

static int symmetric(const double *w, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++)
            if (w[i * n + j] != w[j * n + i])
                return 0;
    return 1;
}

/* w_(target, source) as the graph stores it */
static double *cell(graph *g, int64_t a, int64_t b) { return &g->w[b * g->n + a]; }

static dtb_status list_edges(graph *g)
{
    const int64_t n = g->n;
    g->m = 0;
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = 0; j < n; j++)
            if (k != j && g->w[k * n + j] != 0 && (!g->undirected || j < k))
                g->m++;
    g->src = dtb__malloc_array(g->m ? (size_t)g->m : 1, sizeof *g->src);
    g->dst = dtb__malloc_array(g->m ? (size_t)g->m : 1, sizeof *g->dst);
    if (!g->src || !g->dst)
        return DTB_ENOMEM;
    int64_t e = 0;
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = 0; j < n; j++)
            if (k != j && g->w[k * n + j] != 0 && (!g->undirected || j < k)) {
                g->src[e] = j;   /* source j, target k */
                g->dst[e++] = k;
            }
    return DTB_OK;
}

static void set_edge(graph *g, int64_t a, int64_t b, double v)
{
    *cell(g, a, b) = v;
    if (g->undirected)
        *cell(g, b, a) = v;
}

/* The length bin of a length (SPATIAL): edges[] of bin i end at bound[i]. */
static int bin_of(const double *bounds, double len)
{
    int b = 0;
    while (b < LENGTH_BINS - 1 && len > bounds[b])
        b++;
    return b;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Length bins of equal counts over the edges. */
static dtb_status length_bins(graph *g, double *bounds)
{
    double *l = dtb__malloc_array(g->m ? (size_t)g->m : 1, sizeof *l);
    if (!l)
        return DTB_ENOMEM;
    for (int64_t e = 0; e < g->m; e++)
        l[e] = g->len[g->dst[e] * g->n + g->src[e]];
    qsort(l, (size_t)g->m, sizeof *l, cmp_double);
    for (int b = 0; b < LENGTH_BINS; b++) {
        int64_t at = (int64_t)((double)(b + 1) * (double)g->m / LENGTH_BINS) - 1;
        bounds[b] = g->m ? l[at < 0 ? 0 : at] : 0;
    }
    free(l);
    return DTB_OK;
}

/* Maslov-Sneppen double-edge swaps; with bounds, only swaps that keep each
 * edge's length bin. */
static uint64_t swap_edges(graph *g, dtb__rng *r, double swaps_per_edge, const double *bounds)
{
    const int64_t n = g->n;
    if (g->m < 2 || g->m >= (g->undirected ? n * (n - 1) / 2 : n * (n - 1)))
        return 0;   /* every pair connected: no swap can create a new edge */
    const uint64_t attempts = (uint64_t)(swaps_per_edge * (double)g->m) * 4 + 100;
    uint64_t done = 0, target = (uint64_t)(swaps_per_edge * (double)g->m);
    for (uint64_t t = 0; t < attempts && done < target; t++) {
        int64_t e1 = (int64_t)below(r, (uint64_t)g->m), e2 = (int64_t)below(r, (uint64_t)g->m);
        if (e1 == e2)
            continue;
        int64_t a = g->src[e1], b = g->dst[e1], c = g->src[e2], d = g->dst[e2];
        if (g->undirected && dtb__rng_uniform(r) < 0.5) {   /* either orientation of e2 */
            int64_t tmp = c;
            c = d;
            d = tmp;
        }
        /* a-b, c-d -> a-d, c-b: four distinct regions, no duplicate */
        if (a == c || a == d || b == c || b == d)
            continue;
        if (*cell(g, a, d) != 0 || *cell(g, c, b) != 0)
            continue;
        if (bounds && (bin_of(bounds, g->len[d * n + a]) != bin_of(bounds, g->len[b * n + a]) ||
                       bin_of(bounds, g->len[b * n + c]) != bin_of(bounds, g->len[d * n + c])))
            continue;
        double w1 = *cell(g, a, b), w2 = *cell(g, c, d);
        set_edge(g, a, b, 0);
        set_edge(g, c, d, 0);
        set_edge(g, a, d, w1);
        set_edge(g, c, b, w2);
        g->src[e1] = g->undirected && d < a ? d : a;
        g->dst[e1] = g->undirected && d < a ? a : d;
        g->src[e2] = g->undirected && b < c ? b : c;
        g->dst[e2] = g->undirected && b < c ? c : b;
        done++;
    }
    return done;
}

static void shuffle(double *v, int64_t m, dtb__rng *r)
{
    for (int64_t i = m; i-- > 1;) {
        int64_t j = (int64_t)below(r, (uint64_t)i + 1);
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* The current weights of the edges, in edge order. */
static double *edge_weights(graph *g)
{
    double *v = dtb__malloc_array(g->m ? (size_t)g->m : 1, sizeof *v);
    for (int64_t e = 0; v && e < g->m; e++)
        v[e] = *cell(g, g->src[e], g->dst[e]);
    return v;
}

/* SPATIAL: weights shuffled among the edges of each length bin. */
static dtb_status shuffle_within_bins(graph *g, dtb__rng *r, const double *bounds)
{
    double *v = edge_weights(g);
    int64_t *idx = dtb__malloc_array(g->m ? (size_t)g->m : 1, sizeof *idx);
    if (!v || !idx) {
        free(v);
        free(idx);
        return DTB_ENOMEM;
    }
    for (int b = 0; b < LENGTH_BINS; b++) {
        int64_t k = 0;
        for (int64_t e = 0; e < g->m; e++)
            if (bin_of(bounds, g->len[g->dst[e] * g->n + g->src[e]]) == b)
                idx[k++] = e;
        for (int64_t i = k; i-- > 1;) {
            int64_t j = (int64_t)below(r, (uint64_t)i + 1);
            int64_t ei = idx[i], ej = idx[j];
            double t = v[ei];
            v[ei] = v[ej];
            v[ej] = t;
        }
    }
    for (int64_t e = 0; e < g->m; e++)
        set_edge(g, g->src[e], g->dst[e], v[e]);
    free(v);
    free(idx);
    return DTB_OK;
}

typedef struct ranked {
    double key;
    int64_t index;
} ranked;

static int cmp_ranked(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* The in- (row) and out- (column) sums of every region, diagonal left out;
 * for an undirected graph both are the strength. */
static void edge_sums(const graph *g, double *in, double *out)
{
    const int64_t n = g->n;
    memset(in, 0, (size_t)n * sizeof *in);
    memset(out, 0, (size_t)n * sizeof *out);
    for (int64_t e = 0; e < g->m; e++) {
        double w = g->w[g->dst[e] * n + g->src[e]];
        in[g->dst[e]] += w;
        out[g->src[e]] += w;
        if (g->undirected) {
            in[g->src[e]] += w;
            out[g->dst[e]] += w;
        }
    }
}

/* The largest relative error of a region's sum (regions without edges
 * have none). */
/* One region's sum moved by a weight swap (refine_strengths). */
typedef struct touch {
    double *s;
    const double *s0;
    int64_t i;
    double d;
} touch;

/* The squared error of the distinct sums among the touched ones. */
static double touched_error(const touch *t, int nt)
{
    double e = 0;
    for (int a = 0; a < nt; a++) {
        int first = 1;
        for (int b = 0; b < a; b++)
            first &= !(t[b].s == t[a].s && t[b].i == t[a].i);
        if (first) {
            double x = t[a].s[t[a].i] - t[a].s0[t[a].i];
            e += x * x;
        }
    }
    return e;
}

/* STRENGTH: the original weights over the new edges by rank of the
 * expected weight (out-strength of the source x in-strength of the target;
 * undirected: the product of the strengths), then swaps of two edges'
 * weights that lower the squared error of the in- and out-strengths. in0,
 * out0: the original's (edge_sums); in, out: scratch. */
static dtb_status match_strengths(graph *g, const double *in0, const double *out0, double *in,
                                  double *out, double *weights, dtb__rng *r)
{
    const int64_t n = g->n, m = g->m;
    ranked *rk = dtb__malloc_array(m ? (size_t)m : 1, sizeof *rk);
    if (!rk)
        return DTB_ENOMEM;
    qsort(weights, (size_t)m, sizeof *weights, cmp_double);
    for (int64_t e = 0; e < m; e++)
        rk[e] = (ranked){out0[g->src[e]] * in0[g->dst[e]], e};
    qsort(rk, (size_t)m, sizeof *rk, cmp_ranked);
    for (int64_t i = 0; i < m; i++)
        set_edge(g, g->src[rk[i].index], g->dst[rk[i].index], weights[i]);
    edge_sums(g, in, out);
    /* refine: swapping the weights x (edge a-b) and y (edge c-d) moves the
     * sums of a and b by y - x and those of c and d by x - y */
    const uint64_t tries = (uint64_t)m * 10;
    for (uint64_t t = 0; t < tries && m >= 2; t++) {
        int64_t e1 = (int64_t)below(r, (uint64_t)m), e2 = (int64_t)below(r, (uint64_t)m);
        int64_t a = g->src[e1], b = g->dst[e1], c = g->src[e2], d = g->dst[e2];
        double x = g->w[b * n + a], y = g->w[d * n + c], dl = y - x;
        if (e1 == e2 || dl == 0)
            continue;
        touch tc[8];
        int nt = 0;
        tc[nt++] = (touch){out, out0, a, dl};
        tc[nt++] = (touch){in, in0, b, dl};
        tc[nt++] = (touch){out, out0, c, -dl};
        tc[nt++] = (touch){in, in0, d, -dl};
        if (g->undirected) {   /* an undirected edge counts at both ends, both ways */
            tc[nt++] = (touch){in, in0, a, dl};
            tc[nt++] = (touch){out, out0, b, dl};
            tc[nt++] = (touch){in, in0, c, -dl};
            tc[nt++] = (touch){out, out0, d, -dl};
        }
        /* the change of the squared error: sum of 2 e d + d^2 when the
         * touched sums are distinct, else counted with the duplicates.
         * Distinct: directed, out touches a, c and in b, d; undirected,
         * each array touches a, b, c, d (a != b and c != d: no loops) */
        const int distinct = g->undirected ? a != c && a != d && b != c && b != d
                                           : a != c && b != d;
        if (distinct) {
            double change = 0;
            for (int k = 0; k < nt; k++) {
                const double e = tc[k].s[tc[k].i] - tc[k].s0[tc[k].i];
                change += tc[k].d * (2 * e + tc[k].d);
            }
            if (change >= 0)
                continue;
            for (int k = 0; k < nt; k++)
                tc[k].s[tc[k].i] += tc[k].d;
        } else {
            const double before = touched_error(tc, nt);
            for (int k = 0; k < nt; k++)
                tc[k].s[tc[k].i] += tc[k].d;
            if (touched_error(tc, nt) >= before) {
                for (int k = 0; k < nt; k++)
                    tc[k].s[tc[k].i] -= tc[k].d;
                continue;
            }
        }
        set_edge(g, a, b, y);
        set_edge(g, c, d, x);
    }
    free(rk);
    return DTB_OK;
}

static double sums_error(const double *s, const double *s0, int64_t n)
{
    double worst = 0;
    for (int64_t i = 0; i < n; i++)
        if (s0[i] > 0)
            worst = fmax(worst, fabs(s[i] - s0[i]) / s0[i]);
    return worst;
}

#define FIT_SWEEPS 20000
#define FIT_TOLERANCE 1e-12

/* STRENGTH, last step: scale the edges until the sums are in0/out0 (the
 * original's). Undirected: w_ab *= sqrt(t_a / s_a) sqrt(t_b / s_b) per
 * sweep (symmetric Sinkhorn-Knopp); directed: rows to the in-strengths,
 * then columns to the out-strengths. */
static dtb_status fit_strengths(graph *g, const double *in0, const double *out0, double *in,
                                double *out, const char *atlas_name)
{
    const int64_t n = g->n;
    double err = INFINITY;
    for (int sweep = 0; sweep < FIT_SWEEPS; sweep++) {
        edge_sums(g, in, out);
        err = fmax(sums_error(in, in0, n), sums_error(out, out0, n));
        if (err <= FIT_TOLERANCE)
            return DTB_OK;
        for (int pass = 0; pass < (g->undirected ? 1 : 2); pass++) {
            if (pass)
                edge_sums(g, in, out);
            for (int64_t e = 0; e < g->m; e++) {
                const int64_t a = g->src[e], b = g->dst[e];
                double f;
                if (g->undirected)
                    f = sqrt(in0[a] / in[a] * (in0[b] / in[b]));
                else
                    f = pass ? out0[a] / out[a] : in0[b] / in[b];
                set_edge(g, a, b, *cell(g, a, b) * f);
            }
        }
    }
    return dtb__error(DTB_ENUMERIC, "dtb_atlas_rewire: the strength null of atlas '%s' did not "
                                    "reach the original strengths (relative error %.3g after %d "
                                    "sweeps): the rewired topology cannot carry them; try another "
                                    "seed or the degree null", atlas_name, err, FIT_SWEEPS);
}

/* The first index of row a of the upper triangle (a < b), row-major. */
static uint64_t upper_offset(int64_t a, int64_t n)
{
    return (uint64_t)a * (uint64_t)(2 * n - a - 1) / 2;
}

/* The row of index idx: the root of the quadratic, then corrected. */
static int64_t upper_row(uint64_t idx, int64_t n)
{
    double b = 2.0 * (double)n - 1.0;
    int64_t a = (int64_t)floor((b - sqrt(b * b - 8.0 * (double)idx)) / 2.0);
    if (a < 0)
        a = 0;
    while (a > 0 && upper_offset(a, n) > idx)
        a--;
    while (a + 1 < n && upper_offset(a + 1, n) <= idx)
        a++;
    return a;
}

/* RANDOM: the same number of edges at random places, the weights shuffled. */
static dtb_status random_graph(graph *g, double *weights, dtb__rng *r)
{
    const int64_t n = g->n;
    const uint64_t pairs = g->undirected ? (uint64_t)n * (uint64_t)(n - 1) / 2
                                         : (uint64_t)n * (uint64_t)(n - 1);
    for (int64_t e = 0; e < g->m; e++)
        set_edge(g, g->src[e], g->dst[e], 0);
    shuffle(weights, g->m, r);
    /* Floyd's sampling of m distinct pairs among the possible ones,
     * decoded from their index; placed in the order drawn */
    int64_t placed = 0;
    for (uint64_t j = pairs - (uint64_t)g->m; j < pairs; j++) {
        uint64_t t = below(r, j + 1);
        int64_t a, b;
        for (int pass = 0; pass < 2; pass++) {
            uint64_t idx = pass ? j : t;
            if (g->undirected) {   /* idx -> (a < b) in row order of the upper triangle */
                a = upper_row(idx, n);
                b = a + 1 + (int64_t)(idx - upper_offset(a, n));
            } else {
                a = (int64_t)(idx / (uint64_t)(n - 1));
                b = (int64_t)(idx % (uint64_t)(n - 1));
                b += b >= a;
            }
            if (!pass && *cell(g, a, b) == 0)
                break;   /* t is free: take it */
        }
        set_edge(g, a, b, weights[placed]);
        g->src[placed] = a;
        g->dst[placed++] = b;
    }
    return DTB_OK;
}

dtb_status dtb_atlas_rewire(dtb_atlas **out, const dtb_atlas *atlas, dtb_null_model model,
                            uint64_t seed, double swaps_per_edge)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_atlas_rewire: out is NULL");
    *out = NULL;
    if (!atlas)
        return dtb__error(DTB_EINVAL, "dtb_atlas_rewire: atlas is NULL");
    if (model < DTB_NULL_DEGREE || model > DTB_NULL_SPATIAL)
        return dtb__error(DTB_EINVAL, "dtb_atlas_rewire: unknown null model %d", (int)model);
    if (swaps_per_edge == 0)
        swaps_per_edge = 10;
    if (!isfinite(swaps_per_edge) || swaps_per_edge < 0 || swaps_per_edge > 1e4)
        return dtb__error(DTB_EINVAL, "dtb_atlas_rewire: %g swaps per edge (0 to 10^4)",
                          swaps_per_edge);
    if (model == DTB_NULL_SPATIAL && !atlas->lengths)
        return dtb__error(DTB_EINVAL, "dtb_atlas_rewire: the spatial null needs tract lengths or "
                                      "region centres (atlas '%s' has neither)", atlas->name);
    if (atlas->n < 4)
        return dtb__error(DTB_EINVAL, "dtb_atlas_rewire: %lld regions; a null needs at least 4",
                          (long long)atlas->n);
    dtb_atlas *a = NULL;
    dtb_status st = dtb_atlas_clone(&a, atlas);
    if (st)
        return st;
    graph g = {atlas->n, symmetric(atlas->weights, atlas->n), a->weights, a->lengths, NULL, NULL, 0};
    dtb__rng r;
    dtb__rng_seed(&r, seed);
    double bounds[LENGTH_BINS], *s0 = NULL, *weights = NULL;
    st = list_edges(&g);
    if (!st && model == DTB_NULL_SPATIAL)
        st = length_bins(&g, bounds);
    if (!st && model == DTB_NULL_STRENGTH) {
        for (int64_t e = 0; !st && e < g.m; e++)
            if (!(*cell(&g, g.src[e], g.dst[e]) > 0))
                st = dtb__error(DTB_EINVAL, "dtb_atlas_rewire: the strength null needs "
                                            "non-negative weights (atlas '%s': %g from region "
                                            "%lld to %lld)", atlas->name,
                                *cell(&g, g.src[e], g.dst[e]), (long long)g.src[e],
                                (long long)g.dst[e]);
        s0 = st ? NULL : dtb__malloc_array((size_t)g.n * 4, sizeof *s0);
        if (!st && !s0)
            st = DTB_ENOMEM;
        if (!st)
            edge_sums(&g, s0, s0 + g.n);   /* the original in, out */
    }
    if (!st && (model == DTB_NULL_STRENGTH || model == DTB_NULL_RANDOM) &&
        !(weights = edge_weights(&g)))
        st = DTB_ENOMEM;
    if (!st && model != DTB_NULL_RANDOM) {
        uint64_t done = swap_edges(&g, &r, swaps_per_edge, model == DTB_NULL_SPATIAL ? bounds : NULL);
        if (model == DTB_NULL_DEGREE && !done && swaps_per_edge * (double)g.m >= 1)
            st = dtb__error(DTB_EINVAL, "dtb_atlas_rewire: no degree-preserving swap exists in "
                                        "atlas '%s' (%lld edges among %lld regions: %s), so its "
                                        "degree null is itself; use the strength or random null",
                            atlas->name, (long long)g.m, (long long)g.n,
                            g.m >= g.n * (g.n - 1) / (g.undirected ? 2 : 1) ? "every pair connected"
                                                                            : "no two edges to swap");
    }
    if (!st && model == DTB_NULL_SPATIAL)
        st = shuffle_within_bins(&g, &r, bounds);
    if (!st && model == DTB_NULL_STRENGTH)
        st = match_strengths(&g, s0, s0 + g.n, s0 + 2 * g.n, s0 + 3 * g.n, weights, &r);
    if (!st && model == DTB_NULL_STRENGTH)
        st = fit_strengths(&g, s0, s0 + g.n, s0 + 2 * g.n, s0 + 3 * g.n, atlas->name);
    if (!st && model == DTB_NULL_RANDOM)
        st = random_graph(&g, weights, &r);
    static const char *const names[] = {"", "degree", "strength", "random", "spatial"};
    char *name = st ? NULL : dtb__asprintf("%s (%s null, seed %llu)", atlas->name, names[model],
                                           (unsigned long long)seed);
    if (!st && !name)
        st = DTB_ENOMEM;
    if (!st) {
        free(a->name);
        a->name = name;
    }
    free(g.src);
    free(g.dst);
    free(s0);
    free(weights);
    if (st) {
        dtb_atlas_free(a);
        return st;
    }
    *out = a;
    return DTB_OK;
}
