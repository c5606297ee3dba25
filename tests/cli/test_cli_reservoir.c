/* dtb reservoir: the command-line contract (flags, reservoir.csv and its
 * columns, the percentile lines, the figure), the states of --input and
 * --save-states against an independent NumPy computation
 * (tests/reservoir/make_reference.py), resumption, and refusals that write
 * nothing. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_util.h"

#define QUICK "--task memory-capacity --steps 1000 --delays 20 -q"

static void contract(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' reservoir --help", DTB_EXE), 0);
    static const char *const flags[] = {"--atlas", "--task", "--alpha", "--nulls", "--seed",
                                        "--input-regions", "--output-regions", "--save-states",
                                        "--input", "--out"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strstr(test_output, flags[i]))
            fail_msg("help lacks %s", flags[i]);
    assert_int_equal(test_sh("'%s' reservoir --atlas bn246 " QUICK " --alpha 0.5:0.9:2 --nulls 2 "
                             "--seed 5 --out r1", DTB_EXE), 0);
    /* one percentile line per alpha */
    assert_non_null(strstr(test_output, "alpha 0.5"));
    assert_non_null(strstr(test_output, "alpha 0.9"));
    assert_non_null(strstr(test_output, "percentile"));
    assert_int_equal(test_sh("head -1 r1/reservoir.csv"), 0);
    assert_string_equal(test_output, "alpha,network,score\n");
    assert_int_equal(test_sh("sed 1d r1/reservoir.csv | cut -d, -f1,2 | sort"), 0);
    assert_string_equal(test_output, "0.5,0\n0.5,1\n0.5,empirical\n0.9,0\n0.9,1\n0.9,empirical\n");
    assert_int_equal(test_sh("sed 1d r1/reservoir.csv | cut -d, -f3 | sort -u | wc -l"), 0);
    assert_int_equal(atoi(test_output), 6);   /* every network scores differently */
    assert_true(test_exists("r1/reservoir.svg") && test_exists("r1/provenance.json"));
    assert_int_equal(test_sh("grep -c '<svg' r1/reservoir.svg"), 0);
    /* the same command again: nothing to do, the same table */
    assert_int_equal(test_sh("sort r1/reservoir.csv > before.csv && '%s' reservoir --atlas bn246 " QUICK
                             " --alpha 0.5:0.9:2 --nulls 2 --seed 5 --out r1 && sort r1/reservoir.csv | "
                             "cmp - before.csv", DTB_EXE), 0);
    /* other settings in that folder: refused, the table kept */
    assert_int_equal(test_sh("'%s' reservoir --atlas bn246 " QUICK " --alpha 0.5:0.9:2 --nulls 2 "
                             "--seed 6 --out r1", DTB_EXE), 2);
    assert_int_equal(test_sh("sort r1/reservoir.csv | cmp - before.csv"), 0);
}

/* Read a 2-D little-endian float64 .npy file. */
static double *read_npy(const char *name, size_t *rows, size_t *cols)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char head[10];
    assert_int_equal(fread(head, 1, 10, f), 10);
    assert_memory_equal(head, "\x93NUMPY", 6);
    size_t hlen = head[8] | (size_t)head[9] << 8;
    char *dict = calloc(hlen + 1, 1);
    assert_int_equal(fread(dict, 1, hlen, f), hlen);
    assert_non_null(strstr(dict, "'<f8'"));
    assert_non_null(strstr(dict, "'fortran_order': False"));
    const char *shape = strstr(dict, "'shape': (");
    assert_non_null(shape);
    assert_int_equal(sscanf(shape, "'shape': (%zu, %zu)", rows, cols), 2);
    free(dict);
    double *v = malloc(*rows * *cols * sizeof *v);
    assert_int_equal(fread(v, sizeof *v, *rows * *cols, f), *rows * *cols);
    fclose(f);
    return v;
}

static void states_equal_numpy(void **state)
{
    (void)state;
    assert_int_equal(test_sh("mkdir -p esn && cp '%s/esn_w.txt' esn/weights.txt", RESERVOIR_DATA), 0);
    assert_int_equal(test_sh("'%s' reservoir --atlas esn --input '%s/esn_u.txt' --input-regions 0+3 "
                             "--alpha 0.8 --save-states x.npy", DTB_EXE, RESERVOIR_DATA), 0);
    size_t rows, cols;
    double *x = read_npy("x.npy", &rows, &cols);
    assert_int_equal(rows, 300);
    assert_int_equal(cols, 12);
    char path[4096];
    snprintf(path, sizeof path, "%s/esn_tanh.txt", RESERVOIR_DATA);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    double worst = 0;
    for (size_t i = 0; i < rows * cols; i++) {
        double ref;
        assert_int_equal(fscanf(f, "%lf", &ref), 1);
        worst = nan_max(worst, fabs(ref - x[i]));
    }
    fclose(f);
    if (!(worst <= 1e-12))   /* NaN fails */
        fail_msg("--save-states differs from NumPy's states by %g", worst);
    free(x);
    /* an .npy input, and the readout saved */
    if (test_sh("/usr/bin/python3 -c 'import numpy' 2>/dev/null || exit 77") == 77)
        skip();   /* no NumPy to write the .npy input */
    assert_int_equal(test_sh("/usr/bin/python3 -c \"import numpy; numpy.save('u.npy', "
                             "numpy.loadtxt('%s/esn_u.txt'))\"", RESERVOIR_DATA), 0);
    assert_int_equal(test_sh("'%s' reservoir --atlas esn --input u.npy --input-regions 0+3 --alpha 0.8 "
                             "--save-states y.npy && cmp x.npy y.npy", DTB_EXE), 0);
}

static void refusals(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"--task chess --alpha 1", "chess"},
        {"--alpha -1", "alpha"},
        {"--alpha 1:2", "A:B:N"},
        {"--alpha 1 --nulls -3", "nulls"},
        {"--alpha 1 --null-model fancy", "fancy"},
        {"--alpha 1 --input-regions nowhere", "nowhere"},
        {"--alpha 1 --activation relu", "relu"},
        {"--alpha 1 --save-states s.npy", "--input"},
        {"--alpha 1 --input missing.txt --save-states s.npy", "missing.txt"},
        {"--alpha 1 --task-file u.txt", "INPUT:TARGETS"},
        {"--nulls 2", "--alpha"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = test_sh("'%s' reservoir --atlas bn246 --steps 1000 %s --out bad", DTB_EXE, cases[i][0]);
        if (rc != 2 || !strstr(test_output, cases[i][1]))
            fail_msg("case '%s': exit %d, output: %s", cases[i][0], rc, test_output);
        assert_false(test_exists("bad"));
        assert_false(test_exists("s.npy"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contract),
        cmocka_unit_test(states_equal_numpy),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
