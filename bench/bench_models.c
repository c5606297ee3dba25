/* Per-model speed and the OpenDTB default twin, one thread.
 *
 *   bench_models [--duration SECONDS] [--shared DIR] [--model NAME] [--twin-only]
 *
 * 1. Every built-in model on TVB's 76-region connectivity and on the
 *    built-in bn246 atlas (dense, 60 270 connections), both with conduction
 *    delays at 3 m/s: Heun, deterministic, linear coupling a = 1e-3, dt
 *    0.1 ms (0.01 ms, and a tenth of the duration, for a model that
 *    diverges at 0.1 ms), every state variable starting at the middle of
 *    its default initial range, a 1 ms temporal average streamed to a callback.
 *    Prints simulated seconds per wall second and microseconds per step.
 * 2. OpenDTB's default twin as OpenDTB runs it (issue "Built-in models"):
 *    reduced Wong-Wang excitatory-inhibitory on the real Brainnetome SC
 *    (shared/data/atlases/bn246_opendtb_sc), dense, no delays, G = 0.1,
 *    Euler at 0.1 ms with sigma noise 0.01 / 0.001, a 1 ms subsample
 *    streamed to a callback, five times: the best and the median of the
 *    wall and the CPU time per step. OpenDTB's compiled kernel needed 47 us
 *    per step for it in the least loaded of three measurement sessions
 *    (the median of three repeats there; 58.5 and 101 us in the other two:
 *    ../shared/reference/OPENDTB.md §5); the figures printed beside it are
 *    the speed-ups over those 47 us.
 * Prints figures, it does not pass or fail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtb/dtb.h"

#include "bench_stats.h"

#define OPENDTB_US_PER_STEP 47.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int32_t discard(double t, const double *v, size_t n, void *ud)
{
    (void)t;
    (void)v;
    (void)n;
    (*(int64_t *)ud)++;
    return 0;
}

/* Run `sim` for `duration` with a callback observer of `kind`; returns wall
 * seconds per step (or a negative value on error). */
static double time_run(dtb_sim *sim, dtb_observer_kind kind, double duration, double *cpu_per_step)
{
    int64_t samples = 0;
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = kind;
    oo.period = 1e-3;
    oo.sink = DTB_SINK_CALLBACK;
    oo.callback = discard;
    oo.user_data = &samples;
    dtb_observer *obs = NULL;
    if (dtb_observer_create(&obs, sim, &oo))
        return -1;
    double t0 = now(), c0 = bench_cpu();
    dtb_status st = dtb_sim_run(sim, duration, NULL, NULL);
    double wall = now() - t0;
    if (cpu_per_step)
        *cpu_per_step = (bench_cpu() - c0) / (double)dtb_sim_step_index(sim);
    dtb_observer_free(obs);
    if (st)
        return -1;
    return wall / (double)dtb_sim_step_index(sim);
}

/* Every state variable starts at the middle of its default initial range
 * in every region: the same start on every run, away from the range's
 * extremes, where some models have a violent transient. */
static dtb_status start_mid_range(dtb_sim *sim, const dtb_model *model)
{
    for (int64_t v = 0; v < dtb_model_state_count(model); v++) {
        double lo, hi;
        dtb_status st = dtb_model_state_range(model, v, &lo, &hi);
        if (!st)
            st = dtb_sim_set_initial_value(sim, v, 0.5 * (lo + hi));
        if (st)
            return st;
    }
    return DTB_OK;
}

/* Heun at dt 0.1 ms; a model whose default state diverges at that step
 * (stiff or fast models) is measured again at 0.01 ms, and says so. */
static int bench_model(const char *name, const dtb_atlas *atlas, double duration)
{
    static const double dts[] = {1e-4, 1e-5};
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
        dtb_model *model = NULL;
        dtb_sim *sim = NULL;
        dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
        so.speed = 3.0;
        so.dt = dts[i];
        so.integrator = DTB_INTEGRATOR_HEUN;
        so.coupling = DTB_COUPLING_LINEAR;
        double per_step = -1;
        if (!dtb_model_create_builtin(&model, name) && !dtb_sim_create(&sim, atlas, model, &so) &&
            !dtb_sim_set_coupling_param(sim, "a", 1e-3) && !start_mid_range(sim, model))
            per_step = time_run(sim, DTB_OBSERVER_TAVG, duration * dts[i] / dts[0], NULL);
        dtb_status st = dtb_last_error_code();
        if (per_step >= 0)
            printf("%-36s %-6s %3lld states  dt %5.3f ms  %8.2f sim-s/wall-s  %8.2f us/step\n", name,
                   dtb_atlas_name(atlas), (long long)dtb_model_state_count(model), dts[i] * 1e3,
                   dts[i] / per_step, 1e6 * per_step);
        else if (st != DTB_ENUMERIC || i + 1 == sizeof dts / sizeof dts[0])
            printf("%-36s %-6s failed: %s\n", name, dtb_atlas_name(atlas), dtb_last_error_message());
        dtb_sim_free(sim);
        dtb_model_free(model);
        if (per_step >= 0 || st != DTB_ENUMERIC)
            return per_step < 0;
    }
    return 1;
}

/* The twin is run REPEATS times (fresh simulation each time): this
 * machine's clock varies by tens of percent from one second to the next,
 * so the best and the median say more than one figure. */
#define REPEATS 5

static double twin_once(const dtb_atlas *atlas, double duration, double *cpu_per_step)
{
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.speed = INFINITY;
    so.integrator = DTB_INTEGRATOR_EULER;
    so.coupling = DTB_COUPLING_LINEAR;
    so.seed = 42;
    int64_t s_e, s_i;
    double per_step = -1;
    if (!dtb_model_create_builtin(&model, "reduced_wong_wang_exc_inh") &&
        !dtb_model_set_param(model, "G", 0.1) && !dtb_model_find_state(model, "S_e", &s_e) &&
        !dtb_model_find_state(model, "S_i", &s_i) && !dtb_sim_create(&sim, atlas, model, &so) &&
        !dtb_sim_set_coupling_param(sim, "a", 1.0) &&
        !dtb_sim_set_noise_kind(sim, DTB_NOISE_SIGMA, 0) && !dtb_sim_set_noise(sim, s_e, 0.01) &&
        !dtb_sim_set_noise(sim, s_i, 0.001))
        per_step = time_run(sim, DTB_OBSERVER_SUBSAMPLE, duration, cpu_per_step);
    dtb_sim_free(sim);
    dtb_model_free(model);
    return per_step;
}

static int bench_twin(const char *shared, double duration)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/atlases/bn246_opendtb_sc", shared);
    dtb_atlas *atlas = NULL;
    double us[REPEATS], cpu_us[REPEATS];
    if (dtb_atlas_load(&atlas, path, NULL)) {
        fprintf(stderr, "OpenDTB twin: %s\n", dtb_last_error_message());
        return 1;
    }
    for (int r = 0; r < REPEATS; r++) {
        double cpu = 0, per_step = twin_once(atlas, duration, &cpu);
        if (per_step < 0) {
            fprintf(stderr, "OpenDTB twin: %s\n", dtb_last_error_message());
            dtb_atlas_free(atlas);
            return 1;
        }
        us[r] = 1e6 * per_step;
        cpu_us[r] = 1e6 * cpu;
    }
    dtb_atlas_free(atlas);
    double best, median, cbest, cmedian;
    bench_best_median(us, REPEATS, &best, &median);
    bench_best_median(cpu_us, REPEATS, &cbest, &cmedian);
    printf("OpenDTB default twin (RWW-ExcInh, bn246_opendtb_sc, dense, no delays, Euler + sigma "
           "noise), best / median of %d runs of %g s:\n"
           "  wall %.2f / %.2f us/step (%.2f / %.2f sim-s/wall-s, %.1fx / %.1fx OpenDTB's %.0f "
           "us/step)\n  CPU  %.2f / %.2f us/step (%.1fx / %.1fx)\n",
           REPEATS, duration, best, median, 100.0 / best, 100.0 / median,
           OPENDTB_US_PER_STEP / best, OPENDTB_US_PER_STEP / median, OPENDTB_US_PER_STEP, cbest,
           cmedian, OPENDTB_US_PER_STEP / cbest, OPENDTB_US_PER_STEP / cmedian);
    return 0;
}

int main(int argc, char **argv)
{
    double duration = 2.0;
    const char *shared = DTB_SHARED_DATA;
    const char *only = NULL;
    int twin_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--duration") && i + 1 < argc)
            duration = atof(argv[++i]);
        else if (!strcmp(argv[i], "--shared") && i + 1 < argc)
            shared = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--twin-only"))
            twin_only = 1;
        else {
            fprintf(stderr, "usage: %s [--duration SECONDS] [--shared DATA_DIR] [--model NAME] "
                    "[--twin-only]\n", argv[0]);
            return 2;
        }
    }
    printf("libdtb %s, one thread, %g s simulated per case\n", dtb_version_string(), duration);
    int rc = bench_twin(shared, duration);
    if (twin_only)
        return rc;

    char tvb76_path[4096];
    snprintf(tvb76_path, sizeof tvb76_path, "%s/atlases/tvb76", shared);
    dtb_atlas *atlases[2] = {NULL, NULL};
    if (dtb_atlas_load(&atlases[0], tvb76_path, NULL) ||
        dtb_atlas_create_builtin(&atlases[1], "bn246")) {
        fprintf(stderr, "atlas: %s\n", dtb_last_error_message());
        dtb_atlas_free(atlases[0]);
        return 1;
    }
    printf("Heun deterministic, linear a = 1e-3, 3 m/s, dt 0.1 ms, tavg 1 ms:\n");
    for (int64_t m = 0; m < dtb_model_builtin_count(); m++) {
        const char *name = dtb_model_builtin_name(m);
        if (only && strcmp(only, name))
            continue;
        for (int a = 0; a < 2; a++)
            rc |= bench_model(name, atlases[a], duration);
    }
    dtb_atlas_free(atlases[0]);
    dtb_atlas_free(atlases[1]);
    return rc;
}
