/* dtb_atlas_rewire: every null model keeps what it promises — degrees
 * (in and out), strengths, the edge count, the weights, the length bins —
 * on directed and undirected, sparse and dense connectomes (hand-made and
 * real ones from the shared data); it is seeded; it randomises; and it
 * refuses what it cannot do. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

typedef struct net {
    int64_t n;
    double *w;   /* n*n, rows are targets */
    double *len; /* n*n or NULL */
} net;

static net net_of(const dtb_atlas *a)
{
    net g;
    g.n = dtb_atlas_region_count(a);
    size_t nn = (size_t)(g.n * g.n);
    g.w = malloc(nn * sizeof *g.w);
    assert_int_equal(dtb_atlas_copy_weights(a, g.w, nn, NULL), DTB_OK);
    g.len = NULL;
    if (dtb_atlas_has_tract_lengths(a)) {
        g.len = malloc(nn * sizeof *g.len);
        assert_int_equal(dtb_atlas_copy_tract_lengths(a, g.len, nn, NULL), DTB_OK);
    }
    return g;
}

static void net_free(net *g)
{
    free(g->w);
    free(g->len);
}

static int is_symmetric(const net *g)
{
    for (int64_t i = 0; i < g->n; i++)
        for (int64_t j = 0; j < i; j++)
            if (g->w[i * g->n + j] != g->w[j * g->n + i])
                return 0;
    return 1;
}

/* in (row) and out (column) degree and strength, diagonal left out */
static void sums(const net *g, int64_t *in_deg, int64_t *out_deg, double *in_s, double *out_s)
{
    const int64_t n = g->n;
    for (int64_t i = 0; i < n; i++) {
        in_deg[i] = out_deg[i] = 0;
        in_s[i] = out_s[i] = 0;
    }
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = 0; j < n; j++) {
            double w = g->w[k * n + j];
            if (k == j || w == 0)
                continue;
            in_deg[k]++;
            out_deg[j]++;
            in_s[k] += w;
            out_s[j] += w;
        }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* the off-diagonal non-zero weights, sorted */
static double *sorted_weights(const net *g, size_t *m)
{
    double *v = malloc((size_t)(g->n * g->n) * sizeof *v);
    *m = 0;
    for (int64_t k = 0; k < g->n; k++)
        for (int64_t j = 0; j < g->n; j++)
            if (k != j && g->w[k * g->n + j] != 0)
                v[(*m)++] = g->w[k * g->n + j];
    qsort(v, *m, sizeof *v, cmp_double);
    return v;
}

static double wiring_cost(const net *g)
{
    double c = 0;
    for (int64_t i = 0; i < g->n * g->n; i++)
        c += g->w[i] * g->len[i];
    return c;
}

static double mean_edge_length(const net *g)
{
    double s = 0;
    int64_t m = 0;
    for (int64_t k = 0; k < g->n; k++)
        for (int64_t j = 0; j < g->n; j++)
            if (k != j && g->w[k * g->n + j] != 0) {
                s += g->len[k * g->n + j];
                m++;
            }
    return s / (double)m;
}

/* the share of the original's edges that are no longer there */
static double moved(const net *a, const net *b)
{
    int64_t gone = 0, m = 0;
    for (int64_t i = 0; i < a->n * a->n; i++)
        if (a->w[i] != 0 && i / a->n != i % a->n) {
            m++;
            gone += b->w[i] == 0;
        }
    return m ? (double)gone / (double)m : 0;
}

/* Check a null of `a` against the promises of its model. */
static void check_null(const dtb_atlas *a, dtb_null_model model, uint64_t seed, const char *what)
{
    dtb_atlas *b = NULL;
    dtb_status st = dtb_atlas_rewire(&b, a, model, seed, 0);
    if (st)
        fail_msg("%s: %s", what, dtb_last_error_message());
    assert_int_equal(dtb_atlas_region_count(b), dtb_atlas_region_count(a));
    assert_non_null(strstr(dtb_atlas_name(b), "null"));
    net g0 = net_of(a), g1 = net_of(b);
    const int64_t n = g0.n;
    for (int64_t i = 0; i < n; i++)   /* the diagonal is kept */
        assert_true(g0.w[i * n + i] == g1.w[i * n + i]);
    assert_int_equal(is_symmetric(&g1), is_symmetric(&g0));
    assert_int_equal(dtb_atlas_edge_count(b), dtb_atlas_edge_count(a));
    int64_t *d0 = malloc(4 * (size_t)n * sizeof *d0), *d1 = d0 + 2 * n;
    double *s0 = malloc(4 * (size_t)n * sizeof *s0), *s1 = s0 + 2 * n;
    sums(&g0, d0, d0 + n, s0, s0 + n);
    sums(&g1, d1, d1 + n, s1, s1 + n);
    size_t m0, m1;
    double *w0 = sorted_weights(&g0, &m0), *w1 = sorted_weights(&g1, &m1);
    assert_int_equal(m0, m1);
    int same_degrees = 1, same_weights = 1;
    for (int64_t i = 0; i < 2 * n; i++)
        same_degrees &= d0[i] == d1[i];
    for (size_t i = 0; i < m0; i++)
        same_weights &= w0[i] == w1[i];
    double strength_err = 0;
    for (int64_t i = 0; i < 2 * n; i++)
        if (s0[i] > 0)
            strength_err = nan_max(strength_err, fabs(s1[i] - s0[i]) / s0[i]);
    switch (model) {
    case DTB_NULL_DEGREE:
        if (!same_degrees || !same_weights)
            fail_msg("%s degree null: degrees %s, weights %s", what, same_degrees ? "kept" : "changed",
                     same_weights ? "kept" : "changed");
        assert_true(moved(&g0, &g1) > 0.3);
        break;
    case DTB_NULL_STRENGTH: {
        if (!same_degrees)
            fail_msg("%s strength null: degrees changed", what);
        if (!(strength_err <= 1e-10))   /* NaN fails */
            fail_msg("%s strength null: strengths off by %g (relative)", what, strength_err);
        /* the weight distribution approximately: quantiles within 25 % of
         * the largest weight, and a changed matrix */
        /* the weight distribution approximately: the Wasserstein-1 distance
         * of the sorted weights (robust to ties, unlike Kolmogorov-Smirnov:
         * tvb76's weights are a few integers) relative to the mean weight */
        double w1_dist = 0, mean = 0, changed = 0;
        for (size_t i = 0; i < m0; i++) {
            w1_dist += fabs(w0[i] - w1[i]);
            mean += w0[i];
        }
        for (int64_t i = 0; i < n * n; i++)
            changed += g0.w[i] != g1.w[i];
        print_message("%s strength null: weights moved by %.3f of their mean (Wasserstein-1)\n",
                      what, w1_dist / mean);
        if (w1_dist / mean > 0.05)
            fail_msg("%s strength null: the weight distribution moved by %g of the mean", what,
                     w1_dist / mean);
        assert_true(changed > 0.5 * (double)m0);
        break;
    }
    case DTB_NULL_RANDOM:
        if (!same_weights)
            fail_msg("%s random null: the weights changed", what);
        assert_true(moved(&g0, &g1) > 0.3 || m0 > (size_t)(0.9 * (double)(n * (n - 1))));
        break;
    case DTB_NULL_SPATIAL: {
        if (!same_degrees || !same_weights)
            fail_msg("%s spatial null: degrees %s, weights %s", what, same_degrees ? "kept" : "changed",
                     same_weights ? "kept" : "changed");
        double c0 = wiring_cost(&g0), c1 = wiring_cost(&g1);
        double l0 = mean_edge_length(&g0), l1 = mean_edge_length(&g1);
        print_message("%s spatial null: wiring cost %.4g -> %.4g, mean edge length %.4g -> %.4g\n",
                      what, c0, c1, l0, l1);
        assert_true(fabs(l1 - l0) < 0.05 * l0);
        assert_true(fabs(c1 - c0) < 0.15 * c0);
        break;
    }
    default:
        fail();
    }
    /* seeded: the same seed gives the same null, another seed another */
    dtb_atlas *again = NULL, *other = NULL;
    assert_int_equal(dtb_atlas_rewire(&again, a, model, seed, 0), DTB_OK);
    assert_int_equal(dtb_atlas_rewire(&other, a, model, seed + 1, 0), DTB_OK);
    net ga = net_of(again), go = net_of(other);
    assert_memory_equal(ga.w, g1.w, (size_t)(n * n) * sizeof *ga.w);
    assert_memory_not_equal(go.w, g1.w, (size_t)(n * n) * sizeof *go.w);
    net_free(&ga);
    net_free(&go);
    dtb_atlas_free(again);
    dtb_atlas_free(other);
    free(w0);
    free(w1);
    free(d0);
    free(s0);
    net_free(&g0);
    net_free(&g1);
    dtb_atlas_free(b);
}

/* A random sparse graph: density p, weights log-normal-ish, lengths the
 * distances of random centres. */
static dtb_atlas *random_atlas(int64_t n, double p, int symmetric, unsigned seed)
{
    srand(seed);
    double *w = calloc((size_t)(n * n), sizeof *w), *c = malloc((size_t)(3 * n) * sizeof *c);
    for (int64_t i = 0; i < 3 * n; i++)
        c[i] = 100.0 * rand() / RAND_MAX;
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = 0; j < (symmetric ? k : n); j++) {
            if (j == k || (double)rand() / RAND_MAX >= p)
                continue;
            double v = exp(2.0 * rand() / RAND_MAX - 1.0);
            w[k * n + j] = v;
            if (symmetric)
                w[j * n + k] = v;
        }
    w[0] = 0.5;   /* a self-connection, to be kept */
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, n, w, NULL, c, NULL), DTB_OK);
    free(w);
    free(c);
    return a;
}

static void nulls_of_sparse_graphs(void **state)
{
    (void)state;
    for (int sym = 0; sym < 2; sym++) {
        dtb_atlas *a = random_atlas(60, 0.15, sym, 3 + (unsigned)sym);
        const char *what = sym ? "undirected sparse" : "directed sparse";
        for (int model = DTB_NULL_DEGREE; model <= DTB_NULL_SPATIAL; model++)
            check_null(a, (dtb_null_model)model, 42, what);
        dtb_atlas_free(a);
    }
}

static void nulls_of_real_connectomes(void **state)
{
    (void)state;
    static const char *const names[] = {"atlases/tvb76", "atlases/tvb192"};
    for (int i = 0; i < 2; i++) {
        dtb_atlas *a = NULL;
        if (dtb_atlas_load(&a, shared_path(names[i]), NULL)) {
            print_message("skipping %s: %s\n", names[i], dtb_last_error_message());
            continue;
        }
        for (int model = DTB_NULL_DEGREE; model <= DTB_NULL_SPATIAL; model++)
            check_null(a, (dtb_null_model)model, 7, names[i]);
        dtb_atlas_free(a);
    }
}

/* bn246 connects every pair: no degree-preserving swap exists and that
 * is said; the strength, random and spatial nulls still exist. */
static void complete_graph(void **state)
{
    (void)state;
    dtb_atlas *a = NULL, *b = NULL;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    assert_int_equal(dtb_atlas_rewire(&b, a, DTB_NULL_DEGREE, 1, 0), DTB_EINVAL);
    assert_error_contains("no degree-preserving swap");
    assert_null(b);
    check_null(a, DTB_NULL_STRENGTH, 1, "bn246");
    check_null(a, DTB_NULL_RANDOM, 1, "bn246");
    assert_int_equal(dtb_atlas_region_count(a), 246);
    dtb_atlas_free(a);
}

static void refusals(void **state)
{
    (void)state;
    dtb_atlas *a = random_atlas(20, 0.3, 0, 9), *b = NULL;
    assert_int_equal(dtb_atlas_rewire(NULL, a, DTB_NULL_DEGREE, 1, 0), DTB_EINVAL);
    assert_int_equal(dtb_atlas_rewire(&b, NULL, DTB_NULL_DEGREE, 1, 0), DTB_EINVAL);
    assert_int_equal(dtb_atlas_rewire(&b, a, (dtb_null_model)0, 1, 0), DTB_EINVAL);
    assert_error_contains("null model");
    assert_int_equal(dtb_atlas_rewire(&b, a, (dtb_null_model)5, 1, 0), DTB_EINVAL);
    assert_int_equal(dtb_atlas_rewire(&b, a, DTB_NULL_DEGREE, 1, NAN), DTB_EINVAL);
    assert_int_equal(dtb_atlas_rewire(&b, a, DTB_NULL_DEGREE, 1, -2), DTB_EINVAL);
    assert_int_equal(dtb_atlas_rewire(&b, a, DTB_NULL_DEGREE, 1, 1e9), DTB_EINVAL);
    assert_null(b);
    /* negative weights: no strength null */
    assert_int_equal(dtb_atlas_set_weight(a, 3, 4, -1.0), DTB_OK);
    assert_int_equal(dtb_atlas_rewire(&b, a, DTB_NULL_STRENGTH, 1, 0), DTB_EINVAL);
    assert_error_contains("non-negative");
    /* no lengths, no centres: no spatial null */
    double w[16] = {0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0};
    dtb_atlas *c = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&c, 4, w, NULL, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_atlas_rewire(&b, c, DTB_NULL_SPATIAL, 1, 0), DTB_EINVAL);
    assert_error_contains("lengths");
    /* too small */
    double w3[9] = {0, 1, 1, 1, 0, 1, 1, 1, 0};
    dtb_atlas *d = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&d, 3, w3, NULL, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_atlas_rewire(&b, d, DTB_NULL_RANDOM, 1, 0), DTB_EINVAL);
    assert_null(b);
    /* the originals are untouched and usable */
    assert_int_equal(dtb_atlas_rewire(&b, c, DTB_NULL_RANDOM, 1, 0), DTB_OK);
    dtb_atlas_free(b);
    dtb_atlas_free(a);
    dtb_atlas_free(c);
    dtb_atlas_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nulls_of_sparse_graphs),
        cmocka_unit_test(nulls_of_real_connectomes),
        cmocka_unit_test(complete_graph),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
