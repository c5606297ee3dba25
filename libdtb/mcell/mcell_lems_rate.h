/* libdtb internal — gate rates defined in LEMS: a <ComponentType> of the
 * file (or its includes) extending baseVoltageDepRate or baseHHRate (or a
 * steady state or time course: dtb__mc_rate_type_role), its
 * Constants, Parameters and Dynamics (DerivedVariables, Conditional-
 * DerivedVariables with Cases) compiled with the expression layer into a
 * program that gives r over a block of compartments, in SI as LEMS
 * defines it (v in V, r in 1/s).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_MCELL_LEMS_RATE_H
#define DTB_MCELL_LEMS_RATE_H

#include <libxml/tree.h>
#include <stddef.h>

#include "dtb/dtb_common.h"

/* A rate ComponentType as read (its expressions kept as text until a rate
 * element gives the parameters' values). */
typedef struct dtb__mc_rate_type {
    char *name;
    const char *file;            /* borrowed: the reader's file name */
    xmlNodePtr node;             /* borrowed: alive while the file is read */
} dtb__mc_rate_type;

/* A compiled rate: one program, its scalar inputs' values, its scratch. */
typedef struct dtb__mc_lems_rate dtb__mc_lems_rate;

/* What a ComponentType element gives, by what it extends: 'r' a rate
 * (baseVoltageDepRate, baseHHRate), 'x' a steady state
 * (baseVoltageDepVariable, baseHHVariable), 't' a time course
 * (baseVoltageDepTime); 0 for anything else. */
int dtb__mc_rate_type_role(xmlNodePtr ct);
/* Compile type t for the rate element `rate` (its attributes give the
 * Parameters' values, with units). Errors name the file, line and
 * element. */
dtb_status dtb__mc_lems_rate_compile(const dtb__mc_rate_type *t, const char *file, xmlNodePtr rate,
                                     dtb__mc_lems_rate **out);
void dtb__mc_lems_rate_free(dtb__mc_lems_rate *r);
/* r (1/s), x or t (s) at v (V) for n compartments. */
void dtb__mc_lems_rate_eval(dtb__mc_lems_rate *r, size_t n, const double *v, double *out);

#endif
