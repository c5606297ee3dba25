/* libdtb — observers: raw, subsampled and temporally averaged recordings.
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

static void observer_destroy(dtb_observer *o)
{
    dtb__sink_close(o);
    if (o->destroy)
        o->destroy(o->user_data);
    for (size_t i = 0; o->col_names && i < o->n_cols; i++)
        free(o->col_names[i]);
    free(o->col_names);
    free(o->vars);
    free(o->acc);
    free(o->row);
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

static dtb_status make_columns(dtb_observer *o, const dtb__model_core *core)
{
    o->n_cols = o->n_vars * (size_t)o->n_regions;
    o->col_names = dtb__calloc(o->n_cols ? o->n_cols : 1, sizeof *o->col_names);
    o->acc = dtb__calloc(o->n_cols ? o->n_cols : 1, sizeof *o->acc);
    o->row = dtb__calloc(o->n_cols ? o->n_cols : 1, sizeof *o->row);
    if (!o->col_names || !o->acc || !o->row)
        return DTB_ENOMEM;
    size_t c = 0;
    for (size_t v = 0; v < o->n_vars; v++)
        for (int64_t k = 0; k < o->n_regions; k++) {
            o->col_names[c] = dtb__asprintf("%s.%lld", dtb__model_variable_name(core, o->vars[v]),
                                            (long long)k);
            if (!o->col_names[c++])
                return DTB_ENOMEM;
        }
    return DTB_OK;
}

static dtb_status check_options(const dtb_observer_options *opts, double dt, dtb_observer *o)
{
    o->kind = DTB_OBSERVER_TAVG;
    o->sink = DTB_SINK_MEMORY;
    double period = 1e-3;
    if (opts) {
        dtb_status st = dtb__check_version(opts->version, DTB_OBSERVER_OPTIONS_VERSION,
                                           "dtb_observer_options");
        if (st)
            return st;
        if (opts->flags & ~DTB_OBSERVER_FLAG_APPEND)
            return dtb__error(DTB_EINVAL, "dtb_observer_options: unknown flags 0x%x",
                              (unsigned)opts->flags);
        o->append = (opts->flags & DTB_OBSERVER_FLAG_APPEND) != 0;
        if (opts->kind < 0 || opts->kind > DTB_OBSERVER_TAVG)
            return dtb__error(DTB_EINVAL, "dtb_observer_options: unknown kind %d", (int)opts->kind);
        if (opts->kind)
            o->kind = (dtb_observer_kind)opts->kind;
        if (opts->sink < 0 || opts->sink > DTB_SINK_NPY)
            return dtb__error(DTB_EINVAL, "dtb_observer_options: unknown sink %d", (int)opts->sink);
        o->sink = (dtb_sink_kind)opts->sink;
        if (opts->period != 0.0)
            period = opts->period;
        if ((o->sink == DTB_SINK_CSV || o->sink == DTB_SINK_NPY) && !opts->path)
            return dtb__error(DTB_EINVAL, "dtb_observer_options: a %s sink needs a path",
                              o->sink == DTB_SINK_CSV ? "CSV" : "NPY");
        if (o->sink == DTB_SINK_CALLBACK && !opts->callback)
            return dtb__error(DTB_EINVAL, "dtb_observer_options: a callback sink needs a callback");
    }
    if (o->kind == DTB_OBSERVER_RAW) {
        o->istep = 1;
        return DTB_OK;
    }
    if (!isfinite(period) || !(period > 0))
        return dtb__error(DTB_EINVAL, "observer period must be positive and finite (got %g s)", period);
    double steps = round(period / dt);
    if (steps < 1 || fabs(steps * dt - period) > 1e-9 * period + 1e-15)
        return dtb__error(DTB_EINVAL,
                          "observer period %g s is not a whole number of steps of %g s", period, dt);
    if (steps > 1e12)
        return dtb__error(DTB_EINVAL, "observer period %g s is too long", period);
    o->istep = (int64_t)steps;
    return DTB_OK;
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
    dtb_status st = check_options(opts, sim->dt, o);
    if (!st)
        st = parse_variables(o, sim->core, opts ? opts->variables : NULL);
    if (!st)
        st = make_columns(o, sim->core);
    for (size_t v = 0; !st && v < o->n_vars; v++)
        o->needs_derived |= (size_t)o->vars[v] >= o->n_states;
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

/* Row of variable v: a state or a derived variable. */
static const double *variable_row(const dtb_observer *o, size_t v, const double *x,
                                  const double *derived)
{
    size_t code = (size_t)o->vars[v], n = (size_t)o->n_regions;
    return code < o->n_states ? x + code * n : derived + (code - o->n_states) * n;
}

dtb_status dtb__observer_record(dtb_observer *o, int64_t step, const double *x,
                                const double *derived)
{
    const size_t n = (size_t)o->n_regions;
    int emit = step % o->istep == 0;
    double t;
    if (o->kind == DTB_OBSERVER_TAVG) {
        for (size_t v = 0; v < o->n_vars; v++) {
            const double *src = variable_row(o, v, x, derived);
            double *acc = o->acc + v * n;
            for (size_t k = 0; k < n; k++)
                acc[k] += src[k];
        }
        o->acc_count++;
        if (!emit)
            return DTB_OK;
        /* The first window after attaching mid-run may be partial: it
         * averages the steps seen. */
        double inv = 1.0 / (double)o->acc_count;
        for (size_t c = 0; c < o->n_cols; c++) {
            o->row[c] = o->acc[c] * inv;
            o->acc[c] = 0.0;
        }
        o->acc_count = 0;
        t = ((double)step - (double)o->istep / 2.0) * o->dt;
    } else {
        if (!emit)
            return DTB_OK;
        for (size_t v = 0; v < o->n_vars; v++)
            memcpy(o->row + v * n, variable_row(o, v, x, derived), n * sizeof *o->row);
        t = (double)step * o->dt;
    }
    o->n_samples++;
    return dtb__sink_emit(o, t, o->row);
}

const char *dtb_observer_kind_name(const dtb_observer *obs)
{
    if (!obs)
        return NULL;
    switch (obs->kind) {
    case DTB_OBSERVER_RAW: return "raw";
    case DTB_OBSERVER_SUBSAMPLE: return "subsample";
    default: return "tavg";
    }
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
    if (!obs || obs->sink != DTB_SINK_MEMORY)
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

dtb_status dtb_observer_flush(dtb_observer *obs)
{
    if (!obs)
        return dtb__error(DTB_EINVAL, "dtb_observer_flush: obs is NULL");
    return dtb__sink_flush(obs);
}
