/* The LEMS engine's integration methods: measured orders of convergence
 * (forward Euler in both update orders, RK4) and the adaptive steppers'
 * accuracy on a model with a closed-form solution; OnConditions at step
 * boundaries whatever the method.
 *
 * The model: a parent oscillator x' = v, v' = -x (x = cos t) with a child
 * that reads x through a Requirement and the time through a derived
 * variable: y' = x - y + sin t, so y' + y = cos t + sin t, solved by
 * y = sin t with y(0) = 0.
 * So every stage of a method must see the parent's state and the time of
 * that stage for the order to show. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lems_test_util.h"
#include "test_util.h"

#define PRELUDE                                                                                     \
    "<Lems>"                                                                                        \
    "<Dimension name='time' t='1'/><Dimension name='per_time' t='-1'/>"                             \
    "<Unit symbol='s' dimension='time'/><Unit symbol='ms' dimension='time' power='-3'/>"            \
    "<ComponentType name='Simulation'><Parameter name='length' dimension='time'/>"                  \
    "<Parameter name='step' dimension='time'/><ComponentReference name='target' type='Component'/>" \
    "<Simulation><Run component='target' variable='t' increment='step' total='length'/></Simulation>" \
    "</ComponentType>"

static const char oscillator_xml[] = PRELUDE
    "<ComponentType name='follower'><Constant name='SEC' dimension='time' value='1s'/>"
    "<Requirement name='x' dimension='none'/>"
    "<Dynamics><StateVariable name='y' dimension='none'/>"
    "<DerivedVariable name='s' dimension='none' value='sin(t / SEC)'/>"
    "<TimeDerivative variable='y' value='(x - y + s) / SEC'/>"
    "<OnStart><StateAssignment variable='y' value='0'/></OnStart></Dynamics></ComponentType>"
    "<ComponentType name='osc'><Constant name='SEC' dimension='time' value='1s'/>"
    "<Child name='f' type='follower'/>"
    "<Dynamics><StateVariable name='x' dimension='none'/><StateVariable name='v' dimension='none'/>"
    "<DerivedVariable name='a' dimension='none' value='0 - x'/>"
    "<TimeDerivative variable='x' value='v / SEC'/><TimeDerivative variable='v' value='a / SEC'/>"
    "<OnStart><StateAssignment variable='x' value='1'/><StateAssignment variable='v' value='0'/></OnStart>"
    "</Dynamics></ComponentType>"
    "<osc id='o'><f/></osc>"
    "<Simulation id='sim' length='2s' step='%.17gs' target='o'/><Target component='sim'/></Lems>";

/* The largest error of x, v and y at the final time (t = 2 s) over the
 * closed form, with step dt. */
static double final_error(double dt, dtb__lr_order order, dtb__lr_method method, double rtol)
{
    char xml[8192];
    snprintf(xml, sizeof xml, oscillator_xml, dt);
    static const char *const cols[] = {"x", "v", "f/y"};
    dtb__lr_options o = {.order = order, .method = method, .rtol = rtol, .atol = rtol * 1e-2};
    trace t;
    dtb_status st = run_memory_with(xml, cols, 3, &o, &t);
    if (st)
        print_error("%s\n", dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    size_t last = t.rows - 1;
    double time = trace_at(&t, last, 0);
    assert_true(fabs(time - 2.0) < 1e-9);
    double e = nan_max(fabs(trace_at(&t, last, 1) - cos(time)), fabs(trace_at(&t, last, 2) + sin(time)));
    e = nan_max(e, fabs(trace_at(&t, last, 3) - sin(time)));
    trace_free(&t);
    return e;
}

/* The error ratios when dt halves twice: both must be near 2^order. */
static void expect_order(const char *name, dtb__lr_order order, dtb__lr_method method, double want)
{
    double e1 = final_error(0.04, order, method, 0), e2 = final_error(0.02, order, method, 0),
           e3 = final_error(0.01, order, method, 0);
    double r1 = e1 / e2, r2 = e2 / e3;
    print_message("%-22s errors %.3g %.3g %.3g, ratios %.3f %.3f (expected %g)\n", name, e1, e2, e3, r1, r2,
                  want);
    assert_true(fabs(r1 / want - 1) < 0.1);
    assert_true(fabs(r2 / want - 1) < 0.05);
}

static void test_euler_is_first_order(void **state)
{
    (void)state;
    expect_order("Euler, pylems order", DTB__LR_ORDER_PYLEMS, DTB__LR_EULER, 2);
    /* jLEMS' order reads the parent a step late and the time a step early:
     * still first order. */
    expect_order("Euler, jLEMS order", DTB__LR_ORDER_JLEMS, DTB__LR_EULER, 2);
}

static void test_rk4_is_fourth_order(void **state)
{
    (void)state;
    expect_order("RK4", DTB__LR_ORDER_JLEMS, DTB__LR_RK4, 16);
}

static void test_adaptive_steppers_meet_their_tolerance(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        dtb__lr_method m;
    } methods[] = {{"rkf45", DTB__LR_RKF45}, {"rkck", DTB__LR_RKCK}, {"rk8pd", DTB__LR_RK8PD}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        /* output steps far longer than an Euler step could take */
        double loose = final_error(0.1, DTB__LR_ORDER_JLEMS, methods[i].m, 1e-6),
               tight = final_error(0.1, DTB__LR_ORDER_JLEMS, methods[i].m, 1e-11);
        print_message("%-6s dt 0.1 s: error %.3g at rtol 1e-6, %.3g at rtol 1e-11\n", methods[i].name, loose,
                      tight);
        assert_true(loose < 1e-4);
        assert_true(tight < 1e-9);
        assert_true(tight <= loose);
    }
    /* The same step with RK4 is far less accurate than rk8pd's tight run. */
    assert_true(final_error(0.1, DTB__LR_ORDER_JLEMS, DTB__LR_RK4, 0) > 1e-7);
}

/* OnConditions act at step boundaries only, so a model whose state the
 * methods all integrate exactly (a ramp, reset at 0.5) gives the same trace
 * under each. */
static void test_conditions_at_step_boundaries(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE
        "<ComponentType name='ramp'><Constant name='SEC' dimension='time' value='1s'/>"
        "<Dynamics><StateVariable name='x' dimension='none'/><StateVariable name='n' dimension='none'/>"
        "<TimeDerivative variable='x' value='1 / SEC'/>"
        "<OnCondition test='x .gt. 0.5'><StateAssignment variable='x' value='0'/>"
        "<StateAssignment variable='n' value='n + 1'/></OnCondition></Dynamics></ComponentType>"
        "<ramp id='r'/>"
        "<Simulation id='sim' length='1.3s' step='0.1s' target='r'/><Target component='sim'/></Lems>";
    static const char *const cols[] = {"x", "n"};
    trace ref;
    dtb__lr_options euler = {.order = DTB__LR_ORDER_PYLEMS};
    assert_int_equal(run_memory_with(xml, cols, 2, &euler, &ref), DTB_OK);
    /* x reset after 0.6 (the first value above 0.5): twice in 1.3 s */
    assert_true(fabs(trace_at(&ref, ref.rows - 1, 2) - 2) < 1e-12);
    static const dtb__lr_method ms[] = {DTB__LR_RK4, DTB__LR_RKF45, DTB__LR_RK8PD};
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        trace t;
        dtb__lr_options o = {.method = ms[i]};
        assert_int_equal(run_memory_with(xml, cols, 2, &o, &t), DTB_OK);
        assert_int_equal(t.rows, ref.rows);
        for (size_t k = 0; k < t.rows; k++)
            for (size_t c = 1; c <= 2; c++)
                assert_true(fabs(trace_at(&t, k, c) - trace_at(&ref, k, c)) < 1e-9);
        trace_free(&t);
    }
    trace_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_euler_is_first_order),
        cmocka_unit_test(test_rk4_is_fourth_order),
        cmocka_unit_test(test_adaptive_steppers_meet_their_tolerance),
        cmocka_unit_test(test_conditions_at_step_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
