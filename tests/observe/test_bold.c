/* BOLD observers. The Balloon-Windkessel sets against an integration of
 * the equations written out here (from the papers, not from the library),
 * fed with the same neural input recorded by a RAW observer; the OpenDTB set
 * step for step; the rest state; and TVB's Volterra-kernel monitor against
 * the behaviour TVB-CONVENTIONS.md §6 describes (20 s zero-initialised
 * stock of 4 ms means, kernel one slot out of line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe_util.h"
#include "test_util.h"

/* ---------------------------------------------- reference Balloon-Windkessel */

typedef struct bw {
    double eps, kappa, gamma, tau, alpha, E0, V0, k1, k2, k3;
} bw;

/* Parameter sets as the papers give them. */
static bw set_of(dtb_bold_model m)
{
    const double nu0 = 40.3, r0 = 25, TE = 0.04;
    switch (m) {
    case DTB_BOLD_FRISTON2000:
        return (bw){0.54, 1 / 1.54, 1 / 2.46, 0.98, 0.33, 0.34, 0.02, 7 * 0.34, 2, 2 * 0.34 - 0.2};
    case DTB_BOLD_STEPHAN2007:
        return (bw){1, 0.65, 0.41, 0.98, 0.32, 0.34, 0.04, 4.3 * nu0 * 0.34 * TE, r0 * 0.34 * TE, 0};
    case DTB_BOLD_OPENDTB:
        return (bw){1, 1 / 0.65, 1 / 0.41, 0.98, 0.32, 0.4, 0.04, 4.3 * 40.3 * 0.4 * 0.04,
                    25 * 0.4 * 0.04, 1};
    default:   /* Friston 2003 */
        return (bw){1, 0.65, 0.41, 0.98, 0.32, 0.34, 0.02, 7 * 0.34, 2, 2 * 0.34 - 0.2};
    }
}

/* ds = eps z - kappa s - gamma (f-1); df = s; tau dv = f - v^(1/alpha);
 * tau dq = f (1 - (1-E0)^(1/f)) / E0 - v^(1/alpha) q / v. */
static void rhs(const bw *p, double z, const double *y, double *dy)
{
    double fout = pow(y[2], 1 / p->alpha);
    dy[0] = p->eps * z - p->kappa * y[0] - p->gamma * (y[1] - 1);
    dy[1] = y[0];
    dy[2] = (y[1] - fout) / p->tau;
    dy[3] = (y[1] * (1 - pow(1 - p->E0, 1 / y[1])) / p->E0 - fout * y[3] / y[2]) / p->tau;
}

static double bold_of(const bw *p, const double *y)
{
    return p->V0 * (p->k1 * (1 - y[3]) + p->k2 * (1 - y[3] / y[2]) + p->k3 * (1 - y[2]));
}

/* One step of length h with the input held: RK4 in `substeps` pieces, or
 * one Euler step. */
static void advance(const bw *p, double z, double h, double *y, int substeps, int euler)
{
    double k[4][4], t[4];
    if (euler) {
        rhs(p, z, y, k[0]);
        for (int i = 0; i < 4; i++)
            y[i] += h * k[0][i];
        return;
    }
    const double d = h / substeps;
    for (int s = 0; s < substeps; s++) {
        rhs(p, z, y, k[0]);
        for (int i = 0; i < 4; i++)
            t[i] = y[i] + d / 2 * k[0][i];
        rhs(p, z, t, k[1]);
        for (int i = 0; i < 4; i++)
            t[i] = y[i] + d / 2 * k[1][i];
        rhs(p, z, t, k[2]);
        for (int i = 0; i < 4; i++)
            t[i] = y[i] + d * k[2][i];
        rhs(p, z, t, k[3]);
        for (int i = 0; i < 4; i++)
            y[i] += d / 6 * (k[0][i] + 2 * k[1][i] + 2 * k[2][i] + k[3][i]);
    }
}

/* Three regions of the driven model (10, 7 and 3 Hz around 1, 2, 0.5),
 * 12 s at dt 0.1 ms, BOLD every TR = 1 s next to the raw input. Compare
 * each BOLD sample with the reference driven by the raw input, held over
 * each step. */
static void check_set(dtb_bold_model set, int euler, double tol)
{
    const double dt = 1e-4, TR = 1.0, T = 12.0;
    const double f[] = {10, 7, 3}, base[] = {1, 2, 0.5}, amp[] = {0.5, 1.5, 0.4}, ph[] = {0, 1, 2};
    dtb_atlas *atlas = isolated_atlas(3);
    dtb_sim *sim = driven_sim(atlas, dt, f, base, amp, ph);
    dtb_observer *raw = memory_observer(sim, DTB_OBSERVER_RAW, 0);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_BOLD;
    o.period = TR;
    o.bold_model = set;
    dtb_observer *bold;
    assert_int_equal(dtb_observer_create(&bold, sim, &o), DTB_OK);
    assert_string_equal(dtb_observer_kind_name(bold), "bold");
    assert_string_equal(dtb_observer_column_name(bold, 2), "x.2");
    assert_int_equal(dtb_sim_run(sim, T, NULL, NULL), DTB_OK);
    double *rt, *rx, *bt, *bx;
    size_t nr = read_all(raw, &rt, &rx), nb = read_all(bold, &bt, &bx);
    assert_int_equal(nr, (size_t)llround(T / dt));
    assert_int_equal(nb, (size_t)llround(T / TR));
    const bw p = set_of(set);
    double worst = 0;
    for (int k = 0; k < 3; k++) {
        double y[4] = {0, 1, 1, 1};
        size_t next = 0;
        for (size_t s = 0; s < nr; s++) {
            advance(&p, rx[s * 3 + k], dt, y, 1, euler);
            if (next < nb && fabs(rt[s] - bt[next]) < dt / 2) {
                double ref = bold_of(&p, y), got = bx[next * 3 + k];
                worst = nan_max(worst, fabs(got - ref) / nan_max(fabs(ref), 1e-3));
                next++;
            }
        }
        assert_int_equal(next, nb);
    }
    print_message("BOLD set %d: largest relative difference %.3g\n", (int)set, worst);
    assert_true(worst < tol);
    assert_true(fabs(bx[(nb - 1) * 3]) > 1e-4);   /* a response, not zeros */
    free(rt);
    free(rx);
    free(bt);
    free(bx);
    dtb_observer_free(raw);
    dtb_observer_free(bold);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

static void test_balloon_sets(void **state)
{
    (void)state;
    /* RK4 over 1 ms blocks of mean input against the step-held reference. */
    check_set(DTB_BOLD_FRISTON2003, 0, 1e-6);
    check_set(DTB_BOLD_FRISTON2000, 0, 1e-6);
    check_set(DTB_BOLD_STEPHAN2007, 0, 1e-6);
    check_set(DTB_BOLD_DEFAULT, 0, 1e-6);
    /* OpenDTB: Euler at every step, reproduced to round-off... */
    check_set(DTB_BOLD_OPENDTB, 1, 1e-10);
    /* ...and within Euler's error of the exact solution. */
    check_set(DTB_BOLD_OPENDTB, 0, 3e-3);
}

static void test_rest_and_errors(void **state)
{
    (void)state;
    /* Zero input: the haemodynamics stay at rest, BOLD is exactly 0. */
    const double zero[] = {0, 0};
    dtb_atlas *atlas = isolated_atlas(2);
    dtb_sim *sim = driven_sim(atlas, 1e-3, NULL, zero, zero, NULL);
    dtb_observer *bold = memory_observer(sim, DTB_OBSERVER_BOLD, 0.5);
    assert_int_equal(dtb_sim_run(sim, 2.0, NULL, NULL), DTB_OK);
    double *t, *v;
    size_t n = read_all(bold, &t, &v);
    assert_int_equal(n, 4);
    assert_float_equal(t[0], 0.5, 1e-12);
    for (size_t i = 0; i < 2 * n; i++)
        assert_float_equal(v[i], 0, 0);
    free(t);
    free(v);
    /* Default TR: 2 s. */
    dtb_observer *tr2 = memory_observer(sim, DTB_OBSERVER_BOLD, 0);
    assert_int_equal(dtb_sim_run(sim, 4.0, NULL, NULL), DTB_OK);
    assert_int_equal(dtb_observer_sample_count(tr2), 2);
    dtb_observer_free(tr2);
    /* Bad options: unknown set, a TR that is not a whole number of steps. */
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_BOLD;
    o.bold_model = 42;
    dtb_observer *bad;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    assert_error_contains("unknown parameter set 42");
    o.bold_model = 0;
    o.period = 2.0005;
    assert_int_equal(dtb_observer_create(&bad, sim, &o), DTB_EINVAL);
    assert_error_contains("whole number of steps");
    dtb_observer_free(bold);
    dtb_sim_free(sim);
    /* A strongly negative input drives the inflow below zero: a named error. */
    const double neg[] = {-50, -50};
    sim = driven_sim(atlas, 1e-3, NULL, neg, zero, NULL);
    bold = memory_observer(sim, DTB_OBSERVER_BOLD, 1.0);
    assert_int_equal(dtb_sim_run(sim, 10.0, NULL, NULL), DTB_ENUMERIC);
    assert_error_contains("BOLD: the haemodynamics of signal");
    dtb_observer_free(bold);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

/* ---------------------------------------------- TVB's Volterra monitor */

/* G(t) = 1/3 exp(-t / (2 tau_s)) sin(w t) / w, w = sqrt(1/tau_f - 1/(4 tau_s^2)). */
static double kernel(double t)
{
    const double ts = 0.8, tf = 0.4, w = sqrt(1 / tf - 1 / (4 * ts * ts));
    return exp(-0.5 * t / ts) * sin(w * t) / w / 3;
}

/* What TVB computes from a raw recording (steps 1..n, dt), at step `at`:
 * 4 ms means of the steps of each block (stock slots of 40 steps at 0.1 ms),
 * newest first; k1 V0 (G(t_4999) u_0 + sum_m G(t_(m-1)) u_m - 1) with u_m = 0
 * beyond the recording (the zero-filled stock). */
static double tvb_bold(const double *raw, size_t n_cols, size_t col, size_t at, size_t istep)
{
    double sum = 0;
    size_t blocks = at / istep;
    for (size_t m = 0; m < 5000 && m < blocks; m++) {
        size_t last = (blocks - m) * istep;   /* step numbers (1-based) last-istep+1..last */
        double u = 0;
        for (size_t s = last - istep + 1; s <= last; s++)
            u += raw[(s - 1) * n_cols + col];
        u /= (double)istep;
        sum += (m == 0 ? kernel(4999 * 4e-3) : kernel((double)(m - 1) * 4e-3)) * u;
    }
    return 5.6 * 0.02 * (sum - 1);
}

static void test_tvb_volterra(void **state)
{
    (void)state;
    const double dt = 1e-4;
    const double f[] = {0.3, 0.05}, base[] = {1, 0.2}, amp[] = {0.5, 0.1};
    dtb_atlas *atlas = isolated_atlas(2);
    dtb_sim *sim = driven_sim(atlas, dt, f, base, amp, NULL);
    dtb_observer *raw = memory_observer(sim, DTB_OBSERVER_RAW, 0);
    dtb_observer_options o = DTB_OBSERVER_OPTIONS_INIT;
    o.kind = DTB_OBSERVER_BOLD;
    o.bold_model = DTB_BOLD_TVB_VOLTERRA;
    o.period = 2.0;
    dtb_observer *bold;
    assert_int_equal(dtb_observer_create(&bold, sim, &o), DTB_OK);
    assert_int_equal(dtb_sim_run(sim, 26.0, NULL, NULL), DTB_OK);
    double *rt, *rx, *bt, *bx;
    size_t nr = read_all(raw, &rt, &rx), nb = read_all(bold, &bt, &bx);
    assert_int_equal(nb, 13);
    for (size_t i = 0; i < nb; i++) {
        size_t at = (size_t)llround(bt[i] / dt);
        assert_true(at <= nr);
        for (size_t k = 0; k < 2; k++)
            assert_float_equal(bx[i * 2 + k], tvb_bold(rx, 2, k, at, 40), 1e-12);
    }
    /* The quirks, visibly: the kernel's first value G(0) = 0 sits on the
     * second-newest mean and G(t_4999) on the newest. With a constant input
     * u after 20 s: k1 V0 (u sum_i G(t_i) - 1); before, only the filled part. */
    double all = 0, first500 = kernel(4999 * 4e-3);
    for (int i = 0; i < 5000; i++)
        all += kernel(i * 4e-3);
    for (int i = 0; i < 499; i++)
        first500 += kernel(i * 4e-3);
    const double one[] = {1, 1}, none[] = {0, 0};
    dtb_sim *flat = driven_sim(atlas, dt, NULL, one, none, NULL);
    dtb_observer *b2;
    assert_int_equal(dtb_observer_create(&b2, flat, &o), DTB_OK);
    assert_int_equal(dtb_sim_run(flat, 22.0, NULL, NULL), DTB_OK);
    double t2[11], v2[22];
    size_t got;
    assert_int_equal(dtb_observer_read(b2, t2, v2, 11, &got), DTB_OK);
    assert_int_equal(got, 11);
    assert_float_equal(v2[0], 5.6 * 0.02 * (first500 - 1), 1e-12);    /* t = 2 s: 500 means */
    assert_float_equal(v2[20], 5.6 * 0.02 * (all - 1), 1e-12);        /* t = 22 s: full stock */
    free(rt);
    free(rx);
    free(bt);
    free(bx);
    dtb_observer_free(b2);
    dtb_sim_free(flat);
    dtb_observer_free(raw);
    dtb_observer_free(bold);
    dtb_sim_free(sim);
    dtb_atlas_free(atlas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balloon_sets),
        cmocka_unit_test(test_rest_and_errors),
        cmocka_unit_test(test_tvb_volterra),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
