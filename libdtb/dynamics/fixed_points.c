/* libdtb — fixed points of a node (dtb_dynamics.h): Newton (GSL's
 * hybridsj, with the exact Jacobian) from a Sobol set of starts in the
 * states' ranges, deduplicated, each with its eigenvalues and kind.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_qrng.h>

#include "dynamics.h"

dtb_status dtb_fixed_point_options_init(dtb_fixed_point_options *opts, uint32_t version)
{
    return dtb__options_init(opts, sizeof *opts, version, DTB_FIXED_POINT_OPTIONS_VERSION,
                             "dtb_fixed_point_options");
}

/* The active states' rates at x (GSL's view): the node's other states keep
 * their values. */
static void set_active(dtb_dynamics *d, const gsl_vector *x)
{
    for (size_t k = 0; k < d->na; k++)
        d->x[d->active[k]] = gsl_vector_get(x, k);
}

static int gsl_f(const gsl_vector *x, void *ud, gsl_vector *f)
{
    dtb_dynamics *d = ud;
    set_active(d, x);
    dtb__dyn_eval(d);
    for (size_t k = 0; k < d->na; k++)
        gsl_vector_set(f, k, d->f[d->active[k]]);
    return GSL_SUCCESS;
}

static int gsl_df(const gsl_vector *x, void *ud, gsl_matrix *J)
{
    dtb_dynamics *d = ud;
    set_active(d, x);
    dtb__dyn_eval(d);
    for (size_t i = 0; i < d->na; i++)
        for (size_t j = 0; j < d->na; j++)
            gsl_matrix_set(J, i, j, d->J[d->active[i] * d->n_wrt + d->active[j]]);
    return GSL_SUCCESS;
}

static int gsl_fdf(const gsl_vector *x, void *ud, gsl_vector *f, gsl_matrix *J)
{
    gsl_f(x, ud, f);
    return gsl_df(x, ud, J);
}

/* Newton from d->x; 1 when it converged to a finite root (left in d->x). */
static int solve(dtb_dynamics *d, gsl_multiroot_fdfsolver *s, gsl_vector *x, int64_t max_iter, double tol)
{
    for (size_t k = 0; k < d->na; k++)
        gsl_vector_set(x, k, d->x[d->active[k]]);
    gsl_multiroot_function_fdf fn = {gsl_f, gsl_df, gsl_fdf, d->na, d};
    if (gsl_multiroot_fdfsolver_set(s, &fn, x))
        return 0;
    for (int64_t it = 0; it < max_iter; it++) {
        if (gsl_multiroot_fdfsolver_iterate(s))
            break;
        const gsl_vector *r = gsl_multiroot_fdfsolver_root(s), *f = gsl_multiroot_fdfsolver_f(s);
        int ok = 1;
        for (size_t k = 0; k < d->na && ok; k++) {
            size_t v = d->active[k];
            ok = isfinite(gsl_vector_get(r, k)) &&
                 fabs(gsl_vector_get(f, k)) <= tol * fmax(d->hi[v] - d->lo[v], 1.0);
        }
        if (ok) {
            /* polish: the residual test scales with the ranges, and a
             * weakly damped point moves by residual / |eigenvalue|; a few
             * more Newton steps reach round-off */
            for (int extra = 0; extra < 3 && !gsl_multiroot_fdfsolver_iterate(s); extra++)
                ;
            r = gsl_multiroot_fdfsolver_root(s);
            for (size_t k = 0; k < d->na; k++)
                if (!isfinite(gsl_vector_get(r, k)))
                    return 0;
            set_active(d, r);
            return 1;
        }
    }
    return 0;
}

/* 1 if the root in d->x is one already found. */
static int known(const dtb_dynamics *d, const double *roots, int64_t n)
{
    for (int64_t r = 0; r < n; r++) {
        int same = 1;
        for (size_t v = 0; v < d->ns && same; v++)
            same = fabs(roots[r * d->ns + v] - d->x[v]) <= 1e-7 * fmax(d->hi[v] - d->lo[v], 1e-9);
        if (same)
            return 1;
    }
    return 0;
}

/* Sort the roots by their first active state (stable order of the set). */
static dtb_status sort_roots(dtb_dynamics *d, double *roots, int64_t n)
{
    const size_t ns = d->ns, key = d->na ? d->active[0] : 0;
    double *tmp = dtb__malloc_array(ns + 1, sizeof *tmp);
    if (!tmp)
        return DTB_ENOMEM;
    for (int64_t i = 1; i < n; i++)
        for (int64_t j = i; j > 0 && roots[j * ns + key] < roots[(j - 1) * ns + key]; j--) {
            memcpy(tmp, roots + j * ns, ns * sizeof *tmp);
            memcpy(roots + j * ns, roots + (j - 1) * ns, ns * sizeof *tmp);
            memcpy(roots + (j - 1) * ns, tmp, ns * sizeof *tmp);
        }
    free(tmp);
    return DTB_OK;
}

/* Eigenvalues and kind of every root into the node's tables. */
static dtb_status classify_all(dtb_dynamics *d, double *roots, int64_t n)
{
    const size_t ns = d->ns;
    double *re = dtb__malloc_array((size_t)n * ns + 1, sizeof *re);
    double *im = dtb__malloc_array((size_t)n * ns + 1, sizeof *im);
    dtb_fixed_point_kind *kind = dtb__malloc_array((size_t)n + 1, sizeof *kind);
    dtb_status st = re && im && kind ? DTB_OK : DTB_ENOMEM;
    for (int64_t r = 0; !st && r < n; r++) {
        memcpy(d->x, roots + r * ns, ns * sizeof *d->x);
        dtb__dyn_eval(d);
        double *rr = re + r * ns, *ii = im + r * ns;
        for (size_t v = 0; v < ns; v++)
            rr[v] = ii[v] = NAN;
        st = dtb__dyn_eigen(d, rr, ii);
        kind[r] = dtb__dyn_classify(rr, ii, d->na);
    }
    if (st) {
        free(re);
        free(im);
        free(kind);
        return st;
    }
    free(d->fp_x);
    free(d->fp_re);
    free(d->fp_im);
    free(d->fp_kind);
    d->fp_x = roots;
    d->fp_re = re;
    d->fp_im = im;
    d->fp_kind = kind;
    d->n_fp = n;
    return DTB_OK;
}

dtb_status dtb_dynamics_find_fixed_points(dtb_dynamics *d, const dtb_fixed_point_options *opts,
                                          int64_t *count_out)
{
    const char *fn = "dtb_dynamics_find_fixed_points";
    if (!d || !count_out)
        return dtb__error(DTB_EINVAL, "%s: d and count_out must not be NULL", fn);
    dtb_fixed_point_options o;
    dtb_fixed_point_options_init(&o, DTB_FIXED_POINT_OPTIONS_VERSION);
    if (opts) {
        dtb_status st = dtb__check_version(opts->version, DTB_FIXED_POINT_OPTIONS_VERSION,
                                           "dtb_fixed_point_options");
        if (st)
            return st;
        o = *opts;
    }
    if (o.n_starts < 0 || o.n_starts > 1000000 || o.max_iterations < 0 || o.max_iterations > 100000 ||
        !(o.tolerance >= 0.0) || o.reserved)
        return dtb__error(DTB_EINVAL, "%s: n_starts must be in 0..1e6, max_iterations in 0..1e5, "
                                      "tolerance >= 0 and reserved 0", fn);
    const int64_t n_starts = o.n_starts ? o.n_starts : 64;
    const int64_t max_iter = o.max_iterations ? o.max_iterations : 100;
    const double tol = o.tolerance > 0.0 ? o.tolerance : 1e-10;
    *count_out = 0;
    const size_t ns = d->ns, na = d->na;
    double *saved = dtb__malloc_array(ns + 1, sizeof *saved);
    double *roots = dtb__malloc_array((size_t)n_starts * ns + 1, sizeof *roots);
    double *q = dtb__malloc_array(na + 1, sizeof *q);
    /* GSL's Sobol generator has 40 dimensions; beyond, Niederreiter's has 12:
     * more states than 40 start from a Halton set (gsl_qrng_halton, 1229) */
    gsl_qrng *seq = na ? gsl_qrng_alloc(na <= 40 ? gsl_qrng_sobol : gsl_qrng_halton, (unsigned)na) : NULL;
    gsl_multiroot_fdfsolver *s = na ? gsl_multiroot_fdfsolver_alloc(gsl_multiroot_fdfsolver_hybridsj, na) : NULL;
    gsl_vector *x = na ? gsl_vector_alloc(na) : NULL;
    dtb_status st = saved && roots && q && (!na || (seq && s && x)) ? DTB_OK : DTB_ENOMEM;
    if (!st && na > 1229)
        st = dtb__error(DTB_EUNSUPPORTED, "%s: %zu states; at most 1229", fn, na);
    int64_t n = 0;
    if (!st) {
        memcpy(saved, d->x, ns * sizeof *saved);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        for (int64_t k = 0; k < (na ? n_starts : 1); k++) {
            if (na)
                gsl_qrng_get(seq, q);
            memcpy(d->x, saved, ns * sizeof *d->x);
            for (size_t a = 0; a < na; a++) {
                size_t v = d->active[a];
                /* the open box: the Sobol set starts at the corner */
                d->x[v] = d->lo[v] + (d->hi[v] - d->lo[v]) * (0.02 + 0.96 * q[a]);
            }
            if ((na ? solve(d, s, x, max_iter, tol) : 1) && !known(d, roots, n)) {
                memcpy(roots + n * ns, d->x, ns * sizeof *roots);
                n++;
            }
        }
        gsl_set_error_handler(old);
        memcpy(d->x, saved, ns * sizeof *d->x);
        st = sort_roots(d, roots, n);
    }
    if (!st)
        st = classify_all(d, roots, n);
    else
        free(roots);
    if (!st)
        *count_out = n;
    free(saved);
    free(q);
    if (seq)
        gsl_qrng_free(seq);
    if (s)
        gsl_multiroot_fdfsolver_free(s);
    if (x)
        gsl_vector_free(x);
    return st;
}

dtb_status dtb_dynamics_fixed_point(const dtb_dynamics *d, int64_t index, double *state, size_t n_state,
                                    double *eig_re, double *eig_im, size_t n_eig,
                                    dtb_fixed_point_kind *kind_out)
{
    const char *fn = "dtb_dynamics_fixed_point";
    if (!d)
        return dtb__error(DTB_EINVAL, "%s: d must not be NULL", fn);
    if (index < 0 || index >= d->n_fp)
        return dtb__error(DTB_EINVAL, "%s: index %lld out of range (%lld fixed points)", fn,
                          (long long)index, (long long)d->n_fp);
    if ((state && n_state < d->ns) || ((eig_re || eig_im) && n_eig < d->ns))
        return dtb__error(DTB_EINVAL, "%s: the arrays need room for %zu values", fn, d->ns);
    if (state)
        memcpy(state, d->fp_x + index * d->ns, d->ns * sizeof *state);
    if (eig_re)
        memcpy(eig_re, d->fp_re + index * d->ns, d->ns * sizeof *eig_re);
    if (eig_im)
        memcpy(eig_im, d->fp_im + index * d->ns, d->ns * sizeof *eig_im);
    if (kind_out)
        *kind_out = d->fp_kind[index];
    return DTB_OK;
}
