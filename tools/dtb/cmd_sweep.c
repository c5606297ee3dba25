/* dtb sweep — many runs of one experiment with some settings varied, each
 * scored in-process, into DIR/sweep.csv. A client of dtb_explore.h only.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore_cli.h"

static void print_help(void)
{
    printf(
        "Usage: dtb sweep [EXPERIMENT.xml] [dtb run options] --vary NAME=SPEC [--vary ...]\n"
        "                 [--sample grid|random:N|lhs:N|sobol:N] [--score KIND[=FILE][:options]]\n"
        "                 [--jobs N] --out DIR\n"
        "\n"
        "Run the experiment that the dtb run options describe once per point, with the\n"
        "settings named by --vary changed, and score each run in-process. One row per point\n"
        "goes to DIR/sweep.csv as it finishes: point, the varied names, the scores, status\n"
        "(ok, or the error of a point that failed), seconds. Rerunning the same command on\n"
        "DIR skips the points it holds; other settings are refused.\n"
        "\n"
        "  --vary NAME=SPEC        NAME: a model parameter (G), in some regions (G@A8m_L+12),\n"
        "                          speed, noise (a factor on every noise amplitude), seed, or\n"
        "                          coupling.PARAM (coupling.a). SPEC: A:B:N (N values, ends\n"
        "                          included), A:B:N:log, or v1,v2,... Several make a grid.\n"
        "  --sample KIND           grid (default), or N random, Latin-hypercube (lhs) or Sobol\n"
        "                          points in the box of the --vary ranges\n"
        "  --score KIND[=ARG][:options]   (repeatable) computed from an observer whose\n"
        "                          options follow (of=bold:tr=720ms, vars=S_e, window=60s, ...):\n"
        "                            fc[=FILE]        r of FC upper triangles (of=bold default)\n"
        "                            fc-rmse[=FILE]   RMS difference of the same\n"
        "                            fcd-ks[=FILE]    KS distance of FCD values against the\n"
        "                                             empirical BOLD's (--empirical-bold)\n"
        "                            psd-peak         peak frequency (Hz) of the mean spectrum\n"
        "                            metastability    std of the Kuramoto order (band=LO-HI)\n"
        "                            mean-rate[=VAR], max-rate[=VAR]   of a variable (tavg)\n"
        "                            stable[=FACTOR]  1 if the mean stayed within FACTOR\n"
        "                                             (default 2) of the start, else 0\n"
        "  --empirical-bold FILE   empirical BOLD (time x regions or regions x time) for fcd-ks\n"
        "                          and for fc without a file\n"
        "  --transient TIME        ignore the start of every run in the scores\n"
        "  --jobs N                N threads (default 1)\n"
        "  --batch K               points per lockstep batch (default 1: none; batches give\n"
        "                          the same bits but are not faster on today's machines)\n"
        "  --keep-outputs          keep each point's observer files in DIR/points/NNNN/\n"
        "  --same-seed             every point with the base seed (else a seed derived from\n"
        "                          the base seed and the point's number)\n"
        "  --mpi auto|on|off       under mpirun (auto), run on its ranks: rank 0 hands out\n"
        "                          points and writes DIR\n"
        "  -q, --quiet             no progress line\n"
        "\n"
        "Exit status: 0 every point ran (failed points are rows with their message),\n"
        "2 bad arguments (nothing written), 1 the sweep itself failed, 130 interrupted.\n");
}

static void stop_sweep(void *target) { dtb_sweep_request_stop(target); }
static dtb_status run_sweep(void *sw, const dtb_explore_options *o) { return dtb_sweep_run(sw, o); }
static void free_sweep(void *sw) { dtb_sweep_free(sw); }

static int build(const explore_args *a, void **out)
{
    dtb_sweep *sw = NULL;
    dtb_status st = dtb_sweep_create(&sw, a->run.exp);
    for (size_t i = 0; !st && i < a->n_items; i++) {
        const char *eq = strchr(a->items[i], '=');
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(eq - a->items[i]), a->items[i]);
        st = dtb_sweep_vary(sw, name, eq + 1);
    }
    if (!st && a->sample)
        st = dtb_sweep_set_sample(sw, a->sample);
    for (size_t i = 0; !st && i < a->n_scores; i++)
        st = dtb_sweep_add_score(sw, a->scores[i]);
    if (!st && a->empirical_bold)
        st = dtb_sweep_set_empirical_bold(sw, a->empirical_bold);
    if (!st && a->transient > 0)
        st = dtb_sweep_set_transient(sw, a->transient);
    if (!st)
        st = dtb_sweep_prepare(sw);
    if (st) {
        int rc = cli_usage_error("%s", dtb_last_error_message());
        dtb_sweep_free(sw);
        return rc;
    }
    *out = sw;
    return 0;
}

static void report(const void *object, const explore_args *a, double wall, int interrupted)
{
    const dtb_sweep *sw = object;
    const char *dir = dtb_experiment_get(a->run.exp, "out");
    int64_t n = dtb_sweep_point_count(sw), ok = 0, failed = 0;
    for (int64_t i = 0; i < n; i++) {
        const char *s = dtb_sweep_point_status(sw, i);
        if (s && !strcmp(s, "ok"))
            ok++;
        else if (s)
            failed++;
    }
    if (interrupted)
        return;
    printf("dtb sweep: %lld points, %lld ok, %lld failed, %lld not run; %.3f s (%.3g points per s)\n",
           (long long)n, (long long)ok, (long long)failed, (long long)(n - ok - failed), wall,
           wall > 0 ? (double)(ok + failed) / wall : 0.0);
    printf("  %s/sweep.csv, %s/experiment.xml, %s/provenance.json\n", dir, dir, dir);
}

int cmd_sweep(int argc, char **argv)
{
    static const explore_command cmd = {"sweep", "points", print_help, build, run_sweep,
                                        stop_sweep, report, free_sweep};
    return explore_main(argc, argv, &cmd);
}
