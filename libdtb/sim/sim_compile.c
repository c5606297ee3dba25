/* libdtb — compiling the model's equations for this simulation's layout.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scalar inputs: t, every parameter that has one value for all regions,
 * every constant. Vector inputs: the state variables, the coupling inputs,
 * and the parameters that differ between regions. The expression compiler
 * evaluates everything that depends only on scalars once per call. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static dtb_status declare_inputs(dtb_sim *sim, dtb__prog_builder *pb, size_t *n_scalars,
                                 size_t *n_vectors)
{
    const dtb__model_core *c = sim->core;
    *n_scalars = 0;
    *n_vectors = 0;
#define CHECK(expr) \
    do { \
        if ((expr) < 0) \
            return dtb_last_error_code(); \
    } while (0)
    CHECK(dtb__pb_scalar_input(pb, "t"));
    (*n_scalars)++;
    for (size_t v = 0; v < c->n_states; v++, (*n_vectors)++)
        CHECK(dtb__pb_vector_input(pb, c->states[v].name));
    for (size_t i = 0; i < c->n_couplings; i++, (*n_vectors)++)
        CHECK(dtb__pb_vector_input(pb, c->coupling_input[i]));
    for (size_t p = 0; p < c->n_params; p++) {
        if (sim->per_region[p] || (sim->param_stimulated && sim->param_stimulated[p])) {
            CHECK(sim->param_slot[p] = dtb__pb_vector_input(pb, c->params[p].name));
            (*n_vectors)++;
        } else {
            CHECK(sim->param_slot[p] = dtb__pb_scalar_input(pb, c->params[p].name));
            (*n_scalars)++;
        }
    }
    for (size_t i = 0; i < c->n_constants; i++, (*n_scalars)++)
        CHECK(dtb__pb_scalar_input(pb, c->constants[i].name));
#undef CHECK
    return DTB_OK;
}

static dtb_status define_all(const dtb_sim *sim, dtb__prog_builder *pb)
{
    const dtb__model_core *c = sim->core;
    dtb_status st = DTB_OK;
    for (size_t i = 0; !st && i < c->n_derived_params; i++)
        st = dtb__pb_define(pb, c->derived_params[i].name, c->derived_params[i].value,
                            c->derived_params[i].what);
    for (size_t i = 0; !st && i < c->n_derived_vars; i++)
        st = dtb__pb_define(pb, c->derived_vars[i].name, c->derived_vars[i].value,
                            c->derived_vars[i].what);
    return st;
}

static dtb_status define_and_output(dtb_sim *sim, dtb__prog_builder *pb)
{
    const dtb__model_core *c = sim->core;
    dtb_status st = define_all(sim, pb);
    sim->n_outputs = 0;
    for (size_t v = 0; !st && v < c->n_states; v++) {
        if (!c->states[v].derivative)
            continue;
        if (dtb__pb_output(pb, c->states[v].derivative, c->states[v].what) < 0)
            st = dtb_last_error_code();
        else
            sim->output_state[sim->n_outputs++] = (int64_t)v;
    }
    return st;
}

/* The observables program: same inputs and definitions, every derived
 * variable as an output. */
static dtb_status compile_observables(dtb_sim *sim)
{
    const dtb__model_core *c = sim->core;
    dtb__prog_builder *pb = dtb__pb_new();
    if (!pb)
        return DTB_ENOMEM;
    size_t n_scalars, n_vectors;
    dtb__prog *prog = NULL;
    dtb_status st = declare_inputs(sim, pb, &n_scalars, &n_vectors);
    if (!st)
        st = define_all(sim, pb);
    for (size_t i = 0; !st && i < c->n_derived_vars; i++)
        if (dtb__pb_output_name(pb, c->derived_vars[i].name, c->derived_vars[i].what) < 0)
            st = dtb_last_error_code();
    if (!st)
        st = dtb__pb_finish(pb, &prog);
    dtb__pb_free(pb);
    dtb__prog_scratch *scratch = st ? NULL : dtb__prog_scratch_new(prog);
    if (!st && !scratch)
        st = DTB_ENOMEM;
    if (!st && !sim->derived) {
        size_t nd = c->n_derived_vars ? c->n_derived_vars : 1;
        sim->derived = dtb__calloc(nd * (size_t)sim->n, sizeof *sim->derived);
        sim->obs_outputs = dtb__calloc(nd, sizeof *sim->obs_outputs);
        if (!sim->derived || !sim->obs_outputs)
            st = DTB_ENOMEM;
    }
    if (st) {
        dtb__prog_free(prog);
        dtb__prog_scratch_free(scratch);
        return st;
    }
    for (size_t i = 0; i < c->n_derived_vars; i++)
        sim->obs_outputs[i] = sim->derived + i * (size_t)sim->n;
    dtb__prog_free(sim->obs_prog);
    dtb__prog_scratch_free(sim->obs_scratch);
    sim->obs_prog = prog;
    sim->obs_scratch = scratch;
    return DTB_OK;
}

dtb_status dtb__sim_compile(dtb_sim *sim)
{
    if (!sim->prog_dirty)
        return DTB_OK;
    const dtb__model_core *c = sim->core;
    size_t np = c->n_params;
    if (!sim->param_slot) {
        sim->param_slot = dtb__calloc(np ? np : 1, sizeof *sim->param_slot);
        sim->output_state = dtb__calloc(c->n_states, sizeof *sim->output_state);
        sim->outputs = dtb__calloc(c->n_states, sizeof *sim->outputs);
        if (!sim->param_slot || !sim->output_state || !sim->outputs)
            return DTB_ENOMEM;
    }
    dtb__prog_builder *pb = dtb__pb_new();
    if (!pb)
        return DTB_ENOMEM;
    size_t n_scalars, n_vectors;
    dtb__prog *prog = NULL;
    dtb_status st = declare_inputs(sim, pb, &n_scalars, &n_vectors);
    if (!st)
        st = define_and_output(sim, pb);
    if (!st)
        st = dtb__pb_finish(pb, &prog);
    dtb__pb_free(pb);
    dtb__prog_scratch *scratch = st ? NULL : dtb__prog_scratch_new(prog);
    double *scalars = st ? NULL : dtb__calloc(n_scalars, sizeof *scalars);
    const double **vectors = st ? NULL : dtb__calloc(n_vectors, sizeof *vectors);
    if (!st && (!scratch || !scalars || !vectors))
        st = DTB_ENOMEM;
    if (st) {
        dtb__prog_free(prog);
        dtb__prog_scratch_free(scratch);
        free(scalars);
        free(vectors);
        return st;
    }
    dtb__prog_free(sim->prog);
    dtb__prog_scratch_free(sim->scratch);
    free(sim->scalars);
    free(sim->vectors);
    sim->prog = prog;
    sim->scratch = scratch;
    sim->scalars = scalars;
    sim->vectors = vectors;
    /* Fixed inputs: scalar parameter values, constants, per-region arrays. */
    size_t next_scalar = 1 + 0;
    for (size_t p = 0; p < np; p++) {
        int stimulated = sim->param_stimulated && sim->param_stimulated[p];
        if (stimulated)
            vectors[sim->param_slot[p]] = sim->param_eff + p * (size_t)sim->n;
        else if (sim->per_region[p])
            vectors[sim->param_slot[p]] = sim->param_values + p * (size_t)sim->n;
        else
            scalars[sim->param_slot[p]] = sim->param_values[p * (size_t)sim->n];
        next_scalar += !sim->per_region[p] && !stimulated;
    }
    for (size_t i = 0; i < c->n_constants; i++)
        scalars[next_scalar + i] = c->constants[i].value;
    if (sim->need_derived) {
        st = compile_observables(sim);
        if (st)
            return st;
    }
    sim->prog_dirty = 0;
    return DTB_OK;
}
