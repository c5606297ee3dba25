/* dtb_reservoir through the public API: echo-state states and ridge
 * readouts against an independent NumPy computation (make_reference.py,
 * its output in data/), the memory capacity of a linear network against
 * its known bound, scores that see the network, runs over nulls, and the
 * errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#include "dtb/dtb.h"
#include "dtb/dtb_reservoir.h"
#include "test_util.h"

/* A whitespace-separated text matrix; *rows, *cols set. */
static double *read_matrix(const char *name, size_t *rows, size_t *cols)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", RESERVOIR_DATA, name);
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    size_t cap = 1024, n = 0, r = 0, c = 0, line_count = 0;
    double *v = malloc(cap * sizeof *v);
    assert_non_null(v);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *p = line, *end;
        line_count = 0;
        for (double x = strtod(p, &end); end != p; x = strtod(p, &end)) {
            if (n == cap) {
                cap *= 2;
                v = realloc(v, cap * sizeof *v);
                assert_non_null(v);
            }
            v[n++] = x;
            line_count++;
            p = end;
        }
        if (line_count) {
            if (c)
                assert_int_equal(line_count, c);
            c = line_count;
            r++;
        }
    }
    free(text);
    *rows = r;
    *cols = c;
    return v;
}

static dtb_atlas *reference_atlas(void)
{
    size_t n, cols;
    double *w = read_matrix("esn_w.txt", &n, &cols);
    assert_int_equal(n, cols);
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, (int64_t)n, w, NULL, NULL, NULL), DTB_OK);
    free(w);
    return a;
}

static void esn_states_equal_numpy(void **state)
{
    (void)state;
    static const char *const acts[] = {"tanh", "identity", "sigmoid"};
    dtb_atlas *a = reference_atlas();
    size_t T, one;
    double *u = read_matrix("esn_u.txt", &T, &one);
    assert_int_equal(one, 1);
    for (int f = 0; f < 3; f++) {
        dtb_reservoir *r = NULL;
        assert_int_equal(dtb_reservoir_create(&r, a), DTB_OK);
        assert_int_equal(dtb_reservoir_set_activation(r, acts[f]), DTB_OK);
        assert_int_equal(dtb_reservoir_set_regions(r, "0+3", NULL), DTB_OK);
        size_t needed = 0;
        assert_int_equal(dtb_reservoir_states(r, 0.8, -1, u, T, 1, NULL, 0, &needed), DTB_OK);
        assert_int_equal(needed, T * 12);
        double *x = malloc(needed * sizeof *x);
        assert_int_equal(dtb_reservoir_states(r, 0.8, -1, u, T, 1, x, needed, NULL), DTB_OK);
        char name[64];
        snprintf(name, sizeof name, "esn_%s.txt", acts[f]);
        size_t rr, cc;
        double *ref = read_matrix(name, &rr, &cc);
        assert_int_equal(rr, T);
        assert_int_equal(cc, 12);
        double worst = 0;
        for (size_t i = 0; i < needed; i++)
            worst = nan_max(worst, fabs(x[i] - ref[i]));
        if (!(worst <= 1e-12))   /* NaN fails */
            fail_msg("%s: states differ from NumPy's by %g", acts[f], worst);
        free(ref);
        free(x);
        dtb_reservoir_free(r);
    }
    free(u);
    dtb_atlas_free(a);
}

/* The readout file: lambda, then the rows (bias, weights). */
static double *read_readout(const char *path, double *lambda, size_t *rows, size_t *cols)
{
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    const char *at = strstr(text, "lambda ");
    assert_non_null(at);
    *lambda = strtod(at + 7, NULL);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[65536];
    size_t n = 0, r = 0, c = 0;
    double *v = malloc(64 * 64 * sizeof *v);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        char *p = line, *end;
        size_t k = 0;
        for (double x = strtod(p, &end); end != p; x = strtod(p, &end), k++) {
            v[n++] = x;
            p = end;
        }
        if (k) {
            c = k;
            r++;
        }
    }
    fclose(f);
    free(text);
    *rows = r;
    *cols = c;
    return v;
}

static void ridge_readout_equals_numpy_lstsq(void **state)
{
    (void)state;
    dtb_atlas *a = reference_atlas();
    size_t T, one, Ty, Q;
    double *u = read_matrix("esn_u.txt", &T, &one);
    double *y = read_matrix("ridge_y.txt", &Ty, &Q);
    assert_int_equal(Ty, T);
    dtb_reservoir *r = NULL;
    assert_int_equal(dtb_reservoir_create(&r, a), DTB_OK);
    assert_int_equal(dtb_reservoir_set_regions(r, "0+3", NULL), DTB_OK);
    assert_int_equal(dtb_reservoir_set_task_data(r, u, T, 1, y, Q, 0), DTB_OK);
    char path[1024];
    snprintf(path, sizeof path, "%s/readout.txt", test_tmpdir());
    double score = NAN;
    assert_int_equal(dtb_reservoir_score(r, 0.8, -1, path, &score), DTB_OK);
    double lambda;
    size_t rows, cols;
    double *w = read_readout(path, &lambda, &rows, &cols);
    char ref_path[1024];
    snprintf(ref_path, sizeof ref_path, "%s/ridge_ref.txt", RESERVOIR_DATA);
    double ref_lambda, ref_w[64 * 64];
    size_t ref_rows, ref_cols;
    {
        FILE *f = fopen(ref_path, "r");
        assert_non_null(f);
        double ref_score;
        assert_int_equal(fscanf(f, "%lf %lf", &ref_lambda, &ref_score), 2);
        ref_rows = rows;
        ref_cols = cols;
        for (size_t i = 0; i < rows * cols; i++)
            assert_int_equal(fscanf(f, "%lf", &ref_w[i]), 1);
        double extra;
        assert_int_equal(fscanf(f, "%lf", &extra), EOF);
        fclose(f);
        if (fabs(score - ref_score) > 1e-10)
            fail_msg("score %.17g, NumPy's %.17g", score, ref_score);
    }
    assert_int_equal(rows, Q);
    assert_int_equal(cols, 1 + 10);   /* the bias and the 10 output regions */
    assert_int_equal(ref_rows, rows);
    assert_int_equal(ref_cols, cols);
    assert_true(lambda == ref_lambda);
    double worst = 0;
    for (size_t i = 0; i < rows * cols; i++)
        worst = nan_max(worst, fabs(w[i] - ref_w[i]) / nan_max(1.0, fabs(ref_w[i])));
    print_message("readout weights: largest relative difference from NumPy's lstsq %g\n", worst);
    if (!(worst <= 1e-10))   /* NaN fails */
        fail_msg("readout weights differ from NumPy's lstsq by %g", worst);
    /* the saved readout is reloadable: it predicts what the score saw */
    size_t needed = 0;
    double *x = malloc(T * 12 * sizeof *x), *feat = malloc(T * 10 * sizeof *feat);
    assert_int_equal(dtb_reservoir_states(r, 0.8, -1, u, T, 1, x, T * 12, NULL), DTB_OK);
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0, k = 0; i < 12; i++)
            if (i != 0 && i != 3)
                feat[t * 10 + k++] = x[t * 12 + i];
    assert_int_equal(dtb_readout_predict(path, feat, T, 10, NULL, 0, &needed), DTB_OK);
    assert_int_equal(needed, T * Q);
    double *pred = malloc(needed * sizeof *pred);
    assert_int_equal(dtb_readout_predict(path, feat, T, 10, pred, needed, NULL), DTB_OK);
    for (size_t t = 0; t < T; t += 37)
        for (size_t k = 0; k < Q; k++) {
            double s = w[k * cols];
            for (size_t i = 0; i < 10; i++)
                s += w[k * cols + 1 + i] * feat[t * 10 + i];
            assert_true(fabs(pred[t * Q + k] - s) <= 1e-12 * nan_max(1.0, fabs(s)));
        }
    assert_int_equal(dtb_readout_predict(path, feat, T, 9, pred, needed, NULL), DTB_EINVAL);
    assert_error_contains("features");
    free(pred);
    free(x);
    free(feat);
    free(w);
    free(u);
    free(y);
    dtb_reservoir_free(r);
    dtb_atlas_free(a);
}

/* A random orthogonal matrix (QR of a Gaussian one). */
static double *orthogonal(size_t n, unsigned long seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    gsl_matrix *m = gsl_matrix_alloc(n, n), *q = gsl_matrix_alloc(n, n), *rr = gsl_matrix_alloc(n, n);
    gsl_vector *tau = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(m, i, j, gsl_ran_gaussian(g, 1.0));
    gsl_linalg_QR_decomp(m, tau);
    gsl_linalg_QR_unpack(m, tau, q, rr);
    double *w = malloc(n * n * sizeof *w);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            w[i * n + j] = gsl_matrix_get(q, i, j);
    gsl_matrix_free(m);
    gsl_matrix_free(q);
    gsl_matrix_free(rr);
    gsl_vector_free(tau);
    gsl_rng_free(g);
    return w;
}

/* A linear echo-state network with orthogonal W, one input region and
 * every region read: x(t) = sum_j (alpha W)^j w_in u(t - j) holds the
 * inputs of delays 0, 1, 2, ... and for i.i.d. input the squared
 * correlations of their reconstructions sum to N, the bound (Jaeger 2001;
 * White, Lee & Sompolinsky 2004), when the Krylov vectors (alpha W)^j w_in
 * span R^N, as they do for a random orthogonal W. Delay 0 counts here: the
 * input region itself is read (the built-in task starts at delay 1, and
 * by default reads the other regions only). */
static void linear_orthogonal_memory_capacity_reaches_n(void **state)
{
    (void)state;
    const size_t n = 16, T = 40000, K = 120;   /* 0.9^120 = 3e-6: nothing beyond K */
    double *w = orthogonal(n, 7);
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, (int64_t)n, w, NULL, NULL, NULL), DTB_OK);
    dtb_reservoir *r = NULL;
    assert_int_equal(dtb_reservoir_create(&r, a), DTB_OK);
    assert_int_equal(dtb_reservoir_set_activation(r, "identity"), DTB_OK);
    char all[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%zu", i ? "+" : "", i);
    assert_int_equal(dtb_reservoir_set_regions(r, "0", all), DTB_OK);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 11);
    double *u = malloc(T * sizeof *u), *y = malloc(T * (K + 1) * sizeof *y);
    for (size_t t = 0; t < T; t++)
        u[t] = gsl_rng_uniform(g) * 2 - 1;
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k <= K; k++)
            y[t * (K + 1) + k] = t >= k ? u[t - k] : 0.0;
    assert_int_equal(dtb_reservoir_set_task_data(r, u, T, 1, y, K + 1, 0), DTB_OK);
    double mean_r2 = NAN;
    assert_int_equal(dtb_reservoir_score(r, 0.9, -1, NULL, &mean_r2), DTB_OK);
    const double mc = mean_r2 * (double)(K + 1);   /* the caller's task scores the mean r^2 */
    print_message("linear orthogonal network, N = %zu: memory over delays 0..%zu = %.4f\n", n, K, mc);
    if (!(fabs(mc - (double)n) < 0.02 * (double)n))
        fail_msg("memory capacity %g, expected N = %zu", mc, n);
    /* the built-in task (delays from 1) on the same network: the bound
     * less what delay 0 took */
    assert_int_equal(dtb_reservoir_set_task(r, "memory-capacity", 40000, 120), DTB_OK);
    double mc1 = NAN;
    dtb_status st1 = dtb_reservoir_score(r, 0.9, -1, NULL, &mc1);
    if (st1)
        fail_msg("%s", dtb_last_error_message());
    assert_true(mc1 < mc && mc1 > (double)n - 2);
    /* a network whose memory fades sooner holds less */
    double mc_short = NAN;
    assert_int_equal(dtb_reservoir_score(r, 0.3, -1, NULL, &mc_short), DTB_OK);
    assert_true(mc_short < mc1 - 1);
    gsl_rng_free(g);
    free(u);
    free(y);
    dtb_reservoir_free(r);
    dtb_atlas_free(a);
    free(w);
}

static int32_t stop_reservoir_after_one(int64_t done, int64_t total, void *user_data)
{
    (void)total;
    if (done == 1)
        dtb_reservoir_request_stop(user_data);
    return 0;
}

/* nulls: each one scores differently, the run's table agrees with the
 * single scores, the percentile counts; the seed; stopping a run */
static void run_over_nulls(void **state)
{
    (void)state;
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    dtb_reservoir *r = NULL;
    assert_int_equal(dtb_reservoir_create(&r, a), DTB_OK);
    assert_int_equal(dtb_reservoir_set_task(r, "memory-capacity", 1000, 20), DTB_OK);
    assert_int_equal(dtb_reservoir_set_nulls(r, DTB_NULL_STRENGTH, 3), DTB_OK);
    const double alphas[2] = {0.5, 0.9};
    dtb_explore_options o;
    assert_int_equal(dtb_explore_options_init(&o, DTB_EXPLORE_OPTIONS_VERSION), DTB_OK);
    o.jobs = 2;
    assert_int_equal(dtb_reservoir_run(r, alphas, 2, &o), DTB_OK);
    for (size_t i = 0; i < 2; i++) {
        double e = dtb_reservoir_result(r, i, -1), single = NAN;
        assert_int_equal(dtb_reservoir_score(r, alphas[i], -1, NULL, &single), DTB_OK);
        assert_true(e == single);
        int below = 0;
        for (int64_t k = 0; k < 3; k++) {
            double v = dtb_reservoir_result(r, i, k);
            assert_true(isfinite(v));
            assert_true(v != e);   /* a null is another network */
            assert_int_equal(dtb_reservoir_score(r, alphas[i], k, NULL, &single), DTB_OK);
            assert_true(v == single);
            below += v < e;
        }
        assert_true(fabs(dtb_reservoir_percentile(r, i) - 100.0 * below / 3.0) < 1e-12);
    }
    assert_true(isnan(dtb_reservoir_result(r, 2, -1)));
    assert_true(isnan(dtb_reservoir_result(r, 0, 3)));
    /* the seed (default 42) picks the nulls and the task: another seed,
     * another score of null 0; back to 42, the run's score again */
    double s42 = dtb_reservoir_result(r, 1, 0), s43 = NAN, again = NAN;
    assert_int_equal(dtb_reservoir_set_seed(r, 43), DTB_OK);
    assert_int_equal(dtb_reservoir_score(r, alphas[1], 0, NULL, &s43), DTB_OK);
    assert_int_equal(dtb_reservoir_set_seed(r, 42), DTB_OK);
    assert_int_equal(dtb_reservoir_score(r, alphas[1], 0, NULL, &again), DTB_OK);
    print_message("null 0 at alpha 0.9: seed 42 %.17g, seed 43 %.17g\n", s42, s43);
    assert_true(isfinite(s43) && s43 != s42);
    assert_true(again == s42);
    /* dtb_reservoir_request_stop from the progress callback after the
     * first network: DTB_ECANCELLED, the pairs not run stay NaN */
    o.jobs = 1;   /* the default batch: networks are reported one by one anyway */
    o.progress = stop_reservoir_after_one;
    o.user_data = r;
    assert_int_equal(dtb_reservoir_run(r, alphas, 2, &o), DTB_ECANCELLED);
    int not_run = 0;
    for (size_t i = 0; i < 2; i++)
        for (int64_t k = -1; k < 3; k++)
            not_run += isnan(dtb_reservoir_result(r, i, k));
    print_message("stopped after one: %d of 8 scores not run\n", not_run);
    assert_true(not_run > 0);
    o.progress = NULL;
    o.user_data = NULL;
    /* the degree null of a connectome where every pair is connected does
     * not exist: said, and the reservoir still works */
    assert_int_equal(dtb_reservoir_set_nulls(r, DTB_NULL_DEGREE, 1), DTB_OK);
    double s = NAN;
    assert_int_equal(dtb_reservoir_score(r, 0.5, 0, NULL, &s), DTB_EINVAL);
    assert_error_contains("no degree-preserving swap");
    assert_int_equal(dtb_reservoir_score(r, 0.5, -1, NULL, &s), DTB_OK);
    assert_true(isfinite(s));
    dtb_reservoir_free(r);
    dtb_atlas_free(a);
}

static void bad_inputs_leave_it_usable(void **state)
{
    (void)state;
    dtb_atlas *a = reference_atlas();
    dtb_reservoir *r = NULL;
    assert_int_equal(dtb_reservoir_create(NULL, a), DTB_EINVAL);
    assert_int_equal(dtb_reservoir_create(&r, NULL), DTB_EINVAL);
    assert_null(r);
    assert_int_equal(dtb_reservoir_create(&r, a), DTB_OK);
    assert_int_equal(dtb_reservoir_set_activation(r, "relu"), DTB_EINVAL);
    assert_error_contains("relu");
    assert_int_equal(dtb_reservoir_set_regions(r, "nowhere*", NULL), DTB_ENOTFOUND);
    assert_error_contains("nowhere");
    assert_int_equal(dtb_reservoir_set_regions(r, "0+99", NULL), DTB_EINVAL);
    assert_int_equal(dtb_reservoir_set_task(r, "chess", 0, 0), DTB_EINVAL);
    assert_error_contains("chess");
    assert_int_equal(dtb_reservoir_set_task(r, "memory-capacity", 100, 0), DTB_EINVAL);
    assert_int_equal(dtb_reservoir_set_readout(r, "forest"), DTB_EINVAL);
    assert_int_equal(dtb_reservoir_set_nulls(r, (dtb_null_model)9, 3), DTB_EINVAL);
    assert_int_equal(dtb_reservoir_set_nulls(r, DTB_NULL_DEGREE, -1), DTB_EINVAL);
    double u[300], y[300];
    for (int i = 0; i < 300; i++) {
        u[i] = sin(i);
        y[i] = i % 2;
    }
    u[17] = NAN;
    assert_int_equal(dtb_reservoir_set_task_data(r, u, 300, 1, y, 1, 0), DTB_EINVAL);
    assert_error_contains("17");
    u[17] = 0;
    y[5] = 7;
    assert_int_equal(dtb_reservoir_set_task_data(r, u, 300, 1, y, 1, 2), DTB_EINVAL);
    y[5] = 1;
    double s = NAN;
    assert_int_equal(dtb_reservoir_score(r, -1.0, -1, NULL, &s), DTB_EINVAL);
    assert_int_equal(dtb_reservoir_score(r, NAN, -1, NULL, &s), DTB_EINVAL);
    assert_int_equal(dtb_reservoir_score(r, 0.5, 4, NULL, &s), DTB_EINVAL);
    const double bad[1] = {INFINITY};
    assert_int_equal(dtb_reservoir_run(r, bad, 1, NULL), DTB_EINVAL);
    char path[1024];
    snprintf(path, sizeof path, "%s/no/such/dir/readout.txt", test_tmpdir());
    assert_int_equal(dtb_reservoir_score(r, 0.5, -1, path, &s), DTB_EIO);
    assert_error_contains("no/such/dir");
    assert_int_equal(dtb_readout_predict("/nonexistent/readout.txt", u, 1, 1, NULL, 0, NULL),
                     DTB_ENOTFOUND);
    assert_error_contains("/nonexistent/readout.txt");
    /* after all that, it still scores */
    assert_int_equal(dtb_reservoir_score(r, 0.5, -1, NULL, &s), DTB_OK);
    assert_true(isfinite(s));
    dtb_reservoir_free(r);
    dtb_atlas_free(a);
}

/* A run whose nulls cannot be built (log-transformed streamline counts have
 * negative weights; the strength null needs non-negative ones) fails with
 * the reason instead of a table of NaN, and the reservoir still scores. */
static void run_refuses_networks_that_cannot_be_built(void **state)
{
    (void)state;
    const size_t n = 12;
    double w[144] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if ((i * 7 + j * 3) % 4 == 0)
                w[i * n + j] = w[j * n + i] = 1.0 + 0.1 * (double)(i + j);
    w[0 * n + 1] = w[1 * n + 0] = -0.5;
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, (int64_t)n, w, NULL, NULL, NULL), DTB_OK);
    dtb_reservoir *r = NULL;
    assert_int_equal(dtb_reservoir_create(&r, a), DTB_OK);
    assert_int_equal(dtb_reservoir_set_task(r, "memory-capacity", 600, 5), DTB_OK);
    assert_int_equal(dtb_reservoir_set_nulls(r, DTB_NULL_STRENGTH, 4), DTB_OK);
    const double alphas[1] = {0.8};
    dtb_explore_options o;
    assert_int_equal(dtb_explore_options_init(&o, DTB_EXPLORE_OPTIONS_VERSION), DTB_OK);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/negative-weights", test_tmpdir());
    o.out_dir = dir;
    assert_int_equal(dtb_reservoir_run(r, alphas, 1, &o), DTB_EINVAL);
    assert_error_contains("null");
    assert_error_contains("non-negative");
    /* no NaN rows in the table: a resumed run would redo those networks */
    char path[1100];
    snprintf(path, sizeof path, "%s/reservoir.csv", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            assert_null(strstr(line, "nan"));
        fclose(f);
    }
    double s = NAN;
    assert_int_equal(dtb_reservoir_score(r, 0.8, -1, NULL, &s), DTB_OK);
    assert_true(isfinite(s));
    dtb_reservoir_free(r);
    dtb_atlas_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(esn_states_equal_numpy),
        cmocka_unit_test(ridge_readout_equals_numpy_lstsq),
        cmocka_unit_test(linear_orthogonal_memory_capacity_reaches_n),
        cmocka_unit_test(run_over_nulls),
        cmocka_unit_test(bad_inputs_leave_it_usable),
        cmocka_unit_test(run_refuses_networks_that_cannot_be_built),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
