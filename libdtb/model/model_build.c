/* libdtb — turning a LEMS document and a <RegionModel> into a dtb_model.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks everything a simulation will rely on, so that a model that loads
 * always compiles: parameter values and units, unique names, state
 * variables with at most one TimeDerivative, derived quantities without
 * cycles (sorted so each is computed after what it uses), coupling inputs
 * bound to Requirements, and every symbol of every expression known. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "network/coupling_kinds.h"

static char *where_text(const char *kind, const char *name, dtb__lems_where at)
{
    return dtb__asprintf("%s '%s' (%s:%d)", kind, name, at.file ? at.file : "<memory>", at.line);
}

static dtb_status copy_equations(const dtb__lems_equation *eqs, size_t n, const char *kind,
                                 dtb__model_equation **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!n)
        return DTB_OK;
    size_t *order = dtb__calloc(n, sizeof *order);
    dtb__model_equation *copy = dtb__calloc(n, sizeof *copy);
    dtb_status st = order && copy ? dtb__lems_order_equations(eqs, n, kind, order) : DTB_ENOMEM;
    for (size_t k = 0; !st && k < n; k++) {
        const dtb__lems_equation *e = &eqs[order[k]];
        copy[k].name = dtb__strdup(e->name);
        copy[k].value = dtb__expr_clone(e->value);
        copy[k].what = where_text(kind, e->name, e->at);
        if (!copy[k].name || !copy[k].value || !copy[k].what)
            st = DTB_ENOMEM;
        *n_out = k + 1;
    }
    free(order);
    *out = copy;
    return st;
}

/* ------------------------------------------------------------ checks */

typedef struct name_check {
    const char **names;
    const char **kinds;
    size_t n, cap;
} name_check;

static dtb_status add_name(name_check *nc, const char *name, const char *kind,
                           const dtb__lems_comptype *t)
{
    for (size_t i = 0; i < nc->n; i++)
        if (strcmp(nc->names[i], name) == 0)
            return dtb__error(DTB_EPARSE, "%s:%d: ComponentType '%s': '%s' is both a %s and a %s",
                              t->at.file, t->at.line, t->name, name, nc->kinds[i], kind);
    if (nc->n == nc->cap) {
        size_t cap = nc->cap ? nc->cap * 2 : 32;
        const char **a = dtb__realloc_array(nc->names, cap, sizeof *a);
        if (!a)
            return DTB_ENOMEM;
        nc->names = a;
        const char **b = dtb__realloc_array(nc->kinds, cap, sizeof *b);
        if (!b)
            return DTB_ENOMEM;
        nc->kinds = b;
        nc->cap = cap;
    }
    nc->names[nc->n] = name;
    nc->kinds[nc->n] = kind;
    nc->n++;
    return DTB_OK;
}

static dtb_status check_unique_names(const dtb__lems_comptype *t)
{
    name_check nc = {0};
    dtb_status st = add_name(&nc, "t", "built-in time", t);
    for (size_t i = 0; !st && i < t->n_params; i++)
        st = add_name(&nc, t->params[i].name, "Parameter", t);
    for (size_t i = 0; !st && i < t->n_constants; i++)
        st = add_name(&nc, t->constants[i].name, "Constant", t);
    for (size_t i = 0; !st && i < t->n_derived_params; i++)
        st = add_name(&nc, t->derived_params[i].name, "DerivedParameter", t);
    for (size_t i = 0; !st && i < t->n_requirements; i++)
        st = add_name(&nc, t->requirements[i].name, "Requirement", t);
    for (size_t i = 0; !st && i < t->n_state_vars; i++)
        st = add_name(&nc, t->state_vars[i].name, "StateVariable", t);
    for (size_t i = 0; !st && i < t->n_derived_vars; i++)
        st = add_name(&nc, t->derived_vars[i].name, "DerivedVariable", t);
    free(nc.names);
    free(nc.kinds);
    return st;
}

/* Derived parameters are computed once from parameters and constants. */
typedef struct scalar_only_ctx {
    const dtb__lems_comptype *t;
    const char *bad;
} scalar_only_ctx;

static int is_scalar_symbol(const char *name, void *ud)
{
    scalar_only_ctx *c = ud;
    const dtb__lems_comptype *t = c->t;
    for (size_t i = 0; i < t->n_params; i++)
        if (strcmp(t->params[i].name, name) == 0)
            return 0;
    for (size_t i = 0; i < t->n_constants; i++)
        if (strcmp(t->constants[i].name, name) == 0)
            return 0;
    for (size_t i = 0; i < t->n_derived_params; i++)
        if (strcmp(t->derived_params[i].name, name) == 0)
            return 0;
    c->bad = name;
    return 1;
}

static dtb_status check_derived_params(const dtb__lems_comptype *t)
{
    for (size_t i = 0; i < t->n_derived_params; i++) {
        scalar_only_ctx c = {t, NULL};
        if (dtb__expr_visit_symbols(t->derived_params[i].value, is_scalar_symbol, &c))
            return dtb__error(DTB_EPARSE,
                              "%s:%d: DerivedParameter '%s' uses '%s', which is not a parameter "
                              "or constant",
                              t->derived_params[i].at.file, t->derived_params[i].at.line,
                              t->derived_params[i].name, c.bad);
    }
    return DTB_OK;
}

/* ------------------------------------------------------------ building */

static dtb_status build_units(dtb__model_core *m, const dtb__lems_doc *doc)
{
    if (!doc->n_units)
        return DTB_OK;
    m->units = dtb__calloc(doc->n_units, sizeof *m->units);
    if (!m->units)
        return DTB_ENOMEM;
    for (size_t i = 0; i < doc->n_units; i++) {
        dtb__model_unit *u = &m->units[m->n_units++];
        u->symbol = dtb__strdup(doc->units[i].symbol);
        if (!u->symbol)
            return DTB_ENOMEM;
        u->unit = (dtb__unit){u->symbol, doc->units[i].dim, doc->units[i].scale, doc->units[i].offset};
    }
    return DTB_OK;
}

/* The model's unit system is SI with time measured in its time scale
 * (1 ms for TVB models): a quantity of dimension d, in SI, is divided by
 * time_scale^(time exponent of d). */
static double model_unit_factor(dtb__dim d, double time_scale)
{
    return pow(time_scale, d.e[2]);
}

static dtb_status build_params(dtb__model_core *m, const dtb__lems_doc *doc,
                               const dtb__lems_comptype *t, const dtb__lems_component *defaults)
{
    if (!t->n_params)
        return DTB_OK;
    m->params = dtb__calloc(t->n_params, sizeof *m->params);
    if (!m->params)
        return DTB_ENOMEM;
    for (size_t i = 0; i < t->n_params; i++) {
        const dtb__lems_quantity *q = &t->params[i];
        dtb__model_param *p = &m->params[m->n_params++];
        p->name = dtb__strdup(q->name);
        p->description = dtb__strdup(q->description ? q->description : "");
        p->unit = dtb__strdup(q->unit ? q->unit : "");
        if (!p->name || !p->description || !p->unit)
            return DTB_ENOMEM;
        p->dim = q->dim;
        /* Without a unit attribute, a parameter is in the model's unit
         * system (see model_unit_factor). */
        p->unit_scale = model_unit_factor(q->dim, m->time_scale);
        p->unit_offset = 0.0;
        if (q->unit) {
            dtb__unit u;
            if (!dtb__lems_unit_lookup(doc, q->unit, &u))
                return dtb__error(DTB_ENOTFOUND, "%s:%d: Parameter '%s': unknown unit '%s'",
                                  q->at.file, q->at.line, q->name, q->unit);
            if (!dtb__dim_eq(u.dim, q->dim))
                return dtb__error(DTB_EPARSE,
                                  "%s:%d: Parameter '%s': unit '%s' does not match dimension '%s'",
                                  q->at.file, q->at.line, q->name, q->unit,
                                  q->dimension ? q->dimension : "none");
            p->unit_scale = u.scale;
            p->unit_offset = u.offset;
        }
        const char *text = NULL;
        for (size_t k = 0; defaults && k < defaults->n_attrs; k++)
            if (strcmp(defaults->attrs[k].name, q->name) == 0)
                text = defaults->attrs[k].value;
        if (!text)
            return dtb__error(DTB_EPARSE, "%s:%d: Parameter '%s' has no value%s%s%s",
                              q->at.file, q->at.line, q->name,
                              defaults ? " in component '" : " (the RegionModel names no defaults component)",
                              defaults ? (defaults->id ? defaults->id : "?") : "", defaults ? "'" : "");
        double si;
        char what[256];
        snprintf(what, sizeof what, "%s:%d: parameter '%s'", defaults->at.file, defaults->at.line,
                 q->name);
        dtb_status st = dtb__lems_quantity_to_si(doc, text, q->dim, p->unit_scale, p->unit_offset,
                                                 what, &si);
        if (st)
            return st;
        p->default_value = (si - p->unit_offset) / p->unit_scale;
    }
    /* Attributes of the defaults component must all be parameters. */
    for (size_t k = 0; defaults && k < defaults->n_attrs; k++)
        if (dtb__model_param_index(m, defaults->attrs[k].name) < 0)
            return dtb__error(DTB_ENOTFOUND,
                              "%s:%d: component '%s' sets '%s', which is not a Parameter of '%s'",
                              defaults->at.file, defaults->at.line,
                              defaults->id ? defaults->id : "?", defaults->attrs[k].name, t->name);
    return DTB_OK;
}

static dtb_status build_states(dtb__model_core *m, const dtb__lems_comptype *t,
                               const dtb__lems_region_model *rm)
{
    if (!t->n_state_vars)
        return dtb__error(DTB_EPARSE, "%s:%d: ComponentType '%s' has no StateVariable",
                          t->at.file, t->at.line, t->name);
    m->states = dtb__calloc(t->n_state_vars, sizeof *m->states);
    if (!m->states)
        return DTB_ENOMEM;
    for (size_t i = 0; i < t->n_state_vars; i++) {
        dtb__model_state *s = &m->states[m->n_states++];
        s->name = dtb__strdup(t->state_vars[i].name);
        if (!s->name)
            return DTB_ENOMEM;
        s->bound_lo = -INFINITY;
        s->bound_hi = INFINITY;
        s->range_lo = s->range_hi = 0.0;
    }
    for (size_t i = 0; i < t->n_time_derivs; i++) {
        const dtb__lems_equation *e = &t->time_derivs[i];
        int64_t k = dtb__model_state_index(m, e->name);
        if (k < 0)
            return dtb__error(DTB_ENOTFOUND, "%s:%d: TimeDerivative of '%s', which is not a "
                                             "StateVariable", e->at.file, e->at.line, e->name);
        dtb__model_state *s = &m->states[k];
        if (s->derivative)
            return dtb__error(DTB_EPARSE, "%s:%d: second TimeDerivative of '%s'", e->at.file,
                              e->at.line, e->name);
        s->derivative = dtb__expr_clone(e->value);
        s->what = where_text("TimeDerivative of", e->name, e->at);
        if (!s->derivative || !s->what)
            return DTB_ENOMEM;
    }
    for (size_t i = 0; i < rm->n_bounds + rm->n_ranges; i++) {
        int is_bound = i < rm->n_bounds;
        const dtb__lems_bound *b = is_bound ? &rm->bounds[i] : &rm->ranges[i - rm->n_bounds];
        int64_t k = dtb__model_state_index(m, b->variable);
        if (k < 0)
            return dtb__error(DTB_ENOTFOUND, "%s:%d: %s names '%s', which is not a state variable",
                              b->at.file, b->at.line, is_bound ? "StateBounds" : "StateRange",
                              b->variable);
        if (is_bound) {
            m->states[k].bound_lo = b->lo;
            m->states[k].bound_hi = b->hi;
        } else {
            if (!isfinite(b->lo) || !isfinite(b->hi))
                return dtb__error(DTB_EPARSE, "%s:%d: StateRange of '%s' needs finite min and max",
                                  b->at.file, b->at.line, b->variable);
            m->states[k].range_lo = b->lo;
            m->states[k].range_hi = b->hi;
        }
    }
    return DTB_OK;
}

static dtb_status build_couplings(dtb__model_core *m, const dtb__lems_comptype *t,
                                  const dtb__lems_region_model *rm)
{
    size_t n = rm->n_couplings;
    m->coupling_state = dtb__calloc(n ? n : 1, sizeof *m->coupling_state);
    m->coupling_input = dtb__calloc(n ? n : 1, sizeof *m->coupling_input);
    if (!m->coupling_state || !m->coupling_input)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const dtb__lems_coupling *c = &rm->couplings[i];
        int64_t k = dtb__model_state_index(m, c->variable);
        if (k < 0)
            return dtb__error(DTB_ENOTFOUND, "%s:%d: Coupling variable '%s' is not a state variable",
                              c->at.file, c->at.line, c->variable);
        int found = 0;
        for (size_t r = 0; r < t->n_requirements; r++)
            found |= strcmp(t->requirements[r].name, c->input) == 0;
        if (!found)
            return dtb__error(DTB_ENOTFOUND,
                              "%s:%d: Coupling input '%s' is not a Requirement of ComponentType '%s'",
                              c->at.file, c->at.line, c->input, t->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->coupling_input[j], c->input) == 0)
                return dtb__error(DTB_EPARSE, "%s:%d: Coupling input '%s' is bound twice",
                                  c->at.file, c->at.line, c->input);
        m->coupling_state[i] = k;
        m->coupling_input[i] = dtb__strdup(c->input);
        m->n_couplings = i + 1;
        if (!m->coupling_input[i])
            return DTB_ENOMEM;
    }
    for (size_t r = 0; r < t->n_requirements; r++) {
        int bound = 0;
        for (size_t i = 0; i < n; i++)
            bound |= strcmp(t->requirements[r].name, m->coupling_input[i]) == 0;
        if (!bound)
            return dtb__error(DTB_EPARSE,
                              "%s:%d: Requirement '%s' of ComponentType '%s' is not bound: a region "
                              "model receives only coupling inputs (add <Coupling variable=... "
                              "input=\"%s\"/> to the RegionModel)",
                              t->requirements[r].at.file, t->requirements[r].at.line,
                              t->requirements[r].name, t->name, t->requirements[r].name);
    }
    return DTB_OK;
}

/* <DefaultCoupling>: a built-in kind (a user expression is the user's
 * choice, not a model's), each stated parameter one of the kind's, once. */
static dtb_status build_default_coupling(dtb__model_core *m, const dtb__lems_region_model *rm)
{
    const dtb__lems_default_coupling *dc = &rm->default_coupling;
    if (!dc->kind)
        return DTB_OK;
    dtb_coupling_kind kind = dtb__coupling_kind_from_name(dc->kind);
    const char *const *names;
    size_t n_names = kind ? dtb__coupling_kind_params(kind, &names) : 0;
    if (!kind || kind == DTB_COUPLING_EXPRESSION)
        return dtb__error(DTB_EPARSE, "%s:%d: DefaultCoupling kind '%s' is not a built-in coupling "
                          "(linear, scaling, difference, kuramoto, hyperbolic_tangent, sigmoidal, "
                          "sigmoidal_jansen_rit, pre_sigmoidal)",
                          dc->at.file, dc->at.line, dc->kind);
    /* what a simulation of this model could not do is refused now, so
     * that a model that loads always simulates */
    if (m->n_couplings < dtb__coupling_kind_min_vars(kind))
        return dtb__error(DTB_EPARSE, "%s:%d: DefaultCoupling: the %s coupling needs %zu coupling "
                          "variables; RegionModel '%s' has %zu", dc->at.file, dc->at.line, dc->kind,
                          dtb__coupling_kind_min_vars(kind), m->name, m->n_couplings);
    for (size_t i = 0; i < dc->n; i++)
        if (kind == DTB_COUPLING_PRE_SIGMOIDAL && !strcmp(dc->names[i], "dynamic") &&
            dc->values[i] != 0 && m->n_couplings < 2)
            return dtb__error(DTB_EPARSE, "%s:%d: DefaultCoupling: the dynamic pre_sigmoidal "
                              "coupling needs two coupling variables; RegionModel '%s' has %zu",
                              dc->at.file, dc->at.line, m->name, m->n_couplings);
    m->default_coupling_names = dtb__calloc(dc->n ? dc->n : 1, sizeof *m->default_coupling_names);
    m->default_coupling_values = dtb__calloc(dc->n ? dc->n : 1, sizeof *m->default_coupling_values);
    if (!m->default_coupling_names || !m->default_coupling_values)
        return DTB_ENOMEM;
    for (size_t i = 0; i < dc->n; i++) {
        size_t k = 0;
        while (k < n_names && strcmp(names[k], dc->names[i]) != 0)
            k++;
        if (k == n_names) {
            char list[128] = "";
            for (size_t j = 0; j < n_names; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "",
                         names[j]);
            return dtb__error(DTB_EPARSE, "%s:%d: DefaultCoupling: the %s coupling has no parameter "
                              "'%s' (it has %s)", dc->at.file, dc->at.line, dc->kind, dc->names[i],
                              list);
        }
        m->default_coupling_names[i] = dtb__strdup(dc->names[i]);
        if (!m->default_coupling_names[i])
            return DTB_ENOMEM;
        m->default_coupling_values[i] = dc->values[i];
        m->n_default_coupling = i + 1;
    }
    m->default_coupling = (int32_t)kind;
    return DTB_OK;
}

static dtb_status build_observed(dtb__model_core *m, const dtb__lems_region_model *rm)
{
    size_t n = rm->n_observe ? rm->n_observe : m->n_states;
    m->voi = dtb__calloc(n, sizeof *m->voi);
    if (!m->voi)
        return DTB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int64_t k = rm->n_observe ? dtb__model_variable_index(m, rm->observe[i]) : (int64_t)i;
        if (k < 0)
            return dtb__error(DTB_ENOTFOUND,
                              "%s:%d: Observe names '%s', which is neither a state variable nor a "
                              "DerivedVariable",
                              rm->head.at.file, rm->observe_line[i], rm->observe[i]);
        m->voi[m->n_voi++] = k;
    }
    return DTB_OK;
}

static dtb_status build_exposures(dtb__model_core *m, const dtb__lems_comptype *t)
{
    if (!t->n_exposures)
        return DTB_OK;
    m->exposures = dtb__calloc(t->n_exposures, sizeof *m->exposures);
    if (!m->exposures)
        return DTB_ENOMEM;
    for (size_t i = 0; i < t->n_exposures; i++) {
        m->exposures[i] = dtb__strdup(t->exposures[i].name);
        if (!m->exposures[i])
            return DTB_ENOMEM;
        m->n_exposures = i + 1;
    }
    return DTB_OK;
}

/* OnStart: a state variable without a StateRange whose OnStart value
 * depends only on parameters and constants starts there (with the
 * parameters' default values). */
typedef struct start_scope {
    const dtb__model_core *m;
    int depth;
} start_scope;

static int start_lookup(const char *name, double *value, void *ud)
{
    start_scope *s = ud;
    const dtb__model_core *m = s->m;
    int64_t p = dtb__model_param_index(m, name);
    if (p >= 0) {
        *value = m->params[p].default_value;
        return 1;
    }
    for (size_t i = 0; i < m->n_constants; i++)
        if (strcmp(m->constants[i].name, name) == 0) {
            *value = m->constants[i].value;
            return 1;
        }
    for (size_t i = 0; i < m->n_derived_params && s->depth < 32; i++)
        if (strcmp(m->derived_params[i].name, name) == 0) {
            s->depth++;
            int ok = !dtb__expr_eval_scalar(m->derived_params[i].value, start_lookup, s, value);
            s->depth--;
            return ok;
        }
    return 0;
}

static dtb_status initial_values_from_on_start(dtb__model_core *m, const dtb__lems_comptype *t,
                                               const dtb__lems_region_model *rm)
{
    for (size_t h = 0; h < t->n_handlers; h++) {
        const dtb__lems_handler *on = &t->handlers[h];
        if (on->kind != DTB__LEMS_ON_START)
            continue;
        for (size_t a = 0; a < on->n_assigns; a++) {
            int64_t k = dtb__model_state_index(m, on->assigns[a].variable);
            int ranged = 0;
            for (size_t r = 0; r < rm->n_ranges && k >= 0; r++)
                ranged |= strcmp(rm->ranges[r].variable, on->assigns[a].variable) == 0;
            start_scope s = {m, 0};
            double v;
            if (k < 0 || ranged || dtb__expr_eval_scalar(on->assigns[a].value, start_lookup, &s, &v))
                continue;
            m->states[k].range_lo = m->states[k].range_hi = v;
        }
    }
    dtb_clear_error();
    return DTB_OK;
}

/* The RegionModel named (or the first); failing that, one synthesized for
 * a ComponentType or Component of that name into *synth (which the caller
 * frees). */
static const dtb__lems_region_model *select_region_model(const dtb__lems_doc *doc,
                                                         const char *model_name, const char *source,
                                                         dtb__lems_region_model *synth)
{
    if (model_name) {
        for (size_t i = 0; i < doc->n_region_models; i++)
            if (strcmp(doc->region_models[i].head.name, model_name) == 0)
                return &doc->region_models[i];
        dtb_status st = dtb__model_synth_region(doc, model_name, synth);
        if (!st)
            return synth;
        if (st == DTB_ENOTFOUND && !synth->head.name)
            dtb__error(DTB_ENOTFOUND, "%s: no RegionModel, ComponentType or Component named '%s'",
                       source, model_name);
        return NULL;
    }
    if (!doc->n_region_models) {
        dtb__error(DTB_ENOTFOUND,
                   "%s: no <RegionModel> element: add one naming the ComponentType, its coupling "
                   "variables and variables of interest, or name a ComponentType or Component "
                   "to use (FILE.xml#NAME; see dtb-model(5))",
                   source);
        return NULL;
    }
    return &doc->region_models[0];
}

/* The first construct of a (resolved) type that a region node cannot run:
 * events, regimes and values gathered from other components belong to the
 * LEMS engine (libdtb/lems_run), not to the region-network integrators. */
static int region_unsupported(const dtb__lems_comptype *t, const char **what, dtb__lems_where *at)
{
    if (t->unsupported) {
        *what = t->unsupported;
        *at = t->unsupported_at;
        return 1;
    }
    for (size_t i = 0; i < t->n_handlers; i++)
        if (t->handlers[i].kind != DTB__LEMS_ON_START) {
            *what = t->handlers[i].kind == DTB__LEMS_ON_EVENT ? "OnEvent" : "OnCondition";
            *at = t->handlers[i].at;
            return 1;
        }
    if (t->n_regimes) {
        *what = "Regime";
        *at = t->regimes[0].at;
        return 1;
    }
    for (size_t i = 0; i < t->n_derived_vars; i++)
        if (t->derived_vars[i].select) {
            *what = "DerivedVariable select";
            *at = t->derived_vars[i].at;
            return 1;
        }
    return 0;
}

static dtb_status check_type(const dtb__lems_comptype *t, const dtb__lems_region_model *rm)
{
    if (!t)
        return dtb__error(DTB_ENOTFOUND, "%s:%d: RegionModel '%s' names unknown ComponentType '%s'",
                          rm->head.at.file, rm->head.at.line, rm->head.name, rm->head.type);
    const char *what;
    dtb__lems_where at;
    if (region_unsupported(t, &what, &at))
        return dtb__error(DTB_EUNSUPPORTED,
                          "%s:%d: ComponentType '%s' uses <%s>, which region models do not support "
                          "(run it with 'dtb lems')",
                          at.file, at.line, t->name, what);
    if (t->defect)
        return dtb__error(t->defect_code, "ComponentType '%s' cannot be used: %s", t->name, t->defect);
    if (!t->has_dynamics)
        return dtb__error(DTB_EPARSE, "%s:%d: ComponentType '%s' has no <Dynamics>", t->at.file,
                          t->at.line, t->name);
    dtb_status st = check_unique_names(t);
    return st ? st : check_derived_params(t);
}

static dtb_status core_from_region_model(const dtb__lems_doc *doc, const dtb__lems_region_model *rm,
                                         const char *source, dtb__model_core **out);

dtb_status dtb__model_core_from_doc(const dtb__lems_doc *doc, const char *model_name,
                                    const char *source, dtb__model_core **out)
{
    *out = NULL;
    dtb__lems_region_model synth;
    memset(&synth, 0, sizeof synth);
    const dtb__lems_region_model *rm = select_region_model(doc, model_name, source, &synth);
    dtb_status st = rm ? core_from_region_model(doc, rm, source, out) : dtb_last_error_code();
    dtb__model_synth_free(&synth);
    return st;
}

static dtb_status core_from_region_model(const dtb__lems_doc *doc, const dtb__lems_region_model *rm,
                                         const char *source, dtb__model_core **out)
{
    const dtb__lems_comptype *t = dtb__lems_resolved_type(doc, rm->head.type);
    dtb_status st = check_type(t, rm);
    if (st)
        return st;
    const dtb__lems_component *defaults = rm->defaults_component;
    if (!defaults && rm->head.defaults) {
        defaults = dtb__lems_find_component(doc, rm->head.defaults);
        if (!defaults)
            return dtb__error(DTB_ENOTFOUND, "%s:%d: RegionModel '%s': no component with id '%s'",
                              rm->head.at.file, rm->head.at.line, rm->head.name, rm->head.defaults);
        if (strcmp(defaults->type, t->name) != 0)
            return dtb__error(DTB_EPARSE,
                              "%s:%d: RegionModel '%s': component '%s' is a '%s', not a '%s'",
                              rm->head.at.file, rm->head.at.line, rm->head.name, rm->head.defaults,
                              defaults->type, t->name);
    }

    dtb__model_core *m = dtb__calloc(1, sizeof *m);
    if (!m)
        return DTB_ENOMEM;
    dtb__ref_init(&m->ref);
    m->time_scale = rm->time_scale;
    m->name = dtb__strdup(rm->head.name);
    m->description = dtb__strdup(rm->head.description ? rm->head.description
                                                 : (t->description ? t->description : ""));
    m->reference = dtb__strdup(rm->head.reference ? rm->head.reference : "");
    m->source = dtb__strdup(source);
    st = m->name && m->description && m->reference && m->source ? DTB_OK : DTB_ENOMEM;
    if (!st)
        st = build_units(m, doc);
    if (!st)
        st = build_params(m, doc, t, defaults);
    if (!st && t->n_constants) {
        m->constants = dtb__calloc(t->n_constants, sizeof *m->constants);
        st = m->constants ? DTB_OK : DTB_ENOMEM;
        for (size_t i = 0; !st && i < t->n_constants; i++) {
            m->constants[i].name = dtb__strdup(t->constants[i].name);
            m->constants[i].value =
                t->constants[i].value / model_unit_factor(t->constants[i].dim, m->time_scale);
            m->n_constants = i + 1;
            st = m->constants[i].name ? DTB_OK : DTB_ENOMEM;
        }
    }
    if (!st)
        st = copy_equations(t->derived_params, t->n_derived_params, "DerivedParameter",
                            &m->derived_params, &m->n_derived_params);
    if (!st)
        st = build_states(m, t, rm);
    if (!st)
        st = copy_equations(t->derived_vars, t->n_derived_vars, "DerivedVariable",
                            &m->derived_vars, &m->n_derived_vars);
    if (!st)
        st = build_couplings(m, t, rm);
    if (!st)
        st = build_default_coupling(m, rm);
    if (!st)
        st = build_observed(m, rm);
    if (!st)
        st = build_exposures(m, t);
    if (!st)
        st = initial_values_from_on_start(m, t, rm);
    if (!st)
        st = dtb__model_check_compiles(m);   /* unknown symbols now, with their place */
    if (st) {
        dtb__model_core_unref(m);
        return st;
    }
    *out = m;
    return DTB_OK;
}
