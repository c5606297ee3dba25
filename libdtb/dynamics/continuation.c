/* libdtb — pseudo-arclength continuation of equilibrium branches in one
 * parameter, with folds and Hopf points located on the way
 * (dtb_dynamics.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The unknowns are y = (the active states, the parameter mu); a point of
 * the branch solves F(y) = rates = 0. From a point y0 with unit tangent t0
 * (the null vector of [dF/dx | dF/dmu]), the predictor y0 + ds t0 is
 * corrected by Newton's method on [F(y); t0 . (y - y0) - ds] = 0, whose
 * matrix [dF/dx dF/dmu; t0'] stays regular through folds, where mu turns
 * back. Between two points the test functions are compared: the
 * determinant of dF/dx (it changes sign at a fold) and the real part of
 * the complex eigenvalue pair nearest the imaginary axis (it changes sign
 * at a Hopf point); a change is located by bisection in the arclength
 * from the earlier point, each trial point corrected the same way. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "dynamics.h"

#define NEWTON_MAX 12
#define BISECTIONS 60

struct dtb_branch {
    size_t ns;
    int64_t n, cap;
    double *mu, *x, *max_re;      /* x: [n][ns] */
    int32_t *stable;
    int64_t n_sp, cap_sp;
    dtb_bifurcation_kind *sp_kind;
    double *sp_mu, *sp_x;
    char *end[2];                  /* how each side ended */
};

dtb_status dtb_continuation_options_init(dtb_continuation_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_CONTINUATION_OPTIONS_VERSION,
                             "dtb_continuation_options");
}

void dtb_branch_free(dtb_branch *b)
{
    if (!b)
        return;
    free(b->mu);
    free(b->x);
    free(b->max_re);
    free(b->stable);
    free(b->sp_kind);
    free(b->sp_mu);
    free(b->sp_x);
    free(b->end[0]);
    free(b->end[1]);
    free(b);
}

/* ------------------------------------------------------------ the walk */

typedef struct walk {
    dtb_dynamics *d;
    size_t na, m;                  /* active states; unknowns = na + 1 */
    size_t col;                    /* the parameter's column in d->J */
    double *mu;                    /* where the node reads it */
    double lo, hi, tol, min_step, max_step;
    int64_t max_points;
    gsl_matrix *A;                 /* [m][m] Newton's matrix */
    gsl_permutation *perm;
    gsl_vector *rhs, *dy;
    double *re, *im;               /* [na] eigenvalues */
} walk;

/* A point of the branch with what is watched along it. */
typedef struct bpoint {
    double *y, *t;                 /* [m] the point, its unit tangent */
    double det, hopf, max_re;      /* test functions; hopf NaN without a complex pair */
} bpoint;

static void load(walk *w, const double *y)
{
    dtb_dynamics *d = w->d;
    for (size_t k = 0; k < w->na; k++)
        d->x[d->active[k]] = y[k];
    *w->mu = y[w->na];
    dtb__dyn_eval(d);
}

/* [dF/dx | dF/dmu] into the first na rows of A, `last` as its last row. */
static void fill_matrix(walk *w, const double *last)
{
    dtb_dynamics *d = w->d;
    for (size_t i = 0; i < w->na; i++) {
        const double *row = d->J + d->active[i] * d->n_wrt;
        for (size_t j = 0; j < w->na; j++)
            gsl_matrix_set(w->A, i, j, row[d->active[j]]);
        gsl_matrix_set(w->A, i, w->na, row[w->col]);
    }
    for (size_t j = 0; j < w->m; j++)
        gsl_matrix_set(w->A, w->na, j, last[j]);
}

static int lu_solve(walk *w)
{
    int sign;
    if (gsl_linalg_LU_decomp(w->A, w->perm, &sign))
        return 0;
    for (size_t i = 0; i < w->m; i++)
        if (gsl_matrix_get(w->A, i, i) == 0.0)
            return 0;
    return gsl_linalg_LU_solve(w->A, w->perm, w->rhs, w->dy) == 0;
}

static double norm_inf(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

/* Newton on [F(y); t . (y - y0) - s] = 0 from y (in place). 1 when it
 * converged to finite values. */
static int correct(walk *w, double *y, const double *y0, const double *t, double s)
{
    dtb_dynamics *d = w->d;
    for (int it = 0; it < NEWTON_MAX; it++) {
        load(w, y);
        double arc = -s;
        for (size_t j = 0; j < w->m; j++)
            arc += t[j] * (y[j] - y0[j]);
        for (size_t i = 0; i < w->na; i++)
            gsl_vector_set(w->rhs, i, -d->f[d->active[i]]);
        gsl_vector_set(w->rhs, w->na, -arc);
        fill_matrix(w, t);
        if (!lu_solve(w))
            return 0;
        double step = 0.0;
        for (size_t j = 0; j < w->m; j++) {
            y[j] += gsl_vector_get(w->dy, j);
            step = fmax(step, fabs(gsl_vector_get(w->dy, j)));
        }
        if (!isfinite(step) || !isfinite(norm_inf(y, w->m)))
            return 0;
        if (step <= w->tol * (1.0 + norm_inf(y, w->m))) {
            load(w, y);
            return 1;
        }
    }
    return 0;
}

/* The unit tangent at the loaded point, oriented along `prev`. */
static int tangent(walk *w, const double *prev, double *t)
{
    fill_matrix(w, prev);
    gsl_vector_set_zero(w->rhs);
    gsl_vector_set(w->rhs, w->na, 1.0);
    if (!lu_solve(w))
        return 0;
    double n2 = 0.0, dot = 0.0;
    for (size_t j = 0; j < w->m; j++) {
        t[j] = gsl_vector_get(w->dy, j);
        n2 += t[j] * t[j];
        dot += t[j] * prev[j];
    }
    double scale = (dot < 0 ? -1.0 : 1.0) / sqrt(n2);
    if (!isfinite(scale))
        return 0;
    for (size_t j = 0; j < w->m; j++)
        t[j] *= scale;
    return 1;
}

/* The test functions at the loaded point. */
static dtb_status watch(walk *w, bpoint *p)
{
    dtb_dynamics *d = w->d;
    dtb_status st = dtb__dyn_eigen(d, w->re, w->im);
    if (st)
        return st;
    /* det dF/dx = the product of the eigenvalues (real: pairs give |l|^2) */
    double det = 1.0, hopf = NAN, best = INFINITY;
    for (size_t i = 0; i < w->na; i++) {
        if (w->im[i] == 0.0)
            det *= w->re[i];
        else if (w->im[i] > 0.0)
            det *= w->re[i] * w->re[i] + w->im[i] * w->im[i];
        if (w->im[i] > 0.0 && fabs(w->re[i]) < best) {
            best = fabs(w->re[i]);
            hopf = w->re[i];
        }
    }
    p->det = det;
    p->hopf = hopf;
    p->max_re = w->na ? w->re[0] : -INFINITY;
    return DTB_OK;
}

static int crossed(double a, double b) { return isfinite(a) && isfinite(b) && ((a < 0) != (b < 0)) && a != 0.0; }

/* ---------------------------------------------------------- the branch */

static dtb_status push_point(dtb_branch *b, const walk *w, const bpoint *p)
{
    if (b->n == b->cap) {
        int64_t cap = b->cap ? 2 * b->cap : 64;
        double *mu = dtb__realloc_array(b->mu, (size_t)cap, sizeof *mu);
        if (mu)
            b->mu = mu;
        double *x = dtb__realloc_array(b->x, (size_t)cap * b->ns + 1, sizeof *x);
        if (x)
            b->x = x;
        double *mr = dtb__realloc_array(b->max_re, (size_t)cap, sizeof *mr);
        if (mr)
            b->max_re = mr;
        int32_t *sb = dtb__realloc_array(b->stable, (size_t)cap, sizeof *sb);
        if (sb)
            b->stable = sb;
        if (!mu || !x || !mr || !sb)
            return DTB_ENOMEM;
        b->cap = cap;
    }
    b->mu[b->n] = p->y[w->na];
    memcpy(b->x + b->n * b->ns, w->d->x, b->ns * sizeof *b->x);
    b->max_re[b->n] = p->max_re;
    b->stable[b->n] = p->max_re < 0.0;
    b->n++;
    return DTB_OK;
}

static dtb_status push_special(dtb_branch *b, const walk *w, dtb_bifurcation_kind kind, double mu)
{
    if (b->n_sp == b->cap_sp) {
        int64_t cap = b->cap_sp ? 2 * b->cap_sp : 8;
        dtb_bifurcation_kind *k = dtb__realloc_array(b->sp_kind, (size_t)cap, sizeof *k);
        if (k)
            b->sp_kind = k;
        double *m = dtb__realloc_array(b->sp_mu, (size_t)cap, sizeof *m);
        if (m)
            b->sp_mu = m;
        double *x = dtb__realloc_array(b->sp_x, (size_t)cap * b->ns + 1, sizeof *x);
        if (x)
            b->sp_x = x;
        if (!k || !m || !x)
            return DTB_ENOMEM;
        b->cap_sp = cap;
    }
    b->sp_kind[b->n_sp] = kind;
    b->sp_mu[b->n_sp] = mu;
    memcpy(b->sp_x + b->n_sp * b->ns, w->d->x, b->ns * sizeof *b->sp_x);
    b->n_sp++;
    return DTB_OK;
}

/* Locate the sign change of test function `which` (0 fold, 1 Hopf) between
 * p0 and the point ds further along p0's tangent; leaves the located
 * point loaded. 0 when the correction fails on the way. */
static int locate(walk *w, const bpoint *p0, double ds, int which, double v0, double *scratch)
{
    double s_lo = 0.0, s_hi = ds;
    bpoint q = {scratch, NULL, 0, 0, 0};
    for (int k = 0; k < BISECTIONS; k++) {
        double s = 0.5 * (s_lo + s_hi);
        for (size_t j = 0; j < w->m; j++)
            scratch[j] = p0->y[j] + s * p0->t[j];
        if (!correct(w, scratch, p0->y, p0->t, s) || watch(w, &q))
            return 0;
        double v = which ? q.hopf : q.det;
        if (!isfinite(v))
            return 0;
        if ((v < 0) == (v0 < 0))
            s_lo = s;
        else
            s_hi = s;
        if (s_hi - s_lo <= w->tol * (1.0 + norm_inf(p0->y, w->m)))
            break;
    }
    for (size_t j = 0; j < w->m; j++)
        scratch[j] = p0->y[j] + 0.5 * (s_lo + s_hi) * p0->t[j];
    return correct(w, scratch, p0->y, p0->t, 0.5 * (s_lo + s_hi));
}

/* Check the segment p0 -> p1 for special points and record them (in the
 * order they lie along it). */
static dtb_status specials(walk *w, dtb_branch *b, const bpoint *p0, const bpoint *p1, double ds,
                           double *scratch)
{
    double where[2] = {NAN, NAN};
    double *xs = dtb__malloc_array(2 * b->ns + 1, sizeof *xs);
    if (!xs)
        return DTB_ENOMEM;
    int found[2] = {crossed(p0->det, p1->det), crossed(p0->hopf, p1->hopf)};
    for (int which = 0; which < 2; which++) {
        if (!found[which])
            continue;
        if (!locate(w, p0, ds, which, which ? p0->hopf : p0->det, scratch)) {
            found[which] = 0;
            continue;
        }
        where[which] = scratch[w->na];
        memcpy(xs + which * b->ns, w->d->x, b->ns * sizeof *xs);
    }
    /* along the segment: by distance from p0 in mu is wrong at a fold; both
     * are rare together, so keep the fold first */
    dtb_status st = DTB_OK;
    for (int which = 0; which < 2 && !st; which++) {
        if (!found[which])
            continue;
        memcpy(w->d->x, xs + which * b->ns, b->ns * sizeof *xs);
        st = push_special(b, w, which ? DTB_BIFURCATION_HOPF : DTB_BIFURCATION_FOLD, where[which]);
    }
    free(xs);
    return st;
}

static int in_bounds(const dtb_dynamics *d)
{
    for (size_t v = 0; v < d->ns; v++)
        if (d->x[v] < d->core->states[v].bound_lo || d->x[v] > d->core->states[v].bound_hi)
            return 0;
    return 1;
}

/* Walk from the start point in direction `dir` (+1: mu increasing at
 * first), appending to b (the start itself is not appended). */
static dtb_status go(walk *w, dtb_branch *b, const bpoint *start, int dir, double step, char **end)
{
    const size_t m = w->m;
    double *mem = dtb__calloc(5 * m, sizeof *mem);
    if (!mem)
        return DTB_ENOMEM;
    bpoint p0 = {mem, mem + m, start->det, start->hopf, start->max_re};
    bpoint p1 = {mem + 2 * m, mem + 3 * m, 0, 0, 0};
    double *scratch = mem + 4 * m;
    memcpy(p0.y, start->y, m * sizeof *mem);
    for (size_t j = 0; j < m; j++)
        p0.t[j] = dir * start->t[j];
    double ds = step;
    dtb_status st = DTB_OK;
    *end = NULL;
    while (!st && !*end) {
        if (b->n >= w->max_points) {
            *end = dtb__asprintf("max_points (%lld)", (long long)w->max_points);
            break;
        }
        for (size_t j = 0; j < m; j++)
            p1.y[j] = p0.y[j] + ds * p0.t[j];
        if (!correct(w, p1.y, p0.y, p0.t, ds)) {
            ds *= 0.5;
            if (ds < w->min_step)
                *end = dtb__asprintf("step below min_step at %.10g (Newton did not converge)", p0.y[w->na]);
            continue;
        }
        double mu = p1.y[w->na];
        if (mu < w->lo || mu > w->hi) {
            *end = dtb__asprintf("left [%g, %g]", w->lo, w->hi);
            break;
        }
        if (!in_bounds(w->d)) {
            *end = dtb__asprintf("left the state bounds at %.10g", mu);
            break;
        }
        if (!tangent(w, p0.t, p1.t)) {
            *end = dtb__asprintf("singular at %.10g (a branch point?)", mu);
            break;
        }
        st = watch(w, &p1);
        if (!st)
            st = specials(w, b, &p0, &p1, ds, scratch);
        if (!st) {
            load(w, p1.y);   /* specials moved the node: the point itself */
            st = push_point(b, w, &p1);
        }
        bpoint t = p0;
        p0 = p1;
        p1 = t;
        ds = fmin(1.3 * ds, w->max_step);
    }
    if (!*end && !st)
        st = DTB_ENOMEM;
    free(mem);
    return st;
}

/* Swap elements i and j (each `size` bytes) of an array, through tmp. */
static void swap(void *base, size_t size, int64_t i, int64_t j, void *tmp)
{
    unsigned char *p = base;
    memcpy(tmp, p + (size_t)i * size, size);
    memcpy(p + (size_t)i * size, p + (size_t)j * size, size);
    memcpy(p + (size_t)j * size, tmp, size);
}

/* Reverse the points and the special points of b (the backward walk
 * recorded them from the start outwards). */
static dtb_status reverse(dtb_branch *b)
{
    const size_t row = b->ns * sizeof(double);
    void *tmp = malloc(row > sizeof(double) ? row : sizeof(double));
    if (!tmp)
        return DTB_ENOMEM;
    for (int64_t i = 0, j = b->n - 1; i < j; i++, j--) {
        swap(b->mu, sizeof *b->mu, i, j, tmp);
        swap(b->max_re, sizeof *b->max_re, i, j, tmp);
        swap(b->stable, sizeof *b->stable, i, j, tmp);
        swap(b->x, row, i, j, tmp);
    }
    for (int64_t i = 0, j = b->n_sp - 1; i < j; i++, j--) {
        swap(b->sp_kind, sizeof *b->sp_kind, i, j, tmp);
        swap(b->sp_mu, sizeof *b->sp_mu, i, j, tmp);
        swap(b->sp_x, row, i, j, tmp);
    }
    free(tmp);
    return DTB_OK;
}

static dtb_status resolve_options(const dtb_continuation_options *opts, double lo, double hi,
                                  dtb_continuation_options *o)
{
    dtb_continuation_options_init(o, DTB_CONTINUATION_OPTIONS_VERSION);
    if (opts) {
        dtb_status st = dtb__check_version(opts->version, DTB_CONTINUATION_OPTIONS_VERSION,
                                           "dtb_continuation_options");
        if (st)
            return st;
        *o = *opts;
    }
    if (o->reserved || o->max_points < 0 || o->max_points > 100000000 || !(o->step >= 0) ||
        !(o->max_step >= 0) || !(o->min_step >= 0) || !(o->tolerance >= 0) || !isfinite(o->step) ||
        !isfinite(o->max_step) || !isfinite(o->min_step) || !isfinite(o->tolerance))
        return dtb__error(DTB_EINVAL, "dtb_dynamics_continue: options must be finite and >= 0 "
                                      "(max_points at most 1e8, reserved 0)");
    double range = hi - lo;
    if (!o->max_points)
        o->max_points = 10000;
    if (!o->step)
        o->step = range / 200;
    if (!o->max_step)
        o->max_step = range / 50;
    if (!o->min_step)
        o->min_step = o->step * 1e-6;
    if (!o->tolerance)
        o->tolerance = 1e-10;
    if (o->step > o->max_step)
        o->step = o->max_step;
    return DTB_OK;
}

static dtb_status walk_alloc(walk *w)
{
    w->A = gsl_matrix_alloc(w->m, w->m);
    w->perm = gsl_permutation_alloc(w->m);
    w->rhs = gsl_vector_alloc(w->m);
    w->dy = gsl_vector_alloc(w->m);
    w->re = dtb__calloc(w->na + 1, sizeof *w->re);
    w->im = dtb__calloc(w->na + 1, sizeof *w->im);
    return w->A && w->perm && w->rhs && w->dy && w->re && w->im ? DTB_OK : DTB_ENOMEM;
}

static void walk_free(walk *w)
{
    if (w->A)
        gsl_matrix_free(w->A);
    if (w->perm)
        gsl_permutation_free(w->perm);
    if (w->rhs)
        gsl_vector_free(w->rhs);
    if (w->dy)
        gsl_vector_free(w->dy);
    free(w->re);
    free(w->im);
}

/* The start: corrected at fixed mu (tangent e_mu, zero arclength), its
 * tangent with mu increasing. */
static dtb_status start_point(walk *w, bpoint *p, const char *param)
{
    double *e = dtb__calloc(w->m, sizeof *e);
    double *y0 = dtb__malloc_array(w->m, sizeof *y0);
    dtb_status st = e && y0 ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        e[w->na] = 1.0;
        memcpy(y0, p->y, w->m * sizeof *y0);
        if (!correct(w, p->y, y0, e, 0.0))
            st = dtb__error(DTB_ENUMERIC, "dtb_dynamics_continue: no fixed point near the given state at "
                                          "%s = %g (Newton did not converge)", param, y0[w->na]);
        else if (!tangent(w, e, p->t))
            st = dtb__error(DTB_ENUMERIC, "dtb_dynamics_continue: the start at %s = %g is singular",
                            param, y0[w->na]);
        else
            st = watch(w, p);
    }
    free(e);
    free(y0);
    return st;
}

dtb_status dtb_dynamics_continue(dtb_dynamics *d, const char *param, double lo, double hi,
                                 const double *state, size_t n_state,
                                 const dtb_continuation_options *opts, dtb_branch **out)
{
    const char *fn = "dtb_dynamics_continue";
    if (!d || !param || !state || !out)
        return dtb__error(DTB_EINVAL, "%s: d, param, state and out must not be NULL", fn);
    *out = NULL;
    if (n_state != d->ns)
        return dtb__error(DTB_EINVAL, "%s: state has %zu values; the model has %zu states", fn, n_state, d->ns);
    for (size_t v = 0; v < d->ns; v++)
        if (!isfinite(state[v]))
            return dtb__error(DTB_EINVAL, "%s: state[%zu] is not finite", fn, v);
    if (!d->na)
        return dtb__error(DTB_EINVAL, "%s: model '%s' has no state with a TimeDerivative", fn, d->core->name);
    walk w = {0};
    w.d = d;
    w.na = d->na;
    w.m = d->na + 1;
    dtb_status st = dtb__dyn_variable(d, param, &w.col, &w.mu);
    if (!st && w.col < d->ns)
        st = dtb__error(DTB_EINVAL, "%s: '%s' is a state; continue in a parameter or a coupling input", fn, param);
    if (st)
        return st;
    const double mu0 = *w.mu;
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi) || mu0 < lo || mu0 > hi)
        return dtb__error(DTB_EINVAL, "%s: the range [%g, %g] must be finite, increasing and hold %s = %g",
                          fn, lo, hi, param, mu0);
    dtb_continuation_options o;
    st = resolve_options(opts, lo, hi, &o);
    if (st)
        return st;
    w.lo = lo;
    w.hi = hi;
    w.tol = o.tolerance;
    w.min_step = o.min_step;
    w.max_step = o.max_step;
    w.max_points = o.max_points;
    dtb_branch *b = dtb__calloc(1, sizeof *b);
    double *mem = dtb__calloc(2 * w.m, sizeof *mem);
    double *saved = dtb__malloc_array(d->ns, sizeof *saved);
    if (!b || !mem || !saved || walk_alloc(&w)) {
        free(b);
        free(mem);
        free(saved);
        walk_free(&w);
        return DTB_ENOMEM;
    }
    b->ns = d->ns;
    memcpy(saved, d->x, d->ns * sizeof *saved);
    memcpy(d->x, state, d->ns * sizeof *d->x);
    bpoint p = {mem, mem + w.m, 0, 0, 0};
    for (size_t k = 0; k < w.na; k++)
        p.y[k] = state[d->active[k]];
    p.y[w.na] = mu0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    st = start_point(&w, &p, param);
    /* backwards first (then reversed), the start, forwards */
    if (!st)
        st = go(&w, b, &p, -1, o.step, &b->end[0]);
    if (!st)
        st = reverse(b);
    if (!st) {
        load(&w, p.y);
        st = push_point(b, &w, &p);
    }
    if (!st)
        st = go(&w, b, &p, +1, o.step, &b->end[1]);
    gsl_set_error_handler(old);
    *w.mu = mu0;
    memcpy(d->x, saved, d->ns * sizeof *d->x);
    free(mem);
    free(saved);
    walk_free(&w);
    if (st) {
        dtb_branch_free(b);
        return st;
    }
    *out = b;
    return DTB_OK;
}

int64_t dtb_branch_point_count(const dtb_branch *b) { return b ? b->n : -1; }
int64_t dtb_branch_special_count(const dtb_branch *b) { return b ? b->n_sp : -1; }

dtb_status dtb_branch_point(const dtb_branch *b, int64_t index, double *param_out, double *state,
                            size_t n_state, int32_t *stable_out, double *max_re_out)
{
    if (!b || index < 0 || index >= b->n)
        return dtb__error(DTB_EINVAL, "dtb_branch_point: no branch or index out of range");
    if (state && n_state < b->ns)
        return dtb__error(DTB_EINVAL, "dtb_branch_point: state needs room for %zu values", b->ns);
    if (param_out)
        *param_out = b->mu[index];
    if (state)
        memcpy(state, b->x + index * b->ns, b->ns * sizeof *state);
    if (stable_out)
        *stable_out = b->stable[index];
    if (max_re_out)
        *max_re_out = b->max_re[index];
    return DTB_OK;
}

dtb_status dtb_branch_special(const dtb_branch *b, int64_t index, dtb_bifurcation_kind *kind_out,
                              double *param_out, double *state, size_t n_state)
{
    if (!b || index < 0 || index >= b->n_sp)
        return dtb__error(DTB_EINVAL, "dtb_branch_special: no branch or index out of range");
    if (state && n_state < b->ns)
        return dtb__error(DTB_EINVAL, "dtb_branch_special: state needs room for %zu values", b->ns);
    if (kind_out)
        *kind_out = b->sp_kind[index];
    if (param_out)
        *param_out = b->sp_mu[index];
    if (state)
        memcpy(state, b->sp_x + index * b->ns, b->ns * sizeof *state);
    return DTB_OK;
}

const char *dtb_branch_end_reason(const dtb_branch *b, int32_t side)
{
    if (!b || side < 0 || side > 1)
        return NULL;
    return b->end[side];
}
