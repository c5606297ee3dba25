/* libdtb — a region model from a plain LEMS ComponentType or Component
 * (no <RegionModel> element): `dtb run --model FILE.xml#NAME`.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rule (dtb-model(5), "Region models without RegionModel"): the type's
 * Requirements are its coupling inputs and its Exposures its outputs,
 * paired in declaration order (inherited ones first): the i-th Requirement
 * receives the network coupling of the state variable behind the i-th
 * Exposure. Both must have the same dimension. Parameters take their
 * values from the named Component, or from the only Component of the type
 * when a type is named. The model is in SI units (timeScale 1 s); the
 * variables of interest are the exposed state and derived variables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static dtb_status synth_error(const dtb__lems_comptype *t, const char *fmt, const char *a, const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a, b);
    return dtb__error(DTB_EPARSE, "%s:%d: ComponentType '%s' as a region model: %s", t->at.file,
                      t->at.line, t->name, msg);
}

/* The state variable behind exposure `name`, or -1. */
static long exposed_state(const dtb__lems_comptype *t, const char *name)
{
    for (size_t i = 0; i < t->n_state_vars; i++)
        if (dtb__streq(t->state_vars[i].exposure, name) || strcmp(t->state_vars[i].name, name) == 0)
            return (long)i;
    return -1;
}

static long exposed_derived(const dtb__lems_comptype *t, const char *name)
{
    for (size_t i = 0; i < t->n_derived_vars; i++)
        if (dtb__streq(t->derived_vars[i].exposure, name) || strcmp(t->derived_vars[i].name, name) == 0)
            return (long)i;
    return -1;
}

static void find_of_type(const dtb__lems_component *c, size_t n, const char *type,
                         const dtb__lems_component **found, size_t *count)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(c[i].type, type) == 0) {
            *found = &c[i];
            (*count)++;
        }
        find_of_type(c[i].children, c[i].n_children, type, found, count);
    }
}

/* The Component to take defaults from: the one named, or the only one of
 * type t anywhere in the document (nested ones too). NULL (no error) when
 * there is none: a type without parameters needs none. */
static dtb_status pick_defaults(const dtb__lems_doc *doc, const dtb__lems_comptype *t,
                                const dtb__lems_component *named, const dtb__lems_component **out)
{
    *out = named;
    if (named)
        return DTB_OK;
    size_t n = 0;
    find_of_type(doc->components, doc->n_components, t->name, out, &n);
    if (n > 1) {
        *out = NULL;
        return synth_error(t, "%s components of this type: name one (FILE.xml#ID)%s",
                           n == 2 ? "two" : "several", "");
    }
    return DTB_OK;
}

dtb_status dtb__model_synth_region(const dtb__lems_doc *doc, const char *name, dtb__lems_region_model *rm)
{
    memset(rm, 0, sizeof *rm);
    const dtb__lems_component *comp = dtb__lems_find_any_component(doc, name);
    const dtb__lems_comptype *t = dtb__lems_resolved_type(doc, comp ? comp->type : name);
    if (!t)
        return DTB_ENOTFOUND;   /* the caller reports */
    const dtb__lems_component *defaults;
    dtb_status st = pick_defaults(doc, t, comp, &defaults);
    if (st)
        return st;
    if (t->n_requirements > t->n_exposures)
        return synth_error(t, "Requirement '%s' has no Exposure to pair with (the i-th Requirement "
                              "receives the coupling of the i-th Exposure)%s",
                           t->requirements[t->n_exposures].name, "");
    rm->head.name = dtb__strdup(name);
    rm->head.type = dtb__strdup(t->name);
    rm->head.defaults = defaults && defaults->id ? dtb__strdup(defaults->id) : NULL;
    rm->defaults_component = defaults;
    rm->time_scale = 1.0;
    rm->head.at = comp ? comp->at : t->at;
    if (!rm->head.name || !rm->head.type || (defaults && defaults->id && !rm->head.defaults))
        return DTB_ENOMEM;
    if (t->n_requirements) {
        rm->couplings = dtb__calloc(t->n_requirements, sizeof *rm->couplings);
        if (!rm->couplings)
            return DTB_ENOMEM;
    }
    for (size_t r = 0; r < t->n_requirements; r++) {
        const dtb__lems_quantity *req = &t->requirements[r], *exp = &t->exposures[r];
        long s = exposed_state(t, exp->name);
        if (s < 0)
            return synth_error(t, "Exposure '%s' (paired with Requirement '%s') is not a state "
                                  "variable: regions exchange state variables", exp->name, req->name);
        if (!dtb__dim_eq(req->dim, t->state_vars[s].dim))
            return synth_error(t, "Requirement '%s' and the Exposure it is paired with, '%s', have "
                                  "different dimensions", req->name, exp->name);
        dtb__lems_coupling *c = &rm->couplings[rm->n_couplings++];
        c->variable = dtb__strdup(t->state_vars[s].name);
        c->input = dtb__strdup(req->name);
        c->at = req->at;
        if (!c->variable || !c->input)
            return DTB_ENOMEM;
    }
    /* Variables of interest: the exposed state and derived variables. */
    rm->observe = dtb__calloc(t->n_exposures + 1, sizeof *rm->observe);
    rm->observe_line = dtb__calloc(t->n_exposures + 1, sizeof *rm->observe_line);
    if (!rm->observe || !rm->observe_line)
        return DTB_ENOMEM;
    for (size_t e = 0; e < t->n_exposures; e++) {
        long s = exposed_state(t, t->exposures[e].name);
        long d = s < 0 ? exposed_derived(t, t->exposures[e].name) : -1;
        const char *var = s >= 0 ? t->state_vars[s].name : d >= 0 ? t->derived_vars[d].name : NULL;
        if (!var || (d >= 0 && t->derived_vars[d].select))
            continue;
        if (!(rm->observe[rm->n_observe] = dtb__strdup(var)))
            return DTB_ENOMEM;
        rm->observe_line[rm->n_observe++] = t->exposures[e].at.line;
    }
    return DTB_OK;
}

void dtb__model_synth_free(dtb__lems_region_model *rm)
{
    dtb__lems_head_free(&rm->head);
    for (size_t i = 0; i < rm->n_couplings; i++) {
        free(rm->couplings[i].variable);
        free(rm->couplings[i].input);
    }
    free(rm->couplings);
    for (size_t i = 0; i < rm->n_observe; i++)
        free(rm->observe[i]);
    free(rm->observe);
    free(rm->observe_line);
    memset(rm, 0, sizeof *rm);
}
