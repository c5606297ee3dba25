/* libdtb — LEMS document IR: lookups, unit conversion, freeing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_dims.h"
#include "lems_private.h"

void *dtb__lems_push(void *arr_ptr, size_t *n, size_t elem_size)
{
    void **arr = arr_ptr;
    /* Grow in powers of two: capacity is implied by n. */
    size_t cap = 1;
    while (cap < *n)
        cap *= 2;
    if (*n == 0 || (*n >= 4 && *n == cap)) {
        size_t new_cap = *n == 0 ? 4 : cap * 2;
        void *p = dtb__realloc_array(*arr, new_cap, elem_size);
        if (!p)
            return NULL;
        *arr = p;
    }
    char *elem = (char *)*arr + *n * elem_size;
    memset(elem, 0, elem_size);
    (*n)++;
    return elem;
}

void dtb__lems_quantity_free(dtb__lems_quantity *q)
{
    free(q->name);
    free(q->dimension);
    free(q->unit);
    free(q->exposure);
    free(q->description);
    free(q->default_text);
}

void dtb__lems_equation_free(dtb__lems_equation *e)
{
    free(e->name);
    free(e->exposure);
    free(e->text);
    free(e->select);
    dtb__expr_free(e->value);
}

void dtb__lems_decl_free(dtb__lems_decl *d)
{
    free(d->name);
    free(d->type);
}

void dtb__lems_attrs_free(dtb__lems_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].name);
        free(a[i].value);
    }
    free(a);
}

static void free_quantities(dtb__lems_quantity *q, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dtb__lems_quantity_free(&q[i]);
    free(q);
}

static void free_equations(dtb__lems_equation *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dtb__lems_equation_free(&e[i]);
    free(e);
}

static void free_decls(dtb__lems_decl *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dtb__lems_decl_free(&d[i]);
    free(d);
}

void dtb__lems_handler_free(dtb__lems_handler *h)
{
    dtb__expr_free(h->test);
    free(h->test_text);
    free(h->port);
    for (size_t i = 0; i < h->n_assigns; i++) {
        free(h->assigns[i].variable);
        free(h->assigns[i].text);
        dtb__expr_free(h->assigns[i].value);
    }
    free(h->assigns);
    free_decls(h->event_outs, h->n_event_outs);
    free(h->transition);
}

static void free_handlers(dtb__lems_handler *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dtb__lems_handler_free(&h[i]);
    free(h);
}

void dtb__lems_elems_free(dtb__lems_elem *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dtb__lems_attrs_free(e[i].attrs, e[i].n_attrs);
        dtb__lems_elems_free(e[i].children, e[i].n_children);
        dtb__expr_free(e[i].value);
    }
    free(e);
}

void dtb__lems_comptype_free(dtb__lems_comptype *t)
{
    if (t->borrowed) {
        /* A resolved type owns only its arrays. */
        free(t->params);
        free(t->constants);
        free(t->derived_params);
        free(t->exposures);
        free(t->requirements);
        free(t->properties);
        free(t->fixed);
        free(t->texts);
        free(t->paths);
        free(t->child);
        free(t->children);
        free(t->attachments);
        free(t->comp_refs);
        free(t->links);
        free(t->instance_reqs);
        free(t->comp_reqs);
        free(t->index_params);
        free(t->event_ports);
        free(t->defect);
        if (t->owns_dynamics_arrays) {
            free(t->state_vars);
            free(t->derived_vars);
        }
        return;
    }
    free(t->name);
    free(t->extends);
    free(t->description);
    free_quantities(t->params, t->n_params);
    for (size_t i = 0; i < t->n_constants; i++)
        free(t->constants[i].name);
    free(t->constants);
    free_equations(t->derived_params, t->n_derived_params);
    free_quantities(t->exposures, t->n_exposures);
    free_quantities(t->requirements, t->n_requirements);
    free_quantities(t->properties, t->n_properties);
    dtb__lems_attrs_free(t->fixed, t->n_fixed);
    free_decls(t->texts, t->n_texts);
    free_decls(t->paths, t->n_paths);
    free_decls(t->child, t->n_child);
    free_decls(t->children, t->n_children);
    free_decls(t->attachments, t->n_attachments);
    free_decls(t->comp_refs, t->n_comp_refs);
    free_decls(t->links, t->n_links);
    free_decls(t->instance_reqs, t->n_instance_reqs);
    free_decls(t->comp_reqs, t->n_comp_reqs);
    free_decls(t->index_params, t->n_index_params);
    free_decls(t->event_ports, t->n_event_ports);
    free_quantities(t->state_vars, t->n_state_vars);
    free_equations(t->time_derivs, t->n_time_derivs);
    free_equations(t->derived_vars, t->n_derived_vars);
    free_handlers(t->handlers, t->n_handlers);
    for (size_t i = 0; i < t->n_regimes; i++) {
        free(t->regimes[i].name);
        free_equations(t->regimes[i].time_derivs, t->regimes[i].n_time_derivs);
        free_handlers(t->regimes[i].handlers, t->regimes[i].n_handlers);
    }
    free(t->regimes);
    for (size_t i = 0; i < t->n_kschemes; i++) {
        dtb__lems_kscheme *k = &t->kschemes[i];
        free(k->name);
        free(k->nodes);
        free(k->state_variable);
        free(k->edges);
        free(k->edge_source);
        free(k->edge_target);
        free(k->forward_rate);
        free(k->reverse_rate);
    }
    free(t->kschemes);
    dtb__lems_elems_free(t->structure, t->n_structure);
    dtb__lems_elems_free(t->simulation, t->n_simulation);
    free(t->unsupported);
}

void dtb__lems_component_free(dtb__lems_component *c)
{
    free(c->id);
    free(c->type);
    free(c->tag);
    dtb__lems_attrs_free(c->attrs, c->n_attrs);
    for (size_t i = 0; i < c->n_children; i++)
        dtb__lems_component_free(&c->children[i]);
    free(c->children);
}

static void free_bounds(dtb__lems_bound *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(b[i].variable);
    free(b);
}

void dtb__lems_doc_free(dtb__lems_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_files; i++)
        free(doc->files[i]);
    free(doc->files);
    for (size_t i = 0; i < doc->n_dims; i++)
        free(doc->dims[i].name);
    free(doc->dims);
    for (size_t i = 0; i < doc->n_units; i++) {
        free(doc->units[i].symbol);
        free(doc->units[i].dimension);
    }
    free(doc->units);
    for (size_t i = 0; doc->resolved && i < doc->n_types; i++)
        dtb__lems_comptype_free(&doc->resolved[i]);
    free(doc->resolved);
    for (size_t i = 0; i < doc->n_types; i++)
        dtb__lems_comptype_free(&doc->types[i]);
    free(doc->types);
    for (size_t i = 0; i < doc->n_components; i++)
        dtb__lems_component_free(&doc->components[i]);
    free(doc->components);
    free(doc->target);
    for (size_t i = 0; i < doc->n_warnings; i++)
        free(doc->warnings[i]);
    free(doc->warnings);
    free(doc->warning_types);
    for (size_t i = 0; i < doc->n_region_models; i++) {
        dtb__lems_region_model *m = &doc->region_models[i];
        dtb__lems_head_free(&m->head);
        for (size_t k = 0; k < m->n_couplings; k++) {
            free(m->couplings[k].variable);
            free(m->couplings[k].input);
        }
        free(m->couplings);
        for (size_t k = 0; k < m->n_observe; k++)
            free(m->observe[k]);
        free(m->observe);
        free(m->observe_line);
        free_bounds(m->bounds, m->n_bounds);
        free_bounds(m->ranges, m->n_ranges);
        free(m->default_coupling.kind);
        for (size_t k = 0; k < m->default_coupling.n; k++)
            free(m->default_coupling.names[k]);
        free(m->default_coupling.names);
        free(m->default_coupling.values);
    }
    free(doc->region_models);
    for (size_t i = 0; i < doc->n_spiking_cells; i++) {
        dtb__lems_spiking_cell *c = &doc->spiking_cells[i];
        dtb__lems_head_free(&c->head);
        free(c->voltage_unit);
        free(c->time_unit);
        free(c->current_unit);
        free(c->bias_param);
        for (size_t k = 0; k < c->n_sets; k++)
            free(c->sets[k].name);
        free(c->sets);
        free(c->draw_state);
    }
    free(doc->spiking_cells);
    memset(doc, 0, sizeof *doc);
}

const dtb__lems_comptype *dtb__lems_find_type(const dtb__lems_doc *doc, const char *name)
{
    for (size_t i = 0; i < doc->n_types; i++)
        if (dtb__streq(doc->types[i].name, name))
            return &doc->types[i];
    return NULL;
}

const dtb__lems_comptype *dtb__lems_resolved_type(const dtb__lems_doc *doc, const char *name)
{
    if (!doc->resolved)
        return NULL;
    for (size_t i = 0; i < doc->n_types; i++)
        if (dtb__streq(doc->types[i].name, name))
            return &doc->resolved[i];
    return NULL;
}

int dtb__lems_type_is(const dtb__lems_comptype *t, const char *base)
{
    if (!base)
        return 0;
    if (strcmp(base, "Component") == 0)
        return 1;
    for (; t; t = t->super)
        if (strcmp(t->name, base) == 0)
            return 1;
    return 0;
}

static const dtb__lems_component *find_nested(const dtb__lems_component *c, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (dtb__streq(c[i].id, id))
            return &c[i];
        const dtb__lems_component *found = find_nested(c[i].children, c[i].n_children, id);
        if (found)
            return found;
    }
    return NULL;
}

const dtb__lems_component *dtb__lems_find_any_component(const dtb__lems_doc *doc, const char *id)
{
    const dtb__lems_component *c = dtb__lems_find_component(doc, id);
    return c ? c : find_nested(doc->components, doc->n_components, id);
}

const char *dtb__lems_component_attr(const dtb__lems_component *c, const char *name)
{
    for (size_t i = 0; i < c->n_attrs; i++)
        if (strcmp(c->attrs[i].name, name) == 0)
            return c->attrs[i].value;
    return NULL;
}

long dtb__lems_find_quantity(const dtb__lems_quantity *q, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (dtb__streq(q[i].name, name))
            return (long)i;
    return -1;
}

long dtb__lems_find_equation(const dtb__lems_equation *e, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (dtb__streq(e[i].name, name))
            return (long)i;
    return -1;
}

long dtb__lems_find_decl(const dtb__lems_decl *d, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (dtb__streq(d[i].name, name))
            return (long)i;
    return -1;
}

int dtb__lems_is_region_type(const dtb__lems_doc *doc, const char *name)
{
    for (size_t m = 0; m < doc->n_region_models; m++)
        if (dtb__streq(doc->region_models[m].head.type, name))
            return 1;
    return 0;
}

const dtb__lems_component *dtb__lems_find_component(const dtb__lems_doc *doc, const char *id)
{
    for (size_t i = 0; i < doc->n_components; i++)
        if (dtb__streq(doc->components[i].id, id))
            return &doc->components[i];
    return NULL;
}

const dtb__lems_unit *dtb__lems_find_unit(const dtb__lems_doc *doc, const char *symbol)
{
    for (size_t i = 0; i < doc->n_units; i++)
        if (dtb__streq(doc->units[i].symbol, symbol))
            return &doc->units[i];
    return NULL;
}

const dtb__lems_dimension *dtb__lems_find_dimension(const dtb__lems_doc *doc, const char *name)
{
    for (size_t i = 0; i < doc->n_dims; i++)
        if (dtb__streq(doc->dims[i].name, name))
            return &doc->dims[i];
    return NULL;
}

int dtb__lems_unit_lookup(const dtb__lems_doc *doc, const char *symbol, dtb__unit *out)
{
    const dtb__lems_unit *u = doc ? dtb__lems_find_unit(doc, symbol) : NULL;
    if (u) {
        out->symbol = u->symbol;
        out->dim = u->dim;
        out->scale = u->scale;
        out->offset = u->offset;
        return 1;
    }
    const dtb__unit *b = dtb__unit_builtin(symbol);
    if (b) {
        *out = *b;
        return 1;
    }
    return 0;
}

dtb_status dtb__lems_quantity_to_si(const dtb__lems_doc *doc, const char *text, dtb__dim dim,
                                    double bare_scale, double bare_offset,
                                    const char *what, double *si_out)
{
    double number;
    const char *unit_text;
    if (!text || !dtb__quantity_split(text, &number, &unit_text))
        return dtb__error(DTB_EPARSE, "%s: '%s' is not a number with an optional unit", what,
                          text ? text : "");
    char symbol[64];
    size_t n = 0;
    while (unit_text[n] && unit_text[n] != ' ' && unit_text[n] != '\t' && n + 1 < sizeof symbol) {
        symbol[n] = unit_text[n];
        n++;
    }
    symbol[n] = '\0';
    for (const char *p = unit_text + n; *p; p++)
        if (*p != ' ' && *p != '\t')
            return dtb__error(DTB_EPARSE, "%s: unexpected text after the unit in '%s'", what, text);
    if (!isfinite(number))
        return dtb__error(DTB_EINVAL, "%s: value '%s' is not finite", what, text);
    if (!symbol[0]) {
        if (bare_scale > 0) {
            *si_out = number * bare_scale + bare_offset;
            return DTB_OK;
        }
        if (!dtb__dim_is_none(dim)) {
            char dbuf[64];
            dtb__dim_format(dim, dbuf, sizeof dbuf);
            return dtb__error(DTB_EPARSE, "%s: '%s' needs a unit (dimension %s)", what, text, dbuf);
        }
        *si_out = number;
        return DTB_OK;
    }
    dtb__unit u;
    if (!dtb__lems_unit_lookup(doc, symbol, &u))
        return dtb__error(DTB_ENOTFOUND, "%s: unknown unit '%s' in '%s'", what, symbol, text);
    if (!dtb__dim_eq(u.dim, dim)) {
        char want[128], got[128];
        dtb__lems_dim_describe(doc, dim, want, sizeof want);
        dtb__lems_dim_describe(doc, u.dim, got, sizeof got);
        return dtb__error(DTB_EPARSE, "%s: unit '%s' has dimension %s, expected %s", what, symbol,
                          got, want);
    }
    *si_out = number * u.scale + u.offset;
    return DTB_OK;
}

static const dtb__lems_equation *time_derivative(const dtb__lems_equation *e, size_t n,
                                                 const char *state)
{
    long k = dtb__lems_find_equation(e, n, state);
    return k >= 0 ? &e[k] : NULL;
}

dtb__expr *dtb__lems_by_regime(const dtb__lems_comptype *t, const char *state,
                               const char *regime_input,
                               dtb__expr *(*of)(const dtb__lems_equation *td, void *ud), void *ud,
                               int *none)
{
    const dtb__lems_equation *base = time_derivative(t->time_derivs, t->n_time_derivs, state);
    int any = base != NULL;
    for (size_t r = 0; r < t->n_regimes; r++)
        any |= time_derivative(t->regimes[r].time_derivs, t->regimes[r].n_time_derivs, state) != NULL;
    *none = !any;
    if (!any)
        return NULL;
    if (!t->n_regimes)
        return of(base, ud);
    dtb__expr *chain = of(NULL, ud);
    for (size_t r = t->n_regimes; r-- > 0;) {
        const dtb__lems_equation *td =
            time_derivative(t->regimes[r].time_derivs, t->regimes[r].n_time_derivs, state);
        chain = dtb__expr_select(dtb__expr_binary(DTB__EX_EQ, dtb__expr_sym(regime_input),
                                                  dtb__expr_num((double)r)),
                                 of(td ? td : base, ud), chain);
    }
    return chain;
}

long dtb__lems_regime_index(const dtb__lems_comptype *t, const char *name)
{
    for (size_t r = 0; name && r < t->n_regimes; r++)
        if (strcmp(t->regimes[r].name, name) == 0)
            return (long)r;
    return -1;
}

dtb_status dtb__lems_each_handler(const dtb__lems_comptype *t,
                                  dtb_status (*fn)(const dtb__lems_handler *h, long regime, void *ud),
                                  void *ud)
{
    dtb_status st = DTB_OK;
    for (size_t h = 0; !st && h < t->n_handlers; h++)
        st = fn(&t->handlers[h], -1, ud);
    for (size_t r = 0; !st && r < t->n_regimes; r++)
        for (size_t h = 0; !st && h < t->regimes[r].n_handlers; h++)
            st = fn(&t->regimes[r].handlers[h], (long)r, ud);
    return st;
}
