/* Closed-loop control (dtb_control.h) on the linear node, dx/dt = gamma x
 * + u (gamma = -10 per ms: x settles at u / 10 within a millisecond or
 * so): a PI controller holds x at its target through a step disturbance;
 * its output stays within its limits; after a long saturation it comes
 * back at once (no integral wind-up); a callback rule drives; bad input is
 * refused; the control setting of experiments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

enum { N = 3 };

static dtb_sim *linear_sim(void)
{
    dtb_atlas *atlas = test_isolated_atlas(N);
    dtb_model *model;
    assert_int_equal(dtb_model_create_builtin(&model, "linear"), DTB_OK);
    dtb_sim_options o = DTB_SIM_OPTIONS_INIT;
    o.speed = INFINITY;
    dtb_sim *sim;
    assert_int_equal(dtb_sim_create(&sim, atlas, model, &o), DTB_OK);
    dtb_atlas_free(atlas);
    dtb_model_free(model);
    assert_int_equal(dtb_sim_set_initial_value(sim, 0, 0.0), DTB_OK);
    return sim;
}

/* A step of `amplitude` into x of region 0 from t = onset. */
static void disturb(dtb_sim *sim, double onset, double amplitude)
{
    dtb_stimulus *s;
    assert_int_equal(dtb_stimulus_create(&s, "x"), DTB_OK);
    const char *names[2] = {"onset", "amplitude"};
    const double values[2] = {onset, amplitude};
    assert_int_equal(dtb_stimulus_add(s, "step", names, values, 2), DTB_OK);
    const int64_t region = 0;
    assert_int_equal(dtb_stimulus_set_regions(s, &region, 1), DTB_OK);
    assert_int_equal(dtb_sim_add_stimulus(sim, s), DTB_OK);
    dtb_stimulus_free(s);
}

static double x0(const dtb_sim *sim)
{
    double x[N];
    size_t need;
    assert_int_equal(dtb_sim_get_state(sim, x, N, &need), DTB_OK);
    return x[0];
}

static dtb_controller *pi(double target, double lo, double hi)
{
    dtb_pid_options o;
    assert_int_equal(dtb_pid_options_init(&o, DTB_PID_OPTIONS_VERSION), DTB_OK);
    o.kp = 5;
    o.ki = 200;
    o.target = target;
    o.out_min = lo;
    o.out_max = hi;
    dtb_controller *c;
    assert_int_equal(dtb_controller_create_pid(&c, &o), DTB_OK);
    return c;
}

static void test_holds_target_through_a_disturbance(void **state)
{
    (void)state;
    /* without control, the disturbance moves x to -0.1 */
    dtb_sim *open = linear_sim();
    disturb(open, 0.5, -1.0);
    assert_int_equal(dtb_sim_run(open, 1.0, NULL, NULL), DTB_OK);
    assert_true(fabs(x0(open) + 0.1) < 1e-3);
    dtb_sim_free(open);

    dtb_sim *sim = linear_sim();
    disturb(sim, 0.5, -1.0);
    dtb_controller *c = pi(0.2, -5, 5);
    const int64_t region = 0;
    assert_int_equal(dtb_controller_attach(c, sim, "x", 0, 0.01, "x", &region, 1), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 0.5, NULL, NULL), DTB_OK);
    assert_true(fabs(x0(sim) - 0.2) < 1e-3);
    assert_true(fabs(dtb_controller_output(c) - 2.0) < 1e-2);   /* u = 10 x */
    assert_int_equal(dtb_sim_run(sim, 0.5, NULL, NULL), DTB_OK);
    print_message("x at 1 s: %.5f (target 0.2), output %.4f after a disturbance of -1\n",
                  x0(sim), dtb_controller_output(c));
    assert_true(fabs(x0(sim) - 0.2) < 1e-3);
    assert_true(fabs(dtb_controller_output(c) - 3.0) < 1e-2);   /* it cancels the -1 */
    assert_int_equal(dtb_controller_update_count(c), 100);
    assert_true(fabs(dtb_controller_measurement(c) - 0.2) < 1e-3);
    dtb_controller_free(c);
    dtb_sim_free(sim);
}

/* An unreachable target (x = 5 needs u = 50) holds the output at its
 * limit for a second; a reachable one is then reached within 0.5 s (the
 * closed loop's time constant is 75 ms), which a wound-up integral (about
 * 4.8 over the second) would delay by tens of seconds. */
static void test_limits_and_no_windup(void **state)
{
    (void)state;
    dtb_sim *sim = linear_sim();
    dtb_controller *c = pi(5.0, -2, 2);
    assert_int_equal(dtb_controller_attach(c, sim, "x", 0, 0.01, "x", NULL, 0), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 1.0, NULL, NULL), DTB_OK);
    assert_true(dtb_controller_output(c) == 2.0);
    assert_true(fabs(x0(sim) - 0.2) < 1e-3);
    assert_int_equal(dtb_controller_set_target(c, 0.1), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 0.5, NULL, NULL), DTB_OK);
    print_message("after saturation: x %.5f 0.5 s after the target became 0.1\n", x0(sim));
    assert_true(fabs(x0(sim) - 0.1) < 2e-3);
    dtb_controller_free(c);
    dtb_sim_free(sim);
}

static int calls;

static double constant_rule(double t, double y, void *ud)
{
    (void)t;
    (void)y;
    calls++;
    return *(const double *)ud;
}

static double nan_rule(double t, double y, void *ud)
{
    (void)y;
    (void)ud;
    return t > 0.05 ? NAN : 0.0;
}

static void count_destroy(void *ud)
{
    (void)ud;
    calls += 1000;
}

static void test_callback_rule(void **state)
{
    (void)state;
    dtb_sim *sim = linear_sim();
    static const double u = 1.0;
    dtb_controller *c;
    calls = 0;
    assert_int_equal(dtb_controller_create_callback(&c, constant_rule, (void *)&u, count_destroy),
                     DTB_OK);
    assert_int_equal(dtb_controller_attach(c, sim, "x", 2, 0.005, "x", NULL, 0), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 0.1, NULL, NULL), DTB_OK);
    assert_int_equal(calls, 20);
    assert_true(fabs(x0(sim) - 0.1) < 1e-3);
    assert_int_equal(dtb_controller_set_target(c, 1.0), DTB_EINVAL);
    dtb_controller_free(c);
    assert_int_equal(calls, 20);     /* the simulation still holds it */
    dtb_sim_free(sim);
    assert_int_equal(calls, 1020);   /* destroyed once, with the simulation */

    /* a non-finite output stops the run */
    sim = linear_sim();
    assert_int_equal(dtb_controller_create_callback(&c, nan_rule, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_controller_attach(c, sim, "x", 0, 0.01, "x", NULL, 0), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 0.2, NULL, NULL), DTB_ECANCELLED);
    dtb_controller_free(c);
    dtb_sim_free(sim);
}

static void test_bad_input(void **state)
{
    (void)state;
    dtb_pid_options o = DTB_PID_OPTIONS_INIT;
    dtb_controller *c = NULL;
    o.out_min = 1;
    o.out_max = -1;
    assert_int_equal(dtb_controller_create_pid(&c, &o), DTB_EINVAL);
    assert_error_contains("min 1 is not below max -1");
    assert_null(c);
    o.out_min = 0.5;
    o.out_max = 1;
    assert_int_equal(dtb_controller_create_pid(&c, &o), DTB_EINVAL);
    assert_error_contains("bias 0");
    o.out_min = o.out_max = 0;
    o.kp = NAN;
    assert_int_equal(dtb_controller_create_pid(&c, &o), DTB_EINVAL);
    assert_error_contains("kp");
    assert_int_equal(dtb_controller_create_callback(&c, NULL, NULL, NULL), DTB_EINVAL);
    assert_int_equal(dtb_pid_options_init(NULL, 1), DTB_EINVAL);

    dtb_sim *sim = linear_sim();
    c = pi(0.1, 0, 0);
    assert_int_equal(dtb_controller_attach(c, sim, "x", 0, 0.00025, "x", NULL, 0), DTB_EINVAL);
    assert_error_contains("not a whole number of steps");
    assert_int_equal(dtb_controller_attach(c, sim, "x", N, 0.01, "x", NULL, 0), DTB_EINVAL);
    assert_error_contains("region 3 of 3");
    assert_int_equal(dtb_controller_attach(c, sim, "nope", 0, 0.01, "x", NULL, 0),
                     DTB_ENOTFOUND);
    assert_int_equal(dtb_controller_attach(c, sim, "x", 0, 0.01, "x", NULL, 0), DTB_OK);
    assert_int_equal(dtb_controller_attach(c, sim, "x", 0, 0.01, "x", NULL, 0), DTB_ESTATE);
    assert_int_equal(dtb_controller_set_target(c, NAN), DTB_EINVAL);
    assert_int_equal(dtb_controller_set_target(NULL, 1), DTB_EINVAL);
    assert_true(isnan(dtb_controller_output(NULL)));
    assert_true(isnan(dtb_controller_measurement(NULL)));
    assert_true(isnan(dtb_controller_measurement(c)));   /* before the first period */
    assert_int_equal(dtb_controller_update_count(NULL), -1);
    dtb_controller_free(c);
    dtb_controller_free(NULL);
    dtb_sim_free(sim);
}

/* The experiment setting: its text checked when added, a run that holds
 * x, and no checkpoints with it. */
static void test_experiment_setting(void **state)
{
    (void)state;
    dtb_experiment *e;
    assert_int_equal(dtb_experiment_create(&e), DTB_OK);
    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"pi:kp=1:read=x@0:target=1:drive=x", "is not pid:"},
        {"pid:kp=1:read=x:target=1:drive=x", "read='x' is not VAR@REGION"},
        {"pid:kp=1:read=bold:x@0:target=1:drive=x", "read=bold: a controller reads the temporal"},
        {"pid:kp=1:read=tavg:target=1:drive=x", "read='target=1' is not VAR@REGION"},
        {"pid:kp=1:target=1:drive=x:read=tavg", "read=tavg is not followed by :VAR@REGION"},
        {"pid:kp=1:read=x@0:drive=x", "lacks target=X"},
        {"pid:kp=1,kq=2:read=x@0:target=1:drive=x", "unknown pid key 'kq'"},
        {"pid:kp=1,min=0:read=x@0:target=1:drive=x", "both limits"},
        {"pid:kp=1,min=2,max=1:read=x@0:target=1:drive=x", "min 2 is not below max 1"},
        {"pid:kp=1,period=-1ms:read=x@0:target=1:drive=x", "period '-1ms'"},
        {"pid:kp=a:read=x@0:target=1:drive=x", "kp 'a'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dtb_experiment_add(e, "control", bad[i].text), DTB_EINVAL);
        assert_error_contains(bad[i].needle);
    }
    char atlas[1200];
    snprintf(atlas, sizeof atlas, "%s/w.txt", test_tmpdir());
    FILE *f = fopen(atlas, "w");
    assert_non_null(f);
    fputs("0 0 0\n0 0 0\n0 0 0\n", f);
    fclose(f);
    assert_int_equal(dtb_experiment_add(e, "atlas", atlas), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "model", "linear"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "speed", "inf"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "init", "x=0"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "duration", "600ms"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "control", "pid:kp=5,ki=200,min=-5,max=5,"
                                                      "period=10ms:read=x@1:target=0.3:drive=x@1"),
                     DTB_OK);
    dtb_sim *sim;
    char out[1200];
    snprintf(out, sizeof out, "%s/ctl", test_tmpdir());
    assert_int_equal(dtb_experiment_build(e, out, &sim), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 0.6, NULL, NULL), DTB_OK);
    double x[3];
    size_t need;
    assert_int_equal(dtb_sim_get_state(sim, x, 3, &need), DTB_OK);
    assert_true(fabs(x[1] - 0.3) < 1e-3 && fabs(x[0]) < 1e-9);
    dtb_sim_free(sim);
    assert_int_equal(dtb_experiment_add(e, "control", "pid:kp=1:read=x@7:target=0:drive=x"),
                     DTB_OK);
    assert_int_equal(dtb_experiment_build(e, out, &sim), DTB_EINVAL);
    assert_error_contains("7");
    assert_int_equal(dtb_experiment_remove(e, "control"), DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "control", "pid:kp=1:read=x@0:target=0:drive=x"),
                     DTB_OK);
    assert_int_equal(dtb_experiment_add(e, "from", "c.ckpt"), DTB_OK);
    assert_int_equal(dtb_experiment_build(e, out, &sim), DTB_EINVAL);
    assert_error_contains("not its controllers' state");
    dtb_experiment_free(e);
}

/* A controlled simulation saved halfway and resumed from the checkpoint
 * by another goes on exactly as the first: the controller's integral,
 * previous error, output and count come back with the checkpoint (without
 * them the resumed integral would start at 0 and the outputs differ). */
static void test_checkpoint_resume(void **state)
{
    (void)state;
    char path[1200];
    snprintf(path, sizeof path, "%s/controlled.ckpt", test_tmpdir());
    dtb_sim *sim[2];
    dtb_controller *c[2];
    const int64_t region = 0;
    for (int k = 0; k < 2; k++) {
        sim[k] = linear_sim();
        disturb(sim[k], 0.05, -1.0);
        c[k] = pi(0.2, -5, 5);
        assert_int_equal(dtb_controller_attach(c[k], sim[k], "x", 0, 0.01, "x", &region, 1),
                         DTB_OK);
    }
    assert_int_equal(dtb_sim_run(sim[0], 0.1, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_sim_save_checkpoint(sim[0], path), DTB_OK);
    assert_int_equal(dtb_sim_load_checkpoint(sim[1], path), DTB_OK);
    assert_int_equal(dtb_controller_update_count(c[1]), dtb_controller_update_count(c[0]));
    assert_true(dtb_controller_output(c[1]) == dtb_controller_output(c[0]));
    for (int k = 0; k < 2; k++)
        assert_int_equal(dtb_sim_run(sim[k], 0.1, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_controller_update_count(c[0]), 20);
    assert_int_equal(dtb_controller_update_count(c[1]), 20);
    assert_true(dtb_controller_output(c[1]) == dtb_controller_output(c[0]));
    assert_true(dtb_controller_measurement(c[1]) == dtb_controller_measurement(c[0]));
    assert_true(x0(sim[1]) == x0(sim[0]));
    /* a simulation without the controller refuses the checkpoint, naming it */
    dtb_sim *plain = linear_sim();
    disturb(plain, 0.05, -1.0);
    assert_int_not_equal(dtb_sim_load_checkpoint(plain, path), DTB_OK);
    dtb_sim_free(plain);
    for (int k = 0; k < 2; k++) {
        dtb_controller_free(c[k]);
        dtb_sim_free(sim[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holds_target_through_a_disturbance),
        cmocka_unit_test(test_checkpoint_resume),
        cmocka_unit_test(test_limits_and_no_windup),
        cmocka_unit_test(test_callback_rule),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_experiment_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
