/* The readouts' dense linear algebra (reservoir/products.c, symm_eigen.c):
 * the blocked product against plain dot products over shapes that leave
 * every kind of remainder, and the symmetric eigendecomposition by its
 * definition (A v = d v, V orthonormal) on random, rank-deficient, graded
 * and tiny matrices. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "reservoir/dense.h"
#include "test_util.h"

static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0 - 0.5;
}

static double *random_matrix(size_t rows, size_t cols, uint64_t seed)
{
    double *m = malloc(rows * cols * sizeof *m + 1);
    assert_non_null(m);
    for (size_t i = 0; i < rows * cols; i++)
        m[i] = uniform(&seed);
    return m;
}

static void product_equals_dot_products(void **state)
{
    (void)state;
    /* remainders of the 4-row and 3-row blocks, of the vectors (k mod 4),
     * more than one chunk of k (256) and one panel of B (96 rows) */
    const size_t shapes[][3] = {{1, 1, 1}, {4, 3, 4}, {5, 7, 3}, {13, 11, 257}, {9, 100, 530},
                                {103, 98, 9}, {4, 4, 0}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const size_t ni = shapes[s][0], nj = shapes[s][1], nk = shapes[s][2];
        const size_t lda = nk + 3, ldb = nk + 1, ldc = nj + 2;   /* leading dimensions beyond the rows */
        double *A = random_matrix(ni, lda, 1 + s), *B = random_matrix(nj, ldb, 100 + s);
        double *C = random_matrix(ni, ldc, 200 + s), *C0 = malloc(ni * ldc * sizeof *C0 + 1);
        memcpy(C0, C, ni * ldc * sizeof *C);
        for (int add = 0; add <= 1; add++) {
            memcpy(C, C0, ni * ldc * sizeof *C);
            dtb__dense_abt(ni, nj, nk, A, lda, B, ldb, C, ldc, add, 0);
            double worst = 0;
            for (size_t i = 0; i < ni; i++)
                for (size_t j = 0; j < ldc; j++) {
                    double want = C0[i * ldc + j];
                    if (j < nj) {
                        double dot = 0;
                        for (size_t k = 0; k < nk; k++)
                            dot += A[i * lda + k] * B[j * ldb + k];
                        want = add ? want + dot : dot;
                    }
                    /* columns beyond nj are left as they were, bit for bit */
                    worst = nan_max(worst, fabs(C[i * ldc + j] - want));
                    if (j >= nj)
                        assert_true(C[i * ldc + j] == want);
                }
            if (!(worst <= 1e-13 * (double)(nk + 1)))
                fail_msg("%zu x %zu x %zu (add %d): error %g", ni, nj, nk, add, worst);
        }
        free(A);
        free(B);
        free(C);
        free(C0);
    }
}

static void upper_product_fills_the_upper_triangle(void **state)
{
    (void)state;
    const size_t n = 23, nk = 300;
    double *X = random_matrix(n, nk, 7), *G = calloc(n * n, sizeof *G);
    for (size_t i = 0; i < n * n; i++)
        G[i] = NAN;   /* the lower triangle may stay so */
    dtb__dense_abt(n, n, nk, X, nk, X, nk, G, n, 0, 1);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double dot = 0;
            for (size_t k = 0; k < nk; k++)
                dot += X[i * nk + k] * X[j * nk + k];
            assert_true(fabs(G[i * n + j] - dot) <= 1e-12);
        }
    free(X);
    free(G);
}

static void transpose(void **state)
{
    (void)state;
    double *A = random_matrix(37, 21, 3), *B = malloc(21 * 40 * sizeof *B);
    dtb__dense_transpose(37, 20, A, 21, B, 40);
    for (size_t i = 0; i < 37; i++)
        for (size_t j = 0; j < 20; j++)
            assert_true(B[j * 40 + i] == A[i * 21 + j]);
    free(A);
    free(B);
}

/* A V' = V' D by rows, V V' = I, both relative to |A|; the eigenvalues
 * alone (vt NULL) equal those of the full decomposition. */
static void check_eigen(const double *A0, size_t n, const char *what)
{
    double *A = malloc(n * n * sizeof *A + 1), *d = malloc(n * sizeof *d + 1);
    double *vt = malloc(n * n * sizeof *vt + 1), *d2 = malloc(n * sizeof *d2 + 1);
    memcpy(A, A0, n * n * sizeof *A);
    if (dtb__symm_eigen(A, n, d, vt))
        fail_msg("%s: %s", what, dtb_last_error_message());
    double norm = 0;
    for (size_t i = 0; i < n * n; i++)
        norm = nan_max(norm, fabs(A0[i]));
    double residual = 0, orth = 0;
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t j = 0; j < n; j++)
                s += A0[i * n + j] * vt[k * n + j];
            residual = nan_max(residual, fabs(s - d[k] * vt[k * n + i]));
        }
        for (size_t l = 0; l < n; l++) {
            double s = 0;
            for (size_t j = 0; j < n; j++)
                s += vt[k * n + j] * vt[l * n + j];
            orth = nan_max(orth, fabs(s - (k == l)));
        }
    }
    if (!(residual <= 1e-13 * (double)n * nan_max(norm, 1e-300)) || !(orth <= 1e-13 * (double)n))
        fail_msg("%s (n %zu): residual %g (|A| %g), orthogonality %g", what, n, residual, norm, orth);
    memcpy(A, A0, n * n * sizeof *A);
    assert_int_equal(dtb__symm_eigen(A, n, d2, NULL), DTB_OK);
    for (size_t k = 0; k < n; k++)   /* the same QL steps, without the rotations */
        assert_true(d2[k] == d[k]);
    free(A);
    free(d);
    free(vt);
    free(d2);
}

/* The Gram matrix X'X of rows whose columns are scaled by 10^(-grade j / n)
 * (the product of `rows` random rows). */
static double *gram(size_t n, size_t rows, double grade, uint64_t seed)
{
    double *X = random_matrix(rows, n, seed), *G = malloc(n * n * sizeof *G + 1);
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < n; j++)
            X[r * n + j] *= pow(10.0, -grade * (double)j / (double)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t r = 0; r < rows; r++)
                s += X[r * n + i] * X[r * n + j];
            G[i * n + j] = s;
        }
    free(X);
    return G;
}

/* The centred Gram matrix of the states of a small echo-state network
 * (n nodes with positive symmetric weights scaled by their largest row sum
 * times alpha, tanh, random input into node 0, the other nodes read): its
 * states fill few dimensions, so most eigenvalues are at the rounding
 * level (1e-15 beside 10), where QL with a purely relative deflation test
 * does not converge. */
static double *echo_state_gram(size_t n, size_t T, double alpha)
{
    uint64_t seed = 5;
    double *W = malloc(n * n * sizeof *W), *x = calloc(n, sizeof *x), *y = malloc(n * sizeof *y);
    double *X = malloc(T * n * sizeof *X), *mu = calloc(n, sizeof *mu);
    const size_t p = n - 1;
    double *G = calloc(p * p, sizeof *G);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            W[i * n + j] = W[j * n + i] = uniform(&seed) + 0.5;
    double rho = 0;
    for (size_t i = 0; i < n; i++) {
        double r = 0;
        for (size_t j = 0; j < n; j++)
            r += W[i * n + j];
        rho = nan_max(rho, r);
    }
    for (size_t t = 0; t < T; t++) {
        for (size_t i = 0; i < n; i++) {
            double a = 0;
            for (size_t j = 0; j < n; j++)
                a += W[i * n + j] * x[j];
            y[i] = alpha * a / rho;
        }
        y[0] += 2 * uniform(&seed);
        for (size_t i = 0; i < n; i++)
            x[i] = X[t * n + i] = tanh(y[i]);
    }
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < n; i++)
            mu[i] += X[t * n + i] / (double)T;
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                G[i * p + j] += (X[t * n + 1 + i] - mu[1 + i]) * (X[t * n + 1 + j] - mu[1 + j]);
    free(W);
    free(x);
    free(y);
    free(X);
    free(mu);
    return G;
}

static void eigendecomposition_by_its_definition(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 6; n++) {
        double *G = gram(n, 3 * n, 0, n);
        check_eigen(G, n, "small Gram");
        free(G);
    }
    double *G = gram(120, 400, 0, 11);
    check_eigen(G, 120, "random Gram");
    free(G);
    G = gram(90, 300, 12, 12);
    check_eigen(G, 90, "graded Gram (12 decades)");
    free(G);
    /* rank 20 of 100: 80 eigenvalues at the rounding level, the case where
     * a purely relative deflation test stalls */
    G = gram(100, 20, 0, 13);
    check_eigen(G, 100, "rank-deficient Gram");
    free(G);
    G = echo_state_gram(60, 600, 0.5);
    check_eigen(G, 59, "echo-state Gram");
    free(G);
    /* an indefinite matrix with repeated eigenvalues: a diagonal block and
     * an exactly tridiagonal part (reflections of zero) */
    const size_t n = 9;
    double A[81] = {0};
    for (size_t i = 0; i < n; i++) {
        A[i * n + i] = i < 4 ? 2.0 : -1.0 * (double)i;
        if (i >= 5 && i + 1 < n)
            A[i * n + i + 1] = A[(i + 1) * n + i] = 0.5;
    }
    check_eigen(A, n, "block diagonal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(product_equals_dot_products),
        cmocka_unit_test(upper_product_fills_the_upper_triangle),
        cmocka_unit_test(transpose),
        cmocka_unit_test(eigendecomposition_by_its_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
