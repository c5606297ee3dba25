/* dtb reservoir — a connectome as a computing reservoir against its null
 * connectomes (dtb_reservoir.h): DIR/reservoir.csv (alpha, network, score),
 * DIR/reservoir.svg, and where the connectome stands per alpha.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explore_cli.h"

static void print_help(void)
{
    printf(
        "Usage: dtb reservoir --atlas A --task TASK --alpha V|A:B:N [--nulls N] [--seed S]\n"
        "                     [--input-regions L] [--output-regions L] [--save-states FILE.npy]\n"
        "                     [--input FILE] --out DIR\n"
        "       dtb reservoir --sim [dtb run options] --into NAME [--read SPEC] [--period T] ...\n"
        "\n"
        "Drive a connectome with a task signal and score a linear readout of its states, for\n"
        "every alpha, on the connectome and on N null connectomes (man 7 dtb-reservoir).\n"
        "Writes DIR/reservoir.csv (alpha, network: empirical or the null's number, score) and\n"
        "DIR/reservoir.svg, and prints where the connectome stands among its nulls per alpha.\n"
        "\n"
        "The echo-state network (default): x(0) = 0, x(t+1) = tanh(alpha W x(t) + w_in u(t+1)),\n"
        "W the atlas' weights (rows are targets) divided by their spectral radius, w_in = 1 on\n"
        "the input regions.\n"
        "\n"
        "  --atlas A               atlas (as dtb run: built-in name, folder, matrix file)\n"
        "  --task TASK             memory-capacity (default), narma10, sine-square, decision,\n"
        "                          go-nogo, dms\n"
        "  --task-file U:Y         your own input (T x channels) and targets (T x targets):\n"
        "                          text, CSV or .npy files\n"
        "  --classes K             the targets of --task-file are class indices (-1: none)\n"
        "  --steps T, --delays K   task length; memory capacity's largest delay\n"
        "  --alpha V|A:B:N         alpha values (A:B:N: N values, ends included)\n"
        "  --nulls N               null connectomes (default 0)\n"
        "  --null-model M          strength (default), degree, random, spatial\n"
        "  --input-regions L, --output-regions L\n"
        "                          indices, label globs, lobe:GLOB, gyrus:GLOB, hemisphere:left\n"
        "                          joined by '+' (default: the first region; all the others)\n"
        "  --activation F          tanh (default), identity, sigmoid\n"
        "  --readout R             ridge (default), logistic (classification tasks)\n"
        "  --seed S                seed of the task and the nulls (default 42)\n"
        "  --input FILE            one column, the input u(t): with --save-states, write the\n"
        "                          connectome's states x(t) (time x regions) at the first alpha\n"
        "  --save-states FILE.npy  where those states go\n"
        "  --save-readout FILE     the readout fitted on the connectome at the first alpha\n"
        "  --sim                   a simulation is the reservoir: every dtb run option applies\n"
        "                          (--model, --set, --noise, ...); weights scaled to spectral\n"
        "                          radius alpha; --into NAME (the model's variable, parameter or\n"
        "                          input the task enters), --scale X (default 1), --read SPEC\n"
        "                          (the readout's observer, default tavg), --period T (one task\n"
        "                          step, default 10ms)\n"
        "  --jobs N, --mpi auto|on|off, -q   as dtb sweep\n");
}

typedef struct res_args {
    explore_args x;
    const char *task, *task_file, *alpha, *null_model, *input_regions, *output_regions;
    const char *activation, *readout, *input, *save_states, *save_readout, *into, *read;
    int64_t steps, delays, nulls, classes;
    double scale, period;
    int sim;
} res_args;

static int number(const char *flag, const char *v, double *out)
{
    if (!cli_parse_number(v, out))
        return cli_usage_error("--%s: '%s' is not a number", flag, v);
    return 0;
}

static int whole(const char *flag, const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || x < lo || x > hi)
        return cli_usage_error("--%s: '%s' is not a whole number from %lld to %lld", flag, v,
                               (long long)lo, (long long)hi);
    *out = x;
    return 0;
}

static int handle(const char *name, const char *v, void *ud)
{
    res_args *a = ud;
    if (!strcmp(name, "task"))
        a->task = v;
    else if (!strcmp(name, "task-file"))
        a->task_file = v;
    else if (!strcmp(name, "alpha"))
        a->alpha = v;
    else if (!strcmp(name, "null-model"))
        a->null_model = v;
    else if (!strcmp(name, "input-regions"))
        a->input_regions = v;
    else if (!strcmp(name, "output-regions"))
        a->output_regions = v;
    else if (!strcmp(name, "activation"))
        a->activation = v;
    else if (!strcmp(name, "readout"))
        a->readout = v;
    else if (!strcmp(name, "input"))
        a->input = v;
    else if (!strcmp(name, "save-states"))
        a->save_states = v;
    else if (!strcmp(name, "save-readout"))
        a->save_readout = v;
    else if (!strcmp(name, "into"))
        a->into = v;
    else if (!strcmp(name, "read"))
        a->read = v;
    else if (!strcmp(name, "sim"))
        a->sim = 1;
    else if (!strcmp(name, "steps"))
        return whole(name, v, 200, 100000000, &a->steps);
    else if (!strcmp(name, "delays"))
        return whole(name, v, 1, 400, &a->delays);
    else if (!strcmp(name, "nulls"))
        return whole(name, v, 0, 1000000, &a->nulls);
    else if (!strcmp(name, "classes"))
        return whole(name, v, 2, 1000, &a->classes);
    else if (!strcmp(name, "scale"))
        return number(name, v, &a->scale);
    else if (!strcmp(name, "period")) {
        if (!cli_parse_time(v, &a->period) || !(a->period > 0))
            return cli_usage_error("--period: '%s' is not a positive time", v);
    } else if (!strcmp(name, "jobs")) {
        int64_t j;
        int rc = whole(name, v, 1, 4096, &j);
        a->x.jobs = (int32_t)j;
        return rc;
    } else if (!strcmp(name, "mpi")) {
        if (strcmp(v, "auto") && strcmp(v, "on") && strcmp(v, "off"))
            return cli_usage_error("--mpi: '%s' is not auto, on or off", v);
        a->x.mpi = v;
    }
    return 0;
}

static const extra_option options[] = {
    {"task", 1}, {"task-file", 1}, {"alpha", 1}, {"null-model", 1}, {"input-regions", 1},
    {"output-regions", 1}, {"activation", 1}, {"readout", 1}, {"input", 1}, {"save-states", 1},
    {"save-readout", 1}, {"into", 1}, {"read", 1}, {"sim", 0}, {"steps", 1}, {"delays", 1},
    {"nulls", 1}, {"classes", 1}, {"scale", 1}, {"period", 1}, {"jobs", 1}, {"mpi", 1},
    {NULL, 0}};

/* V or A:B:N */
static int parse_alphas(const char *text, double **out, size_t *n)
{
    double a, b;
    long long count;
    char tail;
    if (strchr(text, ':')) {
        if (sscanf(text, "%lf:%lf:%lld%c", &a, &b, &count, &tail) != 3 || count < 1 ||
            count > 100000 || !isfinite(a) || !isfinite(b))
            return cli_usage_error("--alpha: '%s' is not V or A:B:N", text);
    } else {
        if (!cli_parse_number(text, &a))
            return cli_usage_error("--alpha: '%s' is not V or A:B:N", text);
        b = a;
        count = 1;
    }
    *out = malloc((size_t)count * sizeof **out);
    if (!*out)
        return cli_usage_error("out of memory");
    for (long long i = 0; i < count; i++)
        (*out)[i] = count > 1 ? (a * (double)(count - 1 - i) + b * (double)i) / (double)(count - 1) : a;
    *n = (size_t)count;
    return 0;
}

/* A text/CSV table (no header), or a 1-D or 2-D .npy array (one column
 * for 1-D). */
static int load_matrix(const char *path, const char *flag, table *m)
{
    dtb_status st = table_read(path, 0, DTB_MATRIX_HEADER_NONE, m);
    if (st == DTB_ENOMEM)
        return cli_usage_error("out of memory");
    if (st)
        return cli_usage_error("--%s: %s", flag, dtb_last_error_message());
    return 0;
}

/* --task-file U:Y */
static int task_file(const res_args *a, dtb_reservoir *r)
{
    const char *colon = strchr(a->task_file, ':');
    if (!colon)
        return cli_usage_error("--task-file: '%s' is not INPUT:TARGETS", a->task_file);
    char upath[4096];
    snprintf(upath, sizeof upath, "%.*s", (int)(colon - a->task_file), a->task_file);
    table u = {0}, y = {0};
    int rc = load_matrix(upath, "task-file", &u);
    if (!rc)
        rc = load_matrix(colon + 1, "task-file", &y);
    if (!rc && u.rows != y.rows)
        rc = cli_usage_error("--task-file: %zu input rows, %zu target rows", u.rows, y.rows);
    if (!rc && dtb_reservoir_set_task_data(r, u.data, u.rows, u.cols, y.data, y.cols,
                                           (int32_t)a->classes))
        rc = cli_usage_error("--task-file: %s", dtb_last_error_message());
    table_free(&u);
    table_free(&y);
    return rc;
}

static int build(res_args *a, dtb_reservoir **out, dtb_atlas **atlas)
{
    dtb_reservoir *r = NULL;
    dtb_status st;
    *atlas = NULL;
    static const char *const nulls[] = {"", "degree", "strength", "random", "spatial"};
    int model = DTB_NULL_STRENGTH;
    if (a->null_model) {
        model = 0;
        for (int i = 1; i < 5; i++)
            if (!strcmp(a->null_model, nulls[i]))
                model = i;
        if (!model)
            return cli_usage_error("--null-model: unknown '%s' (degree, strength, random, spatial)",
                                   a->null_model);
    }
    if (a->sim) {
        if (!a->into)
            return cli_usage_error("--sim: say where the task enters (--into NAME)");
        st = dtb_reservoir_create_sim(&r, a->x.run.exp, a->into, a->scale ? a->scale : 1.0,
                                      a->read ? a->read : "tavg", a->period ? a->period : 0.01);
    } else {
        const char *path = dtb_experiment_get(a->x.run.exp, "atlas");
        st = dtb_atlas_load(atlas, path ? path : "bn246", NULL);
        if (!st)
            st = dtb_reservoir_create(&r, *atlas);
    }
    if (!st)
        st = dtb_reservoir_set_nulls(r, (dtb_null_model)model, a->nulls);
    const char *seed = dtb_experiment_get(a->x.run.exp, "seed");
    if (!st && seed)
        st = dtb_reservoir_set_seed(r, strtoull(seed, NULL, 10));
    if (!st && (a->input_regions || a->output_regions))
        st = dtb_reservoir_set_regions(r, a->input_regions, a->output_regions);
    if (!st && a->activation)
        st = dtb_reservoir_set_activation(r, a->activation);
    if (!st && a->readout)
        st = dtb_reservoir_set_readout(r, a->readout);
    if (!st && !a->task_file)
        st = dtb_reservoir_set_task(r, a->task ? a->task : "memory-capacity", a->steps, a->delays);
    if (st) {
        int rc = cli_usage_error("%s", dtb_last_error_message());
        dtb_reservoir_free(r);
        return rc;
    }
    if (a->task_file) {
        int rc = task_file(a, r);
        if (rc) {
            dtb_reservoir_free(r);
            return rc;
        }
    }
    *out = r;
    return 0;
}

/* --input FILE --save-states FILE.npy: the connectome's states. */
static int save_states(const res_args *a, dtb_reservoir *r, double alpha)
{
    table u = {0};
    int rc = load_matrix(a->input, "input", &u);
    if (rc)
        return rc;
    size_t needed = 0;
    double *x = NULL;
    dtb_status st = dtb_reservoir_states(r, alpha, -1, u.data, u.rows, u.cols, NULL, 0, &needed);
    if (!st && !(x = malloc(needed * sizeof *x))) {
        table_free(&u);
        fprintf(stderr, "dtb reservoir: out of memory for %zu states\n", needed);
        return 1;
    }
    if (!st)
        st = dtb_reservoir_states(r, alpha, -1, u.data, u.rows, u.cols, x, needed, NULL);
    const int64_t cols = u.rows ? (int64_t)(needed / u.rows) : 0;
    if (!st)
        st = dtb_matrix_write_npy(a->save_states, x, (int64_t)u.rows, cols);
    if (st)
        rc = cli_usage_error("--save-states: %s", dtb_last_error_message());
    free(x);
    table_free(&u);
    return rc;
}

/* --save-states and --save-readout, before anything is built or written:
 * their folders exist, and neither overwrites an input (the experiment's,
 * --input, --task-file), the other, or the results folder's files. */
static int check_writes(const res_args *a, const char *dir)
{
    char upath[4096] = "";
    const char *colon = a->task_file ? strchr(a->task_file, ':') : NULL;
    if (colon)
        snprintf(upath, sizeof upath, "%.*s", (int)(colon - a->task_file), a->task_file);
    static const char *const records[] = {"reservoir.csv", "reservoir.svg", "provenance.json",
                                          "reservoir.settings", "experiment.xml"};
    char *own[5] = {NULL};
    for (size_t i = 0; dir && i < 5; i++)
        own[i] = cli_format("%s/%s", dir, records[i]);
    const char *flags[2] = {"save-states", "save-readout"};
    const char *targets[2] = {a->save_states, a->save_readout};
    int rc = 0;
    for (int k = 0; !rc && k < 2; k++) {
        if (!targets[k])
            continue;
        const char *others[9] = {a->input, colon ? upath : NULL, colon ? colon + 1 : NULL,
                                 targets[1 - k], own[0], own[1], own[2], own[3], own[4]};
        if (dtb_experiment_check_write(a->x.run.exp, flags[k], targets[k], others, 9))
            rc = cli_usage_error("--%s", dtb_last_error_message());
    }
    for (size_t i = 0; i < 5; i++)
        free(own[i]);
    return rc;
}

static void stop_reservoir(void *r) { dtb_reservoir_request_stop(r); }

int cmd_reservoir(int argc, char **argv)
{
    res_args a;
    memset(&a, 0, sizeof a);
    a.x.mpi = "auto";
    a.x.command = "reservoir";
    int help;
    int rc = run_args_parse_with(argc, argv, &a.x.run, &help, options, handle, &a);
    if (rc || help) {
        if (help)
            print_help();
        run_args_free(&a.x.run);
        return rc;
    }
    const char *dir = dtb_experiment_get(a.x.run.exp, "out");
    double *alphas = NULL;
    size_t n_alphas = 0;
    dtb_reservoir *r = NULL;
    dtb_atlas *atlas = NULL;
    if (!a.alpha)
        rc = cli_usage_error("reservoir: give the alpha values (--alpha V or A:B:N)");
    if (!rc && !dir && !a.save_states)
        rc = cli_usage_error("reservoir: give the results folder (--out DIR)");
    if (!rc && (!a.input) != (!a.save_states))
        rc = cli_usage_error("reservoir: --input and --save-states go together");
    if (!rc)
        rc = parse_alphas(a.alpha, &alphas, &n_alphas);
    if (!rc)
        rc = check_writes(&a, dir);
    cli_signals_install();   /* a signal while it builds stops it as soon as it runs */
    if (!rc)
        rc = build(&a, &r, &atlas);
    if (!rc && a.save_states)
        rc = save_states(&a, r, alphas[0]);
    double score;
    if (!rc && a.save_readout && dtb_reservoir_score(r, alphas[0], -1, a.save_readout, &score))
        rc = cli_usage_error("--save-readout: %s", dtb_last_error_message());
    dtb_explore_options o;
    if (!rc && dir)
        rc = explore_options(&a.x, &o);
    if (!rc && dir) {
        const int leader = explore_is_leader(&a.x);
        explore_progress prog;
        explore_progress_init(&prog, "networks", a.x.run.quiet || !leader);
        o.out_dir = dir;
        o.progress = explore_progress_fn;
        o.user_data = &prog;
        cli_signals_target(stop_reservoir, r);
        double t0 = wall_seconds();
        dtb_status st = dtb_reservoir_run(r, alphas, n_alphas, &o);
        double wall = wall_seconds() - t0;
        cli_signals_target(NULL, NULL);   /* the handlers stay to the end of the process */
        explore_progress_finish(&prog);
        if (st == DTB_ECANCELLED) {
            fprintf(stderr, "dtb: reservoir interrupted; %s/reservoir.csv keeps the networks done: "
                            "run the same command again to go on\n", dir);
            rc = EXIT_INTERRUPTED;
        } else if (st == DTB_EINVAL || st == DTB_ENOTFOUND || st == DTB_EPARSE) {
            rc = cli_usage_error("%s", dtb_last_error_message());
        } else if (st) {
            fprintf(stderr, "dtb: %s\n", dtb_last_error_message());
            rc = EXIT_RUNTIME;
        } else if (leader) {
            printf("dtb reservoir: %zu alphas x (the connectome and %lld nulls) in %.3f s\n",
                   n_alphas, (long long)a.nulls, wall);
            for (size_t i = 0; i < n_alphas; i++) {
                printf("  alpha %-8g score %-12.6g", alphas[i], dtb_reservoir_result(r, i, -1));
                if (a.nulls)
                    printf(" percentile among the nulls %5.1f", dtb_reservoir_percentile(r, i));
                printf("\n");
            }
            printf("  %s/reservoir.csv, %s/reservoir.svg\n", dir, dir);
        }
    }
    dtb_reservoir_free(r);
    dtb_atlas_free(atlas);
    free(alphas);
    run_args_free(&a.x.run);
    return rc;
}
