/* libdtb — NumPy .npy reading and streaming writing.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "npy.h"

/* Total header size of written files: magic(6) + version(2) + length(2) +
 * dictionary padded with spaces and a final newline. 128 bytes leave room
 * for 19-digit dimensions. */
#define NPY_HEADER_BYTES 128

static int little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

static dtb_status write_header(dtb__npy_writer *w)
{
    char dict[NPY_HEADER_BYTES];
    int n = snprintf(dict, sizeof dict, "{'descr': '%sf8', 'fortran_order': False, 'shape': (%lld, %lld), }",
                     little_endian() ? "<" : ">", (long long)w->rows, (long long)w->cols);
    size_t dict_len = NPY_HEADER_BYTES - 10;
    if (n < 0 || (size_t)n >= dict_len)
        return dtb__error(DTB_EIO, "%s: array shape too large for the header", w->path);
    memset(dict + n, ' ', dict_len - (size_t)n - 1);
    dict[dict_len - 1] = '\n';
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                             (unsigned char)(dict_len & 0xff), (unsigned char)(dict_len >> 8)};
    if (fseek(w->f, 0, SEEK_SET) != 0 || fwrite(pre, 1, sizeof pre, w->f) != sizeof pre ||
        fwrite(dict, 1, dict_len, w->f) != dict_len)
        return dtb__error(DTB_EIO, "%s: cannot write the NPY header: %s", w->path, strerror(errno));
    return DTB_OK;
}

dtb_status dtb__npy_open(dtb__npy_writer *w, const char *path, int64_t cols)
{
    memset(w, 0, sizeof *w);
    w->cols = cols;
    w->path = dtb__strdup(path);
    if (!w->path)
        return DTB_ENOMEM;
    w->f = fopen(path, "wb");
    if (!w->f) {
        dtb_status st = dtb__error(DTB_EIO, "%s: cannot create file: %s", path, strerror(errno));
        free(w->path);
        w->path = NULL;
        return st;
    }
    dtb_status st = write_header(w);
    if (st) {
        fclose(w->f);
        remove(path);
        free(w->path);
        memset(w, 0, sizeof *w);
    }
    return st;
}

dtb_status dtb__npy_open_append(dtb__npy_writer *w, const char *path, int64_t cols)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dtb__npy_open(w, path, cols);
    fclose(f);
    dtb__npy_array a;
    dtb_status st = dtb__npy_read(path, &a);
    if (st)
        return dtb__error_context(st, "%s: cannot continue this file", path);
    int64_t rows = a.ndim == 2 ? a.shape[0] : -1, have = a.ndim == 2 ? a.shape[1] : -1;
    dtb__npy_array_free(&a);
    if (rows < 0 || have != cols)
        return dtb__error(DTB_EINVAL, "%s: cannot continue this file: it has %lld columns, not %lld",
                          path, (long long)have, (long long)cols);
    memset(w, 0, sizeof *w);
    w->cols = cols;
    w->rows = rows;
    w->path = dtb__strdup(path);
    if (!w->path)
        return DTB_ENOMEM;
    w->f = fopen(path, "r+b");
    if (!w->f) {
        st = dtb__error(DTB_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
        free(w->path);
        w->path = NULL;
        return st;
    }
    return dtb__npy_truncate(w, rows);
}

dtb_status dtb__npy_truncate(dtb__npy_writer *w, int64_t rows)
{
    long end = NPY_HEADER_BYTES + (long)(rows * w->cols * (int64_t)sizeof(double));
    if (fflush(w->f) != 0 || ftruncate(fileno(w->f), end) != 0 || fseek(w->f, end, SEEK_SET) != 0)
        return dtb__error(DTB_EIO, "%s: cannot truncate to %lld rows: %s", w->path, (long long)rows,
                          strerror(errno));
    w->rows = rows;
    return write_header(w) ? DTB_EIO : (fseek(w->f, end, SEEK_SET) == 0 ? DTB_OK
                                        : dtb__error(DTB_EIO, "%s: seek failed", w->path));
}

dtb_status dtb__npy_write_row(dtb__npy_writer *w, const double *row)
{
    if (fwrite(row, sizeof *row, (size_t)w->cols, w->f) != (size_t)w->cols)
        return dtb__error(DTB_EIO, "%s: write failed: %s", w->path, strerror(errno));
    w->rows++;
    return DTB_OK;
}

dtb_status dtb__npy_flush(dtb__npy_writer *w)
{
    if (!w->f)
        return DTB_OK;
    long end = ftell(w->f);
    dtb_status st = write_header(w);
    if (!st && (end < 0 || fseek(w->f, end, SEEK_SET) != 0 || fflush(w->f) != 0))
        st = dtb__error(DTB_EIO, "%s: flush failed: %s", w->path, strerror(errno));
    return st;
}

dtb_status dtb__npy_close(dtb__npy_writer *w)
{
    dtb_status st = dtb__npy_flush(w);
    if (w->f && fclose(w->f) != 0 && !st)
        st = dtb__error(DTB_EIO, "%s: close failed: %s", w->path, strerror(errno));
    free(w->path);
    memset(w, 0, sizeof *w);
    return st;
}

/* ------------------------------------------------------------ reading */

static const char *dict_value(const char *dict, const char *key)
{
    const char *p = strstr(dict, key);
    if (!p)
        return NULL;
    p += strlen(key);
    while (*p == ' ' || *p == '\'' || *p == '"' || *p == ':')
        p++;
    return p;
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
    unsigned char pre[12];
    dtb_status st = DTB_OK;
    char *dict = NULL;
    unsigned char *raw = NULL;
    size_t hlen = 0;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        st = dtb__error(DTB_EPARSE, "%s: not an NPY file", path);
    } else if (pre[6] == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        if (fread(pre + 10, 1, 2, f) != 2)
            st = dtb__error(DTB_EPARSE, "%s: truncated NPY header", path);
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    } else {
        st = dtb__error(DTB_EPARSE, "%s: unsupported NPY version %d", path, pre[6]);
    }
    if (!st && hlen > (1u << 20))
        st = dtb__error(DTB_EPARSE, "%s: NPY header too large", path);
    if (!st && !(dict = dtb__malloc(hlen + 1)))
        st = DTB_ENOMEM;
    if (!st && fread(dict, 1, hlen, f) != hlen)
        st = dtb__error(DTB_EPARSE, "%s: truncated NPY header", path);
    char type = 0;
    int size = 0, swap = 0;
    if (!st) {
        dict[hlen] = '\0';
        const char *descr = dict_value(dict, "'descr'");
        const char *fortran = dict_value(dict, "'fortran_order'");
        const char *shape = dict_value(dict, "'shape'");
        if (!descr || !fortran || !shape || *shape != '(')
            st = dtb__error(DTB_EPARSE, "%s: malformed NPY header", path);
        else if (strncmp(fortran, "False", 5) != 0)
            st = dtb__error(DTB_EUNSUPPORTED, "%s: Fortran-ordered arrays are not supported", path);
        else {
            char order = descr[0];
            type = descr[1];
            size = atoi(descr + 2);
            swap = (order == '<' && !little_endian()) || (order == '>' && little_endian());
            if (!((type == 'f' && (size == 4 || size == 8)) || (type == 'i' && (size == 4 || size == 8))) ||
                (order != '<' && order != '>' && order != '|'))
                st = dtb__error(DTB_EUNSUPPORTED, "%s: unsupported dtype '%.4s'", path, descr);
            out->count = 1;
            const char *p = shape + 1;
            while (!st && *p && *p != ')') {
                while (*p == ' ' || *p == ',')
                    p++;
                if (*p == ')')
                    break;
                char *end;
                long long d = strtoll(p, &end, 10);
                if (end == p || d < 0 || out->ndim == 8)
                    st = dtb__error(DTB_EPARSE, "%s: malformed shape", path);
                else {
                    out->shape[out->ndim++] = d;
                    out->count *= d;
                    p = end;
                }
            }
        }
    }
    size_t count = (size_t)out->count;
    if (!st && !(raw = dtb__malloc_array(count ? count : 1, (size_t)size)))
        st = DTB_ENOMEM;
    if (!st && fread(raw, (size_t)size, count, f) != count)
        st = dtb__error(DTB_EPARSE, "%s: file is shorter than its shape says", path);
    if (!st && !(out->data = dtb__malloc_array(count ? count : 1, sizeof(double))))
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < count; i++) {
        unsigned char *p = raw + i * (size_t)size;
        if (swap)
            swap_bytes(p, (size_t)size);
        double v;
        if (type == 'f' && size == 8) { memcpy(&v, p, 8); }
        else if (type == 'f') { float x; memcpy(&x, p, 4); v = x; }
        else if (size == 4) { int32_t x; memcpy(&x, p, 4); v = x; }
        else { int64_t x; memcpy(&x, p, 8); v = (double)x; }
        out->data[i] = v;
    }
    free(dict);
    free(raw);
    fclose(f);
    if (st)
        dtb__npy_array_free(out);
    return st;
}
