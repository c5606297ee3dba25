/* libdtb — numeric tables read from files: connectivity matrices,
 * empirical FC, inputs and targets of a reservoir task.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * dtb_matrix_read() reads the formats libdtb itself reads and writes:
 *  - text tables: values separated by whitespace, commas, semicolons or
 *    tabs (CSV, TSV, space-separated), CRLF or LF line ends, a UTF-8
 *    byte-order mark, blank lines and '#' comment lines; every row has
 *    the same number of values; numbers in the C locale whatever the
 *    process's locale; optionally a first line of column labels;
 *  - NumPy .npy files (by the name's suffix): 1-D (one column) or 2-D
 *    arrays of float64, float32, int32 or int64, either byte order.
 * Errors name the file, the line and the column ("fc.csv:12:17: value 3
 * 'abc' is not a number"). The values are copied out with the two-call
 * idiom, so that the caller owns its buffer:
 *
 *   dtb_matrix *m;
 *   size_t n;
 *   dtb_matrix_read(&m, "fc.csv", NULL);
 *   dtb_matrix_copy_data(m, NULL, 0, &n);            // n = rows * cols
 *   double *fc = malloc(n * sizeof *fc);
 *   dtb_matrix_copy_data(m, fc, n, NULL);            // row-major
 *   dtb_matrix_free(m);
 */
#ifndef DTB_MATRIX_H
#define DTB_MATRIX_H

#include "dtb_common.h"

DTB_BEGIN_DECLS

typedef struct dtb_matrix dtb_matrix;

/* Whether a text table starts with a line of column labels. */
typedef enum dtb_matrix_header {
    /* Read the file as numbers; if that fails to parse, read it again with
     * its first line as labels (the second attempt's error is returned). */
    DTB_MATRIX_HEADER_AUTO = 0,
    DTB_MATRIX_HEADER_NONE = 1,      /* every line is numbers */
    DTB_MATRIX_HEADER_PRESENT = 2,   /* the first line is labels */
    DTB_MATRIX_HEADER_FORCE32_ = 0x7FFFFFFF
} dtb_matrix_header;

/* dtb_matrix_read_options.flags */
/* As many rows as columns (DTB_EPARSE naming the first line that breaks it). */
#define DTB_MATRIX_FLAG_SQUARE 0x1u
/* Accept "nan" and "inf" (refused by default). */
#define DTB_MATRIX_FLAG_ALLOW_NONFINITE 0x2u

#define DTB_MATRIX_READ_OPTIONS_VERSION 1

/* Options of dtb_matrix_read(). Zero in any member means its default. */
typedef struct dtb_matrix_read_options {
    uint32_t version;    /* DTB_MATRIX_READ_OPTIONS_VERSION */
    uint32_t flags;      /* DTB_MATRIX_FLAG_* */
    int32_t header;      /* dtb_matrix_header; default AUTO; ignored for .npy */
} dtb_matrix_read_options;

#define DTB_MATRIX_READ_OPTIONS_INIT { DTB_MATRIX_READ_OPTIONS_VERSION, 0, 0 }

DTB_API dtb_status dtb_matrix_read_options_init(dtb_matrix_read_options *opts, uint32_t version);

/* Read a table (see above). opts may be NULL. On failure *out is NULL;
 * DTB_ENOTFOUND for a missing file, DTB_EIO, DTB_EPARSE, DTB_EINVAL (an
 * .npy of another shape or type). */
DTB_API dtb_status dtb_matrix_read(dtb_matrix **out, const char *path,
                                   const dtb_matrix_read_options *opts);
/* NULL is accepted. */
DTB_API void dtb_matrix_free(dtb_matrix *m);

/* The shape (-1 for NULL). */
DTB_API int64_t dtb_matrix_rows(const dtb_matrix *m);
DTB_API int64_t dtb_matrix_cols(const dtb_matrix *m);
/* Copy the rows * cols values, row-major, into buf. With buf == NULL only
 * *needed_out is set; a buf smaller than that gives DTB_EBUFSIZE and
 * writes nothing. needed_out may be NULL. */
DTB_API dtb_status dtb_matrix_copy_data(const dtb_matrix *m, double *buf, size_t capacity,
                                        size_t *needed_out);
/* The label of a column from the file's header line, borrowed (valid
 * until the matrix is freed); NULL without a header or for a bad index. */
DTB_API const char *dtb_matrix_column_label(const dtb_matrix *m, int64_t column);

/* Write rows x cols values (row-major) as a NumPy .npy file of float64
 * (little-endian, C order), replacing path. The rows reach the disk
 * whole: a failure part-way leaves a valid file of fewer rows.
 * DTB_EIO naming the path. */
DTB_API dtb_status dtb_matrix_write_npy(const char *path, const double *data, int64_t rows,
                                        int64_t cols);

DTB_END_DECLS

#endif /* DTB_MATRIX_H */
