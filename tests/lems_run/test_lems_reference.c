/* The LEMS engine against the shared reference traces (pylems 0.6.7 and
 * jLEMS, shared/data/reference/lems). Offsets between the interpreters are
 * those documented in lems_run.h, dtb-lems(7) and the JSON sidecars:
 *  - pylems row k holds the state libdtb has at t_{k+1} (shift +1);
 *    jLEMS rows are libdtb's rows (shift 0), except that jLEMS records the
 *    derived variables of a child computed before the step (shift -1);
 *  - smooth models agree to 1e-6 relative (most to round-off);
 *  - spiking models: same spikes, each within one step;
 *  - where an interpreter has an artefact (pylems' one-step lag of a parent's
 *    derived variable, jLEMS' sequential update of populations), an
 *    independent re-implementation of that artefact reproduces the reference
 *    and an independent clean one reproduces libdtb.
 * Every comparison covers the whole run: libdtb's row count is the file's
 * length / step + 1 and rel_diff fails unless the reference's rows all have
 * their libdtb row (checked: the engine stopping 50 steps early fails all
 * nine cases; before, the comparisons stopped where libdtb's trace ended),
 * and a NaN on either side fails it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lems_test_util.h"
#include "test_util.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* libdtb's trace of a whole Simulation: the initial state, then one row
 * per step of the file's `length` at its `step` (the numbers below are the
 * files'). rel_diff also checks that the reference covers the same run. */
static void expect_rows(const trace *mine, double length, double step)
{
    assert_int_equal(mine->rows, (size_t)llround(length / step) + 1);
}

/* Compare columns 1..n of mine and ref with the same order. */
static void expect_close(const char *what, const trace *mine, const trace *ref, long shift, double tol)
{
    for (size_t c = 1; c <= mine->cols; c++) {
        double d = rel_diff(mine, c, ref, c, shift);
        print_message("%-28s column %zu: max relative difference %.3g\n", what, c, d);
        assert_true(d <= tol);
    }
}

static void test_fitzhugh_nagumo(void **state)
{
    (void)state;
    static const char *const cols[] = {"fnPop1[0]/V", "fnPop1[0]/W"};
    trace mine, py, jl;
    run_shared("NeuroML2/LEMSexamples/LEMS_NML2_Ex9_FN.xml", cols, N_OF(cols), &mine);
    read_reference("fitzhugh_nagumo_Ex9.npy", &py);
    read_reference("jlems/fitzhugh_nagumo_Ex9.npy", &jl);
    expect_rows(&mine, 200, 0.01);
    expect_close("FN vs pylems", &mine, &py, 1, 1e-12);
    expect_close("FN vs jLEMS (float32)", &mine, &jl, 0, 1e-6);
    trace_free(&mine);
    trace_free(&py);
    trace_free(&jl);
}

static void test_hodgkin_huxley(void **state)
{
    (void)state;
    static const char *const cols[] = {"hhpop[0]/v", "hhpop[0]/naChans/na/m/q", "hhpop[0]/naChans/na/h/q",
                                       "hhpop[0]/kChans/k/n/q"};
    trace mine, py;
    run_shared("NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml", cols, N_OF(cols), &mine);
    read_reference("hh_Ex1.npy", &py);
    expect_rows(&mine, 150e-3, 0.01e-3);
    expect_close("HH Ex1 vs pylems", &mine, &py, 1, 1e-10);
    trace_free(&mine);
    trace_free(&py);
}

static void expect_same_resets(const char *what, const trace *mine, size_t mc, const trace *ref, size_t rc,
                               double drop, double ref_shift, double *worst_steps)
{
    double a[4096], b[4096];
    size_t na = reset_times(mine, mc, drop, a, N_OF(a)), nb = reset_times(ref, rc, drop, b, N_OF(b));
    print_message("%-28s %zu resets (reference %zu)\n", what, na, nb);
    assert_int_equal(na, nb);
    assert_true(na > 0);
    for (size_t i = 0; i < na; i++) {
        double steps = fabs(a[i] - (b[i] + ref_shift)) / mine->dt;
        if (steps > *worst_steps)
            *worst_steps = steps;
        assert_true(steps <= 1.0 + 1e-6);
    }
}

static void test_izhikevich_2007(void **state)
{
    (void)state;
    static const char *const cols[] = {"RS_pop/0/RS/v", "RS_pop/0/RS/u"};
    trace mine, py;
    run_shared("OSB-IzhikevichModel/NeuroML2/LEMS_2007One.xml", cols, N_OF(cols), &mine);
    read_reference("izh2007_one.npy", &py);
    expect_rows(&mine, 520e-3, 0.0025e-3);
    expect_close("Izhikevich 2007 vs pylems", &mine, &py, 1, 1e-12);
    double worst = 0;
    expect_same_resets("Izhikevich 2007 spikes", &mine, 1, &py, 1, 0.02, py.dt, &worst);
    assert_true(worst < 1e-6);
    trace_free(&mine);
    trace_free(&py);
}

static void test_jansen_rit(void **state)
{
    (void)state;
    static const char *const cols[] = {"Pop1[0]/y0", "Pop1[0]/y1", "Pop1[0]/y2",
                                       "Pop1[0]/y3", "Pop1[0]/y4", "Pop1[0]/y5"};
    trace mine, py, jl;
    /* The unmodified file: libdtb parses a - b*c - d conventionally. */
    run_shared("OSB-TheVirtualBrainShowcase/TVB_LEMS/LEMS_TestJR.xml", cols, N_OF(cols), &mine);
    read_reference("jansenrit.npy", &py);
    read_reference("jlems/jansenrit.npy", &jl);
    expect_rows(&mine, 1.0, 0.01e-3);
    expect_close("Jansen-Rit vs pylems", &mine, &py, 1, 1e-12);
    expect_close("Jansen-Rit vs jLEMS (float32)", &mine, &jl, 0, 1e-6);
    trace_free(&mine);
    trace_free(&py);
    trace_free(&jl);
}

static void test_wilson_cowan_requirement(void **state)
{
    (void)state;
    /* jLEMS columns: node/E, node/I, node/xE, c_in. */
    static const char *const cols[] = {"node/E", "node/I", "node/xE", "c_in"};
    trace mine, jl, py;
    run_shared("dtb-examples/wc_cin_example.xml", cols, N_OF(cols), &mine);
    read_reference("jlems/wc_cin_example.npy", &jl);
    read_reference("wc_cin_example.npy", &py);
    expect_rows(&mine, 400e-3, 0.01e-3);
    /* No lag between the parent's c_in and the child, as in jLEMS. */
    for (size_t c = 1; c <= 4; c++) {
        double d = rel_diff(&mine, c, &jl, c, c == 3 ? -1 : 0);
        print_message("wc_cin vs jLEMS column %zu: %.3g\n", c, d);
        assert_true(d <= 1e-6);
    }
    /* pylems: c_in (its own derived variable) is identical; the node lags
     * c_in by one step there, which moves E and I by about 1e-3. */
    assert_true(rel_diff(&mine, 4, &py, 1, 0) <= 1e-12);
    double de = rel_diff(&mine, 1, &py, 2, 1);
    print_message("wc_cin vs pylems E (pylems' lag): %.3g\n", de);
    assert_true(de > 1e-6 && de < 2e-3);
    trace_free(&mine);
    trace_free(&jl);
    trace_free(&py);
}

static void test_adex(void **state)
{
    (void)state;
    static const char *const cols[] = {"adExPop1[0]/v", "adExPop1[0]/w", "adExPop2[0]/v", "adExPop2[0]/w",
                                       "adExPop3[0]/v", "adExPop3[0]/w", "adExPop4[0]/v", "adExPop4[0]/w"};
    trace mine, py;
    run_shared("NeuroML2/LEMSexamples/LEMS_NML2_Ex8_AdEx.xml", cols, N_OF(cols), &mine);
    read_reference("adex_Ex8.npy", &py);
    expect_rows(&mine, 300e-3, 0.025e-3);
    expect_close("AdEx (regimes) vs pylems", &mine, &py, 1, 1e-9);
    double worst = 0;
    for (size_t c = 1; c <= 7; c += 2)
        expect_same_resets("AdEx spikes", &mine, c, &py, c, 0.005, py.dt, &worst);
    trace_free(&mine);
    trace_free(&py);
}

static void test_integrate_and_fire(void **state)
{
    (void)state;
    static const char *const cols[] = {"iafTauPop[0]/v", "iafTauRefPop[0]/v", "iafRefPop[0]/v", "iafPop[0]/v"};
    trace mine, py;
    run_shared("NeuroML2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml", cols, N_OF(cols), &mine);
    read_reference("iaf_Ex0.npy", &py);
    expect_rows(&mine, 300e-3, 0.005e-3);
    assert_true(py.rows >= mine.rows - 1);
    /* These cells start above threshold: libdtb fires on the initial state
     * at t = 0, pylems after its first Euler step, so libdtb's trains run
     * one step ahead of pylems' (one behind becomes zero after the row
     * shift). Every spike is within one step. */
    double worst = 0;
    for (size_t c = 1; c <= 4; c++)
        expect_same_resets("IaF spikes", &mine, c, &py, c, 0.005, py.dt, &worst);
    print_message("IaF: worst spike offset %.3g steps\n", worst);
    trace_free(&mine);
    trace_free(&py);
}

/* Times where the column crosses `level` upwards. */
static size_t crossings(const trace *t, size_t col, double level, double *times, size_t max)
{
    size_t n = 0;
    for (size_t k = 1; k < t->rows; k++)
        if (trace_at(t, k - 1, col) < level && trace_at(t, k, col) >= level && n < max)
            times[n++] = trace_at(t, k, 0);
    return n;
}

static void test_network_with_synapses(void **state)
{
    (void)state;
    static const char *const cols[] = {"hh1pop[0]/v", "hh2pop[0]/v", "hh2pop[1]/v", "hh2pop[2]/v",
                                       "hh2pop[0]/syn1exp/g", "hh2pop[1]/syn2exp/g", "hh2pop[2]/synalpha/g"};
    trace mine, py;
    run_shared("NeuroML2/LEMSexamples/LEMS_NML2_Ex3_Net.xml", cols, N_OF(cols), &mine);
    read_reference("net_hh_synapses_Ex3.npy", &py);
    expect_rows(&mine, 100e-3, 0.005e-3);
    /* The presynaptic cell is a plain HH cell with a pulse input. */
    assert_true(rel_diff(&mine, 1, &py, 1, 1) <= 1e-10);
    double a[64], b[64];
    size_t na = crossings(&mine, 1, 0.0, a, 64), nb = crossings(&py, 1, 0.0, b, 64);
    print_message("Ex3 presynaptic cell: %zu spikes (pylems %zu)\n", na, nb);
    assert_int_equal(na, nb);
    assert_true(na > 0);
    /* Its spikes reach the synapses in the instant they are sent here, at
     * most one step later in pylems (tree order): each conductance starts
     * within one step, and the postsynaptic potentials follow closely. */
    for (size_t c = 5; c <= 7; c++) {
        double tm = -1, tp = -1;
        for (size_t k = 0; k < mine.rows && tm < 0; k++)
            if (trace_at(&mine, k, c) > 0)
                tm = trace_at(&mine, k, 0);
        for (size_t k = 0; k < py.rows && tp < 0; k++)
            if (trace_at(&py, k, c) > 0)
                tp = trace_at(&py, k, 0) + py.dt;
        print_message("Ex3 synapse %zu: first event at %.9g s (pylems %.9g s)\n", c - 4, tm, tp);
        assert_true(tm > 0 && fabs(tm - tp) <= py.dt * 1.000001);
    }
    for (size_t c = 2; c <= 4; c++) {
        double d = rel_diff(&mine, c, &py, c, 1);
        print_message("Ex3 postsynaptic cell %zu: %.3g\n", c - 1, d);
        assert_true(d < 1e-3);
    }
    /* The conductances peak alike. */
    for (size_t c = 5; c <= 7; c++) {
        double pm = 0, pp = 0;
        for (size_t k = 0; k < mine.rows; k++)
            pm = nan_max(pm, trace_at(&mine, k, c));
        for (size_t k = 0; k < py.rows; k++)
            pp = nan_max(pp, trace_at(&py, k, c));
        print_message("Ex3 synapse %zu: peak %.6g S (pylems %.6g S)\n", c - 4, pm, pp);
        assert_true(pp > 0 && fabs(pm - pp) / pp < 0.01);
    }
    trace_free(&mine);
    trace_free(&py);
}

/* ------------------------------------------------ Wilson-Cowan network */

/* LEMS_WC_driven.xml, written out by hand: two wilsonCowanCells coupled by
 * rateSynapses (weights 10, 12, -8, -3), each driven by a sineGenerator.
 * `jlems_order`: update the populations one after the other, the second
 * seeing the first's new rate, with the inputs taken at the end of the step
 * (what jLEMS does); otherwise simultaneous forward Euler with inputs at the
 * start of the step (libdtb). */
static void wilson_cowan_by_hand(int jlems_order, size_t rows, double *out_e, double *out_i)
{
    const double dt = 0.005e-3, tau = 1e-3, amp = 0.5e-9, period = 25e-3, nA = 1e-9, sec = 1.0;
    const double z[2] = {0.2e-9, 4e-9};
    double r[2] = {0.1, 0.05}, t = 0.0;
    for (size_t k = 0; k < rows; k++) {
        out_e[k] = r[0];
        out_i[k] = r[1];
        double tin = jlems_order ? t + dt : t;
        double drive = t < 100e-3 ? 1 * amp * sin(0 + (2 * 3.14159265 * (tin - 0)) / period) : 0;
        double next[2];
        for (int p = 0; p < 2; p++) {
            double re = jlems_order && p == 1 ? next[0] : r[0];
            const double w_e = p == 0 ? 10.0 : 12.0, w_i = p == 0 ? -8.0 : -3.0;
            /* synapses in attachment order: silent, from E, silent, from I, input */
            double isyn = 0.0;
            isyn += 0 * nA;
            isyn += w_e * sec * nA * re;
            isyn += 0 * nA;
            isyn += w_i * sec * nA * r[1];
            isyn += drive;
            double f = 1 / (1 + exp(-1 * (isyn - z[p]) / nA));
            next[p] = r[p] + dt * ((-1 * r[p] + f * 1.0) / tau);
        }
        r[0] = next[0];
        r[1] = next[1];
        t += dt;
    }
}

static void test_wilson_cowan_network(void **state)
{
    (void)state;
    static const char *const cols[] = {"ExcPop/0/Exc/r", "InhPop/0/Inh/r"};
    trace mine, jl;
    run_shared("OSB-WilsonCowan/NeuroML2/LEMS_WC_driven.xml", cols, N_OF(cols), &mine);
    read_reference("jlems/wilsoncowan_driven.npy", &jl);
    expect_rows(&mine, 100e-3, 0.005e-3);
    assert_int_equal(mine.rows, jl.rows);
    size_t n = mine.rows;
    double *e = malloc(n * sizeof *e), *i = malloc(n * sizeof *i);
    assert_non_null(e);
    assert_non_null(i);
    /* libdtb = the clean integration, to round-off. */
    wilson_cowan_by_hand(0, n, e, i);
    double d = 0, m = 0;
    for (size_t k = 0; k < n; k++) {
        d = nan_max(d, nan_max(fabs(trace_at(&mine, k, 1) - e[k]), fabs(trace_at(&mine, k, 2) - i[k])));
        m = nan_max(m, fabs(e[k]));
    }
    print_message("WC network vs clean Euler by hand: %.3g\n", d / m);
    assert_true(d / m < 1e-9);
    /* jLEMS = the sequential integration, to float32 print precision. */
    wilson_cowan_by_hand(1, n, e, i);
    d = 0;
    for (size_t k = 0; k < n; k++)
        d = nan_max(d, nan_max(fabs(trace_at(&jl, k, 1) - e[k]), fabs(trace_at(&jl, k, 2) - i[k])));
    print_message("jLEMS vs sequential Euler by hand: %.3g\n", d / m);
    assert_true(d / m < 1e-6);
    /* Hence libdtb and jLEMS differ by what the update order makes. */
    double dj = nan_max(rel_diff(&mine, 1, &jl, 1, 0), rel_diff(&mine, 2, &jl, 2, 0));
    print_message("WC network vs jLEMS: %.3g (update order)\n", dj);
    assert_true(dj < 0.025);
    free(e);
    free(i);
    trace_free(&mine);
    trace_free(&jl);
}

/* ------------------------------------------------------- jLEMS' order */

static const dtb__lr_options jlems_order = {.order = DTB__LR_ORDER_JLEMS};

/* Every column against jLEMS' float32 trace, row for row. */
static void expect_jlems(const char *file, const char *const *cols, size_t n, const char *ref, double tol)
{
    trace mine, jl;
    run_shared_with(file, cols, n, &jlems_order, &mine);
    read_reference(ref, &jl);
    assert_int_equal(mine.rows, jl.rows);
    for (size_t c = 1; c <= n; c++) {
        double d = rel_diff(&mine, c, &jl, c, 0);
        print_message("%-28s %-18s jLEMS order: %.3g\n", ref, cols[c - 1], d);
        assert_true(d <= tol);
    }
    trace_free(&mine);
    trace_free(&jl);
}

static void test_jlems_order(void **state)
{
    (void)state;
    static const char *const fn[] = {"fnPop1[0]/V", "fnPop1[0]/W"};
    expect_jlems("NeuroML2/LEMSexamples/LEMS_NML2_Ex9_FN.xml", fn, 2, "jlems/fitzhugh_nagumo_Ex9.npy", 1e-7);
    static const char *const jr[] = {"Pop1[0]/y0", "Pop1[0]/y1", "Pop1[0]/y2",
                                     "Pop1[0]/y3", "Pop1[0]/y4", "Pop1[0]/y5"};
    expect_jlems("OSB-TheVirtualBrainShowcase/TVB_LEMS/LEMS_TestJR.xml", jr, 6, "jlems/jansenrit.npy", 1e-7);
    static const char *const wc[] = {"node/E", "node/I", "node/xE", "c_in"};
    expect_jlems("dtb-examples/wc_cin_example.xml", wc, 4, "jlems/wc_cin_example.npy", 1e-7);
    static const char *const net[] = {"ExcPop/0/Exc/r", "InhPop/0/Inh/r", "ExcPop/0/Exc/iSyn",
                                      "ExcPop/0/Exc/f", "InhPop/0/Inh/iSyn", "InhPop/0/Inh/f"};
    expect_jlems("OSB-WilsonCowan/NeuroML2/LEMS_WC_driven.xml", net, 6, "jlems/wilsoncowan_driven.npy", 1e-7);
}

/* jLEMS passes a Requirement down through the copies intermediate levels
 * hold (cell -> channel population -> channel -> gate -> rate), each
 * refreshed when its level advances: LEMS-NOTES §6.3 reports an HH gate's
 * state unchanged for rows 1-3 of jLEMS' Ex1 trace. In jLEMS' order here
 * too; in pylems' order the gate moves from row 2. */
static void test_jlems_requirement_lag(void **state)
{
    (void)state;
    static const char *const cols[] = {"hhpop[0]/naChans/na/m/q"};
    trace j, p;
    run_shared_with("NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml", cols, 1, &jlems_order, &j);
    run_shared("NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml", cols, 1, &p);
    print_message("m rows 0-4, jLEMS order: %.9g %.9g %.9g %.9g %.9g\n", trace_at(&j, 0, 1), trace_at(&j, 1, 1),
                  trace_at(&j, 2, 1), trace_at(&j, 3, 1), trace_at(&j, 4, 1));
    for (size_t k = 1; k <= 3; k++)
        assert_true(trace_at(&j, k, 1) == trace_at(&j, 0, 1));
    assert_true(trace_at(&j, 4, 1) != trace_at(&j, 0, 1));
    assert_true(trace_at(&p, 1, 1) == trace_at(&p, 0, 1));
    assert_true(trace_at(&p, 2, 1) != trace_at(&p, 0, 1));
    trace_free(&j);
    trace_free(&p);
}

/* LEMS-NOTES §6.6 gives the rows of jLEMS' Ex0 trace where iafTauRefCell
 * resets: 9320 and 18639 (pylems': 9318, 18637, one step apart in its row
 * convention). jLEMS' order here gives jLEMS' rows. */
static void test_jlems_refractory_rows(void **state)
{
    (void)state;
    static const char *const cols[] = {"iafTauRefPop[0]/v"};
    trace j;
    run_shared_with("NeuroML2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml", cols, 1, &jlems_order, &j);
    size_t rows[8], n = 0;
    for (size_t k = 1; k < j.rows && n < 8; k++)
        if (trace_at(&j, k - 1, 1) - trace_at(&j, k, 1) > 0.005)
            rows[n++] = k;
    print_message("iafTauRefCell resets, jLEMS order: rows %zu %zu %zu\n", rows[0], rows[1], rows[2]);
    assert_true(n >= 3);
    assert_int_equal(rows[1], 9320);
    assert_int_equal(rows[2], 18639);
    trace_free(&j);
}

/* The batches of the jLEMS order give what instance by instance gives,
 * bit for bit, on files with populations, attachments, peers, events and
 * regimes. */
static void test_jlems_batches(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *cols[4];
    } cases[] = {
        {"NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml", {"hhpop[0]/v", "hhpop[0]/naChans/na/m/q"}},
        {"NeuroML2/LEMSexamples/LEMS_NML2_Ex3_Net.xml", {"hh2pop[0]/v", "hh2pop[2]/synalpha/g", "hh1pop[0]/v"}},
        {"OSB-WilsonCowan/NeuroML2/LEMS_WC_driven.xml", {"ExcPop/0/Exc/r", "InhPop/0/Inh/r"}},
        {"NeuroML2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml", {"iafRefPop[0]/v", "iafTauRefPop[0]/v"}},
    };
    const dtb__lr_options single = {.order = DTB__LR_ORDER_JLEMS, .one_by_one = 1};
    for (size_t c = 0; c < N_OF(cases); c++) {
        size_t n = 0;
        while (n < 4 && cases[c].cols[n])
            n++;
        trace a, b;
        run_shared_with(cases[c].file, cases[c].cols, n, &jlems_order, &a);
        run_shared_with(cases[c].file, cases[c].cols, n, &single, &b);
        assert_int_equal(a.rows, b.rows);
        size_t differ = 0;
        for (size_t k = 0; k < a.rows * (n + 1); k++)
            differ += !(a.v[k] == b.v[k]);
        print_message("%s: batched vs one by one: %zu values differ\n", cases[c].file, differ);
        assert_int_equal(differ, 0);
        trace_free(&a);
        trace_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fitzhugh_nagumo),      cmocka_unit_test(test_hodgkin_huxley),
        cmocka_unit_test(test_izhikevich_2007),      cmocka_unit_test(test_jansen_rit),
        cmocka_unit_test(test_wilson_cowan_requirement), cmocka_unit_test(test_adex),
        cmocka_unit_test(test_integrate_and_fire),   cmocka_unit_test(test_network_with_synapses),
        cmocka_unit_test(test_wilson_cowan_network), cmocka_unit_test(test_jlems_order),
        cmocka_unit_test(test_jlems_batches),  cmocka_unit_test(test_jlems_requirement_lag),
        cmocka_unit_test(test_jlems_refractory_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
