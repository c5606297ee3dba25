/* libdtb — reading <Dynamics>: state variables, time derivatives, derived
 * variables (values, selects, conditionals), event handlers and regimes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

static dtb__lems_where where(const char *file, xmlNodePtr node) { return dtb__lems_where_of(file, node); }

static dtb_status read_reduce(const char *file, xmlNodePtr node, const char *text,
                              dtb__lems_reduce *out)
{
    *out = DTB__LEMS_REDUCE_NONE;
    if (!text)
        return DTB_OK;
    if (strcmp(text, "add") == 0)
        *out = DTB__LEMS_REDUCE_ADD;
    else if (strcmp(text, "multiply") == 0)
        *out = DTB__LEMS_REDUCE_MULTIPLY;
    else
        return dtb__lems_error_at(DTB_EPARSE, file, node, "reduce='%s' (expected 'add' or 'multiply')",
                                  text);
    return DTB_OK;
}

dtb_status dtb__lems_read_equation(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                   const char *name_attr, dtb__lems_equation **arr, size_t *n)
{
    int oom = 0;
    dtb__lems_equation e = {0};
    e.name = dtb__lems_get_attr(node, name_attr, &oom);
    e.exposure = dtb__lems_get_attr(node, "exposure", &oom);
    e.text = dtb__lems_get_attr(node, "value", &oom);
    e.select = dtb__lems_get_attr(node, "select", &oom);
    char *dimension = dtb__lems_get_attr(node, "dimension", &oom);
    char *reduce = dtb__lems_get_attr(node, "reduce", &oom);
    char *required = dtb__lems_get_attr(node, "required", &oom);
    e.at = where(file, node);
    e.required = 1;
    e.no_dimension = !dimension;
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !e.name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a '%s'", name_attr);
    if (!st)
        st = dtb__lems_resolve_dimension(r->doc, dimension, file, node, &e.dim);
    if (!st && e.select && e.text)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "has both 'value' and 'select'");
    if (!st && e.select) {
        st = read_reduce(file, node, reduce, &e.reduce);
        if (!st && required)
            e.required = strcmp(required, "false") != 0;
    } else if (!st) {
        if (reduce)
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "'reduce' needs a 'select'");
        else
            st = dtb__lems_parse_expr(e.text, file, node, "value", &e.value);
    }
    /* a repeated name: dtb__lems_check_unique once the block is read */
    free(dimension);
    free(reduce);
    free(required);
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
    e.conditional = 1;
    e.required = 1;
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
            dtb__expr_free(chain);
            chain = NULL;
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

/* ------------------------------------------------------------ handlers */

static dtb_status read_assignment(const char *file, xmlNodePtr node, dtb__lems_handler *h)
{
    dtb__lems_assignment *a = dtb__lems_push(&h->assigns, &h->n_assigns, sizeof *a);
    if (!a)
        return DTB_ENOMEM;
    int oom = 0;
    a->at = where(file, node);
    a->variable = dtb__lems_get_attr(node, "variable", &oom);
    a->text = dtb__lems_get_attr(node, "value", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!a->variable)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'variable'");
    return dtb__lems_parse_expr(a->text, file, node, "value", &a->value);
}

static dtb_status read_event_out(const char *file, xmlNodePtr node, dtb__lems_handler *h)
{
    dtb__lems_decl *d = dtb__lems_push(&h->event_outs, &h->n_event_outs, sizeof *d);
    if (!d)
        return DTB_ENOMEM;
    int oom = 0;
    d->at = where(file, node);
    d->name = dtb__lems_get_attr(node, "port", &oom);
    if (oom)
        return DTB_ENOMEM;
    return d->name ? DTB_OK : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'port'");
}

static dtb_status read_transition(const char *file, xmlNodePtr node, dtb__lems_handler *h)
{
    if (h->transition)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "a handler has at most one <Transition>");
    int oom = 0;
    h->transition = dtb__lems_get_attr(node, "regime", &oom);
    h->transition_at = where(file, node);
    if (oom)
        return DTB_ENOMEM;
    return h->transition ? DTB_OK : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'regime'");
}

/* OnStart, OnCondition, OnEvent, OnEntry into a new element of (*arr, *n).
 * `in_regime`: Transition is allowed (OnCondition/OnEvent of a Regime). */
static dtb_status read_handler(const char *file, xmlNodePtr node, dtb__lems_handler_kind kind,
                               int in_regime, dtb__lems_handler **arr, size_t *n)
{
    dtb__lems_handler *h = dtb__lems_push(arr, n, sizeof *h);
    if (!h)
        return DTB_ENOMEM;
    h->kind = kind;
    h->at = where(file, node);
    int oom = 0;
    dtb_status st = DTB_OK;
    if (kind == DTB__LEMS_ON_CONDITION) {
        h->test_text = dtb__lems_get_attr(node, "test", &oom);
        st = oom ? DTB_ENOMEM : dtb__lems_parse_expr(h->test_text, file, node, "test", &h->test);
    } else if (kind == DTB__LEMS_ON_EVENT) {
        h->port = dtb__lems_get_attr(node, "port", &oom);
        st = oom ? DTB_ENOMEM : h->port ? DTB_OK : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'port'");
    }
    for (xmlNodePtr c = node->children; !st && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (dtb__lems_is(c, "StateAssignment"))
            st = read_assignment(file, c, h);
        else if (dtb__lems_is(c, "EventOut") && kind != DTB__LEMS_ON_START)
            st = read_event_out(file, c, h);
        else if (dtb__lems_is(c, "Transition") && in_regime &&
                 (kind == DTB__LEMS_ON_CONDITION || kind == DTB__LEMS_ON_EVENT))
            st = read_transition(file, c, h);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "not allowed in <%s>",
                                    (const char *)node->name);
    }
    return st;
}

static dtb_status read_regime(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                              dtb__lems_comptype *t)
{
    int oom = 0;
    char *name = dtb__lems_get_attr(node, "name", &oom);
    char *initial = dtb__lems_get_attr(node, "initial", &oom);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'name'");
    for (size_t i = 0; !st && i < t->n_regimes; i++)
        if (strcmp(t->regimes[i].name, name) == 0)
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "regime '%s' is declared twice", name);
    dtb__lems_regime *g = st ? NULL : dtb__lems_push(&t->regimes, &t->n_regimes, sizeof *g);
    if (!g) {
        free(name);
        free(initial);
        return st ? st : DTB_ENOMEM;
    }
    g->name = name;
    g->initial = initial && strcmp(initial, "true") == 0;
    g->at = where(file, node);
    free(initial);
    for (xmlNodePtr c = node->children; !st && c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (dtb__lems_is(c, "TimeDerivative"))
            st = dtb__lems_read_equation(r, file, c, "variable", &g->time_derivs, &g->n_time_derivs);
        else if (dtb__lems_is(c, "OnEntry"))
            st = read_handler(file, c, DTB__LEMS_ON_ENTRY, 1, &g->handlers, &g->n_handlers);
        else if (dtb__lems_is(c, "OnCondition"))
            st = read_handler(file, c, DTB__LEMS_ON_CONDITION, 1, &g->handlers, &g->n_handlers);
        else if (dtb__lems_is(c, "OnEvent"))
            st = read_handler(file, c, DTB__LEMS_ON_EVENT, 1, &g->handlers, &g->n_handlers);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in <Regime> '%s'", name);
    }
    return st ? st : dtb__lems_check_unique(g->time_derivs, g->n_time_derivs);
}

static dtb_status note_unsupported(dtb__lems_comptype *t, const char *file, xmlNodePtr node)
{
    if (t->unsupported)
        return DTB_OK;
    t->unsupported = dtb__strdup((const char *)node->name);
    t->unsupported_at = where(file, node);
    return t->unsupported ? DTB_OK : DTB_ENOMEM;
}

static dtb_status read_kscheme(const char *file, xmlNodePtr node, dtb__lems_comptype *t)
{
    dtb__lems_kscheme *a = dtb__realloc_array(t->kschemes, t->n_kschemes + 1, sizeof *a);
    if (!a)
        return DTB_ENOMEM;
    t->kschemes = a;
    dtb__lems_kscheme *k = &a[t->n_kschemes];
    memset(k, 0, sizeof *k);
    t->n_kschemes++;
    int oom = 0;
    static const char *const attrs[] = {"name", "nodes", "stateVariable", "edges", "edgeSource",
                                        "edgeTarget", "forwardRate", "reverseRate"};
    char **fields[] = {&k->name, &k->nodes, &k->state_variable, &k->edges, &k->edge_source,
                       &k->edge_target, &k->forward_rate, &k->reverse_rate};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        *fields[i] = dtb__lems_get_attr(node, attrs[i], &oom);
    k->at = where(file, node);
    if (oom)
        return DTB_ENOMEM;
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (!*fields[i])
            return dtb__lems_error_at(DTB_EPARSE, file, node, "<KineticScheme> needs a '%s' attribute",
                                      attrs[i]);
    return DTB_OK;
}

dtb_status dtb__lems_read_dynamics(dtb__lems_reader *r, const char *file, xmlNodePtr node,
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
            st = dtb__lems_read_quantity(r, file, c, &t->state_vars, &t->n_state_vars);
        else if (dtb__lems_is(c, "TimeDerivative"))
            st = dtb__lems_read_equation(r, file, c, "variable", &t->time_derivs, &t->n_time_derivs);
        else if (dtb__lems_is(c, "DerivedVariable"))
            st = dtb__lems_read_equation(r, file, c, "name", &t->derived_vars, &t->n_derived_vars);
        else if (dtb__lems_is(c, "ConditionalDerivedVariable"))
            st = read_conditional(r, file, c, t);
        else if (dtb__lems_is(c, "OnStart"))
            st = read_handler(file, c, DTB__LEMS_ON_START, 0, &t->handlers, &t->n_handlers);
        else if (dtb__lems_is(c, "OnCondition"))
            st = read_handler(file, c, DTB__LEMS_ON_CONDITION, 0, &t->handlers, &t->n_handlers);
        else if (dtb__lems_is(c, "OnEvent"))
            st = read_handler(file, c, DTB__LEMS_ON_EVENT, 0, &t->handlers, &t->n_handlers);
        else if (dtb__lems_is(c, "Regime"))
            st = read_regime(r, file, c, t);
        else if (dtb__lems_is(c, "KineticScheme"))
            st = read_kscheme(file, c, t);
        else if (dtb__lems_is(c, "Super"))
            st = note_unsupported(t, file, c);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in <Dynamics> of "
                                                         "ComponentType '%s'", t->name);
        if (st)
            return st;
    }
    dtb_status st = dtb__lems_check_unique(t->time_derivs, t->n_time_derivs);
    return st ? st : dtb__lems_check_unique(t->derived_vars, t->n_derived_vars);
}
