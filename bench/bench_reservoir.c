/* bench_reservoir — the memory-capacity protocol of conn2res on a
 * 246-region echo-state network (bn246): one alpha, the connectome and N
 * strength nulls, on one thread and on two, next to the same protocol
 * written with NumPy (bench/reservoir_numpy.py, run here on a few networks
 * and counted per network).
 *
 *   bench_reservoir [--nulls N] [--alpha A] [--numpy-networks K] [--no-numpy]
 *
 * Prints seconds per stage (null, states, readout) and per network for
 * both, the whole protocol's seconds for libdtb with 1 and 2 threads, and
 * the ratio per core. Per core means CPU seconds of the process (libdtb on
 * one thread; NumPy on Debian's reference BLAS, one thread): on a machine
 * shared with other work they hold where wall-clock seconds stretch. The
 * wall-clock seconds are printed too. Figures only: timing never decides
 * a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dtb/dtb.h"
#include "dtb/dtb_reservoir.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void check(dtb_status st, const char *what)
{
    if (st) {
        fprintf(stderr, "bench_reservoir: %s: %s\n", what, dtb_last_error_message());
        exit(1);
    }
}

/* The atlas' weights as a text matrix for the NumPy side. */
static void write_weights(const dtb_atlas *a, const char *path)
{
    const size_t n = (size_t)dtb_atlas_region_count(a);
    double *w = malloc(n * n * sizeof *w);
    check(dtb_atlas_copy_weights(a, w, n * n, NULL), "weights");
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            fprintf(f, "%.17g%c", w[i * n + j], j + 1 < n ? ' ' : '\n');
    fclose(f);
    free(w);
}

int main(int argc, char **argv)
{
    long nulls = 500, numpy_networks = 3;
    double alpha = 0.9;
    int numpy = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--nulls") && i + 1 < argc)
            nulls = atol(argv[++i]);
        else if (!strcmp(argv[i], "--alpha") && i + 1 < argc)
            alpha = atof(argv[++i]);
        else if (!strcmp(argv[i], "--numpy-networks") && i + 1 < argc)
            numpy_networks = atol(argv[++i]);
        else if (!strcmp(argv[i], "--no-numpy"))
            numpy = 0;
        else {
            fprintf(stderr, "usage: bench_reservoir [--nulls N] [--alpha A] [--numpy-networks K] "
                            "[--no-numpy]\n");
            return 2;
        }
    }
    dtb_atlas *atlas = NULL;
    check(dtb_atlas_create_builtin(&atlas, "bn246"), "bn246");
    printf("memory capacity (4000 steps, delays 1..100, input region 0, readout the other 245), "
           "alpha %g, bn246 and %ld strength nulls\n", alpha, nulls);

    /* libdtb by stage, on a few networks */
    const int sample = 4;
    dtb_reservoir *r = NULL;
    check(dtb_reservoir_create(&r, atlas), "reservoir");
    check(dtb_reservoir_set_nulls(r, DTB_NULL_STRENGTH, sample), "nulls");
    double t0 = cpu_now();
    for (int k = 0; k < sample; k++) {
        dtb_atlas *null = NULL;
        check(dtb_atlas_rewire(&null, atlas, DTB_NULL_STRENGTH, (uint64_t)k, 0), "rewire");
        dtb_atlas_free(null);
    }
    const double t_null = (cpu_now() - t0) / sample;
    double *u = malloc(4000 * sizeof *u), *x = malloc(4000 * 246 * sizeof *x);
    for (int t = 0; t < 4000; t++)
        u[t] = 2.0 * rand() / RAND_MAX - 1.0;
    t0 = cpu_now();
    for (int k = 0; k < sample; k++)
        check(dtb_reservoir_states(r, alpha, -1, u, 4000, 1, x, 4000 * 246, NULL), "states");
    const double t_states = (cpu_now() - t0) / sample;
    double score = 0;
    t0 = cpu_now();
    for (int k = 0; k < sample; k++)
        check(dtb_reservoir_score(r, alpha, -1, NULL, &score), "score");
    const double t_score = (cpu_now() - t0) / sample;
    printf("libdtb, 1 thread, CPU seconds: %.4f s per null, states %.4f s, readout %.4f s (score %.4f s with "
           "the states); the connectome scores %.4f\n", t_null, t_states, t_score - t_states,
           t_score, score);
    dtb_reservoir_free(r);

    /* the whole protocol, 1 and 2 threads */
    double whole[2] = {0, 0}, whole_cpu = 0;
    for (int jobs = 1; jobs <= 2; jobs++) {
        check(dtb_reservoir_create(&r, atlas), "reservoir");
        check(dtb_reservoir_set_nulls(r, DTB_NULL_STRENGTH, nulls), "nulls");
        dtb_explore_options o;
        check(dtb_explore_options_init(&o, DTB_EXPLORE_OPTIONS_VERSION), "options");
        o.jobs = jobs;
        t0 = now();
        const double c0 = cpu_now();
        check(dtb_reservoir_run(r, &alpha, 1, &o), "run");
        whole[jobs - 1] = now() - t0;
        const double cpu = cpu_now() - c0;
        if (jobs == 1)
            whole_cpu = cpu;
        printf("libdtb, %d thread%s: the connectome and %ld nulls in %.2f s wall, %.2f s CPU "
               "(%.4f s CPU per network); percentile %.1f\n", jobs, jobs > 1 ? "s" : "", nulls,
               whole[jobs - 1], cpu, cpu / (double)(nulls + 1), dtb_reservoir_percentile(r, 0));
        dtb_reservoir_free(r);
    }

    if (numpy) {
        char wpath[] = "/tmp/bench_reservoir_XXXXXX";
        int fd = mkstemp(wpath);
        if (fd < 0) {
            perror("mkstemp");
            return 1;
        }
        close(fd);
        write_weights(atlas, wpath);
        char cmd[8192];
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/reservoir_numpy.py' '%s' %ld %g", BENCH_DIR,
                 wpath, numpy_networks, alpha);
        FILE *p = popen(cmd, "r");
        char line[1024] = "";
        double per_network = 0;
        while (p && fgets(line, sizeof line, p)) {
            fputs(line, stdout);
            double pn, st, ro;
            const char *at = strstr(line, "(null ");
            if (at && sscanf(at, "(null %lf s per null, states %lf s, readout %lf s", &pn, &st, &ro) == 3)
                per_network = (pn * (double)nulls + (st + ro) * (double)(nulls + 1)) /
                              (double)(nulls + 1);   /* the protocol's mix: one network is no null */
        }
        int rc = p ? pclose(p) : -1;
        remove(wpath);
        if (rc != 0 || per_network <= 0)
            printf("numpy: not run (needs /usr/bin/python3 with NumPy)\n");
        else
            printf("per core (CPU seconds): libdtb %.4f s per network, NumPy %.4f s: %.1fx (target "
                   "20x); the protocol with %ld nulls: libdtb %.1f s wall on 1 thread, %.1f s on 2; "
                   "NumPy about %.0f s on one core\n",
                   whole_cpu / (double)(nulls + 1), per_network,
                   per_network / (whole_cpu / (double)(nulls + 1)), nulls, whole[0], whole[1],
                   per_network * (double)(nulls + 1));
    }
    free(u);
    free(x);
    dtb_atlas_free(atlas);
    return 0;
}
