/* libdtb — linear readouts of reservoir states: ridge regression with its
 * parameter chosen by cross-validation, one-vs-rest classification by ridge
 * or logistic regression, the task scores, and readout files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ridge regression with cross-validation: ridge.c. The split: after the
 * washout, the first 70 % of the scored steps train, the rest test. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "base/base.h"
#include "dense.h"
#include "io/atomic_file.h"
#include "reservoir.h"

#define FOLDS 5         /* the cross-validation's (ridge.c): the fewest training rows are 2 x FOLDS */
#define TRAIN_SHARE 0.7

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

/* The rows rows[0..m-1] of X (p columns) into xr (m x p) and their targets
 * into yr (m x q, if not NULL). */
static void gather_rows(const dtb__task_data *task, const double *X, size_t p, size_t q,
                        const size_t *rows, size_t m, double *xr, double *yr)
{
    for (size_t i = 0; i < m; i++) {
        memcpy(xr + i * p, X + rows[i] * p, p * sizeof *xr);
        if (yr)
            targets(task, rows[i], yr + i * q, q);
    }
}

static dtb_status score_of(const dtb__task_data *task, const dtb__readout *r, const double *X,
                           const size_t *test, size_t m_test, double *score)
{
    const size_t p = r->p, q = r->q;
    double *xs = dtb__malloc_array(m_test * p + 1, sizeof *xs);
    double *pred = dtb__malloc_array(m_test * q + 1, sizeof *pred);
    double *truth = dtb__malloc_array(m_test * q + 1, sizeof *truth);
    dtb_status st = xs && pred && truth ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        gather_rows(task, X, p, q, test, m_test, xs, truth);
        dtb__dense_abt(m_test, q, p, xs, p, r->w + 1, p + 1, pred, q, 0, 0);
        for (size_t i = 0; i < m_test; i++)
            for (size_t k = 0; k < q; k++)
                pred[i * q + k] += r->w[k * (p + 1)];
        if (task->kind == DTB__TASK_CLASSIFICATION) {
            size_t right = 0;
            for (size_t i = 0; i < m_test; i++) {
                size_t best = 0;
                for (size_t k = 1; k < q; k++)
                    if (pred[i * q + k] > pred[i * q + best])
                        best = k;
                right += (int)task->y[test[i]] == (int)best;
            }
            *score = (double)right / (double)m_test;
        } else {
            *score = 0;
            for (size_t k = 0; k < q; k++)
                *score += corr2(pred + k, truth + k, m_test, q, q);
            if (!task->sum_r2)
                *score /= (double)q;
        }
    }
    free(xs);
    free(pred);
    free(truth);
    return st;
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
    double *xr = dtb__malloc_array(m_train * p + 1, sizeof *xr);
    double *yr = dtb__malloc_array(m_train * q + 1, sizeof *yr);
    out->w = dtb__malloc_array(q * (p + 1), sizeof *out->w);
    st = xr && yr && out->w ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        out->p = p;
        out->q = q;
        gather_rows(task, X, p, q, train, m_train, xr, yr);
        st = dtb__ridge_fit(xr, yr, m_train, p, q, &out->lambda, out->w);
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
        st = score_of(task, out, X, test, m_test, score);
    if (st) {
        *score = NAN;
        dtb__readout_free(out);
    }
    free(xr);
    free(yr);
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
