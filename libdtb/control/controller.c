/* libdtb — closed-loop controllers (dtb_control.h): the PID law with
 * limits and conditional integration, a callback rule, and their
 * attachment to a simulation through its public interfaces (an observer
 * with a callback sink measures, a stimulus with a callback shape drives).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dtb/dtb_control.h"
#include "dtb/dtb_observer.h"
#include "dtb/dtb_stimulus.h"
#include "stimulus/stimulus.h"

/* The controller's state, one array so that checkpoints save and restore
 * it with the controller's stimulus (stimulus/stimulus.h): a resumed run
 * continues exactly as the saved one would have. */
enum { INTEGRAL, PREV_ERROR, OUTPUT, MEASUREMENT, UPDATES, N_STATE };

struct dtb_controller {
    dtb__refcount refs;        /* the caller, and the observer and stimulus of a simulation */
    int is_pid;
    dtb_pid_options pid;
    dtb_control_fn fn;
    void *user_data;
    dtb_destroy_fn destroy;
    /* state */
    int attached;
    int64_t column;            /* the region's column in the observer's samples */
    double period;
    double state[N_STATE];     /* integral, previous error, output, measurement, periods done
                                  (a whole number, exact in a double) */
};

dtb_status dtb_pid_options_init(dtb_pid_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_PID_OPTIONS_VERSION,
                             "dtb_pid_options");
}

static dtb_status new_controller(dtb_controller **out, dtb_controller **c)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "controller: out is NULL");
    *out = NULL;
    *c = dtb__calloc(1, sizeof **c);
    if (!*c)
        return DTB_ENOMEM;
    dtb__ref_init(&(*c)->refs);
    (*c)->state[MEASUREMENT] = NAN;
    return DTB_OK;
}

dtb_status dtb_controller_create_pid(dtb_controller **out, const dtb_pid_options *opts)
{
    dtb_pid_options o = DTB_PID_OPTIONS_INIT;
    if (opts) {
        dtb_status st = dtb__check_version(opts->version, DTB_PID_OPTIONS_VERSION,
                                           "dtb_pid_options");
        if (st)
            return st;
        o = *opts;
    }
    if (o.flags)
        return dtb__error(DTB_EINVAL, "pid: flags must be 0");
    const double v[7] = {o.kp, o.ki, o.kd, o.target, o.out_min, o.out_max, o.bias};
    static const char *const names[7] = {"kp", "ki", "kd", "target", "min", "max", "bias"};
    for (int i = 0; i < 7; i++)
        if (!isfinite(v[i]))
            return dtb__error(DTB_EINVAL, "pid %s: %g is not finite", names[i], v[i]);
    const int limited = o.out_min != 0 || o.out_max != 0;
    if (limited && !(o.out_min < o.out_max))
        return dtb__error(DTB_EINVAL, "pid limits: min %g is not below max %g", o.out_min,
                          o.out_max);
    if (limited && (o.bias < o.out_min || o.bias > o.out_max))
        return dtb__error(DTB_EINVAL, "pid bias %g: outside the limits [%g, %g]", o.bias,
                          o.out_min, o.out_max);
    dtb_controller *c;
    dtb_status st = new_controller(out, &c);
    if (st)
        return st;
    c->is_pid = 1;
    c->pid = o;
    c->state[OUTPUT] = o.bias;
    *out = c;
    return DTB_OK;
}

dtb_status dtb_controller_create_callback(dtb_controller **out, dtb_control_fn fn,
                                          void *user_data, dtb_destroy_fn destroy)
{
    if (!fn)
        return dtb__error(DTB_EINVAL, "controller: the function is NULL");
    dtb_controller *c;
    dtb_status st = new_controller(out, &c);
    if (st)
        return st;
    c->fn = fn;
    c->user_data = user_data;
    c->destroy = destroy;
    *out = c;
    return DTB_OK;
}

static void release(void *p)
{
    dtb_controller *c = p;
    if (c && dtb__ref_put(&c->refs)) {
        if (c->destroy)
            c->destroy(c->user_data);
        free(c);
    }
}

void dtb_controller_free(dtb_controller *c)
{
    release(c);
}

/* The PID law for error e over a period h. */
static double pid_output(dtb_controller *c, double e)
{
    const dtb_pid_options *o = &c->pid;
    const double h = c->period;
    const double deriv = c->state[UPDATES] > 0 ? (e - c->state[PREV_ERROR]) / h : 0.0;
    const double integral = c->state[INTEGRAL] + e * h;
    double u = o->bias + o->kp * e + o->ki * integral + o->kd * deriv;
    const int limited = o->out_min != 0 || o->out_max != 0;
    int clamped = 0;
    if (limited && u > o->out_max) {
        clamped = o->ki * e > 0;   /* the integral would push it further up */
        u = o->out_max;
    } else if (limited && u < o->out_min) {
        clamped = o->ki * e < 0;
        u = o->out_min;
    }
    if (!clamped)
        c->state[INTEGRAL] = integral;
    c->state[PREV_ERROR] = e;
    return u;
}

/* The observer's callback: one sample per period. */
static int32_t on_sample(double t, const double *values, size_t n_values, void *ud)
{
    dtb_controller *c = ud;
    if ((size_t)c->column >= n_values)
        return 1;
    const double y = values[c->column];
    const double u = c->is_pid ? pid_output(c, c->pid.target - y) : c->fn(t, y, c->user_data);
    c->state[MEASUREMENT] = y;
    c->state[UPDATES] += 1;
    if (!isfinite(u)) {
        dtb__error(DTB_ECANCELLED, "controller: output %g at t = %g s (measurement %g)", u, t, y);
        return 1;
    }
    c->state[OUTPUT] = u;
    return 0;
}

/* The stimulus' callback: the output in force. */
static double drive(double t, void *ud)
{
    (void)t;
    const dtb_controller *c = ud;
    return c->state[OUTPUT];
}

dtb_status dtb_controller_attach(dtb_controller *c, dtb_sim *sim, const char *variable,
                                 int64_t region, double period, const char *into,
                                 const int64_t *regions, size_t n_regions)
{
    if (!c || !sim || !variable || !into)
        return dtb__error(DTB_EINVAL, "dtb_controller_attach: NULL argument");
    if (c->attached)
        return dtb__error(DTB_ESTATE, "dtb_controller_attach: the controller is attached already");
    const int64_t n = dtb_sim_region_count(sim);
    if (region < 0 || region >= n)
        return dtb__error(DTB_EINVAL, "controller read: region %lld of %lld", (long long)region,
                          (long long)n);
    const double dt = dtb_sim_dt(sim), steps = period / dt;
    if (!(period > 0) || !isfinite(period) || fabs(steps - rint(steps)) > 1e-9 * steps ||
        rint(steps) < 1)
        return dtb__error(DTB_EINVAL, "controller period %g s: not a whole number of steps of "
                                      "%g s", period, dt);
    if (strchr(variable, ','))
        return dtb__error(DTB_EINVAL, "controller read '%s': one variable", variable);
    dtb_stimulus *stim = NULL;
    dtb_status st = dtb_stimulus_create(&stim, into);
    if (!st && regions)
        st = dtb_stimulus_set_regions(stim, regions, n_regions);
    if (!st) {
        dtb__ref_get(&c->refs);   /* the stimulus' reference */
        st = dtb_stimulus_add_callback(stim, drive, c, release);
        if (st)
            release(c);
        else
            st = dtb__stimulus_callback_state(stim, c->state, N_STATE);
    }
    /* the observer first: if the stimulus then fails (an unknown target),
     * the simulation keeps an observer that only measures, never a drive
     * without its measurement */
    dtb_observer *obs = NULL;
    if (!st) {
        dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
        o.kind = DTB_OBSERVER_TAVG;
        o.period = period;
        o.variables = variable;
        o.sink = DTB_SINK_CALLBACK;
        o.callback = on_sample;
        o.user_data = c;
        o.destroy = release;
        c->column = region;
        c->period = period;
        dtb__ref_get(&c->refs);   /* the observer's reference */
        st = dtb_observer_create(&obs, sim, &o);
        if (st)
            release(c);
        else if (dtb_observer_column_count(obs) != n)
            st = dtb__error(DTB_EINVAL, "controller read '%s': one variable", variable);
    }
    if (!st)
        st = dtb_sim_add_stimulus(sim, stim);
    if (st)
        dtb__error_context(st, "controller");
    dtb_stimulus_free(stim);
    dtb_observer_free(obs);
    if (!st)
        c->attached = 1;
    return st;
}

dtb_status dtb_controller_set_target(dtb_controller *c, double target)
{
    if (!c)
        return dtb__error(DTB_EINVAL, "dtb_controller_set_target: controller is NULL");
    if (!c->is_pid)
        return dtb__error(DTB_EINVAL, "dtb_controller_set_target: not a PID controller");
    if (!isfinite(target))
        return dtb__error(DTB_EINVAL, "pid target: %g is not finite", target);
    c->pid.target = target;
    return DTB_OK;
}

double dtb_controller_output(const dtb_controller *c)
{
    return c ? c->state[OUTPUT] : NAN;
}

double dtb_controller_measurement(const dtb_controller *c)
{
    return c ? c->state[MEASUREMENT] : NAN;
}

int64_t dtb_controller_update_count(const dtb_controller *c)
{
    return c ? (int64_t)c->state[UPDATES] : -1;
}
