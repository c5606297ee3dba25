/* libdtb — observers: the signal they sample (raw, subsampled, averaged,
 * BOLD, projected), threshold events, and the analyses fed with that
 * signal (FC, FCD, PSD).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "observer.h"
#include "sim/sim.h"

dtb_status dtb_observer_options_init(dtb_observer_options *opts, uint32_t version)
{
    if (!opts)
        return dtb__error(DTB_EINVAL, "dtb_observer_options_init: opts is NULL");
    dtb_status st = dtb__check_version(version, DTB_OBSERVER_OPTIONS_VERSION, "dtb_observer_options");
    if (st)
        return st;
    memset(opts, 0, sizeof *opts);
    opts->version = version;
    return DTB_OK;
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

/* "V,W" -> variable codes. */
static dtb_status parse_variables(dtb_observer *o, const dtb__model_core *core, const char *list)
{
    o->n_states = core->n_states;
    if (!list) {
        o->n_vars = core->n_voi;
        o->vars = dtb__calloc(o->n_vars ? o->n_vars : 1, sizeof *o->vars);
        if (!o->vars)
            return DTB_ENOMEM;
        memcpy(o->vars, core->voi, o->n_vars * sizeof *o->vars);
        return DTB_OK;
    }
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    o->vars = dtb__calloc(cap, sizeof *o->vars);
    if (!o->vars)
        return DTB_ENOMEM;
    const char *p = list;
    while (1) {
        size_t len = strcspn(p, ",");
        while (len && (*p == ' '))
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        char name[256];
        if (len == 0 || len >= sizeof name)
            return dtb__error(DTB_EINVAL, "observer variables '%s': empty or over-long name", list);
        memcpy(name, p, len);
        name[len] = '\0';
        int64_t k = dtb__model_variable_index(core, name);
        if (k < 0) {
            dtb__strbuf known = {0};
            for (int64_t i = 0; dtb__model_variable_name(core, i); i++)
                dtb__strbuf_printf(&known, "%s%s", i ? ", " : "", dtb__model_variable_name(core, i));
            dtb_status st = dtb__error(DTB_ENOTFOUND,
                                       "observer variables: model '%s' has no state or derived "
                                       "variable '%s' (it has: %s)", core->name, name,
                                       known.data ? known.data : "");
            dtb__strbuf_free(&known);
            return st;
        }
        for (size_t i = 0; i < o->n_vars; i++)
            if (o->vars[i] == k)
                return dtb__error(DTB_EINVAL, "observer variables: '%s' is listed twice", name);
        o->vars[o->n_vars++] = k;
        p += strcspn(p, ",");
        if (!*p)
            break;
        p++;
    }
    return DTB_OK;
}

/* The kind of signal an observer samples: its own, or its source's. */
static dtb_observer_kind signal_kind(const dtb_observer *o, const dtb_observer_options *opts)
{
    if (!dtb__observer_is_matrix(o->kind))
        return o->kind;
    return opts && opts->source ? (dtb_observer_kind)opts->source : DTB_OBSERVER_TAVG;
}

static dtb_status make_columns(dtb_observer *o, const dtb__model_core *core, char *const *labels)
{
    const size_t n = (size_t)o->n_regions;
    if (o->kind == DTB_OBSERVER_SPIKES)
        o->n_cols = 1;
    else if (o->kind == DTB_OBSERVER_RATE)
        o->n_cols = o->n_vars;
    else
        o->n_cols = o->signal.n_out;
    o->col_names = dtb__calloc(o->n_cols ? o->n_cols : 1, sizeof *o->col_names);
    if (!o->col_names)
        return DTB_ENOMEM;
    const int sensors = o->has_signal && o->signal.kind == DTB_OBSERVER_PROJECTION;
    for (size_t c = 0; c < o->n_cols; c++) {
        const char *var = dtb__model_variable_name(core, o->vars[o->kind == DTB_OBSERVER_RATE ? c
                                                                 : sensors ? 0 : c / (n ? n : 1)]);
        if (o->kind == DTB_OBSERVER_SPIKES)
            o->col_names[c] = dtb__strdup("unit");
        else if (o->kind == DTB_OBSERVER_RATE)
            o->col_names[c] = dtb__asprintf("%s.rate", var);
        else if (sensors && o->signal.projection.builtin)
            o->col_names[c] = dtb__strdup(dtb_leadfield_sensor_name((int64_t)c));
        else if (sensors)
            o->col_names[c] = dtb__asprintf("sensor.%zu", c);
        else
            o->col_names[c] = dtb__asprintf("%s.%zu", var, c % n);
        if (!o->col_names[c])
            return DTB_ENOMEM;
    }
    if (o->kind != DTB_OBSERVER_FC)
        return DTB_OK;
    /* fc.csv is headed by region labels when its columns are regions. */
    o->result_names = dtb__calloc(o->n_cols ? o->n_cols : 1, sizeof *o->result_names);
    if (!o->result_names)
        return DTB_ENOMEM;
    const int regions = !sensors && o->n_vars == 1;
    for (size_t c = 0; c < o->n_cols; c++)
        if (!(o->result_names[c] = dtb__strdup(regions ? labels[c] : o->col_names[c])))
            return DTB_ENOMEM;
    return DTB_OK;
}

static dtb_status check_options(const dtb_observer_options *opts, dtb_observer *o)
{
    o->kind = DTB_OBSERVER_TAVG;
    o->sink = DTB_SINK_MEMORY;
    if (!opts)
        return DTB_OK;
    dtb_status st = dtb__check_version(opts->version, DTB_OBSERVER_OPTIONS_VERSION,
                                       "dtb_observer_options");
    if (st)
        return st;
    if (opts->flags || opts->reserved)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: unknown flags 0x%x",
                          (unsigned)opts->flags);
    if (opts->kind < 0 || opts->kind > DTB_OBSERVER_RATE)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: unknown kind %d", (int)opts->kind);
    if (opts->kind)
        o->kind = (dtb_observer_kind)opts->kind;
    if (opts->sink < 0 || opts->sink > DTB_SINK_NPY)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: unknown sink %d", (int)opts->sink);
    o->sink = (dtb_sink_kind)opts->sink;
    if ((o->sink == DTB_SINK_CSV || o->sink == DTB_SINK_NPY) && !opts->path)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: a %s sink needs a path",
                          o->sink == DTB_SINK_CSV ? "CSV" : "NPY");
    if (o->sink == DTB_SINK_CALLBACK && !opts->callback)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: a callback sink needs a callback");
    if (o->sink == DTB_SINK_CALLBACK && dtb__observer_is_matrix(o->kind))
        return dtb__error(DTB_EUNSUPPORTED, "dtb_observer_options: a %s observer holds one result "
                                            "matrix, not samples: use a memory, CSV or NPY sink",
                          dtb_observer_kind_name(o));
    if (dtb__observer_is_matrix(o->kind) &&
        !(opts->source >= 0 && opts->source <= DTB_OBSERVER_PROJECTION))
        return dtb__error(DTB_EINVAL, "dtb_observer_options: the source of a %s observer must be "
                                      "raw, subsample, tavg, bold or projection (got kind %d)",
                          dtb_observer_kind_name(o), (int)opts->source);
    if (o->kind == DTB_OBSERVER_RAW && opts->period != 0)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: a raw observer records every step and "
                                      "takes no period (got %g s)", opts->period);
    if (!isfinite(opts->threshold) || !isfinite(opts->window) || !isfinite(opts->window_step) ||
        !isfinite(opts->skip) || opts->window < 0 || opts->window_step < 0 || opts->skip < 0)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: threshold, window, window_step and "
                                      "skip must be finite, the last three >= 0");
    o->skip = opts->skip;
    return DTB_OK;
}

/* Samples of the source per `seconds`, or `fallback` when seconds is 0. */
static dtb_status source_samples(const dtb_observer *o, const char *what, double seconds,
                                 size_t fallback, size_t minimum, size_t *out)
{
    const double period = (double)o->signal.istep * o->dt;
    double n = seconds > 0 ? rint(seconds / period) : (double)fallback;
    if (n < (double)minimum || n > 1e9)
        return dtb__error(DTB_EINVAL, "%s observer: %s of %g s is %g samples of the source (one "
                                      "every %g s); at least %zu are needed", dtb_observer_kind_name(o),
                          what, seconds, n, period, minimum);
    *out = (size_t)n;
    return DTB_OK;
}

static dtb_status make_analysis(dtb_observer *o, const dtb_observer_options *opts)
{
    const size_t n = o->signal.n_out;
    if (o->kind == DTB_OBSERVER_FC) {
        o->fc = dtb__calloc(1, sizeof *o->fc);
        return o->fc ? dtb__fc_acc_init(o->fc, n) : DTB_ENOMEM;
    }
    size_t len = 0, hop = 0;
    const double window = opts ? opts->window : 0, step = opts ? opts->window_step : 0;
    if (o->kind == DTB_OBSERVER_PSD) {
        dtb_status st = source_samples(o, "segment", window, 256, 2, &len);
        if (!st)
            st = source_samples(o, "segment step", step, len / 2 ? len / 2 : 1, 1, &hop);
        if (st)
            return st;
        o->psd = dtb__calloc(1, sizeof *o->psd);
        return o->psd ? dtb__psd_stream_init(o->psd, n, len, hop, (double)o->signal.istep * o->dt)
                      : DTB_ENOMEM;
    }
    int32_t method = opts ? opts->fcd_method : 0, compare = opts ? opts->fcd_compare : 0;
    if (method < 0 || method > DTB_FCD_METHOD_MTD || compare < 0 ||
        compare > DTB_FCD_COMPARE_COSINE_LEADING)
        return dtb__error(DTB_EINVAL, "fcd observer: unknown method %d or comparison %d",
                          (int)method, (int)compare);
    if (n < 2)
        return dtb__error(DTB_EINVAL, "fcd observer: needs at least 2 signals (the source has %zu)",
                          n);
    dtb_status st = source_samples(o, "window", window, 30, 3, &len);
    if (!st)
        st = source_samples(o, "window step", step, len / 2, 1, &hop);
    if (st)
        return st;
    o->fcd = dtb__calloc(1, sizeof *o->fcd);
    return o->fcd ? dtb__fcd_stream_init(o->fcd, n, len, hop, (dtb_fcd_method)method,
                                         (dtb_fcd_compare)compare)
                  : DTB_ENOMEM;
}

/* Each observer's noise stream differs from the simulation's and from the
 * other observers'. */
static uint64_t observer_seed(const dtb_sim *sim, const dtb_observer_options *opts)
{
    if (opts && opts->seed)
        return opts->seed;
    return sim->seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(sim->n_observers + 1));
}

static dtb_status build(dtb_observer *o, dtb_sim *sim, const dtb_observer_options *opts)
{
    dtb_status st = check_options(opts, o);
    if (!st)
        st = parse_variables(o, sim->core, opts ? opts->variables : NULL);
    if (st)
        return st;
    const size_t n_in = o->n_vars * (size_t)o->n_regions;
    o->input = dtb__calloc(n_in ? n_in : 1, sizeof *o->input);
    if (!o->input)
        return DTB_ENOMEM;
    for (size_t v = 0; v < o->n_vars; v++)
        o->needs_derived |= (size_t)o->vars[v] >= o->n_states;
    if (o->kind == DTB_OBSERVER_SPIKES || o->kind == DTB_OBSERVER_RATE) {
        int64_t istep = 1;
        if (o->kind == DTB_OBSERVER_RATE)
            st = dtb__period_steps(opts && opts->period ? opts->period : 1e-3, o->dt, &istep);
        if (!st)
            st = dtb__events_init(&o->events, o->kind == DTB_OBSERVER_RATE, o->n_vars,
                                  (size_t)o->n_regions, opts ? opts->threshold : 0, o->dt, istep);
        o->has_events = !st;
    } else {
        dtb__signal_spec spec = {signal_kind(o, opts), opts ? opts->period : 0, o->dt, o->n_vars,
                                 (size_t)o->n_regions, opts, sim->centres, observer_seed(sim, opts)};
        st = dtb__signal_init(&o->signal, &spec);
        o->has_signal = !st;
        if (!st && dtb__observer_is_matrix(o->kind))
            st = make_analysis(o, opts);
    }
    if (!st)
        st = make_columns(o, sim->core, sim->labels);
    return st;
}

dtb_status dtb_observer_create(dtb_observer **out, dtb_sim *sim, const dtb_observer_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_observer_create: out is NULL");
    *out = NULL;
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_observer_create: sim is NULL");
    dtb_observer *o = dtb__calloc(1, sizeof *o);
    if (!o)
        return DTB_ENOMEM;
    dtb__ref_init(&o->ref);
    o->dt = sim->dt;
    o->n_regions = sim->n;
    dtb_status st = build(o, sim, opts);
    if (!st && opts) {
        o->callback = opts->callback;
        o->user_data = opts->user_data;
        if (opts->path && !(o->path = dtb__strdup(opts->path)))
            st = DTB_ENOMEM;
    }
    if (!st)
        st = dtb__sink_open(o);
    if (!st)
        st = dtb__sim_attach_observer(sim, o);
    if (st) {
        if (o->file_open && o->path) {
            dtb__sink_close(o);
            remove(o->path);
        }
        dtb__observer_unref(o);
        return st;
    }
    /* Only now does the observer own the user data: on failure the caller
     * keeps it. */
    if (opts)
        o->destroy = opts->destroy;
    *out = o;
    return DTB_OK;
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
