/* libdtb — files of whole rows (rowfile.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "npy.h"
#include "rowfile.h"

/* Rows leave the buffer once it holds this much: few system calls, and a
 * kill loses at most this much of the newest rows. */
#define COMMIT_BYTES (1u << 16)

static int little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

/* Everything of n bytes at offset, retrying short writes and EINTR. */
static int write_all(int fd, const char *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t got = pwrite(fd, p, n, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0)
                errno = ENOSPC;
            return -1;
        }
        p += got;
        n -= (size_t)got;
        at += got;
    }
    return 0;
}

static dtb_status fail(dtb__rowfile *w, const char *what)
{
    int err = errno;
    /* whatever part of a row reached the disk goes: the file ends with the
     * last whole row (shrinking a file needs no space, so this works on a
     * full disk and past a file-size limit) */
    if (w->fd >= 0 && ftruncate(w->fd, w->end) != 0) {
        /* nothing better to do; the message below says what failed first */
    }
    w->failed = dtb__error(DTB_EIO, "%s: %s: %s (the file keeps its %lld whole rows)", w->path,
                           what, strerror(err), (long long)w->rows);
    return w->failed;
}

static dtb_status write_npy_header(dtb__rowfile *w, int64_t rows)
{
    char dict[DTB__NPY_HEADER_BYTES];
    size_t dict_len = DTB__NPY_HEADER_BYTES - 10;
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '%sf8', 'fortran_order': False, 'shape': (%lld, %lld), }",
                     little_endian() ? "<" : ">", (long long)rows, (long long)w->npy_cols);
    if (n < 0 || (size_t)n >= dict_len)
        return dtb__error(DTB_EIO, "%s: array shape too large for the header", w->path);
    memset(dict + n, ' ', dict_len - (size_t)n - 1);
    dict[dict_len - 1] = '\n';
    char head[DTB__NPY_HEADER_BYTES];
    const unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                   (unsigned char)(dict_len & 0xff),
                                   (unsigned char)(dict_len >> 8)};
    memcpy(head, pre, sizeof pre);
    memcpy(head + sizeof pre, dict, dict_len);
    if (write_all(w->fd, head, sizeof head, 0) != 0)
        return fail(w, "cannot write the NPY header");
    return DTB_OK;
}

static dtb_status open_fd(dtb__rowfile *w, const char *path, int flags, int64_t npy_cols)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->npy_cols = npy_cols;
    if (!(w->path = dtb__strdup(path)))
        return DTB_ENOMEM;
    w->fd = open(path, flags | O_CLOEXEC, 0666);
    if (w->fd < 0) {
        dtb_status st = dtb__error(DTB_EIO, "%s: cannot %s file: %s", path,
                                   flags & O_CREAT ? "create" : "open", strerror(errno));
        free(w->path);
        w->path = NULL;
        return st;
    }
    return DTB_OK;
}

dtb_status dtb__rowfile_create(dtb__rowfile *w, const char *path, const char *csv_header,
                               int64_t npy_cols)
{
    dtb_status st = open_fd(w, path, O_WRONLY | O_CREAT | O_TRUNC, npy_cols);
    if (st)
        return st;
    if (npy_cols > 0) {
        st = write_npy_header(w, 0);
        w->end = DTB__NPY_HEADER_BYTES;
    } else if (csv_header) {
        size_t n = strlen(csv_header);
        if (write_all(w->fd, csv_header, n, 0) != 0)
            st = fail(w, "cannot write the header");
        else
            w->end = (off_t)n;
    }
    if (st) {
        close(w->fd);
        remove(path);
        free(w->path);
        memset(w, 0, sizeof *w);
        w->fd = -1;
    }
    return st;
}

/* A CSV file's whole lines: its length up to the last line end, and the
 * lines after the header. */
static dtb_status csv_extent(dtb__rowfile *w, off_t size, off_t *end, int64_t *rows)
{
    char buf[1 << 16];
    off_t at = 0, last_nl = -1;
    int64_t lines = 0;
    while (at < size) {
        ssize_t got = pread(w->fd, buf, sizeof buf, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return dtb__error(DTB_EIO, "%s: cannot read: %s", w->path,
                              got < 0 ? strerror(errno) : "shorter than its size");
        for (ssize_t i = 0; i < got; i++)
            if (buf[i] == '\n') {
                lines++;
                last_nl = at + i;
            }
        at += got;
    }
    *end = last_nl + 1;
    *rows = lines > 0 ? lines - 1 : 0;
    return DTB_OK;
}

dtb_status dtb__rowfile_continue(dtb__rowfile *w, const char *path, const char *csv_header,
                                 int64_t npy_cols)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size == 0)
        return dtb__rowfile_create(w, path, csv_header, npy_cols);
    if (!S_ISREG(sb.st_mode))
        return dtb__error(DTB_EIO, "%s: not a regular file", path);
    int64_t rows = 0;
    off_t end = 0;
    dtb_status st = DTB_OK;
    if (npy_cols > 0) {
        dtb__npy_header h;
        st = dtb__npy_read_header(path, &h);
        if (!st && (h.ndim != 2 || h.shape[1] != npy_cols || h.data_offset != DTB__NPY_HEADER_BYTES ||
                    h.type != 'f' || h.size != 8))
            st = dtb__error(DTB_EINVAL, "%s: cannot continue this file: it is not a float64 "
                                        "array of %lld columns written by libdtb", path,
                            (long long)npy_cols);
        if (st)
            return st;
        rows = h.shape[0];
        end = DTB__NPY_HEADER_BYTES + (off_t)(rows * npy_cols * 8);
        if (end > sb.st_size)
            return dtb__error(DTB_EINVAL, "%s: cannot continue this file: its header counts %lld "
                                          "rows, it holds fewer", path, (long long)rows);
    }
    if ((st = open_fd(w, path, O_RDWR, npy_cols)))
        return st;
    if (npy_cols <= 0)
        st = csv_extent(w, sb.st_size, &end, &rows);
    if (!st && csv_header && npy_cols <= 0 && end == 0)
        st = dtb__error(DTB_EINVAL, "%s: cannot continue this file: no whole header line", path);
    if (!st && ftruncate(w->fd, end) != 0)
        st = dtb__error(DTB_EIO, "%s: cannot cut off its unfinished last row: %s", path,
                        strerror(errno));
    if (st) {
        dtb__rowfile_close(w);
        return st;
    }
    w->end = end;
    w->rows = rows;
    return DTB_OK;
}

char *dtb__rowfile_reserve(dtb__rowfile *w, size_t n, dtb_status *st)
{
    *st = w->failed;
    if (w->failed)
        return NULL;
    if (!w->path) {
        *st = dtb__error(DTB_ESTATE, "a results file is used after it was closed");
        return NULL;
    }
    if (w->cap - w->len < n) {
        size_t cap = w->cap ? w->cap : COMMIT_BYTES + 4096;
        while (cap - w->len < n)
            cap *= 2;
        char *p = realloc(w->buf, cap);
        if (!p) {
            *st = DTB_ENOMEM;
            return NULL;
        }
        w->buf = p;
        w->cap = cap;
    }
    return w->buf + w->len;
}

void dtb__rowfile_advance(dtb__rowfile *w, size_t n) { w->len += n; }

dtb_status dtb__rowfile_put(dtb__rowfile *w, const void *bytes, size_t n)
{
    dtb_status st;
    char *p = dtb__rowfile_reserve(w, n, &st);
    if (!p)
        return st;
    memcpy(p, bytes, n);
    w->len += n;
    return DTB_OK;
}

dtb_status dtb__rowfile_end_row(dtb__rowfile *w)
{
    if (w->failed)
        return w->failed;
    w->row_start = w->len;
    w->pending++;
    return w->len >= COMMIT_BYTES ? dtb__rowfile_commit(w) : DTB_OK;
}

dtb_status dtb__rowfile_commit(dtb__rowfile *w)
{
    if (w->failed)
        return w->failed;
    if (!w->path || w->pending == 0)
        return DTB_OK;
    size_t whole = w->row_start;
    if (write_all(w->fd, w->buf, whole, w->end) != 0)
        return fail(w, "write failed");
    w->end += (off_t)whole;
    w->rows += w->pending;
    w->pending = 0;
    memmove(w->buf, w->buf + whole, w->len - whole);
    w->len -= whole;
    w->row_start = 0;
    /* the header only after the rows it counts are there */
    return w->npy_cols > 0 ? write_npy_header(w, w->rows) : DTB_OK;
}

dtb_status dtb__rowfile_truncate(dtb__rowfile *w, off_t length, int64_t rows)
{
    dtb_status st = dtb__rowfile_commit(w);
    if (st)
        return st;
    if (length > w->end || length < 0 || rows < 0 || rows > w->rows)
        return dtb__error(DTB_ESTATE, "%s is shorter than at the checkpoint (%lld bytes, %lld rows "
                                      "there; %lld bytes, %lld rows here)", w->path,
                          (long long)length, (long long)rows, (long long)w->end, (long long)w->rows);
    if (ftruncate(w->fd, length) != 0)
        return dtb__error(DTB_EIO, "%s: cannot truncate: %s", w->path, strerror(errno));
    w->end = length;
    w->rows = rows;
    return w->npy_cols > 0 ? write_npy_header(w, rows) : DTB_OK;
}

off_t dtb__rowfile_length(dtb__rowfile *w)
{
    dtb__rowfile_commit(w);
    return w->end;
}

dtb_status dtb__rowfile_close(dtb__rowfile *w)
{
    if (!w->path)   /* never opened (or closed already): a zeroed struct's fd 0 is not ours */
        return DTB_OK;
    dtb_status st = dtb__rowfile_commit(w);
    if (w->fd >= 0 && close(w->fd) != 0 && !st)
        st = dtb__error(DTB_EIO, "%s: close failed: %s", w->path, strerror(errno));
    free(w->buf);
    free(w->path);
    memset(w, 0, sizeof *w);
    w->fd = -1;
    return st;
}
