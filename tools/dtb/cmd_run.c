/* dtb run — build the experiment the options describe, run it with a
 * progress bar, print a summary, and the FC fit and figures when asked.
 * The library does the work (dtb_built_experiment.h); this file
 * is the program's face.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void stop_sim(void *sim) { dtb_sim_request_stop(sim); }

/* The first FC observer must have as many columns as the empirical FC. */
static int check_empirical(const dtb_built_experiment *b, const char *path, size_t n_emp)
{
    for (int64_t i = 0; i < dtb_built_experiment_output_count(b); i++) {
        const dtb_observer *obs = dtb_built_experiment_output_observer(b, i);
        if (dtb_observer_kind_of(obs) != DTB_OBSERVER_FC)
            continue;
        size_t n = (size_t)dtb_observer_column_count(obs);
        if (n != n_emp)
            return cli_usage_error("--empirical-fc %s: %zu x %zu, but the simulated FC (%s) is "
                                   "%zu x %zu", path, n_emp, n_emp,
                                   dtb_built_experiment_output_path(b, i), n, n);
        return 0;
    }
    return cli_usage_error("--empirical-fc: no fc observer");
}

/* After a successful run: the FC fit and the figures. */
static int report_and_plot(const dtb_experiment *exp, const dtb_built_experiment *b,
                           const double *emp, size_t n_emp)
{
    size_t n_outputs = (size_t)dtb_built_experiment_output_count(b);
    for (size_t i = 0; emp && i < n_outputs; i++) {
        const dtb_observer *obs = dtb_built_experiment_output_observer(b, (int64_t)i);
        if (dtb_observer_kind_of(obs) == DTB_OBSERVER_FC) {
            print_fc_fit(obs, emp, n_emp, dtb_experiment_get(exp, "empirical-fc"));
            break;
        }
    }
    if (!dtb_experiment_get(exp, "plot"))
        return 0;
    const char **paths = calloc(n_outputs + 1, sizeof *paths);
    if (!paths)
        return cli_usage_error("out of memory");
    for (size_t i = 0; i < n_outputs; i++)
        paths[i] = dtb_built_experiment_output_path(b, (int64_t)i);
    int rc = plot_files(paths, n_outputs, dtb_built_experiment_out_dir(b),
                        dtb_experiment_get(exp, "plot-regions"), dtb_built_experiment_atlas(b), 0);
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

static void print_summary(const dtb_experiment *exp, const dtb_built_experiment *b, double wall)
{
    const dtb_sim *sim = dtb_built_experiment_sim(b);
    const dtb_atlas *atlas = dtb_built_experiment_atlas(b);
    const dtb_model *model = dtb_built_experiment_model(b);
    const char *out_dir = dtb_built_experiment_out_dir(b);
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
    printf("dtb run: %s on %s (%lld regions, %lld connections%s)\n", dtb_model_name(model),
           dtb_atlas_name(atlas), (long long)dtb_atlas_region_count(atlas),
           (long long)dtb_atlas_edge_count(atlas),
           dtb_atlas_is_synthetic(atlas) ? "; SYNTHETIC connectivity" : "");
    print_wrapped("  atlas: ", dtb_atlas_description(atlas));
    const char *speed_text = dtb_experiment_get(exp, "speed");
    char speed[32];
    if (speed_text && (!strcmp(speed_text, "inf") || !strcmp(speed_text, "infinity")))
        snprintf(speed, sizeof speed, "inf (no delays)");
    else
        snprintf(speed, sizeof speed, "%s%s", speed_text ? speed_text : "3",
                 speed_text && strstr(speed_text, "m/s") ? "" : " m/s");
    const char *integrator = dtb_experiment_get(exp, "integrator");
    printf("  %s coupling (%s), speed %s, longest delay %.1f ms, %s, dt %g ms, noise %s, seed %llu\n",
           dtb_coupling_kind_name(dtb_sim_coupling(sim)), coupling, speed,
           (double)(H - 1) * dtb_sim_dt(sim) * 1e3,
           integrator ? integrator : dtb_built_experiment_is_default_twin(b) ? "euler" : "heun",
           dtb_sim_dt(sim) * 1e3, dtb_built_experiment_is_noisy(b) ? "on" : "off",
           (unsigned long long)dtb_built_experiment_seed(b));
    for (int64_t i = 0; i < dtb_sim_provenance_count(sim); i++)
        printf("  %s\n", dtb_sim_provenance_entry(sim, i));
    printf("  simulated %g s (%lld steps) in %.3f s: %.2f simulated s per wall s\n", t,
           (long long)dtb_sim_step_index(sim), wall, wall > 0 ? t / wall : 0.0);
    for (int64_t i = 0; i < dtb_built_experiment_output_count(b); i++) {
        const dtb_observer *obs = dtb_built_experiment_output_observer(b, i);
        const char *path = dtb_built_experiment_output_path(b, i);
        int64_t rows, cols;
        dtb_observer_kind k = dtb_observer_kind_of(obs);
        if ((k == DTB_OBSERVER_FC || k == DTB_OBSERVER_FCD || k == DTB_OBSERVER_PSD) &&
            dtb_observer_result(obs, NULL, 0, &rows, &cols) == DTB_OK)
            printf("  %s: %lld x %lld %s, from %lld samples\n", path, (long long)rows,
                   (long long)cols, dtb_observer_kind_name(obs),
                   (long long)dtb_observer_sample_count(obs));
        else
            printf("  %s: %lld samples x %lld columns\n", path,
                   (long long)dtb_observer_sample_count(obs), (long long)dtb_observer_column_count(obs));
    }
    for (int64_t q = 0; q < dtb_sim_spiking_region_count(sim); q++) {
        int64_t region;
        dtb_sim_spiking_region_info(sim, q, &region, NULL, NULL);
        printf("  spiking region %s: E rate %.3g Hz at the end\n",
               dtb_atlas_region_label(atlas, region), dtb_sim_spiking_rate(sim, q));
    }
    int64_t n_spikes = dtb_built_experiment_spiking_spike_count(b);
    if (n_spikes >= 0)
        printf("  %s/spikes_spiking.csv: %lld spikes of the spiking regions\n", out_dir,
               (long long)n_spikes);
    if (dtb_built_experiment_checkpoint_path(b))
        printf("  checkpoint: %s\n", dtb_built_experiment_checkpoint_path(b));
    printf("  provenance: %s/provenance.json, %s/experiment.xml\n", out_dir, out_dir);
    /* The end state of the variables of interest, at a glance. */
    size_t needed;
    dtb_sim_get_state(sim, NULL, 0, &needed);
    double *x = malloc(needed * sizeof *x);
    if (x && dtb_sim_get_state(sim, x, needed, NULL) == DTB_OK) {
        int64_t n = dtb_sim_region_count(sim);
        for (int64_t v = 0; v < dtb_model_voi_count(model); v++) {
            int64_t s = dtb_model_voi_state(model, v);
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
                   dtb_model_state_name(model, s), sum / (double)n, lo, hi);
        }
    }
    free(x);
}

/* FIC's fixed point can be unstable (strong coupling): with noise the run
 * then leaves it, and its rates mean nothing the user asked for. Say so. */
static void warn_unstable_fic(const run_args *a, const dtb_built_experiment *b)
{
    double re;
    if (!dtb_experiment_get(a->exp, "fic") ||
        dtb_sim_fic_stability(dtb_built_experiment_sim(b), &re))
        return;
    if (re > 0)
        fprintf(stderr, "dtb: warning: the fixed point that --fic set is unstable (largest real "
                        "part of the Jacobian's eigenvalues %+.4g per s, delays taken as zero): "
                        "%s; lower the coupling (G) to keep the twin there\n", re,
                dtb_built_experiment_is_noisy(b) ? "with noise the run will leave it" : "a perturbation would leave it");
    else if (!a->quiet)
        cli_error("the fixed point that --fic set is stable (largest real part of the "
                        "Jacobian's eigenvalues %.4g per s)", re);
}

/* Build; checks that need the built simulation (plot regions, the
 * empirical FC's size); --save-experiment. Every limit and write target is
 * checked by the build before the output folder is touched; nothing is
 * left on disk on failure. */
static int build(const run_args *a, dtb_built_experiment **b, double **emp, size_t *n_emp)
{
    const char *emp_path = dtb_experiment_get(a->exp, "empirical-fc");
    if (emp_path) {
        int rc = empirical_fc_read(emp_path, emp, n_emp);
        if (rc)
            return rc;
    }
    dtb_built_experiment_options o = DTB_BUILT_EXPERIMENT_OPTIONS_INIT;
    if (a->save_experiment) {
        o.extra_setting = "save-experiment";
        o.extra_path = a->save_experiment;
    }
    if (dtb_built_experiment_create(b, a->exp, &o))
        return cli_usage_error("%s", dtb_last_error_message());
    const char *regions = dtb_experiment_get(a->exp, "plot-regions");
    int rc = regions ? check_region_list(regions, dtb_built_experiment_atlas(*b), "--plot-regions")
                     : 0;
    if (!rc && emp_path)
        rc = check_empirical(*b, emp_path, *n_emp);
    if (!rc && a->save_experiment && dtb_experiment_save(a->exp, a->save_experiment))
        rc = cli_usage_error("--save-experiment: %s", dtb_last_error_message());
    if (rc) {
        dtb_built_experiment_discard(*b);
        *b = NULL;
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
    dtb_built_experiment *b = NULL;
    double *emp = NULL;
    size_t n_emp = 0;
    rc = build(&a, &b, &emp, &n_emp);
    if (rc) {
        free(emp);
        run_args_free(&a);
        return rc;
    }
    warn_unstable_fic(&a, b);
    dtb_sim *sim = dtb_built_experiment_sim(b);
    progress_state prog;
    progress_init(&prog, dtb_built_experiment_end_time(b) - dtb_sim_time(sim), a.quiet);
    cli_signals_target(stop_sim, sim);
    double t0 = wall_seconds();
    dtb_status st = dtb_built_experiment_run(b, progress_callback, &prog);
    double wall = wall_seconds() - t0;
    /* the handlers stay to the end of the process: a late signal must not
     * kill it while it reports or plots */
    cli_signals_target(NULL, NULL);
    progress_finish(&prog);
    if (st == DTB_ECANCELLED) {
        cli_error("interrupted at t = %g s; the files hold the samples so far (whole "
                        "rows; %s/provenance.json counts them)", dtb_sim_time(sim),
                  dtb_built_experiment_out_dir(b));
        rc = EXIT_INTERRUPTED;
    } else if (st) {
        cli_error("%s", dtb_last_error_message());
        rc = EXIT_RUNTIME;
    } else {
        print_summary(a.exp, b, wall);
        rc = report_and_plot(a.exp, b, emp, n_emp);
    }
    dtb_built_experiment_free(b);
    free(emp);
    run_args_free(&a);
    return rc;
}
