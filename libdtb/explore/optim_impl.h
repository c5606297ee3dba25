/* libdtb internal — what the minimisers share: the checked options, the evaluation of batches
 * given in normalised coordinates, the budget and the best point so far.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef DTB_EXPLORE_OPTIM_IMPL_H
#define DTB_EXPLORE_OPTIM_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "optim.h"

/* One minimisation. The backends see only normalised coordinates u in [0,1]^dim; this
 * struct maps them to the caller's box, counts evaluations and keeps the best point. */
typedef struct dtb__optim_run {
    const dtb__optim_options *o;    /* checked by dtb__optim_minimize */
    dtb__optim_eval_fn eval;
    void *ud;
    size_t dim;
    double sigma0;                  /* resolved default */
    double ftarget;                 /* NaN: none */
    double *u0;                     /* normalised start point (dim) */
    double *x_best;                 /* caller's coordinates (dim) */
    double f_best;                  /* NaN until a value arrives */
    int64_t evaluations;
    int64_t budget;
    int target_hit;                 /* a value <= ftarget was seen */
    int32_t restarts_done;
    const char *stop_reason;
    double *xbuf;                   /* candidates in the caller's coordinates */
    size_t xbuf_cap;                /* in candidates */
} dtb__optim_run;

/* Evaluations left in the budget. */
static inline int64_t dtb__optim_remaining(const dtb__optim_run *r)
{
    return r->budget - r->evaluations;
}

/* Evaluate n candidates u (n * dim, normalised, candidate-major; n <= remaining budget):
 * map them into the box, call eval once, count them and update the best point. f gets the
 * values (NaN for failed candidates). Returns eval's status (the batch is then not counted)
 * or DTB_ENOMEM. */
dtb_status dtb__optim_eval_batch(dtb__optim_run *r, const double *u, size_t n, double *f);

/* u in [0,1] -> the caller's coordinate on axis i (ends exact). */
double dtb__optim_to_box(const dtb__optim_run *r, size_t i, double u);

/* The backends. Each sets r->stop_reason (and r->restarts_done) and returns DTB_OK, eval's
 * error status, or another error with its message set. */
dtb_status dtb__optim_cmaes(dtb__optim_run *r);
dtb_status dtb__optim_grid(dtb__optim_run *r);
dtb_status dtb__optim_nlopt(dtb__optim_run *r, const char *name /* after "nlopt-" */);

/* Grid size for a budget: the largest m with m^dim <= budget, or 0 when even 2^dim does not fit. */
int64_t dtb__optim_grid_points(int64_t budget, size_t dim);

#endif /* DTB_EXPLORE_OPTIM_IMPL_H */
