/* dtb_experiment_settings.h and dtb_coupling_kind_name, as a driver that
 * reads its own options in the experiments' vocabulary uses them. */
#include <math.h>
#include <string.h>

#include <dtb/dtb.h>

#include "test_util.h"

static void test_setting_kinds(void **state)
{
    (void)state;
    assert_int_equal(dtb_experiment_setting_kind("fic"), DTB_SETTING_FLAG);
    assert_int_equal(dtb_experiment_setting_kind("set"), DTB_SETTING_REPEAT);
    assert_int_equal(dtb_experiment_setting_kind("observe"), DTB_SETTING_REPEAT);
    assert_int_equal(dtb_experiment_setting_kind("duration"), DTB_SETTING_SINGLE);
    assert_int_equal(dtb_experiment_setting_kind("--duration"), DTB_SETTING_UNKNOWN);
    assert_int_equal(dtb_experiment_setting_kind("no-such-setting"), DTB_SETTING_UNKNOWN);
    assert_int_equal(dtb_experiment_setting_kind(NULL), DTB_SETTING_UNKNOWN);
}

static void test_parse_values(void **state)
{
    (void)state;
    double v = -1;
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_TIME, "250ms"), DTB_OK);
    assert_true(fabs(v - 0.25) < 1e-15);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_TIME, "5"), DTB_OK);   /* ms */
    assert_true(fabs(v - 0.005) < 1e-15);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_TIME, "2s"), DTB_OK);
    assert_true(v == 2.0);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_FREQUENCY, "0.1kHz"), DTB_OK);
    assert_true(fabs(v - 100.0) < 1e-12);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_SPEED, "inf"), DTB_OK);
    assert_true(isinf(v) && v > 0);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_SPEED, "3m/s"), DTB_OK);
    assert_true(v == 3.0);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_NUMBER, " 1e-3 "), DTB_OK);
    assert_true(v == 1e-3);
    /* refusals leave the value alone and say what was expected */
    v = 7;
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_TIME, "3 m/s"), DTB_EINVAL);
    assert_error_contains("'3 m/s' is not a time");
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_NUMBER, "nan"), DTB_EINVAL);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_SPEED, "0"), DTB_EINVAL);
    assert_error_contains("speed above 0");
    assert_true(v == 7);
    assert_int_equal(dtb_experiment_parse_value(&v, (dtb_value_kind)99, "1"), DTB_EINVAL);
    assert_error_contains("not a dtb_value_kind");
    assert_int_equal(dtb_experiment_parse_value(NULL, DTB_VALUE_NUMBER, "1"), DTB_EINVAL);
    assert_int_equal(dtb_experiment_parse_value(&v, DTB_VALUE_NUMBER, NULL), DTB_EINVAL);
    assert_error_contains("text is NULL");
}

static void test_coupling_names(void **state)
{
    (void)state;
    assert_string_equal(dtb_coupling_kind_name(DTB_COUPLING_LINEAR), "linear");
    assert_string_equal(dtb_coupling_kind_name(DTB_COUPLING_SIGMOIDAL_JANSEN_RIT),
                        "sigmoidal_jansen_rit");
    assert_null(dtb_coupling_kind_name((dtb_coupling_kind)0));
    assert_null(dtb_coupling_kind_name((dtb_coupling_kind)1000));
    /* the name an experiment accepts */
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "coupling", dtb_coupling_kind_name(DTB_COUPLING_KURAMOTO)),
                     DTB_OK);
    dtb_experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setting_kinds),
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_coupling_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
