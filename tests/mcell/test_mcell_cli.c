/* dtb cell: the traces it writes are the API's (the same run, printed
 * with 17 digits), written whole (no temporary file left); bad arguments
 * and bad files exit 2 naming what is wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* dtb with arguments made of fmt and two strings; its output in test_output. */
static int dtb(const char *fmt, const char *a, const char *b)
{
    char args[16384];
    snprintf(args, sizeof args, fmt, a, b);
    return test_sh("'%s' %s 2>&1", DTB_EXE, args);
}

static const char *ball(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/mcell/ball_and_stick.nml", DTB_TEST_DATA);
    return path;
}

static void test_traces_are_the_apis(void **state)
{
    (void)state;
    char out[4096];
    snprintf(out, sizeof out, "%s", test_tmp("run"));
    assert_int_equal(dtb("cell '%s#bs_cell' --nseg 9 --duration 50 --dt 0.025 --inject 0:20:100:0.3 "
                         "--record 0:v --record 1@1:v --record 0@0.5:kChans/n --out '%s'", ball(), out), 0);
    assert_non_null(strstr(test_output, "18 compartments, 2000 steps"));
    char path[8192];
    snprintf(path, sizeof path, "%s/traces.csv", out);
    char *text = read_text_file(path, NULL);
    assert_non_null(text);
    assert_false(test_exists("run/.traces.csv.tmp"));

    dtb_mcell *cell = NULL;
    assert_int_equal(dtb_mcell_load(&cell, ball(), "bs_cell"), DTB_OK);
    assert_int_equal(dtb_mcell_set_nseg(cell, 9), DTB_OK);
    assert_int_equal(dtb_mcell_add_current_clamp(cell, 0, 0.5, 20, 100, 0.3), DTB_OK);
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "v", NULL), DTB_OK);
    assert_int_equal(dtb_mcell_add_recording(cell, 1, 1, "v", NULL), DTB_OK);
    assert_int_equal(dtb_mcell_add_recording(cell, 0, 0.5, "kChans/n", NULL), DTB_OK);
    assert_int_equal(dtb_mcell_run(cell, 50, 0.025), DTB_OK);
    double *col[3];
    for (int r = 0; r < 3; r++) {
        assert_non_null(col[r] = malloc(2001 * sizeof(double)));
        assert_int_equal(dtb_mcell_trace(cell, r, col[r], 2001, NULL), DTB_OK);
    }
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    assert_string_equal(line, "t_ms,0:v,1@1:v,0@0.5:kChans/n");
    size_t rows = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        double t, a, b, c;
        assert_int_equal(sscanf(line, "%lf,%lf,%lf,%lf", &t, &a, &b, &c), 4);
        assert_true(rows < 2001);
        assert_true(fabs(t - 0.025 * (double)rows) < 1e-12);
        assert_true(a == col[0][rows] && b == col[1][rows] && c == col[2][rows]);
        rows++;
    }
    assert_int_equal(rows, 2001);
    for (int r = 0; r < 3; r++)
        free(col[r]);
    free(text);
    /* spikes.csv: the API's spike times */
    snprintf(path, sizeof path, "%s/spikes.csv", out);
    assert_non_null(text = read_text_file(path, NULL));
    double spikes[16];
    size_t n_spikes = 0;
    assert_int_equal(dtb_mcell_spike_times(cell, spikes, 16, &n_spikes), DTB_OK);
    assert_true(n_spikes >= 1);
    char *p = strchr(text, '\n');
    assert_true(!strncmp(text, "t_ms\n", 5) && p);
    for (size_t k = 0; k < n_spikes; k++) {
        char *end;
        assert_true(strtod(p + 1, &end) == spikes[k]);
        p = end;
    }
    free(text);
    dtb_mcell_free(cell);
}

/* branched.nml has q10ExpTemp gates and no <network temperature>. */
static void test_temperature(void **state)
{
    (void)state;
    char path[4096], out[4096];
    snprintf(path, sizeof path, "%s/mcell/branched.nml", DTB_TEST_DATA);
    snprintf(out, sizeof out, "%s", test_tmp("warm"));
    assert_int_equal(dtb("cell '%s' --duration 1 --record 0:v --out '%s'", path, out), 2);
    assert_non_null(strstr(test_output, "set the temperature"));
    assert_int_equal(dtb("cell '%s' --duration 1 --temperature 16.3 --record 0:v --out '%s'", path, out), 0);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(dtb("cell '%s'%s", ball(), ""), 2);
    assert_non_null(strstr(test_output, "nothing recorded"));
    assert_int_equal(dtb("cell '%s' --record 0:v --inject 0:20:%s", ball(), "100"), 2);
    assert_non_null(strstr(test_output, "expected SEG[@X]:DELAY:DUR:AMP_nA"));
    assert_int_equal(dtb("cell '%s' --record %s", ball(), "5:v"), 2);
    assert_non_null(strstr(test_output, "no segment 5"));
    assert_int_equal(dtb("cell '%s' --record %s", ball(), "0:naChans/z"), 2);
    assert_non_null(strstr(test_output, "no gate 'z'"));
    assert_int_equal(dtb("cell '%s#other' --record %s", ball(), "0:v"), 2);
    assert_non_null(strstr(test_output, "no <cell id='other'>"));
    assert_int_equal(dtb("cell '%s' --record 0:v --nseg %s", ball(), "x"), 2);
    assert_int_equal(dtb("cell '%s' --record 0:v --method %s", ball(), "rk4"), 2);
    assert_non_null(strstr(test_output, "use be or cn"));
    assert_int_equal(dtb("cell '%s' --record 0:v --temperature %s", ball(), "warm"), 2);
    assert_int_equal(dtb("cell '%s' --record 0:v --temperature %s", ball(), "-400"), 2);
    assert_non_null(strstr(test_output, "is not a temperature"));
    assert_int_equal(dtb("cell '%s' --record 0:v --bogus %s", ball(), "1"), 2);
    assert_non_null(strstr(test_output, "unknown option '--bogus'"));
    assert_int_equal(dtb("cell %s%s --help", "", ""), 0);
    assert_non_null(strstr(test_output, "dtb-mcell(5)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_traces_are_the_apis),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_temperature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
