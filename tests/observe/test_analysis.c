/* Analyses on arrays: FC and covariance against direct computations, fit
 * scores, KL and KS distances, Welch PSD (peak and Parseval for a pure
 * sinusoid; SciPy's numbers), band-pass filter and Hilbert phase against
 * SciPy, Kuramoto order and metastability, and FCD on small cases worked
 * out by hand. Reference numbers from SciPy 1.10.1 are quoted with the
 * script line that produced them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "dtb/dtb.h"
#include "test_util.h"

#define PI 3.14159265358979323846

static void test_fc_and_covariance(void **state)
{
    (void)state;
    /* Three signals over five samples; the third is constant. */
    const double x[] = {1, 2, 5, 2, 4, 5, 3, 5, 5, 4, 9, 5, 5, 9, 5};
    double fc[9], cov[9];
    assert_int_equal(dtb_analysis_fc(fc, x, 5, 3), DTB_OK);
    assert_int_equal(dtb_analysis_covariance(cov, x, 5, 3), DTB_OK);
    /* Direct: a = 1..5 (mean 3), b = 2,4,5,9,9 (mean 5.8). */
    double sab = 0, saa = 0, sbb = 0;
    for (int t = 0; t < 5; t++) {
        double da = x[t * 3] - 3, db = x[t * 3 + 1] - 5.8;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    assert_float_equal(fc[1], sab / sqrt(saa * sbb), 1e-15);
    assert_float_equal(fc[3], fc[1], 0);
    assert_float_equal(fc[0], 1, 1e-15);
    assert_true(isnan(fc[2]) && isnan(fc[8]) && isnan(fc[5]));
    assert_float_equal(cov[0], saa / 4, 1e-15);
    assert_float_equal(cov[1], sab / 4, 1e-15);
    assert_float_equal(cov[8], 0, 0);
    /* The streaming accumulator agrees with the two-pass computation. */
    dtb__fc_acc acc;
    assert_int_equal(dtb__fc_acc_init(&acc, 3), DTB_OK);
    for (int t = 0; t < 5; t++)
        dtb__fc_acc_push(&acc, x + t * 3);
    double s[9];
    dtb__fc_acc_result(&acc, s, 0);
    assert_float_equal(s[1], fc[1], 1e-14);
    assert_true(isnan(s[2]));
    dtb__fc_acc_result(&acc, s, 1);
    assert_float_equal(s[1], cov[1], 1e-13);
    dtb__fc_acc_free(&acc);
    assert_int_equal(dtb_analysis_fc(fc, x, 1, 3), DTB_EINVAL);
    assert_error_contains("at least 2 samples");
    assert_int_equal(dtb_analysis_fc(NULL, x, 5, 3), DTB_EINVAL);
}

static void test_fit_scores(void **state)
{
    (void)state;
    const double a[] = {1, 0.5, 0.2, 0.5, 1, -0.3, 0.2, -0.3, 1};
    double b[9], r;
    for (int k = 0; k < 9; k++)
        b[k] = k % 4 == 0 ? 1 : -a[k];
    assert_int_equal(dtb_analysis_fc_fit(&r, a, a, 3), DTB_OK);
    assert_float_equal(r, 1, 1e-15);
    assert_int_equal(dtb_analysis_fc_fit(&r, a, b, 3), DTB_OK);
    assert_float_equal(r, -1, 1e-15);
    assert_int_equal(dtb_analysis_fc_fit(&r, a, b, 2), DTB_EINVAL);

    /* KL: p = (1/2, 1/2), q = (1/4, 3/4): (1/4 ln 2 - 1/4 ln(2/3)) / 2 = ln(3) / 8. */
    const double p[] = {0.5, 0.5}, q[] = {0.25, 0.75}, q3[] = {1, 3};
    double kl;
    assert_int_equal(dtb_analysis_kl_divergence(&kl, p, q, 2, 0), DTB_OK);
    assert_float_equal(kl, log(3) / 8, 1e-15);
    assert_int_equal(dtb_analysis_kl_divergence(&kl, p, q3, 2, DTB_ANALYSIS_KL_NORMALIZE), DTB_OK);
    assert_float_equal(kl, log(3) / 8, 1e-15);
    assert_int_equal(dtb_analysis_kl_divergence(&kl, p, p, 2, 0), DTB_OK);
    assert_float_equal(kl, 0, 0);
    const double neg[] = {0.5, -0.5};
    assert_int_equal(dtb_analysis_kl_divergence(&kl, p, neg, 2, 0), DTB_EINVAL);
    assert_error_contains("value 1 of q is -0.5");

    const double u[] = {1, 2, 3, 4}, v[] = {3, 4, 5, 6}, w[] = {10, 11};
    double ks;
    assert_int_equal(dtb_analysis_ks_distance(&ks, u, 4, u, 4), DTB_OK);
    assert_float_equal(ks, 0, 0);
    assert_int_equal(dtb_analysis_ks_distance(&ks, u, 4, v, 4), DTB_OK);
    assert_float_equal(ks, 0.5, 1e-15);
    assert_int_equal(dtb_analysis_ks_distance(&ks, u, 4, w, 2), DTB_OK);
    assert_float_equal(ks, 1, 0);
    assert_int_equal(dtb_analysis_ks_distance(&ks, u, 0, w, 2), DTB_EINVAL);

    /* FCD fit: the upper triangles {0.2, 0.4, 0.6} against {0.2, 0.4, 0.9}. */
    const double f1[] = {1, 0.2, 0.4, 0.2, 1, 0.6, 0.4, 0.6, 1};
    const double f2[] = {1, 0.2, 0.4, 0.2, 1, 0.9, 0.4, 0.9, 1};
    assert_int_equal(dtb_analysis_fcd_fit(&ks, f1, 3, f2, 3), DTB_OK);
    assert_float_equal(ks, 1.0 / 3, 1e-15);
}

/* The test signal of the SciPy references: 100 Hz, 400 samples,
 * sin(2 pi 3 t) + 0.5 sin(2 pi 20 t) + 0.3 cos(2 pi 0.7 t) + 0.01 t. */
static void reference_signal(double *x)
{
    for (int k = 0; k < 400; k++) {
        double t = k / 100.0;
        x[k] = sin(2 * PI * 3 * t) + 0.5 * sin(2 * PI * 20 * t) + 0.3 * cos(2 * PI * 0.7 * t) +
               0.01 * t;
    }
}

static void test_psd(void **state)
{
    (void)state;
    /* A pure sinusoid of amplitude 2 at 12.5 Hz (a bin of 256 samples at
     * 100 Hz): the peak is at 12.5 Hz and the spectrum holds its power A^2/2. */
    const size_t T = 4096;
    double *x = malloc(T * sizeof *x);
    for (size_t k = 0; k < T; k++)
        x[k] = 2 * sin(2 * PI * 12.5 * (double)k / 100.0);
    size_t nf;
    assert_int_equal(dtb_analysis_psd(NULL, NULL, 0, &nf, x, T, 1, 0.01, NULL), DTB_OK);
    assert_int_equal(nf, 129);
    double f[129], p[129];
    double small[3];
    assert_int_equal(dtb_analysis_psd(NULL, small, 3, &nf, x, T, 1, 0.01, NULL), DTB_EBUFSIZE);
    assert_int_equal(dtb_analysis_psd(f, p, 129, &nf, x, T, 1, 0.01, NULL), DTB_OK);
    size_t peak = 0;
    double power = 0;
    for (size_t k = 0; k < nf; k++) {
        if (p[k] > p[peak])
            peak = k;
        power += p[k] * (f[1] - f[0]);
    }
    assert_float_equal(f[peak], 12.5, 1e-12);
    assert_float_equal(power, 2.0, 1e-9);
    free(x);

    /* SciPy: f, p = signal.welch(x, fs=100, nperseg=128) on the reference signal. */
    double y[400];
    reference_signal(y);
    dtb_psd_options o = DTB_PSD_OPTIONS_INIT;
    o.segment = 128;
    double f2[65], p2[65];
    assert_int_equal(dtb_analysis_psd(f2, p2, 65, &nf, y, 400, 1, 0.01, &o), DTB_OK);
    assert_int_equal(nf, 65);
    static const struct { int k; double p; } ref[] = {
        {0, 0.0077004750657349115}, {1, 0.03474759845189668}, {3, 0.16377923996626836},
        {8, 2.1401846258324456e-06}, {25, 0.06629284352336197}, {64, 2.5682608880912365e-12}};
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        assert_float_equal(p2[ref[i].k], ref[i].p, 1e-12 * nan_max(1, ref[i].p) + 1e-15);
    assert_float_equal(f2[25], 19.53125, 1e-12);
    o.overlap = 200;
    assert_int_equal(dtb_analysis_psd(f2, p2, 65, &nf, y, 400, 1, 0.01, &o), DTB_EINVAL);
    assert_error_contains("overlap 200");
}

static void test_bandpass_and_hilbert(void **state)
{
    (void)state;
    double x[400], y[400];
    reference_signal(x);
    /* SciPy: filtfilt(*butter(2, [2, 5], 'band', fs=100), x). */
    assert_int_equal(dtb_analysis_bandpass(y, x, 400, 1, 0.01, 2, 5, 0), DTB_OK);
    static const struct { int k; double y; } o2[] = {
        {0, 0.015688364318232086}, {1, 0.18395996386461796}, {57, -0.9760815484031617},
        {200, -0.0005340869492309966}, {398, -0.07360513251919161}, {399, -0.014468524285086451}};
    for (size_t i = 0; i < sizeof o2 / sizeof o2[0]; i++)
        assert_float_equal(y[o2[i].k], o2[i].y, 1e-9);
    /* Order 3 (a real prototype pole), in place. */
    memcpy(y, x, sizeof y);
    assert_int_equal(dtb_analysis_bandpass(y, y, 400, 1, 0.01, 2, 5, 3), DTB_OK);
    static const struct { int k; double y; } o3[] = {
        {0, 0.03592010197733504}, {57, -0.9657573579615285}, {200, 0.000955378081040814},
        {399, -0.07128639304465963}};
    for (size_t i = 0; i < sizeof o3 / sizeof o3[0]; i++)
        assert_float_equal(y[o3[i].k], o3[i].y, 1e-9);
    assert_int_equal(dtb_analysis_bandpass(y, x, 400, 1, 0.01, 5, 2, 2), DTB_EINVAL);
    assert_error_contains("f_lo < f_hi");
    assert_int_equal(dtb_analysis_bandpass(y, x, 400, 1, 0.01, 2, 60, 2), DTB_EINVAL);
    assert_int_equal(dtb_analysis_bandpass(y, x, 10, 1, 0.01, 2, 5, 2), DTB_EINVAL);
    assert_error_contains("more than 15 samples");

    /* SciPy: np.angle(signal.hilbert(x)). */
    assert_int_equal(dtb_analysis_hilbert_phase(y, x, 400, 1), DTB_OK);
    static const struct { int k; double y; } h[] = {
        {0, -1.4079706009098967}, {13, 1.1245367284509824}, {200, -1.7361573740528389},
        {399, -1.920993126181398}};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        assert_float_equal(y[h[i].k], h[i].y, 1e-11);
}

static void test_synchrony(void **state)
{
    (void)state;
    /* Sample 0: phases 0, pi/2 -> R = 1/sqrt 2; sample 1: 0, pi -> 0;
     * sample 2: equal phases -> 1. */
    const double ph[] = {0, PI / 2, 0, PI, 1.5, 1.5};
    double R[3], meta, sync;
    assert_int_equal(dtb_analysis_kuramoto_order(R, ph, 3, 2), DTB_OK);
    assert_float_equal(R[0], sqrt(0.5), 1e-15);
    assert_float_equal(R[1], 0, 1e-15);
    assert_float_equal(R[2], 1, 1e-15);
    assert_int_equal(dtb_analysis_metastability(&meta, &sync, ph, 3, 2), DTB_OK);
    double mean = (sqrt(0.5) + 1) / 3;
    double var = (pow(sqrt(0.5) - mean, 2) + mean * mean + pow(1 - mean, 2)) / 3;
    assert_float_equal(sync, mean, 1e-15);
    assert_float_equal(meta, sqrt(var), 1e-15);
    assert_int_equal(dtb_analysis_metastability(&meta, NULL, ph, 0, 2), DTB_EINVAL);
}

static void test_fcd_by_hand(void **state)
{
    (void)state;
    /* Three signals, two windows of 4 samples (dt 1 s). Window A: all three
     * equal (FC upper triangle 1, 1, 1); window B: the third is the negative
     * (1, -1, -1). Cosine of the two: -1/3. */
    const double s[] = {1, -1, 1, -1};
    double x[8 * 3];
    for (int t = 0; t < 8; t++) {
        double a = s[t % 4];
        x[t * 3] = x[t * 3 + 1] = a;
        x[t * 3 + 2] = t < 4 ? a : -a;
    }
    dtb_fcd_options o = DTB_FCD_OPTIONS_INIT;
    o.window = 4;
    o.step = 4;
    o.compare = DTB_FCD_COMPARE_COSINE_UT;
    size_t nw;
    assert_int_equal(dtb_analysis_fcd(NULL, 0, &nw, x, 8, 3, 1.0, &o), DTB_OK);
    assert_int_equal(nw, 2);
    double fcd[4];
    assert_int_equal(dtb_analysis_fcd(fcd, 3, &nw, x, 8, 3, 1.0, &o), DTB_EBUFSIZE);
    assert_int_equal(dtb_analysis_fcd(fcd, 4, &nw, x, 8, 3, 1.0, &o), DTB_OK);
    assert_float_equal(fcd[0], 1, 1e-15);
    assert_float_equal(fcd[1], -1.0 / 3, 1e-15);
    assert_float_equal(fcd[2], -1.0 / 3, 1e-15);
    /* Pearson of (1,1,1) is undefined: a constant vector. */
    o.compare = DTB_FCD_COMPARE_PEARSON_UT;
    assert_int_equal(dtb_analysis_fcd(fcd, 4, &nw, x, 8, 3, 1.0, &o), DTB_OK);
    assert_true(isnan(fcd[1]));
    /* Leading eigenvectors: |v| = (1,1,1)/sqrt 3 in both windows. */
    o.compare = DTB_FCD_COMPARE_COSINE_LEADING;
    assert_int_equal(dtb_analysis_fcd(fcd, 4, &nw, x, 8, 3, 1.0, &o), DTB_OK);
    assert_float_equal(fcd[1], 1, 1e-12);

    /* MTD of a = (0,1,0,1) and c = -a: differences (1,-1,1) and their
     * negatives, standard deviation sqrt(8/9) each, mean product -1:
     * MTD = -1 / (8/9) = -9/8. */
    double w[4 * 2] = {0, 0, 1, -1, 0, 0, 1, -1}, fc[4];
    assert_int_equal(dtb__fcd_window_fc(DTB_FCD_METHOD_MTD, w, 4, 2, fc), DTB_OK);
    assert_float_equal(fc[1], -9.0 / 8, 1e-15);
    assert_float_equal(fc[0], 9.0 / 8, 1e-15);
    /* Phase coherence: in phase 1, in anti-phase -1. */
    double ph[64 * 2];
    for (int t = 0; t < 64; t++) {
        ph[2 * t] = cos(2 * PI * 4 * t / 64.0);
        ph[2 * t + 1] = -ph[2 * t];
    }
    assert_int_equal(dtb__fcd_window_fc(DTB_FCD_METHOD_PHASE, ph, 64, 2, fc), DTB_OK);
    assert_float_equal(fc[0], 1, 1e-12);
    assert_float_equal(fc[1], -1, 1e-9);

    o.window = 100;
    assert_int_equal(dtb_analysis_fcd(fcd, 4, &nw, x, 8, 3, 1.0, &o), DTB_EINVAL);
    assert_error_contains("longer than the recording");
    o.window = 4;
    o.method = 9;
    assert_int_equal(dtb_analysis_fcd(fcd, 4, &nw, x, 8, 3, 1.0, &o), DTB_EINVAL);
    assert_error_contains("unknown method 9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fc_and_covariance), cmocka_unit_test(test_fit_scores),
        cmocka_unit_test(test_psd),               cmocka_unit_test(test_bandpass_and_hilbert),
        cmocka_unit_test(test_synchrony),         cmocka_unit_test(test_fcd_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
