/* Multi-compartment cells: compartment updates per second of libdtb
 * (dtb_mcell) and of NEURON 8.2 on the same cells, in the same run. The
 * cells are tests/data/mcell's (NEURON builds them by hand in
 * tests/mcell/neuron_cells.py, which the tests compare trace for trace);
 * each runs 200 ms at dt 0.025 ms with a clamp of 0.5 nA that makes it
 * spike, nothing recorded but the soma (NEURON: nothing). NEURON is timed
 * twice: with hh's rate tables off (the same computation as libdtb, and
 * as the tests) and on (NEURON's default). Figures are the best and the
 * median of REPEATS runs in thread CPU time (bench_stats.h).
 *
 *   bench_mcell [REPEATS]     (default 7; NEURON from /usr/bin/python3) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stats.h"
#include "dtb/dtb.h"

#define DT 0.025
#define DURATION 200.0

static void bench_libdtb(const char *cell_name, const char *id, int64_t nseg, int repeats)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/mcell/%s.nml", SOURCE_ROOT, cell_name);
    dtb_mcell *cell = NULL;
    if (dtb_mcell_load(&cell, path, id) || dtb_mcell_set_nseg(cell, nseg) ||
        dtb_mcell_set_temperature(cell, 6.3) ||
        dtb_mcell_add_current_clamp(cell, 0, 0.5, 20, 100, 0.5) ||
        dtb_mcell_add_recording(cell, 0, 0.5, "v", NULL)) {
        fprintf(stderr, "bench_mcell: %s\n", dtb_last_error_message());
        exit(1);
    }
    double *cpu = malloc((size_t)repeats * sizeof *cpu), *wall = malloc((size_t)repeats * sizeof *wall);
    for (int r = 0; r < repeats; r++) {
        double c0 = bench_cpu(), w0 = bench_wall();
        if (dtb_mcell_run(cell, DURATION, DT)) {
            fprintf(stderr, "bench_mcell: %s\n", dtb_last_error_message());
            exit(1);
        }
        cpu[r] = bench_cpu() - c0;
        wall[r] = bench_wall() - w0;
    }
    double cb, cm, wb, wm;
    bench_best_median(cpu, repeats, &cb, &cm);
    bench_best_median(wall, repeats, &wb, &wm);
    int64_t ncomp = dtb_mcell_compartment_count(cell), steps = dtb_mcell_trace_length(cell) - 1;
    printf("libdtb cell=%s compartments=%lld steps=%lld best_cpu_s=%.4f median_cpu_s=%.4f "
           "best_wall_s=%.4f median_wall_s=%.4f updates_per_cpu_s=%.4g\n",
           cell_name, (long long)ncomp, (long long)steps, cb, cm, wb, wm,
           (double)ncomp * (double)steps / cb);
    free(cpu);
    free(wall);
    dtb_mcell_free(cell);
}

static void bench_neuron(const char *cell_name, int64_t nseg, int repeats, int tables)
{
    char cmd[8192], line[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/mcell/neuron_cells.py' %s %lld %g %g 0.5 - "
             "--bench %d %s 2>/dev/null", SOURCE_ROOT, cell_name, (long long)nseg, DT, DURATION,
             repeats, tables ? "tables" : "notables");
    FILE *p = popen(cmd, "r");
    int seen = 0;
    while (p && fgets(line, sizeof line, p))
        if (!strncmp(line, "neuron", 6)) {
            fputs(line, stdout);
            seen = 1;
        }
    if (p)
        pclose(p);
    if (!seen)
        printf("neuron cell=%s: not run (python3-neuron missing?)\n", cell_name);
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 7;
    if (repeats < 1)
        repeats = 1;
    static const struct {
        const char *file, *id;
        int64_t nseg;
    } cases[] = {{"ball_and_stick", "bs_cell", 9}, {"branched", "branched_cell", 9},
                 {"branched", "branched_cell", 0}, {"branched", "branched_cell", 101}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        printf("# %s, nseg %lld%s\n", cases[k].file, (long long)cases[k].nseg,
               cases[k].nseg ? "" : " (d_lambda)");
        bench_libdtb(cases[k].file, cases[k].id, cases[k].nseg, repeats);
        bench_neuron(cases[k].file, cases[k].nseg, repeats, 0);
        bench_neuron(cases[k].file, cases[k].nseg, repeats, 1);
        fflush(stdout);
    }
    return 0;
}
