/* libdtb — reading one named (or the only) column of a text table.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "text_column.h"
#include "text_matrix.h"

/* Whether the first non-comment line holds only numbers. */
static int first_line_is_numeric(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;   /* the table reader reports the error */
    char line[8192];
    int numeric = 1;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        if (!strncmp(p, "\xEF\xBB\xBF", 3))
            p += 3;
        p += strspn(p, " \t\r\n");
        if (!*p || *p == '#')
            continue;
        char *tok = strtok(p, ",; \t\r\n");
        for (; tok; tok = strtok(NULL, ",; \t\r\n")) {
            double v;
            if (!dtb__parse_double(tok, &v))
                numeric = 0;
        }
        break;
    }
    fclose(f);
    return numeric;
}

dtb_status dtb__read_column(const char *path, const char *name, double **values, size_t *n_out)
{
    *values = NULL;
    *n_out = 0;
    int header = !first_line_is_numeric(path);
    dtb__matrix m = {0};
    char **names = NULL;
    size_t n_names = 0;
    dtb_status st = dtb__matrix_read(path, header ? DTB__MATRIX_HEADER : 0, &m, &names, &n_names);
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
