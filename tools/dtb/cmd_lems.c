/* dtb lems — run a LEMS file's Simulation and write its OutputFiles and
 * Displays (what `jnml FILE -nogui` does).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "io/rowfile.h"
#include "lems_cli.h"
#include "lems_run/lems_run.h"

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
           "  --quiet             print nothing on success\n"
           "  --help              show this help\n"
           "\n"
           "Semantics and differences from jLEMS and pylems: dtb-lems(7).\n"
           "Exit status: 0 success, 2 bad arguments or an unreadable or invalid file, 1 the\n"
           "run or the writing failed.\n");
}

typedef struct sink {
    dtb__rowfile f;            /* whole rows only (io/rowfile.h), whatever ends the run */
    int open;
    char *path;
    size_t first, n;
    int events, id_first;      /* an EventOutputFile: "t id" (or "id t") lines */
    size_t output;
} sink;

typedef struct writer {
    sink *sinks;
    size_t n_sinks;
    int failed;
    volatile int stop;         /* set by a signal (signals.c) */
    int64_t rows;
    char error[512];           /* the first write error */
} writer;

static void request_stop(void *w) { ((writer *)w)->stop = 1; }

/* An OutputFile's or Display's name is a file under --out: not an absolute
 * path, and no '..' that would climb out of it. */
static int inside_out_dir(const char *name)
{
    if (!*name || name[0] == '/')
        return 0;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += len;
        if (*p == '/')
            p++;
    }
    return 1;
}

/* mkdir -p of the folders in `path` before its last '/'. */
static int make_parents(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

static int put_line(sink *k, const char *text)
{
    return dtb__rowfile_put(&k->f, text, strlen(text)) || dtb__rowfile_end_row(&k->f);
}

static int write_row(double t, const double *values, void *ud)
{
    writer *w = ud;
    for (size_t s = 0; s < w->n_sinks && !w->failed; s++) {
        sink *k = &w->sinks[s];
        if (k->events)
            continue;
        dtb_status st;
        char *p = dtb__rowfile_reserve(&k->f, (k->n + 1) * 33 + 1, &st), *start = p;
        if (!p) {
            w->failed = 1;
            break;
        }
        p += dtb__format_double(p, 33, t);
        for (size_t c = 0; c < k->n; c++) {
            *p++ = ' ';
            p += dtb__format_double(p, 33, values[k->first + c]);
        }
        *p++ = '\n';
        dtb__rowfile_advance(&k->f, (size_t)(p - start));
        if (dtb__rowfile_end_row(&k->f))
            w->failed = 1;
    }
    if (w->failed && !w->error[0])
        snprintf(w->error, sizeof w->error, "%s", dtb_last_error_message());
    w->rows++;
    return w->failed || w->stop;
}

static void write_event(size_t output, const char *id, double t, void *ud)
{
    writer *w = ud;
    char num[40];
    dtb__format_double(num, sizeof num, t);
    for (size_t s = 0; s < w->n_sinks; s++) {
        sink *k = &w->sinks[s];
        if (!k->events || k->output != output)
            continue;
        char *line = k->id_first ? dtb__asprintf("%s %s\n", id, num) : dtb__asprintf("%s %s\n", num, id);
        if (!line || put_line(k, line)) {
            if (!w->failed)
                snprintf(w->error, sizeof w->error, "%s", dtb_last_error_message());
            w->failed = 1;
        }
        free(line);
    }
}

static int open_sinks(const dtb__lr_sim *sim, const char *out_dir, writer *w)
{
    size_t n = dtb__lr_output_count(sim);
    /* every name checked before any file is made */
    for (size_t i = 0; i < n; i++) {
        const dtb__lr_output *o = dtb__lr_output_at(sim, i);
        if (!inside_out_dir(o->name))
            return cli_usage_error("%s '%s' names a file outside the output folder (an absolute "
                                   "path or '..'); its files are written under --out only",
                                   o->is_display ? "Display" : o->is_events ? "EventOutputFile"
                                                                            : "OutputFile", o->name);
    }
    w->sinks = calloc(n ? n : 1, sizeof *w->sinks);
    if (!w->sinks)
        return cli_usage_error("out of memory");
    for (size_t i = 0; i < n; i++) {
        const dtb__lr_output *o = dtb__lr_output_at(sim, i);
        sink *k = &w->sinks[w->n_sinks];
        k->path = dtb__asprintf("%s%s%s%s", out_dir ? out_dir : "", out_dir ? "/" : "", o->name,
                                o->is_display ? ".dat" : "");
        k->first = o->first_column;
        k->n = o->n_columns;
        k->events = o->is_events;
        k->id_first = o->id_first;
        k->output = i;
        if (!k->path)
            return cli_usage_error("out of memory");
        w->n_sinks++;
        if (make_parents(k->path) != 0)
            return cli_usage_error("cannot write '%s': %s", k->path, strerror(errno));
        if (dtb__rowfile_create(&k->f, k->path, NULL, 0))
            return cli_usage_error("%s", dtb_last_error_message());
        k->open = 1;
    }
    return 0;
}

static int close_sinks(writer *w, int report)
{
    int rc = 0;
    for (size_t s = 0; s < w->n_sinks; s++) {
        sink *k = &w->sinks[s];
        if (k->open && dtb__rowfile_close(&k->f) && !rc) {
            cli_error("%s", dtb_last_error_message());
            rc = EXIT_RUNTIME;
        }
        if (report && !rc && k->events)
            printf("  %s (events)\n", k->path);
        else if (report && !rc)
            printf("  %s (%zu column%s)\n", k->path, k->n + 1, k->n ? "s" : "");
        free(k->path);
    }
    free(w->sinks);
    return rc;
}

int cmd_lems(int argc, char **argv)
{
    lems_args a = {0};
    const char *out_dir = NULL, *sim_id = NULL;
    int quiet = 0, has_seed = 0;
    uint64_t seed = 0;
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
            else if (dtb__parse_int64(v, &s))
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
    dtb__lems_doc doc = {0};
    if (!rc)
        rc = lems_load(&a, &doc);
    dtb__lr_sim *sim = NULL;
    dtb__lr_options opts = {sim_id, has_seed, seed};
    if (!rc && dtb__lr_create(&doc, &opts, &sim)) {
        cli_error("%s", dtb_last_error_message());
        rc = EXIT_USAGE;
    }
    writer w = {0};
    if (!rc && out_dir && make_parents(out_dir) == 0 && mkdir(out_dir, 0777) != 0 && errno != EEXIST)
        rc = cli_usage_error("--out: cannot create folder '%s': %s", out_dir, strerror(errno));
    if (!rc)
        rc = open_sinks(sim, out_dir, &w);
    double start = wall_seconds();
    if (!rc)
        dtb__lr_on_event(sim, write_event, &w);
    cli_signals_install();
    cli_signals_target(request_stop, &w);
    /* Numbers are written with a decimal point whatever the locale. */
    dtb__locale_guard locale;
    dtb__locale_push_c(&locale);
    if (!rc && dtb__lr_run(sim, write_row, &w)) {
        if (w.stop && !w.failed) {
            fprintf(stderr, "dtb: interrupted after %" PRId64 " rows; the files hold them whole\n",
                    w.rows);
            rc = EXIT_INTERRUPTED;
        } else {
            cli_error("%s", w.error[0] ? w.error : dtb_last_error_message());
            rc = EXIT_RUNTIME;
        }
    }
    cli_signals_target(NULL, NULL);
    dtb__locale_pop(&locale);
    double seconds = wall_seconds() - start;
    if (!rc && !quiet)
        printf("dtb lems: %s: %zu instances, %" PRId64 " steps of %g s in %.3g s; wrote:\n", a.file,
               dtb__lr_instance_count(sim), dtb__lr_steps(sim), dtb__lr_dt(sim), seconds);
    int close_rc = w.sinks ? close_sinks(&w, !rc && !quiet) : 0;
    if (!rc)
        rc = close_rc;
    dtb__lr_free(sim);
    dtb__lems_doc_free(&doc);
    lems_args_free(&a);
    return rc;
}
