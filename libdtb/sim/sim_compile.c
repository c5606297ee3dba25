/* libdtb — compiling the model's equations for this simulation's layout.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model says what its equations read (dtb__model_ktable); the
 * simulation says which parameters are per region — those that differ
 * between regions and those a stimulus drives — and binds every input to
 * its values. Shared parameters are scalars the expression compiler folds
 * once per evaluation. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static int param_per_region(const dtb_sim *sim, size_t p)
{
    return sim->per_region[p] || (sim->param_stimulated && sim->param_stimulated[p]);
}

/* The parameters' bindings: arrays for per-region ones (the stimulated
 * values when a stimulus drives them), the shared value otherwise. */
static void bind_params(dtb_sim *sim, dtb__ktable *t)
{
    const dtb__model_core *c = sim->core;
    const size_t n = (size_t)sim->n;
    for (size_t p = 0; p < c->n_params; p++) {
        dtb__kinput *in = &t->in[dtb__model_kin_param(c, p)];
        if (sim->param_stimulated && sim->param_stimulated[p])
            in->values = sim->param_eff + p * n;
        else if (sim->per_region[p])
            in->values = sim->param_values + p * n;
        else
            in->value = sim->param_values[p * n];
    }
}

dtb_status dtb__sim_compile(dtb_sim *sim)
{
    if (!sim->prog_dirty)
        return DTB_OK;
    const dtb__model_core *c = sim->core;
    if (!sim->output_state && !(sim->output_state = dtb__calloc(c->n_states, sizeof *sim->output_state)))
        return DTB_ENOMEM;
    unsigned char *per = dtb__calloc(c->n_params + 1, 1);
    if (!per)
        return DTB_ENOMEM;
    for (size_t p = 0; p < c->n_params; p++)
        per[p] = (unsigned char)param_per_region(sim, p);
    dtb__ktable t;
    dtb_status st = dtb__model_ktable(c, per, &t);
    free(per);
    if (st)
        return st;
    bind_params(sim, &t);
    dtb__kprog rhs, obs = {0};
    size_t n_outputs = 0;
    st = dtb__model_compile_rates(c, &t, &rhs, sim->output_state, &n_outputs);
    if (!st && sim->need_derived) {
        st = dtb__model_compile_observables(c, &t, &obs);
        if (!st && !sim->derived) {
            size_t nd = c->n_derived_vars ? c->n_derived_vars : 1;
            if (!(sim->derived = dtb__calloc(nd * (size_t)sim->n, sizeof *sim->derived)))
                st = DTB_ENOMEM;
        }
        if (st)
            dtb__kprog_free(&rhs);
    }
    if (st) {
        dtb__kprog_free(&obs);
        dtb__ktable_free(&t);
        return st;
    }
    for (size_t i = 0; i < c->n_derived_vars && obs.prog; i++)
        obs.outputs[i] = sim->derived + i * (size_t)sim->n;
    dtb__ktable_free(&sim->ktab);
    sim->ktab = t;
    dtb__kprog_move(&sim->rhs, &rhs);
    dtb__kprog_move(&sim->obs, &obs);
    sim->n_outputs = n_outputs;
    sim->prog_dirty = 0;
    return DTB_OK;
}

void dtb__sim_set_shared_param(dtb_sim *sim, size_t p, double value)
{
    size_t i = dtb__model_kin_param(sim->core, p);
    sim->ktab.in[i].value = value;
    dtb__kprog_set(&sim->rhs, i, value);
    if (sim->obs.prog)
        dtb__kprog_set(&sim->obs, i, value);
}
