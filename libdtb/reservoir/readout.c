/* libdtb — linear readouts of reservoir states: ridge regression with its
 * parameter chosen by cross-validation, one-vs-rest classification by ridge
 * or logistic regression, the task scores, and readout files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ridge: minimise |Y - 1 b' - X W|^2 + lambda |W|^2 (the bias b is not
 * penalised), solved on data centred by the training means through the
 * eigendecomposition G = V D V' of the centred Gram matrix:
 * W = V (D + lambda)^-1 V' X'Y. One decomposition serves every lambda of
 * the grid and every target; the validation error of a lambda is computed
 * from a few p x p products (the traces below) instead of predicting every
 * validation row again. Folds: 5 contiguous blocks of the training steps
 * (the statistics of a fold's complement are the totals minus the fold's).
 * The split: after the washout, the first 70 % of the scored steps train,
 * the rest test. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "base/base.h"
#include "io/atomic_file.h"
#include "reservoir.h"

#define FOLDS 5
#define N_LAMBDA 11    /* 10^-8 .. 10^2 */
#define TRAIN_SHARE 0.7

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

static void stats_add(stats *s, const double *x, const double *y)
{
    const size_t p = s->p, q = s->q;
    s->m++;
    for (size_t i = 0; i < p; i++) {
        s->sx[i] += x[i];
        double *gi = s->g + i * p;
        const double xi = x[i];
        for (size_t j = i; j < p; j++)   /* upper triangle; mirrored when used */
            gi[j] += xi * x[j];
        double *hi = s->h + i * q;
        for (size_t k = 0; k < q; k++)
            hi[k] += xi * y[k];
    }
    for (size_t k = 0; k < q; k++) {
        s->sy[k] += y[k];
        s->yy[k] += y[k] * y[k];
    }
}

/* Four rows at once: each pass over the sums serves four rows, a quarter
 * of the memory traffic of four stats_add(). */
static void stats_add4(stats *s, const double *const x[4], const double *const y[4])
{
    const size_t p = s->p, q = s->q;
    const double *restrict x0 = x[0], *restrict x1 = x[1], *restrict x2 = x[2], *restrict x3 = x[3];
    const double *restrict y0 = y[0], *restrict y1 = y[1], *restrict y2 = y[2], *restrict y3 = y[3];
    s->m += 4;
    for (size_t i = 0; i < p; i++) {
        const double a0 = x0[i], a1 = x1[i], a2 = x2[i], a3 = x3[i];
        s->sx[i] += (a0 + a1) + (a2 + a3);
        double *restrict gi = s->g + i * p;
        for (size_t j = i; j < p; j++)
            gi[j] += (a0 * x0[j] + a1 * x1[j]) + (a2 * x2[j] + a3 * x3[j]);
        double *restrict hi = s->h + i * q;
        for (size_t k = 0; k < q; k++)
            hi[k] += (a0 * y0[k] + a1 * y1[k]) + (a2 * y2[k] + a3 * y3[k]);
    }
    for (size_t k = 0; k < q; k++) {
        s->sy[k] += (y0[k] + y1[k]) + (y2[k] + y3[k]);
        s->yy[k] += (y0[k] * y0[k] + y1[k] * y1[k]) + (y2[k] * y2[k] + y3[k] * y3[k]);
    }
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

static void stats_mirror(stats *s)
{
    for (size_t i = 0; i < s->p; i++)
        for (size_t j = 0; j < i; j++)
            s->g[i * s->p + j] = s->g[j * s->p + i];
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

/* A fit's eigenbasis: the centred Gram G = V D V', Z = V' H (p x q), the
 * means. */
typedef struct basis {
    size_t p, q;
    double *v, *d, *z, *mx, *my;
} basis;

static void basis_free(basis *b)
{
    free(b->v);
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
    b->d = dtb__malloc_array(p + 1, sizeof *b->d);
    b->z = dtb__calloc(p * q + 1, sizeof *b->z);
    b->mx = dtb__malloc_array(p + 1, sizeof *b->mx);
    b->my = dtb__malloc_array(q + 1, sizeof *b->my);
    gsl_matrix *g = gsl_matrix_alloc(p, p), *v = gsl_matrix_alloc(p, p);
    gsl_vector *d = gsl_vector_alloc(p);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
    dtb_status st = b->v && b->d && b->z && b->mx && b->my && g && v && d && ws ? DTB_OK : DTB_ENOMEM;
    double *hc = st ? NULL : dtb__malloc_array(p * q + 1, sizeof *hc);
    if (!st && !hc)
        st = DTB_ENOMEM;
    if (!st) {
        const double inv = m ? 1.0 / (double)m : 0.0;
        for (size_t i = 0; i < p; i++)
            b->mx[i] = s->sx[i] * inv;
        for (size_t k = 0; k < q; k++)
            b->my[k] = s->sy[k] * inv;
        /* centred: G - m mx mx', H - m mx my' */
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                gsl_matrix_set(g, i, j, s->g[i * p + j] - (double)m * b->mx[i] * b->mx[j]);
        for (size_t i = 0; i < p; i++)
            for (size_t k = 0; k < q; k++)
                hc[i * q + k] = s->h[i * q + k] - (double)m * b->mx[i] * b->my[k];
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int rc = gsl_eigen_symmv(g, d, v, ws);
        gsl_set_error_handler(old);
        if (rc)
            st = dtb__error(DTB_ENUMERIC, "readout: the eigendecomposition failed (GSL: %s)",
                            gsl_strerror(rc));
    }
    if (!st) {
        for (size_t i = 0; i < p; i++) {
            b->d[i] = fmax(gsl_vector_get(d, i), 0.0);   /* a Gram matrix: rounding only below 0 */
            for (size_t j = 0; j < p; j++)
                b->v[i * p + j] = gsl_matrix_get(v, i, j);   /* column j: eigenvector j */
        }
        /* Z = V' Hc */
        for (size_t j = 0; j < p; j++) {
            double *zj = b->z + j * q;
            for (size_t i = 0; i < p; i++) {
                const double vij = b->v[i * p + j];
                const double *hi = hc + i * q;
                for (size_t k = 0; k < q; k++)
                    zj[k] += vij * hi[k];
            }
        }
    }
    free(hc);
    if (ws)
        gsl_eigen_symmv_free(ws);
    if (d)
        gsl_vector_free(d);
    if (g)
        gsl_matrix_free(g);
    if (v)
        gsl_matrix_free(v);
    if (st)
        basis_free(b);
    return st;
}

/* The readout of a lambda: W = V (D + lambda)^-1 Z, b = my - W' mx. */
static void basis_solve(const basis *b, double lambda, double *w /* q x (p + 1) */)
{
    const size_t p = b->p, q = b->q;
    for (size_t k = 0; k < q; k++) {
        double *wk = w + k * (p + 1);
        for (size_t i = 0; i < p; i++) {
            double s = 0;
            for (size_t j = 0; j < p; j++)
                s += b->v[i * p + j] * (b->z[j * q + k] / (b->d[j] + lambda));
            wk[1 + i] = s;
        }
        double bias = b->my[k];
        for (size_t i = 0; i < p; i++)
            bias -= wk[1 + i] * b->mx[i];
        wk[0] = bias;
    }
}

/* The targets of a step as regression values (classification: one-hot). */
static void targets(const dtb__task_data *task, size_t s, double *y, size_t q);

/* Iterative refinement of the readout w (q x (p + 1), bias first) against
 * the centred training rows themselves. The normal equations were formed
 * from sums, and a Gram matrix squares the condition number of the data:
 * the residual of the ridge normal equations, R = Xc'(Yc - Xc W) - lambda W,
 * computed from the rows, is solved in the same eigenbasis and added. A
 * step squares the relative error, so the result agrees with a QR least-
 * squares solve of the augmented system (numpy.linalg.lstsq) to about the
 * rounding of the data. */
static dtb_status refine(const basis *b, double lambda, const dtb__task_data *task, const double *X,
                         const size_t *rows, size_t m, double *w)
{
    const size_t p = b->p, q = b->q;
    double *acc = dtb__calloc(p * q + 1, sizeof *acc), *z = dtb__calloc(p * q + 1, sizeof *z);
    double *xc = dtb__malloc_array(p + 1, sizeof *xc), *y = dtb__malloc_array(q + 1, sizeof *y);
    double *wt = dtb__malloc_array(p * q + 1, sizeof *wt);   /* W as p x q */
    dtb_status st = acc && z && xc && y && wt ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        for (size_t k = 0; k < q; k++)
            for (size_t i = 0; i < p; i++)
                wt[i * q + k] = w[k * (p + 1) + 1 + i];
        for (size_t r = 0; r < m; r++) {
            const double *x = X + rows[r] * p;
            targets(task, rows[r], y, q);
            for (size_t k = 0; k < q; k++)
                y[k] -= b->my[k];
            for (size_t i = 0; i < p; i++) {
                xc[i] = x[i] - b->mx[i];
                const double *wi = wt + i * q;
                for (size_t k = 0; k < q; k++)
                    y[k] -= xc[i] * wi[k];   /* y: the residual of this row */
            }
            for (size_t i = 0; i < p; i++) {
                double *ai = acc + i * q;
                for (size_t k = 0; k < q; k++)
                    ai[k] += xc[i] * y[k];
            }
        }
        for (size_t i = 0; i < p * q; i++)
            acc[i] -= lambda * wt[i];
        /* dW = V (D + lambda)^-1 V' R */
        for (size_t i = 0; i < p; i++) {
            const double *vi = b->v + i * p, *ai = acc + i * q;
            for (size_t j = 0; j < p; j++) {
                double *zj = z + j * q;
                for (size_t k = 0; k < q; k++)
                    zj[k] += vi[j] * ai[k];
            }
        }
        for (size_t j = 0; j < p; j++)
            for (size_t k = 0; k < q; k++)
                z[j * q + k] /= b->d[j] + lambda;
        for (size_t k = 0; k < q; k++) {
            double *wk = w + k * (p + 1);
            double bias = b->my[k];
            for (size_t i = 0; i < p; i++) {
                const double *vi = b->v + i * p;
                double dw = 0;
                for (size_t j = 0; j < p; j++)
                    dw += vi[j] * z[j * q + k];
                wk[1 + i] += dw;
                bias -= wk[1 + i] * b->mx[i];
            }
            wk[0] = bias;
        }
    }
    free(acc);
    free(z);
    free(xc);
    free(y);
    free(wt);
    return st;
}

/* The validation error of every lambda of the grid for the fold `val`,
 * fitted on `fit` (the complement): sum over the fold's rows and targets of
 * (y - yhat)^2, from traces of p x p products. */
static dtb_status fold_errors(const stats *fit, const stats *val, const double *lambdas, double *err)
{
    const size_t p = fit->p, q = fit->q;
    basis b;
    dtb_status st = basis_make(fit, &b);
    if (st)
        return st;
    double *gv = dtb__malloc_array(p * p + 1, sizeof *gv), *hv = dtb__malloc_array(p * q + 1, sizeof *hv);
    double *t = dtb__calloc(p * p + 1, sizeof *t), *a = dtb__calloc(p * p + 1, sizeof *a);
    double *n = dtb__calloc(p * p + 1, sizeof *n), *c = dtb__calloc(p + 1, sizeof *c);
    double *pv = dtb__calloc(p * q + 1, sizeof *pv);
    if (!gv || !hv || !t || !a || !n || !c || !pv) {
        st = DTB_ENOMEM;
        goto out;
    }
    const double mv = (double)val->m;
    /* the fold's rows centred by the fit's means: Gv, Hv; and |r|^2 */
    double rr = 0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            gv[i * p + j] = val->g[i * p + j] - b.mx[i] * val->sx[j] - val->sx[i] * b.mx[j] +
                            mv * b.mx[i] * b.mx[j];
    for (size_t i = 0; i < p; i++)
        for (size_t k = 0; k < q; k++)
            hv[i * q + k] = val->h[i * q + k] - b.mx[i] * val->sy[k] - val->sx[i] * b.my[k] +
                            mv * b.mx[i] * b.my[k];
    for (size_t k = 0; k < q; k++)
        rr += val->yy[k] - 2 * b.my[k] * val->sy[k] + mv * b.my[k] * b.my[k];
    /* A = V' Gv V */
    for (size_t i = 0; i < p; i++)
        for (size_t k = 0; k < p; k++) {
            const double g_ik = gv[i * p + k];
            const double *vk = b.v + k * p;
            double *ti = t + i * p;
            for (size_t j = 0; j < p; j++)
                ti[j] += g_ik * vk[j];   /* T = Gv V */
        }
    for (size_t i = 0; i < p; i++) {
        const double *vi = b.v + i * p, *ti = t + i * p;
        for (size_t r = 0; r < p; r++) {
            const double v_ir = vi[r];
            double *ar = a + r * p;
            for (size_t j = 0; j < p; j++)
                ar[j] += v_ir * ti[j];   /* A = V' T */
        }
    }
    /* N = Z Z', P = V' Hv, c_i = sum_k Z_ik P_ik */
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k < q; k++)
                s += b.z[i * q + k] * b.z[j * q + k];
            n[i * p + j] = n[j * p + i] = s;
        }
    for (size_t r = 0; r < p; r++)
        for (size_t i = 0; i < p; i++) {
            const double v_ri = b.v[r * p + i];
            const double *hr = hv + r * q;
            double *pi = pv + i * q;
            for (size_t k = 0; k < q; k++)
                pi[k] += v_ri * hr[k];
        }
    for (size_t i = 0; i < p; i++) {
        double s = 0;
        for (size_t k = 0; k < q; k++)
            s += b.z[i * q + k] * pv[i * q + k];
        c[i] = s;
    }
    for (int l = 0; l < N_LAMBDA; l++) {
        double quad = 0, lin = 0;
        for (size_t i = 0; i < p; i++) {
            const double si = 1.0 / (b.d[i] + lambdas[l]);
            lin += si * c[i];
            for (size_t j = 0; j < p; j++)
                quad += si * a[i * p + j] * n[i * p + j] / (b.d[j] + lambdas[l]);
        }
        err[l] += rr - 2 * lin + quad;
    }
out:
    free(gv);
    free(hv);
    free(t);
    free(a);
    free(n);
    free(c);
    free(pv);
    basis_free(&b);
    return st;
}

/* The targets of a step as regression values (classification: one-hot). */
static void targets(const dtb__task_data *task, size_t s, double *y, size_t q)
{
    if (task->kind == DTB__TASK_REGRESSION) {
        memcpy(y, task->y + s * task->Q, q * sizeof *y);
        return;
    }
    memset(y, 0, q * sizeof *y);
    int cls = (int)task->y[s];
    if (cls >= 0 && (size_t)cls < q)
        y[cls] = 1.0;
}

static double corr2(const double *a, const double *b, size_t n, size_t stride_a, size_t stride_b)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i * stride_a];
        mb += b[i * stride_b];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        double x = a[i * stride_a] - ma, y = b[i * stride_b] - mb;
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    return saa > 0 && sbb > 0 ? sab * sab / (saa * sbb) : 0.0;
}

void dtb__readout_apply(const dtb__readout *r, const double *X, size_t T, double *Y)
{
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < r->q; k++) {
            const double *w = r->w + k * (r->p + 1);
            double s = w[0];
            for (size_t i = 0; i < r->p; i++)
                s += w[1 + i] * X[t * r->p + i];
            Y[t * r->q + k] = s;
        }
}

void dtb__readout_free(dtb__readout *r)
{
    free(r->w);
    memset(r, 0, sizeof *r);
}

/* Logistic regression of one class against the rest by Newton's method
 * (iteratively reweighted least squares) with the L2 penalty lambda on the
 * weights (not the bias). */
static dtb_status logistic_fit(const double *X, size_t p, const size_t *rows, size_t m,
                               const double *y01, double lambda, double *w /* p + 1 */)
{
    const size_t d = p + 1;
    gsl_matrix *H = gsl_matrix_alloc(d, d);
    gsl_vector *g = gsl_vector_alloc(d), *step = gsl_vector_alloc(d);
    gsl_permutation *perm = gsl_permutation_alloc(d);
    if (!H || !g || !step || !perm) {
        if (H)
            gsl_matrix_free(H);
        if (g)
            gsl_vector_free(g);
        if (step)
            gsl_vector_free(step);
        if (perm)
            gsl_permutation_free(perm);
        return DTB_ENOMEM;
    }
    memset(w, 0, d * sizeof *w);
    dtb_status st = DTB_OK;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    for (int it = 0; it < 25; it++) {
        gsl_matrix_set_zero(H);
        gsl_vector_set_zero(g);
        for (size_t i = 1; i < d; i++) {   /* the penalty */
            gsl_matrix_set(H, i, i, lambda);
            gsl_vector_set(g, i, lambda * w[i]);
        }
        for (size_t r = 0; r < m; r++) {
            const double *x = X + rows[r] * p;
            double z = w[0];
            for (size_t i = 0; i < p; i++)
                z += w[1 + i] * x[i];
            double pr = 1.0 / (1.0 + exp(-z)), e = pr - y01[r], s = pr * (1 - pr);
            for (size_t i = 0; i < d; i++) {
                const double xi = i ? x[i - 1] : 1.0;
                *gsl_vector_ptr(g, i) += e * xi;
                double *hrow = gsl_matrix_ptr(H, i, 0);
                for (size_t j = 0; j <= i; j++)
                    hrow[j] += s * xi * (j ? x[j - 1] : 1.0);
            }
        }
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < i; j++)
                gsl_matrix_set(H, j, i, gsl_matrix_get(H, i, j));
        int sign;
        if (gsl_linalg_LU_decomp(H, perm, &sign) || gsl_linalg_LU_solve(H, perm, g, step)) {
            st = dtb__error(DTB_ENUMERIC, "readout: logistic regression's Newton step failed");
            break;
        }
        double change = 0;
        for (size_t i = 0; i < d; i++) {
            w[i] -= gsl_vector_get(step, i);
            change = fmax(change, fabs(gsl_vector_get(step, i)));
        }
        if (change < 1e-10)
            break;
    }
    gsl_set_error_handler(old);
    gsl_matrix_free(H);
    gsl_vector_free(g);
    gsl_vector_free(step);
    gsl_permutation_free(perm);
    return st;
}

/* The training and test rows: scored steps, the first 70 % train. */
static dtb_status split(const dtb__task_data *task, size_t **train, size_t *m_train, size_t **test,
                        size_t *m_test)
{
    size_t scored = 0;
    for (size_t s = 0; s < task->T; s++)
        scored += task->scored[s] != 0;
    size_t n_train = (size_t)((double)scored * TRAIN_SHARE);
    if (n_train < 2 * FOLDS || scored - n_train < 2)
        return dtb__error(DTB_EINVAL, "readout: %zu scored steps are too few to train and test",
                          scored);
    *train = dtb__malloc_array(n_train, sizeof **train);
    *test = dtb__malloc_array(scored - n_train, sizeof **test);
    if (!*train || !*test) {
        free(*train);
        free(*test);
        return DTB_ENOMEM;
    }
    size_t i = 0;
    for (size_t s = 0; s < task->T; s++)
        if (task->scored[s]) {
            if (i < n_train)
                (*train)[i] = s;
            else
                (*test)[i - n_train] = s;
            i++;
        }
    *m_train = n_train;
    *m_test = scored - n_train;
    return DTB_OK;
}

static double score_of(const dtb__task_data *task, const dtb__readout *r, const double *X,
                       const size_t *test, size_t m_test)
{
    const size_t q = r->q;
    double *pred = dtb__malloc_array(m_test * q + 1, sizeof *pred);
    double *truth = dtb__malloc_array(m_test * q + 1, sizeof *truth);
    double score = NAN;
    if (pred && truth) {
        for (size_t i = 0; i < m_test; i++) {
            dtb__readout_apply(r, X + test[i] * r->p, 1, pred + i * q);
            targets(task, test[i], truth + i * q, q);
        }
        if (task->kind == DTB__TASK_CLASSIFICATION) {
            size_t right = 0;
            for (size_t i = 0; i < m_test; i++) {
                size_t best = 0;
                for (size_t k = 1; k < q; k++)
                    if (pred[i * q + k] > pred[i * q + best])
                        best = k;
                right += (int)task->y[test[i]] == (int)best;
            }
            score = (double)right / (double)m_test;
        } else {
            score = 0;
            for (size_t k = 0; k < q; k++)
                score += corr2(pred + k, truth + k, m_test, q, q);
            if (!task->sum_r2)
                score /= (double)q;
        }
    }
    free(pred);
    free(truth);
    return score;
}

dtb_status dtb__readout_fit(const dtb__task_data *task, const double *X, size_t p, int logistic,
                            dtb__readout *out, double *score)
{
    memset(out, 0, sizeof *out);
    *score = NAN;
    const size_t q = task->kind == DTB__TASK_CLASSIFICATION ? (size_t)task->n_classes : task->Q;
    size_t *train = NULL, *test = NULL, m_train = 0, m_test = 0;
    dtb_status st = split(task, &train, &m_train, &test, &m_test);
    if (st)
        return st;
    double lambdas[N_LAMBDA], err[N_LAMBDA] = {0};
    for (int l = 0; l < N_LAMBDA; l++)
        lambdas[l] = pow(10.0, -8 + l);
    stats total, fold[FOLDS], rest;
    memset(fold, 0, sizeof fold);
    memset(&rest, 0, sizeof rest);
    double *y = dtb__malloc_array(4 * q + 1, sizeof *y);
    st = y ? stats_init(&total, p, q) : DTB_ENOMEM;
    for (int f = 0; !st && f < FOLDS; f++)
        st = stats_init(&fold[f], p, q);
    if (!st)
        st = stats_init(&rest, p, q);
    /* every training row into its fold's sums (fold f: rows i with
     * i * FOLDS / m_train == f, a contiguous run), four at a time; the
     * total is the sum of the folds */
    for (int f = 0; !st && f < FOLDS; f++) {
        size_t lo = ((size_t)f * m_train + FOLDS - 1) / FOLDS;
        size_t hi = ((size_t)(f + 1) * m_train + FOLDS - 1) / FOLDS;
        size_t i = lo;
        for (; i + 4 <= hi; i += 4) {
            const double *xs[4], *ys[4];
            for (int r = 0; r < 4; r++) {
                targets(task, train[i + (size_t)r], y + (size_t)r * q, q);
                xs[r] = X + train[i + (size_t)r] * p;
                ys[r] = y + (size_t)r * q;
            }
            stats_add4(&fold[f], xs, ys);
        }
        for (; i < hi; i++) {
            targets(task, train[i], y, q);
            stats_add(&fold[f], X + train[i] * p, y);
        }
        stats_mirror(&fold[f]);
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
        out->p = p;
        out->q = q;
        out->lambda = lambdas[best];
        out->w = dtb__malloc_array(q * (p + 1), sizeof *out->w);
        if (!out->w)
            st = DTB_ENOMEM;
        else
            basis_solve(&b, out->lambda, out->w);
        if (out->w)
            st = refine(&b, out->lambda, task, X, train, m_train, out->w);
        basis_free(&b);
    }
    if (!st && logistic && task->kind == DTB__TASK_CLASSIFICATION) {
        double *y01 = dtb__malloc_array(m_train + 1, sizeof *y01);
        st = y01 ? DTB_OK : DTB_ENOMEM;
        for (size_t k = 0; !st && k < q; k++) {
            for (size_t i = 0; i < m_train; i++)
                y01[i] = (int)task->y[train[i]] == (int)k;
            st = logistic_fit(X, p, train, m_train, y01, out->lambda, out->w + k * (p + 1));
        }
        free(y01);
    }
    if (!st)
        *score = score_of(task, out, X, test, m_test);
    else
        dtb__readout_free(out);
    stats_free(&total);
    stats_free(&rest);
    for (int f = 0; f < FOLDS; f++)
        stats_free(&fold[f]);
    free(y);
    free(train);
    free(test);
    return st;
}

/* ------------------------------------------------------------- files */

/* Written whole or not at all (io/atomic_file.h): a reader finds the old
 * file or the whole new one, never a part. */
dtb_status dtb__readout_save(const dtb__readout *r, const char *path, const char *about)
{
    dtb__atomic_file a;
    dtb_status st = dtb__atomic_open(&a, path);
    if (st)
        return st;
    FILE *f = a.f;
    fprintf(f, "# libdtb readout 1\n# %s\n# features %zu targets %zu lambda %.17g\n", about ? about : "",
            r->p, r->q, r->lambda);
    fprintf(f, "# one row per target: the bias, then one weight per feature\n");
    for (size_t k = 0; k < r->q; k++) {
        for (size_t i = 0; i <= r->p; i++) {
            char num[40];
            dtb__format_double(num, sizeof num, r->w[k * (r->p + 1) + i]);
            fprintf(f, "%s%s", i ? " " : "", num);
        }
        fputc('\n', f);
    }
    return dtb__atomic_commit(&a);
}

dtb_status dtb__readout_load(const char *path, dtb__readout *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return dtb__error(errno == ENOENT ? DTB_ENOTFOUND : DTB_EIO, "%s: cannot read: %s", path,
                          strerror(errno));
    char line[4096];
    size_t p = 0, q = 0;
    double lambda = 0;
    int version = 0;
    dtb_status st = DTB_OK;
    if (!fgets(line, sizeof line, f) || sscanf(line, "# libdtb readout %d", &version) != 1 ||
        version != 1)
        st = dtb__error(DTB_EPARSE, "%s: not a libdtb readout file", path);
    while (!st && fgets(line, sizeof line, f) && line[0] == '#')
        if (sscanf(line, "# features %zu targets %zu lambda", &p, &q) == 2) {
            const char *l = strstr(line, "lambda ");
            if (l)
                dtb__parse_double(l + 7, &lambda);
            break;
        }
    if (!st && (!p || !q || p > 1000000 || q > 100000))
        st = dtb__error(DTB_EPARSE, "%s: no valid 'features P targets Q' line", path);
    if (!st && !(out->w = dtb__malloc_array(q * (p + 1), sizeof *out->w)))
        st = DTB_ENOMEM;
    for (size_t i = 0; !st && i < q * (p + 1); i++) {
        int c;
        while ((c = fgetc(f)) == '#')   /* comment lines between */
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        if (c != EOF)
            ungetc(c, f);
        char tok[64];
        if (fscanf(f, "%63s", tok) != 1 || !dtb__parse_double(tok, &out->w[i]) ||
            !isfinite(out->w[i]))
            st = dtb__error(DTB_EPARSE, "%s: weight %zu of %zu missing or not a finite number",
                            path, i + 1, q * (p + 1));
    }
    fclose(f);
    if (st) {
        dtb__readout_free(out);
        return st;
    }
    out->p = p;
    out->q = q;
    out->lambda = lambda;
    return DTB_OK;
}
