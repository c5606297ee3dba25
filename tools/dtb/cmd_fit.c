/* dtb fit — the settings of an experiment that best fit data, by CMA-ES,
 * NLopt or a grid; a client of dtb_explore.h only.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore_cli.h"

static void print_help(void)
{
    printf(
        "Usage: dtb fit [EXPERIMENT.xml] [dtb run options] --free NAME=LO:HI [--free ...]\n"
        "               --score KIND[=FILE][:options] [--objective EXPR] [--method M]\n"
        "               [--budget N] [--repeats R] [--jobs N] --out DIR\n"
        "\n"
        "Search the free settings (in their boxes) that maximise the objective of the\n"
        "scores, running each candidate as dtb run would. Writes DIR/fit.csv (every\n"
        "evaluation: its values, scores, objective, the best so far, status, seconds),\n"
        "DIR/best.xml (the best candidate as an experiment: 'dtb run DIR/best.xml' reruns it\n"
        "to the same numbers), DIR/fit.svg, DIR/experiment.xml, DIR/provenance.json, and\n"
        "prints as its last line: best: SCORE=VALUE ... NAME=VALUE ...\n"
        "Rerunning the same command on DIR replays the evaluations fit.csv holds and goes on.\n"
        "\n"
        "  --free NAME=LO:HI       a setting to fit, as dtb sweep's --vary NAME (a parameter,\n"
        "                          NAME@REGIONS, speed, noise, coupling.PARAM), LO < HI\n"
        "  --score SPEC            as dtb sweep --score (repeatable)\n"
        "  --objective EXPR        what is maximised, an expression of the score names\n"
        "                          ('fc - fcd-ks', '-abs(psd-peak - 10)'); default the first\n"
        "                          score that has a direction: fc, -fc-rmse, -fcd-ks\n"
        "                          (a candidate whose stable score is 0 counts as the worst)\n"
        "  --method M              cmaes (default: CMA-ES, box constraints, IPOP restarts),\n"
        "                          grid, or nlopt-bobyqa, nlopt-sbplx, nlopt-neldermead,\n"
        "                          nlopt-cobyla, nlopt-direct, nlopt-crs2, nlopt-isres,\n"
        "                          nlopt-esch\n"
        "  --budget N              candidates to evaluate (default 200)\n"
        "  --repeats R             average each candidate over R seeds (default 1)\n"
        "  --empirical-bold FILE, --transient TIME, --jobs N, --batch K, --keep-outputs,\n"
        "  --same-seed, --mpi auto|on|off, -q     as dtb sweep\n"
        "\n"
        "Exit status: 0 done, 2 bad arguments (nothing written), 1 the fit failed,\n"
        "130 interrupted (the best so far is in DIR).\n");
}

static void stop_fit(void *target) { dtb_fit_request_stop(target); }
static dtb_status run_fit(void *f, const dtb_explore_options *o) { return dtb_fit_run(f, o); }
static void free_fit(void *f) { dtb_fit_free(f); }

static int parse_box(const char *text, double *lo, double *hi)
{
    const char *colon = strchr(text, ':');
    if (!colon)
        return 0;
    char a[64], b[64];
    snprintf(a, sizeof a, "%.*s", (int)(colon - text), text);
    snprintf(b, sizeof b, "%s", colon + 1);
    return cli_parse_number(a, lo) && cli_parse_number(b, hi);
}

static int build(const explore_args *a, void **out)
{
    dtb_fit *f = NULL;
    dtb_status st = dtb_fit_create(&f, a->run.exp);
    for (size_t i = 0; !st && i < a->n_items; i++) {
        const char *eq = strchr(a->items[i], '=');
        char name[256];
        double lo, hi;
        snprintf(name, sizeof name, "%.*s", (int)(eq - a->items[i]), a->items[i]);
        if (!parse_box(eq + 1, &lo, &hi)) {
            dtb_fit_free(f);
            return cli_usage_error("--free %s: '%s' is not LO:HI (two numbers)", name, eq + 1);
        }
        st = dtb_fit_add_free(f, name, lo, hi);
    }
    for (size_t i = 0; !st && i < a->n_scores; i++)
        st = dtb_fit_add_score(f, a->scores[i]);
    if (!st && a->empirical_bold)
        st = dtb_fit_set_empirical_bold(f, a->empirical_bold);
    if (!st && a->transient > 0)
        st = dtb_fit_set_transient(f, a->transient);
    if (!st && a->objective)
        st = dtb_fit_set_objective(f, a->objective);
    if (!st && a->method)
        st = dtb_fit_set_method(f, a->method);
    if (!st && a->budget)
        st = dtb_fit_set_budget(f, a->budget);
    if (!st && a->repeats)
        st = dtb_fit_set_repeats(f, a->repeats);
    if (!st)
        st = dtb_fit_prepare(f);
    if (st) {
        int rc = cli_usage_error("%s", dtb_last_error_message());
        dtb_fit_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

static void report(const void *object, const explore_args *a, double wall, int interrupted)
{
    const dtb_fit *f = object;
    int64_t ns = dtb_fit_score_count(f), nk = dtb_fit_free_count(f);
    const char *dir = dtb_experiment_get(a->run.exp, "out");
    double scores[64], values[64];
    if (!interrupted) {
        printf("dtb fit: %lld evaluations in %.3f s\n", (long long)dtb_fit_evaluation_count(f), wall);
        printf("  %s/fit.csv, %s/best.xml, %s/fit.svg, %s/provenance.json\n", dir, dir, dir, dir);
    }
    if (ns > 64 || nk > 64 || dtb_fit_best_scores(f, scores, 64, NULL) ||
        dtb_fit_best_values(f, values, 64, NULL)) {
        printf("best: none (no candidate gave a value)\n");
        return;
    }
    printf("best:");
    if (a->objective || ns > 1)
        printf(" objective=%.10g", dtb_fit_best_objective(f));
    for (int64_t i = 0; i < ns; i++)
        printf(" %s=%.10g", dtb_fit_score_name(f, i), scores[i]);
    for (int64_t i = 0; i < nk; i++)
        printf(" %s=%.10g", dtb_fit_free_name(f, i), values[i]);
    printf("\n");
}

int cmd_fit(int argc, char **argv)
{
    static const explore_command cmd = {"fit", "evaluations", print_help, build, run_fit, stop_fit,
                                        report, free_fit};
    return explore_main(argc, argv, &cmd);
}
