/* A plain LEMS ComponentType as the node model of a whole-brain run
 * (dtb_model_load "FILE.xml#NAME"): the coupling enters through the type's
 * Requirement and leaves through its Exposure. Checked against the same
 * equations integrated by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

static dtb_status load_wc(dtb_model **m, const char *name)
{
    char path[4096], core[4096];
    snprintf(path, sizeof path, "%s#%s", shared_path("neuroml/dtb-examples/wc_cin_example.xml"), name);
    snprintf(core, sizeof core, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    const char *dirs[] = {core};
    dtb_model_load_options o = DTB_MODEL_LOAD_OPTIONS_INIT;
    o.include_dirs = dirs;
    o.n_include_dirs = 1;
    return dtb_model_load(m, path, &o);
}

static void test_synthesized_model(void **state)
{
    (void)state;
    dtb_model *m;
    assert_int_equal(load_wc(&m, "wcNode"), DTB_OK);
    assert_string_equal(dtb_model_name(m), "wcNode");
    assert_true(dtb_model_time_scale(m) == 1.0);
    assert_int_equal(dtb_model_state_count(m), 2);
    assert_int_equal(dtb_model_coupling_count(m), 1);
    assert_string_equal(dtb_model_coupling_input(m, 0), "c_in");
    assert_string_equal(dtb_model_state_name(m, dtb_model_coupling_state(m, 0)), "E");
    assert_int_equal(dtb_model_exposure_count(m), 3);
    assert_string_equal(dtb_model_exposure_name(m, 0), "E");
    assert_string_equal(dtb_model_exposure_name(m, 2), "xE");
    assert_null(dtb_model_exposure_name(m, 3));
    assert_int_equal(dtb_model_voi_count(m), 3);
    assert_string_equal(dtb_model_voi_name(m, 2), "xE");
    double v, lo, hi;
    assert_int_equal(dtb_model_get_param(m, "tau_e", &v), DTB_OK);
    assert_true(fabs(v - 0.01) < 1e-15);   /* "10ms", in SI */
    /* OnStart E = E0 (0.1), I = I0 (0.05): the default initial values. */
    assert_int_equal(dtb_model_state_range(m, 0, &lo, &hi), DTB_OK);
    assert_true(lo == 0.1 && hi == 0.1);
    assert_int_equal(dtb_model_state_range(m, 1, &lo, &hi), DTB_OK);
    assert_true(lo == 0.05 && hi == 0.05);
    dtb_model_free(m);
}

/* Two nodes coupled E -> c_in both ways (linear coupling, a = 1). */
static void by_hand(double dt, int steps, double *e_out, double *i_out)
{
    const double tau_e = 0.01, tau_i = 0.02, c_ee = 16, c_ie = 12, c_ei = 15, c_ii = 3, a_e = 1.3,
                 theta_e = 4, a_i = 2, theta_i = 3.7, k_e = 0.9945, k_i = 0.9994, r_e = 1, r_i = 1,
                 P = 1.25, Q = 0;
    double E[2] = {0.1, 0.3}, I[2] = {0.05, 0.05};   /* asymmetric: the coupling shows */
    for (int s = 0; s < steps; s++) {
        double nE[2], nI[2];
        for (int k = 0; k < 2; k++) {
            double c_in = E[1 - k];
            double xE = (c_ee * E[k] - c_ie * I[k]) + P + c_in;
            double xI = (c_ei * E[k] - c_ii * I[k]) + Q;
            double SE = 1 / (1 + exp(0 - a_e * (xE - theta_e))) - 1 / (1 + exp(a_e * theta_e));
            double SI = 1 / (1 + exp(0 - a_i * (xI - theta_i))) - 1 / (1 + exp(a_i * theta_i));
            nE[k] = E[k] + dt * ((0 - E[k] + (k_e - r_e * E[k]) * SE) / tau_e);
            nI[k] = I[k] + dt * ((0 - I[k] + (k_i - r_i * I[k]) * SI) / tau_i);
        }
        memcpy(E, nE, sizeof E);
        memcpy(I, nI, sizeof I);
    }
    memcpy(e_out, E, sizeof E);
    memcpy(i_out, I, sizeof I);
}

static void test_coupling_through_requirement(void **state)
{
    (void)state;
    dtb_model *m;
    assert_int_equal(load_wc(&m, "wcNode"), DTB_OK);
    const double w[4] = {0, 1, 1, 0};
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 2, w, NULL, NULL, NULL), DTB_OK);
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = 1e-5;
    so.speed = INFINITY;
    so.integrator = DTB_INTEGRATOR_EULER;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &so), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 1.0), DTB_OK);
    const double x0[4] = {0.1, 0.3, 0.05, 0.05};   /* E of both nodes, then I */
    assert_int_equal(dtb_sim_set_initial_state(sim, x0, 4), DTB_OK);
    assert_int_equal(dtb_sim_step(sim, 5000), DTB_OK);
    double x[4];
    size_t needed;
    assert_int_equal(dtb_sim_get_state(sim, x, 4, &needed), DTB_OK);
    double e[2], i[2];
    by_hand(1e-5, 5000, e, i);
    for (int k = 0; k < 2; k++) {
        print_message("node %d: E %.15g (by hand %.15g), I %.15g (%.15g)\n", k, x[k], e[k], x[2 + k], i[k]);
        assert_true(fabs(x[k] - e[k]) <= 1e-12 * fabs(e[k]));
        assert_true(fabs(x[2 + k] - i[k]) <= 1e-12 * fabs(i[k]));
    }
    dtb_sim_free(sim);
    dtb_atlas_free(a);
    dtb_model_free(m);
}

static void test_synthesis_errors(void **state)
{
    (void)state;
    dtb_model *m = (dtb_model *)1;
    assert_int_equal(load_wc(&m, "noSuchThing"), DTB_ENOTFOUND);
    assert_null(m);
    assert_error_contains("no RegionModel, ComponentType or Component named 'noSuchThing'");
    /* The driver has no state variable. */
    assert_int_equal(load_wc(&m, "cinSineDriver"), DTB_EPARSE);
    assert_error_contains("StateVariable");
    static const char xml[] =
        "<Lems><ComponentType name='N'><Requirement name='c' dimension='none'/>"
        "<Exposure name='y' dimension='none'/><Dynamics><StateVariable name='x' dimension='none'/>"
        "<DerivedVariable name='y' dimension='none' exposure='y' value='2 * x'/>"
        "<TimeDerivative variable='x' value='c'/></Dynamics></ComponentType>"
        "<ComponentType name='K'><Requirement name='c' dimension='none'/><Dynamics>"
        "<StateVariable name='x' dimension='none'/><TimeDerivative variable='x' value='c'/>"
        "<OnCondition test='x .gt. 1'><StateAssignment variable='x' value='0'/></OnCondition>"
        "</Dynamics></ComponentType></Lems>";
    dtb_model_load_options o = DTB_MODEL_LOAD_OPTIONS_INIT;
    o.model_name = "N";
    assert_int_equal(dtb_model_load_string(&m, xml, strlen(xml), "n.xml", &o), DTB_EPARSE);
    assert_error_contains("Exposure 'y'");
    assert_error_contains("not a state variable");
    o.model_name = "K";
    assert_int_equal(dtb_model_load_string(&m, xml, strlen(xml), "n.xml", &o), DTB_EPARSE);
    assert_error_contains("Requirement 'c' has no Exposure");
    /* A name in both the path and the options must agree. */
    o.model_name = "other";
    char path[4096];
    snprintf(path, sizeof path, "%s#wcNode", shared_path("neuroml/dtb-examples/wc_cin_example.xml"));
    assert_int_equal(dtb_model_load(&m, path, &o), DTB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthesized_model),
        cmocka_unit_test(test_coupling_through_requirement),
        cmocka_unit_test(test_synthesis_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
