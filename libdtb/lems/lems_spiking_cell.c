/* libdtb — reading libdtb's <SpikingCell> element (dtb-cell(5)): a
 * ComponentType as a built-in spiking cell. Only the element is read here;
 * its meaning (units, the registry, the fast paths) is the spiking layer's
 * (libdtb/spiking/spiking_registry.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lems_private.h"

static dtb_status read_set(const char *file, xmlNodePtr node, dtb__lems_spiking_cell *c)
{
    int oom = 0;
    dtb__lems_cell_set s = {0};
    s.name = dtb__lems_get_attr(node, "parameter", &oom);
    s.at = dtb__lems_where_of(file, node);
    dtb_status st = oom ? DTB_ENOMEM : DTB_OK;
    if (!st && !s.name)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'parameter'");
    if (!st)
        st = dtb__lems_number_attr(node, file, "value", NAN, 1, &s.value);
    if (!st && isnan(s.value))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'value'");
    dtb__lems_cell_set *slot = st ? NULL : dtb__lems_push(&c->sets, &c->n_sets, sizeof *slot);
    if (!slot) {
        free(s.name);
        return st ? st : DTB_ENOMEM;
    }
    *slot = s;
    return DTB_OK;
}

/* <Draw state="V" min="-60" max="-50"/> or <Draw state="v" spread="5"/>. */
static dtb_status read_draw(const char *file, xmlNodePtr node, dtb__lems_spiking_cell *c)
{
    if (c->draw_state)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "RegionDefaults draws one state");
    int oom = 0;
    c->draw_state = dtb__lems_get_attr(node, "state", &oom);
    if (!c->draw_state)
        return oom ? DTB_ENOMEM : dtb__lems_error_at(DTB_EPARSE, file, node, "needs a 'state'");
    dtb_status st = dtb__lems_number_attr(node, file, "min", NAN, 1, &c->draw_lo);
    if (!st)
        st = dtb__lems_number_attr(node, file, "max", NAN, 1, &c->draw_hi);
    if (!st)
        st = dtb__lems_number_attr(node, file, "spread", NAN, 1, &c->draw_spread);
    if (st)
        return st;
    int range = !isnan(c->draw_lo) && !isnan(c->draw_hi);
    int spread = !isnan(c->draw_spread);
    if (range == spread || (!range && (!isnan(c->draw_lo) || !isnan(c->draw_hi))))
        return dtb__lems_error_at(DTB_EPARSE, file, node, "needs either 'min' and 'max' or 'spread'");
    if (range && !(c->draw_lo <= c->draw_hi))
        return dtb__lems_error_at(DTB_EPARSE, file, node, "min (%g) is greater than max (%g)",
                                  c->draw_lo, c->draw_hi);
    if (spread && !(c->draw_spread >= 0))
        return dtb__lems_error_at(DTB_EPARSE, file, node, "spread must be >= 0");
    return DTB_OK;
}

static dtb_status read_region(const char *file, xmlNodePtr node, dtb__lems_spiking_cell *c)
{
    if (c->has_region)
        return dtb__lems_error_at(DTB_EPARSE, file, node, "a SpikingCell has one RegionDefaults "
                                                          "(the first is on line %d)",
                                  c->region_at.line);
    c->has_region = 1;
    c->region_at = dtb__lems_where_of(file, node);
    int oom = 0;
    c->bias_param = dtb__lems_get_attr(node, "biasParameter", &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!c->bias_param && !(c->bias_param = dtb__strdup("I_e")))
        return DTB_ENOMEM;
    dtb_status st = dtb__lems_number_attr(node, file, "bias", 0.0, 1, &c->bias);
    if (!st)
        st = dtb__lems_number_attr(node, file, "wExc", NAN, 1, &c->w_exc);
    if (!st)
        st = dtb__lems_number_attr(node, file, "wInh", NAN, 1, &c->w_inh);
    if (!st && !(c->w_exc > 0 && c->w_inh > 0))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "needs 'wExc' and 'wInh' > 0");
    for (xmlNodePtr k = node->children; !st && k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (dtb__lems_is(k, "Set"))
            st = read_set(file, k, c);
        else if (dtb__lems_is(k, "Draw"))
            st = read_draw(file, k, c);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, k, "unknown element in <RegionDefaults> "
                                                         "(expected Set or Draw)");
    }
    return st;
}

dtb_status dtb__lems_read_spiking_cell(dtb__lems_reader *r, const char *file, xmlNodePtr node)
{
    dtb__lems_spiking_cell *c =
        dtb__lems_push(&r->doc->spiking_cells, &r->doc->n_spiking_cells, sizeof *c);
    if (!c)
        return DTB_ENOMEM;
    dtb_status st = dtb__lems_read_head(file, node, &c->head, r->doc->spiking_cells,
                                        r->doc->n_spiking_cells - 1, sizeof *c);
    int oom = 0;
    c->voltage_unit = dtb__lems_get_attr(node, "voltageUnit", &oom);
    c->time_unit = dtb__lems_get_attr(node, "timeUnit", &oom);
    c->current_unit = dtb__lems_get_attr(node, "currentUnit", &oom);
    char *euler = dtb__lems_get_attr(node, "euler", &oom);
    if (!st && oom)
        st = DTB_ENOMEM;
    int n_units = !!c->voltage_unit + !!c->time_unit + !!c->current_unit;
    if (!st && n_units != 0 && n_units != 3)
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "voltageUnit, timeUnit and currentUnit go "
                                                        "together (all three or none: SI)");
    c->euler = 1;
    if (!st && euler) {
        if (strcmp(euler, "false") == 0)
            c->euler = 0;
        else if (strcmp(euler, "true") != 0)
            st = dtb__lems_error_at(DTB_EPARSE, file, node, "euler='%s' is neither true nor false",
                                    euler);
    }
    free(euler);
    if (!st)
        st = dtb__lems_number_attr(node, file, "conductanceScale", NAN, 1, &c->conductance_scale);
    if (!st && !isnan(c->conductance_scale) && !(c->conductance_scale > 0))
        st = dtb__lems_error_at(DTB_EPARSE, file, node, "conductanceScale must be > 0");
    for (xmlNodePtr k = node->children; !st && k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (dtb__lems_is(k, "RegionDefaults"))
            st = read_region(file, k, c);
        else
            st = dtb__lems_error_at(DTB_EPARSE, file, k, "unknown element in <SpikingCell> "
                                                         "(expected RegionDefaults)");
    }
    return st;
}
