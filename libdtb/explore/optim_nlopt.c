/* libdtb — NLopt's derivative-free methods behind the optimiser interface.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NLopt works in the normalised box [0,1]^dim like the other methods, so that its initial
 * step (sigma0) and its xtol mean the same fraction of every axis; BOBYQA's manual asks for
 * variables scaled alike anyway. One candidate per call of eval (these methods are sequential).
 *
 * Budget: NLopt's maxeval (an int, so at most INT_MAX), and a guard in the objective that
 * stops the run before the budget could be exceeded whatever the algorithm does. ftarget is
 * NLopt's stopval. An eval error stops NLopt with nlopt_force_stop and is returned as is.
 *
 * The seed. NLopt's random numbers (CRS2, ISRES and ESCH draw them; the others are
 * deterministic) come from one Mersenne Twister that the API documents as global, set by
 * nlopt_srand. We set it right before each run from options.seed (mixed to the 32 bits the
 * twister takes) and hold nlopt_lock from the seeding to the end of the run, so two fits on
 * two threads never draw from one stream in turn: each run then sees exactly the numbers its
 * seed gives. (Debian's libnlopt keeps the twister in thread-local storage; builds without
 * thread-local support share it, and the lock is what makes both safe.) The price: NLopt fits
 * on different threads run one after the other. Evaluations inside one fit are sequential
 * anyway; CMA-ES and the grid, which hand out batches, take no lock. An NLopt fit started from
 * inside another NLopt fit's evaluation on the same thread would wait for itself: it is
 * refused instead (DTB_ESTATE). */
#include <limits.h>
#include <math.h>
#include <nlopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/rng.h"
#include "optim_impl.h"

typedef struct nlopt_method {
    const char *name;       /* after "nlopt-" */
    nlopt_algorithm algorithm;
    int global;             /* default tolerances: none (see configure) */
} nlopt_method;

static const nlopt_method nlopt_methods[] = {
    {"bobyqa", NLOPT_LN_BOBYQA, 0},   {"sbplx", NLOPT_LN_SBPLX, 0},
    {"neldermead", NLOPT_LN_NELDERMEAD, 0}, {"cobyla", NLOPT_LN_COBYLA, 0},
    {"direct", NLOPT_GN_DIRECT_L, 1}, {"crs2", NLOPT_GN_CRS2_LM, 1},
    {"isres", NLOPT_GN_ISRES, 1},     {"esch", NLOPT_GN_ESCH, 1},
};

/* The one piece of global mutable state of the optimisers (see the top of this file). */
static pthread_mutex_t nlopt_lock = PTHREAD_MUTEX_INITIALIZER;
/* This thread holds nlopt_lock (a nested fit must not wait for itself). */
static _Thread_local int nlopt_lock_held;

#define NLOPT_DEFAULT_XTOL 1e-10
#define NLOPT_DEFAULT_FTOL 1e-12

typedef struct nlopt_ctx {
    dtb__optim_run *r;
    nlopt_opt opt;
    dtb_status st;          /* eval's error, if any */
    int budget_stop;        /* the budget guard stopped the run */
} nlopt_ctx;

static double objective(unsigned n, const double *u, double *grad, void *data)
{
    nlopt_ctx *c = data;
    (void)n;
    (void)grad;   /* derivative-free methods only: NLopt passes NULL */
    if (c->st != DTB_OK || c->budget_stop)
        return HUGE_VAL;
    if (dtb__optim_remaining(c->r) <= 0) {
        c->budget_stop = 1;
        nlopt_force_stop(c->opt);
        return HUGE_VAL;
    }
    double f;
    dtb_status st = dtb__optim_eval_batch(c->r, u, 1, &f);
    if (st != DTB_OK) {
        c->st = st;
        nlopt_force_stop(c->opt);
        return HUGE_VAL;
    }
    return isnan(f) ? HUGE_VAL : f;
}

/* NLopt's twister takes 32 bits of seed: mix all 64 bits of ours into them, so that seeds
 * differing only in their high half still give different runs. */
static unsigned long nlopt_seed(uint64_t seed)
{
    dtb__rng g;
    dtb__rng_seed(&g, seed);
    return (unsigned long)(dtb__rng_next(&g) >> 32);
}

/* Tolerances: the caller's, else for the local methods the defaults above, and for the
 * global ones none at all. A global method's step often brings no improvement for a while
 * (DIRECT-L dividing rectangles far from the best one, say); with an ftol it stops there,
 * long before it has searched the box (measured: DIRECT-L stopped after 1645 evaluations at
 * a local minimum of 5-D Rastrigin with ftol 1e-12). They stop on the budget or ftarget. */
static void tolerances(const nlopt_method *m, const dtb__optim_options *o, double *xtol,
                       double *ftol)
{
    *xtol = o->xtol > 0 ? o->xtol : m->global ? 0 : NLOPT_DEFAULT_XTOL;
    *ftol = o->ftol > 0 ? o->ftol : m->global ? 0 : NLOPT_DEFAULT_FTOL;
}

static dtb_status configure(nlopt_ctx *c, const nlopt_method *m)
{
    const dtb__optim_run *r = c->r;
    const dtb__optim_options *o = r->o;
    const char *name = m->name;
    const int maxeval = r->budget > INT_MAX ? INT_MAX : (int)r->budget;
    double xtol, ftol;
    tolerances(m, o, &xtol, &ftol);
    nlopt_result rc;
    if ((rc = nlopt_set_min_objective(c->opt, objective, c)) < 0 ||
        (rc = nlopt_set_lower_bounds1(c->opt, 0.0)) < 0 ||
        (rc = nlopt_set_upper_bounds1(c->opt, 1.0)) < 0 ||
        (rc = nlopt_set_maxeval(c->opt, maxeval)) < 0 ||
        (rc = nlopt_set_xtol_abs1(c->opt, xtol)) < 0 ||
        (rc = nlopt_set_ftol_abs(c->opt, ftol)) < 0 ||
        (rc = nlopt_set_initial_step1(c->opt, r->sigma0)) < 0 ||
        (!isnan(r->ftarget) && (rc = nlopt_set_stopval(c->opt, r->ftarget)) < 0) ||
        (o->popsize > 0 && o->popsize <= UINT_MAX &&
         (rc = nlopt_set_population(c->opt, (unsigned)o->popsize)) < 0))
        return dtb__error(rc == NLOPT_OUT_OF_MEMORY ? DTB_ENOMEM : DTB_EINVAL,
                          "optimiser 'nlopt-%s': NLopt refused the options (%s)", name,
                          nlopt_result_to_string(rc));
    return DTB_OK;
}

/* NLopt's return code -> stop reason, or an error status with its message. */
static dtb_status finish(nlopt_ctx *c, const char *name, nlopt_result rc)
{
    dtb__optim_run *r = c->r;
    if (c->st != DTB_OK) {
        r->stop_reason = "error";
        return c->st;
    }
    if (r->target_hit) {
        r->stop_reason = "ftarget";
        return DTB_OK;
    }
    switch (rc) {
    case NLOPT_MAXEVAL_REACHED: r->stop_reason = "budget"; return DTB_OK;
    case NLOPT_STOPVAL_REACHED: r->stop_reason = "ftarget"; return DTB_OK;
    case NLOPT_FTOL_REACHED: r->stop_reason = "ftol"; return DTB_OK;
    case NLOPT_XTOL_REACHED: r->stop_reason = "xtol"; return DTB_OK;
    case NLOPT_SUCCESS: r->stop_reason = "converged"; return DTB_OK;
    /* NLopt: "the optimization still typically returns a useful result" */
    case NLOPT_ROUNDOFF_LIMITED: r->stop_reason = "roundoff"; return DTB_OK;
    case NLOPT_FORCED_STOP:
        if (c->budget_stop) {
            r->stop_reason = "budget";
            return DTB_OK;
        }
        break;
    default: break;
    }
    const char *why = nlopt_get_errmsg(c->opt);
    return dtb__error(rc == NLOPT_OUT_OF_MEMORY ? DTB_ENOMEM : DTB_ENUMERIC,
                      "optimiser 'nlopt-%s': NLopt stopped with %s%s%s after %lld evaluations",
                      name, nlopt_result_to_string(rc), why ? ": " : "", why ? why : "",
                      (long long)r->evaluations);
}

static dtb_status run_locked(nlopt_ctx *c, const nlopt_method *m, double *u)
{
    const char *name = m->name;
    dtb_status st = configure(c, m);
    if (st)
        return st;
    double fmin = HUGE_VAL;
    nlopt_srand(nlopt_seed(c->r->o->seed));
    nlopt_result rc = nlopt_optimize(c->opt, u, &fmin);
    return finish(c, name, rc);
}

dtb_status dtb__optim_nlopt(dtb__optim_run *r, const char *name)
{
    const nlopt_method *m = NULL;
    for (size_t i = 0; i < sizeof nlopt_methods / sizeof nlopt_methods[0]; i++)
        if (strcmp(name, nlopt_methods[i].name) == 0)
            m = &nlopt_methods[i];
    if (!m)
        return dtb__error(DTB_EINVAL, "optimiser: no NLopt algorithm is called '%s'", name);
    if (r->dim > UINT_MAX)
        return dtb__error(DTB_EINVAL, "optimiser 'nlopt-%s': dim = %zu is too large for NLopt",
                          name, r->dim);
    if (nlopt_lock_held)
        return dtb__error(DTB_ESTATE,
                          "optimiser 'nlopt-%s': an NLopt fit cannot start inside another NLopt "
                          "fit's evaluation on the same thread (NLopt's seed is global)", name);

    nlopt_ctx c = {.r = r, .st = DTB_OK};
    c.opt = nlopt_create(m->algorithm, (unsigned)r->dim);
    double *u = dtb__malloc_array(r->dim, sizeof *u);
    if (!c.opt || !u) {
        nlopt_destroy(c.opt);
        free(u);
        return dtb__error(DTB_ENOMEM, "optimiser 'nlopt-%s': out of memory", name);
    }
    memcpy(u, r->u0, r->dim * sizeof *u);

    dtb_status st;
    if (pthread_mutex_lock(&nlopt_lock) != 0) {
        st = dtb__error(DTB_ERROR, "optimiser 'nlopt-%s': cannot take the NLopt seed lock", name);
    } else {
        nlopt_lock_held = 1;
        st = run_locked(&c, m, u);
        nlopt_lock_held = 0;
        pthread_mutex_unlock(&nlopt_lock);
    }
    nlopt_destroy(c.opt);
    free(u);
    return st;
}
