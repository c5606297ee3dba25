/* libdtb internal — dimensions of LEMS expressions.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_LEMS_DIMS_H
#define DTB_LEMS_DIMS_H

#include "lems.h"

/* What an expression's value is, dimensionally. A literal 0 (and the NaN
 * placed for a missing default Case) fits any dimension, as do parameters
 * declared with dimension="*". */
typedef struct dtb__dimval {
    dtb__dim dim;
    int any;             /* fits any dimension */
    int boolean;         /* a comparison or logical result */
    int is_const;        /* a literal (folded): `value` holds it */
    double value;
} dtb__dimval;

/* Symbol table: returns 1 and fills *out for a known symbol, 0 otherwise. */
typedef int (*dtb__dim_lookup)(const char *name, dtb__dimval *out, void *ud);

/* Infer the dimension of e. An inconsistency (adding volts to seconds, exp
 * of a voltage, a dimensional base raised to a variable power) gives
 * DTB_EPARSE with "cannot add voltage (m^1 l^2 t^-3 i^-1) and time (t^1)
 * in 'v + t'"; an unknown symbol gives DTB_ENOTFOUND naming it. Dimension
 * names come from the document's Dimensions. */
dtb_status dtb__lems_expr_dim(const dtb__lems_doc *doc, const dtb__expr *e, dtb__dim_lookup lookup,
                              void *ud, dtb__dimval *out);

/* "voltage (m^1 l^2 t^-3 i^-1)", or the exponents alone when the document
 * names no such Dimension, or "none". */
void dtb__lems_dim_describe(const dtb__lems_doc *doc, dtb__dim d, char *buf, size_t size);

#endif
