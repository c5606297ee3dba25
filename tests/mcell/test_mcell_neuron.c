/* Multi-compartment cells against NEURON 8.2 (python3-neuron, installed by
 * tools/install-deps.sh --test): tests/mcell/neuron_cells.py builds the
 * cells of tests/data/mcell by hand in NEURON — the same morphology,
 * channels (NEURON's hh with its tables off at 6.3 degC, which are
 * NeuroML's rate forms), nseg and dt — and writes its traces; libdtb runs
 * the NeuroML files (whose channels carry hh's q10 as q10ExpTemp settings,
 * compared at 6.3 and 16.3 degC). Spike times (upward crossings of 0 mV at the soma)
 * must agree within one step, sub-threshold voltages within 0.1 mV, gate
 * states within 1e-3; in fact every trace agrees within 1e-3 (mV), spikes
 * included, since both integrate the same equations in the same order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define MAX_RECS 8
#define DT 0.025
#define DURATION 200.0

typedef struct rec {
    const char *name;            /* the column of neuron_cells.py */
    int64_t segment;
    double x;
    const char *variable;
} rec;

typedef struct cell_case {
    const char *cell;            /* neuron_cells.py's name, and the file's */
    const char *file;            /* the file's, when it is another */
    const char *id;
    rec recs[MAX_RECS];
    size_t n_recs;
} cell_case;

static const cell_case ball_and_stick = {
    "ball_and_stick", NULL, "bs_cell",
    {{"soma_v", 0, 0.5, "v"}, {"soma_m", 0, 0.5, "naChans/m"}, {"dend_mid_v", 1, 0.5, "v"},
     {"dend_end_v", 1, 1, "v"}},
    4};

/* The same cell with LEMS-defined rates (lems_rate_channels.nml). */
static const cell_case ball_and_stick_lems = {
    "ball_and_stick", "ball_and_stick_lems", "bs_cell",
    {{"soma_v", 0, 0.5, "v"}, {"soma_m", 0, 0.5, "naChans/m"}, {"dend_mid_v", 1, 0.5, "v"},
     {"dend_end_v", 1, 1, "v"}},
    4};

/* And with gateHHtauInf, gateHHratesInf, gateHHratesTau (tau_inf_channels.nml). */
static const cell_case ball_and_stick_tau_inf = {
    "ball_and_stick", "ball_and_stick_tau_inf", "bs_cell",
    {{"soma_v", 0, 0.5, "v"}, {"soma_m", 0, 0.5, "naChans/m"}, {"dend_mid_v", 1, 0.5, "v"},
     {"dend_end_v", 1, 1, "v"}},
    4};

/* A tapered dendrite: frustums against NEURON's pt3d geometry. */
static const cell_case tapered = {
    "tapered", NULL, "tapered_cell",
    {{"soma_v", 0, 0.5, "v"}, {"dend_v", 1, 0.9, "v"}, {"dend_n", 1, 0.3, "kChans/n"}},
    3};

static const cell_case branched = {
    "branched", NULL, "branched_cell",
    {{"soma_v", 0, 0.5, "v"}, {"trunk_h", 2, 0.5, "naDend/h"}, {"left_v", 3, 0.5, "v"},
     {"right_v", 4, 0.9, "v"}, {"oblique_v", 5, 0.5, "v"}, {"fork_v", 2, 1, "v"}},
    6};

typedef struct traces {
    double *col[MAX_RECS];
    size_t n;
    double spikes[64];           /* the spike times at spikeThresh (ms) */
    size_t n_spikes;
} traces;

static void traces_free(traces *t)
{
    for (size_t i = 0; i < MAX_RECS; i++)
        free(t->col[i]);
}

static int have_neuron(void)
{
    char out[256];
    return test_run(out, sizeof out, "/usr/bin/python3 -c 'import neuron' >/dev/null 2>&1") == 0;
}

/* NEURON's traces, columns in the case's order (checked against the header). */
static void run_neuron(const cell_case *c, int64_t nseg, double amp, int cn, double celsius,
                       traces *t)
{
    char out[4096], path[4096];
    snprintf(path, sizeof path, "%s/%s_%lld_%g_%d_%g.csv", test_tmpdir(), c->cell, (long long)nseg,
             amp, cn, celsius);
    int rc = test_run(out, sizeof out, "/usr/bin/python3 '%s/tests/mcell/neuron_cells.py' %s %lld "
                      "%g %g %g '%s' --secondorder %d --celsius %.17g 2>&1", DTB_SOURCE_ROOT,
                      c->cell, (long long)nseg, DT, DURATION, amp, path, cn ? 2 : 0, celsius);
    if (rc != 0)
        fail_msg("neuron_cells.py failed: %s", out);
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    size_t rows = (size_t)(DURATION / DT + 0.5) + 1;
    for (size_t r = 0; r < c->n_recs; r++)
        assert_non_null(t->col[r] = calloc(rows, sizeof(double)));
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    assert_non_null(line);
    for (size_t r = 0; r < c->n_recs; r++)
        assert_non_null(strstr(line, c->recs[r].name));
    t->n = 0;
    while ((line = strtok_r(NULL, "\n", &save)) && t->n < rows) {
        char *p = line;
        for (size_t r = 0; r < c->n_recs; r++) {
            t->col[r][t->n] = strtod(p, &p);
            if (*p == ',')
                p++;
        }
        t->n++;
    }
    free(text);
    assert_int_equal(t->n, rows);
    char spath[4200];
    snprintf(spath, sizeof spath, "%s.spikes", path);
    assert_non_null(text = read_text_file(spath, NULL));
    t->n_spikes = 0;
    for (char *p = text, *end; t->n_spikes < 64; p = end) {
        double v = strtod(p, &end);
        if (end == p)
            break;
        t->spikes[t->n_spikes++] = v;
    }
    free(text);
}

static void run_libdtb(const cell_case *c, int64_t nseg, double amp, int cn, double celsius,
                       traces *t)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/mcell/%s.nml", DTB_TEST_DATA, c->file ? c->file : c->cell);
    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, path, c->id), DTB_OK);
    assert_int_equal(dtb_mcell_set_nseg(cell, nseg), DTB_OK);
    if (cn)
        assert_int_equal(dtb_mcell_set_method(cell, DTB_MCELL_METHOD_CRANK_NICOLSON), DTB_OK);
    assert_int_equal(dtb_mcell_set_temperature(cell, celsius), DTB_OK);
    assert_int_equal(dtb_mcell_add_current_clamp(cell, 0, 0.5, 20, 100, amp), DTB_OK);
    for (size_t r = 0; r < c->n_recs; r++) {
        int64_t index = -1;
        assert_int_equal(dtb_mcell_add_recording(cell, c->recs[r].segment, c->recs[r].x,
                                                 c->recs[r].variable, &index), DTB_OK);
        assert_int_equal(index, (int64_t)r);
    }
    assert_int_equal(dtb_mcell_run(cell, DURATION, DT), DTB_OK);
    t->n = (size_t)dtb_mcell_trace_length(cell);
    for (size_t r = 0; r < c->n_recs; r++) {
        size_t needed = 0;
        assert_non_null(t->col[r] = calloc(t->n, sizeof(double)));
        assert_int_equal(dtb_mcell_trace(cell, (int64_t)r, t->col[r], t->n, &needed), DTB_OK);
        assert_int_equal(needed, t->n);
    }
    size_t n_spikes = 0;
    assert_int_equal(dtb_mcell_spike_times(cell, NULL, 0, &n_spikes), DTB_OK);
    assert_true(n_spikes <= 64);
    assert_int_equal(dtb_mcell_spike_times(cell, t->spikes, 64, NULL), DTB_OK);
    t->n_spikes = n_spikes;
    dtb_mcell_free(cell);
}

/* Step indices of the upward crossings of 0 mV. */
static size_t spikes(const double *v, size_t n, size_t *at, size_t max)
{
    size_t k = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i - 1] < 0 && v[i] >= 0 && k < max)
            at[k++] = i;
    return k;
}

/* amp below threshold: every voltage within 0.1 mV; above: the soma's
 * spike times within one step, and at least `min_spikes` of them. */
static void compare_with(const cell_case *c, int64_t nseg, double amp, size_t min_spikes, int cn,
                         double celsius)
{
    if (!have_neuron())
        skip();
    traces ref = {0}, got = {0};
    run_neuron(c, nseg, amp, cn, celsius, &ref);
    run_libdtb(c, nseg, amp, cn, celsius, &got);
    assert_int_equal(got.n, ref.n);
    size_t ref_at[64], got_at[64];
    size_t n_ref = spikes(ref.col[0], ref.n, ref_at, 64), n_got = spikes(got.col[0], got.n, got_at, 64);
    print_message("%s nseg %lld amp %g nA%s %g degC: %zu spikes in NEURON, %zu in libdtb\n",
                  c->cell, (long long)nseg, amp, cn ? " Crank-Nicolson" : "", celsius, n_ref, n_got);
    assert_int_equal(n_got, n_ref);
    assert_true(n_ref >= min_spikes);
    for (size_t k = 0; k < n_ref; k++) {
        long d = (long)got_at[k] - (long)ref_at[k];
        if (d < -1 || d > 1)
            fail_msg("%s: spike %zu at step %zu in libdtb, %zu in NEURON", c->cell, k, got_at[k],
                     ref_at[k]);
    }
    /* dtb_mcell_spike_times against NEURON's NetCon at spikeThresh */
    assert_int_equal(got.n_spikes, ref.n_spikes);
    assert_true(ref.n_spikes >= min_spikes);
    for (size_t k = 0; k < ref.n_spikes; k++)
        assert_true(fabs(got.spikes[k] - ref.spikes[k]) < 1e-9);
    for (size_t r = 0; r < c->n_recs; r++) {
        double worst = 0;
        for (size_t i = 0; i < ref.n; i++)
            worst = nan_max(worst, fabs(got.col[r][i] - ref.col[r][i]));
        int is_gate = strcmp(c->recs[r].variable, "v") != 0;
        print_message("  %-10s max |libdtb - NEURON| = %.3g %s\n", c->recs[r].name, worst,
                      is_gate ? "" : "mV");
        if (n_ref == 0)
            assert_true(worst < (is_gate ? 1e-3 : 0.1));
        /* Spiking too: the same equations in the same order agree to
         * round-off (1e-10 mV on x86-64), far within this. */
        assert_true(worst < 1e-3);
    }
    traces_free(&ref);
    traces_free(&got);
}

static void compare(const cell_case *c, int64_t nseg, double amp, size_t min_spikes)
{
    compare_with(c, nseg, amp, min_spikes, 0, 6.3);
}

static void test_ball_and_stick_subthreshold(void **state)
{
    (void)state;
    compare(&ball_and_stick, 9, 0.02, 0);
}

static void test_ball_and_stick_spikes(void **state)
{
    (void)state;
    compare(&ball_and_stick, 9, 0.3, 3);
}

static void test_ball_and_stick_dlambda(void **state)
{
    (void)state;
    compare(&ball_and_stick, 0, 0.3, 3);
}

static void test_branched_subthreshold(void **state)
{
    (void)state;
    compare(&branched, 9, 0.02, 0);
}

static void test_branched_spikes(void **state)
{
    (void)state;
    compare(&branched, 9, 0.5, 3);
}

/* Even nseg: the oblique branch at trunk_a(0.5) sits on the centre of the
 * compartment holding 0.5 as NEURON connects it; nseg 1: a section per
 * compartment. */
static void test_branched_even_and_one_nseg(void **state)
{
    (void)state;
    compare(&branched, 4, 0.02, 0);
    compare(&branched, 1, 0.5, 1);
}

static void test_tapered(void **state)
{
    (void)state;
    compare(&tapered, 5, 0.02, 0);
    compare(&tapered, 7, 0.3, 3);
}

static void test_branched_dlambda(void **state)
{
    (void)state;
    compare(&branched, 0, 0.5, 3);
}

/* Crank-Nicolson: NEURON's secondorder=2. */
static void test_crank_nicolson(void **state)
{
    (void)state;
    compare_with(&ball_and_stick, 9, 0.02, 0, 1, 6.3);
    compare_with(&branched, 9, 0.5, 3, 1, 6.3);
}

/* q10ExpTemp against hh's q10 at 16.3 degC: every rate three times faster
 * (the cells then fire once at the onset of the clamp and stay below
 * threshold: the traces' agreement carries the test). */
static void test_temperature(void **state)
{
    (void)state;
    compare_with(&branched, 9, 0.5, 1, 0, 16.3);
    compare_with(&ball_and_stick, 9, 0.3, 1, 1, 16.3);
}

/* Rates defined by LEMS ComponentTypes, compiled on the expression layer. */
static void test_lems_defined_rates(void **state)
{
    (void)state;
    compare(&ball_and_stick_lems, 9, 0.02, 0);
    compare(&ball_and_stick_lems, 9, 0.3, 3);
}

/* The other HH gate kinds: inf and tau from steadyState and timeCourse. */
static void test_tau_inf_gates(void **state)
{
    (void)state;
    compare(&ball_and_stick_tau_inf, 9, 0.02, 0);
    compare(&ball_and_stick_tau_inf, 9, 0.3, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ball_and_stick_subthreshold),
        cmocka_unit_test(test_ball_and_stick_spikes),
        cmocka_unit_test(test_ball_and_stick_dlambda),
        cmocka_unit_test(test_branched_subthreshold),
        cmocka_unit_test(test_branched_spikes),
        cmocka_unit_test(test_branched_dlambda),
        cmocka_unit_test(test_branched_even_and_one_nseg),
        cmocka_unit_test(test_tapered),
        cmocka_unit_test(test_crank_nicolson),
        cmocka_unit_test(test_temperature),
        cmocka_unit_test(test_lems_defined_rates),
        cmocka_unit_test(test_tau_inf_gates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
