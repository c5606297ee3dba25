/* dtb sweep, dtb fit — their shared options and progress line (signals:
 * signals.c, shared with dtb run).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explore_cli.h"

static const extra_option options[] = {
    {"vary", 1}, {"free", 1}, {"sample", 1}, {"score", 1}, {"empirical-bold", 1},
    {"transient", 1}, {"jobs", 1}, {"batch", 1}, {"keep-outputs", 0}, {"same-seed", 0},
    {"mpi", 1}, {"objective", 1}, {"method", 1}, {"budget", 1}, {"repeats", 1},
    {NULL, 0}};

/* Options that belong to one command only. */
static int belongs(const char *command, const char *name)
{
    static const char *const sweep_only[] = {"vary", "sample", "keep-outputs", NULL};
    static const char *const fit_only[] = {"free", "objective", "method", "budget", "repeats", NULL};
    const char *const *other = strcmp(command, "sweep") == 0 ? fit_only : sweep_only;
    for (size_t i = 0; other[i]; i++)
        if (!strcmp(other[i], name))
            return 0;
    return 1;
}

static int positive_int(const char *flag, const char *value, int64_t max, int64_t *out)
{
    char *end;
    long long v = strtoll(value, &end, 10);
    if (!*value || *end || v < 1 || v > max)
        return cli_usage_error("--%s: '%s' is not a whole number from 1 to %lld", flag, value,
                               (long long)max);
    *out = v;
    return 0;
}

static int handle(const char *name, const char *value, void *ud)
{
    explore_args *a = ud;
    int64_t v;
    int rc = 0;
    if (!belongs(a->command, name))
        return cli_usage_error("unknown option '--%s' (see 'dtb %s --help')", name, a->command);
    if (!strcmp(name, "vary") || !strcmp(name, "free")) {
        if (a->n_items == EXPLORE_MAX_ITEMS)
            return cli_usage_error("--%s: at most %d", name, EXPLORE_MAX_ITEMS);
        if (!strchr(value, '=') || value[0] == '=')
            return cli_usage_error("--%s '%s': not NAME=%s", name, value,
                                   !strcmp(name, "vary") ? "SPEC" : "LO:HI");
        a->items[a->n_items++] = value;
    } else if (!strcmp(name, "score")) {
        if (a->n_scores == EXPLORE_MAX_ITEMS)
            return cli_usage_error("--score: at most %d", EXPLORE_MAX_ITEMS);
        a->scores[a->n_scores++] = value;
    } else if (!strcmp(name, "sample"))
        a->sample = value;
    else if (!strcmp(name, "empirical-bold"))
        a->empirical_bold = value;
    else if (!strcmp(name, "objective"))
        a->objective = value;
    else if (!strcmp(name, "method"))
        a->method = value;
    else if (!strcmp(name, "transient")) {
        if (!cli_parse_time(value, &a->transient) || a->transient < 0)
            return cli_usage_error("--transient: '%s' is not a time >= 0 (e.g. 10s, 500ms)", value);
    } else if (!strcmp(name, "jobs")) {
        if (!(rc = positive_int(name, value, 4096, &v)))
            a->jobs = (int32_t)v;
    } else if (!strcmp(name, "batch")) {
        if (!(rc = positive_int(name, value, 64, &v)))
            a->batch = (int32_t)v;
    } else if (!strcmp(name, "budget")) {
        if (!(rc = positive_int(name, value, INT64_MAX / 2, &v)))
            a->budget = v;
    } else if (!strcmp(name, "repeats")) {
        if (!(rc = positive_int(name, value, 10000, &v)))
            a->repeats = (int32_t)v;
    } else if (!strcmp(name, "keep-outputs"))
        a->flags |= DTB_EXPLORE_FLAG_KEEP_OUTPUTS;
    else if (!strcmp(name, "same-seed"))
        a->flags |= DTB_EXPLORE_FLAG_SAME_SEED;
    else if (!strcmp(name, "mpi")) {
        if (strcmp(value, "auto") && strcmp(value, "on") && strcmp(value, "off"))
            return cli_usage_error("--mpi: '%s' is not auto, on or off", value);
        a->mpi = value;
    }
    return rc;
}

int explore_args_parse(int argc, char **argv, const char *command, explore_args *a, int *help)
{
    memset(a, 0, sizeof *a);
    a->command = command;
    a->mpi = "auto";
    int rc = run_args_parse_with(argc, argv, &a->run, help, options, handle, a);
    if (rc || *help)
        return rc;
    if (!dtb_experiment_get(a->run.exp, "out"))
        return cli_usage_error("%s: give the results folder (--out DIR)", command);
    if (!strcmp(command, "sweep") && !a->n_items && !a->sample)
        return cli_usage_error("sweep: nothing varies (--vary NAME=SPEC)");
    if (!strcmp(command, "fit") && !a->n_items)
        return cli_usage_error("fit: nothing is free (--free NAME=LO:HI)");
    if (!strcmp(command, "fit") && !a->n_scores)
        return cli_usage_error("fit: no score to fit (--score KIND[=FILE])");
    return 0;
}

void explore_args_free(explore_args *a) { run_args_free(&a->run); }

/* Launched by mpirun? (Open MPI, and the PMI variables of other launchers.) */
static int under_mpirun(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

int explore_is_leader(const explore_args *a)
{
    if (!strcmp(a->mpi, "off"))
        return 1;
    const char *r = getenv("OMPI_COMM_WORLD_RANK");
    if (!r)
        r = getenv("PMI_RANK");
    if (!r)
        r = getenv("PMIX_RANK");
    return !r || atoi(r) == 0;
}

int explore_options(const explore_args *a, dtb_explore_options *o)
{
    dtb_explore_options_init(o, DTB_EXPLORE_OPTIONS_VERSION);
    o->flags = a->flags;
    o->jobs = a->jobs;
    o->batch = a->batch;
    o->out_dir = dtb_experiment_get(a->run.exp, "out");
    int mpi = !strcmp(a->mpi, "on") || (!strcmp(a->mpi, "auto") && under_mpirun());
    if (mpi && !dtb_explore_has_mpi())
        return cli_usage_error("--mpi: this dtb was built without MPI (install libopenmpi-dev and "
                               "rebuild)");
    if (mpi)
        o->flags |= DTB_EXPLORE_FLAG_MPI;
    return 0;
}

/* ------------------------------------------------------------ progress */

void explore_progress_init(explore_progress *p, const char *what, int quiet)
{
    p->start = wall_seconds();
    p->last_draw = 0;
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->drawn = 0;
    p->what = what;
}

int32_t explore_progress_fn(int64_t done, int64_t total, void *user_data)
{
    explore_progress *p = user_data;
    if (!p->enabled)
        return 0;
    double now = wall_seconds(), elapsed = now - p->start;
    if (now - p->last_draw < 0.2 && done < total)
        return 0;
    p->last_draw = now;
    p->drawn = 1;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    fprintf(stderr, "\r%lld/%lld %s  %.3g per s", (long long)done, (long long)total, p->what, rate);
    if (rate > 0 && done < total)
        fprintf(stderr, "  %.0f s left ", (double)(total - done) / rate);
    else
        fputs("            ", stderr);
    fflush(stderr);
    return 0;
}

void explore_progress_finish(explore_progress *p)
{
    if (p->drawn)
        fputc('\n', stderr);
}

/* ---------------------------------------------------------------- main */

int explore_main(int argc, char **argv, const explore_command *cmd)
{
    explore_args a;
    int help;
    int rc = explore_args_parse(argc, argv, cmd->name, &a, &help);
    if (rc || help) {
        if (help)
            cmd->help();
        explore_args_free(&a);
        return rc;
    }
    dtb_explore_options o;
    void *object = NULL;
    rc = explore_options(&a, &o);
    cli_signals_install();   /* a signal while it builds stops it as soon as it runs */
    if (!rc)
        rc = cmd->build(&a, &object);   /* everything checked before the first run and file */
    if (rc) {
        explore_args_free(&a);
        return rc;
    }
    const int leader = explore_is_leader(&a);
    explore_progress prog;
    explore_progress_init(&prog, cmd->what, a.run.quiet || !leader);
    o.progress = explore_progress_fn;
    o.user_data = &prog;
    cli_signals_target(cmd->stop, object);
    double t0 = wall_seconds();
    dtb_status st = cmd->run(object, &o);
    double wall = wall_seconds() - t0;
    cli_signals_target(NULL, NULL);   /* the handlers stay to the end of the process */
    explore_progress_finish(&prog);
    if (st == DTB_ECANCELLED) {
        if (leader) {
            cli_error("%s interrupted; %s keeps every finished run: run the same "
                            "command again to go on", cmd->name, o.out_dir);
            cmd->report(object, &a, wall, 1);
        }
        rc = EXIT_INTERRUPTED;
    } else if (st == DTB_EINVAL || st == DTB_ENOTFOUND || st == DTB_EPARSE) {
        rc = cli_usage_error("%s", dtb_last_error_message());
    } else if (st) {
        cli_error("%s", dtb_last_error_message());
        rc = EXIT_RUNTIME;
    } else if (leader) {
        cmd->report(object, &a, wall, 0);
    }
    cmd->destroy(object);
    explore_args_free(&a);
    return rc;
}
