/* dtb analyze: the command-line contract (file and column names), the
 * Jansen-Rit bifurcations Grimbert & Faugeras (2006) report, bad input.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

static char out[16384];

static char *file(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    return read_text_file(path, NULL);
}

static void test_continue_contract(void **state)
{
    (void)state;
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze continue --model sup_hopf "
                                                "--param a=-1:1 --out hopf", DTB_EXE), 0);
    char *branch = file("hopf/branch.csv"), *points = file("hopf/points.csv");
    char *svg = file("hopf/bifurcation.svg");
    assert_non_null(branch);
    assert_non_null(points);
    assert_non_null(svg);
    assert_true(strncmp(branch, "a,x,y,stable,max_re\n", 20) == 0);
    assert_true(strncmp(points, "kind,a,x,y\nhopf,", 16) == 0);
    double a = strtod(points + 16, NULL);
    assert_true(fabs(a) < 1e-8);
    assert_non_null(strstr(svg, "<svg"));
    free(branch);
    free(points);
    free(svg);
}

/* Grimbert F, Faugeras O (2006) Bifurcation analysis of Jansen's neural
 * mass model. Neural Comput 18:3052-3068: with v0 = 6 mV, Hopf points at
 * p = 89.83 Hz and 315.70 Hz and a fold at p = 113.58 Hz (mu is p in
 * 1/ms here). From mu = 0.22 down, the branch passes the lower fold at
 * mu = -0.0413 before it comes back up to the fold at 0.1136. */
static void test_jansen_rit_published_points(void **state)
{
    (void)state;
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze continue --model jansen_rit --set v0=6 "
                                                "--param mu=-0.1:0.4 --out jr", DTB_EXE), 0);
    char *points = file("jr/points.csv");
    assert_non_null(points);
    const double want[3] = {0.08983, 0.11358, 0.31570};
    const char *kind[3] = {"hopf", "fold", "hopf"};
    for (int k = 0; k < 3; k++) {
        int found = 0;
        for (char *line = strchr(points, '\n'); line && *line; line = strchr(line + 1, '\n')) {
            char name[16];
            double mu;
            if (sscanf(line + 1, "%15[a-z],%lf", name, &mu) == 2 && !strcmp(name, kind[k]) &&
                fabs(mu - want[k]) < 1.5e-5)
                found = 1;
        }
        if (!found)
            fail_msg("no %s near mu = %g in\n%s", kind[k], want[k], points);
    }
    free(points);
}

static void test_fixed_and_bad_input(void **state)
{
    (void)state;
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze fixed-points --model wilson_cowan --out wc",
                              DTB_EXE), 0);
    char *fp = file("wc/fixed_points.csv");
    assert_non_null(fp);
    assert_true(strncmp(fp, "index,E,I,kind,re1,im1,re2,im2\n", 31) == 0);
    assert_non_null(strstr(fp, "saddle"));
    free(fp);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze continue --model sup_hopf --param "
                                                "nope=0:1 --out bad", DTB_EXE), 2);
    assert_non_null(strstr(out, "nope"));
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze continue --model sup_hopf --param "
                                                "a=1:0 --out bad", DTB_EXE), 2);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze fixed-points --model nosuchmodel --out bad",
                              DTB_EXE), 2);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze spin --model sup_hopf --out bad",
                              DTB_EXE), 2);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze fixed-points --model sup_hopf --set a=nan "
                                                "--out bad", DTB_EXE), 2);
    /* the short names stay as aliases */
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze fixed --model sup_hopf --out sh", DTB_EXE), 0);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze --help", DTB_EXE), 0);
    assert_non_null(strstr(out, "branch.csv"));
}

/* The last line is the contract: critical: coupling.PARAM=VALUE (the
 * value itself is checked against the closed form in tests/dynamics). */
static void test_network_contract(void **state)
{
    (void)state;
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze network --atlas bn246 --model linear "
                                                "--speed 3 --param coupling.a=0:10 --out net", DTB_EXE), 0);
    char *last = out + strlen(out);
    while (last > out && last[-1] == '\n')
        *--last = 0;
    while (last > out && last[-1] != '\n')
        last--;
    double a = 0.0;
    assert_int_equal(sscanf(last, "critical: coupling.a=%lf", &a), 1);
    assert_true(a > 3.7168 && a < 3.7170);
    char *eig = file("net/eigenvalues.csv");
    assert_non_null(eig);
    assert_true(strncmp(eig, "coupling.a,rank,re,im\n0,1,-10,", 30) == 0);   /* gamma at a = 0 */
    free(eig);
    char *csv = file("net/critical.csv");
    assert_non_null(csv);
    assert_true(strncmp(csv, "param,critical\ncoupling.a,3.71689", 33) == 0);
    free(csv);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze network --atlas bn246 --model linear "
                                                "--coupling kuramoto --param coupling.a=0:1 --out net",
                              DTB_EXE), 2);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze network --atlas bn246 --model linear "
                                                "--param a=0:1 --out net", DTB_EXE), 2);
}

static void test_phase_contract(void **state)
{
    (void)state;
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze phase-plane --model jansen_rit --x y1:-5:40 "
                                                "--y y2:-5:40 --at y0=0.1 --out ph", DTB_EXE), 0);
    char *svg = file("ph/phase_plane.svg");
    assert_non_null(svg);
    assert_non_null(strstr(svg, "dy1/dt = 0"));
    free(svg);
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze phase-plane --model jansen_rit --x y1:-5:40 "
                                                "--y nope:0:1 --out ph", DTB_EXE), 2);
    assert_non_null(strstr(out, "nope"));
    assert_int_equal(test_run(out, sizeof out, "'%s' analyze phase-plane --model jansen_rit --x y1:-5:40 "
                                                "--y y2:0:1 --at zz=1 --out ph", DTB_EXE), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_continue_contract),
        cmocka_unit_test(test_jansen_rit_published_points),
        cmocka_unit_test(test_fixed_and_bad_input),
        cmocka_unit_test(test_network_contract),
        cmocka_unit_test(test_phase_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
