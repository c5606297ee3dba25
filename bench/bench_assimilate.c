/* Assimilation benchmark: what an assimilation of BOLD (TR 0.72 s) on the
 * default twin (reduced Wong-Wang E-I on bn246, dt 0.1 ms) costs, and what
 * dominates it.
 *
 *   bench_assimilate [--members M] [--samples S] [--jobs 1,2] [--repeat R]
 *                    [--analysis-members M2]
 *
 * Part 1 runs dtb_assimilation_run (G and I_o@0 estimated, ETKF) for S
 * samples with M members on each thread count, and prints the wall time per
 * sample and per member-simulated-second, with the extrapolation to 20
 * minutes of BOLD (1667 samples) and 100 members. Part 2 times the analysis
 * alone (libdtb/assimilate/enkf.c) at M2 members (default 100), 246
 * observations and 493 state elements: ETKF, ETKF localised (one analysis
 * per region: the LETKF) and the stochastic EnKF. The data are random
 * numbers: the cost does not depend on them. Figures, not pass/fail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assimilate/enkf.h"
#include "base/rng.h"
#include "bench_stats.h"
#include "dtb/dtb.h"

#define TR 0.72
#define REGIONS 246

static int fail(const char *what)
{
    fprintf(stderr, "bench_assimilate: %s: %s\n", what, dtb_last_error_message());
    return 1;
}

static int write_data(const char *path, int samples)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    dtb__rng r;
    dtb__rng_seed(&r, 1);
    for (int i = 0; i < samples; i++)
        for (int k = 0; k < REGIONS; k++)
            fprintf(f, "%.6f%c", 0.01 * dtb__rng_normal(&r), k + 1 < REGIONS ? ' ' : '\n');
    return fclose(f);
}

static int whole_run(int members, int samples, int jobs, int repeat, const char *data)
{
    double *wall = calloc((size_t)repeat, sizeof *wall);
    for (int rep = 0; rep < repeat; rep++) {
        dtb_experiment *e;
        dtb_assimilation *a;
        if (dtb_experiment_create(&e) || dtb_assimilation_create(&a, e))
            return fail("create");
        dtb_experiment_free(e);
        if (dtb_assimilation_set_data(a, data) ||
            dtb_assimilation_set_observer(a, "bold:tr=720ms:vars=S_e") ||
            dtb_assimilation_estimate(a, "G", 0.01, 1.0) ||
            dtb_assimilation_estimate(a, "I_o@0", 0.2, 0.5))
            return fail("settings");
        dtb_assimilate_options o = DTB_ASSIMILATE_OPTIONS_INIT;
        o.members = members;
        o.jobs = jobs;
        if (dtb_assimilation_prepare(a, &o))
            return fail("prepare");
        const double t0 = bench_wall();
        if (dtb_assimilation_run(a, &o))
            return fail("run");
        wall[rep] = bench_wall() - t0;
        dtb_assimilation_free(a);
    }
    double best, median;
    bench_best_median(wall, repeat, &best, &median);
    const double per_sample = best / samples;
    const double per_member_s = best / ((double)members * samples * TR);
    printf("  %d thread%s: %d samples x %d members in %.2f s (median %.2f): %.3f s per sample, "
           "%.3f s per member-simulated-s; 1667 samples x 100 members: %.1f h\n",
           jobs, jobs > 1 ? "s" : "", samples, members, best, median, per_sample, per_member_s,
           per_member_s * 100 * 1667 * TR / 3600.0);
    free(wall);
    return 0;
}

static void analysis_only(int m, int repeat)
{
    const size_t p = REGIONS, n = 1 + 2 * REGIONS;   /* G, then S_e and S_i of each region */
    double *X0 = malloc(n * m * sizeof *X0), *X = malloc(n * m * sizeof *X);
    double *HX = malloc(p * m * sizeof *HX), *y = malloc(p * sizeof *y), *r = malloc(p * sizeof *r);
    double *dist = malloc(REGIONS * REGIONS * sizeof *dist);
    int64_t *ss = malloc(n * sizeof *ss), *os = malloc(p * sizeof *os);
    dtb__rng rng;
    dtb__rng_seed(&rng, 2);
    for (size_t i = 0; i < n * (size_t)m; i++)
        X0[i] = dtb__rng_normal(&rng);
    for (size_t i = 0; i < p * (size_t)m; i++)
        HX[i] = dtb__rng_normal(&rng);
    for (size_t j = 0; j < p; j++) {
        y[j] = dtb__rng_normal(&rng);
        r[j] = 0.5;
        os[j] = (int64_t)j;
    }
    ss[0] = -1;
    for (size_t i = 1; i < n; i++)
        ss[i] = (int64_t)((i - 1) % REGIONS);
    for (int a = 0; a < REGIONS; a++)   /* regions on a line 1 mm apart: 80 within 2c */
        for (int b = 0; b < REGIONS; b++)
            dist[a * REGIONS + b] = fabs((double)(a - b));
    static const char *const names[3] = {"ETKF", "ETKF localised (LETKF, c = 40 mm)",
                                         "stochastic EnKF"};
    for (int kind = 0; kind < 3; kind++) {
        dtb__enkf_config c = {.method = kind == 2 ? DTB__ENKF_STOCHASTIC : DTB__ENKF_ETKF};
        if (kind == 1) {
            c.distance = dist;
            c.n_sites = REGIONS;
            c.state_site = ss;
            c.obs_site = os;
            c.radius = 40;
        }
        double *t = calloc((size_t)repeat, sizeof *t), best, median;
        for (int rep = 0; rep < repeat; rep++) {
            memcpy(X, X0, n * m * sizeof *X);
            const double t0 = bench_cpu();
            if (dtb__enkf_analyse(&c, X, n, (size_t)m, HX, y, r, p, &rng))
                fprintf(stderr, "analysis: %s\n", dtb_last_error_message());
            t[rep] = bench_cpu() - t0;
        }
        bench_best_median(t, repeat, &best, &median);
        printf("  %-36s %.4f s CPU per analysis (median %.4f); x 1667 samples: %.1f s\n",
               names[kind], best, median, best * 1667);
        free(t);
    }
    free(X0);
    free(X);
    free(HX);
    free(y);
    free(r);
    free(dist);
    free(ss);
    free(os);
}

int main(int argc, char **argv)
{
    int members = 10, samples = 3, repeat = 3, analysis_members = 100;
    const char *jobs_list = "1,2";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--members"))
            members = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--samples"))
            samples = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--repeat"))
            repeat = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--jobs"))
            jobs_list = argv[i + 1];
        else if (!strcmp(argv[i], "--analysis-members"))
            analysis_members = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "bench_assimilate: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (members < 2 || samples < 1 || repeat < 1 || analysis_members < 2) {
        fprintf(stderr, "bench_assimilate: members >= 2, samples >= 1, repeat >= 1\n");
        return 2;
    }
    printf("analysis alone, %d members, %d observations, %d state elements:\n",
           analysis_members, REGIONS, 1 + 2 * REGIONS);
    analysis_only(analysis_members, repeat);
    char data[] = "/tmp/bench_assimilate_XXXXXX";
    int fd = mkstemp(data);
    if (fd < 0 || close(fd) || write_data(data, samples))
        return fail("data file");
    printf("whole assimilation, default twin on bn246, BOLD TR %.2f s (S_e), G and I_o@0:\n", TR);
    int rc = 0;
    for (const char *s = jobs_list; *s && !rc;) {
        const int jobs = atoi(s);
        rc = whole_run(members, samples, jobs, repeat, data);
        s = strchr(s, ',');
        s = s ? s + 1 : "";
    }
    unlink(data);
    return rc;
}
