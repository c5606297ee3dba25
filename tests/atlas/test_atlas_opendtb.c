/* SPDX-License-Identifier: GPL-3.0-or-later
 * The built-in atlas "bn246-opendtb" (the default twin's connectome):
 * OpenDTB's Brainnetome SC, embedded, equal bit for bit to the shared
 * data's weights.txt (read here at test time, with the C library alone);
 * its labels those of the SC's labels.txt; its regions the same table as
 * the synthetic "bn246"; its tract lengths 1.6 x the centre distances. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "atlas_test_util.h"
#include "dtb/dtb.h"

static dtb_atlas *builtin(const char *name)
{
    dtb_atlas *a = NULL;
    assert_int_equal(dtb_atlas_create_builtin(&a, name), DTB_OK);
    assert_non_null(a);
    return a;
}

/* Every weight equals the shared file's, exactly: the generator wrote the
 * upper triangle with repr and the library mirrors it. */
static void test_weights_equal_shared_file(void **state)
{
    (void)state;
    dtb_atlas *a = builtin("bn246-opendtb");
    size_t n;
    double *file = read_square_matrix(shared_path("atlases/bn246_opendtb_sc/weights.txt"), &n);
    assert_non_null(file);
    assert_int_equal(n, 246);
    assert_int_equal(dtb_atlas_region_count(a), 246);
    size_t needed = 0;
    assert_int_equal(dtb_atlas_copy_weights(a, NULL, 0, &needed), DTB_OK);
    assert_int_equal(needed, n * n);
    double *w = malloc(needed * sizeof *w);
    assert_non_null(w);
    assert_int_equal(dtb_atlas_copy_weights(a, w, needed, NULL), DTB_OK);
    size_t differ = 0;
    for (size_t i = 0; i < n * n; i++)
        differ += memcmp(&w[i], &file[i], sizeof w[i]) != 0;
    if (differ)
        print_error("%zu of %zu weights differ from the shared weights.txt\n", differ, n * n);
    assert_int_equal(differ, 0);
    /* dense: every off-diagonal pair, as the data README says */
    assert_int_equal(dtb_atlas_edge_count(a), 246 * 245);
    free(w);
    free(file);
    dtb_atlas_free(a);
}

/* The SC's own labels, in order; lobes, gyri, hemispheres and centres of
 * the region table the synthetic bn246 uses (one table, not two). */
static void test_regions(void **state)
{
    (void)state;
    dtb_atlas *a = builtin("bn246-opendtb"), *s = builtin("bn246");
    FILE *f = fopen(shared_path("atlases/bn246_opendtb_sc/labels.txt"), "r");
    assert_non_null(f);
    char line[256];
    int64_t k = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        assert_true(k < 246);
        assert_string_equal(dtb_atlas_region_label(a, k), line);
        k++;
    }
    fclose(f);
    assert_int_equal(k, 246);
    for (k = 0; k < 246; k++) {
        assert_string_equal(dtb_atlas_region_lobe(a, k), dtb_atlas_region_lobe(s, k));
        assert_string_equal(dtb_atlas_region_gyrus(a, k), dtb_atlas_region_gyrus(s, k));
        assert_int_equal(dtb_atlas_region_hemisphere(a, k), dtb_atlas_region_hemisphere(s, k));
        double ca[3], cs[3];
        assert_int_equal(dtb_atlas_region_centre(a, k, ca), DTB_OK);
        assert_int_equal(dtb_atlas_region_centre(s, k, cs), DTB_OK);
        assert_memory_equal(ca, cs, sizeof ca);
    }
    assert_string_equal(dtb_atlas_region_lobe(a, 245), "Subcortical Nuclei");
    dtb_atlas_free(s);
    dtb_atlas_free(a);
}

/* Lengths: 1.6 x the Euclidean distance between MNI centres. */
static void test_lengths_and_description(void **state)
{
    (void)state;
    dtb_atlas *a = builtin("bn246-opendtb");
    assert_int_equal(dtb_atlas_has_tract_lengths(a), 1);
    for (int64_t k = 0; k < 246; k++) {
        double ck[3];
        assert_int_equal(dtb_atlas_region_centre(a, k, ck), DTB_OK);
        assert_true(dtb_atlas_tract_length(a, k, k) == 0.0);
        for (int64_t j = 0; j < 246; j++) {
            if (j == k)
                continue;
            double cj[3];
            assert_int_equal(dtb_atlas_region_centre(a, j, cj), DTB_OK);
            double d = sqrt((ck[0] - cj[0]) * (ck[0] - cj[0]) + (ck[1] - cj[1]) * (ck[1] - cj[1]) +
                            (ck[2] - cj[2]) * (ck[2] - cj[2]));
            assert_true(fabs(dtb_atlas_tract_length(a, k, j) - 1.6 * d) <= 1e-12 * d);
        }
    }
    /* A8m_L - A8m_R: centres (-5, 15, 54) and (7, 16, 54) */
    assert_true(fabs(dtb_atlas_tract_length(a, 0, 1) - 1.6 * sqrt(145.0)) < 1e-12);
    assert_int_equal(dtb_atlas_is_synthetic(a), 0);
    const char *about = dtb_atlas_description(a);
    assert_non_null(strstr(about, "MEASURED"));
    assert_non_null(strstr(about, "OpenDTB/OpenDTB-Assets"));
    assert_non_null(strstr(about, "GPL-3.0"));
    assert_non_null(strstr(about, "1.6 x the Euclidean distance"));
    assert_non_null(strstr(about, "doi:10.1093/cercor/bhw157"));
    assert_null(strstr(about, "--"));   /* a library text names no CLI flag */
    dtb_atlas_free(a);
}

/* Listed, and loadable by name like the other built-in. */
static void test_registry(void **state)
{
    (void)state;
    assert_int_equal(dtb_atlas_builtin_count(), 2);
    assert_string_equal(dtb_atlas_builtin_name(0), "bn246");
    assert_string_equal(dtb_atlas_builtin_name(1), "bn246-opendtb");
    assert_null(dtb_atlas_builtin_name(2));
    dtb_atlas *a = NULL, *b = builtin("bn246-opendtb");
    assert_int_equal(dtb_atlas_load(&a, "bn246-opendtb", NULL), DTB_OK);
    assert_string_equal(dtb_atlas_name(a), "bn246-opendtb");
    assert_true(dtb_atlas_weight(a, 17, 200) == dtb_atlas_weight(b, 17, 200));
    dtb_atlas_free(a);
    dtb_atlas_free(b);
    a = NULL;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246-opendtbx"), DTB_ENOTFOUND);
    assert_null(a);
    assert_error_contains("built-in atlases: bn246, bn246-opendtb");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_equal_shared_file),
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_lengths_and_description),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
