/* libdtb — checking resolved ComponentTypes: every symbol declared, every
 * expression dimensionally consistent, handlers naming real variables,
 * ports and regimes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Types are checked as resolved, so inherited Dynamics are checked against
 * the declarations of each type that runs them. The first problem of a
 * type is kept as its `defect`, not reported at once: the NeuroML core
 * types hold types that cannot run (baseChannelDensityCond leaves
 * VOLT_SCALE to its subtypes; channelDensityGHK2 declares pOpen a voltage
 * but computes a number; pinskyRinzelCA3Cell's -Si/150.0 lacks a time
 * unit), and jLEMS only checks the types it builds. A defect is a load
 * error when a component of the file being loaded uses a type declared in
 * that same file (lems_components_check.c); otherwise it is an error when
 * the type is simulated or made a region model, and `dtb check` lists it
 * as a warning. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_dims.h"
#include "lems_private.h"

static const dtb__dim time_dim = {{0, 0, 1, 0, 0, 0, 0}};

typedef struct scope {
    const dtb__lems_comptype *t;
    int parameters_only;      /* DerivedParameter: parameters and constants */
    const dtb__lems_names *derived_params, *derived_vars;   /* the type's, by name */
} scope;

static int set(dtb__dimval *out, dtb__dim d, int any)
{
    *out = (dtb__dimval){d, any, 0, 0, 0};
    return 1;
}

static int lookup_symbol(const char *name, dtb__dimval *out, void *ud)
{
    const scope *s = ud;
    const dtb__lems_comptype *t = s->t;
    long k;
    if ((k = dtb__lems_find_quantity(t->params, t->n_params, name)) >= 0)
        return set(out, t->params[k].dim, t->params[k].any_dimension);
    for (size_t i = 0; i < t->n_constants; i++)
        if (strcmp(t->constants[i].name, name) == 0)
            return set(out, t->constants[i].dim, 0);
    if ((k = dtb__lems_names_find(s->derived_params, name)) >= 0)
        return set(out, t->derived_params[k].dim, 0);
    if (s->parameters_only)
        return 0;
    if ((k = dtb__lems_find_quantity(t->state_vars, t->n_state_vars, name)) >= 0)
        return set(out, t->state_vars[k].dim, 0);
    if ((k = dtb__lems_names_find(s->derived_vars, name)) >= 0)
        return set(out, t->derived_vars[k].dim, t->derived_vars[k].no_dimension);
    if ((k = dtb__lems_find_quantity(t->properties, t->n_properties, name)) >= 0)
        return set(out, t->properties[k].dim, 0);
    if ((k = dtb__lems_find_quantity(t->requirements, t->n_requirements, name)) >= 0)
        return set(out, t->requirements[k].dim, 0);
    if (dtb__lems_find_decl(t->index_params, t->n_index_params, name) >= 0)
        return set(out, DTB__DIM_NONE, 0);
    if (strcmp(name, "t") == 0)
        return set(out, time_dim, 0);
    return 0;
}

typedef struct checker {
    dtb__lems_doc *doc;
    dtb__lems_comptype *t;     /* resolved */
    dtb__lems_names derived_params, derived_vars;
} checker;

static dtb_status at(dtb_status st, dtb__lems_where w, const char *what)
{
    return dtb__error_context(st, "%s:%d: <%s>%s%s", w.file ? w.file : "<memory>", w.line,
                              w.element ? w.element : "?", what ? " " : "", what ? what : "");
}

/* A test must be a condition; a value must have the `expected` dimension
 * (NULL: any). */
#define TEST NULL, "a test"

/* Check one expression. */
static dtb_status check_expr(checker *c, const dtb__expr *e, const char *text, int parameters_only,
                             const dtb__dim *expected, const char *target, dtb__lems_where w)
{
    scope s = {c->t, parameters_only, &c->derived_params, &c->derived_vars};
    dtb__dimval v;
    dtb_status st = dtb__lems_expr_dim(c->doc, e, lookup_symbol, &s, &v);
    char where_text[256];
    snprintf(where_text, sizeof where_text, "of ComponentType '%s': expression '%s'", c->t->name,
             text ? text : "?");
    if (st)
        return at(st, w, where_text);
    if (!expected && strcmp(target, "a test") == 0) {
        if (!v.boolean && !v.any)
            return at(dtb__error(DTB_EPARSE, "is not a condition (use .gt., .eq., .and. ...)"), w,
                      where_text);
        return DTB_OK;
    }
    if (v.boolean)
        return at(dtb__error(DTB_EPARSE, "is a condition, not a value"), w, where_text);
    if (expected && !v.any && !dtb__dim_eq(v.dim, *expected)) {
        char got[128], want[128];
        dtb__lems_dim_describe(c->doc, v.dim, got, sizeof got);
        dtb__lems_dim_describe(c->doc, *expected, want, sizeof want);
        return at(dtb__error(DTB_EPARSE, "has dimension %s, but %s has dimension %s", got, target,
                             want),
                  w, where_text);
    }
    return DTB_OK;
}

static const dtb__lems_quantity *state_var(const dtb__lems_comptype *t, const char *name)
{
    long k = dtb__lems_find_quantity(t->state_vars, t->n_state_vars, name);
    return k >= 0 ? &t->state_vars[k] : NULL;
}

static dtb_status check_time_derivs(checker *c, const dtb__lems_equation *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const dtb__lems_quantity *sv = state_var(c->t, e[i].name);
        if (!sv)
            return dtb__error(DTB_ENOTFOUND, "%s:%d: <TimeDerivative>: '%s' is not a StateVariable "
                                             "of ComponentType '%s'",
                              e[i].at.file, e[i].at.line, e[i].name, c->t->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(e[j].name, e[i].name) == 0)
                return dtb__error(DTB_EPARSE, "%s:%d: <TimeDerivative>: second TimeDerivative of '%s'",
                                  e[i].at.file, e[i].at.line, e[i].name);
        dtb__dim want = dtb__dim_div(sv->dim, time_dim);
        char target[160];
        snprintf(target, sizeof target, "the rate of change of '%s'", e[i].name);
        dtb_status st = check_expr(c, e[i].value, e[i].text, 0, &want, target, e[i].at);
        if (st)
            return st;
    }
    return DTB_OK;
}

static int has_port(const dtb__lems_comptype *t, const char *name, int in)
{
    long k = dtb__lems_find_decl(t->event_ports, t->n_event_ports, name);
    return k >= 0 && t->event_ports[k].flag == in;
}

static dtb_status check_handler(checker *c, const dtb__lems_handler *h)
{
    const dtb__lems_comptype *t = c->t;
    dtb_status st = DTB_OK;
    if (h->kind == DTB__LEMS_ON_CONDITION)
        st = check_expr(c, h->test, h->test_text, 0, TEST, h->at);
    if (!st && h->kind == DTB__LEMS_ON_EVENT && !has_port(t, h->port, 1))
        st = dtb__error(DTB_ENOTFOUND, "%s:%d: <OnEvent>: ComponentType '%s' has no EventPort '%s' "
                                       "with direction=\"in\"",
                        h->at.file, h->at.line, t->name, h->port);
    for (size_t i = 0; !st && i < h->n_assigns; i++) {
        const dtb__lems_assignment *a = &h->assigns[i];
        const dtb__lems_quantity *sv = state_var(t, a->variable);
        if (!sv) {
            st = dtb__error(DTB_ENOTFOUND, "%s:%d: <StateAssignment>: '%s' is not a StateVariable of "
                                           "ComponentType '%s'",
                            a->at.file, a->at.line, a->variable, t->name);
            break;
        }
        char target[160];
        snprintf(target, sizeof target, "'%s'", a->variable);
        st = check_expr(c, a->value, a->text, 0, &sv->dim, target, a->at);
    }
    for (size_t i = 0; !st && i < h->n_event_outs; i++)
        if (!has_port(t, h->event_outs[i].name, 0))
            st = dtb__error(DTB_ENOTFOUND, "%s:%d: <EventOut>: ComponentType '%s' has no EventPort "
                                           "'%s' with direction=\"out\"",
                            h->event_outs[i].at.file, h->event_outs[i].at.line, t->name,
                            h->event_outs[i].name);
    if (!st && h->transition) {
        int found = 0;
        for (size_t r = 0; r < t->n_regimes; r++)
            found |= strcmp(t->regimes[r].name, h->transition) == 0;
        if (!found)
            st = dtb__error(DTB_ENOTFOUND, "%s:%d: <Transition>: no Regime '%s' in ComponentType '%s'",
                            h->transition_at.file, h->transition_at.line, h->transition, t->name);
    }
    return st;
}

static dtb_status check_order(const dtb__lems_equation *eqs, size_t n, const char *kind)
{
    size_t *order = dtb__calloc(n + 1, sizeof *order);
    dtb_status st = order ? dtb__lems_order_equations(eqs, n, kind, order) : DTB_ENOMEM;
    free(order);
    return st;
}

/* Each derived quantity is computed after what it uses: a cycle has no
 * order, and unlike the defects kept for unused types (a dimension an
 * upstream file gets wrong) it is an error wherever it is, also in a type
 * nothing uses: dtb check must not call such a file valid. */
static dtb_status check_cycles(const dtb__lems_comptype *t)
{
    dtb_status st = check_order(t->derived_params, t->n_derived_params, "DerivedParameter");
    return st ? st : check_order(t->derived_vars, t->n_derived_vars, "DerivedVariable");
}

static dtb_status check_derived(checker *c)
{
    const dtb__lems_comptype *t = c->t;
    for (size_t i = 0; i < t->n_derived_params; i++) {
        const dtb__lems_equation *e = &t->derived_params[i];
        char target[160];
        snprintf(target, sizeof target, "DerivedParameter '%s'", e->name);
        dtb_status st = check_expr(c, e->value, e->text, 1, &e->dim, target, e->at);
        if (st)
            return st;
    }
    for (size_t i = 0; i < t->n_derived_vars; i++) {
        const dtb__lems_equation *e = &t->derived_vars[i];
        if (e->select) {
            if (!e->select[0])
                return dtb__error(DTB_EPARSE, "%s:%d: <DerivedVariable>: empty 'select'", e->at.file,
                                  e->at.line);
            continue;
        }
        char target[160];
        snprintf(target, sizeof target, "DerivedVariable '%s'", e->name);
        /* Without a dimension attribute the value's own dimension is taken
         * (jLEMS does; three NeuroML core types rely on it). */
        dtb_status st = check_expr(c, e->value, e->text, 0, e->no_dimension ? NULL : &e->dim,
                                   target, e->at);
        if (st)
            return st;
    }
    return DTB_OK;
}

static dtb_status check_dynamics(checker *c)
{
    const dtb__lems_comptype *t = c->t;
    dtb_status st = check_derived(c);
    if (!st)
        st = check_time_derivs(c, t->time_derivs, t->n_time_derivs);
    for (size_t i = 0; !st && i < t->n_handlers; i++)
        st = check_handler(c, &t->handlers[i]);
    int initial = 0;
    for (size_t r = 0; !st && r < t->n_regimes; r++) {
        const dtb__lems_regime *g = &t->regimes[r];
        initial += g->initial;
        st = check_time_derivs(c, g->time_derivs, g->n_time_derivs);
        for (size_t i = 0; !st && i < g->n_handlers; i++)
            st = check_handler(c, &g->handlers[i]);
    }
    for (size_t k = 0; !st && k < t->n_kschemes; k++) {
        const dtb__lems_kscheme *ks = &t->kschemes[k];
        const char *names[2] = {ks->nodes, ks->edges};
        for (int j = 0; !st && j < 2; j++)
            if (dtb__lems_find_decl(t->children, t->n_children, names[j]) < 0)
                st = dtb__error(DTB_ENOTFOUND, "%s:%d: <KineticScheme name='%s'>: '%s' is not a Children "
                                               "of ComponentType '%s'",
                                ks->at.file ? ks->at.file : "<memory>", ks->at.line, ks->name, names[j],
                                t->name);
    }
    if (!st && initial > 1)
        st = dtb__error(DTB_EPARSE, "%s:%d: <Regime>: ComponentType '%s' has %d initial regimes",
                        t->regimes[0].at.file, t->regimes[0].at.line, t->name, initial);
    return st;
}

/* A warning, once (a type's subtypes inherit its Dynamics and the same
 * defect); msg is taken (NULL: out of memory). */
dtb_status dtb__lems_warn(dtb__lems_doc *doc, const dtb__lems_comptype *t, char *msg)
{
    if (!msg)
        return DTB_ENOMEM;
    for (size_t i = 0; i < doc->n_warnings; i++)
        if (!strcmp(doc->warnings[i], msg)) {
            free(msg);
            return DTB_OK;
        }
    char **w = dtb__realloc_array(doc->warnings, doc->n_warnings + 1, sizeof *w);
    if (w)
        doc->warnings = w;
    size_t *wt = w ? dtb__realloc_array(doc->warning_types, doc->n_warnings + 1, sizeof *wt) : NULL;
    if (!wt) {
        free(msg);
        return DTB_ENOMEM;
    }
    doc->warning_types = wt;
    wt[doc->n_warnings] = (size_t)(t - doc->resolved);
    w[doc->n_warnings++] = msg;
    return DTB_OK;
}

static void mark_used(const dtb__lems_doc *doc, const dtb__lems_component *c, unsigned char *used, int depth)
{
    const dtb__lems_comptype *t = dtb__lems_resolved_type(doc, c->type);
    if (t && t >= doc->resolved && t < doc->resolved + doc->n_types)
        used[t - doc->resolved] = 1;
    for (size_t i = 0; depth < 256 && i < c->n_children; i++)
        mark_used(doc, &c->children[i], used, depth + 1);
}

/* The NeuroML core types hold sloppy types no file uses (pinskyRinzelCA3Cell):
 * only warnings about types the loaded file declares, or that a component
 * or a RegionModel uses, are kept. */
dtb_status dtb__lems_keep_relevant_warnings(dtb__lems_doc *doc)
{
    if (!doc->n_warnings)
        return DTB_OK;
    unsigned char *used = dtb__calloc(doc->n_types + 1, 1);
    if (!used)
        return DTB_ENOMEM;
    for (size_t i = 0; i < doc->n_components; i++)
        mark_used(doc, &doc->components[i], used, 0);
    for (size_t i = 0; i < doc->n_region_models; i++) {
        const dtb__lems_comptype *t = dtb__lems_resolved_type(doc, doc->region_models[i].head.type);
        if (t && t >= doc->resolved && t < doc->resolved + doc->n_types)
            used[t - doc->resolved] = 1;
    }
    for (size_t i = 0; i < doc->n_types; i++)
        if (doc->n_files && doc->types[i].at.file && !strcmp(doc->types[i].at.file, doc->files[0]))
            used[i] = 1;
    size_t kept = 0;
    for (size_t i = 0; i < doc->n_warnings; i++) {
        if (used[doc->warning_types[i]]) {
            doc->warning_types[kept] = doc->warning_types[i];
            doc->warnings[kept++] = doc->warnings[i];
        } else {
            free(doc->warnings[i]);
        }
    }
    doc->n_warnings = kept;
    free(used);
    return DTB_OK;
}

/* 1 if some TimeDerivative or StateAssignment of t (its Dynamics' or a
 * regime's) changes state variable `name`. */
static int handlers_assign(const dtb__lems_handler *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < h[i].n_assigns; a++)
            if (!strcmp(h[i].assigns[a].variable, name))
                return 1;
    return 0;
}

static int state_changes(const dtb__lems_comptype *t, const char *name)
{
    for (size_t i = 0; i < t->n_time_derivs; i++)
        if (!strcmp(t->time_derivs[i].name, name))
            return 1;
    if (handlers_assign(t->handlers, t->n_handlers, name))
        return 1;
    for (size_t r = 0; r < t->n_regimes; r++) {
        const dtb__lems_regime *g = &t->regimes[r];
        for (size_t i = 0; i < g->n_time_derivs; i++)
            if (!strcmp(g->time_derivs[i].name, name))
                return 1;
        if (handlers_assign(g->handlers, g->n_handlers, name))
            return 1;
    }
    return 0;
}

/* A DerivedVariable with the name of a StateVariable. jLEMS and pylems
 * keep a component's variables in one map by name, so the two are one
 * variable:
 *  - value="S" (the state itself): the DerivedVariable changes nothing;
 *    dropped (its exposure is the state's);
 *  - a state nothing integrates or assigns (NeuroML's pinskyRinzelCA3Cell
 *    Sisat): the DerivedVariable computes it; the StateVariable is dropped.
 * Both with a warning. Otherwise (a state that changes, and a value of its
 * own) the interpreters would overwrite the state with the derived value
 * at every step, in different places: refused, as the type's defect. */
/* The resolved type's Dynamics arrays are the declaring type's: copy them
 * before dropping an element. */
static dtb_status own_arrays(dtb__lems_comptype *t)
{
    if (t->owns_dynamics_arrays)
        return DTB_OK;
    dtb__lems_quantity *q = dtb__malloc_array(t->n_state_vars + 1, sizeof *q);
    dtb__lems_equation *e = dtb__malloc_array(t->n_derived_vars + 1, sizeof *e);
    if (!q || !e) {
        free(q);
        free(e);
        return DTB_ENOMEM;
    }
    if (t->n_state_vars)
        memcpy(q, t->state_vars, t->n_state_vars * sizeof *q);
    if (t->n_derived_vars)
        memcpy(e, t->derived_vars, t->n_derived_vars * sizeof *e);
    t->state_vars = q;
    t->derived_vars = e;
    t->owns_dynamics_arrays = 1;
    return DTB_OK;
}

static dtb_status merge_state_aliases(dtb__lems_doc *doc, dtb__lems_comptype *t)
{
    for (size_t i = 0; i < t->n_derived_vars;) {
        dtb__lems_equation *e = &t->derived_vars[i];
        long k = dtb__lems_find_quantity(t->state_vars, t->n_state_vars, e->name);
        if (k < 0) {
            i++;
            continue;
        }
        const dtb__lems_quantity *sv = &t->state_vars[k];
        const char *file = e->at.file ? e->at.file : "<memory>";
        const char *sfile = sv->at.file ? sv->at.file : "<memory>";
        int identity = !e->select && e->value && e->value->kind == DTB__EX_SYM && !strcmp(e->value->name, e->name);
        if (identity) {
            dtb_status st = dtb__lems_warn(doc, t, dtb__asprintf("%s:%d: <DerivedVariable name='%s'>: the same name as a "
                                                    "StateVariable of ComponentType '%s', with that variable "
                                                    "as its value: taken as the StateVariable (as jLEMS and "
                                                    "pylems do)", file, e->at.line, e->name, t->name));
            if (!st)
                st = own_arrays(t);
            if (st)
                return st;
            /* shallow copies: the strings stay with the declaring type */
            e = &t->derived_vars[i];
            memmove(e, e + 1, (t->n_derived_vars - i - 1) * sizeof *e);
            t->n_derived_vars--;
            continue;
        }
        if (!state_changes(t, e->name)) {
            dtb_status st = dtb__lems_warn(doc, t, dtb__asprintf("%s:%d: <StateVariable name='%s'>: also a DerivedVariable "
                                                    "of ComponentType '%s' (%s:%d) and never integrated nor "
                                                    "assigned: taken as the DerivedVariable (as jLEMS and "
                                                    "pylems do)", sfile, sv->at.line, e->name, t->name, file,
                                                    e->at.line));
            if (!st)
                st = own_arrays(t);
            if (st)
                return st;
            dtb__lems_quantity *q = &t->state_vars[k];
            memmove(q, q + 1, (t->n_state_vars - (size_t)k - 1) * sizeof *q);
            t->n_state_vars--;
            i++;
            continue;
        }
        return dtb__error(DTB_EPARSE, "%s:%d: <DerivedVariable>: '%s' of ComponentType '%s' has the name of "
                                      "a StateVariable (%s:%d) that changes, and a value of its own "
                                      "(value=\"%s\"): rename one of them",
                          file, e->at.line, e->name, t->name, sfile, sv->at.line,
                          e->select ? e->select : e->text ? e->text : "?");
    }
    return DTB_OK;
}

dtb_status dtb__lems_check_types(dtb__lems_doc *doc)
{
    for (size_t i = 0; i < doc->n_types; i++) {
        dtb_status ast = merge_state_aliases(doc, &doc->resolved[i]);
        if (ast == DTB_ENOMEM)
            return ast;
        if (ast) {
            /* kept as the type's defect, like the problems below */
            if (!(doc->resolved[i].defect = dtb__strdup(dtb_last_error_message())))
                return DTB_ENOMEM;
            doc->resolved[i].defect_code = ast;
            dtb_clear_error();
            continue;
        }
        /* Types named by a <RegionModel> are written in the model's own
         * units (numbers in each parameter's native unit, time in the
         * RegionModel's timeScale), not in LEMS dimensions: the model
         * builder checks them (libdtb/model/model_build.c). */
        dtb_status cst = check_cycles(&doc->resolved[i]);
        if (cst)
            return cst;
        if (dtb__lems_is_region_type(doc, doc->types[i].name))
            continue;
        checker c = {.doc = doc, .t = &doc->resolved[i]};
        const dtb__lems_comptype *t = c.t;
        dtb_status st = dtb__lems_names_build(&c.derived_params, t->derived_params,
                                              t->n_derived_params, NULL);
        if (!st)
            st = dtb__lems_names_build(&c.derived_vars, t->derived_vars, t->n_derived_vars, NULL);
        if (!st)
            st = check_dynamics(&c);
        dtb__lems_names_free(&c.derived_params);
        dtb__lems_names_free(&c.derived_vars);
        if (st == DTB_ENOMEM)
            return st;
        if (!st)
            continue;
        /* Kept: an error when the type is used (see the top of this file). */
        c.t->defect = dtb__strdup(dtb_last_error_message());
        c.t->defect_code = st;
        if (!c.t->defect)
            return DTB_ENOMEM;
        dtb_clear_error();
    }
    return DTB_OK;
}
