/* libdtb internal — the reservoir object (reservoir.c, sim_res.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_RESERVOIR_OBJECT_H
#define DTB_RESERVOIR_OBJECT_H

#include "dtb/dtb_experiment.h"
#include "dtb/dtb_model.h"
#include "reservoir.h"

typedef enum dtb__reservoir_kind { DTB__RES_ESN, DTB__RES_SIM } dtb__reservoir_kind;

struct dtb_reservoir {
    dtb__reservoir_kind kind;
    dtb_atlas *atlas;             /* the connectome (the experiment's, for a simulation) */
    /* simulation reservoirs */
    dtb_experiment *exp;
    dtb_model *model;
    char *into, *observe;
    double scale, period;
    /* the network's parts */
    dtb__activation activation;
    char *input_spec, *output_spec;
    int64_t *in, *out;
    size_t n_in, n_out;
    /* the task */
    char *task_name;              /* NULL: the caller's data */
    int64_t steps, delays;
    dtb__task_data task;
    int task_ready;
    int logistic;
    /* nulls */
    dtb_null_model null_model;
    int64_t n_nulls;
    uint64_t seed;
    /* the last run */
    double *alphas;
    size_t n_alphas;
    double *scores;               /* n_alphas x (1 + n_nulls): network -1 first */
    volatile int stop;
};

/* The states of a simulation reservoir on `network` at alpha for the input
 * u (T x C): *X (malloc'd, T x *cols), the observer's columns. */
dtb_status dtb__sim_reservoir_states(const dtb_reservoir *r, const dtb_atlas *network, double alpha,
                                     const double *u, size_t T, size_t C, double **X, size_t *cols);

#endif
