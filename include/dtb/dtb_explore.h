/* libdtb — exploring an experiment: parameter sweeps and fits to data.
 *
 * Copyright (C) 2026 the libdtb authors. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sweep runs many simulations ("points") of one experiment with some of
 * its settings varied, and scores each one in-process; a fit searches the
 * settings that maximise an objective made of those scores. Both run their
 * simulations on threads, K at a time in lockstep batches (one simulation
 * whose every history read and coupling sum serves K points), and, when
 * libdtb is built with MPI, on the ranks of an MPI communicator.
 *
 * What varies ("NAME"):
 *   NAME             a model parameter, the same in every region
 *   NAME@REGIONS     a model parameter in some regions (indices or label
 *                    globs joined by '+', as dtb run's --set NAME@REGIONS=V)
 *   speed            the conduction speed (m/s)
 *   noise            a factor on every noise amplitude (noise-scale)
 *   seed             the seed of the random numbers
 *   coupling.PARAM   a parameter of the coupling function (coupling.a)
 * Each point is an experiment (dtb_experiment.h): the base experiment with
 * the settings these stand for appended, and its own seed. The seed of
 * point i derives from the base seed and i (SplitMix64), so that a point's
 * numbers are the same bits whatever the number of threads, ranks or
 * batches, and whatever order the points run in; a point is the same bits
 * as dtb run of its experiment (dtb_sweep_point_experiment).
 *
 * Scores ("KIND[=ARG][:options]"), each computed from an observer of the
 * point's simulation (its options are the observer's, in dtb run's
 * --observe vocabulary; by default the model's first variable of interest):
 *   fc[=FILE]        Pearson r of the FC upper triangles against an empirical
 *                    FC (FILE, or the FC of the empirical BOLD); of=bold by default
 *   fc-rmse[=FILE]   root mean square difference of the same
 *   fcd-ks[=FILE]    Kolmogorov-Smirnov distance of the FCD values against the
 *                    empirical BOLD's (FILE or dtb_sweep_set_empirical_bold), the
 *                    same windows (window=, step=; the BOLD's TR as its sample period)
 *   psd-peak         the frequency (Hz) of the peak of the mean Welch spectrum
 *                    (of=tavg by default)
 *   metastability    the standard deviation over time of the Kuramoto order of the
 *                    signal's Hilbert phases (of=bold by default; band=LO-HI Hz
 *                    band-passes first)
 *   mean-rate[=VAR], max-rate[=VAR]
 *                    the mean over regions of the time mean of a variable, and
 *                    the largest regional time mean (of=tavg by default)
 *   stable[=FACTOR]  1 when the run's mean of the variable (after the transient)
 *                    stayed within FACTOR (default 2) of its first sample's, else 0
 * A score is NaN where it is undefined (a constant signal, too few samples).
 *
 * Thread safety: a sweep or fit object must not be used by two threads at
 * once; its run uses threads of its own. Callbacks run on any of them, one
 * at a time. */
#ifndef DTB_EXPLORE_H
#define DTB_EXPLORE_H

#include "dtb_common.h"
#include "dtb_experiment.h"

DTB_BEGIN_DECLS

/* --------------------------------------------------------- run options */

/* dtb_explore_options.flags */
/* Keep each point's observer files (the experiment's own observers) in
 * out_dir/points/NNNN/ (fits: out_dir/evaluations/NNNN/). */
#define DTB_EXPLORE_FLAG_KEEP_OUTPUTS 0x1u
/* Run on the ranks of an MPI communicator (mpi_comm). Every rank calls
 * the run with the same object and options; rank 0 hands out the points,
 * writes the files and holds the results. DTB_EUNSUPPORTED when libdtb was
 * built without MPI. */
#define DTB_EXPLORE_FLAG_MPI 0x2u
/* Every point runs with the base seed (common random numbers) instead of
 * a seed derived from its index. */
#define DTB_EXPLORE_FLAG_SAME_SEED 0x4u

/* Called after each finished point (or evaluation) with the number done
 * and the total (a fit's total is its budget). Return non-zero to stop:
 * the run returns DTB_ECANCELLED, keeping every finished row. */
typedef int32_t (*dtb_explore_progress_fn)(int64_t done, int64_t total, void *user_data);

#define DTB_EXPLORE_OPTIONS_VERSION 1

/* Zero in any member means its default. */
typedef struct dtb_explore_options {
    uint32_t version;        /* DTB_EXPLORE_OPTIONS_VERSION */
    uint32_t flags;          /* DTB_EXPLORE_FLAG_* */
    int32_t jobs;            /* threads (default 1) */
    int32_t batch;           /* points per lockstep batch (1: none, at most 64); default 1
                                (batches give the same bits, not more speed: dtb_explore(3)) */
    const char *out_dir;     /* results folder; NULL: no files (results in memory only) */
    dtb_explore_progress_fn progress;   /* may be NULL */
    void *user_data;
    int64_t mpi_comm;        /* MPI: the communicator as a Fortran handle (MPI_Comm_c2f,
                                mpi4py's comm.py2f()); 0: MPI_COMM_WORLD */
} dtb_explore_options;

#define DTB_EXPLORE_OPTIONS_INIT { DTB_EXPLORE_OPTIONS_VERSION, 0u, 0, 0, NULL, NULL, NULL, 0 }

DTB_API dtb_status dtb_explore_options_init(dtb_explore_options *opts, uint32_t version);

/* 1 when this libdtb was built with MPI, else 0. */
DTB_API int32_t dtb_explore_has_mpi(void);

/* ---------------------------------------------------------------- sweeps */

typedef struct dtb_sweep dtb_sweep;

/* A sweep of a copy of exp (which may be freed afterwards). Experiments
 * that resume or write checkpoints are refused. */
DTB_API dtb_status dtb_sweep_create(dtb_sweep **out, const dtb_experiment *exp);
DTB_API void dtb_sweep_free(dtb_sweep *sweep);

/* Vary NAME over SPEC: "A:B:N" (N evenly spaced values, ends included),
 * "A:B:N:log" (evenly spaced in log), or "v1,v2,...". Several make a full
 * grid (the last varies fastest) unless dtb_sweep_set_sample asks for
 * random points in their box (A..B; a list's values). */
DTB_API dtb_status dtb_sweep_vary(dtb_sweep *sweep, const char *name, const char *spec);
/* "grid" (default), "random:N", "lhs:N" (Latin hypercube) or "sobol:N"
 * (GSL's Sobol sequence; deterministic). The random kinds draw from the
 * base seed. */
DTB_API dtb_status dtb_sweep_set_sample(dtb_sweep *sweep, const char *sample);
/* Add a score (see above); its column is named by its kind ("fc"; a
 * second score of the same kind "fc-2"). */
DTB_API dtb_status dtb_sweep_add_score(dtb_sweep *sweep, const char *spec);
/* An empirical BOLD recording (time x regions, or regions x time; text,
 * CSV or NPY) for the fcd-ks score and for fc without a file. */
DTB_API dtb_status dtb_sweep_set_empirical_bold(dtb_sweep *sweep, const char *path);
/* Simulated seconds at the start of each run that the scores ignore. */
DTB_API dtb_status dtb_sweep_set_transient(dtb_sweep *sweep, double seconds);

/* Check everything (atlas, model, names, values, regions, score files and
 * their sizes; one point is built) without running or writing anything. */
DTB_API dtb_status dtb_sweep_prepare(dtb_sweep *sweep);

/* The points (after dtb_sweep_prepare or a run; -1 before / for NULL). */
DTB_API int64_t dtb_sweep_point_count(const dtb_sweep *sweep);
DTB_API int64_t dtb_sweep_variable_count(const dtb_sweep *sweep);
DTB_API const char *dtb_sweep_variable_name(const dtb_sweep *sweep, int64_t index);
/* The values of a point, one per variable (two-call idiom). */
DTB_API dtb_status dtb_sweep_point_values(const dtb_sweep *sweep, int64_t point, double *buf,
                                          size_t capacity, size_t *needed_out);
/* The experiment of a point, with its seed: dtb_experiment_run of it gives
 * the point's numbers. The caller frees *out. */
DTB_API dtb_status dtb_sweep_point_experiment(const dtb_sweep *sweep, int64_t point,
                                              dtb_experiment **out);

/* Run every point not run yet. With opts->out_dir: out_dir/sweep.csv (one
 * row per point as it finishes: point, the varied names, the scores,
 * status, seconds), out_dir/experiment.xml and out_dir/provenance.json; a
 * folder holding a sweep of the same settings is resumed (its finished
 * points are not run again), one of other settings is refused, naming the
 * first setting that differs. A point that fails (a blow-up, a bad value)
 * is a row with its message; the sweep goes on. */
DTB_API dtb_status dtb_sweep_run(dtb_sweep *sweep, const dtb_explore_options *opts);

/* Ask a running dtb_sweep_run to stop: the points running stop at their
 * next step (they get no row), the run returns DTB_ECANCELLED keeping every
 * finished row. Thread-safe and async-signal-safe (a signal handler may
 * call it). */
DTB_API void dtb_sweep_request_stop(dtb_sweep *sweep);

DTB_API int64_t dtb_sweep_score_count(const dtb_sweep *sweep);
DTB_API const char *dtb_sweep_score_name(const dtb_sweep *sweep, int64_t index);
/* A point's scores (NaN: undefined or not run; two-call idiom). */
DTB_API dtb_status dtb_sweep_point_scores(const dtb_sweep *sweep, int64_t point, double *buf,
                                          size_t capacity, size_t *needed_out);
/* "ok", the point's error message, or NULL when it has not run. Borrowed,
 * valid until the next run or the sweep is freed. */
DTB_API const char *dtb_sweep_point_status(const dtb_sweep *sweep, int64_t point);
/* Wall seconds of the point's build and run (NaN: not run). */
DTB_API double dtb_sweep_point_seconds(const dtb_sweep *sweep, int64_t point);

/* ------------------------------------------------------------------ fits */

typedef struct dtb_fit dtb_fit;

DTB_API dtb_status dtb_fit_create(dtb_fit **out, const dtb_experiment *exp);
DTB_API void dtb_fit_free(dtb_fit *fit);

/* A free setting (NAME as above) searched in [lo, hi], lo < hi. */
DTB_API dtb_status dtb_fit_add_free(dtb_fit *fit, const char *name, double lo, double hi);
DTB_API dtb_status dtb_fit_add_score(dtb_fit *fit, const char *spec);
DTB_API dtb_status dtb_fit_set_empirical_bold(dtb_fit *fit, const char *path);
DTB_API dtb_status dtb_fit_set_transient(dtb_fit *fit, double seconds);
/* What is maximised: an expression of the scores' names (the LEMS
 * expression language: "fc - fcd-ks", "fc - 0.5 * fc-rmse",
 * "-abs(psd-peak - 10)"). Default: the first score whose kind has a
 * direction, signed so that larger is better (fc; -fc-rmse; -fcd-ks). A
 * candidate whose stable score is 0, or whose objective is NaN, counts as
 * the worst. */
DTB_API dtb_status dtb_fit_set_objective(dtb_fit *fit, const char *expression);
/* "cmaes" (default: CMA-ES with box constraints and IPOP restarts,
 * seeded), "grid", or an NLopt derivative-free method ("nlopt-bobyqa",
 * "nlopt-sbplx", "nlopt-neldermead", "nlopt-cobyla", "nlopt-direct",
 * "nlopt-crs2", "nlopt-isres", "nlopt-esch"). */
DTB_API dtb_status dtb_fit_set_method(dtb_fit *fit, const char *method);
/* Simulations to spend (> 0; default 200). With repeats R, each
 * candidate costs R. */
DTB_API dtb_status dtb_fit_set_budget(dtb_fit *fit, int64_t budget);
/* Average each candidate's scores over R seeds (R >= 1, default 1). */
DTB_API dtb_status dtb_fit_set_repeats(dtb_fit *fit, int32_t repeats);

DTB_API dtb_status dtb_fit_prepare(dtb_fit *fit);
/* Search. With opts->out_dir: out_dir/fit.csv (every evaluation),
 * out_dir/best.xml (the best candidate's experiment: dtb run reruns it to
 * the same numbers), out_dir/fit.svg (objective per evaluation, best so
 * far), out_dir/experiment.xml, out_dir/provenance.json. */
DTB_API dtb_status dtb_fit_run(dtb_fit *fit, const dtb_explore_options *opts);

/* As dtb_sweep_request_stop: the best so far is kept (and best.xml written). */
DTB_API void dtb_fit_request_stop(dtb_fit *fit);

DTB_API int64_t dtb_fit_free_count(const dtb_fit *fit);
DTB_API const char *dtb_fit_free_name(const dtb_fit *fit, int64_t index);
DTB_API int64_t dtb_fit_score_count(const dtb_fit *fit);
DTB_API const char *dtb_fit_score_name(const dtb_fit *fit, int64_t index);
/* Evaluations done (candidates; each of R seeds). */
DTB_API int64_t dtb_fit_evaluation_count(const dtb_fit *fit);
/* The best candidate: its values (one per free setting), its scores and
 * its objective (two-call idiom; NaN objective before a run). */
DTB_API dtb_status dtb_fit_best_values(const dtb_fit *fit, double *buf, size_t capacity,
                                       size_t *needed_out);
DTB_API dtb_status dtb_fit_best_scores(const dtb_fit *fit, double *buf, size_t capacity,
                                       size_t *needed_out);
DTB_API double dtb_fit_best_objective(const dtb_fit *fit);
/* The best candidate's experiment (the caller frees *out). */
DTB_API dtb_status dtb_fit_best_experiment(const dtb_fit *fit, dtb_experiment **out);

DTB_END_DECLS

#endif /* DTB_EXPLORE_H */
