/* libdtb internal — multi-compartment cells from NeuroML2 <cell> elements.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three stages, one file each:
 *   read (mcell_read.c, mcell_groups.c, mcell_morph.c, mcell_lems_rate.c):
 *     a NeuroML2 file into a description (dtb__mc_desc) — segments, segment
 *     groups resolved to segment lists, HH ion channels (standard or
 *     LEMS-defined rates, q10), channel densities, capacitance,
 *     resistivity — checked whole before anything is built;
 *   build (mcell_build.c): the description discretised as NEURON does it,
 *     one section per NeuroML segment, nseg compartments per section, into a
 *     tree of nodes with capacitances, axial conductances and channel
 *     placements (dtb__mc_model);
 *   run (mcell_run.c, mcell_hines.c): backward Euler steps (NEURON's
 *     default, secondorder=0) or Crank-Nicolson (secondorder=2) solved on
 *     the tree by Hines' elimination.
 *
 * Units inside this layer are NEURON's: mV, ms, um, nA, uS, nF,
 * S/cm2, uF/cm2, ohm cm. */
#ifndef DTB_MCELL_INTERNAL_H
#define DTB_MCELL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"

typedef struct dtb__mc_point {
    double x, y, z, d;           /* um */
} dtb__mc_point;

typedef struct dtb__mc_segment {
    int64_t id;                  /* the NeuroML id */
    char *name;                  /* may be NULL */
    int64_t parent_id;           /* -1: none */
    int64_t parent;              /* index in desc.segments (-1: root), set by the morphology check */
    double fraction;             /* fractionAlong the parent (default 1) */
    dtb__mc_point proximal, distal;
    int has_proximal;            /* 0: the parent's point at fraction */
    int line;
} dtb__mc_segment;

/* A segment group as read, then resolved to the segment indices it holds. */
typedef struct dtb__mc_group {
    char *id;
    int line;
    int64_t *member_ids;         /* <member segment=...> */
    size_t n_member_ids;
    char **includes;             /* <include segmentGroup=...> */
    int *include_lines;
    size_t n_includes;
    int64_t (*paths)[2];         /* <path>: from, to (to -1: none); <subTree>: from or to */
    int *path_kinds;             /* 0 path, 1 subTree from, 2 subTree to */
    int *path_lines;
    size_t n_paths;
    /* resolved */
    int resolved;                /* 0 no, 1 in progress (include cycle), 2 done */
    unsigned char *has;          /* n_segments flags */
} dtb__mc_group;

/* A function of v in a gate: a rate (forwardRate, reverseRate: per ms), a
 * steady state (steadyState: dimensionless) or a time course (timeCourse:
 * ms), in one of NeuroML's standard forms or defined in LEMS. */
typedef enum dtb__mc_rate_form {
    DTB__MC_RATE_EXP,            /* HHExpRate: rate exp((v-midpoint)/scale) */
    DTB__MC_RATE_SIGMOID,        /* HHSigmoidRate: rate / (1 + exp(-(v-midpoint)/scale)) */
    DTB__MC_RATE_EXPLINEAR,      /* HHExpLinearRate: rate x / (1 - exp(-x)), x = (v-midpoint)/scale */
    DTB__MC_RATE_LEMS,           /* a ComponentType of the file (mcell_lems_rate.h) */
    DTB__MC_TIME_FIXED           /* fixedTimeCourse: tau (in rate, ms) */
} dtb__mc_rate_form;
/* HHExpVariable, HHSigmoidVariable, HHExpLinearVariable are the three rate
 * forms with a dimensionless rate. */

struct dtb__mc_lems_rate;

typedef struct dtb__mc_rate {
    dtb__mc_rate_form form;
    double rate;                 /* per ms (rates), 1 (variables), ms (fixedTimeCourse) */
    double midpoint, scale;      /* mV */
    struct dtb__mc_lems_rate *lems;   /* DTB__MC_RATE_LEMS: the compiled function (owned) */
    double lems_to_layer;        /* its SI result to this layer's unit: 1e-3 (1/s to 1/ms),
                                    1e3 (s to ms), 1 */
} dtb__mc_rate;

/* <q10Settings>: q10Fixed (fixed) or q10ExpTemp (factor^((T - exp_temp)/10)). */
typedef struct dtb__mc_q10 {
    int depends_on_temperature;
    double fixed;                /* q10Fixed's fixedQ10 */
    double factor, exp_temp;     /* q10ExpTemp's q10Factor, experimentalTemp (degC) */
    int line;
} dtb__mc_q10;

/* NeuroML's HH gates: which of alpha/beta, steadyState, timeCourse give
 * inf and tau (tau then divided by the rateScale). */
typedef enum dtb__mc_gate_kind {
    DTB__MC_GATE_RATES,          /* gateHHrates: inf = a/(a+b), tau = 1/(a+b) */
    DTB__MC_GATE_RATES_INF,      /* gateHHratesInf: inf = steadyState, tau = 1/(a+b) */
    DTB__MC_GATE_RATES_TAU,      /* gateHHratesTau: inf = a/(a+b), tau = timeCourse */
    DTB__MC_GATE_TAU_INF         /* gateHHtauInf: inf = steadyState, tau = timeCourse */
} dtb__mc_gate_kind;

typedef struct dtb__mc_gate {
    char *id;
    int instances;
    dtb__mc_gate_kind kind;
    dtb__mc_rate forward, reverse, steady, time_course;
    dtb__mc_q10 *q10;            /* NeuroML's rateScale: the product of their q10s */
    size_t n_q10;
} dtb__mc_gate;

/* A gate's rateScale at temperature (degC): it divides tau, not inf. */
double dtb__mc_gate_rate_scale(const dtb__mc_gate *g, double celsius);

typedef struct dtb__mc_channel {
    char *id;
    int line;
    dtb__mc_gate *gates;
    size_t n_gates;
} dtb__mc_channel;

typedef struct dtb__mc_density {
    char *id;
    size_t channel;              /* index in desc.channels */
    double gmax;                 /* S/cm2 */
    double erev;                 /* mV */
    size_t group;                /* index in desc.groups */
    int line;
} dtb__mc_density;

/* specificCapacitance and resistivity: a value on a group, later ones
 * overriding earlier ones where they overlap. */
typedef struct dtb__mc_value_on {
    double value;
    size_t group;
} dtb__mc_value_on;

typedef struct dtb__mc_desc {
    char *file;
    char *cell_id;
    dtb__mc_segment *segments;
    size_t n_segments;
    dtb__mc_group *groups;
    size_t n_groups;
    dtb__mc_channel *channels;
    size_t n_channels;
    dtb__mc_density *densities;
    size_t n_densities;
    dtb__mc_value_on *cm;        /* uF/cm2 */
    size_t n_cm;
    dtb__mc_value_on *ra;        /* ohm cm */
    size_t n_ra;
    double v_init;               /* mV (initMembPotential; -65 without one) */
    double spike_thresh;         /* mV (spikeThresh; 0 without one) */
    double temperature;          /* degC: the file's <network temperature>, NaN without one */
    size_t *order;               /* segments, every parent before its children (mcell_morph.c) */
} dtb__mc_desc;

/* Read cell `cell_id` (NULL: the file's only <cell>) from a NeuroML2 file
 * and the files it <include>s. Errors name the file, line and element. */
dtb_status dtb__mc_read(const char *path, const char *cell_id, dtb__mc_desc *out);
void dtb__mc_desc_free(dtb__mc_desc *d);

/* mcell_groups.c: resolve every group (members, includes, paths, subtrees)
 * after the morphology check; adds "all" when the file has none. */
dtb_status dtb__mc_groups_resolve(dtb__mc_desc *d);
/* The index of group `id`, or -1. */
int64_t dtb__mc_group_find(const dtb__mc_desc *d, const char *id);
/* The index of the segment with NeuroML id `id`, or -1. */
int64_t dtb__mc_segment_find(const dtb__mc_desc *d, int64_t id);

/* mcell_morph.c: parents found, no cycle, one root, no zero-length segment
 * but a spherical root, diameters positive; fills parent, proximal points
 * and d->order. */
dtb_status dtb__mc_morph_check(dtb__mc_desc *d);
/* The length and end diameters of a segment as a section (a spherical
 * root: a cylinder as long as its diameter, the same area). */
void dtb__mc_segment_shape(const dtb__mc_segment *s, double *length, double *d0, double *d1);

/* mcell_channel.c: the function at v (mV): per ms, 1 or ms. */
double dtb__mc_rate_eval(const dtb__mc_rate *r, double v);
/* A gate's steady state and its tau (ms, before the rateScale) at v. */
void dtb__mc_gate_inf_tau(const dtb__mc_gate *g, double v, double *inf, double *tau);

/* The discretised cell. Node 0 is the root section's 0 end. */
typedef struct dtb__mc_placement {   /* one channel density over its compartments */
    size_t density;
    size_t n;                    /* compartments */
    int64_t *node;
    double *gbar;                /* uS */
    double **state;              /* [gate][n] */
} dtb__mc_placement;

typedef struct dtb__mc_model {
    size_t n_nodes;
    int64_t *parent;             /* parent node (-1 for node 0); parent < node */
    double *g_axial;             /* uS to the parent */
    double *cap;                 /* nF (0 at the zero-area section ends) */
    double *area;                /* um2 */
    size_t *sec_first;           /* per segment: its first centre node */
    int64_t *sec_attach;         /* per segment: the node its 0 end is on */
    int64_t *nseg;               /* per segment */
    dtb__mc_placement *placements;
    size_t n_placements;
    size_t n_compartments;       /* nodes with membrane */
    /* work arrays for a step */
    double *v, *rhs, *diag, *inj;
} dtb__mc_model;

/* The most compartments of a cell. */
#define DTB__MC_MAX_COMPARTMENTS 10000000

/* nseg_all > 0: every section that many compartments; 0: the d_lambda rule
 * (0.1 of the length constant at 100 Hz, an odd number, as NEURON's
 * fixnseg.hoc). */
dtb_status dtb__mc_build(const dtb__mc_desc *d, int64_t nseg_all, dtb__mc_model *out);
void dtb__mc_model_free(dtb__mc_model *m);
/* The node at x along segment index s: NEURON's sec(x). */
int64_t dtb__mc_node_at(const dtb__mc_model *m, size_t s, double x);
/* NEURON's d_lambda nseg for a section of length L, diameter diam. */
int64_t dtb__mc_dlambda_nseg(double length, double diam, double ra, double cm);

/* mcell_hines.c: solve the tree system in place: diag (n), off (n: the
 * coefficient between node i and parent[i], symmetric), rhs (n) becomes
 * the solution. */
void dtb__mc_hines_solve(size_t n, const int64_t *parent, double *diag, const double *off,
                         double *rhs);

/* mcell_run.c */
typedef struct dtb__mc_clamp {
    int64_t node;
    double delay, duration, amplitude;   /* ms, ms, nA */
} dtb__mc_clamp;

/* A recorded quantity: the voltage of a node or a gate of a placement. */
typedef struct dtb__mc_probe {
    int64_t node;
    int64_t placement;           /* -1: voltage */
    size_t gate;
    size_t slot;                 /* compartment within the placement */
} dtb__mc_probe;

/* Spikes: upward crossings of a threshold at one node, the time of the
 * first step at or above it (as NEURON's NetCon in fixed steps). */
typedef struct dtb__mc_spikes {
    int64_t node;
    double threshold;            /* mV */
    double *times;               /* ms, grown by dtb__mc_run (caller frees) */
    size_t n, cap;
} dtb__mc_spikes;

/* Initialise at v_init (gates at steady state), then n_steps steps of dt,
 * backward Euler in v (crank_nicolson 0, NEURON's secondorder=0) or
 * Crank-Nicolson (1, secondorder=2); out[p][0..n_steps] receives each
 * probe (t = 0 first). */
dtb_status dtb__mc_run(dtb__mc_model *m, const dtb__mc_desc *d, const dtb__mc_clamp *clamps,
                       size_t n_clamps, const dtb__mc_probe *probes, size_t n_probes,
                       double dt, size_t n_steps, int crank_nicolson, double celsius,
                       dtb__mc_spikes *spikes, double **out);

#endif
