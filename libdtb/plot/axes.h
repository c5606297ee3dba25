/* libdtb internal — the frame of a chart: data ranges, "nice" ticks, axes
 * with labels, and the mapping from data to picture coordinates.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_AXES_H
#define DTB_AXES_H

#include <stddef.h>

#include "svg.h"

typedef struct dtb__axis {
    double lo, hi;   /* data range shown (for a log axis: of log10 of the data) */
    int log;
} dtb__axis;

typedef struct dtb__frame {
    double x0, y0, w, h;     /* plot area in the picture; y0 is its top */
    dtb__axis x, y;
} dtb__frame;

/* Picture coordinates of a data value (NaN if it cannot be shown). */
double dtb__frame_px(const dtb__frame *f, double x);
double dtb__frame_py(const dtb__frame *f, double y);

/* Grow an axis to include v (finite values; positive ones on a log axis). */
void dtb__axis_include(dtb__axis *a, double v);
/* Start an empty axis. */
void dtb__axis_empty(dtb__axis *a, int log);
/* Round the range out to ticks; a degenerate range gets some width. */
void dtb__axis_finish(dtb__axis *a);

/* Axes, grid, ticks with labels, axis titles and the chart title. */
void dtb__frame_draw(dtb__svg *s, const dtb__frame *f, const char *title, const char *x_label,
                     const char *y_label);

/* A series as polylines, broken wherever a point cannot be shown
 * (lines.c; phase planes draw trajectories with it). DTB_ENOMEM. */
struct dtb__series;
dtb_status dtb__plot_series_runs(dtb__svg *s, const dtb__frame *f, const struct dtb__series *d,
                                 const char *colour, double width);

#endif
