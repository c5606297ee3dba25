/* libdtb — the analysis step of the ensemble Kalman filter (enkf.h):
 * stochastic EnKF with perturbed observations, and the ETKF (LETKF when
 * localised), with multiplicative inflation and Gaspari–Cohn localisation.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Dense GSL linear algebra throughout: the sizes that occur (a few hundred
 * state elements and observations, up to a few hundred members) make the
 * analysis a small part of an assimilation cycle next to the members'
 * simulations. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "enkf.h"

double dtb__gaspari_cohn(double d, double c)
{
    const double z = fabs(d) / c;
    if (z >= 2.0)
        return 0.0;
    if (z <= 1.0)
        return (((-0.25 * z + 0.5) * z + 0.625) * z - 5.0 / 3.0) * z * z + 1.0;
    return ((((z / 12.0 - 0.5) * z + 0.625) * z + 5.0 / 3.0) * z - 5.0) * z + 4.0 -
           2.0 / (3.0 * z);
}

double dtb__bounded_to_real(double v, double lo, double hi)
{
    return log((v - lo) / (hi - v));
}

double dtb__real_to_bounded(double z, double lo, double hi)
{
    /* the two branches keep exp() from overflowing for large |z| */
    if (z >= 0)
        return lo + (hi - lo) / (1.0 + exp(-z));
    const double e = exp(z);
    return lo + (hi - lo) * e / (1.0 + e);
}

void dtb__ensemble_row_stats(const double *X, size_t m, size_t i, double *mean, double *sd)
{
    const double *row = X + i * m;
    double s = 0;
    for (size_t k = 0; k < m; k++)
        s += row[k];
    const double mu = s / (double)m;
    double ss = 0;
    for (size_t k = 0; k < m; k++)
        ss += (row[k] - mu) * (row[k] - mu);
    *mean = mu;
    *sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0.0;
}

static double taper(const dtb__enkf_config *c, int64_t a, int64_t b)
{
    if (!c->distance || a < 0 || b < 0)
        return 1.0;
    return dtb__gaspari_cohn(c->distance[(size_t)a * c->n_sites + (size_t)b], c->radius);
}

static dtb_status check(const dtb__enkf_config *c, const double *X, size_t n, size_t m,
                        const double *HX, const double *y, const double *r, size_t p,
                        const dtb__rng *rng)
{
    if (!c || !X || !HX || !y || !r)
        return dtb__error(DTB_EINVAL, "ensemble analysis: NULL argument");
    if (m < 2)
        return dtb__error(DTB_EINVAL, "ensemble analysis: %zu members, at least 2 are needed", m);
    if (n == 0 || p == 0)
        return dtb__error(DTB_EINVAL, "ensemble analysis: no state (%zu) or no observations (%zu)",
                          n, p);
    if (c->method == DTB__ENKF_STOCHASTIC && !rng)
        return dtb__error(DTB_EINVAL, "ensemble analysis: the stochastic EnKF needs a generator");
    if (!(c->inflation == 0 || (c->inflation >= 1 && isfinite(c->inflation))))
        return dtb__error(DTB_EINVAL, "ensemble analysis: inflation %g is not a number >= 1",
                          c->inflation);
    size_t bad = dtb__first_nonfinite(X, n * m);
    if (bad < n * m)
        return dtb__error(DTB_ENUMERIC, "ensemble analysis: state element %zu of member %zu is %g",
                          bad / m, bad % m, X[bad]);
    bad = dtb__first_nonfinite(HX, p * m);
    if (bad < p * m)
        return dtb__error(DTB_ENUMERIC,
                          "ensemble analysis: member %zu predicts %g for observation %zu",
                          bad % m, HX[bad], bad / m);
    for (size_t j = 0; j < p; j++) {
        if (!isfinite(y[j]))
            return dtb__error(DTB_EINVAL, "ensemble analysis: observation %zu is %g", j, y[j]);
        if (!(r[j] > 0) || !isfinite(r[j]))
            return dtb__error(DTB_EINVAL,
                              "ensemble analysis: error variance %g of observation %zu is not > 0",
                              r[j], j);
    }
    if (c->distance) {
        if (!(c->radius > 0) || !isfinite(c->radius))
            return dtb__error(DTB_EINVAL, "ensemble analysis: localisation radius %g is not > 0",
                              c->radius);
        if (!c->state_site || !c->obs_site)
            return dtb__error(DTB_EINVAL, "ensemble analysis: localisation without sites");
        for (size_t i = 0; i < n; i++)
            if (c->state_site[i] < -1 || c->state_site[i] >= (int64_t)c->n_sites)
                return dtb__error(DTB_EINVAL, "ensemble analysis: state element %zu at site %lld "
                                  "of %zu", i, (long long)c->state_site[i], c->n_sites);
        for (size_t j = 0; j < p; j++)
            if (c->obs_site[j] < -1 || c->obs_site[j] >= (int64_t)c->n_sites)
                return dtb__error(DTB_EINVAL, "ensemble analysis: observation %zu at site %lld "
                                  "of %zu", j, (long long)c->obs_site[j], c->n_sites);
    }
    return DTB_OK;
}

/* Means of the rows of a rows x m array, and the anomalies scaled by s. */
static void anomalies(const double *X, size_t rows, size_t m, double s, double *mean,
                      gsl_matrix *A)
{
    for (size_t i = 0; i < rows; i++) {
        double sd;
        dtb__ensemble_row_stats(X, m, i, &mean[i], &sd);
        for (size_t k = 0; k < m; k++)
            gsl_matrix_set(A, i, k, s * (X[i * m + k] - mean[i]));
    }
}

typedef struct work {
    gsl_matrix *A, *Yb;          /* n x m, p x m: inflated anomalies */
    double *xm, *ym;             /* n, p: means */
} work;

static void work_free(work *w)
{
    gsl_matrix_free(w->A);
    gsl_matrix_free(w->Yb);
    free(w->xm);
    free(w->ym);
}

static dtb_status stochastic(const dtb__enkf_config *c, double *X, size_t n, size_t m,
                             const double *y, const double *r, size_t p, dtb__rng *rng,
                             const work *w)
{
    dtb_status st = DTB_OK;
    gsl_matrix *Pyy = gsl_matrix_alloc(p, p), *D = gsl_matrix_alloc(p, m);
    gsl_matrix *Pxy = gsl_matrix_alloc(n, p), *inc = gsl_matrix_alloc(n, m);
    if (!Pyy || !D || !Pxy || !inc) {
        st = dtb__error(DTB_ENOMEM, "ensemble analysis: out of memory");
        goto done;
    }
    const double scale = 1.0 / (double)(m - 1);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, scale, w->Yb, w->Yb, 0.0, Pyy);
    for (size_t i = 0; i < p; i++) {
        for (size_t j = 0; j < p; j++) {
            const int64_t a = c->obs_site ? c->obs_site[i] : -1;
            const int64_t b = c->obs_site ? c->obs_site[j] : -1;
            double v = gsl_matrix_get(Pyy, i, j) * taper(c, a, b);
            gsl_matrix_set(Pyy, i, j, v + (i == j ? r[i] : 0.0));
        }
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int gst = gsl_linalg_cholesky_decomp1(Pyy);
    gsl_set_error_handler(old);
    if (gst) {
        st = dtb__error(DTB_ENUMERIC, "ensemble analysis: the innovation covariance is not "
                        "positive definite (a localisation taper that is not a valid correlation "
                        "for these distances?)");
        goto done;
    }
    /* innovations against perturbed observations, drawn member by member */
    for (size_t k = 0; k < m; k++)
        for (size_t j = 0; j < p; j++) {
            const double pred = w->ym[j] + gsl_matrix_get(w->Yb, j, k);
            gsl_matrix_set(D, j, k, y[j] + sqrt(r[j]) * dtb__rng_normal(rng) - pred);
        }
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, Pyy, D);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, Pyy, D);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, scale, w->A, w->Yb, 0.0, Pxy);
    if (c->distance)
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < p; j++)
                gsl_matrix_set(Pxy, i, j,
                               gsl_matrix_get(Pxy, i, j) *
                                   taper(c, c->state_site[i], c->obs_site[j]));
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Pxy, D, 0.0, inc);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m; k++)
            X[i * m + k] = w->xm[i] + gsl_matrix_get(w->A, i, k) + gsl_matrix_get(inc, i, k);
done:
    gsl_matrix_free(Pyy);
    gsl_matrix_free(D);
    gsl_matrix_free(Pxy);
    gsl_matrix_free(inc);
    return st;
}

/* The ETKF's transform T (m x m) for observations weighted by wt (the
 * inverse error variances, tapered): member k of the analysis is
 * x̄ + A T[:, k], with T = sqrt(m - 1) Q Λ^-1/2 Q^T + w̄ 1^T and
 * w̄ = Q Λ^-1 Q^T C d, where Q Λ Q^T = (m - 1) I + C Yb, C = Yb^T diag(wt). */
typedef struct etkf_work {
    gsl_matrix *C, *Mt, *Q, *B, *T;
    gsl_vector *lam, *cd, *wbar;
    gsl_eigen_symmv_workspace *ew;
} etkf_work;

static dtb_status etkf_transform(size_t m, size_t p, const gsl_matrix *Yb, const double *wt,
                                 const gsl_vector *innov, etkf_work *e)
{
    if (p == 0) {   /* no observation reaches: the forecast stands */
        gsl_matrix_set_identity(e->T);
        return DTB_OK;
    }
    gsl_matrix_view Cv = gsl_matrix_submatrix(e->C, 0, 0, m, p);
    gsl_matrix *C = &Cv.matrix;
    for (size_t k = 0; k < m; k++)
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(C, k, j, gsl_matrix_get(Yb, j, k) * wt[j]);
    gsl_matrix_set_identity(e->Mt);
    gsl_matrix_scale(e->Mt, (double)(m - 1));
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, C, Yb, 1.0, e->Mt);
    if (gsl_eigen_symmv(e->Mt, e->lam, e->Q, e->ew))
        return dtb__error(DTB_ENUMERIC, "ensemble analysis: the ETKF's eigensolver failed");
    gsl_blas_dgemv(CblasNoTrans, 1.0, C, innov, 0.0, e->cd);
    /* B = Q Λ^-1 (for w̄), then Q Λ^-1/2 (for W) */
    for (size_t a = 0; a < m; a++)
        for (size_t l = 0; l < m; l++)
            gsl_matrix_set(e->B, a, l, gsl_matrix_get(e->Q, a, l) / gsl_vector_get(e->lam, l));
    gsl_vector *qcd = e->wbar;   /* Q^T C d, then w̄ */
    gsl_vector_view tmp = gsl_matrix_column(e->Mt, 0);   /* Mt is spent by the solver */
    gsl_blas_dgemv(CblasTrans, 1.0, e->Q, e->cd, 0.0, &tmp.vector);
    gsl_blas_dgemv(CblasNoTrans, 1.0, e->B, &tmp.vector, 0.0, qcd);
    for (size_t a = 0; a < m; a++)
        for (size_t l = 0; l < m; l++)
            gsl_matrix_set(e->B, a, l,
                           gsl_matrix_get(e->Q, a, l) / sqrt(gsl_vector_get(e->lam, l)));
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, sqrt((double)(m - 1)), e->B, e->Q, 0.0, e->T);
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < m; b++)
            gsl_matrix_set(e->T, a, b, gsl_matrix_get(e->T, a, b) + gsl_vector_get(e->wbar, a));
    return DTB_OK;
}

static dtb_status etkf(const dtb__enkf_config *c, double *X, size_t n, size_t m,
                       const double *y, const double *r, size_t p, const work *w)
{
    dtb_status st = DTB_OK;
    etkf_work e = {gsl_matrix_alloc(m, p), gsl_matrix_alloc(m, m), gsl_matrix_alloc(m, m),
                   gsl_matrix_alloc(m, m), gsl_matrix_alloc(m, m), gsl_vector_alloc(m),
                   gsl_vector_alloc(m), gsl_vector_alloc(m), gsl_eigen_symmv_alloc(m)};
    gsl_vector *innov = gsl_vector_alloc(p), *innov_s = gsl_vector_alloc(p);
    gsl_matrix *Ys = gsl_matrix_alloc(p, m);
    gsl_matrix *As = gsl_matrix_alloc(n, m), *Xs = gsl_matrix_alloc(n, m);
    double *wt = dtb__calloc(p, sizeof *wt), *Xa = dtb__malloc_array(n * m, sizeof *Xa);
    size_t *rows = dtb__calloc(n, sizeof *rows);
    if (!e.C || !e.Mt || !e.Q || !e.B || !e.T || !e.lam || !e.cd || !e.wbar || !e.ew || !innov ||
        !innov_s || !Ys || !As || !Xs || !wt || !Xa || !rows) {
        st = dtb__error(DTB_ENOMEM, "ensemble analysis: out of memory");
        goto done;
    }
    for (size_t j = 0; j < p; j++)
        gsl_vector_set(innov, j, y[j] - w->ym[j]);
    /* one analysis per site: every state element at a site shares its
     * transform (without localisation there is one site, -1) */
    const int64_t last = c->distance ? (int64_t)c->n_sites - 1 : -1;
    for (int64_t s = -1; s <= last && !st; s++) {
        size_t nr = 0;
        for (size_t i = 0; i < n; i++)
            if (!c->distance || c->state_site[i] == s)
                rows[nr++] = i;
        if (!nr)
            continue;
        /* the observations that reach this site (a taper above 0), gathered */
        size_t q = 0;
        for (size_t j = 0; j < p; j++) {
            const double t = taper(c, s, c->distance ? c->obs_site[j] : -1);
            if (t <= 0)
                continue;
            wt[q] = t / r[j];
            gsl_vector_set(innov_s, q, gsl_vector_get(innov, j));
            gsl_vector_const_view src = gsl_matrix_const_row(w->Yb, j);
            gsl_matrix_set_row(Ys, q, &src.vector);
            q++;
        }
        gsl_matrix_view Yq = gsl_matrix_submatrix(Ys, 0, 0, q ? q : 1, m);
        gsl_vector_view iq = gsl_vector_subvector(innov_s, 0, q ? q : 1);
        st = etkf_transform(m, q, &Yq.matrix, wt, &iq.vector, &e);
        if (st)
            break;
        gsl_matrix_view a = gsl_matrix_submatrix(As, 0, 0, nr, m);
        gsl_matrix_view x = gsl_matrix_submatrix(Xs, 0, 0, nr, m);
        for (size_t i = 0; i < nr; i++)
            for (size_t k = 0; k < m; k++)
                gsl_matrix_set(&a.matrix, i, k, gsl_matrix_get(w->A, rows[i], k));
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &a.matrix, e.T, 0.0, &x.matrix);
        for (size_t i = 0; i < nr; i++)
            for (size_t k = 0; k < m; k++)
                Xa[rows[i] * m + k] = w->xm[rows[i]] + gsl_matrix_get(&x.matrix, i, k);
    }
    if (!st)   /* all or nothing: a failure leaves the ensemble as it was */
        memcpy(X, Xa, n * m * sizeof *X);
done:
    gsl_matrix_free(e.C);
    gsl_matrix_free(e.Mt);
    gsl_matrix_free(e.Q);
    gsl_matrix_free(e.B);
    gsl_matrix_free(e.T);
    gsl_vector_free(e.lam);
    gsl_vector_free(e.cd);
    gsl_vector_free(e.wbar);
    if (e.ew)
        gsl_eigen_symmv_free(e.ew);
    gsl_vector_free(innov);
    gsl_vector_free(innov_s);
    gsl_matrix_free(Ys);
    gsl_matrix_free(As);
    gsl_matrix_free(Xs);
    free(wt);
    free(Xa);
    free(rows);
    return st;
}

dtb_status dtb__enkf_analyse(const dtb__enkf_config *c, double *X, size_t n, size_t m,
                             const double *HX, const double *y, const double *r, size_t p,
                             dtb__rng *rng)
{
    dtb_status st = check(c, X, n, m, HX, y, r, p, rng);
    if (st)
        return st;
    const double infl = c->inflation > 0 ? c->inflation : 1.0;
    work w = {gsl_matrix_alloc(n, m), gsl_matrix_alloc(p, m), dtb__calloc(n, sizeof(double)),
              dtb__calloc(p, sizeof(double))};
    if (!w.A || !w.Yb || !w.xm || !w.ym) {
        work_free(&w);
        return dtb__error(DTB_ENOMEM, "ensemble analysis: out of memory");
    }
    anomalies(X, n, m, sqrt(infl), w.xm, w.A);
    anomalies(HX, p, m, sqrt(infl), w.ym, w.Yb);
    if (c->method == DTB__ENKF_STOCHASTIC)
        st = stochastic(c, X, n, m, y, r, p, rng, &w);
    else
        st = etkf(c, X, n, m, y, r, p, &w);
    work_free(&w);
    return st;
}
