/* libdtb — spiking networks: populations of point neurons, synaptic
 * receptors, projections with delays, Poisson and spike-train inputs.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Units. Times at this API (dt, durations, delays, receptor time constants,
 * spike times) are in seconds and rates in Hz, as in the rest of libdtb.
 * Cell parameters and state variables are in the units of the cell model's
 * table below (mV, ms, nA, nF, uS, MOhm), which is what cell papers and
 * NeuroML use. Receptor weights: current receptors in nA, conductance
 * receptors in nS, delta receptors in mV (a jump of the membrane
 * potential); the izhikevich (2003) cell reads currents in its own unit
 * (mV/ms) and conductance weights as dimensionless (I = g (E - v)).
 *
 * Cell models (name: parameters with defaults; states). Each is a descriptor
 * compiled into the library (a LEMS ComponentType and libdtb's SpikingCell
 * element, dtb-cell(5)): dtb_spiking_cell_model_name() and the other
 * getters read them. The first six run hand-written kernels (the methods
 * below), tested to give their descriptors' numbers; qif and eif run their
 * descriptors by forward Euler:
 *   lif          leaky integrate-and-fire, tau_m dV/dt = E_L - V + R_m I, V > V_th:
 *                spike, V = V_reset and held there for t_ref.
 *                tau_m 20 ms, R_m 100 MOhm, E_L -70 mV, V_th -50 mV, V_reset -60 mV,
 *                t_ref 2 ms, I_e 0 nA; states V.
 *                With current receptors only, V and the synaptic currents are
 *                advanced exactly over a step; with conductance receptors by
 *                exponential Euler (the conductances held over the step).
 *   izhikevich   Izhikevich (2003): dv/dt = 0.04 v^2 + 5 v + 140 - u + I,
 *                du/dt = a (b v - u); v >= v_peak: v = c, u += d.
 *                a 0.02, b 0.2, c -65, d 8, v_peak 30, I_e 0; states v, u.
 *   izhikevich2007  Izhikevich (2007) / NeuroML izhikevich2007Cell:
 *                C dv/dt = k (v - vr)(v - vt) - u + I, du/dt = a (b (v - vr) - u);
 *                v >= vpeak: v = c, u += d.  C 0.1 nF, k 0.0007 uS/mV, vr -60 mV,
 *                vt -40 mV, vpeak 35 mV, a 0.03 /ms, b -0.002 uS, c -50 mV,
 *                d 0.1 nA, I_e 0 nA; states v, u.
 *   adex         adaptive exponential IF (Brette & Gerstner 2005):
 *                C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) - w + I,
 *                tau_w dw/dt = a (V - E_L) - w; V >= V_peak: V = V_reset, w += b,
 *                held for t_ref. C 0.281 nF, g_L 0.03 uS, E_L -70.6 mV, V_T -50.4 mV,
 *                Delta_T 2 mV, tau_w 144 ms, a 0.004 uS, b 0.0805 nA, V_reset -70.6 mV,
 *                V_peak -40.4 mV, t_ref 0 ms, I_e 0 nA; states V, w.
 *   hh           Hodgkin-Huxley (1952) squid axon, rest -65 mV, as in NeuroML's
 *                HH example: C 0.2 nF, g_Na 24 uS, g_K 7.2 uS, g_L 0.06 uS,
 *                E_Na 50 mV, E_K -77 mV, E_L -54.387 mV, V_th 0 mV (a spike is an
 *                upward crossing), I_e 0 nA; states V, m, h, n. Gates by
 *                Rush-Larsen (exact for frozen V), V by exponential Euler.
 *   traub_miles  Traub & Miles (1991) as in benchmark 3 of Brette et al. (2007)
 *                (Brian2's COBAHH): HH-type Na and K rates shifted by V_T.
 *                C 0.2 nF, g_L 0.01 uS, E_L -60 mV, g_Na 20 uS, E_Na 50 mV,
 *                g_K 6 uS, E_K -90 mV, V_T -63 mV, V_th -20 mV (upward
 *                crossing), I_e 0 nA; states V, m, h, n. Exponential Euler as
 *                Brian2's: gates by Rush-Larsen and V exactly, each with the
 *                other variables held at their start-of-step values.
 *   qif          quadratic integrate-and-fire (Latham et al. 2000):
 *                tau_m dV/dt = (V - V_rest)(V - V_c) / (V_c - V_rest) + R_m I;
 *                V >= V_peak: spike, V = V_reset and held there for t_ref.
 *                tau_m 20 ms, R_m 100 MOhm, V_rest -65 mV, V_c -50 mV, V_peak 20 mV,
 *                V_reset -70 mV, t_ref 2 ms, I_e 0 nA; states V.
 *   eif          exponential integrate-and-fire (Fourcaud-Trocme et al. 2003):
 *                C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) + I;
 *                V >= V_peak: spike, V = V_reset and held there for t_ref. C 0.281 nF,
 *                g_L 0.03 uS, E_L -70.6 mV, V_T -50.4 mV, Delta_T 2 mV, V_peak -40.4 mV,
 *                V_reset -70.6 mV, t_ref 2 ms, I_e 0 nA; states V.
 * izhikevich, izhikevich2007 and adex are advanced by the classical
 * Runge-Kutta method with the synaptic input held over the step.
 * A threshold is detected at the end of a step; the spike time is the end
 * of that step.
 *
 * Receptors (synapse kinds) belong to a population; each cell has its own
 * copy. A spike arriving with weight w:
 *   DELTA   adds w (mV) to the membrane potential (current-based only);
 *   EXP     s += w; s decays with tau_decay;
 *   BIEXP   s = w N (e^(-t/tau_decay) - e^(-t/tau_rise)), N normalising the peak
 *           to w (tau_rise < tau_decay).
 * s enters as a current s (CURRENT) or as a conductance, current
 * s (E_rev - V) (CONDUCTANCE).
 *
 * One step from t to t + dt: spikes due at t are added to the receptors
 * (input delivered with delay d left the source d earlier), the cells are
 * advanced, thresholds checked, and the spikes sent along the projections.
 * A spike emitted at the end of a step with delay d (rounded to whole
 * steps, d = 0 allowed) reaches its target before the step starting d
 * later. Pending input is held in a ring of per-target buffers, one slot
 * per step of the largest delay: memory (largest delay / dt + 2) x cells x
 * receptors doubles.
 *
 * Random numbers (initial values and parameters from distributions,
 * connections, Poisson inputs) come from the network's generator, seeded
 * at creation: the same calls in the same order give the same network and
 * the same spikes.
 *
 * Thread safety: as dtb_sim; different networks are independent. */
#ifndef DTB_SPIKING_H
#define DTB_SPIKING_H

#include "dtb_common.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_spiking_net dtb_spiking_net;

typedef enum dtb_synapse_kind {
    DTB_SYNAPSE_DELTA = 1,
    DTB_SYNAPSE_EXP = 2,
    DTB_SYNAPSE_BIEXP = 3,
    DTB_SYNAPSE_FORCE32_ = 0x7FFFFFFF
} dtb_synapse_kind;

typedef enum dtb_synapse_mode {
    DTB_SYNAPSE_CURRENT = 0,
    DTB_SYNAPSE_CONDUCTANCE = 1,
    DTB_SYNAPSE_MODE_FORCE32_ = 0x7FFFFFFF
} dtb_synapse_mode;

/* Distributions of per-cell and per-synapse values:
 *   CONSTANT  a;   UNIFORM  on [a, b);   NORMAL  mean a, standard deviation b. */
typedef enum dtb_distribution {
    DTB_DIST_CONSTANT = 0,
    DTB_DIST_UNIFORM = 1,
    DTB_DIST_NORMAL = 2,
    DTB_DIST_FORCE32_ = 0x7FFFFFFF
} dtb_distribution;

/* Connection rules (dtb_spiking_connect_options.rule):
 *   ALL_TO_ALL         every pre to every post;
 *   FIXED_PROBABILITY  each pair independently with probability p;
 *   FIXED_INDEGREE     each post from `indegree` distinct pres, drawn uniformly;
 *   ONE_TO_ONE         pre i to post i (equal sizes).
 * Self-connections (pre and post the same population, same cell) are made
 * only with DTB_CONNECT_FLAG_AUTAPSES. */
typedef enum dtb_connect_rule {
    DTB_CONNECT_ALL_TO_ALL = 1,
    DTB_CONNECT_FIXED_PROBABILITY = 2,
    DTB_CONNECT_FIXED_INDEGREE = 3,
    DTB_CONNECT_ONE_TO_ONE = 4,
    DTB_CONNECT_FORCE32_ = 0x7FFFFFFF
} dtb_connect_rule;

#define DTB_CONNECT_FLAG_AUTAPSES 0x1u

#define DTB_SPIKING_CONNECT_OPTIONS_VERSION 1

/* The options of dtb_spiking_connect. Weights (receptor units) and delays
 * (seconds) are drawn per synapse; delays below 0 are refused. */
typedef struct dtb_spiking_connect_options {
    uint32_t version;          /* DTB_SPIKING_CONNECT_OPTIONS_VERSION */
    uint32_t flags;            /* DTB_CONNECT_FLAG_* */
    int32_t rule;              /* dtb_connect_rule */
    int32_t weight_dist;       /* dtb_distribution */
    double p;                  /* FIXED_PROBABILITY */
    int64_t indegree;          /* FIXED_INDEGREE */
    double weight_a;
    double weight_b;
    int32_t delay_dist;        /* dtb_distribution */
    int32_t reserved_;         /* 0 */
    double delay_a;            /* seconds */
    double delay_b;
} dtb_spiking_connect_options;

/* All-to-all, weight 1, delay 0 (as dtb_spiking_connect_options_init). */
#define DTB_SPIKING_CONNECT_OPTIONS_INIT { DTB_SPIKING_CONNECT_OPTIONS_VERSION, 0, \
    DTB_CONNECT_ALL_TO_ALL, DTB_DIST_CONSTANT, 0.0, 0, 1.0, 0.0, DTB_DIST_CONSTANT, 0, 0.0, 0.0 }

DTB_API dtb_status dtb_spiking_connect_options_init(dtb_spiking_connect_options *opts,
                                                    uint32_t version);

/* The names before 0.2, kept for programs written with them: the same
 * type, the same values, and an init function that differs only in the
 * name its error messages give. */
typedef dtb_spiking_connect_options dtb_connect_options;
#define DTB_CONNECT_OPTIONS_VERSION DTB_SPIKING_CONNECT_OPTIONS_VERSION
#define DTB_CONNECT_OPTIONS_INIT DTB_SPIKING_CONNECT_OPTIONS_INIT
DTB_API dtb_status dtb_connect_options_init(dtb_spiking_connect_options *opts, uint32_t version);

/* A network advancing in steps of dt seconds (> 0), random numbers from seed. */
DTB_API dtb_status dtb_spiking_create(dtb_spiking_net **out, double dt, uint64_t seed);
DTB_API void dtb_spiking_free(dtb_spiking_net *net);

/* --- cell models --- */

/* Built-in cell model names (static strings), index 0 .. count-1. */
DTB_API int64_t dtb_spiking_cell_model_count(void);
DTB_API const char *dtb_spiking_cell_model_name(int64_t index);
/* A cell model's parameters and state variables: name, unit and default
 * (static strings; NULL / NaN for an unknown model or index). */
DTB_API int64_t dtb_spiking_cell_param_count(const char *cell_model);
DTB_API const char *dtb_spiking_cell_param_name(const char *cell_model, int64_t index);
DTB_API const char *dtb_spiking_cell_param_unit(const char *cell_model, int64_t index);
DTB_API double dtb_spiking_cell_param_default(const char *cell_model, int64_t index);
DTB_API int64_t dtb_spiking_cell_state_count(const char *cell_model);
DTB_API const char *dtb_spiking_cell_state_name(const char *cell_model, int64_t index);

/* --- building (before the first step; afterwards DTB_ESTATE) --- */

/* A population of n >= 1 cells of a built-in model; index_out (may be NULL)
 * receives its index. Names are unique. Cells start at the model's
 * default state. */
DTB_API dtb_status dtb_spiking_add_population(dtb_spiking_net *net, const char *name,
                                              const char *cell_model, int64_t n,
                                              int64_t *index_out);
/* A population of n cells of a LEMS/NeuroML cell type: `cell` names a
 * component of the file (its attributes give the parameter values) or a
 * ComponentType (then every parameter must be set before the first step).
 * NeuroML2CoreTypes.xml is found beside the file or in include_dirs, as by
 * dtb lems. The type must be one <Dynamics> block: StateVariables with
 * TimeDerivatives, DerivedVariables, OnStart, OnCondition handlers with
 * StateAssignments and EventOut (a spike); integrated by forward Euler in
 * SI units (parameters and states of such populations are SI), handlers
 * tested after each step as the LEMS interpreters do. A DerivedVariable
 * of dimension current that selects over the cell's synapses (NeuroML's
 * iSyn) receives the population's receptor currents; delta and
 * conductance receptors act on the first state of dimension voltage.
 * Regimes, OnEvent, Requirements and multi-component cells are refused
 * with DTB_EUNSUPPORTED naming the element (run those with dtb lems).
 * Examples: izhikevich2007Cell, iafCell, izhikevichCell, fitzHughNagumoCell. */
DTB_API dtb_status dtb_spiking_add_lems_population(dtb_spiking_net *net, const char *name,
                                                   const char *path, const char *cell, int64_t n,
                                                   const char *const *include_dirs,
                                                   size_t n_include_dirs, int64_t *index_out);
/* A receptor of population pop: kind, mode, time constants (s; tau_rise
 * for BIEXP only, else 0), reversal potential (mV; conductance only).
 * Names are unique within the population. */
DTB_API dtb_status dtb_spiking_add_receptor(dtb_spiking_net *net, int64_t pop, const char *name,
                                            dtb_synapse_kind kind, dtb_synapse_mode mode,
                                            double tau_rise, double tau_decay, double e_rev,
                                            int64_t *index_out);
/* Connect pre to receptor `receptor` of post by a rule. The synapse count
 * of the new projection goes to n_synapses_out (may be NULL). */
DTB_API dtb_status dtb_spiking_connect(dtb_spiking_net *net, int64_t pre, int64_t post,
                                       int64_t receptor, const dtb_spiking_connect_options *opts,
                                       int64_t *n_synapses_out);
/* Connect by an explicit list: synapse i from cell pre_cells[i] to
 * post_cells[i] with weights[i] and delays[i] (s; delays may be NULL: 0). */
DTB_API dtb_status dtb_spiking_connect_list(dtb_spiking_net *net, int64_t pre, int64_t post,
                                            int64_t receptor, const int64_t *pre_cells,
                                            const int64_t *post_cells, const double *weights,
                                            const double *delays, size_t n);
/* Connect from a file (the checks of dtb_spiking_connect_list apply; errors
 * name the file and line):
 *  - CSV with a header naming the columns pre and post (cell indices) and
 *    optionally weight and delay (s; missing: default_weight and 0);
 *  - NeuroML2 (.nml, .xml): the <connection>/<connectionWD> elements of the
 *    <projection> whose id is `projection` (NULL: the file's only one).
 *    preCellId/postCellId as "../pop/ID/component", "../pop[ID]" or "ID";
 *    connectionWD's weight (a number) and delay (a time with its unit,
 *    "2ms"; a bare number is seconds). Populations are not matched by name:
 *    the file's cells are pre's and post's cells by index.
 * projection must be NULL for CSV. */
DTB_API dtb_status dtb_spiking_connect_file(dtb_spiking_net *net, int64_t pre, int64_t post,
                                            int64_t receptor, const char *path,
                                            const char *projection, double default_weight);

/* Integration methods (dtb_spiking_set_method):
 *   DEFAULT  the cell model's own (see the table above);
 *   EULER    forward Euler with the synaptic input held over the step, as
 *            simulators such as Brian2 use with method='euler': cheaper, first
 *            order. Not for hh (DTB_EUNSUPPORTED). */
typedef enum dtb_spiking_method {
    DTB_SPIKING_METHOD_DEFAULT = 0,
    DTB_SPIKING_METHOD_EULER = 1,
    DTB_SPIKING_METHOD_FORCE32_ = 0x7FFFFFFF
} dtb_spiking_method;

/* Choose a population's integration method (any time; from the next step). */
DTB_API dtb_status dtb_spiking_set_method(dtb_spiking_net *net, int64_t pop,
                                          dtb_spiking_method method);

/* --- parameters and state (any time) --- */

/* Set a cell parameter (in its unit) of every cell of pop, drawn from a
 * distribution, or one value per cell. */
DTB_API dtb_status dtb_spiking_set_param(dtb_spiking_net *net, int64_t pop, const char *name,
                                         dtb_distribution dist, double a, double b);
DTB_API dtb_status dtb_spiking_set_param_values(dtb_spiking_net *net, int64_t pop,
                                                const char *name, const double *values,
                                                size_t n_values);
DTB_API dtb_status dtb_spiking_get_param_values(const dtb_spiking_net *net, int64_t pop,
                                                const char *name, double *buf,
                                                size_t capacity, size_t *needed_out);
/* Set a state variable (or a receptor's value, by the receptor's name) of
 * every cell, from a distribution or per cell. */
DTB_API dtb_status dtb_spiking_set_state(dtb_spiking_net *net, int64_t pop, const char *name,
                                         dtb_distribution dist, double a, double b);
DTB_API dtb_status dtb_spiking_set_state_values(dtb_spiking_net *net, int64_t pop,
                                                const char *name, const double *values,
                                                size_t n_values);
DTB_API dtb_status dtb_spiking_get_state_values(const dtb_spiking_net *net, int64_t pop,
                                                const char *name, double *buf,
                                                size_t capacity, size_t *needed_out);

/* --- inputs --- */

/* Independent Poisson spike trains, one per cell of pop, at rate_hz each,
 * each event adding weight to the receptor. index_out (may be NULL)
 * receives the input's index for dtb_spiking_set_poisson_rate. */
DTB_API dtb_status dtb_spiking_add_poisson(dtb_spiking_net *net, int64_t pop, int64_t receptor,
                                           double rate_hz, double weight, int64_t *index_out);
/* Change a Poisson input's rate (Hz, >= 0) from the next step on. The
 * trains stay Poisson (time rescaling), also with a rate that changes
 * every step. */
DTB_API dtb_status dtb_spiking_set_poisson_rate(dtb_spiking_net *net, int64_t input,
                                                double rate_hz);
/* A spike train into one cell: events at the given times (s, ascending),
 * each adding weight to the receptor, delivered before the step starting
 * at or after each time. */
DTB_API dtb_status dtb_spiking_add_spike_train(dtb_spiking_net *net, int64_t pop, int64_t cell,
                                               int64_t receptor, const double *times,
                                               size_t n_times, double weight);

/* --- running --- */

/* Record the spikes of pop (from now on; off by default). */
DTB_API dtb_status dtb_spiking_record(dtb_spiking_net *net, int64_t pop, int32_t on);
DTB_API dtb_status dtb_spiking_step(dtb_spiking_net *net, int64_t n_steps);
/* Advance rint(duration / dt) steps. */
DTB_API dtb_status dtb_spiking_run(dtb_spiking_net *net, double duration);

/* --- inspection --- */

DTB_API double dtb_spiking_time(const dtb_spiking_net *net);     /* s; NaN for NULL */
DTB_API double dtb_spiking_dt(const dtb_spiking_net *net);       /* s; NaN for NULL */
DTB_API int64_t dtb_spiking_population_count(const dtb_spiking_net *net);
DTB_API int64_t dtb_spiking_population_index(const dtb_spiking_net *net, const char *name);
DTB_API int64_t dtb_spiking_population_size(const dtb_spiking_net *net, int64_t pop);
DTB_API int64_t dtb_spiking_synapse_count(const dtb_spiking_net *net);
/* Spikes of pop since the start (whether recorded or not). */
DTB_API int64_t dtb_spiking_spike_count(const dtb_spiking_net *net, int64_t pop);
/* Recorded spikes of pop in time order: cell index and time (s). Two-call
 * idiom; needed = recorded spikes; either buffer may be NULL. */
DTB_API dtb_status dtb_spiking_get_spikes(const dtb_spiking_net *net, int64_t pop,
                                          int64_t *cells, double *times, size_t capacity,
                                          size_t *needed_out);
/* Irregularity of the recorded spikes of pop: the coefficient of variation
 * (standard deviation / mean, population formula) of each cell's
 * inter-spike intervals, averaged over the cells with at least min_spikes
 * (>= 3) recorded spikes; their number goes to n_cells_out (may be NULL).
 * NaN when no cell qualifies. */
DTB_API dtb_status dtb_spiking_cv_isi(const dtb_spiking_net *net, int64_t pop, int64_t min_spikes,
                                      double *mean_cv_out, int64_t *n_cells_out);
/* Spikes of pop in the last step. */
DTB_API int64_t dtb_spiking_last_step_spikes(const dtb_spiking_net *net, int64_t pop);

/* --- benchmark networks --- */

/* Build the Vogels-Abbott networks of Brette et al. (2007), benchmarks 1
 * and 2, with n cells (80% excitatory; 2% connectivity, random, no delays;
 * dt 0.1 ms) of lif cells in two populations, "E" (round(0.8 n) cells) and
 * "I" (the rest), each with receptors "e" and "i":
 *   "cuba"  current-based exponential synapses (5 / 10 ms), E_L -49 mV,
 *           V_th -50 mV, V_reset -60 mV, t_ref 5 ms, tau_m 20 ms; weights 1.62 mV
 *           and -9 mV (as voltage jumps of the synaptic variables), exact
 *           integration; V drawn uniformly between V_reset and V_th;
 *   "coba"  conductance-based exponential synapses (E 0 / -80 mV), E_L -60 mV,
 *           a constant drive of 20 mV, weights 6 nS and 67 nS on g_L 10 nS;
 *           V drawn from N(-55, 5) mV; forward Euler, as the benchmark's
 *           Brian2 script (dtb_spiking_set_method can change it);
 *   "cobahh" benchmark 3 as Brian2's COBAHH example: traub_miles cells,
 *           conductance-based exponential synapses of 6 nS (5 ms, 0 mV)
 *           and 67 nS (10 ms, -80 mV), no external drive; V from
 *           N(-65, 5) mV, the receptors "e" from N(40, 15) nS and "i" from
 *           N(200, 120) nS, the gates at 0.
 * Weights are scaled by 4000 / n so that larger networks keep the same
 * input per cell (Brian2's scripts keep them, with p = 0.02: at n != 4000
 * the two are different networks). The network records its spikes. */
DTB_API dtb_status dtb_spiking_create_benchmark(dtb_spiking_net **out, const char *name,
                                                int64_t n, uint64_t seed);

/* --- the bridge: spiking regions in a whole-brain simulation ---
 *
 * A region of a dtb_sim can be replaced by a local spiking network that
 * runs on the simulation's clock (same dt, same step loop, one process):
 * n cells of a built-in model, a fraction exc_fraction excitatory ("E")
 * and the rest inhibitory ("I"), each cell receiving k_exc inputs from
 * distinct E cells and k_inh from distinct I cells (fixed in-degree,
 * capped at the population sizes) through exponential current synapses
 * (5 ms excitatory, 10 ms inhibitory) of weights w_exc and -w_inh (nA; the
 * 2003 Izhikevich cell: mV/ms). Defaults per cell model: the LIF network
 * is the Vogels-Abbott CUBA network scaled to n cells (self-sustained,
 * about 6 Hz); the others get a bias current that makes them fire.
 *
 * Mass -> spiking: the region's first coupling input c (what its neural
 * mass would have received, delays included) drives every E cell as
 * independent Poisson trains of rate max(0, background_hz +
 * input_gain c) Hz into the excitatory receptor, each event of weight
 * input_weight (default w_exc); with DTB_SPIKING_REGION_FLAG_CURRENT_INPUT
 * as a current input_gain c nA added to every E cell's bias instead. The
 * I cells receive background_hz only: driving them too would lower the E
 * rate (the paradoxical response of inhibition-stabilised networks).
 * Spiking -> mass: the E population's rate r(t) (spikes per cell per
 * second in each step) is smoothed by a first-order filter of time
 * constant rate_tau, r' = (r - r_s) / rate_tau (exact over a step), and
 * normalised into each coupling variable's range [lo, hi] of the model's
 * state table: x = lo + (hi - lo) r_s / (r_s + rate_half). x replaces the
 * region's coupling variables after every step, so the long-range coupling
 * (with its delays), the history and every observer (raw, tavg, BOLD,
 * EEG, FC, rates) see it; the region's other state variables keep
 * integrating the mass model driven by it. The population's own spikes
 * are in dtb_sim_spiking_net().
 *
 * Spiking regions are added before the first step. Checkpoints of the
 * simulation hold them (every cell's state, pending input, generators,
 * recorded spikes): a resumed run is bit-identical to an uninterrupted one,
 * given the same regions added the same way. */

#define DTB_SPIKING_REGION_OPTIONS_VERSION 1

/* dtb_spiking_region_options.flags */
#define DTB_SPIKING_REGION_FLAG_CURRENT_INPUT 0x1u

/* Zero in any member means its default. */
typedef struct dtb_spiking_region_options {
    uint32_t version;          /* DTB_SPIKING_REGION_OPTIONS_VERSION */
    uint32_t flags;            /* DTB_SPIKING_REGION_FLAG_* */
    int64_t n;                 /* cells; default 1000 */
    double exc_fraction;       /* default 0.8 */
    int64_t k_exc;             /* excitatory inputs per cell; default 64 */
    int64_t k_inh;             /* inhibitory inputs per cell; default 16 */
    double w_exc;              /* > 0; default per model (LIF 0.0162 nA) */
    double w_inh;              /* > 0, enters with a minus sign; default per model (LIF 0.09 nA) */
    double background_hz;      /* Poisson drive per cell without coupling; default 0 */
    double input_gain;         /* Hz (or nA) per unit of coupling input; default 1000 Hz (0.1 nA) */
    double input_weight;       /* weight of each input event; default w_exc */
    double rate_tau;           /* s; default 0.01 */
    double rate_half;          /* Hz; default 10 */
} dtb_spiking_region_options;

#define DTB_SPIKING_REGION_OPTIONS_INIT { DTB_SPIKING_REGION_OPTIONS_VERSION, 0, 0, 0.0, 0, 0, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 }

DTB_API dtb_status dtb_spiking_region_options_init(dtb_spiking_region_options *opts,
                                                   uint32_t version);
/* Make region a spiking region of cell_model (NULL: "lif"); opts may be NULL. */
DTB_API dtb_status dtb_sim_add_spiking_region(dtb_sim *sim, int64_t region, const char *cell_model,
                                              const dtb_spiking_region_options *opts);
/* Make region a spiking region of a LEMS/NeuroML cell: `cell` names a
 * component or a ComponentType of the file at path, read as
 * dtb_spiking_add_lems_population reads it (what it accepts, SI units,
 * include_dirs for NeuroML2CoreTypes). The cell must receive synaptic
 * current (a DerivedVariable of dimension current selecting over its
 * synapses, as NeuroML's iSyn), else DTB_EINVAL. A file's cell has no
 * region defaults: opts must give w_exc and w_inh (nA; the receptors are
 * the same current-based exponential synapses as for the built-in cells),
 * the input is Poisson (DTB_SPIKING_REGION_FLAG_CURRENT_INPUT is refused:
 * no bias parameter is named), nothing is drawn (every cell starts from
 * the type's OnStart) and the cells fire from background_hz and the
 * coupling input only. */
DTB_API dtb_status dtb_sim_add_spiking_region_lems(dtb_sim *sim, int64_t region, const char *path,
                                                   const char *cell, const char *const *include_dirs,
                                                   size_t n_include_dirs,
                                                   const dtb_spiking_region_options *opts);
DTB_API int64_t dtb_sim_spiking_region_count(const dtb_sim *sim);
/* The index-th spiking region (in the order added): its region index and
 * the indices of its E and I populations in dtb_sim_spiking_net(). */
DTB_API dtb_status dtb_sim_spiking_region_info(const dtb_sim *sim, int64_t index,
                                               int64_t *region_out, int64_t *pop_exc_out,
                                               int64_t *pop_inh_out);
/* The smoothed E rate r_s (Hz) of the index-th spiking region. */
DTB_API double dtb_sim_spiking_rate(const dtb_sim *sim, int64_t index);
/* The network holding every spiking region's populations (borrowed, valid
 * while the simulation lives; NULL before the first spiking region). Use it
 * to record and read spikes, read states and change parameters; adding
 * populations, receptors or projections to it is refused. */
DTB_API dtb_spiking_net *dtb_sim_spiking_net(dtb_sim *sim);

DTB_END_DECLS

#endif /* DTB_SPIKING_H */
