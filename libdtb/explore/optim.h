/* libdtb internal — derivative-free minimisers for fitting (CMA-ES, NLopt, grid).
 * The caller's evaluation function gets BATCHES of candidates (a CMA-ES generation, a grid chunk,
 * one point for NLopt's sequential methods) so that it can evaluate them in parallel.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every method works in normalised coordinates u in [0,1]^dim (u = (x - lo) / (hi - lo)) and
 * hands the evaluation function points of the box in the caller's coordinates: every candidate
 * satisfies lo[i] <= x[i] <= hi[i]. That is why sigma0 and xtol are fractions of each box width:
 * one number means the same on every axis, whatever the parameters' units.
 *
 * Methods and what they are for:
 *   cmaes            CMA-ES with IPOP restarts (cmaes.c): global, batches of lambda candidates;
 *                    the first run starts at x0, each restart at a point drawn uniformly in the
 *                    box with twice the previous population.
 *   grid             every point of an m^dim grid, ends included (optim_grid.c); m from the budget.
 *   nlopt-bobyqa, nlopt-sbplx, nlopt-neldermead, nlopt-cobyla
 *                    NLopt's LOCAL derivative-free methods: they converge to the minimum of the
 *                    basin they start in, nothing more.
 *   nlopt-direct, nlopt-crs2, nlopt-isres, nlopt-esch
 *                    NLopt's global methods (DIRECT-L, CRS2 with local mutation, ISRES, ESCH).
 *
 * How the options reach NLopt: the box as bounds, x0 as the start (DIRECT-L ignores it),
 * sigma0 as the initial step of the local methods, budget as maxeval (at most INT_MAX),
 * ftarget as stopval, popsize (when > 0) as the population of crs2, isres and esch, seed
 * through nlopt_srand (see optim_nlopt.c: NLopt fits on different threads take turns).
 * restarts applies to CMA-ES only.
 *
 * The x handed to eval is valid during that call only; a value of f that eval leaves unwritten
 * counts as failed (NaN).
 *
 * Tolerance defaults (xtol, ftol = 0):
 *   cmaes  xtol = 1e-12 * sigma0 (TolX of Hansen's tutorial), ftol = 1e-12 (TolFun); xtol is in
 *          normalised units (a fraction of the box width), ftol in units of f.
 *   nlopt  local methods: xtol = 1e-10 (normalised, NLopt's xtol_abs), ftol = 1e-12 (NLopt's
 *          ftol_abs); global methods: none (they stop at the budget or ftarget, because a
 *          step without improvement is normal for them and an ftol would stop them early).
 *   grid   none: the whole grid is evaluated (or until ftarget).
 *
 * stop_reason is one of: "budget", "ftarget", "xtol", "ftol", "equalfunvals", "stagnation",
 * "conditioncov", "noeffectaxis", "noeffectcoord", "tolxup" (CMA-ES criteria of the last run),
 * "converged", "roundoff" (NLopt's own success codes), "complete" (grid), "error" (evaluation
 * failed or the method failed). */
#ifndef DTB_EXPLORE_OPTIM_H
#define DTB_EXPLORE_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "dtb/dtb_common.h"

typedef dtb_status (*dtb__optim_eval_fn)(void *ud, const double *x /* n * dim, candidate-major */,
                                         size_t n, double *f /* n values out */);
typedef struct dtb__optim_options {
    const char *method;     /* "cmaes" (default when NULL), "grid", or "nlopt-<name>" */
    size_t dim;
    const double *lo, *hi;  /* box, lo[i] < hi[i], both finite */
    const double *x0;       /* start (NULL: the box centre) */
    double sigma0;          /* initial step as a fraction of each box width (0: 0.3) */
    int64_t budget;         /* maximum number of evaluations (> 0) */
    uint64_t seed;          /* every 64-bit value is a valid seed */
    int64_t popsize;        /* CMA-ES lambda (0: 4 + floor(3 ln dim)) */
    int32_t restarts;       /* CMA-ES IPOP restarts with doubled population (-1: none; 0: default = as many as the budget allows) */
    double ftarget;         /* stop as soon as a value <= ftarget is found (NaN: no target) */
    double xtol, ftol;      /* convergence tolerances (0: sensible defaults, documented) */
} dtb__optim_options;
typedef struct dtb__optim_result {
    double *x_best;         /* dim values, malloc'd (caller frees with dtb__optim_result_free) */
    double f_best;
    int64_t evaluations;
    int32_t restarts_done;
    const char *stop_reason; /* static string: "budget", "ftarget", "xtol", "ftol", ... */
} dtb__optim_result;

/* Fill `o` with the defaults: every field zero except ftarget = NaN (no target). A zeroed
 * struct means ftarget = 0, which stops a non-negative objective only at an exact zero but
 * stops any other objective at its first value <= 0: start from this function instead. */
void dtb__optim_options_init(dtb__optim_options *o);

/* Minimise. A NaN value from eval means a failed candidate: it ranks worst (CMA-ES) or
 * is reported to NLopt as HUGE_VAL. If eval returns an error status the run stops and that
 * status is returned (the result then holds the best found so far). Deterministic: the same
 * options and the same values give the same sequence of candidates on every run and machine.
 *
 * Details:
 * - evaluations counts the candidates of batches that eval completed; a batch whose call
 *   failed is not counted and its values are not used. It never exceeds the budget.
 * - f_best is the smallest non-NaN value seen (the first one on ties) and x_best its
 *   candidate; when no candidate gave a value, f_best is NaN and x_best the start point.
 * - On bad options nothing is evaluated, res->x_best is NULL and stop_reason is "error".
 * - eval's error message is left as eval set it (this function adds no context to it).
 * - "Every machine" assumes IEEE double arithmetic and the same results from the C library's
 *   log, exp and pow (glibc's are the same on every x86-64 and arm64 machine). */
dtb_status dtb__optim_minimize(const dtb__optim_options *o, dtb__optim_eval_fn eval, void *ud,
                               dtb__optim_result *res);
/* Free x_best and clear the struct; NULL-safe. */
void dtb__optim_result_free(dtb__optim_result *res);
/* Is `method` known? (NULL-terminated list of names for help texts.) */
int dtb__optim_method_known(const char *method);
const char *const *dtb__optim_method_names(void);

#endif /* DTB_EXPLORE_OPTIM_H */
