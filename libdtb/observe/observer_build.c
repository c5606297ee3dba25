/* libdtb — setting an observer up from its options: checks, variables,
 * the signal or events it samples, the analysis it feeds, column names.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "observer.h"

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
    if ((opts->flags & ~DTB_OBSERVER_FLAG_APPEND) || opts->reserved)
        return dtb__error(DTB_EINVAL, "dtb_observer_options: unknown flags 0x%x",
                          (unsigned)opts->flags);
    o->append = (opts->flags & DTB_OBSERVER_FLAG_APPEND) != 0;
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

dtb_status dtb__observer_build(dtb_observer *o, const dtb__observer_host *host,
                               const dtb_observer_options *opts)
{
    dtb_status st = check_options(opts, o);
    if (!st)
        st = parse_variables(o, host->core, opts ? opts->variables : NULL);
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
                                 (size_t)o->n_regions, opts, host->centres,
                                 opts && opts->seed ? opts->seed : host->seed};
        st = dtb__signal_init(&o->signal, &spec);
        o->has_signal = !st;
        if (!st && dtb__observer_is_matrix(o->kind))
            st = make_analysis(o, opts);
    }
    if (!st)
        st = make_columns(o, host->core, host->labels);
    return st;
}

