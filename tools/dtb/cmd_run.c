/* dtb run — build a simulation from the command line, run it, write results.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that can be wrong with the inputs is checked before the output
 * folder is touched, so a failing invocation writes nothing. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "cli.h"
#include "io/text_column.h"
#include "io/text_matrix.h"
#include "network/network.h"

static dtb_sim *volatile running_sim;

static void on_interrupt(int sig)
{
    (void)sig;
    if (running_sim)
        dtb_sim_request_stop(running_sim);
}

static int lib_error(const char *context)
{
    return cli_usage_error("%s: %s", context, dtb_last_error_message());
}

static int find_state(dtb_model *model, const char *flag, const char *name, int64_t *k)
{
    if (dtb_model_find_state(model, name, k) == DTB_OK)
        return 0;
    return cli_usage_error("%s: model '%s' has no state variable '%s'", flag, dtb_model_name(model),
                           name);
}

static int apply_init_file(dtb_sim *sim, dtb_model *model, const char *path)
{
    dtb__matrix m = {0};
    char **header = NULL;
    size_t n_header = 0;
    if (dtb__matrix_read(path, DTB__MATRIX_HEADER, &m, &header, &n_header))
        return lib_error("--init");
    int rc = 0;
    int64_t n = dtb_sim_region_count(sim);
    size_t needed;
    dtb_sim_get_state(sim, NULL, 0, &needed);
    double *x = malloc(needed * sizeof *x);
    if (!x)
        rc = cli_usage_error("out of memory");
    if (!rc && m.rows != (size_t)n)
        rc = cli_usage_error("--init %s: %zu rows, the atlas has %lld regions", path, m.rows,
                             (long long)n);
    if (!rc && dtb_sim_get_state(sim, x, needed, NULL))
        rc = lib_error("--init");
    for (size_t c = 0; !rc && c < n_header; c++) {
        int64_t k;
        rc = find_state(model, "--init", header[c], &k);
        for (size_t r = 0; !rc && r < m.rows; r++)
            x[k * n + (int64_t)r] = m.data[r * m.cols + c];
    }
    if (!rc && dtb_sim_set_initial_state(sim, x, needed))
        rc = lib_error("--init");
    free(x);
    dtb__matrix_free(&m);
    dtb__strings_free(header, n_header);
    return rc;
}

/* --set NAME=@file.csv: one value per region, from the column NAME (or
 * the only column) of a CSV/text table with one row per region. */
static int apply_region_params(dtb_sim *sim, dtb_model *model, const run_args *a)
{
    for (size_t i = 0; i < a->n_sets; i++) {
        if (a->sets[i].value[0] != '@')
            continue;
        int64_t k;
        if (dtb_model_find_param(model, a->sets[i].name, &k))
            return lib_error("--set");
        double *v;
        size_t n;
        if (dtb__read_column(a->sets[i].value + 1, a->sets[i].name, &v, &n))
            return lib_error("--set");
        dtb_status st = dtb_sim_set_param_regions(sim, a->sets[i].name, v, n);
        free(v);
        if (st)
            return lib_error("--set");
    }
    return 0;
}

static int configure(dtb_sim *sim, dtb_model *model, const run_args *a)
{
    int rc = apply_region_params(sim, model, a);
    if (rc)
        return rc;
    if (a->coupling_file && dtb_sim_load_coupling(sim, a->coupling_file))
        return lib_error("--coupling");
    for (size_t i = 0; i < a->n_coupling_params; i++) {
        double v;
        if (!cli_parse_number(a->coupling_params[i].value, &v))
            return cli_usage_error("--coupling: '%s' is not a number", a->coupling_params[i].value);
        if (dtb_sim_set_coupling_param(sim, a->coupling_params[i].name, v))
            return lib_error("--coupling");
    }
    if (dtb_sim_set_noise_kind(sim, a->noise_kind, a->noise_tau))
        return lib_error("--noise-kind");
    if (a->noise_all >= 0 && dtb_sim_set_noise(sim, -1, a->noise_all))
        return lib_error("--noise");
    for (size_t i = 0; i < a->n_noise; i++) {
        int64_t k;
        double D;
        rc = find_state(model, "--noise", a->noise[i].name, &k);
        if (rc)
            return rc;
        if (!cli_parse_number(a->noise[i].value, &D) || D < 0)
            return cli_usage_error("--noise: '%s' is not a non-negative number", a->noise[i].value);
        if (dtb_sim_set_noise(sim, k, D))
            return lib_error("--noise");
    }
    /* FIC sets the initial state to the balanced fixed point; an explicit
     * --init below still wins */
    if (a->fic && dtb_sim_apply_fic(sim, -0.026))
        return lib_error("--fic");
    for (size_t i = 0; i < a->n_init; i++) {
        int64_t k;
        double v;
        rc = find_state(model, "--init", a->init[i].name, &k);
        if (rc)
            return rc;
        if (!cli_parse_number(a->init[i].value, &v))
            return cli_usage_error("--init: '%s' is not a number", a->init[i].value);
        if (dtb_sim_set_initial_value(sim, k, v))
            return lib_error("--init");
    }
    if (a->init_file)
        return apply_init_file(sim, model, a->init_file);
    return 0;
}

/* mkdir -p that remembers which folders it created, so that a failure
 * afterwards can remove them again (rmdir_created). */
typedef struct created_dirs {
    char paths[16][4096];
    int n;
} created_dirs;

static int make_dirs(const char *path, created_dirs *made)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    made->n = 0;
    for (char *p = buf + 1;; p++) {
        int last = *p == '\0';
        if (*p != '/' && !last)
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) == 0) {
            if (made->n < 16)
                snprintf(made->paths[made->n++], sizeof made->paths[0], "%s", buf);
        } else if (errno != EEXIST) {
            return -1;
        }
        if (last)
            break;
        *p = '/';
    }
    return 0;
}

static void rmdir_created(const created_dirs *made)
{
    for (int i = made->n; i-- > 0;)
        rmdir(made->paths[i]);
}

typedef struct output {
    dtb_observer *obs;
    char path[4096];
} output;

static void spec_options(const observe_spec *s, dtb_observer_options *o)
{
    o->kind = s->kind;
    o->period = s->period;
    o->variables = s->vars;
    o->source = s->source;
    o->bold_model = s->bold_model;
    o->gain_path = s->gain;
    o->head_model = s->head;
    o->noise = s->noise;
    o->window = s->window;
    o->window_step = s->step;
    o->fcd_method = s->fcd_method;
    o->fcd_compare = s->fcd_compare;
    o->threshold = s->threshold;
    o->skip = s->skip;
}

/* Nothing written: remove the files and folders made so far. The observers
 * stay attached to the simulation, which the caller frees without running
 * it. */
static void undo_outputs(output *outs, size_t n, const created_dirs *made)
{
    for (size_t j = 0; j < n; j++) {
        dtb_observer_free(outs[j].obs);
        outs[j].obs = NULL;
        remove(outs[j].path);
    }
    rmdir_created(made);
}

/* The first FC observer must have as many columns as the empirical FC. */
static int check_empirical(const run_args *a, const output *outs, size_t n_outs, size_t n_emp)
{
    for (size_t i = 0; i < n_outs; i++) {
        if (dtb_observer_kind_of(outs[i].obs) != DTB_OBSERVER_FC)
            continue;
        size_t n = (size_t)dtb_observer_column_count(outs[i].obs);
        if (n != n_emp)
            return cli_usage_error("--empirical-fc %s: %zu x %zu, but the simulated FC (%s) is "
                                   "%zu x %zu", a->empirical_fc, n_emp, n_emp, outs[i].path, n, n);
        return 0;
    }
    return cli_usage_error("--empirical-fc: no fc observer");
}

/* Observers and their files: DIR/<name>.csv, then DIR/<name>-2.csv, ... */
static int create_observers(dtb_sim *sim, const run_args *a, output *outs, size_t n_outs,
                            size_t n_emp)
{
    static const observe_spec default_spec = {.kind = DTB_OBSERVER_TAVG, .period = 1e-3,
                                              .name = "tavg"};
    created_dirs made;
    if (make_dirs(a->out_dir, &made) != 0) {
        int rc = cli_usage_error("--out: cannot create folder '%s': %s", a->out_dir, strerror(errno));
        rmdir_created(&made);
        return rc;
    }
    for (size_t i = 0; i < n_outs; i++) {
        const observe_spec *s = a->n_observe ? &a->observe[i] : &default_spec;
        int same = 1;
        for (size_t j = 0; j < i; j++)
            same += !strcmp(a->observe[j].name, s->name);
        char name[64];
        if (same > 1)
            snprintf(name, sizeof name, "%s-%d", s->name, same);
        else
            snprintf(name, sizeof name, "%s", s->name);
        snprintf(outs[i].path, sizeof outs[i].path, "%s/%s.%s", a->out_dir, name, a->npy ? "npy" : "csv");
        dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
        spec_options(s, &o);
        o.sink = a->npy ? DTB_SINK_NPY : DTB_SINK_CSV;
        o.path = outs[i].path;
        if (dtb_observer_create(&outs[i].obs, sim, &o)) {
            int rc = cli_usage_error("--observe %s: %s", s->name, dtb_last_error_message());
            undo_outputs(outs, i, &made);
            return rc;
        }
    }
    int rc = a->empirical_fc ? check_empirical(a, outs, n_outs, n_emp) : 0;
    if (rc)
        undo_outputs(outs, n_outs, &made);
    return rc;
}

/* --empirical-fc without an fc observer: add one (after the default tavg
 * when nothing else was asked for). */
static int add_implicit_fc(run_args *a)
{
    for (size_t i = 0; i < a->n_observe; i++)
        if (a->observe[i].kind == DTB_OBSERVER_FC)
            return 0;
    int rc = a->n_observe ? 0 : parse_observe("tavg", a);
    return rc ? rc : parse_observe("fc", a);
}

/* After a successful run: the FC fit and the figures. */
static int report_and_plot(const run_args *a, const dtb_atlas *atlas, const output *outs,
                           size_t n_outs, const double *emp, size_t n_emp)
{
    for (size_t i = 0; emp && i < n_outs; i++) {
        if (dtb_observer_kind_of(outs[i].obs) == DTB_OBSERVER_FC) {
            print_fc_fit(outs[i].obs, emp, n_emp, a->empirical_fc);
            break;
        }
    }
    if (!a->plot)
        return 0;
    const char **paths = calloc(n_outs, sizeof *paths);
    if (!paths)
        return cli_usage_error("out of memory");
    for (size_t i = 0; i < n_outs; i++)
        paths[i] = outs[i].path;
    int rc = plot_files(paths, n_outs, a->out_dir, a->plot_regions, atlas, 0);
    free(paths);
    return rc ? EXIT_RUNTIME : 0;
}

static void print_summary(dtb_sim *sim, dtb_atlas *atlas, dtb_model *model, const run_args *a,
                          const output *outs, size_t n_outs, double wall)
{
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
    char speed[32];
    double speed_v = a->speed ? a->speed : 3.0;
    if (isinf(speed_v))
        snprintf(speed, sizeof speed, "inf (no delays)");
    else
        snprintf(speed, sizeof speed, "%g m/s", speed_v);
    printf("  %s coupling (%s), speed %s, longest delay %.1f ms, %s, dt %g ms, noise %s, seed %llu\n",
           dtb__coupling_kind_name(dtb_sim_coupling(sim)), coupling, speed, (double)(H - 1) * dtb_sim_dt(sim) * 1e3,
           dtb_integrator_name(a->integrator ? a->integrator : DTB_INTEGRATOR_HEUN), dtb_sim_dt(sim) * 1e3,
           a->noise_all > 0 || a->n_noise ? "on" : "off", (unsigned long long)a->seed);
    printf("  simulated %g s (%lld steps) in %.3f s: %.2f simulated s per wall s\n", t,
           (long long)dtb_sim_step_index(sim), wall, wall > 0 ? t / wall : 0.0);
    for (size_t i = 0; i < n_outs; i++) {
        int64_t rows, cols;
        dtb_observer_kind k = dtb_observer_kind_of(outs[i].obs);
        if ((k == DTB_OBSERVER_FC || k == DTB_OBSERVER_FCD || k == DTB_OBSERVER_PSD) &&
            dtb_observer_result(outs[i].obs, NULL, 0, &rows, &cols) == DTB_OK)
            printf("  %s: %lld x %lld %s, from %lld samples\n", outs[i].path, (long long)rows,
                   (long long)cols, dtb_observer_kind_name(outs[i].obs),
                   (long long)dtb_observer_sample_count(outs[i].obs));
        else
            printf("  %s: %lld samples x %lld columns\n", outs[i].path,
                   (long long)dtb_observer_sample_count(outs[i].obs),
                   (long long)dtb_observer_column_count(outs[i].obs));
    }
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

static int build(const run_args *a, dtb_atlas **atlas, dtb_model **model, dtb_sim **sim)
{
    if (dtb_atlas_load(atlas, a->atlas, NULL))
        return lib_error("--atlas");
    dtb_model_load_options mo = DTB_MODEL_LOAD_OPTIONS_INIT;
    mo.include_dirs = (const char *const *)a->include_dirs;
    mo.n_include_dirs = a->n_include_dirs;
    mo.model_name = a->model_name;
    if (dtb_model_load(model, a->model, &mo))
        return lib_error("--model");
    for (size_t i = 0; i < a->n_sets; i++)
        if (a->sets[i].value[0] != '@' &&
            dtb_model_set_param_string(*model, a->sets[i].name, a->sets[i].value))
            return lib_error("--set");
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = a->dt;
    so.speed = a->speed;
    so.integrator = a->integrator;
    so.rtol = a->rtol;
    so.atol = a->atol;
    so.coupling = a->coupling;
    so.seed = a->seed;
    so.flags = a->tvb_float32 ? DTB_SIM_FLAG_TVB_FLOAT32_COUPLING : 0;
    if (dtb_sim_create(sim, *atlas, *model, &so))
        return lib_error("run");
    return configure(*sim, *model, a);
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
    dtb_atlas *atlas = NULL;
    dtb_model *model = NULL;
    dtb_sim *sim = NULL;
    double *emp = NULL;
    size_t n_emp = 0;
    if (a.empirical_fc) {
        rc = add_implicit_fc(&a);
        if (!rc)
            rc = empirical_fc_read(a.empirical_fc, &emp, &n_emp);
        if (rc) {
            run_args_free(&a);
            return rc;
        }
    }
    size_t n_outs = a.n_observe ? a.n_observe : 1;
    output *outs = calloc(n_outs, sizeof *outs);
    rc = outs ? build(&a, &atlas, &model, &sim) : cli_usage_error("out of memory");
    if (!rc && a.plot_regions)
        rc = check_region_list(a.plot_regions, atlas, "--plot-regions");
    if (!rc)
        rc = create_observers(sim, &a, outs, n_outs, n_emp);
    if (!rc) {
        progress_state prog;
        progress_init(&prog, a.duration, a.quiet);
        running_sim = sim;
        void (*old)(int) = signal(SIGINT, on_interrupt);
        double t0 = wall_seconds();
        dtb_status st = dtb_sim_run(sim, a.duration, progress_callback, &prog);
        double wall = wall_seconds() - t0;
        signal(SIGINT, old);
        running_sim = NULL;
        progress_finish(&prog);
        if (st == DTB_ECANCELLED) {
            fprintf(stderr, "dtb: interrupted at t = %g s; the files hold the samples so far\n",
                    dtb_sim_time(sim));
            rc = EXIT_INTERRUPTED;
        } else if (st) {
            fprintf(stderr, "dtb: %s\n", dtb_last_error_message());
            rc = EXIT_RUNTIME;
        } else {
            print_summary(sim, atlas, model, &a, outs, n_outs, wall);
            rc = report_and_plot(&a, atlas, outs, n_outs, emp, n_emp);
        }
    }
    for (size_t i = 0; outs && i < n_outs; i++)
        dtb_observer_free(outs[i].obs);
    free(outs);
    free(emp);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    run_args_free(&a);
    return rc;
}
