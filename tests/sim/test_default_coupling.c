/* libdtb tests — the coupling a model states it was published with
 * (<DefaultCoupling>, issue 14 item 1): the API, the CLI's default twin and
 * the provenance use the same one; bad statements are refused at load.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* decay.xml's model with `extra` inside its RegionModel. */
static dtb_status load_decay(dtb_model **m, const char *extra)
{
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<Lems>\n"
             "  <ComponentType name=\"Decay\">\n"
             "    <Parameter name=\"k\" dimension=\"none\"/>\n"
             "    <Requirement name=\"c0\" dimension=\"none\"/>\n"
             "    <Dynamics>\n"
             "      <StateVariable name=\"x\" dimension=\"none\"/>\n"
             "      <TimeDerivative variable=\"x\" value=\"-k * x + c0\"/>\n"
             "    </Dynamics>\n"
             "  </ComponentType>\n"
             "  <Decay id=\"d\" k=\"0.5\"/>\n"
             "  <RegionModel name=\"decay\" type=\"Decay\" defaults=\"d\">\n"
             "    <Coupling variable=\"x\" input=\"c0\"/>\n"
             "    %s\n"
             "  </RegionModel>\n"
             "</Lems>\n",
             extra);
    return dtb_model_load_string(m, xml, strlen(xml), "decay.xml", NULL);
}

static dtb_sim *make_sim(const dtb_model *m, dtb_coupling_kind kind)
{
    dtb_atlas *atlas = test_isolated_atlas(3);
    dtb_sim_options so;
    assert_int_equal(dtb_sim_options_init(&so, DTB_SIM_OPTIONS_VERSION), DTB_OK);
    so.coupling = kind;
    dtb_sim *sim = NULL;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &so), DTB_OK);
    dtb_atlas_free(atlas);
    return sim;
}

static double coupling_param(const dtb_sim *sim, const char *name)
{
    double v = NAN;
    assert_int_equal(dtb_sim_get_coupling_param(sim, name, &v), DTB_OK);
    return v;
}

static void test_rww_states_linear_a_1(void **state)
{
    (void)state;
    static const char *const names[] = {"reduced_wong_wang_exc_inh",
                                        "reduced_wong_wang_exc_inh_opendtb"};
    for (size_t i = 0; i < 2; i++) {
        dtb_model *m;
        assert_int_equal(dtb_model_create_builtin(&m, names[i]), DTB_OK);
        assert_int_equal(dtb_model_default_coupling(m), DTB_COUPLING_LINEAR);
        assert_int_equal(dtb_model_default_coupling_param_count(m), 1);
        assert_string_equal(dtb_model_default_coupling_param_name(m, 0), "a");
        assert_null(dtb_model_default_coupling_param_name(m, 1));
        assert_null(dtb_model_default_coupling_param_name(m, -1));
        double a = 0;
        assert_int_equal(dtb_model_get_default_coupling_param(m, "a", &a), DTB_OK);
        assert_true(a == 1.0);
        a = 7;
        assert_int_equal(dtb_model_get_default_coupling_param(m, "b", &a), DTB_ENOTFOUND);
        assert_error_contains("'b'");
        assert_true(a == 7);   /* untouched */

        /* the API default is the stated one, and the provenance says so */
        dtb_sim *sim = make_sim(m, (dtb_coupling_kind)0);
        assert_int_equal(dtb_sim_coupling(sim), DTB_COUPLING_LINEAR);
        assert_true(coupling_param(sim, "a") == 1.0);
        assert_true(coupling_param(sim, "b") == 0.0);
        assert_true(dtb_sim_provenance_count(sim) >= 1);
        const char *p = dtb_sim_provenance_entry(sim, 0);
        assert_non_null(strstr(p, "coupling linear: a=1, b=0"));
        assert_non_null(strstr(p, "stated by the model's descriptor"));
        /* going back to linear starts from the stated values again */
        assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 0.25), DTB_OK);
        assert_int_equal(dtb_sim_set_coupling(sim, DTB_COUPLING_SCALING), DTB_OK);
        assert_true(coupling_param(sim, "a") == 0.00390625);   /* TVB's: not stated for scaling */
        assert_int_equal(dtb_sim_set_coupling(sim, DTB_COUPLING_LINEAR), DTB_OK);
        assert_true(coupling_param(sim, "a") == 1.0);
        dtb_sim_free(sim);

        /* choosing linear explicitly gives the same; another kind TVB's */
        sim = make_sim(m, DTB_COUPLING_LINEAR);
        assert_true(coupling_param(sim, "a") == 1.0);
        assert_non_null(strstr(dtb_sim_provenance_entry(sim, 0), "chosen in dtb_sim_options"));
        dtb_sim_free(sim);
        sim = make_sim(m, DTB_COUPLING_DIFFERENCE);
        assert_true(coupling_param(sim, "a") == 0.1);
        assert_non_null(strstr(dtb_sim_provenance_entry(sim, 0), "TVB's default values"));
        dtb_sim_free(sim);
        dtb_model_free(m);
    }
}

/* A model that states nothing keeps TVB's linear a = 1/256. */
static void test_unstated_keeps_tvb_default(void **state)
{
    (void)state;
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "generic_2d_oscillator"), DTB_OK);
    assert_int_equal(dtb_model_default_coupling(m), 0);
    assert_int_equal(dtb_model_default_coupling_param_count(m), 0);
    double v;
    assert_int_equal(dtb_model_get_default_coupling_param(m, "a", &v), DTB_ENOTFOUND);
    dtb_sim *sim = make_sim(m, (dtb_coupling_kind)0);
    assert_int_equal(dtb_sim_coupling(sim), DTB_COUPLING_LINEAR);
    assert_true(coupling_param(sim, "a") == 0.00390625);
    assert_non_null(strstr(dtb_sim_provenance_entry(sim, 0), "coupling linear: a=0.00390625, b=0 "
                                                             "(the default coupling; TVB's"));
    dtb_sim_free(sim);
    dtb_model_free(m);
    assert_string_equal(dtb_coupling_kind_name(DTB_COUPLING_LINEAR), "linear");
    assert_string_equal(dtb_coupling_kind_name(DTB_COUPLING_HYPERBOLIC_TANGENT), "hyperbolic_tangent");
    assert_null(dtb_coupling_kind_name((dtb_coupling_kind)0));
    assert_null(dtb_coupling_kind_name((dtb_coupling_kind)999));
    assert_int_equal(dtb_model_default_coupling(NULL), -1);
    assert_int_equal(dtb_model_default_coupling_param_count(NULL), -1);
    assert_null(dtb_model_default_coupling_param_name(NULL, 0));
    assert_int_equal(dtb_model_get_default_coupling_param(NULL, "a", &v), DTB_EINVAL);
}

/* A descriptor may state another kind; the simulation starts with it. */
static void test_descriptor_states_another_kind(void **state)
{
    (void)state;
    dtb_model *m = NULL;
    assert_int_equal(load_decay(&m, "<DefaultCoupling kind=\"difference\" a=\"0.3\"/>"), DTB_OK);
    assert_int_equal(dtb_model_default_coupling(m), DTB_COUPLING_DIFFERENCE);
    dtb_sim *sim = make_sim(m, (dtb_coupling_kind)0);
    assert_int_equal(dtb_sim_coupling(sim), DTB_COUPLING_DIFFERENCE);
    assert_true(coupling_param(sim, "a") == 0.3);
    dtb_sim_free(sim);
    dtb_model_free(m);
    /* the alias of a kind is accepted */
    assert_int_equal(load_decay(&m, "<DefaultCoupling kind=\"tanh\" midpoint=\"0.5\"/>"), DTB_OK);
    assert_int_equal(dtb_model_default_coupling(m), DTB_COUPLING_HYPERBOLIC_TANGENT);
    dtb_model_free(m);
}

/* Each bad statement is refused at load, naming the file, line and what. */
static void test_bad_statements(void **state)
{
    (void)state;
    static const struct {
        const char *extra, *needle1, *needle2;
    } bad[] = {
        {"<DefaultCoupling kind=\"linaer\" a=\"1\"/>", "decay.xml:13", "'linaer'"},
        {"<DefaultCoupling a=\"1\"/>", "decay.xml:13", "needs a 'kind'"},
        {"<DefaultCoupling kind=\"expression\"/>", "decay.xml:13", "not a built-in coupling"},
        {"<DefaultCoupling kind=\"linear\" gain=\"2\"/>", "no parameter 'gain'", "it has a, b"},
        {"<DefaultCoupling kind=\"linear\" a=\"one\"/>", "decay.xml:13", "a='one' is not a number"},
        {"<DefaultCoupling kind=\"linear\" a=\"inf\"/>", "decay.xml:13", "a must be finite"},
        {"<DefaultCoupling kind=\"linear\" a=\"nan\"/>", "decay.xml:13", "not a number"},
        {"<DefaultCoupling kind=\"linear\"/><DefaultCoupling kind=\"scaling\"/>",
         "one DefaultCoupling", "line 13"},
        {"<DefaultCouplings kind=\"linear\"/>", "unknown element", "DefaultCoupling)"},
        /* what a simulation of this one-variable model could not do */
        {"<DefaultCoupling kind=\"sigmoidal_jansen_rit\"/>", "needs 2 coupling variables",
         "'decay' has 1"},
        {"<DefaultCoupling kind=\"pre_sigmoidal\" dynamic=\"1\"/>", "dynamic pre_sigmoidal",
         "'decay' has 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dtb_model *m = (dtb_model *)1;
        dtb_status st = load_decay(&m, bad[i].extra);
        if (st == DTB_OK)
            fail_msg("accepted: %s", bad[i].extra);
        assert_null(m);
        assert_error_contains(bad[i].needle1);
        assert_error_contains(bad[i].needle2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rww_states_linear_a_1),
        cmocka_unit_test(test_unstated_keeps_tvb_default),
        cmocka_unit_test(test_descriptor_states_another_kind),
        cmocka_unit_test(test_bad_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
