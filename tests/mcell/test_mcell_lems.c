/* The single-compartment case against libdtb's own LEMS engine: the
 * shared NML2_SingleCompHHCell.nml (a sphere of 1000 um2 with HH channels,
 * 0.08 nA from 100 to 200 ms) run by the LEMS engine with RK4 at 2.5 us
 * (tests/data/mcell/LEMS_single_comp_hh.xml) and by dtb_mcell with NEURON's
 * backward Euler. The two methods differ by O(dt): the spike times must
 * agree within 0.1 ms at dt = 2.5 us, and the error must fall about
 * tenfold from dt = 25 us (first order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define MAX_SPIKES 32

/* Upward crossings of 0 mV: their times (ms). */
static size_t crossings(const double *t, const double *v, size_t n, double *at)
{
    size_t k = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i - 1] < 0 && v[i] >= 0 && k < MAX_SPIKES)
            at[k++] = t[i];
    return k;
}

static size_t lems_spikes(double *at)
{
    char core[4096], examples[4096], file[4096];
    snprintf(core, sizeof core, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    snprintf(examples, sizeof examples, "%s", shared_path("neuroml/NeuroML2/examples"));
    snprintf(file, sizeof file, "%s/mcell/LEMS_single_comp_hh.xml", DTB_TEST_DATA);
    const char *dirs[] = {core, examples};
    dtb_lems_document *doc = NULL;
    assert_int_equal(dtb_lems_document_load(&doc, file, dirs, 2), DTB_OK);
    dtb_lems_simulation_options o;
    assert_int_equal(dtb_lems_simulation_options_init(&o, DTB_LEMS_SIMULATION_OPTIONS_VERSION), DTB_OK);
    o.method = DTB_LEMS_METHOD_RK4;
    dtb_lems_simulation *sim = NULL;
    assert_int_equal(dtb_lems_simulation_create(&sim, doc, &o), DTB_OK);
    assert_int_equal(dtb_lems_simulation_open_outputs(sim, test_tmpdir()), DTB_OK);
    assert_int_equal(dtb_lems_simulation_run(sim, NULL, NULL), DTB_OK);
    dtb_lems_simulation_free(sim);
    dtb_lems_document_free(doc);
    char path[4096];
    snprintf(path, sizeof path, "%s/v.dat", test_tmpdir());
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    size_t n = 0, cap = 1 << 17;
    double *t = malloc(cap * sizeof *t), *v = malloc(cap * sizeof *v);
    assert_true(t && v);
    for (char *p = text; *p && n < cap;) {
        char *end;
        t[n] = strtod(p, &end) * 1e3;   /* s -> ms, V -> mV */
        v[n] = strtod(end, &p) * 1e3;
        if (p == end)
            break;
        n++;
    }
    free(text);
    assert_int_equal(n, 120001);
    size_t k = crossings(t, v, n, at);
    free(t);
    free(v);
    return k;
}

static size_t mcell_spikes(double dt, double *at)
{
    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, shared_path("neuroml/NeuroML2/examples/NML2_SingleCompHHCell.nml"),
                                    "hhcell"), DTB_OK);
    assert_int_equal(dtb_mcell_set_nseg(cell, 1), DTB_OK);
    assert_int_equal(dtb_mcell_compartment_count(cell), 1);
    assert_int_equal(dtb_mcell_add_current_clamp(cell, 0, 0.5, 100, 100, 0.08), DTB_OK);
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "v", NULL), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 300, dt), DTB_OK);
    size_t n = (size_t)dtb_mcell_trace_length(cell);
    double *t = malloc(n * sizeof *t), *v = malloc(n * sizeof *v);
    assert_true(t && v);
    assert_int_equal(dtb_mcell_trace(cell, 0, v, n, NULL), DTB_OK);
    for (size_t i = 0; i < n; i++)
        t[i] = (double)i * dt;
    size_t k = crossings(t, v, n, at);
    free(t);
    free(v);
    dtb_mcell_free(cell);
    return k;
}

static double worst_gap(const double *a, const double *b, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w = nan_max(w, fabs(a[i] - b[i]));
    return w;
}

static void test_single_compartment_matches_lems_engine(void **state)
{
    (void)state;
    double ref[MAX_SPIKES], coarse[MAX_SPIKES], fine[MAX_SPIKES];
    size_t n_ref = lems_spikes(ref);
    assert_true(n_ref >= 5);   /* a spike train through the pulse */
    assert_int_equal(mcell_spikes(0.025, coarse), n_ref);
    assert_int_equal(mcell_spikes(0.0025, fine), n_ref);
    double e_coarse = worst_gap(coarse, ref, n_ref), e_fine = worst_gap(fine, ref, n_ref);
    print_message("spike times vs the LEMS engine (RK4, 2.5 us): %.3g ms at dt 25 us, %.3g ms at 2.5 us\n",
                  e_coarse, e_fine);
    assert_true(e_fine < 0.1);
    assert_true(e_fine < e_coarse / 5);
    for (size_t k = 0; k < n_ref; k++)
        assert_true(ref[k] > 100 && ref[k] < 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_compartment_matches_lems_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
