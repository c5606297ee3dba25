/* libdtb — the bridge between scales: spiking regions in a whole-brain
 * simulation (the transformations are documented in dtb_spiking.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every spiking region's E and I populations live in one dtb_spiking_net
 * owned by the simulation, advanced once per simulation step after the
 * neural masses, so both scales share one clock. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "spiking/spiking.h"

/* Per cell, what its descriptor's <RegionDefaults> says (the registry,
 * spiking/spiking_registry.c): the bias that makes a cell fire on its own
 * (a parameter, in the cell's units), the default synaptic weights, other
 * parameters of the region's cells, and the state drawn uniformly. The
 * descriptors give the rates a 400-cell region of the default twin's bn246
 * fires at with them (tests/spiking). */
typedef dtb__cell_region region_defaults;

/* Where a region's cells come from: a built-in cell by name, or a
 * LEMS/NeuroML cell type of a file (no region defaults). */
typedef struct cell_source {
    const char *model;                   /* built-in name, or NULL */
    const char *path, *cell;             /* a file's component or ComponentType */
    const char *const *include_dirs;
    size_t n_include_dirs;
} cell_source;

dtb_status dtb_spiking_region_options_init(dtb_spiking_region_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_SPIKING_REGION_OPTIONS_VERSION,
                             "dtb_spiking_region_options");
}

/* The options with every default filled in, checked. */
static dtb_status resolve(const dtb_spiking_region_options *in, const region_defaults *d,
                          dtb_spiking_region_options *o)
{
    const char *fn = "dtb_sim_add_spiking_region";
    if (in) {
        dtb_status st = dtb__check_version(in->version, DTB_SPIKING_REGION_OPTIONS_VERSION,
                                           "dtb_spiking_region_options");
        if (st)
            return st;
        *o = *in;
    } else {
        dtb_spiking_region_options_init(o, DTB_SPIKING_REGION_OPTIONS_VERSION);
    }
    const int current = (o->flags & DTB_SPIKING_REGION_FLAG_CURRENT_INPUT) != 0;
    if (o->flags & ~DTB_SPIKING_REGION_FLAG_CURRENT_INPUT)
        return dtb__error(DTB_EINVAL, "%s: unknown flags 0x%x", fn, (unsigned)o->flags);
    if (!o->n)
        o->n = 1000;
    if (o->exc_fraction == 0)
        o->exc_fraction = 0.8;
    if (!o->k_exc)
        o->k_exc = 64;
    if (!o->k_inh)
        o->k_inh = 16;
    if (o->w_exc == 0)
        o->w_exc = d->w_exc;
    if (o->w_inh == 0)
        o->w_inh = d->w_inh;
    if (o->input_gain == 0)
        o->input_gain = current ? 0.1 : 1000.0;
    if (o->input_weight == 0)
        o->input_weight = o->w_exc;
    if (o->rate_tau == 0)
        o->rate_tau = 0.01;
    if (o->rate_half == 0)
        o->rate_half = 10.0;
    if (o->n < 2 || o->n > 10000000)
        return dtb__error(DTB_EINVAL, "%s: n must be 2 to 10^7 cells (got %lld)", fn, (long long)o->n);
    if (!(o->exc_fraction > 0 && o->exc_fraction < 1))
        return dtb__error(DTB_EINVAL, "%s: exc_fraction must be in (0, 1) (got %g)", fn,
                          o->exc_fraction);
    if (o->k_exc < 0 || o->k_inh < 0)
        return dtb__error(DTB_EINVAL, "%s: k_exc and k_inh must be >= 0", fn);
    const double pos[] = {o->w_exc, o->w_inh, o->rate_tau, o->rate_half};
    const char *names[] = {"w_exc", "w_inh", "rate_tau", "rate_half"};
    for (int i = 0; i < 4; i++)
        if (!isfinite(pos[i]) || pos[i] <= 0)
            return dtb__error(DTB_EINVAL, "%s: %s must be finite and > 0 (got %g)", fn, names[i], pos[i]);
    if (!isfinite(o->background_hz) || o->background_hz < 0)
        return dtb__error(DTB_EINVAL, "%s: background_hz must be finite and >= 0 (got %g)", fn,
                          o->background_hz);
    if (!isfinite(o->input_gain) || !isfinite(o->input_weight))
        return dtb__error(DTB_EINVAL, "%s: input_gain and input_weight must be finite", fn);
    return DTB_OK;
}

/* Build the E and I populations of one region into the simulation's net. */
static dtb_status build_region(dtb_sim *sim, dtb__sim_spiking *r, const cell_source *src,
                               const region_defaults *d, const dtb_spiking_region_options *o)
{
    dtb_spiking_net *net = sim->spk_net;
    const int64_t ne = (int64_t)llround(o->exc_fraction * (double)o->n);
    const int64_t n_e = ne < 1 ? 1 : (ne >= o->n ? o->n - 1 : ne), n_i = o->n - n_e;
    char name[96];
    dtb_status st = DTB_OK;
    int64_t idx[2] = {-1, -1};
    for (int k = 0; !st && k < 2; k++) {
        snprintf(name, sizeof name, "%s_%s", k == 0 ? "E" : "I", sim->labels[r->region]);
        const int64_t count = k == 0 ? n_e : n_i;
        if (src->model)
            st = dtb_spiking_add_population(net, name, src->model, count, &idx[k]);
        else
            st = dtb_spiking_add_lems_population(net, name, src->path, src->cell, count,
                                                 src->include_dirs, src->n_include_dirs, &idx[k]);
        if (!st)
            st = dtb_spiking_add_receptor(net, idx[k], "e", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT, 0.0,
                                          5e-3, 0.0, NULL);
        if (!st)
            st = dtb_spiking_add_receptor(net, idx[k], "i", DTB_SYNAPSE_EXP, DTB_SYNAPSE_CURRENT, 0.0,
                                          10e-3, 0.0, NULL);
        /* the descriptor's parameters, then its bias, then the state drawn */
        for (size_t q = 0; !st && q < d->n_sets; q++)
            st = dtb_spiking_set_param(net, idx[k], d->set_names[q], DTB_DIST_CONSTANT,
                                       d->set_values[q], 0.0);
        if (!st && d->bias_param)
            st = dtb_spiking_set_param(net, idx[k], d->bias_param, DTB_DIST_CONSTANT, d->bias, 0.0);
        if (!st && d->draw_state) {
            double lo = d->draw_lo, hi = d->draw_hi;
            if (!isnan(d->draw_spread)) {
                const dtb__cell_model *cm = net->pops[idx[k]].model;
                double v0 = NAN;
                for (size_t s = 0; s < cm->n_states; s++)
                    if (strcmp(cm->states[s], d->draw_state) == 0)
                        v0 = cm->state_init[s];
                lo = v0 - d->draw_spread;
                hi = v0 + d->draw_spread;
            }
            st = dtb_spiking_set_state(net, idx[k], d->draw_state, DTB_DIST_UNIFORM, lo, hi);
        }
    }
    for (int pre = 0; !st && pre < 2; pre++) {
        for (int post = 0; !st && post < 2; post++) {
            dtb_spiking_connect_options c;
            dtb_spiking_connect_options_init(&c, DTB_SPIKING_CONNECT_OPTIONS_VERSION);
            c.rule = DTB_CONNECT_FIXED_INDEGREE;
            int64_t size = pre == 0 ? n_e : n_i, k = pre == 0 ? o->k_exc : o->k_inh;
            int64_t avail = pre == post ? size - 1 : size;
            c.indegree = k < avail ? k : avail;
            c.weight_a = pre == 0 ? o->w_exc : -o->w_inh;
            st = dtb_spiking_connect(net, idx[pre], idx[post], pre, &c, NULL);
        }
    }
    for (int k = 0; !st && k < 2; k++)
        st = dtb_spiking_add_poisson(net, idx[k], 0, o->background_hz, o->input_weight,
                                     &r->poisson[k]);
    r->pop_e = idx[0];
    r->pop_i = idx[1];
    r->bias_param = -1;
    const dtb__cell_model *cm = st ? NULL : net->pops[idx[0]].model;
    for (size_t j = 0; cm && d->bias_param && j < cm->n_params; j++)
        if (strcmp(cm->params[j].name, d->bias_param) == 0)
            r->bias_param = (int)j;
    r->rate_decay = exp(-sim->dt / o->rate_tau);
    for (int k = 0; k < 2; k++)
        r->bias[k] = d->bias;
    return st;
}

/* The region's network from a cell source with its region defaults. */
static dtb_status add_region(dtb_sim *sim, int64_t region, const cell_source *src,
                             const region_defaults *d, const dtb_spiking_region_options *opts,
                             const char *fn)
{
    dtb_spiking_region_options o;
    dtb_status st = resolve(opts, d, &o);
    if (st)
        return st;
    if (!sim->spk_net) {
        if ((st = dtb_spiking_create(&sim->spk_net, sim->dt, sim->seed ^ 0x5eed5eed5eedULL)))
            return dtb__error_context(st, "%s: the simulation's dt of %g s", fn, sim->dt);
        sim->spk_net->locked = 1;
    }
    dtb__sim_spiking *grown = dtb__realloc_array(sim->spk, sim->n_spk + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    sim->spk = grown;
    dtb__sim_spiking *r = &sim->spk[sim->n_spk];
    memset(r, 0, sizeof *r);
    r->region = region;
    r->opts = o;
    /* The net's structure only grows: on failure a partly built region
     * stays in it unreferenced and inert (no input drives it, nothing reads
     * it); the simulation stays usable. */
    sim->spk_net->locked = 0;
    st = build_region(sim, r, src, d, &o);
    sim->spk_net->locked = 1;
    if (st) {
        return dtb__error_context(st, "%s: region %lld ('%s')", fn, (long long)region,
                                  sim->labels[region]);
    }
    sim->n_spk++;
    if (src->model)
        return dtb__sim_note(sim, "region %lld '%s' is a spiking network of %lld %s cells",
                             (long long)region, sim->labels[region], (long long)o.n, src->model);
    return dtb__sim_note(sim, "region %lld '%s' is a spiking network of %lld cells %s#%s",
                         (long long)region, sim->labels[region], (long long)o.n, src->path,
                         src->cell);
}

/* What every spiking region needs of the simulation. */
static dtb_status check_region(dtb_sim *sim, int64_t region, const char *fn)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "%s: sim is NULL", fn);
    if (sim->started)
        return dtb__error(DTB_ESTATE, "%s: add spiking regions before the first step", fn);
    if (region < 0 || region >= sim->n)
        return dtb__error(DTB_EINVAL, "%s: region %lld does not exist (the atlas has %lld)", fn,
                          (long long)region, (long long)sim->n);
    for (size_t i = 0; i < sim->n_spk; i++)
        if (sim->spk[i].region == region)
            return dtb__error(DTB_EINVAL, "%s: region %lld ('%s') is a spiking region already", fn,
                              (long long)region, sim->labels[region]);
    if (sim->n_cvar == 0)
        return dtb__error(DTB_EINVAL, "%s: the model '%s' has no coupling variable for the spiking "
                                      "region to write", fn, sim->core->name);
    return DTB_OK;
}

dtb_status dtb_sim_add_spiking_region(dtb_sim *sim, int64_t region, const char *cell_model,
                                      const dtb_spiking_region_options *opts)
{
    const char *fn = "dtb_sim_add_spiking_region";
    dtb_status rs = check_region(sim, region, fn);
    if (rs)
        return rs;
    const char *model = cell_model ? cell_model : "lif";
    rs = dtb__cell_registry_status();
    if (rs)
        return dtb__error_context(rs, "%s", fn);
    const dtb__cell_entry *e = dtb__cell_find(model);
    const region_defaults *d = e ? dtb__cell_entry_region(e) : NULL;
    if (!d || !d->has) {
        dtb__strbuf known = {0};
        dtb__cell_names(&known, 1);
        rs = dtb__error(DTB_ENOTFOUND, "%s: %s '%s' has no region defaults (region cells: %s; a "
                                       "LEMS/NeuroML cell: dtb_sim_add_spiking_region_lems)", fn,
                        e ? "cell model" : "unknown cell model", model, known.data ? known.data : "");
        dtb__strbuf_free(&known);
        return rs;
    }
    const cell_source src = {model, NULL, NULL, NULL, 0};
    return add_region(sim, region, &src, d, opts, fn);
}

dtb_status dtb_sim_add_spiking_region_lems(dtb_sim *sim, int64_t region, const char *path,
                                           const char *cell, const char *const *include_dirs,
                                           size_t n_include_dirs,
                                           const dtb_spiking_region_options *opts)
{
    const char *fn = "dtb_sim_add_spiking_region_lems";
    dtb_status rs = check_region(sim, region, fn);
    if (rs)
        return rs;
    if (!path || !cell)
        return dtb__error(DTB_EINVAL, "%s: path and cell must not be NULL", fn);
    if (n_include_dirs && !include_dirs)
        return dtb__error(DTB_EINVAL, "%s: include_dirs is NULL but n_include_dirs is %zu", fn,
                          n_include_dirs);
    /* A file's cell has no region defaults: the weights are the caller's,
     * and there is no bias parameter for a current input to move. */
    if (!opts || !(opts->w_exc > 0) || !(opts->w_inh > 0))
        return dtb__error(DTB_EINVAL, "%s: %s#%s: a cell from a file has no region defaults; give "
                                      "w_exc and w_inh (nA, > 0)", fn, path, cell);
    if (opts->flags & DTB_SPIKING_REGION_FLAG_CURRENT_INPUT)
        return dtb__error(DTB_EINVAL, "%s: %s#%s: current input moves a cell's bias parameter, "
                                      "which a cell from a file does not name; use Poisson input",
                          fn, path, cell);
    /* Read once here so that a cell the region cannot use is refused
     * before any population is made (a failed region would leave its
     * populations' names taken in the network). */
    dtb__lems_cell *probe = NULL;
    rs = dtb__lems_cell_load(path, cell, include_dirs, n_include_dirs, &probe);
    if (rs)
        return dtb__error_context(rs, "%s: region %lld ('%s')", fn, (long long)region,
                                  sim->labels[region]);
    const size_t inputs = dtb__lems_cell_synaptic_inputs(probe);
    dtb__lems_cell_free(probe);
    if (!inputs)
        return dtb__error(DTB_EINVAL, "%s: %s#%s receives no synaptic current (no DerivedVariable "
                                      "of dimension current selecting over its synapses, as "
                                      "NeuroML's iSyn): its region's network could not drive it",
                          fn, path, cell);
    const region_defaults d = {.has = 1, .w_exc = opts->w_exc, .w_inh = opts->w_inh};
    const cell_source src = {NULL, path, cell, include_dirs, n_include_dirs};
    return add_region(sim, region, &src, &d, opts, fn);
}

/* One step of every spiking region, after the neural masses: input from
 * the step's coupling, the populations advanced, the rate written into
 * the coupling variables of the new state. */
dtb_status dtb__sim_spiking_step(dtb_sim *sim)
{
    const size_t n = (size_t)sim->n;
    dtb_spiking_net *net = sim->spk_net;
    for (size_t q = 0; q < sim->n_spk; q++) {
        dtb__sim_spiking *r = &sim->spk[q];
        const double c = sim->coupling_in[r->region];   /* first coupling input */
        for (int k = 0; k < 2; k++) {
            if (r->opts.flags & DTB_SPIKING_REGION_FLAG_CURRENT_INPUT) {
                dtb__spk_pop *p = &net->pops[k == 0 ? r->pop_e : r->pop_i];
                const int ie = r->bias_param;
                const double value = r->bias[k] + (k == 0 ? r->opts.input_gain * c : 0.0);
                if (ie >= 0 && p->param[ie][0] != value) {
                    for (int64_t i = 0; i < p->n; i++)
                        p->param[ie][i] = value;
                    p->prepared = 0;
                }
            } else {
                /* long-range input reaches the E cells only: driving the
                 * strongly coupled I cells as well lowers the E rate (the
                 * inhibition-stabilised network's paradoxical response) */
                double rate = r->opts.background_hz + (k == 0 ? r->opts.input_gain * c : 0.0);
                net->poisson[r->poisson[k]].rate_hz = rate > 0 && isfinite(rate) ? rate : 0.0;
            }
        }
    }
    dtb_status st = dtb__spk_step_checked(net);
    if (st)
        return dtb__error_context(st, "spiking regions, step %lld", (long long)sim->step);
    for (size_t q = 0; q < sim->n_spk; q++) {
        dtb__sim_spiking *r = &sim->spk[q];
        const dtb__spk_pop *pe = &net->pops[r->pop_e];
        const double inst = (double)pe->n_spiked / ((double)pe->n * sim->dt);
        r->rate = r->rate * r->rate_decay + (1.0 - r->rate_decay) * inst;
        const double frac = r->rate / (r->rate + r->opts.rate_half);
        for (size_t cv = 0; cv < sim->n_cvar; cv++) {
            const dtb__model_state *s = &sim->core->states[sim->hist.cvar_state[cv]];
            double lo = s->range_lo, hi = s->range_hi;
            sim->x[(size_t)sim->hist.cvar_state[cv] * n + (size_t)r->region] = lo + (hi - lo) * frac;
        }
    }
    return DTB_OK;
}

void dtb__sim_free_spiking(dtb_sim *sim)
{
    dtb_spiking_free(sim->spk_net);
    free(sim->spk);
    sim->spk_net = NULL;
    sim->spk = NULL;
    sim->n_spk = 0;
}

int64_t dtb_sim_spiking_region_count(const dtb_sim *sim)
{
    return sim ? (int64_t)sim->n_spk : -1;
}

dtb_status dtb_sim_spiking_region_info(const dtb_sim *sim, int64_t index, int64_t *region_out,
                                       int64_t *pop_exc_out, int64_t *pop_inh_out)
{
    if (!sim)
        return dtb__error(DTB_EINVAL, "dtb_sim_spiking_region_info: sim is NULL");
    if (index < 0 || (size_t)index >= sim->n_spk)
        return dtb__error(DTB_EINVAL, "dtb_sim_spiking_region_info: spiking region %lld does not "
                                      "exist (the simulation has %zu)", (long long)index, sim->n_spk);
    if (region_out)
        *region_out = sim->spk[index].region;
    if (pop_exc_out)
        *pop_exc_out = sim->spk[index].pop_e;
    if (pop_inh_out)
        *pop_inh_out = sim->spk[index].pop_i;
    return DTB_OK;
}

double dtb_sim_spiking_rate(const dtb_sim *sim, int64_t index)
{
    if (!sim || index < 0 || (size_t)index >= sim->n_spk)
        return NAN;
    return sim->spk[index].rate;
}

dtb_spiking_net *dtb_sim_spiking_net(dtb_sim *sim)
{
    return sim ? sim->spk_net : NULL;
}
