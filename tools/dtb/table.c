/* Numeric tables the commands read (--empirical-fc, --input, --task-file):
 * dtb_matrix_read's values in a malloc'd array the command owns.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "cli.h"

dtb_status table_read(const char *path, uint32_t flags, dtb_matrix_header header, table *t)
{
    t->data = NULL;
    t->rows = t->cols = 0;
    dtb_matrix_read_options o = DTB_MATRIX_READ_OPTIONS_INIT;
    o.flags = flags;
    o.header = header;
    dtb_matrix *m = NULL;
    size_t n = 0;
    dtb_status st = dtb_matrix_read(&m, path, &o);
    if (!st)
        st = dtb_matrix_copy_data(m, NULL, 0, &n);
    if (!st && !(t->data = malloc((n ? n : 1) * sizeof *t->data)))
        st = DTB_ENOMEM;
    if (!st)
        st = dtb_matrix_copy_data(m, t->data, n, NULL);
    if (!st) {
        t->rows = (size_t)dtb_matrix_rows(m);
        t->cols = (size_t)dtb_matrix_cols(m);
    } else {
        table_free(t);
    }
    dtb_matrix_free(m);
    return st;
}

void table_free(table *t)
{
    free(t->data);
    t->data = NULL;
    t->rows = t->cols = 0;
}
