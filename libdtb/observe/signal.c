/* libdtb — an observer's signal: what it takes from every step and when
 * it has a sample.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "signal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

dtb_status dtb__period_steps(double period, double dt, int64_t *istep)
{
    if (!isfinite(period) || !(period > 0))
        return dtb__error(DTB_EINVAL, "observer period must be positive and finite (got %g s)", period);
    double steps = round(period / dt);
    if (steps < 1 || fabs(steps * dt - period) > 1e-9 * period + 1e-15)
        return dtb__error(DTB_EINVAL,
                          "observer period %g s is not a whole number of steps of %g s", period, dt);
    if (steps > 1e12)
        return dtb__error(DTB_EINVAL, "observer period %g s is too long", period);
    *istep = (int64_t)steps;
    return DTB_OK;
}

/* The Balloon-Windkessel integration block: about 1 ms of steps, and a
 * divisor of the sampling period, so that every sample sees a completed
 * block. */
static int64_t balloon_block(double dt, int64_t istep)
{
    int64_t b = (int64_t)fmax(1, rint(1e-3 / dt));
    while (b > 1 && istep % b != 0)
        b--;
    return b;
}

static dtb_status init_bold(dtb__signal *s, const dtb__signal_spec *spec)
{
    int32_t model = spec->opts ? spec->opts->bold_model : DTB_BOLD_DEFAULT;
    if (model < 0 || model > DTB_BOLD_TVB_VOLTERRA)
        return dtb__error(DTB_EINVAL, "BOLD: unknown parameter set %d", (int)model);
    if (model == DTB_BOLD_TVB_VOLTERRA) {
        s->use_volterra = 1;
        return dtb__volterra_init(&s->volterra, s->n_in, spec->dt);
    }
    dtb__balloon_params p;
    dtb__balloon_params_of((dtb_bold_model)model, &p);
    return dtb__balloon_init(&s->balloon, &p, s->n_in, spec->dt, balloon_block(spec->dt, s->istep));
}

dtb_status dtb__signal_init(dtb__signal *s, const dtb__signal_spec *spec)
{
    memset(s, 0, sizeof *s);
    s->kind = spec->kind;
    s->dt = spec->dt;
    s->n_in = spec->n_vars * spec->n_regions;
    s->n_out = s->n_in;
    dtb_status st = DTB_OK;
    if (s->kind == DTB_OBSERVER_RAW) {
        if (spec->period != 0)
            st = dtb__error(DTB_EINVAL, "a raw signal has a sample every step and takes no period "
                                        "(got %g s)", spec->period);
        s->istep = 1;
    } else {
        double period = spec->period;
        if (period == 0)
            period = s->kind == DTB_OBSERVER_BOLD ? 2.0 : 1e-3;
        st = dtb__period_steps(period, spec->dt, &s->istep);
    }
    if (!st && s->kind == DTB_OBSERVER_PROJECTION) {
        if (spec->n_vars != 1)
            st = dtb__error(DTB_EINVAL, "projection: it observes one variable (%zu given); choose "
                                        "it with variables", spec->n_vars);
        if (!st)
            st = dtb__projection_init(&s->projection, spec->opts, spec->n_regions, spec->centres,
                                      spec->seed);
        s->n_out = s->projection.n_sensors;
    }
    if (!st && s->kind == DTB_OBSERVER_BOLD)
        st = init_bold(s, spec);
    if (!st && (s->kind == DTB_OBSERVER_TAVG || s->kind == DTB_OBSERVER_PROJECTION)) {
        s->acc = dtb__calloc(s->n_in ? s->n_in : 1, sizeof *s->acc);
        st = s->acc ? DTB_OK : DTB_ENOMEM;
    }
    if (!st) {
        s->out = dtb__calloc(s->n_out ? s->n_out : 1, sizeof *s->out);
        st = s->out ? DTB_OK : DTB_ENOMEM;
    }
    if (st)
        dtb__signal_free(s);
    return st;
}

void dtb__signal_free(dtb__signal *s)
{
    dtb__balloon_free(&s->balloon);
    dtb__volterra_free(&s->volterra);
    dtb__projection_free(&s->projection);
    free(s->acc);
    free(s->out);
    memset(s, 0, sizeof *s);
}

/* The mean of the window into `dest`, restarting the window. The first
 * window after attaching mid-run may be partial: it averages the steps
 * seen. */
static void take_mean(dtb__signal *s, double *dest)
{
    double inv = 1.0 / (double)s->acc_count;
    for (size_t c = 0; c < s->n_in; c++) {
        dest[c] = s->acc[c] * inv;
        s->acc[c] = 0.0;
    }
    s->acc_count = 0;
}

dtb_status dtb__signal_push(dtb__signal *s, int64_t step, const double *in, int *emitted, double *t)
{
    const int due = step % s->istep == 0;
    *emitted = 0;
    switch (s->kind) {
    case DTB_OBSERVER_TAVG:
    case DTB_OBSERVER_PROJECTION:
        for (size_t c = 0; c < s->n_in; c++)
            s->acc[c] += in[c];
        s->acc_count++;
        if (!due)
            return DTB_OK;
        if (s->kind == DTB_OBSERVER_TAVG) {
            take_mean(s, s->out);
        } else {
            /* The mean replaces the sum in place: acc is reset by the next
             * step's additions, so restart it afterwards. */
            double inv = 1.0 / (double)s->acc_count;
            for (size_t c = 0; c < s->n_in; c++)
                s->acc[c] *= inv;
            dtb__projection_apply(&s->projection, s->acc, s->out);
            memset(s->acc, 0, s->n_in * sizeof *s->acc);
            s->acc_count = 0;
        }
        *t = ((double)step - (double)s->istep / 2.0) * s->dt;
        break;
    case DTB_OBSERVER_BOLD:
        if (s->use_volterra) {
            dtb__volterra_push(&s->volterra, step, in);
        } else {
            dtb_status st = dtb__balloon_push(&s->balloon, in);
            if (st)
                return dtb__error_context(st, "at t = %g s", (double)step * s->dt);
        }
        if (!due)
            return DTB_OK;
        if (s->use_volterra)
            dtb__volterra_bold(&s->volterra, s->out);
        else
            dtb__balloon_bold(&s->balloon, s->out);
        *t = (double)step * s->dt;
        break;
    default:   /* RAW, SUBSAMPLE */
        if (!due)
            return DTB_OK;
        memcpy(s->out, in, s->n_in * sizeof *in);
        *t = (double)step * s->dt;
        break;
    }
    *emitted = 1;
    return DTB_OK;
}
