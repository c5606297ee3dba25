/* bench_lems — the LEMS engine on a population of NeuroML
 * izhikevich2007Cells (regular spiking, as in OSB's Izh2007One), each with
 * its own pulseGenerator input attached by an explicitInput, run with
 * forward Euler. Prints neuron updates per second.
 *
 * Usage: bench_lems [CELLS [SECONDS [DT_MS]]]   (default 1000 1 0.025)
 *
 * Reference: pylems 0.6.7 needs 39 us per step for one such cell with its
 * input (izh2007_one, LEMS-NOTES §7.2), about 25,600 neuron updates per
 * second; its cost grows with the number of components. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "lems/lems.h"
#include "lems_run/lems_run.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int count_spikes_row(double t, const double *v, void *ud)
{
    (void)t;
    double *last = ud;
    /* v of cell 0: count resets (drops of more than 50 mV). */
    if (last[0] - v[0] > 0.05)
        last[1] += 1;
    last[0] = v[0];
    return 0;
}

int main(int argc, char **argv)
{
    long cells = argc > 1 ? atol(argv[1]) : 1000;
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    double dt_ms = argc > 3 ? atof(argv[3]) : 0.025;
    if (cells < 1 || !(seconds > 0) || !(dt_ms > 0)) {
        fprintf(stderr, "usage: bench_lems [CELLS [SECONDS [DT_MS]]]\n");
        return 2;
    }
    dtb__strbuf x = {0};
    dtb__strbuf_printf(&x, "<Lems><Target component='sim'/>"
                           "<Include file='Cells.xml'/><Include file='Networks.xml'/>"
                           "<Include file='Simulation.xml'/>"
                           "<izhikevich2007Cell id='RS' v0='-60mV' C='100 pF' k='0.7 nS_per_mV' "
                           "vr='-60 mV' vt='-40 mV' vpeak='35 mV' a='0.03 per_ms' b='-2 nS' "
                           "c='-50 mV' d='100 pA'/>"
                           "<pulseGenerator id='I1' delay='0ms' duration='2000ms' amplitude='100 pA'/>"
                           "<network id='net'><population id='pop' component='RS' size='%ld'/>",
                       cells);
    for (long i = 0; i < cells; i++)
        dtb__strbuf_printf(&x, "<explicitInput target='pop[%ld]' input='I1' destination='synapses'/>", i);
    dtb__strbuf_printf(&x, "</network><Simulation id='sim' length='%gs' step='%gms' target='net'/></Lems>",
                       seconds, dt_ms);
    if (x.failed)
        return 1;
    const char *dirs[] = {DTB_SHARED_DATA "/neuroml/NeuroML2/NeuroML2CoreTypes"};
    dtb__lems_read_options o = {dirs, 1};
    double t0 = now();
    dtb__lems_doc doc;
    dtb__lr_sim *sim = NULL;
    if (dtb__lems_read_memory(&doc, x.data, x.len, DTB_SHARED_DATA "/neuroml/bench.xml", &o) ||
        dtb__lr_create(&doc, NULL, &sim) || dtb__lr_add_column(sim, "pop[0]/v", NULL)) {
        fprintf(stderr, "bench_lems: %s\n", dtb_last_error_message());
        return 1;
    }
    double t1 = now();
    double state[2] = {0, 0};
    if (dtb__lr_run(sim, count_spikes_row, state)) {
        fprintf(stderr, "bench_lems: %s\n", dtb_last_error_message());
        return 1;
    }
    double t2 = now();
    int64_t steps = dtb__lr_steps(sim);
    double updates = (double)cells * (double)steps;
    double per_s = updates / (t2 - t1);
    printf("bench_lems: %ld izhikevich2007Cells + %ld pulseGenerators (%zu instances), %g s at dt %g ms "
           "(%" PRId64 " steps)\n",
           cells, cells, dtb__lr_instance_count(sim), seconds, dt_ms, steps);
    printf("  load + build %.3f s, run %.3f s: %.3g us per step, %.1f ns per neuron update\n", t1 - t0,
           t2 - t1, 1e6 * (t2 - t1) / (double)steps, 1e9 * (t2 - t1) / updates);
    printf("  %.3g neuron updates per second (cell 0 spiked %.0f times)\n", per_s, state[1]);
    printf("  pylems 0.6.7: ~2.56e4 neuron updates per second (39 us per cell step) -> %.0fx\n",
           per_s / 2.56e4);
    dtb__lr_free(sim);
    dtb__lems_doc_free(&doc);
    dtb__strbuf_free(&x);
    return 0;
}
