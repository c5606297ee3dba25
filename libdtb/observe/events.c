/* libdtb — spike observers for region models: an upward crossing of a
 * threshold by a variable in a region is a spike of that unit, timed by
 * linear interpolation within the step. Models with events of their own
 * (LEMS OnCondition / EventOut) are meant to report them through the same
 * observers once the model layer exposes events; until then, crossings are
 * the only source.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "events.h"

#include <stdlib.h>
#include <string.h>

#include "base/base.h"

dtb_status dtb__events_init(dtb__events *e, int rate, size_t n_vars, size_t n_regions,
                            double threshold, double dt, int64_t istep)
{
    memset(e, 0, sizeof *e);
    e->rate = rate;
    e->n_vars = n_vars;
    e->n_regions = n_regions;
    e->threshold = threshold;
    e->dt = dt;
    e->istep = istep;
    e->prev = dtb__calloc((n_vars * n_regions) + 1, sizeof *e->prev);
    e->counts = dtb__calloc(n_vars ? n_vars : 1, sizeof *e->counts);
    e->out = dtb__calloc(n_vars ? n_vars : 1, sizeof *e->out);
    if (!e->prev || !e->counts || !e->out) {
        dtb__events_free(e);
        return DTB_ENOMEM;
    }
    return DTB_OK;
}

void dtb__events_free(dtb__events *e)
{
    free(e->prev);
    free(e->counts);
    free(e->out);
    memset(e, 0, sizeof *e);
}

dtb_status dtb__events_push(dtb__events *e, int64_t step, const double *in, dtb__emit_fn emit,
                            void *ctx)
{
    const size_t n_units = e->n_vars * e->n_regions;
    const double th = e->threshold;
    dtb_status st = DTB_OK;
    /* The first step seen has no previous value: no crossing can be timed. */
    for (size_t u = 0; e->have_prev && !st && u < n_units; u++) {
        double a = e->prev[u], b = in[u];
        if (!(a < th && b >= th))
            continue;
        if (e->rate) {
            e->counts[u / e->n_regions]++;
        } else {
            double frac = (th - a) / (b - a);
            double unit = (double)u;
            st = emit(ctx, ((double)(step - 1) + frac) * e->dt, &unit);
        }
    }
    memcpy(e->prev, in, n_units * sizeof *in);
    e->have_prev = 1;
    if (st || !e->rate)
        return st;
    e->window_steps++;
    if (step % e->istep != 0)
        return DTB_OK;
    /* A first window shorter than the period (observer attached mid-run)
     * is divided by the steps it saw. */
    double seconds = (double)e->window_steps * e->dt;
    for (size_t v = 0; v < e->n_vars; v++) {
        e->out[v] = (double)e->counts[v] / ((double)e->n_regions * seconds);
        e->counts[v] = 0;
    }
    e->window_steps = 0;
    return emit(ctx, ((double)step - (double)e->istep / 2.0) * e->dt, e->out);
}
