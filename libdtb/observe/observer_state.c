/* libdtb — an observer's state in a checkpoint: everything it carries from
 * one step to the next (partial averaging windows, the Balloon-Windkessel
 * and Volterra states of BOLD, the projection noise generator, threshold
 * crossings, FC sums, the PSD and FCD sample rings and FCD windows), its
 * counters, and how much of its output file belongs to the run so far.
 * A restored observer continues exactly as the saved one would have.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bytes.h"
#include "observer.h"

/* --- writing --- */

/* How much of its file belongs to the run so far (bytes of a CSV file,
 * rows of an NPY file), after writing what was held back. */
static int64_t file_length(dtb_observer *o)
{
    if (!o->file_open || dtb__observer_is_matrix(o->kind))
        return 0;
    off_t bytes = dtb__rowfile_length(&o->rows);
    return o->sink == DTB_SINK_NPY ? o->rows.rows : (int64_t)bytes;
}

static void save_signal(const dtb__signal *s, dtb__bytes *b)
{
    dtb__bytes_i64(b, s->istep);
    dtb__bytes_u64(b, s->n_in);
    dtb__bytes_u64(b, s->n_out);
    dtb__bytes_i64(b, s->acc_count);
    dtb__bytes_f64s(b, s->acc, s->acc ? s->n_in : 0);
    dtb__bytes_f64s(b, s->out, s->out ? s->n_out : 0);
    const dtb__balloon *bl = &s->balloon;
    dtb__bytes_u64(b, bl->x ? bl->n : 0);
    if (bl->x) {
        dtb__bytes_i64(b, bl->count);
        dtb__bytes_f64s(b, bl->x, 4 * bl->n);
        dtb__bytes_f64s(b, bl->z, bl->n);
    }
    const dtb__volterra *v = &s->volterra;
    dtb__bytes_u64(b, v->stock ? v->n : 0);
    if (v->stock) {
        dtb__bytes_i64(b, v->newest);
        dtb__bytes_f64s(b, v->interim, (size_t)v->interim_istep * v->n);
        dtb__bytes_f64s(b, v->stock, (size_t)DTB__VOLTERRA_SLOTS * v->n);
    }
    for (int i = 0; i < 4; i++)
        dtb__bytes_u64(b, s->projection.rng.s[i]);
}

static void save_events(const dtb__events *e, dtb__bytes *b)
{
    size_t m = e->n_vars * e->n_regions;
    dtb__bytes_u64(b, m);
    dtb__bytes_u32(b, (uint32_t)e->have_prev);
    dtb__bytes_f64s(b, e->prev, e->prev ? m : 0);
    dtb__bytes_i64(b, e->window_steps);
    for (size_t v = 0; e->counts && v < e->n_vars; v++)
        dtb__bytes_i64(b, e->counts[v]);
}

static void save_ring(const dtb__ring *r, dtb__bytes *b)
{
    dtb__bytes_u64(b, r->len);
    dtb__bytes_u64(b, r->n);
    dtb__bytes_i64(b, r->pushed);
    dtb__bytes_f64s(b, r->rows, r->len * r->n);
    dtb__bytes_f64s(b, r->times, r->len);
}

static void save_matrix(const dtb_observer *o, dtb__bytes *b)
{
    if (o->fc) {
        const dtb__fc_acc *a = o->fc;
        dtb__bytes_i64(b, a->count);
        dtb__bytes_f64s(b, a->shift, a->n);
        dtb__bytes_f64s(b, a->sum, a->n);
        dtb__bytes_f64s(b, a->prod, a->n * (a->n + 1) / 2);
    }
    if (o->psd) {
        save_ring(&o->psd->ring, b);
        const dtb__welch *w = &o->psd->welch;
        dtb__bytes_i64(b, w->n_segments);
        dtb__bytes_f64s(b, w->sum, dtb__welch_n_freqs(w->segment) * w->n_signals);
    }
    if (o->fcd) {
        const dtb__fcd_stream *f = o->fcd;
        save_ring(&f->ring, b);
        dtb__bytes_u64(b, f->n_windows);
        dtb__bytes_f64s(b, f->vectors, f->n_windows * f->vec_len);
        dtb__bytes_f64s(b, f->lower, f->n_windows * (f->n_windows + 1) / 2);
        dtb__bytes_f64s(b, f->times, f->n_windows);
    }
}

void dtb__observer_save(dtb_observer *o, dtb__bytes *b)
{
    dtb__bytes_u32(b, (uint32_t)o->kind);
    dtb__bytes_u64(b, o->n_cols);
    dtb__bytes_u32(b, (uint32_t)o->sink);
    dtb__bytes_i64(b, o->n_samples);
    dtb__bytes_u32(b, (uint32_t)(o->has_signal | o->has_events << 1));
    if (o->has_signal)
        save_signal(&o->signal, b);
    if (o->has_events)
        save_events(&o->events, b);
    save_matrix(o, b);
    dtb__bytes_i64(b, file_length(o));
}

/* --- reading --- */

static dtb_status truncated(void)
{
    return dtb__error(DTB_EPARSE, "checkpoint: truncated observer record");
}

static dtb_status differs(const dtb_observer *o, const char *what)
{
    return dtb__error(DTB_EINVAL,
                      "checkpoint: observer %s (%s) differs in its %s from the one saved: attach "
                      "the same observers, in the same order and with the same options, before "
                      "restoring", o->path ? o->path : "", dtb_observer_kind_name(o), what);
}

/* Read a size and check it against the observer's own. */
static dtb_status expect_u64(dtb__reader *r, uint64_t want, const dtb_observer *o, const char *what)
{
    uint64_t got = 0;
    if (!dtb__read_u64(r, &got))
        return truncated();
    return got == want ? DTB_OK : differs(o, what);
}

static dtb_status restore_signal(dtb_observer *o, dtb__reader *r)
{
    dtb__signal *s = &o->signal;
    int64_t istep = 0;
    dtb__read_i64(r, &istep);
    dtb_status st = istep == s->istep ? DTB_OK : differs(o, "period");
    if (!st)
        st = expect_u64(r, s->n_in, o, "input size");
    if (!st)
        st = expect_u64(r, s->n_out, o, "output size");
    if (st)
        return r->bad ? truncated() : st;
    dtb__read_i64(r, &s->acc_count);
    if (s->acc)
        dtb__read_f64s(r, s->acc, s->n_in);
    if (s->out)
        dtb__read_f64s(r, s->out, s->n_out);
    dtb__balloon *bl = &s->balloon;
    if ((st = expect_u64(r, bl->x ? bl->n : 0, o, "BOLD state")))
        return st;
    if (bl->x) {
        dtb__read_i64(r, &bl->count);
        dtb__read_f64s(r, bl->x, 4 * bl->n);
        dtb__read_f64s(r, bl->z, bl->n);
    }
    dtb__volterra *v = &s->volterra;
    if ((st = expect_u64(r, v->stock ? v->n : 0, o, "Volterra stock")))
        return st;
    if (v->stock) {
        dtb__read_i64(r, &v->newest);
        dtb__read_f64s(r, v->interim, (size_t)v->interim_istep * v->n);
        dtb__read_f64s(r, v->stock, (size_t)DTB__VOLTERRA_SLOTS * v->n);
    }
    for (int i = 0; i < 4; i++)
        dtb__read_u64(r, &s->projection.rng.s[i]);
    return r->bad ? truncated() : DTB_OK;
}

static dtb_status restore_events(dtb_observer *o, dtb__reader *r)
{
    dtb__events *e = &o->events;
    size_t m = e->n_vars * e->n_regions;
    dtb_status st = expect_u64(r, m, o, "variables");
    if (st)
        return st;
    uint32_t have = 0;
    dtb__read_u32(r, &have);
    e->have_prev = (int)have;
    if (e->prev)
        dtb__read_f64s(r, e->prev, m);
    dtb__read_i64(r, &e->window_steps);
    for (size_t i = 0; e->counts && i < e->n_vars; i++)
        dtb__read_i64(r, &e->counts[i]);
    return r->bad ? truncated() : DTB_OK;
}

static dtb_status restore_ring(dtb_observer *o, dtb__ring *ring, dtb__reader *r)
{
    dtb_status st = expect_u64(r, ring->len, o, "window");
    if (!st)
        st = expect_u64(r, ring->n, o, "columns");
    if (st)
        return st;
    dtb__read_i64(r, &ring->pushed);
    dtb__read_f64s(r, ring->rows, ring->len * ring->n);
    dtb__read_f64s(r, ring->times, ring->len);
    return r->bad ? truncated() : DTB_OK;
}

static dtb_status restore_matrix(dtb_observer *o, dtb__reader *r)
{
    dtb_status st = DTB_OK;
    if (o->fc) {
        dtb__fc_acc *a = o->fc;
        dtb__read_i64(r, &a->count);
        dtb__read_f64s(r, a->shift, a->n);
        dtb__read_f64s(r, a->sum, a->n);
        dtb__read_f64s(r, a->prod, a->n * (a->n + 1) / 2);
        if (r->bad)
            return truncated();
    }
    if (o->psd) {
        st = restore_ring(o, &o->psd->ring, r);
        if (st)
            return st;
        dtb__welch *w = &o->psd->welch;
        dtb__read_i64(r, &w->n_segments);
        dtb__read_f64s(r, w->sum, dtb__welch_n_freqs(w->segment) * w->n_signals);
        if (r->bad)
            return truncated();
    }
    if (o->fcd) {
        dtb__fcd_stream *f = o->fcd;
        st = restore_ring(o, &f->ring, r);
        uint64_t windows = 0;
        if (!st && !dtb__read_u64(r, &windows))
            st = truncated();
        /* grow the window arrays to hold them (as pushing would have) */
        while (!st && f->cap_windows < windows) {
            st = dtb__fcd_stream_reserve(f);
        }
        if (st)
            return st;
        f->n_windows = (size_t)windows;
        dtb__read_f64s(r, f->vectors, f->n_windows * f->vec_len);
        dtb__read_f64s(r, f->lower, f->n_windows * (f->n_windows + 1) / 2);
        dtb__read_f64s(r, f->times, f->n_windows);
        if (r->bad)
            return truncated();
    }
    return DTB_OK;
}

dtb_status dtb__observer_restore(dtb_observer *o, dtb__reader *r)
{
    uint32_t kind = 0, sink = 0, parts = 0;
    int64_t n_samples = 0, length = 0;
    dtb__read_u32(r, &kind);
    dtb_status st = r->bad ? truncated() : kind == (uint32_t)o->kind ? DTB_OK : differs(o, "kind");
    if (!st)
        st = expect_u64(r, o->n_cols, o, "columns");
    if (!st) {
        dtb__read_u32(r, &sink);
        dtb__read_i64(r, &n_samples);
        dtb__read_u32(r, &parts);
        st = r->bad ? truncated() : sink != (uint32_t)o->sink ? differs(o, "sink")
             : parts != (uint32_t)(o->has_signal | o->has_events << 1) ? differs(o, "kind")
                                                                        : DTB_OK;
    }
    if (!st && o->has_signal)
        st = restore_signal(o, r);
    if (!st && o->has_events)
        st = restore_events(o, r);
    if (!st)
        st = restore_matrix(o, r);
    if (!st && !dtb__read_i64(r, &length))
        st = truncated();
    if (st)
        return st;
    o->n_samples = n_samples;
    if (dtb__observer_is_matrix(o->kind))
        return DTB_OK;   /* the result file is written whole at every flush */
    if (!o->file_open)
        return DTB_OK;
    /* cut the file back to the checkpoint: rows after it are written again */
    dtb_status fst = o->sink == DTB_SINK_NPY
                         ? (length > o->rows.rows ? DTB_ESTATE : dtb__npy_truncate(&o->rows, length))
                         : (length > (int64_t)dtb__rowfile_length(&o->rows)
                                ? DTB_ESTATE
                                : dtb__rowfile_truncate(&o->rows, (off_t)length, n_samples));
    if (fst == DTB_ESTATE)
        return dtb__error(DTB_ESTATE, "%s is shorter than at the checkpoint: create the observer "
                                      "with DTB_OBSERVER_FLAG_APPEND to resume its file", o->path);
    return fst;
}
