/* libdtb — the minimisers' front door: option checks, dispatch to CMA-ES, NLopt or the grid,
 * the shared evaluation of batches (mapping to the box, budget, best point) and the result.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "optim_impl.h"

/* The one list of methods: help texts print it, dtb__optim_method_known reads it, and the
 * tests run every "nlopt-" entry (so a name without an NLopt algorithm behind it fails). */
static const char *const method_names[] = {
    "cmaes",        "grid",        "nlopt-bobyqa", "nlopt-sbplx", "nlopt-neldermead",
    "nlopt-cobyla", "nlopt-direct", "nlopt-crs2",  "nlopt-isres", "nlopt-esch",
    NULL,
};

#define NLOPT_PREFIX "nlopt-"

const char *const *dtb__optim_method_names(void) { return method_names; }

int dtb__optim_method_known(const char *method)
{
    if (!method)
        return 0;
    for (size_t i = 0; method_names[i]; i++)
        if (strcmp(method, method_names[i]) == 0)
            return 1;
    return 0;
}

void dtb__optim_options_init(dtb__optim_options *o)
{
    memset(o, 0, sizeof *o);
    o->ftarget = NAN;
}

void dtb__optim_result_free(dtb__optim_result *res)
{
    if (!res)
        return;
    free(res->x_best);
    memset(res, 0, sizeof *res);
}

/* ------------------------------------------------------------------ option checks */

static dtb_status check_box(const dtb__optim_options *o)
{
    if (!o->lo || !o->hi)
        return dtb__error(DTB_EINVAL, "optimiser: the box is missing (lo = %s, hi = %s)",
                          o->lo ? "given" : "NULL", o->hi ? "given" : "NULL");
    for (size_t i = 0; i < o->dim; i++) {
        if (!isfinite(o->lo[i]))
            return dtb__error(DTB_EINVAL, "optimiser: lo[%zu] = %g is not finite", i, o->lo[i]);
        if (!isfinite(o->hi[i]))
            return dtb__error(DTB_EINVAL, "optimiser: hi[%zu] = %g is not finite", i, o->hi[i]);
        if (!(o->lo[i] < o->hi[i]))
            return dtb__error(DTB_EINVAL, "optimiser: lo[%zu] = %g is not below hi[%zu] = %g", i,
                              o->lo[i], i, o->hi[i]);
        if (!isfinite(o->hi[i] - o->lo[i]))
            return dtb__error(DTB_EINVAL,
                              "optimiser: the box width hi[%zu] - lo[%zu] = %g - (%g) overflows", i,
                              i, o->hi[i], o->lo[i]);
        if (o->x0 && !(o->x0[i] >= o->lo[i] && o->x0[i] <= o->hi[i]))
            return dtb__error(DTB_EINVAL, "optimiser: x0[%zu] = %g is outside the box [%g, %g]", i,
                              o->x0[i], o->lo[i], o->hi[i]);
    }
    return DTB_OK;
}

static dtb_status check_tolerance(const char *name, double v)
{
    if (!(v >= 0) || !isfinite(v))
        return dtb__error(DTB_EINVAL, "optimiser: %s = %g (need a finite value >= 0; 0: default)",
                          name, v);
    return DTB_OK;
}

static dtb_status check_options(const dtb__optim_options *o, const char *method)
{
    if (!dtb__optim_method_known(method)) {
        dtb__strbuf known = {0};
        for (size_t i = 0; method_names[i]; i++)
            dtb__strbuf_printf(&known, "%s%s", i ? ", " : "", method_names[i]);
        dtb_status st = dtb__error(DTB_EINVAL, "optimiser: unknown method '%s' (known: %s)", method,
                                   known.failed ? "?" : known.data);
        dtb__strbuf_free(&known);
        return st;
    }
    if (o->dim == 0)
        return dtb__error(DTB_EINVAL, "optimiser: dim = 0 (need at least one parameter)");
    if (o->budget <= 0)
        return dtb__error(DTB_EINVAL, "optimiser: budget = %" PRId64 " (need at least 1 evaluation)",
                          o->budget);
    dtb_status st = check_box(o);
    if (st)
        return st;
    if (!(o->sigma0 >= 0) || !isfinite(o->sigma0))
        return dtb__error(DTB_EINVAL,
                          "optimiser: sigma0 = %g (need a finite fraction of the box width > 0; "
                          "0: default 0.3)", o->sigma0);
    if (o->popsize < 0 || o->popsize == 1)
        return dtb__error(DTB_EINVAL, "optimiser: popsize = %" PRId64 " (need 0 or at least 2)",
                          o->popsize);
    if (o->restarts < -1)
        return dtb__error(DTB_EINVAL,
                          "optimiser: restarts = %" PRId32 " (need -1: none, 0: as many as the "
                          "budget allows, or a count)", o->restarts);
    if ((st = check_tolerance("xtol", o->xtol)) || (st = check_tolerance("ftol", o->ftol)))
        return st;
    if (strcmp(method, "grid") == 0 && dtb__optim_grid_points(o->budget, o->dim) == 0)
        return dtb__error(DTB_EINVAL,
                          "optimiser 'grid': budget = %" PRId64 " is too small for 2 points "
                          "on each of %zu axes (2^%zu points)", o->budget, o->dim, o->dim);
    return DTB_OK;
}

/* ------------------------------------------------------------------ evaluation */

double dtb__optim_to_box(const dtb__optim_run *r, size_t i, double u)
{
    const double lo = r->o->lo[i], hi = r->o->hi[i];
    if (!(u > 0))
        return lo;
    if (u >= 1)
        return hi;
    double x = lo + u * (hi - lo);
    /* rounding may step an ulp outside; the caller was promised the closed box */
    return x < lo ? lo : x > hi ? hi : x;
}

static dtb_status reserve_xbuf(dtb__optim_run *r, size_t n)
{
    if (n <= r->xbuf_cap)
        return DTB_OK;
    double *p = dtb__realloc_array(r->xbuf, n * r->dim, sizeof *p);
    if (!p)
        return dtb__error(DTB_ENOMEM, "optimiser: out of memory for a batch of %zu candidates", n);
    r->xbuf = p;
    r->xbuf_cap = n;
    return DTB_OK;
}

dtb_status dtb__optim_eval_batch(dtb__optim_run *r, const double *u, size_t n, double *f)
{
    const size_t dim = r->dim;
    dtb_status st = reserve_xbuf(r, n);
    if (st)
        return st;
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < dim; i++)
            r->xbuf[k * dim + i] = dtb__optim_to_box(r, i, u[k * dim + i]);
        f[k] = NAN;   /* a value eval leaves unwritten counts as failed */
    }
    st = r->eval(r->ud, r->xbuf, n, f);
    if (st != DTB_OK)
        return st;
    r->evaluations += (int64_t)n;
    for (size_t k = 0; k < n; k++) {
        if (isnan(f[k]))
            continue;
        if (isnan(r->f_best) || f[k] < r->f_best) {
            r->f_best = f[k];
            memcpy(r->x_best, r->xbuf + k * dim, dim * sizeof *r->x_best);
        }
        if (f[k] <= r->ftarget)   /* false when ftarget is NaN */
            r->target_hit = 1;
    }
    return DTB_OK;
}

/* ------------------------------------------------------------------ dispatch */

static dtb_status run_init(dtb__optim_run *r, const dtb__optim_options *o, dtb__optim_eval_fn eval,
                           void *ud)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->eval = eval;
    r->ud = ud;
    r->dim = o->dim;
    r->sigma0 = o->sigma0 > 0 ? o->sigma0 : 0.3;
    r->ftarget = o->ftarget;
    r->f_best = NAN;
    r->budget = o->budget;
    r->stop_reason = "budget";
    r->u0 = dtb__malloc_array(o->dim, sizeof *r->u0);
    r->x_best = dtb__malloc_array(o->dim, sizeof *r->x_best);
    if (!r->u0 || !r->x_best) {
        free(r->u0);
        free(r->x_best);
        return dtb__error(DTB_ENOMEM, "optimiser: out of memory for %zu parameters", o->dim);
    }
    for (size_t i = 0; i < o->dim; i++) {
        if (o->x0) {
            double u = (o->x0[i] - o->lo[i]) / (o->hi[i] - o->lo[i]);
            r->u0[i] = u < 0 ? 0 : u > 1 ? 1 : u;
            r->x_best[i] = o->x0[i];
        } else {
            r->u0[i] = 0.5;
            r->x_best[i] = dtb__optim_to_box(r, i, 0.5);
        }
    }
    return DTB_OK;
}

dtb_status dtb__optim_minimize(const dtb__optim_options *o, dtb__optim_eval_fn eval, void *ud,
                               dtb__optim_result *res)
{
    if (!res)
        return dtb__error(DTB_EINVAL, "optimiser: result is NULL");
    memset(res, 0, sizeof *res);
    res->f_best = NAN;
    res->stop_reason = "error";
    if (!o)
        return dtb__error(DTB_EINVAL, "optimiser: options are NULL");
    if (!eval)
        return dtb__error(DTB_EINVAL, "optimiser: the evaluation function is NULL");
    const char *method = o->method ? o->method : "cmaes";
    dtb_status st = check_options(o, method);
    if (st)
        return st;

    dtb__optim_run r;
    if ((st = run_init(&r, o, eval, ud)))
        return st;
    if (strcmp(method, "cmaes") == 0)
        st = dtb__optim_cmaes(&r);
    else if (strcmp(method, "grid") == 0)
        st = dtb__optim_grid(&r);
    else
        st = dtb__optim_nlopt(&r, method + strlen(NLOPT_PREFIX));

    res->x_best = r.x_best;
    res->f_best = r.f_best;
    res->evaluations = r.evaluations;
    res->restarts_done = r.restarts_done;
    res->stop_reason = st == DTB_OK ? r.stop_reason : "error";
    free(r.u0);
    free(r.xbuf);
    return st;
}
