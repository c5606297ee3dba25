/* libdtb — the XML pieces of the NeuroML2 cell reader (mcell_xml.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/units.h"
#include "mcell_xml.h"

int dtb__mc_is(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

char *dtb__mc_attr(xmlNodePtr n, const char *name, int *oom)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = dtb__strdup((const char *)v);
    xmlFree(v);
    if (!s)
        *oom = 1;
    return s;
}

dtb_status dtb__mc_error_at(dtb_status code, const char *file, xmlNodePtr n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    xmlChar *id = n ? xmlGetProp(n, (const xmlChar *)"id") : NULL;
    dtb_status st = dtb__error(code, "%s:%ld: <%s%s%s%s>: %s", file, n ? xmlGetLineNo(n) : 0L,
                               n ? (const char *)n->name : "?", id ? " id='" : "",
                               id ? (const char *)id : "", id ? "'" : "", msg);
    xmlFree(id);
    return st;
}

/* The NeuroML2 units (NeuroMLCoreDimensions.xml) of each kind, as factors
 * to this layer's unit. */
typedef struct unit_factor {
    const char *symbol;
    double factor;
} unit_factor;

static const unit_factor voltage_units[] = {{"mV", 1}, {"V", 1e3}, {"uV", 1e-3}, {NULL, 0}};
static const unit_factor per_time_units[] = {{"per_ms", 1}, {"per_s", 1e-3}, {"Hz", 1e-3},
                                             {"kHz", 1}, {"per_hour", 1e-3 / 3600}, {NULL, 0}};
static const unit_factor cond_density_units[] = {{"S_per_cm2", 1}, {"mS_per_cm2", 1e-3},
                                                 {"S_per_m2", 1e-4}, {"mS_per_m2", 1e-7},
                                                 {NULL, 0}};
static const unit_factor spec_cap_units[] = {{"uF_per_cm2", 1}, {"F_per_m2", 1e2},
                                             {"pF_per_um2", 1e2}, {NULL, 0}};
static const unit_factor resistivity_units[] = {{"ohm_cm", 1}, {"kohm_cm", 1e3}, {"ohm_m", 1e2},
                                                {NULL, 0}};
static const unit_factor length_units[] = {{"", 1}, {"um", 1}, {"m", 1e6}, {"cm", 1e4},
                                           {"mm", 1e3}, {NULL, 0}};
static const unit_factor time_units[] = {{"ms", 1}, {"s", 1e3}, {"us", 1e-3}, {NULL, 0}};
/* Factors only: kelvin's offset is added in dtb__mc_quantity. */
static const unit_factor temperature_units[] = {{"degC", 1}, {"K", 1}, {NULL, 0}};

static const unit_factor *units_of(dtb__mc_kind kind, const char **dimension)
{
    switch (kind) {
    case DTB__MC_VOLTAGE: *dimension = "voltage (mV, V)"; return voltage_units;
    case DTB__MC_PER_TIME: *dimension = "per_time (per_ms, per_s, Hz)"; return per_time_units;
    case DTB__MC_COND_DENSITY:
        *dimension = "conductanceDensity (S_per_m2, mS_per_cm2, S_per_cm2)";
        return cond_density_units;
    case DTB__MC_SPEC_CAP:
        *dimension = "specificCapacitance (uF_per_cm2, F_per_m2)";
        return spec_cap_units;
    case DTB__MC_RESISTIVITY:
        *dimension = "resistivity (ohm_cm, kohm_cm, ohm_m)";
        return resistivity_units;
    case DTB__MC_LENGTH: *dimension = "length (um)"; return length_units;
    case DTB__MC_TEMPERATURE: *dimension = "temperature (degC, K)"; return temperature_units;
    case DTB__MC_TIME: *dimension = "time (ms, s)"; return time_units;
    }
    *dimension = "?";
    return length_units;
}

dtb_status dtb__mc_quantity(const char *file, xmlNodePtr n, const char *name, dtb__mc_kind kind,
                            int required, double *out)
{
    int oom = 0;
    char *text = dtb__mc_attr(n, name, &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!text)
        return required ? dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute '%s'", name)
                        : DTB_OK;
    double number = 0;
    const char *unit = "";
    dtb_status st = DTB_OK;
    if (!dtb__quantity_split(text, &number, &unit) || !isfinite(number)) {
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "%s='%s' is not a quantity", name, text);
    } else {
        const char *dimension;
        const unit_factor *u = units_of(kind, &dimension);
        while (u->symbol && strcmp(u->symbol, unit) != 0)
            u++;
        if (!u->symbol)
            st = dtb__mc_error_at(DTB_EPARSE, file, n, "%s='%s': the unit '%s' is not a %s", name,
                                  text, unit, dimension);
        else
            *out = number * u->factor - (strcmp(u->symbol, "K") == 0 ? 273.15 : 0);
    }
    free(text);
    return st;
}

dtb_status dtb__mc_number(const char *file, xmlNodePtr n, const char *name, int required,
                          double *out)
{
    int oom = 0;
    char *text = dtb__mc_attr(n, name, &oom);
    if (oom)
        return DTB_ENOMEM;
    if (!text)
        return required ? dtb__mc_error_at(DTB_EPARSE, file, n, "needs the attribute '%s'", name)
                        : DTB_OK;
    double v;
    dtb_status st = DTB_OK;
    if (!dtb__parse_double(text, &v) || !isfinite(v))
        st = dtb__mc_error_at(DTB_EPARSE, file, n, "%s='%s' is not a finite number", name, text);
    else
        *out = v;
    free(text);
    return st;
}
