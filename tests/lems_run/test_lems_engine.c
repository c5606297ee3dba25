/* The LEMS engine's semantics on small documents: the order of handlers,
 * events and derived variables in one instant, selects and their
 * reductions, the Requirement scope rule without lag, regimes and OnEntry,
 * OnStart from the root down, event delays, seeded random(), and errors
 * found when a simulation is built. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lems/lems.h"
#include "lems_run/lems_run.h"
#include "lems_test_util.h"
#include "test_util.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Dimensions, units and the Simulation types every document needs. */
#define PRELUDE                                                                                     \
    "<Lems>"                                                                                        \
    "<Dimension name='time' t='1'/><Dimension name='per_time' t='-1'/>"                             \
    "<Unit symbol='s' dimension='time'/><Unit symbol='ms' dimension='time' power='-3'/>"            \
    "<ComponentType name='Simulation'><Parameter name='length' dimension='time'/>"                  \
    "<Parameter name='step' dimension='time'/><ComponentReference name='target' type='Component'/>" \
    "<Text name='seed'/>"                                                                           \
    "<Simulation><Run component='target' variable='t' increment='step' total='length'/></Simulation>" \
    "</ComponentType>"

static void run_ok(const char *xml, const char *const *cols, size_t n, trace *t)
{
    dtb_status st = run_memory(xml, cols, n, t);
    if (st)
        print_error("%s\n", dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
}

/* ------------------------------------------------ handlers and events */

static const char ramp_types[] =
    "<ComponentType name='ramp'><Constant name='SEC' dimension='time' value='1s'/>"
    "<EventPort name='out' direction='out'/>"
    "<Dynamics><StateVariable name='x' dimension='none'/><StateVariable name='y' dimension='none'/>"
    "<TimeDerivative variable='x' value='1 / SEC'/>"
    "<OnCondition test='x .gt. 0.5'><StateAssignment variable='x' value='0'/><EventOut port='out'/></OnCondition>"
    "<OnCondition test='x .gt. 0.5'><StateAssignment variable='y' value='x'/></OnCondition>"
    "</Dynamics></ComponentType>"
    "<ComponentType name='counter'><EventPort name='in' direction='in'/>"
    "<Dynamics><StateVariable name='n' dimension='none'/>"
    "<OnEvent port='in'><StateAssignment variable='n' value='n + 1'/></OnEvent></Dynamics></ComponentType>";

static void test_conditions_and_events(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE "%s"
        "<ComponentType name='pair'><Child name='a' type='ramp'/><Child name='b' type='counter'/>"
        "<Structure><With instance='a' as='x'/><With instance='b' as='y'/>"
        "<EventConnection from='x' to='y'/></Structure></ComponentType>"
        "<pair id='p'><a/><b/></pair>"
        "<Simulation id='sim' length='1.3s' step='0.1s' target='p'/><Target component='sim'/></Lems>";
    char doc[8192];
    snprintf(doc, sizeof doc, xml, ramp_types);
    static const char *const cols[] = {"a/x", "a/y", "b/n"};
    trace t;
    run_ok(doc, cols, N_OF(cols), &t);
    assert_int_equal(t.rows, 14);
    /* x passes 0.5 at row 6: reset, the second handler saw the value
     * before the reset, the event counted in the same instant. */
    assert_true(fabs(trace_at(&t, 5, 1) - 0.5) < 1e-12);
    assert_true(trace_at(&t, 6, 1) == 0.0);
    assert_true(fabs(trace_at(&t, 6, 2) - 0.6) < 1e-12);
    assert_true(trace_at(&t, 5, 3) == 0.0 && trace_at(&t, 6, 3) == 1.0);
    assert_true(trace_at(&t, 11, 3) == 1.0 && trace_at(&t, 12, 3) == 2.0);
    trace_free(&t);
}

static void test_event_delay(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE "%s"
        "<ComponentType name='link'><Parameter name='delay' dimension='time'/>"
        "<Child name='a' type='ramp'/><Child name='b' type='counter'/>"
        "<Structure><With instance='a' as='x'/><With instance='b' as='y'/>"
        "<EventConnection from='x' to='y' delay='delay'/></Structure></ComponentType>"
        "<link id='p' delay='200ms'><a/><b/></link>"
        "<Simulation id='sim' length='1s' step='0.1s' target='p'/><Target component='sim'/></Lems>";
    char doc[8192];
    snprintf(doc, sizeof doc, xml, ramp_types);
    static const char *const cols[] = {"b/n"};
    trace t;
    run_ok(doc, cols, N_OF(cols), &t);
    assert_true(trace_at(&t, 7, 1) == 0.0 && trace_at(&t, 8, 1) == 1.0);
    trace_free(&t);
}

/* ------------------------------------------------------------ selects */

static void test_selects(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE
        "<ComponentType name='item'><Parameter name='w' dimension='none'/><Text name='kind'/>"
        "<Exposure name='w2' dimension='none'/>"
        "<Dynamics><DerivedVariable name='w2' dimension='none' exposure='w2' value='w * 2'/></Dynamics>"
        "</ComponentType>"
        "<ComponentType name='leaf'><Parameter name='c' dimension='none'/></ComponentType>"
        "<ComponentType name='mid'><Child name='leaf' type='leaf'/></ComponentType>"
        "<ComponentType name='box'><Children name='items' type='item'/><Children name='none' type='item'/>"
        "<Child name='mid' type='mid'/><Child name='opt' type='item'/><Dynamics>"
        "<DerivedVariable name='sum' dimension='none' select='items[*]/w2' reduce='add'/>"
        "<DerivedVariable name='prod' dimension='none' select='items[*]/w' reduce='multiply'/>"
        "<DerivedVariable name='sum_a' dimension='none' select=\"items[kind='a']/w\" reduce='add'/>"
        "<DerivedVariable name='second' dimension='none' select='items[1]/w'/>"
        "<DerivedVariable name='empty_add' dimension='none' select='none[*]/w' reduce='add'/>"
        "<DerivedVariable name='empty_mul' dimension='none' select='none[*]/w' reduce='multiply'/>"
        "<DerivedVariable name='missing' dimension='none' select='opt/w' required='false'/>"
        "<DerivedVariable name='deep' dimension='none' select='mid/leaf/c'/>"
        "</Dynamics></ComponentType>"
        "<box id='b'><item id='i1' w='2' kind='a'/><item id='i2' w='3' kind='b'/>"
        "<item id='i3' w='5' kind='a'/><mid><leaf c='7'/></mid></box>"
        "<Simulation id='sim' length='0.1s' step='0.1s' target='b'/><Target component='sim'/></Lems>";
    static const char *const cols[] = {"sum", "prod", "sum_a", "second", "empty_add", "empty_mul",
                                       "missing", "deep", "i3/w2"};
    static const double expect[] = {20, 30, 7, 3, 0, 1, 0, 7, 10};
    trace t;
    run_ok(xml, cols, N_OF(cols), &t);
    for (size_t c = 0; c < N_OF(cols); c++)
        assert_true(trace_at(&t, 1, c + 1) == expect[c]);
    trace_free(&t);
}

/* Values flow down (Requirements) and up (selects) in the same instant. */
static void test_requirement_scope_without_lag(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE
        "<ComponentType name='top'><Constant name='SEC' dimension='time' value='1s'/>"
        "<Child name='mid' type='middle'/><Dynamics><StateVariable name='v' dimension='none'/>"
        "<TimeDerivative variable='v' value='1 / SEC'/>"
        "<DerivedVariable name='d' dimension='none' value='v * 10'/>"
        "<DerivedVariable name='back' dimension='none' select='mid/lowsum'/></Dynamics></ComponentType>"
        "<ComponentType name='middle'><Requirement name='v' dimension='none'/>"
        "<Child name='low' type='bottom'/>"
        "<Dynamics><DerivedVariable name='lowsum' dimension='none' select='low/e'/></Dynamics></ComponentType>"
        "<ComponentType name='bottom'><Requirement name='v' dimension='none'/>"
        "<Requirement name='d' dimension='none'/><Exposure name='e' dimension='none'/>"
        "<Dynamics><DerivedVariable name='e' dimension='none' exposure='e' value='v + d'/></Dynamics>"
        "</ComponentType>"
        "<top id='t'><mid><low/></mid></top>"
        "<Simulation id='sim' length='1s' step='0.25s' target='t'/><Target component='sim'/></Lems>";
    static const char *const cols[] = {"v", "back", "mid/lowsum", "mid/low/e"};
    trace t;
    run_ok(xml, cols, N_OF(cols), &t);
    for (size_t k = 0; k < t.rows; k++) {
        double v = trace_at(&t, k, 1);
        assert_true(trace_at(&t, k, 2) == 11 * v);
        assert_true(trace_at(&t, k, 3) == 11 * v);
        assert_true(trace_at(&t, k, 4) == 11 * v);
    }
    assert_true(trace_at(&t, 4, 1) == 1.0);
    trace_free(&t);
}

/* ------------------------------------------------- regimes, OnStart */

static void test_regimes(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE
        "<ComponentType name='saw'><Constant name='SEC' dimension='time' value='1s'/><Dynamics>"
        "<StateVariable name='x' dimension='none'/><StateVariable name='entered' dimension='none'/>"
        "<Regime name='up' initial='true'><TimeDerivative variable='x' value='1 / SEC'/>"
        "<OnCondition test='x .geq. 1'><Transition regime='down'/></OnCondition></Regime>"
        "<Regime name='down'><TimeDerivative variable='x' value='-2 / SEC'/>"
        "<OnEntry><StateAssignment variable='entered' value='entered + 1'/></OnEntry>"
        "<OnCondition test='x .leq. 0'><Transition regime='up'/></OnCondition></Regime>"
        "</Dynamics></ComponentType>"
        "<saw id='s'/>"
        "<Simulation id='sim' length='2s' step='0.125s' target='s'/><Target component='sim'/></Lems>";
    static const char *const cols[] = {"x", "entered"};
    trace t;
    run_ok(xml, cols, N_OF(cols), &t);
    static const double x[] = {0, .125, .25, .375, .5, .625, .75, .875, 1, .75, .5, .25, 0, .125};
    for (size_t k = 0; k < N_OF(x); k++)
        assert_true(trace_at(&t, k, 1) == x[k]);
    assert_true(trace_at(&t, 7, 2) == 0 && trace_at(&t, 8, 2) == 1 && trace_at(&t, 16, 2) == 1);
    trace_free(&t);
}

/* Instances entering a regime through different handlers: each OnEntry
 * value goes to its own instance. */
static void test_on_entry_per_instance(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE
        "<ComponentType name='tw'><Parameter name='p' dimension='none'/><Dynamics>"
        "<StateVariable name='x' dimension='none'/>"
        "<Regime name='a' initial='true'>"
        "<OnCondition test='p .gt. 0.5'><Transition regime='b'/></OnCondition>"
        "<OnCondition test='p .lt. 0.5'><Transition regime='b'/></OnCondition></Regime>"
        "<Regime name='b'><OnEntry><StateAssignment variable='x' value='p * 10 + 1'/></OnEntry></Regime>"
        "</Dynamics></ComponentType>"
        "<ComponentType name='two'><Child name='u' type='tw'/><Child name='w' type='tw'/></ComponentType>"
        "<two id='z'><u p='0'/><w p='1'/></two>"
        "<Simulation id='sim' length='0s' step='1s' target='z'/><Target component='sim'/></Lems>";
    static const char *const cols[] = {"u/x", "w/x"};
    trace t;
    run_ok(xml, cols, 2, &t);
    assert_true(trace_at(&t, 0, 1) == 1 && trace_at(&t, 0, 2) == 11);
    trace_free(&t);
}

static void test_on_start_from_the_root_down(void **state)
{
    (void)state;
    static const char xml[] = PRELUDE
        "<ComponentType name='parent'><Child name='kid' type='kid'/><Dynamics>"
        "<StateVariable name='p' dimension='none'/><DerivedVariable name='dp' dimension='none' value='p + 1'/>"
        "<OnStart><StateAssignment variable='p' value='3'/></OnStart></Dynamics></ComponentType>"
        "<ComponentType name='kid'><Requirement name='p' dimension='none'/>"
        "<Requirement name='dp' dimension='none'/><Dynamics>"
        "<StateVariable name='q' dimension='none'/><StateVariable name='r' dimension='none'/>"
        "<OnStart><StateAssignment variable='q' value='p * 2'/><StateAssignment variable='r' value='dp'/>"
        "</OnStart></Dynamics></ComponentType>"
        "<parent id='a'><kid/></parent>"
        "<Simulation id='sim' length='0s' step='1s' target='a'/><Target component='sim'/></Lems>";
    static const char *const cols[] = {"kid/q", "kid/r"};
    trace t;
    run_ok(xml, cols, N_OF(cols), &t);
    assert_int_equal(t.rows, 1);
    assert_true(trace_at(&t, 0, 1) == 6 && trace_at(&t, 0, 2) == 4);
    trace_free(&t);
}

/* ------------------------------------------------------------- random */

static const char noise_xml[] = PRELUDE
    "<ComponentType name='noisy'><Dynamics><StateVariable name='u' dimension='none'/>"
    "<OnCondition test='t .geq. 0'><StateAssignment variable='u' value='random(2)'/></OnCondition>"
    "</Dynamics></ComponentType><noisy id='n'/>"
    "<Simulation id='sim' length='1s' step='0.01s' target='n' seed='7'/><Target component='sim'/></Lems>";

typedef struct keep {
    double *out;
    size_t n, i, col;
} keep;

static int keep_value(double time, const double *v, void *ud)
{
    (void)time;
    keep *k = ud;
    if (k->i < k->n)
        k->out[k->i++] = v[k->col];
    return 0;
}

static void run_noise(int has_seed, uint64_t seed, double *out, size_t n)
{
    dtb__lems_doc doc;
    assert_int_equal(dtb__lems_read_memory(&doc, noise_xml, strlen(noise_xml), "noise.xml", NULL), DTB_OK);
    dtb__lr_options o = {.has_seed = has_seed, .seed = seed};
    dtb__lr_sim *sim;
    assert_int_equal(dtb__lr_create(&doc, &o, &sim), DTB_OK);
    size_t col;
    assert_int_equal(dtb__lr_add_column(sim, "u", &col), DTB_OK);
    keep k = {out, n, 0, col};
    assert_int_equal(dtb__lr_run(sim, keep_value, &k), DTB_OK);
    dtb__lr_free(sim);
    dtb__lems_doc_free(&doc);
}

static void test_random_is_seeded(void **state)
{
    (void)state;
    double a[101], b[101], c[101];
    run_noise(0, 0, a, 101);
    run_noise(0, 0, b, 101);
    run_noise(1, 8, c, 101);
    assert_memory_equal(a, b, sizeof a);
    assert_true(memcmp(a, c, sizeof a) != 0);
    double lo = 2, hi = 0, sum = 0;
    for (int i = 0; i < 101; i++) {
        lo = nan_min(lo, a[i]);
        hi = nan_max(hi, a[i]);
        sum += a[i];
    }
    assert_true(lo >= 0 && hi < 2 && fabs(sum / 101 - 1) < 0.2);
}

/* ------------------------------------------------------------- errors */

static void expect_build_error(const char *body, dtb_status code, const char *fragment)
{
    char xml[8192];
    snprintf(xml, sizeof xml, PRELUDE "%s<Target component='sim'/></Lems>", body);
    trace t;
    dtb_status st = run_memory(xml, NULL, 0, &t);
    if (st != code || !strstr(dtb_last_error_message(), fragment))
        print_error("status %d: %s (expected %d with '%s')\n", (int)st, dtb_last_error_message(), (int)code,
                    fragment);
    assert_int_equal(st, code);
    assert_non_null(strstr(dtb_last_error_message(), fragment));
    trace_free(&t);
}

static void test_build_errors(void **state)
{
    (void)state;
    /* A cycle across components: the parent's pa needs the child's cb,
     * which needs pa. */
    expect_build_error(
        "<ComponentType name='P'><Child name='c' type='C'/><Dynamics>"
        "<DerivedVariable name='pa' dimension='none' select='c/cb'/></Dynamics></ComponentType>"
        "<ComponentType name='C'><Requirement name='pa' dimension='none'/><Dynamics>"
        "<DerivedVariable name='cb' dimension='none' value='pa + 1'/></Dynamics></ComponentType>"
        "<P id='p'><c/></P><Simulation id='sim' length='1s' step='1s' target='p'/>",
        DTB_EPARSE, "circular");
    /* A Requirement nothing provides. */
    expect_build_error(
        "<ComponentType name='C'><Requirement name='q' dimension='none'/><Dynamics>"
        "<DerivedVariable name='cb' dimension='none' value='q + 1'/></Dynamics></ComponentType>"
        "<C id='c'/><Simulation id='sim' length='1s' step='1s' target='c'/>",
        DTB_ENOTFOUND, "Requirement 'q'");
    /* A select that finds nothing. */
    expect_build_error(
        "<ComponentType name='C'><Child name='k' type='C2'/><Dynamics>"
        "<DerivedVariable name='x' dimension='none' select='k/y'/></Dynamics></ComponentType>"
        "<ComponentType name='C2'/>"
        "<C id='c'/><Simulation id='sim' length='1s' step='1s' target='c'/>",
        DTB_ENOTFOUND, "select 'k/y'");
    /* A population too large to be meant. */
    expect_build_error(
        "<ComponentType name='Pop'><ComponentReference name='component' type='Component'/>"
        "<Parameter name='size' dimension='none'/><Structure>"
        "<MultiInstantiate number='size' component='component'/></Structure></ComponentType>"
        "<ComponentType name='C'/><C id='c'/><Pop id='p' component='c' size='1e12'/>"
        "<Simulation id='sim' length='1s' step='1s' target='p'/>",
        DTB_EINVAL, "number");
    /* A component that contains itself. */
    expect_build_error(
        "<ComponentType name='R'><ComponentReference name='me' type='R'/><Structure>"
        "<ChildInstance component='me'/></Structure></ComponentType>"
        "<R id='r' me='r'/><Simulation id='sim' length='1s' step='1s' target='r'/>",
        DTB_EINVAL, "contain itself");
    /* A Parameter without a value (a misspelt attribute is only a warning,
     * so the parameter it meant is what is reported), as jLEMS and pylems
     * refuse it. */
    expect_build_error(
        "<ComponentType name='C'><Parameter name='p' dimension='none'/><Dynamics>"
        "<DerivedVariable name='x' dimension='none' value='p'/></Dynamics></ComponentType>"
        "<C id='c' pp='1'/><Simulation id='sim' length='1s' step='1s' target='c'/>",
        DTB_EINVAL, "Parameter 'p' of ComponentType 'C' has no value");
    /* No such Simulation. */
    expect_build_error("", DTB_ENOTFOUND, "'sim'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conditions_and_events), cmocka_unit_test(test_event_delay),
        cmocka_unit_test(test_selects),               cmocka_unit_test(test_requirement_scope_without_lag),
        cmocka_unit_test(test_regimes),               cmocka_unit_test(test_on_start_from_the_root_down),
        cmocka_unit_test(test_on_entry_per_instance),
        cmocka_unit_test(test_random_is_seeded),      cmocka_unit_test(test_build_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
