/* libdtb internal — spiking networks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: everything per cell is a structure of arrays (one double array
 * per state variable, parameter and receptor variable), so the per-step
 * loops run down contiguous memory and vectorise. Projections are stored
 * by source cell (CSR): a spike walks one row. Pending input sits in a
 * ring of per-target buffers indexed by the step it is due. */
#ifndef DTB_SPIKING_INTERNAL_H
#define DTB_SPIKING_INTERNAL_H

#include "base/base.h"
#include "base/ckpt.h"
#include "base/rng.h"
#include "dtb/dtb_spiking.h"

#define DTB__CELL_MAX_PARAMS 32
#define DTB__CELL_MAX_STATES 8

typedef struct dtb__spk_pop dtb__spk_pop;
typedef struct dtb__lems_cell dtb__lems_cell;

typedef struct dtb__cell_param {
    const char *name, *unit;
    double value;
} dtb__cell_param;

/* Synaptic drive of one step, per cell, from the receptors (conductances
 * already in uS, or dimensionless for the 2003 Izhikevich cell):
 * I_syn = cur + gE - gsum V. */
typedef struct dtb__syn_drive {
    const double *cur, *gsum, *gE;
} dtb__syn_drive;

typedef struct dtb__cell_model {
    const char *name;
    size_t n_params;
    dtb__cell_param params[DTB__CELL_MAX_PARAMS];
    size_t n_states;
    const char *states[DTB__CELL_MAX_STATES];
    double state_init[DTB__CELL_MAX_STATES];
    double conductance_scale;  /* nS -> the model's conductance unit */
    /* current receptors enter as their exact effect over the step on V
     * (receptor.coef_*), not as a current (the LIF) */
    int exact_current_input;
    int euler_ok;              /* DTB_SPIKING_METHOD_EULER is offered */
    /* Recompute per-cell constants after a parameter change (may be NULL). */
    dtb_status (*prepare)(dtb__spk_pop *p, double h);
    /* Advance every cell one step of h ms; append the index of each cell
     * that spiked to spiked[], return how many. */
    size_t (*update)(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked);
    /* the membrane potential: its state index (-1: none); delta synapses
     * and conductances act on it (built-in cells: 0, in mV) */
    int v_state;
    /* a delta synapse's jump of 1 mV in the cell's voltage unit: 1 for the
     * built-in cells (mV), 1e-3 for LEMS cells (V) */
    double delta_scale;
} dtb__cell_model;

/* ------------------------------------------------ the built-in cells
 *
 * Every built-in cell is a descriptor (builtin/NAME.xml: a LEMS
 * ComponentType and libdtb's <SpikingCell>, dtb-cell(5)) embedded in the
 * library; the registry (spiking_registry.c) reads them once and is the
 * only list of cell names. A population of a built-in cell runs its fast
 * path when one is registered for the cell's name and the descriptor
 * declares what the kernel expects; otherwise the generic path
 * (spiking_lems.c) runs the descriptor's equations. */

/* A hand-written kernel (spiking_cells.c), registered against a
 * descriptor's name: used when the descriptor declares exactly these
 * parameters and exposed state variables, in this order, with its numbers
 * in mV, ms and nA. The descriptor gives everything else (defaults, units,
 * initial values, conductance scale, Euler offered). */
typedef struct dtb__cell_fast_path {
    const char *name;
    size_t n_params;
    const char *params[DTB__CELL_MAX_PARAMS];
    size_t n_states;
    const char *states[DTB__CELL_MAX_STATES];
    int exact_current_input;
    /* the first 16 hex digits of dtb__lems_dynamics_digest of the
     * equations the kernel implements (the descriptor it was checked
     * against, tests/spiking/test_cell_paths.c) */
    const char *dynamics;
    dtb_status (*prepare)(dtb__spk_pop *p, double h);
    size_t (*update)(dtb__spk_pop *p, double h, const dtb__syn_drive *d, int32_t *spiked);
} dtb__cell_fast_path;

extern const dtb__cell_fast_path dtb__cell_fast_paths[];
extern const size_t dtb__n_cell_fast_paths;
const dtb__cell_fast_path *dtb__cell_fast_path_find(const char *name);

/* What a spiking region of a whole-brain simulation sets in its cells
 * (<RegionDefaults>): the bias parameter and its value, the default
 * weights, parameters set to other values, and the state drawn uniformly
 * (in [lo, hi], or the initial value +- spread when spread is not NAN). */
typedef struct dtb__cell_region {
    int has;                   /* 0: the cell has no region defaults */
    const char *bias_param;
    double bias, w_exc, w_inh;
    size_t n_sets;
    const char **set_names;
    const double *set_values;
    const char *draw_state;    /* NULL: none drawn */
    double draw_lo, draw_hi, draw_spread;
} dtb__cell_region;

typedef struct dtb__cell_entry dtb__cell_entry;

/* Which path a population of a built-in cell runs: the fast path when the
 * cell has one (AUTO), or the descriptor through the generic path (tests
 * compare the two; DTB_SPIKING_GENERIC=1 in the environment makes AUTO
 * mean GENERIC, see dtb_spiking(3)). */
typedef enum dtb__cell_path {
    DTB__CELL_PATH_AUTO,
    DTB__CELL_PATH_FAST,
    DTB__CELL_PATH_GENERIC
} dtb__cell_path;

/* The registry. A broken descriptor (which the build's tests rule out)
 * leaves it empty; dtb__cell_registry_status then says why. */
dtb_status dtb__cell_registry_status(void);
size_t dtb__cell_count(void);
const dtb__cell_entry *dtb__cell_at(size_t index);                /* NULL beyond */
const dtb__cell_entry *dtb__cell_find(const char *name);          /* NULL if unknown */
/* Its cell table: parameters (defaults, units), exposed states and their
 * initial values, conductance scale, Euler offered; the fast path's kernels
 * (prepare/update NULL without one). */
const dtb__cell_model *dtb__cell_entry_model(const dtb__cell_entry *e);
const dtb__cell_fast_path *dtb__cell_entry_fast(const dtb__cell_entry *e);   /* NULL: none */
const dtb__cell_region *dtb__cell_entry_region(const dtb__cell_entry *e);
/* Why the fast path registered under the cell's name does not fit its
 * descriptor (NULL: it fits, or there is none). */
const char *dtb__cell_entry_no_fast(const dtb__cell_entry *e);
/* An entry read from descriptor text instead of the embedded one, outside
 * the registry (tests: a perturbed copy must not take the fast path);
 * freed with dtb__cell_entry_free. */
dtb_status dtb__cell_entry_from_text(const char *name, const char *xml, size_t len,
                                     dtb__cell_entry **out);
void dtb__cell_entry_free(dtb__cell_entry *e);
/* The cell table of a built-in cell by name, NULL if unknown. */
const dtb__cell_model *dtb__cell_model_find(const char *name);
/* "lif, izhikevich, ..." (only those with region defaults if region_only),
 * appended to b. */
void dtb__cell_names(dtb__strbuf *b, int region_only);
/* A new generic-path cell for a population of e (its own parsed copy of
 * the descriptor). */
dtb_status dtb__cell_load_generic(const dtb__cell_entry *e, dtb__lems_cell **out);
/* dtb_spiking_add_population with the path chosen (spiking_net.c). */
dtb_status dtb__spk_add_population_path(dtb_spiking_net *net, const char *name,
                                        const char *cell_model, int64_t n, dtb__cell_path path,
                                        int64_t *index_out);

typedef struct dtb__receptor {
    char *name;
    dtb_synapse_kind kind;
    dtb_synapse_mode mode;
    double tau_rise, tau_decay;  /* ms */
    double e_rev;                /* mV */
    double norm;                 /* BIEXP peak normalisation */
    double decay, rise_decay;    /* e^(-h/tau) of this step size */
    double *s;                   /* [n] EXP value or BIEXP decaying part */
    double *r;                   /* [n] BIEXP rising part (s - r is the value) */
    double **ring;               /* [ring_len][n] pending input per step */
    double *coef_s, *coef_r;     /* [n] exact effect of s and r on V over a step */
} dtb__receptor;

struct dtb__spk_pop {
    char *name;
    const dtb__cell_model *model;
    int64_t n;
    dtb_spiking_method method;
    dtb__lems_cell *lems;                     /* a LEMS cell type's population, or NULL */
    double t_now;                             /* s, the start of the step being taken */
    unsigned char state_set[DTB__CELL_MAX_STATES];   /* set by the user (OnStart spares it) */
    double *param[DTB__CELL_MAX_PARAMS];      /* [n] each */
    unsigned char uniform[DTB__CELL_MAX_PARAMS]; /* every cell has the same value */
    double *state[DTB__CELL_MAX_STATES];      /* [n] each */
    double *refractory;                       /* steps left (a double: the kernels vectorise) */
    dtb__receptor *rec;
    size_t n_rec;
    int prepared;
    /* per-cell constants of the model (prepare) */
    double *derived[8];
    double derived_u[8];                      /* values when uniform */
    int derived_per_cell;
    /* synaptic drive of the step */
    double *cur, *gsum, *gE;
    double *scratch;                          /* [n] */
    int cur_zero, g_zero;                     /* cur / gsum and gE hold zeros */
    int has_current, has_conductance;
    /* spikes */
    int32_t *spiked;                          /* [n] cells that spiked this step */
    size_t n_spiked;
    int64_t n_spikes_total;
    int recording;
    int64_t *rec_steps;
    int32_t *rec_cells;
    size_t n_rec_spikes, cap_rec_spikes;
};

/* One projection: CSR by source cell. */
typedef struct dtb__spk_projection {
    int64_t pre, post, receptor;
    int64_t *row;                /* [n_pre + 1] */
    int32_t *target;             /* [n_syn] */
    double *weight;              /* [n_syn] (BIEXP: times the normalisation); NULL: all weight_all */
    uint16_t *delay;             /* [n_syn] steps; NULL: all delay_all */
    double weight_all;
    int64_t delay_all;
    int64_t n_syn;
    int64_t max_delay;
} dtb__spk_projection;

typedef struct dtb__poisson {
    int64_t pop, receptor;
    double rate_hz, weight;
    double *budget;              /* [n] unit-rate exponential time left */
} dtb__poisson;

typedef struct dtb__spike_train {
    int64_t pop, cell, receptor;
    int64_t *steps;              /* delivery step of each event, ascending */
    size_t n, next;
    double weight;
} dtb__spike_train;

struct dtb_spiking_net {
    double dt;                   /* s */
    double h;                    /* ms */
    uint64_t seed;
    dtb__rng rng;
    int64_t step;
    int started;
    dtb__spk_pop *pops;
    size_t n_pops;
    dtb__spk_projection *projs;
    size_t n_projs;
    dtb__poisson *poisson;
    size_t n_poisson;
    dtb__spike_train *trains;
    size_t n_trains;
    int64_t ring_len;            /* slots (largest delay + 2) */
    int locked;                  /* owned by a dtb_sim: its structure is the sim's */
};

/* Validate a population / receptor index, naming the calling function. */
dtb_status dtb__spk_pop_check(const dtb_spiking_net *net, int64_t pop, const char *fn);
dtb_status dtb__spk_receptor_check(const dtb_spiking_net *net, int64_t pop, int64_t rec,
                                   const char *fn);
/* Draw from a distribution (checked by dtb__spk_dist_check). */
double dtb__spk_draw(dtb__rng *rng, dtb_distribution dist, double a, double b);
dtb_status dtb__spk_dist_check(dtb_distribution dist, double a, double b, const char *what);
/* Make every receptor ring at least len slots long. */
dtb_status dtb__spk_grow_rings(dtb_spiking_net *net, int64_t len);
/* Add a projection built from (pre, post, weight, delay-steps) arrays; takes
 * ownership of nothing (copies into CSR). */
dtb_status dtb__spk_add_projection(dtb_spiking_net *net, int64_t pre, int64_t post,
                                   int64_t receptor, const int32_t *pre_cells,
                                   const int32_t *post_cells, const double *weights,
                                   const int64_t *delays, int64_t n);
/* Delay in seconds -> steps (checked, named). */
dtb_status dtb__spk_delay_steps(const dtb_spiking_net *net, double delay, int64_t *steps);

/* DTB_ESTATE (naming fn) unless the network's structure may change. */
dtb_status dtb__spk_buildable(const dtb_spiking_net *net, const char *fn);
/* Advance one step (the simulation's bridge calls this every step). */
dtb_status dtb__spk_step_checked(dtb_spiking_net *net);

/* Synapses read from a file, before dtb_spiking_connect_list checks them:
 * cell indices, weights, delays in seconds. */
typedef struct dtb__syn_table {
    int64_t *pre, *post;
    double *weight, *delay;
    size_t n, cap;
} dtb__syn_table;
dtb_status dtb__syn_table_push(dtb__syn_table *t, int64_t pre, int64_t post, double weight,
                               double delay);
void dtb__syn_table_free(dtb__syn_table *t);
/* The synapses of a NeuroML2 <projection> (id `projection`, or the only
 * one when NULL), appended to t; errors name file, line and element. */
dtb_status dtb__spk_read_neuroml_projection(const char *path, const char *projection,
                                            double default_weight, dtb__syn_table *t);

/* LEMS cell types (spiking_lems.c): load one (a component id or a
 * ComponentType name of the file), its model table, free it. */
dtb_status dtb__lems_cell_load(const char *path, const char *cell, const char *const *include_dirs,
                               size_t n_include_dirs, dtb__lems_cell **out);
const dtb__cell_model *dtb__lems_cell_model(const dtb__lems_cell *c);
/* How many of the type's DerivedVariables receive the receptors' currents
 * (selections over its synapses, NeuroML's iSyn): 0 means no input. */
size_t dtb__lems_cell_synaptic_inputs(const dtb__lems_cell *c);
void dtb__lems_cell_free(dtb__lems_cell *c);
/* A cell type of an already-read document, whose numbers are in the units
 * `u` gives instead of SI (the built-in cells, spiking_registry.c): the
 * document is taken over (freed with the cell, and on failure). */
struct dtb__lems_doc;
typedef struct dtb__lems_cell_units {
    const char *name;             /* the model's name ("lif") */
    double h_to_dt;               /* a step in ms -> the cell's time unit (1: ms) */
    double t_scale;               /* seconds -> the cell's time unit (1e3: ms) */
    double i_scale;               /* nA -> the cell's current unit (1: nA) */
    double v_scale;               /* the cell's voltage unit -> mV (1: mV) */
    double conductance_scale;     /* nS -> the cell's conductance unit */
    int euler_ok;
    const char *const *param_units;   /* [n_params] as shown (dtb_spiking_cell_param_unit) */
    const double *params;         /* [n_params] defaults */
    const double *constants;      /* [n_constants] of the resolved type */
    const double *state_init;     /* [n_state_vars] */
} dtb__lems_cell_units;
dtb_status dtb__lems_cell_adopt(struct dtb__lems_doc *doc, const char *type,
                                const dtb__lems_cell_units *u, dtb__lems_cell **out);
/* A LEMS population's own state in checkpoints (n cells; base/ckpt.h). */
void dtb__lems_cell_fields(dtb__ckpt *w, dtb__lems_cell *c, size_t n);

/* A network's state in checkpoints (spiking_checkpoint.c, base/ckpt.h):
 * checking makes room for what restoring needs, so a restore after a
 * check cannot fail. */
void dtb__spk_fields(dtb__ckpt *w, dtb_spiking_net *net);

/* Prepare every population for stepping. */
dtb_status dtb__spk_prepare(dtb_spiking_net *net);

#endif
