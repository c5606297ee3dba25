/* Region-network benchmark: simulated seconds per wall-clock second and
 * peak memory, one thread.
 *
 *   bench_region [--duration SECONDS] [--shared DIR] [--case tvb76|bn246] [--runs N]
 *
 * Cases (issue "Foundation"): Generic2dOscillator, linear coupling
 * a = 0.0152, conduction speed 3 m/s, Heun stochastic (additive noise
 * D = 1e-6 on every state variable), dt = 0.1 ms, a 1 ms temporal-average
 * observer streaming to a callback; on TVB's 76-region connectivity and on
 * the built-in bn246 atlas (dense, 60 270 connections). Each case runs N
 * times (default 5, a fresh simulation each time) and prints the best and
 * the median time per step, wall and CPU; peak RSS is the process's. Prints figures, it
 * does not pass or fail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dtb/dtb.h"

#include "bench_stats.h"

static double now(void)
{
    return bench_wall();
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;   /* Linux: kilobytes */
}

static int32_t discard(double t, const double *v, size_t n, void *ud)
{
    (void)t;
    (void)v;
    (void)n;
    (*(int64_t *)ud)++;
    return 0;
}

/* One run of `seconds` on a fresh simulation: wall seconds per step into
 * *per_step, setup seconds into *setup. */
static int run_once(const dtb_atlas *atlas, const dtb_model *model, double duration,
                    double *per_step, double *cpu_per_step, double *setup, int64_t *horizon)
{
    dtb_sim *sim = NULL;
    dtb_observer *obs = NULL;
    int64_t samples = 0;
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = 1e-4;
    so.speed = 3.0;
    so.integrator = DTB_INTEGRATOR_HEUN;
    so.coupling = DTB_COUPLING_LINEAR;
    so.seed = 42;
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_TAVG;
    oo.period = 1e-3;
    oo.sink = DTB_SINK_CALLBACK;
    oo.callback = discard;
    oo.user_data = &samples;
    int rc = 0;
    double t0 = now();
    if (dtb_sim_create(&sim, atlas, model, &so) || dtb_sim_set_coupling_param(sim, "a", 0.0152) ||
        dtb_sim_set_noise(sim, -1, 1e-6) || dtb_observer_create(&obs, sim, &oo))
        rc = 1;
    *setup = now() - t0;
    if (!rc) {
        t0 = now();
        double c0 = bench_cpu();
        rc = dtb_sim_run(sim, duration, NULL, NULL) != DTB_OK;
        *per_step = (now() - t0) / (double)dtb_sim_step_index(sim);
        *cpu_per_step = (bench_cpu() - c0) / (double)dtb_sim_step_index(sim);
        *horizon = dtb_sim_horizon(sim);
    }
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    return rc;
}

#define MAX_RUNS 1000

static int run_case(const char *label, const char *atlas_path, double duration, int runs)
{
    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    if (dtb_atlas_load(&atlas, atlas_path, NULL) ||
        dtb_model_create_builtin(&model, "generic_2d_oscillator")) {
        fprintf(stderr, "%s: %s\n", label, dtb_last_error_message());
        dtb_atlas_free(atlas);
        return 1;
    }
    double per_step[MAX_RUNS], cpu[MAX_RUNS], setup = 0;
    int64_t horizon = 0;
    int rc = 0;
    for (int r = 0; !rc && r < runs; r++)
        rc = run_once(atlas, model, duration, &per_step[r], &cpu[r], &setup, &horizon);
    if (rc) {
        fprintf(stderr, "%s: %s\n", label, dtb_last_error_message());
    } else {
        double best, median, cbest, cmedian;
        bench_best_median(per_step, runs, &best, &median);
        bench_best_median(cpu, runs, &cbest, &cmedian);
        printf("%-8s regions %4lld  edges %6lld  horizon %4lld  %.1f s simulated  setup %.3f s  "
               "peak RSS %.1f MiB\n"
               "         best / median of %d: wall %.2f / %.2f us/step (%.2f / %.2f sim-s/wall-s)  "
               "CPU %.2f / %.2f us/step\n",
               label, (long long)dtb_atlas_region_count(atlas),
               (long long)dtb_atlas_edge_count(atlas), (long long)horizon, duration, setup,
               peak_rss_mib(), runs, 1e6 * best, 1e6 * median, 1e-4 / best, 1e-4 / median,
               1e6 * cbest, 1e6 * cmedian);
    }
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return rc;
}

int main(int argc, char **argv)
{
    double duration = 10.0;
    const char *shared = DTB_SHARED_DATA;
    const char *only = NULL;
    int runs = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--duration") && i + 1 < argc)
            duration = atof(argv[++i]);
        else if (!strcmp(argv[i], "--shared") && i + 1 < argc)
            shared = argv[++i];
        else if (!strcmp(argv[i], "--case") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc && bench_parse_runs(argv[i + 1]))
            runs = bench_parse_runs(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--duration SECONDS] [--shared DATA_DIR] [--case NAME] "
                    "[--runs N]\n",
                    argv[0]);
            return 2;
        }
    }
    char tvb76[4096];
    snprintf(tvb76, sizeof tvb76, "%s/atlases/tvb76", shared);
    printf("libdtb %s, Generic2dOscillator, linear a=0.0152, 3 m/s, Heun stochastic D=1e-6, "
           "dt 0.1 ms, tavg 1 ms\n", dtb_version_string());
    int rc = 0;
    if (!only || !strcmp(only, "tvb76"))
        rc |= run_case("tvb76", tvb76, duration, runs);
    if (!only || !strcmp(only, "bn246"))
        rc |= run_case("bn246", "bn246", duration, runs);
    return rc;
}
