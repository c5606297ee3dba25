/* libdtb internal — observers as the simulation sees them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_OBSERVER_INTERNAL_H
#define DTB_OBSERVER_INTERNAL_H

#include <stdio.h>

#include "analysis/analysis.h"
#include "base/base.h"
#include "dtb/dtb_observer.h"
#include "events.h"
#include "io/npy.h"
#include "io/rowfile.h"
#include "signal.h"
#include "streams.h"

struct dtb_observer {
    dtb__refcount ref;           /* the caller's and the simulation's */
    dtb_observer_kind kind;
    double dt;                   /* seconds per step */
    int64_t n_regions;
    size_t n_vars;
    int64_t *vars;               /* variable codes: state v, or n_states + derived d */
    size_t n_states;
    int needs_derived;           /* records derived variables */
    double *input;               /* [n_vars][n_regions] of the current step */
    int has_signal;              /* every kind but SPIKES and RATE */
    dtb__signal signal;
    int has_events;              /* SPIKES, RATE */
    dtb__events events;
    /* matrix observers: at most one of these */
    dtb__fc_acc *fc;
    dtb__fcd_stream *fcd;
    dtb__psd_stream *psd;
    char **result_names;         /* FC: region labels or column names, n_cols */
    double skip;                 /* matrix kinds: source samples before this time are ignored */
    size_t n_cols;               /* sample columns (matrix kinds: the source's) */
    char **col_names;
    int64_t n_samples;
    dtb_sink_kind sink;
    /* MEMORY: samples [head, len) of (t, values...) rows */
    double *mem;
    size_t mem_head, mem_len, mem_cap;   /* in samples */
    /* CALLBACK */
    dtb_sample_fn callback;
    void *user_data;
    dtb_destroy_fn destroy;
    /* CSV / NPY */
    char *path;
    dtb__rowfile rows;           /* the file of a sample observer (io/rowfile.h) */
    int64_t result_samples;      /* matrix kinds: the samples of the result file on disk */
    int file_open;
    int append;                  /* DTB_OBSERVER_FLAG_APPEND */
};

/* Called by the simulation after every step with the new state
 * (state-major, n_states * n_regions) and, when the observer needs them,
 * the derived variables evaluated at that state ([n_derived][n_regions]).
 * Returns DTB_ECANCELLED when a callback asks to stop, DTB_EIO /
 * DTB_ENOMEM on sink failures, DTB_ENUMERIC when BOLD leaves its range. */
dtb_status dtb__observer_record(dtb_observer *o, int64_t step, const double *x,
                                const double *derived);

/* What an observer needs to know of the simulation it will record. The
 * simulation fills it in (sim/sim_observers.c) so that observe/ never reads
 * the simulation's fields: the simulation takes its observers in, not the
 * other way round. */
typedef struct dtb__observer_host {
    double dt;                          /* seconds */
    int64_t n_regions;
    const struct dtb__model_core *core; /* variable names and codes */
    char *const *labels;                /* region labels */
    const double *centres;              /* [n][3] MNI mm, or NULL */
    uint64_t seed;                      /* the noise seed when the options give none */
} dtb__observer_host;

/* A new observer of `host` from its options, its file (CSV, NPY sinks) made
 * unless defer_file: an experiment checks everything before it touches its
 * output folder, then calls dtb__observer_open_file. The caller's user data
 * is not owned yet (see dtb__observer_own_user_data). */
dtb_status dtb__observer_new(dtb_observer **out, const dtb__observer_host *host,
                             const dtb_observer_options *opts, int defer_file);
/* Undo dtb__observer_new when the observer could not be attached: remove
 * the file it made, drop the reference. */
void dtb__observer_discard(dtb_observer *o);
/* From now on the observer frees opts->user_data with opts->destroy: only
 * once it is attached, so that on failure the caller keeps its data. */
void dtb__observer_own_user_data(dtb_observer *o, const dtb_observer_options *opts);
dtb_status dtb__observer_open_file(dtb_observer *o);
/* About how many bytes its file will take after `steps` more steps (0:
 * no file, or unknown, as for spikes). */
double dtb__observer_bytes_estimate(const dtb_observer *o, int64_t steps);

/* Check the options and set up everything but the sink (observer_build.c). */
dtb_status dtb__observer_build(dtb_observer *o, const dtb__observer_host *host,
                               const dtb_observer_options *opts);

/* Keep / drop a reference. */
dtb_observer *dtb__observer_ref(dtb_observer *o);
void dtb__observer_unref(dtb_observer *o);

/* Checkpoints (observe/observer_state.c, base/ckpt.h): the partial window,
 * counters and the length of the output file, which restoring cuts the
 * file back to (checking makes sure the file is that long). */
struct dtb__ckpt;
void dtb__observer_fields(struct dtb__ckpt *w, dtb_observer *o);

/* 1 for FC, FCD and PSD. */
int dtb__observer_is_matrix(dtb_observer_kind kind);

/* Sinks (observe/sinks.c). */
dtb_status dtb__sink_open(dtb_observer *o);
dtb_status dtb__sink_emit(dtb_observer *o, double t, const double *values);
dtb_status dtb__sink_flush(dtb_observer *o);
void dtb__sink_close(dtb_observer *o);
/* The samples its file holds now (rows of a sample file, the samples behind
 * a matrix result); for other sinks the samples emitted. What a provenance
 * record may claim. */
int64_t dtb__observer_samples_on_disk(const dtb_observer *o);

/* Results of matrix observers (observe/results.c). */
void dtb__result_shape(const dtb_observer *o, size_t *rows, size_t *cols);
void dtb__result_fill(const dtb_observer *o, double *buf);
/* Write the result to o->path (CSV or NPY), replacing the file whole. */
dtb_status dtb__result_write(dtb_observer *o);

/* The haemodynamic state of a Balloon-Windkessel BOLD observer, [4][units]
 * (s, f, v, q: flow-inducing signal, inflow, volume, deoxyhaemoglobin; f,
 * v and q positive), for a filter to correct in place (data assimilation);
 * NULL for any other observer. */
double *dtb__observer_haemodynamics(dtb_observer *o, size_t *units);

#endif
