/* libdtb internal — the simulation object.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_SIM_INTERNAL_H
#define DTB_SIM_INTERNAL_H

#include <stdatomic.h>

#include "base/base.h"
#include "base/rng.h"
#include "dtb/dtb_observer.h"
#include "dtb/dtb_sim.h"
#include "dtb/dtb_spiking.h"
#include "expr/expr.h"
#include "integrate/integrate.h"
#include "model/model.h"
#include "network/network.h"
#include "stimulus/stimulus.h"

struct dtb_sim {
    atomic_int stop_requested;
    dtb__model_core *core;
    int64_t n;                 /* regions */
    size_t n_states, n_cvar;
    char **labels;             /* region labels, for messages */
    double *centres;           /* [n][3] region centres (MNI mm), NULL if the atlas has none */
    double dt;                 /* seconds */
    double h;                  /* dt in model time units */
    double speed;              /* m/s */
    uint32_t flags;
    uint64_t seed;
    int64_t step;              /* steps done */
    int started;
    int in_batch;              /* stepped by a lockstep batch, which holds its history */
    int running;               /* inside dtb_sim_run/_run_to/_step: a callback may not start
                                  another run of the same simulation */
    char *checkpoint_note;     /* saved in checkpoints for whoever made the simulation (the
                                  experiment's settings); NULL: none */

    double *x;                 /* [n_states][n] current state */

    /* parameters: values[p * n + k]; per_region[p] = 1 when they differ */
    double *param_values;
    unsigned char *per_region;

    /* the model's equations on the kernel (model/model.h), recompiled when
     * the layout of shared and per-region parameters changes: the input
     * table, the right-hand side and — only when an attached observer
     * records a derived variable — the observables, every DerivedVariable,
     * evaluated after each step */
    dtb__ktable ktab;
    dtb__kprog rhs;
    int prog_dirty;
    int64_t *output_state;     /* state index of each output of rhs */
    size_t n_outputs;
    int need_derived;
    dtb__kprog obs;
    double *derived;           /* [n_derived][n] */

    /* network */
    dtb__network net;
    dtb__history hist;
    dtb__gather_cache gather;
    dtb__coupling coupling;
    double *coupling_in;       /* [n_cvar][n] input held over the step */
    double *coupling_scratch;  /* 2n doubles */

    /* integration */
    dtb__integrator integ;
    dtb__bounds bounds;
    double *noise_D;           /* [n_states][n] */
    double *noise_amp;         /* per-draw factor from D, kept with noise_D and the kind */
    dtb_noise_kind noise_kind;
    double noise_tau;          /* COLOURED: correlation time in model time units */
    double *ou;                /* COLOURED: the OU processes, NULL until first used */
    int stochastic;
    double *eta;
    dtb__rng rng;

    dtb_observer **observers;
    size_t n_observers;

    /* stimuli (copies), resolved against the model and the atlas */
    struct dtb__sim_stimulus *stims;
    size_t n_stims;
    double *stim_dx;           /* [n_states][n] added to the derivatives this step */
    int stim_dx_active;
    unsigned char *param_stimulated;   /* per parameter: read from param_eff */
    double *param_eff;         /* [n_params][n] parameter + stimuli, this step */

    /* connectivity as edited (virtual surgery rebuilds the network from it) */
    double *weights;           /* n*n */
    double *lengths;           /* n*n mm, or NULL */

    /* parameter changes scheduled in time, sorted by time */
    struct dtb__scheduled_param *scheduled;
    size_t n_scheduled, next_scheduled;

    /* spiking regions (sim_spiking.c) */
    struct dtb__sim_spiking *spk;
    size_t n_spk;
    dtb_spiking_net *spk_net;

    /* feedback inhibition control: the fixed point it solved ([n_states][n],
     * NULL before), for dtb_sim_fic_stability */
    double *fic_x;

    /* provenance: what was done to the twin, and when */
    char **provenance;
    size_t n_provenance;
};

typedef struct dtb__scheduled_param {
    double t;                  /* seconds */
    int64_t param;
    double *values;            /* n regions */
} dtb__scheduled_param;

/* Recompute the noise amplitudes after noise_D or the kind changed. */
void dtb__sim_noise_changed(dtb_sim *sim);

/* The simulated time a checkpoint file was saved at, after checking that
 * it belongs to this simulation (sim_checkpoint.c). */
dtb_status dtb__checkpoint_time(const dtb_sim *sim, const char *path, double *t);
/* Load a checkpoint into sim, or (branch) take only its dynamics and keep
 * the simulation's own settings (sim_branch.c says which); reseed keeps
 * the noise stream too. The whole file is checked first: one that does
 * not fit changes nothing. */
dtb_status dtb__checkpoint_apply(dtb_sim *sim, const char *path, int branch, int reseed);

/* The note a checkpoint file carries (NULL when it has none: made through
 * the API, or by format 3); the file's header and checksum are checked,
 * not its fit to a simulation. *note is malloc'd. */
dtb_status dtb__checkpoint_note(const char *path, char **note);
/* Branching (sim_branch.c): a simulation not yet stepped takes from a
 * checkpoint of a compatible run its time, state, delay history, noise
 * stream (unless DTB_SIM_BRANCH_RESEED) and common stimuli's streams,
 * keeping its own parameters, weights, coupling, noise, stimuli and
 * observers (dtb_sim_branch_from_checkpoint, which this is, with the hash).
 * sha256_out (may be NULL) receives the file's SHA-256 in hex. */
dtb_status dtb__sim_branch(dtb_sim *sim, const char *path, uint32_t flags, char sha256_out[65]);
/* What this simulation's checkpoints carry as their note (copied). */
dtb_status dtb__sim_set_checkpoint_note(dtb_sim *sim, const char *note);

/* Record a provenance line (sim_surgery.c). */
dtb_status dtb__sim_note(dtb_sim *sim, const char *fmt, ...) DTB__PRINTF(2, 3);
/* Set a built-in coupling kind with its defaults: TVB's, except the
 * values the model's descriptor states for that kind (<DefaultCoupling>),
 * and record the result in the provenance, saying `why` (sim_config.c). */
dtb_status dtb__sim_set_builtin_coupling(dtb_sim *sim, dtb_coupling_kind kind, const char *why);
/* Apply the parameter changes due at step m; free everything (sim_surgery.c). */
void dtb__sim_apply_scheduled(dtb_sim *sim, int64_t m);
void dtb__sim_free_surgery(dtb_sim *sim);

typedef enum dtb__stim_target { DTB__TARGET_STATE, DTB__TARGET_PARAM, DTB__TARGET_INPUT } dtb__stim_target;

typedef struct dtb__sim_stimulus {
    dtb_stimulus *stim;
    dtb__stim_target kind;
    int64_t index;             /* state, parameter or coupling-input index */
    double *weights;           /* per region */
} dtb__sim_stimulus;

/* Stimulus values of the step starting at step m (sim_stimulus.c). */
void dtb__sim_apply_stimuli(dtb_sim *sim, int64_t m);
void dtb__sim_free_stimuli(dtb_sim *sim);

typedef struct dtb__sim_spiking {
    int64_t region;
    int64_t pop_e, pop_i;      /* populations in sim->spk_net */
    int64_t poisson[2];        /* the input trains of E and I */
    double bias[2];            /* I_e without coupling (current input) */
    int bias_param;            /* index of I_e in the cell model's parameters */
    double rate_decay;         /* e^(-dt / rate_tau) */
    double rate;               /* smoothed E rate, Hz */
    dtb_spiking_region_options opts;   /* defaults filled in */
} dtb__sim_spiking;

/* Advance the spiking regions one step and write their rates into the
 * state (sim_spiking.c); free them. */
dtb_status dtb__sim_spiking_step(dtb_sim *sim);
void dtb__sim_free_spiking(dtb_sim *sim);

/* Attach an observer (the simulation keeps a reference); sim_observers.c. */
dtb_status dtb__sim_attach_observer(dtb_sim *sim, dtb_observer *obs);
/* dtb_observer_create without creating its file (CSV, NPY sinks), which
 * dtb__observer_open_file makes later: an experiment checks everything
 * before it touches its output folder. */
dtb_status dtb__observer_create_deferred(dtb_observer **out, dtb_sim *sim,
                                         const dtb_observer_options *opts);

/* The model's right-hand side at state x (state-major) with coupling input
 * c ([n_cvar][n]) at model time t: dx = f(t, x, c). For tests and tools;
 * the simulation's own state is not touched. */
dtb_status dtb__sim_derivative(dtb_sim *sim, double t, const double *x, const double *c, double *dx);

/* One step in three parts (sim_run.c): the prologue (scheduled changes,
 * recompiling), the coupling input (sim->coupling_in, computed by the
 * caller), and the epilogue (stimuli, noise, the integrator, spiking
 * regions, the history when push_history, checks, observers). A lockstep
 * batch (sim_batch.c) computes the coupling of all its members at once
 * and keeps their history itself. */
dtb_status dtb__sim_step_prologue(dtb_sim *sim);
dtb_status dtb__sim_step_epilogue(dtb_sim *sim, int push_history);

/* (Re)compile the model for the current parameter layout. */
dtb_status dtb__sim_compile(dtb_sim *sim);
/* A shared parameter p took a new value: every compiled program reads it
 * (no recompiling: its layout did not change). */
void dtb__sim_set_shared_param(dtb_sim *sim, size_t p, double value);

#endif
