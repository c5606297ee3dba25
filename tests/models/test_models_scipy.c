/* Region models against SciPy: one uncoupled node of each model, from a
 * fixed start, against SciPy's integration (DOP853, rtol 1e-12) of the
 * model's equations as TVB's classes and their papers write them -- not
 * libdtb's XML -- in tests/data/reference/models (gen_region_models.py;
 * for SupHopf the closed form of the normal form's limit cycle). libdtb
 * runs RK4 at dt = 0.01 ms; the state is compared every 1 ms for 300 ms,
 * relative to the largest |value| of that state variable in the reference.
 *
 * Per model: the oracle, the error measured, the bound (about ten times
 * the measured error), and a mutation of libdtb/model/builtin/<model>.xml
 * that fails it (each checked):
 *   generic_2d_oscillator  SciPy, TVB's "Table 4" set: 9.3e-15, bound 1e-13;
 *                          dW/dt's beta W -> beta W x 1.00001: 1.6e-6
 *   wilson_cowan           SciPy, Sanz-Leon et al. 2014 "Table 1" (plain
 *                          logistic): 4.1e-12 (the reference's own check at
 *                          rtol 1e-10: 4.4e-12), bound 5e-11;
 *                          dE/dt's tau_e -> tau_e x 1.00001: 3.7e-4
 *   sup_hopf               the closed form r^2 = a / (1 + (a / r0^2 - 1)
 *                          e^(-2 a t)), phase theta0 + omega t (a = omega = 1):
 *                          2.4e-8 (RK4's phase error over 48 cycles, falling
 *                          as dt^4), bound 2.5e-7; omega y -> omega y x 1.00001
 *                          in dx/dt: 1.5e-3
 *   reduced_wong_wang      SciPy, TVB's defaults (relaxing to the fixed
 *                          point): 7.1e-15, bound 1e-13; the gating term
 *                          (1 - S) H gamma x 1.00001: 1.3e-5 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

#define MAXS 4
#define ROWS 301

typedef struct reference {
    char set_name[32][32];
    double set_value[32];
    int n_set;
    double start[MAXS];
    int n_states;
    double t[ROWS], x[ROWS][MAXS];
    int rows;
} reference;

static void read_reference(const char *model, reference *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/models/%s.csv", DTB_TEST_DATA, model);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    memset(r, 0, sizeof *r);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "# set ", 6) == 0) {
            assert_true(r->n_set < 32);
            assert_int_equal(sscanf(line + 6, "%31s %lf", r->set_name[r->n_set],
                                    &r->set_value[r->n_set]), 2);
            r->n_set++;
        } else if (strncmp(line, "# start ", 8) == 0) {
            char *p = line + 8, *end;
            while (r->n_states < MAXS && (r->start[r->n_states] = strtod(p, &end), end != p)) {
                r->n_states++;
                p = end;
            }
        } else {
            assert_true(r->rows < ROWS);
            char *p = line;
            r->t[r->rows] = strtod(p, &p);
            for (int k = 0; k < r->n_states; k++) {
                assert_int_equal(*p, ',');
                r->x[r->rows][k] = strtod(p + 1, &p);
            }
            r->rows++;
        }
    }
    fclose(f);
    assert_int_equal(r->rows, ROWS);
    assert_true(r->n_states > 0);
}

/* The largest difference between libdtb's run and the reference, relative
 * to the largest |value| of each state variable in the reference. */
static double run_model(const char *model)
{
    reference r;
    read_reference(model, &r);
    dtb_model *m;
    assert_int_equal(dtb_model_create_builtin(&m, model), DTB_OK);
    assert_int_equal(dtb_model_state_count(m), r.n_states);
    for (int i = 0; i < r.n_set; i++) {
        dtb_status st = dtb_model_set_param(m, r.set_name[i], r.set_value[i]);
        if (st)
            print_message("  %s: %s\n", model, dtb_last_error_message());
        assert_int_equal(st, DTB_OK);
    }
    const double w = 0.0;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_from_arrays(&a, 1, &w, NULL, NULL, NULL), DTB_OK);
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = 1e-5;   /* 0.01 ms */
    so.speed = INFINITY;
    so.integrator = DTB_INTEGRATOR_RK4;
    so.coupling = DTB_COUPLING_LINEAR;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &so), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_state(sim, r.start, (size_t)r.n_states), DTB_OK);
    double scale[MAXS] = {0};
    for (int j = 0; j < r.rows; j++)
        for (int k = 0; k < r.n_states; k++)
            scale[k] = nan_max(scale[k], fabs(r.x[j][k]));
    double worst = 0, x[MAXS];
    size_t need = 0;
    for (int j = 0; j < r.rows; j++) {
        if (j > 0)
            assert_int_equal(dtb_sim_step(sim, 100), DTB_OK);
        assert_true(fabs(dtb_sim_time(sim) - r.t[j] * 1e-3) < 1e-9);
        assert_int_equal(dtb_sim_get_state(sim, x, MAXS, &need), DTB_OK);
        assert_int_equal(need, (size_t)r.n_states);
        for (int k = 0; k < r.n_states; k++)
            worst = nan_max(worst, fabs(x[k] - r.x[j][k]) / scale[k]);
    }
    dtb_sim_free(sim);
    dtb_atlas_free(a);
    dtb_model_free(m);
    return worst;
}

static void check(const char *model, double bound)
{
    double e = run_model(model);
    print_message("  %-22s largest relative difference from SciPy %.3g (bound %.2g)\n", model, e,
                  bound);
    assert_true(e <= bound);
}

/* generic_2d_oscillator: SciPy; the TVB "Table 4" parameter set. */
static void test_generic_2d_oscillator(void **state)
{
    (void)state;
    check("generic_2d_oscillator", 1e-13);
}

/* wilson_cowan: SciPy; Sanz-Leon et al. 2014 "Table 1" (plain logistic). */
static void test_wilson_cowan(void **state)
{
    (void)state;
    check("wilson_cowan", 5e-11);
}

/* sup_hopf: the closed form of the limit cycle (a = 1, omega = 1). */
static void test_sup_hopf(void **state)
{
    (void)state;
    check("sup_hopf", 2.5e-7);
}

/* reduced_wong_wang: SciPy; TVB's defaults, relaxing to the fixed point. */
static void test_reduced_wong_wang(void **state)
{
    (void)state;
    check("reduced_wong_wang", 1e-13);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generic_2d_oscillator),
        cmocka_unit_test(test_wilson_cowan),
        cmocka_unit_test(test_sup_hopf),
        cmocka_unit_test(test_reduced_wong_wang),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
