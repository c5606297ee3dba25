/* dtb run --empirical-fc FILE: how well the simulated FC fits a measured one.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli.h"
#include "io/npy.h"
#include "io/text_matrix.h"

/* A text table with or without a header line of labels (fc.csv has one):
 * read it as numbers, and again with a header when that does not parse. */
static dtb_status read_table(const char *path, dtb__matrix *m)
{
    dtb_status st = dtb__matrix_read(path, DTB__MATRIX_SQUARE, m, NULL, NULL);
    if (st != DTB_EPARSE)
        return st;
    char **header = NULL;
    size_t n_header = 0;
    st = dtb__matrix_read(path, DTB__MATRIX_SQUARE | DTB__MATRIX_HEADER, m, &header, &n_header);
    dtb__strings_free(header, n_header);
    return st;
}

int empirical_fc_read(const char *path, double **fc, size_t *n)
{
    *fc = NULL;
    *n = 0;
    if (dtb__has_suffix(path, ".npy")) {
        dtb__npy_array a = {0};
        if (dtb__npy_read(path, &a))
            return cli_usage_error("--empirical-fc: %s", dtb_last_error_message());
        if (a.ndim != 2 || a.shape[0] != a.shape[1] || a.shape[0] < 3) {
            dtb__npy_array_free(&a);
            return cli_usage_error("--empirical-fc %s: not a square matrix of at least 3 x 3", path);
        }
        *fc = a.data;
        *n = (size_t)a.shape[0];
        return 0;
    }
    dtb__matrix m = {0};
    if (read_table(path, &m))
        return cli_usage_error("--empirical-fc: %s", dtb_last_error_message());
    if (m.rows < 3) {
        dtb__matrix_free(&m);
        return cli_usage_error("--empirical-fc %s: %zu x %zu; an FC needs at least 3 regions", path,
                               m.rows, m.cols);
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
