/* libdtb — simulations: atlas x model x coupling x integrator x observers.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Time at this API is in seconds, conduction speed in m/s (= mm/ms).
 *
 * One step advances the state from t to t + dt:
 *   1. the coupling input of every region is computed from the delayed
 *      history of the coupling variables (delay in steps =
 *      rint(tract_length / speed / dt), round half to even, as TVB), and
 *      held fixed through all stages of the integrator;
 *   2. the integrator (Euler, Heun or RK4; with additive noise
 *      sqrt(2 D h) z per state variable when any D > 0, h = dt in the
 *      model's time unit) advances the state, clipping to the model's bounds;
 *   3. the new state enters the history and the observers.
 * The same seed and inputs give the same numbers on every run.
 *
 * Thread safety: a dtb_sim must not be used by two threads at once, except
 * dtb_sim_request_stop(), which any thread may call at any time. Different
 * simulations are independent. Callbacks run on the calling thread, inside
 * the call that triggered them; inside a callback only getters and
 * dtb_sim_request_stop() may be called on the same simulation.
 */
#ifndef DTB_SIM_H
#define DTB_SIM_H

#include "dtb_common.h"
#include "dtb_atlas.h"
#include "dtb_model.h"

DTB_BEGIN_DECLS

typedef struct dtb_sim dtb_sim;

/* Fixed-step schemes (EULER, HEUN, RK4) and GSL's gsl_odeiv2 steppers.
 * A GSL stepper integrates each step dt adaptively (absolute / relative
 * tolerances atol, rtol; never a step longer than dt) with the coupling of
 * that step held fixed, as TVB's SciPy integrators do; noise is added once
 * per step after it, and the state bounds are applied at the end of the
 * step only. The implicit steppers (MSBDF, BSIMP, RK*IMP) use a Jacobian by
 * finite differences (block diagonal: regions are independent within a
 * step), which costs one model evaluation per state variable; BSIMP solves
 * a dense linear system of size (states x regions) per step. */
typedef enum dtb_integrator {
    DTB_INTEGRATOR_DEFAULT = 0, /* Heun */
    DTB_INTEGRATOR_EULER = 1,
    DTB_INTEGRATOR_HEUN = 2,
    DTB_INTEGRATOR_RK4 = 3,
    DTB_INTEGRATOR_GSL_RK2 = 10,
    DTB_INTEGRATOR_GSL_RK4 = 11,
    DTB_INTEGRATOR_GSL_RKF45 = 12,
    DTB_INTEGRATOR_GSL_RKCK = 13,
    DTB_INTEGRATOR_GSL_RK8PD = 14,
    DTB_INTEGRATOR_GSL_MSADAMS = 15,
    DTB_INTEGRATOR_GSL_MSBDF = 16,
    DTB_INTEGRATOR_GSL_BSIMP = 17,
    DTB_INTEGRATOR_GSL_RK1IMP = 18,
    DTB_INTEGRATOR_GSL_RK2IMP = 19,
    DTB_INTEGRATOR_GSL_RK4IMP = 20,
    DTB_INTEGRATOR_FORCE32_ = 0x7FFFFFFF
} dtb_integrator;

/* Coupling functions (TVB's definitions; x_j is the source's coupling
 * variable d_kj steps ago, x_k the target's current value, w_kj the
 * weight; defaults in brackets):
 *   LINEAR        a * sum_j w_kj x_j + b                    [a 0.00390625, b 0]
 *   SCALING       a * sum_j w_kj x_j                        [a 0.00390625]
 *   DIFFERENCE    a * sum_j w_kj (x_j - x_k)                [a 0.1]
 *   KURAMOTO      a * sum_j w_kj sin(x_j - x_k)             [a 1] (TVB divides by the
 *                 number of coupling variables, 1, not by the number of regions)
 *   HYPERBOLIC_TANGENT  sum_j w_kj a (1 + tanh((b x_j - midpoint) / sigma))
 *                                                           [a 1, b 1, midpoint 0, sigma 1]
 *   SIGMOIDAL     cmin + (cmax - cmin) / (1 + exp(-a (g - midpoint) / sigma)),
 *                 g = sum_j w_kj x_j                        [cmin -1, cmax 1, midpoint 0,
 *                                                            a 1, sigma 230]
 *   SIGMOIDAL_JANSEN_RIT  a * sum_j w_kj (cmin + (cmax - cmin) /
 *                 (1 + exp(r (midpoint - (x_j[0] - x_j[1]))))): reads the first two
 *                 coupling variables and feeds the first input; the other inputs get 0
 *                                                           [cmin 0, cmax 0.005,
 *                                                            midpoint 6, r 0.56, a 1]
 *   PRE_SIGMOIDAL static (dynamic = 0): sum_j w_kj H (Q + tanh(G (P x_j - theta)))
 *                 per coupling variable; dynamic (dynamic = 1): the first input is
 *                 sum_j w_kj A_j with A_j = H (Q + tanh(G (P x_j[0] - x_j[1]))), the
 *                 second the region's own current A_k (TVB's local dynamic threshold)
 *                                                           [H 0.5, Q 1, G 60, P 1,
 *                                                            theta 0.5, dynamic 1]
 *   EXPRESSION    post(sum_j w_kj pre(x_j)) with user expressions: pre may use x_j
 *                 and parameters; post may use gx (the weighted sum), x_i (the
 *                 target's current value), w_sum (sum_j w_kj) and parameters. Set
 *                 with dtb_sim_set_coupling_expressions(). Applied to every
 *                 coupling variable. */
typedef enum dtb_coupling_kind {
    DTB_COUPLING_LINEAR = 1,
    DTB_COUPLING_SCALING = 2,
    DTB_COUPLING_DIFFERENCE = 3,
    DTB_COUPLING_KURAMOTO = 4,
    DTB_COUPLING_HYPERBOLIC_TANGENT = 5,
    DTB_COUPLING_SIGMOIDAL = 6,
    DTB_COUPLING_SIGMOIDAL_JANSEN_RIT = 7,
    DTB_COUPLING_PRE_SIGMOIDAL = 8,
    DTB_COUPLING_EXPRESSION = 9,
    DTB_COUPLING_FORCE32_ = 0x7FFFFFFF
} dtb_coupling_kind;

/* dtb_sim_options.flags */
/* Accumulate the coupling sum in float32 from a float32 history, in TVB's
 * order, to reproduce TVB's numbers to ~1e-11 (slower). */
#define DTB_SIM_FLAG_TVB_FLOAT32_COUPLING 0x1u

#define DTB_SIM_OPTIONS_VERSION 1

/* Zero in any member means its default. */
typedef struct dtb_sim_options {
    uint32_t version;       /* DTB_SIM_OPTIONS_VERSION */
    uint32_t flags;         /* DTB_SIM_FLAG_* */
    double dt;              /* step in seconds; default 1e-4 (0.1 ms) */
    double speed;           /* conduction speed in m/s; default 3; INFINITY: no delays */
    int32_t integrator;     /* dtb_integrator; default Heun */
    int32_t coupling;       /* dtb_coupling_kind; default linear */
    uint64_t seed;          /* RNG seed for noise, random initial values and random();
                               every 64-bit value is a valid seed */
    double rtol;            /* GSL steppers: relative tolerance; default 1e-6 */
    double atol;            /* GSL steppers: absolute tolerance; default 1e-8 */
} dtb_sim_options;

#define DTB_SIM_OPTIONS_INIT { DTB_SIM_OPTIONS_VERSION, 0, 0.0, 0.0, 0, 0, 0, 0.0, 0.0 }

DTB_API dtb_status dtb_sim_options_init(dtb_sim_options *opts, uint32_t version);

/* Progress callback of dtb_sim_run: t = simulated time (s), fraction of the
 * run done in [0, 1]. Return 0 to continue, non-zero to stop: the run then
 * returns DTB_ECANCELLED with the state at the last completed step. */
typedef int32_t (*dtb_progress_fn)(double t, double fraction, void *user_data);

/* Create a simulation. The atlas and model are copied (they may be freed
 * afterwards). Initial state: drawn uniformly in each state variable's range
 * from the seed, constant over the past (history). opts may be NULL. */
DTB_API dtb_status dtb_sim_create(dtb_sim **out, const dtb_atlas *atlas,
                                  const dtb_model *model, const dtb_sim_options *opts);

/* Free a simulation and drop its references to its observers. NULL is accepted. */
DTB_API void dtb_sim_free(dtb_sim *sim);

/* --- configuration (allowed between steps unless said otherwise) --- */

/* Choose a built-in coupling function (not EXPRESSION); its parameters
 * reset to the defaults above. */
DTB_API dtb_status dtb_sim_set_coupling(dtb_sim *sim, dtb_coupling_kind kind);
/* A user-defined coupling: post(sum_j w_kj pre(x_j)) (see EXPRESSION
 * above), with n_params named parameters and their values. Expressions use
 * the LEMS expression language (dtb-model(5)). */
DTB_API dtb_status dtb_sim_set_coupling_expressions(dtb_sim *sim, const char *pre,
                                                    const char *post,
                                                    const char *const *param_names,
                                                    const double *param_values, size_t n_params);
/* Read a coupling function from an XML file: a <CouplingFunction pre="..."
 * post="..."> element (in a <Lems> root) with <Parameter name= value=/>
 * children. */
DTB_API dtb_status dtb_sim_load_coupling(dtb_sim *sim, const char *path);
/* Set / get a coupling parameter by name ("a", "midpoint", ...). */
DTB_API dtb_status dtb_sim_set_coupling_param(dtb_sim *sim, const char *name, double value);
DTB_API dtb_status dtb_sim_get_coupling_param(const dtb_sim *sim, const char *name,
                                              double *value_out);
/* The current coupling function, its parameters (names are borrowed,
 * valid until the coupling changes). */
DTB_API dtb_coupling_kind dtb_sim_coupling(const dtb_sim *sim);
/* The name of a coupling function as dtb(1) and experiments write it
 * ("linear", "sigmoidal_jansen_rit", ...); static; NULL for an unknown kind. */
DTB_API const char *dtb_coupling_kind_name(dtb_coupling_kind kind);
DTB_API int64_t dtb_sim_coupling_param_count(const dtb_sim *sim);
DTB_API const char *dtb_sim_coupling_param_name(const dtb_sim *sim, int64_t index);

/* Model parameters of this simulation (in the parameter's unit): one value
 * for every region, or one value per region (n_values == region count). */
DTB_API dtb_status dtb_sim_set_param(dtb_sim *sim, const char *name, double value);
DTB_API dtb_status dtb_sim_set_param_regions(dtb_sim *sim, const char *name,
                                             const double *values, size_t n_values);
/* Per-region values of a parameter (two-call idiom; needed = region count). */
DTB_API dtb_status dtb_sim_get_param_regions(const dtb_sim *sim, const char *name,
                                             double *buf, size_t capacity, size_t *needed_out);

/* How noise of intensity D enters the state each step (h = dt in the
 * model's time unit, z a standard normal draw per state variable and
 * region):
 *   ADDITIVE        sqrt(2 D h) z                        (TVB's Additive; default)
 *   SIGMA           D sqrt(h) z, D read as sigma         (OpenDTB's convention)
 *   MULTIPLICATIVE  sqrt(2 D h) z x, x the state at the step's start
 *                                                        (TVB's Multiplicative, linear g)
 *   COLOURED        h xi, xi an Ornstein-Uhlenbeck process with correlation
 *                   time tau and stationary variance D / tau (white noise of
 *                   intensity D as tau -> 0), started from its stationary law */
typedef enum dtb_noise_kind {
    DTB_NOISE_ADDITIVE = 0,
    DTB_NOISE_SIGMA = 1,
    DTB_NOISE_MULTIPLICATIVE = 2,
    DTB_NOISE_COLOURED = 3,
    DTB_NOISE_FORCE32_ = 0x7FFFFFFF
} dtb_noise_kind;

/* Choose how noise enters (see above); tau in seconds: > 0 for COLOURED,
 * 0 for the other kinds (anything else is refused). Applies to every
 * state variable. */
DTB_API dtb_status dtb_sim_set_noise_kind(dtb_sim *sim, dtb_noise_kind kind, double tau);

/* Noise intensity D >= 0 of one state variable (state = -1: all),
 * for every region or one value per region. All zero: deterministic. */
DTB_API dtb_status dtb_sim_set_noise(dtb_sim *sim, int64_t state, double D);
DTB_API dtb_status dtb_sim_set_noise_regions(dtb_sim *sim, int64_t state,
                                             const double *D, size_t n_values);

/* Multiply every noise amplitude (the standard deviation of the noise
 * increment, of every state variable and region) by factor >= 0, for the
 * noise kind in force: D is multiplied by factor for SIGMA and by factor^2
 * for the others, whose amplitude grows as sqrt(D). */
DTB_API dtb_status dtb_sim_scale_noise(dtb_sim *sim, double factor);

/* Initial state, before the first step only (else DTB_ESTATE). x holds
 * state_count * region_count values, state-major: x[v * n_regions + k].
 * The history of the past is this state, constant in time. */
DTB_API dtb_status dtb_sim_set_initial_state(dtb_sim *sim, const double *x, size_t n_values);
/* Initial value of one state variable, the same for every region. */
DTB_API dtb_status dtb_sim_set_initial_value(dtb_sim *sim, int64_t state, double value);

/* --- virtual surgery and treatment (between steps) ---
 * Each edit is recorded in the simulation's provenance (what, when). */

/* Remove a region's connections: its row and column of weights become
 * zero. Region indices stay as they are, so outputs line up before and
 * after. */
DTB_API dtb_status dtb_sim_lesion_region(dtb_sim *sim, int64_t region);
/* Multiply the weight of every connection from a region in `sources` to a
 * region in `targets` by factor (>= 0; 0 cuts them). Directed: call again
 * with the sets swapped to treat both directions. */
DTB_API dtb_status dtb_sim_scale_connections(dtb_sim *sim, const int64_t *sources,
                                             size_t n_sources, const int64_t *targets,
                                             size_t n_targets, double factor);
/* Change the conduction speed (m/s, INFINITY: no delays). The delays are
 * recomputed; the history keeps the states it has (a longer history is
 * padded with the oldest state known). */
DTB_API dtb_status dtb_sim_set_speed(dtb_sim *sim, double speed);
/* Change a parameter at simulated time t (seconds): one value for every
 * region (n_values == 1) or one per region, applied before the first step
 * that starts at or after t. */
DTB_API dtb_status dtb_sim_schedule_param(dtb_sim *sim, double t, const char *name,
                                          const double *values, size_t n_values);

/* Feedback inhibition control (Deco et al. 2014) for the reduced Wong-Wang
 * excitatory-inhibitory model: sets the inhibitory weight J_i of every
 * region so that, at the network's noise-free fixed point, each region's
 * excitatory input I_e lies target_current (nA) from its threshold b_e/a_e
 * (Deco et al.: -0.026 nA, r_e about 3 Hz). The fixed point is solved
 * exactly, region by region, from the current weights (lesions included),
 * parameters and coupling (linear or scaling); before the first step the
 * initial state becomes that fixed point. Recorded in the provenance.
 * DTB_EINVAL for another model, another coupling, or a target no J_i >= 0
 * reaches. */
DTB_API dtb_status dtb_sim_apply_fic(dtb_sim *sim, double target_current);

/* After dtb_sim_apply_fic: how stable the fixed point it set is — the
 * largest real part (1/s) of the eigenvalues of the Jacobian of the
 * network's right-hand side there, conduction delays taken as zero
 * (central differences of the model's equations; GSL's nonsymmetric
 * eigensolver; O((states x regions)^3), about a second for 246 regions).
 * Negative: small perturbations decay. Positive: the fixed point is
 * unstable, and with noise a run leaves it (Deco et al.'s FIC state is
 * unstable for strong coupling); the simulation's "stable" score (dtb
 * sweep) flags such runs. DTB_ESTATE before dtb_sim_apply_fic. */
DTB_API dtb_status dtb_sim_fic_stability(dtb_sim *sim, double *max_real_out);

/* Provenance: one line per edit, stimulus and scheduled change, in order
 * ("t=0.5 s: lesion of region 12 'A8m_L'"). Borrowed strings, valid while
 * the simulation lives. */
DTB_API int64_t dtb_sim_provenance_count(const dtb_sim *sim);
DTB_API const char *dtb_sim_provenance_entry(const dtb_sim *sim, int64_t index);

/* --- running --- */

/* Name of an integrator ("euler", "gsl-rk8pd", ...; static), or NULL. */
DTB_API const char *dtb_integrator_name(dtb_integrator integrator);

/* Advance n_steps steps (>= 0). */
DTB_API dtb_status dtb_sim_step(dtb_sim *sim, int64_t n_steps);

/* Advance rint(duration / dt) steps, calling progress (may be NULL) about a
 * thousand times and at the end. File observers are flushed when it returns. */
DTB_API dtb_status dtb_sim_run(dtb_sim *sim, double duration, dtb_progress_fn progress,
                               void *user_data);

/* Advance to simulated time t_end (seconds): rint(t_end / dt) - steps done
 * steps (none if already there). Progress and file flushing as
 * dtb_sim_run. */
DTB_API dtb_status dtb_sim_run_to(dtb_sim *sim, double t_end, dtb_progress_fn progress,
                                  void *user_data);

/* --- checkpoints ---
 * A checkpoint holds the complete state of a simulation: time, state,
 * delay history, parameters (as edited), connectivity (as lesioned),
 * coupling, noise settings and the random generator, stimuli's generator
 * state, scheduled changes done, provenance, the spiking regions' networks
 * (format 3), controllers' state (format 5), and each observer's partial
 * window, counters and output-file length. Restoring it into a simulation created the same way (same atlas
 * and model, options, stimuli, spiking regions and scheduled changes added, observers attached in the same order, file
 * observers with DTB_OBSERVER_FLAG_APPEND) continues the run so that its
 * output is bit-identical to a run that was never interrupted, noise
 * included. The file is versioned and checksummed: a truncated, damaged or
 * foreign file gives a clear error and changes nothing. */
DTB_API dtb_status dtb_sim_save_checkpoint(dtb_sim *sim, const char *path);
DTB_API dtb_status dtb_sim_load_checkpoint(dtb_sim *sim, const char *path);

/* dtb_sim_branch_from_checkpoint flags */
/* Draw the branch's noise from this simulation's own random stream (its
 * seed) instead of continuing the checkpoint's. */
#define DTB_SIM_BRANCH_RESEED 0x1u

/* Branching twins: start `sim` — created and set up as for a fresh run,
 * with any parameters, weights (lesions), coupling, noise, stimuli and
 * observers, and not yet stepped — at the time and state of a checkpoint
 * of another run: it takes the step, state, delay history, coupling
 * input, noise stream (unless DTB_SIM_BRANCH_RESEED), the random streams
 * of the stimuli both have in common (the first ones, in order, with the
 * same target) and the spiking regions' networks; everything else is its
 * own. The model, region count, state variables, dt, integrator, float32
 * coupling mode, delay history length (speed, tract lengths) and number of
 * spiking regions must be the checkpoint's: DTB_EINVAL names the
 * difference and changes nothing. The provenance records the branch and
 * the file's SHA-256. DTB_ESTATE once the simulation has been stepped. */
DTB_API dtb_status dtb_sim_branch_from_checkpoint(dtb_sim *sim, const char *path, uint32_t flags);

/* Ask a running dtb_sim_step/dtb_sim_run to stop after the current step; it
 * returns DTB_ECANCELLED. Thread-safe and async-signal-safe. A request made
 * while nothing runs stops the next call before its first step (so a stop
 * requested just before a run starts is not lost). The request is cleared
 * when the stopped call returns. */
DTB_API void dtb_sim_request_stop(dtb_sim *sim);

/* --- inspection --- */

DTB_API double dtb_sim_time(const dtb_sim *sim);          /* seconds; NaN for NULL */
DTB_API int64_t dtb_sim_step_index(const dtb_sim *sim);   /* steps done; -1 for NULL */
DTB_API double dtb_sim_dt(const dtb_sim *sim);            /* seconds; NaN for NULL */
DTB_API int64_t dtb_sim_region_count(const dtb_sim *sim);
DTB_API int64_t dtb_sim_state_count(const dtb_sim *sim);
/* History length in steps (largest delay + 1). */
DTB_API int64_t dtb_sim_horizon(const dtb_sim *sim);

/* Current state, state-major (two-call idiom; needed = states * regions). */
DTB_API dtb_status dtb_sim_get_state(const dtb_sim *sim, double *buf, size_t capacity,
                                     size_t *needed_out);
/* Replace the current state (the history of earlier steps is unchanged). */
DTB_API dtb_status dtb_sim_set_state(dtb_sim *sim, const double *x, size_t n_values);

/* Delays in steps, n*n row-major (rows = targets; two-call idiom). */
DTB_API dtb_status dtb_sim_get_delays(const dtb_sim *sim, int64_t *buf, size_t capacity,
                                      size_t *needed_out);

/* Coupling input used by the last step, coupling-major: c[i * n_regions + k]
 * (two-call idiom; needed = coupling count * regions). Zero before the first step. */
DTB_API dtb_status dtb_sim_get_coupling_input(const dtb_sim *sim, double *buf,
                                              size_t capacity, size_t *needed_out);

DTB_END_DECLS

#endif /* DTB_SIM_H */
