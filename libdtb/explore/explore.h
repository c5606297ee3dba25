/* libdtb internal — exploring an experiment: many simulations of it with
 * some settings changed (sweeps, fits), their scores, and the machinery that
 * runs them on threads, in lockstep batches and on MPI ranks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pieces, bottom to top:
 *   knob     a NAME of --vary / --free: what it changes in an experiment
 *   values   SPEC of --vary (A:B:N, A:B:N:log, lists) and the point sets
 *            (grid, random, Latin hypercube, Sobol)
 *   score    --score KIND[=ARG][:options]: the observers it needs on a
 *            point's simulation and its value at the end
 *   problem  a base experiment + knobs + scores: builds and runs one job
 *            (a point: a value per knob and a seed), or K of them in
 *            lockstep (sim/sim_batch.c), into a job result
 *   runner   runs many jobs on threads and MPI ranks (explore_mpi.c is the
 *            only file that includes mpi.h), reporting each result as it
 *            comes
 *   table    the CSV results table written row by row (sweep.csv, fit.csv)
 * and the public objects on top: dtb_sweep (sweep.c) and dtb_fit (fit.c).
 * Reservoir nulls and assimilation ensembles are clients of the same
 * runner; nothing else hands out work. */
#ifndef DTB_EXPLORE_INTERNAL_H
#define DTB_EXPLORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_atlas.h"
#include "dtb/dtb_experiment.h"
#include "dtb/dtb_explore.h"
#include "dtb/dtb_model.h"

/* ---------------------------------------------------------------- knobs */

typedef enum dtb__knob_kind {
    DTB__KNOB_PARAM,          /* a model parameter in every region: NAME */
    DTB__KNOB_PARAM_REGIONS,  /* in some regions: NAME@REGIONS */
    DTB__KNOB_SPEED,          /* conduction speed, m/s */
    DTB__KNOB_NOISE,          /* factor on every noise amplitude (noise-scale) */
    DTB__KNOB_SEED,           /* the seed itself */
    DTB__KNOB_COUPLING        /* a coupling parameter: coupling.PARAM */
} dtb__knob_kind;

typedef struct dtb__knob {
    char *name;               /* as the user wrote it; the table's column name */
    dtb__knob_kind kind;
    char *param;              /* PARAM, PARAM_REGIONS: the model parameter; COUPLING: its own */
    char *regions;            /* PARAM_REGIONS: the region list */
} dtb__knob;

/* Read a NAME (option names the flag in messages: "vary", "free"). The
 * name's meaning is checked against the model and atlas later
 * (dtb__problem_prepare). */
dtb_status dtb__knob_parse(const char *option, const char *name, dtb__knob *out);
void dtb__knob_free(dtb__knob *k);
/* Is v a value this knob can take (speed > 0, noise >= 0, a seed a whole
 * number >= 0)? Errors name the option, the knob and the value. */
dtb_status dtb__knob_check_value(const char *option, const dtb__knob *k, double v);
/* Add to exp the settings that give the knob the value v (exp is the
 * base experiment with its defaults expanded: see the problem). */
dtb_status dtb__knob_apply(const dtb__knob *k, dtb_experiment *exp, double v);

/* --------------------------------------------------------------- values */

/* The values of one --vary SPEC: A:B:N (N evenly spaced, ends included),
 * A:B:N:log (evenly spaced in log), or v1,v2,... (a single value is a list
 * of one). For random, Latin-hypercube and Sobol samples the SPEC is a box:
 * [A, B] (log-uniform with :log) or, for a list, its values. */
typedef struct dtb__values {
    double *v;                /* the listed or spaced values */
    size_t n;
    double lo, hi;            /* the box */
    int log;                  /* spaced / sampled in log */
    int is_list;
} dtb__values;

dtb_status dtb__values_parse(const char *option, const char *name, const char *spec,
                             dtb__values *out);
void dtb__values_free(dtb__values *v);

/* How the points fill the box of several --vary: a full grid, or N random,
 * Latin-hypercube or Sobol points. */
typedef enum dtb__sample_kind { DTB__SAMPLE_GRID, DTB__SAMPLE_RANDOM, DTB__SAMPLE_LHS,
                                DTB__SAMPLE_SOBOL } dtb__sample_kind;
typedef struct dtb__sample {
    dtb__sample_kind kind;
    int64_t n;                /* points (not GRID) */
} dtb__sample;

dtb_status dtb__sample_parse(const char *text, dtb__sample *out);
/* The points: *points[n_points * n_dims], point-major. Deterministic from
 * seed (the random kinds). A grid varies the last dimension fastest. */
dtb_status dtb__sample_points(const dtb__sample *s, const dtb__values *dims, size_t n_dims,
                              uint64_t seed, double **points, int64_t *n_points);

/* --------------------------------------------------------------- scores */

typedef enum dtb__score_kind {
    DTB__SCORE_FC,            /* Pearson r of the FC upper triangles against an empirical FC */
    DTB__SCORE_FC_RMSE,       /* root mean square difference of the same */
    DTB__SCORE_FCD_KS,        /* KS distance of the FCD values against the empirical FCD */
    DTB__SCORE_PSD_PEAK,      /* frequency (Hz) of the peak of the mean spectrum */
    DTB__SCORE_METASTABILITY, /* std over time of the Kuramoto order of the signal's phases */
    DTB__SCORE_MEAN_RATE,     /* mean over regions and time of a variable */
    DTB__SCORE_MAX_RATE,      /* largest time mean of a variable over regions */
    DTB__SCORE_STABLE         /* 1 when the run stayed near its start state, else 0 */
} dtb__score_kind;

typedef struct dtb__score {
    dtb__score_kind kind;
    char *name;               /* column name: the kind, -2, -3 ... when repeated */
    char *spec;               /* as the user wrote it */
    char *arg;                /* after '=': a file, a variable or a factor (NULL: none) */
    char *observer;           /* the observer spec it reads (dtb run's --observe vocabulary) */
    double band_lo, band_hi;  /* metastability: band-pass (Hz), 0 0: none */
    double factor;            /* stable: allowed factor of change */
    /* empirical data, read by dtb__problem_prepare */
    double *emp;              /* fc: n x n; fcd-ks: the empirical FCD values (upper triangle) */
    size_t emp_n;             /* fc: n; fcd-ks: number of values */
} dtb__score;

/* --score KIND[=ARG][:key=value...]: the keys are those of the observer
 * the score reads (of=SIGNAL, tr=, vars=, window=, step=, ...), plus
 * band=LO:HI for metastability. The options of the transient
 * (skip=) come from the problem. */
dtb_status dtb__score_parse(const char *text, dtb__score *out);
void dtb__score_free(dtb__score *s);
/* Does a larger value mean a better fit (+1), a smaller one (-1), neither (0)? */
int dtb__score_direction(dtb__score_kind kind);
const char *dtb__score_kind_name(dtb__score_kind kind);

/* -------------------------------------------------------------- problem */

/* One simulation to run: a value per knob and the seed (derived from the
 * base seed and the job's index unless a knob sets it). */
typedef struct dtb__job {
    int64_t id;               /* point or evaluation index; the output folder's number */
    uint64_t seed;
    const double *values;     /* n_knobs */
} dtb__job;

#define DTB__MESSAGE_MAX 384

typedef struct dtb__job_result {
    int64_t id;
    dtb_status status;        /* DTB_OK or the error of the run */
    char message[DTB__MESSAGE_MAX];   /* the error's one-line message ("" when ok) */
    double seconds;           /* wall time of the build and run */
    double *scores;           /* n_scores values (NaN: undefined); owned by the caller */
} dtb__job_result;

typedef struct dtb__problem {
    dtb_experiment *base;     /* the base experiment, defaults expanded, observers removed */
    dtb_experiment *user;     /* the experiment as given (for experiment.xml) */
    dtb__knob *knobs;
    size_t n_knobs;
    dtb__score *scores;
    size_t n_scores;
    double transient;         /* seconds of each run the scores ignore */
    char *empirical_bold;     /* file, time x regions (or regions x time) */
    uint64_t base_seed;
    int same_seed;            /* every job runs with the base seed */
    /* built by dtb__problem_prepare, shared read-only by every job */
    dtb_atlas *atlas;
    dtb_model *model;
    double duration;
    int prepared;
    /* per-job output folders (keep outputs): points_dir/NNNN; NULL: none */
    char *points_dir;
    const char *points_prefix;   /* "points" or "evaluations", for messages */
} dtb__problem;

/* Take a copy of exp as the base. */
dtb_status dtb__problem_init(dtb__problem *p, const dtb_experiment *exp);
void dtb__problem_free(dtb__problem *p);
dtb_status dtb__problem_add_knob(dtb__problem *p, const char *option, const char *name,
                                 dtb__knob **out);
dtb_status dtb__problem_add_score(dtb__problem *p, const char *spec);
/* The empirical BOLD (NULL: none) and the transient (checked against the
 * run's duration). */
dtb_status dtb__problem_set_empirical_bold(dtb__problem *p, const char *path);
dtb_status dtb__problem_set_transient(dtb__problem *p, double seconds);
int64_t dtb__problem_score_index(const dtb__problem *p, const char *name);
/* Load the atlas and the model, the empirical data, check every knob and
 * score against them and build one simulation with the given values (the
 * first point) to check what only a build can. Nothing is run, nothing is
 * written. Idempotent. */
dtb_status dtb__problem_prepare(dtb__problem *p, const double *first_values);
/* The seed of job `index` (see dtb__job). */
uint64_t dtb__problem_job_seed(const dtb__problem *p, int64_t index);
/* The experiment of a job: the base, the knobs' settings, the seed. */
dtb_status dtb__problem_job_experiment(const dtb__problem *p, const dtb__job *job,
                                       dtb_experiment **out);
/* Run jobs (1 or more) and fill their results (scores malloc'd by the
 * caller). Up to batch_max (0: a size chosen from the network) jobs whose
 * simulations can share one lockstep batch (same atlas, network, dt) run
 * as one; the others one after the other.
 * The numbers are bit for bit those of running each job alone. Returns
 * DTB_ECANCELLED when *stop became non-zero (results then partial), else
 * DTB_OK: a job's own failure is in its result. */
dtb_status dtb__problem_run(const dtb__problem *p, const dtb__job *jobs, size_t n_jobs,
                            dtb__job_result *results, size_t batch_max, const volatile int *stop);

/* ------------------------------------------------------------- executor */

/* What the runner hands jobs to: a problem's experiments (problem.c), a
 * reservoir's networks, an ensemble's members. Every rank of an MPI run
 * makes the same executor from the same arguments; jobs carry n_values
 * doubles and results n_scores. */
typedef struct dtb__executor {
    void *ctx;
    size_t n_values, n_scores;
    /* Run n jobs and fill their results, up to batch_max (0: its own
     * choice) of them together where it can; DTB_ECANCELLED when *stop
     * became non-zero, else DTB_OK (a job's own failure is its result's). */
    dtb_status (*run)(void *ctx, const dtb__job *jobs, size_t n, dtb__job_result *results,
                      size_t batch_max, const volatile int *stop);
    /* DTB_OK, or why this rank could not set the executor up (a worker
     * then answers every job with it, so that rank 0 hears of it) */
    dtb_status ready;
} dtb__executor;

/* The executor of a problem's jobs (dtb__problem_run). */
dtb__executor dtb__problem_executor(const dtb__problem *p);

/* --------------------------------------------------------------- runner */

/* Called for each finished job, serialised (one call at a time), on any
 * thread. Return non-zero to stop the run (DTB_ECANCELLED). */
typedef int (*dtb__result_fn)(const dtb__job_result *r, void *ud);

typedef struct dtb__mpi_state dtb__mpi_state;

typedef struct dtb__runner {
    int32_t threads;          /* >= 1 */
    int32_t batch;            /* jobs per lockstep batch, >= 1; 0: chosen from the network */
    int use_mpi;              /* hand jobs to the other ranks (rank 0 calls dtb__run_jobs) */
    dtb__mpi_state *mpi;      /* the MPI session, NULL without */
    dtb__result_fn on_result;
    void *user_data;
    volatile int *stop;       /* set to stop (may be NULL) */
} dtb__runner;

/* Run every job; results[i] belongs to jobs[i] (its scores array must hold
 * n_scores values). On MPI, rank 0 calls this and the other ranks call
 * dtb__mpi_serve. */
dtb_status dtb__run_jobs(const dtb__executor *x, const dtb__job *jobs, size_t n_jobs,
                         const dtb__runner *r, dtb__job_result *results);

/* ------------------------------------------------------------------ mpi */

/* Is this library built with MPI? */
int dtb__mpi_built(void);
/* Join MPI on communicator comm (a Fortran handle, 0: MPI_COMM_WORLD),
 * initialising MPI if nobody has (it is then finalised at exit), on a
 * duplicate of the communicator. DTB_EUNSUPPORTED without MPI. */
dtb_status dtb__mpi_session(int64_t comm, dtb__mpi_state **out);
void dtb__mpi_session_free(dtb__mpi_state *s);
int dtb__mpi_session_rank(const dtb__mpi_state *s);
int dtb__mpi_session_size(const dtb__mpi_state *s);
/* Ranks other than 0: run the jobs rank 0 hands out (their values come
 * with them) until it says that no more come. */
dtb_status dtb__mpi_serve(const dtb__executor *x, const dtb__runner *r);
/* Rank 0: tell the other ranks that no more work comes. */
void dtb__mpi_release(const dtb__runner *r);

/* ---------------------------------------------------------------- table */

/* A results table written row by row: each row whole and written at once
 * (a file of whole rows, io/rowfile.h: a full disk or a kill never leaves
 * half a row). */
typedef struct dtb__table {
    char *path;
    struct dtb__rowfile *rows;
    size_t n_cols;
} dtb__table;

/* Open for writing: a new file with the header line, or (append) an
 * existing one whose header must be the same. */
dtb_status dtb__table_open(dtb__table *t, const char *path, const char *const *cols, size_t n_cols,
                           int append);
/* Fields as text, quoted when they need it (RFC 4180). */
dtb_status dtb__table_row(dtb__table *t, const char *const *fields);
/* The rows the file holds (for the provenance record). */
int64_t dtb__table_rows(const dtb__table *t);

/* A row being put together field by field: integers, numbers (the
 * shortest text that reads back exactly, "nan"), text, seconds. */
typedef struct dtb__row {
    char **fields;
    size_t n, cap;
    int failed;
} dtb__row;
void dtb__row_int(dtb__row *r, int64_t v);
void dtb__row_number(dtb__row *r, double v);
void dtb__row_numbers(dtb__row *r, const double *v, size_t n);
void dtb__row_text(dtb__row *r, const char *text);
void dtb__row_seconds(dtb__row *r, double seconds);
/* Write it (its field count must be the table's) and empty it. */
dtb_status dtb__table_write(dtb__table *t, dtb__row *r);
void dtb__row_free(dtb__row *r);
dtb_status dtb__table_close(dtb__table *t);
/* Read an existing table: the header and the rows as text (fields of row r
 * at cells[r * n_cols]). A last line without its end (a cut row) is
 * ignored; *whole (may be NULL) is the length of the file up to it, where
 * appending must start. */
dtb_status dtb__table_read(const char *path, char ***header, size_t *n_cols, char ***cells,
                           size_t *n_rows, size_t *whole);
/* The same, for a table that must have exactly these columns (what names
 * the table in messages: "sweep", "fit"); cells freed with
 * dtb__strings_free(cells, n_rows * n_cols). */
dtb_status dtb__table_read_expected(const char *path, const char *what, const char *const *cols,
                                    size_t n_cols, char ***cells, size_t *n_rows, size_t *whole);

/* ------------------------------------------------------------- helpers */

/* SplitMix64: the seed of job index i from the base seed. */
uint64_t dtb__derive_seed(uint64_t base, uint64_t index);
/* A matrix from a file: text or CSV with or without a header line of
 * labels, or NPY; every value finite. *first_label (may be NULL): the
 * header's first name, malloc'd, or NULL without a header. */
dtb_status dtb__read_any_matrix(const char *path, const char *what, double **out, size_t *rows,
                                size_t *cols, char **first_label);
/* A recording of n columns as samples x columns: a dtb observer file's
 * time column (header "t") dropped — its times in *times when times is not
 * NULL, else NULL there — and a columns x samples file turned round. When
 * neither orientation has n columns, *cols != n and the matrix is as read:
 * the caller says what n is in its error. */
dtb_status dtb__read_samples(const char *path, const char *what, size_t n, double **out,
                             size_t *rows, size_t *cols, double **times);
/* Objective expressions over score names (fit.c). */
typedef struct dtb__objective dtb__objective;
dtb_status dtb__objective_parse(const char *text, const dtb__problem *p, dtb__objective **out);
double dtb__objective_eval(const dtb__objective *o, const double *scores);
void dtb__objective_free(dtb__objective *o);

#endif
