/* dtb run --empirical-fc FILE: how well the simulated FC fits a measured one.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A text table with or without a header line of labels (fc.csv has one),
 * or a .npy array; at least 3 x 3 and square. */
int empirical_fc_read(const char *path, double **fc, size_t *n)
{
    *fc = NULL;
    *n = 0;
    table m = {0};
    int npy = cli_has_suffix(path, ".npy");
    /* a text table's squareness is checked while reading, naming the line */
    dtb_status st = table_read(path, npy ? 0 : DTB_MATRIX_FLAG_SQUARE, DTB_MATRIX_HEADER_AUTO, &m);
    if (st == DTB_ENOMEM)
        return cli_usage_error("out of memory");
    if (st)
        return cli_usage_error("--empirical-fc: %s", dtb_last_error_message());
    if (npy && (m.rows != m.cols || m.rows < 3)) {
        table_free(&m);
        return cli_usage_error("--empirical-fc %s: not a square matrix of at least 3 x 3", path);
    }
    if (m.rows < 3) {
        size_t rows = m.rows, cols = m.cols;
        table_free(&m);
        return cli_usage_error("--empirical-fc %s: %zu x %zu; an FC needs at least 3 regions", path,
                               rows, cols);
    }
    *fc = m.data;
    *n = m.rows;
    return 0;
}

void print_fc_fit(const dtb_observer *fc, const double *emp, size_t n, const char *path)
{
    double *sim = malloc(n * n * sizeof *sim), r = NAN;
    if (sim && dtb_observer_result(fc, sim, n * n, NULL, NULL) == DTB_OK)
        dtb_analysis_fc_fit(&r, sim, emp, n);
    if (isnan(r))
        printf("  FC fit to %s: undefined (a constant signal, or too few samples for an FC)\n", path);
    else
        printf("  FC fit to %s: r = %.4f (Pearson correlation of the upper triangles, %zu pairs)\n",
               path, r, n * (n - 1) / 2);
    free(sim);
}
