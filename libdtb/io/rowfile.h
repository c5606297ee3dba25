/* libdtb internal — result files made of whole rows (CSV lines, NPY
 * records), the one writer behind every streamed results file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why not stdio: a FILE's buffer is written out when full, wherever a row
 * ends, so a killed process or a full disk leaves a row cut in two, and an
 * NPY header patched only at the end disagrees with the data after a kill.
 * Here rows gather in a buffer and leave it only whole, by write(2); a
 * failed or short write is cut back (ftruncate) to the last whole row; an
 * NPY file's header is rewritten after every write with the rows then on
 * disk. So at any instant — after a signal, a kill, a full disk or a
 * file-size limit — the file holds a header and whole rows, and an NPY
 * header never counts more rows than the file holds. */
#ifndef DTB_ROWFILE_H
#define DTB_ROWFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dtb/dtb_common.h"

typedef struct dtb__rowfile {
    int fd;                  /* -1: closed */
    char *path;
    char *buf;               /* whole rows not written yet, then the row being built */
    size_t len, cap;
    size_t row_start;        /* where the row being built starts in buf */
    int64_t rows;            /* whole rows on disk */
    int64_t pending;         /* whole rows in buf */
    off_t end;               /* bytes on disk: the header and the whole rows */
    int64_t npy_cols;        /* > 0: an NPY file of float64 rows of this width */
    dtb_status failed;       /* a write failed: the file ends at `end`, nothing more is taken */
} dtb__rowfile;

/* Bytes of the NPY header this writer makes (version 1.0, padded). */
#define DTB__NPY_HEADER_BYTES 128

/* Create or truncate path and write a header: CSV, the header line (with
 * its line end); NPY (npy_cols > 0), a header for (0, npy_cols). */
dtb_status dtb__rowfile_create(dtb__rowfile *w, const char *path, const char *csv_header,
                               int64_t npy_cols);
/* Continue a file this writer made: after its last whole row (a CSV file's
 * cut last line, an NPY file's bytes after the rows its header counts, are
 * cut off). A missing file is created as by dtb__rowfile_create. */
dtb_status dtb__rowfile_continue(dtb__rowfile *w, const char *path, const char *csv_header,
                                 int64_t npy_cols);

/* Room for n more bytes of the row being built; NULL when out of memory or
 * after a failure (the status says which). */
char *dtb__rowfile_reserve(dtb__rowfile *w, size_t n, dtb_status *st);
/* n bytes of those were used. */
void dtb__rowfile_advance(dtb__rowfile *w, size_t n);
dtb_status dtb__rowfile_put(dtb__rowfile *w, const void *bytes, size_t n);
/* The row being built is whole; it is written with the others once the
 * buffer is full. */
dtb_status dtb__rowfile_end_row(dtb__rowfile *w);
/* Write every whole row now (and the NPY header). */
dtb_status dtb__rowfile_commit(dtb__rowfile *w);
/* Cut the file back to `length` bytes holding `rows` rows (a checkpoint's
 * record of it) and continue there. */
dtb_status dtb__rowfile_truncate(dtb__rowfile *w, off_t length, int64_t rows);
/* Bytes on disk (header and whole rows), after committing. */
off_t dtb__rowfile_length(dtb__rowfile *w);
/* Commit, close, free; returns the commit's status. */
dtb_status dtb__rowfile_close(dtb__rowfile *w);

#endif
