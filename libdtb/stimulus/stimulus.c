/* libdtb — stimulus objects: temporal shapes and their values.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stimulus.h"

typedef struct shape_info {
    const char *name;
    dtb__stim_kind kind;
    const char *params[DTB__STIM_MAX_PARAMS];
    double defaults[DTB__STIM_MAX_PARAMS];
    unsigned required;   /* bit i: parameter i must be given */
} shape_info;

#define NAN_ (0.0 / 0.0)
static const shape_info shapes[] = {
    {"pulse", DTB__STIM_PULSE, {"onset", "width", "amplitude"}, {0, 0, 1}, 0x3},
    {"pulse_train", DTB__STIM_PULSE_TRAIN, {"onset", "width", "period", "amplitude", "count"},
     {0, 0, 0, 1, 0}, 0x7},
    {"biphasic", DTB__STIM_BIPHASIC, {"onset", "width", "gap", "period", "amplitude", "count"},
     {0, 0, 0, 0, 1, 0}, 0xB},
    {"step", DTB__STIM_STEP, {"onset", "amplitude"}, {0, 1}, 0x1},
    {"ramp", DTB__STIM_RAMP, {"onset", "duration", "amplitude"}, {0, 0, 1}, 0x3},
    {"sine", DTB__STIM_SINE, {"frequency", "amplitude", "phase", "offset", "onset", "duration"},
     {0, 1, 0, 0, 0, 0}, 0x1},
    {"gaussian", DTB__STIM_GAUSSIAN, {"mean", "sigma", "amplitude", "offset"}, {0, 0, 1, 0}, 0x3},
    {"alpha", DTB__STIM_ALPHA, {"onset", "tau", "amplitude"}, {0, 0, 1}, 0x3},
    {"poisson", DTB__STIM_POISSON, {"rate", "width", "amplitude", "onset", "duration"},
     {0, 0, 1, 0, 0}, 0x3},
    {"noise", DTB__STIM_NOISE, {"sigma", "onset", "duration", "mean"}, {0, 0, 0, 0}, 0x1},
};

static const shape_info *find_shape(const char *name)
{
    for (size_t i = 0; name && i < sizeof shapes / sizeof shapes[0]; i++)
        if (strcmp(shapes[i].name, name) == 0)
            return &shapes[i];
    return NULL;
}

static void callback_unref(dtb__stim_callback *cb)
{
    if (cb && dtb__ref_put(&cb->ref)) {
        if (cb->destroy)
            cb->destroy(cb->user_data);
        free(cb);
    }
}

dtb_status dtb_stimulus_create(dtb_stimulus **out, const char *target)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_create: out is NULL");
    *out = NULL;
    if (!target || !*target)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_create: the target name is empty");
    dtb_stimulus *s = dtb__calloc(1, sizeof *s);
    if (!s || !(s->target = dtb__strdup(target))) {
        free(s);
        return DTB_ENOMEM;
    }
    s->start = -INFINITY;
    s->stop = INFINITY;
    dtb__rng_seed(&s->rng, 0);
    *out = s;
    return DTB_OK;
}

static void clear_space(dtb_stimulus *s)
{
    free(s->regions);
    free(s->weights);
    free(s->labels);
    s->regions = NULL;
    s->weights = NULL;
    s->labels = NULL;
    s->n_regions = s->n_weights = 0;
    s->space = DTB__SPACE_ALL;
}

void dtb_stimulus_free(dtb_stimulus *stim)
{
    if (!stim)
        return;
    for (size_t i = 0; i < stim->n_shapes; i++) {
        free(stim->shapes[i].data);
        callback_unref(stim->shapes[i].cb);
    }
    free(stim->shapes);
    clear_space(stim);
    free(stim->target);
    free(stim);
}

static dtb__stim_shape *push_shape(dtb_stimulus *s)
{
    dtb__stim_shape *p = dtb__realloc_array(s->shapes, s->n_shapes + 1, sizeof *p);
    if (!p)
        return NULL;
    s->shapes = p;
    memset(&p[s->n_shapes], 0, sizeof *p);
    p[s->n_shapes].pulse_until = -INFINITY;
    return &p[s->n_shapes++];
}

static dtb_status check_shape(const shape_info *info, const double *p)
{
    for (int i = 0; i < DTB__STIM_MAX_PARAMS && info->params[i]; i++)
        if (!isfinite(p[i]))
            return dtb__error(DTB_EINVAL, "stimulus %s: parameter '%s' is not finite", info->name,
                              info->params[i]);
    const char *bad = NULL;
    switch (info->kind) {
    case DTB__STIM_PULSE: bad = p[1] > 0 ? NULL : "width must be > 0"; break;
    case DTB__STIM_PULSE_TRAIN:
        bad = !(p[1] > 0) ? "width must be > 0" : !(p[2] >= p[1]) ? "period must be >= width"
              : p[4] < 0 || p[4] != floor(p[4]) ? "count must be a whole number >= 0" : NULL;
        break;
    case DTB__STIM_BIPHASIC:
        bad = !(p[1] > 0) ? "width must be > 0" : p[2] < 0 ? "gap must be >= 0"
              : !(p[3] >= 2 * p[1] + p[2]) ? "period must be >= 2 width + gap"
              : p[5] < 0 || p[5] != floor(p[5]) ? "count must be a whole number >= 0" : NULL;
        break;
    case DTB__STIM_RAMP: bad = p[1] > 0 ? NULL : "duration must be > 0"; break;
    case DTB__STIM_SINE:
        bad = p[0] < 0 ? "frequency must be >= 0" : p[5] < 0 ? "duration must be >= 0" : NULL;
        break;
    case DTB__STIM_GAUSSIAN: bad = p[1] > 0 ? NULL : "sigma must be > 0"; break;
    case DTB__STIM_ALPHA: bad = p[1] > 0 ? NULL : "tau must be > 0"; break;
    case DTB__STIM_POISSON:
        bad = p[0] < 0 ? "rate must be >= 0" : !(p[1] > 0) ? "width must be > 0"
              : p[4] < 0 ? "duration must be >= 0" : NULL;
        break;
    case DTB__STIM_NOISE:
        bad = p[0] < 0 ? "sigma must be >= 0" : p[2] < 0 ? "duration must be >= 0" : NULL;
        break;
    default: break;
    }
    return bad ? dtb__error(DTB_EINVAL, "stimulus %s: %s", info->name, bad) : DTB_OK;
}

dtb_status dtb_stimulus_add(dtb_stimulus *stim, const char *shape, const char *const *param_names,
                            const double *param_values, size_t n_params)
{
    if (!stim)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_add: stim is NULL");
    const shape_info *info = find_shape(shape);
    if (!info)
        return dtb__error(DTB_ENOTFOUND,
                          "unknown stimulus shape '%s' (pulse, pulse_train, biphasic, step, ramp, "
                          "sine, gaussian, alpha, poisson, noise; tables, waveforms and callbacks "
                          "have their own functions)", shape ? shape : "(null)");
    if (n_params && (!param_names || !param_values))
        return dtb__error(DTB_EINVAL, "stimulus %s: parameter names or values are NULL", info->name);
    double p[DTB__STIM_MAX_PARAMS];
    unsigned given = 0;
    memcpy(p, info->defaults, sizeof p);
    for (size_t i = 0; i < n_params; i++) {
        int k = -1;
        for (int j = 0; j < DTB__STIM_MAX_PARAMS && info->params[j]; j++)
            if (param_names[i] && strcmp(param_names[i], info->params[j]) == 0)
                k = j;
        if (k < 0) {
            dtb__strbuf known = {0};
            for (int j = 0; j < DTB__STIM_MAX_PARAMS && info->params[j]; j++)
                dtb__strbuf_printf(&known, "%s%s", j ? ", " : "", info->params[j]);
            dtb_status st = dtb__error(DTB_ENOTFOUND, "stimulus %s has no parameter '%s' (it has: %s)",
                                       info->name, param_names[i] ? param_names[i] : "(null)",
                                       known.data ? known.data : "");
            dtb__strbuf_free(&known);
            return st;
        }
        p[k] = param_values[i];
        given |= 1u << k;
    }
    for (int j = 0; j < DTB__STIM_MAX_PARAMS && info->params[j]; j++)
        if ((info->required >> j & 1) && !(given >> j & 1))
            return dtb__error(DTB_EINVAL, "stimulus %s needs '%s'", info->name, info->params[j]);
    dtb_status st = check_shape(info, p);
    if (st)
        return st;
    dtb__stim_shape *sh = push_shape(stim);
    if (!sh)
        return DTB_ENOMEM;
    sh->kind = info->kind;
    memcpy(sh->p, p, sizeof p);
    return DTB_OK;
}

dtb_status dtb_stimulus_add_table(dtb_stimulus *stim, const double *start, const double *end,
                                  const double *amplitude, size_t n_rows)
{
    if (!stim || (n_rows && (!start || !end || !amplitude)))
        return dtb__error(DTB_EINVAL, "dtb_stimulus_add_table: NULL argument");
    for (size_t i = 0; i < n_rows; i++)
        if (!isfinite(start[i]) || !isfinite(end[i]) || !isfinite(amplitude[i]) || !(end[i] > start[i]))
            return dtb__error(DTB_EINVAL, "stimulus table row %zu: needs finite values and end > start", i);
    double *data = dtb__malloc_array(n_rows ? 3 * n_rows : 1, sizeof *data);
    if (!data)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n_rows; i++) {
        data[3 * i] = start[i];
        data[3 * i + 1] = end[i];
        data[3 * i + 2] = amplitude[i];
    }
    dtb__stim_shape *sh = push_shape(stim);
    if (!sh) {
        free(data);
        return DTB_ENOMEM;
    }
    sh->kind = DTB__STIM_TABLE;
    sh->data = data;
    sh->n_data = n_rows;
    return DTB_OK;
}

dtb_status dtb_stimulus_add_waveform(dtb_stimulus *stim, const double *times, const double *values,
                                     size_t n_samples)
{
    if (!stim || !times || !values || n_samples < 2)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_add_waveform: needs at least two samples");
    for (size_t i = 0; i < n_samples; i++)
        if (!isfinite(times[i]) || !isfinite(values[i]) || (i && !(times[i] > times[i - 1])))
            return dtb__error(DTB_EINVAL, "stimulus waveform sample %zu: values must be finite and "
                                          "times increasing", i);
    double *data = dtb__malloc_array(2 * n_samples, sizeof *data);
    if (!data)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n_samples; i++) {
        data[2 * i] = times[i];
        data[2 * i + 1] = values[i];
    }
    dtb__stim_shape *sh = push_shape(stim);
    if (!sh) {
        free(data);
        return DTB_ENOMEM;
    }
    sh->kind = DTB__STIM_WAVEFORM;
    sh->data = data;
    sh->n_data = n_samples;
    return DTB_OK;
}

dtb_status dtb_stimulus_add_callback(dtb_stimulus *stim, dtb_stimulus_fn fn, void *user_data,
                                     dtb_destroy_fn destroy)
{
    if (!stim || !fn)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_add_callback: NULL argument");
    dtb__stim_callback *cb = dtb__calloc(1, sizeof *cb);
    if (!cb)
        return DTB_ENOMEM;
    dtb__stim_shape *sh = push_shape(stim);
    if (!sh) {
        free(cb);
        return DTB_ENOMEM;
    }
    dtb__ref_init(&cb->ref);
    cb->fn = fn;
    cb->user_data = user_data;
    cb->destroy = destroy;
    sh->kind = DTB__STIM_CALLBACK;
    sh->cb = cb;
    return DTB_OK;
}

dtb_status dtb__stimulus_callback_state(dtb_stimulus *stim, double *state, size_t n_state)
{
    if (!stim || !stim->n_shapes || stim->shapes[stim->n_shapes - 1].kind != DTB__STIM_CALLBACK)
        return dtb__error(DTB_EINVAL, "stimulus: its last shape is not a callback");
    dtb__stim_callback *cb = stim->shapes[stim->n_shapes - 1].cb;
    cb->state = state;
    cb->n_state = state ? n_state : 0;
    return DTB_OK;
}

dtb_status dtb_stimulus_set_window(dtb_stimulus *stim, double start, double stop)
{
    if (!stim || isnan(start) || isnan(stop) || !(stop > start))
        return dtb__error(DTB_EINVAL, "dtb_stimulus_set_window: needs start < stop");
    stim->start = start;
    stim->stop = stop;
    return DTB_OK;
}

dtb_status dtb_stimulus_set_seed(dtb_stimulus *stim, uint64_t seed)
{
    if (!stim)
        return dtb__error(DTB_EINVAL, "dtb_stimulus_set_seed: stim is NULL");
    stim->seed = seed;
    dtb__rng_seed(&stim->rng, seed);
    return DTB_OK;
}

const char *dtb_stimulus_target(const dtb_stimulus *stim) { return stim ? stim->target : NULL; }

dtb_status dtb__stimulus_copy(const dtb_stimulus *src, dtb_stimulus **out)
{
    dtb_stimulus *s;
    dtb_status st = dtb_stimulus_create(&s, src->target);
    if (st)
        return st;
    s->space = src->space;
    memcpy(s->centre, src->centre, sizeof s->centre);
    s->radius = src->radius;
    s->start = src->start;
    s->stop = src->stop;
    s->seed = src->seed;
    s->rng = src->rng;
    if ((src->n_regions && !(s->regions = dtb__malloc_array(src->n_regions, sizeof *s->regions))) ||
        (src->n_weights && !(s->weights = dtb__malloc_array(src->n_weights, sizeof *s->weights))) ||
        (src->labels && !(s->labels = dtb__strdup(src->labels)))) {
        dtb_stimulus_free(s);
        return DTB_ENOMEM;
    }
    s->n_regions = src->n_regions;
    s->n_weights = src->n_weights;
    if (src->n_regions)
        memcpy(s->regions, src->regions, src->n_regions * sizeof *s->regions);
    if (src->n_weights)
        memcpy(s->weights, src->weights, src->n_weights * sizeof *s->weights);
    for (size_t i = 0; i < src->n_shapes; i++) {
        dtb__stim_shape *sh = push_shape(s);
        if (!sh) {
            dtb_stimulus_free(s);
            return DTB_ENOMEM;
        }
        *sh = src->shapes[i];
        sh->data = NULL;
        if (src->shapes[i].data) {
            size_t count = src->shapes[i].n_data * (src->shapes[i].kind == DTB__STIM_TABLE ? 3 : 2);
            sh->data = dtb__malloc_array(count, sizeof *sh->data);
            if (!sh->data) {
                sh->cb = NULL;
                dtb_stimulus_free(s);
                return DTB_ENOMEM;
            }
            memcpy(sh->data, src->shapes[i].data, count * sizeof *sh->data);
        }
        if (sh->cb)
            dtb__ref_get(&sh->cb->ref);
    }
    *out = s;
    return DTB_OK;
}

/* ------------------------------------------------------------ values */

/* Position inside a periodic train: index of the period and time into it. */
static int in_train(double t, double onset, double period, double count, double *phase)
{
    if (t < onset)
        return 0;
    double k = floor((t - onset) / period);
    if (count > 0 && k >= count)
        return 0;
    *phase = (t - onset) - k * period;
    return 1;
}

static double waveform_value(const dtb__stim_shape *sh, double t)
{
    const double *d = sh->data;
    size_t n = sh->n_data;
    if (t < d[0] || t > d[2 * (n - 1)])
        return 0.0;
    size_t lo = 0, hi = n - 1;   /* binary search: d[2 lo] <= t <= d[2 hi] */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d[2 * mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    double t0 = d[2 * lo], t1 = d[2 * hi];
    return d[2 * lo + 1] + (d[2 * hi + 1] - d[2 * lo + 1]) * (t - t0) / (t1 - t0);
}

/* Value of one deterministic shape at time t. Switching times (onsets,
 * ends, table rows) are compared with tc, which the simulation sets a hair
 * after the step's start time: a step that starts at 150 ms belongs to
 * [150 ms, ...) even when 0.1 + 0.05 and 1500 * 1e-4 round differently in
 * seconds. Smooth shapes use t itself. */
static double shape_value(const dtb__stim_shape *sh, double t, double tc)
{
    const double *p = sh->p;
    double phase;
    switch (sh->kind) {
    case DTB__STIM_PULSE: return tc >= p[0] && tc < p[0] + p[1] ? p[2] : 0.0;
    case DTB__STIM_PULSE_TRAIN:
        return in_train(tc, p[0], p[2], p[4], &phase) && phase < p[1] ? p[3] : 0.0;
    case DTB__STIM_BIPHASIC:
        if (!in_train(tc, p[0], p[3], p[5], &phase))
            return 0.0;
        if (phase < p[1])
            return p[4];
        if (phase >= p[1] + p[2] && phase < 2 * p[1] + p[2])
            return -p[4];
        return 0.0;
    case DTB__STIM_STEP: return tc >= p[0] ? p[1] : 0.0;
    case DTB__STIM_RAMP:
        return tc < p[0] ? 0.0 : (t < p[0] + p[1] ? p[2] * (t - p[0]) / p[1] : p[2]);
    case DTB__STIM_SINE:
        if (tc < p[4] || (p[5] > 0 && tc >= p[4] + p[5]))
            return 0.0;
        return p[3] + p[1] * sin(2.0 * 3.14159265358979323846 * p[0] * t + p[2]);
    case DTB__STIM_GAUSSIAN: return p[3] + p[2] * exp(-0.5 * ((t - p[0]) / p[1]) * ((t - p[0]) / p[1]));
    case DTB__STIM_ALPHA: {
        if (tc < p[0])
            return 0.0;
        double x = (t - p[0]) / p[1];
        return p[2] * x * exp(1.0 - x);
    }
    case DTB__STIM_TABLE: {
        double v = 0.0;
        for (size_t i = 0; i < sh->n_data; i++)
            if (tc >= sh->data[3 * i] && tc < sh->data[3 * i + 1])
                v += sh->data[3 * i + 2];
        return v;
    }
    case DTB__STIM_WAVEFORM: return waveform_value(sh, t);
    case DTB__STIM_CALLBACK: return sh->cb->fn(t, sh->cb->user_data);
    default: return 0.0;
    }
}

static int active(const dtb_stimulus *s, double t) { return t >= s->start && t < s->stop; }

double dtb_stimulus_value(const dtb_stimulus *stim, double t)
{
    if (!stim)
        return NAN;
    if (!active(stim, t))
        return 0.0;
    double v = 0.0;
    for (size_t i = 0; i < stim->n_shapes; i++)
        v += shape_value(&stim->shapes[i], t, t);
    return v;
}

static int within(double t, double onset, double duration)
{
    return t >= onset && (duration <= 0 || t < onset + duration);
}

double dtb__stimulus_step_value(dtb_stimulus *stim, double t, double dt)
{
    const double tc = t + 1e-6 * dt;
    if (!active(stim, tc))
        return 0.0;
    double v = 0.0;
    for (size_t i = 0; i < stim->n_shapes; i++) {
        dtb__stim_shape *sh = &stim->shapes[i];
        const double *p = sh->p;
        if (sh->kind == DTB__STIM_POISSON) {
            /* a pulse starts in this step with probability 1 - e^{-rate dt} */
            if (within(tc, p[3], p[4]) && tc >= sh->pulse_until &&
                dtb__rng_uniform(&stim->rng) < -expm1(-p[0] * dt))
                sh->pulse_until = t + p[1];
            v += tc < sh->pulse_until ? p[2] : 0.0;
        } else if (sh->kind == DTB__STIM_NOISE) {
            if (within(tc, p[1], p[2]))
                v += p[3] + p[0] * dtb__rng_normal(&stim->rng);
        } else {
            v += shape_value(sh, t, tc);
        }
    }
    return v;
}
