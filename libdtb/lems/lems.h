/* libdtb internal — LEMS / NeuroML2 documents read into a model IR.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader (libxml2) keeps the LEMS subset of LEMS-NOTES §1.1/§1.2:
 * Dimension, Unit, ComponentType with everything a type declares (Parameter,
 * Constant, DerivedParameter, Property, Fixed, Exposure, Requirement, Text,
 * Path, Child, Children, Attachments, ComponentReference, Link,
 * InstanceRequirement, ComponentRequirement, IndexParameter, EventPort),
 * Dynamics (StateVariable, TimeDerivative, DerivedVariable with value or
 * select/reduce, ConditionalDerivedVariable/Case, OnStart, OnCondition,
 * OnEvent, StateAssignment, EventOut, Regime/OnEntry/Transition), Structure
 * and the Simulation block (kept as small element trees), Component
 * instances as trees (generic <Component type=...>, <TypeName id=...>, or
 * <childName type=...>), Include/include, Target, and libdtb's own
 * <RegionModel> (see dtb-model(5)) and <SpikingCell> (dtb-cell(5))
 * elements. Elements are matched by local
 * name, so namespaced and plain documents read the same.
 *
 * After reading, every ComponentType is resolved against its supertypes
 * (lems_resolve.c: a flattened copy in doc->resolved) and checked: every
 * symbol declared, every expression dimensionally consistent
 * (lems_check.c), every component's attributes and children known
 * (lems_components_check.c).
 *
 * Every error names file, line and element. A failed read frees everything.
 */
#ifndef DTB_LEMS_INTERNAL_H
#define DTB_LEMS_INTERNAL_H

#include <stddef.h>

#include "base/units.h"
#include "dtb/dtb_common.h"
#include "expr/expr.h"

typedef struct dtb__lems_where {
    const char *file;   /* borrowed from dtb__lems_doc.files */
    int line;
    const char *element; /* element name (static string), NULL if unknown */
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
    int any_dimension;   /* dimension="*" (Line scale): any unit is accepted */
    char *default_text;  /* Property: defaultValue as written, or NULL */
    double default_si;   /* Property: the default in SI (0 without one), set when types are resolved */
    dtb__lems_where at;
} dtb__lems_quantity;

typedef struct dtb__lems_constant {
    char *name;
    dtb__dim dim;
    double value;        /* SI */
    dtb__lems_where at;
} dtb__lems_constant;

typedef enum dtb__lems_reduce {
    DTB__LEMS_REDUCE_NONE,
    DTB__LEMS_REDUCE_ADD,
    DTB__LEMS_REDUCE_MULTIPLY
} dtb__lems_reduce;

/* DerivedParameter, DerivedVariable, ConditionalDerivedVariable (value is a
 * SELECT chain built from the Cases), TimeDerivative (name = variable).
 * A DerivedVariable with `select` has no value: it gathers a variable of
 * other components (child/var, coll[*]/var, coll[text='x']/var, deeper
 * paths), reduced by `reduce` when the path names several. */
typedef struct dtb__lems_equation {
    char *name;
    dtb__dim dim;
    char *exposure;
    dtb__expr *value;    /* NULL for a select */
    char *text;          /* source text, for messages */
    char *select;        /* path, or NULL */
    dtb__lems_reduce reduce;
    int required;        /* select: 0 when required="false" (missing -> 0) */
    int conditional;     /* from a ConditionalDerivedVariable */
    int no_dimension;    /* no dimension attribute: the value's dimension is taken */
    dtb__lems_where at;
} dtb__lems_equation;

/* Child, Children, Attachments, ComponentReference, Link,
 * InstanceRequirement, ComponentRequirement, EventPort, Text, Path,
 * IndexParameter: a name, often a type. */
typedef struct dtb__lems_decl {
    char *name;
    char *type;          /* NULL when the element has none */
    int flag;            /* EventPort: 1 for direction="in"; ComponentReference: local="true" */
    dtb__lems_where at;
} dtb__lems_decl;

typedef struct dtb__lems_assignment {
    char *variable;
    dtb__expr *value;
    char *text;
    dtb__lems_where at;
} dtb__lems_assignment;

typedef enum dtb__lems_handler_kind {
    DTB__LEMS_ON_START,
    DTB__LEMS_ON_CONDITION,
    DTB__LEMS_ON_EVENT,
    DTB__LEMS_ON_ENTRY
} dtb__lems_handler_kind;

/* OnStart, OnCondition (test), OnEvent (port), OnEntry: state assignments
 * in document order, events sent, a regime to enter. */
typedef struct dtb__lems_handler {
    dtb__lems_handler_kind kind;
    dtb__expr *test;             /* OnCondition */
    char *test_text;
    char *port;                  /* OnEvent */
    dtb__lems_assignment *assigns; size_t n_assigns;
    dtb__lems_decl *event_outs; size_t n_event_outs;   /* name = port */
    char *transition;            /* regime entered, or NULL */
    dtb__lems_where transition_at;
    dtb__lems_where at;
} dtb__lems_handler;

typedef struct dtb__lems_regime {
    char *name;
    int initial;
    dtb__lems_equation *time_derivs; size_t n_time_derivs;
    dtb__lems_handler *handlers; size_t n_handlers;   /* OnEntry, OnCondition, OnEvent */
    dtb__lems_where at;
} dtb__lems_regime;

/* <KineticScheme>: the occupancies `state_variable` of the children
 * `nodes` change by the transitions `edges` between them, each from the
 * node its Link `edge_source` names to the one `edge_target` names, at
 * the rates its variables `forward_rate` and `reverse_rate` give. */
typedef struct dtb__lems_kscheme {
    char *name;
    char *nodes, *state_variable;
    char *edges, *edge_source, *edge_target;
    char *forward_rate, *reverse_rate;
    dtb__lems_where at;
} dtb__lems_kscheme;

/* An element of a Structure or Simulation block (ChildInstance,
 * MultiInstantiate, With, EventConnection, Tunnel, ForEach, Assign, Run,
 * Record, DataDisplay, DataWriter, EventRecord, EventWriter), its
 * attributes and nested elements. Assign keeps its value parsed. */
typedef struct dtb__lems_attr dtb__lems_attr;
typedef struct dtb__lems_elem dtb__lems_elem;
struct dtb__lems_elem {
    const char *kind;            /* static string: the element's name */
    dtb__lems_attr *attrs; size_t n_attrs;
    dtb__lems_elem *children; size_t n_children;
    dtb__expr *value;            /* Assign */
    dtb__lems_where at;
};

typedef struct dtb__lems_comptype {
    char *name;
    char *extends;
    char *description;
    dtb__lems_quantity *params; size_t n_params;
    dtb__lems_constant *constants; size_t n_constants;
    dtb__lems_equation *derived_params; size_t n_derived_params;
    dtb__lems_quantity *exposures; size_t n_exposures;
    dtb__lems_quantity *requirements; size_t n_requirements;
    dtb__lems_quantity *properties; size_t n_properties;
    dtb__lems_attr *fixed; size_t n_fixed;        /* Fixed parameter = value (text) */
    dtb__lems_decl *texts; size_t n_texts;
    dtb__lems_decl *paths; size_t n_paths;
    dtb__lems_decl *child; size_t n_child;        /* Child: exactly one */
    dtb__lems_decl *children; size_t n_children;  /* Children: a list */
    dtb__lems_decl *attachments; size_t n_attachments;
    dtb__lems_decl *comp_refs; size_t n_comp_refs;   /* ComponentReference */
    dtb__lems_decl *links; size_t n_links;
    dtb__lems_decl *instance_reqs; size_t n_instance_reqs;
    dtb__lems_decl *comp_reqs; size_t n_comp_reqs;   /* ComponentRequirement */
    dtb__lems_decl *index_params; size_t n_index_params;
    dtb__lems_decl *event_ports; size_t n_event_ports;
    int has_dynamics;
    dtb__lems_quantity *state_vars; size_t n_state_vars;
    dtb__lems_equation *time_derivs; size_t n_time_derivs;
    dtb__lems_equation *derived_vars; size_t n_derived_vars;   /* document order */
    dtb__lems_handler *handlers; size_t n_handlers;   /* OnStart, OnCondition, OnEvent */
    dtb__lems_regime *regimes; size_t n_regimes;
    dtb__lems_kscheme *kschemes; size_t n_kschemes;
    int has_structure;
    dtb__lems_elem *structure; size_t n_structure;
    int has_simulation;
    dtb__lems_elem *simulation; size_t n_simulation;
    /* First LEMS element of this type that the reader knows but libdtb
     * cannot run (KineticScheme): NULL if none. Reported only when the type
     * is used, so documents that merely declare such types still load. */
    char *unsupported;
    dtb__lems_where unsupported_at;
    /* Resolved types only: the arrays above hold shallow copies of the
     * declarations of this type and its supertypes (nothing but the arrays
     * is owned); `decl` is the type as written and `super` its resolved
     * supertype. */
    int borrowed;
    const struct dtb__lems_comptype *decl;
    const struct dtb__lems_comptype *super;
    const struct dtb__lems_comptype *dynamics_from;   /* the type whose Dynamics apply */
    /* Resolved types only: the first problem found when the type was
     * checked, if it was not an error at load (an undefined symbol in a base
     * type that its subtypes define, any problem in a type of an included
     * file): using the type in a component is then the error. NULL if
     * none. Owned. */
    char *defect;
    dtb_status defect_code;
    /* Resolved types only: state_vars and derived_vars are this type's own
     * (shallow) copies, made when a name clash was settled (lems_check.c),
     * instead of the declaring type's arrays. */
    int owns_dynamics_arrays;
    dtb__lems_where at;
} dtb__lems_comptype;

struct dtb__lems_attr {
    char *name;
    char *value;
};

/* A component instance as written: attributes, nested components. */
typedef struct dtb__lems_component dtb__lems_component;
struct dtb__lems_component {
    char *id;
    char *type;
    char *tag;           /* element name: the type, "Component" or a Child/Children name */
    dtb__lems_attr *attrs; size_t n_attrs;   /* every attribute except id/type */
    dtb__lems_component *children; size_t n_children;
    dtb__lems_where at;
};

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

/* <DefaultCoupling kind="linear" a="1"/>: the coupling function the model
 * was published with and its parameters (the other attributes). */
typedef struct dtb__lems_default_coupling {
    char *kind;          /* NULL: the descriptor states none */
    char **names; double *values; size_t n;
    dtb__lems_where at;
} dtb__lems_default_coupling;

/* What libdtb's own model elements (<RegionModel>, <SpikingCell>) state
 * of themselves, read one way (lems_head.c). It is the first member of
 * both, so that a list of either is checked for duplicate names alike. */
typedef struct dtb__lems_head {
    char *name;
    char *type;          /* ComponentType */
    char *defaults;      /* Component id giving parameter values (may be NULL) */
    char *description;
    char *reference;
    dtb__lems_where at;
} dtb__lems_head;
void dtb__lems_head_free(dtb__lems_head *h);

typedef struct dtb__lems_region_model {
    dtb__lems_head head;
    /* Synthesized region models (libdtb/model/model_synth.c): the
     * component giving the values, which may have no id (borrowed). */
    const struct dtb__lems_component *defaults_component;
    double time_scale;   /* seconds per model time unit (1 if absent) */
    dtb__lems_coupling *couplings; size_t n_couplings;
    char **observe; size_t n_observe;
    int *observe_line;   /* line of each <Observe> */
    dtb__lems_bound *bounds; size_t n_bounds;
    dtb__lems_bound *ranges; size_t n_ranges;
    dtb__lems_default_coupling default_coupling;
} dtb__lems_region_model;

/* libdtb's <SpikingCell>: a ComponentType as a built-in spiking cell
 * (libdtb/spiking/builtin/NAME.xml, dtb-cell(5)): the unit system of its
 * numbers, how synaptic conductances enter, whether forward Euler is
 * offered, and the defaults of a spiking region of a whole-brain
 * simulation (<RegionDefaults>). Read here; interpreted by the spiking
 * layer's registry (libdtb/spiking/spiking_registry.c). */
typedef struct dtb__lems_cell_set {
    char *name;          /* a parameter of the cell */
    double value;        /* in the cell's units */
    dtb__lems_where at;
} dtb__lems_cell_set;

typedef struct dtb__lems_spiking_cell {
    dtb__lems_head head;        /* name: as dtb_spiking_add_population takes it */
    /* units of the cell's numbers (voltageUnit, timeUnit, currentUnit); NULL: SI */
    char *voltage_unit, *time_unit, *current_unit;
    double conductance_scale;   /* conductanceScale: nS -> the cell's conductance unit; NAN: from the units */
    int euler;                  /* euler="false": dtb_spiking_set_method refuses forward Euler */
    /* <RegionDefaults>: has_region 0 when absent */
    int has_region;
    char *bias_param;           /* biasParameter (default I_e) */
    double bias, w_exc, w_inh;
    dtb__lems_cell_set *sets; size_t n_sets;        /* <Set parameter= value=> */
    char *draw_state;           /* <Draw state=...>, or NULL */
    double draw_lo, draw_hi;    /* min/max, NAN when spread is used */
    double draw_spread;         /* spread: the initial value +- spread; NAN when min/max */
    dtb__lems_where region_at;
} dtb__lems_spiking_cell;

typedef struct dtb__lems_doc {
    char **files; size_t n_files;            /* every file read, once each */
    dtb__lems_dimension *dims; size_t n_dims;
    dtb__lems_unit *units; size_t n_units;
    dtb__lems_comptype *types; size_t n_types;
    dtb__lems_comptype *resolved;            /* n_types: types[i] with its supertypes merged */
    dtb__lems_component *components; size_t n_components;
    dtb__lems_region_model *region_models; size_t n_region_models;
    dtb__lems_spiking_cell *spiking_cells; size_t n_spiking_cells;
    char *target;                            /* <Target component=...> of the main file, or NULL */
    dtb__lems_where target_at;
    char **warnings; size_t n_warnings;      /* sloppy but accepted, "FILE:LINE: <Elem>: ..." */
    size_t *warning_types;                   /* the type (index) each warning is about */
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

/* The report of dtb_lems_document_describe (lems_describe.c), appended to
 * b: path is the file as the caller named it; all lists the included
 * files' types too. */
struct dtb__strbuf;
void dtb__lems_describe(const dtb__lems_doc *doc, const char *path, int all, struct dtb__strbuf *b);

/* Lookups (NULL when absent). */
const dtb__lems_comptype *dtb__lems_find_type(const dtb__lems_doc *doc, const char *name);
/* The resolved (flattened) type: declarations of the supertypes merged in. */
const dtb__lems_comptype *dtb__lems_resolved_type(const dtb__lems_doc *doc, const char *name);
/* 1 if type `t` (resolved) is `base` or extends it, directly or not. The
 * type "Component" is the base of every type. */
int dtb__lems_type_is(const dtb__lems_comptype *t, const char *base);
/* A top-level or nested component by id: top-level first, then a
 * depth-first search of the nested ones. */
const dtb__lems_component *dtb__lems_find_any_component(const dtb__lems_doc *doc, const char *id);
/* 1 if a <RegionModel> names the type (its numbers are in native units). */
int dtb__lems_is_region_type(const dtb__lems_doc *doc, const char *name);
/* Attribute value of a component, or NULL. */
const char *dtb__lems_component_attr(const dtb__lems_component *c, const char *name);
/* Name lookups in a (resolved) type: index or -1. */
long dtb__lems_find_quantity(const dtb__lems_quantity *q, size_t n, const char *name);
long dtb__lems_find_equation(const dtb__lems_equation *e, size_t n, const char *name);
/* The order to compute equations in: each after those whose names its
 * value uses (lems_order.c; linear time, document order where free).
 * order[k] = index of the k-th. DTB_EPARSE naming a cycle, or an equation
 * that uses itself ("kind" names them: "DerivedVariable"). */
dtb_status dtb__lems_order_equations(const dtb__lems_equation *eqs, size_t n, const char *kind,
                                     size_t *order);
/* Equations by name in constant time (lems_names.c): build over eqs[0..n)
 * (borrowed; *repeated, when asked: the first equation whose name an
 * earlier one has, or n), find (index or -1; a repeated name finds the
 * first), free. */
typedef struct dtb__lems_names {
    const dtb__lems_equation *eqs;
    size_t *slot;   /* equation index + 1; 0: empty */
    size_t mask;
} dtb__lems_names;
dtb_status dtb__lems_names_build(dtb__lems_names *t, const dtb__lems_equation *eqs, size_t n,
                                 size_t *repeated);
long dtb__lems_names_find(const dtb__lems_names *t, const char *name);
void dtb__lems_names_free(dtb__lems_names *t);
/* DTB_EPARSE at the second of two equations with one name ("'x' is defined
 * twice"), else DTB_OK. */
dtb_status dtb__lems_check_unique(const dtb__lems_equation *eqs, size_t n);
long dtb__lems_find_decl(const dtb__lems_decl *d, size_t n, const char *name);
/* What state variable `state` of a (resolved) type does per regime: `of`
 * builds the expression for the TimeDerivative that applies (the regime's,
 * else the Dynamics'; NULL when neither), and a chain of selects on the
 * vector input `regime_input` (the regime's index) picks it per element.
 * Without regimes: of(the Dynamics' TimeDerivative). NULL with *none set
 * when the state has no TimeDerivative anywhere. */
dtb__expr *dtb__lems_by_regime(const dtb__lems_comptype *t, const char *state,
                               const char *regime_input,
                               dtb__expr *(*of)(const dtb__lems_equation *td, void *ud), void *ud,
                               int *none);
/* SHA-256 (hex) of a resolved type's equations in a canonical text
 * (lems_digest.c): what a hand-written kernel standing in for the type was
 * written for. Parameter values are not part of it. */
void dtb__lems_dynamics_digest(const dtb__lems_comptype *t, char hex[65]);
/* The index of regime `name` of a (resolved) type, or -1 (also for NULL). */
long dtb__lems_regime_index(const dtb__lems_comptype *t, const char *name);
/* Every event handler of a (resolved) type in LEMS order — the Dynamics'
 * own first, then each regime's (regime -1: the Dynamics') — until fn
 * returns an error, which is returned. The one order both LEMS compilers
 * (the engine's and spiking populations') apply handlers in. */
dtb_status dtb__lems_each_handler(const dtb__lems_comptype *t,
                                  dtb_status (*fn)(const dtb__lems_handler *h, long regime, void *ud),
                                  void *ud);
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

/* A quantity whose dimension is free (Line@scale): any known unit. */
dtb_status dtb__lems_any_quantity_to_si(const dtb__lems_doc *doc, const char *text, const char *what,
                                        double *si_out);

/* The Child or Children of `parent` (resolved) that a nested component
 * fills: the one named like its tag, else the first whose type it has.
 * *many is 1 for Children. NULL if none fits. */
const dtb__lems_decl *dtb__lems_child_slot(const dtb__lems_doc *doc, const dtb__lems_comptype *parent,
                                           const dtb__lems_component *child, int *many);

/* Resolve a unit symbol (document units first, then built-in ones). */
int dtb__lems_unit_lookup(const dtb__lems_doc *doc, const char *symbol, dtb__unit *out);

#endif /* DTB_LEMS_H */
