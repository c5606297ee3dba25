/* Feedback inhibition control (dtb_sim_apply_fic): the balanced J_i make
 * every region's excitatory input settle at the target, from the fixed
 * point and from a perturbed start, with delays; and the refusals. (At
 * strong coupling the balanced fixed point exists but can be unstable, as
 * Deco et al. describe for large G: the test stays at the default G.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "dtb/dtb.h"

#define TARGET (-0.026)   /* nA below threshold: Deco et al. 2014 */

static dtb_sim *rww_sim(dtb_atlas *atlas, double G, dtb_model **model_out)
{
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, "reduced_wong_wang_exc_inh"), DTB_OK);
    assert_int_equal(dtb_model_set_param(m, "G", G), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.integrator = DTB_INTEGRATOR_EULER;
    o.speed = 3.0;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, m, &o), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 1.0), DTB_OK);
    *model_out = m;
    return sim;
}

/* Run `seconds` and return the last sample of I_e - b_e/a_e per region
 * (b_e / a_e = 125 / 310 nA with the defaults). */
static void settle(dtb_sim *sim, double seconds, double *offset, size_t n)
{
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_SUBSAMPLE;
    oo.period = 0.1;
    oo.variables = "I_e";
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &oo), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, seconds, NULL, NULL), DTB_OK);
    int64_t rows = dtb_observer_pending(obs);
    assert_true(rows > 0);
    double *t = malloc(sizeof(double) * (size_t)rows), *v = malloc(sizeof(double) * (size_t)rows * n);
    size_t got;
    assert_int_equal(dtb_observer_read(obs, t, v, (size_t)rows, &got), DTB_OK);
    for (size_t k = 0; k < n; k++)
        offset[k] = v[(got - 1) * n + k] - 125.0 / 310.0;
    free(t);
    free(v);
    dtb_observer_free(obs);
}

static void test_fic_balances_every_region(void **state)
{
    (void)state;
    dtb_atlas *atlas;
    assert_int_equal(dtb_atlas_create_builtin(&atlas, "bn246"), DTB_OK);
    const size_t n = 246;
    const double G = 0.1;   /* the default twin's; the balanced state is stable there */
    double *ji = malloc(sizeof(double) * n), *off = malloc(sizeof(double) * n);
    dtb_model *m;
    dtb_sim *sim = rww_sim(atlas, G, &m);

    /* without FIC the regions' inputs spread away from the target */
    settle(sim, 3.0, off, n);
    double spread_before = 0;
    for (size_t k = 0; k < n; k++)
        spread_before = nan_max(spread_before, fabs(off[k] - TARGET));
    dtb_sim_free(sim);
    dtb_model_free(m);

    sim = rww_sim(atlas, G, &m);
    assert_int_equal(dtb_sim_apply_fic(sim, TARGET), DTB_OK);
    assert_int_equal(dtb_sim_get_param_regions(sim, "J_i", ji, n, NULL), DTB_OK);
    double jmin = INFINITY, jmax = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        jmin = nan_min(jmin, ji[k]);
        jmax = nan_max(jmax, ji[k]);
    }
    /* the start is the fixed point: I_e sits at the target from step one */
    settle(sim, 1.0, off, n);
    double err_fixed = 0;
    for (size_t k = 0; k < n; k++)
        err_fixed = nan_max(err_fixed, fabs(off[k] - TARGET));
    int found = 0;
    for (int64_t i = 0; i < dtb_sim_provenance_count(sim); i++)
        found |= strstr(dtb_sim_provenance_entry(sim, i), "feedback inhibition control") != NULL;
    assert_true(found);
    dtb_sim_free(sim);
    dtb_model_free(m);

    /* from another start (and through the delays) it settles there too;
     * dtb_sim_fic_stability agrees: the fixed point is stable (largest real
     * part of the Jacobian's eigenvalues negative), and refuses before FIC */
    sim = rww_sim(atlas, G, &m);
    double max_real = NAN;
    assert_int_equal(dtb_sim_fic_stability(sim, &max_real), DTB_ESTATE);
    assert_int_equal(dtb_sim_apply_fic(sim, TARGET), DTB_OK);
    assert_int_equal(dtb_sim_fic_stability(sim, &max_real), DTB_OK);
    print_message("FIC stability at G = %g: largest real part %.4g 1/s\n", G, max_real);
    assert_true(max_real < 0);
    double x[2 * 246];
    assert_int_equal(dtb_sim_get_state(sim, x, 2 * n, NULL), DTB_OK);
    for (size_t i = 0; i < 2 * n; i++)
        x[i] *= 1.0 + 0.05 * (double)((int)(i * 7919 % 13) - 6) / 6.0;   /* +-5 % */
    assert_int_equal(dtb_sim_set_initial_state(sim, x, 2 * n), DTB_OK);
    settle(sim, 5.0, off, n);
    double err_settled = 0;
    for (size_t k = 0; k < n; k++)
        err_settled = nan_max(err_settled, fabs(off[k] - TARGET));
    print_message("FIC on bn246, G = %g: J_i in [%.4f, %.4f]; |I_e - b_e/a_e - (%.3f)| <= %.2g "
                  "from the fixed point, %.2g after 5 s from elsewhere (%.3g without FIC)\n",
                  G, jmin, jmax, TARGET, err_fixed, err_settled, spread_before);
    assert_true(jmin > 0 && jmax - jmin > 0.05);
    assert_true(err_fixed < 1e-12);
    assert_true(err_settled < 1e-6);
    assert_true(spread_before > 0.01);
    dtb_sim_free(sim);
    dtb_model_free(m);
    free(ji);
    free(off);
    dtb_atlas_free(atlas);
}

static void test_fic_refusals(void **state)
{
    (void)state;
    dtb_atlas *atlas;
    assert_int_equal(dtb_atlas_create_builtin(&atlas, "bn246"), DTB_OK);
    dtb_model *m;
    dtb_sim *sim = rww_sim(atlas, 0.5, &m);
    assert_int_equal(dtb_sim_apply_fic(NULL, TARGET), DTB_EINVAL);
    assert_int_equal(dtb_sim_apply_fic(sim, NAN), DTB_EINVAL);
    assert_error_contains("not finite");
    /* a target the excitation already lies below: J_i would be negative */
    assert_int_equal(dtb_sim_apply_fic(sim, 1.0), DTB_EINVAL);
    assert_error_contains("negative inhibitory weight");
    assert_int_equal(dtb_sim_set_coupling(sim, DTB_COUPLING_SIGMOIDAL), DTB_OK);
    assert_int_equal(dtb_sim_apply_fic(sim, TARGET), DTB_EINVAL);
    assert_error_contains("linear or scaling");
    /* refusals change nothing: J_i keeps one value everywhere */
    double ji[246];
    assert_int_equal(dtb_sim_get_param_regions(sim, "J_i", ji, 246, NULL), DTB_OK);
    for (int k = 1; k < 246; k++)
        assert_true(ji[k] == ji[0]);
    dtb_sim_free(sim);
    dtb_model_free(m);

    dtb_model *g;
    assert_int_equal(dtb_model_create_builtin(&g, "generic_2d_oscillator"), DTB_OK);
    assert_int_equal(dtb_sim_create(&sim, atlas, g, NULL), DTB_OK);
    assert_int_equal(dtb_sim_apply_fic(sim, TARGET), DTB_EINVAL);
    assert_error_contains("not a reduced Wong-Wang");
    dtb_sim_free(sim);
    dtb_model_free(g);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fic_balances_every_region),
        cmocka_unit_test(test_fic_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
