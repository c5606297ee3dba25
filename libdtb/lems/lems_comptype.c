/* libdtb — reading ComponentType, Dynamics and libdtb's RegionModel.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

dtb_status dtb__lems_parse_expr(const char *text, const char *file, xmlNodePtr node,
                                const char *attr, dtb__expr **out)
{
    *out = NULL;
    if (!text)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "needs a '%s' attribute", attr);
    dtb_status st = dtb__expr_parse(text, out);
    if (st) {
        dtb__error_context(st, "%s", attr);
        return dtb__lems_located(st, file, node);
    }
    return DTB_OK;
}

static dtb__lems_where where(const char *file, xmlNodePtr node)
{
    return (dtb__lems_where){file, (int)xmlGetLineNo(node)};
}

/* Parameter, Exposure, Requirement, StateVariable. */
static dtb_status read_quantity(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                dtb__lems_quantity **arr, size_t *n)
{
    int oom = 0;
    dtb__lems_quantity q = {0};
    q.name = dtb__lems_get_attr(node, "name", &oom);
    q.dimension = dtb__lems_get_attr(node, "dimension", &oom);
    q.unit = dtb__lems_get_attr(node, "unit", &oom);
    q.exposure = dtb__lems_get_attr(node, "exposure", &oom);
    q.description = dtb__lems_get_attr(node, "description", &oom);
    q.at = where(file, node);
    dtb_status st = DTB_OK;
    if (oom)
        st = DTB_ENOMEM;
    else if (!q.name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'name'");
    if (!st)
        st = dtb__lems_resolve_dimension(r->doc, q.dimension, file, node, &q.dim);
    for (size_t i = 0; !st && i < *n; i++)
        if (strcmp((*arr)[i].name, q.name) == 0)
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "'%s' is declared twice", q.name);
    dtb__lems_quantity *slot = st ? NULL : dtb__lems_push(arr, n, sizeof *slot);
    if (!slot) {
        dtb__lems_quantity_free(&q);
        return st ? st : DTB_ENOMEM;
    }
    *slot = q;
    return DTB_OK;
}

static dtb_status read_constant(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                dtb__lems_comptype *t)
{
    int oom = 0;
    char *name = dtb__lems_get_attr(node, "name", &oom);
    char *dimension = dtb__lems_get_attr(node, "dimension", &oom);
    char *value = dtb__lems_get_attr(node, "value", &oom);
    dtb__dim dim = DTB__DIM_NONE;
    double v = 0;
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && (!name || !value))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'name' and 'value'");
    if (!st)
        st = dtb__lems_resolve_dimension(r->doc, dimension, file, node, &dim);
    if (!st) {
        char what[256];
        snprintf(what, sizeof what, "Constant '%s'", name);
        st = dtb__lems_quantity_to_si(r->doc, value, dim, 0, 0, what, &v);
        if (st)
            dtb__lems_located(st, file, node);
    }
    free(dimension);
    free(value);
    dtb__lems_constant *slot = st ? NULL : dtb__lems_push(&t->constants, &t->n_constants, sizeof *slot);
    if (!slot) {
        free(name);
        return st ? st : DTB_ENOMEM;
    }
    slot->name = name;
    slot->dim = dim;
    slot->value = v;
    slot->at = where(file, node);
    return DTB_OK;
}

static dtb_status note_unsupported(dtb__lems_comptype *t, const char *file, xmlNodePtr node);

/* DerivedParameter, DerivedVariable, TimeDerivative: name_attr holds the
 * name ("name" or "variable"). A DerivedVariable with `select` (values
 * gathered from child components) is recorded as unsupported in `t`. */
static dtb_status read_equation(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                const char *name_attr, dtb__lems_equation **arr, size_t *n,
                                dtb__lems_comptype *t)
{
    int oom = 0;
    dtb__lems_equation e = {0};
    e.name = dtb__lems_get_attr(node, name_attr, &oom);
    e.exposure = dtb__lems_get_attr(node, "exposure", &oom);
    e.text = dtb__lems_get_attr(node, "value", &oom);
    char *dimension = dtb__lems_get_attr(node, "dimension", &oom);
    char *select = dtb__lems_get_attr(node, "select", &oom);
    e.at = where(file, node);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !e.name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a '%s'", name_attr);
    if (!st && select) {
        free(select);
        free(dimension);
        dtb__lems_equation_free(&e);
        return note_unsupported(t, file, node);
    }
    if (!st)
        st = dtb__lems_resolve_dimension(r->doc, dimension, file, node, &e.dim);
    if (!st)
        st = dtb__lems_parse_expr(e.text, file, node, "value", &e.value);
    for (size_t i = 0; !st && i < *n; i++)
        if (strcmp((*arr)[i].name, e.name) == 0)
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "'%s' is defined twice", e.name);
    free(dimension);
    free(select);
    dtb__lems_equation *slot = st ? NULL : dtb__lems_push(arr, n, sizeof *slot);
    if (!slot) {
        dtb__lems_equation_free(&e);
        return st ? st : DTB_ENOMEM;
    }
    *slot = e;
    return DTB_OK;
}

/* ConditionalDerivedVariable: Cases in order become a chain
 * c1 ? v1 : (c2 ? v2 : (... : default)); without a default Case the value
 * is NaN when no condition holds, which the simulation reports. */
static dtb_status read_conditional(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                   dtb__lems_comptype *t)
{
    int oom = 0;
    dtb__lems_equation e = {0};
    e.name = dtb__lems_get_attr(node, "name", &oom);
    e.exposure = dtb__lems_get_attr(node, "exposure", &oom);
    char *dimension = dtb__lems_get_attr(node, "dimension", &oom);
    e.at = where(file, node);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !e.name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'name'");
    if (!st)
        st = dtb__lems_resolve_dimension(r->doc, dimension, file, node, &e.dim);
    free(dimension);

    /* Collect cases; build the chain from the last one backwards. */
    xmlNodePtr cases[256];
    size_t n_cases = 0;
    xmlNodePtr deflt = NULL;
    for (xmlNodePtr c = node->children; !st && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!dtb__lems_is(c, "Case")) {
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "only <Case> may appear in a "
                                                         "ConditionalDerivedVariable");
        } else if (!xmlHasProp(c, (const xmlChar *)"condition")) {
            if (deflt)
                st = dtb__lems_error_at(DTB_EPARSE, file, c, "more than one default <Case>");
            deflt = c;
        } else if (n_cases == sizeof cases / sizeof cases[0]) {
            st = dtb__lems_error_at(DTB_EUNSUPPORTED, file, c, "too many <Case> elements");
        } else {
            cases[n_cases++] = c;
        }
    }
    if (!st && !n_cases && !deflt)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs at least one <Case>");
    dtb__expr *chain = NULL;
    if (!st) {
        if (deflt) {
            char *v = dtb__lems_get_attr(deflt, "value", &oom);
            st = oom ? DTB_ENOMEM : dtb__lems_parse_expr(v, file, deflt, "value", &chain);
            free(v);
        } else {
            chain = dtb__expr_num(NAN);
            st = chain ? DTB_OK : DTB_ENOMEM;
        }
    }
    for (size_t i = n_cases; !st && i-- > 0;) {
        char *cond_s = dtb__lems_get_attr(cases[i], "condition", &oom);
        char *val_s = dtb__lems_get_attr(cases[i], "value", &oom);
        dtb__expr *cond = NULL, *val = NULL;
        st = oom ? DTB_ENOMEM : dtb__lems_parse_expr(cond_s, file, cases[i], "condition", &cond);
        if (!st)
            st = dtb__lems_parse_expr(val_s, file, cases[i], "value", &val);
        free(cond_s);
        free(val_s);
        if (st) {
            dtb__expr_free(cond);
            dtb__expr_free(val);
        } else {
            chain = dtb__expr_select(cond, val, chain);
            if (!chain)
                st = dtb_last_error_code() == DTB_EPARSE
                         ? dtb__lems_error_at(DTB_EPARSE, file, node, "ConditionalDerivedVariable "
                                              "'%s': too many cases (its expression would nest "
                                              "more than %d levels)", e.name,
                                              DTB__EXPR_MAX_HEIGHT)
                         : DTB_ENOMEM;
        }
    }
    for (size_t i = 0; !st && i < t->n_derived_vars; i++)
        if (strcmp(t->derived_vars[i].name, e.name) == 0)
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "'%s' is defined twice", e.name);
    e.value = chain;
    if (!st) {
        e.text = dtb__asprintf("<conditional with %zu case(s)>", n_cases + (deflt ? 1 : 0));
        if (!e.text)
            st = DTB_ENOMEM;
    }
    dtb__lems_equation *slot =
        st ? NULL : dtb__lems_push(&t->derived_vars, &t->n_derived_vars, sizeof *slot);
    if (!slot) {
        dtb__lems_equation_free(&e);
        return st ? st : DTB_ENOMEM;
    }
    *slot = e;
    return DTB_OK;
}

/* Elements LEMS defines that this reader recognises but cannot execute yet.
 * They are recorded, not rejected, so that documents declaring such types
 * (NeuroML's core types) still load; using the type is then an error. */
static int known_but_unsupported(xmlNodePtr node, int in_dynamics)
{
    static const char *const type_level[] = {
        "Property", "IndexParameter", "Fixed", "ComponentRequirement", "InstanceRequirement",
        "Child", "Children", "Link", "ComponentReference", "Attachments", "EventPort", "Text",
        "Path", "Collection", "PairCollection", "Structure", "Simulation", "Behavior"};
    static const char *const dynamics_level[] = {"OnStart", "OnCondition", "OnEvent", "OnEntry",
                                                 "Regime", "KineticScheme", "Super"};
    const char *const *list = in_dynamics ? dynamics_level : type_level;
    size_t n = in_dynamics ? sizeof dynamics_level / sizeof *dynamics_level
                           : sizeof type_level / sizeof *type_level;
    for (size_t i = 0; i < n; i++)
        if (dtb__lems_is(node, list[i]))
            return 1;
    return 0;
}

static dtb_status note_unsupported(dtb__lems_comptype *t, const char *file, xmlNodePtr node)
{
    if (t->unsupported)
        return DTB_OK;
    t->unsupported = dtb__strdup((const char *)node->name);
    t->unsupported_at = where(file, node);
    return t->unsupported ? DTB_OK : DTB_ENOMEM;
}

static dtb_status read_dynamics(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                dtb__lems_comptype *t)
{
    if (t->has_dynamics)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "a ComponentType has one <Dynamics>");
    t->has_dynamics = 1;
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        dtb_status st;
        if (dtb__lems_is(c, "StateVariable"))
            st = read_quantity(r, file, c, &t->state_vars, &t->n_state_vars);
        else if (dtb__lems_is(c, "TimeDerivative"))
            st = read_equation(r, file, c, "variable", &t->time_derivs, &t->n_time_derivs, t);
        else if (dtb__lems_is(c, "DerivedVariable"))
            st = read_equation(r, file, c, "name", &t->derived_vars, &t->n_derived_vars, t);
        else if (dtb__lems_is(c, "ConditionalDerivedVariable"))
            st = read_conditional(r, file, c, t);
        else if (known_but_unsupported(c, 1))
            st = note_unsupported(t, file, c);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in <Dynamics> of "
                                                         "ComponentType '%s'", t->name);
        if (st)
            return st;
    }
    return DTB_OK;
}

static dtb_status read_comptype_body(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                     dtb__lems_comptype *t)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        dtb_status st;
        if (dtb__lems_is(c, "Parameter"))
            st = read_quantity(r, file, c, &t->params, &t->n_params);
        else if (dtb__lems_is(c, "Constant"))
            st = read_constant(r, file, c, t);
        else if (dtb__lems_is(c, "DerivedParameter"))
            st = read_equation(r, file, c, "name", &t->derived_params, &t->n_derived_params, t);
        else if (dtb__lems_is(c, "Exposure"))
            st = read_quantity(r, file, c, &t->exposures, &t->n_exposures);
        else if (dtb__lems_is(c, "Requirement"))
            st = read_quantity(r, file, c, &t->requirements, &t->n_requirements);
        else if (dtb__lems_is(c, "Dynamics"))
            st = read_dynamics(r, file, c, t);
        else if (dtb__lems_is(c, "notes") || dtb__lems_is(c, "About") || dtb__lems_is(c, "Meta"))
            st = DTB_OK;
        else if (known_but_unsupported(c, 0))
            st = note_unsupported(t, file, c);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in ComponentType '%s'",
                                    t->name);
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lems_read_comptype(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    int oom = 0;
    char *name = dtb__lems_get_attr(node, "name", &oom);
    if (!name)
        return oom ? DTB_ENOMEM : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'name'");
    const dtb__lems_comptype *old = dtb__lems_find_type(r->doc, name);
    if (old) {
        dtb_status st = dtb__lems_error_at(DTB_EPARSE, file, node,
                                           "ComponentType '%s' is already declared at %s:%d", name,
                                           old->at.file, old->at.line);
        free(name);
        return st;
    }
    dtb__lems_comptype *t = dtb__lems_push(&r->doc->types, &r->doc->n_types, sizeof *t);
    if (!t) {
        free(name);
        return DTB_ENOMEM;
    }
    t->name = name;
    t->at = where(file, node);
    t->extends = dtb__lems_get_attr(node, "extends", &oom);
    t->description = dtb__lems_get_attr(node, "description", &oom);
    if (oom)
        return DTB_ENOMEM;
    /* The type is already in the document: on error the whole document is
     * freed by the caller, which frees it too. */
    return read_comptype_body(r, file, node, t);
}

/* ----------------------------------------------------------- RegionModel */

static dtb_status read_number_attr(xmlNodePtr node, const char *file, const char *name,
                                   double dflt, double *out)
{
    int oom = 0;
    char *v = dtb__lems_get_attr(node, name, &oom);
    if (oom)
        return DTB_ENOMEM;
    *out = dflt;
    if (!v)
        return DTB_OK;
    dtb_status st = DTB_OK;
    if (!dtb__parse_double(v, out) || isnan(*out))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "%s='%s' is not a number", name, v);
    free(v);
    return st;
}

static dtb_status read_bound(const char *file, xmlNodePtr node, dtb__lems_bound **arr, size_t *n)
{
    int oom = 0;
    dtb__lems_bound b = {0};
    b.variable = dtb__lems_get_attr(node, "variable", &oom);
    b.at = where(file, node);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !b.variable)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'variable'");
    if (!st)
        st = read_number_attr(node, file, "min", -INFINITY, &b.lo);
    if (!st)
        st = read_number_attr(node, file, "max", INFINITY, &b.hi);
    if (!st && !(b.lo <= b.hi))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "min (%g) is greater than max (%g)", b.lo,
                                b.hi);
    dtb__lems_bound *slot = st ? NULL : dtb__lems_push(arr, n, sizeof *slot);
    if (!slot) {
        free(b.variable);
        return st ? st : DTB_ENOMEM;
    }
    *slot = b;
    return DTB_OK;
}

static dtb_status read_coupling(const char *file, xmlNodePtr node, dtb__lems_region_model *m)
{
    int oom = 0;
    dtb__lems_coupling c = {0};
    c.variable = dtb__lems_get_attr(node, "variable", &oom);
    c.input = dtb__lems_get_attr(node, "input", &oom);
    c.at = where(file, node);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && (!c.variable || !c.input))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'variable' and 'input'");
    dtb__lems_coupling *slot = st ? NULL : dtb__lems_push(&m->couplings, &m->n_couplings, sizeof *slot);
    if (!slot) {
        free(c.variable);
        free(c.input);
        return st ? st : DTB_ENOMEM;
    }
    *slot = c;
    return DTB_OK;
}

static dtb_status read_observe(const char *file, xmlNodePtr node, dtb__lems_region_model *m)
{
    int oom = 0;
    char *v = dtb__lems_get_attr(node, "variable", &oom);
    if (!v)
        return oom ? DTB_ENOMEM : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'variable'");
    int *lines = dtb__realloc_array(m->observe_line, m->n_observe + 1, sizeof *lines);
    if (!lines) {
        free(v);
        return DTB_ENOMEM;
    }
    m->observe_line = lines;
    char **slot = dtb__lems_push(&m->observe, &m->n_observe, sizeof *slot);
    if (!slot) {
        free(v);
        return DTB_ENOMEM;
    }
    *slot = v;
    lines[m->n_observe - 1] = (int)xmlGetLineNo(node);
    return DTB_OK;
}

dtb_status dtb__lems_read_region_model(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    dtb__lems_region_model *m =
        dtb__lems_push(&r->doc->region_models, &r->doc->n_region_models, sizeof *m);
    if (!m)
        return DTB_ENOMEM;
    int oom = 0;
    m->at = where(file, node);
    m->name = dtb__lems_get_attr(node, "name", &oom);
    m->type = dtb__lems_get_attr(node, "type", &oom);
    m->defaults = dtb__lems_get_attr(node, "defaults", &oom);
    m->description = dtb__lems_get_attr(node, "description", &oom);
    m->reference = dtb__lems_get_attr(node, "reference", &oom);
    char *time_scale = dtb__lems_get_attr(node, "timeScale", &oom);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && (!m->name || !m->type))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'name' and 'type'");
    for (size_t i = 0; !st && i + 1 < r->doc->n_region_models; i++)
        if (strcmp(r->doc->region_models[i].name, m->name) == 0)
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "RegionModel '%s' is declared twice",
                                    m->name);
    m->time_scale = 1.0;
    if (!st && time_scale) {
        static const dtb__dim time_dim = {{0, 0, 1, 0, 0, 0, 0}};
        st = dtb__lems_quantity_to_si(r->doc, time_scale, time_dim, 0, 0, "timeScale", &m->time_scale);
        if (!st && !(m->time_scale > 0))
            st = dtb__error(DTB_EPARSE, "timeScale must be positive");
        if (st)
            dtb__lems_located(st, file, node);
    }
    free(time_scale);
    for (xmlNodePtr c = node->children; !st && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (dtb__lems_is(c, "Coupling"))
            st = read_coupling(file, c, m);
        else if (dtb__lems_is(c, "Observe"))
            st = read_observe(file, c, m);
        else if (dtb__lems_is(c, "StateBounds"))
            st = read_bound(file, c, &m->bounds, &m->n_bounds);
        else if (dtb__lems_is(c, "StateRange"))
            st = read_bound(file, c, &m->ranges, &m->n_ranges);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in <RegionModel> "
                                                         "(expected Coupling, Observe, StateBounds "
                                                         "or StateRange)");
    }
    return st;
}
