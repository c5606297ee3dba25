/* Projections (EEG/MEG/SEEG): one active region gives exactly that column
 * of the gain matrix (from memory, text and NPY files); observation noise;
 * and the built-in lead field: the closed form at the centre of a
 * homogeneous sphere, mirror symmetry, decay with depth, skull attenuation,
 * and the default bn246 atlas with no extra files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/npy.h"
#include "observe_util.h"
#include "test_util.h"

#define PI 3.14159265358979323846

static const double gain[2 * 3] = {0.5, -1.25, 3.0, 2.0, 0.75, -0.1};

/* Region 1 alone is active (x = 2 constantly): the sensors read 2 x column 1. */
static void check_single_region(dtb_observer_options *o, double scale)
{
    const double base[] = {0, 2, 0}, amp[] = {0, 0, 0};
    dtb_atlas *atlas = isolated_atlas(3);
    dtb_sim *sim = driven_sim(atlas, 1e-4, NULL, base, amp, NULL);
    o->kind = DTB_OBSERVER_PROJECTION;
    o->period = 1e-3;
    dtb_observer *eeg;
    assert_int_equal(dtb_observer_create(&eeg, sim, o), DTB_OK);
    assert_int_equal(dtb_observer_column_count(eeg), 2);
    assert_string_equal(dtb_observer_column_name(eeg, 1), "sensor.1");
    assert_string_equal(dtb_observer_kind_name(eeg), "projection");
    assert_int_equal(dtb_sim_run(sim, 0.01, NULL, NULL), DTB_OK);
    double *t, *v;
    size_t n = read_all(eeg, &t, &v);
    assert_int_equal(n, 10);
    assert_float_equal(t[0], 0.5e-3, 1e-15);
    for (size_t s = 0; s < n; s++)
        for (int e = 0; e < 2; e++)
            assert_float_equal(v[s * 2 + e], 2 * scale * gain[e * 3 + 1], 1e-14);
    free(t);
    free(v);
    dtb_observer_free(eeg);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_gain_sources(void **state)
{
    (void)state;
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.gain = gain;
    o.gain_rows = 2;
    check_single_region(&o, 1);

    char txt[4096], npy[4096];
    snprintf(txt, sizeof txt, "%s/gain.txt", test_tmpdir());
    FILE *f = fopen(txt, "w");
    fprintf(f, "# sensors x regions\n0.5 -1.25 3\n2 0.75 -0.1\n");
    fclose(f);
    dtb_observer_options_init(&o, DTB_OBSERVER_OPTIONS_VERSION);
    o.gain_path = txt;
    check_single_region(&o, 1);

    snprintf(npy, sizeof npy, "%s/gain.npy", test_tmpdir());
    dtb__npy_writer w;
    assert_int_equal(dtb__npy_open(&w, npy, 3), DTB_OK);
    assert_int_equal(dtb__npy_write_row(&w, gain), DTB_OK);
    assert_int_equal(dtb__npy_write_row(&w, gain + 3), DTB_OK);
    assert_int_equal(dtb__npy_close(&w), DTB_OK);
    o.gain_path = npy;
    check_single_region(&o, 1);

    /* A transposed file, a missing file, both gain and file. */
    f = fopen(txt, "w");
    fprintf(f, "1 2\n3 4\n5 6\n");
    fclose(f);
    dtb_atlas *atlas = isolated_atlas(3);
    dtb_sim *sim = driven_sim(atlas, 1e-4, NULL, NULL, NULL, NULL);
    dtb_observer *bad;
    o.kind = DTB_OBSERVER_PROJECTION;
    o.gain_path = txt;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    assert_error_contains("is it transposed?");
    o.gain_path = "/nonexistent/gain.txt";
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_ENOTFOUND);
    o.gain = gain;
    o.gain_rows = 2;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    assert_error_contains("not both");
    /* No centres in this atlas: no built-in lead field. */
    dtb_observer_options_init(&o, DTB_OBSERVER_OPTIONS_VERSION);
    o.kind = DTB_OBSERVER_PROJECTION;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    assert_error_contains("no region centres");
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_observation_noise(void **state)
{
    (void)state;
    const double base[] = {0, 0, 0}, amp[] = {0, 0, 0};
    dtb_atlas *atlas = isolated_atlas(3);
    dtb_sim *sim = driven_sim(atlas, 1e-4, NULL, base, amp, NULL);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_PROJECTION;
    o.gain = gain;
    o.gain_rows = 2;
    o.noise = 0.3;
    o.seed = 11;
    dtb_observer *eeg;
    assert_int_equal(dtb_observer_create(&eeg, sim, &o), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 2.0, NULL, NULL), DTB_OK);
    double *t, *v;
    size_t n = read_all(eeg, &t, &v);
    double m = 0, s2 = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        m += v[i];
        s2 += v[i] * v[i];
    }
    m /= (double)(2 * n);
    double sd = sqrt(s2 / (double)(2 * n) - m * m);
    assert_true(fabs(m) < 0.02);
    assert_true(fabs(sd - 0.3) < 0.01);
    free(t);
    free(v);
    o.noise = -1;
    dtb_observer *bad;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    dtb_observer_free(eeg);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

/* ---------------------------------------------- the built-in lead field */

static int64_t electrode(const char *name)
{
    for (int64_t e = 0; e < dtb_leadfield_sensor_count(); e++)
        if (!strcmp(dtb_leadfield_sensor_name(e), name))
            return e;
    fail_msg("no electrode %s", name);
    return -1;
}

static void test_leadfield_closed_form(void **state)
{
    (void)state;
    assert_int_equal(dtb_leadfield_sensor_count(), 21);
    assert_null(dtb_leadfield_sensor_name(21));
    /* One dipole at the centre of a homogeneous sphere of 90 mm, pointing up:
     * V = 3 p cos(g) / (4 pi sigma R^2), average-referenced. */
    const double c[3] = {10, -20, 30};
    double g[21];
    size_t needed;
    assert_int_equal(dtb_leadfield_eeg(NULL, 0, &needed, c, 1, DTB_HEAD_HOMOGENEOUS), DTB_OK);
    assert_int_equal(needed, 21);
    assert_int_equal(dtb_leadfield_eeg(g, 20, &needed, c, 1, DTB_HEAD_HOMOGENEOUS), DTB_EBUFSIZE);
    assert_int_equal(dtb_leadfield_eeg(g, 21, NULL, c, 1, DTB_HEAD_HOMOGENEOUS), DTB_OK);
    const double R = 0.09, amp = 3 / (4 * PI * 0.33 * R * R);
    /* Cz is at the top (cos g = 1), C3 at 36 degrees from it, T7 and Fpz on
     * the 10 % ring at 72 degrees. */
    double ref_mean = 0;
    double cz = g[electrode("Cz")], c3 = g[electrode("C3")], t7 = g[electrode("T7")];
    double fpz = g[electrode("Fpz")];
    assert_float_equal(cz - t7, amp * (1 - cos(72 * PI / 180)), 1e-9 * amp);
    assert_float_equal(cz - c3, amp * (1 - cos(36 * PI / 180)), 1e-9 * amp);
    assert_float_equal(fpz, t7, 1e-9 * amp);
    for (int64_t e = 0; e < 21; e++)
        ref_mean += g[e];
    assert_float_equal(ref_mean, 0, 1e-9 * amp);
}

static void test_leadfield_sanity(void **state)
{
    (void)state;
    /* Two mirror-image sources (x -> -x): mirrored electrodes see the same. */
    const double c[6] = {-35, 12, 40, 35, 12, 40};
    double g[42];
    assert_int_equal(dtb_leadfield_eeg(g, 42, NULL, c, 2, DTB_HEAD_DEFAULT), DTB_OK);
    static const char *const pairs[][2] = {{"Fp1", "Fp2"}, {"F7", "F8"}, {"F3", "F4"}, {"T7", "T8"},
                                           {"C3", "C4"},   {"P7", "P8"}, {"P3", "P4"}, {"O1", "O2"}};
    for (size_t i = 0; i < 8; i++) {
        int64_t a = electrode(pairs[i][0]), b = electrode(pairs[i][1]);
        assert_float_equal(g[a * 2 + 0], g[b * 2 + 1], 1e-12 * fabs(g[a * 2]) + 1e-18);
    }
    assert_float_equal(g[electrode("Cz") * 2], g[electrode("Cz") * 2 + 1], 1e-9);
    /* The left source is seen more strongly on the left. */
    assert_true(g[electrode("C3") * 2] > g[electrode("C4") * 2]);

    /* Depth: the same radial source under C3 at 20, 45 and 70 mm from the
     * centre (with a fourth, silent-side region fixing centre and radius):
     * the spread over the electrodes grows as it nears the scalp. */
    for (int head = DTB_HEAD_HOMOGENEOUS; head <= DTB_HEAD_THREE_SHELL; head++) {
        double prev = 0;
        for (int d = 20; d <= 70; d += 25) {
            double s = sin(36 * PI / 180), cc = cos(36 * PI / 180);
            double pts[6] = {-d * s, 0, d * cc, d * s, 0, -d * cc};   /* centroid at 0 */
            double gg[42];
            assert_int_equal(dtb_leadfield_eeg(gg, 42, NULL, pts, 2, (dtb_head_model)head), DTB_OK);
            double lo = INFINITY, hi = -INFINITY;
            for (int e = 0; e < 21; e++) {
                lo = nan_min(lo, gg[e * 2]);
                hi = nan_max(hi, gg[e * 2]);
            }
            assert_true(hi - lo > prev);
            assert_true(gg[electrode("C3") * 2] == hi);   /* the peak is above the source */
            prev = hi - lo;
        }
    }
    /* The skull attenuates: three shells give a smaller spread than one medium. */
    double h1[42], h3[42];
    assert_int_equal(dtb_leadfield_eeg(h1, 42, NULL, c, 2, DTB_HEAD_HOMOGENEOUS), DTB_OK);
    assert_int_equal(dtb_leadfield_eeg(h3, 42, NULL, c, 2, DTB_HEAD_THREE_SHELL), DTB_OK);
    int64_t c3 = electrode("C3");
    assert_true(fabs(h3[c3 * 2]) < fabs(h1[c3 * 2]));
    assert_int_equal(dtb_leadfield_eeg(h1, 42, NULL, c, 2, 7), DTB_EINVAL);
    const double nan_c[3] = {NAN, 0, 0};
    assert_int_equal(dtb_leadfield_eeg(h1, 42, NULL, nan_c, 1, DTB_HEAD_DEFAULT), DTB_EINVAL);
}

static void test_eeg_on_bn246(void **state)
{
    (void)state;
    dtb_atlas *atlas;
    dtb_model *model;
    assert_int_equal(dtb_atlas_create_builtin(&atlas, "bn246"), DTB_OK);
    assert_int_equal(dtb_model_create_builtin(&model, "generic_2d_oscillator"), DTB_OK);
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, NULL), DTB_OK);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_PROJECTION;
    dtb_observer *eeg;
    assert_int_equal(dtb_observer_create(&eeg, sim, &o), DTB_OK);
    assert_int_equal(dtb_observer_column_count(eeg), 21);
    assert_string_equal(dtb_observer_column_name(eeg, 0), "Fp1");
    assert_int_equal(dtb_sim_run(sim, 0.02, NULL, NULL), DTB_OK);
    double *t, *v;
    size_t n = read_all(eeg, &t, &v);
    assert_int_equal(n, 20);
    double sum = 0;
    for (int e = 0; e < 21; e++) {
        assert_true(isfinite(v[e]));
        sum += v[e];
    }
    assert_float_equal(sum, 0, 1e-9 * fabs(v[0]) + 1e-12);   /* average reference */
    free(t);
    free(v);
    dtb_observer_free(eeg);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gain_sources),
        cmocka_unit_test(test_observation_noise),
        cmocka_unit_test(test_leadfield_closed_form),
        cmocka_unit_test(test_leadfield_sanity),
        cmocka_unit_test(test_eeg_on_bn246),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
