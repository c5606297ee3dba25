/* libdtb — stimuli in a simulation: resolving targets and patterns, and
 * their values at each step.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

void dtb__sim_free_stimuli(dtb_sim *sim)
{
    for (size_t i = 0; i < sim->n_stims; i++) {
        dtb_stimulus_free(sim->stims[i].stim);
        free(sim->stims[i].weights);
    }
    free(sim->stims);
    free(sim->stim_dx);
    free(sim->param_stimulated);
    free(sim->param_eff);
    sim->stims = NULL;
    sim->n_stims = 0;
}

int64_t dtb_sim_stimulus_count(const dtb_sim *sim) { return sim ? (int64_t)sim->n_stims : -1; }

static dtb_status resolve_target(const dtb_sim *sim, const char *name, dtb__stim_target *kind,
                                 int64_t *index)
{
    const dtb__model_core *c = sim->core;
    if ((*index = dtb__model_state_index(c, name)) >= 0) {
        *kind = DTB__TARGET_STATE;
        return DTB_OK;
    }
    if ((*index = dtb__model_param_index(c, name)) >= 0) {
        *kind = DTB__TARGET_PARAM;
        return DTB_OK;
    }
    for (size_t i = 0; i < c->n_couplings; i++)
        if (strcmp(c->coupling_input[i], name) == 0) {
            *kind = DTB__TARGET_INPUT;
            *index = (int64_t)i;
            return DTB_OK;
        }
    return dtb__error(DTB_ENOTFOUND, "stimulus target '%s' is not a state variable, parameter or "
                                     "coupling input of model '%s'", name, c->name);
}

/* Buffers a target kind needs, allocated on first use. */
static dtb_status prepare_buffers(dtb_sim *sim, dtb__stim_target kind)
{
    const size_t n = (size_t)sim->n, np = sim->core->n_params;
    if (kind == DTB__TARGET_STATE && !sim->stim_dx &&
        !(sim->stim_dx = dtb__calloc(sim->n_states * n, sizeof *sim->stim_dx)))
        return DTB_ENOMEM;
    if (kind == DTB__TARGET_PARAM && !sim->param_eff) {
        sim->param_eff = dtb__calloc(np * n, sizeof *sim->param_eff);
        sim->param_stimulated = dtb__calloc(np, 1);
        if (!sim->param_eff || !sim->param_stimulated)
            return DTB_ENOMEM;
    }
    return DTB_OK;
}

dtb_status dtb_sim_add_stimulus(dtb_sim *sim, const dtb_stimulus *stim)
{
    if (!sim || !stim)
        return dtb__error(DTB_EINVAL, "dtb_sim_add_stimulus: NULL argument");
    dtb__sim_stimulus entry = {0};
    dtb_status st = resolve_target(sim, stim->target, &entry.kind, &entry.index);
    if (st)
        return st;
    entry.weights = dtb__malloc_array((size_t)sim->n, sizeof *entry.weights);
    if (!entry.weights)
        return DTB_ENOMEM;
    st = dtb__stimulus_weights(stim, NULL, (const char *const *)sim->labels, sim->centres, sim->n,
                               entry.weights);
    if (!st)
        st = prepare_buffers(sim, entry.kind);
    if (!st)
        st = dtb__stimulus_copy(stim, &entry.stim);
    dtb__sim_stimulus *arr = st ? NULL : dtb__realloc_array(sim->stims, sim->n_stims + 1, sizeof *arr);
    if (!arr) {
        dtb_stimulus_free(entry.stim);
        free(entry.weights);
        return st ? st : DTB_ENOMEM;
    }
    sim->stims = arr;
    arr[sim->n_stims++] = entry;
    int64_t hit = 0;
    for (int64_t k = 0; k < sim->n; k++)
        hit += entry.weights[k] != 0.0;
    dtb__sim_note(sim, "stimulus into '%s' (%s) on %lld region(s), %zu shape(s)", stim->target,
                  entry.kind == DTB__TARGET_STATE ? "state variable"
                  : entry.kind == DTB__TARGET_PARAM ? "parameter" : "coupling input",
                  (long long)hit, stim->n_shapes);
    if (entry.kind == DTB__TARGET_PARAM && !sim->param_stimulated[entry.index]) {
        /* the parameter is now read from param_eff, as a per-region array */
        sim->param_stimulated[entry.index] = 1;
        memcpy(sim->param_eff + (size_t)entry.index * (size_t)sim->n,
               sim->param_values + (size_t)entry.index * (size_t)sim->n,
               (size_t)sim->n * sizeof *sim->param_eff);
        sim->prog_dirty = 1;
    }
    return DTB_OK;
}

void dtb__sim_apply_stimuli(dtb_sim *sim, int64_t m)
{
    const size_t n = (size_t)sim->n;
    const double t = (double)m * sim->dt;
    if (sim->stim_dx)
        memset(sim->stim_dx, 0, sim->n_states * n * sizeof *sim->stim_dx);
    sim->stim_dx_active = 0;
    if (sim->param_eff)
        for (size_t p = 0; p < sim->core->n_params; p++)
            if (sim->param_stimulated[p])
                memcpy(sim->param_eff + p * n, sim->param_values + p * n, n * sizeof *sim->param_eff);
    for (size_t i = 0; i < sim->n_stims; i++) {
        dtb__sim_stimulus *e = &sim->stims[i];
        double s = dtb__stimulus_step_value(e->stim, t, sim->dt);
        if (s == 0.0)
            continue;
        double *target;
        switch (e->kind) {
        case DTB__TARGET_STATE:
            target = sim->stim_dx + (size_t)e->index * n;
            sim->stim_dx_active = 1;
            break;
        case DTB__TARGET_PARAM: target = sim->param_eff + (size_t)e->index * n; break;
        default: target = sim->coupling_in + (size_t)e->index * n; break;
        }
        for (size_t k = 0; k < n; k++)
            target[k] += s * e->weights[k];
    }
}
