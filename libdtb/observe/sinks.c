/* libdtb — where observer samples go: memory, callback, CSV, NPY (the
 * result files of matrix observers are in results.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "observer.h"

/* The header line of a CSV file: t, then the column names. */
static char *csv_header(const dtb_observer *o)
{
    dtb__strbuf b = {0};
    dtb__strbuf_append(&b, "t");
    for (size_t c = 0; c < o->n_cols; c++) {
        dtb__strbuf_append(&b, ",");
        dtb__strbuf_append(&b, o->col_names[c]);
    }
    dtb__strbuf_append(&b, "\n");
    if (b.failed) {
        dtb__strbuf_free(&b);
        return NULL;
    }
    return b.data;
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
    if (o->sink != DTB_SINK_CSV && o->sink != DTB_SINK_NPY)
        return DTB_OK;
    /* both are files of whole rows (io/rowfile.h): whatever ends the run,
     * they hold a header and whole rows */
    const int64_t npy_cols = o->sink == DTB_SINK_NPY ? (int64_t)o->n_cols + 1 : 0;
    char *header = npy_cols ? NULL : csv_header(o);
    if (!npy_cols && !header)
        return DTB_ENOMEM;
    dtb_status st = o->append ? dtb__rowfile_continue(&o->rows, o->path, header, npy_cols)
                              : dtb__rowfile_create(&o->rows, o->path, header, npy_cols);
    free(header);
    o->file_open = st == DTB_OK;
    return st;
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
    /* straight into the row buffer: a number takes at most 32 characters */
    dtb_status st;
    char *p = dtb__rowfile_reserve(&o->rows, (o->n_cols + 1) * 33 + 1, &st);
    if (!p)
        return st;
    char *start = p;
    dtb__locale_guard g;
    dtb__locale_push_c(&g);
    p += dtb__format_double(p, 33, t);
    for (size_t c = 0; c < o->n_cols; c++) {
        *p++ = ',';
        p += dtb__format_double(p, 33, values[c]);
    }
    *p++ = '\n';
    dtb__locale_pop(&g);
    dtb__rowfile_advance(&o->rows, (size_t)(p - start));
    return dtb__rowfile_end_row(&o->rows);
}

static dtb_status npy_emit(dtb_observer *o, double t, const double *values)
{
    dtb_status st;
    char *p = dtb__rowfile_reserve(&o->rows, (o->n_cols + 1) * sizeof(double), &st);
    if (!p)
        return st;
    memcpy(p, &t, sizeof t);
    memcpy(p + sizeof t, values, o->n_cols * sizeof *values);
    dtb__rowfile_advance(&o->rows, (o->n_cols + 1) * sizeof(double));
    return dtb__rowfile_end_row(&o->rows);
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
    return dtb__rowfile_commit(&o->rows);
}

void dtb__sink_close(dtb_observer *o)
{
    if (!o->file_open)
        return;
    /* a matrix result holds nothing open: the last flush wrote the file */
    if (!dtb__observer_is_matrix(o->kind))
        dtb__rowfile_close(&o->rows);
    o->file_open = 0;
}

int64_t dtb__observer_samples_on_disk(const dtb_observer *o)
{
    if (!o->file_open)
        return o->sink == DTB_SINK_CSV || o->sink == DTB_SINK_NPY ? 0 : o->n_samples;
    if (dtb__observer_is_matrix(o->kind))
        return o->result_samples;
    return o->rows.rows;
}
