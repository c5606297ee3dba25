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

/* Region values and the strongest connections on glass-brain projections
 * (sagittal, coronal, axial) of the region centres (brain.c). */
typedef struct dtb__brain_plot {
    const char *title, *value_label;
    const double *centres;        /* n x 3: x, y, z in MNI mm */
    const char *const *labels;    /* n, or NULL: no labels */
    size_t n;
    const double *values;         /* n (non-finite: grey), or NULL: grey nodes */
    const double *edges;          /* n x n, or NULL: no edges */
    long long max_edges;          /* the strongest this many (<= 0: none) */
    long long max_labels;         /* label this many strongest regions (<= 0: none) */
    double vmin, vmax;            /* colour range; both 0: from the values */
    int diverging;                /* blue-white-red centred on 0 */
} dtb__brain_plot;
dtb_status dtb__plot_brain(const char *path, const dtb__brain_plot *b);

/* A phase plane (phase.c): on an nx x ny grid (x[nx], y[ny] increasing),
 * the two rates u and v (u[j * nx + i] at x[i], y[j]) drawn as a field of
 * arrows and as their nullclines (zero contours); trajectories (n_traj
 * polylines of traj_len points each, NaN breaks) and fixed points
 * (filled when stable) on top. */
typedef struct dtb__phase_plot {
    const char *title, *x_label, *y_label;
    const double *x, *y;
    size_t nx, ny;
    const double *u, *v;
    const double *traj_x, *traj_y;
    size_t n_traj, traj_len;
    const double *fixed_x, *fixed_y;
    const int *fixed_stable;
    size_t n_fixed;
} dtb__phase_plot;
dtb_status dtb__plot_phase(const char *path, const dtb__phase_plot *p);

#endif
