/* Stimuli: temporal shapes, spatial patterns, the three kinds of target,
 * the step semantics (value at the step's start, [onset, onset + width)),
 * locality without coupling, arrival no earlier than the conduction delay,
 * and independence from the simulation's noise. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb/dtb.h"
#include "test_util.h"

static const char *model_path(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/models/%s", DTB_TEST_DATA, name);
    return buf;
}

static dtb_stimulus *make(const char *target, const char *shape, const char *names, ...)
{
    /* names: space-separated parameter names; values follow as doubles */
    dtb_stimulus *s;
    assert_int_equal(dtb_stimulus_create(&s, target), DTB_OK);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", names);
    const char *pn[8];
    double pv[8];
    size_t n = 0;
    va_list ap;
    va_start(ap, names);
    for (char *tok = strtok(buf, " "); tok && n < 8; tok = strtok(NULL, " ")) {
        pn[n] = tok;
        pv[n++] = va_arg(ap, double);
    }
    va_end(ap);
    assert_int_equal(dtb_stimulus_add(s, shape, pn, pv, n), DTB_OK);
    return s;
}

static void test_shapes(void **state)
{
    (void)state;
    dtb_stimulus *s = make("x", "pulse", "onset width amplitude", 0.1, 0.05, 2.0);
    assert_true(dtb_stimulus_value(s, 0.099) == 0.0);
    assert_true(dtb_stimulus_value(s, 0.1) == 2.0);
    assert_true(dtb_stimulus_value(s, 0.149) == 2.0);
    assert_true(dtb_stimulus_value(s, 0.151) == 0.0);
    dtb_stimulus_free(s);
    s = make("x", "pulse_train", "onset width period count", 0.0, 0.001, 0.01, 3.0);
    assert_true(dtb_stimulus_value(s, 0.0005) == 1.0);
    assert_true(dtb_stimulus_value(s, 0.0015) == 0.0);
    assert_true(dtb_stimulus_value(s, 0.0205) == 1.0);
    assert_true(dtb_stimulus_value(s, 0.0305) == 0.0);   /* only three pulses */
    dtb_stimulus_free(s);
    s = make("x", "biphasic", "onset width gap period amplitude", 0.0, 0.001, 0.0005, 0.01, 3.0);
    assert_true(dtb_stimulus_value(s, 0.0005) == 3.0);
    assert_true(dtb_stimulus_value(s, 0.0012) == 0.0);
    assert_true(dtb_stimulus_value(s, 0.0020) == -3.0);
    dtb_stimulus_free(s);
    s = make("x", "ramp", "onset duration amplitude", 1.0, 2.0, 4.0);
    assert_true(dtb_stimulus_value(s, 0.5) == 0.0);
    assert_true(fabs(dtb_stimulus_value(s, 2.0) - 2.0) < 1e-15);
    assert_true(dtb_stimulus_value(s, 5.0) == 4.0);
    dtb_stimulus_free(s);
    s = make("x", "sine", "frequency amplitude offset", 10.0, 2.0, 1.0);
    assert_true(fabs(dtb_stimulus_value(s, 0.025) - 3.0) < 1e-12);   /* quarter period */
    dtb_stimulus_free(s);
    s = make("x", "alpha", "onset tau amplitude", 0.01, 0.005, 7.0);
    assert_true(fabs(dtb_stimulus_value(s, 0.015) - 7.0) < 1e-12);   /* peak at tau */
    assert_true(dtb_stimulus_value(s, 0.005) == 0.0);
    dtb_stimulus_free(s);
    s = make("x", "gaussian", "mean sigma amplitude", 1.0, 0.1, 2.0);
    assert_true(fabs(dtb_stimulus_value(s, 1.1) - 2.0 * exp(-0.5)) < 1e-12);
    /* shapes add up; a window switches the whole stimulus */
    const char *pn[] = {"onset", "amplitude"};
    const double pv[] = {0.0, 0.5};
    assert_int_equal(dtb_stimulus_add(s, "step", pn, pv, 2), DTB_OK);
    assert_true(fabs(dtb_stimulus_value(s, 1.0) - 2.5) < 1e-12);
    assert_int_equal(dtb_stimulus_set_window(s, 0.5, 0.9), DTB_OK);
    assert_true(dtb_stimulus_value(s, 1.0) == 0.0);
    dtb_stimulus_free(s);
    /* table and waveform */
    assert_int_equal(dtb_stimulus_create(&s, "x"), DTB_OK);
    const double st[] = {0.0, 0.5}, en[] = {1.0, 0.7}, am[] = {1.0, 2.0};
    assert_int_equal(dtb_stimulus_add_table(s, st, en, am, 2), DTB_OK);
    assert_true(dtb_stimulus_value(s, 0.6) == 3.0);
    const double wt[] = {2.0, 3.0, 4.0}, wv[] = {0.0, 10.0, 0.0};
    assert_int_equal(dtb_stimulus_add_waveform(s, wt, wv, 3), DTB_OK);
    assert_true(fabs(dtb_stimulus_value(s, 2.25) - 2.5) < 1e-12);
    assert_true(dtb_stimulus_value(s, 5.0) == 0.0);
    assert_int_equal(dtb_stimulus_add_waveform(s, wv, wt, 3), DTB_EINVAL);   /* times not increasing */
    dtb_stimulus_free(s);
    /* errors name the problem */
    assert_int_equal(dtb_stimulus_create(&s, "x"), DTB_OK);
    const char *bad[] = {"onset", "widht"};
    const double bv[] = {0.0, 1.0};
    assert_int_equal(dtb_stimulus_add(s, "pulse", bad, bv, 2), DTB_ENOTFOUND);
    assert_error_contains("'widht'");
    assert_int_equal(dtb_stimulus_add(s, "pulse", bad, bv, 1), DTB_EINVAL);
    assert_error_contains("needs 'width'");
    assert_int_equal(dtb_stimulus_add(s, "square", NULL, NULL, 0), DTB_ENOTFOUND);
    const char *pw[] = {"width"};
    const double neg[] = {-1.0};
    assert_int_equal(dtb_stimulus_add(s, "pulse", pw, neg, 1), DTB_EINVAL);
    dtb_stimulus_free(s);
    assert_int_equal(dtb_stimulus_create(&s, ""), DTB_EINVAL);
}

static int destroyed;
static double cb_value(double t, void *ud) { return t * *(double *)ud; }
static void cb_destroy(void *ud)
{
    (void)ud;
    destroyed++;
}

static dtb_atlas *chain_atlas(int64_t n, double length_mm)
{
    /* region k receives from k-1 with weight 1 */
    double *w = calloc((size_t)(n * n), sizeof *w), *len = calloc((size_t)(n * n), sizeof *len);
    for (int64_t k = 1; k < n; k++) {
        w[k * n + k - 1] = 1.0;
        len[k * n + k - 1] = length_mm;
    }
    dtb_atlas *a;
    const char *labels[] = {"A_L", "A_R", "B_L", "B_R"};
    assert_int_equal(dtb_atlas_create_from_arrays(&a, n, w, len, NULL, n <= 4 ? labels : NULL), DTB_OK);
    free(w);
    free(len);
    return a;
}

/* decay.xml with k = 0 and no coupling term effect: x integrates its input. */
static dtb_sim *integrator_sim(dtb_atlas *a, double coupling_a, double speed)
{
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
    assert_int_equal(dtb_model_set_param(m, "k", 0.0), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.integrator = DTB_INTEGRATOR_EULER;
    o.speed = speed;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    dtb_model_free(m);
    assert_int_equal(dtb_sim_set_coupling_param(sim, "a", coupling_a), DTB_OK);
    assert_int_equal(dtb_sim_set_initial_value(sim, 0, 0.0), DTB_OK);
    return sim;
}

/* Onset 100 ms, width 50 ms: exactly the 500 steps that start in
 * [100 ms, 150 ms) receive it, and only the stimulated region. */
static void test_pulse_steps_and_locality(void **state)
{
    (void)state;
    dtb_atlas *a = chain_atlas(3, 1.0);
    dtb_sim *sim = integrator_sim(a, 0.0, INFINITY);
    dtb_stimulus *s = make("x", "pulse", "onset width amplitude", 0.1, 0.05, 2.0);
    assert_int_equal(dtb_stimulus_set_labels(s, "A_R"), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);   /* the simulation keeps its own copy */
    assert_int_equal(dtb_sim_stimulus_count(sim), 1);
    assert_int_equal(dtb_sim_step(sim, 999), DTB_OK);
    double x[6];
    dtb_sim_get_state(sim, x, 6, NULL);
    assert_true(x[1] == 0.0);
    assert_int_equal(dtb_sim_step(sim, 2001), DTB_OK);
    dtb_sim_get_state(sim, x, 6, NULL);
    /* Euler: 500 steps of h * s = 0.1 ms * 2 per ms */
    assert_true(fabs(x[1] - 500 * 0.1 * 2.0) < 1e-9);
    assert_true(x[0] == 0.0 && x[2] == 0.0);
    dtb_sim_free(sim);
    dtb_atlas_free(a);
}

/* Region weights (dtb_stimulus_set_weights) scale the stimulus region by
 * region, signs kept; the simulation refuses weights of another atlas
 * size; the target is the one named at creation. Fails if the weights are
 * ignored (every region would get 100), misplaced or taken as 0/1. */
static void test_weights_and_target(void **state)
{
    (void)state;
    dtb_atlas *a = chain_atlas(3, 1.0);
    dtb_sim *sim = integrator_sim(a, 0.0, INFINITY);
    dtb_stimulus *s = make("x", "pulse", "onset width amplitude", 0.1, 0.05, 2.0);
    assert_string_equal(dtb_stimulus_target(s), "x");
    const double w[3] = {0.5, 0.0, -1.5};
    assert_int_equal(dtb_stimulus_set_weights(s, w, 2), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_EINVAL);   /* 2 weights, 3 regions */
    assert_error_contains("2 weights");
    const double bad[3] = {0.5, NAN, 1.0};
    assert_int_equal(dtb_stimulus_set_weights(s, bad, 3), DTB_EINVAL);
    assert_int_equal(dtb_stimulus_set_weights(s, w, 3), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);
    assert_int_equal(dtb_sim_step(sim, 3000), DTB_OK);
    double x[6];
    dtb_sim_get_state(sim, x, 6, NULL);
    /* Euler: 500 steps of h * s * w = 0.1 ms * 2 per ms * w: 100 w */
    print_message("weighted pulse: x = %g, %g, %g (expected 50, 0, -150)\n", x[0], x[1], x[2]);
    for (int k = 0; k < 3; k++)
        assert_true(fabs(x[k] - 100 * w[k]) < 1e-9);
    assert_null(dtb_stimulus_target(NULL));
    dtb_sim_free(sim);
    dtb_atlas_free(a);
}

/* With coupling, the response reaches the next region no earlier than the
 * conduction delay (2 mm at 1 m/s = 2 ms = 20 steps). */
static void test_arrival_after_delay(void **state)
{
    (void)state;
    dtb_atlas *a = chain_atlas(3, 2.0);
    dtb_sim *ref = integrator_sim(a, 1.0, 1.0), *sim = integrator_sim(a, 1.0, 1.0);
    dtb_stimulus *s = make("x", "pulse", "onset width", 0.001, 0.0005);
    int64_t region = 0;
    assert_int_equal(dtb_stimulus_set_regions(s, &region, 1), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);
    int first_change = -1;
    for (int step = 1; step <= 80; step++) {
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
        assert_int_equal(dtb_sim_step(ref, 1), DTB_OK);
        double x[6], y[6];
        dtb_sim_get_state(sim, x, 6, NULL);
        dtb_sim_get_state(ref, y, 6, NULL);
        if (first_change < 0 && x[1] != y[1])
            first_change = step;
    }
    /* stimulus from the step starting at 1 ms (step 11); x0 changes after it;
     * region 1 sees x0 20 steps later: its first change is step 11 + 1 + 20 */
    print_message("neighbour first changed at step %d\n", first_change);
    assert_int_equal(first_change, 32);
    dtb_sim_free(sim);
    dtb_sim_free(ref);
    dtb_atlas_free(a);
}

/* A stimulus on a parameter equals changing the parameter for those steps;
 * on a coupling input it adds to the input. */
static void test_param_and_input_targets(void **state)
{
    (void)state;
    dtb_atlas *a = chain_atlas(2, 1.0);
    dtb_model *m;
    assert_int_equal(dtb_model_load_file(&m, model_path("decay.xml"), NULL), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = INFINITY;
    dtb_sim *sim, *ref;
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    assert_int_equal(dtb_sim_create(&ref, a, m, &o), DTB_OK);
    dtb_stimulus *s = make("x_inf", "pulse", "onset width amplitude", 0.001, 0.002, 0.5);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);
    for (int step = 0; step < 60; step++) {
        double t = step * 1e-4 + 1e-10;
        assert_int_equal(dtb_sim_set_param(ref, "x_inf", t >= 0.001 && t < 0.003 ? 1.5 : 1.0), DTB_OK);
        assert_int_equal(dtb_sim_step(ref, 1), DTB_OK);
        assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
    }
    double x[4], y[4];
    dtb_sim_get_state(sim, x, 4, NULL);
    dtb_sim_get_state(ref, y, 4, NULL);
    assert_memory_equal(x, y, sizeof x);
    dtb_sim_free(sim);
    dtb_sim_free(ref);
    /* into the coupling input c0 */
    assert_int_equal(dtb_sim_create(&sim, a, m, &o), DTB_OK);
    s = make("c0", "step", "onset amplitude", 0.0, 0.25);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);
    assert_int_equal(dtb_sim_step(sim, 1), DTB_OK);
    double c[2];
    dtb_sim_get_coupling_input(sim, c, 2, NULL);
    assert_true(c[0] == 0.25);   /* region 0 has no incoming edge */
    /* unknown targets and patterns */
    s = make("nothing", "step", "onset", 0.0);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_ENOTFOUND);
    assert_error_contains("'nothing'");
    dtb_stimulus_free(s);
    s = make("x", "step", "onset", 0.0);
    assert_int_equal(dtb_stimulus_set_labels(s, "Z*"), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_ENOTFOUND);
    assert_error_contains("'Z*'");
    const double centre[3] = {0, 0, 0};
    assert_int_equal(dtb_stimulus_set_gaussian(s, centre, 10.0), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_EINVAL);   /* no centres */
    assert_error_contains("centres");
    dtb_stimulus_free(s);
    assert_int_equal(dtb_sim_stimulus_count(sim), 1);
    dtb_sim_free(sim);
    dtb_model_free(m);
    dtb_atlas_free(a);
}

/* Random shapes use the stimulus' own generator: the simulation's noise
 * stream is unchanged. A callback's destroy runs once, when the last copy
 * goes. A Gaussian pattern on an atlas with centres. */
static void test_random_callback_gaussian(void **state)
{
    (void)state;
    dtb_atlas *a;
    assert_int_equal(dtb_atlas_create_builtin(&a, "bn246"), DTB_OK);
    dtb_sim *sim = integrator_sim(a, 0.0, INFINITY), *ref = integrator_sim(a, 0.0, INFINITY);
    assert_int_equal(dtb_sim_set_noise(sim, 0, 1e-4), DTB_OK);
    assert_int_equal(dtb_sim_set_noise(ref, 0, 1e-4), DTB_OK);
    dtb_stimulus *s = make("x", "noise", "sigma", 1.0);
    int64_t r0 = 0;
    assert_int_equal(dtb_stimulus_set_regions(s, &r0, 1), DTB_OK);
    double scale = 3.0;
    assert_int_equal(dtb_stimulus_add_callback(s, cb_value, &scale, cb_destroy), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);
    assert_int_equal(destroyed, 0);
    assert_int_equal(dtb_sim_step(sim, 50), DTB_OK);
    assert_int_equal(dtb_sim_step(ref, 50), DTB_OK);
    double x[492], y[492];
    dtb_sim_get_state(sim, x, 492, NULL);
    dtb_sim_get_state(ref, y, 492, NULL);
    assert_true(x[0] != y[0]);
    assert_memory_equal(x + 1, y + 1, 245 * sizeof *x);
    dtb_sim_free(sim);
    assert_int_equal(destroyed, 1);
    dtb_sim_free(ref);
    /* Gaussian around region 0's centre: weight 1 there, smaller elsewhere */
    sim = integrator_sim(a, 0.0, INFINITY);
    double c0[3];
    assert_int_equal(dtb_atlas_region_centre(a, 0, c0), DTB_OK);
    s = make("x", "step", "onset", 0.0);
    assert_int_equal(dtb_stimulus_set_gaussian(s, c0, 15.0), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);
    assert_int_equal(dtb_sim_step(sim, 10), DTB_OK);
    dtb_sim_get_state(sim, x, 492, NULL);
    double c2[3];
    dtb_atlas_region_centre(a, 2, c2);
    double d2 = 0;
    for (int i = 0; i < 3; i++)
        d2 += (c2[i] - c0[i]) * (c2[i] - c0[i]);
    assert_true(fabs(x[0] - 10 * 0.1) < 1e-12);
    assert_true(fabs(x[2] - 10 * 0.1 * exp(-0.5 * d2 / 225.0)) < 1e-12);
    dtb_sim_free(sim);
    dtb_atlas_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_pulse_steps_and_locality),
        cmocka_unit_test(test_weights_and_target),
        cmocka_unit_test(test_arrival_after_delay),
        cmocka_unit_test(test_param_and_input_targets),
        cmocka_unit_test(test_random_callback_gaussian),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
