/* Unit tests of the base layer: errors, numbers, units, versions. */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "base/base.h"
#include "base/units.h"
#include "dtb/dtb.h"

static void test_error_slot(void **state)
{
    (void)state;
    dtb_clear_error();
    assert_int_equal(dtb_last_error_code(), DTB_OK);
    assert_string_equal(dtb_last_error_message(), "");
    assert_int_equal(dtb__error(DTB_EINVAL, "bad %s %d", "thing", 3), DTB_EINVAL);
    assert_int_equal(dtb_last_error_code(), DTB_EINVAL);
    assert_string_equal(dtb_last_error_message(), "bad thing 3");
    dtb__error_context(DTB_EINVAL, "loading '%s'", "x.xml");
    assert_string_equal(dtb_last_error_message(), "loading 'x.xml': bad thing 3");
    assert_string_equal(dtb_status_string(DTB_ENOMEM), "out of memory");
    assert_string_equal(dtb_status_string((dtb_status)-999), "unknown error");
}

static void test_versions(void **state)
{
    (void)state;
    assert_int_equal(dtb_version_number(), DTB_VERSION_NUMBER);
    assert_string_equal(dtb_version_string(), DTB_VERSION_STRING);
    assert_true(dtb_has_feature("npy"));
    assert_false(dtb_has_feature("cuda"));
    assert_false(dtb_has_feature(NULL));
    assert_int_equal(dtb__check_version(1, 1, "x"), DTB_OK);
    assert_int_equal(dtb__check_version(0, 1, "x"), DTB_EINVAL);
    assert_int_equal(dtb__check_version(2, 1, "x_options"), DTB_EINVAL);
    assert_error_contains("x_options: version 2");
}

static void test_numbers(void **state)
{
    (void)state;
    double v;
    assert_true(dtb__parse_double(" 1.5e-3 ", &v));
    assert_true(v == 1.5e-3);
    assert_false(dtb__parse_double("1.5x", &v));
    assert_false(dtb__parse_double("", &v));
    assert_false(dtb__parse_double(NULL, &v));
    int64_t i;
    assert_true(dtb__parse_int64("42", &i));
    assert_int_equal(i, 42);
    assert_false(dtb__parse_int64("4.2", &i));
    char buf[64];
    dtb__format_double(buf, sizeof buf, 0.1);
    assert_string_equal(buf, "0.1");
    dtb__format_double(buf, sizeof buf, 1.0 / 3.0);
    assert_true(strtod(buf, NULL) == 1.0 / 3.0);
    dtb__format_double(buf, sizeof buf, NAN);
    assert_string_equal(buf, "nan");
}

/* A host in a decimal-comma locale must not change how libdtb reads numbers. */
static void test_numbers_locale(void **state)
{
    (void)state;
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
        skip();
    double v;
    assert_true(dtb__parse_double("2.5", &v));
    assert_true(v == 2.5);
    char buf[32];
    dtb__snprintf_c(buf, sizeof buf, "%.1f", 2.5);
    assert_string_equal(buf, "2.5");
    setlocale(LC_NUMERIC, "C");
}

static void test_quantities(void **state)
{
    (void)state;
    double x;
    const char *u;
    assert_true(dtb__quantity_split("-65mV", &x, &u));
    assert_true(x == -65.0);
    assert_string_equal(u, "mV");
    assert_true(dtb__quantity_split("0.1 ms", &x, &u));
    assert_string_equal(u, "ms");
    assert_true(dtb__quantity_split("2e", &x, &u));
    assert_true(x == 2.0);
    assert_string_equal(u, "e");
    assert_true(dtb__quantity_split("2e-3", &x, &u));
    assert_true(x == 2e-3);
    assert_string_equal(u, "");
    assert_true(dtb__quantity_split(".5", &x, &u));
    assert_true(x == 0.5);
    assert_false(dtb__quantity_split("mV", &x, &u));
    const dtb__unit *ms = dtb__unit_builtin("ms");
    assert_non_null(ms);
    assert_true(ms->scale == 1e-3);
    assert_true(dtb__dim_eq(ms->dim, dtb__unit_builtin("s")->dim));
    assert_false(dtb__dim_eq(ms->dim, dtb__unit_builtin("mV")->dim));
    assert_null(dtb__unit_builtin("furlong"));
    assert_true(dtb__unit_builtin("degC")->offset == 273.15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_slot),   cmocka_unit_test(test_versions),
        cmocka_unit_test(test_numbers),      cmocka_unit_test(test_numbers_locale),
        cmocka_unit_test(test_quantities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
