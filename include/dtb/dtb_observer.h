/* libdtb — observers: what a simulation records and where it goes.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An observer is attached to one simulation when it is created and sees the
 * state after every step. It emits samples: a time (s) and one value per
 * column, columns ordered variable-major ("V.0", "V.1", ..., "W.0", ...,
 * name.region with 0-based regions).
 *
 *   RAW        every step, time n*dt
 *   SUBSAMPLE  the state at steps that are multiples of round(period/dt)
 *   TAVG       mean over the last round(period/dt) steps, emitted at those
 *              multiples, time (n - istep/2)*dt (TVB's TemporalAverage)
 *
 * Samples go to one sink: MEMORY (kept until read with dtb_observer_read),
 * CALLBACK (called once per sample), CSV or NPY (streamed to a file whose
 * first column is t; the NPY file is a 2-D float64 array with the same
 * columns and is valid after every flush). Memory use of the file and
 * callback sinks is bounded by the averaging window, whatever the run length.
 *
 * The simulation keeps the observer alive; dtb_observer_free() only drops
 * the caller's reference, and the observer stays readable after its
 * simulation is freed.
 */
#ifndef DTB_OBSERVER_H
#define DTB_OBSERVER_H

#include "dtb_common.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_observer dtb_observer;

typedef enum dtb_observer_kind {
    DTB_OBSERVER_DEFAULT = 0,   /* TAVG with period 1 ms */
    DTB_OBSERVER_RAW = 1,
    DTB_OBSERVER_SUBSAMPLE = 2,
    DTB_OBSERVER_TAVG = 3,
    DTB_OBSERVER_FORCE32_ = 0x7FFFFFFF
} dtb_observer_kind;

typedef enum dtb_sink_kind {
    DTB_SINK_MEMORY = 0,
    DTB_SINK_CALLBACK = 1,
    DTB_SINK_CSV = 2,
    DTB_SINK_NPY = 3,
    DTB_SINK_FORCE32_ = 0x7FFFFFFF
} dtb_sink_kind;

/* Called once per sample with n_values values (column order above). Return
 * 0 to continue, non-zero to stop the run (it returns DTB_ECANCELLED). */
typedef int32_t (*dtb_sample_fn)(double t, const double *values, size_t n_values,
                                 void *user_data);

/* Called exactly once with the user_data of a stored callback when the
 * observer that holds it is destroyed. */
typedef void (*dtb_destroy_fn)(void *user_data);

/* dtb_observer_options.flags */
/* CSV / NPY: continue an existing file written by the same observer
 * configuration instead of truncating it (a missing file is created). Used
 * to resume a run from a checkpoint: restoring cuts the file back to its
 * length at the checkpoint. */
#define DTB_OBSERVER_FLAG_APPEND 0x1u

#define DTB_OBSERVER_OPTIONS_VERSION 1

/* Zero in any member means its default. */
typedef struct dtb_observer_options {
    uint32_t version;        /* DTB_OBSERVER_OPTIONS_VERSION */
    int32_t kind;            /* dtb_observer_kind */
    double period;           /* seconds; default 1e-3 (SUBSAMPLE, TAVG) */
    const char *variables;   /* comma-separated state names; NULL: variables of interest */
    int32_t sink;            /* dtb_sink_kind */
    uint32_t flags;          /* DTB_OBSERVER_FLAG_* */
    const char *path;        /* CSV / NPY output file */
    dtb_sample_fn callback;  /* CALLBACK sink */
    void *user_data;         /* passed to callback and destroy */
    dtb_destroy_fn destroy;  /* may be NULL */
} dtb_observer_options;

#define DTB_OBSERVER_OPTIONS_INIT \
    { DTB_OBSERVER_OPTIONS_VERSION, 0, 0.0, NULL, 0, 0u, NULL, NULL, NULL, NULL }

DTB_API dtb_status dtb_observer_options_init(dtb_observer_options *opts, uint32_t version);

/* Create an observer and attach it to sim. Files are created (truncated)
 * here. opts may be NULL (1 ms temporal average of the variables of interest
 * into memory). On failure nothing is attached and no file is left behind. */
DTB_API dtb_status dtb_observer_create(dtb_observer **out, dtb_sim *sim,
                                       const dtb_observer_options *opts);

/* Drop the caller's reference. NULL is accepted. */
DTB_API void dtb_observer_free(dtb_observer *obs);

/* "raw", "subsample" or "tavg". Static. */
DTB_API const char *dtb_observer_kind_name(const dtb_observer *obs);
DTB_API dtb_observer_kind dtb_observer_kind_of(const dtb_observer *obs);

/* Columns per sample, excluding time (-1 for NULL), and their names
 * (borrowed, valid while the observer lives). */
DTB_API int64_t dtb_observer_column_count(const dtb_observer *obs);
DTB_API const char *dtb_observer_column_name(const dtb_observer *obs, int64_t column);

/* Samples emitted since creation, whatever the sink (-1 for NULL). */
DTB_API int64_t dtb_observer_sample_count(const dtb_observer *obs);

/* MEMORY sink: samples waiting to be read. */
DTB_API int64_t dtb_observer_pending(const dtb_observer *obs);

/* MEMORY sink: move up to max_samples of the oldest waiting samples into
 * times[max_samples] and values[max_samples * column_count] (sample-major);
 * either buffer may be NULL to discard that part. *n_read_out = samples
 * moved (n_read_out must not be NULL). DTB_ESTATE for other sinks. */
DTB_API dtb_status dtb_observer_read(dtb_observer *obs, double *times, double *values,
                                     size_t max_samples, size_t *n_read_out);

/* CSV / NPY sinks: write buffered samples and make the file complete. */
DTB_API dtb_status dtb_observer_flush(dtb_observer *obs);

DTB_END_DECLS

#endif /* DTB_OBSERVER_H */
