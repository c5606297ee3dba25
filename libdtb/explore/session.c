/* libdtb — around a sweep's or a fit's run (session.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A results folder holds:
 *   <kind>.settings   every setting of the run, one "name value" a line:
 *                     a rerun on the folder must have the same ones
 *   experiment.xml    the base experiment
 *   <kind>.csv        the results table, row by row
 *   provenance.json   "running" from the start; then written last,
 *                     atomically: libdtb's version, the time, how the run
 *                     ended, the rows the table holds (the results
 *                     folder's transaction, io/atomic_file.h, as for
 *                     dtb run) */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/folders.h"
#include "base/base.h"
#include "dtb/dtb_version.h"
#include "experiment/experiment.h"
#include "io/atomic_file.h"
#include "session.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

dtb_status dtb_explore_options_init(dtb_explore_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_EXPLORE_OPTIONS_VERSION,
                             "dtb_explore_options");
}

int32_t dtb_explore_has_mpi(void) { return dtb__mpi_built(); }

dtb_status dtb__session_open(dtb__session *s, const char *kind, const dtb_explore_options *o)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->size = 1;
    s->t_start = now_seconds();
    dtb_explore_options_init(&s->opts, DTB_EXPLORE_OPTIONS_VERSION);
    if (o) {
        dtb_status st = dtb__check_version(o->version, DTB_EXPLORE_OPTIONS_VERSION,
                                           "dtb_explore_options");
        if (st)
            return st;
        s->opts = *o;
    }
    const uint32_t known = DTB_EXPLORE_FLAG_KEEP_OUTPUTS | DTB_EXPLORE_FLAG_MPI |
                           DTB_EXPLORE_FLAG_SAME_SEED;
    if (s->opts.flags & ~known)
        return dtb__error(DTB_EINVAL, "dtb_explore_options: unknown flags 0x%x",
                          (unsigned)(s->opts.flags & ~known));
    if (s->opts.jobs < 0 || s->opts.jobs > 4096)
        return dtb__error(DTB_EINVAL, "jobs: %d is not a number of threads from 1 to 4096",
                          (int)s->opts.jobs);
    if (s->opts.batch < 0 || s->opts.batch > 64)
        return dtb__error(DTB_EINVAL, "batch: %d is not a number of points from 1 to 64",
                          (int)s->opts.batch);
    if ((s->opts.flags & DTB_EXPLORE_FLAG_KEEP_OUTPUTS) && !s->opts.out_dir)
        return dtb__error(DTB_EINVAL, "keep-outputs: give a results folder (out)");
    if (!s->opts.jobs)
        s->opts.jobs = 1;
    s->runner.threads = s->opts.jobs;
    s->runner.batch = s->opts.batch;
    s->runner.stop = &s->stop;
    if (s->opts.flags & DTB_EXPLORE_FLAG_MPI) {
        dtb_status st = dtb__mpi_session(s->opts.mpi_comm, &s->runner.mpi);
        if (st)
            return st;
        s->rank = dtb__mpi_session_rank(s->runner.mpi);
        s->size = dtb__mpi_session_size(s->runner.mpi);
        s->runner.use_mpi = s->size > 1;
    }
    if (s->opts.out_dir && dtb__session_leads(s)) {
        s->settings_path = dtb__asprintf("%s/%s.settings", s->opts.out_dir, kind);
        if (!s->settings_path)
            return DTB_ENOMEM;
    }
    return DTB_OK;
}

void dtb__session_close(dtb__session *s)
{
    for (size_t i = 0; i < s->n_settings; i++)
        free(s->settings[i]);
    free(s->settings);
    free(s->settings_path);
    dtb__mpi_session_free(s->runner.mpi);
    memset(s, 0, sizeof *s);
}

dtb_status dtb__session_add_setting(dtb__session *s, const char *name, const char *value)
{
    char **grown = dtb__realloc_array(s->settings, s->n_settings + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    s->settings = grown;
    char *line = dtb__asprintf("%s %s", name, value ? value : "");
    if (!line)
        return DTB_ENOMEM;
    /* one line each: a value never spans lines in the record */
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    grown[s->n_settings++] = line;
    return DTB_OK;
}

dtb_status dtb__session_add_experiment(dtb__session *s, const dtb_experiment *exp)
{
    dtb_status st = DTB_OK;
    for (int64_t i = 0; !st && i < dtb_experiment_setting_count(exp); i++)
        st = dtb__session_add_setting(s, dtb_experiment_setting_name(exp, i),
                                      dtb_experiment_setting_value(exp, i));
    return st;
}

dtb_status dtb__session_add_problem(dtb__session *s, const dtb__problem *p)
{
    dtb_status st = DTB_OK;
    for (size_t i = 0; !st && i < p->n_scores; i++)
        st = dtb__session_add_setting(s, "score", p->scores[i].spec);
    char t[40];
    dtb__number_text(t, sizeof t, p->transient);
    if (!st)
        st = dtb__session_add_setting(s, "transient", t);
    if (!st && p->empirical_bold)
        st = dtb__session_add_setting(s, "empirical-bold", p->empirical_bold);
    if (!st && p->same_seed)
        st = dtb__session_add_setting(s, "same-seed", "");
    return st;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The lines of the settings record of a folder (NULL: none). */
static dtb_status read_settings(const char *path, char ***lines, size_t *n)
{
    *lines = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? DTB_OK : dtb__error(DTB_EIO, "%s: cannot read", path);
    dtb__strbuf line = {0};
    int c;
    dtb_status st = DTB_OK;
    while (!st) {
        c = fgetc(f);
        if (c == EOF && !line.len)
            break;
        if (c == '\n' || c == EOF) {
            char **grown = dtb__realloc_array(*lines, *n + 1, sizeof *grown);
            if (!grown || line.failed) {
                free(grown ? NULL : NULL);
                st = DTB_ENOMEM;
                break;
            }
            *lines = grown;
            grown[(*n)++] = line.data ? line.data : dtb__strdup("");
            memset(&line, 0, sizeof line);
            if (c == EOF)
                break;
            continue;
        }
        dtb__strbuf_appendn(&line, (char[]){(char)c}, 1);
        if (line.len > 1 << 20)
            st = dtb__error(DTB_EPARSE, "%s: a line longer than 1 MiB", path);
    }
    dtb__strbuf_free(&line);
    fclose(f);
    return st;
}

static void free_lines(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

/* The first setting line that differs, said the way a user can act on. */
static dtb_status compare_settings(const dtb__session *s, char **old, size_t n_old)
{
    size_t n = s->n_settings < n_old ? s->n_settings : n_old;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->settings[i], old[i]) != 0)
            return dtb__error(DTB_EINVAL, "out %s holds a %s of other settings: it has '%s' where "
                                          "this one has '%s' (use another folder, or the same "
                                          "settings to resume it)",
                              s->opts.out_dir, s->kind, old[i], s->settings[i]);
    if (n_old != s->n_settings)
        return dtb__error(DTB_EINVAL, "out %s holds a %s of other settings: %s '%s' (use another "
                                      "folder, or the same settings to resume it)",
                          s->opts.out_dir, s->kind,
                          n_old > n ? "it has" : "this one adds",
                          n_old > n ? old[n] : s->settings[n]);
    return DTB_OK;
}

static dtb_status write_settings(const dtb__session *s)
{
    dtb__atomic_file a;
    dtb_status st = dtb__atomic_open(&a, s->settings_path);
    if (st)
        return st;
    for (size_t i = 0; i < s->n_settings; i++)
        fprintf(a.f, "%s\n", s->settings[i]);
    return dtb__atomic_commit(&a);
}

dtb_status dtb__session_prepare_dir(dtb__session *s, const dtb_experiment *exp, const char *table,
                                    int *resume)
{
    *resume = 0;
    char *table_path = dtb__asprintf("%s/%s", s->opts.out_dir, table);
    if (!table_path)
        return DTB_ENOMEM;
    char **old = NULL;
    size_t n_old = 0;
    dtb_status st = read_settings(s->settings_path, &old, &n_old);
    int has_table = exists(table_path);
    if (!st && has_table && !old)
        st = dtb__error(DTB_EINVAL, "out %s holds a %s without its settings record (%s.settings): "
                                    "use another folder", s->opts.out_dir, table, s->kind);
    if (!st && old)
        st = compare_settings(s, old, n_old);
    free_lines(old, n_old);
    /* another kind's table in the same folder is another exploration */
    static const char *const kinds[] = {"sweep", "fit", "reservoir"};
    for (size_t i = 0; !st && i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(s->kind, kinds[i]) == 0)
            continue;
        char *other_path = dtb__asprintf("%s/%s.csv", s->opts.out_dir, kinds[i]);
        if (!other_path)
            st = DTB_ENOMEM;
        else if (exists(other_path))
            st = dtb__error(DTB_EINVAL, "out %s holds a %s (%s.csv): use another folder",
                            s->opts.out_dir, kinds[i], kinds[i]);
        free(other_path);
    }
    if (!st)
        st = dtb__make_folders(s->opts.out_dir, "out");
    /* the previous record cannot outlive the run that now writes here */
    if (!st)
        st = dtb__results_mark_running(s->opts.out_dir, s->kind, &table, 1);
    if (!st)
        st = write_settings(s);
    char *xml = st ? NULL : dtb__asprintf("%s/experiment.xml", s->opts.out_dir);
    if (!st && !xml)
        st = DTB_ENOMEM;
    if (!st && exp)   /* (a reservoir of an atlas has no experiment) */
        st = dtb_experiment_save(exp, xml);
    s->has_experiment = !st && exp;
    free(xml);
    *resume = !st && has_table;
    free(table_path);
    return st;
}

dtb_status dtb__session_write_provenance(dtb__session *s, const dtb__problem *p, const char *table,
                                         int64_t rows, int64_t total, dtb_status run_status,
                                         const char *extra_json)
{
    char *path = dtb__asprintf("%s/provenance.json", s->opts.out_dir);
    if (!path)
        return DTB_ENOMEM;
    dtb__atomic_file a;
    dtb_status st = dtb__atomic_open(&a, path);
    free(path);
    if (st)
        return st;
    FILE *f = a.f;
    dtb__provenance_head(f, !run_status ? (rows == total ? "completed" : "stopped")
                            : run_status == DTB_ECANCELLED ? "stopped" : "failed",
                         run_status);
    fprintf(f, "  \"kind\": ");
    dtb__json_string(f, s->kind);
    fprintf(f, ",\n  \"experiment\": %s,\n  \"settings\": ",
            s->has_experiment ? "\"experiment.xml\"" : "null");
    char *name = dtb__asprintf("%s.settings", s->kind);
    dtb__json_string(f, name ? name : "");
    free(name);
    fprintf(f, ",\n  \"table\": ");
    dtb__json_string(f, table);
    fprintf(f, ",\n  \"rows\": %lld,\n  \"total\": %lld,\n", (long long)rows, (long long)total);
    fprintf(f, "  \"base_seed\": %llu,\n  \"seeds\": %s,\n", (unsigned long long)p->base_seed,
            p->same_seed ? "\"the base seed for every run\""
                         : "\"SplitMix64 of the base seed and the run's index\"");
    fprintf(f, "  \"threads\": %d,\n  \"batch\": %d,\n  \"ranks\": %d,\n",
            (int)s->opts.jobs, (int)s->opts.batch, s->size);
    fprintf(f, "  \"wall_seconds\": %.3f", now_seconds() - s->t_start);
    if (extra_json)
        fprintf(f, ",\n%s", extra_json);
    fprintf(f, "\n}\n");
    return dtb__atomic_commit(&a);
}

void dtb__number_text(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "nan");
    else
        dtb__format_double(buf, size, v);
}
