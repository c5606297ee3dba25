/* libdtb internal — reading numeric tables from text files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Accepts whitespace-separated and comma-separated files (also ';' and tab),
 * CRLF or LF line ends, a UTF-8 byte-order mark, blank lines and '#'
 * comment lines. Every row must have the same number of values. Values
 * are read with the C locale; "nan"/"inf" are rejected unless allowed.
 * Lines, fields and quoting follow text_file.h.
 */
#ifndef DTB_TEXT_MATRIX_H
#define DTB_TEXT_MATRIX_H

#include <stddef.h>

#include "dtb/dtb_common.h"

typedef struct dtb__matrix {
    double *data;      /* rows * cols, row-major, malloc'd */
    size_t rows, cols;
} dtb__matrix;

/* Flags for dtb__matrix_read */
#define DTB__MATRIX_ALLOW_NONFINITE 0x1u
/* The first non-comment line is a header of column names (kept in
 * header/n_header when non-NULL pointers are given). */
#define DTB__MATRIX_HEADER 0x2u
/* The table must have as many rows as columns. */
#define DTB__MATRIX_SQUARE 0x4u
/* Negative values are an error (lengths, distances). */
#define DTB__MATRIX_NONNEGATIVE 0x8u

/* Read a numeric table. Errors (DTB_ENOTFOUND for a missing file, DTB_EIO,
 * DTB_EPARSE) name the file, the line and the column, e.g.
 * "weights.txt:12:17: value 3 'abc' is not a number". On error *out is
 * empty (data NULL) and no header is returned. */
dtb_status dtb__matrix_read(const char *path, unsigned flags, dtb__matrix *out,
                            char ***header, size_t *n_header);

/* Same, and the table must have exactly `rows` rows and `cols` columns
 * (0 = any). A mismatch names the first line that breaks it; `reason`
 * (may be NULL) is added to the message, e.g. "one per region of weights.txt". */
dtb_status dtb__matrix_read_shaped(const char *path, unsigned flags, size_t rows, size_t cols,
                                   const char *reason, dtb__matrix *out, char ***header,
                                   size_t *n_header);
void dtb__matrix_free(dtb__matrix *m);
void dtb__strings_free(char **strings, size_t n);

#endif
