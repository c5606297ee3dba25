/* libdtb — dtb_matrix (dtb_matrix.h): the public face of the table
 * readers (text_matrix.h, npy.h) and of the .npy writer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_matrix.h"
#include "npy.h"
#include "text_matrix.h"

struct dtb_matrix {
    dtb__matrix m;
    char **labels;       /* the header line's, or NULL */
    size_t n_labels;
};

dtb_status dtb_matrix_read_options_init(dtb_matrix_read_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_MATRIX_READ_OPTIONS_VERSION,
                             "dtb_matrix_read_options");
}

/* A 1-D array is one column; other shapes are refused. */
static dtb_status read_npy(const char *path, uint32_t flags, dtb_matrix *out)
{
    dtb__npy_array a;
    dtb_status st = dtb__npy_read(path, &a);
    if (st)
        return st;
    if (a.ndim < 1 || a.ndim > 2) {
        int ndim = a.ndim;
        dtb__npy_array_free(&a);
        return dtb__error(DTB_EINVAL, "%s: a 1-D or 2-D array, not %d-D (or empty)", path, ndim);
    }
    if (a.count < 1) {
        int64_t rows = a.shape[0], cols = a.ndim == 2 ? a.shape[1] : 1;
        dtb__npy_array_free(&a);
        return dtb__error(DTB_EINVAL, "%s: an empty array (%" PRId64 " x %" PRId64 ")", path, rows,
                          cols);
    }
    size_t rows = (size_t)a.shape[0], cols = a.ndim == 2 ? (size_t)a.shape[1] : 1;
    if ((flags & DTB_MATRIX_FLAG_SQUARE) && rows != cols) {
        dtb__npy_array_free(&a);
        return dtb__error(DTB_EPARSE, "%s: %zu x %zu, not a square matrix", path, rows, cols);
    }
    for (int64_t i = 0; !(flags & DTB_MATRIX_FLAG_ALLOW_NONFINITE) && i < a.count; i++)
        if (!(a.data[i] - a.data[i] == 0)) {
            dtb__npy_array_free(&a);
            return dtb__error(DTB_EPARSE, "%s: value %" PRId64 " (row %zu, column %zu) is not "
                                          "finite", path, i, (size_t)i / cols, (size_t)i % cols);
        }
    out->m.data = a.data;   /* C order: row-major */
    out->m.rows = rows;
    out->m.cols = cols;
    return DTB_OK;
}

static dtb_status read_text(const char *path, uint32_t flags, dtb_matrix_header header,
                            dtb_matrix *out)
{
    unsigned f = ((flags & DTB_MATRIX_FLAG_SQUARE) ? DTB__MATRIX_SQUARE : 0u) |
                 ((flags & DTB_MATRIX_FLAG_ALLOW_NONFINITE) ? DTB__MATRIX_ALLOW_NONFINITE : 0u);
    if (header != DTB_MATRIX_HEADER_PRESENT) {
        dtb_status st = dtb__matrix_read(path, f, &out->m, NULL, NULL);
        if (header == DTB_MATRIX_HEADER_NONE || st != DTB_EPARSE)
            return st;
    }
    return dtb__matrix_read(path, f | DTB__MATRIX_HEADER, &out->m, &out->labels, &out->n_labels);
}

dtb_status dtb_matrix_read(dtb_matrix **out, const char *path, const dtb_matrix_read_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_matrix_read: out is NULL");
    *out = NULL;
    if (!path)
        return dtb__error(DTB_EINVAL, "dtb_matrix_read: path is NULL");
    uint32_t flags = 0;
    int32_t header = DTB_MATRIX_HEADER_AUTO;
    if (opts) {
        dtb_status st = dtb__check_version(opts->version, DTB_MATRIX_READ_OPTIONS_VERSION,
                                           "dtb_matrix_read_options");
        if (st)
            return st;
        if (opts->flags & ~(DTB_MATRIX_FLAG_SQUARE | DTB_MATRIX_FLAG_ALLOW_NONFINITE))
            return dtb__error(DTB_EINVAL, "dtb_matrix_read_options.flags: unknown bits 0x%x",
                              (unsigned)(opts->flags & ~(DTB_MATRIX_FLAG_SQUARE |
                                                         DTB_MATRIX_FLAG_ALLOW_NONFINITE)));
        if (opts->header < DTB_MATRIX_HEADER_AUTO || opts->header > DTB_MATRIX_HEADER_PRESENT)
            return dtb__error(DTB_EINVAL, "dtb_matrix_read_options.header: %d is not a "
                                          "dtb_matrix_header (0 auto, 1 none, 2 present)",
                              (int)opts->header);
        flags = opts->flags;
        header = opts->header;
    }
    dtb_matrix *m = dtb__calloc(1, sizeof *m);
    if (!m)
        return DTB_ENOMEM;
    dtb_status st = dtb__has_suffix(path, ".npy") ? read_npy(path, flags, m)
                                                  : read_text(path, flags, (dtb_matrix_header)header, m);
    if (st) {
        dtb_matrix_free(m);
        return st;
    }
    *out = m;
    return DTB_OK;
}

void dtb_matrix_free(dtb_matrix *m)
{
    if (!m)
        return;
    dtb__matrix_free(&m->m);
    dtb__strings_free(m->labels, m->n_labels);
    free(m);
}

int64_t dtb_matrix_rows(const dtb_matrix *m)
{
    return m ? (int64_t)m->m.rows : -1;
}

int64_t dtb_matrix_cols(const dtb_matrix *m)
{
    return m ? (int64_t)m->m.cols : -1;
}

dtb_status dtb_matrix_copy_data(const dtb_matrix *m, double *buf, size_t capacity,
                                size_t *needed_out)
{
    if (needed_out)
        *needed_out = 0;
    if (!m)
        return dtb__error(DTB_EINVAL, "dtb_matrix_copy_data: m is NULL");
    size_t needed = m->m.rows * m->m.cols;
    if (needed_out)
        *needed_out = needed;
    if (!buf)
        return DTB_OK;
    if (capacity < needed)
        return dtb__error(DTB_EBUFSIZE, "dtb_matrix_copy_data: buffer holds %zu values, the matrix "
                                        "needs %zu (%zu x %zu)", capacity, needed, m->m.rows,
                          m->m.cols);
    memcpy(buf, m->m.data, needed * sizeof *buf);
    return DTB_OK;
}

const char *dtb_matrix_column_label(const dtb_matrix *m, int64_t column)
{
    if (!m || column < 0 || (uint64_t)column >= m->n_labels)
        return NULL;
    return m->labels[column];
}

dtb_status dtb_matrix_write_npy(const char *path, const double *data, int64_t rows, int64_t cols)
{
    if (!path)
        return dtb__error(DTB_EINVAL, "dtb_matrix_write_npy: path is NULL");
    if (rows < 0 || cols < 0)
        return dtb__error(DTB_EINVAL, "dtb_matrix_write_npy: %s: %" PRId64 " x %" PRId64 " is not "
                                      "a shape", path, rows, cols);
    if (rows > 0 && cols > 0 && !data)
        return dtb__error(DTB_EINVAL, "dtb_matrix_write_npy: %s: data is NULL", path);
    dtb__npy_writer w;
    dtb_status st = dtb__npy_open(&w, path, cols);
    if (st)
        return st;
    for (int64_t t = 0; !st && t < rows; t++)
        st = dtb__npy_write_row(&w, data + (size_t)t * (size_t)cols);
    dtb_status closed = dtb__npy_close(&w);
    return st ? st : closed;
}
