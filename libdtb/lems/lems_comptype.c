/* libdtb — reading a ComponentType's declarations (everything outside its
 * Dynamics, Structure and Simulation blocks).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stddef.h>
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

static dtb__lems_where where(const char *file, xmlNodePtr node) { return dtb__lems_where_of(file, node); }

/* Names must be unique within one kind of declaration of one type; clashes
 * between kinds are found when the type is checked. */
dtb_status dtb__lems_check_new_name(const char *file, xmlNodePtr node, const char *name,
                                    const void *arr, size_t stride, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *other = *(const char *const *)((const char *)arr + i * stride);
        if (other && strcmp(other, name) == 0)
            return dtb__lems_error_at(DTB_EPARSE, file, node, "'%s' is declared twice", name);
    }
    return DTB_OK;
}
/* The declaration structs all start with their name. */
#define check_new_name(file, node, new_name, arr, n) \
    dtb__lems_check_new_name((file), (node), (new_name), (arr), sizeof *(arr), (n))

/* Parameter, Exposure, Requirement, StateVariable, Property. */
dtb_status dtb__lems_read_quantity(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                   dtb__lems_quantity **arr, size_t *n)
{
    int oom = 0;
    dtb__lems_quantity q = {0};
    q.name = dtb__lems_get_attr(node, "name", &oom);
    q.dimension = dtb__lems_get_attr(node, "dimension", &oom);
    q.unit = dtb__lems_get_attr(node, "unit", &oom);
    q.exposure = dtb__lems_get_attr(node, "exposure", &oom);
    q.description = dtb__lems_get_attr(node, "description", &oom);
    q.default_text = dtb__lems_get_attr(node, "defaultValue", &oom);
    q.at = where(file, node);
    dtb_status st = DTB_OK;
    if (oom)
        st = DTB_ENOMEM;
    else if (!q.name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'name'");
    if (!st && q.dimension && strcmp(q.dimension, "*") == 0)
        q.any_dimension = 1;   /* Line@scale: a unit of any dimension */
    else if (!st)
        st = dtb__lems_resolve_dimension(r->doc, q.dimension, file, node, &q.dim);
    if (!st)
        st = check_new_name(file, node, q.name, *arr, *n);
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
    if (!st)
        st = check_new_name(file, node, name, t->constants, t->n_constants);
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

/* Child, Children, Attachments, ComponentReference, Link,
 * InstanceRequirement: name and type. Text, Path, IndexParameter,
 * ComponentRequirement: a name. EventPort: name and direction. */
typedef enum decl_shape { NAME_ONLY, NAME_TYPE, PORT, REFERENCE } decl_shape;

static dtb_status read_decl(const char *file, xmlNodePtr node, decl_shape shape,
                            dtb__lems_decl **arr, size_t *n)
{
    int oom = 0;
    dtb__lems_decl d = {0};
    d.name = dtb__lems_get_attr(node, "name", &oom);
    if (shape == NAME_TYPE || shape == REFERENCE)
        d.type = dtb__lems_get_attr(node, "type", &oom);
    char *flag = NULL;
    if (shape == PORT)
        flag = dtb__lems_get_attr(node, "direction", &oom);
    else if (shape == REFERENCE)
        flag = dtb__lems_get_attr(node, "local", &oom);
    d.at = where(file, node);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !d.name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'name'");
    if (!st && (shape == NAME_TYPE || shape == REFERENCE) && !d.type)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'type'");
    if (!st && shape == PORT) {
        if (!flag || (strcmp(flag, "in") != 0 && strcmp(flag, "out") != 0))
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "direction must be 'in' or 'out'");
        else
            d.flag = strcmp(flag, "in") == 0;
    }
    if (!st && shape == REFERENCE && flag)
        d.flag = strcmp(flag, "true") == 0;
    free(flag);
    if (!st)
        st = check_new_name(file, node, d.name, *arr, *n);
    dtb__lems_decl *slot = st ? NULL : dtb__lems_push(arr, n, sizeof *slot);
    if (!slot) {
        dtb__lems_decl_free(&d);
        return st ? st : DTB_ENOMEM;
    }
    *slot = d;
    return DTB_OK;
}

/* <Fixed parameter="p" value="-45mV"/>: the value is converted once the
 * parameter's dimension is known (when the type is resolved). */
static dtb_status read_fixed(const char *file, xmlNodePtr node, dtb__lems_comptype *t)
{
    int oom = 0;
    char *p = dtb__lems_get_attr(node, "parameter", &oom);
    char *v = dtb__lems_get_attr(node, "value", &oom);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && (!p || !v))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'parameter' and 'value'");
    dtb__lems_attr *slot = st ? NULL : dtb__lems_push(&t->fixed, &t->n_fixed, sizeof *slot);
    if (!slot) {
        free(p);
        free(v);
        return st ? st : DTB_ENOMEM;
    }
    slot->name = p;
    slot->value = v;
    return DTB_OK;
}

static dtb_status note_unsupported(dtb__lems_comptype *t, const char *file, xmlNodePtr node)
{
    if (t->unsupported)
        return DTB_OK;
    t->unsupported = dtb__strdup((const char *)node->name);
    t->unsupported_at = where(file, node);
    return t->unsupported ? DTB_OK : DTB_ENOMEM;
}

static dtb_status read_block_once(const char *file, xmlNodePtr node, int simulation, int *has,
                                  dtb__lems_elem **elems, size_t *n)
{
    if (*has)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "a ComponentType has one <%s>",
                                  (const char *)node->name);
    *has = 1;
    return dtb__lems_read_block(file, node, simulation, elems, n);
}

static dtb_status read_comptype_body(dtb__lems_reader *r, const char *file, xmlNodePtr node,
                                     dtb__lems_comptype *t)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        dtb_status st;
        if (dtb__lems_is(c, "Parameter"))
            st = dtb__lems_read_quantity(r, file, c, &t->params, &t->n_params);
        else if (dtb__lems_is(c, "Property"))
            st = dtb__lems_read_quantity(r, file, c, &t->properties, &t->n_properties);
        else if (dtb__lems_is(c, "Constant"))
            st = read_constant(r, file, c, t);
        else if (dtb__lems_is(c, "DerivedParameter"))
            st = dtb__lems_read_equation(r, file, c, "name", &t->derived_params, &t->n_derived_params);
        else if (dtb__lems_is(c, "Exposure"))
            st = dtb__lems_read_quantity(r, file, c, &t->exposures, &t->n_exposures);
        else if (dtb__lems_is(c, "Requirement"))
            st = dtb__lems_read_quantity(r, file, c, &t->requirements, &t->n_requirements);
        else if (dtb__lems_is(c, "Fixed"))
            st = read_fixed(file, c, t);
        else if (dtb__lems_is(c, "Text"))
            st = read_decl(file, c, NAME_ONLY, &t->texts, &t->n_texts);
        else if (dtb__lems_is(c, "Path"))
            st = read_decl(file, c, NAME_ONLY, &t->paths, &t->n_paths);
        else if (dtb__lems_is(c, "IndexParameter"))
            st = read_decl(file, c, NAME_ONLY, &t->index_params, &t->n_index_params);
        else if (dtb__lems_is(c, "ComponentRequirement"))
            st = read_decl(file, c, NAME_ONLY, &t->comp_reqs, &t->n_comp_reqs);
        else if (dtb__lems_is(c, "Child"))
            st = read_decl(file, c, NAME_TYPE, &t->child, &t->n_child);
        else if (dtb__lems_is(c, "Children"))
            st = read_decl(file, c, NAME_TYPE, &t->children, &t->n_children);
        else if (dtb__lems_is(c, "Attachments"))
            st = read_decl(file, c, NAME_TYPE, &t->attachments, &t->n_attachments);
        else if (dtb__lems_is(c, "ComponentReference"))
            st = read_decl(file, c, REFERENCE, &t->comp_refs, &t->n_comp_refs);
        else if (dtb__lems_is(c, "Link"))
            st = read_decl(file, c, NAME_TYPE, &t->links, &t->n_links);
        else if (dtb__lems_is(c, "InstanceRequirement"))
            st = read_decl(file, c, NAME_TYPE, &t->instance_reqs, &t->n_instance_reqs);
        else if (dtb__lems_is(c, "EventPort"))
            st = read_decl(file, c, PORT, &t->event_ports, &t->n_event_ports);
        else if (dtb__lems_is(c, "Dynamics"))
            st = dtb__lems_read_dynamics(r, file, c, t);
        else if (dtb__lems_is(c, "Structure"))
            st = read_block_once(file, c, 0, &t->has_structure, &t->structure, &t->n_structure);
        else if (dtb__lems_is(c, "Simulation"))
            st = read_block_once(file, c, 1, &t->has_simulation, &t->simulation, &t->n_simulation);
        else if (dtb__lems_is(c, "notes") || dtb__lems_is(c, "About") || dtb__lems_is(c, "Meta"))
            st = DTB_OK;
        else if (dtb__lems_is(c, "Collection") || dtb__lems_is(c, "PairCollection") ||
                 dtb__lems_is(c, "Behavior"))
            st = note_unsupported(t, file, c);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in ComponentType '%s'",
                                    t->name);
        if (st)
            return st;
    }
    return dtb__lems_check_unique(t->derived_params, t->n_derived_params);
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
