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
 * named parameter x (1 + 1e-5) must take the run beyond the bound.
 *
 * One term of each descriptor (libdtb/model/builtin/<model>.xml) x 1.00001,
 * checked by hand, each failing its test (difference, bound):
 *   coombes_byrne        r': g r                      1.0e-3  (1e-4)
 *   coombes_byrne_2d     r': k pi r^2                 1.3e-6  (5e-8)
 *   montbrio_pazo_roxin  V': pi^2 tau^2 r^2           1.3e-4  (1e-6)
 *   gast_schmidt_knosche_sd  V': the A of (1 - A)     4.6e-5  (3e-5)
 *   gast_schmidt_knosche_sf  V': - A                  1.9e-2  (3e-4)
 *   dumont_gutkin        s_ii': J_ii r_i              8.5e-6  (5e-10)
 *   epileptor            g': 0.1 x1                   2.0e-3  (4e-4)
 *   epileptor_2d         x1': z                       8.0e-3  (2e-6)
 *   epileptor_resting_state  x_rs': e_rs x_rs^2       4.1e-4  (1e-9)
 *   jansen_rit           y5': 2 b y5                  1.5e-3  (5e-12)
 *   zetterberg_jansen    y5': keke v5                 1.2e-5  (5e-13)
 *   larter_breakspear    Z': aei V QV                 3.0e-3  (6e-8)
 *   k_ion_ex             DKi': 2 I_pump               2.1e-6  (1.2e-7)
 *   reduced_wong_wang_exc_inh  S_i': r_i gamma_i      2.4e-6  (5e-13) */
#include "scipy_reference.h"
#include "test_util.h"

/* ---- Closed forms (gen_closed_forms.py), 300 ms every 1 ms. */

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

/* ---- QIF mean fields (gen_qif_models.py). Their differences fall 16-fold
 * when dt is halved (checked at 0.005 and 0.0025 ms): RK4's own error. */

/* montbrio_pazo_roxin: SciPy, TVB's defaults (bistable), spiralling into
 * the high-activity focus (r ~ 1.03), 50 ms every 0.05 ms. Measured
 * 1.1e-7; eta x (1 + 1e-5): 1.2e-4. */
static void test_montbrio_pazo_roxin(void **state)
{
    (void)state;
    scipy_check("montbrio_pazo_roxin", 1001, 1e-6, "eta");
}

/* coombes_byrne: SciPy, TVB's defaults, the ~2 ms limit cycle, 100 ms
 * every 0.1 ms; r' = Delta/pi + 2 r V - g r as the reduction (and TVB's
 * code) gives, not the "- g r^2" of TVB's docstring. Measured 8.8e-6 (the
 * fastest cycle here: 200 RK4 steps a period); alpha x (1 + 1e-5): 5.3e-4. */
static void test_coombes_byrne(void **state)
{
    (void)state;
    scipy_check("coombes_byrne", 1001, 1e-4, "alpha");
}

/* coombes_byrne_2d: SciPy, TVB's defaults, relaxing to the fixed point
 * from r = 0.1, V = -2 (at rest after ~5 ms), 20 ms every 0.02 ms.
 * Measured 4.3e-9; v_syn x (1 + 1e-5): 5.4e-6. */
static void test_coombes_byrne_2d(void **state)
{
    (void)state;
    scipy_check("coombes_byrne_2d", 1001, 5e-8, "v_syn");
}

/* dumont_gutkin: SciPy, TVB's defaults, all eight variables moving from
 * the start to the fixed point over 300 ms. Measured 3.7e-11;
 * J_ei x (1 + 1e-5): 6.3e-6. */
static void test_dumont_gutkin(void **state)
{
    (void)state;
    scipy_check("dumont_gutkin", 301, 5e-10, "J_ei");
}

/* gast_schmidt_knosche_sd: SciPy, TVB's defaults (a damped burst from
 * r = 1), 200 ms every 0.2 ms. Measured 3.1e-6; J x (1 + 1e-5): 1.8e-4. */
static void test_gast_schmidt_knosche_sd(void **state)
{
    (void)state;
    scipy_check("gast_schmidt_knosche_sd", 1001, 3e-5, "J");
}

/* gast_schmidt_knosche_sf: SciPy, TVB's defaults, bursting every ~22 ms,
 * 200 ms every 0.2 ms. Measured 3.3e-5 (sharp bursts, r up to 3.7);
 * tau_A x (1 + 1e-5): 1.5e-2. */
static void test_gast_schmidt_knosche_sf(void **state)
{
    (void)state;
    scipy_check("gast_schmidt_knosche_sf", 1001, 3e-4, "tau_A");
}

/* ---- The Epileptors (gen_epileptors.py), 2000 ms every 1 ms. */

/* epileptor: SciPy, TVB's defaults (x0 = -1.6), a seizure (z 3 -> 4.1)
 * and its offset. Measured 4.2e-5: RK4's error at the first crossings of
 * the piecewise terms (16-fold smaller at dt / 2 over the first ms),
 * amplified by the seizure's fast oscillation (the reference's own check
 * at rtol 1e-10 differs by 1.7e-7 for the same reason); x0 x (1 + 1e-5):
 * 7.0e-3. */
static void test_epileptor(void **state)
{
    (void)state;
    scipy_check("epileptor", 2001, 4e-4, "x0");
}

/* epileptor_2d: SciPy, TVB's defaults, a seizure from x1 = -1.5,
 * z = 2.9. Measured 2.1e-7, at the first step across x1 = 0 where the
 * right-hand side has a kink (falls with dt, irregularly, as the kink
 * lands elsewhere in a step); x0 x (1 + 1e-5): 5.6e-3. */
static void test_epileptor_2d(void **state)
{
    (void)state;
    scipy_check("epileptor_2d", 2001, 2e-6, "x0");
}

/* epileptor_resting_state: SciPy, the Epileptor part interictal
 * (x0 = -2.2) and the resting-state oscillator on its limit cycle
 * (a_rs = 2). Measured 1.0e-10; b_rs x (1 + 1e-5): 7.5e-4. */
static void test_epileptor_resting_state(void **state)
{
    (void)state;
    scipy_check("epileptor_resting_state", 2001, 1e-9, "b_rs");
}

/* ---- Neural masses and conductance-based mean fields
 * (gen_neural_masses.py). */

/* jansen_rit: SciPy, TVB's defaults, the ~6.8 Hz cycle from near rest,
 * 1000 ms. Measured 4.8e-13; mu x (1 + 1e-5): 4.9e-4. */
static void test_jansen_rit(void **state)
{
    (void)state;
    scipy_check("jansen_rit", 1001, 5e-12, "mu");
}

/* zetterberg_jansen: SciPy of TVB's form (ke^2 in the v5 kernel and
 * sigma(0) added to the inputs of an unconnected node, as TVB's code has
 * them), TVB's defaults from a displaced start, 500 ms. Measured 5.6e-14;
 * ki x (1 + 1e-5): 3.1e-5. */
static void test_zetterberg_jansen(void **state)
{
    (void)state;
    scipy_check("zetterberg_jansen", 501, 5e-13, "ki");
}

/* larter_breakspear: SciPy, TVB's defaults (an unconnected node
 * oscillates), 300 ms every 0.5 ms. Measured 6.4e-9; gK x (1 + 1e-5):
 * 3.8e-3. */
static void test_larter_breakspear(void **state)
{
    (void)state;
    scipy_check("larter_breakspear", 601, 6e-8, "gK");
}

/* k_ion_ex: SciPy, one case on each side of Vstar, where the right-hand
 * side jumps (fixed-step RK4 is first order across it, so neither case
 * crosses): TVB's defaults, V relaxing from -60 to about -94 mV (measured
 * 1.2e-8; Delta x (1 + 1e-5): 2.2e-6), and eta = 600 holding V near
 * -17 mV on the right parabola (measured 1.2e-8; R_plus x (1 + 1e-5):
 * 1.0e-5). The potassium and sodium concentrations move in both. */
static void test_k_ion_ex(void **state)
{
    (void)state;
    scipy_check("k_ion_ex", 301, 1.2e-7, "Delta");
    scipy_check("k_ion_ex_depolarised", 301, 1.2e-7, "R_plus");
}

/* reduced_wong_wang_exc_inh: SciPy, TVB's defaults, relaxing from
 * S_e = 0.6, S_i = 0.2 (inside the [0, 1] bounds throughout). Measured
 * 3.5e-14; J_i x (1 + 1e-5): 6.6e-6. */
static void test_reduced_wong_wang_exc_inh(void **state)
{
    (void)state;
    scipy_check("reduced_wong_wang_exc_inh", 301, 5e-13, "J_i");
}

/* reduced_wong_wang_exc_inh_opendtb: SciPy, the same equations with no
 * bounds, from S_e = 1.2 (which the bounded model would clip). Measured
 * 1.4e-13 (the reference's own check at rtol 1e-10: 4.9e-14); J_i x
 * (1 + 1e-5): 3.5e-6. */
static void test_reduced_wong_wang_exc_inh_opendtb(void **state)
{
    (void)state;
    scipy_check("reduced_wong_wang_exc_inh_opendtb", 301, 1.5e-12, "J_i");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_kuramoto),
        cmocka_unit_test(test_hopfield),
        cmocka_unit_test(test_dynamic_hopfield),
        cmocka_unit_test(test_montbrio_pazo_roxin),
        cmocka_unit_test(test_coombes_byrne),
        cmocka_unit_test(test_coombes_byrne_2d),
        cmocka_unit_test(test_dumont_gutkin),
        cmocka_unit_test(test_gast_schmidt_knosche_sd),
        cmocka_unit_test(test_gast_schmidt_knosche_sf),
        cmocka_unit_test(test_epileptor),
        cmocka_unit_test(test_epileptor_2d),
        cmocka_unit_test(test_epileptor_resting_state),
        cmocka_unit_test(test_jansen_rit),
        cmocka_unit_test(test_zetterberg_jansen),
        cmocka_unit_test(test_larter_breakspear),
        cmocka_unit_test(test_k_ion_ex),
        cmocka_unit_test(test_reduced_wong_wang_exc_inh),
        cmocka_unit_test(test_reduced_wong_wang_exc_inh_opendtb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
