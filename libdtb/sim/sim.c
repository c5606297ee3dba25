/* libdtb — dtb_sim: creation, options, lifetime and inspection.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "observe/observer.h"
#include "sim.h"

dtb_status dtb_sim_options_init(dtb_sim_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_SIM_OPTIONS_VERSION,
                             "dtb_sim_options");
}

static dtb_status read_options(const dtb_sim_options *o, dtb_sim *sim, dtb_integrator *integ,
                               dtb_coupling_kind *kind)
{
    sim->dt = 1e-4;
    sim->speed = 3.0;
    *integ = DTB_INTEGRATOR_HEUN;
    *kind = (dtb_coupling_kind)0;   /* the model's stated coupling, else linear */
    if (!o)
        return DTB_OK;
    dtb_status st = dtb__check_version(o->version, DTB_SIM_OPTIONS_VERSION, "dtb_sim_options");
    if (st)
        return st;
    if (o->flags & ~DTB_SIM_FLAG_TVB_FLOAT32_COUPLING)
        return dtb__error(DTB_EINVAL, "dtb_sim_options: unknown flags 0x%x", (unsigned)o->flags);
    sim->flags = o->flags;
    if (o->dt != 0.0) {
        if (!isfinite(o->dt) || o->dt <= 0)
            return dtb__error(DTB_EINVAL, "dtb_sim_options: dt must be positive and finite (got %g s)",
                              o->dt);
        sim->dt = o->dt;
    }
    if (o->speed != 0.0) {
        if (isnan(o->speed) || o->speed < 0)
            return dtb__error(DTB_EINVAL, "dtb_sim_options: speed must be positive (got %g m/s)",
                              o->speed);
        sim->speed = o->speed;
    }
    if (o->integrator) {
        if (!dtb__integrator_name((dtb_integrator)o->integrator))
            return dtb__error(DTB_EINVAL, "dtb_sim_options: unknown integrator %d", (int)o->integrator);
        *integ = (dtb_integrator)o->integrator;
    }
    if (o->coupling) {
        if (!dtb__coupling_kind_name((dtb_coupling_kind)o->coupling))
            return dtb__error(DTB_EINVAL, "dtb_sim_options: unknown coupling %d", (int)o->coupling);
        *kind = (dtb_coupling_kind)o->coupling;
    }
    sim->seed = o->seed;
    return DTB_OK;
}

void dtb_sim_free(dtb_sim *sim)
{
    if (!sim)
        return;
    for (size_t i = 0; i < sim->n_observers; i++) {
        dtb__sink_flush(sim->observers[i]);
        dtb__observer_unref(sim->observers[i]);
    }
    free(sim->observers);
    dtb__sim_free_stimuli(sim);
    dtb__sim_free_surgery(sim);
    dtb__sim_free_spiking(sim);
    for (int64_t k = 0; sim->labels && k < sim->n; k++)
        free(sim->labels[k]);
    free(sim->labels);
    free(sim->centres);
    free(sim->x);
    free(sim->param_values);
    free(sim->per_region);
    dtb__kprog_free(&sim->rhs);
    dtb__kprog_free(&sim->obs);
    dtb__ktable_free(&sim->ktab);
    free(sim->output_state);
    free(sim->derived);
    dtb__network_free(&sim->net);
    dtb__history_free(&sim->hist);
    dtb__coupling_free(&sim->coupling);
    dtb__gather_cache_free(&sim->gather);
    free(sim->coupling_in);
    free(sim->coupling_scratch);
    dtb__integrator_free(&sim->integ);
    free(sim->bounds.var);
    free(sim->bounds.lo);
    free(sim->bounds.hi);
    free(sim->noise_D);
    free(sim->noise_amp);
    free(sim->ou);
    free(sim->eta);
    free(sim->fic_x);
    dtb__model_core_unref(sim->core);
    free(sim);
}

static dtb_status copy_atlas(dtb_sim *sim, const dtb_atlas *atlas, double **w, double **len)
{
    size_t nn = (size_t)sim->n * (size_t)sim->n;
    *w = dtb__malloc_array(nn, sizeof **w);
    *len = NULL;
    sim->labels = dtb__calloc((size_t)sim->n, sizeof *sim->labels);
    if (!*w || !sim->labels)
        return DTB_ENOMEM;
    dtb_status st = dtb_atlas_copy_weights(atlas, *w, nn, NULL);
    if (!st && dtb_atlas_has_tract_lengths(atlas)) {
        *len = dtb__malloc_array(nn, sizeof **len);
        st = *len ? dtb_atlas_copy_tract_lengths(atlas, *len, nn, NULL) : DTB_ENOMEM;
    }
    if (!st && dtb_atlas_has_centres(atlas)) {
        /* kept for the geometry of stimuli (Gaussian spots) and observers
         * (the built-in EEG lead field) */
        sim->centres = dtb__malloc_array((size_t)sim->n * 3, sizeof *sim->centres);
        st = sim->centres ? DTB_OK : DTB_ENOMEM;
        for (int64_t k = 0; !st && k < sim->n; k++)
            st = dtb_atlas_region_centre(atlas, k, sim->centres + 3 * k);
    }
    for (int64_t k = 0; !st && k < sim->n; k++) {
        const char *label = dtb_atlas_region_label(atlas, k);
        sim->labels[k] = dtb__strdup(label ? label : "");
        if (!sim->labels[k])
            st = DTB_ENOMEM;
    }
    return st;
}

static dtb_status make_bounds(dtb_sim *sim)
{
    const dtb__model_core *c = sim->core;
    size_t n = 0;
    for (size_t v = 0; v < c->n_states; v++)
        n += isfinite(c->states[v].bound_lo) || isfinite(c->states[v].bound_hi);
    if (!n)
        return DTB_OK;
    sim->bounds.var = dtb__calloc(n, sizeof *sim->bounds.var);
    sim->bounds.lo = dtb__calloc(n, sizeof *sim->bounds.lo);
    sim->bounds.hi = dtb__calloc(n, sizeof *sim->bounds.hi);
    if (!sim->bounds.var || !sim->bounds.lo || !sim->bounds.hi)
        return DTB_ENOMEM;
    for (size_t v = 0; v < c->n_states; v++) {
        if (!(isfinite(c->states[v].bound_lo) || isfinite(c->states[v].bound_hi)))
            continue;
        sim->bounds.var[sim->bounds.n] = (int64_t)v;
        sim->bounds.lo[sim->bounds.n] = c->states[v].bound_lo;
        sim->bounds.hi[sim->bounds.n] = c->states[v].bound_hi;
        sim->bounds.n++;
    }
    return DTB_OK;
}

/* Default initial state: uniform in each state variable's range, from the
 * seeded generator, then clipped to the bounds. */
static void draw_initial_state(dtb_sim *sim)
{
    const size_t n = (size_t)sim->n;
    for (size_t v = 0; v < sim->n_states; v++) {
        double lo = sim->core->states[v].range_lo, hi = sim->core->states[v].range_hi;
        for (size_t k = 0; k < n; k++)
            sim->x[v * n + k] = lo + (hi - lo) * dtb__rng_uniform(&sim->rng);
    }
    dtb__bounds_apply(&sim->bounds, n, sim->x);
}

static dtb_status allocate_state(dtb_sim *sim, const dtb_model *model)
{
    const size_t n = (size_t)sim->n, len = sim->n_states * n, np = sim->core->n_params;
    sim->x = dtb__calloc(len, sizeof *sim->x);
    sim->param_values = dtb__calloc(np ? np * n : 1, sizeof *sim->param_values);
    sim->per_region = dtb__calloc(np ? np : 1, 1);
    sim->noise_D = dtb__calloc(len, sizeof *sim->noise_D);
    sim->noise_amp = dtb__calloc(len, sizeof *sim->noise_amp);
    sim->eta = dtb__calloc(len, sizeof *sim->eta);
    sim->coupling_in = dtb__calloc(sim->n_cvar ? sim->n_cvar * n : 1, sizeof *sim->coupling_in);
    sim->coupling_scratch = dtb__calloc(2 * n, sizeof *sim->coupling_scratch);
    if (!sim->x || !sim->param_values || !sim->per_region || !sim->noise_D || !sim->noise_amp || !sim->eta ||
        !sim->coupling_in || !sim->coupling_scratch)
        return DTB_ENOMEM;
    for (size_t p = 0; p < np; p++)
        for (size_t k = 0; k < n; k++)
            sim->param_values[p * n + k] = model->values[p];
    dtb__rng_seed(&sim->rng, sim->seed);
    return DTB_OK;
}

dtb_status dtb_sim_create(dtb_sim **out, const dtb_atlas *atlas, const dtb_model *model,
                          const dtb_sim_options *opts)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_sim_create: out is NULL");
    *out = NULL;
    if (!atlas || !model)
        return dtb__error(DTB_EINVAL, "dtb_sim_create: %s is NULL", atlas ? "model" : "atlas");
    dtb_sim *sim = dtb__calloc(1, sizeof *sim);
    if (!sim)
        return DTB_ENOMEM;
    atomic_init(&sim->stop_requested, 0);
    dtb_integrator integ;
    dtb_coupling_kind kind;
    dtb_status st = read_options(opts, sim, &integ, &kind);
    double *w = NULL, *len = NULL;
    if (!st) {
        sim->core = dtb__model_core_ref(model->core);
        sim->n = dtb_atlas_region_count(atlas);
        sim->n_states = sim->core->n_states;
        sim->n_cvar = sim->core->n_couplings;
        sim->h = sim->dt / sim->core->time_scale;
        const char *why = kind ? "chosen in dtb_sim_options" : "the default coupling";
        if (!kind)
            kind = sim->core->default_coupling ? (dtb_coupling_kind)sim->core->default_coupling
                                               : DTB_COUPLING_LINEAR;
        st = dtb__sim_set_builtin_coupling(sim, kind, why);
        if (!st && (sim->n <= 0 || sim->n > INT32_MAX))
            st = dtb__error(DTB_EINVAL, "dtb_sim_create: the atlas has %lld regions",
                            (long long)sim->n);
    }
    if (!st)
        st = copy_atlas(sim, atlas, &w, &len);
    sim->weights = w;
    sim->lengths = len;
    if (!st)
        st = dtb__network_build(&sim->net, sim->n, w, len, sim->speed, sim->dt);
    if (!st)
        st = dtb__history_init(&sim->hist, sim->n, sim->net.horizon, sim->n_cvar,
                               sim->core->coupling_state);
    if (!st)
        st = dtb__gather_cache_init(&sim->gather, sim->n, sim->n_cvar);
    if (!st)
        st = dtb__history_prepare(&sim->hist, &sim->coupling,
                                  (sim->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) != 0);
    if (!st)
        st = allocate_state(sim, model);
    if (!st)
        st = make_bounds(sim);
    if (!st)
        st = dtb__integrator_init(&sim->integ, integ, sim->n_states, (size_t)sim->n,
                                  opts && opts->rtol != 0.0 ? opts->rtol : 1e-6,
                                  opts && opts->atol != 0.0 ? opts->atol : 1e-8);
    if (!st) {
        draw_initial_state(sim);
        dtb__history_fill(&sim->hist, &sim->coupling, sim->x);
        sim->prog_dirty = 1;
        st = dtb__sim_compile(sim);
    }
    if (st) {
        dtb_sim_free(sim);
        return st;
    }
    *out = sim;
    return DTB_OK;
}

/* ------------------------------------------------------------ getters */

double dtb_sim_time(const dtb_sim *sim) { return sim ? (double)sim->step * sim->dt : NAN; }
int64_t dtb_sim_step_index(const dtb_sim *sim) { return sim ? sim->step : -1; }
double dtb_sim_dt(const dtb_sim *sim) { return sim ? sim->dt : NAN; }
int64_t dtb_sim_region_count(const dtb_sim *sim) { return sim ? sim->n : -1; }
int64_t dtb_sim_state_count(const dtb_sim *sim) { return sim ? (int64_t)sim->n_states : -1; }
int64_t dtb_sim_horizon(const dtb_sim *sim) { return sim ? sim->net.horizon : -1; }

dtb_status dtb_sim_get_state(const dtb_sim *sim, double *buf, size_t capacity, size_t *needed_out)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_get_state: sim is NULL");
    return dtb__copy_out("dtb_sim_get_state", sim->x, sim->n_states * (size_t)sim->n, sizeof *buf, buf,
                    capacity, needed_out);
}

dtb_status dtb_sim_get_delays(const dtb_sim *sim, int64_t *buf, size_t capacity, size_t *needed_out)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_get_delays: sim is NULL");
    size_t nn = (size_t)sim->n * (size_t)sim->n;
    if (needed_out)
        *needed_out = nn;
    if (!buf)
        return DTB_OK;
    if (capacity < nn)
        return dtb__error(DTB_EBUFSIZE, "dtb_sim_get_delays: buffer holds %zu values, %zu needed",
                          capacity, nn);
    for (size_t i = 0; i < nn; i++)
        buf[i] = sim->net.delay[i];
    return DTB_OK;
}

dtb_status dtb_sim_get_coupling_input(const dtb_sim *sim, double *buf, size_t capacity,
                                      size_t *needed_out)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_get_coupling_input: sim is NULL");
    return dtb__copy_out("dtb_sim_get_coupling_input", sim->coupling_in, sim->n_cvar * (size_t)sim->n,
                    sizeof *buf, buf, capacity, needed_out);
}
