/* dtb assimilate — a twin that follows a recording: an ensemble Kalman
 * filter over M members of the experiment, estimating parameters as the
 * samples come (dtb_assimilate.h): DIR/estimates.csv, DIR/forecast.csv and
 * their figures.
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
        "Usage: dtb assimilate [EXPERIMENT.xml] [dtb run options] --data FILE\n"
        "                      --estimate NAME[@REGIONS]=LO:HI [--estimate ...] [--members M]\n"
        "                      [--observer SPEC] --out DIR\n"
        "\n"
        "Follow a recording with M members of the experiment that the dtb run options\n"
        "describe: after each recorded sample an ensemble Kalman filter corrects the\n"
        "estimated parameters of every member (man dtb_assimilate(3)). Writes\n"
        "DIR/estimates.csv (t, each parameter's ensemble mean and standard deviation),\n"
        "DIR/forecast.csv (t, the one-step-ahead forecast of every observed column, made\n"
        "before the sample is assimilated), DIR/forecast_skill.csv (what,column,r: each\n"
        "column's correlation of forecast and recording, their mean, the FCs' correlation),\n"
        "estimates.svg and forecast.svg.\n"
        "\n"
        "  --data FILE             the recording: time x columns (or columns x time), text,\n"
        "                          CSV or .npy; one column per column of the observer\n"
        "  --estimate NAME=LO:HI   (repeatable) a model parameter, one value in every region;\n"
        "                          NAME@REGIONS: one value per region of the list (indices or\n"
        "                          label globs joined by '+'), estimated within [LO, HI];\n"
        "                          NAME@REGIONS=LO:HI:pull=P: hierarchical, the region values\n"
        "                          pulled by P (0 < P <= 1) per sample towards a shared\n"
        "                          hyper-parameter NAME estimated with them\n"
        "  --observer SPEC         what a member predicts for each sample, in --observe's\n"
        "                          vocabulary (default bold; bold:tr=720ms, tavg:period=50ms:\n"
        "                          vars=S); its period is the recording's sample interval\n"
        "  --data-scale zscore|none  zscore: the data's columns z-scored over the recording\n"
        "                          and the predictions standardised by the ensemble's own\n"
        "                          running mean and sd, after a 30 s spin-up (for recorded\n"
        "                          BOLD in scanner units); none (default): as they are\n"
        "  --members M             ensemble size, at least 2 (default 20)\n"
        "  --method etkf|enkf      square-root ETKF (default) or the stochastic EnKF with\n"
        "                          perturbed observations\n"
        "  --inflation X           multiplicative covariance inflation, >= 1 (default 1)\n"
        "  --drift X               random-walk step of the parameters per sample, in their\n"
        "                          logit-transformed space (default 0.05)\n"
        "  --no-drift              none: the parameters are taken as constant\n"
        "  --obs-error X           observation error as a fraction of each data column's\n"
        "                          standard deviation (default 0.3)\n"
        "  --localisation D        Gaspari-Cohn localisation half-width (default: none), in\n"
        "                          mm, or in hops with --distance hops\n"
        "  --distance KIND         what localisation measures: centres (default; between\n"
        "                          region centres), tracts (shortest paths along the tracts),\n"
        "                          hops (fewest connections)\n"
        "  --update-state          correct the members' states (and a BOLD observer's\n"
        "                          haemodynamics) as well as the parameters\n"
        "  --jobs N                N threads (default 1); the numbers do not depend on it\n"
        "  -q, --quiet             no progress line\n"
        "\n"
        "Exit status: 0 done, 2 bad arguments (nothing run), 1 the run failed, 130\n"
        "interrupted (the files hold the samples done).\n");
}

typedef struct asm_args {
    run_args run;
    const char *data, *observer;
    const char *estimates[EXPLORE_MAX_ITEMS];
    size_t n_est;
    dtb_assimilate_options o;
} asm_args;

static int number(const char *flag, const char *v, double *out)
{
    if (!cli_parse_number(v, out))
        return cli_usage_error("--%s: '%s' is not a number", flag, v);
    return 0;
}

static int whole(const char *flag, const char *v, int32_t *out)
{
    int64_t x;
    if (!cli_parse_int64(v, &x) || x < -1000000 || x > 1000000)
        return cli_usage_error("--%s: '%s' is not a whole number", flag, v);
    *out = (int32_t)x;
    const int least = strcmp(flag, "members") ? 1 : 2;
    if (*out < least)
        return cli_usage_error("--%s %s: at least %d %s needed", flag, v, least,
                               least == 1 ? "is" : "are");
    return 0;
}

static int handle(const char *name, const char *v, void *ud)
{
    asm_args *a = ud;
    if (!strcmp(name, "data"))
        a->data = v;
    else if (!strcmp(name, "observer"))
        a->observer = v;
    else if (!strcmp(name, "estimate")) {
        if (a->n_est == EXPLORE_MAX_ITEMS)
            return cli_usage_error("--estimate: more than %d", EXPLORE_MAX_ITEMS);
        a->estimates[a->n_est++] = v;
    } else if (!strcmp(name, "members"))
        return whole(name, v, &a->o.members);
    else if (!strcmp(name, "jobs"))
        return whole(name, v, &a->o.jobs);
    else if (!strcmp(name, "method")) {
        if (!strcmp(v, "etkf"))
            a->o.method = DTB_ASSIMILATE_ETKF;
        else if (!strcmp(v, "enkf"))
            a->o.method = DTB_ASSIMILATE_ENKF;
        else
            return cli_usage_error("--method: '%s' is not etkf or enkf", v);
    } else if (!strcmp(name, "inflation"))
        return number(name, v, &a->o.inflation);
    else if (!strcmp(name, "drift"))
        return number(name, v, &a->o.drift);
    else if (!strcmp(name, "obs-error"))
        return number(name, v, &a->o.obs_error);
    else if (!strcmp(name, "localisation") || !strcmp(name, "localization"))
        return number(name, v, &a->o.localisation);
    else if (!strcmp(name, "distance")) {
        if (!strcmp(v, "centres") || !strcmp(v, "centers"))
            a->o.distance = DTB_ASSIMILATE_DISTANCE_CENTRES;
        else if (!strcmp(v, "tracts"))
            a->o.distance = DTB_ASSIMILATE_DISTANCE_TRACTS;
        else if (!strcmp(v, "hops"))
            a->o.distance = DTB_ASSIMILATE_DISTANCE_HOPS;
        else
            return cli_usage_error("--distance: '%s' is not centres, tracts or hops", v);
    } else if (!strcmp(name, "no-drift"))
        a->o.flags |= DTB_ASSIMILATE_FLAG_NO_DRIFT;
    else if (!strcmp(name, "update-state"))
        a->o.flags |= DTB_ASSIMILATE_FLAG_UPDATE_STATE;
    else if (!strcmp(name, "data-scale")) {
        if (!strcmp(v, "zscore"))
            a->o.flags |= DTB_ASSIMILATE_FLAG_ZSCORE;
        else if (!strcmp(v, "none"))
            a->o.flags &= ~DTB_ASSIMILATE_FLAG_ZSCORE;
        else
            return cli_usage_error("--data-scale: '%s' is not zscore or none", v);
    }
    return 0;
}

static const extra_option options[] = {
    {"data", 1}, {"observer", 1}, {"estimate", 1}, {"members", 1}, {"jobs", 1},
    {"method", 1}, {"inflation", 1}, {"drift", 1}, {"obs-error", 1}, {"localisation", 1},
    {"localization", 1}, {"distance", 1}, {"no-drift", 0}, {"update-state", 0}, {"data-scale", 1}, {NULL, 0}};

/* The forecasts' skill: the mean of the columns' r and the FCs' r (each
 * column's in forecast_skill.csv). */
static void print_skill(const dtb_assimilation *as)
{
    const int64_t nc = dtb_assimilation_observation_count(as);
    size_t need = 0;
    double *r = nc > 0 ? malloc((size_t)(nc + 2) * sizeof *r) : NULL;
    if (r && !dtb_assimilation_forecast_skill(as, r, (size_t)(nc + 2), &need) &&
        need == (size_t)(nc + 2)) {
        printf("  forecast skill: r of forecast and recording %.4f (mean over %lld columns), "
               "FC r %.4f\n", r[nc], (long long)nc, r[nc + 1]);
    }
    free(r);
}

/* NAME[@REGIONS]=LO:HI[:pull=P] */
static int add_estimate(dtb_assimilation *as, const char *text)
{
    const char *eq = strrchr(text, '=');
    const char *pull_at = strstr(text, ":pull=");
    if (pull_at) {   /* the last '=' is the pull's */
        const char *e = text;
        eq = NULL;
        for (const char *p = strchr(e, '='); p && p < pull_at; p = strchr(p + 1, '='))
            eq = p;
    }
    const char *colon = eq ? strchr(eq, ':') : NULL;
    if (!eq || !colon || (pull_at && colon >= pull_at))
        return cli_usage_error("--estimate: '%s' is not NAME[@REGIONS]=LO:HI[:pull=P]", text);
    char name[256], lo_text[64], hi_text[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - text), text);
    snprintf(lo_text, sizeof lo_text, "%.*s", (int)(colon - eq - 1), eq + 1);
    snprintf(hi_text, sizeof hi_text, "%.*s",
             (int)(pull_at ? pull_at - colon - 1 : (long)strlen(colon + 1)), colon + 1);
    double lo, hi, pull = 0;
    if (!cli_parse_number(lo_text, &lo) || !cli_parse_number(hi_text, &hi))
        return cli_usage_error("--estimate %s: bounds '%s:%s' are not two numbers LO:HI", name,
                               lo_text, hi_text);
    if (pull_at && !cli_parse_number(pull_at + 6, &pull))
        return cli_usage_error("--estimate %s: pull '%s' is not a number", name, pull_at + 6);
    dtb_status st = pull_at ? dtb_assimilation_estimate_hierarchical(as, name, lo, hi, pull)
                            : dtb_assimilation_estimate(as, name, lo, hi);
    if (st)
        return cli_usage_error("--%s", dtb_last_error_message());
    return 0;
}

static void stop_assimilation(void *target) { dtb_assimilation_request_stop(target); }

int cmd_assimilate(int argc, char **argv)
{
    asm_args a;
    memset(&a, 0, sizeof a);
    dtb_assimilate_options_init(&a.o, DTB_ASSIMILATE_OPTIONS_VERSION);
    int help;
    int rc = run_args_parse_with(argc, argv, &a.run, &help, options, handle, &a);
    if (rc || help) {
        if (help)
            print_help();
        run_args_free(&a.run);
        return rc;
    }
    const char *dir = dtb_experiment_get(a.run.exp, "out");
    dtb_assimilation *as = NULL;
    if (!dir)
        rc = cli_usage_error("assimilate: give the results folder (--out DIR)");
    if (!rc && !a.data)
        rc = cli_usage_error("assimilate: give the recording (--data FILE)");
    if (!rc && !a.n_est)
        rc = cli_usage_error("assimilate: give what to estimate (--estimate NAME=LO:HI)");
    if (!rc && dtb_assimilation_create(&as, a.run.exp))
        rc = cli_usage_error("%s", dtb_last_error_message());
    for (size_t i = 0; !rc && i < a.n_est; i++)
        rc = add_estimate(as, a.estimates[i]);
    if (!rc && dtb_assimilation_set_data(as, a.data))
        rc = cli_usage_error("--data: %s", dtb_last_error_message());
    if (!rc && a.observer && dtb_assimilation_set_observer(as, a.observer))
        rc = cli_usage_error("--observer: %s", dtb_last_error_message());
    cli_signals_install();
    if (!rc && dtb_assimilation_prepare(as, &a.o))
        rc = cli_usage_error("%s", dtb_last_error_message());
    if (!rc) {
        explore_progress prog;
        explore_progress_init(&prog, "samples", a.run.quiet);
        a.o.out_dir = dir;
        a.o.progress = explore_progress_fn;
        a.o.user_data = &prog;
        cli_signals_target(stop_assimilation, as);
        const double t0 = wall_seconds();
        dtb_status st = dtb_assimilation_run(as, &a.o);
        const double wall = wall_seconds() - t0;
        cli_signals_target(NULL, NULL);
        explore_progress_finish(&prog);
        if (st == DTB_ECANCELLED) {
            fprintf(stderr, "dtb: assimilation interrupted; %s holds the %lld samples done\n", dir,
                    (long long)dtb_assimilation_sample_count(as));
            rc = EXIT_INTERRUPTED;
        } else if (st == DTB_EINVAL || st == DTB_ENOTFOUND || st == DTB_EPARSE) {
            rc = cli_usage_error("%s", dtb_last_error_message());
        } else if (st) {
            fprintf(stderr, "dtb: %s\n", dtb_last_error_message());
            rc = EXIT_RUNTIME;
        } else {
            const int64_t np = dtb_assimilation_parameter_count(as);
            const int64_t ns = dtb_assimilation_sample_count(as);
            printf("dtb assimilate: %lld samples, %d members, %lld parameters in %.3f s\n",
                   (long long)ns, (int)(a.o.members ? a.o.members : 20), (long long)np, wall);
            double *mean = malloc((size_t)(ns * np) * sizeof *mean);
            double *sd = malloc((size_t)(ns * np) * sizeof *sd);
            size_t need;
            if (mean && sd && ns > 0 &&
                !dtb_assimilation_means(as, mean, (size_t)(ns * np), &need) &&
                !dtb_assimilation_spreads(as, sd, (size_t)(ns * np), &need))
                for (int64_t j = 0; j < np && j < 12; j++)
                    printf("  %-16s at the end %-12.6g sd %.3g\n",
                           dtb_assimilation_parameter_name(as, j), mean[(ns - 1) * np + j],
                           sd[(ns - 1) * np + j]);
            free(mean);
            free(sd);
            print_skill(as);
            printf("  %s/estimates.csv, %s/forecast.csv, %s/forecast_skill.csv,\n"
                   "  %s/estimates.svg, %s/forecast.svg, %s/provenance.json\n", dir, dir, dir,
                   dir, dir, dir);
        }
    }
    dtb_assimilation_free(as);
    run_args_free(&a.run);
    return rc;
}
