/* libdtb internal — reading numeric tables from text files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Accepts whitespace-separated and comma-separated files (also ';' and tab),
 * CRLF or LF line ends, a UTF-8 byte-order mark, blank lines and '#'
 * comment lines. Every row must have the same number of values. Values
 * are read with the C locale; "nan"/"inf" are rejected unless allowed.
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

/* Read a numeric table. Errors (DTB_EIO, DTB_EPARSE) name the file, the
 * line and the column, e.g. "weights.txt:12: value 3 'abc' is not a number". */
dtb_status dtb__matrix_read(const char *path, unsigned flags, dtb__matrix *out,
                            char ***header, size_t *n_header);
void dtb__matrix_free(dtb__matrix *m);
void dtb__strings_free(char **strings, size_t n);

#endif
