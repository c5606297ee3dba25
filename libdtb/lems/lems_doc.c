/* libdtb — LEMS document IR: lookups, unit conversion, freeing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
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
}

void dtb__lems_equation_free(dtb__lems_equation *e)
{
    free(e->name);
    free(e->exposure);
    free(e->text);
    dtb__expr_free(e->value);
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

static void free_comptype(dtb__lems_comptype *t)
{
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
    free_quantities(t->state_vars, t->n_state_vars);
    free_equations(t->time_derivs, t->n_time_derivs);
    free_equations(t->derived_vars, t->n_derived_vars);
    free(t->unsupported);
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
    for (size_t i = 0; i < doc->n_types; i++)
        free_comptype(&doc->types[i]);
    free(doc->types);
    for (size_t i = 0; i < doc->n_components; i++) {
        dtb__lems_component *c = &doc->components[i];
        free(c->id);
        free(c->type);
        for (size_t k = 0; k < c->n_attrs; k++) {
            free(c->attrs[k].name);
            free(c->attrs[k].value);
        }
        free(c->attrs);
    }
    free(doc->components);
    for (size_t i = 0; i < doc->n_region_models; i++) {
        dtb__lems_region_model *m = &doc->region_models[i];
        free(m->name);
        free(m->type);
        free(m->defaults);
        free(m->description);
        free(m->reference);
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
    }
    free(doc->region_models);
    memset(doc, 0, sizeof *doc);
}

const dtb__lems_comptype *dtb__lems_find_type(const dtb__lems_doc *doc, const char *name)
{
    for (size_t i = 0; i < doc->n_types; i++)
        if (dtb__streq(doc->types[i].name, name))
            return &doc->types[i];
    return NULL;
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
        char want[64], got[64];
        dtb__dim_format(dim, want, sizeof want);
        dtb__dim_format(u.dim, got, sizeof got);
        return dtb__error(DTB_EPARSE, "%s: unit '%s' has dimension %s, expected %s", what, symbol,
                          got, want);
    }
    *si_out = number * u.scale + u.offset;
    return DTB_OK;
}
