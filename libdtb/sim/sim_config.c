/* libdtb — configuring a simulation: coupling, parameters, noise, state.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lems/coupling_file.h"
#include "sim.h"

#define REQUIRE_SIM(sim, fn) \
    do { \
        if (!(sim)) \
            return dtb__error(DTB_EINVAL, "%s: sim is NULL", fn); \
    } while (0)

/* After the coupling or one of its parameters changed: rebuild the history
 * channels it needs and forget gathered sums. */
static dtb_status coupling_changed(dtb_sim *sim)
{
    dtb__gather_cache_invalidate(&sim->gather);
    return dtb__history_prepare(&sim->hist, &sim->coupling,
                                (sim->flags & DTB_SIM_FLAG_TVB_FLOAT32_COUPLING) != 0);
}

/* "coupling linear: a=1, b=0 (why)": what the twin is coupled with now. */
static void note_coupling(dtb_sim *sim, const char *why)
{
    dtb__strbuf b = {0};
    const dtb__coupling *c = &sim->coupling;
    for (size_t i = 0; i < c->n_params; i++) {
        char num[40];
        dtb__format_double(num, sizeof num, c->p[i]);
        dtb__strbuf_printf(&b, "%s%s=%s", i ? ", " : ": ", c->names[i], num);
    }
    dtb__sim_note(sim, "coupling %s%s (%s)", dtb__coupling_kind_name(c->kind), b.data ? b.data : "",
                  why);
    dtb__strbuf_free(&b);
}

dtb_status dtb__sim_set_builtin_coupling(dtb_sim *sim, dtb_coupling_kind kind, const char *why)
{
    dtb__coupling fresh = {0};
    dtb_status st = dtb__coupling_set_builtin(&fresh, kind, sim->n_cvar);
    const dtb__model_core *m = sim->core;
    int stated = !st && (int32_t)kind == m->default_coupling;
    for (size_t i = 0; stated && i < m->n_default_coupling; i++)
        *dtb__coupling_param(&fresh, m->default_coupling_names[i]) = m->default_coupling_values[i];
    if (st) {
        dtb__coupling_free(&fresh);
        return st;
    }
    dtb__coupling_free(&sim->coupling);
    sim->coupling = fresh;
    char *text = dtb__asprintf("%s; %s", why,
                               stated ? "values stated by the model's descriptor"
                                      : "TVB's default values");
    note_coupling(sim, text ? text : why);
    free(text);
    return DTB_OK;
}

dtb_status dtb_sim_set_coupling(dtb_sim *sim, dtb_coupling_kind kind)
{
    REQUIRE_SIM(sim, "dtb_sim_set_coupling");
    if (!dtb__coupling_kind_name(kind) || kind == DTB_COUPLING_EXPRESSION)
        return dtb__error(DTB_EINVAL, "dtb_sim_set_coupling: unknown coupling kind %d%s", (int)kind,
                          kind == DTB_COUPLING_EXPRESSION ? " (use dtb_sim_set_coupling_expressions)" : "");
    dtb_status st = dtb__sim_set_builtin_coupling(sim, kind, "dtb_sim_set_coupling");
    return st ? st : coupling_changed(sim);
}

dtb_status dtb_sim_set_coupling_expressions(dtb_sim *sim, const char *pre, const char *post,
                                            const char *const *param_names,
                                            const double *param_values, size_t n_params)
{
    REQUIRE_SIM(sim, "dtb_sim_set_coupling_expressions");
    dtb_status st = dtb__coupling_set_expressions(&sim->coupling, pre, post, param_names,
                                                  param_values, n_params);
    if (!st)
        note_coupling(sim, "user expressions");
    return st ? st : coupling_changed(sim);
}

dtb_status dtb_sim_load_coupling(dtb_sim *sim, const char *path)
{
    REQUIRE_SIM(sim, "dtb_sim_load_coupling");
    dtb__coupling_file cf;
    dtb_status st = dtb__coupling_file_read(path, &cf);
    if (st)
        return st;
    st = dtb_sim_set_coupling_expressions(sim, cf.pre, cf.post, (const char *const *)cf.names,
                                          cf.values, cf.n_params);
    if (st)
        dtb__error_context(st, "%s:%d", path, cf.line);
    dtb__coupling_file_free(&cf);
    return st;
}

dtb_coupling_kind dtb_sim_coupling(const dtb_sim *sim)
{
    return sim ? sim->coupling.kind : (dtb_coupling_kind)0;
}

int64_t dtb_sim_coupling_param_count(const dtb_sim *sim)
{
    return sim ? (int64_t)sim->coupling.n_params : -1;
}

const char *dtb_sim_coupling_param_name(const dtb_sim *sim, int64_t index)
{
    if (!sim || index < 0 || (size_t)index >= sim->coupling.n_params)
        return NULL;
    return sim->coupling.names[index];
}

static void list_params(const dtb__coupling *c, dtb__strbuf *b)
{
    for (size_t i = 0; i < c->n_params; i++)
        dtb__strbuf_printf(b, "%s%s", i ? ", " : "", c->names[i]);
    if (!c->n_params)
        dtb__strbuf_append(b, "none");
}

dtb_status dtb_sim_set_coupling_param(dtb_sim *sim, const char *name, double value)
{
    REQUIRE_SIM(sim, "dtb_sim_set_coupling_param");
    double *p = name ? dtb__coupling_param(&sim->coupling, name) : NULL;
    if (!p) {
        dtb__strbuf known = {0};
        list_params(&sim->coupling, &known);
        dtb_status st = dtb__error(DTB_ENOTFOUND, "the %s coupling has no parameter '%s' (it has: %s)",
                                   dtb__coupling_kind_name(sim->coupling.kind),
                                   name ? name : "(null)", known.data ? known.data : "");
        dtb__strbuf_free(&known);
        return st;
    }
    if (!isfinite(value))
        return dtb__error(DTB_EINVAL, "coupling parameter '%s': %g is not finite", name, value);
    if (sim->coupling.kind == DTB_COUPLING_PRE_SIGMOIDAL && strcmp(name, "dynamic") == 0 &&
        value != 0.0 && sim->n_cvar < 2)
        return dtb__error(DTB_EINVAL, "the dynamic pre_sigmoidal coupling needs two coupling "
                                      "variables; model '%s' has %zu", sim->core->name, sim->n_cvar);
    double old = *p;
    *p = value;
    /* Parameters that enter "pre" change the stored channels. */
    if (dtb__coupling_n_channels(&sim->coupling, sim->n_cvar) || sim->hist.pre_ring) {
        dtb_status st = coupling_changed(sim);
        if (st) {
            *p = old;
            coupling_changed(sim);
            return st;
        }
    }
    return DTB_OK;
}

dtb_status dtb_sim_get_coupling_param(const dtb_sim *sim, const char *name, double *value_out)
{
    REQUIRE_SIM(sim, "dtb_sim_get_coupling_param");
    if (!value_out)
        return dtb__error(DTB_EINVAL, "dtb_sim_get_coupling_param: value_out is NULL");
    double *p = name ? dtb__coupling_param((dtb__coupling *)&sim->coupling, name) : NULL;
    if (!p)
        return dtb__error(DTB_ENOTFOUND, "the %s coupling has no parameter '%s'",
                          dtb__coupling_kind_name(sim->coupling.kind), name ? name : "(null)");
    *value_out = *p;
    return DTB_OK;
}

static dtb_status find_param(const dtb_sim *sim, const char *name, int64_t *p)
{
    if (!name)
        return dtb__error(DTB_EINVAL, "parameter name is NULL");
    *p = dtb__model_param_index(sim->core, name);
    if (*p < 0)
        return dtb__error(DTB_ENOTFOUND, "model '%s' has no parameter '%s'", sim->core->name, name);
    return DTB_OK;
}

/* Record whether parameter p now differs between regions; a change of that
 * layout means recompiling (scalar parameters are folded per evaluation,
 * per-region ones are read as arrays). */
static void update_layout(dtb_sim *sim, int64_t p)
{
    const size_t n = (size_t)sim->n;
    const double *v = sim->param_values + (size_t)p * n;
    unsigned char differs = 0;
    for (size_t k = 1; k < n && !differs; k++)
        differs = v[k] != v[0];
    if (differs != sim->per_region[p]) {
        sim->per_region[p] = differs;
        sim->prog_dirty = 1;
    } else if (!differs && !sim->prog_dirty &&
               !(sim->param_stimulated && sim->param_stimulated[p])) {
        dtb__sim_set_shared_param(sim, (size_t)p, v[0]);
    }
}

dtb_status dtb_sim_set_param(dtb_sim *sim, const char *name, double value)
{
    REQUIRE_SIM(sim, "dtb_sim_set_param");
    int64_t p;
    dtb_status st = find_param(sim, name, &p);
    if (st)
        return st;
    if (!isfinite(value))
        return dtb__error(DTB_EINVAL, "parameter '%s': value %g is not finite", name, value);
    for (int64_t k = 0; k < sim->n; k++)
        sim->param_values[p * sim->n + k] = value;
    update_layout(sim, p);
    return DTB_OK;
}

dtb_status dtb_sim_set_param_regions(dtb_sim *sim, const char *name, const double *values,
                                     size_t n_values)
{
    REQUIRE_SIM(sim, "dtb_sim_set_param_regions");
    int64_t p;
    dtb_status st = find_param(sim, name, &p);
    if (st)
        return st;
    if (!values || n_values != (size_t)sim->n)
        return dtb__error(DTB_EINVAL, "parameter '%s': %zu values given, the atlas has %lld regions",
                          name, values ? n_values : 0, (long long)sim->n);
    for (size_t k = 0; k < n_values; k++)
        if (!isfinite(values[k]))
            return dtb__error(DTB_EINVAL, "parameter '%s': value %g for region %zu is not finite",
                              name, values[k], k);
    memcpy(sim->param_values + p * sim->n, values, n_values * sizeof *values);
    update_layout(sim, p);
    return DTB_OK;
}

dtb_status dtb_sim_get_param_regions(const dtb_sim *sim, const char *name, double *buf,
                                     size_t capacity, size_t *needed_out)
{
    REQUIRE_SIM(sim, "dtb_sim_get_param_regions");
    int64_t p;
    dtb_status st = find_param(sim, name, &p);
    if (st)
        return st;
    if (needed_out)
        *needed_out = (size_t)sim->n;
    if (!buf)
        return DTB_OK;
    if (capacity < (size_t)sim->n)
        return dtb__error(DTB_EBUFSIZE, "dtb_sim_get_param_regions: buffer holds %zu values, %lld needed",
                          capacity, (long long)sim->n);
    memcpy(buf, sim->param_values + p * sim->n, (size_t)sim->n * sizeof *buf);
    return DTB_OK;
}

/* The factor each normal draw is multiplied by (see dtb_noise_kind). */
void dtb__sim_noise_changed(dtb_sim *sim)
{
    size_t len = sim->n_states * (size_t)sim->n;
    sim->stochastic = 0;
    for (size_t i = 0; i < len; i++) {
        double D = sim->noise_D[i];
        switch (sim->noise_kind) {
        case DTB_NOISE_SIGMA: sim->noise_amp[i] = D; break;
        case DTB_NOISE_COLOURED: sim->noise_amp[i] = sqrt(D / sim->noise_tau); break;
        default: sim->noise_amp[i] = sqrt(2.0 * D); break;
        }
        sim->stochastic |= D > 0;
    }
}

dtb_status dtb_sim_set_noise_kind(dtb_sim *sim, dtb_noise_kind kind, double tau)
{
    REQUIRE_SIM(sim, "dtb_sim_set_noise_kind");
    if (kind < DTB_NOISE_ADDITIVE || kind > DTB_NOISE_COLOURED)
        return dtb__error(DTB_EINVAL, "unknown noise kind %d", (int)kind);
    if (kind == DTB_NOISE_COLOURED && (!isfinite(tau) || !(tau > 0)))
        return dtb__error(DTB_EINVAL, "coloured noise needs a correlation time > 0 (got %g s)", tau);
    if (kind != DTB_NOISE_COLOURED && tau != 0.0)   /* a tau that would change nothing */
        return dtb__error(DTB_EINVAL,
                          "a correlation time (%g s) applies to coloured noise only; %s noise "
                          "takes 0",
                          tau, kind == DTB_NOISE_SIGMA ? "sigma" :
                               kind == DTB_NOISE_MULTIPLICATIVE ? "multiplicative" : "additive");
    sim->noise_kind = kind;
    sim->noise_tau = kind == DTB_NOISE_COLOURED ? tau / sim->core->time_scale : 0.0;
    free(sim->ou);
    sim->ou = NULL;
    dtb__sim_noise_changed(sim);
    return DTB_OK;
}

static dtb_status check_state_index(const dtb_sim *sim, int64_t state, int allow_all)
{
    if ((allow_all && state == -1) || (state >= 0 && (size_t)state < sim->n_states))
        return DTB_OK;
    return dtb__error(DTB_EINVAL, "state variable index %lld is out of range (model '%s' has %zu)",
                      (long long)state, sim->core->name, sim->n_states);
}

dtb_status dtb_sim_set_noise(dtb_sim *sim, int64_t state, double D)
{
    REQUIRE_SIM(sim, "dtb_sim_set_noise");
    dtb_status st = check_state_index(sim, state, 1);
    if (st)
        return st;
    if (!isfinite(D) || D < 0)
        return dtb__error(DTB_EINVAL, "noise intensity must be finite and >= 0 (got %g)", D);
    const size_t n = (size_t)sim->n;
    for (size_t v = 0; v < sim->n_states; v++)
        if (state < 0 || (size_t)state == v)
            for (size_t k = 0; k < n; k++)
                sim->noise_D[v * n + k] = D;
    dtb__sim_noise_changed(sim);
    return DTB_OK;
}

dtb_status dtb_sim_set_noise_regions(dtb_sim *sim, int64_t state, const double *D, size_t n_values)
{
    REQUIRE_SIM(sim, "dtb_sim_set_noise_regions");
    dtb_status st = check_state_index(sim, state, 1);
    if (st)
        return st;
    const size_t n = (size_t)sim->n;
    if (!D || n_values != n)
        return dtb__error(DTB_EINVAL, "noise: %zu values given, the atlas has %zu regions",
                          D ? n_values : 0, n);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(D[k]) || D[k] < 0)
            return dtb__error(DTB_EINVAL, "noise intensity for region %zu must be finite and >= 0 "
                                          "(got %g)", k, D[k]);
    for (size_t v = 0; v < sim->n_states; v++)
        if (state < 0 || (size_t)state == v)
            memcpy(sim->noise_D + v * n, D, n * sizeof *D);
    dtb__sim_noise_changed(sim);
    return DTB_OK;
}

dtb_status dtb_sim_scale_noise(dtb_sim *sim, double factor)
{
    REQUIRE_SIM(sim, "dtb_sim_scale_noise");
    if (!isfinite(factor) || factor < 0)
        return dtb__error(DTB_EINVAL, "noise scale must be finite and >= 0 (got %g)", factor);
    /* the amplitude is D itself for SIGMA, proportional to sqrt(D) otherwise */
    const double f = sim->noise_kind == DTB_NOISE_SIGMA ? factor : factor * factor;
    const size_t len = sim->n_states * (size_t)sim->n;
    for (size_t i = 0; i < len; i++)
        sim->noise_D[i] *= f;
    dtb__sim_noise_changed(sim);
    return DTB_OK;
}

static dtb_status check_finite_state(const dtb_sim *sim, const double *x, size_t n_values,
                                     const char *fn)
{
    size_t len = sim->n_states * (size_t)sim->n;
    if (!x || n_values != len)
        return dtb__error(DTB_EINVAL, "%s: %zu values given, %zu needed (%zu state variables x %lld "
                                      "regions)", fn, x ? n_values : 0, len, sim->n_states,
                          (long long)sim->n);
    for (size_t i = 0; i < len; i++)
        if (!isfinite(x[i]))
            return dtb__error(DTB_EINVAL, "%s: value for '%s' of region %zu is not finite", fn,
                              sim->core->states[i / (size_t)sim->n].name, i % (size_t)sim->n);
    return DTB_OK;
}

dtb_status dtb_sim_set_initial_state(dtb_sim *sim, const double *x, size_t n_values)
{
    REQUIRE_SIM(sim, "dtb_sim_set_initial_state");
    if (sim->started)
        return dtb__error(DTB_ESTATE, "dtb_sim_set_initial_state: the simulation has already "
                                      "stepped (use dtb_sim_set_state)");
    dtb_status st = check_finite_state(sim, x, n_values, "dtb_sim_set_initial_state");
    if (st)
        return st;
    memcpy(sim->x, x, n_values * sizeof *x);
    dtb__history_fill(&sim->hist, &sim->coupling, sim->x);
    dtb__gather_cache_invalidate(&sim->gather);
    return DTB_OK;
}

dtb_status dtb_sim_set_initial_value(dtb_sim *sim, int64_t state, double value)
{
    REQUIRE_SIM(sim, "dtb_sim_set_initial_value");
    if (sim->started)
        return dtb__error(DTB_ESTATE, "dtb_sim_set_initial_value: the simulation has already stepped");
    dtb_status st = check_state_index(sim, state, 0);
    if (st)
        return st;
    if (!isfinite(value))
        return dtb__error(DTB_EINVAL, "initial value of '%s' is not finite",
                          sim->core->states[state].name);
    for (int64_t k = 0; k < sim->n; k++)
        sim->x[state * sim->n + k] = value;
    dtb__history_fill(&sim->hist, &sim->coupling, sim->x);
    dtb__gather_cache_invalidate(&sim->gather);
    return DTB_OK;
}

dtb_status dtb_sim_set_state(dtb_sim *sim, const double *x, size_t n_values)
{
    REQUIRE_SIM(sim, "dtb_sim_set_state");
    dtb_status st = check_finite_state(sim, x, n_values, "dtb_sim_set_state");
    if (st)
        return st;
    memcpy(sim->x, x, n_values * sizeof *x);
    /* The current step's history slot is "now" (zero delay) for the next
     * coupling: it must hold the replaced state. */
    dtb__history_push(&sim->hist, &sim->coupling, sim->step, sim->x);
    return DTB_OK;
}
