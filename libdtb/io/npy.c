/* libdtb — NumPy .npy reading and streaming writing.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "npy.h"

/* The writer is a rowfile (rowfile.h) of float64 rows: its header is
 * rewritten after every write with the rows then on disk. */

dtb_status dtb__npy_open(dtb__npy_writer *w, const char *path, int64_t cols)
{
    return dtb__rowfile_create(w, path, NULL, cols);
}

dtb_status dtb__npy_open_append(dtb__npy_writer *w, const char *path, int64_t cols)
{
    return dtb__rowfile_continue(w, path, NULL, cols);
}

dtb_status dtb__npy_truncate(dtb__npy_writer *w, int64_t rows)
{
    if (rows < 0 || rows > w->rows)
        return dtb__error(DTB_ESTATE, "%s has fewer rows than at the checkpoint (%lld, not %lld)",
                          w->path, (long long)w->rows, (long long)rows);
    return dtb__rowfile_truncate(w, DTB__NPY_HEADER_BYTES + (off_t)(rows * w->npy_cols * 8), rows);
}

dtb_status dtb__npy_write_row(dtb__npy_writer *w, const double *row)
{
    dtb_status st = dtb__rowfile_put(w, row, (size_t)w->npy_cols * sizeof *row);
    return st ? st : dtb__rowfile_end_row(w);
}

dtb_status dtb__npy_flush(dtb__npy_writer *w) { return dtb__rowfile_commit(w); }

dtb_status dtb__npy_close(dtb__npy_writer *w) { return dtb__rowfile_close(w); }

/* ------------------------------------------------------------ reading */

static int little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

/* The text after "key": in the header dictionary, past the colon and
 * spaces (NULL: no such key). */
static const char *dict_value(const char *dict, const char *key)
{
    const char *p = strstr(dict, key);
    if (!p)
        return NULL;
    p += strlen(key);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

/* 'descr': '<f8' (or "<f8"): byte order, kind and item size. */
static int parse_descr(const char *v, dtb__npy_header *h)
{
    if (!v || (*v != '\'' && *v != '"'))
        return 0;
    char quote = *v++;
    const char *close = strchr(v, quote);
    if (!close || close - v < 3 || close - v > 8)
        return 0;
    char order = v[0];
    h->type = v[1];
    h->size = 0;
    for (const char *p = v + 2; p < close; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        h->size = h->size * 10 + (*p - '0');
    }
    if (order != '<' && order != '>' && order != '|' && order != '=')
        return 0;
    h->swap = (order == '<' && !little_endian()) || (order == '>' && little_endian());
    return 1;
}

/* 'shape': (a, b, ...): at most 8 sizes whose product fits in memory. */
static dtb_status parse_shape(const char *v, const char *path, dtb__npy_header *h)
{
    if (!v || *v != '(')
        return dtb__error(DTB_EPARSE, "%s: malformed NPY header (shape)", path);
    h->count = 1;
    const char *p = v + 1;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            return DTB_OK;
        if (*p < '0' || *p > '9' || h->ndim == 8)
            return dtb__error(DTB_EPARSE, "%s: malformed NPY shape", path);
        char *end;
        errno = 0;
        long long d = strtoll(p, &end, 10);
        /* a crafted size must not overflow the element count (signed
         * overflow is undefined) nor the bytes it needs */
        if (errno == ERANGE || d < 0 || (d > 0 && h->count > (INT64_MAX / 8) / d))
            return dtb__error(DTB_EPARSE, "%s: NPY shape too large", path);
        h->shape[h->ndim++] = d;
        h->count *= d;
        p = end;
    }
}

dtb_status dtb__npy_parse_header(FILE *f, const char *path, dtb__npy_header *h)
{
    memset(h, 0, sizeof *h);
    unsigned char pre[12];
    size_t hlen = 0, pre_len = 10;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return dtb__error(DTB_EPARSE, "%s: not an NPY file", path);
    if (pre[6] == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        if (fread(pre + 10, 1, 2, f) != 2)
            return dtb__error(DTB_EPARSE, "%s: truncated NPY header", path);
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
        pre_len = 12;
    } else {
        return dtb__error(DTB_EPARSE, "%s: unsupported NPY version %d", path, pre[6]);
    }
    if (hlen > (1u << 20))
        return dtb__error(DTB_EPARSE, "%s: NPY header too large", path);
    char *dict = dtb__malloc(hlen + 1);
    if (!dict)
        return DTB_ENOMEM;
    dtb_status st = DTB_OK;
    if (fread(dict, 1, hlen, f) != hlen)
        st = dtb__error(DTB_EPARSE, "%s: truncated NPY header", path);
    if (!st) {
        dict[hlen] = '\0';
        if (strlen(dict) != hlen)
            st = dtb__error(DTB_EPARSE, "%s: NUL byte in the NPY header", path);
    }
    if (!st) {
        const char *fortran = dict_value(dict, "'fortran_order'");
        if (!parse_descr(dict_value(dict, "'descr'"), h) || !fortran)
            st = dtb__error(DTB_EPARSE, "%s: malformed NPY header", path);
        else if (strncmp(fortran, "False", 5) != 0)
            st = dtb__error(DTB_EUNSUPPORTED, "%s: Fortran-ordered arrays are not supported", path);
        else if (!((h->type == 'f' && (h->size == 4 || h->size == 8)) ||
                   (h->type == 'i' && (h->size == 4 || h->size == 8))))
            st = dtb__error(DTB_EUNSUPPORTED, "%s: unsupported dtype (float32/64 and int32/64 are "
                                              "read)", path);
        else
            st = parse_shape(dict_value(dict, "'shape'"), path, h);
    }
    free(dict);
    h->data_offset = pre_len + hlen;
    return st;
}

dtb_status dtb__npy_read_header(const char *path, dtb__npy_header *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dtb__error(errno == ENOENT ? DTB_ENOTFOUND : DTB_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    dtb_status st = dtb__npy_parse_header(f, path, h);
    fclose(f);
    return st;
}

void dtb__npy_array_free(dtb__npy_array *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

static void swap_bytes(unsigned char *p, size_t size)
{
    for (size_t i = 0; i < size / 2; i++) {
        unsigned char t = p[i];
        p[i] = p[size - 1 - i];
        p[size - 1 - i] = t;
    }
}

dtb_status dtb__npy_read(const char *path, dtb__npy_array *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return dtb__error(errno == ENOENT ? DTB_ENOTFOUND : DTB_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    dtb__npy_header h;
    unsigned char *raw = NULL;
    dtb_status st = dtb__npy_parse_header(f, path, &h);
    size_t count = (size_t)h.count, bytes = count * (size_t)h.size;
    /* the data must be there before memory is taken for it: a regular
     * file's size says so; a pipe or device is read up to the input cap */
    struct stat sb;
    if (!st && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
        if ((uint64_t)sb.st_size < h.data_offset + (uint64_t)bytes)
            st = dtb__error(DTB_EPARSE, "%s: file is shorter than its shape says (%lld values of "
                                        "%d bytes)", path, (long long)h.count, h.size);
    } else if (!st && bytes > DTB__MAX_INPUT_BYTES) {
        st = dtb__error(DTB_EINVAL, "%s: %zu bytes of data, more than the %zu read from one input",
                        path, bytes, (size_t)DTB__MAX_INPUT_BYTES);
    }
    if (!st && !(raw = dtb__malloc_array(count ? count : 1, (size_t)h.size)))
        st = DTB_ENOMEM;
    if (!st && fread(raw, (size_t)h.size, count, f) != count)
        st = dtb__error(DTB_EPARSE, "%s: file is shorter than its shape says", path);
    if (!st && !(out->data = dtb__malloc_array(count ? count : 1, sizeof(double))))
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < count; i++) {
        unsigned char *p = raw + i * (size_t)h.size;
        if (h.swap)
            swap_bytes(p, (size_t)h.size);
        double v;
        if (h.type == 'f' && h.size == 8) { memcpy(&v, p, 8); }
        else if (h.type == 'f') { float x; memcpy(&x, p, 4); v = x; }
        else if (h.size == 4) { int32_t x; memcpy(&x, p, 4); v = x; }
        else { int64_t x; memcpy(&x, p, 8); v = (double)x; }
        out->data[i] = v;
    }
    if (!st) {
        out->ndim = h.ndim;
        memcpy(out->shape, h.shape, sizeof out->shape);
        out->count = h.count;
    }
    free(raw);
    fclose(f);
    if (st)
        dtb__npy_array_free(out);
    return st;
}
