/* libdtb — spiking networks: creation, populations, receptors, values.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spiking.h"

/* ------------------------------------------------------------ helpers */

dtb_status dtb__spk_pop_check(const dtb_spiking_net *net, int64_t pop, const char *fn)
{
    if (!net)
        return dtb__error(DTB_EINVAL, "%s: net is NULL", fn);
    if (pop < 0 || (size_t)pop >= net->n_pops)
        return dtb__error(DTB_EINVAL, "%s: population %lld does not exist (the network has %zu)",
                          fn, (long long)pop, net->n_pops);
    return DTB_OK;
}

dtb_status dtb__spk_receptor_check(const dtb_spiking_net *net, int64_t pop, int64_t rec,
                                   const char *fn)
{
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    const dtb__spk_pop *p = &net->pops[pop];
    if (rec < 0 || (size_t)rec >= p->n_rec)
        return dtb__error(DTB_EINVAL, "%s: receptor %lld of population '%s' does not exist "
                                      "(it has %zu; add them with dtb_spiking_add_receptor)",
                          fn, (long long)rec, p->name, p->n_rec);
    return DTB_OK;
}

dtb_status dtb__spk_dist_check(dtb_distribution dist, double a, double b, const char *what)
{
    switch (dist) {
    case DTB_DIST_CONSTANT:
        if (!isfinite(a))
            return dtb__error(DTB_EINVAL, "%s: the value %g is not finite", what, a);
        return DTB_OK;
    case DTB_DIST_UNIFORM:
        if (!isfinite(a) || !isfinite(b) || b < a)
            return dtb__error(DTB_EINVAL, "%s: a uniform distribution needs finite a <= b (got %g, %g)",
                              what, a, b);
        return DTB_OK;
    case DTB_DIST_NORMAL:
        if (!isfinite(a) || !isfinite(b) || b < 0)
            return dtb__error(DTB_EINVAL, "%s: a normal distribution needs a finite mean and a "
                                          "standard deviation >= 0 (got %g, %g)", what, a, b);
        return DTB_OK;
    default:
        return dtb__error(DTB_EINVAL, "%s: unknown distribution %d", what, (int)dist);
    }
}

double dtb__spk_draw(dtb__rng *rng, dtb_distribution dist, double a, double b)
{
    switch (dist) {
    case DTB_DIST_UNIFORM:
        return a + (b - a) * dtb__rng_uniform(rng);
    case DTB_DIST_NORMAL:
        return a + b * dtb__rng_normal(rng);
    default:
        return a;
    }
}

dtb_status dtb__spk_buildable(const dtb_spiking_net *net, const char *fn)
{
    if (net->locked)
        return dtb__error(DTB_ESTATE, "%s: this network belongs to a simulation's spiking regions; "
                                      "add regions with dtb_sim_add_spiking_region", fn);
    if (net->started)
        return dtb__error(DTB_ESTATE, "%s: the network has already run (%lld steps); build it "
                                      "before the first step", fn, (long long)net->step);
    return DTB_OK;
}

/* ------------------------------------------------------- cell models */

/* The built-in cells are the registry's (spiking_registry.c): their
 * descriptors, in the order of their build lines. */
int64_t dtb_spiking_cell_model_count(void) { return (int64_t)dtb__cell_count(); }

const char *dtb_spiking_cell_model_name(int64_t index)
{
    const dtb__cell_entry *e = index >= 0 ? dtb__cell_at((size_t)index) : NULL;
    return e ? dtb__cell_entry_model(e)->name : NULL;
}

int64_t dtb_spiking_cell_param_count(const char *cell_model)
{
    const dtb__cell_model *m = dtb__cell_model_find(cell_model);
    return m ? (int64_t)m->n_params : -1;
}

static const dtb__cell_param *param_at(const char *cell_model, int64_t index)
{
    const dtb__cell_model *m = dtb__cell_model_find(cell_model);
    return m && index >= 0 && (size_t)index < m->n_params ? &m->params[index] : NULL;
}

const char *dtb_spiking_cell_param_name(const char *cell_model, int64_t index)
{
    const dtb__cell_param *p = param_at(cell_model, index);
    return p ? p->name : NULL;
}

const char *dtb_spiking_cell_param_unit(const char *cell_model, int64_t index)
{
    const dtb__cell_param *p = param_at(cell_model, index);
    return p ? p->unit : NULL;
}

double dtb_spiking_cell_param_default(const char *cell_model, int64_t index)
{
    const dtb__cell_param *p = param_at(cell_model, index);
    return p ? p->value : NAN;
}

int64_t dtb_spiking_cell_state_count(const char *cell_model)
{
    const dtb__cell_model *m = dtb__cell_model_find(cell_model);
    return m ? (int64_t)m->n_states : -1;
}

const char *dtb_spiking_cell_state_name(const char *cell_model, int64_t index)
{
    const dtb__cell_model *m = dtb__cell_model_find(cell_model);
    return m && index >= 0 && (size_t)index < m->n_states ? m->states[index] : NULL;
}

/* ------------------------------------------------------- the network */

dtb_status dtb_spiking_create(dtb_spiking_net **out, double dt, uint64_t seed)
{
    if (!out)
        return dtb__error(DTB_EINVAL, "dtb_spiking_create: out is NULL");
    *out = NULL;
    if (!isfinite(dt) || dt <= 0 || dt > 0.01)
        return dtb__error(DTB_EINVAL, "dtb_spiking_create: dt must be in (0, 0.01] s (got %g)", dt);
    dtb_spiking_net *net = dtb__calloc(1, sizeof *net);
    if (!net)
        return DTB_ENOMEM;
    net->dt = dt;
    net->h = dt * 1e3;
    net->seed = seed;
    net->ring_len = 2;
    dtb__rng_seed(&net->rng, seed);
    *out = net;
    return DTB_OK;
}

static void free_receptor(dtb__receptor *r, int64_t ring_len)
{
    free(r->name);
    free(r->s);
    free(r->r);
    free(r->coef_s);
    free(r->coef_r);
    if (r->ring)
        for (int64_t k = 0; k < ring_len; k++)
            free(r->ring[k]);
    free(r->ring);
}

static void free_pop(dtb__spk_pop *p, int64_t ring_len)
{
    free(p->name);
    for (size_t k = 0; k < DTB__CELL_MAX_PARAMS; k++)
        free(p->param[k]);
    for (size_t k = 0; k < DTB__CELL_MAX_STATES; k++)
        free(p->state[k]);
    for (size_t k = 0; k < 8; k++)
        free(p->derived[k]);
    free(p->refractory);
    for (size_t r = 0; r < p->n_rec; r++)
        free_receptor(&p->rec[r], ring_len);
    free(p->rec);
    free(p->cur);
    free(p->gsum);
    free(p->gE);
    free(p->scratch);
    free(p->spiked);
    free(p->rec_steps);
    free(p->rec_cells);
    dtb__lems_cell_free(p->lems);
}

void dtb_spiking_free(dtb_spiking_net *net)
{
    if (!net)
        return;
    for (size_t i = 0; i < net->n_pops; i++)
        free_pop(&net->pops[i], net->ring_len);
    free(net->pops);
    for (size_t i = 0; i < net->n_projs; i++) {
        free(net->projs[i].row);
        free(net->projs[i].target);
        free(net->projs[i].weight);
        free(net->projs[i].delay);
    }
    free(net->projs);
    for (size_t i = 0; i < net->n_poisson; i++)
        free(net->poisson[i].budget);
    free(net->poisson);
    for (size_t i = 0; i < net->n_trains; i++)
        free(net->trains[i].steps);
    free(net->trains);
    free(net);
}

int64_t dtb_spiking_population_index(const dtb_spiking_net *net, const char *name)
{
    for (size_t i = 0; net && name && i < net->n_pops; i++)
        if (strcmp(net->pops[i].name, name) == 0)
            return (int64_t)i;
    return -1;
}

/* The checks every new population passes: a network still being built, a
 * fresh non-empty name, a size in range. */
static dtb_status check_new_population(const dtb_spiking_net *net, const char *name, int64_t n,
                                       const char *fn)
{
    dtb_status st = dtb__spk_buildable(net, fn);
    if (st)
        return st;
    if (!*name)
        return dtb__error(DTB_EINVAL, "%s: the population name is empty", fn);
    if (dtb_spiking_population_index(net, name) >= 0)
        return dtb__error(DTB_EINVAL, "%s: a population named '%s' exists already", fn, name);
    if (n < 1 || n > INT32_MAX / 2)
        return dtb__error(DTB_EINVAL, "%s: population '%s' needs 1 to %d cells (got %lld)", fn, name,
                          INT32_MAX / 2, (long long)n);
    return DTB_OK;
}

/* Append a population of n cells of model m (checked), taking ownership of
 * lems (may be NULL) also on failure. */
static dtb_status add_pop(dtb_spiking_net *net, const char *name, const dtb__cell_model *m,
                          dtb__lems_cell *lems, int64_t n, int64_t *index_out)
{
    dtb__spk_pop *grown = dtb__realloc_array(net->pops, net->n_pops + 1, sizeof *grown);
    if (!grown) {
        dtb__lems_cell_free(lems);
        return DTB_ENOMEM;
    }
    net->pops = grown;
    dtb__spk_pop *p = &net->pops[net->n_pops];
    memset(p, 0, sizeof *p);
    p->model = m;
    p->lems = lems;
    p->n = n;
    size_t un = (size_t)n;
    int ok = (p->name = dtb__strdup(name)) != NULL;
    for (size_t k = 0; ok && k < m->n_params; k++) {
        ok = (p->param[k] = dtb__malloc_array(un, sizeof(double))) != NULL;
        for (size_t i = 0; ok && i < un; i++)
            p->param[k][i] = m->params[k].value;
        p->uniform[k] = 1;
    }
    for (size_t k = 0; ok && k < m->n_states; k++) {
        ok = (p->state[k] = dtb__malloc_array(un, sizeof(double))) != NULL;
        for (size_t i = 0; ok && i < un; i++)
            p->state[k][i] = m->state_init[k];
    }
    for (size_t k = 0; ok && k < 5; k++)
        ok = (p->derived[k] = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (p->refractory = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (p->cur = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (p->gsum = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (p->gE = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (p->scratch = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (p->spiked = dtb__calloc(un, sizeof(int32_t))) != NULL;
    if (!ok) {
        free_pop(p, net->ring_len);
        return DTB_ENOMEM;
    }
    if (index_out)
        *index_out = (int64_t)net->n_pops;
    net->n_pops++;
    return DTB_OK;
}

/* A built-in cell's population runs its fast path (the registered kernel:
 * the cell table's prepare/update) or, without one or when asked, its
 * descriptor through the generic path. DTB_SPIKING_GENERIC=1 in the
 * environment makes every built-in cell take the generic path
 * (dtb_spiking(3)). */
dtb_status dtb__spk_add_population_path(dtb_spiking_net *net, const char *name,
                                        const char *cell_model, int64_t n, dtb__cell_path path,
                                        int64_t *index_out)
{
    const char *fn = "dtb_spiking_add_population";
    if (!net || !name || !cell_model)
        return dtb__error(DTB_EINVAL, "%s: net, name and cell_model must not be NULL", fn);
    dtb_status st = check_new_population(net, name, n, fn);
    if (st)
        return st;
    if ((st = dtb__cell_registry_status()))
        return dtb__error_context(st, "%s", fn);
    const dtb__cell_entry *e = dtb__cell_find(cell_model);
    if (!e) {
        dtb__strbuf known = {0};
        dtb__cell_names(&known, 0);
        st = dtb__error(DTB_ENOTFOUND, "%s: unknown cell model '%s' (built in: %s; LEMS cell types: "
                                       "dtb_spiking_add_lems_population)", fn, cell_model,
                        known.data ? known.data : "");
        dtb__strbuf_free(&known);
        return st;
    }
    const dtb__cell_model *m = dtb__cell_entry_model(e);
    const int has_fast = dtb__cell_entry_fast(e) != NULL;
    if (path == DTB__CELL_PATH_AUTO) {
        const char *env = getenv("DTB_SPIKING_GENERIC");
        if (env && strcmp(env, "1") == 0)
            path = DTB__CELL_PATH_GENERIC;
    }
    if (path == DTB__CELL_PATH_FAST && !has_fast)
        return dtb__error(DTB_EUNSUPPORTED, "%s: the %s cell has no fast path%s%s", fn, m->name,
                          dtb__cell_entry_no_fast(e) ? ": " : "",
                          dtb__cell_entry_no_fast(e) ? dtb__cell_entry_no_fast(e) : "");
    if (path != DTB__CELL_PATH_GENERIC && has_fast)
        return add_pop(net, name, m, NULL, n, index_out);
    dtb__lems_cell *c;
    if ((st = dtb__cell_load_generic(e, &c)))
        return dtb__error_context(st, "%s", fn);
    return add_pop(net, name, dtb__lems_cell_model(c), c, n, index_out);
}

dtb_status dtb_spiking_add_population(dtb_spiking_net *net, const char *name, const char *cell_model,
                                      int64_t n, int64_t *index_out)
{
    return dtb__spk_add_population_path(net, name, cell_model, n, DTB__CELL_PATH_AUTO, index_out);
}

dtb_status dtb_spiking_add_lems_population(dtb_spiking_net *net, const char *name, const char *path,
                                           const char *cell, int64_t n,
                                           const char *const *include_dirs, size_t n_include_dirs,
                                           int64_t *index_out)
{
    const char *fn = "dtb_spiking_add_lems_population";
    if (!net || !name || !path || !cell)
        return dtb__error(DTB_EINVAL, "%s: net, name, path and cell must not be NULL", fn);
    if (n_include_dirs && !include_dirs)
        return dtb__error(DTB_EINVAL, "%s: include_dirs is NULL but n_include_dirs is %zu", fn,
                          n_include_dirs);
    dtb_status st = check_new_population(net, name, n, fn);
    if (st)
        return st;
    dtb__lems_cell *c;
    if ((st = dtb__lems_cell_load(path, cell, include_dirs, n_include_dirs, &c)))
        return dtb__error_context(st, "%s", fn);
    return add_pop(net, name, dtb__lems_cell_model(c), c, n, index_out);
}

dtb_status dtb_spiking_add_receptor(dtb_spiking_net *net, int64_t pop, const char *name,
                                    dtb_synapse_kind kind, dtb_synapse_mode mode, double tau_rise,
                                    double tau_decay, double e_rev, int64_t *index_out)
{
    const char *fn = "dtb_spiking_add_receptor";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    if ((st = dtb__spk_buildable(net, fn)))
        return st;
    dtb__spk_pop *p = &net->pops[pop];
    if (!name || !*name)
        return dtb__error(DTB_EINVAL, "%s: the receptor needs a name", fn);
    for (size_t r = 0; r < p->n_rec; r++)
        if (strcmp(p->rec[r].name, name) == 0)
            return dtb__error(DTB_EINVAL, "%s: population '%s' has a receptor '%s' already", fn,
                              p->name, name);
    for (size_t k = 0; k < p->model->n_states; k++)
        if (strcmp(p->model->states[k], name) == 0)
            return dtb__error(DTB_EINVAL, "%s: '%s' is a state variable of the %s cell; choose "
                                          "another receptor name", fn, name, p->model->name);
    if (kind != DTB_SYNAPSE_DELTA && kind != DTB_SYNAPSE_EXP && kind != DTB_SYNAPSE_BIEXP)
        return dtb__error(DTB_EINVAL, "%s: receptor '%s': unknown synapse kind %d", fn, name, (int)kind);
    if (mode != DTB_SYNAPSE_CURRENT && mode != DTB_SYNAPSE_CONDUCTANCE)
        return dtb__error(DTB_EINVAL, "%s: receptor '%s': unknown mode %d", fn, name, (int)mode);
    if ((kind == DTB_SYNAPSE_DELTA || mode == DTB_SYNAPSE_CONDUCTANCE) && p->model->v_state < 0)
        return dtb__error(DTB_EINVAL, "%s: receptor '%s': the %s cell has no membrane potential (a "
                                      "state of dimension voltage) for a delta or conductance "
                                      "synapse to act on", fn, name, p->model->name);
    if (kind == DTB_SYNAPSE_DELTA && mode == DTB_SYNAPSE_CONDUCTANCE)
        return dtb__error(DTB_EINVAL, "%s: receptor '%s': a delta synapse is a voltage jump; it "
                                      "cannot be conductance-based", fn, name);
    if (kind != DTB_SYNAPSE_DELTA && (!isfinite(tau_decay) || tau_decay <= 0 || tau_decay > 10))
        return dtb__error(DTB_EINVAL, "%s: receptor '%s': tau_decay must be in (0, 10] s (got %g)",
                          fn, name, tau_decay);
    if (kind == DTB_SYNAPSE_BIEXP && (!isfinite(tau_rise) || tau_rise <= 0 || tau_rise >= tau_decay))
        return dtb__error(DTB_EINVAL, "%s: receptor '%s': a bi-exponential synapse needs "
                                      "0 < tau_rise < tau_decay (got %g, %g s)", fn, name, tau_rise,
                          tau_decay);
    if (mode == DTB_SYNAPSE_CONDUCTANCE && !isfinite(e_rev))
        return dtb__error(DTB_EINVAL, "%s: receptor '%s': the reversal potential is not finite", fn,
                          name);
    dtb__receptor *grown = dtb__realloc_array(p->rec, p->n_rec + 1, sizeof *grown);
    if (!grown)
        return DTB_ENOMEM;
    p->rec = grown;
    dtb__receptor *r = &p->rec[p->n_rec];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->mode = mode;
    r->tau_rise = kind == DTB_SYNAPSE_BIEXP ? tau_rise * 1e3 : 0.0;
    r->tau_decay = kind == DTB_SYNAPSE_DELTA ? 0.0 : tau_decay * 1e3;
    r->e_rev = mode == DTB_SYNAPSE_CONDUCTANCE ? e_rev : 0.0;
    r->norm = 1.0;
    if (kind == DTB_SYNAPSE_BIEXP) {
        /* peak of e^(-t/td) - e^(-t/tr) at t* = ln(td/tr) td tr / (td - tr) */
        double td = r->tau_decay, tr = r->tau_rise;
        double tp = log(td / tr) * td * tr / (td - tr);
        r->norm = 1.0 / (exp(-tp / td) - exp(-tp / tr));
    }
    size_t un = (size_t)p->n;
    int ok = (r->name = dtb__strdup(name)) != NULL;
    ok = ok && (r->s = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (r->r = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (r->coef_s = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (r->coef_r = dtb__calloc(un, sizeof(double))) != NULL;
    ok = ok && (r->ring = dtb__calloc((size_t)net->ring_len, sizeof(double *))) != NULL;
    for (int64_t k = 0; ok && k < net->ring_len; k++)
        ok = (r->ring[k] = dtb__calloc(un, sizeof(double))) != NULL;
    if (!ok) {
        free_receptor(r, net->ring_len);
        return DTB_ENOMEM;
    }
    if (index_out)
        *index_out = (int64_t)p->n_rec;
    p->n_rec++;
    p->prepared = 0;
    return DTB_OK;
}

dtb_status dtb__spk_grow_rings(dtb_spiking_net *net, int64_t len)
{
    if (len <= net->ring_len)
        return DTB_OK;
    if (len > 65537)
        return dtb__error(DTB_EINVAL, "a delay of %lld steps is longer than the 65535 steps "
                                      "supported", (long long)(len - 2));
    /* grow every ring first into new arrays, then swap, so that a failure
     * leaves the network as it was */
    size_t n_rings = 0;
    for (size_t i = 0; i < net->n_pops; i++)
        n_rings += net->pops[i].n_rec;
    double ***fresh = dtb__calloc(n_rings ? n_rings : 1, sizeof *fresh);
    if (!fresh)
        return DTB_ENOMEM;
    int ok = 1;
    size_t q = 0;
    for (size_t i = 0; ok && i < net->n_pops; i++) {
        dtb__spk_pop *p = &net->pops[i];
        for (size_t r = 0; ok && r < p->n_rec; r++, q++) {
            ok = (fresh[q] = dtb__calloc((size_t)len, sizeof(double *))) != NULL;
            for (int64_t k = net->ring_len; ok && k < len; k++)
                ok = (fresh[q][k] = dtb__calloc((size_t)p->n, sizeof(double))) != NULL;
        }
    }
    if (!ok) {
        for (size_t j = 0; j < n_rings; j++) {
            if (fresh[j])
                for (int64_t k = net->ring_len; k < len; k++)
                    free(fresh[j][k]);
            free(fresh[j]);
        }
        free(fresh);
        return DTB_ENOMEM;
    }
    /* The ring is empty before the first step (projections are added
     * then), so the slots keep their order. */
    q = 0;
    for (size_t i = 0; i < net->n_pops; i++) {
        dtb__spk_pop *p = &net->pops[i];
        for (size_t r = 0; r < p->n_rec; r++, q++) {
            for (int64_t k = 0; k < net->ring_len; k++)
                fresh[q][k] = p->rec[r].ring[k];
            free(p->rec[r].ring);
            p->rec[r].ring = fresh[q];
        }
    }
    free(fresh);
    net->ring_len = len;
    return DTB_OK;
}

dtb_status dtb_spiking_set_method(dtb_spiking_net *net, int64_t pop, dtb_spiking_method method)
{
    const char *fn = "dtb_spiking_set_method";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    dtb__spk_pop *p = &net->pops[pop];
    if (method != DTB_SPIKING_METHOD_DEFAULT && method != DTB_SPIKING_METHOD_EULER)
        return dtb__error(DTB_EINVAL, "%s: unknown method %d", fn, (int)method);
    if (method == DTB_SPIKING_METHOD_EULER && !p->model->euler_ok)
        return dtb__error(DTB_EUNSUPPORTED, "%s: population '%s': the %s cell offers no other "
                                            "method (hh keeps Rush-Larsen for its stiff gates; "
                                            "LEMS cells run forward Euler already)", fn, p->name,
                          p->model->name);
    p->method = method;
    p->prepared = 0;
    return DTB_OK;
}

/* ------------------------------------------------ parameters and state */

static int param_index(const dtb__spk_pop *p, const char *name)
{
    for (size_t k = 0; name && k < p->model->n_params; k++)
        if (strcmp(p->model->params[k].name, name) == 0)
            return (int)k;
    return -1;
}

/* The array a state name refers to: a state variable, or a receptor's value. */
static double *state_array(dtb__spk_pop *p, const char *name)
{
    for (size_t k = 0; name && k < p->model->n_states; k++)
        if (strcmp(p->model->states[k], name) == 0)
            return p->state[k];
    for (size_t r = 0; name && r < p->n_rec; r++)
        if (strcmp(p->rec[r].name, name) == 0 && p->rec[r].kind == DTB_SYNAPSE_EXP)
            return p->rec[r].s;
    return NULL;
}

/* A state the user set keeps its value through a LEMS cell's OnStart. */
static void mark_state_set(dtb__spk_pop *p, const char *name)
{
    for (size_t k = 0; k < p->model->n_states; k++)
        if (strcmp(p->model->states[k], name) == 0)
            p->state_set[k] = 1;
}

static dtb_status unknown_name(const dtb__spk_pop *p, const char *fn, const char *what,
                               const char *name)
{
    dtb__strbuf b = {0};
    const dtb__cell_model *m = p->model;
    if (strcmp(what, "parameter") == 0)
        for (size_t k = 0; k < m->n_params; k++)
            dtb__strbuf_printf(&b, "%s%s", k ? ", " : "", m->params[k].name);
    else
        for (size_t k = 0; k < m->n_states; k++)
            dtb__strbuf_printf(&b, "%s%s", k ? ", " : "", m->states[k]);
    dtb_status st = dtb__error(DTB_ENOTFOUND, "%s: the %s cell of population '%s' has no %s '%s' "
                                              "(it has: %s)", fn, m->name, p->name, what,
                               name ? name : "(null)", b.data ? b.data : "");
    dtb__strbuf_free(&b);
    return st;
}

static dtb_status check_param_value(const dtb__spk_pop *p, int k, double v, const char *fn)
{
    const char *name = p->model->params[k].name;
    if (!isfinite(v))
        return dtb__error(DTB_EINVAL, "%s: parameter '%s' of population '%s': %g is not finite", fn,
                          name, p->name, v);
    /* time constants, capacitances and resistances must be positive */
    const char *unit = p->model->params[k].unit;
    int positive = strcmp(unit, "ms") == 0 || strcmp(unit, "nF") == 0 || strcmp(unit, "MOhm") == 0
                   || strcmp(name, "Delta_T") == 0;
    if (strcmp(name, "t_ref") == 0)
        positive = 0;
    if (positive && v <= 0)
        return dtb__error(DTB_EINVAL, "%s: parameter '%s' of population '%s' must be > 0 (got %g)",
                          fn, name, p->name, v);
    if ((strcmp(name, "t_ref") == 0 || strncmp(name, "g_", 2) == 0) && v < 0)
        return dtb__error(DTB_EINVAL, "%s: parameter '%s' of population '%s' must be >= 0 (got %g)",
                          fn, name, p->name, v);
    return DTB_OK;
}

static void note_uniform(dtb__spk_pop *p, int k)
{
    int u = 1;
    for (int64_t i = 1; u && i < p->n; i++)
        u = p->param[k][i] == p->param[k][0];
    p->uniform[k] = (unsigned char)u;
    p->prepared = 0;
}

dtb_status dtb_spiking_set_param(dtb_spiking_net *net, int64_t pop, const char *name,
                                 dtb_distribution dist, double a, double b)
{
    const char *fn = "dtb_spiking_set_param";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    dtb__spk_pop *p = &net->pops[pop];
    int k = param_index(p, name);
    if (k < 0)
        return unknown_name(p, fn, "parameter", name);
    if ((st = dtb__spk_dist_check(dist, a, b, fn)))
        return st;
    double *v = dtb__malloc_array((size_t)p->n, sizeof *v);
    if (!v)
        return DTB_ENOMEM;
    for (int64_t i = 0; i < p->n; i++)
        v[i] = dtb__spk_draw(&net->rng, dist, a, b);
    st = dtb_spiking_set_param_values(net, pop, name, v, (size_t)p->n);
    free(v);
    return st;
}

dtb_status dtb_spiking_set_param_values(dtb_spiking_net *net, int64_t pop, const char *name,
                                        const double *values, size_t n_values)
{
    const char *fn = "dtb_spiking_set_param_values";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    dtb__spk_pop *p = &net->pops[pop];
    int k = param_index(p, name);
    if (k < 0)
        return unknown_name(p, fn, "parameter", name);
    if (!values || n_values != (size_t)p->n)
        return dtb__error(DTB_EINVAL, "%s: parameter '%s' of population '%s' needs %lld values "
                                      "(got %zu)", fn, name, p->name, (long long)p->n, n_values);
    for (size_t i = 0; i < n_values; i++)
        if ((st = check_param_value(p, k, values[i], fn)))
            return dtb__error_context(st, "cell %zu", i);
    memcpy(p->param[k], values, n_values * sizeof *values);
    note_uniform(p, k);
    return DTB_OK;
}

dtb_status dtb_spiking_get_param_values(const dtb_spiking_net *net, int64_t pop, const char *name,
                                        double *buf, size_t capacity, size_t *needed_out)
{
    const char *fn = "dtb_spiking_get_param_values";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    const dtb__spk_pop *p = &net->pops[pop];
    int k = param_index(p, name);
    if (k < 0)
        return unknown_name(p, fn, "parameter", name);
    return dtb__copy_out(fn, p->param[k], (size_t)p->n, sizeof *buf, buf, capacity, needed_out);
}

dtb_status dtb_spiking_set_state(dtb_spiking_net *net, int64_t pop, const char *name,
                                 dtb_distribution dist, double a, double b)
{
    const char *fn = "dtb_spiking_set_state";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    dtb__spk_pop *p = &net->pops[pop];
    double *x = state_array(p, name);
    if (!x)
        return unknown_name(p, fn, "state variable", name);
    if ((st = dtb__spk_dist_check(dist, a, b, fn)))
        return st;
    for (int64_t i = 0; i < p->n; i++)
        x[i] = dtb__spk_draw(&net->rng, dist, a, b);
    mark_state_set(p, name);
    return DTB_OK;
}

dtb_status dtb_spiking_set_state_values(dtb_spiking_net *net, int64_t pop, const char *name,
                                        const double *values, size_t n_values)
{
    const char *fn = "dtb_spiking_set_state_values";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    dtb__spk_pop *p = &net->pops[pop];
    double *x = state_array(p, name);
    if (!x)
        return unknown_name(p, fn, "state variable", name);
    if (!values || n_values != (size_t)p->n)
        return dtb__error(DTB_EINVAL, "%s: state '%s' of population '%s' needs %lld values (got %zu)",
                          fn, name, p->name, (long long)p->n, n_values);
    for (size_t i = 0; i < n_values; i++)
        if (!isfinite(values[i]))
            return dtb__error(DTB_EINVAL, "%s: state '%s' of population '%s', cell %zu: %g is not "
                                          "finite", fn, name, p->name, i, values[i]);
    memcpy(x, values, n_values * sizeof *values);
    mark_state_set(p, name);
    return DTB_OK;
}

dtb_status dtb_spiking_get_state_values(const dtb_spiking_net *net, int64_t pop, const char *name,
                                        double *buf, size_t capacity, size_t *needed_out)
{
    const char *fn = "dtb_spiking_get_state_values";
    dtb_status st = dtb__spk_pop_check(net, pop, fn);
    if (st)
        return st;
    dtb__spk_pop *p = (dtb__spk_pop *)&net->pops[pop];
    const double *x = state_array(p, name);
    if (!x)
        return unknown_name(p, fn, "state variable", name);
    return dtb__copy_out(fn, x, (size_t)p->n, sizeof *buf, buf, capacity, needed_out);
}

/* ------------------------------------------------------- inspection */

double dtb_spiking_time(const dtb_spiking_net *net) { return net ? (double)net->step * net->dt : NAN; }
double dtb_spiking_dt(const dtb_spiking_net *net) { return net ? net->dt : NAN; }
int64_t dtb_spiking_population_count(const dtb_spiking_net *net) { return net ? (int64_t)net->n_pops : -1; }

int64_t dtb_spiking_population_size(const dtb_spiking_net *net, int64_t pop)
{
    return net && pop >= 0 && (size_t)pop < net->n_pops ? net->pops[pop].n : -1;
}

int64_t dtb_spiking_synapse_count(const dtb_spiking_net *net)
{
    if (!net)
        return -1;
    int64_t s = 0;
    for (size_t i = 0; i < net->n_projs; i++)
        s += net->projs[i].n_syn;
    return s;
}

int64_t dtb_spiking_spike_count(const dtb_spiking_net *net, int64_t pop)
{
    return net && pop >= 0 && (size_t)pop < net->n_pops ? net->pops[pop].n_spikes_total : -1;
}

int64_t dtb_spiking_last_step_spikes(const dtb_spiking_net *net, int64_t pop)
{
    return net && pop >= 0 && (size_t)pop < net->n_pops ? (int64_t)net->pops[pop].n_spiked : -1;
}
