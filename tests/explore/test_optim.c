/* The optimisers of the fitting layer (libdtb/explore/optim.h): CMA-ES with IPOP restarts,
 * NLopt's derivative-free methods and the grid, on test functions whose optimum is known,
 * plus determinism, failed candidates, failing evaluations and refused options.
 *
 * Every optimum lies away from the box centre, so that no method passes by sampling the
 * centre first. Each line starting with "# " reports the evaluations a case used. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "base/base.h"
#include "base/rng.h"
#include "dtb/dtb.h"
#include "explore/optim.h"

#define PI 3.14159265358979323846
#define RASTRIGIN_SHIFT 1.23

/* ------------------------------------------------------------------ test functions */

static double rosenbrock(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        s += 100 * a * a + b * b;
    }
    return s;
}

/* Rastrigin with its global minimum 0 at RASTRIGIN_SHIFT on every axis. */
static double rastrigin_shifted(const double *x, size_t n)
{
    double s = 10 * (double)n;
    for (size_t i = 0; i < n; i++) {
        double z = x[i] - RASTRIGIN_SHIFT;
        s += z * z - 10 * cos(2 * PI * z);
    }
    return s;
}

static const double sphere_centre[3] = {1.0, -2.0, 0.5};

static double sphere3(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - sphere_centre[i % 3]) * (x[i] - sphere_centre[i % 3]);
    return s;
}

/* Minimum 0 at 0.3 on every axis, and no value at all (NaN) where x[0] < 0: the optimum
 * sits 0.3 from the failing half of the box. */
static double sphere_nan_half(const double *x, size_t n)
{
    if (x[0] < 0)
        return NAN;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - 0.3) * (x[i] - 0.3);
    return s;
}

/* Minimum outside the box on axis 0 (x0 = 7 in [-5, 5]): the box optimum is on the bound. */
static double sphere_beyond_bound(const double *x, size_t n)
{
    double s = (x[0] - 7) * (x[0] - 7);
    for (size_t i = 1; i < n; i++)
        s += (x[i] + 1) * (x[i] + 1);
    return s;
}

/* Separable, grid-friendly: its minimum on a grid is found by brute force in the test. */
static double bowl_off_grid(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (1 + (double)i) * (x[i] - 0.37) * (x[i] - 0.37);
    return s;
}

/* ------------------------------------------------------------------ the evaluation */

typedef struct fn_ctx {
    double (*fn)(const double *x, size_t n);
    size_t dim;
    const double *lo, *hi;
    int64_t calls;
    int64_t fail_at_call;     /* return an error on this call (1-based); 0: never */
    int64_t outside;          /* candidates outside the box (must stay 0) */
    int64_t nan_values;
    int record;
    int64_t sizes[4096];      /* n of every call (the first 4096) */
    double *rec;              /* every candidate, in order */
    double *rec_f;
    size_t rec_len, rec_cap;  /* in candidates */
} fn_ctx;

static void record(fn_ctx *c, const double *x, double f)
{
    if (c->rec_len == c->rec_cap) {
        c->rec_cap = c->rec_cap ? 2 * c->rec_cap : 1024;
        c->rec = realloc(c->rec, c->rec_cap * c->dim * sizeof *c->rec);
        c->rec_f = realloc(c->rec_f, c->rec_cap * sizeof *c->rec_f);
        assert_non_null(c->rec);
        assert_non_null(c->rec_f);
    }
    memcpy(c->rec + c->rec_len * c->dim, x, c->dim * sizeof *x);
    c->rec_f[c->rec_len++] = f;
}

static dtb_status eval_fn(void *ud, const double *x, size_t n, double *f)
{
    fn_ctx *c = ud;
    if (c->calls < 4096)
        c->sizes[c->calls] = (int64_t)n;
    c->calls++;
    if (c->fail_at_call == c->calls)
        return dtb__error(DTB_EIO, "test: evaluation %lld failed on purpose", (long long)c->calls);
    for (size_t k = 0; k < n; k++) {
        const double *xk = x + k * c->dim;
        for (size_t i = 0; i < c->dim; i++)
            if (!(xk[i] >= c->lo[i] && xk[i] <= c->hi[i]))
                c->outside++;
        f[k] = c->fn(xk, c->dim);
        if (isnan(f[k]))
            c->nan_values++;
        if (c->record)
            record(c, xk, f[k]);
    }
    return DTB_OK;
}

static void ctx_free(fn_ctx *c)
{
    free(c->rec);
    free(c->rec_f);
}

/* Box [lo, hi]^dim into caller arrays of at least dim values. */
static void fill_box(double *lo, double *hi, size_t dim, double a, double b)
{
    for (size_t i = 0; i < dim; i++) {
        lo[i] = a;
        hi[i] = b;
    }
}

static dtb__optim_options opts(const char *method, size_t dim, const double *lo, const double *hi,
                               int64_t budget, uint64_t seed)
{
    dtb__optim_options o;
    dtb__optim_options_init(&o);
    o.method = method;
    o.dim = dim;
    o.lo = lo;
    o.hi = hi;
    o.budget = budget;
    o.seed = seed;
    return o;
}

static dtb_status minimise(const dtb__optim_options *o, fn_ctx *c, dtb__optim_result *res)
{
    c->dim = o->dim;
    c->lo = o->lo;
    c->hi = o->hi;
    dtb_status st = dtb__optim_minimize(o, eval_fn, c, res);
    assert_int_equal(c->outside, 0);
    if (st == DTB_OK) {
        assert_non_null(res->x_best);
        assert_true(res->evaluations <= o->budget);
    }
    return st;
}

/* ------------------------------------------------------------------ CMA-ES */

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t x = *(const int64_t *)pa, y = *(const int64_t *)pb;
    return (x > y) - (x < y);
}

/* 10-D Rosenbrock, box [-5,5]^10, starts drawn in [-4,-1]^10 (off-centre). The figure quoted
 * for CMA-ES with its default population (lambda = 10 in 10-D) on 10-D Rosenbrock is about
 * 6-7e3 evaluations to f = 1e-10 (Hansen's published runs); a minority of runs ends in the
 * local minimum near (-1, 1, ..., 1) instead, which IPOP's restart leaves. Measured here on
 * seeds 1..100: every run reaches 1e-10 within 2e4 (mean 7855, max 18500); 88 need no
 * restart, with a median of 6850 evaluations (max 9780). The test, on seeds 1..10: every
 * run below 1e-8 within 2e4 (3x the published figure: room for one restart), and the median
 * of the runs without a restart at most 8000. (Without the rank-one update the median is
 * about 1.4e4, without the cumulation of p_c 1.0e4: both fail.) */
static void test_cmaes_rosenbrock10(void **state)
{
    (void)state;
    enum { DIM = 10, SEEDS = 10 };
    double lo[DIM], hi[DIM], x0[DIM];
    fill_box(lo, hi, DIM, -5, 5);
    int64_t first_run[SEEDS];
    size_t n_first = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        dtb__rng g;
        dtb__rng_seed(&g, 1000 + seed);
        for (size_t i = 0; i < DIM; i++)
            x0[i] = -4 + 3 * dtb__rng_uniform(&g);
        dtb__optim_options o = opts("cmaes", DIM, lo, hi, 20000, seed);
        o.x0 = x0;
        o.ftarget = 1e-10;
        fn_ctx c = {.fn = rosenbrock};
        dtb__optim_result res;
        assert_int_equal(minimise(&o, &c, &res), DTB_OK);
        printf("# cmaes rosenbrock-10 seed %llu: f %.3g after %lld evaluations, %d restarts (%s)\n",
               (unsigned long long)seed, res.f_best, (long long)res.evaluations,
               (int)res.restarts_done, res.stop_reason);
        assert_true(res.f_best < 1e-8);
        assert_string_equal(res.stop_reason, "ftarget");
        for (size_t i = 0; i < DIM; i++)
            assert_true(fabs(res.x_best[i] - 1) < 1e-3);
        if (res.restarts_done == 0)
            first_run[n_first++] = res.evaluations;
        dtb__optim_result_free(&res);
        ctx_free(&c);
    }
    assert_true(n_first >= SEEDS / 2);
    qsort(first_run, n_first, sizeof *first_run, cmp_i64);
    printf("# cmaes rosenbrock-10: median %lld evaluations over the %zu runs without a restart\n",
           (long long)first_run[n_first / 2], n_first);
    assert_true(first_run[n_first / 2] <= 8000);
}

/* 5-D Rastrigin shifted to 1.23 on every axis in [-5.12, 5.12]^5, started at the box centre
 * (not the optimum). Auger & Hansen (2005) ran IPOP-CMA-ES on the CEC 2005 functions with
 * that competition's budget of 1e4 * dim evaluations, 5e4 here; it is the growing population
 * of the restarts that solves Rastrigin (a single run with the default lambda = 8 never does:
 * 0 of 40 seeds measured here). Measured with this implementation at 5e4: 90 of 100 seeds
 * (1..100) reach 1e-7, 27 of the 30 below, in 2.7e4 evaluations on average. The test asks
 * for at least 24 of 30 (80%) below 1e-6, and for the optimum where it is. */
static void test_cmaes_rastrigin5_ipop(void **state)
{
    (void)state;
    enum { DIM = 5, SEEDS = 30 };
    double lo[DIM], hi[DIM];
    fill_box(lo, hi, DIM, -5.12, 5.12);
    int solved = 0, max_restarts = 0;
    double evals = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        dtb__optim_options o = opts("cmaes", DIM, lo, hi, 50000, seed);
        o.ftarget = 1e-7;
        fn_ctx c = {.fn = rastrigin_shifted};
        dtb__optim_result res;
        assert_int_equal(minimise(&o, &c, &res), DTB_OK);
        if (res.f_best < 1e-6) {
            solved++;
            evals += (double)res.evaluations;
            for (size_t i = 0; i < DIM; i++)
                assert_true(fabs(res.x_best[i] - RASTRIGIN_SHIFT) < 1e-3);
        } else {
            assert_string_equal(res.stop_reason, "budget");
        }
        if (res.restarts_done > max_restarts)
            max_restarts = res.restarts_done;
        dtb__optim_result_free(&res);
        ctx_free(&c);
    }
    printf("# cmaes rastrigin-5: %d of %d seeds below 1e-6 within 5e4, %.0f evaluations on "
           "average, up to %d restarts\n",
           solved, SEEDS, solved ? evals / solved : 0, max_restarts);
    assert_true(solved >= 24);
    assert_true(max_restarts >= 3);   /* the population grew to 64 at least */
}

/* Without restarts the population stays at lambda = 4 + floor(3 ln 5) = 8, which on
 * Rastrigin stops in a local minimum; restarts = -1 must therefore give one run only. */
static void test_cmaes_no_restarts(void **state)
{
    (void)state;
    enum { DIM = 5 };
    double lo[DIM], hi[DIM];
    fill_box(lo, hi, DIM, -5.12, 5.12);
    dtb__optim_options o = opts("cmaes", DIM, lo, hi, 50000, 7);
    o.restarts = -1;
    fn_ctx c = {.fn = rastrigin_shifted};
    dtb__optim_result res;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    printf("# cmaes rastrigin-5 without restarts: f %.3g after %lld evaluations (%s)\n",
           res.f_best, (long long)res.evaluations, res.stop_reason);
    assert_int_equal(res.restarts_done, 0);
    assert_true(res.evaluations < 50000);
    assert_string_not_equal(res.stop_reason, "budget");
    dtb__optim_result_free(&res);

    /* at most two restarts */
    o.restarts = 2;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    assert_true(res.restarts_done <= 2);
    dtb__optim_result_free(&res);
    ctx_free(&c);
}

/* A minimum beyond the box: the best point is on the bound (the boundary transformation
 * must reach it), and every candidate stays inside (checked by minimise()). */
static void test_cmaes_optimum_on_bound(void **state)
{
    (void)state;
    enum { DIM = 4 };
    double lo[DIM], hi[DIM];
    fill_box(lo, hi, DIM, -5, 5);
    dtb__optim_options o = opts("cmaes", DIM, lo, hi, 6000, 3);
    o.restarts = -1;
    fn_ctx c = {.fn = sphere_beyond_bound};
    dtb__optim_result res;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    printf("# cmaes optimum on the bound: f - 4 = %.3g, x0 = %.17g after %lld evaluations (%s)\n",
           res.f_best - 4, res.x_best[0], (long long)res.evaluations, res.stop_reason);
    assert_true(res.f_best - 4 < 1e-10);
    assert_true(5 - res.x_best[0] < 1e-10);
    for (size_t i = 1; i < DIM; i++)
        assert_true(fabs(res.x_best[i] + 1) < 1e-5);
    dtb__optim_result_free(&res);
    ctx_free(&c);
}

/* One call of eval per generation of lambda candidates, lambda doubling on each restart;
 * the last generation cut to what is left of the budget, which is spent exactly. */
static void test_cmaes_batches(void **state)
{
    (void)state;
    enum { DIM = 4 };
    double lo[DIM], hi[DIM];
    fill_box(lo, hi, DIM, -3, 4);
    dtb__optim_options o = opts("cmaes", DIM, lo, hi, 3001, 2);
    fn_ctx c = {.fn = rosenbrock};
    dtb__optim_result res;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    assert_int_equal(res.evaluations, 3001);
    assert_string_equal(res.stop_reason, "budget");
    assert_true(res.restarts_done >= 1);
    /* every call but the last is a whole generation: lambda, or twice the previous lambda
     * after a restart; the last may be cut, and may be the first of a new restart */
    int64_t lambda = 8, sum = 0;   /* 4 + floor(3 ln 4) */
    int restarts = 0;
    for (int64_t k = 0; k + 1 < c.calls; k++) {
        if (c.sizes[k] == 2 * lambda) {
            lambda *= 2;
            restarts++;
        }
        assert_int_equal(c.sizes[k], lambda);
        sum += c.sizes[k];
    }
    sum += c.sizes[c.calls - 1];
    assert_int_equal(sum, 3001);
    assert_true(c.sizes[c.calls - 1] <= 2 * lambda);
    assert_true(res.restarts_done == restarts || res.restarts_done == restarts + 1);
    printf("# cmaes rosenbrock-4, budget 3001: %lld calls, %d restarts, last call %lld\n",
           (long long)c.calls, (int)res.restarts_done, (long long)c.sizes[c.calls - 1]);
    dtb__optim_result_free(&res);

    /* popsize sets lambda */
    o.popsize = 13;
    o.budget = 130;
    o.restarts = -1;
    fn_ctx d = {.fn = rosenbrock};
    assert_int_equal(minimise(&o, &d, &res), DTB_OK);
    assert_int_equal(d.calls, 10);
    for (int64_t k = 0; k < d.calls; k++)
        assert_int_equal(d.sizes[k], 13);
    dtb__optim_result_free(&res);
}

/* One parameter: CMA-ES, an NLopt method and the grid all work in 1-D. */
static void test_one_dimension(void **state)
{
    (void)state;
    double lo[1] = {-2}, hi[1] = {3};
    const char *methods[] = {"cmaes", "nlopt-bobyqa", "nlopt-direct", "grid"};
    for (size_t m = 0; m < 4; m++) {
        dtb__optim_options o = opts(methods[m], 1, lo, hi, 2001, 4);
        fn_ctx c = {.fn = sphere3};   /* minimum at 1 */
        dtb__optim_result res;
        assert_int_equal(minimise(&o, &c, &res), DTB_OK);
        assert_true(fabs(res.x_best[0] - 1) < 1e-5);
        dtb__optim_result_free(&res);
    }
}

/* Records every candidate of a run. */
static void recorded_run(const char *method, uint64_t seed, fn_ctx *c, dtb__optim_result *res)
{
    enum { DIM = 4 };
    static double lo[DIM], hi[DIM];
    fill_box(lo, hi, DIM, -3, 4);
    dtb__optim_options o = opts(method, DIM, lo, hi, 900, seed);
    memset(c, 0, sizeof *c);
    c->fn = rosenbrock;
    c->record = 1;
    assert_int_equal(minimise(&o, c, res), DTB_OK);
}

static void assert_same_runs(const fn_ctx *a, const dtb__optim_result *ra, const fn_ctx *b,
                             const dtb__optim_result *rb)
{
    assert_int_equal(a->rec_len, b->rec_len);
    assert_int_equal(ra->evaluations, rb->evaluations);
    assert_memory_equal(a->rec, b->rec, a->rec_len * a->dim * sizeof *a->rec);
    assert_memory_equal(ra->x_best, rb->x_best, a->dim * sizeof *ra->x_best);
    assert_memory_equal(&ra->f_best, &rb->f_best, sizeof ra->f_best);
}

/* The same seed twice: the same candidates, bit for bit; another seed: another run. */
static void check_determinism(const char *method)
{
    fn_ctx a, b, d;
    dtb__optim_result ra, rb, rd;
    recorded_run(method, 42, &a, &ra);
    recorded_run(method, 42, &b, &rb);
    recorded_run(method, 43, &d, &rd);
    assert_same_runs(&a, &ra, &b, &rb);
    size_t n = a.rec_len < d.rec_len ? a.rec_len : d.rec_len;
    assert_true(n > 0);
    assert_true(memcmp(a.rec, d.rec, n * a.dim * sizeof *a.rec) != 0);
    dtb__optim_result_free(&ra);
    dtb__optim_result_free(&rb);
    dtb__optim_result_free(&rd);
    ctx_free(&a);
    ctx_free(&b);
    ctx_free(&d);
}

static void test_determinism(void **state)
{
    (void)state;
    check_determinism("cmaes");
    check_determinism("nlopt-crs2");
    check_determinism("nlopt-isres");
    check_determinism("nlopt-esch");
}

/* Failed candidates (NaN in half the box, the optimum 0.3 from its edge): CMA-ES finds the
 * optimum and stops proposing failing points once it has learnt where they are. */
static void test_cmaes_avoids_nan_region(void **state)
{
    (void)state;
    enum { DIM = 3 };
    double lo[DIM], hi[DIM], x0[DIM] = {3, 3, 3};
    fill_box(lo, hi, DIM, -5, 5);
    dtb__optim_options o = opts("cmaes", DIM, lo, hi, 5000, 11);
    o.x0 = x0;
    o.ftarget = 1e-12;
    fn_ctx c = {.fn = sphere_nan_half, .record = 1};
    dtb__optim_result res;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    size_t late_nan = 0, half = c.rec_len / 2;
    for (size_t k = half; k < c.rec_len; k++)
        late_nan += isnan(c.rec_f[k]);
    printf("# cmaes with a NaN half-box: f %.3g after %lld evaluations; NaN values: %lld in all, "
           "%zu in the second half\n", res.f_best, (long long)res.evaluations,
           (long long)c.nan_values, late_nan);
    assert_true(c.nan_values > 0);   /* the region was met... */
    assert_true(late_nan * 20 < c.rec_len - half);   /* ...and then avoided (< 5%) */
    assert_true(res.f_best < 1e-10);
    assert_true(res.x_best[0] >= 0);
    dtb__optim_result_free(&res);
    ctx_free(&c);
}

/* Every value NaN: the run spends its budget, f_best stays NaN, x_best is the start. */
static double always_nan(const double *x, size_t n)
{
    (void)x;
    (void)n;
    return NAN;
}

static void test_all_nan(void **state)
{
    (void)state;
    double lo[2] = {0, 0}, hi[2] = {1, 2}, x0[2] = {0.25, 1.5};
    const char *methods[] = {"cmaes", "nlopt-bobyqa", "grid"};
    for (size_t m = 0; m < 3; m++) {
        dtb__optim_options o = opts(methods[m], 2, lo, hi, 300, 1);
        o.x0 = x0;
        fn_ctx c = {.fn = always_nan};
        dtb__optim_result res;
        assert_int_equal(minimise(&o, &c, &res), DTB_OK);
        assert_true(isnan(res.f_best));
        assert_true(res.evaluations > 0);
        assert_true(res.x_best[0] == 0.25 && res.x_best[1] == 1.5);
        dtb__optim_result_free(&res);
        ctx_free(&c);
    }
}

/* An evaluation error stops the run with that status; the result holds the best of the
 * batches evaluated before it. */
static void test_eval_error_stops(void **state)
{
    (void)state;
    enum { DIM = 3 };
    double lo[DIM], hi[DIM];
    fill_box(lo, hi, DIM, -5, 5);
    struct { const char *method; int64_t fail_at, evaluations; } cases[] = {
        {"cmaes", 3, 2 * 7},   /* lambda = 4 + floor(3 ln 3) = 7 */
        {"nlopt-bobyqa", 5, 4},
        {"nlopt-crs2", 5, 4},
        {"grid", 1, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dtb__optim_options o = opts(cases[k].method, DIM, lo, hi, 1000, 5);
        fn_ctx c = {.fn = sphere3, .fail_at_call = cases[k].fail_at};
        dtb__optim_result res;
        dtb_clear_error();
        assert_int_equal(minimise(&o, &c, &res), DTB_EIO);
        assert_error_contains("failed on purpose");
        assert_int_equal(c.calls, cases[k].fail_at);   /* no call after the failing one */
        assert_int_equal(res.evaluations, cases[k].evaluations);
        assert_non_null(res.x_best);
        assert_string_equal(res.stop_reason, "error");
        if (cases[k].evaluations > 0)
            assert_true(isfinite(res.f_best));
        else
            assert_true(isnan(res.f_best));
        dtb__optim_result_free(&res);
        assert_null(res.x_best);
        ctx_free(&c);
    }
}

/* ------------------------------------------------------------------ refused options */

static void expect_refused(const dtb__optim_options *o, const char *needle)
{
    fn_ctx c = {.fn = sphere3};
    dtb__optim_result res;
    res.x_best = (double *)&res;   /* must be overwritten with NULL */
    dtb_clear_error();
    assert_int_equal(dtb__optim_minimize(o, eval_fn, &c, &res), DTB_EINVAL);
    assert_error_contains(needle);
    assert_null(res.x_best);
    assert_int_equal(c.calls, 0);
    dtb__optim_result_free(&res);
}

static void test_bad_options(void **state)
{
    (void)state;
    double lo[3] = {-1, 2, 0}, hi[3] = {1, 3, 1}, x0[3] = {0, 2.5, 0.5};
    dtb__optim_options good = opts(NULL, 3, lo, hi, 100, 0);
    good.x0 = x0;
    dtb__optim_options o = good;

    o.dim = 0;
    expect_refused(&o, "dim = 0");
    o = good;
    o.budget = 0;
    expect_refused(&o, "budget = 0");
    o.budget = -5;
    expect_refused(&o, "budget = -5");
    o = good;
    o.method = "nlopt-newton";
    expect_refused(&o, "unknown method 'nlopt-newton'");
    expect_refused(&o, "nlopt-bobyqa");   /* the message lists the known ones */
    o = good;
    o.lo = NULL;
    expect_refused(&o, "lo = NULL");

    double lo_eq[3] = {-1, 3, 0};
    o = good;
    o.lo = lo_eq;
    expect_refused(&o, "lo[1] = 3 is not below hi[1] = 3");
    double hi_inf[3] = {INFINITY, 3, 1};
    o = good;
    o.hi = hi_inf;
    expect_refused(&o, "hi[0] = inf is not finite");
    double lo_nan[3] = {-1, 2, NAN};
    o = good;
    o.lo = lo_nan;
    expect_refused(&o, "lo[2] = nan is not finite");
    double x0_out[3] = {0, 2.5, 1.5};
    o = good;
    o.x0 = x0_out;
    expect_refused(&o, "x0[2] = 1.5 is outside the box [0, 1]");
    double x0_nan[3] = {NAN, 2.5, 0.5};
    o.x0 = x0_nan;
    expect_refused(&o, "x0[0] = nan");
    o = good;
    o.sigma0 = -0.1;
    expect_refused(&o, "sigma0 = -0.1");
    o = good;
    o.popsize = 1;
    expect_refused(&o, "popsize = 1");
    o = good;
    o.restarts = -2;
    expect_refused(&o, "restarts = -2");
    o = good;
    o.xtol = NAN;
    expect_refused(&o, "xtol = nan");
    o = good;
    o.ftol = -1;
    expect_refused(&o, "ftol = -1");
    o = good;
    o.method = "grid";
    o.budget = 7;   /* 2^3 = 8 points at least */
    expect_refused(&o, "budget = 7 is too small");

    fn_ctx c = {.fn = sphere3};
    dtb__optim_result res;
    assert_int_equal(dtb__optim_minimize(&good, NULL, &c, &res), DTB_EINVAL);
    assert_null(res.x_best);
    assert_int_equal(dtb__optim_minimize(NULL, eval_fn, &c, &res), DTB_EINVAL);
    assert_int_equal(dtb__optim_minimize(&good, eval_fn, &c, NULL), DTB_EINVAL);
    dtb__optim_result_free(NULL);
}

static void test_method_names(void **state)
{
    (void)state;
    const char *const *names = dtb__optim_method_names();
    size_t n = 0;
    for (; names[n]; n++)
        assert_true(dtb__optim_method_known(names[n]));
    assert_true(n >= 10);
    const char *required[] = {"cmaes", "grid", "nlopt-bobyqa", "nlopt-sbplx", "nlopt-neldermead",
                              "nlopt-cobyla", "nlopt-direct", "nlopt-crs2", "nlopt-isres",
                              "nlopt-esch"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        assert_true(dtb__optim_method_known(required[i]));
    assert_false(dtb__optim_method_known(NULL));
    assert_false(dtb__optim_method_known("nlopt-"));
    assert_false(dtb__optim_method_known("CMAES"));
}

/* ------------------------------------------------------------------ NLopt */

/* Every NLopt method on a 3-D sphere centred at (1, -2, 0.5) in [-5, 5]^3, from (3, 3, 3).
 * What each must reach, with the budget, measured on this machine (the printed lines):
 * the local methods converge to 1e-10 within 2000 evaluations; the global ones are slower
 * on a smooth bowl, which is not what they are for, and must reach 1e-4 within 20000. */
static void test_nlopt_sphere_every_method(void **state)
{
    (void)state;
    enum { DIM = 3 };
    double lo[DIM], hi[DIM], x0[DIM] = {3, 3, 3};
    fill_box(lo, hi, DIM, -5, 5);
    const char *local[] = {"nlopt-bobyqa", "nlopt-sbplx", "nlopt-neldermead", "nlopt-cobyla"};
    const char *const *names = dtb__optim_method_names();
    size_t tested = 0;
    for (size_t k = 0; names[k]; k++) {
        if (strncmp(names[k], "nlopt-", 6) != 0)
            continue;
        int is_local = 0;
        for (size_t j = 0; j < 4; j++)
            is_local |= strcmp(names[k], local[j]) == 0;
        const double target = is_local ? 1e-10 : 1e-4;
        dtb__optim_options o = opts(names[k], DIM, lo, hi, is_local ? 2000 : 20000, 9);
        o.x0 = x0;
        o.ftarget = target;
        fn_ctx c = {.fn = sphere3};
        dtb__optim_result res;
        assert_int_equal(minimise(&o, &c, &res), DTB_OK);
        printf("# %-16s sphere-3: f %.3g after %lld evaluations (%s)\n", names[k], res.f_best,
               (long long)res.evaluations, res.stop_reason);
        assert_true(res.f_best <= target);
        assert_string_equal(res.stop_reason, "ftarget");
        dtb__optim_result_free(&res);
        ctx_free(&c);
        tested++;
    }
    assert_int_equal(tested, 8);
}

/* The local methods BOBYQA and Sbplx on 10-D Rosenbrock from the classic start
 * (-1.2, 1, -1.2, 1, ...) in [-5, 5]^10: one curved valley to follow down, which is what a
 * local derivative-free method is for; we do not ask them for global optima.
 * Measured (printed): BOBYQA reaches 1e-7 in 923 evaluations; budget 2000.
 * Sbplx crawls along the valley: 5.3e5 evaluations to 1e-7, like NLopt's Sbplx called
 * directly on the unscaled problem from the same start (519389); with the default
 * ftol = 1e-12 it stops on ftol at 1.4e-6 after 4.4e5, so the test sets ftol = 1e-30
 * and a budget of 6e5 (0.1 s here). */
static void test_nlopt_local_rosenbrock10(void **state)
{
    (void)state;
    enum { DIM = 10 };
    double lo[DIM], hi[DIM], x0[DIM];
    fill_box(lo, hi, DIM, -5, 5);
    for (size_t i = 0; i < DIM; i++)
        x0[i] = i % 2 ? 1 : -1.2;
    struct { const char *method; int64_t budget; double ftol; } cases[] = {
        {"nlopt-bobyqa", 2000, 0},
        {"nlopt-sbplx", 600000, 1e-30},
    };
    for (size_t k = 0; k < 2; k++) {
        dtb__optim_options o = opts(cases[k].method, DIM, lo, hi, cases[k].budget, 1);
        o.x0 = x0;
        o.ftarget = 1e-7;
        o.ftol = cases[k].ftol;
        fn_ctx c = {.fn = rosenbrock};
        dtb__optim_result res;
        assert_int_equal(minimise(&o, &c, &res), DTB_OK);
        printf("# %-16s rosenbrock-10: f %.3g after %lld evaluations (%s)\n", cases[k].method,
               res.f_best, (long long)res.evaluations, res.stop_reason);
        assert_true(res.f_best < 1e-6);
        dtb__optim_result_free(&res);
        ctx_free(&c);
    }
}

/* A global NLopt method on shifted 5-D Rastrigin in [-5.12, 5.12]^5. Measured here with a
 * budget of 1e5: DIRECT-L (deterministic) reaches 1e-7 in 5293 evaluations; CRS2 and ISRES
 * end in local minima (f = 1 to 4 for seeds 1-3), ESCH finds the global basin but is at
 * 1e-4 to 1e-3 after 1e5. So DIRECT-L it is, with a budget of 1e4. (DIRECT-L's trisection
 * points are 0 and +-3.41 on each axis at first: the optimum at 1.23 is none of them.) */
static void test_nlopt_global_rastrigin5(void **state)
{
    (void)state;
    enum { DIM = 5 };
    double lo[DIM], hi[DIM];
    fill_box(lo, hi, DIM, -5.12, 5.12);
    dtb__optim_options o = opts("nlopt-direct", DIM, lo, hi, 10000, 1);
    o.ftarget = 1e-7;
    fn_ctx c = {.fn = rastrigin_shifted};
    dtb__optim_result res;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    printf("# nlopt-direct     rastrigin-5: f %.3g after %lld evaluations (%s)\n", res.f_best,
           (long long)res.evaluations, res.stop_reason);
    assert_true(res.f_best < 1e-6);
    dtb__optim_result_free(&res);
    ctx_free(&c);
}

/* An NLopt fit started inside another NLopt fit's evaluation is refused, not deadlocked. */
static dtb_status nested_eval(void *ud, const double *x, size_t n, double *f)
{
    (void)x;
    (void)n;
    (void)f;
    const dtb__optim_options *inner = ud;
    dtb__optim_result res;
    dtb_status st = dtb__optim_minimize(inner, eval_fn, &(fn_ctx){.fn = sphere3}, &res);
    dtb__optim_result_free(&res);
    return st;
}

static void test_nlopt_nested_refused(void **state)
{
    (void)state;
    double lo[3] = {-5, -5, -5}, hi[3] = {5, 5, 5};
    dtb__optim_options inner = opts("nlopt-sbplx", 3, lo, hi, 10, 1);
    dtb__optim_options outer = opts("nlopt-bobyqa", 3, lo, hi, 10, 1);
    dtb__optim_result res;
    assert_int_equal(dtb__optim_minimize(&outer, nested_eval, &inner, &res), DTB_ESTATE);
    assert_error_contains("inside another NLopt fit");
    dtb__optim_result_free(&res);
}

/* Two stochastic NLopt fits on two threads at once give what each gives alone. */
typedef struct thread_job {
    uint64_t seed;
    fn_ctx c;
    dtb__optim_result res;
    dtb_status st;
} thread_job;

static void *thread_fit(void *p)
{
    thread_job *j = p;
    double lo[4] = {-3, -3, -3, -3}, hi[4] = {4, 4, 4, 4};
    dtb__optim_options o = opts("nlopt-crs2", 4, lo, hi, 3000, j->seed);
    j->c = (fn_ctx){.fn = rosenbrock, .dim = 4, .lo = lo, .hi = hi, .record = 1};
    j->st = dtb__optim_minimize(&o, eval_fn, &j->c, &j->res);
    return NULL;
}

static void test_nlopt_threads(void **state)
{
    (void)state;
    thread_job alone[2] = {{.seed = 5}, {.seed = 6}}, together[2] = {{.seed = 5}, {.seed = 6}};
    thread_fit(&alone[0]);
    thread_fit(&alone[1]);
    pthread_t t[2];
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&t[k], NULL, thread_fit, &together[k]), 0);
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_join(t[k], NULL), 0);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(alone[k].st, DTB_OK);
        assert_int_equal(together[k].st, DTB_OK);
        assert_same_runs(&alone[k].c, &alone[k].res, &together[k].c, &together[k].res);
        dtb__optim_result_free(&alone[k].res);
        dtb__optim_result_free(&together[k].res);
        ctx_free(&alone[k].c);
        ctx_free(&together[k].c);
    }
}

/* ------------------------------------------------------------------ grid */

/* m = floor(budget^(1/dim)) points per axis, ends included, m^dim evaluations exactly, and
 * the reported best is the best of the grid. */
static void check_grid(size_t dim, int64_t budget, int64_t m)
{
    double lo[4] = {-1, 0, 2.5, -7}, hi[4] = {1, 3, 4, -6};
    dtb__optim_options o = opts("grid", dim, lo, hi, budget, 0);
    fn_ctx c = {.fn = bowl_off_grid, .record = 1};
    dtb__optim_result res;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    int64_t total = 1;
    for (size_t i = 0; i < dim; i++)
        total *= m;
    assert_int_equal(res.evaluations, total);
    assert_int_equal(c.rec_len, (size_t)total);
    assert_string_equal(res.stop_reason, "complete");
    /* on every axis exactly m evenly spaced values, lo and hi included */
    for (size_t i = 0; i < dim; i++) {
        for (size_t k = 0; k < c.rec_len; k++) {
            double v = c.rec[k * dim + i];
            double pos = (v - lo[i]) / (hi[i] - lo[i]) * (double)(m - 1);
            assert_true(fabs(pos - round(pos)) < 1e-9);
        }
        int has_lo = 0, has_hi = 0;
        for (size_t k = 0; k < c.rec_len; k++) {
            has_lo |= c.rec[k * dim + i] == lo[i];
            has_hi |= c.rec[k * dim + i] == hi[i];
        }
        assert_true(has_lo && has_hi);
    }
    /* all points distinct */
    for (size_t a = 0; a < c.rec_len; a++)
        for (size_t b = a + 1; b < c.rec_len; b++)
            assert_true(memcmp(c.rec + a * dim, c.rec + b * dim, dim * sizeof(double)) != 0);
    /* the best of the grid */
    size_t best = 0;
    for (size_t k = 1; k < c.rec_len; k++)
        if (c.rec_f[k] < c.rec_f[best])
            best = k;
    assert_true(res.f_best == c.rec_f[best]);
    assert_memory_equal(res.x_best, c.rec + best * dim, dim * sizeof(double));
    printf("# grid dim %zu budget %lld: m = %lld, %lld evaluations, f_best %.6g\n", dim,
           (long long)budget, (long long)m, (long long)res.evaluations, res.f_best);
    dtb__optim_result_free(&res);
    ctx_free(&c);
}

static void test_grid(void **state)
{
    (void)state;
    check_grid(3, 1000, 10);   /* 1000^(1/3) is 9.999... in floating point */
    check_grid(3, 999, 9);
    check_grid(2, 50, 7);
    check_grid(1, 5, 5);
    check_grid(4, 16, 2);
    check_grid(2, 3000, 54);   /* several chunks */
}

static void test_grid_ftarget(void **state)
{
    (void)state;
    double lo[2] = {0, 0}, hi[2] = {1, 1};
    dtb__optim_options o = opts("grid", 2, lo, hi, 100000, 0);
    o.ftarget = 1e-3;
    fn_ctx c = {.fn = bowl_off_grid};
    dtb__optim_result res;
    assert_int_equal(minimise(&o, &c, &res), DTB_OK);
    assert_string_equal(res.stop_reason, "ftarget");
    assert_true(res.f_best <= 1e-3);
    assert_true(res.evaluations < 316 * 316);
    dtb__optim_result_free(&res);
    ctx_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_cmaes_rosenbrock10),
        cmocka_unit_test(test_cmaes_rastrigin5_ipop),
        cmocka_unit_test(test_cmaes_no_restarts),
        cmocka_unit_test(test_cmaes_optimum_on_bound),
        cmocka_unit_test(test_cmaes_batches),
        cmocka_unit_test(test_one_dimension),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_cmaes_avoids_nan_region),
        cmocka_unit_test(test_all_nan),
        cmocka_unit_test(test_eval_error_stops),
        cmocka_unit_test(test_nlopt_sphere_every_method),
        cmocka_unit_test(test_nlopt_local_rosenbrock10),
        cmocka_unit_test(test_nlopt_global_rastrigin5),
        cmocka_unit_test(test_nlopt_nested_refused),
        cmocka_unit_test(test_nlopt_threads),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_grid_ftarget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
