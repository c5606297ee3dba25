/* KineticScheme (NeuroML2 gateKS): a three-state scheme under a voltage
 * clamp against SciPy's solution of the same equations
 * (tests/data/reference/lems_ks/gen_ks_reference.py, checked in). With a
 * constant potential the rates are constant and the engine's step, the
 * matrix exponential of the rates, is exact whatever dt; with a sinusoidal
 * potential the rates are held over each step, a first-order error; the RK
 * methods integrate the occupancies with the rest. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lems/lems.h"
#include "lems_run/lems_run.h"
#include "lems_test_util.h"
#include "test_util.h"

#define N_REF 41

typedef struct ref {
    double t[N_REF], p[N_REF][3];
} ref;

static void read_ref(const char *which, ref *r)
{
    char path[4096], *text;
    snprintf(path, sizeof path, "%s/reference/lems_ks/ks_reference.csv", DTB_TEST_DATA);
    assert_non_null(text = read_text_file(path, NULL));
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char name[16];
        double t, a, b, c;
        if (sscanf(line, "%15[^,],%lf,%lf,%lf,%lf", name, &t, &a, &b, &c) == 5 && !strcmp(name, which)) {
            assert_true(n < N_REF);
            r->t[n] = t;
            r->p[n][0] = a;
            r->p[n][1] = b;
            r->p[n][2] = c;
            n++;
        }
    }
    free(text);
    assert_int_equal(n, N_REF);
}

static void run_clamp_opts(const char *amp, const char *step, const dtb__lr_options *lo, trace *out);

/* Occupancies of c1, c2, o at every row, for amp/step as text. */
static void run_clamp(const char *amp, const char *step, dtb__lr_order order, trace *out)
{
    dtb__lr_options lo = {.order = order};
    run_clamp_opts(amp, step, &lo, out);
}

static void run_clamp_with(const char *amp, const char *step, dtb__lr_method method, trace *out)
{
    dtb__lr_options lo = {.method = method, .rtol = 1e-10, .atol = 1e-12};
    run_clamp_opts(amp, step, &lo, out);
}

static void run_clamp_opts(const char *amp, const char *step, const dtb__lr_options *lo, trace *out)
{
    char path[4096], *tmpl, xml[8192];
    snprintf(path, sizeof path, "%s/reference/lems_ks/ks_clamp.xml", DTB_TEST_DATA);
    assert_non_null(tmpl = read_text_file(path, NULL));
    snprintf(xml, sizeof xml, tmpl, "-20mV", amp, step);
    free(tmpl);
    char core[4096];
    snprintf(core, sizeof core, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    const char *dirs[] = {core};
    dtb__lems_read_options o = {dirs, 1};
    dtb__lems_doc doc;
    dtb_status st = dtb__lems_read_memory(&doc, xml, strlen(xml), path, &o);
    if (st)
        print_error("%s\n", dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    static const char *const cols[] = {"g/c1/occupancy", "g/c2/occupancy", "g/o/occupancy"};
    st = run_doc_with(&doc, cols, 3, lo, out);
    if (st)
        print_error("%s\n", dtb_last_error_message());
    assert_int_equal(st, DTB_OK);
    dtb__lems_doc_free(&doc);
}

/* Largest |libdtb - SciPy| over the reference times; also checks that the
 * occupancies sum to 1 (to 1e-10: each matrix exponential keeps the sum to
 * round-off, about 1e-15 a step, and the runs take up to 4000 steps). */
static double max_error(const trace *t, const ref *r)
{
    double worst = 0;
    for (size_t k = 0; k < N_REF; k++) {
        size_t row = (size_t)llround(r->t[k] / t->dt);
        assert_true(row < t->rows && fabs(trace_at(t, row, 0) - r->t[k]) < 1e-9);
        double sum = 0;
        for (size_t c = 0; c < 3; c++) {
            worst = nan_max(worst, fabs(trace_at(t, row, c + 1) - r->p[k][c]));
            sum += trace_at(t, row, c + 1);
        }
        if (!(fabs(sum - 1) < 1e-10))
            print_error("t = %g s: the occupancies sum to 1 %+.3g\n", r->t[k], sum - 1);
        assert_true(fabs(sum - 1) < 1e-10);
    }
    return worst;
}

static void test_constant_rates_are_exact(void **state)
{
    (void)state;
    ref r;
    read_ref("clamp", &r);
    static const dtb__lr_order orders[] = {DTB__LR_ORDER_JLEMS, DTB__LR_ORDER_PYLEMS};
    static const char *const steps[] = {"0.01ms", "0.1ms", "0.5ms"};
    for (size_t o = 0; o < 2; o++)
        for (size_t s = 0; s < 3; s++) {
            trace t;
            run_clamp("0mV", steps[s], orders[o], &t);
            double e = max_error(&t, &r);
            print_message("clamp, %s order, step %s: max |error| %.3g\n", o ? "pylems" : "jLEMS", steps[s], e);
            assert_true(e < 1e-10);
            trace_free(&t);
        }
}

static void test_varying_rates_converge(void **state)
{
    (void)state;
    ref r;
    read_ref("sine", &r);
    static const dtb__lr_order orders[] = {DTB__LR_ORDER_JLEMS, DTB__LR_ORDER_PYLEMS};
    for (size_t o = 0; o < 2; o++) {
        double e[2];
        static const char *const steps[] = {"0.01ms", "0.005ms"};
        for (size_t s = 0; s < 2; s++) {
            trace t;
            run_clamp("20mV", steps[s], orders[o], &t);
            e[s] = max_error(&t, &r);
            trace_free(&t);
        }
        print_message("sine, %s order: errors %.3g, %.3g, ratio %.3f (first order: 2)\n", o ? "pylems" : "jLEMS",
                      e[0], e[1], e[0] / e[1]);
        assert_true(e[0] < 1e-3);
        assert_true(fabs(e[0] / e[1] - 2) < 0.1);
    }
}

/* The RK and adaptive methods integrate dp/dt = A p with the rest: RK4
 * is fourth order under the sinusoidal potential, rk8pd meets SciPy. */
static void test_other_methods(void **state)
{
    (void)state;
    ref r;
    read_ref("sine", &r);
    double e[2];
    static const char *const steps[] = {"0.1ms", "0.05ms"};
    for (size_t s = 0; s < 2; s++) {
        trace t;
        run_clamp_with("20mV", steps[s], DTB__LR_RK4, &t);
        e[s] = max_error(&t, &r);
        trace_free(&t);
    }
    print_message("sine, RK4: errors %.3g, %.3g, ratio %.2f (fourth order: 16)\n", e[0], e[1], e[0] / e[1]);
    assert_true(fabs(e[0] / e[1] / 16 - 1) < 0.1);
    trace t;
    run_clamp_with("20mV", "0.5ms", DTB__LR_RK8PD, &t);
    double e8 = max_error(&t, &r);
    print_message("sine, rk8pd at a 0.5 ms step: error %.3g\n", e8);
    assert_true(e8 < 1e-8);
    trace_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_rates_are_exact),
        cmocka_unit_test(test_varying_rates_converge),
        cmocka_unit_test(test_other_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
