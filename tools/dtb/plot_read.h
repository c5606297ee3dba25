/* dtb plot — reading output files back for figures: whole matrices (FC,
 * FCD, PSD, spikes) and time series thinned to a bounded number of points,
 * so that an hour-long recording plots in constant memory.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_PLOT_READ_H
#define DTB_PLOT_READ_H

#include <stddef.h>

typedef struct plot_table {
    size_t rows, cols;
    double *data;          /* rows x cols */
    char **names;          /* cols names from the CSV header, or NULL (NPY) */
} plot_table;

void plot_table_free(plot_table *t);

/* The header (CSV) or the column count (NPY) of a file, without its rows. */
int plot_read_header(const char *path, plot_table *t);

/* A whole table (header kept for CSV). Returns 0 or prints the error and
 * returns an exit status. */
int plot_read_matrix(const char *path, plot_table *t);

/* Column 0 (time) and the given columns of a time-series file, thinned to
 * at most about 2 * max_points rows: beyond max_points, consecutive rows are
 * merged into buckets that keep each column's minimum and maximum (two
 * rows per bucket, at the bucket's first time), so peaks survive. */
int plot_read_series(const char *path, const size_t *cols, size_t n_cols, size_t max_points,
                     plot_table *t);

#endif
