/* dtb plot — the figures: time series of chosen regions (raw, tavg, BOLD,
 * EEG, rates), spectra, FC and FCD heat maps, spike rasters.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "plot_figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot_read.h"

#define MAX_SERIES 12
#define MAX_POINTS 2000

static int lib_failure(const char *what)
{
    return cli_usage_error("plot: %s: %s", what, dtb_last_error_message());
}

/* "V.12" -> prefix length 1 and region 12; 0 if the name has no ".k". */
static int split_column(const char *name, size_t *prefix, int64_t *region)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot || !dot[1])
        return 0;
    char *end;
    long long k = strtoll(dot + 1, &end, 10);
    if (*end || k < 0)
        return 0;
    *prefix = (size_t)(dot - name);
    *region = (int64_t)k;
    return 1;
}

/* The data column of region k in the first variable's block, or 0. */
static size_t column_of_region(const plot_table *h, int64_t k)
{
    if (!h->names)
        return k + 1 < (int64_t)h->cols ? (size_t)k + 1 : 0;
    size_t p0, p;
    int64_t r;
    if (!split_column(h->names[1], &p0, &r))
        return 0;
    for (size_t c = 1; c < h->cols; c++)
        if (split_column(h->names[c], &p, &r) && r == k && p == p0 &&
            !strncmp(h->names[c], h->names[1], p))
            return c;
    return 0;
}

/* Columns to draw: those of the listed regions that this file has
 * (indices, atlas labels, or column names such as electrode names), else up
 * to six spread over the first variable's columns. */
static int choose_columns(const figure_request *r, const plot_table *h, size_t *sel, size_t *n_sel)
{
    *n_sel = 0;
    if (r->regions) {
        char *list = strdup(r->regions);
        if (!list)
            return cli_usage_error("out of memory");
        for (char *tok = strtok(list, ","); tok && *n_sel < MAX_SERIES; tok = strtok(NULL, ",")) {
            int64_t k;
            size_t c = 0;
            for (size_t i = 1; h->names && i < h->cols && !c; i++)
                if (!strcmp(h->names[i], tok))
                    c = i;
            if (!c && cli_parse_int64(tok, &k))
                c = column_of_region(h, k);
            else if (!c && r->atlas && dtb_atlas_find_region(r->atlas, tok, &k) == DTB_OK)
                c = column_of_region(h, k);
            if (c)
                sel[(*n_sel)++] = c;
        }
        free(list);
        if (*n_sel)
            return 0;
    }
    size_t block = h->cols - 1, p0, p;
    int64_t k;
    if (h->names && split_column(h->names[1], &p0, &k)) {
        block = 0;
        while (block + 1 < h->cols && split_column(h->names[block + 1], &p, &k) && p == p0 &&
               !strncmp(h->names[block + 1], h->names[1], p))
            block++;
    }
    size_t n = block <= 8 ? block : 6;
    for (size_t i = 0; i < n; i++)
        sel[(*n_sel)++] = 1 + (n > 1 && block > 8 ? (size_t)llround((double)i * (double)(block - 1) /
                                                                      (double)(n - 1)) : i);
    return 0;
}

/* Legend text: the column name, with the atlas label of its region. */
static char *legend_of(const figure_request *r, const plot_table *h, size_t c)
{
    size_t p;
    int64_t k;
    const char *name = h->names ? h->names[c] : NULL;
    if (!name)
        return cli_format("column %zu", c);
    const char *label = r->atlas && split_column(name, &p, &k) ? dtb_atlas_region_label(r->atlas, k)
                                                               : NULL;
    return label ? cli_format("%s (%s)", name, label) : strdup(name);
}

static const char *series_title(const char *kind)
{
    static const struct { const char *kind, *title; } titles[] = {
        {"raw", "Raw recording"},      {"subsample", "Subsampled recording"},
        {"tavg", "Temporal average"},  {"bold", "BOLD signal"},
        {"eeg", "EEG (average reference)"}, {"meg", "MEG"}, {"seeg", "SEEG"},
        {"rate", "Population rate (threshold crossings)"}};
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (!strcmp(kind, titles[i].kind))
            return titles[i].title;
    return kind;
}

/* Line chart of table columns sel (x: column 0), legends from h. */
static int draw_lines(const figure_request *r, const plot_table *h, const plot_table *t,
                      const size_t *sel, size_t n_sel, const char *title, const char *x_label,
                      const char *y_label, int log_y)
{
    double *x = malloc((t->rows + 1) * sizeof *x);
    double *y = malloc((t->rows * n_sel + 1) * sizeof *y);
    char *names[MAX_SERIES] = {0};
    int rc = x && y ? 0 : cli_usage_error("out of memory");
    for (size_t i = 0; !rc && i < t->rows; i++) {
        x[i] = t->data[i * t->cols];
        for (size_t s = 0; s < n_sel; s++)
            y[s * t->rows + i] = t->data[i * t->cols + 1 + s];
    }
    for (size_t s = 0; !rc && s < n_sel; s++) {
        names[s] = legend_of(r, h, sel[s]);
    }
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.flags = log_y ? DTB_PLOT_FLAG_LOG_Y : 0;
    o.title = title;
    o.x_label = x_label;
    o.y_label = y_label;
    if (!rc && dtb_plot_lines(r->svg, x, y, t->rows, n_sel, (const char *const *)names, &o))
        rc = lib_failure(r->svg);
    for (size_t s = 0; s < n_sel; s++)
        free(names[s]);
    free(x);
    free(y);
    return rc;
}

int figure_series(const figure_request *r)
{
    plot_table h, t = {0};
    size_t sel[MAX_SERIES], n_sel;
    int rc = plot_read_header(r->path, &h);
    if (rc)
        return rc;
    if (h.cols < 2) {
        plot_table_free(&h);
        return cli_usage_error("plot %s: no data columns", r->path);
    }
    rc = choose_columns(r, &h, sel, &n_sel);
    if (!rc)
        rc = plot_read_series(r->path, sel, n_sel, MAX_POINTS, &t);
    char title[256];
    snprintf(title, sizeof title, "%s (%s)", series_title(r->kind), r->path);
    const char *y_label = !strcmp(r->kind, "bold") ? "BOLD (fraction of rest)"
                          : !strcmp(r->kind, "eeg") ? "scalp potential (V per A m of source)"
                          : !strcmp(r->kind, "rate") ? "crossings per region per second"
                                                     : "value";
    if (!rc)
        rc = draw_lines(r, &h, &t, sel, n_sel, title, "time (s)", y_label, 0);
    plot_table_free(&h);
    plot_table_free(&t);
    return rc;
}

int figure_psd(const figure_request *r)
{
    plot_table m;
    size_t sel[MAX_SERIES], n_sel;
    int rc = plot_read_matrix(r->path, &m);
    if (rc)
        return rc;
    if (m.cols < 2 || m.rows < 2) {
        plot_table_free(&m);
        return cli_usage_error("plot %s: no spectrum yet (a run shorter than one segment?)", r->path);
    }
    rc = choose_columns(r, &m, sel, &n_sel);
    plot_table t = {m.rows, 1 + n_sel, malloc((m.rows * (1 + n_sel) + 1) * sizeof(double)), NULL};
    if (!rc && !t.data)
        rc = cli_usage_error("out of memory");
    for (size_t i = 0; !rc && i < m.rows; i++) {
        t.data[i * t.cols] = m.data[i * m.cols];
        for (size_t s = 0; s < n_sel; s++)
            t.data[i * t.cols + 1 + s] = m.data[i * m.cols + sel[s]];
    }
    char title[256];
    snprintf(title, sizeof title, "Power spectral density, Welch (%s)", r->path);
    if (!rc)
        rc = draw_lines(r, &m, &t, sel, n_sel, title, "frequency (Hz)", "power per Hz", 1);
    free(t.data);
    plot_table_free(&m);
    return rc;
}

int figure_matrix(const figure_request *r)
{
    plot_table m;
    int rc = plot_read_matrix(r->path, &m);
    if (rc)
        return rc;
    const int fc = !strcmp(r->kind, "fc");
    if (m.rows == 0 || m.rows != m.cols) {
        plot_table_free(&m);
        return cli_usage_error("plot %s: not a square matrix with rows (%zu x %zu)%s", r->path,
                               m.rows, m.cols, fc ? "" : "; too short a run for one window?");
    }
    char title[256];
    snprintf(title, sizeof title, "%s (%s)",
             fc ? "Functional connectivity (Pearson)" : "Functional connectivity dynamics",
             r->path);
    const char *const *labels = (const char *const *)m.names;
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.flags = DTB_PLOT_FLAG_DIVERGING;
    o.title = title;
    o.x_label = o.y_label = fc ? "region" : "window centre (s)";
    o.value_label = fc ? "r" : "similarity";
    o.vmin = fc ? -1 : 0;
    o.vmax = fc ? 1 : 0;
    if (dtb_plot_heatmap(r->svg, m.data, m.rows, m.cols, labels, labels, &o))
        rc = lib_failure(r->svg);
    plot_table_free(&m);
    return rc;
}

int figure_spikes(const figure_request *r)
{
    plot_table m;
    int rc = plot_read_matrix(r->path, &m);
    if (rc)
        return rc;
    if (m.cols != 2) {
        plot_table_free(&m);
        return cli_usage_error("plot %s: expected two columns, t and unit", r->path);
    }
    double *t = malloc((m.rows + 1) * sizeof *t), *u = malloc((m.rows + 1) * sizeof *u);
    double top = 0;
    for (size_t i = 0; t && u && i < m.rows; i++) {
        t[i] = m.data[2 * i];
        u[i] = m.data[2 * i + 1];
        top = fmax(top, u[i]);
    }
    char title[256];
    snprintf(title, sizeof title, "Spikes: threshold crossings (%s)", r->path);
    dtb_plot_options o = DTB_PLOT_OPTIONS_INIT;
    o.title = title;
    if (!t || !u)
        rc = cli_usage_error("out of memory");
    else if (dtb_plot_raster(r->svg, t, u, m.rows, (size_t)top + 1, &o))
        rc = lib_failure(r->svg);
    free(t);
    free(u);
    plot_table_free(&m);
    return rc;
}
