/* Model descriptors: built-in models, custom files, units, and every
 * malformed-input path of the LEMS reader (the corpus in tests/data/models). */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

static const char *model_path(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/models/%s", DTB_TEST_DATA, name);
    return buf;
}

static void test_builtins_load(void **state)
{
    (void)state;
    assert_true(dtb_model_builtin_count() >= 3);
    for (int64_t i = 0; i < dtb_model_builtin_count(); i++) {
        dtb_model *m = NULL;
        const char *name = dtb_model_builtin_name(i);
        assert_int_equal(dtb_model_create_builtin(&m, name), DTB_OK);
        assert_string_equal(dtb_model_name(m), name);
        assert_true(strlen(dtb_model_reference(m)) > 20);
        assert_true(dtb_model_state_count(m) > 0);
        assert_true(dtb_model_voi_count(m) > 0);
        assert_true(dtb_model_time_scale(m) == 1e-3);
        dtb_model_free(m);
    }
    assert_null(dtb_model_builtin_name(-1));
    assert_null(dtb_model_builtin_name(dtb_model_builtin_count()));
}

static void test_g2d_defaults(void **state)
{
    (void)state;
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    static const struct {
        const char *name;
        double value;
    } expect[] = {{"tau", 1}, {"I", 0}, {"a", -2}, {"b", -10}, {"c", 0}, {"d", 0.02},
                  {"e", 3},   {"f", 1}, {"g", 0},  {"alpha", 1}, {"beta", 1}, {"gamma", 1}};
    assert_int_equal(dtb_model_param_count(m), 12);
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        double v;
        assert_int_equal(dtb_model_get_param(m, expect[i].name, &v), DTB_OK);
        assert_true(v == expect[i].value);
    }
    assert_int_equal(dtb_model_coupling_count(m), 1);
    assert_int_equal(dtb_model_coupling_state(m, 0), 0);
    assert_string_equal(dtb_model_coupling_input(m, 0), "c0");
    assert_int_equal(dtb_model_voi_count(m), 1);
    assert_string_equal(dtb_model_state_name(m, dtb_model_voi_state(m, 0)), "V");
    double lo, hi;
    assert_int_equal(dtb_model_state_range(m, 1, &lo, &hi), DTB_OK);
    assert_true(lo == -6 && hi == 6);
    assert_int_equal(dtb_model_state_bounds(m, 0, &lo, &hi), DTB_OK);
    assert_true(isinf(lo) && isinf(hi));
    dtb_model_free(m);
}

static void test_wilson_cowan_units(void **state)
{
    (void)state;
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "wilson_cowan"), DTB_OK);
    int64_t k;
    assert_int_equal(dtb_model_find_param(m, "tau_e", &k), DTB_OK);
    assert_string_equal(dtb_model_param_unit(m, k), "ms");
    double v;
    assert_int_equal(dtb_model_get_param(m, "tau_e", &v), DTB_OK);
    assert_true(v == 10);
    /* A bare number is in the parameter's unit; a suffix converts. */
    assert_int_equal(dtb_model_set_param_string(m, "tau_e", "20"), DTB_OK);
    dtb_model_get_param(m, "tau_e", &v);
    assert_true(v == 20);
    assert_int_equal(dtb_model_set_param_string(m, "tau_e", "0.015s"), DTB_OK);
    dtb_model_get_param(m, "tau_e", &v);
    assert_true(fabs(v - 15) < 1e-12);
    assert_int_equal(dtb_model_set_param_string(m, "tau_e", "5mV"), DTB_EPARSE);
    assert_error_contains("tau_e");
    assert_int_equal(dtb_model_set_param_string(m, "tau_e", "5 furlongs"), DTB_ENOTFOUND);
    assert_int_equal(dtb_model_set_param_string(m, "tau_e", "abc"), DTB_EPARSE);
    assert_int_equal(dtb_model_set_param_string(m, "nope", "1"), DTB_ENOTFOUND);
    assert_error_contains("nope");
    assert_int_equal(dtb_model_set_param(m, "tau_e", NAN), DTB_EINVAL);
    dtb_model_get_param(m, "tau_e", &v);
    assert_true(fabs(v - 15) < 1e-12);   /* unchanged by the failures */
    dtb_model_free(m);
}

static void test_clone_is_independent(void **state)
{
    (void)state;
    dtb_model *m, *c;
    assert_int_equal(dtb_model_create_builtin(&m, "kuramoto"), DTB_OK);
    assert_int_equal(dtb_model_clone(&c, m), DTB_OK);
    assert_int_equal(dtb_model_set_param(m, "omega", 2.5), DTB_OK);
    dtb_model_free(m);   /* the clone outlives the original */
    double v;
    assert_int_equal(dtb_model_get_param(c, "omega", &v), DTB_OK);
    assert_true(v == 1.0);
    dtb_model_free(c);
}

static void test_custom_file(void **state)
{
    (void)state;
    dtb_model *m;
    assert_int_equal(dtb_model_load(&m, model_path("decay.xml"), NULL), DTB_OK);
    assert_string_equal(dtb_model_name(m), "decay");
    double k;
    assert_int_equal(dtb_model_get_param(m, "k", &k), DTB_OK);
    assert_true(k == 0.5);   /* 0.5 per_ms in its own unit per_ms */
    assert_int_equal(dtb_model_get_param(m, "tau_y", &k), DTB_OK);
    assert_true(k == 2.0);
    dtb_model_free(m);
    assert_int_equal(dtb_model_load_file(&m, model_path("conditional.xml"), NULL), DTB_OK);
    double lo, hi;
    assert_int_equal(dtb_model_state_bounds(m, 0, &lo, &hi), DTB_OK);
    assert_true(lo == 0 && hi == 0.75);
    assert_true(dtb_model_time_scale(m) == 1.0);
    dtb_model_free(m);
}

static void test_load_string_and_options(void **state)
{
    (void)state;
    size_t len;
    char *xml = read_text_file(model_path("decay.xml"), &len);
    assert_non_null(xml);
    dtb_model *m = (dtb_model *)1;
    dtb_model_load_options o;
    assert_int_equal(dtb_model_load_options_init(&o, DTB_MODEL_LOAD_OPTIONS_VERSION), DTB_OK);
    o.model_name = "decay";
    assert_int_equal(dtb_model_load_string(&m, xml, len, "decay.xml", &o), DTB_OK);
    dtb_model_free(m);
    o.model_name = "other";
    assert_int_equal(dtb_model_load_string(&m, xml, len, "decay.xml", &o), DTB_ENOTFOUND);
    assert_null(m);
    assert_error_contains("other");
    o.model_name = NULL;
    o.version = 99;
    assert_int_equal(dtb_model_load_string(&m, xml, len, "decay.xml", &o), DTB_EINVAL);
    free(xml);
    assert_int_equal(dtb_model_load_options_init(&o, 0), DTB_EINVAL);
}

static void test_unknown_builtin(void **state)
{
    (void)state;
    dtb_model *m = (dtb_model *)1;
    assert_int_equal(dtb_model_create_builtin(&m, "reduced_wong_wang_xyz"), DTB_ENOTFOUND);
    assert_null(m);
    assert_error_contains("reduced_wong_wang_xyz");
    assert_error_contains("generic_2d_oscillator");
    assert_int_equal(dtb_model_load(&m, "/no/such/file.xml", NULL), DTB_ENOTFOUND);
    assert_error_contains("/no/such/file.xml");
    assert_int_equal(dtb_model_load(NULL, "kuramoto", NULL), DTB_EINVAL);
}

/* Every malformed file: status, and the message names what and where. */
static void test_malformed_corpus(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        dtb_status status;
        const char *fragments[3];
    } cases[] = {
        {"bad/not_xml.xml", DTB_EPARSE, {"not_xml.xml:", "malformed XML", NULL}},
        {"bad/wrong_root.xml", DTB_EPARSE, {"wrong_root.xml:2", "<Lems>", NULL}},
        {"bad/unknown_element.xml", DTB_EPARSE, {"unknown_element.xml:4", "Paramter", NULL}},
        {"bad/bad_expression.xml", DTB_EPARSE, {"bad_expression.xml:7", "TimeDerivative", "-k * (x + "}},
        {"bad/unknown_symbol.xml", DTB_ENOTFOUND, {"unknown_symbol.xml:7", "xx", NULL}},
        {"bad/missing_param_value.xml", DTB_EPARSE, {"missing_param_value.xml:5", "'m'", NULL}},
        {"bad/wrong_unit.xml", DTB_EPARSE, {"wrong_unit.xml:10", "mV", "tau"}},
        {"bad/cycle.xml", DTB_EPARSE, {"cycle.xml", "'p'", "'q'"}},
        {"bad/unbound_requirement.xml", DTB_EPARSE, {"unbound_requirement.xml:4", "iSyn", NULL}},
        {"bad/no_region_model.xml", DTB_ENOTFOUND, {"no_region_model.xml", "RegionModel", NULL}},
        {"bad/duplicate_derivative.xml", DTB_EPARSE, {"duplicate_derivative.xml:7", "'x'", NULL}},
        {"bad/unsupported_regime.xml", DTB_EUNSUPPORTED, {"unsupported_regime.xml:7", "OnCondition", NULL}},
        {"bad/missing_include.xml", DTB_ENOTFOUND, {"missing_include.xml:3", "does_not_exist.xml", NULL}},
        {"bad/unknown_component_type.xml", DTB_ENOTFOUND, {"unknown_component_type.xml:3", "Nope", NULL}},
        {"bad/bad_coupling_variable.xml", DTB_ENOTFOUND, {"bad_coupling_variable.xml:10", "'z'", NULL}},
        {"bad/nan_value.xml", DTB_EPARSE, {"nan_value.xml:10", "'k'", NULL}},
        {"bad/duplicate_region_model.xml", DTB_EPARSE,
         {"duplicate_region_model.xml:12", "RegionModel 'a' is declared twice", "line 11"}},
        {"bad/bad_bound.xml", DTB_EPARSE, {"bad_bound.xml:12", "min='zero'", "not a number"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dtb_model *m = (dtb_model *)1;
        dtb_status st = dtb_model_load_file(&m, model_path(cases[i].file), NULL);
        if (st != cases[i].status)
            print_error("%s: status %d, expected %d: %s\n", cases[i].file, (int)st,
                        (int)cases[i].status, dtb_last_error_message());
        assert_int_equal(st, cases[i].status);
        assert_null(m);
        for (int f = 0; f < 3 && cases[i].fragments[f]; f++) {
            if (!strstr(dtb_last_error_message(), cases[i].fragments[f]))
                print_error("%s: message \"%s\" lacks \"%s\"\n", cases[i].file,
                            dtb_last_error_message(), cases[i].fragments[f]);
            assert_non_null(strstr(dtb_last_error_message(), cases[i].fragments[f]));
        }
    }
}

/* A model file may include NeuroML's core types: types this reader cannot
 * run (regimes, events, select ...) are only an error when used. */
static void test_neuroml_core_types_include(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/with_core_types.xml", test_tmpdir());
    size_t len;
    char *xml = read_text_file(model_path("decay.xml"), &len);
    char *root = strstr(xml, "<Lems>");
    assert_non_null(root);
    FILE *f = fopen(path, "w");
    fwrite(xml, 1, (size_t)(root - xml) + 6, f);
    fputs("\n  <Include file=\"NeuroML2CoreTypes.xml\"/>", f);
    fputs(root + 6, f);
    fclose(f);
    free(xml);
    const char *dirs[] = {shared_path("neuroml/NeuroML2/NeuroML2CoreTypes")};
    dtb_model_load_options o = DTB_MODEL_LOAD_OPTIONS_INIT;
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, path, &o), DTB_ENOTFOUND);   /* no include path */
    assert_error_contains("NeuroML2CoreTypes.xml");
    o.include_dirs = dirs;
    o.n_include_dirs = 1;
    assert_int_equal(dtb_model_load_file(&m, path, &o), DTB_OK);
    assert_string_equal(dtb_model_name(m), "decay");
    dtb_model_free(m);
}

static void test_null_handles(void **state)
{
    (void)state;
    assert_null(dtb_model_name(NULL));
    assert_int_equal(dtb_model_param_count(NULL), -1);
    assert_int_equal(dtb_model_state_count(NULL), -1);
    assert_null(dtb_model_param_name(NULL, 0));
    assert_true(isnan(dtb_model_time_scale(NULL)));
    dtb_model_free(NULL);
    double v;
    assert_int_equal(dtb_model_get_param(NULL, "a", &v), DTB_EINVAL);
}

/* Found by fuzzing: a long chain of operators in a file (x+x+...+x) made a
 * tree as tall as the chain and crashed the host on the stack. It is now a
 * parse error naming file and line; so is a ConditionalDerivedVariable
 * whose cases would nest deeper than the limit. */
static char *piecewise_model(const char *case_value, const char *default_value)
{
    static const char fmt[] =
        "<Lems>\n"
        "  <ComponentType name=\"Tall\">\n"
        "    <Dynamics>\n"
        "      <StateVariable name=\"x\" dimension=\"none\"/>\n"
        "      <ConditionalDerivedVariable name=\"r\" dimension=\"none\">\n"
        "        <Case condition=\"x .lt. 0\" value=\"%s\"/>\n"
        "        <Case value=\"%s\"/>\n"
        "      </ConditionalDerivedVariable>\n"
        "      <TimeDerivative variable=\"x\" value=\"-r\"/>\n"
        "    </Dynamics>\n"
        "  </ComponentType>\n"
        "  <RegionModel name=\"tall\" type=\"Tall\"/>\n"
        "</Lems>\n";
    size_t n = sizeof fmt + strlen(case_value) + strlen(default_value);
    char *xml = malloc(n);
    if (xml)
        snprintf(xml, n, fmt, case_value, default_value);
    return xml;
}

static char *chain(size_t n_terms)
{
    char *s = malloc(2 * n_terms);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n_terms; i++) {
        s[2 * i] = 'x';
        s[2 * i + 1] = '+';
    }
    s[2 * n_terms - 1] = '\0';
    return s;
}

static void test_tall_expressions(void **state)
{
    (void)state;
    dtb_model *m = NULL;
    char *tall = chain(200000), *just_fits = chain(1024);
    assert_non_null(tall);
    assert_non_null(just_fits);
    char *xml = piecewise_model("1", tall);
    assert_non_null(xml);
    assert_int_equal(dtb_model_load_string(&m, xml, strlen(xml), "tall.xml", NULL), DTB_EPARSE);
    assert_null(m);
    assert_error_contains("tall.xml:7");
    assert_error_contains("nested too deeply");
    free(xml);
    /* The default case fits on its own; the select above it does not. */
    xml = piecewise_model("1", just_fits);
    assert_non_null(xml);
    assert_int_equal(dtb_model_load_string(&m, xml, strlen(xml), "cases.xml", NULL), DTB_EPARSE);
    assert_error_contains("cases.xml:5");
    assert_error_contains("ConditionalDerivedVariable 'r': too many cases");
    free(xml);
    /* One level less loads and runs. */
    just_fits[2 * 1023 - 1] = '\0';
    xml = piecewise_model("1", just_fits);
    assert_non_null(xml);
    assert_int_equal(dtb_model_load_string(&m, xml, strlen(xml), "fits.xml", NULL), DTB_OK);
    dtb_model_free(m);
    free(xml);
    free(tall);
    free(just_fits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins_load),       cmocka_unit_test(test_g2d_defaults),
        cmocka_unit_test(test_wilson_cowan_units),  cmocka_unit_test(test_clone_is_independent),
        cmocka_unit_test(test_custom_file),         cmocka_unit_test(test_load_string_and_options),
        cmocka_unit_test(test_unknown_builtin),     cmocka_unit_test(test_malformed_corpus),
        cmocka_unit_test(test_null_handles),        cmocka_unit_test(test_neuroml_core_types_include),
        cmocka_unit_test(test_tall_expressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
