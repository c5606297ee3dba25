/* The ensemble Kalman filter's analysis (libdtb/assimilate/enkf.c) against
 * the Kalman filter on a linear-Gaussian system: the ensemble's mean and
 * covariance approach the filter's with an error that shrinks as 1/sqrt(M);
 * the same seed gives the same numbers; localisation, inflation, bounds and
 * bad input. */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "assimilate/enkf.h"
#include "base/rng.h"

/* The system: x' = F x + q, y = H x + v, three states, two observations. */
enum { NS = 3, NO = 2, CYCLES = 3 };
static const double F[NS * NS] = {0.9, 0.2, 0.0, -0.1, 0.8, 0.1, 0.0, 0.3, 0.7};
static const double Qd[NS] = {0.05, 0.02, 0.04};           /* process noise variances */
static const double H[NO * NS] = {1.0, 0.0, 0.5, 0.0, 1.0, -0.5};
static const double R[NO] = {0.1, 0.2};
static const double mu0[NS] = {1.0, -0.5, 0.3};
static const double P0d[NS] = {0.5, 0.3, 0.4};
static const double Y[CYCLES][NO] = {{1.3, -0.2}, {0.4, 0.1}, {0.9, -0.6}};

/* The Kalman filter: mean mu and covariance P after CYCLES forecasts and
 * analyses. */
static void kalman(double mu[NS], double P[NS * NS])
{
    gsl_matrix *Pm = gsl_matrix_calloc(NS, NS), *tmp = gsl_matrix_alloc(NS, NS);
    gsl_matrix_const_view Fv = gsl_matrix_const_view_array(F, NS, NS);
    gsl_matrix_const_view Hv = gsl_matrix_const_view_array(H, NO, NS);
    gsl_vector *m = gsl_vector_alloc(NS), *mt = gsl_vector_alloc(NS);
    for (int i = 0; i < NS; i++) {
        gsl_vector_set(m, i, mu0[i]);
        gsl_matrix_set(Pm, i, i, P0d[i]);
    }
    for (int c = 0; c < CYCLES; c++) {
        gsl_blas_dgemv(CblasNoTrans, 1, &Fv.matrix, m, 0, mt);
        gsl_vector_memcpy(m, mt);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &Fv.matrix, Pm, 0, tmp);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1, tmp, &Fv.matrix, 0, Pm);
        for (int i = 0; i < NS; i++)
            gsl_matrix_set(Pm, i, i, gsl_matrix_get(Pm, i, i) + Qd[i]);
        /* S = H P H^T + R, K = P H^T S^-1 */
        gsl_matrix *PHt = gsl_matrix_alloc(NS, NO), *S = gsl_matrix_alloc(NO, NO);
        gsl_matrix *K = gsl_matrix_alloc(NS, NO), *KH = gsl_matrix_alloc(NS, NS);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1, Pm, &Hv.matrix, 0, PHt);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &Hv.matrix, PHt, 0, S);
        for (int j = 0; j < NO; j++)
            gsl_matrix_set(S, j, j, gsl_matrix_get(S, j, j) + R[j]);
        gsl_linalg_cholesky_decomp1(S);
        gsl_linalg_cholesky_invert(S);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, PHt, S, 0, K);
        gsl_vector *d = gsl_vector_alloc(NO);
        for (int j = 0; j < NO; j++)
            gsl_vector_set(d, j, Y[c][j]);
        gsl_blas_dgemv(CblasNoTrans, -1, &Hv.matrix, m, 1, d);
        gsl_blas_dgemv(CblasNoTrans, 1, K, d, 1, m);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, K, &Hv.matrix, 0, KH);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1, KH, Pm, 0, tmp);
        gsl_matrix_add(Pm, tmp);
        gsl_matrix_free(PHt);
        gsl_matrix_free(S);
        gsl_matrix_free(K);
        gsl_matrix_free(KH);
        gsl_vector_free(d);
    }
    for (int i = 0; i < NS; i++) {
        mu[i] = gsl_vector_get(m, i);
        for (int j = 0; j < NS; j++)
            P[i * NS + j] = gsl_matrix_get(Pm, i, j);
    }
    gsl_matrix_free(Pm);
    gsl_matrix_free(tmp);
    gsl_vector_free(m);
    gsl_vector_free(mt);
}

/* The same with an ensemble of m members; X is NS x m. */
static void ensemble(dtb__enkf_method method, size_t m, uint64_t seed, double *X)
{
    dtb__rng rng;
    dtb__rng_seed(&rng, seed);
    for (int i = 0; i < NS; i++)
        for (size_t k = 0; k < m; k++)
            X[i * m + k] = mu0[i] + sqrt(P0d[i]) * dtb__rng_normal(&rng);
    double *HX = malloc(NO * m * sizeof *HX), *Xn = malloc(NS * m * sizeof *Xn);
    dtb__enkf_config c = {.method = method, .inflation = 1.0};
    for (int cy = 0; cy < CYCLES; cy++) {
        for (int i = 0; i < NS; i++)
            for (size_t k = 0; k < m; k++) {
                double v = sqrt(Qd[i]) * dtb__rng_normal(&rng);
                for (int j = 0; j < NS; j++)
                    v += F[i * NS + j] * X[j * m + k];
                Xn[i * m + k] = v;
            }
        memcpy(X, Xn, NS * m * sizeof *X);
        for (int j = 0; j < NO; j++)
            for (size_t k = 0; k < m; k++) {
                double v = 0;
                for (int i = 0; i < NS; i++)
                    v += H[j * NS + i] * X[i * m + k];
                HX[j * m + k] = v;
            }
        assert_int_equal(dtb__enkf_analyse(&c, X, NS, m, HX, Y[cy], R, NO, &rng), DTB_OK);
    }
    free(HX);
    free(Xn);
}

/* Squared distance of the ensemble's mean and covariance from the filter's. */
static void ensemble_error(const double *X, size_t m, const double *mu, const double *P,
                           double *mean_err2, double *cov_err2)
{
    double xm[NS];
    for (int i = 0; i < NS; i++) {
        double sd;
        dtb__ensemble_row_stats(X, m, (size_t)i, &xm[i], &sd);
    }
    double e1 = 0, e2 = 0;
    for (int i = 0; i < NS; i++) {
        e1 += (xm[i] - mu[i]) * (xm[i] - mu[i]);
        for (int j = 0; j < NS; j++) {
            double c = 0;
            for (size_t k = 0; k < m; k++)
                c += (X[i * m + k] - xm[i]) * (X[j * m + k] - xm[j]);
            c /= (double)(m - 1);
            e2 += (c - P[i * NS + j]) * (c - P[i * NS + j]);
        }
    }
    *mean_err2 = e1;
    *cov_err2 = e2;
}

/* Root mean square errors over `reps` independent ensembles of m members. */
static void rms_errors(dtb__enkf_method method, size_t m, int reps, double *mean_rms,
                       double *cov_rms)
{
    double mu[NS], P[NS * NS];
    kalman(mu, P);
    double *X = malloc(NS * m * sizeof *X), s1 = 0, s2 = 0;
    for (int r = 0; r < reps; r++) {
        ensemble(method, m, 1000u + (uint64_t)r, X);
        double e1, e2;
        ensemble_error(X, m, mu, P, &e1, &e2);
        s1 += e1;
        s2 += e2;
    }
    free(X);
    *mean_rms = sqrt(s1 / reps);
    *cov_rms = sqrt(s2 / reps);
}

/* Quadrupling M halves the error (1/sqrt(M)): the ratios lie in
 * [0.35, 0.7] — a bias that did not shrink would keep the ratio near 1, a
 * broken filter would not get small at all. */
static void check_convergence(dtb__enkf_method method, const char *name)
{
    const size_t ms[3] = {16, 64, 256};
    double me[3], ce[3];
    for (int i = 0; i < 3; i++)
        rms_errors(method, ms[i], 80, &me[i], &ce[i]);
    print_message("%s: mean error %.4f %.4f %.4f, covariance error %.4f %.4f %.4f\n", name,
                  me[0], me[1], me[2], ce[0], ce[1], ce[2]);
    for (int i = 0; i < 2; i++) {
        const double rm = me[i + 1] / me[i], rc = ce[i + 1] / ce[i];
        assert_true(rm > 0.35 && rm < 0.7);
        assert_true(rc > 0.35 && rc < 0.7);
    }
    /* and at 256 members the ensemble is close: within a few percent of the
     * filter's spread */
    assert_true(me[2] < 0.08);
    assert_true(ce[2] < 0.04);
}

static void test_stochastic_converges_to_kalman(void **state)
{
    (void)state;
    check_convergence(DTB__ENKF_STOCHASTIC, "stochastic EnKF");
}

static void test_etkf_converges_to_kalman(void **state)
{
    (void)state;
    check_convergence(DTB__ENKF_ETKF, "ETKF");
}

/* The ETKF's analysis has exactly the Kalman update of the ensemble's own
 * (sample) covariance: mean x̄ + K d and covariance (I - K H) P. */
static void test_etkf_is_the_kalman_update_of_the_sample(void **state)
{
    (void)state;
    enum { M = 12 };
    double X[NS * M], HX[NO * M];
    dtb__rng rng;
    dtb__rng_seed(&rng, 7);
    for (int i = 0; i < NS * M; i++)
        X[i] = dtb__rng_normal(&rng);
    for (int j = 0; j < NO; j++)
        for (int k = 0; k < M; k++) {
            double v = 0;
            for (int i = 0; i < NS; i++)
                v += H[j * NS + i] * X[i * M + k];
            HX[j * M + k] = v;
        }
    /* the sample's Kalman update */
    double xm[NS], P[NS * NS], sd;
    for (int i = 0; i < NS; i++)
        dtb__ensemble_row_stats(X, M, (size_t)i, &xm[i], &sd);
    for (int i = 0; i < NS; i++)
        for (int j = 0; j < NS; j++) {
            double c = 0;
            for (int k = 0; k < M; k++)
                c += (X[i * M + k] - xm[i]) * (X[j * M + k] - xm[j]);
            P[i * NS + j] = c / (M - 1);
        }
    gsl_matrix_view Pv = gsl_matrix_view_array(P, NS, NS);
    gsl_matrix_const_view Hv = gsl_matrix_const_view_array(H, NO, NS);
    gsl_matrix *PHt = gsl_matrix_alloc(NS, NO), *S = gsl_matrix_alloc(NO, NO);
    gsl_matrix *K = gsl_matrix_alloc(NS, NO), *Pa = gsl_matrix_alloc(NS, NS);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1, &Pv.matrix, &Hv.matrix, 0, PHt);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &Hv.matrix, PHt, 0, S);
    for (int j = 0; j < NO; j++)
        gsl_matrix_set(S, j, j, gsl_matrix_get(S, j, j) + R[j]);
    gsl_linalg_cholesky_decomp1(S);
    gsl_linalg_cholesky_invert(S);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, PHt, S, 0, K);
    gsl_matrix_memcpy(Pa, &Pv.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1, K, PHt, 1, Pa);   /* P - K H P */
    double mu[NS];
    for (int i = 0; i < NS; i++) {
        mu[i] = xm[i];
        for (int j = 0; j < NO; j++) {
            double hx = 0;
            for (int l = 0; l < NS; l++)
                hx += H[j * NS + l] * xm[l];
            mu[i] += gsl_matrix_get(K, i, j) * (Y[0][j] - hx);
        }
    }
    dtb__enkf_config c = {.method = DTB__ENKF_ETKF};
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, M, HX, Y[0], R, NO, NULL), DTB_OK);
    double e1, e2;
    ensemble_error(X, M, mu, Pa->data, &e1, &e2);
    assert_true(sqrt(e1) < 1e-12);
    assert_true(sqrt(e2) < 1e-12);
    gsl_matrix_free(PHt);
    gsl_matrix_free(S);
    gsl_matrix_free(K);
    gsl_matrix_free(Pa);
}

static void test_same_seed_same_numbers(void **state)
{
    (void)state;
    enum { M = 30 };
    double a[NS * M], b[NS * M], c[NS * M];
    ensemble(DTB__ENKF_STOCHASTIC, M, 42, a);
    ensemble(DTB__ENKF_STOCHASTIC, M, 42, b);
    ensemble(DTB__ENKF_STOCHASTIC, M, 43, c);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    ensemble(DTB__ENKF_ETKF, M, 42, a);
    ensemble(DTB__ENKF_ETKF, M, 42, b);
    assert_memory_equal(a, b, sizeof a);
}

static void test_gaspari_cohn(void **state)
{
    (void)state;
    assert_true(fabs(dtb__gaspari_cohn(0, 2) - 1) < 1e-15);
    assert_true(fabs(dtb__gaspari_cohn(2, 2) - 5.0 / 24.0) < 1e-14);
    assert_true(fabs(dtb__gaspari_cohn(4, 2)) < 1e-14);
    assert_true(dtb__gaspari_cohn(5, 2) == 0);
    /* continuous at c from both sides, and decreasing */
    assert_true(fabs(dtb__gaspari_cohn(2 - 1e-9, 2) - dtb__gaspari_cohn(2 + 1e-9, 2)) < 1e-8);
    double prev = 2;
    for (double d = 0; d <= 4; d += 0.01) {
        double v = dtb__gaspari_cohn(d, 2);
        assert_true(v <= prev + 1e-15 && v >= -1e-15);
        prev = v;
    }
}

static void test_bounds_transform(void **state)
{
    (void)state;
    for (double v = 0.51; v < 2.0; v += 0.1) {
        double z = dtb__bounded_to_real(v, 0.5, 2.0);
        assert_true(fabs(dtb__real_to_bounded(z, 0.5, 2.0) - v) < 1e-12);
    }
    assert_true(dtb__real_to_bounded(800, 0.5, 2.0) <= 2.0);
    assert_true(dtb__real_to_bounded(-800, 0.5, 2.0) >= 0.5);
    assert_true(isfinite(dtb__real_to_bounded(-800, 0.5, 2.0)));
}

/* Two sites 10 apart; state 0 and observation 0 at site 0, state 1 and
 * observation 1 at site 1, state 2 global. With a radius far larger than
 * 10 the analysis is the unlocalised one; with a radius below 5 the
 * states at a site see only their own site's observation. */
static void test_localisation(void **state)
{
    (void)state;
    enum { M = 20 };
    const double dist[4] = {0, 10, 10, 0};
    const int64_t ss[NS] = {0, 1, -1}, os[NO] = {0, 1};
    double X0[NS * M], HX[NO * M];
    dtb__rng rng;
    dtb__rng_seed(&rng, 3);
    for (int i = 0; i < NS * M; i++)
        X0[i] = dtb__rng_normal(&rng);
    for (int j = 0; j < NO; j++)
        for (int k = 0; k < M; k++)
            HX[j * M + k] = X0[j * M + k] + 0.3 * X0[2 * M + k];
    for (int meth = 0; meth < 2; meth++) {
        double a[NS * M], b[NS * M];
        dtb__enkf_config plain = {.method = (dtb__enkf_method)meth};
        dtb__enkf_config wide = {.method = (dtb__enkf_method)meth, .distance = dist,
                                 .n_sites = 2, .state_site = ss, .obs_site = os,
                                 .radius = 1e6};
        memcpy(a, X0, sizeof a);
        memcpy(b, X0, sizeof b);
        dtb__rng r1, r2;
        dtb__rng_seed(&r1, 9);
        dtb__rng_seed(&r2, 9);
        assert_int_equal(dtb__enkf_analyse(&plain, a, NS, M, HX, Y[0], R, NO, &r1), DTB_OK);
        assert_int_equal(dtb__enkf_analyse(&wide, b, NS, M, HX, Y[0], R, NO, &r2), DTB_OK);
        double worst = 0;
        for (int i = 0; i < NS * M; i++)
            worst = nan_max(worst, fabs(a[i] - b[i]));
        assert_true(worst < 1e-9);
        /* narrow: observation 1 alone moves the ETKF's state 1; with the
         * observation 0 changed, state 1 keeps the same analysis */
        dtb__enkf_config narrow = wide;
        narrow.radius = 4;
        double y2[NO] = {Y[0][0] + 5, Y[0][1]};
        memcpy(a, X0, sizeof a);
        memcpy(b, X0, sizeof b);
        dtb__rng_seed(&r1, 9);
        dtb__rng_seed(&r2, 9);
        assert_int_equal(dtb__enkf_analyse(&narrow, a, NS, M, HX, Y[0], R, NO, &r1), DTB_OK);
        assert_int_equal(dtb__enkf_analyse(&narrow, b, NS, M, HX, y2, R, NO, &r2), DTB_OK);
        worst = 0;
        for (int k = 0; k < M; k++)
            worst = nan_max(worst, fabs(a[1 * M + k] - b[1 * M + k]));
        assert_true(worst < 1e-9);
        /* ... while state 0 and the global state 2 do move */
        assert_true(fabs(a[0] - b[0]) > 1e-3);
        assert_true(fabs(a[2 * M] - b[2 * M]) > 1e-3);
    }
}

/* Inflation λ with an uninformative observation (huge variance): the ETKF
 * returns the forecast with its spread multiplied by sqrt(λ). */
static void test_inflation(void **state)
{
    (void)state;
    enum { M = 16 };
    double X[NS * M], X0[NS * M], HX[NO * M];
    dtb__rng rng;
    dtb__rng_seed(&rng, 5);
    for (int i = 0; i < NS * M; i++)
        X0[i] = dtb__rng_normal(&rng);
    memcpy(HX, X0, sizeof HX);
    memcpy(X, X0, sizeof X);
    const double big[NO] = {1e30, 1e30};
    dtb__enkf_config c = {.method = DTB__ENKF_ETKF, .inflation = 1.44};
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, M, HX, Y[0], big, NO, NULL), DTB_OK);
    for (int i = 0; i < NS; i++) {
        double m0, s0, m1, s1;
        dtb__ensemble_row_stats(X0, M, (size_t)i, &m0, &s0);
        dtb__ensemble_row_stats(X, M, (size_t)i, &m1, &s1);
        assert_true(fabs(m1 - m0) < 1e-9);
        assert_true(fabs(s1 / s0 - 1.2) < 1e-9);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    enum { M = 4 };
    double X[NS * M] = {0}, HX[NO * M] = {0};
    for (int i = 0; i < NS * M; i++)
        X[i] = i;
    for (int i = 0; i < NO * M; i++)
        HX[i] = i * 0.5;
    double before[NS * M];
    memcpy(before, X, sizeof X);
    dtb__rng rng;
    dtb__rng_seed(&rng, 1);
    dtb__enkf_config c = {.method = DTB__ENKF_STOCHASTIC};
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, 1, HX, Y[0], R, NO, &rng), DTB_EINVAL);
    assert_error_contains("1 members, at least 2");
    c.inflation = 0.5;
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, M, HX, Y[0], R, NO, &rng), DTB_EINVAL);
    assert_error_contains("inflation 0.5");
    c.inflation = 1;
    const double r0[NO] = {0.1, 0};
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, M, HX, Y[0], r0, NO, &rng), DTB_EINVAL);
    assert_error_contains("observation 1");
    const double ynan[NO] = {NAN, 0};
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, M, HX, ynan, R, NO, &rng), DTB_EINVAL);
    assert_error_contains("observation 0 is nan");
    HX[5] = INFINITY;
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, M, HX, Y[0], R, NO, &rng), DTB_ENUMERIC);
    assert_error_contains("member 1 predicts inf");
    HX[5] = 0;
    assert_int_equal(dtb__enkf_analyse(&c, X, NS, M, HX, Y[0], R, NO, NULL), DTB_EINVAL);
    const double dist[1] = {0};
    const int64_t ss[NS] = {0, 0, 3}, os[NO] = {0, 0};
    dtb__enkf_config loc = {.method = DTB__ENKF_ETKF, .distance = dist, .n_sites = 1,
                            .state_site = ss, .obs_site = os, .radius = 1};
    assert_int_equal(dtb__enkf_analyse(&loc, X, NS, M, HX, Y[0], R, NO, NULL), DTB_EINVAL);
    assert_error_contains("state element 2 at site 3");
    loc.radius = 0;
    assert_int_equal(dtb__enkf_analyse(&loc, X, NS, M, HX, Y[0], R, NO, NULL), DTB_EINVAL);
    assert_error_contains("radius 0");
    assert_memory_equal(X, before, sizeof X);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etkf_is_the_kalman_update_of_the_sample),
        cmocka_unit_test(test_stochastic_converges_to_kalman),
        cmocka_unit_test(test_etkf_converges_to_kalman),
        cmocka_unit_test(test_same_seed_same_numbers),
        cmocka_unit_test(test_gaspari_cohn),
        cmocka_unit_test(test_bounds_transform),
        cmocka_unit_test(test_localisation),
        cmocka_unit_test(test_inflation),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
