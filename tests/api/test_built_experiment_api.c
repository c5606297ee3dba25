/* dtb_built_experiment.h: an experiment built, looked at, run and read
 * through the public API, as dtb run does it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <dtb/dtb.h>

#include "test_util.h"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The default twin (no model named) for 20 ms, with two observers. */
static dtb_experiment *short_twin(void)
{
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "duration", "20ms"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "observe", "tavg:period=1ms"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "observe", "fc"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "seed", "7"), DTB_OK);
    return e;
}

static int32_t count_progress(double t, double fraction, void *user_data)
{
    assert_true(t >= 0 && fraction >= 0 && fraction <= 1);
    ++*(int *)user_data;
    return 0;
}

static void test_build_look_run(void **state)
{
    (void)state;
    dtb_experiment *e = short_twin();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/run", test_tmpdir());
    dtb_built_experiment_options o;
    assert_int_equal(dtb_built_experiment_options_init(&o, DTB_BUILT_EXPERIMENT_OPTIONS_VERSION),
                     DTB_OK);
    o.out_dir = dir;
    dtb_built_experiment *b = NULL;
    assert_int_equal(dtb_built_experiment_create(&b, e, &o), DTB_OK);
    dtb_experiment_free(e);   /* the handle copied it */
    /* what was built */
    dtb_sim *sim = dtb_built_experiment_sim(b);
    assert_non_null(sim);
    assert_true(dtb_sim_time(sim) == 0);
    const dtb_atlas *atlas = dtb_built_experiment_atlas(b);
    assert_int_equal(dtb_atlas_region_count(atlas), dtb_sim_region_count(sim));
    assert_non_null(dtb_model_name(dtb_built_experiment_model(b)));
    assert_int_equal(dtb_built_experiment_is_default_twin(b), 1);
    assert_int_equal(dtb_built_experiment_seed(b), 7);
    assert_true(fabs(dtb_built_experiment_end_time(b) - 0.02) < 1e-15);
    assert_string_equal(dtb_built_experiment_out_dir(b), dir);
    assert_null(dtb_built_experiment_checkpoint_path(b));
    assert_int_equal(dtb_built_experiment_output_count(b), 2);
    assert_int_equal(dtb_observer_kind_of(dtb_built_experiment_output_observer(b, 0)),
                     DTB_OBSERVER_TAVG);
    assert_int_equal(dtb_observer_kind_of(dtb_built_experiment_output_observer(b, 1)),
                     DTB_OBSERVER_FC);
    assert_null(dtb_built_experiment_output_observer(b, 2));
    assert_null(dtb_built_experiment_output_path(b, -1));
    for (int64_t i = 0; i < 2; i++)
        assert_int_equal(strncmp(dtb_built_experiment_output_path(b, i), dir, strlen(dir)), 0);
    /* run once, with progress */
    int calls = 0;
    assert_int_equal(dtb_built_experiment_run(b, count_progress, &calls), DTB_OK);
    assert_true(calls > 0);
    assert_true(fabs(dtb_sim_time(sim) - 0.02) < 1e-12);
    assert_int_equal(dtb_observer_sample_count(dtb_built_experiment_output_observer(b, 0)), 20);
    assert_int_equal(dtb_built_experiment_spiking_spike_count(b), -1);
    assert_int_equal(dtb_built_experiment_run(b, NULL, NULL), DTB_ESTATE);
    assert_error_contains("has run already");
    char path[4200];
    snprintf(path, sizeof path, "%s/provenance.json", dir);
    assert_true(exists(path));
    assert_true(exists(dtb_built_experiment_output_path(b, 1)));
    dtb_built_experiment_free(b);   /* the files stay */
    assert_true(exists(path));
}

static int32_t stop_now(double t, double fraction, void *user_data)
{
    (void)t;
    (void)fraction;
    (void)user_data;
    return 1;
}

static void test_cancel_and_discard(void **state)
{
    (void)state;
    dtb_experiment *e = short_twin();
    assert_int_equal(dtb_experiment_add(e, "model", "generic_2d_oscillator"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "noise", "0.01"), DTB_OK);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/cancel", test_tmpdir());
    dtb_built_experiment_options o = DTB_BUILT_EXPERIMENT_OPTIONS_INIT;
    o.out_dir = dir;
    dtb_built_experiment *b;
    assert_int_equal(dtb_built_experiment_create(&b, e, &o), DTB_OK);
    assert_int_equal(dtb_built_experiment_is_default_twin(b), 0);
    assert_int_equal(dtb_built_experiment_is_noisy(b), 1);
    assert_int_equal(dtb_built_experiment_run(b, stop_now, NULL), DTB_ECANCELLED);
    dtb_built_experiment_free(b);
    /* a build the driver refuses afterwards leaves nothing */
    snprintf(dir, sizeof dir, "%s/discarded", test_tmpdir());
    assert_int_equal(dtb_built_experiment_create(&b, e, &o), DTB_OK);
    assert_true(exists(dir));
    dtb_built_experiment_discard(b);
    assert_false(exists(dir));
    dtb_built_experiment_discard(NULL);
    dtb_experiment_free(e);
}

static void test_write_targets(void **state)
{
    (void)state;
    char atlas_dir[4096], dir[4096], extra[4200], path[4200];
    snprintf(atlas_dir, sizeof atlas_dir, "%s", shared_path("atlases/tvb76"));
    dtb_experiment *e = short_twin();
    assert_int_equal(dtb_experiment_add(e, "atlas", atlas_dir), DTB_OK);
    snprintf(dir, sizeof dir, "%s/targets", test_tmpdir());
    /* the extra file may not be an input: refused before anything is written */
    snprintf(extra, sizeof extra, "%s/weights.txt", atlas_dir);
    dtb_built_experiment_options o = DTB_BUILT_EXPERIMENT_OPTIONS_INIT;
    o.out_dir = dir;
    o.extra_setting = "save-experiment";
    o.extra_path = extra;
    dtb_built_experiment *b = (dtb_built_experiment *)1;
    assert_int_equal(dtb_built_experiment_create(&b, e, &o), DTB_EINVAL);
    assert_null(b);
    assert_error_contains("save-experiment");
    assert_false(exists(dir));
    o.extra_path = NULL;   /* both or neither */
    assert_int_equal(dtb_built_experiment_create(&b, e, &o), DTB_EINVAL);
    assert_error_contains("go together");
    o.extra_setting = NULL;
    o.flags = 1;
    assert_int_equal(dtb_built_experiment_create(&b, e, &o), DTB_EINVAL);
    o.flags = 0;
    o.version = 2;
    assert_int_equal(dtb_built_experiment_create(&b, e, &o), DTB_EINVAL);
    /* a driver's own file beside the results */
    const char *others[2] = {NULL, "/tmp/dtb-some-input.csv"};
    assert_int_equal(dtb_experiment_check_write(e, "save-states", extra, others, 2), DTB_EINVAL);
    assert_error_contains("weights.txt");
    assert_int_equal(dtb_experiment_check_write(NULL, "save-states", others[1], others, 2),
                     DTB_EINVAL);
    assert_error_contains("save-states");
    snprintf(path, sizeof path, "%s/states.npy", test_tmpdir());
    assert_int_equal(dtb_experiment_check_write(e, "save-states", path, others, 2), DTB_OK);
    snprintf(path, sizeof path, "%s/no/such/folder/states.npy", test_tmpdir());
    assert_int_equal(dtb_experiment_check_write(e, "save-states", path, NULL, 0), DTB_EINVAL);
    assert_int_equal(dtb_experiment_check_write(e, NULL, path, NULL, 0), DTB_EINVAL);
    assert_int_equal(dtb_experiment_check_write(e, "x", path, NULL, 1), DTB_EINVAL);
    assert_error_contains("others is NULL");
    dtb_experiment_free(e);
}

static void test_null_handles(void **state)
{
    (void)state;
    assert_int_equal(dtb_built_experiment_create(NULL, NULL, NULL), DTB_EINVAL);
    dtb_built_experiment *b = (dtb_built_experiment *)1;
    assert_int_equal(dtb_built_experiment_create(&b, NULL, NULL), DTB_EINVAL);
    assert_null(b);
    assert_int_equal(dtb_built_experiment_options_init(NULL, 1), DTB_EINVAL);
    assert_int_equal(dtb_built_experiment_run(NULL, NULL, NULL), DTB_EINVAL);
    assert_null(dtb_built_experiment_sim(NULL));
    assert_null(dtb_built_experiment_atlas(NULL));
    assert_null(dtb_built_experiment_model(NULL));
    assert_int_equal(dtb_built_experiment_output_count(NULL), -1);
    assert_null(dtb_built_experiment_output_observer(NULL, 0));
    assert_null(dtb_built_experiment_output_path(NULL, 0));
    assert_null(dtb_built_experiment_out_dir(NULL));
    assert_null(dtb_built_experiment_checkpoint_path(NULL));
    assert_true(isnan(dtb_built_experiment_end_time(NULL)));
    assert_int_equal(dtb_built_experiment_seed(NULL), 0);
    assert_int_equal(dtb_built_experiment_is_default_twin(NULL), -1);
    assert_int_equal(dtb_built_experiment_is_noisy(NULL), -1);
    assert_int_equal(dtb_built_experiment_spiking_spike_count(NULL), -1);
    dtb_built_experiment_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_look_run),
        cmocka_unit_test(test_cancel_and_discard),
        cmocka_unit_test(test_write_targets),
        cmocka_unit_test(test_null_handles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
