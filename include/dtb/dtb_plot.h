/* libdtb — figures as plain SVG files, drawn by libdtb's own writer (no
 * plotting dependency): line charts, heat maps, spike rasters. These are
 * the figures of `dtb plot` and `dtb run --plot`.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each function writes one figure to `path` (replaced; numbers in the C
 * locale whatever the process's locale). Titles and labels are UTF-8 text,
 * escaped for SVG. Arrays are read, never kept. One options struct serves
 * the four kinds; members a kind does not use are ignored. */
#ifndef DTB_PLOT_H
#define DTB_PLOT_H

#include "dtb_common.h"
#include "dtb_atlas.h"

DTB_BEGIN_DECLS

/* dtb_plot_options.flags */
/* Line charts: logarithmic y axis (values <= 0 are left out). */
#define DTB_PLOT_FLAG_LOG_Y 0x1u
/* Heat maps: blue-white-red colours centred on 0 (correlations), instead
 * of a sequential scale. */
#define DTB_PLOT_FLAG_DIVERGING 0x2u

#define DTB_PLOT_OPTIONS_VERSION 1

/* Zero in any member means its default: no title, no axis labels, the
 * colour range of a heat map from its data. */
typedef struct dtb_plot_options {
    uint32_t version;          /* DTB_PLOT_OPTIONS_VERSION */
    uint32_t flags;            /* DTB_PLOT_FLAG_* */
    const char *title;
    const char *x_label;
    const char *y_label;
    const char *value_label;   /* heat maps: the colour bar's label */
    double vmin;               /* heat maps, brain figures: colour range; vmin and vmax both 0:
                                  from the data */
    double vmax;
    int64_t max_edges;         /* brain figures: draw the strongest this many connections
                                  (0: 40; negative: none) */
    int64_t max_labels;        /* brain figures: label this many regions of largest |value|
                                  (0: 5; negative: none) */
} dtb_plot_options;

#define DTB_PLOT_OPTIONS_INIT \
    { DTB_PLOT_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, 0.0, 0.0, 0, 0 }

DTB_API dtb_status dtb_plot_options_init(dtb_plot_options *opts, uint32_t version);

/* A line chart of n_series series over the same n_points x values, with a
 * legend (the first 24 series): y holds n_series rows of n_points values
 * (row-major). A non-finite value breaks its line. series_names (n_series
 * strings, entries may be NULL) may be NULL: no legend text. opts may be
 * NULL. */
DTB_API dtb_status dtb_plot_lines(const char *path, const double *x, const double *y,
                                  size_t n_points, size_t n_series,
                                  const char *const *series_names, const dtb_plot_options *opts);

/* A heat map of a rows x cols matrix (row-major, row 0 at the top) with a
 * colour bar. row_labels (rows strings) and col_labels (cols strings) may
 * be NULL: the indices are written. Non-finite values get a colour of their own.
 * opts may be NULL. */
DTB_API dtb_status dtb_plot_heatmap(const char *path, const double *values, size_t rows,
                                    size_t cols, const char *const *row_labels,
                                    const char *const *col_labels, const dtb_plot_options *opts);

/* A spike raster: n_spikes spikes at times (seconds) of units (unit
 * indices 0 .. n_units-1, as doubles so that a table's column can be
 * passed: rounded to the nearest unit; spikes of non-finite or
 * out-of-range units are left out). The axes are "time (s)" and "unit"
 * (x_label and y_label are ignored). opts may be NULL. */
DTB_API dtb_status dtb_plot_raster(const char *path, const double *times, const double *units,
                                   size_t n_spikes, size_t n_units, const dtb_plot_options *opts);

/* A brain figure: a value per region (a state at a time, a mean, a score)
 * as node colours, and the strongest connections of an n x n matrix (FC,
 * weights; row-major) as lines, red positive and blue negative, on
 * glass-brain projections (sagittal, coronal, axial) of the atlas' MNI
 * region centres, with a colour bar and the regions of largest |value|
 * labelled. The outline of each view is the hull of the centres, so any
 * atlas with centres can be drawn. values (n_values = the atlas' region
 * count; non-finite ones grey) and edges (n_edges = its square; for each
 * pair the larger |w| of w_ij and w_ji; non-finite and zero ones left out)
 * may each be NULL with a count of 0. DTB_EINVAL for an atlas without
 * centres or counts that do not fit it. x_label and y_label are ignored.
 * opts may be NULL. */
DTB_API dtb_status dtb_plot_brain(const char *path, const dtb_atlas *atlas, const double *values,
                                  size_t n_values, const double *edges, size_t n_edges,
                                  const dtb_plot_options *opts);

DTB_END_DECLS

#endif /* DTB_PLOT_H */
