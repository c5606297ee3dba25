/* libdtb — reading libdtb's <RegionModel> element (dtb-model(5)).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

static dtb_status read_bound(const char *file, xmlNodePtr node, dtb__lems_bound **arr, size_t *n)
{
    int oom = 0;
    dtb__lems_bound b = {0};
    b.variable = dtb__lems_get_attr(node, "variable", &oom);
    b.at = dtb__lems_where_of(file, node);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !b.variable)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'variable'");
    if (!st)
        st = dtb__lems_number_attr(node, file, "min", -INFINITY, 0, &b.lo);
    if (!st)
        st = dtb__lems_number_attr(node, file, "max", INFINITY, 0, &b.hi);
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
    c.at = dtb__lems_where_of(file, node);
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

/* <DefaultCoupling kind="K" P="V" .../>: every attribute but kind is a
 * parameter of coupling K (checked against K's parameters when the model
 * is built, model_build.c). */
static dtb_status read_default_coupling(const char *file, xmlNodePtr node, dtb__lems_region_model *m)
{
    dtb__lems_default_coupling *dc = &m->default_coupling;
    if (dc->kind)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "a RegionModel states one DefaultCoupling "
                                                          "(the first is on line %d)", dc->at.line);
    int oom = 0;
    dc->kind = dtb__lems_get_attr(node, "kind", &oom);
    dc->at = dtb__lems_where_of(file, node);
    if (!dc->kind)
        return oom ? DTB_ENOMEM : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'kind'");
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
        const char *name = (const char *)a->name;
        if (strcmp(name, "kind") == 0)
            continue;
        char **names = dtb__realloc_array(dc->names, dc->n + 1, sizeof *names);
        if (names)
            dc->names = names;
        double *values = names ? dtb__realloc_array(dc->values, dc->n + 1, sizeof *values) : NULL;
        if (values)
            dc->values = values;
        char *copy = values ? dtb__strdup(name) : NULL;
        if (!copy)
            return DTB_ENOMEM;
        dc->names[dc->n++] = copy;
        dtb_status st = dtb__lems_number_attr(node, file, name, 0.0, 0, &dc->values[dc->n - 1]);
        if (!st && !isfinite(dc->values[dc->n - 1]))
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "%s must be finite", name);
        if (st)
            return st;
    }
    return DTB_OK;
}

dtb_status dtb__lems_read_region_model(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    dtb__lems_region_model *m =
        dtb__lems_push(&r->doc->region_models, &r->doc->n_region_models, sizeof *m);
    if (!m)
        return DTB_ENOMEM;
    dtb_status st = dtb__lems_read_head(file, node, &m->head, r->doc->region_models,
                                        r->doc->n_region_models - 1, sizeof *m);
    int oom = 0;
    char *time_scale = st ? NULL : dtb__lems_get_attr(node, "timeScale", &oom);
    if (!st && oom)
        st = DTB_ENOMEM;
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
        else if (dtb__lems_is(c, "DefaultCoupling"))
            st = read_default_coupling(file, c, m);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, c, "unknown element in <RegionModel> "
                                                         "(expected Coupling, Observe, StateBounds, "
                                                         "StateRange or DefaultCoupling)");
    }
    return st;
}
