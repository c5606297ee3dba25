/* libdtb — dtb_plot.h: the figure writers (plot.h) behind checked
 * arguments and a versioned options struct.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_plot.h"
#include "plot.h"

dtb_status dtb_plot_options_init(dtb_plot_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_PLOT_OPTIONS_VERSION,
                             "dtb_plot_options");
}

/* The caller's options, or the defaults; DTB_EINVAL naming the function
 * for a bad version or unknown flags. */
static dtb_status options_of(const char *fn, const dtb_plot_options *opts, dtb_plot_options *o)
{
    memset(o, 0, sizeof *o);
    o->version = DTB_PLOT_OPTIONS_VERSION;
    if (!opts)
        return DTB_OK;
    dtb_status st = dtb__check_version(opts->version, DTB_PLOT_OPTIONS_VERSION, "dtb_plot_options");
    if (st)
        return dtb__error_context(st, "%s", fn);
    if (opts->flags & ~(DTB_PLOT_FLAG_LOG_Y | DTB_PLOT_FLAG_DIVERGING))
        return dtb__error(DTB_EINVAL, "%s: dtb_plot_options.flags: unknown bits 0x%x", fn,
                          (unsigned)(opts->flags & ~(DTB_PLOT_FLAG_LOG_Y | DTB_PLOT_FLAG_DIVERGING)));
    *o = *opts;
    return DTB_OK;
}

/* path given, and each array given when it has values */
static dtb_status check_inputs(const char *fn, const char *path, const char *name_a, const void *a,
                               const char *name_b, const void *b, size_t n)
{
    if (!path)
        return dtb__error(DTB_EINVAL, "%s: path is NULL", fn);
    if (n && (!a || !b))
        return dtb__error(DTB_EINVAL, "%s: %s: %s is NULL but there are %zu values", fn, path,
                          !a ? name_a : name_b, n);
    return DTB_OK;
}

dtb_status dtb_plot_lines(const char *path, const double *x, const double *y, size_t n_points,
                          size_t n_series, const char *const *series_names,
                          const dtb_plot_options *opts)
{
    dtb_plot_options o;
    dtb_status st = options_of("dtb_plot_lines", opts, &o);
    if (!st)
        st = check_inputs("dtb_plot_lines", path, "x", x, "y", y, n_series ? n_points : 0);
    if (st)
        return st;
    dtb__series *series = dtb__calloc(n_series ? n_series : 1, sizeof *series);
    if (!series)
        return DTB_ENOMEM;
    for (size_t s = 0; s < n_series; s++)
        series[s] = (dtb__series){series_names ? series_names[s] : NULL, x, y + s * n_points,
                                  n_points};
    dtb__line_plot p = {o.title, o.x_label, o.y_label, series, n_series,
                        (o.flags & DTB_PLOT_FLAG_LOG_Y) != 0};
    st = dtb__plot_lines(path, &p);
    free(series);
    return st;
}

dtb_status dtb_plot_heatmap(const char *path, const double *values, size_t rows, size_t cols,
                            const char *const *row_labels, const char *const *col_labels,
                            const dtb_plot_options *opts)
{
    dtb_plot_options o;
    dtb_status st = options_of("dtb_plot_heatmap", opts, &o);
    if (!st)
        st = check_inputs("dtb_plot_heatmap", path, "values", values, "values", values, rows * cols);
    if (!st && (rows && cols > SIZE_MAX / rows))
        st = dtb__error(DTB_EINVAL, "dtb_plot_heatmap: %s: %zu x %zu values overflow", path, rows,
                        cols);
    if (st)
        return st;
    dtb__heatmap h = {o.title, o.x_label, o.y_label, o.value_label, values, rows, cols,
                      row_labels, col_labels, o.vmin, o.vmax,
                      (o.flags & DTB_PLOT_FLAG_DIVERGING) != 0};
    return dtb__plot_heatmap(path, &h);
}

dtb_status dtb_plot_raster(const char *path, const double *times, const double *units,
                           size_t n_spikes, size_t n_units, const dtb_plot_options *opts)
{
    dtb_plot_options o;
    dtb_status st = options_of("dtb_plot_raster", opts, &o);
    if (!st)
        st = check_inputs("dtb_plot_raster", path, "times", times, "units", units, n_spikes);
    if (st)
        return st;
    dtb__raster r = {o.title, times, units, n_spikes, n_units};
    return dtb__plot_raster(path, &r);
}

/* The atlas' centres and labels, for a brain figure. */
static dtb_status atlas_geometry(const dtb_atlas *atlas, double **centres, const char ***labels)
{
    const size_t n = (size_t)dtb_atlas_region_count(atlas);
    *centres = dtb__malloc_array(n, 3 * sizeof **centres);
    *labels = dtb__calloc(n ? n : 1, sizeof **labels);
    if (!*centres || !*labels)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        dtb_status st = dtb_atlas_region_centre(atlas, (int64_t)i, &(*centres)[3 * i]);
        if (st)
            return st;
        (*labels)[i] = dtb_atlas_region_label(atlas, (int64_t)i);
    }
    return DTB_OK;
}

dtb_status dtb_plot_brain(const char *path, const dtb_atlas *atlas, const double *values,
                          size_t n_values, const double *edges, size_t n_edges,
                          const dtb_plot_options *opts)
{
    static const char fn[] = "dtb_plot_brain";
    dtb_plot_options o;
    dtb_status st = options_of(fn, opts, &o);
    if (st)
        return st;
    if (!path || !atlas)
        return dtb__error(DTB_EINVAL, "%s: %s is NULL", fn, !path ? "path" : "atlas");
    const size_t n = (size_t)dtb_atlas_region_count(atlas);
    if (!dtb_atlas_has_centres(atlas))
        return dtb__error(DTB_EINVAL, "%s: %s: atlas '%s' has no region centres; a brain figure "
                                      "places each region at its MNI centre", fn, path,
                          dtb_atlas_name(atlas));
    if ((values != NULL) != (n_values != 0) || (values && n_values != n))
        return dtb__error(DTB_EINVAL, "%s: %s: %zu values%s for the %zu regions of atlas '%s'", fn,
                          path, n_values, values ? "" : " but values is NULL", n,
                          dtb_atlas_name(atlas));
    if ((edges != NULL) != (n_edges != 0) || (edges && (n > SIZE_MAX / n || n_edges != n * n)))
        return dtb__error(DTB_EINVAL, "%s: %s: %zu edge values%s; atlas '%s' needs %zu x %zu", fn,
                          path, n_edges, edges ? "" : " but edges is NULL", dtb_atlas_name(atlas),
                          n, n);
    double *centres = NULL;
    const char **labels = NULL;
    st = atlas_geometry(atlas, &centres, &labels);
    if (!st) {
        dtb__brain_plot b = {o.title, o.value_label, centres, labels, n, values, edges,
                             o.max_edges ? o.max_edges : 40, o.max_labels ? o.max_labels : 5,
                             o.vmin, o.vmax, (o.flags & DTB_PLOT_FLAG_DIVERGING) != 0};
        st = dtb__plot_brain(path, &b);
    }
    free(centres);
    free(labels);
    return st;
}
