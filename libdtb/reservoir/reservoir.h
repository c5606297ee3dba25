/* libdtb internal — the twin as a computing reservoir: echo-state networks
 * on connectomes, simulations driven by a task, linear readouts, tasks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   esn.c       x(t+1) = f(alpha W x(t) + W_in u(t+1)), W scaled to unit
 *               spectral radius
 *   sim_res.c   a libdtb simulation as the reservoir
 *   tasks.c     input and target sequences (memory capacity, NARMA-10,
 *               sine to square, decision making, go/no-go, delayed match)
 *   readout.c   readouts: the train/test split, one-vs-rest ridge and
 *               logistic classification, scores, readout files
 *   ridge.c     ridge regression with cross-validated regularisation
 *               (on products.c and symm_eigen.c, dense.h)
 *   reservoir.c the public object: alphas x (the connectome and its nulls)
 *               on the explore runner (threads, MPI) */
#ifndef DTB_RESERVOIR_INTERNAL_H
#define DTB_RESERVOIR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_atlas.h"
#include "dtb/dtb_reservoir.h"

/* ---------------------------------------------------------------- tasks */

typedef enum dtb__task_kind { DTB__TASK_REGRESSION, DTB__TASK_CLASSIFICATION } dtb__task_kind;

/* A task instance: T steps of C input channels and Q targets. Regression
 * targets are values; a classification task has one column, the class
 * index (-1: no decision at this step). scored[t]: the step counts in the
 * score (0 during a washout or where nothing is asked). */
typedef struct dtb__task_data {
    dtb__task_kind kind;
    size_t T, C, Q;
    double *u;                /* T x C */
    double *y;                /* T x Q */
    unsigned char *scored;    /* T */
    int32_t n_classes;        /* classification */
    int sum_r2;               /* the score is the sum over targets of r^2 (memory capacity) */
} dtb__task_data;

typedef struct dtb__task_params {
    int64_t steps;            /* T (0: the task's default) */
    int64_t washout;          /* first steps left out of training and test (0: default) */
    int64_t delays;           /* memory capacity: largest delay (0: 2 x outputs, at most 400) */
    uint64_t seed;
    size_t n_outputs;         /* the readout's regions (for the default delays) */
} dtb__task_params;

dtb_status dtb__task_make(const char *name, const dtb__task_params *p, dtb__task_data *out);
void dtb__task_free(dtb__task_data *t);
/* The names of the built-in tasks (NULL-terminated). */
const char *const *dtb__task_names(void);

/* ------------------------------------------------------------------ esn */

/* Ŵ = W / rho(W), rho the largest |eigenvalue| (a symmetric W: dense.h's
 * dtb__symm_eigen, eigenvalues alone; else GSL's nonsymmetric solver). *rho_out may be NULL.
 * DTB_EINVAL for a W whose spectral radius is 0 (no connections). */
dtb_status dtb__spectral_normalise(const double *w, size_t n, double *w_hat, double *rho_out);

typedef enum dtb__activation { DTB__ACT_TANH, DTB__ACT_IDENTITY, DTB__ACT_SIGMOID } dtb__activation;

/* The states of the echo-state network over T steps: X[t] (t = 0..T-1,
 * n values each) = f(alpha Ŵ X[t-1] + W_in U[t]), X[-1] = 0. Input channel
 * c drives the input regions in[i] with i % C == c (weight 1). */
void dtb__esn_run(const double *w_hat, size_t n, double alpha, dtb__activation f,
                  const int64_t *in, size_t n_in, const double *u, size_t T, size_t C, double *X);

/* -------------------------------------------------------------- readout */

typedef struct dtb__readout {
    size_t p, q;              /* features (without the bias), targets */
    double lambda;
    double *w;                /* q x (p + 1): bias first */
} dtb__readout;

/* Fit a readout from the states X (T x p, the output features) on the
 * training steps and score it on the test steps (the stated split: the
 * first 70 % of the scored steps after the washout train, the rest test).
 * The ridge parameter is chosen by 5-fold cross-validation (contiguous
 * folds of the training steps) over 10^-8 .. 10^2. logistic: one-vs-rest
 * logistic regression instead of ridge for classification tasks. */
dtb_status dtb__readout_fit(const dtb__task_data *task, const double *X, size_t p, int logistic,
                            dtb__readout *out, double *score);
void dtb__readout_free(dtb__readout *r);
/* Ridge regression of yr (m x q) on xr (m x p), the training rows in
 * order: lambda in 10^-8 .. 10^2 chosen by the summed squared error over 5
 * contiguous validation folds, then the fit on all m rows, refined against
 * the rows; w (q x (p + 1)) gets one row per target, bias first. xr is
 * left centred (scratch). */
dtb_status dtb__ridge_fit(double *xr, double *yr, size_t m, size_t p, size_t q, double *lambda_out,
                          double *w);
/* Y (T x q) = the readout applied to X (T x p). */
void dtb__readout_apply(const dtb__readout *r, const double *X, size_t T, double *Y);
dtb_status dtb__readout_save(const dtb__readout *r, const char *path, const char *about);
dtb_status dtb__readout_load(const char *path, dtb__readout *out);

#endif
