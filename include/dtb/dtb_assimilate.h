/* libdtb — data assimilation: a twin that follows a recording over time.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An assimilation runs M members of one experiment (dtb_experiment.h),
 * each a simulation with its own seed, and after every sample of the
 * recording corrects the members with an ensemble Kalman filter: the
 * parameters being estimated are part of each member's state, and what the
 * members predict for the sample (an observer of each simulation: BOLD per
 * TR, or the temporal average of a state) is compared with the recorded
 * sample. The parameters' course over time, their spread over the
 * ensemble, and the one-step-ahead forecasts of the signal (the ensemble's
 * prediction of each sample before it is assimilated) are the results.
 *
 *   dtb_assimilation *a;
 *   dtb_assimilation_create(&a, exp);                 // exp: the twin (dtb run's settings)
 *   dtb_assimilation_set_data(a, "bold.txt");         // time x regions
 *   dtb_assimilation_set_observer(a, "bold:tr=0.72");
 *   dtb_assimilation_estimate(a, "G", 0.0, 1.0);      // a global parameter
 *   dtb_assimilation_estimate(a, "a@0+3", 0.5, 2.0);  // one value in each of regions 0 and 3
 *   dtb_assimilate_options o = DTB_ASSIMILATE_OPTIONS_INIT;
 *   o.members = 50;
 *   dtb_assimilation_run(a, &o);
 *
 * What is estimated ("NAME"):
 *   NAME            a model parameter, one value in every region
 *   NAME@REGIONS    a model parameter, one value per region of the list
 *                   (indices or label globs joined by '+', as dtb run's
 *                   --set NAME@REGIONS=V); its columns are NAME@k, k the
 *                   0-based region index
 * between bounds lo < hi. Inside the filter a value v lives as
 * log((v - lo) / (hi - v)), so no analysis can leave the bounds; the first
 * ensemble draws each value uniformly in (lo, hi).
 *
 * Sample i of the recording is the observer's sample i: the members
 * start at time 0 and the observer's period (TR) is the recording's sample
 * interval; it must be a whole number of steps. The cycle, for sample i:
 *   1. each parameter takes a random-walk step of standard deviation
 *      `drift` in its transformed space (so that the filter can follow a
 *      parameter that changes; DTB_ASSIMILATE_FLAG_NO_DRIFT: none);
 *   2. every member runs TR of simulated time (on `jobs` threads) and its
 *      observer gives its prediction of the sample; the ensemble mean of
 *      the predictions is the forecast;
 *   3. the analysis (ETKF, or the stochastic EnKF with perturbed
 *      observations) with the covariance inflated by `inflation` and, with
 *      `localisation` > 0, a Gaspari–Cohn taper of half-width `localisation`
 *      over the distances between regions (zero beyond twice that; global
 *      parameters are not localised): between their centres (mm), along
 *      the tracts (mm), or in connections (hops), as `distance` says;
 *   4. the analysed parameters go into the members' simulations (and, with
 *      DTB_ASSIMILATE_FLAG_UPDATE_STATE, the analysed states too - the
 *      model's, and the haemodynamic states (s, f, v, q of the
 *      Balloon-Windkessel model) of a BOLD observer, which carry BOLD from
 *      one TR to the next; inflow, volume and deoxyhaemoglobin are kept at
 *      or above 0.05 of rest; by default only the parameters are
 *      corrected, the states follow them).
 * Observation errors are independent, each with the standard deviation
 * `obs_error` x that data column's standard deviation over time.
 *
 * Recorded BOLD against a model's (DTB_ASSIMILATE_FLAG_ZSCORE): a scanner
 * records about 10^4 units with each region's own offset and gain, a model
 * predicts fractions around 0. With the flag each data column is z-scored
 * over the recording, and each member's prediction of a column is
 * standardised by the mean and standard deviation of the ensemble's raw
 * predictions of that column so far (the members' numbers only: no fit
 * to the data, so a forecast stays ahead of its sample; an affine map
 * fitted to the data would be two more unknowns a region). The members
 * first run 30 s of simulated time that is compared with nothing (past the
 * haemodynamic transient of a resting start); the times reported are the
 * recording's (the spin-up's end is t = 0 of the first sample's period).
 *
 * The forecasts' skill (dtb_assimilation_forecast_skill, and
 * out_dir/forecast_skill.csv): the Pearson correlation over the samples
 * done of each column's one-step-ahead forecast with the recorded column,
 * their mean over the columns, and the correlation of the strict upper
 * triangles of the forecasts' FC and the recording's FC over the same
 * samples (dtb_analysis_fc, dtb_analysis_fc_fit). Correlations ignore
 * offset and gain, so they are the same with or without z-scoring.
 *
 * Reproducible: member k runs with the seed derived from the base seed
 * (the experiment's, or options.seed) and k, the filter's own draws come
 * from the base seed, and nothing depends on the number of threads.
 *
 * Thread safety: an assimilation must not be used by two threads at once;
 * its run uses threads of its own. */
#ifndef DTB_ASSIMILATE_H
#define DTB_ASSIMILATE_H

#include "dtb_common.h"
#include "dtb_experiment.h"

DTB_BEGIN_DECLS

typedef struct dtb_assimilation dtb_assimilation;

typedef enum dtb_assimilate_method {
    DTB_ASSIMILATE_ETKF = 0,         /* ensemble transform Kalman filter (square root; default) */
    DTB_ASSIMILATE_ENKF = 1,         /* stochastic EnKF with perturbed observations */
    DTB_ASSIMILATE_METHOD_FORCE32_ = 0x7FFFFFFF
} dtb_assimilate_method;

/* What localisation measures distance by (dtb_assimilate_options.distance). */
typedef enum dtb_assimilate_distance {
    DTB_ASSIMILATE_DISTANCE_CENTRES = 0,   /* Euclidean, between region centres (mm; default) */
    DTB_ASSIMILATE_DISTANCE_TRACTS = 1,    /* the tract lengths of the connections (mm; regions
                                              not connected: the shortest path through them) */
    DTB_ASSIMILATE_DISTANCE_HOPS = 2,      /* graph distance: the fewest connections between
                                              two regions (the half-width is then in hops) */
    DTB_ASSIMILATE_DISTANCE_FORCE32_ = 0x7FFFFFFF
} dtb_assimilate_distance;

/* dtb_assimilate_options.flags */
/* Write the analysed states into the members too, not only the
 * parameters: the model's and a BOLD observer's haemodynamic states. */
#define DTB_ASSIMILATE_FLAG_UPDATE_STATE 0x1u
/* No random walk of the parameters between samples. */
#define DTB_ASSIMILATE_FLAG_NO_DRIFT 0x2u
/* Z-score the data's columns and standardise the predictions (above). */
#define DTB_ASSIMILATE_FLAG_ZSCORE 0x4u

/* Called after each assimilated sample with the number done and the
 * total. Return non-zero to stop: the run returns DTB_ECANCELLED, keeping
 * the samples done. */
typedef int32_t (*dtb_assimilate_progress_fn)(int64_t done, int64_t total, void *user_data);

#define DTB_ASSIMILATE_OPTIONS_VERSION 1

/* Zero in any member means its default. */
typedef struct dtb_assimilate_options {
    uint32_t version;          /* DTB_ASSIMILATE_OPTIONS_VERSION */
    uint32_t flags;            /* DTB_ASSIMILATE_FLAG_* */
    int32_t method;            /* dtb_assimilate_method (default ETKF) */
    int32_t members;           /* M >= 2 (default 20) */
    int32_t jobs;              /* threads (default 1) */
    int32_t distance;          /* dtb_assimilate_distance of the localisation */
    double inflation;          /* multiplicative covariance inflation >= 1 (default 1: none) */
    double drift;              /* random-walk step of the transformed parameters per sample
                                  (default 0.05) */
    double obs_error;          /* observation error, a fraction of each data column's
                                  standard deviation (default 0.3) */
    double localisation;       /* Gaspari–Cohn half-width, mm or hops (default 0: none) */
    uint64_t seed;             /* base seed (default: the experiment's) */
    const char *out_dir;       /* results folder (estimates.csv, forecast.csv,
                                  forecast_skill.csv, the SVGs); NULL: in memory only */
    dtb_assimilate_progress_fn progress;   /* may be NULL */
    void *user_data;
} dtb_assimilate_options;

#define DTB_ASSIMILATE_OPTIONS_INIT \
    { DTB_ASSIMILATE_OPTIONS_VERSION, 0u, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0u, NULL, NULL, NULL }

DTB_API dtb_status dtb_assimilate_options_init(dtb_assimilate_options *opts, uint32_t version);

/* An assimilation of a copy of exp (which may be freed afterwards).
 * Experiments that resume or write checkpoints are refused. */
DTB_API dtb_status dtb_assimilation_create(dtb_assimilation **out, const dtb_experiment *exp);
DTB_API void dtb_assimilation_free(dtb_assimilation *a);

/* Estimate NAME (see above) within [lo, hi], lo < hi. */
DTB_API dtb_status dtb_assimilation_estimate(dtb_assimilation *a, const char *name, double lo,
                                             double hi);
/* A hierarchical estimate of NAME@REGIONS (as Fudan's hierarchical
 * assimilation does): one value per region, drawn around a shared
 * hyper-parameter that is estimated with them (its column is NAME, before
 * the regions' NAME@k). Before each sample every region value moves the
 * fraction `pull` (0 < pull <= 1) of its distance to the hyper-parameter,
 * in the transformed space; the hyper-parameter drifts as the others do. */
DTB_API dtb_status dtb_assimilation_estimate_hierarchical(dtb_assimilation *a, const char *name,
                                                          double lo, double hi, double pull);
/* The recording: time x observer columns (or columns x time), text, CSV
 * or NPY; a dtb observer file's time column is dropped. Every value must
 * be finite. */
DTB_API dtb_status dtb_assimilation_set_data(dtb_assimilation *a, const char *path);
/* What the members predict, in dtb run's --observe vocabulary: "bold"
 * (default; tr= its period), "tavg:period=0.5s:vars=V", ... one sample per
 * recorded sample. */
DTB_API dtb_status dtb_assimilation_set_observer(dtb_assimilation *a, const char *spec);

/* Check everything (data, observer, names, bounds, options; one member is
 * built) without running. opts may be NULL. */
DTB_API dtb_status dtb_assimilation_prepare(dtb_assimilation *a,
                                            const dtb_assimilate_options *opts);
/* Assimilate every sample of the recording. With opts->out_dir:
 * out_dir/estimates.csv (t, then each parameter's ensemble mean and
 * standard deviation after the analysis), out_dir/forecast.csv (t, the
 * forecast of every column before the analysis; z-scored units with
 * DTB_ASSIMILATE_FLAG_ZSCORE), out_dir/forecast_skill.csv (what,column,r:
 * a row "column" per column, then "mean" and "fc"), estimates.svg,
 * forecast.svg and provenance.json ("running" while it runs, then how it
 * ended and which files hold how many rows; every file is written whole
 * under a temporary name and renamed). Once per object: DTB_ESTATE after
 * that. */
DTB_API dtb_status dtb_assimilation_run(dtb_assimilation *a, const dtb_assimilate_options *opts);
/* Ask a running dtb_assimilation_run to stop after the current sample.
 * Thread-safe and async-signal-safe. */
DTB_API void dtb_assimilation_request_stop(dtb_assimilation *a);

/* The estimated parameters (one per region of a NAME@REGIONS, and the
 * hyper-parameter of a hierarchical one) and their names (borrowed);
 * after dtb_assimilation_prepare or a run (-1 / NULL before). */
DTB_API int64_t dtb_assimilation_parameter_count(const dtb_assimilation *a);
DTB_API const char *dtb_assimilation_parameter_name(const dtb_assimilation *a, int64_t index);
/* Columns of the observed signal (-1 before prepare). */
DTB_API int64_t dtb_assimilation_observation_count(const dtb_assimilation *a);
/* Samples assimilated so far. */
DTB_API int64_t dtb_assimilation_sample_count(const dtb_assimilation *a);
/* The times of the assimilated samples (s; two-call idiom). */
DTB_API dtb_status dtb_assimilation_times(const dtb_assimilation *a, double *buf, size_t capacity,
                                          size_t *needed_out);
/* Each parameter's ensemble mean, and its standard deviation over the
 * ensemble, after each analysis, sample-major: buf[i * parameters + j]
 * (two-call idiom). */
DTB_API dtb_status dtb_assimilation_means(const dtb_assimilation *a, double *buf, size_t capacity,
                                          size_t *needed_out);
DTB_API dtb_status dtb_assimilation_spreads(const dtb_assimilation *a, double *buf,
                                            size_t capacity, size_t *needed_out);
/* The forecast of each sample before its analysis (the ensemble mean of
 * the members' predictions), sample-major: buf[i * columns + c]. */
DTB_API dtb_status dtb_assimilation_forecast(const dtb_assimilation *a, double *buf,
                                             size_t capacity, size_t *needed_out);
/* The forecasts' skill over the samples done (see above): columns + 2
 * values, each column's r, their mean, then the FC's r; NaN where it is
 * undefined (fewer than 3 samples, a constant column; the FC's r with
 * fewer than 3 columns). Nothing (needed 0) before a run has assimilated a
 * sample. Two-call idiom. */
DTB_API dtb_status dtb_assimilation_forecast_skill(const dtb_assimilation *a, double *buf,
                                                   size_t capacity, size_t *needed_out);

DTB_END_DECLS

#endif /* DTB_ASSIMILATE_H */
