/* dtb lems and dtb check: files written under the names the XML asks for,
 * columns in SI, exit statuses, messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "io/npy.h"
#include "test_util.h"

static char output[1 << 17];

static int dtb(const char *args)
{
    return test_run(output, sizeof output, "'%s' %s", DTB_EXE, args);
}

static const char *core_dir(void)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s", shared_path("neuroml/NeuroML2/NeuroML2CoreTypes"));
    return buf;
}

/* A shared file's path in a buffer of its own: shared_path() reuses one
 * buffer, and the order in which a call's arguments are evaluated is not
 * fixed. */
static const char *shared_file(const char *relative)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s", shared_path(relative));
    return buf;
}

/* Rows and columns of a whitespace-separated file; the first row's values. */
static void table_shape(const char *path, size_t *rows, size_t *cols, double *first, size_t max_first)
{
    char *text = read_text_file(path, NULL);
    if (!text)
        print_error("cannot read %s\n", path);
    assert_non_null(text);
    *rows = 0;
    *cols = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        size_t c = 0;
        for (char *p = line; *p;) {
            char *end;
            double v = strtod(p, &end);
            if (end == p)
                break;
            if (*rows == 0 && c < max_first)
                first[c] = v;
            c++;
            p = end;
        }
        if (*rows == 0)
            *cols = c;
        assert_int_equal(c, *cols);
        (*rows)++;
    }
    free(text);
}

static void test_lems_writes_outputs_and_displays(void **state)
{
    (void)state;
    char args[16384];
    snprintf(args, sizeof args, "lems '%s' -I '%s' --out hh --quiet",
             shared_file("neuroml/NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml"), core_dir());
    assert_int_equal(dtb(args), 0);
    assert_string_equal(output, "");
    char path[4200];
    size_t rows, cols;
    double first[8];
    /* <OutputFile fileName="results/hh_v.dat">: v in volts. */
    snprintf(path, sizeof path, "%s/hh/results/hh_v.dat", test_tmpdir());
    table_shape(path, &rows, &cols, first, 8);
    assert_int_equal(rows, 15001);
    assert_int_equal(cols, 2);
    assert_true(first[0] == 0.0 && fabs(first[1] + 0.065) < 1e-12);
    /* <Display id="d2">: three gate variables, no Line scale applied. */
    snprintf(path, sizeof path, "%s/hh/d2.dat", test_tmpdir());
    table_shape(path, &rows, &cols, first, 8);
    assert_int_equal(rows, 15001);
    assert_int_equal(cols, 4);
    snprintf(path, sizeof path, "%s/hh/d1.dat", test_tmpdir());
    table_shape(path, &rows, &cols, first, 8);
    assert_true(fabs(first[1] + 0.065) < 1e-12);   /* volts, although the Line says scale="1mV" */
    /* Without --quiet: a summary naming the files. */
    assert_int_equal(dtb(args + 0), 0);
    snprintf(args, sizeof args, "lems '%s' -I '%s' --out hh2",
             shared_file("neuroml/NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml"), core_dir());
    assert_int_equal(dtb(args), 0);
    assert_non_null(strstr(output, "hh2/results/hh_v.dat"));
    assert_non_null(strstr(output, "hh2/d1.dat"));
}

/* EventOutputFile: one "time id" line per spike, at the instants the
 * potentials reset. */
static void test_lems_event_output(void **state)
{
    (void)state;
    char args[16384];
    snprintf(args, sizeof args, "lems '%s/lems_ok/spike_events.xml' -I '%s' --out ev --quiet", DTB_TEST_DATA,
             core_dir());
    assert_int_equal(dtb(args), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/ev/spikes.dat", test_tmpdir());
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    double times[2][64];
    int n[2] = {0, 0};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        double t;
        int id;
        assert_int_equal(sscanf(line, "%lf %d", &t, &id), 2);
        assert_true(id == 0 || id == 1);
        if (n[id] < 64)
            times[id][n[id]++] = t;
    }
    free(text);
    assert_true(n[0] > 0 && n[1] > n[0]);   /* the stronger input spikes more */
    snprintf(path, sizeof path, "%s/ev/v.dat", test_tmpdir());
    text = read_text_file(path, NULL);
    assert_non_null(text);
    double prev[2] = {0, 0};
    int k[2] = {0, 0}, row = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), row++) {
        double t, v[2];
        assert_int_equal(sscanf(line, "%lf %lf %lf", &t, &v[0], &v[1]), 3);
        for (int c = 0; c < 2; c++) {
            if (row > 0 && prev[c] - v[c] > 0.05) {   /* a reset: the event is at that instant */
                assert_true(k[c] < n[c]);
                assert_true(times[c][k[c]++] == t);
            }
            prev[c] = v[c];
        }
    }
    free(text);
    assert_int_equal(k[0], n[0]);
    assert_int_equal(k[1], n[1]);
}

static void test_lems_errors(void **state)
{
    (void)state;
    char args[16384];
    /* The NeuroML core types are not found without -I. */
    snprintf(args, sizeof args, "lems '%s'", shared_file("neuroml/NeuroML2/LEMSexamples/LEMS_NML2_Ex1_HH.xml"));
    assert_int_equal(dtb(args), 2);
    assert_non_null(strstr(output, "Cells.xml"));
    assert_non_null(strstr(output, "LEMS_NML2_Ex1_HH.xml:"));
    snprintf(args, sizeof args, "lems '%s/lems_bad/dimension_mismatch.xml'", DTB_TEST_DATA);
    assert_int_equal(dtb(args), 2);
    assert_non_null(strstr(output, "dimension_mismatch.xml:10"));
    assert_int_equal(dtb("lems"), 2);
    assert_int_equal(dtb("lems a.xml b.xml"), 2);
    assert_int_equal(dtb("lems --frobnicate x.xml"), 2);
    assert_int_equal(dtb("lems --help"), 0);
    assert_non_null(strstr(output, "--out"));
    /* KineticScheme: runs, with forward Euler and RK4. */
    snprintf(args, sizeof args, "lems '%s' -I '%s' --out ks --quiet",
             shared_file("neuroml/NeuroML2/LEMSexamples/LEMS_NML2_Ex4_KS.xml"), core_dir());
    assert_int_equal(dtb(args), 0);
    /* its three Displays have no id: three files, none overwritten */
    static const char *const ks_files[] = {"Display.dat", "Display_2.dat", "Display_3.dat"};
    static const size_t ks_cols[] = {2, 4, 3};
    for (int f = 0; f < 3; f++) {
        char path[4200];
        size_t rows, cols;
        double first[8];
        snprintf(path, sizeof path, "%s/ks/%s", test_tmpdir(), ks_files[f]);
        table_shape(path, &rows, &cols, first, 8);
        assert_int_equal(rows, 30001);
        assert_int_equal(cols, ks_cols[f]);
    }
    snprintf(args, sizeof args, "lems '%s' -I '%s' --out ks4 --method rk4 --quiet",
             shared_file("neuroml/NeuroML2/LEMSexamples/LEMS_NML2_Ex4_KS.xml"), core_dir());
    assert_int_equal(dtb(args), 0);
}

/* A whitespace-separated table, whole (rows * cols values, malloc'd). */
static double *read_table(const char *path, size_t *rows, size_t *cols)
{
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    size_t n = 0, cap = 1024;
    double *v = malloc(cap * sizeof *v);
    assert_non_null(v);
    *rows = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), (*rows)++) {
        char *p = line, *end;
        for (double x = strtod(p, &end); end != p; p = end, x = strtod(p, &end)) {
            if (n == cap)
                assert_non_null(v = realloc(v, (cap *= 2) * sizeof *v));
            v[n++] = x;
        }
    }
    free(text);
    *cols = *rows ? n / *rows : 0;
    return v;
}

/* --order and --method: jLEMS' order by default, the Wilson-Cowan network
 * then as jLEMS writes it; pylems' order and RK4 on request. */
static void test_lems_order_and_method(void **state)
{
    (void)state;
    const char *file = "neuroml/OSB-WilsonCowan/NeuroML2/LEMS_WC_driven.xml";
    static const char *const runs[][2] = {
        {"wc_default", ""}, {"wc_jlems", "--order jlems"}, {"wc_pylems", "--order pylems"},
        {"wc_rk4", "--method rk4"}, {"wc_rkf45", "--method rkf45 --rtol 1e-9 --atol 1e-12"}};
    double *v[5];
    size_t rows[5], cols[5];
    for (int r = 0; r < 5; r++) {
        char args[16384], path[4200];
        snprintf(args, sizeof args, "lems '%s' -I '%s' --out %s --quiet %s", shared_file(file), core_dir(),
                 runs[r][0], runs[r][1]);
        assert_int_equal(dtb(args), 0);
        snprintf(path, sizeof path, "%s/%s/d2.dat", test_tmpdir(), runs[r][0]);
        v[r] = read_table(path, &rows[r], &cols[r]);
        assert_int_equal(rows[r], 20001);
        assert_int_equal(cols[r], 3);
    }
    /* jLEMS' trace (float32): the default run agrees to round-off */
    dtb__npy_array jl;
    assert_int_equal(dtb__npy_read(shared_path("reference/lems/jlems/wilsoncowan_driven.npy"), &jl), DTB_OK);
    double dj = 0, dp = 0, dk = 0, dr = 0;
    for (size_t k = 0; k < 20001; k++)
        for (size_t c = 1; c < 3; c++) {
            double x = v[0][3 * k + c];
            assert_true(x == v[1][3 * k + c]);
            dj = nan_max(dj, fabs(x - jl.data[k * (size_t)jl.shape[1] + c]));
            dp = nan_max(dp, fabs(x - v[2][3 * k + c]));
            dk = nan_max(dk, fabs(v[3][3 * k + c] - v[4][3 * k + c]));
            dr = nan_max(dr, fabs(v[2][3 * k + c] - v[4][3 * k + c]));
        }
    print_message("WC network: default vs jLEMS %.3g, vs --order pylems %.3g; rk4 vs rkf45 %.3g, "
                  "Euler (pylems order) vs rkf45 %.3g\n", dj, dp, dk, dr);
    assert_true(dj < 1e-7);
    assert_true(dp > 1e-3);
    assert_true(dk < 1e-6 && dk < dr / 100);
    dtb__npy_array_free(&jl);
    for (int r = 0; r < 5; r++)
        free(v[r]);
    char args[16384];
    snprintf(args, sizeof args, "lems '%s' -I '%s' --order nest", shared_file(file), core_dir());
    assert_int_equal(dtb(args), 2);
    assert_non_null(strstr(output, "jlems or pylems"));
    snprintf(args, sizeof args, "lems '%s' -I '%s' --method midpoint", shared_file(file), core_dir());
    assert_int_equal(dtb(args), 2);
    assert_non_null(strstr(output, "rk4"));
    snprintf(args, sizeof args, "lems '%s' -I '%s' --rtol -1", shared_file(file), core_dir());
    assert_int_equal(dtb(args), 2);
    assert_non_null(strstr(output, "--rtol"));
}

static void test_check(void **state)
{
    (void)state;
    char args[16384];
    snprintf(args, sizeof args, "check '%s' -I '%s'", shared_file("neuroml/dtb-examples/wc_cin_example.xml"),
             core_dir());
    assert_int_equal(dtb(args), 0);
    static const char *const expect[] = {"valid", "wcNode", "parameters: tau_e (time)", "state variables: E (none), I (none)",
                                         "exposures: E (none), I (none), xE (none)", "requirements: c_in (none)",
                                         "cinSineDriver", "Simulation sim_wc_cin (the Target)"};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const char *e = expect[i];
        if (!strstr(output, e))
            print_error("dtb check output lacks \"%s\":\n%s\n", e ? e : "", output);
        assert_non_null(strstr(output, expect[i]));
    }
    /* The types a NeuroML file uses are listed even though Cells.xml declares them. */
    snprintf(args, sizeof args, "check '%s' -I '%s'", shared_file("neuroml/OSB-IzhikevichModel/NeuroML2/Izh2007One.net.nml"),
             core_dir());
    assert_int_equal(dtb(args), 0);
    assert_non_null(strstr(output, "izhikevich2007Cell extends baseCellMembPotCap"));
    assert_non_null(strstr(output, "event ports: spike (out)"));
    snprintf(args, sizeof args, "check '%s/lems_bad/cyclic_extends.xml'", DTB_TEST_DATA);
    assert_int_equal(dtb(args), 2);
    assert_non_null(strstr(output, "cyclic_extends.xml:2"));
    assert_int_equal(dtb("check"), 2);
    assert_int_equal(dtb("check --help"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lems_writes_outputs_and_displays),
        cmocka_unit_test(test_lems_event_output),
        cmocka_unit_test(test_lems_errors),
        cmocka_unit_test(test_lems_order_and_method),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
