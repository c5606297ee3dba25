/* libdtb — reading one named (or the only) column of a text table.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "text_column.h"
#include "text_file.h"
#include "text_matrix.h"

/* Whether the first data line holds only numbers. The file is read as the
 * table reader reads it (text_file.h), so that a device or a binary file is
 * refused at once instead of scanned for a line end that never comes. */
static dtb_status first_line_is_numeric(const char *path, int *numeric)
{
    dtb__text_file f;
    dtb_status st = dtb__text_file_read(path, &f);
    if (st)
        return st;
    dtb__line_cursor c = {0, 0};
    dtb__text_line line;
    *numeric = 1;
    if (dtb__text_next_line(&f, &c, &line)) {
        char delim = dtb__text_detect_delimiter(&line);
        dtb__field_cursor fc;
        dtb__field field;
        dtb__fields_begin(&fc, &line, delim);
        while (*numeric && dtb__fields_next(&fc, &line, &field)) {
            double v;
            if (field.len)   /* "1,2," has numbers only */
                *numeric = dtb__field_to_double(&field, &v);
        }
    }
    dtb__text_file_free(&f);
    return DTB_OK;
}

dtb_status dtb__read_column(const char *path, const char *name, double **values, size_t *n_out)
{
    *values = NULL;
    *n_out = 0;
    int numeric;
    dtb_status st = first_line_is_numeric(path, &numeric);
    if (st)
        return st;
    int header = !numeric;
    dtb__matrix m = {0};
    char **names = NULL;
    size_t n_names = 0;
    st = dtb__matrix_read(path, header ? DTB__MATRIX_HEADER : 0, &m, &names, &n_names);
    if (st)
        return st;
    size_t col = m.cols;
    if (header) {
        for (size_t c = 0; c < n_names && col == m.cols; c++)
            if (name && strcmp(names[c], name) == 0)
                col = c;
        if (col == m.cols && n_names == 1)
            col = 0;   /* a single column with any header */
        if (col == m.cols) {
            dtb__strbuf known = {0};
            for (size_t c = 0; c < n_names; c++)
                dtb__strbuf_printf(&known, "%s%s", c ? ", " : "", names[c]);
            st = dtb__error(DTB_ENOTFOUND, "%s: no column '%s' (columns: %s)", path,
                            name ? name : "", known.data ? known.data : "");
            dtb__strbuf_free(&known);
        }
    } else if (m.cols != 1) {
        st = dtb__error(DTB_EPARSE, "%s: %zu columns and no header naming them; give one column "
                                    "or a header line", path, m.cols);
    } else {
        col = 0;
    }
    if (!st) {
        *values = dtb__malloc_array(m.rows ? m.rows : 1, sizeof **values);
        if (!*values)
            st = DTB_ENOMEM;
        for (size_t r = 0; !st && r < m.rows; r++)
            (*values)[r] = m.data[r * m.cols + col];
        *n_out = m.rows;
    }
    dtb__matrix_free(&m);
    dtb__strings_free(names, n_names);
    return st;
}
