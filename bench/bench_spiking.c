/* Speed of the spiking engine on one core: the benchmark networks of
 * Brette et al. (2007) as dtb_spiking_create_benchmark builds them (1 s,
 * dt 0.1 ms, seed 12345): Vogels-Abbott CUBA and COBA with 4000 cells, CUBA
 * with 40 000 cells (weights scaled by 4000 / N: it fires at a lower rate
 * than at 4000, printed; Brian2's script keeps the weights, so the two are
 * not the same network), and COBAHH (4000 Traub-Miles cells, the recurrent
 * network Brian2's COBAHH figure is for).
 * Each network is built and run N times (default 5); the line gives the
 * best and the median wall time and CPU time of the simulation (building
 * excluded), neuron updates and synaptic events (spikes times the mean
 * out-degree) per second at the best wall time, and the rate and ISI CV of
 * the run (the same in every run: same seed).
 * Then the cost of one cell step of 4000 unconnected hh cells (squid
 * Hodgkin-Huxley, Rush-Larsen gates) under Poisson conductance input and of
 * a LEMS cell type through the generic path (iafRefCell, 4000 cells), best
 * and median of N. The hh line is not Brian2's COBAHH benchmark: different
 * channel kinetics (Traub-Miles there), no recurrent synapses.
 * Usage: bench_spiking [--runs N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include <dtb/dtb.h>

#include "bench_stats.h"

#define MAX_RUNS 1000

static double now(void)
{
    return bench_wall();
}

static int run(const char *name, int64_t n, int runs)
{
    double walls[MAX_RUNS], cpus[MAX_RUNS], build = 0, events = 0, cv = NAN;
    int64_t spikes = 0, synapses = 0;
    for (int r = 0; r < runs; r++) {
        dtb_spiking_net *net;
        double t0 = now();
        if (dtb_spiking_create_benchmark(&net, name, n, 12345)) {
            fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
            return 1;
        }
        double t1 = now(), c1 = bench_cpu();
        if (dtb_spiking_run(net, 1.0)) {
            fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
            dtb_spiking_free(net);
            return 1;
        }
        double t2 = now();
        walls[r] = t2 - t1;
        cpus[r] = bench_cpu() - c1;
        build = t1 - t0;
        spikes = 0;
        synapses = dtb_spiking_synapse_count(net);
        /* 2% random connectivity: every cell has about the same out-degree */
        double cv_sum = 0;
        int64_t cv_cells = 0;
        for (int64_t p = 0; p < dtb_spiking_population_count(net); p++) {
            double c;
            int64_t cells;
            spikes += dtb_spiking_spike_count(net, p);
            if (!dtb_spiking_cv_isi(net, p, 3, &c, &cells) && cells > 0) {
                cv_sum += c * (double)cells;
                cv_cells += cells;
            }
        }
        cv = cv_cells ? cv_sum / (double)cv_cells : NAN;
        events = (double)spikes * (double)synapses / (double)n;
        dtb_spiking_free(net);
    }
    double best, median, cbest, cmedian;
    bench_best_median(walls, runs, &best, &median);
    bench_best_median(cpus, runs, &cbest, &cmedian);
    double updates = (double)n * 10000.0;
    printf("%-5s %6lld cells %9lld synapses  %lld spikes  %.3f Hz  CV %.3f  build %.3f s\n"
           "      best / median of %d: wall %.4f / %.4f s  CPU %.4f / %.4f s  "
           "(at best wall: %.2e neuron-updates/s, %.2e synaptic events/s)\n",
           name, (long long)n, (long long)synapses, (long long)spikes, (double)spikes / (double)n, cv,
           build, runs, best, median, cbest, cmedian, updates / best, events / best);
    return 0;
}

/* ns per cell step of one population of n cells of a model under Poisson
 * conductance input; make() builds the network afresh for each of the runs. */
typedef int (*make_fn)(dtb_spiking_net **net, int64_t *pop, int64_t n);

static int run_cells(const char *label, make_fn make, int64_t n, int runs)
{
    double walls[MAX_RUNS], cpus[MAX_RUNS];
    int64_t spikes = 0;
    for (int k = 0; k < runs; k++) {
        dtb_spiking_net *net = NULL;
        int64_t pop, r;
        int rc = make(&net, &pop, n);
        if (rc > 0) {   /* not available here: said by make() */
            dtb_spiking_free(net);
            return 0;
        }
        if (rc < 0
            || dtb_spiking_add_receptor(net, pop, "ampa", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CONDUCTANCE,
                                        0.0, 5e-3, 0.0, &r)
            || dtb_spiking_add_poisson(net, pop, r, 2000.0, 1.0, NULL)) {
            fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
            dtb_spiking_free(net);
            return 1;
        }
        double t0 = now(), c0 = bench_cpu();
        if (dtb_spiking_run(net, 1.0)) {
            fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
            dtb_spiking_free(net);
            return 1;
        }
        walls[k] = now() - t0;
        cpus[k] = bench_cpu() - c0;
        spikes = dtb_spiking_spike_count(net, pop);
        dtb_spiking_free(net);
    }
    double best, median, cbest, cmedian;
    bench_best_median(walls, runs, &best, &median);
    bench_best_median(cpus, runs, &cbest, &cmedian);
    const double steps = (double)n * 1e4;
    printf("%-20s %6lld cells  %lld spikes; per cell step, best / median of %d: wall %.1f / %.1f ns  "
           "CPU %.1f / %.1f ns\n",
           label, (long long)n, (long long)spikes, runs, best / steps * 1e9, median / steps * 1e9,
           cbest / steps * 1e9, cmedian / steps * 1e9);
    return 0;
}

static int make_hh(dtb_spiking_net **net, int64_t *pop, int64_t n)
{
    if (dtb_spiking_create(net, 1e-4, 1) || dtb_spiking_add_population(*net, "hh", "hh", n, pop))
        return -1;
    return 0;
}

static int make_lems(dtb_spiking_net **net, int64_t *pop, int64_t n)
{
    const char *inc[1] = {DTB_SHARED_DATA "/neuroml/NeuroML2/NeuroML2CoreTypes"};
    if (dtb_spiking_create(net, 1e-4, 1))
        return -1;
    if (dtb_spiking_add_lems_population(*net, "iafRef",
                                        DTB_SHARED_DATA "/neuroml/NeuroML2/examples/NML2_AbstractCells.nml",
                                        "iafRef", n, inc, 1, pop)) {
        printf("lems iafRefCell: not run (%s)\n", dtb_last_error_message());
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 5;
    if (argc == 3 && strcmp(argv[1], "--runs") == 0 && bench_parse_runs(argv[2]))
        runs = bench_parse_runs(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: bench_spiking [--runs N]   (N from 1 to 1000, default 5)\n");
        return 2;
    }
    printf("libdtb %s, one thread, 1 s simulated at dt 0.1 ms, best and median of %d runs\n",
           dtb_version_string(), runs);
    return run("cuba", 4000, runs) || run("coba", 4000, runs) || run("cuba", 40000, runs) ||
           run("cobahh", 4000, runs) ||
           run_cells("hh (unconnected)", make_hh, 4000, runs) ||
           run_cells("lems iafRefCell", make_lems, 4000, runs);
}
