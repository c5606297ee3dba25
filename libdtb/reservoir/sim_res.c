/* libdtb — a simulation as the reservoir: the experiment built on the
 * network's weights (scaled to spectral radius alpha), the task input as a
 * piecewise-constant stimulus on the input regions, the readout from an
 * observer sampled once per task step.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atlas/atlas_impl.h"
#include "base/base.h"
#include "dtb/dtb_observer.h"
#include "dtb/dtb_stimulus.h"
#include "experiment/experiment_build.h"
#include "observe/observe_spec.h"
#include "reservoir_object.h"

/* One stimulus per input channel: value scale x u(t, c) on [t period,
 * (t + 1) period), on the input regions of that channel. */
static dtb_status add_inputs(const dtb_reservoir *r, dtb_sim *sim, const double *u, size_t T, size_t C)
{
    double *start = dtb__malloc_array(T, sizeof *start), *end = dtb__malloc_array(T, sizeof *end);
    double *amp = dtb__malloc_array(T, sizeof *amp);
    int64_t *regions = dtb__malloc_array(r->n_in + 1, sizeof *regions);
    dtb_status st = start && end && amp && regions ? DTB_OK : DTB_ENOMEM;
    for (size_t t = 0; !st && t < T; t++) {
        start[t] = (double)t * r->period;
        end[t] = (double)(t + 1) * r->period;
    }
    for (size_t c = 0; !st && c < C; c++) {
        size_t n = 0;
        for (size_t i = c; i < r->n_in; i += C)
            regions[n++] = r->in[i];
        if (!n)
            continue;
        for (size_t t = 0; t < T; t++)
            amp[t] = r->scale * u[t * C + c];
        dtb_stimulus *s = NULL;
        st = dtb_stimulus_create(&s, r->into);
        if (!st)
            st = dtb_stimulus_add_table(s, start, end, amp, T);
        if (!st)
            st = dtb_stimulus_set_regions(s, regions, n);
        if (!st)
            st = dtb_sim_add_stimulus(sim, s);
        dtb_stimulus_free(s);
    }
    free(start);
    free(end);
    free(amp);
    free(regions);
    return st ? dtb__error_context(st, "reservoir input into '%s'", r->into) : DTB_OK;
}

dtb_status dtb__sim_reservoir_states(const dtb_reservoir *r, const dtb_atlas *network, double alpha,
                                     const double *u, size_t T, size_t C, double **X, size_t *cols)
{
    *X = NULL;
    *cols = 0;
    dtb_atlas *scaled = NULL;
    dtb_status st = dtb_atlas_clone(&scaled, network);
    double rho = 0;
    if (!st)
        st = dtb__spectral_normalise(network->weights, (size_t)network->n, scaled->weights, &rho);
    for (size_t i = 0; !st && i < dtb__atlas_cells(scaled); i++)
        scaled->weights[i] *= alpha;
    /* the experiment, its duration T periods, on the scaled network */
    dtb_experiment *exp = NULL;
    char dur[48];
    if (!st)
        st = dtb_experiment_clone(&exp, r->exp);
    if (!st) {
        dtb__format_double(dur, sizeof dur, (double)T * r->period);
        strcat(dur, "s");
        st = dtb_experiment_add(exp, "duration", dur);
    }
    dtb__built b;
    int built = 0;
    dtb__build_options o = {0};
    o.no_outputs = 1;
    o.atlas = scaled;
    o.model = r->model;
    if (!st && !(st = dtb__experiment_build_with(exp, &o, &b)))
        built = 1;
    if (!st)
        st = add_inputs(r, b.sim, u, T, C);
    /* the readout: the observer spec, sampled every period, in memory */
    dtb__observe_spec spec;
    dtb_observer *obs = NULL;
    int have_spec = 0;
    if (!st && !(st = dtb__observe_spec_parse(r->observe, &spec)))
        have_spec = 1;
    if (!st) {
        dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
        dtb__observe_spec_options(&spec, &oo);
        if (oo.kind != DTB_OBSERVER_BOLD)
            oo.period = r->period;
        oo.sink = DTB_SINK_MEMORY;
        st = dtb_observer_create(&obs, b.sim, &oo);
    }
    if (!st)
        st = dtb__experiment_advance(&b, NULL, NULL);
    if (!st) {
        const int64_t n_samples = dtb_observer_pending(obs), c = dtb_observer_column_count(obs);
        double *x = dtb__calloc(T * (size_t)c + 1, sizeof *x);
        size_t got = 0;
        if (!x)
            st = DTB_ENOMEM;
        else if (n_samples < (int64_t)T)
            st = dtb__error(DTB_EINVAL, "reservoir readout '%s': %lld samples for %zu task steps "
                                        "(its period must be the task's, %g s)", r->observe,
                            (long long)n_samples, T, r->period);
        else
            st = dtb_observer_read(obs, NULL, x, T, &got);
        if (!st) {
            *X = x;
            *cols = (size_t)c;
        } else
            free(x);
    }
    if (have_spec)
        dtb__observe_spec_free(&spec);
    dtb_observer_free(obs);
    if (built)
        dtb__built_free(&b);
    dtb_experiment_free(exp);
    dtb_atlas_free(scaled);
    return st;
}
