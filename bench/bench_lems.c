/* bench_lems — the LEMS engine on a population of NeuroML
 * izhikevich2007Cells (regular spiking, as in OSB's Izh2007One), each with
 * its own pulseGenerator input attached by an explicitInput, run with
 * forward Euler, in jLEMS' update order (the default) and then in pylems'
 * (simultaneous). Loads, builds and runs it RUNS times per order and
 * prints the best and the median time per neuron update, wall and CPU (and
 * neuron updates per second at each wall time).
 *
 * Usage: bench_lems [CELLS [SECONDS [DT_MS [RUNS]]]]   (default 1000 1 0.025 5)
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

#include "bench_stats.h"

static double now(void)
{
    return bench_wall();
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

/* One load, build and run; the run's wall seconds into *run_s. */
static int run_once(const dtb__strbuf *x, dtb__lr_order order, double *load_s, double *run_s, double *cpu_s,
                    int64_t *steps,
                    size_t *instances, double *spikes)
{
    const char *dirs[] = {DTB_SHARED_DATA "/neuroml/NeuroML2/NeuroML2CoreTypes"};
    dtb__lems_read_options o = {dirs, 1};
    double t0 = now();
    dtb__lems_doc doc;
    dtb__lr_sim *sim = NULL;
    if (dtb__lems_read_memory(&doc, x->data, x->len, DTB_SHARED_DATA "/neuroml/bench.xml", &o))
        return 1;
    dtb__lr_options lo = {.order = order};
    int rc = dtb__lr_create(&doc, &lo, &sim) || dtb__lr_add_column(sim, "pop[0]/v", NULL);
    double t1 = now(), c1 = bench_cpu();
    double state[2] = {0, 0};
    if (!rc)
        rc = dtb__lr_run(sim, count_spikes_row, state) != DTB_OK;
    double t2 = now();
    *cpu_s = bench_cpu() - c1;
    if (!rc) {
        *load_s = t1 - t0;
        *run_s = t2 - t1;
        *steps = dtb__lr_steps(sim);
        *instances = dtb__lr_instance_count(sim);
        *spikes = state[1];
    }
    dtb__lr_free(sim);
    dtb__lems_doc_free(&doc);
    return rc;
}

#define MAX_RUNS 1000

int main(int argc, char **argv)
{
    long cells = argc > 1 ? atol(argv[1]) : 1000;
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    double dt_ms = argc > 3 ? atof(argv[3]) : 0.025;
    int runs = argc > 4 ? bench_parse_runs(argv[4]) : 5;
    if (cells < 1 || !(seconds > 0) || !(dt_ms > 0) || runs < 1 || argc > 5) {
        fprintf(stderr, "usage: bench_lems [CELLS [SECONDS [DT_MS [RUNS]]]]\n");
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
    static const dtb__lr_order orders[] = {DTB__LR_ORDER_JLEMS, DTB__LR_ORDER_PYLEMS};
    for (size_t oi = 0; oi < 2; oi++) {
        dtb__lr_order order = orders[oi];
        double run_s[MAX_RUNS], cpu_s[MAX_RUNS], load_s = 0, spikes = 0;
        int64_t steps = 0;
        size_t instances = 0;
        for (int r = 0; r < runs; r++) {
            if (run_once(&x, order, &load_s, &run_s[r], &cpu_s[r], &steps, &instances, &spikes)) {
                fprintf(stderr, "bench_lems: %s\n", dtb_last_error_message());
                dtb__strbuf_free(&x);
                return 1;
            }
        }
        double best, median, cbest, cmedian;
        bench_best_median(run_s, runs, &best, &median);
        bench_best_median(cpu_s, runs, &cbest, &cmedian);
        double updates = (double)cells * (double)steps;
        printf("bench_lems: %ld izhikevich2007Cells + %ld pulseGenerators (%zu instances), %g s at dt %g ms "
               "(%" PRId64 " steps), %s order, best / median of %d runs\n",
               cells, cells, instances, seconds, dt_ms, steps, order == DTB__LR_ORDER_JLEMS ? "jLEMS" : "pylems",
               runs);
        printf("  load + build %.3f s (last run); run %.3f / %.3f s: %.3g / %.3g us per step, "
               "%.2f / %.2f ns per neuron update\n",
               load_s, best, median, 1e6 * best / (double)steps, 1e6 * median / (double)steps,
               1e9 * best / updates, 1e9 * median / updates);
        printf("  CPU %.3f / %.3f s: %.2f / %.2f ns per neuron update\n", cbest, cmedian,
               1e9 * cbest / updates, 1e9 * cmedian / updates);
        printf("  %.3g / %.3g neuron updates per second (cell 0 spiked %.0f times)\n", updates / best,
               updates / median, spikes);
        printf("  pylems 0.6.7: ~2.56e4 neuron updates per second (39 us per cell step) -> %.0fx / %.0fx\n",
               updates / best / 2.56e4, updates / median / 2.56e4);
    }
    dtb__strbuf_free(&x);
    return 0;
}
