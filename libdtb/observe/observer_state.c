/* libdtb — an observer's state in a checkpoint: everything it carries from
 * one step to the next (partial averaging windows, the Balloon-Windkessel
 * and Volterra states of BOLD, the projection noise generator, threshold
 * crossings, FC sums, the PSD and FCD sample rings and FCD windows), its
 * counters, and how much of its output file belongs to the run so far.
 * A restored observer continues exactly as the saved one would have. Also
 * the haemodynamic state of BOLD, for a filter to correct it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/ckpt.h"
#include "observer.h"

static void signal_fields(dtb__ckpt *w, dtb__signal *s)
{
    dtb__ckpt_fixed(w, "period", (uint64_t)s->istep);
    dtb__ckpt_fixed(w, "input size", s->n_in);
    dtb__ckpt_fixed(w, "output size", s->n_out);
    dtb__ckpt_i64(w, "samples averaged", &s->acc_count);
    dtb__ckpt_f64s(w, "partial averages", s->acc, s->acc ? s->n_in : 0);
    dtb__ckpt_f64s(w, "output", s->out, s->out ? s->n_out : 0);
    dtb__balloon *bl = &s->balloon;
    if (dtb__ckpt_fixed(w, "BOLD state", bl->x ? bl->n : 0) && bl->x) {
        dtb__ckpt_i64(w, "BOLD steps", &bl->count);
        dtb__ckpt_f64s(w, "BOLD state", bl->x, 4 * bl->n);
        dtb__ckpt_f64s(w, "BOLD state", bl->z, bl->n);
    }
    dtb__volterra *v = &s->volterra;
    if (dtb__ckpt_fixed(w, "Volterra stock", v->stock ? v->n : 0) && v->stock) {
        dtb__ckpt_i64(w, "Volterra stock", &v->newest);
        dtb__ckpt_f64s(w, "Volterra stock", v->interim, (size_t)v->interim_istep * v->n);
        dtb__ckpt_f64s(w, "Volterra stock", v->stock, (size_t)DTB__VOLTERRA_SLOTS * v->n);
    }
    dtb__ckpt_u64s(w, "projection noise generator", s->projection.rng.s, 4);
}

static void events_fields(dtb__ckpt *w, dtb__events *e)
{
    const size_t m = e->n_vars * e->n_regions;
    dtb__ckpt_fixed(w, "variables", m);
    DTB__CKPT_INT(w, "threshold state", e->have_prev, 1);
    dtb__ckpt_f64s(w, "previous values", e->prev, e->prev ? m : 0);
    dtb__ckpt_i64(w, "rate window", &e->window_steps);
    dtb__ckpt_i64s(w, "event counts", e->counts, e->counts ? e->n_vars : 0);
}

static void ring_fields(dtb__ckpt *w, dtb__ring *r)
{
    dtb__ckpt_fixed(w, "window", r->len);
    dtb__ckpt_fixed(w, "columns", r->n);
    dtb__ckpt_i64(w, "samples", &r->pushed);
    dtb__ckpt_f64s(w, "window samples", r->rows, r->len * r->n);
    dtb__ckpt_f64s(w, "window times", r->times, r->len);
}

static void matrix_fields(dtb__ckpt *w, dtb_observer *o)
{
    if (o->fc) {
        dtb__fc_acc *a = o->fc;
        dtb__ckpt_i64(w, "FC samples", &a->count);
        dtb__ckpt_f64s(w, "FC sums", a->shift, a->n);
        dtb__ckpt_f64s(w, "FC sums", a->sum, a->n);
        dtb__ckpt_f64s(w, "FC sums", a->prod, a->n * (a->n + 1) / 2);
    }
    if (o->psd) {
        ring_fields(w, &o->psd->ring);
        dtb__welch *s = &o->psd->welch;
        dtb__ckpt_i64(w, "PSD segments", &s->n_segments);
        dtb__ckpt_f64s(w, "PSD sums", s->sum, dtb__welch_n_freqs(s->segment) * s->n_signals);
    }
    if (o->fcd) {
        dtb__fcd_stream *f = o->fcd;
        ring_fields(w, &f->ring);
        const uint64_t windows = dtb__ckpt_count(w, "FCD windows", f->n_windows, 8);
        /* room for them, as pushing them would have made */
        while (dtb__ckpt_checking(w) && f->cap_windows < windows)
            dtb__ckpt_fail(w, dtb__fcd_stream_reserve(f));
        if (dtb__ckpt_restoring(w))
            f->n_windows = (size_t)windows;
        dtb__ckpt_f64s(w, "FCD windows", f->vectors, windows * f->vec_len);
        dtb__ckpt_f64s(w, "FCD", f->lower, windows * (windows + 1) / 2);
        dtb__ckpt_f64s(w, "FCD times", f->times, windows);
    }
}

/* How much of its file belongs to the run so far (bytes of a CSV file,
 * rows of an NPY file, after writing what was held back); restoring cuts
 * the file back to it (the rows after it are written again), so the check
 * makes sure the file holds that much. */
static void file_fields(dtb__ckpt *w, dtb_observer *o, int64_t samples)
{
    const int has_file = o->file_open && !dtb__observer_is_matrix(o->kind);
    const int64_t bytes = has_file ? (int64_t)dtb__rowfile_length(&o->rows) : 0;
    const int npy = o->sink == DTB_SINK_NPY;
    const int64_t here = npy ? o->rows.rows : bytes;
    const int64_t there = (int64_t)dtb__ckpt_take(w, "file length", has_file ? (uint64_t)here : 0,
                                                  INT64_MAX);
    if (!has_file || dtb__ckpt_saving(w) || !dtb__ckpt_ok(w))
        return;
    if (there > here || (!npy && samples > o->rows.rows)) {
        dtb__error(DTB_ESTATE, "%s is shorter than at the checkpoint: create the observer with "
                               "DTB_OBSERVER_FLAG_APPEND to resume its file", o->path);
        dtb__ckpt_fail(w, DTB_ESTATE);
    } else if (dtb__ckpt_restoring(w)) {
        dtb__ckpt_fail(w, npy ? dtb__npy_truncate(&o->rows, there)
                              : dtb__rowfile_truncate(&o->rows, (off_t)there, samples));
    }
}

void dtb__observer_fields(dtb__ckpt *w, dtb_observer *o)
{
    const size_t scope = dtb__ckpt_enter(w, "observer %s (%s): ", o->path ? o->path : "",
                                         dtb_observer_kind_name(o));
    dtb__ckpt_fixed(w, "kind", (uint64_t)o->kind);
    dtb__ckpt_fixed(w, "columns", o->n_cols);
    dtb__ckpt_fixed(w, "sink", (uint64_t)o->sink);
    const int64_t samples = (int64_t)dtb__ckpt_take(w, "samples", (uint64_t)o->n_samples, INT64_MAX);
    if (dtb__ckpt_restoring(w))
        o->n_samples = samples;
    dtb__ckpt_fixed(w, "parts", (uint64_t)(o->has_signal | o->has_events << 1));
    if (o->has_signal)
        signal_fields(w, &o->signal);
    if (o->has_events)
        events_fields(w, &o->events);
    matrix_fields(w, o);
    file_fields(w, o, samples);
    dtb__ckpt_leave(w, scope);
}

double *dtb__observer_haemodynamics(dtb_observer *o, size_t *units)
{
    *units = 0;
    if (!o || !o->has_signal || !o->signal.balloon.x)
        return NULL;
    *units = o->signal.balloon.n;
    return o->signal.balloon.x;
}
