/* libdtb — LEMS instances: creating the tree of a component (its nested
 * components, Structure ChildInstances and MultiInstantiates), parameter
 * and property values, references.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lr_private.h"

/* Deeper trees come from a component that (indirectly) instantiates itself. */
#define LR_MAX_DEPTH 64
/* A population of 10^8 cells is a typo, not a model that fits in memory. */
#define LR_MAX_INSTANCES 50000000

void dtb__lr_inst_path(const lr_inst *li, char *buf, size_t size)
{
    const lr_inst *chain[LR_MAX_DEPTH + 2];
    size_t n = 0;
    for (const lr_inst *p = li; p && n < sizeof chain / sizeof chain[0]; p = p->parent)
        chain[n++] = p;
    size_t used = 0;
    buf[0] = '\0';
    while (n-- > 0 && used < size) {
        int w = snprintf(buf + used, size - used, "%s%s", used ? "/" : "", chain[n]->name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

dtb_status dtb__lr_inst_error(const lr_inst *li, dtb_status code, const char *fmt, ...)
{
    char msg[1024], path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dtb__lr_inst_path(li, path, sizeof path);
    const dtb__lems_component *c = li->comp;
    return dtb__error(code, "%s:%d: <%s%s%s%s> (instance %s): %s", c->at.file ? c->at.file : "<memory>",
                      c->at.line, c->tag, c->id ? " id='" : "", c->id ? c->id : "", c->id ? "'" : "",
                      path, msg);
}

const char *dtb__lr_text(const lr_inst *li, const char *name)
{
    return dtb__lems_component_attr(li->comp, name);
}

dtb_status dtb__lr_add_kid(lr_inst *parent, lr_inst *kid)
{
    if (parent->n_kids == parent->cap_kids) {
        size_t cap = parent->cap_kids ? 2 * parent->cap_kids : 4;
        lr_inst **k = dtb__realloc_array(parent->kids, cap, sizeof *k);
        if (!k)
            return DTB_ENOMEM;
        parent->kids = k;
        parent->cap_kids = cap;
    }
    parent->kids[parent->n_kids++] = kid;
    return DTB_OK;
}

void dtb__lr_inst_free(lr_inst *li)
{
    if (!li)
        return;
    free(li->name);
    free(li->kids);
    free(li->params);
    free(li->props);
    free(li->peers);
    free(li->conns);
    free(li->recorders);
    free(li);
}

dtb_status dtb__lr_reference(const dtb__lr_sim *sim, const lr_inst *li, const char *ref,
                             const dtb__lems_component **out, const char **ref_name)
{
    const lr_inst *at = li;
    while (strncmp(ref, "../", 3) == 0) {
        ref += 3;
        at = at ? at->parent : NULL;
    }
    if (!at)
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "reference '%s' goes above the root", ref);
    if (dtb__lems_find_decl(at->type->comp_refs, at->type->n_comp_refs, ref) < 0)
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "'%s' is not a ComponentReference of '%s'", ref,
                                  at->type->name);
    const char *id = dtb__lr_text(at, ref);
    if (!id)
        return dtb__lr_inst_error(at, DTB_ENOTFOUND, "the ComponentReference '%s' is not set", ref);
    *out = dtb__lems_find_any_component(sim->doc, id);
    if (!*out)
        return dtb__lr_inst_error(at, DTB_ENOTFOUND, "%s='%s': no component with that id", ref, id);
    if (ref_name)
        *ref_name = ref;
    return DTB_OK;
}

static dtb_status set_values(dtb__lr_sim *sim, lr_inst *li)
{
    const dtb__lems_comptype *t = li->type;
    size_t np = t->n_params ? t->n_params : 1, nq = t->n_properties ? t->n_properties : 1;
    li->params = dtb__malloc_array(np, sizeof *li->params);
    li->props = dtb__calloc(nq, sizeof *li->props);
    li->peers = dtb__calloc(t->n_instance_reqs ? t->n_instance_reqs : 1, sizeof *li->peers);
    if (!li->params || !li->props || !li->peers)
        return DTB_ENOMEM;
    for (size_t k = 0; k < t->n_params; k++) {
        const dtb__lems_quantity *q = &t->params[k];
        const char *text = dtb__lr_text(li, q->name);
        for (size_t f = 0; f < t->n_fixed; f++)
            if (strcmp(t->fixed[f].name, q->name) == 0)
                text = t->fixed[f].value;
        li->params[k] = NAN;
        /* jLEMS ("no value supplied for parameter") and pylems ("Parameter
         * ... not initialized") refuse it too */
        if (!text)
            return dtb__lr_inst_error(li, DTB_EINVAL, "Parameter '%s' of ComponentType '%s' has no value",
                                      q->name, t->name);
        dtb_status st = q->any_dimension
                            ? dtb__lems_any_quantity_to_si(sim->doc, text, q->name, &li->params[k])
                            : dtb__lems_quantity_to_si(sim->doc, text, q->dim, 0, 0, q->name,
                                                       &li->params[k]);
        if (st)
            return dtb__lr_inst_error(li, st, "%s", dtb_last_error_message());
    }
    for (size_t k = 0; k < t->n_properties; k++) {
        const dtb__lems_quantity *q = &t->properties[k];
        const char *text = dtb__lr_text(li, q->name);
        li->props[k] = q->default_si;
        if (text) {
            dtb_status st = dtb__lems_quantity_to_si(sim->doc, text, q->dim, 0, 0, q->name, &li->props[k]);
            if (st)
                return dtb__lr_inst_error(li, st, "%s", dtb_last_error_message());
        }
    }
    return DTB_OK;
}

static dtb_status register_instance(dtb__lr_sim *sim, lr_inst *li)
{
    if (sim->n_all >= LR_MAX_INSTANCES)
        return dtb__lr_inst_error(li, DTB_EINVAL, "more than %d instances", LR_MAX_INSTANCES);
    if (sim->n_all == sim->cap_all) {
        size_t cap = sim->cap_all ? 2 * sim->cap_all : 64;
        lr_inst **a = dtb__realloc_array(sim->all, cap, sizeof *a);
        if (!a)
            return DTB_ENOMEM;
        sim->all = a;
        sim->cap_all = cap;
    }
    sim->all[sim->n_all++] = li;
    return DTB_OK;
}

static dtb_status structure_children(dtb__lr_sim *sim, lr_inst *li)
{
    const dtb__lems_comptype *t = li->type;
    for (size_t s = 0; s < t->n_structure; s++) {
        const dtb__lems_elem *e = &t->structure[s];
        int child = strcmp(e->kind, "ChildInstance") == 0;
        int multi = strcmp(e->kind, "MultiInstantiate") == 0;
        if (!child && !multi)
            continue;     /* connections come once the tree exists */
        const char *ref = NULL, *number = NULL;
        for (size_t a = 0; a < e->n_attrs; a++) {
            if (strcmp(e->attrs[a].name, "component") == 0)
                ref = e->attrs[a].value;
            else if (strcmp(e->attrs[a].name, "number") == 0)
                number = e->attrs[a].value;
        }
        const dtb__lems_component *c;
        const char *ref_name;
        dtb_status st = dtb__lr_reference(sim, li, ref, &c, &ref_name);
        if (st)
            return st;
        if (child) {
            lr_inst *kid;
            st = dtb__lr_instantiate(sim, c, li, c->id ? c->id : ref_name, NULL, &kid);
            if (st)
                return st;
            kid->ref_name = ref_name;
            continue;
        }
        long k = dtb__lems_find_quantity(t->params, t->n_params, number);
        double n = k >= 0 ? li->params[k] : NAN;
        if (!(n >= 0) || n != floor(n) || n > LR_MAX_INSTANCES)
            return dtb__lr_inst_error(li, DTB_EINVAL, "MultiInstantiate number '%s' = %g is not a "
                                                      "count", number, n);
        for (long i = 0; i < (long)n; i++) {
            char name[32];
            snprintf(name, sizeof name, "%ld", i);
            lr_inst *kid;
            st = dtb__lr_instantiate(sim, c, li, name, NULL, &kid);
            if (st)
                return st;
            kid->index = i;
        }
    }
    return DTB_OK;
}

dtb_status dtb__lr_instantiate(dtb__lr_sim *sim, const dtb__lems_component *c, lr_inst *parent,
                               const char *name, const char *slot, lr_inst **out)
{
    *out = NULL;
    const dtb__lems_comptype *t = dtb__lems_resolved_type(sim->doc, c->type);
    lr_inst *li = dtb__calloc(1, sizeof *li);
    if (!li)
        return DTB_ENOMEM;
    li->type = t;
    li->comp = c;
    li->slot = slot;
    li->index = -1;
    li->parent = parent;
    li->depth = parent ? parent->depth + 1 : 0;
    li->name = dtb__strdup(name ? name : c->id ? c->id : c->tag);
    dtb_status st = li->name ? register_instance(sim, li) : DTB_ENOMEM;
    if (st) {
        dtb__lr_inst_free(li);
        return st;
    }
    /* From here li belongs to sim->all, which frees it on any failure. */
    if (parent && (st = dtb__lr_add_kid(parent, li)))
        return st;
    if (li->depth > LR_MAX_DEPTH)
        return dtb__lr_inst_error(li, DTB_EINVAL, "instances nested more than %d deep (does a "
                                                  "component contain itself?)", LR_MAX_DEPTH);
    if (!t)
        return dtb__lr_inst_error(li, DTB_ENOTFOUND, "unknown ComponentType '%s'", c->type);
    if (t->unsupported)
        return dtb__lr_inst_error(li, DTB_EUNSUPPORTED, "ComponentType '%s' uses <%s> (%s:%d), which "
                                                        "libdtb does not support",
                                  t->name, t->unsupported, t->unsupported_at.file,
                                  t->unsupported_at.line);
    if (t->defect)
        return dtb__lr_inst_error(li, t->defect_code, "ComponentType '%s' cannot run: %s", t->name,
                                  t->defect);
    if ((st = set_values(sim, li)))
        return st;
    for (size_t i = 0; i < c->n_children; i++) {
        const dtb__lems_component *k = &c->children[i];
        int many;
        const dtb__lems_decl *d = dtb__lems_child_slot(sim->doc, t, k, &many);
        lr_inst *kid;
        if (!d)
            return dtb__lr_inst_error(li, DTB_EPARSE, "no Child or Children of '%s' holds a <%s>",
                                      t->name, k->tag);
        st = dtb__lr_instantiate(sim, k, li, k->id ? k->id : k->tag, d->name, &kid);
        if (st)
            return st;
    }
    if ((st = structure_children(sim, li)))
        return st;
    *out = li;
    return DTB_OK;
}
