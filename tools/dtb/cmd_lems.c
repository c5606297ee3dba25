/* dtb lems — run a LEMS file's Simulation and write its OutputFiles and
 * Displays (what `jnml FILE -nogui` does).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lems_cli.h"

static void print_help(void)
{
    printf("Usage: dtb lems FILE.xml [OPTIONS]\n"
           "\n"
           "Run the Simulation of a LEMS or NeuroML file (its <Target>) and write every\n"
           "<OutputFile> under the name the file gives, and every <Display> as <display id>.dat,\n"
           "with the time in the first column and each quantity in SI units (a Line's plotting\n"
           "scale is not applied), separated by spaces, one row per step from t = 0; and every\n"
           "<EventOutputFile>, one line per selected event: time and selection id (or the\n"
           "reverse with format=\"ID_TIME\").\n"
           "\n"
           "  -I, --include DIR   folder searched for included files after the including\n"
           "                      file's own (repeatable); NeuroML files need the folder of\n"
           "                      NeuroML2CoreTypes.xml\n"
           "  --out DIR           write the files under DIR (default: the current folder)\n"
           "  --simulation ID     run this Simulation instead of the Target's\n"
           "  --seed N            seed of random() (default: the Simulation's seed, else 0)\n"
           "  --order ORDER       jlems (default): the component tree children first, each\n"
           "                      instance's derived variables, Euler update and OnConditions\n"
           "                      at once, at the step's end time; pylems: every instance\n"
           "                      from the same state and time (forward Euler only)\n"
           "  --method METHOD     euler (default), rk4, or GSL's adaptive rkf45, rkck, rk8pd\n"
           "                      (within each step; OnConditions and events at step ends)\n"
           "  --rtol X, --atol X  adaptive methods' tolerances (default 1e-8, 1e-10)\n"
           "  --quiet             print nothing on success\n"
           "  --help              show this help\n"
           "\n"
           "Semantics and differences from jLEMS and pylems: dtb-lems(7).\n"
           "Exit status: 0 success, 2 bad arguments or an unreadable or invalid file, 1 the\n"
           "run or the writing failed.\n");
}

static void request_stop(void *sim) { dtb_lems_simulation_request_stop(sim); }

/* After a successful run: the files written, as the run's summary lists them. */
static void print_outputs(const dtb_lems_simulation *sim, const char *out_dir)
{
    for (int64_t i = 0; i < dtb_lems_simulation_output_count(sim); i++) {
        const char *file = dtb_lems_simulation_output_file(sim, i);
        const char *sep = out_dir ? "/" : "";
        if (dtb_lems_simulation_output_kind(sim, i) == DTB_LEMS_OUTPUT_EVENTS) {
            printf("  %s%s%s (events)\n", out_dir ? out_dir : "", sep, file);
        } else {
            int64_t n = dtb_lems_simulation_output_column_count(sim, i);
            printf("  %s%s%s (%lld column%s)\n", out_dir ? out_dir : "", sep, file,
                   (long long)(n + 1), n ? "s" : "");
        }
    }
}

static const char *const method_names[] = {"euler", "rk4", "rkf45", "rkck", "rk8pd"};

/* --order, --method, --rtol, --atol */
static int integration_option(const char *arg, const char *v, uint32_t *order, uint32_t *method,
                              double *rtol, double *atol)
{
    if (!strcmp(arg, "--order")) {
        if (!strcmp(v, "jlems"))
            *order = DTB_LEMS_ORDER_JLEMS;
        else if (!strcmp(v, "pylems"))
            *order = DTB_LEMS_ORDER_PYLEMS;
        else
            return cli_usage_error("lems: --order '%s': use jlems or pylems", v);
        return 0;
    }
    if (!strcmp(arg, "--method")) {
        for (uint32_t m = 0; m < sizeof method_names / sizeof method_names[0]; m++)
            if (!strcmp(v, method_names[m])) {
                *method = m;
                return 0;
            }
        return cli_usage_error("lems: --method '%s': use euler, rk4, rkf45, rkck or rk8pd", v);
    }
    double x;
    if (!cli_parse_number(v, &x) || !(x > 0))
        return cli_usage_error("lems: %s '%s' is not a positive number", arg, v);
    *(strcmp(arg, "--rtol") ? atol : rtol) = x;
    return 0;
}

int cmd_lems(int argc, char **argv)
{
    lems_args a = {0};
    const char *out_dir = NULL, *sim_id = NULL;
    int quiet = 0, has_seed = 0;
    uint64_t seed = 0;
    uint32_t order = DTB_LEMS_ORDER_JLEMS, method = DTB_LEMS_METHOD_EULER;
    double rtol = 0, atol = 0;
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        const char *arg = argv[i];
        int taken = lems_args_take_include(&a, argc, argv, &i);
        if (taken >= 0) {
            rc = taken;
        } else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            print_help();
            lems_args_free(&a);
            return 0;
        } else if (!strcmp(arg, "--order") || !strcmp(arg, "--method") || !strcmp(arg, "--rtol") ||
                   !strcmp(arg, "--atol")) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("lems: %s needs a value", arg);
                break;
            }
            rc = integration_option(arg, argv[++i], &order, &method, &rtol, &atol);
        } else if (!strcmp(arg, "--out") || !strcmp(arg, "--simulation") || !strcmp(arg, "--seed")) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("lems: %s needs a value", arg);
                break;
            }
            const char *v = argv[++i];
            int64_t s;
            if (!strcmp(arg, "--out"))
                out_dir = v;
            else if (!strcmp(arg, "--simulation"))
                sim_id = v;
            else if (cli_parse_int64(v, &s))
                seed = (uint64_t)s, has_seed = 1;
            else
                rc = cli_usage_error("lems: --seed '%s' is not an integer", v);
        } else if (!strcmp(arg, "--quiet")) {
            quiet = 1;
        } else if (arg[0] == '-') {
            rc = cli_usage_error("lems: unknown option '%s' (try 'dtb lems --help')", arg);
        } else if (a.file) {
            rc = cli_usage_error("lems: one file at a time ('%s' and '%s')", a.file, arg);
        } else {
            a.file = arg;
        }
    }
    if (!rc && !a.file)
        rc = cli_usage_error("lems: missing FILE.xml (try 'dtb lems --help')");
    dtb_lems_document *doc = NULL;
    if (!rc)
        rc = lems_load(&a, &doc);
    dtb_lems_simulation *sim = NULL;
    dtb_lems_simulation_options opts = DTB_LEMS_SIMULATION_OPTIONS_INIT;
    opts.simulation = sim_id;
    opts.flags = has_seed ? DTB_LEMS_SIMULATION_FLAG_SEED : 0;
    opts.seed = seed;
    opts.order = order;
    opts.method = method;
    opts.rtol = rtol;
    opts.atol = atol;
    if (!rc && (dtb_lems_simulation_create(&sim, doc, &opts) ||
                dtb_lems_simulation_open_outputs(sim, out_dir))) {
        cli_error("%s", dtb_last_error_message());
        rc = EXIT_USAGE;
    }
    double start = wall_seconds();
    cli_signals_install();
    cli_signals_target(request_stop, sim);
    dtb_status st = rc ? DTB_OK : dtb_lems_simulation_run(sim, NULL, NULL);
    cli_signals_target(NULL, NULL);
    if (st == DTB_ECANCELLED) {
        fprintf(stderr, "dtb: interrupted after %" PRId64 " rows; the files hold them whole\n",
                dtb_lems_simulation_row_count(sim));
        rc = EXIT_INTERRUPTED;
    } else if (st) {
        cli_error("%s", dtb_last_error_message());
        rc = EXIT_RUNTIME;
    }
    double seconds = wall_seconds() - start;
    if (!rc && !quiet) {
        printf("dtb lems: %s: %lld instances, %" PRId64 " steps of %g s in %.3g s; wrote:\n",
               a.file, (long long)dtb_lems_simulation_instance_count(sim),
               dtb_lems_simulation_step_count(sim), dtb_lems_simulation_dt(sim), seconds);
        print_outputs(sim, out_dir);
    }
    dtb_lems_simulation_free(sim);
    dtb_lems_document_free(doc);
    lems_args_free(&a);
    return rc;
}
