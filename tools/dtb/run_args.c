/* dtb run — command-line parsing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli.h"
#include "network/network.h"

void print_run_help(void)
{
    printf(
        "Usage: dtb run [OPTIONS]\n"
        "\n"
        "Simulate a whole-brain network: one neural-mass model per atlas region, coupled\n"
        "through the structural connectivity with conduction delays, and write what the\n"
        "observers record to files. Times accept a unit (0.1ms, 2s); a bare number is in\n"
        "milliseconds. Parameter values accept a unit (10ms, -65mV); a bare number is in the\n"
        "parameter's own unit (TVB's units for TVB models, see 'dtb models').\n"
        "\n"
        "  --atlas NAME|DIR|FILE   atlas: built-in name (bn246, default), a folder in TVB's\n"
        "                          layout (weights.txt, tract_lengths.txt, centres.txt,\n"
        "                          region_labels.txt) or a weight-matrix file (CSV or text)\n"
        "  --model NAME|FILE.xml   built-in model ('dtb models' lists them) or a model\n"
        "                          descriptor (LEMS ComponentType + RegionModel). Without\n"
        "                          --model: the default twin, reduced_wong_wang_exc_inh with\n"
        "                          G = 0.1, --coupling linear:a=1, --integrator euler,\n"
        "                          --noise-kind sigma --noise S_e=0.01,S_i=0.001 and\n"
        "                          --init S_e=0,S_i=0 (not with --fic) unless those flags say\n"
        "                          otherwise\n"
        "  --model-name NAME       which RegionModel of FILE.xml (default: the first)\n"
        "  -I, --include DIR       extra folder for <Include> files of FILE.xml (repeatable)\n"
        "  --set NAME=VALUE        set a model parameter for every region (repeatable)\n"
        "  --set NAME=@FILE.csv    one value per region: the column NAME (or the only column)\n"
        "                          of a table with one row per region\n"
        "  --coupling KIND[:a=..,b=..]\n"
        "                          linear (default; a = 0.00390625, b = 0), scaling,\n"
        "                          difference (a = 0.1), kuramoto (a = 1), hyperbolic_tangent\n"
        "                          (tanh), sigmoidal, sigmoidal_jansen_rit, pre_sigmoidal, with\n"
        "                          TVB's parameter names and defaults (man dtb_sim); or\n"
        "  --coupling FILE.xml[:p=..]\n"
        "                          a user-defined <CouplingFunction pre=\"..\" post=\"..\">\n"
        );
    printf(
        "  --speed M_PER_S|inf     conduction speed in m/s (= mm/ms; default 3); inf: no delays\n"
        "  --dt TIME               integration step (default 0.1ms)\n"
        "  --duration TIME         simulated time (default 1000ms)\n"
        "  --integrator NAME       euler, heun (default) or rk4 (fixed step), or a GSL stepper:\n"
        "                          gsl-rk2, gsl-rk4, gsl-rkf45, gsl-rkck, gsl-rk8pd, gsl-msadams,\n"
        "                          gsl-msbdf, gsl-bsimp, gsl-rk1imp, gsl-rk2imp, gsl-rk4imp\n"
        "                          (adaptive within each step dt, coupling held over the step)\n"
        "  --rtol R, --atol A      tolerances of the GSL steppers (default 1e-6, 1e-8)\n"
        "  --noise D | --noise VAR=D,...\n"
        "                          noise of intensity D on every state variable, or on the ones\n"
        "                          named; by default TVB's additive increment sqrt(2 D h) z, h\n"
        "                          the step in the model's time unit (ms for TVB models)\n"
        "  --noise-kind additive|sigma|multiplicative|coloured:tau=TIME\n"
        "                          sigma: D is OpenDTB's sigma, increment D sqrt(h) z;\n"
        "                          multiplicative: sqrt(2 D h) z x; coloured: an\n"
        "                          Ornstein-Uhlenbeck forcing with correlation time tau\n"
        "  --seed N                seed of the random numbers (default 42)\n"
        "  --init VAR=VALUE,...    initial value of state variables, the same in every region\n"
        "                          (others are drawn uniformly in the model's range)\n"
        "  --init FILE.csv         initial state: a header of state-variable names and one row\n"
        "                          per region\n"
        "  --fic                   feedback inhibition control (Deco et al. 2014; reduced Wong-Wang\n"
        "                          excitatory-inhibitory model, linear coupling): J_i per region\n"
        "                          so that every region's input sits 0.026 nA below threshold at\n"
        "                          the fixed point, where the run starts (unless --init)\n"
        );
    printf(
        "  --observe SPEC          what to record (repeatable; default tavg:period=1ms):\n"
        "                            raw                   every step\n"
        "                            subsample:period=1ms  the state every period\n"
        "                            tavg:period=1ms       the mean over each period\n"
        "                            bold:tr=2s[:set=S]    BOLD every TR; S: friston2003 (default),\n"
        "                                                  friston2000, stephan2007, opendtb or\n"
        "                                                  tvb-volterra (TVB's Bold monitor)\n"
        "                            eeg[:gain=FILE]       EEG = gain x 1-ms mean; without a gain\n"
        "                                                  file, a built-in lead field of 21 10-20\n"
        "                                                  electrodes (head=three-shell|sphere);\n"
        "                                                  :noise=SD adds observation noise\n"
        "                            meg:gain=FILE, seeg:gain=FILE   the same with a gain file\n"
        "                            fc[:of=SIGNAL]        FC (Pearson) of SIGNAL: tavg (default),\n"
        "                                                  raw, subsample, bold or eeg, with that\n"
        "                                                  signal's options (fc:of=bold:tr=2s);\n"
        "                                                  :skip=T ignores the first T (also\n"
        "                                                  fcd, psd)\n"
        "                            fcd[:of=SIGNAL][:window=T][:step=T][:method=pearson|phase|mtd]\n"
        "                               [:compare=pearson-ut|cosine-ut|pearson-lei|cosine-lei]\n"
        "                            psd[:of=SIGNAL][:segment=T][:step=T]   Welch spectrum\n"
        "                            spikes[:threshold=X]  upward crossings of X, one row each\n"
        "                            rate[:threshold=X][:period=T]   crossings per region per s\n"
        "                          append :vars=V,W (or :var=V) to choose state variables\n"
        "                          (default: the model's variables of interest)\n"
        );
    printf(
        "  --out DIR               output folder (default dtb-out); each observer writes\n"
        "                          DIR/<observer>.csv (or .npy): column t in seconds, then VAR.i\n"
        "                          for state variable VAR of region i (0-based); fc.csv: a header\n"
        "                          of region labels, then the N x N matrix\n"
        "  --format csv|npy        output format (default csv)\n"
        "  --empirical-fc FILE     an empirical FC (N x N; CSV with a header of labels, text or\n"
        "                          .npy): print the fit of the first fc observer to it (one is\n"
        "                          added if none is asked for)\n"
        "  --plot                  SVG figures of every output into the output folder\n"
        "  --plot-regions LIST     regions of the time-series figures (indices or labels;\n"
        "                          default: six spread over the atlas)\n"
        "  --tvb-float32-coupling  sum the coupling in float32 in TVB's order (reproduces TVB's\n"
        "                          numbers to round-off; slower)\n"
        "  --quiet                 no progress bar\n"
        "  --help                  show this help\n"
        "\n"
        "Exit status: 0 success, 2 bad arguments or unreadable inputs (nothing is written),\n"
        "1 the run failed (for example the state became non-finite), 130 interrupted.\n");
}

static int push_nv(name_value **arr, size_t *n, const char *name, size_t name_len, const char *value)
{
    name_value *p = realloc(*arr, (*n + 1) * sizeof *p);
    if (!p)
        return 0;
    *arr = p;
    p[*n].name = dtb__strndup(name, name_len);
    p[*n].value = dtb__strdup(value);
    if (!p[*n].name || !p[*n].value) {
        free(p[*n].name);
        free(p[*n].value);
        return 0;
    }
    (*n)++;
    return 1;
}

/* "A=1,B=2" -> name/value pairs. */
static int parse_pairs(const char *flag, const char *text, name_value **arr, size_t *n)
{
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p || eq + 1 == p + len)
            return cli_usage_error("%s: expected NAME=VALUE pairs separated by commas, got '%s'", flag,
                                   text);
        char value[256];
        size_t vlen = (size_t)(p + len - (eq + 1));
        if (vlen >= sizeof value)
            return cli_usage_error("%s: value too long in '%s'", flag, text);
        memcpy(value, eq + 1, vlen);
        value[vlen] = '\0';
        if (!push_nv(arr, n, p, (size_t)(eq - p), value))
            return cli_usage_error("out of memory");
        p += len;
        if (*p == ',')
            p++;
    }
    return *n ? 0 : cli_usage_error("%s: empty value", flag);
}

static int parse_coupling(const char *text, run_args *a)
{
    /* KIND[:p=v,...] or FILE.xml[:p=v,...] */
    const char *xml = strstr(text, ".xml");
    size_t len = xml ? (size_t)(xml + 4 - text) : strcspn(text, ":");
    a->coupling = 0;
    a->coupling_file = NULL;
    if (xml && (xml[4] == '\0' || xml[4] == ':')) {
        a->coupling_file = dtb__strndup(text, len);
        if (!a->coupling_file)
            return cli_usage_error("out of memory");
    } else {
        char name[64];
        if (len >= sizeof name)
            return cli_usage_error("--coupling: unknown kind '%s'", text);
        memcpy(name, text, len);
        name[len] = '\0';
        a->coupling = dtb__coupling_kind_from_name(name);
        if (!a->coupling || a->coupling == DTB_COUPLING_EXPRESSION)
            return cli_usage_error("--coupling: unknown kind '%s' (linear, scaling, difference, "
                                   "kuramoto, hyperbolic_tangent, sigmoidal, sigmoidal_jansen_rit, "
                                   "pre_sigmoidal, or FILE.xml)", name);
    }
    if (text[len] == ':')
        return parse_pairs("--coupling", text + len + 1, &a->coupling_params, &a->n_coupling_params);
    if (text[len])
        return cli_usage_error("--coupling: cannot read '%s'", text);
    return 0;
}

static int parse_noise(const char *text, run_args *a)
{
    if (strchr(text, '='))
        return parse_pairs("--noise", text, &a->noise, &a->n_noise);
    if (!cli_parse_number(text, &a->noise_all) || a->noise_all < 0)
        return cli_usage_error("--noise: '%s' is not a non-negative number", text);
    return 0;
}

static int parse_noise_kind(const char *text, run_args *a)
{
    a->noise_tau = 0;
    a->noise_kind_given = 1;
    if (!strcmp(text, "additive"))
        a->noise_kind = DTB_NOISE_ADDITIVE;
    else if (!strcmp(text, "sigma"))
        a->noise_kind = DTB_NOISE_SIGMA;
    else if (!strcmp(text, "multiplicative"))
        a->noise_kind = DTB_NOISE_MULTIPLICATIVE;
    else if (!strncmp(text, "coloured:tau=", 13) || !strncmp(text, "colored:tau=", 12)) {
        a->noise_kind = DTB_NOISE_COLOURED;
        if (!cli_parse_time(strchr(text, '=') + 1, &a->noise_tau) || !(a->noise_tau > 0))
            return cli_usage_error("--noise-kind: bad correlation time in '%s'", text);
    } else
        return cli_usage_error("--noise-kind: unknown kind '%s' (additive, sigma, multiplicative, "
                               "coloured:tau=TIME)", text);
    return 0;
}

static int parse_seed(const char *text, run_args *a)
{
    int64_t v;
    if (!dtb__parse_int64(text, &v) || v < 0)
        return cli_usage_error("--seed: '%s' is not a non-negative integer", text);
    a->seed = (uint64_t)v;
    return 0;
}

/* One flag with a value; returns 0 or an exit status. */
static int parse_valued(const char *flag, const char *v, run_args *a)
{
    if (!strcmp(flag, "--atlas"))
        a->atlas = v;
    else if (!strcmp(flag, "--model"))
        a->model = v;
    else if (!strcmp(flag, "--model-name"))
        a->model_name = v;
    else if (!strcmp(flag, "--noise-kind"))
        return parse_noise_kind(v, a);
    else if (!strcmp(flag, "--include") || !strcmp(flag, "-I")) {
        char **p = realloc(a->include_dirs, (a->n_include_dirs + 1) * sizeof *p);
        if (!p)
            return cli_usage_error("out of memory");
        a->include_dirs = p;
        p[a->n_include_dirs++] = (char *)v;
    } else if (!strcmp(flag, "--set")) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v)
            return cli_usage_error("--set: expected NAME=VALUE, got '%s'", v);
        if (!push_nv(&a->sets, &a->n_sets, v, (size_t)(eq - v), eq + 1))
            return cli_usage_error("out of memory");
    } else if (!strcmp(flag, "--coupling"))
        return parse_coupling(v, a);
    else if (!strcmp(flag, "--speed")) {
        if (!cli_parse_speed(v, &a->speed))
            return cli_usage_error("--speed: '%s' is not a positive speed in m/s (or inf)", v);
    } else if (!strcmp(flag, "--dt")) {
        if (!cli_parse_time(v, &a->dt) || !(a->dt > 0))
            return cli_usage_error("--dt: '%s' is not a positive time (e.g. 0.1ms)", v);
    } else if (!strcmp(flag, "--duration")) {
        if (!cli_parse_time(v, &a->duration) || a->duration < 0)
            return cli_usage_error("--duration: '%s' is not a time (e.g. 1000ms, 2s)", v);
    } else if (!strcmp(flag, "--integrator")) {
        a->integrator = 0;
        for (int k = 1; k <= DTB_INTEGRATOR_GSL_RK4IMP; k++)
            if (dtb_integrator_name((dtb_integrator)k) && !strcmp(dtb_integrator_name((dtb_integrator)k), v))
                a->integrator = (dtb_integrator)k;
        if (!a->integrator)
            return cli_usage_error("--integrator: unknown scheme '%s' (euler, heun, rk4, gsl-rk2, "
                                   "gsl-rk4, gsl-rkf45, gsl-rkck, gsl-rk8pd, gsl-msadams, gsl-msbdf, "
                                   "gsl-bsimp, gsl-rk1imp, gsl-rk2imp, gsl-rk4imp)", v);
    } else if (!strcmp(flag, "--rtol") || !strcmp(flag, "--atol")) {
        double t;
        if (!cli_parse_number(v, &t) || !(t > 0))
            return cli_usage_error("%s: '%s' is not a positive number", flag, v);
        if (flag[2] == 'r')
            a->rtol = t;
        else
            a->atol = t;
    } else if (!strcmp(flag, "--noise"))
        return parse_noise(v, a);
    else if (!strcmp(flag, "--seed"))
        return parse_seed(v, a);
    else if (!strcmp(flag, "--init")) {
        if (strchr(v, '='))
            return parse_pairs("--init", v, &a->init, &a->n_init);
        a->init_file = v;
    } else if (!strcmp(flag, "--observe"))
        return parse_observe(v, a);
    else if (!strcmp(flag, "--out"))
        a->out_dir = v;
    else if (!strcmp(flag, "--empirical-fc"))
        a->empirical_fc = v;
    else if (!strcmp(flag, "--plot-regions"))
        a->plot_regions = v;
    else if (!strcmp(flag, "--format")) {
        if (!strcmp(v, "csv"))
            a->npy = 0;
        else if (!strcmp(v, "npy"))
            a->npy = 1;
        else
            return cli_usage_error("--format: unknown format '%s' (csv, npy)", v);
    } else
        return cli_usage_error("unknown option '%s' (see 'dtb run --help')", flag);
    return 0;
}

static int takes_value(const char *flag)
{
    static const char *const valued[] = {"--atlas", "--model", "--include", "-I", "--set",
                                         "--coupling", "--speed", "--dt", "--duration",
                                         "--integrator", "--rtol", "--atol", "--noise", "--noise-kind", "--seed", "--init",
                                         "--model-name",
                                         "--observe", "--out", "--format", "--empirical-fc",
                                         "--plot-regions"};
    for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++)
        if (!strcmp(flag, valued[i]))
            return 1;
    return 0;
}

/* Without --model, dtb run simulates the platform's default twin (OpenDTB's,
 * with the atlas' conduction delays): reduced_wong_wang_exc_inh with
 * G = 0.1, linear coupling a = 1, Euler, noise sigma 0.01 on S_e and 0.001
 * on S_i in OpenDTB's convention, initial state 0. Each of these applies
 * only where the command line says nothing about it. */
static int apply_default_twin(run_args *a)
{
    if (a->model)
        return 0;
    a->model = "reduced_wong_wang_exc_inh";
    a->default_twin = 1;
    int has_g = 0;
    for (size_t i = 0; i < a->n_sets; i++)
        has_g |= strcmp(a->sets[i].name, "G") == 0;
    if (!has_g && !push_nv(&a->sets, &a->n_sets, "G", 1, "0.1"))
        return cli_usage_error("out of memory");
    if (!a->coupling && !a->coupling_file) {
        a->coupling = DTB_COUPLING_LINEAR;
        if (!push_nv(&a->coupling_params, &a->n_coupling_params, "a", 1, "1"))
            return cli_usage_error("out of memory");
    }
    if (!a->integrator)
        a->integrator = DTB_INTEGRATOR_EULER;
    if (a->noise_all < 0 && !a->n_noise && !a->noise_kind_given) {
        a->noise_kind = DTB_NOISE_SIGMA;
        if (!push_nv(&a->noise, &a->n_noise, "S_e", 3, "0.01") ||
            !push_nv(&a->noise, &a->n_noise, "S_i", 3, "0.001"))
            return cli_usage_error("out of memory");
    }
    if (!a->n_init && !a->init_file && !a->fic &&
        (!push_nv(&a->init, &a->n_init, "S_e", 3, "0") || !push_nv(&a->init, &a->n_init, "S_i", 3, "0")))
        return cli_usage_error("out of memory");
    return 0;
}

int run_args_parse(int argc, char **argv, run_args *a, int *help)
{
    memset(a, 0, sizeof *a);
    a->atlas = "bn246";
    a->model = NULL;      /* NULL: the default twin, see apply_default_twin() */
    a->duration = 1.0;
    a->noise_all = -1;
    a->seed = 42;
    a->out_dir = "dtb-out";
    *help = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            *help = 1;
            return 0;
        }
        if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            a->quiet = 1;
            continue;
        }
        if (!strcmp(arg, "--plot")) {
            a->plot = 1;
            continue;
        }
        if (!strcmp(arg, "--tvb-float32-coupling")) {
            a->tvb_float32 = 1;
            continue;
        }
        if (!strcmp(arg, "--fic")) {
            a->fic = 1;
            continue;
        }
        /* --flag=value and --flag value */
        char flag[64];
        const char *value = NULL;
        const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        if (eq && (size_t)(eq - arg) < sizeof flag) {
            memcpy(flag, arg, (size_t)(eq - arg));
            flag[eq - arg] = '\0';
            value = eq + 1;
        } else {
            snprintf(flag, sizeof flag, "%s", arg);
        }
        if (!takes_value(flag))
            return cli_usage_error(arg[0] == '-' ? "unknown option '%s' (see 'dtb run --help')"
                                                 : "unexpected argument '%s' (see 'dtb run --help')",
                                   arg);
        if (!value) {
            if (i + 1 >= argc)
                return cli_usage_error("%s needs a value", flag);
            value = argv[++i];
        }
        int rc = parse_valued(flag, value, a);
        if (rc)
            return rc;
    }
    if (a->noise_all >= 0 && a->n_noise)
        return cli_usage_error("--noise: give either one intensity or VAR=D pairs, not both");
    if (a->init_file && a->n_init)
        return cli_usage_error("--init: give either VAR=VALUE pairs or a CSV file, not both");
    return apply_default_twin(a);
}

static void free_nv(name_value *arr, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(arr[i].name);
        free(arr[i].value);
    }
    free(arr);
}

void run_args_free(run_args *a)
{
    free(a->coupling_file);
    free_nv(a->sets, a->n_sets);
    free_nv(a->coupling_params, a->n_coupling_params);
    free_nv(a->noise, a->n_noise);
    free_nv(a->init, a->n_init);
    for (size_t i = 0; i < a->n_observe; i++)
        observe_spec_free(&a->observe[i]);
    free(a->observe);
    free(a->include_dirs);
    memset(a, 0, sizeof *a);
}
