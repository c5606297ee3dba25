/* Speed of the spiking engine: the Vogels-Abbott CUBA and COBA networks
 * (4000 cells, 1 s, dt 0.1 ms) and a CUBA network 8 times larger, on one
 * core. Prints wall time of the simulation (building excluded), neuron
 * updates per second and synaptic events per second (spikes times the mean
 * out-degree of their population). Then the cost of one Hodgkin-Huxley
 * cell step (4000 hh cells under Poisson conductance input, 1 s at 0.1 ms;
 * Brian2's COBAHH: about 96 ns per cell step on this machine) and of a
 * LEMS cell type through the generic path (iafRefCell, 4000 cells).
 * Usage: bench_spiking [--runs N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dtb/dtb.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run(const char *name, int64_t n, int runs)
{
    double best = 1e30, build = 0, events = 0;
    int64_t spikes = 0, synapses = 0;
    for (int r = 0; r < runs; r++) {
        dtb_spiking_net *net;
        double t0 = now();
        if (dtb_spiking_create_benchmark(&net, name, n, 12345)) {
            fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
            return 1;
        }
        double t1 = now();
        if (dtb_spiking_run(net, 1.0)) {
            fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
            return 1;
        }
        double t2 = now();
        if (t2 - t1 < best)
            best = t2 - t1;
        build = t1 - t0;
        spikes = 0;
        synapses = dtb_spiking_synapse_count(net);
        /* 2% random connectivity: every cell has about the same out-degree */
        for (int64_t p = 0; p < dtb_spiking_population_count(net); p++)
            spikes += dtb_spiking_spike_count(net, p);
        events = (double)spikes * (double)synapses / (double)n;
        dtb_spiking_free(net);
    }
    double updates = (double)n * 10000.0;
    printf("%-5s %6lld cells %9lld synapses  wall %.4f s (best of %d)  build %.3f s  "
           "%.2e neuron-updates/s  %.2e synaptic events/s  %lld spikes\n",
           name, (long long)n, (long long)synapses, best, runs, build, updates / best, events / best,
           (long long)spikes);
    return 0;
}

/* ns per cell step of one population of n cells of a model under Poisson
 * conductance input. */
static int run_cells(const char *label, dtb_spiking_net *net, int64_t pop, int64_t n)
{
    int64_t r;
    if (dtb_spiking_add_receptor(net, pop, "ampa", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CONDUCTANCE, 0.0,
                                 5e-3, 0.0, &r)
        || dtb_spiking_add_poisson(net, pop, r, 2000.0, 1.0, NULL)) {
        fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
        return 1;
    }
    double t0 = now();
    if (dtb_spiking_run(net, 1.0)) {
        fprintf(stderr, "bench_spiking: %s\n", dtb_last_error_message());
        return 1;
    }
    double wall = now() - t0;
    printf("%-20s %6lld cells  wall %.3f s for 1 s  %.1f ns per cell step  %lld spikes\n", label,
           (long long)n, wall, wall / ((double)n * 1e4) * 1e9,
           (long long)dtb_spiking_spike_count(net, pop));
    return 0;
}

static int run_hh(void)
{
    dtb_spiking_net *net;
    int64_t pop;
    if (dtb_spiking_create(&net, 1e-4, 1) || dtb_spiking_add_population(net, "hh", "hh", 4000, &pop))
        return 1;
    int rc = run_cells("hh", net, pop, 4000);
    dtb_spiking_free(net);
    return rc;
}

static int run_lems(void)
{
    const char *inc[1] = {DTB_SHARED_DATA "/neuroml/NeuroML2/NeuroML2CoreTypes"};
    dtb_spiking_net *net;
    int64_t pop;
    if (dtb_spiking_create(&net, 1e-4, 1))
        return 1;
    if (dtb_spiking_add_lems_population(net, "iafRef",
                                        DTB_SHARED_DATA "/neuroml/NeuroML2/examples/NML2_AbstractCells.nml",
                                        "iafRef", 4000, inc, 1, &pop)) {
        printf("lems iafRefCell: skipped (%s)\n", dtb_last_error_message());
        dtb_spiking_free(net);
        return 0;
    }
    int rc = run_cells("lems iafRefCell", net, pop, 4000);
    dtb_spiking_free(net);
    return rc;
}

int main(int argc, char **argv)
{
    int runs = 3;
    if (argc == 3 && strcmp(argv[1], "--runs") == 0)
        runs = atoi(argv[2]) > 0 ? atoi(argv[2]) : 3;
    return run("cuba", 4000, runs) || run("coba", 4000, runs) || run("cuba", 32000, runs) ||
           run_hh() || run_lems();
}
