/* libdtb — observers: their life (make, share, free; the simulation
 * attaches them, sim/sim_observers.c), what they do
 * after every step (the signal they sample, threshold events, the analyses
 * fed with that signal) and their getters. Setting one up from its options
 * is in observer_build.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "observer.h"

dtb_status dtb_observer_options_init(dtb_observer_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_OBSERVER_OPTIONS_VERSION,
                             "dtb_observer_options");
}

dtb_observer *dtb__observer_ref(dtb_observer *o)
{
    if (o)
        dtb__ref_get(&o->ref);
    return o;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

static void observer_destroy(dtb_observer *o)
{
    dtb__sink_close(o);
    if (o->destroy)
        o->destroy(o->user_data);
    free_names(o->col_names, o->n_cols);
    free_names(o->result_names, o->n_cols);
    if (o->has_signal)
        dtb__signal_free(&o->signal);
    if (o->has_events)
        dtb__events_free(&o->events);
    if (o->fc)
        dtb__fc_acc_free(o->fc);
    if (o->fcd)
        dtb__fcd_stream_free(o->fcd);
    if (o->psd)
        dtb__psd_stream_free(o->psd);
    free(o->fc);
    free(o->fcd);
    free(o->psd);
    free(o->vars);
    free(o->input);
    free(o->mem);
    free(o->path);
    free(o);
}

void dtb__observer_unref(dtb_observer *o)
{
    if (o && dtb__ref_put(&o->ref))
        observer_destroy(o);
}

void dtb_observer_free(dtb_observer *obs) { dtb__observer_unref(obs); }

int dtb__observer_is_matrix(dtb_observer_kind kind)
{
    return kind == DTB_OBSERVER_FC || kind == DTB_OBSERVER_FCD || kind == DTB_OBSERVER_PSD;
}

dtb_status dtb__observer_new(dtb_observer **out, const dtb__observer_host *host,
                             const dtb_observer_options *opts, int defer_file)
{
    *out = NULL;
    dtb_observer *o = dtb__calloc(1, sizeof *o);
    if (!o)
        return DTB_ENOMEM;
    dtb__ref_init(&o->ref);
    o->dt = host->dt;
    o->n_regions = host->n_regions;
    dtb_status st = dtb__observer_build(o, host, opts);
    if (!st && opts) {
        o->callback = opts->callback;
        o->user_data = opts->user_data;
        if (opts->path && !(o->path = dtb__strdup(opts->path)))
            st = DTB_ENOMEM;
    }
    if (!st && !defer_file)
        st = dtb__sink_open(o);
    if (st) {
        dtb__observer_discard(o);
        return st;
    }
    *out = o;
    return DTB_OK;
}

void dtb__observer_discard(dtb_observer *o)
{
    if (o->file_open && o->path) {
        dtb__sink_close(o);
        remove(o->path);
    }
    dtb__observer_unref(o);
}

void dtb__observer_own_user_data(dtb_observer *o, const dtb_observer_options *opts)
{
    if (opts)
        o->destroy = opts->destroy;
}

dtb_status dtb__observer_open_file(dtb_observer *o)
{
    if (o->file_open || (o->sink != DTB_SINK_CSV && o->sink != DTB_SINK_NPY))
        return DTB_OK;
    return dtb__sink_open(o);
}

double dtb__observer_bytes_estimate(const dtb_observer *o, int64_t steps)
{
    if (o->sink != DTB_SINK_CSV && o->sink != DTB_SINK_NPY)
        return 0;
    /* a number in CSV: about 20 characters and a comma */
    const double per_value = o->sink == DTB_SINK_NPY ? 8.0 : 21.0;
    if (dtb__observer_is_matrix(o->kind)) {
        size_t rows, cols;
        dtb__result_shape(o, &rows, &cols);
        return per_value * (double)(rows + 1) * (double)cols;
    }
    int64_t every = o->has_signal ? o->signal.istep : o->events.rate ? o->events.istep : 0;
    if (every <= 0)
        return 0;   /* spikes: as many rows as crossings, unknown before the run */
    return per_value * (double)(o->n_cols + 1) * ((double)steps / (double)every);
}

/* This step's values of the observed variables, variable-major. */
static void gather(dtb_observer *o, const double *x, const double *derived)
{
    const size_t n = (size_t)o->n_regions;
    for (size_t v = 0; v < o->n_vars; v++) {
        size_t code = (size_t)o->vars[v];
        const double *src = code < o->n_states ? x + code * n : derived + (code - o->n_states) * n;
        memcpy(o->input + v * n, src, n * sizeof *src);
    }
}

static dtb_status emit_event(void *ctx, double t, const double *values)
{
    dtb_observer *o = ctx;
    o->n_samples++;
    return dtb__sink_emit(o, t, values);
}

dtb_status dtb__observer_record(dtb_observer *o, int64_t step, const double *x,
                                const double *derived)
{
    gather(o, x, derived);
    if (o->has_events)
        return dtb__events_push(&o->events, step, o->input, emit_event, o);
    int emitted;
    double t;
    dtb_status st = dtb__signal_push(&o->signal, step, o->input, &emitted, &t);
    if (st || !emitted)
        return st;
    if (dtb__observer_is_matrix(o->kind) && t < o->skip)
        return DTB_OK;
    o->n_samples++;
    if (o->fc) {
        dtb__fc_acc_push(o->fc, o->signal.out);
        return DTB_OK;
    }
    if (o->psd) {
        dtb__psd_stream_push(o->psd, t, o->signal.out);
        return DTB_OK;
    }
    if (o->fcd)
        return dtb__fcd_stream_push(o->fcd, t, o->signal.out);
    return dtb__sink_emit(o, t, o->signal.out);
}

const char *dtb_observer_kind_name(const dtb_observer *obs)
{
    static const char *const names[] = {"tavg", "raw", "subsample", "tavg", "bold", "projection",
                                        "fc", "fcd", "psd", "spikes", "rate"};
    if (!obs)
        return NULL;
    return obs->kind >= 0 && obs->kind <= DTB_OBSERVER_RATE ? names[obs->kind] : "tavg";
}

dtb_observer_kind dtb_observer_kind_of(const dtb_observer *obs)
{
    return obs ? obs->kind : DTB_OBSERVER_DEFAULT;
}

int64_t dtb_observer_column_count(const dtb_observer *obs)
{
    return obs ? (int64_t)obs->n_cols : -1;
}

const char *dtb_observer_column_name(const dtb_observer *obs, int64_t column)
{
    if (!obs || column < 0 || (size_t)column >= obs->n_cols)
        return NULL;
    return obs->col_names[column];
}

int64_t dtb_observer_sample_count(const dtb_observer *obs) { return obs ? obs->n_samples : -1; }

int64_t dtb_observer_pending(const dtb_observer *obs)
{
    if (!obs || obs->sink != DTB_SINK_MEMORY || dtb__observer_is_matrix(obs->kind))
        return obs ? 0 : -1;
    return (int64_t)(obs->mem_len - obs->mem_head);
}

dtb_status dtb_observer_read(dtb_observer *obs, double *times, double *values, size_t max_samples,
                             size_t *n_read_out)
{
    if (n_read_out)
        *n_read_out = 0;
    if (!obs || !n_read_out)
        return dtb__error(DTB_EINVAL, "dtb_observer_read: NULL argument");
    if (dtb__observer_is_matrix(obs->kind))
        return dtb__error(DTB_ESTATE, "dtb_observer_read: a %s observer holds a result matrix, not "
                                      "samples: read it with dtb_observer_result",
                          dtb_observer_kind_name(obs));
    if (obs->sink != DTB_SINK_MEMORY)
        return dtb__error(DTB_ESTATE, "dtb_observer_read: the observer writes to a %s, not to memory",
                          obs->sink == DTB_SINK_CALLBACK ? "callback" : "file");
    size_t avail = obs->mem_len - obs->mem_head;
    size_t n = avail < max_samples ? avail : max_samples;
    size_t stride = obs->n_cols + 1;
    for (size_t s = 0; s < n; s++) {
        const double *rec = obs->mem + (obs->mem_head + s) * stride;
        if (times)
            times[s] = rec[0];
        if (values)
            memcpy(values + s * obs->n_cols, rec + 1, obs->n_cols * sizeof *values);
    }
    obs->mem_head += n;
    if (obs->mem_head == obs->mem_len)
        obs->mem_head = obs->mem_len = 0;
    *n_read_out = n;
    return DTB_OK;
}

dtb_status dtb_observer_result(const dtb_observer *obs, double *buf, size_t capacity,
                               int64_t *rows_out, int64_t *cols_out)
{
    if (rows_out)
        *rows_out = 0;
    if (cols_out)
        *cols_out = 0;
    if (!obs)
        return dtb__error(DTB_EINVAL, "dtb_observer_result: obs is NULL");
    if (!dtb__observer_is_matrix(obs->kind))
        return dtb__error(DTB_ESTATE, "dtb_observer_result: a %s observer emits samples, it has no "
                                      "result matrix (see dtb_observer_read)",
                          dtb_observer_kind_name(obs));
    size_t rows, cols;
    dtb__result_shape(obs, &rows, &cols);
    if (rows_out)
        *rows_out = (int64_t)rows;
    if (cols_out)
        *cols_out = (int64_t)cols;
    if (!buf)
        return DTB_OK;
    if (capacity < rows * cols)
        return dtb__error(DTB_EBUFSIZE, "dtb_observer_result: room for %zu values, %zu x %zu needed",
                          capacity, rows, cols);
    dtb__result_fill(obs, buf);
    return DTB_OK;
}

dtb_status dtb_observer_flush(dtb_observer *obs)
{
    if (!obs)
        return dtb__error(DTB_EINVAL, "dtb_observer_flush: obs is NULL");
    return dtb__sink_flush(obs);
}
