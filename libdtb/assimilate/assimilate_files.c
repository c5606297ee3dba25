/* libdtb — the files of an assimilation: estimates.csv, forecast.csv,
 * forecast_skill.csv and the figures (estimates.svg, forecast.svg).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    char *path = dtb__asprintf("%s/estimates.csv", dir);
    dtb__table t = {0};
    if (!st && !path)
        st = DTB_ENOMEM;
    if (!st)
        st = dtb__table_open(&t, path, (const char *const *)cols, nc, 0);
    dtb__row row = {0};
    for (size_t i = 0; !st && i < a->n_done; i++) {
        dtb__row_number(&row, a->times[i]);
        for (size_t j = 0; j < a->n_par; j++) {
            dtb__row_number(&row, a->means[i * a->n_par + j]);
            dtb__row_number(&row, a->sds[i * a->n_par + j]);
        }
        st = dtb__table_write(&t, &row);
    }
    dtb__row_free(&row);
    if (t.path) {
        dtb_status cst = dtb__table_close(&t);
        st = st ? st : cst;
    }
    free(path);
    for (size_t c = 0; c < nc; c++)
        free(cols[c]);
    free(cols);
    return st;
}

static dtb_status write_forecast(const dtb_assimilation *a, const char *dir)
{
    const size_t nc = 1 + a->n_obs;
    const char **cols = dtb__calloc(nc, sizeof *cols);
    char *path = dtb__asprintf("%s/forecast.csv", dir);
    dtb_status st = cols && path ? DTB_OK : DTB_ENOMEM;
    dtb__table t = {0};
    if (!st) {
        cols[0] = "t";
        for (size_t c = 0; c < a->n_obs; c++)
            cols[1 + c] = a->obs_names[c];
        st = dtb__table_open(&t, path, cols, nc, 0);
    }
    dtb__row row = {0};
    for (size_t i = 0; !st && i < a->n_done; i++) {
        dtb__row_number(&row, a->times[i]);
        dtb__row_numbers(&row, a->forecast + i * a->n_obs, a->n_obs);
        st = dtb__table_write(&t, &row);
    }
    dtb__row_free(&row);
    if (t.path) {
        dtb_status cst = dtb__table_close(&t);
        st = st ? st : cst;
    }
    free(path);
    free(cols);
    return st;
}

/* forecast_skill.csv: what,column,r - "column" rows (each column's r),
 * then "mean" (their mean) and "fc" (the FCs' r), column empty. */
static dtb_status write_skill(const dtb_assimilation *a, const char *dir)
{
    static const char *const cols[] = {"what", "column", "r"};
    char *path = dtb__asprintf("%s/forecast_skill.csv", dir);
    dtb_status st = path ? DTB_OK : DTB_ENOMEM;
    dtb__table t = {0};
    if (!st)
        st = dtb__table_open(&t, path, cols, 3, 0);
    dtb__row row = {0};
    for (size_t c = 0; !st && c < a->n_obs + 2; c++) {
        dtb__row_text(&row, c < a->n_obs ? "column" : c == a->n_obs ? "mean" : "fc");
        dtb__row_text(&row, c < a->n_obs ? a->obs_names[c] : "");
        dtb__row_number(&row, a->skill[c]);
        st = dtb__table_write(&t, &row);
    }
    dtb__row_free(&row);
    if (t.path) {
        dtb_status cst = dtb__table_close(&t);
        st = st ? st : cst;
    }
    free(path);
    return st;
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

dtb_status dtb__assimilation_write_files(const dtb_assimilation *a, const char *dir)
{
    dtb_status st = write_estimates(a, dir);
    if (!st)
        st = write_forecast(a, dir);
    if (!st && a->skill)
        st = write_skill(a, dir);
    if (!st)
        st = write_figures(a, dir);
    return st;
}
