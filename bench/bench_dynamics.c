/* Dynamics benchmark: how long the analyses of dtb_dynamics(3) take, one
 * thread.
 *
 *   bench_dynamics [--runs N]
 *
 * Cases (issue "Understand the dynamics"):
 *   continuation  Jansen-Rit (6 states, v0 = 6 mV) in mu over [-0.1, 0.4]
 *                 1/ms: the whole branch with its folds and Hopf points;
 *   network       the critical coupling a of the delay-free bn246 network
 *                 (246 regions) of the linear model and of the generic 2-D
 *                 oscillator (492 unknowns), linear coupling, a in [0, 10]
 *                 and [0, 0.05].
 * Each case runs N times (default 3) and prints the best and the median,
 * wall and CPU. Prints figures; it does not pass or fail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stats.h"
#include "dtb/dtb.h"

static int fail(const char *what)
{
    fprintf(stderr, "bench_dynamics: %s: %s\n", what, dtb_last_error_message());
    return 1;
}

static int continuation(int runs)
{
    dtb_model *m = NULL;
    if (dtb_model_create_builtin(&m, "jansen_rit") || dtb_model_set_param(m, "v0", 6.0))
        return fail("jansen_rit");
    dtb_dynamics *d = NULL;
    if (dtb_dynamics_create(&d, m))
        return fail("dtb_dynamics_create");
    int64_t n = 0;
    double x[6];
    if (dtb_dynamics_find_fixed_points(d, NULL, &n) || n < 1 ||
        dtb_dynamics_fixed_point(d, 0, x, 6, NULL, NULL, 0, NULL))
        return fail("fixed point");
    double wall[32], cpu[32];
    int64_t points = 0, special = 0;
    for (int r = 0; r < runs; r++) {
        double w0 = bench_wall(), c0 = bench_cpu();
        dtb_branch *b = NULL;
        if (dtb_dynamics_continue(d, "mu", -0.1, 0.4, x, 6, NULL, &b))
            return fail("continue");
        wall[r] = bench_wall() - w0;
        cpu[r] = bench_cpu() - c0;
        points = dtb_branch_point_count(b);
        special = dtb_branch_special_count(b);
        dtb_branch_free(b);
    }
    double wb, wm, cb, cm;
    bench_best_median(wall, runs, &wb, &wm);
    bench_best_median(cpu, runs, &cb, &cm);
    printf("continuation  jansen_rit, 6 states, mu in [-0.1, 0.4]: %lld points, %lld special\n"
           "              best / median of %d: wall %.3f / %.3f s  CPU %.3f / %.3f s  (%.1f us/point)\n",
           (long long)points, (long long)special, runs, wb, wm, cb, cm, 1e6 * cb / (double)points);
    dtb_dynamics_free(d);
    dtb_model_free(m);
    return 0;
}

static int network(const char *model, double hi, int runs)
{
    dtb_atlas *atlas = NULL;
    dtb_model *m = NULL;
    dtb_dynamics *d = NULL;
    if (dtb_atlas_create_builtin(&atlas, "bn246") || dtb_model_create_builtin(&m, model) ||
        dtb_dynamics_create(&d, m))
        return fail(model);
    double wall[32], cpu[32], crit = NAN;
    for (int r = 0; r < runs; r++) {
        double w0 = bench_wall(), c0 = bench_cpu();
        if (dtb_dynamics_network_critical(d, atlas, DTB_COUPLING_LINEAR, NULL, NULL, 0, "a", 0.0, hi, &crit))
            return fail("network_critical");
        wall[r] = bench_wall() - w0;
        cpu[r] = bench_cpu() - c0;
    }
    double wb, wm, cb, cm;
    bench_best_median(wall, runs, &wb, &wm);
    bench_best_median(cpu, runs, &cb, &cm);
    printf("network       bn246 x %s (%lld unknowns), a in [0, %g]: critical a = %.10g\n"
           "              best / median of %d: wall %.2f / %.2f s  CPU %.2f / %.2f s\n",
           model, (long long)(246 * dtb_dynamics_state_count(d)), hi, crit, runs, wb, wm, cb, cm);
    dtb_dynamics_free(d);
    dtb_model_free(m);
    dtb_atlas_free(atlas);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--runs N]\n", argv[0]);
            return 2;
        }
    }
    if (runs < 1 || runs > 32)
        runs = 3;
    printf("libdtb %s, one thread\n", dtb_version_string());
    int rc = continuation(runs);
    rc |= network("linear", 10.0, runs);
    rc |= network("generic_2d_oscillator", 0.05, runs);
    return rc;
}
