/* dtb bench — build and run a benchmark spiking network, print one line.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void print_help(void)
{
    printf("Usage: dtb bench cuba|coba|cobahh [--neurons N] [--duration T] [--seed S]\n"
           "\n"
           "Build and run a benchmark network of Brette et al. 2007 (80%% excitatory cells,\n"
           "2%% random connectivity, dt 0.1 ms): the Vogels-Abbott LIF networks cuba and\n"
           "coba (benchmarks 1 and 2) or cobahh (benchmark 3, Traub-Miles cells, as\n"
           "Brian2's COBAHH) on one core and print one line:\n"
           "\n"
           "  model=cuba neurons=4000 synapses=... duration_s=1 wall_s=... spikes=...\n"
           "  rate_hz=... cv_isi=... build_s=...\n"
           "\n"
           "wall_s is the simulation alone; building the network is build_s. rate_hz is\n"
           "spikes per cell per second; cv_isi the mean coefficient of variation of the\n"
           "inter-spike intervals of the cells with at least 3 spikes.\n"
           "\n"
           "  --neurons N   cells (default 4000); weights scale with 4000 / N\n"
           "  --duration T  simulated time (default 1 s); a bare number is milliseconds,\n"
           "                as for every time in dtb; units: 500ms, 2s\n"
           "  --seed S      random seed (default 12345)\n"
           "  --help        show this help\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A duration, read as every time of the tool is: a bare number is
 * milliseconds (it was seconds here alone, so that `dtb bench --duration 5`
 * and `dtb run --duration 5` meant different things). */
static int parse_duration(const char *text, double *seconds) { return cli_parse_time(text, seconds); }

int cmd_bench(int argc, char **argv)
{
    const char *model = NULL;
    int64_t neurons = 4000;
    double duration = 1.0;
    uint64_t seed = 12345;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help();
            return 0;
        }
        int has_value = i + 1 < argc;
        if (strcmp(a, "--neurons") == 0 || strcmp(a, "--duration") == 0 || strcmp(a, "--seed") == 0) {
            if (!has_value)
                return cli_usage_error("bench: %s needs a value", a);
            const char *v = argv[++i];
            double x;
            if (strcmp(a, "--duration") == 0) {
                if (!parse_duration(v, &duration) || !(duration > 0) || duration > 1e5)
                    return cli_usage_error("bench: --duration '%s' is not a duration in (0, 1e5] s", v);
            } else if (!cli_parse_number(v, &x) || x < 0 || x != (double)(int64_t)x) {
                return cli_usage_error("bench: %s '%s' is not a whole number >= 0", a, v);
            } else if (strcmp(a, "--neurons") == 0) {
                if (x < 10 || x > 1e7)
                    return cli_usage_error("bench: --neurons %s is outside 10 to 10^7", v);
                neurons = (int64_t)x;
            } else {
                seed = (uint64_t)x;
            }
        } else if (a[0] == '-') {
            return cli_usage_error("bench: unknown option '%s' (try 'dtb bench --help')", a);
        } else if (!model) {
            model = a;
        } else {
            return cli_usage_error("bench: one benchmark at a time ('%s' and '%s')", model, a);
        }
    }
    if (!model)
        return cli_usage_error("bench: which benchmark? cuba, coba or cobahh (try 'dtb bench --help')");
    if (strcmp(model, "cuba") != 0 && strcmp(model, "coba") != 0 && strcmp(model, "cobahh") != 0)
        return cli_usage_error("bench: unknown benchmark '%s' (known: cuba, coba, cobahh)", model);

    double t0 = now();
    dtb_spiking_net *net = NULL;
    if (dtb_spiking_create_benchmark(&net, model, neurons, seed)) {
        cli_error("bench: %s", dtb_last_error_message());
        return EXIT_RUNTIME;
    }
    double t1 = now();
    dtb_status st = dtb_spiking_run(net, duration);
    double t2 = now();
    if (st) {
        cli_error("bench: %s", dtb_last_error_message());
        dtb_spiking_free(net);
        return EXIT_RUNTIME;
    }
    int64_t spikes = 0, cv_cells = 0;
    double cv_sum = 0.0;
    for (int64_t p = 0; p < dtb_spiking_population_count(net); p++) {
        double cv;
        int64_t cells;
        spikes += dtb_spiking_spike_count(net, p);
        if (!dtb_spiking_cv_isi(net, p, 3, &cv, &cells) && cells > 0) {
            cv_sum += cv * (double)cells;
            cv_cells += cells;
        }
    }
    double t_sim = dtb_spiking_time(net);
    printf("model=%s neurons=%lld synapses=%lld duration_s=%g wall_s=%.4f spikes=%lld rate_hz=%.4f "
           "cv_isi=%.4f build_s=%.4f\n",
           model, (long long)neurons, (long long)dtb_spiking_synapse_count(net), t_sim, t2 - t1,
           (long long)spikes, (double)spikes / (double)neurons / t_sim,
           cv_cells ? cv_sum / (double)cv_cells : NAN, t1 - t0);
    dtb_spiking_free(net);
    return 0;
}
