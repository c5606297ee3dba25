/* libdtb — the result matrices of FC, FCD and PSD observers, and their
 * files. A result file is rewritten whole at every flush (to a temporary
 * name, then renamed over the old one), so that it always holds a complete
 * result, however the run ends.
 *   fc.csv   a header of region labels (or column names), then n rows of n
 *   fcd.csv  a header of window centre times (s), then the windows x windows
 *            matrix
 *   psd.csv  a header "f" and the column names, then one row per frequency
 *            (Hz) with the densities
 *   .npy     the same matrix without the header (2-D float64)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/atomic_file.h"
#include "observer.h"

void dtb__result_shape(const dtb_observer *o, size_t *rows, size_t *cols)
{
    if (o->fc) {
        *rows = *cols = o->fc->n;
    } else if (o->fcd) {
        *rows = *cols = o->fcd->n_windows;
    } else {
        *rows = dtb__welch_n_freqs(o->psd->ring.len);
        *cols = 1 + o->psd->ring.n;
    }
}

void dtb__result_fill(const dtb_observer *o, double *buf)
{
    if (o->fc)
        dtb__fc_acc_result(o->fc, buf, 0);
    else if (o->fcd)
        dtb__fcd_stream_result(o->fcd, buf);
    else
        dtb__psd_stream_result(o->psd, buf);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_number(FILE *f, double v)
{
    char num[40];
    int len = dtb__format_double(num, sizeof num, v);
    fwrite(num, 1, (size_t)len, f);
}

static void write_header(FILE *f, const dtb_observer *o)
{
    if (o->fc) {
        for (size_t c = 0; c < o->n_cols; c++) {
            if (c)
                fputc(',', f);
            put_field(f, o->result_names[c]);
        }
    } else if (o->fcd) {
        for (size_t w = 0; w < o->fcd->n_windows; w++) {
            if (w)
                fputc(',', f);
            put_number(f, o->fcd->times[w]);
        }
    } else {
        fputc('f', f);
        for (size_t c = 0; c < o->n_cols; c++) {
            fputc(',', f);
            put_field(f, o->col_names[c]);
        }
    }
    fputc('\n', f);
}

static dtb_status write_csv(const dtb_observer *o, const char *path, const double *m, size_t rows,
                            size_t cols)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return dtb__error(DTB_EIO, "%s: cannot create file: %s", path, strerror(errno));
    dtb__locale_guard g;
    dtb__locale_push_c(&g);
    write_header(f, o);
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            if (c)
                fputc(',', f);
            put_number(f, m[r * cols + c]);
        }
        fputc('\n', f);
    }
    dtb__locale_pop(&g);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return dtb__error(DTB_EIO, "%s: write failed: %s", path, strerror(errno));
    return DTB_OK;
}

static dtb_status write_npy(const char *path, const double *m, size_t rows, size_t cols)
{
    dtb__npy_writer w;
    dtb_status st = dtb__npy_open(&w, path, (int64_t)cols);
    for (size_t r = 0; !st && r < rows; r++)
        st = dtb__npy_write_row(&w, m + r * cols);
    dtb_status cst = st ? DTB_OK : dtb__npy_close(&w);
    if (st)
        dtb__npy_close(&w);
    return st ? st : cst;
}

dtb_status dtb__result_write(dtb_observer *o)
{
    size_t rows, cols;
    dtb__result_shape(o, &rows, &cols);
    double *m = dtb__malloc_array((rows * cols) + 1, sizeof *m);
    /* to a temporary name, renamed over the real one (io/atomic_file.h:
     * a device or a pipe is written directly, a link's target replaced) */
    const int direct = dtb__atomic_direct(o->path);
    char *target = direct ? NULL : dtb__atomic_target(o->path);
    char *tmp = direct ? dtb__strdup(o->path) : target ? dtb__asprintf("%s.tmp", target) : NULL;
    dtb_status st = m && tmp ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        dtb__result_fill(o, m);
        st = o->sink == DTB_SINK_NPY ? write_npy(tmp, m, rows, cols)
                                     : write_csv(o, tmp, m, rows, cols);
    }
    if (!st && !direct && rename(tmp, target) != 0)
        st = dtb__error(DTB_EIO, "%s: cannot replace it with %s: %s", o->path, tmp, strerror(errno));
    if (st && tmp && !direct)
        remove(tmp);
    free(target);
    if (!st)
        o->result_samples = o->n_samples;
    free(m);
    free(tmp);
    return st;
}
