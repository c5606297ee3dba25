/* dtb assimilate, and dtb run --control: the command-line contract (flags, estimates.csv and
 * forecast.csv with their columns, the figures), a constant input current
 * of one region recovered from a dtb run recording, the same files with one
 * thread or two, and refusals before anything is written (exit status 2,
 * naming the option and the value). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

#define TWIN "--atlas atlas --model reduced_wong_wang --noise 1e-5"
#define ASSIM TWIN " --seed 5 --observer tavg:period=50ms:vars=S --members 8 -q"

/* A chain of four regions and a 3 s recording with I_o = 0.42 in region 0. */
static int setup(void **state)
{
    (void)state;
    if (test_sh("mkdir -p atlas && printf '0 1 0.5 0\\n1 0 1 0.3\\n0.5 1 0 1\\n0 0.3 1 0\\n' > "
                "atlas/weights.txt && printf '0 20 40 60\\n20 0 20 40\\n40 20 0 20\\n60 40 20 0\\n' > "
                "atlas/tract_lengths.txt && printf '0 0 0\\n20 0 0\\n40 0 0\\n60 0 0\\n' > "
                "atlas/centres.txt") != 0)
        return -1;
    return test_sh("'%s' run " TWIN " --seed 999 --set I_o@0=0.42 --duration 3s "
                   "--observe tavg:period=50ms:vars=S --out truth -q", DTB_EXE);
}

static void contract(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' assimilate --help", DTB_EXE), 0);
    static const char *const flags[] = {"--data", "--estimate", "--members", "--observer",
                                        "--method", "--inflation", "--drift", "--obs-error",
                                        "--localisation", "--distance", "--update-state", "--jobs", "--out",
                                        "--data-scale"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strstr(test_output, flags[i]))
            fail_msg("help lacks %s", flags[i]);
    assert_int_equal(test_sh("'%s' --help", DTB_EXE), 0);
    assert_non_null(strstr(test_output, "assimilate"));

    assert_int_equal(test_sh("'%s' assimilate " ASSIM " --data truth/tavg.csv "
                             "--estimate I_o@0=0.1:0.6 --out a1", DTB_EXE), 0);
    assert_non_null(strstr(test_output, "60 samples, 8 members, 1 parameters"));
    assert_int_equal(test_sh("head -1 a1/estimates.csv; head -1 a1/forecast.csv; "
                             "sed 1d a1/estimates.csv | wc -l"), 0);
    assert_string_equal(test_output, "t,I_o@0.mean,I_o@0.sd\nt,S.0,S.1,S.2,S.3\n60\n");
    assert_true(test_exists("a1/estimates.svg") && test_exists("a1/forecast.svg"));
    /* the last second's mean estimate is the truth's 0.42 within 0.03 */
    assert_int_equal(test_sh("tail -20 a1/estimates.csv | awk -F, '{s += $2} END "
                             "{d = s / NR - 0.42; print (d < 0.03 && d > -0.03) ? \"near\" : s / NR}'"),
                     0);
    assert_string_equal(test_output, "near\n");
    /* two threads, the same bytes */
    assert_int_equal(test_sh("'%s' assimilate " ASSIM " --data truth/tavg.csv "
                             "--estimate I_o@0=0.1:0.6 --jobs 2 --out a2", DTB_EXE), 0);
    assert_int_equal(test_sh("cmp a1/estimates.csv a2/estimates.csv && "
                             "cmp a1/forecast.csv a2/forecast.csv"), 0);
    /* the stochastic EnKF, localised, with the states corrected too */
    assert_int_equal(test_sh("'%s' assimilate " ASSIM " --data truth/tavg.csv "
                             "--estimate I_o@0=0.1:0.6 --method enkf --localisation 1 --distance hops "
                             "--update-state --inflation 1.02 --out a3", DTB_EXE), 0);
    assert_int_equal(test_sh("sed 1d a3/estimates.csv | wc -l"), 0);
    assert_string_equal(test_output, "60\n");
    /* hierarchical: the hyper-parameter's columns, then the regions' */
    assert_int_equal(test_sh("'%s' assimilate " ASSIM " --data truth/tavg.csv "
                             "--estimate 'I_o@0+1=0.1:0.6:pull=0.05' --out a4", DTB_EXE), 0);
    assert_int_equal(test_sh("head -1 a4/estimates.csv"), 0);
    assert_string_equal(test_output, "t,I_o.mean,I_o.sd,I_o@0.mean,I_o@0.sd,I_o@1.mean,I_o@1.sd\n");
}

/* Each refused before anything is written: exit 2, the option and value named. */
static void refusals(void **state)
{
    (void)state;
    assert_int_equal(test_sh("sed 1d truth/tavg.csv | cut -d, -f2- | tr , ' ' > plain.txt && "
                             "cp plain.txt nan.txt && sed -i '5s/^[^ ]*/nan/' nan.txt && "
                             "cut -d' ' -f1-3 plain.txt > three.txt"), 0);
    static const struct {
        const char *args, *needle;
    } cases[] = {
        {"--data plain.txt --estimate I_o@0=0.1:0.6 --members 1", "--members 1: at least 2"},
        {"--data plain.txt --estimate I_o@0=0.6:0.1", "bounds 0.6:0.1"},
        {"--data plain.txt --estimate I_o@0=0.1", "NAME[@REGIONS]=LO:HI"},
        {"--data plain.txt --estimate I_o@0=0.1:0.6:pull=2", "pull 2 is not in (0, 1]"},
        {"--data plain.txt --estimate I_o=0.1:0.6:pull=0.1", "hierarchical estimate is NAME@"},
        {"--data nan.txt --estimate I_o@0=0.1:0.6", "nan.txt:5"},
        {"--data three.txt --estimate I_o@0=0.1:0.6", "gives 4 columns"},
        {"--data plain.txt --estimate nope=0:1", "no parameter 'nope'"},
        {"--data plain.txt --estimate I_o@9=0:1", "I_o@9"},
        {"--data plain.txt --estimate I_o@0=0.1:0.6 --inflation 0.5", "inflation 0.5"},
        {"--data plain.txt --estimate I_o@0=0.1:0.6 --method kalman", "--method: 'kalman'"},
        {"--data plain.txt --estimate I_o@0=0.1:0.6 --data-scale minmax",
         "--data-scale: 'minmax'"},
        {"--data plain.txt --estimate I_o@0=0.1:0.6 --localisation 9 --distance far",
         "--distance: 'far'"},
        {"--data truth/tavg.csv --estimate I_o@0=0.1:0.6 --observer bold", "0.05 s apart"},
        {"--data plain.txt --estimate I_o@0=0.1:0.6 --observer tavg:period=0.25ms",
         "whole number of steps"},
        {"--estimate I_o@0=0.1:0.6", "--data"},
        {"--data plain.txt", "--estimate"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = test_sh("'%s' assimilate " ASSIM " %s --out bad", DTB_EXE, cases[i].args);
        if (rc != 2 || !strstr(test_output, cases[i].needle))
            fail_msg("case %zu (%s): exit %d, output: %s", i, cases[i].args, rc, test_output);
        assert_false(test_exists("bad"));
    }
    assert_int_equal(test_sh("'%s' assimilate " ASSIM " --data plain.txt --estimate I_o@0=0:1",
                             DTB_EXE), 2);
    assert_non_null(strstr(test_output, "--out"));
}

/* dtb run --control: the linear node held at 0.2 through a disturbance
 * of -1 at 0.5 s (x settles at u / 10 without control: -0.1); a run
 * resumed from a checkpoint halfway writes the same bytes as one run
 * through; a bad controller is refused before anything is written. */
static void control(void **state)
{
    (void)state;
    assert_int_equal(test_sh("'%s' run --atlas atlas --model linear --coupling linear:a=0 "
                             "--init x=0 --duration 1s --stimulus step:onset=500ms,amplitude=-1:"
                             "regions=0:into=x --control 'pid:kp=5,ki=200,min=-5,max=5,period=10ms:"
                             "read=x@0:target=0.2:drive=x@0' --observe tavg:period=10ms --out c1 -q",
                             DTB_EXE), 0);
    assert_int_equal(test_sh("tail -1 c1/tavg.csv | awk -F, '{d = $2 - 0.2; print (d < 0.002 && "
                             "d > -0.002) ? \"held\" : $2}'"), 0);
    assert_string_equal(test_output, "held\n");
    /* saved halfway and resumed: the same bytes as one run through (the
     * controller's state is in the checkpoint) */
#define CONTROLLED "'%s' run --atlas atlas --model linear --coupling linear:a=0 --init x=0 " \
    "--stimulus step:onset=300ms,amplitude=-1:regions=0:into=x --control " \
    "'pid:kp=5,ki=200,min=-5,max=5,period=10ms:read=tavg:x@0:target=0.2:drive=x@0' " \
    "--observe tavg:period=10ms -q "
    assert_int_equal(test_sh(CONTROLLED "--duration 1s --out r_full", DTB_EXE), 0);
    assert_int_equal(test_sh(CONTROLLED "--duration 350ms --checkpoint r.ckpt --out r_half", DTB_EXE),
                     0);
    assert_int_equal(test_sh(CONTROLLED "--duration 1s --resume r.ckpt --out r_half", DTB_EXE), 0);
    assert_int_equal(test_sh("cmp r_full/tavg.csv r_half/tavg.csv && wc -l < r_half/tavg.csv"), 0);
    assert_string_equal(test_output, "101\n");
#undef CONTROLLED
    assert_int_equal(test_sh("'%s' run --atlas atlas --model linear --duration 10ms "
                             "--control 'pid:kp=5,min=1:read=x@0:target=0.2:drive=x' --out c2 -q",
                             DTB_EXE), 2);
    assert_non_null(strstr(test_output, "both limits"));
    assert_false(test_exists("c2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contract),
        cmocka_unit_test(refusals),
        cmocka_unit_test(control),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
