/* libdtb internal — the XML pieces of the NeuroML2 cell reader: element
 * names, attributes, quantities with NeuroML units, errors with file and
 * line.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_MCELL_XML_H
#define DTB_MCELL_XML_H

#include <libxml/tree.h>

#include "dtb/dtb_common.h"

/* The kinds of quantity a cell file holds, each read into this layer's
 * unit (mcell.h). */
typedef enum dtb__mc_kind {
    DTB__MC_VOLTAGE,             /* mV */
    DTB__MC_PER_TIME,            /* per ms */
    DTB__MC_COND_DENSITY,        /* S/cm2 */
    DTB__MC_SPEC_CAP,            /* uF/cm2 */
    DTB__MC_RESISTIVITY,         /* ohm cm */
    DTB__MC_LENGTH,              /* um (bare numbers: morphology coordinates) */
    DTB__MC_TEMPERATURE,         /* degC (degC or K) */
    DTB__MC_TIME                 /* ms */
} dtb__mc_kind;

/* Element n's local name is `name` (namespaced or not). */
int dtb__mc_is(xmlNodePtr n, const char *name);
/* The attribute's value (malloc'd) or NULL when absent; *oom set on
 * out-of-memory. */
char *dtb__mc_attr(xmlNodePtr n, const char *name, int *oom);
/* DTB code "FILE:LINE: <element id='..'>: message". */
dtb_status dtb__mc_error_at(dtb_status code, const char *file, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Attribute `name` of n as a quantity of `kind`. A missing attribute is an
 * error when required, else leaves *out as it is. */
dtb_status dtb__mc_quantity(const char *file, xmlNodePtr n, const char *name, dtb__mc_kind kind,
                            int required, double *out);
/* A plain finite number (coordinates, fractionAlong, instances). */
dtb_status dtb__mc_number(const char *file, xmlNodePtr n, const char *name, int required,
                          double *out);

#endif
