/* libdtb — ComponentType inheritance (extends).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each type gets a resolved copy (doc->resolved[i]) whose declarations are
 * those of its supertypes followed by its own; a declaration of the same
 * name in the subtype replaces the inherited one (iafRefCell re-declares
 * Attachments 'synapses'). Dynamics, Structure and Simulation blocks are
 * inherited whole and replaced whole, as jLEMS does: a type without its
 * own Dynamics runs its supertype's (ionChannelVShift), a type with its own
 * runs only those (iafRefCell does not also run iafCell's). Chains are
 * followed iteratively, so a long or cyclic chain cannot exhaust the
 * stack; a cycle is an error naming the types on it. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

/* Copy the inherited elements, then the own ones, replacing inherited
 * elements of the same name. Elements are structs whose first member is
 * their name; copies are shallow. */
static dtb_status merge(void *out_ptr, size_t *n_out, const void *inherited, size_t n_inherited,
                        const void *own, size_t n_own, size_t size)
{
    void **out = out_ptr;
    *out = NULL;
    *n_out = 0;
    if (!n_inherited && !n_own)
        return DTB_OK;
    char *arr = dtb__malloc_array(n_inherited + n_own, size);
    if (!arr)
        return DTB_ENOMEM;
    if (n_inherited)
        memcpy(arr, inherited, n_inherited * size);
    size_t n = n_inherited;
    for (size_t i = 0; i < n_own; i++) {
        const char *elem = (const char *)own + i * size;
        const char *name = *(const char *const *)elem;
        /* own names are unique already (checked as they were read): only
         * an inherited one can be overridden, so only those are searched */
        size_t k = 0;
        while (k < n_inherited && !dtb__streq(*(const char *const *)(arr + k * size), name))
            k++;
        if (k == n_inherited)
            k = n;
        memcpy(arr + k * size, elem, size);
        if (k == n)
            n++;
    }
    *out = arr;
    *n_out = n;
    return DTB_OK;
}

#define MERGE(field, count)                                                                     \
    do {                                                                                        \
        if (!st)                                                                                \
            st = merge(&r->field, &r->count, sup ? sup->field : NULL, sup ? sup->count : 0,     \
                       t->field, t->count, sizeof *t->field);                                   \
    } while (0)

/* Property defaults are quantities: converted once the units are known. */
static dtb_status convert_property_defaults(const dtb__lems_doc *doc, dtb__lems_comptype *t)
{
    for (size_t i = 0; i < t->n_properties; i++) {
        dtb__lems_quantity *q = &t->properties[i];
        if (!q->default_text)
            continue;
        char what[256];
        snprintf(what, sizeof what, "%s:%d: <Property name='%s'> defaultValue", q->at.file,
                 q->at.line, q->name);
        dtb_status st = dtb__lems_quantity_to_si(doc, q->default_text, q->dim, 0, 0, what,
                                                 &q->default_si);
        if (st)
            return st;
    }
    return DTB_OK;
}

static dtb_status resolve_one(dtb__lems_doc *doc, size_t i, const dtb__lems_comptype *sup)
{
    dtb__lems_comptype *t = &doc->types[i];
    dtb__lems_comptype *r = &doc->resolved[i];
    dtb_status st = convert_property_defaults(doc, t);
    r->borrowed = 1;
    r->decl = t;
    r->super = sup;
    r->name = t->name;
    r->extends = t->extends;
    r->description = t->description ? t->description : sup ? sup->description : NULL;
    r->at = t->at;
    MERGE(params, n_params);
    MERGE(constants, n_constants);
    MERGE(derived_params, n_derived_params);
    MERGE(exposures, n_exposures);
    MERGE(requirements, n_requirements);
    MERGE(properties, n_properties);
    MERGE(fixed, n_fixed);
    MERGE(texts, n_texts);
    MERGE(paths, n_paths);
    MERGE(child, n_child);
    MERGE(children, n_children);
    MERGE(attachments, n_attachments);
    MERGE(comp_refs, n_comp_refs);
    MERGE(links, n_links);
    MERGE(instance_reqs, n_instance_reqs);
    MERGE(comp_reqs, n_comp_reqs);
    MERGE(index_params, n_index_params);
    MERGE(event_ports, n_event_ports);
    if (st)
        return st;
    const dtb__lems_comptype *dyn = t->has_dynamics ? t : sup ? sup->dynamics_from : NULL;
    r->dynamics_from = dyn;
    if (dyn) {
        r->has_dynamics = 1;
        r->state_vars = dyn->state_vars;
        r->n_state_vars = dyn->n_state_vars;
        r->time_derivs = dyn->time_derivs;
        r->n_time_derivs = dyn->n_time_derivs;
        r->derived_vars = dyn->derived_vars;
        r->n_derived_vars = dyn->n_derived_vars;
        r->handlers = dyn->handlers;
        r->n_handlers = dyn->n_handlers;
        r->regimes = dyn->regimes;
        r->n_regimes = dyn->n_regimes;
        r->kschemes = dyn->kschemes;
        r->n_kschemes = dyn->n_kschemes;
    }
    const dtb__lems_comptype *structure = t->has_structure ? t : sup && sup->has_structure ? sup : NULL;
    if (structure) {
        r->has_structure = 1;
        r->structure = structure->structure;
        r->n_structure = structure->n_structure;
    }
    const dtb__lems_comptype *simulation = t->has_simulation ? t : sup && sup->has_simulation ? sup : NULL;
    if (simulation) {
        r->has_simulation = 1;
        r->simulation = simulation->simulation;
        r->n_simulation = simulation->n_simulation;
    }
    /* Super lives in the Dynamics; Collection etc. on the type. */
    const dtb__lems_comptype *u = t->unsupported ? t : dyn && dyn->unsupported ? dyn
                              : sup && sup->unsupported ? sup : NULL;
    if (u) {
        r->unsupported = u->unsupported;
        r->unsupported_at = u->unsupported_at;
    }
    return DTB_OK;
}

static long type_index(const dtb__lems_doc *doc, const char *name)
{
    for (size_t i = 0; i < doc->n_types; i++)
        if (dtb__streq(doc->types[i].name, name))
            return (long)i;
    return -1;
}

static dtb_status cycle_error(const dtb__lems_doc *doc, const size_t *chain, size_t n, size_t from)
{
    dtb__strbuf b = {0};
    for (size_t k = from; k < n; k++)
        dtb__strbuf_printf(&b, "'%s' -> ", doc->types[chain[k]].name);
    dtb__strbuf_printf(&b, "'%s'", doc->types[chain[from]].name);
    const dtb__lems_comptype *t = &doc->types[chain[from]];
    dtb_status st = dtb__error(DTB_EPARSE, "%s:%d: <ComponentType name='%s'>: cyclic 'extends': %s",
                               t->at.file, t->at.line, t->name, b.data ? b.data : "");
    dtb__strbuf_free(&b);
    return st;
}

dtb_status dtb__lems_resolve_types(dtb__lems_doc *doc)
{
    size_t n = doc->n_types;
    if (!n)
        return DTB_OK;
    doc->resolved = dtb__calloc(n, sizeof *doc->resolved);
    unsigned char *state = dtb__calloc(n, 1);   /* 0 new, 1 on the current chain, 2 resolved */
    size_t *chain = dtb__malloc_array(n, sizeof *chain);
    dtb_status st = doc->resolved && state && chain ? DTB_OK : DTB_ENOMEM;
    for (size_t i = 0; !st && i < n; i++) {
        /* Walk up to a resolved type or a root, then resolve downwards. */
        size_t depth = 0;
        long k = (long)i;
        while (!st && k >= 0 && state[k] != 2) {
            if (state[k] == 1) {
                size_t from = 0;
                while (chain[from] != (size_t)k)
                    from++;
                st = cycle_error(doc, chain, depth, from);
                break;
            }
            state[k] = 1;
            chain[depth++] = (size_t)k;
            const dtb__lems_comptype *t = &doc->types[k];
            if (!t->extends)
                break;
            long s = type_index(doc, t->extends);
            if (s < 0)
                st = dtb__error(DTB_ENOTFOUND, "%s:%d: <ComponentType name='%s'>: extends unknown "
                                               "ComponentType '%s'",
                                t->at.file, t->at.line, t->name, t->extends);
            k = s;
        }
        while (!st && depth > 0) {
            size_t j = chain[--depth];
            const dtb__lems_comptype *t = &doc->types[j];
            const dtb__lems_comptype *sup = t->extends ? &doc->resolved[type_index(doc, t->extends)] : NULL;
            st = resolve_one(doc, j, sup);
            state[j] = 2;
        }
    }
    free(state);
    free(chain);
    return st;
}
