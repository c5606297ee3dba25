/* The distances an assimilation localises by (assimilate_distance.c), on
 * five regions: a chain 0-1-2-3 with tracts of 20, 25 and 30 mm, centres
 * on a line 10 mm apart, and region 4 connected to nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "assimilate/assimilation.h"

enum { N = 5 };

static char dir[1024], data[1100], bare[1100];

static void write_file(const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/atlas", test_tmpdir());
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    if (system(cmd))
        return -1;
    write_file("weights.txt", "0 1 0 0 0\n1 0 1 0 0\n0 1 0 1 0\n0 0 1 0 0\n0 0 0 0 0\n");
    write_file("tract_lengths.txt",
               "0 20 0 0 0\n20 0 25 0 0\n0 25 0 30 0\n0 0 30 0 0\n0 0 0 0 0\n");
    write_file("centres.txt", "0 0 0\n10 0 0\n20 0 0\n30 0 0\n40 0 0\n");
    snprintf(data, sizeof data, "%s/data.txt", test_tmpdir());
    FILE *f = fopen(data, "w");
    for (int i = 0; i < 6; i++)
        fprintf(f, "%d 0.%d 0.%d 0.%d 0.%d\n", i, i, (i * 7) % 10, 9 - i, (i * 3) % 10);
    fclose(f);
    snprintf(bare, sizeof bare, "%s/bare.txt", test_tmpdir());
    f = fopen(bare, "w");   /* a weight matrix alone: no centres, no lengths */
    fputs("0 1 0 0 0\n1 0 1 0 0\n0 1 0 1 0\n0 0 1 0 0\n0 0 0 0 0\n", f);
    fclose(f);
    return 0;
}

static dtb_status prepare(const char *atlas, dtb_assimilate_distance kind, dtb_assimilation **out)
{
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "atlas", atlas), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "model", "reduced_wong_wang"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "speed", "inf"), DTB_OK);
    dtb_assimilation *a;
    assert_int_equal(dtb_assimilation_create(&a, e), DTB_OK);
    dtb_experiment_free(e);
    assert_int_equal(dtb_assimilation_set_data(a, data), DTB_OK);
    assert_int_equal(dtb_assimilation_set_observer(a, "tavg:period=10ms:vars=S"), DTB_OK);
    assert_int_equal(dtb_assimilation_estimate(a, "w@0", 0.5, 1.0), DTB_OK);
    dtb_assimilate_options o = DTB_ASSIMILATE_OPTIONS_INIT;
    o.localisation = 2;
    o.distance = kind;
    *out = a;
    return dtb_assimilation_prepare(a, &o);
}

static void test_three_distances(void **state)
{
    (void)state;
    static const double want[3][4] = {
        {10, 20, 30, 40},          /* centres: 0 to 1, 2, 3, 4 */
        {20, 45, 75, INFINITY},    /* along the tracts */
        {1, 2, 3, INFINITY},       /* hops */
    };
    for (int kind = 0; kind < 3; kind++) {
        dtb_assimilation *a;
        assert_int_equal(prepare(dir, (dtb_assimilate_distance)kind, &a), DTB_OK);
        assert_non_null(a->distance);
        for (int j = 1; j < N; j++) {
            assert_true(a->distance[j] == want[kind][j - 1]);
            assert_true(a->distance[j * N] == want[kind][j - 1]);   /* symmetric */
        }
        for (int k = 0; k < N; k++)
            assert_true(a->distance[k * N + k] == 0);
        dtb_assimilation_free(a);
    }
}

static void test_what_each_needs(void **state)
{
    (void)state;
    dtb_assimilation *a;
    assert_int_equal(prepare(bare, DTB_ASSIMILATE_DISTANCE_CENTRES, &a), DTB_EINVAL);
    assert_error_contains("no region centres");
    dtb_assimilation_free(a);
    assert_int_equal(prepare(bare, DTB_ASSIMILATE_DISTANCE_TRACTS, &a), DTB_EINVAL);
    assert_error_contains("no tract lengths");
    dtb_assimilation_free(a);
    assert_int_equal(prepare(bare, DTB_ASSIMILATE_DISTANCE_HOPS, &a), DTB_OK);
    assert_true(a->distance[3] == 3);
    dtb_assimilation_free(a);
    assert_int_equal(prepare(dir, (dtb_assimilate_distance)7, &a), DTB_EINVAL);
    assert_error_contains("distance 7");
    dtb_assimilation_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_distances),
        cmocka_unit_test(test_what_each_needs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
