/* Region models against independent references, part two: one uncoupled
 * node of each remaining built-in model, run by libdtb with RK4 at
 * dt = 0.01 ms, against tests/data/reference/models/<model>.csv -- a closed
 * form (gen_closed_forms.py) or SciPy's DOP853 at rtol 1e-12 of the
 * equations as TVB's model classes and their papers write them, never
 * libdtb's XML (gen_qif_models.py, gen_epileptors.py,
 * gen_neural_masses.py). The difference is relative to the largest |value|
 * of each state variable in the reference, over every row.
 *
 * Each test states the oracle, the difference measured, its bound (about
 * ten times the measurement) and the mutation the test runs itself: the
 * named parameter x (1 + 1e-5) must take the run beyond the bound. */
#include "scipy_reference.h"
#include "test_util.h"

/* linear: closed form x0 exp(gamma t), gamma = -0.01 per ms. Measured
 * 4.9e-15; gamma x (1 + 1e-5): 3.7e-6. */
static void test_linear(void **state)
{
    (void)state;
    scipy_check("linear", 301, 5e-14, "gamma");
}

/* kuramoto: closed form theta0 + omega t (omega = 1 rad/ms, unwrapped).
 * Measured 4.3e-13 (round-off of 30 000 additions to theta ~ 300);
 * omega x (1 + 1e-5): 1.0e-5. */
static void test_kuramoto(void **state)
{
    (void)state;
    scipy_check("kuramoto", 301, 5e-12, "omega");
}

/* hopfield (static threshold): closed form x0 exp(-t / taux) with TVB's
 * theta = theta0 + x - x0 (TVB's dfun gives theta x's derivative; libdtb
 * follows it). Measured 1.0e-14; taux x (1 + 1e-5): 4.9e-6. */
static void test_hopfield(void **state)
{
    (void)state;
    scipy_check("hopfield", 301, 1e-13, "taux");
}

/* dynamic_hopfield: closed forms x0 exp(-t / taux), theta0 exp(-t / tauT).
 * Measured 3.7e-15; tauT x (1 + 1e-5): 3.7e-6. */
static void test_dynamic_hopfield(void **state)
{
    (void)state;
    scipy_check("dynamic_hopfield", 301, 5e-14, "tauT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_kuramoto),
        cmocka_unit_test(test_hopfield),
        cmocka_unit_test(test_dynamic_hopfield),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
