/* dtb — run digital twin brain simulations from the shell.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Messages quote what the user gave (options, file names, labels): a
 * control character in them is shown as \xNN, never sent to the terminal,
 * which would run an escape sequence instead of showing it. */
static void error_line(const char *fmt, va_list ap)
{
    char small[1024];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    char *text = small;
    if (n >= (int)sizeof small && (text = malloc((size_t)n + 1)))
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    if (!text)
        text = small;
    fputs("dtb: ", stderr);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c < 0x20 || *c == 0x7f)
            fprintf(stderr, "\\x%02x", *c);
        else
            fputc(*c, stderr);
    }
    fputc('\n', stderr);
    if (text != small)
        free(text);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_line(fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_line(fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

static void print_help(void)
{
    printf("Usage: dtb COMMAND [OPTIONS]\n"
           "\n"
           "libdtb %s: simulate a digital twin brain (whole-brain network of neural masses\n"
           "wired by an atlas' structural connectivity with conduction delays).\n"
           "\n"
           "Commands:\n"
           "  run        run a simulation and write the observers' recordings (dtb run --help)\n"
           "  models     list the built-in models with their parameters and defaults\n"
           "  lems       run a LEMS/NeuroML file's Simulation and write its outputs (dtb lems --help)\n"
           "  cell       run a multi-compartment NeuroML2 cell, write its traces (dtb cell --help)\n"
           "  check      validate a LEMS/NeuroML file and list its types (dtb check --help)\n"
           "  plot       SVG figures of the files a run wrote (dtb plot --help)\n"
           "  bench      run the CUBA or COBA spiking benchmark network (dtb bench --help)\n"
           "  sweep      run an experiment over a grid or sample of settings, scored (dtb sweep --help)\n"
           "  fit        fit settings of an experiment to data (dtb fit --help)\n"
           "  reservoir  a connectome as a computing reservoir, against nulls (dtb reservoir --help)\n"
           "  analyze    a model's fixed points, stability and bifurcations (dtb analyze --help)\n"
           "  assimilate a twin that follows a recording: ensemble Kalman filter (dtb assimilate --help)\n"
           "\n"
           "Times take a unit (0.1ms, 2s, 1min); a bare number is milliseconds in every\n"
           "command. Speeds are m/s; model parameters are in the units 'dtb models' shows.\n"
           "\n"
           "Options:\n"
           "  --help     show this help\n"
           "  --version  show the version\n"
           "\n"
           "Start with:  dtb run          (built-in bn246 atlas and default model, 1 s)\n"
           "Manual: dtb(1), libdtb(3).\n",
           dtb_version_string());
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("missing command (try 'dtb --help')");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("dtb (libdtb) %s\n", dtb_version_string());
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "models") == 0)
        return cmd_models(argc - 1, argv + 1);
    if (strcmp(cmd, "lems") == 0)
        return cmd_lems(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "fit") == 0)
        return cmd_fit(argc - 1, argv + 1);
    if (strcmp(cmd, "reservoir") == 0)
        return cmd_reservoir(argc - 1, argv + 1);
    if (strcmp(cmd, "cell") == 0)
        return cmd_cell(argc - 1, argv + 1);
    if (strcmp(cmd, "analyze") == 0)
        return cmd_analyze(argc - 1, argv + 1);
    if (strcmp(cmd, "assimilate") == 0)
        return cmd_assimilate(argc - 1, argv + 1);
    return cli_usage_error("unknown command '%s' (try 'dtb --help')", cmd);
}
