/* dtb run — build the experiment the options describe, run it with a
 * progress bar, print a summary, and the FC fit and figures when asked.
 * The library does the work (experiment/experiment_build.h); this file
 * is the program's face.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli.h"
#include "experiment/experiment_build.h"
#include "network/network.h"

static void stop_sim(void *sim) { dtb_sim_request_stop(sim); }

/* The first FC observer must have as many columns as the empirical FC. */
static int check_empirical(const dtb__built *b, const char *path, size_t n_emp)
{
    for (size_t i = 0; i < b->n_outputs; i++) {
        if (dtb_observer_kind_of(b->outputs[i].obs) != DTB_OBSERVER_FC)
            continue;
        size_t n = (size_t)dtb_observer_column_count(b->outputs[i].obs);
        if (n != n_emp)
            return cli_usage_error("--empirical-fc %s: %zu x %zu, but the simulated FC (%s) is "
                                   "%zu x %zu", path, n_emp, n_emp, b->outputs[i].path, n, n);
        return 0;
    }
    return cli_usage_error("--empirical-fc: no fc observer");
}

/* After a successful run: the FC fit and the figures. */
static int report_and_plot(const dtb_experiment *exp, const dtb__built *b, const double *emp,
                           size_t n_emp)
{
    for (size_t i = 0; emp && i < b->n_outputs; i++) {
        if (dtb_observer_kind_of(b->outputs[i].obs) == DTB_OBSERVER_FC) {
            print_fc_fit(b->outputs[i].obs, emp, n_emp, dtb_experiment_get(exp, "empirical-fc"));
            break;
        }
    }
    if (!dtb_experiment_get(exp, "plot"))
        return 0;
    const char **paths = calloc(b->n_outputs + 1, sizeof *paths);
    if (!paths)
        return cli_usage_error("out of memory");
    for (size_t i = 0; i < b->n_outputs; i++)
        paths[i] = b->outputs[i].path;
    int rc = plot_files(paths, b->n_outputs, b->out_dir, dtb_experiment_get(exp, "plot-regions"),
                        b->atlas, 0);
    free(paths);
    return rc ? EXIT_RUNTIME : 0;
}

/* Where the connectome comes from, on every run: the atlas' own
 * description, wrapped at 100 columns under a lead-in. */
static void print_wrapped(const char *lead, const char *text)
{
    const size_t width = 100, indent = 4;
    size_t col = strlen(lead);
    int line_start = 1;
    fputs(lead, stdout);
    while (text && *text) {
        size_t word = strcspn(text, " ");
        if (!line_start && col + 1 + word > width) {
            printf("\n%*s", (int)indent, "");
            col = indent;
        } else if (!line_start) {
            putchar(' ');
            col++;
        }
        line_start = 0;
        fwrite(text, 1, word, stdout);
        col += word;
        text += word;
        while (*text == ' ')
            text++;
    }
    putchar('\n');
}

static void print_summary(const dtb_experiment *exp, const dtb__built *b, double wall)
{
    dtb_sim *sim = b->sim;
    double t = dtb_sim_time(sim);
    int64_t H = dtb_sim_horizon(sim);
    char coupling[256] = "";
    for (int64_t i = 0; i < dtb_sim_coupling_param_count(sim); i++) {
        double v = 0;
        const char *name = dtb_sim_coupling_param_name(sim, i);
        dtb_sim_get_coupling_param(sim, name, &v);
        size_t used = strlen(coupling);
        snprintf(coupling + used, sizeof coupling - used, "%s%s=%g", i ? ", " : "", name, v);
    }
    printf("dtb run: %s on %s (%lld regions, %lld connections%s)\n", dtb_model_name(b->model),
           dtb_atlas_name(b->atlas), (long long)dtb_atlas_region_count(b->atlas),
           (long long)dtb_atlas_edge_count(b->atlas),
           dtb_atlas_is_synthetic(b->atlas) ? "; SYNTHETIC connectivity" : "");
    print_wrapped("  atlas: ", dtb_atlas_description(b->atlas));
    const char *speed_text = dtb_experiment_get(exp, "speed");
    char speed[32];
    if (speed_text && (!strcmp(speed_text, "inf") || !strcmp(speed_text, "infinity")))
        snprintf(speed, sizeof speed, "inf (no delays)");
    else
        snprintf(speed, sizeof speed, "%s%s", speed_text ? speed_text : "3",
                 speed_text && strstr(speed_text, "m/s") ? "" : " m/s");
    const char *integrator = dtb_experiment_get(exp, "integrator");
    printf("  %s coupling (%s), speed %s, longest delay %.1f ms, %s, dt %g ms, noise %s, seed %llu\n",
           dtb__coupling_kind_name(dtb_sim_coupling(sim)), coupling, speed,
           (double)(H - 1) * dtb_sim_dt(sim) * 1e3,
           integrator ? integrator : b->default_twin ? "euler" : "heun", dtb_sim_dt(sim) * 1e3,
           b->noisy ? "on" : "off", (unsigned long long)b->seed);
    for (int64_t i = 0; i < dtb_sim_provenance_count(sim); i++)
        printf("  %s\n", dtb_sim_provenance_entry(sim, i));
    printf("  simulated %g s (%lld steps) in %.3f s: %.2f simulated s per wall s\n", t,
           (long long)dtb_sim_step_index(sim), wall, wall > 0 ? t / wall : 0.0);
    for (size_t i = 0; i < b->n_outputs; i++) {
        dtb_observer *obs = b->outputs[i].obs;
        int64_t rows, cols;
        dtb_observer_kind k = dtb_observer_kind_of(obs);
        if ((k == DTB_OBSERVER_FC || k == DTB_OBSERVER_FCD || k == DTB_OBSERVER_PSD) &&
            dtb_observer_result(obs, NULL, 0, &rows, &cols) == DTB_OK)
            printf("  %s: %lld x %lld %s, from %lld samples\n", b->outputs[i].path, (long long)rows,
                   (long long)cols, dtb_observer_kind_name(obs),
                   (long long)dtb_observer_sample_count(obs));
        else
            printf("  %s: %lld samples x %lld columns\n", b->outputs[i].path,
                   (long long)dtb_observer_sample_count(obs), (long long)dtb_observer_column_count(obs));
    }
    for (int64_t q = 0; q < dtb_sim_spiking_region_count(sim); q++) {
        int64_t region;
        dtb_sim_spiking_region_info(sim, q, &region, NULL, NULL);
        printf("  spiking region %s: E rate %.3g Hz at the end\n",
               dtb_atlas_region_label(b->atlas, region), dtb_sim_spiking_rate(sim, q));
    }
    if (b->n_spiking_spikes >= 0)
        printf("  %s/spikes_spiking.csv: %lld spikes of the spiking regions\n", b->out_dir,
               (long long)b->n_spiking_spikes);
    if (b->checkpoint_path)
        printf("  checkpoint: %s\n", b->checkpoint_path);
    printf("  provenance: %s/provenance.json, %s/experiment.xml\n", b->out_dir, b->out_dir);
    /* The end state of the variables of interest, at a glance. */
    size_t needed;
    dtb_sim_get_state(sim, NULL, 0, &needed);
    double *x = malloc(needed * sizeof *x);
    if (x && dtb_sim_get_state(sim, x, needed, NULL) == DTB_OK) {
        int64_t n = dtb_sim_region_count(sim);
        for (int64_t v = 0; v < dtb_model_voi_count(b->model); v++) {
            int64_t s = dtb_model_voi_state(b->model, v);
            if (s < 0)
                continue;   /* a derived variable: in the files, not in the state */
            double lo = INFINITY, hi = -INFINITY, sum = 0;
            for (int64_t k = 0; k < n; k++) {
                double y = x[s * n + k];
                lo = y < lo ? y : lo;
                hi = y > hi ? y : hi;
                sum += y;
            }
            printf("  final %s over regions: mean %.6g, min %.6g, max %.6g\n",
                   dtb_model_state_name(b->model, s), sum / (double)n, lo, hi);
        }
    }
    free(x);
}

/* FIC's fixed point can be unstable (strong coupling): with noise the run
 * then leaves it, and its rates mean nothing the user asked for. Say so. */
static void warn_unstable_fic(const run_args *a, const dtb__built *b)
{
    double re;
    if (!dtb_experiment_get(a->exp, "fic") || dtb_sim_fic_stability(b->sim, &re))
        return;
    if (re > 0)
        fprintf(stderr, "dtb: warning: the fixed point that --fic set is unstable (largest real "
                        "part of the Jacobian's eigenvalues %+.4g per s, delays taken as zero): "
                        "%s; lower the coupling (G) to keep the twin there\n", re,
                b->noisy ? "with noise the run will leave it" : "a perturbation would leave it");
    else if (!a->quiet)
        cli_error("the fixed point that --fic set is stable (largest real part of the "
                        "Jacobian's eigenvalues %.4g per s)", re);
}

/* Build; checks that need the built simulation (plot regions, the
 * empirical FC's size); --save-experiment. Every limit and write target is
 * checked by the build before the output folder is touched; nothing is
 * left on disk on failure. */
static int build(const run_args *a, dtb__built *b, double **emp, size_t *n_emp)
{
    const char *emp_path = dtb_experiment_get(a->exp, "empirical-fc");
    if (emp_path) {
        int rc = empirical_fc_read(emp_path, emp, n_emp);
        if (rc)
            return rc;
    }
    dtb__build_options o = {0};
    o.extra_setting = "save-experiment";
    o.extra_path = a->save_experiment;
    if (dtb__experiment_build_with(a->exp, &o, b))
        return cli_usage_error("%s", dtb_last_error_message());
    const char *regions = dtb_experiment_get(a->exp, "plot-regions");
    int rc = regions ? check_region_list(regions, b->atlas, "--plot-regions") : 0;
    if (!rc && emp_path)
        rc = check_empirical(b, emp_path, *n_emp);
    if (!rc && a->save_experiment && dtb_experiment_save(a->exp, a->save_experiment))
        rc = cli_usage_error("--save-experiment: %s", dtb_last_error_message());
    if (rc) {
        dtb__built_remove_outputs(b);
        dtb__built_free(b);
    }
    return rc;
}

int cmd_run(int argc, char **argv)
{
    run_args a;
    int help;
    int rc = run_args_parse(argc, argv, &a, &help);
    if (rc || help) {
        if (help)
            print_run_help();
        run_args_free(&a);
        return rc;
    }
    /* from before the build: a signal while it loads stops the run at its
     * first step, and the folder still gets its record */
    cli_signals_install();
    dtb__built b;
    double *emp = NULL;
    size_t n_emp = 0;
    rc = build(&a, &b, &emp, &n_emp);
    if (rc) {
        free(emp);
        run_args_free(&a);
        return rc;
    }
    warn_unstable_fic(&a, &b);
    progress_state prog;
    progress_init(&prog, b.duration - dtb_sim_time(b.sim), a.quiet);
    cli_signals_target(stop_sim, b.sim);
    double t0 = wall_seconds();
    dtb_status st = dtb__experiment_execute(&b, a.exp, progress_callback, &prog);
    double wall = wall_seconds() - t0;
    /* the handlers stay to the end of the process: a late signal must not
     * kill it while it reports or plots */
    cli_signals_target(NULL, NULL);
    progress_finish(&prog);
    if (st == DTB_ECANCELLED) {
        cli_error("interrupted at t = %g s; the files hold the samples so far (whole "
                        "rows; %s/provenance.json counts them)", dtb_sim_time(b.sim), b.out_dir);
        rc = EXIT_INTERRUPTED;
    } else if (st) {
        cli_error("%s", dtb_last_error_message());
        rc = EXIT_RUNTIME;
    } else {
        print_summary(a.exp, &b, wall);
        rc = report_and_plot(a.exp, &b, emp, n_emp);
    }
    dtb__built_free(&b);
    free(emp);
    run_args_free(&a);
    return rc;
}
