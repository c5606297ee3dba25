/* libdtb — ridge regression with its parameter chosen by cross-validation,
 * for the readouts (readout.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Minimise |Y - 1 b' - X W|^2 + lambda |W|^2 (the bias b is not penalised),
 * solved on data centred by the training means through the
 * eigendecomposition G = V D V' of the centred Gram matrix:
 * W = V (D + lambda)^-1 V' X'Y. One decomposition serves every lambda of
 * the grid and every target; the validation error of a lambda is computed
 * from a few p x p products (the traces below) instead of predicting every
 * validation row again. Folds: 5 contiguous blocks of the training rows;
 * the sums of a fold's complement are the totals minus the fold's, so the
 * rows are multiplied once.
 *
 * Every product goes through dtb__dense_abt (rows times rows), so the
 * operands are kept by rows: the training rows as xr (m x p) and
 * transposed as xt (p x m, one row per feature over the steps), the
 * targets as yt (q x m), the eigenvectors both as V and as V'. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "dense.h"
#include "reservoir.h"

#define FOLDS 5
#define N_LAMBDA 11   /* 10^-8 .. 10^2 */

/* Sums over a set of rows: count, sum x (p), sum y (q), sum x x' (p x p),
 * sum x y' (p x q), sum y y' diagonal (q). */
typedef struct stats {
    size_t m, p, q;
    double *sx, *sy, *g, *h, *yy;
} stats;

static void stats_free(stats *s)
{
    free(s->sx);
    free(s->sy);
    free(s->g);
    free(s->h);
    free(s->yy);
    memset(s, 0, sizeof *s);
}

static dtb_status stats_init(stats *s, size_t p, size_t q)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    s->q = q;
    s->sx = dtb__calloc(p + 1, sizeof *s->sx);
    s->sy = dtb__calloc(q + 1, sizeof *s->sy);
    s->g = dtb__calloc(p * p + 1, sizeof *s->g);
    s->h = dtb__calloc(p * q + 1, sizeof *s->h);
    s->yy = dtb__calloc(q + 1, sizeof *s->yy);
    if (!s->sx || !s->sy || !s->g || !s->h || !s->yy) {
        stats_free(s);
        return DTB_ENOMEM;
    }
    return DTB_OK;
}

/* The lower triangle of a p x p matrix from its upper one. */
static void mirror(double *g, size_t p)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            g[i * p + j] = g[j * p + i];
}

/* The sums of the training rows lo .. hi - 1 (columns of xt and yt, whose
 * rows hold m values). */
static void stats_of_rows(stats *s, const double *xt, const double *yt, size_t m, size_t lo,
                          size_t hi)
{
    const size_t p = s->p, q = s->q, len = hi - lo;
    s->m = len;
    for (size_t i = 0; i < p; i++) {
        const double *x = xt + i * m + lo;
        double sum = 0;
        for (size_t r = 0; r < len; r++)
            sum += x[r];
        s->sx[i] = sum;
    }
    for (size_t k = 0; k < q; k++) {
        const double *y = yt + k * m + lo;
        double sum = 0, sq = 0;
        for (size_t r = 0; r < len; r++) {
            sum += y[r];
            sq += y[r] * y[r];
        }
        s->sy[k] = sum;
        s->yy[k] = sq;
    }
    dtb__dense_abt(p, p, len, xt + lo, m, xt + lo, m, s->g, p, 0, 1);
    mirror(s->g, p);
    dtb__dense_abt(p, q, len, xt + lo, m, yt + lo, m, s->h, q, 0, 0);
}

/* d += a (same shapes) */
static void stats_accumulate(stats *d, const stats *a)
{
    d->m += a->m;
    for (size_t i = 0; i < a->p; i++)
        d->sx[i] += a->sx[i];
    for (size_t k = 0; k < a->q; k++) {
        d->sy[k] += a->sy[k];
        d->yy[k] += a->yy[k];
    }
    for (size_t i = 0; i < a->p * a->p; i++)
        d->g[i] += a->g[i];
    for (size_t i = 0; i < a->p * a->q; i++)
        d->h[i] += a->h[i];
}

/* a - b into d (same shapes) */
static void stats_diff(const stats *a, const stats *b, stats *d)
{
    d->m = a->m - b->m;
    for (size_t i = 0; i < a->p; i++)
        d->sx[i] = a->sx[i] - b->sx[i];
    for (size_t k = 0; k < a->q; k++) {
        d->sy[k] = a->sy[k] - b->sy[k];
        d->yy[k] = a->yy[k] - b->yy[k];
    }
    for (size_t i = 0; i < a->p * a->p; i++)
        d->g[i] = a->g[i] - b->g[i];
    for (size_t i = 0; i < a->p * a->q; i++)
        d->h[i] = a->h[i] - b->h[i];
}

/* A fit's eigenbasis: the centred Gram G = V D V' (V and V' both kept by
 * rows), Z = V' Hc (p x q), the means. */
typedef struct basis {
    size_t p, q;
    double *v, *vt, *d, *z, *mx, *my;
} basis;

static void basis_free(basis *b)
{
    free(b->v);
    free(b->vt);
    free(b->d);
    free(b->z);
    free(b->mx);
    free(b->my);
    memset(b, 0, sizeof *b);
}

static dtb_status basis_make(const stats *s, basis *b)
{
    const size_t p = s->p, q = s->q, m = s->m;
    memset(b, 0, sizeof *b);
    b->p = p;
    b->q = q;
    b->v = dtb__malloc_array(p * p + 1, sizeof *b->v);
    b->vt = dtb__malloc_array(p * p + 1, sizeof *b->vt);
    b->d = dtb__malloc_array(p + 1, sizeof *b->d);
    b->z = dtb__malloc_array(p * q + 1, sizeof *b->z);
    b->mx = dtb__malloc_array(p + 1, sizeof *b->mx);
    b->my = dtb__malloc_array(q + 1, sizeof *b->my);
    double *g = dtb__malloc_array(p * p + 1, sizeof *g);
    double *hct = dtb__malloc_array(p * q + 1, sizeof *hct);
    dtb_status st = b->v && b->vt && b->d && b->z && b->mx && b->my && g && hct ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        const double inv = m ? 1.0 / (double)m : 0.0;
        for (size_t i = 0; i < p; i++)
            b->mx[i] = s->sx[i] * inv;
        for (size_t k = 0; k < q; k++)
            b->my[k] = s->sy[k] * inv;
        /* centred: G - m mx mx' (symmetric to the bit), (H - m mx my')' */
        for (size_t i = 0; i < p; i++)
            for (size_t j = i; j < p; j++)
                g[i * p + j] = s->g[i * p + j] - (double)m * b->mx[i] * b->mx[j];
        mirror(g, p);
        for (size_t i = 0; i < p; i++)
            for (size_t k = 0; k < q; k++)
                hct[k * p + i] = s->h[i * q + k] - (double)m * b->mx[i] * b->my[k];
        st = dtb__symm_eigen(g, p, b->d, b->vt);
        if (st)
            dtb__error_context(st, "readout");
    }
    if (!st) {
        for (size_t i = 0; i < p; i++)
            b->d[i] = fmax(b->d[i], 0.0);   /* a Gram matrix: rounding only below 0 */
        dtb__dense_transpose(p, p, b->vt, p, b->v, p);
        dtb__dense_abt(p, q, p, b->vt, p, hct, p, b->z, q, 0, 0);   /* Z = V' Hc */
    }
    free(g);
    free(hct);
    if (st)
        basis_free(b);
    return st;
}

/* W' += (V (D + lambda)^-1 R)' for R given as zt = (V' R)' (q x p): the
 * solve of the ridge system in the eigenbasis, added to the weights w
 * (q x (p + 1), bias first); zt is scaled in place. */
static dtb_status basis_add_solution(const basis *b, double lambda, double *zt, double *w)
{
    const size_t p = b->p, q = b->q;
    double *dwt = dtb__malloc_array(p * q + 1, sizeof *dwt);
    if (!dwt)
        return DTB_ENOMEM;
    for (size_t k = 0; k < q; k++)
        for (size_t j = 0; j < p; j++)
            zt[k * p + j] /= b->d[j] + lambda;
    dtb__dense_abt(q, p, p, zt, p, b->v, p, dwt, p, 0, 0);
    for (size_t k = 0; k < q; k++) {
        double *wk = w + k * (p + 1);
        for (size_t i = 0; i < p; i++)
            wk[1 + i] += dwt[k * p + i];
    }
    free(dwt);
    return DTB_OK;
}

/* The biases: b = my - W' mx. */
static void set_biases(const basis *b, double *w)
{
    for (size_t k = 0; k < b->q; k++) {
        double *wk = w + k * (b->p + 1);
        double bias = b->my[k];
        for (size_t i = 0; i < b->p; i++)
            bias -= wk[1 + i] * b->mx[i];
        wk[0] = bias;
    }
}

/* The readout of a lambda: W = V (D + lambda)^-1 Z, b = my - W' mx. */
static dtb_status basis_solve(const basis *b, double lambda, double *w /* q x (p + 1) */)
{
    const size_t p = b->p, q = b->q;
    double *zt = dtb__malloc_array(p * q + 1, sizeof *zt);
    if (!zt)
        return DTB_ENOMEM;
    dtb__dense_transpose(p, q, b->z, q, zt, p);
    for (size_t k = 0; k < q; k++)
        memset(w + k * (p + 1), 0, (p + 1) * sizeof *w);
    dtb_status st = basis_add_solution(b, lambda, zt, w);
    if (!st)
        set_biases(b, w);
    free(zt);
    return st;
}

/* Iterative refinement of the readout w (q x (p + 1), bias first) against
 * the centred training rows themselves. The normal equations were formed
 * from sums, and a Gram matrix squares the condition number of the data:
 * the residual of the ridge normal equations, R = Xc'(Yc - Xc W) - lambda W,
 * computed from the rows, is solved in the same eigenbasis and added. A
 * step squares the relative error, so the result agrees with a QR least-
 * squares solve of the augmented system (numpy.linalg.lstsq) to about the
 * rounding of the data. Centres xr and xt in place. */
static dtb_status refine(const basis *b, double lambda, double *xr, double *xt, double *yt, size_t m,
                         double *w)
{
    const size_t p = b->p, q = b->q;
    double *rt = dtb__malloc_array(m * q + 1, sizeof *rt);
    double *acct = dtb__malloc_array(p * q + 1, sizeof *acct), *zt = dtb__malloc_array(p * q + 1, sizeof *zt);
    dtb_status st = rt && acct && zt ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        for (size_t r = 0; r < m; r++)
            for (size_t i = 0; i < p; i++)
                xr[r * p + i] -= b->mx[i];
        for (size_t i = 0; i < p; i++)
            for (size_t r = 0; r < m; r++)
                xt[i * m + r] -= b->mx[i];
        dtb__dense_abt(q, m, p, w + 1, p + 1, xr, p, rt, m, 0, 0);   /* (Xc W)' */
        for (size_t k = 0; k < q; k++)   /* the residuals, by target */
            for (size_t r = 0; r < m; r++)
                rt[k * m + r] = (yt[k * m + r] - b->my[k]) - rt[k * m + r];
        dtb__dense_abt(q, p, m, rt, m, xt, m, acct, p, 0, 0);   /* (Xc' (Yc - Xc W))' */
        for (size_t k = 0; k < q; k++)
            for (size_t i = 0; i < p; i++)
                acct[k * p + i] -= lambda * w[k * (p + 1) + 1 + i];
        dtb__dense_abt(q, p, p, acct, p, b->vt, p, zt, p, 0, 0);   /* (V' R)' */
        st = basis_add_solution(b, lambda, zt, w);
        if (!st)
            set_biases(b, w);
    }
    free(rt);
    free(acct);
    free(zt);
    return st;
}

/* The validation error of every lambda of the grid for the fold `val`,
 * fitted on `fit` (the complement): sum over the fold's rows and targets of
 * (y - yhat)^2 = |r|^2 - 2 sum_i s_i c_i + sum_ij s_i A_ij N_ij s_j with
 * s = 1 / (d + lambda), A = V' Gv V, N = Z Z', c_i = (Z o V' Hv) row sums,
 * Gv and Hv the fold's sums centred by the fit's means. */
static dtb_status fold_errors(const stats *fit, const stats *val, const double *lambdas, double *err)
{
    const size_t p = fit->p, q = fit->q;
    basis b;
    dtb_status st = basis_make(fit, &b);
    if (st)
        return st;
    double *gv = dtb__malloc_array(p * p + 1, sizeof *gv), *hvt = dtb__malloc_array(p * q + 1, sizeof *hvt);
    double *t = dtb__malloc_array(p * p + 1, sizeof *t), *a = dtb__malloc_array(p * p + 1, sizeof *a);
    double *n = dtb__malloc_array(p * p + 1, sizeof *n), *c = dtb__malloc_array(p + 1, sizeof *c);
    double *pv = dtb__malloc_array(p * q + 1, sizeof *pv), *s = dtb__malloc_array(p + 1, sizeof *s);
    if (!gv || !hvt || !t || !a || !n || !c || !pv || !s) {
        st = DTB_ENOMEM;
        goto out;
    }
    const double mv = (double)val->m;
    double rr = 0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++)
            gv[i * p + j] = val->g[i * p + j] - b.mx[i] * val->sx[j] - val->sx[i] * b.mx[j] +
                            mv * b.mx[i] * b.mx[j];
    mirror(gv, p);
    for (size_t i = 0; i < p; i++)
        for (size_t k = 0; k < q; k++)
            hvt[k * p + i] = val->h[i * q + k] - b.mx[i] * val->sy[k] - val->sx[i] * b.my[k] +
                             mv * b.mx[i] * b.my[k];
    for (size_t k = 0; k < q; k++)
        rr += val->yy[k] - 2 * b.my[k] * val->sy[k] + mv * b.my[k] * b.my[k];
    dtb__dense_abt(p, p, p, b.vt, p, gv, p, t, p, 0, 0);   /* V' Gv (Gv symmetric) */
    dtb__dense_abt(p, p, p, b.vt, p, t, p, a, p, 0, 1);    /* A = V' Gv V */
    dtb__dense_abt(p, p, q, b.z, q, b.z, q, n, p, 0, 1);   /* N = Z Z' */
    mirror(a, p);
    mirror(n, p);
    dtb__dense_abt(p, q, p, b.vt, p, hvt, p, pv, q, 0, 0);   /* P = V' Hv */
    for (size_t i = 0; i < p; i++) {
        double sum = 0;
        for (size_t k = 0; k < q; k++)
            sum += b.z[i * q + k] * pv[i * q + k];
        c[i] = sum;
    }
    for (size_t i = 0; i < p * p; i++)
        a[i] *= n[i];   /* A o N */
    for (int l = 0; l < N_LAMBDA; l++) {
        for (size_t i = 0; i < p; i++)
            s[i] = 1.0 / (b.d[i] + lambdas[l]);
        double quad = 0, lin = 0;
        for (size_t i = 0; i < p; i++) {
            const double *ai = a + i * p;
            double row = 0;
            for (size_t j = 0; j < p; j++)
                row += ai[j] * s[j];
            lin += s[i] * c[i];
            quad += s[i] * row;
        }
        err[l] += rr - 2 * lin + quad;
    }
out:
    free(gv);
    free(hvt);
    free(t);
    free(a);
    free(n);
    free(c);
    free(pv);
    free(s);
    basis_free(&b);
    return st;
}

dtb_status dtb__ridge_fit(double *xr, double *yr, size_t m, size_t p, size_t q, double *lambda_out,
                          double *w)
{
    if (m < 2 * FOLDS)
        return dtb__error(DTB_EINVAL, "readout: %zu training rows are too few for %d folds", m, FOLDS);
    double lambdas[N_LAMBDA], err[N_LAMBDA] = {0};
    for (int l = 0; l < N_LAMBDA; l++)
        lambdas[l] = pow(10.0, -8 + l);
    double *xt = dtb__malloc_array(p * m + 1, sizeof *xt), *yt = dtb__malloc_array(q * m + 1, sizeof *yt);
    stats total, fold[FOLDS], rest;
    memset(&total, 0, sizeof total);
    memset(fold, 0, sizeof fold);
    memset(&rest, 0, sizeof rest);
    dtb_status st = xt && yt ? stats_init(&total, p, q) : DTB_ENOMEM;
    for (int f = 0; !st && f < FOLDS; f++)
        st = stats_init(&fold[f], p, q);
    if (!st)
        st = stats_init(&rest, p, q);
    if (!st) {
        dtb__dense_transpose(m, p, xr, p, xt, m);
        dtb__dense_transpose(m, q, yr, q, yt, m);
    }
    /* fold f: the rows i with i * FOLDS / m == f, a contiguous run; the
     * total is the sum of the folds */
    for (int f = 0; !st && f < FOLDS; f++) {
        const size_t lo = ((size_t)f * m + FOLDS - 1) / FOLDS;
        const size_t hi = ((size_t)(f + 1) * m + FOLDS - 1) / FOLDS;
        stats_of_rows(&fold[f], xt, yt, m, lo, hi);
        stats_accumulate(&total, &fold[f]);
    }
    /* cross-validation of the ridge parameter */
    for (int f = 0; !st && f < FOLDS; f++) {
        stats_diff(&total, &fold[f], &rest);
        st = fold_errors(&rest, &fold[f], lambdas, err);
    }
    int best = 0;
    for (int l = 1; !st && l < N_LAMBDA; l++)
        if (err[l] < err[best])
            best = l;
    basis b;
    if (!st)
        st = basis_make(&total, &b);
    if (!st) {
        *lambda_out = lambdas[best];
        st = basis_solve(&b, lambdas[best], w);
        if (!st)
            st = refine(&b, lambdas[best], xr, xt, yt, m, w);
        basis_free(&b);
    }
    stats_free(&total);
    stats_free(&rest);
    for (int f = 0; f < FOLDS; f++)
        stats_free(&fold[f]);
    free(xt);
    free(yt);
    return st;
}
