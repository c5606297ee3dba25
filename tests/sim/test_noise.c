/* The statistics of each noise kind (dtb_sim.h, dtb_noise_kind) against
 * their closed forms, on the linear model of tests/data/models/decay.xml
 * (dx/dt = -k x with x_inf = 0, time in ms) over many independent regions,
 * forward Euler, dt 0.1 ms; and dtb_sim_set_noise_regions and
 * dtb_sim_scale_noise. The seeds are fixed, so each figure is a fixed
 * number: the tolerances (several standard errors of the estimate) decide
 * once, not at random. Before this test only ADDITIVE's variance was
 * checked (test_sim.c); SIGMA, MULTIPLICATIVE and COLOURED were claimed in
 * the header and the README with no test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

#define H 0.1          /* dt in the model's unit (ms) */


/* decay.xml with rate k (per ms), x_inf = 0, Euler at dt 0.1 ms, all
 * regions starting at x0; noise of `kind` (tau in s) on x only. */
static dtb_sim *noisy_sim(dtb_atlas *atlas, double k, double x0, dtb_noise_kind kind,
                          double tau, double D, uint64_t seed)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/decay.xml", DTB_TEST_DATA);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, path, NULL), DTB_OK);
    assert_int_equal(dtb_model_set_param(m, "x_inf", 0), DTB_OK);
    assert_int_equal(dtb_model_set_param(m, "k", k), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.seed = seed;
    o.dt = H * 1e-3;
    o.integrator = DTB_INTEGRATOR_EULER;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
    dtb_model_free(m);
    assert_int_equal(dtb_sim_set_noise_kind(sim, kind, tau), DTB_OK);
    assert_int_equal(dtb_sim_set_noise(sim, 0, D), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_value(sim, 0, x0), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_value(sim, 1, 0.0), DTB_OK);
    return sim;
}

/* x of every region (state variable 0) */
static void get_x(dtb_sim *sim, double *x, int64_t n)
{
    double *all = malloc((size_t)(2 * n) * sizeof *all);
    assert_int_equal(dtb_sim_get_state(sim, all, (size_t)(2 * n), NULL), DTB_OK);
    memcpy(x, all, (size_t)n * sizeof *x);
    free(all);
}

static double mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

static double var_of(const double *x, size_t n)
{
    double m = mean_of(x, n), s = 0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return s / (double)(n - 1);
}

/* Variance over `snaps` snapshots `spacing` steps apart of the regions
 * [from, from + count) (mean known to be 0). */
static double snapshot_variance(dtb_sim *sim, int64_t n, int64_t from, int64_t count, int snaps,
                                int spacing)
{
    double *x = malloc((size_t)n * sizeof *x), sum = 0;
    for (int s = 0; s < snaps; s++) {
        assert_int_equal(dtb_sim_step(sim, spacing), DTB_OK);
        get_x(sim, x, n);
        for (int64_t i = from; i < from + count; i++)
            sum += x[i] * x[i];
    }
    free(x);
    return sum / ((double)snaps * (double)count);
}

/* Stationary variance of ADDITIVE and SIGMA: Euler makes x' = a x + s z,
 * a = 1 - k h, an AR(1) process with variance s^2 / (1 - a^2) exactly;
 * s = sqrt(2 D h) (ADDITIVE) or D sqrt(h) (SIGMA). 200 regions after
 * 40 ms (80 relaxation times), 100 snapshots 40 steps apart (correlation
 * a^40 = 0.13, of the squares 0.017): 20000 nearly independent draws, a
 * relative standard error of sqrt(2 / 20000) = 1%; tolerance 5%. Fails if
 * the amplitude is sqrt(D h) (variance halved), D h, or if SIGMA is read
 * as ADDITIVE (D = 0.02: variance x 100). */
static void stationary_case(dtb_noise_kind kind, double D, double s2)
{
    const int64_t n = 200;
    const double k = 0.5, a = 1 - k * H, expect = s2 / (1 - a * a);
    dtb_atlas *atlas = test_isolated_atlas(n);
    dtb_sim *sim = noisy_sim(atlas, k, 0.0, kind, 0, D, 11);
    assert_int_equal(dtb_sim_step(sim, 400), DTB_OK);
    double var = snapshot_variance(sim, n, 0, n, 100, 40);
    print_message("  %s: variance %.6g, closed form %.6g (ratio %.4f)\n",
                  kind == DTB_NOISE_SIGMA ? "sigma" : "additive", var, expect, var / expect);
    assert_true(fabs(var / expect - 1) < 0.05);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_additive_variance(void **state)
{
    (void)state;
    const double D = 0.02;
    stationary_case(DTB_NOISE_ADDITIVE, D, 2 * D * H);
}

static void test_sigma_variance(void **state)
{
    (void)state;
    const double D = 0.02;
    stationary_case(DTB_NOISE_SIGMA, D, D * D * H);
}

/* MULTIPLICATIVE: an Euler step from x gives x' = x (a + sqrt(2 D h) z),
 * z standard normal, x the state at the step's start; so z is read back
 * from two consecutive states as (x' - a x) / (x sqrt(2 D h)). 200
 * regions, half starting at 1, half at 3, 100 steps: in each half z must
 * have mean 0 and variance 1 (10000 draws: standard errors 0.01 and
 * 0.014; tolerances 5 of them), and after the first step the spread of x
 * must be 3 times larger in the second half. Fails if the noise is
 * additive (z's variance about 1/9 in the second half), multiplies the
 * state after the deterministic part (a x: variance a^2 = 0.90) or
 * lacks the factor 2 (variance 1/2). */
static void test_multiplicative(void **state)
{
    (void)state;
    const int64_t n = 200;
    const int steps = 100;
    const double k = 0.5, a = 1 - k * H, D = 0.05, s = sqrt(2 * D * H);
    dtb_atlas *atlas = test_isolated_atlas(n);
    dtb_sim *sim = noisy_sim(atlas, k, 1.0, DTB_NOISE_MULTIPLICATIVE, 0, D, 12);
    double *x0 = malloc((size_t)(2 * n) * sizeof *x0), *x1 = malloc((size_t)n * sizeof *x1);
    for (int64_t i = 0; i < 2 * n; i++)
        x0[i] = i < n ? (i < n / 2 ? 1.0 : 3.0) : 0.0;
    assert_int_equal(dtb_sim_set_initial_state(sim, x0, (size_t)(2 * n)), DTB_OK);
    double *z = malloc((size_t)(steps * n) * sizeof *z), sd[2] = {0, 0};
    for (int t = 0; t < steps; t++) {
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
        get_x(sim, x1, n);
        for (int64_t i = 0; i < n; i++) {
            /* grouped by half: z[half][t][i'] */
            int64_t half = i / (n / 2), j = i % (n / 2);
            z[(size_t)half * (size_t)(steps * (n / 2)) + (size_t)t * (size_t)(n / 2) + (size_t)j] =
                (x1[i] - a * x0[i]) / (x0[i] * s);
        }
        if (t == 0)
            for (int half = 0; half < 2; half++)
                sd[half] = sqrt(var_of(x1 + half * (n / 2), (size_t)(n / 2)));
        memcpy(x0, x1, (size_t)n * sizeof *x0);
    }
    const size_t m = (size_t)(steps * (n / 2));
    for (int half = 0; half < 2; half++) {
        const double *zh = z + (size_t)half * m;
        double mz = mean_of(zh, m), vz = var_of(zh, m);
        print_message("  multiplicative, x0 = %g: z mean %.4f, variance %.4f over %zu draws\n",
                      half ? 3.0 : 1.0, mz, vz, m);
        assert_true(fabs(mz) < 5 * sqrt(1.0 / (double)m));
        assert_true(fabs(vz - 1) < 5 * sqrt(2.0 / (double)m));
    }
    /* 100 draws per half: the ratio of the spreads within 3 x 15% */
    print_message("  multiplicative, first step: sd of x %.4f and %.4f (closed form %.4f, %.4f)\n",
                  sd[0], sd[1], s, 3 * s);
    assert_true(fabs(sd[1] / sd[0] / 3 - 1) < 0.45);
    free(x0);
    free(x1);
    free(z);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

/* COLOURED: with k = 0 the state integrates the noise, x_{n+1} - x_n =
 * h xi_n, so xi is read back exactly from the increments. An
 * Ornstein-Uhlenbeck process of correlation time tau and stationary
 * variance D / tau, started from that law: its variance at the first step
 * and over the run is D / tau, its autocorrelation at lag L is
 * exp(-L h / tau), so the correlation time read from lag tau / h is tau.
 * 400 regions, 2000 steps (40 tau). Fails if tau is taken in ms instead of
 * s (x 1000), if xi starts at 0, if its stationary variance is D
 * (x tau), or if the noise is white (correlation 0 at lag 1). */
static void test_coloured(void **state)
{
    (void)state;
    const int64_t n = 400;
    const int steps = 2000, L = 50;
    const double tau = 5e-3, tau_ms = 5.0, D = 0.02, expect = D / tau_ms;
    dtb_atlas *atlas = test_isolated_atlas(n);
    dtb_sim *sim = noisy_sim(atlas, 0.0, 0.0, DTB_NOISE_COLOURED, tau, D, 13);
    double *xs = malloc((size_t)(steps + 1) * (size_t)n * sizeof *xs);
    get_x(sim, xs, n);
    for (int t = 1; t <= steps; t++) {
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
        get_x(sim, xs + (size_t)t * (size_t)n, n);
    }
    /* xi[t][i], t = 0 .. steps - 1 */
    double *xi = malloc((size_t)steps * (size_t)n * sizeof *xi);
    for (int t = 0; t < steps; t++)
        for (int64_t i = 0; i < n; i++)
            xi[(size_t)t * (size_t)n + (size_t)i] =
                (xs[(size_t)(t + 1) * (size_t)n + (size_t)i] - xs[(size_t)t * (size_t)n + (size_t)i]) / H;
    double v0 = var_of(xi, (size_t)n);
    double var = 0, c1 = 0, cL = 0;
    for (int t = 0; t < steps; t++)
        for (int64_t i = 0; i < n; i++) {
            double u = xi[(size_t)t * (size_t)n + (size_t)i];
            var += u * u;
            if (t + 1 < steps)
                c1 += u * xi[(size_t)(t + 1) * (size_t)n + (size_t)i];
            if (t + L < steps)
                cL += u * xi[(size_t)(t + L) * (size_t)n + (size_t)i];
        }
    var /= (double)steps * (double)n;
    double rho1 = c1 / ((double)(steps - 1) * (double)n) / var;
    double rhoL = cL / ((double)(steps - L) * (double)n) / var;
    double tau_est = -L * H / log(rhoL);
    print_message("  coloured: variance at the first step %.5g, over the run %.5g, closed form "
                  "%.5g; autocorrelation lag 1 %.5f (closed form %.5f), lag %d %.4f (%.4f); "
                  "correlation time %.3f ms (tau %.3f ms)\n", v0, var, expect, rho1,
                  exp(-H / tau_ms), L, rhoL, exp(-L * H / tau_ms), tau_est, tau_ms);
    /* first step: 400 draws, relative standard error sqrt(2 / 400) = 7% */
    assert_true(fabs(v0 / expect - 1) < 0.3);
    /* over the run: about 400 x 2000 / (2 tau / h) = 8000 independent draws */
    assert_true(fabs(var / expect - 1) < 0.08);
    assert_true(fabs(rho1 - exp(-H / tau_ms)) < 0.005);
    assert_true(fabs(tau_est / tau_ms - 1) < 0.1);
    free(xs);
    free(xi);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

/* Per-region intensities (dtb_sim_set_noise_regions) and the amplitude
 * factor (dtb_sim_scale_noise), additive noise, stationary variances as in
 * stationary_case: regions 0..n/2-1 get D, the others 4 D (variance x 4);
 * scaled by 0.5 afterwards (D x 0.25 for ADDITIVE, whose amplitude is
 * sqrt(D)), the variances fall to a quarter. Fails if the per-region
 * values are ignored or misplaced, or if the scale is applied to D
 * instead of the amplitude. */
static void test_noise_regions_and_scale(void **state)
{
    (void)state;
    const int64_t n = 200;
    const double k = 0.5, a = 1 - k * H, D = 0.01;
    dtb_atlas *atlas = test_isolated_atlas(n);
    dtb_sim *sim = noisy_sim(atlas, k, 0.0, DTB_NOISE_ADDITIVE, 0, 0.0, 14);
    double *Dr = malloc((size_t)n * sizeof *Dr);
    for (int64_t i = 0; i < n; i++)
        Dr[i] = i < n / 2 ? D : 4 * D;
    assert_int_equal(dtb_sim_set_noise_regions(sim, 0, Dr, (size_t)n), DTB_OK);
    assert_int_equal(dtb_sim_set_noise_regions(sim, 0, Dr, (size_t)n - 1), DTB_EINVAL);
    for (int pass = 0; pass < 2; pass++) {
        const double f = pass ? 0.25 : 1.0;
        assert_int_equal(dtb_sim_step(sim, 400), DTB_OK);
        for (int half = 0; half < 2; half++) {
            /* the same sim steps on: each half is measured over its own
             * 100 snapshots (10000 draws: 1.4%) */
            double v = snapshot_variance(sim, n, half * (n / 2), n / 2, 100, 40);
            double expect = 2 * (half ? 4 * D : D) * f * H / (1 - a * a);
            print_message("  %s, regions with %s: variance %.5g, closed form %.5g\n",
                          pass ? "scaled by 0.5" : "unscaled", half ? "4 D" : "D", v, expect);
            assert_true(fabs(v / expect - 1) < 0.1);
        }
        if (!pass)
            assert_int_equal(dtb_sim_scale_noise(sim, 0.5), DTB_OK);
    }
    assert_int_equal(dtb_sim_scale_noise(sim, -1), DTB_EINVAL);
    /* a correlation time means something for coloured noise only: for the
     * other kinds it is refused, not silently ignored, and the kind in
     * force stays (the variances above would change if it had not) */
    assert_int_equal(dtb_sim_set_noise_kind(sim, DTB_NOISE_SIGMA, 5.0), DTB_EINVAL);
    assert_non_null(strstr(dtb_last_error_message(), "coloured noise only"));
    assert_int_equal(dtb_sim_set_noise_kind(sim, DTB_NOISE_ADDITIVE, 1e-3), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_noise_kind(sim, DTB_NOISE_MULTIPLICATIVE, -1.0), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_noise_kind(sim, DTB_NOISE_COLOURED, 0.0), DTB_EINVAL);
    assert_int_equal(dtb_sim_set_noise_kind(sim, DTB_NOISE_SIGMA, 0.0), DTB_OK);
    free(Dr);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_additive_variance),
        cmocka_unit_test(test_sigma_variance),
        cmocka_unit_test(test_multiplicative),
        cmocka_unit_test(test_coloured),
        cmocka_unit_test(test_noise_regions_and_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
