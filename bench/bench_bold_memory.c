/* Memory of a long BOLD run: a whole hour of simulated time on the built-in
 * bn246 atlas must not need more memory than ten minutes.
 *
 *   bench_bold_memory [--minutes M] [--dt SECONDS] [--out DIR]
 *
 * Wilson-Cowan on bn246 (246 regions, 60 270 connections, delays at
 * 3 m/s), Heun with additive noise D = 1e-5, dt 0.1 ms by default; BOLD of E
 * (Friston 2003 Balloon-Windkessel, TR 2 s) streamed to DIR/bold.npy, the FC
 * of that BOLD signal (running sums) to DIR/fc.csv, and TVB's Volterra BOLD
 * (a 20 s stock) streamed to DIR/bold-tvb.npy. After every simulated minute
 * it prints the resident set (VmRSS) and its peak (VmHWM) from
 * /proc/self/status. Prints figures; it does not pass or fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dtb/dtb.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A "VmXXX:   1234 kB" line of /proc/self/status, in MiB (-1 if absent). */
static double status_mib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double v = -1;
    size_t len = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, len) && line[len] == ':')
            v = strtod(line + len + 1, NULL) / 1024.0;
    if (f)
        fclose(f);
    return v;
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_bold_memory: %s: %s\n", what, dtb_last_error_message());
    return 1;
}

static dtb_observer *observe(dtb_sim *sim, dtb_observer_kind kind, dtb_bold_model set,
                             dtb_sink_kind sink, const char *path)
{
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = kind;
    o.variables = "E";
    o.period = 2.0;
    o.bold_model = set;
    o.source = DTB_OBSERVER_BOLD;
    o.sink = sink;
    o.path = path;
    dtb_observer *obs = NULL;
    return dtb_observer_create(&obs, sim, &o) == DTB_OK ? obs : NULL;
}

int main(int argc, char **argv)
{
    int minutes = 60;
    double dt = 1e-4;
    const char *out = "bench-bold-out";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--minutes"))
            minutes = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dt"))
            dt = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--out"))
            out = argv[i + 1];
    }
    mkdir(out, 0777);
    char bold_path[4096], fc_path[4096], tvb_path[4096];
    snprintf(bold_path, sizeof bold_path, "%s/bold.npy", out);
    snprintf(fc_path, sizeof fc_path, "%s/fc.csv", out);
    snprintf(tvb_path, sizeof tvb_path, "%s/bold-tvb.npy", out);

    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    if (dtb_atlas_create_builtin(&atlas, "bn246") || dtb_model_create_builtin(&model, "wilson_cowan"))
        return fail("setup");
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = dt;
    so.seed = 42;
    if (dtb_sim_create(&sim, atlas, model, &so) || dtb_sim_set_noise(sim, -1, 1e-5))
        return fail("simulation");
    dtb_observer *bold = observe(sim, DTB_OBSERVER_BOLD, DTB_BOLD_FRISTON2003, DTB_SINK_NPY, bold_path);
    dtb_observer *fc = observe(sim, DTB_OBSERVER_FC, DTB_BOLD_FRISTON2003, DTB_SINK_CSV, fc_path);
    dtb_observer *tvb = observe(sim, DTB_OBSERVER_BOLD, DTB_BOLD_TVB_VOLTERRA, DTB_SINK_NPY, tvb_path);
    if (!bold || !fc || !tvb)
        return fail("observers");
    printf("# Wilson-Cowan on bn246, dt %g ms, BOLD (Friston 2003, TR 2 s) -> %s,\n"
           "# FC of BOLD -> %s, TVB Volterra BOLD -> %s\n", dt * 1e3, bold_path, fc_path, tvb_path);
    printf("# before the run: VmRSS %.1f MiB, VmHWM %.1f MiB\n", status_mib("VmRSS"),
           status_mib("VmHWM"));
    printf("%8s %10s %10s %12s %10s\n", "minute", "VmRSS_MiB", "VmHWM_MiB", "BOLD_rows", "wall_s");
    double t0 = now();
    for (int m = 1; m <= minutes; m++) {
        if (dtb_sim_run(sim, 60.0, NULL, NULL))
            return fail("run");
        printf("%8d %10.1f %10.1f %12lld %10.1f\n", m, status_mib("VmRSS"), status_mib("VmHWM"),
               (long long)dtb_observer_sample_count(bold), now() - t0);
        fflush(stdout);
    }
    dtb_observer_free(bold);
    dtb_observer_free(fc);
    dtb_observer_free(tvb);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    return 0;
}
