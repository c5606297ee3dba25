/* libdtb internal — the LEMS engine's data: instance tree, groups of
 * instances of one type in structure-of-arrays, compiled programs, events.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_LR_PRIVATE_H
#define DTB_LR_PRIVATE_H

#include "base/base.h"
#include "base/rng.h"
#include "expr/expr.h"
#include "kernel/kernel.h"
#include "kernel/khandler.h"
#include "lems_run.h"

typedef struct lr_inst lr_inst;

/* An event connection out of one port of an instance. */
typedef struct lr_conn {
    size_t src_port;             /* index in the source type's event_ports */
    lr_inst *target;
    size_t target_port;          /* index in the target type's event_ports */
    double delay;                /* seconds */
    int64_t delay_steps;         /* set when the run is laid out */
} lr_conn;

/* One component instance. */
struct lr_inst {
    const dtb__lems_comptype *type;    /* resolved */
    const dtb__lems_component *comp;   /* as written */
    char *name;                        /* its path segment: id, child name or index */
    const char *slot;                  /* the Child/Children/Attachments it fills, or NULL */
    const char *ref_name;              /* ChildInstance: the ComponentReference it came from */
    long index;                        /* MultiInstantiate: its index; -1 otherwise */
    lr_inst *parent;
    lr_inst **kids; size_t n_kids, cap_kids;
    double *params;                    /* per type->params, SI; NaN when not given */
    double *props;                     /* per type->properties, SI */
    lr_inst **peers;                   /* per type->instance_reqs */
    lr_conn *conns; size_t n_conns, cap_conns;
    struct lr_recorder *recorders; size_t n_recorders;   /* EventOutputFile selections */
    int depth;
    int connected;                     /* its Structure connections are made */
    size_t group, gi;                  /* its group and place in it */
};

/* Kinds of variables, each stored per group as [count][n]. */
typedef enum lr_vkind {
    LR_STATE, LR_DV, LR_PARAM, LR_CONST, LR_DPARAM, LR_PROP, LR_REQ, LR_NKINDS
} lr_vkind;

typedef struct lr_var {
    lr_vkind kind;
    size_t index;
} lr_var;

/* Values gathered from other instances: a select DerivedVariable (kind
 * LR_DV) or a Requirement (LR_REQ). Instance i reads src[offsets[i] ..
 * offsets[i+1]), reduced by `reduce` (a single source when NONE; no source
 * gives 0 for add and none, 1 for multiply). */
typedef struct lr_gather {
    lr_vkind kind;
    size_t index;
    dtb__lems_reduce reduce;
    size_t *offsets;
    const double **src;
    size_t *deps; size_t n_deps;       /* graph nodes the sources are */
} lr_gather;

/* A compiled program over a group: a kernel program (kernel/kernel.h)
 * whose inputs are bound to the group's arrays, or to one shared value
 * where every instance has the same. */
typedef dtb__kprog lr_prog;

/* An event handler compiled: its assignments' values as outputs. */
typedef struct lr_handler {
    const dtb__lems_handler *h;
    dtb__khandler k;                   /* its regime, transition and assignments; whom it fires for */
    lr_prog prog;                      /* outputs: assignment values */
    size_t *event_ports;               /* port index of each EventOut */
    size_t port;                       /* OnEvent: the in port */
    double *vals;                      /* [n_assigns][n_fired]: the fired instances' values */
    const double **val_rows;           /* [n_assigns] rows of vals (k.vals) */
} lr_handler;

typedef struct lr_group {
    const dtb__lems_comptype *type;
    lr_inst **inst; size_t n, cap;
    size_t count[LR_NKINDS];
    double *arr[LR_NKINDS];            /* [count][n] each */
    unsigned char *uniform[LR_NKINDS]; /* per variable: same value in every instance */
    double *state_new;                 /* [count[LR_STATE]][n] */
    double *regime;                    /* [n] regime index as a number; NULL without regimes */
    unsigned char *entered;            /* [n] moved this instant (khandler.h); NULL without regimes */
    double **state_rows;               /* [count[LR_STATE]] each state's row of arr[LR_STATE] */
    int time_shadowed;                 /* the type has its own variable called "t" */
    lr_gather *gathers; size_t n_gathers;
    size_t node0;                      /* graph node of DV 0; of REQ r: node0 + count[DV] + r */
    lr_prog rate; int has_rate;
    size_t *rate_state; size_t n_rate_state;   /* state of each rate output */
    lr_prog deriv;                     /* the same states' dx/dt (outputs to dstate), for RK methods */
    double *dstate;                    /* [n_rate_state][n] */
    size_t *stages; size_t n_stages;   /* its derived-variable stages, in order (jLEMS order) */
    lr_handler *conds; size_t n_conds; /* OnConditions: Dynamics' first, then each regime's */
    lr_prog cond;                      /* outputs: every test */
    double *cond_out;                  /* [n_conds][n] */
    lr_handler *events; size_t n_events;   /* OnEvents */
    lr_handler *entries; size_t n_entries; /* OnEntry, one per regime that has one */
    lr_handler start; int has_start;
} lr_group;

/* A step of the derived-variable phase: one group's gathers, then one
 * program computing some of its expression DerivedVariables. */
typedef struct lr_stage {
    size_t group;
    size_t *gathers; size_t n_gathers;
    size_t *dvs; size_t n_dvs;
    lr_prog prog; int has_prog;
} lr_stage;

typedef struct lr_event {
    lr_inst *target;
    size_t port;
    int64_t due;                       /* step index */
    uint64_t seq;                      /* sending order */
} lr_event;

/* An EventSelection: events of one port of one instance go to an output. */
typedef struct lr_recorder {
    size_t port;
    size_t output;
    const char *id;                    /* the selection's id (borrowed from the document) */
} lr_recorder;

/* An EventSelection as read, resolved once the tree exists. */
typedef struct lr_selection {
    const char *path, *port, *id;      /* borrowed from the document */
    size_t output;
} lr_selection;

/* A KineticScheme of one instance (lr_kinetic.c). */
typedef struct lr_kscheme {
    lr_inst *owner;
    size_t n;                  /* nodes */
    double **occ;              /* each node's occupancy */
    size_t n_edges;
    size_t *from, *to;         /* node indices */
    const double **rf, **rr;   /* each edge's rates */
    void *a, *ea;              /* gsl_matrix: the rates times dt, its exponential */
    double *p;                 /* scratch occupancies */
    size_t batch;              /* jLEMS order: its owner's batch */
} lr_kscheme;

typedef struct lr_column {
    char *path;
    const double *src;
} lr_column;

struct dtb__lr_sim {
    const dtb__lems_doc *doc;
    const dtb__lems_component *sim_comp;
    lr_inst *root;
    lr_inst **all; size_t n_all, cap_all;
    lr_group *groups; size_t n_groups;
    lr_stage *stages; size_t n_stages;
    size_t n_nodes;
    double dt, length, t;
    int64_t n_steps, step;
    dtb__rng rng;
    lr_column *columns; size_t n_columns;
    lr_selection *selections; size_t n_selections;
    dtb__lr_event_fn event_fn;
    void *event_ud;
    dtb__lr_output *outputs; size_t n_outputs;
    lr_event *heap; size_t n_heap, cap_heap;   /* events not yet due, min-heap */
    lr_event *now; size_t n_now, cap_now;      /* events due at this instant */
    uint64_t event_seq;
    int state_changed;                 /* a handler changed a state value this instant */
    int handlers_read_derived;         /* some handler reads a derived variable or requirement */
    size_t *index_buf;                 /* scratch for instance index lists */
    dtb__kcompact compact;             /* scratch for evaluations over a subset */
    int laid_out;
    dtb__lr_order order;
    dtb__lr_method method;
    double rtol, atol;                 /* adaptive methods */
    struct lr_batch *batches; size_t n_batches;   /* jLEMS order (lr_tree.c) */
    double *scratch; size_t cap_scratch;
    lr_kscheme *kschemes; size_t n_kschemes;
    int one_by_one;
    struct lr_ode *ode;                /* RK and adaptive methods' work space */
};

/* ------------------------------------------------------ lr_instance.c */
/* Instantiate component c (and its nested components, ChildInstances and
 * MultiInstantiates) below parent. */
dtb_status dtb__lr_instantiate(dtb__lr_sim *sim, const dtb__lems_component *c, lr_inst *parent,
                               const char *name, const char *slot, lr_inst **out);
void dtb__lr_inst_free(lr_inst *li);
/* "net1/hhpop[0]/naChans" style location for messages. */
void dtb__lr_inst_path(const lr_inst *li, char *buf, size_t size);
/* An error prefixed with the instance's path and its component's location. */
dtb_status dtb__lr_inst_error(const lr_inst *li, dtb_status code, const char *fmt, ...) DTB__PRINTF(3, 4);
/* Text attribute value of an instance (its component's), or NULL. */
const char *dtb__lr_text(const lr_inst *li, const char *name);
/* The component a ComponentReference names: "ref" on li, "../ref" on its
 * parent, and so on. */
dtb_status dtb__lr_reference(const dtb__lr_sim *sim, const lr_inst *li, const char *ref,
                             const dtb__lems_component **out, const char **ref_name);
dtb_status dtb__lr_add_kid(lr_inst *parent, lr_inst *kid);

/* ----------------------------------------------------------- lr_paths.c */
/* Instances a path names, from `from`: segments separated by '/', each a
 * child name, "name[i]", "name[*]", "name[text='v']", "..", or a Path or
 * Link of the current instance (its value resolved from its parent).
 * `many`: [*] and predicates allowed. */
dtb_status dtb__lr_resolve_instances(const lr_inst *from, const char *path, int many,
                                     lr_inst ***out, size_t *n_out);
/* The instance the value of a Path of li names: "./x" from li itself,
 * anything else from li's parent, then further up until it resolves. */
dtb_status dtb__lr_path_value(const lr_inst *li, const char *value, lr_inst **out);
/* A variable of an instance by name (state, derived, parameter, constant,
 * derived parameter, property, requirement, or exposure alias); if the
 * instance has none, its ancestors are searched (the Requirement scope
 * rule). 1 with the owner and variable set if found. */
int dtb__lr_find_var(const lr_inst *li, const char *name, const lr_inst **owner, lr_var *var);
/* The nearest ancestor of li with a variable `name` (not counting
 * Requirements, which only pass values on): what satisfies li's
 * Requirement `name`. */
int dtb__lr_find_provider(const lr_inst *li, const char *name, const lr_inst **owner, lr_var *var);
/* The nearest ancestor of li with a variable `name`, a Requirement of that
 * name included (the copy it holds: what jLEMS reads). */
int dtb__lr_find_nearest(const lr_inst *li, const char *name, const lr_inst **owner, lr_var *var);
/* The same within one type (no ancestors). */
int dtb__lr_type_var(const dtb__lems_comptype *t, const char *name, lr_var *var);
/* A quantity path "a/b[0]/var" from `from`: the variable's storage. */
dtb_status dtb__lr_resolve_quantity(const dtb__lr_sim *sim, const lr_inst *from, const char *path,
                                    const double **src);
/* Where an instance's variable lives once laid out. */
double *dtb__lr_var_ptr(const dtb__lr_sim *sim, const lr_inst *li, lr_var var);

/* ------------------------------------------------------- lr_connect.c */
/* Make the connections of every instance's Structure (With,
 * EventConnection, Tunnel, ForEach), including instances they create. */
dtb_status dtb__lr_connect_all(dtb__lr_sim *sim);

/* -------------------------------------------------------- lr_layout.c */
/* Group instances by type, allocate and fill the arrays, compute derived
 * parameters, wire selects and requirements. */
dtb_status dtb__lr_layout(dtb__lr_sim *sim);

/* -------------------------------------------------------- lr_stages.c */
/* Order the derived-variable phase into stages. */
dtb_status dtb__lr_plan_stages(dtb__lr_sim *sim);

/* ------------------------------------------------------- lr_compile.c */
dtb_status dtb__lr_compile(dtb__lr_sim *sim);
/* Evaluate p over the instances idx[0..k) of group g (all of them if idx is
 * NULL), outputs to out[j] + 0..k (compact) or, with idx NULL and out NULL,
 * to the program's own output arrays. */
dtb_status dtb__lr_eval(dtb__lr_sim *sim, lr_group *g, lr_prog *p, const size_t *idx, size_t k,
                        double *const *out);

/* -------------------------------------------------------- lr_events.c */
dtb_status dtb__lr_send(dtb__lr_sim *sim, lr_inst *src, size_t port);
dtb_status dtb__lr_handlers(dtb__lr_sim *sim);
/* The OnConditions of the instances idx[0..k) of g (all with idx NULL). */
dtb_status dtb__lr_conditions(dtb__lr_sim *sim, lr_group *g, const size_t *idx, size_t k);
/* Deliver the events due by the current step. */
dtb_status dtb__lr_deliver_due(dtb__lr_sim *sim);
/* One stage's gathers for the instances idx[0..k) of its group (the first
 * k with idx NULL). */
void dtb__lr_gather(dtb__lr_sim *sim, const lr_stage *st, const size_t *idx, size_t k);
dtb_status dtb__lr_on_start(dtb__lr_sim *sim);
void dtb__lr_derived(dtb__lr_sim *sim);

/* ---------------------------------------------------------- lr_tree.c */
/* jLEMS' order: list the instances children first, each group's stages. */
dtb_status dtb__lr_plan_tree(dtb__lr_sim *sim);
/* One forward-Euler step in jLEMS' order, to sim->t + dt. */
dtb_status dtb__lr_tree_step(dtb__lr_sim *sim);
void dtb__lr_batch_free(dtb__lr_sim *sim, size_t b);

/* ------------------------------------------------------- lr_kinetic.c */
/* The KineticSchemes of the tree, wired to their nodes and edges (after
 * the layout), occupancies at their start. */
dtb_status dtb__lr_plan_kinetic(dtb__lr_sim *sim);
void dtb__lr_kinetic_free(dtb__lr_sim *sim);
/* One step of every scheme (pylems order, after the Euler step). */
dtb_status dtb__lr_kinetic_all(dtb__lr_sim *sim);
/* One step of the schemes of batch `batch` (jLEMS order). */
dtb_status dtb__lr_kinetic_batch(dtb__lr_sim *sim, size_t batch, size_t *cursor);

/* ----------------------------------------------------------- lr_ode.c */
/* One step of the simultaneous system (every derivative from the same
 * state) by sim->method, from sim->t to sim->t + dt. */
dtb_status dtb__lr_ode_step(dtb__lr_sim *sim);
void dtb__lr_ode_free(dtb__lr_sim *sim);
/* Forward Euler of the simultaneous system (pylems order). */
void dtb__lr_euler(dtb__lr_sim *sim);

/* ---------------------------------------------------- lr_simulation.c */
/* Read the Simulation component: target, step, length, seed, Displays,
 * OutputFiles; instantiate the target. */
dtb_status dtb__lr_read_simulation(dtb__lr_sim *sim, const dtb__lr_options *opts);
/* Attach the EventOutputFiles' selections to their instances. */
dtb_status dtb__lr_resolve_selections(dtb__lr_sim *sim);

#endif
