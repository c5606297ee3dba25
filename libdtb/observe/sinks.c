/* libdtb — where observer samples go: memory, callback, CSV, NPY (the
 * result files of matrix observers are in results.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "observer.h"

static dtb_status csv_open(dtb_observer *o)
{
    if (o->append && (o->csv = fopen(o->path, "r+"))) {
        /* continue after what is there (the header included) */
        o->file_open = 1;
        setvbuf(o->csv, NULL, _IOFBF, 1 << 16);
        if (fseek(o->csv, 0, SEEK_END) != 0)
            return dtb__error(DTB_EIO, "%s: cannot seek: %s", o->path, strerror(errno));
        if (ftell(o->csv) > 0)
            return DTB_OK;
    }
    if (!o->csv)
        o->csv = fopen(o->path, "w");
    if (!o->csv)
        return dtb__error(DTB_EIO, "%s: cannot create file: %s", o->path, strerror(errno));
    o->file_open = 1;
    setvbuf(o->csv, NULL, _IOFBF, 1 << 16);
    fputs("t", o->csv);
    for (size_t c = 0; c < o->n_cols; c++) {
        fputc(',', o->csv);
        fputs(o->col_names[c], o->csv);
    }
    fputc('\n', o->csv);
    if (ferror(o->csv))
        return dtb__error(DTB_EIO, "%s: write failed: %s", o->path, strerror(errno));
    return DTB_OK;
}

dtb_status dtb__sink_open(dtb_observer *o)
{
    if (dtb__observer_is_matrix(o->kind)) {
        if (o->sink != DTB_SINK_CSV && o->sink != DTB_SINK_NPY)
            return DTB_OK;
        /* The (empty) result now, so that an unwritable path fails here. */
        dtb_status st = dtb__result_write(o);
        o->file_open = st == DTB_OK;
        return st;
    }
    switch (o->sink) {
    case DTB_SINK_CSV: return csv_open(o);
    case DTB_SINK_NPY: {
        dtb_status st = o->append ? dtb__npy_open_append(&o->npy, o->path, (int64_t)o->n_cols + 1)
                                  : dtb__npy_open(&o->npy, o->path, (int64_t)o->n_cols + 1);
        o->file_open = st == DTB_OK;
        return st;
    }
    default: return DTB_OK;
    }
}

static dtb_status memory_emit(dtb_observer *o, double t, const double *values)
{
    size_t stride = o->n_cols + 1;
    if (o->mem_len == o->mem_cap) {
        if (o->mem_head > 0) {
            /* Reclaim what has been read before growing. */
            memmove(o->mem, o->mem + o->mem_head * stride,
                    (o->mem_len - o->mem_head) * stride * sizeof *o->mem);
            o->mem_len -= o->mem_head;
            o->mem_head = 0;
        }
        if (o->mem_len == o->mem_cap) {
            size_t cap = o->mem_cap ? o->mem_cap * 2 : 64;
            double *p = dtb__realloc_array(o->mem, cap, stride * sizeof *p);
            if (!p)
                return DTB_ENOMEM;
            o->mem = p;
            o->mem_cap = cap;
        }
    }
    double *rec = o->mem + o->mem_len * stride;
    rec[0] = t;
    memcpy(rec + 1, values, o->n_cols * sizeof *values);
    o->mem_len++;
    return DTB_OK;
}

static dtb_status csv_emit(dtb_observer *o, double t, const double *values)
{
    char num[40];
    dtb__locale_guard g;
    dtb__locale_push_c(&g);
    dtb__format_double(num, sizeof num, t);
    fputs(num, o->csv);
    for (size_t c = 0; c < o->n_cols; c++) {
        int len = dtb__format_double(num + 1, sizeof num - 1, values[c]);
        num[0] = ',';
        fwrite(num, 1, (size_t)len + 1, o->csv);
    }
    fputc('\n', o->csv);
    dtb__locale_pop(&g);
    if (ferror(o->csv))
        return dtb__error(DTB_EIO, "%s: write failed: %s", o->path, strerror(errno));
    return DTB_OK;
}

static dtb_status npy_emit(dtb_observer *o, double t, const double *values)
{
    /* o->row is values; write t then the row without copying into a wider
     * buffer. */
    if (fwrite(&t, sizeof t, 1, o->npy.f) != 1 ||
        fwrite(values, sizeof *values, o->n_cols, o->npy.f) != o->n_cols)
        return dtb__error(DTB_EIO, "%s: write failed: %s", o->path, strerror(errno));
    o->npy.rows++;
    return DTB_OK;
}

dtb_status dtb__sink_emit(dtb_observer *o, double t, const double *values)
{
    switch (o->sink) {
    case DTB_SINK_MEMORY: return memory_emit(o, t, values);
    case DTB_SINK_CALLBACK: {
        int32_t r = o->callback(t, values, o->n_cols, o->user_data);
        if (r)
            return dtb__error(DTB_ECANCELLED, "cancelled by an observer callback (it returned %d at t = %g s)",
                              (int)r, t);
        return DTB_OK;
    }
    case DTB_SINK_CSV: return csv_emit(o, t, values);
    case DTB_SINK_NPY: return npy_emit(o, t, values);
    default: return DTB_OK;
    }
}

dtb_status dtb__sink_flush(dtb_observer *o)
{
    if (!o->file_open)
        return DTB_OK;
    if (dtb__observer_is_matrix(o->kind))
        return dtb__result_write(o);
    if (o->sink == DTB_SINK_NPY)
        return dtb__npy_flush(&o->npy);
    if (o->sink == DTB_SINK_CSV && fflush(o->csv) != 0)
        return dtb__error(DTB_EIO, "%s: flush failed: %s", o->path, strerror(errno));
    return DTB_OK;
}

void dtb__sink_close(dtb_observer *o)
{
    if (!o->file_open)
        return;
    if (dtb__observer_is_matrix(o->kind)) {
        /* Nothing is held open; the last flush wrote the file. */
        o->file_open = 0;
        return;
    }
    if (o->sink == DTB_SINK_NPY)
        dtb__npy_close(&o->npy);
    else if (o->csv)
        fclose(o->csv);
    o->csv = NULL;
    o->file_open = 0;
}
