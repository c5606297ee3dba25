/* dtb plot --brain — a results file on the brain: for a time series of
 * regions (tavg, raw, BOLD, ...) each region's mean of the first variable
 * as node colours and the FC of that variable as the strongest edges; for
 * fc.csv each region's mean correlation with the others and the FC itself.
 * Drawn by the library's dtb_plot_brain() on the atlas' MNI centres.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot_figures.h"
#include "plot_read.h"

/* The columns of the first variable's block ("S_e.0" ... "S_e.<n-1>") of a
 * CSV header, in region order; 0 when the file is not one region per
 * column of that variable. NPY files (no names) are taken as regions after
 * the time column. */
static int region_columns(const plot_table *h, size_t n, size_t *cols, char *var, size_t var_size)
{
    if (!h->names) {
        snprintf(var, var_size, "value");
        for (size_t k = 0; k < n; k++)
            cols[k] = k + 1;
        return h->cols >= n + 1;
    }
    const char *dot = h->cols > 1 ? strrchr(h->names[1], '.') : NULL;
    if (!dot)
        return 0;
    size_t p = (size_t)(dot - h->names[1]);
    snprintf(var, var_size, "%.*s", (int)p, h->names[1]);
    for (size_t k = 0; k < n; k++) {
        char want[300];
        snprintf(want, sizeof want, "%s.%zu", var, k);
        size_t c = 1 + k;
        if (c >= h->cols || strcmp(h->names[c], want) != 0)
            return 0;
        cols[k] = c;
    }
    return 1;
}

static int draw(const figure_request *r, const double *values, const double *edges, size_t n,
                const char *title, const char *value_label, int diverging)
{
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.title = title;
    o.value_label = value_label;
    o.flags = diverging ? DTB_PLOT_FLAG_DIVERGING : 0;
    if (dtb_plot_brain(r->svg, r->atlas, values, n, edges, n * n, &o))
        return cli_usage_error("plot --brain %s: %s", r->path, dtb_last_error_message());
    return 0;
}

/* An FC of several variables (n_vars x n regions square) is drawn for its
 * first variable's block, the top-left n x n. */
static int brain_of_fc(const figure_request *r, const plot_table *m, size_t n)
{
    if (m->rows != m->cols || !n || m->rows % n != 0)
        return cli_usage_error("plot --brain %s: a %zu x %zu matrix; atlas '%s' has %zu regions "
                               "(give the run's atlas with --atlas)", r->path, m->rows, m->cols,
                               dtb_atlas_name(r->atlas), n);
    double *strength = malloc(n * sizeof *strength), *fc = malloc(n * n * sizeof *fc);
    if (!strength || !fc) {
        free(strength);
        free(fc);
        return cli_usage_error("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {
            fc[i * n + j] = m->data[i * m->cols + j];
            if (j != i && isfinite(fc[i * n + j]))
                s += fc[i * n + j], k++;
        }
        strength[i] = k ? s / (double)k : NAN;
    }
    char title[512], var[256] = "";
    const char *dot = m->names ? strrchr(m->names[0], '.') : NULL;
    if (dot)
        snprintf(var, sizeof var, " of %.*s", (int)(dot - m->names[0]), m->names[0]);
    snprintf(title, sizeof title, "Functional connectivity%s on the brain (%s)", var, r->path);
    int rc = draw(r, strength, fc, n, title, "mean r", 1);
    free(strength);
    free(fc);
    return rc;
}

static int brain_of_series(const figure_request *r, const plot_table *m, size_t n)
{
    size_t *cols = malloc((n ? n : 1) * sizeof *cols);
    double *x = m->rows ? malloc(m->rows * n * sizeof *x) : NULL;
    double *mean = malloc((n ? n : 1) * sizeof *mean), *fc = malloc((n ? n * n : 1) * sizeof *fc);
    char var[256];
    int rc = cols && mean && fc && (x || !m->rows) ? 0 : cli_usage_error("out of memory");
    if (!rc && !region_columns(m, n, cols, var, sizeof var))
        rc = cli_usage_error("plot --brain %s: not one column per region of atlas '%s' (%zu "
                             "regions; give the run's atlas with --atlas)", r->path,
                             dtb_atlas_name(r->atlas), n);
    if (!rc && m->rows < 2)
        rc = cli_usage_error("plot --brain %s: %zu sample(s); FC needs two or more", r->path,
                             m->rows);
    for (size_t k = 0; !rc && k < n; k++) {
        double s = 0;
        for (size_t t = 0; t < m->rows; t++)
            s += (x[t * n + k] = m->data[t * m->cols + cols[k]]);
        mean[k] = s / (double)m->rows;
    }
    if (!rc && dtb_analysis_fc(fc, x, m->rows, n))
        rc = cli_usage_error("plot --brain %s: %s", r->path, dtb_last_error_message());
    char title[512], label[300];
    snprintf(title, sizeof title, "Mean %s and its FC on the brain (%s)", var, r->path);
    snprintf(label, sizeof label, "mean %s", var);
    if (!rc)
        rc = draw(r, mean, fc, n, title, label, 0);
    free(cols);
    free(x);
    free(mean);
    free(fc);
    return rc;
}

int figure_brain(const figure_request *r)
{
    if (!r->atlas)
        return cli_usage_error("plot --brain %s: no atlas", r->path);
    const size_t n = (size_t)dtb_atlas_region_count(r->atlas);
    plot_table m;
    int rc = plot_read_matrix(r->path, &m);
    if (rc)
        return rc;
    rc = !strcmp(r->kind, "fc") ? brain_of_fc(r, &m, n) : brain_of_series(r, &m, n);
    plot_table_free(&m);
    return rc;
}
