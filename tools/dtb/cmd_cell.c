/* dtb cell — run a multi-compartment NeuroML2 cell (dtb_mcell(3)) under
 * current clamps and write the recorded traces as CSV.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ITEMS 256

static void print_help(void)
{
    printf("Usage: dtb cell FILE.nml[#CELLID] --record SEG[@X]:VAR ... [OPTIONS]\n"
           "\n"
           "Run a multi-compartment NeuroML2 <cell> as NEURON runs it (one section per\n"
           "segment, nseg compartments each, backward Euler on a Hines tree solver) and write\n"
           "DIR/traces.csv: t (ms), then one column per --record, one row per step from t = 0,\n"
           "and DIR/spikes.csv: the times (ms) the soma reached the cell's spikeThresh.\n"
           "The file subset read, and what is refused: dtb-mcell(5).\n"
           "\n"
           "  --duration T        time simulated (default 100 ms; bare numbers are ms)\n"
           "  --dt T              step (default 0.025 ms)\n"
           "  --nseg N            compartments per section; 0 (default): NEURON's d_lambda\n"
           "                      rule (0.1 of the length constant at 100 Hz)\n"
           "  --temperature C     degrees Celsius of the gates' q10ExpTemp settings (default:\n"
           "                      the file's <network temperature>)\n"
           "  --method M          be (default): backward Euler, NEURON's secondorder=0;\n"
           "                      cn: Crank-Nicolson, secondorder=2\n"
           "  --inject SEG[@X]:DELAY:DUR:AMP\n"
           "                      a current pulse of AMP nA into segment SEG (NeuroML id) at\n"
           "                      fraction X (default 0.5) from DELAY for DUR (repeatable)\n"
           "  --record SEG[@X]:VAR\n"
           "                      record VAR at segment SEG, fraction X: v (mV) or a gate\n"
           "                      DENSITY/GATE, e.g. naChans/m (repeatable)\n"
           "  --out DIR           write DIR/traces.csv (default: the current folder)\n"
           "  --quiet             print nothing on success\n"
           "  --help              show this help\n"
           "\n"
           "Exit status: 0 success, 2 bad arguments or an unreadable or invalid file, 1 the\n"
           "run or the writing failed.\n");
}

/* "SEG[@X]" at the start of text; *rest after it. */
static int parse_place(const char *text, int64_t *segment, double *x, const char **rest)
{
    char *end;
    long long s = strtoll(text, &end, 10);
    if (end == text || s < 0)
        return 0;
    *segment = s;
    *x = 0.5;
    if (*end == '@') {
        const char *p = end + 1;
        *x = strtod(p, &end);
        if (end == p)
            return 0;
    }
    *rest = end;
    return 1;
}

static int parse_ms(const char *text, double *ms)
{
    double s;
    if (!cli_parse_time(text, &s))
        return 0;
    *ms = s * 1e3;
    return 1;
}

/* SEG[@X]:DELAY:DUR:AMP */
static int add_inject(dtb_mcell *cell, const char *spec)
{
    int64_t seg;
    double x, delay, dur, amp;
    const char *rest;
    char *copy = NULL, *parts[3] = {0};
    int ok = parse_place(spec, &seg, &x, &rest) && *rest == ':' && (copy = strdup(rest + 1));
    if (ok) {
        parts[0] = strtok(copy, ":");
        parts[1] = strtok(NULL, ":");
        parts[2] = strtok(NULL, ":");
        ok = parts[2] && !strtok(NULL, ":") && parse_ms(parts[0], &delay) &&
             parse_ms(parts[1], &dur) && cli_parse_number(parts[2], &amp);
    }
    free(copy);
    if (!ok)
        return cli_usage_error("cell: --inject '%s': expected SEG[@X]:DELAY:DUR:AMP_nA", spec);
    if (dtb_mcell_add_current_clamp(cell, seg, x, delay, dur, amp))
        return cli_usage_error("cell: --inject '%s': %s", spec, dtb_last_error_message());
    return 0;
}

static int add_record(dtb_mcell *cell, const char *spec)
{
    int64_t seg;
    double x;
    const char *rest;
    if (!parse_place(spec, &seg, &x, &rest) || *rest != ':' || !rest[1])
        return cli_usage_error("cell: --record '%s': expected SEG[@X]:VAR (VAR v or "
                               "DENSITY/GATE)", spec);
    if (dtb_mcell_add_recording(cell, seg, x, rest + 1, NULL))
        return cli_usage_error("cell: --record '%s': %s", spec, dtb_last_error_message());
    return 0;
}

typedef struct cell_args {
    const char *file;
    const char *out;
    double duration, dt;
    int64_t nseg;
    uint32_t method;
    double celsius;
    const char *injects[MAX_ITEMS], *records[MAX_ITEMS];
    size_t n_injects, n_records;
    int quiet;
} cell_args;

static int parse_args(int argc, char **argv, cell_args *a, int *help)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            *help = 1;
            return 0;
        }
        if (!strcmp(arg, "--quiet")) {
            a->quiet = 1;
            continue;
        }
        if (arg[0] != '-') {
            if (a->file)
                return cli_usage_error("cell: one file only ('%s' and '%s')", a->file, arg);
            a->file = arg;
            continue;
        }
        if (i + 1 >= argc)
            return cli_usage_error("cell: %s needs a value", arg);
        const char *v = argv[++i];
        if (!strcmp(arg, "--duration")) {
            if (!parse_ms(v, &a->duration))
                return cli_usage_error("cell: --duration '%s' is not a time", v);
        } else if (!strcmp(arg, "--dt")) {
            if (!parse_ms(v, &a->dt))
                return cli_usage_error("cell: --dt '%s' is not a time", v);
        } else if (!strcmp(arg, "--nseg")) {
            if (!cli_parse_int64(v, &a->nseg))
                return cli_usage_error("cell: --nseg '%s' is not a whole number", v);
        } else if (!strcmp(arg, "--temperature")) {
            if (!cli_parse_number(v, &a->celsius))
                return cli_usage_error("cell: --temperature '%s' is not a number (degC)", v);
        } else if (!strcmp(arg, "--method")) {
            if (!strcmp(v, "be"))
                a->method = DTB_MCELL_METHOD_BACKWARD_EULER;
            else if (!strcmp(v, "cn"))
                a->method = DTB_MCELL_METHOD_CRANK_NICOLSON;
            else
                return cli_usage_error("cell: --method '%s': use be or cn", v);
        } else if (!strcmp(arg, "--inject") || !strcmp(arg, "--record")) {
            int inject = arg[2] == 'i';
            size_t *n = inject ? &a->n_injects : &a->n_records;
            if (*n == MAX_ITEMS)
                return cli_usage_error("cell: more than %d %s", MAX_ITEMS, arg);
            (inject ? a->injects : a->records)[(*n)++] = v;
        } else if (!strcmp(arg, "--out")) {
            a->out = v;
        } else {
            return cli_usage_error("cell: unknown option '%s' (try 'dtb cell --help')", arg);
        }
    }
    if (!a->file)
        return cli_usage_error("cell: missing FILE.nml[#CELLID] (try 'dtb cell --help')");
    if (!a->n_records)
        return cli_usage_error("cell: nothing recorded: add --record SEG[@X]:v");
    return 0;
}

static int write_traces(const dtb_mcell *cell, const cell_args *a)
{
    int64_t n = dtb_mcell_trace_length(cell);
    double **col = calloc(a->n_records, sizeof *col);
    int rc = col ? 0 : cli_usage_error("cell: out of memory");
    for (size_t r = 0; !rc && r < a->n_records; r++) {
        if (!(col[r] = malloc((size_t)n * sizeof **col)))
            rc = cli_usage_error("cell: out of memory");
        else if (dtb_mcell_trace(cell, (int64_t)r, col[r], (size_t)n, NULL))
            rc = cli_usage_error("cell: %s", dtb_last_error_message());
    }
    out_file o;
    if (!rc && !(rc = out_dir_make("cell", a->out)) &&
        !(rc = out_file_open(&o, "cell", a->out, "traces.csv"))) {
        fprintf(o.f, "t_ms");
        for (size_t r = 0; r < a->n_records; r++)
            fprintf(o.f, ",%s", a->records[r]);
        fputc('\n', o.f);
        for (int64_t i = 0; i < n; i++) {
            fprintf(o.f, "%.17g", (double)i * a->dt);
            for (size_t r = 0; r < a->n_records; r++)
                fprintf(o.f, ",%.17g", col[r][i]);
            fputc('\n', o.f);
        }
        rc = out_file_close(&o);
    }
    size_t n_spikes = 0;
    double *spikes = NULL;
    if (!rc && dtb_mcell_spike_times(cell, NULL, 0, &n_spikes) == DTB_OK &&
        (spikes = malloc((n_spikes + 1) * sizeof *spikes)) &&
        dtb_mcell_spike_times(cell, spikes, n_spikes, NULL) == DTB_OK &&
        !(rc = out_file_open(&o, "cell", a->out, "spikes.csv"))) {
        fprintf(o.f, "t_ms\n");
        for (size_t k = 0; k < n_spikes; k++)
            fprintf(o.f, "%.17g\n", spikes[k]);
        rc = out_file_close(&o);
    }
    free(spikes);
    for (size_t r = 0; col && r < a->n_records; r++)
        free(col[r]);
    free(col);
    return rc;
}

int cmd_cell(int argc, char **argv)
{
    cell_args a = {.out = ".", .duration = 100, .dt = 0.025, .celsius = NAN};
    int help = 0;
    int rc = parse_args(argc, argv, &a, &help);
    if (rc || help) {
        if (help)
            print_help();
        return rc;
    }
    /* FILE#CELLID */
    char *path = strdup(a.file);
    if (!path)
        return cli_usage_error("cell: out of memory");
    char *hash = strrchr(path, '#');
    if (hash)
        *hash++ = '\0';
    dtb_mcell *cell = NULL;
    if (dtb_mcell_load(&cell, path, hash)) {
        rc = cli_usage_error("cell: %s", dtb_last_error_message());
        free(path);
        return rc;
    }
    free(path);
    if (a.nseg && dtb_mcell_set_nseg(cell, a.nseg))
        rc = cli_usage_error("cell: --nseg: %s", dtb_last_error_message());
    if (!rc && !isnan(a.celsius) && dtb_mcell_set_temperature(cell, a.celsius))
        rc = cli_usage_error("cell: --temperature: %s", dtb_last_error_message());
    if (!rc && dtb_mcell_set_method(cell, a.method))
        rc = cli_usage_error("cell: --method: %s", dtb_last_error_message());
    for (size_t i = 0; !rc && i < a.n_injects; i++)
        rc = add_inject(cell, a.injects[i]);
    for (size_t i = 0; !rc && i < a.n_records; i++)
        rc = add_record(cell, a.records[i]);
    double start = wall_seconds();
    dtb_status st = rc ? DTB_OK : dtb_mcell_run(cell, a.duration, a.dt);
    if (st == DTB_ESTATE || st == DTB_EINVAL) {   /* a missing temperature, a bad dt */
        rc = cli_usage_error("cell: %s", dtb_last_error_message());
    } else if (st) {
        cli_error("cell: %s", dtb_last_error_message());
        rc = EXIT_RUNTIME;
    }
    double wall = wall_seconds() - start;
    if (!rc)
        rc = write_traces(cell, &a);
    if (!rc && !a.quiet) {
        int64_t steps = dtb_mcell_trace_length(cell) - 1;
        printf("cell: %lld segments, %lld compartments, %lld steps of %g ms in %.3f s "
               "(%.3g compartment updates/s)\n  %s/traces.csv (%zu columns), spikes.csv\n",
               (long long)dtb_mcell_segment_count(cell), (long long)dtb_mcell_compartment_count(cell),
               (long long)steps, a.dt, wall,
               wall > 0 ? (double)dtb_mcell_compartment_count(cell) * (double)steps / wall : 0.0,
               a.out, a.n_records + 1);
    }
    dtb_mcell_free(cell);
    return rc;
}
