/* libdtb internal — the compiled region model behind dtb_model.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built from a LEMS document and one <RegionModel>, or from a plain
 * ComponentType or Component that a RegionModel is synthesized for
 * (model_synth.c). The core (names,
 * equations, bounds) is immutable and shared by reference between a model,
 * its clones and the simulations made from it; a dtb_model adds its own
 * parameter values. Equations keep their ASTs: each simulation compiles
 * them to bytecode for its own layout of scalar and per-region parameters. */
#ifndef DTB_MODEL_INTERNAL_H
#define DTB_MODEL_INTERNAL_H

#include "base/base.h"
#include "base/units.h"
#include "dtb/dtb_model.h"
#include "expr/expr.h"
#include "kernel/kernel.h"
#include "lems/lems.h"

typedef struct dtb__model_param {
    char *name;
    char *unit;          /* native unit symbol ("" when dimensionless or SI) */
    char *description;
    dtb__dim dim;
    double default_value; /* from the descriptor, in the native unit */
    double unit_scale;   /* SI = value * unit_scale + unit_offset */
    double unit_offset;
} dtb__model_param;

typedef struct dtb__model_named_value {
    char *name;
    double value;
} dtb__model_named_value;

typedef struct dtb__model_equation {
    char *name;
    dtb__expr *value;
    char *what;          /* "DerivedVariable 'x_e' (file:line)" for messages */
} dtb__model_equation;

typedef struct dtb__model_state {
    char *name;
    dtb__expr *derivative;   /* NULL: the variable is constant */
    char *what;
    double bound_lo, bound_hi;  /* +-inf when unbounded */
    double range_lo, range_hi;  /* default initial values drawn here */
} dtb__model_state;

typedef struct dtb__model_unit {
    char *symbol;
    dtb__unit unit;      /* unit.symbol points to symbol */
} dtb__model_unit;

typedef struct dtb__model_core {
    dtb__refcount ref;
    char *name, *description, *reference, *source;
    double time_scale;
    dtb__model_param *params; size_t n_params;
    dtb__model_named_value *constants; size_t n_constants;
    dtb__model_equation *derived_params; size_t n_derived_params;   /* dependency order */
    dtb__model_state *states; size_t n_states;
    dtb__model_equation *derived_vars; size_t n_derived_vars;       /* dependency order */
    int64_t *coupling_state; char **coupling_input; size_t n_couplings;
    int64_t *voi; size_t n_voi;   /* variable codes, see dtb__model_variable_index */
    dtb__model_unit *units; size_t n_units;   /* units declared by the document */
    char **exposures; size_t n_exposures;     /* the type's Exposures (names) */
    /* The coupling the descriptor says the model was published with
     * (<DefaultCoupling>): a dtb_coupling_kind, 0 if none is stated; the
     * parameter values it states, by name (the kind's other parameters
     * keep the library's defaults). */
    int32_t default_coupling;
    char **default_coupling_names; double *default_coupling_values; size_t n_default_coupling;
} dtb__model_core;

struct dtb_model {
    dtb__model_core *core;
    double *values;      /* current parameter values, native units, n_params */
};

/* Build a core from a document that was read successfully (the document is
 * not kept). `model_name` selects a RegionModel (NULL: the only / first). */
dtb_status dtb__model_core_from_doc(const dtb__lems_doc *doc, const char *model_name,
                                    const char *source, dtb__model_core **out);

/* A RegionModel synthesized from the ComponentType or Component `name` of
 * a document without one (model_synth.c). DTB_ENOTFOUND, without a
 * message, when the document has no type or component of that name. */
dtb_status dtb__model_synth_region(const dtb__lems_doc *doc, const char *name, dtb__lems_region_model *rm);
void dtb__model_synth_free(dtb__lems_region_model *rm);

/* Keep / drop a reference to a core (simulations keep theirs alive). */
dtb__model_core *dtb__model_core_ref(dtb__model_core *c);
void dtb__model_core_unref(dtb__model_core *c);

/* Variables that can be observed: code v < n_states is state v, code
 * n_states + d is derived variable d. -1 if the name is neither. */
int64_t dtb__model_variable_index(const dtb__model_core *c, const char *name);
const char *dtb__model_variable_name(const dtb__model_core *c, int64_t code);

/* Index of a parameter / state, or -1. */
int64_t dtb__model_param_index(const dtb__model_core *c, const char *name);
int64_t dtb__model_state_index(const dtb__model_core *c, const char *name);

/* Parse "10ms" / "0.5" for parameter p into its native unit. */
dtb_status dtb__model_param_parse(const dtb__model_core *c, int64_t p, const char *text,
                                  double *out);

/* ------------------------------------------- the equations on the kernel
 * (model_kernel.c). The one place that says what a model's equations read:
 * the check when a model loads and every simulation compile through it, so
 * a model that loads always compiles. */

/* The input table, in this order: t; the states; the coupling inputs; the
 * parameters — per element where per_element[p] is set (NULL: none), every
 * other one shared and bound to 0 (the simulation binds values); the
 * constants, bound to their values. The names are borrowed from the core. */
dtb_status dtb__model_ktable(const dtb__model_core *c, const unsigned char *per_element,
                             dtb__ktable *t);
/* The table entries of state v, coupling input i and parameter p. */
static inline size_t dtb__model_kin_state(const dtb__model_core *c, size_t v)
{
    (void)c;
    return 1 + v;
}
static inline size_t dtb__model_kin_coupling(const dtb__model_core *c, size_t i)
{
    return 1 + c->n_states + i;
}
static inline size_t dtb__model_kin_param(const dtb__model_core *c, size_t p)
{
    return 1 + c->n_states + c->n_couplings + p;
}
/* The right-hand side over table t: the derived parameters and variables
 * defined, one output per state that has a TimeDerivative; output k is
 * the derivative of state output_state[k] (room for n_states), *n_outputs
 * of them. */
dtb_status dtb__model_compile_rates(const dtb__model_core *c, const dtb__ktable *t, dtb__kprog *kp,
                                    int64_t *output_state, size_t *n_outputs);
/* The observables over table t: every derived variable as an output, in
 * order. */
dtb_status dtb__model_compile_observables(const dtb__model_core *c, const dtb__ktable *t,
                                          dtb__kprog *kp);
/* The Jacobian over table t, by symbolic differentiation of the
 * equations (expr/diff.c) through the derived parameters and variables:
 * output i * n_wrt + j is d(dx_i/dt)/d(wrt[j]) for every state i (a state
 * without a TimeDerivative has a zero row), each wrt[j] a state, a
 * coupling input or a parameter of the model. DTB_ENOTFOUND for a name
 * that is none of them; DTB_EUNSUPPORTED (naming the equation) when an
 * equation uses random() or factorial(). */
dtb_status dtb__model_compile_jacobian(const dtb__model_core *c, const dtb__ktable *t,
                                       const char *const *wrt, size_t n_wrt, dtb__kprog *kp);
/* Compile the right-hand side once for a layout with every parameter
 * shared, and discard it: the check that the equations are complete. */
dtb_status dtb__model_check_compiles(const dtb__model_core *c);

#endif
