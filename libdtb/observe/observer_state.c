/* libdtb — an observer's state in a checkpoint: its partial averaging
 * window, its counters and how much of its output file belongs to the run
 * so far.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bytes.h"
#include "observer.h"

static long file_length(dtb_observer *o)
{
    if (!o->file_open)
        return 0;
    dtb__sink_flush(o);
    FILE *f = o->sink == DTB_SINK_CSV ? o->csv : o->npy.f;
    return f ? ftell(f) : 0;
}

void dtb__observer_save(dtb_observer *o, dtb__bytes *b)
{
    dtb__bytes_u32(b, (uint32_t)o->kind);
    dtb__bytes_i64(b, o->istep);
    dtb__bytes_u64(b, o->n_cols);
    dtb__bytes_u32(b, (uint32_t)o->sink);
    dtb__bytes_i64(b, o->n_samples);
    dtb__bytes_i64(b, o->acc_count);
    dtb__bytes_f64s(b, o->acc, o->n_cols);
    dtb__bytes_i64(b, o->sink == DTB_SINK_NPY ? o->npy.rows : (int64_t)file_length(o));
}

/* Cut a CSV file back to its length at the checkpoint. */
static dtb_status truncate_csv(dtb_observer *o, int64_t length)
{
    fflush(o->csv);
    struct stat st;
    if (fstat(fileno(o->csv), &st) != 0 || st.st_size < length)
        return dtb__error(DTB_ESTATE,
                          "%s is shorter than at the checkpoint: create the observer with "
                          "DTB_OBSERVER_FLAG_APPEND to resume its file", o->path);
    if (ftruncate(fileno(o->csv), (off_t)length) != 0 || fseek(o->csv, (long)length, SEEK_SET) != 0)
        return dtb__error(DTB_EIO, "%s: cannot truncate: %s", o->path, strerror(errno));
    return DTB_OK;
}

dtb_status dtb__observer_restore(dtb_observer *o, dtb__reader *r)
{
    uint32_t kind, sink;
    int64_t istep, n_samples, acc_count, length;
    uint64_t n_cols;
    dtb__read_u32(r, &kind);
    dtb__read_i64(r, &istep);
    dtb__read_u64(r, &n_cols);
    dtb__read_u32(r, &sink);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "checkpoint: truncated observer record");
    if (kind != (uint32_t)o->kind || istep != o->istep || n_cols != o->n_cols || sink != (uint32_t)o->sink)
        return dtb__error(DTB_EINVAL,
                          "checkpoint: an observer differs (%s, %lld steps per sample, %llu columns "
                          "at the checkpoint; %s, %lld, %zu now): attach the same observers, in the "
                          "same order, before restoring",
                          kind == DTB_OBSERVER_RAW ? "raw" : kind == DTB_OBSERVER_SUBSAMPLE ? "subsample" : "tavg",
                          (long long)istep, (unsigned long long)n_cols, dtb_observer_kind_name(o),
                          (long long)o->istep, o->n_cols);
    dtb__read_i64(r, &n_samples);
    dtb__read_i64(r, &acc_count);
    dtb__read_f64s(r, o->acc, o->n_cols);
    dtb__read_i64(r, &length);
    if (r->bad)
        return dtb__error(DTB_EPARSE, "checkpoint: truncated observer record");
    o->n_samples = n_samples;
    o->acc_count = acc_count;
    if (o->sink == DTB_SINK_NPY && o->file_open) {
        if (o->npy.rows < length)
            return dtb__error(DTB_ESTATE,
                              "%s has fewer rows than at the checkpoint: create the observer with "
                              "DTB_OBSERVER_FLAG_APPEND to resume its file", o->path);
        return dtb__npy_truncate(&o->npy, length);
    }
    if (o->sink == DTB_SINK_CSV && o->file_open)
        return truncate_csv(o, length);
    return DTB_OK;
}
