/* libdtb internal — NumPy .npy files: streaming 2-D float64 writer and a
 * reader for float64/float32/int32/int64 arrays.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every reader refuses a header whose shape overflows or whose data the
 * file does not hold before taking memory for it. */
#ifndef DTB_NPY_H
#define DTB_NPY_H

#include <stdint.h>
#include <stdio.h>

#include "dtb/dtb_common.h"
#include "rowfile.h"

/* The streaming writer is a rowfile (rowfile.h): whole rows, and a header
 * that counts the rows on disk after every write. */
typedef dtb__rowfile dtb__npy_writer;

/* Create/truncate path and write a header for (0, cols). */
dtb_status dtb__npy_open(dtb__npy_writer *w, const char *path, int64_t cols);
/* Continue a file this writer made (same number of columns), or create it. */
dtb_status dtb__npy_open_append(dtb__npy_writer *w, const char *path, int64_t cols);
/* Cut the file back to `rows` rows and continue writing after them. */
dtb_status dtb__npy_truncate(dtb__npy_writer *w, int64_t rows);
/* Append one row of cols doubles. */
dtb_status dtb__npy_write_row(dtb__npy_writer *w, const double *row);
/* Write the rows held back, patch the row count in the header. */
dtb_status dtb__npy_flush(dtb__npy_writer *w);
/* Flush and close (also frees). Returns the flush status. */
dtb_status dtb__npy_close(dtb__npy_writer *w);

/* A header: dtype (kind 'f' or 'i', item size, byte swap needed), shape
 * (its product checked against overflow), where the data starts. */
typedef struct dtb__npy_header {
    char type;
    int size, swap, ndim;
    int64_t shape[8];
    int64_t count;
    size_t data_offset;
} dtb__npy_header;
dtb_status dtb__npy_parse_header(FILE *f, const char *path, dtb__npy_header *h);
dtb_status dtb__npy_read_header(const char *path, dtb__npy_header *h);

typedef struct dtb__npy_array {
    double *data;          /* converted to double, C order */
    int64_t shape[8];
    int ndim;
    int64_t count;
} dtb__npy_array;

/* Read an .npy file (little- or big-endian <f8 >f8 <f4 <i4 <i8, C order). */
dtb_status dtb__npy_read(const char *path, dtb__npy_array *out);
void dtb__npy_array_free(dtb__npy_array *a);

#endif
