/* libdtb internal — figures as plain SVG, written by libdtb's own code (no
 * plotting dependency): line charts, heat maps with labels, spike rasters.
 * Numbers in the files are written in the C locale.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_PLOT_INTERNAL_H
#define DTB_PLOT_INTERNAL_H

#include <stddef.h>

#include "dtb/dtb_common.h"

typedef struct dtb__series {
    const char *name;
    const double *x, *y;    /* n points; NaN values break the line */
    size_t n;
} dtb__series;

typedef struct dtb__line_plot {
    const char *title, *x_label, *y_label;
    const dtb__series *series;
    size_t n_series;
    int log_y;              /* logarithmic y axis (values <= 0 are left out) */
} dtb__line_plot;

dtb_status dtb__plot_lines(const char *path, const dtb__line_plot *p);

typedef struct dtb__heatmap {
    const char *title, *x_label, *y_label, *value_label;
    const double *m;        /* rows x cols, row-major; row 0 at the top */
    size_t rows, cols;
    const char *const *row_labels, *const *col_labels;   /* NULL: indices */
    double vmin, vmax;      /* colour range; both 0: from the data */
    int diverging;          /* blue-white-red centred on 0 (correlations) */
} dtb__heatmap;

dtb_status dtb__plot_heatmap(const char *path, const dtb__heatmap *h);

typedef struct dtb__raster {
    const char *title;
    const double *t;        /* spike times (s) */
    const double *unit;     /* their units */
    size_t n;
    size_t n_units;
} dtb__raster;

dtb_status dtb__plot_raster(const char *path, const dtb__raster *r);

#endif
