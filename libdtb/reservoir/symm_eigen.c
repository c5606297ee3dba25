/* libdtb — the eigendecomposition of a symmetric matrix (dense.h), for the
 * ridge readouts: one per cross-validation fold and one for the final fit.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The classic method (Golub & Van Loan, Matrix Computations, 8.3; the
 * EISPACK tred2/tql2 pair), laid out so that every inner loop runs along a
 * contiguous row and vectorises:
 *   1. Householder reflections reduce A to a tridiagonal T = Q' A Q, on
 *      the upper triangle by rows from the diagonal (A22 -= v w' + w v'),
 *      the trailing block read once per reflection;
 *   2. Q is formed from the reflections, from the last (LAPACK's dorgtr);
 *   3. the implicit QL iteration with Wilkinson shifts diagonalises T; its
 *      plane rotations are applied to the rows of Q' (= the columns of Q),
 *      so that Q' becomes V'. Deflation when |e_m| <= eps (|d_m| + |d_m+1|)
 *      or |e_m| <= eps/2 |T|: a Gram matrix of states that fill fewer
 *      dimensions than it has has a cluster of eigenvalues at the rounding
 *      level (1e-15 beside 10), where the relative test alone can stall;
 *      the absolute one changes T by less than its reduction did.
 * GSL's gsl_eigen_symmv does the same steps, but its rotations walk the
 * columns of a row-major matrix and its reflections go through an
 * unoptimised BLAS: this is about 6 times faster at n = 245 (7 against
 * 45 ms on a readout's Gram matrix; with the eigenvalues alone the
 * rotations and Q are skipped). Backward
 * stable like it: the eigenvalues to about eps |A|, the eigenvectors
 * orthonormal to about eps. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/clones.h"
#include "dense.h"

#define QL_MAX_ITERATIONS 60   /* per eigenvalue; 2 or 3 are usual */

/* The reflection H = I - tau u u' (u[0] = 1) with H x = (beta, 0, ..., 0):
 * u[1..] overwrites x[1..] (LAPACK's dlarfg without its rescaling, which
 * only matters near underflow). */
static double householder(double *x, size_t m, double *beta)
{
    double big = 0, ss = 0;   /* |x[1..]|, scaled by its largest entry against overflow */
    for (size_t i = 1; i < m; i++)
        big = fmax(big, fabs(x[i]));
    if (big > 0) {
        const double inv = 1.0 / big;
        for (size_t i = 1; i < m; i++)
            ss += (x[i] * inv) * (x[i] * inv);
    }
    const double xnorm = big * sqrt(ss);
    if (m < 2 || xnorm == 0) {
        *beta = x[0];
        return 0.0;
    }
    const double alpha = x[0];
    const double b = -copysign(hypot(alpha, xnorm), alpha);
    const double scale = 1.0 / (alpha - b);
    for (size_t i = 1; i < m; i++)
        x[i] *= scale;
    x[0] = 1.0;
    *beta = b;
    return (b - alpha) / b;
}

/* Helpers inlined into their caller's AVX2 clone. */
#if defined(__GNUC__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif

/* a[j] -= ui w[j] + wi u[j] (row i of the rank-2 update, from its diagonal) */
INLINE void rank2_row(double *restrict a, const double *restrict u, const double *restrict w,
                      double ui, double wi, size_t m)
{
    for (size_t j = 0; j < m; j++)
        a[j] -= ui * w[j] + wi * u[j];
}

/* Row i of a symmetric product s = A u from the upper triangle alone: a
 * (m long) is the row from its diagonal on, u and s from index i on.
 * s[0] gets the row's dot product, s[1..] its column's terms. */
INLINE void symv_row(const double *restrict a, const double *restrict u, double *restrict s,
                     size_t m)
{
    /* eight chains (two vectors of four): an addition's latency is hidden */
    double c[8] = {a[0] * u[0], 0, 0, 0, 0, 0, 0, 0};
    const double ui = u[0];
    size_t j = 1;
    for (; j + 8 <= m; j += 8)
        for (size_t l = 0; l < 8; l++) {
            c[l] += a[j + l] * u[j + l];
            s[j + l] += ui * a[j + l];
        }
    for (size_t l = 0; j < m; j++, l++) {
        c[l] += a[j] * u[j];
        s[j] += ui * a[j];
    }
    s[0] += ((c[0] + c[4]) + (c[1] + c[5])) + ((c[2] + c[6]) + (c[3] + c[7]));
}

/* a[j] += c b[j] */
INLINE void axpy(double *restrict a, const double *restrict b, double c, size_t m)
{
    for (size_t j = 0; j < m; j++)
        a[j] += c * b[j];
}

/* Step 1: d, e (e[k] couples k and k + 1) and the reflections: u_k in row
 * k of A from column k + 1 on (u_k[0] = 1 at A[k][k + 1]), tau[k]. Only
 * the upper triangle is read and updated (row i from its diagonal on:
 * contiguous, half the arithmetic of both triangles). Step k updates the
 * trailing block A22 -= u w' + w u' with w from s = A22 u; as each row is
 * updated it adds its terms to the next reflection's s, so the block is
 * read once per step, not twice. */
DTB__CLONES
static void tridiagonalise(double *A, size_t n, double *restrict d, double *restrict e,
                           double *restrict tau, double *restrict w, double *restrict s)
{
    if (n >= 3) {
        d[0] = A[0];
        tau[0] = householder(A + 1, n - 1, &e[0]);
        memset(s, 0, (n - 1) * sizeof *s);
        for (size_t i = 0; i + 1 < n; i++)
            symv_row(A + (i + 1) * n + i + 1, A + 1 + i, s + i, n - 1 - i);
    }
    for (size_t k = 0; k + 2 < n; k++) {
        const size_t m = n - k - 1;
        const double *u = A + k * n + k + 1;   /* row k beyond the diagonal: column k below it */
        double *a22 = A + (k + 1) * n + k + 1;
        const double t = tau[k];
        if (t != 0) {   /* w = t s - (t/2)(t s'u) u */
            double wu = 0;
            for (size_t i = 0; i < m; i++) {
                w[i] = t * s[i];
                wu += w[i] * u[i];
            }
            axpy(w, u, -0.5 * t * wu, m);
            rank2_row(a22, u, w, u[0], w[0], m);
        }
        if (k + 3 > n)
            continue;   /* the last step: its block is 2 x 2 */
        d[k + 1] = a22[0];
        tau[k + 1] = householder(a22 + 1, m - 1, &e[k + 1]);
        const double *next = a22 + 1;
        for (size_t i = 0; i + 1 < m; i++)
            s[i] = 0;
        for (size_t i = 1; i < m; i++) {
            double *ai = a22 + i * n + i;   /* row i from its diagonal */
            if (t != 0)
                rank2_row(ai, u + i, w + i, u[i], w[i], m - i);
            symv_row(ai, next + i - 1, s + i - 1, m - i);
        }
    }
    if (n >= 2) {
        d[n - 2] = A[(n - 2) * n + n - 2];
        e[n - 2] = A[(n - 2) * n + n - 1];
        tau[n - 2] = 0;
    }
    d[n - 1] = A[(n - 1) * n + n - 1];
    e[n - 1] = 0;
}

/* Step 2: Q = H_0 H_1 ... H_{n-3} into q (n x n), applied from the last
 * reflection: H_k touches rows and columns k + 1 .. only, and row k is
 * still e_k when H_{k-1} comes. Step k: Q22 -= t u (u' Q22); as each row is
 * updated it is added into the next step's u_{k-1}' Q22, so the block is
 * read once per step. */
DTB__CLONES
static void form_q(const double *A, size_t n, const double *restrict tau, double *q,
                   double *restrict w, double *restrict wn)
{
    memset(q, 0, n * n * sizeof *q);
    for (size_t i = 0; i < n; i++)
        q[i * n + i] = 1.0;
    if (n < 3)
        return;
    /* w = u_{n-3}' Q22 with Q22 = I */
    size_t k = n - 3;
    memcpy(w, A + k * n + k + 1, 2 * sizeof *w);
    for (;;) {
        const double t = tau[k];
        const size_t m = n - k - 1;
        const double *u = A + k * n + k + 1;
        double *q22 = q + (k + 1) * n + k + 1;
        const double *un = k ? A + (k - 1) * n + k : NULL;   /* u_{k-1}, m + 1 long */
        if (un) {
            memset(wn, 0, (m + 1) * sizeof *wn);
            wn[0] = un[0];   /* row k: e_k */
        }
        for (size_t i = 0; i < m; i++) {
            double *qi = q22 + i * n;
            if (t != 0)
                axpy(qi, w, -t * u[i], m);
            if (un)
                axpy(wn + 1, qi, un[i + 1], m);
        }
        if (!k)
            break;
        k--;
        double *swap = w;
        w = wn;
        wn = swap;
    }
}

/* Rows i and i + 1 of V' turned by the plane rotation (c, s). */
DTB__CLONES
static void rotate_rows(double *restrict zi, double *restrict zi1, size_t n, double c, double s)
{
    for (size_t k = 0; k < n; k++) {
        const double f = zi1[k];
        zi1[k] = s * zi[k] + c * f;
        zi[k] = c * zi[k] - s * f;
    }
}

/* Step 3: the implicit QL iteration on (d, e), the rotations applied to
 * the rows of vt (Numerical Recipes' tqli with the rows and columns of the
 * eigenvector matrix exchanged). */
static dtb_status ql(double *d, double *e, size_t n, double *vt)
{
    double norm = 0;   /* of T, for the absolute deflation test */
    for (size_t i = 0; i < n; i++)
        norm = fmax(norm, fabs(d[i]) + fabs(e[i]) + (i ? fabs(e[i - 1]) : 0.0));
    for (size_t l = 0; l < n; l++) {
        int iter = 0;
        size_t m;
        do {
            for (m = l; m + 1 < n; m++) {
                const double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= DBL_EPSILON * dd || fabs(e[m]) <= 0.5 * DBL_EPSILON * norm)
                    break;
            }
            if (m == l)
                break;
            if (iter++ == QL_MAX_ITERATIONS)
                return dtb__error(DTB_ENUMERIC, "symmetric eigendecomposition: the QL iteration "
                                                "did not converge for eigenvalue %zu of %zu", l, n);
            double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            double r = hypot(g, 1.0);
            g = d[m] - d[l] + e[l] / (g + copysign(r, g));
            double s = 1.0, c = 1.0, p = 0.0;
            size_t i = m;
            int underflow = 0;
            while (i-- > l) {
                const double f = s * e[i], b = c * e[i];
                e[i + 1] = r = hypot(f, g);
                if (r == 0.0) {   /* recover from underflow */
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    underflow = 1;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                d[i + 1] = g + (p = s * r);
                g = c * r - b;
                if (vt)
                    rotate_rows(vt + i * n, vt + (i + 1) * n, n, c, s);
            }
            if (underflow)
                continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        } while (m != l);
    }
    return DTB_OK;
}

dtb_status dtb__symm_eigen(double *A, size_t n, double *d, double *vt)
{
    if (!n)
        return DTB_OK;
    double *e = dtb__malloc_array(n, sizeof *e), *tau = dtb__malloc_array(n, sizeof *tau);
    double *w = dtb__malloc_array(n, sizeof *w), *s = dtb__malloc_array(n, sizeof *s);
    double *q = vt ? dtb__malloc_array(n * n, sizeof *q) : NULL;
    dtb_status st = e && tau && w && s && (q || !vt) ? DTB_OK : DTB_ENOMEM;
    if (!st) {
        tridiagonalise(A, n, d, e, tau, w, s);
        if (vt) {
            form_q(A, n, tau, q, w, s);
            /* V' = Q' to start: the rotations then act on its rows */
            dtb__dense_transpose(n, n, q, n, vt, n);
        }
        st = ql(d, e, n, vt);
    }
    free(e);
    free(tau);
    free(w);
    free(s);
    free(q);
    return st;
}
