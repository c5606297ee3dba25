/* libdtb — the files of an assimilation: estimates.csv, forecast.csv,
 * forecast_skill.csv, the figures (estimates.svg, forecast.svg) and
 * provenance.json.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The folder is a transaction (io/atomic_file.h): provenance.json says
 * "running" (and the previous run's result files are gone) before the
 * members start; every file is written whole under a temporary name and
 * renamed, so a name holds a whole file or nothing whatever ends the run
 * (a kill, a full disk); provenance.json, last, says the state (completed,
 * stopped, failed) and which files hold how many rows. A run killed before
 * that leaves the folder marked "running". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.h"
#include "io/folders.h"
#include "base/base.h"
#include "dtb/dtb_plot.h"
#include "experiment/experiment_build.h"
#include "explore/explore.h"

#include "assimilation.h"

/* Forecast figure: at most this many columns, each with its data. */
#define FIGURE_COLUMNS 4

static const char *const file_names[] = {"estimates.csv", "forecast.csv", "forecast_skill.csv",
                                         "estimates.svg", "forecast.svg"};
enum { N_FILES = sizeof file_names / sizeof file_names[0], N_TABLES = 3 };

dtb_status dtb__assimilation_prepare_dir(const dtb_assimilation *a, const char *dir)
{
    dtb_status st = dtb__make_folders(dir, "out");
    const char *others[1] = {a->data_path};
    for (size_t i = 0; !st && i < sizeof file_names / sizeof file_names[0]; i++) {
        char *path = dtb__asprintf("%s/%s", dir, file_names[i]);
        if (!path)
            return DTB_ENOMEM;
        st = dtb__experiment_check_write(a->exp, "out", path, others, 1);
        free(path);
    }
    return st;
}

dtb_status dtb__assimilation_mark_running(const dtb_assimilation *a, const char *dir)
{
    (void)a;
    dtb_status st = dtb__results_mark_running(dir, "assimilate", file_names, N_FILES);
    /* the previous run's files: its record is gone */
    for (size_t i = 0; !st && i < N_FILES; i++) {
        char *path = dtb__asprintf("%s/%s", dir, file_names[i]);
        if (!path)
            return DTB_ENOMEM;
        if (unlink(path) != 0 && errno != ENOENT)
            st = dtb__error(DTB_EIO, "%s: cannot remove the previous run's file: %s", path,
                            strerror(errno));
        free(path);
    }
    return st;
}

/* A table written under a hidden temporary name beside `path`, renamed
 * over it when whole. */
typedef struct staged_table {
    dtb__table t;
    char *path, *tmp;
} staged_table;

static dtb_status staged_open(staged_table *s, const char *dir, const char *name,
                              const char *const *cols, size_t nc)
{
    memset(s, 0, sizeof *s);
    s->path = dtb__asprintf("%s/%s", dir, name);
    s->tmp = dtb__asprintf("%s/.%s.tmp", dir, name);
    if (!s->path || !s->tmp)
        return DTB_ENOMEM;
    return dtb__table_open(&s->t, s->tmp, cols, nc, 0);
}

/* Close; if everything went (st OK) rename, else remove the temporary
 * file. Always frees. */
static dtb_status staged_close(staged_table *s, dtb_status st)
{
    if (s->t.path) {
        dtb_status cst = dtb__table_close(&s->t);
        st = st ? st : cst;
    }
    if (!st && rename(s->tmp, s->path) != 0)
        st = dtb__error(DTB_EIO, "%s: cannot rename it into place: %s", s->path, strerror(errno));
    if (st && s->tmp)
        unlink(s->tmp);
    free(s->path);
    free(s->tmp);
    return st;
}

static dtb_status write_estimates(const dtb_assimilation *a, const char *dir)
{
    const size_t nc = 1 + 2 * a->n_par;
    char **cols = dtb__calloc(nc, sizeof *cols);
    if (!cols)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    cols[0] = dtb__strdup("t");
    for (size_t j = 0; j < a->n_par; j++) {
        cols[1 + 2 * j] = dtb__asprintf("%s.mean", a->par_name[j]);
        cols[2 + 2 * j] = dtb__asprintf("%s.sd", a->par_name[j]);
    }
    for (size_t c = 0; c < nc; c++)
        if (!cols[c])
            st = DTB_ENOMEM;
    staged_table t;
    if (!st) {
        st = staged_open(&t, dir, "estimates.csv", (const char *const *)cols, nc);
        dtb__row row = {0};
        for (size_t i = 0; !st && i < a->n_done; i++) {
            dtb__row_number(&row, a->times[i]);
            for (size_t j = 0; j < a->n_par; j++) {
                dtb__row_number(&row, a->means[i * a->n_par + j]);
                dtb__row_number(&row, a->sds[i * a->n_par + j]);
            }
            st = dtb__table_write(&t.t, &row);
        }
        dtb__row_free(&row);
        st = staged_close(&t, st);
    }
    for (size_t c = 0; c < nc; c++)
        free(cols[c]);
    free(cols);
    return st;
}

static dtb_status write_forecast(const dtb_assimilation *a, const char *dir)
{
    const size_t nc = 1 + a->n_obs;
    const char **cols = dtb__calloc(nc, sizeof *cols);
    if (!cols)
        return DTB_ENOMEM;
    cols[0] = "t";
    for (size_t c = 0; c < a->n_obs; c++)
        cols[1 + c] = a->obs_names[c];
    staged_table t;
    dtb_status st = staged_open(&t, dir, "forecast.csv", cols, nc);
    dtb__row row = {0};
    for (size_t i = 0; !st && i < a->n_done; i++) {
        dtb__row_number(&row, a->times[i]);
        dtb__row_numbers(&row, a->forecast + i * a->n_obs, a->n_obs);
        st = dtb__table_write(&t.t, &row);
    }
    dtb__row_free(&row);
    free(cols);
    return staged_close(&t, st);
}

/* forecast_skill.csv: what,column,r - "column" rows (each column's r),
 * then "mean" (their mean) and "fc" (the FCs' r), column empty. */
static dtb_status write_skill(const dtb_assimilation *a, const char *dir)
{
    static const char *const cols[] = {"what", "column", "r"};
    staged_table t;
    dtb_status st = staged_open(&t, dir, "forecast_skill.csv", cols, 3);
    dtb__row row = {0};
    for (size_t c = 0; !st && c < a->n_obs + 2; c++) {
        dtb__row_text(&row, c < a->n_obs ? "column" : c == a->n_obs ? "mean" : "fc");
        dtb__row_text(&row, c < a->n_obs ? a->obs_names[c] : "");
        dtb__row_number(&row, a->skill[c]);
        st = dtb__table_write(&t.t, &row);
    }
    dtb__row_free(&row);
    return staged_close(&t, st);
}

/* estimates.svg: each parameter's mean and mean ± sd; forecast.svg: the
 * first columns' forecasts with the recording. */
static dtb_status write_figures(const dtb_assimilation *a, const char *dir)
{
    const size_t n = a->n_done, np = a->n_par;
    const size_t nf = a->n_obs < FIGURE_COLUMNS ? a->n_obs : FIGURE_COLUMNS;
    const size_t ns = np * 3 > 2 * nf ? np * 3 : 2 * nf;
    double *y = dtb__calloc(ns * n, sizeof *y);
    char **names = dtb__calloc(ns, sizeof *names);
    char *path = dtb__asprintf("%s/estimates.svg", dir);
    dtb_status st = y && names && path ? DTB_OK : DTB_ENOMEM;
    for (size_t j = 0; !st && j < np; j++) {
        for (size_t i = 0; i < n; i++) {
            const double m = a->means[i * np + j], s = a->sds[i * np + j];
            y[(3 * j) * n + i] = m;
            y[(3 * j + 1) * n + i] = m - s;
            y[(3 * j + 2) * n + i] = m + s;
        }
        names[3 * j] = dtb__strdup(a->par_name[j]);
        names[3 * j + 1] = dtb__asprintf("%s - sd", a->par_name[j]);
        names[3 * j + 2] = dtb__asprintf("%s + sd", a->par_name[j]);
    }
    dtb_plot_options po = DTB_PLOT_OPTIONS_INIT;
    po.title = "estimates: ensemble mean and mean +- sd";
    po.x_label = "time (s)";
    po.y_label = "value";
    if (!st)
        st = dtb_plot_lines(path, a->times, y, n, 3 * np, (const char *const *)names, &po);
    for (size_t s = 0; names && s < ns; s++) {
        free(names[s]);
        names[s] = NULL;
    }
    free(path);
    path = st ? NULL : dtb__asprintf("%s/forecast.svg", dir);
    if (!st && !path)
        st = DTB_ENOMEM;
    for (size_t c = 0; !st && c < nf; c++) {
        for (size_t i = 0; i < n; i++) {
            y[(2 * c) * n + i] = a->forecast[i * a->n_obs + c];
            y[(2 * c + 1) * n + i] = a->data[i * a->n_obs + c];
        }
        names[2 * c] = dtb__asprintf("%s forecast", a->obs_names[c]);
        names[2 * c + 1] = dtb__asprintf("%s data", a->obs_names[c]);
    }
    po.title = "one-step-ahead forecasts and the recording";
    po.y_label = "signal";
    if (!st)
        st = dtb_plot_lines(path, a->times, y, n, 2 * nf, (const char *const *)names, &po);
    for (size_t s = 0; names && s < ns; s++)
        free(names[s]);
    free(names);
    free(path);
    free(y);
    return st;
}

/* provenance.json, last: the state, the samples, and the files this run
 * wrote whole (written[i] for file_names[i]) with their rows. */
static dtb_status write_provenance(const dtb_assimilation *a, const char *dir,
                                   dtb_status run_st, const int written[N_FILES])
{
    char *path = dtb__asprintf("%s/provenance.json", dir);
    if (!path)
        return DTB_ENOMEM;
    dtb__atomic_file f;
    dtb_status st = dtb__atomic_open(&f, path);
    free(path);
    if (st)
        return st;
    const char *state = !run_st && a->n_done == a->n_samples ? "completed"
                        : run_st == DTB_ECANCELLED          ? "stopped"
                                                            : "failed";
    dtb__provenance_head(f.f, state, run_st);
    if (run_st && run_st != DTB_ECANCELLED) {
        fprintf(f.f, "  \"error\": ");
        dtb__json_string(f.f, dtb_last_error_message());
        fprintf(f.f, ",\n");
    }
    fprintf(f.f, "  \"kind\": \"assimilate\",\n  \"data\": ");
    dtb__json_string(f.f, a->data_path);
    fprintf(f.f, ",\n  \"samples\": %zu,\n  \"total\": %zu,\n  \"members\": %d,\n"
                 "  \"base_seed\": %llu,\n  \"outputs\": [",
            a->n_done, a->n_samples, (int)a->opts.members, (unsigned long long)a->seed);
    const size_t rows[N_TABLES] = {a->n_done, a->n_done, a->n_obs + 2};
    int first = 1;
    for (size_t i = 0; i < N_TABLES; i++)
        if (written[i]) {
            fprintf(f.f, "%s\n    {\"file\": \"%s\", \"kind\": \"%s\", \"samples\": %zu}",
                    first ? "" : ",", file_names[i], i == 2 ? "text" : "table", rows[i]);
            first = 0;
        }
    fprintf(f.f, "%s],\n  \"figures\": [", first ? "" : "\n  ");
    first = 1;
    for (size_t i = N_TABLES; i < N_FILES; i++)
        if (written[i]) {
            fprintf(f.f, "%s\"%s\"", first ? "" : ", ", file_names[i]);
            first = 0;
        }
    fprintf(f.f, "]\n}\n");
    return dtb__atomic_commit(&f);
}

dtb_status dtb__assimilation_write_files(const dtb_assimilation *a, const char *dir,
                                         dtb_status run_st)
{
    int written[N_FILES] = {0};
    dtb_status st = DTB_OK;
    if (a->n_done) {
        st = write_estimates(a, dir);
        written[0] = !st;
        if (!st)
            written[1] = !(st = write_forecast(a, dir));
        if (!st && a->skill)
            written[2] = !(st = write_skill(a, dir));
        if (!st)
            written[3] = written[4] = !(st = write_figures(a, dir));
    }
    /* a failure to write is the run's failure, named in the record */
    dtb_status pst = write_provenance(a, dir, run_st ? run_st : st, written);
    return st ? st : pst;
}
