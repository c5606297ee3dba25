/* Sweep benchmark: points per second of a sweep through the public API,
 * with lockstep batches of K = 1, 2, 4, 8, 16 points, on one thread (and
 * with --jobs, on several).
 *
 *   bench_sweep [--case bn246|tvb76|twin] [--points N] [--duration SECONDS]
 *               [--repeat R] [--jobs J] [--batches 1,4,8,16] [--shared DIR]
 *
 * Cases: bn246 and tvb76 are bench_region's network (Generic2dOscillator,
 * linear coupling a = 0.0152, 3 m/s, Heun with noise D = 1e-6, dt 0.1 ms)
 * with the parameter a varied over the points and one mean-rate score;
 * twin is the default twin (reduced Wong-Wang E-I on bn246, G varied).
 * Each configuration runs R times; the best time is reported (the machine's
 * speed varies by tens of percent from run to run). Figures, not pass/fail:
 * the points' numbers are the same bits for every K (the tests check it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dtb/dtb.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_sweep: %s: %s\n", what, dtb_last_error_message());
    return 1;
}

static dtb_experiment *experiment(const char *which, const char *shared, double duration)
{
    dtb_experiment *e = NULL;
    char buf[512];
    if (dtb_experiment_create(&e))
        return NULL;
    snprintf(buf, sizeof buf, "%gs", duration);
    dtb_status st = dtb_experiment_add(e, "duration", buf);
    if (!strcmp(which, "twin"))
        return st ? (dtb_experiment_free(e), NULL) : e;
    if (!strcmp(which, "tvb76")) {
        snprintf(buf, sizeof buf, "%s/atlases/tvb76", shared);
        if (!st)
            st = dtb_experiment_add(e, "atlas", buf);
    }
    if (!st)
        st = dtb_experiment_add(e, "model", "generic_2d_oscillator");
    if (!st)
        st = dtb_experiment_add(e, "coupling", "linear:a=0.0152");
    if (!st)
        st = dtb_experiment_add(e, "integrator", "heun");
    if (!st)
        st = dtb_experiment_add(e, "noise", "1e-6");
    if (st) {
        dtb_experiment_free(e);
        return NULL;
    }
    return e;
}

int main(int argc, char **argv)
{
    const char *which = "bn246", *shared = DTB_SHARED_DATA, *batches = "1,2,4,8,16";
    int points = 16, repeat = 3, jobs = 1;
    double duration = 0.2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--case"))
            which = argv[i + 1];
        else if (!strcmp(argv[i], "--points"))
            points = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--duration"))
            duration = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--repeat"))
            repeat = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--jobs"))
            jobs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batches"))
            batches = argv[i + 1];
        else if (!strcmp(argv[i], "--shared"))
            shared = argv[i + 1];
        else {
            fprintf(stderr, "bench_sweep: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    dtb_experiment *exp = experiment(which, shared, duration);
    if (!exp)
        return fail("experiment");
    char spec[64];
    snprintf(spec, sizeof spec, "%s:%d", !strcmp(which, "twin") ? "0.1:0.5" : "0.9:1.1", points);
    const char *name = !strcmp(which, "twin") ? "G" : "a";
    printf("libdtb %s, sweep of %d points (%s over %s), %g s simulated each, %d thread(s), best of %d\n",
           dtb_version_string(), points, name, spec, duration, jobs, repeat);
    double base = 0;
    for (const char *p = batches; *p;) {
        int K = atoi(p);
        double best = INFINITY;
        for (int r = 0; r < repeat; r++) {
            dtb_sweep *sw = NULL;
            if (dtb_sweep_create(&sw, exp) || dtb_sweep_vary(sw, name, spec) ||
                dtb_sweep_add_score(sw, "mean-rate"))
                return fail("sweep");
            dtb_explore_options o = DTB_EXPLORE_OPTIONS_INIT;
            o.batch = K;
            o.jobs = jobs;
            double t0 = now();
            if (dtb_sweep_run(sw, &o))
                return fail("run");
            double t = now() - t0;
            best = t < best ? t : best;
            dtb_sweep_free(sw);
        }
        double rate = points / best;
        if (K == 1)
            base = rate;
        printf("%-6s K = %2d   %7.3f s   %7.2f points per s   %5.2fx K = 1   peak RSS %.1f MiB\n",
               which, K, best, rate, base > 0 ? rate / base : NAN, peak_rss_mib());
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    dtb_experiment_free(exp);
    return 0;
}
