/* libdtb — the delay-free network of nodes of one model: its fixed point,
 * its Jacobian and the coupling at which the fixed point loses stability
 * (dtb_dynamics.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Node i's coupling input k is affine in the states for the kinds taken
 * here (rows of w are targets):
 *   linear      c_ki = a sum_j w_ij x_j + b
 *   scaling     c_ki = a sum_j w_ij x_j
 *   difference  c_ki = a (sum_j w_ij x_j - x_i sum_j w_ij)
 * with x the coupled state of input k. The network's Jacobian is then
 *   J = blockdiag(df_i/dx_i) + (df_i/dc_ki) (alpha w_ij - delta rowsum_i [i = j])
 * on the coupled states: exact, since the nodes' blocks are. It is dense,
 * N = regions x active states; its eigenvalues come from GSL's dense
 * nonsymmetric solver, whose cost (about 10 N^3) bounds the size this
 * handles to DTB__NET_MAX_N unknowns. Delays are not part of it: what is
 * computed is the stability of the delay-free network's fixed point. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "dynamics.h"

#define DTB__NET_MAX_N 4000
#define NEWTON_MAX 50

typedef struct net {
    dtb_dynamics *d;
    size_t n, na, nc, N;
    double *w, *rowsum;           /* [n*n], [n] */
    double alpha, beta, delta;
    double *X;                    /* [n][ns] */
    double *F;                    /* [N] */
    gsl_matrix *J, *A;            /* [N][N] the Jacobian, a copy to factor */
    gsl_permutation *perm;
    gsl_vector *rhs, *dx;
    gsl_vector_complex *ev;
    gsl_eigen_nonsymm_workspace *ws;
    double *saved_in;             /* the node's own input, restored at the end */
} net;

/* The coupling inputs of node i at X into d->in. */
static void inputs_of(net *p, size_t i)
{
    dtb_dynamics *d = p->d;
    for (size_t k = 0; k < p->nc; k++) {
        size_t s = (size_t)d->core->coupling_state[k];
        double sum = 0.0;
        for (size_t j = 0; j < p->n; j++)
            sum += p->w[i * p->n + j] * p->X[j * d->ns + s];
        d->in[k] = p->alpha * sum + p->beta - p->delta * p->rowsum[i] * p->X[i * d->ns + s];
    }
}

/* The active state's index of state s, or -1. */
static long active_index(const dtb_dynamics *d, size_t s)
{
    for (size_t a = 0; a < d->na; a++)
        if (d->active[a] == s)
            return (long)a;
    return -1;
}

/* F and J at p->X. */
static void evaluate(net *p)
{
    dtb_dynamics *d = p->d;
    const size_t na = p->na, ns = d->ns;
    gsl_matrix_set_zero(p->J);
    for (size_t i = 0; i < p->n; i++) {
        memcpy(d->x, p->X + i * ns, ns * sizeof *d->x);
        inputs_of(p, i);
        dtb__dyn_eval(d);
        for (size_t r = 0; r < na; r++) {
            const double *row = d->J + d->active[r] * d->n_wrt;
            p->F[i * na + r] = d->f[d->active[r]];
            for (size_t q = 0; q < na; q++)
                gsl_matrix_set(p->J, i * na + r, i * na + q, row[d->active[q]]);
            for (size_t k = 0; k < p->nc; k++) {
                double dfdc = row[ns + k];
                long q = active_index(d, (size_t)d->core->coupling_state[k]);
                if (dfdc == 0.0 || q < 0)
                    continue;
                for (size_t j = 0; j < p->n; j++) {
                    double dc = p->alpha * p->w[i * p->n + j] - (i == j ? p->delta * p->rowsum[i] : 0.0);
                    if (dc != 0.0)
                        *gsl_matrix_ptr(p->J, i * na + r, j * na + (size_t)q) += dfdc * dc;
                }
            }
        }
    }
}

/* Newton from p->X; 1 when it converged (p->X the fixed point, F and J
 * evaluated there). */
static int newton(net *p, double tol)
{
    dtb_dynamics *d = p->d;
    for (int it = 0; it < NEWTON_MAX; it++) {
        evaluate(p);
        gsl_matrix_memcpy(p->A, p->J);
        int sign;
        if (gsl_linalg_LU_decomp(p->A, p->perm, &sign))
            return 0;
        for (size_t k = 0; k < p->N; k++)
            gsl_vector_set(p->rhs, k, -p->F[k]);
        if (gsl_linalg_LU_solve(p->A, p->perm, p->rhs, p->dx))
            return 0;
        double step = 0.0, size = 0.0;
        for (size_t i = 0; i < p->n; i++)
            for (size_t a = 0; a < p->na; a++) {
                double *x = &p->X[i * d->ns + d->active[a]];
                double dx = gsl_vector_get(p->dx, i * p->na + a);
                *x += dx;
                step = fmax(step, fabs(dx));
                size = fmax(size, fabs(*x));
            }
        if (!isfinite(step) || !isfinite(size))
            return 0;
        if (step <= tol * (1.0 + size)) {
            evaluate(p);
            return 1;
        }
    }
    return 0;
}

/* The largest real part of the eigenvalues of p->J. */
static dtb_status max_real(net *p, double *out)
{
    gsl_matrix_memcpy(p->A, p->J);
    int rc = gsl_eigen_nonsymm(p->A, p->ev, p->ws);
    if (rc)
        return dtb__error(DTB_ENUMERIC, "the network's eigenvalues did not converge (GSL: %s)",
                          gsl_strerror(rc));
    double m = -INFINITY;
    for (size_t k = 0; k < p->N; k++)
        m = fmax(m, GSL_REAL(gsl_vector_complex_get(p->ev, k)));
    *out = m;
    return DTB_OK;
}

/* The sign of det J (LU), 0 when singular. */
static int det_sign(net *p)
{
    gsl_matrix_memcpy(p->A, p->J);
    int sign;
    gsl_linalg_LU_decomp(p->A, p->perm, &sign);
    double lg = gsl_linalg_LU_lndet(p->A);
    return isfinite(lg) ? gsl_linalg_LU_sgndet(p->A, sign) : 0;
}

static void net_free(net *p)
{
    if (p->d && p->saved_in)
        memcpy(p->d->in, p->saved_in, p->nc * sizeof *p->saved_in);
    free(p->saved_in);
    free(p->w);
    free(p->rowsum);
    free(p->X);
    free(p->F);
    if (p->J)
        gsl_matrix_free(p->J);
    if (p->A)
        gsl_matrix_free(p->A);
    if (p->perm)
        gsl_permutation_free(p->perm);
    if (p->rhs)
        gsl_vector_free(p->rhs);
    if (p->dx)
        gsl_vector_free(p->dx);
    if (p->ev)
        gsl_vector_complex_free(p->ev);
    if (p->ws)
        gsl_eigen_nonsymm_free(p->ws);
}

/* The coupling's parameters: a (and b for linear) by name. */
static dtb_status coupling_params(net *p, dtb_coupling_kind kind, const char *const *names,
                                  const double *values, size_t n_values, const char *param,
                                  double **varied)
{
    const char *fn = "dtb_dynamics_network_critical";
    double a = kind == DTB_COUPLING_DIFFERENCE ? 0.1 : 0.00390625, b = 0.0;
    *varied = NULL;
    for (size_t k = 0; k < n_values; k++) {
        if (!names || !names[k] || !values)
            return dtb__error(DTB_EINVAL, "%s: coupling parameter %zu has no name or value", fn, k);
        if (!isfinite(values[k]))
            return dtb__error(DTB_EINVAL, "%s: coupling parameter '%s' is not finite", fn, names[k]);
        if (!strcmp(names[k], "a"))
            a = values[k];
        else if (!strcmp(names[k], "b") && kind == DTB_COUPLING_LINEAR)
            b = values[k];
        else
            return dtb__error(DTB_ENOTFOUND, "%s: the %s coupling has no parameter '%s'", fn,
                              kind == DTB_COUPLING_LINEAR ? "linear" : kind == DTB_COUPLING_SCALING
                                                                          ? "scaling" : "difference",
                              names[k]);
    }
    p->alpha = a;
    p->beta = kind == DTB_COUPLING_LINEAR ? b : 0.0;
    p->delta = kind == DTB_COUPLING_DIFFERENCE ? a : 0.0;
    if (!strcmp(param, "a"))
        *varied = &p->alpha;
    else if (!strcmp(param, "b") && kind == DTB_COUPLING_LINEAR)
        *varied = &p->beta;
    else
        return dtb__error(DTB_ENOTFOUND, "%s: the coupling has no parameter '%s' to vary (a%s)", fn,
                          param, kind == DTB_COUPLING_LINEAR ? ", b" : "");
    return DTB_OK;
}

/* Set the varied parameter (difference: delta follows a). */
static void set_varied(net *p, double *varied, double v, dtb_coupling_kind kind)
{
    *varied = v;
    if (kind == DTB_COUPLING_DIFFERENCE)
        p->delta = p->alpha;
}

static dtb_status net_alloc(net *p, dtb_dynamics *d, const dtb_atlas *atlas)
{
    const char *fn = "dtb_dynamics_network_critical";
    p->d = d;
    int64_t n = dtb_atlas_region_count(atlas);
    if (n <= 0)
        return dtb__error(DTB_EINVAL, "%s: the atlas has no regions", fn);
    p->n = (size_t)n;
    p->na = d->na;
    p->nc = d->nc;
    p->N = p->n * p->na;
    if (!p->na)
        return dtb__error(DTB_EINVAL, "%s: model '%s' has no state with a TimeDerivative", fn, d->core->name);
    if (p->N > DTB__NET_MAX_N)
        return dtb__error(DTB_EUNSUPPORTED, "%s: %zu regions x %zu states = %zu unknowns; the dense "
                                            "eigensolver takes at most %d", fn, p->n, p->na, p->N,
                          DTB__NET_MAX_N);
    p->w = dtb__malloc_array(p->n * p->n, sizeof *p->w);
    p->rowsum = dtb__calloc(p->n, sizeof *p->rowsum);
    p->X = dtb__malloc_array(p->n * d->ns, sizeof *p->X);
    p->F = dtb__malloc_array(p->N, sizeof *p->F);
    p->saved_in = dtb__malloc_array(p->nc + 1, sizeof *p->saved_in);
    p->J = gsl_matrix_alloc(p->N, p->N);
    p->A = gsl_matrix_alloc(p->N, p->N);
    p->perm = gsl_permutation_alloc(p->N);
    p->rhs = gsl_vector_alloc(p->N);
    p->dx = gsl_vector_alloc(p->N);
    p->ev = gsl_vector_complex_alloc(p->N);
    p->ws = gsl_eigen_nonsymm_alloc(p->N);
    if (!p->w || !p->rowsum || !p->X || !p->F || !p->saved_in || !p->J || !p->A || !p->perm ||
        !p->rhs || !p->dx || !p->ev || !p->ws)
        return DTB_ENOMEM;
    memcpy(p->saved_in, d->in, p->nc * sizeof *p->saved_in);
    size_t needed = 0;
    dtb_status st = dtb_atlas_copy_weights(atlas, p->w, p->n * p->n, &needed);
    for (size_t i = 0; !st && i < p->n; i++)
        for (size_t j = 0; j < p->n; j++)
            p->rowsum[i] += p->w[i * p->n + j];
    return st;
}

/* Every region starts at the node's first stable fixed point under the
 * input b (else its first fixed point). */
static dtb_status start(net *p)
{
    dtb_dynamics *d = p->d;
    for (size_t k = 0; k < p->nc; k++)
        d->in[k] = p->beta;
    int64_t count = 0;
    dtb_status st = dtb_dynamics_find_fixed_points(d, NULL, &count);
    if (st)
        return st;
    if (!count)
        return dtb__error(DTB_ENUMERIC, "dtb_dynamics_network_critical: the uncoupled node has no "
                                        "fixed point to start from");
    int64_t pick = 0;
    for (int64_t i = count - 1; i >= 0; i--)
        if (d->fp_kind[i] == DTB_FIXED_POINT_STABLE_NODE || d->fp_kind[i] == DTB_FIXED_POINT_STABLE_FOCUS)
            pick = i;
    for (size_t i = 0; i < p->n; i++)
        memcpy(p->X + i * d->ns, d->fp_x + pick * d->ns, d->ns * sizeof *p->X);
    return DTB_OK;
}

dtb_status dtb_dynamics_network_critical(dtb_dynamics *d, const dtb_atlas *atlas, dtb_coupling_kind kind,
                                         const char *const *names, const double *values, size_t n_values,
                                         const char *param, double lo, double hi, double *critical_out)
{
    const char *fn = "dtb_dynamics_network_critical";
    if (!d || !atlas || !param || !critical_out)
        return dtb__error(DTB_EINVAL, "%s: d, atlas, param and critical_out must not be NULL", fn);
    *critical_out = NAN;
    if (kind != DTB_COUPLING_LINEAR && kind != DTB_COUPLING_SCALING && kind != DTB_COUPLING_DIFFERENCE)
        return dtb__error(DTB_EUNSUPPORTED, "%s: the network's Jacobian is built for linear, scaling "
                                            "and difference couplings (not %s)", fn,
                          dtb_coupling_kind_name(kind) ? dtb_coupling_kind_name(kind) : "this kind");
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
        return dtb__error(DTB_EINVAL, "%s: the range [%g, %g] must be finite and increasing", fn, lo, hi);
    net p = {0};
    double *varied = NULL;
    dtb_status st = net_alloc(&p, d, atlas);
    if (!st)
        st = coupling_params(&p, kind, names, values, n_values, param, &varied);
    if (!st)
        st = start(&p);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    const double tol = 1e-10, span = hi - lo;
    double a = lo, re = 0.0;
    if (!st) {
        set_varied(&p, varied, lo, kind);
        if (!newton(&p, tol))
            st = dtb__error(DTB_ENUMERIC, "%s: no network fixed point at %s = %g", fn, param, lo);
        else if (!(st = max_real(&p, &re)) && re >= 0.0)
            st = dtb__error(DTB_EINVAL, "%s: the network's fixed point is already unstable at %s = %g "
                                        "(largest real part %g)", fn, param, lo, re);
    }
    double *good = st ? NULL : dtb__malloc_array(p.n * d->ns, sizeof *good);
    if (!st && !good)
        st = DTB_ENOMEM;
    double h = span / 16, re_at_a = re;
    int found = 0;
    while (!st && !found && a < hi && h > 1e-12 * span) {
        memcpy(good, p.X, p.n * d->ns * sizeof *good);
        int sign0 = det_sign(&p);
        double next = fmin(a + h, hi);
        set_varied(&p, varied, next, kind);
        if (!newton(&p, tol) || (st = max_real(&p, &re)) != DTB_OK) {
            /* the branch may end in a fold just ahead: look closer */
            st = DTB_OK;
            memcpy(p.X, good, p.n * d->ns * sizeof *good);
            set_varied(&p, varied, a, kind);
            newton(&p, tol);
            h *= 0.5;
            continue;
        }
        if (re < 0.0) {
            a = next;
            re_at_a = re;
            continue;
        }
        /* crossed in (a, next). A real eigenvalue crossed when the
         * determinant's sign changed: bisect on that sign (an LU per
         * trial; past a fold Newton finds no fixed point, which counts as
         * beyond). Else a complex pair crossed, and its real part is
         * smooth in the parameter: regula falsi (Illinois) on the largest
         * real part, a handful of eigenvalue solves. */
        int by_det = det_sign(&p) != sign0;
        double l = a, r = next, fl = re_at_a, fr = re;
        int side = 0;
        while (r - l > 1e-10 * (1.0 + fabs(r))) {
            double m = by_det ? 0.5 * (l + r) : (l * fr - r * fl) / (fr - fl);
            if (!(m > l && m < r))
                m = 0.5 * (l + r);
            memcpy(p.X, good, p.n * d->ns * sizeof *good);
            set_varied(&p, varied, m, kind);
            int stable;
            double fm = 0.0;
            if (!newton(&p, tol))
                stable = 0;   /* past the fold: no fixed point */
            else if (by_det)
                stable = det_sign(&p) == sign0;
            else {
                if ((st = max_real(&p, &fm)) != DTB_OK)
                    break;
                stable = fm < 0.0;
                if (fabs(fm) < 1e-13 * (1.0 + fabs(fl) + fabs(fr))) {
                    l = r = m;
                    break;
                }
            }
            if (stable) {
                l = m;
                fl = fm;
                memcpy(good, p.X, p.n * d->ns * sizeof *good);
                if (side == -1)
                    fr *= 0.5;
                side = -1;
            } else {
                r = m;
                fr = by_det ? fr : fm;
                if (side == 1)
                    fl *= 0.5;
                side = 1;
            }
        }
        *critical_out = 0.5 * (l + r);
        found = 1;
    }
    if (!st && !found && h <= 1e-12 * span)
        *critical_out = a;   /* the fixed point ends (a fold) where it was still stable */
    gsl_set_error_handler(old);
    free(good);
    net_free(&p);
    return st;
}

dtb_status dtb_dynamics_network_eigenvalues(dtb_dynamics *d, const dtb_atlas *atlas, dtb_coupling_kind kind,
                                            const char *const *names, const double *values,
                                            size_t n_values, double *re, double *im, size_t n_eig,
                                            size_t *n_out)
{
    const char *fn = "dtb_dynamics_network_eigenvalues";
    if (!d || !atlas || !re || !im || !n_out)
        return dtb__error(DTB_EINVAL, "%s: d, atlas, re, im and n_out must not be NULL", fn);
    *n_out = 0;
    if (kind != DTB_COUPLING_LINEAR && kind != DTB_COUPLING_SCALING && kind != DTB_COUPLING_DIFFERENCE)
        return dtb__error(DTB_EUNSUPPORTED, "%s: the network's Jacobian is built for linear, scaling "
                                            "and difference couplings", fn);
    net p = {0};
    double *varied = NULL;
    dtb_status st = net_alloc(&p, d, atlas);
    if (!st)
        st = coupling_params(&p, kind, names, values, n_values, "a", &varied);
    if (!st)
        st = start(&p);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (!st && !newton(&p, 1e-10))
        st = dtb__error(DTB_ENUMERIC, "%s: no network fixed point near the nodes' stable one", fn);
    if (!st) {
        gsl_matrix_memcpy(p.A, p.J);
        int rc = gsl_eigen_nonsymm(p.A, p.ev, p.ws);
        if (rc)
            st = dtb__error(DTB_ENUMERIC, "%s: the eigenvalues did not converge (GSL: %s)", fn,
                            gsl_strerror(rc));
    }
    if (!st) {
        /* the leading n_eig by real part (then imaginary part), by selection */
        unsigned char *used = dtb__calloc(p.N, 1);
        if (!used)
            st = DTB_ENOMEM;
        for (size_t k = 0; !st && k < n_eig && k < p.N; k++) {
            size_t best = p.N;
            for (size_t i = 0; i < p.N; i++) {
                if (used[i])
                    continue;
                gsl_complex z = gsl_vector_complex_get(p.ev, i);
                if (best == p.N)
                    best = i;
                else {
                    gsl_complex b = gsl_vector_complex_get(p.ev, best);
                    if (GSL_REAL(z) > GSL_REAL(b) || (GSL_REAL(z) == GSL_REAL(b) && GSL_IMAG(z) > GSL_IMAG(b)))
                        best = i;
                }
            }
            used[best] = 1;
            re[k] = GSL_REAL(gsl_vector_complex_get(p.ev, best));
            im[k] = GSL_IMAG(gsl_vector_complex_get(p.ev, best));
            *n_out = k + 1;
        }
        free(used);
    }
    gsl_set_error_handler(old);
    net_free(&p);
    return st;
}
