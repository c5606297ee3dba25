/* libdtb internal — LEMS / NeuroML2 documents read into a model IR.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader (libxml2) keeps what region models need: Dimension, Unit,
 * ComponentType (Parameter, Constant, DerivedParameter, Exposure,
 * Requirement, Dynamics with StateVariable, TimeDerivative,
 * DerivedVariable, ConditionalDerivedVariable/Case), Component instances
 * (generic <Component type=...> or <TypeName id=...>), Include, and libdtb's
 * own <RegionModel> element (see dtb-model(5)). Elements are matched by
 * local name, so namespaced and plain documents read the same.
 *
 * Every error names file, line and element. A failed read frees everything.
 */
#ifndef DTB_LEMS_H
#define DTB_LEMS_H

#include <stddef.h>

#include "base/units.h"
#include "dtb/dtb_common.h"
#include "expr/expr.h"

typedef struct dtb__lems_where {
    const char *file;   /* borrowed from dtb__lems_doc.files */
    int line;
} dtb__lems_where;

typedef struct dtb__lems_dimension {
    char *name;
    dtb__dim dim;
    dtb__lems_where at;
} dtb__lems_dimension;

typedef struct dtb__lems_unit {
    char *symbol;
    char *dimension;
    dtb__dim dim;
    double scale;    /* SI = number * scale + offset (power folded in) */
    double offset;
    dtb__lems_where at;
} dtb__lems_unit;

/* Parameter, Exposure, Requirement, StateVariable: a named, dimensioned
 * quantity. */
typedef struct dtb__lems_quantity {
    char *name;
    char *dimension;     /* as written ("none" when absent) */
    dtb__dim dim;
    char *unit;          /* Parameter only: libdtb's native-unit attribute (may be NULL) */
    char *exposure;      /* StateVariable / DerivedVariable: exposure name (may be NULL) */
    char *description;
    dtb__lems_where at;
} dtb__lems_quantity;

typedef struct dtb__lems_constant {
    char *name;
    dtb__dim dim;
    double value;        /* SI */
    dtb__lems_where at;
} dtb__lems_constant;

/* DerivedParameter, DerivedVariable, ConditionalDerivedVariable (value is a
 * SELECT chain built from the Cases), TimeDerivative (name = variable). */
typedef struct dtb__lems_equation {
    char *name;
    dtb__dim dim;
    char *exposure;
    dtb__expr *value;
    char *text;          /* source text, for messages */
    dtb__lems_where at;
} dtb__lems_equation;

typedef struct dtb__lems_comptype {
    char *name;
    char *extends;
    char *description;
    dtb__lems_quantity *params; size_t n_params;
    dtb__lems_constant *constants; size_t n_constants;
    dtb__lems_equation *derived_params; size_t n_derived_params;
    dtb__lems_quantity *exposures; size_t n_exposures;
    dtb__lems_quantity *requirements; size_t n_requirements;
    int has_dynamics;
    dtb__lems_quantity *state_vars; size_t n_state_vars;
    dtb__lems_equation *time_derivs; size_t n_time_derivs;
    dtb__lems_equation *derived_vars; size_t n_derived_vars;   /* document order */
    /* First LEMS element of this type that the reader knows but cannot run
     * yet (OnCondition, Regime, Child, ...): NULL if none. Reported only
     * when the type is used, so documents that merely declare such types
     * still load. */
    char *unsupported;
    dtb__lems_where unsupported_at;
    dtb__lems_where at;
} dtb__lems_comptype;

typedef struct dtb__lems_attr {
    char *name;
    char *value;
} dtb__lems_attr;

typedef struct dtb__lems_component {
    char *id;
    char *type;
    dtb__lems_attr *attrs; size_t n_attrs;   /* every attribute except id/type */
    dtb__lems_where at;
} dtb__lems_component;

/* libdtb's <RegionModel>: how a ComponentType becomes a region node. */
typedef struct dtb__lems_bound {
    char *variable;
    double lo, hi;
    dtb__lems_where at;
} dtb__lems_bound;

typedef struct dtb__lems_coupling {
    char *variable;      /* state variable exchanged between regions */
    char *input;         /* Requirement receiving the coupling of that variable */
    dtb__lems_where at;
} dtb__lems_coupling;

typedef struct dtb__lems_region_model {
    char *name;
    char *type;          /* ComponentType */
    char *defaults;      /* Component id giving parameter values (may be NULL) */
    char *description;
    char *reference;
    double time_scale;   /* seconds per model time unit (1 if absent) */
    dtb__lems_coupling *couplings; size_t n_couplings;
    char **observe; size_t n_observe;
    int *observe_line;   /* line of each <Observe> */
    dtb__lems_bound *bounds; size_t n_bounds;
    dtb__lems_bound *ranges; size_t n_ranges;
    dtb__lems_where at;
} dtb__lems_region_model;

typedef struct dtb__lems_doc {
    char **files; size_t n_files;            /* every file read, once each */
    dtb__lems_dimension *dims; size_t n_dims;
    dtb__lems_unit *units; size_t n_units;
    dtb__lems_comptype *types; size_t n_types;
    dtb__lems_component *components; size_t n_components;
    dtb__lems_region_model *region_models; size_t n_region_models;
} dtb__lems_doc;

typedef struct dtb__lems_read_options {
    const char *const *include_dirs;
    size_t n_include_dirs;
} dtb__lems_read_options;

/* Read a document (and its Includes) into *doc (zeroed by the caller or
 * fresh). On error everything read so far is freed. */
dtb_status dtb__lems_read_file(dtb__lems_doc *doc, const char *path,
                               const dtb__lems_read_options *opts);
dtb_status dtb__lems_read_memory(dtb__lems_doc *doc, const char *xml, size_t len,
                                 const char *source_name, const dtb__lems_read_options *opts);
void dtb__lems_doc_free(dtb__lems_doc *doc);

/* Lookups (NULL when absent). */
const dtb__lems_comptype *dtb__lems_find_type(const dtb__lems_doc *doc, const char *name);
const dtb__lems_component *dtb__lems_find_component(const dtb__lems_doc *doc, const char *id);
const dtb__lems_unit *dtb__lems_find_unit(const dtb__lems_doc *doc, const char *symbol);
const dtb__lems_dimension *dtb__lems_find_dimension(const dtb__lems_doc *doc, const char *name);

/* Convert a quantity string ("10ms", "0.5", "-65 mV") to SI using the
 * document's units, falling back to libdtb's built-in units. The unit's
 * dimension must equal `dim`; a bare number is accepted only for
 * dimensionless quantities unless `bare_scale` > 0, in which case the
 * number is multiplied by it (a parameter's native unit). `what` names the
 * quantity in messages. */
dtb_status dtb__lems_quantity_to_si(const dtb__lems_doc *doc, const char *text, dtb__dim dim,
                                    double bare_scale, double bare_offset,
                                    const char *what, double *si_out);

/* Resolve a unit symbol (document units first, then built-in ones). */
int dtb__lems_unit_lookup(const dtb__lems_doc *doc, const char *symbol, dtb__unit *out);

#endif /* DTB_LEMS_H */
