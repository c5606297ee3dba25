/* The companion of kuramoto_delay (test_tvb_reference.c), which cannot tell
 * the integrators apart: TVB's SupHopf on the same delayed 76-region
 * network, whose derivative depends on the state, integrated by Euler,
 * Heun and RK4 in TVB's conventions by an independent NumPy script
 * (tests/data/reference/integrators/gen_suphopf_integrators.py, its output
 * committed beside it). Each libdtb integrator must match its own
 * reference, and the references differ from each other by far more than
 * the tolerance, so a wrong stage of any integrator fails here.
 *
 * Measured max |error| when the tolerances were set (gcc 12, x86-64):
 * Euler 1.87e-14, Heun 4.0e-15, RK4 1.38e-14 (coupling sums in another
 * order); tolerances about ten times that. The references differ from
 * each other by 0.56 to 1.4. Checked: Heun's corrector evaluated at the
 * start of the step instead of at the predictor fails Heun here (1.41),
 * while kuramoto_delay passes; RK4's third stage taken from k1 instead of
 * k2 fails RK4 here (0.35), which no other reference test runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "io/npy.h"
#include "test_util.h"

#define NREG 76
#define EVERY_MS 2.0

static void read_ref(const char *name, dtb__npy_array *a)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/integrators/%s", DTB_TEST_DATA, name);
    assert_int_equal(dtb__npy_read(path, a), DTB_OK);
}

/* libdtb's run: rows x 2 x NREG, the state every 2 ms from 2 ms on. */
static double *run(dtb_integrator integrator, size_t rows)
{
    dtb__npy_array x0;
    read_ref("suphopf_x0.npy", &x0);
    assert_int_equal(x0.count, 2 * NREG);
    dtb_atlas *atlas;
    assert_int_equal(dtb_atlas_load(&atlas, shared_path("atlases/tvb76"), NULL), DTB_OK);
    dtb_model *model;
    assert_int_equal(dtb_model_create_builtin(&model, "sup_hopf"), DTB_OK);
    assert_int_equal(dtb_model_set_param(model, "a", 0.5), DTB_OK);
    assert_int_equal(dtb_model_set_param(model, "omega", 1.0), DTB_OK);
    dtb_sim_options so = DTB_SIM_OPTIONS_INIT;
    so.dt = 1e-4;
    so.speed = 3.0;
    so.integrator = integrator;
    so.coupling = DTB_COUPLING_LINEAR;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &so), DTB_OK);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", 0.01), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_state(sim, x0.data, (size_t)x0.count), DTB_OK);
    dtb_observer_options oo = DTB_OBSERVER_OPTIONS_INIT;
    oo.kind = DTB_OBSERVER_SUBSAMPLE;
    oo.period = EVERY_MS * 1e-3;
    oo.variables = "x,y";
    dtb_observer *obs;
    assert_int_equal(dtb_observer_create(&obs, sim, &oo), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, (double)rows * EVERY_MS * 1e-3, NULL, NULL), DTB_OK);
    double *t = malloc(rows * sizeof *t), *v = malloc(rows * 2 * NREG * sizeof *v);
    size_t got = 0;
    assert_int_equal(dtb_observer_read(obs, t, v, rows, &got), DTB_OK);
    assert_int_equal(got, rows);
    assert_int_equal(dtb_observer_sample_count(obs), (int64_t)rows);
    for (size_t r = 0; r < rows; r++)
        assert_true(fabs(t[r] - (double)(r + 1) * EVERY_MS * 1e-3) < 1e-12);
    free(t);
    dtb_observer_free(obs);
    dtb_sim_free(sim);
    dtb_model_free(model);
    dtb_atlas_free(atlas);
    dtb__npy_array_free(&x0);
    return v;
}

static double max_diff(const double *a, const double *b, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = nan_max(worst, fabs(a[i] - b[i]));
    return worst;
}

static void test_integrators_apart(void **state)
{
    (void)state;
    static const char *const names[3] = {"euler", "heun", "rk4"};
    static const dtb_integrator kinds[3] = {DTB_INTEGRATOR_EULER, DTB_INTEGRATOR_HEUN,
                                            DTB_INTEGRATOR_RK4};
    static const double tol[3] = {2e-13, 4e-14, 1.5e-13};
    dtb__npy_array ref[3];
    for (int m = 0; m < 3; m++) {
        char file[64];
        snprintf(file, sizeof file, "suphopf_%s.npy", names[m]);
        read_ref(file, &ref[m]);
        assert_int_equal(ref[m].ndim, 3);
        assert_int_equal(ref[m].shape[1], 2);
        assert_int_equal(ref[m].shape[2], NREG);
        assert_int_equal(ref[m].shape[0], 50);   /* 100 ms */
    }
    const size_t rows = (size_t)ref[0].shape[0], n = rows * 2 * NREG;
    for (int m = 0; m < 3; m++) {
        double *got = run(kinds[m], rows);
        double own = max_diff(got, ref[m].data, n);
        print_message("%-5s: max |error| %.3g against its reference (tolerance %.1e);", names[m],
                      own, tol[m]);
        for (int o = 0; o < 3; o++) {
            if (o == m)
                continue;
            double other = max_diff(got, ref[o].data, n);
            print_message(" %.3g against %s's", other, names[o]);
            /* the case can tell them apart */
            assert_true(other > 1e6 * tol[m]);
        }
        print_message("\n");
        assert_true(own <= tol[m]);
        free(got);
    }
    for (int m = 0; m < 3; m++)
        dtb__npy_array_free(&ref[m]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integrators_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
