/* libdtb — checking Component instances against their types: every
 * attribute is something the type declares and has a valid value (units
 * of the right dimension, references to existing components), every nested
 * element fits a Child or Children of the type, no component uses a type
 * libdtb cannot run, and no component of the loaded file uses a type of
 * that file with a defect (lems_check.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

static dtb_status at_component(dtb_status st, const dtb__lems_component *c)
{
    return dtb__error_context(st, "%s:%d: <%s%s%s%s>", c->at.file ? c->at.file : "<memory>",
                              c->at.line, c->tag, c->id ? " id='" : "", c->id ? c->id : "",
                              c->id ? "'" : "");
}

const dtb__lems_decl *dtb__lems_child_slot(const dtb__lems_doc *doc, const dtb__lems_comptype *parent,
                                           const dtb__lems_component *child, int *many)
{
    const dtb__lems_comptype *ct = dtb__lems_resolved_type(doc, child->type);
    long k = dtb__lems_find_decl(parent->child, parent->n_child, child->tag);
    if (k >= 0 && dtb__lems_type_is(ct, parent->child[k].type)) {
        *many = 0;
        return &parent->child[k];
    }
    k = dtb__lems_find_decl(parent->children, parent->n_children, child->tag);
    if (k >= 0 && dtb__lems_type_is(ct, parent->children[k].type)) {
        *many = 1;
        return &parent->children[k];
    }
    /* By type: the first Children, then the first Child, that accepts it. */
    for (size_t i = 0; i < parent->n_children; i++)
        if (dtb__lems_type_is(ct, parent->children[i].type)) {
            *many = 1;
            return &parent->children[i];
        }
    for (size_t i = 0; i < parent->n_child; i++)
        if (dtb__lems_type_is(ct, parent->child[i].type)) {
            *many = 0;
            return &parent->child[i];
        }
    return NULL;
}

dtb_status dtb__lems_any_quantity_to_si(const dtb__lems_doc *doc, const char *text, const char *what,
                                        double *si_out)
{
    double number;
    const char *unit_text;
    if (!text || !dtb__quantity_split(text, &number, &unit_text))
        return dtb__error(DTB_EPARSE, "%s: '%s' is not a number with an optional unit", what,
                          text ? text : "");
    dtb__unit u;
    if (!*unit_text) {
        *si_out = number;
        return DTB_OK;
    }
    if (!dtb__lems_unit_lookup(doc, unit_text, &u))
        return dtb__error(DTB_ENOTFOUND, "%s: unknown unit '%s' in '%s'", what, unit_text, text);
    *si_out = number * u.scale + u.offset;
    return DTB_OK;
}

/* The referenced component must exist. Its type is not checked against
 * the reference's: NeuroML files reference across the two families of
 * types (a pulseGeneratorDL where basePointCurrent is declared), which
 * jLEMS accepts. */
static dtb_status check_reference(const dtb__lems_doc *doc, const dtb__lems_decl *d, const char *value)
{
    if (!dtb__lems_find_any_component(doc, value))
        return dtb__error(DTB_ENOTFOUND, "%s='%s': no component with id '%s'", d->name, value, value);
    return DTB_OK;
}

/* One attribute of a component of type t; *unused set when t declares
 * nothing of that name. */
static dtb_status check_attr(const dtb__lems_doc *doc, const dtb__lems_comptype *t,
                             const dtb__lems_attr *a, int *unused)
{
    *unused = 0;
    long k;
    char what[256];
    snprintf(what, sizeof what, "%s", a->name);
    double si;
    if ((k = dtb__lems_find_quantity(t->params, t->n_params, a->name)) >= 0) {
        if (t->params[k].any_dimension)
            return dtb__lems_any_quantity_to_si(doc, a->value, what, &si);
        return dtb__lems_quantity_to_si(doc, a->value, t->params[k].dim, 0, 0, what, &si);
    }
    if ((k = dtb__lems_find_quantity(t->properties, t->n_properties, a->name)) >= 0)
        return dtb__lems_quantity_to_si(doc, a->value, t->properties[k].dim, 0, 0, what, &si);
    if ((k = dtb__lems_find_decl(t->comp_refs, t->n_comp_refs, a->name)) >= 0)
        return check_reference(doc, &t->comp_refs[k], a->value);
    if ((k = dtb__lems_find_decl(t->index_params, t->n_index_params, a->name)) >= 0) {
        int64_t v;
        if (!dtb__parse_int64(a->value, &v) || v < 0)
            return dtb__error(DTB_EPARSE, "%s='%s' is not an index (an integer >= 0)", a->name, a->value);
        return DTB_OK;
    }
    if (dtb__lems_find_decl(t->texts, t->n_texts, a->name) >= 0 ||
        dtb__lems_find_decl(t->paths, t->n_paths, a->name) >= 0 ||
        dtb__lems_find_decl(t->links, t->n_links, a->name) >= 0)
        return DTB_OK;
    for (size_t i = 0; i < t->n_fixed; i++)
        if (strcmp(t->fixed[i].name, a->name) == 0)
            return dtb__error(DTB_EPARSE, "'%s' is fixed by ComponentType '%s' and cannot be set",
                              a->name, t->name);
    *unused = 1;
    return DTB_OK;
}

static dtb_status check_component(dtb__lems_doc *doc, const dtb__lems_component *c, int depth)
{
    if (depth > 256)
        return at_component(dtb__error(DTB_EPARSE, "components nested too deeply"), c);
    const dtb__lems_comptype *t = dtb__lems_resolved_type(doc, c->type);
    if (t->unsupported)
        return at_component(dtb__error(DTB_EUNSUPPORTED,
                                       "ComponentType '%s' uses <%s> (%s:%d), which libdtb does not "
                                       "support",
                                       t->name, t->unsupported, t->unsupported_at.file,
                                       t->unsupported_at.line),
                            c);
    if (t->defect && c->at.file == doc->files[0] && t->at.file == doc->files[0])
        return at_component(dtb__error(t->defect_code, "ComponentType '%s' cannot be used: %s",
                                       t->name, t->defect),
                            c);
    /* Region-model components give numbers in native units: the model
     * builder reads them. */
    int native_units = dtb__lems_is_region_type(doc, t->name);
    for (size_t i = 0; i < c->n_attrs && !native_units; i++) {
        int unused;
        dtb_status st = check_attr(doc, t, &c->attrs[i], &unused);
        if (st)
            return at_component(st, c);
        /* jLEMS warns ("Unused attribute") and runs, pylems ignores it */
        if (unused &&
            (st = dtb__lems_warn(doc, t, dtb__asprintf("%s:%d: <%s%s%s%s>: '%s' is not a Parameter, Property, "
                                                       "Text, Path, Link or ComponentReference of "
                                                       "ComponentType '%s': ignored (a misspelt name?)",
                                                       c->at.file ? c->at.file : "<memory>", c->at.line, c->tag,
                                                       c->id ? " id='" : "", c->id ? c->id : "",
                                                       c->id ? "'" : "", c->attrs[i].name, t->name))))
            return st;
    }
    for (size_t i = 0; i < c->n_children; i++) {
        const dtb__lems_component *k = &c->children[i];
        int many;
        const dtb__lems_decl *slot = dtb__lems_child_slot(doc, t, k, &many);
        if (!slot)
            return at_component(dtb__error(DTB_EPARSE, "a '%s' cannot hold a <%s> of type '%s' (no "
                                                       "Child or Children accepts it)",
                                           t->name, k->tag, k->type),
                                k);
        for (size_t j = 0; j < i && !many; j++) {
            int many2;
            if (dtb__lems_child_slot(doc, t, &c->children[j], &many2) == slot)
                return at_component(dtb__error(DTB_EPARSE, "second '%s': the Child '%s' of '%s' "
                                                           "holds one component",
                                               k->tag, slot->name, t->name),
                                    k);
        }
        dtb_status st = check_component(doc, k, depth + 1);
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lems_check_components(dtb__lems_doc *doc)
{
    for (size_t i = 0; i < doc->n_components; i++) {
        dtb_status st = check_component(doc, &doc->components[i], 0);
        if (st)
            return st;
    }
    return DTB_OK;
}
