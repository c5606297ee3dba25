/* libdtb — virtual surgery and treatment on a running simulation:
 * lesions, scaled connections, conduction speed, scheduled parameter
 * changes, and the provenance that records them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas/atlas_internal.h"
#include "sim.h"

dtb_status dtb__sim_note(dtb_sim *sim, const char *fmt, ...)
{
    char body[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    char *line = dtb__asprintf("t=%.10g s (step %lld): %s", (double)sim->step * sim->dt,
                               (long long)sim->step, body);
    char **arr = line ? dtb__realloc_array(sim->provenance, sim->n_provenance + 1, sizeof *arr) : NULL;
    if (!arr) {
        free(line);
        return DTB_ENOMEM;
    }
    sim->provenance = arr;
    arr[sim->n_provenance++] = line;
    return DTB_OK;
}

void dtb__sim_free_surgery(dtb_sim *sim)
{
    free(sim->checkpoint_note);
    for (size_t i = 0; i < sim->n_provenance; i++)
        free(sim->provenance[i]);
    free(sim->provenance);
    for (size_t i = 0; i < sim->n_scheduled; i++)
        free(sim->scheduled[i].values);
    free(sim->scheduled);
    free(sim->weights);
    free(sim->lengths);
}

int64_t dtb_sim_provenance_count(const dtb_sim *sim) { return sim ? (int64_t)sim->n_provenance : -1; }

const char *dtb_sim_provenance_entry(const dtb_sim *sim, int64_t index)
{
    if (!sim || index < 0 || (size_t)index >= sim->n_provenance)
        return NULL;
    return sim->provenance[index];
}

/* Rebuild the edge lists from the edited weights (delays and horizon are
 * unchanged: they are computed over every entry, zero weights included). */
static dtb_status rebuild_network(dtb_sim *sim, double speed)
{
    dtb__network fresh;
    dtb_status st = dtb__network_build(&fresh, sim->n, sim->weights, sim->lengths, speed, sim->dt);
    if (st)
        return st;
    dtb__network_free(&sim->net);
    sim->net = fresh;
    dtb__gather_cache_invalidate(&sim->gather);
    return DTB_OK;
}

dtb_status dtb_sim_lesion_region(dtb_sim *sim, int64_t region)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_lesion_region: sim is NULL");
    size_t nn = (size_t)sim->n * (size_t)sim->n;
    double *saved = dtb__malloc_array(nn, sizeof *saved);
    if (!saved)
        return DTB_ENOMEM;
    memcpy(saved, sim->weights, nn * sizeof *saved);
    dtb_status st = dtb__weights_lesion_region(sim->weights, sim->n, region);
    if (!st)
        st = rebuild_network(sim, sim->speed);
    if (st)
        memcpy(sim->weights, saved, nn * sizeof *saved);
    free(saved);
    if (!st)
        dtb__sim_note(sim, "lesion of region %lld '%s' (its incoming and outgoing connections removed)",
                      (long long)region, sim->labels[region]);
    return st;
}

dtb_status dtb_sim_scale_connections(dtb_sim *sim, const int64_t *sources, size_t n_sources,
                                     const int64_t *targets, size_t n_targets, double factor)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_scale_connections: sim is NULL");
    size_t nn = (size_t)sim->n * (size_t)sim->n;
    double *saved = dtb__malloc_array(nn, sizeof *saved);
    if (!saved)
        return DTB_ENOMEM;
    memcpy(saved, sim->weights, nn * sizeof *saved);
    dtb_status st = dtb__weights_scale(sim->weights, sim->n, sources, n_sources, targets, n_targets,
                                       factor);
    if (!st)
        st = rebuild_network(sim, sim->speed);
    if (st)
        memcpy(sim->weights, saved, nn * sizeof *saved);
    free(saved);
    if (!st)
        dtb__sim_note(sim, "connections from %zu source region(s) (first '%s') to %zu target "
                           "region(s) (first '%s') scaled by %g",
                      n_sources, n_sources ? sim->labels[sources[0]] : "", n_targets,
                      n_targets ? sim->labels[targets[0]] : "", factor);
    return st;
}

/* A new history for a new horizon: the last min(H_old, H_new) states stay
 * where the delays look for them; older slots repeat the oldest state. */
static dtb_status resize_history(dtb_sim *sim, int64_t horizon)
{
    dtb__history fresh;
    dtb_status st = dtb__history_init(&fresh, sim->n, horizon, sim->n_cvar, sim->core->coupling_state);
    if (st)
        return st;
    const int64_t H0 = sim->hist.horizon, m = sim->step, n = sim->n;
    const size_t len0 = 2 * (size_t)H0, len1 = 2 * (size_t)horizon;
    for (int64_t lag = 0; lag < horizon; lag++) {
        int64_t known = lag < H0 ? lag : H0 - 1;
        int64_t from = ((m - known) % H0 + H0) % H0, to = ((m - lag) % horizon + horizon) % horizon;
        for (size_t cv = 0; cv < sim->n_cvar; cv++)
            for (int64_t k = 0; k < n; k++) {
                double v = sim->hist.ring[(cv * (size_t)n + (size_t)k) * len0 + (size_t)from];
                double *r = fresh.ring + (cv * (size_t)n + (size_t)k) * len1;
                r[to] = r[to + (size_t)horizon] = v;
            }
    }
    st = dtb__history_prepare(&fresh, &sim->coupling,
                              (sim->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) != 0);
    if (st) {
        dtb__history_free(&fresh);
        return st;
    }
    dtb__history_free(&sim->hist);
    sim->hist = fresh;
    return DTB_OK;
}

dtb_status dtb_sim_set_speed(dtb_sim *sim, double speed)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_set_speed: sim is NULL");
    if (isnan(speed) || !(speed > 0))
        return dtb__error(DTB_EINVAL, "conduction speed must be positive (got %g m/s)", speed);
    dtb__network fresh;
    dtb_status st = dtb__network_build(&fresh, sim->n, sim->weights, sim->lengths, speed, sim->dt);
    if (st)
        return st;
    if (fresh.horizon != sim->hist.horizon) {
        st = resize_history(sim, fresh.horizon);
        if (st) {
            dtb__network_free(&fresh);
            return st;
        }
    }
    dtb__network_free(&sim->net);
    sim->net = fresh;
    dtb__gather_cache_invalidate(&sim->gather);
    double old = sim->speed;
    sim->speed = speed;
    dtb__sim_note(sim, "conduction speed %g m/s -> %g m/s (longest delay %lld steps)", old, speed,
                  (long long)(fresh.horizon - 1));
    return DTB_OK;
}

dtb_status dtb_sim_schedule_param(dtb_sim *sim, double t, const char *name, const double *values,
                                  size_t n_values)
{
    if (!sim || !name || !values)
        return dtb__error(DTB_EINVAL, "dtb_sim_schedule_param: NULL argument");
    int64_t p = dtb__model_param_index(sim->core, name);
    if (p < 0)
        return dtb__error(DTB_ENOTFOUND, "model '%s' has no parameter '%s'", sim->core->name, name);
    if (!isfinite(t))
        return dtb__error(DTB_EINVAL, "scheduled change of '%s': time %g is not finite", name, t);
    if (n_values != 1 && n_values != (size_t)sim->n)
        return dtb__error(DTB_EINVAL, "scheduled change of '%s': %zu values, expected 1 or %lld",
                          name, n_values, (long long)sim->n);
    for (size_t i = 0; i < n_values; i++)
        if (!isfinite(values[i]))
            return dtb__error(DTB_EINVAL, "scheduled change of '%s': value %zu is not finite", name, i);
    double *v = dtb__malloc_array((size_t)sim->n, sizeof *v);
    dtb__scheduled_param *arr = v ? dtb__realloc_array(sim->scheduled, sim->n_scheduled + 1, sizeof *arr)
                                  : NULL;
    if (!arr) {
        free(v);
        return DTB_ENOMEM;
    }
    sim->scheduled = arr;
    for (int64_t k = 0; k < sim->n; k++)
        v[k] = values[n_values == 1 ? 0 : k];
    /* keep the pending part sorted by time (stable for equal times) */
    size_t at = sim->n_scheduled;
    while (at > sim->next_scheduled && arr[at - 1].t > t) {
        arr[at] = arr[at - 1];
        at--;
    }
    arr[at] = (dtb__scheduled_param){t, p, v};
    sim->n_scheduled++;
    return DTB_OK;
}

void dtb__sim_apply_scheduled(dtb_sim *sim, int64_t m)
{
    /* due when the step starts at or after t (same tolerance as stimuli) */
    const double tc = (double)m * sim->dt + 1e-6 * sim->dt;
    while (sim->next_scheduled < sim->n_scheduled && sim->scheduled[sim->next_scheduled].t <= tc) {
        const dtb__scheduled_param *e = &sim->scheduled[sim->next_scheduled++];
        const char *name = sim->core->params[e->param].name;
        dtb_sim_set_param_regions(sim, name, e->values, (size_t)sim->n);
        int same = 1;
        for (int64_t k = 1; k < sim->n; k++)
            same &= e->values[k] == e->values[0];
        if (same)
            dtb__sim_note(sim, "parameter '%s' set to %g in every region (scheduled for t=%g s)", name,
                          e->values[0], e->t);
        else
            dtb__sim_note(sim, "parameter '%s' set per region (scheduled for t=%g s)", name, e->t);
    }
}
